#!/usr/bin/env bash
# `make test`: lint and type checks, then the suite against real Redis, SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
export NORMLAB_TEST_REDIS_URL=${NORMLAB_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
trap 'stop_started' EXIT

.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy .
ensure_redis "$NORMLAB_TEST_REDIS_URL"
.venv/bin/python -m pytest "$@"
