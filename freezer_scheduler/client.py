"""The public API client layer of freezer_scheduler (CLI and daemon).

Functions:

``add_auth_arguments(parser)``
    Add the ``--os-*`` flags (keystoneauth plugin options, --os-auth-type,
    --os-backup-url, --os-region-name, --os-interface, TLS flags,
    --os-api-timeout) to an argparse parser; each defaults to its ``OS_*``
    environment variable.

``build_session(options, insecure=None, timeout=None)``
    A keystoneauth ``Session`` from any object with ``os_*`` attributes
    (argparse namespace, oslo.config group...); missing or empty attributes
    fall back to the ``OS_*`` environment. Raises ConfigError.

``resolve_base_url(session, options, catalog_lookup=None)``
    The API URL ending in ``/v2/<project>``: --os-backup-url, else
    --os-endpoint, else the catalog's ``backup`` entry; the project from the
    URL, else --os-project-id, else the token. Raises ConfigError.

``make_client(options, session=None, insecure=None, timeout=None)``
    ``ApiClient`` for those options (builds the session when not given).

``default_client_id(client)``
    ``<project>_<hostname>``, upstream's default client id.

Classes: ``ApiClient`` (one method per API call, see
freezer_scheduler/api/http.py), ``ApiError`` (``status`` is None when the
API could not be reached; ``body`` holds the JSON error document),
``ConfigError``.
"""

import socket

from freezer_scheduler.api.auth import add_auth_arguments  # noqa: F401
from freezer_scheduler.api.auth import build_session
from freezer_scheduler.api.auth import ConfigError  # noqa: F401
from freezer_scheduler.api.auth import resolve_base_url
from freezer_scheduler.api.http import ApiClient
from freezer_scheduler.api.http import ApiError  # noqa: F401


def make_client(options, session=None, insecure=None, timeout=None):
    """An ApiClient for ``options`` (see the module docstring)."""
    if session is None:
        session = build_session(options, insecure=insecure, timeout=timeout)
    return ApiClient(session, resolve_base_url(session, options))


def default_client_id(client):
    """``<project>_<hostname>``: the client id upstream schedulers use."""
    return '%s_%s' % (client.project_id, socket.gethostname())
