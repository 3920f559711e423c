"""Issue #11: bad input is said, located and in the user's language, never silent.

Non-finite numbers (item 2), files not read (item 3), contradictory counts (item 7), and the
"clear messages" list: a header below a title row, other CSV separators, formula cells, duplicates
across files and copies, reading errors in Chinese, control characters, implausible magnitudes.
"""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from builders import COUNTY, full_school, school, write_tables, write_workbook
from openpyxl import load_workbook

from junheng.cli import main
from junheng.inputs.dataset import load
from junheng.inputs.schema import load_schema

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
INVALID = ROOT / "data" / "examples" / "invalid"
HEADERS = load_schema().tables["schools"].columns


def two_schools(**extra):
    return [
        school("0123450001", students_primary=600, **extra),
        school("0123450002", "junior", students_junior=800),
    ]


def found(ds, severity=None, lang="zh"):
    return [p.message(lang) for p in ds.problems if severity is None or p.severity == severity]


def codes(ds, severity="error"):
    return [p.code for p in ds.problems if p.severity == severity]


# -- item 2: non-finite numbers -------------------------------------------------------------------
@pytest.mark.parametrize("text", ["inf", "Infinity", "1e309", "-inf"])
def test_non_finite_numbers_are_errors(tmp_path, text):
    rows = two_schools()
    rows[0]["teaching_space_m2"] = text
    path = write_workbook(tmp_path / "w.xlsx", rows)
    ds = load(path)
    assert found(ds, "error") == [
        f"[错误] {path} › 工作表“学校” › 第2行 › 列“教学及辅助用房面积（平方米）”：“{text}”不是有限的数值"
    ]
    assert found(ds, "error", "en")[0].endswith(f"'{text}' is not a finite number")
    assert ds.blocked() == {(COUNTY, 2024)}


def test_non_finite_numbers_in_csv_and_validate_exit_code(tmp_path, capsys):
    rows = two_schools()
    rows[1]["equipment_value_yuan"] = "Infinity"
    folder = write_tables(tmp_path / "t", rows)
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "第3行 › 列“equipment_value_yuan”：“Infinity”不是有限的数值" in out
    assert "错误 1 个" in out


def test_json_output_is_strict(tmp_path, capsys):
    """No NaN or Infinity in the JSON, whatever the data (strict parsers reject them)."""
    rows = two_schools()
    rows[0]["teaching_space_m2"] = "1e309"
    rows.append(school("0123450003", "teaching_point", students_primary=30))  # excluded: NaN values
    assert main(["evaluate", str(write_workbook(tmp_path / "w.xlsx", rows)), "--json"]) == 1

    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    doc = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert doc["status"] == "invalid"
    assert main(["evaluate", str(write_workbook(tmp_path / "v.xlsx", two_schools())), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert doc["parts"]["resource"]["cv"]["primary"]["teaching_space_per_student"] == 0.0


# -- item 3: every file read or named -------------------------------------------------------------
def test_workbooks_of_any_extension_case_and_xlsm_are_read(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(SAMPLE / "990102_2024.xlsx", folder / "990102_2024.XLSX")
    shutil.copy(SAMPLE / "990181_2024.xlsx", folder / "990181_2024.xlsm")
    shutil.copy(SAMPLE / "990121_2024.xlsx", folder / "990121_2024.xls")
    (folder / "说明.docx").write_bytes(b"PK")
    shutil.copy(SAMPLE / "990122_2024.xlsx", folder / "~$990122_2024.xlsx")  # Excel's lock file
    ds = load(folder)
    assert sorted(set(ds.schools["county_code"])) == ["990102", "990181"]
    by_code = {p.code: p for p in ds.problems if p.code.endswith(("_not_read", "_format"))}
    assert by_code["old_excel_format"].message() == (
        f"[错误] {folder / '990121_2024.xls'}：旧版Excel格式（.xls），未读取："
        "请在Excel中打开并另存为 .xlsx 工作簿"
    )
    assert (by_code["old_excel_format"].county_code, by_code["old_excel_format"].year) == ("990121", 2024)
    assert by_code["file_not_read"].message() == (
        f"[警告] {folder / '说明.docx'}：不是Excel工作簿（.xlsx / .xlsm），未读取（.docx）"
    )
    assert by_code["lock_file_not_read"].severity == "info"
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "990121_2024.xls" in out and "说明.docx" in out and "错误 1 个，警告 1 个" in out


def test_an_xls_next_to_its_xlsx_is_only_a_warning(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(SAMPLE / "990102_2024.xlsx", folder)
    shutil.copy(SAMPLE / "990102_2024.xlsx", folder / "990102_2024.xls")
    ds = load(folder)
    assert not codes(ds) and codes(ds, "warning") == ["old_excel_ignored"]


def test_empty_folder_and_empty_schools_sheet_are_errors(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["validate", str(empty)]) == 1
    assert "未找到任何数据文件" in capsys.readouterr().out
    from junheng.inputs.template import write_template

    path = write_template(tmp_path / "990101_2024.xlsx")
    assert main(["validate", str(path)]) == 1
    assert f"[错误] {path} › 工作表“学校”：“学校”工作表中没有任何学校（只有表头）" in capsys.readouterr().out
    headers_only = tmp_path / "t"
    headers_only.mkdir()
    pd.DataFrame(columns=list(two_schools()[0])).to_csv(headers_only / "schools.csv", index=False)
    assert codes(load(headers_only)) == ["no_school_rows"]


def test_a_directory_of_tables_names_the_files_it_does_not_read(tmp_path):
    folder = write_tables(tmp_path / "t", two_schools())
    shutil.copy(SAMPLE / "990102_2024.xlsx", folder)
    ds = load(folder)
    assert [p.message() for p in ds.problems if p.code == "file_not_read_tables"] == [
        f"[警告] {folder / '990102_2024.xlsx'}：该文件夹按数据表（schools.csv 等）读取，此文件未读取"
    ]


# -- clear messages: header row, separators, formulas -------------------------------------------------
def test_a_header_below_a_title_row_is_found_and_said(tmp_path):
    rows = two_schools()
    rows[1]["students_junior"] = "很多"
    path = write_workbook(tmp_path / "w.xlsx", rows)
    wb = load_workbook(path)
    ws = wb["学校"]
    ws.insert_rows(1, 2)
    ws["A1"] = "测试县2024年学校基本情况表"
    wb.save(path)
    ds = load(path)
    assert found(ds, "warning") == [
        f"[警告] {path} › 工作表“学校” › 第3行：表头应在第1行，实际在第3行：上方2行（标题或空行）已跳过："
        "“测试县2024年学校基本情况表”"
    ]
    # one message for the bad cell, with the row number Excel shows; no "missing column" flood
    assert found(ds, "error") == [
        f"[错误] {path} › 工作表“学校” › 第5行 › 列“初中在校生数（人）”：“很多”不是数字"
    ]
    assert len(ds.schools) == 2


@pytest.mark.parametrize("sep, name", [("\t", "制表符"), (";", "分号")])
def test_tab_and_semicolon_separated_csv(tmp_path, sep, name):
    folder = tmp_path / "t"
    folder.mkdir()
    frame = pd.DataFrame(two_schools()).rename(columns={c: HEADERS[c].header for c in two_schools()[0]})
    frame.to_csv(folder / "schools.csv", sep=sep, index=False)
    ds = load(folder)
    assert not codes(ds) and not codes(ds, "warning")
    assert [p.message() for p in ds.problems if p.code == "csv_separator"] == [
        f"[提示] {folder / 'schools.csv'}：CSV文件以{name}分隔，已按此读取"
    ]
    comma = load(write_tables(tmp_path / "c", two_schools()))
    keep = ["school_code", "students_primary", "students_junior", "equipment_value_yuan"]
    assert ds.schools[keep].equals(comma.schools[keep])


def test_formula_cells_without_a_result_are_named_as_such(tmp_path):
    """python-calamine reads both as empty cells; the message must not be 'must be filled in'."""
    ds = load(INVALID / "20_公式未计算.xlsx")
    assert found(ds, "error") == [
        f"[错误] {INVALID / '20_公式未计算.xlsx'} › 工作表“学校” › 第2行 › 列“小学在校生数（人）”："
        "公式未计算：请用Excel打开文件并保存后再读取"
    ]
    ds = load(INVALID / "21_公式计算出错.xlsx")
    assert found(ds, "error", "en") == [
        f"[error] {INVALID / '21_公式计算出错.xlsx'}, sheet '学校', row 3, column '教学仪器设备值（元）': "
        "the formula gives an error (#DIV/0!): correct it in Excel and save the file"
    ]
    # a required text cell and an optional number cell, written by openpyxl (no cached result)
    rows = two_schools()
    path = write_workbook(tmp_path / "w.xlsx", rows)
    wb = load_workbook(path)
    ws = wb["学校"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("学校名称") + 1, value='=CONCAT("第一","小学")')
    wb.save(path)
    ds = load(path)
    assert codes(ds) == ["formula_not_calculated"] and "required_value" not in codes(ds)


def test_a_column_of_formulas_never_calculated_is_one_located_error(tmp_path):
    """Not one error per cell: the whole column wants the workbook opened and saved in Excel/WPS."""
    rows = [*two_schools(), school("0123450003", students_primary=300)]
    path = write_workbook(tmp_path / "w.xlsx", rows)
    wb = load_workbook(path)
    ws = wb["学校"]
    column = [c.value for c in ws[1]].index("小学在校生数（人）") + 1
    for row in range(2, 5):
        ws.cell(row=row, column=column, value=f"={ws.cell(row=row, column=column).value or 0}+0")
    wb.save(path)
    ds = load(path)
    letter = ws.cell(row=1, column=column).column_letter
    assert found(ds, "error") == [
        f"[错误] {path} › 工作表“学校” › 列“小学在校生数（人）”："
        f"第{column}列（{letter}列）整列为未计算的公式：第2–4行共3行均没有保存计算结果；请用Excel或WPS打开该工作簿并保存（公式的值随之保存）后再读取"
    ]
    assert found(ds, "error", "en")[0].endswith(
        f"column {column} ({letter}) is formulas never calculated: none of its 3 rows (2–4) has its "
        "value stored; open the workbook in Excel or WPS and save it (the values are stored with it), "
        "then read it again"
    )
    # one row of the column a value: each formula cell is named, as before
    ws.cell(row=3, column=column, value=200)
    wb.save(path)
    assert codes(load(path)) == ["formula_not_calculated"] * 2


def test_formula_cells_are_looked_for_beside_data_validations(tmp_path):
    """A sheet's data validations (<formula1>) are no formula cells, and do not hide one (issue #21)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from junheng.inputs.sources import formula_cells

    path = write_workbook(tmp_path / "w.xlsx", two_schools())
    wb = load_workbook(path)
    ws = wb["学校"]
    rule = DataValidation(type="whole", operator="between", formula1="0", formula2="100000")
    rule.add("I2:I2000")
    ws.add_data_validation(rule)
    wb.save(path)
    assert formula_cells(path, ["学校"]) == {}  # validations only: nothing to report
    header = [c.value for c in ws[1]]
    ws.cell(row=3, column=header.index("学校名称") + 1, value='=CONCAT("第二","小学")')
    wb.save(path)
    assert formula_cells(path, ["学校"]) == {"学校": {(3, header.index("学校名称")): ""}}
    assert codes(load(path)) == ["formula_not_calculated"]


# -- clear messages: duplicates across files, copies, reading errors ------------------------------
def test_duplicates_across_files_name_both_files_and_the_copy(tmp_path):
    folder = tmp_path / "wbs"
    folder.mkdir()
    original = write_workbook(folder / "012345_2024.xlsx", two_schools())
    copy = folder / "012345_2024 - 副本.xlsx"
    shutil.copy(original, copy)
    ds = load(folder)
    assert found(ds, "warning") == [
        f"[警告] {copy}：文件名显示这是“012345_2024.xlsx”的副本：两个文件都已读取，其中的学校将重复出现，"
        "请删除其中一个"
    ]
    assert found(ds, "error")[0] == (
        f"[错误] {copy} › 工作表“学校” › 第2行 › 列“学校标识码”："
        f"与文件“{original}”工作表“学校”第2行重复（012345 / 2024 / 0123450001）"
    )
    assert set(codes(ds)) == {"duplicate_key_file"}


@pytest.mark.parametrize(
    "name, content, reason_zh, reason_en",
    [
        (
            "012345_2024.xlsx",
            b"this is not a workbook",
            "不是有效的Excel工作簿（文件已损坏，或是改了扩展名的其他格式）",
            "not a valid Excel workbook",
        ),
        ("schools.csv", b"", "文件为空", "the file is empty"),
        (
            "schools.csv",
            b"\xff\xfe\x00\x81\x00",
            "文字编码无法识别（应为UTF-8或GBK/GB18030）",
            "unknown text encoding",
        ),
    ],
)
def test_reading_errors_in_chinese_with_the_library_detail_in_brackets(
    tmp_path, name, content, reason_zh, reason_en
):
    path = tmp_path / name
    path.write_bytes(content)
    ds = load(path)
    (message,) = found(ds, "error")
    assert message.startswith(f"[错误] {path}：无法读取文件：{reason_zh}（") and message.endswith("）")
    assert found(ds, "error", "en")[0].startswith(f"[error] {path}: cannot read the file: {reason_en}")


def test_a_missing_path_is_said_in_chinese(tmp_path):
    ds = load(tmp_path / "nowhere")
    assert found(ds) == [f"[错误] {tmp_path / 'nowhere'}：找不到该文件或文件夹"]


# -- clear messages: control characters, magnitudes -----------------------------------------------
def test_control_characters_are_removed_with_a_warning_and_the_excel_export_works(tmp_path):
    import junheng

    path = INVALID / "22_控制字符.xlsx"
    ds = load(path)
    assert found(ds, "warning") == [
        f"[警告] {path} › 工作表“学校” › 第2行 › 列“学校名称”：含有不可见的控制字符，已删除"
    ]
    assert ds.schools.loc[0, "school_name"] == "明湖南平城关小学"
    out = tmp_path / "export.xlsx"
    junheng.county("990102", 2024, path).to_excel(out)  # openpyxl refuses control characters
    names = {c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row}
    assert "明湖南平城关小学" in names
    # text from CSV and Parquet too
    rows = two_schools()
    rows[1]["school_name"] = "第二\x00中学\x07"
    pd.DataFrame(rows).to_parquet(tmp_path / "schools.parquet")
    ds = load(tmp_path / "schools.parquet")
    assert codes(ds, "warning") == ["control_characters"] and ds.schools.loc[1, "school_name"] == "第二中学"
    folder = write_tables(tmp_path / "t", rows)
    ds = load(folder)
    assert codes(ds, "warning") == ["control_characters"] and ds.schools.loc[1, "school_name"] == "第二中学"


def test_implausible_magnitudes_are_located_warnings(tmp_path):
    rows = two_schools()
    rows[0]["sports_area_m2"] = 1e15  # 1e15 m²: the absolute limit (schema.yaml plausible_max)
    rows[1]["teaching_space_m2"] = 800 * 801  # 801 m² per junior student: about 100x the national level
    path = write_workbook(tmp_path / "w.xlsx", rows)
    ds = load(path)
    assert found(ds, "warning") == [
        f"[警告] {path} › 工作表“学校” › 第2行 › 列“体育运动场馆面积（平方米）”："
        "数值1000000000000000超出合理范围（不超过2,000,000），请核对数值和单位",
        f"[警告] {path} › 工作表“学校” › 第3行 › 列“教学及辅助用房面积（平方米）”："
        "折合生均801 平方米，约为全国平均水平的100倍以上（合理上限为生均800 平方米），请核对数值和单位",
    ]
    assert not codes(ds)  # warnings: the county is still evaluated


# -- item 7: counts that contradict each other -----------------------------------------------------
@pytest.mark.parametrize(
    "part", ["qualified", "backbone", "pe_art", "senior_title"], ids=lambda p: f"teachers_{p}"
)
def test_every_teacher_subset_within_full_time_teachers(tmp_path, part):
    rows = two_schools()
    rows[1][f"teachers_{part}_junior"] = rows[1]["teachers_junior"] + 1
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    (problem,) = [p for p in ds.problems if p.severity == "error"]
    assert problem.code == "subset_exceeds" and problem.row == 3
    assert problem.column == HEADERS[f"teachers_{part}_junior"].header


@pytest.mark.parametrize("column, item", [("teachers_certified", "G12"), ("teachers_trained_360h", "G9")])
def test_certified_and_trained_teachers_within_full_time_teachers(tmp_path, column, item):
    rows = [
        full_school("0123450001", students_primary=600),
        full_school("0123450002", "complete_middle", students_junior=800, students_senior=600),
    ]
    rows[0][column] = 49  # 48 full-time primary teachers
    rows[1][column] = 70  # 64 junior teachers, and the senior section's teachers are not reported
    path = write_workbook(tmp_path / "w.xlsx", rows)
    ds = load(path)
    header = HEADERS[column].header
    assert found(ds, "error") == [
        f"[错误] {path} › 工作表“学校” › 第2行 › 列“{header}”："
        f"{HEADERS[column].zh}（49）大于小学和初中专任教师数合计（48）"
    ]
    assert [(p.row, p.code) for p in ds.problems if p.severity == "warning"] == [(3, "subset_exceeds_senior")]


def test_largest_class_and_oversized_classes_must_agree(tmp_path):
    rows = [
        full_school("0123450001", students_primary=600, oversized_classes_primary=2),  # largest 44
        full_school("0123450002", "junior", students_junior=800, max_class_size_junior=52),  # 0 oversized
        full_school("0123450003", students_primary=600, oversized_classes_primary=20, classes_primary=15),
    ]
    rows[1]["oversized_classes_junior"] = 0
    rows[2]["max_class_size_primary"] = 52
    path = write_workbook(tmp_path / "w.xlsx", rows)
    ds = load(path)
    assert found(ds, "error") == [
        f"[错误] {path} › 工作表“学校” › 第4行 › 列“小学超额班级数（个）”："
        "小学超额班级数（20）大于小学班级数（15）",
        f"[错误] {path} › 工作表“学校” › 第2行 › 列“小学超额班级数（个）”：最大班额为44人（不超过45人），"
        "但超额班级数为2：两者矛盾，请核对",
    ]
    assert found(ds, "warning") == [
        f"[警告] {path} › 工作表“学校” › 第3行 › 列“初中超额班级数（个）”：最大班额为52人（超过50人），"
        "但超额班级数为0：请核对"
    ]
