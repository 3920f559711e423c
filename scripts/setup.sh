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
bash scripts/git-filters.sh  # notebooks are stored without outputs (a git filter; nothing outside git)
