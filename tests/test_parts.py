"""Parts G (G1-G15), Q (Q1-Q9), S, the vetoes and the prerequisite of youzhi-2017 (docs/method.md §4).

A base county passes everything; each case changes one input and checks the item's value and
verdict by hand."""

import collections

import pytest
from builders import COUNTY, county_row, full_school, monitoring_rows, survey_rows, write_tables

from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate


def base_schools():
    return [
        full_school("0123450001", students_primary=600),
        full_school("0123450002", "junior", students_junior=800, location="town"),
    ]


def tables_of(schools=None, county=None, monitoring=None, survey=None, **tables) -> dict:
    """The rows of each table of the base county with a case's changes (schools first)."""
    tables = dict(tables)
    tables["county"] = [county or county_row()]
    tables["monitoring"] = monitoring if monitoring is not None else monitoring_rows()
    tables["survey"] = survey if survey is not None else survey_rows()
    return {"schools": schools or base_schools(), **{k: v for k, v in tables.items() if v}}


def evaluated(path, tables: dict, overlays=()):
    tables = dict(tables)
    ds = load(write_tables(path, tables.pop("schools"), **tables))
    assert not [p for p in ds.problems if p.severity == "error"], [p.message() for p in ds.problems]
    return evaluate(ds, "youzhi-2017", overlays)


def run(tmp_path, overlays=(), **change):
    return evaluated(tmp_path / "d", tables_of(**change), overlays).county(COUNTY, 2024)


def item(result, item_id):
    items = result.items
    return items[items["id"] == item_id].iloc[0]


def test_base_county_passes_every_part(batch):
    res = batch["base"]
    doc = res.to_dict()
    statuses = {
        i["id"]: i["status"] for p in ("guarantee", "quality", "survey") for i in doc["parts"][p]["items"]
    }
    assert set(statuses.values()) == {"pass"}, statuses
    assert len([k for k in statuses if k.startswith("G")]) == 15
    assert len([k for k in statuses if k.startswith("Q")]) == 9
    assert doc["status"] == "passed" and doc["passed"] is True


def with_school(index, **changes):
    schools = base_schools()
    schools[index].update(changes)
    return schools


FAILING = [
    ("G1", {"county": county_row(layout_planned="否")}, None),
    ("G2", {"county": county_row(unified_staffing_standard="否")}, 3),
    # 600 primary students in 15 classes need ceil(15/12) = 2 music rooms
    ("G3", {"schools": with_school(0, music_rooms=1)}, 1),
    ("G3", {"schools": with_school(0, music_room_min_m2=90)}, 1),  # < 96 m² for a new school
    ("G4", {"schools": with_school(1, students_junior=2100)}, 1),
    ("G5", {"schools": with_school(0, max_class_size_primary=46)}, 1),
    ("G5", {"schools": with_school(0, max_class_size_primary=None, oversized_classes_primary=2)}, 1),
    ("G7", {"county": county_row(special_public_funds_yuan=590000)}, 5900),
    ("G8", {"county": county_row(teacher_avg_pay_yuan=87000)}, 87000 / 88000),
    ("G9", {"schools": with_school(0, teachers_trained_360h=47)}, (47 + 64) / (48 + 64)),
    ("G11", {"county": county_row(backbone_rotated=23)}, 0.12),
    ("G11", {"county": county_row(teachers_rotated=99, backbone_rotated=25)}, 0.099),
    ("G12", {"schools": with_school(1, teachers_certified=63)}, (48 + 63) / (48 + 64)),
    ("G13", {"schools": with_school(1, entrants_catchment_junior=250)}, 1.0),  # junior 250/266 = 94%
    ("G13", {"schools": with_school(0, entrants_catchment_primary=99)}, 0.99),  # primary needs 100%
    ("G14", {"county": county_row(quality_hs_places_allocated=999)}, 0.4995),
    ("G15", {"county": county_row(migrant_children_public=849)}, 0.849),
    ("G15", {"county": county_row(left_behind_care_system="否")}, 0.9),
    ("Q1", {"county": county_row(cohort_graduates=930)}, (930 - 10 + 20) / (1000 - 2)),
    ("Q2", {"county": county_row(disabled_children_enrolled=94)}, 0.94),
    ("Q3", {"schools": with_school(0, has_charter="否")}, 1),
    ("Q4", {"schools": with_school(1, training_funds_yuan=0.049 * 800_000)}, 1),
    ("Q5", {"county": county_row(ict_use_rating="中等")}, 2),
    ("Q6", {"schools": with_school(1, moral_education_rating="Ⅱ")}, 1),
    ("Q7", {"county": county_row(curriculum_rating=2)}, 2),
    ("Q8", {"county": county_row(homework_burden_rating="待提高")}, 1),
    ("Q9", {"monitoring": monitoring_rows()[:3] + [dict(monitoring_rows()[3], level="中等")]}, 1),
    ("Q9", {"monitoring": monitoring_rows(rate=0.15)}, 4),  # must be below 0.15
    ("S", {"survey": survey_rows(parents=(600, 450))}, 0.79),  # (450+180+160)/1000
]


@pytest.mark.parametrize(
    "item_id, change, value", FAILING, ids=[f"{c[0]}-{i}" for i, c in enumerate(FAILING)]
)
def test_item_fails(batch, item_id, change, value):
    res = batch[f"fail-{FAILING.index((item_id, change, value))}"]
    it = item(res, item_id)
    assert it["status"] == "fail"
    if value is not None:
        assert it["value"] == pytest.approx(value, abs=1e-9)
    others = res.items[
        (res.items["id"] != item_id) & res.items["part"].isin(["guarantee", "quality", "survey"])
    ]
    assert set(others["status"]) == {"pass"}, others[others["status"] != "pass"][["id", "status"]]
    assert res.to_dict()["passed"] is False


PASSING_EDGES = [
    ("G3", {"schools": with_school(0, music_room_min_m2=74, built_year=2010)}),  # pre-2016: ≥ 73 m²
    ("G4", {"schools": with_school(1, students_junior=2100, built_year=2008)}),  # ≤ 2400
    ("G4", {"schools": with_school(1, students_junior=2100, migrant_students=1100)}),
    (
        "G4",
        {"schools": [full_school("0123450001", "nine_year", students_primary=1500, students_junior=1000)]},
    ),
    ("G5", {"schools": with_school(0, max_class_size_primary=45)}),
    ("G13", {"schools": with_school(1, entrants_catchment_junior=253)}),  # 253/266 = 95.1%
    (
        "G13",
        {"schools": with_school(1, entrants_catchment_junior=100, boarding="是")},
    ),  # boarding: outside G13
    ("G13", {"schools": with_school(1, entrants_catchment_junior=100, ownership="private")}),
    ("Q4", {"schools": with_school(1, training_funds_yuan=0.05 * 800_000)}),
    ("Q9", {"monitoring": [dict(r, year=2022) for r in monitoring_rows()]}),  # latest monitoring ≤ year
]


CASES = {"base": {}}
CASES.update({f"fail-{i}": change for i, (_, change, _) in enumerate(FAILING)})
CASES.update({f"edge-{i}": change for i, (_, change) in enumerate(PASSING_EDGES)})


def recoded(rows: list, code: str) -> list:
    """Rows of county COUNTY as rows of county ``code`` (school codes keep their last four digits)."""
    return [
        {
            k: code + v[len(COUNTY) :] if isinstance(v, str) and v.startswith(COUNTY) else v
            for k, v in r.items()
        }
        for r in rows
    ]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict:
    """The result of every case of CASES, each the county of its own code in one data folder evaluated
    once (issue #21: one evaluation instead of one per case). A county's items are computed from its
    own rows alone: test_a_county_of_the_batch_is_evaluated_as_alone checks cases against `run`."""
    merged = collections.defaultdict(list)
    codes = {}
    for n, (case, change) in enumerate(CASES.items()):
        codes[case] = f"0124{n:02d}"
        for name, rows in tables_of(**change).items():
            merged[name] += recoded(rows, codes[case])
    ev = evaluated(tmp_path_factory.mktemp("parts") / "d", merged)
    return {case: ev.county(code, 2024) for case, code in codes.items()}


@pytest.mark.parametrize("case", ["fail-1", "fail-3", "fail-26", "fail-28", "edge-3"])
def test_a_county_of_the_batch_is_evaluated_as_alone(tmp_path, batch, case):
    """A county, school, monitoring and survey change each, and the one-school edge: the same items,
    values, thresholds and verdict as the case's county evaluated alone."""
    alone, among = run(tmp_path, **CASES[case]), batch[case]
    columns = ["id", "part", "status", "value", "threshold"]
    assert among.items[columns].reset_index(drop=True).equals(alone.items[columns].reset_index(drop=True)), (
        case
    )
    statuses = [{p: d["status"] for p, d in r.to_dict()["parts"].items()} for r in (among, alone)]
    assert statuses[0] == statuses[1] and among.to_dict()["status"] == alone.to_dict()["status"], case


@pytest.mark.parametrize(
    "item_id, change", PASSING_EDGES, ids=[f"{c[0]}-{i}" for i, c in enumerate(PASSING_EDGES)]
)
def test_item_passes_at_the_edge(batch, item_id, change):
    assert item(batch[f"edge-{PASSING_EDGES.index((item_id, change))}"], item_id)["status"] == "pass"


def test_g6_small_village_schools_funded_as_100(tmp_path):
    # benchmark 800 yuan → each village school under 100 students needs ≥ 80,000 yuan
    small = full_school(
        "0123450003",
        students_primary=60,
        location="rural",
        public_funds_yuan=79_999,
        training_funds_yuan=5000,
    )
    res = run(tmp_path, schools=base_schools() + [small])
    it = item(res, "G6")
    assert it["status"] == "fail" and it["value"] == 1
    assert it["schools"][0]["required_yuan"] == 80_000
    small["public_funds_yuan"] = 80_000
    assert item(run(tmp_path, schools=base_schools() + [small]), "G6")["status"] == "pass"


def test_g6_teaching_point_out_of_r_scope_is_still_checked(tmp_path):
    tp = full_school(
        "0123450003", "teaching_point", students_primary=30, location="rural", public_funds_yuan=30_000
    )
    res = run(tmp_path, schools=base_schools() + [tp])
    assert item(res, "G6")["status"] == "fail"
    assert res.to_dict()["parts"]["resource"]["excluded"][0]["school_code"] == "0123450003"


def test_province_overlay_raises_g7(tmp_path):
    # 7000 yuan per special-education student: meets 6000, not Liaoning's 8000
    county = county_row(special_public_funds_yuan=700_000)
    assert item(run(tmp_path, county=county), "G7")["status"] == "pass"
    lia = item(run(tmp_path, county=county, overlays=["liaoning"]), "G7")
    assert lia["status"] == "fail" and lia["threshold"] == 8000


def test_veto_fails_a_county_that_passes_every_part(tmp_path):
    res = run(tmp_path, county=county_row(veto_key_schools="是"))
    doc = res.to_dict()
    assert doc["parts"]["vetoes"]["status"] == "fail"
    assert {
        p: doc["parts"][p]["status"] for p in ("resource", "guarantee", "quality", "survey")
    } == dict.fromkeys(("resource", "guarantee", "quality", "survey"), "pass")
    assert doc["passed"] is False and doc["status"] == "failed"


def test_prerequisite_shown_but_does_not_change_verdict(tmp_path):
    doc = run(tmp_path, county=county_row(basic_balance_year=2022)).to_dict()
    assert doc["parts"]["prerequisite"]["status"] == "fail"
    assert doc["passed"] is True


def test_survey_groups_parent_share_and_sample(tmp_path):
    res = run(tmp_path, survey=survey_rows(parents=(400, 380), teachers=(300, 270), residents=(300, 240)))
    it = item(res, "S")
    assert it["value"] == pytest.approx(890 / 1000)
    ev = it["evidence"]
    assert ev["parent_share"] == pytest.approx(0.4) and ev["parent_share_met"] is False  # guideline only
    assert ev["groups"]["parents"]["rate"] == pytest.approx(0.95)
    assert ev["sample_guideline"] == 450  # 1.5‰ of 300,000
    assert it["status"] == "pass"


def test_survey_from_raw_answers(tmp_path):
    answers = [
        {"county_code": COUNTY, "year": 2024, "respondent_id": f"r{i}", "group": "家长", "answer": a}
        for i, a in enumerate(["认可"] * 17 + ["不认可"] * 3 + ["无效"] * 2)
    ]
    res = run(tmp_path, survey=[], survey_responses=answers)
    it = item(res, "S")
    assert it["value"] == pytest.approx(17 / 20) and it["status"] == "pass"  # 0.85 exactly meets


def test_missing_county_tables_mean_not_assessed_never_pass(tmp_path):
    ds = load(write_tables(tmp_path / "d", base_schools()))
    res = evaluate(ds).county(COUNTY, 2024)
    doc = res.to_dict()
    assert doc["parts"]["resource"]["status"] == "pass"
    assert doc["parts"]["guarantee"]["status"] == "not_assessed"
    g = {i["id"]: i["status"] for i in doc["parts"]["guarantee"]["items"]}
    assert g["G1"] == "not_assessed" and g["G4"] == "pass"  # G4 needs only the schools table
    assert doc["parts"]["survey"]["status"] == "not_assessed"
    assert doc["status"] == "incomplete" and doc["passed"] is None
    assert any(p["code"] == "missing_table" for p in doc["problems"])


def test_failure_is_decisive_even_with_missing_data(tmp_path):
    # a school with untrained teachers fails G9 although another school gives no figure
    schools = with_school(0, teachers_trained_360h=40)
    schools[1]["teachers_trained_360h"] = None
    assert item(run(tmp_path, schools=schools), "G9")["status"] == "fail"
    schools = base_schools()
    schools[1]["teachers_trained_360h"] = None
    assert item(run(tmp_path, schools=schools), "G9")["status"] == "not_assessed"
