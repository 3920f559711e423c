"""附表: every evaluated school's inputs to Part R, as read and split, for an inspector to recompute.

One row per evaluated section-school (a nine-year school is two rows, its resources split between
its sections as the method splits them): the students of the section and, per indicator, the
quantity the indicator divides by the students (teachers, m², yuan, rooms: the numerator as the
method used it, e.g. PE and art teachers of a small school with its itinerant teachers). From these
alone every school's seven values follow (value = scale × quantity ÷ students, `formula`) and every
coefficient (student-weighted: mean x̄ = Σ pᵢxᵢ / P, S = √(Σ (pᵢ/P)(xᵢ − x̄)²), CV = S / x̄).
The report shows it as an appendix (`table`), the Excel workbook as a sheet (`sheet`).
"""

from __future__ import annotations

import pandas as pd

from junheng.i18n import pick, t


def _header(ind, lang: str) -> str:
    return f"{ind.id} {pick(ind.short, lang)}（{pick(ind.add_unit, lang)}）" if lang == "zh" else (
        f"{ind.id} {pick(ind.short, lang)} ({pick(ind.add_unit, lang)})")


def raw_inputs(c) -> pd.DataFrame:
    """The 附表 as a frame: code, school, section, students, each indicator's quantity (zh/en headers)."""
    lang = c.lang
    scoped = c.evaluated_schools
    out = pd.DataFrame({
        t("issue.appendix.code", lang): scoped["school_code"].astype(str),
        t("issue.appendix.school", lang): scoped["name"],
        t("issue.appendix.section", lang): scoped["section_name"],
        t("issue.appendix.students", lang): scoped["students"].astype("Int64"),
    })
    numerators = c.result.section_schools.set_index(["school_code", "section"])
    keys = list(zip(scoped["school_code"], scoped["section"], strict=True))
    for ind in c.rules.indicators:
        out[_header(ind, lang)] = numerators.loc[keys, f"num_{ind.key}"].to_numpy()
    return out


def formula(c) -> str:
    """How each value and coefficient follows from the 附表 (Markdown), in the report's language."""
    lang = c.lang
    scales = t("report.words.list_sep", lang).join(
        f"{ind.id}×{ind.scale:g}" for ind in c.rules.indicators if ind.scale != 1)
    return t("issue.appendix.formula", lang, scales=scales)


def table(c):
    """The 附表 for the report (a styled table: numbers right-aligned, areas and money to 2 decimals)."""
    frame = raw_inputs(c)
    if frame.empty:
        return None
    numbers = list(frame.columns[3:])
    return frame.style.hide(axis="index").format(
        {col: "{:,.2f}" if frame[col].dtype.kind == "f" and (frame[col] % 1).abs().sum() > 0 else "{:,.0f}"
         for col in numbers}, na_rep="—")


def sheet(c):
    """The 附表 as a sheet of the Excel workbook (`junheng.report.export.Sheet`)."""
    from junheng.report.export import INTEGER, Sheet, number_format

    frame = raw_inputs(c)
    formats = {
        col: (number_format(2) if frame[col].dtype.kind == "f" else INTEGER) for col in frame.columns[3:]
    }
    return Sheet(t("issue.appendix.sheet", c.lang), frame, formats, note=formula(c).replace("\n\n", " "))
