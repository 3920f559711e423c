"""The data columns a target may name.

Section quantities, columns of the data contract, and the
columns a county adds to its own schools sheet (kept as read by the loader, typed here once a
target uses them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from junheng.i18n import pick
from junheng.inputs.schema import SHARED_RESOURCES as SHARED
from junheng.inputs.schema import load_schema, normalise, split_header
from junheng.inputs.sources import ROW
from junheng.inputs.targets.model import NAMESPACE
from junheng.inputs.targets.spec import fold, spec
from junheng.inputs.validation import CUSTOM, FILE, FLAGS, SHEET, custom_column
from junheng.problems import INFO, WARNING, Problem

NUMBER, FLAG = "number", "flag"
SECTION, SCHOOL, CUSTOM_SOURCE = "section", "school", "custom"


@dataclass(frozen=True)
class DataColumn:
    """A column a measure can use.

    ``source``: ``section`` (a quantity of the section-school, split
    between sections already), ``school`` (a whole-school column of the contract) or ``custom``
    (added by the county; ``name`` is ``custom:<header>``).
    """

    name: str
    label: dict
    kind: str  # number or flag
    source: str


def _contract_columns() -> list[DataColumn]:
    schools = load_schema().tables["schools"]
    out = [DataColumn(k, dict(v), NUMBER, SECTION) for k, v in spec()["section_quantities"].items()]
    for col in schools.columns.values():
        label = {"zh": col.zh, "en": col.key.replace("_", " ")}  # the contract has no English names
        if col.key in SHARED:
            out.append(DataColumn(col.key, label, NUMBER, SECTION))
        elif col.section is None and col.type in ("int", "number", "rating"):
            out.append(DataColumn(col.key, label, NUMBER, SCHOOL))
        elif col.type == "enum" and col.enum == "flag":
            out.append(DataColumn(col.key, label, FLAG, SCHOOL))
    return out


class ColumnCatalog:
    """Every column a target may name, and which counties have which of their own columns."""

    def __init__(self, schools: pd.DataFrame | None):
        self.by_spelling: dict = {}
        schema = load_schema().tables["schools"]
        for col in _contract_columns():
            spellings = [col.name, col.label["zh"]]
            if col.name in schema.columns:
                spellings.append(schema.columns[col.name].header)
            for s in spellings:
                self.by_spelling.setdefault(fold(s), col)
        self.custom: dict = {}  # fold(spelling) -> custom column name
        self.counties: dict = {}  # custom column name -> counties whose rows fill it
        if schools is None:
            return
        for name in [c for c in schools.columns if str(c).startswith(CUSTOM)]:
            header = name[len(CUSTOM) :]
            filled = schools.loc[schools[name].notna(), "county_code"].dropna().unique()
            self.counties[name] = set(filled)
            for spelling in (header, split_header(header)[0]):
                self.custom.setdefault(fold(spelling), name)

    def find(self, spelling, county_code: str) -> DataColumn | None:
        """The column a target names; a county's own column only where that county has it."""
        key = fold(spelling)
        if key in self.by_spelling:
            return self.by_spelling[key]
        name = self.custom.get(key)
        if name and county_code in self.counties.get(name, ()):
            header = name[len(CUSTOM) :]
            return DataColumn(name, {"zh": header, "en": header}, "", CUSTOM_SOURCE)
        return None


def label(column: DataColumn | None, lang: str) -> str:
    """A column's name as a reader sees it."""
    return pick(column.label, lang) if column else ""


def _as_number(value):
    if isinstance(value, bool):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = normalise(str(value)).replace(",", "").replace("，", "")
    try:
        return float(text)
    except ValueError:
        return np.nan


def _as_flag(value):
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    found = FLAGS.get(normalise(str(value)).lower().removesuffix(".0"))
    return np.nan if found is None else float(found)


def type_custom_columns(schools: pd.DataFrame, kinds: dict, problems: list) -> None:
    """Type in place the county-added columns that targets use.

    ``kinds``: name -> number or flag. Numbers become floats, yes/no 1.0 / 0.0. A cell that is
    neither is a located warning and counts as missing (a measure that needs it has no data for
    that county-year).
    """
    for name, kind in kinds.items():
        raw = schools[name]
        parse = _as_number if kind == NUMBER else _as_flag
        typed = raw.map(lambda v, parse=parse: np.nan if v is None or v != v else parse(v))
        typed = typed.astype("float64")
        bad = raw.notna() & typed.isna() & ~raw.map(lambda v: isinstance(v, str) and not v.strip())
        code = "bad_number_cell" if kind == NUMBER else "bad_flag_cell"
        for idx in schools.index[bad]:
            row = schools.loc[idx]
            problems.append(
                Problem(
                    WARNING,
                    f"{NAMESPACE}.{code}",
                    row[FILE],
                    row[SHEET],
                    int(row[ROW]),
                    name[len(CUSTOM) :],
                    {"value": raw[idx]},
                    row["county_code"],
                    None if pd.isna(row["year"]) else int(row["year"]),
                )
            )
        schools[name] = typed


def note_custom_columns(problems: list, used: dict) -> list:
    """Turn the warning about a county-added column into a note where targets use it.

    The loader warns about every column outside the contract; a column the county's targets use
    is expected: its warning becomes a note (``used``: custom column name -> counties using it).
    """
    out = []
    for p in problems:
        counties = used.get(custom_column(p.column)) if p.code == "unknown_column" else None
        if counties and p.county_code in counties:
            p = Problem(
                INFO,
                f"{NAMESPACE}.custom_column",
                p.file,
                p.sheet,
                p.row,
                p.column,
                {},
                p.county_code,
                p.year,
            )
        out.append(p)
    return out
