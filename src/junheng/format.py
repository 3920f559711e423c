"""One formatter for every number a reader sees, in tables and in sentences alike.

Decimals per unit come from the rule file (each indicator's ``decimals``) or from the defaults
below. A value shown next to a threshold is never rounded across it: 84.96 % against 85 % reads
"84.96%", not "85.0%" (`against`).

It sits beside `junheng.i18n`, below every stage: the plan (`junheng.planning`) words its measures with
it as the report does; `junheng.report.format` re-exports it for the report's modules and notebooks.
"""

from __future__ import annotations

import math

from pandas import NA as _NA

from junheng.i18n import t

MISSING = "—"
# Values equal to a threshold up to floating-point error meet it (the engine's rule).
TOLERANCE = 1e-9
COEFFICIENT_DECIMALS = 3
PERCENT_DECIMALS = 1
MAX_DECIMALS = 6


def is_missing(value) -> bool:
    """None, NaN and pandas' missing values."""
    if value is None or value is _NA:
        return True
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return True


def number(value, decimals: int = 2, thousands: bool = True) -> str:
    """``1234.5`` → ``"1,234.50"``; integers keep no decimals when ``decimals`` is 0."""
    if is_missing(value):
        return MISSING
    value = float(value)
    if decimals <= 0:
        value = round(value)
        return f"{value:,.0f}" if thousands else f"{value:.0f}"
    return f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"


def integer(value) -> str:
    """A count: ``1500`` → ``"1,500"``."""
    return number(value, 0)


def percent(value, decimals: int = PERCENT_DECIMALS) -> str:
    """A share: ``0.8471`` → ``"84.7%"``."""
    if is_missing(value):
        return MISSING
    return f"{float(value) * 100:.{decimals}f}%"


def wan(yuan) -> str:
    """An amount of money in 万元 (ten thousand yuan) with two decimals: 595000 → ``"59.50"``."""
    if is_missing(yuan):
        return MISSING
    return number(float(yuan) / 10000, 2)


def money(yuan, lang: str = "zh") -> str:
    """A plan's amount in a table cell, in the unit its header names.

    A plan's amount in a table cell, in the unit its header names: 万元 in Chinese reports (59.50), yuan in
    English ones (595,000).
    """
    return wan(yuan) if lang == "zh" else integer(yuan)


def money_text(yuan, lang: str = "zh") -> str:
    """An amount in a sentence: 59.50万元 / 595,000 yuan."""
    return f"{wan(yuan)}万元" if lang == "zh" else f"{integer(yuan)} yuan"


def coefficient(value) -> str:
    """A difference coefficient, always with three decimals."""
    return number(value, COEFFICIENT_DECIMALS, thousands=False)


def _meets(value: float, threshold: float, comparison: str) -> bool:
    if comparison == ">=":
        return value >= threshold * (1 - TOLERANCE) if threshold >= 0 else value >= threshold
    if comparison == "<=":
        return value <= threshold * (1 + TOLERANCE) if threshold >= 0 else value <= threshold
    if comparison == "<":
        return value < threshold
    if comparison == ">":
        return value > threshold
    raise ValueError(f"unknown comparison {comparison!r}")


def against(
    value,
    threshold,
    decimals: int,
    comparison: str = ">=",
    scale: float = 1.0,
    suffix: str = "",
    thousands: bool = True,
) -> str:
    """``value`` formatted so that rounding never moves it across ``threshold``.

    The shown number is read back and compared as the reader would; while that comparison
    disagrees with the one at full precision, one more decimal is shown (up to six).
    ``scale`` = 100 with ``suffix`` = "%" formats shares as percentages.
    """
    if is_missing(value):
        return MISSING
    true = float(value) * scale
    if is_missing(threshold):
        shown = decimals
    else:
        limit = float(threshold) * scale
        verdict = _meets(true, limit, comparison)
        shown = decimals
        while shown < MAX_DECIMALS and _meets(round(true, shown), limit, comparison) != verdict:
            shown += 1
    text = number(true, shown, thousands) if shown > 0 else number(true, 0, thousands)
    return text + suffix


def percent_against(value, threshold, comparison: str = ">=", decimals: int = PERCENT_DECIMALS) -> str:
    """A share next to its threshold share: 0.8471 against 0.85 → ``"84.7%"``; 0.84996 → ``"84.996%"``."""
    return against(value, threshold, decimals, comparison, scale=100, suffix="%", thousands=False)


def percent_of_standard(ratio, floor: float | None = None) -> str:
    """A school value as a share of its threshold (占标准), never rounded across a limit.

    A school value as a share of its threshold (占标准), one decimal, never rounded across 100% (meets the
    threshold) nor across the school rule's floor (e.g. 85%): 0.8496 → ``"84.96%"``, 0.99996 → ``"99.996%"``.
    """
    if is_missing(ratio):
        return MISSING
    decimals = PERCENT_DECIMALS
    for boundary in (1.0, floor):
        if boundary is None:
            continue
        text = percent_against(ratio, boundary)
        decimals = max(decimals, len(text.rstrip("%").partition(".")[2]))
    return f"{float(ratio) * 100:.{decimals}f}%"


def coefficient_margin(value) -> str:
    """How far a coefficient is from its limit, in the coefficients' three decimals (0.003).

    A distance that rounds to 0.000 reads "<0.001".
    """
    if is_missing(value):
        return MISSING
    value = abs(float(value))
    if value < 0.5 * 10**-COEFFICIENT_DECIMALS:
        return "<" + number(10**-COEFFICIENT_DECIMALS, COEFFICIENT_DECIMALS, thousands=False)
    return number(value, COEFFICIENT_DECIMALS, thousands=False)


def coefficient_against(value, limit) -> str:
    """A coefficient next to its limit (≤): 0.5004 against 0.50 → ``"0.5004"``."""
    return against(value, limit, COEFFICIENT_DECIMALS, "<=", thousands=False)


def ceil_to(value, step: float) -> float:
    """Round an amount to add up to the next ``step`` (you cannot build 0.3 m²)."""
    if is_missing(value):
        return value
    if step <= 0:
        return float(value)
    return math.ceil(float(value) / step - TOLERANCE) * step


def designation(name: str, lang: str = "zh") -> str:
    """全县 for 某某县, 全市 for a county-level city, 全区 for a district, 全旗 for a banner."""
    for suffix in ("市", "区", "旗"):
        if str(name).endswith(suffix):
            return t(f"report.designation.{suffix}", lang)
    return t("report.designation.县", lang)


def county_words(name: str, lang: str = "zh") -> dict:
    """How the report names the county itself, from the suffix of its name (a county-level city is a 市).

    ``whole`` 全县 / 全市 / 全区 / 全旗, ``own`` 本县 / 本市 / 本区 / 本旗 and ``tier`` 县 / 市 / 区 / 旗
    (县教育局 → 市教育局): the parameters of every sentence that names the county, e.g. 清源市 →
    全市、本市、市教育局. Official item names (县域, 县级人民政府 in a standard's wording) are not these.
    """
    suffix = next((s for s in ("市", "区", "旗") if str(name).endswith(s)), "县")
    return {
        "whole": t(f"report.designation.{suffix}", lang),
        "own": t(f"report.own.{suffix}", lang),
        "tier": t(f"report.tier.{suffix}", lang),
    }


def long_date(day, lang: str = "zh") -> str:
    """2025年3月31日 / 31 March 2025."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day.strftime('%B')} {day.year}"


# -- language-aware joining: Chinese punctuation in Chinese text only --------------------------------------
ROMAN = str.maketrans({"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "Ⅵ": "VI"})


def series(parts, lang: str = "zh") -> str:
    """A list in running text: ``A、B、C`` in Chinese, ``A, B, C`` in English."""
    return ("、" if lang == "zh" else ", ").join(str(p) for p in parts)


def bracket(text, lang: str = "zh") -> str:
    """A parenthesis after a word: ``（text）`` in Chinese, `` (text)`` in English."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def plural(n, noun: str, lang: str = "zh") -> str:
    """An English noun in the number ``n`` asks for (``school`` → ``schools``); Chinese unchanged.

    ``noun`` may give both forms as ``"teaching point under 50 students|teaching points under 50
    students"`` where the head noun is not the last word; otherwise the last word takes the plural.
    """
    one, _, other = noun.partition("|")
    if lang == "zh" or n == 1:
        return one
    if other:
        return other
    head, _, last = one.rpartition(" ")
    if last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def in_sentence(name, lang: str = "zh") -> str:
    """A name inside an English sentence: its first letter in lower case.

    ``Primary`` → ``primary``, ``Sports ground …`` → ``sports ground …``; an abbreviation (``PE and art
    …``, ``R5``) and Chinese stay as they are.
    """
    name = str(name)
    if lang == "zh" or len(name) < 2 or not name[1].islower():
        return name
    return name[0].lower() + name[1:]


def in_cell(verdict, lang: str = "zh") -> str:
    """A verdict in a table cell: the cover's capitals (NOT YET MET) as ``Not yet met`` in English."""
    verdict = str(verdict)
    return verdict if lang == "zh" else verdict[:1].upper() + verdict[1:].lower()


def counted(n, noun: str, lang: str = "zh", measure: str = "所") -> str:
    """A count of things: ``教学点2所`` in Chinese, ``2 teaching points`` in English."""
    return f"{noun}{integer(n)}{measure}" if lang == "zh" else f"{integer(n)} {plural(n, noun, lang)}"


def roman(text: str, lang: str = "zh") -> str:
    """Roman numerals as English text writes them (Ⅲ → III); Chinese text keeps Ⅲ."""
    return text if lang == "zh" else str(text).translate(ROMAN)


def year_span(first, last, lang: str = "zh") -> str:
    """A span of years: ``2021—2024`` in Chinese, ``2021–2024`` (en dash) in English."""
    return f"{first}—{last}" if lang == "zh" else f"{first}–{last}"


def unnest(text: str) -> str:
    """English text without brackets inside brackets.

    ``(103.7% (standard: 100%))`` → ``(103.7%; standard: 100%)``: the inner bracket becomes a clause.
    """
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            if depth >= 1:
                while out and out[-1] == " ":
                    out.pop()
                out.append("; ")
            else:
                out.append(ch)
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def clauses(parts, lang: str = "zh") -> str:
    """Clauses in a row: ``A；B`` in Chinese, ``A; B`` in English."""
    return ("；" if lang == "zh" else "; ").join(str(p) for p in parts)
