"""The engine's vectorised steps (issue #21) on small hand-computed cases: the urban-rural gap's Theil
split (STANDARDS.md §5, equity measures), the shortfall list and what a combined school adds
(STANDARDS.md §1 splitting, §3 Part R rule 1, §5 shortfall list), and the frames kept per evaluation."""

import math

import numpy as np
import pandas as pd
import pytest
from builders import COUNTY, school, write_tables

import junheng
from junheng.inputs.dataset import load
from junheng.method import equity
from junheng.method.evaluate import evaluate
from junheng.planning.gap import urban_rural_gap


def frame(rows):
    return pd.DataFrame(rows, columns=["g", "loc", "x", "w"])


def theil(xs, ws):
    mu = sum(x * w for x, w in zip(xs, ws, strict=True)) / sum(ws)
    return sum(w / sum(ws) * x / mu * math.log(x / mu) for x, w in zip(xs, ws, strict=True) if x > 0)


# -- the Theil split of the urban-rural gap (STANDARDS.md §5) ------------------------------------------
def test_theil_split_all_between_when_each_location_is_uniform():
    # urban x=2 (1 student), rural x=1 (1 and 2 students): μ = 5/4; within each location nothing differs
    out = equity.theil_split(
        frame([("a", "urban", 2, 1), ("a", "rural", 1, 1), ("a", "rural", 1, 2)]), ["g"], "loc"
    )
    total = 0.25 * 1.6 * math.log(1.6) + 0.75 * 0.8 * math.log(0.8)  # 0.0541154…
    assert out["theil_total"].iloc[0] == pytest.approx(total, rel=1e-12)
    # Σ s_g ln(μ_g/μ), s_g the locations' shares of the resource: urban 2/5, rural 3/5
    assert out["theil_between"].iloc[0] == pytest.approx(0.4 * math.log(1.6) + 0.6 * math.log(0.8), rel=1e-12)
    assert out["theil_between"].iloc[0] == pytest.approx(total, rel=1e-12)


def test_theil_split_nothing_between_when_location_means_are_equal():
    # urban 1 and 3 (1 student each), rural 2 (2 students): both means 2
    out = equity.theil_split(
        frame([("a", "urban", 1, 1), ("a", "urban", 3, 1), ("a", "rural", 2, 2)]), ["g"], "loc"
    )
    assert out["theil_total"].iloc[0] == pytest.approx(
        0.25 * 0.5 * math.log(0.5) + 0.25 * 1.5 * math.log(1.5)
    )
    assert out["theil_between"].iloc[0] == pytest.approx(0.0, abs=1e-15)


def test_theil_split_drops_zero_weights_and_counts_an_unlocated_school_in_the_total_only():
    rows = [("a", "urban", 2, 1), ("a", "rural", 1, 1), ("a", None, 4, 2), ("a", "rural", 100, 0)]
    out = equity.theil_split(frame(rows), ["g"], "loc")
    assert out["theil_total"].iloc[0] == pytest.approx(theil([2, 1, 4], [1, 1, 2]), rel=1e-12)
    mu = 11 / 4  # all three schools with students; the locations' students are 1 and 1 of them
    between = 0.5 * 2 / mu * math.log(2 / mu) + 0.5 * 1 / mu * math.log(1 / mu)
    assert out["theil_between"].iloc[0] == pytest.approx(between, rel=1e-12)


def test_theil_split_zero_mean_empty_and_several_groups():
    rows = [
        ("a", "urban", 0, 5),
        ("a", "rural", 0, 5),
        ("b", "urban", 2, 1),
        ("b", "rural", 1, 1),
        ("b", "rural", 1, 2),
    ]
    out = equity.theil_split(frame(rows), ["g"], "loc")
    assert out["g"].tolist() == ["a", "b"]
    assert (
        math.isnan(out["theil_total"].iloc[0]) and out["theil_between"].iloc[0] == 0.0
    )  # undefined, not 0/0
    assert out["theil_between"].iloc[1] == pytest.approx(0.4 * math.log(1.6) + 0.6 * math.log(0.8), rel=1e-12)
    empty = equity.theil_split(frame([]), ["g"], "loc")
    assert empty.empty and list(empty.columns) == ["g", "theil_total", "theil_between"]
    only_unlocated = equity.theil_split(frame([("a", None, 1, 1), ("a", None, 2, 1)]), ["g"], "loc")
    assert only_unlocated.empty  # nothing to split by, as `decomposition`


@pytest.mark.parametrize(
    "rows",
    [
        # ties and zeros; an unlocated school between located ones (pandas then adds with compensation)
        [
            ("a", "urban", 0.1, 7),
            ("a", "urban", 0.1, 33),
            ("a", "rural", 0.7, 120),
            ("a", None, 0.3, 1),
            ("a", "town", 0.0, 51.5),
            ("b", "rural", 7.7 / 3, 33),
            ("b", "urban", 3.3, 7),
            ("b", "urban", 0.001, 1),
        ],
        [
            ("a", "urban", 2.0, 1),
            ("a", "urban", 1.0, 33),
            ("a", "urban", 3.3, 1),
            ("a", "urban", 3.3, 7),
            ("a", "urban", 0.0, 120),
            ("a", None, 2.0, 7),
            ("a", "rural", 1.0, 1),
        ],
    ],
)
def test_theil_split_is_the_decomposition_to_the_last_bit(rows):
    df = frame(rows)
    full = equity.decomposition(df, ["g"], "loc")[["g", "theil_total", "theil_between"]]
    fast = equity.theil_split(df, ["g"], "loc")
    assert np.array_equal(full.to_numpy(), fast.to_numpy())


# -- the shortfall list (STANDARDS.md §3 Part R rule 1, §5) ---------------------------------------------
def county_years(tmp_path, schools):
    data = write_tables(tmp_path / "data", schools)
    ds = load(data)
    assert not [p for p in ds.problems if p.severity == "error"], [p.message() for p in ds.problems]
    return data, evaluate(ds).county(COUNTY, 2024)


def test_shortfall_rows_in_order_without_the_schools_out_of_scope(tmp_path):
    schools = [
        school("0123450001", students_primary=1000, teaching_space_m2=4000),  # R4 4.0: add 500 m²
        # R4 4.4 and R7 2.0 per 100: 2.3 × 1000 / 100 = 23 rooms needed, add 3
        school("0123450002", students_primary=1000, teaching_space_m2=4400, multimedia_rooms=20),
        # nine-year: 300 junior students, 12 qualified: 5.3 × 3 = 15.9 → add 4 (R1, the section's own)
        school(
            "0123450003", "nine_year", students_primary=200, students_junior=300, teachers_qualified_junior=12
        ),
        # a teaching point of 30 pupils is out of scope (STANDARDS.md §1): never in the list
        school("0123450004", "teaching_point", students_primary=30, teaching_space_m2=0, multimedia_rooms=0),
    ]
    _, result = county_years(tmp_path, schools)
    short = result.shortfall()
    assert list(short.columns) == [
        "school_code",
        "school_name",
        "section",
        "students",
        "indicator",
        "key",
        "value",
        "threshold",
        "gap",
        "add",
    ]
    assert list(zip(short["section"], short["indicator"], short["school_code"], strict=True)) == [
        ("junior", "R1", "0123450003"),
        ("primary", "R4", "0123450001"),
        ("primary", "R4", "0123450002"),
        ("primary", "R7", "0123450002"),
    ]
    assert short["value"].tolist() == pytest.approx([4.0, 4.0, 4.4, 2.0])
    assert short["gap"].tolist() == pytest.approx([1.3, 0.5, 0.1, 0.3])
    assert short["add"].tolist() == pytest.approx([4, 500, 100, 3])
    assert short["students"].tolist() == [300, 1000, 1000, 1000]


def test_shortfall_empty_when_every_threshold_is_met_and_under_the_2012_rules(tmp_path):
    data, result = county_years(tmp_path, [school("0123450001", students_primary=500)])
    short = result.shortfall()
    assert short.empty and "add" in short.columns
    assert evaluate(load(data), "jiben-2012").county(COUNTY, 2024).shortfall().empty  # no per-school standard


def test_a_combined_school_adds_for_the_whole_school(tmp_path):
    # nine-year school, 200 primary and 300 junior students, 1,000,000 yuan of equipment shared by weighted
    # students (STANDARDS.md §1): primary share 200 / 530, junior 330 / 530. Each section misses R6:
    # primary 1,886.79 < 2,000, junior 2,075.47 < 2,500. The whole school must reach 2,000 × 530 =
    # 1,060,000 for the primary section (60,000 more) and 2,500 × 300 × 530 / 330 = 1,204,545.45 for the
    # junior one (204,545.45 → 204,600, to the hundred yuan), not the sections' own 22,700 and 127,400
    data, _ = county_years(
        tmp_path,
        [
            school(
                "0123450001",
                "nine_year",
                students_primary=200,
                students_junior=300,
                equipment_value_yuan=1_000_000,
            )
        ],
    )
    c = junheng.county(COUNTY, 2024, data, report_date="2025-03-31")
    short = c.shortfalls.set_index(["section", "indicator"])
    assert short.loc[("primary", "R6"), "add"] == pytest.approx(60_000)
    assert short.loc[("junior", "R6"), "add"] == pytest.approx(204_600)
    assert short.loc[("junior", "R6"), "value"] == pytest.approx(1_000_000 * 330 / 530 / 300)


# -- a county's gap and targets, once per evaluation ----------------------------------------------------
def test_the_gap_is_kept_per_evaluation_and_each_caller_gets_its_own_copy(tmp_path):
    rows = [
        school("0123450001", students_primary=400, location="urban"),
        school("0123450002", students_primary=300, location="rural", teachers_backbone_primary=6),
    ]
    ev = evaluate(load(write_tables(tmp_path / "d", rows)))
    first = urban_rural_gap(ev, counties=[COUNTY])
    first.loc[:, "mean"] = -1.0  # a caller changing its frame changes no other caller's
    again = urban_rural_gap(ev, counties=[COUNTY])
    r2 = again[(again["section"] == "primary") & (again["indicator"] == "R2")].iloc[0]
    # R2 per 100: urban round(400 × 0.012) = 5 → 1.25; rural 6 / 300 → 2.0; the county 11 / 700
    assert (r2["mean_urban"], r2["mean_rural"], r2["mean"]) == pytest.approx((1.25, 2.0, 1100 / 700))
    assert urban_rural_gap(ev).equals(again)  # all counties: the same county's rows


def test_json_values_are_plain_python_and_strict():
    """The document's scalars (`_plain`): Python types, and no NaN or Infinity in strict JSON."""
    from junheng.method.items import _plain

    cases = [
        (1.5, 1.5),
        (float("nan"), None),
        (float("inf"), None),
        (float("-inf"), None),
        (np.float64(2.25), 2.25),
        (np.float64("inf"), None),
        (np.int64(3), 3),
        (True, True),
        (np.bool_(False), False),
        (7, 7),
        ("城区", "城区"),
        (pd.NA, None),
        (None, None),
    ]
    for value, expected in cases:
        got = _plain(value)
        assert got == expected and type(got) is type(expected), (value, got)
    listed = [1, np.float64(2)]
    assert _plain(listed) is listed  # lists and dicts as they are


def test_the_document_lists_each_school_once_with_its_indicators_and_the_excluded_with_a_reason(tmp_path):
    schools = [
        school("0123450001", students_primary=1000, teaching_space_m2=4000),  # R4 4.0 < 4.5: add 500 m²
        school("0123450002", students_primary=1000, teaching_space_m2=4600),
        school("0123450004", "teaching_point", students_primary=30),  # out of scope (STANDARDS.md §1)
    ]
    _, result = county_years(tmp_path, schools)
    doc = result.to_dict("en")
    resource = doc["parts"]["resource"]
    assert [s["school_code"] for s in resource["schools"]] == ["0123450001", "0123450002"]
    first = resource["schools"][0]["indicators"]["teaching_space_per_student"]
    assert first == {
        "value": 4.0,
        "threshold": 4.5,
        "met": False,
        "ratio": 4.0 / 4.5,
        "add": 500.0,
        "borderline": False,
    }
    assert resource["schools"][1]["indicators"]["teaching_space_per_student"]["value"] == pytest.approx(4.6)
    assert resource["schools"][1]["indicators"]["teaching_space_per_student"]["met"] is True
    assert resource["excluded"] == [
        {
            "school_code": "0123450004",
            "school_name": "学校0004",
            "section": "primary",
            "school_type": "teaching_point",
            "reason": "small_teaching_point",
            "message": "teaching point with fewer than 50 students (30)",
        }
    ]
    assert resource["accounting"] == {
        "input_schools": 3,
        "schools_set_aside": 0,
        "section_schools_evaluated": 2,
        "entries_excluded": 1,
        "schools_accounted": 3,
    }
    for part in ("guarantee", "quality", "survey", "vetoes", "prerequisite"):  # picked once, as each alone
        assert doc["parts"][part] == result._part_dict(part, "en"), part
