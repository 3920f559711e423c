"""Small, explicit test data: one dict per school, written as the user would write it."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from junheng.inputs.schema import load_schema

COUNTY = "012345"  # leading zero on purpose


def school(code: str, school_type: str = "primary", students_primary=0, students_junior=0, **extra) -> dict:
    """A school meeting every youzhi-2017 threshold comfortably unless told otherwise.

    Teacher counts per section are derived from students so that R1-R3 and R7 pass:
    primary 5 qualified /100 (≥ 4.2), junior 6 /100 (≥ 5.3); 1.2 backbone; 1.0 PE/art.
    """
    row = {
        "county_code": COUNTY,
        "county_name": "测试县",
        "year": 2024,
        "school_code": code,
        "school_name": f"学校{code[-4:]}",
        "school_type": school_type,
        "ownership": "public",
        "location": "urban",
        "students_primary": students_primary,
        "students_junior": students_junior,
        "students_senior": 0,
    }
    for section, students, qual in (("primary", students_primary, 0.05), ("junior", students_junior, 0.06)):
        row[f"teachers_{section}"] = round(students * 0.08)
        row[f"teachers_qualified_{section}"] = round(students * qual)
        row[f"teachers_backbone_{section}"] = round(students * 0.012)
        row[f"teachers_pe_art_{section}"] = round(students * 0.01)
        row[f"teachers_senior_title_{section}"] = round(students * 0.03)
    n = students_primary + students_junior
    row.update(
        teaching_space_m2=6.0 * n,
        sports_area_m2=11.0 * n,
        equipment_value_yuan=3000.0 * n,
        multimedia_rooms=round(n * 0.03),
        computers=round(n * 0.15),
        books=30 * n,
    )
    row.update(extra)
    return row


def write_tables(path: Path, schools: list, **tables) -> Path:
    """A directory of tables (schools.csv and optional county.csv, monitoring.csv, survey.csv)."""
    path.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(schools).to_csv(path / "schools.csv", index=False)
    for name, rows in tables.items():
        pd.DataFrame(rows).to_csv(path / f"{name}.csv", index=False)
    return path


def write_workbook(path: Path, schools: list, headers: str = "zh", **tables) -> Path:
    """An Excel workbook with Chinese headers (with units) and Chinese sheet names."""
    schema = load_schema()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for key, rows in {"schools": schools, **tables}.items():
            table = schema.tables[key]
            frame = pd.DataFrame(rows)
            if headers == "zh":
                frame = frame.rename(
                    columns={c: table.columns[c].header for c in frame.columns if c in table.columns}
                )
            frame.to_excel(writer, sheet_name=table.sheet, index=False)
    return path


def county_row(**extra) -> dict:
    """A county-level row where every item of Parts G, Q and the vetoes passes."""
    row = {
        "county_code": COUNTY,
        "county_name": "测试县",
        "year": 2024,
        "layout_planned": "是",
        "layout_evidence": "规划文件",
        "unified_building_standard": "是",
        "unified_staffing_standard": "是",
        "unified_funding_standard": "是",
        "unified_equipment_standard": "是",
        "public_funds_benchmark_yuan": 800,
        "small_school_funding_ok": "是",
        "special_students": 100,
        "special_public_funds_yuan": 700000,
        "teacher_avg_pay_yuan": 90000,
        "civil_servant_avg_pay_yuan": 88000,
        "performance_pay_budgeted": "是",
        "county_managed_staffing": "是",
        "teachers_rotation_eligible": 1000,
        "teachers_rotated": 120,
        "backbone_rotated": 30,
        "quality_hs_places": 2000,
        "quality_hs_places_allocated": 1100,
        "quality_hs_places_allocated_rural": 600,
        "left_behind_care_system": "是",
        "migrant_children_eligible": 1000,
        "migrant_children_public": 900,
        "cohort_grade7_enrolled": 1000,
        "cohort_deaths": 2,
        "cohort_graduates": 960,
        "cohort_transfers_in": 10,
        "cohort_transfers_out": 20,
        "disabled_children_school_age": 100,
        "disabled_children_enrolled": 97,
        "ict_use_rating": "良好",
        "curriculum_rating": "优秀",
        "homework_burden_rating": "良好",
        "veto_exam_admission": "否",
        "veto_illegal_school_choice": "否",
        "veto_key_schools": "否",
        "veto_major_safety_incident": "否",
        "veto_falsified_data": "否",
        "basic_balance_year": 2016,
        "resident_population": 300000,
    }
    row.update(extra)
    return row


def school_extras(students_primary=0, students_junior=0, **extra) -> dict:
    """Optional school columns for Parts G and Q, all passing."""
    classes_p = -(-students_primary // 40) if students_primary else 0
    classes_j = -(-students_junior // 45) if students_junior else 0
    rooms = max(1, -(-(classes_p + classes_j) // 12))
    teachers = round(students_primary * 0.08) + round(students_junior * 0.08)
    row = {
        "classes_primary": classes_p,
        "classes_junior": classes_j,
        "max_class_size_primary": 44 if students_primary else None,
        "max_class_size_junior": 48 if students_junior else None,
        "music_rooms": rooms,
        "art_rooms": rooms,
        "music_room_min_m2": 100,
        "art_room_min_m2": 95,
        "built_year": 2018,
        "migrant_students": 0,
        "boarding": "否",
        "entrants_primary": students_primary // 6,
        "entrants_catchment_primary": students_primary // 6,
        "entrants_junior": students_junior // 3,
        "entrants_catchment_junior": students_junior // 3,
        "public_funds_yuan": 1000.0 * (students_primary + students_junior),
        "training_funds_yuan": 60.0 * (students_primary + students_junior),
        "teachers_certified": teachers,
        "teachers_trained_360h": teachers,
        "has_charter": "是",
        "ict_management": "是",
        "moral_education_rating": "良好",
    }
    row.update(extra)
    return row


def full_school(code, school_type="primary", students_primary=0, students_junior=0, **extra) -> dict:
    row = school(code, school_type, students_primary, students_junior)
    row.update(school_extras(students_primary, students_junior))
    row.update(extra)
    return row


def monitoring_rows(level="良好", rate=0.10) -> list:
    return [
        {
            "county_code": COUNTY,
            "year": 2024,
            "section": s,
            "subject": subj,
            "level": level,
            "difference_rate": rate,
        }
        for s in ("小学", "初中")
        for subj in ("数学", "语文")
    ]


def survey_rows(parents=(600, 560), teachers=(200, 180), residents=(200, 160)) -> list:
    return [
        {"county_code": COUNTY, "year": 2024, "group": g, "valid_answers": v, "positive_answers": p}
        for g, (v, p) in (("家长", parents), ("教师", teachers), ("其他群众", residents))
    ]


def recode_sample(workbook: Path, data: Path, code: str = COUNTY, rename: dict | None = None) -> Path:
    """A sample county-year moved to ``code`` (default with a leading zero), written as CSV tables
    into ``data``; ``rename`` gives some schools (by row) another name."""
    from junheng.inputs.dataset import load

    ds = load(workbook)
    data.mkdir(parents=True, exist_ok=True)
    for name in ("schools", "county", "monitoring", "survey"):
        frame = getattr(ds, name).drop(columns=["_file", "_sheet", "_row", "_bad"])
        frame["county_code"] = code
        if name == "schools":
            frame["school_code"] = code + frame["school_code"].str[6:]
            for row, new_name in (rename or {}).items():
                frame.loc[row, "school_name"] = new_name
        frame.to_csv(data / f"{name}.csv", index=False)
    return data


@contextmanager
def every_county_kept(size: int = 32):
    """`junheng.county` keeps the evaluations of ``size`` counties instead of `CACHE_SIZE` (4) meanwhile.

    For a test file that goes back and forth between more than four of the sample's counties (issue #21:
    each one evaluated again after it was dropped). The cache's key is the data's signature, rules and
    overlays: what a test changes is evaluated afresh as before; what the County objects share is what
    they share within four counties.
    """
    import sys

    import junheng.report.county  # noqa: F401

    module = sys.modules["junheng.report.county"]
    saved = module.CACHE_SIZE
    module.CACHE_SIZE = size
    try:
        yield
    finally:
        module.CACHE_SIZE = saved
