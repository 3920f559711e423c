"""Check a target as written and turn it into a Target.

Every error is located where the value was
written (sheet cell, or YAML line and key path), in the user's words. A target with an error is
reported and left out; the others are kept.
"""

from __future__ import annotations

import math
import re

from junheng.i18n import t
from junheng.inputs.schema import normalise
from junheng.inputs.targets.columns import CUSTOM_SOURCE, FLAG, NUMBER, ColumnCatalog
from junheng.inputs.targets.model import Measure, Target
from junheng.inputs.targets.sources import RawTarget
from junheng.inputs.targets.spec import (
    comparison_lookup,
    denominator_lookup,
    enum_lookup,
    fold,
    form_lookup,
    group_lookup,
    indicator_lookup,
    item_lookup,
    kind_lookup,
    kinds,
    part_lookup,
    rule_sets,
    yes_no_lookup,
)
from junheng.problems import ERROR

YEARS = (1949, 2100)


class _Checker:
    """Collects the problems of one target; ``ok`` stays True while none is an error."""

    def __init__(self, raw: RawTarget, problems: list):
        self.raw, self.problems, self.county, self.ok, self.errors = raw, problems, None, True, 0

    def error(self, where, name, **params):
        self.problems.append(where.problem(ERROR, name, self.county, **params))
        self.ok = False
        self.errors += 1

    def missing(self, key):
        self.error(self.raw.place(key), "missing_field", field=self.raw.label(key))


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_number(value) -> float | None:
    """A number as typed: 0.85, "85%", "1,200", "８５％"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = normalise(str(value)).replace(",", "").replace("，", "").replace("％", "%")
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%"))
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return number / 100 if percent else number


def parse_year(value) -> int | None:
    """A year as typed: 2024, 2024.0, "2024年"; None when it is not one (or outside 1949-2100)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        year = value
    else:
        match = re.fullmatch(r"(\d{4})年?", normalise(str(value)))
        if not match:
            return None
        year = int(match.group(1))
    return year if YEARS[0] <= year <= YEARS[1] else None


def _county_code(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).zfill(6) if isinstance(value, int) else str(value).strip()
    return text if text.isascii() and text.isdigit() and len(text) == 6 else None


def _choice(check, measure, key, lookup, choices):
    if key not in measure:
        return None
    value, where = measure[key]
    found = lookup.get(fold(value))
    if found is None:
        check.error(where, "unknown_choice", field=check.raw.label(key), value=value, choices=choices)
    return found


def _enum_choices(name: str) -> str:
    from junheng.inputs.schema import load_schema

    return "、".join(v["zh"] for v in load_schema().enums[name].values())


def _parse_column(check, measure, key, county, catalog, usage):
    """A ``column``, ``flag`` or ``denominator`` naming a data column."""
    value, where = measure[key]
    col = catalog.find(value, county)
    if col is None:
        check.error(where, "unknown_column", value=value)
        return None
    wanted = FLAG if key == "flag" else NUMBER
    if col.source == CUSTOM_SOURCE:
        if usage.setdefault(col.name, wanted) != wanted:
            check.error(where, "column_used_both", value=value)
            return None
    elif col.kind != wanted:
        check.error(where, "not_flag_column" if wanted == FLAG else "flag_as_number", value=value)
        return None
    return col.name


def parse_measure(check: _Checker, county: str, catalog: ColumnCatalog, usage: dict) -> Measure | None:
    """The Measure, or None when it has an error; checked whatever else is wrong with the target."""
    raw = check.raw
    measure = raw.measure
    errors = check.errors  # the measure is checked whatever else is wrong with the target
    if "_invalid" in measure:
        check.ok = False
        return None
    if "kind" not in measure:
        check.missing("kind")
        return None
    value, where = measure["kind"]
    kind = kind_lookup().get(fold(value))
    if kind is None:
        choices = "、".join(f"{k}（{t(f'targets.kind.{k}')}）" for k in kinds())
        check.error(where, "unknown_kind", value=value, choices=choices)
        return None
    spec = kinds()[kind]
    allowed = {"kind", *spec["quantity"], *spec["required"], *spec["optional"]}
    for key, (_, key_where) in measure.items():
        if key not in allowed:
            check.error(key_where, "key_not_allowed", kind=value, key=raw.label(key))
    quantity = [k for k in spec["quantity"] if k in measure]
    if spec["quantity"] and not quantity:
        keys = "、".join(f"“{raw.label(k)}”" for k in spec["quantity"])
        check.error(raw.place(spec["quantity"][0]), "quantity_missing", kind=value, keys=keys)
    elif len(quantity) > 1:
        keys = "、".join(f"“{raw.label(k)}”" for k in quantity)
        check.error(measure[quantity[1]][1], "quantity_many", keys=keys)
    for key in spec["required"]:
        if key not in measure:
            check.missing(key)
    if check.errors > errors:
        return None
    m = Measure(kind=kind, written={k: v for k, (v, _) in measure.items()})
    if "indicator" in measure:
        text, where = measure["indicator"]
        m.indicator = indicator_lookup().get(fold(text))
        if m.indicator is None:
            ids = "、".join(i.id for rules in rule_sets() for i in rules.indicators)
            check.error(where, "unknown_indicator", value=text, choices=ids)
        for key in ("scale", "denominator"):
            if key in measure:
                check.error(measure[key][1], "scale_with_indicator")
    if "column" in measure:
        m.column = _parse_column(check, measure, "column", county, catalog, usage)
    if "flag" in measure:
        m.flag = _parse_column(check, measure, "flag", county, catalog, usage)
        for key in ("scale", "denominator"):
            if key in measure:
                check.error(measure[key][1], "key_not_allowed", kind=value, key=raw.label(key))
    if "denominator" in measure and m.column:
        text, where = measure["denominator"]
        m.denominator = denominator_lookup().get(fold(text)) or _parse_column(
            check, measure, "denominator", county, catalog, usage
        )
    for key in ("scale", "threshold"):
        if key in measure:
            text, where = measure[key]
            number = parse_number(text)
            if number is None or (key == "scale" and number <= 0):
                check.error(where, "bad_positive" if key == "scale" else "bad_value", value=text)
            elif key == "scale":
                m.scale = number
            else:
                m.threshold = number
    if kind == "share_meeting" and m.column and "threshold" not in measure:
        check.error(raw.place("threshold"), "threshold_needed")
    if kind == "share_meeting" and "flag" in measure and "threshold" in measure:
        check.error(measure["threshold"][1], "threshold_with_flag")
    m.section = _choice(check, measure, "section", enum_lookup("section"), _enum_choices("section"))
    m.location = _choice(check, measure, "location", enum_lookup("location"), _enum_choices("location"))
    m.ownership = _choice(check, measure, "ownership", enum_lookup("ownership"), _enum_choices("ownership"))
    groups = _enum_choices("location") + "、" + _enum_choices("ownership")
    group = _choice(check, measure, "group", group_lookup(), groups)
    reference = _choice(check, measure, "reference", group_lookup(), groups)
    if group and reference:
        if group[0] != reference[0]:
            check.error(
                measure["reference"][1],
                "group_dimension",
                group=measure["group"][0],
                reference=measure["reference"][0],
            )
        elif group[1] == reference[1]:
            check.error(measure["reference"][1], "same_group", group=measure["group"][0])
        elif group[0] in measure:
            check.error(measure[group[0]][1], "filter_on_gap_dimension", key=raw.label(group[0]))
        m.dimension, m.group, m.reference = group[0], group[1], reference[1]
    m.form = _choice(check, measure, "form", form_lookup(), "比值（ratio）、差值（difference）") or "ratio"
    if "item" in measure:
        text, where = measure["item"]
        m.item = item_lookup().get(fold(text))
        if m.item is None:
            check.error(
                where, "unknown_item", value=text, choices="、".join(dict.fromkeys(item_lookup().values()))
            )
    m.part = _choice(
        check,
        measure,
        "part",
        part_lookup(),
        "、".join(f"{k}（{t(f'part.{k}')}）" for k in part_lookup().values()),
    )
    return m if check.errors == errors else None


def _comparison_and_value(check: _Checker, value_kind: str):
    """The comparison and the target value, checked against what the measure yields."""
    raw = check.raw
    fields = raw.fields
    op = None
    if "comparison" in fields:
        text, where = fields["comparison"]
        op = comparison_lookup().get(fold(text))
        if op is None:
            check.error(where, "bad_comparison", value=text)
            return None, None
    if value_kind == "yesno":
        if op not in (None, "="):
            check.error(fields["comparison"][1], "comparison_for_yesno")
        if "value" not in fields:
            return "=", 1.0
        text, where = fields["value"]
        found = yes_no_lookup().get(fold(text))
        if found is None:
            check.error(where, "bad_yesno", value=text)
            return None, None
        return "=", float(found)
    if "comparison" not in fields:
        check.error(raw.place("comparison"), "missing_comparison")
    elif op == "=":
        check.error(fields["comparison"][1], "equality_for_number")
    if "value" not in fields:
        check.error(raw.place("value"), "missing_value")
        return None, None
    text, where = fields["value"]
    number = parse_number(text)
    if number is None:
        check.error(where, "bad_value", value=text)
    elif value_kind == "share" and not 0 <= number <= 1:
        check.error(where, "share_range", value=text)
    return op, number


def parse_target(raw: RawTarget, catalog: ColumnCatalog, problems: list, usage: dict) -> Target | None:
    """The Target, or None when it has an error.

    Each error is reported once, where it was written.
    ``usage`` collects how county-added columns are used (name -> number or flag).
    """
    check = _Checker(raw, problems)
    check.ok = not raw.broken
    if raw.county is not None:
        value, where = raw.county
        county = _county_code(value)
        if county is None:
            check.error(where, "bad_county", value=value)
            return None
    elif raw.default_county:
        county = raw.default_county
    elif raw.county_said:  # the sheet's column blank in every row: said once (read_sheet)
        return None
    else:
        check.error(raw.place("county_code"), "no_county")
        return None
    check.county = county
    fields = raw.fields
    for key in ("id", "name", "due_year"):
        if key not in fields:
            check.missing(key)
    if not raw.measure:
        check.error(
            raw.place("kind"), "missing_field", field="measure" if not raw.in_sheet else raw.label("kind")
        )
        measure = None
    else:
        measure = parse_measure(check, county, catalog, usage)
    kind = kind_lookup().get(fold(raw.measure["kind"][0])) if "kind" in raw.measure else None
    op, value = _comparison_and_value(check, kinds()[kind]["value"]) if kind else (None, None)
    years = {}
    for key in ("due_year", "baseline_year"):
        if key in fields:
            text, where = fields[key]
            years[key] = parse_year(text)
            if years[key] is None:
                check.error(where, "bad_year", value=text)
    due, baseline = years.get("due_year"), years.get("baseline_year")
    if due and baseline and baseline >= due:
        check.error(fields["baseline_year"][1], "baseline_after_due", baseline=baseline, due=due)
    name = fields.get("name", (None, None))[0]
    if isinstance(name, dict):
        name = {k: str(v) for k, v in name.items()}
    elif name is not None:
        name = _text(name)
    if not check.ok or measure is None:
        return None
    return Target(
        county_code=county,
        id=_text(fields["id"][0]),
        name=name,
        measure=measure,
        comparison=op,
        value=value,
        due_year=due,
        baseline_year=baseline,
        note=_text(fields["note"][0]) if "note" in fields else None,
        plan=raw.plan,
        where=raw.where,
        year=raw.year,
    )
