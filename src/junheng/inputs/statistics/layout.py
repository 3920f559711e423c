"""Where a sheet's headers are and what each column (and, in a row table, each row) is called.

An exported table has, from the top: perhaps the on-screen grid's labels (A, B, C… in row 1 and
1, 2, 3… in column A), title rows (one text, often merged across: the table's name, or its code
and unit '基础基512 … 单位：平方米'), one to six header rows with merged cells, perhaps a code row
(甲 | 乙 | 1 | 2 …: 甲 is the row-label column, 乙 the row-code column), then data. Each column's
*header path* is the texts above it, top to bottom, merged cells repeated; each data row of a row
table (items down the side) has a path too: its 学段 block (小学 / 初中 rows), its numbered group
('一、教学及辅助用房') and its own label. Readers find values by these paths, never by position.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from junheng.inputs.statistics.codes import section_of
from junheng.inputs.statistics.labels import _ORDINAL, fold, pattern, split_label, unit_in_text
from junheng.inputs.statistics.workbook import Sheet, column_letter

TITLE_WORDS = pattern("*单位:*|基础基*|教基*|*学年*|*统计*表*")
LABEL_HEADER = pattern("项目|指标名称|指标|名称|项目名称|甲")
CODE_HEADER = pattern("编号|代码|行次|乙")
UNIT_HEADER = pattern("计量单位|单位|丙")
MAX_MERGE_CELLS = 20000


@dataclass(frozen=True)
class Axis:
    """A column (or a row of a row table): its position, folded label path, units and code."""

    index: int  # 0-based position in the sheet
    path: tuple  # folded labels, top level first
    units: tuple  # unit written with each level (None where none), same length as path
    code: str | None = None  # number in the code row (columns) / 乙 code (rows)

    def unit(self) -> str | None:
        """The unit nearest to the value: the column's own label first, then the levels above."""
        return next((u for u in reversed(self.units) if u), None)


@dataclass
class Layout:
    """The analysed table: header rows, code row, value columns and (row tables) data rows."""

    sheet: Sheet
    header_rows: range
    code_row: int | None
    data_start: int
    columns: list  # Axis per column that has a header (label / code / unit columns excluded)
    rows: list = field(default_factory=list)  # Axis per labelled data row (row tables only)
    label_column: int | None = None
    code_column: int | None = None
    unit_column: int | None = None
    title: str = ""  # text of the title rows (year, 学段, table unit)
    unit: str | None = None  # the table's unit from its title rows ('' for a bare '单位：')
    serial: int | None = None  # set when the layout is shared by same-looking tables (see analyse)

    def where(self, row: int | None = None, column: int | None = None) -> str:
        """Excel coordinates of a cell ('D12') or of a row ('12') for messages."""
        if column is None:
            return str(row + 1) if row is not None else ""
        return f"{column_letter(column)}{row + 1}" if row is not None else column_letter(column)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_grid_row(row) -> bool:
    """Row 1 of an export that kept the web grid's column labels: A, B, C… in consecutive cells."""
    cells = [(c, str(v).strip()) for c, v in enumerate(row) if not _blank(v)]
    if len(cells) < 3:
        return False
    first = cells[0][0]
    return all(c == first + i and v == column_letter(i) for i, (c, v) in enumerate(cells))


def _number(value) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _is_grid_column(rows, first_row: int) -> bool:
    """Column A of such an export: 1, 2, 3… down consecutive rows, nothing else."""
    cells = [(r, rows[r][0]) for r in range(first_row, len(rows)) if rows[r] and not _blank(rows[r][0])]
    if len(cells) < 3:
        return False
    start = cells[0][0]
    return all(r == start + i and _number(v) == i + 1 for i, (r, v) in enumerate(cells))


def _merge_map(merges) -> dict:
    filled = {}
    for r0, c0, r1, c1 in merges:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_MERGE_CELLS:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    filled[(r, c)] = (r0, c0)
    return filled


class _Cells:
    """Cell text with merged ranges filled in (the top-left value repeated over the range)."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.merged = _merge_map(sheet.merges)

    def raw(self, r: int, c: int):
        value = self.sheet.cell(r, c)
        if _blank(value) and (r, c) in self.merged:
            value = self.sheet.cell(*self.merged[(r, c)])
        return value

    def text(self, r: int, c: int) -> str:
        value = self.raw(r, c)
        if _blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


def _find_code_row(sheet: Sheet, first_row: int, first_col: int, limit: int):
    """The 甲 | 乙 | 1 | 2 … row: (row, 甲 column, 乙 column, 丙 column) or Nones."""
    for r in range(first_row, limit):
        texts = [(c, fold(v)) for c, v in enumerate(sheet.rows[r]) if c >= first_col and not _blank(v)]
        marks = {t: c for c, t in texts if t in ("甲", "乙", "丙")}
        if "甲" in marks:
            return r, marks["甲"], marks.get("乙"), marks.get("丙")
        numbers = [int(t) for _, t in texts if t.isdigit()]
        if len(numbers) >= 3 and numbers[:3] == [1, 2, 3] and len(numbers) >= len(texts) - 2:
            return r, None, None, None
    return None, None, None, None


SIGNATURE_ROWS = 16
_CACHE: dict = {}
_SERIALS = itertools.count()


def analyse(sheet: Sheet, row_labels: bool = True) -> Layout:
    """Find the header block and every column's header path.

    With ``row_labels`` (a table with items down the side, as in the school workbooks) also every
    data row's path.

    School workbooks repeat the same tables thousands of times: a table whose top rows, merges and
    label columns are the same as one seen before reuses its layout.
    """
    key = None
    code_row = next((r for r, row in enumerate(sheet.rows[:SIGNATURE_ROWS]) if "甲" in row[:4]), None)
    if row_labels and code_row is not None and len(sheet.rows) < 200:
        marks = [c for c, v in enumerate(sheet.rows[code_row]) if v in ("甲", "乙", "丙")]
        key = (
            tuple(tuple(r) for r in sheet.rows[: code_row + 1]),
            tuple(tuple(r[c] if c < len(r) else None for c in marks) for r in sheet.rows[code_row + 1 :]),
            tuple(sheet.merges),
        )
        cached = _CACHE.get(key)
        if cached is not None:
            return replace(cached, sheet=sheet)
    layout = _analyse(sheet, row_labels)
    if key is not None and layout.unit_column in (None, layout.code_column, *marks):
        if len(_CACHE) > 4096:
            _CACHE.clear()
        layout.serial = next(_SERIALS)
        _CACHE[key] = layout
    return layout


def _analyse(sheet: Sheet, row_labels: bool) -> Layout:
    rows = sheet.rows
    n = len(rows)
    width = sheet.width
    first_row = 1 if n and _is_grid_row(rows[0]) else 0
    first_col = 1 if _is_grid_column(rows, first_row) else 0
    cells = _Cells(sheet)
    scan = min(n, first_row + 30)
    code_row, label_col, code_col, unit_col = _find_code_row(sheet, first_row, first_col, scan)

    start, titles = first_row, []
    limit = code_row if code_row is not None else scan
    while start < limit:
        values = list(dict.fromkeys(t for c in range(first_col, width) if (t := cells.text(start, c))))
        if len(values) <= 1 or (len(values) <= 3 and any(TITLE_WORDS.match(fold(v)) for v in values)):
            titles += values
            start += 1
        else:
            break
    if code_row is not None:
        header = range(start, code_row)
        data_start = code_row + 1
    else:
        end = start
        for r0, _, r1, _ in sorted(sheet.merges):
            if start <= r0 <= end and r1 > end:
                end = r1
        if end == start and not row_labels:  # no merge information: headers end before the data
            end = _first_data_row(sheet, start, first_col, scan) - 1
        header = range(start, min(end, n - 1) + 1) if start < n else range(start, start)
        data_start = header.stop
    grid = _header_grid(sheet, cells, header, first_col, width)
    columns = []
    for c in range(first_col, width):
        levels, units = [], []
        previous = None
        for r in header:
            text = grid[r - header.start][c - first_col]
            if not text or text == previous:
                continue
            previous = text
            name, unit = split_label(text)
            if name:
                levels.append(name)
                units.append(unit)
        code = None
        if code_row is not None:
            number = _number(cells.sheet.cell(code_row, c))
            code = str(number) if number is not None else fold(cells.sheet.cell(code_row, c)) or None
        if levels:
            columns.append(Axis(c, tuple(levels), tuple(units), code))
    layout = Layout(sheet, header, code_row, data_start, columns, title=" ".join(titles))
    layout.unit = next((u for t in titles if (u := unit_in_text(t)) is not None), None)
    if row_labels:
        _row_table(layout, cells, label_col, code_col, unit_col)
    return layout


def looks_like_data(row, first_col: int = 0) -> bool:
    """Whether a row looks like a school's: a code of 6 or more digits, or mostly numbers.

    Header rows are labels.
    """
    cells = [fold(v) for v in row[first_col:] if not _blank(v)]
    numbers = [c for c in cells if c.replace(".", "", 1).isdigit()]
    return any(len(c) >= 6 and c.isdigit() for c in cells) or (
        len(numbers) >= 3 and 2 * len(numbers) >= len(cells)
    )


def _first_data_row(sheet: Sheet, start: int, first_col: int, limit: int) -> int:
    """The first row below ``start`` that looks like a school's (``start + 1`` if none does)."""
    for r in range(start + 1, limit):
        if looks_like_data(sheet.rows[r], first_col):
            return r
    return start + 1


def _header_grid(sheet, cells, header, first_col, width) -> list:
    """Header texts with merges filled.

    Without any merge information (files saved by tools that drop it), a blank header cell takes
    its left neighbour's text when something is written below it and both sit under the same
    parent.
    """
    grid = [[cells.text(r, c) for c in range(first_col, width)] for r in header]
    if sheet.merges or len(grid) < 2:
        return grid
    for i in range(len(grid) - 1):
        for j in range(1, len(grid[i])):
            below = any(grid[k][j] for k in range(i + 1, len(grid)))
            same_parent = i == 0 or grid[i - 1][j] == grid[i - 1][j - 1]
            if not grid[i][j] and grid[i][j - 1] and below and same_parent:
                grid[i][j] = grid[i][j - 1]
    return grid


def _row_table(layout: Layout, cells: _Cells, label_col, code_col, unit_col) -> None:
    """Label, code and unit columns, and each data row's path (block, numbered group, label)."""
    by_index = {a.index: a for a in layout.columns}
    if label_col is None:
        label_col = next((a.index for a in layout.columns if LABEL_HEADER.match(a.path[-1])), None)
    if code_col is None:
        code_col = next((a.index for a in layout.columns if CODE_HEADER.match(a.path[-1])), None)
    header_unit = next((a.index for a in layout.columns if UNIT_HEADER.match(a.path[-1])), None)
    unit_col = header_unit if header_unit is not None else unit_col
    if label_col is None:
        return
    layout.label_column, layout.code_column, layout.unit_column = label_col, code_col, unit_col
    special = {label_col, code_col, unit_col}
    layout.columns = [a for i, a in by_index.items() if i not in special]
    block = group = None
    for r in range(layout.data_start, len(layout.sheet.rows)):
        raw = cells.text(r, label_col)
        if not raw:
            continue
        name, unit = split_label(raw)
        if not name:
            continue
        if unit is None and unit_col is not None:
            unit = fold(cells.text(r, unit_col)) or None
        code = cells.text(r, code_col) if code_col is not None else None
        if section_of(name):
            block, group = name, None
            path = (name,)
        elif _ORDINAL.match(fold(raw)):
            group = name
            path = (block, name) if block else (name,)
        else:
            path = tuple(x for x in (block, group, name) if x)
        units = (None,) * (len(path) - 1) + (unit,)
        layout.rows.append(Axis(r, path, units, code.lstrip("0") or code if code else None))
