"""Policy rules and their defaults: the names upstream freezer-api uses."""

import threading
import time

from oslo_config import cfg
from oslo_policy import policy

from freezer_api.common import exceptions

_BASE = [
    ('context_is_admin', 'role:admin', 'Administrator.'),
    ('admin_or_owner', 'rule:context_is_admin or rule:project_member',
     'Administrator, or a member of the project in the URL.'),
    ('admin_or_owner_or_service',
     'rule:admin_or_service or rule:project_member',
     'Administrator, service user, or a member of the project.'),
    ('admin_or_service', 'role:admin or role:service',
     'Administrator or service user.'),
    ('project_member', 'role:member and project_id:%(project_id)s',
     'Member of the project in the URL.'),
    ('project_reader', 'role:reader and project_id:%(project_id)s',
     'Reader of the project in the URL.'),
    ('admin_or_reader_or_service',
     'rule:admin_or_owner_or_service or rule:project_reader',
     'Anyone who may read the project.'),
]

_OWNER = 'rule:admin_or_owner'
_READER = 'rule:admin_or_reader_or_service'
_SERVICE = 'rule:admin_or_owner_or_service'

# (rule, default, method, path, description)
_OPERATIONS = [
    ('actions:create', _OWNER, 'POST', '/v2/{project_id}/actions',
     'Create an action.'),
    ('actions:get_all', _READER, 'GET', '/v2/{project_id}/actions',
     'List actions.'),
    ('actions:get', _READER, 'GET', '/v2/{project_id}/actions/{action_id}',
     'Show an action.'),
    ('actions:update', _OWNER, 'PATCH',
     '/v2/{project_id}/actions/{action_id}', 'Update an action.'),
    ('actions:replace', _OWNER, 'POST',
     '/v2/{project_id}/actions/{action_id}', 'Replace an action.'),
    ('actions:delete', _OWNER, 'DELETE',
     '/v2/{project_id}/actions/{action_id}', 'Delete an action.'),
    ('backups:create', _SERVICE, 'POST', '/v2/{project_id}/backups',
     'Record a backup.'),
    ('backups:get_all', _READER, 'GET', '/v2/{project_id}/backups',
     'List backups.'),
    ('backups:get', _READER, 'GET', '/v2/{project_id}/backups/{backup_id}',
     'Show a backup.'),
    ('backups:update', _SERVICE, 'PATCH',
     '/v2/{project_id}/backups/{backup_id}', 'Update a backup.'),
    ('backups:delete', _SERVICE, 'DELETE',
     '/v2/{project_id}/backups/{backup_id}', 'Delete a backup.'),
    ('clients:create', _OWNER, 'POST', '/v2/{project_id}/clients',
     'Register a client.'),
    ('clients:create_central', 'rule:admin_or_service', 'POST',
     '/v2/{project_id}/clients', 'Register a central client.'),
    ('clients:get_all', _READER, 'GET', '/v2/{project_id}/clients',
     'List clients.'),
    ('clients:get', _READER, 'GET', '/v2/{project_id}/clients/{client_id}',
     'Show a client.'),
    ('clients:delete', _OWNER, 'DELETE',
     '/v2/{project_id}/clients/{client_id}', 'Delete a client.'),
    ('jobs:create', _OWNER, 'POST', '/v2/{project_id}/jobs',
     'Create a job, or replace one (POST on the job URL).'),
    ('jobs:get_all', _READER, 'GET', '/v2/{project_id}/jobs', 'List jobs.'),
    ('jobs:get_all_projects', 'rule:admin_or_service', 'GET',
     '/v2/{project_id}/jobs', 'Reserved: list jobs of every project.'),
    ('jobs:get', _READER, 'GET', '/v2/{project_id}/jobs/{job_id}',
     'Show a job.'),
    ('jobs:update', _OWNER, 'PATCH', '/v2/{project_id}/jobs/{job_id}',
     'Update a job.'),
    ('jobs:delete', _OWNER, 'DELETE', '/v2/{project_id}/jobs/{job_id}',
     'Delete a job.'),
    ('jobs:event:create', _OWNER, 'POST',
     '/v2/{project_id}/jobs/{job_id}/event', 'Send an event to a job.'),
    ('sessions:create', _OWNER, 'POST', '/v2/{project_id}/sessions',
     'Create a session.'),
    ('sessions:get_all', _READER, 'GET', '/v2/{project_id}/sessions',
     'List sessions.'),
    ('sessions:get', _READER, 'GET',
     '/v2/{project_id}/sessions/{session_id}', 'Show a session.'),
    ('sessions:update', _OWNER, 'PATCH',
     '/v2/{project_id}/sessions/{session_id}', 'Update a session.'),
    ('sessions:replace', _OWNER, 'POST',
     '/v2/{project_id}/sessions/{session_id}', 'Replace a session.'),
    ('sessions:delete', _OWNER, 'DELETE',
     '/v2/{project_id}/sessions/{session_id}', 'Delete a session.'),
    ('sessions:action:create', _OWNER, 'POST',
     '/v2/{project_id}/sessions/{session_id}/action',
     'Start or end a run of a session.'),
    ('sessions:job:add', _OWNER, 'PUT',
     '/v2/{project_id}/sessions/{session_id}/jobs/{job_id}',
     'Add a job to a session.'),
    ('sessions:job:remove', _OWNER, 'DELETE',
     '/v2/{project_id}/sessions/{session_id}/jobs/{job_id}',
     'Remove a job from a session.'),
]


def list_rules():
    """Every default rule, for oslopolicy-sample-generator."""
    rules = [policy.RuleDefault(name, check, description=desc,
                                scope_types=['project'])
             for name, check, desc in _BASE]
    rules += [policy.DocumentedRuleDefault(
        name, check, desc, [{'method': method, 'path': path}],
        scope_types=['project'])
        for name, check, method, path, desc in _OPERATIONS]
    return rules


_enforcer = None
_lock = threading.Lock()


def get_enforcer(conf=None):
    """The process-wide enforcer (also the oslo.policy.enforcer hook)."""
    global _enforcer
    if _enforcer is None:
        with _lock:
            if _enforcer is None:
                enforcer = policy.Enforcer(conf or cfg.CONF)
                enforcer.register_defaults(list_rules())
                _enforcer = enforcer
    return _enforcer


def reset():
    global _enforcer
    _enforcer = None
    _decisions.clear()


# Decisions are cached for a few seconds: oslo.policy inspects every check
# function's signature on each call, which costs more than the request's
# own work. A changed policy file is still read within DECISION_TTL.
DECISION_TTL = 10.0
_MAX_DECISIONS = 10000
_decisions = {}


def _decide(context, rule, project_id):
    key = (rule, project_id, context.project_id, context.user_id,
           context.domain_id, context.system_scope, context.is_admin,
           tuple(sorted(context.roles or ())))
    now = time.monotonic()
    cached = _decisions.get(key)
    if cached is not None and now - cached[1] < DECISION_TTL:
        return cached[0]
    allowed = get_enforcer().authorize(
        rule, {'project_id': project_id}, context.to_policy_values(),
        do_raise=False)
    if len(_decisions) >= _MAX_DECISIONS:
        _decisions.clear()
    _decisions[key] = (allowed, now)
    return allowed


def authorize(context, rule, project_id):
    """Raise Forbidden unless ``context`` may do ``rule`` in the project."""
    if not _decide(context, rule, project_id):
        raise exceptions.Forbidden(
            'You are not allowed to access this resource')


def allowed(context, rule, project_id):
    return _decide(context, rule, project_id)
