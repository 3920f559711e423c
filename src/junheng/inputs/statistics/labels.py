"""Header and row labels as exported, folded so that the spellings seen in practice match.

Folding: Unicode NFKC (full-width brackets, colons, digits and spaces become half-width), no
whitespace or ``_x000D_`` line breaks, no ``#`` / ``其中：`` / ``△`` markers, no ordinal prefix
(``一、`` ``（二）`` ``3.``), and a trailing unit in brackets (``(万元)``) moved out of the label.

Patterns (mapping files) are written by people: text with ``|`` between spellings and ``*`` for any
characters, folded the same way and matched against a whole label. A pattern *path* (a list, top
level first) matches a header path when its patterns occur in that order and the last one is the
column's own label (or the label above a trailing 合计 / 计 / 小计).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TOTALS = frozenset({"合计", "计", "小计", "总计"})
_SPACE = re.compile(r"\s+|_x000[dDaA]_")
_MARKERS = re.compile(r"^(?:[#△▲]|其中[:：]?)+")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[.、](?!\d))")
_TRAILING = re.compile(r"^(.*?)\(([^()]*)\)$")
_UNIT_IN_TEXT = re.compile(r"单位[:：]\s*([^\s,，;；)）]*)")


def fold(text) -> str:
    """NFKC, no whitespace or line-break escapes."""
    if text is None:
        return ""
    return _fold(text if isinstance(text, str) else str(text))


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=65536)
def split_label(text: str) -> tuple[str, str | None]:
    """A cell's label and the unit written in its trailing brackets, both folded."""
    s = fold(text)
    for _ in range(3):  # "#其中：一、…" and similar stacked markers
        stripped = _ORDINAL.sub("", _MARKERS.sub("", s))
        if stripped == s:
            break
        s = stripped
    unit = None
    match = _TRAILING.match(s)
    if match and match.group(2) in known_units():
        s, unit = match.group(1), match.group(2)
    return s, unit


def label(text) -> str:
    """A cell's folded label (without its unit)."""
    return split_label("" if text is None else str(text))[0]


@lru_cache(maxsize=1)
def known_units() -> frozenset:
    """Every unit spelling of codes.yaml."""
    from junheng.inputs.statistics.codes import codes  # codes.py uses the folding defined here

    return frozenset(u for table in codes()["units"].values() for u in table)


def unit_in_text(text: str) -> str | None:
    """The unit of a title cell such as '基础基512 … 单位：平方米' ('' when the cell says just '单位：')."""
    match = _UNIT_IN_TEXT.search(fold(text) if text else "")
    return match.group(1) if match else None


@dataclass(frozen=True)
class Pattern:
    """One level of a pattern path: spellings separated by '|', '*' for any characters."""

    text: str

    def __post_init__(self):
        alternatives = []
        for spelling in str(self.text).split("|"):
            folded = split_label(spelling)[0] if "*" not in spelling else fold(spelling)
            alternatives.append(".*".join(re.escape(part) for part in folded.split("*")))
        object.__setattr__(self, "_regex", re.compile("|".join(f"(?:{a})" for a in alternatives)))

    def match(self, text: str) -> bool:
        """Does a folded label match one of the spellings?"""
        return self._regex.fullmatch(text) is not None


@lru_cache(maxsize=4096)
def pattern(text: str) -> Pattern:
    """A Pattern, compiled once per text."""
    return Pattern(text)


def pattern_path(levels) -> tuple[Pattern, ...]:
    """A path given in a mapping file: a list of levels, or one string for a single level."""
    if isinstance(levels, str):
        levels = [levels]
    return tuple(pattern(str(level)) for level in levels)


def _in_order(patterns, path) -> bool:
    position = 0
    for p in patterns:
        while position < len(path) and not p.match(path[position]):
            position += 1
        if position == len(path):
            return False
        position += 1
    return True


@lru_cache(maxsize=262144)
def path_matches(patterns: tuple, path: tuple) -> bool:
    """Do the pattern levels occur in ``path`` in order, the last one naming the column itself?"""
    if not patterns or not path:
        return False
    ends = [len(path) - 1]
    if len(path) > 1 and path[-1] in TOTALS:
        ends.append(len(path) - 2)
    return any(patterns[-1].match(path[end]) and _in_order(patterns[:-1], path[:end]) for end in ends)


def show_path(path) -> str:
    """A header path as people read it: '在校生数 › 合计'."""
    return " › ".join(path)
