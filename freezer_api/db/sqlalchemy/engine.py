"""Engines and transactions.

Write transactions on SQLite start with BEGIN IMMEDIATE, so two writers
queue on the busy timeout instead of failing with "database is locked" when
one upgrades a read lock; WAL lets readers go on meanwhile.
"""

import fcntl
import os
import threading

from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy as sa

_lock = threading.Lock()
_engines = {}

SQLITE_BUSY_TIMEOUT_MS = 30000


def _prepare_sqlite(engine):
    @sa.event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA busy_timeout = %d' % SQLITE_BUSY_TIMEOUT_MS)
        cursor.execute('PRAGMA journal_mode = WAL')
        cursor.execute('PRAGMA synchronous = NORMAL')
        cursor.execute('PRAGMA foreign_keys = ON')
        cursor.close()

    @sa.event.listens_for(engine, 'begin')
    def _on_begin(connection):
        write = connection.get_execution_options().get('freezer_write')
        connection.exec_driver_sql('BEGIN IMMEDIATE' if write else 'BEGIN')


class SQLiteWriterLock(object):
    """Queue this process's SQLite writers, and all processes' writers.

    SQLite has one writer at a time, and a writer that finds the database
    locked sleeps and polls in its busy handler: with several processes
    the lock then sits idle between holders. Writers queue here instead —
    threads on a Python lock, processes on an flock(2) of a file beside
    the database — and each is woken the moment the lock is free.
    """

    def __init__(self, database):
        self._threads = threading.Lock()
        self._file = None
        if database and database != ':memory:':
            self._file = open(os.path.abspath(database) + '.writer-lock',
                              'a')

    def __enter__(self):
        self._threads.acquire()
        if self._file is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise
        return self

    def __exit__(self, *exc_info):
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


def create_engine(url, max_retries=3, max_pool_size=None):
    """A new engine for ``url``, tuned for the backend."""
    if url.startswith('sqlite'):
        # oslo.db's SQLite setup emits its own deferred BEGIN; ours must
        # choose between BEGIN and BEGIN IMMEDIATE, so build this one here
        # and give it oslo.db's exception translation.
        path = url.split(':///', 1)[-1]
        if path and path != ':memory:':
            os.makedirs(os.path.dirname(os.path.abspath(path)) or '.',
                        exist_ok=True)
        engine = sa.create_engine(url, pool_size=max_pool_size or 5,
                                  max_overflow=10)
        exc_filters.register_engine(engine)
        _prepare_sqlite(engine)
        return engine
    parsed = sa.engine.make_url(url)
    if (parsed.get_backend_name() in ('mysql', 'mariadb')
            and 'charset' not in parsed.query):
        # oslo.db would connect with utf8 (3 bytes): names and descriptions
        # may hold any character.
        url = parsed.update_query_dict({'charset': 'utf8mb4'}
                                       ).render_as_string(hide_password=False)
    engine = engines.create_engine(
        url, max_retries=max_retries, retry_interval=1,
        max_pool_size=max_pool_size, thread_checkin=False,
        mysql_sql_mode='TRADITIONAL')
    if engine.dialect.name in ('mysql', 'mariadb'):
        # Name locks serialise what must be serial; READ COMMITTED avoids
        # InnoDB gap locks turning unrelated inserts into deadlocks.
        engine = engine.execution_options(isolation_level='READ COMMITTED')
    return engine


def get_engine(url, **kwargs):
    """The process's shared engine for ``url``."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_engine(url, **kwargs)
            _engines[url] = engine
        return engine


def dispose_all():
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


DEADLOCK_RETRIES = 5
