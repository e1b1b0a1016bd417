"""The HTTP contract (gabbits/*.yaml) against mysql."""

from gabbi.driver import test_pytest  # noqa: F401  (gabbi's test function)

from freezer_api.tests import backends
from freezer_api.tests.functional import gabbi_fixtures

backends.require('mysql', module_level=True)


def pytest_generate_tests(metafunc):
    gabbi_fixtures.generate('mysql', metafunc, 'api-mysql')
