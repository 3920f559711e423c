"""Plan targets into the Dataset.

Read every targets file and sheet, check them against the data,
keep one definition per county and target id, and type the county-added columns they use.
"""

from __future__ import annotations

from pathlib import Path

from junheng.inputs.targets.columns import ColumnCatalog, note_custom_columns, type_custom_columns
from junheng.inputs.targets.model import Target
from junheng.inputs.targets.parse import parse_target
from junheng.inputs.targets.sources import read_sheet, read_yaml, target_files
from junheng.inputs.validation import FILE
from junheng.problems import ERROR, WARNING


def _workbooks(schools) -> list[tuple]:
    """The workbooks the loader read, each with its county and year when it holds only one."""
    if schools is None or FILE not in schools:
        return []
    out = []
    for file, rows in schools[[FILE, "county_code", "year"]].groupby(FILE, sort=False):  # not every column
        if not str(file).lower().endswith((".xlsx", ".xlsm")):
            continue
        codes = rows["county_code"].dropna().unique()
        years = rows["year"].dropna().unique()
        out.append((file, codes[0] if len(codes) == 1 else None, int(years[0]) if len(years) == 1 else None))
    return out


def _one_per_id(targets: list[Target], problems: list) -> list[Target]:
    """Keep one definition per county and target id.

    A plan repeated in every yearly workbook is one plan. Two different definitions of a target:
    the later workbook's wins (a revised plan, with a warning); otherwise the second is an error.
    """
    kept: dict = {}
    for target in targets:
        key = (target.county_code, target.id)
        first = kept.get(key)
        if first is None:
            kept[key] = target
            continue
        later_year = (target.year or 0) > (first.year or 0)
        if first.definition() == target.definition():
            if later_year:
                kept[key] = target
            continue
        if first.year is not None and target.year is not None and first.year != target.year:
            later, earlier = (target, first) if later_year else (first, target)
            kept[key] = later
            problems.append(
                earlier.where.problem(
                    WARNING, "redefined", target.county_code, id=target.id, other=later.where.shown()
                )
            )
        else:
            problems.append(
                target.where.problem(
                    ERROR, "duplicate_id", target.county_code, id=target.id, other=first.where.shown()
                )
            )
    return list(kept.values())


def read_targets(ds, data, counties=None) -> tuple[list[Target], list, dict]:
    """Targets of DATA for the dataset ``ds``.

    The schools of ``ds`` tell which county-added columns exist and
    which workbooks were read. Returns the targets, their problems, and the county-added columns
    they use (name -> counties).
    """
    problems: list = []
    raws = []
    for path in target_files(data):
        raws += read_yaml(path, problems)
    for file, county, year in _workbooks(ds.schools):
        raws += read_sheet(Path(file), problems, county, year)
    catalog = ColumnCatalog(ds.schools)
    usage: dict = {}
    parsed = [parse_target(raw, catalog, problems, usage) for raw in raws]
    targets = _one_per_id([t for t in parsed if t is not None], problems)
    if counties:
        targets = [t for t in targets if t.county_code in counties]
        problems = [p for p in problems if p.county_code is None or p.county_code in counties]
    present = set() if ds.schools is None else set(ds.schools["county_code"].dropna())
    for code in dict.fromkeys(t.county_code for t in targets if t.county_code not in present):
        first = next(t for t in targets if t.county_code == code)
        problems.append(first.where.problem(WARNING, "county_not_in_data", code, county=code))
    used: dict = {}
    for target in targets:
        for name in (target.measure.column, target.measure.flag, target.measure.denominator):
            if name in usage:
                used.setdefault(name, set()).add(target.county_code)
    if ds.schools is not None and usage:
        type_custom_columns(ds.schools, {name: usage[name] for name in used}, problems)
    problems.sort(key=lambda p: (p.file, p.sheet, p.row or 0))  # in the order of the files' lines
    return targets, problems, used


def attach_targets(ds, data, counties=None) -> None:
    """Give the dataset its targets and their problems.

    Problems are attributed to the county, with year None: they concern
    every year of the county; a targets error does not block the county's evaluation.
    """
    targets, problems, used = read_targets(ds, data, counties)
    ds.problems[:] = note_custom_columns(ds.problems, used) + problems
    ds.targets = targets
