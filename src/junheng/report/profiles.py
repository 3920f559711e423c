"""一校一策: a one-page profile of one school.

一校一策: a one-page profile of one school — its indicators against the standard and the county mean, what it
misses and by how much, what it must add, its school-level items and the measures the rectification plan
assigns to it.

Each profile is a display object; its output carries ``{"junheng": {"school_profile": code}}`` in
its metadata, so that `junheng.report.run` can publish each school's page as its own PDF
(``junheng report --school-profiles``).
"""

from __future__ import annotations

import pandas as pd

from junheng.i18n import pick, t
from junheng.report import format as fmt
from junheng.report.blocks import Block
from junheng.report.templating import render_template

SCHOOL_ITEMS = ("G3", "G4", "G5", "Q3", "Q4", "Q6")
PROFILE_KEY = "school_profile"


class Profile(Block):
    """A school's page; its output metadata names the school."""

    def __init__(self, html: str, school_code: str, title: str):
        super().__init__(html)
        self.school_code = school_code
        self.title = title

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html}, {"junheng": {PROFILE_KEY: self.school_code, "title": self.title}}


def schools_needing_action(c) -> list[str]:
    """Codes of the schools with something to do.

    Codes of the schools with something to do: an indicator below its threshold or a school-level item they
    fail.
    """
    from junheng.report.tables import school_vetoes

    codes = set(c.shortfalls["school_code"]) if len(c.shortfalls) else set()
    codes.update(school_vetoes(c))  # a veto found at a school: that school has its own page
    for r in c.items[c.items["id"].isin(SCHOOL_ITEMS)].itertuples():
        codes.update(s.get("school_code") for s in r.schools)
    return sorted(code for code in codes if code)


def profiles(c, every_school: bool = False) -> list[Profile]:
    """The profiles of the schools needing action, or of every evaluated school (those first)."""
    codes = schools_needing_action(c)
    if every_school:
        codes += sorted(set(c.evaluated_schools["school_code"]) - set(codes))
    return [profile(c, code) for code in codes]


def _indicator_rows(c, code: str) -> list[dict]:
    rows = []
    scoped = c.evaluated_schools[c.evaluated_schools["school_code"] == code]
    means = c.coefficients.set_index(["section", "indicator"])["mean"]
    floor = (c.rules.school_rule or {}).get("floor_ratio")
    short = c.shortfalls
    mine = short[short["school_code"] == code] if len(short) else short
    # what the whole school adds (`County.shortfalls`): the plan's figure
    whole = {
        (s, i): a
        for s, i, a in zip(
            mine.get("section", []), mine.get("indicator", []), mine.get("add", []), strict=True
        )
    }
    for r in scoped.to_dict("records"):
        for ind in c.rules.indicators:
            if not ind.threshold:
                continue
            value, threshold = r[f"value_{ind.key}"], r[f"threshold_{ind.key}"]
            met = bool(r[f"met_{ind.key}"])
            add = whole.get((r["section"], ind.id), 0) if not met else 0
            rows.append(
                {
                    "section": c.section_name(r["section"]),
                    "indicator": f"{ind.id} {pick(ind.short, c.lang)}",
                    "value": fmt.against(value, threshold, ind.decimals),
                    "threshold": fmt.number(threshold, ind.decimals),
                    "mean": fmt.number(means.get((r["section"], ind.id)), ind.decimals),
                    "ratio": fmt.percent_of_standard(value / threshold, floor) if threshold else fmt.MISSING,
                    "status": "pass" if met else "fail",
                    "add": ""
                    if met
                    else f"{fmt.number(add, 0)}{'' if c.lang == 'zh' else ' '}{pick(ind.add_unit, c.lang)}",
                }
            )
    return rows


def _item_rows(c, code: str) -> list[dict]:
    """The school-level items with the school's result.

    The school-level items with the school's result and, where it fails, the problem in figures (as the plan
    states it).
    """
    from junheng.report.evidence import item_name

    plan = c.plan
    mine = plan[plan["school_code"] == code] if len(plan) else plan
    rows = []
    for r in c.items[c.items["id"].isin(SCHOOL_ITEMS)].itertuples():
        failing = next((s for s in r.schools if s.get("school_code") == code), None)
        missing = any(s.get("school_code") == code for s in (r.evidence.get("schools_missing_data") or []))
        status = "fail" if failing else ("not_assessed" if missing else "pass")
        detail = ""
        if failing and len(mine):
            detail = t("report.words.clause_sep", c.lang).join(
                dict.fromkeys(mine.loc[mine["item"] == r.id, "problem"])
            )
        rows.append({"id": r.id, "name": item_name(r.id, c.lang), "status": status, "detail": detail})
    return rows


def profile(c, school_code: str, plan: pd.DataFrame | None = None) -> Profile:
    """The one-page profile of the school ``school_code`` (all its sections)."""
    lang = c.lang
    rows = c.schools[c.schools["school_code"] == school_code]
    if rows.empty:
        raise KeyError(school_code)
    first = rows.iloc[0]
    scoped = rows[rows["in_scope"]]
    items = _item_rows(c, school_code)
    failing_items = [r["name"] for r in items if r["status"] == "fail"]
    if scoped.empty:
        verdict, status = first["exclusion_text"], "excluded"
    elif c.rules.school_rule and not scoped["school_passed"].astype(bool).all():
        verdict, status = t("report.profile.fails", lang), "failed"
    else:
        verdict, status = t("report.profile.passes", lang), "passed"
    if failing_items and not scoped.empty:
        verdict += t("report.words.clause_sep", lang) + t(
            "report.profile.items_fail", lang, items=t("report.words.list_sep", lang).join(failing_items)
        )
        status = "failed"
    from junheng.report.tables import school_vetoes

    vetoes = school_vetoes(c).get(school_code)
    if vetoes:
        verdict += t("report.words.clause_sep", lang) + t(
            "report.profile.veto", lang, vetoes=t("report.words.list_sep", lang).join(vetoes)
        )
        status = "failed"
    students = fmt.integer(rows.drop_duplicates("section")["students"].sum())
    sep = "：" if lang == "zh" else ": "
    meta = [
        (t("report.col.code", lang), school_code),
        (t("report.col.type", lang), first["type_name"]),
        (t("report.col.location", lang), first["location_name"]),
        (t("report.col.students", lang), students),
    ]
    from junheng.report.tables import _who, cost_text, deadline_cell

    measures = []
    plan = c.plan if plan is None else plan
    if len(plan):
        for m in plan[plan["school_code"] == school_code].itertuples():
            measures.append(
                {
                    "measure": m.measure,
                    "cost": cost_text(m, lang),
                    "office": _who(m, lang),
                    "deadline": deadline_cell(m, lang),
                }
            )
    html = render_template(
        "html/profile.html.j2",
        lang=lang,
        title=first["name"],
        code=school_code,
        meta=meta,
        verdict=verdict,
        status=status,
        indicators=_indicator_rows(c, school_code),
        items=items,
        measures=measures,
        status_text=lambda s: t(f"status.{s}", lang),
        sep=sep,
        gap="　" if lang == "zh" else " · ",
        mean_label=c.label("col.mean"),  # 县域均值 / City mean: the county's own tier in English
    )
    return Profile(html, school_code, first["name"])
