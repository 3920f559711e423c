"""A report on data with errors says what it knows and no more (fresh eyes: its cover said
"缺少质量监测，0项评估项目因此未评估（）", its source line "（0所学校）" beside 基本情况's 83所, and the
history row "数据有误，无法评估 | 0 | 0 | 无", as if nothing had failed)."""

import shutil
from pathlib import Path

import openpyxl
import pytest

import junheng
from junheng.report import tables
from junheng.report.issue import cover_notice, incomplete_notice, source_line

SAMPLE = Path(__file__).parent.parent / "data" / "sample"


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """990121/2024 with one required cell blank (an error: not evaluated) and no 质量监测 sheet."""
    folder = tmp_path_factory.mktemp("broken")
    path = folder / "990121_2024.xlsx"
    shutil.copy(SAMPLE / path.name, path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["学校"]
    column = [c.value for c in sheet[1]].index("城乡分类") + 1
    sheet.cell(row=2, column=column).value = None
    del wb["质量监测"]
    wb.save(path)
    schools = sum(1 for row in sheet.iter_rows(min_row=2, values_only=True) if row[3])
    return junheng.county("990121", 2024, folder), schools


def test_the_cover_names_the_missing_sheet_without_a_count_of_no_items(broken):
    c, _ = broken
    assert c.invalid
    assert incomplete_notice(c) == "数据不完整，不得报送：缺少质量监测。"
    cover = cover_notice(c)
    assert "缺少质量监测；" in cover and "0项" not in cover and "（）" not in cover


def test_the_source_line_counts_the_schools_read(broken):
    c, schools = broken
    assert schools == 83
    assert source_line(c) == "数据来源：平川县2024年义务教育学校基础数据及县级填报数据（83所学校）。"


def test_the_history_says_nothing_was_counted_for_a_year_not_evaluated(broken):
    c, _ = broken
    assert tables.history(c).data.iloc[-1].tolist() == ["2024", "数据有误，无法评估", "—", "—", "—"]


def test_a_valid_countys_notice_still_counts_its_unassessed_items(tmp_path):
    """Monitoring missing from valid data leaves Q9 and others unassessed: the count and ids stay."""
    path = tmp_path / "990121_2024.xlsx"
    shutil.copy(SAMPLE / path.name, path)
    wb = openpyxl.load_workbook(path)
    del wb["质量监测"]
    wb.save(path)
    c = junheng.county("990121", 2024, tmp_path)
    assert not c.invalid
    notice = incomplete_notice(c)
    assert notice.startswith("数据不完整，不得报送：缺少质量监测；") and "项评估项目因此未评估（Q" in notice
    assert source_line(c).endswith("（83所学校）。")
