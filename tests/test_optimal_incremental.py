"""The optimal plan's polish in O(schools of a trial) (planning/optimal.py `Spreads`), against from scratch.

`polish` trims additions one trial at a time and asks, for each, whether every coefficient (R rule 2)
stays within its bound. `Spreads` answers from running sums of the section's weighted mean and squared
deviations; its answers must be those of `_cv` recomputed over the whole section (`_local`), on ties too,
so that the plan is the same as before, only found faster (benchmarks/optimal_benchmark.py).
"""

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from builders import COUNTY, school, write_tables

import junheng
from junheng.planning import optimal as o


def toy(students, ratios, sections=None):
    """A model of one indicator (R4) with one continuous addition per school (ratio +1 per unit)."""
    n = len(students)
    sec = pd.DataFrame(
        {
            "school_code": [f"01234500{i:02d}" for i in range(n)],
            "section": sections or ["primary"] * n,
            "students": students,
        }
    )
    rows = [
        {"school_code": code, "section": None, "k": 0, "kind": "add", "integer": False, "weight": 1.0}
        for code in sec["school_code"]
    ]
    m = o.Model(
        sec,
        [SimpleNamespace(id="R4")],
        np.array(ratios, dtype=float).reshape(n, 1),
        np.ones((n, 1)),
        {"primary": 0.5, "junior": 0.45},
        1,
        0.85,
        pd.DataFrame(rows),
        [[(i, 1.0)] for i in range(n)],
    )
    o._prepare(m)
    return m


def test_one_section_hand_computed():
    # students 100, 100, 200: weights 0.25, 0.25, 0.5; ratios 1, 2, 1.5.
    # μ = 0.25 + 0.5 + 0.75 = 1.5, M = 0.25·0.25 + 0.25·0.25 + 0 = 0.125, cv = √0.125 / 1.5 = 0.235702
    m = toy([100, 100, 200], [1.0, 2.0, 1.5])
    s = o.Spreads(m, m.base * m.coef)
    assert s._sums("primary", 0)[:2] == pytest.approx([1.5, 0.125], rel=1e-15)
    # school 0 from 1 to 1.5: μ' = 1.625, M' = 0.25·0.125² + 0.25·0.375² + 0.5·0.125² = 0.046875,
    # cv' = √0.046875 / 1.625 = 0.1332347
    [(estimate, allowance, exact)] = s.changed(np.array([0]), 0, np.array([1.5])).values()
    assert estimate == pytest.approx(math.sqrt(0.046875) / 1.625, rel=1e-14)
    assert exact() == pytest.approx(0.1332347, rel=1e-6)
    assert 0 < allowance < 1e-11
    assert s.within(np.array([0]), 0, np.array([1.5]), lambda sec: 0.14) == {"primary": True}
    assert s.within(np.array([0]), 0, np.array([1.5]), lambda sec: 0.13) == {"primary": False}
    # accepted: the next question starts from the new ratios (the sums updated, not recomputed)
    s.accept(np.array([0]), 0, np.array([1.5]))
    assert s._sums("primary", 0)[:2] == pytest.approx([1.625, 0.046875], rel=1e-14)
    assert s._sums("primary", 0)[4] == 1 and s.r[0, 0] == 1.5
    # back to 1: the first coefficient again
    [(estimate, _a, _e)] = s.changed(np.array([0]), 0, np.array([1.0])).values()
    assert estimate == pytest.approx(math.sqrt(0.125) / 1.5, rel=1e-14)
    assert s.exact == 1  # the call above: no answer needed `_cv`


def test_a_tie_is_decided_as_the_from_scratch_coefficient():
    # bounds at the exact coefficient and one float either side: the running sums cannot tell these
    # apart, so `_cv` decides (a bound equal to the coefficient keeps it, one float below does not)
    m = toy([100, 100, 200, 37], [1.0, 2.0, 1.5, 0.9])
    s = o.Spreads(m, m.base * m.coef)
    idx, new = np.array([3]), np.array([1.3])
    v = (m.base * m.coef)[:, 0].copy()
    v[3] = 1.3
    cv = o._cv(v, m._sections["primary"][1])
    for bound, expected in ((cv, True), (np.nextafter(cv, 0), False), (np.nextafter(cv, 1), True)):
        assert s.within(idx, 0, new, lambda sec, b=bound: b) == {"primary": expected}
    assert s.exact == 3
    # the reference answers every question from scratch
    ref = o.Spreads(m, m.base * m.coef, scratch=True)
    assert ref.within(idx, 0, new, lambda sec: 0.5) == {"primary": True} and ref.exact == 1


def test_a_section_of_one_school_and_a_zero_mean():
    m = toy([100, 100, 50], [1.0, 2.0, 0.0], sections=["primary", "primary", "junior"])
    s = o.Spreads(m, m.base * m.coef)
    # one school alone: no spread at all; a mean of zero is an infinite coefficient (`_cv`)
    assert s.within(np.array([2]), 0, np.array([1.0]), lambda sec: 0.0) == {"junior": True}
    assert s.within(np.array([2]), 0, np.array([0.0]), lambda sec: 1e9) == {"junior": False}
    assert s.within(np.array([2]), 0, np.array([0.0]), lambda sec: math.inf) == {"junior": True}


def county(tmp_path, schools):
    return junheng.county(COUNTY, 2024, data=write_tables(tmp_path / "data", schools))


ONE_SECTION = [
    school("0123450001", students_primary=100, teaching_space_m2=450),  # R4 ratio 1.0 (4.5 m² a student)
    school("0123450002", students_primary=100, teaching_space_m2=900),  # 2.0
    school("0123450003", students_primary=200, teaching_space_m2=1350),  # 1.5
    school("0123450004", "teaching_point", students_primary=49, teaching_space_m2=5000),  # excluded
    school("0123450005", students_primary=120, teachers_qualified_primary=4, multimedia_rooms=2),
    school("0123450006", students_primary=90, sports_area_m2=400, equipment_value_yuan=120000),
]
TWO_SECTIONS = [
    school("0123450001", students_primary=120, teachers_qualified_primary=4, multimedia_rooms=2),
    school(
        "0123450002",
        "nine_year",
        students_primary=100,
        students_junior=60,
        teachers_backbone_junior=0,
        teaching_space_m2=700,
        equipment_value_yuan=300000,
    ),
    school("0123450003", students_primary=100, sports_area_m2=500),
    school("0123450004", "junior", students_junior=90, teaching_space_m2=300),
    school("0123450005", "special", students_primary=80),  # excluded
    school("0123450006", "junior", students_junior=300, sports_area_m2=9000),
]


def test_the_excluded_school_carries_no_weight(tmp_path):
    c = county(tmp_path, ONE_SECTION)
    m = o.build(c)
    assert "0123450004" not in set(m.sec["school_code"])
    k = next(k for k, ind in enumerate(m.inds) if ind.id == "R4")
    r = o.check(m, np.zeros(len(m.vars)))["ratios"]
    s = o.Spreads(m, r.copy())
    rows, w = m._sections["primary"]
    mu, m2, *_errors = s._sums("primary", k)
    assert mu == pytest.approx(float(w @ r[rows, k])) and w.sum() == pytest.approx(1.0)
    assert math.sqrt(m2) / mu == pytest.approx(o.check(m, np.zeros(len(m.vars)))["cv"][("primary", "R4")][0])
    # the first three schools alone, weights 100/610, 100/610, 200/610, ...: school 0001 from 1.0 to 1.5
    j = int(np.flatnonzero((m.vars["school_code"] == "0123450001") & (m.vars["indicator"] == "R4"))[0])
    idx, a = o._column(m, j)
    new = r[idx, k] + a * 225 * m.coef[idx, k]  # 225 m² more: 675 / 100 / 4.5 = 1.5
    assert new == pytest.approx([1.5])
    [(estimate, _a, exact)] = s.changed(idx, k, new).values()
    assert estimate == pytest.approx(exact(), rel=1e-12)
    _idx, _ok, cvs = o._local(m, r, j, 225)
    assert estimate == pytest.approx(cvs[("primary", "R4")], rel=1e-12)


def every_trial(m, s):
    """Compare `Spreads.within` with `_local` (from scratch) for every addition and several changes."""
    r = s.r.copy()
    compared = 0
    for j in range(len(m.vars)):
        idx, a = o._column(m, j)
        k = int(m._k[j])
        for delta in (-3.0, -1.0, -0.25, 1.0, 40.0):
            _idx, _ok, cvs = o._local(m, r, j, delta)
            touched = r[idx, k] + a * delta * m.coef[idx, k]
            for cv in cvs.values():
                for bound in (cv, np.nextafter(cv, 0), cv * (1 + 1e-12), cv * (1 - 1e-6), 0.5, 0.45):
                    got = s.within(idx, k, touched, lambda sec, b=bound: b)
                    want = {sec: bool(cvs[(sec, m.inds[k].id)] <= bound) for sec in got}
                    assert got == want, (j, delta, bound)
                    compared += 1
    return compared


@pytest.mark.parametrize("schools", [ONE_SECTION, TWO_SECTIONS], ids=["one_section", "two_sections"])
def test_every_trial_is_answered_as_from_scratch(tmp_path, schools):
    c = county(tmp_path, schools)
    m = o.build(c)
    r = o.check(m, np.zeros(len(m.vars)))["ratios"]
    s = o.Spreads(m, r.copy())
    assert every_trial(m, s) > 100
    # after accepted changes: the sums updated in place (fewer than `REFRESH` updates), then summed afresh
    rng = np.random.default_rng(3)
    k = next(k for k, ind in enumerate(m.inds) if ind.id == "R4")
    for n, j in enumerate(rng.choice(np.flatnonzero(m._k == k), 2 * o.Spreads.REFRESH + 3), 1):
        idx, a = o._column(m, j)
        s.accept(idx, k, s.r[idx, k] + a * rng.uniform(-30, 60) * m.coef[idx, k])
        if n in (o.Spreads.REFRESH // 2, 2 * o.Spreads.REFRESH + 3):  # 8 updates; 3 after two refreshes
            assert 0 < s._sums("primary", k)[4] < o.Spreads.REFRESH
            assert every_trial(m, s) > 100
    assert s.exact <= s.asked / 2  # only the ties (three bounds of six) needed `_cv`


def plans(c):
    """Polish and reasons, incremental and from scratch, of the solver's answer for county ``c``."""
    m = o.build(c, c.plan_config, o.Settings.from_config(c.plan_config))
    sol = o.solve(m, o.Settings.from_config(c.plan_config))
    target = not sol.relaxed
    fast = o.polish(m, sol.x.copy(), target)
    slow = o.polish(m, sol.x.copy(), target, scratch=True)
    return m, fast, slow


@pytest.mark.parametrize("schools", [ONE_SECTION, TWO_SECTIONS], ids=["one_section", "two_sections"])
def test_polish_is_the_from_scratch_polish(tmp_path, schools):
    c = county(tmp_path, schools)
    m, fast, slow = plans(c)
    assert (fast > 0).sum() >= 3
    assert np.array_equal(fast, slow)
    assert o._reasons(m, fast) == o._reasons(m, fast, scratch=True)
    assert o.check(m, fast)["passed"]


@pytest.mark.parametrize(
    ("code", "year"), [("990121", 2024), ("990123", 2021), ("990123", 2022), ("990181", 2024)]
)
def test_sample_polish_is_the_from_scratch_polish(code, year):
    # four of the eleven sample county-years whose Part R fails (the 990123 of 2021: 47 additions)
    c = junheng.county(code, year)
    m, fast, slow = plans(c)
    assert np.array_equal(fast, slow)
    assert o._reasons(m, fast) == o._reasons(m, fast, scratch=True)


def test_schools_are_grouped_as_pandas_groups_them():
    # first appearance order, rows ascending, a school's rows apart from each other (a nine-year
    # school's sections need not be adjacent)
    codes = pd.Series(["0123450002", "0123450001", "0123450002", "0123450003", "0123450001"])
    assert o._schools(codes) == [("0123450002", [0, 2]), ("0123450001", [1, 4]), ("0123450003", [3])]
    groups = codes.groupby(codes, sort=False).groups
    assert o._schools(codes) == [(k, list(v)) for k, v in groups.items()]
    assert o._schools(pd.Series([], dtype=str)) == []


def test_an_addition_is_read_as_its_row_of_the_model(tmp_path):
    m = o.build(county(tmp_path, TWO_SECTIONS))
    for j in range(len(m.vars)):
        row = m.vars.loc[j]
        assert o._var(m, j) == {k: row[k] for k in m.vars.columns}
