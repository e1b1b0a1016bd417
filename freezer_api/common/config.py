"""Every configuration option of freezer-api, with its help text."""

import os

from oslo_config import cfg
from oslo_db import options as db_options
from oslo_log import log

CONF = cfg.CONF

_DEFAULT_STATE = os.path.join(
    os.environ.get('XDG_STATE_HOME') or os.path.expanduser('~/.local/state'),
    'freezer-api')

default_opts = [
    cfg.StrOpt('state_path', default=_DEFAULT_STATE,
               sample_default='$XDG_STATE_HOME/freezer-api or '
                              '~/.local/state/freezer-api',
               help='Directory for the embedded SQLite database and other '
                    'local state. Used when [database] connection is unset.'),
    cfg.IntOpt('workers', min=1,
               help='Worker processes of the built-in server; default: one '
                    'per CPU core.'),
    cfg.IntOpt('threads_per_worker', default=4, min=1,
               help='Threads serving requests in each worker process.'),
    cfg.IntOpt('keepalive_timeout', default=30, min=0,
               help='Seconds an idle HTTP/1.1 connection is kept open.'),
    cfg.IntOpt('graceful_timeout', default=30, min=0,
               help='Seconds workers get to finish requests after SIGTERM.'),
]

# Also accepted on the freezer-api command line (--bind_host, --bind_port).
bind_opts = [
    cfg.HostAddressOpt('bind_host', default='0.0.0.0',
                       help='Address freezer-api listens on. With '
                            '[api] auth_strategy = noauth it must be a '
                            'loopback address.'),
    cfg.PortOpt('bind_port', default=9090,
                help='Port freezer-api listens on.'),
]

api_opts = [
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'validate tokens with '
                                     'keystonemiddleware'),
                        ('noauth', 'trust X-User-Id, X-Project-Id and '
                                   'X-Roles headers; loopback only')],
               help='How requests are authenticated.'),
    cfg.BoolOpt('allow_noauth_under_wsgi_server', default=False,
                help='Allow auth_strategy = noauth when the application is '
                     'loaded by an external WSGI server (uwsgi, mod_wsgi), '
                     'where freezer-api cannot check the listen address.'),
    cfg.IntOpt('max_request_body_size', default=1024 * 1024, min=1024,
               help='Largest request body accepted, in bytes; larger ones '
                    'get 413.'),
    cfg.IntOpt('max_json_depth', default=32, min=4,
               help='Deepest nesting of a JSON body; deeper ones get 400.'),
    cfg.IntOpt('default_limit', default=10, min=1,
               help='Page size of list requests that give no limit (or 0).'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Largest page size; larger limits are clamped.'),
]

storage_opts = [
    cfg.StrOpt('driver', default='sqlalchemy',
               help='Storage driver. Only "sqlalchemy" is available.'),
    cfg.StrOpt('backend', default='sqlalchemy',
               deprecated_for_removal=True,
               deprecated_reason='Only the SQL backend exists.',
               help='Name of the option group of the storage backend.'),
]

centralized_scheduler_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Create Keystone trusts for jobs of central clients. '
                     'Not implemented by this service: must stay off.'),
]

_GROUPS = [
    ('DEFAULT', bind_opts + default_opts),
    ('api', api_opts),
    ('storage', storage_opts),
    ('centralized_scheduler', centralized_scheduler_opts),
]


def register_opts(conf=CONF):
    conf.register_cli_opts(bind_opts)
    for group, opts in _GROUPS:
        conf.register_opts([o for o in opts if o not in bind_opts],
                           group=None if group == 'DEFAULT' else group)
    db_options.set_defaults(conf)


def list_opts():
    """The options for oslo-config-generator."""
    return [(None if g == 'DEFAULT' else g, opts) for g, opts in _GROUPS]


def database_url(conf=CONF):
    """The configured database URL, or the embedded SQLite file."""
    if conf.database.connection:
        return conf.database.connection
    return 'sqlite:///' + os.path.join(conf.state_path, 'freezer.sqlite')


def parse_args(argv, conf=CONF, default_config_files=None, prog=None):
    """Parse argv and config files, set up logging."""
    if default_config_files is None:
        # Every freezer-api command reads freezer-api.conf (and
        # freezer.conf) from the usual places, whatever its own name.
        default_config_files = cfg.find_config_files(
            project='freezer', prog='freezer-api')
    conf(argv, project='freezer', prog=prog,
         default_config_files=default_config_files)
    log.setup(conf, 'freezer-api')


register_opts()
log.register_options(CONF)
