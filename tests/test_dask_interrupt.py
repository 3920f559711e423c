"""Issue #22 on a real Dask scheduler: interrupts and a dead kernel, as against the local pool.

One ``LocalCluster`` for the module (scheduler and two worker processes on 127.0.0.1, one thread
each); ``junheng run --executor dask --scheduler tcp://127.0.0.1:PORT`` runs as a user types it, in
a process of its own. Two counties: 990102 finishes at once, 990181's notebook sleeps (or its
kernel dies). Interrupted, the run cancels what has not started and stops what runs on the workers
(``worker.stop_run``): no kernel of the run is left, no task of it runs on, nothing more is written,
and the manifest holds what finished, which a re-run trusts.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_attack_batch import KERNEL_DIED, hostile_notebook, two_counties

from junheng.batch import worker
from junheng.batch.runner import run

ROOT = Path(__file__).parent.parent
SLEEPY = 'import time\nif county_code == "990181":\n    time.sleep(600)'

distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and two worker processes on 127.0.0.1 (the workers import this checkout)."""
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(ROOT / "src")  # the worker processes inherit it
    try:
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
    finally:
        if before is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = before
    client = distributed.Client(cluster)
    client.wait_for_workers(2, timeout=120)
    try:
        yield cluster.scheduler_address, client
    finally:
        client.close()
        cluster.close()


def kernels(client) -> list:
    """The kernel processes of the cluster's workers."""
    found = []
    for pid in client.run(os.getpid).values():
        children = psutil.Process(pid).children(recursive=True)
        found += [p for p in children if "ipykernel" in " ".join(p.cmdline())]
    return found


def start_run(tmp_path, address, code=SLEEPY):
    data = two_counties(tmp_path)
    notebook = hostile_notebook(tmp_path, code)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "junheng.cli", "run", str(data), "--out", str(out), "--formats", "html"]
    command += ["--executor", "dask", "--scheduler", address, "--notebook", str(notebook)]
    proc = subprocess.Popen(
        command,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, data, notebook, out


def wait_until_one_is_done_and_one_runs(proc, client, out):
    """990102 recorded in the manifest, 990181's chunk running on a worker."""
    manifest = out / ".manifest.json"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        recorded = manifest.exists() and "990102_2024" in manifest.read_text(encoding="utf-8")
        if recorded and any(client.processing().values()):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"the run never got there: {proc.communicate()}")


def assert_nothing_of_the_run_left(client, running_kernels, out):
    gone, alive = psutil.wait_procs(running_kernels, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
    deadline = time.monotonic() + 30  # the scheduler hears of the cancelled task
    while any(client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(client.processing().values()), client.processing()
    assert set(client.run(worker.running_run).values()) == {None}  # no chunk runs on a worker
    assert not kernels(client)  # the run's kernels stopped, the idle one too
    assert len(client.scheduler_info()["workers"]) == 2  # the workers themselves stay
    assert not list(out.glob("990181_2024.*")) and not (out / "failed").exists()  # nothing more written


def test_an_interrupted_dask_run_stops_its_tasks_and_kernels_and_keeps_the_manifest(tmp_path, cluster):
    address, client = cluster
    proc, data, notebook, out = start_run(tmp_path, address)
    wait_until_one_is_done_and_one_runs(proc, client, out)
    running = kernels(client)
    assert running  # the sleeping county's kernel (and the finished one's, idle)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the interrupted run did not stop")
    assert proc.returncode == 130, err
    assert "运行已中断" in err and "Traceback" not in err
    assert_nothing_of_the_run_left(client, running, out)
    entries = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert entries["990102_2024"]["status"] == "done" and "990181_2024" not in entries
    again = run(  # a re-run trusts it: the finished county is skipped
        data,
        counties=["990102"],
        formats=("html",),
        out_dir=out,
        quiet=True,
        province=False,
        notebook=str(notebook),
        executor="dask",
        scheduler=address,
    )
    assert again["skipped"] == ["990102_2024"] and not again["done"] and not again["failed"]


def test_a_second_ctrl_c_of_a_dask_run_orphans_nothing(tmp_path, cluster):
    address, client = cluster
    proc, _, _, out = start_run(tmp_path, address)
    wait_until_one_is_done_and_one_runs(proc, client, out)
    running = kernels(client)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the twice interrupted run did not stop")
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert_nothing_of_the_run_left(client, running, out)


def test_a_dead_kernel_on_dask_fails_only_its_county_and_the_run_returns(tmp_path, cluster):
    address, client = cluster
    data = two_counties(tmp_path)
    notebook = hostile_notebook(tmp_path, 'import os\nif county_code == "990102":\n    os._exit(3)')
    summary = run(
        data,
        formats=("html",),
        out_dir=tmp_path / "out",
        quiet=True,
        province=False,
        notebook=str(notebook),
        executor="dask",
        scheduler=address,
    )
    assert summary["done"] == ["990181_2024"]
    assert [f["key"] for f in summary["failed"]] == ["990102_2024"]
    assert summary["failed"][0]["error"].startswith(KERNEL_DIED)
    assert len(client.scheduler_info()["workers"]) == 2  # no worker lost
    assert not any(client.processing().values())
