"""``openstack freezer ...``: the same commands as freezer-scheduler.

Loaded through the ``openstack.cli.extension`` entry point; the commands
are in the ``openstack.freezer.v2`` group. It lives beside
python-freezerclient's ``openstack backup`` plugin, so it registers no
global option that plugin registers: its version option is
--os-freezer-api-version, and --os-backup-url only when nobody else
registered it.
"""

import os
import types

from freezer_scheduler.api import auth
from freezer_scheduler.api import http

API_NAME = 'freezer'
API_VERSION_OPTION = 'os_freezer_api_version'
DEFAULT_API_VERSION = '2'
API_VERSIONS = {'2': 'freezer_scheduler.api.http.ApiClient'}


def _options(instance):
    """The endpoint options, from the command line, clouds.yaml or env."""
    config = instance.get_configuration()
    auth_config = config.get('auth') or {}
    return types.SimpleNamespace(
        os_backup_url=config.get('backup_url')
        or os.environ.get('OS_BACKUP_URL'),
        os_endpoint=auth_config.get('endpoint') or config.get('endpoint'),
        os_project_id=auth_config.get('project_id'))


def make_client(instance):
    """The ApiClient on osc-lib's keystoneauth session."""
    options = _options(instance)

    def catalog_lookup():
        # osc-lib honours backup_endpoint_override, region and interface.
        return instance.get_endpoint_for_service_type(
            auth.SERVICE_TYPE, region_name=instance.region_name,
            interface=instance.interface)

    base_url = auth.resolve_base_url(instance.session, options,
                                     catalog_lookup)
    return http.ApiClient(instance.session, base_url)


def build_option_parser(parser):
    """Global options of this plugin."""
    parser.add_argument(
        '--os-freezer-api-version', metavar='<freezer-api-version>',
        default=os.environ.get('OS_FREEZER_API_VERSION') or
        DEFAULT_API_VERSION,
        help='freezer API version of the "openstack freezer" commands, '
             'default=%s (Env: OS_FREEZER_API_VERSION)'
             % DEFAULT_API_VERSION)
    if '--os-backup-url' not in parser._option_string_actions:
        parser.add_argument(
            '--os-backup-url', metavar='<url>',
            default=os.environ.get('OS_BACKUP_URL'),
            help='freezer-api URL for "openstack freezer", used before '
                 '--os-endpoint and the catalog (Env: OS_BACKUP_URL)')
    return parser
