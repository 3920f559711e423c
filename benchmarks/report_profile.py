"""Where one county report's time goes: the report notebook's code, run and sampled in this process.

Runs the code cells of ``notebooks/county_report.py`` (the paired jupytext file) in this process,
formatting every displayed object as the kernel of `junheng report` does (Markdown, HTML tables, charts as
SVG only: no PNG without Word), so the profile shows the report's own work without kernel start-up. A
thread samples the running stack every few milliseconds, which barely slows the run, and prints:

- where the time goes by stage: imports, loading the data (inputs), evaluating (method), the plan, gap,
  targets and optimal plan (planning), drawing the charts, printing them as SVG, the report's tables and
  their HTML, the rest of the report's own code (text, narrative, profiles, cover);
- the wall time of each cell;
- with ``--cprofile``, the functions with the largest cumulative time under cProfile (slower: read the
  shares, not the seconds).

The machine is shared: read the shares. The kernel's start-up and the publishing (HTML page, PDF: cells,
pandoc, Typst) are measured by ``benchmarks/report_benchmark.py``.

    python benchmarks/report_profile.py [--county 990123] [--year 2024] [--warm] [--handed] [--cprofile]

``--handed`` runs the hand-off's thread of `junheng report` here first (the county evaluated, the
County of the notebook's arguments, its charts made and printed) and then runs the notebook as that
report's kernel: the kernel's part of a report.

``--warm`` runs the report once before the measured run (imports and YAML parsed, the county's data
cached in the process): what a batch worker pays for its second county-year.

The package's sources are compiled to bytecode before the measured run, as an installed package's are
(``__pycache__`` folders written even when ``PYTHONDONTWRITEBYTECODE`` is set): compiling them is no
cost of a user's report. The per-user cache (`junheng.diskcache`: parsed YAML, compiled templates) is
as earlier runs left it: run twice to see a report after the first.
"""

from __future__ import annotations

import argparse
import collections
import compileall
import cProfile
import functools
import io
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "county_report.py"


def code_cells(path: Path) -> list[str]:
    """The code cells of a jupytext percent file (magics and shell lines dropped)."""
    cells, current, is_code = [], [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            if is_code and current:
                cells.append("\n".join(current))
            current, is_code = [], "[markdown]" not in line
            continue
        if is_code and not line.startswith("# %"):
            current.append(line)
    if is_code and current:
        cells.append("\n".join(current))
    return cells


def formatter():
    """A function formatting an object as the kernel does (figures as SVG, by the inline backend's printer).

    IPython's ``print_figure`` with the report notebook's ``print_figure_kwargs``, through
    `junheng.report.inline` as in a kernel (which serves a chart `junheng report` printed already).
    """
    from IPython.core.formatters import DisplayFormatter, PNGFormatter, SVGFormatter
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    rich = DisplayFormatter()
    svg, png = SVGFormatter(), PNGFormatter()
    svg.for_type(Figure, functools.partial(print_figure, fmt="svg", bbox_inches="tight", dpi=150))
    installed = []

    def fmt(obj):
        if obj is None:
            return
        if isinstance(obj, Figure):
            if not installed:  # the package's charts printed as the kernel prints them
                from junheng.report import charts, inline

                installed.append(inline.install(charts.HouseFigure, {"image/svg+xml": svg, "image/png": png}))
            svg(obj)
            import matplotlib.pyplot as plt

            plt.close(obj)
            return
        rich.format(obj)

    return fmt


# stages, by the frames of a sampled stack (innermost first): printing a chart and importing win over
# the code that asked for them; otherwise the innermost frame of the package names the stage
STAGES = (
    ("printing charts (SVG)", ("matplotlib/backend_bases.py",)),
    ("imports", ("<frozen importlib._bootstrap",)),
)
PACKAGE_STAGES = (
    ("junheng/inputs/", "inputs: loading and checking the data"),
    ("junheng/method/", "method: evaluating, equity measures"),
    ("junheng/planning/", "planning: plan, gap, targets, optimal plan"),
    ("junheng/report/charts.py", "report: drawing the charts"),
    ("junheng/report/tables.py", "report: tables"),
    ("junheng/report/", "report: text, narrative, profiles, cover, other"),
    ("junheng/", "junheng: other (rules, locale, YAML)"),
)
OUTSIDE = "outside junheng: displaying tables (pandas Styler HTML), Markdown, the runner"


def stage_of(frames: list[str]) -> str:
    """The stage of one sampled stack (file names, innermost first)."""
    for name, markers in STAGES:
        if any(marker in f for f in frames for marker in markers):
            return name
    for f in frames:
        for marker, name in PACKAGE_STAGES:
            if marker in f:
                return name
    return OUTSIDE


class Sampler:
    """Samples the main thread's stack every ``interval`` seconds; counts the stages seen."""

    def __init__(self, interval: float = 0.005):
        self.interval, self.counts, self._stop = interval, collections.Counter(), threading.Event()
        self._main = threading.main_thread().ident
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(self._main)
            files = []
            while frame is not None:
                files.append(frame.f_code.co_filename.replace("\\", "/"))
                frame = frame.f_back
            self.counts[stage_of(files)] += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_notebook(cells: list[str], params: dict, fmt, timings: list | None = None) -> None:
    import ast

    import IPython.display

    IPython.display.display = lambda *objs, **kw: [fmt(o) for o in objs]
    namespace = dict(params)
    for number, source in enumerate(cells):
        start = time.perf_counter()
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"<cell {number}>", "exec"), namespace)
        if last is not None:
            fmt(eval(compile(ast.Expression(last.value), f"<cell {number}>", "eval"), namespace))
        if timings is not None:
            timings.append((number, time.perf_counter() - start, source.strip().splitlines()[0][:70]))


def hand_over(county_code: str, year: int) -> None:
    """Make this process the kernel `junheng report` hands its county, County and charts to.

    The hand-off's thread runs here first, to its end (`junheng.report.handoff`: the county loaded,
    evaluated and primed, the County of the notebook's arguments, its charts made and printed, in a
    folder kept until the process ends): what is measured is then the kernel's part of the report.
    """
    import atexit
    import os
    import shutil

    from junheng.paths import default_data
    from junheng.report.handoff import ENV, Handoff

    data = str(default_data().resolve())
    args = {"year": year, "report_date": "", "issuer": "", "final": False}
    work = tempfile.mkdtemp(prefix="junheng-profile-")
    atexit.register(shutil.rmtree, work, True)
    writer = Handoff(Path(work), data, county_code, "youzhi-2017", [], county_args=args)
    writer.start().join()
    os.environ[ENV] = str(writer.path)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--county", default="990123")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--warm", action="store_true", help="run the report once before measuring")
    parser.add_argument(
        "--handed",
        action="store_true",
        help="the county, its County and its charts made first, as `junheng report` hands them to its kernel",
    )
    parser.add_argument("--cprofile", action="store_true", help="also list functions under cProfile")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    compileall.compile_dir(ROOT / "src" / "junheng", quiet=1)  # as installed (not timed)
    cells = code_cells(NOTEBOOK)
    params_cell = next(i for i, c in enumerate(cells) if "county_code" in c and "=" in c)
    params: dict = {}
    exec(cells[params_cell], params)
    params.update(county_code=args.county, year=args.year, png_charts=False)
    body = cells[params_cell + 1 :]
    fmt = formatter()  # IPython's formatters and matplotlib: the kernel has them before the notebook runs
    if args.warm:
        run_notebook(body, params, fmt)
    if args.handed:
        hand_over(args.county, args.year)
    timings: list = []
    start = time.perf_counter()
    with Sampler() as sampler:
        run_notebook(body, params, fmt, timings)
    total = time.perf_counter() - start
    print(
        f"report notebook code for {args.county} {args.year}{' (warm)' if args.warm else ''}: "
        f"{total:.2f} s (the machine is shared: read the shares)"
    )
    samples = sum(sampler.counts.values()) or 1
    print(f"\nwhere the time goes ({samples} samples of the running stack):")
    for name, count in sampler.counts.most_common():
        print(f"  {count / samples:6.1%}  {total * count / samples:6.2f} s  {name}")
    print("\nper cell (share of the total):")
    for number, seconds, first in sorted(timings, key=lambda r: -r[1])[:12]:
        print(f"  {seconds / total:6.1%}  {seconds:6.2f} s  cell {number + params_cell + 1}: {first}")
    if not args.cprofile:
        return 0
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    run_notebook(body, params, fmt)
    profile.disable()
    total = time.perf_counter() - start
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"\nlargest cumulative times under cProfile, a run after the one above (total {total:.2f} s):")
    for line in out.getvalue().splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[3].replace(".", "", 1).isdigit() and "restriction" not in line:
            print(f"  {float(parts[3]) / total:6.1%}  {parts[3]:>7} s  {parts[5][-100:]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
