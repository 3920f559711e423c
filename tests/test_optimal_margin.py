"""The least plan stops at a coefficient's limit: the report says when it leaves one borderline.

The optimal plan (达标测算, docs/optimal.md) adds exactly what brings a failing coefficient under its
limit (Part R, R1–R7 coefficients), so the coefficient it leaves can sit a hair under the limit. A
county reading "使差异系数不超过0.45" would take the amounts as safe; the rules' ``borderline_margin``
(docs/method.md §4) says such a value is borderline, and the plan's sentences now say so.
"""

from types import SimpleNamespace

import pytest

import junheng
from junheng.planning.optimal import _brought_to_the_limit
from junheng.report.optimal import plan_sentences


def test_only_a_coefficient_the_plan_brings_from_failing_to_within_the_margin_is_listed():
    c = SimpleNamespace(rules=SimpleNamespace(options={"borderline_margin": 0.005}))
    before = {
        "cv": {
            ("primary", "R4"): (0.52, 0.50, False),  # failing, brought to 0.498: 0.002 under, listed
            ("primary", "R5"): (0.52, 0.50, False),  # failing, brought to 0.490: 0.010 under, not listed
            ("junior", "R4"): (0.449, 0.45, True),  # borderline already, the plan's doing nothing: not listed
            ("junior", "R5"): (0.47, 0.45, False),  # still failing after: not listed
            ("junior", "R6"): (0.47, 0.45, False),  # exactly 0.005 under: not within the margin
        }
    }
    after = {
        "cv": {
            ("primary", "R4"): (0.498, 0.50, True),
            ("primary", "R5"): (0.490, 0.50, True),
            ("junior", "R4"): (0.449, 0.45, True),
            ("junior", "R5"): (0.46, 0.45, False),
            ("junior", "R6"): (0.4375, 0.4425, True),
        }
    }
    assert _brought_to_the_limit(c, before, after) == [
        {"section": "primary", "indicator": "R4", "cv": 0.498, "limit": 0.50}
    ]
    c.rules.options = {"borderline_margin": 0.02}  # the rules' margin, not a constant
    assert [f["indicator"] for f in _brought_to_the_limit(c, before, after)] == ["R4", "R5", "R6"]


@pytest.fixture(scope="module")
def qingyuan():
    """990181/2024: the least plan brings its junior sports coefficient (R5) from 0.470 to 0.4499976."""
    return junheng.county("990181", 2024)


def test_the_sample_plan_that_stops_at_the_limit_says_it_is_borderline(qingyuan):
    plan = qingyuan.optimal
    assert plan.summary["status"] == "optimal"
    [close] = plan.summary["close"]
    assert (close["section"], close["indicator"], close["limit"]) == ("junior", "R5", 0.45)
    assert 0.45 - 0.005 < close["cv"] <= 0.45
    text = plan_sentences(qingyuan, plan, solver=False)[-1]
    assert text == (
        "按此方案补足后，初中体育场馆差异系数为0.450（限值0.450），与限值相差不足0.005（临界）："
        "数据稍有出入即可能仍不达标，实施时宜在测算量之外留有余量。"
    )
    assert plan.to_dict()["summary"]["close"] == [
        {"section": "junior", "indicator": "R5", "cv": close["cv"], "limit": 0.45}
    ]


def test_the_english_report_says_it_too(qingyuan):
    c = junheng.county("990181", 2024, lang="en")
    assert plan_sentences(c, c.optimal, solver=False)[-1].startswith(
        "With this plan the Junior Sports area coefficient would be 0.450 (limit 0.450), within 0.005"
    )


def test_a_plan_leaving_every_coefficient_clear_of_its_limit_says_nothing_of_it():
    c = junheng.county("990121", 2021)
    plan = c.optimal
    assert plan.summary["status"] == "optimal" and len(plan.rows) and plan.summary["close"] == []
    assert not any("临界" in s for s in plan_sentences(c, plan, solver=False))
