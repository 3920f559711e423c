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


def column_letter(position: int) -> str:
    """The spreadsheet letters of a column position (0: A, 26: AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _objects(values: np.ndarray, fn) -> np.ndarray:
    """Apply ``fn`` to the non-empty cells of an object array (None stays None)."""
    return np.array([None if v is None else fn(v) for v in values], dtype=object)


def _cells_of(values: pd.Series | None, length: int) -> np.ndarray:
    """A column's cells as an object array (a column the sheet lacks: ``length`` empty cells)."""
    if values is None:
        return np.full(length, None, dtype=object)
    return values.to_numpy(dtype=object)


def _blank_cells(cells: np.ndarray) -> np.ndarray:
    """``is_blank`` for a whole column of cells: missing values and whitespace-only text."""
    blank = pd.isna(cells)
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind not in ("floating", "integer", "mixed-integer-float", "boolean", "decimal"):
        blank |= np.fromiter((isinstance(v, str) and not v.strip() for v in cells), bool, len(cells))
    return blank


def _by_text(cells: np.ndarray, fn) -> np.ndarray:
    """``fn(str(value))`` for the non-empty cells, computed once per distinct text.

    ``fn(str(value))`` for the non-empty cells, computed once per distinct text: enumerations, flags and
    ratings repeat a handful of values over hundreds of thousands of rows.
    """
    out = np.full(len(cells), None, dtype=object)
    present = np.flatnonzero(~pd.isna(cells))
    if len(present):
        as_text = [str(v) for v in cells[present]]
        table = {value: fn(value) for value in dict.fromkeys(as_text)}
        out[present] = [None if _missing(m := table[v]) else m for v in as_text]
    return out


def _missing(value) -> bool:
    """A looked-up value that stands for nothing (None or NaN)."""
    return value is None or (isinstance(value, float) and value != value)


def _truth_values(cells: np.ndarray) -> np.ndarray:
    """Which cells hold a logical value (Excel's TRUE / FALSE), checked only in mixed columns."""
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind not in ("boolean", "mixed", "mixed-integer"):
        return np.zeros(len(cells), dtype=bool)
    return np.fromiter((isinstance(v, (bool, np.bool_)) for v in cells), bool, len(cells))


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
        self.sheets: list | None = None  # the (file, sheet) pairs of ``origins``, once asked for
        self.table: Table = load_schema().tables[raw.table]
        self.problems = problems
        self.index = raw.frame.index
        self.header_of: dict[str, str] = {}  # column key -> header as the user wrote it
        self.bad: dict = {}  # row index -> set of column keys reported invalid
        self.unusable: set = set()  # columns reported missing or unusable as a whole
        self.formula: dict = {}  # column key -> row indices of formula cells without a result
        self.position_of: dict[str, int] = {}  # column key -> its position in the sheet (0: column A)
        self.groups: list | None = None  # per (file, sheet) of ``origins``: its rows' positions
        self.empty_sections: list = []  # (column, positions): a per-section column a sheet left blank

    def problem(self, severity, code, column="", **params):
        """A problem of the table as a whole (its headers): once for every sheet it stacks."""
        if self.sheets is None:
            self.sheets = list(self.origins.drop_duplicates().itertuples(index=False))
        for file, sheet in self.sheets:
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
            self.position_of[col.key] = position
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
            cells = _cells_of(out[col.key], len(index))
            out[col.key] = self._coerce(cells, col, factors.get(col.key, 1))
        self._report_empty_sections(out.get("school_type"))
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
            said = self._formula_column(key, values, hit.to_numpy(), shown)
            for idx in hit[hit].index:
                if idx in said:
                    self.mark_bad(idx, key)
                    continue
                error = values[idx].error
                if error:
                    self.cell(ERROR, "formula_error", idx, shown, value=error)
                else:
                    self.cell(ERROR, "formula_not_calculated", idx, shown)
                self.mark_bad(idx, key)
            self.formula[key] = set(hit[hit].index)
            out[key] = values.where(~hit, None)

    def _formula_column(self, key: str, values: pd.Series, hit: np.ndarray, shown: str) -> set:
        """Each sheet whose column ``key`` is formulas never calculated in every row: one error.

        (A workbook written by a program, or saved without calculating: opened and saved in Excel
        or WPS, the values are stored.) Returns the row indices so reported; a sheet of one row,
        or with a formula error value among them, keeps its cell messages.
        """
        position = self.position_of.get(key)
        if position is None:  # a county's own column: its cells are named one by one
            return set()
        cells = values.to_numpy(dtype=object)
        said: set = set()
        for file, sheet, positions in self._sheet_groups():
            if len(positions) < 2 or not hit[positions].all():
                continue
            if any(cells[pos].error for pos in positions):
                continue
            params = self._column_span(position, positions)
            self.problems.append(
                Problem(ERROR, "formula_column_not_calculated", file, sheet, None, shown, params)
            )
            said.update(self.index[positions])
        return said

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

    # -- a required column left wholly blank: one error, not one per row -----------------------
    def _sheet_groups(self) -> list:
        """(file, sheet, positions of its rows) for every sheet the frame stacks, once asked for."""
        if self.groups is None:
            grouped = self.origins.groupby([FILE, SHEET], sort=False).indices
            self.groups = [(file, sheet, positions) for (file, sheet), positions in grouped.items()]
        return self.groups

    def _whole_column_blank(self, blank: np.ndarray, col: Column) -> None:
        """Report each sheet whose required column ``col`` is blank in every row, once.

        Its rows are marked reported, so that neither the cell checks here nor ``check_schools`` /
        ``check_required_numbers`` name them one by one. A sheet of one row keeps its cell message
        (as precise); a formula cell without a result is a filled cell (reported as such). A
        per-section column is decided once the school types are known (`_report_empty_sections`).
        """
        formulas = self.formula.get(col.key, ())
        for file, sheet, positions in self._sheet_groups():
            if len(positions) < 2 or not blank[positions].all():
                continue
            if formulas and any(self.index[pos] in formulas for pos in positions):
                continue
            if col.section:
                self.empty_sections.append((col, file, sheet, positions))
                continue
            self._column_empty(col, file, sheet, positions, "column_empty")

    def _column_span(self, position: int, positions) -> dict:
        """Where a whole column of a sheet is: its number and letter, its rows (how many, first, last)."""
        rows = self.raw.frame[ROW].to_numpy()[positions]
        return {
            "number": position + 1,
            "letter": column_letter(position),
            "rows": len(positions),
            "first": int(rows.min()),
            "last": int(rows.max()),
        }

    def _column_empty(self, col: Column, file, sheet, positions, code: str, **params) -> None:
        params = {**self._column_span(self.position_of[col.key], positions), **params}
        shown = self.header_of.get(col.key, col.header)
        self.problems.append(Problem(ERROR, code, file, sheet, None, shown, params))
        for pos in positions:
            self.mark_bad(self.index[pos], col.key)

    def _report_empty_sections(self, school_type: pd.Series | None) -> None:
        """A blank per-section column: an error only where a school of the sheet has the section.

        (A county without junior schools may leave the junior columns blank: 0, as `check_schools`
        fills them.) Only the schools that need the column are marked reported.
        """
        if not self.empty_sections:
            return
        types = school_type.to_numpy(dtype=object) if school_type is not None else None
        sections = {**load_schema().enums["section"], "senior": {"zh": "高中", "en": "senior"}}
        for col, file, sheet, positions in self.empty_sections:
            if types is None:
                continue
            kinds = {kind for kind, parts in TYPE_STUDENT_PARTS.items() if col.section in parts}
            need = np.array([pos for pos in positions if types[pos] in kinds], dtype=np.intp)
            if not len(need):
                continue
            params = {"schools": len(need), "section": sections[col.section]}
            self._column_empty(col, file, sheet, need, "section_column_empty", **params)

    # -- coercion -----------------------------------------------------------------------------
    # On the columns' NumPy arrays: pandas costs per call, and a county's tables are small. Cells
    # are addressed by position; ``self.index`` gives a problem its row (``cell``).
    def _coerce(self, cells: np.ndarray, col: Column, factor: float) -> pd.Series | np.ndarray:
        blank = _blank_cells(cells)
        if col.required and col.key not in self.unusable and blank.any():
            self._whole_column_blank(blank, col)
        text = np.where(blank, None, cells)
        shown = self.header_of.get(col.key, col.header)
        if col.type in ("int", "number", "year"):
            return self._numeric(text, blank, col, factor, shown)
        if col.type == "code":
            return self._objects(self._code(text, blank, col, shown))
        if col.type == "enum":
            lookup = load_schema().enum_lookup(col.enum)
            if col.enum == "flag":
                mapped = _by_text(text, lambda v: FLAGS.get(normalise(v).lower().removesuffix(".0")))
                self._report_unknown(text, blank, mapped, col, shown)
                return self._objects(mapped).astype("boolean")
            mapped = _by_text(text, lambda v: lookup.get(normalise(v).lower()))
            self._report_unknown(text, blank, mapped, col, shown)
            return self._objects(mapped)
        if col.type == "rating":
            lookup = {**ROMAN, **{normalise(k).lower(): int(k) for k in load_schema().enums["rating"]}}
            for k, labels in load_schema().enums["rating"].items():
                lookup[normalise(labels["zh"]).lower()] = int(k)
            mapped = _by_text(text, lambda v: lookup.get(normalise(v).lower().removesuffix(".0")))
            self._report_unknown(text, blank, mapped, col, shown)
            return pd.Series(pd.to_numeric(mapped, errors="coerce"), index=self.index).astype("Float64")
        # text
        cleaned = [None if _missing(v) else str(v).strip() for v in text]
        self._report_required(blank, col, shown)
        return self._objects(cleaned)

    def _objects(self, values) -> pd.Series:
        """Cells as an object column of the table (no inference: text stays Python str)."""
        return pd.Series(values, index=self.index, dtype=object)

    def _report_required(self, blank, col, shown):
        if col.key in self.unusable:
            return  # the column is missing or unusable: said once, not once per row
        if col.required and col.type in ("code", "text", "enum", "rating", "year"):
            reported = self.formula.get(col.key, ())
            for idx in self.index[blank]:
                if idx not in reported and col.key not in self.bad.get(idx, ()):
                    self.cell(ERROR, "required_value", idx, shown)

    def _report_unknown(self, text, blank, mapped, col, shown):
        bad = pd.isna(mapped) & ~blank
        if bad.any():
            choices = "、".join(
                pick(v, "zh") for v in load_schema().enums.get(col.enum or "rating", {}).values()
            )
            for pos in np.flatnonzero(bad):
                self.cell(ERROR, "unknown_enum", self.index[pos], shown, value=text[pos], choices=choices)
        self._report_required(blank, col, shown)

    def _numeric(self, text, blank, col, factor, shown) -> np.ndarray:
        truth = _truth_values(text)  # TRUE / FALSE in a number cell: not 1 / 0 (issue #22)
        if truth.any():
            text = text.copy()
            text[truth] = ["TRUE" if v else "FALSE" for v in text[truth]]
        index = self.index
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
        filled = ~blank
        retry = np.isnan(numbers) & filled  # e.g. "1,200" or "1，200": thousands separators
        if retry.any():
            cleaned = _objects(
                text[retry],
                lambda v: v.replace(",", "").replace("，", "").strip() if isinstance(v, str) else v,
            )
            numbers[retry] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        infinite = np.isinf(numbers)
        for pos in np.flatnonzero(infinite):  # "inf", "Infinity", "1e309": not a quantity (issue #11)
            self.cell(ERROR, "not_finite", index[pos], shown, value=text[pos])
        numbers[infinite] = np.nan
        known = ~np.isnan(numbers)
        bad = ~known & filled & ~infinite
        for pos in np.flatnonzero(bad):
            code = "bad_year" if col.type == "year" else "not_a_number"
            self.cell(ERROR, code, index[pos], shown, value=text[pos])
        negative = numbers < 0
        for pos in np.flatnonzero(negative):
            self.cell(ERROR, "negative", index[pos], shown, value=text[pos])
        fractional = np.zeros(len(numbers), dtype=bool)
        if col.type in ("int", "year"):
            fractional = known & (numbers != np.floor(numbers))
            for pos in np.flatnonzero(fractional & ~negative):
                code = "bad_year" if col.type == "year" else "not_integer"
                self.cell(ERROR, code, index[pos], shown, value=text[pos])
        if col.type == "year":
            odd = known & ((numbers < 1949) | (numbers > 2100)) & ~fractional
            for pos in np.flatnonzero(odd):
                self.cell(ERROR, "bad_year", index[pos], shown, value=text[pos])
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
                value = text[pos] if len(str(text[pos])) <= 20 else amount(numbers[pos])  # not 300 digits
                limit = amount(col.plausible_max)
                self.cell(WARNING, "implausible_value", index[pos], shown, value=value, limit=limit)
        return numbers

    def _code(self, text, blank, col, shown) -> list:
        out = []
        for idx, v in zip(self.index, text, strict=True):
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
        return out


def _stacked(group: list[RawTable]) -> tuple[RawTable, pd.DataFrame]:
    """Sheets of one kind with identical headers stacked as one raw table.

    Sheets of one kind with identical headers (a county's yearly workbooks) as one raw table, with each row's
    file and sheet kept alongside.
    """
    frames = [raw.frame for raw in group]
    origins = pd.DataFrame(
        {
            FILE: pd.Series([raw.file for raw in group for _ in range(len(raw.frame))], dtype="str"),
            SHEET: pd.Series([raw.sheet for raw in group for _ in range(len(raw.frame))], dtype="str"),
        }
    )  # (file and sheet are names: text, as a column of one name per sheet would be typed)
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
            dtypes = {c: ("Int64" if c == "year" else dtype) for c, dtype in part.dtypes.items()}
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


def _keys_unique(frame: pd.DataFrame, keys: list) -> bool:
    """Whether no row with every key filled in repeats the keys of another (Python's equality).

    Only a True is used: a False is left to pandas' ``duplicated``, which words the messages.
    """
    columns = [frame[k].to_numpy(dtype=object) for k in keys]
    complete = ~np.logical_or.reduce([pd.isna(c) for c in columns]) if columns else []
    rows = list(zip(*(c[complete] for c in columns), strict=True))
    return len(set(rows)) == len(rows)


def check_duplicates(frame: pd.DataFrame, table: Table, problems: list) -> None:
    """Report rows whose key columns repeat an earlier row."""
    keys = list(table.key_columns)
    if _keys_unique(frame, keys):
        return  # the usual case, told without pandas' per-call cost
    complete = frame.loc[frame[keys].notna().all(axis=1).to_numpy(), keys]  # only the keys: cheaper
    dup = complete.duplicated(keep="first")
    if not dup.any():
        return
    complete = frame.loc[complete.index, [*keys, FILE, SHEET, ROW]]
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


def _set_where(frame: pd.DataFrame, key: str, mask: np.ndarray, value: float) -> None:
    """``frame.loc[mask, key] = value``, on the column's array when it is a float column.

    (A ``.loc`` assignment costs more than the work on a county's few hundred schools.)
    """
    if not mask.any():
        return
    if frame[key].dtype != np.float64:
        frame.loc[mask, key] = value
        return
    values = frame[key].to_numpy(copy=True)
    values[mask] = value
    frame[key] = values


def check_schools(schools: pd.DataFrame, problems: list) -> pd.DataFrame:
    """Domain checks of the schools table; fills not-applicable section cells with 0.

    On the columns' NumPy arrays (pandas costs per call; a county has a few hundred schools), read
    afresh after each fill.
    """
    schema = load_schema()
    table = schema.tables["schools"]
    types = schema.enums["school_type"]
    sections = {**schema.enums["section"], "senior": {"zh": "高中", "en": "senior"}}
    check_duplicates(schools, table, problems)
    index = schools.index
    stype = schools["school_type"]
    typed = stype.notna().to_numpy()
    kinds: dict = {}

    def of_types(*names) -> np.ndarray:
        """Rows whose school type is one of ``names`` (each set of types looked up once)."""
        if names not in kinds:
            kinds[names] = stype.isin(names).to_numpy()
        return kinds[names]

    def types_with(part, parts=TYPE_STUDENT_PARTS) -> np.ndarray:
        return of_types(*[kind for kind, has in parts.items() if part in has])

    def number(key) -> np.ndarray:
        return schools[key].to_numpy(dtype="float64", na_value=np.nan)

    def blank(key) -> np.ndarray:
        return schools[key].isna().to_numpy()

    def zero_if_blank(key) -> np.ndarray:
        values = number(key)
        return np.where(np.isnan(values), 0.0, values)

    bad_cells = schools[BAD].to_numpy()
    flagged = np.flatnonzero([len(b) > 0 for b in bad_cells])

    def reported(*keys) -> np.ndarray:
        """Rows whose cell in one of ``keys`` was already reported invalid (few rows have any)."""
        hit = np.zeros(len(schools), dtype=bool)
        hit[flagged] = [not bad_cells[i].isdisjoint(keys) for i in flagged]
        return hit

    def rows(mask):
        """(index, row) of the rows where ``mask`` holds, as Series (for the messages)."""
        for pos in np.flatnonzero(mask):
            yield pos, schools.loc[index[pos]]

    special = of_types("special", "vocational")
    section_cols = [c for c in table.columns.values() if c.section and c.required]
    for col in section_cols:
        applies = types_with(col.section)
        empty = blank(col.key) & ~reported(col.key)
        for _, row in rows(applies & empty):
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
        _set_where(schools, col.key, ~applies & empty, 0.0)
    # A school's own required numbers (its shared resources: R4-R7, and computers and books of the
    # 2012 rules, which every report compares with): a blank cell is not 0 (issue #22).
    for col in table.columns.values():
        if col.required and col.section is None and col.type in ("int", "number"):
            for _, row in rows(blank(col.key) & ~reported(col.key)):
                _row_problem(problems, ERROR, "required_value", row, col.header)
    compulsory = zero_if_blank("students_primary") + zero_if_blank("students_junior")
    for part in ("primary", "junior", "senior"):
        col = f"students_{part}"
        applies = types_with(part)
        ignored = ~applies & ~special & typed & (number(col) > 0)
        for _, row in rows(ignored):
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
        _set_where(schools, col, ignored, 0.0)
        compulsory = zero_if_blank("students_primary") + zero_if_blank("students_junior")
        empty = applies & (number(col) == 0) & (part != "senior") & (compulsory > 0)
        enters = of_types("nine_year", "twelve_year")
        for _, row in rows(empty & enters):
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
    zero = (compulsory == 0) & typed & ~special
    zero &= ~blank("students_primary") & ~blank("students_junior")
    zero &= ~reported("students_primary", "students_junior")
    for _, row in rows(zero):
        _row_problem(problems, WARNING, "zero_students", row, table.columns["students_primary"].header)

    def exceeds(over, key, total, total_value, severity=ERROR, code="subset_exceeds", total_en=None):
        for pos, row in rows(over):
            _row_problem(
                problems,
                severity,
                code,
                row,
                table.columns[key].header,
                value=int(row[key]),
                value_label={"zh": table.columns[key].zh, "en": key},
                total=total,
                total_value=int(total_value[pos]),
            )

    def label(key):
        return {"zh": table.columns[key].zh, "en": key}

    for section in ("primary", "junior"):
        total = f"teachers_{section}"
        for part in ("qualified", "backbone", "pe_art", "senior_title"):
            key = f"teachers_{part}_{section}"
            exceeds(number(key) > number(total), key, label(total), number(total))
        no_teachers = (number(f"students_{section}") > 0) & (number(total) == 0)
        no_teachers &= types_with(section, TYPE_SECTIONS)
        for _, row in rows(no_teachers):
            _row_problem(
                problems,
                WARNING,
                "no_teachers",
                row,
                table.columns[total].header,
                section=sections[section],
            )
        # classes: no more oversized classes than classes, no class larger than the section (G5)
        classes, oversized = number(f"classes_{section}"), number(f"oversized_classes_{section}")
        largest, students = number(f"max_class_size_{section}"), number(f"students_{section}")
        oversized_key, largest_key = f"oversized_classes_{section}", f"max_class_size_{section}"
        exceeds(oversized > classes, oversized_key, label(f"classes_{section}"), classes)
        larger = (largest > students) & (students > 0)
        exceeds(larger, largest_key, label(f"students_{section}"), students, WARNING)
        limit = table.columns[oversized_key].above
        for _, row in rows((largest <= limit) & (oversized > 0)):
            _row_problem(
                problems,
                ERROR,
                "class_size_contradiction",
                row,
                table.columns[oversized_key].header,
                largest=int(row[largest_key]),
                limit=limit,
                oversized=int(row[oversized_key]),
            )
        for _, row in rows((largest > limit) & (oversized == 0)):
            _row_problem(
                problems,
                WARNING,
                "class_size_mismatch",
                row,
                table.columns[oversized_key].header,
                largest=int(row[largest_key]),
                limit=limit,
            )
    # G9 / G12 (docs/method.md#d34): certified and trained teachers are counted among the primary and
    # junior full-time teachers of compulsory-education schools; special and vocational schools are
    # not judged, so their figures are not checked. A twelve-year or complete middle school whose
    # figure exceeds its primary + junior teachers seems to count senior teachers: a warning, and G9 /
    # G12 take the school's figure as missing.
    teachers = zero_if_blank("teachers_primary") + zero_if_blank("teachers_junior")
    senior = types_with("senior")
    both = {"zh": "小学和初中专任教师数合计", "en": "full-time teachers (primary + junior)"}
    known = ~blank("teachers_primary") & ~blank("teachers_junior")
    known &= ~reported("teachers_primary", "teachers_junior") & ~special
    for key in ("teachers_certified", "teachers_trained_360h"):
        over = (number(key) > teachers) & known
        exceeds(over & ~senior, key, both, teachers)
        exceeds(over & senior, key, both, teachers, WARNING, "subset_exceeds_senior")
    # 万元 entered under a yuan header: per-student equipment below 50 yuan is implausible.
    per_student = number("equipment_value_yuan") / np.where(compulsory > 0, compulsory, np.nan)
    for pos, row in rows((per_student > 0) & (per_student < 50)):
        _row_problem(
            problems,
            WARNING,
            "unit_suspect",
            row,
            table.columns["equipment_value_yuan"].header,
            value=f"{per_student[pos]:.2f}",
        )
    # Whole-school resources about 100 times the national level per student (schema.yaml
    # per_student_max): a located warning, e.g. 1e15 m² typed for 1500 m².
    everyone = compulsory + np.where(senior, zero_if_blank("students_senior"), 0)
    for col in table.columns.values():
        if col.per_student_max is None:
            continue
        values = number(col.key)
        ratio = values / np.where(everyone > 0, everyone, np.nan)
        already = values > col.plausible_max if col.plausible_max is not None else False
        high = (ratio > col.per_student_max) & ~already
        for pos, row in rows(high):
            _row_problem(
                problems,
                WARNING,
                "implausible_per_student",
                row,
                table.columns[col.key].header,
                value=f"{amount(ratio[pos])} {col.unit or ''}".strip(),
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
