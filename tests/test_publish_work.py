"""Publishing does each piece of work once (issue #21): what the HTML page and the PDF are made of is
unchanged, the work to make them is not repeated. Built from small hand-made notebooks, no kernel."""

import threading

import nbformat
import pytest

from junheng.report.render import html as html_module
from junheng.report.render.html import ReportHTMLExporter
from junheng.report.render.publish import META_MIMETYPE
from junheng.report.run import publish


def notebook(*markdown_cells):
    nb = nbformat.v4.new_notebook()
    cover = nbformat.v4.new_code_cell("c.cover()", metadata={"tags": ["remove-input"]})
    meta = {"title": "测试报告", "header": "测试县 2024", "lang": "zh"}
    cover.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<p>封面</p>", META_MIMETYPE: meta})
    ]
    nb.cells = [cover, *(nbformat.v4.new_markdown_cell(text) for text in markdown_cells)]
    return nb


@pytest.mark.parametrize("images_as_files", [True, False], ids=["pdf", "web page"])
def test_the_cells_are_not_reparsed_and_keep_a_hand_written_number(monkeypatch, images_as_files):
    """Neither the PDF's cells nor the web page go through nbconvert's BeautifulSoup pass (most of a
    page's time) and they still read as they did: the hand-written 十三、 is dropped once, not kept
    beside the number the report adds (一、), and the heading's anchor link is an empty element."""
    import nbconvert.exporters.html as nbconvert_html

    def no_soup(*args, **kwargs):
        raise AssertionError("the cells were parsed with BeautifulSoup")

    monkeypatch.setattr(nbconvert_html, "BeautifulSoup", no_soup)
    body = ReportHTMLExporter(images_as_files=images_as_files).body(
        notebook("## 十三、其他事项\n\n正文。", "## 基本情况\n\n第一行  \n第二行")
    )
    assert [(h.number, h.text) for h in body.headings] == [("一、", "其他事项"), ("二、", "基本情况")]
    assert '<span class="number">一、</span>其他事项</h2>' in body.html
    assert "/>" not in body.html.split("<h2", 1)[1].split("</h2>", 1)[0]
    assert "&#" not in body.html  # the heading's text as characters, as the web page has it
    assert '<h2 id="%E5%9F%BA%E6%9C%AC%E6%83%85%E5%86%B5"><span class="number">二、</span>基本情况</h2>' in (
        body.html
    )
    assert "第一行<br />" in body.html  # (mistune's line break, not printed again)


def test_templates_are_compiled_once_per_process(monkeypatch):
    nb = notebook("## 基本情况")
    ReportHTMLExporter().body(nb)
    ReportHTMLExporter(images_as_files=True).body(nb)
    compiled = []
    real = html_module.jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(html_module.jinja2.Environment, "compile", counting)
    ReportHTMLExporter().body(nb)  # a new exporter: a new Jinja environment, the templates known
    ReportHTMLExporter(images_as_files=True).body(nb)
    assert compiled == []


def test_a_body_validates_the_notebook_once(monkeypatch):
    import nbconvert.exporters.exporter as exporter

    nb = notebook("## 基本情况")
    calls = []
    real = exporter.nbformat.validate
    monkeypatch.setattr(exporter.nbformat, "validate", lambda *a, **k: calls.append(1) or real(*a, **k))
    ReportHTMLExporter().body(nb)
    assert len(calls) == 1  # after the preprocessors, not after each of eleven (nbconvert's default)


def test_pandoc_converts_the_pdf_while_the_web_page_is_made(tmp_path, monkeypatch):
    """The PDF's Typst is converted in another thread (pandoc's own process) while the page is made:
    the page waits here until the conversion has started, which a run one after the other never does."""
    import junheng.report.render.html as render_html
    import junheng.report.render.pdf as render_pdf

    started = threading.Event()
    real_source, real_page = render_pdf.typst_source, render_html.page
    threads = []

    def typst_source(body, *args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        started.set()
        return real_source(body, *args, **kwargs)

    def waiting_page(body, links=None):
        assert started.wait(timeout=60), "the PDF's conversion had not started while the page was made"
        return real_page(body, links)

    monkeypatch.setattr(render_pdf, "typst_source", typst_source)
    monkeypatch.setattr(render_html, "page", waiting_page)
    nb = notebook("## 基本情况\n\n正文。")
    written = publish(nb, tmp_path, "out", ("html", "pdf"))
    assert threads == [False]
    assert list(written) == ["html", "pdf"]
    assert written["pdf"].read_bytes()[:4] == b"%PDF"
    assert written["html"].read_text(encoding="utf-8") == real_page(ReportHTMLExporter().body(nb))


def test_typst_sets_the_pdf_while_the_web_page_is_made(tmp_path, monkeypatch):
    """Typst compiles the PDF in the thread that waited for pandoc, not after the web page: the page
    waits here until the PDF is compiled, which a PDF compiled after the page never is."""
    import junheng.report.render.html as render_html
    import junheng.report.render.pdf as render_pdf

    compiled = threading.Event()
    real_compile, real_page = render_pdf.compile_typst, render_html.page
    threads = []

    def compile_typst(source, files, out):
        threads.append(threading.current_thread() is threading.main_thread())
        result = real_compile(source, files, out)
        compiled.set()
        return result

    def waiting_page(body, links=None):
        assert compiled.wait(timeout=20), "the PDF was not compiled while the page was made"
        return real_page(body, links)

    monkeypatch.setattr(render_pdf, "compile_typst", compile_typst)
    monkeypatch.setattr(render_html, "page", waiting_page)
    written = publish(notebook("## 基本情况\n\n正文。"), tmp_path, "out", ("html", "pdf"))
    assert threads == [False]
    assert list(written) == ["html", "pdf"]
    assert written["pdf"].read_bytes()[:4] == b"%PDF"


def test_the_report_fonts_are_read_once_per_process(tmp_path, monkeypatch):
    """Every PDF of a process is set with one `typst.Fonts`, not a folder searched again each time."""
    import typst

    import junheng.report.render.pdf as render_pdf

    render_pdf.report_fonts.cache_clear()
    made = []
    real_fonts = typst.Fonts
    monkeypatch.setattr(typst, "Fonts", lambda *a, **k: made.append(1) or real_fonts(*a, **k))
    given = []
    real_compile = typst.compile
    monkeypatch.setattr(
        typst, "compile", lambda *a, **k: given.append(k["font_paths"]) or real_compile(*a, **k)
    )
    nb = notebook("## 基本情况\n\n正文。")
    for name in ("a", "b"):
        publish(nb, tmp_path, name, ("pdf",))
    assert made == [1]
    assert len(given) == 2 and given[0] is given[1] and isinstance(given[0], real_fonts)
    assert "Noto Sans CJK SC" in given[0].families()


def test_pandoc_reads_a_styler_table_without_the_cells_places():
    """pandas' Styler writes each cell's place as classes (data row0 col1, col_heading level0 col1):
    pandoc is given the classes the Typst filter reads and nothing else, for the same Typst."""
    import pandas as pd
    import pypandoc

    from junheng.report.render.pdf import TYPST, html_to_typst, pandoc_input

    frame = pd.DataFrame({"学校": ["甲", "乙"], "学生数": ["1,200", "35"], "结果": ["达标", "未达标"]})
    classes = pd.DataFrame(
        {"学校": ["", ""], "学生数": ["num", "num"], "结果": ["status pass", "status fail"]},
        index=frame.index,
    )
    styler = frame.style.set_uuid("jh").set_td_classes(classes).set_table_attributes('class="jh-table"')
    html = styler.to_html()
    given = pandoc_input(html)
    assert 'class="data row0 col1 num"' in html and "level0 row0" not in given
    assert '<td id="T_jh_row0_col1" class="num" >1,200</td>' in given
    assert '<td id="T_jh_row0_col2" class="status pass" >达标</td>' in given
    assert '<td id="T_jh_row0_col0" class="" >甲</td>' in given
    assert '<th id="T_jh_level0_col1" class="" >学生数</th>' in given
    assert '<td class="database">' in pandoc_input('<td class="database">')  # a class of its own: kept
    whole = pypandoc.convert_text(
        html,
        "typst",
        format="html",
        extra_args=["--lua-filter", str(TYPST.joinpath("filter.lua")), "--wrap=none"],
    )
    assert html_to_typst(html) == whole
    assert '#pill("pass")[达标]' in whole and "align: (left,left,right,left,)" in whole


def test_pandoc_parts_are_runs_of_whole_top_level_cells():
    """The PDF's cells go to pandoc in two parts (issue #21): cut where a cell begins outside every
    other <div>, nearest the middle; a line inside a cell that looks like a cell's beginning is not
    a cut, nor is the beginning of the cell holding the 落款 (it stays with the paragraph before)."""
    from junheng.report.render.pdf import pandoc_parts

    a = '<div class="cell markdown"><p>一</p></div>\n'
    nested = '<div class="cell code"><div class="output html">\n<div class="cell x">二</div>\n</div></div>\n'
    c = '<div class="cell markdown"><p>三三三三</p></div>\n'
    # 177 characters: nearest the middle (88.5) is the look-alike (at 98), then the cut at 132
    # (a + nested | c), not the one at 42 (a | nested + c)
    assert pandoc_parts(a + nested + c) == [a + nested, c]
    signature = '<div class="cell code"><div class="signature"><p>（发文单位）</p></div></div>\n'
    long = '<div class="cell markdown"><p>' + "正文" * 40 + "</p></div>\n"
    # the cut nearest the middle would begin the second part with the 落款: the other one is taken
    assert pandoc_parts(long + signature + a) == [long + signature, a]
    assert pandoc_parts(a) == [a]  # one cell: one part
    assert pandoc_parts("<p>no cells</p>") == ["<p>no cells</p>"]


def test_the_pdf_cells_converted_in_two_parts_are_the_typst_of_the_whole(monkeypatch):
    """Two pandoc processes at once, their Typst joined: byte for byte that of one conversion, with
    the blank line a paragraph leaves before a heading (pandoc drops it at a document's end) and the
    落款 kept with the paragraph before it (the filter's one pass over the whole document)."""
    import junheng.report.render.pdf as pdf

    nb = notebook(
        "## 基本情况\n\n正文一。",
        "- 甲\n- 乙",
        "正文二。",
        "## 结论\n\n| 学校 | 人数 |\n|---|---|\n| 甲 | 12 |",
        "正文三。",
    )
    closing = nbformat.v4.new_code_cell("", metadata={"tags": ["remove-input"]})
    closing.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": '<p>最后一段。</p>\n<div class="signature"><p>（发文单位）</p></div>'},
        )
    ]
    nb.cells.append(closing)
    html = ReportHTMLExporter(images_as_files=True).body(nb).html
    given = []
    real = pdf._pandoc
    monkeypatch.setattr(pdf, "_pandoc", lambda text: given.append(text) or real(text))
    typst = pdf.html_to_typst(html)
    assert len(given) == 2 and pdf._PART_END in given[0]
    assert typst == real(pdf.pandoc_input(html))
    assert pdf._PART_END not in typst
    assert "#keep[\n最后一段。\n\n#signature[" in typst
    assert "正文二。\n\n== 二、结论" in typst  # the cut: the paragraph ends the first part
