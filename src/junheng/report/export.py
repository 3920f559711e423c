"""Excel export of a county's result tables for officials who work in Excel. Text from user data
that starts with =, +, - or @ is stored as text, never as a formula."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..i18n import pick

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
                cell.data_type = "s"          # never a formula, whatever the first character
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True
            elif value is not None and not (isinstance(value, float) and pd.isna(value)):
                cell.value = value
    ws.freeze_panes = "A2"
    for j, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = max(10, min(40, len(str(h)) * 2 + 2))
    return ws


def write_tables(report, path) -> Path:
    from openpyxl import Workbook

    from ..sample_province import deterministic_xlsx

    lang, rules, res = report.lang, report.rules, report.result
    zh = lang == "zh"
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "数据问题" if zh else "data problems", ["级别", "文件", "工作表", "行", "列", "说明"] if zh else
           ["severity", "file", "sheet", "row", "column", "message"],
           [[p["severity"], Path(p["file"]).name if p["file"] else "", p["sheet"], p["row"], p["column"], p["message"]]
            for p in report.doc["problems"]])
    if report.invalid:
        Path(path).write_bytes(deterministic_xlsx(wb))
        return Path(path)
    cv = report.doc["parts"]["resource"]["coefficients"]
    _sheet(wb, "差异系数" if zh else "coefficients",
           ["学段", "指标", "名称", "县域均值", "标准差", "差异系数", "标准", "是否达标", "临界"] if zh else
           ["section", "indicator", "label", "mean", "sd", "cv", "limit", "passed", "borderline"],
           [[c["section"], c["indicator"], c["label"], c["mean"], c["sd"], c["cv"], c.get("limit"),
             c.get("passed"), c.get("borderline")] for c in cv])
    sec = res.section_schools
    inds = rules.indicators
    headers = (["学校标识码", "学校名称", "学段", "学生数", "是否达标"] if zh else
               ["school_code", "school_name", "section", "students", "passed"]) + [f"{i.id} {pick(i.short, lang)}" for i in inds]
    rows = [[r["school_code"], r["school_name"], r["section"], r["students"], r.get("school_passed")] +
            [r[f"value_{i.key}"] for i in inds] for r in sec[sec["in_scope"]].to_dict("records")]
    _sheet(wb, "学校指标" if zh else "school indicators", headers, rows)
    short = res.shortfall()
    _sheet(wb, "补短板清单" if zh else "shortfall",
           ["学校标识码", "学校名称", "学段", "指标", "实际值", "标准值", "差距", "需增加", "单位"] if zh else
           ["school_code", "school_name", "section", "indicator", "value", "threshold", "gap", "add", "unit"],
           [[r.school_code, r.school_name, r.section, r.indicator, r.value, r.threshold, r.gap, r.add,
             pick(next(i.add_unit for i in inds if i.id == r.indicator), lang)] for r in short.itertuples()] if len(short) else [])
    if rules.has_parts:
        items = [[p, i["id"], i["label"], i["value"], str(i["threshold"]), i["status"]]
                 for p in ("guarantee", "quality", "survey", "vetoes") for i in report.doc["parts"][p]["items"]]
        _sheet(wb, "评估项目" if zh else "items", ["方面", "编号", "内容", "实际值", "标准", "结果"] if zh else
               ["part", "id", "item", "value", "threshold", "status"], items)
    appendix = [[r["school_code"], r["school_name"], r["school_type"], r["location"], r["section"], r["students"],
                 "evaluated" if r["in_scope"] else r["exclusion"]] for r in sec.to_dict("records")]
    _sheet(wb, "学校名单" if zh else "schools", ["学校标识码", "学校名称", "类型", "城乡", "学段", "学生数", "评估状态"] if zh else
           ["school_code", "school_name", "type", "location", "section", "students", "status"], appendix)
    path = Path(path)
    path.write_bytes(deterministic_xlsx(wb))
    return path
