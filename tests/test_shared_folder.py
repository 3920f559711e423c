"""A folder read whole once its second county is asked for (junheng.inputs.shared), evaluated at once.

Reading the folder whole must give each county exactly what reading it alone gives (tables, problems,
targets, every result of the engine), a file changed on disk must be read again, and nothing a caller
changes may reach the next call.
"""

import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from junheng.inputs import shared
from junheng.inputs.dataset import load
from junheng.method.evaluate import Evaluation, evaluate
from junheng.method.rules import RuleSet
from junheng.problems import ERROR, Problem

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
TABLES = ("schools", "county", "monitoring", "survey", "survey_responses")


@pytest.fixture(autouse=True)
def _fresh():
    shared.clear()
    yield
    shared.clear()


@pytest.fixture
def folder(tmp_path):
    # 990123 has a county-added column (other headers); 990125 has no county-level sheet
    for code in ("990102", "990121", "990123", "990125"):
        shutil.copy2(SAMPLE / f"{code}_2024.xlsx", tmp_path / f"{code}_2024.xlsx")
    return tmp_path


def _alone(folder, code):
    shared.clear()
    try:
        return load(folder, [code])
    finally:
        shared.clear()


def _same_dataset(a, b):
    for key in TABLES:
        x, y = getattr(a, key), getattr(b, key)
        assert (x is None) == (y is None), key
        if x is not None:
            pd.testing.assert_frame_equal(x, y, check_exact=True)
    assert [p.to_dict("en") for p in a.problems] == [p.to_dict("en") for p in b.problems]
    assert repr(a.targets) == repr(b.targets)


def test_the_first_county_is_read_alone_the_second_from_the_whole_folder(folder):
    first = load(folder, ["990102"])
    assert shared.shared_of(first) is None  # one report reads only its own workbooks
    second = load(folder, ["990121"])
    assert shared.shared_of(second) is not None
    assert set(second.schools["county_code"]) == {"990121"}


@pytest.mark.parametrize("code", ["990121", "990123"])
def test_a_county_of_the_whole_folder_is_what_reading_it_alone_gives(folder, code):
    load(folder, ["990102"])
    ds = load(folder, [code])
    assert shared.shared_of(ds) is not None
    alone = _alone(folder, code)
    _same_dataset(ds, alone)
    if code == "990123":  # its own column, in its own place; the others do not get it
        assert "custom:是否数字校园" in ds.schools.columns
    else:
        assert not any(c.startswith("custom:") for c in ds.schools.columns)


@pytest.mark.parametrize("rules", ["youzhi-2017", "jiben-2012"])
def test_a_county_evaluated_with_the_folder_is_evaluated_as_alone(folder, rules):
    load(folder, ["990102"])
    ds = load(folder, ["990123"])
    ev = evaluate(ds, rules)
    ev_alone = Evaluation(_alone(folder, "990123"), RuleSet(rules))
    assert len(ev.verdicts) == 1
    for name in ("verdicts", "county_years", "schools"):
        pd.testing.assert_frame_equal(getattr(ev, name), getattr(ev_alone, name), check_exact=True)
    for name in ("schools", "cv", "composite", "contributions", "verdict"):
        pd.testing.assert_frame_equal(
            getattr(ev.resource, name), getattr(ev_alone.resource, name), check_exact=True
        )
    assert repr(ev.items.to_dict("split")) == repr(ev_alone.items.to_dict("split"))
    assert ev.county("990123", 2024).to_dict("zh") == ev_alone.county("990123", 2024).to_dict("zh")


def test_a_county_without_a_table_has_none_and_is_evaluated_alone(folder):
    load(folder, ["990102"])
    ds = load(folder, ["990125"])
    assert ds.county is None  # no county-level sheet: no table, as read alone (not an empty one)
    entry, counties = shared.shared_of(ds)
    ev = evaluate(ds)
    alone = _alone(folder, "990125")
    _same_dataset(ds, alone)
    assert entry.evaluations  # the folder was evaluated, but not used for this county
    assert next(iter(entry.evaluations.values())).restricted(ds, counties, ev.rules) is None
    ev_alone = Evaluation(alone, RuleSet("youzhi-2017"))
    assert repr(ev.items.to_dict("split")) == repr(ev_alone.items.to_dict("split"))
    assert ev.items["value"].dtype == ev_alone.items["value"].dtype


def test_a_file_changed_on_disk_is_read_again(folder):
    load(folder, ["990102"])
    before = load(folder, ["990121"])
    assert before.schools.loc[0, "school_name"] == "平川南平村小学"
    path = folder / "990121_2024.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["学校"]["E2"] = "平川改名小学"
    wb.save(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    load(folder, ["990102"])  # a new folder: its first county read alone again
    after = load(folder, ["990121"])
    assert shared.shared_of(after) is not None
    assert after.schools.loc[0, "school_name"] == "平川改名小学"


def test_tables_changed_by_a_caller_do_not_reach_the_next_call(folder):
    load(folder, ["990102"])
    ds = load(folder, ["990123"])
    name = ds.schools.loc[0, "school_name"]
    ds.schools.loc[0, "school_name"] = "changed"
    ds.problems.clear()
    again = load(folder, ["990123"])
    assert again.schools.loc[0, "school_name"] == name != "changed"
    assert again.problems  # the missing-table notes and the targets' notes are there again
    assert [p.to_dict("en") for p in again.problems] == [
        p.to_dict("en") for p in _alone(folder, "990123").problems
    ]


def test_results_changed_by_a_caller_do_not_reach_the_next_call(folder):
    load(folder, ["990102"])
    ev = evaluate(load(folder, ["990121"]))
    cv = ev.resource.cv["cv"].copy()
    ev.resource.cv["cv"] = 99.0
    ev.verdicts["status"] = "changed"
    again = evaluate(load(folder, ["990121"]))
    pd.testing.assert_series_equal(again.resource.cv["cv"], cv)
    assert "changed" not in set(again.verdicts["status"])


def test_a_dataset_changed_after_loading_is_evaluated_itself(folder):
    load(folder, ["990102"])
    ds = load(folder, ["990121"])
    ds.schools.loc[0, "school_name"] = "changed"
    assert shared.shared_of(ds) is None
    assert evaluate(ds).schools.loc[0, "school_name"] == "changed"
    blocked = load(folder, ["990121"])
    blocked.problems.append(Problem(ERROR, "bad_code", county_code="990121", year=2024))
    assert shared.shared_of(blocked) is None
    assert evaluate(blocked).verdicts["status"].tolist() == ["invalid"]  # the new error blocks it
