"""One task, run in a long-lived worker process. Each worker gives its kernels an IPC socket path of
its own, which avoids the TCP port race of parallel kernel start-up (shared/TOOLING.md).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import traceback
from pathlib import Path

_KERNEL_CONFIG = None
_KERNEL = None  # this worker's long-lived kernel manager
_RUNS = 0
RESTART_EVERY = 25  # a fresh kernel now and then bounds memory growth and leaked client sockets


def init_worker(run_dir: str | None = None) -> None:
    """Per-process setup (multiprocessing initializer or first call in a Dask worker)."""
    global _KERNEL_CONFIG
    base = Path(run_dir or tempfile.mkdtemp(prefix="junheng-run-"))
    sock = base / str(os.getpid())
    sock.mkdir(parents=True, exist_ok=True)
    from traitlets.config import Config

    _KERNEL_CONFIG = Config({"KernelManager": {"transport": "ipc", "ip": str(sock / "kernel")}})


def _shutdown_kernel() -> None:
    global _KERNEL
    if _KERNEL is not None:
        try:
            _KERNEL.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
        _KERNEL = None


def worker_kernel():
    """The worker's kernel, started once and reused: each report is still executed by papermill, but
    without paying kernel start-up and imports again. The namespace is reset between reports.
    """
    global _KERNEL, _RUNS
    from jupyter_client import KernelManager

    if _KERNEL is not None and (_RUNS >= RESTART_EVERY or not _KERNEL.is_alive()):
        _shutdown_kernel()
    if _KERNEL is None:
        import atexit

        _KERNEL = KernelManager(kernel_name="python3", config=_KERNEL_CONFIG)
        _KERNEL.start_kernel()
        atexit.register(_shutdown_kernel)
        _RUNS = 0
    else:
        client = _KERNEL.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive("get_ipython().run_line_magic('reset', '-f')", timeout=60)
        finally:
            client.stop_channels()
    _RUNS += 1
    return _KERNEL


def run_tasks(tasks, out_dir: str) -> list:
    """Several tasks in a row in this worker (one county's years: they share the kernel's data cache)."""
    return [run_task(task, out_dir) for task in tasks]


def run_task(task, out_dir: str) -> dict:
    """Render one county-year; never raises: errors come back as data for the summary."""
    from junheng.report.run import describe_failure, failed_notebook, report

    if _KERNEL_CONFIG is None:
        init_worker()
    start = time.perf_counter()
    result = {"key": task.key, "county_code": task.county_code, "year": task.year}
    try:
        written = report(
            task.county_code,
            task.year,
            task.data,
            task.formats,
            task.lang,
            task.rules,
            task.overlays,
            out_dir,
            notebook=task.notebook or None,
            km=worker_kernel(),
        )
        doc = json.loads(Path(written["json"]).read_text(encoding="utf-8"))
        result.update(
            status="done",
            verdict=doc["status"],
            outputs=[Path(p).name for p in written.values()],
            county_name=doc.get("county_name"),
        )
        if doc["status"] == "invalid":
            errors = [p["message"] for p in doc.get("problems", []) if p["severity"] == "error"]
            result.update(status="error", error="; ".join(errors[:3]))
    except Exception as exc:  # noqa: BLE001 - isolate the failure, keep the batch going
        kept = failed_notebook(out_dir, task.key)
        result.update(
            status="error",
            error=describe_failure(exc)[:600],
            notebook=str(kept) if kept.exists() else None,
            trace=traceback.format_exc()[-2000:],
        )
    result["seconds"] = round(time.perf_counter() - start, 2)
    return result
