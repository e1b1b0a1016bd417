"""The OpenAPI document: current, complete, valid, and built from the code.

Validation uses the openapi-spec-validator package (OpenAPI 3.1 rules and
the 3.1 meta-schema).
"""

import copy
import importlib.util
import os

import jsonschema
from openapi_spec_validator import OpenAPIV31SpecValidator
import pytest
import webob
import yaml

from freezer_api.api import openapi
from freezer_api.api import routes
from freezer_api.common import schemas
from freezer_api.db.sqlalchemy import api as sql_api
from freezer_api.tests.functional import apifixture

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
# What the front door answers itself, besides the route table.
FRONT_DOOR = {('GET', '/'), ('GET', '/healthcheck'), ('GET', '/v2/'),
              ('GET', '/openapi.yaml')}
HTTP_METHODS = ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')
ROUTE_NOT_FOUND = 'The resource could not be found.'


def _generator():
    path = os.path.join(REPO, 'tools', 'generate_openapi.py')
    spec = importlib.util.spec_from_file_location('generate_openapi', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def document():
    return openapi.build()


@pytest.fixture(scope='module')
def api():
    served = apifixture.API('sqlite')
    yield served
    served.close()


def _operations(document):
    return {(method.upper(), path)
            for path, item in document['paths'].items() for method in item}


def _component(document, name):
    return document['components']['schemas'][name]


# -- the committed file ----------------------------------------------------

def test_committed_yaml_is_what_the_code_generates():
    generator = _generator()
    with open(generator.TARGET, encoding='utf-8') as committed:
        text = committed.read()
    assert yaml.safe_load(text) == openapi.build(), (
        'openapi.yaml is stale: run python tools/generate_openapi.py')
    assert text == generator.render()


def test_check_mode_fails_on_a_stale_file(tmp_path, monkeypatch, capsys):
    generator = _generator()
    stale = tmp_path / 'openapi.yaml'
    stale.write_text(generator.render().replace('3.1.0', '3.0.3'),
                     encoding='utf-8')
    monkeypatch.setattr(generator, 'TARGET', str(stale))
    assert generator.main(['--check']) == 1
    assert 'stale' in capsys.readouterr().err
    assert generator.main([]) == 0
    assert generator.main(['--check']) == 0


def test_the_api_serves_the_committed_file(api):
    response = webob.Request.blank('/openapi.yaml').get_response(api.app)
    assert response.status_int == 200
    assert response.content_type == 'application/yaml'
    assert yaml.safe_load(response.body) == openapi.build()


# -- the document and the app describe the same operations -------------------

def test_every_served_operation_is_described_and_nothing_else(document):
    served = {(r.method, r.template) for r in routes.ROUTES} | FRONT_DOOR
    described = _operations(document)
    assert served - described == set(), 'served but not described'
    assert described - served == set(), 'described but not served'


def _concrete(template):
    values = dict(openapi.EXAMPLE_IDS)
    return template.format(**values)


def test_the_app_answers_exactly_the_described_methods(document, api):
    """Ask the running app: described methods route, the others are 405."""
    for path, item in document['paths'].items():
        if not path.startswith('/v2/{project_id}/'):
            continue  # the front door answers any method on its paths
        described = {method.upper() for method in item}
        url = _concrete(path)
        for method in HTTP_METHODS:
            status, body = api.request(method, url)
            if method in described:
                routed = not (status == 404 and isinstance(body, dict) and
                              body.get('description') == ROUTE_NOT_FOUND)
                assert status != 405 and routed, (method, path, body)
            else:
                assert status == 405, (method, path, status, body)
    for method, path in FRONT_DOOR:
        status, _ = api.request(method, path)
        assert status in (200, 300), (method, path, status)


def test_document_is_valid_openapi_3_1(document):
    assert document['openapi'].startswith('3.1.')
    OpenAPIV31SpecValidator(document).validate()


def test_every_reference_resolves(document):
    def walk(value):
        if isinstance(value, dict):
            reference = value.get('$ref')
            if reference is not None:
                _, section, name = reference.lstrip('#/').split('/')
                assert name in document['components'][section], reference
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(document)


# -- request bodies come from freezer_api.common.schemas ----------------------

def _inline_shared(value, document):
    """The component with every $ref to a shared request schema inlined."""
    if isinstance(value, dict):
        reference = value.get('$ref', '')
        name = reference.rsplit('/', 1)[-1]
        if len(value) == 1 and name in openapi.REQUEST_SCHEMAS:
            component = dict(_component(document, name))
            component.pop('description', None)
            return _inline_shared(component, document)
        return {k: _inline_shared(v, document) for k, v in value.items()}
    if isinstance(value, list):
        return [_inline_shared(item, document) for item in value]
    return value


@pytest.mark.parametrize('name', sorted(openapi.REQUEST_SCHEMAS))
def test_request_schema_is_the_one_the_server_validates_with(document, name):
    component = dict(_component(document, name))
    component.pop('description', None)
    assert _inline_shared(component, document) == \
        openapi.REQUEST_SCHEMAS[name]


def test_every_body_the_server_reads_is_described(document):
    bodies = {}
    for path, item in document['paths'].items():
        for method, operation in item.items():
            if 'requestBody' in operation:
                schema = operation['requestBody']['content'][
                    'application/json']['schema']
                bodies[(method.upper(), path)] = schema['$ref'].rsplit(
                    '/', 1)[-1]
    p = '/v2/{project_id}'
    assert bodies[('POST', p + '/jobs')] == 'JobCreate'
    assert bodies[('PATCH', p + '/jobs/{job_id}')] == 'JobPatch'
    assert bodies[('POST', p + '/sessions')] == 'SessionCreate'
    assert bodies[('POST', p + '/sessions/{session_id}/action')] == \
        'SessionActionRequest'
    assert bodies[('GET', p + '/jobs')] == 'Search'
    # Every operation that reads a body (all but show, delete, add/remove
    # member and the front door) describes one.
    readers = {(r.method, r.template) for r in routes.ROUTES
               if r.method in ('POST', 'PATCH')
               or r.template.endswith(('/jobs', '/sessions', '/actions',
                                       '/clients', '/backups'))}
    assert set(bodies) == readers


def _validator(document, name):
    schema = {'$ref': '#/components/schemas/%s' % name,
              'components': document['components']}
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize('name', sorted(openapi.REQUEST_EXAMPLES))
def test_examples_are_valid_bodies(document, name):
    for example in openapi.REQUEST_EXAMPLES[name].values():
        _validator(document, name).validate(example['value'])
        if name in openapi.REQUEST_SCHEMAS:
            schemas.validate(openapi.REQUEST_SCHEMAS[name], example['value'])


def test_session_action_body_takes_exactly_one_action(document):
    validator = _validator(document, 'SessionActionRequest')
    start = {'job_id': 'j1', 'current_tag': 0}
    assert validator.is_valid({'start': start})
    assert not validator.is_valid({'start': start, 'end': start})
    assert not validator.is_valid({'stop': start})
    assert not validator.is_valid({'start': {'job_id': 'j1'}})


# -- parameters and answers ---------------------------------------------------

def _parameters(document, method, path):
    operation = document['paths'][path][method.lower()]
    return {p['name']: p for p in operation['parameters']}


@pytest.mark.parametrize('collection', sorted(sql_api.FILTERABLE))
def test_list_filters_are_the_storage_filters(document, collection):
    path = '/v2/{project_id}/%s' % collection
    parameters = _parameters(document, 'GET', path)
    filters = set(parameters) - {'project_id', 'limit', 'offset',
                                 'all_projects'}
    assert filters == set(sql_api.FILTERABLE[collection])
    assert parameters['limit']['schema']['minimum'] == 0


def test_named_session_parameters(document):
    create = _parameters(document, 'POST', '/v2/{project_id}/sessions')
    assert create['if_exists']['schema']['enum'] == ['update', 'keep']
    for collection in ('jobs', 'sessions'):
        found = _parameters(document, 'GET', '/v2/{project_id}/%s'
                            % collection)
        assert found['session_name']['schema'] == {'type': 'string'}


def test_error_answers_use_the_error_body(document):
    responses = document['components']['responses']
    for name, response in responses.items():
        schema = response['content']['application/json']['schema']
        if name == 'Unauthorized':
            continue  # keystonemiddleware writes its own body
        assert schema['allOf'] == [{'$ref': '#/components/schemas/Error'}]
    error = _component(document, 'Error')
    assert error['required'] == ['description', 'title']


def test_no_operation_promises_a_server_error(document):
    for path, item in document['paths'].items():
        for method, operation in item.items():
            codes = set(operation['responses'])
            assert 'default' not in codes, (method, path)
            assert '500' not in codes, (method, path)
            assert any(code[0] in '23' for code in codes), (method, path)


def test_the_app_answers_conform_to_the_examples(document, api):
    """The documented examples work against the app, in a sensible order."""
    p = '/v2/p1'
    examples = copy.deepcopy(openapi.REQUEST_EXAMPLES)

    def body(name, key):
        return examples[name][key]['value']

    assert api.request('POST', p + '/clients',
                       body('ClientCreate', 'host'))[0] == 201
    status, job = api.request('POST', p + '/jobs', body('JobCreate', 'named'))
    assert status == 201 and job['session_id'] == ''  # pending
    status, created = api.request('POST', p + '/sessions',
                                  body('SessionCreate', 'named'))
    assert status == 201
    assert created['attached_job_ids'] == [job['job_id']]
    status, listed = api.request('GET', p + '/jobs', body('Search',
                                                          'completed'))
    assert status == 200 and listed == {'jobs': []}
