"""/v2/{project_id}/clients: thin handlers over the clients domain."""

from freezer_api.api import requests
from freezer_api.common import policies
from freezer_api.domain import clients


def _list(tx, project_id, filters, limit, offset):
    return [clients.render(row) for row in
            tx.list_clients(project_id, filters, limit, offset)]


def list_clients(call):
    limit, offset = requests.paging(call.request)
    return 200, {'clients': call.read(_list, call.project_id,
                                      requests.filters(call.request),
                                      limit, offset)}


def create(call):
    body = requests.object_body(call.request)
    if body.get('is_central'):
        policies.authorize(call.context, 'clients:create_central',
                           call.project_id)
    client_id = call.write(clients.register, call.project_id, call.user_id,
                           body)
    return 201, {'client_id': client_id}


def _show(tx, project_id, client_id):
    return clients.render(clients.get_row(tx, project_id, client_id))


def show(call, client_id):
    return 200, call.read(_show, call.project_id, client_id)


def delete(call, client_id):
    call.write(clients.delete, call.project_id, client_id)
    return 204, None
