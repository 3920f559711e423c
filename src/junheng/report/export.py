"""The Excel workbook officials open first: a summary sheet, then one sheet per table of the
report, in the reader's language, with number formats, widths, frozen headers, filters and print
settings. Written with pandas' ExcelWriter (openpyxl); sheets without rows are left out. Text from
the data that starts with =, +, - or @ is stored as text, never as a formula."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from junheng.i18n import pick, t
from junheng.report import format as fmt

FORMULA_START = ("=", "+", "-", "@")
INTEGER, DECIMAL2, DECIMAL3, DECIMAL4, PERCENT, YUAN = "#,##0", "#,##0.00", "0.000", "0.0000", "0.0%", "#,##0"
MAX_WIDTH = 48


@dataclass
class Sheet:
    """One sheet: its name, its table (headers already in the reader's language) and the number
    format of each numeric column (by header)."""

    name: str
    frame: pd.DataFrame
    formats: dict = field(default_factory=dict)
    wide: set = field(default_factory=set)   # headers of long text columns (wrapped)


def _col(key: str, lang: str) -> str:
    return t(f"report.export.cols.{key}", lang)


def _yes_no(value, lang: str):
    if fmt.is_missing(value):
        return None
    return t("report.words.affirmative" if bool(value) else "report.words.negative", lang)


def _status(value, lang: str):
    return t(f"status.{value}", lang) if isinstance(value, str) else None


# -- sheets -----------------------------------------------------------------------------------------
def summary_sheet(c) -> Sheet:
    """总览: what was evaluated, the self-assessment, each part, the key figures."""
    from junheng.report.tables import part_summary

    lang = c.lang
    rows = [
        (_col("county", lang), f"{c.name}（{c.code}）" if lang == "zh" else f"{c.name} ({c.code})"),
        (_col("year", lang), str(c.year)),
        (_col("rules", lang), f"{pick(c.rules.data['name'], lang)}（{c.rules.data.get('document', '')}）"),
        (_col("verdict", lang), t(f"report.verdict_plain.{c.status}", lang)),
    ]
    if not c.invalid:
        for r in c.parts.itertuples():
            rows.append((r.name, f"{_status(r.status, lang)}：{part_summary(r, lang)}" if lang == "zh"
                         else f"{_status(r.status, lang)}: {part_summary(r, lang)}"))
        prof = c.profile
        rows += [(_col("schools", lang), int(prof["schools"].sum())),
                 (_col("students_total", lang), int(prof["students"].sum())),
                 (_col("teachers", lang), int(prof["teachers"].sum()))]
    rows += [(_col("generated", lang), c.generated), (_col("files", lang), "、".join(Path(f).name for f in c.files)),
             (_col("fingerprint", lang), c.fingerprint), (_col("note", lang), t("report.prose.caveat", lang))]
    frame = pd.DataFrame(rows, columns=[_col("field", lang), _col("content", lang)])
    return Sheet(t("report.export.sheets.summary", lang), frame, {}, {_col("content", lang)})


def indicators_sheet(c) -> Sheet:
    """学校指标: every evaluated section-school, each indicator's value, and whether it passes."""
    lang = c.lang
    rows = []
    for r in c.evaluated_schools.to_dict("records"):
        row = {_col("school_code", lang): r["school_code"], _col("school_name", lang): r["label"],
               _col("section", lang): r["section_name"], _col("students", lang): r["students"]}
        for ind in c.rules.indicators:
            row[f"{ind.id} {pick(ind.short, lang)}（{pick(ind.unit, lang)}）" if lang == "zh"
                else f"{ind.id} {pick(ind.short, lang)} ({pick(ind.unit, lang)})"] = r[f"value_{ind.key}"]
        if c.rules.school_rule:
            row[_col("indicators_met", lang)] = r["n_met"]
            row[_col("school_rule", lang)] = t("report.profile.passes" if r["school_passed"] else "report.profile.fails", lang)
        rows.append(row)
    frame = pd.DataFrame(rows)
    formats = {_col("students", lang): INTEGER, _col("indicators_met", lang): INTEGER}
    for ind in c.rules.indicators:
        for header in frame.columns:
            if header.startswith(f"{ind.id} "):
                formats[header] = YUAN if ind.decimals == 0 else DECIMAL2
    return Sheet(t("report.export.sheets.schools", lang), frame, formats)


def coefficients_sheet(c) -> Sheet:
    """差异系数: mean, SD, coefficient, limit, verdict, borderline, change since last year."""
    lang = c.lang
    cv = c.coefficients
    frame = pd.DataFrame({
        _col("section", lang): cv["section_name"], _col("indicator", lang): cv["indicator"] + " " + cv["name"],
        _col("unit", lang): cv["unit"], _col("mean", lang): cv["mean"], _col("sd", lang): cv["sd"], _col("cv", lang): cv["cv"],
    })
    if "limit" in cv:
        frame[_col("limit", lang)] = cv["limit"]
        frame[_col("passed", lang)] = [_yes_no(v, lang) for v in cv["passed"]]
        frame[_col("borderline", lang)] = [t("report.words.borderline", lang) if b else "" for b in cv["borderline"]]
    if cv["previous_cv"].notna().any():
        frame[_col("change", lang)] = cv["change"]
    formats = {_col("mean", lang): DECIMAL2, _col("sd", lang): DECIMAL3, _col("cv", lang): DECIMAL3,
               _col("limit", lang): "0.00", _col("change", lang): "+0.000;-0.000;0.000"}
    return Sheet(t("report.export.sheets.coefficients", lang), frame, formats)


def items_sheet(c) -> Sheet:
    """评估项目及依据: every G, Q, S item and veto with its value, standard, result and evidence."""
    from junheng.report.evidence import evidence_text, item_name, threshold_text, value_text

    lang = c.lang
    rows = []
    for r in c.items.itertuples():
        if r.part == "prerequisite":
            continue
        rows.append({_col("part", lang): t(f"part.{r.part}", lang), _col("id", lang): r.id if r.part != "vetoes" else "",
                     _col("item", lang): item_name(r.id, lang) if r.part != "vetoes" else r.label,
                     _col("value", lang): value_text(r, lang), _col("item_threshold", lang): threshold_text(r, lang),
                     _col("status", lang): _status(r.status, lang) if r.part != "vetoes" else
                     t({"pass": "report.words.clear", "fail": "report.words.applies"}.get(r.status, "status.not_assessed"), lang),
                     _col("evidence", lang): evidence_text(c, r)})
    return Sheet(t("report.export.sheets.items", lang), pd.DataFrame(rows), {}, {_col("evidence", lang), _col("item", lang)})


def basic_sheet(c) -> Sheet:
    """2012年办法: the eight coefficients and the composite per section."""
    lang, b = c.lang, c.basic
    if b.empty:
        return Sheet(t("report.export.sheets.basic", lang), pd.DataFrame())
    frame = pd.DataFrame({
        _col("section", lang): b["section_name"],
        _col("indicator", lang): [n if i == "composite" else f"{i} {n}" for i, n in zip(b["indicator"], b["name"], strict=True)],
        _col("mean", lang): b["mean"], _col("cv", lang): b["cv"],
        _col("limit", lang): b["limit"] if "limit" in b else None,
    })
    return Sheet(t("report.export.sheets.basic", lang), frame, {_col("mean", lang): DECIMAL4, _col("cv", lang): DECIMAL3,
                                                                 _col("limit", lang): "0.00"})


def survey_sheet(c) -> Sheet:
    """问卷: valid and positive answers and the rate per respondent group."""
    from junheng.inputs.schema import load_schema

    lang = c.lang
    s = c.items[c.items["id"] == "S"]
    groups = s.iloc[0]["evidence"].get("groups") if len(s) else None
    if not groups:
        return Sheet(t("report.export.sheets.survey", lang), pd.DataFrame())
    names = load_schema().enums["survey_group"]
    frame = pd.DataFrame([{_col("group", lang): pick(names.get(g, {"zh": g}), lang), _col("valid", lang): v["valid"],
                           _col("positive", lang): v["positive"], _col("rate", lang): v["rate"]} for g, v in groups.items()])
    return Sheet(t("report.export.sheets.survey", lang), frame,
                 {_col("valid", lang): INTEGER, _col("positive", lang): INTEGER, _col("rate", lang): PERCENT})


def history_sheet(c) -> Sheet:
    """历年: the verdict and the counts of every year up to the report's year."""
    lang, h = c.lang, c.history
    frame = pd.DataFrame({_col("year", lang): h["year"], _col("verdict", lang): h["verdict"],
                          _col("schools_failed", lang): h["schools_failed"], _col("cv_failed", lang): h["cv_failed"]})
    for part in ("resource", "guarantee", "quality", "survey", "vetoes"):
        if part in h:
            frame[t(f"part.{part}", lang)] = [_status(v, lang) for v in h[part]]
    return Sheet(t("report.export.sheets.history", lang), frame,
                 {_col("year", lang): "0", _col("schools_failed", lang): INTEGER, _col("cv_failed", lang): INTEGER})


def shortfall_sheet(c) -> Sheet:
    """补短板清单: what each school must add, per indicator."""
    lang, short = c.lang, c.shortfalls
    frame = pd.DataFrame({
        _col("school_code", lang): short["school_code"], _col("school_name", lang): short["name"],
        _col("section", lang): short["section_name"], _col("indicator", lang): short["indicator"] + " " + short["indicator_name"],
        _col("value", lang): short["value"], _col("threshold", lang): short["threshold"], _col("gap", lang): short["gap"],
        _col("add", lang): short["add"], _col("unit", lang): short["add_unit"],
    }) if len(short) else pd.DataFrame()
    formats = {_col("value", lang): DECIMAL2, _col("threshold", lang): DECIMAL2, _col("gap", lang): DECIMAL2,
               _col("add", lang): INTEGER}
    return Sheet(t("report.export.sheets.shortfall", lang), frame, formats)


def plan_sheet(c) -> Sheet:
    """整改计划: one row per school and measure, for the county to edit (offices, costs, deadlines)."""
    lang, plan = c.lang, c.plan
    if plan.empty:
        return Sheet(t("report.export.sheets.plan", lang), pd.DataFrame())
    col = lambda key: t(f"report.plan.col.{key}", lang)  # noqa: E731
    frame = pd.DataFrame({
        _col("school_code", lang): plan["school_code"].fillna(""),
        col("where"): [n if isinstance(n, str) and n else t("report.plan.county_wide", lang) for n in plan["school_name"]],
        _col("section", lang): plan["section_name"].fillna(""),
        _col("id", lang): plan["item"],
        t("report.export.cols.required", lang): plan["required_text"],
        col("problem"): plan["problem"], col("measure"): plan["measure"],
        t("report.export.cols.quantity", lang): plan["quantity"], _col("unit", lang): plan["quantity_unit"].fillna(""),
        col("unit_cost"): plan["unit_cost"], col("cost_unit"): plan["cost_unit"].fillna(""),
        col("cost"): [None if fmt.is_missing(v) else int(v) for v in plan["cost"]], col("lead"): plan["lead_office"],
        t("report.export.cols.support", lang): plan["support_offices"].fillna(""), col("deadline"): plan["deadline_text"],
        t("report.export.cols.cost_source", lang): plan["cost_source"].fillna(""),
    })
    formats = {t("report.export.cols.quantity", lang): INTEGER, col("unit_cost"): YUAN, col("cost"): YUAN}
    return Sheet(t("report.export.sheets.plan", lang), frame, formats, {col("problem"), col("measure")})


def targets_sheet(c) -> Sheet:
    """规划目标: each target's value per year, its trajectory and status."""
    lang, rows = c.lang, c.targets
    if rows.empty:
        return Sheet(t("report.export.sheets.targets", lang), pd.DataFrame())
    frame = pd.DataFrame({
        t("targets.col.target", lang): rows["target_name"], t("targets.col.measure", lang): rows["measure_label"],
        t("targets.col.year", lang): rows["year"], t("targets.col.value", lang): rows["value"],
        t("targets.col.expected", lang): rows["expected"], t("targets.col.target_value", lang): rows["target"],
        t("targets.col.due_year", lang): rows["due_year"],
        t("targets.col.status", lang): [t(f"targets.status.{s}", lang) for s in rows["status"]],
    })
    formats = {t("targets.col.year", lang): "0", t("targets.col.due_year", lang): "0",
               t("targets.col.value", lang): "#,##0.00", t("targets.col.expected", lang): "#,##0.00",
               t("targets.col.target_value", lang): "#,##0.00"}
    return Sheet(t("report.export.sheets.targets", lang), frame, formats, {t("targets.col.measure", lang)})


def schools_sheet(c) -> Sheet:
    """学校名单: every school of the input and how it was evaluated (or why not)."""
    lang, s = c.lang, c.schools
    status = []
    for r in s.itertuples():
        if r.in_scope:
            status.append(t("report.profile.passes" if (not c.rules.school_rule or r.school_passed) else "report.profile.fails", lang))
        else:
            status.append(t("status.excluded", lang))
    frame = pd.DataFrame({
        _col("school_code", lang): s["school_code"], _col("school_name", lang): s["name"], _col("type", lang): s["type_name"],
        _col("location", lang): s["location_name"], _col("section", lang): s["section_name"],
        _col("students", lang): s["students"], _col("evaluation", lang): status, _col("reason", lang): s["exclusion_text"],
    })
    return Sheet(t("report.export.sheets.appendix", lang), frame, {_col("students", lang): INTEGER}, {_col("reason", lang)})


def problems_sheet(c) -> Sheet:
    """数据问题: every message of the data checks, located."""
    lang, p = c.lang, c.problems
    frame = pd.DataFrame({
        _col("severity", lang): [t(f"severity.{v}", lang) for v in p["severity"]], _col("file", lang): p["file"],
        _col("sheet", lang): p["sheet"], _col("row", lang): p["row"], _col("column", lang): p["column"],
        _col("message", lang): p["message"],
    }) if len(p) else pd.DataFrame()
    return Sheet(t("report.export.sheets.problems", lang), frame, {_col("row", lang): "0"}, {_col("message", lang)})


def sheets(c, extra: list | None = None) -> list[Sheet]:
    """Every sheet of the workbook, in order; ``extra`` sheets go after the shortfall list."""
    if c.invalid:
        return [summary_sheet(c), problems_sheet(c)]
    out = [summary_sheet(c), plan_sheet(c), items_sheet(c), coefficients_sheet(c), indicators_sheet(c),
           shortfall_sheet(c)]
    out += list(extra or [])
    out += [targets_sheet(c), basic_sheet(c), survey_sheet(c), history_sheet(c), schools_sheet(c), problems_sheet(c)]
    return [s for s in out if not s.frame.empty]


# -- writing ----------------------------------------------------------------------------------------
def _width(values, header: str) -> float:
    def visual(text) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))

    longest = max([visual(header)] + [visual(v) for v in values if not fmt.is_missing(v)][:500])
    return min(MAX_WIDTH, max(8, longest + 2))


def _finish(ws, sheet: Sheet, title: str, lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    header_fill = PatternFill("solid", fgColor="EEF2FF")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for j, header in enumerate(sheet.frame.columns, start=1):
        letter = get_column_letter(j)
        number_format = sheet.formats.get(header)
        wrap = header in sheet.wide
        width = MAX_WIDTH if wrap else _width(sheet.frame[header].tolist(), header)
        ws.column_dimensions[letter].width = width
        for cell in ws[letter][1:]:
            if isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if wrap:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                # every number gets a format: the column's, or whole numbers with separators
                cell.number_format = number_format or (INTEGER if float(cell.value).is_integer() else DECIMAL2)
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.oddHeader.left.text = title
    ws.oddFooter.center.text = t("report.export.page", lang)


def write_workbook(c, path, extra: list | None = None) -> Path:
    """Write the workbook of `County` ``c`` to ``path`` (bit-identical for the same inputs)."""
    from junheng.sample.sample_province import deterministic_xlsx

    import io

    path = Path(path)
    book_sheets = sheets(c, extra)
    title = c.title()
    with pd.ExcelWriter(io.BytesIO(), engine="openpyxl") as writer:
        for sheet in book_sheets:
            frame = sheet.frame.astype(object).where(sheet.frame.notna(), None)
            frame.to_excel(writer, sheet_name=sheet.name[:31], index=False)
            ws = writer.sheets[sheet.name[:31]]
            # pandas writes text starting with "=" as a formula: make every such cell text again
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
            _finish(ws, sheet, title, c.lang)
        book = writer.book
    path.write_bytes(deterministic_xlsx(book))
    return path
