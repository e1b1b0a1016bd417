"""Writes to the API that must not be lost when it is down.

Job state PATCHes, session ``end`` calls and backup metadata go through an
outbox: sent at once when the API answers, else kept (also on disk, so a
restart keeps them) and retried with back-off, in order. An outage is
logged once when it starts and once when it ends.
"""

import json
import logging
import os
import threading
import time

from freezer_scheduler.daemon import api

LOG = logging.getLogger(__name__)


class Health(object):
    """Is the API reachable? Back-off between attempts while it is not."""

    def __init__(self, max_backoff=60, clock=time.monotonic):
        self.max_backoff = max_backoff
        self.clock = clock
        self.down_since = None
        self.delay = 0
        self.next_try = 0
        self.lock = threading.Lock()

    @property
    def up(self):
        return self.down_since is None

    def failed(self, error):
        with self.lock:
            now = self.clock()
            if self.down_since is None:
                self.down_since = now
                LOG.error('API unreachable: %s; retrying with back-off '
                          '(running jobs go on)', error)
            self.delay = min(max(1, self.delay * 2), self.max_backoff)
            self.next_try = now + self.delay

    def succeeded(self):
        with self.lock:
            if self.down_since is not None:
                LOG.warning('API reachable again after %ds',
                            self.clock() - self.down_since)
            self.down_since = None
            self.delay = 0
            self.next_try = 0

    def may_try(self):
        return self.clock() >= self.next_try

    def seconds_to_next_try(self):
        return max(0.0, self.next_try - self.clock())


class Outbox(object):
    def __init__(self, gateway, health, path=None):
        self.gateway = gateway
        self.health = health
        self.path = path
        self.ops = []
        self.lock = threading.Lock()
        self.flushing = threading.Lock()
        self._load()

    def _load(self):
        if not self.path or not os.path.exists(self.path):
            return
        try:
            with open(self.path) as handle:
                self.ops = json.load(handle)
        except (OSError, ValueError) as error:
            LOG.error('cannot read pending API writes %s: %s', self.path,
                      error)

    def _save(self):
        if not self.path:
            return
        temporary = self.path + '.tmp'
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                             0o600)
        with os.fdopen(descriptor, 'w') as handle:
            json.dump(self.ops, handle)
        os.replace(temporary, self.path)

    def add(self, op):
        with self.lock:
            self.ops.append(op)
            self._save()

    def patch(self, job_id, body, consumed_event=None):
        """PATCH the job; ``consumed_event``: clear the event only if the
        API still holds that one (a newer user event is never lost)."""
        self.add({'kind': 'patch', 'job_id': job_id, 'body': body,
                  'consumed_event': consumed_event})

    def session_end(self, session_id, job_id, tag, result):
        self.add({'kind': 'session_end', 'job_id': job_id,
                  'session_id': session_id,
                  'body': {'end': {'job_id': job_id, 'current_tag': tag,
                                   'result': result}}})

    def backup(self, job_id, metadata):
        self.add({'kind': 'backup', 'job_id': job_id, 'body': metadata})

    def pending_for(self, job_id):
        with self.lock:
            return any(op['job_id'] == job_id for op in self.ops)

    def __len__(self):
        return len(self.ops)

    def flush(self, force=False):
        """Send what is pending, in order; True when nothing is left."""
        if not force and not self.health.may_try():
            return not self.ops
        with self.flushing:
            while True:
                with self.lock:
                    if not self.ops:
                        return True
                    op = self.ops[0]
                _, error = api.attempt(self._send, op)
                if isinstance(error, api.Unavailable):
                    self.health.failed(error)
                    return False
                self.health.succeeded()
                if error is not None:
                    LOG.error('job %s: the API refused %s: %s',
                              op['job_id'], op['kind'], error)
                with self.lock:
                    if self.ops and self.ops[0] is op:
                        self.ops.pop(0)
                        self._save()

    def _send(self, op):
        if op['kind'] == 'patch':
            body = op['body']
            wanted = op.get('consumed_event')
            if wanted is not None:
                body = self._without_newer_event(op['job_id'], body, wanted)
                if body is None:
                    return
            self.gateway.patch_job(op['job_id'], body)
        elif op['kind'] == 'session_end':
            answer = self.gateway.session_action(op['session_id'],
                                                 op['body'])
            LOG.info('job %s: session %s end: %s', op['job_id'],
                     op['session_id'], (answer or {}).get('result'))
        elif op['kind'] == 'backup':
            self.gateway.create_backup(op['body'])

    def _without_newer_event(self, job_id, body, consumed):
        current = self.gateway.get_job(job_id)
        if current is None:
            LOG.info('job %s is gone; state not written', job_id)
            return None
        event = (current.get('job_schedule') or {}).get('event') or ''
        if event == consumed:
            return body
        schedule = dict(body.get('job_schedule') or {})
        schedule.pop('event', None)
        LOG.info('job %s: event %r arrived meanwhile; left for the next '
                 'poll', job_id, event)
        body = dict(body, job_schedule=schedule)
        if not schedule:
            del body['job_schedule']
        return body or None
