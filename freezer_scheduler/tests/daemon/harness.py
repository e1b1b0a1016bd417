"""Real processes for end-to-end tests: freezer-api and schedulers.

Everything listens on 127.0.0.1 (ports 9350-9399) and is stopped by the
PID it was started with.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import requests

PORTS = range(9350, 9400)
PROJECT = 'e2eproject'
VENV_BIN = os.path.dirname(sys.executable)


def free_port():
    for port in PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError('no free port in 9350-9399')


def wait_for(predicate, timeout, step=0.2, what='condition'):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(step)


def stop_pid(popen, timeout=20):
    if popen.poll() is not None:
        return
    popen.send_signal(signal.SIGTERM)
    try:
        popen.wait(timeout)
    except subprocess.TimeoutExpired:
        popen.kill()
        popen.wait(5)


class ApiServer(object):
    """freezer-api (noauth, embedded SQLite) in a subprocess."""

    def __init__(self, folder, port=None):
        self.folder = folder
        self.fixed_port = port is not None
        self._use_port(port or free_port())
        self.popen = None
        self.session = requests.Session()

    def _use_port(self, port):
        self.port = port
        self.url = 'http://127.0.0.1:%d' % self.port
        self.base = '%s/v2/%s' % (self.url, PROJECT)
        self.config = os.path.join(self.folder, 'api.conf')
        with open(self.config, 'w') as handle:
            handle.write('[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = %d\n'
                         'state_path = %s\nworkers = 1\n'
                         'graceful_timeout = 2\n'
                         '[api]\nauth_strategy = noauth\n'
                         % (self.port, self.folder))

    def start(self):
        for attempt in range(3):
            log = open(os.path.join(self.folder, 'api.log'), 'ab')
            self.popen = subprocess.Popen(
                [os.path.join(VENV_BIN, 'freezer-api'), '--config-file',
                 self.config], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
            log.close()
            try:
                wait_for(self._up, 30, what='freezer-api on %s' % self.url)
                self.fixed_port = True  # clients know this URL now
                return self
            except AssertionError:
                stop_pid(self.popen)
                # Another test process may have taken the port meanwhile;
                # a restart must keep its port, a first start need not.
                if self.fixed_port or attempt == 2:
                    raise
                self._use_port(free_port())
        return self

    def _up(self):
        if self.popen.poll() is not None:
            raise AssertionError('freezer-api exited with %s'
                                 % self.popen.returncode)
        try:
            return requests.get(self.url + '/', timeout=1).status_code < 500
        except requests.RequestException:
            return False

    def stop(self):
        if self.popen is not None:
            stop_pid(self.popen)

    def call(self, method, path, body=None, expect=None):
        response = self.session.request(
            method, self.base + path, timeout=10,
            data=None if body is None else json.dumps(body),
            headers={'Content-Type': 'application/json',
                     'X-Project-Id': PROJECT})
        document = response.json() if response.content else None
        if expect is not None and response.status_code != expect:
            raise AssertionError('%s %s answered %s %s; end of api.log:\n%s'
                                 % (method, path, response.status_code,
                                    document, self.log_tail()))
        return document

    def log_tail(self, size=3000):
        try:
            with open(os.path.join(self.folder, 'api.log'), 'rb') as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - size))
                return log.read().decode('utf-8', 'replace')
        except OSError:
            return ''

    def job(self, job_id):
        return self.call('GET', '/jobs/%s' % job_id, expect=200)

    def session_doc(self, session_id):
        return self.call('GET', '/sessions/%s' % session_id, expect=200)

    def client_ids(self):
        found = self.call('GET', '/clients?limit=100', expect=200)
        return {c['client']['client_id'] for c in found['clients']}


class Scheduler(object):
    """One freezer-scheduler in the foreground (--no-daemon)."""

    def __init__(self, folder, api, client_id, interval=1, extra=()):
        self.folder = os.path.join(folder, client_id)
        os.makedirs(self.folder, exist_ok=True)
        self.api = api
        self.client_id = client_id
        self.log = os.path.join(self.folder, 'scheduler.log')
        self.pid_file = os.path.join(self.folder, 'scheduler.pid')
        self.argv = [
            sys.executable, '-m', 'freezer_scheduler.daemon',
            '--no-daemon', '--client-id', client_id,
            '--interval', str(interval),
            '--os-auth-type', 'none', '--os-backup-url', api.base,
            '--jobs-dir', os.path.join(self.folder, 'conf.d'),
            '--state-dir', os.path.join(self.folder, 'state'),
            '--pid-file', self.pid_file, '--log-file', self.log,
            '--kill-grace', '3', '--max-backoff', '2'] + list(extra)
        self.popen = None

    def start(self):
        self.popen = subprocess.Popen(
            self.argv + ['start'], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(self.log + '.err', 'ab'),
            cwd=self.folder)
        return self

    def wait_registered(self, timeout=30):
        wait_for(lambda: self.client_id in self.api.client_ids(), timeout,
                 what='client %s registered' % self.client_id)

    def stop(self):
        if self.popen is not None:
            stop_pid(self.popen)

    def log_text(self):
        try:
            with open(self.log) as handle:
                return handle.read()
        except OSError:
            return ''


def exec_job(client_id, command, session_name=None, schedule=None,
             **extra):
    job = {'client_id': client_id, 'description': 'e2e %s' % client_id,
           # The API stores 5 retries when none are given (as upstream).
           'job_actions': [{'freezer_action': {'action': 'exec',
                                               'command': command},
                            'max_retries': 0}]}
    if session_name:
        job['session_name'] = session_name
    if schedule is not None:
        job['job_schedule'] = schedule
    job.update(extra)
    return job
