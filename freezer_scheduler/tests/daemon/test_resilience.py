"""End to end: the API going away, and the scheduler itself restarting."""

import os
import time

import pytest

from freezer_scheduler.tests.daemon import harness as h


@pytest.fixture
def setup(tmp_path):
    folder = str(tmp_path)
    api = h.ApiServer(folder).start()
    scheduler = h.Scheduler(folder, api, 'epsilon')
    try:
        yield api, scheduler, folder
    finally:
        scheduler.stop()
        api.stop()


def _schedule(api, job_id):
    return api.job(job_id)['job_schedule']


def test_api_stopped_and_restarted_mid_run(setup):
    api, scheduler, folder = setup
    scheduler.start().wait_registered()
    out = os.path.join(folder, 'out.txt')
    job_id = api.call('POST', '/jobs', h.exec_job(
        'epsilon', 'sleep 3; echo done >> %s' % out), expect=201)['job_id']
    h.wait_for(lambda: _schedule(api, job_id).get('status') == 'running',
               20, what='the job runs')
    api.stop()
    # The job goes on without the API and ends while it is away.
    h.wait_for(lambda: os.path.exists(out), 20, what='the job ended')
    h.wait_for(lambda: 'API unreachable' in scheduler.log_text(), 20,
               what='the outage noticed')
    time.sleep(3)  # a few failed retries: still logged only once
    api.start()
    schedule = h.wait_for(
        lambda: (_schedule(api, job_id)
                 if _schedule(api, job_id).get('status') == 'completed'
                 else None), 30, what='the result written back')
    assert schedule['result'] == 'success'
    assert schedule['time_ended'] >= schedule['time_started'] > 0
    text = scheduler.log_text()
    assert text.count('API unreachable') == 1, text
    assert text.count('API reachable again') == 1, text
    with open(out) as handle:
        assert handle.read() == 'done\n'
    # The scheduler still works: a new job runs.
    second = api.call('POST', '/jobs', h.exec_job('epsilon', 'true'),
                      expect=201)['job_id']
    h.wait_for(lambda: _schedule(api, second).get('result') == 'success',
               20, what='a job after the outage')


def test_restart_picks_up_a_running_job_without_running_it_again(setup):
    api, scheduler, folder = setup
    scheduler.start().wait_registered()
    out = os.path.join(folder, 'ran.txt')
    job_id = api.call('POST', '/jobs', h.exec_job(
        'epsilon', 'echo started >> %s; sleep 4; echo ended >> %s'
        % (out, out)), expect=201)['job_id']
    h.wait_for(lambda: os.path.exists(out), 20, what='the job runs')
    scheduler.stop()
    assert scheduler.popen.returncode == 0
    assert _schedule(api, job_id)['status'] == 'running'
    scheduler.start()
    schedule = h.wait_for(
        lambda: (_schedule(api, job_id)
                 if _schedule(api, job_id).get('status') == 'completed'
                 else None), 30, what='the resumed run finished')
    assert schedule['result'] == 'success'
    with open(out) as handle:
        assert handle.read() == 'started\nended\n'
    assert 'resuming the run' in scheduler.log_text()
