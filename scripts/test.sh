#!/usr/bin/env bash
# `make test`: lint and type checks, then the whole suite against real Redis, SQLite and
# PostgreSQL. `make check` (scripts/test.sh check): the same checks, then every test that starts
# no worker process, on SQLite alone. NORMLAB_TEST_PROCESSES test processes: by default two for
# the whole suite, which mostly waits on the services it starts, one for the quick tier, which
# computes in process (two were slower there: docs/performance.md). Modules go out in the order
# tests/conftest.py gives them (the long integration modules first), not most tests first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
export NORMLAB_TEST_REDIS_URL=${NORMLAB_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
trap 'stop_started' EXIT
tier=()
processes=${NORMLAB_TEST_PROCESSES:-2}
if [[ ${1:-} == check ]]; then
  shift
  export NORMLAB_TEST_DATABASES=sqlite
  tier=(-m "not integration")
  processes=${NORMLAB_TEST_PROCESSES:-0}
fi

.venv/bin/ruff format --check .
.venv/bin/ruff check .
.venv/bin/mypy .
ensure_redis "$NORMLAB_TEST_REDIS_URL"
.venv/bin/python -m pytest -n "$processes" --dist loadscope --no-loadscope-reorder "${tier[@]}" "$@"
