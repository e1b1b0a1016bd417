"""Options of the scheduler daemon: [scheduler], [capabilities],
[service_auth].

Every spelling upstream's freezer-scheduler accepts keeps working (flags,
config-file keys and the old ``[DEFAULT]`` keys), so an existing
``scheduler.conf`` runs unchanged; the plain spellings (``--client-id``,
``--jobs-dir``, ``--concurrent-jobs`` ...) work too.
"""

import os
import socket
import tempfile

from oslo_config import cfg
from oslo_log import log

ACTIONS = ('start', 'stop', 'status', 'restart', 'reload')


def _old(*names):
    """Aliases from before the options had their own group ([DEFAULT])."""
    return [cfg.DeprecatedOpt(name, group='DEFAULT') for name in names]


def default_jobs_dir():
    return (os.environ.get('FREEZER_SCHEDULER_CONF_D')
            or '/etc/freezer/scheduler/conf.d')


def default_state_dir():
    base = (os.environ.get('XDG_STATE_HOME')
            or os.path.join(os.path.expanduser('~'), '.local', 'state'))
    return os.path.join(base, 'freezer-scheduler')


def default_pid_file():
    home = os.path.basename(os.path.expanduser('~').rstrip('/')) or 'root'
    return os.path.join(tempfile.gettempdir(), 'freezer_sched_%s.pid' % home)


scheduler_opts = [
    cfg.StrOpt('client-id', short='c', dest='client_id',
               deprecated_opts=_old('client_id', 'client-id'),
               help='Identity of this scheduler: it runs the jobs whose '
                    'client_id is this value. Default: '
                    '<project id>_<hostname>.'),
    cfg.BoolOpt('no-api', short='n', dest='no_api', default=False,
                deprecated_opts=_old('no_api', 'no-api'),
                help='Do not talk to the API: run the JSON job files found '
                     'in jobs_dir (read once at start).'),
    cfg.StrOpt('jobs-dir', short='f', dest='jobs_dir',
               default=default_jobs_dir(),
               deprecated_opts=_old('conf', 'jobs-dir', 'jobs_dir'),
               help='Directory of job files: the source of jobs with '
                    '--no-api, else a cache of this client\'s jobs '
                    '(job_<id>.conf, mode 0600).'),
    cfg.IntOpt('interval', short='i', default=60, min=1,
               deprecated_opts=_old('interval'),
               help='Seconds between two polls of the API.'),
    cfg.BoolOpt('no-daemon', dest='no_daemon', default=False,
                deprecated_opts=_old('no_daemon', 'no-daemon'),
                help='Run in the foreground instead of as a daemon.'),
    cfg.BoolOpt('insecure', default=False,
                help='Do not verify the API\'s TLS certificate (also passed '
                     'to freezer-agent as OS_INSECURE).'),
    cfg.BoolOpt('disable-exec', dest='disable_exec', default=False,
                deprecated_opts=_old('disable_exec', 'disable-exec'),
                help='Refuse jobs that contain an "exec" action: they end '
                     'with result "fail".'),
    cfg.IntOpt('concurrent-jobs', dest='concurrent_jobs', default=1, min=1,
               deprecated_opts=_old('concurrent_jobs', 'concurrent-jobs'),
               help='How many jobs may run at the same time.'),
    cfg.BoolOpt('enable-v1-api', dest='enable_v1_api', default=False,
                deprecated_opts=_old('enable_v1_api', 'enable-v1-api'),
                deprecated_for_removal=True,
                deprecated_reason='The v1 API does not exist any more.',
                help='Obsolete; must stay off.'),
    cfg.BoolOpt('centralized-scheduler', dest='centralized_scheduler',
                default=False,
                help='Central mode: list the jobs of every project (the '
                     'API decides by policy) and register as a central '
                     'client.'),
    # Options this implementation adds.
    cfg.StrOpt('pid-file', dest='pid_file', default=default_pid_file(),
               deprecated_opts=_old('pid_file', 'pid-file'),
               help='PID file of the running scheduler (held locked while '
                    'it runs, in both daemon and foreground mode).'),
    cfg.StrOpt('state-dir', dest='state_dir', default=default_state_dir(),
               deprecated_opts=_old('state_dir', 'state-dir'),
               help='Where the scheduler keeps the state of running jobs '
                    '(so that a restart never runs a job twice) and its '
                    'status file.'),
    cfg.StrOpt('agent-command', dest='agent_command',
               default='freezer-agent',
               deprecated_opts=_old('agent_command', 'agent-command'),
               help='Command that runs backup, restore, info and admin '
                    'actions; split on white space, then given '
                    '"--metadata-out - --config <file>".'),
    cfg.IntOpt('kill-grace', dest='kill_grace', default=10, min=0,
               deprecated_opts=_old('kill_grace', 'kill-grace'),
               help='Seconds between SIGTERM and SIGKILL when a job is '
                    'aborted.'),
    cfg.IntOpt('api-timeout', dest='api_timeout', default=30, min=1,
               deprecated_opts=_old('api_timeout', 'api-timeout'),
               help='Seconds an API request may take.'),
    cfg.IntOpt('max-backoff', dest='max_backoff', default=60, min=1,
               deprecated_opts=_old('max_backoff', 'max-backoff'),
               help='Longest pause, in seconds, between two attempts to '
                    'reach an API that is down.'),
]

capabilities_opts = [
    cfg.ListOpt('supported-actions', dest='supported_actions',
                default=['backup', 'restore', 'info', 'admin', 'exec'],
                help='Actions this client runs.'),
    cfg.ListOpt('supported-modes', dest='supported_modes',
                default=['fs', 'mongo', 'mysql', 'sqlserver', 'cinder',
                         'glance', 'cindernative', 'nova'],
                help='Modes this client supports.'),
    cfg.ListOpt('supported-storages', dest='supported_storages',
                default=['local', 'swift', 'ssh', 's3', 'ftp', 'ftps'],
                help='Storages this client supports.'),
    cfg.ListOpt('supported-engines', dest='supported_engines',
                default=['tar', 'rsync', 'rsyncv2', 'nova', 'osbrick',
                         'glance'],
                help='Engines this client supports.'),
]

# (name, environment variable, help); config key os_<name>, flags
# --os-<name>, --os_<name>, --service_auth-<name>.
_AUTH = [
    ('auth-type', 'OS_AUTH_TYPE', 'Keystone auth plugin; "none" talks to '
     'an API without authentication (give --os-backup-url). Default: '
     'password when a username is set, else token.'),
    ('username', 'OS_USERNAME', 'User name.'),
    ('password', 'OS_PASSWORD', 'Password.'),
    ('project-id', 'OS_PROJECT_ID', 'Project id (token scope, URL).'),
    ('project-name', 'OS_PROJECT_NAME', 'Project name (token scope).'),
    ('project-domain-id', 'OS_PROJECT_DOMAIN_ID', 'Project domain id.'),
    ('project-domain-name', 'OS_PROJECT_DOMAIN_NAME',
     'Project domain name.'),
    ('user-domain-id', 'OS_USER_DOMAIN_ID', 'User domain id.'),
    ('user-domain-name', 'OS_USER_DOMAIN_NAME', 'User domain name.'),
    ('auth-url', 'OS_AUTH_URL', 'Keystone URL.'),
    ('backup-url', 'OS_BACKUP_URL', 'freezer-api endpoint; default: the '
     'service catalog entry of type "backup".'),
    ('region-name', 'OS_REGION_NAME', 'Region (passed to the agent).'),
    ('token', 'OS_TOKEN', 'Token (token auth when no username).'),
    ('endpoint-type', 'OS_ENDPOINT_TYPE', 'Catalog interface.'),
    ('cert', 'OS_CERT', 'Client certificate.'),
    ('cacert', 'OS_CACERT', 'CA bundle that signs the API\'s certificate.'),
]


def _auth_opt(name, env, help_text):
    dest = 'os_' + name.replace('-', '_')
    default = os.environ.get(env)
    if name == 'endpoint-type' and not default:
        default = 'public'
    secret = name in ('password', 'token')
    return cfg.StrOpt(name, dest=dest, default=default, secret=secret,
                      deprecated_opts=_old('os-' + name, dest),
                      help='%s Default: $%s.' % (help_text, env))


def service_auth_opts():
    return [_auth_opt(*entry) for entry in _AUTH]


action_opt = cfg.StrOpt('action', positional=True, choices=ACTIONS,
                        help='What to do: %s.' % ', '.join(ACTIONS))


def register(conf, with_action=True):
    """Register every daemon option (and oslo.log's) on ``conf``."""
    conf.register_cli_opts(scheduler_opts, group='scheduler')
    conf.register_cli_opts(capabilities_opts, group='capabilities')
    conf.register_cli_opts(service_auth_opts(), group='service_auth')
    if with_action:
        conf.register_cli_opt(action_opt)
    log.register_options(conf)


def default_config_files():
    """freezer.conf and scheduler.conf: the first hit of each, as upstream."""
    found = []
    places = [os.path.join(os.path.expanduser('~'), '.freezer'),
              os.path.expanduser('~'), '/etc/freezer', '/etc']
    for name in ('freezer.conf', 'scheduler.conf'):
        for place in places:
            path = os.path.join(place, name)
            if os.path.isfile(path):
                found.append(path)
                break
    return found


def load(argv, with_action=True, prog='freezer-scheduler'):
    """A fresh ConfigOpts parsed from ``argv`` and the default files."""
    conf = cfg.ConfigOpts()
    register(conf, with_action)
    usage = '%s [options] %s' % (prog, '|'.join(ACTIONS)) if with_action \
        else '%s [options]' % prog
    conf(argv, project='freezer', prog=prog, usage=usage,
         default_config_files=default_config_files())
    return conf


def list_opts():
    """For oslo-config-generator."""
    return [('scheduler', scheduler_opts),
            ('capabilities', capabilities_opts),
            ('service_auth', service_auth_opts())]


def hostname():
    return socket.gethostname()
