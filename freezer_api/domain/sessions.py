"""Sessions and named sessions: every row of the operations table.

Each public function runs inside one transaction handed in by the caller.
Lock order, everywhere: session names (sorted), then session rows, then job
rows — so concurrent requests queue instead of deadlocking.
"""

from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.domain import membership
from freezer_api.domain import runs
from freezer_api.domain import schedules

IF_EXISTS = ('update', 'keep')
_WRITABLE = ('description', 'hold_off', 'session_tag', 'status', 'result',
             'time_start', 'time_end', 'time_started', 'time_ended')


def _prepare(document):
    if not isinstance(document, dict):
        raise exceptions.BadRequest('A session must be a JSON object')
    try:
        schemas.validate_session(document)
    except schemas.ValidationFailure as failure:
        raise exceptions.BadRequest(str(failure))
    document = dict(document)
    if 'session_name' in document:
        document['session_name'] = schemas.validate_session_name(
            document['session_name'])
    return document


def _name_taken(session):
    return exceptions.Conflict(
        'A session named %r already exists' % session['session_name'],
        session_id=session['id'])


def get_row(tx, project_id, session_id, lock=False):
    session = tx.get_session(project_id, session_id, lock=lock)
    if session is None:
        raise exceptions.NotFound(
            'No session found with ID %s' % session_id)
    return session


def _insert(tx, project_id, user_id, session_id, document):
    """Insert a session; the caller holds the lock of its name."""
    if document.get('session_name'):
        existing = tx.get_session_by_name(project_id,
                                          document['session_name'])
        if existing is not None:
            raise _name_taken(existing)
    row = {'id': session_id, 'project_id': project_id, 'user_id': user_id,
           'session_name': document.get('session_name'),
           'description': document.get('description'),
           'hold_off': document.get('hold_off', 30),
           'session_tag': document.get('session_tag', 0),
           'schedule': document.get('schedule') or {},
           'status': 'active', 'result': '',
           'time_start': -1, 'time_end': -1,
           'time_started': document.get('time_started', -1),
           'time_ended': document.get('time_ended', -1)}
    try:
        tx.insert_session(row)
    except exceptions.SessionNameTaken:
        raise _name_taken(tx.get_session_by_name(
            project_id, row['session_name']))
    row['version'] = 1
    return row


def _update_values(session, document, merge):
    """Columns for a PATCH (merge) or replace of a session."""
    values = {}
    for key in _WRITABLE:
        if key in document:
            values[key] = document[key]
    if 'schedule' in document:
        schedule = document['schedule'] or {}
        if merge:
            # A given schedule replaces the timing keys, keeps state keys.
            kept = {k: v for k, v in (session['schedule'] or {}).items()
                    if k not in schemas.TIMING_KEYS}
            kept.update(schedule)
            schedule = kept
        values['schedule'] = schedule
    return values


def _apply_update(tx, project_id, user_id, session, document, merge):
    """Update a session and keep membership true to its name; version."""
    values = _update_values(session, document, merge)
    values['user_id'] = user_id
    new_name = session['session_name']
    if 'session_name' in document:
        new_name = document['session_name']
        values['session_name'] = new_name
    if new_name != session['session_name'] and new_name is not None:
        other = tx.get_session_by_name(project_id, new_name)
        if other is not None:
            raise _name_taken(other)
    try:
        tx.update_session(session['id'], values)
    except exceptions.SessionNameTaken:
        raise _name_taken(tx.get_session_by_name(project_id, new_name))
    member_values = {}
    if new_name != session['session_name']:
        member_values['session_name'] = new_name
    given = document.get('schedule') or {}
    if 'event' in given:
        # A schedule that names an event sends it to every member.
        member_values['event'] = given['event'] or None
    if member_values:
        tx.update_members(session['id'], member_values)
    session = dict(session, **values)
    attached = membership.attach_pending_jobs(tx, project_id, session)
    return session['version'] + 1, attached


def create(tx, project_id, user_id, document, if_exists=None):
    """POST /sessions: the answer body and whether it created (201)."""
    document = _prepare(document)
    name = document.get('session_name')
    if if_exists is not None:
        if if_exists not in IF_EXISTS:
            raise exceptions.BadRequest(
                'if_exists must be one of: %s' % ', '.join(IF_EXISTS))
        if name is None:
            raise exceptions.BadRequest(
                'if_exists needs a session_name in the body')
    tx.lock_session_names(project_id, [name])
    existing = name and tx.get_session_by_name(project_id, name, lock=True)
    if existing:
        if if_exists is None:
            raise _name_taken(existing)
        attached = []
        if if_exists == 'update':
            _, attached = _apply_update(tx, project_id, user_id, existing,
                                        document, merge=True)
        return {'session_id': existing['id'], 'session_name': name,
                'created': False, 'attached_job_ids': attached}, False
    session = _insert(tx, project_id, user_id, schedules.new_id(), document)
    attached = membership.attach_pending_jobs(tx, project_id, session)
    return {'session_id': session['id'], 'session_name': name or '',
            'created': True, 'attached_job_ids': attached}, True


def _locked_for_update(tx, project_id, session_id, new_name=None):
    session = get_row(tx, project_id, session_id)
    tx.lock_session_names(project_id, [session['session_name'], new_name])
    return get_row(tx, project_id, session_id, lock=True)


def patch(tx, project_id, user_id, session_id, document):
    document = _prepare(document)
    session = _locked_for_update(tx, project_id, session_id,
                                 document.get('session_name'))
    version, _ = _apply_update(tx, project_id, user_id, session, document,
                               merge=True)
    return version


def replace(tx, project_id, user_id, session_id, document):
    """POST on a session URL: replace it, or create it at that id."""
    document = _prepare(document)
    if tx.get_session(project_id, session_id) is None:
        if tx.id_exists('sessions', session_id):
            raise exceptions.Conflict(
                'A session with ID %s already exists' % session_id)
        tx.lock_session_names(project_id, [document.get('session_name')])
        session = _insert(tx, project_id, user_id, session_id, document)
        membership.attach_pending_jobs(tx, project_id, session)
        return 1
    session = _locked_for_update(tx, project_id, session_id,
                                 document.get('session_name'))
    version, _ = _apply_update(tx, project_id, user_id, session, document,
                               merge=False)
    return version


def delete(tx, project_id, session_id):
    """Members leave and keep their name: they become pending."""
    session = _locked_for_update(tx, project_id, session_id)
    tx.update_members(session_id,
                      membership.leave_values(session['session_name']))
    tx.delete_session(session_id)


def add_job(tx, project_id, session_id, job_id):
    """PUT .../jobs/{job_id}: the job leaves any session and joins this."""
    session = get_row(tx, project_id, session_id)
    job = tx.get_job(project_id, job_id)
    if job is None:
        raise exceptions.NotFound('No job found with ID %s' % job_id)
    tx.lock_session_names(project_id, [session['session_name'],
                                       job['session_name']])
    session = get_row(tx, project_id, session_id, lock=True)
    locked = job['session_name']
    job = tx.get_job(project_id, job_id, lock=True)
    if job is None:
        raise exceptions.NotFound('No job found with ID %s' % job_id)
    if job['session_name'] != locked:
        # Renamed meanwhile: the lock of its new name is needed too.
        tx.lock_session_names(project_id, [job['session_name']])
    if job['session_id'] == session_id:
        return
    tx.update_job(job_id, membership.join_values(session))


def remove_job(tx, project_id, session_id, job_id):
    """DELETE .../jobs/{job_id}: the job leaves and loses its name."""
    session = _locked_for_update(tx, project_id, session_id)
    job = tx.get_job(project_id, job_id, lock=True)
    if job is None or job['session_id'] != session['id']:
        raise exceptions.NotFound(
            'Job %s is not a member of session %s' % (job_id, session_id))
    tx.update_job(job_id, membership.leave_values(None))


# -- documents ---------------------------------------------------------------

def render_many(tx, rows):
    members = {}
    for member in tx.member_summaries([r['id'] for r in rows]):
        members.setdefault(member['session_id'], []).append(member)
    now = schedules.now()
    documents = []
    for row in rows:
        mine = members.get(row['id'], [])
        status, result, time_end = runs.run_state(row, mine, now)
        documents.append({
            'session_id': row['id'],
            'session_name': row['session_name'] or '',
            'project_id': row['project_id'],
            'user_id': row['user_id'],
            'description': row['description'],
            'session_tag': row['session_tag'] or 0,
            'hold_off': row['hold_off'],
            'status': status,
            'result': result,
            'time_start': row['time_start'],
            'time_end': time_end,
            'time_started': row['time_started'],
            'time_ended': row['time_ended'],
            'schedule': row['schedule'] or {},
            'jobs': {m['id']: runs.member_document(m) for m in mine},
        })
    return documents


def show(tx, project_id, session_id):
    return render_many(tx, [get_row(tx, project_id, session_id)])[0]


def list_documents(tx, project_id, filters, limit, offset):
    return render_many(tx, tx.list_sessions(project_id, filters, limit,
                                            offset))
