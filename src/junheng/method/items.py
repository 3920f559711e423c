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
    def keys(self) -> pd.MultiIndex:
        """The evaluated county-years as a (county_code, year) index: the items' frames carry it."""
        return pd.MultiIndex.from_frame(self.county_years[COUNTY])

    @cached_property
    def index(self) -> pd.Index:
        """The index every item's Series is computed on: one row per evaluated county-year.

        Built once: every item is aligned to this one object, so that pandas sees at once that the indexes
        are the same. It is ``keys`` unless the engine sets a positional one (`Evaluation._parts` does:
        arithmetic, ``where`` and ``fillna`` on a RangeIndex cost half what they cost on a MultiIndex,
        issue #21); the county table is indexed alike, and each item's frame gets ``keys`` once.
        """
        return self.keys

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
    """PASS where ``passed``, FAIL where not, NOT_ASSESSED where not ``known``.

    Python strings (object): an item's statuses take pandas' text type once, when a part's items are
    stacked (`stack_items`), not once per status (issue #21).
    """
    return pd.Series(
        np.where(~_bool(known), NOT_ASSESSED, np.where(_bool(passed), PASS, FAIL)),
        index=passed.index,
        dtype=object,
    )


def flag_status(flag: pd.Series) -> pd.Series:
    """Status of a yes/no flag: not assessed where it is blank."""
    return status_from(flag, flag.notna())


def all_of(statuses: list[pd.Series]) -> pd.Series:
    """Combine statuses: any fail fails; otherwise any not assessed; otherwise pass."""
    # one index (an item's): on the arrays
    if statuses and all(s.index is statuses[0].index for s in statuses):
        table = np.column_stack([s.to_numpy(dtype=object) for s in statuses])
        return pd.Series(
            np.where(
                (table == FAIL).any(axis=1),
                FAIL,
                np.where((table == NOT_ASSESSED).any(axis=1), NOT_ASSESSED, PASS),
            ),
            index=statuses[0].index,
            dtype=object,
        )
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
    if num.dtype != np.float64:  # (floats already: as converting them gives)
        num = pd.to_numeric(num, errors="coerce").astype("float64")
    if den.dtype != np.float64:
        den = pd.to_numeric(den, errors="coerce").astype("float64")
    if num.index is den.index:
        # one index object (most items): the same quotient on the arrays (issue #21)
        d = den.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            quotient = num.to_numpy() / np.where(d > 0, d, np.nan)
        return pd.Series(quotient, index=num.index, name=num.name if num.name == den.name else None)
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
        np.where(n_failed > 0, FAIL, np.where(n_unknown > 0, NOT_ASSESSED, PASS)),
        index=ctx.index,
        dtype=object,
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


def by_keys(ctx: Context, values, **reindex):
    """``values`` (a Series or frame indexed by county and year) aligned to the evaluated county-years.

    ``values.reindex(ctx.keys, **reindex)`` on ``ctx.index``, the index the items compute on.
    """
    out = values.reindex(ctx.keys, **reindex)
    out.index = ctx.index
    return out


def by_position(ctx: Context, values, **reindex):
    """``values`` (a Series or frame indexed by county-year position, `CY`) on ``ctx.index``."""
    out = values.reindex(np.arange(len(ctx.index)), **reindex)
    out.index = ctx.index
    return out


def _aligned(value, idx: pd.Index):
    """A Series aligned to ``idx`` (the one index object every item shares: no reindexing then)."""
    return value if value.index is idx else value.reindex(idx)


ITEM_COLUMNS = ("id", "status", "value", "threshold", "evidence", "schools")


def item(ctx: Context, item_id: str, status, value=np.nan, threshold=None, evidence=None, schools=None):
    """One judged item's columns (`ITEM_COLUMNS`), each a Series on ``ctx.index``.

    What a part's items are stacked from (`stack_items`): no frame per item, whose fixed cost counted
    more than the item's own work (issue #21). Each column is the Series the item's frame was built
    from (`make_item`), so its type is that frame's column's.
    """
    idx = ctx.index
    n = len(idx)
    ev = evidence or {}
    columns = [_aligned(v, idx).tolist() if isinstance(v, pd.Series) else [v] * n for v in ev.values()]
    # raw values here (one dict per county-year, ~90,000 nationally); made JSON-plain when one county is read
    return {
        "id": item_id,  # (a Series when the item is made a frame or stacked)
        "status": _aligned(status, idx) if isinstance(status, pd.Series) else pd.Series(status, index=idx),
        "value": _aligned(value, idx) if isinstance(value, pd.Series) else pd.Series(value, index=idx),
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
    }


def make_item(ctx: Context, item_id: str, status, value=np.nan, threshold=None, evidence=None, schools=None):
    """One judged item as a frame indexed by county-year (`item`'s columns)."""
    columns = item(ctx, item_id, status, value, threshold, evidence, schools)
    columns["id"] = pd.Series(item_id, index=ctx.index)
    frame = pd.DataFrame(columns, index=ctx.index)
    frame.index = ctx.keys  # (the same object as ``ctx.index`` unless the engine computes on positions)
    return frame


def stack_items(ctx: Context, items: list) -> pd.DataFrame:
    """Items (`item`) one below the other, county and year first: one row per county-year and item.

    What ``pd.concat([make_item(...) for each item]).reset_index()`` gives, types included (a column of
    the stacked frames takes the common type of the items' columns, as concatenating each column does),
    with one concatenation per column instead of a frame per item.
    """
    if not items:
        return pd.concat([])  # (no item: the error concatenating no frame raised)
    n = len(ctx.index)
    # ids and statuses are Python strings until here: one text column each, typed as pandas types a
    # column of strings (what each item's own Series of them was, and so their concatenation)
    ids = pd.Series(np.repeat(np.array([i["id"] for i in items], dtype=object), n))
    status = pd.Series(np.concatenate([i["status"].to_numpy(dtype=object) for i in items]))
    stacked = {c: _stacked([i[c] for i in items]) for c in ITEM_COLUMNS[2:]}
    frame = pd.DataFrame({"id": ids, "status": status, **stacked})
    frame.index = ctx.keys.take(np.tile(np.arange(len(ctx.index)), len(items)))
    return frame.reset_index()


def _stacked(series: list) -> pd.Series:
    """``pd.concat(series, ignore_index=True)``: without its checks when every Series has one type."""
    dtype = series[0].dtype
    if any(s.dtype != dtype for s in series):
        return pd.concat(series, ignore_index=True)  # the common type of the items' types
    if isinstance(dtype, np.dtype):
        return pd.Series(np.concatenate([s.to_numpy() for s in series]), dtype=dtype)
    return pd.Series(type(series[0].array)._concat_same_type([s.array for s in series]))


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
