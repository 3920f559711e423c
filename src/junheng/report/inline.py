"""One measurement for both inline images of a package chart in a notebook (SVG and PNG).

The report notebook asks the inline backend for every chart as SVG (what is published) and as PNG
(what JupyterLab shows in an untrusted notebook, what Word gets), each with ``bbox_inches="tight"``:
matplotlib then lays the whole figure out once more per format only to measure it. For the charts
of `junheng.report.charts`, the PNG is cut to the box the SVG of the same display has just measured
(one layout less per chart; the SVG is made exactly as before). Every other figure, and a PNG
shown without an SVG before it, is printed as the inline backend prints it. In the kernel of
`junheng report`, the SVG of a package chart its parent printed already is taken as it is
(`junheng.report.premade`); its PNG is then printed in full.
"""

from __future__ import annotations

import functools
import sys

_BOX = "_junheng_tight_box"  # attributes of a figure: the box its SVG measured, and when
_RECORDING = "_junheng_recording"
_calls = [0]  # printer calls of this process: the PNG uses a box measured by the call just before


def install(figure_class, formatters: dict | None = None) -> bool:
    """Print ``figure_class`` figures through `_svg` and `_png` in a running IPython kernel.

    Both delegate to whatever the inline backend registered for matplotlib figures when they are
    called (``%config InlineBackend.figure_formats`` may change it at any time). ``formatters``: the
    kernel's display formatters by MIME type (default: those of the running IPython, if any).
    Returns whether they were found.
    """
    if formatters is None:
        ipython = sys.modules.get("IPython")  # never imported here: only a kernel has one running
        shell = ipython.get_ipython() if ipython is not None else None
        formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None) or {}
    svg, png = formatters.get("image/svg+xml"), formatters.get("image/png")
    if svg is None or png is None:
        return False
    svg.for_type(figure_class, functools.partial(_svg, svg, png))
    png.for_type(figure_class, functools.partial(_png, png))
    return True


def measured(fig, box) -> None:
    """Called with the tight box a figure measured (`HouseFigure.get_tightbbox`): kept for its PNG."""
    if getattr(fig, _RECORDING, False):
        setattr(fig, _BOX, (box, _calls[0]))


def _printer(formatter):
    """The inline backend's printer for matplotlib figures in this format (None: not shown)."""
    from matplotlib.figure import Figure

    try:
        return formatter.lookup_by_type(Figure)
    except KeyError:
        return None


def _svg(svg, png, fig):
    _calls[0] += 1
    fig.__dict__.pop(_BOX, None)
    base = _printer(svg)
    if base is None:
        return None
    from junheng.report.premade import printed

    ready = printed(fig, "svg", base)  # printed by `junheng report` while the kernel ran
    if ready is not None:
        return ready
    setattr(fig, _RECORDING, _printer(png) is not None)
    try:
        return base(fig)
    finally:
        fig.__dict__.pop(_RECORDING, None)


def _png(png, fig):
    _calls[0] += 1
    box, call = fig.__dict__.pop(_BOX, (None, None))
    base = _printer(png)
    if base is None:
        return None
    if (
        box is None
        or call != _calls[0] - 1
        or not isinstance(base, functools.partial)
        or base.keywords.get("bbox_inches", "tight") != "tight"
    ):
        return base(fig)
    from matplotlib import rcParams

    pad = base.keywords.get("pad_inches")
    pad = rcParams["savefig.pad_inches"] if pad in (None, "layout") else pad
    # matplotlib pads the measured box itself for "tight"; a given box is used as it is
    return base.func(*base.args, fig, **{**base.keywords, "bbox_inches": box.padded(pad)})
