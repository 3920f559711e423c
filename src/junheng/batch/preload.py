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
    """Import every module of ``MODULES`` that can be imported.

    Ctrl-C is held off meanwhile: the fork server is in the terminal's process group, and it protects
    itself from Ctrl-C only once it has imported these (a Ctrl-C while the workers start would otherwise
    end it with a traceback in the user's terminal; the run itself stops as it always did).
    """
    import signal
    import threading

    hold = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if hold else None
    if hold:  # (`worker.start_pool_server` starts the server with SIGINT blocked: pending now, ignored)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        for name in MODULES:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001, S110 - see the module's docstring
                pass
    finally:
        if hold:
            signal.signal(signal.SIGINT, previous)


preload()
