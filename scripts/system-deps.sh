#!/usr/bin/env bash
# Installs what the tests need from outside PyPI, only when it is missing:
# Chromium from Debian's packages (browser tests) and Azurite from npm (Table/Blob Storage tests).
# Each step is skipped when its tool is already there, so repeated runs cost nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: cannot install $* (needs root and apt-get); the tests that need it will say so" >&2
    return 0
  fi
  if [ ! -f /tmp/.teams-sip-apt-updated ]; then
    apt-get update -qq && touch /tmp/.teams-sip-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Chromium for the browser tests (driven by Playwright with executable_path=/usr/bin/chromium).
if ! command -v chromium >/dev/null 2>&1; then
  echo "system-deps: installing chromium"
  apt_install chromium
fi

# Azurite for the Table Storage tests, from the pinned manifest in tools/azurite (Node 20).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "system-deps: installing nodejs and npm"
  apt_install nodejs npm
fi
if [ ! -x tools/azurite/node_modules/.bin/azurite-table ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "system-deps: installing Azurite from tools/azurite/package-lock.json"
    npm ci --prefix tools/azurite --no-audit --no-fund --loglevel=error
  else
    echo "system-deps: npm is missing, so Azurite is not installed; the Table Storage tests will be skipped LOUDLY" >&2
  fi
fi
