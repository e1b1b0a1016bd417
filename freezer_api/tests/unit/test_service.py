"""Start-up rules: authentication strategy, listen address, storage."""

import subprocess
import sys

import pytest
import webob

from freezer_api.api import app as app_module
from freezer_api.common import config
from freezer_api.common import exceptions
from freezer_api.tests.functional import apifixture
from freezer_api.tests import backends

CONF = apifixture.CONF


@pytest.fixture
def conf():
    database = backends.Database('sqlite')
    apifixture.configure(database.url)
    yield CONF
    CONF.reset()
    CONF.clear_override('auth_strategy', group='api')
    for name in ('bind_host',):
        CONF.clear_override(name)
    CONF.clear_override('driver', group='storage')
    database.drop()


def test_keystone_is_the_default_strategy():
    option = [o for o in config.api_opts
              if o.name == 'auth_strategy'][0]
    assert option.default == 'keystone'


def test_keystone_strategy_refuses_a_request_without_token(conf):
    from keystonemiddleware.auth_token import _opts
    conf.register_opts(_opts._OPTS, group='keystone_authtoken')
    conf.set_override('www_authenticate_uri', 'http://127.0.0.1:5000/',
                      group='keystone_authtoken')
    conf.set_override('auth_strategy', 'keystone', group='api')
    application = app_module.build_app(conf)
    response = webob.Request.blank('/v2/p1/jobs').get_response(application)
    assert response.status_int == 401
    # What needs no authentication still answers.
    response = webob.Request.blank('/').get_response(application)
    assert response.status_int == 300


def test_noauth_refuses_a_public_listen_address(conf):
    conf.set_override('bind_host', '0.0.0.0')
    with pytest.raises(exceptions.FreezerError) as caught:
        app_module.check_noauth_bind(conf)
    assert 'loopback' in caught.value.description
    conf.set_override('bind_host', '127.0.0.1')
    app_module.check_noauth_bind(conf)


def test_elasticsearch_driver_is_a_clear_start_up_error(conf):
    conf.set_override('driver', 'elasticsearch', group='storage')
    with pytest.raises(exceptions.FreezerError) as caught:
        app_module.build_app(conf)
    assert 'sqlalchemy' in caught.value.description


def test_freezer_api_exits_with_one_line_on_noauth_public_bind(tmp_path):
    config = tmp_path / 'api.conf'
    config.write_text('[DEFAULT]\nbind_host = 0.0.0.0\n'
                      'state_path = %s\n[api]\nauth_strategy = noauth\n'
                      % tmp_path)
    result = subprocess.run(
        [sys.executable, '-m', 'freezer_api.cmd.api', '--config-file',
         str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert 'loopback' in result.stderr
    assert 'Traceback' not in result.stderr


def test_wsgi_refuses_noauth_without_the_opt_in(tmp_path, monkeypatch):
    config = tmp_path / 'api.conf'
    config.write_text('[api]\nauth_strategy = noauth\n'
                      '[database]\nconnection = sqlite:///%s/f.sqlite\n'
                      % tmp_path)
    code = ('import freezer_api.wsgi as w\n'
            'try:\n    w.init_application()\n'
            'except Exception as e:\n    print(type(e).__name__)\n')
    env = {'FREEZER_API_CONFIG': str(config), 'PATH': '/usr/bin:/bin'}
    result = subprocess.run([sys.executable, '-c', code], env=env,
                            capture_output=True, text=True, timeout=60)
    assert 'FreezerError' in result.stdout
    config.write_text(config.read_text().replace(
        '[api]\n', '[api]\nallow_noauth_under_wsgi_server = true\n'))
    result = subprocess.run([sys.executable, '-c', code], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout == ''
