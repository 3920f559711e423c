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


def write_tables(report, path) -> Path:
    from openpyxl import Workbook

    from junheng.sample.sample_province import deterministic_xlsx

    lang, rules, res = report.lang, report.rules, report.result

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
        [
            [
                p["severity"],
                Path(p["file"]).name if p["file"] else "",
                p["sheet"],
                p["row"],
                p["column"],
                p["message"],
            ]
            for p in report.doc["problems"]
        ],
    )
    if report.invalid:
        Path(path).write_bytes(deterministic_xlsx(wb))
        return Path(path)
    cv = report.doc["parts"]["resource"]["coefficients"]
    _sheet(
        wb,
        sheet("coefficients"),
        cols("section", "indicator", "label", "mean", "sd", "cv", "limit", "passed", "borderline"),
        [
            [
                c["section"],
                c["indicator"],
                c["label"],
                c["mean"],
                c["sd"],
                c["cv"],
                c.get("limit"),
                c.get("passed"),
                c.get("borderline"),
            ]
            for c in cv
        ],
    )
    sec = res.section_schools
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
    short = res.shortfall()
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
                pick(next(i.add_unit for i in inds if i.id == r.indicator), lang),
            ]
            for r in short.itertuples()
        ]
        if len(short)
        else [],
    )
    if rules.has_parts:
        items = [
            [p, i["id"], i["label"], i["value"], str(i["threshold"]), i["status"]]
            for p in ("guarantee", "quality", "survey", "vetoes")
            for i in report.doc["parts"][p]["items"]
        ]
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
