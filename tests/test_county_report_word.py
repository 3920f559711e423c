"""The final report of a county that co-writes it (issue #17): its text in HTML, PDF and Word in the
places a real 自评报告 has them, no software internals, and a Word document in 公文 styles."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from junheng.report.run import report

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"

docx = pytest.importorskip("docx")


@pytest.fixture(scope="module")
def final(tmp_path_factory):
    out = tmp_path_factory.mktemp("final")
    written = report("990126", 2024, SAMPLE, ("html", "pdf", "docx", "xlsx"), out_dir=out, final=True)
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(written["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    document = docx.Document(str(written["docx"]))
    word = "\n".join(p.text for p in document.paragraphs)
    html = written["html"].read_text(encoding="utf-8")
    return written, pdf, document, word, html


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def in_order(text: str, *parts) -> bool:
    """Each part occurs after the one before it (the first occurrence after it)."""
    position = 0
    for part in parts:
        position = text.find(part, position)
        if position < 0:
            return False
        position += len(part)
    return True


def test_the_county_text_is_where_a_real_report_has_it(final):
    _, pdf, _, word, html = final
    for shown in (squeeze(pdf), squeeze(word), squeeze(re.sub(r"<[^>]+>", "", html))):
        assert in_order(
            shown,
            "一、基本情况",
            "云岭县地处示例省西南部山区",
            "二、主要做法与成效",
            "（一）强化组织领导",
            "三、总体结论",
        ), shown[:400]
        assert in_order(shown, "七、社会认可度与一票否决", "问卷调查方式", "委托第三方机构", "八、城乡差距")
        assert in_order(
            shown,
            "存在问题与整改建议",
            "问题原因",
            "城镇化进程加快",
            "下一步工作打算",
            "2025年秋季学期前完成",
            "云岭县人民政府教育督导室",
            "（盖章）",
            "附录一",
        )
        assert in_order(shown, "佐证材料清单", "G5小学、初中所有班级学生数", "消除大班额专项工作方案")
        assert "待补充" not in shown and "草稿" not in shown
        # a cited value, rendered from the data
        assert "小学生均教学及辅助用房面积的差异系数为0.142" in shown


def test_a_final_report_shows_no_file_version_digest_or_path(final):
    written, pdf, _, word, html = final
    doc = json.loads(written["json"].read_text(encoding="utf-8"))
    assert doc["final"] is True and doc["draft_reasons"] == [] and len(doc["fingerprint"]) == 64
    for text in (pdf, word):
        assert doc["fingerprint"] not in text and doc["fingerprint"][:16] not in squeeze(text)
        assert not re.search(r"\w\.(xlsx|yaml|md|ipynb|json)\b", text), re.search(
            r".{20}\.(xlsx|yaml|md)", text
        )
        assert "/tmp" not in text and "/work" not in text and "data/sample" not in text
        assert doc["generator"] not in text and not re.search(r"junheng \d", text)
        assert "数据来源：云岭县2021—2024年义务教育学校基础数据及县级填报数据（80所学校）。" in squeeze(text)
    # the web page keeps them as metadata, not as text
    assert f'<meta name="junheng:fingerprint" content="{doc["fingerprint"]}">' in html
    assert "990126_2024.xlsx" in re.search(r'<meta name="junheng:files" content="([^"]*)"', html).group(1)


def test_the_cover_has_the_document_number_title_and_issuer(final):
    _, pdf, document, _, _ = final
    assert in_order(
        squeeze(pdf),
        "云教督〔2025〕3号",
        "示例省示例市云岭县2024年",
        "云岭县人民政府教育督导室",
        "2025年3月31日",
    )
    cover = [(p.style.name, p.text) for p in document.paragraphs[:8]]
    assert ("Document Number", "云教督〔2025〕3号") in cover
    assert any(style == "Title" and text.startswith("示例省示例市云岭县2024年") for style, text in cover)


def test_the_word_document_has_the_headings_tables_and_charts_of_the_pdf(final):
    written, pdf, document, _, html = final
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    contents = re.findall(
        r"^((?:[一二三四五六七八九十]+|附录[一二三四五六七八九十]+)、[^.\n]+?)\s*\.", pdf, re.M
    )
    assert [squeeze(h) for h in headings] == [squeeze(h) for h in contents] and len(headings) >= 15
    body = html.split("<main>", 1)[1]
    assert (
        len(document.tables) == body.count("<table") - body.count('<table class="meta"') + 1
    )  # the cover's too
    assert len(document.inline_shapes) == body.count('class="chart"') >= 5
    captions = [p.text for p in document.paragraphs if p.style.name == "Table Caption"]
    assert captions[0].startswith("表1　") and all(c.startswith("表") for c in captions)


def test_the_word_document_is_laid_out_as_an_official_document(final):
    from docx.oxml.ns import qn
    from docx.shared import Mm

    _, _, document, _, _ = final
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    assert round(section.top_margin / Mm(1)) == 37 and round(section.left_margin / Mm(1)) == 28

    def east_asian(name):
        return document.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    assert (east_asian("Heading 2"), east_asian("Heading 3"), east_asian("Body Text")) == (
        "黑体",
        "楷体",
        "仿宋",
    )
    assert document.styles["Body Text"].font.size.pt == 16 and document.styles["Title"].font.size.pt == 22
    assert "PAGE" in section.footer._element.xml
    for table in document.tables:  # the header row repeats on every page
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    body_styles = {p.style.name for p in document.paragraphs if "县委、县政府把义务教育" in p.text}
    assert body_styles <= {"Body Text", "First Paragraph"}
