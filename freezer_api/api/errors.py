"""The one map from an exception to an HTTP status and a JSON error body."""

import json

from oslo_db import exception as db_exc
from oslo_log import log
import webob

from freezer_api.common import exceptions
from freezer_api.common import schemas

LOG = log.getLogger(__name__)

# Driver errors that oslo.db does not classify but that mean "this value
# does not fit its column" (psycopg 3 names).
_DATA_ERRORS = ('StringDataRightTruncation', 'NumericValueOutOfRange',
                'DataError', 'InvalidTextRepresentation')


def status_and_body(error):
    """(status, {"title", "description", ...}, headers) for ``error``."""
    headers = {}
    if isinstance(error, exceptions.FreezerError):
        if isinstance(error, exceptions.MethodNotAllowed) and error.allow:
            headers['Allow'] = ', '.join(error.allow)
        return error.status, error.body(), headers
    if isinstance(error, schemas.ValidationFailure):
        return 400, {'title': exceptions.BadRequest.title,
                     'description': str(error)}, headers
    if isinstance(error, db_exc.DBConnectionError):
        LOG.error('Database unreachable: %s', error)
        return 503, {'title': 'Service Unavailable',
                     'description': 'The database is unreachable.'}, headers
    inner = getattr(error, 'inner_exception', None)
    if isinstance(error, db_exc.DBDataError) or (
            isinstance(error, db_exc.DBError)
            and type(inner).__name__ in _DATA_ERRORS):
        return 400, {'title': exceptions.BadRequest.title,
                     'description': 'A value does not fit its field.'}, \
            headers
    LOG.exception('Unexpected error')
    return 500, {'title': 'Internal Server Error',
                 'description': 'An unexpected error occurred on the '
                                'server.'}, headers


def json_response(status, body, headers=None):
    response = webob.Response(status=status, headerlist=[])
    if body is not None:
        response.content_type = 'application/json'
        response.charset = None
        response.body = json.dumps(body).encode('utf-8')
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(error):
    status, body, headers = status_and_body(error)
    return json_response(status, body, headers)
