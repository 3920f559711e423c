"""Executed notebook → an editable Word document (DOCX) in 公文 layout, through pandoc.

The same published content as the web page and the PDF (`ReportHTMLExporter`, charts as PNG files),
converted by pandoc 3 (pypandoc-binary) with `templates/docx/filter.lua` and a reference document
for the styles. The reference document is built here with python-docx from pandoc's own (so every
style pandoc uses exists), after GB/T 9704: A4, margins 37/35/28/26 mm, title 二号 小标宋, headings
三号 黑体 / 楷体, body 三号 仿宋 with a first-line indent of two characters and a fixed 28 pt line,
tables 五号, page numbers centred in the footer. Word or WPS substitutes a font a machine lacks
(仿宋 → FangSong/Noto Serif CJK, 黑体 → SimHei/Noto Sans CJK), so the text always shows.
After conversion (`finish`) every table with a header row is a 三线表 (top and bottom rules, a rule under
the bold, shaded header row, which repeats on each page); the filter right-aligns number cells, marks
未达标 bold red and writes caption numbers as SEQ fields; settings.xml asks Word to update the fields on
opening; each chart's PNG gets its SVG as Word's ``svgBlip`` extension (sharp in Word 2016 and later).
"""

from __future__ import annotations

import subprocess
import tempfile
from functools import cache
from importlib import resources as package_files
from pathlib import Path

from junheng.report.render.html import PRIORITY, ReportHTMLExporter
from junheng.report.render.publish import draft_label, status_label

DOCX_TEMPLATES = package_files.files("junheng.report").joinpath("templates/docx")
# PNG before SVG: Word shows PNG everywhere, SVG only in recent versions (and pandoc needs rsvg for it)
DOCX_PRIORITY = ["text/html", "text/markdown", "image/png", "image/jpeg", "image/svg+xml", "text/plain"]
assert set(DOCX_PRIORITY) == set(PRIORITY)

# font of each style: (East Asian face, Latin face, size in pt, bold)
BODY_FONT = ("仿宋", "Times New Roman")
STYLES = {
    "Normal": ("仿宋", "Times New Roman", 16, False),
    "Body Text": ("仿宋", "Times New Roman", 16, False),
    "First Paragraph": ("仿宋", "Times New Roman", 16, False),
    "Compact": ("仿宋", "Times New Roman", 10.5, False),
    "Title": ("方正小标宋简体", "Times New Roman", 22, False),
    "Heading 1": ("方正小标宋简体", "Times New Roman", 22, False),
    "Heading 2": ("黑体", "Times New Roman", 16, False),
    "Heading 3": ("楷体", "Times New Roman", 16, False),
    "Heading 4": ("仿宋", "Times New Roman", 16, True),
    "Table Caption": ("黑体", "Times New Roman", 12, False),
    "Image Caption": ("黑体", "Times New Roman", 12, False),  # as the tables' (图 and 表 alike)
}
# paragraph styles the filter names (custom-style): centred or right-aligned, in the body face
CUSTOM = {
    "Cover": "center",
    "Document Number": "center",
    "Verdict": "center",
    "Signature": "right",
    "Contact": "left",
    "Note": "left",
}
LINE_PT = 28  # 公文: 22 lines a page of 三号 text
# a 三线表: top and bottom rules 1.5 pt, the rule under the header row 0.75 pt (sizes in eighths of a
# point, as Word counts them); the header row shaded light grey and bold
OUTER_RULE, HEADER_RULE = 12, 6
HEADER_FILL = "F2F2F2"
# the character style the filter gives a status that is not met (未达标), red as on the web page
FAIL_STYLE, FAIL_COLOR = "Status Fail", "C00000"


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def _fonts(style, east_asian: str, latin: str) -> None:
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _page_number_footer(section) -> None:
    """A centred page number (— 1 —) in the footer: a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    paragraph.add_run(" —")


@cache
def reference_docx() -> bytes:
    """The reference document of the Word report (styles, page, footer), built from pandoc's own."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor

    with tempfile.TemporaryDirectory(prefix="junheng-docx-") as work:
        base = Path(work) / "reference.docx"
        subprocess.run(
            [_pandoc(), "-o", str(base), "--print-default-data-file", "reference.docx"],
            check=True,
            capture_output=True,
        )
        doc = Document(str(base))
        styles = doc.styles
        for name, (east, latin, size, bold) in STYLES.items():
            style = styles[name]
            _fonts(style, east, latin)
            style.font.size = Pt(size)
            style.font.bold = bold
            style.font.color.rgb = RGBColor(0, 0, 0)
            fmt = style.paragraph_format
            if name in ("Body Text", "First Paragraph"):
                fmt.first_line_indent = Pt(size * 2)
                fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                fmt.line_spacing = Pt(LINE_PT)
                fmt.space_before, fmt.space_after = Pt(0), Pt(0)
            if name == "Compact":
                fmt.first_line_indent = Pt(0)
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if name.startswith("Heading") or name == "Title":
                fmt.first_line_indent = Pt(0)
                fmt.space_before, fmt.space_after = Pt(12), Pt(6)
                fmt.keep_with_next = True
            if name in ("Title", "Heading 1", "Table Caption", "Image Caption"):
                fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if name in ("Table Caption", "Image Caption"):
                style.font.italic = False  # pandoc's Caption, their base, is italic
        for name, align in CUSTOM.items():
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Body Text"]
            fmt = style.paragraph_format
            fmt.first_line_indent = Pt(0)
            fmt.alignment = {
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
                "left": WD_ALIGN_PARAGRAPH.LEFT,
            }[align]
            if name == "Note":
                style.font.size = Pt(12)
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _three_line_style(styles["Table"])
        fail = styles.add_style(FAIL_STYLE, WD_STYLE_TYPE.CHARACTER)
        fail.font.bold = True
        fail.font.color.rgb = RGBColor.from_string(FAIL_COLOR)
        _update_fields_on_open(doc)
        for section in doc.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)
            section.footer_distance = Mm(25)
            _page_number_footer(section)
        out = Path(work) / "junheng-reference.docx"
        doc.save(str(out))
        return out.read_bytes()


def _update_fields_on_open(doc) -> None:
    """``w:updateFields`` in settings.xml: Word refreshes the fields (contents, SEQ numbers) on opening."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = doc.settings.element
    flag = settings.find(qn("w:updateFields"))
    if flag is None:
        flag = OxmlElement("w:updateFields")
        settings.append(flag)
    flag.set(qn("w:val"), "true")


def _border(parent, edge: str, size: int | None) -> None:
    """One border of a ``w:tblBorders`` / ``w:tcBorders``: a rule ``size`` eighths of a point, or none."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    old = parent.find(qn(f"w:{edge}"))
    if old is not None:
        parent.remove(old)
    rule = OxmlElement(f"w:{edge}")
    if size:
        rule.set(qn("w:val"), "single")
        rule.set(qn("w:sz"), str(size))
        rule.set(qn("w:space"), "0")
        rule.set(qn("w:color"), "000000")
    else:
        rule.set(qn("w:val"), "nil")
    parent.append(rule)


def _child(parent, tag: str, before: tuple[str, ...] = ()):
    """``parent``'s ``tag`` child, made (before the first of ``before`` present, for the schema order)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        successor = next((parent.find(qn(t)) for t in before if parent.find(qn(t)) is not None), None)
        if successor is not None:
            successor.addprevious(found)
        else:
            parent.append(found)
    return found


# elements after w:tblBorders in w:tblPr, w:tcBorders / w:shd in w:tcPr (ECMA-376 order)
TBL_PR_AFTER = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
TC_PR_AFTER_SHD = ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")
TC_PR_AFTER_BORDERS = ("w:shd", *TC_PR_AFTER_SHD)


def three_line_table(table) -> None:
    """Lay ``table`` (its first row a header row) out as a 三线表.

    Top and bottom rules, a rule under the header row, no other lines; the header row bold on a light
    grey fill.
    """
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = _child(tbl_pr, "w:tblBorders", TBL_PR_AFTER)
    for edge in ("top", "bottom"):
        _border(borders, edge, OUTER_RULE)
    for edge in ("left", "right", "insideH", "insideV"):
        _border(borders, edge, None)
    header = table.rows[0]
    for tc in header._tr.tc_lst:
        tc_pr = tc.get_or_add_tcPr()
        _border(_child(tc_pr, "w:tcBorders", TC_PR_AFTER_BORDERS), "bottom", HEADER_RULE)
        shading = _child(tc_pr, "w:shd", TC_PR_AFTER_SHD)
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), HEADER_FILL)
    for cell in header.cells:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.bold = True


def _three_line_style(style) -> None:
    """The table style as a 三线表 too, so a table the county inserts in Word looks like the report's."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = style.element
    tbl_pr = _child(element, "w:tblPr", ("w:trPr", "w:tcPr", "w:tblStylePr"))
    borders = _child(tbl_pr, "w:tblBorders", TBL_PR_AFTER)
    for edge in ("top", "bottom"):
        _border(borders, edge, OUTER_RULE)
    first_row = next(
        (p for p in element.findall(qn("w:tblStylePr")) if p.get(qn("w:type")) == "firstRow"), None
    )
    if first_row is None:
        first_row = OxmlElement("w:tblStylePr")
        first_row.set(qn("w:type"), "firstRow")
        element.append(first_row)
    r_pr = _child(first_row, "w:rPr", ("w:tblPr", "w:trPr", "w:tcPr"))
    _child(r_pr, "w:b")
    tc_pr = _child(first_row, "w:tcPr")
    _border(_child(tc_pr, "w:tcBorders", TC_PR_AFTER_BORDERS), "bottom", HEADER_RULE)
    shading = _child(tc_pr, "w:shd", TC_PR_AFTER_SHD)
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), HEADER_FILL)


def _caption_as_alt_text(table) -> None:
    """The table's alt text (``w:tblCaption``) is its caption paragraph's text, the number as shown."""
    from docx.oxml.ns import qn

    before = table._tbl.getprevious()
    while before is not None and before.tag == qn("w:bookmarkStart"):
        before = before.getprevious()
    if before is None or before.tag != qn("w:p"):
        return
    style = before.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    caption = table._tbl.tblPr.find(qn("w:tblCaption"))
    if style is not None and style.get(qn("w:val")) == "TableCaption" and caption is not None:
        caption.set(qn("w:val"), "".join(t.text or "" for t in before.iter(qn("w:t"))))


# Word 2016 and later show an SVG image given as an extension of the picture's PNG (the PNG remains for
# WPS and older Word): a chart stays sharp at any zoom or print resolution
SVG_BLIP_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


def add_svg_charts(doc, svgs: dict[bytes, bytes]) -> int:
    """Give each picture whose PNG is a key of ``svgs`` its SVG (Word's ``asvg:svgBlip``); how many."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from lxml import etree

    added = 0
    for blip in doc.element.body.iter(qn("a:blip")):
        png = doc.part.related_parts.get(blip.get(qn("r:embed")))  # a linked picture has none
        svg = svgs.get(png.blob) if png is not None else None
        if svg is None:
            continue
        added += 1
        part = Part(PackURI(f"/word/media/chart{added}.svg"), "image/svg+xml", svg, doc.part.package)
        extensions = blip.find(qn("a:extLst"))
        if extensions is None:
            extensions = OxmlElement("a:extLst")
            blip.append(extensions)
        extension = OxmlElement("a:ext")
        extension.set("uri", SVG_BLIP_URI)
        extensions.append(extension)
        svg_blip = etree.SubElement(extension, f"{{{SVG_NS}}}svgBlip", nsmap={"asvg": SVG_NS})
        svg_blip.set(qn("r:embed"), doc.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE))
    return added


def _draft_header(doc, draft: str) -> None:
    """草稿 / Draft at the right of every page's header, bold red."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    for section in doc.sections:
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = paragraph.add_run(draft)
        run.bold = True
        run.font.size = Pt(12)
        run.font.color.rgb = RGBColor.from_string(FAIL_COLOR)


def finish(
    path: Path, svgs: dict[bytes, bytes] | None = None, draft: str = "", title: str = "", status: str = ""
) -> None:
    """Finish pandoc's tables: a header row (pandoc marks it ``w:tblHeader``) makes a 三线表.

    (`three_line_table`, its alt text the caption); the first row of every table repeats on each page
    (Word's 标题行重复); Word updates the fields on opening; a ``draft`` (草稿) says so in every page's
    header; ``title`` is the document's Title property (Word: 文件 › 信息 › 标题), ``status`` its
    状态 (草稿 / 正式, as the Excel 总览 says it).
    """
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document(str(path))
    for table in doc.tables:
        if not table.rows:
            continue
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        if tr_pr.find(qn("w:tblHeader")) is not None:
            three_line_table(table)
            _caption_as_alt_text(table)
        else:  # no header row (the cover's facts): no rules, not even the table style's
            tr_pr.append(OxmlElement("w:tblHeader"))
            borders = _child(table._tbl.tblPr, "w:tblBorders", TBL_PR_AFTER)
            for edge in ("top", "bottom", "left", "right", "insideH", "insideV"):
                _border(borders, edge, None)
    _update_fields_on_open(doc)
    add_svg_charts(doc, svgs or {})
    if draft:
        _draft_header(doc, draft)
    if status:
        doc.core_properties.content_status = status  # Word: 文件 › 信息 › 状态
    if title:
        doc.core_properties.title = title
    doc.save(str(path))


def to_docx(body, out: Path) -> Path:
    """Write the published ``body`` (`junheng.report.render.html.Body`, images as files) as DOCX."""
    import pypandoc

    with tempfile.TemporaryDirectory(prefix="junheng-docx-") as work:
        folder = Path(work)
        for name, data in body.files.items():
            (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        reference = folder / "reference.docx"
        reference.write_bytes(reference_docx())
        target = folder / "report.docx"
        lang = body.published.lang
        pypandoc.convert_text(
            body.html,
            "docx",
            format="html",
            outputfile=str(target),
            extra_args=[
                f"--reference-doc={reference}",
                f"--resource-path={folder}",
                "--quiet",  # "The term Table has no translation": captions come numbered (render/captions.py)
                "--lua-filter",
                str(DOCX_TEMPLATES.joinpath("filter.lua")),
                f"--metadata=lang:{'zh-CN' if lang == 'zh' else 'en'}",
            ],
            cworkdir=str(folder),
        )
        svgs = {
            body.files[name]: body.files[name[: -len(".png")] + ".svg"]
            for name in body.files
            if name.endswith(".png") and name[: -len(".png")] + ".svg" in body.files
        }
        finish(
            target,
            {png: (svg if isinstance(svg, bytes) else svg.encode("utf-8")) for png, svg in svgs.items()},
            draft=draft_label(body.published.meta, lang),
            status=status_label(body.published.meta, lang),
            title=body.published.meta.get("title")
            or next((h.text for h in body.headings if h.level == 2), ""),  # as the web page's title
        )
        Path(out).write_bytes(target.read_bytes())
    return Path(out)


def docx_body(nb, lang: str | None = None):
    """The published cells of ``nb`` as HTML for Word: charts as PNG files."""
    from traitlets.config import Config

    config = Config({"NbConvertBase": {"display_data_priority": DOCX_PRIORITY}})
    return ReportHTMLExporter(images_as_files=True, config=config).body(nb, lang)
