"""Clients: the hosts whose schedulers run jobs."""

from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.domain import schedules

_LISTS = {'supported_actions': schemas.ACTIONS,
          'supported_modes': schemas.MODES,
          'supported_storages': schemas.STORAGES,
          'supported_engines': schemas.ENGINES}


def render(row):
    client = {'uuid': row['uuid'], 'client_id': row['client_id'],
              'hostname': row['hostname'],
              'description': row['description'],
              'is_central': bool(row['is_central'])}
    for key, default in _LISTS.items():
        value = row[key]
        client[key] = list(default) if value is None else value
    return {'client': client, 'project_id': row['project_id'],
            'user_id': row['user_id']}


def register(tx, project_id, user_id, document):
    """POST /clients: register, or refresh the capabilities of, a client."""
    schemas.validate(schemas.client_create, document)
    client_id = document['client_id']
    existing = tx.find_client(project_id, client_id)
    if existing is None:
        other = tx.get_client_any_project(client_id)
        if other is not None and (document.get('is_central')
                                  or other['is_central']):
            existing = other
    if existing is not None and existing['project_id'] != project_id:
        raise exceptions.Conflict(
            'Client %s is already registered by another project' % client_id)
    if existing is not None:
        values = {k: document[k] for k in list(_LISTS) + ['description']
                  if k in document and document[k] != existing[k]}
        if values:
            values['user_id'] = user_id
            tx.update_client(existing['id'], values)
        return client_id
    uuid = document.get('uuid') or schedules.new_id()
    row = {'id': uuid, 'uuid': uuid, 'project_id': project_id,
           'user_id': user_id, 'client_id': client_id,
           'hostname': document.get('hostname'),
           'description': document.get('description'),
           'is_central': bool(document.get('is_central', False))}
    for key, default in _LISTS.items():
        row[key] = document.get(key, list(default))
    if tx.id_exists('clients', uuid):
        raise exceptions.Conflict('A client with uuid %s already exists'
                                  % uuid)
    tx.insert_client(row)
    return client_id


def get_row(tx, project_id, client_id):
    row = tx.find_client(project_id, client_id)
    if row is None:
        raise exceptions.NotFound('No client found with ID %s' % client_id)
    return row


def delete(tx, project_id, client_id):
    row = get_row(tx, project_id, client_id)
    if row['project_id'] != project_id:
        raise exceptions.Forbidden(
            'You are not allowed to access this resource')
    tx.delete_client(row['id'])
