"""The county's own text, profile and the draft/final decision (issue #17), on the API without a kernel."""

import datetime
import shutil
from pathlib import Path

import pytest

import junheng
from junheng import cli
from junheng.inputs import county_profile, narrative
from junheng.report import issue
from junheng.report.narrative import catalogue, values

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"


def county_folder(tmp_path, code="990126", years=(2023, 2024), extra=()):
    """A data folder of one sample county's workbooks (and the sample's files named in ``extra``)."""
    folder = tmp_path / "data"
    folder.mkdir()
    for year in years:
        shutil.copy(SAMPLE / f"{code}_{year}.xlsx", folder)
    for name in extra:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / name, target)
    return folder


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- reading the narrative file ----------------------------------------------------------------------
def test_sections_by_chinese_or_english_heading_with_comments_removed():
    text = "# 标题\n\n<!-- 提示\n多行 -->\n## 基本情况\n本县{{ year }}年。\n<!-- x -->\n## practice\n做法\n"
    found = narrative.parse(text, "n.md")
    assert set(found.sections) == {"context", "practice"}
    assert found.section("基本情况").text.strip() == "本县{{ year }}年。"
    assert found.section("Measures and results").text.strip() == "做法"
    assert found.sections["practice"].line == 8
    assert found.missing() == ["survey_method", "causes", "next_steps", "evidence"]


def test_paragraphs_pasted_from_word_stay_paragraphs_without_their_indent():
    """Fresh eyes: Word's paragraphs, pasted, end with one line break and begin with 　　; the second
    and later were joined to the first, the full-width spaces inside it (the first alone lost them)."""
    from junheng.report.narrative import render

    text = (
        "## 基本情况\n\u3000\u3000石门县位于中部。\n\u3000\u3000近三年支出逐年增长。\n"
        "\u00a0\u00a0全县15个乡镇。\n"
    )
    rendered = render(narrative.parse(text, "n.md"), "context", {})
    assert [p for p in rendered.split("\n") if p] == [
        "石门县位于中部。",
        "近三年支出逐年增长。",
        "全县15个乡镇。",
    ]
    assert "\n\n近三年" in rendered and "\n\n全县" in rendered and "\u3000" not in rendered
    plain = "## 基本情况\n甲。\n\n- 一项\n  续\n\n| 表 | 值 |\n|---|---|\n| a | 1 |\n"
    assert render(narrative.parse(plain, "n.md"), "context", {}) == plain.split("\n", 1)[1].strip()


def test_a_line_break_between_lines_of_chinese_prose_starts_a_paragraph():
    """Fresh eyes: text pasted from Word, paragraphs one line break apart without 　　, became one
    paragraph. Lists, tables, headings, quotes, code and English wrapped at a column keep their meaning."""
    from junheng.report.narrative import render

    text = (
        "## 基本情况\n石门县位于中部。\n近三年入学率达到100%\n全县15个乡镇。\n- 一项\n续行\n- 二项\n  续\n\n"
        "| 表 | 值 |\n|---|---|\n| a | 1 |\n> 引文一\n> 引文二\n### 小标题\n正文一\n正文二  \n正文三\n"
        "```\n代码一\n代码二\n```\nEnglish wrapped\nat a column.\n标题\n===\n"
    )
    assert render(narrative.parse(text, "n.md"), "context", {}) == (
        "石门县位于中部。\n\n近三年入学率达到100%\n\n全县15个乡镇。\n- 一项\n续行\n- 二项\n  续\n\n"
        "| 表 | 值 |\n|---|---|\n| a | 1 |\n> 引文一\n> 引文二\n### 小标题\n正文一\n\n正文二  \n正文三\n"
        "```\n代码一\n代码二\n```\nEnglish wrapped\nat a column.\n标题\n==="
    )


def test_the_sample_texts_written_with_blank_lines_render_as_before():
    """Where paragraphs are a blank line apart (the samples), nothing changes."""
    import junheng.report.narrative as words

    for code in ("990126", "990102"):
        c = junheng.county(code, 2024, SAMPLE)
        text, context = c.narrative_text, values(c)
        for section in narrative.SECTIONS:
            new = words.render(text, section, context)
            assert new, (code, section)  # every section written
            original, words._line_breaks = words._line_breaks, lambda x: x
            try:
                assert words.render(text, section, context) == new, (code, section)
            finally:
                words._line_breaks = original


def test_the_skeleton_says_a_line_break_starts_a_paragraph(tmp_path):
    said = narrative.skeleton("云岭县", 2024, [], "zh")
    assert "换行即另起一段，不必空行，也不必在段首空两格" in said
    assert "A line break after a line of Chinese starts a new paragraph" in narrative.skeleton(
        "X", 2024, [], "en"
    )


@pytest.mark.parametrize(
    "text, line, code, said",
    [
        ("## 基本情况\na\n## 工作亮点\nb\n", 3, "unknown_section", "未知的部分“## 工作亮点”"),
        ("前言\n## 基本情况\na\n", 1, "outside_section", "文字不在任何“## 部分”之下"),
        ("## 基本情况\na\n\n## 基本情况\nb\n", 4, "duplicate_section", "（第1行已有）"),
        ("## 基本情况\na\n<!-- 未完\n", 3, "unclosed_comment", "没有结束符"),
        ("## 基本情况\n\n学校{{ schools_total \n", 3, "template_syntax", "引用写法有误"),
        ("只有文字，没有标题\n", 1, "outside_section", "文字不在任何"),
    ],
)
def test_a_malformed_narrative_is_a_located_error(text, line, code, said):
    with pytest.raises(narrative.NarrativeError) as caught:
        narrative.parse(text, "narrative/990126_2024.md")
    first = caught.value.problems[0]
    assert (first.code, first.row) == (f"narrative.{code}", line)
    assert said in caught.value.message("zh") and "narrative/990126_2024.md › 第" in caught.value.message(
        "zh"
    )
    assert f"line {line}" in caught.value.message("en")


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "narrative" / "990126.md"
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(narrative.NarrativeError, match="UTF-8"):
        narrative.read(path)


def test_the_year_file_wins_over_the_county_file(tmp_path):
    write(tmp_path / "narrative" / "990126.md", "## 基本情况\n通用\n")
    assert narrative.find(tmp_path, "990126", 2024) == tmp_path / "narrative" / "990126.md"
    write(tmp_path / "narrative" / "990126_2024.md", "## 基本情况\n当年\n")
    assert narrative.find(tmp_path, "990126", 2024).name == "990126_2024.md"
    assert narrative.load(tmp_path, "990126", 2023).section("context").text.strip() == "通用"


def test_a_misspelt_section_heading_is_told_the_one_meant():
    """Fresh eyes: a misspelt ``##`` got no did-you-mean, unlike a misspelt cited name."""
    text = "## 基本情况\na\n## 主要做法和成效\nb\n## 工作亮点\nc\n## Next step\nd\n"
    with pytest.raises(narrative.NarrativeError) as caught:
        narrative.parse(text, "narrative/990126_2024.md")
    zh = caught.value.message("zh").splitlines()
    assert zh[0].endswith(
        "第3行：未知的部分“## 主要做法和成效”（可用的部分：基本情况、主要做法与成效、问卷调查方式、"
        "问题原因、下一步工作打算、佐证材料清单），是否应为“## 主要做法与成效”？"
    )
    assert zh[1].endswith(
        "第5行：未知的部分“## 工作亮点”（可用的部分：基本情况、主要做法与成效、问卷调查方式、"
        "问题原因、下一步工作打算、佐证材料清单）"
    )  # nothing near: no guess
    assert zh[2].endswith("，是否应为“## Next steps”？")
    en = caught.value.message("en").splitlines()
    assert en[2].endswith(
        "line 7: unknown section '## Next step' (the sections are: Context, Measures and results, "
        "Survey method, Causes of the problems, Next steps, Supporting documents); "
        "did you mean '## Next steps'?"
    )


# -- citations -----------------------------------------------------------------------------------------
def test_cited_values_are_the_computed_ones_and_follow_the_data(tmp_path):
    folder = county_folder(tmp_path)
    write(
        folder / "narrative" / "990126.md",
        "## 基本情况\n全县学校{{ schools_total }}所，在校生{{ students_total }}人，"
        "小学R4差异系数{{ coefficient.primary.R4 }}。\n",
    )
    c = junheng.county("990126", 2024, folder)
    students = int(c.profile["students"].sum())
    cv = round(float(c.coefficients.set_index(["section", "indicator"]).loc[("primary", "R4"), "cv"]), 3)
    said = c.narrative("基本情况")
    assert said == f"全县学校{c.counts['schools']}所，在校生{students:,}人，小学R4差异系数{cv:.3f}。"
    # a corrected workbook: one school gains 100 students, and the text says the new total
    from openpyxl import load_workbook

    book = load_workbook(folder / "990126_2024.xlsx")
    ws = book["学校"]
    header = {cell.value: cell.column for cell in ws[1]}
    column = next(col for name, col in header.items() if name and str(name).startswith("小学在校生"))
    row = next(
        r
        for r in range(2, ws.max_row + 1)
        if isinstance(ws.cell(r, column).value, int | float) and ws.cell(r, column).value > 0
    )
    ws.cell(row, column).value += 100
    book.save(folder / "990126_2024.xlsx")
    again = junheng.county("990126", 2024, folder)
    assert f"在校生{students + 100:,}人" in again.narrative("基本情况")


def test_an_unknown_cited_name_is_a_located_error(tmp_path):
    folder = county_folder(tmp_path, years=(2024,))
    write(
        folder / "narrative" / "990126_2024.md",
        "## 基本情况\n\n第一段。\n\n全县{{ schools_totl }}所。\n"
        "## 主要做法与成效\n{{ coefficient.primary.R9 }}\n",
    )
    c = junheng.county("990126", 2024, folder)
    with pytest.raises(narrative.NarrativeError) as caught:
        c.narrative("基本情况")
    problem = caught.value.problems[0]
    # a first name that is none of the citeable ones: said when the text is read, with did-you-mean
    assert problem.row == 5 and problem.code == "narrative.unknown_cited"
    assert "“schools_totl”，是否应为“schools_total”？" in caught.value.message("zh")
    assert "did you mean 'schools_total'?" in caught.value.message("en")
    # a known first name with an unknown rest: said when the report renders the section
    write(
        folder / "narrative" / "990126_2024.md",
        "## 基本情况\n\n第一段。\n\n全县{{ schools_total }}所。\n"
        "## 主要做法与成效\n{{ coefficient.primary.R9 }}\n",
    )
    c = junheng.county("990126", 2024, folder)
    assert c.narrative("基本情况")
    with pytest.raises(narrative.NarrativeError) as caught:
        c.narrative("主要做法与成效")
    assert caught.value.problems[0].row == 7 and "R9" in caught.value.message("en")


def test_the_names_checked_on_reading_are_the_citeable_ones():
    """`narrative.NAMES` (checked before any county is evaluated) are the first parts of `values`."""
    c = junheng.county("990126", 2024, SAMPLE)
    assert set(values(c)) == set(narrative.NAMES)
    text = "## 基本情况\n{% for s in [1] %}{{ s }}{% endfor %}{% set n = 2 %}{{ n }}{{ range(2)|length }}\n"
    assert narrative.parse(text, "n.md").section("context")  # loop, set and the globals are no names


def test_every_unknown_name_of_a_text_is_said_on_reading_in_order(tmp_path):
    text = "## 基本情况\n\n{{ xyz_qq }}\n## 问题原因\n{{ students_totl + 1 }} {{ coeficient.primary.R1 }}\n"
    with pytest.raises(narrative.NarrativeError) as caught:
        narrative.parse(text, "n.md")
    said = [(p.row, p.params["name"]) for p in caught.value.problems]
    assert said == [(3, "xyz_qq"), (5, "coeficient"), (5, "students_totl")]
    assert caught.value.problems[0].params["hint"] == ""  # nothing close: no guess
    assert "是否应为“coefficient”" in caught.value.message("zh")


def test_evidence_headings_must_name_items_and_get_their_names(tmp_path):
    folder = county_folder(tmp_path, years=(2024,))
    path = write(folder / "narrative" / "990126.md", "## 佐证材料清单\n### G5\n- 班额统计表\n### G99\n- x\n")
    c = junheng.county("990126", 2024, folder)
    with pytest.raises(narrative.NarrativeError) as caught:
        c.narrative("佐证材料清单")
    assert caught.value.problems[0].row == 4 and "G99" in str(caught.value)
    path.write_text("## 佐证材料清单\n### G5\n- 班额统计表\n", encoding="utf-8")
    c = junheng.county("990126", 2024, folder)
    assert c.narrative("佐证材料清单").startswith("### G5 小学、初中所有班级学生数")


def test_a_missing_section_is_a_placeholder():
    c = junheng.county("990121", 2024, SAMPLE)
    assert c.narrative("主要做法与成效") == "（县级填写）主要做法与成效：待补充。"
    assert (
        junheng.county("990121", 2024, SAMPLE, lang="en").narrative("next_steps").startswith("(To be written")
    )


def test_the_catalogue_lists_every_citeable_name_with_its_value():
    c = junheng.county("990126", 2024, SAMPLE)
    rows = {name: (value, about) for name, value, about in catalogue(c)}
    vals = values(c)
    assert rows["students_total"][0] == f"{vals['students_total']:,}" and rows["year"][0] == "2024"
    assert {f"coefficient.{s}.R{i}" for s in ("primary", "junior") for i in range(1, 8)} <= set(rows)
    assert rows["item.G5.status"][0] == "未达标" and "G5" in rows["item.G5.status"][1]
    assert any(name.startswith('school["') and name.endswith(".primary.R1") for name in rows)
    # every listed name renders to its listed value
    from junheng.inputs.narrative import environment
    from junheng.report.narrative import cited

    for name, (value, _) in rows.items():  # as the report renders them (`cited`)
        assert environment(cited).from_string("{{ " + name + " }}").render(vals) == value, name


@pytest.mark.parametrize("code", ["990128", "990125", "990126"])  # a veto applies / not reported / clear
def test_a_cited_veto_is_worded_as_the_reports_table_of_vetoes(code):
    """Fresh eyes: {{ item.exam_admission.status }} said 达标 where the report says 不存在."""
    from junheng.report import tables

    for lang in ("zh", "en"):
        c = junheng.county(code, 2024, SAMPLE, lang=lang)
        vetoes = c.items[c.items["part"] == "vetoes"]
        said = [values(c)["item"][item]["status"] for item in vetoes["id"]]
        assert said == tables.vetoes(c).data.iloc[:, 1].tolist(), (code, lang)
    if code == "990128":
        assert values(junheng.county(code, 2024, SAMPLE))["item"]["key_schools"]["status"] == "存在"
    if code == "990126":
        assert values(junheng.county(code, 2024, SAMPLE))["item"]["exam_admission"]["status"] == "不存在"


# -- the skeleton --------------------------------------------------------------------------------------
def test_the_skeleton_has_every_section_and_is_never_overwritten(tmp_path, capsys):
    folder = county_folder(tmp_path, years=(2024,))
    assert cli.main(["narrative", str(folder), "--county", "990126", "--year", "2024"]) == 0
    path = folder / "narrative" / "990126_2024.md"
    text = path.read_text(encoding="utf-8")
    for sid in narrative.SECTIONS:
        assert f"## {narrative.title(sid)}\n" in text
    assert "{{ students_total }}" in text and "{{ coefficient.primary.R1 }}" in text
    read = narrative.read(path)  # the skeleton itself is valid, and every section is still to be written
    assert read.missing() == list(narrative.SECTIONS)
    path.write_text(text + "\n", encoding="utf-8")
    assert cli.main(["narrative", str(folder), "--county", "990126", "--year", "2024"]) == 1
    assert "已存在，不会覆盖" in capsys.readouterr().err and path.read_text(encoding="utf-8") == text + "\n"


# -- the county profile --------------------------------------------------------------------------------
def test_the_profile_sets_the_title_issuer_and_date(tmp_path):
    folder = county_folder(tmp_path, years=(2024,))
    write(
        folder / "county" / "990126.yaml",
        "issuer: 云岭县人民政府教育督导室\ndocument_number: 云教督〔2025〕3号\nprovince: 示例省\n"
        "prefecture: 示例市\nreport_date: 2025-03-31\ncontact_person: 李明\ncontact_phone: 0990-8123456\n",
    )
    c = junheng.county("990126", 2024, folder)
    assert c.title() == "示例省示例市云岭县2024年县域义务教育优质均衡发展督导评估自评报告"
    assert c.issuer == "云岭县人民政府教育督导室" and c.report_date == datetime.date(2025, 3, 31)
    html = issue.signature(c).html
    assert "（盖章）" in html and "2025年3月31日" in html and "联系人：李明" in html
    assert "云教督〔2025〕3号" in c.cover().html
    # parameters win over the profile
    assert (
        junheng.county("990126", 2024, folder, issuer="别的单位", report_date="2025-05-01").issuer
        == "别的单位"
    )


@pytest.mark.parametrize(
    "text, line, key, said",
    [
        ("issuer: 某县\nreport_dat: 2025-03-31\n", 2, "report_dat", "未知的项目“report_dat”"),
        ("report_date: 2025-13-40\n", 1, "report_date", "不是日期"),
        ("issuer: 某县\ncontact_phone: 电话待定\n", 2, "contact_phone", "不是电话号码"),
        ("document_number: 3号\n", 1, "document_number", "文号“3号”"),
        ("issuer: [a, b]\n", 1, "issuer", "应为文字"),
        ("county_code: '990121'\nissuer: x\n", 1, "county_code", "与本县 990126 不符"),
    ],
)
def test_a_bad_profile_is_a_located_error(tmp_path, text, line, key, said):
    path = write(tmp_path / "county" / "990126.yaml", text)
    with pytest.raises(county_profile.CountyProfileError) as caught:
        county_profile.load(tmp_path, "990126", 2024)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (line, key) and said in caught.value.message("zh")
    assert str(path) in caught.value.message("en") and f"line {line}" in caught.value.message("en")


def test_a_profile_that_is_not_yaml_is_located(tmp_path):
    write(tmp_path / "county.yaml", "issuer: a\n  bad: [\n")
    with pytest.raises(county_profile.CountyProfileError, match="YAML"):
        county_profile.load(tmp_path, "990126", 2024)


def test_a_folder_profile_of_another_county_does_not_apply(tmp_path):
    write(tmp_path / "county.yaml", "county_code: '990121'\nissuer: 平川县\n")
    assert county_profile.load(tmp_path, "990126", 2024).issuer == ""
    assert county_profile.load(tmp_path, "990121", 2024).issuer == "平川县"


# -- draft and final -----------------------------------------------------------------------------------
REASONS = {
    "illustrative_costs": "示例单价",
    "missing_text": "县级填写部分未完成",
    "placeholder_text": "县级填写部分有1处占位内容，须替换为实际材料：佐证材料清单 G11“待补充”",
    "no_issuer": "未填写发文单位",
    "early_date": "早于数据年度结束",
    "no_date": "未设定报告日期：封面暂用推定的2025年6月30日",  # the issue date of 2024's reports
}


def final_folder(tmp_path):
    """990126 with everything a final report needs: own unit costs, text, profile."""
    return county_folder(
        tmp_path, extra=("plan/990126.yaml", "county/990126.yaml", "narrative/990126_2024.md")
    )


def test_a_complete_county_may_be_final(tmp_path):
    folder = final_folder(tmp_path)
    c = junheng.county("990126", 2024, folder, final=True)
    assert c.final and c.draft_reasons == [] and issue.draft_notice(c) == "" and issue.cover_notice(c) == ""
    assert c.to_dict()["final"] is True


@pytest.mark.parametrize("reason", list(REASONS))
def test_final_is_refused_for_each_reason_alone(tmp_path, reason):
    folder = final_folder(tmp_path)
    params = {}
    if reason == "illustrative_costs":
        (folder / "plan" / "990126.yaml").unlink()
    elif reason == "missing_text":
        text = (folder / "narrative" / "990126_2024.md").read_text(encoding="utf-8")
        (folder / "narrative" / "990126_2024.md").write_text(text.split("## 问题原因")[0], encoding="utf-8")
    elif reason == "placeholder_text":  # a token entry in the list of documents
        path = folder / "narrative" / "990126_2024.md"
        path.write_text(path.read_text(encoding="utf-8") + "- 待补充\n", encoding="utf-8")
    elif reason == "no_issuer":
        profile = folder / "county" / "990126.yaml"
        profile.write_text(
            profile.read_text(encoding="utf-8").replace("issuer:", "# issuer:"), encoding="utf-8"
        )
    elif reason == "early_date":
        params["report_date"] = "2024-12-31"
    elif reason == "no_date":  # neither the profile nor the call dates the report
        profile = folder / "county" / "990126.yaml"
        profile.write_text(
            profile.read_text(encoding="utf-8").replace("report_date:", "# report_date:"), encoding="utf-8"
        )
    with pytest.raises(issue.FinalRefused) as caught:
        junheng.county("990126", 2024, folder, final=True, **params)
    assert [r.key for r in caught.value.reasons] == [reason]
    assert REASONS[reason] in caught.value.message("zh") and "cannot be issued" in caught.value.message("en")
    if reason == "missing_text":
        assert "问题原因、下一步工作打算、佐证材料清单" in caught.value.message("zh")


EVIDENCE = """## 佐证材料清单

### G1

- 略

### G5

- 《云岭县消除大班额专项工作方案》（云教发〔2024〕9号）
- 待补充
-

### G11

- TODO

### G2

"""


@pytest.mark.parametrize(
    "entry, placeholder",
    [
        ("- 略", True),
        ("- 待补充。", True),
        ("* TODO", True),
        ("1. 无", True),
        ("（1）xxx", True),
        ("- N/A", True),
        ("- ", True),
        ("- 《》", True),
        ("- ……", True),
        ("- 待补充：布局规划文件", True),
        ("- 《XXX县关于XXX的通知》", True),
        ("- 《县人民政府关于……的通知》（X政发〔2024〕X号）", True),  # the skeleton's example
        ("- 《云岭县消除大班额专项工作方案》（云教发〔2024〕9号）", False),
        ("- 2024年秋季学期全县各校班额统计表", False),
        ("- 无锡市经验交流材料", False),
        ("- 2024.3 会议纪要", False),
    ],
)
def test_placeholder_entries(entry, placeholder):
    from junheng.inputs.placeholders import entry as without_mark
    from junheng.inputs.placeholders import is_placeholder

    assert is_placeholder(without_mark(entry)) is placeholder


def test_placeholders_are_found_by_item_and_line():
    from junheng.inputs.placeholders import Placeholder, placeholders

    text = "## 基本情况\n本县无重点校。\n\n## 问题原因\n\n待补充\n\n" + EVIDENCE
    found = placeholders(narrative.parse(text, "n.md"))
    assert found == [
        Placeholder("causes", 6, "待补充"),  # a whole section that is only a placeholder
        Placeholder("evidence", 12, "略", "G1"),
        Placeholder("evidence", 17, "待补充", "G5"),
        Placeholder("evidence", 18, "", "G5"),  # an empty entry
        Placeholder("evidence", 22, "TODO", "G11"),
        Placeholder("evidence", 24, "", "G2"),  # an item with no entry at all
    ]  # "本县无重点校。": prose, not a placeholder
    assert placeholders(narrative.read(SAMPLE / "narrative" / "990126_2024.md")) == []
    assert placeholders(narrative.read(SAMPLE / "narrative" / "990102.md")) == []


def test_final_refuses_placeholder_evidence_naming_the_file_and_entries(tmp_path, capsys):
    folder = final_folder(tmp_path)
    path = folder / "narrative" / "990126_2024.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.split("## 佐证材料清单")[0] + EVIDENCE, encoding="utf-8")
    first = text.split("## 佐证材料清单")[0].count("\n") + 1  # the line of ## 佐证材料清单
    lines = "、".join(str(first + n) for n in (4, 9, 10, 14, 16))
    entries = (
        "佐证材料清单 G1“略”；佐证材料清单 G5“待补充”；佐证材料清单 G5（空条目）；"
        "佐证材料清单 G11“TODO”；佐证材料清单 G2（空条目）"
    )
    with pytest.raises(issue.FinalRefused) as caught:
        junheng.county("990126", 2024, folder, final=True)
    assert [r.key for r in caught.value.reasons] == ["placeholder_text"]
    assert caught.value.message("zh") == (
        "不能生成正式版（--final），原因如下：\n"
        f"  - 县级填写部分有5处占位内容，须替换为实际材料：{entries}"
        f"（修改 narrative/990126_2024.md 第{lines}行）"
    )
    # a draft still accepts them, and says what is left
    c = junheng.county("990126", 2024, folder)
    assert not c.final and f"县级填写部分有5处占位内容，须替换为实际材料：{entries}" in issue.draft_notice(c)
    # the command line, in English: refused before a kernel, exit 1
    args = ["report", str(folder), "--county", "990126", "--year", "2024", "--final", "--lang", "en"]
    assert cli.main([*args, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "the county's text keeps 5 placeholder(s) to replace with the real documents: " in err
    said = (
        "Supporting documents G1: '略'; Supporting documents G5: '待补充'; Supporting documents G5: an empty"
    )
    assert said in err
    assert f"(edit narrative/990126_2024.md, line(s) {lines.replace('、', ', ')})" in err


def test_final_refused_on_the_command_line_with_exit_1(tmp_path, capsys):
    folder = final_folder(tmp_path)
    (folder / "plan" / "990126.yaml").unlink()
    code = cli.main(
        [
            "report",
            str(folder),
            "--county",
            "990126",
            "--year",
            "2024",
            "--final",
            "--out",
            str(tmp_path / "out"),
            "--lang",
            "en",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "cannot be issued" in err and "illustrative unit costs" in err
    assert not (tmp_path / "out" / "990126_2024.pdf").exists()


def test_a_bad_narrative_stops_the_command_before_a_kernel_starts(tmp_path, capsys):
    folder = county_folder(tmp_path, years=(2024,))
    write(folder / "narrative" / "990126.md", "## 基本情况\nx\n## 亮点\ny\n")
    code = cli.main(
        ["report", str(folder), "--county", "990126", "--year", "2024", "--out", str(tmp_path / "o")]
    )
    assert code == 1 and "990126.md › 第3行" in capsys.readouterr().err


def test_a_misspelt_name_stops_the_command_before_a_kernel_starts(tmp_path, capsys, monkeypatch):
    """docs/county-report.md: an unknown name is said before any kernel starts, located, in the
    user's language, with the name meant (the fresh-eyes finding: it failed in the kernel, in English)."""
    folder = county_folder(tmp_path, years=(2024,))
    write(folder / "narrative" / "990126_2024.md", "## 基本情况\n\n共{{ students_totl }}名学生。\n")

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr("junheng.report.run.report", no_kernel)
    args = ["report", str(folder), "--county", "990126", "--year", "2024", "--formats", "html"]
    assert cli.main([*args, "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "990126_2024.md › 第3行" in err and "是否应为“students_total”？" in err
    assert cli.main([*args, "--out", str(tmp_path / "o"), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "990126_2024.md, line 3" in err and "did you mean 'students_total'?" in err


def test_an_incomplete_county_can_never_be_final():
    c = junheng.county("990125", 2024, SAMPLE, issuer="柳溪县人民政府教育督导室", report_date="2025-03-31")
    assert c.draft_reasons[0].key == "missing_data"
    notice = issue.incomplete_notice(c)
    assert notice.startswith("数据不完整，不得报送：缺少县级指标、质量监测、问卷汇总或问卷答卷")
    assert notice in issue.draft_notice(c)
    # the cover: one notice (数据不完整，不得报送 once), the same list of sheets and items
    cover = issue.cover_notice(c)
    assert cover.startswith(
        "数据不完整，不得报送：缺少县级指标、质量监测、问卷汇总或问卷答卷，21项评估项目因此未评估（"
    )
    assert cover.count("不得报送") == 1 and "草稿" not in cover
    # one count and the whole list (it was 22, with the prerequisite, and cut after 12 ids with "…"),
    # the count of 分项结果 and 历年: G1 G2 G6 G7 G8 G10 G11 G14 G15, Q1 Q2 Q5 Q7 Q8 Q9, S, five vetoes
    assert "21项评估项目因此未评估" in notice and "…" not in notice
    assert "G1、G2、G6、G7、G8、G10、G11、G14、G15、Q1、Q2、Q5、Q7、Q8、Q9、S、" in notice
    assert "Q9、S、以考试方式招生、违规择校、设置重点校、重点班、发生重大安全责任事故、弄虚作假）" in notice
    assert "prerequisite" not in notice and "exam_admission" not in notice
    with pytest.raises(issue.FinalRefused, match="数据不完整"):
        junheng.county("990125", 2024, SAMPLE, final=True)


def test_the_published_text_keeps_one_source_line_and_no_internals():
    c = junheng.county("990126", 2024, SAMPLE)
    line = issue.source_line(c)
    assert line == "数据来源：云岭县2021—2024年义务教育学校基础数据及县级填报数据（80所学校）。"
    meta = issue.metadata(c)
    assert meta["fingerprint"] == c.fingerprint and "990126_2024.xlsx" in meta["files"]
    assert "990126_2024.md" in meta["files"] and "990126.yaml" in meta["files"]  # the county's files count
    assert meta["generator"].startswith("junheng ")


def test_the_sample_ships_text_and_profiles_for_two_counties():
    for code in ("990102", "990126"):
        c = junheng.county(code, 2024, SAMPLE)
        assert c.draft_reasons == [], (code, [r.message() for r in c.draft_reasons])
    assert junheng.county("990102", 2024, SAMPLE).status == "passed"
    assert junheng.county("990126", 2024, SAMPLE).status == "failed"


# -- 附表: every school's inputs, enough to recompute the report ---------------------------------------
def test_the_appendix_sheet_recomputes_every_school_value_and_coefficient(tmp_path):
    import numpy as np
    import pandas as pd

    c = junheng.county("990126", 2024, SAMPLE)
    book = c.to_excel(tmp_path / "x.xlsx")
    sheet = pd.read_excel(
        book, sheet_name="附表 学校原始数据", header=1, dtype={"学校标识码": str}, engine="calamine"
    )
    assert len(sheet) == len(c.evaluated_schools) == 75
    section_of = {"小学": "primary", "初中": "junior"}
    scales = {"R1": 100, "R2": 100, "R3": 100, "R4": 1, "R5": 1, "R6": 1, "R7": 100}
    indicators = c.indicators.set_index(["school_code", "section", "indicator"])["value"]
    cv = c.coefficients.set_index(["section", "indicator"])["cv"]
    for ind, scale in scales.items():
        column = next(col for col in sheet.columns if col.startswith(f"{ind} "))
        values = scale * sheet[column] / sheet["在校生（人）"]
        for code, section, value in zip(sheet["学校标识码"], sheet["学段"], values, strict=True):
            assert value == pytest.approx(indicators[(code, section_of[section], ind)], rel=1e-12)
        for name, section in section_of.items():
            mine = sheet["学段"] == name
            x, p = values[mine].to_numpy(), sheet.loc[mine, "在校生（人）"].to_numpy(dtype=float)
            mean = (p * x).sum() / p.sum()
            recomputed = np.sqrt((p / p.sum() * (x - mean) ** 2).sum()) / mean
            assert recomputed == pytest.approx(cv[(section, ind)], rel=1e-9), (section, ind)
    # a nine-year school: two rows, its shared floor area split between them
    nine = c.evaluated_schools[c.evaluated_schools["school_type"] == "nine_year"]["school_code"].iloc[0]
    assert (sheet["学校标识码"] == nine).sum() == 2


def test_citations_are_formatted_as_the_report_formats_numbers(tmp_path):
    """A cited count reads 35,324 as the generated text does (not 35324); a year stays 2024; a
    coefficient has three decimals (0.350, not 0.35); a mean the decimals of its indicator."""
    from junheng.inputs.narrative import environment
    from junheng.report.narrative import Figure, Year, cited

    render = environment(cited).from_string
    context = {
        "students": 35324,
        "year": Year(2024),
        "cv": Figure(0.35, 3, thousands=False),
        "near": Figure(0.5004, 3, thousands=False, limit=0.5),
        "mean": Figure(1234.5, 2),
        "missing": None,
        "flag": True,
    }
    text = "{{ students }}人 {{ year }}年 {{ year + 1 }}年 {{ cv }} {{ near }} {{ mean }} {{ missing }}"
    text += " {{ flag }}"
    assert render(text).render(context) == "35,324人 2024年 2025年 0.350 0.5004 1,234.50 — True"
    # arithmetic gives plain numbers, still formatted: 35324 - 324 = 35,000
    assert render("{{ students - 324 }}").render(context) == "35,000"
    # the sample county: the text says what the generated paragraph says
    c = junheng.county("990126", 2024, SAMPLE)
    students = int(c.profile["students"].sum())
    assert students > 9999
    folder = county_folder(tmp_path, years=(2024,))
    write(folder / "narrative" / "990126.md", "## 基本情况\n在校生{{ students_total }}人（{{ year }}年）。\n")
    assert junheng.county("990126", 2024, folder).narrative("基本情况") == f"在校生{students:,}人（2024年）。"


def test_the_sample_county_text_agrees_with_its_data():
    """The sample 云岭县 text said 4,860 questionnaires (表7: 423), a 2022—2030 layout plan (G1's
    evidence: 2021—2025), 9镇4乡 (the 乡镇（街道） column: 2 街道, 3 镇, 6 乡), 公用经费 不低于10万元
    (650 元 × 100 = 65,000 元), 1.61万元 per student in 2023 (5.7亿 ÷ 36,347 = 1.57万), and repeated the
    school and student counts the report writes after it."""
    from openpyxl import load_workbook

    c = junheng.county("990126", 2024, SAMPLE)
    context = c.narrative("基本情况")
    assert "共回收有效问卷423份" in c.narrative("问卷调查方式")  # 232+59+8+68+13+13+30
    # G1: one document, named as the county sheet's 规划布局佐证说明 names it
    plan = c.items[c.items["id"] == "G1"].iloc[0]["evidence"]["note"]
    assert plan == "县域义务教育学校布局专项规划（2021—2025年）"
    assert f"《云岭县{plan}》" in c.narrative("主要做法与成效")
    assert plan in c.narrative("佐证材料清单") and "2030" not in c.narrative("佐证材料清单")
    # townships from the data
    ws = load_workbook(SAMPLE / "990126_2024.xlsx", read_only=True)["学校"]
    rows = ws.iter_rows(values_only=True)
    header = next(rows)
    at = header.index("乡镇（街道）")
    towns = {r[at] for r in rows if r[at]}
    counts = {end: sum(t.endswith(end) for t in towns) for end in ("街道", "镇", "乡")}
    assert counts == {"街道": 2, "镇": 3, "乡": 6}
    assert "辖2个街道、3个镇、6个乡" in context
    # per student: 5.4亿 ÷ 37,711 = 1.43万, 5.7亿 ÷ 36,347 = 1.57万, 6.1亿 ÷ 35,324 = 1.73万
    students = [
        int(junheng.county("990126", y, SAMPLE).profile["students"].sum()) for y in (2022, 2023, 2024)
    ]
    assert students == [37711, 36347, 35324]
    per = [f"{e / s / 1e4:.2f}万元" for e, s in zip((5.4e8, 5.7e8, 6.1e8), students, strict=True)]
    assert per == ["1.43万元", "1.57万元", "1.73万元"] and "、".join(per) in context
    # G6: 650 yuan × 100 students = 65,000 yuan a school
    assert "每校每年不低于6.5万元" in c.narrative("主要做法与成效")
    # the generated paragraph after it gives the counts: the county text does not repeat them
    assert "所学校" not in context and "专任教师" not in context and "80所" not in context
    # class sizes: 1 城区 and 2 镇区 schools above 45, no 56-person standard and no invented school
    said = c.narrative("问题原因") + c.narrative("下一步工作打算") + c.narrative("主要做法与成效")
    assert "城区1所、镇区2所小学" in said and "56人" not in said and "第三小学" not in said
