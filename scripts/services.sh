# Sourced by run.sh and test.sh: start a local redis-server when none answers at REDIS_URL.
# Processes started here are recorded in STARTED_PIDS so the caller can stop them.
STARTED_PIDS=()

redis_answers() {
  .venv/bin/python - "$1" <<'PY'
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1, socket_timeout=1).ping()
except Exception:
    sys.exit(1)
PY
}

redis_host_port() {
  .venv/bin/python - "$1" <<'PY'
import sys
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])
print(url.hostname or "127.0.0.1", url.port or 6379)
PY
}

ensure_redis() {
  local url=$1 host port
  redis_answers "$url" && return 0
  read -r host port < <(redis_host_port "$url")
  case $host in
    127.0.0.1|localhost|::1) ;;
    *) echo "error: no Redis answers at $url, and it is not a local address to start one on" >&2; return 1 ;;
  esac
  if ! command -v redis-server >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing redis-server with apt" >&2
      apt-get install -y redis-server >&2 || { apt-get update >&2 && apt-get install -y redis-server >&2; }
      redis_answers "$url" && return 0  # the package may have started one
    else
      echo "error: no Redis at $url and redis-server is not installed (sudo apt-get install redis-server)" >&2
      return 1
    fi
  fi
  echo "starting redis-server on 127.0.0.1:$port" >&2
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --loglevel warning &
  STARTED_PIDS+=($!)
  for _ in $(seq 50); do redis_answers "$url" && return 0; sleep 0.1; done
  echo "error: redis-server did not start on port $port" >&2
  return 1
}

stop_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
