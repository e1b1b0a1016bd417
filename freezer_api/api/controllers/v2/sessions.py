"""/v2/{project_id}/sessions: thin handlers over the sessions domain."""

from freezer_api.api import requests
from freezer_api.common import policies
from freezer_api.domain import runs
from freezer_api.domain import sessions


def list_sessions(call):
    limit, offset = requests.paging(call.request)
    found = call.read(sessions.list_documents, call.project_id,
                      requests.filters(call.request), limit, offset)
    return 200, {'sessions': found}


def create(call):
    body = requests.object_body(call.request)
    if_exists = call.request.GET.get('if_exists')
    if if_exists == 'update':
        policies.authorize(call.context, 'sessions:update', call.project_id)
    answer, created = call.write(sessions.create, call.project_id,
                                 call.user_id, body, if_exists)
    return (201 if created else 200), answer


def show(call, session_id):
    return 200, call.read(sessions.show, call.project_id, session_id)


def patch(call, session_id):
    body = requests.object_body(call.request)
    version = call.write(sessions.patch, call.project_id, call.user_id,
                         session_id, body)
    return 200, {'session_id': session_id, 'version': version}


def replace(call, session_id):
    body = requests.object_body(call.request)
    version = call.write(sessions.replace, call.project_id, call.user_id,
                         session_id, body)
    return 201, {'session_id': session_id, 'version': version}


def delete(call, session_id):
    call.write(sessions.delete, call.project_id, session_id)
    return 204, None


def action(call, session_id):
    body = requests.read_body(call.request)
    return 202, call.write(runs.act, call.project_id, session_id, body)


def add_job(call, session_id, job_id):
    call.write(sessions.add_job, call.project_id, session_id, job_id)
    return 204, None


def remove_job(call, session_id, job_id):
    call.write(sessions.remove_job, call.project_id, session_id, job_id)
    return 204, None
