"""Placeholders left in a county's own text: entries that stand for nothing yet.

A county's writers fill their list of 佐证材料 item by item and mark what they still lack: "- 略",
"- 待补充", "- TODO", an empty "- ", an item heading with nothing under it, or the skeleton's example
with its blanks (《县人民政府关于……的通知》（X政发〔2024〕X号）). A whole section may be such a word
too (## 问题原因 / 待补充). A draft keeps them (and says so); a final report is refused while any is
left (`junheng.report.issue`), naming the file, the line and the entry. The words are data:
``placeholders.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_PUNCTUATION = re.compile(r"[\s\W_]+")  # spaces, punctuation, brackets (《》（）“”…), underscores
_LIST_MARK = re.compile(r"^(?:[-*+•·](?=\s|$)|\d+\.(?=\s|$)|\d+[、)）]|[（(]\d+[）)])\s*")
_SUBHEADING = re.compile(r"^#{3,}\s*(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^([A-Z]\d*)(?:\s|$)")  # ### G5, ### G5 班额, ### S


@dataclass(frozen=True)
class Placeholder:
    """One placeholder: the section, its line in the file, the item it is listed under, as written."""

    section: str  # section id (junheng.inputs.narrative.SECTIONS)
    line: int  # 1-based line of the file
    text: str  # the entry as written ("" for an empty entry or an item with no entry)
    item: str = ""  # the ### heading it is under (G5), "" outside one


@cache
def _rules():
    from junheng.yamlio import packaged

    data = packaged("junheng.inputs", "placeholders.yaml")
    words = {_core(w) for w in data["words"]}
    starts = tuple(_core(w) for w in data["starts"])
    contains = [re.compile(p) for p in data["contains"]]
    return words, starts, contains


def _core(text: str) -> str:
    """``text`` without spaces, punctuation and brackets, in lower case."""
    return _PUNCTUATION.sub("", str(text)).lower()


def is_placeholder(text: str) -> bool:
    """Whether an entry (a list item without its mark, or a section's whole text) stands for nothing yet."""
    words, starts, contains = _rules()
    core = _core(text)
    if not core or core in words or core.startswith(starts):
        return True
    return any(p.search(text) for p in contains)


def entry(line: str) -> str:
    """A line of a list without its mark: "- 略" → "略", "1. 《通知》" → "《通知》"."""
    return _LIST_MARK.sub("", line.strip(), count=1).strip()


def _evidence(section) -> list[Placeholder]:
    """The placeholder entries of the 佐证材料清单 and its ### items with no entry at all."""
    found: list[Placeholder] = []
    item, item_line, entries = "", 0, 0

    def close():
        if item_line and not entries:  # "### G5" and nothing under it: an empty entry
            found.append(Placeholder(section.id, item_line, "", item))

    for offset, line in enumerate(section.text.split("\n"), start=1):
        number = section.line + offset
        stripped = line.strip()
        if not stripped or stripped.startswith("|"):  # a table: its cells are the county's own
            continue
        heading = _SUBHEADING.match(stripped)
        if heading:
            close()
            named = _ITEM.match(heading.group(1))
            item, item_line, entries = (named.group(1) if named else heading.group(1)), number, 0
            continue
        entries += 1
        text = entry(stripped)
        if is_placeholder(text):
            found.append(Placeholder(section.id, number, text, item))
    close()
    return found


def placeholders(narrative, sections=None) -> list[Placeholder]:
    """Every placeholder of ``narrative`` (`junheng.inputs.narrative.Narrative`), in file order.

    In the 佐证材料清单 each entry is judged; any other section only as a whole (its prose may well
    hold a 无 or a 略 of its own). ``sections``: the ids to look at (default: every one written).
    """
    found: list[Placeholder] = []
    for sid, section in narrative.sections.items():
        if (sections is not None and sid not in sections) or section.empty:
            continue
        if sid == "evidence":
            found += _evidence(section)
            continue
        lines = [entry(line) for line in section.text.split("\n") if line.strip()]
        if len(lines) == 1 and is_placeholder(lines[0]):
            first = next(i for i, line in enumerate(section.text.split("\n"), start=1) if line.strip())
            found.append(Placeholder(sid, section.line + first, lines[0]))
    return sorted(found, key=lambda p: p.line)
