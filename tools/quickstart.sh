#!/usr/bin/env bash
# Install freezer-sessions into .venv and start freezer-api on its embedded
# default: SQLite in ~/.local/state/freezer-api, noauth, 127.0.0.1:9090.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
exec .venv/bin/freezer-api --config-file etc/freezer-api-quickstart.conf "$@"
