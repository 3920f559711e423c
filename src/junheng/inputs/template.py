"""`junheng template OUT.xlsx`: an empty, documented workbook, and the data dictionary.

`junheng template OUT.xlsx`: an empty, documented workbook generated from schema.yaml, and the Markdown data
dictionary (docs/data-dictionary.md) from the same source.
"""

from __future__ import annotations

from pathlib import Path

from junheng.i18n import pick
from junheng.inputs.schema import Column, load_schema
from junheng.inputs.targets.sheet import add_targets_sheet, dictionary_lines, instruction_rows

TYPE_TEXT = {
    "code": {"zh": "{length}位数字代码（文本）", "en": "{length}-digit code (text)"},
    "text": {"zh": "文本", "en": "text"},
    "int": {"zh": "非负整数", "en": "whole number ≥ 0"},
    "number": {"zh": "非负数", "en": "number ≥ 0"},
    "year": {"zh": "年份", "en": "year"},
    "enum": {"zh": "下拉选择", "en": "choice"},
    "rating": {"zh": "等级Ⅰ-Ⅳ", "en": "level I-IV"},
}
INSTRUCTIONS = {
    "zh": [
        "填写说明",
        "每个县（市、区）每个年度填写一个工作簿；文件名建议为“县级代码_年度.xlsx”，如 990101_2024.xlsx。",
        "“学校”工作表每所学校一行（含特殊教育学校、教学点）；一贯制学校分学段填写学生和教师数，校舍、场地、设备等按全校填写，由系统按学生数加权分摊。",
        "代码列请保留前导零（单元格已设为文本格式）。表头中括号内为单位；教学仪器设备值可写“万元”，系统自动换算为元。",
        "“县级指标”“质量监测”“问卷汇总”“问卷答卷”工作表为可选：缺少时相应指标标为“数据缺失，未评估”，不会视为达标。",
        "必填列标注为“是”。带下拉列表的列请从列表中选择。",
        "“规划目标”工作表为可选：填写本县行动计划中可量化的目标（每行一个），系统逐年评估完成进度；"
        "也可在数据文件夹中放置 targets.yaml。",
    ],
    "en": [
        "Instructions",
        "One workbook per county and year; name it COUNTYCODE_YEAR.xlsx, e.g. 990101_2024.xlsx.",
        "The schools sheet has one row per school (special schools and teaching points included); "
        "combined schools give students and teachers per section and whole-school facilities, "
        "which are split by weighted students.",
        "Keep leading zeros in codes (the cells are text). Units are in the headers; "
        "equipment may be given in 万元 and is converted to yuan.",
        "The county, monitoring and survey sheets are optional: "
        "without them the items they feed are 'not assessed', never passed.",
        "Required columns are marked. Choose enumerations from the drop-down lists.",
        "The plan-targets sheet (规划目标) is optional: one measurable target of the county's action plan "
        "per row, whose progress is evaluated year by year; a targets.yaml in the data folder works too.",
    ],
}


def describe_type(col: Column, lang: str) -> str:
    """A column's type in words, with the accepted values of an enumeration."""
    text = pick(TYPE_TEXT[col.type], lang).format(length=col.length)
    if col.type == "enum":
        choices = load_schema().enums[col.enum]
        text += "：" if lang == "zh" else ": "
        text += "、".join(pick(v, lang) for v in choices.values())
    return text


def write_template(path: str | Path, lang: str = "zh") -> Path:
    """Write the empty input workbook to ``path``; returns the path."""
    wb = build_template(lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build_template(lang: str = "zh", rows: int = 200):
    """The template as an openpyxl Workbook (the sample generator fills the same workbook)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    schema = load_schema()
    wb = Workbook()
    info = wb.active
    info.title = "说明" if lang == "zh" else "instructions"
    for line in INSTRUCTIONS[lang]:
        info.append([line])
    info["A1"].font = Font(bold=True, size=14)
    info.append([])
    head = (
        ["工作表", "列名（表头）", "英文列名", "类型", "单位", "必填", "说明"]
        if lang == "zh"
        else ["Sheet", "Header", "Column", "Type", "Unit", "Required", "Description"]
    )
    info.append(head)
    for cell in info[info.max_row]:
        cell.font = Font(bold=True)
    for table in schema.tables.values():
        for col in table.columns.values():
            info.append(
                [
                    table.sheet,
                    col.header,
                    col.key,
                    describe_type(col, lang),
                    col.unit or "",
                    ("是" if col.required else "否") if lang == "zh" else ("yes" if col.required else "no"),
                    pick(col.desc, lang),
                ]
            )
    for row in instruction_rows(lang):
        info.append(row)
    for letter, width in zip("ABCDEFG", (12, 30, 34, 40, 10, 8, 50), strict=True):
        info.column_dimensions[letter].width = width

    lists = wb.create_sheet("_lists")
    list_ranges = {}
    for i, (name, values) in enumerate(schema.enums.items(), start=1):
        letter = get_column_letter(i)
        labels = [v["zh"] if lang == "zh" else k for k, v in values.items()]
        for row, label in enumerate(labels, start=1):
            lists[f"{letter}{row}"] = label
        list_ranges[name] = f"_lists!${letter}$1:${letter}${len(labels)}"
    lists.sheet_state = "hidden"

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    for table in schema.tables.values():
        ws = wb.create_sheet(table.sheet)
        ws.freeze_panes = "A2"
        for j, col in enumerate(table.columns.values(), start=1):
            letter = get_column_letter(j)
            cell = ws.cell(row=1, column=j, value=col.header)
            cell.font = Font(bold=True)
            cell.fill = required_fill if col.required else header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.comment = Comment(
                f"{col.key}\n{describe_type(col, lang)}\n{pick(col.desc, lang)}", "junheng"
            )
            ws.column_dimensions[letter].width = max(12, min(28, len(col.header) * 2))
            cells = f"{letter}2:{letter}2000"
            if col.type == "code":
                for r in range(2, rows + 2):
                    ws[f"{letter}{r}"].number_format = "@"
            if col.type in ("enum", "rating"):
                dv = DataValidation(
                    type="list",
                    formula1=list_ranges[col.enum or "rating"],
                    allow_blank=not col.required,
                    showErrorMessage=True,
                    error="请从下拉列表中选择" if lang == "zh" else "Choose from the list",
                )
            elif col.type in ("int", "number"):
                dv = DataValidation(
                    type="whole" if col.type == "int" else "decimal",
                    operator="greaterThanOrEqual",
                    formula1="0",
                    allow_blank=True,
                    showErrorMessage=True,
                    error="请填写非负数" if lang == "zh" else "Enter a number ≥ 0",
                )
            elif col.type == "year":
                dv = DataValidation(
                    type="whole", operator="between", formula1="1949", formula2="2100", allow_blank=True
                )
            else:
                continue
            ws.add_data_validation(dv)
            dv.add(cells)
        ws.row_dimensions[1].height = 45
    add_targets_sheet(wb, lang, lists, rows)
    return wb


def data_dictionary(lang: str = "zh") -> str:
    """The data dictionary in Markdown (kept in docs/data-dictionary.md; a test checks it is current)."""
    schema = load_schema()
    lines = [
        "# 数据字典 / Data dictionary",
        "",
        "Generated from `src/junheng/inputs/schema.yaml` and `src/junheng/inputs/targets/measures.yaml` by "
        "`junheng dictionary`; do not edit by hand.",
        "",
    ]
    for table in schema.tables.values():
        lines += [
            f"## {table.zh} / {table.en}",
            "",
            f"Excel sheet `{table.sheet}`; table file `{table.file}.csv` or `{table.file}.parquet`; "
            f"key: {', '.join(table.key_columns)}.",
            "",
            "| column | 表头 | type | unit | required | 说明 | description |",
            "|---|---|---|---|---|---|---|",
        ]
        for col in table.columns.values():
            lines.append(
                f"| `{col.key}` | {col.header} | {describe_type(col, 'en')} | {col.unit or ''} | "
                f"{'yes' if col.required else ''} | {pick(col.desc, 'zh')} | {pick(col.desc, 'en')} |"
            )
        lines.append("")
    lines += dictionary_lines()
    lines += ["## Enumerations", ""]
    for name, values in schema.enums.items():
        lines.append(f"- `{name}`: " + ", ".join(f"`{k}` = {v['zh']} ({v['en']})" for k, v in values.items()))
    lines.append("")
    return "\n".join(lines)
