"""What an evaluated county-year must do, before offices, costs and deadlines are attached.

One `Need` per school and measure (Part R shortfalls and the per-school items) and per failing
county item, coefficient or veto, with its quantity and the figures of its problem.

Quantities are whole units rounded up (teachers, rooms, m², yuan, pupils): the amount that meets
the standard, never one that falls just short of it. Where the optimal plan (达标测算) decides a
required Part R row or a failing coefficient, the row takes the optimum's own amounts (whole teachers
and rooms, m² to 0.01, whole yuan), which are verified to pass: the plan and 达标测算 then show one
figure, and a budget line is the exact sum of the costs of its schools (no second rounding).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from junheng import format as fmt
from junheng.i18n import pick, t
from junheng.inputs.schema import load_schema

# Part R indicator → the measure kind (planning/plan.yaml `measures`) that meets it.
RESOURCE_KINDS = {
    "R1": "qualified_teachers",
    "R2": "backbone_teachers",
    "R3": "pe_art_teachers",
    "R4": "teaching_space",
    "R5": "sports_ground",
    "R6": "equipment",
    "R7": "multimedia_rooms",
}
# ... and the unit of its quantity (plan.yaml `measures.<kind>.unit`), for a sentence
RESOURCE_UNITS = {
    "R1": "teacher",
    "R2": "teacher",
    "R3": "teacher",
    "R4": "m2",
    "R5": "m2",
    "R6": "yuan",
    "R7": "room",
}
LISTED = 5  # schools a row names, then 等N所
REQUIRED_BASES = ("school_rule", "coefficient", "item")


@dataclass
class Need:
    """One row of the plan before configuration: what, where, how much, and why."""

    item: str  # R1-R7, G1-G15, Q1-Q9, S or a veto key
    part: str  # resource, guarantee, quality, survey, vetoes
    section_key: str  # "measures" or "items": where its office, deadline and unit cost live
    kind: str  # the key of that entry
    template: str  # plan.measure.<template> (and plan.issue.<template> unless `issue` is given)
    basis: str  # school_rule, threshold (an improvement), coefficient or item
    school_code: str | None = None
    school_name: str | None = None
    section: str | None = None
    quantity: float | None = None
    unit: str | None = None
    value: float | None = None
    threshold: float | None = None
    costable: bool = True
    params: dict = field(default_factory=dict)
    issue: str | None = None  # plan.issue.<issue> when it differs from the measure's template

    @property
    def required(self) -> bool:
        """Needed for the verdict (the school, coefficient or item fails), not an improvement."""
        return self.basis in REQUIRED_BASES


# -- small helpers --------------------------------------------------------------------------------
def _missing(v) -> bool:
    return fmt.is_missing(v)


def _num(v) -> float | None:
    if _missing(v):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _is_false(v) -> bool:
    """A flag that is known and false (a blank flag is not a failure)."""
    return not _missing(v) and not bool(v)


def _ceil(x: float) -> int:
    """Round an amount up to a whole unit, ignoring floating-point dust (0.1 × 1420 = 142)."""
    return int(fmt.ceil_to(x, 1))


def quantity_text(q) -> str:
    """A quantity for a sentence: 1,712 or 2.5."""
    q = float(q)
    return fmt.integer(q) if q == int(q) else fmt.number(q, 2)


def _level(level, lang: str) -> str:
    """Ⅲ级（良好） / III (good)."""
    if _missing(level):
        return fmt.MISSING
    return pick(load_schema().enums["rating"].get(str(int(level))), lang)


def _section(section, lang: str) -> str:
    return t(f"plan.section.{section}", lang) if isinstance(section, str) else ""


def _pct(value, threshold, comparison=">=") -> str:
    return fmt.percent_against(value, threshold, comparison)


def _limit_pct(value) -> str:
    """A threshold share: 0.95 → 95%, 0.05 → 5%."""
    return fmt.percent(value, 0) if round(value * 100, 6) == int(round(value * 100)) else fmt.percent(value)


# -- Part R ---------------------------------------------------------------------------------------
def resource_needs(c) -> list[Need]:
    """One need per section-school and missed indicator (`County.shortfalls`).

    Required when the section-school fails the school rule and the optimal plan (docs/optimal.md)
    adds to this indicator there: the row then asks for the optimum's amount (the least that passes,
    as 达标测算 shows it), and says how much the full standard would take when that is more. Otherwise
    an improvement: the school meets the 6-of-7 rule (or meets it more cheaply through its other
    indicators), but the county must still add this, to the full standard, to meet every threshold.

    Amounts are what the whole school builds or buys (STANDARDS.md §1, splitting shared resources):
    floor area, sports area, equipment and multimedia rooms of a combined school (九年/十二年一贯制,
    完全中学) are split between its sections by weighted students, so the evaluated section gets only
    its share of an addition. A shared indicator missed by two sections of one school is one row
    (the section needing more; the addition serves both).
    """
    short = c.shortfalls
    if short.empty or not c.rules.school_rule:
        return []
    short = one_row_per_shared_addition(short)  # its amounts are the whole school's already
    chosen = _optimal_additions(c)
    passed = _at_section_school(c.evaluated_schools, short, "school_passed", False)
    floor = c.rules.school_rule["floor_ratio"]
    inds = {i.id: i for i in c.rules.indicators}
    required = [
        not (bool(ok) or (chosen is not None and (r.school_code, r.section, r.indicator) not in chosen))
        for ok, r in zip(passed, short.itertuples(index=False), strict=True)
    ]
    amounts = _optimal_amounts(c, short, required) if chosen is not None else {}
    needs = []
    for (i, r), needed in zip(enumerate(short.itertuples(index=False)), required, strict=True):
        ind = inds[r.indicator]
        quantity = amounts.get(i, float(r.add))
        less = needed and i in amounts and quantity < float(r.add) - 1e-9
        needs.append(
            Need(
                item=r.indicator,
                part="resource",
                section_key="measures",
                kind=RESOURCE_KINDS[r.indicator],
                template=r.indicator,
                basis="school_rule" if needed else "threshold",
                school_code=r.school_code,
                school_name=r.name,
                section=r.section,
                quantity=quantity,
                unit=None,  # the measure kind's unit
                value=float(r.value),
                threshold=float(r.threshold),
                params={
                    "value": fmt.against(r.value, r.threshold, ind.decimals),
                    "threshold": fmt.number(r.threshold, ind.decimals),
                    "ratio": fmt.percent_of_standard(r.value / r.threshold, floor),
                    "optimal": t(
                        "plan.words.optimal_amount",
                        c.lang,
                        full=quantity_text(r.add),
                        unit=t(f"plan.unit.{RESOURCE_UNITS[r.indicator]}", c.lang),
                    )
                    if less
                    else "",
                },
            )
        )
    return needs


SECTION_INDICATORS = ("R1", "R2", "R3")  # teachers are counted per section; R4-R7 are the school's


def whole_school_amounts(c, short: pd.DataFrame) -> list[float]:
    """Per shortfall row, what the whole school must add so that this section meets the standard.

    A section with share s of its school's shared resources (STANDARDS.md §1) and numerator n (its
    share of the resource) needs threshold × students / scale − n; an addition X to the school gives
    it s·X, so the school adds (threshold × students / scale − n) / s, rounded up to the indicator's
    step (whole rooms and m², equipment to the hundred yuan). Teachers (R1–R3) are the section's own.
    """
    inds = {i.id: i for i in c.rules.indicators}
    sec = c.evaluated_schools
    keys = sorted({inds[i].key for i in short["indicator"]})
    found = _at_section_school(sec, short, ["share", *(f"num_{key}" for key in keys)])
    shares = found["share"]
    nums = {key: found[f"num_{key}"] for key in keys}
    out = []
    for n, r in enumerate(short.itertuples(index=False)):
        ind = inds[r.indicator]
        share = _num(shares[n])
        if r.indicator in SECTION_INDICATORS or not share or share >= 1 or f"num_{ind.key}" not in sec:
            out.append(float(r.add))
            continue
        need = float(r.threshold) * float(r.students) / ind.scale - float(nums[ind.key][n])
        step = 1.0 if ind.integer_add else float(ind.add_step or 1.0)
        out.append(max(float(r.add), fmt.ceil_to(need / share, step)))
    return out


def _at_section_school(schools: pd.DataFrame, rows: pd.DataFrame, column, default=None):
    """Per row of ``rows``, the ``column`` of its section-school (school code and section) in ``schools``.

    ``default`` where the section-school or the column is not there (or its code is given twice).
    All rows are looked up at once, not one index search per row; ``column`` a list: a dict of such
    lists, one per column, from one lookup.
    """
    columns = [column] if isinstance(column, str) else list(column)
    present = [c for c in columns if c in schools]
    out = {c: [default] * len(rows) for c in columns if c not in schools}
    if present:
        index = pd.MultiIndex.from_arrays([schools["school_code"], schools["section"]])
        unique = ~index.duplicated(keep=False)
        where = index[unique].get_indexer(pd.MultiIndex.from_arrays([rows["school_code"], rows["section"]]))
        for c in present:
            values = schools[c].to_numpy(dtype=object)[unique]
            out[c] = [values[k] if k >= 0 else default for k in where]
    return out[column] if isinstance(column, str) else out


def one_row_per_shared_addition(short: pd.DataFrame) -> pd.DataFrame:
    """Keep, of a school's sections missing one shared indicator, the row asking for the most."""
    shared = ~short["indicator"].isin(SECTION_INDICATORS)
    order = short.assign(_n=range(len(short)))
    keep = (
        order[shared]
        .sort_values("add", ascending=False, kind="stable")
        .drop_duplicates(["school_code", "indicator"])["_n"]
    )
    mask = ~shared | order["_n"].isin(set(keep))
    return short[mask.to_numpy()].reset_index(drop=True)


def _optimal_additions(c) -> set | None:
    """(school, section, indicator) where the optimal plan adds something; None without a plan."""
    rows = _optimal_rows(c)
    if rows is None:
        return None
    sections = c.evaluated_schools.groupby("school_code")["section"].apply(list).to_dict()
    out = set()
    for r in rows.itertuples(index=False):
        for section in [r.section] if isinstance(r.section, str) else sections.get(r.school_code, []):
            out.add((r.school_code, section, r.indicator))
    return out


def _optimal_rows(c) -> pd.DataFrame | None:
    """The additions of the optimal plan; None without one (none passes under the caps, or no optimiser)."""
    if not hasattr(type(c), "optimal"):
        return None
    plan = c.optimal
    if plan.summary["status"] not in ("optimal", "best_found"):
        return None  # no plan passes under the caps: every shortfall of a failing school stays
    return plan.rows[plan.rows["kind"] == "add"]


def _optimal_amounts(c, short: pd.DataFrame, required: list) -> dict:
    """Row number of ``short`` → the amount the optimal plan adds there, for the required rows.

    The optimum adds a teacher to a section and m², yuan or rooms to a whole school; a school's
    shared indicator has one row (`one_row_per_shared_addition`), which takes the whole amount.
    """
    rows = _optimal_rows(c)
    if rows is None:
        return {}
    candidates: dict = {}  # (school, indicator) → the required rows of ``short``, in order
    for i, r in enumerate(short.itertuples(index=False)):
        if required[i]:
            candidates.setdefault((r.school_code, r.indicator), []).append((i, r.section))
    out = {}
    for (code, section, indicator), group in rows.groupby(
        [rows["school_code"], rows["section"].astype(object).fillna(""), rows["indicator"]], sort=False
    ):
        amount = float(group["quantity"].sum())
        mine = [i for i, own in candidates.get((code, indicator), []) if not section or own == section]
        if mine:
            out[mine[0]] = amount
    return out


def _coefficient_additions(c) -> dict:
    """(section, indicator) → (school names, total amount) the optimal plan adds for a coefficient."""
    if not hasattr(type(c), "optimal"):
        return {}
    plan = c.optimal
    if plan.summary["status"] not in ("optimal", "best_found"):
        return {}
    rows = plan.rows[plan.rows["reason"] == "coefficient"]
    sections = c.evaluated_schools.groupby("school_code")["section"].apply(set).to_dict()
    out: dict = {}
    for r in rows.itertuples(index=False):
        for section in [r.section] if isinstance(r.section, str) else sorted(sections.get(r.school_code, ())):
            names, amount = out.get((section, r.indicator), ([], 0.0))
            out[(section, r.indicator)] = ([*names, r.school_name], amount + r.quantity)
    return out


def _coefficient_need(c, r, ind, template: str, basis: str, params: dict, **fields) -> Need:
    """A plan row for one section's coefficient ``r`` (failing, added by the optimum, or borderline).

    What every coefficient row says (the section, indicator, value against its limit) is filled here;
    ``params`` adds what its sentence needs, ``fields`` what its row needs (quantity, costable…).
    """
    return Need(
        item=r.indicator,
        part="resource",
        section_key="measures",
        kind=RESOURCE_KINDS[r.indicator],
        template=template,
        basis=basis,
        section=r.section,
        value=_num(r.cv),
        threshold=float(r.limit),
        params={
            "section": _section(r.section, c.lang),
            "indicator": pick(ind.label, c.lang),
            "limit": fmt.number(r.limit, 2, thousands=False),
            **params,
        },
        **fields,
    )


def coefficient_needs(c) -> list[Need]:
    """One need per section and indicator whose between-school coefficient fails (R rule 2)."""
    cv = c.coefficients
    if cv.empty or "passed" not in cv:
        return []
    failed = cv[(cv["n_schools"] > 0) & ~cv["passed"].astype(bool)]
    inds = {i.id: i for i in c.rules.indicators}
    needs = []
    chosen = _coefficient_additions(c) if len(failed) else {}
    for r in failed.itertuples(index=False):
        ind = inds[r.indicator]
        undefined = _missing(r.cv)
        named = chosen.get((r.section, r.indicator)) if not undefined else None
        if named:  # the schools, amount and cost the optimal plan adds for this coefficient
            schools, amount = named
            params = {
                "cv": fmt.coefficient_against(r.cv, r.limit),
                "schools": ("、" if c.lang == "zh" else ", ").join(schools),
                "unit_add": pick(ind.add_unit, c.lang),
            }
            needs.append(
                _coefficient_need(
                    c,
                    r,
                    ind,
                    "coefficient_optimal",
                    "coefficient",
                    params,
                    issue="coefficient",
                    quantity=round(float(amount), 2),  # as 达标测算 shows it: one figure for both
                )
            )
            continue
        params = {
            "cv": fmt.coefficient_against(r.cv, r.limit),
            "mean": fmt.number(r.mean, ind.decimals),
            "unit": pick(ind.unit, c.lang),
        }
        template = "coefficient_undefined" if undefined else "coefficient"
        needs.append(_coefficient_need(c, r, ind, template, "coefficient", params, costable=False))
    return needs + borderline_coefficient_needs(c)


def coefficient_contributors(c, section: str, indicator: str, top: int = 3) -> list[dict]:
    """The schools whose distance from the mean makes most of a coefficient.

    Each school's share of the student-weighted variance (docs/method.md §7), largest first, with its
    value.
    """
    from junheng.method import equity

    inds = {i.id: i for i in c.rules.indicators}
    scoped = c.evaluated_schools
    scoped = scoped[(scoped["section"] == section)]
    column = f"value_{inds[indicator].key}"
    scoped = scoped[scoped[column].notna() & scoped["students"].notna()]
    if scoped.empty:
        return []
    long = pd.DataFrame({"g": 0, "x": scoped[column].to_numpy(), "w": scoped["students"].to_numpy()})
    share = equity.contributions(long, ["g"]).fillna(0).to_numpy()
    ranked = scoped.assign(share=share).sort_values("share", ascending=False).head(top)
    return [
        {
            "school_code": r.school_code,
            "name": r.label,
            "value": float(getattr(r, column)),
            "share": float(r.share),
        }
        for r in ranked.itertuples()
    ]


def borderline_coefficient_needs(c) -> list[Need]:
    """An improvement row for a coefficient that passes within the borderline margin of its limit.

    The row names the schools contributing most (the largest share of the variance), to watch and adjust.
    """
    cv = c.coefficients
    if cv.empty or "borderline" not in cv:
        return []
    near = cv[(cv["n_schools"] > 0) & cv["passed"].astype(bool) & cv["borderline"].astype(bool)]
    inds = {i.id: i for i in c.rules.indicators}
    needs = []
    for r in near.itertuples(index=False):
        ind = inds[r.indicator]
        unit = pick(ind.unit, c.lang)
        names = t("plan.words.list_sep", c.lang).join(
            t(
                "plan.words.contributor",
                c.lang,
                name=x["name"],
                value=fmt.number(x["value"], ind.decimals),
                unit=unit,
                share=fmt.percent(x["share"], 0),
            )
            for x in coefficient_contributors(c, r.section, r.indicator)
        )
        params = {
            "cv": fmt.coefficient(r.cv),
            "margin": fmt.coefficient_margin(r.limit - r.cv),
            "mean": fmt.number(r.mean, ind.decimals),
            "unit": unit,
            "names": names,
        }
        needs.append(_coefficient_need(c, r, ind, "coefficient_watch", "watch", params, costable=False))
    return needs


# -- per-school items -----------------------------------------------------------------------------
def _school(item, kind, template, s, **kw) -> Need:
    part = "quality" if item.startswith("Q") else "guarantee"
    return Need(
        item=item,
        part=part,
        section_key="measures",
        kind=kind,
        template=template,
        basis="item",
        school_code=s["school_code"],
        school_name=s.get("school_name"),
        **kw,
    )


def g3(c, row) -> list[Need]:
    """G3: music and art rooms missing, and rooms below the standard area (per school)."""
    needs = []
    for s in row["schools"]:
        required = _num(s.get("rooms_required"))
        for room in ("music", "art"):
            have = _num(s.get(f"{room}_rooms"))
            if have is not None and required is not None and have < required:
                needs.append(
                    _school(
                        "G3",
                        f"{room}_rooms",
                        f"{room}_rooms",
                        s,
                        quantity=float(required - have),
                        value=have,
                        threshold=required,
                        params={"have": quantity_text(have), "required": quantity_text(required)},
                    )
                )
            area, minimum = _num(s.get(f"{room}_room_min_m2")), _num(s.get(f"{room}_min_m2"))
            if area is not None and minimum is not None and area < minimum:
                needs.append(
                    _school(
                        "G3",
                        "room_area",
                        f"{room}_room_area",
                        s,
                        quantity=float(_ceil(minimum - area)),
                        value=area,
                        threshold=minimum,
                        params={"area": fmt.against(area, minimum, 0), "minimum": quantity_text(minimum)},
                    )
                )
    return needs


def g4(c, row) -> list[Need]:
    """G4: students above the school-size limit (per school)."""
    return [
        _school(
            "G4",
            "school_size",
            "school_size",
            s,
            quantity=float(s["size"] - s["limit"]),
            value=float(s["size"]),
            threshold=float(s["limit"]),
            params={"size": quantity_text(s["size"]), "limit": quantity_text(s["limit"])},
        )
        for s in row["schools"]
    ]


def g5(c, row) -> list[Need]:
    """Per school and section whose classes exceed the limit (a section the school has), then the county.

    A school's row counts the classes that splitting its oversized classes adds (one classroom each,
    costed by ``measures.class_size``); one county row gives the county's oversized classes per section
    (total, schools, share of all classes) and the teachers those added classes take at each school's
    teachers per class (costed by ``measures.class_teachers``, per year). The data count classes per
    section, not per grade: the county row says so rather than guessing a grade.
    """
    limits = row["threshold"] if isinstance(row["threshold"], dict) else {}
    sections = c.schools[c.schools["students"].fillna(0) > 0]
    has = set(zip(sections["school_code"], sections["section"], strict=True))
    needs, added = [], {}  # added: section -> [classes, teachers or None] over its schools
    for s in row["schools"]:
        for section, limit in limits.items():
            largest = _num(s.get(f"max_class_size_{section}"))
            oversized = _num(s.get(f"oversized_classes_{section}"))
            failing = (largest is not None and largest > limit) or (
                largest is None and oversized is not None and oversized > 0
            )
            if not failing or (s["school_code"], section) not in has:
                continue
            count = oversized if oversized is not None and oversized > 0 else None
            means, extra, teachers = _class_means(c, s["school_code"], section, largest, count, limit)
            if extra:
                total = added.setdefault(section, [0, 0])
                total[0] += extra
                total[1] = None if teachers is None or total[1] is None else total[1] + teachers
            if largest is None:
                issue = "class_size_count"
            elif count is not None:
                issue = "class_size_both"
            else:
                issue = "class_size_largest"
            needs.append(
                _school(
                    "G5",
                    "class_size",
                    "class_size" if count is not None else "class_size_all",
                    s,
                    section=section,
                    quantity=float(extra) if extra else None,
                    unit="class" if extra else None,
                    value=largest,
                    threshold=float(limit),
                    issue=issue,
                    params={
                        "section": _section(section, c.lang),
                        "largest": quantity_text(largest) if largest is not None else "",
                        "oversized": quantity_text(count) if count is not None else "",
                        "limit": quantity_text(limit),
                        "means": means,
                    },
                )
            )
    county = _g5_county(c, added)
    return needs + ([county] if county is not None else [])


def _g5_county(c, added: dict) -> Need | None:
    """The county's G5 row: oversized classes per section, their share, and the teachers to split them."""
    rows = getattr(c, "school_rows", None)
    if rows is None or not added:
        return None
    sep = t("plan.words.list_sep", c.lang)
    totals = []
    for section in added:
        oversized = (
            rows[f"oversized_classes_{section}"].fillna(0) if f"oversized_classes_{section}" in rows else None
        )
        if oversized is None or not oversized.gt(0).any():
            continue
        n, schools = oversized.sum(), int(oversized.gt(0).sum())
        classes = rows[f"classes_{section}"].fillna(0).sum() if f"classes_{section}" in rows else 0
        share = (
            t(
                "plan.words.class_share",
                c.lang,
                section=_section(section, c.lang),
                total=quantity_text(classes),
                share=fmt.percent(n / classes, 1),
            )
            if classes > 0
            else ""
        )
        totals.append(
            t(
                "plan.words.class_total",
                c.lang,
                section=_section(section, c.lang),
                n=quantity_text(n),
                schools=quantity_text(schools),
                share=share,
            )
        )
    classes = sum(v[0] for v in added.values())
    known = [v[1] for v in added.values()]
    teachers = None if any(v is None for v in known) else sum(known)
    return Need(
        item="G5",
        part="guarantee",
        section_key="measures",
        kind="class_teachers",
        template="class_size_county" if teachers is not None else "class_size_county_rooms",
        issue="class_size_county",
        basis="item",
        quantity=float(teachers) if teachers else None,
        unit="teacher" if teachers else None,
        params={
            "totals": sep.join(totals) if totals else "",
            "classes": quantity_text(classes),
            "teachers": quantity_text(teachers) if teachers is not None else "",
        },
    )


def _class_means(c, code: str, section: str, largest, count, limit) -> tuple[str, int | None, int | None]:
    """How a school's oversized classes go, in words; the classes it adds and the teachers they take.

    Enrolment capped at the limit from the next intake, and the classes in school split, which takes
    ``count × (⌈largest / limit⌉ − 1)`` more classes (one per oversized class without a largest size),
    as many classrooms, and the school's teachers per class for each (rounded up) — or the pupils
    moved to a nearby school with places. Without a count of oversized classes: no number (None, None).
    """
    if count is None:
        return t("plan.words.class_means_cap", c.lang, limit=quantity_text(limit)), None, None
    per_class = math.ceil(largest / limit) - 1 if largest is not None and largest > limit else 1
    extra = int(count * max(per_class, 1))
    teachers, needed = "", None
    rows = getattr(c, "school_rows", None)
    if rows is not None and len(rows):
        own = rows[rows["school_code"] == code]
        if len(own):
            staff, classes = (
                _num(own.iloc[0].get(f"teachers_{section}")),
                _num(own.iloc[0].get(f"classes_{section}")),
            )
            if staff and classes:
                needed = _ceil(extra * staff / classes)
                teachers = t("plan.words.class_means_teachers", c.lang, n=quantity_text(needed))
    text = t(
        "plan.words.class_means",
        c.lang,
        limit=quantity_text(limit),
        extra=quantity_text(extra),
        teachers=teachers,
    )
    return text, extra, needed


def g6(c, row) -> list[Need]:
    """G6: public funds missing at small rural schools (per school), or the county flag."""
    funded_as = c.rules.item("guarantee", "G6")["funded_as_students"]
    if not row["schools"]:
        return [_county(row, "G6", params={"funded_as": quantity_text(funded_as)})]
    return [
        _school(
            "G6",
            "small_school_funds",
            "small_school_funds",
            s,
            quantity=float(_ceil(s["required_yuan"] - s["public_funds_yuan"])),
            value=float(s["public_funds_yuan"]),
            threshold=float(s["required_yuan"]),
            params={
                "students": quantity_text(s["students_primary"]),
                "funds": fmt.against(s["public_funds_yuan"], s["required_yuan"], 0),
                "required": fmt.integer(s["required_yuan"]),
                "funded_as": quantity_text(funded_as),
            },
        )
        for s in row["schools"]
    ]


def _teachers(item, kind, column, key):
    def build(c, row) -> list[Need]:
        if not row["schools"]:
            return [_generic(c, row)]
        return [
            _school(
                item,
                kind,
                kind,
                s,
                quantity=float(s["teachers"] - s[column]),
                value=float(s[column]),
                threshold=float(s["teachers"]),
                params={"teachers": quantity_text(s["teachers"]), key: quantity_text(s[column])},
            )
            for s in row["schools"]
        ]

    return build


def q3(c, row) -> list[Need]:
    """Q3: no charter, no ICT-based management (per school, one need for each)."""
    needs = []
    for s in row["schools"]:
        for column, kind in (("has_charter", "school_charter"), ("ict_management", "ict_management")):
            if _is_false(s.get(column)):
                needs.append(_school("Q3", kind, kind, s, quantity=1.0))
    return needs


def q4(c, row) -> list[Need]:
    """Q4: training funds missing to reach 5% of public funds (per school)."""
    minimum = float(row["threshold"])
    return [
        _school(
            "Q4",
            "training_funds",
            "training_funds",
            s,
            quantity=float(_ceil(minimum * s["public_funds_yuan"] - s["training_funds_yuan"])),
            value=float(s["training_share"]),
            threshold=minimum,
            params={
                "training": fmt.integer(s["training_funds_yuan"]),
                "funds": fmt.integer(s["public_funds_yuan"]),
                "share": _pct(s["training_share"], minimum),
                "minimum": _limit_pct(minimum),
            },
        )
        for s in row["schools"]
    ]


def q6(c, row) -> list[Need]:
    """Q6: moral education and school culture rated below good (per school)."""
    minimum = row["threshold"]
    return [
        _school(
            "Q6",
            "moral_education",
            "moral_education",
            s,
            quantity=1.0,
            value=_num(s["moral_education_rating"]),
            threshold=float(minimum),
            params={"level": _level(s["moral_education_rating"], c.lang), "minimum": _level(minimum, c.lang)},
        )
        for s in row["schools"]
    ]


# -- county items ---------------------------------------------------------------------------------
def _county(row, template=None, **kw) -> Need:
    return Need(
        item=row["id"],
        part=row["part"],
        section_key="items",
        kind=row["id"],
        template=template or row["id"],
        basis="item",
        **kw,
    )


def _generic(c, row) -> Need:
    """A failing item with no particular measure (a per-school item without its school list)."""
    return _county(row, "generic", costable=False, params={"label": row["label"]})


def _flag_item(c, row) -> list[Need]:
    return [_county(row)]


def g2(c, row) -> list[Need]:
    """G2: the standards not yet unified between urban and rural schools."""
    ev = row["evidence"]
    failing = [k for k, v in ev.items() if _is_false(v)]
    names = t("plan.words.list_sep", c.lang).join(t(f"plan.standards.{k}", c.lang) for k in failing)
    return [_county(row, params={"standards": names}, value=_num(row["value"]), threshold=4.0)]


def g7(c, row) -> list[Need]:
    """G7: special-education funds missing to reach the per-pupil minimum."""
    ev, minimum = row["evidence"], float(row["threshold"])
    students, funds = _num(ev.get("special_students")), _num(ev.get("funds_yuan"))
    return [
        _county(
            row,
            quantity=float(_ceil(minimum * students - funds)),
            value=_num(row["value"]),
            threshold=minimum,
            params={"value": fmt.against(row["value"], minimum, 0), "threshold": fmt.integer(minimum)},
        )
    ]


def g8(c, row) -> list[Need]:
    """G8: teachers' pay gap per teacher and year; performance pay not budgeted (one need each)."""
    ev = row["evidence"]
    teacher, civil = _num(ev.get("teacher_avg_pay_yuan")), _num(ev.get("civil_servant_avg_pay_yuan"))
    needs = []
    if teacher is not None and civil is not None and teacher < civil:
        needs.append(
            _county(
                row,
                "G8_pay",
                quantity=float(_ceil(civil - teacher)),
                unit="yuan_per_teacher_year",
                costable=False,
                value=teacher,
                threshold=civil,
                params={"teacher": fmt.against(teacher, civil, 0), "civil": fmt.integer(civil)},
            )
        )
    if _is_false(ev.get("performance_pay_budgeted")):
        needs.append(_county(row, "G8_budget"))
    return needs


def g11(c, row) -> list[Need]:
    """G11: teachers to rotate (with the backbone teachers among them), or backbone teachers."""
    ev, th = row["evidence"], row["threshold"]
    eligible, rotated = _num(ev.get("eligible")), _num(ev.get("rotated"))
    backbone = _num(ev.get("backbone_rotated")) or 0.0
    min_rotated, min_backbone = th["rotated"], th["backbone"]
    share = _num(ev.get("rotated_share"))
    if share is not None and share < min_rotated:
        target = _ceil(min_rotated * eligible)
        backbone_target = _ceil(min_backbone * target)
        return [
            _county(
                row,
                "G11_rotated",
                quantity=float(target - rotated),
                unit="teacher",
                value=share,
                threshold=float(min_rotated),
                params={
                    "rotated": quantity_text(rotated),
                    "eligible": quantity_text(eligible),
                    "share": _pct(share, min_rotated),
                    "minimum": _limit_pct(min_rotated),
                    "target": quantity_text(target),
                    "backbone_target": quantity_text(max(backbone_target, 0)),
                },
            )
        ]
    bshare = _num(ev.get("backbone_share"))
    if bshare is not None and bshare < min_backbone:
        backbone_target = _ceil(min_backbone * rotated)
        return [
            _county(
                row,
                "G11_backbone",
                quantity=float(backbone_target - backbone),
                unit="teacher",
                value=bshare,
                threshold=float(min_backbone),
                params={
                    "backbone": quantity_text(backbone),
                    "rotated": quantity_text(rotated),
                    "share": _pct(bshare, min_backbone),
                    "minimum": _limit_pct(min_backbone),
                    "backbone_target": quantity_text(backbone_target),
                },
            )
        ]
    return [_generic(c, row)]


def g13(c, row) -> list[Need]:
    """G13: entrants to admit by catchment, per failing section."""
    ev, th = row["evidence"], row["threshold"]
    needs = []
    for section, minimum in th.items():
        ratio = _num(ev.get(f"{section}_ratio"))
        if ratio is None or ratio >= minimum:
            continue
        entrants, catchment = _num(ev[f"{section}_entrants"]), _num(ev[f"{section}_catchment"])
        needs.append(
            _county(
                row,
                section=section,
                quantity=float(_ceil(minimum * entrants) - catchment),
                unit="student",
                value=ratio,
                threshold=float(minimum),
                params={
                    "section": _section(section, c.lang),
                    "ratio": _pct(ratio, minimum),
                    "catchment": quantity_text(catchment),
                    "entrants": quantity_text(entrants),
                    "minimum": _limit_pct(minimum),
                },
            )
        )
    return needs


def _share_item(num_key, den_key, unit, template=None, extra=None):
    """A county ratio against a minimum share: quantity = what the numerator lacks."""

    def build(c, row) -> list[Need]:
        ev, minimum = row["evidence"], float(row["threshold"])
        num, den = _num(ev.get(num_key)), _num(ev.get(den_key))
        value = _num(row["value"])
        if num is None or den is None or value is None:
            return [_generic(c, row)]
        params = {
            "ratio": _pct(value, minimum),
            "value": _pct(value, minimum),
            "minimum": _limit_pct(minimum),
            **{k: quantity_text(ev.get(v)) for k, v in (extra or {}).items()},
        }
        return [
            _county(
                row,
                template,
                quantity=float(_ceil(minimum * den) - num),
                unit=unit,
                value=value,
                threshold=minimum,
                params=params,
            )
        ]

    return build


def g15(c, row) -> list[Need]:
    """G15: the care system; places for migrant children (one need each)."""
    ev = row["evidence"]
    needs = []
    if _is_false(ev.get("care_system")):
        needs.append(_county(row, "G15_care"))
    value, minimum = _num(row["value"]), float(row["threshold"])
    if value is not None and value < minimum:
        needs += _share_item(
            "in_public_places",
            "eligible",
            "place",
            "G15_migrant",
            {"public": "in_public_places", "eligible": "eligible"},
        )(c, row)
    return needs


def q1(c, row) -> list[Need]:
    """Q1: junior retention below the minimum."""
    minimum = float(row["threshold"])
    return [
        _county(
            row,
            value=_num(row["value"]),
            threshold=minimum,
            params={"value": _pct(row["value"], minimum), "minimum": _limit_pct(minimum)},
        )
    ]


def _rating(c, row) -> list[Need]:
    minimum = row["threshold"]
    return [
        _county(
            row,
            value=_num(row["value"]),
            threshold=float(minimum),
            params={"level": _level(row["value"], c.lang), "minimum": _level(minimum, c.lang)},
        )
    ]


MONITORING_CYCLE = 3  # 国家义务教育质量监测: each subject is monitored once in a three-year cycle


def q9(c, row) -> list[Need]:
    """Q9: one need per failing monitoring subject of the year used."""
    ev, th = row["evidence"], row["threshold"]
    year = _num(ev.get("monitoring_year"))
    needs = []
    for s in ev.get("subjects") or []:
        if s.get("passed"):
            continue
        needs.append(
            _county(
                row,
                section=s["section"] if s.get("section") in ("primary", "junior") else None,
                value=float(s["difference_rate"]),
                threshold=float(th["max_difference_rate"]),
                params={
                    "year": int(year) if year is not None else "",
                    "section": _section(s.get("section"), c.lang),
                    "subject": s["subject"],
                    "level": _level(s["level"], c.lang),
                    "rate": fmt.against(
                        s["difference_rate"], th["max_difference_rate"], 2, "<", thousands=False
                    ),
                    "minimum": _level(th["min_level"], c.lang),
                    "max_rate": fmt.number(th["max_difference_rate"], 2, thousands=False),
                    "next": int(year) + MONITORING_CYCLE if year is not None else "",
                },
            )
        )
    return needs or [_generic(c, row)]


def s_item(c, row) -> list[Need]:
    """S: recognition below the minimum, naming the least satisfied group."""
    ev, minimum = row["evidence"], float(row["threshold"])
    groups = ev.get("groups") or {}
    rated = {g: v["rate"] for g, v in groups.items() if v.get("rate") is not None}
    lowest, focus = "", ""
    if len(rated) > 1:
        group = min(rated, key=rated.get)
        name = pick(load_schema().enums["survey_group"].get(group), c.lang) or group
        lowest = t("plan.words.lowest_group", c.lang, group=name, rate=_pct(rated[group], minimum))
        focus = t("plan.words.survey_focus", c.lang, group=name)
    # the target in answers: at this sample, ⌈minimum × valid⌉ positive answers are needed
    valid = sum(int(v.get("valid") or 0) for v in groups.values())
    positive = sum(int(v.get("positive") or 0) for v in groups.values())
    target = ""
    if valid:
        needed = _ceil(minimum * valid)
        target = t(
            "plan.words.survey_target",
            c.lang,
            valid=fmt.integer(valid),
            positive=fmt.integer(positive),
            needed=fmt.integer(needed),
            more=fmt.integer(max(needed - positive, 0)),
        )
    return [
        _county(
            row,
            value=_num(row["value"]),
            threshold=minimum,
            params={
                "value": _pct(row["value"], minimum),
                "minimum": _limit_pct(minimum),
                "lowest": lowest,
                "target": target,
                "focus": focus,
            },
        )
    ]


def veto_schools(c, details: str) -> list[tuple[str, str]]:
    """The schools a veto's account names: (code, name), in the order the text names them.

    A veto is a county flag with a free-text account (``veto_details``: the schools, the facts, what
    was done). A school whose full name appears in it is where the veto was found; a name shared by
    two schools is not attributed (the text cannot tell which). Longer names win over the names they
    contain (西林溪林城关初级中学 over 溪林城关初级中学).
    """
    schools = getattr(c, "schools", None)
    if schools is None or len(schools) == 0 or not details:
        return []
    names = schools.drop_duplicates("school_code")[["school_code", "school_name"]]
    codes = names.groupby("school_name")["school_code"].unique()
    found, taken = [], []
    for name in sorted(codes.index, key=len, reverse=True):
        if not isinstance(name, str) or not name or len(codes[name]) != 1:
            continue
        start = details.find(name)
        while start >= 0 and any(a <= start < b for a, b in taken):
            start = details.find(name, start + 1)
        if start < 0:
            continue
        taken.append((start, start + len(name)))
        found.append((start, codes[name][0], name))
    return [(code, name) for _, code, name in sorted(found)]


def veto(c, row) -> list[Need]:
    """A veto that applies: at each school its account names, else at the county."""
    details = (row.get("evidence") or {}).get("details") if isinstance(row.get("evidence"), dict) else None
    if details is None or details != details or not str(details).strip():
        return [_county(row, issue="veto", params={"label": row["label"], "school": ""})]
    details = str(details).strip()
    params = {"label": row["label"], "details": details}
    at = veto_schools(c, details)
    if not at:
        return [_county(row, issue="veto_details", params={**params, "school": ""})]
    return [
        _county(
            row,
            template=f"{row['id']}_school",
            issue="veto_details",
            school_code=code,
            school_name=name,
            params={**params, "school": name},
        )
        for code, name in at
    ]


HANDLERS = {
    "G1": _flag_item,
    "G2": g2,
    "G3": g3,
    "G4": g4,
    "G5": g5,
    "G6": g6,
    "G7": g7,
    "G8": g8,
    "G9": _teachers("G9", "teacher_training", "teachers_trained_360h", "trained"),
    "G10": _flag_item,
    "G11": g11,
    "G12": _teachers("G12", "teacher_certificates", "teachers_certified", "certified"),
    "G13": g13,
    "G14": _share_item("allocated", "places", "place", extra={"allocated": "allocated", "places": "places"}),
    "G15": g15,
    "Q1": q1,
    "Q2": _share_item(
        "enrolled", "school_age", "child", extra={"enrolled": "enrolled", "school_age": "school_age"}
    ),
    "Q3": q3,
    "Q4": q4,
    "Q5": _rating,
    "Q6": q6,
    "Q7": _rating,
    "Q8": _rating,
    "Q9": q9,
    "S": s_item,
}


def item_needs(c) -> list[Need]:
    """The needs of every failing item of Parts G, Q, S and every veto that applies."""
    items = c.items
    if items is None or items.empty:
        return []
    parts = ["guarantee", "quality", "survey", "vetoes"]
    failing = items[(items["status"] == "fail") & items["part"].isin(parts)]
    needs = []
    for row in failing.to_dict("records"):
        row["schools"] = row["schools"] if isinstance(row["schools"], list) else []
        row["evidence"] = row["evidence"] if isinstance(row["evidence"], dict) else {}
        if row.get("threshold_parts"):  # c.items: a standard with parts as a dict, else one number
            row["threshold"] = row["threshold_parts"]
        if row["part"] == "vetoes":
            needs += veto(c, row)
            continue
        handler = HANDLERS.get(row["id"])
        built = handler(c, row) if handler else []
        needs += built or [_generic(c, row)]
    return needs


def all_needs(c) -> list[Need]:
    """Every need of a county-year: missing data first, Part R shortfalls, coefficients, failing items."""
    return data_needs(c) + resource_needs(c) + coefficient_needs(c) + item_needs(c)


def data_needs(c) -> list[Need]:
    """补齐缺失数据: the first row of an incomplete county-year's plan (`junheng.planning.missing`).

    It names the missing sheets, how many items they leave unassessed, and per item judged school by
    school the blank columns and the schools; required (no verdict without the data), not costed.
    """
    from junheng.planning.missing import blank_fields, missing_data, set_aside_schools

    sheets, items = missing_data(c)
    aside = set_aside_schools(c)
    if not sheets and not items and not aside:
        return []
    sep = t("plan.words.list_sep", c.lang)
    parts = []
    if aside:  # schools the import could not read (issue #22): the verdict is without them
        shown = sep.join(aside[:LISTED]) + (
            t("plan.words.more_schools", c.lang, n=len(aside)) if len(aside) > LISTED else ""
        )
        parts.append(t("plan.words.set_aside_schools", c.lang, n=len(aside), schools=shown))
    if sheets:
        names = sep.join(t(f"issue.sheets.{k}", c.lang) for k in sheets)
        parts.append(t("plan.words.missing_sheets", c.lang, sheets=names))
    for item, fields, schools in blank_fields(c):
        shown = sep.join(schools[:LISTED]) + (
            t("plan.words.more_schools", c.lang, n=len(schools)) if len(schools) > LISTED else ""
        )
        parts.append(
            t(
                "plan.words.missing_fields",
                c.lang,
                item=t(f"plan.kind.{item}", c.lang),
                fields=sep.join(fields) or "—",
                schools=shown,
            )
        )
    return [
        Need(
            item="data",
            part="data",
            section_key="items",
            kind="data",
            template="missing_data",
            issue=None if items else "missing_data_schools",  # only schools set aside: no "0 items"
            basis="item",
            costable=False,
            params={
                "missing": t("plan.words.note_sep", c.lang).join(parts),
                "items": quantity_text(len(items)),
            },
        )
    ]


def frame_of(needs: list[Need]) -> pd.DataFrame:
    """The needs as a frame (for inspection and tests)."""
    return pd.DataFrame([n.__dict__ | {"required": n.required} for n in needs])
