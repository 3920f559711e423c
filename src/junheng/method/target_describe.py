"""What a reader sees of a measure: a description in the user's language and the unit of its value."""

from __future__ import annotations

from functools import cache

from junheng.i18n import pick, t
from junheng.inputs.schema import load_schema
from junheng.inputs.targets.columns import ColumnCatalog
from junheng.inputs.targets.model import Measure
from junheng.inputs.targets.spec import fold, rule_sets
from junheng.item_values import value_kind as item_value_kind

_JOIN = {"zh": "", "en": ", "}


def _indicator(key: str, rules):
    for rule_set in (rules, *rule_sets()):
        found = next((i for i in rule_set.indicators if i.key == key), None) if rule_set else None
        if found:
            return found
    return None


def _enum(name: str, key: str | None, lang: str) -> str:
    return pick(load_schema().enums[name][key], lang) if key else ""


@cache
def _contract_catalog() -> ColumnCatalog:
    return ColumnCatalog(None)


def _column(name: str, lang: str) -> str:
    if name.startswith("custom:"):
        return name[len("custom:") :]
    col = _contract_catalog().by_spelling.get(fold(name))
    if col is not None:
        return pick(col.label, lang)
    return name


def _number(value: float) -> str:
    return f"{value:g}"


def quantity(m: Measure, rules, lang: str = "zh") -> str:
    """The thing measured: an indicator's name, or a column with what it is divided by."""
    if m.indicator:
        ind = _indicator(m.indicator, rules)
        return pick(ind.label, lang) if ind else m.indicator
    if m.flag:
        return _column(m.flag, lang)
    if not m.column:
        return ""
    column = _column(m.column, lang)
    if m.denominator == "none":
        return (
            column if m.scale == 1 else t("targets.label.scaled", lang, column=column, scale=_number(m.scale))
        )
    if m.scale in (1, 100):
        if m.denominator == "students":
            key = "per_student" if m.scale == 1 else "per_100_students"
            return t(f"targets.label.{key}", lang, column=column)
        key = "per_column" if m.scale == 1 else "per_100_column"
        return t(f"targets.label.{key}", lang, column=column, denominator=_column(m.denominator, lang))
    base = t("targets.label.per_student", lang, column=column)
    if m.denominator != "students":
        base = t("targets.label.per_column", lang, column=column, denominator=_column(m.denominator, lang))
    return t("targets.label.scaled", lang, column=base, scale=_number(m.scale))


def _scope(m: Measure, lang: str) -> str:
    parts = [_enum("section", m.section, lang)]
    schools = [_enum("location", m.location, lang), _enum("ownership", m.ownership, lang)]
    parts = [p for p in parts + schools if p]
    if not parts:
        return ""
    key = "scope_schools" if any(schools) else "scope"
    return t(f"targets.label.{key}", lang, parts=_JOIN[lang].join(parts))


def describe(m: Measure, rules=None, lang: str = "zh") -> str:
    """E.g. "小学每百名学生拥有网络多媒体教室数（县域均值）", "乡村学校与城区学校…之比"."""
    scope = _scope(m, lang)
    q = quantity(m, rules, lang)
    if m.kind in ("mean", "cv", "share_passing"):
        return t(f"targets.label.{m.kind}", lang, scope=scope, quantity=q)
    if m.kind == "share_meeting":
        if m.flag:
            return t("targets.label.share_flag", lang, scope=scope, quantity=q)
        if m.threshold is not None:
            return t(
                "targets.label.share_threshold", lang, scope=scope, quantity=q, threshold=_number(m.threshold)
            )
        return t("targets.label.share_meeting", lang, scope=scope, quantity=q)
    if m.kind == "gap":
        if m.flag:
            q = t("targets.label.flag_share", lang, column=q)
        group = _enum(m.dimension, m.group, lang)
        reference = _enum(m.dimension, m.reference, lang)
        return t(
            f"targets.label.gap_{m.form}", lang, scope=scope, quantity=q, group=group, reference=reference
        )
    if m.kind in ("item", "item_met"):
        try:
            label = t(f"report.item_names.{m.item}", lang)
        except KeyError:
            label = m.item
        kind = item_value_kind(m.item) if m.kind == "item" else None
        key = (
            f"targets.label.item_{kind}"
            if kind in ("share", "schools", "subjects", "level", "yuan")
            else (f"targets.label.{m.kind}")
        )
        return t(key, lang, item=m.item, label=label)
    if m.part:
        return t("targets.label.verdict_part", lang, part=t(f"part.{m.part}", lang))
    return t("targets.label.verdict", lang)


def unit(m: Measure, rules=None, lang: str = "zh") -> str:
    """The unit of the measure's value.

    An indicator's unit for its means and differences, "%" for
    shares (values are fractions 0-1), nothing for coefficients, ratios, items and yes/no.
    """
    if m.value_kind == "share":
        return "%"
    if m.kind == "item" and item_value_kind(m.item) in ("schools", "subjects", "yuan"):
        return t(f"targets.unit.{item_value_kind(m.item)}", lang)
    if m.indicator and (m.kind == "mean" or (m.kind == "gap" and m.form == "difference" and not m.flag)):
        ind = _indicator(m.indicator, rules)
        return pick(ind.unit, lang) if ind else ""
    if m.kind == "gap" and m.flag and m.form == "difference":
        return "%"
    return ""
