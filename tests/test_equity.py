"""docs/method.md §3 (difference coefficient) and 5 (extra equity measures)."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from junheng.method import equity
from junheng.method.equity import UndefinedCoefficientError, difference_coefficient


def test_weighted_coefficient_hand_computed_and_differs_from_unweighted():
    # x = [2, 4], p = [100, 300]: mean = 1400/400 = 3.5,
    # S² = 0.25·(2−3.5)² + 0.75·(4−3.5)² = 0.75, CV = sqrt(0.75)/3.5 = 0.247435829652697
    cv = difference_coefficient([2, 4], [100, 300])
    assert cv == pytest.approx(0.247435829652697, rel=1e-12)
    unweighted_population = np.std([2, 4]) / np.mean([2, 4])  # 1/3
    unweighted_sample = np.std([2, 4], ddof=1) / np.mean([2, 4])  # 0.4714
    assert abs(cv - unweighted_population) > 0.05
    assert abs(cv - unweighted_sample) > 0.2


def test_population_form_not_n_minus_1():
    # equal weights: the population CV of [1, 2, 3] is sqrt(2/3)/2 = 0.408248...
    assert difference_coefficient([1, 2, 3], [5, 5, 5]) == pytest.approx(math.sqrt(2 / 3) / 2, rel=1e-12)


def test_single_school_gives_zero():
    assert difference_coefficient([4.7], [350]) == 0.0


def test_zero_mean_is_undefined_not_a_division_by_zero():
    with pytest.raises(UndefinedCoefficientError, match="zero_mean"):
        difference_coefficient([0, 0], [10, 20])


def test_no_school_is_undefined():
    with pytest.raises(UndefinedCoefficientError, match="no_school"):
        difference_coefficient([], [])


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        difference_coefficient([1, 2], [1])
    with pytest.raises(ValueError):
        difference_coefficient([1, 2], [1, -1])


def test_grouped_equals_scalar_per_group():
    long = pd.DataFrame({"g": ["a", "a", "b", "b", "b"], "x": [2, 4, 1, 2, 3.0], "w": [100, 300, 5, 5, 5.0]})
    out = equity.coefficients(long, ["g"]).set_index("g")
    assert out.loc["a", "cv"] == pytest.approx(0.247435829652697)
    assert out.loc["b", "cv"] == pytest.approx(math.sqrt(2 / 3) / 2)
    assert out.loc["a", "mean"] == pytest.approx(3.5)


def test_the_scalar_coefficient_is_the_grouped_one_to_the_last_bit():
    """`difference_coefficient` (numpy, no frames) gives `coefficients`' bits for each group alone: the
    sample's generator tunes its coefficients with it, and the bundled sample must regenerate the same."""
    groups = {
        "a": ([2, 4, 4.1], [100, 300, 7]),
        "b": ([3.3, 3.3, 3.3], [5, 9, 1]),  # identical values: exactly 0 (issue #11)
        "c": ([0.1, 0.2, 0.7], [0, 20, 3]),  # a school without students weighs nothing
        "d": ([1.0], [10]),
        "e": ([12.5, 0.3, 7.77, 7.78], [1234, 5, 678, 90]),
    }
    long = pd.DataFrame(
        [{"g": g, "x": x, "w": w} for g, (xs, ws) in groups.items() for x, w in zip(xs, ws, strict=True)]
    )
    grouped = equity.coefficients(long, ["g"]).set_index("g")["cv"]
    for g, (xs, ws) in groups.items():
        assert difference_coefficient(xs, ws).hex() == float(grouped[g]).hex(), g
    assert difference_coefficient(*groups["b"]) == 0.0
    with pytest.raises(UndefinedCoefficientError, match="no_school"):  # schools, but no student
        difference_coefficient([1, 2], [0, 0])


def test_contributions_are_shares_of_the_weighted_variance():
    long = pd.DataFrame({"g": ["a"] * 3, "x": [1.0, 2.0, 4.0], "w": [1.0, 1.0, 2.0]})
    # mean = (1+2+8)/4 = 2.75; terms: .25·3.0625, .25·0.5625, .5·1.5625 = .765625, .140625, .78125
    shares = equity.contributions(long, ["g"])
    total = 0.765625 + 0.140625 + 0.78125
    assert shares.tolist() == pytest.approx([0.765625 / total, 0.140625 / total, 0.78125 / total])


# -- properties ----------------------------------------------------------------------------------
# Hypothesis settings of every property below: no deadline (a loaded machine), the default database.
PROPERTY = settings(max_examples=100, deadline=None)
value = st.floats(min_value=0.1, max_value=1e4, allow_nan=False)


def sections(weight) -> st.SearchStrategy:
    """1-4 groups of 1-30 schools (value, students): one grouped call per example checks each group,
    and a sum, a shift or a first row taken across a group boundary fails too."""
    return st.lists(st.lists(st.tuples(value, weight), min_size=1, max_size=30), min_size=1, max_size=4)


def long_frame(groups) -> pd.DataFrame:
    return pd.DataFrame(
        [(g, x, w) for g, rows in enumerate(groups) for x, w in rows], columns=["g", "x", "w"]
    )


def cvs(long: pd.DataFrame) -> list:
    """The coefficient of each group, in group order."""
    return equity.coefficients(long, ["g"]).set_index("g").sort_index()["cv"].tolist()


@PROPERTY
@given(data=st.data())
def test_property_permutation_invariant(data):
    long = long_frame(data.draw(sections(st.integers(1, 3000))))
    order = data.draw(st.permutations(range(len(long))))  # the groups' rows interleaved as well
    assert cvs(long.iloc[list(order)]) == pytest.approx(cvs(long), rel=1e-9, abs=1e-12)


@PROPERTY
@given(data=st.data(), factor=st.floats(min_value=1e-3, max_value=1e3))
def test_property_scale_invariant(data, factor):
    long = long_frame(data.draw(sections(st.integers(1, 3000))))
    assert cvs(long.assign(x=long["x"] * factor)) == pytest.approx(cvs(long), rel=1e-7, abs=1e-9)


@PROPERTY
@given(groups=sections(st.integers(1, 20)))
def test_property_integer_weights_equal_expanded_unweighted(groups):
    expected = []
    for rows in groups:
        expanded = np.repeat([x for x, _ in rows], [w for _, w in rows])
        expected.append(np.std(expanded) / np.mean(expanded))
    assert cvs(long_frame(groups)) == pytest.approx(expected, rel=1e-8, abs=1e-10)


# -- 2012 composite --------------------------------------------------------------------------------
def test_2012_composite_published_example():
    published = [0.437, 0.419, 0.255, 0.188, 0.171, 0.263, 0.263, 0.420]
    assert round(equity.composite(published), 3) == 0.302


def test_composite_undefined_when_a_coefficient_is():
    assert math.isnan(equity.composite([0.3, float("nan")]))


# -- extra measures against independent implementations on the expanded data ----------------------
def _expanded(x, w):
    return np.repeat(np.asarray(x, float), np.asarray(w, int))


def gini_mean_difference(v):
    v = np.asarray(v, float)
    return np.abs(v[:, None] - v[None, :]).sum() / (2 * len(v) ** 2 * v.mean())


def test_gini_hand_computed():
    # [1, 2, 3, 3]: Σ|xi−xj| over ordered pairs = 14, n² = 16, mean 2.25 → 14 / 72
    assert equity.gini([1, 2, 3], [1, 1, 2]) == pytest.approx(14 / 72)


def test_every_scalar_measure_is_its_column_hand_computed():
    # [1, 2, 3] weighted [1, 1, 2] is [1, 2, 3, 3] expanded: μ = 9/4; the student-weighted median (the
    # smallest value whose cumulative share reaches ½: shares ¼, ½, 1) is 2, P5 is 1 and P95 is 3.
    # McLoone: the values ≤ 2 are [1, 2] → 3 / (2·2); Verstegen: the values ≥ 2 are [2, 3, 3] → 8 / (2·3);
    # range ratio (3 − 1) / 1. Theil T = mean of (v/μ)·ln(v/μ), MLD = mean of ln(μ/v) over [1, 2, 3, 3].
    x, w, mu = [1, 2, 3], [1, 1, 2], 9 / 4
    expanded = [1, 2, 3, 3]
    assert equity.gini(x, w) == pytest.approx(14 / 72)
    assert equity.theil_t(x, w) == pytest.approx(sum(v / mu * math.log(v / mu) for v in expanded) / 4)
    assert equity.mean_log_deviation(x, w) == pytest.approx(sum(math.log(mu / v) for v in expanded) / 4)
    assert equity.mcloone(x, w) == pytest.approx(3 / 4)
    assert equity.verstegen(x, w) == pytest.approx(8 / 6)
    assert equity.federal_range_ratio(x, w) == pytest.approx(2.0)


# One grouped call per example checks every group against the expanded reference: the scalar functions
# are that computation on one group (checked column by column above), and several groups per call also
# catch a sum, quantile or Lorenz curve that runs across a group boundary.
groups_of_schools = st.lists(
    st.lists(st.tuples(st.integers(1, 500).map(float), st.integers(1, 8)), min_size=2, max_size=12),
    min_size=1,
    max_size=4,
)


@PROPERTY
@given(groups=groups_of_schools)
def test_property_extra_measures_equal_expanded(groups):
    long = pd.DataFrame(
        [(g, x, w) for g, schools in enumerate(groups) for x, w in schools], columns=["g", "x", "w"]
    )
    out = equity.distribution_measures(long, ["g"]).set_index("g")
    assert out.index.tolist() == list(range(len(groups)))
    for g, schools in enumerate(groups):
        got = out.loc[g]
        v = _expanded([x for x, _ in schools], [w for _, w in schools])
        mu = v.mean()
        assert got["gini"] == pytest.approx(gini_mean_difference(v), abs=1e-9)
        assert got["theil_t"] == pytest.approx(np.mean(v / mu * np.log(v / mu)), abs=1e-9)
        assert got["mld"] == pytest.approx(np.mean(np.log(mu / v)), abs=1e-9)
        m = np.percentile(v, 50, method="inverted_cdf")
        assert got["mcloone"] == pytest.approx(v[v <= m].sum() / (m * (v <= m).sum()), rel=1e-9)
        assert got["verstegen"] == pytest.approx(v[v >= m].sum() / (m * (v >= m).sum()), rel=1e-9)
        p5, p95 = np.percentile(v, [5, 95], method="inverted_cdf")
        assert got["federal_range_ratio"] == pytest.approx((p95 - p5) / p5, rel=1e-9)


def test_mld_undefined_with_a_zero_value_but_theil_defined():
    with pytest.raises(UndefinedCoefficientError):
        equity.mean_log_deviation([0, 2], [1, 1])
    # Theil T with x = [0, 2]: μ = 1; terms 0 and ½·2·ln 2 = ln 2
    assert equity.theil_t([0, 2], [1, 1]) == pytest.approx(math.log(2))


def test_theil_and_mld_decomposition_hand_computed():
    long = pd.DataFrame({"k": 1, "loc": ["a", "a", "b", "b"], "x": [1.0, 2, 3, 5], "w": [1.0, 2, 1, 3]})
    out = equity.decomposition(long, ["k"], "loc").iloc[0]
    mu_a, mu_b, mu = 5 / 3, 18 / 4, 23 / 7
    s_a, s_b = 5 / 23, 18 / 23
    assert out["theil_between"] == pytest.approx(s_a * math.log(mu_a / mu) + s_b * math.log(mu_b / mu))
    assert out["mld_between"] == pytest.approx(3 / 7 * math.log(mu / mu_a) + 4 / 7 * math.log(mu / mu_b))
    whole_t = equity.theil_t([1, 2, 3, 5], [1, 2, 1, 3])
    whole_m = equity.mean_log_deviation([1, 2, 3, 5], [1, 2, 1, 3])
    assert out["theil_within"] + out["theil_between"] == pytest.approx(whole_t)
    assert out["mld_within"] + out["mld_between"] == pytest.approx(whole_m)
    assert out["theil_within"] == pytest.approx(
        s_a * equity.theil_t([1, 2], [1, 2]) + s_b * equity.theil_t([3, 5], [1, 3])
    )
