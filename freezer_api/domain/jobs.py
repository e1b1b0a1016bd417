"""Jobs: create, replace, patch, delete, events, and the job document."""

from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.domain import actions
from freezer_api.domain import membership
from freezer_api.domain import schedules

# Keys a client may send that the server owns; accepted and ignored.
_IGNORED = ('user_id', 'project_id', '_version', 'user_credentials')


def _expand_action_defaults(document):
    defaults = document.pop('action_defaults', None)
    if not defaults:
        return
    for entry in document.get('job_actions') or []:
        freezer_action = entry.setdefault('freezer_action', {})
        for key, value in defaults.items():
            if freezer_action.get(key) is None:
                freezer_action[key] = value


def prepare(document, patch=False):
    """Validate a job body; return it without the keys the server owns.

    Callers run it before their transaction, so a write transaction holds
    its locks only for the writing.
    """
    if not isinstance(document, dict):
        raise exceptions.BadRequest('A job must be a JSON object')
    document = dict(document)
    if isinstance(document.get('action_defaults'), dict):
        document['job_actions'] = [
            dict(e, freezer_action=dict(e.get('freezer_action') or {}))
            if isinstance(e, dict) else e
            for e in document.get('job_actions') or []]
        _expand_action_defaults(document)
    try:
        schemas.validate_job(document, patch=patch)
    except schemas.ValidationFailure as failure:
        raise exceptions.BadRequest(str(failure))
    for key in _IGNORED:
        document.pop(key, None)
    if 'session_name' in document:
        document['session_name'] = schemas.validate_session_name(
            document['session_name'])
    return document


def _check_client(tx, project_id, client_id, entries):
    client = tx.find_client(project_id, client_id)
    if client is None:
        raise exceptions.UnprocessableEntity(
            'Client not found with ID %s' % client_id)
    capabilities = (('action', 'supported_actions'),
                    ('mode', 'supported_modes'),
                    ('storage', 'supported_storages'),
                    ('engine_name', 'supported_engines'))
    for entry in entries:
        freezer_action = entry['freezer_action']
        for key, column in capabilities:
            value = freezer_action.get(key)
            supported = client[column]
            if value and supported is not None and value not in supported:
                raise exceptions.UnprocessableEntity(
                    'Client %s does not support %s: %s'
                    % (client_id, key, value))


def _find_session_for(tx, project_id, name, session_id):
    """The session a new job joins, or None: the spec's create rules."""
    if session_id:
        session = tx.get_session(project_id, session_id, lock='share')
        if session is None:
            raise exceptions.NotFound(
                'No session found with ID %s' % session_id)
        if name is not None and session['session_name'] != name:
            raise exceptions.Conflict(
                'session_id %s and session_name %r name different sessions'
                % (session_id, name))
        return session
    if name is None:
        return None
    # A shared lock on the session keeps it (and its name) in place until
    # the job is written; session deletes and renames lock it exclusively.
    session = tx.get_session_by_name(project_id, name, lock='share')
    if session is None:
        # No session: hold the name (shared, like other job creates) so
        # that a session of that name cannot appear without this job.
        tx.lock_session_names(project_id, [name], shared=True)
        session = tx.get_session_by_name(project_id, name)
    return session


def _new_job_row(project_id, user_id, job_id, document, reset_times):
    own, state = schedules.split(document.get('job_schedule') or {})
    row = {'id': job_id, 'project_id': project_id, 'user_id': user_id,
           'client_id': document['client_id'],
           'description': document.get('description'),
           'schedule': own, 'session_id': '', 'session_tag': 0,
           'session_name': document.get('session_name')}
    for key in schedules.STATE_COLUMNS:
        row[key] = state.get(key)
    if reset_times:
        row['time_created'] = schedules.now()
        row['time_started'] = -1
        row['time_ended'] = -1
    return row


def create(tx, project_id, user_id, document):
    """Create a job from a prepare()d body; the wire answer of POST /jobs."""
    job_id = document.get('job_id')
    if job_id is None:
        job_id = schedules.new_id()
    elif tx.id_exists('jobs', job_id):
        raise exceptions.Conflict('A job with ID %s already exists' % job_id)
    name = document.get('session_name')
    session = _find_session_for(tx, project_id, name,
                                document.get('session_id'))
    _check_client(tx, project_id, document['client_id'],
                  document['job_actions'])
    row = _new_job_row(project_id, user_id, job_id, document, True)
    if session is not None:
        row.update(membership.join_values(session))
    links = actions.store_job_actions(tx, project_id, user_id,
                                      document['job_actions'])
    tx.insert_job(row)
    tx.replace_job_actions(job_id, links, new_job=True)
    return {'job_id': job_id, 'session_id': row['session_id'],
            'session_name': row['session_name'] or ''}


def get_row(tx, project_id, job_id, lock=False):
    job = tx.get_job(project_id, job_id, lock=lock)
    if job is None:
        raise exceptions.NotFound('No job found with ID %s' % job_id)
    return job


def _move(tx, project_id, job, name):
    """Column values that move ``job`` to the session named ``name``."""
    values = {}
    if job['session_id']:
        values.update(membership.leave_values(name))
    values['session_name'] = name
    if name is not None:
        session = tx.get_session_by_name(project_id, name, lock=True)
        if session is not None:
            values.update(membership.join_values(session))
    return values


def _schedule_values(job, schedule, merge):
    """Columns for a new job_schedule; a member may change state keys only."""
    own, state = schedules.split(schedule)
    values = {key: state[key] for key in state}
    if job['session_id']:
        return values
    if merge:
        merged = dict(job['schedule'] or {})
        merged.update(own)
        own = merged
    else:
        for key in schedules.STATE_COLUMNS:
            values.setdefault(key, None)
    values['schedule'] = own
    return values


def _update(tx, project_id, user_id, job, document, merge):
    """Write a PATCH (merge) or replace body onto an existing job row."""
    moving = 'session_name' in document
    if moving:
        # Membership may change: hold both names (schedulers' state
        # PATCHes never name a session and take no name lock).
        names = [job['session_name'], document['session_name']]
        tx.lock_session_names(project_id, names)
    job = get_row(tx, project_id, job['id'], lock=True)
    if moving and job['session_name'] not in names:
        # Renamed meanwhile: the lock of its new name is needed too.
        tx.lock_session_names(project_id, [job['session_name']])
    values = {'user_id': user_id}
    client_id = document.get('client_id', job['client_id'])
    entries = document.get('job_actions')
    if 'client_id' in document or entries is not None:
        if entries is None:
            entries = [{'freezer_action': a['freezer_action']}
                       for a in _actions_of(tx, [job['id']])[job['id']]]
        _check_client(tx, project_id, client_id, entries)
        values['client_id'] = client_id
    if 'description' in document or not merge:
        values['description'] = document.get('description')
    if 'session_tag' in document:
        values['session_tag'] = document['session_tag']
    if 'job_schedule' in document or not merge:
        values.update(_schedule_values(job, document.get('job_schedule'),
                                       merge))
    if 'session_name' in document and (
            document['session_name'] != job['session_name']
            or document['session_name'] is None and job['session_id']):
        # A new name moves the job; an empty one takes it out of even an
        # unnamed session. The same name again changes nothing.
        values.update(_move(tx, project_id, job, document['session_name']))
    if document.get('job_actions') is not None:
        previous = tx.actions_of_jobs([job['id']])[job['id']]
        links = actions.store_job_actions(tx, project_id, user_id,
                                          document['job_actions'], previous)
        tx.replace_job_actions(job['id'], links)
    tx.update_job(job['id'], values)
    return job['version'] + 1


def patch(tx, project_id, user_id, job_id, document):
    """Merge a prepare(patch=True)d body into the job; its new version."""
    job = get_row(tx, project_id, job_id)
    return _update(tx, project_id, user_id, job, document, merge=True)


def replace(tx, project_id, user_id, job_id, document):
    """POST on a job URL: replace the job with a prepare()d body, or
    create it at that id."""
    document = dict(document, job_id=job_id)
    job = tx.get_job(project_id, job_id)
    if job is None:
        create(tx, project_id, user_id, document)
        return 1
    return _update(tx, project_id, user_id, job, document, merge=False)


def delete(tx, project_id, job_id):
    get_row(tx, project_id, job_id, lock=True)
    tx.delete_job(job_id)


def event(tx, project_id, job_id, body):
    """POST .../event: start, stop or abort; the upstream answers."""
    if not isinstance(body, dict) or not body:
        raise exceptions.BadRequest('Bad event request format')
    name = next(iter(body))
    if name not in schemas.JOB_EVENTS:
        raise exceptions.BadRequest('Bad Action Method: %s' % name[:64])
    job = get_row(tx, project_id, job_id, lock=True)
    if job['event'] == name:
        return '%s already requested' % name
    values = {'event': name}
    if name == 'start':
        values.update(status='', result='')
    tx.update_job(job_id, values)
    return 'success'


# -- documents ---------------------------------------------------------------

def _actions_of(tx, job_ids):
    rows = tx.actions_of_jobs(job_ids)
    return {job_id: [actions.render_job_action(r) for r in links]
            for job_id, links in rows.items()}


def render_many(tx, jobs):
    """The job documents of these rows, with two more queries in all."""
    job_actions = _actions_of(tx, [j['id'] for j in jobs])
    session_ids = {j['session_id'] for j in jobs if j['session_id']}
    schedules_by_session = tx.session_schedules(sorted(session_ids))
    documents = []
    for job in jobs:
        documents.append({
            'job_id': job['id'],
            'project_id': job['project_id'],
            'user_id': job['user_id'],
            'client_id': job['client_id'],
            'description': job['description'],
            'session_id': job['session_id'] or '',
            'session_tag': job['session_tag'] or 0,
            'session_name': job['session_name'] or '',
            'job_schedule': schedules.render_job_schedule(
                job, schedules_by_session.get(job['session_id'])),
            'job_actions': job_actions[job['id']],
        })
    return documents


def show(tx, project_id, job_id):
    return render_many(tx, [get_row(tx, project_id, job_id)])[0]


def list_documents(tx, project_id, filters, limit, offset):
    return render_many(tx, tx.list_jobs(project_id, filters, limit, offset))
