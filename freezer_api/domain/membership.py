"""Joining and leaving a session: the column values each step writes.

Membership is ``jobs.session_id``. The invariant these helpers keep: a job
named N is a member of the live session named N when there is one, and
pending (no session_id) when there is not; a member of an unnamed session
has no name.
"""


def join_values(session):
    """What a job's row takes when it joins ``session``."""
    schedule = session['schedule'] or {}
    return {
        'session_id': session['id'],
        'session_tag': session['session_tag'] or 0,
        'session_name': session['session_name'],
        'member_status': '',
        'member_result': '',
        'member_time_started': -1,
        'member_time_ended': -1,
        # The job starts on the session's schedule; with no event there it
        # is new to the scheduler, which then plans it.
        'event': schedule.get('event') or None,
    }


def leave_values(session_name):
    """What a job's row takes when it leaves its session.

    ``session_name`` is what the job is called afterwards: kept when its
    session was deleted (it becomes pending), None when it was removed.
    """
    return {
        'session_id': '',
        'session_tag': 0,
        'session_name': session_name,
        'member_status': None,
        'member_result': None,
        'member_time_started': None,
        'member_time_ended': None,
        # Never start running alone by surprise.
        'event': 'stop',
    }


def attach_pending_jobs(tx, project_id, session):
    """Make every pending job named like ``session`` a member; their ids.

    The caller holds the name lock, so no job of that name can appear or
    change meanwhile.
    """
    name = session['session_name']
    if not name:
        return []
    job_ids = tx.job_ids_named(project_id, name, exclude_session=session['id'])
    if job_ids:
        tx.update_jobs_named(project_id, name, join_values(session),
                             exclude_session=session['id'])
    return job_ids
