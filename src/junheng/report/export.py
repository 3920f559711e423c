"""Excel export of a county's result tables for officials who work in Excel. Text from user data
that starts with =, +, - or @ is stored as text, never as a formula.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from junheng.i18n import pick, t

FORMULA_START = ("=", "+", "-", "@")


def _sheet(wb, title, headers, rows):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([None] * len(headers))
        r = ws.max_row
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=j)
            if isinstance(value, str):
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the first character
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True
            elif value is not None and not (isinstance(value, float) and pd.isna(value)):
                cell.value = value
    ws.freeze_panes = "A2"
    for j, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = max(
            10, min(40, len(str(h)) * 2 + 2)
        )
    return ws


def write_workbook(c, path) -> Path:
    """The result tables of a `County` as an Excel workbook."""
    from openpyxl import Workbook

    from junheng.sample.sample_province import deterministic_xlsx

    lang, rules = c.lang, c.rules

    def sheet(name):
        return t(f"report.export.sheets.{name}", lang)

    def cols(*keys):
        return [t(f"report.export.cols.{k}", lang) for k in keys]

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        sheet("problems"),
        cols("severity", "file", "sheet", "row", "column", "message"),
        c.problems[["severity", "file", "sheet", "row", "column", "message"]].values.tolist(),
    )
    if c.invalid:
        Path(path).write_bytes(deterministic_xlsx(wb))
        return Path(path)
    cv = c.coefficients
    _sheet(
        wb,
        sheet("coefficients"),
        cols("section", "indicator", "label", "mean", "sd", "cv", "limit", "passed", "borderline"),
        [
            [
                r.get("section"),
                r.get("indicator"),
                r.get("name"),
                r.get("mean"),
                r.get("sd"),
                r.get("cv"),
                r.get("limit"),
                r.get("passed"),
                r.get("borderline"),
            ]
            for r in cv.to_dict("records")
        ],
    )
    sec = c.schools
    inds = rules.indicators
    headers = cols("school_code", "school_name", "section", "students", "passed") + [
        f"{i.id} {pick(i.short, lang)}" for i in inds
    ]
    rows = [
        [r["school_code"], r["school_name"], r["section"], r["students"], r.get("school_passed")]
        + [r[f"value_{i.key}"] for i in inds]
        for r in sec[sec["in_scope"]].to_dict("records")
    ]
    _sheet(wb, sheet("schools"), headers, rows)
    short = c.shortfalls
    _sheet(
        wb,
        sheet("shortfall"),
        cols(
            "school_code", "school_name", "section", "indicator", "value", "threshold", "gap", "add", "unit"
        ),
        [
            [
                r.school_code,
                r.school_name,
                r.section,
                r.indicator,
                r.value,
                r.threshold,
                r.gap,
                r.add,
                r.add_unit,
            ]
            for r in short.itertuples()
        ],
    )
    if rules.has_parts:
        items = [[r.part, r.id, r.label, r.value, str(r.threshold), r.status] for r in c.items.itertuples()]
        _sheet(wb, sheet("items"), cols("part", "id", "item", "value", "item_threshold", "status"), items)
    appendix = [
        [
            r["school_code"],
            r["school_name"],
            r["school_type"],
            r["location"],
            r["section"],
            r["students"],
            "evaluated" if r["in_scope"] else r["exclusion"],
        ]
        for r in sec.to_dict("records")
    ]
    _sheet(
        wb,
        sheet("appendix"),
        cols("school_code", "school_name", "type", "location", "section", "students", "evaluation"),
        appendix,
    )
    path = Path(path)
    path.write_bytes(deterministic_xlsx(wb))
    return path
