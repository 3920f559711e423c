"""Shared machinery for judged items (G1-G15, Q1-Q9, S).

Shared machinery for judged items (G1-G15, Q1-Q9, S): every item yields, per county and year, a value, its
threshold, a status (pass / fail / not_assessed) and the evidence it used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from junheng.inputs.schema import COUNTY
from junheng.method.tolerance import reaches

PASS, FAIL, NOT_ASSESSED = "pass", "fail", "not_assessed"


@dataclass
class Context:
    """What an item is judged on: the county-years, their county and school tables, and the rules."""

    county_years: pd.DataFrame  # the county-years being evaluated (COUNTY columns)
    county: pd.DataFrame  # county table indexed by COUNTY, reindexed to county_years
    schools: pd.DataFrame  # schools table with `in_scope` (any section in scope)
    monitoring: pd.DataFrame | None
    survey: pd.DataFrame | None
    rules: object

    @cached_property
    def index(self) -> pd.MultiIndex:
        """The evaluated county-years as a (county_code, year) index.

        Built once: every item is aligned to this one object, so that pandas sees at once that the indexes
        are the same (comparing two equal MultiIndexes costs more than the items' arithmetic).
        """
        return pd.MultiIndex.from_frame(self.county_years[COUNTY])

    def col(self, name: str) -> pd.Series:
        """A county-table column aligned to the evaluated county-years (NaN where missing)."""
        if name in self.county.columns:
            return self.county[name]
        return pd.Series(np.nan, index=self.index, dtype=object)


def _bool(series: pd.Series) -> np.ndarray:
    """Nullable booleans to plain ones (NA is False: callers say separately what is known)."""
    if series.dtype == bool:  # plain already (a comparison of floats): nothing to fill
        return series.to_numpy()
    return series.astype("boolean").fillna(False).to_numpy(dtype=bool)


def status_from(passed: pd.Series, known: pd.Series) -> pd.Series:
    """PASS where ``passed``, FAIL where not, NOT_ASSESSED where not ``known``."""
    return pd.Series(
        np.where(~_bool(known), NOT_ASSESSED, np.where(_bool(passed), PASS, FAIL)), index=passed.index
    )


def flag_status(flag: pd.Series) -> pd.Series:
    """Status of a yes/no flag: not assessed where it is blank."""
    return status_from(flag, flag.notna())


def all_of(statuses: list[pd.Series]) -> pd.Series:
    """Combine statuses: any fail fails; otherwise any not assessed; otherwise pass."""
    frame = pd.concat(statuses, axis=1)
    return pd.Series(
        np.where(
            (frame == FAIL).any(axis=1),
            FAIL,
            np.where((frame == NOT_ASSESSED).any(axis=1), NOT_ASSESSED, PASS),
        ),
        index=frame.index,
    )


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den`` as floats, NaN where the denominator is not positive."""
    num = pd.to_numeric(num, errors="coerce").astype("float64")
    den = pd.to_numeric(den, errors="coerce").astype("float64")
    return num / den.where(den > 0)


def at_least(value: pd.Series, threshold: float) -> pd.Series:
    """Status of "value ≥ threshold" with the engine's tolerance (D1); a blank is not assessed."""
    return status_from(reaches(value, threshold), value.notna())


CY = "_cy"  # a school's county-year as a position in Context.index (set once by the engine)


def cy_sum(ctx: Context, schools: pd.DataFrame, values: pd.Series, min_count: int = 0, fill_value=np.nan):
    """Σ ``values`` per county-year of ``schools``, aligned to the evaluated county-years.

    What ``values.groupby([county_code, year]).sum(min_count=...).reindex(ctx.index, fill_value=...)``
    gives, to the last bit (the same group sum over the same rows in the same order), grouped by
    each school's county-year position (`CY`) instead of two key columns: no MultiIndex to build and
    align per item.
    """
    sums = values.groupby(schools[CY].to_numpy()).sum(min_count=min_count)
    sums = sums.reindex(np.arange(len(ctx.index)), fill_value=fill_value)
    return pd.Series(sums.to_numpy(), index=ctx.index, name=values.name)


def per_school(
    ctx: Context, schools: pd.DataFrame, failed: pd.Series, known: pd.Series, detail_columns: list
):
    """County status from a per-school check.

    County status from a per-school check: any school failing fails the county; a school with missing data
    leaves it not assessed; a county with no applicable school passes.

    Returns (status, number of failing schools, failing schools with details, number of schools
    checked, schools lacking data), each aligned to the county-years.
    """
    failed = failed.fillna(False).astype(bool) & known
    m = len(ctx.index)
    cy = schools[CY].to_numpy()
    n_failed = pd.Series(np.bincount(cy, failed.to_numpy(), m).astype(int), index=ctx.index)
    n_unknown = np.bincount(cy, (~known).to_numpy(), m)
    n_checked = pd.Series(np.bincount(cy, known.to_numpy(), m).astype(int), index=ctx.index)
    status = pd.Series(
        np.where(n_failed > 0, FAIL, np.where(n_unknown > 0, NOT_ASSESSED, PASS)), index=ctx.index
    )
    cols = ["school_code", "school_name", *detail_columns]
    lists = [[] for _ in range(m)]
    failing = failed.to_numpy()
    if failing.any():  # (most county-years have no failing school: no frame to take then)
        for pos, record in zip(
            cy[failing],
            schools.loc[failed, cols].replace({np.nan: None}).to_dict("records"),
            strict=True,
        ):
            lists[pos].append(record)
    missing = [[] for _ in range(m)]
    unknown = ~known.to_numpy()
    if unknown.any():
        for pos, record in zip(
            cy[unknown], schools.loc[unknown, ["school_code", "school_name"]].to_dict("records"), strict=True
        ):
            missing[pos].append(record)
    return (
        status,
        n_failed,
        pd.Series(lists, index=ctx.index, dtype=object),
        n_checked,
        pd.Series(missing, index=ctx.index, dtype=object),
    )


def _aligned(value, idx: pd.Index):
    """A Series aligned to ``idx`` (the one index object every item shares: no reindexing then)."""
    return value if value.index is idx else value.reindex(idx)


def make_item(ctx: Context, item_id: str, status, value=np.nan, threshold=None, evidence=None, schools=None):
    """One judged item as a frame indexed by county-year.

    The frame is built in one constructor call (its columns' types as inserting them one by one gave):
    the engine makes one such frame per item, rule set and evaluation, so its fixed cost counts.
    """
    idx = ctx.index
    n = len(idx)
    ev = evidence or {}
    columns = [_aligned(v, idx).tolist() if isinstance(v, pd.Series) else [v] * n for v in ev.values()]
    # raw values here (one dict per county-year, ~90,000 nationally); made JSON-plain when one county is read
    return pd.DataFrame(
        {
            "id": pd.Series(item_id, index=idx),
            "status": _aligned(status, idx) if isinstance(status, pd.Series) else status,
            "value": _aligned(value, idx) if isinstance(value, pd.Series) else value,
            "threshold": pd.Series([threshold] * n, index=idx),
            "evidence": pd.Series(
                [dict(zip(ev, values, strict=True)) for values in zip(*columns, strict=True)]
                if ev
                else [{} for _ in idx],
                index=idx,
                dtype=object,
            ),
            "schools": _aligned(schools, idx)
            if isinstance(schools, pd.Series)
            else pd.Series([[] for _ in idx], index=idx, dtype=object),
        },
        index=idx,
    )


def _plain(v):
    """JSON-friendly scalars: numpy to Python, NaN/NA to None."""
    kind = type(v)  # the Python scalars most values are, first (a county's JSON document has ~4,000)
    if kind is str or kind is int or kind is bool:
        return v
    if kind is float:
        return v if math.isfinite(v) else None  # strict JSON: no NaN, no Infinity
    if isinstance(v, (list, dict)):
        return v
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else None  # strict JSON: no NaN, no Infinity
    return v
