"""One task, run in a long-lived worker process. Each worker gives its kernels an IPC socket path of
its own, which avoids the TCP port race of parallel kernel start-up (shared/TOOLING.md)."""
from __future__ import annotations

import json
import os
import tempfile
import time
import traceback
from pathlib import Path

_KERNEL_CONFIG = None


def init_worker(run_dir: str | None = None) -> None:
    """Per-process setup (multiprocessing initializer or first call in a Dask worker)."""
    global _KERNEL_CONFIG
    base = Path(run_dir or tempfile.mkdtemp(prefix="junheng-run-"))
    sock = base / str(os.getpid())
    sock.mkdir(parents=True, exist_ok=True)
    from traitlets.config import Config

    _KERNEL_CONFIG = Config({"KernelManager": {"transport": "ipc", "ip": str(sock / "kernel")}})


def run_task(task, out_dir: str) -> dict:
    """Render one county-year; never raises: errors come back as data for the summary."""
    from ..report.run import report

    if _KERNEL_CONFIG is None:
        init_worker()
    start = time.perf_counter()
    result = {"key": task.key, "county_code": task.county_code, "year": task.year}
    try:
        written = report(task.county_code, task.year, task.data, task.formats, task.lang, task.rules,
                         task.overlays, out_dir, kernel_config=_KERNEL_CONFIG)
        doc = json.loads(Path(written["json"]).read_text(encoding="utf-8"))
        result.update(status="done", verdict=doc["status"], outputs=[Path(p).name for p in written.values()],
                      county_name=doc.get("county_name"))
        if doc["status"] == "invalid":
            errors = [p["message"] for p in doc.get("problems", []) if p["severity"] == "error"]
            result.update(status="error", error="; ".join(errors[:3]))
    except Exception as exc:  # noqa: BLE001 - isolate the failure, keep the batch going
        kept = Path(out_dir) / "failed" / f"{task.key}.ipynb"
        result.update(status="error", error=f"{type(exc).__name__}: {str(exc).strip()[-600:]}",
                      notebook=str(kept) if kept.exists() else None, trace=traceback.format_exc()[-2000:])
    result["seconds"] = round(time.perf_counter() - start, 2)
    return result
