"""Issue #22: a kernel that dies on a real Dask cluster (scheduler and two workers on 127.0.0.1,
separate processes) fails its county with a message; the run returns, and the cluster's workers
stay usable for the next run (they used to hang on the dead kernel forever)."""

import os
import shutil
import subprocess

from small_notebook import junheng_without_overview
from test_attack_batch import KERNEL_DIED, hostile_notebook
from test_distributed import ROOT, SAMPLE, cluster  # noqa: F401 - the fixture


def test_a_dead_kernel_on_a_dask_cluster_fails_its_county_and_frees_the_worker(tmp_path, cluster):  # noqa: F811
    address, client, _ = cluster
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
