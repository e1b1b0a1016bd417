"""Schedules: the timing/state split that session membership relies on.

A job stores its own timing keys (JSON) and its state keys (columns). While
it is a member of a session, the timing keys it shows are the session's.
"""

import time
import uuid

from freezer_api.common import schemas

STATE_COLUMNS = ('event', 'status', 'result', 'time_created', 'time_started',
                 'time_ended', 'current_pid')


def now():
    return int(time.time())


def new_id():
    return uuid.uuid4().hex


def split(schedule):
    """(own keys for the JSON column, {state column: value})."""
    own = {}
    state = {}
    for key, value in (schedule or {}).items():
        if key in STATE_COLUMNS:
            state[key] = value
        else:
            own[key] = value
    return own, state


def timing_only(schedule):
    return {k: v for k, v in (schedule or {}).items()
            if k in schemas.TIMING_KEYS}


def render_job_schedule(job, session_schedule=None):
    """The job_schedule a job shows: its timing (or its session's) + state."""
    if session_schedule is not None and job['session_id']:
        document = timing_only(session_schedule)
    else:
        document = dict(job['schedule'] or {})
    for key in STATE_COLUMNS:
        if job[key] is not None:
            document[key] = job[key]
    return document
