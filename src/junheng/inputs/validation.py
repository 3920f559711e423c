"""Turn raw tables into typed tables, reporting every problem with its file, sheet, row and column.

Type coercion is vectorised per column; messages are built only for the (few) bad cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.i18n import pick
from junheng.inputs.schema import TYPE_SECTIONS, TYPE_STUDENT_PARTS, Column, Table, load_schema, normalise
from junheng.inputs.sources import ROW, FormulaCell, RawTable
from junheng.problems import ERROR, INFO, WARNING, Problem

FILE, SHEET = "_file", "_sheet"
CUSTOM = "custom:"  # prefix of a column a county adds to its schools sheet (kept as read, untyped)
BAD = "_bad"  # per row: the set of column keys whose cell was already reported as invalid
ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "ⅰ": 1,
    "ⅱ": 2,
    "ⅲ": 3,
    "ⅳ": 4,
    "ⅰ级": 1,
    "ⅱ级": 2,
    "ⅲ级": 3,
    "ⅳ级": 4,
    "待提高": 1,
    "中等": 2,
    "良好": 3,
    "优秀": 4,
}
FLAGS = {
    "是": True,
    "否": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "1.0": True,
    "0.0": False,
    "√": True,
    "×": False,
}


def custom_column(header: str) -> str:
    """The name under which a schools column outside the contract is kept (issue #12)."""
    return CUSTOM + normalise(header)


def _objects(values: pd.Series, fn) -> pd.Series:
    """Apply ``fn`` to the non-empty cells, keeping object dtype (no NaN-for-None inference)."""
    return pd.Series([None if v is None else fn(v) for v in values], index=values.index, dtype=object)


def _blank_cells(values: pd.Series) -> pd.Series:
    """``is_blank`` for a whole column: missing values and whitespace-only text.

    On the NumPy array (a few pandas calls per column cost more than the work on a county's tables).
    """
    cells = values.to_numpy(dtype=object)
    blank = pd.isna(cells)
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind not in ("floating", "integer", "mixed-integer-float", "boolean", "decimal"):
        blank |= np.fromiter((isinstance(v, str) and not v.strip() for v in cells), bool, len(cells))
    return pd.Series(blank, index=values.index)


def _by_text(text: pd.Series, fn) -> pd.Series:
    """``fn(str(value))`` for the non-empty cells, computed once per distinct text.

    ``fn(str(value))`` for the non-empty cells, computed once per distinct text: enumerations, flags and
    ratings repeat a handful of values over hundreds of thousands of rows.
    """
    cells = text.to_numpy(dtype=object)
    out = np.full(len(cells), None, dtype=object)
    present = np.flatnonzero(~pd.isna(cells))
    if len(present):
        as_text = [str(v) for v in cells[present]]
        table = {value: fn(value) for value in dict.fromkeys(as_text)}
        out[present] = [None if _missing(m := table[v]) else m for v in as_text]
    return pd.Series(out, index=text.index, dtype=object)


def _missing(value) -> bool:
    """A looked-up value that stands for nothing (None or NaN)."""
    return value is None or (isinstance(value, float) and value != value)


def _truth_values(values: pd.Series) -> pd.Series:
    """Which cells hold a logical value (Excel's TRUE / FALSE), checked only in mixed columns."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind not in ("boolean", "mixed", "mixed-integer"):
        return pd.Series(False, index=values.index)
    return values.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool)


class TableCleaner:
    """Clean one raw table against its schema table.

    ``origins`` (per row: FILE, SHEET) is given when ``raw`` stacks same-layout sheets of several
    workbooks, so that one pass of vectorised coercion serves them all (pandas costs per column
    call, not per row); every message still names the row's own file and sheet.
    """

    def __init__(self, raw: RawTable, problems: list, origins: pd.DataFrame | None = None):
        self.raw = raw
        if origins is None:
            origins = pd.DataFrame({FILE: raw.file, SHEET: raw.sheet}, index=raw.frame.index)
        self.origins = origins
        self.table: Table = load_schema().tables[raw.table]
        self.problems = problems
        self.header_of: dict[str, str] = {}  # column key -> header as the user wrote it
        self.bad: dict = {}  # row index -> set of column keys reported invalid
        self.unusable: set = set()  # columns reported missing or unusable as a whole
        self.formula: dict = {}  # column key -> row indices of formula cells without a result

    def problem(self, severity, code, column="", **params):
        """A problem of the table as a whole (its headers): once for every sheet it stacks."""
        for file, sheet in self.origins.drop_duplicates().itertuples(index=False):
            self.problems.append(Problem(severity, code, file, sheet, None, column, dict(params)))

    def cell(self, severity, code, index, column="", **params):
        """A problem of one cell: the row index of the stacked frame names file, sheet and row."""
        self.problems.append(
            Problem(
                severity,
                code,
                self.origins.at[index, FILE],
                self.origins.at[index, SHEET],
                int(self.raw.frame.at[index, ROW]),
                column,
                params,
            )
        )

    def mark_bad(self, index, key):
        """Remember that the cell of column ``key`` in row ``index`` is invalid."""
        self.bad.setdefault(index, set()).add(key)

    def run(self) -> pd.DataFrame:
        """Coerce every column to its schema type and return the cleaned frame.

        The columns are collected first and made a frame once (in the order inserting them one by one
        gave: the sheet's columns, then the schema's missing ones, then the bookkeeping columns): a
        county's tables have a hundred columns and few rows, so each insertion cost more than its work.
        """
        frame = self.raw.frame
        out: dict = {}  # column key -> its cells (a Series of the sheet, or None: no such column)
        factors = {}
        for position, header in enumerate(self.raw.headers):
            if not header:
                continue
            col, unit = self.table.column_for_header(header)
            if col is None:
                self.problem(WARNING, "unknown_column", column=header)
                if self.table.key == "schools" and custom_column(header) not in out:
                    out[custom_column(header)] = frame[position]  # as read: plan targets may use it
                continue
            if col.key in out:
                self.problem(WARNING, "duplicate_column", column=header)
                continue
            factor = self._unit_factor(col, unit, header)
            if factor is None:
                out[col.key] = None  # recognised but unusable: reported once, not also as missing
                self.unusable.add(col.key)
                continue
            factors[col.key] = factor
            self.header_of[col.key] = header
            out[col.key] = frame[position]
        missing_optional = []
        for col in self.table.columns.values():
            if col.key in out:
                continue
            if col.required:
                self.problem(ERROR, "missing_column", column=col.header)
                self.unusable.add(col.key)
            else:
                missing_optional.append(col.header)
            out[col.key] = None
        if missing_optional:
            self.problem(INFO, "missing_optional_column", columns="、".join(missing_optional))
        if self.raw.formulas:
            self._formula_cells(out)
        index = frame.index
        for col in self.table.columns.values():
            values = out[col.key]
            if values is None:
                values = pd.Series(None, index=index, dtype=object, name=col.key)
            out[col.key] = self._coerce(values, col, factors.get(col.key, 1))
        out[BAD] = [self.bad.get(i, set()) | self.unusable for i in index]
        out[FILE] = self.origins[FILE]
        out[SHEET] = self.origins[SHEET]
        out[ROW] = frame[ROW].astype("int64")
        return pd.DataFrame(out, index=index)

    def _formula_cells(self, out: dict) -> None:
        """Report formula cells without a usable result, and empty them.

        The message is "formula not calculated" or the formula's error value, never "must be filled
        in": the user did fill the cell in.
        """
        for key, values in out.items():
            if values is None:  # no such column: no cell
                continue
            hit = values.map(lambda v: isinstance(v, FormulaCell)).astype(bool)
            if not hit.any():
                continue
            shown = self.header_of.get(key, key)
            for idx in hit[hit].index:
                error = values[idx].error
                if error:
                    self.cell(ERROR, "formula_error", idx, shown, value=error)
                else:
                    self.cell(ERROR, "formula_not_calculated", idx, shown)
                self.mark_bad(idx, key)
            self.formula[key] = set(hit[hit].index)
            out[key] = values.where(~hit, None)

    def _unit_factor(self, col: Column, unit: str | None, header: str):
        if unit is None or col.unit is None or normalise(unit) == normalise(col.unit):
            return 1
        for alt, factor in col.alt_units.items():
            if normalise(unit) == normalise(alt):
                self.problem(INFO, "unit_converted", column=header, unit=unit, factor=factor, target=col.unit)
                return factor
        expected = "、".join([col.unit, *col.alt_units])
        self.problem(ERROR, "unknown_unit", column=header, unit=unit, expected=expected)
        return None

    # -- coercion -----------------------------------------------------------------------------
    def _coerce(self, values: pd.Series, col: Column, factor: float) -> pd.Series:
        values = values.astype(object)
        blank = _blank_cells(values)
        text = values.where(~blank, None)
        shown = self.header_of.get(col.key, col.header)
        if col.type in ("int", "number", "year"):
            return self._numeric(text, blank, col, factor, shown)
        if col.type == "code":
            return self._code(text, blank, col, shown)
        if col.type == "enum":
            lookup = load_schema().enum_lookup(col.enum)
            if col.enum == "flag":
                mapped = _by_text(text, lambda v: FLAGS.get(normalise(v).lower().removesuffix(".0")))
                self._report_unknown(text, blank, mapped, col, shown)
                return mapped.astype("boolean")
            mapped = _by_text(text, lambda v: lookup.get(normalise(v).lower()))
            self._report_unknown(text, blank, mapped, col, shown)
            return mapped
        if col.type == "rating":
            lookup = {**ROMAN, **{normalise(k).lower(): int(k) for k in load_schema().enums["rating"]}}
            for k, labels in load_schema().enums["rating"].items():
                lookup[normalise(labels["zh"]).lower()] = int(k)
            mapped = _by_text(text, lambda v: lookup.get(normalise(v).lower().removesuffix(".0")))
            self._report_unknown(text, blank, mapped, col, shown)
            return pd.to_numeric(mapped, errors="coerce").astype("Float64")
        # text
        cleaned = [None if _missing(v) else str(v).strip() for v in text.to_numpy(dtype=object)]
        self._report_required(blank, col, shown)
        return pd.Series(cleaned, index=text.index, dtype=object)

    def _report_required(self, blank, col, shown):
        if col.required and col.type in ("code", "text", "enum", "rating", "year"):
            reported = self.formula.get(col.key, ())
            for idx in blank[blank].index:
                if idx not in reported:
                    self.cell(ERROR, "required_value", idx, shown)

    def _report_unknown(self, text, blank, mapped, col, shown):
        bad = mapped.isna() & ~blank
        if bad.any():
            choices = "、".join(
                pick(v, "zh") for v in load_schema().enums.get(col.enum or "rating", {}).values()
            )
            for idx in bad[bad].index:
                self.cell(ERROR, "unknown_enum", idx, shown, value=text[idx], choices=choices)
        self._report_required(blank, col, shown)

    def _numeric(self, text, blank, col, factor, shown):
        truth = _truth_values(text)  # TRUE / FALSE in a number cell: not 1 / 0 (issue #22)
        if truth.any():
            text = text.where(~truth, text[truth].map(lambda v: "TRUE" if v else "FALSE"))
        # on NumPy arrays: pandas costs per call, and a county's tables are small
        index = text.index
        numbers = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(copy=True)
        filled = ~blank.to_numpy(dtype=bool)
        retry = np.isnan(numbers) & filled  # e.g. "1,200" or "1，200": thousands separators
        if retry.any():
            cleaned = _objects(
                text[retry],
                lambda v: v.replace(",", "").replace("，", "").strip() if isinstance(v, str) else v,
            )
            numbers[retry] = pd.to_numeric(cleaned, errors="coerce").astype("float64").to_numpy()
        infinite = np.isinf(numbers)
        for idx in index[infinite]:  # "inf", "Infinity", "1e309": not a quantity (issue #11)
            self.cell(ERROR, "not_finite", idx, shown, value=text[idx])
        numbers[infinite] = np.nan
        known = ~np.isnan(numbers)
        bad = ~known & filled & ~infinite
        for idx in index[bad]:
            code = "bad_year" if col.type == "year" else "not_a_number"
            self.cell(ERROR, code, idx, shown, value=text[idx])
        negative = numbers < 0
        for idx in index[negative]:
            self.cell(ERROR, "negative", idx, shown, value=text[idx])
        fractional = np.zeros(len(numbers), dtype=bool)
        if col.type in ("int", "year"):
            fractional = known & (numbers != np.floor(numbers))
            for idx in index[fractional & ~negative]:
                self.cell(
                    ERROR, "bad_year" if col.type == "year" else "not_integer", idx, shown, value=text[idx]
                )
        if col.type == "year":
            odd = known & ((numbers < 1949) | (numbers > 2100)) & ~fractional
            for idx in index[odd]:
                self.cell(ERROR, "bad_year", idx, shown, value=text[idx])
            fractional |= odd
            self._report_required(blank, col, shown)
        invalid = bad | negative | fractional | infinite
        for idx in index[invalid]:
            self.mark_bad(idx, col.key)
        numbers[invalid] = np.nan
        numbers = numbers * factor if factor != 1 else numbers
        if col.plausible_max is not None:
            over = numbers > col.plausible_max
            for pos in np.flatnonzero(over):
                idx = index[pos]
                value = text[idx] if len(str(text[idx])) <= 20 else amount(numbers[pos])  # not 300 digits
                limit = amount(col.plausible_max)
                self.cell(WARNING, "implausible_value", idx, shown, value=value, limit=limit)
        return pd.Series(numbers, index=index, name=text.name)

    def _code(self, text, blank, col, shown):
        out = []
        for idx, v in text.items():
            if v is None or (isinstance(v, str) and not v.strip()):
                out.append(None)
                continue
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                if float(v).is_integer():
                    padded = str(int(v)).zfill(col.length)
                    if len(str(int(v))) < col.length:
                        self.cell(INFO, "code_padded", idx, shown, value=int(v), padded=padded)
                    v = padded
            code = str(v).strip()
            if not (code.isascii() and code.isdigit() and len(code) == col.length):
                self.cell(ERROR, "bad_code", idx, shown, value=v, length=col.length)
                out.append(None)
                continue
            out.append(code)
        self._report_required(blank, col, shown)
        return pd.Series(out, index=text.index, dtype=object)


def _stacked(group: list[RawTable]) -> tuple[RawTable, pd.DataFrame]:
    """Sheets of one kind with identical headers stacked as one raw table.

    Sheets of one kind with identical headers (a county's yearly workbooks) as one raw table, with each row's
    file and sheet kept alongside.
    """
    frames = [raw.frame for raw in group]
    origins = pd.concat(
        [pd.DataFrame({FILE: raw.file, SHEET: raw.sheet}, index=raw.frame.index) for raw in group],
        ignore_index=True,
    )
    first = group[0]
    stacked = RawTable(
        first.table,
        first.file,
        first.sheet,
        first.headers,
        pd.concat(frames, ignore_index=True),
        formulas=any(raw.formulas for raw in group),
    )
    return stacked, origins


def clean_tables(
    raw_tables: list[RawTable], problems: list, layout: dict | None = None
) -> dict[str, pd.DataFrame]:
    """Coerce every raw table and stack tables of the same kind (many workbooks -> one frame).

    Sheets with the same headers are cleaned together; their messages keep the files' order. ``layout``,
    when given, receives each table's header groups: ``{table: [(files, columns, dtypes), ...]}``, and
    ``(table, None)`` the stacked frame's dtypes (`junheng.inputs.shared` tells from them what reading
    one county alone would have given).
    """
    schema = load_schema()
    groups: dict[tuple, list] = {}
    for raw in raw_tables:
        groups.setdefault((raw.table, tuple(raw.headers)), []).append(raw)
    parts: dict[str, list] = {key: [] for key in schema.tables}
    for (key, _), group in groups.items():
        found: list = []
        raw, origins = _stacked(group)
        parts[key].append(TableCleaner(raw, found, origins).run())
        if layout is not None:
            part = parts[key][-1]
            dtypes = {c: ("Int64" if c == "year" else part[c].dtype) for c in part.columns}
            layout.setdefault(key, []).append((frozenset(r.file for r in group), list(part.columns), dtypes))
        order = {(r.file, r.sheet): i for i, r in enumerate(group)}
        problems.extend(sorted(found, key=lambda p: order[(p.file, p.sheet)]))  # stable: per file as before
    position = {(r.file, r.sheet): i for i, r in enumerate(raw_tables)}
    frames = {}
    for key in schema.tables:
        if parts[key]:
            frame = pd.concat(parts[key], ignore_index=True)
            if len(parts[key]) > 1:  # back to the order the files were read in
                read_order = pd.Series(
                    [position[fs] for fs in zip(frame[FILE], frame[SHEET], strict=True)], index=frame.index
                )
                frame = frame.loc[read_order.sort_values(kind="stable").index].reset_index(drop=True)
            frame["year"] = frame["year"].astype("Int64")
            frames[key] = frame
            if layout is not None:
                layout[(key, None)] = dict(frame.dtypes)
        else:
            frames[key] = None
    return frames


def amount(value: float) -> str:
    """A limit or value as a reader wants it: 10,000,000 and 1.5, not 1e+07 and 1.500000."""
    value = float(value)
    if abs(value) >= 1e15:
        return f"{value:.3g}"
    return f"{value:,.0f}" if value.is_integer() or abs(value) >= 1000 else f"{value:,.4g}"


def _row_problem(problems, severity, code, row, column, **params):
    problems.append(Problem(severity, code, row[FILE], row[SHEET], int(row[ROW]), column, params))


def check_duplicates(frame: pd.DataFrame, table: Table, problems: list) -> None:
    """Report rows whose key columns repeat an earlier row."""
    keys = list(table.key_columns)
    complete = frame.dropna(subset=keys)
    dup = complete.duplicated(subset=keys, keep="first")
    if not dup.any():
        return
    first_rows = complete.drop_duplicates(subset=keys, keep="first").set_index(keys)
    for idx in dup[dup].index:
        row = frame.loc[idx]
        first = first_rows.loc[tuple(row[k] for k in keys)]
        key_text = " / ".join(str(row[k]) for k in keys)
        col = table.columns[keys[-1]].zh
        if first[FILE] == row[FILE] and first[SHEET] == row[SHEET]:
            _row_problem(problems, ERROR, "duplicate_key", row, col, other_row=first[ROW], key=key_text)
        else:  # both files named: "990102_2024 - 副本.xlsx" duplicates "990102_2024.xlsx"
            _row_problem(
                problems,
                ERROR,
                "duplicate_key_file",
                row,
                col,
                other_file=first[FILE],
                other_sheet=first[SHEET],
                other_row=first[ROW],
                key=key_text,
            )


def check_schools(schools: pd.DataFrame, problems: list) -> pd.DataFrame:
    """Domain checks of the schools table; fills not-applicable section cells with 0."""
    schema = load_schema()
    table = schema.tables["schools"]
    types = schema.enums["school_type"]
    sections = {**schema.enums["section"], "senior": {"zh": "高中", "en": "senior"}}
    check_duplicates(schools, table, problems)
    stype = schools["school_type"]

    def types_with(part, parts=TYPE_STUDENT_PARTS):
        return stype.isin([kind for kind, has in parts.items() if part in has])

    flagged = schools[BAD].map(len).astype(bool)

    def reported(*keys):
        """Rows whose cell in one of ``keys`` was already reported invalid (few rows have any)."""
        hit = pd.Series(False, index=schools.index)
        hit[flagged] = schools.loc[flagged, BAD].map(lambda b: not b.isdisjoint(keys)).astype(bool)
        return hit

    section_cols = [c for c in table.columns.values() if c.section and c.required]
    for col in section_cols:
        applies = types_with(col.section)
        blank = schools[col.key].isna() & ~reported(col.key)
        for idx in schools.index[applies & blank]:
            row = schools.loc[idx]
            if col.key.startswith("students_"):
                _row_problem(
                    problems,
                    ERROR,
                    "section_missing",
                    row,
                    col.header,
                    school_type=types[row["school_type"]],
                    section=sections[col.section],
                )
            else:
                _row_problem(problems, ERROR, "required_value", row, col.header)
        schools.loc[~applies & blank, col.key] = 0.0
    # A school's own required numbers (its shared resources: R4-R7, and computers and books of the
    # 2012 rules, which every report compares with): a blank cell is not 0 (issue #22).
    for col in table.columns.values():
        if col.required and col.section is None and col.type in ("int", "number"):
            blank = schools[col.key].isna() & ~reported(col.key)
            for idx in schools.index[blank]:
                _row_problem(problems, ERROR, "required_value", schools.loc[idx], col.header)
    compulsory = schools["students_primary"].fillna(0) + schools["students_junior"].fillna(0)
    for part in ("primary", "junior", "senior"):
        col = f"students_{part}"
        applies = types_with(part)
        special = stype.isin(["special", "vocational"])
        ignored = ~applies & ~special & stype.notna() & (schools[col] > 0)
        for idx in schools.index[ignored]:
            row = schools.loc[idx]
            _row_problem(
                problems,
                WARNING,
                "section_ignored",
                row,
                table.columns[col].header,
                school_type=types[row["school_type"]],
                section=sections[part],
                value=int(row[col]),
            )
        # "ignored" means ignored everywhere: school size (G4), class sizes (G5), catchment (G13)
        schools.loc[ignored, col] = 0.0
        compulsory = schools["students_primary"].fillna(0) + schools["students_junior"].fillna(0)
        empty = applies & (schools[col] == 0) & (part != "senior") & (compulsory > 0)
        enters = stype.isin(["nine_year", "twelve_year"])
        for idx in schools.index[empty & enters]:
            row = schools.loc[idx]
            _row_problem(
                problems,
                WARNING,
                "section_empty",
                row,
                table.columns[col].header,
                school_type=types[row["school_type"]],
                section=sections[part],
            )
    # A school without students is excluded from the evaluation with its reason (sections.py);
    # the county keeps its verdict (issue #11, item 8).
    zero = (compulsory == 0) & stype.notna() & ~stype.isin(["special", "vocational"])
    zero &= schools["students_primary"].notna() & schools["students_junior"].notna()
    zero &= ~reported("students_primary", "students_junior")
    for idx in schools.index[zero]:
        _row_problem(
            problems, WARNING, "zero_students", schools.loc[idx], table.columns["students_primary"].header
        )

    def exceeds(over, key, total, total_value, severity=ERROR, code="subset_exceeds", total_en=None):
        for idx in schools.index[over.fillna(False).astype(bool)]:
            row = schools.loc[idx]
            _row_problem(
                problems,
                severity,
                code,
                row,
                table.columns[key].header,
                value=int(row[key]),
                value_label={"zh": table.columns[key].zh, "en": key},
                total=total,
                total_value=int(total_value[idx]),
            )

    def label(key):
        return {"zh": table.columns[key].zh, "en": key}

    for section in ("primary", "junior"):
        total = f"teachers_{section}"
        for part in ("qualified", "backbone", "pe_art", "senior_title"):
            key = f"teachers_{part}_{section}"
            exceeds(schools[key] > schools[total], key, label(total), schools[total])
        no_teachers = (schools[f"students_{section}"] > 0) & (schools[total] == 0)
        no_teachers &= types_with(section, TYPE_SECTIONS)
        for idx in schools.index[no_teachers]:
            _row_problem(
                problems,
                WARNING,
                "no_teachers",
                schools.loc[idx],
                table.columns[total].header,
                section=sections[section],
            )
        # classes: no more oversized classes than classes, no class larger than the section (G5)
        classes, oversized = f"classes_{section}", f"oversized_classes_{section}"
        largest, students = f"max_class_size_{section}", f"students_{section}"
        exceeds(schools[oversized] > schools[classes], oversized, label(classes), schools[classes])
        larger = (schools[largest] > schools[students]) & (schools[students] > 0)
        exceeds(larger, largest, label(students), schools[students], WARNING)
        limit = table.columns[oversized].above
        contradiction = (schools[largest] <= limit) & (schools[oversized] > 0)
        for idx in schools.index[contradiction.fillna(False).astype(bool)]:
            row = schools.loc[idx]
            _row_problem(
                problems,
                ERROR,
                "class_size_contradiction",
                row,
                table.columns[oversized].header,
                largest=int(row[largest]),
                limit=limit,
                oversized=int(row[oversized]),
            )
        mismatch = (schools[largest] > limit) & (schools[oversized] == 0)
        for idx in schools.index[mismatch.fillna(False).astype(bool)]:
            row = schools.loc[idx]
            _row_problem(
                problems,
                WARNING,
                "class_size_mismatch",
                row,
                table.columns[oversized].header,
                largest=int(row[largest]),
                limit=limit,
            )
    # G9 / G12 (docs/method.md#d34): certified and trained teachers are counted among the primary and
    # junior full-time teachers of compulsory-education schools; special and vocational schools are
    # not judged, so their figures are not checked. A twelve-year or complete middle school whose
    # figure exceeds its primary + junior teachers seems to count senior teachers: a warning, and G9 /
    # G12 take the school's figure as missing.
    teachers = schools["teachers_primary"].fillna(0) + schools["teachers_junior"].fillna(0)
    senior = types_with("senior")
    both = {"zh": "小学和初中专任教师数合计", "en": "full-time teachers (primary + junior)"}
    known = schools["teachers_primary"].notna() & schools["teachers_junior"].notna()
    known &= ~reported("teachers_primary", "teachers_junior") & ~stype.isin(["special", "vocational"])
    for key in ("teachers_certified", "teachers_trained_360h"):
        over = (schools[key] > teachers) & known
        exceeds(over & ~senior, key, both, teachers)
        exceeds(over & senior, key, both, teachers, WARNING, "subset_exceeds_senior")
    # 万元 entered under a yuan header: per-student equipment below 50 yuan is implausible.
    per_student = schools["equipment_value_yuan"] / compulsory.where(compulsory > 0)
    suspect = (per_student > 0) & (per_student < 50)
    for idx in schools.index[suspect]:
        _row_problem(
            problems,
            WARNING,
            "unit_suspect",
            schools.loc[idx],
            table.columns["equipment_value_yuan"].header,
            value=f"{per_student[idx]:.2f}",
        )
    # Whole-school resources about 100 times the national level per student (schema.yaml
    # per_student_max): a located warning, e.g. 1e15 m² typed for 1500 m².
    everyone = compulsory + schools["students_senior"].fillna(0).where(types_with("senior"), 0)
    for col in table.columns.values():
        if col.per_student_max is None:
            continue
        values = schools[col.key]
        ratio = values / everyone.where(everyone > 0)
        already = values > col.plausible_max if col.plausible_max is not None else False
        high = (ratio > col.per_student_max) & ~already
        for idx in schools.index[high.fillna(False).astype(bool)]:
            _row_problem(
                problems,
                WARNING,
                "implausible_per_student",
                schools.loc[idx],
                table.columns[col.key].header,
                value=f"{amount(ratio[idx])} {col.unit or ''}".strip(),
                limit=f"{amount(col.per_student_max)} {col.unit or ''}".strip(),
            )
    return schools


def check_required_numbers(frame: pd.DataFrame, table: Table, problems: list) -> None:
    """A blank cell of a required number column is an error, located, like any required cell.

    Used for the monitoring and survey tables: a blank difference rate (Q9) or answer count (S)
    must not be read as nothing. Cells already reported (an unusable column, a formula without a
    result) are not reported twice. (The schools table's per-section columns are checked by
    ``check_schools``.)
    """
    keys = [c.key for c in table.columns.values() if c.required and c.type in ("int", "number")]
    for key in keys:
        unreported = np.array([key not in bad for bad in frame[BAD]], dtype=bool)
        blank = frame[key].isna().to_numpy() & unreported
        for idx in frame.index[blank]:
            _row_problem(problems, ERROR, "required_value", frame.loc[idx], table.columns[key].header)


def check_survey(survey: pd.DataFrame, problems: list) -> None:
    """Report survey rows with more positive answers than valid ones."""
    over = survey["positive_answers"] > survey["valid_answers"]
    for idx in survey.index[over]:
        _row_problem(
            problems,
            ERROR,
            "positive_exceeds_valid",
            survey.loc[idx],
            load_schema().tables["survey"].columns["positive_answers"].header,
        )
