"""The API on a fresh database, in-process, in noauth mode."""

import json

from oslo_config import cfg
import webob

from freezer_api.api import app as app_module
from freezer_api.common import policies
from freezer_api.db import migrate
from freezer_api.db import storage
from freezer_api.tests import backends

CONF = cfg.CONF


def configure(url):
    """Point the process's configuration and storage at ``url``."""
    CONF([], project='freezer', default_config_files=[])
    CONF.set_override('auth_strategy', 'noauth', group='api')
    CONF.set_override('connection', url, group='database')
    CONF.set_override('max_retries', 1, group='database')
    storage.reset()
    policies.reset()


def exec_job(session_name=None, session_id=None, client_id='p1_host1'):
    """A small job body (one exec action, daily) for tests to create."""
    body = {'client_id': client_id,
            'job_actions': [{'freezer_action': {'action': 'exec',
                                                'command': 'true'}}],
            'job_schedule': {'schedule_interval': '1 days'}}
    if session_name is not None:
        body['session_name'] = session_name
    if session_id is not None:
        body['session_id'] = session_id
    return body


class API(object):
    """An API served from a fresh database of ``backend``."""

    def __init__(self, backend='sqlite'):
        self.database = backends.Database(backend)
        configure(self.database.url)
        migrate.sync(CONF)
        self.app = app_module.build_app(CONF)

    def close(self):
        storage.reset()
        self.database.drop()

    def storage(self):
        return storage.get(CONF)

    def request(self, method, path, body=None, headers=None, raw=None):
        """(status, parsed JSON or None) of one request."""
        request = webob.Request.blank(path, method=method)
        if raw is not None:
            request.body = raw
        elif body is not None:
            request.body = json.dumps(body).encode()
        request.content_type = 'application/json'
        for key, value in (headers or {}).items():
            request.headers[key] = value
        response = request.get_response(self.app)
        text = response.body
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text.decode('utf-8', 'replace')
        return response.status_int, parsed
