"""The parent map of 不计校数 rows (branch campuses, teaching points counted under another school).

The export does not name their parent, so the county names it in a small workbook. The import
writes that workbook listing every such row (code, name, students, where it was found, what was
done) with any parent already given kept; the county fills '所属学校标识码' and passes it back with
--parents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from junheng.i18n import t
from junheng.inputs.statistics import cells
from junheng.problems import ERROR, Problem

SHEET = "不计校数归属"
COLUMNS = (
    "year",
    "county_code",
    "code",
    "name",
    "school_type",
    "students",
    "file",
    "row",
    "parent_code",
    "parent_name",
    "outcome",
)
CODE_COLUMNS = ("county_code", "code", "parent_code")


def headers(lang: str = "zh") -> dict:
    """The parent map's column headers in ``lang``."""
    return {c: t(f"statistics.parents.columns.{c}", lang) for c in COLUMNS}


@dataclass
class ParentMap:
    """The filled-in parent map: child code (and year) to parent code or name."""

    file: str = ""
    by_code: dict = field(
        default_factory=dict
    )  # (child code, year or None) -> (parent code, parent name, row)

    def parent(self, code: str, year: int):
        """(parent code, parent name, row in the map) of a child, or None."""
        return self.by_code.get((code, year)) or self.by_code.get((code, None))


def is_parents_file(sheet_names) -> bool:
    """Whether a workbook is a parent map (by its sheet name)."""
    return SHEET in sheet_names


def read_parents(path: str | Path, problems: list) -> ParentMap:
    """The filled-in parent map (any language's headers); rows without a parent are skipped."""
    from junheng.inputs.statistics.workbook import read_workbook

    shown = str(path)
    try:
        book = read_workbook(Path(path))
    except Exception as exc:  # noqa: BLE001 - reported with its file
        from junheng.inputs.statistics.importer import unreadable

        problems.append(unreadable(shown, exc))
        return ParentMap(shown)
    sheet = book.sheet(SHEET) or (book.sheets[0] if book.sheets else None)
    if sheet is None or not sheet.rows:
        return ParentMap(shown)
    names = {}
    for lang in ("zh", "en"):
        names.update({v: k for k, v in headers(lang).items()})
    position = {names[h]: i for i, h in enumerate(cells.text(v) for v in sheet.rows[0]) if h in names}
    if "code" not in position or "parent_code" not in position:
        problems.append(Problem(ERROR, "statistics.parents_headers", shown, SHEET, 1))
        return ParentMap(shown)
    out = ParentMap(shown)
    for r, row in enumerate(sheet.rows[1:], start=2):

        def get(name, row=row):
            i = position.get(name)
            return row[i] if i is not None and i < len(row) else None

        code = cells.code(get("code"), 10)
        parent = cells.code(get("parent_code"), 10)
        parent_name = cells.text(get("parent_name"))
        if not code or not (parent or parent_name):
            continue
        year = cells.text(get("year"))
        year = int(year) if year and year.isdigit() else None
        out.by_code[(code, year)] = (parent, parent_name, r)
    return out


def build_parents_workbook(rows: list[dict], lang: str = "zh"):
    """The parent-mapping workbook (openpyxl): one row per 不计校数 row, codes as text, a help sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    names = headers(lang)
    ws.append([names[c] for c in COLUMNS])
    fill = PatternFill("solid", fgColor="FFF2CC")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        if cell.column - 1 in (COLUMNS.index("parent_code"), COLUMNS.index("parent_name")):
            cell.fill = fill
    for row in rows:
        ws.append([row.get(c) for c in COLUMNS])
    for c in CODE_COLUMNS:
        letter = ws.cell(row=1, column=COLUMNS.index(c) + 1).column_letter
        for cell in ws[letter][1:]:
            cell.number_format = "@"
        ws.column_dimensions[letter].width = 14
    ws.column_dimensions[ws.cell(row=1, column=COLUMNS.index("name") + 1).column_letter].width = 30
    ws.freeze_panes = "A2"
    help_sheet = wb.create_sheet(t("statistics.parents.help_sheet", lang))
    for line in t("statistics.parents.help", lang).strip().split("\n"):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 110
    return wb


def write_parents(path: str | Path, rows: list[dict], lang: str = "zh") -> Path:
    """Write the parent-mapping workbook to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_parents_workbook(rows, lang).save(path)
    return path
