"""Publishing executed notebooks (issue #9): tags decide what reaches the HTML page and the PDF.
Built from small hand-made notebooks with outputs, so no kernel runs here."""

import base64
import copy
import io
import re
import shutil
import subprocess
from html import unescape

import nbformat
import pytest

from junheng.report.render.headings import chinese_numeral, number_headings
from junheng.report.render.html import to_html
from junheng.report.render.pdf import to_pdf, typst_string
from junheng.report.render.publish import META_MIMETYPE, PublishError, publishable

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
    '<rect width="120" height="60" fill="#2563eb"/></svg>'
)
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2e5d3b80000000049454e44ae426082"
    )
).decode()


def code(outputs, tags=(), source="x"):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})
    cell.outputs = outputs
    return cell


def display(data):
    return nbformat.v4.new_output("display_data", data=data)


def markdown(text, tags=()):
    return nbformat.v4.new_markdown_cell(text, metadata={"tags": list(tags)})


def notebook(*cells, lang="zh"):
    nb = nbformat.v4.new_notebook()
    meta = {"title": "测试报告", "header": "测试县 2024", "lang": lang}
    nb.cells = [
        code(
            [
                display(
                    {"text/html": "<section class='cover'><h1>测试报告</h1></section>", META_MIMETYPE: meta}
                )
            ],
            tags=["remove-input"],
            source="c.cover()",
        ),
        *cells,
    ]
    return nb


def test_tags_decide_what_is_published():
    nb = notebook(
        markdown("## 保留的标题"),
        markdown("研究者的笔记", tags=["remove-cell"]),
        code([display({"text/markdown": "只显示输出"})], tags=["remove-input"], source="SECRET_INPUT = 1"),
        code([display({"text/markdown": "隐藏的输出"})], tags=["remove-output"], source="shown_code = 2"),
        code([display({"text/markdown": "参数"})], tags=["parameters"], source="county_code = '1'"),
        code([display({"text/markdown": "注入"})], tags=["injected-parameters"], source="year = 2"),
        markdown("English only", tags=["lang-en"]),
        markdown("仅中文", tags=["lang-zh"]),
    )
    html = to_html(nb)
    assert "保留的标题" in html and "只显示输出" in html and "仅中文" in html
    assert "研究者的笔记" not in html and "SECRET_INPUT" not in html and "隐藏的输出" not in html
    assert "shown_code" in html  # an untagged input is published with its code
    assert "参数" not in html and "注入" not in html and "year = 2" not in html
    assert "English only" not in html
    nb.cells[0].outputs[0].data[META_MIMETYPE]["lang"] = "en"  # a run in English
    english = to_html(nb)
    assert "English only" in english and "仅中文" not in english


def test_every_output_kind_reaches_the_page():
    nb = notebook(
        code([display({"text/markdown": "**一段** Markdown"})], tags=["remove-input"]),
        code([display({"image/svg+xml": SVG, "text/plain": "<Figure>"})], tags=["remove-input"]),
        code([display({"image/png": PNG, "text/plain": "<Figure>"})], tags=["remove-input"]),
        code(
            [
                display(
                    {"text/html": "<table class='dataframe'><tr><td>42</td></tr></table>", "text/plain": "df"}
                )
            ],
            tags=["remove-input"],
        ),
        code([nbformat.v4.new_output("stream", name="stdout", text="printed line\n")], tags=["remove-input"]),
    )
    html = to_html(nb)
    assert "<strong>一段</strong>" in html
    assert 'src="data:image/svg+xml;base64,' in html and 'src="data:image/png;base64,' in html
    assert "<td>42</td>" in html and "printed line" in html
    assert not re.search(r"<(script|link)\b", html) and "http" not in html.split("<body")[1]


def test_stderr_is_not_published_but_reported_and_errors_stop():
    nb = notebook(
        code(
            [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: careful\n")],
            tags=["remove-input"],
        )
    )
    published = publishable(nb)
    assert published.notes and "UserWarning" in str(published.notes[0])
    assert "careful" not in to_html(nb)
    broken = notebook(code([nbformat.v4.new_output("error", ename="ValueError", evalue="bad", traceback=[])]))
    with pytest.raises(PublishError, match="ValueError: bad"):
        publishable(broken)


def test_headings_are_numbered_as_official_reports_are():
    body = (
        '<h2 id="a">总体结论</h2><h3 id="b">小学</h3><h3 id="c">初中</h3><h2 id="d">资源配置</h2>'
        '<div class="cell celltag_appendix"><h2 id="e">学校名单</h2></div><h2>方法</h2>'
    )
    numbered, headings = number_headings(body, "zh")
    assert [h.number for h in headings] == ["一、", "（一）", "（二）", "二、", "附录一、", "附录二、"]
    assert '<span class="number">附录二、</span>方法' in numbered and headings[-1].anchor == "section-6"
    _, english = number_headings(body, "en")
    assert [h.number for h in english] == ["1. ", "1.1 ", "1.2 ", "2. ", "Appendix A. ", "Appendix B. "]
    assert [chinese_numeral(n) for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]


def test_a_subheading_numbered_by_hand_is_not_numbered_twice():
    """Fresh eyes: a county writing "### 一、坚持高位推动" under 主要做法与成效 got
    "（一）一、坚持高位推动"."""
    body = (
        "<h2>主要做法与成效</h2><h3>一、坚持高位推动</h3><h3>（二）优化布局</h3><h3>三. 加强队伍</h3>"
        "<h3>一、二年级课后服务</h3>"
    )
    numbered, headings = number_headings(body, "zh")
    assert [h.number + h.text for h in headings] == [
        "一、主要做法与成效",
        "（一）坚持高位推动",
        "（二）优化布局",
        "（三）加强队伍",
        "（四）一、二年级课后服务",
    ]
    assert "一、坚持" not in numbered


def test_table_of_contents_replaces_the_tagged_cell():
    nb = notebook(markdown("**目录**", tags=["toc"]), markdown("## 第一部分"), markdown("## 第二部分"))
    html = to_html(nb)
    toc = html[html.index('<nav class="toc"') : html.index("</nav>")]
    assert (
        "一、" in toc and "第一部分" in toc and "二、" in toc and "第二部分" in toc and "**目录**" not in html
    )


def test_typst_strings_cannot_break_out():
    assert typst_string('县"名\\#x\x07') == '"县\\"名\\\\#x"'


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_pdf_has_every_output_and_the_cjk_font(tmp_path):
    nb = notebook(
        markdown("**目录**", tags=["toc"]),
        markdown("## 研究者的分析"),
        markdown("研究者写的一段话，含#号、$符号和<尖括号>。"),
        code([display({"text/markdown": "生成的句子。"})], tags=["remove-input"]),
        code([display({"image/svg+xml": SVG, "text/plain": "<Figure>"})], tags=["remove-input"]),
        code(
            [
                display(
                    {
                        "text/html": "<table><caption>表题</caption>"
                        "<thead><tr><th>学校</th><th>值</th></tr></thead>"
                        "<tbody><tr><td>甲校</td><td class='num'>1.50</td></tr></tbody></table>"
                    }
                )
            ],
            tags=["remove-input"],
        ),
        markdown("不发布", tags=["remove-cell"]),
    )
    pdf = to_pdf(nb, tmp_path / "x.pdf")
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    )
    assert "研究者写的一段话，含#号、$符号和<尖括号>。" in text and "生成的句子。" in text
    assert "表题" in text and "甲校" in text and "一、研究者的分析" in text and "不发布" not in text
    assert "第3页/共3页" in text  # cover, contents, content
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "NotoSansCJKsc" in fonts or "NotoSerifCJKsc" in fonts
    assert pdf_figures(pdf) == 1  # the SVG chart, drawn as vector paths


def test_a_picture_pasted_into_a_markdown_cell_reaches_the_pdf(tmp_path):
    """JupyterLab keeps a pasted picture as the cell's attachment and nbconvert writes it into the page
    as a data: address, which Typst cannot read: the PDF failed ("image does not contain field decode").
    The web page keeps it embedded; the PDF gets it as a file."""
    from PIL import Image

    from junheng.report.render.html import ReportHTMLExporter

    picture = io.BytesIO()
    Image.new("RGB", (4, 3), "#2563eb").save(picture, "PNG")
    png = base64.b64encode(picture.getvalue()).decode()
    pasted = nbformat.v4.new_markdown_cell("## 校园照片\n\n![照片](attachment:photo.png)")
    pasted.attachments = {"photo.png": {"image/png": png}}
    nb = notebook(pasted, markdown("照片下的文字。"))
    page = to_html(nb)
    assert f"data:image/png;base64,{png}" in page
    body = ReportHTMLExporter(images_as_files=True).body(nb)
    assert body.files["embedded_1.png"] == picture.getvalue() and "data:" not in body.html
    pdf = to_pdf(nb, tmp_path / "x.pdf")
    assert (
        "照片下的文字。"
        in subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    )
    assert pdf_figures(pdf) == 1


def test_an_image_of_a_researchers_html_without_alt_gets_nbconverts_alt():
    """The page skips nbconvert's second printing (`ReportHTMLExporter._template_html`) only where it
    would change nothing: an ``<img>`` without ``alt`` of a researcher's own HTML still gets its alt."""
    bare = code([display({"text/html": '<p>图：<img src="x.png"></p>'})])
    given = code([display({"text/html": '<p>图：<img src="x.png" alt="校舍"></p>'})])
    assert 'alt="No description has been provided for this image"' in to_html(notebook(bare))
    assert 'alt="校舍"' in to_html(notebook(given)) and "No description" not in to_html(notebook(given))


def pdf_figures(path) -> int:
    """Images in a PDF written by Typst: each is tagged as a Figure in the structure tree (SVG
    charts are vector drawings, so they are not image objects)."""
    return len(re.findall(rb"/S/Figure", path.read_bytes()))


def test_short_printed_results_read_as_paragraphs():
    """`print(len(c.schools))` is a sentence of the report, not a block of program output."""
    from junheng.report.render.html import ReportHTMLExporter
    from junheng.report.render.pdf import html_to_typst

    nb = notebook(
        code([nbformat.v4.new_output("stream", name="stdout", text="80\n")]),
        code(
            [nbformat.v4.new_output("execute_result", data={"text/plain": "'达到要求'"}, execution_count=3)]
        ),
        code([nbformat.v4.new_output("stream", name="stdout", text="一行\n第二行\n")]),
        code([nbformat.v4.new_output("stream", name="stdout", text="二十一个字节以上的一句话\n")]),
    )
    html = unescape(to_html(nb))  # as a browser reads it (&#x27; is ')
    assert '<p class="output text">80</p>' in html and "<p class=\"output text\">'达到要求'</p>" in html
    assert '<pre class="stdout">一行\n第二行' in html and '<pre class="stdout">二十一个字节以上' in html
    typst = html_to_typst(ReportHTMLExporter(images_as_files=True).body(nb).html)
    assert "\n80\n" in typst and "```" in typst  # a paragraph; the long outputs stay code blocks
    assert "```\n80" not in typst


def school_table(rows: int, reason: str = "") -> str:
    body = "".join(
        f'<tr><td>99012600{i:02d}</td><td>云岭中东城关小学</td><td class="num">{100 + i}</td>'
        f'<td class="status pass">达标</td><td>{reason}</td></tr>'
        for i in range(rows)
    )
    return (
        '<table class="jh-table"><thead><tr><th>学校标识码</th><th>学校</th><th class="num">学生数</th>'
        f"<th>结果</th><th>原因</th></tr></thead><tbody>{body}</tbody></table>"
    )


def columns_of(typst: str) -> list:
    return re.search(r"columns: \((.*)\),\n", typst).group(1).split(", ")


def test_pdf_tables_keep_names_on_one_line_and_no_row_alone():
    from junheng.report.render.pdf import html_to_typst

    reason = "教学点学生数不足五十人，按评估办法不参加资源配置评估，列为不参评学校，只列出不作判定"
    long = html_to_typst(school_table(20, reason))
    # the first two and the last two rows cannot be parted by a page break (a zero-width column)
    assert long.count("table.cell(rowspan: 2, breakable: false, inset: 0pt)[]") == 2
    columns = columns_of(long)
    assert len(columns) == 6 and columns[-1] == "0pt"
    assert columns[1].endswith("em + 10pt") and float(columns[1].split("em")[0]) >= 8  # 8 characters
    assert columns[2] == "auto" and columns[4].endswith("fr")  # numbers as wide as they are, text shares
    small = html_to_typst(school_table(3))
    assert "breakable: false" not in small and small.lstrip().startswith("#keep[")
    assert all(c.endswith("fr") for c in columns_of(small))  # fits: spans the line, as on the web page


def test_pdf_right_aligns_the_numbers_of_a_plain_dataframe():
    import pandas as pd

    from junheng.report.render.pdf import html_to_typst

    frame = pd.DataFrame({"学校": ["甲", "乙"], "学生数": [1200, 35], "比例": ["12.5%", "−3.0%"]})
    typst = html_to_typst(frame.to_html(index=False))
    assert "align: (left,right,right,)" in typst


def test_the_web_page_links_to_its_siblings_when_they_are_written():
    from junheng.report.render.html import ReportHTMLExporter, page
    from junheng.report.run import sibling_links

    links = sibling_links("990126_2024", ("html", "pdf"), xlsx=True, index=True)
    assert links == [("pdf", "990126_2024.pdf"), ("xlsx", "990126_2024.xlsx"), ("index", "index.html")]
    assert sibling_links("a b", ("html",)) == []
    html = page(ReportHTMLExporter().body(notebook(markdown("## 一节"))), links)
    assert '<a class="pdf" href="990126_2024.pdf">PDF版</a>' in html
    assert '<a class="index" href="index.html">返回报告索引</a>' in html
    assert "<nav" not in page(ReportHTMLExporter().body(notebook(markdown("## 一节"))))


# --- issue #19, layout: figures and tables numbered in every format, running header, rows, pages ---

SVG_7IN = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="504pt" height="144pt" viewBox="0 0 504 144">'
    '<rect width="504" height="144" fill="#2563eb"/></svg>'
)


def chart(caption=None):
    output = display({"image/svg+xml": SVG_7IN, "text/plain": "<Figure>"})
    if caption:
        output.metadata = {"caption": caption}
    return code([output], tags=["remove-input"])


def captioned_table(caption=""):
    head = f"<caption>{caption}</caption>" if caption else ""
    return code(
        [
            display(
                {
                    "text/html": f"<table>{head}<thead><tr><th>学校</th><th>值</th></tr></thead>"
                    "<tbody><tr><td>甲校</td><td class='num'>1.50</td></tr></tbody></table>"
                }
            )
        ],
        tags=["remove-input"],
    )


def numbered_notebook(lang="zh"):
    return notebook(
        markdown("## 图表"),
        chart("差异系数与标准"),
        captioned_table("各方面评估结果"),
        captioned_table(),  # a plain table: no number, in no format
        chart(),  # a researcher's chart without a caption or title: not numbered, and the render says so
        captioned_table("学校名单"),
        lang=lang,
    )


def pages_text(pdf) -> list:
    """The text of each page of ``pdf``, spaces removed."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.split("\f")]


def test_figures_and_tables_are_numbered_in_the_html():
    html = to_html(numbered_notebook())
    captions = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<figcaption>(.*?)</figcaption>", html)]
    # was ["图1　差异系数与标准", "图2"]: a bare number tells a reader nothing (a researcher is warned,
    # `test_a_figure_without_a_caption_is_not_numbered_and_the_render_says_so`)
    assert captions == ["图1　差异系数与标准"]
    assert html.count('<figure class="output">') == 2
    tables = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<caption>(.*?)</caption>", html)]
    assert tables == ["表1　各方面评估结果", "表2　学校名单"]
    english = to_html(numbered_notebook("en"))
    assert "Figure 1. </span>差异系数与标准" in english and "Table 2. </span>学校名单" in english


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_figures_and_tables_are_numbered_once_in_the_pdf(tmp_path):
    text = "".join(pages_text(to_pdf(numbered_notebook(), tmp_path / "x.pdf")))
    assert "图1差异系数与标准" in text and "表1各方面评估结果" in text and "表2学校名单" in text
    # the numbers come from the HTML: Typst adds none of its own ("表 1: 表1 …"); the figure without a
    # caption has none (it was a bare "图2")
    assert "表3" not in text and text.count("表1") == 1 and text.count("图1") == 1 and "图2" not in text


def test_figures_and_tables_are_numbered_in_the_word_document(tmp_path):
    docx = pytest.importorskip("docx")
    from junheng.report.render.docx import docx_body, to_docx

    nb = numbered_notebook()
    nb.cells[2].outputs[0].data = {"image/png": PNG, "text/plain": "<Figure>"}  # Word gets PNG charts
    document = docx.Document(str(to_docx(docx_body(nb), tmp_path / "x.docx")))
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.text.startswith(("图", "表"))]
    assert ("Image Caption", "图1　差异系数与标准") in styled
    assert [text for style, text in styled if style == "Table Caption"] == [
        "表1　各方面评估结果",
        "表2　学校名单",
    ]


def test_a_figure_without_a_caption_is_not_numbered_and_the_render_says_so():
    published = publishable(numbered_notebook())
    notes = [n for n in published.notes if n.key == "publish.figure_uncaptioned"]
    assert len(notes) == 1 and notes[0].cell == "6"  # the sixth cell (never run: its position)
    assert "charts.caption(fig" in notes[0].message("zh") and "charts.caption(fig" in notes[0].message("en")
    english = to_html(numbered_notebook("en"))
    assert "Figure 2" not in english


def test_a_table_without_a_caption_is_not_numbered_and_the_render_says_so():
    """An uncaptioned chart was noted, an uncaptioned table published unnumbered without a word."""
    from junheng.report.render.publish import uncaptioned_tables

    published = publishable(numbered_notebook())
    notes = [n for n in published.notes if n.key == "publish.table_uncaptioned"]
    assert (
        len(notes) == 1 and notes[0].cell == "5"
    )  # the plain table; the captioned two and the cover are not
    assert notes[0].message("zh") == (
        "第5个单元格（x）：表格没有表题，发布时不编号："
        '请以 df.style.set_caption("表题") 结束单元格（见 docs/notebook.md）'
    )
    assert 'df.style.set_caption("caption")' in notes[0].message("en")
    # as pandas writes them: a DataFrame (no caption), a Styler with one, an empty one, two tables
    frame = '<table border="1" class="dataframe">\n  <thead>'
    styled = '<style type="text/css">\n</style>\n<table id="T_1">\n  <caption>学校名单</caption>\n  <thead>'
    assert uncaptioned_tables(frame) == 1 and uncaptioned_tables(styled) == 0
    assert uncaptioned_tables('<table id="T_2"><caption> </caption>') == 1
    assert uncaptioned_tables([styled, frame]) == 1 and uncaptioned_tables("<p>没有表格</p>") == 0


def test_svg_charts_get_a_width_at_which_their_smallest_text_is_readable():
    from junheng.report.render.captions import readable_width_px, svg_width_pt

    # 504 pt (7 in) wide, smallest text 6 pt: 6 pt must be 10 px, so 504 pt are 840 px
    assert readable_width_px(504) == 840
    assert svg_width_pt(base64.b64encode(SVG_7IN.encode()).decode()) == 504.0
    assert svg_width_pt(base64.b64encode(SVG.encode()).decode()) == 90.0  # 120 px = 90 pt
    html = to_html(numbered_notebook())
    assert html.count('class="chart" style="width:840px;max-width:none"') == 2


def test_wide_tables_and_charts_scroll_in_their_own_box():
    from junheng.report.render.style import stylesheet

    css = re.sub(r"\s+", " ", stylesheet())
    html = to_html(numbered_notebook())
    # every table of a cell's output sits in a box that scrolls sideways, and so does every chart
    assert html.count('<div class="output html">') == 4 and html.count("<table") == 3  # and the cover
    assert ".output.html, figure.output { overflow-x: auto;" in css
    assert re.search(r"\.output\.markdown table \{ display: block; overflow-x: auto;", css)
    # on a wide screen a table fits the page (its text wraps) rather than running off to the right
    assert "@media (min-width: 641px) { table.jh-table { width: 100%; } }" in css


def long_section(title, paragraphs, tags=()):
    text = "\n\n".join(
        f"{title}第{i}段。" + "这是一段用于撑满页面的正文文字，" * 12 for i in range(paragraphs)
    )
    return markdown(f"## {title}\n\n{text}", tags=tags)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_the_running_header_names_the_section_the_page_continues_or_opens(tmp_path):
    nb = notebook(
        long_section("甲节", 14),  # runs on to the next page, where 乙节 starts half-way down
        long_section("乙节", 3),
        long_section("丙节", 2, tags=["new-page"]),  # opens its page
    )
    pages = pages_text(to_pdf(nb, tmp_path / "x.pdf"))[:-1]
    header = [page[: page.index("2024") + 40] if "2024" in page else page[:60] for page in pages]
    continued = next(i for i, page in enumerate(pages) if "二、乙节" in page)
    assert "甲节第13段" in pages[continued]  # the page continues 甲节, 乙节 starts lower down
    assert pages[continued].startswith("测试县2024一、甲节"), header[continued]
    assert pages[continued].index("二、乙节") > pages[continued].index("甲节第13段")
    opened = next(i for i, page in enumerate(pages) if "三、丙节" in page)
    assert pages[opened].startswith("测试县2024三、丙节"), header[opened]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_pdf_table_rows_are_never_split_across_pages(tmp_path):
    from importlib import resources

    template = resources.files("junheng.report").joinpath("templates/typst/report.typ").read_text("utf-8")
    assert "set table.cell(breakable: false)" in template
    long = "说明文字较长需要换行显示，" * 14
    rows = "".join(f"<tr><td>{i}</td><td>第{i}行起{long}第{i}行止</td></tr>" for i in range(40))
    table = (
        "<table><caption>长表</caption><thead><tr><th>行</th><th>说明</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    nb = notebook(code([display({"text/html": table})], tags=["remove-input"]))
    pages = pages_text(to_pdf(nb, tmp_path / "x.pdf"))
    assert len(pages) > 4  # the table runs over several pages
    for i in range(40):
        start = next(n for n, page in enumerate(pages) if f"第{i}行起" in page)
        assert f"第{i}行止" in pages[start], f"row {i} split after page {start + 1}"
    # the header row repeats on every page the table continues on
    assert all("行说明" in page for page in pages[2:-1] if "行起" in page)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_school_profiles_follow_each_other_and_the_signature_never_stands_alone(tmp_path):
    profile = (
        '<section class="profile"><h3>{name}</h3><p class="profile-meta">类型：小学</p>'
        '<div class="verdict small passed">资源配置达到校际标准</div></section>'
    )
    profiles = "".join(profile.format(name=f"第{i}所学校") for i in range(3))
    signature = '<div class="signature"><p>某县人民政府教育督导室</p><p>（盖章）</p></div>'
    nb = notebook(
        long_section("正文", 13),
        code([display({"text/html": signature})], tags=["remove-input"]),
        markdown("## 一校一策", tags=["new-page"]),
        code([display({"text/html": profiles})], tags=["remove-input"]),
    )
    pages = pages_text(to_pdf(nb, tmp_path / "x.pdf"))
    sealed = next(page for page in pages if "（盖章）" in page)
    assert "正文第12段" in sealed  # the last paragraph goes with the 落款 to its page
    # three short profiles share one page with their section's heading (none on a page of its own)
    assert any(all(f"第{i}所学校" in page for i in range(3)) and "一校一策" in page for page in pages)


def test_pdf_columns_are_as_wide_as_their_printed_text_and_long_verdicts_wrap():
    from junheng.report.render.pdf import html_to_typst

    rows = "".join(
        f'<tr><td>99012800{i:02d}</td><td>西林南平城关小学</td><td class="num">{100 + i}</td>'
        f'<td class="status {"fail" if i == 3 else "pass"}">'
        f"{'达标；存在一票否决情形（设置重点校、重点班）' if i == 3 else '达标'}</td>"
        f"<td>{'教学点学生数不足五十人，按评估办法不参加资源配置评估' * (i == 5)}</td></tr>"
        for i in range(12)
    )
    typst = html_to_typst(
        '<table class="jh-table"><thead><tr><th>学校代码</th><th>学校</th><th class="num">学生数</th>'
        f"<th>结果</th><th>原因</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    columns = columns_of(typst)
    # "学校代码" is 4 characters wide, "9901280001" 10 digits (6 em): the codes set the width
    assert columns[0] == "6.30em + 10pt"
    # a verdict too long for a pill is coloured text that wraps, in a column that shares the line
    assert '#status-text("fail")[达标；存在一票否决情形（设置重点校、重点班）]' in typst
    assert '#pill("pass")[达标]' in typst and columns[3].endswith("fr")


def test_a_chart_image_has_its_caption_as_alt_text():
    """Issue #19 review: a screen reader (or a broken image) gets the chart's caption, not nothing."""
    html = to_html(numbered_notebook())
    charts = [tag for tag in re.findall(r"<img\b[^>]*>", html) if 'class="chart"' in tag]
    alts = [re.search(r'\balt="([^"]*)"', tag).group(1) for tag in charts]  # (in any attribute order)
    assert alts == ["差异系数与标准", ""]  # the second chart has no caption, so no text to give


# --- 一校一策: a school's tables are numbered like every other table, in every format ---------------


@pytest.fixture(scope="module")
def school_pages():
    """The report's first table, then the profile of 清源林平城关小学 (990181: R5 below, one measure)."""
    from pathlib import Path

    import junheng
    from junheng.report.profiles import profile

    c = junheng.county("990181", 2024, Path(__file__).parent.parent / "data" / "sample")
    data, metadata = profile(c, "9901810021")._repr_mimebundle_()
    page = code([display(data)], tags=["remove-input"])
    page.outputs[0].metadata = metadata
    return notebook(captioned_table("各方面评估结果"), page)


SCHOOL_CAPTIONS = [
    "表1　各方面评估结果",
    "表2　清源林平城关小学资源配置指标",
    "表3　清源林平城关小学的学校层面评估项目",
    "表4　清源林平城关小学整改措施",
]


def test_a_school_profiles_tables_are_numbered_in_the_html(school_pages):
    html = to_html(school_pages)
    tables = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<caption>(.*?)</caption>", html)]
    assert tables == SCHOOL_CAPTIONS


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_a_school_profiles_tables_are_numbered_in_the_pdf(school_pages, tmp_path):
    text = "".join(pages_text(to_pdf(school_pages, tmp_path / "x.pdf")))
    for caption in SCHOOL_CAPTIONS:
        assert caption.replace("　", "") in text, caption
    assert "表5" not in text and text.count("表2") == 1


def test_a_school_profiles_tables_are_numbered_in_the_word_document(school_pages, tmp_path):
    docx = pytest.importorskip("docx")
    from junheng.report.render.docx import docx_body, to_docx

    document = docx.Document(str(to_docx(docx_body(school_pages), tmp_path / "x.docx")))
    captions = [p.text for p in document.paragraphs if p.style.name == "Table Caption"]
    assert captions == SCHOOL_CAPTIONS
    assert document.element.body.xml.count("SEQ 表") == 4  # Word renumbers them with the others


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_a_schools_own_pdf_has_the_reports_numbers(school_pages, tmp_path):
    """Review: each separate school PDF was headed （一） and numbered 表1–3, while the same tables
    are 表156–158 in the report. The school's own PDF keeps the numbers of its page in the report."""
    from junheng.report.run import school_profile_pdfs

    nb = copy.deepcopy(school_pages)
    nb.cells.insert(1, markdown("## 一校一策\n\n### 另一所学校"))  # the school is （二） under 一、
    (pdf,) = school_profile_pdfs(nb, tmp_path, "x")
    text = re.sub(r"\s+", "", "".join(pages_text(pdf)))
    assert "（二）清源林平城关小学" in text and "（一）" not in text
    for caption in SCHOOL_CAPTIONS[1:]:
        assert caption.replace("　", "") in text, caption
    assert "表1" not in text  # 表2–4 as in the report


# --- a draft says so on every page: PDF running header, web page, Word header --------------------


def draft_notebook(final, lang="zh"):
    """A report whose cover says whether the county issued it as final (`County.cover` meta)."""
    nb = notebook(long_section("甲节", 14), lang=lang)
    nb.cells[0].outputs[0].data[META_MIMETYPE]["final"] = final
    return nb


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_a_draft_says_so_in_the_running_header_of_every_page(tmp_path):
    pages = [p for p in pages_text(to_pdf(draft_notebook(False), tmp_path / "d.pdf")) if p]
    assert len(pages) >= 3  # the cover, then two pages of 甲节
    assert all(page.startswith("草稿测试县2024一、甲节") for page in pages[1:]), [p[:30] for p in pages]
    english = [p for p in pages_text(to_pdf(draft_notebook(False, "en"), tmp_path / "e.pdf")) if p]
    assert all(page.startswith("Draft测试县2024") for page in english[1:]), [p[:30] for p in english]
    final = [p for p in pages_text(to_pdf(draft_notebook(True), tmp_path / "f.pdf")) if p]
    assert final[1].startswith("测试县2024一、甲节") and not any("草稿" in page for page in final)
    # a notebook that says nothing about it (a researcher's, the province overview) is marked nothing
    assert not any(
        "草稿" in page for page in pages_text(to_pdf(notebook(long_section("甲节", 2)), tmp_path / "n.pdf"))
    )


def test_a_draft_web_page_says_so_in_its_title_and_at_the_top_of_the_screen():
    html = to_html(draft_notebook(False))
    assert "<title>草稿 · 测试报告</title>" in html
    assert re.search(r'<div class="draft-banner" role="note">草稿</div>\s*<main>', html)
    assert '<meta name="junheng:status" content="draft">' in html
    assert "<title>Draft · 测试报告</title>" in to_html(draft_notebook(False, "en"))
    final = to_html(draft_notebook(True))
    assert "<title>测试报告</title>" in final and "draft-banner" not in final.split("<body")[1]
    assert '<meta name="junheng:status" content="final">' in final


def test_a_draft_word_document_says_so_in_the_page_header(tmp_path):
    docx = pytest.importorskip("docx")
    from junheng.report.render.docx import docx_body, to_docx

    draft = docx.Document(str(to_docx(docx_body(draft_notebook(False)), tmp_path / "d.docx")))
    assert [p.text for p in draft.sections[0].header.paragraphs] == ["草稿"]
    assert draft.core_properties.content_status == "草稿"
    final = docx.Document(str(to_docx(docx_body(draft_notebook(True)), tmp_path / "f.docx")))
    assert "".join(p.text for p in final.sections[0].header.paragraphs) == ""
    assert final.core_properties.content_status == "正式"  # as the Excel 总览's 状态 (was empty)
    english = docx.Document(str(to_docx(docx_body(draft_notebook(True, "en")), tmp_path / "e.docx")))
    assert english.core_properties.content_status == "Final"
    assert (
        docx.Document(
            str(to_docx(docx_body(draft_notebook(False, "en")), tmp_path / "g.docx"))
        ).core_properties.content_status
        == "Draft"
    )
    # a notebook that says nothing about it (a researcher's) has no status
    plain = docx.Document(str(to_docx(docx_body(notebook(long_section("甲节", 2))), tmp_path / "n.docx")))
    assert plain.core_properties.content_status == ""


def test_pdf_columns_never_split_a_word_or_wrap_a_pill():
    """Reviewer: English Table 14's Deadline column one word a line and past the margin, 表14
    教育基建中/心, 表1 十二年一贯/制学校, 990126 表13 pills 落后/于进/度. A column is at least as wide as its
    widest word (an English word, a Chinese run up to eight characters) and a pill column as its pill."""
    from junheng.report.render.pdf import html_to_typst

    measure = "Build a new teaching block of 2,400 m² with laboratories and a library for the school " * 2
    rows = "".join(
        f"<tr><td>{i}</td><td>{measure}</td><td>教育基建中心</td><td>Education</td>"
        f'<td class="num">{1000 + i}</td><td>by end of August 2027</td><td>{measure}</td>'
        f'<td class="status fail">落后于进度</td></tr>'
        for i in range(12)
    )
    head = "".join(
        f"<th>{h}</th>" for h in ["No.", "Measure", "牵头", "Lead", "Cost", "Deadline", "Basis", "状态"]
    )
    typst = html_to_typst(
        f'<table class="jh-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )
    columns = columns_of(typst)

    def em(spec):
        return float(spec.split("em")[0]) if spec.endswith("em + 10pt") else None

    # 教育基建中心: 6 characters, 6 em; Education: 9 × 0.6 = 5.4 em; "August": 3.6 em; the pill 5 + 1.2 em
    assert em(columns[2]) >= 6 and em(columns[3]) >= 5.4 and em(columns[5]) >= 3.6
    assert em(columns[7]) >= 6.2 and '#pill("fail")[落后于进度]' in typst
    # the long texts share the rest, each at least as wide as "laboratories" (12 × 0.6 em)
    assert all(columns[i].endswith("fr") or em(columns[i]) >= 7.2 for i in (1, 6))
    # a Chinese run of eight characters is one word: 十二年一贯制学校 keeps its line in a crowded table
    names = "".join(
        f'<tr><td>十二年一贯制学校</td><td>{measure}</td><td class="num">{i}</td></tr>' for i in range(12)
    )
    typst = html_to_typst(
        '<table class="jh-table"><thead><tr><th>类型</th><th>说明</th><th class="num">学校数</th>'
        f"</tr></thead><tbody>{names}</tbody></table>"
    )
    assert em(columns_of(typst)[0]) >= 8


def test_pdf_school_list_keeps_school_names_and_types_on_one_line():
    """Reviewer, 表159: 清源新平城关小/学 in the 学校 column while the 类型 column was wide. The wider name
    is placed first; 十二年一贯制学校 (8 characters) stays one word."""
    from junheng.report.render.pdf import html_to_typst

    reason = "教学点学生数不足五十人，按评估办法不参加资源配置评估，列为不参评学校"
    rows = "".join(
        f"<tr><td>99018100{i:02d}</td><td>清源北林镇小学（新集镇）</td><td>十二年一贯制学校</td><td>镇区</td>"
        f'<td>小学</td><td class="num">{100 + i}</td><td class="status pass">达标</td>'
        f"<td>{reason if i == 3 else ''}</td></tr>"
        for i in range(12)
    )
    head = "".join(f"<th>{h}</th>" for h in ["学校标识码", "学校", "类型", "城乡", "学段", "学生数（人）"])
    typst = html_to_typst(
        f'<table class="jh-table"><thead><tr>{head}<th>资源配置结果</th><th>原因</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    columns = columns_of(typst)
    # 清源北林镇小学（新集镇）: 12 characters, 12 em; 十二年一贯制学校 8 em
    assert float(columns[1].split("em")[0]) >= 12 and float(columns[2].split("em")[0]) >= 8


def school_list(names: list, reasons: dict) -> str:
    """学校名单 as tables.schools writes it: eight columns, a reason for the schools set aside."""
    types = ["小学", "初级中学", "十二年一贯制学校", "特殊教育学校"]
    rows = "".join(
        f"<tr><td>99018100{i:02d}</td><td>{name}</td><td>{types[i % 4]}</td><td>镇区</td><td>小学</td>"
        f'<td class="num">{100 + i}</td><td class="status {"excluded" if i in reasons else "pass"}">'
        f"{'不参评' if i in reasons else '达标'}</td><td>{reasons.get(i, '')}</td></tr>"
        for i, name in enumerate(names)
    )
    head = "".join(f"<th>{h}</th>" for h in ["学校标识码", "学校", "类型", "城乡", "学段"])
    return (
        f'<table class="jh-table"><thead><tr>{head}<th class="num">学生数（人）</th><th>资源配置结果</th>'
        f"<th>原因</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def test_pdf_school_list_on_landscape_pages_has_its_reasons_on_one_line():
    """Officials, 990181 附录二: the 原因 column one character a line. With names and types on one line
    the eight columns need about 75 em, a portrait line has 55: the list is set on landscape pages
    (a cell tagged landscape, as the 附表), and laid out for that line (84 em), where every column
    fits on one line. The same table in a portrait cell keeps the columns it had; so does a landscape
    table without free text (the 附表: names and numbers)."""
    from junheng.report.render.pdf import html_to_typst

    names = ["清源阳平村十二年一贯制学校", "清源北林镇小学（新集镇）"] + ["清源南平镇小学"] * 10
    reasons = {2: "教学点学生不足50人（34人）", 7: "特殊教育学校不参加资源配置评估（用于G7）"}
    table = school_list(names, reasons)

    def cell(html, tags=""):
        return f'<div class="cell code {tags}">{html}</div>'

    portrait = columns_of(html_to_typst(cell(table)))
    landscape_typst = html_to_typst(cell(table, "celltag_landscape"))
    assert landscape_typst.lstrip().startswith("#landscape[")
    landscape = columns_of(landscape_typst)
    # on a portrait line the names and types keep their line and 原因 gets what is left (the old layout)
    assert portrait[1] == "13.30em + 10pt" and portrait[2] == "8.30em + 10pt" and portrait[7].endswith("fr")
    # on a landscape line every column its need and a share of the rest: 原因 (21.7 em) on one line
    assert landscape[-1] == "0pt" and all(c.endswith("fr") for c in landscape[:-1])
    shares = [int(c[:-2]) for c in landscape[:-1]]
    assert shares[7] / sum(shares) * 84 >= 22 and shares[1] / sum(shares) * 84 >= 13
    # a landscape table without free text keeps its portrait columns (the 附表 lays out as before)
    plain = school_list(names, {})
    assert columns_of(html_to_typst(cell(plain, "celltag_landscape"))) == columns_of(
        html_to_typst(cell(plain))
    )


def test_pdf_number_columns_with_long_headers_do_not_squeeze_the_names():
    """Reviewer, 表1: 特殊教育学/校 and 十二年一贯/制学校 beside six number columns whose headers
    (学校数比2023年增减) Typst set on one line; such a header wraps in a fixed column instead."""
    from junheng.report.render.pdf import html_to_typst

    heads = [
        "学校数",
        "在校生（人）",
        "专任教师（人）",
        "学校数比2023年增减",
        "在校生比2023年增减",
        "专任教师比2023年增减",
    ]
    types = ["小学", "初级中学", "九年一贯制学校", "十二年一贯制学校", "特殊教育学校"] * 3
    rows = "".join(
        f"<tr><td>{kind}</td>" + "".join(f'<td class="num">{1000 + j}</td>' for j in range(6)) + "</tr>"
        for kind in types
    )
    typst = html_to_typst(
        '<table class="jh-table"><thead><tr><th>类型</th>'
        + "".join(f'<th class="num">{h}</th>' for h in heads)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    columns = columns_of(typst)
    # the table now fits the line (55 em): every column its share, 类型 at least its 8 characters
    shares = [int(c[:-2]) for c in columns if c.endswith("fr")]
    assert len(shares) == 7 and shares[0] / sum(shares) * 55 >= 8


def test_pdf_a_long_header_wraps_at_its_words_rather_than_widening_its_column():
    """Reviewer, English Table 13: "Education" printed over "by end of August 2027". A number column's
    header "Estimated cost (yuan)" (12.6 em on one line) wraps; its numbers (9 × 0.6 em) set the width."""
    from junheng.report.render.pdf import html_to_typst

    text = "as the optimal plan computes, add 7,180 m² in all at the schools listed, within 0.45 " * 2
    rows = "".join(
        f"<tr><td>city-wide</td><td>{text}</td><td>{text}</td>"
        f'<td class="num">2,872,000</td><td>Education Infrastructure Centre</td>'
        f"<td>by end of August 2027</td></tr>"
        for _ in range(3)
    )
    num = ' class="num"'
    head = "".join(
        f"<th{num if h.startswith('Est') else ''}>{h}</th>"
        for h in ["Where", "Problem", "Measure", "Estimated cost (yuan)", "Lead (support)", "Deadline"]
    )
    columns = columns_of(
        html_to_typst(f'<table class="jh-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    )
    assert columns[3].endswith("em + 10pt") and float(columns[3].split("em")[0]) < 8
