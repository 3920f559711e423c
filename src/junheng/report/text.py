"""The report's sentences, as Markdown, generated from a `County`'s frames.

The report's sentences, as Markdown, generated from a `County`'s frames: every number and name comes from the
engine, so the text cannot contradict a table. Names from the data are escaped (they cannot inject markup).
Display with ``IPython.display.Markdown``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from junheng.i18n import pick, t
from junheng.planning.missing import set_aside_schools
from junheng.report import format as fmt

LISTED_IN_VERDICT = 8  # failing schools named, with their figures, in the conclusion
RISE_WORTH_NOTING = 0.02  # a coefficient that rose this much in a year ...
NEAR_LIMIT = 0.8  # ... to at least this share of its limit is named in the trend
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


def _verdict_word(verdict: str, lang: str) -> str:
    """A verdict inside a sentence: the cover's capitals (NOT YET MET) in lower case in English."""
    return verdict if lang == "zh" else verdict.lower()


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
    by_type = sep.join(
        f"{r.type_name}{_count(r.schools, lang)}"
        if lang == "zh"
        else f"{int(r.schools)} {fmt.plural(int(r.schools), r.type_name.lower(), lang)}"
        for r in prof.itertuples()
        if r.schools
    )
    # the schools the import could not read count among the county's schools (no students known)
    aside = len(set_aside_schools(c))
    if aside:
        by_type += sep + _p("profile_set_aside", lang, n=_count(aside, lang) if lang == "zh" else aside)
    out = [
        _p(
            "profile",
            lang,
            county=escape(c.name),
            year=c.year,
            schools=fmt.integer(prof["schools"].sum() + aside),
            by_type=by_type,
            students=fmt.integer(prof["students"].sum()),
            primary=fmt.integer(prof["primary"].sum()),
            junior=fmt.integer(prof["junior"].sum()),
            teachers=fmt.integer(prof["teachers"].sum()),
        )
    ]
    if aside:
        out.append(_p("profile_set_aside_note", lang))
    previous = prof["previous_year"].iloc[0]
    previous_valid = not fmt.is_missing(previous) and int(previous) not in set(
        c.history.loc[c.history["status"] == "invalid", "year"].astype(int)
    )
    if "previous_schools" in prof and previous_valid:
        out.append(
            _p(
                "profile_change",
                lang,
                previous=int(prof["previous_year"].iloc[0]),
                schools=_change(prof["schools"].sum(), prof["previous_schools"].sum(), lang, "school"),
                students=_change(prof["students"].sum(), prof["previous_students"].sum(), lang, "person"),
                teachers=_change(prof["teachers"].sum(), prof["previous_teachers"].sum(), lang, "person"),
            )
        )
    n = c.counts
    excluded = c.excluded.drop_duplicates("school_code")
    excluded = excluded[~excluded["school_code"].isin(c.evaluated_schools["school_code"])]
    if len(excluded):
        reasons = excluded.groupby("exclusion")["school_code"].nunique()
        text = sep.join(
            fmt.counted(v, t(f"report.exclusion_short.{k}", lang), lang) for k, v in reasons.items()
        )
        units = len(c.evaluated_schools)
        split = _p("profile_units", lang, units=fmt.integer(units)) if units != n["evaluated"] else ""
        out.append(
            _p(
                "profile_scope",
                lang,
                evaluated=fmt.integer(n["evaluated"]),
                excluded=fmt.integer(len(excluded)),
                reasons=text,
                split=split,
            )
        )
    else:
        out.append(_p("profile_scope_all", lang))
    return "".join(out) if lang == "zh" else " ".join(out)


def _school_list(labels: list, lang: str, limit: int = 8) -> str:
    text = _and(lang).join(escape(x) for x in labels[:limit])
    if len(labels) > limit:
        text += t("report.evidence.more", lang, n=len(labels) - limit, total=len(labels))
    return text


def problem_sentences(c) -> list[str]:
    """One sentence per problem, with its figures.

    One sentence per problem, with its figures: schools below the school rule, coefficients over their limit,
    failing items of Parts G, Q and S (with their evidence), vetoes.
    """
    from junheng.report.evidence import evidence_text, item_name

    lang = c.lang
    out = []
    scoped = c.evaluated_schools
    if c.rules.school_rule and len(scoped):
        failed = scoped[~scoped["school_passed"].astype(bool)]
        if len(failed):
            n_missed = len([i for i in c.rules.indicators if i.threshold]) - failed["n_met"]
            plan = c.plan
            # the plan's Part R problems of each section-school, in the plan's order
            problems: dict = {}
            if len(plan):
                resource = plan[plan["part"] == "resource"]
                columns = (resource["school_code"], resource["section"], resource["problem"])
                for code, section, problem in zip(*columns, strict=True):
                    if isinstance(section, str):
                        problems.setdefault((code, section), []).append(problem)
            names = []
            # only the schools named are described (a county of 20,000 schools: issue #22)
            head = failed.head(LISTED_IN_VERDICT)[["school_code", "section", "label"]]
            for r, k in zip(head.itertuples(), n_missed, strict=False):
                mine = problems.get((r.school_code, r.section), []) if isinstance(r.section, str) else []
                details = t("report.words.clause_sep", lang).join(dict.fromkeys(mine)) if mine else ""
                names.append(
                    _p("school_missed_details", lang, name=escape(r.label), details=escape(details))
                    if details
                    else _p("school_missed", lang, name=escape(r.label), n=int(k))
                )
            shown = [f"\n    - {name}" for name in names]
            if len(failed) > LISTED_IN_VERDICT:
                from junheng.report.separate import separate

                more = "report.prose.schools_more_apart" if separate(c) else "report.prose.schools_more"
                shown.append(
                    "\n    - "
                    + t(more, lang, n=len(failed) - LISTED_IN_VERDICT, **fmt.county_words(c.name, lang))
                )
            joined = "".join(shown)
            out.append(_p("schools_failed", lang, n=len(failed), names=joined))
    cv = c.coefficients
    for r in cv.itertuples():
        if r.status == "zero_mean":
            out.append(_p("cv_undefined", lang, section=r.section_name, indicator=r.name))
        elif "passed" in cv and r.status == "ok" and not r.passed:
            out.append(
                _p(
                    "cv_failed",
                    lang,
                    section=fmt.in_sentence(r.section_name, lang),
                    indicator=fmt.in_sentence(r.name, lang),
                    cv=fmt.coefficient_against(r.cv, r.limit),
                    limit=fmt.number(r.limit, 2),
                )
            )
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
    """The vetoes that apply, quoted, each with the county's account of it."""
    from junheng.report.evidence import veto_details

    quoted = []
    for r in rows.itertuples():
        name = f"“{r.label}”" if lang == "zh" else f'"{r.label}"'
        details = veto_details(r)
        quoted.append(_p("veto_detail" if details else "veto_name", lang, veto=name, details=escape(details)))
    return _and(lang).join(quoted)


def _rising_coefficients(c) -> str:
    """Coefficients that rose by RISE_WORTH_NOTING or more since the previous year to near their limit.

    Near their limit: NEAR_LIMIT of it or more. With both values and the limit:
    小学生均教学仪器设备值（0.460→0.497，标准不高于0.50）.
    """
    history = c.coefficient_history
    # no per-indicator limit (jiben-2012 judges a section's composite, R): nothing is near a limit
    if history.empty or "limit" not in history or not (history["year"] == c.year - 1).any():
        return ""
    shown = ["section", "indicator", "section_name", "name", "cv", "limit"]  # what the sentence says
    now = history.loc[history["year"] == c.year, shown].set_index(["section", "indicator"])
    before = history[history["year"] == c.year - 1].set_index(["section", "indicator"])
    both = now.join(before[["cv"]].rename(columns={"cv": "cv_before"}), how="inner")
    both = both[
        ((both["cv"] - both["cv_before"]) >= RISE_WORTH_NOTING - 1e-9)
        & (both["cv"] >= NEAR_LIMIT * both["limit"])
    ]
    return t("report.words.list_sep", c.lang).join(
        _p(
            "trend_cv_rise_item",
            c.lang,
            section=r.section_name,
            indicator=r.name,
            before=fmt.coefficient(r.cv_before),
            now=fmt.coefficient(r.cv),
            limit=fmt.number(r.limit, 2),
        )
        for r in both.itertuples()
    )


def watch_sentences(c) -> list[str]:
    """Results that pass by a hair: borderline coefficients and schools."""
    lang, out = c.lang, []
    cv = c.coefficients
    if "borderline" in cv:
        for r in cv[cv["borderline"].astype(bool) & (cv["status"] == "ok")].itertuples():
            if not r.passed:
                continue
            out.append(
                _p(
                    "borderline_cv",
                    lang,
                    section=r.section_name,
                    indicator=r.name,
                    cv=fmt.coefficient(r.cv),
                    limit=fmt.number(r.limit, 2),
                    margin=fmt.coefficient_margin(r.limit - r.cv),
                )
            )
    scoped = c.evaluated_schools
    if "school_borderline" in scoped:
        border = scoped[scoped["school_borderline"].astype(bool)]
        if len(border):
            out.append(
                _p("borderline_schools", lang, n=len(border), names=_school_list(list(border["label"]), lang))
            )
    return out


def verdict(c) -> str:
    """总体结论: the self-assessment and, where the county falls short, its problems.

    总体结论: the self-assessment and, where the county falls short, its problems with their figures; passing,
    failing, borderline, vetoed and incomplete counties read differently.
    """
    lang, rules = c.lang, c.rules
    name = escape(c.name)
    if c.invalid:
        errors = c.problems[c.problems["severity"] == "error"]["finding"].head(30)
        return "\n".join(
            [f"**{t('problem.invalid_county_data', lang)}**", ""] + [f"- {escape(m)}" for m in errors]
        )
    basis = _p("basis", lang, name=pick(rules.data["name"], lang), document=rules.data.get("document", ""))
    if not c.has_parts:
        key = "basic_passed" if c.status == "passed" else "basic_failed"
        caveat = _p("caveat", lang, **fmt.county_words(c.name, lang))
        return f"**{basis}{_p(key, lang, county=name, year=c.year)}**\n\n{caveat}"
    problems = problem_sentences(c)
    vetoes = c.items[(c.items["part"] == "vetoes") & (c.items["status"] == "fail")]
    parts = c.parts.set_index("part")["status"]
    others_met = all(parts.get(p) == "pass" for p in ("resource", "guarantee", "quality", "survey"))
    rest: list[str] = []
    if c.status == "passed":
        lead = _p("passed", lang, county=name, year=c.year)
    elif c.status == "incomplete":
        missing = [
            t(f"report.part_missing.{r.part}", lang)
            for r in c.parts.itertuples()
            if r.status == "not_assessed"
        ]
        lead = _p("incomplete", lang, county=name, year=c.year, parts=_and(lang).join(missing))
        lead += _p("incomplete_problems", lang) if problems else _p("incomplete_ok", lang)
        rest = problems
    elif len(vetoes) and others_met:
        lead = _p(
            "vetoed",
            lang,
            county=name,
            year=c.year,
            vetoes=_vetoes(vetoes, lang),
            parts_state=_p("parts_all_met", lang),
        )
    else:
        lead, rest = _p("failed", lang, county=name, year=c.year), problems
    blocks = [f"**{basis}{lead}**"]
    if rest:
        blocks.append("\n".join(f"{k}. {sentence}" for k, sentence in enumerate(rest, start=1)))
    watch = watch_sentences(c)
    if watch:
        blocks.append(_p("watch", lang) + ("".join(watch) if lang == "zh" else " " + " ".join(watch)))
    blocks.append(_p("caveat", lang, **fmt.county_words(c.name, lang)))
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
    status = (
        _p("cv_range_ok", lang, limit=limit)
        if bad.empty
        else _p(
            "cv_range_bad",
            lang,
            names=_and(lang).join(fmt.in_sentence(n, lang) for n in bad["name"]),
            limit=limit,
        )
    )
    out = [
        _p(
            "cv_range",
            lang,
            section=fmt.in_sentence(sec_name, lang),
            low=fmt.coefficient(cv["cv"].min()),
            high=fmt.coefficient(cv["cv"].max()),
            status=status,
        )
    ]
    scoped = c.evaluated_schools[c.evaluated_schools["section"] == section]
    n_bad = int((~scoped["school_passed"].astype(bool)).sum())
    out.append(
        _p("schools_ok", lang, n=len(scoped))
        if not n_bad
        else _p("schools_bad", lang, n=len(scoped), n_ok=len(scoped) - n_bad, n_bad=n_bad)
    )
    return "".join(out) if lang == "zh" else " ".join(out)


def basic_section(c, section: str) -> str:
    """The 2012 rules' coefficients of one section and their composite against its limit (R under jiben-2012).

    小学8项指标的校际差异系数在0.072至0.237之间，综合差异系数为0.137，不高于0.65的标准。"" when the section
    has no composite (no schools, or a coefficient undefined).
    """
    lang = c.lang
    b = c.basic
    if b.empty:
        return ""
    rows = b[b["section"] == section]
    composite = rows[rows["indicator"] == "composite"]
    cv = rows[(rows["indicator"] != "composite") & (rows["status"] == "ok")]
    if composite.empty or cv.empty or fmt.is_missing(composite["cv"].iloc[0]):
        return ""
    value, limit = float(composite["cv"].iloc[0]), composite["limit"].iloc[0]
    passed = composite["passed"].iloc[0] if "passed" in composite else None
    if fmt.is_missing(limit) or fmt.is_missing(passed):
        status = ""
    else:  # the engine's verdict on the composite (R, docs/method.md §5), never judged again here
        status = _p("basic_range_ok" if bool(passed) else "basic_range_bad", lang, limit=fmt.number(limit, 2))
    return _p(
        "basic_range",
        lang,
        section=fmt.in_sentence(c.section_name(section), lang),
        n=len(cv),
        low=fmt.coefficient(cv["cv"].min()),
        high=fmt.coefficient(cv["cv"].max()),
        composite=fmt.coefficient(value),
        status=status,
    )


def shortfall(c) -> str:
    """What the county must add in total to meet every threshold."""
    from junheng.planning.needs import SECTION_INDICATORS

    short = c.shortfalls
    if short.empty:
        return _p("shortfall_none", c.lang)
    parts = []
    for ind in c.rules.indicators:
        mine = short[short["indicator"] == ind.id]
        if len(mine):
            # one addition per school for a shared resource (it serves both sections of a 一贯制 school)
            amount = mine.groupby(
                ["school_code", "section"] if ind.id in SECTION_INDICATORS else "school_code"
            )["add"].max()
            parts.append(t(f"report.add.{ind.id}", c.lang, amount=fmt.number(amount.sum(), 0)))
    scoped = c.evaluated_schools
    every_school_passes = c.rules.school_rule and bool(scoped["school_passed"].astype(bool).all())
    key = "shortfall_optional" if every_school_passes else "shortfall_total"
    return _p(key, c.lang, whole=c.designation, items=_and(c.lang).join(parts))


def _trend_part(a: int, b: int, prefix: str, lang: str, ever: bool) -> str:
    if not ever:
        return _p(f"{prefix}_none", lang)
    if a == b:
        return _p(f"{prefix}_same", lang, a=a)
    return _p(f"{prefix}_change", lang, a=a, b=b, direction=_p("fewer" if b < a else "more", lang))


def item_names(c, ids: list) -> str:
    """Item ids as readers name them: 班额 (never the code G5 in prose), and a veto by its label in quotes."""
    from junheng.report.evidence import item_name

    labels = dict(zip(c.items["id"], c.items["label"], strict=True))
    names = []
    for item_id in ids:
        try:
            names.append(item_name(item_id, c.lang))
        except KeyError:
            label = labels.get(item_id, item_id)
            names.append(f"“{label}”" if c.lang == "zh" else f'"{label}"')
    return _and(c.lang).join(names)


def _basic_trend(c, first: int, last: int) -> str:
    """资源配置方面，小学综合差异系数由0.185（2022年）变为0.137（2024年）…: the 2012 composite per section."""
    lang = c.lang
    before, now = c.basic_composites(first), c.basic_composites(last)
    items = [
        _p(
            "trend_basic_item",
            lang,
            section=fmt.in_sentence(c.section_name(section), lang),
            first=fmt.coefficient(before[section]),
            last=fmt.coefficient(now[section]),
            first_year=first,
            last_year=last,
        )
        for section in c.rules.sections
        if section in before and section in now
    ]
    if not items:
        return ""
    return _p("trend_basic", lang, items=t("report.words.clause_sep", lang).join(items))


def trend(c) -> str:
    """How the county changed from its first year in the data to the report's year.

    How the county changed from its first year in the data to the report's year: the verdict, Part R (schools
    below the school rule, coefficients over their limit), the failing items of the other parts, and what
    changed since the previous year.
    """
    lang, hist = c.lang, c.history
    invalid = [int(y) for y in hist.loc[hist["status"] == "invalid", "year"]]
    hist = hist[hist["status"] != "invalid"]
    note = _p("trend_invalid", lang, years=_and(lang).join(str(y) for y in invalid)) if invalid else ""
    if len(hist) < 2:
        return _p("trend_single", lang, year=c.year) + note
    first, last = hist.iloc[0], hist.iloc[-1]
    sentences = []
    verdicts = list(hist["verdict"])
    if len(set(verdicts)) == 1:
        sentences.append(
            _p(
                "trend_verdict_same",
                lang,
                first=int(first["year"]),
                last=int(last["year"]),
                verdict=_verdict_word(verdicts[0], lang),
            )
        )
    else:
        by_year = _and(lang).join(
            _p("trend_year_verdict", lang, year=int(r.year), verdict=_verdict_word(r.verdict, lang))
            for r in hist.itertuples()
        )
        sentences.append(
            _p("trend_verdict_changed", lang, first=int(first["year"]), last=int(last["year"]), years=by_year)
        )
    if not c.has_parts:  # jiben-2012 (R): no school rule, no items; each section's composite over the years
        sentences.append(_basic_trend(c, int(first["year"]), int(last["year"])))
        return ("" if lang == "zh" else " ").join(s for s in sentences if s) + note
    schools = _trend_part(
        int(first["schools_failed"]),
        int(last["schools_failed"]),
        "trend_schools",
        lang,
        bool(hist["schools_failed"].any()),
    )
    coefficients = _trend_part(
        int(first["cv_failed"]), int(last["cv_failed"]), "trend_cv", lang, bool(hist["cv_failed"].any())
    )
    sentences.append(_p("trend_resource", lang, schools=schools, coefficients=coefficients))
    if c.has_parts and "items_failed" in hist:
        a, b = list(first["items_failed"]), list(last["items_failed"])
        missing = [int(n) for n in hist.get("items_missing", [0] * len(hist))]
        if not any(len(x) for x in hist["items_failed"]):
            if not any(missing):
                sentences.append(_p("trend_items_none", lang))
        elif all(list(x) == b for x in hist["items_failed"]):
            sentences.append(_p("trend_items_same", lang, names=item_names(c, b)))
        else:
            sentences.append(
                _p(
                    "trend_items_change",
                    lang,
                    first=int(first["year"]),
                    last=int(last["year"]),
                    a=len(a),
                    b=len(b),
                    a_names=item_names(c, a) or _p("nothing", lang),
                    b_names=item_names(c, b) or _p("nothing", lang),
                )
            )
        if any(missing):
            # not assessed is never "met": say how many items each year could not be judged
            if len(set(missing)) == 1:
                sentences.append(_p("trend_items_missing_same", lang, n=missing[0]))
            else:
                years = t("report.words.list_sep", lang).join(
                    _p("trend_year_missing", lang, year=int(y), n=n)
                    for y, n in zip(hist["year"], missing, strict=True)
                )
                sentences.append(_p("trend_items_missing", lang, years=years))
    rising = _rising_coefficients(c)
    if rising:
        sentences.append(_p("trend_cv_rise", lang, year=c.year - 1, items=rising))
    changes = c.school_changes
    parts = []
    if changes["previous_year"]:
        if changes["newly_failing"]:
            parts.append(
                _p(
                    "newly_failing",
                    lang,
                    n=len(changes["newly_failing"]),
                    names=_school_list(changes["newly_failing"], lang),
                )
            )
        if changes["newly_fixed"]:
            parts.append(
                _p(
                    "newly_fixed",
                    lang,
                    n=len(changes["newly_fixed"]),
                    names=_school_list(changes["newly_fixed"], lang),
                )
            )
    if c.has_parts and len(hist) >= 2 and "items_failed" in hist:
        before, now = set(hist.iloc[-2]["items_failed"]), set(last["items_failed"])
        if now - before:
            parts.append(_p("newly_failing_items", lang, names=item_names(c, sorted(now - before))))
        if before - now:
            parts.append(_p("newly_fixed_items", lang, names=item_names(c, sorted(before - now))))
    previous = changes["previous_year"] or (int(hist.iloc[-2]["year"]) if len(hist) >= 2 else None)
    if previous:
        if not parts:
            parts.append(_p("newly_none", lang))
        sentences.append(
            _p("newly", lang, previous=previous, parts=t("report.words.clause_sep", lang).join(parts))
        )
    return ("" if lang == "zh" else " ").join(sentences) + note


def _split_cost(rows) -> tuple[int, int]:
    """The one-off and the yearly cost of plan rows (whole yuan)."""
    if rows.empty:
        return 0, 0
    recurring = rows["recurring"].astype(bool)
    return int(rows.loc[~recurring, "cost"].astype("int64").sum()), int(
        rows.loc[recurring, "cost"].astype("int64").sum()
    )


def plan(c) -> str:
    """存在问题与整改建议 in two sentences: how many things to do, and what they cost.

    存在问题与整改建议 in two sentences: how many things to do, and what they cost (no clause about zero: a
    plan without improvements or without yearly costs does not mention them).
    """
    lang, rows = c.lang, c.plan
    if c.plan_problems:
        return "\n".join(
            [t("report.plan.config_errors", lang), ""]
            + [f"- {escape(p.message(lang))}" for p in c.plan_problems]
        )
    if rows.empty:
        return t("report.plan.none", lang)
    required = rows[rows["required"]]
    schools = required["school_code"].replace("", None).dropna().nunique()
    items = required[required["school_code"].isna() | (required["school_code"] == "")]["item"].nunique()
    scope = [
        t("report.plan.scope_schools", lang, n=schools, schools=fmt.plural(schools, "school", lang))
        if schools
        else "",
        t("report.plan.scope_items", lang, n=items, items=fmt.plural(items, "item", lang)) if items else "",
    ]
    scope_text = t("report.words.and_two", lang).join(x for x in scope if x)
    parts = []
    if len(required):
        parts.append(t("report.plan.required_n", lang, n=len(required), scope=scope_text))
    improvements = len(rows) - len(required)
    if improvements:
        parts.append(
            t(
                "report.plan.improvements_n",
                lang,
                n=improvements,
                improvements=fmt.plural(improvements, "improvement", lang),
            )
        )
    out = t(
        "report.plan.summary",
        lang,
        county=escape(c.name),
        n=len(rows),
        matters=fmt.plural(len(rows), "matter", lang),
        parts=t("report.words.clause_sep" if lang == "en" else "report.words.comma", lang).join(parts),
    )
    totals = c.plan_totals(by=("lead",))
    one_off, recurring, uncosted = (
        totals["cost_one_off"].sum(),
        totals["cost_recurring"].sum(),
        int(totals["uncosted"].sum()),
    )
    costs = []
    if one_off:
        costs.append(t("report.plan.cost_one_off", lang, amount=fmt.money_text(one_off, lang)))
    if recurring:
        costs.append(t("report.plan.cost_recurring", lang, amount=fmt.money_text(recurring, lang)))
    if costs:
        out += t("report.plan.costs", lang, costs=t("report.words.comma", lang).join(costs))
        if "payer" in rows:
            sponsor = rows[(rows["payer"] == "sponsor") & rows["cost"].notna()]
            one, yearly = _split_cost(sponsor)
            shown = [
                t("report.plan.cost_one_off", lang, amount=fmt.money_text(one, lang)) if one else "",
                t("report.plan.cost_recurring", lang, amount=fmt.money_text(yearly, lang)) if yearly else "",
            ]
            shown = [x for x in shown if x]
            if shown:
                out += t(
                    "report.plan.cost_sponsor",
                    lang,
                    amount=t("report.words.comma", lang).join(shown),
                    **fmt.county_words(c.name, lang),
                )
    if uncosted:
        out += t("report.plan.uncosted", lang, n=uncosted, **fmt.county_words(c.name, lang))
    if c.draft:
        out += t("report.plan.costs_illustrative", lang, **fmt.county_words(c.name, lang))
    return out


def targets(c) -> str:
    """Where the county stands on its own plan.

    Where the county stands on its own plan: how many targets are met, on track, behind, missed, naming those
    behind or missed with their values.
    """
    from junheng.report.tables import target_goal, target_value

    lang, summary = c.lang, c.target_summary
    if summary.empty:
        return ""
    counts = summary["status"].value_counts()
    parts = [
        t("report.targets.count", lang, n=int(counts[s]), status=t(f"targets.status.{s}", lang))
        for s in ("met", "on_track", "off_track", "missed", "not_due", "no_data")
        if counts.get(s)
    ]
    plan = summary["plan"].dropna().iloc[0] if "plan" in summary and summary["plan"].notna().any() else ""
    out = t(
        "report.targets.summary",
        lang,
        county=escape(c.name),
        n=len(summary),
        plan=escape(plan) if plan else "",
        parts=_and(lang).join(parts),
    )
    behind = summary[summary["status"].isin(["off_track", "missed"])]
    for r in behind.itertuples():
        unit_text = r.unit if isinstance(r.unit, str) else ""
        expected = (
            target_value(r.expected, r.value_kind, unit_text, lang, r.kind)
            if not fmt.is_missing(r.expected)
            else ""
        )
        key = "report.targets.missed" if r.status == "missed" else "report.targets.behind"
        out += t(
            key,
            lang,
            name=escape(r.target_name),
            value=target_value(r.value, r.value_kind, unit_text, lang, r.kind),
            target=target_goal(r, lang),
            due=int(r.due_year),
            expected=expected,
            year=c.year,
        )
    return out


def gap(c) -> str:
    """The urban–rural gap in one sentence per section.

    The urban–rural gap in one sentence per section: the indicator where rural schools lag most and how much
    of the inequality lies between urban, town and rural schools.
    """
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
        out.append(
            t(
                key,
                lang,
                section=c.section_name(section),
                indicator=low["short"],
                ratio=fmt.percent(low[column], 0),
                top=top["short"],
                share=fmt.percent(top["between_share"]),
            )
        )
    notes = _gap_definitions(c)
    if out and notes:
        out.append(notes)
    return "".join(out) if lang == "zh" else " ".join(out)


def _gap_definitions(c) -> str:
    """A note when the county's own targets measure a rural–urban gap another way.

    Another way: per teacher, not per 100 students as the indicators here; the two figures differ and
    are not to be compared.
    """
    dataset = getattr(getattr(c, "evaluation", None), "dataset", None)
    own = [tg for tg in getattr(dataset, "targets", []) or [] if tg.county_code == c.code]
    other = [
        tg for tg in own if tg.measure.kind == "gap" and tg.measure.denominator not in (None, "students")
    ]
    if not other:
        return ""
    names = t("report.words.list_sep", c.lang).join(
        "“" + escape(pick(tg.name, c.lang) if isinstance(tg.name, dict) else str(tg.name)) + "”"
        for tg in other
    )
    return t("report.gap.other_definition", c.lang, targets=names)


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
    top = scoped[["name"]].assign(share=share.to_numpy()).sort_values("share", ascending=False).head(3)
    names = fmt.series(
        (
            f"{escape(name)}{fmt.bracket(fmt.percent(value, 0), c.lang)}"
            for name, value in zip(top["name"], top["share"], strict=True)
        ),
        c.lang,
    )
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
    out = t("report.text.recognised", c.lang, year=int(year), **fmt.county_words(c.name, c.lang))
    # whether the basic balance has held since: the 2012 method's composite coefficients this year
    comp = c.basic[c.basic["indicator"] == "composite"] if len(c.basic) else c.basic
    comp = comp[comp["cv"].notna()] if len(comp) else comp
    if len(comp):
        order = {s: k for k, s in enumerate(c.rules.sections)}
        comp = comp.sort_values("section", key=lambda col: col.map(order))
        parts = t("report.words.comma", c.lang).join(
            t(
                "report.text.basic_part",
                c.lang,
                section=r.section_name,
                cv=fmt.coefficient(r.cv),
                limit=fmt.number(r.limit, 2),
            )
            for r in comp.itertuples()
        )
        held = bool(comp["passed"].astype(bool).all())
        out += t(
            "report.text.basic_held" if held else "report.text.basic_not_held",
            c.lang,
            year=c.year,
            parts=parts,
        )
    return out


def method(c) -> str:
    """The methodology appendix: rules, overlays, formulas, scope, precision, options."""
    r, lang = c.rules, c.lang
    # the overlays by their names, not their file ids (a reader knows 不含民办学校, not exclude-private)
    names = _and(lang).join(pick(o["name"], lang) for o in r.overlays)
    options = r.options
    private = (
        "report.method.private_included"
        if options.get("include_private", True)
        else "report.method.private_excluded"
    )
    if not c.has_parts:  # jiben-2012 (R): coefficients only, no items, no school rule, no separate 2012 table
        return "\n\n".join(
            [
                t(
                    "report.method.rules",
                    lang,
                    name=pick(r.data["name"], lang),
                    document=r.data.get("document", ""),
                ),
                t("report.method.overlays", lang, names=names)
                if names
                else t("report.method.no_overlays", lang),
                t("report.method.cv", lang),
                t("report.method.split", lang),
                t("report.method.scope_2012", lang),
                t(
                    "report.method.precision",
                    lang,
                    margin=f"{float(options.get('borderline_margin', 0.005)):g}",
                    decimals=fmt.number(options.get("published_decimals", 2), 0),
                ),
                "\n".join([t("report.method.options", lang), "", *(f"- {part}" for part in option_parts(c))]),
                t("report.method.document", lang),
            ]
        )
    lines = [
        t("report.method.rules", lang, name=pick(r.data["name"], lang), document=r.data.get("document", "")),
        t("report.method.overlays", lang, names=names) if names else t("report.method.no_overlays", lang),
        t("report.method.cv", lang),
        t("report.method.split", lang),
        t("report.method.scope", lang, **fmt.county_words(c.name, lang)),
        t("report.method.teachers", lang),
        t(
            "report.method.precision",
            lang,
            margin=f"{float(options.get('borderline_margin', 0.005)):g}",
            decimals=fmt.number(options.get("published_decimals", 2), 0),
        ),
        t("report.method.missing", lang),
        t("report.method.basic_overlays", lang, private=t(private, lang)),
        # one option a line: "民办学校纳入资源配置评估：是" after a colon of its own would read badly
        "\n".join([t("report.method.options", lang), "", *(f"- {part}" for part in option_parts(c))]),
        t("report.method.document", lang),
    ]
    return "\n\n".join(lines)


def provenance(c) -> str:
    """数据来源与可复核性: the files read, their fingerprint, and how the report was made.

    数据来源与可复核性: the files read, the fingerprint that identifies them, when and with what the report
    was made, and where the plan's offices, unit costs and deadlines come from.
    """
    from importlib.metadata import PackageNotFoundError, version

    lang = c.lang
    try:
        made_with = version("junheng")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        made_with = "?"
    files = t("report.words.list_sep", lang).join(escape(Path(f).name) for f in c.files)
    lines = [
        t("report.method.files", lang, files=files, year=c.year),
        t("report.method.fingerprint", lang, fingerprint=c.fingerprint),
        t("report.method.generated", lang, date=c.generated, version=made_with),
    ]
    if c.has_parts:
        own = (c.data if c.data.is_dir() else c.data.parent) / "plan.yaml"
        lines.append(t("report.method.plan_own" if own.is_file() else "report.method.plan_default", lang))
        if c.draft:
            lines.append(t("report.method.plan_illustrative", lang))
    return "\n\n".join(lines)


def rule_options(c) -> str:
    """The rule options in force, in words (民办学校纳入评估：是；…), not as program settings."""
    return fmt.clauses(option_parts(c), c.lang)


def option_parts(c) -> list[str]:
    """Each rule option in force, in words (民办学校纳入资源配置评估：是)."""
    lang, parts = c.lang, []
    for key, value in c.rules.options.items():
        label = f"report.option_labels.{key}"
        try:
            template = t(label, lang, value=_option_value(value, lang))
        except KeyError:
            continue
        parts.append(template)
    return parts


def _option_value(value, lang: str) -> str:
    if isinstance(value, bool):
        return t("report.words.affirmative" if value else "report.words.negative", lang)
    return fmt.number(value, 0) if float(value).is_integer() else str(value)


def borderline(c) -> str:
    """Results that rounding could flip: coefficients and school indicators."""
    lines = []
    if "borderline" in c.coefficients:
        for r in c.coefficients[c.coefficients["borderline"].astype(bool)].itertuples():
            lines.append(
                t(
                    "report.text.borderline_cv_line",
                    c.lang,
                    section=r.section_name,
                    name=r.name,
                    cv=fmt.coefficient(r.cv),
                    limit=fmt.number(r.limit, 2),
                )
            )
    ind = c.indicators
    if not ind.empty and "borderline" in ind:
        names = {i.id: pick(i.label, c.lang) for i in c.rules.indicators}
        for r in ind[ind["borderline"].astype(bool)].itertuples():
            lines.append(
                t(
                    "report.text.borderline_school_line",
                    c.lang,
                    school=escape(r.name),
                    section=r.section_name,
                    name=names.get(r.indicator, r.indicator),
                )
            )
    if not lines:
        return t("report.words.none", c.lang)
    return "\n".join(f"- {line}" for line in lines)
