"""Text of the package's SVG charts measured and shaped once per process, not once per print.

matplotlib measures and shapes every label anew for each renderer, and a ``bbox_inches="tight"``
print makes two (one to measure the figure, one to draw it): each tick label, title and legend
entry of a chart is measured twice, each label set in Noto Sans CJK is shaped again by libraqm,
and each text's font is looked up again and its line-height tables read from the font file (issue
#21: about a third of printing a report's charts). What it computes depends only on the text, its
font properties, the font settings and the figure's dpi, so `prepare` gives the SVG renderers of a
chart (`junheng.report.charts.HouseFigure`) caches shared by the process:

- a text's width, height and descent (``TextToPath.get_text_width_height_descent``);
- the glyphs a text is shaped into and their outlines (``TextToPath.get_glyphs_with_font``);
- a font's ascent, descent and line gap at a size, read from its OS/2 or hhea table (matplotlib
  3.11's ``_get_font_height_metrics`` hook of ``Text._get_layout``, with its own formula: other
  versions compute it themselves).

Every cached value is what matplotlib computes, from the same calls, so the SVG is the same to
the byte (`tests/test_chart_textcache.py`). Math text and TeX, other renderers (the PNG's Agg) and
other figures are left to matplotlib.
"""

from __future__ import annotations

import functools
import os
from collections import OrderedDict

import matplotlib
from matplotlib.font_manager import fontManager, get_font
from matplotlib.textpath import TextToPath

_SVG = ("matplotlib.backends.backend_svg", "RendererSVG")
_SIZE = 4096  # texts kept per cache: a report has a few hundred; a batch worker's reports share them
_FONT_KEYS = ("family", "style", "variant", "weight", "stretch", "size")
_FONT_LISTS = ("serif", "sans-serif", "cursive", "fantasy", "monospace")
# Text._get_layout asks the renderer for a font's line metrics, in this formula, from 3.11 on
_HEIGHT_HOOK = tuple(int(part) for part in matplotlib.__version__.split(".")[:2]) == (3, 11)


def _font_key(prop) -> tuple:
    """What decides the font files of ``prop``: its properties and the font settings they fall back to.

    The settings `matplotlib.font_manager.FontManager.findfont` reads, the fonts registered so far
    (a font added later may match better) and its one environment variable.
    """
    rc = matplotlib.rcParams
    return (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_size_in_points(),
        prop.get_file(),
        prop.get_math_fontfamily(),
        *(rc[f"font.{key}"] if key != "family" else tuple(rc["font.family"]) for key in _FONT_KEYS),
        *(tuple(rc[f"font.{key}"]) for key in _FONT_LISTS),
        id(fontManager),
        len(fontManager.ttflist),
        os.getenv("MPL_IGNORE_SYSTEM_FONTS"),
    )


class _Cache(OrderedDict):
    """A dict that keeps the ``_SIZE`` most recently used entries."""

    def get_or(self, key, compute):
        try:
            value = self[key]
        except KeyError:
            value = self[key] = compute()
            if len(self) > _SIZE:
                self.popitem(last=False)
        else:
            self.move_to_end(key)
        return value


_metrics = _Cache()
_shapes = _Cache()
_heights = _Cache()
_outlines: dict = {}  # (font, glyph): its outline; as many as the glyphs the charts have shown


class CachedTextToPath(TextToPath):
    """matplotlib's text-to-path converter, remembering the texts it measured and shaped."""

    def get_text_width_height_descent(self, s, prop, ismath):  # noqa: D102 (matplotlib's)
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, _font_key(prop))
        return _metrics.get_or(
            key, lambda: super(CachedTextToPath, self).get_text_width_height_descent(s, prop, ismath)
        )

    def get_glyphs_with_font(self, font, s, glyph_map=None, return_new_glyphs_only=False, **kwargs):  # noqa: D102
        key = (font, s, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:  # a font feature given as a list
            return super().get_glyphs_with_font(font, s, glyph_map, return_new_glyphs_only, **kwargs)
        # the font's size is set by `_get_font` before every call (TextToPath.FONT_SCALE, DPI)
        glyphs, outlines = _shapes.get_or(key, lambda: self._shape(font, s, kwargs))
        if glyph_map is None:
            glyph_map = OrderedDict()
        new = OrderedDict() if return_new_glyphs_only else glyph_map
        for glyph in glyphs:  # as matplotlib: the new glyphs in the order they first occur
            if glyph[0] not in glyph_map:
                new[glyph[0]] = outlines[glyph[0]]
        return list(glyphs), new, []

    def _shape(self, font, s, kwargs):
        glyphs, outlines, rects = super().get_glyphs_with_font(font, s, **kwargs)
        kept = {}
        for glyph, outline in outlines.items():  # each glyph's outline kept once, whatever its texts
            kept[glyph] = _outlines.setdefault((font, glyph), outline)
            for array in outline:  # shared by every later SVG: never to be changed
                array.flags.writeable = False
        return tuple(glyphs), kept


_TEXT_TO_PATH = CachedTextToPath()


def _height_metrics(fig, prop):
    """``Text._get_layout``'s line metrics of ``prop`` (matplotlib 3.11), at ``fig``'s dpi."""
    dpi = fig.dpi
    return _heights.get_or((_font_key(prop), dpi), lambda: _read_height_metrics(prop, dpi))


def _read_height_metrics(prop, dpi):
    font = get_font(fontManager._find_fonts_by_props(prop))
    possible = [
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ]
    for table_name, linegap_key, ascent_key, descent_key in possible:
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[linegap_key] * scale
    return None, None, None  # matplotlib measures the font itself


def prepare(renderer, fig) -> None:
    """Give ``renderer`` the process's caches if it prints ``fig`` as SVG (else leave it alone).

    ``fig``: the figure it draws (the line metrics depend on its dpi while it is drawn).
    """
    inner = getattr(renderer, "_renderer", renderer)  # a vector renderer inside a MixedModeRenderer
    kind = type(inner)  # matplotlib's SVG renderer itself (the module is imported by printing SVG)
    if (kind.__module__, kind.__qualname__) != _SVG or inner.__dict__.get("_text2path") is _TEXT_TO_PATH:
        return
    inner._text2path = _TEXT_TO_PATH
    if _HEIGHT_HOOK:
        inner._get_font_height_metrics = functools.partial(_height_metrics, fig)


def clear() -> None:
    """Forget every cached text (a font file changed on disk)."""
    for cache in (_metrics, _shapes, _heights, _outlines):
        cache.clear()
