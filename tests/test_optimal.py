"""The optimal plan (planning/optimal.py, 达标测算): hand-built counties and the failing samples.

Part R: school rule (R rule 1: ≥ 6 of 7 at standard, the other ≥ 85 %) and coefficients (R rule 2).
"""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from builders import COUNTY, every_county_kept, school, write_tables

import junheng
from junheng.planning import optimal as o
from junheng.planning.config import PlanConfigError, load_config


@pytest.fixture(scope="module", autouse=True)
def _evaluated_once():
    """Each of the sample's counties evaluated once for this file (`builders.every_county_kept`)."""
    with every_county_kept():
        yield


TEACHER = 100000 * 5  # the default unit cost of a teacher post, over the default 5-year horizon


def county(tmp_path, schools, plan_yaml=None):
    data = write_tables(tmp_path / "data", schools)
    if plan_yaml:
        (data / "plan.yaml").write_text(plan_yaml, encoding="utf-8")
    return junheng.county(COUNTY, 2024, data=data)


def brute_force(m, settings, ranges):
    """The least weighted cost over every combination of candidate amounts (``ranges``: j -> values)."""
    best, best_x = math.inf, None
    js = list(ranges)
    weight = m.vars["weight"].to_numpy()
    for values in itertools.product(*(ranges[j] for j in js)):
        x = np.zeros(len(m.vars))
        x[js] = values
        cost = float(weight @ x)
        if cost < best and o.check(m, x)["passed"]:
            best, best_x = cost, x
    return best, best_x


def test_the_cheaper_of_two_missed_indicators_is_added(tmp_path):
    # school 0002 misses R4 (4.0 of 4.5 m², 89 %) and R5 (7.0 of 7.5 m², 93 %): the rule needs one
    # of them met. R4: 50 m² × 3500 = 175,000 yuan; R5: 50 m² × 400 = 20,000 yuan. The plan adds R5.
    c = county(
        tmp_path,
        [
            school("0123450001", students_primary=100),
            school("0123450002", students_primary=100, teaching_space_m2=400, sports_area_m2=700),
            school("0123450003", students_primary=100),
        ],
    )
    plan = o.optimal_plan(c)
    assert plan.summary["status"] == "optimal"
    assert plan.rows[["school_code", "indicator", "quantity"]].values.tolist() == [["0123450002", "R5", 50.0]]
    assert plan.summary["total_cost"] == 20000
    # meeting every standard would add both: 175,000 + 20,000
    assert plan.summary["full_cost"] == 195000
    assert plan.summary["saving"] == 175000
    assert plan.changes.to_dict("records") == [
        {"school_code": "0123450002", "column": "sports_area_m2", "delta": "50"}
    ]


def test_a_school_below_85_percent_must_reach_it_and_meet_the_rest(tmp_path):
    # 0002: R1 3 of 4.2 (71 %) and R2 0 of 1.0. R1 must reach 85 % (4 teachers: 4/4.2 = 95 %) and
    # then R2 must be met (1 backbone teacher): 1 teacher post + 1 backbone (weight 20,000).
    c = county(
        tmp_path,
        [
            school("0123450001", students_primary=100),
            school(
                "0123450002", students_primary=100, teachers_qualified_primary=3, teachers_backbone_primary=0
            ),
            school("0123450003", students_primary=100),
        ],
    )
    plan = o.optimal_plan(c)
    got = sorted(plan.rows[["indicator", "quantity"]].itertuples(index=False, name=None))
    assert got == [("R1", 1.0), ("R2", 1.0)]
    assert plan.summary["total_cost"] == TEACHER  # the backbone teacher has no unit cost
    # a hire adds to the section's full-time teachers too
    assert {"teachers_qualified_primary", "teachers_primary", "teachers_backbone_primary"} == set(
        plan.changes["column"]
    )


def test_the_optimum_equals_an_exhaustive_search(tmp_path):
    # four schools, two failing in several ways, with a nine-year school whose shared resources
    # are split between its sections
    schools = [
        school(
            "0123450001",
            students_primary=120,
            teachers_qualified_primary=4,
            multimedia_rooms=2,
            sports_area_m2=800,
        ),
        school(
            "0123450002",
            "nine_year",
            students_primary=100,
            students_junior=60,
            teachers_backbone_junior=0,
            teaching_space_m2=700,
            equipment_value_yuan=300000,
        ),
        school("0123450003", students_primary=100),
        school("0123450004", "junior", students_junior=90),
    ]
    c = county(tmp_path, schools)
    settings = o.Settings()
    m = o.build(c, c.plan_config, settings)
    plan = o.optimal_plan(c)
    assert plan.summary["status"] == "optimal"
    # candidates: whole units 0-3; continuous amounts 0, to 85 % or to the standard of each section,
    # rounded up to the indicator's step (whole m², equipment to the hundred yuan), as the plan is
    ranges = {}
    r0 = m.base * m.coef
    for j, terms in enumerate(m.terms):
        k = m.vars.at[j, "k"]
        if all(r0[i, k] >= 1 for i, _ in terms):
            continue
        if m.vars.at[j, "integer"]:
            ranges[j] = range(4)
        else:
            points = {0.0}
            for i, a in terms:
                for level in (m.floor, 1.0):
                    need = (level / m.coef[i, k] - m.base[i, k]) / a
                    step = m.vars.at[j, "step"]
                    if need > 0:
                        points.add(math.ceil(need / step - 1e-9) * step)
            ranges[j] = sorted(points)
    assert 4 <= len(ranges) <= 10
    best, _ = brute_force(m, settings, ranges)
    assert float(m.vars["weight"].to_numpy() @ plan.x) == pytest.approx(best, rel=1e-6)
    assert len(plan.rows) == (plan.x > 0).sum()


def test_a_cap_that_makes_passing_impossible_says_so(tmp_path):
    # R5 at 5.0 of 7.5 (67 %, below 85 %) and the county forbids any sports ground there
    plan_yaml = 'optimal:\n  caps:\n    "0123450002": {sports_ground: 0}\n'
    c = county(
        tmp_path,
        [
            school("0123450001", students_primary=100),
            school("0123450002", students_primary=100, sports_area_m2=500, multimedia_rooms=2),
            school("0123450003", students_primary=100),
        ],
        plan_yaml,
    )
    plan = o.optimal_plan(c)
    assert plan.summary["status"] == "infeasible"
    assert {"school_code": "0123450002", "section": "primary"} in plan.failing
    assert "无法达标" in plan.summary["status_text"]
    # the nearest plan adds nothing that does not help: the multimedia room it lacks cannot save it
    assert "R5" not in set(plan.rows["indicator"])


def test_transfers_hire_fewer_and_no_donor_fails(tmp_path):
    # 0001 has 9 qualified teachers per 100 (standard 4.2); 0002 has 3 (71 %) and lacks a
    # multimedia room: it must bring R1 to 4.2 → 2 teachers. Transfers take them from 0001.
    schools = [
        school("0123450001", students_primary=100, teachers_qualified_primary=8),
        school("0123450002", students_primary=100, teachers_qualified_primary=3, multimedia_rooms=2),
        school("0123450003", students_primary=100),
    ]
    c = county(tmp_path, schools)
    hire = o.optimal_plan(c)
    moved = o.optimal_plan(c, transfers=True)
    hires = lambda p: p.rows.loc[(p.rows["kind"] == "add") & (p.rows["indicator"] == "R1"), "quantity"].sum()  # noqa: E731
    assert hires(moved) < hires(hire)
    assert moved.summary["transfers"] > 0
    out = moved.rows[moved.rows["kind"] == "transfer_out"]
    assert set(out["school_code"]) == {"0123450001"}
    after = c.with_changes(moved.changes)
    assert after.result.verdict["resource"] == "pass"
    assert after.schools.set_index("school_code").loc["0123450001", "met_qualified_teachers_per100"]


def test_private_schools_are_the_sponsors(tmp_path):
    c = county(
        tmp_path,
        [
            school("0123450001", students_primary=100),
            school("0123450002", students_primary=100, ownership="private", sports_area_m2=500),
            school("0123450003", students_primary=100),
        ],
    )
    plan = o.optimal_plan(c)
    assert set(plan.rows["payer"]) == {"sponsor"}
    assert plan.summary["public_cost"] == 0 and plan.summary["sponsor_cost"] == plan.summary["total_cost"] > 0


def test_a_bad_optimal_setting_is_located(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("optimal:\n  horizon_years: -1\n  caps:\n    '*': {land: 0}\n", encoding="utf-8")
    with pytest.raises(PlanConfigError) as err:
        load_config(path)
    codes = {(p.code, p.row, p.column) for p in err.value.problems}
    assert ("optimal.bad_number", 2, "optimal.horizon_years") in codes
    assert ("optimal.unknown_key", 4, "optimal.caps.*.land") in codes


# -- the failing sample county-years ----------------------------------------------------------------
SAMPLES = [("990181", 2024), ("990121", 2021), ("990121", 2024), ("990123", 2023)]


@pytest.mark.parametrize("code, year", SAMPLES)
def test_sample_plans_pass_and_are_irreducible(code, year):
    c = junheng.county(code, year)
    assert c.result.verdict["resource"] == "fail"
    settings = o.Settings.from_config(c.plan_config)
    m = o.build(c, c.plan_config, settings)
    # the model's check agrees with the method before any addition
    base = o.check(m, np.zeros(len(m.vars)))
    assert base["schools"].tolist() == c.evaluated_schools["school_passed"].astype(bool).tolist()
    cv = c.coefficients.set_index(["section", "indicator"])
    for key, (value, _limit, ok) in base["cv"].items():
        assert value == pytest.approx(cv.loc[key, "cv"], rel=1e-9) and ok == bool(cv.loc[key, "passed"])
    plan = o.optimal_plan(c)
    assert plan.summary["status"] == "optimal" and plan.summary["gap"] == 0
    # applying the change set and evaluating again passes every school rule and every coefficient
    after = c.with_changes(plan.changes)
    assert after.result.verdict["resource"] == "pass"
    assert after.evaluated_schools["school_passed"].astype(bool).all()
    assert after.coefficients["passed"].astype(bool).all()
    # and fails no item that passed: a teacher it hires counts as trained (G9) and certified (G12),
    # else 990121's two new teachers took G9 to 99.9 %
    before, now = (x.items.set_index("id")["status"] for x in (c, after))
    assert [i for i in before.index if before[i] == "pass" and now[i] != "pass"] == []
    # every amount is a whole number of its step (m², 100 yuan), and taking one step away makes
    # some rule fail
    x = plan.x
    assert sorted(x[x > 0]) == sorted(plan.rows["quantity"])
    assert o.check(m, x)["passed"]
    steps = m.vars["step"].to_numpy(dtype=float)
    assert np.allclose(x / steps, np.round(x / steps))
    for j in np.flatnonzero(x):
        y = x.copy()
        y[j] = x[j] - steps[j]
        assert not o.check(m, y)["passed"], m.vars.loc[j].to_dict()
    # and the method agrees for the first addition
    first = plan.changes.iloc[[0]].copy()
    code, column = first.iloc[0]["school_code"], first.iloc[0]["column"]
    mine = (m.vars["school_code"] == code) & (m.vars["column"] == column)
    step = float(m.vars.loc[mine, "step"].iloc[0])
    first["delta"] = [float(d) - step for d in first["delta"]]
    rest = pd.concat([first, plan.changes.iloc[1:]], ignore_index=True)
    assert c.with_changes(rest).result.verdict["resource"] == "fail"


def test_990181_names_the_schools_the_coefficient_needs():
    plan = o.optimal_plan(junheng.county("990181", 2024))
    assert set(plan.rows["reason"]) == {"coefficient"}
    assert set(plan.rows["indicator"]) == {"R5"}
    assert len(plan.rows) >= 3
    assert not plan.summary["full_passes"]  # meeting every standard would not fix the coefficient


def test_a_passing_county_needs_nothing(tmp_path):
    c = county(tmp_path, [school(f"012345000{i}", students_primary=100) for i in range(1, 4)])
    plan = o.optimal_plan(c)
    assert plan.summary["status"] == "already_passing" and plan.rows.empty and plan.changes.empty


def test_cli_plan_writes_a_change_set_that_evaluate_applies(tmp_path, capsys):
    import json

    from junheng.cli import main

    out = tmp_path / "plan.csv"
    where = ["data/sample", "--county", "990181", "--year", "2024"]
    assert main(["plan", *where, "--changes-out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "已证明最优" in text and "清源" in text and "差异系数" in text
    assert list(pd.read_csv(out).columns) == ["school_code", "column", "delta"]
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
                str(out),
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["parts"]["resource"]["status"] == "pass"
    assert main(["plan", *where, "--json", "--lang", "en"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["status"] == "optimal" and doc["summary"]["verified"]


def test_the_report_shows_the_plan_in_both_languages_and_in_excel(tmp_path):
    from openpyxl import load_workbook

    from junheng.report.optimal import plan_sentences, plan_table, section

    c = junheng.county("990181", 2024)
    text = " ".join(plan_sentences(c, c.optimal))
    assert "初中体育场馆差异系数" in text and "0.470" in text and "清源溪林镇初级中学" in text
    assert "已证明最优" in text and "287.20万元" in text
    published = " ".join(str(part.data) for part in section(c) if hasattr(part, "data"))
    # the published wording has no solver terms (official text, f4): "proven optimal" is the command line's
    assert "费用最低的方案" in published and "已证明最优" not in published
    assert "SCIP" not in published and "下界" not in published
    table = plan_table(c, c.optimal)
    assert len(table) == len(c.optimal.rows) and "测算费用（万元）" in table.columns
    en = junheng.county("990181", 2024, lang="en")
    assert "proven optimal" in " ".join(plan_sentences(en, en.optimal))
    wb = load_workbook(c.to_excel(tmp_path / "x.xlsx"))
    assert wb.sheetnames.index("达标测算") == wb.sheetnames.index("补短板清单") + 1
    ws = wb["达标测算"]
    assert ws.cell(1, 1).value == "学校标识码" and ws.max_row == 1 + len(c.optimal.rows)
    assert ws.cell(2, 6).value == c.optimal.rows["quantity"].iloc[0]


def test_a_county_wide_cap_on_posts(tmp_path):
    # 0002 needs R1 raised from 71 % to at least 85 % (a new post); no posts are left in the county
    schools = [
        school("0123450001", students_primary=100, teachers_qualified_primary=8),
        school("0123450002", students_primary=100, teachers_qualified_primary=3),
        school("0123450003", students_primary=100),
    ]
    c = county(tmp_path, schools)
    assert o.optimal_plan(c).summary["status"] == "optimal"
    capped = o.optimal_plan(c, total_caps={"qualified_teachers": 0})
    assert capped.summary["status"] == "infeasible"
    assert {"school_code": "0123450002", "section": "primary"} in capped.failing
    # a transfer can still bring one from 0001 (8 per 100: 7 still meet 4.2); 4 of 4.2 is 95 %
    moved = o.optimal_plan(c, total_caps={"qualified_teachers": 0}, transfers=True)
    assert moved.summary["status"] == "optimal" and moved.summary["transfers"] == 1


def test_a_yearly_cost_shows_its_basis_beside_the_total():
    # 990121 2021: 平川花光村小学 hires 2 qualified teachers (R1) at 100,000 yuan a year each:
    # 2 × 100,000 = 200,000 yuan a year = 20.00万元/年, over the 5-year horizon 100.00万元
    from junheng.report.optimal import plan_table

    c = junheng.county("990121", 2021)
    table = plan_table(c, c.optimal)
    cost = table.columns[5]
    school, measure = table.columns[0], table.columns[2]
    row = table[(table[school] == "平川花光村小学") & table[measure].str.contains("教师")]
    assert row[cost].iloc[0] == "20.00/年，5年计100.00"
    # a one-off cost is the total alone: 平川溪林村小学's 52 m² × 3,500 = 182,000 yuan
    space = table[(table[table.columns[0]] == "平川溪林村小学") & (table[table.columns[4]] == "平方米")]
    assert space[cost].iloc[0] == "18.20"
    en = junheng.county("990121", 2021, lang="en")
    en_table = plan_table(en, en.optimal)
    assert "200,000 a year, 1,000,000 over 5 years" in set(en_table[en_table.columns[5]])


def test_an_already_passing_optimal_plan_says_what_it_covers(tmp_path):
    from junheng.report.optimal import plan_sentences

    # every school meets every threshold: nothing to add and no improvement either
    c = county(tmp_path, [school(f"012345000{i}", students_primary=100) for i in range(1, 4)])
    assert plan_sentences(c, c.optimal) == [
        "达标测算：资源配置各校均已达到校际标准，各项差异系数均在限值内，无需为资源配置达标新增。"
    ]
    # 990126 2024: Part R passes, but single indicators miss their thresholds (improvements, costed in the
    # plan) and the county fails elsewhere: the sentence must not read "已达标，无需新增" alone
    c = junheng.county("990126", 2024)
    assert c.optimal.summary["status"] == "already_passing" and len(c.shortfalls)
    text = plan_sentences(c, c.optimal)
    assert text == [
        "达标测算：资源配置各校均已达到校际标准，各项差异系数均在限值内，无需为资源配置达标新增；"
        "整改建议中的资源配置事项为提升项目（个别指标低于标准值）。"
    ]
    assert "已达标，无需新增" not in text[0]
    en = junheng.county("990126", 2024, lang="en")
    assert "the resource rows of the rectification plan are improvements" in plan_sentences(en, en.optimal)[0]


def test_the_english_plan_names_a_section_and_indicator_apart_and_counts_transfers():
    """Reviewer: "JuniorR5" in the plan's English; "teacher transfer(s) within the county" for a 市.

    The Chinese keeps 初中R5 and 县域内.
    """
    from types import SimpleNamespace

    from junheng.report.optimal import plan_sentences

    def with_failing_and_transfers(c):
        real = c.optimal
        rows = pd.concat(
            [real.rows, real.rows.head(1).assign(kind="transfer_in", quantity=3, reason="school")],
            ignore_index=True,
        )
        failing = [{"section": "junior", "indicator": "R5", "cv": 0.47}]
        return SimpleNamespace(summary=real.summary, rows=rows, failing=failing)

    en = junheng.county("990181", 2024, lang="en")
    said = " ".join(plan_sentences(en, with_failing_and_transfers(en)))
    assert "Still failing under the caps: Junior R5 0.470." in said
    assert "3 teacher transfers within the city (" in said and "(s)" not in said
    zh = junheng.county("990181", 2024)
    said = "".join(plan_sentences(zh, with_failing_and_transfers(zh)))
    assert "在现有限制下仍不能达标：初中R5 0.470。" in said and "县域内调配教师3人次" in said
