"""Reading and validating job and session files: the one-line messages."""

import json
import os

import pytest

from freezer_scheduler import files

ACTIONS = [{'freezer_action': {'action': 'backup', 'mode': 'fs'}}]


def write(tmp_path, name, content):
    path = os.path.join(str(tmp_path), name)
    with open(path, 'w') as stream:
        if isinstance(content, str):
            stream.write(content)
        else:
            json.dump(content, stream)
    return path


def job(**extra):
    document = {'client_id': 'p1_host1', 'job_actions': ACTIONS}
    document.update(extra)
    return document


def message(error_info):
    return str(error_info.value)


def test_valid_job_file(tmp_path):
    path = write(tmp_path, 'a.json', job(job_id='j1', session_name='n'))
    loaded = files.load_job_file(path)
    assert loaded.job_id == 'j1'
    assert loaded.session_name == 'n'


def test_invalid_json_names_file_and_position(tmp_path):
    path = write(tmp_path, 'bad.json', '{"client_id": "x",\n  oops}')
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error).startswith(path + ': invalid JSON: ')
    assert 'line 2' in message(error)
    assert '\n' not in message(error)


def test_not_an_object(tmp_path):
    path = write(tmp_path, 'list.json', [1, 2])
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error) == path + ': must hold a JSON object, not list'


def test_unreadable_file(tmp_path):
    path = os.path.join(str(tmp_path), 'missing.json')
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error) == path + ': cannot read: No such file or directory'


def test_not_utf8(tmp_path):
    path = os.path.join(str(tmp_path), 'latin.json')
    with open(path, 'wb') as stream:
        stream.write(b'{"description": "caf\xe9"}')
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error) == path + ': is not UTF-8 text'


def test_schema_error_names_the_nested_field(tmp_path):
    path = write(tmp_path, 'a.json', job(job_actions=[
        {'freezer_action': {'action': 'bogus'}}]))
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert error.value.field == 'job_actions.0.freezer_action.action'
    assert message(error).startswith(
        path + ': job_actions.0.freezer_action.action: ')
    assert "'bogus'" in message(error)


def test_schedule_pattern_error(tmp_path):
    path = write(tmp_path, 'a.json', job(job_schedule={
        'schedule_interval': '1 day'}))
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert error.value.field == 'job_schedule.schedule_interval'


def test_missing_client_id_suggests_the_flag(tmp_path):
    path = write(tmp_path, 'a.json', {'job_actions': ACTIONS})
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error) == (path + ': client_id: is required: set it in '
                              'the file or pass --client-id')


def test_client_id_flag_fills_and_replaces(tmp_path):
    path = write(tmp_path, 'a.json', {'job_actions': ACTIONS})
    assert files.load_job_file(path, 'p1_h2').document['client_id'] == \
        'p1_h2'
    path = write(tmp_path, 'b.json', job())
    assert files.load_job_file(path, 'p1_h3').document['client_id'] == \
        'p1_h3'


def test_missing_nested_required_field(tmp_path):
    path = write(tmp_path, 'a.json', job(job_actions=[{'mandatory': True}]))
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error) == (path + ': job_actions.0.freezer_action: is '
                              'required')


def test_unknown_job_field(tmp_path):
    path = write(tmp_path, 'a.json', job(sesion_name='typo'))
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error) == path + ': sesion_name: is not a known field'


@pytest.mark.parametrize('name, why', [
    (' nightly', 'must not start or end with white space'),
    ('night\nly', 'must not contain control characters'),
    # The schema's length check speaks first; long values are shortened.
    ('n' * 256, "'%s...' is too long" % ('n' * 40)),
])
def test_session_name_rule(tmp_path, name, why):
    path = write(tmp_path, 'a.json', job(session_name=name))
    with pytest.raises(files.InputError) as error:
        files.load_job_file(path)
    assert message(error) == '%s: session_name: %s' % (path, why)
    path = write(tmp_path, 's.json', {'session_name': name})
    with pytest.raises(files.InputError) as error:
        files.load_session_file(path)
    assert message(error) == '%s: session_name: %s' % (path, why)


def test_session_file_schema_error(tmp_path):
    path = write(tmp_path, 's.json', {'session_name': 'n', 'hold_off': -1})
    with pytest.raises(files.InputError) as error:
        files.load_session_file(path)
    assert error.value.field == 'hold_off'
    assert message(error).startswith(path + ': hold_off: ')


def test_empty_name_means_unset(tmp_path):
    path = write(tmp_path, 's.json', {'session_name': ''})
    assert files.load_session_file(path).session_name is None


def test_duplicate_job_id_names_both_files(tmp_path):
    first = write(tmp_path, 'a.json', job(job_id='same'))
    second = write(tmp_path, 'b.json', job(job_id='same'))
    with pytest.raises(files.InputError) as error:
        files.load_job_files([first, second])
    assert message(error) == "%s: job_id: 'same' is also the job_id of %s" \
        % (second, first)


def test_job_paths_from_directory(tmp_path):
    directory = tmp_path / 'jobs'
    directory.mkdir()
    for name in ('b.json', 'a.JSON', 'c.conf', 'notes.txt'):
        (directory / name).write_text('{}')
    (directory / 'sub.json').mkdir()
    single = write(tmp_path, 'x.json', {})
    paths = files.job_paths([single], [str(directory)])
    assert paths == [single] + [str(directory / n)
                                for n in ('a.JSON', 'b.json', 'c.conf')]
    assert files.job_paths([single, single], []) == [single]


def test_job_paths_errors(tmp_path):
    with pytest.raises(files.InputError) as error:
        files.job_paths([], [])
    assert message(error) == 'no job files: give --job-file or --job-dir'
    with pytest.raises(files.InputError) as error:
        files.job_paths([], [str(tmp_path / 'nope')])
    assert message(error).endswith('nope: is not a directory')
    (tmp_path / 'empty').mkdir()
    with pytest.raises(files.InputError) as error:
        files.job_paths([], [str(tmp_path / 'empty')])
    assert message(error).endswith('empty: holds no *.json or *.conf files')


def _files(tmp_path, session_name, *job_names):
    session = files.SessionFile(
        str(tmp_path / 's.json'),
        {'session_name': session_name} if session_name else {})
    jobs = [files.JobFile(str(tmp_path / ('j%d.json' % i)),
                          job(session_name=n) if n else job())
            for i, n in enumerate(job_names)]
    return session, jobs


def test_unify_session_file_names_it(tmp_path):
    session, jobs = _files(tmp_path, 'n', None, 'n')
    assert files.unify_session_name(session, jobs) == 'n'
    assert [j.session_name for j in jobs] == ['n', 'n']


def test_unify_job_file_names_it(tmp_path):
    session, jobs = _files(tmp_path, None, 'n', None)
    assert files.unify_session_name(session, jobs) == 'n'
    assert session.document['session_name'] == 'n'
    assert jobs[1].session_name == 'n'


def test_unify_names_differ(tmp_path):
    session, jobs = _files(tmp_path, 'n', 'm')
    with pytest.raises(files.InputError) as error:
        files.unify_session_name(session, jobs)
    assert message(error) == ("%s: session_name: 'm' differs from 'n' in %s; "
                              "nothing was sent" % (jobs[0].path,
                                                    session.path))


def test_unify_job_files_differ(tmp_path):
    session, jobs = _files(tmp_path, None, 'a', None, 'b')
    with pytest.raises(files.InputError) as error:
        files.unify_session_name(session, jobs)
    assert error.value.path == jobs[2].path
    assert "'b' differs from 'a' in %s" % jobs[0].path in message(error)


def test_unify_neither_names_it(tmp_path):
    session, jobs = _files(tmp_path, None, None)
    with pytest.raises(files.InputError) as error:
        files.unify_session_name(session, jobs)
    assert message(error).startswith(session.path + ': session_name: '
                                     'neither the session file nor')
