"""The process's storage: created on first use, after any fork."""

import os
import threading

from oslo_config import cfg

from freezer_api.common import config
from freezer_api.db.sqlalchemy import api as sql_api
from freezer_api.db.sqlalchemy import engine

_lock = threading.Lock()
_storage = None
_pid = None


def get(conf=cfg.CONF):
    global _storage, _pid
    if _storage is None or _pid != os.getpid():
        with _lock:
            if _storage is None or _pid != os.getpid():
                url = config.database_url(conf)
                _storage = sql_api.Storage(engine.create_engine(
                    url, max_retries=conf.database.max_retries,
                    max_pool_size=conf.database.max_pool_size))
                _pid = os.getpid()
    return _storage


def reset():
    global _storage, _pid
    if _storage is not None:
        _storage.engine.dispose()
    _storage, _pid = None, None
