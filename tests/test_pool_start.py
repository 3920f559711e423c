"""How `junheng run` starts its local workers (issue #21): forked from a fork server that imported
what a worker needs once (`junheng.batch.preload`), each with the run's environment as it is when its
pool starts."""

import importlib
import json
import multiprocessing
import os
import shutil
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from small_notebook import small_notebook

from junheng.batch import runner, worker
from junheng.batch.worker import pool_context

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
# imported by a worker to run a report, never by this test module (or anything it imports)
NOT_IMPORTED_HERE = ("papermill", "nbclient", "junheng.report.run", "junheng.report.render.pdf")

pytestmark = pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server on this platform"
)


def test_every_preloaded_module_exists():
    """The fork server skips a name it cannot import without a word: a misspelt one would be paid
    again by every worker. (Imported here, not at the top: a spawned worker unpickling this module's
    functions would then import them all, and the test below could not fail.)"""
    from junheng.batch.preload import MODULES

    for name in MODULES:
        importlib.import_module(name)


def _imported(names) -> list:
    return [name for name in names if name in sys.modules]


def test_a_worker_starts_with_the_report_modules_imported():
    assert pool_context().get_start_method() == "forkserver"
    with ProcessPoolExecutor(1, mp_context=pool_context()) as pool:
        assert pool.submit(_imported, NOT_IMPORTED_HERE).result() == list(NOT_IMPORTED_HERE)


def test_a_worker_has_the_environment_of_its_run_not_of_the_fork_server(tmp_path, monkeypatch):
    """A variable set after the fork server started (a notebook's `os.environ`, or the run before)
    reaches the kernels of the next run's workers, and one removed since is gone there. When the run
    returns, its workers have shut their kernels down (a forked worker runs no `atexit`)."""
    from multiprocessing import forkserver

    monkeypatch.setenv("JUNHENG_TEST_REMOVED", "server")
    pool_context()
    forkserver.ensure_running()  # (started now, or by an earlier run of this process)
    mark = uuid.uuid4().hex
    monkeypatch.setenv("JUNHENG_TEST_MARK", mark)
    monkeypatch.delenv("JUNHENG_TEST_REMOVED")
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE / "990102_2024.xlsx", data)
    kernel_pid = tmp_path / "kernel.pid"
    code = (
        "import os\n"
        f"open({str(kernel_pid)!r}, 'w').write(str(os.getpid()))\n"
        f"assert os.environ.get('JUNHENG_TEST_MARK') == {mark!r}, os.environ.get('JUNHENG_TEST_MARK')\n"
        "assert 'JUNHENG_TEST_REMOVED' not in os.environ"
    )
    notebook = small_notebook(tmp_path, code, "environment.ipynb")
    started = []
    start = worker.start_pool_server
    monkeypatch.setattr(worker, "start_pool_server", lambda: started.append(True) or start())

    def run_it():
        return runner.run(
            data,
            formats=("html",),
            jobs=1,
            out_dir=tmp_path / "out",
            quiet=True,
            province=False,
            notebook=str(notebook),
        )

    summary = run_it()
    assert summary["done"] == ["990102_2024"], summary["failed"]
    assert started == [True]
    assert run_it()["done"] == [] and started == [True]  # a no-op run (its plan kept) starts nothing
    os.utime(data / "990102_2024.xlsx")  # planned again, nothing to do: no server started for nothing
    assert run_it()["done"] == [] and started == [True]
    manifest = json.loads((tmp_path / "out" / ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["990102_2024"]["status"] == "done"
    assert os.environ["JUNHENG_TEST_MARK"] == mark
    psutil = pytest.importorskip("psutil")
    try:
        kernel = psutil.Process(int(kernel_pid.read_text()))
        assert kernel.status() == psutil.STATUS_ZOMBIE, kernel.cmdline()
    except psutil.NoSuchProcess:
        pass


def test_an_interrupt_while_workers_start_is_taken_once_they_have():
    """Ctrl-C or SIGTERM while the pool forks its workers (which wait for the fork server's imports) is
    held until the block ends, then raised as the run's interrupt; one the run ignores stays ignored."""
    import signal

    from junheng.batch.runner import _interrupt_deferred, _terminate_as_interrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        reached = []
        with pytest.raises(KeyboardInterrupt), _terminate_as_interrupt(), _interrupt_deferred():
            os.kill(os.getpid(), sig)
            reached.append(True)  # (a signal is handled between two bytecodes: it would raise here)
        assert reached == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with _interrupt_deferred():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_killed_fork_server_fails_no_county(tmp_path):
    """``kill -9`` of the fork server (the out-of-memory killer's choice) while both workers run: the
    pool breaks without a culprit (multiprocessing reports every forked worker as exit 255 once their
    server is gone), so both counties run again in a fresh pool, with a new server, and are done."""
    import subprocess
    import time

    from small_notebook import junheng_without_overview
    from test_attack_batch import two_counties

    psutil = pytest.importorskip("psutil")
    data = two_counties(tmp_path)
    started = tmp_path / "started"
    # each kernel says it started; the first round's two wait (at most 60 s) until the second round's
    # two have started, so both are still running when the server is killed (a fixed 4 s sleep before,
    # paid by both rounds: issue #21); the second round's run on at once
    code = (
        "import glob, os, time\n"
        f"open({str(started)!r} + str(os.getpid()), 'w').close()\n"
        f"first_round = len(glob.glob({str(started)!r} + '*')) <= 2\n"
        "deadline = time.monotonic() + 60\n"
        f"while first_round and len(glob.glob({str(started)!r} + '*')) < 4 and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)"
    )
    notebook = small_notebook(tmp_path, code, "slow.ipynb")
    out = tmp_path / "out"
    command = junheng_without_overview("run", str(data), "--out", str(out), "--formats", "html")
    command += ["--jobs", "2", "--notebook", str(notebook)]
    proc = subprocess.Popen(
        command,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("started*"))) < 2:  # both counties' notebooks are running
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    (server,) = [
        child
        for child in psutil.Process(proc.pid).children()
        if "multiprocessing.forkserver" in " ".join(child.cmdline())
    ]
    server.kill()
    stdout, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert {key: entry["status"] for key, entry in manifest.items()} == {
        "990102_2024": "done",
        "990181_2024": "done",
    }
    assert len(list(tmp_path.glob("started*"))) == 4  # each county started twice


def test_a_worker_is_forked_by_a_new_server_right_after_the_old_one_was_killed():
    """A killed fork server closes its pipes before it can be reaped: a pool made at once (as the run
    makes its next pool when the first one broke) asked the dying server for its worker and failed
    with "unexpected EOF" (found by the killed-server test under load). `restart_pool_server` waits
    for the old server and starts a new one: every time, the worker is forked by the new server."""
    import signal
    from multiprocessing import forkserver

    worker.start_pool_server()
    for _ in range(3):
        old = forkserver._forkserver._forkserver_pid
        os.kill(old, signal.SIGKILL)
        worker.restart_pool_server()  # at once: the old server may still be dying
        new = forkserver._forkserver._forkserver_pid
        assert new not in (None, old)
        with ProcessPoolExecutor(max_workers=1, mp_context=pool_context()) as pool:
            assert pool.submit(os.getppid).result(timeout=60) == new  # forked by the new server
