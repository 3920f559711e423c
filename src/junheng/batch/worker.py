"""One task, run in a long-lived worker process.

Each worker gives its kernels an IPC socket path of its own, which avoids the TCP port race of parallel kernel
start-up (shared/TOOLING.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import traceback
from pathlib import Path

_KERNEL_CONFIG = None
_KERNEL = None  # this worker's long-lived kernel manager
_RUNS = 0
RESTART_EVERY = 25  # a fresh kernel now and then bounds memory growth and leaked client sockets
RUN_DIR_PREFIX = "junheng-run-"  # + pid + "-": the kernels' socket folders of one process
_OWNER = re.compile(rf"^{RUN_DIR_PREFIX}(\d+)-")


def run_dir() -> str:
    """A fresh temporary folder for kernel sockets, named after this process (see ``sweep_run_dirs``)."""
    return tempfile.mkdtemp(prefix=f"{RUN_DIR_PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_run_dirs() -> list[Path]:
    """Remove socket folders left in the temporary directory by killed runs.

    Only folders whose process is gone: those of live processes and of other users are left alone.
    """
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{RUN_DIR_PREFIX}*"):
        try:
            if not path.is_dir() or path.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        owner = _OWNER.match(path.name)
        stale = not _alive(int(owner.group(1))) if owner else time.time() - path.stat().st_mtime > 86400
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _quiet(base):
    class Quiet(base):
        """A kernel manager that does not interrupt a kernel it is shutting down.

        jupyter_client sends SIGINT before the shutdown request or kill; the idle kernel then prints
        "KeyboardInterrupt caught in kernel" into the user's terminal, and nothing else comes of it.
        """

        async def _async_interrupt_kernel(self) -> None:
            if getattr(self, "shutting_down", False):
                return
            await super()._async_interrupt_kernel()

    Quiet.__name__ = Quiet.__qualname__ = f"Quiet{base.__name__}"
    return Quiet


def kernel_config(folder: str):
    """Kernels on an IPC socket under ``folder``, shut down without an interrupt.

    IPC: no TCP port race, no "running over TCP without encryption" warning; no interrupt: no
    "KeyboardInterrupt caught in kernel".
    """
    from jupyter_client import AsyncKernelManager
    from traitlets.config import Config

    sock = Path(folder) / str(os.getpid())
    sock.mkdir(parents=True, exist_ok=True)
    return Config(
        {
            "KernelManager": {"transport": "ipc", "ip": str(sock / "kernel")},
            "NotebookClient": {"kernel_manager_class": _quiet(AsyncKernelManager)},
        }
    )


def init_worker(folder: str | None = None) -> None:
    """Per-process setup (multiprocessing initializer or first call in a Dask worker).

    Without ``folder`` (a Dask worker) the process makes its own socket folder and removes it at exit.
    """
    global _KERNEL_CONFIG
    if folder is None:
        import atexit

        folder = run_dir()
        atexit.register(shutil.rmtree, folder, True)
    _KERNEL_CONFIG = kernel_config(folder)


def _shutdown_kernel() -> None:
    global _KERNEL
    if _KERNEL is not None:
        try:
            _KERNEL.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
        _KERNEL = None


def worker_kernel():
    """The worker's kernel, started once and reused.

    The worker's kernel, started once and reused: each report is still executed by papermill, but without
    paying kernel start-up and imports again. The namespace is reset between reports.
    """
    global _KERNEL, _RUNS
    from jupyter_client import KernelManager

    if _KERNEL is not None and (_RUNS >= RESTART_EVERY or not _KERNEL.is_alive()):
        _shutdown_kernel()
    if _KERNEL is None:
        import atexit

        _KERNEL = _quiet(KernelManager)(kernel_name="python3", config=_KERNEL_CONFIG)
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
            final=getattr(task, "final", False),
            index=True,  # the run writes reports/index.html: each page links back to it
        )
        doc = json.loads(Path(written["json"]).read_text(encoding="utf-8"))
        result.update(
            status="done",
            verdict=doc["status"],
            outputs=[Path(p).name for p in written.values()],
            county_name=doc.get("county_name"),
            notes=[note.message(task.lang) for note in written.notes],
        )
        if doc["status"] == "invalid":
            errors = [p["message"] for p in doc.get("problems", []) if p["severity"] == "error"]
            result.update(status="error", error="; ".join(errors[:3]))
    except Exception as exc:  # noqa: BLE001 - isolate the failure, keep the batch going
        kept = failed_notebook(out_dir, task.key)
        if isinstance(exc, OSError):  # a full disk, a read-only folder: one line naming the path
            from junheng.errors import os_error_message

            if exc.filename is None:
                exc.filename = str(out_dir)
            error = os_error_message(exc, task.lang)
        else:
            error = describe_failure(exc, task.lang)
        result.update(
            status="error",
            error=error[:600],
            notebook=str(kept) if kept.exists() else None,
            trace=traceback.format_exc()[-2000:],
        )
    result["seconds"] = round(time.perf_counter() - start, 2)
    return result
