"""The alembic revisions, walked one at a time on every backend.

On a fresh database of each backend every revision is applied in turn;
at head the schema must be what ``models.py`` declares, as alembic's
autogenerate comparison sees it (less formatting noise). And
``freezer-manage db sync`` must refuse, in one line and without touching
anything, a database it cannot know how to upgrade.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from alembic import autogenerate
from alembic import migration as alembic_migration
from alembic import script as alembic_script
import pytest
import sqlalchemy as sa

from freezer_api.db.sqlalchemy import engine as engine_module
from freezer_api.db.sqlalchemy import migration
from freezer_api.db.sqlalchemy import models
from freezer_api.tests import backends


@pytest.fixture(params=backends.BACKENDS)
def database(request):
    """A fresh, empty database of each backend."""
    backends.require(request.param)
    fresh = backends.Database(request.param)
    yield fresh
    fresh.drop()


def _engine(database):
    # The service's own engine factory: the SQLite pragmas and MariaDB
    # session settings the migrations will meet in production.
    return engine_module.create_engine(database.url, max_retries=1)


def _revisions():
    """Every revision, base first."""
    scripts = alembic_script.ScriptDirectory.from_config(migration._config())
    return [r.revision for r in reversed(list(scripts.walk_revisions()))]


# -- schema at head vs models.py ----------------------------------------------

def _normalise_default(text):
    """A server default as comparable text: "'1'", "1", "'0'::integer",
    "false" and "0" are each the same default, spelt by different
    backends."""
    if text is None:
        return None
    text = str(text).strip()
    text = re.sub(r'::[\w ]+(\(\d+\))?$', '', text)
    while text.startswith('(') and text.endswith(')'):
        text = text[1:-1].strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    return {'false': '0', 'true': '1'}.get(text.lower(), text)


def _compare_default(context, inspected_column, metadata_column,
                     inspected_default, metadata_default, rendered_default):
    """alembic hook: True when the defaults really differ."""
    return (_normalise_default(inspected_default) !=
            _normalise_default(rendered_default))


def _foreign_key_signature(constraint):
    return (constraint.parent.name,
            tuple(c.parent.name for c in constraint.elements),
            constraint.referred_table.name,
            tuple(c.column.name for c in constraint.elements))


def _flatten(diffs):
    # Column-level changes come grouped in lists; tables, indexes and
    # constraints come as tuples.
    for diff in diffs:
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


def schema_differences(engine):
    """What alembic would change to make the database match models.py,
    without differences that are only how a backend spells things."""
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_type': True,
                              'compare_server_default': _compare_default})
        diffs = list(_flatten(autogenerate.compare_metadata(
            context, models.metadata)))
    if engine.dialect.name == 'sqlite':
        # SQLite does not keep foreign-key names: a key that is only
        # "removed" and "added" again under a name is the same key.
        added = {_foreign_key_signature(d[1]) for d in diffs
                 if d[0] == 'add_fk'}
        removed = {_foreign_key_signature(d[1]) for d in diffs
                   if d[0] == 'remove_fk'}
        diffs = [d for d in diffs if d[0] not in ('add_fk', 'remove_fk')
                 or _foreign_key_signature(d[1]) not in added & removed]
    return diffs


def test_walk_every_revision_to_a_schema_matching_the_models(database):
    engine = _engine(database)
    try:
        assert migration.current(engine) is None
        for revision in _revisions():
            migration.upgrade(engine, revision)
            assert migration.current(engine) == revision
        assert migration.current(engine) == migration.head()
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


# Rows as upstream 19.0.0 stores them, with the oddities its data can hold.
_UPSTREAM_ROWS = [
    ('clients', dict(id='c1', project_id='p', user_id='u', client_id='host1',
                     uuid='c1', supported_actions='["backup"]',
                     deleted=False, created_at='2025-01-01 00:00:00')),
    # upstream's "check, then insert" let a duplicate in: the later goes.
    ('clients', dict(id='c2', project_id='p', user_id='u', client_id='host1',
                     uuid='c2', deleted=False,
                     created_at='2025-01-02 00:00:00')),
    ('actions', dict(id='a1', action='backup', project_id='p', user_id='u',
                     max_retries=3, deleted=False,
                     backup_metadata='{"action": "backup", "mode": "fs"}')),
    ('sessions', dict(id='s1', project_id='p', user_id='u', session_tag=1,
                      hold_off=60, status='running', result='', time_start=5,
                      time_end=-1, deleted=False,
                      schedule='{"schedule_interval": "1 days"}',
                      job='{"j1": {"client_id": "host1", "status": '
                          '"completed", "result": "success", '
                          '"time_started": 5, "time_ended": 6}, '
                          '"ghost": {"client_id": "gone", "status": ""}}')),
    ('jobs', dict(id='j1', project_id='p', user_id='u', client_id='host1',
                  session_id='s1', session_tag=1, deleted=False,
                  schedule='{"schedule_interval": "1 days", "event": "start",'
                           ' "status": "scheduled", "time_created": 3}')),
    # points at a session that does not exist
    ('jobs', dict(id='j2', project_id='p', user_id='u', client_id='host1',
                  session_id='missing', session_tag=0, deleted=False,
                  schedule='{}')),
    ('jobs', dict(id='j3', project_id='p', user_id='u', client_id='host1',
                  session_id='', session_tag=0, deleted=True,
                  schedule='{}')),
    ('job_actions', dict(id='l1', job_id='j1', action_id='a1', position=0,
                         deleted=False)),
    ('job_actions', dict(id='l3', job_id='j3', action_id='a1', position=0,
                         deleted=False)),
]


def _insert_rows(url, rows):
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for table, values in rows:
                columns = ', '.join(values)
                marks = ', '.join(':%s' % name for name in values)
                connection.execute(sa.text('INSERT INTO %s (%s) VALUES (%s)'
                                           % (table, columns, marks)),
                                   values)
    finally:
        engine.dispose()


def test_walk_carries_upstream_rows(database):
    """The data step of every revision, on every backend (the fixtures of
    test_upgrade cover SQLite and MariaDB only)."""
    revisions = _revisions()
    engine = _engine(database)
    try:
        migration.upgrade(engine, revisions[0])
        _insert_rows(database.url, _UPSTREAM_ROWS)
        for revision in revisions[1:]:
            migration.upgrade(engine, revision)
            assert migration.current(engine) == revision
        with engine.connect() as connection:
            def rows(query):
                return connection.execute(sa.text(query)).all()
            jobs = {r.id: r for r in rows('SELECT * FROM jobs')}
            assert sorted(jobs) == ['j1', 'j2']
            j1, j2 = jobs['j1'], jobs['j2']
            assert (j1.session_id, j1.member_status, j1.member_result,
                    j1.member_time_started, j1.member_time_ended) == (
                        's1', 'completed', 'success', 5, 6)
            # the state keys moved to columns, the timing keys stay
            assert (j1.event, j1.status, j1.time_created) == (
                'start', 'scheduled', 3)
            assert json.loads(j1.schedule) == {'schedule_interval': '1 days'}
            assert j1.session_name is None
            assert j2.session_id == ''
            assert rows('SELECT id FROM job_actions') == [('l1',)]
            assert rows('SELECT id FROM clients') == [('c1',)]
            assert rows('SELECT id, session_name, status, result, '
                        'time_end FROM sessions') == [
                ('s1', None, 'running', '', -1)]
    finally:
        engine.dispose()


def test_schema_comparison_sees_drift(database):
    """The check above can fail: a missing index, unique constraint or
    column, a changed default and a stray table are all reported."""
    engine = _engine(database)
    try:
        migration.upgrade(engine)
        with engine.begin() as connection:
            if engine.dialect.name in ('mysql', 'mariadb'):
                connection.exec_driver_sql(
                    'DROP INDEX ix_jobs_session_id ON jobs')
                connection.exec_driver_sql(
                    'ALTER TABLE clients DROP INDEX uq_clients_project_client')
            elif engine.dialect.name == 'postgresql':
                connection.exec_driver_sql('DROP INDEX ix_jobs_session_id')
                connection.exec_driver_sql(
                    'ALTER TABLE clients DROP CONSTRAINT '
                    'uq_clients_project_client')
            else:
                connection.exec_driver_sql('DROP INDEX ix_jobs_session_id')
            if engine.dialect.name != 'sqlite':
                connection.exec_driver_sql(
                    'ALTER TABLE jobs ALTER COLUMN version SET DEFAULT 2')
            connection.exec_driver_sql(
                'ALTER TABLE jobs DROP COLUMN member_result')
            connection.exec_driver_sql(
                'CREATE TABLE stray (id VARCHAR(36) PRIMARY KEY)')
        diffs = schema_differences(engine)
        found = {(d[0], getattr(d[1], 'name', None)) for d in diffs}
        # Column-level entries: (kind, schema, table, column or its name...)
        columns = {(d[0], d[2], getattr(d[3], 'name', d[3]))
                   for d in diffs if d[1] is None}
        assert ('add_index', 'ix_jobs_session_id') in found
        assert ('remove_table', 'stray') in found
        assert ('add_column', 'jobs', 'member_result') in columns
        if engine.dialect.name != 'sqlite':
            # (SQLite cannot drop a constraint or change a default short
            # of rebuilding the table.)
            assert ('add_constraint', 'uq_clients_project_client') in found
            assert ('modify_default', 'jobs', 'version') in columns
    finally:
        engine.dispose()


def test_mariadb_schema_is_utf8mb4_with_binary_names(database):
    """alembic does not compare collations: check the ones that matter."""
    if database.backend != 'mysql':
        pytest.skip('character sets are a MariaDB matter')
    engine = _engine(database)
    try:
        migration.upgrade(engine)
        with engine.connect() as connection:
            tables = connection.execute(sa.text(
                'SELECT TABLE_NAME, TABLE_COLLATION FROM '
                'information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'
            )).all()
            names = connection.execute(sa.text(
                'SELECT TABLE_NAME, COLLATION_NAME FROM '
                'information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() '
                "AND COLUMN_NAME = 'session_name'")).all()
    finally:
        engine.dispose()
    assert len(tables) == len(models.metadata.tables) + 1  # alembic_version
    assert [t for t in tables if not t[1].startswith('utf8mb4_')] == []
    assert sorted(names) == [('jobs', 'utf8mb4_bin'),
                             ('session_name_locks', 'utf8mb4_bin'),
                             ('sessions', 'utf8mb4_bin')]


# -- databases freezer-manage must refuse -------------------------------------

# oslo.log's format; freezer-manage logs to stdout unless told otherwise.
LOG_LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \d+ [A-Z]+ ')


def _manage_command():
    script = os.path.join(os.path.dirname(sys.executable), 'freezer-manage')
    if os.access(script, os.X_OK):
        return [script]
    return [sys.executable, '-m', 'freezer_api.cmd.manage']


def db_sync(url):
    """``freezer-manage db sync`` against ``url``, in its own process."""
    with tempfile.TemporaryDirectory() as workdir:
        config_file = os.path.join(workdir, 'freezer-api.conf')
        with open(config_file, 'w') as config:
            config.write('[database]\nconnection = %s\n' % url)
        return subprocess.run(
            _manage_command() + ['--config-file', config_file, 'db', 'sync'],
            capture_output=True, text=True, timeout=60)


def _message_lines(result):
    """What freezer-manage printed for the operator, logging aside."""
    return [line for line in (result.stdout + result.stderr).splitlines()
            if line.strip() and not LOG_LINE.match(line)]


def assert_refused_in_one_line(result):
    output = 'exit %d\nstdout: %s\nstderr: %s' % (
        result.returncode, result.stdout, result.stderr)
    assert result.returncode != 0, output
    assert 'Traceback' not in result.stdout + result.stderr, output
    lines = _message_lines(result)
    assert len(lines) == 1, output
    assert lines[0].startswith('freezer-manage: '), output
    return lines[0]


def _tables(database):
    engine = sa.create_engine(database.url)
    try:
        with engine.connect() as connection:
            tables = sorted(sa.inspect(connection).get_table_names())
            return {t: connection.execute(sa.text('SELECT * FROM %s' % t))
                    .all() for t in tables}
    finally:
        engine.dispose()


def _create(database, *statements):
    engine = sa.create_engine(database.url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_sync_refuses_an_unknown_revision(database):
    # A database a newer (or foreign) release wrote: alembic cannot find
    # its revision, and guessing would corrupt it.
    _create(database,
            'CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL '
            'PRIMARY KEY)',
            "INSERT INTO alembic_version VALUES ('0123456789ab')")
    before = _tables(database)
    line = assert_refused_in_one_line(db_sync(database.url))
    assert '0123456789ab' in line
    assert _tables(database) == before


def test_sync_refuses_a_sqlalchemy_migrate_database(database):
    # What freezer-api before alembic left behind: its tables and
    # sqlalchemy-migrate's version table, no alembic_version.
    _create(database,
            'CREATE TABLE migrate_version (repository_id VARCHAR(250) NOT '
            'NULL PRIMARY KEY, repository_path TEXT, version INTEGER)',
            "INSERT INTO migrate_version VALUES ('freezer', "
            "'/usr/lib/python3/dist-packages/freezer_api/db/sqlalchemy/"
            "migrate_repo', 3)",
            'CREATE TABLE jobs (id VARCHAR(36) NOT NULL PRIMARY KEY, '
            'project_id VARCHAR(36), schedule TEXT)',
            "INSERT INTO jobs VALUES ('j1', 'projecta', '{}')")
    before = _tables(database)
    line = assert_refused_in_one_line(db_sync(database.url))
    assert 'migrate' in line
    assert _tables(database) == before


@pytest.mark.parametrize('url', [
    'mysql+pymysql://root@127.0.0.1:1/freezer',
    'postgresql+psycopg://postgres@127.0.0.1:1/freezer',
], ids=['mysql', 'postgresql'])
def test_sync_fails_on_an_unreachable_database(url):
    # Port 1 on loopback: refused at once, nothing listens there.
    result = db_sync(url)
    output = 'exit %d\nstdout: %s\nstderr: %s' % (
        result.returncode, result.stdout, result.stderr)
    assert result.returncode != 0, output
    assert 'Traceback' not in result.stdout + result.stderr, output
    lines = _message_lines(result)
    assert lines and lines[0].startswith('freezer-manage: '), output
