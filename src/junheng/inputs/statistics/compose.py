"""From the values found to the data contract's columns, per record, with the import options.

| contract column | from (roles in the mapping) |
|---|---|
| students_S, teachers_S, teachers_backbone_S, classes_S, entrants_S | the role of the same name in 学段 S |
| teachers_qualified_S | every degree level at or above ``qualified_minimum[S]`` (博士 included) |
| teachers_pe_art_S | PE + music + fine arts (+ the 2018 艺术 course); see ``art_teachers`` |
| teachers_senior_title_S | every field of role senior_title_teachers (正高级 + 副高级 + 中级) |
| oversized_classes_S | classes in the class-size buckets above 45 (primary) / 50 (junior) |
| migrant_students | primary + junior (once a school's records are combined) |
| teaching_space_m2 | 教学及辅助用房, minus 室内体育用房 when ``indoor_sports_rooms: moved`` |
| sports_area_m2 | 运动场地面积 + 室内体育用房 |
| equipment_value_yuan, multimedia_rooms, computers, books | the role of the same name, in yuan |

Values of a 学段 the record does not hold stay empty here; combining the records of a school
fills them (see ``combine.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.inputs.statistics.cells import tidy
from junheng.inputs.statistics.codes import SECTION_ORDER, codes
from junheng.inputs.statistics.mapping import Mapping
from junheng.inputs.statistics.options import ImportOptions
from junheng.inputs.statistics.records import SCHOOL, key

# contract column (with S = 学段) -> the roles it is made from, for the import report
SECTION_COLUMNS = {
    "students": ("students",),
    "teachers": ("teachers",),
    "teachers_qualified": ("degree",),
    "teachers_backbone": ("backbone",),
    "teachers_pe_art": (
        "pe_teachers",
        "music_teachers",
        "fine_arts_teachers",
        "art_course_teachers",
        "art_teachers_total",
    ),
    "teachers_senior_title": ("senior_title_teachers",),
    "classes": ("classes",),
    "oversized_classes": ("class_buckets",),
    "entrants": ("entrants",),
    "migrant": ("migrant_students",),  # summed over 学段 into migrant_students once combined
}
SCHOOL_COLUMNS = {
    "teaching_space_m2": ("teaching_aux_area", "indoor_sports_area"),
    "sports_area_m2": ("sports_ground_area", "indoor_sports_area"),
    "equipment_value_yuan": ("equipment_value",),
    "multimedia_rooms": ("multimedia_rooms",),
    "computers": ("computers",),
    "books": ("books",),
}
DERIVED = {"migrant_students": ("migrant_students",)}  # made when a school's records are combined
IDENTITY_COLUMNS = {
    "county_code": ("division_code", "authority_code"),
    "county_name": ("county_name", "authority_name"),
    "school_code": ("school_code",),
    "school_name": ("school_name",),
    "school_type": ("school_type_code", "school_type_name"),
    "ownership": ("sponsor_code", "sponsor_name"),
    "location": ("location_code", "location_name"),
}


def sources(column: str) -> tuple[str | None, tuple]:
    """(学段 or None, roles) a contract column is made from."""
    for base, roles in SECTION_COLUMNS.items():
        for section in SECTION_ORDER:
            if column == f"{base}_{section}":
                return section, roles
    return None, SCHOOL_COLUMNS.get(column, DERIVED.get(column, IDENTITY_COLUMNS.get(column, ())))


def compose(frame: pd.DataFrame, mapping: Mapping, options: ImportOptions) -> tuple[pd.DataFrame, list]:
    """Contract values of every record read with ``mapping``.

    Also returns (file, section, rows) where the degree columns do not add up to the teachers (a
    degree column the mapping missed).
    """
    nan = pd.Series(np.nan, index=frame.index)

    def get(k, default=nan):
        return frame[k].astype("float64") if k in frame.columns else default

    out = {}
    mismatches = []
    ranks = codes()["degree_ranks"]
    levels = {f.level for f in mapping.with_role("degree")}
    # a level whose only columns are optional (高中阶段以下) counts 0 where the export has none
    optional = {lv for lv in levels if all(f.optional for f in mapping.with_role("degree") if f.level == lv)}
    zero = pd.Series(0.0, index=frame.index)

    def level(s, lv):
        return get(key(s, "degree", lv), zero if lv in optional else nan)

    for s in SECTION_ORDER:
        has = frame["_sections"].map(lambda secs, s=s: s in secs).astype(bool)
        for base in ("students", "teachers", "classes", "entrants"):
            out[f"{base}_{s}"] = get(key(s, base)).where(has)
        out[f"teachers_backbone_{s}"] = get(key(s, "backbone")).where(has)
        out[f"migrant_{s}"] = get(key(s, "migrant_students")).where(has)
        out[f"teachers_senior_title_{s}"] = get(key(s, "senior_title_teachers")).where(has)
        out[f"oversized_classes_{s}"] = get(key(s, "oversized_classes")).where(has)
        minimum = ranks[options.qualified_minimum.get(s, "bachelor")]
        counted = [lv for lv in levels if ranks[lv] >= minimum]
        qualified = sum(
            (get(key(s, "degree", lv)) for lv in counted), start=pd.Series(0.0, index=frame.index)
        )
        out[f"teachers_qualified_{s}"] = (qualified if counted else nan).where(has)
        out[f"teachers_pe_art_{s}"] = _pe_art(get, s, options).where(has)
        if levels:
            degrees = sum(level(s, lv) for lv in levels)
            teachers = get(key(s, "teachers"))
            off = has & degrees.notna() & teachers.notna() & (tidy(degrees) != tidy(teachers))
            for file, rows in frame.loc[off, "_row"].groupby(frame.loc[off, "_file"]):
                mismatches.append((file, s, list(rows)))
    aux, indoor = get(key(SCHOOL, "teaching_aux_area")), get(key(SCHOOL, "indoor_sports_area"))
    ground = get(key(SCHOOL, "sports_ground_area"))
    out["teaching_space_m2"] = tidy(aux - indoor) if options.indoor_sports_rooms == "moved" else aux
    out["sports_area_m2"] = tidy(ground + indoor)
    for column, (role,) in (
        ("equipment_value_yuan", ("equipment_value",)),
        ("multimedia_rooms", ("multimedia_rooms",)),
        ("computers", ("computers",)),
        ("books", ("books",)),
    ):
        out[column] = get(key(SCHOOL, role))
    return pd.DataFrame(out, index=frame.index), mismatches


def _pe_art(get, s: str, options: ImportOptions) -> pd.Series:
    zero = 0.0
    pe = get(key(s, "pe_teachers"))
    music, fine = get(key(s, "music_teachers")), get(key(s, "fine_arts_teachers"))
    course = get(key(s, "art_course_teachers"), zero)
    total = get(key(s, "art_teachers_total"))
    separate = pe + music + fine + course
    combined = pe + total
    if options.art_teachers == "art_total":
        return combined.where(total.notna(), separate)
    return separate.where(music.notna() & fine.notna(), combined)
