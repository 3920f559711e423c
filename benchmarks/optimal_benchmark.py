"""Optimal-plan benchmark (达标测算): the time the optimiser takes, measured here and printed.

1. a synthetic county of about 300 schools (the national generator, degraded so that many schools
   and a coefficient fail): target under 5 s;
2. every sample county-year whose Part R fails: target under 1 s each;
3. optionally (``--national N``) N generated counties, one after another: the total.

Only the optimiser is timed (`junheng.planning.optimal.optimal_plan` on an evaluated county); the
loading and evaluation before it are not.

    python benchmarks/optimal_benchmark.py [--schools 300] [--national 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import junheng  # noqa: E402
from junheng.planning.optimal import optimal_plan  # noqa: E402
from junheng.sample import synthetic  # noqa: E402


def synthetic_county(folder: Path, schools: int, seed: int = 7, counties: int = 1) -> list[str]:
    """Write ``counties`` generated counties of about ``schools`` schools each; return their codes."""
    rng = np.random.default_rng(seed)
    codes = [f"99{i:04d}" for i in range(counties)]
    names = [f"测算县{i}" for i in range(counties)]
    scale = schools / sum(synthetic.KINDS["plain"][:7])
    plan = synthetic.county_plan(rng, codes, names, ["plain"] * counties, scale=scale)
    base = synthetic.base_schools(rng, plan)
    base["school_name"] = [f"学校{c}" for c in base["school_code"]]
    table = synthetic.yearly_schools(rng, base, plan, 2024)
    # degrade: a quarter of the schools lose 20-40 % of one or two resources, so that the plan has
    # real work to do
    n = len(table)
    columns = ["teaching_space_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms"]
    hit = rng.random(n) < 0.25
    for col in columns:
        pick = hit & (rng.random(n) < 0.4)
        factor = rng.uniform(0.6, 0.8, n)
        table.loc[pick, col] = np.floor(table.loc[pick, col] * factor[pick])
    urban = table["location"] == "urban"  # urban schools with large grounds: a coefficient fails
    table.loc[urban, "sports_area_m2"] *= rng.uniform(3.0, 5.0, urban.sum())
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "schools.csv", index=False)
    return codes


def timed(c) -> tuple[float, dict]:
    start = time.perf_counter()
    plan = optimal_plan(c)
    return time.perf_counter() - start, plan.summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--national", type=int, default=0, help="also plan N generated counties")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        [code] = synthetic_county(Path(tmp) / "big", args.schools)
        c = junheng.county(code, 2024, data=Path(tmp) / "big")
        scoped = c.evaluated_schools
        failing = int((~scoped["school_passed"].astype(bool)).sum())
        cv_failing = int((~c.coefficients["passed"].astype(bool)).sum())
        seconds, s = timed(c)
        print(
            f"synthetic county: {c.counts['schools']} schools, {len(scoped)} section-schools in Part R, "
            f"{failing} failing the school rule, {cv_failing} coefficients over the limit"
        )
        print(
            f"  optimal plan: {seconds:.2f} s (target < 5 s; solver {s['seconds']:.2f} s); "
            f"status {s['status']}, "
            f"gap {s['gap']:.2g}, "
            f"cost {s['total_cost']:,.0f} yuan vs {s['full_cost']:,.0f} for every standard everywhere; "
            f"verified {s['verified']}"
        )
        print("sample county-years failing Part R:")
        worst = 0.0
        for workbook in sorted((ROOT / "data" / "sample").glob("*.xlsx")):
            code, year = workbook.stem.split("_")
            c = junheng.county(code, int(year))
            if c.result.verdict["resource"] != "fail":
                continue
            seconds, s = timed(c)
            worst = max(worst, seconds)
            print(
                f"  {code} {year}: {seconds:.2f} s (target < 1 s); {s['status']}, "
                f"cost {s['total_cost']:,.0f} yuan, verified {s['verified']}"
            )
        print(f"  slowest: {worst:.2f} s")
        if args.national:
            codes = synthetic_county(Path(tmp) / "national", 70, seed=11, counties=args.national)
            total, statuses = 0.0, {}
            for code in codes:
                c = junheng.county(code, 2024, data=Path(tmp) / "national")
                if c.result.verdict["resource"] != "fail":
                    statuses["already_passing"] = statuses.get("already_passing", 0) + 1
                    continue
                seconds, s = timed(c)
                total += seconds
                statuses[s["status"]] = statuses.get(s["status"], 0) + 1
            print(
                f"{args.national} generated counties of about 70 schools: optimiser total {total:.1f} s; "
                f"{statuses}"
            )


if __name__ == "__main__":
    main()
