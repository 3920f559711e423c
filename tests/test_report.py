"""The county report (issue #4): rendered through papermill like a user runs it, then read back
as a reader would (PDF text and fonts, HTML markup, Excel cells)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from builders import recode_sample
from openpyxl import load_workbook

import junheng
from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
from junheng.report import run as run_module
from junheng.report import tables, text
from junheng.report.run import report

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
EXECUTED: dict = {}  # the notebook `rendered` executed, for the tests that publish it again
EVIL = "<script>alert('x')</script>小学"
FORMULA = '=HYPERLINK("http://example.invalid")'


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """990102 of 2024 moved to county code 012345 (leading zero), with two hostile school names."""
    tmp = tmp_path_factory.mktemp("report")
    data = recode_sample(SAMPLE / "990102_2024.xlsx", tmp / "data", rename={1: EVIL, 2: FORMULA})
    out = tmp / "reports"
    real = run_module.render_outputs
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_module, "render_outputs", lambda nb, *a: EXECUTED.update(nb=nb) or real(nb, *a))
        written = report("012345", 2024, data=data, formats=("html", "pdf", "xlsx"), out_dir=out)
    engine = evaluate(load(data)).county("012345", 2024)
    return written, engine


def test_outputs_written(rendered):
    written, _ = rendered
    assert {"html", "pdf", "xlsx", "json"} <= set(written)
    assert all(p.exists() and p.stat().st_size > 1000 for p in written.values())
    assert not list(written["html"].parent.glob(".*.tmp"))  # atomic writes leave nothing behind


def test_leading_zero_code_survives_papermill(rendered):
    written, _ = rendered
    doc = json.loads(written["json"].read_text(encoding="utf-8"))
    assert doc["county_code"] == "012345"
    assert "012345" in written["html"].read_text(encoding="utf-8")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_pdf_text_has_county_and_engine_coefficients(rendered):
    written, engine = rendered
    text = subprocess.run(
        ["pdftotext", "-layout", str(written["pdf"]), "-"], capture_output=True, text=True
    ).stdout
    assert engine.county_name in text and "明湖区" in text
    cv = engine.coefficients
    for value in cv["cv"].dropna():
        assert f"{value:.3f}" in text
    pages = subprocess.run(["pdfinfo", str(written["pdf"])], capture_output=True, text=True).stdout
    n_pages = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    assert f"第 2 页 / 共 {n_pages} 页" in text  # page numbers


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_pdf_school_list_prints_each_reason_on_the_schools_line(rendered):
    """Officials, 990181 附录二: the 原因 of a school set aside printed one character a line. The list
    is on landscape pages with its heading (as the 附表): the reason reads on the school's line."""
    written, _ = rendered
    text = subprocess.run(
        ["pdftotext", "-layout", str(written["pdf"]), "-"], capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    listed = [i for i, p in enumerate(pages, 1) if "附录二、学校名单" in p and "学校标识码" in p]
    assert listed and all("资源配置结果" in pages[i - 1] and "原因" in pages[i - 1] for i in listed)
    # the special-education school of 990102 is set aside, with its reason beside its name
    row = next(
        line
        for i in listed
        for line in pages[i - 1].splitlines()
        if "特殊教育学校" in line and "不参评" in line
    )
    assert re.sub(r"\s", "", row).endswith("特殊教育学校不参加资源配置评估（用于G7）")
    # on landscape pages, from the one with its heading on
    info = subprocess.run(
        ["pdfinfo", "-f", str(listed[0]), "-l", str(listed[-1]), str(written["pdf"])],
        capture_output=True,
        text=True,
    ).stdout
    sizes = [tuple(map(float, m)) for m in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", info)]
    assert len(sizes) == len(listed) and all(width > height for width, height in sizes)
    assert "附录二、学校名单" in map(str.strip, pages[listed[0] - 1].splitlines())  # its heading with it


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing")
def test_pdf_embeds_a_cjk_font(rendered):
    written, _ = rendered
    fonts = subprocess.run(["pdffonts", str(written["pdf"])], capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk)


def test_html_is_self_contained(rendered):
    written, _ = rendered
    html = written["html"].read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert not re.search(r"<(script|link|iframe)\b[^>]*\b(src|href)=", html)
    assert not re.search(r'\b(src|href)="(https?:)?//', html)
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert 'src="data:image/svg+xml;base64,' in html
    assert "In&nbsp;[" not in html and "jp-InputArea" not in html  # no code cells or prompts


def test_the_page_is_nbconverts_without_printing_it_twice(rendered):
    """nbconvert's HTMLExporter parses its page with BeautifulSoup and prints it again (an ``alt`` for
    images without one, ``tabindex`` on JupyterLab's cells): most of a page's CPU, for markup the
    report's template never writes. The page skips it, and reads the same to a parser, with the
    hostile school names, the tables, the charts' ``alt`` and the headings' references."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from junheng.report.render.html import ReportHTMLExporter, page

    class Reprinted(ReportHTMLExporter):  # the page as nbconvert's HTMLExporter printed it
        def _template_html(self, nb, resources):
            return HTMLExporter.from_notebook_node(self, nb, resources)

    nb, links = EXECUTED["nb"], [("pdf", "x.pdf")]
    ours, reprinted = page(ReportHTMLExporter().body(nb), links), page(Reprinted().body(nb), links)
    assert ours != reprinted  # not printed twice...
    assert str(BeautifulSoup(ours, "html.parser")) == str(BeautifulSoup(reprinted, "html.parser"))


def test_user_text_is_escaped(rendered):
    written, _ = rendered
    html = written["html"].read_text(encoding="utf-8")
    assert re.search(r"&lt;script&gt;alert\((&#x27;|')x(&#x27;|')\)&lt;/script&gt;小学", html)
    assert "<script>alert" not in html and "<script" not in html


def test_excel_never_turns_user_text_into_formulas(rendered):
    written, _ = rendered
    wb = load_workbook(written["xlsx"])
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)
    assert {"差异系数", "学校指标", "补短板清单", "学校名单"} <= set(wb.sheetnames)


def test_narrative_numbers_equal_the_engines(rendered):
    written, engine = rendered
    html = written["html"].read_text(encoding="utf-8")
    doc = engine.to_dict()
    n_schools = doc["parts"]["resource"]["accounting"]["input_schools"]
    assert f"2024年共有义务教育阶段学校{n_schools}所" in html
    primary = engine.coefficients[engine.coefficients["section"] == "primary"]["cv"]
    assert (
        f"小学7项指标的校际差异系数在{primary.min():.3f}至{primary.max():.3f}之间，均不高于0.50的标准" in html
    )
    n_eval = sum(1 for s in doc["parts"]["resource"]["schools"] if s["section"] == "primary")
    assert f"参评的{n_eval}所学校均达到校际标准" in html


def test_every_school_in_the_appendix(rendered):
    written, engine = rendered
    html = written["html"].read_text(encoding="utf-8")
    appendix = html[html.index("celltag_appendix") :]
    for code in engine.ev.dataset.schools["school_code"]:
        assert code in appendix


def prose(code, year, lang="zh"):
    c = junheng.county(code, year, SAMPLE, lang=lang)
    return c, text.verdict(c)


def test_passing_and_failing_counties_read_differently():
    passed, text_pass = prose("990102", 2024)
    failed, text_fail = prose("990181", 2024)
    assert "自评结果为：达到县域义务教育优质均衡发展要求" in text_pass and "尚未达到" not in text_pass
    assert "自评结果为：尚未达到县域义务教育优质均衡发展要求" in text_fail
    r5 = failed.coefficients
    r5 = r5[(r5["section"] == "junior") & (r5["indicator"] == "R5")].iloc[0]
    assert f"初中生均体育运动场馆面积的校际差异系数为{r5['cv']:.3f}，高于0.45的标准" in text_fail


def test_incomplete_and_survey_stories_in_prose():
    _, verdict = prose("990125", 2024)
    assert "所需数据未提供，无法评估，暂不能作出是否达到优质均衡发展要求的结论" in verdict
    c, verdict = prose("990124", 2024)
    s = c.items[c.items["id"] == "S"].iloc[0]
    assert f"社会认可度未达到要求：有效问卷805份，认可度{s['value']:.1%}，低于85%的标准" in verdict
    assert "认可度最低的是其他群众（80.4%）" in verdict and s["status"] == "fail"


def test_english_report_labels():
    c, verdict = prose("990102", 2024, "en")
    assert "high-quality balanced development is reached" in verdict
    assert "资源配置" not in tables.coefficients(c, "primary").to_html()


def test_report_for_a_county_not_in_the_data_says_so_before_a_kernel_starts(tmp_path, capsys):
    from junheng.cli import main

    assert (
        main(["report", "--county", "990105", "--year", "2024", "--formats", "html", "--out", str(tmp_path)])
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("数据 ") and "中没有县级代码 990105" in err
    assert "990126 云岭县（2021–2024）" in err  # the counties that are there, with their years
    assert "Traceback" not in err and not (tmp_path / "failed").exists()
    assert main(["report", "--county", "990126", "--year", "2030", "--out", str(tmp_path)]) == 2
    assert "没有 990126（云岭县）2030年的数据。现有年度：2021–2024" in capsys.readouterr().err


def test_a_failing_cell_is_named_as_jupyterlab_shows_it():
    from papermill.exceptions import PapermillExecutionError

    from junheng.report.run import describe_failure

    exc = PapermillExecutionError(
        cell_index=4,
        exec_count=3,
        source="c = junheng.county(county_code, year)\nc.cover()",
        ename="LookupError",
        evalue="数据中没有990105（2024年）的学校。",
        traceback=[],
    )
    assert describe_failure(exc) == (
        "单元格 In [3]（c = junheng.county(county_code, year)）出错："
        "LookupError: 数据中没有990105（2024年）的学校。"
    )
    assert describe_failure(exc, "en").startswith(
        "cell In [3] (c = junheng.county(county_code, year)) failed: "
    )


def test_report_date_and_issuer_reach_the_cover_and_the_plan(tmp_path, capsys):
    from junheng.cli import main

    args = ["report", "--county", "990126", "--year", "2024", "--formats", "html", "--out", str(tmp_path)]
    assert main([*args, "--report-date", "2025-13-01"]) == 2
    assert "报告日期“2025-13-01”无效" in capsys.readouterr().err
    assert main([*args, "--report-date", "2026-10-08", "--issuer", "云岭县人民政府教育督导室"]) == 0
    page = (tmp_path / "990126_2024.html").read_text(encoding="utf-8")
    assert "2026年10月8日" in page and "云岭县人民政府教育督导室" in page
    # deadlines move past the report date: G5's "next September" after October 2026 is 2027-09
    assert "2027年9月底前" in page
