"""What officials read (f4): the published method note, the plan's summary and the data findings say
things in plain official language, with no software, file or program-setting names (STANDARDS S)."""

import re
from pathlib import Path

import pytest

import junheng
from junheng.report import tables, text
from junheng.report.optimal import plan_sentences, section

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
SOFTWARE = (
    "junheng",
    "项目文档",
    "评估方法说明",
    "默认设置",
    "浮点",
    "10⁻⁹",
    "修约位数",
    "规则选项",
    ".yaml",
    ".xlsx",
)


@pytest.fixture(scope="module")
def liuxi():
    return junheng.county("990125", 2024, SAMPLE)


def test_the_method_note_reads_as_an_official_note(liuxi):
    method = text.method(liuxi)
    for word in SOFTWARE:
        assert word not in method, word
    assert "计算结果与标准值比较时不作修约" in method
    assert "差异系数与标准值相差不足0.005，或按2位小数修约后判定结论会改变的，标注为“临界”" in method
    assert "未采用省级补充规定，评估范围和计算口径按评估办法执行" in method
    assert "- 报告数值一般保留2位小数" in method and "- 民办学校纳入资源配置评估：是" in method
    assert "各项指标的计算口径和判定规则以上述评估办法为准。" in method


def test_the_2012_coefficients_scope_agrees_with_the_private_school_option(liuxi):
    # private schools in: the 2012 coefficients say so too (it once said "如不含民办学校" beside "是")
    method = text.method(liuxi)
    assert "与本报告采用相同的学校范围计算（含民办学校）" in method and "不含民办学校" not in method
    out = text.method(junheng.county("990125", 2024, SAMPLE, overlays=["exclude-private"]))
    assert "采用的地方标准和评估口径：不含民办学校。" in out and "exclude-private" not in out
    assert "与本报告采用相同的学校范围计算（不含民办学校）" in out and "民办学校纳入资源配置评估：否" in out


def test_the_method_note_in_english_names_no_software():
    method = text.method(junheng.county("990125", 2024, SAMPLE, lang="en"))
    assert "junheng" not in method and "floating" not in method
    assert "Results are compared with the standards unrounded" in method
    assert "(private schools included)" in method


def test_the_published_plan_summary_has_no_solver_terms_and_no_zero_payer():
    c = junheng.county("990181", 2024, SAMPLE)  # no private school pays anything here
    published = " ".join(str(part.data) for part in section(c) if hasattr(part, "data"))
    assert published.startswith(
        "达标测算：经测算，以下为费用最低的方案。最低总费用287.20万元（经常性支出按5年计）"
    )
    assert "已证明最优" not in published and "举办者" not in published and "0.00万元" not in published
    en = " ".join(plan_sentences(junheng.county("990181", 2024, SAMPLE, lang="en"), c.optimal, solver=False))
    assert "proven optimal" not in en and "by private sponsors" not in en
    assert re.search(r"Least total cost [\d,]+ yuan \(recurring costs over 5 years\)", en)


def test_a_sponsor_share_is_still_given_when_a_sponsor_pays(liuxi):
    from types import SimpleNamespace

    import pandas as pd

    summary = {
        "status": "optimal",
        "status_text": "已证明最优",
        "total_cost": 120000.0,
        "public_cost": 100000.0,
        "sponsor_cost": 20000.0,
        "horizon_years": 5,
        "full_cost": 150000.0,
        "saving": 30000.0,
    }
    plan = SimpleNamespace(summary=summary, rows=pd.DataFrame(), failing=[])
    first = plan_sentences(liuxi, plan, solver=False)[0]
    assert first == (
        "达标测算：经测算，以下为费用最低的方案。最低总费用12.00万元（其中财政10.00万元，"
        "民办学校举办者2.00万元；经常性支出按5年计），比每校每项指标全部达标的15.00万元节省3.00万元。"
    )


def test_data_problems_are_stated_as_findings_with_their_level_once(liuxi):
    from junheng.report import tables

    rows = tables.problems(liuxi).data.values.tolist()
    assert rows[0] == [
        "提示",
        "未提供“县级指标（县级政府保障与质量指标表）”，相关指标标为“数据缺失，未评估”",
    ]  # the level is its column's, not repeated as "[提示]"; no file name, in a draft as in a final
    assert all("[" not in finding and "将标为" not in finding for _, finding in rows)
    en = tables.problems(junheng.county("990125", 2024, SAMPLE, lang="en")).data.values.tolist()
    assert en[0][0] == "note" and "[note]" not in en[0][1] and "table was not provided" in en[0][1]


def test_a_drafts_data_quality_table_names_the_sheet_row_and_column_not_the_file():
    """Review: the draft's table put the workbook's file name before each problem; an official reads
    sheet, row and column, as in a final report (the command line and the JSON keep the file)."""
    from junheng.report import tables

    draft = junheng.county("990123", 2024, SAMPLE)
    assert not draft.final and draft.draft_reasons
    assert tables.problems(draft).data.values.tolist() == [
        ["提示", "工作表“学校”“是否数字校园”列：本县自行增加的列，供规划目标使用"]
    ]
    final = junheng.county("990123", 2024, SAMPLE)
    final.final = True  # as a final report would state it
    assert list(final.problems["finding"]) == list(draft.problems["finding"])
    assert list(draft.problems["file"]) == ["990123_2024.xlsx"]  # kept for the JSON and Excel columns
    en = tables.problems(junheng.county("990123", 2024, SAMPLE, lang="en")).data.values.tolist()
    assert en[0][1].startswith("sheet '学校', column '是否数字校园': ") and ".xlsx" not in en[0][1]


def test_a_final_report_states_where_a_problem_is_without_the_file_name():
    from junheng.problems import INFO, WARNING, Problem

    missing = Problem(
        INFO, "missing_table", file="990125_2024.xlsx", params={"table": {"zh": "问卷汇总", "en": "Survey"}}
    )
    assert missing.finding("zh", with_file=False) == "未提供“问卷汇总”，相关指标标为“数据缺失，未评估”"
    assert (
        missing.message("zh") == "[提示] 990125_2024.xlsx：缺少“问卷汇总”：相关指标将标为“数据缺失，未评估”"
    )  # the log line
    cell = Problem(WARNING, "negative", "990125_2024.xlsx", "学校", 7, "占地面积", {"value": -3})
    assert cell.finding("zh", with_file=False) == "工作表“学校”第7行“占地面积”列：不能为负数（-3）"
    assert cell.finding("zh") == "990125_2024.xlsx › 工作表“学校” › 第7行 › 列“占地面积”：不能为负数（-3）"
    assert (
        cell.finding("en", with_file=False)
        == "sheet '学校', row 7, column '占地面积': must not be negative (-3)"
    )


def test_the_problems_of_a_final_report_carry_no_file_name():
    c = junheng.county("990125", 2024, SAMPLE)
    c.final = True  # as a final report would be issued (this county stays a draft for its missing data)
    assert (
        list(c.problems["finding"])[0]
        == "未提供“县级指标（县级政府保障与质量指标表）”，相关指标标为“数据缺失，未评估”"
    )


# -- the English report (990181 2024 --lang en): English punctuation, plurals, dates and numerals ----------
CJK_PUNCTUATION = re.compile(r"[，、（）：；]")
# a name or a document title the county wrote in Chinese keeps its own punctuation: 规划（2021—2025年）
CHINESE_DATA = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff\d（）—、，：；“”]*[\u4e00-\u9fff）]")
GLUED = re.compile(r"[a-z]{2,}\d")  # "students2"; item codes (G13, R4) are capitals and stay


@pytest.fixture(scope="module")
def qingyuan_en():
    return junheng.county("990181", 2024, SAMPLE, lang="en")


def _english_texts(c) -> dict:
    from junheng.report import issue, tables
    from junheng.report.evidence import evidence_text

    out = {
        "profile": text.profile(c),
        "trend": text.trend(c),
        "plan": text.plan(c),
        "method": text.method(c),
        "verdict": text.verdict(c),
        "contributors": " ".join(text.contributors(c, s) for s in c.rules.sections),
        "cover": issue.cover_notice(c),
        "source": issue.source_line(c),
        "optimal": " ".join(plan_sentences(c, c.optimal, solver=False)),
    }
    for item in c.items.itertuples():
        out[f"evidence {item.id}"] = evidence_text(c, item)
    for name, table in [
        ("plan table", tables.plan(c, required=True)),
        ("improvements table", tables.plan(c, required=False)),
        ("unit costs", tables.unit_costs(c)),
        ("basic primary", tables.basic(c, "primary")),
        ("basic junior", tables.basic(c, "junior")),
        ("below primary", tables.schools_below(c, "primary")),
        ("below junior", tables.schools_below(c, "junior")),
        ("profile table", tables.profile(c)),
    ]:
        if table is not None:
            out[name] = " | ".join(
                [*map(str, table.data.columns), *(str(v) for v in table.data.to_numpy().ravel())]
            )
    return out


def test_the_english_report_has_no_chinese_punctuation_and_no_glued_numbers(qingyuan_en):
    for name, words in _english_texts(qingyuan_en).items():
        plain = CHINESE_DATA.sub("", words)
        assert not CJK_PUNCTUATION.search(plain), (name, CJK_PUNCTUATION.search(plain), words)
        assert not GLUED.search(words), (name, GLUED.search(words).group(), words)
        for wrong in ("Ⅲ", "Ⅱ", "∶", "item(s)", "(s)", " %", 'NOT YET MET" every', "submission:t"):
            assert wrong not in words, (name, wrong, words)
        assert not re.search(r"\d—\d", plain), (name, words)  # an en dash between years in English
        assert not re.search(r"\([^()]*\([^()]*\)[^()]*\)", plain), (name, words)  # no nested brackets


def test_the_english_report_reads_as_english(qingyuan_en):
    texts = _english_texts(qingyuan_en)
    profile = texts["profile"]
    assert (
        "(40 primary schools, 15 junior middle schools, 5 nine-year schools, 1 twelve-year school" in profile
    )
    assert "8 teaching points, 1 special-education school)" in profile
    assert "3 were not: 2 teaching points under 50 students, 1 special-education school." in profile
    assert (
        "has 4 matters to address: 1 required (in 1 county-level item); 3 recommended improvements."
        in texts["plan"]
    )
    assert "by end of August 2027" in texts["plan table"] and "2027-08" not in texts["plan table"]
    assert (
        "Education Equipment Centre (Planning and Finance Division)"
        in texts["plan table"] + texts["improvements table"]
    )
    assert 'the self-assessment result was "not yet met" in every year' in texts["trend"]
    assert "2021–2024" in texts["source"]
    assert texts["cover"].startswith("Draft, not for submission: the plan")
    # 990181 is a city (清源市): "to be set by the county" named it a county (Chinese: 当地)
    assert "Illustrative value (not official data), to be set by the city" in texts["unit costs"]
    assert "(23%), " in texts["contributors"] and "、" not in texts["contributors"]
    assert "(103.7%; standard: 100%)" in texts["evidence G8"]
    assert "level III" in " ".join(texts.values())


def test_the_monitoring_subjects_read_in_english_and_a_countys_own_stays_as_given(qingyuan_en):
    from junheng.report.evidence import _subject, evidence_text

    q9 = evidence_text(qingyuan_en, qingyuan_en.items[qingyuan_en.items["id"] == "Q9"].iloc[0])
    assert q9.endswith("highest between-school difference 0.12 (Junior Chinese)")  # 初中语文 in the data
    assert (_subject("数学", "en"), _subject("数学", "zh"), _subject("书法", "en")) == (
        "Mathematics",
        "数学",
        "书法",
    )


def test_english_helpers_join_and_bracket_by_language():
    from junheng.report import format as fmt

    assert fmt.series(["A", "B"], "zh") == "A、B" and fmt.series(["A", "B"], "en") == "A, B"
    assert fmt.bracket("23%", "zh") == "（23%）" and fmt.bracket("23%", "en") == " (23%)"
    assert fmt.counted(2, "教学点", "zh") == "教学点2所" and fmt.counted(2, "school", "en") == "2 schools"
    assert fmt.counted(1, "teaching point|teaching points", "en") == "1 teaching point"
    assert fmt.plural(3, "class", "en") == "classes" and fmt.plural(2, "facility", "en") == "facilities"
    assert fmt.roman("level Ⅲ", "en") == "level III" and fmt.roman("Ⅲ级", "zh") == "Ⅲ级"
    assert fmt.year_span(2021, 2024, "en") == "2021–2024" and fmt.year_span(2021, 2024, "zh") == "2021—2024"
    assert fmt.unnest("(103.7% (standard: 100%)); (a)") == "(103.7%; standard: 100%); (a)"
    assert fmt.clauses(["A", "B"], "zh") == "A；B" and fmt.clauses(["A", "B"], "en") == "A; B"


def test_a_2012_per_student_teacher_indicator_shown_per_100_says_so_beside_its_name():
    """B7 and B8 are per student (STANDARDS.md §4); the table shows them per 100 students (6.17, not
    0.0617): the official name keeps its 生均 and says how it is counted, so name and unit agree."""
    c = junheng.county("990181", 2024, report_date="2025-03-31")
    rows = tables.basic(c, "primary").data
    b7 = rows[rows.iloc[:, 0].str.startswith("B7")].iloc[0]
    assert list(b7.iloc[:3]) == ["B7 生均高于规定学历教师数（按每百名学生计）", "人/百生", "6.17"]
    b1 = rows[rows.iloc[:, 0].str.startswith("B1")].iloc[0]
    assert list(b1.iloc[:2]) == ["B1 生均教学及辅助用房面积", "平方米/生"]  # per student, as named


def test_the_2012_ratio_reads_as_a_ratio_in_chinese_and_a_number_in_english(qingyuan_en):
    from junheng.report.tables import basic_mean

    ratio = next(i for i in qingyuan_en.basic_evaluation.rules.indicators if (i.display or {}).get("inverse"))
    assert basic_mean(1 / 15.3, ratio, "zh") == ("15.3∶1", "生师比")
    assert basic_mean(1 / 15.3, ratio, "en") == (
        "15.3",
        "students per teacher",
    )  # not "15.3∶1 students per teacher"
