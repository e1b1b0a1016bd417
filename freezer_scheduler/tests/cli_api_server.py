"""A real freezer-api process (noauth, SQLite) for the CLI's functional tests.

Each test works in a project of its own (noauth takes the project from the
URL), so tests sharing a server never see each other's jobs or sessions.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests

# The console scripts of the environment running the tests (tox, .venv).
VENV_BIN = os.path.dirname(sys.executable)
PORTS = range(9300, 9350)
START_TIMEOUT = 90


def _free_port():
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError('no free port in %d-%d' % (PORTS[0], PORTS[-1]))


class ApiServer(object):
    """``freezer-api`` started as a subprocess; ``stop()`` kills it by PID."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix='freezer-cli-tests-')
        self.process = None
        self.port = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def _write_config(self):
        path = os.path.join(self.directory, 'freezer-api.conf')
        with open(path, 'w') as conf:
            conf.write('[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = %d\n'
                       'state_path = %s\nworkers = 2\ngraceful_timeout = 2\n'
                       '[api]\nauth_strategy = noauth\n'
                       % (self.port, self.directory))
        return path

    def start(self):
        for _ in range(3):  # another process may take the port meanwhile
            self.port = _free_port()
            log = open(os.path.join(self.directory, 'api.log'), 'ab')
            self.process = subprocess.Popen(
                [os.path.join(VENV_BIN, 'freezer-api'), '--config-file',
                 self._write_config()], stdout=log, stderr=log,
                start_new_session=True)
            log.close()
            if self._wait_until_up():
                return self
            self.stop()
        raise RuntimeError('freezer-api did not start; see %s'
                           % os.path.join(self.directory, 'api.log'))

    def _wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if requests.get(self.url + '/', timeout=2).status_code == 300:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.2)
        return False

    def log_text(self):
        with open(os.path.join(self.directory, 'api.log'), 'rb') as log:
            return log.read().decode('utf-8', 'replace')

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            # The gunicorn master stops its own workers on SIGTERM.
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def cli_environment():
    """The environment of CLI subprocesses: no OS_* of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env['PYTHONWARNINGS'] = 'ignore'
    return env


class Project(object):
    """One project of the server: HTTP checks and CLI runs against it."""

    def __init__(self, server, name=None):
        self.server = server
        self.id = name or 'p' + uuid.uuid4().hex[:12]
        self.url = '%s/v2/%s' % (server.url, self.id)
        self.http = requests.Session()

    def register_client(self, host='host1'):
        client_id = '%s_%s' % (self.id, host)
        answer = self.http.post(self.url + '/clients',
                                json={'client_id': client_id,
                                      'hostname': host})
        assert answer.status_code == 201, answer.text
        return client_id

    def get(self, path, **params):
        answer = self.http.get(self.url + path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def jobs(self, **filters):
        found, offset = [], 0
        while True:
            page = self.get('/jobs', limit=1000, offset=offset,
                            **filters)['jobs']
            if not page:
                return found
            found.extend(page)
            offset += len(page)

    def sessions(self, **filters):
        return self.get('/sessions', limit=1000, **filters)['sessions']

    def session_named(self, name):
        found = self.sessions(session_name=name)
        assert len(found) <= 1
        return found[0] if found else None

    def auth_args(self):
        return ['--os-auth-type', 'none', '--os-backup-url', self.url]

    def run(self, *args, program='freezer-scheduler', auth=True, env=None):
        """Run the CLI; the CompletedProcess (text stdout and stderr)."""
        command = [os.path.join(VENV_BIN, program)]
        if auth:
            command += self.auth_args()
        command += [str(a) for a in args]
        return subprocess.run(command, capture_output=True, text=True,
                              env=env or cli_environment(), timeout=300)

    def openstack(self, *args):
        return self.run('freezer', *args, program='openstack')
