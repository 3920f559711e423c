"""Importing a 3,000-school county-wide export (issue #13 target: under 5 s).

Builds once (cached in benchmarks/out/import/) a 教基 county-wide export of about 3,000 schools
of one county: the three 学段 files (小学 / 初中 / 高中), from the national synthetic generator
through the same export writer as the bundled sample. Then times, on that export:

- reading the three workbooks (python-calamine) and the import itself (headers, mapping,
  combining 学段 files, composing the contract's columns);
- ``load()`` as a whole (import + the data contract's validation);
- ``junheng import`` end to end (also writing the CSV tables, the report, the mapping and the
  parent map).

Usage: python benchmarks/import_benchmark.py [--schools 3000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

OUT = Path(__file__).parent / "out" / "import"


def build(schools: int) -> Path:
    """The export files for about ``schools`` schools (written once)."""
    from junheng.sample.exports import county_year_stats, wide_workbooks, xlsx_bytes
    from junheng.sample.synthetic import national

    folder = OUT / f"county_{schools}"
    if folder.exists() and len(list(folder.glob("*.xlsx"))) == 3:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    counties = schools // 60 + 1  # the national generator makes 70-90 schools per county
    table = national(20240901, counties, (2024,))["schools"]
    sizes = table.groupby("county_code", sort=True).size()
    keep = sizes.index[: int((sizes.cumsum() < schools).sum()) + 1]  # whole counties: every school type
    table = table[table["county_code"].isin(keep)].copy()
    table["county_code"], table["county_name"] = "990199", "基准县"  # one county-wide export
    table["school_code"] = [f"990199{i:04d}" for i in range(1, len(table) + 1)]
    stats, _ = county_year_stats(table.sort_values("school_code"))
    for name, book in wide_workbooks(stats, "jiaoji-2021", 2024):
        (folder / name).write_bytes(xlsx_bytes(book))
    print(f"built {len(table)} schools → {folder} ({time.perf_counter() - start:.1f} s, once)")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    folder = build(args.schools)

    from junheng.cli import main as cli
    from junheng.inputs.dataset import load
    from junheng.inputs.statistics.importer import Inputs, run_import
    from junheng.inputs.statistics.workbook import excel_files, read_workbook

    files = excel_files([folder])
    for attempt in range(1, args.repeat + 1):
        t0 = time.perf_counter()
        books = [read_workbook(p) for p in files]
        t1 = time.perf_counter()
        result = run_import(Inputs(workbooks=books))
        t2 = time.perf_counter()
        ds = load(folder)
        t3 = time.perf_counter()
        code = cli(["import", str(folder), "--out", str(OUT / "imported")])
        t4 = time.perf_counter()
        rows = result.extraction.rows_read
        print(
            f"[{attempt}] {len(result.schools)} schools from {rows} rows in {len(files)} files: "
            f"read {t1 - t0:.2f} s, import {t2 - t1:.2f} s; load() {t3 - t2:.2f} s; "
            f"junheng import (exit {code}) {t4 - t3:.2f} s"
        )
        assert len(ds.schools) == len(result.schools)


if __name__ == "__main__":
    main()
