"""The session handshake before a member job runs.

``start`` answers decide, and are obeyed: ``success`` → run in that run;
``hold-off`` (this job already took part in the open run) or
``out-of-sync`` (the run opened more than hold_off seconds ago) → do not
run now, take the session's tag and wait for the next fire time. While the
API cannot be reached the job waits (with back-off) — a member never runs
without the session's consent.
"""

import collections
import logging

from freezer_scheduler.daemon import api

LOG = logging.getLogger(__name__)

Decision = collections.namedtuple('Decision', 'run tag reason')

REASONS = {
    'hold-off': 'hold-off: this job already took part in the session run '
                'that is open; waiting for the next run',
    'out-of-sync': 'out-of-sync: the session run opened more than hold_off '
                   'seconds ago; waiting for the next run',
}


class Stopping(Exception):
    """The scheduler stops while waiting for the session's answer."""


def join(gateway, health, stopping, session_id, job_id, tag):
    """Ask to take part in the session's run; a Decision."""
    body = {'start': {'job_id': job_id, 'current_tag': tag}}
    while True:
        if stopping.is_set():
            raise Stopping()
        answer, error = api.attempt(gateway.session_action, session_id,
                                    body)
        if isinstance(error, api.Unavailable):
            health.failed(error)
            stopping.wait(max(1.0, health.seconds_to_next_try()))
            continue
        health.succeeded()
        if error is not None:
            return _refused(gateway, session_id, tag, error)
        break
    result = (answer or {}).get('result')
    new_tag = (answer or {}).get('session_tag', tag)
    if result == 'success':
        return Decision(True, new_tag, None)
    reason = REASONS.get(result, 'the session answered %r' % (result,))
    return Decision(False, new_tag, reason)


def _refused(gateway, session_id, tag, error):
    if error.status == 404:
        return Decision(False, None, 'not a member of session %s any more '
                        '(%s)' % (session_id, error.description))
    if error.status == 400:
        # Our tag is above the session's (e.g. the session was re-created):
        # take the session's tag so that the next fire can start a run.
        try:
            session = gateway.get_session(session_id)
            session_tag = int(session.get('session_tag') or 0)
        except (api.ApiError, api.Unavailable, ValueError, TypeError):
            session_tag = None
        return Decision(False, session_tag,
                        'the session refused tag %s: %s'
                        % (tag, error.description))
    return Decision(False, None, 'the session refused the start: %s'
                    % error)
