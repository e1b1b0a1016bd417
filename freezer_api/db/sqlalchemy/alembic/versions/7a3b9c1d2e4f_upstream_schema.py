"""The schema of upstream freezer-api 19.0.0 (its alembic head).

A database that upstream wrote is already at this revision; a new database
is created in the same shape so that every deployment then takes the same
road through the later revisions.

Revision ID: 7a3b9c1d2e4f
Revises:
"""

from alembic import op
import sqlalchemy as sa

revision = '7a3b9c1d2e4f'
down_revision = None
branch_labels = None
depends_on = None


def _common():
    return [sa.Column('deleted_at', sa.DateTime),
            sa.Column('deleted', sa.Boolean),
            sa.Column('created_at', sa.DateTime),
            sa.Column('updated_at', sa.DateTime)]


def upgrade():
    op.create_table(
        'action_reports',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(36)),
        sa.Column('user_id', sa.String(64), nullable=False),
        sa.Column('result', sa.String(255)),
        sa.Column('time_elapsed', sa.String(255)),
        sa.Column('report_date', sa.TIMESTAMP),
        sa.Column('log', sa.LargeBinary),
        *_common())
    op.create_table(
        'actions',
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
        sa.Column('backup_metadata', sa.Text),
        *_common())
    op.create_table(
        'backups',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('job_id', sa.String(36)),
        sa.Column('project_id', sa.String(36)),
        sa.Column('user_id', sa.String(64), nullable=False),
        sa.Column('backup_metadata', sa.Text),
        *_common(),
        sa.Column('status', sa.String(64), nullable=False,
                  server_default='available'))
    op.create_table(
        'clients',
        sa.Column('id', sa.String(255), primary_key=True),
        sa.Column('project_id', sa.String(36)),
        sa.Column('user_id', sa.String(64), nullable=False),
        sa.Column('client_id', sa.String(255), nullable=False),
        sa.Column('hostname', sa.String(128)),
        sa.Column('description', sa.String(255)),
        sa.Column('uuid', sa.String(36), nullable=False),
        *_common(),
        sa.Column('supported_actions', sa.String(255)),
        sa.Column('supported_modes', sa.String(255)),
        sa.Column('supported_storages', sa.String(255)),
        sa.Column('supported_engines', sa.String(255)),
        sa.Column('is_central', sa.Boolean, nullable=False,
                  server_default=sa.false()))
    op.create_table(
        'user_credentials',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('trust_id', sa.String(255), nullable=False),
        sa.Column('trustor_user_id', sa.String(64), nullable=False),
        sa.Column('job_id', sa.String(36), nullable=False),
        *_common())
    op.create_table(
        'jobs',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(36)),
        sa.Column('user_id', sa.String(64), nullable=False),
        sa.Column('schedule', sa.Text),
        sa.Column('client_id', sa.String(255), nullable=False),
        sa.Column('session_id', sa.String(36)),
        sa.Column('session_tag', sa.Integer),
        sa.Column('description', sa.String(255)),
        *_common())
    op.create_table(
        'sessions',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('session_tag', sa.Integer),
        sa.Column('description', sa.String(255)),
        sa.Column('hold_off', sa.Integer),
        sa.Column('schedule', sa.Text),
        sa.Column('job', sa.Text),
        sa.Column('project_id', sa.String(36)),
        sa.Column('user_id', sa.String(64), nullable=False),
        sa.Column('time_start', sa.Integer),
        sa.Column('time_end', sa.Integer),
        sa.Column('time_started', sa.Integer),
        sa.Column('time_ended', sa.Integer),
        sa.Column('status', sa.String(255)),
        sa.Column('result', sa.String(255)),
        *_common())
    op.create_table(
        'job_actions',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('job_id', sa.String(36), sa.ForeignKey('jobs.id'),
                  nullable=False, index=True),
        sa.Column('action_id', sa.String(36), sa.ForeignKey('actions.id'),
                  nullable=False, index=True),
        sa.Column('position', sa.Integer),
        *_common())
