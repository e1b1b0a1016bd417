"""Small pieces of the daemon: options, schedules, pid file, files."""

import datetime
import json
import os
import subprocess
import sys

import pytest

from freezer_scheduler.daemon import config
from freezer_scheduler.daemon import local
from freezer_scheduler.daemon import main
from freezer_scheduler.daemon import process
from freezer_scheduler.daemon import runner
from freezer_scheduler.daemon import triggers


def load(argv, files=()):
    args = []
    for path in files:
        args += ['--config-file', str(path)]
    return config.load(args + argv, with_action=False)


@pytest.mark.parametrize('argv,group,key,value', [
    (['--scheduler-client-id', 'n1'], 'scheduler', 'client_id', 'n1'),
    (['-c', 'n1'], 'scheduler', 'client_id', 'n1'),
    (['--client-id', 'n1'], 'scheduler', 'client_id', 'n1'),
    (['--client_id', 'n1'], 'scheduler', 'client_id', 'n1'),
    (['--scheduler-no-api'], 'scheduler', 'no_api', True),
    (['-n'], 'scheduler', 'no_api', True),
    (['--no-api'], 'scheduler', 'no_api', True),
    (['--no_api'], 'scheduler', 'no_api', True),
    (['--scheduler-jobs-dir', '/j'], 'scheduler', 'jobs_dir', '/j'),
    (['-f', '/j'], 'scheduler', 'jobs_dir', '/j'),
    (['--conf', '/j'], 'scheduler', 'jobs_dir', '/j'),
    (['--jobs-dir', '/j'], 'scheduler', 'jobs_dir', '/j'),
    (['--scheduler-interval', '5'], 'scheduler', 'interval', 5),
    (['-i', '5'], 'scheduler', 'interval', 5),
    (['--interval', '5'], 'scheduler', 'interval', 5),
    (['--scheduler-no-daemon'], 'scheduler', 'no_daemon', True),
    (['--no-daemon'], 'scheduler', 'no_daemon', True),
    (['--scheduler-insecure'], 'scheduler', 'insecure', True),
    (['--scheduler-disable-exec'], 'scheduler', 'disable_exec', True),
    (['--disable-exec'], 'scheduler', 'disable_exec', True),
    (['--scheduler-concurrent-jobs', '3'], 'scheduler', 'concurrent_jobs',
     3),
    (['--concurrent_jobs', '3'], 'scheduler', 'concurrent_jobs', 3),
    (['--concurrent-jobs', '3'], 'scheduler', 'concurrent_jobs', 3),
    (['--enable-v1-api'], 'scheduler', 'enable_v1_api', True),
    (['--scheduler-centralized-scheduler'], 'scheduler',
     'centralized_scheduler', True),
    (['--capabilities-supported-actions', 'exec,backup'], 'capabilities',
     'supported_actions', ['exec', 'backup']),
    (['--os-username', 'u'], 'service_auth', 'os_username', 'u'),
    (['--os_username', 'u'], 'service_auth', 'os_username', 'u'),
    (['--service_auth-username', 'u'], 'service_auth', 'os_username', 'u'),
    (['--os-backup-url', 'http://x/v2/p'], 'service_auth', 'os_backup_url',
     'http://x/v2/p'),
    (['--os-auth-type', 'none'], 'service_auth', 'os_auth_type', 'none'),
])
def test_every_upstream_spelling(argv, group, key, value):
    assert getattr(getattr(load(argv), group), key) == value


def test_upstream_config_files_run_unchanged(tmp_path):
    grouped = tmp_path / 'scheduler.conf'
    grouped.write_text(
        '[scheduler]\nclient_id = node7\njobs_dir = /srv/jobs\n'
        'interval = 30\nconcurrent_jobs = 2\ndisable_exec = true\n'
        '[capabilities]\nsupported_actions = backup,exec\n'
        '[service_auth]\nos_auth_url = http://ks:5000/v3\n'
        'os_username = svc\nos_password = secret\n'
        'os_project_name = admin\nos_backup_url = http://api:9090\n')
    conf = load([], [grouped])
    assert (conf.scheduler.client_id, conf.scheduler.jobs_dir,
            conf.scheduler.interval, conf.scheduler.concurrent_jobs,
            conf.scheduler.disable_exec) == ('node7', '/srv/jobs', 30, 2,
                                             True)
    assert conf.capabilities.supported_actions == ['backup', 'exec']
    assert conf.service_auth.os_password == 'secret'
    old = tmp_path / 'old.conf'
    old.write_text('[DEFAULT]\nclient_id = node8\nconf = /old/jobs\n'
                   'interval = 7\nno_api = true\nos_username = legacy\n')
    conf = load([], [old])
    assert (conf.scheduler.client_id, conf.scheduler.jobs_dir,
            conf.scheduler.interval, conf.scheduler.no_api,
            conf.service_auth.os_username) == ('node8', '/old/jobs', 7,
                                               True, 'legacy')


def test_agent_environment_exports_service_auth():
    conf = load(['--os-auth-url', 'http://ks/v3', '--os-username', 'u',
                 '--os-password', 'p', '--scheduler-insecure'])
    env = main.agent_environment(conf)
    assert env['OS_AUTH_URL'] == 'http://ks/v3'
    assert env['OS_USERNAME'] == 'u' and env['OS_PASSWORD'] == 'p'
    assert env['OS_INSECURE'] == 'True'


def test_upstream_command_line_is_recognised():
    assert main.wants_daemon(['--client-id', 'n1', '--no-daemon', 'start'])
    assert main.wants_daemon(['-c', 'n1', 'status'])
    assert not main.wants_daemon(['job-list'])
    assert not main.wants_daemon(['start', '--help'])


NOW = datetime.datetime(2030, 3, 4, 10, 0, 0).astimezone()


@pytest.mark.parametrize('schedule,first', [
    ({}, NOW),
    ({'schedule_date': '2030-03-04T12:00:00'},
     datetime.datetime(2030, 3, 4, 12).astimezone()),
    ({'schedule_date': '2030-03-04T12:00:00Z'},
     datetime.datetime(2030, 3, 4, 12, tzinfo=datetime.timezone.utc)),
    ({'schedule_interval': '2 hours'}, NOW + datetime.timedelta(hours=2)),
    ({'schedule_interval': '10  minutes'},
     NOW + datetime.timedelta(minutes=10)),
    ({'schedule_interval': '1 days',
      'schedule_start_date': '2030-03-01T01:30:00'},
     datetime.datetime(2030, 3, 5, 1, 30).astimezone()),
    ({'schedule_interval': '1 days',
      'schedule_start_date': '2030-03-09T01:30:00.5+00:00'},
     datetime.datetime(2030, 3, 9, 1, 30, 0, 500000,
                       tzinfo=datetime.timezone.utc)),
    ({'schedule_hour': '2', 'schedule_minute': '15'},
     datetime.datetime(2030, 3, 5, 2, 15).astimezone()),
    ({'schedule_day_of_week': 'mon-fri', 'schedule_hour': '9'},
     datetime.datetime(2030, 3, 5, 9, 0).astimezone()),
    ({'schedule_minute': '*/15'}, NOW),
    ({'schedule_minute': '10-50/20'},
     datetime.datetime(2030, 3, 4, 10, 10).astimezone()),
    ({'schedule_day': 'last'}, datetime.datetime(2030, 3, 31).astimezone()),
    ({'schedule_interval': '1 hours',
      'schedule_start_date': '2030-03-01T00:00:00',
      'schedule_end_date': '2030-03-02T00:00:00'}, None),
])
def test_first_fire_times(schedule, first):
    trigger = triggers.from_schedule(schedule, NOW)
    assert trigger.next_after(NOW - datetime.timedelta(microseconds=1)) \
        == first


@pytest.mark.parametrize('schedule,words', [
    ({'schedule_interval': '1 fortnight'}, 'schedule_interval'),
    ({'schedule_date': '2020-01-01T00:00:00'}, 'in the past'),
    ({'schedule_start_date': '2030-02-30T00:00:00',
      'schedule_interval': '1 days'}, 'schedule_start_date'),
    ({'schedule_hour': '25'}, 'schedule_hour'),
    ({'schedule_day_of_week': 'someday'}, 'schedule_day_of_week'),
    ({'schedule_minute': '*/0'}, 'step'),
])
def test_schedules_that_cannot_work_say_why(schedule, words):
    with pytest.raises(triggers.ScheduleError, match=words):
        triggers.from_schedule(schedule, NOW)


def test_every_member_computes_the_same_fire_times():
    schedule = {'schedule_interval': '12 seconds',
                'schedule_start_date': '2030-03-04T09:59:55'}
    one = triggers.from_schedule(schedule, NOW)
    later = triggers.from_schedule(schedule,
                                   NOW + datetime.timedelta(seconds=5))
    assert one.next_after(NOW + datetime.timedelta(seconds=6)) == \
        later.next_after(NOW + datetime.timedelta(seconds=6))


def test_pid_file_is_held_while_running_and_stale_afterwards(tmp_path):
    path = str(tmp_path / 'sched.pid')
    holder = subprocess.Popen([sys.executable, '-c', (
        'import sys, time\n'
        'from freezer_scheduler.daemon import process\n'
        'held = process.PidFile(sys.argv[1])\n'
        'assert held.acquire() is None\n'
        'print("held", flush=True); time.sleep(30)\n'), path],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b'held'
        assert process.running_pid(path) == (holder.pid, False)
        assert process.PidFile(path).acquire() == holder.pid
    finally:
        holder.kill()
        holder.wait()
    assert process.running_pid(path) == (None, True)  # stale, not running
    mine = process.PidFile(path)
    assert mine.acquire() is None
    mine.release()
    assert not os.path.exists(path)


def test_agent_ini_keeps_percent_signs_and_skips_nulls():
    text = runner.ini_text({'action': 'backup', 'path_to_backup': '/a%b',
                            'max_level': None, 'no_incremental': True,
                            'remove_older_than': 30})
    assert text == ('[action]\naction = backup\npath_to_backup = /a%b\n'
                    'no_incremental = True\nremove_older_than = 30\n')


def test_no_api_job_files(tmp_path):
    (tmp_path / 'one.conf').write_text(json.dumps({
        'job_id': 'j1', 'job_actions': [{'freezer_action': {
            'action': 'exec', 'command': 'true'}}]}))
    (tmp_path / 'TWO.CONF').write_text(json.dumps({
        'job_actions': [], 'job_schedule': {'status': 'completed'}}))
    (tmp_path / 'bad.conf').write_text('{not json')
    (tmp_path / 'ignored.json').write_text('{}')
    gateway = local.LocalGateway(str(tmp_path))
    jobs = gateway.list_jobs('any')
    assert [j['job_id'] for j in jobs] == ['j1']
    gateway.patch_job('j1', {'job_schedule': {'status': 'completed'}})
    assert gateway.list_jobs('any') == []


def test_no_api_mode_runs_a_job_file(tmp_path):
    jobs = tmp_path / 'jobs'
    jobs.mkdir()
    marker = tmp_path / 'ran'
    (jobs / 'job.conf').write_text(json.dumps({
        'job_actions': [{'freezer_action': {
            'action': 'exec', 'command': 'echo $FREEZER_JOB_ID > %s'
            % marker}}]}))
    scheduler = subprocess.Popen(
        [sys.executable, '-m', 'freezer_scheduler.daemon', '--no-api',
         '--no-daemon', '--jobs-dir', str(jobs), '--state-dir',
         str(tmp_path / 'state'), '--pid-file', str(tmp_path / 'pid'),
         '--interval', '1', 'start'], stderr=subprocess.DEVNULL)
    try:
        deadline = 20
        while deadline > 0 and not (marker.exists()
                                    and marker.read_text().strip()):
            deadline -= 0.2
            process.wait_until(lambda: False, 0.2)
        assert marker.read_text().strip()
    finally:
        scheduler.terminate()
        scheduler.wait(10)
    assert scheduler.returncode == 0
