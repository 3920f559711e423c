"""Issue #22, "nothing lost, nothing silent": the compulsory schools an import sets aside travel
with its output (set_aside.csv), and a later evaluation of that folder lists each as excluded with
its reason and says the verdict rests on incomplete data (STANDARDS.md §1: every school of the
input is evaluated or listed as excluded with its reason). A refused 学段 file is one error, not
one per school and column of the other 学段 file."""

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from export_builders import COUNTY, junior, primary, sheet, write
from test_import_cases import write_sheet

from junheng.cli import main
from junheng.inputs.dataset import load
from junheng.inputs.statistics.source import ExportSource
from junheng.method.evaluate import evaluate
from junheng.planning.missing import set_aside_schools


def without_code(code: str) -> dict:
    row = primary(code)
    row["code"] = ""  # the school code cell left empty: the row cannot be imported
    return row


def imported(tmp_path: Path, lang="zh") -> Path:
    """Exports of county 012345 / 2024: 3 primary rows (the 2nd without a code), 1 junior row."""
    folder = tmp_path / "exports"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), without_code("0123450003"), primary("0123450004")])
    write(folder / f"{COUNTY}_2024_初中.xlsx", [junior()], section="初中")
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out), "--lang", lang]) == 1  # the row's error
    return out


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory) -> Path:
    """The output folder of `imported`, written once for the tests that only read it (the import and
    its evaluation are the same for each of them; a test that imports again into it has its own)."""
    return imported(tmp_path_factory.mktemp("set_aside"))


def test_a_school_the_import_could_not_read_is_written_beside_the_tables(imported_once):
    out, tmp_path = imported_once, imported_once.parent
    table = pd.read_csv(out / "set_aside.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert table.to_dict("records") == [
        {
            "county_code": COUNTY,  # the file's name says whose
            "year": "2024",
            "school_code": "",
            "school_name": "测试小学03",
            "school_type": "primary",
            "type_code": "211",
            "type_name": "小学",
            "section": "primary",
            "reason": "no_school_code",
            "reason_text": "无学校标识码",
            "file": str(tmp_path / "exports" / f"{COUNTY}_2024_小学.xlsx"),
            "sheet": "Sheet1",
            "row": "8",  # title row 1, header rows 2-6, schools from row 7
        }
    ]


def test_the_evaluation_of_the_output_folder_lists_it_as_excluded_and_the_count_adds_up(imported_once):
    out = imported_once
    ds = load(out)
    assert ds.set_aside["reason"].tolist() == ["no_school_code"]
    warned = [p for p in ds.problems if p.code == "schools_set_aside"]
    assert [(p.severity, p.county_code, p.year) for p in warned] == [("warning", COUNTY, 2024)]
    assert "导入时有1所义务教育学校未能读入（测试小学03）" in warned[0].message()
    assert "本年度的评估结论所依据的数据不完整" in warned[0].message()
    assert "1 compulsory-education school(s) could not be read" in warned[0].message("en")
    assert "file_not_read_tables" not in {p.code for p in ds.problems}  # the import's own file
    doc = evaluate(ds, "jiben-2012").county(COUNTY, 2024).to_dict()
    resource = doc["parts"]["resource"]
    assert resource["excluded"] == [
        {
            "school_code": f"?{COUNTY}_2024_小学.xlsx:8",  # no code: named by its file and row
            "school_name": "测试小学03",
            "section": None,
            "school_type": "primary",
            "reason": "set_aside_no_school_code",
            "message": f"导入时未读入：导出文件（{COUNTY}_2024_小学.xlsx）第8行无学校标识码",
        }
    ]
    assert resource["accounting"] == {
        "input_schools": 4,  # the 4 rows of the exports
        "schools_set_aside": 1,
        "section_schools_evaluated": 3,  # 2 primary + 1 junior
        "entries_excluded": 1,
        "schools_accounted": 4,
    }
    assert any(p["code"] == "schools_set_aside" for p in doc["problems"])
    c = SimpleNamespace(dataset=ds, code=COUNTY, year=2024)
    assert set_aside_schools(c) == ["测试小学03"]  # the report's draft reason and plan row name it


def test_an_export_file_that_cannot_be_opened_is_a_school_set_aside(tmp_path):
    folder = tmp_path / "exports"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary()])
    (folder / f"{COUNTY}_2024_某小学.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out)]) == 1
    ds = load(out)
    assert ds.set_aside[["county_code", "year", "reason", "school_code"]].astype(object).to_dict(
        "records"
    ) == [{"county_code": COUNTY, "year": 2024, "reason": "unreadable_file", "school_code": None}]
    (excluded,) = evaluate(ds, "jiben-2012").county(COUNTY, 2024).to_dict()["parts"]["resource"]["excluded"]
    assert excluded["message"] == f"导入时未读入：导出文件（{COUNTY}_2024_某小学.xlsx）无法打开"


def test_an_import_without_set_aside_schools_replaces_an_earlier_list(tmp_path):
    out = imported(tmp_path)
    folder = tmp_path / "exports"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), primary("0123450004")])
    assert main(["import", str(folder), "--out", str(out)]) == 0
    assert (out / "set_aside.csv").read_text(encoding="utf-8-sig").count("\n") == 1  # the header only
    ds = load(out)
    assert ds.set_aside is None and "schools_set_aside" not in {p.code for p in ds.problems}


def test_institutions_of_other_types_stay_in_the_import_report_only(tmp_path):
    folder = tmp_path / "exports"
    kindergarten = primary("0123450101", name="测试县实验幼儿园", type_name="幼儿园", type_code="111")
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), kindergarten])
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out)]) == 0
    assert "| 0123450101 | 测试县实验幼儿园 | 111 | 幼儿园 |" in (out / "import_report.md").read_text("utf-8")
    assert load(out).set_aside is None  # not part of the evaluation


# -- a refused 小学 file beside a good 初中 file: one error, its schools set aside ---------------------
NINE = {"type_name": "九年一贯制学校", "type_code": "312"}


def refused_primary_folder(tmp_path: Path) -> Path:
    """小学 file with merged headers lost (refused): a primary school and a nine-year school's 小学
    part; 初中 file (good): a junior school and the nine-year school's 初中 part."""
    broken = sheet([primary(), primary("0123450005", name="测试九年一贯制05", **NINE)])
    broken.merges = [m for m in broken.merges if m[0] < 2]
    folder = tmp_path / "exports"
    write_sheet(folder / f"{COUNTY}_2024_小学.xlsx", broken)
    nine = junior("0123450005", name="测试九年一贯制05", **NINE)
    write(folder / f"{COUNTY}_2024_初中.xlsx", [junior(), nine], section="初中")
    return folder


def test_a_refused_primary_file_is_one_error_and_its_schools_are_set_aside(tmp_path):
    source = ExportSource([refused_primary_folder(tmp_path)])
    ds = load(source)
    assert [p.code for p in ds.problems if p.severity != "info"] == ["statistics.header_levels_broken"]
    assert ds.schools["school_code"].tolist() == ["0123450002"]  # the junior school alone
    skipped = [
        (s["reason"], s.get("school_code"), s.get("school_name")) for s in source.result.extraction.skipped
    ]
    assert skipped == [
        ("header_unrecognised", "0123450001", "测试小学01"),
        ("header_unrecognised", "0123450005", "测试九年一贯制05"),
        ("part_not_read", "0123450005", "测试九年一贯制05"),  # its 初中 row: set aside with it
    ]
    ext = source.result.extraction
    assert ext.rows_read == len(ext.dispositions) + len(ext.skipped) == 4


def test_a_refused_primary_file_imported_and_evaluated_lists_both_schools(tmp_path):
    out = tmp_path / "out"
    assert main(["import", str(refused_primary_folder(tmp_path)), "--out", str(out)]) == 1
    ds = load(out)
    assert ds.set_aside[["school_code", "reason"]].values.tolist() == [
        ["0123450001", "header_unrecognised"],
        ["0123450005", "header_unrecognised"],  # once, by its first reason
    ]
    resource = evaluate(ds, "jiben-2012").county(COUNTY, 2024).to_dict()["parts"]["resource"]
    assert [(e["school_code"], e["reason"]) for e in resource["excluded"]] == [
        ("0123450001", "set_aside_header_unrecognised"),
        ("0123450005", "set_aside_header_unrecognised"),
    ]
    assert resource["accounting"]["input_schools"] == 3  # 3 schools in the exports: 1 evaluated
    assert resource["accounting"]["section_schools_evaluated"] == 1


def test_a_refused_file_without_readable_codes_sets_aside_the_schools_lacking_its_section(tmp_path):

    broken = sheet([primary(), primary("0123450005", **NINE)])
    broken.merges = [m for m in broken.merges if m[0] < 2]
    for row in broken.rows[6:]:
        row[0] = None  # the code column emptied as well: no code to go by
    folder = tmp_path / "exports"
    write_sheet(folder / f"{COUNTY}_2024_小学.xlsx", broken)
    write(folder / f"{COUNTY}_2024_初中.xlsx", [junior(), junior("0123450005", **NINE)], section="初中")
    source = ExportSource([folder])
    ds = load(source)
    assert [p.code for p in ds.problems if p.severity != "info"] == ["statistics.header_levels_broken"]
    assert ds.schools["school_code"].tolist() == ["0123450002"]
    skipped = source.result.extraction.skipped
    assert [(s["reason"], s.get("school_code")) for s in skipped] == [
        ("header_unrecognised", None),
        ("header_unrecognised", None),
        ("part_not_read", "0123450005"),  # a nine-year school of that year lacking its 小学 part
    ]


def test_names_guarded_against_formula_injection_are_read_back_as_they_were(tmp_path):
    """schools.csv keeps '+cmd|…' from running in a spreadsheet (a leading apostrophe); load() of
    the import's folder takes the apostrophe off again, so the report names the school as exported."""
    folder = tmp_path / "exports"
    names = ["+cmd|' /C calc'!A0", "-2+3", "@SUM(1)"]
    rows = [primary(f"012345000{i + 1}", name=n) for i, n in enumerate(names)]
    write(folder / f"{COUNTY}_2024_小学.xlsx", rows)
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out)]) == 0
    stored = pd.read_csv(out / "schools.csv", dtype=str, encoding="utf-8-sig")["school_name"].tolist()
    assert stored == ["'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(1)"]
    assert load(out).schools["school_name"].tolist() == names


def test_a_folder_whose_only_file_is_refused_does_not_say_it_has_no_compulsory_school(tmp_path, capsys):
    broken = sheet([primary(), primary("0123450003")])
    broken.merges = [m for m in broken.merges if m[0] < 2]
    folder = tmp_path / "exports"
    write_sheet(folder / f"{COUNTY}_2024_小学.xlsx", broken)
    assert main(["import", str(folder), "--out", str(tmp_path / "out")]) == 2  # nothing to evaluate
    said = capsys.readouterr().err
    assert "其中没有义务教育学校" not in said
    assert "其中 2 所义务教育学校未能导入（原因见上方错误），0 所非义务教育学校（机构）未导入" in said


def test_a_row_of_another_county_is_set_aside_for_the_county_it_was_found_among(tmp_path):
    folder = tmp_path / "exports"
    stray = primary("0123450003", division="990103001001")  # its own cells: county 990103
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary(), stray])
    out = tmp_path / "out"
    assert main(["import", str(folder), "--out", str(out)]) == 1
    aside = load(out).set_aside
    assert aside[["county_code", "year", "school_code", "reason"]].astype(object).values.tolist() == [
        [COUNTY, 2024, "0123450003", "other_county_year"]
    ]


def test_the_report_of_the_output_folder_is_a_draft_whose_plan_asks_for_the_school(report_texts):
    from junheng.i18n import t
    from junheng.planning.needs import data_needs
    from junheng.planning.rectification import plan_rows
    from junheng.report.issue import reasons

    c, _, _, _ = report_texts("zh")
    assert [r.message() for r in reasons(c) if r.key == "schools_set_aside"] == [
        "数据不完整：导入时有1所义务教育学校未能读入（测试小学03），评估结论未包括这些学校"
        "，须修正统计导出数据后重新导入"
    ]
    excluded = c.excluded
    assert excluded[["name", "exclusion"]].values.tolist() == [["测试小学03", "set_aside_no_school_code"]]
    assert c.counts["schools"] == 4 and c.counts["evaluated"] == 3 and c.counts["excluded"] == 1
    first = plan_rows(c).iloc[0]
    assert (first["item"], first["kind_name"]) == ("data", "补齐缺失数据")
    assert first["problem"].startswith(  # no county, monitoring or survey table was imported either
        "数据不完整，27项评估内容无法评估：导入时有1所学校未能读入（测试小学03），须修正统计导出数据后重新导入"
        "；缺少县级指标、质量监测、问卷汇总或问卷答卷数据表"
    )
    # a county-year complete but for the set-aside school: the row says so without "0 items"
    complete = SimpleNamespace(dataset=c.dataset, code=COUNTY, year=2024, lang="zh", has_parts=False)
    complete.items = pd.DataFrame()
    (need,) = data_needs(complete)
    assert t(f"plan.issue.{need.issue}", "zh", **need.params) == (
        "数据不完整：导入时有1所学校未能读入（测试小学03），须修正统计导出数据后重新导入"
    )


def test_an_export_file_that_cannot_be_opened_is_an_error_of_its_county_year(tmp_path):
    """Read directly (`junheng evaluate exports/`), the file's error belongs to the county-year its
    name states: no verdict without it, as for a refused header."""
    folder = tmp_path / "exports"
    write(folder / f"{COUNTY}_2024_小学.xlsx", [primary()])
    (folder / f"{COUNTY}_2024_某小学.xlsx").write_bytes(b"not a workbook")
    ds = load(folder)
    errors = [p for p in ds.problems if p.severity == "error"]
    assert [(p.code, p.county_code, p.year) for p in errors] == [("unreadable_file", COUNTY, 2024)]
    assert ds.blocked() == {(COUNTY, 2024)}


# -- the report of a county-year with a set-aside school (review of issue #22) -----------------------


@pytest.fixture(scope="module")
def report_texts(imported_once):
    """The county-year of `imported_once` as its report sees it, in a language: one evaluation per
    language for the module (the tests below only read it)."""
    import junheng
    from junheng.report import issue, tables, text

    counties = {}

    def texts(lang):
        if lang not in counties:
            counties[lang] = junheng.county(
                COUNTY, 2024, data=imported_once, report_date="2025-03-31", lang=lang
            )
        return counties[lang], issue, tables, text

    return texts


def test_the_counts_of_the_profile_and_table_1_add_up_with_the_set_aside_school(report_texts):
    c, _, tables, text = report_texts("zh")
    said = text.profile(c)
    # 4 schools = 3 evaluated + 1 not evaluated (the set-aside one), students of the 3 read only
    assert "共有义务教育阶段学校4所（小学2所、初级中学1所、导入时未读入的1所），在校生2,000人" in said
    assert "纳入资源配置评估的学校3所；不参加资源配置评估的1所：导入时无学校标识码而未读入的学校1所" in said
    assert "导入时未读入的学校，其在校生和专任教师未计入上述人数" in said
    assert tables.profile(c).data.values.tolist() == [
        ["小学", "2", "1,200", "80"],
        ["初级中学", "1", "800", "60"],
        ["导入时未读入的学校", "1", "—", "—"],
        ["合计", "4", "2,000", "140"],
    ]
    c, _, tables, text = report_texts("en")
    assert "had 4 compulsory-education schools (2 primary schools, 1 junior middle school, 1 not read" in (
        text.profile(c)
    )
    assert tables.profile(c).data.values.tolist()[2:] == [
        ["Not read by the import", "1", "—", "—"],
        ["Total", "4", "2,000", "140"],
    ]


def test_the_school_list_shows_no_file_as_a_school_code_and_gives_file_and_row_in_the_reason(
    report_texts, imported_once
):
    c, _, tables, _ = report_texts("zh")
    row = tables.schools(c).data.values.tolist()[-1]
    assert row[0] == "—（无标识码）" and "?" not in row[0]
    assert row[-1] == f"导入时未读入：导出文件（{COUNTY}_2024_小学.xlsx）第8行无学校标识码"
    c, _, tables, _ = report_texts("en")
    row = tables.schools(c).data.values.tolist()[-1]
    assert (row[0], row[-1]) == (
        "— (no code)",
        f"not read by the import: no school code in row 8 of its export ({COUNTY}_2024_小学.xlsx)",
    )
    # a county with a set-aside school is never final: a final report names no export file
    import pytest

    import junheng
    from junheng.report.issue import FinalRefused

    with pytest.raises(FinalRefused):
        junheng.county(COUNTY, 2024, data=imported_once, report_date="2025-03-31", final=True)


def test_the_data_quality_line_says_not_evaluated_and_names_no_file(imported_once):
    ds = load(imported_once)
    (p,) = [p for p in ds.problems if p.code == "schools_set_aside"]
    said = p.finding_text()  # the words, without the file the draft's table puts before them
    assert "评估中列为不参评学校并注明原因" in said and "排除" not in said
    assert said.endswith("本年度的评估结论所依据的数据不完整，须修正统计导出数据后重新导入")
    for lang in ("zh", "en"):
        assert "import_report" not in p.finding_text(lang) and "set_aside.csv" not in p.finding_text(lang)
    assert p.finding_text("en").endswith("the statistics exports must be corrected and imported again")


def test_the_report_speaks_in_office_terms_and_the_json_and_command_line_keep_the_paths(report_texts):
    for lang in ("zh", "en"):
        c, issue, tables, _ = report_texts(lang)
        plan = " ".join(str(v) for v in tables.plan(c, required=True).data.to_numpy().ravel())
        shown = issue.cover_notice(c) + issue.draft_notice(c) + plan
        for path in ("--final", "--issuer", "plan.yaml", "narrative/", "county.yaml", "set_aside.csv", ".md"):
            assert path not in shown, (lang, path)
        refused = issue.FinalRefused(c.draft_reasons, lang).message(lang)  # what `--final` prints
        paths = " ".join(issue.metadata(c)["draft_reasons"]) + refused
        wanted = ("--issuer", "plan.yaml", f"narrative/{COUNTY}_2024.md", "set_aside.csv", "import_report.md")
        for path in wanted:
            assert path in paths, (lang, path)
    c, issue, _, _ = report_texts("zh")
    assert "须设定本县整改单价" in issue.cover_notice(c)
    assert "以下事项完成后，方可形成正式报送稿：" in issue.draft_notice(c)
    assert [r.message() for r in c.draft_reasons][-1] == "未填写发文单位"


def test_the_conclusion_says_data_incomplete_once(report_texts):
    """Review: 总体结论 of a county with a set-aside school said 数据不完整 three times: its bold notice,
    then the missing tables again and the set-aside school, each as a reason "数据不完整：…"."""
    c, issue, _, text = report_texts("zh")
    conclusion = text.verdict(c) + issue.draft_notice(c)
    assert conclusion.count("数据不完整") == 1 and conclusion.count("缺少县级指标") == 1
    assert "\n- 导入时有1所义务教育学校未能读入（测试小学03），评估结论未包括这些学校" in conclusion
    assert "以下事项完成后，方可形成正式报送稿：" in conclusion and conclusion.endswith("\n- 未填写发文单位")
    c, issue, _, text = report_texts("en")
    conclusion = text.verdict(c) + issue.draft_notice(c)
    assert conclusion.lower().count("data incomplete") == 1 and conclusion.count("county indicators") == 1
    assert "\n- 1 compulsory-education school(s) could not be read by the import (测试小学03)" in conclusion


def test_the_cover_carries_one_notice(report_texts):
    c, issue, _, _ = report_texts("zh")
    cover = issue.cover_notice(c)
    assert cover.startswith(
        "数据不完整，不得报送：缺少县级指标、质量监测、问卷汇总或问卷答卷，27项评估项目因此未评估（G1、"
    )
    assert cover.count("不得报送") == 1 and cover.count("数据不完整") == 1 and "草稿" not in cover
    assert "）；导入时有1所义务教育学校未能读入（测试小学03），评估结论未包括这些学校" in cover
    assert cover.endswith("；未填写发文单位。")
    c, issue, _, _ = report_texts("en")
    cover = issue.cover_notice(c)
    assert cover.startswith("Data incomplete, not for submission: county indicators, quality monitoring")
    assert cover.count("not for submission") == 1 and cover.lower().count("data incomplete") == 1
    assert "Draft" not in cover and cover.endswith("; no issuing body named.")


def test_the_english_messages_say_section_not_学段():
    import re

    from junheng.i18n import _messages

    def english(node, path=""):
        if isinstance(node, dict):
            if "en" in node and isinstance(node["en"], str):
                yield path, node["en"]
            for k, v in node.items():
                yield from english(v, f"{path}.{k}")

    found = [(p, s) for p, s in english(_messages()) if re.search("学段", s)]
    assert found == []
    from junheng.i18n import t

    assert t("exclusion.set_aside_section_unknown", "en", file="x.xlsx") == (
        "not read by the import: the school section of its export (x.xlsx) is unknown"
    )
