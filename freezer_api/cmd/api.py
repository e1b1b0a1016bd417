"""freezer-api: serve the API on gunicorn (threads in one worker per core)."""

import gc
import multiprocessing
import sys

from gunicorn.app import base as gunicorn_base
from oslo_config import cfg
from oslo_log import log

from freezer_api.api import app as app_module
from freezer_api.common import config
from freezer_api.common import exceptions
from freezer_api.db import migrate

CONF = cfg.CONF
LOG = log.getLogger(__name__)


class Server(gunicorn_base.BaseApplication):
    """gunicorn configured from oslo.config, not from its own CLI."""

    def __init__(self, application, options):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return self.application


def server_options(conf=CONF):
    host = conf.bind_host
    bind = '[%s]:%d' % (host, conf.bind_port) if ':' in host else \
        '%s:%d' % (host, conf.bind_port)
    return {
        'bind': [bind],
        'workers': conf.workers or multiprocessing.cpu_count(),
        'worker_class': 'gthread',
        'threads': conf.threads_per_worker,
        'keepalive': conf.keepalive_timeout,
        'graceful_timeout': conf.graceful_timeout,
        'timeout': 120,
        # Load the code once in the master: workers share its pages.
        'preload_app': True,
        'accesslog': None,
        'errorlog': '-',
        'loglevel': 'debug' if conf.debug else 'info',
        'proc_name': 'freezer-api',
        # gunicorn >= 25.1 opens a control socket in $HOME by default; two
        # servers of one user would fight over it.
        'control_socket_disable': True,
    }


def main(argv=None):
    config.parse_args(sys.argv[1:] if argv is None else argv,
                      prog='freezer-api')
    try:
        app_module.check_noauth_bind()
        migrate.prepare_for_serving()
        application = app_module.build_app()
    except exceptions.FreezerError as error:
        sys.stderr.write('freezer-api: %s\n' % error.description)
        return 2
    # Whatever start-up allocated stays put: the forked workers then share
    # those pages instead of copying them as the collector touches them.
    gc.collect()
    gc.freeze()
    Server(application, server_options()).run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
