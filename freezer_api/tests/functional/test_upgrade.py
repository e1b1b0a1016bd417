"""In-place upgrade of databases that upstream freezer-api 19.0.0 wrote.

The fixtures (``<repo>/../shared/fixtures/upstream-19.0.0``) hold a SQLite
database and a MariaDB dump written by the released upstream service, and
what upstream's API returned for every collection right after. Each test
database here is a scratch copy, upgraded the way an operator does it: by
running ``freezer-manage db sync`` as a separate process. The API is then
served in-process from the upgraded database and must return every live
row with every field upstream defined unchanged.

Where ``../shared`` is absent (a clone on a user's machine) the module
skips; an unreachable MariaDB skips unless FREEZER_TEST_REQUIRE_BACKENDS.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import pymysql
import pytest
import sqlalchemy as sa
import webob

from freezer_api.api import app as app_module
from freezer_api.db import storage
from freezer_api.db.sqlalchemy import migration
from freezer_api.tests import backends
from freezer_api.tests.functional import apifixture

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                         os.pardir, os.pardir, os.pardir))
FIXTURES = os.path.normpath(os.path.join(
    REPO_ROOT, os.pardir, 'shared', 'fixtures', 'upstream-19.0.0'))
UPSTREAM_REVISION = '7a3b9c1d2e4f'
PROJECTS = ('projecta', 'projectb')
VIEW_FILE = {'sqlite': 'api-view-sqlite.json',
             'mysql': 'api-view-mariadb.json'}

if not os.path.isdir(FIXTURES):
    pytest.skip('upstream 19.0.0 fixtures not found at %s (they live in '
                'shared/ beside the repository clone, as on CI)' % FIXTURES,
                allow_module_level=True)


# -- running freezer-manage --------------------------------------------------

def _manage_command():
    # The installed console script, as an operator runs it; the module
    # when the environment has no scripts directory.
    script = os.path.join(os.path.dirname(sys.executable), 'freezer-manage')
    if os.access(script, os.X_OK):
        return [script]
    return [sys.executable, '-m', 'freezer_api.cmd.manage']


def manage(config_file, *args):
    return subprocess.run(
        _manage_command() + ['--config-file', config_file] + list(args),
        capture_output=True, text=True, timeout=120)


# oslo.log's format; freezer-manage logs to stdout unless told otherwise.
LOG_LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \d+ [A-Z]+ ')


def printed(text):
    """The lines of ``text`` that are not log records."""
    return [line for line in text.splitlines()
            if line.strip() and not LOG_LINE.match(line)]


def _tail(result):
    return 'exit %d\nstdout: %s\nstderr: %s' % (
        result.returncode, result.stdout[-2000:], result.stderr[-4000:])


# -- loading the fixtures ----------------------------------------------------

def split_dump(text):
    """The statements of a mariadb-dump file, in order.

    Quoted strings (with backslash escapes) are kept whole, so a ``;`` or
    ``--`` inside a value never splits a statement. ``--`` and plain
    ``/* */`` comments are dropped; ``/*! */`` ones are kept because the
    server executes them (SET NAMES, FOREIGN_KEY_CHECKS=0 ...). MariaDB's
    ``/*M!999999\\- enable the sandbox mode */`` is an instruction to the
    mariadb client, not to the server, and is dropped like a comment.
    """
    statements, current = [], []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in '\'"`':
            j = i + 1
            while j < n:
                if text[j] == '\\' and char != '`':
                    j += 2
                elif text[j] == char and text[j + 1:j + 2] == char:
                    j += 2
                elif text[j] == char:
                    break
                else:
                    j += 1
            current.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('--', i) and text[i + 2:i + 3] in ('', ' ',
                                                                '\t', '\n',
                                                                '\r'):
            end = text.find('\n', i)
            i = n if end < 0 else end + 1
        elif text.startswith('/*', i):
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            if text.startswith('/*!', i):
                current.append(text[i:end])
            i = end
        elif char == ';':
            statement = ''.join(current).strip()
            if statement:
                statements.append(statement)
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    statement = ''.join(current).strip()
    if statement:
        statements.append(statement)
    return statements


def _load_mariadb_dump(url, path):
    target = sa.engine.make_url(url)
    connection = pymysql.connect(
        host=target.host, port=target.port or 3306, user=target.username,
        password=target.password or '', database=target.database,
        charset='utf8mb4', autocommit=True)
    try:
        with open(path, encoding='utf-8') as dump, connection.cursor() as cur:
            for statement in split_dump(dump.read()):
                cur.execute(statement)
    finally:
        connection.close()


def _soft_deleted_jobs(url):
    """{(project_id, job_id)} of the jobs upstream marked deleted."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(connection.execute(sa.text(
                'SELECT project_id, id FROM jobs WHERE deleted = 1')).all())
    finally:
        engine.dispose()


class UpgradedDatabase(object):
    """A scratch copy of the upstream database of ``backend``, after one
    ``freezer-manage db sync``."""

    def __init__(self, backend):
        self.backend = backend
        self.database = backends.Database(backend)
        self.url = self.database.url
        self._workdir = tempfile.TemporaryDirectory()
        try:
            if backend == 'sqlite':
                # copyfile, not copy: the fixture itself is read-only.
                shutil.copyfile(os.path.join(FIXTURES, 'freezer.sqlite'),
                                self.url.split(':///', 1)[1])
            else:
                _load_mariadb_dump(self.url,
                                   os.path.join(FIXTURES,
                                                'freezer-mariadb.sql'))
            self.soft_deleted = _soft_deleted_jobs(self.url)
            self.config_file = os.path.join(self._workdir.name,
                                            'freezer-api.conf')
            with open(self.config_file, 'w') as config:
                config.write('[database]\nconnection = %s\n' % self.url)
            self.sync = manage(self.config_file, 'db', 'sync')
        except Exception:
            self.close()
            raise

    def require_synced(self):
        if self.sync.returncode != 0:
            pytest.fail('freezer-manage db sync of the upstream %s database '
                        'failed:\n%s' % (self.backend, _tail(self.sync)))

    def engine(self):
        return sa.create_engine(self.url)

    def close(self):
        storage.reset()
        self.database.drop()
        self._workdir.cleanup()


@pytest.fixture(scope='module', params=['sqlite', 'mysql'])
def upgraded(request):
    """One upgraded database per backend, shared by the tests that leave
    upstream's projects as they are."""
    backends.require(request.param)
    database = UpgradedDatabase(request.param)
    yield database
    database.close()


@pytest.fixture(params=['sqlite', 'mysql'])
def upgraded_scratch(request):
    """An upgraded database of its own, for a test that writes to it."""
    backends.require(request.param)
    database = UpgradedDatabase(request.param)
    yield database
    database.close()


# -- the API, in-process ------------------------------------------------------

class Client(object):
    """The API served from ``url`` in noauth mode."""

    def __init__(self, url):
        apifixture.configure(url)
        self.app = app_module.build_app(apifixture.CONF)

    def call(self, method, path, body=None):
        request = webob.Request.blank(path, method=method)
        if body is not None:
            request.body = json.dumps(body).encode()
        request.content_type = 'application/json'
        response = request.get_response(self.app)
        return response.status_int, (json.loads(response.body)
                                     if response.body else None)

    def get(self, path):
        status, body = self.call('GET', path)
        assert status == 200, (path, status, body)
        return body


def _api(database):
    database.require_synced()
    return Client(database.url)


# -- comparing with upstream's view -------------------------------------------

def _key_of(collection):
    if collection == 'clients':
        return lambda document: document['client']['client_id']
    return lambda document: document[collection[:-1] + '_id']


# Values that are data rather than documents: ours must hold exactly the
# keys upstream returned (an extra key in a freezer_action or a schedule
# would change what the agent does).
EXACT_MAPS = ('job_schedule', 'schedule', 'jobs', 'freezer_action',
              'backup_metadata')

# Derived, for a reader, from the run protocol (design: "Running a
# session"); compared against that rule instead (see _expected_run_state).
RUN_STATE = ('status', 'result', 'time_end')


def _differences(upstream, ours, path, exact=False):
    """Where ``ours`` disagrees with ``upstream`` on what upstream defined.

    Dicts: every key upstream returned must be there with an equal value;
    extra keys are our additions (session_name, mandatory ...) and allowed,
    except inside EXACT_MAPS. Lists are compared in order (job_actions'
    order is the order the agent runs them in)."""
    found = []
    if isinstance(upstream, dict) and isinstance(ours, dict):
        for key, value in upstream.items():
            if key not in ours:
                found.append('%s/%s: missing' % (path, key))
            else:
                found += _differences(value, ours[key], '%s/%s' % (path, key),
                                      key in EXACT_MAPS)
        if exact:
            found += ['%s/%s: not in upstream\'s document' % (path, key)
                      for key in ours if key not in upstream]
    elif isinstance(upstream, list) and isinstance(ours, list):
        if len(upstream) != len(ours):
            found.append('%s: %d items, upstream had %d'
                         % (path, len(ours), len(upstream)))
        for index, (theirs, mine) in enumerate(zip(upstream, ours)):
            found += _differences(theirs, mine, '%s[%d]' % (path, index))
    elif upstream != ours or type(upstream) is not type(ours):
        found.append('%s: %r, upstream had %r' % (path, ours, upstream))
    return found


def _expected_run_state(session, now):
    """(status, result, time_end) a reader must see for an upgraded session.

    Every fixture session is in the middle of its first run: one member
    ended with success, the other never joined. Until the hold-off window
    closes that run is still running, exactly as upstream stored it; after,
    it has completed and failed (a member missed it), ending when the last
    member that joined ended."""
    members = list(session['jobs'].values())
    ended = [m for m in members if m['status'] == 'completed']
    assert session['status'] == 'running' and len(ended) == 1, (
        'the fixture is not the run this test expects: %r' % session)
    assert [m['status'] for m in members if m not in ended] == ['']
    if now <= session['time_start'] + session['hold_off']:
        return session['status'], session['result'], session['time_end']
    return 'completed', 'fail', ended[0]['time_ended']


def _upstream_view(backend):
    with open(os.path.join(FIXTURES, VIEW_FILE[backend])) as view:
        return json.load(view)


@pytest.mark.parametrize('project', PROJECTS)
@pytest.mark.parametrize('collection', ['jobs', 'sessions', 'actions',
                                        'clients', 'backups'])
def test_every_upstream_document_is_served_unchanged(upgraded, project,
                                                     collection):
    api = _api(upgraded)
    upstream = _upstream_view(upgraded.backend)[project][collection]
    ours = api.get('/v2/%s/%s?limit=100' % (project, collection))[collection]
    now = time.time()
    key = _key_of(collection)
    assert sorted(map(key, ours)) == sorted(map(key, upstream))

    ours_by_key = {key(document): document for document in ours}
    problems = []
    for theirs in sorted(upstream, key=key):
        mine = ours_by_key[key(theirs)]
        if collection == 'sessions':
            expected = dict(zip(RUN_STATE, _expected_run_state(theirs, now)))
            theirs = dict(theirs, **expected)
        problems += _differences(theirs, mine, key(theirs))
    assert not problems, '\n'.join(problems)


def test_sync_reports_the_new_head(upgraded):
    upgraded.require_synced()
    assert migration.head() != UPSTREAM_REVISION
    assert 'Database at revision %s' % migration.head() in upgraded.sync.stdout
    result = manage(upgraded.config_file, 'db', 'version')
    assert result.returncode == 0, _tail(result)
    assert printed(result.stdout) == [migration.head()]


def test_soft_deleted_jobs_are_gone(upgraded):
    api = _api(upgraded)
    assert {p for p, _ in upgraded.soft_deleted} == set(PROJECTS), (
        'the fixture should hold one soft-deleted job per project')
    for project, job_id in upgraded.soft_deleted:
        status, body = api.call('GET', '/v2/%s/jobs/%s' % (project, job_id))
        assert status == 404, body
        listed = api.get('/v2/%s/jobs?limit=100' % project)['jobs']
        assert job_id not in [job['job_id'] for job in listed]
    # Purged, not hidden: the id is free again and no row is left behind.
    engine = upgraded.engine()
    try:
        with engine.connect() as connection:
            left = connection.execute(
                sa.text('SELECT id FROM jobs WHERE id IN :ids').bindparams(
                    sa.bindparam('ids', expanding=True)),
                {'ids': [job_id for _, job_id in upgraded.soft_deleted]})
            assert left.all() == []
    finally:
        engine.dispose()


def test_stored_run_state_is_left_as_upstream_wrote_it(upgraded):
    """The migration copies a session's run columns; only a reader derives
    'completed' from them (the view test checks what readers see)."""
    upgraded.require_synced()
    view = _upstream_view(upgraded.backend)
    sessions = [s for p in PROJECTS for s in view[p]['sessions']]
    engine = upgraded.engine()
    try:
        with engine.connect() as connection:
            for session in sessions:
                row = connection.execute(sa.text(
                    'SELECT status, result, time_start, time_end, '
                    'session_tag FROM sessions WHERE id = :id'),
                    {'id': session['session_id']}).one()
                assert tuple(row) == (
                    session['status'], session['result'],
                    session['time_start'], session['time_end'],
                    session['session_tag'])
    finally:
        engine.dispose()


def test_sessions_check_passes(upgraded):
    upgraded.require_synced()
    result = manage(upgraded.config_file, 'sessions', 'check')
    assert result.returncode == 0, _tail(result)
    assert 'invariant holds' in result.stdout


def _snapshot(url):
    """Every row of every table, as text, in a stable order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = {}
            for table in sorted(sa.inspect(connection).get_table_names()):
                result = connection.execute(sa.text('SELECT * FROM %s'
                                                    % table))
                rows[table] = sorted(tuple(str(v) for v in row)
                                     for row in result)
            return rows
    finally:
        engine.dispose()


def test_second_sync_is_a_no_op(upgraded):
    upgraded.require_synced()
    before = _snapshot(upgraded.url)
    again = manage(upgraded.config_file, 'db', 'sync')
    assert again.returncode == 0, _tail(again)
    assert 'Running upgrade' not in again.stderr + again.stdout
    assert 'Database at revision %s' % migration.head() in again.stdout
    assert _snapshot(upgraded.url) == before


def test_mariadb_tables_are_utf8mb4_with_exact_names(upgraded):
    if upgraded.backend != 'mysql':
        pytest.skip('character sets are a MariaDB matter')
    upgraded.require_synced()
    engine = upgraded.engine()
    try:
        with engine.connect() as connection:
            tables = connection.execute(sa.text(
                'SELECT TABLE_NAME, TABLE_COLLATION FROM '
                'information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'
            )).all()
            columns = connection.execute(sa.text(
                'SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME, '
                'COLLATION_NAME FROM information_schema.COLUMNS WHERE '
                'TABLE_SCHEMA = DATABASE() AND CHARACTER_SET_NAME IS NOT NULL'
            )).all()
    finally:
        engine.dispose()
    assert len(tables) >= 9
    assert [t for t in tables if not t[1].startswith('utf8mb4_')] == []
    assert [c for c in columns if c[2] != 'utf8mb4'] == []
    names = {(c[0], c[1]): c[3] for c in columns if c[1] == 'session_name'}
    assert names == {('jobs', 'session_name'): 'utf8mb4_bin',
                     ('sessions', 'session_name'): 'utf8mb4_bin',
                     ('session_name_locks', 'session_name'): 'utf8mb4_bin'}


def test_sqlite_file_is_consistent(upgraded):
    if upgraded.backend != 'sqlite':
        pytest.skip('SQLite pragmas')
    upgraded.require_synced()
    connection = sqlite3.connect(upgraded.url.split(':///', 1)[1])
    try:
        assert connection.execute('PRAGMA integrity_check').fetchall() == [
            ('ok',)]
        assert connection.execute('PRAGMA foreign_key_check').fetchall() == []
    finally:
        connection.close()


def test_names_compare_exactly_after_upgrade(upgraded_scratch):
    """Naming an upgraded session 'Nightly' leaves 'nightly' free: names
    that differ by case only are different names, and MariaDB's default
    collation must not fold them."""
    api = _api(upgraded_scratch)
    session_id = _upstream_view(upgraded_scratch.backend)[
        'projecta']['sessions'][0]['session_id']

    status, body = api.call('PATCH', '/v2/projecta/sessions/%s' % session_id,
                            {'session_name': 'Nightly'})
    assert status == 200, body
    status, body = api.call('POST', '/v2/projecta/sessions',
                            {'session_name': 'nightly'})
    assert status == 201, body
    lower_id = body['session_id']
    assert lower_id != session_id
    status, body = api.call('POST', '/v2/projecta/sessions',
                            {'session_name': 'Nightly'})
    assert status == 409, body
    assert body['session_id'] == session_id

    for name, expected in (('Nightly', session_id), ('nightly', lower_id)):
        found = api.get('/v2/projecta/sessions?session_name=%s' % name)
        assert [s['session_id'] for s in found['sessions']] == [expected]
    upper = api.get('/v2/projecta/sessions/%s' % session_id)
    assert len(upper['jobs']) == 2
    members = api.get('/v2/projecta/jobs?session_name=Nightly')['jobs']
    assert sorted(j['job_id'] for j in members) == sorted(upper['jobs'])
    assert api.get('/v2/projecta/jobs?session_name=nightly')['jobs'] == []

    result = manage(upgraded_scratch.config_file, 'sessions', 'check')
    assert result.returncode == 0, _tail(result)


def test_four_byte_characters_are_stored(upgraded):
    """What the utf8mb4 conversion is for: text outside the BMP."""
    api = _api(upgraded)
    text = 'moon \U0001F319 \u00e9t\u00e9'
    status, body = api.call('POST', '/v2/projectc/sessions',
                            {'description': text})
    assert status == 201, body
    stored = api.get('/v2/projectc/sessions/%s' % body['session_id'])
    assert stored['description'] == text


# -- the base revision has upstream's shape -----------------------------------

def _shape(engine):
    """Tables, columns, indexes, keys and constraints, as comparable data."""
    inspector = sa.inspect(engine)
    shape = {}
    for table in inspector.get_table_names():
        shape[table] = {
            'columns': {c['name']: (str(c['type']), c['nullable'],
                                    c.get('default'))
                        for c in inspector.get_columns(table)},
            'indexes': sorted((i['name'], tuple(i['column_names']),
                               bool(i['unique']))
                              for i in inspector.get_indexes(table)),
            'primary_key': inspector.get_pk_constraint(
                table)['constrained_columns'],
            'foreign_keys': sorted(
                (tuple(f['constrained_columns']), f['referred_table'],
                 tuple(f['referred_columns']))
                for f in inspector.get_foreign_keys(table)),
            'unique': sorted(tuple(u['column_names']) for u in
                             inspector.get_unique_constraints(table)),
        }
    return shape


@pytest.mark.parametrize('backend', ['sqlite', 'mysql'])
def test_base_revision_is_upstreams_schema(backend):
    """A new database starts at 7a3b9c1d2e4f in upstream's exact shape, so
    new and upgraded deployments take the same road afterwards."""
    backends.require(backend)
    fresh = backends.Database(backend)
    reference = backends.Database(backend)
    engines = []
    try:
        if backend == 'sqlite':
            shutil.copyfile(os.path.join(FIXTURES, 'freezer.sqlite'),
                            reference.url.split(':///', 1)[1])
        else:
            _load_mariadb_dump(reference.url,
                               os.path.join(FIXTURES, 'freezer-mariadb.sql'))
        engines = [sa.create_engine(fresh.url),
                   sa.create_engine(reference.url)]
        migration.upgrade(engines[0], UPSTREAM_REVISION)
        assert migration.current(engines[0]) == UPSTREAM_REVISION
        assert migration.current(engines[1]) == UPSTREAM_REVISION
        assert _shape(engines[0]) == _shape(engines[1])
    finally:
        for engine in engines:
            engine.dispose()
        fresh.drop()
        reference.drop()
