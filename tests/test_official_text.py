"""What officials read (f4): the published method note, the plan's summary and the data findings say
things in plain official language, with no software, file or program-setting names (STANDARDS S)."""

import re
from pathlib import Path

import pytest

import junheng
from junheng.report import text
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
        "达标测算：经测算，以下为费用最低的方案。最低总费用287.16万元（经常性支出按5年计）"
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
