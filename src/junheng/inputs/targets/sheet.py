"""The targets sheet (规划目标) of the template, the instructions and the data dictionary.

Its entries in the instructions sheet and the
data dictionary, generated from inputs/targets/measures.yaml like the data tables from schema.yaml.
"""

from __future__ import annotations

from junheng.i18n import pick, t
from junheng.inputs.schema import load_schema
from junheng.inputs.targets.spec import fields, kinds, spec

TYPE_TEXT = {
    "code": {"zh": "6位数字代码（文本）", "en": "6-digit code (text)"},
    "text": {"zh": "文本", "en": "text"},
    "number": {"zh": "数字（比例可写85%）", "en": "number (shares as 85%)"},
    "year": {"zh": "年份", "en": "year"},
    "choice": {"zh": "下拉选择", "en": "choice"},
}


def _choices(key: str, lang: str) -> list[str]:
    """The drop-down values of a field (Chinese labels in the Chinese template, keys otherwise)."""
    enums = load_schema().enums
    if key == "kind":
        return [t(f"targets.kind.{k}", lang) if lang == "zh" else k for k in kinds()]
    if key in ("section", "location", "ownership"):
        return [v["zh"] if lang == "zh" else k for k, v in enums[key].items()]
    if key in ("group", "reference"):
        both = {**enums["location"], **enums["ownership"]}
        return [v["zh"] if lang == "zh" else k for k, v in both.items()]
    if key == "form":
        return [t(f"targets.form.{k}", lang) if lang == "zh" else k for k in spec()["gap_forms"]]
    if key == "part":
        return [t(f"part.{k}", lang) if lang == "zh" else k for k in spec()["parts"]]
    if key == "comparison":
        return list(spec()["comparisons"])
    return []


def describe_field(key: str, lang: str) -> str:
    """A field's type, with its choices."""
    text = pick(TYPE_TEXT[fields()[key]["type"]], lang)
    choices = _choices(key, lang)
    if choices:
        text += ("：" if lang == "zh" else ": ") + "、".join(choices)
    return text


def instruction_rows(lang: str) -> list[list]:
    """Rows of the instructions sheet (sheet, header, key, type, unit, required, description)."""
    sheet = spec()["sheet"]["name"]
    rows = []
    for key, f in fields().items():
        required = ("是" if f["required"] else "否") if lang == "zh" else ("yes" if f["required"] else "no")
        rows.append([sheet, f["zh"], key, describe_field(key, lang), "", required, pick(f["desc"], lang)])
    return rows


def add_targets_sheet(wb, lang: str, lists, rows: int = 200) -> None:
    """An empty targets sheet with documented headers and drop-down lists (kept in ``lists``)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(spec()["sheet"]["name"])
    ws.freeze_panes = "A2"
    first_free = lists.max_column + 1
    fill = PatternFill("solid", fgColor="E2EFDA")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    used_lists = 0
    for j, (key, f) in enumerate(fields().items(), start=1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j, value=f["zh"])
        cell.font = Font(bold=True)
        cell.fill = required_fill if f["required"] else fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(f"{key}\n{describe_field(key, lang)}\n{pick(f['desc'], lang)}", "junheng")
        ws.column_dimensions[letter].width = 30 if key in ("name", "note") else max(12, len(f["zh"]) * 2 + 2)
        if f["type"] == "code":
            for r in range(2, rows + 2):
                ws[f"{letter}{r}"].number_format = "@"
        choices = _choices(key, lang)
        if not choices:
            continue
        list_letter = get_column_letter(first_free + used_lists)
        used_lists += 1
        for r, label in enumerate(choices, start=1):
            lists[f"{list_letter}{r}"] = label
        dv = DataValidation(
            type="list",
            formula1=f"_lists!${list_letter}$1:${list_letter}${len(choices)}",
            allow_blank=True,
            showErrorMessage=key != "comparison",  # 不低于, 不超过 ... are accepted too
            error="请从下拉列表中选择" if lang == "zh" else "Choose from the list",
        )
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}2000")
    ws.row_dimensions[1].height = 45


def dictionary_lines() -> list[str]:
    """The targets section of docs/data-dictionary.md."""
    s = spec()["sheet"]
    lines = [
        f"## {s['zh']} / {s['en']}",
        "",
        f"Excel sheet `{s['name']}` (optional, in any workbook), or `targets.yaml` / `targets/*.yaml` in the "
        "data folder; see docs/targets.md. One row (YAML: one entry of `targets`) per target; the "
        "`measure` fields go under `measure:` in YAML.",
        "",
        "| field | 表头 | in | type | required | 说明 | description |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, f in fields().items():
        lines.append(
            f"| `{key}` | {f['zh']} | {f['in']} | {describe_field(key, 'en')} | "
            f"{'yes' if f['required'] else ''} | {pick(f['desc'], 'zh')} | {pick(f['desc'], 'en')} |"
        )
    lines += ["", "Measure kinds:", ""]
    for key, k in kinds().items():
        quantity = " or ".join(f"`{q}`" for q in k["quantity"]) or "—"
        required = ", ".join(f"`{r}`" for r in k["required"]) or "—"
        optional = ", ".join(f"`{o}`" for o in k["optional"]) or "—"
        lines.append(
            f"- `{key}` ({t(f'targets.kind.{key}', 'zh')}): quantity {quantity}; required {required}; "
            f"optional {optional}; value: {k['value']}"
        )
    comparisons = "; ".join(f"`{op}`: {'、'.join(words)}" for op, words in spec()["comparisons"].items())
    lines += ["", f"Comparisons: {comparisons}.", ""]
    return lines
