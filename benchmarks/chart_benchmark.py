"""Printing one report's charts as the notebook's kernel does (SVG and PNG), measured in one run.

Builds the charts of one county report and prints each as SVG and as PNG (150 dpi, ``bbox_inches="tight"``;
with ``--svg-only`` as SVG only, as `junheng report` prints them unless Word is asked for) through
IPython's display formatters set up as the report notebook's ``%config`` lines set them, three ways,
interleaved: as matplotlib prints any figure (a dry run, a measurement and a drawing per image); as the
package printed its charts before its text cache (`junheng.report.charts.HouseFigure` skips the dry run;
`junheng.report.inline` cuts the PNG to the box the SVG measured); and as the package prints them
(`junheng.report.textcache`: each text measured and shaped once per process; each axis places its ticks
once per measurement and once per drawing, `charts._ticks_placed_once`). The figures are built
anew for every print, as in a report (that time is printed apart). Checks that the SVGs are the same
and prints the medians and their ratios; the machine is shared: read the ratios, not the seconds.

With ``--cold`` the text cache is emptied before each of the package's runs: what one report in a new
kernel gains (its measurement and drawing share the texts; the texts of one chart serve the next);
without it, what a batch worker's later reports gain too (their texts already measured).

    python benchmarks/chart_benchmark.py [--repeat 3] [--county 990123] [--year 2024] [--svg-only] [--cold]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import re
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--county", default="990123")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument(
        "--svg-only", action="store_true", help="print SVG only (no Word: the report's default)"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="empty the text cache before each run (one report in a new kernel)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import matplotlib

    matplotlib.use("Agg")
    from IPython.core.formatters import PNGFormatter, SVGFormatter
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    import junheng
    from junheng.report import charts, inline, textcache

    class PlainFigure(Figure):
        """A chart printed as matplotlib prints any figure, in the house style."""

        def draw(self, renderer):
            with charts.styled():
                return Figure.draw(self, renderer)

        def get_tightbbox(self, *a, **k):
            with charts.styled():
                return Figure.get_tightbbox(self, *a, **k)

    c = junheng.county(args.county, args.year)
    _, decomposition = c.equity()

    def figures():
        out = [charts.coefficients(c.coefficients, c.lang)]
        for section in c.rules.sections:
            if (c.evaluated_schools["section"] == section).any():
                out.append(charts.school_ratios(c.indicators, c.evaluated_schools, section, c.lang))
        out += [charts.gap(c.gap, c.year, c.lang), charts.trends(c.coefficient_history, c.lang)]
        if not c.targets.empty:
            out.append(charts.targets(c.target_summary, c.lang))
        if not decomposition.empty:
            out.append(charts.theil(decomposition, c.lang))
        return out

    svg, png = SVGFormatter(), PNGFormatter()
    kwargs = {"bbox_inches": "tight", "dpi": 150}
    svg.for_type(Figure, functools.partial(print_figure, fmt="svg", **kwargs))
    png.for_type(Figure, functools.partial(print_figure, fmt="png", base64=True, **kwargs))
    inline.install(charts.HouseFigure, {"image/svg+xml": svg, "image/png": png})

    def same_ids(text: str) -> str:
        ids: dict = {}
        text = re.sub(r"<dc:date>.*?</dc:date>", "", text)
        return re.sub(r"\b[pm][0-9a-f]{10}\b", lambda m: ids.setdefault(m.group(0), f"id{len(ids)}"), text)

    prepare, ticks_once = textcache.prepare, charts._ticks_placed_once

    def run(way: str):
        if way != "package":
            textcache.prepare = lambda renderer, fig: None
            charts._ticks_placed_once = lambda fig: contextlib.nullcontext()
        elif args.cold:
            textcache.clear()
        try:
            built = time.perf_counter()
            figs = figures()
            built = time.perf_counter() - built
            if way == "plain":
                for fig in figs:
                    fig.__class__ = PlainFigure
            start = time.perf_counter()
            svgs = []
            for fig in figs:
                svgs.append(same_ids(svg(fig)))
                if not args.svg_only:
                    png(fig)
        finally:
            textcache.prepare, charts._ticks_placed_once = prepare, ticks_once
        return time.perf_counter() - start, built, svgs, len(figs)

    ways = {
        "plain": "as matplotlib prints any figure",
        "before": "as the package printed them before (no text cache, ticks placed as matplotlib does)",
        "package": "as the package prints its charts",
    }
    for way in ways:  # warm-up: fonts, the first county's data, the text cache
        run(way)
    times: dict = {way: [] for way in ways}
    builds: list = []
    for _ in range(args.repeat):
        svgs = {}
        for way in ways:
            seconds, built, svgs[way], n = run(way)
            times[way].append(seconds)
            builds.append(built)
        assert svgs["plain"] == svgs["before"] == svgs["package"], "the SVGs differ"
    medians = {way: statistics.median(seconds) for way, seconds in times.items()}
    images = "SVG" if args.svg_only else "SVG + PNG (150 dpi, tight)"
    print(f"{n} charts of {args.county}/{args.year}, each printed as {images}, the SVGs identical:")
    for way, label in ways.items():
        print(f"  {label}: median {medians[way]:.2f} s  runs {[round(x, 2) for x in times[way]]}")
    print(f"  ratio package / plain: {medians['package'] / medians['plain']:.2f}")
    print(f"  ratio package / before: {medians['package'] / medians['before']:.2f}")
    print(f"  building the {n} figures (every run): median {statistics.median(builds):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
