"""What the statistics system does not hold, from the county's own workbook in our template layout.

The exports have no music or art rooms, school charters, catchment admissions, largest class (only
class-size buckets), public funds or training data, and no county-level items at all. A county
adds them in a workbook laid out like `junheng template`: a 学校 sheet keyed by 学校标识码 (and
学年) with just the columns it has, and the county-level sheets (县级指标, 质量监测, 问卷汇总…). The
import fills a school's column from it only where the export gave no value; where both give one
and they differ, the export's value is kept and the difference reported. County-level sheets are
passed through unchanged. Nothing the county did not supply is invented: those items stay 'not
assessed'. Columns the county added to its 学校 sheet are kept too, as the loader keeps them (its
rectification plans may refer to them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from junheng.inputs.schema import load_schema
from junheng.inputs.sources import RawTable, read_workbook
from junheng.inputs.validation import CUSTOM, FILE, ROW, SHEET, TableCleaner
from junheng.problems import INFO, WARNING, Problem

IDENTITY = (
    "county_code",
    "county_name",
    "year",
    "school_code",
    "school_name",
    "school_type",
    "ownership",
    "location",
)
QUIET = {"missing_column", "missing_optional_column", "required_value", "no_schools_sheet"}


@dataclass
class Supplement:
    """The county's own workbooks: typed 学校 rows and the county-level tables."""

    files: list = field(default_factory=list)
    schools: pd.DataFrame | None = None  # typed rows of the 学校 sheets
    provided: list = field(default_factory=list)  # contract columns the 学校 sheets have
    provided_by: dict = field(default_factory=dict)  # contract column -> the files whose 学校 sheet has it
    custom: list = field(default_factory=list)  # columns the county added ('custom:…'): kept for its plans
    passthrough: list = field(default_factory=list)  # RawTables of the county-level sheets


class _PartialCleaner(TableCleaner):
    """Types a supplement's 学校 sheet, where any column may be left out or empty.

    The exports give the rest, so missing and empty cells are not reported; bad values still are.
    """

    def _report_required(self, blank, col, shown):
        return None

    def _whole_column_blank(self, blank, col):
        return None  # a column the exports fill may be left empty here


def read_supplements(paths, problems: list) -> Supplement:
    """Read the county's workbooks; their own cell problems are reported where they are."""
    out = Supplement(files=[str(p) for p in paths])
    table = load_schema().tables["schools"]
    groups: dict = {}
    found: list = []
    for path in paths:
        for raw in read_workbook(Path(path), found):
            if raw.table != "schools":
                out.passthrough.append(raw)
                continue
            for header in raw.headers:
                col, _ = table.column_for_header(header) if header else (None, None)
                if col is not None and col.key not in out.provided:
                    out.provided.append(col.key)
                if col is not None:
                    out.provided_by.setdefault(col.key, []).append(raw.file)
            groups.setdefault(tuple(raw.headers), []).append(raw)
    frames = []
    for group in groups.values():  # sheets with the same headers are typed in one pass
        stacked = RawTable(
            "schools",
            group[0].file,
            group[0].sheet,
            group[0].headers,
            pd.concat([raw.frame for raw in group], ignore_index=True),
        )
        origins = pd.DataFrame(
            {
                FILE: [raw.file for raw in group for _ in range(len(raw.frame))],
                SHEET: [raw.sheet for raw in group for _ in range(len(raw.frame))],
            }
        )
        frames.append(_PartialCleaner(stacked, found, origins).run())
    problems.extend(p for p in found if p.code not in QUIET)
    if frames:
        out.schools = pd.concat(frames, ignore_index=True)
        out.custom = [c for c in out.schools.columns if c.startswith(CUSTOM)]
    return out


def _empty(values: pd.Series) -> pd.Series:
    return values.isna() if values.dtype != object else values.map(lambda v: v is None or v != v)


def merge_supplement(schools: pd.DataFrame, supplement: Supplement, ext) -> pd.DataFrame:
    """Fill the schools' empty columns from the supplement (export values win)."""
    if supplement.schools is None or schools.empty:
        return schools
    extra = [c for c in supplement.provided if c not in IDENTITY or c == "county_name"] + supplement.custom
    rows = supplement.schools[supplement.schools["school_code"].notna()]
    rows = rows.assign(_at=range(len(rows)))
    keyed = rows[rows["year"].notna()].assign(year=lambda f: f["year"].astype("int64"))
    any_year = rows[rows["year"].isna()].drop(columns="year")
    targets = schools[["school_code", "year"]].assign(_school=range(len(schools)))
    targets["year"] = targets["year"].astype("int64")
    matched = pd.concat(
        [
            targets.merge(keyed, on=["school_code", "year"]),
            targets.merge(any_year, on="school_code"),
        ],
        ignore_index=True,
    ).drop_duplicates("_school")
    _unmatched(rows[~rows["_at"].isin(matched["_at"])], schools, ext)
    schools = schools.copy()
    headers = load_schema().tables["schools"].columns
    for column in extra:
        if column not in schools.columns:
            schools[column] = None
        given = matched[~_empty(matched[column])]
        if given.empty:
            continue
        current = schools[column].iloc[given["_school"].to_numpy()]
        fill = _empty(current).to_numpy()
        position = schools.columns.get_loc(column)
        if schools[column].dtype != object and given[column].dtype == object:
            schools[column] = schools[column].astype(object)
        schools.iloc[given["_school"].to_numpy()[fill], position] = given[column].to_numpy()[fill]
        differ = ~fill & (current.to_numpy() != given[column].to_numpy())
        for (_, row), value in zip(given[differ].iterrows(), current.to_numpy()[differ], strict=True):
            ext.problems.append(
                Problem(
                    WARNING,
                    "statistics.supplement_conflict",
                    row[FILE],
                    row[SHEET],
                    int(row[ROW]),
                    headers[column].header,
                    {"code": row["school_code"], "export": value, "supplement": row[column]},
                )
            )
    return schools


def _unmatched(rows: pd.DataFrame, schools: pd.DataFrame, ext) -> None:
    """Report supplement rows that match no imported school.

    A warning when their county-year was imported (a wrong code?), a count per file when they
    belong to other counties or years.
    """
    years = set(schools["year"].astype("int64"))
    counties = set(schools["county_code"].dropna())
    aside = {s["school_code"] for s in ext.skipped if s.get("school_code")}  # listed as not imported
    outside = {}
    for _, row in rows.iterrows():
        if row["school_code"] in aside:
            continue
        beyond = (pd.notna(row["year"]) and int(row["year"]) not in years) or (
            row["county_code"] is not None and row["county_code"] not in counties
        )
        if beyond:
            outside[row[FILE]] = outside.get(row[FILE], 0) + 1
        else:
            ext.problems.append(
                Problem(
                    WARNING,
                    "statistics.supplement_unknown_school",
                    row[FILE],
                    row[SHEET],
                    int(row[ROW]),
                    "",
                    {"code": row["school_code"]},
                )
            )
    for file, count in outside.items():
        ext.problems.append(Problem(INFO, "statistics.supplement_outside", file, params={"rows": count}))
