"""Data given twice (a copy of the folder inside itself) is a data error, said as `evaluate` says it
(fresh eyes: `junheng narrative` and the report's kernel failed on pandas' InvalidIndexError in
`County.schools`, and `junheng plan` said nothing needed adding)."""

import shutil
from pathlib import Path

import pytest

import junheng
from junheng.cli import main

SAMPLE = Path(__file__).parent.parent / "data" / "sample"


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """990123/2024's workbook in a folder and again in a subfolder of it."""
    folder = tmp_path_factory.mktemp("twice")
    (folder / "sample").mkdir()
    for where in (folder, folder / "sample"):
        shutil.copy(SAMPLE / "990123_2024.xlsx", where)
    return folder


def test_the_county_of_twice_given_data_is_invalid_with_its_schools_listed(twice):
    """The report of such data is the report of invalid data (its kernel no longer fails)."""
    c = junheng.county("990123", 2024, twice)
    assert c.invalid
    assert c.counts["schools"] == 0  # no verdict: no school evaluated (was InvalidIndexError)
    assert (c.problems["severity"] == "error").any()


def test_narrative_says_the_data_errors_and_writes_nothing(twice, capsys):
    out = twice / "text.md"
    assert main(["narrative", str(twice), "--county", "990123", "--year", "2024", "--out", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"[错误] {twice / 'sample' / '990123_2024.xlsx'} › 工作表“学校”")
    assert "重复" in err[0]
    assert err[-1] == (
        f"数据有误，未写出县级填写部分模板：请先改正上列错误（junheng validate {twice} 列出全部数据问题）。"
    )
    assert not out.exists()


def test_plan_says_the_data_errors_not_that_nothing_is_needed(twice, capsys):
    assert main(["plan", str(twice), "--county", "990123", "--year", "2024", "--lang", "en"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith("[error] ") and "duplicates" in lines[0]
    assert lines[-1].startswith("The data have errors: no plan can be made.")
