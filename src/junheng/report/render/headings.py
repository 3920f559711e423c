"""Number the report's headings as official reports do, and list them for the table of contents.

Chinese: 一、二、… for sections, （一）（二）… for subsections, 附录一、… after the cell tagged
``appendix``. English: 1., 1.1, and Appendix A, A.1. Numbers are written into the headings
themselves, so the web page, the PDF and its outline all show the same ones.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

HEADING = re.compile(r"<h([23])((?:\s[^>]*)?)>(.*?)</h\1>", re.S)
ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
ID_ATTR = re.compile(r'\sid="([^"]*)"')
TAG = re.compile(r"<[^>]+>")
APPENDIX_MARK = "celltag_appendix"
DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Heading:
    """One numbered heading."""

    level: int
    anchor: str
    number: str
    text: str


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def _number(level: int, major: int, minor: int, appendix: bool, lang: str) -> str:
    if lang == "zh":
        if level == 2:
            return f"附录{chinese_numeral(major)}、" if appendix else f"{chinese_numeral(major)}、"
        return f"（{chinese_numeral(minor)}）"
    label = chr(ord("A") + major - 1) if appendix else str(major)
    if level == 2:
        return f"Appendix {label}. " if appendix else f"{label}. "
    return f"{label}.{minor} "


def number_headings(body: str, lang: str = "zh") -> tuple[str, list[Heading]]:
    """Write the numbers into every h2/h3 of ``body``; return the new body and the headings."""
    appendix_from = body.find(APPENDIX_MARK)
    counters = {"main": 0, "appendix": 0}
    minor = 0
    found: list[Heading] = []
    pieces, last = [], 0
    for match in HEADING.finditer(body):
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        appendix = 0 <= appendix_from < match.start()
        zone = "appendix" if appendix else "main"
        if level == 2:
            counters[zone] += 1
            minor = 0
        else:
            minor += 1
        number = _number(level, counters[zone] or 1, minor, appendix, lang)
        inner = ANCHOR_LINK.sub("", inner)
        anchor_match = ID_ATTR.search(attrs)
        anchor = anchor_match.group(1) if anchor_match else f"section-{len(found) + 1}"
        if not anchor_match:
            attrs += f' id="{anchor}"'
        text = html.unescape(TAG.sub("", inner)).strip()
        found.append(Heading(level, anchor, number, text))
        pieces.append(body[last : match.start()])
        pieces.append(f'<h{level}{attrs}><span class="number">{html.escape(number)}</span>{inner}</h{level}>')
        last = match.end()
    pieces.append(body[last:])
    return "".join(pieces), found
