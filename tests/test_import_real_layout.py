"""The statistics importer meets a real file (issue #22): the one real 基础基 export known, a
kindergarten's school workbook (2020/21, 国统制[2018]86号), rebuilt cell for cell from the notes
(tests/real_layout.py), given to `junheng import` as a county bureau would give its folder; and a
folder of exports of every kind of institution. Also: schools.csv without live formulas."""

import csv
from pathlib import Path

from export_builders import COUNTY, primary, sheet, write
from openpyxl import Workbook, load_workbook
from real_layout import CODE, NAME, kindergarten_workbook

from junheng.cli import main
from junheng.inputs.dataset import load
from junheng.inputs.statistics import codes
from junheng.inputs.statistics.mapping import mappings
from junheng.inputs.statistics.records import Extraction
from junheng.inputs.statistics.school_workbook import (
    attached_block,
    is_school_workbook,
    read_school_workbook,
)
from junheng.inputs.statistics.source import ExportSource
from junheng.inputs.statistics.workbook import read_workbook


def record_of(path: Path):
    book = read_workbook(path)
    mapping = is_school_workbook([s.name for s in book.sheets], mappings())
    ext = Extraction()
    return mapping, read_school_workbook(book, mapping, None, ext, 0), ext


def test_the_identity_form_is_read_from_the_schools_own_block(tmp_path):
    path = kindergarten_workbook(tmp_path / "k" / "幼儿园.xlsx")
    mapping, record, ext = record_of(path)
    assert mapping.generation == "jichuji-2018"
    assert attached_block(read_workbook(path).sheet("基础基111")) == 20  # Excel row 21: the block's headers
    assert not ext.problems, [p.message() for p in ext.problems]  # no "匹配到多处" for the shipped mapping
    got = {k: record.get(k) for k in ("school_code", "school_name", "school_type_code", "school_type_name")}
    assert got == {
        "school_code": CODE,
        "school_name": NAME,
        "school_type_code": "111",
        "school_type_name": "幼儿园",
    }
    # the first blocks' values (row 11 / 15), not the 附设班 rows' (119 … 368, '*')
    assert (record["sponsor_name"], record["sponsor_code"]) == ("民办", "999")
    assert (record["division_code"], record["authority_code"]) == ("330282123201", "330282000000")
    assert record["authority_name"] == "浙江省宁波市慈溪市教育局"
    assert (record["location_name"], record["location_code"], record["_year"]) == ("镇中心区", "121", 2020)
    assert record["_sections"] == ()  # a kindergarten's tables are not read as a school's


def test_a_school_in_the_real_form_layout_gets_its_own_identity(tmp_path):
    """The same form for a primary school: the identity flows into the schools table (ownership
    from 举办者 999, county from the 12-digit 区划代码, location from 121)."""
    path = kindergarten_workbook(tmp_path / "k" / "小学.xlsx", code="2133000001", name="示例小学")
    wb = load_workbook(path)
    wb["基础基111"]["D14"], wb["基础基111"]["D15"] = "小学", "211"
    wb.save(path)
    ds = load(ExportSource([path]))
    row = ds.schools.iloc[0]
    assert (row["school_code"], row["school_type"], row["ownership"]) == ("2133000001", "primary", "private")
    assert (row["county_code"], row["county_name"], row["location"]) == ("330282", "慈溪市", "town")
    assert "statistics.field_ambiguous" not in {p.code for p in ds.problems}


def test_a_folder_of_one_real_kindergarten_export_is_found_skipped_and_reported(tmp_path, capsys):
    folder = tmp_path / "exports"
    kindergarten_workbook(folder / "慈溪市示例幼儿园(幼儿园).xlsx")
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out)]) == 2  # nothing to evaluate
    said = capsys.readouterr().err
    assert "没有找到" not in said and "匹配到多处" not in said
    assert "找到 1 个教育事业统计导出文件（1 所学校（机构）），其中没有义务教育学校" in said
    assert not (out / "schools.csv").exists()
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert "## 未导入的学校（机构）" in report
    assert "按办学类型：幼儿园（111）1 所" in report
    assert f"| {CODE} | {NAME} | 111 | 幼儿园 | 非义务教育学校 |" in report


def test_an_empty_folder_still_says_no_export_found(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["import", str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--lang", "en"]) == 2
    assert "no statistics-system export" in capsys.readouterr().err


def test_a_county_folder_imports_its_schools_and_lists_every_other_institution(tmp_path):
    """Kindergartens (a real-layout workbook, and a 111 row), a 高级中学, a vocational training
    centre and a higher-education code beside one primary school: one school imported, each other
    institution listed with its name, code and type. (Special and vocational schools, 5xx and
    361-366, are imported: the method's scope rules exclude them with their reason.)"""
    folder = tmp_path / "exports"
    kindergarten_workbook(folder / "幼儿园.xlsx")
    others = [
        primary("0123450101", name="测试县实验幼儿园", type_name="幼儿园", type_code="111"),
        primary("0123450102", name="测试县第一高级中学", type_name="高级中学", type_code="342"),
        primary("0123450103", name="测试县职业培训中心", type_name="", type_code="369"),
        primary("0123450104", name="测试县开放大学", type_name="", type_code="419"),  # group 4: 高等教育
    ]
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), *others])
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out), "--lang", "zh"]) == 0
    assert load(out).schools["school_code"].tolist() == ["0123450001"]
    report = (out / "import_report.md").read_text(encoding="utf-8")
    for line in (
        f"| {CODE} | {NAME} | 111 | 幼儿园 |",
        "| 0123450101 | 测试县实验幼儿园 | 111 | 幼儿园 |",
        "| 0123450102 | 测试县第一高级中学 | 342 | 高级中学 |",
        "| 0123450103 | 测试县职业培训中心 | 369 | 中等职业培训机构 |",  # the name from the code list
        "| 0123450104 | 测试县开放大学 | 419 | 高等教育 |",  # the code's group
    ):
        assert line in report, line
    assert "幼儿园（111）2 所" in report


def test_school_types_by_code_and_group():
    assert codes.school_type("111", None) == (None, True)
    assert codes.school_type("342", None) == (None, True)
    assert codes.school_type("514", None) == ("special", True)
    assert codes.school_type("341", None) == ("complete_middle", True)
    assert codes.school_type("421", None) == (None, True)  # 高等教育: never compulsory
    assert codes.school_type("911", None) == (None, True)
    assert codes.school_type("299", None) == (None, False)  # an unlisted 2xx may be a school: unknown
    assert codes.school_type_label("365", None) == "职业高中学校"
    assert codes.school_type_label("119", "") == "附设幼儿班"


def test_schools_csv_holds_no_live_formula(tmp_path):
    """CSV formula injection (issue #22, finding 8): names that a spreadsheet would run are
    written as text, with the apostrophe spreadsheets read as 'text'."""
    hostile = {
        "0123450001": '=HYPERLINK("http://example.invalid","点击")',
        "0123450002": "+cmd|' /C calc'!A0",
        "0123450003": "@SUM(1+1)",
        "0123450004": "-2+3",
    }
    rows = [primary(code, name=name) for code, name in hostile.items()]
    folder = tmp_path / "x"
    laid_out = sheet(rows)  # the export as cells; written so that every text stays a text cell
    wb = Workbook()
    for r, values in enumerate(laid_out.rows, start=1):
        for c, value in enumerate(values, start=1):
            if value not in (None, ""):
                cell = wb.active.cell(row=r, column=c, value=value)
                cell.data_type = "n" if isinstance(value, (int, float)) else "s"
    for r0, c0, r1, c1 in laid_out.merges:
        wb.active.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    folder.mkdir()
    wb.save(folder / f"{COUNTY}_2024_小学.xlsx")
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out)]) == 0
    with open(out / "schools.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    names = {r["school_code"]: r["school_name"] for r in table}
    assert names == {code: "'" + name for code, name in hostile.items()}
    starts = {v[:1] for r in table for v in r.values() if v}
    assert not starts & {"=", "+", "@"}  # no cell starts a formula (numbers may be negative: none here)


def test_a_1001_sheet_with_attached_class_rows_reads_the_schools_own_rows():
    """教基1001 as a key-value sheet followed by rows for an 附设班 that repeat 举办者 / 举办者代码:
    the school's own rows are read (one match each, no warning), the attached class's are not."""
    from junheng.inputs.statistics.workbook import Workbook
    from junheng.sample.exports.grids import row_sheet

    items = [
        ("学校（机构）标识码", "2133000002"),
        ("学校（机构）名称", "示例九年一贯制学校"),
        ("所在地区划代码", "330282001001"),
        ("所在地城乡分类代码", "210"),
        ("办学类型", "九年一贯制学校"),
        ("办学类型代码", "312"),
        ("举办者", "地方教育部门"),
        ("举办者代码", "821"),
        ("属地管理教育行政部门代码", "330282000000"),
        ("附设幼儿班", "119"),
        ("举办者", "民办"),
        ("举办者代码", "999"),
        ("属地管理教育行政部门代码", "330281000000"),
    ]
    rows = [(label, f"{i:02d}", {"value": value}) for i, (label, value) in enumerate(items, start=1)]
    basic = row_sheet(
        "教基1001_九年一贯制学校", "学校（机构）基本情况", "教基1001", "", [("内容", "value")], rows, False
    )
    extra = row_sheet("教基1102续_九年一贯制学校", "续表", "教基1102续", "", [("内容", "value")], [], False)
    book = Workbook("示例九年一贯制学校(九年一贯制学校).xlsx", [basic, extra])
    mapping = is_school_workbook([s.name for s in book.sheets], mappings())
    ext = Extraction()
    record = read_school_workbook(book, mapping, 2024, ext, 0)
    assert "statistics.field_ambiguous" not in {p.code for p in ext.problems}
    assert (record["sponsor_name"], record["sponsor_code"]) == ("地方教育部门", "821")
    assert record["authority_code"] == "330282000000"
    assert attached_block(basic) == 3 + 1 + 1 + 9  # title, code cell, header, code row, 9 own rows
