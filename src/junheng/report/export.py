"""The Excel workbook officials open first.

The Excel workbook officials open first: a summary sheet, then one sheet per table of the report, in the
reader's language. Written with pandas' ExcelWriter (openpyxl); sheets without rows are left out.

Conventions (docs: the review of the workbook by the officials who sign it):

- every number keeps its full value; its number format shows it as the report does (the decimals
  of its indicator, shares in %, coefficients with 3 decimals, money in yuan with thousands
  separators) and names its unit, in the header or, where the unit changes from row to row, in the
  format itself (``#,##0.00"平方米/生"``). A value next to its standard is never rounded across it;
- the plan's cost is a live formula (quantity × unit cost, whole yuan) and its totals are SUMIF
  formulas per cost type (one-off and per year, never added together); the formulas carry the
  values the report shows, so a reader that does not calculate sees them too;
- every sheet has its header row frozen and repeated on every printed page; sheets of records
  have a filter (not the summary, a list of fields); every sheet prints landscape on A4, fit to
  the page width;
- school codes are text cells formatted as text (``@``): no scientific notation, no lost leading
  zeros, also when the county types a new one;
- text from the data that starts with =, +, - or @ is stored as text, never as a formula.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from junheng.i18n import pick, t
from junheng.report import format as fmt

FORMULA_START = ("=", "+", "-", "@")
INTEGER, DECIMAL2, DECIMAL3, DECIMAL4, PERCENT, YUAN = "#,##0", "#,##0.00", "0.000", "0.0000", "0.0%", "#,##0"
COEFFICIENT, LIMIT, CHANGE, YEAR = "0.000", "0.00", "+0.000;-0.000;0.000", "0"
TEXT = "@"
MAX_WIDTH = 48


@dataclass
class Sheet:
    """One sheet of the workbook.

    One sheet: its name, its table (headers already in the reader's language) and the number format of each
    numeric column (by header: one format, or a list with one per row).

    ``note`` is a line above the header row (the header is then row 2); ``filter`` puts an
    autofilter on the header row; ``finish(ws, layout)`` writes what pandas cannot (formulas, total
    rows) once the table is written and returns the values its formulas show ({cell: value}).
    """

    name: str
    frame: pd.DataFrame
    formats: dict = field(default_factory=dict)
    wide: set = field(default_factory=set)  # headers of long text columns (wrapped)
    note: str = ""
    filter: bool = True
    finish: Callable | None = None


@dataclass
class Layout:
    """Where a sheet's table landed: its header row, first and last data rows, column letters."""

    header_row: int
    first: int
    last: int
    letters: dict

    def cell(self, header: str, row: int) -> str:
        """The address of a column's cell in ``row`` (``K3``)."""
        return f"{self.letters[header]}{row}"

    def column(self, header: str) -> str:
        """The data rows of a column, absolute (``$K$3:$K$15``)."""
        letter = self.letters[header]
        return f"${letter}${self.first}:${letter}${self.last}"


def _x(key: str, lang: str, **params) -> str:
    return t(f"report.export.{key}", lang, **params)


def _col(key: str, lang: str) -> str:
    return _x(f"cols.{key}", lang)


def _paren(text: str, inner: str, lang: str) -> str:
    return f"{text}（{inner}）" if lang == "zh" else f"{text} ({inner})"


def _yes_no(value, lang: str):
    if fmt.is_missing(value):
        return None
    return t("report.words.affirmative" if bool(value) else "report.words.negative", lang)


def _status(value, lang: str):
    return t(f"status.{value}", lang) if isinstance(value, str) else None


def _veto(status, lang: str) -> str:
    """A veto's answer: 存在 (it applies), 不存在, or 未填报 (not answered)."""
    if status == "fail":
        return t("report.words.applies", lang)
    if status == "pass":
        return t("report.words.clear", lang)
    return _x("words.not_answered", lang)


_TOLD_APART = re.compile(r"（标识码(\d+)）")


def _name(text, lang: str):
    """A school name as this workbook shows it.

    A school name as this workbook shows it: the code ending that tells two schools of the same name apart is
    in the reader's punctuation (平川康平村小学（标识码9901210009） / 平川康平村小学 (code 9901210009)).
    """
    if lang == "zh" or not isinstance(text, str):
        return text
    return _TOLD_APART.sub(r" (code \1)", text)


# -- number formats ---------------------------------------------------------------------------------
def _suffix(unit, lang: str) -> str:
    unit = unit.strip().replace('"', "") if isinstance(unit, str) else ""
    if not unit:
        return ""
    return f'"{unit}"' if lang == "zh" else f'" {unit}"'


def number_format(decimals: int, unit: str = "", lang: str = "zh", thousands: bool = True) -> str:
    """``2, "平方米/生"`` → ``#,##0.00"平方米/生"``."""
    base = "#,##0" if thousands else "0"
    if decimals > 0:
        base += "." + "0" * int(decimals)
    return base + _suffix(unit, lang)


def percent_format(decimals: int = fmt.PERCENT_DECIMALS) -> str:
    """Excel number format of a percentage with ``decimals`` decimals."""
    return "0" + ("." + "0" * int(decimals) if decimals > 0 else "") + "%"


def shown_decimals(value, threshold, decimals: int, comparison: str = ">=", scale: float = 1.0) -> int:
    """The decimals the report shows ``value`` with next to ``threshold``.

    The decimals the report shows ``value`` with next to ``threshold`` (`format.against`: enough that rounding
    never moves it across the threshold).
    """
    if fmt.is_missing(value) or fmt.is_missing(threshold) or comparison not in (">=", "<=", ">", "<"):
        return int(decimals)
    text = fmt.against(value, threshold, int(decimals), comparison, scale=scale, thousands=False)
    return len(text.split(".")[1].rstrip("%")) if "." in text else 0


def _decimals(value, default: int = 2) -> int:
    return default if fmt.is_missing(value) else int(value)


# -- sheets -----------------------------------------------------------------------------------------
def summary_sheet(c) -> Sheet:
    """总览: what was evaluated, the self-assessment, each part, each veto, the key figures."""
    from junheng.report.tables import part_summary

    lang = c.lang
    document = c.rules.data.get("document", "")
    rules = pick(c.rules.data["name"], lang)
    verdict = (
        t(f"report.verdict_plain.{c.status}", lang) if c.has_parts else _x(f"verdict_2012.{c.status}", lang)
    )
    rows = [
        (_col("county", lang), _paren(c.name, c.code, lang)),
        (_col("year", lang), str(c.year)),
        (_col("rules", lang), _paren(rules, document, lang) if document else rules),
        (_col("verdict", lang), verdict),
        (_col("issue_status", lang), _x("final" if c.final else "draft", lang)),
    ]
    if not c.invalid:
        for r in c.parts.itertuples():
            if r.part == "vetoes":
                continue
            rows.append(
                (
                    r.name,
                    f"{_status(r.status, lang)}：{part_summary(r, lang, c)}"
                    if lang == "zh"
                    else f"{_status(r.status, lang)}: {part_summary(r, lang, c)}",
                )
            )
        for r in c.items[c.items["part"] == "vetoes"].itertuples():
            rows.append((_x("veto_row", lang, label=r.label), _veto(r.status, lang)))
        prof = c.profile
        rows += [
            (_col("schools", lang), int(prof["schools"].sum())),
            (_col("students_total", lang), int(prof["students"].sum())),
            (_col("teachers", lang), int(prof["teachers"].sum())),
        ]
    rows += [
        (_col("generated", lang), c.generated),
        (_col("files", lang), t("report.words.and", lang).join(Path(f).name for f in c.files)),
        (_col("fingerprint", lang), c.fingerprint),
        (_col("note", lang), t("report.prose.caveat", lang, **fmt.county_words(c.name, lang))),
    ]
    frame = pd.DataFrame(rows, columns=[_col("field", lang), _col("content", lang)])
    # a list of fields, not a table of records: no filter
    return Sheet(t("report.export.sheets.summary", lang), frame, {}, {_col("content", lang)}, filter=False)


def indicators_sheet(c) -> Sheet:
    """学校指标: every evaluated section-school, each indicator's value, and whether it passes."""
    lang = c.lang
    rows = []
    headers = {
        ind.key: _paren(f"{ind.id} {pick(ind.short, lang)}", pick(ind.unit, lang), lang)
        for ind in c.rules.indicators
    }
    for r in c.evaluated_schools.to_dict("records"):
        row = {
            _col("school_code", lang): r["school_code"],
            _col("school_name", lang): _name(r["label"], lang),
            _col("section", lang): r["section_name"],
            _col("students", lang): r["students"],
        }
        for ind in c.rules.indicators:
            row[headers[ind.key]] = r[f"value_{ind.key}"]
        if c.rules.school_rule:
            row[_col("indicators_met", lang)] = r["n_met"]
            row[_col("school_rule", lang)] = t(
                "report.profile.passes" if r["school_passed"] else "report.profile.fails", lang
            )
        rows.append(row)
    frame = pd.DataFrame(rows)
    formats = {_col("students", lang): INTEGER, _col("indicators_met", lang): INTEGER}
    for ind in c.rules.indicators:
        formats[headers[ind.key]] = number_format(ind.decimals)
    return Sheet(t("report.export.sheets.schools", lang), frame, formats)


def coefficients_sheet(c) -> Sheet:
    """差异系数: the difference coefficients of the current rules.

    差异系数: mean and SD (in the indicator's unit), coefficient, limit, verdict, borderline, change since
    last year.
    """
    lang = c.lang
    cv = c.coefficients
    mean, sd, coef = c.label("export.cols.mean"), _col("sd", lang), _col("cv", lang)  # City mean for a 市
    frame = pd.DataFrame(
        {
            _col("section", lang): cv["section_name"],
            _col("indicator", lang): cv["indicator"] + " " + cv["name"],
            mean: cv["mean"],
            sd: cv["sd"],
            coef: cv["cv"],
        }
    )
    units = [pick(u, lang) if isinstance(u, dict) else u for u in cv["unit"]]
    formats = {
        mean: [number_format(_decimals(d), u, lang) for d, u in zip(cv["decimals"], units, strict=True)],
        sd: [number_format(_decimals(d) + 1, u, lang) for d, u in zip(cv["decimals"], units, strict=True)],
        coef: COEFFICIENT,
    }
    if "limit" in cv:
        frame[_col("limit", lang)] = cv["limit"]
        frame[_col("passed", lang)] = [_yes_no(v, lang) for v in cv["passed"]]
        frame[_col("borderline", lang)] = [
            t("report.words.borderline", lang) if b else "" for b in cv["borderline"]
        ]
        formats[coef] = [
            number_format(shown_decimals(v, lim, 3, "<="), thousands=False)
            for v, lim in zip(cv["cv"], cv["limit"], strict=True)
        ]
        formats[_col("limit", lang)] = LIMIT
    if cv["previous_cv"].notna().any():
        frame[_col("change", lang)] = cv["change"]
        formats[_col("change", lang)] = CHANGE
    return Sheet(t("report.export.sheets.coefficients", lang), frame, formats)


def items_sheet(c) -> Sheet:
    """评估项目及依据: every G, Q, S item and veto with its value, standard, result and evidence."""
    from junheng.report.evidence import evidence_text, item_name, threshold_text, value_text

    lang = c.lang
    rows = []
    for r in c.items.itertuples():
        if r.part == "prerequisite":
            continue
        veto = r.part == "vetoes"
        rows.append(
            {
                _col("part", lang): t(f"part.{r.part}", lang),
                _col("id", lang): "" if veto else r.id,
                _col("item", lang): r.label if veto else item_name(r.id, lang),
                _col("value", lang): value_text(r, lang),
                _col("item_threshold", lang): threshold_text(r, lang),
                _col("status", lang): _veto(r.status, lang) if veto else _status(r.status, lang),
                _col("evidence", lang): _name(evidence_text(c, r), lang),
            }
        )
    return Sheet(
        t("report.export.sheets.items", lang),
        pd.DataFrame(rows),
        {},
        {_col("evidence", lang), _col("item", lang)},
    )


def basic_sheet(c) -> Sheet:
    """2012年办法: the eight coefficients and the composite per section.

    2012年办法: the eight coefficients and the composite per section; means in the indicator's unit and
    decimals, coefficients with three decimals, the composite against its limit.
    """
    lang, b = c.lang, c.basic
    if b.empty:
        return Sheet(t("report.export.sheets.basic", lang), pd.DataFrame())
    mean, coef, limit = c.label("export.cols.mean"), _col("cv", lang), _col("composite_limit", lang)
    limits = b["limit"] if "limit" in b else pd.Series([None] * len(b), index=b.index)
    frame = pd.DataFrame(
        {
            _col("section", lang): b["section_name"],
            _col("indicator", lang): [
                n if i == "composite" else f"{i} {n}" for i, n in zip(b["indicator"], b["name"], strict=True)
            ],
            mean: b["mean"],
            coef: b["cv"],
            limit: limits,
            _col("result", lang): [
                _status("pass" if p else "fail", lang) if not fmt.is_missing(p) else None
                for p in (b["passed"] if "passed" in b else [None] * len(b))
            ],
        }
    )
    units = [pick(u, lang) if isinstance(u, dict) else u for u in b["unit"]]
    formats = {
        mean: [number_format(_decimals(d), u, lang) for d, u in zip(b["decimals"], units, strict=True)],
        coef: [
            number_format(shown_decimals(v, lim, 3, "<="), thousands=False)
            for v, lim in zip(b["cv"], limits, strict=True)
        ],
        limit: LIMIT,
    }
    return Sheet(t("report.export.sheets.basic", lang), frame, formats)


def survey_sheet(c) -> Sheet:
    """问卷: valid and positive answers and the rate per respondent group."""
    from junheng.inputs.schema import load_schema

    lang = c.lang
    s = c.items[c.items["id"] == "S"]
    groups = s.iloc[0]["evidence"].get("groups") if len(s) else None
    if not groups:
        return Sheet(t("report.export.sheets.survey", lang), pd.DataFrame())
    names = load_schema().enums["survey_group"]
    frame = pd.DataFrame(
        [
            {
                _col("group", lang): pick(names.get(g, {"zh": g}), lang),
                _col("valid", lang): v["valid"],
                _col("positive", lang): v["positive"],
                _col("rate", lang): v["rate"],
            }
            for g, v in groups.items()
        ]
    )
    return Sheet(
        t("report.export.sheets.survey", lang),
        frame,
        {_col("valid", lang): INTEGER, _col("positive", lang): INTEGER, _col("rate", lang): PERCENT},
    )


def history_sheet(c) -> Sheet:
    """历年: the verdict and the counts of every year up to the report's year."""
    lang, h = c.lang, c.history
    verdicts = [v if lang == "zh" else str(v).capitalize() for v in h["verdict"]]
    frame = pd.DataFrame(
        {
            _col("year", lang): h["year"],
            _col("verdict", lang): verdicts,
            _col("schools_failed", lang): h["schools_failed"],
            _col("cv_failed", lang): h["cv_failed"],
        }
    )
    for part in ("resource", "guarantee", "quality", "survey", "vetoes"):
        if part in h:
            frame[t(f"part.{part}", lang)] = [
                (_veto(v, lang) if isinstance(v, str) else None) if part == "vetoes" else _status(v, lang)
                for v in h[part]
            ]
    return Sheet(
        t("report.export.sheets.history", lang),
        frame,
        {_col("year", lang): YEAR, _col("schools_failed", lang): INTEGER, _col("cv_failed", lang): INTEGER},
    )


def shortfall_sheet(c) -> Sheet:
    """补短板清单: what each school must add, per indicator, in the indicator's unit."""
    lang, short = c.lang, c.shortfalls
    if not len(short):
        return Sheet(t("report.export.sheets.shortfall", lang), pd.DataFrame())
    inds = {i.id: i for i in c.rules.indicators}
    value, threshold, gap, add = (
        _col("value", lang),
        _col("threshold", lang),
        _col("gap", lang),
        _col("add", lang),
    )
    frame = pd.DataFrame(
        {
            _col("school_code", lang): short["school_code"],
            _col("school_name", lang): [_name(n, lang) for n in short["name"]],
            _col("section", lang): short["section_name"],
            _col("indicator", lang): short["indicator"] + " " + short["indicator_name"],
            value: short["value"],
            threshold: short["threshold"],
            gap: short["gap"],
            add: short["add"],
        }
    )
    formats = {value: [], threshold: [], gap: [], add: []}
    for r in short.itertuples():
        ind = inds.get(r.indicator)
        d, unit = (ind.decimals, pick(ind.unit, lang)) if ind else (2, "")
        formats[value].append(number_format(shown_decimals(r.value, r.threshold, d), unit, lang))
        formats[threshold].append(number_format(d, unit, lang))
        formats[gap].append(number_format(d, unit, lang))
        formats[add].append(number_format(0, r.add_unit, lang))
    return Sheet(t("report.export.sheets.shortfall", lang), frame, formats)


def _deadline(value):
    """``"2026-12"`` → 2026-12-31 (a month means its end); ``"2025-08-31"`` → that day."""
    m = re.match(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$", value) if isinstance(value, str) else None
    if not m:
        return None
    year, month = int(m[1]), int(m[2])
    if m[3]:
        return datetime.date(year, month, int(m[3]))
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def plan_sheet(c) -> Sheet:
    """整改计划: one row per school and measure, for the county to edit.

    The cost is a formula (quantity × unit cost, rounded to whole yuan as the plan rounds it), each row says
    whether its cost is one-off or per year, and one total per cost type sums the costs of that type.
    """
    lang, plan = c.lang, c.plan
    if plan.empty:
        return Sheet(t("report.export.sheets.plan", lang), pd.DataFrame())
    col = lambda key: t(f"report.plan.col.{key}", lang)  # noqa: E731
    quantity, unit_cost, kind, cost = (
        _col("quantity", lang),
        col("unit_cost"),
        _col("cost_type", lang),
        _col("cost", lang),
    )
    deadline = _col("deadline", lang)
    where, problem, measure = col("where"), col("problem"), col("measure")
    one_off, per_year = _x("words.one_off", lang), _x("words.per_year", lang)
    costable = plan["cost_status"] != "no_quantity"
    dates = [_deadline(d) for d in plan["deadline"]]
    county_wide = t("report.plan.county_wide", lang, **fmt.county_words(c.name, lang))
    frame = pd.DataFrame(
        {
            _col("school_code", lang): plan["school_code"].fillna(""),
            where: [_name(n, lang) if isinstance(n, str) and n else county_wide for n in plan["school_name"]],
            _col("section", lang): plan["section_name"].fillna(""),
            _col("id", lang): [
                t("part.vetoes", lang) if p == "vetoes" else i
                for p, i in zip(plan["part"], plan["item"], strict=True)
            ],
            _col("required", lang): plan["required_text"],
            problem: plan["problem"],
            measure: plan["measure"],
            quantity: plan["quantity"],
            unit_cost: plan["unit_cost"],
            kind: [
                (per_year if r else one_off) if ok else ""
                for r, ok in zip(plan["recurring"], costable, strict=True)
            ],
            cost: [None if fmt.is_missing(v) else int(v) for v in plan["cost"]],
            col("lead"): plan["lead_office"],
            _col("support", lang): plan["support_offices"].fillna(""),
            deadline: [
                d if d is not None else text for d, text in zip(dates, plan["deadline_text"], strict=True)
            ],
            _col("deadline_note", lang): plan["deadline_note"].fillna(""),
            _col("cost_source", lang): plan["cost_source"].fillna(""),
        }
    )
    date_format = _x("date_format", lang)
    formats = {
        quantity: [  # the optimum's m² carry two decimals (419.30 平方米): shown, not rounded away
            number_format(0 if fmt.is_missing(v) or float(v).is_integer() else 2, u, lang)
            for v, u in zip(plan["quantity"], plan["quantity_unit"], strict=True)
        ],
        unit_cost: [
            number_format(0 if fmt.is_missing(v) or float(v).is_integer() else 2, u, lang)
            for v, u in zip(plan["unit_cost"], plan["cost_unit"], strict=True)
        ],
        cost: YUAN,
        deadline: date_format,
    }
    costed = plan["cost"].notna()
    totals = {
        one_off: int(plan.loc[costed & ~plan["recurring"].astype(bool), "cost"].sum()),
        per_year: int(plan.loc[costed & plan["recurring"].astype(bool), "cost"].sum()),
    }

    def finish(ws, lay: Layout) -> dict:
        from openpyxl.styles import Font

        cached = {}
        for i, value in enumerate(plan["cost"]):
            row = lay.first + i
            q, p = lay.cell(quantity, row), lay.cell(unit_cost, row)
            ref = lay.cell(cost, row)
            ws[ref] = f'=IF(OR({q}="",{p}=""),"",ROUND({q}*{p},0))'
            ws[ref].number_format = YUAN
            cached[ref] = "" if fmt.is_missing(value) else int(value)
        row = lay.last + 2
        labels = {one_off: _x("total_one_off", lang), per_year: _x("total_per_year", lang)}
        for word, label in labels.items():
            first = ws[f"A{row}"]
            first.value = label
            first.font = Font(bold=True)
            ws[lay.cell(kind, row)] = word
            ref = lay.cell(cost, row)
            ws[ref] = f"=SUMIF({lay.column(kind)},{lay.cell(kind, row)},{lay.column(cost)})"
            ws[ref].number_format = YUAN
            ws[ref].font = Font(bold=True)
            cached[ref] = totals[word]
            row += 1
        return cached

    note = _x("plan_note", lang)
    if plan["illustrative"].fillna(False).astype(bool).any():
        # the same warning as the report's plan section: these unit costs are not the county's
        note += (" " if lang == "en" else "") + t(
            "report.plan.costs_illustrative", lang, **fmt.county_words(c.name, lang)
        ).strip()
    return Sheet(
        t("report.export.sheets.plan", lang), frame, formats, {problem, measure}, note=note, finish=finish
    )


def _target_formats(c) -> dict:
    """Target id → (number format of its values, the decimals before `shown_decimals`, percent?, yes/no?)."""
    from junheng.report.evidence import COUNT_ITEMS, FLAG_ITEMS, LEVEL_ITEMS, PERCENT_ITEMS

    lang, out = c.lang, {}
    inds = {i.key: i for i in c.rules.indicators}
    measures = {tg.id: tg.measure for tg in c.evaluation.dataset.targets if tg.county_code == c.code}
    for r in c.targets.drop_duplicates("target_id").itertuples():
        m = measures.get(r.target_id)
        unit = r.unit if isinstance(r.unit, str) else ""
        spec = (2, unit, False, False)
        if r.value_kind == "yesno":
            spec = (0, "", False, True)
        elif r.value_kind == "share" or unit == "%":
            spec = (fmt.PERCENT_DECIMALS, "", True, False)
        elif m is not None and m.kind == "cv":
            spec = (fmt.COEFFICIENT_DECIMALS, None, False, False)  # no unit, no thousands separator
        elif m is not None and m.kind == "item":
            if m.item in PERCENT_ITEMS:
                spec = (fmt.PERCENT_DECIMALS, "", True, False)
            elif m.item in FLAG_ITEMS:
                spec = (0, "", False, True)
            elif m.item in COUNT_ITEMS:
                spec = (0, _x("units.subjects" if m.item == "Q9" else "units.schools", lang), False, False)
            elif m.item in LEVEL_ITEMS:
                spec = (0, _x("units.level", lang), False, False)
            elif m.item == "G7":
                spec = (0, _x("units.yuan_per_student", lang), False, False)
        elif m is not None and m.indicator and m.indicator in inds and unit:
            spec = (inds[m.indicator].decimals, unit, False, False)
        out[r.target_id] = spec
    return out


def targets_sheet(c) -> Sheet:
    """规划目标: each target's value per year, its trajectory and status.

    规划目标: each target's value per year, its trajectory and status, formatted per measure: shares in %,
    counts of schools as whole numbers of 所, indicators in their unit.
    """
    lang, rows = c.lang, c.targets
    if rows.empty:
        return Sheet(t("report.export.sheets.targets", lang), pd.DataFrame())
    specs = _target_formats(c)
    value, expected, target = (
        t("targets.col.value", lang),
        t("targets.col.expected", lang),
        t("targets.col.target_value", lang),
    )
    frame = pd.DataFrame(
        {
            t("targets.col.target", lang): rows["target_name"],
            t("targets.col.measure", lang): rows["measure_label"],
            t("targets.col.year", lang): rows["year"],
            value: rows["value"],
            expected: rows["expected"],
            target: rows["target"],
            t("targets.col.due_year", lang): rows["due_year"],
            t("targets.col.status", lang): [t(f"targets.status.{s}", lang) for s in rows["status"]],
        }
    )
    frame = frame.astype({value: object, expected: object, target: object})
    formats = {
        t("targets.col.year", lang): YEAR,
        t("targets.col.due_year", lang): YEAR,
        value: [],
        expected: [],
        target: [],
    }
    for i, r in enumerate(rows.itertuples()):
        decimals, unit, percent, yes_no = specs[r.target_id]
        if yes_no:
            for header in (value, expected, target):
                frame.at[i, header] = _yes_no(frame.at[i, header], lang)
                formats[header].append(None)
            continue
        shown = shown_decimals(r.value, r.target, decimals, r.comparison, 100 if percent else 1)
        for header, d in ((value, shown), (expected, decimals), (target, decimals)):
            formats[header].append(
                percent_format(d)
                if percent
                else number_format(d, unit or "", lang, thousands=unit is not None)
            )
    return Sheet(t("report.export.sheets.targets", lang), frame, formats, {t("targets.col.measure", lang)})


def schools_sheet(c) -> Sheet:
    """学校名单: every school of the input and how it was evaluated (or why not)."""
    lang, s = c.lang, c.schools
    status = []
    for r in s.itertuples():
        if r.in_scope:
            status.append(
                t(
                    "report.profile.passes"
                    if (not c.rules.school_rule or r.school_passed)
                    else "report.profile.fails",
                    lang,
                )
            )
        else:
            status.append(t("status.excluded", lang))
    frame = pd.DataFrame(
        {
            _col("school_code", lang): s["school_code"],
            _col("school_name", lang): [_name(n, lang) for n in s["name"]],
            _col("type", lang): s["type_name"],
            _col("location", lang): s["location_name"],
            _col("section", lang): s["section_name"],
            _col("students", lang): s["students"],
            _col("evaluation", lang): status,
            _col("reason", lang): s["exclusion_text"],
        }
    )
    return Sheet(
        t("report.export.sheets.appendix", lang),
        frame,
        {_col("students", lang): INTEGER},
        {_col("reason", lang)},
    )


def problems_sheet(c) -> Sheet:
    """数据问题: every message of the data checks, located."""
    lang, p = c.lang, c.problems
    frame = (
        pd.DataFrame(
            {
                _col("severity", lang): [t(f"severity.{v}", lang) for v in p["severity"]],
                _col("file", lang): p["file"],
                _col("sheet", lang): p["sheet"],
                _col("row", lang): p["row"],
                _col("column", lang): p["column"],
                _col("message", lang): p[
                    "finding_text"
                ],  # file, sheet, row and column are columns of their own
            }
        )
        if len(p)
        else pd.DataFrame()
    )
    return Sheet(
        t("report.export.sheets.problems", lang), frame, {_col("row", lang): YEAR}, {_col("message", lang)}
    )


def sheets(c, extra: list | None = None) -> list[Sheet]:
    """Every sheet of the workbook, in order; ``extra`` sheets go after the shortfall list."""
    if c.invalid:
        return [s for s in (summary_sheet(c), problems_sheet(c)) if not s.frame.empty]
    from junheng.report.optimal import optimal_sheet  # 达标测算 (docs/optimal.md)

    out = [
        summary_sheet(c),
        plan_sheet(c),
        items_sheet(c),
        coefficients_sheet(c),
        indicators_sheet(c),
        shortfall_sheet(c),
        optimal_sheet(c),
    ]
    out += list(extra or [])
    out += [
        targets_sheet(c),
        basic_sheet(c),
        survey_sheet(c),
        history_sheet(c),
        schools_sheet(c),
        problems_sheet(c),
    ]
    return [s for s in out if not s.frame.empty]


# -- writing ----------------------------------------------------------------------------------------
def _visual(text) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _shown(value, number_format) -> str:
    """About what Excel shows for ``value`` in ``number_format`` (for column widths)."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "2026年12月31日" if number_format and "年" in number_format else value.isoformat()[:10]
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    nf = number_format or ""
    suffix = "".join(re.findall(r'"([^"]*)"', nf))
    plain = re.sub(r'"[^"]*"', "", nf).split(";")[0]
    decimals = len(plain.split(".")[1].rstrip("%")) if "." in plain else 0
    if "%" in plain:
        return f"{value * 100:.{decimals}f}%"
    return f"{value:{',' if ',' in plain else ''}.{decimals}f}" + suffix


def _width(values, header: str, formats) -> float:
    shown = [
        _visual(_shown(v, f))
        for v, f in list(zip(values, formats, strict=True))[:500]
        if not fmt.is_missing(v)
    ]
    longest = max([_visual(header)] + shown)
    return min(MAX_WIDTH, max(8, longest + 2))


def _formats(sheet: Sheet, header: str) -> list:
    spec = sheet.formats.get(header)
    return list(spec) if isinstance(spec, (list, tuple, pd.Series)) else [spec] * len(sheet.frame)


def _finish(ws, sheet: Sheet, title: str, lang: str, header_row: int = 1) -> dict:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    header_fill = PatternFill("solid", fgColor="EEF2FF")
    n_cols = len(sheet.frame.columns)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    total_width = 0.0
    letters = {}
    code_header = _col("school_code", lang)
    for j, header in enumerate(sheet.frame.columns, start=1):
        letter = get_column_letter(j)
        letters[header] = letter
        formats = _formats(sheet, header)
        if header == code_header:
            formats = [TEXT] * len(sheet.frame)
        wrap = header in sheet.wide
        width = MAX_WIDTH if wrap else _width(sheet.frame[header].tolist(), header, formats)
        ws.column_dimensions[letter].width = width
        total_width += width
        for i, number_format in enumerate(formats):
            cell = ws[f"{letter}{header_row + 1 + i}"]
            if number_format == TEXT:
                cell.number_format = TEXT
            if isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, (datetime.date, datetime.datetime)):
                cell.number_format = number_format or "yyyy-mm-dd"
            elif number_format or (isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)):
                # every number gets a format: the column's, or whole numbers with separators
                cell.number_format = number_format or (
                    INTEGER if float(cell.value).is_integer() else DECIMAL2
                )
    layout = Layout(header_row, header_row + 1, header_row + len(sheet.frame), letters)
    if sheet.note:
        note = ws.cell(row=1, column=1, value=sheet.note)
        note.font = Font(bold=True, color="9C2A00")
        note.alignment = Alignment(wrap_text=True, vertical="center")
        if n_cols > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
        ws.row_dimensions[1].height = 15 * max(2, -(-_visual(sheet.note) // max(1, int(total_width))) + 1)
    cached = sheet.finish(ws, layout) if sheet.finish else {}
    ws.freeze_panes = f"A{header_row + 1}"
    if sheet.filter and len(sheet.frame):
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(n_cols)}{layout.last}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.oddHeader.left.text = title
    ws.oddFooter.center.text = t("report.export.page", lang)
    return cached


def _xml_value(value) -> tuple[str, str]:
    """(type attribute, <v> text) of a formula's cached result."""
    from xml.sax.saxutils import escape

    if isinstance(value, str):
        return ' t="str"', escape(value)
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    return "", repr(value) if isinstance(value, float) else str(value)


def _with_cached_values(data: bytes, cached: dict) -> bytes:
    """Give every formula written by a sheet its result.

    Give every formula written by a sheet its result, so readers that do not calculate (previews, pandas,
    openpyxl's ``data_only``) show the same numbers as the report; Excel recalculates on opening anyway
    (``fullCalcOnLoad``).
    """
    from junheng.sample.sample_province import rewrite_xlsx

    def edit(name: str, content: bytes) -> bytes:
        values = cached.get(name)
        if not values:
            return content
        text = content.decode("utf-8")

        def fill(m: re.Match) -> str:
            if m["ref"] not in values:
                return m[0]
            kind, shown = _xml_value(values[m["ref"]])
            return f'<c r="{m["ref"]}"{m["attrs"]}{kind}>{m["f"]}<v>{shown}</v></c>'

        text = re.sub(
            r'<c r="(?P<ref>[A-Z]+\d+)"(?P<attrs>[^>]*)>(?P<f><f>.*?</f>)<v\s*/>\s*</c>', fill, text
        )
        return text.encode("utf-8")

    return rewrite_xlsx(data, edit)


def write_workbook(c, path, extra: list | None = None) -> Path:
    """Write the workbook of `County` ``c`` to ``path`` (bit-identical for the same inputs)."""
    import io

    from junheng.sample.sample_province import deterministic_xlsx

    path = Path(path)
    book_sheets = sheets(c, extra)
    title = c.title()
    cached = {}
    with pd.ExcelWriter(io.BytesIO(), engine="openpyxl") as writer:
        for number, sheet in enumerate(book_sheets, start=1):
            header_row = 2 if sheet.note else 1
            frame = sheet.frame.astype(object).where(sheet.frame.notna(), None)
            frame.to_excel(writer, sheet_name=sheet.name[:31], index=False, startrow=header_row - 1)
            ws = writer.sheets[sheet.name[:31]]
            # pandas writes text starting with "=" as a formula: make every such cell text again
            for row in ws.iter_rows(min_row=header_row + 1):
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
            values = _finish(ws, sheet, title, c.lang, header_row)
            if not c.final:  # a draft says so on every printed page, as the report does
                ws.oddHeader.right.text = _x("draft", c.lang)
                ws.oddHeader.right.color = "C00000"
            if values:
                cached[f"xl/worksheets/sheet{number}.xml"] = values
        book = writer.book
    data = deterministic_xlsx(book)
    path.write_bytes(_with_cached_values(data, cached) if cached else data)
    return path
