"""Charts printed by `junheng report` while its kernel runs (issue #21, `junheng.report.premade`).

The hand-off's thread makes and prints each chart of the bundled notebook; the kernel takes the figure
of the same chart call, and its printer returns the parent's SVG only while nothing was changed since,
for the same printer with the same settings; anything else is made and printed by the kernel as
always. These tests count what is made and drawn and compare images; they never time anything.
"""

import functools
import pickle
import re
import sys
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from IPython.core.formatters import PNGFormatter, SVGFormatter
from IPython.core.pylabtools import print_figure
from matplotlib.figure import Figure

import junheng
import junheng.report.county  # noqa: F401
from junheng.report import charts, handoff, inline, premade
from junheng.report.handoff import ENV, Handoff

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
county_module = sys.modules["junheng.report.county"]
REPORT_ARGS = {"year": 2024, "report_date": "", "issuer": "", "final": False}


@pytest.fixture(autouse=True)
def nothing_taken_yet(monkeypatch):
    """Each test a kernel of its own: what `take` found in another test is not remembered."""
    monkeypatch.setattr(handoff, "_TAKEN", {})


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The hand-off `execute` makes for the report of 990123/2024: county, County and printed charts."""
    saved = dict(county_module._CACHE)
    county_module._CACHE.clear()
    try:
        h = Handoff(
            tmp_path_factory.mktemp("work"), str(SAMPLE), "990123", "youzhi-2017", [], "zh", None, REPORT_ARGS
        )
        h.start()._thread.join()
    finally:
        county_module._CACHE.clear()
        county_module._CACHE.update(saved)
    return h


@pytest.fixture
def kernel(written, monkeypatch):
    """This process as the report's kernel: its hand-off, and SVG/PNG printers as the notebook sets them."""
    monkeypatch.setenv(ENV, str(written.path))
    return _formatters(dpi=150)


def _formatters(dpi):
    svg, png = SVGFormatter(), PNGFormatter()
    svg.for_type(Figure, functools.partial(print_figure, fmt="svg", bbox_inches="tight", dpi=dpi))
    png.for_type(
        Figure, functools.partial(print_figure, fmt="png", base64=True, bbox_inches="tight", dpi=dpi)
    )
    assert inline.install(charts.HouseFigure, {"image/svg+xml": svg, "image/png": png})
    return svg, png


@pytest.fixture
def draws(monkeypatch):
    """The figures drawn (printed) in this process."""
    seen = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: seen.append(self) or real(self, r))
    return seen


@pytest.fixture
def made(monkeypatch):
    """The figures pyplot made in this process (a chart function makes its figure with pyplot)."""
    import matplotlib.pyplot as plt

    seen = []
    real = plt.subplots
    monkeypatch.setattr(plt, "subplots", lambda *a, **k: seen.append(1) or real(*a, **k))
    return seen


def _same_ids(svg: str) -> str:
    """SVG with its random clip-path and marker ids numbered in order, and no date."""
    ids = {}
    svg = re.sub(r"<dc:date>.*?</dc:date>", "", svg)
    return re.sub(r"\b[pm][0-9a-f]{10}\b", lambda m: ids.setdefault(m.group(0), f"id{len(ids)}"), svg)


def _held(written) -> dict:
    """{digest: what the parent printed} in the hand-off's folder."""
    where = written.folder / premade.FOLDER
    return {p.stem: pickle.loads(p.read_bytes()) for p in where.glob("*.pickle")}


def test_the_writer_prints_every_chart_of_the_report(written, kernel):
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    calls = list(premade.bundled_calls(c))
    # the notebook's charts of 990123: coefficients, one per section, gap, trends, targets, Theil
    assert [name for name, _ in calls] == [
        "coefficients",
        "school_ratios",
        "school_ratios",
        "gap",
        "trends",
        "targets",
        "theil",
    ]
    held = _held(written)
    assert set(held) == {premade.call_digest(name, args, {}) for name, args in calls}
    for image in held.values():
        assert image["kwargs"] == {"bbox_inches": "tight", "dpi": 150}
        assert image["images"]["svg"].startswith("<?xml")


def test_the_kernel_takes_the_parents_chart_and_serves_its_svg(written, kernel, draws, made):
    svg, _ = kernel
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    fig = charts.coefficients(c.coefficients, "zh")
    assert made == []  # not made here: the parent's figure
    assert isinstance(fig, charts.HouseFigure) and fig.junheng_caption == "差异系数与标准"
    assert type(fig.canvas).__name__ == "FigureCanvasAgg" and fig.canvas.manager is not None  # as pyplot's
    served = svg(fig)
    assert draws == []  # not drawn here
    digest = premade.call_digest("coefficients", (c.coefficients, "zh"), {})
    assert served == _held(written)[digest]["images"]["svg"]
    # what the kernel prints of the same call itself, ids and date aside
    own = charts.coefficients.__wrapped__(c.coefficients, "zh")
    assert _same_ids(svg(own)) == _same_ids(served) and draws == [own]


def test_each_chart_of_the_report_is_taken_as_the_kernel_would_make_it(written, kernel, draws):
    svg, _ = kernel
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    for name, args in premade.bundled_calls(c):
        taken = getattr(charts, name)(*args)
        served = svg(taken)
        assert served is not None and draws == [], name  # served
        own = getattr(charts, name).__wrapped__(*args)  # made here, as without the parent's
        assert _same_ids(svg(own)) == _same_ids(served), name
        taken.stale = True  # printed here: the taken figure draws as the one made here
        assert _same_ids(svg(taken)) == _same_ids(served), name
        draws.clear()


@pytest.mark.parametrize(
    "change",
    [
        lambda fig: fig.axes[0].set_xlim(0, 2),
        lambda fig: fig.axes[0].texts[0].set_text("0.999"),
        lambda fig: fig.axes[0].patches[0].set_color("black"),
        lambda fig: fig.axes[0].set_title("另一个标题"),
        lambda fig: fig.set_size_inches(5, 3),
        lambda fig: fig.patch.set_facecolor("yellow"),
        lambda fig: fig.axes[0].axvline(0.3),
        lambda fig: [label.set_rotation(45) for label in fig.axes[0].get_yticklabels()],
        lambda fig: fig.axes[0].yaxis.set_tick_params(labelsize=12),
        lambda fig: fig.axes[0].set_facecolor("#eeeeee"),
    ],
    ids=[
        "xlim",
        "text",
        "bar",
        "title",
        "size",
        "background",
        "new line",
        "tick labels",
        "tick size",
        "panel",
    ],
)
def test_a_chart_changed_after_it_was_made_is_printed_again(written, kernel, draws, change):
    svg, _ = kernel
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    fig = charts.coefficients(c.coefficients, "zh")
    parents = _held(written)[premade.call_digest("coefficients", (c.coefficients, "zh"), {})]["images"]["svg"]
    change(fig)
    image = svg(fig)
    assert draws == [fig]  # printed here, with the change
    assert _same_ids(image) != _same_ids(parents)


def test_a_chart_shown_after_another_figure_was_changed_is_printed_by_the_kernel(written, kernel, draws):
    # what changed is not known to be another figure's only: printed here (the same image, as always)
    import matplotlib.pyplot as plt

    svg, _ = kernel
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    fig = charts.coefficients(c.coefficients, "zh")
    mine, ax = plt.subplots()
    ax.set_title("我的图")
    plt.close(mine)
    svg(fig)
    assert draws == [fig]


def test_a_chart_of_other_data_is_printed_by_the_kernel(written, kernel, draws):
    svg, _ = kernel
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    cv = c.coefficients.copy()
    cv.loc[cv.index[0], "cv"] = 0.99  # a researcher's own values
    fig = charts.coefficients(cv, "zh")
    svg(fig)
    assert draws == [fig]
    assert premade.call_digest("coefficients", (cv, "zh"), {}) not in _held(written)


@pytest.mark.parametrize(
    "setting",
    [{"svg.fonttype": "none"}, {"lines.linewidth": 3.0}, {"savefig.pad_inches": 0.5}],
    ids=["fonttype", "linewidth", "pad"],
)
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_chart_made_or_printed_with_other_settings_is_printed_by_the_kernel(
    written, kernel, draws, setting, when
):
    svg, _ = kernel
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    with matplotlib.rc_context(setting if when == "before" else {}):
        fig = charts.coefficients(c.coefficients, "zh")
        with matplotlib.rc_context(setting if when == "after" else {}):
            svg(fig)
    assert draws == [fig]


def test_a_chart_printed_with_other_arguments_is_printed_by_the_kernel(written, kernel, draws, monkeypatch):
    svg, _ = _formatters(dpi=100)  # %config InlineBackend.print_figure_kwargs of another notebook
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    fig = charts.coefficients(c.coefficients, "zh")
    svg(fig)
    assert draws == [fig]


def test_the_png_of_a_served_chart_is_printed_in_full(written, kernel, draws):
    svg, png = kernel
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh")
    fig = charts.coefficients(c.coefficients, "zh")
    svg(fig)
    assert draws == []
    assert png(fig) and draws == [fig]  # no box measured by an SVG print: the PNG measures its own


def test_outside_the_reports_kernel_no_chart_is_looked_up(monkeypatch, draws):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(premade, "call_digest", lambda *a: pytest.fail("looked up"))
    cv = pd.DataFrame(
        {"section": ["primary"], "indicator": ["R1"], "short": ["师生比"], "cv": [0.3], "limit": [0.5]}
    )
    assert "_junheng_premade" not in vars(charts.coefficients(cv, "zh"))


def test_the_call_digest_is_the_content_of_the_arguments():
    frame = pd.DataFrame({"year": pd.array([2023, 2024], dtype="Int64"), "v": [0.5, 0.25]})
    copy = pickle.loads(pickle.dumps(frame))
    frame["year"].dtype.numpy_dtype  # noqa: B018 - a cached property of the dtype, computed in one copy only
    assert pickle.dumps(frame) != pickle.dumps(copy)  # pickled as they are, they differ
    assert premade.call_digest("coefficients", (frame, "zh"), {}) == premade.call_digest(
        "coefficients", (copy, "zh"), {}
    )
    shared = pd.Index(["a", "b"])  # the same content, shared or not
    assert premade.call_digest("x", (shared, shared), {}) == premade.call_digest(
        "x", (shared, shared.copy()), {}
    )
    other = frame.assign(v=[0.5, 0.26])
    assert premade.call_digest("coefficients", (other, "zh"), {}) != premade.call_digest(
        "coefficients", (frame, "zh"), {}
    )
    assert premade.call_digest("coefficients", (frame, "en"), {}) != premade.call_digest(
        "coefficients", (frame, "zh"), {}
    )
    assert premade.call_digest("trends", (frame, "zh"), {}) != premade.call_digest(
        "coefficients", (frame, "zh"), {}
    )
