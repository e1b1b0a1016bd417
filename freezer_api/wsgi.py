"""WSGI entry point for uwsgi and mod_wsgi: freezer_api.wsgi:application.

Reads the usual config files (or those in FREEZER_API_CONFIG, separated by
commas). noauth is refused here unless [api]
allow_noauth_under_wsgi_server says the operator knows what listens.
"""

import os

from oslo_config import cfg

from freezer_api.api import app as app_module
from freezer_api.common import config
from freezer_api.common import exceptions


def init_application():
    files = os.environ.get('FREEZER_API_CONFIG')
    config.parse_args([], default_config_files=files.split(',')
                      if files else None, prog='freezer-api-wsgi')
    conf = cfg.CONF
    if (conf.api.auth_strategy == 'noauth'
            and not conf.api.allow_noauth_under_wsgi_server):
        raise exceptions.FreezerError(
            'auth_strategy = noauth under an external WSGI server needs '
            '[api] allow_noauth_under_wsgi_server = true')
    return app_module.build_app(conf)


class _LazyApplication(object):
    """Builds the application on the first request, after the fork."""

    def __init__(self):
        self._app = None

    def __call__(self, environ, start_response):
        if self._app is None:
            self._app = init_application()
        return self._app(environ, start_response)


application = _LazyApplication()
