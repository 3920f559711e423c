"""Shape B: the county-wide sheets, one file per 学段, one row per school."""

from __future__ import annotations

from junheng.inputs.statistics.workbook import Workbook
from junheng.sample.exports.grids import wide_sheet
from junheng.sample.exports.model import (
    BUCKETS,
    GRADE_NAMES,
    GRADES,
    SECTION_ZH,
    TYPES,
    SchoolStats,
    room_areas,
)
from junheng.sample.exports.vocabulary import (
    TITLES,
    VOCAB,
    bucket_label,
    degree_values,
    subject_tree,
    subject_values,
)


def _wide_tree(generation: str, section: str) -> list:
    v = VOCAB[generation]
    code = v["code"]
    location_name, location_code = v["location_header"]
    grades = [(GRADE_NAMES[i], f"g{i}") for i in range(GRADES[section])]
    return [
        ("学校标识码", "school_code"),
        (v["name_header"], "school_name"),
        ("办学类型", "type_name"),
        ("办学类型代码", "type_code"),
        ("举办者", "sponsor_name"),
        ("举办者代码", "sponsor_code"),
        (location_name, "location_name"),
        (location_code, "location_code"),
        ("是否计校数", "counted"),
        ("所在地区划代码", "division"),
        ("统计一级", "stat1"),
        ("统计二级", "stat2"),
        ("统计三级", "stat3"),
        (
            code["students"][section],
            [
                ("毕业生数", "graduates"),
                ("招生数", "entrants"),
                (
                    "在校生数",
                    [
                        ("合计", "students"),
                        (v["girls"], "girls"),
                        (v["migrant"], "migrant"),
                        ("分年级", grades),
                    ],
                ),
            ],
        ),
        (
            code["classes"][section],
            [
                (
                    "班数",
                    [
                        ("合计", "classes"),
                        (
                            v["by_size"],
                            [(bucket_label(lo, hi), f"b{i}") for i, (lo, hi) in enumerate(BUCKETS)],
                        ),
                    ],
                )
            ],
        ),
        (
            code["teachers"][section],
            [
                (
                    "专任教师",
                    [
                        ("合计", "teachers"),
                        (v["by_degree"], [(label, f"d_{k}") for label, k in v["degrees"]]),
                        (v["by_title"], [(label, f"t_{k}") for label, k in TITLES]),
                        (v["by_subject"], subject_tree(generation)),
                    ],
                )
            ],
        ),
        (
            code["extra"],
            [(v["backbone"].format(SECTION_ZH[s]), f"backbone_{s}") for s in ("primary", "junior", "senior")],
        ),
        (
            code["buildings"],
            [
                (
                    "本学年校舍建筑面积（平方米）",
                    [
                        ("合计", "building_total"),
                        (
                            "教学及辅助用房",
                            [
                                ("计", "aux"),
                                ("教室", "classroom"),
                                ("专用教室", "special_rooms"),
                                (v["indoor"], "indoor"),
                            ],
                        ),
                        ("行政办公用房", "admin"),
                        ("生活用房", "living"),
                        ("其他用房", "other_use"),
                    ],
                )
            ],
        ),
        (
            code["conditions"],
            [
                (
                    "占地面积及其他办学条件",
                    [
                        (
                            "占地面积（平方米）",
                            [
                                ("合计", "land"),
                                ("其中", [("绿化用地面积", "green"), ("运动场地面积", "ground")]),
                            ],
                        ),
                        ("图书（册）", "books"),
                        ("计算机（台）", [("合计", "computers_total"), ("教学用计算机", "computers")]),
                        ("网络多媒体教室（间）", "multimedia"),
                        ("固定资产总值（万元）", [("合计", "assets"), ("教学仪器设备资产值", "equipment")]),
                    ],
                )
            ],
        ),
    ]


def _wide_record(s: SchoolStats, section: str, generation: str) -> dict:
    v = VOCAB[generation]
    sec = s.sections[section]
    type_code, type_name = TYPES[s.kind]
    record = {
        "school_code": s.code,
        "school_name": s.name,
        "type_name": type_name,
        "type_code": type_code,
        "sponsor_name": s.sponsor[0],
        "sponsor_code": s.sponsor[1],
        "location_name": s.location[1],
        "location_code": s.location[0],
        "counted": v["counted"][0 if s.counted else 1],
        "division": s.division,
        "stat1": "示例省",
        "stat2": "示例省",
        "stat3": s.county_name,
        "graduates": sec.graduates,
        "entrants": sec.entrants,
        "students": sec.students,
        "girls": sec.girls,
        "migrant": sec.migrant,
        **{f"g{i}": g for i, g in enumerate(sec.grades)},
        "classes": sec.classes,
        **{
            f"b{i}": (None if sec.buckets is None else n)
            for i, n in enumerate(sec.buckets or [0] * len(BUCKETS))
        },
        "teachers": sec.teachers,
        **{f"d_{k}": n for k, n in degree_values(sec, generation).items()},
        **{f"t_{k}": n for k, n in sec.titles.items()},
        **subject_values(sec, generation),
        **{
            f"backbone_{x}": s.sections[x].backbone if x in s.sections else None
            for x in ("primary", "junior", "senior")
        },
        **s.whole,
        **room_areas(s.whole),
    }
    w = s.whole
    record["building_total"] = w["aux"] + w["admin"] + w["living"] + w["other_use"]
    return record


def wide_workbooks(stats: list[SchoolStats], generation: str, year: int) -> list[tuple[str, Workbook]]:
    """The county-year's three 学段 files of county-wide sheets."""
    county_code = stats[0].county_code
    out = []
    for section in ("primary", "junior", "senior"):
        zh = SECTION_ZH[section]
        title = (
            f"{year}年教育事业统计 {zh}学校（机构）基础数据（{year}/{year + 1}学年初）"
            if generation == "jiaoji-2021"
            else f"{year}年 基础教育统计 {zh} 学校基本情况（{year}/{year + 1}学年初）"
        )
        records = [_wide_record(s, section, generation) for s in stats if section in s.sections]
        sheet = wide_sheet(
            "Sheet1", title, _wide_tree(generation, section), records, VOCAB[generation]["grid_labels"]
        )
        name = f"{county_code}_{year}_{zh}.xlsx"
        out.append((name, Workbook(name, [sheet])))
    return out
