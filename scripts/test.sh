#!/usr/bin/env bash
# Install everything the tests need (Python packages, Debian chromium and CJK fonts), then lint
# and run the whole suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
python3 -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium fonts-noto-cjk
fi
python3 -m ruff check .
export PYTEST_ADDOPTS="${PYTEST_ADDOPTS:-} -m 'not cluster'"  # Ray tests (1-3 min, need requirements-cluster.txt): bash scripts/test.sh -m cluster
python3 -m pytest "$@"
