"""The Excel workbook for officials (`junheng.report.export`), read back with openpyxl: what an
official who signs it sees (formats, formulas, frozen headers, print setup) and that its numbers
are the report's."""

from pathlib import Path

import pytest
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
    assert {ws.cell(row=r, column=7).value for r in range(2, ws.max_row + 1)} <= {"达到校际标准", "不参评"}
