"""Where one county report's time goes: the report notebook's code, profiled in this process.

Runs the code cells of ``notebooks/county_report.py`` (the paired jupytext file) in this process under
cProfile, formatting every displayed object as the kernel would (Markdown, HTML tables, SVG charts), so the
profile shows the report's own work without kernel start-up. Prints the import time of the notebook's first
cell, the wall time of each cell and the functions with the largest cumulative time, as shares of the
total: the machine is shared, read the shares, not the seconds.

    python benchmarks/report_profile.py [--county 990123] [--year 2024] [--top 30] [--warm]

``--warm`` runs the report once before the profiled run (imports and YAML parsed, the county's data
cached in the process): what a batch worker pays for its second county-year.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
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
    """A function formatting an object as the kernel does (SVG for figures)."""
    from IPython.core.formatters import DisplayFormatter
    from matplotlib.figure import Figure

    rich = DisplayFormatter()

    def fmt(obj):
        if obj is None:
            return
        if isinstance(obj, Figure):
            obj.savefig(io.BytesIO(), format="svg", bbox_inches="tight")
            import matplotlib.pyplot as plt

            plt.close(obj)
            return
        rich.format(obj)

    return fmt


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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--county", default="990123")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--warm", action="store_true", help="run the report once before profiling")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    cells = code_cells(NOTEBOOK)
    params_cell = next(i for i, c in enumerate(cells) if "county_code" in c and "=" in c)
    params: dict = {}
    exec(cells[params_cell], params)
    params.update(county_code=args.county, year=args.year)
    body = cells[params_cell + 1 :]
    fmt = formatter()  # IPython's formatters and matplotlib: the kernel has them before the notebook runs
    if args.warm:
        run_notebook(body, params, fmt)
    timings: list = []
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    run_notebook(body, params, fmt, timings)
    profile.disable()
    total = time.perf_counter() - start
    print(
        f"report notebook code for {args.county} {args.year}{' (warm)' if args.warm else ''}: "
        f"{total:.2f} s under the profiler (profiling slows it down; read the shares)"
    )
    print("\nper cell (share of the total):")
    for number, seconds, first in sorted(timings, key=lambda r: -r[1])[:12]:
        print(f"  {seconds / total:6.1%}  {seconds:6.2f} s  cell {number + params_cell + 1}: {first}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(f"\nlargest cumulative times (total {total:.2f} s):")
    for line in out.getvalue().splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[3].replace(".", "", 1).isdigit() and "restriction" not in line:
            print(f"  {float(parts[3]) / total:6.1%}  {parts[3]:>7} s  {parts[5][-100:]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
