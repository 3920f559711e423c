"""Time of one full county report (HTML + PDF) against the papermill floor, measured in one run.

The floor is papermill executing a notebook that only imports pandas and matplotlib and draws one chart: what
any report notebook pays before doing anything. Prints medians and their ratio, then where one full report's
time goes (notebook execution, HTML page, PDF: published cells, pandoc, Typst), each also as a multiple of the
floor, and the wall time of publishing both as `junheng.report.run.publish` does it (the PDF made in another
thread while the web page is made: pandoc in its own process, then Typst, which lets Python threads run; so
less than the sum of the phases).

The package's sources are compiled to bytecode first, as an installed package's are (``__pycache__``
folders, written even when ``PYTHONDONTWRITEBYTECODE`` is set): each kernel would otherwise compile about
80 modules again (0.3 s), which no installed package does. The warm-up run before the timed ones also
fills the package's per-user cache (`junheng.diskcache`: parsed YAML, compiled templates), as a user's
first report does.

    python benchmarks/report_benchmark.py [--repeat 3] [--county 990123] [--year 2024]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

FLOOR_SOURCE = """import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot(pd.Series(range(10)))
fig.savefig("floor.png")"""


def floor_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--county", default="990123")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "src" / "junheng", quiet=1)
    from junheng.report.render.html import ReportHTMLExporter, page
    from junheng.report.render.pdf import compile_typst, html_to_typst, typst_source
    from junheng.report.run import execute, publish, report

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nb = floor_notebook(tmp)

        def floor():
            papermill.execute_notebook(
                str(nb), str(tmp / "floor.out.ipynb"), progress_bar=False, cwd=str(tmp)
            )

        def full():
            report(args.county, args.year, formats=("html", "pdf"), out_dir=tmp / "reports")

        # warm up once, then interleave so that machine noise hits both alike
        floor(), full()
        floor_times, full_times = [], []
        phases = {
            "notebook": [],
            "html": [],
            "pdf: cells": [],
            "pdf: pandoc": [],
            "pdf: typst": [],
            "publish": [],
        }
        for _ in range(args.repeat):
            floor_times.append(_one(floor))
            full_times.append(_one(full))
            # the same work as report(), phase by phase
            start = time.perf_counter()
            executed, _, _ = execute(
                args.county, args.year, work_dir=tmp / "phases", xlsx=False, png_charts=False
            )
            phases["notebook"].append(time.perf_counter() - start)
            start = time.perf_counter()
            page(ReportHTMLExporter().body(executed))
            phases["html"].append(time.perf_counter() - start)
            start = time.perf_counter()
            body = ReportHTMLExporter(images_as_files=True).body(executed)
            phases["pdf: cells"].append(time.perf_counter() - start)
            start = time.perf_counter()
            html_to_typst(body.html)
            phases["pdf: pandoc"].append(time.perf_counter() - start)
            source = typst_source(body)
            start = time.perf_counter()
            compile_typst(source, body.files, tmp / "phases" / "report.pdf")
            phases["pdf: typst"].append(time.perf_counter() - start)
            start = time.perf_counter()
            publish(executed, tmp / "phases", "published", ("html", "pdf"))
            phases["publish"].append(time.perf_counter() - start)
    f, r = statistics.median(floor_times), statistics.median(full_times)
    print(
        f"floor (papermill, pandas + matplotlib, one chart): median {f:.2f} s  "
        f"runs {[round(x, 2) for x in floor_times]}"
    )
    print(
        f"full report {args.county}/{args.year} (notebook + HTML + PDF): median {r:.2f} s  "
        f"runs {[round(x, 2) for x in full_times]}"
    )
    print(f"ratio full / floor: {r / f:.2f}  (target ≤ 2.0)")
    for name, times in phases.items():
        m = statistics.median(times)
        if name == "publish":
            label = "HTML + PDF as publish writes them (the PDF alongside the page)"
            print(f"  {label}: median {m:.2f} s = {m / f:.2f} × floor")
        else:
            print(f"  of which {name:<12} median {m:.2f} s = {m / f:.2f} × floor")
    return 0


def _one(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
