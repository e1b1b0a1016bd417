"""/v2/{project_id}/actions: thin handlers over the actions domain."""

from freezer_api.api import requests
from freezer_api.domain import actions


def _list(tx, project_id, filters, limit, offset):
    return [actions.render(row) for row in
            tx.list_actions(project_id, filters, limit, offset)]


def list_actions(call):
    limit, offset = requests.paging(call.request)
    return 200, {'actions': call.read(_list, call.project_id,
                                      requests.filters(call.request),
                                      limit, offset)}


def create(call):
    body = requests.object_body(call.request)
    action_id = call.write(actions.create, call.project_id, call.user_id,
                           body)
    return 201, {'action_id': action_id}


def _show(tx, project_id, action_id):
    return actions.render(actions.get(tx, project_id, action_id))


def show(call, action_id):
    return 200, call.read(_show, call.project_id, action_id)


def patch(call, action_id):
    body = requests.object_body(call.request)
    version = call.write(actions.patch, call.project_id, call.user_id,
                         action_id, body)
    return 200, {'action_id': action_id, 'version': version}


def replace(call, action_id):
    body = requests.object_body(call.request)
    version = call.write(actions.replace, call.project_id, call.user_id,
                         action_id, body)
    return 201, {'action_id': action_id, 'version': version}


def delete(call, action_id):
    call.write(actions.delete, call.project_id, action_id)
    return 204, None
