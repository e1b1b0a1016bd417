"""The real commands against a real freezer-api: the four cases and errors.

Every test runs ``freezer-scheduler`` (or ``openstack freezer``) as a
subprocess and then reads the API's state over HTTP.
"""

import json
import os

import pytest

from freezer_scheduler.tests import cli_api_server


@pytest.fixture(scope='module')
def server():
    api = cli_api_server.ApiServer().start()
    yield api
    api.cleanup()


@pytest.fixture
def project(server):
    return cli_api_server.Project(server)


@pytest.fixture
def client_id(project):
    return project.register_client()


class Files(object):
    """Writes job and session files into the test's directory."""

    def __init__(self, directory, client_id):
        self.directory = directory
        self.client_id = client_id

    def write(self, name, document):
        path = os.path.join(self.directory, name)
        with open(path, 'w') as stream:
            if isinstance(document, str):
                stream.write(document)
            else:
                json.dump(document, stream)
        return path

    def job(self, name, **fields):
        document = {'client_id': self.client_id,
                    'description': name,
                    'job_actions': [{'freezer_action': {
                        'action': 'backup', 'mode': 'fs',
                        'path_to_backup': '/srv/' + name}}]}
        document.update(fields)
        return self.write(name + '.json', document)

    def session(self, name, **fields):
        document = {'description': 'nightly', 'hold_off': 60,
                    'schedule': {'schedule_interval': '1 days'}}
        document.update(fields)
        return self.write(name + '.json', document)


@pytest.fixture
def files(tmp_path, client_id):
    return Files(str(tmp_path), client_id)


def unique(project, name):
    """Job ids are unique across projects: make them so."""
    return '%s-%s' % (project.id, name)


def assert_ok(done):
    assert done.returncode == 0, done.stderr
    assert 'Traceback' not in done.stderr
    return done


def json_out(done):
    return json.loads(assert_ok(done).stdout)


def assert_one_line_error(done, code, *fragments):
    assert done.returncode == code, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith('error: ')
    for fragment in fragments:
        assert fragment in lines[0]
    assert 'Traceback' not in done.stderr
    return lines[0]


def assert_nothing_sent(project):
    assert project.jobs() == []
    assert project.sessions() == []


def members(project, session_name):
    session = project.session_named(session_name)
    return session, sorted(session['jobs'])


# -- case 2 then case 3: pending jobs, then the session gathers them ----------

def test_case2_pending_then_case3_gathers(project, files):
    job_id = unique(project, 'db')
    upload = json_out(project.run(
        'job-upload', '--job-file',
        files.job('db', job_id=job_id, session_name='nightly'),
        '-f', 'json'))
    assert upload == [{'File': files.directory + '/db.json',
                       'Job ID': job_id, 'Result': 'created',
                       'Session Name': 'nightly', 'Membership': 'pending',
                       'Session ID': '',
                       'Detail': "pending: no session named 'nightly' yet"}]
    [job] = project.jobs()
    assert (job['session_name'], job['session_id']) == ('nightly', '')

    created = json_out(project.run(
        'session-create', '--session-file',
        files.session('s', session_name='nightly'), '-f', 'json'))
    session, member_ids = members(project, 'nightly')
    assert created == {'Session ID': session['session_id'],
                       'Session Name': 'nightly', 'Result': 'created',
                       'Attached Job IDs': [job_id]}
    assert member_ids == [job_id]
    assert project.get('/jobs/' + job_id)['session_id'] == \
        session['session_id']


def test_case2_session_exists_job_joins(project, files):
    json_out(project.run('session-create', '--session-file',
                         files.session('s', session_name='weekly'),
                         '-f', 'json'))
    done = assert_ok(project.run(
        'job-upload', '--job-file', files.job('a', session_name='weekly'),
        '-f', 'value', '-c', 'Job ID', '-c', 'Membership'))
    job_id, membership = done.stdout.split()
    assert membership == 'attached'
    session, member_ids = members(project, 'weekly')
    assert member_ids == [job_id]
    assert 'without a job_id' in done.stderr  # a re-run duplicates


# -- case 1: --create-session-if-not-exist ------------------------------------

def test_case1_session_file_without_name_takes_the_jobs_name(project, files):
    job_id = unique(project, 'db')
    rows = json_out(project.run(
        'job-upload', '--job-file',
        files.job('db', job_id=job_id, session_name='nightly-db'),
        '--create-session-if-not-exist', files.session('s'), '-f', 'json'))
    session, member_ids = members(project, 'nightly-db')
    assert member_ids == [job_id]
    assert session['description'] == 'nightly'
    assert session['hold_off'] == 60
    assert rows[0]['Membership'] == 'attached'
    assert rows[0]['Session ID'] == session['session_id']


def test_case1_job_files_without_name_take_the_sessions(project, files):
    first, second = unique(project, 'a'), unique(project, 'b')
    done = assert_ok(project.run(
        'job-upload', '--job-file', files.job('a', job_id=first),
        '--job-file', files.job('b', job_id=second, session_name='pair'),
        '--create-session-if-not-exist',
        files.session('s', session_name='pair')))
    session, member_ids = members(project, 'pair')
    assert member_ids == sorted([first, second])
    assert "session 'pair': created" in done.stderr
    assert '2 job files: 2 created, 0 replaced, 0 failed' in done.stderr


def test_case1_existing_session_is_left_exactly_as_is(project, files):
    json_out(project.run('session-create', '--session-file',
                         files.session('old', session_name='keep',
                                       description='the original',
                                       hold_off=10), '-f', 'json'))
    before = project.session_named('keep')
    job_id = unique(project, 'j')
    done = assert_ok(project.run(
        'job-upload', '--job-file', files.job('j', job_id=job_id),
        '--create-session-if-not-exist',
        files.session('new', session_name='keep', description='changed',
                      hold_off=99)))
    after = project.session_named('keep')
    assert "session 'keep': exists (%s), left as it is" % \
        before['session_id'] in done.stderr
    assert sorted(after['jobs']) == [job_id]
    after.pop('jobs')
    before.pop('jobs')
    assert after == before


def test_case1_pending_jobs_are_gathered(project, files):
    pending = unique(project, 'early')
    assert_ok(project.run('job-upload', '--job-file',
                          files.job('early', job_id=pending,
                                    session_name='late')))
    fresh = unique(project, 'now')
    done = assert_ok(project.run(
        'job-upload', '--job-file', files.job('now', job_id=fresh),
        '--create-session-if-not-exist',
        files.session('s', session_name='late')))
    assert 'gathering 1 pending job' in done.stderr
    assert members(project, 'late')[1] == sorted([pending, fresh])


def test_case1_names_differ_sends_nothing(project, files):
    done = project.run(
        'job-upload', '--job-file', files.job('a', session_name='one'),
        '--create-session-if-not-exist',
        files.session('s', session_name='two'))
    line = assert_one_line_error(done, 2, 'a.json: session_name:',
                                 "'one' differs from 'two'")
    assert 's.json' in line
    assert_nothing_sent(project)


def test_case1_job_files_name_different_sessions(project, files):
    done = project.run(
        'job-upload', '--job-file', files.job('a', session_name='one'),
        '--job-file', files.job('b', session_name='two'),
        '--create-session-if-not-exist', files.session('s'))
    assert_one_line_error(done, 2, 'b.json: session_name:')
    assert_nothing_sent(project)


def test_case1_neither_names_the_session(project, files):
    done = project.run('job-upload', '--job-file', files.job('a'),
                       '--create-session-if-not-exist', files.session('s'))
    assert_one_line_error(done, 2, 's.json: session_name: neither')
    assert_nothing_sent(project)


# -- cases 3 and 4: session-create [--update] ---------------------------------

def test_case3_taken_name_fails_and_changes_nothing(project, files):
    path = files.session('s', session_name='taken', description='first')
    first = json_out(project.run('session-create', '--session-file', path,
                                 '-f', 'json'))
    before = project.session_named('taken')
    path = files.session('s2', session_name='taken', description='second')
    done = project.run('session-create', '--session-file', path)
    assert_one_line_error(done, 1, 's2.json', "'taken' already exists",
                          first['Session ID'], '--update')
    assert project.session_named('taken') == before


def test_case4_update_changes_parameters_keeps_members(project, files):
    job_id = unique(project, 'm')
    assert_ok(project.run(
        'job-upload', '--job-file', files.job('m', job_id=job_id),
        '--create-session-if-not-exist',
        files.session('s', session_name='upd', description='first')))
    before = project.session_named('upd')
    updated = json_out(project.run(
        'session-create', '--session-file',
        files.session('s2', session_name='upd', description='second',
                      hold_off=5), '--update', '-f', 'json'))
    assert updated == {'Session ID': before['session_id'],
                       'Session Name': 'upd', 'Result': 'updated',
                       'Attached Job IDs': []}
    session = project.session_named('upd')
    assert (session['description'], session['hold_off']) == ('second', 5)
    assert sorted(session['jobs']) == [job_id]
    assert len(project.sessions()) == 1


def test_case4_free_name_creates_and_gathers_pending(project, files):
    job_id = unique(project, 'j')
    assert_ok(project.run('job-upload', '--job-file',
                          files.job('j', job_id=job_id, session_name='g')))
    created = json_out(project.run(
        'session-create', '--session-file',
        files.session('s', session_name='g'), '--update', '-f', 'json'))
    session = project.session_named('g')
    assert created == {'Session ID': session['session_id'],
                       'Session Name': 'g', 'Result': 'created',
                       'Attached Job IDs': [job_id]}
    # Deleting a named session leaves its members pending, keeping the
    # name; creating it again gathers them again.
    done = assert_ok(project.run('session-delete', '--session-name', 'g'))
    assert 'pending' in done.stdout
    assert project.get('/jobs/' + job_id)['session_id'] == ''
    again = json_out(project.run(
        'session-create', '--session-file',
        files.session('s', session_name='g'), '-f', 'json'))
    assert again['Attached Job IDs'] == [job_id]


# -- re-running, bad input, API failures --------------------------------------

def test_rerun_replaces_with_job_id_duplicates_without(project, files):
    with_id = files.job('a', job_id=unique(project, 'a'))
    without_id = files.job('b')
    for _ in range(2):
        done = assert_ok(project.run('job-upload', '--job-file', with_id,
                                     '--job-file', without_id, '-f', 'json'))
    rows = json.loads(done.stdout)
    assert [r['Result'] for r in rows] == ['replaced', 'created']
    assert 'a new job on every upload' in rows[1]['Detail']
    assert 'files without a job_id (uploading them again creates new ' \
        'jobs, duplicates): 1' in done.stderr
    descriptions = sorted(j['description'] for j in project.jobs())
    assert descriptions == ['a', 'b', 'b']


def test_invalid_json_sends_nothing(project, files):
    good = files.job('good', session_name='n')
    bad = files.write('bad.json', '{"client_id": ')
    done = project.run('job-upload', '--job-file', good, '--job-file', bad)
    assert_one_line_error(done, 2, 'bad.json: invalid JSON')
    assert_nothing_sent(project)


def test_schema_error_names_the_field_and_sends_nothing(project, files):
    good = files.job('good')
    bad = files.job('bad', job_schedule={'schedule_interval': '1 day'})
    done = project.run('job-upload', '--job-file', good, '--job-file', bad)
    assert_one_line_error(done, 2,
                          'bad.json: job_schedule.schedule_interval:')
    assert_nothing_sent(project)


def test_bad_session_file_sends_nothing(project, files):
    done = project.run(
        'job-upload', '--job-file', files.job('a', session_name='n'),
        '--create-session-if-not-exist',
        files.session('s', hold_off='long'))
    assert_one_line_error(done, 2, 's.json: hold_off:')
    done = project.run('session-create', '--session-file',
                       files.session('s2', session_name='bad\tname'))
    assert_one_line_error(done, 2, 's2.json: session_name: must not contain')
    assert_nothing_sent(project)


def test_api_failure_is_reported_per_file(project, files):
    good = unique(project, 'good')
    done = project.run(
        'job-upload', '--job-file', files.job('good', job_id=good),
        '--job-file', files.job('stranger', client_id=project.id + '_nohost'),
        '-f', 'json')
    assert done.returncode == 1
    assert 'Traceback' not in done.stderr
    rows = {r['File'].rsplit('/', 1)[1]: r for r in json.loads(done.stdout)}
    assert rows['good.json']['Result'] == 'created'
    assert rows['stranger.json']['Result'] == 'failed'
    assert 'HTTP 422' in rows['stranger.json']['Detail']
    assert 'failed: %s' % files.directory in done.stderr
    assert [j['job_id'] for j in project.jobs()] == [good]


def test_unreachable_api_is_one_line(project, files, server):
    env = dict(cli_api_server.cli_environment(), OS_AUTH_TYPE='none',
               OS_BACKUP_URL='http://127.0.0.1:9/v2/p1')
    done = project.run('job-list', auth=False, env=env)
    assert_one_line_error(done, 1, 'Unable to establish connection',
                          'connection refused')
    # Said once, not once per file.
    done = project.run('job-upload', '--job-file', files.job('a'),
                       '--job-file', files.job('b'), auth=False, env=env)
    assert_one_line_error(done, 1, 'connection refused')


def test_debug_shows_the_traceback(project):
    done = project.run('--debug', 'job-show', 'no-such-job')
    assert done.returncode == 1
    assert 'Traceback' in done.stderr
    assert 'error: HTTP 404: No job found with ID no-such-job' in done.stderr


# -- endpoint and project -----------------------------------------------------

def test_endpoint_and_project_id(project, server, files):
    job_id = unique(project, 'e')
    assert_ok(project.run('job-upload', '--job-file',
                          files.job('e', job_id=job_id)))
    done = project.run('--os-auth-type', 'none', '--os-endpoint',
                       server.url, '--os-project-id', project.id,
                       'job-list', '-f', 'value', '-c', 'Job ID', auth=False)
    assert assert_ok(done).stdout.split() == [job_id]
    env = dict(cli_api_server.cli_environment(), OS_AUTH_TYPE='none',
               OS_BACKUP_URL=server.url + '/v2', OS_PROJECT_ID=project.id)
    done = project.run('job-list', '-f', 'value', '-c', 'Job ID',
                       auth=False, env=env)
    assert assert_ok(done).stdout.split() == [job_id]


def test_unknown_project_is_one_line(project, server):
    done = project.run('--os-auth-type', 'none', '--os-backup-url',
                       server.url, 'job-list', auth=False)
    assert_one_line_error(done, 2, 'cannot tell the project')
    done = project.run('--os-auth-type', 'none', 'job-list', auth=False)
    assert_one_line_error(done, 2, 'no API endpoint')


# -- the companion commands ---------------------------------------------------

def test_companions(project, files):
    other_client = project.register_client('host2')
    a, b, c = (unique(project, n) for n in 'abc')
    assert_ok(project.run(
        'job-upload', '--job-file', files.job('a', job_id=a),
        '--job-file', files.job('b', job_id=b),
        '--create-session-if-not-exist', files.session('s', session_name='x')))
    assert_ok(project.run('job-upload', '--job-file',
                          files.job('c', job_id=c, client_id=other_client)))

    listed = json_out(project.run('job-list', '--session-name', 'x',
                                  '-f', 'json'))
    assert sorted(r['Job ID'] for r in listed) == [a, b]
    listed = json_out(project.run('job-list', '--client-id', other_client,
                                  '-f', 'json'))
    assert [r['Job ID'] for r in listed] == [c]
    shown = json_out(project.run('job-show', a, '-f', 'json'))
    assert shown['Session Name'] == 'x'
    assert shown['Actions'][0]['freezer_action']['path_to_backup'] == '/srv/a'

    sessions = json_out(project.run('session-list', '--session-name', 'x',
                                    '-f', 'json'))
    assert [(s['Session Name'], s['Jobs']) for s in sessions] == [('x', 2)]
    session_id = sessions[0]['Session ID']
    by_id = json_out(project.run('session-show', session_id, '-f', 'json'))
    by_name = json_out(project.run('session-show', '--session-name', 'x',
                                   '-f', 'json'))
    assert by_id == by_name
    assert sorted(by_id['Jobs']) == [a, b]

    done = assert_ok(project.run('session-add-job', '--session-id',
                                 session_id, '--job-id', c))
    assert 'job %s: added to session %s' % (c, session_id) in done.stdout
    assert project.get('/jobs/' + c)['session_name'] == 'x'
    assert_ok(project.run('session-remove-job', '--session-name', 'x',
                          '--job-id', a))
    assert project.get('/jobs/' + a)['session_name'] == ''
    assert members(project, 'x')[1] == sorted([b, c])

    done = project.run('session-remove-job', '--session-name', 'x',
                       '--job-id', a, '--job-id', b)
    assert done.returncode == 1
    assert 'job %s: not removed from' % a in done.stderr
    assert members(project, 'x')[1] == [c]

    done = assert_ok(project.run('session-delete', session_id))
    assert 'pending' in done.stdout
    assert project.sessions() == []
    assert project.get('/jobs/' + c)['session_name'] == 'x'

    done = assert_ok(project.run('job-delete', a, b))
    assert 'job %s: deleted' % a in done.stdout
    assert [j['job_id'] for j in project.jobs()] == [c]
    done = project.run('session-show', '--session-name', 'x')
    assert_one_line_error(done, 1, "no session named 'x'")


def test_yaml_and_value_formats(project, files):
    assert_ok(project.run('session-create', '--session-file',
                          files.session('s', session_name='fmt')))
    done = assert_ok(project.run('session-show', '--session-name', 'fmt',
                                 '-f', 'yaml', '-c', 'Session Name',
                                 '-c', 'Hold Off'))
    assert done.stdout == 'Session Name: fmt\nHold Off: 60\n'
    done = assert_ok(project.run('session-list', '-f', 'value',
                                 '-c', 'Session Name'))
    assert done.stdout == 'fmt\n'


# -- the same through the OpenStack client ------------------------------------

def test_openstack_case1_and_case4(project, files):
    job_id = unique(project, 'o')
    rows = json_out(project.openstack(
        'job-upload', '--job-file', files.job('o', job_id=job_id),
        '--create-session-if-not-exist', files.session('s',
                                                       session_name='osc'),
        '-f', 'json'))
    assert rows[0]['Membership'] == 'attached'
    assert members(project, 'osc')[1] == [job_id]
    done = project.openstack('session-create', '--session-file',
                             files.session('s', session_name='osc'))
    assert_one_line_error(done, 1, "'osc' already exists")
    updated = json_out(project.openstack(
        'session-create', '--session-file',
        files.session('s2', session_name='osc', hold_off=7), '--update',
        '-f', 'json'))
    assert updated['Result'] == 'updated'
    assert project.session_named('osc')['hold_off'] == 7


def test_openstack_bad_input_and_backup_plugin_side_by_side(project, files):
    done = project.openstack('job-upload', '--job-file',
                             files.write('bad.json', '[1'))
    assert_one_line_error(done, 2, 'bad.json: invalid JSON')
    assert_nothing_sent(project)
    job_id = unique(project, 'side')
    assert_ok(project.run('job-upload', '--job-file',
                          files.job('side', job_id=job_id)))
    # python-freezerclient's own plugin still loads and works beside ours.
    done = project.run('--os-endpoint', project.url, 'backup', 'job', 'list',
                       '-f', 'value', '-c', 'Job ID', program='openstack',
                       auth=False, env=dict(cli_api_server.cli_environment(),
                                            OS_AUTH_TYPE='none'))
    assert assert_ok(done).stdout.split() == [job_id]
