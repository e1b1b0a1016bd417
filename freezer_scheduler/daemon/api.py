"""The few API calls the daemon makes, behind one small class.

``Gateway`` speaks freezer-api v2 through a *requester*: a callable
``(method, path, body, expect) -> document`` where ``path`` is relative to
``/v2/<project>``; it raises ``Unavailable`` when the server cannot be
reached (or answers 5xx) and ``ApiError`` for any other unexpected status.
``client_requester`` adapts the package's shared ``ApiClient``; tests may
hand in the in-process API.
"""

import logging
import urllib.parse

LOG = logging.getLogger(__name__)

PAGE = 1000


class Unavailable(Exception):
    """The API (or Keystone) could not be reached, or answered 5xx."""


class ApiError(Exception):
    """The API answered with an error a retry will not fix."""

    def __init__(self, status, description):
        super().__init__('HTTP %s: %s' % (status, description))
        self.status = status
        self.description = description


def attempt(function, *args):
    """(result, None), or (None, the Unavailable/ApiError it raised).

    Callers log outside the ``except`` block, so oslo.log does not append
    the exception a second time.
    """
    try:
        return function(*args), None
    except (Unavailable, ApiError) as error:
        return None, error


class Gateway(object):
    """Every call the scheduler makes to the API."""

    def __init__(self, request):
        self.request = request

    def _call(self, method, path, body=None, expect=(200,)):
        return self.request(method, path, body, expect)

    def register_client(self, client):
        """POST /clients; True when registered, False when 409."""
        try:
            self._call('POST', '/clients', client, expect=(200, 201))
        except ApiError as error:
            if error.status == 409:
                return False
            raise
        return True

    def list_jobs(self, client_id, all_projects=False):
        """Every non-completed job of ``client_id``, in pages of 1000."""
        search = {'match_not': [{'status': 'completed'}],
                  'match': [{'client_id': client_id}]}
        jobs = []
        offset = 0
        while True:
            query = {'limit': PAGE, 'offset': offset}
            if all_projects:
                query['all_projects'] = 'True'
            document = self._call('GET', '/jobs?' + urllib.parse.urlencode(
                query), search)
            page = (document or {}).get('jobs') or []
            jobs.extend(page)
            if len(page) < PAGE:
                return jobs
            offset += len(page)

    def get_job(self, job_id):
        try:
            return self._call('GET', '/jobs/%s' % _quote(job_id))
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def patch_job(self, job_id, body):
        self._call('PATCH', '/jobs/%s' % _quote(job_id), body)

    def session_action(self, session_id, body):
        """POST /sessions/{id}/action; the answer {"result", "session_tag"}."""
        return self._call('POST', '/sessions/%s/action' % _quote(session_id),
                          body, expect=(200, 201, 202))

    def get_session(self, session_id):
        return self._call('GET', '/sessions/%s' % _quote(session_id))

    def create_backup(self, metadata):
        self._call('POST', '/backups', metadata, expect=(200, 201))


def _quote(value):
    return urllib.parse.quote(str(value), safe='')


def client_requester(api_client):
    """A requester over ``freezer_scheduler.client.ApiClient``."""
    from freezer_scheduler import client as client_layer

    def request(method, path, body, expect):
        try:
            return api_client.request(method, path, body, expect=expect)
        except client_layer.ApiError as error:
            if error.status is None or error.status >= 500:
                raise Unavailable(str(error))
            raise ApiError(error.status, error.description)

    return request
