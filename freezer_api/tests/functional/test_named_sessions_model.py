"""Random sequences of named-session operations against a small model.

Hypothesis drives the real API (in-process, SQLite) with creates, renames,
moves, attaches, detaches and deletes; after every step the API's view of
membership must equal the model's, and the invariant check must hold.
"""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import invariant
from hypothesis.stateful import rule

from freezer_api.domain import invariant as invariant_check
from freezer_api.tests.functional import apifixture

NAMES = st.sampled_from(['nightly', 'Nightly', 'weekly', 'db dump'])
MAYBE_NAME = st.one_of(st.none(), NAMES)
P = '/v2/p1'


class NamedSessions(RuleBasedStateMachine):
    """The model: job -> (name, session), session -> name."""

    jobs = Bundle('jobs')
    sessions = Bundle('sessions')

    def __init__(self):
        super().__init__()
        self.api = apifixture.API('sqlite')
        status, _ = self.api.request('POST', P + '/clients',
                                     {'client_id': 'p1_host1'})
        assert status == 201
        self.job_name = {}
        self.job_session = {}
        self.session_name = {}

    def teardown(self):
        self.api.close()

    # -- model helpers -----------------------------------------------------

    def _session_named(self, name):
        for session_id, session_name in self.session_name.items():
            if name is not None and session_name == name:
                return session_id
        return None

    def _call(self, method, path, body=None, expect=None):
        status, answer = self.api.request(method, path, body)
        assert status < 500, (method, path, body, status, answer)
        if expect is not None:
            assert status == expect, (method, path, body, status, answer)
        return status, answer

    # -- rules ---------------------------------------------------------------

    @rule(target=jobs, name=MAYBE_NAME)
    def create_job(self, name):
        _, answer = self._call('POST', P + '/jobs',
                               apifixture.exec_job(name), 201)
        job_id = answer['job_id']
        self.job_name[job_id] = name
        self.job_session[job_id] = self._session_named(name)
        assert answer['session_id'] == (self.job_session[job_id] or '')
        return job_id

    @rule(target=jobs, session=sessions)
    def create_job_in_session_by_id(self, session):
        status, answer = self._call('POST', P + '/jobs',
                                    apifixture.exec_job(session_id=session))
        if session not in self.session_name:
            assert status == 404
            return 'missing-job'
        assert status == 201
        job_id = answer['job_id']
        self.job_name[job_id] = self.session_name[session]
        self.job_session[job_id] = session
        return job_id

    @rule(target=sessions, name=MAYBE_NAME,
          if_exists=st.sampled_from([None, 'keep', 'update']))
    def create_session(self, name, if_exists):
        body = {'schedule': {'schedule_interval': '2 days'}}
        if name is not None:
            body['session_name'] = name
        query = '?if_exists=%s' % if_exists if if_exists else ''
        status, answer = self._call('POST', P + '/sessions' + query, body)
        existing = self._session_named(name)
        if if_exists and name is None:
            assert status == 400
            return 'missing-session'
        if existing is not None:
            if if_exists is None:
                assert status == 409
                assert answer['session_id'] == existing
            else:
                assert status == 200 and not answer['created']
                assert answer['session_id'] == existing
            return existing
        assert status == 201
        session_id = answer['session_id']
        self.session_name[session_id] = name
        gathered = sorted(j for j, n in self.job_name.items()
                          if name is not None and n == name)
        assert sorted(answer['attached_job_ids']) == gathered
        for job_id in gathered:
            self.job_session[job_id] = session_id
        return session_id

    @rule(job=jobs, name=MAYBE_NAME)
    def move_job(self, job, name):
        status, _ = self._call('PATCH', P + '/jobs/' + job,
                               {'session_name': name})
        if job not in self.job_name:
            assert status == 404
            return
        assert status == 200
        if self.job_name[job] != name or (name is None
                                          and self.job_session[job]):
            self.job_name[job] = name
            self.job_session[job] = self._session_named(name)

    @rule(session=sessions, name=MAYBE_NAME)
    def rename_session(self, session, name):
        status, answer = self._call('PATCH', P + '/sessions/' + session,
                                    {'session_name': name})
        if session not in self.session_name:
            assert status == 404
            return
        other = self._session_named(name)
        if other is not None and other != session:
            assert status == 409 and answer['session_id'] == other
            return
        assert status == 200
        self.session_name[session] = name
        for job_id, member_of in self.job_session.items():
            if member_of == session:
                self.job_name[job_id] = name
        for job_id, job_name in self.job_name.items():
            if name is not None and job_name == name:
                self.job_session[job_id] = session

    @rule(session=sessions)
    def delete_session(self, session):
        status, _ = self._call('DELETE', P + '/sessions/' + session)
        if session not in self.session_name:
            assert status == 404
            return
        assert status == 204
        del self.session_name[session]
        for job_id, member_of in self.job_session.items():
            if member_of == session:
                self.job_session[job_id] = None

    @rule(job=jobs)
    def delete_job(self, job):
        status, _ = self._call('DELETE', P + '/jobs/' + job)
        if job not in self.job_name:
            assert status == 404
            return
        assert status == 204
        del self.job_name[job]
        del self.job_session[job]

    @rule(session=sessions, job=jobs)
    def add_job(self, session, job):
        status, _ = self._call('PUT',
                               P + '/sessions/%s/jobs/%s' % (session, job))
        if session not in self.session_name or job not in self.job_name:
            assert status == 404
            return
        assert status == 204
        self.job_session[job] = session
        self.job_name[job] = self.session_name[session]

    @rule(session=sessions, job=jobs)
    def remove_job(self, session, job):
        status, _ = self._call('DELETE',
                               P + '/sessions/%s/jobs/%s' % (session, job))
        if (session not in self.session_name or job not in self.job_name
                or self.job_session[job] != session):
            assert status == 404
            return
        assert status == 204
        self.job_session[job] = None
        self.job_name[job] = None

    # -- checks ----------------------------------------------------------

    @invariant()
    def api_agrees_with_model(self):
        _, answer = self._call('GET', P + '/jobs?limit=1000', expect=200)
        seen = {j['job_id']: (j['session_name'] or None,
                              j['session_id'] or None)
                for j in answer['jobs']}
        wanted = {j: (self.job_name[j], self.job_session[j])
                  for j in self.job_name}
        assert seen == wanted
        _, answer = self._call('GET', P + '/sessions?limit=1000', expect=200)
        sessions = {s['session_id']: s for s in answer['sessions']}
        assert {s: d['session_name'] or None for s, d in sessions.items()} \
            == self.session_name
        for session_id, document in sessions.items():
            members = {j for j, s in self.job_session.items()
                       if s == session_id}
            assert set(document['jobs']) == members

    @invariant()
    def invariant_holds(self):
        found = self.api.storage().run(invariant_check.violations,
                                       write=False)
        assert found == []


NamedSessions.TestCase.settings = settings(
    max_examples=25, stateful_step_count=20, deadline=None,
    derandomize=True)
TestNamedSessionsModel = NamedSessions.TestCase
