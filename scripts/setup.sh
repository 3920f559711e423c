#!/usr/bin/env bash
# Set up a fresh machine (Python 3.11 + pip, Debian apt): the project and its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
