"""Number the report's headings as official reports do, and list them for the table of contents.

Chinese: 一、二、… for sections, （一）（二）… for subsections, 附录一、… after the cell tagged
``appendix``. English: 1., 1.1, and Appendix A, A.1. Numbers are written into the headings
themselves, so the web page, the PDF and its outline all show the same ones.

Only ``##`` (h2) and ``###`` (h3) headings are numbered; ``#`` and ``####`` are published as
written. A heading that already starts with a number of the kind the numbering adds (``十三、``,
``（一）``, ``12.``, ``12.1``, ``附录一、``, ``Appendix A.``; at ``###`` also ``一、``, as a county
numbers the first level of its own section) loses it, so it is not numbered twice.
Every h2 after the first cell tagged ``appendix`` is an appendix, also one added at the end.
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
_NUMERAL = "[零〇一二三四五六七八九十百]+"
# a number the numbering would add, written by hand at the start of a heading: (language, level)
OWN_NUMBER = {
    # not "一、二年级…" (grades one and two): a numeral right after the mark is the heading's own word
    ("zh", 2): re.compile(rf"^\s*(附录\s*)?{_NUMERAL}\s*[、.．]\s*(?![零〇一二三四五六七八九十])"),
    # a county's own subheadings are often numbered 一、二、 as its section's first level (主要做法与成效)
    ("zh", 3): re.compile(
        rf"^\s*([（(]\s*{_NUMERAL}\s*[）)]|{_NUMERAL}\s*[、.．](?![零〇一二三四五六七八九十]))\s*"
    ),
    ("en", 2): re.compile(r"^\s*(Appendix\s+[A-Z0-9]+\.?|[0-9]+\.(?![0-9]))\s+"),
    ("en", 3): re.compile(r"^\s*([A-Z]|[0-9]+)\.[0-9]+\.?\s+"),
}


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


def own_number(text: str, level: int, lang: str = "zh") -> str:
    """The number written by hand at the start of heading ``text`` ("" if none)."""
    pattern = OWN_NUMBER.get(("zh" if lang == "zh" else "en", level))
    match = pattern.match(text) if pattern else None
    return match.group(0) if match else ""


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
        written = own_number(inner, level, lang)
        if written:
            inner = inner[len(written) :]
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
