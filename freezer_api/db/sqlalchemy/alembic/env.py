"""Alembic environment: migrations run on the connection migration.py hands
over, so freezer-manage and the tests share one code path."""

from alembic import context

from freezer_api.db.sqlalchemy import models

config = context.config


def run_migrations_online():
    connection = config.attributes['connection']
    context.configure(connection=connection,
                      target_metadata=models.metadata,
                      render_as_batch=True,
                      transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
