"""Auth plugin choice and the endpoint / project rules (no network)."""

import argparse
import io
import types

from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import pytest

from freezer_scheduler.api import auth
from freezer_scheduler.cli import progress
from freezer_scheduler import client


@pytest.fixture(autouse=True)
def no_os_environment(monkeypatch):
    for name in list(__import__('os').environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)


def options(**values):
    return types.SimpleNamespace(**values)


def noauth_session():
    return ks_session.Session(auth=noauth.NoAuth())


@pytest.mark.parametrize('url, project, expected', [
    ('http://h:9090/v2/p1', None, 'http://h:9090/v2/p1'),
    ('http://h:9090/v2/p1/', 'other', 'http://h:9090/v2/p1'),
    ('http://h:9090', 'p2', 'http://h:9090/v2/p2'),
    ('http://h:9090/', 'p2', 'http://h:9090/v2/p2'),
    ('http://h/backup/v2', 'p3', 'http://h/backup/v2/p3'),
    ('http://h:9090', None, None),
])
def test_project_url(url, project, expected):
    assert auth.project_url(url, project) == expected


def test_backup_url_comes_before_endpoint():
    base = auth.resolve_base_url(noauth_session(), options(
        os_backup_url='http://a/v2/p1', os_endpoint='http://b/v2/p2'))
    assert base == 'http://a/v2/p1'


def test_endpoint_then_project_id():
    base = auth.resolve_base_url(noauth_session(), options(
        os_endpoint='http://b:9090', os_project_id='p9'))
    assert base == 'http://b:9090/v2/p9'


def test_catalog_is_last():
    asked = []

    def catalog():
        asked.append(True)
        return 'http://catalog:9090'

    base = auth.resolve_base_url(noauth_session(), options(
        os_project_id='p4'), catalog)
    assert (base, asked) == ('http://catalog:9090/v2/p4', [True])
    base = auth.resolve_base_url(noauth_session(), options(
        os_backup_url='http://x/v2/p5'), catalog)
    assert (base, asked) == ('http://x/v2/p5', [True])


def test_environment_fallback(monkeypatch):
    monkeypatch.setenv('OS_BACKUP_URL', 'http://env:9090')
    monkeypatch.setenv('OS_PROJECT_ID', 'penv')
    assert auth.resolve_base_url(noauth_session(), options()) == \
        'http://env:9090/v2/penv'


def test_no_endpoint_is_a_config_error():
    with pytest.raises(auth.ConfigError) as error:
        auth.resolve_base_url(noauth_session(), options())
    assert str(error.value).startswith('no API endpoint: give '
                                       '--os-backup-url')


def test_unknown_project_is_a_config_error():
    with pytest.raises(auth.ConfigError) as error:
        auth.resolve_base_url(noauth_session(), options(
            os_backup_url='http://h:9090'))
    assert 'give --os-project-id' in str(error.value)


def test_project_from_the_token():
    class ScopedToken(token_endpoint.Token):
        def get_project_id(self, session, **kwargs):
            return 'ptoken'

    session = ks_session.Session(auth=ScopedToken('http://h:9090', 't'))
    assert auth.resolve_base_url(session, options(
        os_endpoint='http://h:9090')) == 'http://h:9090/v2/ptoken'


@pytest.mark.parametrize('values, plugin', [
    ({'os_auth_type': 'none'}, 'noauth.NoAuth'),
    # A token and no Keystone: the token goes to the endpoint as it is.
    ({'os_token': 't', 'os_endpoint': 'http://h'}, 'token_endpoint.Token'),
    ({'os_token': 't', 'os_auth_url': 'http://k/v3'},
     'identity.generic.token.Token'),
    ({'os_auth_url': 'http://k/v3', 'os_username': 'u',
      'os_password': 'p'}, 'identity.generic.password.Password'),
    ({'os_auth_url': 'http://k/v3', 'os_application_credential_id': 'a',
      'os_application_credential_secret': 's'},
     'identity.v3.application_credential.ApplicationCredential'),
])
def test_auth_plugin_choice(values, plugin):
    built = type(auth.build_auth(options(**values)))
    assert '%s.%s' % (built.__module__, built.__name__) == \
        'keystoneauth1.' + plugin


def test_plugin_options_reach_the_plugin():
    plugin = auth.build_auth(options(
        os_auth_url='http://k/v3', os_username='u', os_password='p',
        os_project_name='proj', os_user_domain_name='Default'))
    elements = plugin.get_cache_id_elements()
    assert elements['auth_url'] == 'http://k/v3'
    assert elements['project_name'] == 'proj'
    assert elements['user_domain_name'] == 'Default'


def test_missing_auth_url_is_a_config_error():
    with pytest.raises(auth.ConfigError) as error:
        auth.build_auth(options(os_username='u', os_password='p'))
    assert str(error.value).startswith(
        '--os-auth-type password needs --os-auth-url')


def test_unknown_auth_type():
    with pytest.raises(auth.ConfigError) as error:
        auth.build_auth(options(os_auth_type='magic'))
    assert "unknown --os-auth-type 'magic'" in str(error.value)


def test_add_auth_arguments_reads_environment(monkeypatch):
    monkeypatch.setenv('OS_AUTH_TYPE', 'none')
    monkeypatch.setenv('OS_BACKUP_URL', 'http://env/v2/p1')
    monkeypatch.setenv('OS_ENDPOINT_TYPE', 'internal')
    parser = client.add_auth_arguments(argparse.ArgumentParser())
    parsed = parser.parse_args(['--os-project-id', 'p7'])
    assert parsed.os_auth_type == 'none'
    assert parsed.os_backup_url == 'http://env/v2/p1'
    assert parsed.os_endpoint_type == 'internal'
    assert parsed.os_project_id == 'p7'
    assert parsed.insecure is False
    made = client.make_client(parsed)
    assert made.base_url == 'http://env/v2/p1'
    assert made.project_id == 'p1'


def test_insecure_and_timeout_reach_the_session():
    session = auth.build_session(options(os_auth_type='none',
                                         insecure=True), timeout=5)
    assert session.verify is False
    assert session.timeout == 5.0
    session = auth.build_session(options(os_auth_type='none',
                                         os_cacert='/ca.pem'))
    assert session.verify == '/ca.pem'


class Terminal(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_progress_only_on_a_terminal():
    quiet = Terminal(False)
    counter = progress.Progress(quiet, 3, 'Uploading jobs')
    counter.update(3, 1)
    counter.finish()
    assert quiet.getvalue() == ''
    shown = Terminal(True)
    counter = progress.Progress(shown, 3, 'Uploading jobs')
    counter.update(3, 1)
    counter.finish()
    assert 'Uploading jobs: 3/3 (1 failed)' in shown.getvalue()
    assert shown.getvalue().endswith('\r')
    single = Terminal(True)
    progress.Progress(single, 1, 'Uploading jobs').update(1, 0)
    assert single.getvalue() == ''
