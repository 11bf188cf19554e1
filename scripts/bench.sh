#!/usr/bin/env bash
# `make bench`: every benchmark in one run against real Redis, SQLite and PostgreSQL; figures
# printed and written to bench/results/latest.json. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
export NORMLAB_TEST_REDIS_URL=${NORMLAB_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
trap 'stop_started' EXIT
ensure_redis "$NORMLAB_TEST_REDIS_URL"
.venv/bin/python -m bench
