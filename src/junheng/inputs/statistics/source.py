"""Statistics exports as a data source of ``load()``.

The imported schools become raw tables with the contract's headers, each row remembering the
export file, sheet and row it came from, so that validation messages point into the exports.

``load("exports/")`` works on a directory (or file) of exports, with the county's own workbook,
a filled parent map and corrected mappings found beside them; ``load(ExportSource(...))`` takes
them explicitly (``junheng import`` does).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from junheng.inputs.schema import load_schema
from junheng.inputs.sources import ROW, RawTable
from junheng.inputs.statistics.workbook import excel_files, sheet_names
from junheng.inputs.validation import CUSTOM
from junheng.problems import ERROR, Problem

if TYPE_CHECKING:  # the importer is imported when exports are read, not by every load()
    from junheng.inputs.statistics.importer import ImportResult


class ExportSource:
    """Exports to import (beta): paths, in-memory workbooks, corrected mappings, a parent map."""

    def __init__(self, paths=(), workbooks=(), mapping_files=(), parents_file=None, year=None):
        from junheng.inputs.statistics.importer import Inputs

        self.inputs = Inputs(
            [str(p) for p in paths], list(workbooks), [str(m) for m in mapping_files], parents_file, year
        )
        self.result: ImportResult | None = None

    def __fspath__(self) -> str:
        """The folder of the exports, for what sits beside them (a data folder's targets.yaml)."""
        folders = [Path(p) if Path(p).is_dir() else Path(p).parent for p in self.inputs.paths]
        return str(folders[0]) if folders else os.devnull + "/no-folder"

    def run(self) -> ImportResult:
        """Import once; later calls give the same result."""
        from junheng.inputs.statistics.importer import run_import

        if self.result is None:
            self.result = run_import(self.inputs)
        return self.result

    def raw_tables(self, counties=None, years=None) -> tuple[list, list]:
        """(raw tables, problems) as ``read_sources`` returns them."""
        from junheng.inputs.statistics.mapping import MappingError

        try:
            result = self.run()
        except MappingError as exc:
            problem = Problem(
                ERROR, "statistics.mapping_invalid", exc.file, "", exc.line, exc.key, {"detail": exc.detail}
            )
            return [], [problem]
        return schools_tables(result.schools) + list(result.passthrough), list(result.problems)


def schools_tables(schools: pd.DataFrame) -> list[RawTable]:
    """The schools as raw tables with the contract's Chinese headers.

    One per run of consecutive rows from the same export sheet (so messages name it and the
    schools keep their order: county, year, code). All have the same headers, columns the county
    added in its own workbook included: tables of different headers would be stacked back in file
    order, losing that order.
    """
    columns = load_schema().tables["schools"].columns
    keys = [k for k, c in columns.items() if k in schools and (c.required or schools[k].notna().any())]
    custom = [c for c in schools.columns if c.startswith(CUSTOM) and schools[c].notna().any()]
    headers = [columns[k].header for k in keys] + [c.removeprefix(CUSTOM) for c in custom]
    tables = []
    if schools.empty:
        return tables
    keys += custom
    values = schools[keys].astype(object).where(schools[keys].notna(), None).to_numpy(dtype=object)
    row_numbers = schools["_row"].fillna(0).astype("int64").to_numpy()
    origin = list(zip(schools["_file"], schools["_sheet"], strict=True))
    runs = [0] + [i for i in range(1, len(origin)) if origin[i] != origin[i - 1]] + [len(origin)]
    for start, stop in zip(runs, runs[1:], strict=False):
        frame = pd.DataFrame(values[start:stop], columns=range(len(keys)), dtype=object)
        frame[ROW] = row_numbers[start:stop]
        file, sheet = origin[start]
        tables.append(RawTable("schools", str(file), str(sheet), headers, frame))
    return tables


def exports_in(data) -> ExportSource | None:
    """An ExportSource when ``data`` (a path) holds statistics exports, else None.

    With None, load() reads ``data`` as our own template or tables. Only workbooks without any
    template sheet are opened; the mappings and the importer are read only for such a workbook (a folder of
    templates pays nothing for them).
    """
    from junheng.inputs.sources import _table_for_sheet
    from junheng.inputs.statistics.parents import is_parents_file

    if isinstance(data, (list, tuple)):
        return ExportSource(data)
    path = Path(data)
    if not path.exists() or (path.is_dir() and any(path.glob("schools.*"))):
        return None
    available = None
    for candidate in excel_files([path]):
        names = sheet_names(candidate)
        if not names or is_parents_file(names) or any(_table_for_sheet(n) for n in names):
            continue
        if available is None:
            from junheng.inputs.statistics.layout import analyse
            from junheng.inputs.statistics.mapping import mappings
            from junheng.inputs.statistics.school_workbook import is_school_workbook
            from junheng.inputs.statistics.wide import wide_mapping
            from junheng.inputs.statistics.workbook import read_workbook

            available = mappings()
        if is_school_workbook(names, available):
            return ExportSource([path])
        try:
            book = read_workbook(candidate)
        except Exception:  # noqa: BLE001 - read_sources reports an unreadable file
            continue
        if any(s.rows and wide_mapping(analyse(s, row_labels=False), available) for s in book.sheets):
            return ExportSource([path])
    return None
