"""The environment a test starts a notebook tool in (git's nbstripout filter, the pre-commit hooks,
papermill's and nbconvert's command lines): the test's own, with `subprocess_site/` first on
PYTHONPATH so that each tool process is spared jsonschema's IRI grammar (about 2 s of CPU each;
see subprocess_site/sitecustomize.py). What the tools do is unchanged."""

import os
from pathlib import Path

SITE = Path(__file__).parent / "subprocess_site"


def tool_env(**extra) -> dict:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(SITE), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return env
