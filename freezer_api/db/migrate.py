"""Schema checks and upgrades shared by freezer-api and freezer-manage."""

from oslo_config import cfg

from freezer_api.common import config
from freezer_api.common import exceptions
from freezer_api.db.sqlalchemy import engine as engine_module
from freezer_api.db.sqlalchemy import migration

CONF = cfg.CONF


def sync(conf=CONF, revision='head'):
    """Upgrade the configured database to ``revision``."""
    engine = engine_module.create_engine(config.database_url(conf),
                                         max_retries=1)
    try:
        migration.upgrade(engine, revision)
        return migration.current(engine)
    finally:
        engine.dispose()


def prepare_for_serving(conf=CONF):
    """Create the embedded database; refuse a configured one not at head."""
    if not conf.database.connection:
        sync(conf)
        return
    engine = engine_module.create_engine(conf.database.connection,
                                         max_retries=1)
    try:
        current = migration.current(engine)
    finally:
        engine.dispose()
    if current != migration.head():
        raise exceptions.FreezerError(
            'The database schema is at %s, not %s: run '
            '"freezer-manage db sync" first.' % (current, migration.head()))
