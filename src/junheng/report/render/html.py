"""Executed notebook → one self-contained HTML page (nbconvert with the project's template).

`ReportHTMLExporter` is also registered with nbconvert: ``jupyter nbconvert --to junheng
executed.ipynb`` gives the same page as ``junheng render``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources as package_files
from pathlib import Path

from markupsafe import Markup
from nbconvert.exporters import HTMLExporter
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
        html, resources = super().from_notebook_node(notebook, resources)
        html, headings = number_headings(html, published.lang)
        html = number_captions(html, published.lang)
        return Body(html, headings, dict(resources.get("outputs", {})), published)

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
