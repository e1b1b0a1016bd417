"""The schema at the newest alembic revision, as SQLAlchemy Core tables.

Conventions: ids are strings; JSON documents are TEXT holding JSON; a NULL
``session_name`` means unset. Session membership is ``jobs.session_id``:
one row per job, so joining or leaving changes one row. A member's status
in the current run of its session lives on the job row (``member_*``).
"""

import datetime
import json

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData()


class JSONText(sa.types.TypeDecorator):
    """JSON stored as TEXT (upstream's format; SQLite fixtures hold bytes)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return json.dumps(value, separators=(',', ':'))

    def process_result_value(self, value, dialect):
        if value is None or value == '' or value == b'':
            return None
        if isinstance(value, bytes):
            value = value.decode('utf-8')
        return json.loads(value)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# Names compare exactly on every backend: a binary collation on MariaDB.
Name = sa.String(255).with_variant(
    mysql.VARCHAR(255, charset='utf8mb4', collation='utf8mb4_bin'),
    'mysql', 'mariadb')


# Microseconds on every backend, so lists ordered by creation stay in
# creation order (MariaDB's plain DATETIME keeps whole seconds).
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6),
                                       'mysql', 'mariadb')


def _timestamps():
    return [
        sa.Column('created_at', Timestamp, default=utcnow),
        sa.Column('updated_at', Timestamp, onupdate=utcnow),
    ]


def _version():
    return sa.Column('version', sa.Integer, nullable=False, default=1,
                     server_default='1')


clients = sa.Table(
    'clients', metadata,
    sa.Column('id', sa.String(255), primary_key=True),
    sa.Column('project_id', sa.String(36)),
    sa.Column('user_id', sa.String(64), nullable=False),
    sa.Column('client_id', sa.String(255), nullable=False),
    sa.Column('hostname', sa.String(128)),
    sa.Column('description', sa.String(255)),
    sa.Column('uuid', sa.String(36), nullable=False),
    sa.Column('supported_actions', JSONText),
    sa.Column('supported_modes', JSONText),
    sa.Column('supported_storages', JSONText),
    sa.Column('supported_engines', JSONText),
    sa.Column('is_central', sa.Boolean, nullable=False, default=False,
              server_default=sa.false()),
    *_timestamps(),
    sa.UniqueConstraint('project_id', 'client_id',
                        name='uq_clients_project_client'),
    mysql_charset='utf8mb4',
)

actions = sa.Table(
    'actions', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('action', sa.String(255), nullable=False),
    sa.Column('project_id', sa.String(36)),
    sa.Column('user_id', sa.String(64), nullable=False),
    sa.Column('actionmode', sa.String(255)),
    sa.Column('path_to_backup', sa.String(255)),
    sa.Column('backup_name', sa.String(255)),
    sa.Column('container', sa.String(255)),
    sa.Column('timeout', sa.Integer),
    sa.Column('priority', sa.Integer),
    sa.Column('max_retries_interval', sa.Integer),
    sa.Column('max_retries', sa.Integer),
    sa.Column('mandatory', sa.Boolean),
    sa.Column('log_file', sa.String(255)),
    sa.Column('backup_metadata', JSONText),
    _version(),
    *_timestamps(),
    sa.Index('ix_actions_project_created', 'project_id', 'created_at', 'id'),
    mysql_charset='utf8mb4',
)

sessions = sa.Table(
    'sessions', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('project_id', sa.String(36)),
    sa.Column('user_id', sa.String(64), nullable=False),
    sa.Column('session_name', Name),
    sa.Column('session_tag', sa.Integer, default=0),
    sa.Column('description', sa.String(255)),
    sa.Column('hold_off', sa.Integer, default=30),
    sa.Column('schedule', JSONText),
    sa.Column('time_start', sa.Integer, default=-1),
    sa.Column('time_end', sa.Integer, default=-1),
    sa.Column('time_started', sa.Integer, default=-1),
    sa.Column('time_ended', sa.Integer, default=-1),
    sa.Column('status', sa.String(255)),
    sa.Column('result', sa.String(255)),
    _version(),
    *_timestamps(),
    # NULL names are distinct on every backend, so only names are unique.
    sa.UniqueConstraint('project_id', 'session_name',
                        name='uq_sessions_project_name'),
    sa.Index('ix_sessions_project_created', 'project_id', 'created_at', 'id'),
    mysql_charset='utf8mb4',
)

jobs = sa.Table(
    'jobs', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('project_id', sa.String(36)),
    sa.Column('user_id', sa.String(64), nullable=False),
    sa.Column('client_id', sa.String(255), nullable=False),
    sa.Column('description', sa.String(255)),
    # The job's own timing keys (and any state keys not held below).
    sa.Column('schedule', JSONText),
    sa.Column('event', sa.String(32)),
    sa.Column('status', sa.String(32)),
    sa.Column('result', sa.String(32)),
    sa.Column('time_created', sa.Integer),
    sa.Column('time_started', sa.Integer),
    sa.Column('time_ended', sa.Integer),
    sa.Column('current_pid', sa.Integer),
    sa.Column('session_id', sa.String(36), nullable=False, default='',
              server_default=''),
    sa.Column('session_tag', sa.Integer, nullable=False, default=0,
              server_default='0'),
    sa.Column('session_name', Name),
    sa.Column('member_status', sa.String(32)),
    sa.Column('member_result', sa.String(255)),
    sa.Column('member_time_started', sa.Integer),
    sa.Column('member_time_ended', sa.Integer),
    _version(),
    *_timestamps(),
    sa.Index('ix_jobs_project_created', 'project_id', 'created_at', 'id'),
    sa.Index('ix_jobs_project_client', 'project_id', 'client_id'),
    sa.Index('ix_jobs_project_session_name', 'project_id', 'session_name'),
    sa.Index('ix_jobs_session_id', 'session_id'),
    mysql_charset='utf8mb4',
)

job_actions = sa.Table(
    'job_actions', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('job_id', sa.String(36),
              sa.ForeignKey('jobs.id', name='fk_job_actions_job_id'),
              nullable=False, index=True),
    sa.Column('action_id', sa.String(36),
              sa.ForeignKey('actions.id', name='fk_job_actions_action_id'),
              nullable=False, index=True),
    sa.Column('position', sa.Integer),
    sa.Column('mandatory', sa.Boolean),
    *_timestamps(),
    mysql_charset='utf8mb4',
)

backups = sa.Table(
    'backups', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('job_id', sa.String(36)),
    sa.Column('project_id', sa.String(36)),
    sa.Column('user_id', sa.String(64), nullable=False),
    sa.Column('status', sa.String(64), nullable=False,
              server_default='available'),
    sa.Column('backup_metadata', JSONText),
    _version(),
    *_timestamps(),
    sa.Index('ix_backups_project_created', 'project_id', 'created_at', 'id'),
    mysql_charset='utf8mb4',
)

# A row per (project, name): locked first by every change that may move
# jobs into or out of the session of that name.
session_name_locks = sa.Table(
    'session_name_locks', metadata,
    sa.Column('project_id', sa.String(36), primary_key=True),
    sa.Column('session_name', Name, primary_key=True),
    mysql_charset='utf8mb4',
)

# Upstream tables this service keeps but does not use.
action_reports = sa.Table(
    'action_reports', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('project_id', sa.String(36)),
    sa.Column('user_id', sa.String(64), nullable=False),
    sa.Column('result', sa.String(255)),
    sa.Column('time_elapsed', sa.String(255)),
    sa.Column('report_date', sa.TIMESTAMP),
    sa.Column('log', sa.LargeBinary),
    *_timestamps(),
    mysql_charset='utf8mb4',
)

user_credentials = sa.Table(
    'user_credentials', metadata,
    sa.Column('id', sa.String(36), primary_key=True),
    sa.Column('trust_id', sa.String(255), nullable=False),
    sa.Column('trustor_user_id', sa.String(64), nullable=False),
    sa.Column('job_id', sa.String(36), nullable=False),
    *_timestamps(),
    mysql_charset='utf8mb4',
)
