"""The optimal plan (达标测算) as the report shows it: sentences and a table.

The plan itself is computed in `junheng.planning.optimal`; this module only words it.

    from junheng.report.optimal import plan_sentences, plan_table
    plan = c.optimal                 # or junheng.planning.optimal.optimal_plan(c, horizon_years=10)
    plan_sentences(c, plan)          # list of sentences (zh or en)
    plan_table(c, plan)              # one row per school and measure, headed for readers
"""

from __future__ import annotations

import pandas as pd

from junheng.i18n import pick, t
from junheng.planning.optimal import status_text
from junheng.report import format as fmt


def plan_sentences(c, plan, solver: bool = True) -> list[str]:
    """The plan's status, total and saving, the schools each coefficient needs, what still fails.

    ``solver``: add the solver's name, objective and bound (the command line shows them; the published
    report does not name software and says only whether the plan is proven optimal).
    """
    s = plan.summary
    lang = c.lang
    out = []
    # the command line names the solver's terms (proven optimal); the report says it in plain words
    status = s["status_text"] if solver else status_text(s["status"], s.get("gap"), lang, "published_status")
    if s["status"] == "already_passing":
        # the status alone ("已达标，无需新增") read as a contradiction beside a plan of improvements
        # and a county that fails elsewhere: say what it covers
        short = getattr(c, "shortfalls", None)
        key = "summary_passing_improvements" if short is not None and len(short) else "summary_passing"
        return [t(f"optimal.text.{key}", lang)]
    key = "optimal.text.summary" if s["saving"] >= 0 else "optimal.text.summary_more"
    if s["status"] == "not_found":  # no passing plan: no saving against meeting every standard to speak of
        key = "optimal.text.summary_not_found"
    # "least" only when proved (a time limit gives a valid plan, not a proved least one)
    label = "least" if s.get("least_proved", True) else "found"
    out.append(
        t(
            key,
            lang,
            status=status,
            total_label=t(f"optimal.text.total_label.{label}", lang),
            total=fmt.money_text(s["total_cost"], lang),
            # the public/sponsor split only when private sponsors pay something (no "举办者0.00万元")
            split=t(
                "optimal.text.split_sponsor",
                lang,
                public=fmt.money_text(s["public_cost"], lang),
                sponsor=fmt.money_text(s["sponsor_cost"], lang),
            )
            if s["sponsor_cost"] > 0
            else "",
            horizon=fmt.number(s["horizon_years"], 0),
            full=fmt.money_text(s["full_cost"], lang),
            saving=fmt.money_text(s["saving"], lang),
        )
    )
    if not s.get("full_passes", True) and s["saving"] >= 0 and s["status"] != "not_found":
        out.append(t("optimal.text.full_fails", lang))
    rows = plan.rows
    if len(rows):
        needs = rows[rows["reason"].isin(["coefficient", "both"])]
        cv = c.coefficients.set_index(["section", "indicator"])
        for ind, grp in needs.groupby("indicator", sort=True):
            sections = sorted(
                {
                    sec
                    for sec in cv.index.get_level_values(0)
                    if (sec, ind) in cv.index and not bool(cv.loc[(sec, ind), "passed"])
                }
            )
            for sec in sections or [None]:
                row = cv.loc[(sec, ind)] if sec else None
                schools = (
                    "、".join(dict.fromkeys(grp["school_name"]))
                    if lang == "zh"
                    else ", ".join(dict.fromkeys(grp["school_name"]))
                )
                out.append(
                    t(
                        "optimal.text.coefficient_schools",
                        lang,
                        section=c.section_name(sec) if sec else "",
                        indicator=row["short"] if sec else ind,
                        cv=fmt.coefficient(row["cv"]) if sec else "",
                        limit=fmt.coefficient(row["limit"]) if sec else "",
                        schools=schools,
                    )
                )
        moved = rows[rows["kind"] == "transfer_in"]
        if len(moved):
            n = int(moved["quantity"].sum())
            out.append(
                t(
                    "optimal.text.transfers",
                    lang,
                    n=fmt.integer(n),
                    transfers=fmt.plural(n, "teacher transfer", lang),
                    **fmt.county_words(c.name, lang),
                )
            )
    close = s.get("close") or []
    if close:
        short = c.coefficients.set_index(["section", "indicator"])["short"]
        items = [
            t(
                "optimal.text.close_item",
                lang,
                section=c.section_name(f["section"]),
                indicator=short.get((f["section"], f["indicator"]), f["indicator"]),
                cv=fmt.coefficient_against(f["cv"], f["limit"]),
                limit=fmt.coefficient(f["limit"]),
            )
            for f in close
        ]
        margin = c.rules.options.get("borderline_margin", 0.005)
        joined = ("、" if lang == "zh" else "; ").join(items)
        out.append(t("optimal.text.close", lang, items=joined, margin=fmt.number(margin, 3)))
    if plan.failing:
        names = c.school_names
        items = []
        for f in plan.failing:
            if "school_code" in f:
                items.append(names.get(f["school_code"], f["school_code"]))
            else:
                sep = "" if lang == "zh" else " "  # 初中R5 / Junior R5
                items.append(
                    f"{c.section_name(f['section'])}{sep}{f['indicator']} {fmt.coefficient(f['cv'])}"
                )
        # "cannot pass" only when proved (infeasible); a time limit without a plan proves nothing
        words = "still_failing_not_found" if s["status"] == "not_found" else "still_failing"
        out.append(t(f"optimal.text.{words}", lang, items=("、" if lang == "zh" else ", ").join(items)))
    if solver and s["status"] != "already_passing":
        out.append(
            t(
                "optimal.text.bound",
                lang,
                solver=s["solver"],
                status=status,
                objective=fmt.number(s["objective"], 0),
                bound=fmt.number(s["bound"], 0),
                gap=fmt.percent(s["gap"]) if s["gap"] == s["gap"] else "—",
            )
        )
    return out


def plan_table(c, plan) -> pd.DataFrame:
    """One row per school and measure: school, section, measure, quantity, unit, cost, reason, payer."""
    rows = plan.rows
    lang = c.lang
    col = lambda key: t(f"optimal.columns.{key}", lang)  # noqa: E731
    cost = t("optimal.columns.cost_wan", lang) if lang == "zh" else col("cost")
    if rows.empty:
        return pd.DataFrame(
            columns=[
                col("school"),
                col("section"),
                col("measure"),
                col("quantity"),
                col("unit"),
                cost,
                col("reason"),
                col("payer"),
            ]
        )
    quantity = [fmt.integer(q) if float(q).is_integer() else fmt.number(q, 2) for q in rows["quantity"]]
    return pd.DataFrame(
        {
            col("school"): rows["school_name"],
            col("section"): section_labels(c, rows),
            col("measure"): rows["measure_name"],
            col("quantity"): quantity,
            col("unit"): rows["unit"],
            cost: [_cost_cell(r, plan.summary["horizon_years"], lang) for r in rows.itertuples(index=False)],
            col("reason"): rows["reason_text"],
            col("payer"): rows["payer_text"],
        }
    )


def section_labels(c, rows: pd.DataFrame) -> list[str]:
    """Each plan row's 学段: its own, else the school's one section, 全校 only where it has two.

    A whole-school addition (体育运动场馆) at an 初级中学 is 初中's; at a 九年一贯制学校 it is 全校's.
    """
    schools = getattr(c, "schools", None)
    sections = (
        schools.dropna(subset=["section"]).groupby("school_code")["section"].unique().to_dict()
        if schools is not None and len(schools)
        else {}
    )
    out = []
    for code, name in zip(rows["school_code"], rows["section_name"], strict=True):
        own = sections.get(code, ())
        if not name and len(own) == 1:
            name = c.section_name(own[0])
        out.append(name or t("optimal.text.whole_school", c.lang))
    return out


def cost_notes(c, plan, hint: bool = False) -> list[str]:
    """Why a row's cost is "—": its measure has no unit cost, one note a measure with plan.yaml's reason.

    骨干教师 are trained and recognised, not bought (plan.yaml's ``note``); a transfer costs nothing.
    ``hint``: where to set a unit cost (said on the command line, never in the report).
    """
    rows = plan.rows
    if rows.empty:
        return []
    config = getattr(c, "plan_config", None)
    out = []
    uncosted = rows[(rows["kind"] == "add") & rows["cost"].isna()]
    for measure, name in dict(zip(uncosted["measure"], uncosted["measure_name"], strict=True)).items():
        try:
            note = pick(config.entry("measures", measure).get("note"), c.lang) if config else ""
        except KeyError:
            note = ""
        key = "optimal.text.no_unit_cost_note" if note else "optimal.text.no_unit_cost"
        text = t(key, c.lang, measure=name, note=note)
        if hint:
            text += t("optimal.text.no_unit_cost_hint", c.lang, measure=measure)
        out.append(text)
    if (rows["kind"] != "add").any():
        out.append(t("optimal.text.transfer_cost", c.lang))
    return out


def _cost_cell(r, years, lang: str) -> str:
    """A row's cost: 59.50, or for a yearly cost its basis beside the total (20.00/年，5年计100.00)."""
    if r.cost is None or r.cost != r.cost:
        return "—"
    if not r.recurring or not years:
        return fmt.money(r.cost, lang)
    return t(
        "optimal.text.recurring_cost",
        lang,
        year=fmt.money(r.cost / years, lang),
        years=fmt.number(years, 0),
        total=fmt.money(r.cost, lang),
    )


def section(c) -> list:
    """The 达标测算 section's content: the sentences (Markdown) and the table of additions (Styler)."""
    from IPython.display import Markdown

    from junheng.report.tables import Column, build

    plan = c.optimal
    out = [Markdown("\n\n".join(plan_sentences(c, plan, solver=False)))]
    frame = plan_table(c, plan)
    if len(frame):
        kinds = ["text", "text", "text", "num", "text", "num", "text", "text"]
        columns = [Column(h, k) for h, k in zip(frame.columns, kinds, strict=True)]
        out.append(build(frame.astype(str).values.tolist(), columns, t("optimal.text.caption", c.lang)))
        notes = cost_notes(c, plan)
        if notes:
            out.append(Markdown("\n\n".join(notes)))
    return out


def optimal_sheet(c):
    """The 达标测算 sheet of the Excel export: one row per school and measure, amounts as numbers."""
    from junheng.report.export import Sheet, number_format

    name = t("optimal.sheet", c.lang)
    if c.invalid or not c.has_parts:
        return Sheet(name, pd.DataFrame())
    plan = c.optimal
    rows = plan.rows
    if rows.empty:
        return Sheet(name, pd.DataFrame())
    lang = c.lang
    col = lambda key: t(f"optimal.columns.{key}", lang)  # noqa: E731
    frame = pd.DataFrame(
        {
            col("school_code"): rows["school_code"],
            col("school"): rows["school_name"],
            col("section"): section_labels(c, rows),
            col("measure"): rows["measure_name"],
            col("column"): rows["column"],
            col("quantity"): rows["quantity"] * [(-1 if k == "transfer_out" else 1) for k in rows["kind"]],
            col("unit"): rows["unit"],
            col("cost"): rows["cost"].astype(float).round(2),
            col("reason"): rows["reason_text"],
            col("payer"): rows["payer_text"],
        }
    )
    formats = {col("quantity"): number_format(2, "", lang), col("cost"): number_format(2, "", lang)}
    s = plan.summary
    # a plan not proved least-cost, or one that does not pass, says so above its rows
    note = ""
    if s["status"] in ("best_found", "not_found", "infeasible"):
        words = status_text(s["status"], s.get("gap"), lang, "published_status")
        note = t("optimal.text.excel_note", lang, status=words)
    return Sheet(name, frame, formats, {col("school")}, note=note)
