"""Part R of youzhi-2017 (R1-R7, rules 1-3), section splitting and scope (docs/method.md §1, 4) and the
2012 coefficients (docs/method.md §5), through the engine, with hand-computed expectations."""

import math

import pandas as pd
import pytest
from builders import COUNTY, school, write_tables

from junheng.inputs.dataset import load
from junheng.method import equity
from junheng.method.evaluate import evaluate


def evaluated(path, schools, rules="youzhi-2017", overlays=()):
    ds = load(write_tables(path, schools))
    assert not [p for p in ds.problems if p.severity == "error"], [p.message() for p in ds.problems]
    return evaluate(ds, rules, overlays)


def run(tmp_path, schools, rules="youzhi-2017", overlays=()):
    return evaluated(tmp_path / "data", schools, rules, overlays).county(COUNTY, 2024)


# The schools of each case (a county of its own), and its rule set: the `batch` fixture evaluates them
CASES: dict = {}


def case(name, schools, rules="youzhi-2017"):
    CASES[name] = (rules, schools)
    return name


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict:
    """The result of every case of CASES, each the county of its own code (0124NN, its schools' codes
    kept) in one data folder per rule set, evaluated once (issue #21: one evaluation instead of one per
    case). A county's Part R is computed from its own schools alone:
    test_a_county_of_the_batch_is_evaluated_as_alone checks cases against `run`."""
    results = {}
    for rules in sorted({r for r, _ in CASES.values()}):
        names = [n for n, (r, _) in CASES.items() if r == rules]
        codes = {n: f"0124{i:02d}" for i, n in enumerate(names)}
        rows = [dict(s, county_code=codes[n]) for n in names for s in CASES[n][1]]
        ev = evaluated(tmp_path_factory.mktemp("resource") / "data", rows, rules)
        results.update({n: ev.county(codes[n], 2024) for n in names})
    return results


def entry(result, code, section):
    sec = result.section_schools
    return sec[(sec["school_code"] == code) & (sec["section"] == section)].iloc[0]


def cv_of(result, section, key):
    cv = result.coefficients
    return cv[(cv["section"] == section) & (cv["key"] == key)].iloc[0]


# -- R1-R7 values ---------------------------------------------------------------------------------
R1_R7 = case(
    "r1-r7",
    [
        school(
            "0123450001",
            students_primary=500,
            teachers_qualified_primary=25,
            teachers_backbone_primary=6,
            teachers_pe_art_primary=5,
            teaching_space_m2=2400,
            sports_area_m2=5500,
            equipment_value_yuan=1_100_000,
            multimedia_rooms=12,
        )
    ],
)


def test_r1_to_r7_values_hand_computed(batch):
    r = entry(batch[R1_R7], "0123450001", "primary")
    assert r["value_qualified_teachers_per100"] == pytest.approx(5.0)  # 100·25/500
    assert r["value_backbone_teachers_per100"] == pytest.approx(1.2)  # 100·6/500
    assert r["value_pe_art_teachers_per100"] == pytest.approx(1.0)  # 100·5/500
    assert r["value_teaching_space_per_student"] == pytest.approx(4.8)  # 2400/500
    assert r["value_sports_area_per_student"] == pytest.approx(11.0)  # 5500/500
    assert r["value_equipment_value_per_student"] == pytest.approx(2200.0)  # 1.1M/500
    assert r["value_multimedia_rooms_per100"] == pytest.approx(2.4)  # 100·12/500
    assert bool(r["school_passed"]) and r["n_met"] == 7


# 5.0 qualified teachers per 100 meets primary 4.2 but not junior 5.3
JUNIOR = case("junior", [school("0123450001", "junior", students_junior=500, teachers_qualified_junior=25)])


def test_junior_thresholds_differ_from_primary(batch):
    r = entry(batch[JUNIOR], "0123450001", "junior")
    assert r["value_qualified_teachers_per100"] == pytest.approx(5.0)
    assert not r["met_qualified_teachers_per100"]
    assert r["threshold_qualified_teachers_per100"] == 5.3


# -- rule 1: six of seven, the seventh at 85% ----------------------------------------------------------
# 1000 primary students, R4 threshold 4.5 m²: 3870 m² = 86%, 3825 m² = exactly 85%, 3780 m² = 84%
for space in (3870, 3825, 3780):
    case(f"one-miss-{space}", [school("0123450001", students_primary=1000, teaching_space_m2=space)])


@pytest.mark.parametrize("space, passes", [(3870, True), (3825, True), (3780, False)])
def test_one_miss_at_86_85_and_84_percent(batch, space, passes):
    r = entry(batch[f"one-miss-{space}"], "0123450001", "primary")
    assert r["n_met"] == 6
    assert r["ratio_teaching_space_per_student"] == pytest.approx(space / 4500)
    assert bool(r["school_passed"]) is passes


TWO_MISSES = case(
    "two-misses", [school("0123450001", students_primary=1000, teaching_space_m2=4490, sports_area_m2=7490)]
)


def test_two_misses_fail_even_when_close(batch):
    r = entry(batch[TWO_MISSES], "0123450001", "primary")
    assert r["n_met"] == 5 and not r["school_passed"]


SHORTFALL = case(
    "shortfall",
    [
        # 950 students, 38 qualified: 4.2·950/100 = 39.9 teachers needed → add 2 (whole teachers)
        school("0123450001", students_primary=950, teachers_qualified_primary=38),
        # 1000 students, 4000 m²: 4.5·1000 − 4000 = 500 m²
        school("0123450002", students_primary=1000, teaching_space_m2=4000),
        # junior 800 students, 1.6M yuan: 2500·800 − 1.6M = 400,000 yuan
        school("0123450003", "junior", students_junior=800, equipment_value_yuan=1_600_000),
        # 400 students, 9 rooms: 2.3·400/100 = 9.2 rooms → add 1
        school("0123450004", students_primary=400, multimedia_rooms=9),
    ],
)


def test_shortfall_amounts_in_units_to_add(batch):
    res = batch[SHORTFALL]
    short = res.shortfall().set_index(["school_code", "key"])
    assert short.loc[("0123450001", "qualified_teachers_per100"), "add"] == 2
    assert short.loc[("0123450001", "qualified_teachers_per100"), "gap"] == pytest.approx(4.2 - 3800 / 950)
    assert short.loc[("0123450002", "teaching_space_per_student"), "add"] == pytest.approx(500)
    assert short.loc[("0123450003", "equipment_value_per_student"), "add"] == pytest.approx(400_000)
    assert short.loc[("0123450004", "multimedia_rooms_per100"), "add"] == 1
    assert len(short) == 4  # nothing else is short


# 4496 m² / 1000 = 4.496 < 4.5 (missed, 99.9%), published as 4.50 (met)
BORDERLINE = case("borderline", [school("0123450001", students_primary=1000, teaching_space_m2=4496)])


def test_school_borderline_when_rounding_would_flip(batch):
    r = entry(batch[BORDERLINE], "0123450001", "primary")
    assert not r["met_teaching_space_per_student"] and r["borderline_teaching_space_per_student"]


# -- rule 2: coefficients ---------------------------------------------------------------------------------
# R4 values 5 and 10 m² with 100 and 300 students: mean 8.75, S² = .25·14.0625 + .75·1.5625 = 4.6875
WEIGHTED = case(
    "weighted",
    [
        school("0123450001", students_primary=100, teaching_space_m2=500),
        school("0123450002", students_primary=300, teaching_space_m2=3000),
    ],
)


def test_engine_coefficient_is_student_weighted(batch):
    c = cv_of(batch[WEIGHTED], "primary", "teaching_space_per_student")
    assert c["mean"] == pytest.approx(8.75)
    assert c["cv"] == pytest.approx(math.sqrt(4.6875) / 8.75)
    assert c["cv"] != pytest.approx(2.5 / 7.5)  # the unweighted population CV


# two equal schools with R4 values a and b: CV = (b − a)/(a + b). b/a = 1.5004/0.4996 gives 0.5004:
# fails at full precision, would pass if rounded to 0.50 → borderline
CV_LIMIT = case(
    "cv-limit",
    [
        school("0123450001", students_primary=1000, teaching_space_m2=6000),
        school("0123450002", students_primary=1000, teaching_space_m2=6.0 * 1.5004 / 0.4996 * 1000),
    ],
)


def test_cv_limit_and_borderline(batch):
    res = batch[CV_LIMIT]
    c = cv_of(res, "primary", "teaching_space_per_student")
    assert c["cv"] == pytest.approx(0.5004, abs=1e-9)
    assert not c["passed"] and c["borderline"] and c["limit"] == 0.50
    assert res.verdict["resource"] == "fail"


# (b − a)/(a + b) = 0.47: passes primary's 0.50 but not junior's 0.45
JUNIOR_LIMIT = case(
    "junior-limit",
    [
        school("0123450001", "junior", students_junior=500, sports_area_m2=500 * 11),
        school("0123450002", "junior", students_junior=500, sports_area_m2=500 * 11 * 1.47 / 0.53),
    ],
)


def test_junior_limit_is_045(batch):
    c = cv_of(batch[JUNIOR_LIMIT], "junior", "sports_area_per_student")
    assert c["cv"] == pytest.approx(0.47) and not c["passed"] and c["limit"] == 0.45


SINGLE = case(
    "single",
    [
        school("0123450001", students_primary=600),
        school("0123450002", students_primary=400),
        school("0123450003", "junior", students_junior=700),
    ],
)


def test_single_school_section_has_zero_coefficients(batch):
    res = batch[SINGLE]
    junior = res.coefficients[res.coefficients["section"] == "junior"]
    assert (junior["cv"] == 0).all() and junior["passed"].all() and (junior["n_schools"] == 1).all()
    assert res.verdict["resource"] == "pass"


ZERO_MEAN = case(
    "zero-mean",
    [
        school("0123450001", students_primary=600, multimedia_rooms=0),
        school("0123450002", students_primary=400, multimedia_rooms=0),
    ],
)


def test_zero_mean_is_reported_undefined_and_fails(batch):
    res = batch[ZERO_MEAN]
    c = cv_of(res, "primary", "multimedia_rooms_per100")
    assert c["status"] == "zero_mean" and math.isnan(c["cv"]) and not c["passed"]
    doc = res.to_dict()
    assert doc["parts"]["resource"]["cv"]["primary"]["multimedia_rooms_per100"] is None
    assert doc["passed"] is False


RULE_3 = case(
    "rule-3",
    [
        school("0123450001", students_primary=600),
        school("0123450002", students_primary=400, teaching_space_m2=400 * 3.5, sports_area_m2=400 * 7),
    ],
)


def test_rule_3_part_r_needs_every_school(batch):
    res = batch[RULE_3]
    assert res.verdict["resource"] == "fail"
    assert [s["passed"] for s in res.to_dict()["parts"]["resource"]["schools"]] == [True, False]


# -- section splitting -------------------------------------------------------------------------------------
# docs/method.md §1: 166 primary and 210 junior students, 23,226 books → 58.504 per primary student,
# 9,711.6 books to primary, 13,514.4 to junior (64.354 per junior student = 1.1 × primary)
NINE_YEAR = case(
    "nine-year",
    [school("0123450001", "nine_year", students_primary=166, students_junior=210, books=23226)],
    rules="jiben-2012",
)


def test_nine_year_split_worked_example(batch):
    res = batch[NINE_YEAR]
    p, j = entry(res, "0123450001", "primary"), entry(res, "0123450001", "junior")
    assert p["books"] == pytest.approx(9711.6, abs=0.05) and j["books"] == pytest.approx(13514.4, abs=0.05)
    assert p["value_books_per_student"] == pytest.approx(23226 / 397, rel=1e-12)  # 58.504
    assert j["value_books_per_student"] == pytest.approx(1.1 * 23226 / 397, rel=1e-12)
    assert (
        round(p["value_books_per_student"], 3) == 58.504 and round(j["value_books_per_student"], 3) == 64.354
    )
    assert p["share"] + j["share"] == pytest.approx(1.0)


SHARES = case(
    "shares",
    [
        # A=300, B=200, C=100: denominator 300 + 220 + 132 = 652
        school(
            "0123450001",
            "twelve_year",
            students_primary=300,
            students_junior=200,
            students_senior=100,
            teaching_space_m2=6520,
        ),
        # B=600, C=400: junior share 600 / (600 + 480)
        school(
            "0123450002", "complete_middle", students_junior=600, students_senior=400, teaching_space_m2=10800
        ),
    ],
)


def test_twelve_year_and_complete_middle_shares(batch):
    res = batch[SHARES]
    assert entry(res, "0123450001", "primary")["share"] == pytest.approx(300 / 652)
    assert entry(res, "0123450001", "junior")["share"] == pytest.approx(220 / 652)
    assert entry(res, "0123450001", "primary")["teaching_space_m2"] == pytest.approx(3000)
    assert entry(res, "0123450002", "junior")["share"] == pytest.approx(600 / 1080)
    assert entry(res, "0123450002", "junior")["teaching_space_m2"] == pytest.approx(6000)
    # teachers are not split: they are reported per section
    assert entry(res, "0123450001", "junior")["teachers_qualified"] == round(200 * 0.06)


# -- scope and accounting ---------------------------------------------------------------------------------
SCOPE = case(
    "scope",
    [
        school("0123450001", students_primary=600),
        school("0123450002", "teaching_point", students_primary=49),
        school("0123450003", "teaching_point", students_primary=50),
        school("0123450004", "special", students_primary=80),
        school("0123450005", "nine_year", students_primary=300, students_junior=200),
    ],
)


def test_teaching_point_49_excluded_50_included_and_everything_accounted(batch):
    res, (_, schools) = batch[SCOPE], CASES[SCOPE]
    doc = res.to_dict()["parts"]["resource"]
    evaluated = {(s["school_code"], s["section"]) for s in doc["schools"]}
    excluded = {s["school_code"]: s["reason"] for s in doc["excluded"]}
    assert ("0123450003", "primary") in evaluated
    assert excluded == {"0123450002": "small_teaching_point", "0123450004": "special"}
    assert evaluated == {
        ("0123450001", "primary"),
        ("0123450003", "primary"),
        ("0123450005", "primary"),
        ("0123450005", "junior"),
    }
    assert {c for c, _ in evaluated} | set(excluded) == {s["school_code"] for s in schools}
    assert "49" in next(s["message"] for s in doc["excluded"] if s["school_code"] == "0123450002")


PRIVATE = case(
    "private",
    [
        school("0123450001", students_primary=600),
        school("0123450002", students_primary=400, ownership="private"),
    ],
)


def test_private_schools_in_scope_by_default_and_excludable(tmp_path, batch):
    schools = CASES[PRIVATE][1]
    assert len(batch[PRIVATE].to_dict()["parts"]["resource"]["schools"]) == 2
    doc = run(tmp_path, schools, overlays=["exclude-private"]).to_dict()["parts"]["resource"]
    assert [s["school_code"] for s in doc["excluded"]] == ["0123450002"]
    assert doc["excluded"][0]["reason"] == "private_excluded"


# 80 rural primary students, no PE/art teacher of its own, 1 itinerant: R3 = 100·1/80 = 1.25
ITINERANT = case(
    "itinerant",
    [
        school(
            "0123450001",
            students_primary=80,
            location="rural",
            teachers_pe_art_primary=0,
            teachers_pe_art_itinerant_primary=1,
        ),
        school("0123450002", students_primary=600, teachers_pe_art_itinerant_primary=3),
    ],
)


def test_small_rural_school_counts_itinerant_pe_art_teachers(batch):
    res = batch[ITINERANT]
    assert entry(res, "0123450001", "primary")["value_pe_art_teachers_per100"] == pytest.approx(1.25)
    # a school of 600 may not count its itinerant teachers: 100·6/600 = 1.0
    assert entry(res, "0123450002", "primary")["value_pe_art_teachers_per100"] == pytest.approx(1.0)


# -- jiben-2012 --------------------------------------------------------------------------------------
EIGHT = case(
    "2012-eight",
    [
        school("0123450001", students_primary=600, books=600 * 20, computers=60),
        school("0123450002", students_primary=300, books=300 * 40, computers=60),
        school("0123450003", "junior", students_junior=800),
    ],
    rules="jiben-2012",
)


def test_2012_eight_coefficients_and_composite(batch):
    res = batch[EIGHT]
    primary = res.coefficients[res.coefficients["section"] == "primary"].set_index("key")
    assert len(primary) == 8
    # books per student 20 and 40 with 600 and 300 students: mean 26.667, S = sqrt(2/3·44.44 + 1/3·177.78)
    mean = (600 * 20 + 300 * 40) / 900
    sd = math.sqrt(600 / 900 * (20 - mean) ** 2 + 300 / 900 * (40 - mean) ** 2)
    assert primary.loc["books_per_student", "cv"] == pytest.approx(sd / mean)
    assert primary.loc["teachers_per_student", "cv"] == pytest.approx(
        equity.difference_coefficient([48 / 600, 24 / 300], [600, 300])
    )
    comp = res.composite.set_index("section")
    assert comp.loc["primary", "composite"] == pytest.approx(primary["cv"].mean())
    assert comp.loc["primary", "limit"] == 0.65 and comp.loc["junior", "limit"] == 0.55
    assert comp.loc["junior", "composite"] == 0
    doc = res.to_dict()
    assert doc["parts"]["resource"]["cv"]["primary"]["composite"] == pytest.approx(primary["cv"].mean())
    assert doc["passed"] is True


# very unequal schools on every indicator: factor 6 between two schools of equal size → CV 5/7 > 0.65
OVER = case(
    "2012-over",
    [
        school("0123450001", students_primary=600),
        school(
            "0123450002",
            students_primary=600,
            teaching_space_m2=600 * 36,
            sports_area_m2=600 * 66,
            equipment_value_yuan=600 * 18000,
            computers=540,
            books=600 * 180,
            teachers_primary=288,
            teachers_qualified_primary=180,
            teachers_senior_title_primary=108,
            teachers_backbone_primary=43,
            teachers_pe_art_primary=36,
        ),
    ],
    rules="jiben-2012",
)


def test_2012_composite_over_limit_fails(batch):
    res = batch[OVER]
    comp = res.composite.set_index("section")
    assert comp.loc["primary", "composite"] == pytest.approx(5 / 7, abs=0.01)
    assert not comp.loc["primary", "passed"] and res.to_dict()["passed"] is False


# -- the batch --------------------------------------------------------------------------------------
def without_county(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="county_code").reset_index(drop=True)


@pytest.mark.parametrize("name", [SHORTFALL, CV_LIMIT, SCOPE, ITINERANT, EIGHT])
def test_a_county_of_the_batch_is_evaluated_as_alone(tmp_path, batch, name):
    """Shortfalls, a coefficient, exclusions from scope, itinerant teachers and the 2012 composite: the
    same section-schools, coefficients, composite and JSON (but the data problems' file and rows) as
    the case's county evaluated alone."""
    rules, schools = CASES[name]
    alone, among = run(tmp_path, schools, rules), batch[name]
    for table in ("section_schools", "coefficients", "composite"):
        frames = [without_county(getattr(r, table)) for r in (alone, among)]
        # the values, not the dtypes: a text column of several counties may be held as object
        pd.testing.assert_frame_equal(frames[0], frames[1], check_dtype=False, obj=f"{name} {table}")
    # the problems name the data file and its rows: not the same file, so their codes only
    docs = [dict(r.to_dict(), county_code=None, problems=None) for r in (alone, among)]
    assert docs[0] == docs[1], name
    assert [p.code for p in alone.problems] == [p.code for p in among.problems], name
