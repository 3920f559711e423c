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
        # review: a （一） with no （二） put the tables under the narrative's heading
        assert in_order(
            shown,
            "七、社会认可度与一票否决",
            "（一）问卷调查方式",
            "（二）调查结果",
            "社会认可度评估结果",
            "（三）一票否决与基本均衡前提",
            "一票否决情形",
            "八、城乡差距",
        )
        assert in_order(shown, "存在问题与整改建议", "（一）问题原因", "（二）整改措施", "下一步工作打算")
        assert in_order(
            shown,
            "存在问题与整改建议",
            "问题原因",
            "学生向城区和镇区学校集中",
            "下一步工作打算",
            "2025年秋季学期起",
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


# --- the Word document as the county edits it: 三线表, caption fields, fields refreshed, charts ---------


def _captioned(document, caption: str):
    """The table whose caption paragraph (style Table Caption) reads ``caption``."""
    from docx.oxml.ns import qn

    for table in document.tables:
        before = table._tbl.getprevious()
        while before is not None and before.tag == qn("w:bookmarkStart"):
            before = before.getprevious()
        if before is not None and "".join(t.text or "" for t in before.iter(qn("w:t"))) == caption:
            return table
    raise AssertionError(caption)


def test_word_tables_are_three_line_tables_with_a_bold_shaded_header(final):
    from docx.oxml.ns import qn

    _, _, document, _, _ = final
    table = _captioned(document, "表1　2024年义务教育学校基本情况")
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    rule = {edge: borders.find(qn(f"w:{edge}")) for edge in ("top", "bottom", "insideH", "insideV", "left")}
    # top and bottom 1.5 pt (12 eighths), no inner or side lines
    assert [(rule[e].get(qn("w:val")), rule[e].get(qn("w:sz"))) for e in ("top", "bottom")] == [
        ("single", "12")
    ] * 2
    assert {rule[e].get(qn("w:val")) for e in ("insideH", "insideV", "left")} == {"nil"}
    header = table.rows[0]
    assert [c.text for c in header.cells][:3] == ["类型", "学校数", "在校生（人）"]
    for cell in header.cells:
        tc_pr = cell._tc.tcPr
        bottom = tc_pr.find(qn("w:tcBorders")).find(qn("w:bottom"))
        assert (bottom.get(qn("w:val")), bottom.get(qn("w:sz"))) == (
            "single",
            "6",
        )  # 0.75 pt under the header
        assert tc_pr.find(qn("w:shd")).get(qn("w:fill")) == "F2F2F2"
        assert cell.paragraphs[0].runs and all(run.bold for run in cell.paragraphs[0].runs)
    assert not any(run.bold for run in table.rows[1].cells[1].paragraphs[0].runs)
    # every captioned table is one, the cover's facts (no header row) are not shaded
    for table in document.tables[1:]:
        assert table._tbl.tblPr.find(qn("w:tblBorders")) is not None
    cover = document.tables[0]._tbl
    assert "w:shd" not in cover.xml
    assert {b.get(qn("w:val")) for b in cover.tblPr.find(qn("w:tblBorders"))} == {"nil"}
    # the table style is a 三线表 too: a table the county inserts in Word looks the same
    style = document.styles["Table"].element
    assert style.find(qn("w:tblPr")).find(qn("w:tblBorders")).find(qn("w:top")).get(qn("w:sz")) == "12"
    (first_row,) = [p for p in style.findall(qn("w:tblStylePr")) if p.get(qn("w:type")) == "firstRow"]
    assert first_row.find(qn("w:rPr")).find(qn("w:b")) is not None
    assert first_row.find(qn("w:tcPr")).find(qn("w:shd")).get(qn("w:fill")) == "F2F2F2"
    # the table's alt text is its caption, the number included
    first = _captioned(document, "表1　2024年义务教育学校基本情况")
    assert first._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) == "表1　2024年义务教育学校基本情况"


def test_word_number_cells_are_right_aligned_and_an_unmet_status_is_bold_red(final):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _, _, document, _, _ = final
    table = _captioned(document, "表1　2024年义务教育学校基本情况")
    row = table.rows[1]
    assert [c.text for c in row.cells[:3]] == [
        "小学",
        "28",
        "19,446",
    ]  # the sample county's 2024 primary schools
    assert row.cells[0].paragraphs[0].alignment is None  # text stays left
    assert row.cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[0].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT  # its column's header
    results = _captioned(document, "表2　各方面评估结果")
    status = {r.cells[0].text: r.cells[1] for r in results.rows[1:]}
    (unmet,) = status["政府保障程度"].paragraphs[0].runs
    assert unmet.text == "未达标" and unmet.bold and unmet.style.name == "Status Fail"
    assert str(unmet.style.font.color.rgb) == "C00000" and unmet.style.font.bold
    (met,) = status["资源配置"].paragraphs[0].runs
    assert met.text == "达标" and not met.bold and met.style.name != "Status Fail"


def _seq_numbers(paragraph, label: str) -> list[str]:
    """The cached results of the SEQ ``label`` fields of ``paragraph``."""
    from docx.oxml.ns import qn

    numbers, inside, armed = [], False, False
    for run in paragraph._p.iter(qn("w:r")):
        kind = run.find(qn("w:fldChar"))
        instr = run.find(qn("w:instrText"))
        if kind is not None:
            state = kind.get(qn("w:fldCharType"))
            inside = state == "separate" and armed
            if state == "end":
                armed = False
        elif instr is not None:
            armed = instr.text.split()[:2] == ["SEQ", label]
        elif inside:
            numbers.append("".join(t.text for t in run.iter(qn("w:t"))))
    return numbers


def test_word_captions_number_tables_and_figures_with_seq_fields(final):
    import pypandoc
    from docx.oxml.ns import qn

    written, _, document, _, html = final
    for style, label in (("Table Caption", "表"), ("Image Caption", "图")):
        captions = [p for p in document.paragraphs if p.style.name == style]
        assert len(captions) >= 5
        # one SEQ field each, its cached result the number the HTML shows (1, 2, 3, … in order)
        assert [_seq_numbers(p, label) for p in captions] == [[str(n)] for n in range(1, len(captions) + 1)]
        for n, paragraph in enumerate(captions, 1):
            assert paragraph.text.startswith(f"{label}{n}　")
            assert f"{label}{n}　" in html
            instr = "".join(i.text for i in paragraph._p.iter(qn("w:instrText")))
            assert instr == f" SEQ {label} \\* ARABIC "
    assert document.paragraphs and not any("SEQ" in p.text for p in document.paragraphs)

    def east_asian(name):
        return document.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    assert east_asian("Table Caption") == east_asian("Image Caption") == "黑体"
    # upright, not the italic of pandoc's Caption style they are based on
    assert document.styles["Table Caption"].font.italic is False
    assert document.styles["Image Caption"].font.italic is False
    text = pypandoc.convert_file(str(written["docx"]), "plain")
    assert "表1　2024年义务教育学校基本情况" in text and "图1　差异系数与标准" in text


def test_word_refreshes_fields_on_opening_and_keeps_the_contents_hint(final):
    from docx.oxml.ns import qn

    _, _, document, word, _ = final
    flag = document.settings.element.find(qn("w:updateFields"))
    assert flag is not None and flag.get(qn("w:val")) == "true"
    assert "（在此处右键选择“更新域”生成目录）" in word
    assert " TOC " in document.element.xml


def test_word_charts_fill_the_text_width_with_their_caption_as_alt_text(final):
    from docx.oxml.ns import qn
    from docx.shared import Mm

    _, _, document, _, _ = final
    captions = [p.text for p in document.paragraphs if p.style.name == "Image Caption"]
    shapes = list(document.inline_shapes)
    assert len(shapes) == len(captions) >= 5
    for shape, caption in zip(shapes, captions, strict=True):
        assert shape._inline.find(qn("wp:docPr")).get("descr") == caption
        assert round(shape.width / Mm(1)) == 210 - 28 - 26  # A4 less the left and right margins: 156 mm
    assert captions[0] == "图1　差异系数与标准"


def test_word_charts_carry_their_svg_for_a_sharp_print(final):
    from docx.oxml.ns import qn

    _, _, document, _, _ = final
    svg_ns = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}"
    shapes = list(document.inline_shapes)
    for shape in shapes:
        blip = shape._inline.find(".//" + qn("a:blip"))
        png = document.part.related_parts[blip.get(qn("r:embed"))]
        assert png.content_type == "image/png" and png.blob[:4] == b"\x89PNG"  # the fallback (WPS, old Word)
        (svg_blip,) = blip.iter(svg_ns + "svgBlip")
        assert svg_blip.getparent().get("uri") == "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
        svg = document.part.related_parts[svg_blip.get(qn("r:embed"))]
        assert svg.content_type == "image/svg+xml" and b"<svg" in svg.blob[:600]
    assert len(
        {
            document.part.related_parts[b.get(qn("r:embed"))].partname
            for b in document.element.body.iter(svg_ns + "svgBlip")
        }
    ) == len(shapes)


def test_english_captions_are_seq_fields_too(tmp_path):
    """The English numbers ("Table 2. ", "Figure 1. ": locale report.charts.*_number) are SEQ fields too."""
    import pypandoc

    from junheng.report.render.docx import DOCX_TEMPLATES

    html = (
        '<table><caption><span class="number">Table 2. </span>Results</caption>'
        "<thead><tr><th>Area</th><th>Value</th></tr></thead>"
        '<tbody><tr><td>A</td><td class="num">1.5</td></tr></tbody></table>'
    )
    out = tmp_path / "en.docx"
    pypandoc.convert_text(
        html,
        "docx",
        format="html",
        outputfile=str(out),
        extra_args=["--lua-filter", str(DOCX_TEMPLATES.joinpath("filter.lua")), "--metadata=lang:en"],
    )
    document = docx.Document(str(out))
    (caption,) = [p for p in document.paragraphs if p.style.name == "Table Caption"]
    assert caption.text == "Table 2. Results"
    assert _seq_numbers(caption, "Table") == ["2"]
    assert document.tables[0].rows[1].cells[1].paragraphs[0].alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT


def test_word_carries_the_reports_title_in_its_properties(final):
    """Review: Word's Title property (文件 › 信息 › 标题) was empty."""
    _, _, document, _, _ = final
    title = "示例省示例市云岭县2024年县域义务教育优质均衡发展督导评估自评报告"
    assert document.core_properties.title == title
