"""Part S (social recognition), the vetoes and the prerequisite (docs/method.md §4, youzhi-2017)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.method.items import (
    COUNTY,
    FAIL,
    NOT_ASSESSED,
    PASS,
    Context,
    at_least,
    by_keys,
    by_position,
    item,
    ratio,
    stack_items,
)
from junheng.method.tolerance import reaches


def survey_counts(survey: pd.DataFrame | None, responses: pd.DataFrame | None) -> pd.DataFrame | None:
    """Summary counts per county, year and group.

    Raw answers are counted into the same shape; where a county-year has summary rows, those are used and its
    raw answers are not added twice.
    """
    frames = []
    if survey is not None and len(survey):
        frames.append(
            survey[COUNTY + ["group", "valid_answers", "positive_answers"]].assign(source="summary")
        )
    if responses is not None and len(responses):
        r = responses.dropna(subset=COUNTY + ["group", "answer"])
        counted = (
            r.assign(valid=r["answer"] != "invalid", positive=r["answer"] == "positive")
            .groupby(COUNTY + ["group"])
            .agg(valid_answers=("valid", "sum"), positive_answers=("positive", "sum"))
            .reset_index()
        )
        if frames:
            have = frames[0][COUNTY].drop_duplicates()
            counted = counted.merge(have, on=COUNTY, how="left", indicator=True)
            counted = counted[counted["_merge"] == "left_only"].drop(columns="_merge")
        frames.append(counted.assign(source="answers"))
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)


def evaluate_survey(ctx: Context) -> pd.DataFrame:
    """Recognition: the share of positive answers among valid ones, overall and per group.

    Recognition = positive / valid answers, overall ≥ 85%; per group; parents' share of the sample against the
    ≥ 50% guideline and the sample against 1.5‰ of residents (evidence only).
    """
    p = ctx.rules.item("survey", "S")
    idx = ctx.index
    counts = ctx.survey
    value = pd.Series(np.nan, index=idx)
    groups = pd.Series([{} for _ in idx], index=idx, dtype=object)
    parents = pd.Series(np.nan, index=idx)
    valid_total = pd.Series(np.nan, index=idx)
    if counts is not None and len(counts):
        c = counts.dropna(subset=COUNTY)
        answers = c[["valid_answers", "positive_answers"]]
        # a group without its counts (blank: a located error) leaves the pooled rate unknown
        blank = answers.isna().any(axis=1)
        parent = (c["group"] == "parents").to_numpy(dtype=bool)
        if pd.api.types.is_integer_dtype(c["year"].dtype):
            # grouped by each row's county-year position (rows of others: -1, dropped when aligned), the
            # same sums over the same rows as grouping by county and year (issue #21)
            pos = ctx.keys.get_indexer(pd.MultiIndex.from_arrays([c[k] for k in COUNTY]))
            totals = by_position(ctx, answers.groupby(pos).sum())
            incomplete = by_position(ctx, blank.groupby(pos).any(), fill_value=False).astype(bool)
            parent_valid = by_position(ctx, c.loc[parent, "valid_answers"].groupby(pos[parent]).sum())
        else:
            totals = by_keys(ctx, c.groupby(COUNTY)[["valid_answers", "positive_answers"]].sum())
            incomplete = by_keys(ctx, blank.groupby([c[k] for k in COUNTY]).any(), fill_value=False).astype(
                bool
            )
            parent_valid = by_keys(ctx, c[parent].groupby(COUNTY)["valid_answers"].sum())
        totals = totals.where(~incomplete)
        value = ratio(totals["positive_answers"], totals["valid_answers"])
        valid_total = totals["valid_answers"]
        parent_valid = parent_valid.fillna(0)
        parents = ratio(parent_valid, totals["valid_answers"])
        per_group = {}
        for r in c.itertuples(index=False):
            known = pd.notna(r.valid_answers) and pd.notna(r.positive_answers)
            per_group.setdefault((r.county_code, r.year), {})[r.group] = {
                "valid": int(r.valid_answers) if pd.notna(r.valid_answers) else None,
                "positive": int(r.positive_answers) if pd.notna(r.positive_answers) else None,
                "rate": (r.positive_answers / r.valid_answers) if known and r.valid_answers else None,
            }
        groups = pd.Series([per_group.get(k, {}) for k in ctx.keys], index=idx, dtype=object)
    population = pd.to_numeric(ctx.col("resident_population"), errors="coerce")
    guideline = population * p["sample_per_mille"] / 1000
    one = item(
        ctx,
        "S",
        at_least(value, p["min_rate"]),
        value,
        p["min_rate"],
        {
            "valid_answers": valid_total,
            "groups": groups,
            "parent_share": parents,
            "parent_share_guideline": p["min_parent_share"],
            "parent_share_met": reaches(parents, p["min_parent_share"]),
            "sample_guideline": np.ceil(guideline),
            "resident_population": population,
        },
    )
    return stack_items(ctx, [one])


def evaluate_vetoes(ctx: Context) -> pd.DataFrame:
    """One row per veto: applies (True), clear (False) or not assessed (no answer)."""
    rows = []
    details = ctx.col("veto_details")  # the county's account of a veto that applies (evidence only)
    for key in ctx.rules.data["vetoes"]:
        flag = ctx.col(f"veto_{key}")
        applies = flag.fillna(False).astype(bool)
        status = pd.Series(
            np.where(flag.isna(), NOT_ASSESSED, np.where(applies, FAIL, PASS)), index=ctx.index
        )
        evidence = {"details": details.where(applies)} if details is not None else {}
        rows.append(item(ctx, key, status, flag.astype("float64"), "否", evidence))
    return stack_items(ctx, rows)


def prerequisite(ctx: Context) -> pd.DataFrame:
    """The prerequisite: basic balance recognised at least the required years before."""
    years = ctx.rules.data["prerequisite"]["basic_balance_years_before"]
    recognised = pd.to_numeric(ctx.col("basic_balance_year"), errors="coerce")
    evaluation_year = pd.Series(ctx.keys.get_level_values("year"), index=ctx.index).astype("float64")
    met = recognised <= evaluation_year - years
    status = pd.Series(np.where(recognised.isna(), NOT_ASSESSED, np.where(met, PASS, FAIL)), index=ctx.index)
    one = item(ctx, "prerequisite", status, recognised, years, {"recognised_year": recognised})
    return stack_items(ctx, [one])
