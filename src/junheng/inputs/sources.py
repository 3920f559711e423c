"""Find and read the user's files into raw, untyped tables that remember where every row came from.

Three layouts are accepted (issue #2, "Data contract"):
- one Excel workbook per county and year, one sheet per table (Chinese or English sheet names);
- a directory of such workbooks (searched recursively);
- a directory of tables: schools.csv / county.csv / monitoring.csv / survey.csv /
  survey_responses.csv, or the same as .parquet, holding any number of counties and years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from junheng.inputs.schema import load_schema, normalise
from junheng.problems import ERROR, Problem

ROW = "_row"


@dataclass
class RawTable:
    table: str  # schema table key, e.g. "schools"
    file: str  # path shown in messages
    sheet: str  # sheet name (file name for CSV / Parquet)
    headers: list  # headers as the user wrote them, in column order
    frame: pd.DataFrame  # object values, columns 0..n-1, plus ROW (the row number a user sees)


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


def _frame_from_rows(rows: list, first_row_number: int) -> tuple[list, pd.DataFrame]:
    if not rows:
        return [], pd.DataFrame({ROW: pd.Series(dtype="int64")})
    headers = ["" if is_blank(h) else str(h).strip() for h in rows[0]]
    width = len(headers)
    body, numbers = [], []
    for offset, values in enumerate(rows[1:], start=1):
        values = [None if is_blank(v) else v for v in list(values)[:width]]
        values += [None] * max(0, width - len(values))
        if all(v is None for v in values):
            continue  # blank line: nothing to account for
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
    """Excel stores every number as a float: give whole numbers back as int, as a user sees them
    (so a numeric cell in a text column reads "12", not "12.0").
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_workbook(path: Path, problems: list) -> list[RawTable]:
    """Read every known sheet with python-calamine (a Rust reader, ~10x faster than openpyxl here).
    Rows are read from A1 with empty leading rows kept, so row numbers are the ones Excel shows.
    """
    from python_calamine import CalamineWorkbook

    shown = str(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        tables = []
        for name in wb.sheet_names:
            key = _table_for_sheet(name)
            if key is None:
                continue  # instructions and other sheets
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            headers, frame = _frame_from_rows([[_cell(v) for v in row] for row in rows], 1)
            tables.append(RawTable(key, shown, name, headers, frame))
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes a located message
        problems.append(Problem(ERROR, "unreadable_file", file=shown, params={"detail": str(exc)[:200]}))
        return []
    if not any(t.table == "schools" for t in tables):
        problems.append(Problem(ERROR, "no_schools_sheet", file=shown))
    return tables


def _read_csv(path: Path) -> pd.DataFrame:
    last = None
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China often saves CSV as GBK
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, header=None, encoding=encoding)
        except UnicodeDecodeError as exc:
            last = exc
    raise last


def read_table_file(path: Path, table: str, problems: list) -> list[RawTable]:
    shown = str(path)
    try:
        if path.suffix == ".parquet":
            df = pd.read_parquet(path)
            headers = [str(c) for c in df.columns]
            frame = df.astype(object).where(df.notna(), None)
            frame.columns = range(len(headers))
            frame[ROW] = range(2, len(frame) + 2)  # as if the header were row 1, like a spreadsheet
            return [RawTable(table, shown, path.name, headers, frame.reset_index(drop=True))]
        raw = _read_csv(path)
    except Exception as exc:  # noqa: BLE001
        problems.append(Problem(ERROR, "unreadable_file", file=shown, params={"detail": str(exc)[:200]}))
        return []
    rows = raw.astype(object).values.tolist()
    headers, frame = _frame_from_rows(rows, 1)
    return [RawTable(table, shown, path.name, headers, frame)]


_WORKBOOK_NAME = re.compile(r"(\d{6})[_-](\d{4})")


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


def read_sources(data: str | Path, counties=None, years=None) -> tuple[list[RawTable], list[Problem]]:
    """Read a workbook, a directory of workbooks, or a directory of tables."""
    path = Path(data)
    problems: list[Problem] = []
    tables: list[RawTable] = []
    if path.is_file():
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            tables = read_workbook(path, problems)
        elif path.suffix.lower() in (".csv", ".parquet"):
            key = _table_for_sheet(path.stem) or "schools"
            tables = read_table_file(path, key, problems)
        else:
            problems.append(Problem(ERROR, "unreadable_file", file=str(path), params={"detail": path.suffix}))
        return tables, problems
    if not path.is_dir():
        problems.append(Problem(ERROR, "unreadable_file", file=str(path), params={"detail": "not found"}))
        return tables, problems
    schema = load_schema()
    table_files = []
    for key, table in schema.tables.items():
        for suffix in (".parquet", ".csv"):
            candidate = path / f"{table.file}{suffix}"
            if candidate.exists():
                table_files.append((candidate, key))
                break
    if table_files:
        for candidate, key in table_files:
            tables.extend(read_table_file(candidate, key, problems))
        return tables, problems
    workbooks = sorted(p for p in path.rglob("*.xlsx") if not p.name.startswith("~$"))
    if not workbooks:
        problems.append(Problem(ERROR, "no_data_found", file=str(path)))
    for wb in workbooks:
        if _wanted(wb, counties, years):
            tables.extend(read_workbook(wb, problems))
    return tables, problems
