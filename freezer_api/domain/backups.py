"""Backups: metadata that freezer-agent reports after a backup."""

from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.domain import schedules


def render(row):
    return {'backup_id': row['id'], 'project_id': row['project_id'],
            'user_id': row['user_id'], 'status': row['status'],
            'backup_metadata': row['backup_metadata'] or {}}


def create(tx, project_id, user_id, document):
    schemas.validate(schemas.backup_create, document)
    metadata = dict(document)
    status = metadata.pop('status', 'available')
    for key in ('backup_id', 'project_id', 'user_id'):
        metadata.pop(key, None)
    backup_id = schedules.new_id()
    job_id = metadata.get('job_id')
    tx.insert_backup({'id': backup_id, 'project_id': project_id,
                      'user_id': user_id, 'status': status,
                      'job_id': job_id if isinstance(job_id, str) else None,
                      'backup_metadata': metadata})
    return backup_id


def get_row(tx, project_id, backup_id, lock=False):
    row = tx.get_backup(project_id, backup_id, lock=lock)
    if row is None:
        raise exceptions.NotFound('No backup found with ID %s' % backup_id)
    return row


def patch(tx, project_id, user_id, backup_id, document):
    """Shallow-merge backup_metadata, replace status; the new document."""
    schemas.validate(schemas.backup_patch, document)
    row = get_row(tx, project_id, backup_id, lock=True)
    values = {'user_id': user_id}
    if 'backup_metadata' in document:
        metadata = dict(row['backup_metadata'] or {})
        metadata.update(document['backup_metadata'])
        values['backup_metadata'] = metadata
    if 'status' in document:
        values['status'] = document['status']
    tx.update_backup(backup_id, values)
    return render(dict(row, **values))


def delete(tx, project_id, backup_id):
    get_row(tx, project_id, backup_id, lock=True)
    tx.delete_backup(backup_id)
