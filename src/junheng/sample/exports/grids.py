"""Laying out exported tables as the statistics system does.

Merged multi-row headers from a column tree, a title row, the '<code> … 单位：<unit>' cell, the
甲 | 乙 | 1 | 2 … code row, optionally the web grid's labels.
"""

from __future__ import annotations

from decimal import Decimal

from junheng.inputs.statistics.workbook import Sheet, column_letter

# The real 2018 workbook writes a table's code, about 150 spaces and its unit in one cell.
PAD = " " * 150


def cell_text(value) -> str:
    """A number as the statistics system exports it: text, zeros blank, '*' where not applicable."""
    if value is None:
        return "*"
    if isinstance(value, Decimal):
        if value == 0:
            return ""
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, str):
        return value
    return "" if value == 0 else str(int(value))


def _depth(tree) -> int:
    return max((1 + _depth(children) if isinstance(children, list) else 1) for _, children in tree)


def _place(tree, depth: int, row: int, column: int, cells: dict, merges: list, leaves: list) -> int:
    """Header texts of ``tree`` from (row, column); a leaf above the bottom spans down to it."""
    for label, children in tree:
        if isinstance(children, list):
            start = column
            column = _place(children, depth - 1, row + 1, column, cells, merges, leaves)
            cells[(row, start)] = label
            if column - 1 > start:
                merges.append((row, start, row, column - 1))
        else:
            cells[(row, column)] = label
            if depth > 1:
                merges.append((row, column, row + depth - 1, column))
            leaves.append(children)
            column += 1
    return column


class Grid:
    """A sheet being laid out: cells by (row, column), merges; optionally the web grid's labels."""

    def __init__(self, grid_labels: bool):
        self.cells, self.merges = {}, []
        self.offset = 1 if grid_labels else 0
        self.grid_labels = grid_labels
        self.row = 0

    def put(self, row: int, column: int, value) -> None:
        """Write a non-empty value at (row, column) of the table (offset by the grid labels)."""
        if value not in (None, ""):
            self.cells[(row + self.offset, column + self.offset)] = value

    def merge(self, r0, c0, r1, c1) -> None:
        """Merge a range of the table."""
        o = self.offset
        self.merges.append((r0 + o, c0 + o, r1 + o, c1 + o))

    def sheet(self, name: str) -> Sheet:
        """The laid-out cells as a Sheet (grid labels added)."""
        height = max((r for r, _ in self.cells), default=0) + 1
        width = max((c for _, c in self.cells), default=0) + 1
        rows = [[None] * width for _ in range(height)]
        for (r, c), v in self.cells.items():
            rows[r][c] = v
        if self.grid_labels:
            for c in range(1, width):
                rows[0][c] = column_letter(c - 1)
            for r in range(1, height):
                rows[r][0] = r
        return Sheet(name, rows, sorted(self.merges))


def wide_sheet(name: str, title: str, tree: list, records: list[dict], grid_labels: bool) -> Sheet:
    """A county-wide sheet: title row, merged header rows from ``tree``, one row per record."""
    grid = Grid(grid_labels)
    depth = _depth(tree)
    cells, merges, leaves = {}, [], []
    width = _place(tree, depth, 1, 0, cells, merges, leaves)
    grid.put(0, 0, title)
    grid.merge(0, 0, 0, width - 1)
    for (r, c), v in cells.items():
        grid.put(r, c, v)
    for m in merges:
        grid.merge(*m)
    for i, record in enumerate(records, start=depth + 1):
        for c, leaf in enumerate(leaves):
            grid.put(i, c, cell_text(record.get(leaf, 0)))
    return grid.sheet(name)


def row_sheet(
    name: str,
    title: str,
    table_code: str,
    unit: str,
    tree: list,
    rows: list,
    grid_labels: bool,
    unit_column: bool = False,
    code_row: bool = True,
    label_header: str = "指标名称",
    code_header: str = "代码",
) -> Sheet:
    """A table with items down the side.

    Title, '<code> … 单位：<unit>' in one cell, merged header rows (甲 label and 乙 code columns
    first), the 甲 | 乙 | 1 | 2 … code row, then (label, code, {leaf: value}) rows.
    """
    grid = Grid(grid_labels)
    front = [(label_header, "甲"), (code_header, "乙")] + ([("计量单位", "丙")] if unit_column else [])
    depth = _depth(tree)
    cells, merges, leaves = {}, [], []
    width = _place(tree, depth, 3, len(front), cells, merges, leaves)
    grid.put(0, 0, title)
    grid.merge(0, 0, 0, width - 1)
    grid.put(1, 0, f"{table_code}{PAD}单位：{unit}")
    for c, (header, _) in enumerate(front):
        grid.put(3, c, header)
        if depth > 1:
            grid.merge(3, c, 3 + depth - 1, c)
    for (r, c), v in cells.items():
        grid.put(r, c, v)
    for m in merges:
        grid.merge(*m)
    r = 3 + depth
    if code_row:
        for c, (_, mark) in enumerate(front):
            grid.put(r, c, mark)
        for i in range(len(leaves)):
            grid.put(r, len(front) + i, str(i + 1))
        r += 1
    for label, code, values, *unit_of_row in rows:
        grid.put(r, 0, label)
        grid.put(r, 1, code)
        if unit_column:
            grid.put(r, 2, unit_of_row[0] if unit_of_row else "")
        for i, leaf in enumerate(leaves):
            if leaf in values:
                grid.put(r, len(front) + i, cell_text(values[leaf]))
        r += 1
    return grid.sheet(name)
