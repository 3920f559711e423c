"""Deadlines of the rectification plan: how plan.yaml writes them and the month they resolve to.

A deadline is one of:

- a **lead time** (the shipped defaults): ``{months: N}`` — the work takes N months, counted from
  the report date; ``by_month: M`` — it can only be finished in month M of a year (a hiring round or
  enrolment cap takes effect with the school year in September; building work is finished in the
  summer construction season, by August), so the deadline is the first month M at least N months
  after the report date; ``steps: [[Q, N2], ...]`` — larger work takes longer: from quantity Q on
  (m², rooms ...) the work takes N2 months;
- the older forms counted from the data year: ``{years: N}`` (December of report year + N),
  ``{month: M}`` (month M of the year after the report year), ``{years: N, month: M}`` (month M of
  report year + N), moved on by whole years until they fall after the report date;
- a fixed ``"YYYY-MM"`` / ``"YYYY-MM-DD"`` (the county's own date, kept as given).

The report date defaults to `default_report_date`: today for a report on recent data, but for a
report on an earlier year's data the date such a report is issued (the end of June of the year
after the data year), so a 2021 report does not get deadlines counted from today.
"""

from __future__ import annotations

import calendar
import datetime
import re

from junheng.i18n import t

_FIXED = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
LEAD_KEYS = {"months", "by_month", "steps"}
YEAR_KEYS = {"years", "month"}
ISSUE_MONTH = 6  # a report on year Y's data is issued by the end of June of Y + 1 (the default date)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def default_report_date(data_year: int, today: datetime.date | None = None) -> datetime.date:
    """The report date when none is given: today, but never later than the issue date.

    The issue date is the end of June of the year after the data year (the date a report on that
    year's data is issued).
    """
    today = today or datetime.date.today()
    issued = datetime.date(int(data_year) + 1, ISSUE_MONTH, 30)
    return min(today, issued)


def _valid_steps(steps) -> bool:
    if not isinstance(steps, list):
        return False
    for step in steps:
        if not (isinstance(step, list) and len(step) == 2):
            return False
        quantity, months = step
        if not isinstance(quantity, (int, float)) or isinstance(quantity, bool) or quantity < 0:
            return False
        if not (_whole(months) and 0 <= months <= 600):
            return False
    return True


def is_valid(spec) -> bool:
    """Whether ``spec`` is a deadline plan.yaml accepts."""
    if isinstance(spec, str):
        m = _FIXED.match(spec)
        if not m:
            return False
        year, month, day = int(m[1]), int(m[2]), int(m[3] or 1)
        try:
            datetime.date(year, month, day)
        except ValueError:
            return False
        return True
    if not isinstance(spec, dict) or not spec:
        return False
    if "months" in spec:
        if set(spec) - LEAD_KEYS:
            return False
        by_month = spec.get("by_month", 1)
        return (
            _whole(spec["months"])
            and 0 <= spec["months"] <= 600
            and _whole(by_month)
            and 1 <= by_month <= 12
            and _valid_steps(spec.get("steps", []))
        )
    if set(spec) - YEAR_KEYS:
        return False
    years, month = spec.get("years", 1), spec.get("month", 12)
    return _whole(years) and 0 <= years <= 50 and _whole(month) and 1 <= month <= 12


def lead_months(spec, quantity=None) -> int:
    """The months a lead-time deadline allows for ``quantity`` (the largest step it reaches)."""
    months = spec["months"]
    for threshold, step_months in spec.get("steps", []):
        if quantity is not None and quantity == quantity and quantity >= threshold:
            months = max(months, step_months)
    return months


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_index(deadline: str) -> int:
    """``"2026-09"`` (or ``"2026-09-30"``) → a running month number, for comparing deadlines."""
    m = _FIXED.match(deadline)
    return int(m[1]) * 12 + int(m[2]) - 1


def resolve(spec, report_year: int, issued: datetime.date | None = None, quantity=None) -> str:
    """The deadline as ``"YYYY-MM"`` (or the fixed ``"YYYY-MM-DD"`` a county gave).

    A lead time counts from the report date (``issued``; `default_report_date` of the report year
    when none is given). The older relative forms count from the report year; a plan issued later
    than that never gets a deadline in the past or in the month it is issued: the deadline moves on
    by whole years until it falls after the report date. A fixed date is the county's own and stays
    as given.
    """
    if isinstance(spec, str):
        return spec
    if "months" in spec:
        issued = issued or default_report_date(report_year)
        index = issued.year * 12 + issued.month - 1 + lead_months(spec, quantity)
        if "by_month" in spec:
            while index % 12 + 1 != spec["by_month"]:
                index += 1
        return _month_text(index)
    years = spec.get("years", 1)
    month = spec.get("month", 12)
    year = report_year + years
    if issued is not None:
        while (year, month) <= (issued.year, issued.month):
            year += 1
    return f"{year:04d}-{month:02d}"


def describe(deadline: str, lang: str = "zh") -> str:
    """``"2026-09"`` → 2026年9月底前 / by end of September 2026."""
    m = _FIXED.match(deadline)
    if not m:
        return deadline
    year, month = int(m[1]), int(m[2])
    name = calendar.month_name[month]  # English month names (the zh text takes the number)
    if m[3]:
        return t("plan.deadline.date", lang, year=year, month=month, day=int(m[3]), month_name=name)
    return t("plan.deadline.month", lang, year=year, month=month, month_name=name)
