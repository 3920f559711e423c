"""How fast the engine gives a county's results: `junheng.county()` warm, and the sample's 40 county-years.

Prints, from one run in this process (CPU time, so that other work on a shared machine counts less):

- ``county()`` for another county in a warm process: 990123 of 2024 first (imports, YAML, its data),
  then every other county of the sample for 2024, one call each (median, min, max);
- the 40 county-years of the sample in a loop (``county(code, year)`` for every county and year), every
  cache emptied first (imports stay warm), and the same loop reading each county alone (the folder
  not shared, `junheng.inputs.shared`) for the ratio;
- the same loop with the plan, the targets and the urban-rural gap a report computes, and that loop's
  time per county-year above the engine's;
- the profile of one warm call for another county (the functions with the largest cumulative time).

Every figure comes from this one run: to compare two checkouts, run the script of each back to back
(``PYTHONPATH=<checkout>/src python benchmarks/engine_benchmark.py``; it imports the package from
``src`` next to it first).

    python benchmarks/engine_benchmark.py [--top 10]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import junheng  # noqa: E402
import junheng.report.county  # noqa: E402, F401
from junheng.inputs import shared  # noqa: E402

county_module = sys.modules["junheng.report.county"]  # (the package exports the function of that name)

DATA = ROOT / "data" / "sample"
YEARS = (2021, 2022, 2023, 2024)


def codes() -> list[str]:
    return sorted({p.stem.split("_")[0] for p in DATA.glob("*.xlsx")})


def clear() -> None:
    """Forget every county and folder read (imports and parsed YAML stay)."""
    county_module._CACHE.clear()
    shared.clear()


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def loop(report: bool = False) -> float:
    def run():
        for code in codes():
            for year in YEARS:
                c = junheng.county(code, year, DATA, report_date="2025-03-31")
                if report:
                    c.plan, c.targets, c.gap  # noqa: B018 - computed on first use

    clear()
    return cpu(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10, help="profile entries printed")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (2 cores)")

    clear()
    junheng.county("990123", 2024, DATA)
    others = [c for c in codes() if c != "990123"]
    times = [cpu(lambda c=c: junheng.county(c, 2024, DATA)) for c in others]
    print(
        f"county() for another county, warm: median {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, {len(times)} counties; "
        f"the first of them reads the whole folder: {times[0]:.3f} s)"
    )

    shared_s = loop()
    original = shared.checked_tables
    shared.checked_tables = lambda *a: None  # every county read and evaluated alone
    try:
        alone_s = loop()
    finally:
        shared.checked_tables = original
    print(
        f"{len(codes()) * len(YEARS)} county-years in a loop (engine only): {shared_s:.2f} s; "
        f"each county read alone {alone_s:.2f} s "
        f"({alone_s / shared_s:.2f}x)"
    )
    report_s = loop(report=True)
    n = len(codes()) * len(YEARS)
    print(
        f"{n} county-years in a loop with plan, targets and gap: {report_s:.2f} s "
        f"({report_s / shared_s:.2f}x the engine alone; plan, targets and gap "
        f"{(report_s - shared_s) / n:.3f} s per county-year)"
    )

    clear()
    junheng.county("990123", 2024, DATA)
    junheng.county("990102", 2024, DATA)  # the folder read whole
    profile = cProfile.Profile()
    profile.enable()
    junheng.county("990121", 2024, DATA)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print("profile of county('990121', 2024), warm:")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end")


if __name__ == "__main__":
    main()
