"""The value of a measure for one county in every year of an evaluation.

Everything comes from what the engine has already computed (section-schools with their indicator
values, coefficients, items, verdicts).

Definitions (docs/targets.md):
- Schools are the in-scope section-schools of Part R (docs/method.md §1): a nine-year school counts once
  per section; special schools and teaching points under 50 students are out of scope.
- A quantity is, per section-school, an amount ``num`` over a base ``den``: an indicator is
  ``scale × numerator`` over students; a column is ``scale × column`` over students (default),
  over another column, or (denominator ``none``) the column's own value with the students as base.
  Whole-school columns are split between sections by weighted students like shared facilities.
- ``mean``: Σ num / Σ den over the schools (the student-weighted mean for per-student figures).
- ``cv``: the student-weighted difference coefficient (docs/method.md §3) of num / den, weighted by den.
- ``share_meeting``: schools whose num / den reaches the threshold (the indicator's own by default,
  with the engine's tolerance), over the schools; for a yes/no column, schools (each counted once)
  with "yes". ``share_passing``: section-schools passing R rule 1 (6 of 7).
- ``gap``: the mean (or, for a yes/no column, the share) of the group's schools over (ratio) or
  minus (difference) the reference group's.
- A value is missing (no data) when no school is in the subset, or any school in it lacks a value
  the measure needs: a blank is never read as zero or as "no".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.inputs.targets.model import Measure
from junheng.method import equity
from junheng.method.items import FAIL, PASS
from junheng.method.resource import TOLERANCE

SCHOOL_ID = ["county_code", "year", "school_code"]
NOT_IN_RULES = "not_in_rules"


def _years(ev, county: str) -> pd.Index:
    v = ev.verdicts
    return pd.Index(sorted(v.loc[v["county_code"] == county, "year"].astype(int)), name="year")


def _school_column(ev, sec: pd.DataFrame, name: str) -> pd.Series:
    """A whole-school column (contract or county-added) aligned to the section-schools."""
    schools = ev.schools
    if schools is None or name not in schools:
        return pd.Series(np.nan, index=sec.index)
    values = schools.set_index(SCHOOL_ID)[name]
    values = pd.to_numeric(values.astype("object").where(values.notna(), np.nan), errors="coerce")
    keys = pd.MultiIndex.from_frame(sec[SCHOOL_ID])
    return pd.Series(values.reindex(keys).to_numpy(dtype="float64"), index=sec.index)


def _amount(ev, sec: pd.DataFrame, name: str, split: bool = True) -> pd.Series:
    """A column's amount per section-school.

    Section quantities as the engine holds them; whole-school
    columns split by the section's share of weighted students (or, ``split=False``, as written).
    """
    if name in sec.columns and not name.startswith("custom:"):
        return sec[name].astype("float64")
    values = _school_column(ev, sec, name)
    return values * sec["share"].astype("float64") if split else values


def school_values(ev, sec: pd.DataFrame, m: Measure) -> tuple[pd.DataFrame | None, str | None]:
    """Per section-school: what a measure adds up and compares.

    ``num``, ``den`` and ``met`` (meets the per-school threshold), or a note
    when the rule set in use has no such indicator.
    """
    out = sec[SCHOOL_ID + ["section", "location", "ownership"]].copy()
    students = sec["students"].astype("float64")
    if m.indicator:
        ind = next((i for i in ev.rules.indicators if i.key == m.indicator), None)
        if ind is None:
            return None, NOT_IN_RULES
        out["num"] = ind.scale * sec[f"num_{ind.key}"].astype("float64")
        out["den"] = students
        value = sec[f"value_{ind.key}"].astype("float64")
        if m.threshold is not None:
            out["met"] = (value >= m.threshold * (1 - TOLERANCE)).where(value.notna())
        elif ind.threshold:
            out["met"] = sec[f"met_{ind.key}"].astype("float64")
        elif m.kind == "share_meeting":
            return None, NOT_IN_RULES
        return out, None
    if m.column:
        if m.denominator == "none":
            value = m.scale * _amount(ev, sec, m.column, split=False)
            out["num"], out["den"] = value * students, students
        else:
            out["num"] = m.scale * _amount(ev, sec, m.column)
            out["den"] = students if m.denominator == "students" else _amount(ev, sec, m.denominator)
        if m.threshold is not None:
            ratio = out["num"] / out["den"].where(out["den"] > 0)
            out["met"] = (ratio >= m.threshold * (1 - TOLERANCE)).where(ratio.notna())
        return out, None
    if m.flag:
        out["met"] = _school_column(ev, sec, m.flag)
        return out, None
    if m.kind == "share_passing":
        if not ev.rules.school_rule:
            return None, NOT_IN_RULES
        out["met"] = sec["school_passed"].astype("float64")
        return out, None
    raise ValueError(f"measure kind {m.kind} has no per-school values")


def _aggregate(values: pd.DataFrame, m: Measure, statistic: str) -> pd.Series:
    """``statistic`` (mean, cv or share) per year; NaN where a school lacks a needed value."""
    if values.empty:
        return pd.Series(dtype="float64")
    if statistic == "share":
        units = values
        if m.flag:  # a yes/no column describes a school: each school once, whatever its sections
            units = values.drop_duplicates(["year", "school_code"])
        g = units.groupby("year")["met"]
        return g.mean().where(g.count() == g.size())
    complete = values[["num", "den"]].notna().all(axis=1).groupby(values["year"]).all()
    if statistic == "mean":
        sums = values.groupby("year")[["num", "den"]].sum()
        mean = sums["num"] / sums["den"].where(sums["den"] > 0)
        return mean.where(complete)
    rated = values[values["den"] > 0]
    long = pd.DataFrame(
        {"year": rated["year"], equity.X: rated["num"] / rated["den"], equity.W: rated["den"]}
    )
    cv = equity.coefficients(long.dropna(), ["year"]).set_index("year")
    return cv["cv"].where(cv["status"] == "ok").reindex(complete.index).where(complete)


def _subset(values: pd.DataFrame, m: Measure) -> pd.DataFrame:
    keep = pd.Series(True, index=values.index)
    for key in ("section", "location", "ownership"):
        wanted = getattr(m, key)
        if wanted:
            keep &= values[key] == wanted
    return values[keep]


def measure_series(ev, m: Measure, county: str) -> tuple[pd.Series, str | None]:
    """The measure's value in every year the evaluation has for the county.

    NaN means no data. Also returns a
    note (``not_in_rules``) when the rule set in use cannot give it.
    """
    years = _years(ev, county)
    empty = pd.Series(np.nan, index=years, dtype="float64")
    if m.kind in ("item", "item_met"):
        return _item(ev, m, county, years)
    if m.kind == "verdict":
        return _verdict(ev, m, county, years)
    sec = ev.resource.schools
    sec = sec[(sec["county_code"] == county) & sec["in_scope"].astype(bool)]
    values, note = school_values(ev, sec, m)
    if values is None:
        return empty, note
    values = _subset(values, m)
    statistic = {"mean": "mean", "cv": "cv", "share_meeting": "share", "share_passing": "share"}.get(m.kind)
    if m.kind == "gap":
        statistic = "share" if m.flag else "mean"
        group = _aggregate(values[values[m.dimension] == m.group], m, statistic).reindex(years)
        reference = _aggregate(values[values[m.dimension] == m.reference], m, statistic).reindex(years)
        if m.form == "difference":
            return (group - reference).astype("float64"), None
        return (group / reference.where(reference != 0)).astype("float64"), None
    return _aggregate(values, m, statistic).reindex(years).astype("float64"), None


def _item(ev, m: Measure, county: str, years: pd.Index):
    items = ev.items
    if items is None or items.empty or m.item not in set(items["id"]):
        return pd.Series(np.nan, index=years, dtype="float64"), NOT_IN_RULES
    rows = items[(items["county_code"] == county) & (items["id"] == m.item)].set_index("year")
    status = rows["status"].reindex(years)
    if m.kind == "item_met":
        value = status.map({PASS: 1.0, FAIL: 0.0})
    else:
        value = pd.to_numeric(rows["value"].reindex(years), errors="coerce").where(status.isin([PASS, FAIL]))
    return value.astype("float64"), None


def _verdict(ev, m: Measure, county: str, years: pd.Index):
    v = ev.verdicts[ev.verdicts["county_code"] == county].set_index("year")
    if m.part:
        if m.part not in v.columns:
            return pd.Series(np.nan, index=years, dtype="float64"), NOT_IN_RULES
        value = v[m.part].map({PASS: 1.0, FAIL: 0.0})
    else:
        value = v["status"].map({"passed": 1.0, "failed": 0.0})
    return value.reindex(years).astype("float64"), None
