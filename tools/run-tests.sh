#!/usr/bin/env bash
# Run every test: unit, functional (SQLite, MariaDB, PostgreSQL — the
# latter two skip when unreachable unless FREEZER_TEST_REQUIRE_BACKENDS=1),
# command line and scheduler end-to-end tests.
# Creates .venv on first use. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/pytest ] || [ requirements.txt -nt .venv/.installed ] \
        || [ test-requirements.txt -nt .venv/.installed ] \
        || [ setup.cfg -nt .venv/.installed ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -r requirements.txt -r test-requirements.txt
    .venv/bin/pip install --quiet -e .
    touch .venv/.installed
fi
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/pytest -p no:cacheprovider "$@" freezer_api freezer_scheduler
