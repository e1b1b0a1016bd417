"""pytest configuration shared by every test of the repository."""

import pytest


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Show gabbi's collection hook only gabbi's own tests.

    gabbi's pytest plugin reads every item whose id holds a ':' as one of
    its suites; other parametrized tests (URLs in their ids) would break it.
    """
    others = [item for item in items
              if getattr(item, 'originalname', None) != 'test_pytest']
    items[:] = [item for item in items if item not in others]
    yield
    items.extend(others)
