#!/usr/bin/env bash
# Installs what the tests need from outside PyPI, only when it is missing:
# nothing yet; later issues add Chromium (browser tests) and Azurite (Table Storage tests).
set -euo pipefail
exit 0
