"""Deadlines of the rectification plan: how plan.yaml writes them and the month they resolve to.

A deadline is ``{years: N}`` (December of report year + N), ``{month: M}`` (month M of the year
after the report year), ``{years: N, month: M}`` (month M of report year + N), or a fixed
``"YYYY-MM"`` / ``"YYYY-MM-DD"``.
"""

from __future__ import annotations

import datetime
import re

from junheng.i18n import t

_FIXED = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    if not isinstance(spec, dict) or not spec or set(spec) - {"years", "month"}:
        return False
    years, month = spec.get("years", 1), spec.get("month", 12)
    return _whole(years) and 0 <= years <= 50 and _whole(month) and 1 <= month <= 12


def resolve(spec, report_year: int, issued: datetime.date | None = None) -> str:
    """The deadline as ``"YYYY-MM"`` (or the fixed ``"YYYY-MM-DD"`` a county gave).

    Relative deadlines count from the report year (the year of the data). A plan issued later than
    that (``issued``, the report date) never gets a deadline in the past or in the month it is
    issued: the deadline moves on by whole years until it falls after the report date. A fixed date
    is the county's own and stays as given.
    """
    if isinstance(spec, str):
        return spec
    years = spec.get("years", 1)
    month = spec.get("month", 12)
    year = report_year + years
    if issued is not None:
        while (year, month) <= (issued.year, issued.month):
            year += 1
    return f"{year:04d}-{month:02d}"


def describe(deadline: str, lang: str = "zh") -> str:
    """``"2026-09"`` → 2026年9月底前 / by the end of 2026-09."""
    m = _FIXED.match(deadline)
    if not m:
        return deadline
    year, month = int(m[1]), int(m[2])
    if m[3]:
        return t("plan.deadline.date", lang, year=year, month=month, day=int(m[3]))
    return t("plan.deadline.month", lang, year=year, month=month)
