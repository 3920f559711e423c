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
_FOLDER = None  # this run's folder (sockets; the chunk each local worker is running)
TERMINATED = 143  # exit status of a worker stopped by SIGTERM (the run's interrupt, or a broken pool)
UNKNOWN_EXIT = 255  # the exit status multiprocessing gives a forked worker once its fork server is gone
_KERNEL = None  # this worker's long-lived kernel manager
_RUNS = 0
_EXIT_HOOKED = False  # `_shut_down_at_exit` has run in this process
_ACTIVE = None  # the run whose chunk this process is running (a Dask worker: see ``stop_run``)
_LAST = None  # the run whose chunk this process ran last (its kernel is still there, idle)
_STOPPED: set = set()  # runs stopped here by ``stop_run``: a chunk of theirs starts no further report
STOP_WAIT_SECONDS = 20.0  # how long ``stop_run`` waits for a chunk to end once its kernel is stopped
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


KERNEL_CHECK_SECONDS = 1.0  # how often a wait for the worker's kernel checks that it still lives


def _kernel_died() -> bool:
    return _KERNEL is not None and not _KERNEL.is_alive()


def _watched_client():
    """A blocking kernel client whose waits notice a dead kernel (issue #22).

    The worker's long-lived kernel is a blocking ``KernelManager``: nbclient's own check that the
    kernel lives runs on an event loop that a blocking wait without a timeout never gives back, so a
    kernel killed in a cell (``os._exit``, the out-of-memory killer) hung the run forever. Here every
    wait is cut into short polls, and a dead kernel raises nbclient's ``DeadKernelError``.
    """
    from queue import Empty

    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_client.channels import ZMQSocketChannel
    from nbclient.exceptions import DeadKernelError
    from traitlets import Type

    class WatchedChannel(ZMQSocketChannel):
        def get_msg(self, timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = KERNEL_CHECK_SECONDS if deadline is None else deadline - time.monotonic()
                try:
                    return super().get_msg(timeout=max(0.0, min(KERNEL_CHECK_SECONDS, left)))
                except Empty:
                    if _kernel_died():
                        raise DeadKernelError("Kernel died") from None
                    if deadline is not None and time.monotonic() >= deadline:
                        raise

    class WatchedClient(BlockingKernelClient):
        shell_channel_class = Type(WatchedChannel)
        iopub_channel_class = Type(WatchedChannel)
        control_channel_class = Type(WatchedChannel)

    return WatchedClient


def init_worker(folder: str | None = None) -> None:
    """Per-process setup (multiprocessing initializer or first call in a Dask worker).

    Without ``folder`` (a Dask worker) the process makes its own socket folder and removes it at exit.
    """
    global _KERNEL_CONFIG, _FOLDER
    if folder is None:
        import atexit

        folder = run_dir()
        atexit.register(shutil.rmtree, folder, True)
    _FOLDER = folder
    _KERNEL_CONFIG = kernel_config(folder)


def pool_context():
    """How a run starts its local workers: forked from a server that has imported what they need once.

    Spawned workers each imported pandas, papermill, nbconvert and the report again (about 4 s of CPU
    apiece, issue #21). The fork server is started by the first run of a process that has work
    (``start_pool_server``) and serves every later one (a notebook calling `junheng.batch.runner.run`
    again, or the test suite, whose workers then start from the package's code as it was then); it is
    a single-threaded process, so forking it is safe where forking the run itself (threads) is not. It
    ends with the process that started it. Where there is no fork server (Windows), workers are spawned
    as before.
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["junheng.batch.preload"])
    return context


def start_pool_server() -> None:
    """Start the fork server (when it is not running) with Ctrl-C held off until it can ignore it.

    The server is a new interpreter in the terminal's process group: a Ctrl-C during its start-up (before
    `junheng.batch.preload` ignores it) would end it with "Fatal Python error" in the user's terminal.
    SIGINT is blocked while it is started (it inherits the mask); `preload` ignores SIGINT, then unblocks
    it. (As multiprocessing starts its resource tracker.)
    """
    import signal
    import threading

    if pool_context().get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    hold = threading.current_thread() is threading.main_thread()
    if hold:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        if hold:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def restart_pool_server() -> None:
    """Start the fork server afresh, once the old one is gone (after a pool broke).

    A killed server closes its pipes before it can be reaped: the pool breaks at once, and the
    next pool's first worker would be asked of the server still dying (multiprocessing checks it
    with a ``waitpid`` that does not wait), which fails with "unexpected EOF". The old server is
    told to stop (a live one ends when its "alive" pipe closes) and waited for, then a new one starts.
    """
    import contextlib

    if pool_context().get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    server = forkserver._forkserver
    with server._lock:
        pid, alive, address = server._forkserver_pid, server._forkserver_alive_fd, server._forkserver_address
        server._forkserver_pid = server._forkserver_alive_fd = server._forkserver_address = None
    if alive is not None:
        os.close(alive)
    if pid is not None:
        with contextlib.suppress(ChildProcessError):  # (reaped already)
            os.waitpid(pid, 0)
    if address and not str(address).startswith("\0"):
        with contextlib.suppress(OSError):
            os.unlink(address)
    start_pool_server()


def init_pool_worker(folder: str, environ: dict | None = None) -> None:
    """The initializer of a local pool worker: ``init_worker`` and the guards of a child process.

    ``environ`` is the run's environment as it is when the pool starts: a worker forked from the fork
    server would otherwise have the server's, as it was when the server started (a notebook may have
    changed ``os.environ`` since, and the worker's kernels inherit it).
    """
    if environ is not None and environ != dict(os.environ):
        os.environ.clear()
        os.environ.update(environ)
    _guard_local_worker()
    init_worker(folder)


def _stop_now(*_args) -> None:
    """Stop this worker and its kernel at once (SIGTERM, or the run that started it is gone)."""
    _kill_kernel()  # (best effort: the kernel also stops when its parent is gone)
    os._exit(TERMINATED)


def _guard_local_worker() -> None:
    """Guard a local pool worker: Ctrl-C is the run's, SIGTERM stops the worker and its kernel.

    A worker whose run was killed (``kill -9``) stops too instead of writing on (issue #22). It watches
    the run itself (multiprocessing's sentinel of the process that started it), not its parent process:
    a worker forked from the fork server has the server as its parent, and the server lives on as long
    as the workers do.
    """
    import multiprocessing
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_now)
    run = multiprocessing.parent_process()
    if run is None:  # (not started by multiprocessing)
        return

    def watch() -> None:
        run.join()  # returns once the run's process is gone
        _stop_now()

    threading.Thread(target=watch, name="junheng-run-watch", daemon=True).start()


def running_marker(pid: int | None = None) -> Path | None:
    """The file naming the chunk a local worker is running (read by the run when a worker dies)."""
    return Path(_FOLDER) / f"running-{pid or os.getpid()}.json" if _FOLDER else None


def _shutdown_kernel() -> None:
    global _KERNEL
    if _KERNEL is not None:
        try:
            _KERNEL.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
        _KERNEL = None


def _shut_down_at_exit() -> None:
    """Have the worker's kernel shut down when this process ends, however it ends normally.

    A local worker forked from the fork server (``pool_context``) ends through multiprocessing's own exit
    (its finalizers run, ``atexit``'s never do); a Dask worker ends through ``atexit``. Without this,
    the kernel would notice its parent gone a moment later and print so into the user's terminal.
    """
    global _EXIT_HOOKED
    if _EXIT_HOOKED:
        return
    import atexit
    from multiprocessing import util

    atexit.register(_shutdown_kernel)
    util.Finalize(None, _shutdown_kernel, exitpriority=10)
    _EXIT_HOOKED = True


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
        _KERNEL = _quiet(KernelManager)(
            kernel_name="python3", config=_KERNEL_CONFIG, client_factory=_watched_client()
        )
        _KERNEL.start_kernel()
        _shut_down_at_exit()
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


def run_tasks(tasks, out_dir: str, run: str | None = None) -> list:
    """Several tasks in a row in this worker (one county's years: they share the kernel's data cache).

    ``run`` names the run (a Dask run: ``stop_run`` stops its chunks); a stopped run's chunk
    starts no further report.
    """
    global _ACTIVE, _LAST
    marker = running_marker()
    if marker is not None:
        marker.write_text(json.dumps([task.key for task in tasks]), encoding="utf-8")
    _ACTIVE = _LAST = run
    try:
        results = []
        for task in tasks:
            if run is not None and run in _STOPPED:
                break
            results.append(run_task(task, out_dir))
        return results
    finally:
        _ACTIVE = None
        if marker is not None:
            marker.unlink(missing_ok=True)


def _kill_kernel() -> None:
    """Kill this worker's kernel now (a report running in it fails as a dead kernel)."""
    kernel = _KERNEL
    try:
        if kernel is not None and kernel.has_kernel:
            kernel.provisioner.process.kill()
    except Exception:  # noqa: BLE001 - best effort: gone already
        pass


async def stop_run(run: str) -> bool:
    """On a Dask worker (``client.run``), for an interrupted run: stop what it left running here.

    The chunk of ``run`` that this worker is running loses its kernel (the report fails as a dead
    kernel and writes nothing) and starts no further report; the worker's idle kernel, when ``run``
    was the last to use it, is shut down. Chunks of other runs are left alone. Waits until the chunk
    has returned (at most ``STOP_WAIT_SECONDS``); True when nothing of ``run`` runs here any more.
    """
    import asyncio

    _STOPPED.add(run)
    if _ACTIVE == run:
        _kill_kernel()
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while _ACTIVE == run and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    if _ACTIVE is None and _LAST == run:  # (in a thread: the kernel manager runs a loop of its own)
        _kill_kernel()
        await asyncio.to_thread(_shutdown_kernel)
    return _ACTIVE != run


def running_run() -> str | None:
    """The run whose chunk this worker is running (``client.run`` in the tests)."""
    return _ACTIVE


SHOWN_ERRORS = 3  # a failed county-year's errors in the run's summary and index; then how many in all


def first_errors(errors: list, data, lang: str = "zh") -> str:
    """The first errors of a county-year, and when there are more, how many in all and where to see them."""
    from junheng.i18n import t

    text = "; ".join(e if len(e) <= 200 else e[:199] + "…" for e in errors[:SHOWN_ERRORS])
    if len(errors) > SHOWN_ERRORS:
        text += t("cli.more_errors", lang, n=len(errors), data=data)
    return text


def _without_schools(task) -> str:
    """The located errors that leave the task's county-year without schools; "" when it has them."""
    from junheng.inputs.dataset import without_schools

    errors = without_schools(task.data, task.county_code, task.year, named_only=True)
    return first_errors([p.message(task.lang) for p in errors], task.data, task.lang)


def run_task(task, out_dir: str) -> dict:
    """Render one county-year; never raises: errors come back as data for the summary."""
    from junheng.report.run import describe_failure, failed_notebook, report

    if _KERNEL_CONFIG is None:
        init_worker()
    start = time.perf_counter()
    result = {"key": task.key, "county_code": task.county_code, "year": task.year}
    try:
        refused = _without_schools(task)
        if refused:  # said before a kernel starts, located (the kernel would name one of its cells)
            result.update(status="error", error=refused)
            result["seconds"] = round(time.perf_counter() - start, 2)
            return result
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
            parameters=dict(getattr(task, "parameters", ())),
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
        if doc["status"] == "invalid":  # its report says the data are wrong: a failure of the run
            errors = [p["message"] for p in doc.get("problems", []) if p["severity"] == "error"]
            result.update(
                status="error",
                invalid=True,
                errors=len(errors),
                error=first_errors(errors, task.data, task.lang),
            )
    except Exception as exc:  # noqa: BLE001 - isolate the failure, keep the batch going
        kept = failed_notebook(out_dir, task.key)
        if isinstance(exc, OSError):  # a full disk, a read-only folder: one line naming the path
            from junheng.errors import os_error_message

            if exc.filename is None:
                exc.filename = str(out_dir)
            error = os_error_message(exc, task.lang)
        else:  # (a dead kernel included: describe_failure says so)
            error = describe_failure(exc, task.lang)
        result.update(
            status="error",
            error=error[:600],
            notebook=str(kept) if kept.exists() else None,
            trace=traceback.format_exc()[-2000:],
        )
    result["seconds"] = round(time.perf_counter() - start, 2)
    return result
