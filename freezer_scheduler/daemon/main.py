"""freezer-scheduler's daemon actions: start, stop, status, restart, reload.

``main(argv)`` takes upstream's command line (``[options] ACTION``); the
cliff commands in ``commands.py`` call the same action functions.
"""

import json
import logging
import os
import signal
import sys
import threading
import urllib.parse

from oslo_config import cfg
from oslo_log import log

from freezer_scheduler.daemon import api
from freezer_scheduler.daemon import auth
from freezer_scheduler.daemon import config
from freezer_scheduler.daemon import local
from freezer_scheduler.daemon import process
from freezer_scheduler.daemon import runner
from freezer_scheduler.daemon import service
from freezer_scheduler.daemon import writeback

LOG = logging.getLogger(__name__)

STOP_WAIT = 60
START_WAIT = 10
EXIT_NOT_RUNNING = 3


class StartupError(Exception):
    """The configuration cannot work; the message says why (one line)."""


def say(text, stream=sys.stdout):
    stream.write(text + '\n')
    stream.flush()


# -- building the service -----------------------------------------------------

def agent_environment(conf):
    """OS_* variables freezer-agent gets, from [service_auth]."""
    env = {}
    for opt in config.service_auth_opts():
        value = getattr(conf.service_auth, opt.dest)
        if value:
            env[opt.dest.upper()] = value
    if conf.scheduler.insecure:
        env['OS_INSECURE'] = 'True'
    return env


def capabilities(conf):
    caps = conf.capabilities
    return {'supported_actions': list(caps.supported_actions),
            'supported_modes': list(caps.supported_modes),
            'supported_storages': list(caps.supported_storages),
            'supported_engines': list(caps.supported_engines)}


def check(conf):
    """Fail early, before daemonising, on settings that cannot work."""
    s = conf.scheduler
    if s.enable_v1_api:
        raise StartupError('enable_v1_api: the v1 API does not exist any '
                           'more; remove the option')
    if not s.no_api:
        try:
            auth.connect(conf, auth.build_session(conf))
        except auth.AuthConfigError as error:
            raise StartupError(str(error))
        except api.Unavailable:
            pass  # the daemon waits for Keystone


def _connect(conf, stopping):
    """(gateway, project id) of the API; waits while Keystone is down."""
    session = auth.build_session(conf)
    health = writeback.Health(conf.scheduler.max_backoff)
    while True:
        connected, error = api.attempt(auth.connect, conf, session)
        if error is None:
            gateway, url = connected
            break
        health.failed(error)
        if stopping.wait(max(1.0, health.seconds_to_next_try())):
            return None, None
    health.succeeded()
    LOG.info('API at %s', url)
    return gateway, urllib.parse.unquote(url.rstrip('/').rsplit('/', 1)[1])


def build_service(conf, stopping):
    s = conf.scheduler
    hostname = config.hostname()
    if s.no_api:
        gateway = local.LocalGateway(s.jobs_dir)
        client_id = s.client_id or hostname
        cache = None
    else:
        gateway, project_id = _connect(conf, stopping)
        if gateway is None:
            return None
        client_id = s.client_id or '%s_%s' % (project_id, hostname)
        cache = s.jobs_dir
    options = service.Options(
        client_id=client_id, interval=s.interval,
        capabilities=capabilities(conf), state_dir=s.state_dir,
        jobs_cache=cache, all_projects=s.centralized_scheduler,
        is_central=s.centralized_scheduler, hostname=hostname,
        max_backoff=s.max_backoff, concurrent_jobs=s.concurrent_jobs)
    settings = runner.Settings(
        state_dir=s.state_dir, agent_command=s.agent_command,
        agent_env=agent_environment(conf), kill_grace=s.kill_grace,
        disable_exec=s.disable_exec, client_id=client_id)
    built = service.Service(gateway, options, settings)
    if s.no_api:
        built.outbox.path = None
    return built


# -- running ------------------------------------------------------------------

def _setup_logging(conf, daemon):
    quiet = not (conf.log_file or conf.use_syslog or conf.use_journal)
    if daemon and quiet:
        os.makedirs(conf.scheduler.state_dir, mode=0o700, exist_ok=True)
        conf.set_override('log_file', os.path.join(
            conf.scheduler.state_dir, 'scheduler.log'))
    log.setup(conf, 'freezer-scheduler')


def serve(conf, daemon=False):
    """Run the scheduler in this process until SIGTERM/SIGINT; exit code."""
    pid_file = process.PidFile(conf.scheduler.pid_file)
    other = pid_file.acquire()
    if other is not None:
        say('freezer-scheduler already running with pid %d' % other,
            sys.stderr)
        return 1
    try:
        _setup_logging(conf, daemon)
        stopping = threading.Event()
        holder = {}

        def on_stop(number, frame):
            LOG.info('signal %d: stopping', number)
            stopping.set()
            if 'service' in holder:
                holder['service'].stop()

        def on_reload(number, frame):
            LOG.info('SIGHUP: polling the API now (other configuration '
                     'changes need a restart)')
            if 'service' in holder:
                holder['service'].request_poll()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_reload)
        try:
            built = build_service(conf, stopping)
        except auth.AuthConfigError as error:
            LOG.error('%s', error)
            return 1
        if built is None or stopping.is_set():
            return 0
        holder['service'] = built
        built.run_forever()
        return 0
    finally:
        pid_file.release()


def do_start(conf):
    pid, _ = process.running_pid(conf.scheduler.pid_file)
    if pid is not None:
        say('freezer-scheduler already running with pid %d' % pid)
        return 0
    try:
        check(conf)
    except StartupError as error:
        say('freezer-scheduler: %s' % error, sys.stderr)
        return 1
    if conf.scheduler.no_daemon:
        return serve(conf)
    if not process.daemonize():
        started = process.wait_until(
            lambda: process.running_pid(conf.scheduler.pid_file)[0],
            START_WAIT)
        pid, _ = process.running_pid(conf.scheduler.pid_file)
        if not started or pid is None:
            say('freezer-scheduler did not start; see its log',
                sys.stderr)
            return 1
        say('freezer-scheduler started with pid %d' % pid)
        return 0
    code = 1
    try:
        code = serve(conf, daemon=True)
    finally:
        os._exit(code)


def do_stop(conf):
    pid, _ = process.running_pid(conf.scheduler.pid_file)
    if pid is None:
        say('Not Running')
        return 0
    if not process.terminate(pid, STOP_WAIT):
        say('freezer-scheduler (pid %d) did not stop within %ds'
            % (pid, STOP_WAIT), sys.stderr)
        return 1
    say('Stopped freezer-scheduler (pid %d)' % pid)
    return 0


def do_status(conf):
    pid, stale = process.running_pid(conf.scheduler.pid_file)
    if pid is None:
        say('Not Running' + (' (stale pid file %s)'
                             % conf.scheduler.pid_file if stale else ''))
        return EXIT_NOT_RUNNING
    say('Running with pid: %d' % pid)
    path = os.path.join(conf.scheduler.state_dir, 'status.json')
    try:
        with open(path) as handle:
            status = json.load(handle)
    except (OSError, ValueError):
        return 0
    say('client id: %s; API %s; pending writes: %d' % (
        status.get('client_id'), 'up' if status.get('api_up') else 'DOWN',
        status.get('pending_writes', 0)))
    for job_id, job in sorted((status.get('jobs') or {}).items()):
        line = '  job %s: %s' % (job_id, job.get('state'))
        if job.get('next_fire'):
            line += ', next run %s' % job['next_fire']
        if job.get('note'):
            line += ' (%s)' % job['note']
        say(line)
    return 0


def do_restart(conf):
    code = do_stop(conf)
    if code:
        return code
    return do_start(conf)


def do_reload(conf):
    pid, _ = process.running_pid(conf.scheduler.pid_file)
    if pid is None:
        say('Not Running')
        return EXIT_NOT_RUNNING
    os.kill(pid, signal.SIGHUP)
    say('Reload (poll now) requested from pid %d' % pid)
    return 0


ACTIONS = {'start': do_start, 'stop': do_stop, 'status': do_status,
           'restart': do_restart, 'reload': do_reload}


def run_action(action, argv):
    """Parse ``argv`` (options only) and run ``action``; the exit code."""
    try:
        conf = config.load(argv, with_action=False)
    except cfg.Error as error:
        say('freezer-scheduler: %s' % error, sys.stderr)
        return 2
    return ACTIONS[action](conf)


def main(argv=None):
    """Upstream's command line: ``freezer-scheduler [options] ACTION``."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        conf = config.load(argv)
    except cfg.Error as error:
        say('freezer-scheduler: %s' % error, sys.stderr)
        return 2
    if not conf.action:
        say('freezer-scheduler: an action is needed: %s'
            % ', '.join(config.ACTIONS), sys.stderr)
        return 2
    return ACTIONS[conf.action](conf)


def wants_daemon(argv):
    """True when ``argv`` is upstream's daemon command line (options and
    one of start/stop/status/restart/reload), so that a command-line app
    with other commands can hand it to ``main``."""
    if not any(word in config.ACTIONS for word in argv):
        return False
    if '-h' in argv or '--help' in argv:
        return False
    conf = cfg.ConfigOpts()
    config.register(conf)
    saved = sys.stderr
    try:
        sys.stderr = open(os.devnull, 'w')
        conf(argv, project='freezer', default_config_files=[])
    except (SystemExit, cfg.Error):
        return False
    finally:
        sys.stderr.close()
        sys.stderr = saved
    return conf.action in config.ACTIONS
