"""Student-weighted equity measures (docs/method.md §3 and 7), vectorised over many groups at once.

Every grouped function takes a long frame with the group key columns, the indicator value ``x``
and the student weight ``w`` and returns one row per group. The scalar functions
(``difference_coefficient``, ``gini`` ...) are the same computation on a single group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

X, W = "x", "w"


class UndefinedCoefficientError(ValueError):
    """The coefficient has no value: no school, no students, or a zero mean (docs/method.md §3)."""


def _as_arrays(values, weights) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype="float64").ravel()
    w = np.asarray(weights, dtype="float64").ravel()
    if x.shape != w.shape:
        raise ValueError(f"values and weights differ in length ({x.size} and {w.size})")
    if np.isnan(x).any() or np.isnan(w).any():
        raise ValueError("values and weights must not contain missing values")
    if (w < 0).any():
        raise ValueError("weights (students) must not be negative")
    return x, w


def _as_frame(values, weights) -> pd.DataFrame:
    x, w = _as_arrays(values, weights)
    return pd.DataFrame({"_g": 0, X: x, W: w})


def _check_status(row: pd.Series) -> None:
    if row["status"] != "ok":
        raise UndefinedCoefficientError(row["status"])


def _group_ids(long: pd.DataFrame, keys: list, with_first: bool = False):
    """One factorisation of the group keys: an integer id per row and the keys of each id.

    With ``with_first``, also the position of each group's first row.
    """
    # each key factorised in sorted order, combined in mixed radix: ids follow the keys' sort order
    # (what groupby(sort=True).ngroup() gives, several times faster on 400,000 string keys)
    combined = np.zeros(len(long), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(long[key], sort=True, use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    _, first, ids = np.unique(combined, return_index=True, return_inverse=True)
    groups = long[keys].iloc[first].reset_index(drop=True)
    for key in keys:  # categorical keys come back as plain values
        if isinstance(groups[key].dtype, pd.CategoricalDtype):
            groups[key] = groups[key].astype(groups[key].cat.categories.dtype)
    if with_first:
        return ids.reshape(-1), groups, first
    return ids.reshape(-1), groups


def _moments(ids, first, x, w, m):
    """Students, weighted mean and weighted (population) variance per group.

    Computed on values shifted by each group's first value: identical values give a variance of
    exactly 0 (not 1e-32 from a mean that differs from them in the last bit, issue #11), and the
    sums lose less precision.
    """
    students = np.bincount(ids, w, m)
    x0 = x[first] if len(first) else np.zeros(m)
    d = x - x0[ids]
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.bincount(ids, w * d, m) / np.where(students > 0, students, np.nan)
        variance = np.bincount(ids, w * (d - shift[ids]) ** 2, m) / np.where(students > 0, students, np.nan)
    return students, x0 + shift, variance, d, shift


def coefficients(long: pd.DataFrame, keys: list) -> pd.DataFrame:
    """Student-weighted difference coefficient per group.

    Student-weighted difference coefficient per group: CV = S / x̄ with x̄ = Σ p_i x_i / P and S = sqrt(Σ
    (p_i/P)(x_i − x̄)²) (population form, docs/method.md §3).

    Returns keys + n_schools, students, mean, sd, cv, status ('ok', 'no_school', 'zero_mean').
    """
    if long.empty:
        return pd.DataFrame(columns=keys + ["n_schools", "students", "mean", "sd", "cv", "status"])
    ids, out, first = _group_ids(long, keys, with_first=True)
    x, w = long[X].to_numpy(dtype="float64"), long[W].to_numpy(dtype="float64")
    m = len(out)
    students, mean, variance, _, _ = _moments(ids, first, x, w, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(variance)
        cv = sd / np.where(mean != 0, mean, np.nan)
    out["n_schools"] = np.bincount(ids, minlength=m)
    out["students"], out["mean"], out["sd"], out["cv"] = students, mean, sd, cv
    out["status"] = np.where(~(students > 0), "no_school", np.where(mean == 0, "zero_mean", "ok"))
    return out


def contributions(long: pd.DataFrame, keys: list) -> pd.Series:
    """Each school's share of its group's weighted variance: (p_i/P)(x_i − x̄)² / Σ (docs/method.md §7)."""
    if long.empty:
        return pd.Series(dtype="float64")
    ids, groups, first = _group_ids(long, keys, with_first=True)
    x, w = long[X].to_numpy(dtype="float64"), long[W].to_numpy(dtype="float64")
    m = len(groups)
    students, _, _, d, shift = _moments(ids, first, x, w, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = w / students[ids] * (d - shift[ids]) ** 2
        total = np.bincount(ids, term, m)
        share = term / np.where(total[ids] > 0, total[ids], np.nan)
    return pd.Series(share, index=long.index)


def composite(coefficients) -> float:
    """The 2012 composite coefficient: the arithmetic mean of the coefficients.

    The 2012 composite coefficient: the arithmetic mean of the coefficients (docs/method.md §5); NaN when any
    of them is undefined.
    """
    values = np.asarray(list(coefficients), dtype="float64")
    if values.size == 0 or np.isnan(values).any():
        return float("nan")
    return float(values.mean())


def difference_coefficient(values, weights) -> float:
    """The student-weighted difference coefficient of one indicator in one section (docs/method.md §3).

    ``values`` are the schools' indicator values x_i, ``weights`` their students p_i.
    Raises UndefinedCoefficientError when there is no school (or no student) or the mean is 0.
    A single school gives 0.
    """
    x, w = _as_arrays(values, weights)
    if not x.size:
        raise UndefinedCoefficientError("no_school")
    # `coefficients` of one group, by the same operations on the same arrays (so the same bits),
    # without its frames: the sample's generator asks for some 1,500 of them (`tune_coefficient`)
    students, mean, variance, _, _ = _moments(
        np.zeros(x.size, dtype=np.int64), np.zeros(1, dtype=np.int64), x, w, 1
    )
    if not students[0] > 0:
        raise UndefinedCoefficientError("no_school")
    if mean[0] == 0:
        raise UndefinedCoefficientError("zero_mean")
    return float(np.sqrt(variance)[0] / mean[0])


# -- distribution measures ----------------------------------------------------------------------


def _sorted(long: pd.DataFrame, keys: list) -> pd.DataFrame:
    df = long[keys + [X, W]].sort_values(keys + [X], kind="mergesort").reset_index(drop=True)
    return df[df[W] > 0]


def weighted_quantiles(long: pd.DataFrame, keys: list, q: float) -> pd.Series:
    """Student-weighted quantile: the smallest x whose cumulative student share reaches q.

    Student-weighted quantile: the smallest x whose cumulative student share reaches q (numpy's 'inverted_cdf'
    on the data expanded one row per student).
    """
    df = _sorted(long, keys)
    g = df.groupby(keys, sort=True, observed=True)
    cum = g[W].cumsum()
    total = g[W].transform("sum")
    reached = df[cum >= q * total - 1e-9 * total]
    return reached.groupby(keys, sort=True, observed=True)[X].first()


def distribution_measures(long: pd.DataFrame, keys: list, theil_only: bool = False) -> pd.DataFrame:
    """Gini, Theil T, mean log deviation, McLoone, Verstegen and federal range ratio per group.

    All student-weighted: the measure of the data expanded to one row per student.
    - Gini: 1 − Σ (w_i/W)(L_i + L_{i−1}), L the Lorenz curve of the resource.
    - Theil T: Σ (w_i/W)(x_i/μ) ln(x_i/μ) (a zero value contributes 0).
    - MLD: Σ (w_i/W) ln(μ/x_i) (undefined when any value is 0).
    - McLoone: Σ_{x≤m} w x / (m Σ_{x≤m} w), m the weighted median.
    - Verstegen: Σ_{x≥m} w x / (m Σ_{x≥m} w).
    - Federal range ratio: (P95 − P5) / P5.

    ``theil_only``: only the mean, Theil T and MLD (what `decomposition` takes of its groups), by the
    same operations on the same rows, so the same bits; no Lorenz curve and no quantiles.
    """
    df = _sorted(long, keys)
    df["wx"] = df[W] * df[X]
    g = df.groupby(keys, sort=True, observed=True)
    total_w = g[W].transform("sum")
    total_r = g["wx"].transform("sum")
    mu = total_r / total_w
    share = df[W] / total_w
    grp = [df[k] for k in keys]
    out = pd.DataFrame({"mean": (total_r / total_w).groupby(grp, observed=True).first()})
    if not theil_only:
        lorenz = g["wx"].cumsum() / total_r
        before = lorenz - df["wx"] / total_r
        out["gini"] = 1 - (share * (lorenz + before)).groupby(grp, observed=True).sum()
    ratio = df[X] / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        theil_terms = np.where(df[X] > 0, share * ratio * np.log(ratio.where(ratio > 0, 1)), 0.0)
        mld_terms = np.where(df[X] > 0, share * np.log(mu / df[X].where(df[X] > 0, 1)), np.inf)
    out["theil_t"] = pd.Series(theil_terms, index=df.index).groupby(grp, observed=True).sum()
    mld = pd.Series(mld_terms, index=df.index).groupby(grp, observed=True).sum()
    out["mld"] = mld.where(np.isfinite(mld))
    zero_mean = out["mean"] <= 0
    if theil_only:
        out.loc[zero_mean, ["theil_t", "mld"]] = np.nan
        return out.reset_index()
    out.loc[zero_mean, ["gini", "theil_t", "mld"]] = np.nan
    median = weighted_quantiles(df, keys, 0.5)
    df["median"] = median.reindex(
        pd.MultiIndex.from_frame(df[keys]) if len(keys) > 1 else df[keys[0]]
    ).to_numpy()
    below = df[df[X] <= df["median"]]
    above = df[df[X] >= df["median"]]
    gb = below.groupby(keys, observed=True)
    ga = above.groupby(keys, observed=True)
    out["median"] = median
    out["mcloone"] = gb["wx"].sum() / (median * gb[W].sum()).where(median > 0)
    out["verstegen"] = ga["wx"].sum() / (median * ga[W].sum()).where(median > 0)
    p5, p95 = weighted_quantiles(df, keys, 0.05), weighted_quantiles(df, keys, 0.95)
    out["p5"], out["p95"] = p5, p95
    out["federal_range_ratio"] = (p95 - p5) / p5.where(p5 > 0)
    return out.reset_index()


def decomposition(
    long: pd.DataFrame, keys: list, by: str, measures: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Theil T and MLD split into within-group and between-group parts.

    Theil T and MLD split into within-group and between-group parts by ``by`` (location 城区/镇区/乡村, or
    ownership). total = within + between, exactly.

    Theil T: within = Σ_g s_g T_g, between = Σ_g s_g ln(μ_g/μ), s_g the group's resource share.
    MLD: within = Σ_g (W_g/W) MLD_g, between = Σ_g (W_g/W) ln(μ/μ_g).

    ``measures``: `distribution_measures` of ``long`` by ``keys`` when the caller has them (the totals are
    taken from it instead of computed again: the same rows, so the same bits).
    """
    df = long[keys + [by, X, W]]
    df = df[df[W] > 0]
    sub = distribution_measures(df, keys + [by], theil_only=True)[keys + [by, "mean", "theil_t", "mld"]]
    sizes = df.groupby(keys + [by], observed=True)[W].sum().rename("students").reset_index()
    sub = sub.merge(sizes, on=keys + [by])
    whole = (distribution_measures(df, keys) if measures is None else measures)[
        keys + ["mean", "theil_t", "mld"]
    ]
    whole = whole.rename(columns={"mean": "mu", "theil_t": "theil_total", "mld": "mld_total"})
    sub = sub.merge(whole, on=keys)
    sub["W"] = sub.groupby(keys, observed=True)["students"].transform("sum")
    pop_share = sub["students"] / sub["W"]
    res_share = pop_share * sub["mean"] / sub["mu"]
    with np.errstate(divide="ignore", invalid="ignore"):
        sub["theil_within"] = res_share * sub["theil_t"]
        sub["theil_between"] = np.where(sub["mean"] > 0, res_share * np.log(sub["mean"] / sub["mu"]), 0.0)
        sub["mld_within"] = pop_share * sub["mld"]
        sub["mld_between"] = pop_share * np.log(sub["mu"] / sub["mean"])
    agg = sub.groupby(keys, observed=True).agg(
        theil_within=("theil_within", "sum"),
        theil_between=("theil_between", "sum"),
        mld_within=("mld_within", lambda s: s.sum(min_count=len(s)) if s.notna().all() else np.nan),
        mld_between=("mld_between", "sum"),
        theil_total=("theil_total", "first"),
        mld_total=("mld_total", "first"),
    )
    agg["by"] = by
    return agg.reset_index()


def _group_sums(values: np.ndarray, ids: np.ndarray, m: int) -> np.ndarray:
    """Σ values per group id 0 … m−1 (0 for an id without rows; id −1: a row left out).

    Added as ``groupby(...).sum()`` adds them in `distribution_measures` and `decomposition`, given
    the same rows in the same order: pandas adds the rows of ascending ids without a missing value
    one after the other (``ufunc.reduceat``) and others with compensated summation, so the ids go to
    pandas as they are (a left-out row as a missing key) for pandas to choose the same way.
    """
    keys = np.where(ids >= 0, ids, np.nan)
    sums = pd.Series(values, copy=False).groupby(keys).sum()
    out = np.zeros(m)
    out[sums.index.to_numpy().astype(np.int64)] = sums.to_numpy()
    return out


def _ngroup_ids(frame: pd.DataFrame, keys: list) -> tuple[np.ndarray, int]:
    """Each row's group id, numbered in sorted key order as ``groupby(keys)`` does; −1: a missing key."""
    ids = frame.groupby(keys, sort=True, observed=True).ngroup()
    ids = ids.fillna(-1).to_numpy(dtype=np.int64)
    return ids, int(ids.max()) + 1 if len(ids) else 0


def _theil_t(frame: pd.DataFrame, keys: list) -> tuple[np.ndarray, np.ndarray]:
    """The weighted mean and Theil T of each group of ``keys`` (sorted key order).

    The operations of `distribution_measures` on its rows (sorted by the keys, then x), in the same
    order, so the same values to the last bit; Theil NaN for a group whose mean is not positive.
    """
    rows = frame.sort_values(keys + [X], kind="mergesort")
    ids, m = _ngroup_ids(rows, keys)
    x, w = rows[X].to_numpy(dtype="float64"), rows[W].to_numpy(dtype="float64")
    # one NaN after the groups: a row without a group (id −1) reads NaN, and adds to no sum
    total_w = np.append(_group_sums(w, ids, m), np.nan)
    total_r = np.append(_group_sums(w * x, ids, m), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total_r[:m] / total_w[:m]
        share = w / total_w[ids]
        ratio = x / (total_r[ids] / total_w[ids])
        terms = np.where(x > 0, share * ratio * np.log(np.where(ratio > 0, ratio, 1)), 0.0)
    theil = _group_sums(terms, ids, m)
    return mean, np.where(mean <= 0, np.nan, theil)


def theil_split(long: pd.DataFrame, keys: list, by: str) -> pd.DataFrame:
    """Theil T per group of ``keys`` and the part of it between the groups of ``by``.

    The columns ``theil_total`` and ``theil_between`` of `decomposition`, to the last bit, without
    the quantiles, Gini and MLD that `decomposition` computes too (docs/method.md §7; STANDARDS.md
    §5): one row per group of ``keys`` whose rows have a ``by`` (sorted), with the key columns,
    ``theil_total`` and ``theil_between``.
    """
    df = long[keys + [by, X, W]]
    df = df[df[W] > 0].reset_index(drop=True)
    # each group of ``keys + [by]``: its mean, and its students added in the rows' own order
    sub_ids, m_sub = _ngroup_ids(df, keys + [by])
    sub_mean, _ = _theil_t(df, keys + [by])
    students = _group_sums(df[W].to_numpy(dtype="float64"), sub_ids, m_sub)
    # each group of ``keys``: its mean and Theil T, and the group of each group of ``keys + [by]``
    ids, m = _ngroup_ids(df, keys)
    mu, theil_total = _theil_t(df, keys)
    first = np.full(m_sub, -1)
    kept = np.flatnonzero(sub_ids >= 0)[::-1]
    first[sub_ids[kept]] = kept  # the first row of each group (the last write wins)
    parent = ids[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        pop_share = students / _group_sums(students, parent, m)[parent]
        res_share = pop_share * sub_mean / mu[parent]
        between = np.where(sub_mean > 0, res_share * np.log(sub_mean / mu[parent]), 0.0)
    rows = np.full(m, -1)
    kept = np.flatnonzero(ids >= 0)[::-1]
    rows[ids[kept]] = kept
    out = df[keys].iloc[rows].reset_index(drop=True)
    out["theil_total"] = theil_total
    out["theil_between"] = _group_sums(between, parent, m)
    # a group none of whose rows has a ``by`` is not decomposed (not in `decomposition`'s rows)
    return out[np.bincount(parent, minlength=m) > 0].reset_index(drop=True)


def _scalar(measure: str, values, weights) -> float:
    frame = _as_frame(values, weights)
    if frame.empty or frame[W].sum() <= 0:
        raise UndefinedCoefficientError("no_school")
    value = distribution_measures(frame, ["_g"]).iloc[0][measure]
    if pd.isna(value):
        raise UndefinedCoefficientError(f"{measure} undefined (zero mean or zero values)")
    return float(value)


def gini(values, weights) -> float:
    """Gini coefficient of ``values`` weighted by ``weights`` (students)."""
    return _scalar("gini", values, weights)


def theil_t(values, weights) -> float:
    """Theil T index of ``values`` weighted by ``weights`` (students)."""
    return _scalar("theil_t", values, weights)


def mean_log_deviation(values, weights) -> float:
    """Mean log deviation (Theil L) of ``values`` weighted by ``weights`` (students)."""
    return _scalar("mld", values, weights)


def mcloone(values, weights) -> float:
    """McLoone index of ``values`` weighted by ``weights`` (students)."""
    return _scalar("mcloone", values, weights)


def verstegen(values, weights) -> float:
    """Verstegen index of ``values`` weighted by ``weights`` (students)."""
    return _scalar("verstegen", values, weights)


def federal_range_ratio(values, weights) -> float:
    """Federal range ratio of ``values`` weighted by ``weights`` (students)."""
    return _scalar("federal_range_ratio", values, weights)
