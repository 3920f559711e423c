"""The compulsory-education schools an import set aside, written beside the tables and read back.

`junheng import` lists every input row it did not import in ``import_report.md``. The schools of
compulsory education among them (rows of a sheet whose header, 学段 or year could not be read, a
row without a school code, a school of another county-year, a file that could not be opened, a
school whose other 学段 is in such a sheet) must not disappear from a later evaluation of the
import's output folder (issue #22, STANDARDS.md §1 "Nothing silently disappears"): the import writes
them to ``set_aside.csv`` (code, name, 办学类型, 学段, reason, where), ``load()`` reads it back
(``Dataset.set_aside``), the evaluation lists each as excluded with its reason, and a warning of the
county-year says its verdict rests on incomplete data.

Institutions that are not compulsory education (kindergartens, senior high schools …) are not
part of the evaluation: they stay in the import report only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from junheng.inputs.statistics.outputs import SET_ASIDE_FILE

# the reasons a compulsory school is set aside; every one leaves the county-year's data incomplete
LISTED = (
    "header_unrecognised",
    "section_unknown",
    "year_unknown",
    "no_school_code",
    "other_county_year",
    "unreadable_file",
    "part_not_read",
)
COLUMNS = [
    "county_code",
    "year",
    "school_code",
    "school_name",
    "school_type",
    "type_code",
    "type_name",
    "section",
    "reason",
    "reason_text",
    "file",
    "sheet",
    "row",
]


def _text(value):
    return value if isinstance(value, str) and value.strip() else None


def _county_years(entry: dict, imported: set) -> list:
    """The county-years a set-aside school is missing from (see belonging.attribute)."""
    from junheng.inputs.statistics.belonging import named
    from junheng.inputs.statistics.identity import county_code

    if entry.get("among"):
        return [(str(entry["among"][0]), int(entry["among"][1]))]
    year = entry.get("year")
    year = int(year) if year is not None and year == year else None
    county = entry.get("county_code") or county_code(_text(entry.get("division_code")), None)
    if county and year is not None:
        return [(county, year)]
    name = named(str(entry["file"]))
    if name:
        return [name]
    found = sorted(
        cy for cy in imported if (year is None or cy[1] == year) and (not county or cy[0] == county)
    )
    return found or [(county, year)]


def set_aside_table(result, schools: pd.DataFrame | None, lang: str = "zh") -> pd.DataFrame:
    """One row per compulsory school set aside and county-year it is missing from.

    A school listed twice (its 小学 row in a sheet not read, its 初中 row set aside with it) is one
    row: the first reason.
    """
    from junheng.i18n import t
    from junheng.inputs.statistics.codes import school_type, school_type_label

    imported = set()
    if schools is not None and len(schools):
        known = schools.dropna(subset=["county_code", "year"])
        imported = set(zip(known["county_code"], known["year"].astype(int), strict=True))
    rows, seen = [], set()
    for entry in result.extraction.skipped:
        if entry["reason"] not in LISTED:
            continue
        type_code, type_name = _text(entry.get("type_code")), _text(entry.get("type_name"))
        kind, known = school_type(type_code, type_name)
        if kind is None and known:
            continue  # a kindergarten, a senior high school …: in the import report only
        code = _text(entry.get("school_code"))
        for county, year in _county_years(entry, imported):
            if code and (county, year, code) in seen:
                continue
            seen.add((county, year, code))
            rows.append(
                {
                    "county_code": county,
                    "year": year,
                    "school_code": code,
                    "school_name": _text(entry.get("school_name")) or _text(entry.get("label")),
                    "school_type": kind or type_name or type_code,
                    "type_code": type_code,
                    "type_name": school_type_label(type_code, type_name) or None,
                    "section": entry.get("section"),
                    "reason": entry["reason"],
                    "reason_text": t(f"statistics.report.reasons.{entry['reason']}", lang),
                    "file": str(entry.get("not_read") or entry["file"]),
                    "sheet": entry.get("sheet") or None,
                    "row": entry.get("row"),
                }
            )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["year"] = pd.array(frame["year"], dtype="Int64")
    frame["row"] = pd.array(frame["row"], dtype="Int64")
    return frame


def write_set_aside(frame: pd.DataFrame, out: Path) -> Path:
    """``set_aside.csv`` in ``out`` (written even when empty: an earlier import's list is replaced)."""
    from junheng.inputs.statistics.command import without_formulas

    path = out / SET_ASIDE_FILE
    without_formulas(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def read_set_aside(data, counties=None, years=None) -> pd.DataFrame | None:
    """The set-aside schools of an import's output folder (None: not such a folder, or none set aside).

    Only a folder the import wrote (its report beside the file). Codes stay text; the formula
    guard's apostrophe is removed.
    """
    from junheng.inputs.statistics.outputs import REPORT_JSON, unguarded

    if not isinstance(data, (str, Path)):
        return None
    folder = Path(data)
    path = folder / SET_ASIDE_FILE
    if not folder.is_dir() or not path.is_file() or not (folder / REPORT_JSON).is_file():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if frame.empty or not set(COLUMNS) <= set(frame.columns):
        return None
    frame = frame[COLUMNS].map(lambda v: unguarded(v) or None)
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    frame["row"] = pd.to_numeric(frame["row"], errors="coerce").astype("Int64")
    keep = frame["county_code"].notna() & frame["year"].notna()
    if counties:
        keep &= frame["county_code"].isin(counties)
    if years:
        keep &= frame["year"].isin(years)
    frame = frame[keep].reset_index(drop=True)
    return frame if len(frame) else None
