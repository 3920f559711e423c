"""Progress on plan targets.

For every target and every year of the evaluation: the value, the distance to the target and a
status.

Statuses (docs/targets.md), in the order they are decided:

- ``no_data``: the measure has no value this year (data missing, no school in the subset, or the
  rule set in use has no such indicator or item).
- ``met``: the value satisfies the comparison, in any year (a target reached early is met). Full
  precision, with the engine's tolerance (``method.resource.TOLERANCE``): a value equal to the
  target up to floating-point error satisfies >=, <= and =, and does not satisfy > or <.
- ``missed``: not met, and the year is the due year or later.
- ``not_due``: not met, before the due year, and no trajectory applies: yes/no targets, the
  baseline year itself and the years before it, or no value in the baseline year.
- ``on_track`` / ``off_track``: not met, before the due year, and at or beyond (behind) the linear
  trajectory from the baseline value (the ``baseline_year``'s value, or the first year with a
  value) to the target value at the due year:
  expected(y) = v0 + (target − v0) × (y − y0) / (due − y0).
  "Beyond" follows the comparison: higher for >= and >, lower for <= and <.

Distance: ``difference`` = value − target (signed, in the measure's unit); ``remaining`` = what is
still to go in the target's direction (0 once met; none for yes/no targets); ``progress`` = the
share of the way from the baseline value to the target covered so far.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.i18n import pick, t
from junheng.inputs.targets.model import Target
from junheng.method.items import _plain
from junheng.method.resource import TOLERANCE
from junheng.method.target_compute import measure_series
from junheng.method.target_describe import describe, unit

STATUSES = ("met", "missed", "on_track", "off_track", "not_due", "no_data")
COLUMNS = [
    "county_code",
    "county_name",
    "target_id",
    "target_name",
    "kind",
    "value_kind",
    "measure_label",
    "unit",
    "comparison",
    "target",
    "due_year",
    "baseline_year",
    "baseline_value",
    "year",
    "value",
    "expected",
    "difference",
    "remaining",
    "progress",
    "status",
    "note",
    "source",
]
HIGHER = (">=", ">")


def _tolerance(reference: float) -> float:
    return TOLERANCE * max(1.0, abs(reference))


def satisfies(value: float, comparison: str, target: float) -> bool:
    """The comparison at full precision, equality up to the engine's tolerance."""
    tol = _tolerance(target)
    return {
        ">=": value >= target - tol,
        ">": value > target + tol,
        "<=": value <= target + tol,
        "<": value < target - tol,
        "=": abs(value - target) <= tol,
    }[comparison]


def trajectory(baseline_value: float, baseline_year: int, target: float, due_year: int, year: int) -> float:
    """The value the linear trajectory expects in ``year``.

    The target itself from the due year on. The caller passes the target as the baseline value when
    the baseline already meets it: nothing is left to cover, the trajectory is the target.
    """
    if year < baseline_year:
        return np.nan
    share = min(1.0, (year - baseline_year) / (due_year - baseline_year))
    return baseline_value + (target - baseline_value) * share


def status(target: Target, year: int, value: float, baseline_year, baseline_value, expected) -> str:
    """The status of a target in a year (the module's docstring defines them)."""
    if pd.isna(value):
        return "no_data"
    if satisfies(value, target.comparison, target.value):
        return "met"
    if year >= target.due_year:
        return "missed"
    if target.measure.value_kind == "yesno" or baseline_year is None or pd.isna(baseline_value):
        return "not_due"
    if year <= baseline_year:
        return "not_due"
    ahead = (
        value >= expected - _tolerance(expected)
        if target.comparison in HIGHER
        else value <= expected + _tolerance(expected)
    )
    return "on_track" if ahead else "off_track"


def _baseline(target: Target, values: pd.Series) -> tuple:
    if target.baseline_year is not None:
        return target.baseline_year, values.get(target.baseline_year, np.nan)
    known = values.dropna()
    known = known[known.index < target.due_year]
    if known.empty:
        return None, np.nan
    return int(known.index[0]), float(known.iloc[0])


def _rows(ev, target: Target, lang: str) -> list[dict]:
    values, note = measure_series(ev, target.measure, target.county_code)
    base_year, base_value = _baseline(target, values)
    yes_no = target.measure.value_kind == "yesno"
    met_at_baseline = not pd.isna(base_value) and satisfies(base_value, target.comparison, target.value)
    common = {
        "county_code": target.county_code,
        "county_name": None,
        "target_id": target.id,
        "target_name": pick(target.name, lang),
        "kind": target.measure.kind,
        "value_kind": target.measure.value_kind,
        "measure_label": describe(target.measure, ev.rules, lang),
        "unit": unit(target.measure, ev.rules, lang),
        "comparison": target.comparison,
        "target": target.value,
        "due_year": target.due_year,
        "baseline_year": None if yes_no else base_year,
        "baseline_value": np.nan if yes_no else base_value,
        "note": note,
        "source": target.where.file if target.where else None,
    }
    rows = []
    for year, value in values.items():
        expected = np.nan
        if not yes_no and base_year is not None and not pd.isna(base_value):
            start = target.value if met_at_baseline else base_value
            expected = trajectory(start, base_year, target.value, target.due_year, int(year))
        row = dict(common, year=int(year), value=value, expected=expected)
        row["difference"] = value - target.value
        if yes_no or pd.isna(value):
            row["remaining"] = np.nan
        elif target.comparison in HIGHER:
            row["remaining"] = max(target.value - value, 0.0)
        else:
            row["remaining"] = max(value - target.value, 0.0)
        span = target.value - base_value
        covered = not yes_no and not met_at_baseline and span and not pd.isna(span)
        row["progress"] = (value - base_value) / span + 0.0 if covered else np.nan
        row["status"] = status(target, int(year), value, base_year, base_value, expected)
        if row["status"] == "met":
            row["remaining"] = 0.0 if not yes_no else np.nan
        rows.append(row)
    return rows


def evaluate_targets(ev, lang: str = "zh", counties=None) -> pd.DataFrame:
    """One row per county, target and year of the evaluation.

    Columns ``COLUMNS``, sorted by county,
    target (in the order of the plan) and year. ``counties`` narrows to some counties. Computed once
    per evaluation, language and set of counties (`Evaluation.memo`).
    """
    key = ("evaluate_targets", lang, tuple(sorted({str(c) for c in counties})) if counties else None)
    return ev.memo(key, lambda: _evaluate_targets(ev, lang, counties))


def _evaluate_targets(ev, lang: str, counties) -> pd.DataFrame:
    rows = []
    wanted = {str(c) for c in counties} if counties else None
    for target in ev.dataset.targets:
        if wanted is None or target.county_code in wanted:
            rows += _rows(ev, target, lang)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if frame.empty:
        return frame
    names = {
        (c, y): ev.dataset.county_name(c, int(y))
        for c, y in frame[["county_code", "year"]].drop_duplicates().itertuples(index=False)
    }
    frame["county_name"] = [
        names[(c, y)] if (c, y) in names else c
        for c, y in zip(frame["county_code"], frame["year"], strict=True)
    ]
    return frame


def target_summary(ev, year: int | None = None, lang: str = "zh", counties=None) -> pd.DataFrame:
    """One row per county and target: its state in ``year``.

    ``year`` defaults to each county's latest year. Also gives the year it was first met and its
    statuses so far. Columns: those of ``evaluate_targets`` plus ``first_met`` and ``statuses``
    (year -> status, up to ``year``). The province matrix of counties × targets is
    ``summary.pivot(index="county_code", columns="target_id", values="status")``.
    """
    rows = evaluate_targets(ev, lang, counties)
    if rows.empty:
        return rows.assign(first_met=pd.Series(dtype="float64"), statuses=pd.Series(dtype=object))
    if year is not None:
        rows = rows[rows["year"] <= year]
    out = []
    for _, group in rows.groupby(["county_code", "target_id"], sort=False):
        last = group.iloc[-1].to_dict()
        met = group.loc[group["status"] == "met", "year"]
        last["first_met"] = int(met.iloc[0]) if len(met) else None
        last["statuses"] = dict(zip(group["year"].astype(int), group["status"], strict=True))
        out.append(last)
    return pd.DataFrame(out)


def county_targets(ev, county_code: str, year: int, lang: str = "zh") -> list[dict]:
    """The county's targets as the JSON document carries them.

    Each with its state in ``year`` and
    one entry per year up to ``year``.
    """
    rows = evaluate_targets(ev, lang, [county_code])
    if rows.empty:
        return []
    rows = rows[rows["year"] <= year]
    targets = {t_.id: t_ for t_ in ev.dataset.targets if t_.county_code == county_code}
    out = []
    for target_id, group in rows.groupby("target_id", sort=False):
        target = targets[target_id]
        last = group.iloc[-1]
        out.append(
            {
                "id": target_id,
                "name": last["target_name"],
                "plan": pick(target.plan, lang) if target.plan else None,
                "note": target.note,
                "measure": target.measure.to_dict(),
                "measure_label": last["measure_label"],
                "value_kind": last["value_kind"],
                "unit": last["unit"],
                "comparison": target.comparison,
                "comparison_label": t(f"targets.comparison.{target.comparison}", lang),
                "target": target.value,
                "due_year": target.due_year,
                "baseline_year": None if pd.isna(last["baseline_year"]) else int(last["baseline_year"]),
                "baseline_value": _plain(last["baseline_value"]),
                "year": int(last["year"]),
                "value": _plain(last["value"]),
                "status": last["status"],
                "status_label": t(f"targets.status.{last['status']}", lang),
                "note_code": last["note"],
                "source": last["source"],
                "years": [
                    {
                        "year": int(r.year),
                        "value": _plain(r.value),
                        "expected": _plain(r.expected),
                        "difference": _plain(r.difference),
                        "remaining": _plain(r.remaining),
                        "progress": _plain(r.progress),
                        "status": r.status,
                    }
                    for r in group.itertuples()
                ],
            }
        )
    return out
