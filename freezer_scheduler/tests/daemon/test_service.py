"""The daemon's rules, against the real API served in-process."""

import os
import sys

import pytest

from freezer_scheduler.daemon import service
from freezer_scheduler.tests.daemon import inprocess

FAR = '2099-01-01T00:00:00'


@pytest.fixture
def world(tmp_path):
    recording = inprocess.RecordingApi()
    daemons = []

    def start(**settings):
        daemon = inprocess.make_service(recording, tmp_path / 'state',
                                        **settings)
        daemons.append(daemon)
        daemon.step()
        assert daemon.registered
        return daemon

    try:
        yield recording, start, tmp_path
    finally:
        for daemon in daemons:
            daemon.stop()
            daemon.pool.shutdown(wait=True)
        recording.close()


def status_of(recording, job_id):
    return recording.job(job_id)['job_schedule'].get('status')


def test_writes_only_state_keys(world):
    recording, start, tmp = world
    daemon = start()
    job_id = recording.create_job('unitnode', 'true')
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'completed', what='the job ran')
    assert recording.job(job_id)['job_schedule']['result'] == 'success'
    patches = recording.patches()
    assert patches
    for path, body in patches:
        assert set(body) <= {'job_schedule', 'session_tag'}, body
        assert set(body.get('job_schedule', {})) <= inprocess.STATE_KEYS


def test_unparseable_schedule_fails_that_job_and_others_go_on(world):
    recording, start, tmp = world
    daemon = start()
    bad = recording.create_job('unitnode', 'true',
                               job_schedule={'schedule_hour': '25'})
    aborted_early = recording.create_job('unitnode', 'true',
                                         job_schedule={'event': 'abort'})
    good = recording.create_job('unitnode', 'true',
                                job_schedule={'schedule_date': FAR})
    inprocess.drive(daemon, lambda: status_of(recording, good)
                    == 'scheduled', what='the good job scheduled')
    schedule = recording.job(bad)['job_schedule']
    assert (schedule['status'], schedule['result']) == ('completed', 'fail')
    assert 'schedule_hour' in daemon.jobs[bad].note
    # An abort for a job that never ran stops it (upstream crashed the poll)
    assert status_of(recording, aborted_early) == 'stop'
    assert recording.job(aborted_early)['job_schedule'].get('event') == ''


def test_join_and_leave_while_scheduled_are_never_undone(world):
    recording, start, tmp = world
    daemon = start()
    job_id = recording.create_job(
        'unitnode', 'true', job_schedule={'schedule_interval': '1 days'})
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'scheduled', what='scheduled alone')
    assert daemon.jobs[job_id].trigger.seconds == 86400
    status, answer = recording.call('POST', '/sessions', {
        'session_name': 'pair', 'hold_off': 30,
        'schedule': {'schedule_interval': '2 hours'}})
    assert status == 201
    session_id = answer['session_id']
    status, _ = recording.call('PUT', '/sessions/%s/jobs/%s'
                               % (session_id, job_id))
    assert status == 204
    inprocess.drive(daemon, lambda: daemon.jobs[job_id].trigger.seconds
                    == 7200, what='planned on the session schedule')
    for _ in range(3):
        daemon.next_poll = 0
        daemon.step()
    document = recording.job(job_id)
    assert document['session_id'] == session_id
    assert document['session_name'] == 'pair'
    assert document['job_schedule']['schedule_interval'] == '2 hours'
    # Leaving: the API sends "stop"; the scheduler stops the job and does
    # not put it back.
    status, _ = recording.call('DELETE', '/sessions/%s/jobs/%s'
                               % (session_id, job_id))
    assert status == 204
    inprocess.drive(daemon, lambda: status_of(recording, job_id) == 'stop',
                    what='stopped after leaving')
    document = recording.job(job_id)
    assert document['session_id'] == ''
    assert document['job_schedule']['schedule_interval'] == '1 days'
    assert daemon.jobs[job_id].state == service.STOPPED


def test_a_stale_poll_answer_is_ignored(world):
    recording, start, tmp = world
    daemon = start()
    job_id = recording.create_job('unitnode', 'true',
                                  job_schedule={'schedule_date': FAR})
    with daemon.lock:
        asked_at = daemon.sequence
    stale = recording.job(job_id)  # read before the daemon's writes
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'scheduled', what='scheduled')
    stale['job_schedule']['event'] = 'stop'
    with daemon.lock:
        daemon.reconcile(stale, asked_at)
    assert daemon.jobs[job_id].state == service.SCHEDULED


def test_disabled_exec_refuses_the_job(world):
    recording, start, tmp = world
    daemon = start(disable_exec=True)
    marker = tmp / 'ran'
    job_id = recording.create_job('unitnode', 'touch %s' % marker)
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'completed', what='refused')
    assert recording.job(job_id)['job_schedule']['result'] == 'fail'
    assert not marker.exists()


def test_retries_and_mandatory_actions(world):
    recording, start, tmp = world
    daemon = start()
    log = tmp / 'log'
    actions = [
        {'freezer_action': {'action': 'exec',
                            'command': 'echo first >> %s; exit 1' % log},
         'max_retries': 1, 'max_retries_interval': 0},
        {'freezer_action': {'action': 'exec',
                            'command': 'echo optional >> %s' % log}},
        {'freezer_action': {'action': 'exec',
                            'command': 'echo cleanup >> %s' % log},
         'mandatory': True, 'max_retries': 0},
    ]
    status, answer = recording.call('POST', '/jobs', {
        'client_id': 'unitnode', 'job_actions': actions})
    assert status == 201
    job_id = answer['job_id']
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'completed', what='the job ended')
    assert recording.job(job_id)['job_schedule']['result'] == 'fail'
    assert log.read_text().split() == ['first', 'first', 'cleanup']


def test_hold_off_means_do_not_run_now(world):
    recording, start, tmp = world
    daemon = start()
    status, answer = recording.call('POST', '/sessions', {
        'session_name': 'fast', 'hold_off': 60,
        'schedule': {'schedule_interval': '1 seconds'}})
    assert status == 201
    log = tmp / 'runs'
    job_id = recording.create_job('unitnode', 'echo run >> %s' % log,
                                  session_name='fast')
    job = inprocess.drive(
        daemon, lambda: (daemon.jobs.get(job_id)
                         if daemon.jobs.get(job_id) is not None
                         and 'hold-off' in daemon.jobs[job_id].note
                         else None),
        timeout=20, what='a second fire told hold-off')
    assert job.state in (service.SCHEDULED, service.RUNNING)
    assert log.read_text() == 'run\n'  # ran once, in run 1 only
    assert recording.job(job_id)['session_tag'] == 1
    status, session = recording.call('GET', '/sessions/%s'
                                     % answer['session_id'])
    assert (session['status'], session['result']) == ('completed',
                                                      'success')


def test_api_down_writes_wait_and_are_sent_once_back(world):
    recording, start, tmp = world
    daemon = start()
    job_id = recording.create_job('unitnode', 'sleep 1')
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'running', what='running')
    recording.down = True
    inprocess.drive(daemon, lambda: not daemon.jobs[job_id].run
                    and len(daemon.outbox) > 0, what='finished offline')
    assert os.path.exists(daemon.outbox.path)
    assert status_of(recording, job_id) == 'running'
    recording.down = False
    daemon.health.next_try = 0
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'completed', what='written back')
    assert recording.job(job_id)['job_schedule']['result'] == 'success'
    assert len(daemon.outbox) == 0


def test_agent_actions_and_their_metadata(world):
    recording, start, tmp = world
    agent = '%s %s' % (sys.executable, os.path.join(
        os.path.dirname(__file__), 'stand_in_agent.py'))
    daemon = start(agent_command=agent)
    action = {'action': 'backup', 'mode': 'fs', 'path_to_backup': '/srv/a%b',
              'backup_name': 'nightly', 'storage': 'local',
              'container': '/srv/backups'}
    status, answer = recording.call('POST', '/jobs', {
        'client_id': 'unitnode',
        'job_actions': [{'freezer_action': action, 'max_retries': 0}]})
    assert status == 201
    job_id = answer['job_id']
    inprocess.drive(daemon, lambda: status_of(recording, job_id)
                    == 'completed', what='the backup action ran')
    assert recording.job(job_id)['job_schedule']['result'] == 'success'
    inprocess.drive(daemon, lambda: len(daemon.outbox) == 0,
                    what='metadata sent')
    status, found = recording.call('GET', '/backups')
    assert status == 200
    metadata = [b for b in found['backups']
                if (b.get('backup_metadata') or {}).get('job_id') == job_id]
    assert len(metadata) == 1, found
    assert metadata[0]['backup_metadata']['path_to_backup'] == '/srv/a%b'
