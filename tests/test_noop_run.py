"""A no-op `junheng run` (issue #21): what it imports, the plan it reuses, the index it leaves alone.

Never how long it takes (benchmarks/cli_benchmark.py): which work is done at all, seen in
``sys.modules`` of a fresh interpreter and in the files of the folders.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from small_notebook import small_notebook

from junheng.batch import indexstate, plancache
from junheng.batch.runner import check_notebook, run
from junheng.batch.tasks import Task, notebook_reads, output_stem, plan, task_notebook
from junheng.errors import UserError
from junheng.problems import WARNING, Problem

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
HEAVY = {"pandas", "numpy", "matplotlib", "nbformat", "jsonschema", "nbconvert", "papermill"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Two years of one county rendered by the small report notebook (one worker, HTML only).

    A province overview is there already (the run only looks whether it exists): the no-op run
    leaves it alone as it leaves the county reports. This run renders none (``province=False``): a
    kernel evaluating the whole province, half of the fixture's time, that no test here reads
    (issue #21; the overview of a run is tested in `test_batch`).
    """
    root = tmp_path_factory.mktemp("noop")
    data = root / "data"
    data.mkdir()
    for name in ("990102_2023.xlsx", "990102_2024.xlsx"):
        shutil.copy(SAMPLE / name, data / name)
    out = root / "out"
    out.mkdir()
    (out / "province.html").write_text("<html></html>", encoding="utf-8")
    notebook = small_notebook(root)
    summary = run(
        data, formats=("html",), jobs=1, out_dir=out, quiet=True, province=False, notebook=str(notebook)
    )
    assert summary["done"] == ["990102_2023", "990102_2024"] and not summary["failed"]
    return data, out, notebook


# the province overview left out of a run that does something (see `small_notebook.WITHOUT_OVERVIEW`)
WITHOUT_OVERVIEW = "from junheng.batch import runner\nrunner._province = lambda *args, **kwargs: []\n"


def noop(data, out, notebook, *extra, overview=True):
    """`junheng run` in a fresh interpreter: its exit status, output and the modules it imported.

    ``overview=False``: a run that does something renders no province overview (not tested here)."""
    argv = ["run", str(data), "--out", str(out), "--formats", "html", "--jobs", "1"]
    argv += ["--notebook", str(notebook), *extra]
    probe = (
        ("" if overview else WITHOUT_OVERVIEW) + "import json, sys\nfrom junheng.cli import main\n"
        f"status = main({argv!r})\nprint(json.dumps([status, sorted(sys.modules)]))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    *lines, last = done.stdout.strip().splitlines()
    status, modules = json.loads(last)
    return status, "\n".join(lines), done.stderr, set(modules)


def test_a_no_op_run_imports_neither_pandas_nor_matplotlib(rendered):
    data, out, notebook = rendered
    index = (out / "index.html").read_bytes()
    status, stdout, stderr, modules = noop(data, out, notebook)
    assert status == 0 and "完成 0 个，跳过（未变化）2 个，失败 0 个" in stdout, stderr
    assert "junheng.batch.runner" in modules
    assert not {m.split(".")[0] for m in modules} & HEAVY, sorted(HEAVY & {m.split(".")[0] for m in modules})
    assert (out / "index.html").read_bytes() == index  # left as it was


def test_a_changed_folder_is_planned_and_indexed_again(rendered, tmp_path):
    data, out, notebook = rendered
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "990102_2023.html").unlink()  # a report deleted: made again, and the index rewritten
    status, stdout, stderr, modules = noop(data, copy, notebook, overview=False)
    assert "完成 1 个，跳过（未变化）1 个" in stdout, stderr
    assert "pandas" in modules
    assert (copy / "990102_2023.html").exists()
    page = (copy / "index.html").read_text(encoding="utf-8")
    assert page.count('href="990102_2023.html"') == 1
    assert page.endswith(
        indexstate.mark(
            indexstate.index_digest(
                copy, json.loads((copy / ".manifest.json").read_text(encoding="utf-8")), "zh"
            )
        )
    )


def test_the_plan_is_reused_only_while_the_data_folder_is_unchanged(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE / "990102_2024.xlsx", data / "990102_2024.xlsx")
    (data / "readme.txt").write_text("not a workbook", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    arguments = {"arguments": [None, None, "youzhi-2017", [], "zh", ["html"], ""]}
    problems: list = []
    tasks = plan(data, formats=("html",), problems=problems)
    key = plancache.plan_key(data, out, arguments)
    assert plancache.cached_plan(out, key) is None
    plancache.keep_plan(out, key, tasks, problems)
    cached, again = plancache.cached_plan(out, key)
    assert cached == tasks and [t.files for t in cached] == [t.files for t in tasks]
    assert [t.key for t in cached] == ["990102_2024"] and cached[0].formats == ("html",)
    assert again == problems and again[0].code == "file_not_read" and again[0].severity == WARNING
    # the same folder, the same key; a file added, touched or removed: another key
    assert plancache.plan_key(data, out, arguments) == key
    assert plancache.plan_key(data, out, {"arguments": [["990102"], *arguments["arguments"][1:]]}) != key
    shutil.copy(SAMPLE / "990102_2023.xlsx", data / "990102_2023.xlsx")
    added = plancache.plan_key(data, out, arguments)
    assert added != key and plancache.cached_plan(out, added) is None
    os.utime(data / "readme.txt", ns=(1, 1))
    assert plancache.plan_key(data, out, arguments) not in (key, added)
    # the reports folder inside the data folder is not part of the data
    inside = data / "reports"
    inside.mkdir()
    before = plancache.plan_key(data, inside, arguments)
    (inside / "990102_2024.html").write_text("x", encoding="utf-8")
    assert plancache.plan_key(data, inside, arguments) == before
    # a single workbook is planned each time
    assert plancache.plan_key(data / "990102_2024.xlsx", out, arguments) is None


def test_a_kept_plan_round_trips_parameters_and_problems(tmp_path):
    task = Task("990102", 2024, "/d", overlays=("liaoning",), files=("/d/a.xlsx",), parameters=(("x", 1),))
    problem = Problem(WARNING, "file_not_read", file="/d/a.txt", params={"suffix": ".txt"}, year=2024)
    plancache.keep_plan(tmp_path, "k", [task], [problem])
    assert plancache.cached_plan(tmp_path, "k") == ([task], [problem])
    (tmp_path / plancache.NAME).write_text("{broken", encoding="utf-8")
    assert plancache.cached_plan(tmp_path, "k") is None  # a damaged cache: planned again


def test_the_index_is_current_until_what_it_shows_changes(tmp_path):
    out = tmp_path
    entries = {"990102_2024": {"status": "done", "outputs": ["990102_2024.html"]}}
    (out / "990102_2024.html").write_text("<html></html>", encoding="utf-8")
    digest = indexstate.index_digest(out, entries, "zh")
    assert not indexstate.index_is_current(out, entries, "zh")  # no page yet
    (out / "index.html").write_text("<html>…</html>\n" + indexstate.mark(digest), encoding="utf-8")
    assert indexstate.index_is_current(out, entries, "zh")
    assert not indexstate.index_is_current(out, entries, "en")
    assert not indexstate.index_is_current(out, {**entries, "990181_2024": {"status": "error"}}, "zh")
    restamped = {k: {**e, "output_sums": {"990102_2024.html": [13, "ab", 1, 2]}} for k, e in entries.items()}
    assert indexstate.index_is_current(out, restamped, "zh")  # the sums are not shown
    (out / ".manifest.lock").write_text("", encoding="utf-8")  # hidden files are not shown
    assert indexstate.index_is_current(out, entries, "zh")
    (out / "990102_2024.pdf").write_bytes(b"%PDF")  # a report file the page would link to
    assert not indexstate.index_is_current(out, entries, "zh")
    (out / "990102_2024.pdf").unlink()
    (out / "index.html").write_text("<html>…", encoding="utf-8")  # a truncated page is made again
    assert not indexstate.index_is_current(out, entries, "zh")


def test_the_batch_names_outputs_and_notebooks_as_the_report_does():
    from junheng.report.run import default_notebook
    from junheng.report.run import output_stem as report_stem

    cases = [("990123", 2024, "zh", "youzhi-2017"), ("990123", 2024, "en", "jiben-2012")]
    assert [output_stem(*c) for c in cases] == ["990123_2024", "990123_2024.jiben-2012.en"]
    assert [output_stem(*c) for c in cases] == [report_stem(*c) for c in cases]
    assert task_notebook(Task("990123", 2024, "/d")) == default_notebook()


def test_the_notebook_check_and_reads_without_nbformat(tmp_path):
    import nbformat

    good = tmp_path / "good.ipynb"
    cell = nbformat.v4.new_code_cell('c = junheng.province("d")')
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"junheng": {"reads": "extra.csv"}})
    nbformat.write(nb, str(good))  # sources as lists of lines
    check_notebook(good)
    assert notebook_reads(good) == ("province", "extra.csv")
    empty = tmp_path / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# x")]), str(empty))
    text = tmp_path / "text.ipynb"
    text.write_text("not json", encoding="utf-8")
    paired = tmp_path / "my_report.py"  # a jupytext file given instead of its notebook
    paired.write_text("# %%\nimport junheng\n", encoding="utf-8")
    for path, key in (
        (empty, "cli.notebook_empty"),
        (text, "cli.render_not_notebook"),
        (paired, "cli.notebook_is_text"),
    ):
        with pytest.raises(UserError) as caught:
            check_notebook(path)
        assert caught.value.key == key
    ipynb = tmp_path / "my_report.ipynb"
    assert caught.value.message("zh") == (
        f"{paired} 是笔记本的 jupytext 文本文件，不能直接执行："
        f"先运行 jupytext --sync {paired} 更新与它配对的 {ipynb}，再用 --notebook {ipynb}"
    )


def test_a_message_is_read_from_its_own_locale_file_as_from_all_of_them():
    from junheng.i18n import _files_by_key, _messages, _section

    merged = _messages()
    assert set(_files_by_key()) == set(merged)  # every top-level key found at the margin
    assert _files_by_key()["cli"] == "messages.yaml" and _files_by_key()["publish"] == "publish.yaml"
    for top in merged:
        assert _section(top) == merged[top]


def test_an_output_is_read_until_its_time_is_recorded_then_only_when_it_changes(tmp_path, monkeypatch):
    from junheng.batch import manifest as manifest_module
    from junheng.batch.manifest import Manifest, output_sums

    page = tmp_path / "990102_2024.html"
    page.write_text("<html>report</html>", encoding="utf-8")
    m = Manifest(tmp_path)
    entry = {"status": "done", "fingerprint": "f", "outputs": [page.name]}
    m.record("990102_2024", {**entry, "output_sums": output_sums(tmp_path, [page.name])})
    size, digest, mtime, when = m.entries["990102_2024"]["output_sums"][page.name]
    assert size == 19 and mtime == page.stat().st_mtime_ns and when >= mtime
    read = []
    real = manifest_module._digest
    monkeypatch.setattr(manifest_module, "_digest", lambda path: read.append(path.name) or real(path))
    # recorded right after it was written: read (a change in the same clock tick would keep its time)
    m = Manifest(tmp_path)
    assert m.is_current("990102_2024", "f", tmp_path) and read == [page.name]
    m.restamp(tmp_path)  # written just now: its time cannot be trusted yet either
    assert Manifest(tmp_path).entries["990102_2024"]["output_sums"][page.name][3] == when
    old = page.stat().st_mtime_ns - 10 * 10**9
    os.utime(page, ns=(old, old))  # as if written ten seconds ago: read once more, then its time kept
    m = Manifest(tmp_path)
    read.clear()
    assert m.is_current("990102_2024", "f", tmp_path) and read == [page.name]  # read, found intact
    m.restamp(tmp_path)
    assert Manifest(tmp_path).entries["990102_2024"]["output_sums"][page.name][2] == old
    read.clear()
    assert Manifest(tmp_path).is_current("990102_2024", "f", tmp_path) and read == []  # not read
    page.write_text("<html>REPORT</html>", encoding="utf-8")  # same size, new time: read and refused
    assert not Manifest(tmp_path).is_current("990102_2024", "f", tmp_path) and read == [page.name]
