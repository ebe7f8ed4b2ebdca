#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 found on this machine and install Kaohe with its tools.
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(bash scripts/find-python.sh)
echo "bootstrap: using $py"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
  rm -rf .venv
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
touch .venv/.installed
