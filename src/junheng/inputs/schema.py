"""The data contract (schema.yaml): tables, columns, enumerations and header matching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from junheng.yamlio import packaged

SECTIONS = ("primary", "junior")
COUNTY = ["county_code", "year"]  # the key of a county-year in every table
# Which sections each school type enters (docs/method.md §1, "School types").
TYPE_SECTIONS = {
    "primary": ("primary",),
    "junior": ("junior",),
    "nine_year": ("primary", "junior"),
    "twelve_year": ("primary", "junior"),
    "complete_middle": ("junior",),
    "teaching_point": ("primary",),
    "special": (),
    "vocational": (),
}
# A school's physical resources: counted once per school, shared by its sections (split by
# weighted students in the method, docs/method.md §2; merged once per school on import).
SHARED_RESOURCES = (
    "teaching_space_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_rooms",
    "computers",
    "books",
)
# Which student columns each type must report (senior is needed to split shared resources).
TYPE_STUDENT_PARTS = {
    "primary": ("primary",),
    "junior": ("junior",),
    "nine_year": ("primary", "junior"),
    "twelve_year": ("primary", "junior", "senior"),
    "complete_middle": ("junior", "senior"),
    "teaching_point": ("primary",),
    "special": (),
    "vocational": (),
}


@dataclass(frozen=True)
class Column:
    """One column of an input table, as schema.yaml describes it."""

    key: str
    zh: str
    type: str
    required: bool
    unit: str | None = None
    alt_units: dict = field(default_factory=dict)
    enum: str | None = None
    length: int | None = None
    section: str | None = None
    desc: dict = field(default_factory=dict)
    plausible_max: float | None = None  # above this a value is implausible (a located warning)
    per_student_max: float | None = None  # the same per student: ~100x the national level
    above: int | None = None  # oversized-class columns: the class size they count classes above

    @property
    def header(self) -> str:
        """The Chinese header with its unit, as written in the template."""
        return f"{self.zh}（{self.unit}）" if self.unit else self.zh


@dataclass(frozen=True)
class Table:
    """One input table (a sheet of the workbook), as schema.yaml describes it."""

    key: str
    sheet: str
    file: str
    zh: str
    en: str
    key_columns: tuple
    columns: dict

    def column_for_header(self, header: str):
        """Match a user's header to a column. Returns (Column, unit written in header) or (None, None)."""
        whole = self._by_name().get(normalise(header).lower())
        if whole:
            return whole, None
        base, unit = split_header(header)
        col = self._by_name().get(base.lower())
        return (col, unit) if col else (None, None)

    @cache  # noqa: B019 (tables come from the cached schema and live as long as the process)
    def _by_name(self) -> dict:
        names = {}
        for col in self.columns.values():
            names[col.key.lower()] = col
            names[normalise(col.zh).lower()] = col
        return names

    def __hash__(self):
        return hash(self.key)


def normalise(text: str) -> str:
    """Fold full-width punctuation and spaces so that headers typed in many ways match."""
    return _normalise(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=65536)  # headers and enumeration cells repeat; the folding depends on the text alone
def _normalise(text: str) -> str:
    text = text.strip()
    for wide, narrow in (("（", "("), ("）", ")"), ("　", " "), ("：", ":")):
        text = text.replace(wide, narrow)
    return re.sub(r"\s+", "", text)


def split_header(header: str) -> tuple[str, str | None]:
    """Split a header into its name and the unit written in brackets after it (or None)."""
    text = normalise(header)
    match = re.fullmatch(r"(.*?)\(([^()]*)\)", text)
    if match:
        return match.group(1), match.group(2)
    return text, None


@dataclass(frozen=True)
class Schema:
    """The input tables and enumerations of schema.yaml."""

    tables: dict
    enums: dict

    def enum_lookup(self, name: str) -> dict:
        """Map every accepted spelling (key, Chinese, English; case-insensitive) to the key."""
        return _enum_lookup(name)


@cache
def _enum_lookup(name: str) -> dict:
    lookup = {}
    for key, labels in load_schema().enums[name].items():
        for spelling in (key, labels["zh"], labels["en"]):
            lookup[normalise(spelling).lower()] = key
    return lookup


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    """Read schema.yaml (the input tables, their columns and the enumerations)."""
    raw = packaged("junheng.inputs", "schema.yaml")
    tables = {}
    for tkey, spec in raw["tables"].items():
        cols = {}
        for ckey, c in spec["columns"].items():
            cols[ckey] = Column(
                key=ckey,
                zh=c["zh"],
                type=c["type"],
                required=bool(c.get("required")),
                unit=c.get("unit"),
                alt_units=c.get("alt_units") or {},
                enum=c.get("enum"),
                length=c.get("length"),
                section=c.get("section"),
                desc=c.get("desc") or {},
                plausible_max=c.get("plausible_max"),
                per_student_max=c.get("per_student_max"),
                above=c.get("above"),
            )
        tables[tkey] = Table(
            tkey, spec["sheet"], spec["file"], spec["zh"], spec["en"], tuple(spec["key"]), cols
        )
    return Schema(tables=tables, enums=raw["enums"])
