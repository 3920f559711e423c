"""The package's SVG charts measure and shape each text once per process (issue #21).

`junheng.report.textcache` gives the SVG renderers of a chart caches of what matplotlib computes
for a text: these tests check that the SVG is the same to the byte, that a second print measures
and shapes nothing again, and that a change of font settings is never served a stale value. They
count calls; they never time anything.
"""

import io
import re

import matplotlib
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from test_chart_printing import CV  # the same coefficients chart

from junheng.report import charts, textcache

SUMMARY = pd.DataFrame(
    {
        "target_name": ["小学生均教学及辅助用房面积的校际差异系数降到0.50以下", "师生比"],
        "value_kind": ["number", "number"],
        "status": ["on_track", "missed"],
        "progress": [0.4, 0.1],
        "target": [0.5, 1.0],
        "baseline_value": [0.7, 0.2],
        "expected": [0.6, 0.9],
    }
)


def _same_ids(data: bytes) -> bytes:
    """SVG with its random clip-path and marker ids numbered in order, and no date."""
    ids = {}
    data = re.sub(rb"<dc:date>.*?</dc:date>", b"", data)
    return re.sub(rb"\b[pm][0-9a-f]{10}\b", lambda m: ids.setdefault(m.group(0), b"id%d" % len(ids)), data)


def _svg(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="svg", bbox_inches="tight", dpi=150)
    return _same_ids(out.getvalue())


def _charts():
    """A chart of bars and two panels, one of long wrapped (multi-line) Chinese labels and a legend."""
    return [charts.coefficients(CV), charts.targets(SUMMARY)]


@pytest.fixture
def empty_caches():
    textcache.clear()
    yield
    textcache.clear()


def test_the_svg_is_the_same_to_the_byte_with_the_caches(monkeypatch, empty_caches):
    without = []
    with monkeypatch.context() as m:
        m.setattr(textcache, "prepare", lambda renderer, fig: None)
        without = [_svg(fig) for fig in _charts()]
    first = [_svg(fig) for fig in _charts()]  # caches filled while printing
    again = [_svg(fig) for fig in _charts()]  # every text served from them
    assert first == without and again == without
    assert b"<svg" in without[0] and len(without) == 2


def test_a_second_print_measures_and_shapes_no_text_again(monkeypatch, empty_caches):
    measured, shaped = [], []
    real_measure, real_shape = TextToPath.get_text_width_height_descent, TextToPath.get_glyphs_with_font
    monkeypatch.setattr(
        TextToPath,
        "get_text_width_height_descent",
        lambda self, *a: measured.append(a[0]) or real_measure(self, *a),
    )
    monkeypatch.setattr(
        TextToPath,
        "get_glyphs_with_font",
        lambda self, *a, **k: shaped.append(a[1]) or real_shape(self, *a, **k),
    )
    _svg(charts.coefficients(CV))
    # each text measured once although the print lays the figure out twice (measure, then draw)
    assert measured and len(measured) == len(set(measured))
    assert "生均教学用房" in measured and "生均教学用房" in shaped
    measured.clear(), shaped.clear()
    _svg(charts.coefficients(CV))
    assert measured == [] and shaped == []


def test_a_font_setting_changed_between_prints_is_followed(empty_caches):
    # a generic family resolves through the settings: the same text and properties, another font
    prop = FontProperties(family="sans-serif", size=10)
    cached, plain = textcache.CachedTextToPath(), TextToPath()
    results = {}
    for fonts in (["DejaVu Sans"], [charts.use_cjk_in_matplotlib(), "DejaVu Sans"]):
        with matplotlib.rc_context({"font.sans-serif": fonts}):
            results[fonts[0]] = cached.get_text_width_height_descent("Limit 0.50", prop, False)
            assert results[fonts[0]] == plain.get_text_width_height_descent("Limit 0.50", prop, False)
    assert results["DejaVu Sans"] != results[charts.use_cjk_in_matplotlib()]
    assert len(textcache._metrics) == 2


def test_a_new_glyph_is_defined_once_per_svg_in_the_order_it_first_occurs(empty_caches):
    cached, plain = textcache.CachedTextToPath(), TextToPath()
    font = cached._get_font(FontProperties(family=charts.use_cjk_in_matplotlib()))
    seen = {}
    glyphs, new, rects = cached.get_glyphs_with_font(
        font, "师生比比", glyph_map=seen, return_new_glyphs_only=True
    )
    expected = plain.get_glyphs_with_font(font, "师生比比", glyph_map={}, return_new_glyphs_only=True)
    assert glyphs == expected[0] and list(new) == list(expected[1]) and rects == []
    assert len(new) == 3  # 师, 生, 比: the repeated 比 once
    seen.update(new)
    # a later text of the same SVG defines only its glyphs the SVG has not defined yet
    glyphs, new, _ = cached.get_glyphs_with_font(font, "生师比", glyph_map=seen, return_new_glyphs_only=True)
    assert len(glyphs) == 3 and list(new) == []
    glyphs, new, _ = cached.get_glyphs_with_font(font, "比例", glyph_map=seen, return_new_glyphs_only=True)
    assert [g[0] for g in glyphs][0] in seen and len(new) == 1
    # each glyph's outline is kept once, whichever texts it occurs in: 师, 生, 比, 例
    assert len(textcache._outlines) == 4 and len(textcache._shapes) == 3
    again = cached.get_glyphs_with_font(font, "生师比", glyph_map={}, return_new_glyphs_only=True)[1]
    assert all(again[glyph] is seen[glyph] for glyph in again)


def _layout(text, renderer):
    """``Text._get_layout`` with its boxes as numbers: the text's box, its lines and their sizes."""
    box, lines, corner = text._get_layout(renderer)
    return box.bounds, lines, corner


@pytest.mark.skipif(not textcache._HEIGHT_HOOK, reason="matplotlib measures line heights itself")
def test_line_metrics_are_those_matplotlib_reads_from_the_font(empty_caches):
    fig = Figure(dpi=72)
    text = fig.text(
        0.1, 0.5, "小学生均教学及辅助用房\n面积", fontsize=7.5, family=charts.use_cjk_in_matplotlib()
    )
    plain = RendererSVG(5, 5, io.StringIO())
    cached = RendererSVG(5, 5, io.StringIO())
    textcache.prepare(cached, fig)
    assert cached._get_font_height_metrics is not None and not hasattr(plain, "_get_font_height_metrics")
    assert _layout(text, cached) == _layout(text, plain)
    fig.dpi = 150  # another dpi: other metrics, not the cached ones
    assert _layout(text, cached) == _layout(text, plain)
    assert len(textcache._heights) == 2


def test_other_renderers_are_left_to_matplotlib():
    agg = RendererAgg(10, 10, 72)
    textcache.prepare(agg, Figure())
    assert agg._text2path is not textcache._TEXT_TO_PATH and not hasattr(agg, "_get_font_height_metrics")
