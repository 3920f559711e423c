"""What the readers hand on: records, where every value was found, every input row accounted for.

One record per school per source (a row of a county-wide sheet, or a school workbook).

A record is a dict: origin (``_file``, ``_sheet``, ``_row``…), identity texts by role
(``school_code``…), and numbers under ``section|role`` (``primary|students``,
``junior|degree|bachelor``) or ``school|role`` (``school|teaching_aux_area``). A missing key means
"not found in this source"; NaN means the cell said '*' (not applicable) or could not be read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from junheng.inputs.statistics.codes import codes
from junheng.inputs.statistics.labels import fold, pattern
from junheng.problems import Problem

SCHOOL = "school"
COUNTY_WIDE, SCHOOL_WORKBOOK = "county_wide", "school_workbook"
_SCHOOL_YEAR = re.compile(r"((?:19|20)\d{2})/(?:19|20)\d{2}学年")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_RANGE = re.compile(r"^(\d+)(?:人)?(?:-|~|—|–|至|到)(\d+)人?$")
_AT_MOST = re.compile(r"^(\d+)人?(?:及以下|以下)$")
_AT_LEAST = re.compile(r"^(\d+)人?(?:及以上|以上)$")


def key(section: str, role: str, level: str | None = None) -> str:
    """A record key: 'primary|students', 'junior|degree|bachelor', 'school|books'."""
    return f"{section}|{role}" if level is None else f"{section}|{role}|{level}"


def year_in(text: str) -> int | None:
    """The statistical year a title or file name states: '2024/2025学年初' and '2024年' give 2024."""
    folded = fold(text)
    for regex in (_SCHOOL_YEAR, _YEAR, _BARE_YEAR):
        match = regex.search(folded)
        if match:
            return int(match.group(1))
    return None


def class_size_range(label: str) -> tuple[int, float] | None:
    """'26-30人' -> (26, 30); '25人及以下' -> (0, 25); '66人及以上' -> (66, inf); else None."""
    text = fold(label)
    if match := _RANGE.match(text):
        return int(match.group(1)), int(match.group(2))
    if match := _AT_MOST.match(text):
        return 0, int(match.group(1))
    if match := _AT_LEAST.match(text):
        return int(match.group(1)), float("inf")
    return None


def oversized(buckets: list, limit: int) -> tuple[float, bool]:
    """Classes above ``limit`` counted from class-size buckets [(low, high, count)].

    The flag is False when a bucket straddles the limit (then the count cannot be known).
    """
    total = 0.0
    for low, high, count in buckets:
        if low > limit:
            total += count
        elif high > limit:
            return float("nan"), False
    return total, True


def is_summary(text) -> bool:
    """Whether a label is a summary line's (合计, 总计…)."""
    return bool(text) and pattern(codes()["summary_labels"]).match(fold(text))


@dataclass
class Extraction:
    """Everything the readers found in one import."""

    records: list = field(default_factory=list)
    found: Counter = field(default_factory=Counter)  # (shape, generation, field, section, where) -> sources
    examples: dict = field(default_factory=dict)  # same key -> first file
    missing: dict = field(default_factory=dict)  # (shape, generation, field, section, status) -> [files]
    reasons: dict = field(default_factory=dict)  # (file, role, section) -> (status, field, mapping, detail)
    problems: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # input rows not imported: {file, sheet, row, reason}
    dispositions: list = field(default_factory=list)  # every record: imported / merged, into which school
    inputs: list = field(default_factory=list)  # one entry per file read: shape, generation, 学段, year
    rows_read: int = 0
    noted: set = field(default_factory=set)  # (file, field) whose unit was already reported

    def was_found(self, shape, generation, field_name, section, where, file) -> None:
        """Count one source where a field was found, and where."""
        k = (shape, generation, field_name, section or "", where)
        self.found[k] += 1
        self.examples.setdefault(k, file)

    def not_found(self, shape, mapping, fld, section, status, file, detail="") -> None:
        """Note a field not found in a file (the reason given when its column stays empty)."""
        self.missing.setdefault((shape, mapping.generation, fld.name, section or "", status), []).append(file)
        self.reasons.setdefault(
            (file, fld.role, section or SCHOOL), (status, fld.name, mapping.source, detail)
        )

    def skip(self, file, sheet, row, reason, **params) -> None:
        """Account for an input row that is not imported."""
        self.skipped.append({"file": file, "sheet": sheet, "row": row, "reason": reason, **params})

    def problem(self, severity, message, file="", sheet="", row=None, column="", **params) -> None:
        """A located problem whose text is ``statistics.<message>`` in the locale files."""
        self.problems.append(Problem(severity, f"statistics.{message}", file, sheet, row, column, params))


def file_year(title: str, path: str) -> int | None:
    """The year a title states, else the file name."""
    return year_in(title) or year_in(Path(path).name)
