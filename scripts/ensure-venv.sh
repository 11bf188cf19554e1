#!/usr/bin/env bash
# Create the virtualenv; on Debian, install the venv module first when it is missing.
set -euo pipefail
venv=${1:-.venv}
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] && exit 0
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing python3-venv with apt" >&2
    apt-get install -y python3-venv >&2
    "$python" -m venv "$venv"
  else
    echo "error: '$python -m venv' failed; install python3-venv (sudo apt-get install python3-venv)" >&2
    exit 1
  fi
fi
