"""The package's charts made and printed by `junheng report` while its kernel runs the notebook (issue #21).

Making and printing the charts (SVG) was two fifths of the kernel's work on a report, while the
process running `junheng report` only waits for the kernel. Once the hand-off's thread
(`junheng.report.handoff`) has made the County, it makes each chart the bundled notebook shows
(`bundled_calls`), pickles the figure as made, prints it as the kernel's inline backend would
(IPython's ``print_figure`` with `PRINT_KWARGS`, what the notebook sets with ``%config
InlineBackend.print_figure_kwargs``) and writes both into the hand-off's folder, named by a digest of
the chart call (`call_digest`: junheng's code, the library versions, the chart function and the
content of its arguments, the matplotlib settings and the fonts matplotlib knows).

In the kernel a chart function of `junheng.report.charts` looks for the file of its own call: found,
it returns the parent's figure (`take`: unpickled, with the canvas and manager pyplot gives a figure)
instead of making it again; otherwise (not written yet: never waited for; other arguments, settings
or code) it makes the figure as always. The kernel's SVG printer (`junheng.report.inline`) returns the
parent's SVG (`printed`) only when no artist of the process has changed since the figure was taken
(every setter of an artist marks it stale: `_watch` counts them), the printer is IPython's
``print_figure`` with the same arguments, and the settings and fonts are still those of the parent's
print; otherwise it prints the figure as always. Without the hand-off (JupyterLab, papermill, a
batch worker's kernel) nothing here runs.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path

FOLDER = "charts"  # in the hand-off's folder: one file per chart call
PRINT_KWARGS = {"bbox_inches": "tight", "dpi": 150}  # the bundled notebook's print_figure_kwargs
# settings that decide neither how a figure is made nor how it is printed (the kernel's inline
# backend turns interactive mode on and names itself as the backend)
IGNORED_RC = frozenset({"backend", "backend_fallback", "interactive"})
_PRINTED = "_junheng_premade"  # attribute of a figure: what the parent printed of its call
_PRINTER = ("IPython.core.pylabtools", "print_figure")


class _ContentPickler(pickle.Pickler):
    """A pickler writing content only: no memo (shared objects written again), masked dtypes by class."""

    def reducer_override(self, obj):  # noqa: D102 (pickle's)
        from pandas.core.dtypes.dtypes import BaseMaskedDtype

        if isinstance(obj, BaseMaskedDtype):  # Int64Dtype() etc.: no parameters; their caches vary
            return type(obj), ()
        return NotImplemented


def _pickled(obj) -> bytes:
    """``obj`` pickled by its content only (`_ContentPickler`).

    Equal bytes mean equal content; the same content may still pickle differently (a set of
    strings, another block layout), which only means a chart the kernel prints itself.
    """
    out = io.BytesIO()
    pickler = _ContentPickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: the bytes do not depend on which objects are shared
    pickler.dump(obj)
    return out.getvalue()


def state() -> bytes:
    """What decides a figure's SVG besides the figure: the settings, the fonts, the library versions."""
    import IPython
    import matplotlib
    from matplotlib.font_manager import fontManager

    from junheng.report.handoff import identity

    rc = sorted((k, repr(v)) for k, v in matplotlib.rcParams.items() if k not in IGNORED_RC)
    fonts = [(f.fname, f.name, f.style, f.variant, f.weight, f.stretch) for f in fontManager.ttflist]
    versions = (matplotlib.__version__, IPython.__version__, identity())
    return hashlib.sha256(repr((rc, fonts, os.getenv("SOURCE_DATE_EPOCH"), versions)).encode()).digest()


def call_digest(name: str, args: tuple, kwargs: dict) -> str | None:
    """The digest naming the file of chart function ``name`` called with ``args``, ``kwargs`` (None: none)."""
    try:
        call = _pickled((name, args, sorted(kwargs.items())))
    except Exception:  # noqa: BLE001 - arguments that do not pickle: the kernel prints the chart
        return None
    return hashlib.sha256(call + state()).hexdigest()


def folder() -> Path | None:
    """The kernel's folder of printed charts (None in any other process)."""
    from junheng.report.handoff import ENV

    source = os.environ.get(ENV)
    return Path(source).with_name(FOLDER) if source else None


def take(digest: str | None):
    """In the kernel: the figure the parent made for the call of ``digest`` with its SVG, or None.

    Unpickled, given the canvas and manager pyplot gives a figure it makes (not shown by pyplot: a
    chart is closed), and marked as drawn (``stale`` False, as printing leaves a figure). None when
    the parent has not written it (yet), or it does not read: the chart function then makes it.
    """
    where = folder()
    if digest is None or where is None:
        return None
    try:
        with open(where / f"{digest}.pickle", "rb") as f:
            held = pickle.load(f)
        fig = pickle.loads(held.pop("figure"))
        _as_pyplot_makes_it(fig)
    except Exception:  # noqa: BLE001 - not written (yet), or unreadable: the kernel makes it
        return None
    _watch()
    fig.stale = False
    held["changes"] = _changes[0]  # any change to an artist from now on: printed by the kernel
    setattr(fig, _PRINTED, held)
    return fig


def _as_pyplot_makes_it(fig) -> None:
    """Give an unpickled figure the canvas and manager of a figure made by pyplot, then closed."""
    import matplotlib.pyplot as plt

    number = max(plt.get_fignums(), default=0) + 1  # as pyplot numbers a new figure (and unpickling)
    plt._get_backend_mod().new_figure_manager_given_figure(number, fig)


_changes = [0]  # how often an artist of this process was changed (marked stale) since `_watch`


def _watch() -> None:
    """Count every change to any artist of this process (matplotlib marks a changed artist stale).

    Every setter of an artist marks it stale, whatever figure it is in: a figure is served the
    parent's image only if no artist changed between its `take` and its printing (a chart shown
    right after it is made, as the report shows them), tick labels and artists added since included.
    """
    from matplotlib.artist import Artist

    stale = Artist.stale
    if getattr(stale.fset, "_junheng_counting", False):
        return

    def counting(self, value):
        if value:
            _changes[0] += 1
        stale.fset(self, value)

    counting._junheng_counting = True
    Artist.stale = property(stale.fget, counting, stale.fdel, stale.__doc__)


def printed(fig, fmt: str, printer) -> str | None:
    """The parent's ``fmt`` image of ``fig`` if the kernel's ``printer`` would print exactly that; else None.

    ``printer``: what the inline backend registered for figures in that format (IPython's
    ``print_figure`` with its keywords).
    """
    import functools

    held = fig.__dict__.get(_PRINTED)
    if held is None or fig.stale or held["changes"] != _changes[0] or fmt not in held["images"]:
        return None
    if not isinstance(printer, functools.partial) or printer.args:
        return None
    if (getattr(printer.func, "__module__", None), getattr(printer.func, "__qualname__", None)) != _PRINTER:
        return None
    if printer.keywords != {"fmt": fmt, **held["kwargs"]} or state() != held["state"]:
        return None
    return held["images"][fmt]


def bundled_calls(c):
    """(chart function's name, arguments) of each chart the bundled notebook shows for County ``c``.

    In the notebook's order and with its arguments (`notebooks/county_report.py`).
    """
    from junheng.report import separate

    lang = c.lang
    if c.invalid:
        return
    yield "coefficients", (c.coefficients, lang)
    if c.has_parts:
        for section in c.rules.sections:
            if (c.evaluated_schools["section"] == section).any():
                indicators, schools, _ = separate.chart_sample(c, section, "")
                yield "school_ratios", (indicators, schools, section, lang)
    if not c.gap.empty:
        yield "gap", (c.gap, c.year, lang)
    if len(c.history) > 1:
        yield "trends", (c.coefficient_history, lang)
    if not c.targets.empty and c.has_parts:
        yield "targets", (c.target_summary, lang)
    _, decomposition = c.equity()
    if not decomposition.empty:
        yield "theil", (decomposition, lang)


def make(c, where: Path, done=None) -> int:
    """In the parent: print each chart of `bundled_calls` into ``where``; returns how many were written.

    As the kernel would: IPython's ``print_figure`` in SVG with `PRINT_KWARGS`. Stops when ``done``
    (a `threading.Event`) is set. Only in a process drawing with Agg (a GUI backend is not used from
    this thread); a chart that raises is left to the kernel.
    """
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        return 0
    from IPython.core.pylabtools import print_figure

    from junheng.report import charts

    where.mkdir(exist_ok=True)
    written = 0
    for name, args in bundled_calls(c):
        if done is not None and done.is_set():
            break
        digest = call_digest(name, args, {})
        if digest is None:
            continue
        try:
            fig = getattr(charts, name)(*args)
            figure = pickle.dumps(fig, protocol=pickle.HIGHEST_PROTOCOL)  # as made: not drawn yet
            images = {"svg": print_figure(fig, fmt="svg", **PRINT_KWARGS)}
            held = {"figure": figure, "kwargs": dict(PRINT_KWARGS), "state": state(), "images": images}
        except Exception:  # noqa: BLE001 - the kernel makes it, and says what is wrong
            continue
        if done is not None and done.is_set():
            break
        _write(where / f"{digest}.pickle", pickle.dumps(held, protocol=pickle.HIGHEST_PROTOCOL))
        written += 1
    return written


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a kernel never reads half a file)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
