"""Part Q: education quality, items Q1-Q9 (docs/method.md §4, youzhi-2017)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.method.items import (
    FAIL,
    NOT_ASSESSED,
    PASS,
    Context,
    at_least,
    item,
    per_school,
    ratio,
    stack_items,
)
from junheng.method.tolerance import below


def _p(ctx, item):
    return ctx.rules.item("quality", item)


def q1(ctx):
    """Junior three-year retention: (graduates − transfers in + transfers out) / (grade-7 cohort − deaths)."""
    num = (
        pd.to_numeric(ctx.col("cohort_graduates"), errors="coerce")
        - pd.to_numeric(ctx.col("cohort_transfers_in"), errors="coerce")
        + pd.to_numeric(ctx.col("cohort_transfers_out"), errors="coerce")
    )
    den = pd.to_numeric(ctx.col("cohort_grade7_enrolled"), errors="coerce") - pd.to_numeric(
        ctx.col("cohort_deaths"), errors="coerce"
    )
    value = ratio(num, den)
    names = [
        "cohort_grade7_enrolled",
        "cohort_deaths",
        "cohort_graduates",
        "cohort_transfers_in",
        "cohort_transfers_out",
    ]
    return item(
        ctx,
        "Q1",
        at_least(value, _p(ctx, "Q1")["min_ratio"]),
        value,
        _p(ctx, "Q1")["min_ratio"],
        {n: ctx.col(n) for n in names},
    )


def q2(ctx):
    """Q2: enrolment rate of children with disabilities."""
    value = ratio(ctx.col("disabled_children_enrolled"), ctx.col("disabled_children_school_age"))
    return item(
        ctx,
        "Q2",
        at_least(value, _p(ctx, "Q2")["min_ratio"]),
        value,
        _p(ctx, "Q2")["min_ratio"],
        {
            "school_age": ctx.col("disabled_children_school_age"),
            "enrolled": ctx.col("disabled_children_enrolled"),
        },
    )


def _scoped(ctx):
    return ctx.schools[ctx.schools["in_scope"]].copy()


def q3(ctx):
    """Q3: every school has a charter and ICT-based management."""
    s = _scoped(ctx)
    known = s["has_charter"].notna() & s["ict_management"].notna()
    failed = ~(s["has_charter"].fillna(False).astype(bool) & s["ict_management"].fillna(False).astype(bool))
    failed_known = (s["has_charter"] == False) | (s["ict_management"] == False)  # noqa: E712 (nullable)
    known = known | failed_known.fillna(False)
    status, n_failed, lst, n, missing = per_school(ctx, s, failed, known, ["has_charter", "ict_management"])
    return item(ctx, "Q3", status, n_failed, 0, {"schools_checked": n, "schools_missing_data": missing}, lst)


def q4(ctx):
    """Q4: every school spends a minimum share of its public funds on teacher training."""
    p = _p(ctx, "Q4")
    s = _scoped(ctx)
    s["training_share"] = ratio(s["training_funds_yuan"], s["public_funds_yuan"])
    known = s["training_share"].notna()
    failed = below(s["training_share"], p["min_ratio"])
    status, n_failed, lst, n, missing = per_school(
        ctx, s, failed, known, ["training_funds_yuan", "public_funds_yuan", "training_share"]
    )
    return item(
        ctx,
        "Q4",
        status,
        n_failed,
        p["min_ratio"],
        {"schools_checked": n, "schools_missing_data": missing},
        lst,
    )


def _rating(ctx, item_id, column):
    level = pd.to_numeric(ctx.col(column), errors="coerce")
    minimum = _p(ctx, item_id)["min_level"]
    return item(ctx, item_id, at_least(level, minimum), level, minimum, {"level": level})


def q5(ctx):
    """Q5: ICT use in teaching (county rating)."""
    return _rating(ctx, "Q5", "ict_use_rating")


def q6(ctx):
    """Q6: moral education and school culture rated good or better at every school."""
    minimum = _p(ctx, "Q6")["min_level"]
    s = _scoped(ctx)
    level = s["moral_education_rating"].astype("float64")
    status, n_failed, lst, n, missing = per_school(
        ctx, s, below(level, minimum), level.notna(), ["moral_education_rating"]
    )
    return item(
        ctx, "Q6", status, n_failed, minimum, {"schools_checked": n, "schools_missing_data": missing}, lst
    )


def q7(ctx):
    """Q7: complete curriculum and orderly teaching (county rating)."""
    return _rating(ctx, "Q7", "curriculum_rating")


def q8(ctx):
    """Q8: no excessive homework burden (county rating)."""
    return _rating(ctx, "Q8", "homework_burden_rating")


def q9(ctx):
    """National monitoring (docs/method.md#q9, D24, D35): every subject at level III, rates below 0.15.

    Q9 uses the latest monitoring year not after the evaluation year. A subject row fails on a level
    below III or a rate of 0.15 or more, whatever its other cell holds. A row without a valid level
    or rate (blank or invalid: the error blocks the monitoring year, not the later years that use
    it) is not known to pass: without a failing row, the item is not assessed for the county-years
    that use it.
    """
    p = _p(ctx, "Q9")
    idx = ctx.index
    n = len(idx)
    status, used_year, failing = [NOT_ASSESSED] * n, np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    lists = [[] for _ in range(n)]
    mon = ctx.monitoring
    if mon is not None and len(mon):
        # a few rows per county and monitoring year: judged as arrays, gathered per county-year in a
        # dict (the merges and group-bys this replaces cost more than the rows' own work, issue #21)
        mon = mon.dropna(subset=["county_code", "year"])
        level = pd.to_numeric(mon["level"], errors="coerce").astype("float64").to_numpy()
        rate = pd.to_numeric(mon["difference_rate"], errors="coerce").astype("float64").to_numpy()
        row_failed = below(level, p["min_level"]) | (~below(rate, p["max_difference_rate"]) & ~np.isnan(rate))
        row_known = (~np.isnan(level) & ~np.isnan(rate)) | row_failed
        rows, years = {}, {}  # (county, monitoring year) -> row positions; county -> its monitoring years
        for pos, (county, year) in enumerate(
            zip(mon["county_code"].tolist(), mon["year"].tolist(), strict=True)
        ):
            rows.setdefault((county, year), []).append(pos)
            years.setdefault(county, set()).add(year)
        sections, subjects = mon["section"].tolist(), mon["subject"].tolist()
        for i, (county, year) in enumerate(ctx.keys):
            earlier = [y for y in years.get(county, ()) if y <= year]
            if not earlier:
                continue
            latest = max(earlier)
            mine = rows[(county, latest)]
            n_failed = int(row_failed[mine].sum())
            unknown = not row_known[mine].all()
            status[i] = FAIL if n_failed > 0 else NOT_ASSESSED if unknown else PASS
            used_year[i], failing[i] = latest, n_failed
            lists[i] = [
                {
                    "section": sections[r],
                    "subject": subjects[r],
                    "level": None if np.isnan(level[r]) else int(level[r]),
                    "difference_rate": None if np.isnan(rate[r]) else float(rate[r]),
                    # None: level or rate missing
                    "passed": bool(not row_failed[r]) if row_known[r] else None,
                }
                for r in mine
            ]
    status = pd.Series(status, index=idx)
    used_year, failing = pd.Series(used_year, index=idx), pd.Series(failing, index=idx)
    subjects = pd.Series(lists, index=idx, dtype=object)
    return item(
        ctx,
        "Q9",
        status,
        failing,
        {"min_level": p["min_level"], "max_difference_rate": p["max_difference_rate"]},
        {"monitoring_year": used_year, "subjects": subjects},
    )


ITEMS = {"Q1": q1, "Q2": q2, "Q3": q3, "Q4": q4, "Q5": q5, "Q6": q6, "Q7": q7, "Q8": q8, "Q9": q9}


def evaluate_quality(ctx: Context) -> pd.DataFrame:
    """Part Q: every item of the rule set, one row per county-year and item."""
    return stack_items(ctx, [ITEMS[i](ctx) for i in ctx.rules.data["quality"]])
