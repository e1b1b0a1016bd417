"""The run protocol of a session: ``start`` and ``end``.

Decision table for ``start`` (T = session tag, J = the job's tag, the
window is ``hold_off`` seconds from the start of the current run):

=============  ============  =================================  ===========
J vs T         window        what happens                       result
=============  ============  =================================  ===========
J > T          any           nothing                            400
J = T          open          nothing (already in this run)      hold-off
J < T          open          the job joins the current run      success
J = T          closed        a new run opens (T+1, members      success
                             reset), the job joins it
J < T          closed        nothing (missed this run)          out-of-sync
=============  ============  =================================  ===========

``end`` records the member's result if it joined the current run (else
``out-of-sync``, nothing written). A run completes when every member has
ended, or once the window has closed, when every member that joined has;
its result is ``success`` only if every member joined and succeeded.
"""

from freezer_api.common import exceptions
from freezer_api.common import schemas
from freezer_api.domain import schedules

DEFAULT_HOLD_OFF = 30
JOINED = ('running', 'completed')


def member_document(member):
    return {'client_id': member['client_id'],
            'status': member['member_status'] or '',
            'result': member['member_result'] or '',
            'time_started': _int(member['member_time_started']),
            'time_ended': _int(member['member_time_ended'])}


def _int(value):
    return -1 if value is None else value


def _window_closed(session, now):
    hold_off = session['hold_off']
    if hold_off is None:
        hold_off = DEFAULT_HOLD_OFF
    return now - (session['time_start'] or 0) > hold_off


def run_state(session, members, now):
    """(status, result, time_end) of a session as a reader sees it now."""
    status, result = session['status'], session['result']
    time_end = session['time_end']
    if status != 'running' or not members:
        return status, result, time_end
    joined = [m for m in members if m['member_status'] in JOINED]
    ended = [m for m in joined if m['member_status'] == 'completed']
    everyone_ended = len(ended) == len(members)
    if not everyone_ended and not (joined and len(ended) == len(joined)
                                   and _window_closed(session, now)):
        return status, result, time_end
    succeeded = everyone_ended and all(
        m['member_result'] == 'success' for m in ended)
    time_end = max([_int(m['member_time_ended']) for m in ended] or [now])
    return 'completed', 'success' if succeeded else 'fail', time_end


def _parse(body):
    if not isinstance(body, dict) or not body:
        raise exceptions.BadRequest('Bad action request format')
    name = next(iter(body))
    if name not in schemas.SESSION_ACTIONS:
        raise exceptions.MethodNotAllowed('Bad Action Method: %s'
                                          % str(name)[:64])
    arguments = body[name]
    schema = schemas.session_start if name == 'start' else schemas.session_end
    if not isinstance(arguments, dict):
        raise exceptions.BadRequest('%s needs an object' % name)
    try:
        schemas.validate(schema, arguments)
    except schemas.ValidationFailure as failure:
        raise exceptions.BadRequest(str(failure))
    return name, arguments


def _member(tx, project_id, session, job_id):
    job = tx.get_job(project_id, job_id, lock=True)
    if job is None or job['session_id'] != session['id']:
        raise exceptions.NotFound('Job %s is not a member of session %s'
                                  % (job_id, session['id']))
    return job


def _finish_if_complete(tx, session, now):
    members = tx.member_summaries([session['id']])
    status, result, time_end = run_state(session, members, now)
    if status != session['status']:
        tx.update_session(session['id'], {'status': status,
                                          'result': result,
                                          'time_end': time_end})


def _start(tx, session, job, job_tag, now):
    tag = session['session_tag'] or 0
    if job_tag > tag:
        raise exceptions.BadRequest(
            'requested tag value too high. Session Tag: %d Job Tag: %d'
            % (tag, job_tag))
    if not _window_closed(session, now):
        if job_tag == tag:
            return 'hold-off', tag
    elif job_tag < tag:
        return 'out-of-sync', tag
    else:
        tag += 1
        tx.update_members(session['id'], {
            'member_status': '', 'member_result': '',
            'member_time_started': -1, 'member_time_ended': -1})
        tx.update_session(session['id'], {
            'session_tag': tag, 'time_start': now, 'time_end': -1,
            'status': 'running', 'result': ''})
    tx.update_job(job['id'], {'member_status': 'running',
                              'member_result': '',
                              'member_time_started': now,
                              'member_time_ended': -1,
                              'session_tag': tag})
    return 'success', tag


def _end(tx, session, job, result, now):
    tag = session['session_tag'] or 0
    if job['member_status'] != 'running':
        return 'out-of-sync', tag
    tx.update_job(job['id'], {'member_status': 'completed',
                              'member_result': result,
                              'member_time_ended': now})
    _finish_if_complete(tx, session, now)
    return 'success', tag


def act(tx, project_id, session_id, body):
    """POST .../action: returns {"result", "session_tag"}."""
    name, arguments = _parse(body)
    session = tx.get_session(project_id, session_id, lock=True)
    if session is None:
        raise exceptions.NotFound('No session found with ID %s' % session_id)
    job = _member(tx, project_id, session, arguments['job_id'])
    now = schedules.now()
    if name == 'start':
        result, tag = _start(tx, session, job,
                             int(arguments['current_tag']), now)
    else:
        result, tag = _end(tx, session, job, arguments['result'], now)
    return {'result': result, 'session_tag': tag}
