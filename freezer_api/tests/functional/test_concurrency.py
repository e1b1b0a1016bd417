"""16 concurrent clients on two API processes sharing one database.

For a bounded time they create, rename, move, attach, detach and delete,
and run start/end on sessions. Afterwards: no request got a 5xx, the
named-session invariant holds, and every attach that was acknowledged is
still there (nobody else touches those jobs).
"""

import random
import threading
import time

import pytest
import requests

from freezer_api.db import storage
from freezer_api.domain import invariant
from freezer_api.tests import backends
from freezer_api.tests.functional import apifixture
from freezer_api.tests.functional import servers

CLIENTS = 16
SECONDS = 6
VOLATILE_NAMES = ['v0', 'v1', 'v2', 'V0']
P = '/v2/p1'


class Worker(threading.Thread):

    def __init__(self, url, shared, seed):
        super().__init__(daemon=True)
        self.url = url + P
        self.shared = shared
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.errors = []
        self.acked = []   # (job_id, session_id) attaches acknowledged
        self.mine = []    # jobs only this worker touches

    def call(self, method, path, body=None):
        response = self.http.request(method, self.url + path, json=body,
                                     timeout=60)
        if response.status_code >= 500:
            self.errors.append((method, path, body, response.status_code,
                                response.text[:300]))
        return response

    def run(self):
        deadline = time.monotonic() + SECONDS
        operations = [self.attach_by_name, self.attach_by_id,
                      self.volatile_job, self.volatile_session,
                      self.rename, self.delete_session, self.move_job,
                      self.add_volatile, self.remove_volatile,
                      self.delete_job, self.run_protocol]
        try:
            while time.monotonic() < deadline:
                self.random.choice(operations)()
        except requests.RequestException as error:
            self.errors.append(('transport', repr(error)))

    def _pick(self, key):
        items = self.shared[key]
        return self.random.choice(items) if items else None

    def attach_by_name(self):
        response = self.call('POST', '/jobs', apifixture.exec_job('stable'))
        if response.status_code == 201:
            self.acked.append((response.json()['job_id'],
                               self.shared['stable']))
            self.mine.append(response.json()['job_id'])

    def attach_by_id(self):
        response = self.call('POST', '/jobs', apifixture.exec_job())
        if response.status_code != 201:
            return
        job_id = response.json()['job_id']
        session_id = self.shared['unnamed']
        if self.call('PUT', '/sessions/%s/jobs/%s' % (session_id, job_id)
                     ).status_code == 204:
            self.acked.append((job_id, session_id))
            self.mine.append(job_id)

    def volatile_job(self):
        name = self.random.choice(VOLATILE_NAMES + [None])
        response = self.call('POST', '/jobs', apifixture.exec_job(name))
        if response.status_code == 201:
            self.shared['jobs'].append(response.json()['job_id'])

    def volatile_session(self):
        name = self.random.choice(VOLATILE_NAMES)
        query = self.random.choice(['', '?if_exists=keep',
                                    '?if_exists=update'])
        response = self.call('POST', '/sessions' + query,
                             {'session_name': name, 'hold_off': 0})
        if response.status_code in (200, 201):
            self.shared['sessions'].append(response.json()['session_id'])

    def rename(self):
        session_id = self._pick('sessions')
        if session_id:
            self.call('PATCH', '/sessions/' + session_id,
                      {'session_name': self.random.choice(
                          VOLATILE_NAMES + [None])})

    def delete_session(self):
        session_id = self._pick('sessions')
        if session_id:
            self.call('DELETE', '/sessions/' + session_id)

    def move_job(self):
        job_id = self._pick('jobs')
        if job_id:
            self.call('PATCH', '/jobs/' + job_id, {'session_name':
                      self.random.choice(VOLATILE_NAMES + [None])})

    def add_volatile(self):
        job_id, session_id = self._pick('jobs'), self._pick('sessions')
        if job_id and session_id:
            self.call('PUT', '/sessions/%s/jobs/%s' % (session_id, job_id))

    def remove_volatile(self):
        job_id, session_id = self._pick('jobs'), self._pick('sessions')
        if job_id and session_id:
            self.call('DELETE', '/sessions/%s/jobs/%s' % (session_id,
                                                          job_id))

    def delete_job(self):
        job_id = self._pick('jobs')
        if job_id:
            self.call('DELETE', '/jobs/' + job_id)

    def run_protocol(self):
        if not self.acked:
            return
        job_id, session_id = self.random.choice(self.acked)
        job = self.call('GET', '/jobs/' + job_id)
        if job.status_code != 200:
            return
        tag = job.json()['session_tag']
        path = '/sessions/%s/action' % session_id
        started = self.call('POST', path, {'start': {'job_id': job_id,
                                                     'current_tag': tag}})
        if started.status_code == 202:
            self.call('POST', path, {'end': {
                'job_id': job_id, 'current_tag': tag,
                'result': self.random.choice(['success', 'fail'])}})


@pytest.mark.parametrize('backend', backends.BACKENDS)
def test_concurrent_clients_keep_the_invariant(backend):
    backends.require(backend)
    database = servers.migrated_database(backend)
    first = servers.APIServer(database.url)
    second = servers.APIServer(database.url)
    try:
        http = requests.Session()
        base = first.url + P
        assert http.post(base + '/clients',
                         json={'client_id': 'p1_host1'}).status_code == 201
        shared = {'jobs': [], 'sessions': [],
                  'stable': http.post(base + '/sessions', json={
                      'session_name': 'stable', 'hold_off': 1}
                  ).json()['session_id'],
                  'unnamed': http.post(base + '/sessions', json={
                      'hold_off': 1}).json()['session_id']}
        workers = [Worker(first.url if i % 2 else second.url, shared, i)
                   for i in range(CLIENTS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(SECONDS + 120)
        errors = [e for w in workers for e in w.errors]
        assert errors == [], '%d errors, first %r; logs:\n%s\n%s' % (
            len(errors), errors[:3], first.log(), second.log())
        apifixture.configure(database.url)
        found = storage.get().run(invariant.violations, write=False)
        assert found == []
        acked = [a for w in workers for a in w.acked]
        assert acked, 'the run acknowledged no attach at all'
        for session_id in (shared['stable'], shared['unnamed']):
            document = http.get('%s/sessions/%s' % (base, session_id)).json()
            wanted = {job for job, session in acked if session == session_id}
            assert wanted <= set(document['jobs'])
    finally:
        first.stop()
        second.stop()
        storage.reset()
        database.drop()
