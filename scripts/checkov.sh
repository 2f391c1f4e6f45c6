#!/usr/bin/env bash
# Runs checkov (static policy checks for infra/*.bicep) offline, with --skip-download.
#
# checkov pins many packages (boto3, networkx, pydantic, ...) that would clash with the app's
# own pins, so it lives in its own virtualenv at .tools/checkov, installed from PyPI only when
# missing or at another version. A stamp file marks a finished install, so an interrupted one
# is redone instead of half-used.
#
# Usage: scripts/checkov.sh [checkov arguments]   (default: -d infra --framework bicep)
# Note: checkov exits 0 when it cannot parse a file; read summary.parsing_errors in -o json.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECKOV_VERSION="3.3.30"
VENV="${CHECKOV_VENV:-$ROOT/.tools/checkov}"
STAMP="$VENV/.installed-$CHECKOV_VERSION"
PYTHON="${PYTHON:-python3}"

# One installer at a time when test runs start together on a fresh machine.
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
if [[ ! -f "$STAMP" || ! -x "$VENV/bin/checkov" ]]; then
  echo "checkov.sh: installing checkov==$CHECKOV_VERSION into $VENV (once)" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" >&2
  touch "$STAMP"
fi
flock -u 9

cd "$ROOT"
if [[ $# -eq 0 ]]; then
  set -- -d infra --framework bicep
fi
# No telemetry, no guideline/platform downloads: the only network here is the package registries.
export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
exec "$VENV/bin/checkov" --skip-download "$@"
