"""How the value and the threshold of each item of Parts G, Q and S read in a table."""

from __future__ import annotations

from junheng.i18n import t
from junheng.report import format as fmt

PERCENT_ITEMS = {"G8", "G9", "G11", "G12", "G13", "G14", "G15", "Q1", "Q2", "S"}
COUNT_ITEMS = {"G3", "G4", "G5", "G6", "Q3", "Q4", "Q6", "Q9"}
LEVEL_ITEMS = {"Q5", "Q7", "Q8"}
FLAG_ITEMS = {"G1", "G10"}
ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}


def _first_threshold(threshold):
    if isinstance(threshold, dict):
        return next(iter(threshold.values()), None)
    return threshold


def value_text(item, lang: str) -> str:
    """The item's value as the table shows it (a share, a count of schools, a level…)."""
    value, iid = item.value, item.id
    if fmt.is_missing(value):
        return fmt.MISSING
    if iid in PERCENT_ITEMS:
        threshold = _first_threshold(item.threshold)
        return fmt.percent_against(value, threshold if isinstance(threshold, (int, float)) else None)
    if iid in COUNT_ITEMS:
        key = "report.text.subjects_below" if iid == "Q9" else "report.text.schools_below"
        return t(key, lang, n=int(value))
    if iid in LEVEL_ITEMS:
        return ROMAN.get(int(value), str(value))
    if iid in FLAG_ITEMS or item.part in ("vetoes",):
        return t("report.words.affirmative" if value else "report.words.negative", lang)
    if iid == "G2":
        return f"{int(value)}/4"
    if iid == "G7":
        return fmt.number(value, 0)
    if iid == "prerequisite":
        return str(int(value))
    return str(value)


def threshold_text(item, lang: str) -> str:
    """The item's threshold in words (≥ 85%, level ≥ Ⅲ, every school…)."""
    thr, iid = item.threshold, item.id
    if isinstance(thr, dict):
        parts = []
        for key, v in thr.items():
            label = t(f"report.threshold_keys.{key}", lang)
            if key == "min_level":
                parts.append(f"{label} ≥ {ROMAN.get(v, v)}")
            elif key == "max_difference_rate":
                parts.append(f"{label} < {v}")
            elif isinstance(v, float) and v <= 1:
                parts.append(f"{label} ≥ {fmt.percent(v, 0)}")
            else:
                parts.append(f"{label} ≤ {v}")
        return "；".join(parts)
    if iid in PERCENT_ITEMS:
        return f"≥ {fmt.percent(thr, 0)}"
    if iid in COUNT_ITEMS:
        return t("report.text.every_school", lang)
    if iid in LEVEL_ITEMS:
        return f"≥ {ROMAN.get(thr, thr)}"
    if iid == "G7":
        return f"≥ {fmt.number(thr, 0)}"
    if iid in FLAG_ITEMS or item.part == "vetoes":
        return t("report.words.affirmative" if item.part != "vetoes" else "report.words.negative", lang)
    return fmt.MISSING if thr is None else str(thr)
