"""JSON schemas of every document the API accepts: the one source of truth.

This module imports nothing but the standard library and ``jsonschema`` so
that the command line can validate job and session files without loading
the server stack.
"""

import re

import jsonschema

MAX_NAME_LENGTH = 255
MAX_ID_LENGTH = 36
INT32_MIN = -2 ** 31
INT32_MAX = 2 ** 31 - 1

ACTIONS = ['backup', 'restore', 'info', 'admin', 'exec']
MODES = ['fs', 'mongo', 'mysql', 'sqlserver', 'cinder', 'glance',
         'cindernative', 'nova']
STORAGES = ['local', 'swift', 'ssh', 's3', 'ftp', 'ftps']
ENGINES = ['tar', 'rsync', 'rsyncv2', 'nova', 'osbrick', 'glance']
BACKUP_STATUSES = ['creating', 'available', 'error', 'deleting', 'deleted']
JOB_EVENTS = ['start', 'stop', 'abort']
SESSION_ACTIONS = ['start', 'end']

# Keys of a schedule that say *when* a job runs; a session's schedule
# supplies these to its members.
TIMING_KEYS = (
    'schedule_date', 'schedule_interval', 'schedule_start_date',
    'schedule_end_date', 'schedule_year', 'schedule_month', 'schedule_day',
    'schedule_week', 'schedule_day_of_week', 'schedule_hour',
    'schedule_minute', 'schedule_second')
# Keys of a schedule that say *what state* a job is in; always the job's own.
STATE_KEYS = ('event', 'status', 'result', 'time_created', 'time_started',
              'time_ended', 'current_pid')

_LABEL = r'[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
_FQDN = r'%s(\.%s)*' % (_LABEL, _LABEL)
HOSTNAME_PATTERN = r'^%s$' % _FQDN
CLIENT_ID_PATTERN = r'^([\w-]+_)?%s$' % _FQDN
ID_PATTERN = r'^[\w-]+$'
DATETIME_PATTERN = (r'^[+-]?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?'
                    r'(Z|[+-]\d{2}:\d{2})?$')
INTERVAL_PATTERN = r'^(continuous|\d+ +(weeks|days|hours|minutes|seconds))$'

_CONTROL_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f]')

int32 = {'type': 'integer', 'minimum': INT32_MIN, 'maximum': INT32_MAX}
non_negative_int32 = {'type': 'integer', 'minimum': 0, 'maximum': INT32_MAX}
short_string = {'type': 'string', 'maxLength': 255}
nullable_short_string = {'type': ['string', 'null'], 'maxLength': 255}
identifier = {'type': 'string', 'pattern': ID_PATTERN,
              'maxLength': MAX_ID_LENGTH}
optional_identifier = {'type': ['string', 'null'], 'pattern': r'^[\w-]*$',
                       'maxLength': MAX_ID_LENGTH}
# Names are checked by validate_session_name(); the schema only bounds type
# and length so that the OpenAPI document can describe it.
session_name = {'type': ['string', 'null'], 'maxLength': MAX_NAME_LENGTH}

schedule = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'time_created': int32,
        'time_started': int32,
        'time_ended': int32,
        'current_pid': int32,
        'event': {'type': 'string',
                  'enum': ['', 'stop', 'start', 'abort', 'remove']},
        'status': {'type': 'string',
                   'enum': ['', 'completed', 'stop', 'scheduled', 'running',
                            'aborting', 'removed']},
        'result': {'type': 'string',
                   'enum': ['', 'success', 'fail', 'aborted']},
        'schedule_date': {'type': 'string', 'pattern': DATETIME_PATTERN},
        'schedule_start_date': {'type': 'string',
                                'pattern': DATETIME_PATTERN},
        'schedule_end_date': {'type': 'string', 'pattern': DATETIME_PATTERN},
        'schedule_interval': {'type': 'string', 'pattern': INTERVAL_PATTERN},
        'schedule_year': {'type': 'string', 'pattern': r'^\d{4}$'},
        'schedule_month': short_string,
        'schedule_day': short_string,
        'schedule_week': short_string,
        'schedule_day_of_week': short_string,
        'schedule_hour': short_string,
        'schedule_minute': short_string,
        'schedule_second': short_string,
    },
}

freezer_action = {
    'type': 'object',
    'required': ['action'],
    'properties': {
        'action': {'type': 'string', 'enum': ACTIONS},
        'mode': {'type': ['string', 'null'], 'enum': MODES + [None]},
        'path_to_backup': nullable_short_string,
        'backup_name': nullable_short_string,
        'container': nullable_short_string,
        'log_file': nullable_short_string,
        'restore_abs_path': {'type': ['string', 'null']},
        'cindernative_freezer_only': {'type': ['boolean', 'null']},
        'timeout': {'type': ['integer', 'null'], 'minimum': INT32_MIN,
                    'maximum': INT32_MAX},
        'priority': {'type': ['integer', 'null'], 'minimum': INT32_MIN,
                     'maximum': INT32_MAX},
        'storage': {'type': ['string', 'null']},
        'engine_name': {'type': ['string', 'null']},
    },
}

# Defaults copied into every freezer_action of a job that lacks the key.
action_defaults = dict(freezer_action, required=[])

job_action = {
    'type': 'object',
    'required': ['freezer_action'],
    'properties': {
        'action_id': identifier,
        'freezer_action': freezer_action,
        'max_retries': {'type': ['integer', 'null'], 'minimum': 0,
                        'maximum': INT32_MAX},
        'max_retries_interval': {'type': ['integer', 'null'], 'minimum': 0,
                                 'maximum': INT32_MAX},
        'mandatory': {'type': ['boolean', 'null']},
        'user_id': {'type': ['string', 'null']},
        'project_id': {'type': ['string', 'null']},
    },
}

_job_properties = {
    'job_id': identifier,
    'client_id': {'type': 'string', 'pattern': CLIENT_ID_PATTERN,
                  'maxLength': 255},
    'description': nullable_short_string,
    'job_schedule': schedule,
    'job_actions': {'type': 'array', 'items': job_action, 'maxItems': 100},
    'action_defaults': action_defaults,
    'session_id': optional_identifier,
    'session_tag': non_negative_int32,
    'session_name': session_name,
    # Server-owned keys that clients echo back; accepted and ignored.
    'user_id': {'type': ['string', 'null']},
    'project_id': {'type': ['string', 'null']},
    '_version': {'type': 'integer'},
    'user_credentials': {'type': ['object', 'null']},
}

job_create = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['client_id', 'job_actions'],
    'properties': _job_properties,
}

job_patch = {
    'type': 'object',
    'additionalProperties': False,
    'properties': _job_properties,
}

session_create = {
    'type': 'object',
    'properties': {
        'session_id': identifier,
        'session_name': session_name,
        'description': nullable_short_string,
        'hold_off': non_negative_int32,
        'session_tag': non_negative_int32,
        'schedule': schedule,
        'status': nullable_short_string,
        'result': nullable_short_string,
        'time_start': int32,
        'time_end': int32,
        'time_started': int32,
        'time_ended': int32,
        # Upstream clients send these; membership never changes through them.
        'jobs': {'type': ['object', 'array', 'null']},
        'user_id': {'type': ['string', 'null']},
        'project_id': {'type': ['string', 'null']},
    },
}

session_patch = session_create

job_event = {
    'type': 'object',
    'minProperties': 1,
}

session_action = {
    'type': 'object',
    'minProperties': 1,
}

session_start = {
    'type': 'object',
    'required': ['job_id', 'current_tag'],
    'properties': {
        'job_id': identifier,
        'current_tag': {'type': ['integer', 'string'],
                        'pattern': r'^\d{1,9}$', 'minimum': 0,
                        'maximum': INT32_MAX},
    },
}

session_end = {
    'type': 'object',
    'required': ['job_id', 'result'],
    'properties': {
        'job_id': identifier,
        'current_tag': {'type': ['integer', 'string']},
        'result': {'type': 'string', 'maxLength': 255},
    },
}

# A standalone action has the shape of a job's action entry.
action_create = job_action

action_patch = dict(action_create, required=[], properties=dict(
    action_create['properties'], freezer_action=action_defaults))

client_create = {
    'type': 'object',
    'required': ['client_id'],
    'properties': {
        'client_id': {'type': 'string', 'pattern': CLIENT_ID_PATTERN,
                      'maxLength': 255},
        'hostname': {'type': ['string', 'null'], 'pattern': HOSTNAME_PATTERN,
                     'maxLength': 128},
        'description': nullable_short_string,
        'uuid': identifier,
        'is_central': {'type': 'boolean'},
        'supported_actions': {'type': 'array', 'uniqueItems': True,
                              'items': {'enum': ACTIONS}},
        'supported_modes': {'type': 'array', 'uniqueItems': True,
                            'items': {'enum': MODES}},
        'supported_storages': {'type': 'array', 'uniqueItems': True,
                               'items': {'enum': STORAGES}},
        'supported_engines': {'type': 'array', 'uniqueItems': True,
                              'items': {'enum': ENGINES}},
    },
}

_non_empty = {'type': 'string', 'minLength': 1, 'maxLength': 255}

backup_create = {
    'type': 'object',
    'required': ['container', 'hostname', 'backup_name'],
    'properties': {
        'container': _non_empty,
        'hostname': _non_empty,
        'backup_name': _non_empty,
        'status': {'type': 'string', 'enum': BACKUP_STATUSES},
        'job_id': {'type': ['string', 'null'], 'maxLength': MAX_ID_LENGTH},
    },
}

backup_patch = {
    'type': 'object',
    'minProperties': 1,
    'properties': {
        'backup_metadata': {'type': 'object'},
        'status': {'type': 'string', 'enum': BACKUP_STATUSES},
    },
}

search = {
    'type': 'object',
    'properties': {
        'match': {'type': 'array', 'items': {'type': 'object'}},
        'match_not': {'type': 'array', 'items': {'type': 'object'}},
    },
}


class ValidationFailure(ValueError):
    """A document broke a schema; ``field`` is the dotted path to it."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self):
        if self.field:
            return '%s: %s' % (self.field, self.message)
        return self.message


try:  # a compiled validator, when installed, answers "valid?" faster
    import jsonschema_rs
except ImportError:  # pragma: no cover - optional
    jsonschema_rs = None

_validators = {}


def _validator(schema):
    key = id(schema)
    validators = _validators.get(key)
    if validators is None:
        fast = None
        if jsonschema_rs is not None:
            fast = jsonschema_rs.Draft7Validator(schema)
        validators = (jsonschema.Draft7Validator(schema), fast)
        _validators[key] = validators
    return validators


def validate(schema, document):
    """Raise ValidationFailure for the first way ``document`` breaks it."""
    validator, fast = _validator(schema)
    if fast is not None and fast.is_valid(document):
        return
    # The message (and the final word) come from jsonschema itself.
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        field = '.'.join(str(p) for p in error.absolute_path)
        raise ValidationFailure(field, error.message.splitlines()[0][:300])


def validate_session_name(value, field='session_name'):
    """Return the canonical name: None when unset, else the checked name."""
    if value is None or value == '':
        return None
    if not isinstance(value, str):
        raise ValidationFailure(field, 'must be a string')
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationFailure(
            field, 'is longer than %d characters' % MAX_NAME_LENGTH)
    if _CONTROL_CHARS.search(value):
        raise ValidationFailure(field, 'must not contain control characters')
    if value != value.strip():
        raise ValidationFailure(
            field, 'must not start or end with white space')
    return value


def validate_job(document, patch=False):
    """Validate a job create/replace (or, with patch, a PATCH) body."""
    validate(job_patch if patch else job_create, document)
    if 'session_name' in document:
        validate_session_name(document['session_name'])


def validate_session(document):
    """Validate a session create/replace/PATCH body."""
    validate(session_create, document)
    if 'session_name' in document:
        validate_session_name(document['session_name'])
