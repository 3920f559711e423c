"""Small, explicit statistics exports for the import tests: county-wide sheets (shape B) in the 教基
generation, one dict per school with round numbers, so that every expected value can be
computed by hand. Layout helpers come from the sample's export generator; the numbers do not.
"""

from __future__ import annotations

import copy
from pathlib import Path

from junheng.inputs.statistics.workbook import Workbook
from junheng.sample.exports import xlsx_bytes
from junheng.sample.exports.grids import wide_sheet

COUNTY = "012345"  # leading zero on purpose


def tree(
    backbone="县级以上骨干教师({})",
    equipment_group="固定资产总值（万元）",
    ground="运动场地面积",
    extra_level=False,
) -> list:
    """A 教基 county-wide header tree with what a primary / junior file needs (depth 4 or 5)."""
    teachers = [
        (
            "专任教师",
            [
                ("合计", "teachers"),
                (
                    "#按学历分",
                    [
                        ("博士研究生", "d_doctorate"),
                        ("硕士研究生", "d_master"),
                        ("本科", "d_bachelor"),
                        ("专科", "d_college"),
                        ("高中阶段", "d_high"),
                    ],
                ),
                ("#按专业技术职务分", [("正高级", "t_senior"), ("副高级", "t_vice"), ("中级", "t_mid")]),
                (
                    "#按授课课程分",
                    [
                        ("语文", "chinese"),
                        ("体育与健康", "pe"),
                        ("艺术", [("计", "art"), ("音乐", "music"), ("美术", "fine")]),
                    ],
                ),
            ],
        )
    ]
    if extra_level:  # an extra merged row above the teacher block
        teachers = [("专任教师分课程、分学历、分职务情况", teachers)]
    return [
        ("学校标识码", "code"),
        ("学校名称", "name"),
        ("办学类型", "type_name"),
        ("办学类型代码", "type_code"),
        ("举办者", "sponsor"),
        ("城乡分类代码", "location"),
        ("是否计校数", "counted"),
        ("所在地区划代码", "division"),
        ("统计三级", "county"),
        ("教基3112", [("在校生数", [("合计", "students"), ("#女", "girls")]), ("招生数", "entrants")]),
        (
            "教基2106",
            [("班数", [("合计", "classes"), ("按班额分", [("41-45人", "b41"), ("46-50人", "b46")])])],
        ),
        ("教基4155", teachers),
        ("教基1102", [(backbone.format("小学"), "bb_primary"), (backbone.format("初中"), "bb_junior")]),
        (
            "教基5170",
            [
                (
                    "本学年校舍建筑面积（平方米）",
                    [("教学及辅助用房", [("计", "aux"), ("室内体育用房", "indoor")])],
                )
            ],
        ),
        (
            "教基5176",
            [
                ("占地面积（平方米）", [("合计", "land"), (ground, "ground")]),
                ("图书（册）", "books"),
                ("计算机（台）", [("合计", "computers_all"), ("教学用计算机", "computers")]),
                ("网络多媒体教室（间）", "multimedia"),
                (equipment_group, [("合计", "assets"), ("教学仪器设备资产值", "equipment")]),
            ],
        ),
    ]


def primary(code="0123450001", **changes) -> dict:
    """A primary school with round numbers (every expected value below is computed from these)."""
    row = {
        "code": code,
        "name": f"测试小学{code[-2:]}",
        "type_name": "小学",
        "type_code": "211",
        "sponsor": "地方教育部门",
        "location": "121",
        "counted": "是",
        "division": f"{COUNTY}001001",
        "county": "测试县",
        "students": "600",
        "girls": "290",
        "entrants": "100",
        "classes": "15",
        "b41": "14",
        "b46": "1",
        "teachers": "40",
        "d_doctorate": "1",
        "d_master": "3",
        "d_bachelor": "30",
        "d_college": "4",
        "d_high": "2",
        "t_senior": "",
        "t_vice": "5",
        "t_mid": "15",
        "chinese": "12",
        "pe": "3",
        "art": "3",
        "music": "2",
        "fine": "1",
        "bb_primary": "7",
        "bb_junior": "*",
        "aux": "3000.5",
        "indoor": "400",
        "land": "20000",
        "ground": "5000",
        "books": "20000",
        "computers_all": "80",
        "computers": "60",
        "multimedia": "15",
        "assets": "600",
        "equipment": "150.25",
    }
    row.update(changes)
    return row


def junior(code="0123450002", **changes) -> dict:
    row = primary(code)
    row.update(
        name=f"测试初中{code[-2:]}",
        type_name="初级中学",
        type_code="311",
        students="800",
        classes="18",
        b41="18",
        b46="",
        teachers="60",
        d_doctorate="",
        d_master="6",
        d_bachelor="50",
        d_college="4",
        d_high="",
        pe="4",
        music="2",
        fine="2",
        art="4",
        bb_primary="*",
        bb_junior="9",
    )
    row.update(changes)
    return row


def sheet(rows: list, section="小学", year=2024, header=None, order=None):
    """One county-wide sheet (title row with 学段 and year, merged headers, text numbers)."""
    header = copy.deepcopy(header or tree())
    if order is not None:
        header = [header[i] for i in order]
    title = f"教育事业统计 {section}学校（机构）基础数据"
    if year is not None:
        title = f"{year}年{title}（{year}/{year + 1}学年初）"
    return wide_sheet("Sheet1", title, header, rows, grid_labels=False)


def write(path: Path, rows: list, **kwargs) -> Path:
    """An .xlsx county-wide export file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(Workbook(path.name, [sheet(rows, **kwargs)])))
    return path
