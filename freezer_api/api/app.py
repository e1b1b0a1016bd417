"""The WSGI application: middleware, authentication, routing."""

import json
import os
import re

from oslo_config import cfg
from oslo_context import context as oslo_context
from oslo_log import log
from oslo_middleware import http_proxy_to_wsgi
from oslo_middleware import request_id
import pecan
import webob

from freezer_api.api import errors
from freezer_api.api import routes
from freezer_api.common import exceptions
from freezer_api.common import policies
from freezer_api.common import schemas
from freezer_api.db import storage as storage_module

CONF = cfg.CONF
LOG = log.getLogger(__name__)

VERSION_UPDATED = '2018-02-21T13:30:00'
OPENAPI_PATH = os.path.join(os.path.dirname(__file__), 'openapi.yaml')
HEALTHCHECK_DISABLE_FILE = '/etc/freezer/healthcheck_disable'


class Call(object):
    """One API call: its request, caller and storage."""

    def __init__(self, request, context, project_id, storage):
        self.request = request
        self.context = context
        self.project_id = project_id
        self.user_id = context.user_id or 'unknown'
        self.storage = storage

    def read(self, function, *args):
        return self.storage.run(function, *args, write=False)

    def write(self, function, *args):
        return self.storage.run(function, *args, write=True)


def _accepts_json(request):
    if 'Accept' not in request.headers:
        return True
    return bool(request.accept.acceptable_offers(
        ['application/json', 'application/json-home']))


def versions_document(request):
    base = request.host_url + request.script_name
    return {'versions': [{
        'id': 'v2', 'status': 'CURRENT', 'updated': VERSION_UPDATED,
        'links': [{'href': base.rstrip('/') + '/v2/', 'rel': 'self'}]}]}


def home_document():
    def var(*names):
        return {n: 'param/%s' % n for n in names}

    hints = {'formats': {'application/json': {}}}
    return {'resources': {
        'rel/backups': {'href-template': '/v2/{project_id}/backups/'
                                         '{backup_id}',
                        'href-vars': var('project_id', 'backup_id'),
                        'hints': dict(hints, allow=['GET'])},
        'rel/jobs': {'href-template': '/v2/{project_id}/jobs'
                                      '{?all_projects,offset,limit}',
                     'href-vars': var('project_id', 'all_projects',
                                      'offset', 'limit'),
                     'hints': dict(hints, allow=['GET', 'POST'])},
        'rel/job': {'href-template': '/v2/{project_id}/jobs/{job_id}',
                    'href-vars': var('project_id', 'job_id'),
                    'hints': dict(hints, allow=['GET', 'PATCH', 'POST',
                                                'DELETE'])},
    }}


# How long each id in a path may be (the columns that hold them).
_ID_LENGTHS = {'project_id': 36, 'client_id': 255}


def _check_path_ids(route, values):
    """Ids that no document can have: 404, or 400 where one would be made."""
    for name, value in values.items():
        if '\x00' in value:
            raise exceptions.NotFound('No document has that %s' % name)
        creating = route.method == 'POST' and name != 'project_id'
        if creating and not re.match(schemas.ID_PATTERN, value):
            raise exceptions.BadRequest(
                '%s may hold only letters, digits, "_" and "-"' % name)
        if len(value) <= _ID_LENGTHS.get(name, schemas.MAX_ID_LENGTH):
            continue
        if creating:
            raise exceptions.BadRequest('%s is longer than %d characters'
                                        % (name, schemas.MAX_ID_LENGTH))
        raise exceptions.NotFound('No document has the %s %s...'
                                  % (name, value[:40]))


class RootController(object):
    """Hands every request under /v2 to the route table."""

    @pecan.expose()
    def _route(self, args, request=None):
        return self.dispatch, []

    # Content negotiation is ours (Frontdoor): let pecan accept them all.
    @pecan.expose(content_type='application/json')
    @pecan.expose(content_type='application/json-home')
    @pecan.expose(content_type='text/html')
    @pecan.expose(content_type='text/plain')
    @pecan.expose(content_type='*/*')
    def dispatch(self, *args, **kwargs):
        request = pecan.request
        try:
            response = self._dispatch(request)
        except Exception as error:  # every error becomes a JSON answer
            response = errors.error_response(error)
        pecan.response.status = response.status
        pecan.response.headerlist = response.headerlist
        pecan.response.body = response.body
        return pecan.response

    def _dispatch(self, request):
        path = request.path_info
        if path.rstrip('/') == '/v2':
            response = webob.Response(
                body=json.dumps(home_document(), indent=2).encode())
            response.content_type = 'application/json-home'
            return response
        method = 'GET' if request.method == 'HEAD' else request.method
        matches = routes.match(path)
        if not matches:
            raise exceptions.NotFound('The resource could not be found.')
        for route, values in matches:
            if route.method == method:
                break
        else:
            raise exceptions.MethodNotAllowed(
                'Method %s is not allowed here' % request.method[:16],
                allow=sorted({r.method for r, _ in matches}))
        _check_path_ids(route, values)
        project_id = values.pop('project_id')
        context = request.environ['freezer.context']
        policies.authorize(context, route.rule, project_id)
        call = Call(request, context, project_id, storage_module.get())
        status, body = route.handler(call, **values)
        return errors.json_response(status, body)


class AuthContext(object):
    """Builds the request context; refuses unauthenticated requests."""

    def __init__(self, app, noauth):
        self.app = app
        self.noauth = noauth

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        headers = request.headers
        if self.noauth:
            parts = request.path_info.strip('/').split('/')
            path_project = parts[1] if len(parts) > 1 else None
            roles = headers.get('X-Roles', 'member,reader')
            context = oslo_context.RequestContext(
                user_id=headers.get('X-User-Id', 'noauth'),
                project_id=headers.get('X-Project-Id', path_project),
                roles=[r.strip().lower() for r in roles.split(',')
                       if r.strip()],
                request_id=environ.get(request_id.ENV_REQUEST_ID))
        else:
            if headers.get('X-Identity-Status') != 'Confirmed':
                return errors.error_response(exceptions.Unauthorized(
                    'Authentication required'))(environ, start_response)
            context = oslo_context.RequestContext.from_environ(environ)
            context.roles = [r.lower() for r in context.roles]
        if context.user_id and len(context.user_id) > 64:
            return errors.error_response(exceptions.BadRequest(
                'The user id is longer than 64 characters'))(
                    environ, start_response)
        environ['freezer.context'] = context
        return self.app(environ, start_response)


class Frontdoor(object):
    """Answers what needs no authentication; catches every error."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        path = request.path_info
        try:
            if path in ('', '/'):
                response = errors.json_response(
                    300, versions_document(request))
                return response(environ, start_response)
            if path.rstrip('/') == '/healthcheck':
                disabled = os.path.exists(HEALTHCHECK_DISABLE_FILE)
                response = webob.Response(
                    status=503 if disabled else 200,
                    body=b'DISABLED BY FILE' if disabled else b'OK',
                    content_type='text/plain')
                return response(environ, start_response)
            if path.rstrip('/') == '/openapi.yaml':
                with open(OPENAPI_PATH, 'rb') as spec:
                    response = webob.Response(
                        body=spec.read(), content_type='application/yaml')
                return response(environ, start_response)
            if not (path == '/v2' or path.startswith('/v2/')):
                raise exceptions.NotFound('The resource could not be found.')
            if not _accepts_json(request):
                raise exceptions.NotAcceptable(
                    'Only JSON responses are supported')
            # Bodies are read by freezer_api.api.requests alone: pecan would
            # parse JSON bodies itself and answer bad ones in its own way.
            environ.pop('CONTENT_TYPE', None)
            return self.app(environ, start_response)
        except Exception as error:
            return errors.error_response(error)(environ, start_response)


def _pecan_app():
    return pecan.make_app(RootController(), force_canonical=False,
                          guess_content_type_from_ext=False,
                          debug=False)


def build_app(conf=CONF):
    """The whole WSGI application for the current configuration."""
    if conf.storage.driver != 'sqlalchemy':
        raise exceptions.FreezerError(
            'Storage driver %r is not available: this service stores its '
            'data in SQL only ([storage] driver = sqlalchemy).'
            % conf.storage.driver)
    if conf.centralized_scheduler.enabled:
        raise exceptions.FreezerError(
            '[centralized_scheduler] enabled = true is not supported: '
            'Keystone trusts for central clients are not implemented.')
    noauth = conf.api.auth_strategy == 'noauth'
    app = AuthContext(_pecan_app(), noauth)
    if not noauth:
        from keystonemiddleware import auth_token
        app = auth_token.AuthProtocol(app, {'oslo_config_config': conf})
    app = Frontdoor(app)
    app = request_id.RequestId(app)
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf=conf)
    return app


def check_noauth_bind(conf=CONF):
    """noauth only on loopback: refuse to serve it anywhere else."""
    if conf.api.auth_strategy != 'noauth':
        return
    host = conf.bind_host
    if not (host.startswith('127.') or host in ('::1', 'localhost')):
        raise exceptions.FreezerError(
            'auth_strategy = noauth serves anyone who can connect: it '
            'needs a loopback bind_host (127.0.0.1 or ::1), not %r' % host)
