"""Issue #22: batch faults found by attack, against the local pool (on a Dask LocalCluster:
test_batch.test_dask_local_cluster and test_dask_interrupt; on a cluster of separate processes:
test_distributed).

- a kernel that dies in a cell (``os._exit``, as the out-of-memory killer would) fails its county
  with a message; the run returns;
- a killed local worker fails only its own county, the others complete in a fresh pool;
- SIGINT / SIGTERM of ``junheng run`` stops workers and kernels and leaves a manifest a re-run trusts,
  exiting 130 however the interrupt falls (never by SIGPIPE from the stopped workers' pipe).

The notebook is the small report notebook (`small_notebook`: the report's parameters, the county
evaluated, the result JSON written — issue #21) with one cell added after the parameters; the batch
sees it as it sees the report.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from small_notebook import small_notebook

from junheng.batch.runner import run

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
KERNEL_DIED = "执行笔记本的内核意外退出"


def hostile_notebook(tmp_path, code: str) -> Path:
    """The small report notebook with ``code`` run right after the injected parameters."""
    return small_notebook(tmp_path, code, "hostile.ipynb")


def two_counties(tmp_path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("990102_2024.xlsx", "990181_2024.xlsx"):
        shutil.copy(SAMPLE / name, data / name)
    return data


def test_a_dead_kernel_or_a_killed_worker_fails_only_its_own_county(tmp_path):
    """Two faults in one run of three counties (issue #21: one run where two runs of two counties
    each paid a fork server, workers and kernels; each county's own checks kept):

    - 990102's cell kills the worker process running its kernel (``kill -9`` of the kernel's parent):
      that county fails as a lost worker, and only it: 990125, started beside it (the counties go to
      the two workers in the order of their codes) and still running, completes in a fresh pool;
    - 990181's kernel dies in a cell (``os._exit``, as the out-of-memory killer would): its county
      fails with the kernel's message, and the run returns.
    """
    data = two_counties(tmp_path)
    shutil.copy(SAMPLE / "990125_2024.xlsx", data / "990125_2024.xlsx")
    code = (
        "import os, signal\n"
        'if county_code == "990102":\n    os.kill(os.getppid(), signal.SIGKILL)\n'
        'if county_code == "990181":\n    os._exit(3)'
    )
    summary = run(
        data,
        formats=("html",),
        jobs=2,
        out_dir=tmp_path / "out",
        quiet=True,
        province=False,
        notebook=str(hostile_notebook(tmp_path, code)),
    )
    assert summary["done"] == ["990125_2024"]
    failed = {f["key"]: f["error"] for f in summary["failed"]}
    assert sorted(failed) == ["990102_2024", "990181_2024"]
    assert "工作进程意外退出" in failed["990102_2024"], failed
    assert failed["990181_2024"].startswith(KERNEL_DIED), failed
    manifest = json.loads((tmp_path / "out" / ".manifest.json").read_text(encoding="utf-8"))
    assert {key: entry["status"] for key, entry in manifest.items()} == {
        "990102_2024": "error",
        "990181_2024": "error",
        "990125_2024": "done",
    }


# A dead kernel on the LocalCluster a run starts itself: test_batch.test_dask_local_cluster (merged
# there, issue #21: the cluster and the real report's run it makes anyway).


def _descendants(pid):
    psutil = pytest.importorskip("psutil")
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_stops_its_children_and_keeps_the_manifest(tmp_path, sig):
    psutil = pytest.importorskip("psutil")
    data = two_counties(tmp_path)
    out = tmp_path / "out"
    notebook = hostile_notebook(tmp_path, 'import time\nif county_code == "990181":\n    time.sleep(600)')
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "junheng.cli",
            "run",
            str(data),
            "--out",
            str(out),
            "--formats",
            "html",
            "--jobs",
            "2",
            "--notebook",
            str(notebook),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    manifest = _recorded(proc, out)
    children = _descendants(proc.pid)
    assert any("ipykernel" in " ".join(c.cmdline()) for c in children if c.is_running())
    _interrupted(proc, sig)
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert not alive, [c.cmdline() for c in alive]
    _the_rerun_trusts_the_finished_county(data, out, manifest, notebook)


def _recorded(proc, out: Path) -> Path:
    """The run's manifest, once the quick county is recorded in it (the other sleeps)."""
    manifest = out / ".manifest.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if manifest.exists() and "990102_2024" in manifest.read_text(encoding="utf-8"):
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    return manifest


def _interrupted(proc, sig) -> str:
    """``sig`` sent to the run, which stops with the interrupt's exit code and message; its stderr."""
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the interrupted run did not stop")
    assert proc.returncode == 130
    assert "运行已中断" in err and "Traceback" not in err
    return err


def _the_rerun_trusts_the_finished_county(data, out, manifest, notebook) -> None:
    """The manifest records the quick county as done, and a re-run skips it."""
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    assert entries["990102_2024"]["status"] == "done" and "990181_2024" not in entries
    again = run(
        data,
        counties=["990102"],
        formats=("html",),
        out_dir=out,
        quiet=True,
        province=False,
        notebook=str(notebook),
    )
    assert again["skipped"] == ["990102_2024"] and not again["done"]


def _run_with_a_sleeping_county(tmp_path, out, **popen):
    """`junheng run` of two counties in a subprocess: 990102 finishes, 990181's notebook sleeps."""
    data = two_counties(tmp_path)
    notebook = hostile_notebook(tmp_path, 'import time\nif county_code == "990181":\n    time.sleep(600)')
    command = [sys.executable, "-m", "junheng.cli", "run", str(data), "--out", str(out)]
    command += ["--formats", "html", "--jobs", "2", "--notebook", str(notebook)]
    return subprocess.Popen(command, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")), **popen)


def test_a_run_killed_with_sigkill_leaves_no_worker_or_kernel_behind(tmp_path):
    """``kill -9`` of ``junheng run`` (no handler can run): its workers notice and stop, with their
    kernels, instead of writing reports after the run died (issue #22, finding 4)."""
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "out"
    proc = _run_with_a_sleeping_county(tmp_path, out, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = out / ".manifest.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:  # until the quick county is recorded (the other sleeps)
        if manifest.exists() and "990102_2024" in manifest.read_text(encoding="utf-8"):
            break
        assert proc.poll() is None
        time.sleep(0.1)
    children = _descendants(proc.pid)
    assert any("ipykernel" in " ".join(c.cmdline()) for c in children if c.is_running())
    proc.kill()
    proc.wait(timeout=30)
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [c.cmdline() for c in alive]
    assert not list(out.glob("990181_2024.*"))


def test_a_second_ctrl_c_orphans_nothing(tmp_path):
    """Ctrl-C twice in a row (an impatient user): the run still stops its workers and kernels and
    exits 130 without a traceback (issue #22, finding 4)."""
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "out"
    proc = _run_with_a_sleeping_county(
        tmp_path, out, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    manifest = out / ".manifest.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if manifest.exists() and "990102_2024" in manifest.read_text(encoding="utf-8"):
            break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    children = _descendants(proc.pid)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the twice interrupted run did not stop")
    assert proc.returncode == 130 and "Traceback" not in err
    gone, alive = psutil.wait_procs(children, timeout=20)
    assert not alive, [c.cmdline() for c in alive]


# `junheng run` whose pool manager thread counts the workers alive, then waits before sending them its
# shutdown sentinels: the workers stopped by an interrupt are gone by the time it writes to their pipe
# (its own end closed once it saw them die). The window, a few microseconds in a real run, widened.
LATE_SENTINELS = """\
import sys
import time
from concurrent.futures import process

counted = process._ExecutorManagerThread.get_n_children_alive


def late(self):
    alive = counted(self)
    self.counts = getattr(self, "counts", 0) + 1
    if self.counts == 2 and alive:  # (the count just before the sentinels are sent)
        time.sleep(1.5)
    return alive


process._ExecutorManagerThread.get_n_children_alive = late
if "--recording" in sys.argv:  # the interrupt lands while the run records a finished report
    from junheng.batch.manifest import Manifest

    sys.argv.remove("--recording")
    record = Manifest.record

    def slow_record(self, key, entry):
        record(self, key, entry)
        time.sleep(3)

    Manifest.record = slow_record
from junheng.cli import main

sys.exit(main())
"""


@pytest.mark.parametrize("recording", [False, True])
def test_an_interrupt_is_not_ended_by_sigpipe_from_the_stopped_workers_pipe(tmp_path, recording):
    """The pool's manager thread writes its shutdown sentinels to the stopped workers' pipe after the
    interrupt restored SIGPIPE's default action: the run ended by SIGPIPE (exit -13) instead of 130
    (issue #21 report). The run waits for that thread while SIGPIPE is ignored, the write dropped.

    ``recording``: the interrupt arrives just after a finished report was recorded, outside the
    pool's wait (the workers are then stopped as the run closes the pool's results); the re-run
    trusts the report recorded."""
    data = two_counties(tmp_path)
    out = tmp_path / "out"
    notebook = hostile_notebook(tmp_path, 'import time\nif county_code == "990181":\n    time.sleep(600)')
    command = [sys.executable, "-c", LATE_SENTINELS, "run", str(data), "--out", str(out)]
    command += ["--recording"] if recording else []
    command += ["--formats", "html", "--jobs", "2", "--notebook", str(notebook)]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    manifest = _recorded(proc, out)
    assert "BrokenPipeError" not in _interrupted(proc, signal.SIGINT)
    _the_rerun_trusts_the_finished_county(data, out, manifest, notebook)
