"""The bundled sample province (issue #3): every county-year tells the story it was designed for,
the broken examples show their messages, and the sample regenerates bit-identically."""

from pathlib import Path

import pytest

from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
from junheng.sample.invalid_examples import DEFECTS, FOLDER_DEFECTS, example_path
from junheng.sample.sample_province import COUNTIES, SEED, YEARS, write_sample

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
INVALID = ROOT / "data" / "examples" / "invalid"


@pytest.fixture(scope="module")
def ev():
    ds = load(SAMPLE)
    assert not [p for p in ds.problems if p.severity != "info"], [p.message() for p in ds.problems][:5]
    return evaluate(ds)


def verdict(ev, code, year):
    v = ev.verdicts
    return v[(v["county_code"] == code) & (v["year"] == year)].iloc[0]


def failing_coefficients(ev, code, year):
    cv = ev.resource.cv
    mine = cv[(cv["county_code"] == code) & (cv["year"] == year)]
    return sorted((r.section, r.indicator) for r in mine.itertuples() if not r.passed)


def failing_schools(ev, code, year):
    s = ev.resource.schools
    mine = s[(s["county_code"] == code) & (s["year"] == year) & s["in_scope"]]
    return int((~mine["school_passed"].astype(bool)).sum())


def failing_items(ev, code, year):
    it = ev.items
    mine = it[(it["county_code"] == code) & (it["year"] == year) & (it["part"] != "prerequisite")]
    return sorted(mine.loc[mine["status"] == "fail", "id"])


def test_the_province_has_ten_counties_over_four_years(ev):
    assert len(ev.verdicts) == 40
    assert set(ev.verdicts["year"]) == set(YEARS)
    assert all(code.startswith("99") for code, *_ in COUNTIES)
    counts = ev.dataset.schools.groupby(["county_code", "year"]).size()
    assert counts.between(40, 120).all()


@pytest.mark.parametrize("year", YEARS)
def test_minghu_passes_every_part(ev, year):
    v = verdict(ev, "990102", year)
    assert v["status"] == "passed"
    assert failing_schools(ev, "990102", year) == 0 and not failing_coefficients(ev, "990102", year)


@pytest.mark.parametrize("year", YEARS)
def test_qingyuan_fails_only_one_coefficient(ev, year):
    assert verdict(ev, "990181", year)["status"] == "failed"
    assert failing_coefficients(ev, "990181", year) == [("junior", "R5")]
    assert failing_schools(ev, "990181", year) == 0 and failing_items(ev, "990181", year) == []


@pytest.mark.parametrize("year", YEARS)
def test_pingchuan_has_a_handful_of_schools_below_the_6_of_7_rule(ev, year):
    assert failing_schools(ev, "990121", year) == 4
    assert not failing_coefficients(ev, "990121", year) and failing_items(ev, "990121", year) == []


def test_heyang_is_borderline_in_2024(ev):
    cv = ev.resource.cv
    r6 = cv[
        (cv["county_code"] == "990122")
        & (cv["year"] == 2024)
        & (cv["section"] == "primary")
        & (cv["indicator"] == "R6")
    ].iloc[0]
    assert 0.495 <= r6["cv"] < 0.50 and r6["borderline"] and r6["passed"]
    assert verdict(ev, "990122", 2024)["status"] == "passed"


def test_shimen_improves_year_by_year_into_passing(ev):
    fails = [failing_schools(ev, "990123", y) + len(failing_coefficients(ev, "990123", y)) for y in YEARS]
    assert fails == sorted(fails, reverse=True) and fails[0] > fails[-1] == 0
    assert [verdict(ev, "990123", y)["status"] for y in YEARS] == ["failed", "failed", "failed", "passed"]
    s = ev.dataset.schools
    mine = s[(s["county_code"] == "990123") & (s["year"] == 2024)]
    assert (mine["school_type"] == "teaching_point").sum() >= 20  # a mountain county
    assert ((mine["school_type"] == "teaching_point") & (mine["students_primary"] < 50)).any()


@pytest.mark.parametrize("year", YEARS)
def test_xingang_fails_the_survey_only(ev, year):
    assert failing_items(ev, "990124", year) == ["S"] and failing_schools(ev, "990124", year) == 0
    s = ev.dataset.schools
    mine = s[(s["county_code"] == "990124") & (s["year"] == year)]
    assert mine["migrant_students"].sum() > 0


def test_liuxi_incomplete_workbook_still_gets_part_r(ev):
    v = verdict(ev, "990125", 2024)
    assert v["status"] == "incomplete" and v["resource"] == "pass" and v["guarantee"] == "not_assessed"
    doc = ev.county("990125", 2024).to_dict()
    assert doc["passed"] is None
    assert sum(p["code"] == "missing_table" for p in doc["problems"]) == 3


@pytest.mark.parametrize(
    "code, items", [("990126", ["G11", "G5"]), ("990127", ["Q9"]), ("990128", ["key_schools"])]
)
def test_guarantee_quality_and_veto_stories(ev, code, items):
    for year in YEARS:
        assert failing_items(ev, code, year) == items and verdict(ev, code, year)["status"] == "failed"
        assert failing_schools(ev, code, year) == 0 and not failing_coefficients(ev, code, year)


def test_same_name_schools_of_the_sample_lie_in_different_townships(ev):
    # issue #19: the sample fills 乡镇（街道） so that every pair of same-name schools of a county-year is
    # told apart by it (the names repeat every 30 school numbers)
    s = ev.dataset.schools
    assert s["township"].notna().all()
    groups = s.groupby(["county_code", "year", "school_name"])
    shared = groups["school_code"].transform("nunique") > 1
    assert shared.sum() > 100  # there are many
    per_place = s[shared].groupby(["county_code", "year", "school_name", "township"])["school_code"].nunique()
    assert (per_place == 1).all()
    # a school keeps its township from year to year
    assert (s.groupby("school_code")["township"].nunique() == 1).all()


def test_every_school_is_accounted_for(ev):
    s = ev.dataset.schools
    sec = ev.resource.schools
    assert set(zip(s["county_code"], s["year"], s["school_code"], strict=True)) == set(
        zip(sec["county_code"], sec["year"], sec["school_code"], strict=True)
    )
    excluded = sec[~sec["in_scope"]]
    assert set(excluded["exclusion"]) == {"special", "small_teaching_point"}


@pytest.mark.parametrize("stem, what, code, edit", DEFECTS, ids=[d[0] for d in DEFECTS])
def test_broken_examples_show_their_message(stem, what, code, edit):
    path = example_path(INVALID, stem)
    ds = load(path)
    found = [p for p in ds.problems if p.code == code]
    assert found, [p.message() for p in ds.problems]
    assert all(p.file.endswith(path.name) for p in found)
    others = [p for p in ds.problems if p.severity == "error" and p.code != code]
    assert not others, [p.message() for p in others]  # one defect, one message
    noise = [p for p in ds.problems if p.severity == "warning" and p.code != code]
    assert not noise, [p.message() for p in noise]


@pytest.mark.parametrize("name, what, codes, build", FOLDER_DEFECTS, ids=[d[0] for d in FOLDER_DEFECTS])
def test_broken_example_folders_show_their_messages(name, what, codes, build):
    ds = load(INVALID / name)
    for severity, expected in codes.items():
        found = {p.code for p in ds.problems if p.severity == severity}
        assert set(expected) <= found, [p.message() for p in ds.problems]
    errors = {p.code for p in ds.problems if p.severity == "error"}
    assert errors == set(codes.get("error", [])), [p.message() for p in ds.problems]


def test_sample_regenerates_bit_identically(tmp_path):
    from junheng.sample.invalid_examples import write_invalid_examples

    written = write_sample(tmp_path, SEED, only=[("990102", 2024), ("990123", 2021), ("990126", 2022)])
    for path in written:
        assert path.read_bytes() == (SAMPLE / path.name).read_bytes(), path.name
    examples = write_invalid_examples(tmp_path / "990102_2024.xlsx", tmp_path / "invalid")
    for path in examples:
        if path.is_file():  # every broken workbook, including those edited after saving
            assert path.read_bytes() == (INVALID / path.name).read_bytes(), path.name
    # and nothing else: a renamed example leaves no stale copy behind in the committed folder
    assert {p.name for p in INVALID.iterdir()} == {p.name for p in examples} | {"README.md"}


# -- plan targets (issue #12) ------------------------------------------------------------------------
PLANS = {
    # 石门县: three-year plan 2022-2024 in data/sample/targets.yaml: on track, everything met by 2024
    ("990123", "SM1"): ["not_due", "not_due", "not_due", "met"],  # passes the evaluation by 2024
    ("990123", "SM2"): ["not_due", "on_track", "on_track", "met"],  # 100% of schools 6 of 7
    ("990123", "SM3"): ["not_due", "on_track", "met", "met"],  # primary R4 coefficient <= 0.50 by 2023
    ("990123", "SM4"): ["not_due", "on_track", "on_track", "met"],  # 85% digital campuses (own column)
    ("990123", "SM5"): ["not_due", "on_track", "on_track", "met"],  # 8.5 computers per 100 students
    ("990123", "SM6"): ["met", "met", "met", "met"],  # 95% of rural schools meet R6
    # 云岭县: five-year plan 2021-2025 in the 规划目标 sheet of its workbooks: not on track
    ("990126", "YL1"): ["not_due", "off_track", "missed", "missed"],  # rotation >= 10% by 2023 (G11)
    ("990126", "YL2"): ["not_due", "off_track", "off_track", "missed"],  # no oversized classes by 2024 (G5)
    ("990126", "YL3"): ["not_due", "off_track", "off_track", "off_track"],  # rural backbone share >= urban
    ("990126", "YL4"): ["not_due", "off_track", "off_track", "off_track"],  # rural qualified share >= urban
    ("990126", "YL5"): ["met", "met", "met", "met"],  # 8.5 computers per 100 students by 2023
    ("990126", "YL6"): ["not_due", "not_due", "not_due", "not_due"],  # passes the evaluation by 2025
}


def test_two_sample_counties_follow_their_action_plans(ev):
    from junheng.planning.targets import evaluate_targets

    frame = evaluate_targets(ev)
    statuses = frame.groupby(["county_code", "target_id"], sort=False)["status"].agg(list).to_dict()
    assert statuses == PLANS
    sources = {(t.county_code, Path(t.where.file).name, t.where.sheet) for t in ev.dataset.targets}
    assert sources == {("990123", "targets.yaml", ""), ("990126", "990126_2024.xlsx", "规划目标")}
    doc = ev.county("990123", 2024).to_dict()
    assert [t["status"] for t in doc["targets"]] == ["met"] * 6
    assert ev.county("990102", 2024).to_dict()["targets"] == []
