"""Databases for tests: SQLite always; MariaDB and PostgreSQL when reachable.

In oslo.db's opportunistic style, a backend that cannot be reached makes
its tests skip with the reason — except when FREEZER_TEST_REQUIRE_BACKENDS
is set (CI sets it), where an unreachable backend is a failure.

Each test database is created fresh (``freezer_test_<random>``) and dropped
afterwards; the servers' own ``test`` databases are only used to connect.
"""

import os
import tempfile
import uuid

import sqlalchemy as sa

MYSQL_ADMIN_URL = os.environ.get(
    'FREEZER_TEST_MYSQL_URL', 'mysql+pymysql://root@127.0.0.1:3306/test')
POSTGRESQL_ADMIN_URL = os.environ.get(
    'FREEZER_TEST_POSTGRESQL_URL',
    'postgresql+psycopg://postgres@127.0.0.1:5432/test')
BACKENDS = ('sqlite', 'mysql', 'postgresql')


def required():
    return bool(os.environ.get('FREEZER_TEST_REQUIRE_BACKENDS'))


def _admin_url(backend):
    return {'mysql': MYSQL_ADMIN_URL,
            'postgresql': POSTGRESQL_ADMIN_URL}[backend]


_reachable = {}


def unavailable_reason(backend):
    """None when the backend can be used, else why not."""
    if backend == 'sqlite':
        return None
    if backend not in _reachable:
        engine = sa.create_engine(_admin_url(backend),
                                  connect_args={'connect_timeout': 3})
        try:
            with engine.connect() as connection:
                connection.execute(sa.text('SELECT 1'))
            _reachable[backend] = None
        except Exception as error:
            _reachable[backend] = '%s unreachable at %s: %s' % (
                backend, _admin_url(backend).split('@')[-1],
                str(error).splitlines()[0][:200])
        finally:
            engine.dispose()
    return _reachable[backend]


def require(backend, module_level=False):
    """Skip the caller when ``backend`` is unreachable; fail instead when
    FREEZER_TEST_REQUIRE_BACKENDS is set (CI)."""
    import pytest
    reason = unavailable_reason(backend)
    if reason is None:
        return
    if required():
        pytest.fail('%s (FREEZER_TEST_REQUIRE_BACKENDS is set)' % reason,
                    pytrace=False)
    pytest.skip(reason, allow_module_level=module_level)


class Database(object):
    """A fresh, empty database on one backend; ``url`` to connect."""

    def __init__(self, backend):
        self.backend = backend
        self.name = 'freezer_test_%s' % uuid.uuid4().hex[:12]
        self._tempdir = None
        if backend == 'sqlite':
            self._tempdir = tempfile.TemporaryDirectory()
            self.url = 'sqlite:///%s/freezer.sqlite' % self._tempdir.name
            return
        admin = sa.engine.make_url(_admin_url(backend))
        self.url = admin.set(database=self.name).render_as_string(
            hide_password=False)
        self._admin(
            'CREATE DATABASE %s CHARACTER SET utf8mb4' % self.name
            if backend == 'mysql' else 'CREATE DATABASE %s' % self.name)

    def _admin(self, statement):
        engine = sa.create_engine(_admin_url(self.backend),
                                  isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(statement))
        finally:
            engine.dispose()

    def drop(self):
        if self._tempdir is not None:
            self._tempdir.cleanup()
            return
        if self.backend == 'postgresql':
            self._admin('DROP DATABASE IF EXISTS %s WITH (FORCE)' % self.name)
        else:
            self._admin('DROP DATABASE IF EXISTS %s' % self.name)
