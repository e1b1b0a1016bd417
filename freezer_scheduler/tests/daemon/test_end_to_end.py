"""End to end: the real freezer-api and real schedulers, on loopback.

Three schedulers (clients alpha, beta, gamma) poll one API every second;
each session has one exec job per client. Each job appends
"<client> <start time> <FREEZER_SESSION_TAG>" to its own file, so the test
sees who ran, when, and in which run.
"""

import datetime
import os
import time

import psutil
import pytest

from freezer_scheduler.tests.daemon import harness as h

CLIENTS = ('alpha', 'beta', 'gamma')


@pytest.fixture(scope='module')
def cluster(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp('e2e'))
    api = h.ApiServer(folder).start()
    schedulers = {}
    try:
        for client in CLIENTS:
            schedulers[client] = h.Scheduler(folder, api, client).start()
        for scheduler in schedulers.values():
            scheduler.wait_registered()
        yield api, schedulers, folder
    finally:
        for scheduler in schedulers.values():
            scheduler.stop()
        api.stop()


def recorder(folder, name, client, extra=''):
    path = os.path.join(folder, '%s-%s.txt' % (name, client))
    command = ('echo "%s $(date +%%s.%%N) $FREEZER_SESSION_TAG" >> %s%s'
               % (client, path, extra))
    return path, command


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [line.split() for line in handle.read().splitlines()]


def make_session(api, name, hold_off, schedule=None):
    body = {'session_name': name, 'hold_off': hold_off,
            'description': 'e2e %s' % name}
    if schedule is not None:
        body['schedule'] = schedule
    return api.call('POST', '/sessions', body, expect=201)['session_id']


def add_member(api, client, command, name):
    answer = api.call('POST', '/jobs', h.exec_job(client, command, name),
                      expect=201)
    assert answer['session_id'], answer
    return answer['job_id']


def completed(api, session_id, tag):
    session = api.session_doc(session_id)
    if session['session_tag'] == tag and session['status'] == 'completed':
        return session
    return None


def test_three_clients_run_together_and_a_second_run_resets(cluster):
    api, _, folder = cluster
    start = datetime.datetime.now() + datetime.timedelta(seconds=4)
    schedule = {'schedule_interval': '12 seconds',
                'schedule_start_date': start.strftime('%Y-%m-%dT%H:%M:%S')}
    session_id = make_session(api, 'together', 8, schedule)
    paths = {}
    for client in CLIENTS:
        paths[client], command = recorder(folder, 'together', client)
        add_member(api, client, command, 'together')
    try:
        first = h.wait_for(lambda: completed(api, session_id, 1), 30,
                           what='run 1 completed')
        assert first['result'] == 'success', first
        starts = [float(lines(paths[c])[0][1]) for c in CLIENTS]
        assert max(starts) - min(starts) < 8  # inside the hold-off window
        assert all(lines(paths[c]) == [[c, lines(paths[c])[0][1], '1']]
                   for c in CLIENTS)
        second = h.wait_for(lambda: completed(api, session_id, 2), 30,
                            what='run 2 completed')
        assert second['result'] == 'success', second
        for client in CLIENTS:
            assert [entry[2] for entry in lines(paths[client])] == ['1', '2']
        # Every member was reset and joined run 2 after it opened.
        for member in second['jobs'].values():
            assert member['status'] == 'completed'
            assert member['time_started'] >= second['time_start']
            assert member['result'] == 'success'
    finally:
        api.call('DELETE', '/sessions/%s' % session_id, expect=204)


def test_one_failing_member_fails_the_session(cluster):
    api, _, folder = cluster
    session_id = make_session(api, 'onefails', 30)
    jobs = {}
    for client in CLIENTS:
        path, command = recorder(folder, 'onefails', client,
                                 '; exit 3' if client == 'beta' else '')
        jobs[client] = add_member(api, client, command, 'onefails')
    session = h.wait_for(lambda: completed(api, session_id, 1), 30,
                         what='the session run completed')
    assert session['result'] == 'fail'
    results = {session['jobs'][jobs[c]]['client_id']:
               session['jobs'][jobs[c]]['result'] for c in CLIENTS}
    assert results == {'alpha': 'success', 'beta': 'fail',
                       'gamma': 'success'}
    assert api.job(jobs['beta'])['job_schedule']['result'] == 'fail'


def test_member_of_a_stopped_scheduler_is_missed_then_out_of_sync(cluster):
    api, schedulers, folder = cluster
    late = h.Scheduler(folder, api, 'delta').start()
    try:
        late.wait_registered()
    finally:
        late.stop()
    session_id = make_session(api, 'missed', 3)
    jobs = {}
    paths = {}
    for client in ('alpha', 'beta', 'delta'):
        paths[client], command = recorder(folder, 'missed', client)
        jobs[client] = add_member(api, client, command, 'missed')
    session = h.wait_for(lambda: completed(api, session_id, 1), 30,
                         what='the run completed without delta')
    assert session['result'] == 'fail'
    assert session['jobs'][jobs['delta']]['status'] == ''  # missed
    assert session['jobs'][jobs['alpha']]['result'] == 'success'
    # delta comes back after the window: told out-of-sync, it must not run
    # on its own, and it takes the session's tag for the next run.
    late = h.Scheduler(folder, api, 'delta').start()
    try:
        h.wait_for(lambda: api.job(jobs['delta'])['session_tag'] == 1, 20,
                   what='delta adopted the session tag')
        h.wait_for(lambda: 'out-of-sync' in late.log_text(), 10,
                   what='delta logged why it did not run')
        time.sleep(1.5)
        assert lines(paths['delta']) == []
        session = api.session_doc(session_id)
        assert session['result'] == 'fail'
        assert session['jobs'][jobs['delta']]['status'] == ''
    finally:
        late.stop()


def test_abort_kills_the_process_group(cluster):
    api, _, folder = cluster
    pid_path = os.path.join(folder, 'abort.pid')
    command = 'sleep 300 & echo $! > %s; wait' % pid_path
    job_id = api.call('POST', '/jobs', h.exec_job('alpha', command),
                      expect=201)['job_id']
    h.wait_for(lambda: os.path.exists(pid_path)
               and open(pid_path).read().strip(), 20, what='the job runs')
    sleeper = int(open(pid_path).read())
    assert api.job(job_id)['job_schedule']['status'] == 'running'
    api.call('POST', '/jobs/%s/event' % job_id, {'abort': None}, expect=202)
    schedule = h.wait_for(
        lambda: (api.job(job_id)['job_schedule']
                 if api.job(job_id)['job_schedule'].get('result') else None),
        20, what='the abort recorded')
    assert schedule['result'] == 'aborted'
    assert schedule['status'] == 'completed'
    assert schedule.get('event', '') == ''
    h.wait_for(lambda: not _alive(sleeper), 5, what='sleep killed')


def _alive(pid):
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
