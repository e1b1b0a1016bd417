"""The tree passes flake8 (the tox pep8 environment, run with the tests)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def test_flake8_is_clean():
    result = subprocess.run(
        [sys.executable, '-m', 'flake8', 'freezer_api', 'freezer_scheduler',
         'bench', 'tools', 'conftest.py'],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
