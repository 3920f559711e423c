"""Deliberately broken workbooks (data/examples/invalid/), one defect each.

They demonstrate every validation message (issue #3). Built from a valid sample workbook by editing
cells.

Issue #11 adds what openpyxl cannot write (an error value cached for a formula, a NUL character, a
damaged file: the package's XML or bytes are edited after saving), other file types (.xls) and
folders (a workbook and its "- 副本" copy, an empty folder, a tab-separated CSV, upper-case and .xlsm
extensions).
"""

from __future__ import annotations

import io
import re
import shutil
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


def _certified_exceeds(wb):
    ws = wb[SCHOOLS]
    total = ws.cell(row=2, column=_col(ws, "小学专任教师数（人）")).value
    ws.cell(row=2, column=_col(ws, "持教师资格证专任教师数（人）"), value=total + 5)


def _title_row(wb):
    ws = wb[SCHOOLS]
    ws.insert_rows(1)
    ws.cell(row=1, column=1, value="明湖区2024年义务教育学校基本情况表")


def _per_student(header, per_student):
    def edit(wb):
        ws = wb[SCHOOLS]
        students = ws.cell(row=2, column=_col(ws, "小学在校生数（人）")).value
        ws.cell(row=2, column=_col(ws, header), value=students * per_student)

    return edit


def _no_schools(wb):
    ws = wb[SCHOOLS]
    ws.delete_rows(2, ws.max_row)


def _in_package(old: bytes, new: bytes):
    """Edit the saved package's XML: what openpyxl cannot write."""

    def post(data: bytes) -> bytes:
        from junheng.sample.sample_province import rewrite_xlsx

        return rewrite_xlsx(data, lambda name, xml: re.sub(old, new, xml) if name.startswith("xl/") else xml)

    return post


def _formula_error(wb):
    _set("教学仪器设备值（元）", 3, "=1/0")(wb)
    # as Excel saves it: the formula with its error value cached
    return _in_package(
        rb'<c r="([A-Z]+3)"([^>]*)><f>1/0</f><v\s*/></c>', rb'<c r="\1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    )


def _control_character(wb):
    _set("学校名称", 2, "明湖南平城关小学QQNULQQ")(wb)
    return _in_package(rb"QQNULQQ", rb"_x0000_")  # how an .xlsx stores a NUL character


def _damaged(wb):
    return lambda data: data[: len(data) // 3]  # a download cut short


DEFECTS = [
    ("01_文本填入数值列", "在校生数写成汉字", "not_a_number", _set("小学在校生数（人）", 3, "八百")),
    ("02_负数", "教师数为负数", "negative", _set("小学专任教师数（人）", 2, -5)),
    ("03_学校标识码重复", "两所学校使用同一标识码", "duplicate_key", _duplicate_code),
    (
        "04_在校生数为0",
        "学校没有在校生：列为不参评学校，全县照常评估（警告）",
        "zero_students",
        _set("小学在校生数（人）", 2, 0),
    ),
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
    # issue #11
    (
        "18_数值为无穷大",
        "面积写成“Infinity”（还有 inf、1e309）",
        "not_finite",
        _set("教学及辅助用房面积（平方米）", 2, "Infinity"),
    ),
    ("19_表头不在第1行", "表头上方有一行标题：已跳过并提示（警告）", "header_not_first_row", _title_row),
    (
        "20_公式未计算",
        "公式由程序写入、从未在Excel中计算",
        "formula_not_calculated",
        _set("小学在校生数（人）", 2, "=1100+42"),
    ),
    ("21_公式计算出错", "公式结果为 #DIV/0!", "formula_error", _formula_error),
    (
        "22_控制字符",
        "学校名称中有不可见的NUL字符：删除并提示（警告）",
        "control_characters",
        _control_character,
    ),
    (
        "23_最大班额与超额班级数矛盾",
        "最大班额43人，却填了2个超额班级",
        "class_size_contradiction",
        _set("小学超额班级数（个）", 2, 2),
    ),
    ("24_持证教师多于专任教师", "持证教师数大于专任教师数（G12）", "subset_exceeds", _certified_exceeds),
    (
        "25_数值大得不合理",
        "体育场馆面积 1e15 平方米（警告）",
        "implausible_value",
        _set("体育运动场馆面积（平方米）", 2, 1e15),
    ),
    (
        "26_生均值大得不合理",
        "生均体育场馆面积1600平方米，约为全国水平的100倍（警告）",
        "implausible_per_student",
        _per_student("体育运动场馆面积（平方米）", 1600),
    ),
    ("27_学校工作表为空", "“学校”工作表只有表头", "no_school_rows", _no_schools),
    ("28_文件已损坏", "文件只下载了三分之一", "unreadable_file", _damaged),
    ("29_旧版Excel格式", "旧版 .xls 文件：请另存为 .xlsx", "old_excel_format", lambda wb: None),
    ("34_规划目标指标无法识别", "规划目标的指标写成“R9”", "targets.unknown_indicator", _bad_target),
]
# file name suffix where it is not .xlsx
SUFFIX = {"29_旧版Excel格式": ".xls"}


def example_path(folder: Path, stem: str) -> Path:
    """Where the broken example ``stem`` is written."""
    return Path(folder) / f"{stem}{SUFFIX.get(stem, '.xlsx')}"


def _copy_folder(source: Path, out: Path) -> None:
    shutil.copy(source, out / source.name)
    shutil.copy(source, out / f"{source.stem} - 副本{source.suffix}")


def _empty_folder(source: Path, out: Path) -> None:
    (out / ".gitkeep").write_text("", encoding="utf-8")  # git keeps no empty folder


def _tab_separated(source: Path, out: Path) -> None:
    import pandas as pd

    frame = pd.read_excel(source, sheet_name=SCHOOLS, dtype=object, engine="openpyxl")
    frame.to_csv(out / "schools.csv", sep="\t", index=False, lineterminator="\n")


def _as_year(source: Path, year: int) -> bytes:
    """The source workbook as if it were for another year (every 学年 cell changed)."""
    wb = load_workbook(source)
    for ws in wb.worksheets:
        header = [cell.value for cell in ws[1]]
        if "学年" in header:
            column = header.index("学年") + 1
            for row in range(2, ws.max_row + 1):
                if ws.cell(row=row, column=column).value is not None:
                    ws.cell(row=row, column=column, value=year)
    return deterministic_xlsx(wb)


def _extensions(source: Path, out: Path) -> None:
    shutil.copy(source, out / f"{source.stem}.XLSX")
    (out / "990102_2023.xlsm").write_bytes(_as_year(source, 2023))
    (out / "990102_2022.xls").write_bytes(_as_year(source, 2022))


# folders: name, what it shows, the problem codes expected (severity: code)
FOLDER_DEFECTS = [
    (
        "30_工作簿副本",
        "工作簿与其“- 副本”同时在文件夹中：点名副本，重复学校指明两个文件",
        {"warning": ["copy_of_workbook"], "error": ["duplicate_key_file"]},
        _copy_folder,
    ),
    ("31_空文件夹", "文件夹中没有任何数据文件", {"error": ["no_data_found"]}, _empty_folder),
    (
        "32_制表符分隔CSV",
        "schools.csv 以制表符分隔：自动识别并提示",
        {"info": ["csv_separator"]},
        _tab_separated,
    ),
    (
        "33_扩展名大小写与xls",
        ".XLSX 与 .xlsm 照常读取；.xls 报错并说明原因",
        {"error": ["old_excel_format"]},
        _extensions,
    ),
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
        post = edit(wb)
        content = deterministic_xlsx(wb)
        path = example_path(out, stem)
        path.write_bytes(post(content) if callable(post) else content)
        written.append(path)
        lines.append(f"| `{path.name}` | {what} | `{code}` |")
    lines += [
        "",
        "Folders (`junheng validate FOLDER`):",
        "",
        "| folder | defect | message codes |",
        "|---|---|---|",
    ]
    for name, what, codes, build in FOLDER_DEFECTS:
        folder = out / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        build(Path(source), folder)
        written.append(folder)
        shown = ", ".join(f"`{c}`" for cs in codes.values() for c in cs)
        lines.append(f"| `{name}/` | {what} | {shown} |")
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written
