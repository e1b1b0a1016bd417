"""Bring a database to the newest schema with alembic."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
import sqlalchemy as sa

from freezer_api.common import exceptions

_INI = os.path.join(os.path.dirname(__file__), 'alembic.ini')


def _config():
    return alembic_config.Config(_INI)


def head():
    script = alembic_script.ScriptDirectory.from_config(_config())
    return script.get_current_head()


def current(engine):
    with engine.connect() as connection:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()


def _check_known(engine):
    known = {r.revision for r in alembic_script.ScriptDirectory.from_config(
        _config()).walk_revisions()}
    revision = current(engine)
    tables = set(sa.inspect(engine).get_table_names())
    if revision is None and 'migrate_version' in tables:
        raise exceptions.FreezerError(
            'This database was written by a sqlalchemy-migrate era '
            'freezer-api. Upgrade it with upstream freezer-api 19.0.0 '
            '(freezer-manage db sync) first.')
    if revision is None and 'jobs' in tables:
        raise exceptions.FreezerError(
            'The database has freezer tables but no alembic revision; '
            'refusing to guess its schema.')
    if revision is not None and revision not in known:
        raise exceptions.FreezerError(
            'The database is at alembic revision %s, which this release '
            'does not know. Upstream databases must first be upgraded to '
            'freezer-api 19.0.0 (revision 7a3b9c1d2e4f).' % revision)


def _analyze(connection):
    """Fresh statistics after a migration rewrote the rows in bulk."""
    if connection.dialect.name == 'postgresql':
        connection.exec_driver_sql('ANALYZE')
    elif connection.dialect.name in ('mysql', 'mariadb'):
        tables = ', '.join(sa.inspect(connection).get_table_names())
        if tables:
            connection.exec_driver_sql('ANALYZE TABLE %s' % tables).all()


def upgrade(engine, revision='head'):
    """Upgrade the database behind ``engine`` to ``revision``."""
    _check_known(engine)
    before = current(engine)
    config = _config()
    with engine.connect() as connection:
        if engine.dialect.name == 'sqlite':
            # Batch migrations rebuild tables that others point at; SQLite
            # only allows that with foreign keys off (set outside a
            # transaction), checked again once the migration is done.
            connection.connection.dbapi_connection.execute(
                'PRAGMA foreign_keys = OFF')
        with connection.begin():
            config.attributes['connection'] = connection
            command.upgrade(config, revision)
        if current(engine) != before:
            with connection.begin():
                _analyze(connection)
        if engine.dialect.name == 'sqlite':
            raw = connection.connection.dbapi_connection
            broken = raw.execute('PRAGMA foreign_key_check').fetchall()
            raw.execute('PRAGMA foreign_keys = ON')
            if broken:
                raise exceptions.FreezerError(
                    'The migrated database has %d rows whose foreign keys '
                    'point nowhere (first: %r)' % (len(broken), broken[0]))
