"""The report's sentences, as Markdown, generated from a `County`'s frames: every number and name
comes from the engine, so the text cannot contradict a table. Names from the data are escaped
(they cannot inject markup). Display with ``IPython.display.Markdown``.
"""

from __future__ import annotations

import html
import re

from junheng.i18n import pick, t
from junheng.report import format as fmt

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def escape(text) -> str:
    """User text made literal in Markdown: no HTML, no emphasis, no links."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def _and(lang: str) -> str:
    return t("report.words.and", lang)


def _label(c, ind_id: str) -> str:
    return pick(next(i.label for i in c.rules.indicators if i.id == ind_id), c.lang)


def _p(key: str, lang: str, **params) -> str:
    return t(f"report.prose.{key}", lang, **params)


def _count(n, lang: str, kind: str = "school") -> str:
    return _p(f"count_{kind}", lang, n=fmt.integer(n))


def _change(now, before, lang: str, kind: str) -> str:
    diff = now - before
    if diff == 0:
        return _p("change_same", lang)
    key = "change_up" if diff > 0 else "change_down"
    return _p(key, lang, n=_count(abs(diff), lang, kind))


def profile(c) -> str:
    """基本情况: schools by type, students, teachers, change since the previous year, scope of Part R."""
    lang, prof = c.lang, c.profile
    if prof.empty:
        return ""
    sep = _and(lang)
    by_type = sep.join(f"{r.type_name}{_count(r.schools, lang)}" if lang == "zh" else f"{int(r.schools)} {r.type_name.lower()}"
                       for r in prof.itertuples() if r.schools)
    out = [_p("profile", lang, county=escape(c.name), year=c.year, schools=fmt.integer(prof["schools"].sum()), by_type=by_type,
              students=fmt.integer(prof["students"].sum()), primary=fmt.integer(prof["primary"].sum()),
              junior=fmt.integer(prof["junior"].sum()), teachers=fmt.integer(prof["teachers"].sum()))]
    previous = prof["previous_year"].iloc[0]
    previous_valid = not fmt.is_missing(previous) and int(previous) not in set(
        c.history.loc[c.history["status"] == "invalid", "year"].astype(int))
    if "previous_schools" in prof and previous_valid:
        out.append(_p("profile_change", lang, previous=int(prof["previous_year"].iloc[0]),
                      schools=_change(prof["schools"].sum(), prof["previous_schools"].sum(), lang, "school"),
                      students=_change(prof["students"].sum(), prof["previous_students"].sum(), lang, "person"),
                      teachers=_change(prof["teachers"].sum(), prof["previous_teachers"].sum(), lang, "person")))
    n = c.counts
    excluded = c.excluded.drop_duplicates("school_code")
    excluded = excluded[~excluded["school_code"].isin(c.evaluated_schools["school_code"])]
    if len(excluded):
        reasons = excluded.groupby("exclusion")["school_code"].nunique()
        text = sep.join(f"{t(f'report.exclusion_short.{k}', lang)}{_count(v, lang)}" for k, v in reasons.items())
        out.append(_p("profile_scope", lang, evaluated=fmt.integer(n["evaluated"]), excluded=fmt.integer(len(excluded)),
                      reasons=text))
    else:
        out.append(_p("profile_scope_all", lang))
    return "".join(out) if lang == "zh" else " ".join(out)


def _school_list(labels: list, lang: str, limit: int = 8) -> str:
    text = _and(lang).join(escape(x) for x in labels[:limit])
    if len(labels) > limit:
        text += t("report.evidence.more", lang, n=len(labels) - limit)
    return text


def problem_sentences(c) -> list[str]:
    """One sentence per problem, with its figures: schools below the school rule, coefficients over
    their limit, failing items of Parts G, Q and S (with their evidence), vetoes."""
    from junheng.report.evidence import evidence_text, item_name

    lang = c.lang
    out = []
    scoped = c.evaluated_schools
    if c.rules.school_rule and len(scoped):
        failed = scoped[~scoped["school_passed"].astype(bool)]
        if len(failed):
            n_missed = len([i for i in c.rules.indicators if i.threshold]) - failed["n_met"]
            names = [_p("school_missed", lang, name=escape(r.label), n=int(k))
                     for r, k in zip(failed.itertuples(), n_missed, strict=True)]
            joined = ("；" if lang == "zh" else "; ").join(names[:8])
            if len(names) > 8:
                joined += t("report.evidence.more", lang, n=len(names) - 8)
            out.append(_p("schools_failed", lang, n=len(failed), names=joined))
    cv = c.coefficients
    for r in cv.itertuples():
        if r.status == "zero_mean":
            out.append(_p("cv_undefined", lang, section=r.section_name, indicator=r.name))
        elif "passed" in cv and r.status == "ok" and not r.passed:
            out.append(_p("cv_failed", lang, section=r.section_name, indicator=r.name,
                          cv=fmt.coefficient_against(r.cv, r.limit), limit=fmt.number(r.limit, 2)))
    for part in ("guarantee", "quality", "survey"):
        for r in c.items[(c.items["part"] == part) & (c.items["status"] == "fail")].itertuples():
            name, part_name = item_name(r.id, lang), t(f"part.{part}", lang)
            key = "item_failed_same" if name == part_name else "item_failed"
            out.append(_p(key, lang, part=part_name, item=name, evidence=evidence_text(c, r, brief=True)))
    vetoes = c.items[(c.items["part"] == "vetoes") & (c.items["status"] == "fail")]
    if len(vetoes):
        out.append(_p("veto", lang, vetoes=_vetoes(vetoes, lang)))
    return out


def _vetoes(rows, lang: str) -> str:
    quoted = [f"“{v}”" if lang == "zh" else f'"{v}"' for v in rows["label"]]
    return _and(lang).join(quoted)


def watch_sentences(c) -> list[str]:
    """Results that pass by a hair: borderline coefficients and schools."""
    lang, out = c.lang, []
    cv = c.coefficients
    if "borderline" in cv:
        for r in cv[cv["borderline"].astype(bool) & (cv["status"] == "ok")].itertuples():
            if not r.passed:
                continue
            out.append(_p("borderline_cv", lang, section=r.section_name, indicator=r.name, cv=f"{r.cv:.4f}",
                          limit=fmt.number(r.limit, 2), margin=f"{abs(r.limit - r.cv):.4f}"))
    scoped = c.evaluated_schools
    if "school_borderline" in scoped:
        border = scoped[scoped["school_borderline"].astype(bool)]
        if len(border):
            out.append(_p("borderline_schools", lang, n=len(border), names=_school_list(list(border["label"]), lang)))
    return out


def verdict(c) -> str:
    """总体结论: the self-assessment and, where the county falls short, its problems with their
    figures; passing, failing, borderline, vetoed and incomplete counties read differently."""
    lang, rules = c.lang, c.rules
    name = escape(c.name)
    if c.invalid:
        errors = c.problems[c.problems["severity"] == "error"]["message"].head(30)
        return "\n".join([f"**{t('problem.invalid_county_data', lang)}**", ""] + [f"- {escape(m)}" for m in errors])
    basis = _p("basis", lang, name=pick(rules.data["name"], lang), document=rules.data.get("document", ""))
    if not c.has_parts:
        key = "basic_passed" if c.status == "passed" else "basic_failed"
        return f"**{basis}{_p(key, lang, county=name, year=c.year)}**\n\n{_p('caveat', lang)}"
    problems = problem_sentences(c)
    vetoes = c.items[(c.items["part"] == "vetoes") & (c.items["status"] == "fail")]
    parts = c.parts.set_index("part")["status"]
    others_met = all(parts.get(p) == "pass" for p in ("resource", "guarantee", "quality", "survey"))
    rest: list[str] = []
    if c.status == "passed":
        lead = _p("passed", lang, county=name, year=c.year)
    elif c.status == "incomplete":
        missing = [t(f"report.part_missing.{r.part}", lang) for r in c.parts.itertuples() if r.status == "not_assessed"]
        lead = _p("incomplete", lang, county=name, year=c.year, parts=_and(lang).join(missing))
        lead += _p("incomplete_problems", lang) if problems else _p("incomplete_ok", lang)
        rest = problems
    elif len(vetoes) and others_met:
        lead = _p("vetoed", lang, county=name, year=c.year, vetoes=_vetoes(vetoes, lang),
                  parts_state=_p("parts_all_met", lang))
    else:
        lead, rest = _p("failed", lang, county=name, year=c.year), problems
    blocks = [f"**{basis}{lead}**"]
    if rest:
        blocks.append("\n".join(f"{k}. {sentence}" for k, sentence in enumerate(rest, start=1)))
    watch = watch_sentences(c)
    if watch:
        blocks.append(_p("watch", lang) + ("".join(watch) if lang == "zh" else " " + " ".join(watch)))
    blocks.append(_p("caveat", lang))
    return "\n\n".join(blocks)


def resource(c, section: str) -> str:
    """The coefficients of one section and the school rule."""
    lang = c.lang
    cv = c.coefficients[(c.coefficients["section"] == section) & (c.coefficients["status"] == "ok")]
    if cv.empty or not c.rules.cv_limit:
        return ""
    sec_name = c.section_name(section)
    limit = fmt.number(c.rules.cv_limit[section], 2)
    bad = cv[~cv["passed"].astype(bool)]
    status = _p("cv_range_ok", lang, limit=limit) if bad.empty else _p(
        "cv_range_bad", lang, names=_and(lang).join(bad["name"]), limit=limit)
    out = [_p("cv_range", lang, section=sec_name, low=fmt.coefficient(cv["cv"].min()), high=fmt.coefficient(cv["cv"].max()),
              status=status)]
    scoped = c.evaluated_schools[c.evaluated_schools["section"] == section]
    n_bad = int((~scoped["school_passed"].astype(bool)).sum())
    out.append(_p("schools_ok", lang, n=len(scoped)) if not n_bad else
               _p("schools_bad", lang, n=len(scoped), n_ok=len(scoped) - n_bad, n_bad=n_bad))
    return "".join(out) if lang == "zh" else " ".join(out)


def shortfall(c) -> str:
    """What the county must add in total to meet every threshold."""
    short = c.shortfalls
    if short.empty:
        return _p("shortfall_none", c.lang)
    parts = []
    for ind in c.rules.indicators:
        mine = short[short["indicator"] == ind.id]
        if len(mine):
            parts.append(t(f"report.add.{ind.id}", c.lang, amount=fmt.number(mine["add"].sum(), 0)))
    scoped = c.evaluated_schools
    every_school_passes = c.rules.school_rule and bool(scoped["school_passed"].astype(bool).all())
    key = "shortfall_optional" if every_school_passes else "shortfall_total"
    return _p(key, c.lang, items=_and(c.lang).join(parts))


def _trend_part(a: int, b: int, prefix: str, lang: str, ever: bool) -> str:
    if not ever:
        return _p(f"{prefix}_none", lang)
    if a == b:
        return _p(f"{prefix}_same", lang, a=a)
    return _p(f"{prefix}_change", lang, a=a, b=b, direction=_p("fewer" if b < a else "more", lang))


def trend(c) -> str:
    """How the county changed from its first year in the data to the report's year, and which
    schools newly fall below or now meet the school rule."""
    lang, hist = c.lang, c.history
    invalid = [int(y) for y in hist.loc[hist["status"] == "invalid", "year"]]
    hist = hist[hist["status"] != "invalid"]
    note = _p("trend_invalid", lang, years=_and(lang).join(str(y) for y in invalid)) if invalid else ""
    if len(hist) < 2:
        return _p("trend_single", lang, year=c.year) + note
    first, last = hist.iloc[0], hist.iloc[-1]
    schools = _trend_part(int(first["schools_failed"]), int(last["schools_failed"]), "trend_schools", lang,
                          bool(hist["schools_failed"].any()))
    coefficients = _trend_part(int(first["cv_failed"]), int(last["cv_failed"]), "trend_cv", lang,
                               bool(hist["cv_failed"].any()))
    out = _p("trend", lang, first=int(first["year"]), last=int(last["year"]), schools=schools, coefficients=coefficients)
    changes = c.school_changes
    if changes["previous_year"]:
        parts = []
        if changes["newly_failing"]:
            parts.append(_p("newly_failing", lang, n=len(changes["newly_failing"]),
                            names=_school_list(changes["newly_failing"], lang)))
        if changes["newly_fixed"]:
            parts.append(_p("newly_fixed", lang, n=len(changes["newly_fixed"]),
                            names=_school_list(changes["newly_fixed"], lang)))
        if not parts:
            parts.append(_p("newly_none", lang))
        out += _p("newly", lang, previous=changes["previous_year"], parts=("；" if lang == "zh" else "; ").join(parts))
    return out + note


def plan(c) -> str:
    """存在问题与整改建议 in two sentences: how many things to do, and what they cost."""
    lang, rows = c.lang, c.plan
    if c.plan_problems:
        return "\n".join([t("report.plan.config_errors", lang), ""] + [f"- {escape(p.message(lang))}" for p in c.plan_problems])
    if rows.empty:
        return t("report.plan.none", lang)
    required = rows[rows["required"]]
    schools = required["school_code"].replace("", None).dropna().nunique()
    items = required[required["school_code"].isna() | (required["school_code"] == "")]["item"].nunique()
    out = t("report.plan.summary", lang, county=escape(c.name), n=len(rows), required=len(required), schools=schools,
            items=items, improvements=len(rows) - len(required))
    totals = c.plan_totals(by=("lead",))
    out += t("report.plan.costs", lang, one_off=fmt.integer(totals["cost_one_off"].sum()),
             recurring=fmt.integer(totals["cost_recurring"].sum()), uncosted=int(totals["uncosted"].sum()))
    if rows["illustrative"].fillna(False).astype(bool).any():
        out += t("report.plan.costs_illustrative", lang)
    return out


def targets(c) -> str:
    """Where the county stands on its own plan: how many targets are met, on track, behind, missed,
    naming those behind or missed with their values."""
    from junheng.report.tables import target_value

    lang, summary = c.lang, c.target_summary
    if summary.empty:
        return ""
    counts = summary["status"].value_counts()
    parts = [t("report.targets.count", lang, n=int(counts[s]), status=t(f"targets.status.{s}", lang))
             for s in ("met", "on_track", "off_track", "missed", "not_due", "no_data") if counts.get(s)]
    plan = summary["plan"].dropna().iloc[0] if "plan" in summary and summary["plan"].notna().any() else ""
    out = t("report.targets.summary", lang, county=escape(c.name), n=len(summary), plan=escape(plan) if plan else "",
            parts=_and(lang).join(parts))
    behind = summary[summary["status"].isin(["off_track", "missed"])]
    for r in behind.itertuples():
        unit_text = r.unit if isinstance(r.unit, str) else ""
        expected = target_value(r.expected, r.value_kind, unit_text, lang) if not fmt.is_missing(r.expected) else ""
        key = "report.targets.missed" if r.status == "missed" else "report.targets.behind"
        out += t(key, lang, name=escape(r.target_name), value=target_value(r.value, r.value_kind, unit_text, lang),
                 target=target_value(r.target, r.value_kind, unit_text, lang), due=int(r.due_year), expected=expected,
                 year=c.year)
    return out


def gap(c) -> str:
    """The urban–rural gap in one sentence per section: the indicator where rural schools lag most
    and how much of the inequality lies between urban, town and rural schools."""
    lang, rows = c.lang, c.gap
    rows = rows[rows["year"] == c.year]
    out = []
    for section in c.rules.sections:
        mine = rows[(rows["section"] == section) & rows["ratio_rural_urban"].notna()]
        column = "ratio_rural_urban"
        if mine.empty:
            mine = rows[(rows["section"] == section) & rows["ratio_rural_other"].notna()]
            column = "ratio_rural_other"
        if mine.empty:
            continue
        low = mine.sort_values(column).iloc[0]
        top = mine.sort_values("between_share").iloc[-1]
        key = "report.gap.sentence" if column == "ratio_rural_urban" else "report.gap.sentence_town"
        out.append(t(key, lang, section=c.section_name(section), indicator=low["short"], ratio=fmt.percent(low[column], 0),
                     top=top["short"], share=fmt.percent(top["between_share"])))
    return "".join(out) if lang == "zh" else " ".join(out)


def contributors(c, section: str) -> str:
    """The schools that contribute most to the section's largest coefficient."""
    from junheng.method import equity

    cv = c.coefficients[(c.coefficients["section"] == section) & c.coefficients["cv"].notna()]
    scoped = c.evaluated_schools[c.evaluated_schools["section"] == section]
    if cv.empty or scoped.empty:
        return ""
    worst = cv.sort_values("cv").iloc[-1]
    import pandas as pd

    long = pd.DataFrame({"g": 0, "x": scoped[f"value_{worst['key']}"], "w": scoped["students"]})
    share = equity.contributions(long, ["g"]).fillna(0)
    top = scoped.assign(share=share.to_numpy()).sort_values("share", ascending=False).head(3)
    names = "、".join(f"{escape(r.name)}（{fmt.percent(r.share, 0)}）" for r in top.itertuples())
    return t(
        "report.prose.contributors",
        c.lang,
        section=c.section_name(section),
        indicator=worst["short"],
        names=names,
    )


def prerequisite(c) -> str:
    """The year the county was recognised as basic-balanced."""
    pre = c.items[c.items["part"] == "prerequisite"]
    year = pre.iloc[0]["evidence"].get("recognised_year") if len(pre) else None
    if fmt.is_missing(year):
        return t("report.text.not_recognised", c.lang)
    return t("report.text.recognised", c.lang, year=int(year))


def method(c) -> str:
    """The methodology appendix: rules, overlays, formulas, scope, precision, options."""
    r, lang = c.rules, c.lang
    names = _and(lang).join(f"{o['id']}（{pick(o['name'], lang)}）" for o in r.overlays)
    lines = [
        t("report.method.rules", lang, name=pick(r.data["name"], lang), document=r.data.get("document", "")),
        t("report.method.overlays", lang, names=names) if names else t("report.method.no_overlays", lang),
        t("report.method.cv", lang),
        t("report.method.split", lang),
        t("report.method.scope", lang),
        t("report.method.teachers", lang),
        t("report.method.precision", lang),
        t("report.method.missing", lang),
        t("report.method.basic_overlays", lang),
        t("report.method.options", lang, options=rule_options(c)),
        t("report.method.document", lang),
    ]
    return "\n\n".join(lines)


def rule_options(c) -> str:
    """The rule options in force, in words (民办学校纳入评估：是；…), not as program settings."""
    lang, parts = c.lang, []
    for key, value in c.rules.options.items():
        label = f"report.option_labels.{key}"
        try:
            template = t(label, lang, value=_option_value(value, lang))
        except KeyError:
            continue
        parts.append(template)
    return ("；" if lang == "zh" else "; ").join(parts)


def _option_value(value, lang: str) -> str:
    if isinstance(value, bool):
        return t("report.words.affirmative" if value else "report.words.negative", lang)
    return fmt.number(value, 0) if float(value).is_integer() else str(value)


def borderline(c) -> str:
    """Results that rounding could flip: coefficients and school indicators."""
    lines = []
    if "borderline" in c.coefficients:
        for r in c.coefficients[c.coefficients["borderline"].astype(bool)].itertuples():
            lines.append(f"{r.section_name} {r.indicator} {r.name}: {r.cv:.4f}（≤ {fmt.number(r.limit, 2)}）")
    ind = c.indicators
    if not ind.empty and "borderline" in ind:
        for r in ind[ind["borderline"].astype(bool)].itertuples():
            lines.append(f"{escape(r.name)} {r.section_name} {r.indicator}")
    if not lines:
        return t("report.words.none", c.lang)
    return "\n".join(f"- {line}" for line in lines)
