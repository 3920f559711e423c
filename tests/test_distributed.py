"""Issue #11, "the distributed path, tested as it is used": `dask scheduler` and two `dask worker`
processes on 127.0.0.1, started as separate processes as on a cluster, `junheng run --executor dask
--scheduler tcp://127.0.0.1:PORT`, one worker killed in the middle. Dask reschedules the lost
chunk; every county-year completes exactly once; the manifest and the index agree. Before it, on the
same cluster (issue #22): a kernel dying on a worker fails only its county and frees the worker."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from small_notebook import held_notebook, junheng_without_overview
from test_attack_batch import KERNEL_DIED, hostile_notebook

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
KEYS = ["990102_2023", "990102_2024", "990181_2023", "990181_2024"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, cwd, log):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))  # "the package": here the checkout
    return subprocess.Popen(
        [sys.executable, "-m", "dask", *args],
        cwd=cwd,  # not the repository: every path the tasks use must be absolute
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a process group of its own: killed as a machine would lose it
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One scheduler and two workers for the module (issue #21: a cluster's start is seconds of CPU):
    the test killing a worker comes last."""
    distributed = pytest.importorskip("distributed")
    tmp_path = tmp_path_factory.mktemp("cluster")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    log = open(tmp_path / "cluster.log", "w")  # noqa: SIM115 - closed at teardown
    procs = {
        "scheduler": _start(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], cwd, log
        )
    }
    common = [address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--death-timeout", "60"]
    for name in ("worker-a", "worker-b"):
        procs[name] = _start(["worker", *common, "--name", name], cwd, log)
    client = distributed.Client(address, timeout="60s")
    client.wait_for_workers(2, timeout=120)
    try:
        yield address, client, procs, tmp_path
    finally:
        client.close()
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        log.close()


def test_a_dead_kernel_on_a_dask_cluster_fails_its_county_and_frees_the_worker(tmp_path, cluster):
    """Issue #22: a kernel that dies on the cluster fails its county with a message; the run returns,
    and the cluster's workers stay usable for the next run (they used to hang on the dead kernel
    forever). Moved here from test_attack_distributed.py (issue #21: one cluster for both)."""
    address, client, _, _ = cluster
    data = tmp_path / "data"
    data.mkdir()
    for name in ("990102_2024.xlsx", "990181_2024.xlsx"):
        shutil.copy(SAMPLE / name, data / name)
    notebook = hostile_notebook(tmp_path, 'import os\nif county_code == "990102":\n    os._exit(3)')
    command = junheng_without_overview(  # (the overview: not what is tested, two thirds of the time)
        "run",
        str(data),
        "--out",
        str(tmp_path / "reports"),
        "--formats",
        "html",
        "--executor",
        "dask",
        "--scheduler",
        address,
        "--notebook",
        str(notebook),
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 1, done.stderr
    assert "完成 1 个，跳过（未变化）0 个，失败 1 个" in done.stdout
    assert f"✗ 990102_2024: {KERNEL_DIED}" in done.stderr
    assert len(client.scheduler_info()["workers"]) == 2  # no worker lost or stuck
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)  # the same workers
    assert "完成 0 个，跳过（未变化）1 个，失败 1 个" in again.stdout, again.stderr
    assert f"✗ 990102_2024: {KERNEL_DIED}" in again.stderr


def test_dask_cluster_survives_a_killed_worker(tmp_path, cluster):
    """Last in the module: it kills one of the cluster's two workers."""
    address, client, procs, folder = cluster
    data = tmp_path / "data"
    data.mkdir()
    for key in KEYS:
        shutil.copy(SAMPLE / f"{key}.xlsx", data / f"{key}.xlsx")
    out = tmp_path / "reports"
    notebook, hold = held_notebook(tmp_path, out)  # after the first report, the others wait for the kill
    run = subprocess.Popen(  # relative paths, as a user types them: the workers run elsewhere
        junheng_without_overview("run", "data", "--out", "reports", "--formats", "html")
        + ["--executor", "dask", "--scheduler", address, "--notebook", str(notebook)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")),
    )
    # in the middle: a first report is written and a worker is busy with a county's next year
    deadline = time.time() + 240
    victim = None
    while victim is None and time.time() < deadline and run.poll() is None:
        if list(out.glob("99*.html")):
            busy = [addr for addr, tasks in client.processing().items() if tasks]
            if busy:
                victim = client.scheduler_info()["workers"][busy[0]]["name"]
                break
        time.sleep(0.1)
    assert victim is not None, run.communicate()
    os.killpg(procs[victim].pid, signal.SIGKILL)
    hold.unlink()
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    assert "完成 4 个，跳过（未变化）0 个，失败 0 个" in stdout  # each county-year came back once
    assert procs[victim].poll() is not None and len(client.scheduler_info()["workers"]) == 1
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest) == KEYS and {e["status"] for e in manifest.values()} == {"done"}
    html = (out / "index.html").read_text(encoding="utf-8")
    for key in KEYS:
        assert html.count(f'href="{key}.html"') == 1 and (out / f"{key}.html").exists()
        assert json.loads((out / f"{key}.json").read_text(encoding="utf-8"))["county_code"] == key[:6]
    assert not (folder / "elsewhere" / "reports").exists()  # workers wrote to the shared folder
    log = (folder / "cluster.log").read_text(encoding="utf-8").splitlines()
    assert [line for line in log if "Remove worker" in line and f"name: {victim}" in line], log[-30:]
    from junheng.batch.worker import sweep_run_dirs

    sweep_run_dirs()  # the killed worker's kernel socket folder, as the next run would
