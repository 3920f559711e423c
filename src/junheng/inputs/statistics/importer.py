"""One import: sort the inputs out, read every export, combine, compose, supplement, check.

Inputs are files or directories (searched recursively) and workbooks built in memory. Each Excel
file is a school workbook (sheets named by table code), a county-wide sheet (a school-code column
under its headers), the county's own workbook in our template layout (a supplement), or a
parent-mapping workbook; YAML files with ``generation`` and ``fields`` are corrected mappings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from junheng.inputs.schema import TYPE_STUDENT_PARTS, load_schema
from junheng.inputs.sources import _table_for_sheet, read_reason
from junheng.inputs.statistics import options as import_options
from junheng.inputs.statistics.belonging import MEMORY, attribute, set_aside, set_aside_parts
from junheng.inputs.statistics.combine import ORIGIN, apply_parents, combine, fill_sections, screen
from junheng.inputs.statistics.compose import compose, sources
from junheng.inputs.statistics.identity import identify
from junheng.inputs.statistics.layout import analyse
from junheng.inputs.statistics.mapping import is_mapping_file, key_line, mapping_error, mappings
from junheng.inputs.statistics.parents import ParentMap, is_parents_file, read_parents
from junheng.inputs.statistics.records import Extraction
from junheng.inputs.statistics.school_workbook import is_school_workbook, read_school_workbook
from junheng.inputs.statistics.supplement import Supplement, merge_supplement, read_supplements
from junheng.inputs.statistics.wide import read_wide_sheet, wide_mapping
from junheng.inputs.statistics.workbook import Workbook, excel_files, read_workbook, sheet_names
from junheng.problems import ERROR, INFO, WARNING, Problem

CONTRACT = load_schema().tables["schools"].columns
# sheets and export files not read: errors of the county-years whose schools they may hold
REFUSED = ("statistics.header_into_data", "statistics.header_levels_broken", "unreadable_file")


@dataclass
class Inputs:
    """What to import.

    Paths (files or directories), in-memory workbooks, corrected mappings, a parent map, a year
    for exports that do not state it.
    """

    paths: list = field(default_factory=list)
    workbooks: list = field(default_factory=list)
    mapping_files: list = field(default_factory=list)
    parents_file: str | None = None
    year: int | None = None


@dataclass
class ImportResult:
    """What one import produced (the schools, tables passed through, problems, provenance)."""

    schools: pd.DataFrame
    passthrough: list
    problems: list
    extraction: Extraction
    mappings: list  # the mappings used (one per generation met)
    options: import_options.ImportOptions
    parent_rows: list
    supplement: Supplement
    files: dict  # kind -> [files]


def unreadable(path, exc: BaseException) -> Problem:
    """A file that cannot be read, with the reason in words (as the loader says it)."""
    detail = f"{type(exc).__name__}: {exc}".strip()[:200]
    return Problem(ERROR, "unreadable_file", str(path), params={"reason": read_reason(exc), "detail": detail})


def in_memory(book: Workbook) -> Workbook:
    """A workbook built in memory, named so that nobody takes it for a file on disk."""
    if Path(book.path).exists() or book.path.endswith(MEMORY):
        return book
    return replace(book, path=f"{book.path}{MEMORY}")


def classify(inputs: Inputs) -> dict:
    """Every input file by kind: exports, supplements, parents, mappings, other."""
    kinds = {"exports": [], "supplements": [], "parents": [], "mappings": [], "other": []}
    for path in inputs.paths:
        path = Path(path)
        if path.is_file() and path.suffix.lower() in (".yaml", ".yml"):
            kinds["mappings"].append(path)
        elif path.is_dir():
            kinds["mappings"] += sorted(p for p in path.rglob("*.y*ml") if is_mapping_file(p))
    for path in excel_files(inputs.paths):
        names = sheet_names(path)
        if is_parents_file(names):
            kinds["parents"].append(path)
        elif any(_table_for_sheet(n) for n in names):
            kinds["supplements"].append(path)
        else:
            kinds["exports"].append(path)
    for path in inputs.paths:
        if not Path(path).exists():
            kinds["other"].append(Path(path))
    return kinds


def run_import(inputs: Inputs) -> ImportResult:
    """Read, combine, compose and check everything ``inputs`` names."""
    kinds = classify(inputs)
    problems: list[Problem] = []
    for path in kinds["other"]:
        problems.append(Problem(ERROR, "data_not_found", str(path)))
    available = mappings([*kinds["mappings"], *inputs.mapping_files])
    ext = Extraction()
    records, used = _read_exports(kinds["exports"], inputs.workbooks, available, inputs.year, ext)
    options = _options(used, ext)
    parent_map = ParentMap()
    parents = [inputs.parents_file] if inputs.parents_file else kinds["parents"]
    for path in parents[:1]:
        parent_map = read_parents(path, problems)
    supplement = read_supplements(kinds["supplements"], problems)
    schools, template = _schools(records, used, options, parent_map, ext)
    schools = merge_supplement(schools, supplement, ext)
    _check_values(schools, ext)
    _note_import(schools, used, options, ext)
    problems += attribute(ext.problems, schools, REFUSED)
    return ImportResult(
        schools,
        supplement.passthrough,
        problems,
        ext,
        list(used.values()),
        options,
        template,
        supplement,
        kinds,
    )


def _read_exports(paths, workbooks, available, year, ext) -> tuple[list, dict]:
    records, used = [], {}
    order = 0
    books = [(p, None) for p in paths] + [(None, in_memory(b)) for b in workbooks]
    for path, book in books:
        try:
            book = book or read_workbook(path)
        except Exception as exc:  # noqa: BLE001 - any unreadable file becomes a located message
            ext.problems.append(unreadable(path, exc))
            ext.rows_read += 1  # a school's workbook, perhaps: listed as not imported
            ext.skip(str(path), "", None, "unreadable_file")
            continue
        mapping = is_school_workbook([s.name for s in book.sheets], available)
        if mapping is not None:
            record = read_school_workbook(book, mapping, year, ext, order)
            order += 1
            if record is not None:
                records.append(record)
                used.setdefault(mapping.source, mapping)
            continue
        found = False
        for sheet in book.sheets:
            if not sheet.rows:
                continue
            layout = analyse(sheet, row_labels=False)
            mapping = wide_mapping(layout, available)
            if mapping is None:
                continue
            found = True
            used.setdefault(mapping.source, mapping)
            part = read_wide_sheet(book, sheet, layout, mapping, year, ext, order)
            order += len(sheet.rows)
            records += part
        if not found:
            ext.problem(WARNING, "unrecognised_workbook", book.path)
            ext.inputs.append({"file": book.path, "shape": "unrecognised"})
    return records, used


def _options(used: dict, ext) -> import_options.ImportOptions:
    chosen, source = None, None
    for mapping in used.values():
        try:
            current = import_options.from_mapping(mapping.options, mapping.source)
        except import_options.OptionsError as exc:
            error = mapping_error(mapping.source, exc.message, exc.key, **exc.params)
            error.line = key_line(mapping.text, exc.key)
            raise error from None
        if chosen is not None and current != chosen:
            ext.problem(ERROR, "options_conflict", mapping.source, first=source)
            continue
        chosen, source = chosen or current, source or mapping.source
    return chosen or import_options.ImportOptions()


def _schools(records, used, options, parent_map, ext) -> tuple[pd.DataFrame, list]:
    nothing = pd.DataFrame(columns=[*CONTRACT, *ORIGIN, "_files"]), []
    if not records:
        return nothing
    frame = pd.DataFrame.from_records(records)
    composed = []
    for source, part in frame.groupby("_mapping", sort=False):
        values, mismatches = compose(part, used[source], options)
        composed.append(values)
        for file, section, rows in mismatches:
            ext.problem(WARNING, "degrees_incomplete", file, section=section, rows=len(rows), mapping=source)
    frame = pd.concat([frame, identify(frame), pd.concat(composed)], axis=1)
    frame = frame.loc[:, ~frame.columns.duplicated(keep="last")]
    frame["_files"] = frame["_file"]
    frame = screen(frame, ext)
    frame = set_aside(frame, ext)  # records of another county-year than their file or folder
    if frame.empty:
        return nothing
    schools = combine(frame, ext)
    schools = set_aside_parts(schools, ext)
    files = frame.groupby(["year", "school_code"])["_file"].agg(tuple)
    schools["_files"] = [
        files.get((y, c), ()) for y, c in zip(schools["year"], schools["school_code"], strict=True)
    ]
    schools, template = apply_parents(schools, parent_map, ext)
    schools = fill_sections(schools, ext)
    order = schools.sort_values(
        ["county_code", "year", "school_code"], na_position="last", kind="stable"
    ).index
    return schools.loc[order].reset_index(drop=True), template


# the columns of a school `_check_values` reads when a value it needs is missing
MISSING_COLUMNS = ("_files", "_file", "_sheet", "_row", "school_code")


def _check_values(schools: pd.DataFrame, ext) -> None:
    """Report every required value a school needs and did not get.

    One message per file and column, with the reason: the mapping's path not found, a table
    missing, a cell marked '*'.
    """
    from junheng.inputs.statistics.records import SCHOOL

    if schools.empty:
        return
    needed_of: dict = {}  # per school section (None: any school): which schools need its values
    for column, col in CONTRACT.items():
        if not col.required or col.type not in ("int", "number") or column not in schools:
            continue
        section, roles = sources(column)
        if section not in needed_of:
            if section is not None:
                needed = schools["school_type"].map(lambda t, s=section: s in TYPE_STUDENT_PARTS.get(t, ()))
                needed &= schools["_sections"].map(lambda secs, s=section: s in secs).astype(bool)
            else:
                needed = schools["school_type"].notna()
            needed_of[section] = needed.to_numpy(dtype=bool)
        missing = np.flatnonzero(needed_of[section] & schools[column].isna().to_numpy(dtype=bool))
        if not len(missing):
            continue
        # the rows' values as `iterrows` gave them (object: Python scalars), only the columns read
        picked = schools[list(MISSING_COLUMNS)].iloc[missing].to_numpy(dtype=object)
        by_file: dict = {}
        for values in picked:
            row = dict(zip(MISSING_COLUMNS, values, strict=True))
            reason = next(
                (
                    ext.reasons[(f, role, section or SCHOOL)]
                    for f in row["_files"]
                    for role in roles
                    if (f, role, section or SCHOOL) in ext.reasons
                ),
                None,
            )
            by_file.setdefault((row["_file"], row["_sheet"], reason), []).append(row)
        for (file, sheet, reason), rows in by_file.items():
            status, field_name, mapping, detail = reason or ("not_applicable", "", "", "")
            ext.problem(
                ERROR,
                f"value_missing_{status}",
                file,
                sheet,
                int(rows[0]["_row"]) if len(rows) == 1 and pd.notna(rows[0]["_row"]) else None,
                col.header,
                field=field_name,
                mapping=mapping,
                detail=detail,
                schools=len(rows),
                codes="、".join(str(r["school_code"]) for r in rows[:5]),
            )


def _note_import(schools: pd.DataFrame, used: dict, options, ext) -> None:
    """One note per county-year: imported from the statistics system (beta), with the options.

    The report's methodology appendix lists a county's notes, so the conventions show there.
    """
    if schools.empty:
        return
    generations = {m.source: m.label for m in used.values()}
    for (county, year), part in schools.groupby(["county_code", "year"]):
        labels = {
            lang: "、".join(dict.fromkeys(generations[s].get(lang, "") for s in _sources(part, used)))
            for lang in ("zh", "en")
        }
        summary = {lang: import_options.summary(options, lang) for lang in ("zh", "en")}
        problem = Problem(
            INFO,
            "statistics.imported",
            str(part["_file"].iloc[0]),
            params={"generation": labels, "options": summary, "schools": len(part)},
            county_code=str(county),
            year=int(year),
        )
        ext.problems.append(problem)


def _sources(part, used) -> list:
    by_generation = {m.generation: m.source for m in used.values()}
    return [by_generation[g] for g in part["_generation"].dropna().unique() if g in by_generation]
