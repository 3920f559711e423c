"""The files `junheng import` writes beside the tables, by name (one place for every reader).

The import report (JSON and Markdown), the set-aside schools, the editable mapping of each table
generation and the parent-map workbook. ``load()`` and `junheng validate` read the import's output
folder as tables and must know these files as the import's own, not as stray files "not read"
(issue #22).
"""

from __future__ import annotations

import re
from pathlib import Path

REPORT_JSON, REPORT_MD = "import_report.json", "import_report.md"
SET_ASIDE_FILE = "set_aside.csv"  # the compulsory schools not imported (set_aside.py)
PARENTS_FILE = "不计校数归属.xlsx"
_MAPPING = re.compile(r"^mapping-[\w.-]+\.ya?ml$", re.IGNORECASE)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # text a spreadsheet would run as a formula


def guarded(value):
    """Text a spreadsheet would run as a formula, with the apostrophe that makes it text (CSV only)."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unguarded(value):
    """The text as it was before `guarded`: the import's own CSV read back gives the school's name."""
    if isinstance(value, str) and len(value) > 2 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def mapping_file_name(generation: str) -> str:
    """The file the import writes a mapping to."""
    return f"mapping-{generation}.yaml"


def is_import_output(folder: Path, path: Path) -> bool:
    """Whether ``path`` (in the tables folder ``folder``) is one of the import's own files.

    Only in a folder the import wrote (its report is there), and only a mapping that is one and a
    parent map whose sheet says so: anything else keeps its "not read" warning.
    """
    if path.parent != folder or not (folder / REPORT_JSON).is_file():
        return False
    if path.name in (REPORT_JSON, REPORT_MD, SET_ASIDE_FILE):
        return True
    if _MAPPING.match(path.name):
        from junheng.inputs.statistics.mapping import is_mapping_file

        return is_mapping_file(path)
    if path.name == PARENTS_FILE:
        from junheng.inputs.statistics.parents import is_parents_file
        from junheng.inputs.statistics.workbook import sheet_names

        return is_parents_file(sheet_names(path))
    return False
