"""The report's tables: pandas Stylers built from the frames of a `County`.

Every cell is text formatted by `junheng.report.format` (one number format per unit, rounding
that never crosses a threshold) and escaped by the Styler. Meaning travels in CSS classes:
``num`` right-aligns a column, ``status <code>`` draws a verdict, on screen (style.css) and in
the PDF (filter.lua). ``table.data`` holds the displayed values as a DataFrame.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass

import pandas as pd

from junheng.diskcache import jinja_templates_cached
from junheng.i18n import pick, t
from junheng.planning.missing import set_aside_schools
from junheng.report import format as fmt
from junheng.report.once import once

with jinja_templates_cached():  # pandas compiles the Styler's templates as it imports it: once per user
    from pandas.io.formats.style import Styler

STATUS_LABEL = {
    "pass": "status.pass",
    "fail": "status.fail",
    "not_assessed": "status.not_assessed",
    "excluded": "status.excluded",
    "evaluated": "status.evaluated",
}


@dataclass(frozen=True)
class Column:
    """One column of a report table: its header and whether it holds numbers or verdicts."""

    header: str
    kind: str = "text"  # text | num | status


def status_text(status, lang: str) -> str:
    """达标 / 未达标 / 数据缺失，未评估 / 不参评."""
    return t(STATUS_LABEL.get(status, "status.not_assessed"), lang)


def build(
    rows: list[list], columns: list[Column], caption: str | None = None, statuses: list[list] | None = None
) -> Styler:
    """A Styler of ``rows`` (already formatted text), status cells coloured.

    A Styler of ``rows`` (already formatted text); ``statuses`` gives the status code of each cell of
    ``status`` columns (e.g. "fail") for its colour.
    """
    headers = [c.header for c in columns]
    data = pd.DataFrame(rows, columns=pd.Index(headers)) if rows else pd.DataFrame(columns=pd.Index(headers))
    # each cell's CSS class, the frame built at once (Python strings: the Styler reads them one by one)
    n = len(data)
    by_column = [
        ["num"] * n
        if col.kind == "num"
        else [f"status {row[j]}" if row[j] else "" for row in statuses]
        if col.kind == "status" and statuses is not None
        else [""] * n
        for j, col in enumerate(columns)
    ]
    classes = pd.DataFrame(
        list(zip(*by_column, strict=True)) if n else None,
        index=data.index,
        columns=data.columns,
        dtype=object,
    )
    uid = hashlib.sha1(("|".join(headers) + (caption or "")).encode()).hexdigest()[:8]
    styler = Styler(data, uuid=uid, cell_ids=False, escape="html", na_rep=fmt.MISSING)
    styler = styler.hide(axis="index").format_index(escape="html", axis=1)
    styler = styler.set_td_classes(classes).set_table_attributes('class="jh-table"')
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


# -- Part R -----------------------------------------------------------------------------------------
def coefficients(c, section: str) -> Styler:
    """The table of the seven coefficients of one section.

    Threshold, county mean, coefficient, its change since the previous year (when the data have that
    year), limit, result.
    """
    lang = c.lang
    rows, statuses = [], []
    cv = c.coefficients[c.coefficients["section"] == section]
    previous = previous_coefficients(c, section)
    for r in cv.itertuples():
        threshold = (
            f"≥ {fmt.number(r.threshold, r.decimals)}" if not fmt.is_missing(r.threshold) else fmt.MISSING
        )
        if r.status == "ok":
            value = fmt.coefficient_against(r.cv, r.limit) if "limit" in cv else fmt.coefficient(r.cv)
        else:
            value = t("report.words.undefined", lang)
        status = (
            ("pass" if r.passed else "fail")
            if "passed" in cv and r.status == "ok"
            else ("fail" if r.status != "ok" else "")
        )
        note = t("report.words.borderline", lang) if getattr(r, "borderline", False) else ""
        # English names are long ("Teachers above required qualification per 100 students"): the
        # table gives the short one (Qualified teachers) beside its unit, as the other tables do
        short = getattr(r, "short", "")
        name = short if lang == "en" and isinstance(short, str) and short else r.name
        rows.append(
            [
                f"{r.indicator} {name}",
                r.unit,
                threshold,
                fmt.number(r.mean, r.decimals),
                value,
                *([coefficient_change(r.cv, previous.get(r.indicator))] if previous else []),
                f"≤ {fmt.number(r.limit, 2)}" if "limit" in cv else fmt.MISSING,
                status_text(status, lang) if status else fmt.MISSING,
                note,
            ]
        )
        statuses.append([None] * (7 if previous else 6) + [status, None])
    columns = [
        Column(c.label("col.indicator")),
        Column(c.label("text.unit")),
        Column(c.label("col.threshold"), "num"),
        Column(c.label("col.mean"), "num"),
        Column(c.label("col.cv"), "num"),
        *([Column(c.label("col.cv_change", year=c.year - 1), "num")] if previous else []),
        Column(c.label("col.limit"), "num"),
        Column(c.label("col.result"), "status"),
        Column(c.label("col.note")),
    ]
    caption = c.label("captions.coefficients", section=c.section_name(section))
    return build(rows, columns, caption, statuses)


def previous_coefficients(c, section: str) -> dict:
    """Indicator → the section's coefficient in the year before the report's ({} without that year)."""
    history = c.coefficient_history
    if history.empty or "cv" not in history:
        return {}
    last = history[(history["year"] == c.year - 1) & (history["section"] == section)]
    return dict(zip(last["indicator"], last["cv"], strict=True))


def coefficient_change(now, before) -> str:
    """A coefficient's change in three decimals, signed: +0.004, −0.010, 0.000; — when either is missing."""
    if fmt.is_missing(now) or fmt.is_missing(before):
        return fmt.MISSING
    change = round(float(now) - float(before), 3)
    return f"+{change:.3f}" if change > 0 else (f"−{abs(change):.3f}" if change < 0 else "0.000")


def schools_below(c, section: str) -> Styler | None:
    """Section-schools that miss the school rule, with each missed indicator.

    Section-schools that miss the school rule: each missed indicator with its value against the threshold and
    the ratio (never rounded up to the 85% floor).
    """
    scoped = c.evaluated_schools
    bad = scoped[(scoped["section"] == section) & ~scoped["school_passed"].astype(bool)]
    if bad.empty:
        return None
    rows = []
    for r in bad.itertuples():
        missed = []
        for ind in c.rules.indicators:
            if getattr(r, f"met_{ind.key}"):
                continue
            value, threshold = getattr(r, f"value_{ind.key}"), getattr(r, f"threshold_{ind.key}")
            ratio = fmt.percent_of_standard(value / threshold, c.rules.school_rule["floor_ratio"])
            missed.append(
                f"{pick(ind.short, c.lang)} {fmt.against(value, threshold, ind.decimals)}/"
                f"{fmt.number(threshold, ind.decimals)}{fmt.bracket(ratio, c.lang)}"
            )
        rows.append([r.name, r.school_code, fmt.integer(r.students), fmt.clauses(missed, c.lang)])
    columns = [
        Column(c.label("col.school")),
        Column(c.label("col.code")),
        Column(c.label("col.students"), "num"),
        Column(c.label("col.missed")),
    ]
    return build(rows, columns, c.label("captions.schools_below", section=c.section_name(section)))


def shortfalls(c) -> Styler | None:
    """补短板清单: every missed indicator of every evaluated section-school and what to add."""
    short = c.shortfalls
    if short.empty:
        return None
    inds = {i.id: i for i in c.rules.indicators}
    rows = []
    for r in short.itertuples():
        ind = inds[r.indicator]
        rows.append(
            [
                r.name,
                r.section_name,
                f"{r.indicator} {r.indicator_name}",
                fmt.against(r.value, r.threshold, ind.decimals),
                fmt.number(r.threshold, ind.decimals),
                fmt.number(r.gap, ind.decimals),
                f"{fmt.number(r.add, 0)} {r.add_unit}",
            ]
        )
    columns = [
        Column(c.label("col.school")),
        Column(c.label("col.section")),
        Column(c.label("col.indicator")),
        Column(c.label("col.value"), "num"),
        Column(c.label("col.threshold"), "num"),
        Column(c.label("col.gap"), "num"),
        Column(c.label("col.add"), "num"),
    ]
    return build(rows, columns, c.label("captions.shortfalls"))


def shortfall_totals(c) -> Styler | None:
    """The county's totals per section and indicator (the sum of the rows of `shortfalls`)."""
    from junheng.planning.needs import one_row_per_shared_addition

    short = c.shortfalls
    if short.empty:
        return None
    short = one_row_per_shared_addition(short)  # a school's shared addition serves both its sections once
    totals = (
        short.groupby(["section", "section_name", "indicator", "indicator_name", "add_unit"], sort=False)
        .agg(add=("add", "sum"), schools=("school_code", "nunique"))
        .reset_index()
    )
    rows = [
        [
            r.section_name,
            f"{r.indicator} {r.indicator_name}",
            fmt.integer(r.schools),
            f"{fmt.number(r.add, 0)} {r.add_unit}",
        ]
        for r in totals.itertuples()
    ]
    columns = [
        Column(c.label("col.section")),
        Column(c.label("col.indicator")),
        Column(c.label("col.schools_count"), "num"),
        Column(c.label("col.add"), "num"),
    ]
    return build(rows, columns, c.label("captions.shortfall_totals"))


# -- Parts G, Q, S ----------------------------------------------------------------------------------
def parts(c) -> Styler:
    """The status of each part of the method, with how many of its items were met."""
    lang = c.lang
    rows, statuses = [], []
    for r in c.parts.itertuples():
        if r.part == "vetoes":
            word = {"pass": "report.words.clear", "fail": "report.words.applies"}.get(r.status)
            text = t(word, lang) if word else status_text(r.status, lang)
            code = {"pass": "clear", "fail": "applies"}.get(r.status, r.status)
        else:
            text, code = status_text(r.status, lang), r.status
        rows.append([r.name, text, part_summary(r, lang, c)])
        statuses.append([None, code, None])
    columns = [
        Column(c.label("col.item")),
        Column(c.label("col.status"), "status"),
        Column(c.label("col.evidence")),
    ]
    return build(rows, columns, c.label("captions.parts"), statuses)


def part_summary(r, lang: str, c=None) -> str:
    """What a part's verdict rests on, in words that need no arithmetic.

    What a part's verdict rests on, in words that need no arithmetic: "14项差异系数均不高于标准",
    "15项中13项达标，2项未达标：G5 班额、G11 教师交流轮岗", "5种情形均不存在". With the county ``c`` the
    failing items and the vetoes that apply are named.
    """
    key = "report.text.summary."
    if r.part == "resource":
        failed = int(r.failed)
        text = t(key + ("cv_ok" if not failed else "cv_bad"), lang, items=int(r.items), failed=failed)
        schools = getattr(r, "schools", 0)
        if schools and not fmt.is_missing(schools):
            bad = int(r.schools_failed)
            text += t(key + ("schools_ok" if not bad else "schools_bad"), lang, n=int(schools), failed=bad)
        return text
    named = _failing_items(c, r.part, lang) if c is not None else ""
    if r.part == "survey" and c is not None:
        from junheng.report.evidence import share_vs

        survey = c.items[c.items["id"] == "S"]
        if len(survey) and not fmt.is_missing(survey.iloc[0]["value"]):
            row = survey.iloc[0]
            return t(key + "survey", lang, rate=share_vs(row["value"], row["threshold"], lang))
    if r.part == "vetoes":
        applies, missing, items = int(r.failed), int(r.not_assessed), int(r.items)
        if missing == items:
            return t(key + "veto_unanswered", lang, items=items)
        text = (
            t(key + "veto_applies", lang, names=named)
            if applies and named
            else (
                t(key + "veto_applies_n", lang, n=applies)
                if applies
                else t(key + "veto_clear", lang, items=items)
            )
        )
        if missing:
            text += t(key + "veto_missing", lang, n=missing)
        return text
    items, passed, failed, missing = int(r.items), int(r.passed), int(r.failed), int(r.not_assessed)
    text = (
        t(key + "items_all", lang, items=items)
        if passed == items
        else t(key + "items_some", lang, items=items, passed=passed)
    )
    if failed:
        text += t(key + "items_failed", lang, n=failed) + (
            t(key + "names", lang, names=named) if named else ""
        )
    if missing:
        text += t(key + "items_missing", lang, n=missing)
    return text


def _failing_items(c, part: str, lang: str) -> str:
    from junheng.report.evidence import item_name

    rows = c.items[(c.items["part"] == part) & (c.items["status"] == "fail")]
    if part == "vetoes":
        return t("report.words.list_sep", lang).join(
            f"“{v}”" if lang == "zh" else f'"{v}"' for v in rows["label"]
        )
    return t("report.words.list_sep", lang).join(item_name(r.id, lang) for r in rows.itertuples())


def items(c, part: str) -> Styler:
    """The items of one part: value, standard, result and the figures each was decided on."""
    from junheng.report.evidence import evidence_text, item_name, threshold_text, value_text

    rows, statuses = [], []
    for r in c.items[c.items["part"] == part].itertuples():
        rows.append(
            [
                r.id,
                item_name(r.id, c.lang),
                value_text(r, c.lang),
                threshold_text(r, c.lang),
                status_text(r.status, c.lang),
                evidence_text(c, r),
            ]
        )
        statuses.append([None, None, None, None, r.status, None])
    columns = [
        Column(c.label("col.id")),
        Column(c.label("col.item")),
        Column(c.label("col.value"), "num"),
        Column(c.label("col.threshold")),
        Column(c.label("col.result"), "status"),
        Column(c.label("col.evidence")),
    ]
    return build(rows, columns, c.label(f"captions.{part}"), statuses)


def survey_groups(c) -> Styler | None:
    """Recognition per respondent group."""
    from junheng.i18n import pick
    from junheng.inputs.schema import load_schema

    s = c.items[c.items["part"] == "survey"]
    if s.empty:
        return None
    groups = s.iloc[0]["evidence"].get("groups") or {}
    if not groups:
        return None
    names = load_schema().enums["survey_group"]
    rows = [
        [pick(names.get(g, {"zh": g}), c.lang), fmt.integer(v["valid"]), fmt.percent_against(v["rate"], 0.85)]
        for g, v in groups.items()
    ]
    columns = [
        Column(c.label("col.group")),
        Column(c.label("col.valid"), "num"),
        Column(c.label("col.rate"), "num"),
    ]
    return build(rows, columns, c.label("captions.survey_groups"))


def vetoes(c) -> Styler:
    """Each veto: applies, does not apply, or not assessed."""
    from junheng.report.evidence import evidence_text, veto_clear

    rows, statuses = [], []
    for r in c.items[c.items["part"] == "vetoes"].itertuples():
        word = {"fail": "report.words.applies", "pass": "report.words.clear"}.get(
            r.status, "report.words.unanswered"
        )
        said = veto_clear(c, r, c.lang) if r.status == "pass" else evidence_text(c, r)
        rows.append([r.label, t(word, c.lang), said])
        statuses.append([None, {"fail": "applies", "pass": "clear"}.get(r.status, r.status), None])
    columns = [
        Column(c.label("col.item")),
        Column(c.label("col.status"), "status"),
        Column(c.label("col.evidence")),
    ]
    return build(rows, columns, c.label("captions.vetoes"), statuses)


# -- 2012 method, history, equity, appendix -------------------------------------------------------------
def basic_mean(mean, ind, lang: str) -> tuple[str, str]:
    """A 2012 indicator's county mean and its unit as reports show them.

    A 2012 indicator's county mean and its unit as reports show them: 师生比 as a student-teacher ratio
    (14.8∶1), teachers per student per 100 students (rules file, ``display``).
    """
    shown = ind.display or {}
    if fmt.is_missing(mean):
        return fmt.MISSING, pick(shown.get("unit", ind.unit), lang)
    if shown.get("inverse"):
        return (
            # 14.8∶1 beside 生师比; in English "14.8" beside "students per teacher"
            (f"{fmt.number(1 / float(mean), shown.get('decimals', 1))}" + ("∶1" if lang == "zh" else ""))
            if float(mean)
            else fmt.MISSING,
            pick(shown["unit"], lang),
        )
    if shown.get("per"):
        return fmt.number(float(mean) * shown["per"], shown.get("decimals", 2)), pick(shown["unit"], lang)
    return fmt.number(mean, ind.decimals), pick(ind.unit, lang)


def basic(c, section: str) -> Styler | None:
    """The 2012 method's coefficients of one section and their composite."""
    b = c.basic
    if b.empty:
        return None
    inds = {i.id: i for i in c.basic_evaluation.rules.indicators}
    rows = []
    for r in b[b["section"] == section].itertuples():
        if r.indicator == "composite":
            limit = r.limit if not fmt.is_missing(getattr(r, "limit", None)) else None
            value = fmt.coefficient_against(r.cv, limit) if limit is not None else fmt.coefficient(r.cv)
            rows.append(
                [
                    r.name,
                    "",
                    "",
                    value + (fmt.bracket(f"≤ {fmt.number(limit, 2)}", c.lang) if limit is not None else ""),
                ]
            )
        else:
            mean, unit = (
                basic_mean(r.mean, inds[r.indicator], c.lang)
                if r.indicator in inds
                else (fmt.number(r.mean, int(r.decimals)), r.unit)
            )
            note = (inds[r.indicator].display or {}).get("note") if r.indicator in inds else None
            name = r.name + (fmt.bracket(pick(note, c.lang), c.lang) if note else "")  # 生均… shown per 100
            rows.append([f"{r.indicator} {name}", unit, mean, fmt.coefficient(r.cv)])
    columns = [
        Column(c.label("col.indicator")),
        Column(c.label("text.unit")),
        Column(c.label("col.mean"), "num"),
        Column(c.label("col.cv"), "num"),
    ]
    return build(rows, columns, c.label("captions.basic", section=c.section_name(section)))


def resource_shortfall(c, year, schools_failed) -> str:
    """What failed in Part R in ``year``: 资源配置：初中生均体育运动场馆面积（R5）差异系数0.470（标准≤0.45）.

    The coefficients over their limit, each by its indicator's name (the short one in English, as the
    English tables name them) and id, with that year's value and the limit; then the section-schools
    below the school rule (R rules 1–2), for a year whose failing items are all in Part R.
    """
    lang = c.lang
    cv = c.coefficient_history
    over = cv[(cv["year"] == year) & (cv["status"] == "ok") & ~cv["passed"].fillna(True).astype(bool)]
    what = [
        t(
            "report.history_cv",
            lang,
            section=fmt.in_sentence(r.section_name, lang),
            indicator=fmt.in_sentence(r.short if lang == "en" else r.name, lang),
            id=r.indicator,
            cv=fmt.coefficient_against(r.cv, r.limit),
            limit=fmt.number(r.limit, 2),
        )
        for r in over.itertuples()
    ]
    n = int(schools_failed or 0)
    if n:
        what.append(t("report.history_schools", lang, n=n, schools=fmt.plural(n, "school", lang)))
    if not what:
        return t("report.history_none_but_resource", lang)
    return t("report.history_resource", lang, what=t("report.words.list_sep", lang).join(what))


def history(c) -> Styler:
    """The verdict of every year up to the report's year."""
    from junheng.report.text import item_names

    if not c.has_parts:
        return _basic_history(c)
    rows, statuses = [], []
    for r in c.history.itertuples():
        row = [
            str(r.year),
            fmt.in_cell(r.verdict, c.lang),
            fmt.integer(r.schools_failed),
            fmt.integer(r.cv_failed),
        ]
        if r.status == "invalid":  # data with errors are not evaluated: nothing failed, nothing passed
            rows.append(row[:2] + [fmt.MISSING] * 3)
            statuses.append([None, r.status, None, None, None])
            continue
        if c.has_parts:
            failed = item_names(c, list(r.items_failed))
            if not failed:
                # "无" beside 尚未达到 reads as a contradiction: name what failed in Part R
                in_r = (r.schools_failed or 0) > 0 or (r.cv_failed or 0) > 0
                failed = (
                    resource_shortfall(c, r.year, r.schools_failed)
                    if in_r and r.status == "failed"
                    else t("report.words.none", c.lang)
                )
            missing = int(getattr(r, "items_missing", 0) or 0)
            row.append(failed + (t("report.history_missing", c.lang, n=missing) if missing else ""))
        rows.append(row)
        statuses.append([None, r.status, None, None] + ([None] if c.has_parts else []))
    columns = [
        Column(c.label("col.year")),
        Column(c.label("col.verdict"), "status"),
        Column(c.label("col.schools_failed"), "num"),
        Column(c.label("col.coefficients_failed"), "num"),
    ] + ([Column(c.label("col.items_failed"))] if c.has_parts else [])
    return build(rows, columns, c.label("captions.history"), statuses)


def _basic_history(c) -> Styler:
    """The verdict of every year under jiben-2012 and each section's composite coefficient (R)."""
    rows, statuses = [], []
    for r in c.history.itertuples():
        composites = c.basic_composites(int(r.year))
        rows.append(
            [
                str(r.year),
                fmt.in_cell(r.verdict, c.lang),
                *(
                    fmt.coefficient(composites[s]) if s in composites else fmt.MISSING
                    for s in c.rules.sections
                ),
            ]
        )
        statuses.append([None, r.status] + [None] * len(c.rules.sections))
    columns = [
        Column(c.label("col.year")),
        Column(c.label("col.verdict"), "status"),
        *(
            Column(c.label("col.section_composite", section=c.section_name(s)), "num")
            for s in c.rules.sections
        ),
    ]
    return build(rows, columns, c.label("captions.history"), statuses)


MEASURES = ("gini", "theil_t", "mld", "mcloone", "verstegen", "federal_range_ratio")


def equity(measures: pd.DataFrame, section: str, c) -> Styler | None:
    """Gini, Theil T, MLD, McLoone, Verstegen and federal range ratio of one section."""
    m = measures[measures["section"] == section] if not measures.empty else measures
    if m.empty:
        return None
    rows = [
        [f"{r.indicator} {r.short}", *[fmt.number(getattr(r, n), 3, thousands=False) for n in MEASURES]]
        for r in m.itertuples()
    ]
    columns = [Column(c.label("col.indicator"))] + [Column(c.label(f"measures.{n}"), "num") for n in MEASURES]
    return build(rows, columns, c.label("captions.equity", section=c.section_name(section)))


def school_vetoes(c) -> dict[str, list[str]]:
    """School code → the vetoes found at that school (their labels), from the plan's veto rows.

    Computed once per county (`once`): every school's page and the school list ask for it.
    """
    return once(c, "tables.school_vetoes", lambda: _school_vetoes(c))


def _school_vetoes(c) -> dict[str, list[str]]:
    plan = c.plan if c.has_parts and not c.invalid else None
    if plan is None or plan.empty:
        return {}
    rows = plan[(plan["part"] == "vetoes") & plan["school_code"].notna()]
    vetoes = c.items[c.items["part"] == "vetoes"]
    labels = dict(zip(vetoes["id"], vetoes["label"], strict=True))
    out: dict[str, list[str]] = {}
    for code, item in zip(rows["school_code"], rows["item"], strict=True):
        out.setdefault(code, []).append(labels.get(item, item))
    return out


def schools(c) -> Styler:
    """Appendix: every school of the input, evaluated or excluded with its reason (and a veto found there)."""
    rows, statuses = [], []
    vetoes = school_vetoes(c)
    sep = t("report.words.list_sep", c.lang)
    shown = ["school_code", "section", "in_scope", "name", "type_name", "location_name", "section_name"]
    shown += ["students", "exclusion_text", *(["school_passed"] if c.rules.school_rule else [])]
    for r in c.schools[shown].sort_values(["school_code", "section"], na_position="first").itertuples():
        if r.in_scope:  # no school rule (jiben-2012, R): a school is evaluated, not met
            status = ("pass" if r.school_passed else "fail") if c.rules.school_rule else "evaluated"
        else:
            status = "excluded"
        shown = status_text(status, c.lang)
        if r.school_code in vetoes:
            shown = c.label("profile.with_veto", status=shown, vetoes=sep.join(vetoes[r.school_code]))
            status = "fail"
        rows.append(
            [
                # a school without a code is known to the JSON by its file and row, not to the reader
                c.label("profile.no_code") if str(r.school_code).startswith("?") else r.school_code,
                r.name,
                r.type_name,
                r.location_name,
                r.section_name or fmt.MISSING,
                fmt.integer(r.students),
                shown,
                r.exclusion_text,
            ]
        )
        statuses.append([None] * 6 + [status, None])
    columns = [
        Column(c.label("col.code")),
        Column(c.label("col.school")),
        Column(c.label("col.type")),
        Column(c.label("col.location")),
        Column(c.label("col.section")),
        Column(c.label("col.students"), "num"),
        Column(c.label("col.resource_result" if c.rules.school_rule else "col.evaluation"), "status"),
        Column(c.label("col.reason")),
    ]
    return build(rows, columns, c.label("captions.schools"), statuses)


def problems(c) -> Styler | None:
    """The data-quality messages of this county-year."""
    if c.problems.empty:
        return None
    # each problem as a finding: its level once (the first column), no file name (draft or final)
    rows = [[t(f"severity.{r.severity}", c.lang), r.finding] for r in c.problems.itertuples()]
    return build(
        rows, [Column(c.label("col.severity")), Column(c.label("col.message"))], c.label("captions.problems")
    )


def profile(c) -> Styler | None:
    """基本情况: schools, students and full-time teachers by school type, this year and the last."""
    prof = c.profile
    if prof.empty:
        return None
    previous = prof["previous_year"].iloc[0]
    invalid_years = set(c.history.loc[c.history["status"] == "invalid", "year"].astype(int))
    has_previous = (
        not fmt.is_missing(previous) and "previous_schools" in prof and int(previous) not in invalid_years
    )
    rows = []
    totals = prof[["schools", "students", "teachers"]].sum()
    # the schools the import could not read: a row of their own, counted in the total (no students known)
    aside = len(set_aside_schools(c))
    if aside:
        totals["schools"] += aside
    for r in [
        *prof.to_dict("records"),
        *([{"type_name": c.label("profile.set_aside_row"), "schools": aside}] if aside else []),
        {
            "type_name": t("report.words.total", c.lang),
            **totals.to_dict(),
            **(
                prof[["previous_schools", "previous_students", "previous_teachers"]].sum().to_dict()
                if has_previous
                else {}
            ),
        },
    ]:
        row = [
            r["type_name"],
            fmt.integer(r["schools"]),
            fmt.integer(r.get("students")),
            fmt.integer(r.get("teachers")),
        ]
        if has_previous:
            row += [
                _signed(r["schools"] - r.get("previous_schools", float("nan"))),
                _signed(r.get("students", float("nan")) - r.get("previous_students", float("nan"))),
                _signed(r.get("teachers", float("nan")) - r.get("previous_teachers", float("nan"))),
            ]
        rows.append(row)
    columns = [
        Column(c.label("col.type")),
        Column(c.label("col.schools_count"), "num"),
        Column(c.label("col.students_compulsory"), "num"),
        Column(c.label("col.teachers"), "num"),
    ]
    if has_previous:
        columns += [
            Column(c.label("col.change_since", year=int(previous), what=c.label("col.schools_count")), "num"),
            Column(
                c.label("col.change_since", year=int(previous), what=c.label("col.students_short")), "num"
            ),
            Column(
                c.label("col.change_since", year=int(previous), what=c.label("col.teachers_short")), "num"
            ),
        ]
    return build(rows, columns, c.label("captions.profile", year=c.year))


def _signed(value) -> str:
    if fmt.is_missing(value):
        return fmt.MISSING
    value = int(round(float(value)))
    return f"+{value:,}" if value > 0 else (f"−{abs(value):,}" if value < 0 else "0")


# -- plan targets and the urban–rural gap (issue #12) ------------------------------------------------------
def target_value(value, value_kind: str, unit_text: str, lang: str, kind: str = "") -> str:
    """A target measure's value as readers see it.

    A target measure's value as readers see it: a share in %, yes/no (达到/尚未达到 for the verdict), a count
    with its unit (3所), or a number and its unit.
    """
    if fmt.is_missing(value):
        return fmt.MISSING
    if value_kind == "share":
        return fmt.percent(value)
    if value_kind == "yesno":
        if kind == "verdict":
            return fmt.in_cell(t("verdict.passed" if value else "verdict.failed", lang), lang)
        return t("report.evidence.yes" if value else "report.evidence.no", lang)
    if unit_text and float(value).is_integer() and unit_text.strip() in ("所", "科", "schools", "subjects"):
        return fmt.integer(value) + unit_text
    return fmt.number(value, 2) + (unit_text or "")


def target_goal(r, lang: str) -> str:
    """The target as a phrase: 不低于10.0% / 不高于0所 / 达到."""
    unit_text = r.unit if isinstance(r.unit, str) else ""
    value = target_value(r.target, r.value_kind, unit_text, lang, r.kind)
    if r.value_kind == "yesno":
        return value
    return t(f"targets.comparison.{r.comparison}", lang) + ("" if lang == "zh" else " ") + value


def targets(c) -> Styler | None:
    """规划目标进展: each target's measure, baseline, this year's value, target, due year and status."""
    summary = c.target_summary
    if summary.empty:
        return None
    lang = c.lang
    rows, statuses = [], []
    for r in summary.itertuples():
        unit_text = r.unit if isinstance(r.unit, str) else ""
        baseline = (
            ""
            if fmt.is_missing(r.baseline_value)
            else (
                f"{target_value(r.baseline_value, r.value_kind, unit_text, lang, r.kind)}"
                f"（{int(r.baseline_year)}）"
                if lang == "zh"
                else f"{target_value(r.baseline_value, r.value_kind, unit_text, lang, r.kind)}"
                f" ({int(r.baseline_year)})"
            )
        )
        goal = target_goal(r, lang)
        rows.append(
            [
                r.target_name,
                r.measure_label,
                baseline or fmt.MISSING,
                target_value(r.value, r.value_kind, unit_text, lang, r.kind),
                goal,
                str(int(r.due_year)),
                t(f"targets.status.{r.status}", lang),
            ]
        )
        statuses.append([None] * 6 + [r.status])
    columns = [
        Column(t("targets.col.target", lang)),
        Column(t("targets.col.measure", lang)),
        Column(t("targets.col.baseline", lang), "num"),
        Column(t("report.targets.this_year", lang, year=c.year), "num"),
        Column(t("targets.col.target_value", lang), "num"),
        Column(t("targets.col.due_year", lang), "num"),
        Column(t("targets.col.status", lang), "status"),
    ]
    return build(rows, columns, c.label("captions.targets"), statuses)


def gap(c, section: str) -> Styler | None:
    """The seven indicators' means in urban, town and rural schools.

    The seven indicators' means in urban, town and rural schools, their ratios and the share of the inequality
    that lies between the three groups, with the change since the previous year.
    """
    rows_ = c.gap[(c.gap["section"] == section) & (c.gap["year"] == c.year)]
    if rows_.empty:
        return None
    rows = []
    units = {i.id: pick(i.unit, c.lang) for i in c.rules.indicators}  # the means are in its unit
    for r in rows_.itertuples():
        d = int(r.decimals)
        rows.append(
            [
                f"{r.indicator} {r.short}"
                + (fmt.bracket(units[r.indicator], c.lang) if r.indicator in units else ""),
                fmt.number(r.mean_urban, d),
                fmt.number(r.mean_town, d),
                fmt.number(r.mean_rural, d),
                fmt.percent(r.ratio_rural_urban, 0),
                fmt.percent(r.ratio_town_urban, 0),
                fmt.percent(r.between_share),
                _signed_points(r.between_share_change),
            ]
        )
    columns = [
        Column(c.label("col.indicator")),
        Column(c.label("gap.urban"), "num"),
        Column(c.label("gap.town"), "num"),
        Column(c.label("gap.rural"), "num"),
        Column(c.label("gap.rural_urban"), "num"),
        Column(c.label("gap.town_urban"), "num"),
        Column(c.label("gap.between"), "num"),
        Column(c.label("gap.between_change"), "num"),
    ]
    return build(rows, columns, c.label("captions.gap", section=c.section_name(section)))


def _signed_points(value) -> str:
    """A change of a share in percentage points: +1.2 / −0.4."""
    if fmt.is_missing(value):
        return fmt.MISSING
    points = float(value) * 100
    return f"+{points:.1f}" if points > 0.05 else (f"−{abs(points):.1f}" if points < -0.05 else "0.0")


# -- 存在问题与整改建议 (the rectification plan) -------------------------------------------------------------
def _who(r, lang: str) -> str:
    support = r.support_offices if isinstance(r.support_offices, str) and r.support_offices else ""
    return f"{r.lead_office}{fmt.bracket(support, lang)}" if support else r.lead_office


def _cost(r, recurring: bool | None = None, lang: str = "zh") -> str:
    """A measure's estimated cost in 万元; with ``recurring`` given, only a cost of that kind."""
    if fmt.is_missing(r.cost):
        return fmt.MISSING if recurring is None or bool(r.recurring) == recurring else ""
    if recurring is not None and bool(r.recurring) != recurring:
        return ""
    return fmt.money(r.cost, lang)


def cost_text(r, lang: str = "zh") -> str:
    """A measure's cost in one cell: 59.50 (one-off), 12.00/年 (per year) or — (not costed)."""
    per_year = t("report.plan.per_year", lang) if r.recurring and not fmt.is_missing(r.cost) else ""
    sponsor = (
        t("report.plan.sponsor_cell", lang)
        if getattr(r, "payer", "") == "sponsor" and not fmt.is_missing(r.cost)
        else ""
    )
    return _cost(r, lang=lang) + per_year + sponsor


def combined_school_codes(c) -> set:
    """Schools evaluated in more than one section (一贯制, 完全中学): only their rows name the section."""
    sections = c.evaluated_schools.groupby("school_code")["section"].nunique()
    return set(sections[sections > 1].index)


def plan_place(c, r, combined: set) -> str:
    """Where a measure applies: the school, or the county for a county-level item.

    Where a measure applies: the school as readers know it (the section only for a school with two), or the
    county's designation (全县) for a county-level item.
    """
    if not (isinstance(r.school_name, str) and r.school_name):
        return c.designation
    where = c.school_names.get(r.school_code, r.school_name)
    if r.school_code in combined and isinstance(r.section_name, str) and r.section_name:
        where = f"{where}（{r.section_name}）" if c.lang == "zh" else f"{where} ({r.section_name})"
    return where


def deadline_cell(r, lang: str) -> str:
    """The deadline, with the note on it when a county target bears on it."""
    note = getattr(r, "deadline_note", "")
    if not (isinstance(note, str) and note):
        return r.deadline_text
    return t("report.plan.with_deadline_note", lang, deadline=r.deadline_text, note=note)


def plan(c, required: bool = True) -> Styler | None:
    """The measures of the plan that the verdict needs, or that would meet every threshold.

    The measures of the plan that the verdict needs (``required``) or that would meet every threshold
    (improvements): where, what is wrong in figures, what to do, estimated cost (万元, marked per year where
    it recurs), who, by when.
    """
    rows_ = c.plan[c.plan["required"] == required] if len(c.plan) else c.plan
    if rows_.empty:
        return None
    lang, combined = c.lang, combined_school_codes(c)
    rows = [
        [
            plan_place(c, r, combined),
            r.problem,
            r.measure,
            cost_text(r, lang),
            _who(r, lang),
            deadline_cell(r, lang),
        ]
        for r in rows_.itertuples()
    ]
    columns = [
        Column(t("report.plan.col.where", lang)),
        Column(t("report.plan.col.problem", lang)),
        Column(t("report.plan.col.measure", lang)),
        Column(t("report.profile.cost", lang), "num"),
        Column(t("report.plan.col.office", lang)),
        Column(t("report.plan.col.deadline", lang)),
    ]
    caption = t("report.plan.required_caption" if required else "report.plan.improvement_caption", lang)
    return build(rows, columns, caption)


def plan_totals(c) -> Styler | None:
    """The plan per lead office: tasks, required tasks, one-off and yearly cost estimates."""
    if c.plan.empty:
        return None
    lang = c.lang
    totals = c.plan_totals(by=("lead",))

    def costs(one_off, recurring, rows, uncosted):
        # an office none of whose tasks is costed has no cost yet: —, not 0.00
        if uncosted >= rows:
            return [fmt.MISSING, fmt.MISSING]
        return [fmt.money(one_off, lang), fmt.money(recurring, lang)]

    rows = [
        [
            r.lead_office,
            fmt.integer(r.rows),
            fmt.integer(r.required),
            *costs(r.cost_one_off, r.cost_recurring, r.rows, r.uncosted),
            fmt.integer(r.uncosted),
        ]
        for r in totals.itertuples()
    ]
    rows.append(
        [
            t("report.words.total", lang),
            fmt.integer(totals["rows"].sum()),
            fmt.integer(totals["required"].sum()),
            *costs(
                totals["cost_one_off"].sum(),
                totals["cost_recurring"].sum(),
                totals["rows"].sum(),
                totals["uncosted"].sum(),
            ),
            fmt.integer(totals["uncosted"].sum()),
        ]
    )
    columns = [
        Column(t("report.plan.col.lead", lang)),
        Column(t("report.plan.col.tasks", lang), "num"),
        Column(t("report.plan.col.required", lang), "num"),
        Column(t("report.plan.col.one_off_wan", lang), "num"),
        Column(t("report.plan.col.recurring_wan", lang), "num"),
        Column(t("report.plan.col.uncosted", lang), "num"),
    ]
    return build(rows, columns, t("report.plan.totals_caption", lang))


def unit_costs(c) -> Styler | None:
    """The unit costs behind every cost of the plan, with their source (illustrative or the county's)."""
    if c.plan.empty or c.plan_config is None:
        return None
    lang = c.lang
    used = set(c.plan["cost_key"].dropna())
    costs = c.plan_config.unit_costs(lang)
    costs = costs[costs["config_key"].isin(used) & costs["unit_cost"].notna()]
    # an item counted in yuan (G7's funds) costs 1 yuan per yuan: no unit cost to show
    costs = costs[
        ~(
            (costs["unit_cost"] == 1)
            & costs["cost_unit"].astype(str).str.fullmatch(r"元/元|yuan/yuan|yuan per yuan")
        )
    ]
    if costs.empty:
        return None
    rows = [
        [
            r.kind_name,
            fmt.integer(r.unit_cost),
            r.cost_unit,
            t("report.plan.illustrative", lang, **fmt.county_words(c.name, lang))
            if r.illustrative
            else (r.source or t("report.plan.county_file", lang, **fmt.county_words(c.name, lang))),
        ]
        for r in costs.itertuples()
    ]
    columns = [
        Column(t("report.plan.col.measure_kind", lang)),
        Column(t("report.plan.col.unit_cost", lang), "num"),
        Column(t("report.plan.col.cost_unit", lang)),
        Column(t("report.plan.col.source", lang)),
    ]
    return build(rows, columns, t("report.plan.unit_costs_caption", lang))
