#!/usr/bin/env bash
# `make run`: Redis if none answers, the migrated database, then the API and one worker in
# the foreground; Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
port=${PORT:-8000}
trap 'stop_started' EXIT
trap 'exit 130' INT TERM

ensure_redis "$REDIS_URL"
mkdir -p var
.venv/bin/alembic upgrade head
# uvicorn as every deployment starts it: proxy headers only from NORMLAB_FORWARDED_ALLOW_IPS.
.venv/bin/python -m api.serve --host 127.0.0.1 --port "$port" &
STARTED_PIDS+=($!)
# Concurrency and TensorFlow threads come from the settings (NORMLAB_WORKER_CONCURRENCY, 2).
.venv/bin/python -m celery --quiet -A worker.celery_app worker --loglevel INFO \
  --hostname "normlab@%h" --without-gossip --without-mingle &
STARTED_PIDS+=($!)
# The reaper and the relay: one small worker on the maintenance queue, with the beat schedule.
.venv/bin/python -m celery --quiet -A worker.celery_app worker --loglevel INFO --pool solo --beat \
  --queues "${NORMLAB_QUEUE:-normlab}.maintenance" --schedule var/celerybeat-schedule \
  --hostname "normlab-maintenance@%h" --without-gossip --without-mingle &
STARTED_PIDS+=($!)
echo "normlab: API on http://127.0.0.1:$port (docs at /docs); Ctrl-C stops it" >&2
wait -n
