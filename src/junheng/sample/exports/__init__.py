"""Synthetic statistics-system exports of the bundled sample province (issue #13).

Written by `junheng sample-data` from the sample itself, in both shapes and both table
generations:

- county-wide sheets (shape B): one file per 学段 (小学 / 初中 / 高中) and county-year, one row per
  school under multi-row merged headers whose top cells carry the table codes;
- school workbooks (shape A): one workbook per school, one sheet per table ('基础基312',
  '教基3112_小学' …), row labels and 乙 codes down the side, a 甲 | 乙 | 1 | 2 … code row.

Layout facts followed (see docs/statistics-import.md): numbers stored as text, zeros left blank,
'*' in cells that do not apply, units in title cells ('基础基512 … 单位：平方米'), in headers
('(万元)') or in a 计量单位 column, equipment in 万元, the on-screen grid labels in row 1 and
column A of the 基础基 files, 县级以上 / 县级及以上 and half- / full-width brackets as each
generation writes them. Each county-year also gets one branch campus split off a primary school
(不计校数, merged back through the filled parent map), its teaching points as 不计校数 小学教学点,
and a senior-only 高级中学 (not compulsory education: reported, not imported). What the exports do
not hold comes in the county's own workbook (our template layout): see ``supplement_workbook``.

Exact by construction: importing these files with the parent map and the supplement gives the
sample's schools table back, so every verdict, coefficient and school value (tests/test_import_roundtrip.py).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from junheng.inputs.statistics.workbook import Workbook
from junheng.sample.exports.county_wide import wide_workbooks
from junheng.sample.exports.model import GENERATIONS, county_year_stats
from junheng.sample.exports.school_workbooks import school_workbook
from junheng.sample.exports.supplement import supplement_rows, supplement_workbook


def xlsx_bytes(book: Workbook) -> bytes:
    """A Workbook (cells and merges) as an .xlsx, bit-identical on every run."""
    from openpyxl import Workbook as OpenWorkbook

    from junheng.sample.sample_province import deterministic_xlsx

    wb = OpenWorkbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    ws.cell(row=r, column=c, value=value)
        for r0, c0, r1, c1 in sheet.merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    return deterministic_xlsx(wb)


def province_exports(tables: dict, county_years=None) -> dict:
    """Per county-year: (stats, parent rows, the county's supplementary tables)."""
    schools = tables["schools"]
    out = {}
    for (code, year), part in schools.groupby(["county_code", "year"], sort=True):
        if county_years is not None and (code, int(year)) not in county_years:
            continue
        part = part.sort_values("school_code")
        stats, parents = county_year_stats(part)
        extra = {"schools": supplement_rows(part)}
        for key in ("county", "monitoring", "survey"):
            frame = tables.get(key)
            if frame is not None:
                mine = frame[(frame["county_code"] == code) & (frame["year"] == year)]
                extra[key] = mine if len(mine) else None
        out[(code, int(year))] = (stats, parents, extra)
    return out


# What is committed under data/examples/exports (the repository stays small; tests build the rest
# of the province in memory from the same code): county-wide files of every county-year in the
# 教基 generation and of one year in the 基础基 generation; school workbooks of one county-year each.
COUNTY_WIDE_YEARS = {"jiaoji-2021": None, "jichuji-2018": {2021}}
SCHOOL_WORKBOOK_SETS = {"jiaoji-2021": ("990181", 2024), "jichuji-2018": ("990181", 2021)}


def write_exports(sample: str | Path, out: str | Path, progress=None) -> list[Path]:
    """Read the sample province and write its exports under ``out``.

    county-wide/<generation>/CODE_YEAR_学段.xlsx (COUNTY_WIDE_YEARS),
    school-workbooks/<generation>/CODE_YEAR/<学校>(<办学类型>).xlsx (SCHOOL_WORKBOOK_SETS),
    supplement/CODE_YEAR_补充.xlsx (every county-year) and 不计校数归属.xlsx (the filled parent map).
    """
    from junheng.inputs.statistics.parents import build_parents_workbook
    from junheng.sample.sample_province import deterministic_xlsx

    out = Path(out)
    tables = sample_tables(sample)
    per_county_year = province_exports(tables)
    written, parents = [], []
    for n, ((code, year), (stats, parent_rows, extra)) in enumerate(sorted(per_county_year.items()), start=1):
        parents += parent_rows
        for generation in GENERATIONS:
            years = COUNTY_WIDE_YEARS[generation]
            folder = out / "county-wide" / generation
            folder.mkdir(parents=True, exist_ok=True)
            for name, book in (
                wide_workbooks(stats, generation, year) if years is None or year in years else []
            ):
                path = folder / name
                path.write_bytes(xlsx_bytes(book))
                written.append(path)
            if SCHOOL_WORKBOOK_SETS[generation] == (code, year):
                folder = out / "school-workbooks" / generation / f"{code}_{year}"
                folder.mkdir(parents=True, exist_ok=True)
                used = set()
                for s in stats:
                    name, book = school_workbook(s, generation, year)
                    if name in used:  # two schools of one name: the file names keep them apart
                        name = name.replace(".xlsx", f"_{s.code}.xlsx")
                    used.add(name)
                    path = folder / name
                    path.write_bytes(xlsx_bytes(book))
                    written.append(path)
        folder = out / "supplement"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{code}_{year}_补充.xlsx"
        path.write_bytes(deterministic_xlsx(supplement_workbook(extra)))
        written.append(path)
        if progress:
            progress(n, len(per_county_year), path)
    unique = {r["code"]: r for r in parents}
    path = out / "不计校数归属.xlsx"
    path.write_bytes(deterministic_xlsx(build_parents_workbook(list(unique.values()))))
    written.append(path)
    return written


def sample_tables(sample: str | Path) -> dict:
    """The sample's tables, read workbook by workbook.

    Columns a county added stay as it typed them (a data folder's plan targets would type the ones
    they use).
    """
    from junheng.inputs.dataset import load

    parts = [load(path) for path in sorted(Path(sample).glob("*.xlsx"))]
    tables = {}
    for key in ("schools", "county", "monitoring", "survey"):
        frames = [_canonical(getattr(ds, key)) for ds in parts if getattr(ds, key) is not None]
        tables[key] = pd.concat(frames, ignore_index=True) if frames else None
    return tables


def _canonical(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """A loaded table without the loader's bookkeeping columns, flags back to yes / no."""
    if frame is None:
        return None
    frame = frame[[c for c in frame.columns if not c.startswith("_")]].copy()
    for column in frame.columns:
        dtype = str(frame[column].dtype)
        if dtype == "boolean":
            frame[column] = frame[column].map({True: "yes", False: "no"}).astype(object)
        elif dtype in ("Float64", "Int64"):
            frame[column] = frame[column].astype("float64")
    return frame
