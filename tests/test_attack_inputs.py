"""Issue #22, second half: crashes and silent failures found by attacking the inputs.

Each test reproduces one finding of the attack on the bundled sample (or a small built workbook)
and checks the located message that now replaces the silent result.
"""

import re
import zipfile
from pathlib import Path

import pytest
from builders import COUNTY, school, write_workbook
from openpyxl import load_workbook

from junheng.inputs.dataset import load
from junheng.inputs.schema import load_schema

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
SCHOOLS = load_schema().tables["schools"].columns
RESOURCES = [
    "teaching_space_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_rooms",
    "computers",
    "books",
]


def errors(ds, lang="zh"):
    return [p.message(lang) for p in ds.problems if p.severity == "error"]


def edited_sample(tmp_path, edit, name="990102_2024.xlsx") -> Path:
    """A copy of a sample workbook with ``edit(workbook)`` applied (openpyxl)."""
    path = tmp_path / name
    book = load_workbook(SAMPLE / name)
    edit(book)
    book.save(path)
    return path


def column_letter(book, header):
    sheet = book["学校"]
    return next(c.column_letter for c in sheet[1] if c.value == header)


# -- finding 1: a blank required resource cell is not 0 --------------------------------------------
@pytest.mark.parametrize("key", RESOURCES)
@pytest.mark.parametrize("blank", [None, "   "])
def test_blank_resource_cell_is_a_located_error(tmp_path, key, blank):
    header = SCHOOLS[key].header

    def edit(book):
        book["学校"][f"{column_letter(book, header)}2"] = blank

    ds = load(edited_sample(tmp_path, edit), counties=["990102"], years=[2024])
    assert errors(ds) == [
        f"[错误] {tmp_path / '990102_2024.xlsx'} › 工作表“学校” › 第2行 › 列“{header}”：必填单元格为空"
    ]
    assert errors(ds, "en")[0].endswith("required cell is empty")
    assert ds.blocked() == {("990102", 2024)}


def test_empty_value_element_is_blank_not_zero(tmp_path):
    """A cell written as ``<c r="V2"><v/></c>`` (an empty value element) is a blank required cell."""
    path = tmp_path / "990102_2024.xlsx"
    book = load_workbook(SAMPLE / path.name)
    letter = column_letter(book, SCHOOLS["teaching_space_m2"].header)
    sheet_part = "xl/worksheets/sheet3.xml"  # 说明, _lists, 学校
    with zipfile.ZipFile(SAMPLE / path.name) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == sheet_part:
                data, n = re.subn(rf'(<c r="{letter}2"[^>]*>)<v>[^<]*</v>'.encode(), rb"\1<v/>", data)
                assert n == 1
            out.writestr(item, data)
    ds = load(path)
    assert any(f"第2行 › 列“{SCHOOLS['teaching_space_m2'].header}”：必填单元格为空" in m for m in errors(ds))


def test_special_school_resources_are_required_too(tmp_path):
    rows = [school("0123450001", students_primary=600), school("0123450002", "special")]
    rows[1]["books"] = None
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    assert [(p.row, p.column) for p in ds.problems if p.severity == "error"] == [(3, SCHOOLS["books"].header)]


@pytest.mark.parametrize("value", [True, False])
def test_logical_value_in_a_count_cell_is_an_error(tmp_path, value):
    rows = [school("0123450001", students_primary=600)]
    rows[0]["multimedia_rooms"] = value
    rows[0]["students_primary"] = 600
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    word = "TRUE" if value else "FALSE"
    assert errors(ds) == [
        f"[错误] {tmp_path / 'w.xlsx'} › 工作表“学校” › 第2行 › "
        f"列“{SCHOOLS['multimedia_rooms'].header}”：“{word}”不是数字"
    ]
    assert ds.blocked() == {(COUNTY, 2024)}


def test_absurd_value_is_shown_short(tmp_path):
    """1e300 students: a warning with the number as 1e+300, not its 301 digits."""
    rows = [school("0123450001", students_primary=600)]
    rows[0]["teaching_space_m2"] = 1e300
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    messages = [p.message() for p in ds.problems if p.code == "implausible_value"]
    assert len(messages) == 1 and "1e+300" in messages[0]
    assert not any(re.search(r"[0-9,]{25}", p.message()) for p in ds.problems)


# -- finding 2: a row of another year or county is not split off ------------------------------------
@pytest.mark.parametrize(
    ("header", "value", "what"),
    [("学年", 2023, "学年"), ("县级行政区划代码", "990103", "县级行政区划代码")],
)
def test_row_of_another_county_year_is_a_located_error(tmp_path, header, value, what):
    def edit(book):
        book["学校"][f"{column_letter(book, header)}5"] = value

    path = edited_sample(tmp_path, edit)
    ds = load(path)
    assert errors(ds) == [
        f"[错误] {path} › 工作表“学校” › 第5行 › 列“{header}”："
        f"此行的{what}为“{value}”，但该工作簿属于990102 / 2024"
        "（依据文件名）：此行未使用，请更正或移到相应县、年度的工作簿"
    ]
    assert errors(ds, "en")[0].endswith(
        "but the workbook belongs to 990102 / 2024 (from the file name): the row is not used; "
        "correct it or move it to the workbook of its county and year"
    )
    assert ds.county_years().values.tolist() == [["990102", 2024]]  # no county-year of one school
    assert ds.blocked() == {("990102", 2024)}
    assert len(ds.schools) == 59


def test_row_of_another_year_without_a_county_year_file_name(tmp_path):
    """Without CODE_YEAR in the file name the schools sheet's majority decides."""
    rows = [school(f"01234500{i:02d}", students_primary=300) for i in range(1, 4)]
    rows[2]["year"] = 2023
    path = write_workbook(tmp_path / "县里的数据.xlsx", rows)
    ds = load(path)
    assert [(p.row, p.code, p.county_code, p.year) for p in ds.problems if p.severity == "error"] == [
        (4, "row_other_county_year", COUNTY, 2024)
    ]
    assert "依据“学校”工作表中的多数行" in errors(ds)[0]


def test_whole_sheet_of_another_year_than_the_file_name(tmp_path):
    def edit(book):
        sheet = book["学校"]
        letter = column_letter(book, "学年")
        for row in range(2, sheet.max_row + 1):
            sheet[f"{letter}{row}"] = 2023

    path = edited_sample(tmp_path, edit)
    ds = load(path)
    assert errors(ds) == [
        f"[错误] {path} › 工作表“学校”："
        "工作表中的数据属于990102 / 2023，但文件名表明是990102 / 2024：未使用，请核对文件名或数据"
    ]
    # no school row of 990102 / 2024 is used: the county-year is listed, not evaluated (no silent loss)
    assert ds.county_years().values.tolist() == [["990102", 2024]] and ds.schools.empty
    assert ds.blocked() == {("990102", 2024)}


def test_whole_sheet_of_another_county_than_the_file_name(tmp_path):
    def edit(book):
        sheet = book["学校"]
        letter = column_letter(book, "县级行政区划代码")
        for row in range(2, sheet.max_row + 1):
            sheet[f"{letter}{row}"] = "990103"

    path = edited_sample(tmp_path, edit)
    ds = load(path)
    assert errors(ds) == [
        f"[错误] {path} › 工作表“学校”："
        "工作表中的数据属于990103 / 2024，但文件名表明是990102 / 2024：未使用，请核对文件名或数据"
    ]
    # no school row of 990102 / 2024 is used: the county-year is listed, not evaluated (no silent loss)
    assert ds.county_years().values.tolist() == [["990102", 2024]] and ds.schools.empty
    assert ds.blocked() == {("990102", 2024)}


def test_a_workbook_named_for_a_prefecture_is_judged_by_its_rows(tmp_path):
    """990100 is a prefecture's code: the name names no county; two counties, no majority."""
    rows = [school("0123450001", students_primary=300), school("0123450002", students_primary=300)]
    rows[1]["county_code"] = "012346"
    ds = load(write_workbook(tmp_path / "990100_2024.xlsx", rows))
    assert not errors(ds)
    assert ds.county_years().values.tolist() == [[COUNTY, 2024], ["012346", 2024]]


def test_tables_of_many_counties_and_years_are_not_judged(tmp_path):
    from builders import write_tables

    rows = [
        school("0123450001", students_primary=300),
        dict(school("0123450002", students_primary=300), year=2023),
    ]
    ds = load(write_tables(tmp_path / "t", rows))
    assert not errors(ds)
    assert len(ds.county_years()) == 2


# -- finding 6: bounded sheet size and bounded messages ---------------------------------------------
def test_rows_are_counted_without_parsing_the_sheet():
    from junheng.inputs.sources import sheet_rows

    assert sheet_rows(SAMPLE / "990102_2024.xlsx", ["学校"]) == {"学校": 61}  # header + 60 schools


def test_a_sheet_beyond_the_row_limit_is_refused_and_said(tmp_path, monkeypatch):
    import junheng.inputs.sources as sources

    monkeypatch.setattr(sources, "MAX_SHEET_ROWS", 50)
    ds = load(SAMPLE / "990102_2024.xlsx")
    assert errors(ds) == [
        f"[错误] {SAMPLE / '990102_2024.xlsx'} › 工作表“学校”：工作表有61行数据，超过上限50行，未读取："
        "请删除多余的行（如整列填充的内容）后再读取"
    ]
    assert errors(ds, "en")[0].endswith(
        "more than the limit of 50: not read; delete the surplus rows "
        "(e.g. a column filled to the bottom) and read it again"
    )
    assert ds.schools is None or ds.schools.empty


def test_many_problems_of_one_kind_are_counted_not_all_printed(tmp_path, capsys):
    from junheng.cli import main

    rows = [school(f"01234500{i:02d}", students_primary=300, books="很多") for i in range(1, 31)]
    assert main(["validate", str(write_workbook(tmp_path / "w.xlsx", rows))]) == 1
    out = capsys.readouterr().out.splitlines()
    assert sum("“很多”不是数字" in line for line in out) == 20
    assert any(line.endswith("列“图书册数（册）”：同类问题（同上）还有10个，未逐条列出") for line in out)
    assert "错误 30 个" in out[-1]


# -- finding 9: smaller ones ------------------------------------------------------------------------
def test_a_renamed_required_column_is_one_error_not_one_per_row(tmp_path):
    def edit(book):
        for cell in book["学校"][1]:
            if cell.value == SCHOOLS["teaching_space_m2"].header:
                cell.value = "教学用房面积（平方米）"

    ds = load(edited_sample(tmp_path, edit))
    assert [(p.code, p.column) for p in ds.problems if p.severity == "error"] == [
        ("missing_column", SCHOOLS["teaching_space_m2"].header)
    ]


def blank_columns(*headers):
    """An edit leaving the 学校 sheet's ``headers`` columns blank in every row (header kept)."""

    def edit(book):
        sheet = book["学校"]
        for cell in sheet[1]:
            if cell.value in headers:
                for row in range(2, sheet.max_row + 1):
                    sheet.cell(row, cell.column).value = None

    return edit


def test_a_blank_required_column_is_one_error_not_one_per_row(tmp_path):
    name, computers = SCHOOLS["school_name"].header, SCHOOLS["computers"].header
    path = edited_sample(tmp_path, blank_columns(name, computers))
    ds = load(path)
    assert errors(ds) == [
        f"[错误] {path} › 工作表“学校” › 列“{name}”："
        "第5列（E列）整列为空：第2–61行共60行均未填写；这是必填列，请逐行填写",
        f"[错误] {path} › 工作表“学校” › 列“{computers}”："
        "第26列（Z列）整列为空：第2–61行共60行均未填写；这是必填列，请逐行填写",
    ]
    assert errors(ds, "en")[0].endswith(
        "column 5 (E) is empty: none of its 60 rows (2–61) is filled in; "
        "the column is required, fill it in for every row"
    )
    assert ds.blocked() == {("990102", 2024)}


def test_a_blank_section_column_is_one_error_for_the_schools_that_need_it(tmp_path):
    junior = SCHOOLS["students_junior"].header
    path = edited_sample(tmp_path, blank_columns(junior))
    ds = load(path)
    kinds = ["junior", "nine_year", "twelve_year", "complete_middle"]
    needing = int(ds.schools["school_type"].isin(kinds).sum())
    assert needing > 1
    assert errors(ds) == [
        f"[错误] {path} › 工作表“学校” › 列“{junior}”：第10列（J列）整列为空："
        f"有初中学段的{needing}所学校必须填写（其余学校可留空，按0计）"
    ]
    # a county without junior schools may leave the junior columns blank: 0, no error
    rows = [school("0123450001", students_primary=600), school("0123450002", students_primary=300)]
    for row in rows:
        for key in [k for k, c in SCHOOLS.items() if c.section == "junior"]:
            row[key] = None
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    assert errors(ds) == []
    assert ds.schools["students_junior"].tolist() == [0, 0]


def test_a_blank_column_is_told_of_its_own_workbook_only(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    edited_sample(folder, blank_columns(SCHOOLS["books"].header))
    (folder / "990121_2024.xlsx").write_bytes((SAMPLE / "990121_2024.xlsx").read_bytes())
    ds = load(folder)
    assert [(p.code, Path(p.file).name, p.column) for p in ds.problems if p.severity == "error"] == [
        ("column_empty", "990102_2024.xlsx", SCHOOLS["books"].header)
    ]
    assert ds.blocked() == {("990102", 2024)}


def test_a_blank_column_of_an_imports_supplement_is_not_an_error(tmp_path):
    """A supplement (补充.xlsx) may leave any column empty: the statistics exports give it."""
    from junheng.inputs.statistics.supplement import read_supplements

    source = ROOT / "data" / "examples" / "exports" / "supplement" / "990102_2024_补充.xlsx"
    book = load_workbook(source)
    sheet = book["学校"]
    for cell in sheet[1]:
        if cell.value == SCHOOLS["school_name"].header:
            for row in range(2, sheet.max_row + 1):
                sheet.cell(row, cell.column).value = None
    book.save(tmp_path / source.name)
    problems = []
    read_supplements([tmp_path / source.name], problems)
    assert not [p for p in problems if p.severity == "error"]


def test_a_missing_required_text_column_is_one_error(tmp_path):
    def edit(book):
        for cell in book["学校"][1]:
            if cell.value == SCHOOLS["school_name"].header:
                cell.value = "校名"

    ds = load(edited_sample(tmp_path, edit))
    assert [(p.code, p.column) for p in ds.problems if p.severity == "error"] == [
        ("missing_column", SCHOOLS["school_name"].header)
    ]


def test_a_copied_schools_sheet_is_said_not_ignored(tmp_path):
    def edit(book):
        book.copy_worksheet(book["学校"]).title = "学校 (2)"

    path = edited_sample(tmp_path, edit)
    ds = load(path)
    assert [p.message() for p in ds.problems if p.code == "sheet_copy_not_read"] == [
        f"[警告] {path} › 工作表“学校 (2)”："
        "工作表名称显示这是“学校”工作表的副本，未读取：如需使用，请把数据并入“学校”工作表"
    ]


def test_a_utf16_csv_is_read(tmp_path):
    from builders import write_tables

    folder = write_tables(tmp_path / "t", [school("0123450001", students_primary=300)])
    csv = folder / "schools.csv"
    text = csv.read_text(encoding="utf-8").replace(",", "\t")
    csv.write_bytes(text.encode("utf-16"))  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    ds = load(folder)
    assert not errors(ds) and ds.schools["school_code"].tolist() == ["0123450001"]
