"""What-if change sets (inputs/changes.py): applied before the method, every mistake located."""

import pandas as pd
import pytest

import junheng
from junheng.cli import main
from junheng.inputs.changes import ChangeError

PRIMARY = "9901810001"  # 990181 2024: a primary school of 957 students
NINE = "9901810064"  # a nine-year school (two sections)


@pytest.fixture(scope="module")
def county():
    return junheng.county("990181", 2024)


def _row(c, code, section="primary"):
    s = c.schools
    return s[(s["school_code"] == code) & (s["section"] == section)].iloc[0]


def test_a_delta_recomputes_the_school_and_the_coefficient(county):
    before = _row(county, PRIMARY)
    changed = county.with_changes(
        pd.DataFrame({"school_code": [PRIMARY], "column": ["sports_area_m2"], "delta": [957]})
    )
    after = _row(changed, PRIMARY)
    # 957 m² more for 957 students: exactly 1 m² per student more (R5)
    key = "value_sports_area_per_student"
    assert after[key] == pytest.approx(before[key] + 1)
    cv0 = county.coefficients.set_index(["section", "indicator"]).loc[("primary", "R5"), "cv"]
    cv1 = changed.coefficients.set_index(["section", "indicator"]).loc[("primary", "R5"), "cv"]
    assert cv1 != cv0
    assert changed.changes[0]["before"] + 957 == changed.changes[0]["after"]
    # the original object is unchanged
    assert _row(county, PRIMARY)["value_sports_area_per_student"] == before["value_sports_area_per_student"]


def test_a_new_value_and_a_chinese_column_name(county):
    changed = county.with_changes(
        pd.DataFrame({"school_code": [PRIMARY], "column": ["小学高于规定学历教师数"], "value": [0]})
    )
    assert _row(changed, PRIMARY)["value_qualified_teachers_per100"] == 0
    assert not _row(changed, PRIMARY)["school_passed"]  # R1 at 0 % of 4.2: the school fails


def test_a_section_column_by_its_name_and_section(county):
    before = _row(county, NINE, "junior")
    changed = county.with_changes(
        pd.DataFrame(
            {"school_code": [NINE], "column": ["teachers_qualified"], "delta": [3], "section": ["初中"]}
        )
    )
    after = _row(changed, NINE, "junior")
    assert after["teachers_qualified"] == before["teachers_qualified"] + 3
    assert (
        _row(changed, NINE, "primary")["teachers_qualified"]
        == _row(county, NINE, "primary")["teachers_qualified"]
    )


def test_changes_accumulate(county):
    one = county.with_changes(pd.DataFrame({"school_code": [PRIMARY], "column": ["books"], "delta": [10]}))
    two = one.with_changes(pd.DataFrame({"school_code": [PRIMARY], "column": ["books"], "delta": [5]}))
    assert [a["after"] - a["before"] for a in two.changes] == [10, 5]


@pytest.mark.parametrize(
    "row, code, column",
    [
        ({"school_code": "9999999999", "column": "books", "delta": "1"}, "unknown_school", "school_code"),
        ({"school_code": PRIMARY, "column": "tachers", "delta": "1"}, "unknown_column", "column"),
        (
            {"school_code": PRIMARY, "column": "teachers_qualified_junior", "delta": "1"},
            "not_in_school",
            "column",
        ),
        ({"school_code": PRIMARY, "column": "school_name", "value": "x"}, "not_numeric", "column"),
        ({"school_code": PRIMARY, "column": "books", "delta": "-99999999"}, "negative", "delta"),
        ({"school_code": PRIMARY, "column": "multimedia_rooms", "delta": "0.5"}, "not_integer", "delta"),
        ({"school_code": PRIMARY, "column": "books", "delta": "1", "value": "2"}, "one_amount", "delta"),
        ({"school_code": PRIMARY, "column": "books", "delta": "abc"}, "not_a_number", "delta"),
        ({"school_code": NINE, "column": "teachers_qualified", "delta": "1"}, "section_required", "section"),
        (
            {"school_code": NINE, "column": "sports_area_m2", "delta": "1", "section": "primary"},
            "whole_school",
            "section",
        ),
        (
            {"school_code": PRIMARY, "column": "teachers_qualified_primary", "delta": "500"},
            "rejected",
            "column",
        ),
    ],
)
def test_every_mistake_is_a_located_error(county, tmp_path, row, code, column):
    path = tmp_path / "changes.csv"
    pd.DataFrame([{"school_code": PRIMARY, "column": "books", "delta": "1"}, row]).to_csv(path, index=False)
    with pytest.raises(ChangeError) as err:
        county.with_changes(path)
    [problem] = err.value.problems
    assert problem.code == f"changes.{code}"
    assert (problem.file, problem.row, problem.column) == (str(path), 3, column)  # line 1 is the header
    assert "第3行" in str(err.value)
    en = ChangeError(err.value.problems, "en")
    assert "line 3" in str(en)


def test_an_unknown_csv_column_is_named(county, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("school_code,colum,delta\n9901810001,books,1\n", encoding="utf-8")
    with pytest.raises(ChangeError) as err:
        county.with_changes(path)
    assert {p.column for p in err.value.problems} == {"colum", "column"}


def test_cli_evaluate_with_changes(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("school_code,column,delta\n9901810001,qualified_teachers,1\n", encoding="utf-8")
    where = ["data/sample", "--county", "990181", "--year", "2024"]
    assert main(["evaluate", *where, "--changes", str(path)]) == 2
    assert "第2行" in capsys.readouterr().err
    path.write_text("school_code,column,delta\n9901810001,sports_area_m2,1000\n", encoding="utf-8")
    assert (
        main(
            [
                "evaluate",
                "data/sample",
                "--county",
                "990181",
                "--year",
                "2024",
                "--changes",
                str(path),
                "--json",
            ]
        )
        == 0
    )
    assert main(["evaluate", "data/sample", "--changes", str(path)]) == 2
