"""The action plans of two sample counties (issue #12), modelled on real county plans.

- 石门县 (990123, the "improving" mountain county) follows a three-year plan 2022-2024 and is on
  track: its targets live in ``targets.yaml`` beside the workbooks, and one of them uses a column
  the county adds to its schools sheet (是否数字校园, a digital-campus flag).
- 云岭县 (990126, the county failing G5 and G11) follows a five-year plan 2021-2025 and is not on
  track: its targets live in the targets sheet (规划目标) of each of its yearly workbooks.

Only what the plans need is added to the data (the digital-campus flag; computers of 石门县 growing
towards 8.5 per 100 students, a figure no youzhi-2017 rule uses), from a generator of its own: the
rest of the sample and every county's story stay as they were.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ON_TRACK, OFF_TRACK = "990123", "990126"
DIGITAL_CAMPUS = "是否数字校园"
DIGITAL_SHARE = {2021: 0.52, 2022: 0.64, 2023: 0.77, 2024: 0.90}  # schools with the flag
COMPUTERS_PER_100 = {2021: 6.3, 2022: 7.3, 2023: 8.1, 2024: 8.9}  # all students of the school

TARGETS_YAML = """\
# 规划目标 / plan targets (junheng, issue #12). One file for the counties of the province;
# a county may instead fill the 规划目标 sheet of its workbooks (云岭县 990126 does).
# Every key is described in docs/targets.md.
counties:
  "990123":
    plan: 石门县推进义务教育优质均衡发展三年行动计划（2022—2024年）
    targets:
      - id: SM1
        name: 2024年通过县域义务教育优质均衡发展督导评估
        measure: {kind: verdict}
        due_year: 2024
      - id: SM2
        name: 资源配置7项指标至少6项达标的学校比例达到100%
        measure: {kind: share_passing}
        comparison: ">="
        value: 100%
        due_year: 2024
        baseline_year: 2021
      - id: SM3
        name: 小学生均教学及辅助用房面积差异系数降至0.50以内
        measure: {kind: cv, indicator: R4, section: primary}
        comparison: "<="
        value: 0.50
        due_year: 2023
      - id: SM4
        name: 数字校园覆盖率达到85%
        measure: {kind: share_meeting, flag: 是否数字校园}
        comparison: ">="
        value: 85%
        due_year: 2024
        note: 是否数字校园为本县在学校表中自行增加的列
      - id: SM5
        name: 每百名学生拥有教学用计算机8.5台
        measure: {kind: mean, column: computers, scale: 100}
        comparison: ">="
        value: 8.5
        due_year: 2024
      - id: SM6
        name: 乡村学校生均教学仪器设备值达标比例保持在95%以上
        measure: {kind: share_meeting, indicator: R6, location: rural}
        comparison: ">="
        value: 95%
        due_year: 2024
"""

# 云岭县's targets sheet, as the county types it (Chinese labels from the drop-down lists).
SHEET_ROWS = [
    {
        "目标编号": "YL1",
        "目标名称": "教师交流轮岗比例不低于符合条件教师的10%",
        "测量方式": "评估项目值",
        "评估项目": "G11",
        "比较": ">=",
        "目标值": "10%",
        "完成年份": 2023,
    },
    {
        "目标编号": "YL2",
        "目标名称": "全面消除大班额",
        "测量方式": "评估项目值",
        "评估项目": "G5",
        "比较": "<=",
        "目标值": 0,
        "完成年份": 2024,
        "备注": "G5的评估值为有超额班级的学校数",
    },
    {
        "目标编号": "YL3",
        "目标名称": "乡村学校县级以上骨干教师占比不低于城区学校",
        "测量方式": "组间差距",
        "数据列": "teachers_backbone",
        "分母": "teachers",
        "比较组": "乡村",
        "参照组": "城区",
        "差距形式": "比值",
        "比较": "不低于",
        "目标值": 1,
        "完成年份": 2025,
    },
    {
        "目标编号": "YL4",
        "目标名称": "乡村学校高于规定学历教师占比不低于城区学校",
        "测量方式": "组间差距",
        "数据列": "teachers_qualified",
        "分母": "teachers",
        "比较组": "乡村",
        "参照组": "城区",
        "比较": ">=",
        "目标值": 1,
        "完成年份": 2025,
    },
    {
        "目标编号": "YL5",
        "目标名称": "每百名学生拥有教学用计算机不少于8.5台",
        "测量方式": "县域均值",
        "数据列": "教学用计算机台数",
        "倍数": 100,
        "比较": ">=",
        "目标值": 8.5,
        "完成年份": 2023,
    },
    {
        "目标编号": "YL6",
        "目标名称": "2025年通过县域义务教育优质均衡发展督导评估",
        "测量方式": "评估结论",
        "目标值": "是",
        "完成年份": 2025,
    },
]


def add_plan_columns(schools: pd.DataFrame, seed: int) -> None:
    """石门县's digital-campus flag and computers, per school.

    The flag marks a growing, stable set of schools (once a digital campus, always one); both
    come from a generator of their own.
    """
    mine = schools["county_code"] == ON_TRACK
    codes = np.sort(schools.loc[mine, "school_code"].unique())
    rng = np.random.default_rng(seed + int(ON_TRACK))
    order = pd.Series(rng.permutation(len(codes)), index=codes)  # which schools become digital first
    noise = pd.Series(rng.uniform(0.85, 1.15, len(codes)), index=codes)
    schools[DIGITAL_CAMPUS] = None
    for year, share in DIGITAL_SHARE.items():
        rows = mine & (schools["year"] == year)
        rank = schools.loc[rows, "school_code"].map(order)
        schools.loc[rows, DIGITAL_CAMPUS] = np.where(rank < round(share * len(codes)), "是", "否")
        students = schools.loc[rows, ["students_primary", "students_junior", "students_senior"]].sum(axis=1)
        per_school = students * COMPUTERS_PER_100[year] / 100 * schools.loc[rows, "school_code"].map(noise)
        schools.loc[rows, "computers"] = np.round(per_school)


def sheet_rows(county_code: str) -> list[dict]:
    """The targets sheet of a county's workbooks (header -> value)."""
    return SHEET_ROWS if county_code == OFF_TRACK else []
