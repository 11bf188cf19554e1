#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright; nothing is downloaded by Playwright.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing chromium with apt (for the browser tests)" >&2
  apt-get install -y chromium >&2 || { apt-get update >&2 && apt-get install -y chromium >&2; }
else
  echo "error: the browser tests need Chromium: sudo apt-get install chromium" >&2
  exit 1
fi
