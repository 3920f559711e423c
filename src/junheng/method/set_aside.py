"""Schools an import set aside (docs/method.md §1, scope): excluded section-schools, with the reason.

`junheng import` writes the compulsory schools it could not import to ``set_aside.csv`` and
``load()`` reads them back (``Dataset.set_aside``, `junheng.inputs.statistics.set_aside`). They
have no values to evaluate, but every school of the input must appear in the report, evaluated or
excluded with its reason (STANDARDS.md §1): each is one excluded row (no section, as a special
school), whose reason ``set_aside_<why>`` names the export it was in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from junheng.method.sections import DESCRIPTIVE


def set_aside_rows(set_aside: pd.DataFrame | None, county_years: pd.DataFrame) -> pd.DataFrame | None:
    """The excluded section-school rows of the set-aside schools of ``county_years`` (None: none).

    A school without a code (a row without one, a file that cannot be opened) is named by its file
    and row, so that each counts once.
    """
    if set_aside is None or not len(set_aside) or county_years.empty:
        return None
    keys = county_years[["county_code", "year"]].astype({"year": "int64"})
    mine = set_aside.astype({"year": "int64"}).merge(keys, on=["county_code", "year"])
    if mine.empty:
        return None
    out = pd.DataFrame(index=mine.index)
    out["county_code"] = mine["county_code"]
    out["year"] = mine["year"]
    out["school_code"] = [
        code if isinstance(code, str) and code else f"?{Path(str(f)).name}" + (f":{r}" if pd.notna(r) else "")
        for code, f, r in zip(mine["school_code"], mine["file"], mine["row"], strict=True)
    ]
    out["school_name"] = [
        n if isinstance(n, str) and n else Path(str(f)).name
        for n, f in zip(mine["school_name"], mine["file"], strict=True)
    ]
    out["school_type"] = mine["school_type"]
    for column in DESCRIPTIVE:
        if column not in out:
            out[column] = None
    out["section"] = None
    out["students"] = float("nan")
    out["exclusion"] = "set_aside_" + mine["reason"].astype(str)
    out["exclusion_detail"] = [
        {"file": Path(str(f)).name, "row": None if pd.isna(r) else int(r)}
        for f, r in zip(mine["file"], mine["row"], strict=True)
    ]
    out["in_scope"] = False
    out["small_school"] = False
    return out.reset_index(drop=True)


def with_set_aside(
    sec: pd.DataFrame, set_aside: pd.DataFrame | None, county_years: pd.DataFrame
) -> pd.DataFrame:
    """``sec`` with the set-aside schools of ``county_years`` appended as excluded rows."""
    rows = set_aside_rows(set_aside, county_years)
    if rows is None:
        return sec
    return pd.concat([sec, rows], ignore_index=True)
