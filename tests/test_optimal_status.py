"""The optimal plan's status (planning/optimal.py, 达标测算): only a proof says least-cost or cannot pass.

SCIP stops at its time limit (plan.yaml `optimal.time_limit`) with or without a plan. Without one
nothing is proved: the county is not told it cannot pass (``not_found``); with one the plan is valid
but not proved least-cost (``best_found``, with the solver's gap). Only SCIP's "infeasible" proves
that no plan passes (``infeasible``, its text unchanged). Part R: R rule 1 (school rule), R rule 2
(coefficients).
"""

import dataclasses
import json
import math

import numpy as np
import pytest
from builders import COUNTY, school, write_tables

import junheng
from junheng.planning import optimal as o
from junheng.report.optimal import plan_sentences, section

PROVED_WORDS = ("无法达标", "无法全部达标", "不能达标", "最低", "费用最低的方案", "已证明最优")


def county(tmp_path, schools, plan_yaml=None, lang="zh"):
    data = write_tables(tmp_path / "data", schools)
    if plan_yaml:
        (data / "plan.yaml").write_text(plan_yaml, encoding="utf-8")
    return junheng.county(COUNTY, 2024, data=data, lang=lang)


def two_missed(tmp_path, plan_yaml=None, lang="zh"):
    # school 0002 misses R4 (400 of 450 m², 89 %) and R5 (700 of 750 m², 93 %): the rule needs one of
    # them met; R5's 50 m² × 400 yuan = 20,000 is the cheaper (test_optimal.py, the first test)
    schools = [
        school("0123450001", students_primary=100),
        school("0123450002", students_primary=100, teaching_space_m2=400, sports_area_m2=700),
        school("0123450003", students_primary=100),
    ]
    return county(tmp_path, schools, plan_yaml, lang)


def no_time(monkeypatch):
    """Every solve with a time limit of 0 s: SCIP stops before it finds any solution."""
    solve = o._solve

    def stopped(m, settings, *args, **kwargs):
        return solve(m, dataclasses.replace(settings, time_limit=0), *args, **kwargs)

    monkeypatch.setattr(o, "_solve", stopped)


def published(c) -> str:
    return " ".join(str(part.data) for part in section(c) if hasattr(part, "data"))


@pytest.mark.parametrize(
    ("scip", "has_solution", "word"),
    [
        ("optimal", True, "optimal"),
        ("timelimit", True, "best_found"),
        ("nodelimit", True, "best_found"),
        ("gaplimit", True, "best_found"),
        ("infeasible", False, "infeasible"),
        ("inforunbd", False, "infeasible"),  # the cost is ≥ 0: not unbounded, so infeasible
        ("timelimit", False, "not_found"),
        ("nodelimit", False, "not_found"),
        ("memlimit", False, "not_found"),
        ("userinterrupt", False, "not_found"),
        ("unknown", False, "not_found"),
    ],
)
def test_only_scip_proofs_give_optimal_or_infeasible(scip, has_solution, word):
    assert o._word(scip, has_solution) == word


@pytest.mark.parametrize(
    ("solver", "relaxed", "passed", "status"),
    [
        ("optimal", False, True, "optimal"),
        ("best_found", False, True, "best_found"),
        ("optimal", False, False, "not_found"),  # rounding left a rule failing: no proof of anything
        ("best_found", False, False, "not_found"),
        ("not_found", False, False, "not_found"),
        ("infeasible", True, False, "infeasible"),
        ("infeasible", True, True, "best_found"),  # the nearest plan passes after all: never "cannot pass"
        ("already_passing", False, True, "already_passing"),
    ],
)
def test_the_plan_status_needs_a_proof(solver, relaxed, passed, status):
    sol = o.Solution(np.zeros(0), solver, 0.0, 0.0, 0.0, 0.0, relaxed)
    assert o.plan_status(sol, passed) == status


def test_a_time_limit_without_any_solution_is_never_reported_as_cannot_pass(monkeypatch, capsys):
    # 990181 2024 fails R rule 2: the junior R5 coefficient is 0.470 (limit 0.45); every school already
    # meets every standard, so "every standard" adds nothing and does not pass. With 0 s SCIP finds no
    # plan: the status is not_found, the plan (nothing) is shown with what it leaves failing
    no_time(monkeypatch)
    c = junheng.county("990181", 2024)
    plan = c.optimal
    s = plan.summary
    assert s["status"] == "not_found" and s["solver_status"].startswith("timelimit")
    assert not s["verified"] and not s["least_proved"] and s["total_cost"] == 0
    assert math.isnan(s["bound"]) and math.isnan(s["gap"])
    [failing] = plan.failing
    assert (failing["section"], failing["indicator"], failing["limit"]) == ("junior", "R5", 0.45)
    assert round(failing["cv"], 3) == 0.470
    assert s["status_text"] == "求解时限内未找到达标方案（不能据此断定无法达标），以下方案尚未全部达标"
    cli = " ".join(plan_sentences(c, plan))
    report = published(c)
    assert "在测算时限内未找到全部达标的方案（不能据此断定无法达标）" in report
    assert "该方案总费用0.00万元" in report and "该方案尚未达标的：初中R5 0.470" in report
    for text in (cli, report):
        # "不能据此断定无法达标" (does not show it cannot pass) is the only mention of 无法达标
        rest = text.replace("不能据此断定无法达标", "")
        assert not any(word in rest for word in PROVED_WORDS), text
        assert "节省" not in text  # no saving against "every standard" for a plan that does not pass
    doc = json.loads(json.dumps(plan.to_dict()))
    assert doc["summary"]["status"] == "not_found" and doc["summary"]["bound"] is None
    # the rectification plan takes no amount from a plan that does not pass (planning/needs.py)
    from junheng.planning.needs import _optimal_rows

    assert _optimal_rows(c) is None
    en = junheng.county("990181", 2024, lang="en")
    text = " ".join(plan_sentences(en, en.optimal)) + published(en)
    assert "no passing plan found within the time limit (this does not show that none exists)" in text
    assert "Not passing with this plan" in text
    assert "cannot pass" not in text and "Least" not in text and "not possible" not in text


def test_the_command_line_exits_1_and_says_not_found(monkeypatch, capsys):
    from junheng.cli import main

    no_time(monkeypatch)
    assert main(["plan", "data/sample", "--county", "990181", "--year", "2024", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["status"] == "not_found" and doc["summary"]["verified"] is False


def test_a_time_limit_with_a_passing_fallback_is_a_valid_unproved_plan(tmp_path):
    # 0 s, no solution from SCIP: meeting every standard (R4 50 m² + R5 50 m² = 175,000 + 20,000) passes,
    # and trimming it keeps the R5 50 m² (20,000 yuan); valid, not proved least-cost, no gap known
    c = two_missed(tmp_path, "optimal:\n  time_limit: 0\n")
    plan = c.optimal
    s = plan.summary
    assert s["status"] == "best_found" and s["verified"] and not s["least_proved"]
    assert plan.rows[["school_code", "indicator", "quantity"]].values.tolist() == [["0123450002", "R5", 50.0]]
    assert s["total_cost"] == 20000 and s["full_cost"] == 195000
    assert s["status_text"] == "求解时限内的最好方案（未证明最优）"
    assert "timelimit" in s["solver_status"]
    report = published(c)
    assert "经测算，以下为费用较低的方案（未能确认费用最低）。总费用2.00万元" in report
    assert "最低总费用" not in report and "无法" not in report
    assert "最低总费用" not in " ".join(plan_sentences(c, plan))


def test_a_feasible_unproved_solver_solution_is_used_with_its_gap(tmp_path, monkeypatch):
    # SCIP stops at its limit with a plan and a gap of 5 %: the plan is used as it is and labelled
    solve = o._solve

    def stopped(*args, **kwargs):
        sol = solve(*args, **kwargs)
        sol.status, sol.solver_status, sol.gap = "best_found", "timelimit", 0.05
        return sol

    monkeypatch.setattr(o, "_solve", stopped)
    c = two_missed(tmp_path)
    plan = c.optimal
    s = plan.summary
    assert s["status"] == "best_found" and s["verified"] and s["gap"] == 0.05
    assert plan.rows[["school_code", "indicator", "quantity"]].values.tolist() == [["0123450002", "R5", 50.0]]
    assert s["status_text"] == "求解时限内的最好方案（未证明最优，与最优值的相对差距至多5.0%）"
    report = published(c)
    assert "以下为费用较低的方案（未能确认费用最低，与最低费用的相对差距至多5.0%）。总费用2.00万元" in report
    assert "最低总费用" not in report
    cli = " ".join(plan_sentences(c, plan))
    assert "最低总费用" not in cli and "相对差距5.0%" in cli
    en = two_missed(tmp_path / "en", lang="en")
    text = " ".join(plan_sentences(en, en.optimal, solver=False))
    assert "not confirmed least-cost; at most 5.0% above the least cost" in text
    assert "Total cost 20,000 yuan" in text and "Least" not in text


def test_the_excel_sheet_of_an_unproved_plan_says_so_above_its_rows(tmp_path):
    from openpyxl import load_workbook

    c = two_missed(tmp_path, "optimal:\n  time_limit: 0\n")
    ws = load_workbook(c.to_excel(tmp_path / "x.xlsx"))["达标测算"]
    assert ws.cell(1, 1).value == "达标测算：经测算，以下为费用较低的方案（未能确认费用最低）。"
    assert ws.cell(2, 1).value == "学校标识码" and ws.cell(3, 1).value == "0123450002"


def test_a_proved_infeasible_county_keeps_its_text(tmp_path):
    # R5 at 500 of 750 m² (67 %, below 85 %) and no sports ground allowed there: SCIP proves it
    c = county(
        tmp_path,
        [
            school("0123450001", students_primary=100),
            school("0123450002", students_primary=100, sports_area_m2=500, multimedia_rooms=2),
            school("0123450003", students_primary=100),
        ],
        'optimal:\n  caps:\n    "0123450002": {sports_ground: 0}\n',
    )
    plan = c.optimal
    assert plan.summary["status"] == "infeasible" and plan.summary["least_proved"]
    assert plan.summary["solver_status"] == "infeasible; nearest plan: optimal"
    assert plan_sentences(c, plan, solver=False) == [
        "达标测算：在现有条件下无法全部达标，以下为最接近达标的方案。最低总费用0.00万元（经常性支出按5年计），"
        "比每校每项指标全部达标的16.00万元节省16.00万元。",
        "在现有限制下仍不能达标：学校0002。",
    ]
    first = plan_sentences(c, plan)[0]
    assert first.startswith("达标测算：在现有限制下无法达标，以下为最接近的方案。最低总费用0.00万元")
