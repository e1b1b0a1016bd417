"""Every route of the v2 API: method, path, policy rule, handler."""

import collections

from freezer_api.api.controllers.v2 import actions
from freezer_api.api.controllers.v2 import backups
from freezer_api.api.controllers.v2 import clients
from freezer_api.api.controllers.v2 import jobs
from freezer_api.api.controllers.v2 import sessions

Route = collections.namedtuple('Route', 'method template rule handler')

_P = '/v2/{project_id}'

ROUTES = [
    Route('GET', _P + '/jobs', 'jobs:get_all', jobs.list_jobs),
    Route('POST', _P + '/jobs', 'jobs:create', jobs.create),
    Route('GET', _P + '/jobs/{job_id}', 'jobs:get', jobs.show),
    Route('PATCH', _P + '/jobs/{job_id}', 'jobs:update', jobs.patch),
    Route('POST', _P + '/jobs/{job_id}', 'jobs:create', jobs.replace),
    Route('DELETE', _P + '/jobs/{job_id}', 'jobs:delete', jobs.delete),
    Route('POST', _P + '/jobs/{job_id}/event', 'jobs:event:create',
          jobs.event),
    Route('GET', _P + '/sessions', 'sessions:get_all',
          sessions.list_sessions),
    Route('POST', _P + '/sessions', 'sessions:create', sessions.create),
    Route('GET', _P + '/sessions/{session_id}', 'sessions:get',
          sessions.show),
    Route('PATCH', _P + '/sessions/{session_id}', 'sessions:update',
          sessions.patch),
    Route('POST', _P + '/sessions/{session_id}', 'sessions:replace',
          sessions.replace),
    Route('DELETE', _P + '/sessions/{session_id}', 'sessions:delete',
          sessions.delete),
    Route('POST', _P + '/sessions/{session_id}/action',
          'sessions:action:create', sessions.action),
    Route('PUT', _P + '/sessions/{session_id}/jobs/{job_id}',
          'sessions:job:add', sessions.add_job),
    Route('DELETE', _P + '/sessions/{session_id}/jobs/{job_id}',
          'sessions:job:remove', sessions.remove_job),
    Route('GET', _P + '/actions', 'actions:get_all', actions.list_actions),
    Route('POST', _P + '/actions', 'actions:create', actions.create),
    Route('GET', _P + '/actions/{action_id}', 'actions:get', actions.show),
    Route('PATCH', _P + '/actions/{action_id}', 'actions:update',
          actions.patch),
    Route('POST', _P + '/actions/{action_id}', 'actions:replace',
          actions.replace),
    Route('DELETE', _P + '/actions/{action_id}', 'actions:delete',
          actions.delete),
    Route('GET', _P + '/clients', 'clients:get_all', clients.list_clients),
    Route('POST', _P + '/clients', 'clients:create', clients.create),
    Route('GET', _P + '/clients/{client_id}', 'clients:get', clients.show),
    Route('DELETE', _P + '/clients/{client_id}', 'clients:delete',
          clients.delete),
    Route('GET', _P + '/backups', 'backups:get_all', backups.list_backups),
    Route('POST', _P + '/backups', 'backups:create', backups.create),
    Route('GET', _P + '/backups/{backup_id}', 'backups:get', backups.show),
    Route('PATCH', _P + '/backups/{backup_id}', 'backups:update',
          backups.patch),
    Route('DELETE', _P + '/backups/{backup_id}', 'backups:delete',
          backups.delete),
]

_MAX_SEGMENT = 255


def _segments(template):
    return template.strip('/').split('/')


_TABLE = [(route, _segments(route.template)) for route in ROUTES]


def match(path):
    """[(route, {name: value})] of every route whose path matches."""
    parts = [p for p in path.strip('/').split('/')]
    found = []
    for route, pattern in _TABLE:
        if len(pattern) != len(parts):
            continue
        values = {}
        for want, got in zip(pattern, parts):
            if want.startswith('{'):
                if not got or len(got) > _MAX_SEGMENT:
                    break
                values[want[1:-1]] = got
            elif want != got:
                break
        else:
            found.append((route, values))
    return found
