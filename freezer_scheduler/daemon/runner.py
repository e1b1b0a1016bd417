"""How one job's actions run: processes, retries, abort, results.

Each action runs as its own process group (``shim.py`` leads it): ``exec``
actions as ``/bin/sh -c <command>``, the others through freezer-agent with
an INI file. A run keeps its state in ``<state_dir>/runs/<job_id>/`` —
``run.json``, the INI files, the output and the exit status — so that a
scheduler restarted in the middle of a run picks it up where it was
instead of running the job again.
"""

import json
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

import psutil

LOG = logging.getLogger(__name__)

SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'shim.py')
POLL_SECONDS = 0.2
OUTPUT_LOG_LIMIT = 4000
DEFAULT_RETRY_INTERVAL = 60
# How long a process group may take to vanish after SIGKILL.
KILL_WAIT = 5

SUCCESS, FAIL, ABORTED = 'success', 'fail', 'aborted'


# -- the run directory -------------------------------------------------------

class RunDir(object):
    def __init__(self, state_dir, job_id):
        self.path = os.path.join(state_dir, 'runs', job_id)

    def file(self, name):
        return os.path.join(self.path, name)

    def create(self):
        os.makedirs(self.path, mode=0o700, exist_ok=True)
        os.chmod(self.path, 0o700)

    def exists(self):
        return os.path.isfile(self.file('run.json'))

    def load(self):
        with open(self.file('run.json')) as handle:
            return json.load(handle)

    def save(self, meta):
        temporary = self.file('run.json.tmp')
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                             0o600)
        with os.fdopen(descriptor, 'w') as handle:
            json.dump(meta, handle)
        os.replace(temporary, self.file('run.json'))

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)


def run_dirs(state_dir):
    root = os.path.join(state_dir, 'runs')
    if not os.path.isdir(root):
        return []
    return [RunDir(state_dir, name) for name in sorted(os.listdir(root))]


# -- one process group -------------------------------------------------------

def _create_time(pid):
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


class ActionProcess(object):
    """A shim-led process group: started here, or found after a restart."""

    def __init__(self, pid, create_time, prefix, popen=None):
        self.pid = pid
        self.create_time = create_time
        self.prefix = prefix
        self.popen = popen

    @classmethod
    def spawn(cls, argv, env, prefix):
        with open(prefix + '.out', 'wb') as out, \
                open(prefix + '.err', 'wb') as err:
            popen = subprocess.Popen(
                [sys.executable, '-I', SHIM, prefix + '.rc', '--'] + argv,
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                start_new_session=True, close_fds=True)
        return cls(popen.pid, _create_time(popen.pid), prefix, popen)

    def describe(self):
        return {'pid': self.pid, 'create_time': self.create_time,
                'prefix': self.prefix}

    @classmethod
    def adopt(cls, described):
        return cls(described['pid'], described['create_time'],
                   described['prefix'])

    def leader_running(self):
        if self.popen is not None:
            return self.popen.poll() is None
        try:
            process = psutil.Process(self.pid)
            if self.create_time and abs(process.create_time()
                                        - self.create_time) > 0.5:
                return False  # the pid was reused by another process
            return process.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def group_alive(self):
        if self.popen is not None:
            self.popen.poll()  # reap the leader so it stops counting
        try:
            os.killpg(self.pid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False

    def signal_group(self, number):
        try:
            os.killpg(self.pid, number)
        except (ProcessLookupError, PermissionError):
            pass

    def returncode(self):
        """Exit status of the command; None when the shim was killed."""
        try:
            with open(self.prefix + '.rc') as handle:
                return int(handle.read().strip())
        except (OSError, ValueError):
            return None

    def output(self, which):
        try:
            with open(self.prefix + '.' + which, 'rb') as handle:
                return handle.read().decode('utf-8', 'replace')
        except OSError:
            return ''


# -- what an action runs ------------------------------------------------------

def ini_text(freezer_action):
    """The agent's INI: one [action] section, values as upstream wrote them
    (Python's str() of the JSON value); no interpolation, so "%" is safe."""
    lines = ['[action]']
    for key, value in freezer_action.items():
        if value is None:
            continue
        text = str(value).replace('\r', '').replace('\n', '\n\t')
        lines.append('%s = %s' % (key, text))
    return '\n'.join(lines) + '\n'


class Settings(object):
    """What the runner needs from the configuration."""

    def __init__(self, state_dir, agent_command='freezer-agent',
                 agent_env=None, kill_grace=10, disable_exec=False,
                 client_id=''):
        self.state_dir = state_dir
        self.agent_command = agent_command
        self.agent_env = agent_env or {}
        self.kill_grace = kill_grace
        self.disable_exec = disable_exec
        self.client_id = client_id


def find_agent(command):
    words = shlex.split(command)
    if not words:
        return None
    found = shutil.which(words[0])
    if found is None:
        beside = os.path.join(os.path.dirname(sys.executable), words[0])
        if os.access(beside, os.X_OK):
            found = beside
    return [found] + words[1:] if found else None


def _job_env(run, settings, index):
    env = dict(os.environ)
    env.update({
        'FREEZER_JOB_ID': run.job_id,
        'FREEZER_CLIENT_ID': settings.client_id or '',
        'FREEZER_SESSION_ID': run.session_id or '',
        'FREEZER_SESSION_NAME': run.doc.get('session_name') or '',
        'FREEZER_SESSION_TAG': str(run.session_tag or 0),
        'FREEZER_ACTION_INDEX': str(index),
    })
    return env


def _agent_env(run, settings, index):
    env = _job_env(run, settings, index)
    env.update(settings.agent_env)
    trust = (run.doc.get('user_credentials') or {}).get('trust_id')
    if trust:
        env['OS_TRUST_ID'] = trust
        for key in [k for k in env if k.startswith('OS_PROJECT_')]:
            del env[key]
    return env


def command_for(run, settings, index, entry, prefix):
    """(argv, env) of one action; raises ValueError when it cannot run."""
    action = dict(entry.get('freezer_action') or {})
    kind = action.get('action')
    if kind == 'exec':
        command = action.get('command')
        if not command or not isinstance(command, str):
            raise ValueError('exec action without a "command"')
        return ['/bin/sh', '-c', command], _job_env(run, settings, index)
    agent = find_agent(settings.agent_command)
    if agent is None:
        raise ValueError('%r is not installed (install freezer, or set '
                         '[scheduler] agent_command)'
                         % settings.agent_command)
    trust = (run.doc.get('user_credentials') or {}).get('trust_id')
    if trust:
        action['os_trust_id'] = trust
    ini = prefix + '.ini'
    descriptor = os.open(ini, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as handle:
        handle.write(ini_text(action))
    argv = agent + ['--metadata-out', '-', '--config', ini]
    return argv, _agent_env(run, settings, index)


# -- a run of a job ----------------------------------------------------------

class Run(object):
    """One run of one job; its progress is saved in its run directory."""

    def __init__(self, job_id, doc, run_dir, session_id='', session_tag=0):
        self.job_id = job_id
        self.doc = doc
        self.dir = run_dir
        self.session_id = session_id
        self.session_tag = session_tag
        self.joined_session = False
        self.time_started = int(time.time())
        self.index = 0
        self.attempt = 0
        self.failed = False
        self.result = SUCCESS
        self.process = None
        self.abort = threading.Event()

    def save(self):
        self.dir.save({
            'job_id': self.job_id, 'doc': self.doc,
            'session_id': self.session_id, 'session_tag': self.session_tag,
            'joined_session': self.joined_session,
            'time_started': self.time_started, 'index': self.index,
            'attempt': self.attempt, 'failed': self.failed,
            'result': self.result,
            'process': self.process.describe() if self.process else None})

    @classmethod
    def load(cls, run_dir):
        meta = run_dir.load()
        run = cls(meta['job_id'], meta['doc'], run_dir, meta['session_id'],
                  meta['session_tag'])
        run.joined_session = meta['joined_session']
        run.time_started = meta['time_started']
        run.index = meta['index']
        run.attempt = meta['attempt']
        run.failed = meta['failed']
        run.result = meta['result']
        if meta.get('process'):
            run.process = ActionProcess.adopt(meta['process'])
        return run

    def has_exec(self):
        return any((e.get('freezer_action') or {}).get('action') == 'exec'
                   for e in self.doc.get('job_actions') or [])


class Interrupted(Exception):
    """The scheduler is stopping; the run stays on disk to be resumed."""


class Runner(object):
    """Runs the actions of a Run; ``on_spawn(run, pid)`` and
    ``on_metadata(run, document)`` report to the daemon."""

    def __init__(self, settings, stopping, on_spawn, on_metadata):
        self.settings = settings
        self.stopping = stopping
        self.on_spawn = on_spawn
        self.on_metadata = on_metadata

    def execute(self, run):
        """Run (or resume) every action; the job's result."""
        actions = run.doc.get('job_actions') or []
        while run.index < len(actions):
            entry = actions[run.index] or {}
            if run.abort.is_set():
                run.result = ABORTED
                break
            if run.failed and not entry.get('mandatory'):
                LOG.info('job %s: skipping action %d after a failure',
                         run.job_id, run.index)
            else:
                outcome = self._action(run, entry)
                if outcome != SUCCESS:
                    run.failed = True
                    run.result = outcome
                    if outcome == ABORTED:
                        break
            run.index += 1
            run.attempt = 0
            run.process = None
            run.save()
        return run.result

    def _action(self, run, entry):
        tries = (entry.get('max_retries') or 0) + 1
        pause = entry.get('max_retries_interval')
        pause = DEFAULT_RETRY_INTERVAL if pause is None else pause
        while True:
            outcome = self._attempt(run, entry)
            run.attempt += 1
            if outcome != FAIL or run.attempt >= tries:
                return outcome
            LOG.warning('job %s: action %d failed, try %d of %d in %ds',
                        run.job_id, run.index, run.attempt + 1, tries, pause)
            run.process = None
            run.save()
            if self._sleep(run, pause):
                return ABORTED

    def _sleep(self, run, seconds):
        """Wait; True when an abort came meanwhile."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if run.abort.wait(min(POLL_SECONDS * 5,
                                  deadline - time.monotonic())):
                return True
            if self.stopping.is_set():
                raise Interrupted()
        return False

    def _attempt(self, run, entry):
        kind = (entry.get('freezer_action') or {}).get('action')
        if run.process is None:
            prefix = run.dir.file('a%d-%d' % (run.index, run.attempt))
            try:
                argv, env = command_for(run, self.settings, run.index, entry,
                                        prefix)
            except (ValueError, OSError) as error:
                LOG.error('job %s: action %d cannot run: %s', run.job_id,
                          run.index, error)
                return FAIL
            run.process = ActionProcess.spawn(argv, env, prefix)
            run.save()
            self.on_spawn(run, run.process.pid)
            LOG.info('job %s: action %d (%s) started, pid %d', run.job_id,
                     run.index, kind, run.process.pid)
        code = self._wait(run)
        return self._outcome(run, kind, code)

    def _wait(self, run):
        process = run.process
        kill_at = None
        killed = False
        while process.leader_running() or (kill_at is not None
                                           and process.group_alive()):
            if run.abort.is_set() and kill_at is None:
                LOG.warning('job %s: abort: terminating process group %d',
                            run.job_id, process.pid)
                process.signal_group(signal.SIGTERM)
                kill_at = time.monotonic() + self.settings.kill_grace
            if kill_at is not None and time.monotonic() >= kill_at:
                if killed:
                    LOG.error('job %s: process group %d survives SIGKILL',
                              run.job_id, process.pid)
                    break
                LOG.warning('job %s: abort: killing process group %d',
                            run.job_id, process.pid)
                process.signal_group(signal.SIGKILL)
                killed = True
                kill_at = time.monotonic() + KILL_WAIT
            if self.stopping.is_set() and not run.abort.is_set():
                raise Interrupted()
            time.sleep(POLL_SECONDS)
        return process.returncode()

    def _outcome(self, run, kind, code):
        out = run.process.output('out')
        err = run.process.output('err')
        if run.abort.is_set() or code == -signal.SIGTERM:
            LOG.warning('job %s: action %d aborted', run.job_id, run.index)
            return ABORTED
        if code is None:
            LOG.error('job %s: action %d: its process vanished without an '
                      'exit status', run.job_id, run.index)
            return FAIL
        if err.strip():
            level = logging.ERROR if code else logging.INFO
            LOG.log(level, 'job %s: action %d stderr: %s', run.job_id,
                    run.index, err[-OUTPUT_LOG_LIMIT:].rstrip())
        if kind == 'exec':
            if out.strip():
                LOG.info('job %s: action %d output: %s', run.job_id,
                         run.index, out[-OUTPUT_LOG_LIMIT:].rstrip())
        elif code == 0:
            self._metadata(run, out)
        if code != 0:
            LOG.error('job %s: action %d exited with %d', run.job_id,
                      run.index, code)
            return FAIL
        return SUCCESS

    def _metadata(self, run, out):
        if not out.strip():
            return
        try:
            document = json.loads(out)
        except ValueError:
            LOG.warning('job %s: agent output is not JSON metadata',
                        run.job_id)
            return
        if isinstance(document, dict) and document:
            document['job_id'] = run.job_id
            self.on_metadata(run, document)
