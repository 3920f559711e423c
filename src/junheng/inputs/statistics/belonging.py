"""Which county-year each export belongs to, and the records of another: said, not split off.

A county's folder of exports holds one county. A record of another county or year (a school
workbook of a neighbouring county dropped into the folder, a row of another county in a
county-wide file) would otherwise become a county-year of its own while nobody is told (issue
#22). As for our own workbooks (inputs/consistency.py), each such record is a located error of the
county-year it was found among (which then gets no verdict), is not imported, and is listed in
the import report; a whole sheet of another county-year than its file name says is one error.

What an export belongs to, first found of: a county-year in its file name (``990102_2024_小学``),
in its folder's name (``990181_2024/``), or what most of its records say: the records of the file
(county-wide sheets) or of the folder (school workbooks, one school per file). Without a majority
(a city's file of several counties) nothing is judged. Workbooks built in memory have no folder.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from junheng.inputs.sources import _WORKBOOK_NAME
from junheng.inputs.statistics.codes import school_type_label
from junheng.inputs.statistics.records import COUNTY_WIDE, Extraction
from junheng.problems import ERROR

MEMORY = " (in memory)"


def _words(key: str) -> dict:
    """A phrase of the messages in every language (picked when the message is shown)."""
    from junheng.i18n import LANGS, t

    return {lang: t(f"statistics.belonging.{key}", lang) for lang in LANGS}


def _named(text: str):
    """The county-year a name states; a prefecture's or province's code (…00) names no county."""
    match = _WORKBOOK_NAME.search(text)
    if not match or match.group(1).endswith("00"):
        return None
    return match.group(1), int(match.group(2))


def named(file: str):
    """The county-year a file's name, else its folder's name, states (None when neither does)."""
    path = Path(file.removesuffix(MEMORY))
    return _named(path.stem) or (None if file.endswith(MEMORY) else _named(path.parent.name))


def attribute(problems: list, schools: pd.DataFrame, codes: tuple) -> list:
    """Problems of a sheet not read (``codes``) for the county-years they concern.

    Its file's or folder's name says which; else every county-year of its year imported (a
    sheet of schools not read leaves each of them incomplete): they get no verdict.
    """
    out = []
    known = schools.dropna(subset=["county_code", "year"])
    imported = set(zip(known["county_code"], known["year"].astype(int), strict=True))
    for p in problems:
        if p.code not in codes or p.county_code is not None:
            out.append(p)
            continue
        found = named(p.file)
        if found:
            p.county_code, p.year = found
            out.append(p)
            continue
        mine = sorted(cy for cy in imported if p.year is None or cy[1] == p.year)
        out += [replace(p, county_code=c, year=y) for c, y in mine] or [p]
    return out


def _text(value):
    """A cell's text, None when empty (NaN included)."""
    return value if isinstance(value, str) and value.strip() else None


def _label(county_year) -> str:
    return f"{county_year[0]} / {int(county_year[1])}"


def _majority(part: pd.DataFrame):
    counts = part.groupby(["county_code", "year"]).size().sort_values(ascending=False, kind="stable")
    if counts.empty or counts.iloc[0] * 2 <= len(part):
        return None
    county, year = counts.index[0]
    return county, int(year)


def expected(frame: pd.DataFrame) -> pd.DataFrame:
    """Per record: the county-year it should belong to (None: not judged) and on what basis."""
    known = frame.dropna(subset=["county_code", "year"])
    on_disk = ~frame["_file"].astype(str).str.endswith(MEMORY)
    wide = frame["_shape"].eq(COUNTY_WIDE)
    group = [
        f if w else (str(Path(f).parent) if d else None)
        for f, w, d in zip(frame["_file"].astype(str), wide, on_disk, strict=True)
    ]
    files = frame["_file"].astype(str)
    names = {
        file: (_named(Path(file.removesuffix(MEMORY)).stem), named(file)) for file in dict.fromkeys(files)
    }
    # what most records say is asked only of a file or folder whose name says nothing
    unnamed = {g for file, g in zip(files, group, strict=True) if g and not any(names[file])}
    majority = {}
    if unnamed:
        for g, part in known.groupby(pd.Series(group, index=frame.index).loc[known.index].fillna("")):
            if g in unnamed:
                majority[g] = _majority(part)
    out = []
    for file, w, g in zip(files, wide, group, strict=True):
        name, folder = names[file]
        if name:
            out.append((name, "name"))
        elif folder:
            out.append((folder, "folder"))
        elif g and majority.get(g):
            out.append((majority[g], "file_majority" if w else "folder_majority"))
        else:
            out.append((None, None))
    return pd.DataFrame(out, index=frame.index, columns=["_expected", "_basis"])


def set_aside(frame: pd.DataFrame, ext: Extraction) -> pd.DataFrame:
    """The records that belong where they were found; the others reported, listed and dropped."""
    if frame.empty:
        return frame
    where = expected(frame)
    odd = pd.Series(
        [
            e is not None and pd.notna(c) and pd.notna(y) and (c, int(y)) != e
            for e, c, y in zip(where["_expected"], frame["county_code"], frame["year"], strict=True)
        ],
        index=frame.index,
    )
    if not odd.any():
        return frame
    for (file, sheet), rows in frame[odd].groupby(["_file", "_sheet"], sort=False):
        e, basis = where.loc[rows.index[0], ["_expected", "_basis"]]
        whole = len(rows) == int((frame["_file"].eq(file) & frame["_sheet"].eq(sheet)).sum())
        wide = rows["_shape"].iloc[0] == COUNTY_WIDE
        if wide and whole and basis == "name":  # the whole sheet: one message
            found = sorted({(c, int(y)) for c, y in zip(rows["county_code"], rows["year"], strict=True)})
            ext.problem(
                ERROR,
                "sheet_other_county_year",
                file,
                sheet,
                found="、".join(_label(f) for f in found),
                expected=_label(e),
                rows=len(rows),
            )
            ext.problems[-1].county_code, ext.problems[-1].year = e
        for _, row in rows.iterrows():
            found = _label((row["county_code"], row["year"]))
            row_number = None if pd.isna(row["_row"]) else int(row["_row"])
            if not (wide and whole and basis == "name"):
                ext.problem(
                    ERROR,
                    "row_other_county_year",
                    file,
                    sheet,
                    row_number,
                    code=row["school_code"],
                    name=_text(row.get("school_name")) or "",
                    division=_text(row.get("division_code")) or "",
                    found=found,
                    expected=_label(e),
                    scope=_words("file" if wide or basis == "name" else "folder"),
                    basis=_words(f"basis.{basis}"),
                )
                ext.problems[-1].county_code, ext.problems[-1].year = e
            type_code = _text(row.get("school_type_code"))
            ext.skip(
                file,
                sheet,
                row_number,
                "other_county_year",
                school_code=row["school_code"],
                school_name=_text(row.get("school_name")),
                type_code=type_code,
                type_name=school_type_label(type_code, _text(row.get("school_type_name"))) or None,
                county_year=found,
                among=[e[0], int(e[1])],  # the county-year it was found among (the set-aside table)
            )
    return frame[~odd]


NOT_READ = ("header_unrecognised", "section_unknown", "year_unknown")  # sheets whose rows were not read


def set_aside_parts(schools: pd.DataFrame, ext: Extraction) -> pd.DataFrame:
    """Schools with a part in a sheet not read: set aside whole, with that one reason (issue #22).

    A 九年一贯制 school is in the 小学 and the 初中 file. When the 小学 file's header is refused,
    its 初中 record alone would give one "no 小学 data" error and a blank-value error per column
    beside the one header error. Set aside instead, listed with the file not read: a school whose
    code is in that sheet, or (its codes not readable) a school of that year, and of that county
    when the file's name says, lacking the 学段 that sheet holds.
    """
    from junheng.inputs.schema import TYPE_STUDENT_PARTS

    refused = [s for s in ext.skipped if s["reason"] in NOT_READ]
    if not refused or schools.empty:
        return schools
    by_code = {(s.get("year"), s.get("school_code")): s for s in refused if s.get("school_code")}
    sheets = {
        (s["file"], s.get("section"), s.get("year")): named(str(s["file"]))
        for s in refused
        if s.get("section")
    }
    aside = {}
    for i, (year, code, kind, sections, county) in enumerate(
        zip(
            schools["year"],
            schools["school_code"],
            schools["school_type"],
            schools["_sections"],
            schools["county_code"],
            strict=True,
        )
    ):
        found = by_code.get((year, code)) or by_code.get((None, code))
        if found is not None:
            aside[i] = found
            continue
        for (file, section, y), name in sheets.items():
            lacking = section in TYPE_STUDENT_PARTS.get(kind, ()) and section not in sections
            if lacking and (y is None or y == year) and (name is None or name == (county, int(year))):
                aside[i] = {"file": file, "section": section}
                break
    if not aside:
        return schools
    keys = {(int(schools["year"].iloc[i]), schools["school_code"].iloc[i]): s for i, s in aside.items()}
    kept = []
    for d in ext.dispositions:
        cause = keys.get((d["year"], d["school_code"]))
        if cause is None:
            kept.append(d)
            continue
        row = schools.iloc[[i for i in aside if aside[i] is cause][0]]
        type_code = _text(row.get("school_type_code"))
        ext.skip(
            d["file"],
            d["sheet"],
            d["row"],
            "part_not_read",
            school_code=d["school_code"],
            school_name=_text(row.get("school_name")),
            type_code=type_code,
            type_name=school_type_label(type_code, _text(row.get("school_type_name"))) or None,
            county_code=row["county_code"],
            year=d["year"],
            section=cause.get("section"),
            not_read=str(cause["file"]),
        )
    ext.dispositions[:] = kept
    return schools.drop(index=schools.index[list(aside)]).reset_index(drop=True)
