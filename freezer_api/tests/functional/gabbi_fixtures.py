"""Gabbi fixtures: each YAML file runs against its own fresh database.

``generate(backend, metafunc)`` turns the gabbits into pytest tests that run
against ``backend``; a test module per backend calls it.
"""

import os
import types

from gabbi import driver
from gabbi import fixture

from freezer_api.tests.functional import apifixture

GABBITS = os.path.join(os.path.dirname(__file__), 'gabbits')


def _fixture_module(backend):
    slot = {'app': None}

    class APIFixture(fixture.GabbiFixture):
        """A fresh database, migrated to head, behind the in-process API."""

        def start_fixture(self):
            self.api = apifixture.API(backend)
            slot['app'] = self.api.app

        def stop_fixture(self):
            self.api.close()
            slot['app'] = None

    def intercept():
        def application(environ, start_response):
            return slot['app'](environ, start_response)
        return application

    return types.SimpleNamespace(APIFixture=APIFixture), intercept


def generate(backend, metafunc, module_name):
    fixtures, intercept = _fixture_module(backend)
    driver.py_test_generator(
        GABBITS, intercept=intercept, fixture_module=fixtures,
        test_loader_name=module_name, metafunc=metafunc,
        safe_yaml=True)
