#!/usr/bin/env bash
# Define the git filter that strips notebook outputs (nbstripout; the attributes are in .gitattributes),
# with the same options as the pre-commit hook. Outside a git checkout, or without nbstripout, it says
# so and does nothing (a CI machine building from an archive is not an error).
set -uo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "git-filters: not a git checkout, no notebook filter installed" >&2; exit 0
fi
if ! python3 -m nbstripout --version >/dev/null 2>&1; then
  echo "git-filters: nbstripout is not installed (pip install -e '.[lab]'), no notebook filter installed" >&2; exit 0
fi
if python3 -m nbstripout --install --attributes .gitattributes && git config filter.nbstripout.extrakeys \
  "metadata.papermill cell.metadata.papermill metadata.language_info metadata.jupytext.text_representation.jupytext_version"
then
  echo "git-filters: notebooks are stored without outputs (nbstripout filter)" >&2
else
  echo "git-filters: could not define the nbstripout filter (see above); notebooks are not stripped by git" >&2
fi
