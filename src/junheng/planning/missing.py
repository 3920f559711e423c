"""What an incomplete county-year lacks, and the plan's first row that asks for it (补齐缺失数据).

A county-year whose workbook lacks a sheet (county indicators, monitoring, survey) or whose schools
leave an item's columns blank cannot be judged on those items; one whose import set schools aside
(`set_aside_schools`) is judged without them. Its report stays a draft, and its
plan starts with one row that names the missing sheets, the items left unassessed and, per item
judged school by school, the blank columns and the schools (`missing_fields.yaml`).
"""

from __future__ import annotations

from junheng.inputs.schema import load_schema
from junheng.yamlio import packaged

# The items a verdict rests on besides Part R: the count of items not assessed is theirs everywhere
# (cover, conclusion, plan, 分项结果, 历年): the prerequisite is shown but does not change the verdict
# (STANDARDS.md §3, Prerequisite), so it is not one of them.
VERDICT_PARTS = ("guarantee", "quality", "survey", "vetoes")


def missing_data(c) -> tuple[list[str], list[str]]:
    """The sheets this county-year lacks (besides the schools) and the items not assessed.

    (sheet keys of `SHEETS`, ids of the items of `VERDICT_PARTS` with status ``not_assessed``); both
    empty for complete data.
    """
    ds = c.dataset

    def has(*frames) -> bool:
        for frame in frames:
            if frame is not None and len(frame):
                mine = frame[(frame["county_code"] == c.code) & (frame["year"] == c.year)]
                if len(mine):
                    return True
        return False

    sheets = []
    if c.has_parts:
        if not has(ds.county):
            sheets.append("county")
        if not has(ds.monitoring):
            sheets.append("monitoring")
        if not has(ds.survey, ds.survey_responses):
            sheets.append("survey")
    items = c.items
    missing_items = (
        [
            str(i)
            for i in items.loc[(items["status"] == "not_assessed") & items["part"].isin(VERDICT_PARTS), "id"]
        ]
        if len(items)
        else []
    )
    return sheets, missing_items


def _fields() -> dict:
    return packaged("junheng.planning", "missing_fields.yaml")


def blank_fields(c) -> list[tuple[str, list[str], list[str]]]:
    """(item id, blank column headers, school names) per item not assessed for lack of school data."""
    if not len(c.items) or "evidence" not in c.items:
        return []
    columns = load_schema().tables["schools"].columns
    rows = c.school_rows.set_index("school_code")
    out = []
    for r in c.items[c.items["status"] == "not_assessed"].itertuples():
        ev = r.evidence if isinstance(r.evidence, dict) else {}
        schools = ev.get("schools_missing_data") or []
        if not schools:
            continue
        codes = [x["school_code"] for x in schools if x["school_code"] in rows.index]
        # the schools named are those where one of the item's columns is blank
        blank = [
            columns[name].zh if name in columns else name
            for name in _fields().get(r.id, [])
            if name in rows and rows.loc[codes, name].isna().any()
        ]
        if not blank:  # the schools' columns are there: what is missing is elsewhere (a county sheet)
            continue
        names = [c.school_names.get(s["school_code"], s.get("school_name", "")) for s in schools]
        out.append((r.id, blank, names))
    return out


def set_aside_schools(c) -> list[str]:
    """The compulsory schools the statistics import set aside for this county-year, by name (issue #22).

    Read back from the import's output folder (``Dataset.set_aside``): their data could not be
    read, so the verdict rests on incomplete data and the report stays a draft.
    """
    frame = getattr(c.dataset, "set_aside", None)
    if frame is None or not len(frame):
        return []
    mine = frame[(frame["county_code"] == c.code) & (frame["year"] == c.year)]
    return [
        str(n if isinstance(n, str) and n else code if isinstance(code, str) and code else f)
        for n, code, f in zip(mine["school_name"], mine["school_code"], mine["file"], strict=True)
    ]
