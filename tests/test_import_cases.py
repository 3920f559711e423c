"""Reading the statistics system's exports (issue #13): each case of the issue's 'Done when' list
with the exact value expected (computed by hand from export_builders) or the located message."""

from pathlib import Path

import pytest
import yaml
from export_builders import COUNTY, junior, primary, sheet, tree, write

from junheng.cli import main
from junheng.inputs.dataset import load
from junheng.inputs.statistics.source import ExportSource
from junheng.method.evaluate import evaluate

# Hand-computed from export_builders.primary / junior (default options):
PRIMARY = {
    "students_primary": 600,
    "teachers_primary": 40,
    "teachers_qualified_primary": 38,  # 博士 1 + 硕士 3 + 本科 30 + 专科 4 (not 高中阶段 2)
    "teachers_backbone_primary": 7,
    "teachers_pe_art_primary": 6,  # 体育 3 + 音乐 2 + 美术 1 (艺术 计 3 not added again)
    "teachers_senior_title_primary": 20,  # 正高级 0 (blank) + 副高级 5 + 中级 15
    "teaching_space_m2": 2600.5,  # 教学及辅助用房 3000.5 - 室内体育用房 400
    "sports_area_m2": 5400,  # 运动场地 5000 + 室内体育用房 400
    "equipment_value_yuan": 1_502_500,  # 150.25 万元
    "multimedia_rooms": 15,
    "computers": 60,
    "books": 20000,
    "classes_primary": 15,
    "oversized_classes_primary": 1,  # the 46-50人 class
    "entrants_primary": 100,
}
JUNIOR = {
    "students_junior": 800,
    "teachers_junior": 60,
    "teachers_qualified_junior": 56,  # 硕士 6 + 本科 50 (not 专科 4)
    "teachers_backbone_junior": 9,
    "teachers_pe_art_junior": 8,
    "oversized_classes_junior": 0,
    "students_primary": 0,  # a 学段 the school does not have
}


def school(ds, code):
    rows = ds.schools[ds.schools["school_code"] == code]
    assert len(rows) == 1, list(ds.schools["school_code"])
    return rows.iloc[0]


def assert_values(row, expected):
    for column, value in expected.items():
        assert row[column] == value, (column, row[column], value)


def codes(ds, severity=None):
    return [p.code for p in ds.problems if severity is None or p.severity == severity]


def only(ds, code):
    found = [p for p in ds.problems if p.code == code]
    assert len(found) == 1, [p.message() for p in ds.problems]
    return found[0]


def primary_and_junior(tmp_path, **tree_changes):
    header = tree(**tree_changes)
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=header)
    write(tmp_path / "x" / f"{COUNTY}_2024_初中.xlsx", [junior()], section="初中", header=header)
    return tmp_path / "x"


def test_county_wide_export_reads_every_value(tmp_path):
    ds = load(primary_and_junior(tmp_path))
    assert not codes(ds, "error") and not codes(ds, "warning"), [p.message() for p in ds.problems]
    p = school(ds, "0123450001")
    assert (p["county_code"], p["county_name"], p["year"]) == (COUNTY, "测试县", 2024)
    assert (p["school_type"], p["ownership"], p["location"]) == ("primary", "public", "town")
    assert_values(p, PRIMARY)
    assert_values(school(ds, "0123450002"), JUNIOR)
    note = only(ds, "statistics.imported")
    assert (note.county_code, note.year) == (COUNTY, 2024) and "室内体育用房" in note.message("zh")


def test_a_header_with_an_extra_merged_row(tmp_path):
    ds = load(primary_and_junior(tmp_path, extra_level=True))
    assert not codes(ds, "error")
    assert_values(school(ds, "0123450001"), PRIMARY)


def test_headers_without_merge_information(tmp_path):
    from junheng.inputs.statistics.workbook import Workbook
    from junheng.sample.exports import xlsx_bytes

    unmerged = sheet([primary()])
    unmerged.merges = []  # some tools save merged headers as a top-left text and blank cells
    path = tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx"
    path.parent.mkdir()
    path.write_bytes(xlsx_bytes(Workbook(path.name, [unmerged])))
    ds = load(path.parent)
    assert not codes(ds, "error"), [p.message() for p in ds.problems]
    assert_values(school(ds, "0123450001"), PRIMARY)


def test_columns_in_another_order(tmp_path):
    order = list(reversed(range(len(tree()))))
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], order=order)
    ds = load(tmp_path / "x")
    assert not codes(ds, "error")
    assert_values(school(ds, "0123450001"), PRIMARY)


@pytest.mark.parametrize(
    "spelling", ["县级以上骨干教师({})", "县级及以上骨干教师（{}）", "县级及以上骨干教师({})"]
)
def test_backbone_spellings_and_brackets(tmp_path, spelling):
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=tree(backbone=spelling))
    ds = load(tmp_path / "x")
    assert school(ds, "0123450001")["teachers_backbone_primary"] == 7


@pytest.mark.parametrize("group", ["固定资产总值（万元）", "固定资产总值(万元)", "固定资产总值 ( 万元 )"])
def test_wan_yuan_in_half_or_full_width_brackets(tmp_path, group):
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=tree(equipment_group=group))
    ds = load(tmp_path / "x")
    assert school(ds, "0123450001")["equipment_value_yuan"] == 1_502_500


def test_wan_yuan_with_four_decimals_gives_yuan_exactly(tmp_path):
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary(equipment="12.3456")])
    assert school(load(tmp_path / "x"), "0123450001")["equipment_value_yuan"] == 123_456


def test_equipment_without_any_unit_is_read_as_wan_yuan_and_said(tmp_path):
    write(
        tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=tree(equipment_group="固定资产总值")
    )
    ds = load(tmp_path / "x")
    assert school(ds, "0123450001")["equipment_value_yuan"] == 1_502_500
    note = only(ds, "statistics.unit_assumed")
    assert note.severity == "warning" and "万元" in note.message() and "assumed_unit" in note.message()


def test_a_combined_school_in_two_files_is_one_school(tmp_path):
    nine = {"type_name": "九年一贯制学校", "type_code": "312", "bb_junior": "5"}
    folder = tmp_path / "x"
    small = {"t_vice": "3", "t_mid": "7"}
    primary_part = {
        "students": "300",
        "teachers": "20",
        "d_doctorate": "",
        "d_master": "1",
        "d_bachelor": "15",
    }
    primary_part |= {"d_college": "3", "d_high": "1"}
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary("0123450003", **nine, **small, **primary_part)])
    junior_part = {"students": "200", "teachers": "18", "d_master": "2", "d_bachelor": "12", "d_college": "4"}
    write(
        folder / f"{COUNTY}_2024_初中.xlsx",
        [junior("0123450003", **nine, **small, **junior_part)],
        section="初中",
    )
    ds = load(folder)
    assert not codes(ds, "error"), [p.message() for p in ds.problems]
    s = school(ds, "0123450003")
    assert s["school_type"] == "nine_year"
    assert (s["students_primary"], s["students_junior"]) == (300, 200)
    assert (s["teachers_primary"], s["teachers_junior"]) == (20, 18)
    assert (s["teachers_qualified_primary"], s["teachers_qualified_junior"]) == (
        19,
        14,
    )  # from each 学段's file
    assert (s["teachers_backbone_primary"], s["teachers_backbone_junior"]) == (7, 5)
    assert s["teaching_space_m2"] == 2600.5 and s["books"] == 20000  # counted once, not twice
    merged = [d for d in ds_result(folder).extraction.dispositions if d["outcome"] == "merged_section"]
    assert [(Path(d["file"]).name, d["school_code"]) for d in merged] == [
        (f"{COUNTY}_2024_初中.xlsx", "0123450003")
    ]


def ds_result(*paths, **kwargs):
    source = ExportSource(paths, **kwargs)
    load(source)
    return source.result


def test_whole_school_figures_that_differ_between_files_are_counted_once_and_reported(tmp_path):
    nine = {"type_name": "九年一贯制学校", "type_code": "312"}
    folder = tmp_path / "x"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary("0123450003", **nine)])
    write(folder / f"{COUNTY}_2024_初中.xlsx", [junior("0123450003", **nine, aux="3100.5")], section="初中")
    ds = load(folder)
    assert school(ds, "0123450003")["teaching_space_m2"] == 2600.5  # the 小学 file's, first in 学段 order
    warning = only(ds, "statistics.resources_differ")
    assert (
        warning.file.endswith("_初中.xlsx") and warning.row == 7 and "教学及辅助用房面积" in warning.message()
    )


def test_a_combined_school_missing_from_one_file_is_a_located_error(tmp_path):
    write(
        tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx",
        [primary("0123450003", type_name="九年一贯制学校", type_code="312")],
    )
    ds = load(tmp_path / "x")
    error = only(ds, "statistics.section_not_found")
    assert error.severity == "error" and error.file.endswith("_小学.xlsx") and error.row == 7
    assert "初中" in error.message()
    assert evaluate(ds).verdicts["status"].tolist() == ["invalid"]


def campus(**changes):
    row = primary("0123459001", name="测试小学01西校区", counted="否", students="100", teachers="8")
    row.update(d_doctorate="", d_master="", d_bachelor="6", d_college="2", d_high="", t_vice="1", t_mid="3")
    row.update(pe="1", music="1", fine="", art="1", bb_primary="1", aux="500", indoor="", ground="800")
    row.update(books="3000", computers="10", multimedia="3", equipment="20", classes="3", b41="3", b46="")
    row.update(changes)
    return row


def parent_map(path: Path, rows: list) -> Path:
    from junheng.inputs.statistics.parents import write_parents

    return write_parents(path, rows)


def test_a_not_counted_row_with_a_parent_is_merged_into_it(tmp_path):
    folder = tmp_path / "x"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), campus()])
    parents = parent_map(tmp_path / "p.xlsx", [{"code": "0123459001", "parent_code": "0123450001"}])
    ds = load(ExportSource([folder], parents_file=parents))
    assert "0123459001" not in set(ds.schools["school_code"])
    p = school(ds, "0123450001")
    assert_values(
        p,
        {
            "students_primary": 700,
            "teachers_primary": 48,
            "teachers_qualified_primary": 46,  # 38 + 本科 6 + 专科 2
            "teachers_backbone_primary": 8,
            "teachers_pe_art_primary": 8,  # 6 + 体育 1 + 音乐 1
            "teachers_senior_title_primary": 24,
            "teaching_space_m2": 3100.5,  # 2600.5 + 500
            "sports_area_m2": 6200,  # 5400 + 800
            "equipment_value_yuan": 1_702_500,  # (150.25 + 20) 万元
            "multimedia_rooms": 18,
            "computers": 70,
            "books": 23000,
            "classes_primary": 18,
            "oversized_classes_primary": 1,
            "entrants_primary": 200,
        },
    )
    note = only(ds, "statistics.merged_into_parent")
    assert note.severity == "info" and note.row == 8 and "0123450001" in note.message()


def test_a_not_counted_row_without_a_parent_is_imported_and_reported(tmp_path):
    folder = tmp_path / "x"
    point = primary(
        "0123450009", name="测试教学点", type_name="小学教学点", type_code="218", counted="否", students="40"
    )
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), campus(), point])
    result = ds_result(folder)
    ds = load(folder)
    assert school(ds, "0123450001")["students_primary"] == 600
    assert school(ds, "0123459001")["school_type"] == "primary"
    warning = only(ds, "statistics.not_counted_unassigned")
    assert warning.severity == "warning" and warning.row == 8 and "--parents" in warning.message()
    assert school(ds, "0123450009")["school_type"] == "teaching_point"
    assert only(ds, "statistics.teaching_point_unassigned").severity == "info"
    listed = {(r["code"], r["outcome"], r["students"]) for r in result.parent_rows}
    assert listed == {("0123459001", "separate", 100), ("0123450009", "teaching_point", 40)}
    excluded = evaluate(ds).resource.schools.set_index("school_code")
    assert excluded.loc["0123450009", "exclusion"] == "small_teaching_point"  # scope rules apply


def test_a_parent_that_is_not_in_the_exports_is_an_error_in_the_parent_map(tmp_path):
    folder = tmp_path / "x"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), campus()])
    parents = parent_map(tmp_path / "p.xlsx", [{"code": "0123459001", "parent_code": "0123450077"}])
    ds = load(ExportSource([folder], parents_file=parents))
    error = only(ds, "statistics.parent_not_found")
    assert error.severity == "error" and error.file == str(parents) and error.row == 2


def test_a_campus_sharing_its_schools_code_is_merged_without_a_map(tmp_path):
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary(), campus(code="0123450001")])
    ds = load(tmp_path / "x")
    assert school(ds, "0123450001")["students_primary"] == 700
    assert only(ds, "statistics.campus_same_code").severity == "info"


def test_a_missing_table_in_a_school_workbook_is_a_located_error(tmp_path):
    from junheng.sample.exports import xlsx_bytes

    book = sample_school_workbook("jiaoji-2021")
    book.sheets = [s for s in book.sheets if not s.name.startswith("教基5176")]
    path = tmp_path / "w" / "学校.xlsx"
    path.parent.mkdir()
    path.write_bytes(xlsx_bytes(book))
    ds = load(path.parent)
    missing = [p for p in ds.problems if p.code == "statistics.value_missing_table_missing"]
    assert {p.column for p in missing} == {
        "体育运动场馆面积（平方米）",
        "教学仪器设备值（元）",
        "网络多媒体教室数（间）",
        "教学用计算机台数（台）",
        "图书册数（册）",
    }
    assert all(p.severity == "error" and p.file == str(path) and p.sheet == "教基1001_小学" for p in missing)
    assert all("“教基5176*”表" in p.message() and "--mapping" in p.message() for p in missing)
    assert evaluate(ds).verdicts["status"].tolist() == ["invalid"]


def sample_school_workbook(generation, kind="primary"):
    from junheng.sample.exports.model import school_stats
    from junheng.sample.exports.school_workbooks import school_workbook

    ds = load(Path(__file__).parent.parent / "data" / "sample" / "990181_2024.xlsx")
    row = ds.schools[ds.schools["school_type"] == kind].iloc[0]
    return school_workbook(school_stats(row, "清源市"), generation, 2024)[1]


def test_a_corrected_mapping_passed_back(tmp_path):
    export = write(
        tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=tree(ground="体育活动场地")
    )
    out = tmp_path / "out"
    assert main(["import", str(export), "--out", str(out)]) == 1
    ds = load(export)
    error = only(ds, "statistics.value_missing_not_found")
    assert (error.file, error.column) == (str(export), "体育运动场馆面积（平方米）")
    assert "sports_ground_area" in error.message() and "--mapping" in error.message()
    mapping = out / "mapping-jiaoji-2021.yaml"
    text = mapping.read_text(encoding="utf-8")
    assert text.startswith("# junheng import mapping (beta)")  # the shipped file, comments and all
    spec = yaml.safe_load(text)
    assert spec["fields"]["sports_ground_area"]["wide"] == ["占地面积", "运动场地面积|运动场地"]
    mapping.write_text(
        text.replace("[占地面积, 运动场地面积|运动场地]", "[占地面积, 体育活动场地]"), encoding="utf-8"
    )
    assert main(["import", str(export), "--out", str(out), "--mapping", str(mapping)]) == 0
    again = load(out)
    assert school(again, "0123450001")["sports_area_m2"] == 5400
    report = yaml.safe_load((out / "import_report.json").read_text(encoding="utf-8"))
    assert report["inputs"]["mappings"] == [
        {"generation": "jiaoji-2021", "source": str(mapping), "written_to": "mapping-jiaoji-2021.yaml"}
    ]


def test_an_ambiguous_path_is_a_located_warning_naming_the_mapping(tmp_path):
    header = tree()
    header.append(("其他", [("网络多媒体教室（间）", "multimedia")]))  # a second 网络多媒体教室 column
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=header)
    ds = load(tmp_path / "x")
    warning = only(ds, "statistics.field_ambiguous")
    assert warning.severity == "warning" and "multimedia_rooms" in warning.message()
    assert "junheng:mappings/jiaoji-2021.yaml" in warning.message()
    assert only(ds, "statistics.value_missing_ambiguous").column == "网络多媒体教室数（间）"


def test_summary_rows_are_skipped_and_every_row_is_accounted_for(tmp_path):
    total = {k: "" for k in primary()} | {"name": "合计", "students": "1400"}
    folder = tmp_path / "x"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), campus(), total])
    result = ds_result(folder)
    ext = result.extraction
    assert ext.rows_read == 3
    assert [s["reason"] for s in ext.skipped] == ["summary_row"] and ext.skipped[0]["row"] == 9
    assert len(ext.dispositions) + len(ext.skipped) == ext.rows_read


def test_a_star_where_a_value_is_needed_is_reported(tmp_path):
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary(teachers="*")])
    ds = load(tmp_path / "x")
    error = only(ds, "statistics.value_missing_not_applicable")
    assert (error.row, error.column) == (7, "小学专任教师数（人）")


def test_text_that_is_no_number_is_located(tmp_path):
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary(books="两万")])
    error = only(load(tmp_path / "x"), "not_a_number")
    assert (error.row, error.column) == (7, "Sheet1 › 教基5176 › 图书") and "两万" in error.message()


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, (2600.5, 5400, 38, 6)),
        ({"indoor_sports_rooms": "as_reported"}, (3000.5, 5400, 38, 6)),
        ({"qualified_minimum": {"primary": "bachelor"}}, (2600.5, 5400, 34, 6)),
        ({"art_teachers": "art_total"}, (2600.5, 5400, 38, 6)),  # 体育 3 + 艺术 计 3
    ],
)
def test_options(tmp_path, options, expected):
    from junheng.inputs.statistics.mapping import shipped

    export = write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary(art="4")])
    spec = yaml.safe_load(shipped("jiaoji-2021").text)
    spec["options"].update(options)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    result = ds_result(export, mapping_files=[mapping])
    s = result.schools.set_index("school_code").loc["0123450001"]
    space, sports, qualified, pe_art = expected
    if options.get("art_teachers") == "art_total":
        pe_art = 3 + 4  # 体育 3 + 艺术 计 4 (may include arts other than music and fine arts)
    assert (s["teaching_space_m2"], s["sports_area_m2"], s["teachers_qualified_primary"]) == (
        space,
        sports,
        qualified,
    )
    assert s["teachers_pe_art_primary"] == pe_art
    assert result.options.doctorate_counts is True


def test_doctorates_always_count_and_a_missed_degree_column_is_noticed(tmp_path):
    from junheng.inputs.statistics.mapping import shipped

    export = write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()])
    spec = yaml.safe_load(shipped("jiaoji-2021").text)
    del spec["fields"]["degree_doctorate"]  # a mapping that forgets the 博士 column, as some scripts do
    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    ds = load(ExportSource([export], mapping_files=[mapping]))
    assert school(ds, "0123450001")["teachers_qualified_primary"] == 37
    warning = only(ds, "statistics.degrees_incomplete")
    assert "博士研究生" in warning.message() and warning.file == str(export)


def test_the_year_comes_from_the_title_the_file_name_or_the_option(tmp_path):
    from junheng.inputs.statistics.records import year_in

    assert year_in("2023年教育事业统计 小学（2023/2024学年初）") == 2023
    assert year_in("（２０２２／２０２３学年初）") == 2022  # full-width digits
    assert year_in("990102_2021_小学.xlsx") == 2021
    assert year_in("小学基础数据") is None
    folder = tmp_path / "x"
    write(folder / "小学.xlsx", [primary()], year=2019)
    assert set(load(folder).schools["year"]) == {2019}
    assert set(load(ExportSource([folder], year=2025)).schools["year"]) == {2025}


def test_the_section_of_a_file_comes_from_its_title_name_or_table_codes(tmp_path):
    write(tmp_path / "a" / "2024_export.xlsx", [primary()], section="", header=tree())  # 教基3112: 小学
    assert school(load(tmp_path / "a"), "0123450001")["students_primary"] == 600
    header = [(("教基3115", block) if label == "教基3112" else (label, block)) for label, block in tree()]
    write(tmp_path / "b" / "2024_export.xlsx", [junior()], section="", header=header)
    assert school(load(tmp_path / "b"), "0123450002")["students_junior"] == 800


def test_load_reads_an_export_directory_and_template_data_as_before(tmp_path):
    from builders import school as template_school
    from builders import write_tables

    assert load(primary_and_junior(tmp_path)).schools["school_code"].tolist() == ["0123450001", "0123450002"]
    tables = write_tables(tmp_path / "t", [template_school("0123450001", students_primary=500)])
    assert load(tables).schools["students_primary"].tolist() == [500]


def test_import_writes_tables_that_load_back_unchanged(tmp_path):
    folder = primary_and_junior(tmp_path)
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"out-{fmt}"
        assert main(["import", str(folder), "--out", str(out), "--format", fmt, "--lang", "en"]) == 0
        names = {p.name for p in out.iterdir()}
        assert {
            f"schools.{fmt}",
            "import_report.json",
            "import_report.md",
            "mapping-jiaoji-2021.yaml",
        } <= names
        assert "不计校数归属.xlsx" in names
        direct, stored = load(folder).schools, load(out).schools
        columns = [c for c in direct.columns if not c.startswith("_")]
        assert direct[columns].equals(stored[columns]), fmt
    report = (tmp_path / "out-csv" / "import_report.md").read_text(encoding="utf-8")
    assert "Statistics-system import report (beta)" in report and "教基4155 › 专任教师 › 合计" in report
    from junheng.inputs.statistics.report import read_import_report

    options = read_import_report(tmp_path / "out-csv" / "schools.csv")["options_values"]
    assert options == {
        "indoor_sports_rooms": "moved",
        "qualified_minimum": {"primary": "college", "junior": "bachelor"},
        "art_teachers": "music_and_fine_arts",
        "doctorate_counts": True,
    }


def test_plan_targets_beside_the_exports_go_beside_the_tables(tmp_path):
    folder = primary_and_junior(tmp_path)
    (folder / "targets.yaml").write_text('counties:\n  "012345":\n    targets: []\n', encoding="utf-8")
    assert main(["import", str(folder), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "targets.yaml").read_text(encoding="utf-8").startswith("counties:")


def test_every_message_renders_in_both_languages(tmp_path):
    folder = tmp_path / "x"
    write(
        folder / f"{COUNTY}_2024_小学.xlsx",
        [primary(teachers="*", books="两万"), campus()],
        header=tree(ground="x"),
    )
    write(folder / "小学.xlsx", [primary("0123450005")], year=None)
    ds = load(folder)
    assert len(ds.problems) >= 5
    for p in ds.problems:
        assert p.message("zh") and p.message("en")


def test_validate_on_the_imports_output_says_nothing_of_its_own_files(tmp_path, capsys):
    """Issue #22: the import's report, mappings and parent map are its own files, not strays."""
    out = tmp_path / "out"
    assert main(["import", str(primary_and_junior(tmp_path)), "--out", str(out)]) == 0
    (out / "notes.txt").write_text("a county's own note", encoding="utf-8")
    (out / "mapping-mine.yaml").write_text("just: text\n", encoding="utf-8")  # not a mapping
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"[警告] {out / 'mapping-mine.yaml'}：该文件夹按数据表（schools.csv 等）读取，此文件未读取",
        f"[警告] {out / 'notes.txt'}：该文件夹按数据表（schools.csv 等）读取，此文件未读取",
        "另有提示4条（如缺少的工作表）未列出，加 --all 查看。",  # the sheets an import does not write
        "共检查学校 2 行：错误 0 个，警告 2 个。",
    ]
    (out / "import_report.json").unlink()  # without the import's report the folder is not the import's
    assert main(["validate", str(out)]) == 0
    assert "import_report.md" in capsys.readouterr().out


def three_campuses(tmp_path) -> Path:
    folder = tmp_path / "x"
    rows = [
        primary(),
        campus(),
        campus(code="0123459002", name="东校区"),
        campus(code="0123459003", name="南校区"),
    ]
    write(folder / f"{COUNTY}_2024_小学.xlsx", rows)
    return folder


def test_a_circle_in_the_parent_map_names_its_schools_in_order(tmp_path):
    """Issue #22: 9002 → 9003 → 9001 → 9002 is one error naming the circle, not 'no such school'."""
    links = [("0123459002", "0123459003"), ("0123459003", "0123459001"), ("0123459001", "0123459002")]
    parents = parent_map(tmp_path / "p.xlsx", [{"code": a, "parent_code": b} for a, b in links])
    ds = load(ExportSource([three_campuses(tmp_path)], parents_file=parents))
    error = only(ds, "statistics.parent_cycle")
    assert (error.file, error.row, error.county_code, error.year) == (str(parents), 2, COUNTY, 2024)
    assert error.message() == (
        f"[错误] {parents} › 第2行：归属表中的所属学校构成循环："
        "0123459001 → 0123459002 → 0123459003 → 0123459001（归属表第2、3、4行，2024年）。"
        "循环中没有计校数学校，无法并入：0123459001、0123459002、0123459003均按独立学校导入。"
        "请把其中一个的所属学校改为计校数学校的标识码"
    )
    assert "0123459001 → 0123459002 → 0123459003 → 0123459001" in error.message("en")
    assert "statistics.parent_not_found" not in codes(ds)
    assert ds.blocked() == {(COUNTY, 2024)}
    assert sorted(ds.schools["school_code"]) == ["0123450001", "0123459001", "0123459002", "0123459003"]


def test_a_school_whose_parent_is_in_a_circle_and_a_parent_mapped_to_itself(tmp_path):
    links = [("0123459001", "0123459002"), ("0123459002", "0123459002")]  # 9002 is its own parent
    parents = parent_map(tmp_path / "p.xlsx", [{"code": a, "parent_code": b} for a, b in links])
    ds = load(ExportSource([three_campuses(tmp_path)], parents_file=parents))
    assert "0123459002 → 0123459002（归属表第3行" in only(ds, "statistics.parent_cycle").message()
    lead = only(ds, "statistics.parent_in_cycle")
    assert lead.row == 2 and "0123459001 并入 0123459002，但 0123459002 的所属学校构成循环" in lead.message()


def test_a_parent_that_is_itself_not_counted_is_followed_to_its_school(tmp_path):
    links = [("0123459001", "0123459002"), ("0123459002", "0123450001"), ("0123459003", "0123459001")]
    parents = parent_map(tmp_path / "p.xlsx", [{"code": a, "parent_code": b} for a, b in links])
    ds = load(ExportSource([three_campuses(tmp_path)], parents_file=parents))
    assert ds.schools["school_code"].tolist() == ["0123450001"]
    assert school(ds, "0123450001")["students_primary"] == 600 + 3 * 100
    notes = {p.row: p.message() for p in ds.problems if p.code == "statistics.merged_via_parent"}
    assert sorted(notes) == [8, 10]
    assert "0123459003 已按归属表经 0123459001、0123459002 并入 0123450001" in notes[10]
    assert not codes(ds, "error")


def test_a_parent_that_is_not_counted_and_has_no_parent_is_said_so(tmp_path):
    parents = parent_map(tmp_path / "p.xlsx", [{"code": "0123459001", "parent_code": "0123459002"}])
    ds = load(ExportSource([three_campuses(tmp_path)], parents_file=parents))
    error = only(ds, "statistics.parent_not_counted")
    assert error.row == 2 and "0123459002 本身是不计校数的机构" in error.message()
    assert "statistics.parent_not_found" not in codes(ds)


# -- issue #22: an export record of another county is said, listed and not imported -----------------
def test_a_row_of_another_county_in_a_county_wide_export(tmp_path):
    folder = tmp_path / "x"
    stray = primary("0123450004", division="990103001001")
    export = write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), primary("0123450003"), stray])
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out)]) == 1
    ds = load(folder)
    error = only(ds, "statistics.row_other_county_year")
    assert (error.severity, error.row, error.county_code, error.year) == ("error", 9, COUNTY, 2024)
    assert error.message() == (
        f"[错误] {export} › 工作表“Sheet1” › 第9行：学校 0123450004（测试小学04，区划代码 990103001001）"
        "属于990103 / 2024，但本文件属于012345 / 2024（依据文件名）：此学校未导入。"
        "请核对导出文件；若它确属990103 / 2024，请与该县、年度的导出文件一起另行导入"
    )
    assert "but this file belongs to 012345 / 2024 (from the file name)" in error.message("en")
    assert ds.county_years().values.tolist() == [[COUNTY, 2024]]  # no county-year of one school
    assert ds.schools["school_code"].tolist() == ["0123450001", "0123450003"]
    assert ds.blocked() == {(COUNTY, 2024)}
    assert "row_other_county_year" not in codes(ds)  # said once, by the importer
    report = (out / "import_report.md").read_text(encoding="utf-8")
    assert "| 未导入: 属于其他县或年度 | 1 |" in report
    assert (
        f"| 0123450004 | 测试小学04 | 211 | 小学 | 属于其他县或年度（990103 / 2024） | {export} | Sheet1 9 |"
        in report
    )
    assert "读取 3 行（或工作簿），全部有去向：3" in report


def test_a_row_of_another_county_where_the_file_name_says_nothing(tmp_path):
    rows = [primary(), primary("0123450003"), primary("0123450004", division="990103001001")]
    write(tmp_path / "x" / "小学.xlsx", rows, year=2024)
    error = only(load(tmp_path / "x"), "statistics.row_other_county_year")
    assert "（依据本文件中多数学校的区划代码）" in error.message() and error.county_code == COUNTY


def test_a_sheet_of_another_county_than_its_file_name_is_one_error(tmp_path):
    rows = [primary(division="990103001001"), primary("0123450003", division="990103001001")]
    export = write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", rows)
    ds = load(tmp_path / "x")
    assert [p.message() for p in ds.problems if p.severity == "error"] == [
        f"[错误] {export} › 工作表“Sheet1”：工作表中的2所学校属于990103 / 2024，但文件名表明是012345 / 2024："
        "均未导入，请核对文件名或导出数据"
    ]
    # no school imported: the county-year is listed, not evaluated (no silent loss)
    assert ds.county_years().values.tolist() == [[COUNTY, 2024]] and ds.blocked() == {(COUNTY, 2024)}
    assert ds.schools is None or ds.schools.empty


def school_workbooks(folder: Path, stray_county="990103") -> Path:
    """Three primary schools' workbooks of 990181 (2024) and one whose division code is another county's."""
    from dataclasses import replace

    from junheng.sample.exports import xlsx_bytes
    from junheng.sample.exports.model import school_stats
    from junheng.sample.exports.school_workbooks import school_workbook

    sample = load(Path(__file__).parent.parent / "data" / "sample" / "990181_2024.xlsx")
    rows = sample.schools[sample.schools["school_type"] == "primary"].iloc[:4]
    stats = [school_stats(row, "清源市") for _, row in rows.iterrows()]
    stats[3] = replace(stats[3], division=f"{stray_county}001001", county_code=stray_county)
    folder.mkdir(parents=True)
    for s in stats:
        name, book = school_workbook(s, "jiaoji-2021", 2024)
        (folder / name).write_bytes(xlsx_bytes(book))
    return folder / school_workbook(stats[3], "jiaoji-2021", 2024)[0]


@pytest.mark.parametrize(
    ("folder", "basis"), [("990181_2024", "文件夹名"), ("学校", "本文件夹中多数学校基层表的区划代码")]
)
def test_a_school_workbook_of_another_county_in_a_county_folder(tmp_path, folder, basis):
    stray = school_workbooks(tmp_path / folder)
    source = ExportSource([stray.parent])
    ds = load(source)
    errors = [p for p in ds.problems if p.severity == "error"]
    assert [(p.code, p.file, p.county_code, p.year) for p in errors] == [
        ("statistics.row_other_county_year", str(stray), "990181", 2024)
    ]
    assert f"但所在文件夹属于990181 / 2024（依据{basis}）：此学校未导入" in errors[0].message()
    assert "属于990103 / 2024" in errors[0].message()
    assert ds.county_years().values.tolist() == [["990181", 2024]] and len(ds.schools) == 3
    skipped = source.result.extraction.skipped
    assert [(s["reason"], s["file"], s["county_year"]) for s in skipped] == [
        ("other_county_year", str(stray), "990103 / 2024")
    ]


# -- issue #22: a broken merged header is one error, not one per column and school ------------------
def write_sheet(path: Path, edited) -> Path:
    from junheng.inputs.statistics.workbook import Workbook
    from junheng.sample.exports import xlsx_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(Workbook(path.name, [edited])))
    return path


THREE = [primary(), primary("0123450003"), primary("0123450004")]


def test_header_merges_lost_below_the_top_level_are_one_error(tmp_path):
    broken = sheet(THREE)
    broken.merges = [m for m in broken.merges if m[0] < 2]  # the merges of header rows 3-6 are lost
    export = write_sheet(tmp_path / "x" / "小学.xlsx", broken)
    source = ExportSource([export.parent])
    ds = load(source)
    assert [p.code for p in ds.problems if p.severity != "info"] == ["statistics.header_levels_broken"]
    error = ds.problems[0]
    assert (error.file, error.sheet, error.row, error.county_code, error.year) == (
        str(export),
        "Sheet1",
        None,
        None,
        2024,
    )  # no school imported: of no county, and the import says so (exit 1)
    assert error.message() == (
        f"[错误] {export} › 工作表“Sheet1”：第2–6行的表头无法识别：13列的列名在，但其上层表头不符"
        "（合并单元格可能已损坏），如 Q: 教基4155 › 按学历分 › 博士研究生；R: 教基4155 › 硕士研究生；"
        "S: 教基4155 › 本科；应为 专任教师 › 按学历分 › 博士研究生|博士；"
        "专任教师 › 按学历分 › 硕士研究生|硕士；专任教师 › 按学历分 › 本科"
        "（映射 junheng:mappings/jiaoji-2021.yaml）。本工作表的3行均未导入。"
        "请从统计系统重新导出该文件，或在 Excel 中修复表头的合并单元格后重新导入；"
        "若表头本来就是这样写的，请编辑映射中相应字段的表头路径，再用 --mapping 重新导入"
    )
    assert "the header in rows 2–6 is not recognised: 13 columns" in error.message("en")
    assert [s["reason"] for s in source.result.extraction.skipped] == ["header_unrecognised"] * 3


def test_a_header_merge_reaching_into_the_schools_is_one_error(tmp_path):
    broken = sheet(THREE)
    broken.merges = [(r0, c0, 7 if c0 == 0 and r0 == 1 else r1, c1) for r0, c0, r1, c1 in broken.merges]
    export = write_sheet(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", broken)
    ds = load(export.parent)
    assert [p.message() for p in ds.problems if p.severity != "info"] == [
        f"[错误] {export} › 工作表“Sheet1”：表头无法识别：按合并单元格，表头占第2–8行，但第7行起已是学校数据"
        "（合并单元格 A2:A8 延伸到了数据区，可能已损坏）；应为：表头在学校数据之上结束，如“在校生数”。"
        "本工作表的3行均未导入。请从统计系统重新导出该文件，或在 Excel 中修复这些合并单元格后重新导入"
    ]
    assert ds.blocked() == {(COUNTY, 2024)}  # the file name says whose schools were not read


def test_a_header_error_blocks_the_county_years_of_its_year(tmp_path):
    broken = sheet(THREE)
    broken.merges = [m for m in broken.merges if m[0] < 2]
    write_sheet(tmp_path / "x" / "小学.xlsx", broken)
    write(tmp_path / "x" / "初中.xlsx", [junior()], section="初中")
    ds = load(tmp_path / "x")
    refused = [p for p in ds.problems if p.code == "statistics.header_levels_broken"]
    assert [(p.county_code, p.year) for p in refused] == [(COUNTY, 2024)]
    assert ds.blocked() == {(COUNTY, 2024)}


def test_one_renamed_level_keeps_the_per_field_message(tmp_path):
    header = tree()
    header[13] = (
        "教基5170",
        [("校舍面积", [("教学及辅助用房", [("计", "aux"), ("室内体育用房", "indoor")])])],
    )
    write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=header)
    assert "statistics.header_levels_broken" not in codes(load(tmp_path / "x"))


# -- issue #22: what is wrong in a mapping file is said in the user's language, with its line and key ---
def edited_mapping(tmp_path, old, new) -> Path:
    from importlib import resources

    text = (
        resources.files("junheng.inputs.statistics").joinpath("mappings/jiaoji-2021.yaml").read_text("utf-8")
    )
    assert old in text
    path = tmp_path / "mapping-jiaoji-2021.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def mapping_problem(tmp_path, mapping: Path):
    export = write(tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()])
    ds = load(ExportSource([export], mapping_files=[mapping]))
    return only(ds, "statistics.mapping_invalid")


def test_an_unknown_kind_in_a_mapping_names_its_line_and_key(tmp_path):
    mapping = edited_mapping(tmp_path, "kind: area", "kind: areas")
    line = (
        mapping.read_text(encoding="utf-8")
        .splitlines()
        .index(next(x for x in mapping.read_text(encoding="utf-8").splitlines() if "kind: areas" in x))
    )
    field = next(
        x.strip().rstrip(":")
        for x in reversed(mapping.read_text(encoding="utf-8").splitlines()[:line])
        if x.startswith("  ") and not x.startswith("   ") and x.strip().endswith(":")
    )
    problem = mapping_problem(tmp_path, mapping)
    assert (problem.file, problem.row, problem.column) == (str(mapping), line + 1, f"fields.{field}.kind")
    assert problem.message() == (
        f"[错误] {mapping} › 第{line + 1}行 › fields.{field}.kind：映射文件无法使用："
        "无法识别的 kind“areas”（可用：code、text、flag、count、area、money、buckets）"
    )
    assert problem.message("en").endswith(
        "the mapping file cannot be used: unknown kind 'areas' "
        "(allowed: code, text, flag, count, area, money, buckets)"
    )


def test_a_bad_option_in_a_mapping_is_said_in_chinese(tmp_path):
    mapping = edited_mapping(tmp_path, "art_teachers: music_and_fine_arts", "art_teachers: everyone")
    problem = mapping_problem(tmp_path, mapping)
    assert problem.column == "options.art_teachers" and problem.row is not None
    assert problem.message().endswith(
        "映射文件无法使用：选项 art_teachers 只能是 music_and_fine_arts、art_total 之一，收到“everyone”"
    )


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("generation: x\n", "映射文件需要 generation（表式名称）和 fields（各字段）两项"),
        ("generation: x\nfields:\n  a:\n    role: pupils\n", "无法识别的 role“pupils”"),
        ("generation: x\nfields:\n  a:\n    role: degree\n", "role 为 degree 的字段需要 level"),
        ("generation: x\nfields:\n  a:\n    role: books\n    wide_sections: {primary: x}\n", "是全校数值"),
        ("generation: x\nfields:\n  a: 3\n", "字段的设置应为“键: 值”的形式"),
        (
            "generation: x\nfields:\n  a:\n    role: books\n    workbook: [{row: x}]\n",
            "每个定位项都需要 table",
        ),
        (
            "generation: x\nfields:\n  a:\n    role: books\n    workbook: {table: x, cell: B2}\n",
            "无法识别的键 cell",
        ),
        ("generation: x\nfields:\n  a:\n    role: students\n    wide_sections: {middle: x}\n", "键应为学段"),
        ("generation: x\nfields:\n  a:\n    role: books\n    wide: {a: b}\n", "应为表头路径的列表"),
    ],
)
def test_every_mapping_error_is_said_in_both_languages(text, zh):
    from junheng.inputs.statistics.mapping import MappingError, parse_mapping

    with pytest.raises(MappingError) as caught:
        parse_mapping(text, "m.yaml")
    assert zh in caught.value.detail["zh"]
    assert caught.value.detail["en"] and not any(
        "\u4e00" <= c <= "\u9fff" for c in caught.value.detail["en"][:12]
    )


def test_a_citys_export_of_several_counties_is_not_judged(tmp_path):
    rows = [primary(), primary("0123450003", division="990103001001")]  # one school each, no majority
    write(tmp_path / "x" / "990100_2024_小学.xlsx", rows)  # a prefecture's code names no county
    ds = load(tmp_path / "x")
    assert not codes(ds, "error")
    assert ds.county_years().values.tolist() == [[COUNTY, 2024], ["990103", 2024]]


def test_the_import_report_says_why_a_field_was_not_found_in_words(tmp_path):
    export = write(
        tmp_path / "x" / f"{COUNTY}_2024_小学.xlsx", [primary()], header=tree(ground="体育活动场地")
    )
    for lang, words in (("zh", "sports_ground_area 未找到 ×1"), ("en", "sports_ground_area not found ×1")):
        out = tmp_path / f"out-{lang}"
        assert main(["import", str(export), "--out", str(out), "--lang", lang]) == 1
        report = (out / "import_report.md").read_text(encoding="utf-8")
        assert words in report and "not_found ×" not in report
