"""The rectification plan (存在问题与整改建议 / 一校一策) of an evaluated county-year, as tidy frames.

    import junheng
    from junheng.planning.rectification import plan_rows, plan_totals

    c = junheng.county("990121", 2024)
    rows = plan_rows(c)                      # one row per school and measure, per failing item
    plan_totals(rows)                        # per lead office and kind of measure
    plan_totals(rows, by=("lead",))          # per lead office

Offices, deadlines and unit costs come from `junheng.planning.config` (the shipped defaults and a
county's own plan.yaml); every phrase from ``locale/plan.yaml``. Costs are quantity × unit cost,
rounded to whole yuan per row; totals are sums of those rounded rows, so they add up exactly.
See docs/plan.md.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from junheng import format as fmt
from junheng.i18n import pick, t
from junheng.planning import deadlines
from junheng.planning.config import PlanConfig, cost_unit, load_config
from junheng.planning.needs import Need, all_needs, quantity_text

COLUMNS = [
    "school_code",  # 10-digit school code; empty for county rows
    "school_name",  # the name readers see (two schools sharing a name get their code's end)
    "section",  # primary / junior; empty when the measure concerns the whole school or county
    "section_name",
    "part",  # resource, guarantee, quality, survey, vetoes
    "item",  # R1-R7, G1-G15, Q1-Q9, S or a veto key
    "kind",  # the config entry: a measure kind (measures.<kind>) or an item (items.<id>)
    "kind_name",
    "required",  # True: needed for the verdict; False: an improvement (school meets the 6-of-7 rule)
    "required_text",
    "basis",  # school_rule, threshold, coefficient, watch (a borderline coefficient that passes) or item
    "problem",  # 存在问题, with the figures
    "measure",  # 整改措施, with the quantity
    "quantity",  # how much (whole units, rounded up); NaN when the measure has no quantity
    "unit",  # teacher, m2, yuan, room, class, student, school, place, child, yuan_per_teacher_year
    "quantity_unit",  # the unit as readers see it
    "value",  # the school's or county's figure the problem is about (float)
    "threshold",  # the standard it is judged against (float)
    "unit_cost",  # yuan per unit (per year when recurring); NaN when not costed
    "cost_unit",  # 元/平方米, 元/人·年
    "cost",  # quantity × unit cost, whole yuan (Int64); <NA> when not costed
    "cost_status",  # costed, no_unit_cost, no_quantity
    "cost_status_text",
    "recurring",  # the cost repeats every year (teacher posts, funding top-ups)
    "illustrative",  # the unit cost is junheng's illustrative default, not a county's figure
    "cost_key",  # the config key the unit cost came from (measures.teaching_space.unit_cost)
    "cost_source",  # the entry's `source`, or the county file that set the unit cost
    "payer",  # county (public schools and county items) or sponsor (a private school's 举办者)
    "lead",  # key of the lead office
    "lead_office",  # 牵头科室
    "support_offices",  # 配合科室, joined
    "deadline",  # "YYYY-MM" (or a county's fixed "YYYY-MM-DD")
    "deadline_text",  # 2026年9月底前
    "deadline_note",  # why the deadline is what it is, when a county target bears on it; else ""
    "config_key",  # the entry the office and deadline came from (measures.teaching_space)
]


def _config(c, config) -> PlanConfig:
    if isinstance(config, PlanConfig):
        return config
    paths = [] if config is None else [config] if isinstance(config, (str, Path)) else list(config)
    return load_config(*paths, data=c.data, lang=c.lang)


def _cost(quantity: float, unit_cost) -> int:
    """Quantity × unit cost in whole yuan, half up (no binary surprises: 2.5 → 3)."""
    exact = Decimal(repr(float(quantity))) * Decimal(repr(float(unit_cost)))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


PRIVATE_LEAD = "private_education"  # the office that follows a private school's measures up


def _private_schools(c) -> set:
    """Codes of the county-year's private (民办) schools."""
    rows = getattr(c, "school_rows", None)
    if rows is None or not len(rows) or "ownership" not in rows:
        return set()
    return set(rows.loc[rows["ownership"] == "private", "school_code"])


def _row(c, config: PlanConfig, names: dict, n: Need, private: frozenset = frozenset()) -> dict:
    lang = c.lang
    entry = config.entry(n.section_key, n.kind)
    config_key = f"{n.section_key}.{n.kind}"
    unit = n.unit or entry.get("unit")
    unit_cost = entry.get("unit_cost")
    costable = n.costable and unit is not None and unit == entry.get("unit") and unit_cost is not None
    if n.quantity is None:
        status = "no_quantity"
    elif not costable:
        status = "no_unit_cost"
    else:
        status = "costed"
    costed = status == "costed"
    params = {
        **fmt.county_words(c.name, lang),  # a measure's own parameters win (a monitoring {level})
        **n.params,
        "quantity": quantity_text(n.quantity) if n.quantity is not None else "",
    }
    lead = entry.get("lead")
    support = entry.get("support") or []
    payer = "sponsor" if n.school_code and n.school_code in private else "county"
    if payer == "sponsor":
        # a private school's measures are its sponsor's, not the county budget's: the division that
        # supervises private schools leads, the office of the measure supports
        support = [lead, *[s for s in support if s != lead]] if lead else support
        lead = PRIVATE_LEAD if PRIVATE_LEAD in config.offices else lead
    deadline = deadlines.resolve(entry["deadline"], c.year, getattr(c, "report_date", None), n.quantity)
    kind = "coefficient" if n.basis in ("coefficient", "watch") else n.kind
    return {
        "school_code": n.school_code,
        "school_name": names.get(n.school_code, n.school_name) if n.school_code else None,
        "section": n.section,
        "section_name": t(f"report.section_names.{n.section}", lang) if n.section else "",
        "part": n.part,
        "item": n.item,
        "kind": kind,
        "kind_name": t(f"plan.kind.{kind}", lang),
        "required": n.required,
        "required_text": t(f"plan.required.{str(n.required).lower()}", lang),
        "basis": n.basis,
        "problem": t(f"plan.issue.{n.issue or n.template}", lang, **params),
        "measure": t(f"plan.measure.{n.template}", lang, **params)
        + (t("plan.words.sponsor_pays", lang, **params) if payer == "sponsor" else ""),
        "quantity": n.quantity,
        "unit": unit if n.quantity is not None else None,
        "quantity_unit": t(f"plan.unit.{unit}", lang) if n.quantity is not None and unit else "",
        "value": n.value,
        "threshold": n.threshold,
        "unit_cost": float(unit_cost) if costed else None,
        "cost_unit": cost_unit(entry, lang) if costed else "",
        "cost": _cost(n.quantity, unit_cost) if costed else None,
        "cost_status": status,
        "cost_status_text": t(f"plan.cost_status.{status}", lang),
        "recurring": bool(entry.get("recurring", False)) if costed else False,
        "illustrative": config.illustrative(n.section_key, n.kind) if costed else False,
        "cost_key": f"{config_key}.unit_cost" if costed else None,
        "cost_source": config.source(n.section_key, n.kind, lang) if costed else "",
        "payer": payer,
        "lead": lead,
        "lead_office": config.office(lead, lang),
        "support_offices": t("plan.words.list_sep", lang).join(config.office(s, lang) for s in support),
        "deadline": deadline,
        "deadline_text": deadlines.describe(deadline, lang),
        "deadline_note": "",
        "config_key": config_key,
    }


def _open_targets(c) -> list:
    """The county's own targets not met in the report year: (target, rows-it-applies-to function).

    The function takes the plan's frame and gives a boolean array: the rows the target bears on.
    """
    dataset = getattr(getattr(c, "evaluation", None), "dataset", None)
    own = [tg for tg in getattr(dataset, "targets", []) or [] if tg.county_code == c.code]
    if not own:
        return []
    rows = c.targets
    state = rows[rows["year"] == c.year].set_index("target_id")["status"] if len(rows) else pd.Series()
    out = []
    for tg in own:
        if state.get(tg.id) in (None, "met", "no_data"):
            continue
        m = tg.measure
        if m.kind == "verdict":
            applies = lambda f: f["required"].astype(bool).to_numpy()  # noqa: E731
        elif m.kind == "share_passing":
            applies = lambda f: (f["basis"] == "school_rule").to_numpy(dtype=bool)  # noqa: E731
        elif m.kind in ("item", "item_met") and m.item:
            applies = lambda f, item=m.item: (f["item"] == item).to_numpy(dtype=bool)  # noqa: E731
        elif m.indicator and m.kind in ("cv", "share_meeting", "mean", "gap"):
            applies = lambda f, ind=m.indicator, sec=m.section: (  # noqa: E731
                ((f["item"] == ind) & (True if sec is None else f["section"] == sec)).to_numpy(dtype=bool)
            )
        else:
            continue
        out.append((tg, applies))
    return out


def _hold_to_targets(c, frame: pd.DataFrame) -> None:
    """Never a deadline after the county's own target date for the same matter (in place).

    An open target (due at the end of its due year, not before the report date) brings a later
    deadline forward to December of the due year, and the row says the lead time cannot be kept.
    A target already expired is named in the row (the deadline follows the lead time), never
    silently replaced. Each target is applied to the rows it bears on at once, the earliest due first.
    """
    targets = _open_targets(c)
    if not targets or frame.empty:
        return
    lang = c.lang
    issued = getattr(c, "report_date", None) or deadlines.default_report_date(c.year)
    now = issued.year * 12 + issued.month - 1
    deadline = list(frame["deadline"])
    notes: list[list[str]] = [[] for _ in deadline]
    for tg, applies in sorted(targets, key=lambda x: x[0].due_year):
        due = f"{tg.due_year:04d}-12"
        name = pick(tg.name, lang) if isinstance(tg.name, dict) else str(tg.name or tg.id)
        expired = deadlines.month_index(due) < now
        for i in np.flatnonzero(applies(frame)):
            if expired:
                notes[i].append(t("plan.deadline.expired", lang, target=name, due=tg.due_year))
            elif deadlines.month_index(deadline[i]) > deadlines.month_index(due):
                needed = deadlines.describe(deadline[i], lang)
                notes[i].append(t("plan.deadline.capped", lang, target=name, needed=needed))
                deadline[i] = due
    changed = [i for i, n in enumerate(notes) if n]
    if not changed:
        return
    sep = t("plan.words.note_sep", lang)
    labels = frame.index[changed]
    frame.loc[labels, "deadline"] = [deadline[i] for i in changed]
    frame.loc[labels, "deadline_text"] = [deadlines.describe(deadline[i], lang) for i in changed]
    frame.loc[labels, "deadline_note"] = [sep.join(dict.fromkeys(notes[i])) for i in changed]


def _empty() -> pd.DataFrame:
    return _typed(pd.DataFrame({col: [] for col in COLUMNS}))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("quantity", "value", "threshold", "unit_cost"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["cost"] = pd.array(frame["cost"].tolist(), dtype="Int64")
    for col in ("required", "recurring", "illustrative"):
        frame[col] = frame[col].astype(bool)
    return frame


def _order(c, frame: pd.DataFrame) -> pd.DataFrame:
    """Missing data first, schools (by code, then section, then item), then the county rows (by item)."""
    items = [i.id for i in c.rules.indicators] + (list(c.items["id"]) if len(c.items) else [])
    item_rank = {i: k for k, i in enumerate(dict.fromkeys(items))}
    section_rank = {s: k for k, s in enumerate(c.rules.sections)}
    key = pd.DataFrame(
        {
            "data": (frame["item"] != "data").astype(int),  # 补齐缺失数据 first: nothing is judged without it
            "county": frame["school_code"].isna().astype(int),
            "school": frame["school_code"].fillna(""),
            "section": frame["section"].map(section_rank).fillna(len(section_rank)),
            "item": frame["item"].map(item_rank).fillna(len(item_rank)),
            "basis": frame["basis"].isin(["coefficient", "watch"]).astype(int),
            "n": range(len(frame)),
        }
    )
    order = key.sort_values(["data", "county", "school", "basis", "item", "section", "n"]).index
    return frame.loc[order].reset_index(drop=True)


def plan_rows(c, config=None) -> pd.DataFrame:
    """The plan of an evaluated county-year (columns: `COLUMNS`).

    One row per school and measure, and one or more rows per failing county item, coefficient
    and veto.

    Args:
        c: a `junheng.report.county.County` (``junheng.county(code, year)``).
        config: a `PlanConfig`; or the path of a county's plan.yaml (or a list of paths, a
            province's before a county's), merged over the defaults and the plan.yaml next to the
            data; None: the defaults and the plan.yaml next to the data, if any.

    Returns:
        The rows; empty when nothing fails (and nothing falls below a threshold), for a county-year
        with invalid data, and under the 2012 rules (which set no per-school standard).

    Raises:
        PlanConfigError: a plan.yaml has errors (located, in the county's language).
    """
    if c.invalid or not c.has_parts:
        return _empty()
    config = _config(c, config)
    needs = all_needs(c)
    if not needs:
        return _empty()
    names = c.school_names
    private = frozenset(_private_schools(c))
    frame = pd.DataFrame([_row(c, config, names, n, private) for n in needs], columns=COLUMNS)
    _hold_to_targets(c, frame)
    return _order(c, _typed(frame))


def plan_totals(rows: pd.DataFrame, by=("lead", "kind")) -> pd.DataFrame:
    """Totals of a plan per group (default: per lead office and kind of measure).

    Columns: the ``by`` keys (with ``lead_office`` / ``kind_name`` when grouping by ``lead`` /
    ``kind``), ``rows`` (measures), ``required`` (of them required for the verdict), ``uncosted``
    (measures without a cost), ``cost`` (whole yuan, the exact sum of the rows' costs; <NA> when
    no row of the group is costed), ``cost_one_off`` and ``cost_recurring`` (its one-off and
    yearly parts), and, when grouping by kind, ``quantity`` with ``quantity_unit`` (the sum of the
    quantities, when the group has one unit).
    """
    by = list(by)
    names = {"lead": "lead_office", "kind": "kind_name", "section": "section_name", "item": None}
    keys = by + [names[b] for b in by if names.get(b) and names[b] not in by]
    out_cols = [*keys, "rows", "required", "uncosted", "cost", "cost_one_off", "cost_recurring"]
    with_quantity = "kind" in by or "item" in by
    if with_quantity:
        out_cols += ["quantity", "quantity_unit"]
    if rows.empty:
        return pd.DataFrame({col: [] for col in out_cols})
    records = []
    for key, group in rows.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        costed = group[group["cost"].notna()]
        record = dict(zip(keys, key, strict=True))
        record.update(
            rows=len(group),
            required=int(group["required"].sum()),
            uncosted=int(group["cost"].isna().sum()),
            cost=int(costed["cost"].astype("int64").sum()) if len(costed) else None,
            cost_one_off=int(costed.loc[~costed["recurring"], "cost"].astype("int64").sum()),
            cost_recurring=int(costed.loc[costed["recurring"], "cost"].astype("int64").sum()),
        )
        if with_quantity:
            units = group.loc[group["quantity"].notna(), "unit"].unique()
            single = len(units) == 1
            record["quantity"] = group["quantity"].sum() if single else None
            shown = group.loc[group["quantity"].notna(), "quantity_unit"]
            record["quantity_unit"] = shown.iloc[0] if single else ""
        records.append(record)
    out = pd.DataFrame(records, columns=out_cols)
    for col in ("cost", "cost_one_off", "cost_recurring"):
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    if with_quantity:
        out["quantity"] = pd.to_numeric(out["quantity"], errors="coerce").astype("float64")
    return out
