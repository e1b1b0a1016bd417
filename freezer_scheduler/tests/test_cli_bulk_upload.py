"""A thousand job files in one ``job-upload``, twice: one session, no dups."""

import json
import os

import pytest

from freezer_scheduler.tests import cli_api_server

COUNT = 1000


@pytest.fixture(scope='module')
def server():
    api = cli_api_server.ApiServer().start()
    yield api
    api.cleanup()


def write_files(directory, project, client_id):
    jobs = os.path.join(directory, 'jobs')
    os.mkdir(jobs)
    for number in range(COUNT):
        with open(os.path.join(jobs, 'job-%04d.json' % number), 'w') as out:
            json.dump({'job_id': '%s-bulk-%04d' % (project.id, number),
                       'client_id': client_id,
                       'session_name': 'fleet',
                       'description': 'host %d' % number,
                       'job_actions': [{'freezer_action': {
                           'action': 'backup', 'mode': 'fs',
                           'path_to_backup': '/srv/%d' % number}}]}, out)
    session = os.path.join(directory, 'session.json')
    with open(session, 'w') as out:
        json.dump({'description': 'the whole fleet', 'hold_off': 120,
                   'schedule': {'schedule_interval': '1 days'}}, out)
    return jobs, session


def comparable(job):
    """A job document, as text, without the ids a replace gives its
    actions anew (the API stores the actions of a replaced job again)."""
    job = dict(job)
    job['job_actions'] = [dict(a, action_id=None)
                          for a in job['job_actions']]
    return json.dumps(job, sort_keys=True)


def test_thousand_jobs_into_one_session_twice(server, tmp_path):
    project = cli_api_server.Project(server)
    client_id = project.register_client()
    jobs_dir, session_file = write_files(str(tmp_path), project, client_id)
    upload = ('job-upload', '--job-dir', jobs_dir,
              '--create-session-if-not-exist', session_file,
              '-f', 'value', '-c', 'Result', '-c', 'Membership')

    done = project.run(*upload)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ['created attached'] * COUNT
    assert '%d job files: %d created, 0 replaced, 0 failed' % (
        COUNT, COUNT) in done.stderr
    session = project.session_named('fleet')
    job_ids = {'%s-bulk-%04d' % (project.id, n) for n in range(COUNT)}
    assert set(session['jobs']) == job_ids
    jobs = project.jobs()
    assert {j['job_id'] for j in jobs} == job_ids
    assert {j['session_id'] for j in jobs} == {session['session_id']}

    again = project.run(*upload)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.splitlines() == ['replaced attached'] * COUNT
    assert "session 'fleet': exists" in again.stderr
    assert project.sessions() == [session]
    after = project.jobs()
    assert sorted(comparable(j) for j in after) == \
        sorted(comparable(j) for j in jobs)
