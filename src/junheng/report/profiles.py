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
from junheng.report.once import once
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
    for _, schools, _ in _school_items(c):
        codes.update(s.get("school_code") for s in schools)
    return sorted(code for code in codes if code)


# -- what every page asks of the county, computed once per county (`once`) -------------------------
def _school_items(c) -> list[tuple]:
    """(id, failing schools, evidence) of each school-level item of the county, in its order."""

    def compute():
        items = c.items[c.items["id"].isin(SCHOOL_ITEMS)]
        return list(zip(items["id"], items["schools"], items["evidence"], strict=True))

    return once(c, "profiles.school_items", compute)


def _plan_rows(c) -> dict:
    """School code → the rows of the county's plan for that school (namedtuples, in the plan's order)."""

    def compute():
        out: dict = {}
        plan = c.plan
        for row in plan.itertuples() if len(plan) else ():
            out.setdefault(row.school_code, []).append(row)
        return out

    return once(c, "profiles.plan_rows", compute)


def _school_rows(c) -> tuple[pd.DataFrame, dict]:
    """The columns of `c.schools` a page shows, and school code → the positions of its rows."""

    def compute():
        wanted = ("school_code", "name", "type_name", "location_name", "section", "students", "in_scope")
        wanted += ("school_passed", "exclusion_text")
        rows = c.schools[[k for k in wanted if k in c.schools]]
        return rows, rows.groupby("school_code", sort=False).indices

    return once(c, "profiles.school_rows", compute)


def _indicator_inputs(c) -> tuple[dict, pd.Series, dict]:
    """A school's evaluated sections (as records), the county means, and what each school adds."""

    def compute():
        keys = [ind.key for ind in c.rules.indicators if ind.threshold]
        wanted = ["section", *(f"{kind}_{k}" for k in keys for kind in ("value", "threshold", "met"))]
        scoped = c.evaluated_schools
        records: dict = {}
        for code, record in zip(
            scoped["school_code"], scoped[list(dict.fromkeys(wanted))].to_dict("records"), strict=True
        ):
            records.setdefault(code, []).append(record)
        short = c.shortfalls
        whole: dict = {}
        for code, s, i, a in zip(
            short.get("school_code", []),
            short.get("section", []),
            short.get("indicator", []),
            short.get("add", []),
            strict=True,
        ):
            whole.setdefault(code, {})[(s, i)] = a
        return records, c.coefficients.set_index(["section", "indicator"])["mean"], whole

    return once(c, "profiles.indicator_inputs", compute)


def profiles(c, every_school: bool = False) -> list[Profile]:
    """The profiles of the schools needing action, or of every evaluated school (those first)."""
    codes = schools_needing_action(c)
    if every_school:
        codes += sorted(set(c.evaluated_schools["school_code"]) - set(codes))
    return [profile(c, code) for code in codes]


def _indicator_rows(c, code: str) -> list[dict]:
    rows = []
    records, means, adds = _indicator_inputs(c)
    floor = (c.rules.school_rule or {}).get("floor_ratio")
    # what the whole school adds (`County.shortfalls`): the plan's figure
    whole = adds.get(code, {})
    for r in records.get(code, []):
        for ind in c.rules.indicators:
            if not ind.threshold:
                continue
            value, threshold = r[f"value_{ind.key}"], r[f"threshold_{ind.key}"]
            met = bool(r[f"met_{ind.key}"])
            add = whole.get((r["section"], ind.id), 0) if not met else 0
            rows.append(
                {
                    "section": c.section_name(r["section"]),
                    # its unit beside it: the value, the standard and the mean are in it
                    "indicator": f"{ind.id} {pick(ind.short, c.lang)}"
                    + fmt.bracket(pick(ind.unit, c.lang), c.lang),
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

    mine = _plan_rows(c).get(code, [])
    rows = []
    for iid, schools, evidence in _school_items(c):
        failing = next((s for s in schools if s.get("school_code") == code), None)
        missing = any(s.get("school_code") == code for s in (evidence.get("schools_missing_data") or []))
        status = "fail" if failing else ("not_assessed" if missing else "pass")
        detail = ""
        if failing and mine:
            detail = t("report.words.clause_sep", c.lang).join(
                dict.fromkeys(m.problem for m in mine if m.item == iid)
            )
        rows.append({"id": iid, "name": item_name(iid, c.lang), "status": status, "detail": detail})
    return rows


def _is_false(value) -> bool:
    """A ``met_*`` value that says the threshold is missed (missing data says nothing)."""
    return value is not None and not pd.isna(value) and not bool(value)


def profile(c, school_code: str, plan: pd.DataFrame | None = None) -> Profile:
    """The one-page profile of the school ``school_code`` (all its sections)."""
    lang = c.lang
    shown, positions = _school_rows(c)
    if school_code not in positions:
        raise KeyError(school_code)
    rows = shown.iloc[positions[school_code]]
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
        # R rule 1 passes a school with an indicator below its threshold (≥ 85% of it): say so, for
        # the page then asks the school to add what it lacks
        sections = _indicator_inputs(c)[0].get(school_code, [])
        below = {
            ind.key
            for ind in c.rules.indicators
            for record in sections
            if ind.threshold and _is_false(record.get(f"met_{ind.key}"))
        }
        if below:
            indicators = f"{len(below)}项指标" if lang == "zh" else fmt.counted(len(below), "indicator", lang)
            verdict += t("report.words.clause_sep", lang) + t(
                "report.profile.passes_below", lang, indicators=indicators
            )
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
    if plan is None:  # the county's plan: its rows of each school taken once for every page
        mine = _plan_rows(c).get(school_code, [])
    else:
        mine = list(plan[plan["school_code"] == school_code].itertuples()) if len(plan) else []
    if mine:
        for m in mine:
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
