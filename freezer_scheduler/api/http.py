"""ApiClient: the freezer v2 API over one keystoneauth Session.

One Session means one keep-alive connection pool and one token for every
call, which is what makes uploading a thousand jobs quick. Every method
returns the decoded JSON answer or raises ApiError.
"""

import re
from urllib import parse

from keystoneauth1 import exceptions as ks_exceptions

# Pages asked for when walking a whole collection; the server clamps
# larger limits, so walking stops only on an empty page.
PAGE_SIZE = 1000
_NO_BODY = object()


class ApiError(Exception):
    """The API refused a call (``status``) or could not be reached (None)."""

    def __init__(self, status, description, body=None, about=None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.body = body if isinstance(body, dict) else {}
        # What the call was for (a file name), shown first.
        self.about = about

    def __str__(self):
        text = self.description
        if self.status is not None:
            text = 'HTTP %d: %s' % (self.status, text)
        return '%s: %s' % (self.about, text) if self.about else text

    def concerning(self, about, description=None):
        """The same failure, told as being about ``about``."""
        return ApiError(self.status, description or self.description,
                        self.body, about)

    @classmethod
    def from_response(cls, response):
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get('description'):
            description = str(body['description'])
        else:
            description = (response.text or response.reason or '').strip()
        return cls(response.status_code, description[:500], body)


_REASONS = ('Connection refused', 'Name or service not known',
            'timed out', 'No route to host')
_TLS_REASON = re.compile(r'\[SSL: [A-Z_]+\] ([^(]+?)\s*\(')


def transport_error_text(error):
    """A one-line account of a keystoneauth transport failure."""
    text = ' '.join(str(error).split())
    if isinstance(error, ks_exceptions.ConnectionError):
        # "Unable to establish connection to <url>: <urllib3 chain>"
        head = text.split(': ', 1)[0]
        tls = _TLS_REASON.search(text)
        if tls:
            return '%s (%s)' % (head, tls.group(1))
        for reason in _REASONS:
            if reason in text:
                return '%s (%s)' % (head, reason.lower())
        return head
    return text


def _quote(value):
    return parse.quote(str(value), safe='')


class ApiClient(object):
    """Calls on ``base_url`` (which ends in /v2/<project>)."""

    def __init__(self, session, base_url):
        self.session = session
        self.base_url = base_url.rstrip('/')

    @property
    def project_id(self):
        return parse.unquote(self.base_url.rsplit('/', 1)[1])

    def request(self, method, path, body=_NO_BODY, params=None,
                expect=(200,)):
        """Send one call; the decoded answer (None when it has no body)."""
        url = self.base_url + path
        kwargs = {'raise_exc': False,
                  'headers': {'Accept': 'application/json'}}
        if body is not _NO_BODY:
            kwargs['json'] = body
        if params:
            kwargs['params'] = params
        try:
            response = self.session.request(url, method, **kwargs)
        except ks_exceptions.ClientException as error:
            raise ApiError(None, transport_error_text(error))
        if response.status_code not in expect:
            raise ApiError.from_response(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ApiError(response.status_code,
                           'the answer of %s %s is not JSON' % (method, url))

    def _list(self, collection, limit, offset, search, filters):
        params = {'limit': limit, 'offset': offset}
        params.update((k, v) for k, v in filters.items() if v is not None)
        body = search if search else _NO_BODY
        return self.request('GET', '/%s' % collection, body,
                            params)[collection]

    def _walk(self, collection, search, filters, most=None):
        """Every document of a collection, page by page."""
        found = []
        while most is None or len(found) < most:
            size = PAGE_SIZE if most is None else min(PAGE_SIZE,
                                                      most - len(found))
            page = self._list(collection, size, len(found), search, filters)
            if not page:
                break
            found.extend(page)
        return found

    # -- jobs ---------------------------------------------------------------

    def list_jobs(self, limit=10, offset=0, search=None, **filters):
        """One page of jobs; ``filters`` are exact matches (session_name=)."""
        return self._list('jobs', limit, offset, search, filters)

    def all_jobs(self, search=None, most=None, **filters):
        return self._walk('jobs', search, filters, most)

    def get_job(self, job_id):
        return self.request('GET', '/jobs/%s' % _quote(job_id))

    def create_job(self, document):
        """POST /jobs: {"job_id", "session_id", "session_name"}."""
        return self.request('POST', '/jobs', document, expect=(201,))

    def put_job(self, job_id, document):
        """Create or replace at ``job_id``: {"job_id", "version"}."""
        return self.request('POST', '/jobs/%s' % _quote(job_id), document,
                            expect=(201,))

    def patch_job(self, job_id, document):
        return self.request('PATCH', '/jobs/%s' % _quote(job_id), document)

    def delete_job(self, job_id):
        self.request('DELETE', '/jobs/%s' % _quote(job_id), expect=(204,))

    def job_event(self, job_id, event):
        """Send start, stop or abort; the API's result string."""
        return self.request('POST', '/jobs/%s/event' % _quote(job_id),
                            {event: None}, expect=(202,))['result']

    # -- sessions -----------------------------------------------------------

    def list_sessions(self, limit=10, offset=0, search=None, **filters):
        return self._list('sessions', limit, offset, search, filters)

    def all_sessions(self, search=None, most=None, **filters):
        return self._walk('sessions', search, filters, most)

    def get_session(self, session_id):
        return self.request('GET', '/sessions/%s' % _quote(session_id))

    def find_session(self, name):
        """The live session named ``name`` in the project, or None."""
        found = self.list_sessions(limit=2, session_name=name)
        return found[0] if found else None

    def create_session(self, document, if_exists=None):
        """POST /sessions[?if_exists=keep|update].

        Answer: {"session_id", "session_name", "created",
        "attached_job_ids"}.
        """
        params = {'if_exists': if_exists} if if_exists else None
        return self.request('POST', '/sessions', document, params,
                            expect=(200, 201))

    def put_session(self, session_id, document):
        return self.request('POST', '/sessions/%s' % _quote(session_id),
                            document, expect=(201,))

    def patch_session(self, session_id, document):
        return self.request('PATCH', '/sessions/%s' % _quote(session_id),
                            document)

    def delete_session(self, session_id):
        self.request('DELETE', '/sessions/%s' % _quote(session_id),
                     expect=(204,))

    def add_job_to_session(self, session_id, job_id):
        self.request('PUT', '/sessions/%s/jobs/%s' % (
            _quote(session_id), _quote(job_id)), expect=(204,))

    def remove_job_from_session(self, session_id, job_id):
        self.request('DELETE', '/sessions/%s/jobs/%s' % (
            _quote(session_id), _quote(job_id)), expect=(204,))

    def session_action(self, session_id, body):
        """The run protocol: {"result", "session_tag"}."""
        return self.request('POST', '/sessions/%s/action' % _quote(
            session_id), body, expect=(202,))

    def start_session(self, session_id, job_id, current_tag):
        return self.session_action(session_id, {'start': {
            'job_id': job_id, 'current_tag': current_tag}})

    def end_session(self, session_id, job_id, current_tag, result):
        return self.session_action(session_id, {'end': {
            'job_id': job_id, 'current_tag': current_tag,
            'result': result}})

    # -- clients and backups ------------------------------------------------

    def register_client(self, document):
        return self.request('POST', '/clients', document, expect=(201,))

    def list_clients(self, limit=10, offset=0, search=None, **filters):
        return self._list('clients', limit, offset, search, filters)

    def get_client(self, client_id):
        return self.request('GET', '/clients/%s' % _quote(client_id))

    def delete_client(self, client_id):
        self.request('DELETE', '/clients/%s' % _quote(client_id),
                     expect=(204,))

    def create_backup(self, metadata):
        return self.request('POST', '/backups', metadata, expect=(201,))
