"""Part G: government guarantee, items G1-G15 (docs/method.md §4, youzhi-2017).

Thresholds come from the rule file (``guarantee.Gn``); the choices where the public texts are silent
(docs/method.md §8) are documented per item.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.method.items import (
    CY,
    FAIL,
    NOT_ASSESSED,
    PASS,
    Context,
    all_of,
    at_least,
    cy_sum,
    flag_status,
    item,
    per_school,
    ratio,
    stack_items,
    status_from,
)
from junheng.method.tolerance import below, exceeds, reaches

COMBINED = ("nine_year", "twelve_year")
NO_SECTION = ("special", "vocational")  # outside the compulsory-education sections
WITH_SENIOR = ("twelve_year", "complete_middle")  # schools with a senior-high section


def _p(ctx, item):
    return ctx.rules.item("guarantee", item)


def g1(ctx):
    """G1: the school layout is planned (county flag)."""
    flag = ctx.col("layout_planned")
    return item(
        ctx,
        "G1",
        flag_status(flag),
        flag.astype("float64"),
        "是",
        {"planned": flag, "note": ctx.col("layout_evidence")},
    )


def g2(ctx):
    """G2: one urban-rural standard for building, staffing, funding and equipment."""
    names = [
        "unified_building_standard",
        "unified_staffing_standard",
        "unified_funding_standard",
        "unified_equipment_standard",
    ]
    flags = {n: ctx.col(n) for n in names}
    status = all_of([flag_status(f) for f in flags.values()])
    met = sum(f.fillna(False).astype(int) for f in flags.values())
    return item(ctx, "G2", status, met, 4, flags)


def g3(ctx):
    """G3: enough music and art rooms for the compulsory classes, each large enough.

    Music and art rooms: ceil(compulsory classes / 12) rooms of each (at least 1), the smallest room at least
    96 / 90 m² (73 / 67 m² for schools built before 2016). Schools in Part R scope.

    A failing school decides the item even when another of its cells is blank (issue #11): no music
    room fails whatever the class count, a 50 m² art room fails whatever the music room.
    """
    p = _p(ctx, "G3")
    s = ctx.schools[ctx.schools["in_scope"]].copy()
    # the class count of every section the school teaches (a junior school's blank junior count is
    # not made up by its primary count of 0)
    counted = pd.Series(True, index=s.index)
    classes = pd.Series(0.0, index=s.index)
    for section in ("primary", "junior"):
        has = s[f"students_{section}"].fillna(0) > 0
        counted &= ~has | s[f"classes_{section}"].notna()
        classes += s[f"classes_{section}"].where(has, 0).fillna(0)
    classes = classes.where(counted)
    s["rooms_required"] = np.maximum(1, np.ceil(classes / p["classes_per_room"]))
    required = s["rooms_required"].fillna(1)  # without the class count, still at least one room
    old = s["built_year"] < p["old_school_built_before"]
    s["music_min_m2"] = np.where(old, p["old_music_room_m2"], p["music_room_m2"])
    s["art_min_m2"] = np.where(old, p["old_art_room_m2"], p["art_room_m2"])
    too_few = below(s["music_rooms"], required) | below(s["art_rooms"], required)
    too_small = below(s["music_room_min_m2"], s["music_min_m2"]) | below(
        s["art_room_min_m2"], s["art_min_m2"]
    )
    failed = (too_few | too_small).fillna(False).astype(bool)
    complete = classes.notna() & s["music_rooms"].notna() & s["art_rooms"].notna()
    complete &= s["music_room_min_m2"].notna() & s["art_room_min_m2"].notna()
    known = complete | failed
    status, n_failed, lst, n, missing = per_school(
        ctx,
        s,
        failed,
        known,
        [
            "rooms_required",
            "music_rooms",
            "art_rooms",
            "music_room_min_m2",
            "art_room_min_m2",
            "music_min_m2",
            "art_min_m2",
        ],
    )
    return item(ctx, "G3", status, n_failed, 0, {"schools_checked": n, "schools_missing_data": missing}, lst)


def g4(ctx):
    """G4: school size, the compulsory students of a school against its limit.

    School size: compulsory students ≤ 2000 (2500 for nine/twelve-year schools); ≤ 2400 / 3000 for schools
    built in 2010 or earlier or with more than 50% migrant children. A relaxation needs its evidence
    (built_year, migrant_students); without it the strict limit applies.
    """
    p = _p(ctx, "G4")
    s = ctx.schools[ctx.schools["in_scope"]].copy()
    s["size"] = s["students_primary"].fillna(0) + s["students_junior"].fillna(0)
    combined = s["school_type"].isin(COMBINED)
    relaxed = (s["built_year"] <= p["relaxed_built_until"]).fillna(False) | exceeds(
        ratio(s["migrant_students"], s["size"]), p["relaxed_migrant_share"]
    ).fillna(False)
    strict_limit = np.where(combined, p["max_students"]["combined"], p["max_students"]["single"])
    relaxed_limit = np.where(
        combined, p["relaxed_max_students"]["combined"], p["relaxed_max_students"]["single"]
    )
    s["limit"] = np.where(relaxed, relaxed_limit, strict_limit)
    failed = exceeds(s["size"], s["limit"])
    status, n_failed, lst, n, _ = per_school(
        ctx, s, failed, pd.Series(True, index=s.index), ["size", "limit"]
    )
    return item(ctx, "G4", status, n_failed, 0, {"schools_checked": n}, lst)


def g5(ctx):
    """G5: class size, the largest class against its limit.

    Class size: largest class ≤ 45 (primary) / ≤ 50 (junior); when the largest class is not given, the number
    of oversized classes must be 0.
    """
    p = _p(ctx, "G5")
    s = ctx.schools[ctx.schools["in_scope"]].copy()
    failed = pd.Series(False, index=s.index)
    known = pd.Series(True, index=s.index)
    for section, limit in p["max_class_size"].items():
        has = s[f"students_{section}"].fillna(0) > 0
        largest, oversized = s[f"max_class_size_{section}"], s[f"oversized_classes_{section}"]
        sec_failed = exceeds(largest, limit) | (largest.isna() & (oversized > 0))
        sec_known = largest.notna() | oversized.notna()
        failed |= (has & sec_failed).fillna(False).astype(bool)
        known &= ~has | sec_known
    # a failing section fails the school whatever its other section holds (issue #11, item 6):
    # a 51-student junior class fails G5 though the primary class cells are blank
    known |= failed
    status, n_failed, lst, n, missing = per_school(
        ctx,
        s,
        failed,
        known,
        [
            "max_class_size_primary",
            "max_class_size_junior",
            "oversized_classes_primary",
            "oversized_classes_junior",
        ],
    )
    return item(
        ctx,
        "G5",
        status,
        n_failed,
        p["max_class_size"],
        {"schools_checked": n, "schools_missing_data": missing},
        lst,
    )


def g6(ctx):
    """G6: funding of small rural primary schools and teaching points.

    Rural primary schools and teaching points (any size, in scope or not) with fewer than 100 students:
    allocated public funds ≥ benchmark × 100. Without school figures, the county flag.
    """
    p = _p(ctx, "G6")
    s = ctx.schools
    small = (
        ((s["school_type"] == "primary") & (s["location"] == "rural"))
        | (s["school_type"] == "teaching_point")
    ) & (s["students_primary"].fillna(0) < p["funded_as_students"])
    small &= s["students_primary"].fillna(0) > 0  # a school without students is not funded as 100
    s = s[small].copy()
    bench = ctx.col("public_funds_benchmark_yuan").astype("float64")
    s["benchmark"] = bench.to_numpy()[s[CY].to_numpy()]  # each school's county-year's benchmark
    s["required_yuan"] = s["benchmark"] * p["funded_as_students"]
    known = s["public_funds_yuan"].notna() & s["benchmark"].notna()
    # benchmark × 100 is compared with the tolerance: 5002.1 × 100 computes as 500210.00000000006
    failed = below(s["public_funds_yuan"], s["required_yuan"])
    status, n_failed, lst, n, missing = per_school(
        ctx, s, failed, known, ["students_primary", "public_funds_yuan", "required_yuan"]
    )
    flag = flag_status(ctx.col("small_school_funding_ok"))
    status = pd.Series(np.where(status == NOT_ASSESSED, flag, status), index=status.index)
    return item(
        ctx,
        "G6",
        status,
        n_failed,
        0,
        {
            "small_schools": n,
            "benchmark_yuan": bench,
            "county_flag": ctx.col("small_school_funding_ok"),
            "schools_missing_data": missing,
        },
        lst,
    )


def g7(ctx):
    """Special-education public funds per student ≥ 6000 yuan, from the county sheet (D17).

    The liaoning overlay raises the amount to 8000 (docs/method.md#g7). A county that reports 0
    special-education students has no special-education school to fund: the item does not apply
    and is met (evidence ``applies`` False), unless its own schools table lists a special-education
    school with students, which contradicts the 0: then it is not assessed. Blank figures leave it
    not assessed.
    """
    p = _p(ctx, "G7")
    students = pd.to_numeric(ctx.col("special_students"), errors="coerce").astype("float64")
    value = ratio(ctx.col("special_public_funds_yuan"), students)
    special = ctx.schools[ctx.schools["school_type"] == "special"]
    listed = cy_sum(
        ctx, special, special["students_primary"].fillna(0) + special["students_junior"].fillna(0)
    ).fillna(0)
    status = at_least(value, p["min_per_student"])
    none = (students == 0) & (listed == 0)  # nothing to fund: G7 does not apply
    status = pd.Series(np.where(none, PASS, status), index=ctx.index)
    return item(
        ctx,
        "G7",
        status,
        value,
        p["min_per_student"],
        {
            "special_students": ctx.col("special_students"),
            "funds_yuan": ctx.col("special_public_funds_yuan"),
            "applies": (students > 0).where(students.notna()),
            "special_school_students_listed": listed,
        },
    )


def g8(ctx):
    """G8: teacher pay not below civil servants' pay, performance pay budgeted."""
    teacher = pd.to_numeric(ctx.col("teacher_avg_pay_yuan"), errors="coerce")
    civil = pd.to_numeric(ctx.col("civil_servant_avg_pay_yuan"), errors="coerce")
    pay = status_from(reaches(teacher, civil), teacher.notna() & civil.notna())
    status = all_of([pay, flag_status(ctx.col("performance_pay_budgeted"))])
    return item(
        ctx,
        "G8",
        status,
        ratio(teacher, civil),
        1.0,
        {
            "teacher_avg_pay_yuan": teacher,
            "civil_servant_avg_pay_yuan": civil,
            "performance_pay_budgeted": ctx.col("performance_pay_budgeted"),
        },
    )


def _teacher_share(ctx, item_id, column):
    """G9 / G12: trained / certified primary and junior full-time teachers (D12, D18, D34).

    The schools are those of compulsory education (docs/method.md#g9): every school but
    special-education and vocational schools, in Part R scope or not, with at least one primary or
    junior full-time teacher. A school with fewer trained / certified teachers than full-time
    teachers fails the county even if others lack data. At twelve-year and complete middle schools
    a figure above the primary + junior teachers counts senior-section teachers too (validation
    warns): it cannot show that every compulsory teacher is trained / certified, so that school
    lacks data. The county ratio is over the schools with a usable figure.
    """
    p = _p(ctx, item_id)
    s = ctx.schools
    s = s[~s["school_type"].isin(NO_SECTION)].copy()
    s["teachers"] = s["teachers_primary"].fillna(0) + s["teachers_junior"].fillna(0)
    s = s[s["teachers"] > 0]  # no primary or junior full-time teacher: nothing to judge
    figure = s[column]
    with_senior = s["school_type"].isin(WITH_SENIOR) & exceeds(figure, s["teachers"]).fillna(False)
    known = figure.notna() & ~with_senior
    failed = below(figure, s["teachers"]).fillna(False).astype(bool)
    status, n_failed, lst, n, missing = per_school(ctx, s, failed, known, ["teachers", column])
    num = cy_sum(ctx, s, figure.where(known))
    den = cy_sum(ctx, s, s["teachers"].where(known))
    value = ratio(num, den)
    status = pd.Series(
        np.where((status == PASS) & below(value, p["min_ratio"]).fillna(False), FAIL, status), index=ctx.index
    )
    return item(
        ctx,
        item_id,
        status,
        value,
        p["min_ratio"],
        {"teachers": den, column: num, "schools_checked": n, "schools_missing_data": missing},
        lst,
    )


def g9(ctx):
    """G9: share of teachers who completed 360 training hours in five years."""
    return _teacher_share(ctx, "G9", "teachers_trained_360h")


def g10(ctx):
    """G10: the county bureau allocates staffing and posts across schools (county flag)."""
    flag = ctx.col("county_managed_staffing")
    return item(ctx, "G10", flag_status(flag), flag.astype("float64"), "是", {"flag": flag})


def g11(ctx):
    """G11: shares of teachers rotated and of backbone teachers among them."""
    p = _p(ctx, "G11")
    rotated = ratio(ctx.col("teachers_rotated"), ctx.col("teachers_rotation_eligible"))
    backbone = ratio(ctx.col("backbone_rotated"), ctx.col("teachers_rotated"))
    status = all_of([at_least(rotated, p["min_rotated_share"]), at_least(backbone, p["min_backbone_share"])])
    return item(
        ctx,
        "G11",
        status,
        rotated,
        {"rotated": p["min_rotated_share"], "backbone": p["min_backbone_share"]},
        {
            "rotated_share": rotated,
            "backbone_share": backbone,
            "eligible": ctx.col("teachers_rotation_eligible"),
            "rotated": ctx.col("teachers_rotated"),
            "backbone_rotated": ctx.col("backbone_rotated"),
        },
    )


def g12(ctx):
    """G12: share of full-time teachers holding a teacher certificate."""
    return _teacher_share(ctx, "G12", "teachers_certified")


def g13(ctx):
    """G13: catchment admission in public urban and town schools.

    Catchment admission in public urban and town schools, boarding schools excluded (a school whose boarding
    flag is empty counts as non-boarding). Entry grades: grade 1 and grade 7.

    Like the other per-school items (G3-G5, Q3, Q4, Q6), G13 judges the schools in Part R scope
    (issue #11, item 9): a teaching point under 50 students or a school without students is out.
    """
    p = _p(ctx, "G13")
    s = ctx.schools
    eligible = (
        s["in_scope"]
        & (s["ownership"] == "public")
        & s["location"].isin(["urban", "town"])
        & ~s["boarding"].fillna(False).astype(bool)
        & ~s["school_type"].isin(["special", "vocational"])
    )
    s = s[eligible]
    statuses, evidence = [], {}
    for section, minimum in p["min_ratio"].items():
        entrants, catchment = s[f"entrants_{section}"], s[f"entrants_catchment_{section}"]
        has = s[f"students_{section}"].fillna(0) > 0
        total = cy_sum(ctx, s, entrants.where(has), min_count=1)
        near = cy_sum(ctx, s, catchment.where(has), min_count=1)
        missing = cy_sum(ctx, s, (entrants.isna() | catchment.isna()) & has, fill_value=0)
        value = ratio(near, total)
        status = status_from(reaches(value, minimum), value.notna() & (missing == 0))
        none = total.isna() & (missing == 0)  # no eligible school: nothing to violate
        statuses.append(pd.Series(np.where(none, PASS, status), index=ctx.index))
        evidence[f"{section}_ratio"] = value
        evidence[f"{section}_entrants"] = total
        evidence[f"{section}_catchment"] = near
    status = all_of(statuses)
    return item(ctx, "G13", status, evidence["primary_ratio"], p["min_ratio"], evidence)


def g14(ctx):
    """G14: share of quality senior-high places allocated to junior schools, and the rural share."""
    p = _p(ctx, "G14")
    value = ratio(ctx.col("quality_hs_places_allocated"), ctx.col("quality_hs_places"))
    rural = ratio(ctx.col("quality_hs_places_allocated_rural"), ctx.col("quality_hs_places_allocated"))
    return item(
        ctx,
        "G14",
        at_least(value, p["min_ratio"]),
        value,
        p["min_ratio"],
        {
            "places": ctx.col("quality_hs_places"),
            "allocated": ctx.col("quality_hs_places_allocated"),
            "rural_share_of_allocated": rural,
        },
    )


def g15(ctx):
    """G15: left-behind children's care system, and migrant children in public or purchased places."""
    p = _p(ctx, "G15")
    value = ratio(ctx.col("migrant_children_public"), ctx.col("migrant_children_eligible"))
    status = all_of([flag_status(ctx.col("left_behind_care_system")), at_least(value, p["min_ratio"])])
    return item(
        ctx,
        "G15",
        status,
        value,
        p["min_ratio"],
        {
            "care_system": ctx.col("left_behind_care_system"),
            "eligible": ctx.col("migrant_children_eligible"),
            "in_public_places": ctx.col("migrant_children_public"),
        },
    )


ITEMS = {
    "G1": g1,
    "G2": g2,
    "G3": g3,
    "G4": g4,
    "G5": g5,
    "G6": g6,
    "G7": g7,
    "G8": g8,
    "G9": g9,
    "G10": g10,
    "G11": g11,
    "G12": g12,
    "G13": g13,
    "G14": g14,
    "G15": g15,
}


def evaluate_guarantee(ctx: Context) -> pd.DataFrame:
    """Part G: every item of the rule set, one row per county-year and item."""
    return stack_items(ctx, [ITEMS[i](ctx) for i in ctx.rules.data["guarantee"]])
