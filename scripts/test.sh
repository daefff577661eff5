#!/usr/bin/env bash
# Install everything the tests need (Python packages, Ray for the cluster tests, Debian chromium and CJK
# fonts), then lint and run the whole suite, cluster tests included. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
python3 -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt -r requirements-cluster.txt
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium fonts-noto-cjk
fi
python3 -m ruff check .
python3 -m pytest "$@"
