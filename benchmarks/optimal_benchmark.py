"""Optimal-plan benchmark (达标测算): the time the optimiser takes, measured here and printed.

1. a synthetic county of about 300 schools (the national generator, degraded so that many schools
   and a coefficient fail): target under 5 s;
2. every sample county-year whose Part R fails: target under 1 s each;
3. optionally (``--national N``) N generated counties, one after another: the total;
4. each stage of the plan (build, solve, polish, reasons, rows) on large counties of the plain mix
   (`benchmarks/large_county.py`) of 500, 2,000 and 5,000 schools (``--sizes``; ``--large`` adds
   20,000), with the polish and reasons also from scratch (the quadratic reference, ``scratch=True``,
   up to ``--reference-up-to`` schools): the ratio, whether both give the same plan, and how many of
   the polish's coefficient questions needed the from-scratch coefficient (ties).

Only the optimiser is timed (`junheng.planning.optimal.optimal_plan` on an evaluated county); the
loading and evaluation before it are not.

    python benchmarks/optimal_benchmark.py [--schools 300] [--national 50] [--sizes 500,2000,5000] [--large]
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
from junheng.planning import optimal as o  # noqa: E402
from junheng.planning.optimal import optimal_plan  # noqa: E402
from junheng.sample import synthetic  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from large_county import write_county  # noqa: E402


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


def stages(folder: Path, schools: int, reference: bool) -> None:
    """Time each stage of the optimal plan of a county of about ``schools`` schools; print one line."""
    code = write_county(folder, schools)
    c = junheng.county(code, 2024, data=folder)
    assert len(c.evaluated_schools)  # evaluated before the clock starts (as for the plan of a report)
    settings = o.Settings.from_config(c.plan_config)
    times = {}

    def timed_stage(label, fn):
        start = time.perf_counter()
        out = fn()
        times[label] = time.perf_counter() - start
        return out

    m = timed_stage("build", lambda: o.build(c, c.plan_config, settings))
    sol = timed_stage("solve", lambda: o.solve(m, settings))
    x = timed_stage("polish", lambda: o.polish(m, sol.x.copy(), target=not sol.relaxed))
    spreads = m._spreads
    reasons = timed_stage("reasons", lambda: o._reasons(m, x))
    timed_stage("rows", lambda: o._rows(c, m, x, settings))
    timed_stage("full plan", lambda: o.cost_of(m, o.everything(m), settings))
    line = " ".join(f"{k} {v:.2f} s" for k, v in times.items())
    print(
        f"  {c.counts['schools']} schools ({len(m.sec)} section-schools, {len(m.vars)} variables, "
        f"{int((x > 0).sum())} in the plan; {sol.status}, solver {sol.seconds:.2f} s): {line}"
    )
    print(f"    polish asked {spreads.asked} coefficient questions, {spreads.exact} by `_cv` (ties)")
    if reference:
        start = time.perf_counter()
        slow = o.polish(m, sol.x.copy(), target=not sol.relaxed, scratch=True)
        slow_polish = time.perf_counter() - start
        start = time.perf_counter()
        slow_reasons = o._reasons(m, slow, scratch=True)
        slow_reasons_s = time.perf_counter() - start
        same = np.array_equal(slow, x) and slow_reasons == reasons
        print(
            f"    from scratch: polish {slow_polish:.2f} s ({slow_polish / times['polish']:.1f}x), "
            f"reasons {slow_reasons_s:.2f} s ({slow_reasons_s / times['reasons']:.1f}x); "
            f"same plan and reasons: {same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--national", type=int, default=0, help="also plan N generated counties")
    parser.add_argument("--sizes", default="500,2000,5000", help="large counties to time stage by stage")
    parser.add_argument("--large", action="store_true", help="also a county of 20,000 schools")
    parser.add_argument("--reference-up-to", type=int, default=5000, help="from-scratch polish up to N")
    parser.add_argument("--only-stages", action="store_true", help="skip parts 1-3")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",") if n] + ([20000] if args.large else [])
    with tempfile.TemporaryDirectory() as tmp:
        if sizes:
            print("stages of the optimal plan, large counties (benchmarks/large_county.py):")
            for n in sizes:
                stages(Path(tmp) / f"large{n}", n, n <= args.reference_up_to)
        if args.only_stages:
            return
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
