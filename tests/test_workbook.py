"""A workbook researchers can push on (issue #20): the package's charts keep their Chinese whatever
the notebook sets, a chart with empty boxes is not published, and executed notebooks carry a PNG
beside each SVG chart (JupyterLab shows no SVG in an untrusted notebook)."""

import io
import re
import warnings
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402

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


def drawn(fig, fmt: str = "svg") -> tuple[str, list[str]]:
    """The figure saved as a notebook's inline backend does, and the warnings that gave."""
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(out, format=fmt, bbox_inches="tight")
    return out.getvalue().decode("latin-1"), [str(w.message) for w in caught]


def test_package_charts_keep_chinese_after_seaborn_set_theme(researcher_rc):
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


def test_the_same_chart_without_the_house_style_shows_boxes(researcher_rc):
    """The check above can fail: a plain figure after sns.set_theme() draws Chinese as boxes."""
    import seaborn as sns

    sns.set_theme()
    fig, ax = plt.subplots()
    ax.set_title("生均教学用房")
    text, said = drawn(fig)
    plt.close(fig)
    assert "LastResort" in text and any("missing from font" in w for w in said)


def test_set_theme_gives_a_researchers_seaborn_chart_chinese(researcher_rc):
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
    return re.search(r"^# (%config InlineBackend\.figure_formats.*)$", source, re.M).group(1)


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
        ],
        tmp_path,
    )
    for cell in nb.cells[2:]:
        kinds = {m for o in cell.outputs for m in o.get("data", {})}
        # JupyterLab renders PNG in an untrusted notebook (SVG only in a trusted one); the SVG is published
        assert {"image/png", "image/svg+xml"} <= kinds, (cell.source, kinds)
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], cell.outputs
    published = publishable(nb)
    assert (
        sum("image/svg+xml" in o.get("data", {}) for c in published.nb.cells for o in c.get("outputs", []))
        == 2
    )


def test_render_refuses_a_chart_with_missing_glyphs_and_names_the_cell(tmp_path):
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
    assert "单元格 In [2]（sns.set_theme()）" in zh and "charts.set_theme()" in zh and "研" in zh
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
