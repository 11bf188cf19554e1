#!/usr/bin/env bash
# `make test`: lint and type checks, then the whole suite against real Redis, SQLite and
# PostgreSQL. `make check` (scripts/test.sh check): the same checks, then every test that starts
# no worker process, on SQLite alone. Two test processes either way.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
export NORMLAB_TEST_REDIS_URL=${NORMLAB_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
trap 'stop_started' EXIT
tier=()
if [[ ${1:-} == check ]]; then
  shift
  export NORMLAB_TEST_DATABASES=sqlite
  tier=(-m "not integration")
fi

.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy .
ensure_redis "$NORMLAB_TEST_REDIS_URL"
.venv/bin/python -m pytest -n 2 --dist loadscope "${tier[@]}" "$@"
