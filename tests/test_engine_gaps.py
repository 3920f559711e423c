"""Issue #11, items 6, 8 and 9: four gaps an independent re-implementation found, each with
hand-computed values (docs/method.md §3, 4: G3, G5, G6, G13; R scope)."""

import pytest
from builders import COUNTY, county_row, full_school, monitoring_rows, survey_rows, write_tables

from junheng.inputs.dataset import load
from junheng.method import equity
from junheng.method.evaluate import evaluate


def base_schools():
    return [
        full_school("0123450001", students_primary=600),
        full_school("0123450002", "junior", students_junior=800, location="town"),
    ]


def evaluated(tmp_path, schools):
    ds = load(
        write_tables(
            tmp_path / "d",
            schools,
            county=[county_row()],
            monitoring=monitoring_rows(),
            survey=survey_rows(),
        )
    )
    assert not [p for p in ds.problems if p.severity == "error"], [p.message() for p in ds.problems]
    return ds, evaluate(ds).county(COUNTY, 2024)


def item(result, item_id):
    items = result.items
    return items[items["id"] == item_id].iloc[0]


# -- item 6: a failing section fails the school (G5, and G3) ------------------------------------------
def test_g5_a_51_student_junior_class_fails_whatever_the_primary_cells_hold(tmp_path):
    nine = full_school("0123450003", "nine_year", students_primary=300, students_junior=200)
    nine.update(max_class_size_primary=None, oversized_classes_primary=None, max_class_size_junior=51)
    ds, res = evaluated(tmp_path, base_schools() + [nine])
    g5 = item(res, "G5")
    assert g5["status"] == "fail" and g5["value"] == 1  # one failing school: 51 > 50 (junior)
    assert [s["school_code"] for s in g5["schools"]] == ["0123450003"]
    assert res.to_dict()["status"] == "failed"
    # without the failing class the blank primary cells leave G5 not assessed, as before
    nine["max_class_size_junior"] = 48
    _, res = evaluated(tmp_path, base_schools() + [nine])
    g5 = item(res, "G5")
    assert g5["status"] == "not_assessed"
    assert [s["school_code"] for s in g5["evidence"]["schools_missing_data"]] == ["0123450003"]


def test_g3_a_school_without_a_music_room_fails_whatever_its_class_count(tmp_path):
    schools = base_schools()
    schools[0].update(classes_primary=None, music_rooms=0)  # at least one room is needed in any case
    _, res = evaluated(tmp_path, schools)
    assert item(res, "G3")["status"] == "fail" and item(res, "G3")["value"] == 1
    schools = base_schools()
    schools[1].update(classes_junior=None, art_room_min_m2=50)  # < 90 m² whatever the class count
    _, res = evaluated(tmp_path, schools)
    assert item(res, "G3")["status"] == "fail"
    schools = base_schools()
    schools[1].update(classes_junior=None)  # nothing fails: the class count is missing
    _, res = evaluated(tmp_path, schools)
    assert item(res, "G3")["status"] == "not_assessed"


# -- item 9: the 'ignored' warning and its effect agree --------------------------------------------
def test_junior_students_of_a_primary_school_are_ignored_everywhere(tmp_path):
    schools = base_schools()
    schools[0]["students_junior"] = 30  # a primary school given junior students
    ds, res = evaluated(tmp_path, schools)
    assert [p.message() for p in ds.problems if p.severity == "warning"] == [
        f"[警告] {ds.problems[0].file} › 工作表“schools.csv” › 第2行 › 列“初中在校生数（人）”："
        "小学不应有初中学生（30人），已忽略"
    ]
    assert item(res, "G5")["status"] == "pass"  # was not assessed: no junior class size given
    assert item(res, "G4")["evidence"]["schools_checked"] == 2
    assert res.to_dict()["status"] == "passed"


# -- item 8: a school without students is excluded, the county keeps its verdict -------------------
def test_a_school_with_zero_students_is_excluded_with_its_reason(tmp_path):
    closed = full_school("0123450003", students_primary=0, location="rural", public_funds_yuan=0)
    ds, res = evaluated(tmp_path, base_schools() + [closed])
    assert [(p.severity, p.code, p.row) for p in ds.problems if p.severity != "info"] == [
        ("warning", "zero_students", 4)
    ]
    doc = res.to_dict()
    assert doc["status"] == "passed" and doc["passed"] is True  # not 'invalid'
    assert doc["parts"]["resource"]["excluded"] == [
        {
            "school_code": "0123450003",
            "school_name": "学校0003",
            "section": "primary",
            "school_type": "primary",
            "reason": "no_students",
            "message": "学校无在校生",
        }
    ]
    # G6 (village schools under 100 funded as 100): a school without students is not one of them
    assert item(res, "G6")["status"] == "pass" and item(res, "G6")["evidence"]["small_schools"] == 0
    assert res.to_dict("en")["parts"]["resource"]["excluded"][0]["message"] == "school without students"


def test_a_nine_year_school_without_students_is_excluded_once_per_section(tmp_path):
    empty = full_school("0123450003", "nine_year", students_primary=0, students_junior=0)
    ds, res = evaluated(tmp_path, base_schools() + [empty])
    assert [p.code for p in ds.problems if p.severity == "warning"] == ["zero_students"]
    excluded = res.to_dict()["parts"]["resource"]["excluded"]
    assert [(e["section"], e["reason"]) for e in excluded] == [
        ("primary", "no_students"),
        ("junior", "no_students"),
    ]


# -- item 9: G13 judges the schools in Part R scope, like G3-G5, Q3, Q4, Q6 --------------------------
def test_g13_scope_is_part_r_scope(tmp_path):
    # an urban public teaching point of 40 students (out of scope: < 50) admits none of its 7 by catchment
    tp = full_school("0123450003", "teaching_point", students_primary=40, entrants_catchment_primary=0)
    assert tp["entrants_primary"] == 6
    _, res = evaluated(tmp_path, base_schools() + [tp])
    g13 = item(res, "G13")
    assert g13["status"] == "pass" and g13["evidence"]["primary_entrants"] == 100  # 600 // 6, its own
    # at 60 students it is in scope: primary 100 / (100 + 10) = 0.909 < 100%
    tp = full_school("0123450003", "teaching_point", students_primary=60, entrants_catchment_primary=0)
    _, res = evaluated(tmp_path, base_schools() + [tp])
    g13 = item(res, "G13")
    assert g13["status"] == "fail" and g13["value"] == pytest.approx(100 / 110, abs=1e-12)


# -- identical values: a coefficient of exactly 0 ---------------------------------------------------
def test_identical_values_give_a_coefficient_of_exactly_zero(tmp_path):
    assert equity.difference_coefficient([10 / 3] * 3, [1, 1, 7]) == 0.0  # was 1.3e-16
    assert equity.difference_coefficient([1, 2, 3], [1, 1, 7]) == pytest.approx(0.25, abs=1e-15)
    # through the engine: 10/3 m² of teaching space per student in every school
    schools = [
        full_school(f"012345000{i}", students_primary=n, teaching_space_m2=n * 10 / 3)
        for i, n in ((1, 300), (2, 300), (3, 2100))
    ]
    _, res = evaluated(tmp_path, schools)
    cv = res.coefficients.set_index(["section", "indicator"])
    assert cv.loc[("primary", "R4"), "cv"] == 0.0
    assert cv.loc[("primary", "R4"), "mean"] == 10 / 3
