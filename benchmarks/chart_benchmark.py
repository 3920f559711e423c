"""Printing one report's charts as the notebook's kernel does (SVG and PNG), measured in one run.

Builds the charts of one county report and prints each as SVG and as PNG (150 dpi, ``bbox_inches="tight"``)
through IPython's display formatters set up as the report notebook's ``%config`` lines set them: once
as matplotlib prints any figure (a dry run, a measurement and a drawing per image), once as the package
prints its charts (`junheng.report.charts.HouseFigure` skips the dry run; `junheng.report.inline` cuts
the PNG to the box the SVG measured). Checks that the SVGs are the same and prints the medians and their
ratio; the machine is shared: read the ratio, not the seconds.

    python benchmarks/chart_benchmark.py [--repeat 3] [--county 990123] [--year 2024]
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import matplotlib

    matplotlib.use("Agg")
    from IPython.core.formatters import PNGFormatter, SVGFormatter
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    import junheng
    from junheng.report import charts, inline

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

    def run(plain: bool):
        figs = figures()
        if plain:
            for fig in figs:
                fig.__class__ = PlainFigure
        start = time.perf_counter()
        svgs = []
        for fig in figs:
            svgs.append(same_ids(svg(fig)))
            png(fig)
        return time.perf_counter() - start, svgs, len(figs)

    run(True), run(False)  # warm-up: fonts, caches
    plain_times, ours_times = [], []
    for _ in range(args.repeat):
        seconds, plain_svgs, n = run(True)
        plain_times.append(seconds)
        seconds, our_svgs, _ = run(False)
        ours_times.append(seconds)
        assert plain_svgs == our_svgs, "the SVGs differ"
    p, o = statistics.median(plain_times), statistics.median(ours_times)
    print(f"{n} charts of {args.county}/{args.year}, each as SVG + PNG (150 dpi, tight), the SVGs identical:")
    print(f"  as matplotlib prints any figure: median {p:.2f} s  runs {[round(x, 2) for x in plain_times]}")
    print(f"  as the package prints its charts: median {o:.2f} s  runs {[round(x, 2) for x in ours_times]}")
    print(f"  ratio package / plain: {o / p:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
