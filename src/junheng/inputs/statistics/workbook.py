"""Workbooks as plain cells: what the readers see.

Whether the cells came from a file or were built in memory (the synthetic exports of the sample,
tests).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class Sheet:
    """One sheet: its cells by row and its merged ranges."""

    name: str
    rows: list  # row 0 is Excel row 1; cells as read (text, numbers, None or '')
    merges: list = field(default_factory=list)  # (first row, first column, last row, last column), 0-based

    @property
    def width(self) -> int:
        """The number of columns of the widest row."""
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, column: int):
        """A cell's value (None outside the sheet)."""
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None


@dataclass
class Workbook:
    """A file's sheets (or sheets built in memory), named as messages show it."""

    path: str  # as shown in messages
    sheets: list

    def sheet(self, name: str) -> Sheet | None:
        """The sheet of that name, if any."""
        return next((s for s in self.sheets if s.name == name), None)


def read_workbook(path: Path) -> Workbook:
    """Every sheet's cells from A1, and its merged ranges, with python-calamine.

    Empty leading rows and columns are kept: row and column numbers are the ones Excel shows.
    Reads .xlsx, .xlsm and .xls.
    """
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
        merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
        sheets.append(Sheet(name, rows, merges))
    return Workbook(str(path), sheets)


_SHEET_NAME = re.compile(rb'<sheet [^>]*name="([^"]*)"')


def sheet_names(path: Path) -> list[str]:
    """Sheet names without reading any cell (a zip directory and workbook.xml for .xlsx).

    Kept per file (its size and modification time): a batch worker asks for every workbook of the
    data folder once per report (`junheng.inputs.sources._may_hold_exports`), not once per run.
    """
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return _sheet_names(path)
    return list(_kept_sheet_names(str(path), st.st_size, st.st_mtime_ns))


@lru_cache(maxsize=4096)
def _kept_sheet_names(path: str, size: int, mtime_ns: int) -> tuple:
    return tuple(_sheet_names(Path(path)))


def _sheet_names(path: Path) -> list[str]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(path) as archive:
                xml = archive.read("xl/workbook.xml")
            import html

            return [html.unescape(m.decode("utf-8")) for m in _SHEET_NAME.findall(xml)]
        except (KeyError, zipfile.BadZipFile, OSError):
            return []
    from python_calamine import CalamineWorkbook

    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # noqa: BLE001 - an unreadable file is reported when it is read
        return []


def excel_files(paths) -> list[Path]:
    """Excel files named, or found under directories (sorted; lock and hidden files skipped)."""
    found = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in EXCEL_SUFFIXES and not p.name.startswith(("~$", ".")) and p.is_file()
            )
        elif path.suffix.lower() in EXCEL_SUFFIXES:
            found.append(path)
    return found


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel shows columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
