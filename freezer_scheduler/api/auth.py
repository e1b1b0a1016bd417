"""Authentication and endpoint resolution, as every OpenStack CLI does it.

Options are read from any object with ``os_*`` attributes (an argparse
namespace, an oslo.config group, a SimpleNamespace); an attribute that is
missing or empty falls back to the ``OS_*`` environment variable of the
same name, so ``OS_AUTH_URL``, ``OS_TOKEN``, ``OS_BACKUP_URL``... work
everywhere.
"""

import os
import re

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import loading
from keystoneauth1 import session as ks_session

SERVICE_TYPE = 'backup'

# The keystoneauth plugins whose options get a --os-<name> flag. Any other
# plugin still loads with --os-auth-type when its options are among these.
_FLAGGED_PLUGINS = ('password', 'token', 'v3applicationcredential',
                    'v3totp', 'admin_token', 'none')

# A URL that already names the project: .../v2/<project>.
_PROJECT_URL = re.compile(r'/v2/[^/]+$')
_TRUE = ('1', 'true', 'yes', 'on')


class ConfigError(Exception):
    """The options do not say how to reach or authenticate to the API."""


def _env(name):
    value = os.environ.get(name)
    return value if value else None


def option(options, name):
    """``options.<name>``, else the environment variable ``NAME``."""
    value = getattr(options, name, None) if options is not None else None
    if value is None or value == '':
        return _env(name.upper())
    return value


def _plugin_options():
    """[keystoneauth Opt] of the flagged plugins, each name once."""
    seen = {}
    for plugin in _FLAGGED_PLUGINS:
        for opt in loading.get_plugin_loader(plugin).get_options():
            seen.setdefault(opt.dest, opt)
    return list(seen.values())


def add_auth_arguments(parser):
    """Add the --os-* authentication and endpoint flags to ``parser``.

    Each flag defaults to its ``OS_*`` environment variable.
    """
    group = parser.add_argument_group(
        'authentication and endpoint',
        'Flags default to the OS_* environment variable of the same name.')
    group.add_argument(
        '--os-auth-type', metavar='<auth-type>', default=_env('OS_AUTH_TYPE'),
        help='keystoneauth plugin: password, token, v3applicationcredential, '
             'admin_token, none (no authentication)... Default: '
             'v3applicationcredential when an application credential is '
             'given, admin_token for a token without --os-auth-url, token '
             'for a token, else password.')
    for opt in _plugin_options():
        flag = '--os-' + opt.dest.replace('_', '-')
        group.add_argument(flag, metavar='<%s>' % opt.name,
                           dest='os_' + opt.dest,
                           default=_env('OS_' + opt.dest.upper()),
                           help=opt.help)
    group.add_argument(
        '--os-backup-url', metavar='<url>', default=_env('OS_BACKUP_URL'),
        help='freezer-api URL; used before --os-endpoint and the catalog. '
             'A URL ending in /v2/<project> is used as it is.')
    group.add_argument(
        '--os-region-name', metavar='<region>',
        default=_env('OS_REGION_NAME'),
        help='Region of the catalog endpoint.')
    group.add_argument(
        '--os-interface', '--os-endpoint-type', metavar='<interface>',
        # The scheduler daemon's name for it (upstream's option).
        dest='os_endpoint_type',
        default=_env('OS_INTERFACE') or _env('OS_ENDPOINT_TYPE'),
        help='Catalog interface: public (default), internal or admin.')
    group.add_argument('--os-cacert', metavar='<ca-bundle>',
                       default=_env('OS_CACERT'),
                       help='CA bundle that signs the API certificate.')
    group.add_argument('--os-cert', metavar='<certificate>',
                       default=_env('OS_CERT'),
                       help='Client certificate.')
    group.add_argument('--os-key', metavar='<key>', default=_env('OS_KEY'),
                       help='Client certificate key.')
    group.add_argument(
        '--insecure', action='store_true',
        default=(_env('OS_INSECURE') or '').lower() in _TRUE,
        help='Do not verify the server certificate.')
    group.add_argument(
        '--os-api-timeout', metavar='<seconds>', type=float, default=60.0,
        help='Seconds one API request may take (default 60).')
    return parser


def _infer_auth_type(options):
    if (option(options, 'os_application_credential_id')
            or option(options, 'os_application_credential_secret')):
        return 'v3applicationcredential'
    if option(options, 'os_token'):
        if option(options, 'os_auth_url'):
            return 'token'
        return 'admin_token'
    return 'password'


def build_auth(options):
    """The keystoneauth plugin the options describe."""
    auth_type = option(options, 'os_auth_type') or _infer_auth_type(options)
    try:
        loader = loading.get_plugin_loader(auth_type)
    except ks_exceptions.NoMatchingPlugin:
        raise ConfigError('unknown --os-auth-type %r; known: %s' % (
            auth_type, ', '.join(sorted(
                loading.get_available_plugin_names()))))
    values = {}
    for opt in loader.get_options():
        value = option(options, 'os_' + opt.dest)
        if value is not None:
            values[opt.dest] = value
    try:
        return loader.load_from_options(**values)
    except ks_exceptions.MissingRequiredOptions as error:
        flags = ', '.join('--os-' + o.dest.replace('_', '-')
                          for o in error.options)
        raise ConfigError('--os-auth-type %s needs %s (or use '
                          '--os-auth-type none for an API without '
                          'authentication)' % (auth_type, flags))


def _verify(options, insecure):
    if insecure is None:
        insecure = getattr(options, 'insecure', None)
        if insecure is None:
            insecure = (_env('OS_INSECURE') or '').lower() in _TRUE
    if insecure:
        return False
    return option(options, 'os_cacert') or True


def build_session(options, insecure=None, timeout=None):
    """A keystoneauth Session (keep-alive HTTP, auth) from the options.

    ``insecure`` and ``timeout`` override the options' own values.
    """
    cert = option(options, 'os_cert')
    key = option(options, 'os_key')
    if timeout is None:
        timeout = getattr(options, 'os_api_timeout', None) or 60.0
    return ks_session.Session(
        auth=build_auth(options), verify=_verify(options, insecure),
        cert=(cert, key) if cert and key else cert, timeout=timeout,
        user_agent='freezer-scheduler')


def _catalog_endpoint(session, options):
    try:
        return session.get_endpoint(
            service_type=SERVICE_TYPE,
            interface=option(options, 'os_interface')
            or option(options, 'os_endpoint_type') or 'public',
            region_name=option(options, 'os_region_name'))
    except ks_exceptions.EndpointNotFound:
        return None


def project_url(url, project_id):
    """``url`` made to end in /v2/<project>; None when it cannot be."""
    url = url.rstrip('/')
    if _PROJECT_URL.search(url):
        return url
    if not project_id:
        return None
    if url.endswith('/v2'):
        return '%s/%s' % (url, project_id)
    return '%s/v2/%s' % (url, project_id)


def resolve_base_url(session, options, catalog_lookup=None):
    """The API base URL, ending in /v2/<project>.

    Order: --os-backup-url, else --os-endpoint, else the catalog's
    ``backup`` entry (``catalog_lookup()`` when given). The project comes
    from the URL, else --os-project-id, else the token.
    """
    url = option(options, 'os_backup_url') or option(options, 'os_endpoint')
    if not url:
        url = (catalog_lookup() if catalog_lookup is not None
               else _catalog_endpoint(session, options))
    if not url:
        raise ConfigError(
            'no API endpoint: give --os-backup-url (OS_BACKUP_URL) or '
            '--os-endpoint, or register a "backup" service in the catalog')
    base = project_url(url, option(options, 'os_project_id'))
    if base is None:
        base = project_url(url, session.get_project_id())
    if base is None:
        raise ConfigError(
            'cannot tell the project: give --os-project-id (OS_PROJECT_ID) '
            'or an API URL ending in /v2/<project>')
    return base
