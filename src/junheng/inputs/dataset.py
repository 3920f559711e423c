"""Load user data (any accepted layout) into typed tables plus every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from junheng.inputs.consistency import check_county_years
from junheng.inputs.schema import COUNTY, load_schema
from junheng.inputs.sources import ROW, read_sources
from junheng.inputs.statistics.outputs import SET_ASIDE_FILE
from junheng.inputs.targets.load import attach_targets
from junheng.inputs.validation import (
    FILE,
    SHEET,
    check_duplicates,
    check_required_numbers,
    check_schools,
    check_survey,
    clean_tables,
)
from junheng.problems import ERROR, INFO, WARNING, Problem


@dataclass
class Dataset:
    """The typed tables of DATA, the problems found in them and the county plan targets."""

    schools: pd.DataFrame | None
    county: pd.DataFrame | None
    monitoring: pd.DataFrame | None
    survey: pd.DataFrame | None
    survey_responses: pd.DataFrame | None
    problems: list = field(default_factory=list)
    targets: list = field(default_factory=list)  # plan targets (junheng.inputs.targets.model.Target)
    # compulsory schools an import set aside (its output folder's set_aside.csv): listed as excluded
    set_aside: pd.DataFrame | None = None

    def county_years(self, blocked: bool = True) -> pd.DataFrame:
        """Every county-year in the schools table, and every one an error was found for, sorted.

        A county-year whose error leaves it without schools (a workbook without its 学校 sheet) is
        listed too: it is not evaluated (`blocked`), and says why, instead of disappearing.
        ``blocked=False``: those with school rows only (a batch plans its tasks from them).
        """
        blocked = {(c, y) for c, y in self.blocked() if y is not None} if blocked else set()
        if self.schools is None:
            if not blocked:
                return pd.DataFrame(columns=COUNTY)
            cy = pd.DataFrame(columns=COUNTY)
        else:
            cy = self.schools[COUNTY].dropna().drop_duplicates()
            cy["year"] = cy["year"].astype("int64")
        have = set(cy.itertuples(index=False, name=None))
        extra = sorted((str(c), int(y)) for c, y in blocked if (c, int(y)) not in have)
        if extra:
            cy = pd.concat([cy, pd.DataFrame(extra, columns=COUNTY)], ignore_index=True)
            cy["year"] = cy["year"].astype("int64")
        return cy.sort_values(COUNTY).reset_index(drop=True)

    def blocked(self) -> set:
        """County-years whose data carry an error: they get no verdict."""
        return {(p.county_code, p.year) for p in self.problems if p.severity == ERROR and p.county_code}

    def problems_for(self, county_code: str, year: int) -> list:
        """Problems of the county-year, of the county as a whole (its targets), and of no county."""
        mine = ((county_code, year), (county_code, None), (None, None))
        return [p for p in self.problems if (p.county_code, p.year) in mine]

    def county_name(self, county_code: str, year: int) -> str:
        """The county's name in that year's data (its schools, else its county sheet), or its code."""
        for s in (self.schools, self.county):
            if s is None or "county_name" not in s:
                continue
            rows = s[(s["county_code"] == county_code) & (s["year"] == year)]["county_name"].dropna()
            if len(rows):
                return str(rows.iloc[0])
        return county_code


def _attribute(problems: list, frames: dict) -> None:
    """Give every problem the county and year of its row.

    Give every problem the county and year of its row; a problem of a whole file or sheet belongs to every
    county-year found in that file.
    """
    lookup, by_file = {}, {}
    for frame in frames.values():
        if frame is None or "county_code" not in frame:
            continue
        for f, sh, r, c, y in zip(
            frame[FILE], frame[SHEET], frame[ROW], frame["county_code"], frame["year"], strict=True
        ):
            if c is not None and pd.notna(y):
                lookup[(f, sh, int(r))] = (c, int(y))
                by_file.setdefault(f, set()).add((c, int(y)))
    extra = []
    for p in problems:
        if p.county_code is not None:
            continue
        if p.row is not None and (p.file, p.sheet, p.row) in lookup:
            p.county_code, p.year = lookup[(p.file, p.sheet, p.row)]
        elif p.file in by_file:
            found = sorted(by_file[p.file])
            p.county_code, p.year = found[0]
            for c, y in found[1:]:
                extra.append(Problem(p.severity, p.code, p.file, p.sheet, p.row, p.column, p.params, c, y))
    problems.extend(extra)


def _filter(frame, counties, years):
    if frame is None:
        return None
    keep = pd.Series(True, index=frame.index)
    if counties:
        keep &= frame["county_code"].isin(counties)
    if years:
        keep &= frame["year"].isin(years)
    return frame[keep].reset_index(drop=True)


def load(data, counties=None, years=None) -> Dataset:
    """Read, type and check DATA.

    ``counties`` / ``years`` restrict what is kept (and read, where workbook file names tell).
    A folder asked for a second county in this process is read whole once and served from memory
    (`junheng.inputs.shared`): the same dataset as reading the county alone.
    """
    counties = {str(c) for c in counties} if counties else None
    years = {int(y) for y in years} if years else None
    from junheng.inputs import shared

    stage = shared.checked_tables(data, counties, years)
    if stage is None:
        problems, frames, _ = read_checked(data, counties, years)
        return finish(data, problems, frames, counties, years)
    problems, frames, entry = stage
    ds = finish(data, problems, frames, counties, years)
    shared.mark(ds, entry, counties)
    return ds


def read_checked(data, counties=None, years=None, read=None) -> tuple[list, dict, dict]:
    """The tables of DATA read, typed and checked, every problem given its county-year.

    Returns the problems, the frames and their layout (`clean_tables`: which files share headers).
    ``read``: what ``read_sources(data, counties, years)`` gave, when the caller has read it already.
    """
    raw, problems = read if read is not None else read_sources(data, counties, years)
    layout: dict = {}
    frames = clean_tables(raw, problems, layout)
    frames = check_county_years(frames, problems)  # one county-year per workbook
    schema = load_schema()
    if frames["schools"] is not None:
        frames["schools"] = check_schools(frames["schools"], problems)
    for key in ("county", "monitoring", "survey", "survey_responses"):
        if frames[key] is not None:
            check_duplicates(frames[key], schema.tables[key], problems)
    for key in ("monitoring", "survey"):  # a blank rate or answer count is not a value (Q9, S)
        if frames[key] is not None:
            check_required_numbers(frames[key], schema.tables[key], problems)
    if frames["survey"] is not None:
        check_survey(frames["survey"], problems)
    _attribute(problems, frames)
    return problems, frames, layout


def finish(data, problems: list, frames: dict, counties=None, years=None, targets: bool = True) -> Dataset:
    """The dataset of the checked tables: restricted to ``counties`` / ``years``, notes and targets added."""
    if counties or years:
        problems = [
            p
            for p in problems
            if p.county_code is None
            or ((not counties or p.county_code in counties) and (not years or p.year in years))
        ]
        frames = {k: _filter(v, counties, years) for k, v in frames.items()}
    ds = Dataset(problems=problems, **frames)
    _note_set_aside(ds, data, counties, years)
    _note_missing_tables(ds)
    _note_county_rows_without_schools(ds)
    if targets:
        attach_targets(ds, data, counties)
    return ds


def _note_set_aside(ds: Dataset, data, counties, years) -> None:
    """The schools the import set aside, read back from its output folder, and a warning per county-year.

    Each is excluded with its reason in the evaluation (`junheng.method.set_aside`); the warning
    says the county-year's verdict rests on incomplete data (issue #22).
    """
    from junheng.inputs.statistics.set_aside import read_set_aside

    frame = read_set_aside(data, counties, years)
    if frame is None:
        return
    ds.set_aside = frame
    for (c, y), part in frame.groupby(["county_code", "year"], sort=True):
        names = [
            str(n or code or Path(f).name)
            for n, code, f in zip(part["school_name"], part["school_code"], part["file"], strict=True)
        ]
        shown = "、".join(names[:5]) + ("…" if len(names) > 5 else "")
        ds.problems.append(
            Problem(
                WARNING,
                "schools_set_aside",
                file=str(Path(data) / SET_ASIDE_FILE),
                params={"n": len(part), "schools": shown},
                county_code=str(c),
                year=int(y),
            )
        )


def _note_missing_tables(ds: Dataset) -> None:
    """A county without its optional tables still gets the parts it can compute: say so."""
    if ds.schools is None:
        return
    schema = load_schema()
    files = _first_file(ds.schools)
    for key in ("county", "monitoring", "survey"):
        table = schema.tables[key]
        frame = getattr(ds, key)
        if key == "survey" and frame is None:
            frame = ds.survey_responses
        have = set() if frame is None else set(frame[COUNTY].dropna().itertuples(index=False, name=None))
        monitored = set() if frame is None or key != "monitoring" else set(frame["county_code"].dropna())
        for (c, y), file in files.items():
            if c in monitored:
                continue  # monitoring of an earlier year is used (Q9)
            if (c, y) not in have:
                label = {"zh": f"{table.sheet}（{table.zh}）", "en": table.en}
                ds.problems.append(
                    Problem(
                        INFO, "missing_table", file=file, params={"table": label}, county_code=c, year=int(y)
                    )
                )


def _first_file(schools: pd.DataFrame) -> dict:
    """{(county, year): the file of its first school}, sorted by county-year (as a groupby gives them)."""
    first: dict = {}
    for c, y, file in zip(schools["county_code"], schools["year"], schools[FILE], strict=True):
        if not (pd.isna(c) or pd.isna(y)):
            first.setdefault((c, y), file)
    return dict(sorted(first.items()))


def _note_county_rows_without_schools(ds: Dataset) -> None:
    """A county-sheet row whose county-year has no school in the schools table: a located warning.

    The county-years evaluated are those of the schools table, so the row is not used; without a
    word it would disappear silently (a mistyped year or code, or a schools sheet left out). A
    county-year that already has an error (an empty schools sheet, say) is explained by it.
    """
    if ds.schools is None or ds.county is None:
        return
    have = {(c, int(y)) for c, y in ds.schools[COUNTY].dropna().itertuples(index=False)}
    have |= ds.blocked()
    rows = ds.county.dropna(subset=COUNTY)
    for c, y, file, sheet, row in zip(
        rows["county_code"], rows["year"], rows[FILE], rows[SHEET], rows[ROW], strict=True
    ):
        if (c, int(y)) not in have:
            ds.problems.append(
                Problem(
                    WARNING,
                    "county_without_schools",
                    file,
                    sheet,
                    int(row),
                    params={"county": c, "year": int(y)},
                    county_code=c,
                    year=int(y),
                )
            )


def without_schools(data, county_code: str, year: int, named_only: bool = False) -> list:
    """The errors that leave a county-year of ``data`` without a school row: no report can be made.

    ``[]`` when it has schools. Said before any kernel starts (`junheng report`, `junheng run`):
    the kernel would fail on "no schools" and name one of its own cells instead of the file and sheet.
    The county-year is read as `load` reads it (``read_sources(data, [county], [year])``: for a folder
    of CODE_YEAR workbooks, its one workbook), once: a workbook whose 学校 sheet has rows has schools,
    and the checks (a twentieth of the time is the reading) are run, on the tables already read, only
    for one without. Other layouts are loaded and checked; with ``named_only`` they are not looked at
    (a batch plans them from their school rows).
    """
    from junheng.inputs.sources import named_workbooks

    county_code, year = str(county_code), int(year)
    named, _ = named_workbooks(Path(data), [county_code])
    if named is not None:
        if not any((code, y) == (county_code, year) for code, y, _ in named):
            return []  # not this layout's county-year: the request check says so
        counties, years = [county_code], [year]
        read = read_sources(data, counties, years)
        if any(r.table == "schools" and len(r.frame) for r in read[0]):
            return []
        problems, frames, _ = read_checked(data, counties, years, read=read)
        ds = finish(data, problems, frames, set(counties), set(years))
    elif named_only:
        return []
    else:
        ds = load(data, [county_code], [year])
    if (
        ds.schools is not None
        and ((ds.schools["county_code"] == county_code) & (ds.schools["year"] == year)).any()
    ):
        return []
    mine = [p for p in ds.problems if p.severity == ERROR and p.year in (year, None)]
    return mine or [Problem(ERROR, "no_schools_of_county", params={"county": county_code, "year": year})]
