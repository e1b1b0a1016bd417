"""/v2/{project_id}/backups: thin handlers over the backups domain."""

from freezer_api.api import requests
from freezer_api.domain import backups


def _list(tx, project_id, filters, limit, offset):
    return [backups.render(row) for row in
            tx.list_backups(project_id, filters, limit, offset)]


def list_backups(call):
    limit, offset = requests.paging(call.request)
    return 200, {'backups': call.read(_list, call.project_id,
                                      requests.filters(call.request),
                                      limit, offset)}


def create(call):
    body = requests.object_body(call.request)
    backup_id = call.write(backups.create, call.project_id, call.user_id,
                           body)
    return 201, {'backup_id': backup_id}


def _show(tx, project_id, backup_id):
    return backups.render(backups.get_row(tx, project_id, backup_id))


def show(call, backup_id):
    return 200, call.read(_show, call.project_id, backup_id)


def patch(call, backup_id):
    body = requests.object_body(call.request)
    return 200, call.write(backups.patch, call.project_id, call.user_id,
                           backup_id, body)


def delete(call, backup_id):
    call.write(backups.delete, call.project_id, backup_id)
    return 204, None
