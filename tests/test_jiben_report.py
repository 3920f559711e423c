"""The basic-balance report (jiben-2012, STANDARDS.md R; docs/method.md §5) through the real notebook.

One end-to-end run of the county report notebook for 990123/2024 under the 2012 rules, checked against
``junheng evaluate --rules jiben-2012 --json``; then one unit test for each fix that made the report run
and read as a 基本均衡 report (values computed by hand or read from the engine).
"""

import functools
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

import junheng
from junheng.report import tables, text
from junheng.report.render.publish import META_MIMETYPE, publishable
from junheng.report.run import report

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
# what only the 2017 rules judge: a 2012 report must not show these sections or words (R, G, Q, S)
YOUZHI_ONLY = (
    "政府保障程度",
    "教育质量",
    "社会认可度",
    "一校一策",
    "达标测算",
    "校际标准",
    "7项指标",
    "优质均衡",
)


@functools.cache
def engine_json(code: str, year: int) -> dict:
    """``junheng evaluate --rules jiben-2012 --json`` of the sample data, run as a user runs it (once
    per county-year: the end-to-end test and the `composites` fixture both read 990123/2024's)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-m", "junheng.cli", "evaluate", str(SAMPLE), "--rules", "jiben-2012"]
        + ["--county", code, "--year", str(year), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return json.loads(out)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_jiben_report_runs_the_notebook_and_shows_the_engines_verdict_and_coefficients(tmp_path):
    written = report("990123", 2024, rules="jiben-2012", formats=("html", "pdf"), out_dir=tmp_path)
    engine = engine_json("990123", 2024)
    pdf = subprocess.run(["pdftotext", str(written["pdf"]), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", pdf)
    page = written["html"].read_text(encoding="utf-8")
    html = re.sub(r"<[^>]+>", "", re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S))  # its text
    # the verdict: the engine's, in the words of the 2012 rules (R)
    assert engine["status"] == "passed"
    assert json.loads(written["json"].read_text(encoding="utf-8"))["status"] == engine["status"]
    assert "达到基本均衡要求" in flat
    assert "石门县2024年小学、初中综合差异系数均不高于标准" in flat
    # every coefficient of both sections and each composite, as the engine computed them
    cv = engine["parts"]["resource"]["cv"]
    for section, values in cv.items():
        assert len(values) == 9  # eight indicators and their composite (R)
        for value in values.values():
            assert f"{value:.3f}" in flat, (section, value)
    assert f"{cv['primary']['composite']:.3f}（≤0.65）" in flat
    assert f"{cv['junior']['composite']:.3f}（≤0.55）" in flat
    # each section's sentence: range of its eight coefficients, the composite against its limit
    low = min(v for k, v in cv["primary"].items() if k != "composite")
    high = max(v for k, v in cv["primary"].items() if k != "composite")
    assert (
        f"小学8项指标的校际差异系数在{low:.3f}至{high:.3f}之间，综合差异系数为"
        f"{cv['primary']['composite']:.3f}，不高于0.65的标准。"
    ) in flat
    # the sections of the 2017 rules are left out, not shown empty
    for words in YOUZHI_ONLY:
        assert words not in flat, words
        assert words not in html, words
    assert "县域义务教育均衡发展督导评估" in flat  # the cover's kicker


# -- unit tests, one per fix -------------------------------------------------------------------------
def _notebook(rules):
    meta = {"title": "测试报告", "lang": "zh", **({"rules": rules} if rules else {})}
    cover = nbformat.v4.new_code_cell("c.cover()", metadata={"tags": ["remove-input"]})
    cover.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<p>封面</p>", META_MIMETYPE: meta})
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cover,
        nbformat.v4.new_markdown_cell("## 共同", metadata={"tags": []}),
        nbformat.v4.new_markdown_cell("## 政府保障程度", metadata={"tags": ["rules-youzhi-2017"]}),
        nbformat.v4.new_markdown_cell(
            "## 2012年办法说明", metadata={"tags": ["lang-zh", "rules-jiben-2012"]}
        ),
    ]
    return nb


def _published_markdown(nb):
    return [cell.source for cell in publishable(nb).nb.cells if cell.cell_type == "markdown"]


def test_a_rules_tag_publishes_a_cell_only_under_that_rule_set():
    assert _published_markdown(_notebook("jiben-2012")) == ["## 共同", "## 2012年办法说明"]
    assert _published_markdown(_notebook("youzhi-2017")) == ["## 共同", "## 政府保障程度"]
    # a notebook that does not say its rules (a researcher's own) publishes every cell
    assert _published_markdown(_notebook(None)) == ["## 共同", "## 政府保障程度", "## 2012年办法说明"]


def _basic(composite=0.2, limit=0.65, passed=True):
    rows = [
        {
            "section": "primary",
            "indicator": "B1",
            "cv": 0.1,
            "status": "ok",
            "limit": math.nan,
            "passed": pd.NA,
        },
        {
            "section": "primary",
            "indicator": "B2",
            "cv": 0.3,
            "status": "ok",
            "limit": math.nan,
            "passed": pd.NA,
        },
        {"section": "primary", "indicator": "composite", "cv": composite, "status": "ok", "limit": limit},
        {
            "section": "junior",
            "indicator": "B1",
            "cv": 0.9,
            "status": "ok",
            "limit": math.nan,
            "passed": pd.NA,
        },
    ]
    frame = pd.DataFrame(rows)
    frame.loc[2, "passed"] = passed
    names = {"primary": {"zh": "小学", "en": "primary"}}
    return lambda lang: SimpleNamespace(lang=lang, basic=frame, section_name=lambda s: names[s][lang])


def test_a_sections_text_states_its_coefficients_and_the_engines_verdict_on_the_composite():
    # B1 0.1 and B2 0.3 (the junior row is another section's); composite 0.2 within 0.65 (R)
    assert text.basic_section(_basic()("zh"), "primary") == (
        "小学2项指标的校际差异系数在0.100至0.300之间，综合差异系数为0.200，不高于0.65的标准。"
    )
    assert text.basic_section(_basic()("en"), "primary") == (
        "The 2 primary coefficients range from 0.100 to 0.300; "
        "their composite is 0.200, within the limit of 0.65."
    )
    # the verdict is the engine's (passed False), never judged again from the numbers
    assert text.basic_section(_basic(0.7, 0.65, False)("zh"), "primary").endswith(
        "综合差异系数为0.700，高于0.65的标准。"
    )


@pytest.fixture(scope="module")
def jiben():
    return junheng.county("990123", 2024, "", "jiben-2012", [], "zh")


@pytest.fixture(scope="module")
def composites():
    """Section → composite per year, as ``junheng evaluate --rules jiben-2012 --json`` gives them."""
    return {
        year: {s: v["composite"] for s, v in engine_json("990123", year)["parts"]["resource"]["cv"].items()}
        for year in (2021, 2024)
    }


def test_the_trend_follows_each_sections_composite_not_a_school_rule(jiben, composites):
    a, b = composites[2021], composites[2024]
    assert text.trend(jiben) == (
        "2021年至2024年，各年自评结果均为“达到”。资源配置方面，"
        f"小学综合差异系数由{a['primary']:.3f}（2021年）变为{b['primary']:.3f}（2024年）；"
        f"初中综合差异系数由{a['junior']:.3f}（2021年）变为{b['junior']:.3f}（2024年）。"
    )


def test_the_history_table_gives_each_years_composites(jiben, composites):
    data = tables.history(jiben).data
    assert list(data.columns) == ["年度", "结论", "小学综合差异系数", "初中综合差异系数"]
    first = data.iloc[0].tolist()
    assert first[0] == "2021"
    assert first[2:] == [f"{composites[2021]['primary']:.3f}", f"{composites[2021]['junior']:.3f}"]


def test_the_school_list_says_evaluated_not_met_without_a_school_rule(jiben):
    data = tables.schools(jiben).data
    column = "参评情况"
    assert column in data.columns and "资源配置结果" not in data.columns
    shown = set(data[column])
    assert "参评" in shown and "达标" not in shown and "未达标" not in shown
    # as many 参评 rows as section-schools evaluated
    assert (data[column] == "参评").sum() == jiben.counts["section_schools"]


def test_the_method_text_and_cover_speak_of_the_2012_rules(jiben):
    method = text.method(jiben)
    assert "不参加差异系数计算，列为不参评学校" in method
    assert "G9" not in method and "数据缺失，未评估" not in method
    cover = jiben.cover()
    assert "县域义务教育均衡发展督导评估" in cover.html and "优质均衡" not in cover.html
    assert cover.meta["rules"] == "jiben-2012"


def test_the_json_of_a_jiben_report_is_strict_with_null_for_no_limit(jiben, tmp_path):
    path = jiben.to_json(tmp_path / "r.json")

    def refuse(name):
        raise AssertionError(name)

    doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)
    assert doc["status"] == "passed"


def test_a_countys_text_written_with_youzhi_ids_renders_in_a_jiben_report():
    # 990102's text cites coefficient.primary.R4 and mean.primary.R1 (youzhi-2017 ids): under jiben-2012
    # R4 (teaching space per student) is B1, R1 (qualified teachers per 100 students) is B7 × 100
    from junheng.report import narrative

    c = junheng.county("990102", 2024, "", "jiben-2012", [], "zh")
    cited = narrative.values(c)
    b = c.coefficients.set_index(["section", "indicator"])
    assert cited["coefficient"]["primary"]["R4"] == round(b.loc[("primary", "B1"), "cv"], 3)
    assert cited["mean"]["primary"]["R1"] == round(b.loc[("primary", "B7"), "mean"] * 100, 2)
    said = str(c.narrative("主要做法与成效"))
    assert f"小学生均教学及辅助用房面积的差异系数为{cited['coefficient']['primary']['R4']}" in said


def test_an_evidence_list_by_youzhi_items_is_not_shown_in_a_jiben_report():
    # 990102's 佐证材料清单 lists documents under ### G1, ### G5, ### G11 (youzhi-2017 items): a jiben-2012
    # report keeps a subsection of its own ids (B1) and leaves the others out; with none left, the
    # section is the county's to write (the placeholder of a draft), not an error
    from junheng.report import narrative

    text = "### G1\n\n- 布局规划\n\n### B1\n\n- 校舍台账\n\n### G5\n\n- 班额统计表"
    assert narrative._without_items(text, {"G1", "G5", "G11"}) == "### B1\n\n- 校舍台账"
    c = junheng.county("990102", 2024, "", "jiben-2012", [], "zh")
    assert str(c.narrative("佐证材料清单")) == "（县级填写）佐证材料清单：待补充。"
    assert {"G1", "Q9", "S", "R4"} <= narrative._other_rules_items(c)


def test_a_jiben_draft_does_not_ask_for_the_texts_it_does_not_show(jiben):
    # 990123 has written none of its six texts; a jiben-2012 report shows no survey method (S) and no
    # causes of problems (the plan): four are asked for
    from junheng.report import issue

    (missing,) = [r for r in issue.reasons(jiben) if r.key == "missing_text"]
    assert dict(missing.params)["sections"] == "基本情况、主要做法与成效、下一步工作打算、佐证材料清单"


def test_the_coefficient_chart_of_a_jiben_report_does_not_claim_limits(jiben):
    # the eight coefficients have no limit of their own under jiben-2012 (R): the caption says so
    from junheng.report import charts
    from junheng.report.charts import CAPTION_ATTR

    fig = charts.coefficients(jiben.coefficients, "zh")
    assert getattr(fig, CAPTION_ATTR) == "各项指标的校际差异系数"
