"""Deliberately broken workbooks (data/examples/invalid/), one defect each, demonstrating every
validation message (issue #3). Built from a valid sample workbook by editing cells.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from junheng.sample.sample_province import deterministic_xlsx

SCHOOLS = "学校"
# file stem, what it shows (Chinese), expected problem code, edit(workbook)


def _col(ws, header):
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise KeyError(header)


def _set(header, row, value, sheet=SCHOOLS):
    def edit(wb):
        ws = wb[sheet]
        ws.cell(row=row, column=_col(ws, header)).value = value  # cell(value=None) would not clear

    return edit


def _rename(old, new, sheet=SCHOOLS):
    def edit(wb):
        wb[sheet].cell(row=1, column=_col(wb[sheet], old)).value = new

    return edit


def _row_of_type(ws, label):
    column = _col(ws, "学校类型")
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == label:
            return row
    raise KeyError(label)


def _blank_junior_of_nine_year(wb):
    ws = wb[SCHOOLS]
    ws.cell(row=_row_of_type(ws, "九年一贯制学校"), column=_col(ws, "初中在校生数（人）")).value = None


def _duplicate_code(wb):
    ws = wb[SCHOOLS]
    column = _col(ws, "学校标识码")
    ws.cell(row=4, column=column, value=ws.cell(row=3, column=column).value)


def _wan_yuan(header):
    def edit(wb):
        ws = wb[SCHOOLS]
        column = _col(ws, "教学仪器设备值（元）")
        for row in range(2, ws.max_row + 1):
            value = ws.cell(row=row, column=column).value
            if isinstance(value, (int, float)):
                ws.cell(row=row, column=column, value=round(value / 10000, 2))
        ws.cell(row=1, column=column, value=header)

    return edit


def _survey_positive(wb):
    ws = wb["问卷汇总"]
    ws.cell(
        row=2,
        column=_col(ws, "认可问卷数（份）"),
        value=ws.cell(row=2, column=_col(ws, "有效问卷数（份）")).value + 5,
    )


def _qualified_exceeds(wb):
    ws = wb[SCHOOLS]
    total = ws.cell(row=2, column=_col(ws, "小学专任教师数（人）")).value
    ws.cell(row=2, column=_col(ws, "小学高于规定学历教师数（人）"), value=total + 3)


def _bad_target(wb):
    """A plan target in the 规划目标 sheet whose indicator does not exist (issue #12)."""
    ws = wb["规划目标"]
    row = {
        "目标编号": "T1",
        "目标名称": "小学每百名学生拥有网络多媒体教室数达到2.5间",
        "测量方式": "县域均值",
        "指标": "R9",
        "学段": "小学",
        "比较": ">=",
        "目标值": 2.5,
        "完成年份": 2025,
    }
    for header, value in row.items():
        ws.cell(row=2, column=_col(ws, header), value=value)


DEFECTS = [
    ("01_文本填入数值列", "在校生数写成汉字", "not_a_number", _set("小学在校生数（人）", 3, "八百")),
    ("02_负数", "教师数为负数", "negative", _set("小学专任教师数（人）", 2, -5)),
    ("03_学校标识码重复", "两所学校使用同一标识码", "duplicate_key", _duplicate_code),
    ("04_在校生数为0", "学校没有在校生", "zero_students", _set("小学在校生数（人）", 2, 0)),
    ("05_学校类型无法识别", "学校类型不在下拉列表中", "unknown_enum", _set("学校类型", 2, "高级中学")),
    (
        "06_缺少必填列",
        "删除了“小学县级以上骨干教师数”列的表头",
        "missing_column",
        _rename("小学县级以上骨干教师数（人）", None),
    ),
    ("07_无法识别的列名", "列名改成了“班数”", "unknown_column", _rename("小学班级数（个）", "班数")),
    (
        "08_一贯制学校缺少学段数据",
        "九年一贯制学校未填初中在校生数",
        "section_missing",
        _blank_junior_of_nine_year,
    ),
    (
        "09_设备值以万元填报",
        "表头写明“万元”：自动换算为元（提示，不是错误）",
        "unit_converted",
        _wan_yuan("教学仪器设备值（万元）"),
    ),
    ("10_疑似按万元填报", "表头为“元”但数值像万元", "unit_suspect", _wan_yuan("教学仪器设备值（元）")),
    ("11_代码位数错误", "县级代码只有5位", "bad_code", _set("县级行政区划代码", 2, "99010")),
    ("12_高学历教师多于专任教师", "分项人数大于合计", "subset_exceeds", _qualified_exceeds),
    ("13_年份无效", "年份写成“2024年度”", "bad_year", _set("学年", 2, "2024年度")),
    (
        "14_单位无法识别",
        "面积单位写成“亩”",
        "unknown_unit",
        _rename("体育运动场馆面积（平方米）", "体育运动场馆面积（亩）"),
    ),
    ("15_认可问卷多于有效问卷", "问卷汇总表中认可数大于有效数", "positive_exceeds_valid", _survey_positive),
    ("16_人数为小数", "教师数为12.5", "not_integer", _set("小学专任教师数（人）", 2, 12.5)),
    ("17_评价等级无法识别", "德育评价写成“很好”", "unknown_enum", _set("德育与校园文化评价等级", 2, "很好")),
    ("18_规划目标指标无法识别", "规划目标的指标写成“R9”", "targets.unknown_indicator", _bad_target),
]


def write_invalid_examples(source: Path, out: Path) -> list[Path]:
    """Write one broken copy of ``source`` per defect, plus a README listing what each shows."""
    out.mkdir(parents=True, exist_ok=True)
    data = Path(source).read_bytes()
    written = []
    lines = [
        "# 错误示例工作簿 / Deliberately broken workbooks",
        "",
        "Each file is a copy of `data/sample/990102_2024.xlsx` with one defect. "
        "`junheng validate FILE` shows the message; `tests/test_sample.py` checks each one.",
        "",
        "| file | defect | message code |",
        "|---|---|---|",
    ]
    for stem, what, code, edit in DEFECTS:
        wb = load_workbook(io.BytesIO(data))
        edit(wb)
        path = out / f"{stem}.xlsx"
        path.write_bytes(deterministic_xlsx(wb))
        written.append(path)
        lines.append(f"| `{path.name}` | {what} | `{code}` |")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written
