"""Fuzz every operation of the OpenAPI document against the real app.

For each operation of the document the API serves at /openapi.yaml, on a
fresh SQLite database seeded with one document of each kind (at the ids
the document's examples use):

1. the document's own examples are sent;
2. schemathesis generates valid requests (positive mode), half of them
   aimed at the seeded ids, job bodies half of the time steered to the
   registered client so that creation can succeed;
3. it generates invalid requests (negative mode).

Every answer must be below 500 and conform to the document: a documented
status code, content type and body schema. Runs are bounded and
deterministic (hypothesis derandomize): a failure reproduces on rerun.
A failure is an API bug unless the document is wrong — do not loosen the
checks to make it pass.
"""

import hypothesis
from hypothesis import strategies as st
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from freezer_api.api import openapi
from freezer_api.tests.functional import apifixture

POSITIVE_EXAMPLES = 25
NEGATIVE_EXAMPLES = 10
PROJECT = openapi.EXAMPLE_IDS['project_id']
IDS = openapi.EXAMPLE_IDS
CHECKS = [not_a_server_error, status_code_conformance,
          content_type_conformance, response_schema_conformance]
# Show failing requests as sent: ids such as session_id are not secrets.
CONFIG = {'output': {'sanitization': {'enabled': False}}}
JOB_BODY_OPERATIONS = {('POST', '/v2/{project_id}/jobs'),
                       ('POST', '/v2/{project_id}/jobs/{job_id}'),
                       ('PATCH', '/v2/{project_id}/jobs/{job_id}')}

_DOCUMENT = openapi.build()
OPERATIONS = [(method.upper(), path, operation)
              for path, item in _DOCUMENT['paths'].items()
              for method, operation in item.items()]


def _settings(max_examples):
    return hypothesis.settings(
        max_examples=max_examples, derandomize=True, database=None,
        deadline=None, print_blob=False,
        suppress_health_check=[hypothesis.HealthCheck.too_slow,
                               hypothesis.HealthCheck.filter_too_much,
                               hypothesis.HealthCheck.data_too_large,
                               hypothesis.HealthCheck.large_base_example])


def _expect(answer, *statuses):
    status, body = answer
    assert status in statuses, 'seeding failed: %s %r' % (status, body)
    return body


def _seed(api):
    """One document of each kind, at the ids of the document's examples."""
    p = '/v2/%s' % PROJECT
    _expect(api.request('POST', p + '/clients',
                        {'client_id': IDS['client_id'],
                         'hostname': 'host1'}), 201)
    _expect(api.request('POST', p + '/sessions/' + IDS['session_id'],
                        {'session_name': openapi.EXAMPLE_SESSION_NAME,
                         'schedule': {'schedule_interval': '1 days'}}), 201)
    job = openapi.REQUEST_EXAMPLES['JobCreate']['named']['value']
    _expect(api.request('POST', p + '/jobs/' + IDS['job_id'], job), 201)
    seeded_job = _expect(api.request('GET', p + '/jobs/' + IDS['job_id']),
                         200)
    assert seeded_job['session_id'] == IDS['session_id']
    action = openapi.REQUEST_EXAMPLES['ActionCreate']['backup']['value']
    _expect(api.request('POST', p + '/actions/' + IDS['action_id'], action),
            201)
    # POST /backups always makes a new id: put the row in place directly.
    backup = openapi.REQUEST_EXAMPLES['BackupCreate']['agent']['value']
    api.storage().run(lambda tx: tx.insert_backup({
        'id': IDS['backup_id'], 'project_id': PROJECT, 'user_id': 'noauth',
        'status': 'available', 'job_id': IDS['job_id'],
        'backup_metadata': dict(backup)}))
    _expect(api.request('GET', p + '/backups/' + IDS['backup_id']), 200)


@pytest.fixture
def api():
    """A fresh database per operation, so no operation sees another's."""
    served = apifixture.API('sqlite')
    try:
        _seed(served)
        yield served
    finally:
        served.close()


def _steer_job_body(case, steer):
    """Point a generated job at the registered client (when ``steer``)."""
    body = case.body
    if not steer or not isinstance(body, dict):
        return case
    body['client_id'] = IDS['client_id']
    body.pop('session_id', None)
    for entry in body.get('job_actions') or []:
        if isinstance(entry.get('freezer_action'), dict):
            # The client supports every listed enum; free-text capability
            # keys would make it refuse the job (422).
            entry['freezer_action']['storage'] = None
            entry['freezer_action']['engine_name'] = None
    if isinstance(body.get('action_defaults'), dict):
        body['action_defaults'].pop('storage', None)
        body['action_defaults'].pop('engine_name', None)
    return case


def _fuzz_strategy(operation, key, mode):
    path_names = [p.name for p in operation.path_parameters]
    fixed = {'project_id': PROJECT} if 'project_id' in path_names else {}
    seeded = {name: IDS[name] for name in path_names}
    strategy = st.one_of(
        operation.as_strategy(mode, path_parameters=fixed),
        operation.as_strategy(mode, path_parameters=seeded))
    if key in JOB_BODY_OPERATIONS:
        strategy = st.tuples(strategy, st.booleans()).map(
            lambda pair: _steer_job_body(*pair))
    return strategy


def _run(strategy, max_examples):
    @_settings(max_examples)
    @hypothesis.given(case=strategy)
    def conforms(case):
        case.call_and_validate(checks=CHECKS)

    conforms()


@pytest.mark.parametrize(
    'method,path,described', OPERATIONS,
    ids=['%s %s' % (m, p) for m, p, _ in OPERATIONS])
def test_operation_conforms(api, method, path, described):
    schema = schemathesis.openapi.from_wsgi(
        '/openapi.yaml', api.app,
        config=SchemathesisConfig.from_dict(CONFIG))
    operation = schema[path][method]
    examples = schema.get_strategies_from_examples(operation)
    if examples:
        _run(st.one_of(examples), 5 * len(examples))
    key = (method, path)
    _run(_fuzz_strategy(operation, key, schemathesis.GenerationMode.POSITIVE),
         POSITIVE_EXAMPLES)
    # Nothing to make invalid in an operation without inputs.
    if described.get('parameters') or described.get('requestBody'):
        _run(_fuzz_strategy(operation, key,
                            schemathesis.GenerationMode.NEGATIVE),
             NEGATIVE_EXAMPLES)
