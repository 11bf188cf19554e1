#!/usr/bin/env bash
# The scale demo (make scale-demo, and its test) makes hosts out of network namespaces, as root,
# each running Debian's own servers: iproute2, util-linux, PostgreSQL and Redis.
set -euo pipefail
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v unshare >/dev/null && command -v setpriv >/dev/null || missing+=(util-linux)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && command -v psql >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} with apt (for the scale demo)" >&2
  apt-get install -y "${missing[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${missing[@]}" >&2; }
else
  echo "error: the scale demo needs root and: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
