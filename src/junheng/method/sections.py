"""Section-schools (docs/method.md §1): combined schools split into one school per section.

Section-schools (docs/method.md §1): combined schools enter each section as a separate school, shared physical
resources split by weighted students, and every school either in scope or excluded with a reason. Vectorised
over all counties at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.inputs.schema import SHARED_RESOURCES as SHARED
from junheng.inputs.schema import TYPE_SECTIONS
from junheng.method.rules import RuleSet

SCHOOL_ID = ["county_code", "year", "school_code"]
DESCRIPTIVE = ["county_name", "school_name", "school_type", "ownership", "location"]
TEACHER_PARTS = [
    "teachers",
    "teachers_qualified",
    "teachers_backbone",
    "teachers_pe_art",
    "teachers_senior_title",
    "teachers_pe_art_itinerant",
]


def section_share(schools: pd.DataFrame, section: str, weights: dict) -> pd.Series:
    """Share of a school's shared resources that belongs to ``section``.

    nine-year: A/(A+1.1B) and 1.1B/(A+1.1B); complete middle: B/(B+1.2C); twelve-year:
    A/(A+1.1B+1.32C) and 1.1B/(A+1.1B+1.32C) with the weights of the rule file. Single-section
    schools keep everything (share 1). Not rounded.
    """
    share = np.ones(len(schools))
    types = schools["school_type"].to_numpy(dtype=object)
    for school_type, parts in weights.items():
        mine = types == school_type
        if not mine.any() or section not in parts:
            continue
        # on the arrays (issue #21): the same products, sum and quotient as on the Series
        weighted = {}
        for p, w in parts.items():
            students = schools[f"students_{p}"].to_numpy(dtype="float64", na_value=np.nan)[mine]
            weighted[p] = w * np.where(np.isnan(students), 0.0, students)
        total = sum(weighted.values())
        with np.errstate(divide="ignore", invalid="ignore"):
            share[mine] = weighted[section] / np.where(total > 0, total, np.nan)
    return pd.Series(share, index=schools.index)


def build_section_schools(schools: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """One row per school and section it enters.

    One row per school and section it enters; a single row (section None) for schools that enter no section
    (special, vocational). Columns ``in_scope`` and ``exclusion`` say why a row is not evaluated;
    ``exclusion_detail`` carries the numbers for the message.
    """
    opts = rules.options
    frames = []
    for section in rules.sections:
        entering = [t for t, secs in TYPE_SECTIONS.items() if section in secs]
        part = schools.loc[schools["school_type"].isin(entering)]
        # the section's columns, made a frame at once (inserting them one by one cost more than the work)
        columns = {
            "section": pd.Series(section, index=part.index),
            "students": part[f"students_{section}"].astype("float64"),
            "school_students": (
                part["students_primary"].fillna(0) + part["students_junior"].fillna(0)
            ).astype("float64"),
        }
        for name in TEACHER_PARTS:
            column = f"{name}_{section}"
            columns[name] = (
                part[column].astype("float64")
                if column in part
                else pd.Series(np.nan, index=part.index, dtype="float64")
            )
        share = section_share(part, section, rules.split_weights)
        columns["share"] = share
        for name in SHARED:
            columns[name] = part[name].astype("float64") * share
        out = pd.concat([part[SCHOOL_ID + DESCRIPTIVE], pd.DataFrame(columns, index=part.index)], axis=1)
        frames.append(out)
    no_section = schools.loc[
        schools["school_type"].isin([t for t, secs in TYPE_SECTIONS.items() if not secs])
    ]
    if len(no_section):
        rest = no_section[SCHOOL_ID + DESCRIPTIVE].copy()
        rest["section"] = None
        rest["students"] = no_section["students_primary"].fillna(0) + no_section["students_junior"].fillna(0)
        frames.append(rest)
    sec = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=SCHOOL_ID + DESCRIPTIVE + ["section"])
    )
    if (
        sec["students"].dtype == np.float64
        and sec.get("school_students", sec["students"]).dtype == np.float64
    ):
        return _scoped(sec, opts)
    # Scope (docs/method.md §1, "Scope of the resource-allocation part"): the first reason that applies.
    reason = pd.Series(None, index=sec.index, dtype=object)
    detail = pd.Series(None, index=sec.index, dtype=object)
    stype = sec["school_type"]
    reason[stype == "special"] = "special"
    reason[stype == "vocational"] = "vocational"
    if not opts.get("include_private", True):
        reason[reason.isna() & (sec["ownership"] == "private")] = "private_excluded"
    min_tp = opts.get("teaching_point_min_students", 50)
    small_tp = reason.isna() & (stype == "teaching_point") & (sec["students"] < min_tp)
    reason[small_tp] = "small_teaching_point"
    detail[small_tp] = [{"min": min_tp, "students": int(s)} for s in sec.loc[small_tp, "students"]]
    empty = reason.isna() & sec["section"].notna() & ~(sec["students"] > 0)
    # a school without any student is excluded as such (issue #11, item 8); a combined school with
    # one empty section is excluded in that section only
    reason[empty & ~(sec["school_students"] > 0)] = "no_students"
    reason[empty & (sec["school_students"] > 0)] = "no_students_in_section"
    sec["exclusion"] = reason
    sec["exclusion_detail"] = detail
    sec["in_scope"] = reason.isna()
    # Small rural schools (乡村小规模学校, teaching points of 50-99): R3 may count itinerant teachers.
    limit = opts.get("small_school_max_students", 100)
    small_rural = (stype == "primary") & (sec["location"] == "rural") & (sec["students"] < limit)
    small_tp_kept = (stype == "teaching_point") & (sec["students"] < limit)
    sec["small_school"] = (small_rural | small_tp_kept) & (sec["section"] == "primary")
    return sec


def _scoped(sec: pd.DataFrame, opts: dict) -> pd.DataFrame:
    """`build_section_schools`' scope and small-school columns, on the arrays of float student counts.

    The same reasons in the same order (docs/method.md §1, "Scope of the resource-allocation part"):
    special and vocational schools, private ones when the rules exclude them, teaching points under
    the minimum, sections without students; then the small rural schools (R3). Issue #21.
    """
    stype = sec["school_type"].to_numpy(dtype=object)
    students = sec["students"].to_numpy()
    reason = np.full(len(sec), np.nan, dtype=object)  # (what a Series of None holds: NaN)
    detail = np.full(len(sec), np.nan, dtype=object)
    reason[stype == "special"] = "special"
    reason[stype == "vocational"] = "vocational"
    if not opts.get("include_private", True):
        reason[pd.isna(reason) & (sec["ownership"].to_numpy(dtype=object) == "private")] = "private_excluded"
    min_tp = opts.get("teaching_point_min_students", 50)
    small_tp = pd.isna(reason) & (stype == "teaching_point") & (students < min_tp)
    reason[small_tp] = "small_teaching_point"
    for i in np.flatnonzero(small_tp):
        detail[i] = {"min": min_tp, "students": int(students[i])}
    section = sec["section"].to_numpy(dtype=object)
    empty = pd.isna(reason) & pd.notna(section) & ~(students > 0)
    # a school without any student is excluded as such (issue #11, item 8); a combined school with
    # one empty section is excluded in that section only
    school_students = sec["school_students"].to_numpy()
    reason[empty & ~(school_students > 0)] = "no_students"
    reason[empty & (school_students > 0)] = "no_students_in_section"
    sec["exclusion"] = pd.Series(reason, index=sec.index, dtype=object)
    sec["exclusion_detail"] = pd.Series(detail, index=sec.index, dtype=object)
    sec["in_scope"] = pd.isna(reason)
    # Small rural schools (乡村小规模学校, teaching points of 50-99): R3 may count itinerant teachers.
    limit = opts.get("small_school_max_students", 100)
    small_rural = (
        (stype == "primary") & (sec["location"].to_numpy(dtype=object) == "rural") & (students < limit)
    )
    small_tp_kept = (stype == "teaching_point") & (students < limit)
    sec["small_school"] = (small_rural | small_tp_kept) & (section == "primary")
    return sec
