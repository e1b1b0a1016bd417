"""Reading requests: JSON bodies within limits, paging, search documents."""

import json

from oslo_config import cfg

from freezer_api.common import exceptions
from freezer_api.common import schemas

CONF = cfg.CONF

_PAGING = ('limit', 'offset', 'all_projects')


def _depth(document, limit):
    """Raise BadRequest when ``document`` nests deeper than ``limit``."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise exceptions.BadRequest(
                'The JSON body nests deeper than %d levels' % limit)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def read_body(request):
    """The request's JSON body; None when there is none."""
    limit = CONF.api.max_request_body_size
    length = request.content_length
    if length is not None and length > limit:
        raise exceptions.BodyTooLarge(
            'The request body is larger than %d bytes' % limit)
    if length == 0:
        return None
    raw = request.body_file.read(limit + 1) if length is None else \
        request.body
    if len(raw) > limit:
        raise exceptions.BodyTooLarge(
            'The request body is larger than %d bytes' % limit)
    if not raw.strip():
        return None
    if b'\x00' in raw or b'\\u0000' in raw.lower():
        # No database stores NUL in text; refuse it before it reaches one.
        raise exceptions.BadRequest('The body must not contain NUL '
                                    'characters')
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise exceptions.BadRequest('Malformed JSON: %s' % str(error)[:200])
    _depth(document, CONF.api.max_json_depth)
    return document


def object_body(request, required=True):
    """The body, which must be a JSON object (``{}`` when absent)."""
    document = read_body(request)
    if document is None:
        if required:
            raise exceptions.BadRequest(
                'Empty request body. A valid JSON document is required.')
        return {}
    if not isinstance(document, dict):
        raise exceptions.BadRequest('The request body must be a JSON object')
    return document


def _integer(request, name, default):
    value = request.GET.get(name)
    if value is None or value == '':
        return default
    try:
        number = int(value)
    except ValueError:
        raise exceptions.BadRequest(
            'Invalid parameter: %s must be an integer' % name)
    if number < 0:
        raise exceptions.BadRequest(
            'Invalid parameter: %s must not be negative' % name)
    return number


def paging(request):
    """(limit, offset): 0 or absent means the default, large is clamped."""
    limit = _integer(request, 'limit', 0) or CONF.api.default_limit
    offset = _integer(request, 'offset', 0)
    if offset > schemas.INT32_MAX:
        raise exceptions.BadRequest('Invalid parameter: offset is too large')
    return min(limit, CONF.api.max_limit), offset


def _search_entries(entries, negate, where):
    if not isinstance(entries, list):
        raise exceptions.BadRequest('%s must be a list of objects' % where)
    filters = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise exceptions.BadRequest('%s must be a list of objects'
                                        % where)
        for key, value in entry.items():
            if key == '_all' and not negate:
                filters.extend(_legacy_all(value))
            elif isinstance(value, (dict, list)):
                raise exceptions.BadRequest(
                    'Search values must be scalars (%s)' % key)
            else:
                filters.append((key, value, negate))
    return filters


def _legacy_all(value):
    """The old CLI's {"_all": "<JSON list of {key: value}>"} form."""
    try:
        entries = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        entries = None
    if not isinstance(entries, list):
        raise exceptions.BadRequest(
            '_all must be a JSON string holding a list of objects')
    return _search_entries(entries, False, '_all')


def filters(request):
    """[(key, value, negate)] from the search body and query parameters."""
    result = [(key, value, False) for key, value in request.GET.items()
              if key not in _PAGING]
    document = read_body(request)
    if document is None:
        return result
    if not isinstance(document, dict):
        raise exceptions.BadRequest('The search document must be an object')
    result += _search_entries(document.get('match') or [], False, 'match')
    result += _search_entries(document.get('match_not') or [], True,
                              'match_not')
    return result
