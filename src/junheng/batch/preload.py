"""What a local worker imports to run a report, imported once by a run's fork server.

`junheng.batch.worker.pool_context` has the fork server import this module; every worker of the run is
forked from the server with these modules in it, instead of importing them again (issue #21). A name that
cannot be imported, for whatever reason, is skipped without a word: the fork server must always start,
and the worker that needs the module imports it itself and says then what is wrong.
"""

from __future__ import annotations

import importlib

MODULES = (
    "junheng.batch.worker",
    "junheng.report.run",
    "junheng.report.handoff",
    "junheng.report.county",
    "junheng.report.render.pdf",
    "papermill",
    "nbclient",
    "jupyter_client",
    "pypandoc",
    "typst",
)


def preload() -> None:
    """Import every module of ``MODULES`` that can be imported."""
    for name in MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S110 - see the module's docstring
            pass


preload()
