"""From the [service_auth] options to an API client, via the package's
shared client layer (``freezer_scheduler.client``), so the daemon and the
command line authenticate the same way (Keystone password/token/application
credential, ``--os-auth-type none``, ``--os-backup-url``...).

Building the session does not talk to Keystone; ``connect`` does (catalog,
project), and reports a Keystone or API that cannot be reached as
``api.Unavailable`` so that the daemon waits instead of exiting.
"""

import types

from keystoneauth1 import exceptions as ks_exceptions

from freezer_scheduler import client as client_layer
from freezer_scheduler.daemon import api
from freezer_scheduler.daemon import config


class AuthConfigError(ValueError):
    """The options cannot give a way to reach the API; says what is
    missing."""


def options_of(conf):
    """The [service_auth] values as the client layer reads them."""
    group = conf.service_auth
    values = {opt.dest: getattr(group, opt.dest)
              for opt in config.service_auth_opts()}
    options = types.SimpleNamespace(**values)
    options.insecure = conf.scheduler.insecure
    options.os_api_timeout = float(conf.scheduler.api_timeout)
    # A token with only an API URL is an admin_token plugin, whose
    # endpoint is that URL.
    options.os_endpoint = values.get('os_backup_url')
    return options


def build_session(conf):
    try:
        return client_layer.build_session(options_of(conf))
    except client_layer.ConfigError as error:
        raise AuthConfigError(str(error))


def connect(conf, session):
    """An ``api.Gateway`` on the API; may talk to Keystone."""
    try:
        url = client_layer.resolve_base_url(session, options_of(conf))
    except client_layer.ConfigError as error:
        raise AuthConfigError(str(error))
    except (ks_exceptions.ConnectionError,
            ks_exceptions.DiscoveryFailure) as error:
        raise api.Unavailable('Keystone: %s' % error)
    except ks_exceptions.HttpError as error:
        if (error.http_status or 0) >= 500:
            raise api.Unavailable('Keystone: %s' % error)
        raise AuthConfigError('Keystone refused the credentials: %s'
                              % error)
    return api.Gateway(api.client_requester(
        client_layer.ApiClient(session, url))), url
