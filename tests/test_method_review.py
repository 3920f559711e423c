"""Defects found while writing docs/method.md, each pinned with hand-computed values: Q9 rows and
survey groups without their figures (D35), the tolerance in Parts G, Q and S (D1; G6, Q4, and the
Part R example of tolerance.py), the scope of G9 / G12 (D12, D18, D34), G7 without
special-education students (D17), the 2012 comparison's overlays (D36) and county rows without
schools (§1.1)."""

import collections
import json
import types

import numpy as np
import pandas as pd
import pytest
from builders import COUNTY, county_row, full_school, monitoring_rows, school, survey_rows, write_tables

from junheng.inputs.dataset import load
from junheng.method import tolerance
from junheng.method.evaluate import evaluate
from junheng.method.items import at_least
from junheng.method.rules import RuleSet


def base_schools():
    # 600 primary students (48 teachers), 800 junior students (64 teachers)
    return [
        full_school("0123450001", students_primary=600),
        full_school("0123450002", "junior", students_junior=800, location="town"),
    ]


def load_tables(tmp_path, schools=None, county=None, monitoring=None, survey=None):
    return load(
        write_tables(
            tmp_path / "d",
            schools if schools is not None else base_schools(),
            county=county if county is not None else [county_row()],
            monitoring=monitoring if monitoring is not None else monitoring_rows(),
            survey=survey if survey is not None else survey_rows(),
        )
    )


def errors(ds):
    return [(p.code, p.county_code, p.year) for p in ds.problems if p.severity == "error"]


def warnings(ds):
    return [(p.code, p.row) for p in ds.problems if p.severity == "warning"]


def run(tmp_path, overlays=(), **kw):
    ds = load_tables(tmp_path, **kw)
    assert not errors(ds), [p.message() for p in ds.problems]
    return evaluate(ds, "youzhi-2017", overlays).county(COUNTY, 2024)


def item(result, item_id):
    items = result.items
    return items[items["id"] == item_id].iloc[0]


# The tables of each case (a county of its own): the `batch` fixture evaluates them together
CASES: dict = {}
TABLES = ("schools", "county", "monitoring", "survey")


def case(name, schools=None, county=None, monitoring=None, survey=None):
    CASES[name] = {
        "schools": schools if schools is not None else base_schools(),
        "county": county if county is not None else [county_row()],
        "monitoring": monitoring if monitoring is not None else monitoring_rows(),
        "survey": survey if survey is not None else survey_rows(),
    }
    return name


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict:
    """Per case of CASES: its county's result, and its errors and warnings as `errors` and `warnings`
    give them for the case alone (the county code COUNTY, the row in the case's own table). Each case is
    the county of its own code (0124NN, its schools' codes kept) in one data folder evaluated once
    (issue #21: one evaluation instead of one per case). A county's items are computed from its own
    rows alone: test_a_county_of_the_batch_is_evaluated_as_alone checks cases against `run`."""
    merged, codes, first_row = collections.defaultdict(list), {}, {}
    for n, (name, tables) in enumerate(CASES.items()):
        codes[name] = f"0124{n:02d}"
        first_row[codes[name]] = {f"{t}.csv": len(merged[t]) for t in TABLES}
        for t in TABLES:
            merged[t] += [dict(r, county_code=codes[name]) for r in tables[t]]
    ds = load(write_tables(tmp_path_factory.mktemp("review") / "d", merged.pop("schools"), **merged))
    ev = evaluate(ds)
    # every error or warning is of a case's county
    assert not [p for p in ds.problems if p.severity != "info" and p.county_code not in first_row]

    def row(p):  # the row of a problem of a case's county in the case's own table
        return p.row - first_row[p.county_code][p.sheet] if p.row is not None else None

    out = {}
    for name, code in codes.items():
        mine = [p for p in ds.problems if p.county_code == code]
        out[name] = types.SimpleNamespace(
            result=ev.county(code, 2024),
            errors=[(p.code, COUNTY, p.year) for p in mine if p.severity == "error"],
            warnings=[(p.code, row(p)) for p in mine if p.severity == "warning"],
        )
    return out


# -- Q9 and S: monitoring rows and survey groups without their figures (D35) -----------------------
def monitoring_2022(**changes_of_first_row):
    rows = [dict(r, year=2022) for r in monitoring_rows()]  # 4 rows: 小学/初中 × 数学/语文, all passing
    rows[0].update(changes_of_first_row)
    return rows


@pytest.mark.parametrize("level, error", [("优", "unknown_enum"), (None, "required_value")])
def test_q9_a_bad_level_in_an_earlier_monitoring_year_is_not_assessed_never_a_crash(tmp_path, level, error):
    # 2022 monitoring serves the 2024 evaluation (latest year ≤ 2024). Its invalid cell is an error of
    # 2022, a year without schools: it blocks no verdict, so the 2024 engine run meets the blank level.
    other = "012346"  # a second county, fine: the engine used to crash for every county at once
    schools = base_schools() + [
        dict(s, county_code=other, school_code="012346" + s["school_code"][6:]) for s in base_schools()
    ]
    monitoring = monitoring_2022(level=level) + [dict(r, county_code=other) for r in monitoring_rows()]
    county = [county_row(), county_row(county_code=other)]
    survey = survey_rows() + [dict(r, county_code=other) for r in survey_rows()]
    ds = load_tables(tmp_path, schools=schools, county=county, monitoring=monitoring, survey=survey)
    assert errors(ds) == [(error, COUNTY, 2022)]
    ev = evaluate(ds)
    res = ev.county(COUNTY, 2024)
    q9 = item(res, "Q9")
    assert q9["status"] == "not_assessed" and q9["value"] == 0  # no failing row; one row unknown
    assert q9["evidence"]["monitoring_year"] == 2022
    first = q9["evidence"]["subjects"][0]
    assert (first["level"], first["difference_rate"], first["passed"]) == (None, 0.10, None)
    assert [s["passed"] for s in q9["evidence"]["subjects"][1:]] == [True, True, True]
    doc = res.to_dict()
    json.dumps(doc, allow_nan=False)  # the evidence is plain JSON
    assert doc["status"] == "incomplete" and doc["parts"]["quality"]["status"] == "not_assessed"
    assert ev.county(other, 2024).to_dict()["status"] == "passed"


Q9_FAILING = case("q9-failing", monitoring=monitoring_2022(level=None))
CASES[Q9_FAILING]["monitoring"][3]["level"] = "中等"  # level II < III


def test_q9_a_failing_subject_decides_even_when_another_row_lacks_its_level(batch):
    q9 = item(batch[Q9_FAILING].result, "Q9")
    assert q9["status"] == "fail" and q9["value"] == 1
    assert [s["passed"] for s in q9["evidence"]["subjects"]] == [None, True, True, False]


Q9_NO_RATE = case("q9-no-rate", monitoring=monitoring_2022(difference_rate=None))
Q9_NO_RATE_LEVEL_I = case(
    "q9-no-rate-level-i", monitoring=monitoring_2022(difference_rate=None, level="待提高")
)
Q9_NO_LEVEL_RATE = case("q9-no-level-rate-0.2", monitoring=monitoring_2022(level=None, difference_rate=0.2))


def test_q9_a_missing_difference_rate_is_not_assessed_unless_the_level_fails(batch):
    assert batch[Q9_NO_RATE].errors == [("required_value", COUNTY, 2022)]
    assert item(batch[Q9_NO_RATE].result, "Q9")["status"] == "not_assessed"
    q9 = item(batch[Q9_NO_RATE_LEVEL_I].result, "Q9")
    assert q9["status"] == "fail" and q9["value"] == 1  # level I fails whatever the rate
    q9 = item(batch[Q9_NO_LEVEL_RATE].result, "Q9")
    assert q9["status"] == "fail" and q9["value"] == 1  # 0.2 ≥ 0.15 fails whatever the level


def test_s_blank_answer_counts_are_located_errors_and_never_a_crash(tmp_path):
    # a 2023 survey row without its valid answers: an error of 2023; the 2024 county-year is
    # evaluated as usual (the engine used to stop on int(NaN) for every county)
    survey = survey_rows() + [dict(r, year=2023) for r in survey_rows()]
    survey[-1]["valid_answers"] = None
    ds = load_tables(tmp_path, survey=survey)
    assert errors(ds) == [("required_value", COUNTY, 2023)]
    assert [(p.sheet, p.row, p.column) for p in ds.problems if p.severity == "error"] == [
        ("survey.csv", 7, "有效问卷数（份）")
    ]
    res = evaluate(ds).county(COUNTY, 2024)
    assert item(res, "S")["status"] == "pass" and item(res, "S")["value"] == pytest.approx(0.9)


# -- the tolerance of Parts G, Q, S (D1) ---------------------------------------------------------------
def test_tolerance_treats_binary_error_as_equality():
    # decimal equality that binary floating point breaks, in both directions
    assert 0.7 + 0.1 < 0.8 and 0.1 + 0.2 > 0.3
    assert tolerance.reaches(0.7 + 0.1, 0.8) and tolerance.within(0.1 + 0.2, 0.3)
    assert not tolerance.below(0.7 + 0.1, 0.8)  # 0.7999999999999999 is 0.8: not below it
    assert not tolerance.exceeds(0.1 + 0.2, 0.3)  # 0.30000000000000004 is 0.3: not above it
    # a real difference, however small in decimal terms, still counts
    assert not tolerance.reaches(0.7999, 0.8) and tolerance.below(0.149999, 0.15)
    assert tolerance.exceeds(0.300001, 0.3) and not tolerance.within(0.300001, 0.3)


def test_county_items_compare_with_the_tolerance():
    # every "at least" item of G, Q, S goes through items.at_least (G7, G11, G14, G15, Q1, Q2, Q5,
    # Q7, Q8, S): 0.7 + 0.1 is 0.8
    status = at_least(pd.Series([0.7 + 0.1, 0.7999, np.nan]), 0.8)
    assert status.tolist() == ["pass", "fail", "not_assessed"]


def g6_case(name, funds):
    village = full_school("0123450003", students_primary=60, location="rural", public_funds_yuan=funds)
    return case(
        name, schools=base_schools() + [village], county=[county_row(public_funds_benchmark_yuan=5002.1)]
    )


G6_AT = g6_case("g6-at", 500_210)
G6_SHORT = g6_case("g6-short", 500_209.9)  # 10 fen short


def test_g6_funded_exactly_at_the_benchmark_times_100_meets_it(batch):
    # benchmark 5,002.1 yuan × 100 students = 500,210 yuan, which computes as 500210.00000000006
    assert 5002.1 * 100 > 500_210
    g6 = item(batch[G6_AT].result, "G6")
    assert g6["status"] == "pass" and g6["value"] == 0 and g6["evidence"]["small_schools"] == 1
    g6 = item(batch[G6_SHORT].result, "G6")
    assert g6["status"] == "fail" and g6["value"] == 1
    assert g6["schools"][0]["required_yuan"] == pytest.approx(500_210, abs=1e-6)


def q4_case(name, training):
    schools = base_schools()
    schools[0].update(public_funds_yuan=600_002.0, training_funds_yuan=training)
    return case(name, schools=schools)


Q4_AT = q4_case("q4-at", 30_000.10)
Q4_SHORT = q4_case("q4-short", 30_000.09)  # 1 fen short of 5%


def test_q4_training_funds_of_exactly_5_percent_meet_it(batch):
    # 30,000.10 / 600,002 yuan is exactly 5%; in binary 0.049999999999999996
    assert 30_000.10 / 600_002 < 0.05
    q4 = item(batch[Q4_AT].result, "Q4")
    assert q4["status"] == "pass" and q4["value"] == 0
    q4 = item(batch[Q4_SHORT].result, "Q4")
    assert q4["status"] == "fail" and q4["value"] == 1
    assert q4["schools"][0]["training_share"] == pytest.approx(30_000.09 / 600_002, abs=1e-15)


# a nine-year school, 110 primary and 130 junior students, 1,334 m² of teaching space: junior
# share 143/253, so 754 m² for 130 students = 5.8 m² exactly (R4 junior threshold); in binary
# 5.799999999999999
R4_AT = case(
    "r4-at", schools=base_schools() + [school("0123450003", "nine_year", 110, 130, teaching_space_m2=1334.0)]
)
# 1,333 × 143/253 / 130 = 5.7957
R4_SHORT = case(
    "r4-short",
    schools=base_schools() + [school("0123450003", "nine_year", 110, 130, teaching_space_m2=1333.0)],
)


def test_part_r_the_tolerance_example_of_resource_py(batch):
    res = batch[R4_AT].result
    row = res.section_schools.set_index(["school_code", "section"]).loc[("0123450003", "junior")]
    assert row["value_teaching_space_per_student"] < 5.8
    assert row["value_teaching_space_per_student"] == pytest.approx(5.8, abs=1e-12)
    assert row["met_teaching_space_per_student"]
    res = batch[R4_SHORT].result
    row = res.section_schools.set_index(["school_code", "section"]).loc[("0123450003", "junior")]
    assert not row["met_teaching_space_per_student"]


# -- G9 / G12: the compulsory-education schools' primary and junior teachers (D12, D18, D34) ----------
def left_out_case(kind):
    # blank figures, or figures above the (blank, hence 0) section teacher counts: neither matters
    blank = full_school("0123450003", kind, teachers_trained_360h=None, teachers_certified=None)
    counted = full_school("0123450004", kind, teachers_trained_360h=25, teachers_certified=30)
    for extra in (blank, counted):
        extra.update(students_primary=40, teachers_primary=None, teachers_junior=None)
    # nor primary teachers of whom only half are trained and certified: counted, it would fail G9, G12
    short = full_school("0123450005", kind, students_primary=40, teachers_primary=10, teachers_junior=None)
    short.update(teachers_trained_360h=5, teachers_certified=5)
    return case(f"g9-g12-{kind}", schools=base_schools() + [blank, counted, short])


G9_G12_LEFT_OUT = {kind: left_out_case(kind) for kind in ("special", "vocational")}


@pytest.mark.parametrize("kind", ["special", "vocational"])
def test_g9_g12_leave_special_and_vocational_schools_out(batch, kind):
    res = batch[G9_G12_LEFT_OUT[kind]].result
    for item_id, column in (("G9", "teachers_trained_360h"), ("G12", "teachers_certified")):
        it = item(res, item_id)
        assert it["status"] == "pass" and it["value"] == 1.0
        assert it["evidence"]["teachers"] == 48 + 64 and it["evidence"][column] == 48 + 64
        assert it["evidence"]["schools_checked"] == 2
    assert res.to_dict()["status"] == "passed"


# a teaching point of 40 pupils (out of Part R: < 50) with 3 teachers, 2 of them trained
TEACHING_POINT = full_school("0123450003", "teaching_point", students_primary=40, location="rural")
G9_TEACHING_POINT = case(
    "g9-teaching-point", schools=base_schools() + [dict(TEACHING_POINT, teachers_trained_360h=2)]
)


def test_g9_judges_schools_out_of_part_r_scope_too(batch):
    assert TEACHING_POINT["teachers_primary"] == 3
    g9 = item(batch[G9_TEACHING_POINT].result, "G9")
    assert g9["status"] == "fail" and g9["value"] == pytest.approx((48 + 64 + 2) / (48 + 64 + 3))
    assert [s["school_code"] for s in g9["schools"]] == ["0123450003"]


CLOSED = full_school("0123450003", students_primary=0, location="rural", public_funds_yuan=0)
CLOSED.update(teachers_trained_360h=None, teachers_certified=None)
G9_G12_CLOSED = case("g9-g12-closed", schools=base_schools() + [CLOSED])


def test_g9_g12_a_school_without_teachers_has_nothing_to_judge(batch):
    res = batch[G9_G12_CLOSED].result
    assert item(res, "G9")["status"] == "pass" and item(res, "G12")["status"] == "pass"


SENIOR = {"complete_middle": {}, "twelve_year": {"students_primary": 300}}


def senior_school(kind):
    return full_school("0123450003", kind, students_junior=800, students_senior=600, **SENIOR[kind])


def senior_teachers(kind):
    cm = senior_school(kind)
    return cm["teachers_primary"] + cm["teachers_junior"]  # 64 junior (+ 24 primary)


def g12_case(kind, more, **changes):
    schools = base_schools() + [dict(senior_school(kind), teachers_certified=senior_teachers(kind) + more)]
    schools[0].update(changes)
    return case(f"g12-{kind}-{more:+d}-{len(changes)}", schools=schools)


G12_SENIOR = {
    kind: [g12_case(kind, 0), g12_case(kind, -1), g12_case(kind, 6), g12_case(kind, 6, teachers_certified=47)]
    for kind in SENIOR
}


@pytest.mark.parametrize(
    "kind, students", [("complete_middle", {}), ("twelve_year", {"students_primary": 300})]
)
def test_g12_at_a_school_with_a_senior_section(batch, kind, students):
    assert SENIOR[kind] == students
    teachers = senior_teachers(kind)
    assert teachers == (88 if students else 64)

    def g12(case_name):
        case = batch[case_name]
        assert not case.errors
        return case, item(case.result, "G12")

    every, one_short, above, above_and_other = G12_SENIOR[kind]
    ds, it = g12(every)  # every primary and junior teacher certified
    assert it["status"] == "pass" and it["value"] == 1.0 and not ds.warnings
    ds, it = g12(one_short)  # one uncertified, whatever the senior section holds
    assert it["status"] == "fail" and it["value"] == pytest.approx((112 + teachers - 1) / (112 + teachers))
    # above the primary + junior teachers: senior teachers counted, so it proves nothing for G12
    ds, it = g12(above)
    assert ds.warnings == [("subset_exceeds_senior", 4)]
    assert it["status"] == "not_assessed"
    assert [s["school_code"] for s in it["evidence"]["schools_missing_data"]] == ["0123450003"]
    assert it["value"] == 1.0 and it["evidence"]["teachers"] == 112  # the other two schools
    ds, it = g12(above_and_other)  # another school fails: the item fails
    assert it["status"] == "fail" and [s["school_code"] for s in it["schools"]] == ["0123450001"]


# -- G7 without special-education students (D17) -------------------------------------------------------
G7_NONE = {
    funds: case(f"g7-none-{funds}", county=[county_row(special_students=0, special_public_funds_yuan=funds)])
    for funds in (0, None)
}


@pytest.mark.parametrize("funds", [0, None])
def test_g7_does_not_apply_to_a_county_without_special_education_students(batch, funds):
    res = batch[G7_NONE[funds]].result
    g7 = item(res, "G7")
    assert g7["status"] == "pass" and res.to_dict()["status"] == "passed"
    doc = next(i for i in res.to_dict()["parts"]["guarantee"]["items"] if i["id"] == "G7")
    assert doc["value"] is None  # no ratio: nothing to fund
    assert doc["evidence"]["applies"] is False and doc["evidence"]["special_school_students_listed"] == 0


SPECIAL = school("0123450003", "special", students_primary=40, students_junior=20)
G7_BLANK = case("g7-blank", county=[county_row(special_students=None)])
# the county says 0, its schools table lists a special-education school with 60 students
G7_SAYS_0 = case("g7-says-0", schools=base_schools() + [SPECIAL], county=[county_row(special_students=0)])
# with its figures: 700,000 yuan / 100 students = 7,000 ≥ 6,000
G7_FIGURES = case("g7-figures", schools=base_schools() + [SPECIAL])


def test_g7_blank_students_or_a_listed_special_school_leave_it_not_assessed(batch):
    res = batch[G7_BLANK].result
    assert item(res, "G7")["status"] == "not_assessed"
    res = batch[G7_SAYS_0].result
    g7 = item(res, "G7")
    assert g7["status"] == "not_assessed" and g7["evidence"]["special_school_students_listed"] == 60
    res = batch[G7_FIGURES].result
    assert item(res, "G7")["status"] == "pass" and item(res, "G7")["value"] == 7000


# -- the 2012 comparison of a report uses the overlays that apply to it --------------------------------
def test_the_2012_comparison_uses_the_overlays_that_apply_to_jiben_2012(tmp_path):
    from junheng.report.county import evaluated

    private = full_school("0123450003", students_primary=500, ownership="private")
    path = write_tables(tmp_path / "d", base_schools() + [private], county=[county_row()])
    _, rules, ev, basic = evaluated(path, COUNTY, "youzhi-2017", ("exclude-private", "liaoning"))
    assert [o["id"] for o in rules.overlays] == ["exclude-private", "liaoning"]
    assert basic.rules.id == "jiben-2012" and [o["id"] for o in basic.rules.overlays] == ["exclude-private"]
    for evaluation in (ev, basic):
        sec = evaluation.resource.schools
        assert sec.loc[sec["school_code"] == "0123450003", "exclusion"].tolist() == ["private_excluded"]
    # as shipped without overlays: the private school is in
    _, _, _, basic = evaluated(path, COUNTY, "youzhi-2017", ())
    sec = basic.resource.schools
    assert sec.loc[sec["school_code"] == "0123450003", "in_scope"].tolist() == [True]


def test_for_rules_keeps_only_overlays_declaring_the_rule_set():
    rules = RuleSet("youzhi-2017", ("liaoning", "exclude-private"))
    assert rules.overlays_for("jiben-2012") == ("exclude-private",)
    assert rules.overlays_for("youzhi-2017") == ("liaoning", "exclude-private")
    assert rules.for_rules("jiben-2012").options["include_private"] is False


# -- a county-sheet row without schools is said, not dropped ------------------------------------------
def test_a_county_row_without_schools_is_a_located_warning(tmp_path):
    ds = load_tables(tmp_path, county=[county_row(), county_row(year=2023)])
    (problem,) = [p for p in ds.problems if p.severity != "info"]
    assert (problem.severity, problem.code, problem.sheet, problem.row) == (
        "warning",
        "county_without_schools",
        "county.csv",
        3,
    )
    assert (problem.county_code, problem.year) == (COUNTY, 2023)
    assert problem.message().endswith(
        "第3行：县级指标表中有012345（2023年）的数据，但学校表中没有该县该年度的学校：该行未使用"
    )
    assert problem.message("en").endswith(
        "county-level row for 012345 (2023) but no school of that county and year in the schools table: "
        "the row is not used"
    )
    ev = evaluate(ds)
    assert ev.verdicts[["county_code", "year", "status"]].values.tolist() == [[COUNTY, 2024, "passed"]]


# -- the batch --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name", [Q9_NO_RATE, Q9_FAILING, G6_SHORT, Q4_SHORT, G12_SENIOR["twelve_year"][2], G7_SAYS_0]
)
def test_a_county_of_the_batch_is_evaluated_as_alone(tmp_path, batch, name):
    """A monitoring error and a failing subject, county and school funds, a located warning, a listed
    special school: the same JSON (items, evidence, verdicts; but the county code and the problems'
    file), the same errors and the same warnings at the same rows as the case's county evaluated alone."""
    ds = load_tables(tmp_path, **CASES[name])
    alone, among = evaluate(ds).county(COUNTY, 2024), batch[name]
    assert (errors(ds), warnings(ds)) == (among.errors, among.warnings), name
    docs = [dict(r.to_dict(), county_code=None, problems=None) for r in (alone, among.result)]
    assert docs[0] == docs[1], name
