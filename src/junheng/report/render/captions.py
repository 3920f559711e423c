"""Number the report's figures and tables (图1 …, 表1 …) once, for every format.

The published HTML is the one source of the web page, the PDF and the Word document, so the numbers
are written into it here, as the headings' are (`headings`): every chart (``<figure class="output">``)
gets ``图N　`` before its caption (output metadata ``caption``: the package's charts give theirs, a
researcher's figure its title or `junheng.report.charts.caption`), every table with a caption
``表N　``. Figures and tables without a caption (a plain DataFrame, the cover's facts, a figure with
no title) are not numbered, in no format. The PDF and Word templates print the
numbers they find and add none of their own.

A chart drawn as SVG also gets a width at which its smallest text (6 pt in the package's charts) is at
least 10 CSS pixels; on a narrower screen it scrolls sideways in its own box instead of shrinking
its labels to a few pixels.
"""

from __future__ import annotations

import base64
import html as html_module
import re

from junheng.i18n import t

FIGURE = re.compile(r'<figure class="output">(.*?)<figcaption>(.*?)</figcaption>\s*</figure>', re.S)
CAPTION = re.compile(r"<caption\b([^>]*)>(.*?)</caption>", re.S | re.I)
CHART_IMAGE = re.compile(r'<img\b[^>]*\bclass="chart"[^>]*>')
SVG_DATA = re.compile(r'\ssrc="data:image/svg\+xml;base64,([^"]+)"')
SVG_WIDTH = re.compile(rb'<svg\b[^>]*?\swidth="([0-9.]+)(pt|px)?"')
SMALLEST_TEXT_PT = 6.0  # the smallest text of the package's charts (school labels, legends)
READABLE_PX = 10.0  # the least size of chart text on any screen, in CSS pixels


def svg_width_pt(encoded: str) -> float | None:
    """The width of a base64 SVG in points (``None`` if it does not say)."""
    head = base64.b64decode(encoded[:4000] + "=" * (-len(encoded[:4000]) % 4), validate=False)
    match = SVG_WIDTH.search(head)
    if not match:
        return None
    value = float(match.group(1))
    return value if match.group(2) == b"pt" else value * 0.75  # a CSS pixel is 0.75 pt


def readable_width_px(width_pt: float) -> int:
    """The CSS width of a chart ``width_pt`` wide at which its smallest text is `READABLE_PX`."""
    return int(round(width_pt * READABLE_PX / SMALLEST_TEXT_PT))


def _sized(figure_html: str) -> str:
    """A chart's ``<img>`` with the width at which its text is readable (SVG charts only)."""
    image = CHART_IMAGE.search(figure_html)
    data = SVG_DATA.search(image.group(0)) if image else None
    width = svg_width_pt(data.group(1)) if data else None
    if not width:
        return figure_html
    style = f' style="width:{readable_width_px(width)}px;max-width:none"'
    sized = image.group(0).replace('class="chart"', 'class="chart"' + style, 1)
    return figure_html[: image.start()] + sized + figure_html[image.end() :]


def number_captions(body: str, lang: str = "zh") -> str:
    """``body`` with every chart numbered and captioned (图1　…), every captioned table numbered (表1　…)."""
    figures = 0

    def figure(match: re.Match) -> str:
        nonlocal figures
        text = match.group(2).strip()
        if not text:  # no caption, no number: a bare "图N" says nothing (the render notes the figure)
            return f'<figure class="output">{_sized(match.group(1))}</figure>'
        figures += 1
        label = html_module.escape(t("report.charts.figure_number", lang, n=figures))
        return (
            f'<figure class="output">{_sized(match.group(1))}'
            f'<figcaption><span class="number">{label}</span>{text}</figcaption></figure>'
        )

    tables = 0

    def table(match: re.Match) -> str:
        nonlocal tables
        text = match.group(2).strip()
        if not text:
            return match.group(0)
        tables += 1
        number = html_module.escape(t("report.charts.table_number", lang, n=tables))
        return f'<caption{match.group(1)}><span class="number">{number}</span>{text}</caption>'

    return CAPTION.sub(table, FIGURE.sub(figure, body))


NUMBER = re.compile(r'<span class="number">(.*?)</span>', re.S)
SCHOOL_SECTION = re.compile(r'<section class="profile" data-school="([^"]+)">(.*?)</section>', re.S)


def school_numbers(body: str) -> dict[str, list[str]]:
    """The numbers (heading （N）, 表N) of each school's page (一校一策) in a numbered report body."""
    return {m.group(1): NUMBER.findall(m.group(2)) for m in SCHOOL_SECTION.finditer(body)}


def renumber(body: str, numbers: list[str]) -> str:
    """``body`` (numbered on its own) with its numbers, in order, replaced by ``numbers``.

    A school's own PDF carries the numbers its page has in the report (its heading and 表N), not
    （一） and 表1 again. Left as it is unless both have the same count.
    """
    found = NUMBER.findall(body)
    if len(found) != len(numbers):
        return body
    given = iter(numbers)
    return NUMBER.sub(lambda m: f'<span class="number">{next(given)}</span>', body)
