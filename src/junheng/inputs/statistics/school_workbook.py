"""Shape A: one workbook per school, one sheet per table ('基础基312', '教基3112_小学' …).

Either table generation. Each value is found by its table, its row path (block, group, label or
乙 code) and its column path (header levels or code-row number), or in a form-like sheet by its
label cell. A school workbook is one record.
"""

from __future__ import annotations

import math

from junheng.inputs.statistics import cells
from junheng.inputs.statistics.codes import SECTION_ORDER, codes, school_type
from junheng.inputs.statistics.labels import fold, path_matches, pattern, show_path, split_label
from junheng.inputs.statistics.layout import Layout, analyse
from junheng.inputs.statistics.mapping import Field, Locator, Mapping
from junheng.inputs.statistics.records import (
    SCHOOL,
    SCHOOL_WORKBOOK,
    Extraction,
    class_size_range,
    file_year,
    key,
    oversized,
)
from junheng.inputs.statistics.units import convert
from junheng.inputs.statistics.workbook import Sheet, Workbook
from junheng.problems import ERROR, WARNING

FORM_ROWS, FORM_COLUMNS, FORM_BELOW = 80, 40, 4
_MATCHES: dict = {}  # (layout serial, locator) -> cells it names: same-looking tables, same cells


def table_code(sheet_name: str) -> str:
    """'教基3112_九年一贯制学校' -> '教基3112' (the suffix names the 办学类型)."""
    return fold(sheet_name).split("_")[0]


def _texts(row) -> list[str]:
    """A row's written labels as written (numbers such as the grid's row labels left out)."""
    return [
        t for v in row[:FORM_COLUMNS] if isinstance(v, str) and len(t := v.strip()) > 1 and not t.isdigit()
    ]


def attached_block(sheet: Sheet) -> int:
    """The first row of the identity form's 附设班 block (the sheet's length when there is none).

    The real 基础基111 form ends with a block of its own for the classes of other types attached
    to the institution (附设幼儿班 119 … 附设中职班 368): a header row repeating 学校（机构）举办者,
    属地管理教育行政部门, 地址, 规定年制 and 规定入学年龄, then a 名称 / 代码 row pair per 附设班.
    The block starts at the first 附设班 label, or at the written row above it when that row
    repeats headers written earlier (the form's block header). Nothing in it or below is the
    school's own.
    """
    attached = pattern(codes()["attached_classes"])
    prefix = codes()["attached_classes"].split("*")[0]  # a cheap test before the pattern's
    rows = sheet.rows[:FORM_ROWS]
    for r, row in enumerate(rows):
        if not any(
            isinstance(v, str) and prefix in v and attached.match(split_label(v)[0])
            for v in row[:FORM_COLUMNS]
        ):
            continue
        above = r - 1
        while above >= 0 and not _texts(rows[above]):
            above -= 1
        if above > 0:  # a header row repeats at least two labels of the blocks above, word for word
            headers = set(_texts(rows[above]))
            repeated = headers.intersection(
                v.strip() for previous in rows[:above] for v in previous if isinstance(v, str)
            )
            if len(repeated) >= 2:
                return above
        return r
    return len(sheet.rows)


def is_school_workbook(sheet_names, mappings) -> Mapping | None:
    """The mapping whose table codes name at least two of the sheets, if any."""
    best, best_hits = None, 1
    for mapping in mappings:
        if mapping.detect_sheet is None:
            continue
        hits = sum(bool(mapping.detect_sheet.match(table_code(n))) for n in sheet_names)
        if hits > best_hits:
            best, best_hits = mapping, hits
    return best


class _Book:
    """One workbook being read with one mapping: sheets by table, layouts analysed once."""

    def __init__(self, book: Workbook, mapping: Mapping, ext: Extraction):
        self.book, self.mapping, self.ext = book, mapping, ext
        self.codes = [(table_code(s.name), s) for s in book.sheets]
        self.layouts: dict = {}
        self.by_table: dict = {}
        self.own: dict = {}  # sheet name -> rows above its 附设班 block

    def own_rows(self, sheet: Sheet, lay: Layout | None = None) -> int:
        """Rows of the sheet that are the school's own (above the form's 附设班 block).

        A table with items down the side has one only if a row label names an 附设班 (checked on
        its analysed rows first: cheap, and most tables have none).
        """
        if sheet.name not in self.own:
            prefix = codes()["attached_classes"].split("*")[0]
            if lay is not None and not any(prefix in str(r.path[-1]) for r in lay.rows):
                self.own[sheet.name] = len(sheet.rows)
            else:
                self.own[sheet.name] = attached_block(sheet)
        return self.own[sheet.name]

    def sheets(self, loc: Locator) -> list[Sheet]:
        if loc.table not in self.by_table:
            self.by_table[loc.table] = [s for code, s in self.codes if loc.table.match(code)]
        return self.by_table[loc.table]

    def layout(self, sheet: Sheet) -> Layout:
        if sheet.name not in self.layouts:
            self.layouts[sheet.name] = analyse(sheet)
        return self.layouts[sheet.name]

    # -- finding cells -------------------------------------------------------------------------
    def hits(self, loc: Locator) -> tuple[str, list]:
        """('ok' | 'table_missing' | 'not_found' | 'ambiguous', [(sheet, row, column, unit, where)])."""
        sheets = self.sheets(loc)
        if not sheets:
            return "table_missing", []
        found = []
        for sheet in sheets:
            found += self._form_hits(sheet, loc) if loc.form else self._table_hits(sheet, loc)
        if not found:
            return "not_found", []
        return ("ok" if len(found) == 1 else "ambiguous"), found

    def _table_hits(self, sheet: Sheet, loc: Locator) -> list:
        lay = self.layout(sheet)
        memo = (lay.serial, loc) if lay.serial is not None else None
        hits = _MATCHES.get(memo) if memo is not None else None
        if hits is None:
            hits = self._match(sheet, lay, loc)
            if memo is not None:
                if len(_MATCHES) > 65536:
                    _MATCHES.clear()
                _MATCHES[memo] = hits
        return [(sheet, *hit) for hit in hits if hit[0] < self.own_rows(sheet, lay)]

    @staticmethod
    def _match(sheet: Sheet, lay: Layout, loc: Locator) -> list:
        """(row, column, unit, where) of every cell the locator names in one table layout."""
        rows = [
            r
            for r in lay.rows
            if (not loc.row or path_matches(loc.row, r.path))
            and (loc.row_code is None or r.code == loc.row_code)
        ]
        if not loc.row and loc.row_code is None:
            rows = lay.rows[:1] if len(lay.rows) == 1 else []
        columns = [
            c
            for c in lay.columns
            if (not loc.column or path_matches(loc.column, c.path))
            and (loc.column_code is None or c.code == loc.column_code)
        ]
        if not loc.column and loc.column_code is None:
            columns = columns[:1]
        out = []
        for r in rows:
            for c in columns:
                unit = c.unit() or r.unit() or lay.unit
                where = f"{table_code(sheet.name)} › {show_path(r.path)} › {show_path(c.path)}"
                out.append((r.index, c.index, unit, where))
        return out

    def _form_hits(self, sheet: Sheet, loc: Locator) -> list:
        out = []
        own = min(self.own_rows(sheet), FORM_ROWS)
        for r, row in enumerate(sheet.rows[:own]):
            for c, value in enumerate(row[:FORM_COLUMNS]):
                if value in (None, "") or not loc.form.match(split_label(str(value))[0]):
                    continue
                target = self._form_value(sheet, r, c, loc.part)
                if target is not None and target < own:
                    name, unit = split_label(str(value))
                    where = f"{table_code(sheet.name)} › {name}" + (f" › {loc.part}" if loc.part else "")
                    out.append((sheet, target, c, unit, where))
        return out

    @staticmethod
    def _form_value(sheet: Sheet, r: int, c: int, part: str | None) -> int | None:
        """The row of the value under a form label.

        The first filled cell below it, or the row whose left-hand label is ``part`` (名称 / 代码).
        """
        for below in range(r + 1, min(r + 1 + FORM_BELOW, len(sheet.rows))):
            if part is None:
                if sheet.cell(below, c) not in (None, ""):
                    return below
                continue
            left = [fold(sheet.cell(below, k)) for k in range(c)]
            if fold(part) in left:
                return below
        return None

    def first(self, locators) -> tuple[str, tuple | None, Locator | None]:
        """The first locator found exactly once: (status, hit, locator)."""
        status, hit, used = "not_found", None, None
        for loc in locators:
            found_status, found = self.hits(loc)
            if found_status == "ok":
                return "ok", found[0], loc
            if found_status == "ambiguous":
                return "ambiguous", found, loc
            if status == "not_found" or found_status == "table_missing":
                status = found_status if status != "table_missing" else status
        return status, hit, used


def read_school_workbook(book: Workbook, mapping: Mapping, year: int | None, ext: Extraction, order: int):
    """One record from one school workbook (nothing when it holds no school code)."""
    reader = _Book(book, mapping, ext)
    title = " ".join(
        str(v) for s in book.sheets[:3] for row in s.rows[:6] for v in row if isinstance(v, str) and v.strip()
    )
    year = year or file_year(title, book.path)
    record = {
        "_file": book.path,
        "_sheet": "",
        "_row": None,
        "_shape": SCHOOL_WORKBOOK,
        "_generation": mapping.generation,
        "_mapping": mapping.source,
        "_year": year,
        "_file_section": None,
        "_order": order,
    }
    identity = [f for f in mapping.fields.values() if f.kind in ("code", "text", "flag")]
    for fld in identity:
        if not fld.per_section and fld.workbook:
            _read(reader, fld, None, fld.workbook, record)
    kind, known = school_type(record.get("school_type_code"), record.get("school_type_name"))
    compulsory = kind is not None or not known  # a kindergarten's or a 高级中学's tables are not read
    for fld in mapping.fields.values():
        if compulsory and fld.kind not in ("code", "text", "flag") and not fld.per_section and fld.workbook:
            _read(reader, fld, None, fld.workbook, record)
    students = mapping.with_role("students")
    present = [
        s
        for s in SECTION_ORDER
        if compulsory and any(reader.sheets(loc) for f in students for loc in f.workbook_sections.get(s, ()))
    ]
    record["_sections"] = tuple(present)
    for section in present:
        for fld in mapping.fields.values():
            if fld.per_section and fld.workbook_sections.get(section):
                _read(reader, fld, section, fld.workbook_sections[section], record)
    ext.inputs.append(
        {
            "file": book.path,
            "shape": SCHOOL_WORKBOOK,
            "generation": mapping.generation,
            "year": year,
            "sheets": len(book.sheets),
        }
    )
    ext.rows_read += 1
    who = {
        "school_code": record.get("school_code"),
        "school_name": record.get("school_name"),
        "type_code": record.get("school_type_code"),
        "type_name": record.get("school_type_name"),
        "division_code": record.get("division_code"),
        "year": year,
    }  # who was not imported, for the import report and the set-aside table (issue #22)
    if not record.get("school_code"):
        ext.problem(ERROR, "no_school_code", book.path, mapping=mapping.source)
        ext.skip(book.path, "", None, "no_school_code", **who)
        return None
    if year is None:
        ext.problem(ERROR, "year_unknown", book.path)
        ext.skip(book.path, "", None, "year_unknown", **who)
        return None
    return record


def _read(reader: _Book, fld: Field, section: str | None, locators, record: dict) -> None:
    ext, mapping, path = reader.ext, reader.mapping, reader.book.path
    if fld.kind == "buckets":
        _buckets(reader, fld, section, locators, record)
        return
    status, hit, loc = reader.first(locators)
    if status == "ambiguous":
        where = "；".join(h[4] for h in hit[:4])
        ext.problem(WARNING, "field_ambiguous", path, field=fld.name, found=where, mapping=mapping.source)
    if status != "ok":
        looked_for = "、".join(dict.fromkeys(loc.table.text for loc in locators))
        ext.not_found(SCHOOL_WORKBOOK, mapping, fld, section, status, path, looked_for)
        if fld.kind not in ("code", "text", "flag") and not fld.optional:
            record[_key(fld, section)] = math.nan  # a role with a part not found is not known
        return
    sheet, r, c, unit, where = hit
    ext.was_found(SCHOOL_WORKBOOK, mapping.generation, fld.name, section, where, path)
    value = sheet.cell(r, c)
    if fld.role == "school_code":
        record["_sheet"], record["_row"] = sheet.name, r + 1
    if fld.kind in ("code", "text", "flag"):
        text = cells.code(value, fld.length) if fld.kind == "code" else cells.text(value)
        if text is not None:
            record.setdefault(fld.role, text)
        return
    try:
        number = cells.number(value)
    except cells.NotANumber:
        ext.problems.append(_bad_number(path, sheet, r, c, value))
        number = math.nan
    number = convert(number, fld, unit, ext, path, sheet.name, where)
    k = _key(fld, section)
    record[k] = record.get(k, 0.0) + number


def _key(fld: Field, section: str | None) -> str:
    return key(section or SCHOOL, fld.role, fld.level)


def _buckets(reader: _Book, fld: Field, section: str, locators, record: dict) -> None:
    ext, mapping, path = reader.ext, reader.mapping, reader.book.path
    for loc in locators:
        for sheet in reader.sheets(loc):
            lay = reader.layout(sheet)
            columns = [c for c in lay.columns if not loc.column or path_matches(loc.column, c.path)]
            if len(columns) != 1:
                continue
            column = columns[0]
            buckets = []
            for row in lay.rows:
                bounds = class_size_range(row.path[-1])
                if bounds is None:
                    continue
                try:
                    count = cells.number(sheet.cell(row.index, column.index))
                except cells.NotANumber:
                    ext.problems.append(
                        _bad_number(path, sheet, row.index, column.index, sheet.cell(row.index, column.index))
                    )
                    count = math.nan
                buckets.append((*bounds, count))
            if not buckets:
                continue
            where = f"{sheet.name} › {show_path(column.path)}"
            ext.was_found(SCHOOL_WORKBOOK, mapping.generation, fld.name, section, where, path)
            limit = codes()["oversized_above"].get(section)
            if limit is not None:
                count, known = oversized(buckets, limit)
                if not known:
                    ext.problem(WARNING, "bucket_straddles", path, sheet.name, limit=limit)
                record[key(section, "oversized_classes")] = count
            return
    ext.not_found(SCHOOL_WORKBOOK, mapping, fld, section, "not_found", path)


def _bad_number(path, sheet: Sheet, r: int, c: int, value):
    from junheng.inputs.statistics.workbook import column_letter
    from junheng.problems import Problem

    return Problem(ERROR, "not_a_number", path, sheet.name, r + 1, column_letter(c), {"value": value})


__all__ = ["is_school_workbook", "read_school_workbook", "table_code"]
