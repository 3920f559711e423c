"""Find and read the user's files into raw, untyped tables that remember where every row came from.

Three layouts are accepted (issue #2, "Data contract"):
- one Excel workbook per county and year, one sheet per table (Chinese or English sheet names);
- a directory of such workbooks (searched recursively);
- a directory of tables: schools.csv / county.csv / monitoring.csv / survey.csv /
  survey_responses.csv, or the same as .parquet, holding any number of counties and years.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from junheng.inputs.schema import load_schema, normalise
from junheng.problems import ERROR, INFO, WARNING, Problem

ROW = "_row"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")  # compared in lower case: "X.XLSX" is a workbook too
TABLE_SUFFIXES = (".parquet", ".csv")
OLD_EXCEL_SUFFIXES = (".xls",)  # Excel 97-2003: python-calamine reads it, but not reliably: ask for .xlsx
# C0 control characters other than tab, line feed and carriage return, and DEL: invisible, and
# rejected by Excel files (a report's Excel export would fail on them)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HEADER_SEARCH_ROWS = 20  # a header below a title or blank rows is looked for this far down
# A county-year workbook holds at most some tens of thousands of schools: a sheet with more filled
# rows than this (a million junk rows) is not read, and said, instead of taking minutes and GBs.
MAX_SHEET_ROWS = 100_000


@dataclass
class RawTable:
    """One sheet or file as read, before any typing: its table, origin, headers and cells."""

    table: str  # schema table key, e.g. "schools"
    file: str  # path shown in messages
    sheet: str  # sheet name (file name for CSV / Parquet)
    headers: list  # headers as the user wrote them, in column order
    frame: pd.DataFrame  # object values, columns 0..n-1, plus ROW (the row number a user sees)
    formulas: bool = False  # the frame holds FormulaCell values (formulas without a usable result)


@dataclass(frozen=True)
class FormulaCell:
    """A formula cell whose result cannot be used.

    ``error`` is Excel's error value (``#DIV/0!``), or "" when there is no cached result at all (the
    file was written by a program and never opened and saved in Excel).
    """

    error: str

    def __str__(self) -> str:
        return self.error or "="


def _table_for_sheet(name: str) -> str | None:
    wanted = normalise(name).lower()
    for key, table in load_schema().tables.items():
        if wanted in (key, normalise(table.sheet).lower(), normalise(table.zh).lower(), table.en.lower()):
            return key
    return None


def is_blank(value) -> bool:
    """None, NaN, pandas NA and whitespace-only text are empty cells."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and not value.strip()


def _row_has_control(values: list) -> bool:
    """Whether a text cell of ``values`` holds a control character (one search over the row's text)."""
    return CONTROL.search("".join(v for v in values if type(v) is str)) is not None


def _recognised(row, table: str) -> int:
    spec = load_schema().tables[table]
    return sum(
        1 for v in row if isinstance(v, str) and v.strip() and spec.column_for_header(v)[0] is not None
    )


def _header_row(rows: list, table: str) -> int:
    """Index of the header row.

    The first row, unless a row further down (below a title or blank rows) names more of the table's
    columns.
    """
    first = _recognised(rows[0], table) if rows else 0
    if first >= 3:
        return 0
    best, where = first, 0
    for i, row in enumerate(rows[1:HEADER_SEARCH_ROWS], start=1):
        n = _recognised(row, table)
        if n > best:
            best, where = n, i
    return where if best >= 2 else 0


def _clean_text(value: str) -> str:
    return CONTROL.sub("", value)


def _frame_from_rows(
    rows: list,
    first_row_number: int,
    table: str | None = None,
    file: str = "",
    sheet: str = "",
    problems: list | None = None,
    check_control: bool = True,
) -> tuple[list, pd.DataFrame]:
    """Headers and body of a sheet.

    With ``table``, a header below a title row is found (and said); control characters in text are
    removed, each with a located warning.
    """
    problems = [] if problems is None else problems
    start = _header_row(rows, table) if table and rows else 0
    if start:
        skipped = " ".join(
            str(v).strip() for row in rows[:start] for v in row if not is_blank(v) and str(v).strip()
        )
        problems.append(
            Problem(
                WARNING,
                "header_not_first_row",
                file,
                sheet,
                first_row_number + start,
                params={"skipped": start, "text": skipped[:60] or "—"},
            )
        )
        rows = rows[start:]
        first_row_number += start
    if not rows:
        return [], pd.DataFrame({ROW: pd.Series(dtype="int64")})
    headers = ["" if is_blank(h) else str(h).strip() for h in rows[0]]
    if check_control and any(CONTROL.search(h) for h in headers):
        for h in headers:
            if CONTROL.search(h):
                problems.append(
                    Problem(WARNING, "control_characters", file, sheet, first_row_number, _clean_text(h))
                )
        headers = [_clean_text(h) for h in headers]
    width = len(headers)
    body, numbers = [], []
    for offset, values in enumerate(rows[1:], start=1):
        values = [None if is_blank(v) else v for v in list(values)[:width]]
        values += [None] * max(0, width - len(values))
        if values.count(None) == len(values):
            continue  # blank line: nothing to account for
        if check_control and _row_has_control(values):
            for j, v in enumerate(values):
                if type(v) is str and CONTROL.search(v):
                    cleaned = _clean_text(v)
                    problems.append(
                        Problem(
                            WARNING, "control_characters", file, sheet, first_row_number + offset, headers[j]
                        )
                    )
                    values[j] = cleaned if cleaned.strip() else None
        body.append(values)
        numbers.append(first_row_number + offset)
    frame = (
        pd.DataFrame(body, columns=range(width), dtype=object)
        if body
        else pd.DataFrame(columns=range(width), dtype=object)
    )
    frame[ROW] = pd.Series(numbers, dtype="int64", index=frame.index)
    return headers, frame


def _cell(value):
    """Give whole numbers back as int (Excel stores every number as a float).

    Excel stores every number as a float: give whole numbers back as int, as a user sees them (so a numeric
    cell in a text column reads "12", not "12.0").
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:  # not 1e300's 301 digits
        return int(value)
    return value


# -- why a file could not be read, in the user's language ---------------------------------------
def read_reason(exc: BaseException) -> dict:
    """A short reason ({zh, en} from the locale files) for an exception raised while reading."""
    from junheng.i18n import t

    name = type(exc).__name__
    text = str(exc).lower()
    if isinstance(exc, PermissionError) or "permission denied" in text:
        key = "permission"
    elif isinstance(exc, FileNotFoundError) or "no such file" in text:
        key = "not_found"
    elif name == "PasswordError" or "password" in text or "encrypt" in text:
        key = "encrypted"
    elif name in ("ZipError", "BadZipFile", "XmlError") or "zip" in text:
        key = "corrupt"
    elif isinstance(exc, UnicodeDecodeError):
        key = "encoding"
    elif name == "EmptyDataError":
        key = "empty"
    elif name == "ParserError":
        key = "csv_format"
    elif name in ("ArrowInvalid", "ArrowIOError") or "parquet" in text:
        key = "parquet"
    else:
        key = "other"
    return {lang: t(f"problem.read_reason.{key}", lang) for lang in ("zh", "en")}


def _unreadable(problems: list, path, exc: BaseException) -> None:
    detail = f"{type(exc).__name__}: {exc}".strip()[:200]
    problems.append(
        Problem(
            ERROR, "unreadable_file", file=str(path), params={"reason": read_reason(exc), "detail": detail}
        )
    )


# -- formula cells without a usable result ------------------------------------------------------
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_TYPE = re.compile(rb'\bt="([A-Za-z]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
# an element whose name starts with "f" other than a data validation's or conditional format's
# <formula1>: a sheet without one has no formula cell, and its cells need not be looked at
_FORMULA_LIKE = re.compile(rb"<f(?!ormula)")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_members(book: zipfile.ZipFile) -> dict:
    """Sheet name -> its XML part in the workbook package."""
    from xml.etree import ElementTree

    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    members = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        members[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return members


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index - 1


def formula_cells(path: Path, sheets) -> dict:
    """Formula cells without a usable result, per sheet: {(row number, column index): error or ""}.

    python-calamine reads an error value and a never-calculated formula as empty cells, which would
    say "must be filled in" for a cell the user did fill in.
    """
    found = {}
    try:
        with zipfile.ZipFile(path) as book:
            members = _sheet_members(book)
            for sheet in sheets:
                member = members.get(sheet)
                if member is None or member not in book.namelist():
                    continue
                xml = book.read(member)
                if not _FORMULA_LIKE.search(xml):
                    continue
                cells = {}
                for match in _CELL.finditer(xml):
                    body = match.group(2)
                    if not body or b"<f" not in body:
                        continue
                    kind = _TYPE.search(match.group(1))
                    kind = kind.group(1) if kind else b"n"
                    value = _VALUE.search(body)
                    if kind == b"e":
                        text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
                    elif (value is None or not value.group(1).strip()) and kind != b"str":  # <v></v>: none
                        text = ""  # no cached result: never calculated
                    else:
                        continue
                    ref = _REF.search(match.group(1))
                    if ref:
                        cells[(int(ref.group(2)), _column_index(ref.group(1)))] = text
                if cells:
                    found[sheet] = cells
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, SyntaxError):
        return {}  # calamine read the file; without this extra check only the message is plainer
    return found


_ROW = re.compile(rb"<row\b[^>]*?(?<!/)>(.*?)</row>", re.S)


def _filled_rows(xml: bytes, start: int = 0, end: int | None = None) -> int:
    """Rows with at least one value (not only styled empty cells) in a piece of sheet XML."""
    end = len(xml) if end is None else end
    return sum(1 for m in _ROW.finditer(xml, start, end) if b"<v>" in m.group(1) or b"<is>" in m.group(1))


def _count_rows(book: zipfile.ZipFile, member: str, precise: bool) -> int:
    """``<row`` elements of a sheet part (``precise``: only those holding a value), read in blocks."""
    n, tail = 0, b""
    with book.open(member) as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            if not precise:
                n += (tail + block).count(b"<row")
                tail = block[-3:]
                continue
            text = tail + block
            cut = text.rfind(b"<row")
            cut = cut if cut > 0 else len(text)
            n += _filled_rows(text, 0, cut)
            tail = text[cut:]
    return n + (_filled_rows(tail) if precise else 0)


def sheet_rows(path: Path, sheets) -> dict:
    """Rows holding values, per sheet, counted in the sheet's XML without parsing it (a bounded check).

    A quick count of row elements first; values are looked for only when it is above the limit.
    """
    counts = {}
    try:
        with zipfile.ZipFile(path) as book:
            members = _sheet_members(book)
            for sheet in sheets:
                member = members.get(sheet)
                if member is None or member not in book.namelist():
                    continue
                counts[sheet] = _count_rows(book, member, precise=False)
                if counts[sheet] > MAX_SHEET_ROWS:
                    counts[sheet] = _count_rows(book, member, precise=True)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, SyntaxError):
        return {}  # calamine reads (or refuses) the file itself
    return counts


def read_workbook(path: Path, problems: list) -> list[RawTable]:
    """Read every known sheet with python-calamine (a Rust reader, ~10x faster than openpyxl here).

    Rows are read from A1 with empty leading rows kept, so row numbers are the ones Excel shows.
    """
    from python_calamine import CalamineWorkbook

    shown = str(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        known = [(name, _table_for_sheet(name)) for name in wb.sheet_names]
        for name, key in known:  # "学校 (2)", "学校副本": a copy of a table sheet is not read, and said
            copy = _COPY.match(name.strip()) if key is None else None
            if copy and _table_for_sheet(copy.group("original")):
                problems.append(
                    Problem(
                        WARNING,
                        "sheet_copy_not_read",
                        file=shown,
                        sheet=name,
                        params={"original": copy.group("original").strip()},
                    )
                )
        known = [(name, key) for name, key in known if key is not None]  # not instructions etc.
        sizes = sheet_rows(path, [name for name, _ in known])
        for name, _ in known:
            if sizes.get(name, 0) > MAX_SHEET_ROWS:
                params = {"rows": f"{sizes[name]:,}", "limit": f"{MAX_SHEET_ROWS:,}"}
                problems.append(Problem(ERROR, "sheet_too_large", file=shown, sheet=name, params=params))
        known = [(name, key) for name, key in known if sizes.get(name, 0) <= MAX_SHEET_ROWS]
        formulas = formula_cells(path, [name for name, _ in known])
        tables = []
        for name, key in known:
            rows = [
                [_cell(v) for v in row] for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for (row, col), text in formulas.get(name, {}).items():
                if row - 1 < len(rows) and col < len(rows[row - 1]) and is_blank(rows[row - 1][col]):
                    rows[row - 1][col] = FormulaCell(text)
            headers, frame = _frame_from_rows(rows, 1, key, shown, name, problems)
            tables.append(RawTable(key, shown, name, headers, frame, formulas=name in formulas))
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes a located message
        _unreadable(problems, path, exc)
        return []
    schools = [t for t in tables if t.table == "schools"]
    refused = any(p.code == "sheet_too_large" and p.file == shown for p in problems)
    if not schools and not refused:
        problems.append(Problem(ERROR, "no_schools_sheet", file=shown))
    for t in schools:
        if t.frame.empty:
            problems.append(Problem(ERROR, "no_school_rows", file=shown, sheet=t.sheet))
    return tables


SEPARATORS = (",", "\t", ";", "|")


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16 with its BOM
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China often saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
    raise last


def _separator(text: str) -> str:
    """The separator of the header line: the one of comma, tab, semicolon and bar that splits it most."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ","


def _read_csv(path: Path, problems: list) -> tuple[pd.DataFrame, bool]:
    """The CSV as text cells; a tab-, semicolon- or bar-separated file is read as such (and said)."""
    text = _decode(path.read_bytes())
    if not text.strip():
        raise pd.errors.EmptyDataError("the file is empty")
    sep = _separator(text)
    if sep != ",":
        names = {"\t": {"zh": "制表符", "en": "tab"}, ";": {"zh": "分号", "en": "semicolon"}}
        shown = names.get(sep, {"zh": sep, "en": sep})
        problems.append(Problem(INFO, "csv_separator", file=str(path), params={"separator": shown}))
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, header=None)
    return frame, bool(CONTROL.search(text))


def _has_control(column: pd.Series) -> bool:
    """Whether a Parquet column holds text with control characters (vectorised for string columns)."""
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_string_dtype(column) and not pd.api.types.is_object_dtype(column):
        return bool(column.str.contains(CONTROL.pattern, regex=True, na=False).any())
    return bool(column.map(lambda v: isinstance(v, str) and CONTROL.search(v) is not None).any())


def _import_output(path: Path) -> bool:
    """Whether a table file is one `junheng import` wrote (its report beside it)."""
    from junheng.inputs.statistics.outputs import REPORT_JSON

    return (path.parent / REPORT_JSON).is_file()


def read_table_file(path: Path, table: str, problems: list) -> list[RawTable]:
    """One CSV or Parquet table; problems go to ``problems``."""
    shown = str(path)
    try:
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
            headers = [str(c) for c in df.columns]
            frame = df.astype(object).where(df.notna(), None)
            frame.columns = range(len(headers))
            frame[ROW] = range(2, len(frame) + 2)  # as if the header were row 1, like a spreadsheet
            frame = frame.reset_index(drop=True)
            if any(_has_control(df[c]) for c in df.columns):
                rows = [headers, *frame.drop(columns=ROW).values.tolist()]
                headers, frame = _frame_from_rows(rows, 1, None, shown, path.name, problems)
            raw = RawTable(table, shown, path.name, headers, frame)
        else:
            csv, control = _read_csv(path, problems)
            rows = csv.astype(object).values.tolist()
            if _import_output(path):  # names guarded against formula injection, as they were
                from junheng.inputs.statistics.outputs import unguarded

                rows = [[unguarded(v) for v in row] for row in rows]
            headers, frame = _frame_from_rows(rows, 1, table, shown, path.name, problems, control)
            raw = RawTable(table, shown, path.name, headers, frame)
    except Exception as exc:  # noqa: BLE001
        _unreadable(problems, path, exc)
        return []
    if table == "schools" and raw.frame.empty:
        problems.append(Problem(ERROR, "no_school_rows", file=shown, sheet=path.name))
    return [raw]


_WORKBOOK_NAME = re.compile(r"([0-9]{6})[_-]([0-9]{4})")
# "990102_2024 - 副本.xlsx", "990102_2024 - Copy.xlsx", "990102_2024 (2).xlsx", "990102_2024副本.xlsx"
_COPY = re.compile(r"^(?P<original>.+?)\s*(?:-\s*)?(?:副本|copy|kopie|\(\d+\)|（\d+）)(?:\s*\(\d+\))?$", re.I)


def _wanted(path: Path, counties, years) -> bool:
    """Skip workbooks whose file name says they hold another county or year."""
    match = _WORKBOOK_NAME.search(path.stem)
    if not match:
        return True
    if counties and match.group(1) not in counties:
        return False
    if years and int(match.group(2)) not in years:
        return False
    return True


def _skipped(path: Path, code: str, severity: str = WARNING, **params) -> Problem:
    problem = Problem(severity, code, file=str(path), params=params)
    match = _WORKBOOK_NAME.search(path.stem)
    if match:  # a file named for a county-year concerns that county-year (and only it)
        problem.county_code, problem.year = match.group(1), int(match.group(2))
    return problem


# Files of a data folder read by other parts of the project: the county's action plan (targets),
# rectification-plan settings (junheng.planning), and the county's own plan, profile and text
# (plan/CODE.yaml, county.yaml, county/CODE.yaml, narrative/CODE.md). They are not workbooks and
# are not "not read".
PLAN_FILES = {"targets.yaml", "targets.yml", "plan.yaml", "plan.yml", "county.yaml"}
PLAN_FOLDERS = {
    "targets": (".yaml", ".yml"),
    "plan": (".yaml", ".yml"),
    "county": (".yaml", ".yml"),
    "narrative": (".md",),
}


def _read_elsewhere(folder: Path, path: Path) -> bool:
    if path.name.lower() in PLAN_FILES:
        return True
    relative = path.relative_to(folder).parts
    return len(relative) == 2 and path.suffix.lower() in PLAN_FOLDERS.get(relative[0].lower(), ())


def workbook_files(folder: Path, counties=None, years=None) -> tuple[list[Path], list[Problem]]:
    """Every workbook under ``folder`` (.xlsx and .xlsm, any case), and the files not read.

    Each file not read is named with the reason: an old .xls (error: save it as .xlsx), any other
    file (warning), Excel's lock files and hidden files and folders (notes). Nothing is skipped
    without a word.
    """
    books, problems = [], []

    def unreadable(exc: OSError) -> None:  # a folder that cannot be listed is said, not skipped
        _unreadable(problems, exc.filename or folder, exc)

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        here = Path(root)
        hidden = sorted(d for d in dirs if d.startswith(".") or d == "__MACOSX")
        for d in hidden:
            problems.append(Problem(INFO, "folder_not_read", file=str(here / d)))
        dirs[:] = sorted(d for d in dirs if d not in hidden)
        for name in sorted(files):
            path = here / name
            suffix = path.suffix.lower()
            if not _wanted(path, counties, years) or _read_elsewhere(Path(folder), path):
                continue
            if name.startswith("~$"):
                problems.append(_skipped(path, "lock_file_not_read", INFO))
            elif name.startswith("."):
                problems.append(_skipped(path, "hidden_file_not_read", INFO))
            elif suffix in WORKBOOK_SUFFIXES:
                books.append(path)
            elif suffix in OLD_EXCEL_SUFFIXES:
                problems.append(_skipped(path, "old_excel_format", ERROR))
            else:
                problems.append(_skipped(path, "file_not_read", WARNING, suffix=path.suffix or name))
    stems = {b.stem for b in books}

    def original(book: Path) -> str | None:
        match = _COPY.match(book.stem)
        found = match.group("original") if match else None
        return found if found in stems and found != book.stem else None

    # a copy is read after its original, so that its rows are the ones called duplicates
    books.sort(key=lambda b: (str(b.parent), original(b) or b.stem, original(b) is not None, b.name))
    for problem in problems:  # an .xls next to its .xlsx (already converted): only a warning
        if problem.code == "old_excel_format" and Path(problem.file).stem in stems:
            problem.severity, problem.code = WARNING, "old_excel_ignored"
    for book in books:
        if original(book) is not None:
            problems.append(
                _skipped(book, "copy_of_workbook", WARNING, original=f"{original(book)}{book.suffix}")
            )
    return books, problems


def named_workbooks(path: Path, counties=None):
    """(code, year, path) of every workbook, or None when a name is not CODE_YEAR; and the files not read.

    A folder of CODE_YEAR workbooks is planned and checked from the names alone (batch, report).

    Files not read: an .xls, any other file (see ``workbook_files``).
    """
    if not path.is_dir() or any((path / f"schools{s}").exists() for s in (".csv", ".parquet")):
        return None, []
    # every year of a county feeds its trends (and its fingerprint): filter by county only
    books, not_read = workbook_files(path, counties)  # .xlsx / .xlsm in any case
    found = []
    for book in books:
        match = re.fullmatch(r"([0-9]{6})_([0-9]{4})", book.stem)
        if not match:
            return None, []
        found.append((match.group(1), int(match.group(2)), book.resolve()))
    return (sorted(found) or None), not_read


def _table_files(folder: Path) -> tuple[list, list[Problem]]:
    """The known tables of a directory of tables (schools.csv, county.parquet ... any case).

    Every other file in it is not read, and a warning says so.
    """
    schema = load_schema()
    by_name = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    found, used = [], set()
    for key, table in schema.tables.items():
        for suffix in TABLE_SUFFIXES:
            candidate = by_name.get(f"{table.file}{suffix}")
            if candidate is not None:
                found.append((candidate, key))
                used.add(candidate)
                break
    problems = []
    if found:
        for path in sorted(by_name.values()):
            if path in used or path.name.startswith((".", "~$")) or _read_elsewhere(folder, path):
                continue
            from junheng.inputs.statistics.outputs import is_import_output

            if is_import_output(folder, path):  # the import's report, mappings, parent map
                continue
            problems.append(Problem(WARNING, "file_not_read_tables", file=str(path)))
    return found, problems


def _may_hold_exports(data) -> bool:
    """Whether `junheng.inputs.statistics.source.exports_in` must look at ``data``.

    False for a path that is not there, a folder of tables and a workbook or folder of workbooks
    each of which has a sheet of the template (or no sheet): the statistics importer and its parent maps
    are then never imported (issue #21). The rest (a workbook without a template sheet, a list of
    exports) is what ``exports_in`` decides on.
    """
    if isinstance(data, (list, tuple)):
        return True
    from junheng.inputs.statistics.workbook import excel_files, sheet_names

    path = Path(data)
    if not path.exists() or (path.is_dir() and any(path.glob("schools.*"))):
        return False
    for candidate in excel_files([path]):
        names = sheet_names(candidate)
        if names and not any(_table_for_sheet(n) for n in names):
            return True
    return False


def read_sources(data: str | Path, counties=None, years=None) -> tuple[list[RawTable], list[Problem]]:
    """Read the raw tables of DATA, whatever form it takes.

    Read a workbook, a directory of workbooks, or a directory of tables; or the statistics system's exports
    (inputs/statistics/, beta).
    """
    if hasattr(data, "raw_tables"):
        exports = data
    elif _may_hold_exports(data):  # the importer only for a folder that may hold exports
        from junheng.inputs.statistics.source import exports_in

        exports = exports_in(data)
    else:
        exports = None
    if exports is not None:
        return exports.raw_tables(counties, years)
    path = Path(data)
    problems: list[Problem] = []
    tables: list[RawTable] = []
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in WORKBOOK_SUFFIXES:
            tables = read_workbook(path, problems)
        elif suffix in TABLE_SUFFIXES:
            key = _table_for_sheet(path.stem) or "schools"
            tables = read_table_file(path, key, problems)
        elif suffix in OLD_EXCEL_SUFFIXES:
            problems.append(Problem(ERROR, "old_excel_format", file=str(path)))
        else:
            problems.append(
                Problem(ERROR, "file_not_read", file=str(path), params={"suffix": path.suffix or path.name})
            )
        return tables, problems
    if not path.is_dir():
        problems.append(Problem(ERROR, "data_not_found", file=str(path)))
        return tables, problems
    table_files, not_read = _table_files(path)
    if table_files:
        problems.extend(not_read)
        for candidate, key in table_files:
            tables.extend(read_table_file(candidate, key, problems))
        return tables, problems
    workbooks, not_read = workbook_files(path, counties, years)
    problems.extend(not_read)
    if not workbooks and not any(p.severity == ERROR for p in not_read):
        if not (counties or years) or not any(
            p.suffix.lower() in WORKBOOK_SUFFIXES for p in path.rglob("*")
        ):  # (workbooks of other counties or years only: nothing is wrong with the data)
            problems.append(Problem(ERROR, "no_data_found", file=str(path)))
    for wb in workbooks:
        tables.extend(read_workbook(wb, problems))
    return tables, problems
