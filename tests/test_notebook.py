"""The notebook is the report (issue #9): a researcher's cells are published, papermill's command
line works as documented, the notebook runs as it is in a kernel with figures inline, and the
notebooks in git are output-free and agree with their paired .py files."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from small_notebook import small_notebook
from tool_env import tool_env

from junheng.batch.tasks import notebook_digest
from junheng.report.params import ParameterError, county_code_param, overlays_param
from junheng.report.run import report

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
NOTEBOOKS = ROOT / "notebooks"
REPORT = NOTEBOOKS / "county_report.ipynb"
RESEARCHER_TEXT = "研究者补充分析：各项差异系数的分布"
REMOVED_TEXT = "这一段不应发布"
SEABORN_CELL = """import seaborn as sns
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(5, 2.5))
sns.barplot(data=c.coefficients, x="cv", y="short", hue="section_name", ax=ax)
ax.set_title("研究者的图")"""


def pdf_text(path) -> str:
    return re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    )


def pdf_figures(path) -> int:
    return len(re.findall(rb"/S/Figure", Path(path).read_bytes()))


def html_images(path) -> int:
    return len(re.findall(r'<img[^>]*\bsrc="data:image/', Path(path).read_text(encoding="utf-8")))


def researcher_copy(folder: Path) -> Path:
    """The bundled notebook with a Markdown paragraph, a seaborn chart and a removed cell added
    before the appendix, as a researcher would in JupyterLab."""
    nb = nbformat.read(str(REPORT), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "appendix" in c.metadata.get("tags", []))
    added = [
        nbformat.v4.new_markdown_cell(f"## {RESEARCHER_TEXT}\n\n以下图表由研究者添加。"),
        nbformat.v4.new_code_cell(SEABORN_CELL, metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_markdown_cell(REMOVED_TEXT, metadata={"tags": ["remove-cell"]}),
    ]
    nb.cells[at:at] = added
    path = folder / "my_report.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory):
    """990102 of 2024 with the liaoning overlay, from the bundled notebook and from a researcher's copy."""
    tmp = tmp_path_factory.mktemp("notebook")
    bundled = report("990102", 2024, SAMPLE, ("html", "pdf"), overlays=("liaoning",), out_dir=tmp / "bundled")
    copy = researcher_copy(tmp)
    mine = report(
        "990102", 2024, SAMPLE, ("html", "pdf"), overlays=("liaoning",), out_dir=tmp / "mine", notebook=copy
    )
    return bundled, mine


def test_researcher_cells_reach_the_html(two_reports):
    bundled, mine = two_reports
    html = mine["html"].read_text(encoding="utf-8")
    assert RESEARCHER_TEXT in html and "以下图表由研究者添加。" in html
    assert REMOVED_TEXT not in html and REMOVED_TEXT not in bundled["html"].read_text(encoding="utf-8")
    assert html_images(mine["html"]) == html_images(bundled["html"]) + 1


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_researcher_cells_reach_the_pdf(two_reports):
    bundled, mine = two_reports
    text = pdf_text(mine["pdf"])
    assert RESEARCHER_TEXT in text and "以下图表由研究者添加。" in text and REMOVED_TEXT not in text
    assert pdf_figures(mine["pdf"]) == pdf_figures(bundled["pdf"]) + 1


def test_papermill_command_line_then_render_gives_the_reports_verdict(two_reports, tmp_path):
    """`-p county_code` with digits arrives as an integer and `-p overlays liaoning` as a string.

    papermill runs the small report notebook (the report's own parameters cell and `checked`, then the
    county evaluated and written as the report does): what is under test is papermill's command line and
    `junheng render` of what it executed; the whole report is published by `report` in `two_reports`
    (issue #21: running it once more here took half a minute)."""
    bundled, _ = two_reports
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SAMPLE / "990102_2024.xlsx", data / "990102_2024.xlsx")
    executed, result = tmp_path / "out.ipynb", tmp_path / "out.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(small_notebook(tmp_path)),
            str(executed),
            "-p",
            "county_code",
            "990102",
            "-p",
            "year",
            "2024",
            "-p",
            "overlays",
            "liaoning",
            "-p",
            "data",
            str(data),
            "-p",
            "json_path",
            str(result),
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        env=tool_env(),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    nb = nbformat.read(str(executed), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "county_code = 990102" in injected.source and 'overlays = "liaoning"' in injected.source
    render = subprocess.run(
        [sys.executable, "-m", "junheng.cli", "render", str(executed)], capture_output=True, text=True
    )
    assert render.returncode == 0, render.stderr[-2000:]
    assert (tmp_path / "out.html").exists() and (tmp_path / "out.pdf").exists()
    mine = json.loads(result.read_text(encoding="utf-8"))
    reference = json.loads((bundled["html"].with_suffix(".json")).read_text(encoding="utf-8"))
    assert mine["county_code"] == reference["county_code"] == "990102"
    assert mine["overlays"] == reference["overlays"] == ["liaoning"]
    assert (
        mine["status"] == reference["status"]
        and mine["parts"]["resource"]["cv"] == reference["parts"]["resource"]["cv"]
    )
    g7 = [i for i in mine["parts"]["guarantee"]["items"] if i["id"] == "G7"][0]
    assert g7["threshold"] == 8000  # the overlay was applied, not iterated letter by letter
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "county_code = 990102" not in html and "明湖区" in html


# The notebook runs as it is, in a kernel, with figures and tables inline: checked in
# test_workbook.test_running_the_notebook_in_place_leaves_git_diff_empty, on the run of the whole
# report that test makes anyway (issue #21).


def test_parameters_are_typed_and_documented_for_papermill():
    import papermill

    params = papermill.inspect_notebook(str(REPORT))
    assert params["county_code"]["inferred_type_name"] == "str" and "6-digit" in params["county_code"]["help"]
    assert (
        params["year"]["inferred_type_name"] == "int" and params["overlays"]["inferred_type_name"] == "list"
    )
    assert all(p["inferred_type_name"] != "None" and p["help"] for p in params.values())


def test_county_codes_from_papermill_are_restored_or_refused():
    assert county_code_param(10101) == "010101" and county_code_param(990102) == "990102"
    assert county_code_param("012345") == "012345" and county_code_param(12345.0) == "012345"
    with pytest.raises(ParameterError, match="-r county_code"):
        county_code_param(5349)  # 012345 read by YAML as octal: cannot be restored
    with pytest.raises(ParameterError, match="6位数字"):
        county_code_param("99012")
    assert overlays_param("liaoning") == ("liaoning",) and overlays_param("a, b") == ("a", "b")
    assert overlays_param(["liaoning"]) == ("liaoning",) and overlays_param(None) == ()


def test_notebooks_in_git_are_output_free_and_paired():
    import jupytext

    for ipynb in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(str(ipynb), as_version=4)
        assert not any(
            c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code"
        ), ipynb
        paired = jupytext.read(str(ipynb.with_suffix(".py")))
        mine = [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]
        theirs = [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in paired.cells]
        assert mine == theirs, f"{ipynb.name} and its .py differ: run jupytext --sync"


def test_fingerprint_reads_the_notebooks_cells_not_its_outputs(tmp_path, two_reports):
    executed = tmp_path / "executed.ipynb"
    nb = nbformat.read(str(REPORT), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 7
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="run in JupyterLab")]
    nb.metadata["widgets"] = {"state": {}}
    nbformat.write(nb, str(executed))
    assert notebook_digest(executed) == notebook_digest(REPORT)
    nb.cells[3].source += "\n# a change"
    nbformat.write(nb, str(executed))
    assert notebook_digest(executed) != notebook_digest(REPORT)


def test_stock_nbconvert_command_with_the_junheng_exporter(tmp_path):
    """`jupyter nbconvert --to junheng` publishes like `junheng render`: no code, no CDN."""
    nb = nbformat.read(str(REPORT), as_version=4)
    cover = next(c for c in nb.cells if "c.cover()" in c.source)
    cover.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<section class='cover'><h1>封面</h1></section>"}
        )
    ]
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, str(path))
    run = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "junheng", str(path)],
        capture_output=True,
        text=True,
        env=tool_env(),
    )
    assert run.returncode == 0, run.stderr[-1500:]
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "封面" in html and "import junheng" not in html and "cdnjs" not in html and "<script" not in html


def _given_parameters(monkeypatch) -> list:
    """The parameters `junheng.report.run.execute` gives papermill (papermill itself not run)."""
    import papermill

    given = []

    def execute_notebook(source, out, parameters=None, **kwargs):
        given.append(parameters)
        raise KeyboardInterrupt  # stop here: no kernel

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    return given


def test_papermill_kills_the_kernel_it_started_once_the_last_cell_is_done(tmp_path, monkeypatch):
    """Every file the notebook writes is written by a cell: the kernel's own shutdown (1.4-2.4 s of a
    loaded machine) publishes nothing, so papermill is told to kill it; nothing is saved per cell."""
    import papermill

    from junheng.report.run import execute

    given = []

    def execute_notebook(source, out, parameters=None, **kwargs):
        given.append(kwargs)
        raise KeyboardInterrupt  # stop here: no kernel

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    with pytest.raises(KeyboardInterrupt):
        execute("990102", 2024, SAMPLE, work_dir=tmp_path / "w")
    assert given[0]["shutdown_kernel"] == "immediate"
    assert given[0]["request_save_on_cell_execute"] is False and given[0]["progress_bar"] is False


def test_the_publishing_code_is_imported_while_the_kernel_runs(tmp_path, monkeypatch):
    """`report` has nbconvert, pandoc's and Typst's bindings imported while the kernel runs (the process
    only waits meanwhile): by the thread of the county's hand-off, after it (one thread: two importing at
    once once failed with 'cannot import name PythonLexer'), or by a thread of its own beside a batch
    worker's kernel; done when `execute` returns. An Excel-only report imports nothing."""
    import sys
    import threading

    import papermill

    from junheng.report import run as run_module
    from junheng.report.handoff import Handoff
    from junheng.report.run import execute, publishing_imports

    given = []
    real_execute = run_module.execute
    monkeypatch.setattr(run_module, "execute", lambda *a, **kw: given.append(kw) or real_execute(*a, **kw))
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **kw: {"cells": []})
    monkeypatch.setattr(run_module, "render_outputs", lambda *a, **kw: {})
    for formats in (("html", "pdf"), ("xlsx",)):
        report("990102", 2024, SAMPLE, formats, out_dir=tmp_path / "out")
    assert callable(given[0]["meanwhile"]) and given[1]["meanwhile"] is None
    assert publishing_imports(("xlsx",)) is None

    # the hand-off's thread does it next; execute waits for it
    order = []
    monkeypatch.setattr(Handoff, "_hand_off", lambda self, *a: order.append("hand-off"))
    h = Handoff(tmp_path, str(SAMPLE), "990102", "youzhi-2017", [], then=lambda: order.append("imports"))
    h.start().join()
    assert order == ["hand-off", "imports"]

    # beside a batch worker's kernel (no hand-off), a thread of its own, joined before execute returns
    names = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **kw: {"cells": []})
    execute(
        "990102",
        2024,
        SAMPLE,
        work_dir=tmp_path / "w",
        km=object(),
        meanwhile=lambda: names.append(threading.current_thread().name),
    )
    assert names == ["junheng-meanwhile"]

    publishing_imports(("pdf",))()
    assert "junheng.report.render.pdf" in sys.modules


def test_charts_are_drawn_as_png_only_when_word_is_asked_for(tmp_path, monkeypatch):
    """The HTML and the PDF publish the SVG: a report without Word has its kernel draw no PNG (an
    eighth of the kernel's time), a researcher's copy without the parameter is given none."""
    from junheng.report.run import execute

    given = _given_parameters(monkeypatch)
    for formats in (("html", "pdf"), ("html", "pdf", "docx")):
        with pytest.raises(KeyboardInterrupt):
            report("990102", 2024, SAMPLE, formats, out_dir=tmp_path / "out")
    assert given[0]["png_charts"] is False and "png_charts" not in given[1]
    nb = nbformat.read(str(REPORT), as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source = "\n".join(line for line in parameters.source.splitlines() if "png_charts" not in line)
    old_copy = tmp_path / "old_copy.ipynb"
    nbformat.write(nb, str(old_copy))
    with pytest.raises(KeyboardInterrupt):
        execute("990102", 2024, SAMPLE, notebook=old_copy, work_dir=tmp_path / "w", png_charts=False)
    assert "png_charts" not in given[2]


def test_a_kernel_told_no_png_charts_draws_svg_only(tmp_path):
    """The bundled notebook's own %config line, given png_charts=False as `junheng report` gives it."""
    from junheng.report.run import execute

    source = (NOTEBOOKS / "county_report.py").read_text(encoding="utf-8")
    config = re.search(r"^# (%config InlineBackend\.figure_formats.*)$", source, re.M).group(1)
    chart = (
        "from junheng.report import charts\nimport pandas as pd\n"
        "cv = pd.DataFrame({'section': ['primary'], 'indicator': ['R1'], 'short': ['生均教学用房'],"
        " 'cv': [0.31], 'limit': [0.5], 'borderline': [False]})\ndisplay(charts.coefficients(cv, 'zh'))"
    )
    path = small_notebook(tmp_path, f"{config}\nfrom IPython.display import display\n{chart}")
    nb, _, _ = execute("990102", 2024, SAMPLE, notebook=path, work_dir=tmp_path / "w", png_charts=False)
    kinds = {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}
    assert "image/svg+xml" in kinds and "image/png" not in kinds
