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
