"""`junheng run` (issue #5): parallel workers, incremental re-runs, failure isolation, the index,
and the Dask executor on a local cluster."""

import json
import shutil
from pathlib import Path

import pytest
from small_notebook import small_notebook
from test_attack_batch import KERNEL_DIED

from junheng.batch.runner import run
from junheng.batch.tasks import plan
from junheng.cli import main

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Two good county-years and one whose workbook is broken, run with the small report notebook (the
    batch machinery is under test here; the real report runs end to end in `test_dask_local_cluster`)."""
    tmp = tmp_path_factory.mktemp("batch")
    data = tmp / "data"
    data.mkdir()
    for name in ("990102_2024.xlsx", "990181_2024.xlsx"):
        shutil.copy(SAMPLE / name, data / name)
    from openpyxl import load_workbook

    wb = load_workbook(SAMPLE / "990102_2023.xlsx")
    wb["学校"]["I3"] = "八百"  # text in the primary-students column of a school
    wb.save(data / "990102_2023.xlsx")
    out = tmp / "reports"
    notebook = str(small_notebook(tmp))
    summary = run(data, formats=("html", "pdf"), jobs=2, out_dir=out, quiet=True, notebook=notebook)
    return data, out, summary, notebook


def test_plan_from_file_names():
    tasks = plan(SAMPLE)
    assert len(tasks) == 40 and {t.key for t in tasks} >= {"990102_2024", "990123_2021"}
    shimen = next(t for t in tasks if t.key == "990123_2024")
    assert len(shimen.files) == 5  # every year of the county feeds its trends, and the plan targets
    assert shimen.files[-1].endswith("targets.yaml")


def test_good_counties_complete_and_the_bad_one_is_reported(batch):
    data, out, summary, _ = batch
    assert sorted(summary["done"]) == ["990102_2024", "990181_2024"]
    assert [f["key"] for f in summary["failed"]] == ["990102_2023"]
    assert "八百" in summary["failed"][0]["error"]
    for key in summary["done"]:
        assert (out / f"{key}.html").exists() and (out / f"{key}.pdf").exists()
    assert not list(out.glob(".*.tmp"))


def test_index_links_every_report_relatively(batch):
    _, out, _, _ = batch
    html = (out / "index.html").read_text(encoding="utf-8")
    for key in ("990102_2024", "990181_2024"):
        assert f'href="{key}.html"' in html and f'href="{key}.pdf"' in html
    assert "990102" in html and "2023" in html  # the failed one is listed too
    assert 'href="province.html"' in html and (out / "province.html").exists()
    assert "http" not in html.split("<body")[1]


# The re-runs below render no province overview (`province=False`): the fixture's run rendered it
# (`test_index_links_every_report_relatively`); what they test is which county-years run again.
def test_unchanged_rerun_is_skipped_and_changes_rerun(batch):
    """An unchanged county-year is skipped, a deleted output rebuilt, an error retried; a corrected
    workbook re-runs its county and nothing else. (The deleted output was a test and a run of its own:
    merged into the first re-run here, issue #21.)"""
    data, out, _, notebook = batch
    common = dict(formats=("html", "pdf"), jobs=2, out_dir=out, quiet=True, notebook=notebook, province=False)
    (out / "990181_2024.pdf").unlink()
    again = run(data, **common)
    assert again["skipped"] == ["990102_2024"] and again["done"] == ["990181_2024"]
    assert (out / "990181_2024.pdf").exists()
    assert [f["key"] for f in again["failed"]] == ["990102_2023"]  # errors are retried, never skipped
    # a corrected workbook re-runs that county (both of its years read it) and nothing else
    shutil.copy(SAMPLE / "990102_2023.xlsx", data / "990102_2023.xlsx")
    fixed = run(data, **common)
    assert sorted(fixed["done"]) == ["990102_2023", "990102_2024"] and fixed["skipped"] == ["990181_2024"]
    assert not fixed["failed"]


def test_cli_exit_code_and_force(batch, capsys, monkeypatch):
    data, out, _, notebook = batch
    monkeypatch.setattr("junheng.batch.runner._province", lambda *args, **kwargs: [])  # (not tested here)
    common = [str(data), "--out", str(out), "--counties", "990181", "--notebook", notebook]
    assert main(["run", *common, "--formats", "html,pdf"]) == 0
    assert "跳过（未变化）1 个" in capsys.readouterr().out
    assert main(["run", *common, "--formats", "html", "--force"]) == 0
    assert "完成 1 个" in capsys.readouterr().out


def test_failed_notebook_is_kept(tmp_path):
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from junheng.report.run import report

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("county_code = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise RuntimeError('boom')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(PapermillExecutionError):
        report("990102", 2024, SAMPLE, ("html",), out_dir=tmp_path / "out", notebook=broken)
    kept = tmp_path / "out" / "failed" / "990102_2024.ipynb"
    assert kept.exists() and "boom" in kept.read_text(encoding="utf-8")


def hostile_report(tmp_path, code: str) -> Path:
    """notebooks/county_report.ipynb with ``code`` run right after the injected parameters."""
    import nbformat

    nb = nbformat.read(str(ROOT / "notebooks" / "county_report.ipynb"), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code, metadata={"tags": ["remove-cell"]}))
    path = tmp_path / "hostile.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_dask_local_cluster(tmp_path):
    """The real report on the LocalCluster a run starts itself, and a county whose kernel dies there
    (issue #22: ``os._exit`` in a cell, as the out-of-memory killer would) fails with a message while
    the other completes: merged here from test_attack_batch (issue #21: one cluster, one run)."""
    pytest.importorskip("dask.distributed")
    data = tmp_path / "data"
    data.mkdir()
    for name in ("990102_2024.xlsx", "990128_2024.xlsx"):
        shutil.copy(SAMPLE / name, data / name)
    notebook = hostile_report(tmp_path, 'import os\nif county_code == "990102":\n    os._exit(3)')
    summary = run(
        data,
        formats=("html",),
        jobs=1,
        out_dir=tmp_path / "out",
        executor="dask",
        quiet=True,
        province=False,
        notebook=str(notebook),
    )
    assert summary["done"] == ["990128_2024"]
    assert [f["key"] for f in summary["failed"]] == ["990102_2024"]
    assert summary["failed"][0]["error"].startswith(KERNEL_DIED)
    doc = json.loads((tmp_path / "out" / "990128_2024.json").read_text(encoding="utf-8"))
    assert doc["status"] == "failed"  # the vetoed county
    assert (tmp_path / "out" / "990128_2024.html").exists()


def test_reused_kernels_leak_nothing_between_counties(batch):
    """Each worker keeps its kernel and caches a county's data: every report must still equal a fresh
    evaluation of its own county."""
    from junheng.inputs.dataset import load
    from junheng.method.evaluate import evaluate

    data, out, _, _ = batch
    for code in ("990102", "990181"):
        doc = json.loads((out / f"{code}_2024.json").read_text(encoding="utf-8"))
        fresh = evaluate(load(data, counties=[code])).county(code, 2024).to_dict()
        assert doc["county_code"] == code and doc["status"] == fresh["status"]
        assert doc["parts"]["resource"]["cv"] == fresh["parts"]["resource"]["cv"]


def _without_schools_sheet(folder: Path, name: str = "990122_2024.xlsx") -> Path:
    """A sample workbook whose 学校 sheet was left out (the fresh-eyes finding)."""
    from openpyxl import load_workbook

    wb = load_workbook(SAMPLE / name)
    del wb["学校"]
    wb.save(folder / name)
    return folder / name


def test_a_county_year_without_schools_is_refused_before_its_kernel(tmp_path, monkeypatch):
    """No 学校 sheet: the task fails with the located error before any kernel starts (the kernel
    named one of its cells, `LookupError: 数据中没有…的学校`); the batch's other county still runs."""
    from junheng.batch import worker

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE / "990102_2024.xlsx", data)
    _without_schools_sheet(data)
    started = []

    def report(county_code, *args, **kwargs):
        started.append(county_code)
        raise RuntimeError("the fake kernel")

    monkeypatch.setattr("junheng.report.run.report", report)
    monkeypatch.setattr(worker, "worker_kernel", lambda: None)
    monkeypatch.setattr(worker, "_KERNEL_CONFIG", {})
    results = {t.key: worker.run_task(t, str(tmp_path / "out")) for t in plan(data)}
    assert started == ["990102"]  # the other county ran (its fake kernel failed)
    refused = results["990122_2024"]
    assert refused["status"] == "error" and not refused.get("outputs")
    assert refused["error"] == f"[错误] {data.resolve() / '990122_2024.xlsx'}：工作簿中没有“学校”工作表"


def _invalid_report(tmp_path, monkeypatch, n_errors: int):
    """run_task of a county-year whose (fake) report says its data are invalid, with ``n_errors``."""
    from junheng.batch import worker
    from junheng.report.run import Written

    out = tmp_path / "out"
    out.mkdir()
    key = "990102_2024"

    def report(county_code, year, data, formats, lang, rules, overlays, out_dir, **kwargs):
        problems = [
            {
                "severity": "error",
                "message": f"[错误] x.xlsx › 工作表“学校” › 第{i + 2}行 › 列“城乡分类”：必填单元格为空",
            }
            for i in range(n_errors)
        ]
        doc = {"county_code": county_code, "year": year, "status": "invalid", "problems": problems}
        (out / f"{key}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        (out / f"{key}.html").write_text("<html></html>", encoding="utf-8")
        return Written({"html": out / f"{key}.html", "json": out / f"{key}.json"})

    monkeypatch.setattr("junheng.report.run.report", report)
    monkeypatch.setattr(worker, "worker_kernel", lambda: None)
    monkeypatch.setattr(worker, "_KERNEL_CONFIG", {})
    task = next(t for t in plan(SAMPLE, ["990102"], [2024]))
    return out, key, worker.run_task(task, str(out))


def test_an_invalid_county_says_how_many_errors_and_its_report_is_listed_as_made(tmp_path, monkeypatch):
    """The run's line gave 3 of 85 errors without a word of the rest, and the index said "报告未能
    生成" beside the links of the report that was made (the draft listing the data problems)."""
    from junheng.batch.index import _row

    out, key, result = _invalid_report(tmp_path, monkeypatch, 85)
    assert result["status"] == "error" and result["invalid"] and result["errors"] == 85
    assert result["error"].count("必填单元格为空") == 3
    assert result["error"].endswith(f"……等85处错误，详见 `junheng validate {SAMPLE.resolve()}`")
    entry = dict(result)
    row = _row(out, key, entry, "zh")
    assert [label for label, _ in row.links] == ["HTML"]
    assert not any("报告未能生成" in n for n in row.notes)
    assert any(
        n.startswith("数据有误，共85处错误，报告列出全部数据问题（不得报送）：[错误] x.xlsx")
        for n in row.notes
    )
    assert any(n.startswith("Invalid data: 85 errors") for n in _row(out, key, entry, "en").notes)
    # a failure of this run beside a report of an earlier one: the links are said to be the earlier ones
    crashed = {"county_code": "990102", "year": 2024, "status": "error", "error": "boom", "outputs": []}
    notes = _row(out, key, crashed, "zh").notes
    assert "报告未能生成：boom" in notes and "所链接的报告是此前生成的，不是本次的结果" in notes


def test_a_few_errors_are_all_said(tmp_path, monkeypatch):
    _, _, result = _invalid_report(tmp_path, monkeypatch, 3)
    assert result["error"].count("必填单元格为空") == 3 and "等" not in result["error"]
