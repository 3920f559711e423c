"""The Excel workbook for officials (`junheng.report.export`), read back with openpyxl: what an
official who signs it sees (formats, formulas, frozen headers, print setup) and that its numbers
are the report's."""

import datetime
import re
from pathlib import Path

import pandas as pd
import pytest
from builders import recode_sample
from openpyxl import load_workbook

import junheng

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"


def workbook(tmp_path, code="990121", year=2024, data_only=False, **kw):
    c = junheng.county(code, year, SAMPLE, **kw)
    path = c.to_excel(tmp_path / f"{code}_{year}_{kw.get('rules', '')}{kw.get('lang', '')}.xlsx")
    return c, load_workbook(path, data_only=data_only)


def test_the_2012_rules_write_a_workbook(tmp_path):
    # jiben-2012 sets no per-school rule: the schools sheet must not ask whether a school passes it
    c, wb = workbook(tmp_path, "990126", rules="jiben-2012")
    ws = wb["学校名单"]
    assert ws.max_row == len(c.schools) + 1
    assert {ws.cell(row=r, column=7).value for r in range(2, ws.max_row + 1)} <= {
        "资源配置达到校际标准",
        "不参评",
    }


# -- the workbook an official opens and signs ------------------------------------------------------
CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")
CODES = re.compile(
    r"^(primary|junior|pass|fail|not_assessed|excluded|rural|urban|town|public|private|"
    r"required|recommended|one_off|per_year|True|False|TRUE|FALSE|nan|None|NaN)$"
)


@pytest.fixture(scope="module")
def pingchuan(tmp_path_factory):
    """990121 of 2024 (fails on four schools: a plan with one-off and yearly costs), in Chinese:
    the county, its workbook with formulas and the same workbook as a non-calculating reader sees it."""
    c = junheng.county("990121", 2024, SAMPLE, report_date="2025-01-15")  # deadlines count from it
    path = c.to_excel(tmp_path_factory.mktemp("xlsx") / "990121_2024.xlsx")
    return c, load_workbook(path), load_workbook(path, data_only=True)


@pytest.fixture(scope="module")
def yunling_en(tmp_path_factory):
    """990126 of 2024 (has plan targets) in English."""
    c = junheng.county("990126", 2024, SAMPLE, lang="en")
    return c, load_workbook(c.to_excel(tmp_path_factory.mktemp("xlsx") / "990126_2024_en.xlsx"))


def headers(ws, row=1) -> dict:
    """header text → column letter."""
    return {cell.value: cell.column_letter for cell in ws[row] if cell.value is not None}


def column(ws, header, first, last, row=1):
    letter = headers(ws, row)[header]
    return [ws[f"{letter}{r}"] for r in range(first, last + 1)]


def visual(text) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def test_summary_comes_first_without_a_filter_and_words_its_vetoes(pingchuan):
    c, wb, _ = pingchuan
    assert wb.sheetnames[:2] == ["总览", "整改计划"]
    summary = wb["总览"]
    assert summary.auto_filter.ref is None
    fields = {summary[f"A{r}"].value: summary[f"B{r}"].value for r in range(2, summary.max_row + 1)}
    vetoes = {k: v for k, v in fields.items() if k.startswith("一票否决：")}
    assert len(vetoes) == len(c.items[c.items["part"] == "vetoes"]) == 5
    assert set(vetoes.values()) <= {"存在", "不存在", "未填报"}
    assert fields["自评结果"] == "尚未达到县域义务教育优质均衡发展要求（自评）"
    assert fields["学校数（所）"] == int(c.profile["schools"].sum())
    # every other sheet is a table of records: it has a filter over its header row
    for ws in wb.worksheets[1:]:
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A"), ws.title


def test_plan_costs_are_formulas_totalled_by_cost_type(pingchuan):
    c, wb, values = pingchuan
    plan, ws, shown = c.plan, wb["整改计划"], values["整改计划"]
    first, last = 3, 2 + len(plan)
    cols = headers(ws, 2)
    q, p, kind, cost = cols["数量"], cols["单价"], cols["费用类型"], cols["估算费用（元）"]
    for i, r in enumerate(plan.itertuples()):
        row = first + i
        assert ws[f"{cost}{row}"].value == f'=IF(OR({q}{row}="",{p}{row}=""),"",ROUND({q}{row}*{p}{row},0))'
        assert ws[f"{cost}{row}"].number_format == "#,##0"
        # the formula's stored result is the plan's cost (what a previewer shows)
        assert shown[f"{cost}{row}"].value == (None if pd.isna(r.cost) else int(r.cost))
        assert ws[f"{kind}{row}"].value == ("每年" if r.recurring else "一次性")
        if pd.isna(r.quantity) or float(r.quantity).is_integer():
            assert isinstance(ws[f"{q}{row}"].value, int) and ws[f"{q}{row}"].number_format.startswith(
                "#,##0"
            )
        else:  # an optimum's amount in m² (419.30): two decimals shown, never rounded to 419
            assert ws[f"{q}{row}"].value == r.quantity and ws[f"{q}{row}"].number_format.startswith(
                "#,##0.00"
            )
        assert ws[f"{q}{row}"].number_format.endswith(f'"{r.quantity_unit}"')
        if not pd.isna(r.unit_cost):
            assert ws[f"{p}{row}"].number_format.endswith(f'"{r.cost_unit}"')
    # two totals under the table, one per cost type, never added together
    one_off, per_year = last + 2, last + 3
    assert ws[f"A{one_off}"].value == "合计：一次性投入（元）"
    assert ws[f"A{per_year}"].value == "合计：每年经常性费用（元/年）"
    costs = plan.dropna(subset=["cost"])
    expected = {
        one_off: int(costs.loc[~costs["recurring"].astype(bool), "cost"].sum()),
        per_year: int(costs.loc[costs["recurring"].astype(bool), "cost"].sum()),
    }
    assert all(expected.values())  # the sample has both kinds
    for row, total in expected.items():
        kinds, costs_ = f"${kind}${first}:${kind}${last}", f"${cost}${first}:${cost}${last}"
        assert ws[f"{cost}{row}"].value == f"=SUMIF({kinds},{kind}{row},{costs_})"
        assert shown[f"{cost}{row}"].value == total
        assert ws[f"{cost}{row}"].number_format == "#,##0"
    assert ws.max_row == per_year
    # recomputing the SUMIFs from the rows' stored results gives the stored totals
    for row in expected:
        word = ws[f"{kind}{row}"].value
        assert (
            sum(
                shown[f"{cost}{r}"].value or 0
                for r in range(first, last + 1)
                if ws[f"{kind}{r}"].value == word
            )
            == shown[f"{cost}{row}"].value
        )
    assert wb.calculation.fullCalcOnLoad


def test_plan_has_a_note_row_dates_and_text_codes(pingchuan):
    c, wb, _ = pingchuan
    ws = wb["整改计划"]
    # the note above the header says the costs use illustrative unit costs (they do in the sample)
    assert c.plan["illustrative"].any()
    assert "示例单价" in ws["A1"].value and "plan.yaml" in ws["A1"].value
    assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2" and ws.auto_filter.ref.startswith("A2:")
    last = 2 + len(c.plan)
    deadlines = column(ws, "完成时限", 3, last, row=2)
    for cell, text in zip(deadlines, c.plan["deadline"], strict=True):
        assert isinstance(cell.value, datetime.datetime), (cell.coordinate, cell.value)
        assert cell.is_date and cell.number_format == 'yyyy"年"m"月"d"日"'
        year, month = map(int, text.split("-")[:2])
        assert (cell.value.year, cell.value.month) == (year, month)
    assert {c.value.date() for c in deadlines} >= {datetime.date(2025, 9, 30), datetime.date(2026, 8, 31)}
    codes = column(ws, "学校标识码", 3, last, row=2)
    for cell, code in zip(codes, c.plan["school_code"].fillna(""), strict=True):
        assert cell.number_format == "@"
        assert (cell.value or "") == code and (cell.value is None or cell.data_type == "s")


def test_leading_zeros_of_codes_survive(tmp_path):
    data = recode_sample(SAMPLE / "990121_2024.xlsx", tmp_path / "data")
    c = junheng.county("012345", 2024, data)
    wb = load_workbook(c.to_excel(tmp_path / "012345.xlsx"))
    assert "（012345）" in wb["总览"]["B2"].value
    for title, row in (("整改计划", 2), ("学校指标", 1), ("补短板清单", 1), ("学校名单", 1)):
        ws = wb[title]
        # the plan ends with a blank row and two totals
        last = ws.max_row - 3 if title == "整改计划" else ws.max_row
        codes = [cell for cell in column(ws, "学校标识码", row + 1, last, row) if cell.value is not None]
        assert codes, title
        assert all(
            cell.data_type == "s"
            and cell.value.startswith("012345")
            and len(cell.value) == 10
            and cell.number_format == "@"
            for cell in codes
        ), title


def test_number_formats_of_the_2012_sheet_and_coefficients(pingchuan):
    _, wb, _ = pingchuan
    ws = wb["2012年办法"]
    cols = headers(ws)
    for r in range(2, ws.max_row + 1):
        cv = ws[f"{cols['差异系数']}{r}"]
        assert isinstance(cv.value, float) and cv.number_format == "0.000", cv.coordinate
        mean = ws[f"{cols['县域均值']}{r}"]
        if mean.value is not None:
            # the unit is shown after the number
            assert mean.number_format != "General" and mean.number_format.endswith('"'), mean.coordinate
        if ws[f"{cols['指标']}{r}"].value == "综合差异系数":
            assert ws[f"{cols['综合差异系数标准']}{r}"].number_format == "0.00"
            assert ws[f"{cols['结果']}{r}"].value in ("达标", "未达标")
    ws = wb["差异系数"]
    cols = headers(ws)
    assert all(ws[f"{cols['差异系数']}{r}"].number_format == "0.000" for r in range(2, ws.max_row + 1))
    assert all(ws[f"{cols['标准差']}{r}"].number_format.endswith('"') for r in range(2, ws.max_row + 1))


def test_targets_show_shares_as_percentages(tmp_path):
    c = junheng.county("990126", 2024, SAMPLE)
    wb = load_workbook(c.to_excel(tmp_path / "990126.xlsx"))
    ws = wb["规划目标"]
    cols = headers(ws)
    assert len(cols) == ws.max_column == 8
    seen = set()
    for r in range(2, ws.max_row + 1):
        measure = ws[f"{cols['测量内容']}{r}"].value
        assert ws[f"{cols['年度']}{r}"].number_format == "0"
        for header in ("实际值", "目标值"):
            cell = ws[f"{cols[header]}{r}"]
            if measure.startswith("教师交流轮岗"):  # G11, a share: in %, one decimal
                assert cell.number_format == "0.0%" and 0 < cell.value < 1
                seen.add("percent")
            elif measure.startswith("班额"):  # G5, schools with oversized classes: whole 所
                assert cell.number_format == '#,##0"所"'
                seen.add("count")
            elif isinstance(cell.value, str):
                assert cell.value in ("是", "否")
    assert seen == {"percent", "count"}


def test_every_sheet_is_set_up_for_print_and_reading(pingchuan):
    _, wb, _ = pingchuan
    for ws in wb.worksheets:
        header = 2 if ws.title in ("整改计划", "附表 学校原始数据") else 1  # sheets with a note row
        assert ws.freeze_panes == f"A{header + 1}", ws.title
        assert ws.print_title_rows == f"${header}:${header}", ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert all(cell.font.b for cell in ws[header] if cell.value is not None), ws.title
        for row in ws.iter_rows(min_row=header + 1):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not CODES.match(cell.value), (ws.title, cell.coordinate, cell.value)
                elif isinstance(cell.value, bool):
                    raise AssertionError((ws.title, cell.coordinate, "boolean cell"))
                elif isinstance(cell.value, (int, float)):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
    # column widths fit the content, a Chinese character counting two
    ws = wb["学校名单"]
    names = column(ws, "学校名称", 2, ws.max_row)
    longest = max(visual(cell.value) for cell in names)
    assert longest > 2 * 8
    assert ws.column_dimensions[names[0].column_letter].width >= min(48, longest)
    assert ws.column_dimensions["A"].width >= len("9901210001")
    # units in the headers of numeric columns
    assert {"学生数（人）", "估算费用（元）"} <= set(headers(ws)) | set(headers(wb["整改计划"], 2))
    assert all("（" in h for h in headers(wb["学校指标"]) if h.startswith("R"))


def test_english_workbook(yunling_en):
    c, wb = yunling_en
    assert wb.sheetnames[:2] == ["Summary", "Rectification plan"]
    assert wb["Summary"].auto_filter.ref is None
    for ws in wb.worksheets:
        assert not CJK.search(ws.title)
        header = 2 if ws.title == "Rectification plan" else 1
        for cell in ws[header]:
            assert cell.value is None or not CJK.search(cell.value), (ws.title, cell.coordinate, cell.value)
        if header == 2:
            assert not CJK.search(ws["A1"].value) and ws["A1"].value.startswith("Note: ")
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(min_row=2)}
    assert summary["Self-assessment"] == "high-quality balance not yet reached (self-assessment)"
    assert summary["County"] == "云岭县 (990126)"  # ASCII brackets around the code
    assert {v for k, v in summary.items() if k.startswith("Veto: ")} <= {"clear", "applies", "not answered"}
    # labels of a column of words are English words, whole (no label cut at a comma)
    plan = wb["Rectification plan"]
    cols = headers(plan, 2)
    kinds = {plan[f"{cols['Cost type']}{r}"].value for r in range(3, 3 + len(c.plan))}
    assert kinds <= {"one-off", "per year"}
    assert plan[f"A{len(c.plan) + 4}"].value == "Total, one-off (yuan)"
    assert plan[f"{cols['Deadline']}3"].number_format == "yyyy-mm-dd"
    coef = wb["Coefficients"]
    indicators = [cell.value for cell in column(coef, "Indicator", 2, coef.max_row)]
    assert "R3 PE and art (music, fine arts) teachers per 100 students" in indicators
    for title, header in (
        ("Coefficients", "Section"),
        ("Coefficients", "Met"),
        ("Schools", "Location"),
        ("History", "Vetoes"),
        ("Items and evidence", "Result"),
    ):
        ws = wb[title]
        for cell in column(ws, header, 2, ws.max_row):
            ok = cell.value is None or (not CJK.search(cell.value) and not CODES.match(cell.value))
            assert ok, (title, cell.value)
    targets = wb["Plan targets"]
    cols = headers(targets)
    assert len(cols) == targets.max_column == 8 and {"Target", "Target value"} <= set(cols)
    assert all(isinstance(targets[f"{cols['Target']}{r}"].value, str) for r in range(2, targets.max_row + 1))


def test_labels_are_parallel_zh_en_pairs():
    """Every label the workbook reads is a {zh, en} pair: an unquoted comma in a YAML flow mapping
    cuts the English text and leaks the rest as a key (``en: PE and art (music, fine arts) ...``)."""
    import yaml

    locale = Path(junheng.__file__).parent / "locale"
    rules = sorted((locale.parent / "method" / "rules").glob("*.yaml"))
    files = [locale / "report.yaml", locale / "targets.yaml", *rules]
    bad = []

    def walk(node, where):
        if isinstance(node, dict):
            if "zh" in node or "en" in node:
                if set(node) != {"zh", "en"}:
                    bad.append((where, sorted(map(str, node))))
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    for f in files:
        walk(yaml.safe_load(f.read_text(encoding="utf-8")), f.name)
    assert not bad


def test_a_drafts_workbook_says_it_is_a_draft(pingchuan, tmp_path):
    """Review: a draft's workbook had no draft mark (no 状态 row, 草稿 nowhere), and its 总览 read
    "社会认可度：达标：1项均达标". The 总览 has a 状态 row (草稿 / 正式), every sheet's page header
    says 草稿, and each part's row names what its verdict rests on, as the report does."""
    c, wb, _ = pingchuan
    assert not c.final
    summary = wb["总览"]
    fields = {summary[f"A{r}"].value: summary[f"B{r}"].value for r in range(2, summary.max_row + 1)}
    assert fields["状态"] == "草稿"
    rows = list(fields)
    assert rows.index("状态") == rows.index("自评结果") + 1
    for ws in wb.worksheets:
        assert ws.oddHeader.right.text == "草稿", ws.title
    assert "1项均达标" not in fields["社会认可度"] and "认可度" in fields["社会认可度"]
    final = junheng.county("990126", 2024, SAMPLE, final=True)
    book = load_workbook(final.to_excel(tmp_path / "final.xlsx"))
    fields = {r[0].value: r[1].value for r in book["总览"].iter_rows(min_row=2)}
    assert fields["状态"] == "正式"
    assert not book["总览"].oddHeader.right.text


def test_the_english_mean_columns_name_the_tier_of_the_county(tmp_path, yunling_en):
    """Review: 清源市 (990181) is a city; its English workbook headed the means "County mean", where its
    report's tables say "City mean". The Chinese header stays 县域均值 (the method's term)."""
    city, wb = workbook(tmp_path, "990181", lang="en")
    assert city.name == "清源市"
    for title in ("Coefficients", "2012 rules"):
        assert "City mean" in headers(wb[title]) and "County mean" not in headers(wb[title]), title
    _, wb = yunling_en  # 云岭县, a county
    assert "County mean" in headers(wb["Coefficients"]) and "County mean" in headers(wb["2012 rules"])
    _, wb = workbook(tmp_path, "990181")
    assert "县域均值" in headers(wb["差异系数"]) and "县域均值" in headers(wb["2012年办法"])
