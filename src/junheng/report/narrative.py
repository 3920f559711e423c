"""The report's prose, generated from the results: every number and name comes from the engine,
so the text cannot contradict a table. A failing and a passing county read differently.
"""

from __future__ import annotations

from junheng.i18n import pick, t


def _sep(lang):
    return t("report.words.and", lang)


def fmt_cv(value) -> str:
    return f"{value:.3f}"


def _ind_label(rules, ind_id, lang):
    ind = next(i for i in rules.indicators if i.id == ind_id)
    return pick(ind.label, lang)


def overview(r) -> str:
    acc = r.doc["parts"]["resource"]["accounting"]
    excluded_schools = len({e["school_code"] for e in r.doc["parts"]["resource"]["excluded"]})
    evaluated_schools = len({s["school_code"] for s in r.doc["parts"]["resource"]["schools"]})
    return t(
        "report.prose.overview",
        r.lang,
        county=r.county_name,
        year=r.year,
        n_schools=acc["input_schools"],
        n_eval=evaluated_schools,
        n_sec=acc["section_schools_evaluated"],
        n_excl=excluded_schools,
    )


def verdict_paragraphs(r) -> list[str]:
    lang, doc, rules = r.lang, r.doc, r.rules
    document = rules.data.get("document", "")
    if not rules.has_parts:
        key = "basic_passed" if doc["passed"] else "basic_failed"
        return [t(f"report.prose.{key}", lang, document=document)]
    problems = problem_list(r)
    if doc["status"] == "passed":
        return [t("report.prose.passed", lang, document=document)]
    if doc["status"] == "incomplete":
        missing = [
            t(f"part.{p}", lang)
            for p in ("resource", "guarantee", "quality", "survey", "vetoes")
            if doc["parts"].get(p, {}).get("status") == "not_assessed"
        ]
        head = t("report.prose.incomplete", lang, document=document, parts=_sep(lang).join(missing))
        return [head] + (problems or [t("report.prose.incomplete_ok", lang)])
    return [t("report.prose.failed", lang, document=document)] + problems


def problem_list(r) -> list[str]:
    """One sentence per failing part, with names and numbers."""
    lang, doc, rules = r.lang, r.doc, r.rules
    out = []
    res = doc["parts"]["resource"]
    failed = [s for s in res["schools"] if s.get("passed") is False]
    if failed:
        names = _sep(lang).join(
            f"{s['school_name']}（{t('report.section_names.' + s['section'], lang)}）"
            if lang == "zh"
            else f"{s['school_name']} ({s['section']})"
            for s in failed[:8]
        )
        if len(failed) > 8:
            names += "等" if lang == "zh" else ", …"
        out.append(t("report.prose.schools_failed", lang, n=len(failed), names=names))
    for c in res["coefficients"]:
        section = t(f"report.section_names.{c['section']}", lang)
        label = _ind_label(rules, c["indicator"], lang)
        if c.get("status") == "zero_mean":
            out.append(t("report.prose.cv_undefined", lang, section=section, indicator=label))
        elif c.get("passed") is False and c["cv"] is not None:
            out.append(
                t(
                    "report.prose.cv_failed",
                    lang,
                    section=section,
                    indicator=label,
                    cv=fmt_cv(c["cv"]),
                    limit=f"{c['limit']:.2f}",
                )
            )
    for part in ("guarantee", "quality", "survey"):
        items = [i for i in doc["parts"].get(part, {}).get("items", []) if i["status"] == "fail"]
        if items:
            text = _sep(lang).join(
                f"{i['id']}（{i['label']}）" if lang == "zh" else f"{i['id']} ({i['label']})" for i in items
            )
            out.append(t("report.prose.items_failed", lang, part=t(f"part.{part}", lang), items=text))
    vetoes = [i for i in doc["parts"].get("vetoes", {}).get("items", []) if i["status"] == "fail"]
    if vetoes:
        out.append(t("report.prose.veto", lang, vetoes=_sep(lang).join(i["label"] for i in vetoes)))
    return out


def resource_paragraphs(r, section: str) -> list[str]:
    lang, rules = r.lang, r.rules
    cv = [
        c
        for c in r.doc["parts"]["resource"]["coefficients"]
        if c["section"] == section and c["cv"] is not None
    ]
    if not cv:
        return []
    out = []
    sec_name = t(f"report.section_names.{section}", lang)
    if rules.cv_limit:
        bad = [c for c in cv if c.get("passed") is False]
        status = (
            t("report.prose.cv_range_ok", lang)
            if not bad
            else t(
                "report.prose.cv_range_bad",
                lang,
                names=_sep(lang).join(_ind_label(rules, c["indicator"], lang) for c in bad),
            )
        )
        out.append(
            t(
                "report.prose.cv_range",
                lang,
                section=sec_name,
                low=fmt_cv(min(c["cv"] for c in cv)),
                high=fmt_cv(max(c["cv"] for c in cv)),
                limit=f"{rules.cv_limit[section]:.2f}",
                status=status,
            )
        )
        for c in cv:
            if c.get("borderline"):
                out.append(
                    t(
                        "report.prose.borderline",
                        lang,
                        section=sec_name,
                        indicator=_ind_label(rules, c["indicator"], lang),
                        cv=f"{c['cv']:.4f}",
                        limit=f"{c['limit']:.2f}",
                        margin=f"{abs(c['limit'] - c['cv']):.4f}",
                    )
                )
        schools = [s for s in r.doc["parts"]["resource"]["schools"] if s["section"] == section]
        n_bad = sum(s.get("passed") is False for s in schools)
        out.append(
            t("report.prose.schools_ok", lang, n=len(schools))
            if not n_bad
            else t("report.prose.schools_bad", lang, n_ok=len(schools) - n_bad, n_bad=n_bad)
        )
    return out


def shortfall_sentence(r) -> str:
    totals = r.doc["parts"]["resource"]["shortfall_totals"]
    if not totals:
        return t("report.prose.shortfall_none", r.lang)
    by_key = {}
    for row in totals:
        by_key[row["indicator"]] = by_key.get(row["indicator"], 0) + row["add"]
    parts = []
    for ind in r.rules.indicators:
        if ind.id in by_key:
            amount = by_key[ind.id]
            shown = f"{amount:,.0f}"
            parts.append(
                t(
                    "report.prose.shortfall_item",
                    r.lang,
                    label=pick(ind.short, r.lang),
                    amount=shown,
                    unit=pick(ind.add_unit, r.lang),
                )
            )
    return t("report.prose.shortfall_total", r.lang, items=_sep(r.lang).join(parts))


def trend_sentence(r, history) -> str:
    if len(history) < 2:
        return t("report.prose.trend_single", r.lang, year=r.year)
    first, last = history.iloc[0], history.iloc[-1]
    return t(
        "report.prose.trend_improve",
        r.lang,
        first=int(first["year"]),
        last=int(last["year"]),
        a=int(first["schools_failed"]),
        b=int(last["schools_failed"]),
        c=int(first["cv_failed"]),
        d=int(last["cv_failed"]),
    )
