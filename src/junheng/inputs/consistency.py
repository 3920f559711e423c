"""A county-year workbook holds one county and one year: a row of another is said, not split off.

A workbook named ``990102_2024.xlsx`` (or, without such a name, whose schools sheet is mostly one
county-year) belongs to that county-year. A row of another year or county in it would otherwise
become a county-year of its own (one school) while its own county-year silently lost a school
(issue #22). Each such row is a located error of the workbook's county-year (which gets no
verdict) and is left out, so that no county-year of one stray school appears; a whole sheet of
another county-year than the file name says is one error of the sheet. Tables (CSV, Parquet) hold any
number of counties and years and are not checked. Monitoring results may be of an earlier year
(Q9 uses the latest monitoring): only their county is checked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from junheng.inputs.schema import load_schema
from junheng.inputs.sources import _WORKBOOK_NAME, ROW, WORKBOOK_SUFFIXES
from junheng.problems import ERROR, Problem

FILE, SHEET = "_file", "_sheet"
YEAR_CHECKED = ("schools", "county", "survey", "survey_responses")
WHAT = {
    "county_code": {"zh": "县级行政区划代码", "en": "county code"},
    "year": {"zh": "学年", "en": "year"},
}
BASIS = {
    "name": {"zh": "文件名", "en": "the file name"},
    "majority": {"zh": "“学校”工作表中的多数行", "en": "most rows of the schools sheet"},
}


def _in_workbooks(files: pd.Series) -> np.ndarray:
    """Which rows were read from a workbook (by the file's suffix, any case): tables are not judged."""
    return np.array([str(f).lower().endswith(WORKBOOK_SUFFIXES) for f in files], dtype=bool)


def _label(county: str, year) -> str:
    return f"{county} / {int(year)}"


def _expected(file: str, schools: pd.DataFrame | None) -> tuple[tuple, str] | tuple[None, None]:
    """The county-year a workbook belongs to, and why: its name, or most of its schools."""
    match = _WORKBOOK_NAME.search(Path(file).stem)
    if match and not match.group(1).endswith("00"):  # a prefecture's code (…00) names no county
        return (match.group(1), int(match.group(2))), "name"
    if schools is None:
        return None, None
    mine = schools[(schools[FILE] == file)].dropna(subset=["county_code", "year"])
    if mine.empty:
        return None, None
    counts = mine.groupby(["county_code", "year"]).size().sort_values(ascending=False, kind="stable")
    if counts.iloc[0] * 2 <= len(mine):
        return None, None  # no majority: a workbook of several counties is not judged
    county, year = counts.index[0]
    return (county, int(year)), "majority"


def _all_expected(rows: pd.DataFrame, check_year: bool, expected_of: dict, schools) -> bool:
    """Every row of ``rows`` holds its workbook's county-year (or its workbook is not judged).

    The check of `check_county_years`, row by row on plain arrays, without its messages: only a
    table with a row of another county or year needs the sheet-by-sheet pass that words them.
    """
    rows = rows.dropna(subset=["county_code", "year"])
    if rows.empty:
        return True
    files = rows[FILE].to_numpy(dtype=object)
    for file in dict.fromkeys(files):
        if file not in expected_of:
            expected_of[file] = _expected(file, schools)
    codes = rows["county_code"].to_numpy(dtype=object)
    years = rows["year"].to_numpy(dtype=object)
    for file, code, year in zip(files, codes, years, strict=True):
        expected = expected_of[file][0]
        if expected is not None and (code != expected[0] or (check_year and year != expected[1])):
            return False
    return True


def check_county_years(frames: dict, problems: list) -> dict:
    """Report rows (and whole sheets) of a county-year workbook that hold another county or year.

    Returns the frames without those rows.
    """
    schema = load_schema()
    schools = frames.get("schools")
    expected_of: dict = {}
    out = dict(frames)
    for key, frame in frames.items():
        if frame is None or frame.empty or "county_code" not in frame:
            continue
        drop = []
        table = schema.tables[key]
        check_year = key in YEAR_CHECKED
        workbook = _in_workbooks(frame[FILE])
        located = frame.loc[workbook, [FILE, "county_code", "year"]]  # not the whole table
        if _all_expected(located, check_year, expected_of, schools):
            continue  # the usual case, seen at once: no row to tell of, sheet by sheet
        for (file, sheet), rows in frame[workbook].groupby([FILE, SHEET], sort=False):
            if file not in expected_of:
                expected_of[file] = _expected(file, schools)
            expected, basis = expected_of[file]
            if expected is None:
                continue
            rows = rows.dropna(subset=["county_code", "year"])
            other_county = rows["county_code"] != expected[0]
            other_year = (rows["year"] != expected[1]) if check_year else pd.Series(False, index=rows.index)
            odd = rows[other_county | other_year]
            if odd.empty:
                continue
            drop.extend(odd.index)
            found = sorted({(c, int(y)) for c, y in zip(odd["county_code"], odd["year"], strict=True)})
            if len(odd) == len(rows) and basis == "name":  # the whole sheet: one message
                params = {
                    "found": "、".join(_label(c, y) for c, y in found),
                    "expected": _label(*expected),
                }
                problems.append(
                    Problem(
                        ERROR,
                        "sheet_other_county_year",
                        file,
                        sheet,
                        params=params,
                        county_code=expected[0],
                        year=expected[1],
                    )
                )
                continue
            for idx in odd.index:
                row = odd.loc[idx]
                column = "county_code" if other_county[idx] else "year"
                value = row[column] if column == "county_code" else int(row[column])
                params = {
                    "what": WHAT[column],
                    "value": value,
                    "expected": _label(*expected),
                    "basis": BASIS[basis],
                }
                problems.append(
                    Problem(
                        ERROR,
                        "row_other_county_year",
                        file,
                        sheet,
                        int(row[ROW]),
                        table.columns[column].header,
                        params,
                        expected[0],
                        expected[1],
                    )
                )
        if drop:
            out[key] = frame.drop(index=drop).reset_index(drop=True)
    return out
