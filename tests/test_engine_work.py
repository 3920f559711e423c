"""The engine's work in proportion to what a report shows (issue #21): the same results, less work.

Each helper here replaces a costlier pandas path; every test states the result by hand, and checks it
against the path it replaced where that still exists.
"""

import math

import numpy as np
import pandas as pd
import pytest

from junheng.inputs.consistency import FILE, _all_expected
from junheng.method import equity
from junheng.method.evaluate import _combine, _part_statuses
from junheng.method.items import CY, FAIL, NOT_ASSESSED, PASS, Context, cy_sum, make_item, per_school


def _ctx(pairs):
    cy = pd.DataFrame(pairs, columns=["county_code", "year"])
    return Context(cy, pd.DataFrame(), pd.DataFrame(), None, None, None)


def test_cy_sum_is_the_groupby_of_both_keys_aligned_to_the_county_years():
    # three county-years; the second has no school, the third only a blank value
    ctx = _ctx([("990101", 2023), ("990101", 2024), ("990102", 2024)])
    schools = pd.DataFrame(
        {
            "county_code": ["990101", "990101", "990102", "990101"],
            "year": [2023, 2023, 2024, 2023],
            CY: [0, 0, 2, 0],
            "x": [1.5, 2.25, np.nan, 4.0],
        }
    )
    got = cy_sum(ctx, schools, schools["x"])
    assert got.index is ctx.index and got.name == "x"
    # 1.5 + 2.25 + 4.0 = 7.75; no row: NaN; a blank alone sums to 0 (pandas' sum, min_count 0)
    assert got.tolist()[0] == 7.75 and math.isnan(got.tolist()[1]) and got.tolist()[2] == 0.0
    once = cy_sum(ctx, schools, schools["x"], min_count=1)
    assert once.tolist()[0] == 7.75 and math.isnan(once.tolist()[2])  # min_count 1: blank stays blank
    counted = cy_sum(ctx, schools, schools["x"].isna(), fill_value=0)
    assert counted.tolist() == [0, 0, 1] and counted.dtype == np.int64
    # what it replaces, to the last bit and dtype
    keys = [schools[k] for k in ("county_code", "year")]
    pd.testing.assert_series_equal(got, schools["x"].groupby(keys).sum().reindex(ctx.index), check_exact=True)
    pd.testing.assert_series_equal(
        counted,
        schools["x"].isna().groupby(keys).sum().reindex(ctx.index, fill_value=0),
        check_exact=True,
    )


def test_part_statuses_fail_wins_then_not_assessed_then_pass():
    rows = [
        ("guarantee", "990101", 2024, "G1", PASS),
        ("guarantee", "990101", 2024, "G2", FAIL),
        ("guarantee", "990101", 2024, "G3", NOT_ASSESSED),
        ("guarantee", "990102", 2024, "G1", PASS),
        ("guarantee", "990102", 2024, "G2", NOT_ASSESSED),
        ("quality", "990101", 2024, "Q1", PASS),
        ("quality", "990102", 2024, "Q1", PASS),
    ]
    items = pd.DataFrame(rows, columns=["part", "county_code", "year", "id", "status"])
    got = _part_statuses(items)
    assert sorted(got) == ["guarantee", "quality"]
    assert got["guarantee"].to_dict() == {("990101", 2024): FAIL, ("990102", 2024): NOT_ASSESSED}
    assert got["quality"].to_dict() == {("990101", 2024): PASS, ("990102", 2024): PASS}
    for part in ("guarantee", "quality"):  # the pivot table it replaces
        wide = items[items["part"] == part].pivot_table(
            index=["county_code", "year"], columns="id", values="status", aggfunc="first"
        )
        assert _combine(wide).to_dict() == got[part].to_dict()


def test_theil_only_measures_are_those_of_the_full_measures_to_the_last_bit():
    # x = [1, 3] with one student each: μ = 2, Theil T = ½·½·ln½ + ½·1.5·ln1.5, MLD = ½ ln2 + ½ ln(2/3)
    long = pd.DataFrame(
        {"g": ["a", "a", "b", "b", "b"], "x": [1.0, 3.0, 2.0, 0.0, 5.0], "w": [1, 1, 2, 0, 3]}
    )
    light = equity.distribution_measures(long, ["g"], theil_only=True)
    assert list(light.columns) == ["g", "mean", "theil_t", "mld"]
    a = light.iloc[0]
    assert a["mean"] == 2.0
    assert a["theil_t"] == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5), rel=1e-12)
    assert a["mld"] == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3), rel=1e-12)
    full = equity.distribution_measures(long, ["g"])
    pd.testing.assert_frame_equal(light, full[["g", "mean", "theil_t", "mld"]], check_exact=True)


def test_the_decomposition_adds_up_with_the_light_group_measures():
    long = pd.DataFrame(
        {
            "g": ["a"] * 4,
            "loc": ["urban", "urban", "rural", "rural"],
            "x": [4.0, 6.0, 1.0, 3.0],
            "w": [1.0, 1.0, 1.0, 1.0],
        }
    )
    d = equity.decomposition(long, ["g"], "loc").iloc[0]
    # the groups' means 5 and 2 around μ = 3.5: between = Σ s_g ln(μ_g/μ), s_g = ½·μ_g/μ
    between = 0.5 * 5 / 3.5 * math.log(5 / 3.5) + 0.5 * 2 / 3.5 * math.log(2 / 3.5)
    assert d["theil_between"] == pytest.approx(between, rel=1e-12)
    assert d["theil_within"] + d["theil_between"] == pytest.approx(d["theil_total"], rel=1e-12)
    assert d["mld_within"] + d["mld_between"] == pytest.approx(d["mld_total"], rel=1e-12)


def test_all_expected_sees_a_row_of_another_county_or_year_in_a_named_workbook():
    rows = pd.DataFrame(
        {
            FILE: ["990102_2024.xlsx", "990102_2024.xlsx", "990103_2023.xlsx"],
            "county_code": ["990102", "990102", "990103"],
            "year": pd.array([2024, 2024, 2023], dtype="Int64"),
        }
    )
    assert _all_expected(rows, True, {}, None)
    other_year = rows.assign(year=pd.array([2024, 2023, 2023], dtype="Int64"))
    assert not _all_expected(other_year, True, {}, None)
    assert _all_expected(other_year, False, {}, None)  # monitoring: only the county is checked
    other_county = rows.assign(county_code=["990102", "990104", "990103"])
    assert not _all_expected(other_county, True, {}, None)
    # a workbook whose name gives no county-year, and no schools table to judge it by: not judged
    unnamed = rows.assign(**{FILE: ["data.xlsx"] * 3})
    assert _all_expected(unnamed, True, {}, None)
    # blank keys are not judged (the row's own messages say what is missing)
    blank = other_county.assign(county_code=["990102", None, "990103"])
    assert _all_expected(blank, True, {}, None)


def test_make_item_columns_and_types():
    ctx = _ctx([("990101", 2023), ("990101", 2024)])
    status = pd.Series([PASS, FAIL], index=ctx.index)
    item = make_item(ctx, "G5", status, pd.Series([0, 2], index=ctx.index), {"primary": 45}, {"n": 3})
    assert list(item.columns) == ["id", "status", "value", "threshold", "evidence", "schools"]
    assert item.index is ctx.index
    assert item["id"].tolist() == ["G5", "G5"] and item["status"].tolist() == [PASS, FAIL]
    assert item["threshold"].tolist() == [{"primary": 45}, {"primary": 45}]
    assert item["evidence"].tolist() == [{"n": 3}, {"n": 3}]
    assert item["schools"].tolist() == [[], []]
    assert item["evidence"].iloc[0] is not item["evidence"].iloc[1]  # a dict per county-year
    assert item["threshold"].dtype == object and item["value"].dtype == np.int64
    # a flag's threshold text and a blank value
    flag = make_item(ctx, "G1", status, threshold="是")
    assert flag["threshold"].tolist() == ["是", "是"] and flag["value"].isna().all()


def test_per_school_without_a_failing_or_unknown_school_lists_none():
    ctx = _ctx([("990101", 2024), ("990102", 2024)])
    schools = pd.DataFrame(
        {"school_code": ["1", "2", "3"], "school_name": ["a", "b", "c"], CY: [0, 0, 1], "v": 1}
    )
    known = pd.Series(True, index=schools.index)
    status, n_failed, lists, n, missing = per_school(
        ctx, schools, pd.Series(False, index=schools.index), known, ["v"]
    )
    assert status.tolist() == [PASS, PASS] and n_failed.tolist() == [0, 0] and n.tolist() == [2, 1]
    assert lists.tolist() == [[], []] and missing.tolist() == [[], []]
    failed = pd.Series([False, False, True], index=schools.index)
    known = pd.Series([True, False, True], index=schools.index)
    status, n_failed, lists, n, missing = per_school(ctx, schools, failed, known, ["v"])
    assert status.tolist() == [NOT_ASSESSED, FAIL]
    assert lists.tolist() == [[], [{"school_code": "3", "school_name": "c", "v": 1}]]
    assert missing.tolist() == [[{"school_code": "2", "school_name": "b"}], []]


def test_section_school_lookup_of_several_columns_at_once():
    from junheng.planning.needs import _at_section_school

    schools = pd.DataFrame(
        {
            "school_code": ["1", "1", "2", "3", "3"],
            "section": ["primary", "junior", "primary", "junior", "junior"],  # 3/junior given twice
            "share": [0.4, 0.6, 1.0, 1.0, 1.0],
            "num_x": [10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    rows = pd.DataFrame(
        {"school_code": ["1", "2", "3", "4"], "section": ["junior", "primary", "junior", "primary"]}
    )
    found = _at_section_school(schools, rows, ["share", "num_x", "num_y"], default=-1)
    assert found == {"share": [0.6, 1.0, -1, -1], "num_x": [20.0, 30.0, -1, -1], "num_y": [-1, -1, -1, -1]}
    assert _at_section_school(schools, rows, "num_x") == [20.0, 30.0, None, None]  # one column: its list


def test_stacked_items_are_the_concatenated_item_frames_types_included():
    # the engine stacks a part's items column by column (`stack_items`); what concatenating one frame
    # per item gave, with mixed value and threshold types: int + float + NaN values, text and dict
    from junheng.method.items import item, stack_items

    for positional in (False, True):
        ctx = _ctx([("990101", 2023), ("990101", 2024)])
        if positional:  # as `Evaluation._parts` sets it: the items compute on positions
            ctx.index = pd.RangeIndex(2)
        status = pd.Series([PASS, FAIL], index=ctx.index)  # text, as every item's statuses were
        specs = [
            ("G1", status, pd.Series([1.0, np.nan], index=ctx.index), "是", {"flag": 1}),
            ("G5", status, pd.Series([0, 2], index=ctx.index), {"primary": 45}, None),
            ("Q9", status, np.nan, 0.15, {"year": pd.Series([2023, 2024], index=ctx.index)}),
        ]
        stacked = stack_items(ctx, [item(ctx, *spec) for spec in specs])
        expected = pd.concat([make_item(ctx, *spec) for spec in specs]).reset_index()
        pd.testing.assert_frame_equal(stacked, expected, check_exact=True)
        assert stacked["id"].tolist() == ["G1", "G1", "G5", "G5", "Q9", "Q9"]
        assert (
            stacked["county_code"].tolist() == ["990101"] * 6 and stacked["year"].tolist() == [2023, 2024] * 3
        )
        assert stacked["threshold"].dtype == object and stacked["value"].tolist()[2:4] == [0.0, 2.0]
        assert stacked["evidence"].tolist()[4:] == [{"year": 2023}, {"year": 2024}]


def test_indicator_arrays_are_the_pandas_path_to_the_last_bit():
    # `indicator_values` computes R1-R7 on float arrays; the pandas path it replaced gives the same
    # columns, values and types (one school of the sample by hand: 990102_2024's first in scope)
    from junheng.inputs.dataset import load
    from junheng.method.resource import _indicator_arrays, _indicator_series
    from junheng.method.rules import RuleSet
    from junheng.method.sections import build_section_schools

    ds = load("data/sample/990102_2024.xlsx")
    for rules in (RuleSet("youzhi-2017"), RuleSet("jiben-2012"), RuleSet("youzhi-2017", ("liaoning",))):
        sec = build_section_schools(ds.schools, rules)
        sec.loc[sec.index[:3], "students"] = [np.nan, 0.0, -0.0]  # blank, zero students
        arrays, series = _indicator_arrays(sec, rules, 2), _indicator_series(sec, rules, 2)
        for got, want in zip(arrays, series, strict=True):
            assert list(got) == list(want)
            for column in got:
                pd.testing.assert_series_equal(
                    pd.Series(got[column], index=sec.index, name=column),
                    pd.Series(want[column], index=sec.index, name=column),
                    check_exact=True,
                )
    # by hand (youzhi-2017): 200 primary students with 8 qualified teachers: 4.0 per 100 against 4.2,
    # missed; 8.4 teachers needed, so 1 whole teacher to add (integer_add); a section without students
    # has no value; an out-of-scope row adds nothing
    columns = {c: [1.0, 1.0, 1.0] for i in RuleSet("youzhi-2017").indicators for c in i.numerator}
    hand = pd.DataFrame(
        {
            "section": ["primary", "junior", "primary"],
            "in_scope": [True, True, False],
            "students": [200.0, 0.0, 50.0],
            "small_school": [False, False, False],
            **columns,
            "teachers_qualified": [8.0, 3.0, np.nan],
        }
    )
    new = _indicator_arrays(hand, RuleSet("youzhi-2017"), 2)[0]
    assert new["value_qualified_teachers_per100"][0] == 4.0 and not new["met_qualified_teachers_per100"][0]
    assert new["add_qualified_teachers_per100"].tolist() == [1.0, 0.0, 0.0]
    assert math.isnan(new["value_qualified_teachers_per100"][1]) and math.isnan(
        new["num_qualified_teachers_per100"][2]
    )
    assert new["ratio_qualified_teachers_per100"][0] == 4.0 / 4.2
    want = _indicator_series(hand, RuleSet("youzhi-2017"), 2)[0]
    for column, values in new.items():
        pd.testing.assert_series_equal(pd.Series(values), want[column].rename(None), check_exact=True)
