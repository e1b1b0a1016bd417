"""The daemon's Service against the real API served in-process.

The API is freezer_api's own application on a fresh SQLite database
(``freezer_api.tests.functional.apifixture``); only the HTTP socket is
skipped. Every request the daemon makes is recorded so that tests can check
what it wrote.
"""

import time

from freezer_api.tests.functional import apifixture

from freezer_scheduler.daemon import api
from freezer_scheduler.daemon import runner
from freezer_scheduler.daemon import service

PROJECT = 'unitproject'
STATE_KEYS = {'event', 'status', 'result', 'time_started', 'time_ended',
              'current_pid'}


class RecordingApi(object):
    def __init__(self):
        self.fixture = apifixture.API('sqlite')
        self.sent = []
        self.down = False

    def close(self):
        self.fixture.close()

    def call(self, method, path, body=None):
        return self.fixture.request(method, '/v2/%s%s' % (PROJECT, path),
                                    body, headers={'X-Project-Id': PROJECT})

    def request(self, method, path, body, expect):
        """The daemon's requester (see daemon/api.py)."""
        if self.down:
            raise api.Unavailable('the test switched the API off')
        self.sent.append((method, path, body))
        status, document = self.call(method, path, body)
        if status >= 500:
            raise api.Unavailable('HTTP %d' % status)
        if status not in expect:
            description = (document or {}).get('description') \
                if isinstance(document, dict) else document
            raise api.ApiError(status, description)
        return document

    def patches(self):
        return [(path, body) for method, path, body in self.sent
                if method == 'PATCH']

    def job(self, job_id):
        status, document = self.call('GET', '/jobs/%s' % job_id)
        assert status == 200, document
        return document

    def create_job(self, client_id, command, **extra):
        body = {'client_id': client_id,
                'job_actions': [{'freezer_action': {'action': 'exec',
                                                    'command': command},
                                 'max_retries': 0}]}
        body.update(extra)
        status, document = self.call('POST', '/jobs', body)
        assert status == 201, document
        return document['job_id']


def make_service(recording, state_dir, client_id='unitnode', **settings):
    options = service.Options(
        client_id=client_id, interval=1,
        capabilities={'supported_actions': ['backup', 'restore', 'info',
                                            'admin', 'exec']},
        state_dir=str(state_dir), jobs_cache=None, all_projects=False,
        is_central=False, hostname='unithost', max_backoff=1,
        concurrent_jobs=2)
    run_settings = runner.Settings(state_dir=str(state_dir),
                                   client_id=client_id, kill_grace=2,
                                   **settings)
    return service.Service(api.Gateway(recording.request), options,
                           run_settings)


def drive(daemon, until, timeout=15, what='condition'):
    """Run the main loop's steps until ``until()`` is true."""
    deadline = time.monotonic() + timeout
    while True:
        daemon.next_poll = 0  # poll on every step
        daemon.step()
        value = until()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.1)
