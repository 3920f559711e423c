"""The report's charts: functions that take the frames of a `County` and return a matplotlib Figure.

The figure is closed, so that only the returned figure is shown. Nothing here switches the backend:
in a notebook the figure displays inline (SVG for publishing and PNG for JupyterLab, which shows
no SVG in an untrusted notebook: ``%config InlineBackend.figure_formats = ["svg", "png"]``), in a
script it can be saved with ``fig.savefig``. Chinese labels render with no system font: importing
this module registers Noto Sans CJK SC with matplotlib, and every chart draws in its own house
style (`HouseFigure`) whatever the notebook sets; `set_theme` gives a researcher's seaborn charts
the same font. The charts are drawn with matplotlib alone (seaborn and scipy are imported only by
`set_theme`), and each is laid out once per image (`HouseFigure`, `junheng.report.inline`).
"""

from __future__ import annotations

import functools
import re
from contextlib import contextmanager

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from junheng.i18n import t
from junheng.report import handoff, inline, premade, textcache
from junheng.report.fonts import use_cjk_in_matplotlib

INK, MUTED, GRID = "#1f2a37", "#6b7280", "#e5e7eb"
BLUE, RED, GREEN, AMBER = "#2563eb", "#dc2626", "#059669", "#d97706"
STATUS_COLORS = {"pass": BLUE, "fail": RED, "borderline": AMBER}
WIDTH = 7.0  # inches: the text width of an A4 page

use_cjk_in_matplotlib()


def style() -> dict:
    """The house style of the report's charts (see `styled`).

    It names the CJK font itself, so that a researcher's ``sns.set_theme()`` (which resets the font
    list) cannot turn the package's Chinese labels into empty boxes; use ``with charts.styled():``
    around your own charts for the same.
    """
    family = use_cjk_in_matplotlib()
    return {
        # the families by name, not "sans-serif": a generic family is looked up in rcParams when the
        # figure is drawn (after the notebook may have changed them), a named one is not
        "font.family": [family, "DejaVu Sans"],
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 8.5,
        "axes.titlesize": 9.5,
        "axes.titlelocation": "left",
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "axes.labelsize": 8,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "xtick.labelsize": 7.5,
        "ytick.labelsize": 7.5,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": GRID,
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "legend.fontsize": 7,
        "svg.fonttype": "path",
        "figure.dpi": 100,
        "savefig.dpi": 200,
        "text.usetex": False,
        "text.parse_math": False,  # user text is literal: a county named "A$B" is no formula
    }


@contextmanager
def styled():
    """Apply the house style while a chart is drawn, then restore exactly those settings.

    (``plt.rc_context`` restores every setting, among them the interactive mode that the inline
    backend turns on when the first figure of a session is made: a researcher's own pyplot
    figures would then stop showing.)
    """
    changes = style()
    saved = {key: matplotlib.rcParams[key] for key in changes}
    matplotlib.rcParams.update(changes)
    try:
        yield
    finally:
        matplotlib.rcParams.update(saved)


def set_theme(*args, **kwargs) -> None:
    """Seaborn's ``sns.set_theme(...)`` (same arguments), with the reports' font for all text.

    A plain ``sns.set_theme()`` renders Chinese too: Noto Sans CJK SC is the fallback of every font
    a notebook chooses (`junheng.report.fonts.keep_cjk_fallback`), so Latin text is drawn in
    seaborn's font and Chinese in the CJK font. This one puts the CJK font first, so that Latin
    text and digits match the package's charts as well: ``charts.set_theme(style="ticks")``. A font
    named by the caller (``font="DejaVu Serif"``) stays first. The package's own charts keep their
    house style whatever the notebook sets.
    """
    import seaborn

    family = use_cjk_in_matplotlib()
    seaborn.set_theme(*args, **kwargs)
    rc = matplotlib.rcParams
    rc["font.sans-serif"] = [family, *[f for f in rc["font.sans-serif"] if f != family]]
    if rc["font.family"] != ["sans-serif"]:  # a font named by the caller comes first, CJK behind it
        rc["font.family"] = [*[f for f in rc["font.family"] if f != family], family]
    rc["axes.unicode_minus"] = False


def _literal(text) -> str:
    """User text shown as it is (the house style turns mathtext off: a '$' stays a '$')."""
    return str(text)


def _text_inches(text: str, size_pt: float) -> float:
    """The width of ``text`` at ``size_pt``: a Chinese character is about one em, Latin about 0.6."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in str(text)) * size_pt / 72


def _labels_inches(labels, size_pt: float = 7.5) -> float:
    return max((_text_inches(x, size_pt) for line in labels for x in str(line).split("\n")), default=0.0)


def _layout(
    fig, left: float, right: float = 0.15, top: float = 0.3, bottom: float = 0.35, wspace: float = 0.25
):
    """Margins in inches, set directly rather than by measuring the labels.

    Measuring the labels (as constrained layout does) costs a second drawing of every chart, about
    0.1 s each (measured); the labels' widths are known.
    """
    width, height = fig.get_size_inches()
    ncols = max(
        1,
        len(
            [
                ax
                for ax in fig.axes
                if ax.get_subplotspec() is not None and ax.get_subplotspec().rowspan.start == 0
            ]
        ),
    )
    panel = max(0.5, (width - left - right - wspace * (ncols - 1)) / ncols)
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=wspace / panel,
    )


# a label's pieces: a Chinese character, a word or number with its trailing space, or spaces
_PIECES = re.compile(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+\s*|\s+")
_NO_LINE_START = set("，。、；：！？）》」』”’%％")  # punctuation that never starts a line
_CJK = re.compile(r"[\u2e80-\uffff]")
_BREAK_AFTER = set("的于，、；：")  # a Chinese line breaks after these or before 不 (…占比 / 不低于城区学校)


def _soft_cut(line: str) -> int | None:
    """Where in a full line of Chinese to break instead of inside a word: after 的/于, before 不."""
    for i in range(len(line) - 1, len(line) // 2, -1):
        if line[i - 1] in _BREAK_AFTER or line[i] == "不":
            return i
    return None


def _wrap(text: str, width: float = 14) -> str:
    """Break a long label into lines of at most ``width`` em (a Chinese character is one em).

    Between words, or between Chinese characters, never inside a word or a number (8.5台 stays
    whole), and no line starts with a closing punctuation mark. A full line of Chinese breaks after
    的/于 or before 不 where its second half has one (…不低于 / 符合条件教师, …占比 / 不低于…), not
    inside a word (教 / 师).
    """
    lines, line = [], ""
    for piece in _PIECES.findall(str(text)):
        too_wide = _text_inches((line + piece).rstrip(), 72) > width  # at 72 pt an em is an inch
        if line.strip() and too_wide and piece[0] not in _NO_LINE_START:
            cut = _soft_cut(line) if _CJK.match(piece) and _CJK.match(line[-1]) else None
            lines.append(line[:cut].rstrip())
            line = line[cut:] + piece if cut else piece.lstrip()
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


class HouseFigure(Figure):
    """A chart of the package: drawn in the house style whenever and wherever it is drawn.

    In a notebook a figure is drawn after the cell's code has run (inline display), long after the
    ``styled()`` block that built it restored the researcher's settings; tick labels are even made
    while drawing. So the figure draws itself (and measures itself, for ``bbox_inches="tight"``) with
    the house style applied: a ``sns.set_theme()`` or any rcParams change in the notebook, before or
    after, cannot turn its Chinese into empty boxes.
    """

    def draw(self, renderer):  # noqa: D102 (matplotlib's)
        textcache.prepare(renderer, self)  # its text measured and shaped once per process
        if _dry_run(renderer) and self.get_layout_engine() is None:  # one a researcher set needs it
            return None
        with styled(), _ticks_placed_once(self):
            return super().draw(renderer)

    def get_tightbbox(self, renderer=None, *args, **kwargs):  # noqa: D102 (matplotlib's)
        if renderer is not None:
            textcache.prepare(renderer, self)
        with styled(), _ticks_placed_once(self):
            box = super().get_tightbbox(renderer, *args, **kwargs)
        inline.measured(self, box)  # the notebook's PNG of this figure is cut to the SVG's box
        return box

    def _repr_mimebundle_(self, include=None, exclude=None):
        """No data of its own (IPython's figure formatters draw it): its caption, as output metadata.

        The published report numbers every figure and writes this caption under it (图1 …).
        """
        caption = getattr(self, CAPTION_ATTR, "")
        return {}, ({"caption": caption} if caption else {})


@contextmanager
def _ticks_placed_once(fig):
    """Each axis of ``fig`` places its ticks once while the figure is measured or drawn.

    matplotlib places them (locator, formatter, each tick's position and label) about ten times an
    axis in one measurement or drawing: for the axis, its label's position, its spine's extent, the
    title's position, each time anew. Nothing moves in between (the figure is neither laid out nor
    resized during one pass; its margins are set beforehand, `_layout`), so the first placement is
    kept for the rest of the pass and forgotten after it: the next pass (the drawing after the
    measurement, in a box of another size) places them anew. A layout engine a researcher set moves
    the axes while drawing: such a figure is left as matplotlib draws it.
    """
    laid_out = fig.get_layout_engine() is not None
    axes = [] if laid_out else [axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)]
    for axis in axes:
        axis._update_ticks = functools.cache(axis._update_ticks)
    try:
        yield
    finally:
        for axis in axes:
            axis.__dict__.pop("_update_ticks", None)


def _dry_run(renderer) -> bool:
    """Whether ``renderer`` is in matplotlib's dry run before a ``bbox_inches="tight"`` print.

    ``savefig(bbox_inches="tight")`` lays the figure out once without drawing (``_draw_disabled``
    replaces the renderer's ``draw_*`` methods on the instance), then measures it, then draws it. A
    chart of the package has no layout engine (`_layout` sets its margins) and measures itself in
    full (`Figure.get_tightbbox` places titles, labels and legends), so the dry run changes nothing:
    skipped, the SVG and PNG come out identical (a test compares them), a third faster.
    """
    from matplotlib.backends.backend_mixed import MixedModeRenderer

    inner = renderer._renderer if isinstance(renderer, MixedModeRenderer) else renderer  # SVG, PDF
    return "draw_path" in getattr(inner, "__dict__", {})


inline.install(HouseFigure)  # in a kernel: one tight box for both inline images of a chart

CAPTION_ATTR = "junheng_caption"


def figure_caption(fig) -> str:
    """What a figure shows, in words: its title (suptitle, or the title of its only panel)."""
    if fig._suptitle is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    titled = [title for ax in fig.axes for loc in ("left", "center", "right") if (title := ax.get_title(loc))]
    return titled[0] if len(titled) == 1 else ""


def caption(fig, text: str):
    """Give a figure of your own its caption: the report prints it under the figure (图N　text).

    End the cell with it: ``charts.caption(fig, "各校生均面积")`` (a seaborn grid or an Axes will do for
    ``fig``). The figure is shown once, with its caption (output metadata ``caption``, as the
    package's charts carry theirs). Without it, a figure is captioned by its title
    (`figure_caption`); a figure with neither is published unnumbered and the render says so.
    """
    fig = getattr(fig, "figure", fig)  # a seaborn FacetGrid or an Axes: its figure
    plt.close(fig)  # shown by this, not once more by the inline backend at the end of the cell
    setattr(fig, CAPTION_ATTR, str(text))
    return fig


def _title_as_caption(fig) -> str:
    """The figure's title (`figure_caption`), taken out of the drawing and kept as its caption.

    The report prints it under the figure (图N　…), so the chart does not repeat it.
    """
    text = figure_caption(fig)
    if not text:
        return ""
    if fig._suptitle is not None and fig._suptitle.get_text() == text:
        fig._suptitle.set_text("")
    else:
        for ax in fig.axes:
            for loc in ("left", "center", "right"):
                if ax.get_title(loc) == text:
                    ax.set_title("", loc=loc)
    setattr(fig, CAPTION_ATTR, text)
    return text


def _caption_metadata(fig):
    """Any matplotlib figure's output metadata in a kernel: its caption, its own or its title's.

    Called when the figure is displayed (before it is drawn): a figure captioned by its title loses
    that title from the drawing (`_title_as_caption`), and the figure is closed, so that the inline
    backend does not show it a second time at the end of the cell (a cell ending in ``fig``: the
    report would publish it twice).
    """
    text = getattr(fig, CAPTION_ATTR, "") or _title_as_caption(fig)
    plt.close(fig)
    return {}, ({"caption": text} if text else {})


def install_captions(formatter=None) -> bool:
    """Every matplotlib figure a kernel displays carries its caption (see `caption`).

    ``formatter``: an IPython ``DisplayFormatter`` (default: the running kernel's, if any); returns
    whether there was one. Installed when this module is imported in a kernel.
    """
    if formatter is None:
        import sys

        ipython = sys.modules.get("IPython")  # never imported here: only a kernel has one running
        shell = ipython.get_ipython() if ipython is not None else None
        formatter = getattr(shell, "display_formatter", None)
    bundles = getattr(formatter, "mimebundle_formatter", None)
    if bundles is None:
        return False
    bundles.for_type(Figure, _caption_metadata)
    return True


def _done(fig, caption: str | None = None):
    """Close ``fig`` (only the returned figure shows) and give it the house style and its caption.

    The caption is ``caption`` or, if none is given, the figure's own title (`figure_caption`), then
    no longer drawn in the chart.
    """
    plt.close(fig)
    fig.__class__ = HouseFigure  # a Figure that draws in the house style
    if caption:
        setattr(fig, CAPTION_ATTR, caption)
    else:
        _title_as_caption(fig)
    return fig


install_captions()  # in a kernel: a researcher's figure is captioned by its title, or by `caption`


def _premade(chart):
    """In the kernel of `junheng report`: the chart its parent made and printed for the same call.

    `junheng.report.premade` returns the parent's figure of exactly this call (unpickled), with its
    SVG, which the kernel's printer serves while no artist has changed since; else (not written yet,
    other arguments or settings) the chart is made here. Anywhere else, the chart function itself.
    """

    @functools.wraps(chart)
    def premade_chart(*args, **kwargs):
        if not handoff.expected():
            return chart(*args, **kwargs)
        fig = premade.take(premade.call_digest(chart.__name__, args, kwargs))
        return chart(*args, **kwargs) if fig is None else fig

    return premade_chart


@_premade
def coefficients(cv: pd.DataFrame, lang: str = "zh"):
    """Horizontal bars: each coefficient of each section against its limit.

    Red over the limit, amber borderline.
    """
    sections = [s for s in ("primary", "junior") if s in set(cv["section"])]
    with styled():
        fig, axes = plt.subplots(
            1,
            max(1, len(sections)),
            figsize=(WIDTH, 0.3 * cv["indicator"].nunique() + 1.0),
            sharey=True,
        )
        for ax, section in zip(np.atleast_1d(axes), sections, strict=False):
            rows = cv[cv["section"] == section].iloc[::-1]
            values = rows["cv"].fillna(0).to_numpy(dtype=float)
            limits = rows["limit"].to_numpy(dtype=float) if "limit" in rows else np.full(len(rows), np.nan)
            borderline = (
                rows["borderline"].fillna(False).to_numpy(dtype=bool)
                if "borderline" in rows
                else np.zeros(len(rows), bool)
            )
            colors = [
                RED if (lim == lim and v > lim) else (AMBER if b else BLUE)
                for v, lim, b in zip(values, limits, borderline, strict=True)
            ]
            y = np.arange(len(rows))
            ax.barh(y, values, color=colors, height=0.62)
            for yi, v in zip(y, values, strict=True):
                ax.text(v + 0.006, yi, f"{v:.3f}", va="center", fontsize=7, color=INK)
            if np.isfinite(limits).any():
                # the limit line, labelled at its top (标准 0.50): a reader need not guess what it is
                limit = float(np.nanmax(limits))
                ax.axvline(limit, color=RED, linewidth=1, linestyle="--")
                ax.text(
                    limit,
                    1.0,
                    t("report.charts.limit_line", lang, limit=f"{limit:.2f}"),
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color=RED,
                    clip_on=False,
                )
            ax.set_yticks(y, [_literal(s) for s in rows["short"]])
            ax.set_title(t(f"report.section_names.{section}", lang))
            ax.set_xlim(0, max(0.6, float(np.nanmax(values)) * 1.25 if len(values) else 0.6))
            ax.grid(axis="y", visible=False)
        # panels far enough apart that the last tick label of one ("0.6") and the first of the
        # next ("0.0") do not run together ("0.60.0")
        _layout(fig, left=_labels_inches(cv["short"]) + 0.2, top=0.35, bottom=0.3, wspace=0.4)
    # no limit of each coefficient's own (jiben-2012 judges their composite, R): no "against their limits"
    judged = "limit" in cv and cv["limit"].notna().any()
    return _done(fig, t("report.charts.cv_title" if judged else "report.charts.cv_title_plain", lang))


def _jitter(codes: pd.Series, width: float = 0.28) -> np.ndarray:
    """A fixed vertical offset per school (the same in every run), to spread the dots of a row."""
    import zlib

    return np.array([(zlib.crc32(str(code).encode()) % 1000) / 1000 - 0.5 for code in codes]) * 2 * width


@_premade
def school_ratios(
    indicators: pd.DataFrame,
    schools: pd.DataFrame,
    section: str,
    lang: str = "zh",
    floor: float = 0.85,
    labelled: int = 12,
):
    """Every evaluated school's value of each indicator as a share of its threshold.

    Blue meets it; amber misses it while the school still passes the school rule (six of seven met,
    the other at 85% or more); red belongs to a school that fails the rule, named on the chart.
    """
    data = indicators[(indicators["section"] == section) & indicators["threshold"].notna()].copy()
    # each school's verdict by (code, section), looked up in a dict (not one pandas lookup per value)
    keys = zip(schools["school_code"], schools["section"], strict=True)
    passed = dict(zip(keys, schools["school_passed"], strict=True))
    data["school_passed"] = [bool(passed.get((code, section), True)) for code in data["school_code"]]
    data["share"] = data["ratio"] * 100
    order = list(dict.fromkeys(data["indicator"]))
    labels = {i: f"{i} {n}" for i, n in zip(data["indicator"], data["indicator_name"], strict=True)}
    data["row"] = data["indicator"].map({k: i for i, k in enumerate(order)})
    data["y"] = data["row"] + _jitter(data["school_code"])
    kinds = {
        "meets": (data["met"], BLUE, t("report.charts.meets", lang)),
        "below": (~data["met"] & data["school_passed"], AMBER, t("report.charts.below_passing", lang)),
        "failing": (~data["met"] & ~data["school_passed"], RED, t("report.charts.below_failing", lang)),
    }
    right = min(max(250.0, float(data["share"].quantile(0.97)) * 1.1 if len(data) else 250.0), 600)
    # a value over the axis cap is drawn at the right edge as a ▶ with its value beside it (it is
    # often the very outlier that drives a failing coefficient); the axis runs a little past the cap,
    # so that no point is cut in half by the edge
    clipped = data["share"] > right
    edge = right * 1.03
    with styled():
        fig, ax = plt.subplots(figsize=(WIDTH, 0.42 * len(order) + 1.2))
        for mask, color, label in kinds.values():
            if mask.any():
                ax.scatter(
                    data.loc[mask & ~clipped, "share"],
                    data.loc[mask & ~clipped, "y"],
                    s=12,
                    color=color,
                    linewidths=0,
                    alpha=0.85,
                    label=label,
                    zorder=3,
                )
            if (mask & clipped).any():
                ax.scatter(
                    np.full(int((mask & clipped).sum()), right),
                    data.loc[mask & clipped, "y"],
                    s=22,
                    marker=">",
                    color=color,
                    linewidths=0,
                    zorder=4,
                )
        ax.axvline(100, color=INK, linewidth=0.9)
        ax.axvline(floor * 100, color=MUTED, linewidth=0.8, linestyle="--")
        named = data[kinds["failing"][0]].sort_values("share").head(labelled)
        for r in named[named["share"] <= right].itertuples():
            ax.annotate(
                _literal(r.name),
                (r.share, r.y),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=6,
                color=RED,
                va="center",
            )
        # clipped values: the school and its value written to the left of its ▶, the labels of one
        # row spread apart so that none covers another
        failing = set(named.index)
        last = -np.inf
        for index, r in data[clipped].sort_values("y").iterrows():
            at = max(float(r["y"]), last + 0.24)
            last = at
            ax.annotate(
                f"{_literal(r['name'])} {r['share']:.0f}%",
                (right, r["y"]),
                xytext=(right * 0.98, at),
                textcoords="data",
                fontsize=6,
                color=RED if index in failing else INK,
                ha="right",
                va="center",
                annotation_clip=False,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
        ax.set_yticks(range(len(order)), [_literal(labels[i]) for i in order])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.set_xlim(0, edge)
        ax.set_xlabel(t("report.charts.ratio_axis", lang))
        ax.grid(axis="y", visible=False)
        # the legend above the plot, off the points; as many rows as its entries need
        left = _labels_inches(labels.values()) + 0.2
        entries = [label for mask, _, label in kinds.values() if mask.any()]
        panel = WIDTH - left - 0.2
        ncol = len(entries)
        while ncol > 1 and sum(_text_inches(e, 6.5) + 0.45 for e in entries[:ncol]) > panel:
            ncol -= 1
        rows = -(-len(entries) // max(1, ncol))
        if entries:
            ax.legend(
                loc="lower right",
                bbox_to_anchor=(1.0, 1.0),
                ncol=ncol,
                fontsize=6.5,
                borderaxespad=0.2,
                handletextpad=0.3,
                columnspacing=1.0,
            )
        _layout(fig, left=left, right=0.2, top=0.12 + 0.16 * rows, bottom=0.5)
    caption = t("report.charts.values_title", lang, section=t(f"report.section_names.{section}", lang))
    if clipped.any():
        caption += t("report.charts.clipped_note", lang, cap=f"{right:.0f}")
    return _done(fig, caption)


@_premade
def trends(history: pd.DataFrame, lang: str = "zh"):
    """Each coefficient over the years, per section, with its limit.

    Drawn with matplotlib alone (as seaborn's ``lineplot`` drew it: one line per indicator in the
    order of the data, tab10 colours, dots with a white edge, the legend beside the last panel), so
    a report never imports seaborn and scipy (about 1.6 s) unless the researcher does.
    """
    sections = [s for s in ("primary", "junior") if s in set(history["section"])]
    palette = matplotlib.colormaps["tab10"].colors
    with styled():
        fig, axes = plt.subplots(1, max(1, len(sections)), figsize=(WIDTH, 2.9), sharey=True)
        years = sorted(history["year"].unique())
        for ax, section in zip(np.atleast_1d(axes), sections, strict=False):
            rows = history[history["section"] == section]
            drawn = rows.dropna(subset=["year", "cv", "short"])
            lines = []
            # each indicator's mean per year, in one grouping (not one filtered copy per indicator)
            points: dict = {}
            for (short, year), cv in drawn.groupby(["short", "year"], sort=True)["cv"].mean().items():
                points.setdefault(short, []).append((year, cv))
            for k, short in enumerate(pd.unique(drawn["short"])):
                line = np.array(points[short], dtype=float)
                lines += ax.plot(
                    line[:, 0],
                    line[:, 1],
                    color=palette[k % len(palette)],
                    marker="o",
                    markersize=4,
                    linewidth=1.2,
                    markeredgewidth=0.75,
                    markeredgecolor="w",
                    label=_literal(short),
                )
            if ax is np.atleast_1d(axes)[-1] and lines:
                ax.legend(
                    handles=lines, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=6.5, frameon=False
                )
            if "limit" in rows and rows["limit"].notna().any():
                ax.axhline(rows["limit"].max(), color=RED, linewidth=1, linestyle="--")
            ax.set_xticks(years, [str(y) for y in years])
            ax.set_title(
                t("report.charts.trend_title", lang, section=t(f"report.section_names.{section}", lang))
            )
            ax.set_xlabel("")
            # the axis title only beside the panel that shows its tick labels (the first: sharey)
            ax.set_ylabel(t("report.col.cv", lang), visible=ax is np.atleast_1d(axes)[0])
            ax.set_ylim(bottom=0)
        legend = _labels_inches(history["short"].unique(), 6.5) + 0.45
        _layout(fig, left=0.55, right=legend, top=0.3, bottom=0.3, wspace=0.1)
    return _done(fig, t("report.charts.trends_caption", lang))


@_premade
def theil(decomposition: pd.DataFrame, lang: str = "zh"):
    """Theil T split into the gaps within and between urban, town and rural schools, on one scale."""
    d = decomposition[decomposition["by"] == "location"]
    sections = [s for s in ("primary", "junior") if s in set(d["section"])]
    with styled():
        fig, axes = plt.subplots(
            1,
            max(1, len(sections)),
            figsize=(WIDTH, 0.3 * d["indicator"].nunique() + 1.2),
            sharey=True,
            sharex=True,
        )
        for ax, section in zip(np.atleast_1d(axes), sections, strict=False):
            rows = d[d["section"] == section].sort_values("indicator").iloc[::-1]
            y = np.arange(len(rows))
            ax.barh(y, rows["theil_within"], color=BLUE, height=0.62, label=t("report.charts.within", lang))
            ax.barh(
                y,
                rows["theil_between"],
                left=rows["theil_within"],
                color=AMBER,
                height=0.62,
                label=t("report.charts.between", lang),
            )
            ax.set_yticks(y, [_literal(s) for s in rows["short"]])
            ax.set_title(t(f"report.section_names.{section}", lang))
            ax.grid(axis="y", visible=False)
        np.atleast_1d(axes)[-1].legend(fontsize=7, loc="lower right")
        # no suptitle: the report prints the caption under the chart (图N …)
        _layout(fig, left=_labels_inches(d["short"]) + 0.2, top=0.3, bottom=0.3, wspace=0.15)
    return _done(fig, t("report.charts.theil_title", lang))


# The heatmap's colour classes: a coefficient that meets its limit is never coloured like one that
# does not (green to amber below the limit, red over it); the near-miss over it is told apart.
HEAT_CLASSES = (
    ("low", "#b7e1b0"),  # meets it, under half the limit
    ("mid", "#e3f2c6"),  # meets it, 50-80% of the limit
    ("near", "#fbd982"),  # meets it, 80% of the limit or more (a borderline one: *)
    ("slight", "#f6a38e"),  # over the limit by 10% or less: a near-miss
    ("over", "#d9534f"),  # over the limit by more than 10%
    ("none", "#e5e7eb"),  # no limit or no value
)


def heat_class(cv, limit, passed) -> str:
    """The colour class of one coefficient of the province heatmap (`HEAT_CLASSES`).

    By whether it meets its limit (``passed``, the evaluation's verdict, rounding rules included),
    then by its share of the limit.
    """
    if cv is None or cv != cv or limit is None or limit != limit or not limit:
        return "none"
    ratio = cv / limit
    if passed is None or passed != passed:
        passed = ratio <= 1
    if bool(passed):
        return "low" if ratio < 0.5 else "mid" if ratio < 0.8 else "near"
    return "slight" if ratio <= 1.1 else "over"


def province_heatmap(coefficients: pd.DataFrame, year: int, names: dict, lang: str = "zh"):
    """Each county's coefficients of one year, as a heatmap.

    Written with three decimals (more where rounding would cross the limit) and coloured by
    `heat_class`: green to amber while a coefficient meets
    its limit, red over it (light red within 10% of it: a near-miss), ▲ over the limit, * a
    borderline value; the year in the caption (图N　…, under the chart: no title in it repeats it),
    each section's limit over its panel, the colour key below. ``names`` labels the counties
    (`Province.labels`).
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    from junheng.report import format as fmt

    cv = coefficients[coefficients["year"] == year]
    sections = [s for s in ("primary", "junior") if s in set(cv["section"])]
    n = cv["county_code"].nunique()
    classes = [c for c, _ in HEAT_CLASSES]
    cmap = ListedColormap([colour for _, colour in HEAT_CLASSES])
    norm = BoundaryNorm(np.arange(len(classes) + 1) - 0.5, len(classes))
    seen = set()
    with styled():
        fig, axes = plt.subplots(1, max(1, len(sections)), figsize=(WIDTH, 0.29 * n + 2.6), sharey=True)
        for ax, section in zip(np.atleast_1d(axes), sections, strict=False):
            rows = cv[cv["section"] == section].copy()
            for column in ("limit", "passed", "borderline"):
                if column not in rows:
                    rows[column] = None
            order = list(dict.fromkeys(rows.sort_values("indicator")["short"]))
            counties = sorted(rows["county_code"].unique())
            cells = {(r["county_code"], r["short"]): r for r in rows.to_dict("records")}
            grid = np.full((len(counties), len(order)), classes.index("none"))
            for i, code in enumerate(counties):
                for j, short in enumerate(order):
                    r = cells.get((code, short))
                    value = None if r is None or fmt.is_missing(r["cv"]) else float(r["cv"])
                    limit = None if r is None or fmt.is_missing(r["limit"]) else float(r["limit"])
                    passed = None if r is None or fmt.is_missing(r["passed"]) else bool(r["passed"])
                    kind = heat_class(value, limit, passed)
                    seen.add(kind)
                    grid[i, j] = classes.index(kind)
                    if value is None:
                        label = fmt.MISSING
                    else:
                        label = fmt.coefficient_against(value, limit) if limit else fmt.coefficient(value)
                        label += "▲" if kind in ("slight", "over") else ""
                        label += (
                            "*"
                            if r is not None and not fmt.is_missing(r["borderline"]) and bool(r["borderline"])
                            else ""
                        )
                    ax.text(
                        j,
                        i,
                        label,
                        ha="center",
                        va="center",
                        fontsize=6.2,
                        color="white" if kind == "over" else INK,
                    )
            ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
            ax.set_xticks(range(len(order)), [_literal(o) for o in order], rotation=45, ha="right")
            ax.set_yticks(range(len(counties)), [_literal(names.get(c, c)) for c in counties])
            # white lines between the cells
            ax.set_xticks(np.arange(len(order) + 1) - 0.5, minor=True)
            ax.set_yticks(np.arange(len(counties) + 1) - 0.5, minor=True)
            ax.grid(which="minor", color="white", linewidth=0.8)
            ax.grid(which="major", visible=False)
            ax.tick_params(which="minor", length=0)
            section_name = t(f"report.section_names.{section}", lang)
            limits = rows["limit"].dropna().unique()
            ax.set_title(
                t("report.province.heat_panel", lang, section=section_name, limit=f"{limits[0]:.2f}")
                if len(limits) == 1
                else section_name
            )
        rotated = _labels_inches(cv["short"].unique()) * 0.72 + 0.15  # labels at 45°
        left = _labels_inches([names.get(c, c) for c in cv["county_code"].unique()]) + 0.2
        _layout(fig, left=left, top=0.3, bottom=rotated + 0.8, wspace=0.1)
        # the colour key: every class that means something, in order, whether or not it occurs
        shown = [(c, colour) for c, colour in HEAT_CLASSES if c != "none" or "none" in seen]
        handles = [
            Patch(facecolor=colour, edgecolor=GRID, label=t(f"report.province.heat_classes.{c}", lang))
            for c, colour in shown
        ]
        width, height = fig.get_size_inches()
        fig.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(left / width, 0.05 / height),
            ncol=3,
            fontsize=6.8,
            frameon=False,
            handlelength=1.4,
            columnspacing=1.2,
            title=t("report.province.heat_axis", lang),
            title_fontsize=7,
            alignment="left",
        )
    return _done(fig, t("report.province.heatmap", lang, year=year))


def province_verdicts(verdicts: pd.DataFrame, lang: str = "zh"):
    """How many counties reached, did not reach, could not be judged, each year.

    Stacked bars with each count written on its segment, the years in the caption (under the chart,
    not repeated in it), the axis in counties (个).
    """
    from matplotlib.ticker import MaxNLocator

    counts = verdicts.groupby("year")["status"].value_counts().unstack(fill_value=0)
    colors = {"passed": GREEN, "failed": RED, "incomplete": AMBER, "invalid": MUTED}
    years = [int(y) for y in counts.index]
    dash = "—" if lang == "zh" else "–"
    span = f"{years[0]}{dash}{years[-1]}" if len(years) > 1 else str(years[0]) if years else ""
    with styled():
        fig, ax = plt.subplots(figsize=(WIDTH, 2.8))
        bottom = np.zeros(len(counts))
        labels = []
        for status in ("passed", "failed", "incomplete", "invalid"):
            if status in counts:
                heights = counts[status].to_numpy()
                bars = ax.bar(
                    counts.index.astype(str),
                    heights,
                    bottom=bottom,
                    color=colors[status],
                    label=t(f"verdict.{status}", lang),
                )
                ax.bar_label(
                    bars,
                    labels=[str(int(h)) if h else "" for h in heights],
                    label_type="center",
                    fontsize=7.5,
                    color="white",
                    fontweight="bold",
                )
                labels.append(t(f"verdict.{status}", lang))
                bottom += heights
        ax.set_ylabel(t("report.province.verdicts_axis", lang))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.grid(axis="x", visible=False)
        legend = _labels_inches(labels, 7) + 0.45
        _layout(fig, left=0.6, right=legend, top=0.15, bottom=0.3)
    return _done(fig, t("report.province.verdicts_title", lang, span=span))


TARGET_COLORS = {
    "met": GREEN,
    "on_track": BLUE,
    "off_track": AMBER,
    "missed": RED,
    "not_due": MUTED,
    "no_data": GRID,
}


@_premade
def targets(summary: pd.DataFrame, lang: str = "zh"):
    """Each plan target's progress from its baseline to its target value (100% = reached).

    With the progress its trajectory expects by now; coloured by status.
    """
    data = summary[summary["value_kind"] != "yesno"].copy()
    met = data["status"] == "met"
    data.loc[met, "progress"] = data.loc[met, "progress"].fillna(1.0).clip(lower=1.0)
    data["progress"] = data["progress"].fillna(0.0)
    expected = []
    for r in data.itertuples():
        span = r.target - r.baseline_value if not pd.isna(r.baseline_value) else np.nan
        expected.append(
            (r.expected - r.baseline_value) / span if span and not pd.isna(r.expected) else np.nan
        )
    data["expected_progress"] = expected
    names = [_wrap(n, 16) for n in data["target_name"]]
    # each row as tall as its label's lines (7.5 pt, about 0.14 in a line), at least 0.5 in
    row = max([0.5, *(0.14 * (n.count("\n") + 1) + 0.16 for n in names)])
    with styled():
        fig, ax = plt.subplots(figsize=(WIDTH, row * len(data) + 1.3))
        y = np.arange(len(data))
        colors = [TARGET_COLORS.get(s, MUTED) for s in data["status"]]
        widths = (data["progress"].clip(lower=0, upper=1.2) * 100).to_numpy()
        ax.barh(y, widths, color=colors, height=0.6)
        for yi, width, progress, color in zip(y, widths, data["progress"], colors, strict=True):
            # the progress at the bar's end: a bar at 0 is seen as "0%", not as nothing
            ax.text(width + 1, yi, f"{progress * 100:.0f}%", va="center", fontsize=6.5, color=color)
        marks = data["expected_progress"].to_numpy(dtype=float) * 100
        ax.scatter(marks, y, marker="|", s=160, color=INK, zorder=3, label=t("report.charts.expected", lang))
        ax.axvline(100, color=INK, linewidth=0.8, linestyle="--")
        ax.set_yticks(y, [_literal(n) for n in names])
        ax.set_ylim(len(data) - 0.5, -0.5)
        ax.set_xlim(0, 125)
        ax.set_xlabel(t("report.charts.progress_axis", lang))
        ax.grid(axis="y", visible=False)
        handles = [
            plt.Rectangle((0, 0), 1, 1, color=TARGET_COLORS[s])
            for s in TARGET_COLORS
            if s in set(data["status"])
        ]
        labels = [t(f"targets.status.{s}", lang) for s in TARGET_COLORS if s in set(data["status"])]
        fig.legend(
            handles + [ax.collections[-1]],
            labels + [t("report.charts.expected", lang)],
            loc="lower center",
            ncol=5,
            fontsize=6.5,
        )
        _layout(fig, left=_labels_inches(names) + 0.2, top=0.15, bottom=0.8)
    return _done(fig, t("report.charts.targets_title", lang))


@_premade
def gap(gap_rows: pd.DataFrame, year: int, lang: str = "zh"):
    """Rural (and town) schools' means as a share of urban schools', per indicator and section.

    Of town schools' where a section has no urban school (its panel title and legend say so, and so
    does the caption); 100% = no gap. Each panel's legend names every series it draws.
    """
    rows = gap_rows[gap_rows["year"] == year]
    sections = [s for s in ("primary", "junior") if s in set(rows["section"])]
    no_urban = []
    with styled():
        fig, axes = plt.subplots(
            1,
            max(1, len(sections)),
            figsize=(WIDTH, 0.3 * rows["indicator"].nunique() + 1.3),
            sharey=True,
            sharex=True,
        )
        for ax, section in zip(np.atleast_1d(axes), sections, strict=False):
            mine = rows[rows["section"] == section].sort_values("indicator")
            y = np.arange(len(mine))
            urban = mine["ratio_rural_urban"].notna().any()
            rural = mine["ratio_rural_urban"] if urban else mine["ratio_rural_other"]
            rural_label = t("report.charts.rural_vs" if urban else "report.charts.rural_vs_town", lang)
            ax.scatter(rural * 100, y, color=RED, s=18, zorder=3, label=rural_label)
            if urban and mine["ratio_town_urban"].notna().any():
                ax.scatter(
                    mine["ratio_town_urban"] * 100,
                    y,
                    color=AMBER,
                    s=18,
                    zorder=3,
                    label=t("report.charts.town_vs", lang),
                )
            ax.axvline(100, color=INK, linewidth=0.9)
            ax.set_yticks(y, [_literal(s) for s in mine["short"]])
            ax.set_ylim(len(mine) - 0.5, -0.5)
            title = t(f"report.section_names.{section}", lang)
            ax.set_title(title if urban else t("report.charts.no_urban", lang, section=title))
            if not urban:
                no_urban.append(title)
            ax.grid(axis="y", visible=False)
            # each panel's own legend, below it (off the points)
            ax.legend(
                loc="upper left",
                ncol=2,
                fontsize=6.5,
                borderaxespad=0.0,
                handletextpad=0.3,
            )
        fig.supxlabel(t("report.charts.gap_axis", lang), fontsize=8, y=0.02, color=INK)
        _layout(fig, left=_labels_inches(rows["short"]) + 0.2, top=0.3, bottom=0.62, wspace=0.15)
        # the legends just under each panel's tick labels
        height = fig.get_size_inches()[1]
        for ax in np.atleast_1d(axes)[: len(sections)]:
            box = ax.get_position()
            ax.get_legend().set_bbox_to_anchor((box.x0, box.y0 - 0.22 / height), transform=fig.transFigure)
    if not no_urban:
        caption = t("report.charts.gap_caption", lang, year=year)
    elif len(no_urban) == len(sections):
        caption = t("report.charts.gap_caption_no_urban", lang, year=year)
    else:
        sep = t("report.words.list_sep", lang)
        caption = t("report.charts.gap_caption_mixed", lang, year=year, sections=sep.join(no_urban))
    return _done(fig, caption)
