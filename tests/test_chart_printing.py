"""Printing the package's charts (issue #21): the same images for less work.

A chart of `junheng.report.charts` skips matplotlib's dry run before a ``bbox_inches="tight"``
print (it has no layout engine), and in a kernel its PNG is cut to the box its SVG just measured.
These tests count the work done and compare the images; they never time anything.
"""

import functools
import io
import re

import pandas as pd
import pytest
from IPython.core.formatters import PNGFormatter, SVGFormatter
from IPython.core.pylabtools import print_figure
from matplotlib.figure import Figure

from junheng.report import charts, inline

CV = pd.DataFrame(
    {
        "section": ["primary", "primary", "junior", "junior"],
        "indicator": ["R1", "R2", "R1", "R2"],
        "short": ["生均教学用房", "师生比", "生均教学用房", "师生比"],
        "cv": [0.31, 0.62, 0.2, 0.4],
        "limit": [0.5, 0.5, 0.45, 0.45],
        "borderline": [False, False, False, True],
    }
)
HISTORY = pd.DataFrame(
    {
        "section": ["primary"] * 4,
        "indicator": ["R1", "R1", "R2", "R2"],
        "short": ["生均教学用房", "生均教学用房", "师生比", "师生比"],
        "year": [2023, 2024, 2023, 2024],
        "cv": [0.3, 0.2, 0.4, 0.5],
        "limit": [0.5] * 4,
    }
)


class PlainFigure(Figure):
    """A chart printed as matplotlib prints any figure (dry run included), in the house style."""

    def draw(self, renderer):
        with charts.styled():
            return Figure.draw(self, renderer)

    def get_tightbbox(self, *args, **kwargs):
        with charts.styled():
            return Figure.get_tightbbox(self, *args, **kwargs)


def _same_ids(data: bytes) -> bytes:
    """SVG with its random clip-path and marker ids numbered in order, and no date."""
    ids = {}
    data = re.sub(rb"<dc:date>.*?</dc:date>", b"", data)
    return re.sub(rb"\b[pm][0-9a-f]{10}\b", lambda m: ids.setdefault(m.group(0), b"id%d" % len(ids)), data)


@pytest.mark.parametrize("fmt", ["svg", "png"])
@pytest.mark.parametrize("chart", ["coefficients", "trends"])
def test_a_chart_skips_the_dry_run_and_prints_the_same_image(monkeypatch, fmt, chart):
    make = {"coefficients": lambda: charts.coefficients(CV), "trends": lambda: charts.trends(HISTORY)}[chart]
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(charts._dry_run(r)) or real(self, r))
    fig = make()
    ours = io.BytesIO()
    fig.savefig(ours, format=fmt, bbox_inches="tight", dpi=150)
    assert draws == [False]  # one drawing: the dry run returned before reaching matplotlib
    fig.__class__ = PlainFigure
    plain = io.BytesIO()
    fig.savefig(plain, format=fmt, bbox_inches="tight", dpi=150)
    assert draws == [False, True, False]  # matplotlib's own print: the dry run, then the drawing
    assert _same_ids(ours.getvalue()) == _same_ids(plain.getvalue())


def test_a_chart_given_a_layout_engine_keeps_the_dry_run(monkeypatch):
    # constrained layout runs while the figure is drawn: the dry run must lay it out before measuring
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, r: draws.append(charts._dry_run(r)) or real(self, r))
    fig = charts.coefficients(CV)
    fig.set_layout_engine("constrained")
    fig.savefig(io.BytesIO(), format="svg", bbox_inches="tight")
    assert draws == [True, False]


def _kernel_formatters(dpi=150):
    """SVG and PNG formatters as ``%config InlineBackend`` sets them up in the report notebook."""
    svg, png = SVGFormatter(), PNGFormatter()
    svg.for_type(Figure, functools.partial(print_figure, fmt="svg", bbox_inches="tight", dpi=dpi))
    png.for_type(
        Figure, functools.partial(print_figure, fmt="png", base64=True, bbox_inches="tight", dpi=dpi)
    )
    formatters = {"image/svg+xml": svg, "image/png": png}
    assert inline.install(charts.HouseFigure, formatters)
    return svg, png


def _png_size(data: str) -> tuple:
    import base64

    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(data))).size


def test_in_a_kernel_the_png_is_cut_to_the_box_its_svg_measured(monkeypatch):
    svg, png = _kernel_formatters()
    boxes = []
    real = Figure.get_tightbbox
    monkeypatch.setattr(Figure, "get_tightbbox", lambda self, *a, **k: boxes.append(1) or real(self, *a, **k))
    fig = charts.coefficients(CV)
    image = svg(fig)
    assert image.startswith("<?xml") and len(boxes) == 1
    data = png(fig)
    assert len(boxes) == 1  # the PNG measured nothing
    points = [float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', image).groups()]
    width, height = _png_size(data)
    # the SVG's size (points, 72 per inch: the measured box and its pad) at 150 dots per inch
    assert abs(width - points[0] / 72 * 150) <= 1 and abs(height - points[1] / 72 * 150) <= 1
    # the SVG is the one the inline backend makes
    plain = print_figure(fig, fmt="svg", bbox_inches="tight", dpi=150)
    assert _same_ids(image.encode()) == _same_ids(plain.encode())


def test_a_png_without_an_svg_just_before_measures_itself(monkeypatch):
    svg, png = _kernel_formatters()
    boxes = []
    real = Figure.get_tightbbox
    monkeypatch.setattr(Figure, "get_tightbbox", lambda self, *a, **k: boxes.append(1) or real(self, *a, **k))
    fig, other = charts.coefficients(CV), charts.trends(HISTORY)
    svg(fig)
    png(other)  # another figure's print in between: the box is not used
    png(fig)
    assert len(boxes) == 3
    png(fig)  # a second PNG of the same figure
    assert len(boxes) == 4


def test_other_figures_and_formats_are_printed_as_the_inline_backend_prints_them():
    svg, png = _kernel_formatters()
    fig = Figure()
    fig.add_subplot().plot([1, 2])
    assert svg(fig).startswith("<?xml") and png(fig)
    svg.pop(Figure)  # the notebook shows PNG only: no SVG of a chart either
    assert svg(charts.coefficients(CV)) is None and png(charts.coefficients(CV))


def test_each_axis_places_its_ticks_once_per_measurement_and_once_per_drawing(monkeypatch):
    import matplotlib.axis

    placed = []
    real = matplotlib.axis.Axis._update_ticks
    monkeypatch.setattr(matplotlib.axis.Axis, "_update_ticks", lambda self: placed.append(self) or real(self))
    fig = charts.coefficients(CV)  # two panels: four axes
    ours = io.BytesIO()
    fig.savefig(ours, format="svg", bbox_inches="tight")
    # the tight box measured, then the figure drawn: each axis placed its ticks twice
    assert len(placed) == 2 * 4 and len(set(map(id, placed))) == 4
    assert all("_update_ticks" not in axis.__dict__ for axis in placed)  # nothing kept after the print
    placed.clear()
    fig.__class__ = PlainFigure
    plain = io.BytesIO()
    fig.savefig(plain, format="svg", bbox_inches="tight")
    assert len(placed) > 2 * 4 * 3  # matplotlib: anew for the label, the spine and the title too
    assert _same_ids(ours.getvalue()) == _same_ids(plain.getvalue())


def test_a_chart_given_a_layout_engine_places_its_ticks_as_matplotlib_does(monkeypatch):
    import matplotlib.axis

    placed = []
    real = matplotlib.axis.Axis._update_ticks
    monkeypatch.setattr(matplotlib.axis.Axis, "_update_ticks", lambda self: placed.append(self) or real(self))
    fig = charts.coefficients(CV)
    fig.set_layout_engine("constrained")  # it moves the axes while drawing: no placement is kept
    fig.savefig(io.BytesIO(), format="svg", bbox_inches="tight")
    assert len(placed) > 2 * 4 * 3
