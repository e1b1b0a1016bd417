"""Real freezer-api processes for end-to-end tests."""

import os
import socket
import subprocess
import sys
import tempfile
import time

import requests

from freezer_api.db import migrate
from freezer_api.tests.functional import apifixture


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def _executable(name):
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.path.exists(candidate) else name


class APIServer(object):
    """``freezer-api`` in noauth mode on a loopback port of its own."""

    def __init__(self, database_url, workers=1, threads=4):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self._dir = tempfile.TemporaryDirectory()
        config = os.path.join(self._dir.name, 'freezer-api.conf')
        with open(config, 'w') as handle:
            handle.write(
                '[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = %d\n'
                'workers = %d\nthreads_per_worker = %d\n'
                'state_path = %s\n[api]\nauth_strategy = noauth\n'
                '[database]\nconnection = %s\n'
                % (self.port, workers, threads, self._dir.name,
                   database_url))
        self._log = open(os.path.join(self._dir.name, 'api.log'), 'w')
        self.process = subprocess.Popen(
            [_executable('freezer-api'), '--config-file', config],
            stdout=self._log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('freezer-api exited: %s' % self.log())
            try:
                if requests.get(self.url + '/', timeout=1).status_code == 300:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError('freezer-api did not answer: %s' % self.log())

    def log(self):
        with open(self._log.name) as handle:
            return handle.read()[-3000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self._dir.cleanup()


def migrated_database(backend):
    """A fresh database of ``backend`` at the newest schema."""
    database = apifixture.backends.Database(backend)
    apifixture.configure(database.url)
    migrate.sync(apifixture.CONF)
    return database
