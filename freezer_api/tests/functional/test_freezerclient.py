"""python-freezerclient, unchanged, drives every resource of the real API.

The library talks to a ``freezer-api`` process through a keystoneauth
session with the ``noauth`` plugin, as an operator without Keystone would.
"""

from freezerclient.v2 import client as freezer_client
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
import pytest

from freezer_api.tests.functional import servers


@pytest.fixture(scope='module')
def freezer():
    database = servers.migrated_database('sqlite')
    server = servers.APIServer(database.url)
    session = ks_session.Session(auth=noauth.NoAuth(endpoint=server.url))
    try:
        yield freezer_client.Client(session=session, endpoint=server.url,
                                    project_id='p1')
    finally:
        server.stop()
        database.drop()


JOB = {'client_id': 'p1_db1', 'description': 'nightly dump',
       'job_schedule': {'schedule_interval': '1 days'},
       'job_actions': [{'freezer_action': {'action': 'exec',
                                           'command': 'true'},
                        'max_retries': 2}]}


def test_clients(freezer):
    assert freezer.clients.create({'client_id': 'p1_db1',
                                   'hostname': 'db1'}) == 'p1_db1'
    document = freezer.clients.get('p1_db1')
    assert document['client']['hostname'] == 'db1'
    listed = freezer.clients.list(limit=100)
    assert 'p1_db1' in [c['client']['client_id'] for c in listed]
    freezer.clients.create({'client_id': 'p1_gone', 'hostname': 'gone'})
    freezer.clients.delete('p1_gone')
    assert freezer.clients.get('p1_gone') is None


def test_jobs(freezer):
    freezer.clients.create({'client_id': 'p1_db1', 'hostname': 'db1'})
    job_id = freezer.jobs.create(dict(JOB))
    job = freezer.jobs.get(job_id)
    assert job['description'] == 'nightly dump'
    assert job['job_actions'][0]['max_retries'] == 2
    assert job_id in [j['job_id'] for j in
                      freezer.jobs.list(limit=100, client_id='p1_db1')]
    assert job_id in [j['job_id'] for j in freezer.jobs.list_all(
        search={'match': [{'description': 'nightly dump'}]})]
    freezer.jobs.update(job_id, {'description': 'renamed',
                                 'job_schedule': {'status': 'scheduled'}})
    job = freezer.jobs.get(job_id)
    assert job['description'] == 'renamed'
    assert job['job_schedule']['schedule_interval'] == '1 days'
    assert job['job_schedule']['status'] == 'scheduled'
    assert freezer.jobs.start_job(job_id)['result'] == 'success'
    assert freezer.jobs.start_job(job_id)['result'] == \
        'start already requested'
    assert freezer.jobs.stop_job(job_id)['result'] == 'success'
    assert freezer.jobs.abort_job(job_id)['result'] == 'success'
    # create() with a job_id in the document replaces at that id
    assert freezer.jobs.create(dict(JOB, job_id='fixed-id')) == 'fixed-id'
    assert freezer.jobs.create(dict(JOB, job_id='fixed-id',
                                    description='again')) == 'fixed-id'
    assert freezer.jobs.get('fixed-id')['description'] == 'again'
    freezer.jobs.delete(job_id)
    assert freezer.jobs.get(job_id) is None


def test_sessions_and_runs(freezer):
    freezer.clients.create({'client_id': 'p1_db1', 'hostname': 'db1'})
    job_id = freezer.jobs.create(dict(JOB))
    session_id = freezer.sessions.create({
        'description': 'db and files', 'hold_off': 60,
        'schedule': {'schedule_interval': '2 days'}})
    freezer.sessions.update(session_id, {'description': 'both'})
    assert freezer.sessions.get(session_id)['description'] == 'both'
    assert session_id in [s['session_id'] for s in
                          freezer.sessions.list(limit=100)]
    freezer.sessions.add_job(session_id, job_id)
    session = freezer.sessions.get(session_id)
    assert job_id in session['jobs']
    assert freezer.jobs.get(job_id)['job_schedule']['schedule_interval'] \
        == '2 days'
    started = freezer.sessions.start_session(session_id, job_id, 0)
    assert started == {'result': 'success', 'session_tag': 1}
    ended = freezer.sessions.end_session(session_id, job_id, 1, 'success')
    assert ended['result'] == 'success'
    session = freezer.sessions.get(session_id)
    assert session['status'] == 'completed'
    assert session['result'] == 'success'
    freezer.sessions.remove_job(session_id, job_id)
    assert freezer.sessions.get(session_id)['jobs'] == {}
    freezer.sessions.delete(session_id)
    assert freezer.sessions.get(session_id) is None


def test_actions(freezer):
    action_id = freezer.actions.create({
        'freezer_action': {'action': 'backup', 'mode': 'fs',
                           'path_to_backup': '/etc', 'backup_name': 'etc',
                           'container': 'c1', 'storage': 'local'},
        'max_retries': 3})
    action = freezer.actions.get(action_id)
    assert action['freezer_action']['path_to_backup'] == '/etc'
    freezer.actions.update(action_id, {'max_retries_interval': 9})
    action = freezer.actions.get(action_id)
    assert action['max_retries'] == 3 and action['max_retries_interval'] == 9
    assert action_id in [a['action_id'] for a in
                         freezer.actions.list(limit=100)]
    freezer.actions.delete(action_id)
    assert freezer.actions.get(action_id) is None


def test_backups(freezer):
    backup_id = freezer.backups.create({
        'container': 'c1', 'hostname': 'db1', 'backup_name': 'etc',
        'time_stamp': 1700000000, 'level': 0})
    backup = freezer.backups.get(backup_id)
    assert backup['backup_metadata']['time_stamp'] == 1700000000
    assert backup['status'] == 'available'
    assert backup_id in [b['backup_id'] for b in
                         freezer.backups.list(limit=100)]
    freezer.backups.delete(backup_id)
    assert freezer.backups.get(backup_id) is None
