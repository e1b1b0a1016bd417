"""The OpenAPI 3.1 description of the whole API, built from the code.

What a client may *send* is never written here: every request body schema
is taken from ``freezer_api.common.schemas`` (the schemas the server
validates with), and the filterable keys of list requests from the storage
driver. What the server *answers* (documents, status codes, the error
body), the parameters and the prose are written here, next to nothing
else, so that a change of behaviour shows up as one diff.

``tools/generate_openapi.py`` writes ``build()`` to ``openapi.yaml``, which
the API serves at ``GET /openapi.yaml``; the unit tests check that the
committed file is current and that the document and the route table
describe the same operations.
"""

import copy

from freezer_api.api import routes
from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.db.sqlalchemy import api as sql_api
from freezer_api.domain import sessions as sessions_domain

OPENAPI_VERSION = '3.1.0'
# The wire version of the API, not the package version: the document must
# not change with every commit.
API_VERSION = '2.0'

# Operations the front door answers itself, outside the route table.
FRONT_DOOR = [('GET', '/'), ('GET', '/healthcheck'), ('GET', '/v2/'),
              ('GET', '/openapi.yaml')]


# Ids the examples use. The schemathesis test creates documents with these
# ids so that the examples find something.
EXAMPLE_IDS = {
    'project_id': 'p1',
    'client_id': 'p1_host1',
    'job_id': '0d4e2b1c9a8f4e6d8c7b6a5f4e3d2c1b',
    'session_id': '9c1b2a3d4e5f46a7b8c9d0e1f2a3b4c5',
    'action_id': '5a6b7c8d9e0f41a2b3c4d5e6f7a8b9c0',
    'backup_id': '3e2d1c0b9a8f47e6d5c4b3a2f1e0d9c8',
}
EXAMPLE_SESSION_NAME = 'nightly-db'


def _ref(name, kind='schemas'):
    return {'$ref': '#/components/%s/%s' % (kind, name)}


# -- request bodies: taken from freezer_api.common.schemas -------------------

# Component name -> the schema object the server validates with.
REQUEST_SCHEMAS = {
    'Schedule': schemas.schedule,
    'FreezerAction': schemas.freezer_action,
    'JobAction': schemas.job_action,
    'SessionName': schemas.session_name,
    'JobCreate': schemas.job_create,
    'JobPatch': schemas.job_patch,
    'JobEvent': schemas.job_event,
    'SessionCreate': schemas.session_create,
    'SessionPatch': schemas.session_patch,
    'SessionAction': schemas.session_action,
    'SessionStart': schemas.session_start,
    'SessionEnd': schemas.session_end,
    'ActionCreate': schemas.action_create,
    'ActionPatch': schemas.action_patch,
    'ClientCreate': schemas.client_create,
    'BackupCreate': schemas.backup_create,
    'BackupPatch': schemas.backup_patch,
    'Search': schemas.search,
}

# Sub-schemas shared by several bodies: where another schema embeds one of
# these very objects, the document says $ref instead of repeating it.
_SHARED = ('Schedule', 'FreezerAction', 'JobAction', 'SessionName')

_REQUEST_NOTES = {
    'Schedule': 'When and how a job runs. Timing keys (%s) say when; '
                'state keys (%s) are written by the scheduler. While a job '
                'is a member of a session, the timing keys it shows are its '
                'session\'s.' % (', '.join(schemas.TIMING_KEYS),
                                 ', '.join(schemas.STATE_KEYS)),
    'SessionName': 'A session name: besides this schema, a name must not '
                   'contain control characters nor start or end with white '
                   'space; it is compared exactly (case matters). "" and '
                   'null both mean unset.',
    'JobCreate': 'A job. `client_id` must name a client registered in the '
                 'project (or a central one) that supports every action, '
                 'mode, storage and engine the job uses. `action_defaults` '
                 'is copied into every `freezer_action` lacking a key, then '
                 'dropped. `session_name` puts the job into the session of '
                 'that name, or leaves it pending until one appears.',
    'JobPatch': 'Keys given replace the stored ones; `job_schedule` is '
                'merged key by key. `session_name` moves the job between '
                'sessions; `session_id` is ignored.',
    'JobEvent': 'One key, the event name; its value is ignored.',
    'SessionCreate': '`jobs` is accepted and ignored: membership changes '
                     'through `session_name` and the jobs/{job_id} '
                     'endpoints only.',
    'SessionAction': 'One key, `start` or `end`, holding its arguments.',
    'ActionPatch': 'Keys given replace the stored ones; `freezer_action` '
                   'is merged key by key into the stored one (it must '
                   'still name its `action`).',
    'SessionPatch': 'Keys given replace the stored ones; a `schedule` '
                    'replaces the timing keys and keeps the state keys. '
                    '`session_name` renames the session and its members '
                    '(409 when taken); "" or null un-names it. `jobs` is '
                    'ignored.',
    'ClientCreate': 'The client itself (not wrapped). Registering a '
                    'client_id the project already has updates its '
                    'description and supported_* lists.',
    'BackupCreate': 'Every key but `status` is kept as backup_metadata.',
    'BackupPatch': '`backup_metadata` is merged key by key into the stored '
                   'metadata; `status` replaces the stored one.',
    'Search': 'Optional body of a list request. Every {key: value} of '
              '`match` must equal the document\'s, no {key: value} of '
              '`match_not` may. Values are scalars. The legacy form '
              '{"match": [{"_all": "<JSON list of {key: value}>"}]} is '
              'accepted.',
}


def _with_refs(schema):
    """A deep copy of ``schema`` with the shared sub-schemas as $ref."""
    shared = {id(REQUEST_SCHEMAS[name]): name for name in _SHARED}

    def walk(value, is_root=False):
        if isinstance(value, dict):
            name = shared.get(id(value))
            if name is not None and not is_root:
                return _ref(name)
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return copy.deepcopy(value)

    return walk(schema, is_root=True)


def _request_components():
    components = {}
    for name, schema in REQUEST_SCHEMAS.items():
        component = _with_refs(schema)
        if name in _REQUEST_NOTES:
            component['description'] = _REQUEST_NOTES[name]
        components[name] = component
    # The two run-protocol and event bodies in full: one key, its arguments.
    components['JobEventRequest'] = {
        'allOf': [_ref('JobEvent')],
        'maxProperties': 1,
        'propertyNames': {'enum': list(schemas.JOB_EVENTS)},
        'description': '{"start": ...}, {"stop": ...} or {"abort": ...}.',
    }
    components['SessionActionRequest'] = {
        'allOf': [_ref('SessionAction')],
        'oneOf': [
            {'type': 'object', 'required': ['start'],
             'additionalProperties': False,
             'properties': {'start': _ref('SessionStart')}},
            {'type': 'object', 'required': ['end'],
             'additionalProperties': False,
             'properties': {'end': _ref('SessionEnd')}},
        ],
    }
    return components


_BACKUP_ACTION = {'action': 'backup', 'mode': 'mysql',
                  'path_to_backup': '/var/lib/mysql', 'backup_name': 'db',
                  'container': 'backups', 'storage': 'swift'}

# Request examples by component: {example name: value}. Each must validate
# against its component (the unit tests check it).
REQUEST_EXAMPLES = {
    'JobCreate': {'named': {
        'summary': 'A job that belongs to the session named nightly-db.',
        'value': {'client_id': EXAMPLE_IDS['client_id'],
                  'description': 'nightly database dump',
                  'session_name': EXAMPLE_SESSION_NAME,
                  'job_schedule': {'schedule_interval': '1 days'},
                  'job_actions': [{'freezer_action': _BACKUP_ACTION,
                                   'max_retries': 3,
                                   'max_retries_interval': 60}]}}},
    'JobPatch': {'leave': {
        'summary': 'Leave the session, become standalone.',
        'value': {'session_name': ''}}},
    'JobEventRequest': {'start': {'summary': 'Ask the scheduler to start it.',
                                  'value': {'start': None}}},
    'SessionCreate': {'named': {
        'summary': 'A named session; it gathers the jobs of that name.',
        'value': {'session_name': EXAMPLE_SESSION_NAME,
                  'description': 'consistent nightly dump',
                  'hold_off': 60,
                  'schedule': {'schedule_interval': '1 days',
                               'schedule_start_date':
                                   '2024-01-01T02:00:00'}}}},
    'SessionPatch': {'rename': {'summary': 'Rename the session.',
                                'value': {'session_name': 'nightly-all'}}},
    'SessionActionRequest': {
        'start': {'summary': 'A member job asks to start a run.',
                  'value': {'start': {'job_id': EXAMPLE_IDS['job_id'],
                                      'current_tag': 0}}},
        'end': {'summary': 'A member job reports the end of its run.',
                'value': {'end': {'job_id': EXAMPLE_IDS['job_id'],
                                  'current_tag': 1,
                                  'result': 'success'}}}},
    'ActionCreate': {'backup': {
        'summary': 'A standalone backup action.',
        'value': {'freezer_action': _BACKUP_ACTION, 'max_retries': 3,
                  'max_retries_interval': 60}}},
    'ActionPatch': {'retries': {'summary': 'Retry more often.',
                                'value': {'max_retries': 5}}},
    'ClientCreate': {'host': {
        'summary': 'A scheduler registers its host.',
        'value': {'client_id': EXAMPLE_IDS['client_id'],
                  'hostname': 'host1', 'description': 'database node',
                  'supported_actions': ['backup', 'restore'],
                  'supported_modes': ['fs', 'mysql'],
                  'supported_storages': ['swift', 'local'],
                  'supported_engines': ['tar']}}},
    'BackupCreate': {'agent': {
        'summary': 'What freezer-agent reports after a backup.',
        'value': {'container': 'backups', 'hostname': 'host1',
                  'backup_name': 'db', 'status': 'available',
                  'job_id': EXAMPLE_IDS['job_id'],
                  'time_stamp': 1700000000}}},
    'BackupPatch': {'deleting': {'summary': 'Mark it for deletion.',
                                 'value': {'status': 'deleting'}}},
    'Search': {'completed': {
        'summary': 'Completed documents not of host2.',
        'value': {'match': [{'status': 'completed'}],
                  'match_not': [{'client_id': 'p1_host2'}]}}},
}

# -- responses: written here --------------------------------------------------

_ID = {'type': 'string'}
_NULLABLE_STRING = {'type': ['string', 'null']}
_NULLABLE_INT = {'type': ['integer', 'null']}


def _object(properties, required=None, **extra):
    """An object schema; every property is required unless told."""
    schema = {'type': 'object',
              'required': sorted(properties) if required is None
              else required,
              'properties': properties}
    schema.update(extra)
    return schema


def _response_components():
    freezer_action_columns = ('action', 'mode', 'path_to_backup',
                              'backup_name', 'container', 'timeout',
                              'priority', 'log_file')
    return {
        'Error': _object(
            {'title': {'type': 'string'}, 'description': {'type': 'string'}},
            description='Every error the API answers itself.'),
        'SessionConflict': {
            'allOf': [_ref('Error')],
            'properties': {'title': {'const': exceptions.Conflict.title},
                           'session_id': _ID},
            'description': 'When the session name is taken, `session_id` '
                           'is the id of the session that holds it.'},
        'Versions': _object({'versions': {
            'type': 'array', 'minItems': 1,
            'items': _object({
                'id': {'type': 'string'}, 'status': {'type': 'string'},
                'updated': {'type': 'string'},
                'links': {'type': 'array', 'items': _object(
                    {'href': {'type': 'string'},
                     'rel': {'type': 'string'}})}})}}),
        'HomeDocument': _object({'resources': {
            'type': 'object',
            'additionalProperties': _object({
                'href-template': {'type': 'string'},
                'href-vars': {'type': 'object',
                              'additionalProperties': {'type': 'string'}},
                'hints': {'type': 'object'}})}},
            description='JSON-Home document (RFC draft "home documents").'),
        # Jobs
        'FreezerActionDocument': {
            'allOf': [_ref('FreezerAction')],
            'required': list(freezer_action_columns),
            'description': 'The stored freezer_action; the keys upstream '
                           'keeps in columns are always present (null when '
                           'unset).'},
        'JobActionDocument': _object({
            'action_id': _ID, 'project_id': _ID, 'user_id': _ID,
            'max_retries': _NULLABLE_INT, 'max_retries_interval':
                _NULLABLE_INT,
            'mandatory': {'type': 'boolean'},
            'freezer_action': _ref('FreezerActionDocument')}),
        'Job': _object({
            'job_id': _ID, 'project_id': _ID, 'user_id': _ID,
            'client_id': {'type': 'string'},
            'description': _NULLABLE_STRING,
            'session_id': {'type': 'string',
                           'description': '"" when not in a session.'},
            'session_tag': {'type': 'integer'},
            'session_name': {'type': 'string',
                             'description': '"" when unset.'},
            'job_schedule': _ref('Schedule'),
            'job_actions': {'type': 'array',
                            'items': _ref('JobActionDocument')}}),
        'JobList': _object({'jobs': {'type': 'array',
                                     'items': _ref('Job')}}),
        'JobCreated': _object({
            'job_id': _ID,
            'session_id': {'type': 'string',
                           'description': 'The session the job joined; "" '
                                          'when pending or unnamed.'},
            'session_name': {'type': 'string'}}),
        'JobWritten': _object({'job_id': _ID,
                               'version': {'type': 'integer'}}),
        'JobEventResult': _object({'result': {
            'type': 'string',
            'description': '"success", or "<event> already requested".'}}),
        # Sessions
        'SessionMember': _object({
            'client_id': {'type': 'string'},
            'status': {'type': 'string',
                       'description': 'Per-run status: "", "running" or '
                                      '"completed".'},
            'result': {'type': 'string'},
            'time_started': {'type': 'integer'},
            'time_ended': {'type': 'integer'}}),
        'Session': _object({
            'session_id': _ID, 'project_id': _ID, 'user_id': _ID,
            'session_name': {'type': 'string',
                             'description': '"" when unset.'},
            'description': _NULLABLE_STRING,
            'session_tag': {'type': 'integer'},
            'hold_off': _NULLABLE_INT,
            'status': _NULLABLE_STRING, 'result': _NULLABLE_STRING,
            'time_start': _NULLABLE_INT, 'time_end': _NULLABLE_INT,
            'time_started': _NULLABLE_INT, 'time_ended': _NULLABLE_INT,
            'schedule': _ref('Schedule'),
            'jobs': {'type': 'object',
                     'description': 'Members by job_id.',
                     'additionalProperties': _ref('SessionMember')}}),
        'SessionList': _object({'sessions': {'type': 'array',
                                             'items': _ref('Session')}}),
        'SessionCreated': _object({
            'session_id': _ID, 'session_name': {'type': 'string'},
            'created': {'type': 'boolean'},
            'attached_job_ids': {'type': 'array', 'items': _ID}}),
        'SessionWritten': _object({'session_id': _ID,
                                   'version': {'type': 'integer'}}),
        'SessionRunAnswer': _object({
            'result': {'type': 'string',
                       'enum': ['success', 'hold-off', 'out-of-sync']},
            'session_tag': {'type': 'integer'}}),
        # Actions
        'Action': _object({
            'action_id': _ID, 'project_id': _ID, 'user_id': _ID,
            'max_retries': _NULLABLE_INT,
            'max_retries_interval': _NULLABLE_INT,
            'mandatory': {'type': 'boolean'},
            'timeout': _NULLABLE_INT,
            'freezer_action': _ref('FreezerActionDocument')}),
        'ActionList': _object({'actions': {'type': 'array',
                                           'items': _ref('Action')}}),
        'ActionCreated': _object({'action_id': _ID}),
        'ActionWritten': _object({'action_id': _ID,
                                  'version': {'type': 'integer'}}),
        # Clients
        'Client': _object({
            'project_id': _ID, 'user_id': _ID,
            'client': _object({
                'uuid': _ID, 'client_id': {'type': 'string'},
                'hostname': _NULLABLE_STRING,
                'description': _NULLABLE_STRING,
                'is_central': {'type': 'boolean'},
                'supported_actions': {'type': 'array',
                                      'items': {'enum': schemas.ACTIONS}},
                'supported_modes': {'type': 'array',
                                    'items': {'enum': schemas.MODES}},
                'supported_storages': {'type': 'array',
                                       'items': {'enum': schemas.STORAGES}},
                'supported_engines': {'type': 'array',
                                      'items': {'enum': schemas.ENGINES}},
            })},
            description='Lists and lookups also find the central clients '
                        'of every project.'),
        'ClientList': _object({'clients': {'type': 'array',
                                           'items': _ref('Client')}}),
        'ClientCreated': _object({'client_id': {'type': 'string'}}),
        # Backups
        'Backup': _object({
            'backup_id': _ID, 'project_id': _ID, 'user_id': _ID,
            'status': {'type': 'string', 'enum': schemas.BACKUP_STATUSES},
            'backup_metadata': {'type': 'object'}}),
        'BackupList': _object({'backups': {'type': 'array',
                                           'items': _ref('Backup')}}),
        'BackupCreated': _object({'backup_id': _ID}),
    }


# Error answers: status -> (component name, exception class, when).
_ERRORS = {
    400: ('BadRequest', exceptions.BadRequest,
          'Malformed JSON, a body or parameter that breaks its schema, or '
          'a value too large for its field.'),
    401: ('Unauthorized', exceptions.Unauthorized,
          'No valid token (keystone mode). The body comes from '
          'keystonemiddleware or the API, so its shape may vary.'),
    403: ('Forbidden', exceptions.Forbidden,
          'The policy forbids this operation to the caller.'),
    404: ('NotFound', exceptions.NotFound,
          'No such document in this project, or no such resource.'),
    405: ('MethodNotAllowed', exceptions.MethodNotAllowed,
          'Not a method of this resource (or of the run protocol).'),
    406: ('NotAcceptable', exceptions.NotAcceptable,
          'The Accept header does not allow JSON.'),
    409: ('Conflict', exceptions.Conflict,
          'The id (or session name) is already taken.'),
    413: ('BodyTooLarge', exceptions.BodyTooLarge,
          'The body is larger than [api] max_request_body_size.'),
    422: ('UnprocessableEntity', exceptions.UnprocessableEntity,
          'The job\'s client is unknown or lacks a capability the job '
          'needs.'),
    503: ('ServiceUnavailable', exceptions.ServiceUnavailable,
          'The database is unreachable or too busy.'),
}


def _error_response(status):
    name, error, when = _ERRORS[status]
    if status == 401:
        schema = {'type': 'object'}
    else:
        schema = {'allOf': [_ref('Error')],
                  'properties': {'title': {'const': error.title}}}
    return {'description': '%s: %s' % (error.title, when),
            'content': {'application/json': {'schema': schema}}}


def _json(description, schema_name, media_type='application/json'):
    return {'description': description,
            'content': {media_type: {'schema': _ref(schema_name)}}}


_NO_CONTENT = {'description': 'Done; no body.'}

# -- parameters ---------------------------------------------------------------

_PATH_PARAMETERS = {
    'project_id': ('The project (tenant) the documents belong to.',
                   {'type': 'string', 'minLength': 1, 'maxLength': 255}),
    'job_id': ('A job id.', schemas.identifier),
    'session_id': ('A session id.', schemas.identifier),
    'action_id': ('An action id.', schemas.identifier),
    'backup_id': ('A backup id.', schemas.identifier),
    'client_id': ('The client_id of a client (not its uuid).',
                  schemas.client_create['properties']['client_id']),
}

_PYTHON_TYPES = {str: 'string', int: 'integer', bool: 'boolean'}


def _path_parameter(name):
    description, schema = _PATH_PARAMETERS[name]
    return {'name': name, 'in': 'path', 'required': True,
            'description': description, 'schema': copy.deepcopy(schema),
            'example': EXAMPLE_IDS[name]}


def _body_content(component):
    media = {'schema': _ref(component)}
    if component in REQUEST_EXAMPLES:
        media['examples'] = copy.deepcopy(REQUEST_EXAMPLES[component])
    return {'application/json': media}


def _list_parameters(collection):
    """limit, offset and one exact-match filter per filterable key."""
    parameters = [
        {'name': 'limit', 'in': 'query', 'required': False,
         'description': 'Page size; absent or 0 means [api] default_limit, '
                        'larger than [api] max_limit is clamped.',
         'schema': {'type': 'integer', 'minimum': 0}},
        {'name': 'offset', 'in': 'query', 'required': False,
         'description': 'Documents to skip.',
         'schema': {'type': 'integer', 'minimum': 0,
                    'maximum': schemas.INT32_MAX}},
    ]
    if collection == 'jobs':
        parameters.append({
            'name': 'all_projects', 'in': 'query', 'required': False,
            'deprecated': True,
            'description': 'Accepted for upstream clients and ignored: a '
                           'listing covers the project in the URL.',
            'schema': {'type': 'boolean'}})
    for key, column in sql_api.FILTERABLE[collection].items():
        if callable(column):  # computed at query time
            column = column()
        kind = _PYTHON_TYPES[column.type.python_type]
        description = 'Only documents whose %s equals this value.' % key
        if key == 'session_name':
            description += ' "" finds the documents without a name.'
        parameters.append({'name': key, 'in': 'query', 'required': False,
                           'description': description,
                           'schema': {'type': kind}})
    return parameters


_IF_EXISTS = {
    'name': 'if_exists', 'in': 'query', 'required': False,
    'description': 'What to do when a live session of the project already '
                   'has the body\'s session_name: "update" updates it from '
                   'the body (needs sessions:update too), "keep" leaves it '
                   'as it is; either way the answer is 200 with "created": '
                   'false. Without it, a taken name is 409. Needs a '
                   'session_name in the body (else 400).',
    'schema': {'type': 'string',
               'enum': list(sessions_domain.IF_EXISTS)}}

# -- operations ---------------------------------------------------------------

# What each route of routes.ROUTES takes and answers. Keys: summary,
# body (request component; "search" for the optional list body), query
# (extra parameters), ok ({status: response}), errors (statuses beyond the
# ones every /v2 operation can answer).
_COMMON_ERRORS = (401, 403, 404, 406, 503)
_BODY_ERRORS = (400, 413)


def _list(collection, schema_name):
    return {'summary': 'List %s.' % collection, 'body': 'search',
            'collection': collection,
            'ok': {200: _json('One page of %s.' % collection, schema_name)}}


_P = '/v2/{project_id}'
OPERATIONS = {
    # Jobs
    ('GET', _P + '/jobs'): _list('jobs', 'JobList'),
    ('POST', _P + '/jobs'): {
        'summary': 'Create a job.', 'body': 'JobCreate',
        'ok': {201: _json('Created; the session it joined, if any.',
                          'JobCreated')},
        'errors': (409, 422),
        'notes': 'With `session_id`, that session must exist (404) and '
                 'agree with a given `session_name` (409).'},
    ('GET', _P + '/jobs/{job_id}'): {
        'summary': 'Show a job.',
        'ok': {200: _json('The job.', 'Job')}},
    ('PATCH', _P + '/jobs/{job_id}'): {
        'summary': 'Update a job.', 'body': 'JobPatch',
        'ok': {200: _json('Updated; the new version.', 'JobWritten')},
        'errors': (422,)},
    ('POST', _P + '/jobs/{job_id}'): {
        'summary': 'Replace a job, or create it at this id.',
        'body': 'JobCreate',
        'ok': {201: _json('Written; the new version.', 'JobWritten')},
        'errors': (409, 422)},
    ('DELETE', _P + '/jobs/{job_id}'): {
        'summary': 'Delete a job (it leaves its session).',
        'ok': {204: _NO_CONTENT}},
    ('POST', _P + '/jobs/{job_id}/event'): {
        'summary': 'Send start, stop or abort to a job.',
        'body': 'JobEventRequest',
        'ok': {202: _json('Recorded.', 'JobEventResult')}},
    # Sessions
    ('GET', _P + '/sessions'): _list('sessions', 'SessionList'),
    ('POST', _P + '/sessions'): {
        'summary': 'Create a session; a named one gathers the pending jobs '
                   'of its name.',
        'body': 'SessionCreate', 'query': [_IF_EXISTS],
        'ok': {201: _json('Created.', 'SessionCreated'),
               200: _json('The name was taken and if_exists said what to '
                          'do; nothing created.', 'SessionCreated')},
        'errors': (409,), 'conflict': True},
    ('GET', _P + '/sessions/{session_id}'): {
        'summary': 'Show a session, with its members\' per-run status.',
        'ok': {200: _json('The session.', 'Session')}},
    ('PATCH', _P + '/sessions/{session_id}'): {
        'summary': 'Update, rename or un-name a session.',
        'body': 'SessionPatch',
        'ok': {200: _json('Updated; the new version.', 'SessionWritten')},
        'errors': (409,), 'conflict': True},
    ('POST', _P + '/sessions/{session_id}'): {
        'summary': 'Replace a session, or create it at this id.',
        'body': 'SessionCreate',
        'ok': {201: _json('Written; the new version.', 'SessionWritten')},
        'errors': (409,), 'conflict': True},
    ('DELETE', _P + '/sessions/{session_id}'): {
        'summary': 'Delete a session; its members become pending (named) '
                   'or standalone.',
        'ok': {204: _NO_CONTENT}},
    ('POST', _P + '/sessions/{session_id}/action'): {
        'summary': 'Run protocol: a member job starts or ends a run.',
        'body': 'SessionActionRequest',
        'ok': {202: _json('What the job is to do, and the session tag.',
                          'SessionRunAnswer')},
        'errors': (405,),
        'notes': '404 when the job is not a member; 405 for an action '
                 'other than start and end; 400 when the job\'s tag is '
                 'ahead of the session\'s.'},
    ('PUT', _P + '/sessions/{session_id}/jobs/{job_id}'): {
        'summary': 'Add a job to a session by id; it takes the session\'s '
                   'name.',
        'ok': {204: _NO_CONTENT}},
    ('DELETE', _P + '/sessions/{session_id}/jobs/{job_id}'): {
        'summary': 'Remove a member job from a session; it loses the name.',
        'ok': {204: _NO_CONTENT}},
    # Actions
    ('GET', _P + '/actions'): _list('actions', 'ActionList'),
    ('POST', _P + '/actions'): {
        'summary': 'Create an action.', 'body': 'ActionCreate',
        'ok': {201: _json('Created.', 'ActionCreated')},
        'errors': (409,)},
    ('GET', _P + '/actions/{action_id}'): {
        'summary': 'Show an action.',
        'ok': {200: _json('The action.', 'Action')}},
    ('PATCH', _P + '/actions/{action_id}'): {
        'summary': 'Update an action.', 'body': 'ActionPatch',
        'ok': {200: _json('Updated; the new version.', 'ActionWritten')}},
    ('POST', _P + '/actions/{action_id}'): {
        'summary': 'Replace an action, or create it at this id.',
        'body': 'ActionCreate',
        'ok': {201: _json('Written; the new version.', 'ActionWritten')},
        'errors': (409,)},
    ('DELETE', _P + '/actions/{action_id}'): {
        'summary': 'Delete an action; jobs lose it.',
        'ok': {204: _NO_CONTENT}},
    # Clients
    ('GET', _P + '/clients'): _list('clients', 'ClientList'),
    ('POST', _P + '/clients'): {
        'summary': 'Register a client, or refresh its capabilities.',
        'body': 'ClientCreate',
        'ok': {201: _json('Registered.', 'ClientCreated')},
        'errors': (409,),
        'notes': 'A central client (is_central) needs '
                 'clients:create_central.'},
    ('GET', _P + '/clients/{client_id}'): {
        'summary': 'Show a client.',
        'ok': {200: _json('The client.', 'Client')}},
    ('DELETE', _P + '/clients/{client_id}'): {
        'summary': 'Delete a client of this project.',
        'ok': {204: _NO_CONTENT}},
    # Backups
    ('GET', _P + '/backups'): _list('backups', 'BackupList'),
    ('POST', _P + '/backups'): {
        'summary': 'Record a backup.', 'body': 'BackupCreate',
        'ok': {201: _json('Recorded.', 'BackupCreated')},
        'errors': (409,)},
    ('GET', _P + '/backups/{backup_id}'): {
        'summary': 'Show a backup.',
        'ok': {200: _json('The backup.', 'Backup')}},
    ('PATCH', _P + '/backups/{backup_id}'): {
        'summary': 'Update a backup\'s status or metadata.',
        'body': 'BackupPatch',
        'ok': {200: _json('The updated backup.', 'Backup')}},
    ('DELETE', _P + '/backups/{backup_id}'): {
        'summary': 'Delete a backup record.',
        'ok': {204: _NO_CONTENT}},
}


def _path_names(template):
    return [part[1:-1] for part in template.strip('/').split('/')
            if part.startswith('{')]


def _route_operation(route):
    spec = OPERATIONS[(route.method, route.template)]
    module = route.handler.__module__.rsplit('.', 1)[-1]
    operation = {
        'operationId': '%s_%s' % (module, route.handler.__name__),
        'tags': [module],
        'summary': spec['summary'],
        'x-policy-rule': route.rule,
        'parameters': [_path_parameter(name)
                       for name in _path_names(route.template)],
    }
    if 'notes' in spec:
        operation['description'] = spec['notes']
    if 'collection' in spec:
        operation['parameters'] += _list_parameters(spec['collection'])
    operation['parameters'] += copy.deepcopy(spec.get('query', []))
    body = spec.get('body')
    if body == 'search':
        operation['requestBody'] = {
            'required': False,
            'description': 'An optional search document. GET with a body '
                           'is what upstream clients send.',
            'content': _body_content('Search')}
    elif body is not None:
        operation['requestBody'] = {'required': True,
                                    'content': _body_content(body)}
    statuses = set(_COMMON_ERRORS) | set(spec.get('errors', ()))
    if body is not None or 'query' in spec:
        statuses |= set(_BODY_ERRORS)
    responses = {str(code): response
                 for code, response in spec['ok'].items()}
    for status in sorted(statuses):
        if status == 409 and spec.get('conflict'):
            responses['409'] = _json('The session name (or the id) is '
                                     'taken.', 'SessionConflict')
        else:
            responses[str(status)] = _ref(_ERRORS[status][0], 'responses')
    operation['responses'] = dict(sorted(responses.items()))
    return operation


def _front_door_operations():
    text = {'text/plain': {'schema': {'type': 'string'}}}
    return {
        '/': {'get': {
            'operationId': 'versions', 'tags': ['versions'],
            'summary': 'The API versions this server offers.',
            'security': [],
            'responses': {'300': _json('The versions document.',
                                       'Versions')}}},
        '/healthcheck': {'get': {
            'operationId': 'healthcheck', 'tags': ['versions'],
            'summary': 'Is the service up? (No database check.)',
            'security': [],
            'responses': {
                '200': {'description': 'OK.', 'content': text},
                '503': {'description': 'Disabled by the operator\'s file '
                                       '/etc/freezer/healthcheck_disable.',
                        'content': text}}}},
        '/v2/': {'get': {
            'operationId': 'home_document', 'tags': ['versions'],
            'summary': 'The v2 home document (jobs and backups only, as '
                       'upstream).',
            'responses': {
                '200': _json('The JSON-Home document.', 'HomeDocument',
                             'application/json-home'),
                '401': _ref('Unauthorized', 'responses'),
                '406': _ref('NotAcceptable', 'responses')}}},
        '/openapi.yaml': {'get': {
            'operationId': 'openapi_document', 'tags': ['versions'],
            'summary': 'This document.',
            'security': [],
            'responses': {'200': {
                'description': 'This OpenAPI document, in YAML.',
                'content': {'application/yaml': {'schema': {
                    'type': 'object',
                    'required': ['openapi', 'info', 'paths'],
                    'properties': {'openapi': {'const': OPENAPI_VERSION}},
                }}}}}}},
    }


def build():
    """The OpenAPI 3.1 document, as a plain dict."""
    described = set(OPERATIONS)
    served = {(r.method, r.template) for r in routes.ROUTES}
    if described != served:
        raise ValueError('openapi.OPERATIONS and routes.ROUTES differ: '
                         'undescribed %s, unserved %s'
                         % (sorted(served - described),
                            sorted(described - served)))
    paths = _front_door_operations()
    for route in routes.ROUTES:
        paths.setdefault(route.template, {})[route.method.lower()] = \
            _route_operation(route)
    schemas_section = _request_components()
    schemas_section.update(_response_components())
    return {
        'openapi': OPENAPI_VERSION,
        'info': {
            'title': 'Freezer API (freezer-sessions)',
            'version': API_VERSION,
            'description': (
                'Backup orchestration API compatible with OpenStack '
                'Freezer v2, with named sessions. Errors are JSON '
                '{"title", "description"}. With [api] auth_strategy = '
                'noauth the caller is taken from the X-User-Id, '
                'X-Project-Id and X-Roles headers; otherwise a Keystone '
                'token is required.'),
            'license': {'name': 'Apache-2.0',
                        'identifier': 'Apache-2.0'},
        },
        'security': [{'keystone': []}],
        'tags': [{'name': name} for name in (
            'versions', 'jobs', 'sessions', 'actions', 'clients',
            'backups')],
        'paths': dict(sorted(paths.items())),
        'components': {
            'securitySchemes': {'keystone': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token',
                'description': 'A Keystone token.'}},
            'schemas': dict(sorted(schemas_section.items())),
            'responses': {name: _error_response(status)
                          for status, (name, _, _) in
                          sorted(_ERRORS.items())},
        },
    }
