"""The statistics system's code lists (codes.yaml): 办学类型, 城乡分类, 举办者, 是否计校数, 学段, units."""

from __future__ import annotations

from functools import lru_cache

from junheng.inputs.statistics.labels import fold, label, pattern
from junheng.yamlio import packaged

SECTION_ORDER = ("primary", "junior", "senior")


@lru_cache(maxsize=1)
def codes() -> dict:
    """codes.yaml, read once."""
    return packaged("junheng.inputs.statistics", "codes.yaml")


def _digits(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def school_type(code, name) -> tuple[str | None, bool]:
    """(contract school type or None, whether the export's code or name was recognised at all)."""
    table = codes()["school_type_codes"]
    key = _digits(code)
    if key in table:
        return table[key], True
    names = codes()["school_type_names"]
    text = label(name) if name is not None else ""
    if text in names:
        return names[text], True
    if key and len(key) == 3 and key.isdigit() and key[0] in codes()["school_type_groups"]:
        return None, True  # 学前, 高等 or another group that is never compulsory education
    return None, False


def school_type_label(code, name) -> str:
    """The 办学类型 in words: the export's name, else the code list's, else its group's ('111' -> 幼儿园)."""
    if name is not None and str(name).strip():
        return str(name).strip()
    key = _digits(code)
    if key is None:
        return ""
    c = codes()
    if key in c["school_type_code_names"]:
        return c["school_type_code_names"][key]
    return c["school_type_groups"].get(key[:1], "") if len(key) == 3 else ""


def not_counted_by_type(code) -> bool:
    """Whether the 办学类型 is 不计校数 by definition (小学教学点)."""
    return _digits(code) in codes()["not_counted_types"]


def counted(value) -> bool | None:
    """True / False from a 是否计校数 cell; None when empty or unrecognised."""
    text = fold(_digits(value) or "").upper()
    for key, spellings in codes()["counted_values"].items():
        if text in {fold(s).upper() for s in spellings}:
            return key == "yes"
    return None


def location(code, name) -> tuple[str | None, bool]:
    """(contract location, whether an old 2008 code 1/2/3 was used)."""
    c = codes()
    key = _digits(code)
    if key:
        if len(key) >= 2 and key[:2] in c["location_code_prefixes"]:
            return c["location_code_prefixes"][key[:2]], False
        if key in c["location_codes_2008"]:
            return c["location_codes_2008"][key], True
    text = label(name) if name is not None else ""
    return c["location_names"].get(text), False


def ownership(code, name) -> str:
    """'private' when the 举办者 code or name says 民办, else 'public'."""
    c = codes()
    if _digits(code) in c["private_sponsor_codes"]:
        return "private"
    if name is not None and pattern(c["private_sponsor_names"]).match(label(name)):
        return "private"
    return "public"


def section_of(text) -> str | None:
    """The 学段 a label names exactly (a row block such as '小学'), or None."""
    folded = label(text)
    for section, spellings in codes()["sections"].items():
        if pattern(spellings).match(folded):
            return section
    return None


def section_in(text) -> str | None:
    """The 学段 mentioned anywhere in a title or file name ('990102_2024_小学.xlsx'), or None."""
    folded = fold(text)
    found = [
        (folded.find(word), section)
        for section, spellings in codes()["sections"].items()
        for word in spellings.split("|")
        if word in folded
    ]
    return min(found)[1] if found else None
