"""Issue #11, item 4 and the clean-up bullet: several runs on one reports folder keep every
county-year in the manifest and the index; a killed run's leftovers (temporary files, kernel socket
folders) are removed by the next run, and nothing a live run still writes is touched."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from small_notebook import held_notebook, junheng_without_overview, small_notebook

from junheng.batch.index import write_index
from junheng.batch.lock import RunLock
from junheng.batch.manifest import Manifest
from junheng.batch.worker import sweep_run_dirs

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))


def junheng(*args, **kwargs):
    """`junheng ARGS` in a process of its own; its run renders no province overview (not tested here)."""
    return subprocess.Popen(
        junheng_without_overview(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        **kwargs,
    )


def test_manifests_of_two_runs_merge(tmp_path):
    first, second = Manifest(tmp_path), Manifest(tmp_path)  # both read the (empty) manifest
    first.record("990102_2024", {"status": "done", "outputs": []})
    second.record("990181_2024", {"status": "done", "outputs": []})
    on_disk = json.loads((tmp_path / ".manifest.json").read_text(encoding="utf-8"))
    assert sorted(on_disk) == ["990102_2024", "990181_2024"]  # the second did not drop the first's
    assert sorted(second.entries) == ["990102_2024", "990181_2024"]


def test_two_runs_at_once_on_one_reports_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("990102_2024.xlsx", "990181_2024.xlsx"):
        shutil.copy(SAMPLE / name, data / name)
    out = tmp_path / "reports"
    notebook = small_notebook(tmp_path)  # the batch machinery under test, not the report (issue #21)
    common = [str(data), "--out", str(out), "--formats", "html", "--jobs", "1", "--notebook", str(notebook)]
    first = junheng("run", *common, "--counties", "990102")
    time.sleep(1)
    second = junheng("run", *common, "--counties", "990181")
    results = [p.communicate(timeout=300) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], results
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest) == ["990102_2024", "990181_2024"]
    html = (out / "index.html").read_text(encoding="utf-8")
    for key in manifest:
        assert f'href="{key}.html"' in html and (out / f"{key}.html").exists()
    assert not list(out.glob(".*.tmp"))


def test_the_index_lists_every_report_present(tmp_path):
    """A report written by `junheng report` (no manifest entry) is listed next to the run's."""
    doc = {"county_code": "990102", "county_name": "明湖区", "year": 2024, "status": "passed", "parts": {}}
    (tmp_path / "990102_2024.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "990102_2024.html").write_text("<html></html>", encoding="utf-8")
    manifest = Manifest(tmp_path)
    manifest.record("990181_2024", {"county_code": "990181", "year": 2024, "status": "error", "error": "x"})
    html = write_index(tmp_path, manifest).read_text(encoding="utf-8")
    assert 'href="990102_2024.html"' in html and "明湖区" in html and ">达到<" in html
    assert "990181" in html
    (tmp_path / "notes.json").write_text("[1, 2]", encoding="utf-8")  # not a report: not listed
    assert "notes" not in write_index(tmp_path, manifest).read_text(encoding="utf-8")


def test_stray_temporary_files_are_removed_only_when_no_other_run_writes(tmp_path):
    (tmp_path / "failed").mkdir()
    stray = [
        tmp_path / ".990102_2024.html.k2j3.tmp",
        tmp_path / ".manifest.ab12.tmp",
        tmp_path / ".index.html.x.tmp",
        tmp_path / "failed" / ".990102_2024.ipynb.z.tmp",
    ]
    for path in stray:
        path.write_text("half", encoding="utf-8")
    keep = tmp_path / "990102_2024.html"
    keep.write_text("done", encoding="utf-8")
    with RunLock(tmp_path), RunLock(tmp_path) as other:
        assert other.clean_if_alone() == []  # the first holds the folder: its temporary files stay
        assert all(p.exists() for p in stray)
    with RunLock(tmp_path) as alone:
        assert sorted(alone.clean_if_alone()) == sorted(stray)
    assert not any(p.exists() for p in stray) and keep.exists()


def test_socket_folders_of_dead_processes_are_swept():
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead = int(finished.stdout)
    left = Path(tempfile.mkdtemp(prefix=f"junheng-run-{dead}-"))
    (left / str(dead)).mkdir()
    mine = Path(tempfile.mkdtemp(prefix=f"junheng-run-{os.getpid()}-"))
    try:
        removed = sweep_run_dirs()
        assert left in removed and not left.exists()
        assert mine.exists() and mine not in removed  # a live process's folder stays
    finally:
        shutil.rmtree(left, ignore_errors=True)
        shutil.rmtree(mine, ignore_errors=True)


def test_a_killed_run_is_cleaned_up_and_completed_by_the_next(tmp_path):
    """kill -9 in the middle: the next run removes the temporary files and socket folders it left,
    redoes what was not finished, and the manifest and index list every county-year once."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("990102_2024.xlsx", "990181_2024.xlsx"):
        shutil.copy(SAMPLE / name, data / name)
    out = tmp_path / "reports"
    notebook, hold = held_notebook(tmp_path, out)  # the second county waits until the kill
    common = [str(data), "--out", str(out), "--formats", "html", "--jobs", "1", "--notebook", str(notebook)]
    victim = junheng("run", *common, start_new_session=True)
    deadline = time.time() + 240
    while not list(out.glob("99*.html")) and time.time() < deadline:
        time.sleep(0.2)
    assert list(out.glob("99*.html")), victim.communicate()
    os.killpg(victim.pid, signal.SIGKILL)
    victim.communicate()
    (out / ".990181_2024.html.cut.tmp").write_text("half", encoding="utf-8")  # as a kill mid-write leaves
    socket_dirs = list(Path(tempfile.gettempdir()).glob(f"junheng-run-{victim.pid}-*"))
    assert socket_dirs  # the killed run's kernel sockets are still there
    hold.unlink()
    again = junheng("run", *common)
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    manifest = json.loads((out / ".manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest) == ["990102_2024", "990181_2024"]
    assert all(entry["status"] == "done" for entry in manifest.values())
    html = (out / "index.html").read_text(encoding="utf-8")
    assert all(html.count(f'href="{key}.html"') == 1 for key in manifest)
    assert not list(out.glob(".*.tmp")) and not any(d.exists() for d in socket_dirs)
    assert not list(Path(tempfile.gettempdir()).glob(f"junheng-run-{again.pid}-*"))


def test_the_last_run_to_leave_removes_the_lock_file(tmp_path):
    lock = tmp_path / ".run.lock"
    with RunLock(tmp_path):
        with RunLock(tmp_path):
            assert lock.exists()
        assert lock.exists()  # the outer run still writes: its lock file stays
    assert not lock.exists()  # a finished folder holds reports only
    with RunLock(tmp_path) as again:  # and the next run locks a new one
        assert lock.exists() and again.fd is not None


def test_a_rerun_says_why():
    from junheng.batch.runner import rerun_reason

    parts = {"data": "d2", "notebook": "n", "params": "p", "code": "c"}
    before = {"status": "done", "fingerprint": "old", "parts": dict(parts, data="d1")}
    assert rerun_reason(None, parts, "new") == ("new",)
    assert rerun_reason(before, parts, "new", force=True) == ("forced",)
    assert rerun_reason(dict(before, status="error"), parts, "new") == ("failed",)
    assert rerun_reason(dict(before, fingerprint="same"), parts, "same") == ("missing",)
    assert rerun_reason(before, parts, "new") == ("data",)
    assert rerun_reason({"status": "done", "fingerprint": "old"}, parts, "new") == ("unknown",)
