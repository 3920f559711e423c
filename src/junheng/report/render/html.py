"""Executed notebook → one self-contained HTML page (nbconvert with the project's template).

`ReportHTMLExporter` is also registered with nbconvert: ``jupyter nbconvert --to junheng
executed.ipynb`` gives the same page as ``junheng render``.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from importlib import resources as package_files
from pathlib import Path

import jinja2
from markupsafe import Markup
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.preprocessors import ExtractOutputPreprocessor
from traitlets import Bool
from traitlets.config import Config

from junheng.report.render.captions import number_captions
from junheng.report.render.headings import Heading, number_headings
from junheng.report.render.publish import TOC_MARKUP, Published, draft_label, publishable
from junheng.report.render.style import stylesheet
from junheng.report.templating import render_template

SHORT_TEXT_BYTES = 21  # UTF-8 bytes: seven Chinese characters, or a number, or a short word


def short_text(text) -> bool:
    """A printed result short enough to read as a paragraph.

    A printed result short enough to read as a paragraph (one line of at most ``SHORT_TEXT_BYTES``) rather
    than a block of program output.
    """
    from nbconvert.filters import strip_ansi

    text = strip_ansi(str(text)).strip()
    return bool(text) and "\n" not in text and len(text.encode("utf-8")) <= SHORT_TEXT_BYTES


# an image written into the page itself: a picture pasted into a Markdown cell (an attachment, which
# nbconvert embeds), or an output's own HTML; Typst reads images from files only
_DATA_IMAGE = re.compile(
    r'(<img\b[^>]*?\ssrc=")data:image/(png|jpeg|gif|svg\+xml);base64,([A-Za-z0-9+/=\s]+)(")'
)
PRIORITY = ["text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain"]
IMAGE_TYPES = {"image/svg+xml", "image/png", "image/jpeg"}


@dataclass
class Body:
    """The published cells as HTML, with their headings and any extracted image files."""

    html: str
    headings: list[Heading]
    files: dict  # file name -> bytes (images, when extracted)
    published: Published


def templates_dir() -> Path:
    """The folder of the bundled report templates."""
    return Path(str(package_files.files("junheng.report").joinpath("templates")))


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """The nbconvert templates compiled once per process, not once per exporter.

    Every exporter builds its own Jinja environment, which compiled the report template and the
    nbconvert templates it extends anew: a third of an HTML body's time. Jinja keys the compiled
    code by template name and checks it against the source's checksum, so a changed template is
    compiled again.
    """

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecodeCache()
# nbconvert writes a Markdown heading through ElementTree: its anchor link as <a … />, its text as
# character references (&#22522;). The web page's reparse prints both as HTML; the cells pandoc reads
# get the same from these two (`number_headings` reads the text, for a number written by hand)
_ANCHOR_SELF_CLOSED = re.compile(r'(<a class="anchor-link"[^>]*?)\s*/>')
_HEADING = re.compile(r"(<h([1-6])\b[^>]*>)(.*?)(</h\2>)", re.S | re.I)
_CHAR_REF = re.compile(r"&#(?:(\d+)|[xX]([0-9a-fA-F]+));")
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt\s*=)[^>]*>", re.I)  # (a researcher's own HTML)
_ESCAPED = {"<", ">", "&"}  # characters that stay references in text


def _char(ref: re.Match) -> str:
    code = int(ref.group(1)) if ref.group(1) else int(ref.group(2), 16)
    if not 0 < code <= 0x10FFFF or chr(code) in _ESCAPED:
        return ref.group(0)
    return chr(code)


def _heading_as_parsed(match: re.Match) -> str:
    """A heading's text with its character references as the characters themselves."""
    return match.group(1) + _CHAR_REF.sub(_char, match.group(3)) + match.group(4)


def embedded_images_as_files(html: str, files: dict) -> str:
    """``html`` with each image embedded as a ``data:`` address referring to a file added to ``files``.

    The files are named ``embedded_<n>.<ext>`` in the order of the page; an address that does not
    decode is left as it is.
    """
    extension = {"png": "png", "jpeg": "jpg", "gif": "gif", "svg+xml": "svg"}

    def as_file(match: re.Match) -> str:
        try:
            data = base64.b64decode(match.group(3), validate=False)
        except (binascii.Error, ValueError):
            return match.group(0)
        number = sum(name.startswith("embedded_") for name in files) + 1
        name = f"embedded_{number}.{extension[match.group(2)]}"
        files[name] = data
        return f"{match.group(1)}{name}{match.group(4)}"

    return _DATA_IMAGE.sub(as_file, html)


class ReportHTMLExporter(HTMLExporter):
    """nbconvert exporter for junheng reports: tags decide what is published (see `publish`)."""

    export_from_notebook = "junheng report (HTML)"
    images_as_files = Bool(False, help="Reference images as files instead of embedding them.").tag(
        config=True
    )

    def __init__(self, config=None, **kw):
        base = Config(
            {
                "NbConvertBase": {"display_data_priority": PRIORITY},
                "TemplateExporter": {
                    "extra_template_basedirs": [str(templates_dir() / "nbconvert")],
                    "template_name": "junheng",
                    "exclude_input_prompt": True,
                    "exclude_output_prompt": True,
                },
                "HTMLExporter": {"anchor_link_text": ""},
                # the notebook is validated once after the preprocessors, not after each of eleven
                "Exporter": {"optimistic_validation": True},
            }
        )
        if config is not None:
            base.merge(config)
        super().__init__(config=base, **kw)
        self.register_filter("short_text", short_text)

    def body(self, nb, lang: str | None = None) -> Body:
        """The published cells of ``nb`` as an HTML fragment with numbered headings, figures and tables."""
        published = publishable(nb, lang)
        resources = {"junheng_images_as_files": self.images_as_files, "unique_key": "figure", "outputs": {}}
        notebook = published.nb
        if self.images_as_files:
            extractor = ExtractOutputPreprocessor(enabled=True, extract_output_types=IMAGE_TYPES)
            notebook, resources = extractor.preprocess(notebook, resources)
        html, resources = self._template_html(notebook, resources)
        if self.images_as_files:
            html = embedded_images_as_files(html, resources.setdefault("outputs", {}))
        html, headings = number_headings(html, published.lang)
        html = number_captions(html, published.lang)
        return Body(html, headings, dict(resources.get("outputs", {})), published)

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = _BYTECODE
        return environment

    def _template_html(self, nb, resources):
        """The template applied to ``nb``.

        nbconvert's HTMLExporter then parses the page with BeautifulSoup and prints it again, for an
        ``alt`` on each image without one and a ``tabindex`` on JupyterLab's cell wrappers: markup this
        template never writes (its images all carry an ``alt``, their caption; it has no JupyterLab
        cells). That pass was most of the time of making a page (0.8 s of a report's 0.9 s of CPU, the
        images embedded in it parsed as text): it is skipped, and the two things it changed that a
        reader or pandoc sees are done here: a heading's character references as characters, and an
        anchor link closed (`_heading_as_parsed`). The same page to a browser, the same Typst and Word
        document (`tests/test_html_page.py`). An image without ``alt`` (a researcher's own HTML output)
        gets nbconvert's whole pass, as before.
        """
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources)
        if not self.images_as_files and _IMG_WITHOUT_ALT.search(html):
            return super().from_notebook_node(nb, resources)
        return _HEADING.sub(_heading_as_parsed, _ANCHOR_SELF_CLOSED.sub(r"\1></a>", html)), resources

    def from_notebook_node(self, nb, resources=None, **kw):
        """The whole page (used by ``jupyter nbconvert --to junheng``)."""
        body = self.body(nb)
        resources = dict(resources or {})
        resources.update(output_extension=".html", junheng=body.published.meta)
        return page(body), resources


def page(body: Body, links=None) -> str:
    """Wrap the published cells in the report page.

    Wrap the published cells in the report page: language, title, stylesheet, contents, and ``links`` to the
    report's other files ((kind, href): ``pdf``, ``xlsx``, ``index``).
    """
    meta = body.published.meta
    lang = body.published.lang
    toc = render_template("html/toc.html.j2", headings=body.headings, lang=lang)
    html = body.html.replace(TOC_MARKUP, toc, 1)
    title = meta.get("title") or next((h.text for h in body.headings if h.level == 2), "")
    return render_template(
        "html/page.html.j2",
        lang=lang,
        title=title,
        css=Markup(stylesheet()),
        body=Markup(html),
        links=list(links or []),
        provenance=meta.get("provenance") or {},
        draft=draft_label(meta, lang),
        status=("final" if meta["final"] else "draft") if "final" in meta else "",
    )


def to_html(nb, lang: str | None = None) -> str:
    """The self-contained HTML page of an executed report notebook."""
    return page(ReportHTMLExporter().body(nb, lang))
