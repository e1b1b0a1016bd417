"""Reading and validating job and session files before anything is sent.

Validation uses freezer_api.common.schemas, the schemas the API itself
applies, so a file that passes here fails on the server only for reasons
that need the server (an unknown client, a taken name).
Every failure is an InputError: one line naming the file and the field.
"""

import json
import os
import re

from freezer_api.common import schemas

# Files --job-dir picks up: JSON documents, by either extension upstream
# used for job files.
JOB_FILE_SUFFIXES = ('.json', '.conf')

_REQUIRED = re.compile(r"^'([^']+)' is a required property$")
# The value a message starts with, when long enough to drown it: keep
# its start.
_LONG_VALUE = re.compile(r"^'([^']{40})[^']{8,}'")
_UNEXPECTED = re.compile(r"^Additional properties are not allowed "
                         r"\('([^']+)'")


class InputError(Exception):
    """A file (or flag) is unusable; nothing has been sent."""

    def __init__(self, path, field, message):
        super().__init__(message)
        self.path = path
        self.field = field
        self.message = message

    def __str__(self):
        parts = [self.path] if self.path else []
        if self.field:
            parts.append(self.field)
        parts.append(' '.join(self.message.split()))
        return ': '.join(parts)


class JobFile(object):
    """A validated job file: its path and the document to send."""

    def __init__(self, path, document):
        self.path = path
        self.document = document

    @property
    def job_id(self):
        return self.document.get('job_id') or None

    @property
    def session_name(self):
        return self.document.get('session_name') or None


class SessionFile(JobFile):
    """A validated session file."""

    @property
    def session_id(self):
        return self.document.get('session_id') or None


def read_json_object(path):
    """The JSON object held by ``path``."""
    try:
        with open(path, 'rb') as stream:
            raw = stream.read()
    except OSError as error:
        raise InputError(path, None, 'cannot read: %s' % (
            error.strerror or error))
    try:
        document = json.loads(raw.decode('utf-8'))
    except UnicodeDecodeError:
        raise InputError(path, None, 'is not UTF-8 text')
    except (ValueError, RecursionError) as error:
        raise InputError(path, None, 'invalid JSON: %s' % error)
    if not isinstance(document, dict):
        raise InputError(path, None, 'must hold a JSON object, not %s'
                         % type(document).__name__)
    return document


def _schema_error(path, failure):
    """An InputError naming the field the schema failure is about."""
    field = failure.field
    message = _LONG_VALUE.sub(r"'\1...'", failure.message)
    for pattern, text in ((_REQUIRED, 'is required'),
                          (_UNEXPECTED, 'is not a known field')):
        found = pattern.match(message)
        if found:
            field = '.'.join(p for p in (field, found.group(1)) if p)
            message = text
            break
    return InputError(path, field or None, message)


def _check(path, validate, document):
    try:
        validate(document)
        schemas.validate_session_name(document.get('session_name'))
    except schemas.ValidationFailure as failure:
        raise _schema_error(path, failure)


def load_job_file(path, client_id=None):
    """Read and validate one job file; ``client_id`` replaces the file's."""
    document = read_json_object(path)
    if client_id:
        document['client_id'] = client_id
    try:
        _check(path, schemas.validate_job, document)
    except InputError as error:
        if error.field == 'client_id' and error.message == 'is required':
            error.message = 'is required: set it in the file or pass ' \
                            '--client-id'
        raise
    return JobFile(path, document)


def load_session_file(path):
    """Read and validate one session file."""
    document = read_json_object(path)
    _check(path, schemas.validate_session, document)
    return SessionFile(path, document)


def job_paths(files, directories):
    """The job files named by --job-file and found in each --job-dir."""
    paths = list(files or [])
    for directory in directories or []:
        if not os.path.isdir(directory):
            raise InputError(directory, None, 'is not a directory')
        found = sorted(
            os.path.join(directory, name) for name in os.listdir(directory)
            if name.lower().endswith(JOB_FILE_SUFFIXES)
            and os.path.isfile(os.path.join(directory, name)))
        if not found:
            patterns = ' or '.join('*' + s for s in JOB_FILE_SUFFIXES)
            raise InputError(directory, None, 'holds no %s files' % patterns)
        paths.extend(found)
    if not paths:
        raise InputError(None, None,
                         'no job files: give --job-file or --job-dir')
    unique = []
    for path in paths:
        if path not in unique:
            unique.append(path)
    return unique


def load_job_files(paths, client_id=None):
    """Validate every file; a job_id used by two files is an error too."""
    loaded = []
    owners = {}
    for path in paths:
        job = load_job_file(path, client_id)
        if job.job_id is not None:
            if job.job_id in owners:
                raise InputError(path, 'job_id', '%r is also the job_id of %s'
                                 % (job.job_id, owners[job.job_id]))
            owners[job.job_id] = path
        loaded.append(job)
    return loaded


def unify_session_name(session_file, job_files):
    """Case 1 of the spec: the one name the session and the jobs share.

    If the session file names the session, every job file must name the
    same session or none; if it does not, the job files that name one must
    all name the same. Files without a name take it. Returns the name.
    """
    name = session_file.session_name
    origin = session_file.path
    for job in job_files:
        if job.session_name is None:
            continue
        if name is None:
            name, origin = job.session_name, job.path
        elif job.session_name != name:
            raise InputError(job.path, 'session_name',
                             '%r differs from %r in %s; nothing was sent'
                             % (job.session_name, name, origin))
    if name is None:
        raise InputError(session_file.path, 'session_name',
                         'neither the session file nor the job files name '
                         'the session; set session_name in one of them')
    session_file.document['session_name'] = name
    for job in job_files:
        job.document['session_name'] = name
    return name
