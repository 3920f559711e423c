"""Part R (youzhi-2017 R1-R7) and the 2012 coefficients, from the rule file's indicator list.

Part R (youzhi-2017 R1-R7) and the 2012 coefficients, computed from the rule file's indicator list for every
county, year and section at once (grouped, no loop over schools).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from junheng.method import equity
from junheng.method.rules import RuleSet
from junheng.method.tolerance import TOLERANCE as TOLERANCE  # re-exported: planning reads it here
from junheng.method.tolerance import reaches, within

GROUP = ["county_code", "year", "section"]
# Values equal to a threshold up to floating-point error meet it (tolerance.py, TOLERANCE = 1e-9):
# e.g. a nine-year school with 110 primary and 130 junior students and 1,334 m² of teaching space
# gives its junior section exactly 5.8 m² per student (R4), 5.799999999999999 in binary. (3,825 m²
# for 1,000 students against 4.5 m² is exactly 85% and happens to compute as 0.8500000000000001.)
COUNTY = ["county_code", "year"]


@dataclass
class ResourceResult:
    """Part R of every county-year: section-schools, coefficients, composite and verdicts."""

    schools: pd.DataFrame  # section-schools with value_/met_/ratio_/add_/borderline_ columns
    cv: pd.DataFrame  # one row per county, year, section, indicator
    composite: pd.DataFrame  # one row per county, year, section (mean of the coefficients)
    contributions: pd.DataFrame  # one row per in-scope section-school and indicator
    verdict: pd.DataFrame  # one row per county and year: Part R status


def _numerator(sec: pd.DataFrame, ind, rules: RuleSet) -> pd.Series:
    total = sum(sec[c].fillna(0) if c in sec else 0 for c in ind.numerator)
    if ind.small_school_extra and rules.options.get("small_school_itinerant_pe_art"):
        for c in ind.small_school_extra:
            if c in sec:
                total = total + sec[c].fillna(0).where(sec["small_school"], 0)
    return total


def _add_needed(numerator, students, threshold, ind) -> pd.Series:
    """What must be added to reach the threshold: teachers, rooms (whole units), m², yuan."""
    need = threshold * students / ind.scale - numerator
    if ind.integer_add:
        need = np.ceil(need - 1e-9)
    return need.clip(lower=0)


def _school_rule(met: pd.DataFrame, ratio: pd.DataFrame, rule: dict) -> pd.Series:
    """R rule 1: at least ``min_met`` indicators met and every missed one at ``floor_ratio`` or more."""
    n_met = met.sum(axis=1)
    worst_missed = ratio.where(~met).min(axis=1)
    return (n_met >= rule["min_met"]) & (worst_missed.isna() | reaches(worst_missed, rule["floor_ratio"]))


def indicator_values(sec: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """Per section-school: every indicator against its threshold, and the school rule.

    Per section-school: value, threshold, met, ratio to threshold, amount to add and borderline flag of every
    indicator (R1–R7), and the school rule (R rule 1). New columns are built apart and joined once (inserting
    them one by one copies the frame's blocks again and again). On float columns (what
    `build_section_schools` gives) they are computed on the arrays, the same operations in the same order
    without pandas' cost per operation (issue #21); other types take pandas' path.
    """
    scope = sec["in_scope"]
    decimals = rules.options.get("published_decimals", 2)
    extras = rules.options.get("small_school_itinerant_pe_art")
    used = ["students"] + [c for ind in rules.indicators for c in ind.numerator if c in sec]
    used += [c for ind in rules.indicators for c in ind.small_school_extra if extras and c in sec]
    floats = all(sec[c].dtype == np.float64 for c in used) and scope.dtype == bool
    if floats and (not extras or "small_school" not in sec or sec["small_school"].dtype == bool):
        new, met_round, ratio_round = _indicator_arrays(sec, rules, decimals)
    else:
        new, met_round, ratio_round = _indicator_series(sec, rules, decimals)
    met_cols = list(met_round)
    if rules.school_rule and met_cols:
        met = pd.DataFrame({c: new[c] for c in met_cols}, index=sec.index)
        ratio = pd.DataFrame({c: new["ratio_" + c[4:]] for c in met_cols}, index=sec.index)
        new["n_met"] = met.sum(axis=1).where(scope)
        passed = _school_rule(met, ratio, rules.school_rule)
        new["school_passed"] = passed.where(scope)
        rounded = _school_rule(
            pd.DataFrame(met_round, index=sec.index),
            pd.DataFrame(ratio_round, index=sec.index),
            rules.school_rule,
        )
        new["school_borderline"] = scope & (rounded != passed)
    return pd.concat([sec, pd.DataFrame(new, index=sec.index)], axis=1)


def _indicator_series(sec: pd.DataFrame, rules: RuleSet, decimals) -> tuple[dict, dict, dict]:
    """Every indicator's columns (`indicator_values`), and its met / ratio at the published decimals."""
    scope = sec["in_scope"]
    students = sec["students"].where(scope)
    new, met_round, ratio_round = {}, {}, {}
    for ind in rules.indicators:
        num = _numerator(sec, ind, rules)
        new[f"num_{ind.key}"] = num.where(scope)
        value = ind.scale * num / students.where(students > 0)
        new[f"value_{ind.key}"] = value
        if ind.threshold:
            threshold = sec["section"].map(ind.threshold).astype("float64")
            met = reaches(value, threshold).where(scope, False)
            met_rounded = reaches(value.round(decimals), threshold).where(scope, False)
            new[f"threshold_{ind.key}"] = threshold.where(scope)
            new[f"met_{ind.key}"] = met
            new[f"ratio_{ind.key}"] = (value / threshold).where(scope)
            new[f"add_{ind.key}"] = _add_needed(num, students, threshold, ind).where(scope & ~met, 0.0)
            new[f"borderline_{ind.key}"] = scope & (met != met_rounded)
            met_round[f"met_{ind.key}"] = met_rounded
            ratio_round[f"met_{ind.key}"] = value.round(decimals) / threshold
    return new, met_round, ratio_round


def _indicator_arrays(sec: pd.DataFrame, rules: RuleSet, decimals) -> tuple[dict, dict, dict]:
    """`_indicator_series` on float arrays: each step is the numpy operation pandas would run.

    ``fillna(0)`` is ``where(isnan, 0)``, ``s.where(c)`` is ``where(c, s, nan)``, ``clip(lower=0)``
    keeps what is ≥ 0 or NaN, and rounding is numpy's.
    """
    scope = sec["in_scope"].to_numpy()
    nan = np.nan
    raw = sec["students"].to_numpy()
    students = np.where(scope, raw, nan)
    small = sec["small_school"].to_numpy() if "small_school" in sec else None
    extras = rules.options.get("small_school_itinerant_pe_art")
    codes, sections = pd.factorize(sec["section"])  # (a blank section: code -1, the last entry below)

    def filled(column):
        values = sec[column].to_numpy()
        return np.where(np.isnan(values), 0.0, values)

    new, met_round, ratio_round = {}, {}, {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for ind in rules.indicators:
            num = 0
            for c in ind.numerator:
                if c in sec:
                    num = num + filled(c)
            if ind.small_school_extra and extras:
                for c in ind.small_school_extra:
                    if c in sec:
                        num = num + np.where(small, filled(c), 0)
            if np.isscalar(num):  # no numerator column: the pandas path's types
                return _indicator_series(sec, rules, decimals)
            new[f"num_{ind.key}"] = np.where(scope, num, nan)
            value = ind.scale * num / np.where(students > 0, students, nan)
            new[f"value_{ind.key}"] = value
            if ind.threshold:
                by_section = [ind.threshold.get(s, nan) for s in sections] + [nan]
                threshold = np.asarray(by_section, dtype="float64")[codes]
                rounded = value.round(decimals)
                met = np.where(scope, reaches(value, threshold), False)
                met_rounded = np.where(scope, reaches(rounded, threshold), False)
                new[f"threshold_{ind.key}"] = np.where(scope, threshold, nan)
                new[f"met_{ind.key}"] = met
                new[f"ratio_{ind.key}"] = np.where(scope, value / threshold, nan)
                need = threshold * students / ind.scale - num
                if ind.integer_add:
                    need = np.ceil(need - 1e-9)
                need = np.where((need >= 0) | np.isnan(need), need, 0)
                new[f"add_{ind.key}"] = np.where(scope & ~met, need, 0.0)
                new[f"borderline_{ind.key}"] = scope & (met != met_rounded)
                met_round[f"met_{ind.key}"] = met_rounded
                ratio_round[f"met_{ind.key}"] = rounded / threshold
    return new, met_round, ratio_round


def _long_values(sec: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """One row per in-scope section-school and indicator.

    The group keys repeat over ~2.8 million rows nationally, so county, section, indicator and key are
    categorical: grouping then works on small integer codes instead of strings.
    """
    scoped = sec[sec["in_scope"]]
    base = scoped[GROUP + ["school_code", "location", "ownership"]]
    base = base.assign(
        county_code=pd.Categorical(base["county_code"]), section=pd.Categorical(base["section"])
    )
    if not rules.indicators:
        return pd.concat([])  # (no indicator: the error concatenating no part raised)
    # the rows of every indicator one below the other: the section-schools' rows taken once per
    # indicator, not a copy of them per indicator concatenated (issue #21)
    k = len(rules.indicators)
    long = base.iloc[np.tile(np.arange(len(base)), k)].reset_index(drop=True)
    long[equity.X] = pd.concat([scoped[f"value_{ind.key}"] for ind in rules.indicators], ignore_index=True)
    long[equity.W] = pd.concat([scoped["students"]] * k, ignore_index=True)
    per_indicator = np.repeat(np.arange(len(rules.indicators)), len(scoped))
    for column, names in (
        ("indicator", [i.id for i in rules.indicators]),
        ("key", [i.key for i in rules.indicators]),
    ):
        order = sorted(names)
        codes = np.array([order.index(n) for n in names])[per_indicator] if len(names) else per_indicator
        long[column] = pd.Categorical.from_codes(codes, categories=order)
    return long


def _borderline(cv: pd.Series, limit: pd.Series, rules: RuleSet) -> pd.Series:
    """Borderline verdicts (docs/method.md §4 "Compare at full precision").

    Borderline (docs/method.md §4 "Compare at full precision"): rounding to the published decimals flips the
    verdict, or the coefficient lies within ``borderline_margin`` of its limit.
    """
    decimals = rules.options.get("published_decimals", 2)
    margin = rules.options.get("borderline_margin", 0.005)
    flips = (cv <= limit) != (cv.round(decimals) <= limit)
    near = (cv - limit).abs() < margin
    return (flips | near) & cv.notna() & limit.notna()


def _frame_of_all(county_years: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    sections = pd.DataFrame({"section": list(rules.sections)})
    inds = pd.DataFrame(
        {"indicator": [i.id for i in rules.indicators], "key": [i.key for i in rules.indicators]}
    )
    return county_years[COUNTY].merge(sections, how="cross").merge(inds, how="cross")


def evaluate_resource(sec: pd.DataFrame, county_years: pd.DataFrame, rules: RuleSet) -> ResourceResult:
    """Part R and the coefficients of every county-year, section and indicator."""
    sec = indicator_values(sec, rules)
    long = _long_values(sec, rules)
    keys = GROUP + ["indicator", "key"]
    cv = (
        equity.coefficients(long, keys)
        if len(long)
        else pd.DataFrame(columns=keys + ["n_schools", "students", "mean", "sd", "cv", "status"])
    )
    cv = _frame_of_all(county_years, rules).merge(cv, on=keys, how="left")
    cv["n_schools"] = cv["n_schools"].fillna(0).astype(int)
    cv["status"] = cv["status"].fillna("no_school")
    if rules.cv_limit:
        cv["limit"] = cv["section"].map(rules.cv_limit).astype("float64")
        cv["passed"] = within(cv["cv"], cv["limit"]).where(cv["status"] == "ok", False)
        cv["borderline"] = _borderline(cv["cv"], cv["limit"], rules)
    # The mean of the coefficients: the 2012 composite (judged) or, for youzhi-2017, an extra.
    comp = _composite(cv, county_years, rules)
    if rules.composite:
        comp["limit"] = comp["section"].map(rules.composite["limit"]).astype("float64")
        comp["passed"] = within(comp["composite"], comp["limit"])
        comp["borderline"] = _borderline(comp["composite"], comp["limit"], rules)
    contrib = long[GROUP + ["indicator", "key", "school_code"]].copy()
    contrib["share"] = equity.contributions(long, GROUP + ["indicator"]) if len(long) else []
    verdict = _verdict(sec, cv, comp, county_years, rules)
    return ResourceResult(sec, cv, comp, contrib, verdict)


def _composite(cv: pd.DataFrame, county_years: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """Per county-year and section: the mean of its coefficients (`equity.composite`) and its schools.

    The coefficients come ``len(rules.indicators)`` per section, the sections in the rules' order, per
    county-year (`_frame_of_all`): each section's row of that block is averaged as `equity.composite`
    averages it (NaN when one is undefined), the rows sorted by county, year and section as grouping
    sorts them. Grouped with `equity.composite` when the rows are not so (issue #21).
    """
    sections, k = list(rules.sections), len(rules.indicators)
    pos = _positions(cv, county_years, len(sections) * k) if k else None
    blocks = np.tile(np.repeat(np.array(sections, dtype=object), k), len(county_years))
    if pos is None or not len(cv) or not (cv["section"].to_numpy(dtype=object) == blocks).all():
        comp = cv.groupby(GROUP, observed=True).agg(
            composite=("cv", equity.composite), n_schools=("n_schools", "max")
        )
        return comp.reset_index()
    n = len(county_years)
    values = cv["cv"].to_numpy(dtype="float64").reshape(n, len(sections), k)
    order = sorted(range(len(sections)), key=lambda j: sections[j])
    means = np.array([[equity.composite(values[i, j]) for j in order] for i in range(n)]).ravel()
    n_schools = cv["n_schools"].to_numpy().reshape(n, len(sections), k).max(axis=2)[:, order].ravel()
    return pd.DataFrame(
        {
            "county_code": pd.Series(
                np.repeat(county_years["county_code"].to_numpy(dtype=object), len(order))
            ),
            "year": np.repeat(county_years["year"].to_numpy(), len(order)),
            "section": pd.Series(np.tile(np.array([sections[j] for j in order], dtype=object), n)),
            "composite": means,
            "n_schools": n_schools,
        }
    )


def _positions(frame: pd.DataFrame, county_years: pd.DataFrame, repeat: int | None = None):
    """Each row's county-year as a position in ``county_years``; None where one is not found.

    ``repeat``: the rows are ``repeat`` per county-year in their order (the coefficients, the composite),
    checked, not looked up.
    """
    if repeat is not None:
        pos = np.repeat(np.arange(len(county_years)), repeat)
        if len(frame) != len(pos):
            return None
        for k in COUNTY:
            if not (frame[k].to_numpy() == county_years[k].to_numpy()[pos]).all():
                return None
        return pos
    keys = pd.MultiIndex.from_frame(county_years[COUNTY])
    pos = keys.get_indexer(pd.MultiIndex.from_arrays([frame[k] for k in COUNTY]))
    return None if (pos < 0).any() else pos


def _verdict(sec, cv, comp, county_years, rules) -> pd.DataFrame:
    """Part R per county-year: every judged coefficient met, and every in-scope school (R rule 1).

    2012: every section with schools within its composite limit. Counted per county-year position
    with ``bincount`` where the rows' county-years are found (issue #21), else grouped.
    """
    out = county_years[COUNTY].copy().set_index(COUNTY)
    n = len(county_years)
    if rules.composite:
        pos = _positions(comp, county_years, len(rules.sections))
        if pos is not None:
            judged = comp["n_schools"].to_numpy() > 0
            n_judged = np.bincount(pos[judged], minlength=n)
            bad = np.bincount(pos[judged], ~comp["passed"].to_numpy()[judged].astype(bool), n)
            out["passed"] = (n_judged > 0) & (bad == 0)
            out["status"] = np.where(out["passed"], "pass", "fail")
            return out.reset_index()
    elif "school_passed" in sec:
        scoped = sec[sec["in_scope"]]
        cv_pos = _positions(cv, county_years, len(rules.sections) * len(rules.indicators))
        sec_pos = _positions(scoped, county_years) if cv_pos is not None else None
        if sec_pos is not None:
            has = cv["n_schools"].to_numpy() > 0
            cv_bad = np.bincount(cv_pos[has], ~cv["passed"].to_numpy()[has].astype(bool), n)
            n_cv = np.bincount(cv_pos[has], minlength=n)
            school_bad = np.bincount(sec_pos, ~scoped["school_passed"].to_numpy().astype(bool), n)
            n_in_scope = np.bincount(sec_pos, minlength=n)
            out["passed"] = (n_cv > 0) & (cv_bad == 0) & (n_in_scope > 0) & (school_bad == 0)
            out["schools_failed"] = school_bad.astype(int)
            out["cv_failed"] = cv_bad.astype(int)
            out["status"] = np.where(out["passed"], "pass", "fail")
            return out.reset_index()
    has_schools = cv["n_schools"] > 0
    if rules.composite:
        judged = comp[comp["n_schools"] > 0]
        ok = judged.groupby(COUNTY)["passed"].all()
        any_section = judged.groupby(COUNTY).size() > 0
        out["passed"] = ok.reindex(out.index).fillna(False) & any_section.reindex(out.index).fillna(False)
    else:
        cv_ok = cv[has_schools].groupby(COUNTY)["passed"].all()
        scoped = sec[sec["in_scope"]]
        schools_ok = scoped.groupby(COUNTY)["school_passed"].all()
        n_in_scope = scoped.groupby(COUNTY).size()
        out["passed"] = (
            cv_ok.reindex(out.index).fillna(False)
            & schools_ok.reindex(out.index).fillna(False)
            & (n_in_scope.reindex(out.index).fillna(0) > 0)
        )
        out["schools_failed"] = (
            (~scoped["school_passed"].astype(bool))
            .groupby([scoped[k] for k in COUNTY])
            .sum()
            .reindex(out.index)
            .fillna(0)
            .astype(int)
        )
        out["cv_failed"] = (
            (~cv.loc[has_schools, "passed"].astype(bool))
            .groupby([cv.loc[has_schools, k] for k in COUNTY])
            .sum()
            .reindex(out.index)
            .fillna(0)
            .astype(int)
        )
    out["status"] = np.where(out["passed"], "pass", "fail")
    return out.reset_index()


def extra_measures(
    res: ResourceResult, rules: RuleSet, county_years=None, by=("location", "ownership")
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The inequality measures of docs/method.md §7 per indicator and section.

    docs/method.md §7: Gini, Theil T, MLD, McLoone, Verstegen, federal range ratio per indicator and section,
    and the Theil / MLD within-between decomposition by location and by ownership (``by`` narrows the
    decompositions to the ones a caller shows).
    """
    sec = res.schools
    if county_years is not None:
        sec = sec.merge(county_years[COUNTY], on=COUNTY)
    long = _long_values(sec, rules)
    if long.empty:
        return pd.DataFrame(), pd.DataFrame()
    keys = GROUP + ["indicator", "key"]
    measures = equity.distribution_measures(long, keys)
    # the totals of each decomposition are `measures`' rows: computed once, not once more per grouping
    decomp = pd.concat([equity.decomposition(long, keys, group, measures) for group in by], ignore_index=True)
    return measures, decomp
