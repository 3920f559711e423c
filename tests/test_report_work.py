"""A report computes what it shows once (issue #21): the 2012 evaluation when asked, the plan once,
the equity measures' totals once, school names told apart without a Python call per name."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import junheng
import junheng.report.county  # noqa: F401

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
county_module = sys.modules["junheng.report.county"]


def spy(monkeypatch, owner, name: str, record) -> list:
    """Replace ``owner.name`` with a wrapper that appends ``record(*args, **kwargs)`` to the list returned."""
    calls = []
    real = getattr(owner, name)

    def wrapper(*args, **kwargs):
        calls.append(record(*args, **kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


@pytest.fixture
def counted(monkeypatch):
    """The rule-set ids evaluate() is called with, in order, from an empty county cache."""
    monkeypatch.setattr(county_module, "_CACHE", {})
    return spy(monkeypatch, county_module, "evaluate", lambda dataset, rules: rules.id)


def test_a_county_is_evaluated_under_the_2012_rules_only_when_its_basic_frame_is_asked(counted):
    c = junheng.county("990123", 2024, SAMPLE)
    assert not c.invalid and len(c.coefficients) and len(c.schools)
    assert counted == ["youzhi-2017"]  # the frames of the current rules: no 2012 evaluation
    assert len(c.basic) and c.basic_evaluation.rules.id == "jiben-2012"
    assert counted == ["youzhi-2017", "jiben-2012"]
    # the county's other years (a batch worker's next reports) share both evaluations
    other = junheng.county("990123", 2022, SAMPLE)
    assert len(other.basic) and other.basic_evaluation is c.basic_evaluation
    assert counted == ["youzhi-2017", "jiben-2012"]


def test_a_county_under_the_2012_rules_is_evaluated_once(counted):
    c = junheng.county("990123", 2024, SAMPLE, rules="jiben-2012")
    assert len(c.basic) and c.basic_evaluation is c.evaluation
    assert counted == ["jiben-2012"]


def test_what_if_changes_evaluate_the_changed_data_under_the_2012_rules_when_asked(counted):
    c = junheng.county("990123", 2024, SAMPLE)
    primary = c.evaluated_schools[c.evaluated_schools["school_type"] == "primary"]
    code = primary["school_code"].iloc[0]
    changes = pd.DataFrame({"school_code": [code], "column": ["teachers_primary"], "delta": [3]})
    changed = c.with_changes(changes)
    assert counted == ["youzhi-2017", "youzhi-2017"]  # the original, the changed data
    assert changed.basic_evaluation.dataset is changed.dataset is not c.dataset
    assert counted == ["youzhi-2017", "youzhi-2017", "jiben-2012"]


def test_the_plan_of_a_report_is_computed_once(monkeypatch):
    from junheng.planning import rectification
    from junheng.report import tables, text

    calls = spy(monkeypatch, rectification, "plan_rows", lambda *args, **kwargs: 1)
    c = junheng.county("990121", 2024, SAMPLE)
    c.cover()  # the cover's draft check reads the plan first
    text.plan(c)
    tables.plan(c, required=True)
    tables.plan(c, required=False)
    tables.plan_totals(c)
    assert len(calls) == 1


def test_shared_names_are_told_apart_by_code_not_by_row():
    from junheng.report.county import distinguishing_names

    # a nine-year school is two rows of one code: its name is its own; the index is not 0..n-1
    index = [10, 20, 30, 40, 50]
    names = pd.Series(["甲学校", "甲学校", "乙小学", "乙小学", "丙小学"], index=index)
    codes = pd.Series(["9901210001", "9901210001", "9901210002", "9901210003", "9901210004"], index=index)
    places = pd.Series([None, None, "柳河乡", "石门乡", None], index=index)
    out = distinguishing_names(names, codes, "zh", places)
    assert out.index.tolist() == index
    assert out.tolist() == ["甲学校", "甲学校", "乙小学（柳河乡）", "乙小学（石门乡）", "丙小学"]
    empty = distinguishing_names(pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert empty.tolist() == []


def test_shared_names_call_no_function_per_group_of_names(monkeypatch):
    from pandas.core.groupby.generic import SeriesGroupBy

    from junheng.report.county import distinguishing_names

    real = SeriesGroupBy.transform

    def transform(self, func, *args, **kwargs):
        assert isinstance(func, str), "a Python function per group of names"
        return real(self, func, *args, **kwargs)

    monkeypatch.setattr(SeriesGroupBy, "transform", transform)
    names = pd.Series(["甲小学", "甲小学", "乙小学"])
    codes = pd.Series(["9901210001", "9901210002", "9901210003"])
    assert distinguishing_names(names, codes, "en").tolist() == [
        "甲小学 (code 9901210001)",
        "甲小学 (code 9901210002)",
        "乙小学",
    ]


def test_the_equity_section_computes_each_distribution_once(monkeypatch):
    from junheng.method import equity

    calls = spy(monkeypatch, equity, "distribution_measures", lambda long, keys, **options: tuple(keys))
    c = junheng.county("990121", 2024, SAMPLE)
    measures, decomposition = c.equity()
    assert len(measures) and set(decomposition["by"]) == {"location"}
    # the measures of each section and indicator, and of each location in them: the decomposition's
    # totals are the measures' rows (was three calls: the totals computed again)
    assert len(calls) == 2 and calls[1] == (*calls[0], "location")


def test_a_decomposition_given_the_measures_is_the_one_computed_alone():
    from junheng.method import equity

    long = pd.DataFrame(
        {
            "section": ["primary"] * 6 + ["junior"] * 4,
            "indicator": ["R1"] * 10,
            "location": [
                "urban",
                "urban",
                "rural",
                "rural",
                "town",
                "rural",
                "urban",
                "rural",
                "rural",
                "town",
            ],
            "x": [3.0, 1.0, 2.0, 2.0, 0.5, 4.0, 7.0, 1.0, 1.0, 2.0],  # ties within a group
            "w": [100.0, 50.0, 30.0, 0.0, 20.0, 80.0, 300.0, 120.0, 60.0, 0.0],  # weightless rows
        }
    )
    keys = ["section", "indicator"]
    for by in ("location",):
        alone = equity.decomposition(long, keys, by)
        given = equity.decomposition(long, keys, by, equity.distribution_measures(long, keys))
        pd.testing.assert_frame_equal(given, alone, check_exact=True)
    # primary: weights 100, 50, 30, 20, 80 (the weightless row left out): the total Theil T by hand
    x = np.array([3.0, 1.0, 2.0, 0.5, 4.0])
    w = np.array([100.0, 50.0, 30.0, 20.0, 80.0])
    mu = (w * x).sum() / w.sum()
    theil = ((w / w.sum()) * (x / mu) * np.log(x / mu)).sum()
    row = alone.set_index("section").loc["primary"]
    assert row["theil_total"] == pytest.approx(theil, rel=1e-12)
    assert row["theil_within"] + row["theil_between"] == pytest.approx(theil, rel=1e-12)


SECTIONS = ("基本情况", "主要做法与成效", "问卷调查方式", "问题原因", "下一步工作打算", "佐证材料清单")


@pytest.fixture
def values_calls(monkeypatch):
    """How often the values a county's text may cite are built (`narrative.values`)."""
    from junheng.report import narrative

    return spy(monkeypatch, narrative, "values", lambda c: c.code)


def test_a_county_without_its_own_text_builds_no_values_to_cite(values_calls):
    c = junheng.county("990123", 2024, SAMPLE)  # no narrative/990123*.md in the sample
    texts = [c.narrative(name) for name in SECTIONS]
    assert all("待补充" in text for text in texts)  # six placeholders (the report stays a draft)
    assert values_calls == []  # was six: one full set of values per placeholder


def test_a_county_text_is_rendered_with_values_built_once(values_calls):
    from junheng.report import narrative

    c = junheng.county("990126", 2024, SAMPLE)  # narrative/990126_2024.md: all six sections written
    texts = [c.narrative(name) for name in SECTIONS]
    assert values_calls == ["990126"]  # was six calls
    # the same text as a section rendered with values of its own, e.g. the cited students total
    from junheng.inputs.narrative import section_id

    fresh = narrative.render(c.narrative_text, section_id("基本情况"), narrative.values(c), [])
    assert texts[0] == fresh
    total = int(c.profile["students"].sum())
    assert f"{total:,}人" in texts[0]
    # a county changed by a what-if is a new object: its values are its own
    primary = c.evaluated_schools[c.evaluated_schools["school_type"] == "primary"]
    changes = pd.DataFrame(
        {"school_code": [primary["school_code"].iloc[0]], "column": ["students_primary"], "delta": [10]}
    )
    changed = c.with_changes(changes)
    assert f"{total + 10:,}人" in changed.narrative("基本情况")


def test_the_vetoes_found_at_schools_are_collected_once_per_report(monkeypatch):
    from junheng.report import profiles, tables

    calls = spy(monkeypatch, tables, "_school_vetoes", lambda c: c.code)
    c = junheng.county("990121", 2024, SAMPLE)
    pages = profiles.profiles(c, every_school=True)  # every page asked, and the list of pages
    tables.schools(c)
    assert len(pages) >= c.counts["evaluated"] and calls == ["990121"]  # was one call per page, and two


def test_a_school_page_lists_the_measures_of_the_plan_it_is_given():
    from junheng.report.profiles import profile

    c = junheng.county("990121", 2024, SAMPLE)
    code = c.plan["school_code"].dropna().iloc[0]
    mine = c.plan[c.plan["school_code"] == code]
    own = profile(c, code).html
    assert all(measure in own for measure in mine["measure"])
    # another plan (a researcher's): its measures, not the county's
    other = mine.head(1).assign(measure="另行测算的措施")
    given = profile(c, code, plan=other).html
    assert "另行测算的措施" in given
    assert given.count("另行测算的措施") == 1 and mine["measure"].iloc[-1] not in given.split("另行")[1]


def test_the_appendix_gives_each_section_school_its_own_quantities():
    from junheng.report.appendix import raw_inputs

    c = junheng.county("990121", 2024, SAMPLE)
    frame = raw_inputs(c)
    sections = c.result.section_schools
    r1 = next(col for col in frame.columns if col.startswith("R1 "))
    # a nine-year school is two rows: each section's R1 numerator (teachers), read by hand
    scoped = c.evaluated_schools
    for i, (code, section) in enumerate(zip(scoped["school_code"], scoped["section"], strict=True)):
        mine = sections[(sections["school_code"] == code) & (sections["section"] == section)]
        assert len(mine) == 1
        assert frame[r1].iloc[i] == mine["num_qualified_teachers_per100"].iloc[0] or (
            pd.isna(frame[r1].iloc[i]) and pd.isna(mine["num_qualified_teachers_per100"].iloc[0])
        )
