"""Data contract and validation (issue #2): every layout, every message located and translated."""

from pathlib import Path

import pandas as pd
import pytest
from builders import COUNTY, county_row, school, write_tables, write_workbook

from junheng.inputs.dataset import load
from junheng.inputs.schema import load_schema
from junheng.method.evaluate import evaluate

HEADERS = load_schema().tables["schools"].columns


def two_schools():
    return [school("0123450001", students_primary=600), school("0123450002", "junior", students_junior=800)]


def messages(ds, severity=None, lang="zh"):
    return [p.message(lang) for p in ds.problems if severity is None or p.severity == severity]


def codes(ds, severity="error"):
    return [p.code for p in ds.problems if p.severity == severity]


def test_workbook_with_chinese_headers_equals_tables(tmp_path):
    wb = write_workbook(tmp_path / "012345_2024.xlsx", two_schools(), county=[county_row()])
    tables = write_tables(tmp_path / "t", two_schools(), county=[county_row()])
    a = evaluate(load(wb)).county(COUNTY, 2024).to_dict()
    b = evaluate(load(tables)).county(COUNTY, 2024).to_dict()
    assert a["parts"]["resource"]["cv"] == b["parts"]["resource"]["cv"]
    assert a["parts"]["guarantee"]["status"] == b["parts"]["guarantee"]["status"]
    assert not codes(load(wb))


def test_codes_stored_as_numbers_get_leading_zeros_back(tmp_path):
    rows = two_schools()
    for r in rows:
        r["county_code"] = int(r["county_code"])  # Excel turned 012345 into 12345
        r["school_code"] = int(r["school_code"])
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    assert set(ds.schools["county_code"]) == {"012345"}
    assert set(ds.schools["school_code"]) == {"0123450001", "0123450002"}
    assert "code_padded" in codes(ds, "info") and not codes(ds)


def test_equipment_in_wan_yuan_is_converted_from_the_header(tmp_path):
    rows = two_schools()
    rows[0]["equipment_value_yuan"] = 150  # 150 万元 = 1,500,000 yuan
    frame = pd.DataFrame(rows).rename(columns={c: HEADERS[c].header for c in rows[0]})
    frame = frame.rename(columns={"教学仪器设备值（元）": "教学仪器设备值（万元）"})
    rows[1]["equipment_value_yuan"] = rows[1]["equipment_value_yuan"] / 10000
    frame.loc[1, "教学仪器设备值（万元）"] = rows[1]["equipment_value_yuan"]
    path = tmp_path / "w.xlsx"
    frame.to_excel(path, sheet_name="学校", index=False)
    ds = load(path)
    assert ds.schools.loc[0, "equipment_value_yuan"] == pytest.approx(1_500_000)
    assert "unit_converted" in codes(ds, "info") and not codes(ds)
    assert any("万元" in m and "10000" in m for m in messages(ds, "info"))


def test_wan_yuan_under_a_yuan_header_is_flagged(tmp_path):
    rows = two_schools()
    rows[0]["equipment_value_yuan"] = 150
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    assert "unit_suspect" in codes(ds, "warning")


def test_error_messages_name_file_sheet_row_and_column(tmp_path):
    rows = two_schools() + [school("0123450003", students_primary=300)]
    rows[1]["students_junior"] = "八百"  # text in a numeric cell, Excel row 3
    rows[2]["teachers_primary"] = -3  # negative count, Excel row 4
    path = write_workbook(tmp_path / "012345_2024.xlsx", rows)
    ds = load(path)
    msgs = messages(ds, "error")
    assert f"[错误] {path} › 工作表“学校” › 第3行 › 列“初中在校生数（人）”：“八百”不是数字" in msgs
    assert f"[错误] {path} › 工作表“学校” › 第4行 › 列“小学专任教师数（人）”：不能为负数（-3）" in msgs
    en = messages(ds, "error", "en")
    assert f"[error] {path}, sheet '学校', row 3, column '初中在校生数（人）': '八百' is not a number" in en


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda r: r[1].update(school_code=r[0]["school_code"]), "duplicate_key"),
        (lambda r: r[0].update(school_type="高中"), "unknown_enum"),
        (lambda r: r[0].update(ownership="公立"), "unknown_enum"),
        (
            lambda r: r.append(
                dict(
                    school("0123450009", "nine_year", students_primary=300, students_junior=200),
                    students_junior=None,
                )
            ),
            "section_missing",
        ),
        (lambda r: r[0].update(teachers_qualified_primary=999), "subset_exceeds"),
        (lambda r: r[0].update(school_code="12345"), "bad_code"),
        (lambda r: r[0].update(year="二〇二四"), "bad_year"),
        (lambda r: r[0].update(teachers_primary=3.5), "not_integer"),
        (lambda r: r[0].update(school_name=None), "required_value"),
    ],
)
def test_each_validation_error(tmp_path, change, code):
    rows = two_schools()
    change(rows)
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    assert code in codes(ds), messages(ds)
    p = next(p for p in ds.problems if p.code == code)
    assert p.sheet == "学校" and p.row is not None and p.file.endswith("w.xlsx")


def test_duplicate_names_the_first_row(tmp_path):
    rows = two_schools()
    rows[1]["school_code"] = rows[0]["school_code"]
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    assert any("与第2行重复" in m for m in messages(ds, "error"))


def test_missing_and_unknown_headers(tmp_path):
    frame = (
        pd.DataFrame(two_schools())
        .drop(columns=["teachers_backbone_primary"])
        .rename(columns={"books": "藏书"})
    )
    path = tmp_path / "w.xlsx"
    frame.to_excel(path, sheet_name="学校", index=False)
    ds = load(path)
    assert "missing_column" in codes(ds)
    assert any("缺少必填列“小学县级以上骨干教师数（人）”" in m for m in messages(ds, "error"))
    assert any("藏书" in m for m in messages(ds, "warning"))


def test_unknown_unit_is_an_error(tmp_path):
    frame = pd.DataFrame(two_schools()).rename(columns={"sports_area_m2": "体育运动场馆面积（亩）"})
    path = tmp_path / "w.xlsx"
    frame.to_excel(path, sheet_name="学校", index=False)
    assert "unknown_unit" in codes(load(path))


def test_a_bad_county_does_not_stop_the_others(tmp_path):
    good = two_schools()
    bad = [dict(r, county_code="054321", school_code="054321" + r["school_code"][6:]) for r in two_schools()]
    bad[0]["students_primary"] = "很多"
    folder = tmp_path / "wbs"
    folder.mkdir()
    write_workbook(folder / "012345_2024.xlsx", good)
    write_workbook(folder / "054321_2024.xlsx", bad)
    ev = evaluate(load(folder))
    v = ev.verdicts.set_index("county_code")["status"]
    assert v["054321"] == "invalid" and v["012345"] in ("passed", "incomplete", "failed")
    doc = ev.county("054321", 2024).to_dict()
    assert doc["passed"] is None and any("很多" in p["message"] for p in doc["problems"])
    assert ev.county(COUNTY, 2024).to_dict()["parts"]["resource"]["status"] == "pass"


def test_sheets_cleaned_together_keep_their_own_file_row_and_order(tmp_path):
    """Same-layout workbooks are coerced in one stacked pass: each message still names its own file
    and row, messages come file by file, and rows keep the order the files were read in."""
    folder = tmp_path / "wbs"
    folder.mkdir()
    early, late = two_schools(), two_schools()
    for r in early:
        r["year"] = 2023
    early[1]["students_junior"] = -5  # 2023 workbook, row 3
    late[0]["teachers_primary"] = "若干"  # 2024 workbook, row 2
    late[1]["school_type"] = "大学"  # 2024 workbook, row 3 (different table: school_type column)
    write_workbook(folder / "012345_2023.xlsx", early)
    write_workbook(folder / "012345_2024.xlsx", late)
    ds = load(folder)
    errors = [(Path(p.file).name, p.row, p.code) for p in ds.problems if p.severity == "error"]
    assert errors == [
        ("012345_2023.xlsx", 3, "negative"),
        ("012345_2024.xlsx", 3, "unknown_enum"),
        ("012345_2024.xlsx", 2, "not_a_number"),
    ]
    assert list(zip(ds.schools["year"], ds.schools["_row"], strict=True)) == [
        (2023, 2),
        (2023, 3),
        (2024, 2),
        (2024, 3),
    ]


def test_cells_as_users_type_them(tmp_path):
    """Whitespace-only cells are empty, thousands separators are read, flags accept 是/否/1/0/√,
    and every distinct spelling is mapped (values are mapped once per distinct text)."""
    rows = [
        school("0123450001", students_primary=1200, books="36,000", boarding="是"),
        school("0123450002", students_primary=600, books="18，000", boarding=0, computers="   "),
        school("0123450003", students_primary=600, boarding="√", location=" 乡村 "),
        school("0123450004", students_primary=600, boarding="  ", ownership="民办"),
    ]
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    s = ds.schools.set_index("school_code")
    assert s["books"].tolist()[:2] == [36000.0, 18000.0]
    assert pd.isna(s.loc["0123450002", "computers"])
    assert s["boarding"].tolist() == [True, False, True, pd.NA]
    assert s["location"].tolist() == ["urban", "urban", "rural", "urban"]
    assert s["ownership"].tolist() == ["public", "public", "public", "private"]
    # the blank required computers cell is said, not read as 0 (issue #22)
    assert [(p.row, p.code) for p in ds.problems if p.severity == "error"] == [(3, "required_value")]


def test_parquet_directory_with_many_counties(tmp_path):
    rows = two_schools() + [
        dict(r, county_code="990101", school_code="990101" + r["school_code"][6:]) for r in two_schools()
    ]
    folder = tmp_path / "pq"
    folder.mkdir()
    pd.DataFrame(rows).to_parquet(folder / "schools.parquet")
    ev = evaluate(load(folder))
    assert sorted(ev.verdicts["county_code"]) == [COUNTY, "990101"]


def test_gbk_csv_from_excel(tmp_path):
    folder = tmp_path / "gbk"
    folder.mkdir()
    frame = pd.DataFrame(two_schools()).rename(columns={c: HEADERS[c].header for c in two_schools()[0]})
    frame.to_csv(folder / "schools.csv", index=False, encoding="gb18030")
    ds = load(folder)
    assert not codes(ds) and ds.schools["county_name"].iloc[0] == "测试县"


def test_blank_rows_are_skipped_and_row_numbers_kept(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", two_schools())
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["学校"]
    ws.insert_rows(3)
    ws.cell(row=4, column=HEADERS_INDEX["students_junior"], value="x")
    wb.save(path)
    ds = load(path)
    assert len(ds.schools) == 2
    assert any("第4行" in m for m in messages(ds, "error"))


def test_a_number_typed_into_a_text_column_reads_as_the_user_sees_it(tmp_path):
    rows = two_schools()
    rows[0]["school_name"] = 12  # Excel stores it as the float 12.0
    ds = load(write_workbook(tmp_path / "w.xlsx", rows))
    assert ds.schools.loc[ds.schools["school_code"] == "0123450001", "school_name"].item() == "12"


HEADERS_INDEX = {k: i + 1 for i, k in enumerate(school("0123450001"))}


def test_template_loads_clean_and_documents_every_column(tmp_path):
    from openpyxl import load_workbook

    from junheng.inputs.template import write_template

    path = write_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "说明"
    assert {"学校", "县级指标", "质量监测", "问卷汇总", "问卷答卷"} <= set(wb.sheetnames)
    ws = wb["学校"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["县级行政区划代码", "县级行政区名称", "学年"]
    assert "小学在校生数（人）" in headers and "教学仪器设备值（元）" in headers
    assert ws.data_validations.dataValidation  # drop-down lists and number checks
    documented = {row[2] for row in wb["说明"].iter_rows(values_only=True)}
    assert set(HEADERS) <= documented
    ds = load(path)
    # every header recognised; the one problem: no school yet (an empty 学校 sheet is an error, #11)
    assert [(p.code, p.sheet) for p in ds.problems] == [("no_school_rows", "学校")]
    assert ds.schools is not None and ds.schools.empty


def test_data_dictionary_is_current():
    from pathlib import Path

    from junheng.inputs.template import data_dictionary

    doc = Path(__file__).parent.parent / "docs" / "data-dictionary.md"
    assert doc.read_text(encoding="utf-8") == data_dictionary(), (
        "run: junheng dictionary > docs/data-dictionary.md"
    )
