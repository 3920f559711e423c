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
    return (
        f"{ind.id} {pick(ind.short, lang)}（{pick(ind.add_unit, lang)}）"
        if lang == "zh"
        else (f"{ind.id} {pick(ind.short, lang)} ({pick(ind.add_unit, lang)})")
    )


def raw_inputs(c) -> pd.DataFrame:
    """The 附表 as a frame: code, school, section, students, each indicator's quantity (zh/en headers)."""
    lang = c.lang
    scoped = c.evaluated_schools
    out = pd.DataFrame(
        {
            t("issue.appendix.code", lang): scoped["school_code"].astype(str),
            t("issue.appendix.school", lang): scoped["name"],
            t("issue.appendix.section", lang): scoped["section_name"],
            t("issue.appendix.students", lang): scoped["students"].astype("Int64"),
        }
    )
    numerators = c.result.section_schools.set_index(["school_code", "section"])
    keys = list(zip(scoped["school_code"], scoped["section"], strict=True))
    # each section-school's row, found once for every indicator (it has one: the index is unique)
    found = numerators.index.get_indexer(keys) if numerators.index.is_unique else None
    for ind in c.rules.indicators:
        column = f"num_{ind.key}"
        if found is not None and (found >= 0).all():
            out[_header(ind, lang)] = numerators[column].to_numpy()[found]
        else:  # a key missing: the KeyError that names it
            out[_header(ind, lang)] = numerators.loc[keys, column].to_numpy()
    return out


def heading(c) -> str:
    """The appendix's heading: 学校原始数据（附表）."""
    return t("issue.appendix.heading", c.lang)


def formula(c) -> str:
    """How each value and coefficient follows from the 附表 (Markdown), in the report's language."""
    lang = c.lang
    scales = t("report.words.list_sep", lang).join(
        f"{ind.id}×{ind.scale:g}" for ind in c.rules.indicators if ind.scale != 1
    )
    names = t("report.words.list_sep", lang).join(
        f"{ind.id} {pick(ind.short, lang)}" for ind in c.rules.indicators
    )
    return "\n\n".join(
        [t("issue.appendix.formula", lang, scales=scales), t("issue.appendix.names", lang, names=names)]
    )


def table(c):
    """The 附表 for the report: the report's table style, whole numbers as such, the rest to 2 decimals."""
    from junheng.report import format as fmt
    from junheng.report.tables import Column, build

    frame = raw_inputs(c)
    if frame.empty:
        return None
    numbers = list(frame.columns[3:])
    whole = {col: bool((frame[col].dropna() % 1 == 0).all()) for col in numbers}

    def shown(col, value) -> str:
        return fmt.MISSING if pd.isna(value) else fmt.number(value, 0 if whole[col] else 2)

    rows = [
        [*(str(v) for v in row[:3]), *(shown(col, v) for col, v in zip(numbers, row[3:], strict=True))]
        for row in frame.itertuples(index=False, name=None)
    ]
    # short headers (R4（平方米）) so the names keep their width; the formula above names each indicator
    pattern = "{id}（{unit}）" if c.lang == "zh" else "{id} ({unit})"
    short = [pattern.format(id=ind.id, unit=pick(ind.add_unit, c.lang)) for ind in c.rules.indicators]
    columns = [Column(col) for col in frame.columns[:3]] + [Column(frame.columns[3], "num")]
    columns += [Column(header, "num") for header in short]
    return build(rows, columns, t("issue.appendix.caption", c.lang))


def sheet(c):
    """The 附表 as a sheet of the Excel workbook (`junheng.report.export.Sheet`)."""
    from junheng.report.export import INTEGER, Sheet, number_format

    frame = raw_inputs(c)
    formats = {
        col: (number_format(2) if frame[col].dtype.kind == "f" else INTEGER) for col in frame.columns[3:]
    }
    return Sheet(t("issue.appendix.sheet", c.lang), frame, formats, note=formula(c).replace("\n\n", " "))
