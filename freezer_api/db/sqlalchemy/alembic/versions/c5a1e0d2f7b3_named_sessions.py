"""Named sessions, membership as rows, hard deletes, utf8mb4.

What changes, and why:
- soft-deleted rows (unreachable through the API) are purged and the
  ``deleted``/``deleted_at`` columns go, so ids can be reused and unique
  constraints mean what they say;
- clients get a unique (project_id, client_id); live duplicates that
  upstream's "check, then insert" let in keep only the oldest row;
- jobs: the schedule's state keys move into columns (filterable in SQL),
  the timing keys stay as the job's own; ``session_name``; the member's
  per-run status (formerly an entry of the session's ``job`` map);
- membership is derived from each job's ``session_id`` where that session
  is live in the job's project; map entries without a job pointing back are
  dropped, jobs pointing at a missing session are detached; the ``job`` map
  column goes;
- sessions get ``session_name``, unique per project (binary collation on
  MariaDB, so names compare exactly);
- a ``version`` counter on documents that are updated;
- a ``session_name_locks`` table that serialises changes per name;
- MariaDB/MySQL tables are converted to utf8mb4 and their timestamps
  keep microseconds.

Revision ID: c5a1e0d2f7b3
Revises: 7a3b9c1d2e4f
"""

import json

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = 'c5a1e0d2f7b3'
down_revision = '7a3b9c1d2e4f'
branch_labels = None
depends_on = None

TABLES = ('action_reports', 'actions', 'backups', 'clients',
          'user_credentials', 'jobs', 'sessions', 'job_actions')
STATE_COLUMNS = {'event': 32, 'status': 32, 'result': 32}
STATE_INTS = ('time_created', 'time_started', 'time_ended', 'current_pid')

Name = sa.String(255).with_variant(
    mysql.VARCHAR(255, charset='utf8mb4', collation='utf8mb4_bin'),
    'mysql', 'mariadb')


def _is_mysql(bind):
    return bind.dialect.name in ('mysql', 'mariadb')


def _load(value):
    if value is None or value in ('', b''):
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode('utf-8')
    try:
        return json.loads(value)
    except ValueError:
        return None


def _dump(value):
    return None if value is None else json.dumps(value,
                                                 separators=(',', ':'))


def _to_utf8mb4(bind):
    # InnoDB will not change the charset of a column a foreign key uses:
    # drop job_actions' keys, convert every table, put the keys back.
    foreign_keys = sa.inspect(bind).get_foreign_keys('job_actions')
    for key in foreign_keys:
        op.drop_constraint(key['name'], 'job_actions', type_='foreignkey')
    for table in TABLES + ('alembic_version',):
        op.execute('ALTER TABLE %s CONVERT TO CHARACTER SET utf8mb4 '
                   'COLLATE utf8mb4_unicode_ci' % table)
    for key in foreign_keys:
        op.create_foreign_key(
            'fk_job_actions_%s' % key['constrained_columns'][0],
            'job_actions', key['referred_table'],
            key['constrained_columns'], key['referred_columns'])


def _purge_soft_deleted(bind):
    jobs = sa.table('jobs', sa.column('id'), sa.column('deleted'))
    actions = sa.table('actions', sa.column('id'), sa.column('deleted'))
    links = sa.table('job_actions', sa.column('job_id'),
                     sa.column('action_id'), sa.column('deleted'))
    bind.execute(links.delete().where(sa.or_(
        links.c.deleted == sa.true(),
        links.c.job_id.in_(sa.select(jobs.c.id).where(
            jobs.c.deleted == sa.true())),
        links.c.action_id.in_(sa.select(actions.c.id).where(
            actions.c.deleted == sa.true())))))
    for table in TABLES:
        if table == 'job_actions':
            continue
        t = sa.table(table, sa.column('deleted'))
        bind.execute(t.delete().where(t.c.deleted == sa.true()))


def _dedupe_clients(bind):
    clients = sa.table('clients', sa.column('id'), sa.column('project_id'),
                       sa.column('client_id'), sa.column('created_at'))
    seen = set()
    rows = bind.execute(sa.select(clients).order_by(
        clients.c.created_at, clients.c.id)).all()
    for row in rows:
        key = (row.project_id, row.client_id)
        if key in seen:
            bind.execute(clients.delete().where(clients.c.id == row.id))
        seen.add(key)


def _add_columns():
    with op.batch_alter_table('jobs') as batch:
        for name, length in STATE_COLUMNS.items():
            batch.add_column(sa.Column(name, sa.String(length)))
        for name in STATE_INTS:
            batch.add_column(sa.Column(name, sa.Integer))
        batch.add_column(sa.Column('session_name', Name))
        batch.add_column(sa.Column('member_status', sa.String(32)))
        batch.add_column(sa.Column('member_result', sa.String(255)))
        batch.add_column(sa.Column('member_time_started', sa.Integer))
        batch.add_column(sa.Column('member_time_ended', sa.Integer))
        batch.add_column(sa.Column('version', sa.Integer, nullable=False,
                                   server_default='1'))
    with op.batch_alter_table('sessions') as batch:
        batch.add_column(sa.Column('session_name', Name))
        batch.add_column(sa.Column('version', sa.Integer, nullable=False,
                                   server_default='1'))
    for table in ('actions', 'backups'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version', sa.Integer, nullable=False,
                                       server_default='1'))
    with op.batch_alter_table('job_actions') as batch:
        batch.add_column(sa.Column('mandatory', sa.Boolean))


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_str(value, length):
    return value[:length] if isinstance(value, str) else None


def _move_membership(bind):
    sessions = sa.table('sessions', sa.column('id'), sa.column('project_id'),
                        sa.column('job'))
    jobs = sa.table(
        'jobs', sa.column('id'), sa.column('project_id'),
        sa.column('schedule'), sa.column('session_id'),
        sa.column('session_tag'), sa.column('member_status'),
        sa.column('member_result'), sa.column('member_time_started'),
        sa.column('member_time_ended'),
        *[sa.column(c) for c in list(STATE_COLUMNS) + list(STATE_INTS)])
    live = {}
    for row in bind.execute(sa.select(sessions)).all():
        live[row.id] = (row.project_id, _load(row.job) or {})
    for job in bind.execute(sa.select(
            jobs.c.id, jobs.c.project_id, jobs.c.schedule,
            jobs.c.session_id, jobs.c.session_tag)).all():
        schedule = _load(job.schedule)
        schedule = schedule if isinstance(schedule, dict) else {}
        values = {}
        for name, length in STATE_COLUMNS.items():
            values[name] = _as_str(schedule.pop(name, None), length)
        for name in STATE_INTS:
            values[name] = _as_int(schedule.pop(name, None))
        values['schedule'] = _dump(schedule)
        values['session_tag'] = _as_int(job.session_tag) or 0
        session = live.get(job.session_id or '')
        if session and session[0] == job.project_id:
            entry = session[1].get(job.id)
            entry = entry if isinstance(entry, dict) else {}
            values['member_status'] = _as_str(entry.get('status'), 32) or ''
            values['member_result'] = _as_str(entry.get('result'), 255) or ''
            values['member_time_started'] = _as_int(
                entry.get('time_started'))
            values['member_time_ended'] = _as_int(entry.get('time_ended'))
        else:
            values['session_id'] = ''
        bind.execute(jobs.update().where(jobs.c.id == job.id).values(
            **values))
    bind.execute(jobs.update().where(jobs.c.session_id.is_(None)).values(
        session_id=''))


Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6),
                                       'mysql', 'mariadb')


def _finish_tables():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('deleted')
            batch.drop_column('deleted_at')
            if _is_mysql(op.get_bind()):
                # Whole seconds would leave same-second rows unordered.
                for column in ('created_at', 'updated_at'):
                    batch.alter_column(column, existing_type=sa.DateTime,
                                       type_=Timestamp)
    with op.batch_alter_table('sessions') as batch:
        batch.drop_column('job')
        batch.create_unique_constraint('uq_sessions_project_name',
                                       ['project_id', 'session_name'])
        batch.create_index('ix_sessions_project_created',
                           ['project_id', 'created_at', 'id'])
    with op.batch_alter_table('jobs') as batch:
        batch.alter_column('session_id', existing_type=sa.String(36),
                           nullable=False, server_default='')
        batch.alter_column('session_tag', existing_type=sa.Integer,
                           nullable=False, server_default='0')
        batch.create_index('ix_jobs_project_created',
                           ['project_id', 'created_at', 'id'])
        batch.create_index('ix_jobs_project_client',
                           ['project_id', 'client_id'])
        batch.create_index('ix_jobs_project_session_name',
                           ['project_id', 'session_name'])
        batch.create_index('ix_jobs_session_id', ['session_id'])
    with op.batch_alter_table('clients') as batch:
        batch.alter_column('supported_actions', existing_type=sa.String(255),
                           type_=sa.Text)
        batch.alter_column('supported_modes', existing_type=sa.String(255),
                           type_=sa.Text)
        batch.alter_column('supported_storages',
                           existing_type=sa.String(255), type_=sa.Text)
        batch.alter_column('supported_engines', existing_type=sa.String(255),
                           type_=sa.Text)
        batch.create_unique_constraint('uq_clients_project_client',
                                       ['project_id', 'client_id'])
    for table in ('actions', 'backups'):
        with op.batch_alter_table(table) as batch:
            batch.create_index('ix_%s_project_created' % table,
                               ['project_id', 'created_at', 'id'])


def _create_name_locks():
    # One row per (project, session name) ever used: every change that can
    # move jobs into or out of the session of a name locks its row first,
    # so "is there a session called N?" cannot change under a transaction.
    op.create_table(
        'session_name_locks',
        sa.Column('project_id', sa.String(36), primary_key=True),
        sa.Column('session_name', Name, primary_key=True),
        mysql_charset='utf8mb4')


def upgrade():
    bind = op.get_bind()
    if _is_mysql(bind):
        _to_utf8mb4(bind)
    _purge_soft_deleted(bind)
    _dedupe_clients(bind)
    _add_columns()
    _move_membership(bind)
    _finish_tables()
    _create_name_locks()
