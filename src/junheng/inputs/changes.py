"""What-if change sets: per school, a data-dictionary column and a delta or a new value.

A change set is data in. It is applied to the schools table of one county-year after the data are
loaded and checked and before the method, so every frame downstream is recomputed:

    c2 = c.with_changes("changes.csv")           # or a DataFrame with the same columns
    junheng evaluate DATA --county C --year Y --changes changes.csv

Columns of a change set (CSV, UTF-8, one change a row):

    school_code  the school's 10-digit identifier (must be a school of the county-year)
    column       a numeric column of the schools table: its key (``teachers_qualified_junior``),
                 its Chinese name (初中高于规定学历教师数) or, for a per-section column, the name
                 without the section (``teachers_qualified``) together with ``section``
    delta        the amount added (negative: removed), or
    value        the new value (exactly one of ``delta`` and ``value`` per row)
    section      primary / junior (小学 / 初中): which section of the column is meant, needed
                 where the school has both; optional where the school has one

Rows are applied in order (a value, then a delta on the same cell, adds to the new value). Every
mistake is a located error (`ChangeError`: file, row, column, in zh or en), never a silent no-op:
an unknown school or column, a column the school does not have (a primary column on a junior
school), a result below zero, a fraction of a teacher or a room, or a result that the data checks
reject (more qualified teachers than teachers).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from junheng.i18n import t
from junheng.inputs.schema import SHARED_RESOURCES, TYPE_SECTIONS, TYPE_STUDENT_PARTS, load_schema, normalise
from junheng.problems import ERROR, Problem

COLUMNS = ("school_code", "column", "delta", "value", "section")
REQUIRED = ("school_code", "column")
NAMESPACE = "changes"  # problem codes changes.<name>: messages in locale/optimal.yaml
NUMERIC = ("int", "number")


class _Row:
    """One row of a change set (text cells) and where it is."""

    def __init__(self, school_code, column, delta, value, section, _file, _row):
        self.school_code, self.column, self.delta, self.value = school_code, column, delta, value
        self.section, self.file, self.line = section, _file, int(_row)


class ChangeError(ValueError):
    """A change set that cannot be applied; ``problems`` lists every error found, located."""

    def __init__(self, problems: list[Problem], lang: str = "zh"):
        self.problems = problems
        self.lang = lang
        head = t("changes.problem.invalid", lang, count=len(problems))
        super().__init__("\n".join([head, *(p.message(lang) for p in problems)]))


def _problem(file, code, row=None, column="", **params) -> Problem:
    return Problem(ERROR, f"{NAMESPACE}.{code}", file=file, row=row, column=column, params=params)


def read_changes(changes, lang: str = "zh") -> pd.DataFrame:
    """A change set as a frame of text cells with ``_file`` and ``_row`` (the CSV line).

    ``changes``: a CSV path, or a DataFrame (rows numbered from 1). Raises `ChangeError` for an
    unreadable file or a missing or unknown CSV column.
    """
    if isinstance(changes, pd.DataFrame):
        frame = changes.copy()
        file = "changes"
        first_row = 1
    else:
        path = Path(changes)
        file = str(path)
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ChangeError([_problem(file, "unreadable", detail=str(exc)[:200])], lang) from None
        first_row = 2  # line 1 is the header
    frame.columns = [str(c).strip() for c in frame.columns]
    problems = [
        _problem(file, "unknown_header", column=c, choices=", ".join(COLUMNS))
        for c in frame.columns
        if c not in COLUMNS
    ]
    problems += [_problem(file, "missing_header", column=c) for c in REQUIRED if c not in frame.columns]
    if "delta" not in frame.columns and "value" not in frame.columns:
        problems.append(_problem(file, "missing_header", column="delta"))
    if problems:
        raise ChangeError(problems, lang)
    for c in COLUMNS:
        if c not in frame.columns:
            frame[c] = ""
    out = frame[list(COLUMNS)].copy()
    for c in COLUMNS:
        out[c] = [_text(v) for v in out[c]]
    out["_file"] = file
    out["_row"] = np.arange(first_row, first_row + len(out))
    return out.reset_index(drop=True)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(text: str):
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _resolve_column(name: str, section: str | None, school_type: str):
    """(column key, problem code or None) for a column name, a section and the school's type."""
    table = load_schema().tables["schools"]
    col, _unit = table.column_for_header(name)
    sections = TYPE_SECTIONS.get(school_type, ())
    parts = TYPE_STUDENT_PARTS.get(school_type, ())
    if col is None:
        # a per-section column named without its section: teachers_qualified + section
        base = normalise(name).lower()
        found = [
            c
            for c in table.columns.values()
            if c.section in ("primary", "junior")
            and (c.key.removesuffix(f"_{c.section}") == base or normalise(c.zh)[2:].lower() == base)
        ]
        if not found:
            return None, "unknown_column"
        if section is None:
            mine = [c for c in found if c.section in sections]
            if len(mine) != 1:
                return None, "section_required" if len(mine) > 1 else "not_in_school"
            col = mine[0]
        else:
            match = [c for c in found if c.section == section]
            if not match:
                return None, "not_in_school"
            col = match[0]
    if col.type not in NUMERIC:
        return None, "not_numeric"
    if col.section is not None:
        if section is not None and section != col.section:
            return None, "section_mismatch"
        have = parts if col.key.startswith("students_") else sections
        if col.section not in have:
            return None, "not_in_school"
    elif section is not None:
        return None, "whole_school"
    return col, None


def apply_changes(schools: pd.DataFrame, changes, county_code: str, year: int, lang: str = "zh"):
    """The schools table with the change set applied to the rows of one county-year.

    Returns ``(new_schools, applied)`` where ``applied`` lists every change with its column key and
    the values before and after. Raises `ChangeError` with every error found, located.
    """
    frame = read_changes(changes, lang)
    schema = load_schema()
    table = schema.tables["schools"]
    sections = schema.enum_lookup("section")
    out = schools.copy()
    mine = out.index[(out["county_code"] == county_code) & (out["year"] == int(year))]
    by_code = {str(code): idx for code, idx in zip(out.loc[mine, "school_code"], mine, strict=True)}
    problems, applied = [], []
    for rec in frame.to_dict("records"):
        row = _Row(**rec)
        file, line = row.file, row.line
        code = row.school_code
        if not code:
            problems.append(_problem(file, "blank", line, "school_code"))
            continue
        idx = by_code.get(code)
        if idx is None:
            problems.append(
                _problem(
                    file,
                    "unknown_school",
                    line,
                    "school_code",
                    value=code,
                    county=county_code,
                    year=int(year),
                )
            )
            continue
        section = None
        if row.section:
            section = sections.get(normalise(row.section).lower())
            if section not in ("primary", "junior"):
                problems.append(_problem(file, "bad_section", line, "section", value=row.section))
                continue
        if not row.column:
            problems.append(_problem(file, "blank", line, "column"))
            continue
        school_type = out.at[idx, "school_type"]
        col, code_ = _resolve_column(row.column, section, school_type)
        if code_:
            type_name = schema.enums["school_type"].get(school_type, {"zh": school_type, "en": school_type})
            sectional = code_ in ("section_mismatch", "whole_school", "section_required")
            where = "section" if sectional else "column"
            problems.append(
                _problem(
                    file,
                    code_,
                    line,
                    where,
                    value=row.column,
                    school=code,
                    school_type=type_name,
                    section=row.section,
                )
            )
            continue
        has_delta, has_value = bool(row.delta), bool(row.value)
        if has_delta == has_value:
            problems.append(_problem(file, "one_amount", line, "delta"))
            continue
        text = row.delta if has_delta else row.value
        amount = _number(text)
        if amount is None:
            where = "delta" if has_delta else "value"
            problems.append(_problem(file, "not_a_number", line, where, value=text))
            continue
        before = out.at[idx, col.key]
        before = 0.0 if pd.isna(before) else float(before)
        after = before + amount if has_delta else amount
        where = "delta" if has_delta else "value"
        if after < 0:
            problems.append(
                _problem(
                    file,
                    "negative",
                    line,
                    where,
                    value=text,
                    column_name=col.key,
                    before=_shown(before),
                    after=_shown(after),
                )
            )
            continue
        if col.type == "int" and abs(after - round(after)) > 1e-9:
            problems.append(_problem(file, "not_integer", line, where, value=text, column_name=col.key))
            continue
        out.at[idx, col.key] = after
        applied.append(
            {
                "school_code": code,
                "column": col.key,
                "header": col.header,
                "before": before,
                "after": after,
                "file": file,
                "row": line,
            }
        )
    if problems:
        raise ChangeError(problems, lang)
    _recheck(out, schools, list(mine), applied, table, lang)
    return out, applied


def _recheck(out, original, mine, applied, table, lang):
    """The schools' data checks on the changed rows: an error they did not have is the change's."""
    from junheng.inputs.validation import check_schools

    if not applied:
        return
    changed = {a["school_code"] for a in applied}
    idx = [i for i in mine if str(out.at[i, "school_code"]) in changed]
    before, after = [], []
    check_schools(original.loc[idx].copy(), before)
    check_schools(out.loc[idx].copy(), after)
    seen = {(p.code, p.row, p.column) for p in before}
    problems = []
    for p in after:
        if p.severity != ERROR or (p.code, p.row, p.column) in seen:
            continue
        culprit = next((a for a in applied if table.columns[a["column"]].header == p.column), applied[-1])
        problems.append(
            _problem(culprit["file"], "rejected", culprit["row"], "column", detail=p.message(lang))
        )
    if problems:
        raise ChangeError(problems, lang)


def _shown(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def whole_school(column: str) -> bool:
    """Whether a schools column is counted once per school (split between sections)."""
    return column in SHARED_RESOURCES


def apply_to_dataset(dataset, changes, county_code: str, year: int, lang: str = "zh"):
    """A copy of a loaded `Dataset` with the change set applied to one county-year's schools.

    Returns ``(dataset, applied)``; the original dataset is not modified.
    """
    import dataclasses

    schools, applied = apply_changes(dataset.schools, changes, county_code, year, lang)
    return dataclasses.replace(dataset, schools=schools, problems=list(dataset.problems)), applied
