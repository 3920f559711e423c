"""Publishing executed notebooks (issue #9): tags decide what reaches the HTML page and the PDF.
Built from small hand-made notebooks with outputs, so no kernel runs here."""

import base64
import re
import shutil
import subprocess

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
    html = to_html(nb)
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
