"""A synthetic county of any size (the project's own generator, `junheng.sample.synthetic`).

Writes schools.csv, county.csv, monitoring.csv and survey.csv of one county-year (990999, 2024) with
about N schools of the generator's plain county mix, numbered with 10-digit school codes (the
generator numbers 4 digits per county). Used to time what grows with a county's size: the optimal
plan (`benchmarks/optimal_benchmark.py`) and a whole report:

    python benchmarks/large_county.py 20000 /tmp/big
    /usr/bin/time -v junheng report /tmp/big --county 990999 --year 2024 --out /tmp/big_out
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from junheng.sample import synthetic  # noqa: E402

CODE, YEAR = "990999", 2024


def write_county(folder: Path, schools: int, seed: int = 7) -> str:
    """Write a county of about ``schools`` schools to ``folder``; return its code."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    scale = schools / sum(synthetic.KINDS["plain"][:7])
    plan = synthetic.county_plan(rng, [CODE], ["大县"], ["plain"], scale=scale)
    base = synthetic.base_schools(rng, plan)
    base["school_code"] = [f"99{i:08d}" for i in range(1, len(base) + 1)]
    base["school_name"] = [f"学校{c}" for c in base["school_code"]]
    table = synthetic.yearly_schools(rng, base, plan, YEAR)
    county = synthetic.county_table(rng, table, plan)
    table.to_csv(folder / "schools.csv", index=False)
    county.to_csv(folder / "county.csv", index=False)
    synthetic.monitoring_table(rng, county).to_csv(folder / "monitoring.csv", index=False)
    synthetic.survey_table(rng, county).to_csv(folder / "survey.csv", index=False)
    return CODE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schools", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_county(args.folder, args.schools, args.seed)
    print(f"{args.folder}: county {CODE}, {YEAR}")


if __name__ == "__main__":
    main()
