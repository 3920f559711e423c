"""A workbook researchers can push on (issue #20): the package's charts keep their Chinese whatever
the notebook sets, a chart with empty boxes is not published, and executed notebooks carry a PNG
beside each SVG chart (JupyterLab shows no SVG in an untrusted notebook)."""

import copy
import io
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
from tool_env import tool_env  # noqa: E402

from junheng.report import charts  # noqa: E402
from junheng.report.render.publish import PublishError, publishable  # noqa: E402

ROOT = Path(__file__).parent.parent
CV = pd.DataFrame(
    {
        "section": ["primary", "primary", "junior"],
        "indicator": ["R1", "R2", "R1"],
        "short": ["生均教学用房", "师生比", "生均教学用房"],
        "cv": [0.31, 0.62, 0.2],
        "limit": [0.5, 0.5, 0.45],
        "borderline": [False, False, False],
    }
)


@pytest.fixture
def researcher_rc():
    """Whatever a test does to rcParams is undone afterwards."""
    saved = matplotlib.rcParams.copy()
    yield
    matplotlib.rcParams.update(saved)


@pytest.fixture
def no_fallback(monkeypatch):
    """matplotlib's own font lookup, without the CJK fallback `junheng.report` gives every font
    (`junheng.report.fonts.keep_cjk_fallback`): what the house style and `charts.set_theme` do alone."""
    from matplotlib import font_manager

    monkeypatch.setattr(
        font_manager.FontManager,
        "_find_fonts_by_props",
        font_manager.FontManager._find_fonts_by_props.__wrapped__,
    )


def drawn(fig, fmt: str = "svg") -> tuple[str, list[str]]:
    """The figure saved as a notebook's inline backend does, and the warnings that gave."""
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(out, format=fmt, bbox_inches="tight")
    return out.getvalue().decode("latin-1"), [str(w.message) for w in caught]


def test_package_charts_keep_chinese_after_seaborn_set_theme(researcher_rc, no_fallback):
    import seaborn as sns

    sns.set_theme()  # before the chart: resets the font list to Latin fonts
    fig = charts.coefficients(CV, "zh")
    matplotlib.rcParams["font.family"] = "serif"  # and after it, before the inline display draws it
    matplotlib.rcParams["font.serif"] = ["DejaVu Serif"]
    for fmt in ("svg", "png"):
        text, said = drawn(fig, fmt)
        assert not [w for w in said if "missing from font" in w], said
        assert "LastResort" not in text
    # the researcher's settings are theirs again once the chart is drawn
    assert matplotlib.rcParams["font.family"] == ["serif"]


def test_the_same_chart_without_the_house_style_shows_boxes(researcher_rc, no_fallback):
    """The check above can fail: a plain figure after sns.set_theme() draws Chinese as boxes
    (without the fallback; with it, tests/test_researcher_fonts.py)."""
    import seaborn as sns

    sns.set_theme()
    fig, ax = plt.subplots()
    ax.set_title("生均教学用房")
    text, said = drawn(fig)
    plt.close(fig)
    assert "LastResort" in text and any("missing from font" in w for w in said)


def test_set_theme_gives_a_researchers_seaborn_chart_chinese(researcher_rc, no_fallback):
    import seaborn as sns

    charts.set_theme(style="whitegrid")
    assert matplotlib.rcParams["axes.grid"]  # seaborn's theme is applied
    fig, ax = plt.subplots()
    sns.barplot(data=CV, x="cv", y="short", hue="section", ax=ax)
    ax.set_title("研究者的图：差异系数 −0.1")
    text, said = drawn(fig)
    plt.close(fig)
    assert "LastResort" not in text and not said


def executed(cells: list[tuple[str, str]], tmp_path) -> nbformat.NotebookNode:
    """A notebook of ``(kind, source)`` cells run in a kernel as JupyterLab or papermill runs it."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(src, metadata={"tags": ["remove-input"]})
        if kind == "code"
        else nbformat.v4.new_markdown_cell(src)
        for kind, src in cells
    ]
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    return nb


def bundled_config_line() -> str:
    """The bundled notebook's own %config line (so the test follows what it does)."""
    source = (ROOT / "notebooks" / "county_report.py").read_text(encoding="utf-8")
    line = re.search(r"^# (%config InlineBackend\.figure_formats.*)$", source, re.M).group(1)
    return f"png_charts = True\n{line}"  # the notebook's default: charts also as PNG


FRAME = (
    "import pandas as pd\n"
    "cv = pd.DataFrame({'section': ['primary', 'primary'], 'indicator': ['R1', 'R2'],"
    " 'short': ['生均教学用房', '师生比'], 'cv': [0.31, 0.62], 'limit': [0.5, 0.5],"
    " 'borderline': [False, False]})"
)


def test_an_executed_notebook_has_png_beside_svg_and_publishes_after_set_theme(tmp_path):
    nb = executed(
        [
            ("code", f"{bundled_config_line()}\nfrom junheng.report import charts\n{FRAME}"),
            ("code", "import seaborn as sns\nsns.set_theme()"),
            ("code", "charts.coefficients(cv, 'zh')"),
            (
                "code",
                "charts.set_theme()\nax = sns.barplot(data=cv, x='cv', y='short')\n"
                "ax.set_title('研究者的图');",
            ),
            ("markdown", "两项系数中超过限值的比例为{glue}`over`，最大值{glue}`top`。"),
            ("code", "from junheng.report import glue\nglue('over', (cv.cv > cv.limit).mean(), '{:.0%}')"),
            ("code", "display(glue('top', cv.cv.max()))"),
        ],
        tmp_path,
    )
    for cell in nb.cells[2:4]:
        kinds = {m for o in cell.outputs for m in o.get("data", {})}
        # JupyterLab renders PNG in an untrusted notebook (SVG only in a trusted one); the SVG is published
        assert {"image/png", "image/svg+xml"} <= kinds, (cell.source, kinds)
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], cell.outputs
    assert nb.cells[5].outputs[0]["data"]["text/plain"] == "over = 50%"  # what JupyterLab shows
    published = publishable(nb)
    outputs = [o for c in published.nb.cells for o in c.get("outputs", [])]
    assert sum("image/svg+xml" in o.get("data", {}) for o in outputs) == 2
    # the Markdown cell cites the values; the glue outputs themselves are not published
    assert published.nb.cells[4].source == "两项系数中超过限值的比例为50%，最大值0.62。"
    assert len(outputs) == 2


def test_a_citation_of_a_value_never_glued_is_an_error_naming_the_cell():
    from junheng.report.glued import GLUE_MIMETYPE

    nb = synthetic(
        [
            nbformat.v4.new_output(
                "display_data", data={GLUE_MIMETYPE: {"name": "n", "text": "42"}, "text/plain": "n = 42"}
            )
        ]
    )
    nb.cells[0].metadata["tags"] = ["remove-cell"]  # a glued value counts also from a cell not published
    nb.cells.append(nbformat.v4.new_markdown_cell("共{glue}`n`所，{glue}`m`所"))
    with pytest.raises(PublishError) as caught:
        publishable(nb)
    assert "第2个单元格（共{glue}`n`所，{glue}`m`所）引用了 {glue}`m`" in caught.value.message("zh")
    nb.cells[1].source = "共{glue}`n`所"
    assert publishable(nb).nb.cells[0].source == "共42所"


def test_render_refuses_a_chart_with_missing_glyphs_and_names_the_cell(tmp_path):
    """A notebook that never imports junheng has no CJK fallback: its Chinese is boxes, refused."""
    nb = executed(
        [
            ("code", f"{bundled_config_line()}\nimport matplotlib.pyplot as plt\nimport seaborn as sns"),
            ("code", "sns.set_theme()\nfig, ax = plt.subplots()\nax.set_title('研究者的图')"),
        ],
        tmp_path,
    )
    with pytest.raises(PublishError) as caught:
        publishable(nb)
    zh, en = caught.value.message("zh"), caught.value.message("en")
    assert "单元格 In [2]（sns.set_theme()）" in zh and "（研究者的图）" in zh and "Noto Sans CJK SC" in zh
    assert "cell In [2] (sns.set_theme())" in en


def synthetic(outputs: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("draw()", execution_count=3, outputs=outputs)
    nb.cells = [cell]
    return nb


def test_render_checks_svg_glyphs_and_the_stderr_warning_separately():
    svg = nbformat.v4.new_output(
        "display_data", data={"image/svg+xml": '<svg><path id="LastResortHE-Regular-7a"/></svg>'}
    )
    with pytest.raises(PublishError, match="In \\[3\\] \\(draw\\(\\)\\).*\\(\\?\\)"):
        publishable(synthetic([svg]))
    warning = nbformat.v4.new_output(
        "stream",
        name="stderr",
        text="UserWarning: Glyph 20174 (\\N{CJK UNIFIED IDEOGRAPH-4ECE}) missing from font(s) DejaVu Sans.",
    )
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})
    with pytest.raises(PublishError) as caught:
        publishable(synthetic([warning, png]))
    assert "（从）" in caught.value.message("zh")
    # a chart in a cell whose outputs are not published is not checked
    nb = synthetic([svg])
    nb.cells[0].metadata["tags"] = ["remove-output"]
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "1",
            execution_count=4,
            outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=4)],
        )
    )
    publishable(nb)


# -- incremental runs follow what a notebook reads --------------------------------------------------


def notebook_with(folder: Path, source: str, metadata: dict | None = None) -> Path:
    """The bundled report notebook with one more cell (and notebook metadata), as a researcher's copy."""
    nb = nbformat.read(str(ROOT / "notebooks" / "county_report.ipynb"), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["remove-input"]}))
    nb.metadata.update(metadata or {})
    path = folder / "my_report.ipynb"
    nbformat.write(nb, str(path))
    return path


def two_counties(folder: Path) -> Path:
    data = folder / "data"
    data.mkdir()
    for name in ("990102_2024.xlsx", "990126_2024.xlsx"):
        (data / name).write_bytes((ROOT / "data" / "sample" / name).read_bytes())
    return data


def changed_workbook(path: Path) -> None:
    """One school's primary students changed in a county's workbook."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["学校"]["I3"] = int(wb["学校"]["I3"].value or 0) + 37
    wb.save(path)


def test_a_notebook_reading_the_province_depends_on_every_countys_data(tmp_path):
    from junheng.batch.runner import rerun_reason
    from junheng.batch.tasks import combined_fingerprint, fingerprint_parts, notebook_reads, plan

    data = two_counties(tmp_path)
    (tmp_path / "reads").mkdir()
    reading = notebook_with(tmp_path / "reads", "p = junheng.province(data or None, [year])\np.names")
    assert notebook_reads(reading) == ("province",)
    assert notebook_reads(ROOT / "notebooks" / "county_report.ipynb") == ()

    def parts(notebook):
        task = next(t for t in plan(data, notebook=notebook) if t.county_code == "990126")
        return fingerprint_parts(task)

    before, bundled = parts(reading), parts(None)
    assert "reads" not in bundled  # the bundled report reads its own county only
    changed_workbook(data / "990102_2024.xlsx")
    after = parts(reading)
    assert after["data"] == before["data"] and after["reads"] != before["reads"]
    entry = {"status": "done", "fingerprint": combined_fingerprint(before), "parts": before}
    assert rerun_reason(entry, after, combined_fingerprint(after)) == ("reads",)
    assert parts(None) == bundled  # ... and its fingerprint did not move


def test_a_notebook_declares_the_files_it_reads(tmp_path):
    from junheng.batch.tasks import fingerprint_parts, notebook_reads, plan

    data = two_counties(tmp_path)
    (tmp_path / "nb").mkdir()
    declared = notebook_with(
        tmp_path / "nb",
        "import pandas as pd\npd.read_csv('extra/benchmarks.csv')",
        {"junheng": {"reads": ["extra/*.csv"]}},
    )
    assert notebook_reads(declared) == ("extra/*.csv",)
    task = next(t for t in plan(data, notebook=declared) if t.county_code == "990126")
    missing = fingerprint_parts(task)["reads"]
    (tmp_path / "nb" / "extra").mkdir()
    (tmp_path / "nb" / "extra" / "benchmarks.csv").write_text("a\n1\n", encoding="utf-8")
    first = fingerprint_parts(task)["reads"]
    (tmp_path / "nb" / "extra" / "benchmarks.csv").write_text("a\n2\n", encoding="utf-8")
    assert len({missing, first, fingerprint_parts(task)["reads"]}) == 3


SMALL_PARAMETERS = "\n".join(
    [
        'data = ""',
        'county_code = "990126"',
        "year = 2024",
        'rules = "youzhi-2017"',
        "overlays = []",
        'lang = "zh"',
        'json_path = ""',
        'xlsx_path = ""',
    ]
)


def test_junheng_run_remakes_a_report_whose_notebook_reads_the_province(tmp_path):
    """The issue's case end to end: 990102's data change; 990126's report reads the province."""
    from junheng.batch.runner import run

    data = two_counties(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(SMALL_PARAMETERS, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## 全省学校数"),
        nbformat.v4.new_code_cell(
            "import junheng\nc = junheng.county(county_code, year, data)\nc.to_json(json_path)\n"
            "len(junheng.counties(data))",
            metadata={"tags": ["remove-input"]},
        ),
    ]
    mine = tmp_path / "nb" / "province_note.ipynb"
    mine.parent.mkdir()
    nbformat.write(nb, str(mine))
    args = dict(
        counties=["990126"],
        formats=("html",),
        jobs=1,
        out_dir=tmp_path / "out",
        quiet=True,
        province=False,
        notebook=mine,
    )
    assert run(data, **args)["done"] == ["990126_2024"]
    assert run(data, **args)["skipped"] == ["990126_2024"]
    changed_workbook(data / "990102_2024.xlsx")
    assert run(data, **args)["done"] == ["990126_2024"]


# -- the research API -------------------------------------------------------------------------------


def test_counties_lists_codes_names_years_and_schools(tmp_path):
    import junheng
    from junheng.report.research import COUNTY_DTYPES

    data = two_counties(tmp_path)
    frame = junheng.counties(data)
    assert dict(frame.dtypes.astype(str)) == {
        k: str(pd.Series(dtype=v).dtype) for k, v in COUNTY_DTYPES.items()
    }
    # the workbooks' 学校 sheets: 60 and 80 rows under the header (counted in the sample files)
    assert frame.to_dict("records") == [
        {"county_code": "990102", "county_name": "明湖区", "year": 2024, "schools": 60},
        {"county_code": "990126", "county_name": "云岭县", "year": 2024, "schools": 80},
    ]


def test_results_is_one_long_frame_with_clean_dtypes():
    import junheng
    from junheng.report.research import RESULT_DTYPES, limit_text

    p = junheng.province(years=[2024])
    frame = junheng.results(p)
    assert list(frame.columns) == list(RESULT_DTYPES)
    assert {k: str(v) for k, v in frame.dtypes.items()} == {
        k: str(pd.Series(dtype=v).dtype) for k, v in RESULT_DTYPES.items()
    }
    assert set(frame["status"]) <= {"pass", "fail", "not_assessed"}
    assert not frame.duplicated(["county_code", "year", "part", "section", "indicator"]).any()
    # 10 counties × (2 sections × 7 coefficients + 15 G + 9 Q + S + 5 vetoes + the prerequisite)
    assert frame["county_code"].nunique() == 10 and len(frame) == 10 * (14 + 15 + 9 + 1 + 5 + 1)
    # the same numbers as the county's own frames
    c = junheng.county("990102", 2024)
    r1 = frame.query("county_code == '990102' and section == 'junior' and indicator == 'R1'").iloc[0]
    mine = c.coefficients.query("section == 'junior' and indicator == 'R1'").iloc[0]
    assert r1["value"] == pytest.approx(mine["cv"]) and r1["limit"] == 0.45 and r1["status"] == "pass"
    g1 = frame.query("county_code == '990102' and indicator == 'G1'").iloc[0]
    assert (g1["limit"], g1["limit_text"], pd.isna(g1["section"])) == (1.0, "是", True)
    assert limit_text({"primary": 45, "junior": 50}, "zh") == "小学45，初中50"
    assert limit_text({"primary": 45, "junior": 50}, "en") == "Primary 45, Junior 50"
    assert limit_text("是", "en") == "yes" and limit_text(0.85, "en") == "0.85"


def test_school_passed_is_boolean_with_na_for_schools_left_out():
    import junheng

    c = junheng.county("990123", 2024)
    passed = c.schools["school_passed"]
    assert str(passed.dtype) == "boolean"
    assert passed.isna().equals(~c.schools["in_scope"])


# -- the notebook's parameters are checked first ------------------------------------------------------

PARAMETERS_CELL = (
    'data: str = ""  # the data\ncounty_code: str = "990123"\nyear: int = 2024\nlang: str = "zh"'
)


def namespace(**given) -> dict:
    base = {
        "data": str(ROOT / "data" / "sample"),
        "county_code": "990102",
        "year": 2024,
        "rules": "youzhi-2017",
        "overlays": [],
        "lang": "zh",
        "report_date": "",
    }
    return {**base, **given}


def test_unknown_injected_parameters_are_read_from_the_cells_run():
    from junheng.report.params import unknown_injected

    history = ["", PARAMETERS_CELL, "# Parameters\nyaer = 2024\ncounty_code = 990102\n", "checked(globals())"]
    assert unknown_injected(history) == (["yaer"], ["county_code", "data", "lang", "year"])
    assert unknown_injected(["", PARAMETERS_CELL, "checked(globals())"]) == ([], [])  # run in JupyterLab


def test_checked_says_what_is_wrong_in_the_reports_language(tmp_path):
    from junheng.report.params import ParameterError, checked

    history = ["", PARAMETERS_CELL, "# Parameters\nyaer = 2024\n"]
    with pytest.raises(ParameterError, match="没有参数“yaer”，是否想用“year”？"):
        checked(namespace(In=history))
    with pytest.raises(ParameterError, match="no parameter 'yaer' — did you mean 'year'"):
        checked(namespace(In=history, lang="en"))
    with pytest.raises(ParameterError, match="“liaonin”，是否想用“liaoning”？"):
        checked(namespace(overlays=["liaonin"]))
    data = str(two_counties(tmp_path))
    with pytest.raises(ParameterError, match="现有的县：990102 明湖区（2024）；990126 云岭县（2024）$"):
        checked(namespace(county_code="123456", data=data))
    with pytest.raises(ParameterError, match="990102（明湖区）2031年的数据。现有年度：2024$"):
        checked(namespace(year=2031, data=data))
    # a wrong data path is said as it is, not as a county missing from it
    with pytest.raises(ParameterError, match="^数据文件夹不存在：/no/such/folder$"):
        checked(namespace(data="/no/such/folder", county_code="123456"))
    with pytest.raises(ParameterError, match="4-digit year"):
        checked(namespace(year="twenty", lang="en"))
    assert checked(namespace(county_code=990102, overlays="liaoning")) == {
        "county_code": "990102",
        "year": 2024,
        "overlays": ("liaoning",),
        "lang": "zh",
    }


def test_papermill_stops_a_misspelt_parameter_and_an_unknown_overlay_before_the_report(tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = ROOT / "notebooks" / "county_report.ipynb"
    for params, said in (
        ({"county_code": "990102", "yaer": 2023}, "笔记本没有参数“yaer”，是否想用“year”？"),
        ({"county_code": "990102", "overlays": "liaonin"}, "是否想用“liaoning”？"),
    ):
        with pytest.raises(PapermillExecutionError) as caught:
            papermill.execute_notebook(
                str(notebook),
                str(tmp_path / "out.ipynb"),
                parameters=params,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(tmp_path),
            )
        assert caught.value.ename == "ParameterError" and said in caught.value.evalue
        nb = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
        failing = next(
            c for c in nb.cells if any(o.get("output_type") == "error" for o in c.get("outputs", []))
        )
        assert "checked(globals())" in failing.source
        # nothing of the report was shown: the cover comes after the check
        assert not [
            o
            for c in nb.cells
            for o in c.get("outputs", [])
            if o.get("output_type") != "error" and o.get("name") != "stderr"
        ]


def test_junheng_report_says_did_you_mean_for_an_overlay_before_a_kernel(capsys):
    from junheng.cli import main

    assert (
        main(["report", "--county", "990102", "--year", "2024", "--overlay", "liaonin", "--out", "/tmp/x"])
        == 2
    )
    assert "是否想用“liaoning”？" in capsys.readouterr().err


# -- clean diffs: a fresh clone passes its hooks, running a notebook leaves git diff empty ------------


def git(*args, cwd) -> subprocess.CompletedProcess:
    # tool_env: the notebooks' nbstripout filter runs in a process of its own for each notebook git reads
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=tool_env())


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A fresh clone of the committed project with the notebook filter installed (scripts/git-filters.sh)."""
    if git("rev-parse", "--is-inside-work-tree", cwd=ROOT).returncode != 0:
        pytest.skip("not a git checkout")
    if not shutil.which("pre-commit") or not shutil.which("nbstripout"):
        pytest.skip("pre-commit or nbstripout missing (pip install -e '.[lab]')")
    target = tmp_path_factory.mktemp("clone") / "junheng"
    head = git("rev-parse", "HEAD", cwd=ROOT).stdout.strip()
    assert git("clone", "-q", "--no-checkout", str(ROOT), str(target), cwd=ROOT).returncode == 0
    assert git("checkout", "-q", head, cwd=target).returncode == 0
    run = subprocess.run(
        ["bash", "scripts/git-filters.sh"], cwd=target, capture_output=True, text=True, env=tool_env()
    )
    assert run.returncode == 0, run.stderr
    assert git("status", "--porcelain", cwd=target).stdout == ""
    return target


def pre_commit(clone, *args) -> subprocess.CompletedProcess:
    env = tool_env(PRE_COMMIT_HOME=str(clone.parent / "pre-commit-cache"))
    return subprocess.run(["pre-commit", "run", *args], cwd=clone, capture_output=True, text=True, env=env)


# the hooks that read the notebooks (.pre-commit-config.yaml), by the names pre-commit shows
NOTEBOOK_HOOKS = (
    "ruff check",
    "ruff format",
    "notebooks and their paired .py files agree",
    "notebooks are committed without outputs",
)


def test_a_fresh_clone_passes_all_its_hooks_unchanged(clone):
    """Every hook on every file, the notebooks' hooks each seen to run on them and pass (these were run
    one by one on the notebooks by a test of their own: a subset of this run, issue #21)."""
    run = pre_commit(clone, "--all-files")
    changed = git("status", "--porcelain", cwd=clone).stdout
    git("checkout", "-q", ".", cwd=clone)
    assert run.returncode == 0 and changed == "", run.stdout[-2000:]
    said = dict(re.findall(r"^(.+?)\.{2,}(Passed|Failed|\(no files to check\)Skipped)$", run.stdout, re.M))
    assert {hook: said.get(hook) for hook in NOTEBOOK_HOOKS} == dict.fromkeys(NOTEBOOK_HOOKS, "Passed"), (
        run.stdout[-2000:]
    )


def test_running_the_notebook_in_place_leaves_git_diff_empty(clone):
    """As "Run All" and save in JupyterLab: outputs, counts, timings and the kernel's language_info.

    The notebook runs as it is (issue #9; merged here from test_notebook, issue #21: one run of the
    whole report for both): executed with nbclient, no parameters injected, no %matplotlib inline,
    every shown cell shows something, the charts as SVG, the tables inline, no error."""
    from nbclient import NotebookClient

    path = clone / "notebooks" / "county_report.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    assert not any("%matplotlib" in c.source for c in nb.cells)
    folder = {"metadata": {"path": str(path.parent)}}
    NotebookClient(nb, timeout=600, kernel_name="python3", resources=folder).execute()
    assert any(c.get("outputs") for c in nb.cells) and "language_info" in nb.metadata
    rich = {"text/html", "image/svg+xml", "text/markdown"}
    shown = [
        (c, {m for o in c.outputs for m in o.get("data", {})})
        for c in nb.cells
        if c.cell_type == "code" and "remove-input" in c.metadata.get("tags", [])
    ]
    for cell, mimetypes in shown:
        assert mimetypes & rich, f"a report cell shows nothing: {cell.source[:80]}"
        if "charts." in cell.source:
            assert "image/svg+xml" in mimetypes, cell.source[:80]
    tables = sum(
        1
        for c in nb.cells
        for o in c.get("outputs", [])
        if 'class="jh-table"' in o.get("data", {}).get("text/html", "")
    )
    assert tables >= 10
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    nbformat.write(nb, str(path))
    assert git("diff", "--exit-code", "--stat", cwd=clone).returncode == 0, git("diff", cwd=clone).stdout[
        -3000:
    ]
    assert git("diff", "--exit-code", "--no-textconv", cwd=clone).returncode == 0
    # what git would store is the committed notebook, byte for byte (`git status` may list the file
    # until `git add` refreshes its size in the index: adding it then changes nothing)
    stored = git("hash-object", "--path=notebooks/county_report.ipynb", str(path), cwd=clone).stdout
    assert stored == git("rev-parse", "HEAD:notebooks/county_report.ipynb", cwd=clone).stdout
    git("add", "-A", cwd=clone)
    assert git("status", "--porcelain", cwd=clone).stdout == ""


def test_preview_makes_the_web_page_of_a_saved_notebook(tmp_path, capsys):
    from junheng.cli import main

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("## 研究笔记\n\n比例为{glue}`share`。"),
        nbformat.v4.new_code_cell(
            "glue('share', 0.5)",
            execution_count=1,
            outputs=[
                nbformat.v4.new_output(
                    "display_data",
                    data={
                        "application/vnd.junheng.glue+json": {"name": "share", "text": "50%"},
                        "text/plain": "x",
                    },
                )
            ],
        ),
    ]
    path = tmp_path / "mine.ipynb"
    nbformat.write(nb, str(path))
    assert main(["preview", str(path), "--once"]) == 0
    html = (tmp_path / "mine.html").read_text(encoding="utf-8")
    assert "比例为50%。" in html and not (tmp_path / "mine.pdf").exists()
    nb.cells[0].source = "比例为{glue}`shares`。"
    nbformat.write(nb, str(path))
    assert main(["preview", str(path), "--once"]) == 1
    assert "{glue}`shares`" in capsys.readouterr().err


def test_items_have_fixed_dtypes_and_standards_in_the_reports_language():
    """c.items: one dtype a column (issue #20: threshold mixed int, float, str and dict, 是 in English)."""
    import re

    import junheng
    from junheng.report.county import ITEM_DTYPES

    c = junheng.county("990123", 2024, lang="en")
    items = c.items.set_index("id", drop=False)
    assert {k: str(v) for k, v in c.items.dtypes.items()} == {
        k: str(pd.Series(dtype=v).dtype) for k, v in ITEM_DTYPES.items()
    }
    for col in ("threshold_parts", "evidence", "schools"):  # object columns hold one type each
        assert {type(v) for v in c.items[col]} == {list if col == "schools" else dict}, col
    # youzhi-2017.yaml: G1 是, G5 小学45/初中50, G11 rotated 0.1 / backbone 0.2, Q1 0.95, vetoes 否
    g1, g5, g11, q1 = (items.loc[i] for i in ("G1", "G5", "G11", "Q1"))
    assert (g1["threshold"], g1["threshold_text"], g1["threshold_parts"]) == (1.0, "yes", {})
    assert pd.isna(g5["threshold"]) and g5["threshold_text"] == "Primary 45, Junior 50"
    assert g5["threshold_parts"] == {"primary": 45, "junior": 50}
    assert g11["threshold_text"] == "rotated 0.1, backbone 0.2"
    assert (q1["threshold"], q1["threshold_text"]) == (0.95, "0.95")
    vetoes = c.items[c.items["part"] == "vetoes"]
    assert len(vetoes) == 5 and set(vetoes["threshold"]) == {0.0} and set(vetoes["threshold_text"]) == {"no"}
    chinese = re.compile(r"[\u4e00-\u9fff]")
    for col in ("part", "id", "label", "status", "threshold_text"):
        assert not any(chinese.search(str(v)) for v in c.items[col]), col
    zh = junheng.county("990123", 2024).items.set_index("id")
    assert (
        zh.loc["G11", "threshold_text"] == "交流轮岗0.1，骨干教师0.2"
        and zh.loc["G1", "threshold_text"] == "是"
    )
    # the same standards as the long results frame
    frame = junheng.results(junheng.province(years=[2024], lang="en"))
    mine = frame[(frame["county_code"] == "990123") & frame["part"].ne("resource")].set_index("indicator")
    assert mine["limit_text"].to_dict() == dict(zip(c.items["id"], c.items["threshold_text"], strict=True))


def test_the_county_frames_hold_one_type_a_column():
    import junheng

    c = junheng.county("990181", 2024)
    assert str(c.basic["passed"].dtype) == "boolean" and str(c.basic["borderline"].dtype) == "boolean"
    composite = c.basic[c.basic["indicator"] == "composite"]
    assert (
        composite["passed"].notna().all()
        and c.basic.loc[c.basic["indicator"] != "composite", "passed"].isna().all()
    )
    assert {type(v) for v in c.schools["exclusion_detail"]} == {dict}
    assert all(d == {} for d in c.evaluated_schools["exclusion_detail"])


def test_package_charts_carry_their_caption_into_the_notebook_output():
    """Issue #19: the published report numbers and captions every chart (图1 …): the caption travels
    as output metadata, which IPython takes from the figure's ``_repr_mimebundle_``."""
    from IPython.core.formatters import DisplayFormatter

    fig = charts.coefficients(CV, "zh")
    data, metadata = DisplayFormatter().format(fig)
    assert metadata == {"caption": "差异系数与标准"} and "text/plain" in data
    assert charts.coefficients(CV, "en").junheng_caption == "Coefficients against their limits"
    # a chart without a caption of its own is captioned by its title (a suptitle, or its only panel's)
    with charts.styled():
        own, ax = plt.subplots()
        ax.set_title("各校指标值")
    assert charts.figure_caption(own) == "各校指标值"
    own.suptitle("总标题")
    assert charts.figure_caption(own) == "总标题"
    plt.close(own)


# The two tests below read one notebook run in one kernel (issue #21: a kernel importing the package's
# charts is seconds of CPU, one for each test before): its first cell, then the captioned figures'
# four cells (the untitled one is In [5]), then the cells ending in a figure. Each test publishes the
# first cell and its own cells, as a notebook of their own (figures numbered from 1).
CAPTIONED = slice(1, 5)
ENDING = slice(5, 9)


@pytest.fixture(scope="module")
def researchers_figures(tmp_path_factory) -> nbformat.NotebookNode:
    return executed(
        [
            (
                "code",
                f"{bundled_config_line()}\nfrom junheng.report import charts\n"
                "import matplotlib.pyplot as plt",
            ),
            # CAPTIONED
            ("code", "fig, ax = plt.subplots()\nax.plot([1, 2])\nax.set_title('各校生均面积')"),
            ("code", "fig, ax = plt.subplots()\nax.plot([1, 2])\ncharts.caption(fig, '研究者自己的图')"),
            (
                "code",
                "import seaborn as sns\ng = sns.relplot(x=[1, 2], y=[3, 4])\ncharts.caption(g, '分面图')",
            ),
            ("code", "fig, ax = plt.subplots()\nax.plot([1, 2])"),
            # ENDING
            ("code", "fig2, ax2 = plt.subplots()\nax2.plot([1, 2])\nax2.set_title('只有标题的图')\nfig2"),
            ("code", "fig3, ax3 = plt.subplots()\nax3.plot([1, 2])\nfig3"),
            ("code", "fig4, ax4 = plt.subplots()\nax4.plot([1, 2])\nfig4.suptitle('总标题的图')"),
            ("code", "print(repr(fig2.axes[0].get_title()), repr(fig4._suptitle.get_text()))"),
        ],
        tmp_path_factory.mktemp("figures"),
    )


def cells_of(nb: nbformat.NotebookNode, cells: slice) -> nbformat.NotebookNode:
    """A copy of ``nb`` with its first cell and ``cells`` only."""
    part = copy.deepcopy(nb)
    part.cells = [part.cells[0], *part.cells[cells]]
    return part


def test_a_researchers_figure_is_captioned_by_charts_caption_or_its_title(researchers_figures):
    """A researcher's own figure was published as a bare "图N": it takes its caption from
    `charts.caption(fig, …)`, else from its title; with neither it is not numbered and the render
    says so (docs/notebook.md)."""
    from junheng.report.render.html import ReportHTMLExporter

    nb = cells_of(researchers_figures, CAPTIONED)
    captions = []
    for cell in nb.cells[1:]:
        images = [o for o in cell.outputs if "image/svg+xml" in o.get("data", {})]
        assert len(images) == 1, (cell.source, cell.outputs)  # shown once, not again by the inline backend
        captions.append(images[0].get("metadata", {}).get("caption"))
    assert captions == ["各校生均面积", "研究者自己的图", "分面图", None]
    body = ReportHTMLExporter().body(nb)
    shown = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", body.html)]
    assert shown == ["图1　各校生均面积", "图2　研究者自己的图", "图3　分面图"]  # no bare "图4"
    notes = [n.message("zh") for n in body.published.notes]
    assert notes == [
        "单元格 In [5]（fig, ax = plt.subplots()）：图没有图题，发布时不编号："
        '请以 charts.caption(fig, "图题") 结束单元格，'
        "或用 ax.set_title / fig.suptitle 给图加标题（见 docs/notebook.md）"
    ]


def test_a_figure_ending_its_cell_is_published_once_without_its_title_repeated(researchers_figures):
    """Review: a cell ending in ``fig`` was published twice (图9 and 图10, the same picture; an
    untitled one twice, and its warning twice): the cell's value and the inline backend at the
    end of the cell both showed it. A figure is shown once; one captioned by its title no longer
    draws that title too (it is the caption under the figure)."""
    from junheng.report.render.html import ReportHTMLExporter

    nb = cells_of(researchers_figures, ENDING)
    captions = []
    for cell in nb.cells[1:4]:
        images = [o for o in cell.outputs if "image/svg+xml" in o.get("data", {})]
        assert len(images) == 1, (cell.source, cell.outputs)
        captions.append(images[0].get("metadata", {}).get("caption"))
        svg = images[0]["data"]["image/svg+xml"]
        assert "只有标题的图" not in svg and "总标题的图" not in svg  # the title is the caption, not drawn
    assert captions == ["只有标题的图", None, "总标题的图"]
    assert nb.cells[4].outputs[0]["text"] == "'' ''\n"  # the title moved into the caption
    body = ReportHTMLExporter().body(nb)
    shown = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", body.html)]
    assert shown == ["图1　只有标题的图", "图2　总标题的图"]
    assert len(body.published.notes) == 1  # the untitled figure's warning, once
