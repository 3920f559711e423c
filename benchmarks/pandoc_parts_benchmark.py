"""The PDF's cells through pandoc: one process for the whole, against two at once (`html_to_typst`).

Executes the report notebook of one county-year once, then converts its published cells to Typst
alternately as one pandoc process (what `render.pdf.html_to_typst` did before) and as two processes
at once, each given half the cells (`render.pdf.pandoc_parts`), their Typst joined; then publishes the
HTML page and the PDF as `junheng.report.run.publish` does (the PDF made alongside the page), with
either conversion, alternately. Checks that both conversions give the same bytes, then prints the
medians of the wall times and their ratios, measured in this run.

    python benchmarks/pandoc_parts_benchmark.py [--repeat 7] [--county 990123] [--year 2024]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--county", default="990123")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "src" / "junheng", quiet=1)
    from junheng.report.render import pdf
    from junheng.report.render.html import ReportHTMLExporter
    from junheng.report.run import execute, publish

    tmp = tempfile.TemporaryDirectory()
    work = Path(tmp.name)
    executed, _, _ = execute(args.county, args.year, work_dir=work, xlsx=False, png_charts=False)
    html = ReportHTMLExporter(images_as_files=True).body(executed).html

    if pdf._pandoc(pdf.pandoc_input(html)) != pdf.html_to_typst(html):  # (also the warm-up)
        print("the two conversions differ")
        return 1
    convert = {
        "one process": lambda text: pdf._pandoc(pdf.pandoc_input(text)),
        "two at once": pdf.html_to_typst,
    }
    times = {(phase, name): [] for phase in ("pandoc", "publish") for name in convert}
    for _ in range(args.repeat):  # alternated: the machine's load hits both alike
        for name, fn in convert.items():
            start = time.perf_counter()
            fn(html)
            times["pandoc", name].append(time.perf_counter() - start)
        for name, fn in convert.items():
            pdf.html_to_typst = fn  # what `typst_source` calls
            start = time.perf_counter()
            publish(executed, work / "published", "report", ("html", "pdf"))
            times["publish", name].append(time.perf_counter() - start)
        pdf.html_to_typst = convert["two at once"]
    tmp.cleanup()
    sizes = [len(part) for part in pdf.pandoc_parts(pdf.pandoc_input(html))]
    print(f"{args.county}/{args.year}: {len(html):,} characters of cells, parts of {sizes} characters")
    for phase, label in (("pandoc", "the cells to Typst"), ("publish", "HTML + PDF as publish writes them")):
        print(label)
        for name in convert:
            runs = times[phase, name]
            print(f"  {name:<12} median {statistics.median(runs):.3f} s  runs {[round(x, 3) for x in runs]}")
        ratio = statistics.median(times[phase, "two at once"]) / statistics.median(
            times[phase, "one process"]
        )
        print(f"  ratio two at once / one process: {ratio:.2f}")
    print("(the same Typst, byte for byte)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
