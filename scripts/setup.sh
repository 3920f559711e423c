#!/usr/bin/env bash
# Set up a fresh machine (Python 3.11 + pip, Debian apt): system libraries, the package, test tools.
#   poppler-utils:       pdftotext / pdffonts / pdftoppm, used by the tests to read the PDFs
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PACKAGES="poppler-utils"
if command -v apt-get >/dev/null 2>&1; then
  missing=$(for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get install -y -qq $missing >/dev/null 2>&1 || { $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq $missing >/dev/null; }
  fi
fi
python3 -m pip install --quiet --disable-pip-version-check -e ".[test,lab,dask]"
# byte-compiled as pip compiles an installed package (an editable install is not): on a machine with
# PYTHONDONTWRITEBYTECODE set, every report kernel and command would otherwise compile ~80 modules
# anew, 0.4 s each (issue #21); Python checks each .pyc against its source, so an edit is never stale
python3 -m compileall -q src/junheng
bash scripts/git-filters.sh  # notebooks are stored without outputs (a git filter; nothing outside git)
