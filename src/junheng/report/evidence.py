"""What each item of Parts G, Q and S and each veto was decided on, in words.

What each item of Parts G, Q and S and each veto was decided on, in words with its figures: the 依据 column of
the item tables and the sentences of the conclusion. Everything comes from the evidence the engine returns
with each item (`County.items`); numbers go through `junheng.report.format` (a value next to its threshold is
never rounded across it).
"""

from __future__ import annotations

import pandas as pd

from junheng.i18n import t
from junheng.item_values import items_of
from junheng.method.tolerance import reaches, within
from junheng.report import format as fmt

PERCENT_ITEMS = items_of("share")
COUNT_ITEMS = items_of("schools") | items_of("subjects")
LEVEL_ITEMS = items_of("level")
FLAG_ITEMS = items_of("flag")
ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
LISTED = 6  # schools named in one cell before "and n more"


def _t(key: str, lang: str, **params) -> str:
    return t(f"report.evidence.{key}", lang, **params)


def _unit(kind: str, lang: str) -> str:
    return t(f"report.units.{kind}", lang)


def _flag(value, lang: str) -> str:
    if fmt.is_missing(value):
        return fmt.MISSING
    return _t("yes" if bool(value) else "no", lang)


def _level(value, lang: str) -> str:
    if fmt.is_missing(value):
        return fmt.MISSING
    level = int(value)
    return (
        f"{ROMAN.get(level, level)}级"
        if lang == "zh"
        else f"level {fmt.roman(ROMAN.get(level, level), lang)}"
    )


def vs(value_text: str, limit_text: str, ok: bool, lang: str, kind: str = "min") -> str:
    """A value next to its standard, worded by the result.

    A value next to its standard, worded by the result: "8.1%，低于10%的标准" when it fails,
    "91.0%（标准不低于85%）" when it meets it (``kind``: min, max or eq).
    """
    return t(f"report.vs.{kind}_{'ok' if ok else 'fail'}", lang, value=value_text, limit=limit_text)


def share_vs(value, minimum, lang: str, kind: str = "min") -> str:
    """A share against its minimum share (or its maximum with ``kind="max"``), worded by the result."""
    if fmt.is_missing(value):
        return fmt.MISSING
    ok = reaches(value, minimum) if kind != "max" else within(value, minimum)
    return vs(
        fmt.percent_against(value, minimum, "<=" if kind == "max" else ">="),
        fmt.percent(minimum, 0),
        ok,
        lang,
        "eq" if kind == "min" and minimum >= 1 else kind,
    )


def _number_vs(value, limit, lang: str, unit: str, kind: str = "min", decimals: int = 0) -> str:
    if fmt.is_missing(value):
        return fmt.MISSING
    ok = reaches(value, limit) if kind == "min" else within(value, limit)
    shown = fmt.against(value, limit, decimals, ">=" if kind == "min" else "<=") + unit
    return vs(shown, fmt.number(limit, decimals) + unit, ok, lang, kind)


def item_name(item_id: str, lang: str) -> str:
    """The short name of an item for sentences (规划布局, 班额 …)."""
    return t(f"report.item_names.{item_id}", lang)


# -- table cells ------------------------------------------------------------------------------------
def value_text(item, lang: str) -> str:
    """The item's value as the table shows it (a share, a count of schools, a level…)."""
    value, iid = item.value, item.id
    if item.status == "not_assessed" or fmt.is_missing(value):
        return fmt.MISSING
    if iid in PERCENT_ITEMS:
        threshold = _first_threshold(standard(item))
        return fmt.percent_against(value, threshold if isinstance(threshold, (int, float)) else None)
    if iid in COUNT_ITEMS:
        key = "report.text.subjects_below" if iid == "Q9" else "report.text.schools_below"
        return t(key, lang, n=int(value)) if int(value) else t("report.text.none_below", lang)
    if iid in LEVEL_ITEMS:
        return _level(value, lang)
    if iid == "prerequisite":
        return str(int(value))
    if iid in FLAG_ITEMS or item.part == "vetoes":
        return _flag(value, lang)
    if iid == "G2":
        return f"{int(value)}/4"
    if iid == "G7":  # G7: special-education schools' public funds per student, in yuan
        return fmt.against(value, standard(item), 0) + t("report.units.yuan_per_student", lang)
    return str(value)


def threshold_text(item, lang: str) -> str:
    """The item's standard in words (≥ 85%, level Ⅲ or above, every school…)."""
    thr, iid = standard(item), item.id
    if iid in COUNT_ITEMS:
        # the standard as the rule file words it (小学、初中所有班级学生数分别不超过45人、50人),
        # not "every school"
        label = getattr(item, "label", None)
        return label if isinstance(label, str) and label else t("report.text.every_school", lang)
    if isinstance(thr, dict):
        parts = []
        for key, v in thr.items():
            label = t(f"report.threshold_keys.{key}", lang)
            if key == "min_level":
                parts.append(f"{label} ≥ {fmt.roman(str(ROMAN.get(v, v)), lang)}")
            elif key == "max_difference_rate":
                parts.append(f"{label} < {v}")
            elif isinstance(v, float) and v <= 1:
                parts.append(f"{label} ≥ {fmt.percent(v, 0)}")
            else:
                parts.append(f"{label} ≤ {v}")
        return ("；" if lang == "zh" else "; ").join(parts)
    if iid in PERCENT_ITEMS:
        return f"≥ {fmt.percent(thr, 0)}"
    if iid in LEVEL_ITEMS:
        # the method's wording: 良好以上 (good or better), the level a rating must reach
        return t("report.text.level_or_better", lang, level=t(f"report.text.level_words.l{int(thr)}", lang))
    if iid == "G7":
        return f"≥ {fmt.number(thr, 0)}" + t("report.units.yuan_per_student", lang)
    if iid in FLAG_ITEMS or iid == "G2":
        return t("report.words.affirmative", lang)
    if item.part == "vetoes":
        return t("report.words.negative", lang)
    return fmt.MISSING if fmt.is_missing(thr) else f"{thr:g}" if isinstance(thr, float) else str(thr)


def standard(item):
    """The item's standard as the rules give it: its parts (``{"primary": 45, …}``) or its one number.

    ``c.items`` carries both (``threshold_parts``, ``threshold``); a row without ``threshold_parts``
    (a frame built by hand) gives its ``threshold``.
    """
    parts = getattr(item, "threshold_parts", None)
    return parts if isinstance(parts, dict) and parts else getattr(item, "threshold", None)


def _first_threshold(threshold):
    if isinstance(threshold, dict):
        return next(iter(threshold.values()), None)
    return None if fmt.is_missing(threshold) else threshold


# -- evidence in words ------------------------------------------------------------------------------
def _names(c, records: list, describe, lang: str) -> str:
    """The first schools of ``records`` described one by one, then 等N所 (N: all of them) / "and n more"."""
    shown = [describe(r) for r in records[:LISTED]]
    text = t("report.words.and", lang).join(shown)
    if len(records) > LISTED:
        text += _t("more", lang, n=len(records) - LISTED, total=len(records))
    return text


def _school_name(c, record: dict) -> str:
    return c.school_names.get(record.get("school_code"), record.get("school_name", ""))


def _evaluated_rows(c):
    """The schools-table rows of the schools evaluated for Part R (one per school)."""
    rows = c.school_rows
    return rows[rows["school_code"].isin(set(c.evaluated_schools["school_code"]))]


def _lowest(c, lang: str, values, shown) -> str:
    """The clause ", the lowest: <school> <value>" for the school with the smallest of ``values``.

    ``values`` is a Series on the evaluated schools' rows; the clause is the evidence a reader checks
    a "all meet it" against.
    """
    values = values.dropna()
    if values.empty:
        return ""
    at = values.idxmin()
    name = c.school_names.get(c.school_rows.at[at, "school_code"], c.school_rows.at[at, "school_name"])
    return _t("lowest", lang, name=name, value=shown(values[at]))


def _per_school(c, item, lang: str, describe, worst=None) -> str:
    ev, failing = item.evidence, list(item.schools)
    n = ev.get("schools_checked", 0)
    if failing:
        text = _t("checked_bad", lang, n=n + 0, k=len(failing), schools=_names(c, failing, describe, lang))
    elif n:
        text = _t("checked_ok", lang, n=n) + (worst() if worst else "")
    else:
        text = _t("checked", lang, n=0)
    missing = ev.get("schools_missing_data") or []
    if missing:
        text += _t(
            "missing_schools",
            lang,
            k=len(missing),
            schools=_names(c, missing, lambda r: _school_name(c, r), lang),
        )
    return text


def _g1(c, item, lang):
    ev = item.evidence
    text = _t("G1", lang, planned=_flag(ev.get("planned"), lang))
    note = ev.get("note")
    return text + (_t("G1_note", lang, note=note) if isinstance(note, str) and note.strip() else "")


def _g2(c, item, lang):
    labels = {
        k: t(f"report.evidence.G2_parts.{k}", lang)
        for k in (
            "unified_building_standard",
            "unified_staffing_standard",
            "unified_funding_standard",
            "unified_equipment_standard",
        )
    }
    ev = item.evidence
    missing = [labels[k] for k in labels if fmt.is_missing(ev.get(k))]
    if missing:
        return _t("missing", lang)
    off = [labels[k] for k in labels if not bool(ev.get(k))]
    return _t("G2_all", lang) if not off else _t("G2_some", lang, names=t("report.words.and", lang).join(off))


def _g3(c, item, lang):
    def describe(r):
        sizes = ""
        if not fmt.is_missing(r.get("music_room_min_m2")) and not fmt.is_missing(r.get("art_room_min_m2")):
            sizes = _t(
                "G3_sizes",
                lang,
                music_m2=fmt.number(r["music_room_min_m2"], 0),
                art_m2=fmt.number(r["art_room_min_m2"], 0),
                music_min=fmt.number(r["music_min_m2"], 0),
                art_min=fmt.number(r["art_min_m2"], 0),
            )
        return _t(
            "G3_school",
            lang,
            name=_school_name(c, r),
            required=fmt.integer(r["rooms_required"]),
            music=fmt.integer(r.get("music_rooms")),
            art=fmt.integer(r.get("art_rooms")),
            sizes=sizes,
        )

    return _per_school(c, item, lang, describe)


def _g4(c, item, lang):
    text = _per_school(
        c,
        item,
        lang,
        lambda r: _t(
            "G4_school",
            lang,
            name=_school_name(c, r),
            size=fmt.integer(r["size"]),
            limit=fmt.integer(r["limit"]),
        ),
    )
    rows = c.school_rows
    if not item.schools and len(rows):
        size = rows["students_primary"].fillna(0) + rows["students_junior"].fillna(0)
        top = size.idxmax()
        text += _t(
            "G4_largest",
            lang,
            name=c.school_names.get(rows.at[top, "school_code"], ""),
            size=fmt.integer(size[top]),
        )
    return text


def _g5(c, item, lang):
    limits = c.rules.item("guarantee", "G5")["max_class_size"]

    def describe(r):
        parts = []
        sections = [
            s
            for s in ("primary", "junior")
            if not fmt.is_missing(r.get(f"max_class_size_{s}"))
            or not fmt.is_missing(r.get(f"oversized_classes_{s}"))
        ]
        for section in sections:
            size, oversized = r.get(f"max_class_size_{section}"), r.get(f"oversized_classes_{section}")
            # a one-section school is not told its section ("…小学最大班额", not "…小学小学最大班额")
            where = c.section_name(section) if len(sections) > 1 else ""
            if not fmt.is_missing(size) and size > limits[section]:
                parts.append(_t("G5_section", lang, section=where, size=fmt.integer(size)))
            elif fmt.is_missing(size) and not fmt.is_missing(oversized) and oversized > 0:
                parts.append(_t("G5_oversized", lang, section=where, n=fmt.integer(oversized)))
        return _t(
            "G5_school",
            lang,
            name=_school_name(c, r),
            classes="、".join(parts) if lang == "zh" else ", ".join(parts),
        )

    text = _per_school(c, item, lang, describe)
    rows = c.school_rows
    largest = []
    for section in ("primary", "junior"):
        column = f"max_class_size_{section}"
        if column in rows and rows[column].notna().any():
            size = rows[column].max()
            largest.append(
                _t(
                    "G5_limit",
                    lang,
                    section=fmt.in_sentence(c.section_name(section), lang),
                    size=_number_vs(size, limits[section], lang, _unit("person", lang), "max"),
                )
            )
    text += _g5_totals(c, lang)
    if largest:
        # "全县小学最大班额56人，超过45人的标准，初中最大班额45人（标准不超过50人）": clauses, not a list
        text += _t("G5_largest", lang, whole=c.designation, parts=t("report.words.comma", lang).join(largest))
    return text


def _g5_totals(c, lang) -> str:
    """The county's oversized classes per section: how many, in how many schools, of how many classes."""
    rows, parts = c.school_rows, []
    for section in ("primary", "junior"):
        column = f"oversized_classes_{section}"
        if column not in rows or not rows[column].fillna(0).gt(0).any():
            continue
        oversized = rows[column].fillna(0)
        n, schools = int(oversized.sum()), int(oversized.gt(0).sum())
        classes = rows[f"classes_{section}"] if f"classes_{section}" in rows else None
        share = ""
        if classes is not None and classes.notna().any() and classes.fillna(0).sum() > 0:
            total = classes.fillna(0).sum()
            share = _t(
                "G5_share",
                lang,
                section=c.section_name(section),
                total=fmt.integer(total),
                share=fmt.percent(n / total, 1),
            )
        parts.append(
            _t(
                "G5_total",
                lang,
                section=c.section_name(section),
                n=fmt.integer(n),
                schools=fmt.integer(schools),
                share=share,
            )
        )
    if not parts:
        return ""
    return _t("G5_totals", lang, whole=c.designation, parts=t("report.words.comma", lang).join(parts))


def _g6(c, item, lang):
    ev = item.evidence
    if (
        item.status == "not_assessed"
        and not ev.get("small_schools")
        and fmt.is_missing(ev.get("county_flag"))
    ):
        return _t("missing", lang)
    n = ev.get("small_schools", 0)
    if not n and fmt.is_missing(ev.get("benchmark_yuan")):
        return _t("G6_flag", lang, flag=_flag(ev.get("county_flag"), lang))
    funded_as = c.rules.item("guarantee", "G6")["funded_as_students"]
    benchmark = ev.get("benchmark_yuan")
    required = fmt.number(benchmark * funded_as, 0) if not fmt.is_missing(benchmark) else fmt.MISSING
    head = _t("G6_head", lang, n=n, benchmark=fmt.number(benchmark, 0), required=required)
    failing = list(item.schools)
    if failing:
        head += "；" if lang == "zh" else "; "
        head += _names(
            c,
            failing,
            lambda r: _t(
                "G6_school",
                lang,
                name=_school_name(c, r),
                students=fmt.integer(r["students_primary"]),
                funds=_number_vs(r["public_funds_yuan"], r["required_yuan"], lang, _unit("yuan", lang)),
            ),
            lang,
        )
    if ev.get("schools_missing_data"):
        head += _t(
            "missing_schools",
            lang,
            k=len(ev["schools_missing_data"]),
            schools=_names(c, ev["schools_missing_data"], lambda r: _school_name(c, r), lang),
        )
    return head


def _g7(c, item, lang):
    ev = item.evidence
    if ev.get("applies") is False:
        return _t("G7_none", lang, whole=c.designation)
    return _t(
        "G7",
        lang,
        students=fmt.integer(ev.get("special_students")),
        funds=fmt.number(ev.get("funds_yuan"), 0),
        value=_number_vs(item.value, standard(item), lang, _unit("yuan", lang)),
    )


def _g8(c, item, lang):
    ev = item.evidence
    return _t(
        "G8",
        lang,
        teacher=fmt.number(ev.get("teacher_avg_pay_yuan"), 0),
        civil=fmt.number(ev.get("civil_servant_avg_pay_yuan"), 0),
        ratio=share_vs(item.value, 1.0, lang),
        flag=_flag(ev.get("performance_pay_budgeted"), lang),
    )


def _teacher_share(key, column):
    def describe_item(c, item, lang):
        ev = item.evidence
        text = _t(
            key,
            lang,
            done=fmt.integer(ev.get(column)),
            teachers=fmt.integer(ev.get("teachers")),
            ratio=share_vs(item.value, standard(item), lang),
        )
        failing = list(item.schools)
        if failing:
            text += "：" if lang == "zh" else ": "
            text += _names(
                c,
                failing,
                lambda r: _t(
                    "teachers_school",
                    lang,
                    name=_school_name(c, r),
                    done=fmt.integer(r.get(column)),
                    teachers=fmt.integer(r.get("teachers")),
                ),
                lang,
            )
        if ev.get("schools_missing_data"):
            text += _t(
                "missing_schools",
                lang,
                k=len(ev["schools_missing_data"]),
                schools=_names(c, ev["schools_missing_data"], lambda r: _school_name(c, r), lang),
            )
        return text

    return describe_item


def _g10(c, item, lang):
    return _t("G10", lang, flag=_flag(item.evidence.get("flag"), lang))


def _g11(c, item, lang):
    ev = item.evidence
    p = c.rules.item("guarantee", "G11")
    return _t(
        "G11",
        lang,
        eligible=fmt.integer(ev.get("eligible")),
        rotated=fmt.integer(ev.get("rotated")),
        rotated_share=share_vs(ev.get("rotated_share"), p["min_rotated_share"], lang),
        backbone=fmt.integer(ev.get("backbone_rotated")),
        backbone_share=share_vs(ev.get("backbone_share"), p["min_backbone_share"], lang),
    )


def _g13(c, item, lang):
    ev = item.evidence
    parts = []
    for section, minimum in c.rules.item("guarantee", "G13")["min_ratio"].items():
        entrants = ev.get(f"{section}_entrants")
        if fmt.is_missing(entrants):
            continue
        parts.append(
            _t(
                "G13_section",
                lang,
                section=c.section_name(section),
                catchment=fmt.integer(ev.get(f"{section}_catchment")),
                entrants=fmt.integer(entrants),
                ratio=share_vs(ev.get(f"{section}_ratio"), minimum, lang),
            )
        )
    return ("；" if lang == "zh" else "; ").join(parts) if parts else _t("G13_none", lang)


def _g14(c, item, lang):
    ev = item.evidence
    text = _t(
        "G14",
        lang,
        places=fmt.integer(ev.get("places")),
        allocated=fmt.integer(ev.get("allocated")),
        ratio=share_vs(item.value, standard(item), lang),
    )
    if not fmt.is_missing(ev.get("rural_share_of_allocated")):
        allocated = ev.get("allocated")
        rural = ev["rural_share_of_allocated"] * allocated if not fmt.is_missing(allocated) else None
        text += _t(
            "G14_rural",
            lang,
            rural=fmt.integer(rural) + ("人" if lang == "zh" else ""),
            rural_share=fmt.percent(ev["rural_share_of_allocated"]),
        )
    return text


def _g15(c, item, lang):
    ev = item.evidence
    return _t(
        "G15",
        lang,
        flag=_flag(ev.get("care_system"), lang),
        eligible=fmt.integer(ev.get("eligible")),
        public=fmt.integer(ev.get("in_public_places")),
        ratio=share_vs(item.value, standard(item), lang),
    )


def _q1(c, item, lang):
    ev = item.evidence
    return _t(
        "Q1",
        lang,
        enrolled=fmt.integer(ev.get("cohort_grade7_enrolled")),
        deaths=fmt.integer(ev.get("cohort_deaths")),
        transfers_in=fmt.integer(ev.get("cohort_transfers_in")),
        transfers_out=fmt.integer(ev.get("cohort_transfers_out")),
        graduates=fmt.integer(ev.get("cohort_graduates")),
        ratio=share_vs(item.value, standard(item), lang),
    )


def _q2(c, item, lang):
    ev = item.evidence
    return _t(
        "Q2",
        lang,
        school_age=fmt.integer(ev.get("school_age")),
        enrolled=fmt.integer(ev.get("enrolled")),
        ratio=share_vs(item.value, standard(item), lang),
    )


def _q3(c, item, lang):
    def describe(r):
        missing = []
        if r.get("has_charter") is False:
            missing.append(_t("Q3_charter", lang))
        if r.get("ict_management") is False:
            missing.append(_t("Q3_ict", lang))
        return _t("Q3_school", lang, name=_school_name(c, r), missing=fmt.series(missing, lang))

    return _per_school(c, item, lang, describe)


def _q4(c, item, lang):
    def worst():
        rows = _evaluated_rows(c)
        if not {"training_funds_yuan", "public_funds_yuan"} <= set(rows):
            return ""
        funds = rows["public_funds_yuan"].where(rows["public_funds_yuan"] > 0)
        return _lowest(c, lang, rows["training_funds_yuan"] / funds, lambda v: fmt.percent(v, 1))

    return _per_school(
        c,
        item,
        lang,
        lambda r: _t(
            "Q4_school",
            lang,
            name=_school_name(c, r),
            share=share_vs(r.get("training_share"), standard(item), lang),
        ),
        worst,
    )


def _rating(c, item, lang):
    level = item.evidence.get("level")
    words = "" if fmt.is_missing(level) else t(f"report.text.level_words.l{int(level)}", lang)
    minimum = t(f"report.text.level_words.l{int(_first_threshold(standard(item)) or 3)}", lang)
    return _t("level", lang, level=_level(level, lang), words=words, minimum=minimum)


def _q6(c, item, lang):
    def worst():
        rows = _evaluated_rows(c)
        if "moral_education_rating" not in rows:
            return ""
        ratings = pd.to_numeric(rows["moral_education_rating"], errors="coerce").dropna()
        if ratings.empty:
            return ""
        low = int(ratings.min())  # Ⅳ is the best level, Ⅰ the lowest
        return _t(
            "lowest_level",
            lang,
            level=_level(low, lang),
            words=t(f"report.text.level_words.l{low}", lang),
            k=int((ratings == low).sum()),
        )

    return _per_school(
        c,
        item,
        lang,
        lambda r: _t(
            "Q6_school", lang, name=_school_name(c, r), level=_level(r.get("moral_education_rating"), lang)
        ),
        worst,
    )


def _subject(name, lang: str) -> str:
    """A monitoring subject as the data name it (语文), in English when it is one of the national ones."""
    try:
        return t(f"report.monitoring_subjects.{str(name).strip()}", lang)
    except KeyError:
        return str(name)  # the county's own wording


def _q9(c, item, lang):
    ev = item.evidence
    subjects = ev.get("subjects") or []
    year = ev.get("monitoring_year")
    text = _t("Q9_head", lang, year=int(year)) if not fmt.is_missing(year) else ""

    def subject(s):
        return _t(
            "Q9_subject",
            lang,
            section=c.section_name(s["section"]),
            subject=_subject(s["subject"], lang),
            level=_level(s["level"], lang),
            rate=fmt.number(s["difference_rate"], 2, thousands=False),
        )

    p = c.rules.item("quality", "Q9")

    def failing_subject(s):
        reasons = []
        if s["level"] is not None and s["level"] < p["min_level"]:
            reasons.append(_t("Q9_level", lang, level=_level(s["level"], lang)))
        if s["difference_rate"] is not None and s["difference_rate"] >= p["max_difference_rate"]:
            reasons.append(
                _t(
                    "Q9_rate",
                    lang,
                    rate=fmt.number(s["difference_rate"], 2, thousands=False),
                    limit=p["max_difference_rate"],
                )
            )
        return _t(
            "Q9_failing",
            lang,
            section=c.section_name(s["section"]),
            subject=_subject(s["subject"], lang),
            reasons=("；" if lang == "zh" else "; ").join(reasons),
        )

    failing = [s for s in subjects if s["passed"] is False]  # None: level or rate missing (D36)
    if failing:
        text += _t(
            "Q9_bad", lang, subjects=t("report.words.and", lang).join(failing_subject(s) for s in failing)
        )
    elif subjects:
        top = max(subjects, key=lambda s: s["difference_rate"])
        text += _t(
            "Q9_ok",
            lang,
            n=len(subjects),
            rate=fmt.number(top["difference_rate"], 2, thousands=False),
            subject=c.section_name(top["section"])
            + ("" if lang == "zh" else " ")
            + _subject(top["subject"], lang),
        )
    return text


def _s(c, item, lang, brief=False):
    from junheng.i18n import pick
    from junheng.inputs.schema import load_schema

    ev = item.evidence
    groups = ev.get("groups") or {}
    rated = {g: v for g, v in groups.items() if v.get("rate") is not None}
    if brief and rated:
        names = load_schema().enums["survey_group"]
        low = min(rated, key=lambda g: rated[g]["rate"])
        return _t(
            "S_brief",
            lang,
            valid=fmt.integer(ev.get("valid_answers")),
            rate=fmt.percent_against(item.value, standard(item)),
            group=pick(names.get(low, {"zh": low}), lang),
            group_rate=fmt.percent_against(rated[low]["rate"], standard(item)),
        )
    text = _t(
        "S", lang, valid=fmt.integer(ev.get("valid_answers")), rate=share_vs(item.value, standard(item), lang)
    )
    groups = ev.get("groups") or {}
    if groups:
        names = load_schema().enums["survey_group"]
        text += _t(
            "S_groups",
            lang,
            groups=t("report.words.and", lang).join(
                _t(
                    "S_group",
                    lang,
                    group=pick(names.get(g, {"zh": g}), lang),
                    rate=fmt.percent_against(v["rate"], standard(item)),
                    valid=fmt.integer(v["valid"]),
                )
                for g, v in groups.items()
            ),
        )
    if not fmt.is_missing(ev.get("parent_share")):
        text += _t(
            "S_parents",
            lang,
            share=fmt.percent_against(ev["parent_share"], ev.get("parent_share_guideline", 0.5)),
        )
    if not fmt.is_missing(ev.get("resident_population")):
        text += _t(
            "S_sample",
            lang,
            population=fmt.integer(ev["resident_population"]),
            guideline=fmt.integer(ev.get("sample_guideline")),
        )
    return text


def _veto(c, item, lang):
    """存在 / 不存在 / 未填报, and for a veto that applies the county's account of it."""
    if item.status == "not_assessed":
        return _t("veto_unanswered", lang)
    if item.status != "fail":
        return t("report.words.clear", lang)
    details = (item.evidence or {}).get("details")
    if fmt.is_missing(details) or not str(details).strip():
        return _t("veto_no_details", lang)
    return str(details).strip()


# vetoes on admission: the catchment admission figures (G13) show what the data say about them
ADMISSION_VETOES = ("exam_admission", "illegal_school_choice")


def veto_clear(c, item, lang: str) -> str:
    """What a veto that does not apply was decided on (the 依据 of the veto table).

    The county sheet's answer (县级指标表“存在重点校重点班”填报“否”), and for the admission vetoes the
    catchment admission figures of G13, the data that would show admission by examination or choice.
    """
    from junheng.inputs.schema import load_schema

    table = load_schema().tables["county"]
    column = table.columns.get(f"veto_{item.id}")
    text = _t(
        "veto_clear",
        lang,
        sheet=table.sheet if lang == "zh" else table.en,
        field=column.zh if column and lang == "zh" else item.label,
    )
    if item.id in ADMISSION_VETOES and len(c.items):
        g13 = c.items[c.items["id"] == "G13"]
        if len(g13) and g13.iloc[0]["status"] != "not_assessed":
            text += _t("veto_catchment", lang, figures=_g13(c, g13.iloc[0], lang))
    return text


def veto_details(item) -> str:
    """The county's account of a veto that applies, or empty."""
    details = (item.evidence or {}).get("details") if item.status == "fail" else None
    return "" if fmt.is_missing(details) else str(details).strip()


def _prerequisite(c, item, lang):
    year = item.evidence.get("recognised_year")
    return _t("prerequisite", lang, year=int(year)) if not fmt.is_missing(year) else _t("missing", lang)


DESCRIBE = {
    "G1": _g1,
    "G2": _g2,
    "G3": _g3,
    "G4": _g4,
    "G5": _g5,
    "G6": _g6,
    "G7": _g7,
    "G8": _g8,
    "G9": _teacher_share("G9", "teachers_trained_360h"),
    "G10": _g10,
    "G11": _g11,
    "G12": _teacher_share("G12", "teachers_certified"),
    "G13": _g13,
    "G14": _g14,
    "G15": _g15,
    "Q1": _q1,
    "Q2": _q2,
    "Q3": _q3,
    "Q4": _q4,
    "Q5": _rating,
    "Q6": _q6,
    "Q7": _rating,
    "Q8": _rating,
    "Q9": _q9,
    "S": _s,
    "prerequisite": _prerequisite,
}


def evidence_text(c, item, brief: bool = False) -> str:
    """The figures ``item`` was decided on, in words (``c`` is the `County`).

    ``brief``: the shorter form used in the conclusion where the table has the details (Part S).
    """
    lang = c.lang
    if brief and item.id == "S" and item.status != "not_assessed":
        return _s(c, item, lang, brief=True)
    if item.part == "vetoes":
        return _veto(c, item, lang)
    if item.status == "not_assessed" and item.id not in (
        "G3",
        "G4",
        "G5",
        "G6",
        "G9",
        "G12",
        "Q3",
        "Q4",
        "Q6",
    ):
        return _t("missing", lang)
    describe = DESCRIBE.get(item.id)
    out = describe(c, item, lang) if describe else ""
    # "(103.7% (standard: 100%))" reads as "(103.7%; standard: 100%)" in English
    return out if lang == "zh" else fmt.unnest(out)
