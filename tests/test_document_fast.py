"""The JSON document's Part R built from column lists (`CountyResult._resource_dict`, issue #21) gives
exactly what its reference built on frames gives (`_resource_dict_reference`): the coefficients and
composite (STANDARDS.md §3, Part R rules 2–3), the schools and their indicators (rule 1), the excluded
entries (§1 scope), the shortfall list and its totals (§5) and the accounting — on the sample under both
rule sets and every overlay, and on edge and random inputs (empty county, zero and missing values,
combined schools, exclusions, set-aside schools, values whose sum depends on the summation)."""

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

from junheng.inputs.dataset import load
from junheng.method import evaluate as evaluate_module
from junheng.method.evaluate import CountyResult, evaluate

CASES = [
    ("youzhi-2017", ()),
    ("jiben-2012", ()),
    ("youzhi-2017", ("liaoning",)),
    ("youzhi-2017", ("exclude-private",)),
    ("youzhi-2017", ("liaoning", "exclude-private")),
]


@pytest.fixture(scope="module")
def sample():
    return load("data/sample")


def county_years(ev):
    return [(c, int(y)) for c, y in zip(ev.verdicts["county_code"], ev.verdicts["year"], strict=True)]


def same(result: CountyResult, lang="zh"):
    fast, reference = result._resource_dict(lang), result._resource_dict_reference(lang)
    # repr: the types too (1 is not 1.0 is not True; a numpy scalar is not Python's)
    assert repr(fast) == repr(reference), (result.county_code, result.year)
    return fast


def with_schools(ev, schools):
    """A copy of ``ev`` whose Part R section-schools are ``schools``."""
    out = copy.copy(ev)
    out.resource = dataclasses.replace(ev.resource, schools=schools)
    return out


@pytest.mark.parametrize(("rules", "overlays"), CASES)
def test_the_sample_gives_the_reference_document(sample, rules, overlays, monkeypatch):
    ev = evaluate(sample, rules, overlays)
    results = [ev.county(c, y) for c, y in county_years(ev)]
    results = [r for r in results if r.status != "invalid"]
    assert results
    for r in results:
        same(r, "zh")
        same(r, "en")
    # the fast path served them all: with the reference refused, every document is still built
    monkeypatch.setattr(CountyResult, "_resource_dict_reference", lambda self, lang: 1 / 0)
    for r in results:
        r._resource_dict("zh")


def test_combined_excluded_and_set_aside_schools_are_in_the_sample(sample):
    # what the comparisons above cover: a school in two sections, excluded entries, a shortfall list
    ev = evaluate(sample, "youzhi-2017", ("exclude-private",))
    sec = ev.resource.schools
    assert (sec.groupby(["county_code", "year", "school_code"])["section"].nunique() > 1).any()
    assert (~sec["in_scope"]).any()
    docs = [same(ev.county(c, y)) for c, y in county_years(ev)]
    assert any(d["shortfall"] for d in docs) and any(d["excluded"] for d in docs)


def test_edge_inputs_give_the_reference_document():
    ev = evaluate(load("data/sample/990123_2021.xlsx"))
    code, year = county_years(ev)[0]
    base = ev.resource.schools
    keys = [ind.key for ind in ev.rules.indicators if ind.threshold]

    def check(schools):
        same(CountyResult(with_schools(ev, schools.reset_index(drop=True)), code, year))

    check(base)
    check(base.iloc[:0])  # the county-year has no section-schools at all
    out = base.copy()
    out["in_scope"] = False  # every entry excluded
    out["exclusion"] = out["exclusion"].where(out["exclusion"].notna(), "no_students")
    check(out)
    out = base.copy()
    for k in keys:  # zero values: every school misses every indicator
        out[f"value_{k}"] = 0.0
        out[f"met_{k}"] = False
        out[f"add_{k}"] = 0.0
    check(out)
    out = base.copy()
    for k in keys:  # missing values and missing additions
        out[f"value_{k}"] = np.nan
        out[f"add_{k}"] = np.nan
        out[f"met_{k}"] = False
    check(out)
    out = base.copy()
    reasons = ["set_aside_section_unknown", None, np.nan, pd.NA, "no_students"]
    out["exclusion"] = pd.Series((reasons * len(out))[: len(out)], dtype=object).to_numpy()
    out["in_scope"] = out["exclusion"].isna().to_numpy()  # the missing reasons on entries in scope
    out["exclusion_detail"] = [
        {"file": "x.xlsx"} if isinstance(e, str) and e.startswith("set_aside_") else None
        for e in reasons * len(out)
    ][: len(out)]
    check(out)
    out = base.copy()
    out[f"met_{keys[0]}"] = pd.Series([None, 1.0, np.nan, 0.0] * len(out), dtype=object)[
        : len(out)
    ].to_numpy()
    check(out)  # a met column that is not boolean: cast as the frame casts it
    out = base.copy()
    out["school_code"] = list(range(len(out)))  # sort keys that are not strings: the frame's sort
    check(out)
    out = base.copy()
    out["school_code"] = out["school_code"].iloc[0]  # one school code for all: the sort stays stable
    check(out)


def test_random_values_give_the_reference_totals():
    # the totals per section and indicator: pandas' compensated group sum, not Python's
    ev = evaluate(load("data/sample/990123_2021.xlsx"))
    code, year = county_years(ev)[0]
    base = ev.resource.schools
    keys = [ind.key for ind in ev.rules.indicators if ind.threshold]
    rng = np.random.default_rng(21)
    for _ in range(40):
        out = base.copy()
        n = len(out)
        for k in keys:
            out[f"met_{k}"] = rng.random(n) < 0.3
            scale = 10.0 ** rng.integers(-3, 17, n)
            out[f"add_{k}"] = np.where(
                rng.random(n) < 0.1, np.nan, (rng.random(n) * scale).round(rng.integers(0, 4))
            )
            out[f"value_{k}"] = np.where(rng.random(n) < 0.1, 0.0, rng.random(n) * 100)
        out["in_scope"] = rng.random(n) < 0.9
        out["exclusion"] = out["exclusion"].where(out["in_scope"] | out["exclusion"].notna(), "no_students")
        out["section"] = rng.choice(["primary", "junior"], n)
        same(CountyResult(with_schools(ev, out), code, year))


def test_a_county_year_without_coefficients_takes_the_reference(monkeypatch):
    ev = evaluate(load("data/sample/990123_2021.xlsx"))
    code, year = county_years(ev)[0]
    out = copy.copy(ev)
    out.resource = dataclasses.replace(ev.resource, cv=ev.resource.cv.iloc[:0])
    called = []
    reference = CountyResult._resource_dict_reference
    monkeypatch.setattr(
        CountyResult, "_resource_dict_reference", lambda self, lang: called.append(1) or reference(self, lang)
    )
    CountyResult(out, code, year)._resource_dict("zh")
    assert called
    assert (
        evaluate_module._missing(pd.NA)
        and evaluate_module._missing(None)
        and not evaluate_module._missing("")
    )
