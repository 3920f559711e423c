"""Executed notebook → A4 PDF, through pandoc and Typst.

Executed notebook → A4 PDF: the published cells as HTML (images as SVG/PNG files), pandoc to Typst through
`templates/typst/filter.lua`, then Typst with `templates/typst/report.typ` and the embedded CJK fonts. One
source of content for the web page and the PDF: the notebook.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import resources as package_files
from pathlib import Path

from junheng.i18n import t
from junheng.report.fonts import typst_font_dir
from junheng.report.render.html import Body, ReportHTMLExporter
from junheng.report.render.publish import draft_label

TYPST = package_files.files("junheng.report").joinpath("templates/typst")
# pandas' Styler gives every cell of a table its place as classes (``<td class="data row3 col2 num" >``,
# ``<th class="col_heading level0 col1" >``): classes that the filter never reads and the PDF never
# shows, a third of what pandoc reads of a report, and each converted for the filter's every cell
_STYLER_PLACE = re.compile(
    r'(<t[dh] (?:id="T_[^"]*" )?class=")'
    r"(?:data|col_heading|row_heading|index_name|blank)(?: level\d+)?(?: row\d+)?(?: col\d+)?"
    r'(?:"|( ))'
)


def typst_string(text: str) -> str:
    """A Typst string literal (no control characters, quotes and backslashes escaped)."""
    cleaned = "".join(ch for ch in str(text) if ch >= " " or ch == "\t")
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pandoc_input(html: str) -> str:
    """The published HTML without the places pandas' Styler gives table cells as classes.

    ``<td class="data row3 col2 num" >`` is read as ``<td class="num" >``: the classes the filter reads
    (``num``, ``status``, ``text``, the statuses) are kept, and every cell's classes are dropped in the
    PDF anyway (the filter clears them), so the Typst is the same.
    """
    return _STYLER_PLACE.sub(lambda m: m.group(1) if m.group(2) else m.group(1) + '"', html)


# where a published cell begins (`templates/nbconvert/junheng/index.html.j2`: one per line)
_CELL = re.compile(r'^<div class="cell ', re.MULTILINE)
# a paragraph after the first part: its Typst keeps the blank line (or none) that its last block
# leaves before the next one, which pandoc drops at a document's end; cut off after conversion
_PART_END = "JUNHENGPARTEND"


def pandoc_parts(html: str) -> list[str]:
    """``html`` in two runs of whole published cells, of about equal length (one when it has one cell).

    Pandoc converts each in its own process, at once: the filter's work is per cell (its tables,
    headings, figures), and its one pass over the whole document (`Pandoc`: the 落款 kept with the
    paragraph before it) looks back one block only, so the second part never begins with a
    cell holding the 落款 (``signature``). A cut is where a cell begins outside every other ``<div>``.
    """
    middle = len(html) / 2
    for start in sorted((m.start() for m in _CELL.finditer(html)), key=lambda s: abs(s - middle)):
        head = html[:start]
        if (
            start
            and head.count("<div") == head.count("</div>")
            and 'class="signature' not in _cell_at(html, start)
        ):
            return [head, html[start:]]
    return [html]


def _cell_at(html: str, start: int) -> str:
    """The text from ``start`` to the next cell's beginning."""
    following = _CELL.search(html, start + 1)
    return html[start : following.start() if following else len(html)]


def _pandoc(html: str) -> str:
    """One pandoc process: ``html`` to Typst through the filter."""
    import pypandoc

    filter_path = str(TYPST.joinpath("filter.lua"))
    # (the formats are known: pypandoc would otherwise run pandoc twice more to list the ones it has)
    return pypandoc.convert_text(
        html,
        "typst",
        format="html",
        extra_args=["--lua-filter", filter_path, "--wrap=none"],
        verify_format=False,
    )


def html_to_typst(html: str) -> str:
    """Convert the published HTML to Typst markup (pandoc 3 from pypandoc-binary).

    The cells in two parts (`pandoc_parts`), each converted by its own pandoc process at once and
    joined: the same Typst as one conversion of the whole, in about half the time with a core to spare.
    """
    import pypandoc

    parts = pandoc_parts(pandoc_input(html))
    if len(parts) == 1:
        return _pandoc(parts[0])
    pypandoc.get_pandoc_path()  # pypandoc finds pandoc and sets up its logging once, in this thread
    inputs = [part + f"<p>{_PART_END}</p>\n" for part in parts[:-1]] + parts[-1:]
    with ThreadPoolExecutor(len(parts), thread_name_prefix="junheng-pandoc") as pool:
        typst = list(pool.map(_pandoc, inputs))  # each thread waits for its process
    return "".join(text[: text.rindex(_PART_END)] for text in typst[:-1]) + typst[-1]


def typst_source(body: Body, first_page: int = 2) -> str:
    """The whole Typst document: the template applied to the converted content.

    The running header and page numbers start on ``first_page`` (2: the cover has none).
    """
    meta, lang = body.published.meta, body.published.lang
    title = meta.get("title") or next((h.text for h in body.headings if h.level == 2), "")
    header = meta.get("header") or title
    head = (
        '#import "report.typ": *\n'
        f"#show: report.with(title: {typst_string(title)}, header: {typst_string(header)}, "
        f"draft: {typst_string(draft_label(meta, lang))}, "
        f"lang: {typst_string(lang)}, contents-label: {typst_string(t('report.contents', lang))}, "
        f"first-page: {int(first_page)})\n\n"
    )
    return head + html_to_typst(body.html)


@cache
def report_fonts():
    """The report fonts as Typst reads them, once per process (`typst.Fonts`).

    Given a folder, every compilation searched it and read each font's tables again; the same fonts
    for every report of the process.
    """
    import typst

    return typst.Fonts(include_system_fonts=False, font_paths=[str(typst_font_dir())])


def compile_typst(source: str, files: dict, out: Path) -> Path:
    """Compile ``source`` with the template and image ``files`` into the PDF ``out``."""
    import typst

    with tempfile.TemporaryDirectory(prefix="junheng-pdf-") as work:
        folder = Path(work)
        shutil.copy(str(TYPST.joinpath("report.typ")), folder / "report.typ")
        for name, data in files.items():
            (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        main = folder / "main.typ"
        main.write_text(source, encoding="utf-8")
        pdf = typst.compile(str(main), root=str(folder), font_paths=report_fonts(), ignore_system_fonts=True)
    Path(out).write_bytes(pdf)
    return Path(out)


def to_pdf(nb, path, lang: str | None = None) -> Path:
    """Render an executed report notebook as an A4 PDF at ``path``."""
    body = ReportHTMLExporter(images_as_files=True).body(nb, lang)
    return compile_typst(typst_source(body), body.files, Path(path))


class ReportPDFExporter:
    """nbconvert exporter: ``jupyter nbconvert --to junheng_pdf executed.ipynb``."""

    # defined lazily so that importing this module does not import nbconvert's exporters
    def __new__(cls, *args, **kwargs):
        """An instance of the nbconvert exporter class, built on first use."""
        return _exporter_class()(*args, **kwargs)


def _exporter_class():
    from nbconvert.exporters import Exporter

    class _ReportPDFExporter(Exporter):
        export_from_notebook = "junheng report (PDF)"
        output_mimetype = "application/pdf"

        def _file_extension_default(self):
            return ".pdf"

        def from_notebook_node(self, nb, resources=None, **kw):
            nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
            with tempfile.TemporaryDirectory(prefix="junheng-pdf-") as work:
                pdf = to_pdf(nb_copy, Path(work) / "report.pdf").read_bytes()
            resources["output_extension"] = ".pdf"
            return pdf, resources

    return _ReportPDFExporter
