"""Executed notebook → self-contained HTML (nbconvert) → A4 PDF (WeasyPrint).

The notebook's outputs are HTML fragments with their charts inline; nbconvert's `basic` template
turns them into markup without inputs, prompts or scripts, which we wrap in one document with the
language, the stylesheet and a table of contents. Nothing is loaded from the network.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from junheng.i18n import t
from junheng.report.fonts import FAMILY, cjk_font_path
from junheng.report.html import esc


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter

    templates = resources.files("junheng.report").joinpath("templates")
    exporter = HTMLExporter(template_name="junheng", extra_template_basedirs=[str(templates)])
    exporter.exclude_input = True
    exporter.exclude_markdown = True  # researchers' notes in the notebook are not part of the report
    exporter.exclude_raw = True
    return exporter


def stylesheet() -> str:
    return resources.files("junheng.report").joinpath("style.css").read_text(encoding="utf-8")


def _toc(body: str, lang: str) -> str:
    entries = re.findall(r'<h2 id="([^"]+)">(.*?)</h2>', body)
    items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in entries)
    return f'<nav class="toc"><h2 id="toc">{esc(t("report.contents", lang))}</h2><ol>{items}</ol></nav>'


def report_outputs_only(nb):
    """Keep the report's rich outputs; drop streams (warnings, logs) that are not for readers."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [
                o
                for o in cell.get("outputs", [])
                if o.get("output_type") in ("display_data", "execute_result")
            ]
    return nb


def notebook_html(nb, lang: str, title: str) -> str:
    body, _ = _exporter().from_notebook_node(report_outputs_only(nb))
    # keep only the outputs: drop nbconvert's wrapper markup noise but not its content
    cover_end = body.find("</section>")
    if cover_end >= 0:
        cover_end += len("</section>")
        body = body[:cover_end] + _toc(body, lang) + body[cover_end:]
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{stylesheet()}</style></head><body>{body}</body></html>"
    )


def print_css(header: str, lang: str) -> str:
    """A4 page rules for the PDF: the embedded CJK font, a running header and page numbers."""
    font = cjk_font_path().as_uri()
    page = t("report.page", lang, page='" counter(page) "', pages='" counter(pages) "')
    return f"""
@font-face {{ font-family: "{FAMILY}"; src: url("{font}"); }}
html {{ font-family: "{FAMILY}", sans-serif; }}
@page {{ size: A4; margin: 22mm 17mm 20mm 17mm;
  @top-left {{ content: "{esc(header)}"; font-size: 8pt; color: #6b7280; }}
  @top-right {{ content: string(chapter); font-size: 8pt; color: #6b7280; }}
  @bottom-center {{ content: "{page}"; font-size: 8pt; color: #6b7280; }} }}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} @bottom-center {{ content: none; }} }}
"""


def html_to_pdf(html: str, path: Path, header: str, lang: str) -> Path:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()  # @font-face rules need the same configuration in CSS and write_pdf
    css = CSS(string=print_css(header, lang), font_config=fonts)
    HTML(string=html, base_url=str(path.parent)).write_pdf(str(path), stylesheets=[css], font_config=fonts)
    return path
