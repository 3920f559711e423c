"""Shape B: a county-wide sheet, one row per school under multi-row merged headers.

Usually one file per 学段. Columns are found by header path; each row is one record holding that
学段's students and teachers, the school's identity and its whole-school resources (repeated in
every 学段 file of a combined school: counted once when the records are combined).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from junheng.inputs.statistics import cells
from junheng.inputs.statistics.codes import codes, section_in
from junheng.inputs.statistics.header_check import data_in_header, header_problem
from junheng.inputs.statistics.labels import _in_order, fold, path_matches, show_path
from junheng.inputs.statistics.layout import Layout
from junheng.inputs.statistics.mapping import Field, Mapping
from junheng.inputs.statistics.records import (
    COUNTY_WIDE,
    SCHOOL,
    Extraction,
    class_size_range,
    file_year,
    is_summary,
    key,
    oversized,
)
from junheng.inputs.statistics.units import factor, report
from junheng.inputs.statistics.workbook import Sheet, Workbook, column_letter
from junheng.problems import ERROR, INFO, WARNING, Problem


def find_column(columns, alternatives) -> tuple[str, list]:
    """The column of the first alternative that matches.

    ('ok', [column]) when it matches exactly one column; ('ambiguous', columns) when it matches
    several; ('not_found', []).
    """
    paths = tuple(c.path for c in columns)
    for alternative in alternatives:
        matches = [columns[i] for i in _matching(alternative, paths)]
        if len(matches) == 1:
            return "ok", matches
        if matches:
            return "ambiguous", matches
    return "not_found", []


@lru_cache(maxsize=16384)
def _matching(patterns: tuple, paths: tuple) -> tuple:
    """Positions of the header paths that the pattern path matches.

    Remembered by content: the sheets of one table generation share their header paths, and each
    field's patterns are tried against every column of every sheet.
    """
    return tuple(i for i, path in enumerate(paths) if path_matches(patterns, path))


def wide_mapping(layout: Layout, mappings) -> Mapping | None:
    """The mapping for a sheet with a school-code column, if any.

    The one whose ``detect.header`` names a header (if exactly one does), else the one finding
    most fields.
    """
    usable = [
        m
        for m in mappings
        if any(find_column(layout.columns, f.wide)[0] == "ok" for f in m.with_role("school_code"))
    ]
    if len(usable) <= 1:
        return usable[0] if usable else None
    named = [
        m
        for m in usable
        if m.detect_header and any(m.detect_header.match(level) for c in layout.columns for level in c.path)
    ]
    if len(named) == 1:
        return named[0]

    def score(m):
        return sum(find_column(layout.columns, f.wide)[0] == "ok" for f in m.fields.values() if f.wide)

    return max(named or usable, key=score)


def _section_from_tables(layout: Layout, mapping: Mapping) -> str | None:
    """The 学段 whose student table code heads some columns ('教基3115' -> junior), if only one."""
    found = {
        section
        for fld in mapping.with_role("students")
        for section, locators in fld.workbook_sections.items()
        for loc in locators
        if any(loc.table.match(level) for c in layout.columns for level in c.path[:1])
    }
    return found.pop() if len(found) == 1 else None


def _targets(fld: Field, section: str) -> list:
    if fld.per_section:
        targets = [(section, fld.wide)] if fld.wide else []
        return targets + list(fld.wide_sections.items())
    return [(None, fld.wide)] if fld.wide else []


def read_wide_sheet(
    book: Workbook,
    sheet: Sheet,
    layout: Layout,
    mapping: Mapping,
    year: int | None,
    ext: Extraction,
    order: int,
) -> list[dict]:
    """One record per school row of a county-wide sheet."""
    path = book.path
    section = (
        section_in(layout.title)
        or section_in(sheet.name)
        or section_in(Path(path).stem)
        or _section_from_tables(layout, mapping)
    )
    year = year or file_year(layout.title, path)
    into_data = data_in_header(layout)
    start = into_data[0] if into_data else layout.data_start  # a header swallowing schools: theirs
    data = [(r, row) for r, row in enumerate(sheet.rows[start:], start=start)]
    data = [(r, row) for r, row in data if any(v not in (None, "") for v in row)]
    ext.inputs.append(
        {
            "file": path,
            "sheet": sheet.name,
            "shape": COUNTY_WIDE,
            "generation": mapping.generation,
            "section": section,
            "year": year,
            "rows": len(data),
            "header_rows": f"{layout.header_rows.start + 1}-{layout.header_rows.stop}",
        }
    )
    ext.rows_read += len(data)
    if section is None or year is None:
        code = "section_unknown" if section is None else "year_unknown"
        ext.problem(ERROR, code, path, sheet.name)
        for (r, _), who in zip(data, identities(layout, mapping, data), strict=True):
            ext.skip(path, sheet.name, r + 1, code, section=section, year=year, **who)
        return []
    targets = [(f, s, alts) for f in mapping.fields.values() for s, alts in _targets(f, section)]
    broken = header_problem(layout, mapping, targets)
    if broken is not None:  # one error for the sheet, not one per column and school
        message, params = broken
        ext.problem(ERROR, message, path, sheet.name, skipped=len(data), **params)
        ext.problems[-1].year = year  # its county-years: see belonging.attribute
        for (r, _), who in zip(data, identities(layout, mapping, data), strict=True):
            ext.skip(path, sheet.name, r + 1, "header_unrecognised", section=section, year=year, **who)
        return []
    texts, numbers = {}, {}
    for fld, target_section, alternatives in targets:
        _column(fld, target_section, alternatives, layout, data, mapping, ext, path, sheet, texts, numbers)
    for fld in mapping.with_role("class_buckets"):
        _buckets(fld, section, layout, data, mapping, ext, path, sheet, numbers)
    return _records(data, texts, numbers, mapping, ext, path, sheet, section, year, order)


SKIPPED_IDENTITY = ("school_code", "school_name", "school_type_code", "school_type_name", "division_code")


def identities(layout: Layout, mapping: Mapping, data) -> list[dict]:
    """Per data row, who the school is, as far as the identity columns can be found (issue #22).

    For rows not imported (a sheet whose header is refused, whose 学段 or year is unknown): the
    import report and the set-aside table name each school by its code, name and 办学类型. The
    identity columns are one-level headers, found even when a merged header above the tables is
    broken; what is not found stays None.
    """
    found = {}
    for role in SKIPPED_IDENTITY:
        for fld in mapping.with_role(role):
            status, columns = find_column(layout.columns, fld.wide)
            if status == "ok":
                c = columns[0].index
                convert = (lambda v, f=fld: cells.code(v, f.length)) if fld.kind == "code" else cells.text
                found[role] = [convert(row[c] if c < len(row) else None) for _, row in data]
                break
    names = {"school_type_code": "type_code", "school_type_name": "type_name"}
    return [{names.get(role, role): values[i] for role, values in found.items()} for i in range(len(data))]


def _column(fld, section, alternatives, layout, data, mapping, ext, path, sheet, texts, numbers) -> None:
    if fld.kind == "buckets":
        return
    status, found = find_column(layout.columns, alternatives)
    k = key(section or SCHOOL, fld.role, fld.level)
    if status == "ambiguous":
        shown = "；".join(f"{column_letter(c.index)}: {show_path(c.path)}" for c in found[:4])
        ext.problem(
            WARNING, "field_ambiguous", path, sheet.name, field=fld.name, found=shown, mapping=mapping.source
        )
    if status != "ok":
        looked_for = "、".join(" › ".join(p.text for p in alternative) for alternative in alternatives)
        ext.not_found(COUNTY_WIDE, mapping, fld, section, status, path, looked_for)
        if fld.kind not in ("code", "text", "flag") and not fld.optional:
            numbers[k] = np.full(len(data), np.nan)
        return
    column = found[0]
    where = f"{sheet.name} › {show_path(column.path)}"
    ext.was_found(COUNTY_WIDE, mapping.generation, fld.name, section, where, path)
    c = column.index
    values = [row[c] if c < len(row) else None for _, row in data]
    if fld.kind in ("code", "text", "flag"):
        convert = (lambda v: cells.code(v, fld.length)) if fld.kind == "code" else cells.text
        texts.setdefault(fld.role, [convert(v) for v in values])
        return
    array, bad = cells.numbers(values)
    for i in bad:
        r = data[i][0]
        ext.problems.append(
            Problem(ERROR, "not_a_number", path, sheet.name, r + 1, where, {"value": values[i]})
        )
    multiplier, used, how = factor(fld.kind, column.unit() or layout.unit, fld.assumed_unit)
    report(ext, fld, column.unit() or layout.unit, used, how, path, sheet.name, where)
    if multiplier is None:
        array = np.full(len(data), np.nan)
    elif multiplier != 1:
        array = cells.tidy(array * multiplier)
    numbers[k] = cells.tidy(numbers[k] + array) if k in numbers else array


def _buckets(fld, section, layout, data, mapping, ext, path, sheet, numbers) -> None:
    columns = [
        (c, bounds)
        for c in layout.columns
        if (bounds := class_size_range(c.path[-1])) is not None
        and any(_in_order(alternative, c.path[:-1]) for alternative in fld.wide)
    ]
    if not columns:
        ext.not_found(COUNTY_WIDE, mapping, fld, section, "not_found", path)
        return
    where = f"{sheet.name} › {show_path(columns[0][0].path[:-1])}"
    ext.was_found(COUNTY_WIDE, mapping.generation, fld.name, section, where, path)
    limit = codes()["oversized_above"].get(section)
    if limit is None:
        return
    counts = []
    for column, _ in columns:
        values = [row[column.index] if column.index < len(row) else None for _, row in data]
        counts.append(cells.numbers(values)[0])
    matrix = np.vstack(counts).T if counts else np.zeros((len(data), 0))
    bounds = [b for _, b in columns]
    out = np.empty(len(data))
    straddles = False
    for i, row_counts in enumerate(matrix):
        out[i], known = oversized(
            [(lo, hi, n) for (lo, hi), n in zip(bounds, row_counts, strict=True)], limit
        )
        straddles |= not known
    if straddles:
        ext.problem(WARNING, "bucket_straddles", path, sheet.name, limit=limit)
    numbers[key(section, "oversized_classes")] = out


def _records(data, texts, numbers, mapping, ext, path, sheet, section, year, order) -> list[dict]:
    codes_ = texts.get("school_code") or [None] * len(data)
    names = texts.get("school_name") or [None] * len(data)
    records = []
    for i, (r, row) in enumerate(data):
        if not codes_[i]:
            first = next((fold(v) for v in row if v not in (None, "")), "")
            if is_summary(names[i]) or is_summary(first):
                ext.skip(path, sheet.name, r + 1, "summary_row", label=names[i] or first)
                ext.problem(INFO, "summary_row", path, sheet.name, r + 1, label=names[i] or first)
            else:
                ext.skip(
                    path,
                    sheet.name,
                    r + 1,
                    "no_school_code",
                    section=section,
                    year=year,
                    school_name=names[i],
                    type_code=texts.get("school_type_code", [None] * len(data))[i],
                    type_name=texts.get("school_type_name", [None] * len(data))[i],
                    division_code=texts.get("division_code", [None] * len(data))[i],
                )
                ext.problem(ERROR, "no_school_code", path, sheet.name, r + 1, mapping=mapping.source)
            continue
        record = {
            "_file": path,
            "_sheet": sheet.name,
            "_row": r + 1,
            "_shape": COUNTY_WIDE,
            "_generation": mapping.generation,
            "_mapping": mapping.source,
            "_year": year,
            "_file_section": section,
            "_sections": (section,),
            "_order": order + i,
        }
        for role, values in texts.items():
            if values[i] is not None:
                record[role] = values[i]
        for k, values in numbers.items():
            record[k] = float(values[i])
        records.append(record)
    return records
