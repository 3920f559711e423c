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


def overview(c) -> str:
    """How many schools the county has and how many were evaluated."""
    n = c.counts
    return t(
        "report.prose.overview",
        c.lang,
        county=escape(c.name),
        year=c.year,
        n_schools=n["schools"],
        n_eval=n["evaluated"],
        n_sec=n["section_schools"],
        n_excl=n["excluded"],
    )


def problem_sentences(c) -> list[str]:
    """One sentence per failing part, with names and numbers."""
    lang = c.lang
    out = []
    scoped = c.evaluated_schools
    if c.rules.school_rule:
        failed = scoped[~scoped["school_passed"].astype(bool)]
        if len(failed):
            names = _and(lang).join(
                f"{escape(r.name)}（{r.section_name}）"
                if lang == "zh"
                else f"{escape(r.name)} ({r.section_name})"
                for r in failed.head(8).itertuples()
            )
            if len(failed) > 8:
                names += "等" if lang == "zh" else ", …"
            out.append(t("report.prose.schools_failed", lang, n=len(failed), names=names))
    for r in c.coefficients.itertuples():
        if r.status == "zero_mean":
            out.append(t("report.prose.cv_undefined", lang, section=r.section_name, indicator=r.name))
        elif getattr(r, "passed", None) is False or (getattr(r, "passed", True) == False):  # noqa: E712
            if r.status == "ok" and "limit" in c.coefficients:
                out.append(
                    t(
                        "report.prose.cv_failed",
                        lang,
                        section=r.section_name,
                        indicator=r.name,
                        cv=fmt.coefficient_against(r.cv, r.limit),
                        limit=fmt.number(r.limit, 2),
                    )
                )
    for part in ("guarantee", "quality", "survey"):
        failing = c.items[(c.items["part"] == part) & (c.items["status"] == "fail")]
        if len(failing):
            text = _and(lang).join(
                f"{r.id}（{r.label}）" if lang == "zh" else f"{r.id} ({r.label})"
                for r in failing.itertuples()
            )
            out.append(t("report.prose.items_failed", lang, part=t(f"part.{part}", lang), items=text))
    vetoes = c.items[(c.items["part"] == "vetoes") & (c.items["status"] == "fail")]
    if len(vetoes):
        out.append(t("report.prose.veto", lang, vetoes=_and(lang).join(vetoes["label"])))
    return out


def verdict(c) -> str:
    """The overall verdict: a lead sentence and, where the county falls short, a list of problems."""
    lang, document = c.lang, c.rules.data.get("document", "")
    if c.invalid:
        errors = c.problems[c.problems["severity"] == "error"]["message"].head(30)
        return "\n".join([t("problem.invalid_county_data", lang), ""] + [f"- {escape(m)}" for m in errors])
    if not c.has_parts:
        key = "basic_passed" if c.status == "passed" else "basic_failed"
        return f"**{t(f'report.prose.{key}', lang, document=document)}**"
    problems = problem_sentences(c)
    if c.status == "passed":
        lead, rest = t("report.prose.passed", lang, document=document), []
    elif c.status == "incomplete":
        missing = [r.name for r in c.parts.itertuples() if r.status == "not_assessed"]
        lead = t("report.prose.incomplete", lang, document=document, parts=_and(lang).join(missing))
        rest = problems or [t("report.prose.incomplete_ok", lang)]
    else:
        lead, rest = t("report.prose.failed", lang, document=document), problems
    return "\n".join([f"**{lead}**", ""] + [f"- {p}" for p in rest])


def resource(c, section: str) -> str:
    """The coefficients of one section, borderline ones, and the school rule."""
    lang = c.lang
    cv = c.coefficients[(c.coefficients["section"] == section) & (c.coefficients["status"] == "ok")]
    if cv.empty or not c.rules.cv_limit:
        return ""
    sec_name = c.section_name(section)
    bad = cv[~cv["passed"].astype(bool)]
    status = (
        t("report.prose.cv_range_ok", lang)
        if bad.empty
        else t("report.prose.cv_range_bad", lang, names=_and(lang).join(bad["name"]))
    )
    out = [
        t(
            "report.prose.cv_range",
            lang,
            section=sec_name,
            low=fmt.coefficient(cv["cv"].min()),
            high=fmt.coefficient(cv["cv"].max()),
            limit=fmt.number(c.rules.cv_limit[section], 2),
            status=status,
        )
    ]
    for r in cv[cv["borderline"].astype(bool)].itertuples():
        out.append(
            t(
                "report.prose.borderline",
                lang,
                section=sec_name,
                indicator=r.name,
                cv=f"{r.cv:.4f}",
                limit=fmt.number(r.limit, 2),
                margin=f"{abs(r.limit - r.cv):.4f}",
            )
        )
    scoped = c.evaluated_schools[c.evaluated_schools["section"] == section]
    n_bad = int((~scoped["school_passed"].astype(bool)).sum())
    out.append(
        t("report.prose.schools_ok", lang, n=len(scoped))
        if not n_bad
        else t("report.prose.schools_bad", lang, n_ok=len(scoped) - n_bad, n_bad=n_bad)
    )
    return "\n\n".join(out)


def shortfall(c) -> str:
    """What the county must add in total to meet every threshold."""
    short = c.shortfalls
    if short.empty:
        return t("report.prose.shortfall_none", c.lang)
    parts = []
    for ind in c.rules.indicators:
        mine = short[short["indicator"] == ind.id]
        if len(mine):
            parts.append(
                t(
                    "report.prose.shortfall_item",
                    c.lang,
                    label=pick(ind.short, c.lang),
                    amount=fmt.number(mine["add"].sum(), 0),
                    unit=pick(ind.add_unit, c.lang),
                )
            )
    return t("report.prose.shortfall_total", c.lang, items=_and(c.lang).join(parts))


def trend(c) -> str:
    """How the county changed from its first year in the data to the report's year."""
    hist = c.history
    if len(hist) < 2:
        return t("report.prose.trend_single", c.lang, year=c.year)
    first, last = hist.iloc[0], hist.iloc[-1]
    return t(
        "report.prose.trend_improve",
        c.lang,
        first=int(first["year"]),
        last=int(last["year"]),
        a=int(first["schools_failed"]),
        b=int(last["schools_failed"]),
        c=int(first["cv_failed"]),
        d=int(last["cv_failed"]),
    )


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


def parent_share(c) -> str:
    """The parents' share of the survey sample against the ≥ 50% guideline."""
    s = c.items[c.items["part"] == "survey"]
    if s.empty:
        return ""
    share = s.iloc[0]["evidence"].get("parent_share")
    if fmt.is_missing(share):
        return ""
    text = t("report.text.parent_share", c.lang, share=fmt.percent_against(share, 0.5))
    return text + ("" if share >= 0.5 else t("report.text.parent_share_low", c.lang))


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
        t("report.method.precision", lang),
        t("report.method.missing", lang),
    ]
    return "\n\n".join(lines)


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
