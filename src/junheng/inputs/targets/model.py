"""Plan targets as the engine sees them once read and checked.

A Target with its Measure, and the
place (file, sheet, row, column or YAML line and key path) every value came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from junheng.inputs.targets.spec import kinds
from junheng.item_values import value_kind as item_value_kind
from junheng.problems import Problem

NAMESPACE = "targets"  # problem codes "targets.<name>" -> locale/targets.yaml targets.problem.<name>


@dataclass(frozen=True)
class Where:
    """Where a value was written.

    A sheet cell (file, sheet, row, column header) or a YAML value
    (file, line, key path such as ``counties.990123.targets[2].measure.indicator``).
    """

    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def problem(self, severity: str, name: str, county_code: str | None = None, **params) -> Problem:
        """A problem located here (``name``: a message of locale/targets.yaml targets.problem)."""
        return Problem(
            severity,
            f"{NAMESPACE}.{name}",
            self.file,
            self.sheet,
            self.row,
            self.column,
            params,
            county_code=county_code,
        )

    def shown(self) -> str:
        """A short reference to this place inside another message."""
        if self.sheet:
            return f"{self.file}:{self.sheet}:{self.row}"
        return f"{self.file}:{self.row}" if self.row is not None else self.file


@dataclass
class Measure:
    """What a target measures.

    Exactly one of ``indicator`` (a rule-set indicator key), ``column``
    (a numeric schools column) and ``flag`` (a yes/no schools column) names the quantity, except for
    the kinds that measure something fixed (share_passing, item, item_met, verdict).
    """

    kind: str
    indicator: str | None = None
    column: str | None = None  # contract key, section quantity, or custom:<header>
    flag: str | None = None
    denominator: str = "students"  # "students", "none" or a column
    scale: float = 1.0
    section: str | None = None
    location: str | None = None
    ownership: str | None = None
    threshold: float | None = None
    group: str | None = None
    reference: str | None = None
    dimension: str | None = None  # location or ownership, for a gap
    form: str = "ratio"
    item: str | None = None
    part: str | None = None
    written: dict = field(default_factory=dict)  # the measure as the user wrote it

    @property
    def value_kind(self) -> str:
        """number, share (0-1) or yesno.

        An item's value is a share for the items that judge a share (G11's rotated teachers, Q1's
        retention...: method/item_values.yaml).
        """
        if self.kind == "item" and self.item and item_value_kind(self.item) == "share":
            return "share"
        return kinds()[self.kind]["value"]

    def to_dict(self) -> dict:
        """The measure as the JSON document shows it (canonical keys, set values only)."""
        keys = (
            "kind indicator column flag denominator scale section location ownership threshold "
            "group reference form item part"
        ).split()
        out = {k: getattr(self, k) for k in keys}
        if self.kind != "gap":
            out.pop("form")
        if not (self.column or self.flag):
            out.pop("denominator"), out.pop("scale")
        return {k: v for k, v in out.items() if v is not None}


@dataclass
class Target:
    """A county's target: a measure, a comparison, a value and a due year."""

    county_code: str
    id: str
    name: str | dict
    measure: Measure
    comparison: str  # >=, >, <=, <, =
    value: float  # yes/no targets: 1.0 (yes) or 0.0 (no)
    due_year: int
    baseline_year: int | None = None
    note: str | None = None
    plan: str | dict | None = None
    where: Where | None = None  # the target as a whole (its YAML entry, its sheet row)
    year: int | None = None  # the year of the workbook it came from (later workbooks win)

    def definition(self) -> tuple:
        """What makes two copies of a target the same (a plan repeated in every yearly workbook)."""
        return (
            self.county_code,
            self.id,
            str(self.name),
            self.measure.to_dict().__repr__(),
            self.comparison,
            self.value,
            self.due_year,
            self.baseline_year,
        )
