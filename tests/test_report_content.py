"""What a county can publish (issue #10), checked on the notebook API without a kernel: evidence in
the conclusion, honest history, rounding that never flips a verdict, schools that share a name,
the Excel workbook for officials."""

import re
from pathlib import Path

import pytest
from builders import every_county_kept
from openpyxl import load_workbook

import junheng
from junheng.report import format as fmt
from junheng.report import tables, text
from junheng.report.profiles import profile


@pytest.fixture(scope="module", autouse=True)
def _evaluated_once():
    """Each of the sample's counties evaluated once for this file (`builders.every_county_kept`)."""
    with every_county_kept():
        yield


ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def pingchuan():
    return junheng.county("990121", 2024, SAMPLE)


def test_a_value_is_never_rounded_across_its_threshold():
    assert fmt.percent_against(0.847, 0.85) == "84.7%"
    assert fmt.percent_against(0.84996, 0.85) == "84.996%"  # "85.0%" would read as met
    assert fmt.percent_against(0.85, 0.85) == "85.0%"
    assert fmt.against(1694.55, 2000, 0) == "1,695" and fmt.against(1999.6, 2000, 0) == "1,999.6"
    assert (
        fmt.coefficient_against(0.5004, 0.50) == "0.5004" and fmt.coefficient_against(0.497, 0.50) == "0.497"
    )
    assert fmt.percent_against(1694.55 / 2000, 0.85, decimals=0) == "84.7%"  # the ratio of a school below 85%


def test_conclusions_carry_their_figures():
    monitoring = text.verdict(junheng.county("990127", 2024, SAMPLE))
    assert "初中数学（学业水平Ⅱ级，应达到Ⅲ级以上；校际差异率0.17，应低于0.15）" in monitoring
    survey = text.verdict(junheng.county("990124", 2024, SAMPLE))
    assert "认可度82.1%，低于85%的标准" in survey and "认可度最低的是其他群众（80.4%）" in survey
    rotation = text.verdict(junheng.county("990126", 2024, SAMPLE))
    assert (
        "交流轮岗114人，占8.1%，低于10%的标准" in rotation and "小学最大班额56人，超过45人的标准" in rotation
    )


def test_counties_read_differently():
    def lead(code):
        return text.verdict(junheng.county(code, 2024, SAMPLE)).split("\n")[0]

    passed, borderline, vetoed, incomplete, failed = (
        lead(c) for c in ("990102", "990122", "990128", "990125", "990121")
    )
    assert "自评结果为：达到县域义务教育优质均衡发展要求" in passed
    assert "临界状态" in text.verdict(junheng.county("990122", 2024, SAMPLE)) and "临界" not in text.verdict(
        junheng.county("990102", 2024, SAMPLE)
    )
    assert "但存在“设置重点校、重点班”情形（西林溪林城关初级中学按入学分班考试成绩设置“实验班”2个" in vetoed
    assert "属实），按评估办法实行一票否决" in vetoed
    assert "所需数据未提供，无法评估，暂不能作出是否达到优质均衡发展要求的结论" in incomplete
    assert "自评结果为：尚未达到" in failed and len({passed, borderline, vetoed, incomplete, failed}) == 5
    for code in ("990102", "990121"):
        assert "以省级督导评估和国家督导认定为准" in text.verdict(junheng.county(code, 2024, SAMPLE))


def test_an_earlier_years_report_shows_nothing_later():
    c = junheng.county("990123", 2021, SAMPLE)
    assert all("2021" in Path(f).name or f.endswith(".yaml") for f in c.files)
    assert c.history["year"].tolist() == [2021] and c.coefficient_history["year"].max() == 2021
    assert c.targets["year"].max() == 2021 and c.gap["year"].max() == 2021
    assert "2024" not in text.trend(c) and "2022" not in text.profile(c)


def test_schools_sharing_a_name_are_told_apart_everywhere(pingchuan, tmp_path):
    # issue #19: by township (乡镇（街道）, in the sample's 学校 sheet), never by a code or a fragment of one
    c = pingchuan
    twins = c.schools[c.schools["school_name"] == "平川康平村小学"]["name"].unique()
    assert sorted(twins) == ["平川康平村小学（三道乡）", "平川康平村小学（高岭乡）"]
    shown = [text.verdict(c), tables.schools(c).to_html(), tables.plan(c, True).to_html()]
    shown += [tables.schools_below(c, "primary").to_html(), profile(c, "9901210009").html]
    wb = load_workbook(c.to_excel(tmp_path / "x.xlsx"))
    shown += [
        "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row) for ws in wb.worksheets
    ]
    for piece in shown:
        mentions = re.findall(r"平川康平村小学(（(?:三道乡|高岭乡)）)?", piece)
        assert all(m for m in mentions), piece[:200]
        assert "标识码99" not in piece and "…" not in piece
    assert "平川康平村小学（三道乡）" in text.verdict(c)


def test_same_name_schools_fall_back_to_their_whole_code_without_a_township():
    import pandas as pd

    from junheng.report.county import distinguishing_names

    names = pd.Series(["甲小学", "甲小学", "甲小学", "乙小学", "丙小学", "丙小学", "丁小学", "丁小学"])
    codes = pd.Series([f"99012100{i:02d}" for i in range(1, 9)])
    places = pd.Series(["东城街道", "柳河乡", None, "东城街道", "石门乡", "石门乡", " ", None])
    assert distinguishing_names(names, codes, "zh", places).tolist() == [
        "甲小学（东城街道）",
        "甲小学（柳河乡）",
        "甲小学（标识码9901210003）",  # no township: the whole code
        "乙小学",  # a name of its own keeps it
        "丙小学（标识码9901210005）",  # the same township tells nothing apart
        "丙小学（标识码9901210006）",
        "丁小学（标识码9901210007）",  # blank counts as absent
        "丁小学（标识码9901210008）",
    ]
    assert distinguishing_names(names[:2], codes[:2], "en", places[:2]).tolist() == [
        "甲小学 (东城街道)",
        "甲小学 (柳河乡)",
    ]
    # a workbook without the column (None): the whole code, as before
    assert distinguishing_names(names[:2], codes[:2], "zh").tolist() == [
        "甲小学（标识码9901210001）",
        "甲小学（标识码9901210002）",
    ]


def test_the_plan_and_the_profiles(pingchuan):
    c = pingchuan
    plan = c.plan
    assert plan["required"].any() and (plan["cost"].dropna() >= 0).all()
    totals = c.plan_totals()
    assert int(totals["cost"].sum()) == int(plan["cost"].dropna().sum())
    assert "示例单价" in text.plan(c)
    page = profile(c, "9901210009")
    assert "未达到校际标准" in page.html and "组织人事科" in page.html
    assert page._repr_mimebundle_()[1]["junheng"]["school_profile"] == "9901210009"


def test_targets_and_gap_sections_only_where_they_apply():
    with_plan = junheng.county("990126", 2024, SAMPLE)
    assert "落后于进度" in text.targets(with_plan) and tables.targets(with_plan) is not None
    without = junheng.county("990102", 2024, SAMPLE)
    assert without.targets.empty and text.targets(without) == "" and tables.targets(without) is None
    assert "乡村学校与城区学校相比，差距最大的是" in text.gap(without)


def test_excel_workbook_for_officials(tmp_path, pingchuan):
    path = pingchuan.to_excel(tmp_path / "x.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["总览", "整改计划"]
    plan = wb["整改计划"]
    # a note row, the header, the plan's rows, a blank row and the one-off and yearly totals
    assert plan.max_row == 1 + 1 + len(pingchuan.plan) + 1 + 2
    english = re.compile(
        r"^(primary|junior|pass|fail|not_assessed|rural|urban|town|public|private|True|False|TRUE|FALSE|"
        r"nan|None)$"
    )
    for ws in wb.worksheets:
        assert ws.max_row > 1, ws.title  # no empty sheet
        header = 2 if ws.title in ("整改计划", "附表 学校原始数据") else 1  # sheets with a note row
        assert ws.freeze_panes == f"A{header + 1}"
        assert bool(ws.auto_filter.ref) == (ws.title != "总览")  # the summary is a list of fields
        for row in ws.iter_rows(min_row=header + 1):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not english.match(cell.value), (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)


def test_a_school_share_of_its_standard_never_crosses_100_or_the_floor():
    assert fmt.percent_of_standard(0.8496, 0.85) == "84.96%"  # not "85.0%"
    assert fmt.percent_of_standard(0.99996, 0.85) == "99.996%"  # not "100.0%"
    assert fmt.percent_of_standard(1.0, 0.85) == "100.0%" and fmt.percent_of_standard(0.853, 0.85) == "85.3%"
    assert fmt.percent_of_standard(None) == fmt.MISSING


def test_plan_rows_name_the_place_as_readers_know_it(pingchuan):
    from types import SimpleNamespace as NS

    c = NS(designation="全县", lang="zh", school_names={"A": "甲小学", "B": "乙学校（标识码0000000002）"})
    row = NS(school_code="A", school_name="甲小学", section_name="小学")
    assert tables.plan_place(c, row, combined=set()) == "甲小学"  # not 甲小学（小学）
    assert (
        tables.plan_place(c, NS(school_code="B", school_name="乙学校", section_name="初中"), {"B"})
        == "乙学校（标识码0000000002）（初中）"
    )
    assert tables.plan_place(c, NS(school_code=None, school_name=None, section_name=None), set()) == "全县"
    html = tables.plan(pingchuan, True).to_html()
    assert "（小学）" not in html and "20.00/年" in tables.plan(pingchuan, False).to_html() + html


def test_a_veto_found_at_a_school_gives_it_a_page_and_a_mark_in_the_appendix():
    from junheng.report.profiles import profile, schools_needing_action

    c = junheng.county("990128", 2024, report_date="2025-03-31")
    assert "9901280051" in schools_needing_action(c)  # its Part R passes: only the veto brings it here
    assert "存在一票否决情形（设置重点校、重点班）" in profile(c, "9901280051").html
    appendix = tables.schools(c).data
    mark = appendix[appendix.iloc[:, 0] == "9901280051"].iloc[0, 6]
    assert mark == "达标；存在一票否决情形（设置重点校、重点班）"


def test_g5_evidence_gives_the_county_total_and_share_of_oversized_classes():
    from junheng.report.evidence import evidence_text

    c = junheng.county("990126", 2024, report_date="2025-03-31")
    text = evidence_text(c, c.items[c.items["id"] == "G5"].iloc[0])
    # 3 + 3 + 3 oversized primary classes in 3 schools, of 818 primary classes: 9 / 818 = 1.10%
    assert "全县小学超额班级共9个，分布在3所学校，占小学全部818个班级的1.1%" in text


def test_s_evidence_states_the_sample_size_the_rules_ask_for_as_guidance():
    """Part S: the rules ask for a sample of about 1.5‰ of the resident population (STANDARDS.md, Part S);
    the report says so, as sampling guidance that does not decide the result (docs/method.md d26)."""
    from junheng.report.evidence import evidence_text

    c = junheng.county("990181", 2024, report_date="2025-03-31")
    text = evidence_text(c, c.items[c.items["id"] == "S"].iloc[0])
    # 477,000 residents × 1.5‰ = 715.5 → about 716 answers; 763 valid answers were collected
    assert text.startswith("有效问卷763份，认可度93.2%（标准不低于85%）")
    assert text.endswith(
        "；评估办法要求的样本量约716份（常住人口477,000人的1.5‰，属抽样要求，不作为判定条件）"
    )
    assert "未作规定" not in text


def test_g9_and_g12_evidence_say_which_teachers_they_count():
    """G9/G12 count the primary and junior teachers of compulsory-education schools: 990181's 4,784
    (primary 2,496, junior 1,662, nine-year 173 + 172, complete middle 129, teaching points 43,
    twelve-year 59 + 50), not the 4,794 of its overview, which has its special school's 5 + 5."""
    from junheng.report.evidence import evidence_text

    c = junheng.county("990181", 2024, report_date="2025-03-31")
    g9 = evidence_text(c, c.items[c.items["id"] == "G9"].iloc[0])
    assert g9.startswith(
        "完成5年360学时培训的专任教师4,784人，占小学和初中专任教师4,784人（不含特殊教育学校、职业学校）的100.0%"
    )


def test_a_school_passing_the_rule_with_an_indicator_below_its_standard_is_told_to_improve():
    """R rule 1: 林平城关小学 (9901810021) meets 6 of 7 standards and has 6.69 m² of sports area per
    student against 7.50 (89.1%, ≥ 85%): it passes, and its page says one indicator is below."""
    import re

    from junheng.report.profiles import profile

    c = junheng.county("990181", 2024, report_date="2025-03-31")
    verdict = re.findall(r'<div class="verdict[^"]*">([^<]*)<', profile(c, "9901810021").html)
    assert verdict == ["资源配置达到校际标准；1项指标低于标准值，建议提升"]
    every = re.findall(r'<div class="verdict[^"]*">([^<]*)<', profile(c, "9901810001").html)
    assert every == ["资源配置达到校际标准"]  # every standard met


def test_a_borderline_coefficient_is_printed_in_one_format_everywhere():
    c = junheng.county("990122", 2024, report_date="2025-03-31")
    listed, sentences = text.borderline(c), " ".join(text.watch_sentences(c))
    assert "- 小学生均教学仪器设备值差异系数：0.497（标准≤0.50）" in listed
    assert "差异系数为0.497，距0.50的标准仅差0.003" in sentences
    assert "0.4970" not in listed + sentences and "R6" not in listed and ": " not in listed


def test_standards_are_quoted_from_the_rule_file_with_the_worst_schools_value():
    from junheng.method.rules import _read
    from junheng.report.evidence import evidence_text, threshold_text

    rules = _read("youzhi-2017")
    c = junheng.county("990121", 2024, report_date="2025-03-31")
    items = c.items.set_index("id", drop=False)
    for iid in ("G3", "G4", "G5", "Q3", "Q4", "Q6"):
        assert (
            threshold_text(items.loc[iid], "zh")
            == rules["quality" if iid[0] == "Q" else "guarantee"][iid]["label"]["zh"]
        ), iid
    for iid in ("Q5", "Q7", "Q8"):
        assert threshold_text(items.loc[iid], "zh") == "良好以上"
    assert evidence_text(c, items.loc["Q7"]) == "评价等级为Ⅲ级（良好），应达到良好以上"
    # Q4: the lowest training share of the 74 schools, by hand from the schools sheet
    rows = c.school_rows[c.school_rows["school_code"].isin(set(c.evaluated_schools["school_code"]))]
    share = rows["training_funds_yuan"] / rows["public_funds_yuan"]
    low = rows.loc[share.idxmin()]
    assert evidence_text(c, items.loc["Q4"]) == (
        f"核查74所学校，均达到要求，最低为{c.school_names[low['school_code']]}（{share.min():.1%}）"
    )
    ratings = rows["moral_education_rating"]
    assert evidence_text(c, items.loc["Q6"]) == (
        f"核查74所学校，均达到要求，最低为Ⅲ级（良好），共{int((ratings == ratings.min()).sum())}所"
    )
    assert "按100名学生核定公用经费：生均基准定额650元，每校不低于65,000元" in evidence_text(
        c, items.loc["G6"]
    )


def test_no_contradictions_between_sections():
    # a failing year whose G/Q/S items all pass says what fell short, not a bare "无" (nor, as the
    # reviewer asked, only "无（未达到要求的是资源配置）"): 4 section-schools below the rule, no coefficient
    c = junheng.county("990121", 2021)
    assert list(tables.history(c).data.iloc[0])[-3:] == ["4", "0", "资源配置：4个学校（学段）未达到校际标准"]
    # "no overlay" is not followed by a list of options that contradicts it
    method = text.method(c)
    assert "未使用地方标准或规则选项" not in method and "未采用省级补充规定" in method
    # two definitions of the rural backbone-teacher gap are named as such
    gap = text.gap(junheng.county("990126", 2024, report_date="2025-03-31"))
    assert "骨干教师（乡村均值为城区的70%）" in gap
    assert "规划目标“乡村学校县级以上骨干教师占比不低于城区学校”" in gap and "口径不同" in gap


def test_a_veto_is_stated_with_the_countys_account_of_it():
    c = junheng.county("990128", 2024, SAMPLE)
    vetoes = tables.vetoes(c).to_html()
    assert "存在" in vetoes and "实验班" in vetoes and "不存在" in vetoes


def test_target_summary_names_the_county():
    c = junheng.county("990126", 2024, SAMPLE)
    assert set(c.target_summary["county_name"]) == {c.name}


def test_coefficients_table_gives_the_change_since_the_previous_year():
    from junheng.report.tables import coefficient_change

    assert coefficient_change(0.4969, 0.4601) == "+0.037" and coefficient_change(0.10, 0.112) == "−0.012"
    assert coefficient_change(0.1, 0.1) == "0.000" and coefficient_change(0.1, None) == fmt.MISSING
    table = tables.coefficients(junheng.county("990122", 2024, SAMPLE), "primary").data
    assert "较2023年" in table.columns and table.loc[5, "较2023年"] == "+0.037"  # R6: 0.460 → 0.497
    first = tables.coefficients(junheng.county("990122", 2021, SAMPLE), "primary").data
    assert not any(str(col).startswith("较") for col in first.columns)  # no earlier year in the data


def test_trend_names_a_coefficient_rising_to_its_limit_and_never_calls_missing_items_met():
    borderline = text.trend(junheng.county("990122", 2024, SAMPLE))
    assert "小学生均教学仪器设备值差异系数由0.460升至0.497（标准不高于0.50），比2023年明显上升" in borderline
    assert "初中生均教学及辅助用房面积差异系数" not in borderline  # rose 0.022, but far below its limit
    incomplete = junheng.county("990125", 2024, SAMPLE)
    trend = text.trend(incomplete)
    assert "各项各年均达到要求" not in trend and "各年均有21项因数据缺失未评估，不能视为达到要求" in trend
    assert tables.history(incomplete).data.iloc[-1, -1] == "无（另有21项数据缺失，未评估）"
    assert "各项各年均达到要求" in text.trend(junheng.county("990102", 2024, SAMPLE))


def test_an_office_with_no_costed_task_shows_no_cost_rather_than_zero():
    # 990128: 义务教育科 leads only the veto (no cost). (990126's 义务教育科, the example before, now has
    # costed tasks: the classrooms of its G5 rows, issue #19.)
    # 教育基建中心: 618 + 883 + 1,238 m² of sports ground × 400 + 169 m² of floor area × 3,500 = 1,687,100
    # (西林明林镇中学, a 完全中学, builds the whole school's 1,238 m², not its junior share's 271:
    # 130.03 before)
    totals = tables.plan_totals(junheng.county("990128", 2024, SAMPLE)).data.set_index("牵头科室")
    assert (
        totals.loc["义务教育科", "一次性投入（万元）"] == "—"
        and totals.loc["教育基建中心", "一次性投入（万元）"] == "168.71"
    )


def test_provenance_names_the_files_read_and_the_fingerprint_on_its_own_line():
    c = junheng.county("990123", 2022, SAMPLE)
    lines = text.provenance(c).split("\n\n")
    assert (
        lines[0].startswith("数据来源：990123\\_2021\\.xlsx、990123\\_2022\\.xlsx") and "2023" not in lines[0]
    )
    assert f"`{c.fingerprint}`" in lines and len(c.fingerprint) == 64
    assert any("plan.yaml" in line for line in lines)  # where the plan's offices and costs come from


ITEM_CODE = re.compile(r"(?<![A-Za-z0-9])(?:R[1-7]|G1[0-5]|G[1-9]|Q[1-9])(?![0-9])|…\d{3,}")


@pytest.mark.parametrize(
    "code,year",
    [
        ("990121", 2021),
        ("990102", 2022),
        ("990122", 2024),
        ("990126", 2023),
        ("990127", 2024),
        ("990128", 2024),
    ],
)
def test_no_item_code_or_code_fragment_in_chinese_prose(code, year):
    # the sentences of the report, the evidence of every item and the plan's texts (tables carry the
    # codes in their own 编号 column); scanned over all 40 sample county-years when this was written
    from junheng.report.evidence import evidence_text

    c = junheng.county(code, year, report_date="2025-03-31")
    pieces = [
        text.profile(c),
        text.verdict(c),
        text.shortfall(c),
        text.trend(c),
        text.plan(c),
        text.targets(c),
        text.gap(c),
        text.prerequisite(c),
        text.borderline(c),
        *text.problem_sentences(c),
        *text.watch_sentences(c),
    ]
    pieces += [text.resource(c, s) + text.contributors(c, s) for s in c.rules.sections]
    pieces += [evidence_text(c, r) for r in c.items.itertuples()]
    pieces += list(c.plan["problem"]) + list(c.plan["measure"]) + list(c.plan["deadline_note"])
    for s in c.rules.sections:  # the missed indicators of a school below the rule, in words
        below = tables.schools_below(c, s)
        pieces += list(below.data.iloc[:, -1]) if below is not None else []
    for piece in pieces:
        assert not ITEM_CODE.search(str(piece)), piece


def test_the_prerequisite_says_whether_the_basic_balance_has_held():
    c = junheng.county("990121", 2024, report_date="2025-03-31")
    comp = c.basic[c.basic["indicator"] == "composite"].set_index("section")["cv"]
    assert text.prerequisite(c) == (
        "本县于2016年通过县域义务教育发展基本均衡国家认定。按2012年基本均衡评估办法测算，2024年综合差异系数"
        f"小学{comp['primary']:.3f}（标准≤0.65），初中{comp['junior']:.3f}（标准≤0.55），均在标准以内，基本均衡成果得到巩固。"
    )


def test_the_plan_table_shows_why_a_deadline_is_what_it_is():
    c = junheng.county("990126", 2024, report_date="2025-06-30")
    cells = tables.plan(c, required=True).data.iloc[:, -1].tolist()
    assert cells[0] == (
        "2025年9月底前（县级目标“全面消除大班额”原定2024年底前完成，已逾期未实现，本期限按工期重定）"
    )


def test_the_cover_sets_the_whole_report_name_as_its_title(pingchuan):
    # issue #17 closing note: in the PDF the title's 2nd and 3rd lines (县域义务教育优质均衡发展 /
    # 督导评估自评报告) fell out of the heading (a Typst heading ends at its source line) and were set
    # small under the county's name; every line now stays in the one level-1 heading
    from junheng.report.blocks import cover
    from junheng.report.render.pdf import html_to_typst

    typst = html_to_typst(cover(pingchuan).html)
    heading = [line for line in typst.splitlines() if line.startswith("= ")]
    assert heading == ["= 平川县2024年#linebreak()县域义务教育优质均衡发展#linebreak()督导评估自评报告"]


def test_a_county_level_city_is_called_a_city_not_a_county():
    """清源市 (990181) is a 市: the report says 本市/全市/市教育局 about it, never 本县/全县/县教育局."""
    from junheng.i18n import t

    assert fmt.county_words("清源市") == {"whole": "全市", "own": "本市", "tier": "市"}
    assert fmt.county_words("某某区") == {"whole": "全区", "own": "本区", "tier": "区"}
    assert fmt.county_words("云岭县") == {"whole": "全县", "own": "本县", "tier": "县"}
    c = junheng.county("990181", 2024, SAMPLE)
    assert c.name == "清源市"
    # it was 本县于2018年…
    assert text.prerequisite(c).startswith("本市于2018年通过县域义务教育发展基本均衡国家认定。")
    assert c.label("captions.shortfall_totals") == "全市需补充的资源合计"
    words = fmt.county_words(c.name)
    assert t("plan.measure.key_schools_school", "zh", school="甲校", **words).endswith(
        "市教育局对全市学校编班情况开展专项检查并纳入学校考核"
    )
    assert (
        t("plan.words.sponsor_pays", "zh", **words)
        == "（民办学校：由举办者投入落实，不列入市级财政预算，市教育局督促整改）"
    )
    plan = c.plan
    said = " ".join(plan["problem"].astype(str)) + " ".join(plan["measure"].astype(str))
    assert "本县" not in said and "全县" not in said and "县教育局" not in said
    # a 县 keeps its words
    assert text.prerequisite(junheng.county("990126", 2024, SAMPLE)).startswith("本县于")


def test_the_english_report_calls_a_county_level_city_a_city():
    """Where the Chinese says 本市/全市/市 (990181 清源市), the English says "the city", not "the county"."""
    from junheng.i18n import t
    from junheng.report.export import plan_sheet

    c = junheng.county("990181", 2024, SAMPLE, lang="en")
    words = fmt.county_words(c.name, "en")
    assert words == {"whole": "city-wide", "own": "the city", "tier": "city"}
    # it was "The county was recognised basic-balanced in 2018."
    assert text.prerequisite(c).startswith("The city was recognised basic-balanced in 2018.")
    params = {
        "section": "Primary",
        "indicator": "R5",
        "mean": "7.5",
        "unit": "m²",
        "cv": "0.6",
        "limit": "0.5",
    }
    assert "the city mean is 0" in t("plan.issue.coefficient_undefined", "en", **params, **words)
    assert "first raise the schools below the city mean (7.5 m²)" in t(
        "plan.measure.coefficient", "en", **params, **words
    )
    assert t("report.evidence.G7_none", "en", whole=c.designation).startswith(
        "No special-education students city-wide:"
    )
    # the plan's summary, its Excel sheet and the unit-cost table (Chinese: 当地)
    assert text.plan(c).endswith("The unit costs are illustrative examples: the city must set its own.")
    assert plan_sheet(c).note.endswith("the city must set its own.")
    assert (
        "Illustrative value (not official data), to be set by the city"
        in tables.unit_costs(c).data.to_numpy().ravel()
    )
    where = plan_sheet(c).frame.iloc[:, 1].tolist()
    assert "city-wide" in where and "County-wide" not in where
    said = text.plan(c) + text.prerequisite(c) + " ".join(map(str, where))
    assert "the county" not in said and "County-wide" not in said
    # a 县 keeps "the county"
    assert text.prerequisite(junheng.county("990126", 2024, SAMPLE, lang="en")).startswith("The county was")


def test_the_veto_table_says_what_showed_a_veto_does_not_apply():
    """The 依据 column of the veto table (表9/10) was empty for every veto that does not apply."""
    c = junheng.county("990126", 2024, SAMPLE)
    rows = tables.vetoes(c).data.values.tolist()
    by_name = {r[0]: r for r in rows}
    assert all(r[1] == "不存在" and r[2] for r in rows)
    assert by_name["设置重点校、重点班"][2] == "县级指标表“存在重点校重点班”填报“否”，未报告该情形"
    # the admission vetoes also give the catchment admission figures (G13): 1,760 of 1,760 primary
    # entrants, 552 of 562 junior entrants (552 / 562 = 98.2%)
    exam = by_name["以考试方式招生"][2]
    assert exam.startswith("县级指标表“存在以考试方式招生”填报“否”，未报告该情形；就近划片入学：")
    assert "小学就近划片入学1,760人，占招生1,760人的100.0%" in exam
    assert "初中就近划片入学552人，占招生562人的98.2%" in exam


def test_the_improvement_table_title_is_true_of_every_row():
    # 990121 2021: 平川康平村小学（三道乡） fails the school rule; its R5 row is required, its other
    # shortfalls are improvements (the required rows make it pass). The old title, "学校已达到校际标准",
    # was false of those rows: the title now says what every row has in common (not needed to pass)
    c = junheng.county("990121", 2021)
    improvements = c.plan[~c.plan["required"]]
    failing = set(c.evaluated_schools.loc[~c.evaluated_schools["school_passed"].astype(bool), "school_code"])
    assert "9901210009" in failing and "9901210009" in set(improvements["school_code"])
    caption = tables.plan(c, required=False).caption
    assert caption == (
        "建议提升的事项（非达标所必需：所列指标低于标准值，但学校已达到或经上表整改即可达到校际标准；"
        "或差异系数接近限值）"
    )
    assert "学校已达到校际标准，" not in caption


def test_the_shortfall_total_is_what_the_whole_schools_add():
    # 990181 2024: every school passes; to meet every threshold the county adds R5 1,537 m² at
    # 清源林平城关小学 and R6 equipment at two schools, whole-school amounts: 344,200 (清源溪林镇初级中学)
    # + 522,300 (清源光光村中学, 完全中学: 2,500 × (621 + 1.2 × 946) − 3,868,200) = 866,500 yuan. At the
    # shipped 400 yuan/m²: 1,537 × 400 + 866,500 = 1,481,300 yuan, 达标测算's full-standard figure (148.13万)
    c = junheng.county("990181", 2024)
    assert text.shortfall(c).endswith(
        "全市还需新建或扩建体育运动场馆1,537平方米、购置教学仪器设备866,500元。"
    )
    assert c.optimal.summary["full_cost"] == 1_481_300
    short = c.shortfalls.set_index(["school_code", "indicator"])["add"]
    assert short[("9901810070", "R6")] == 522_300


def test_every_schools_profile_puts_the_schools_needing_action_first():
    """Review: with --school-profiles the appendix said "每所需要整改或提升的学校一页" above every evaluated
    school's page, in code order. Those needing action come first, and the sentence says so."""
    from junheng.report.profiles import profiles, schools_needing_action

    c = junheng.county("990181", 2024)
    needing = schools_needing_action(c)
    codes = [p.school_code for p in profiles(c, every_school=True)]
    assert codes[: len(needing)] == needing and len(needing) < len(codes)
    assert sorted(codes) == sorted(c.evaluated_schools["school_code"].unique())
    assert [p.school_code for p in profiles(c)] == needing
    assert c.label("profile.intro_every").startswith("每所参评学校一页，需要整改或提升的学校在前")
    source = (Path(__file__).parent.parent / "notebooks" / "county_report.py").read_text(encoding="utf-8")
    assert 'c.label("profile.intro_every" if school_profiles else "profile.intro")' in source
    assert "# 每所需要整改或提升的学校一页" not in source  # no fixed sentence that is untrue of every school


def test_the_english_report_never_calls_a_county_level_city_the_county():
    """Reviewer: 清源市's English said "(To be written by the county)", "the county's text is missing",
    a "County mean" column, "county returns of 清源市" and "when the county has no special-education
    students"; the Chinese (本市/全市, 县域均值 as the standard's term) stays as it is."""
    from junheng.report import issue
    from junheng.report.narrative import section as narrative_section

    c = junheng.county("990181", 2024, SAMPLE, lang="en")
    said = [
        str(narrative_section(c, "基本情况")),
        " ".join(r.message("en") for r in issue.reasons(c)),
        issue.source_line(c),
        text.method(c),
    ]
    headers = [str(h) for h in tables.coefficients(c, "primary").data.columns]
    assert "(To be written by the city) Context: to be supplied." in said[0]
    assert "the city's text is missing: Context" in said[1]
    assert "the school records and city returns of 清源市" in said[2]
    assert "when the city has no special-education students" in said[3]
    assert "City mean" in headers and "County mean" not in headers
    assert not any("the county" in s or "county returns" in s for s in said)
    # a 县 keeps "the county"; the Chinese keeps its words
    k = junheng.county("990126", 2024, SAMPLE, lang="en")
    assert "County mean" in [str(h) for h in tables.coefficients(k, "primary").data.columns]
    assert "when the county has no special-education" in text.method(k)
    z = junheng.county("990181", 2024, SAMPLE)
    assert "县域均值" in [str(h) for h in tables.coefficients(z, "primary").data.columns]
    assert str(narrative_section(z, "基本情况")).startswith("（县级填写）基本情况：待补充。")
    assert issue.source_line(z).startswith("数据来源：清源市2021—2024年义务教育学校基础数据及县级填报数据")


def test_the_english_headings_of_the_notebook_do_not_call_every_county_a_county():
    """Reviewer: "1. The county's schools" and "teacher transfers within the county follow the county's
    plan" were printed for 清源市 too: the fixed English of the notebook names no tier."""
    source = (ROOT / "notebooks" / "county_report.py").read_text(encoding="utf-8")
    english = [cell for cell in source.split("# %%") if 'tags=["lang-en"]' in cell.split("\n", 1)[0]]
    assert english and any("## Overview" in cell for cell in english)
    assert not [cell for cell in english if "the county" in cell.lower()]


def test_english_sentences_have_no_stray_capitals_or_leading_numerals():
    """Reviewer (990181, English): "…(教督〔2017〕6 号), Self-assessment for…" (a capital mid-sentence),
    "The Junior … coefficient of Sports ground…", "The seven Primary coefficients", "city-wide Primary
    largest class", "teachers down 39. 69 schools were evaluated" (read as 39.69), "1 of 14 coefficients
    over their limits" and "NOT YET MET" in the history table."""
    from junheng.report import evidence

    c = junheng.county("990181", 2024, SAMPLE, lang="en")
    verdict = text.verdict(c)
    assert "(教督〔2017〕6号). Self-assessment for 清源市 in 2024:" in verdict
    assert (
        "The junior between-school coefficient of sports ground and gymnasium area per student is 0.470"
        in (verdict)
    )
    assert "from the city's own data" in verdict
    assert text.resource(c, "primary").startswith("The seven primary coefficients range from 0.107")
    assert "; sports ground and gymnasium area per student above the limit of 0.45" in text.resource(
        c, "junior"
    )
    profile_text = text.profile(c)
    assert "teachers down 39. Resource allocation was evaluated in 69 schools" in profile_text
    assert not re.search(r"\. \d", profile_text)  # no sentence starts with a numeral
    g5 = evidence.evidence_text(c, next(r for r in c.items.itertuples() if r.id == "G5"))
    assert "city-wide largest primary class" in g5 and "Primary largest" not in g5
    summary = tables.part_summary(next(r for r in c.parts.itertuples() if r.part == "resource"), "en")
    assert summary.startswith("1 of 14 coefficients over the limit;")
    assert set(tables.history(c).data.iloc[:, 1]) == {"Not yet met"}
    # the Chinese is unchanged
    z = junheng.county("990181", 2024, SAMPLE)
    assert "（教督〔2017〕6号），清源市2024年自评结果为：尚未达到" in text.verdict(z)
    assert "初中生均体育运动场馆面积的校际差异系数为0.470" in text.verdict(z)
    assert set(tables.history(z).data.iloc[:, 1]) == {"尚未达到"}
    assert "全市小学最大班额" in evidence.evidence_text(
        z, next(r for r in z.items.itertuples() if r.id == "G5")
    )


def test_the_history_names_the_coefficient_a_year_failed_on():
    """Reviewer: 表12 历年评估结果 said 无（未达到要求的是资源配置）; it names the coefficient: 990181 fails
    every year on the junior R5 coefficient alone (0 schools below the rule, 1 coefficient over).
    "初中R5差异系数" named no indicator (R5 is one of seven, per section): the cell names the indicator
    whose coefficient is over its limit, with that year's value and the limit (R5: 0.470 > 0.45)."""
    z = junheng.county("990181", 2024, SAMPLE)
    cells = tables.history(z).data.iloc[:, -1].tolist()
    assert cells == ["资源配置：初中生均体育运动场馆面积（R5）差异系数0.470（标准≤0.45）"] * 4
    c = junheng.county("990181", 2024, SAMPLE, lang="en")
    assert (
        tables.history(c).data.iloc[:, -1].tolist()
        == ["Resource allocation: junior sports area (R5) coefficient 0.470 (limit 0.45)"] * 4
    )
    # schools below the rule are counted after the coefficients
    assert tables.resource_shortfall(z, 2024, 2) == (
        "资源配置：初中生均体育运动场馆面积（R5）差异系数0.470（标准≤0.45）、2个学校（学段）未达到校际标准"
    )
    assert tables.resource_shortfall(c, 2024, 1).endswith("(limit 0.45), 1 school below the per-school rule")


def test_english_coefficient_tables_use_the_short_indicator_names():
    """Reviewer: English Tables 3 and 4 set "R1 Teachers above required qualification per 100 students"
    a word a line; they give the short name beside its unit, as Table 10 does. The Chinese keeps its own."""
    c = junheng.county("990181", 2024, SAMPLE, lang="en")
    names = tables.coefficients(c, "primary").data.iloc[:, 0].tolist()
    assert names[0] == "R1 Qualified teachers" and names[4] == "R5 Sports area"
    z = junheng.county("990181", 2024, SAMPLE)
    assert tables.coefficients(z, "primary").data.iloc[0, 0] == "R1 每百名学生拥有高于规定学历教师数"


def test_an_english_school_profile_names_the_citys_mean_with_no_placeholder_left():
    """Lead's check of the integrated report: the profile table's header read "{Tier} mean" in English
    (the template asked for the label without the county's words)."""
    from junheng.report.profiles import profiles

    c = junheng.county("990181", 2024, SAMPLE, lang="en")
    html = "".join(p.html for p in profiles(c, every_school=True))
    assert "City mean" in html
    assert not re.search(r"\{[A-Za-z_]+\}", html)
    zh = junheng.county("990181", 2024, SAMPLE)
    assert "县域均值" in profiles(zh)[0].html
