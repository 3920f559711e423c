"""Plan targets (issue #12): every kind of measure on a hand-built county with hand-computed values,
the statuses (met exactly, missed when overdue, on and off track, not due, no data), the targets
file and sheet with located messages, and the county-added columns they use."""

import math

import pytest
import yaml
from builders import COUNTY, county_row, full_school, monitoring_rows, school, survey_rows, write_tables

from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
from junheng.planning.targets import evaluate_targets, satisfies, target_summary

FLAG, SCORE = "是否数字校园", "监测成绩"


def write_targets(folder, targets, county=COUNTY, name="targets.yaml"):
    text = yaml.safe_dump({"county": county, "targets": targets}, allow_unicode=True, sort_keys=False)
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def target(tid, measure, comparison=">=", value=0, due=2024, **extra):
    return {
        "id": tid,
        "name": f"目标{tid}",
        "measure": measure,
        "comparison": comparison,
        "value": value,
        "due_year": due,
        **extra,
    }


def evaluated(data, rules="youzhi-2017"):
    ds = load(data)
    errors = [p.message() for p in ds.problems if p.severity == "error"]
    assert not errors, errors
    return evaluate(ds, rules)


def by_target(frame, year=2024):
    rows = frame[frame["year"] == year]
    return dict(zip(rows["target_id"], rows["value"], strict=True))


# -- a hand-built county ---------------------------------------------------------------------------
def county_a():
    """Four schools, every per-school figure chosen to make the measures easy to compute by hand.

    | school | section | location | ownership | students | teachers | backbone | rooms | PCs | flag | score |
    | S1     | primary | urban    | public    | 400      | 32       | 6        | 10    | 40  | 是   | 80    |
    | S2     | primary | rural    | public    | 200      | 16       | 2        | 4     | 10  | 否   | 70    |
    | S3     | junior  | rural    | public    | 300      | 24       | 3        | 8     | 30  | 是   | 60    |
    | S4     | primary | town     | private   | 100      | 8        | 1        | 3     | 5   | 是   | 90    |

    S2 misses R5 (1000 m² of sports area: 5.0 m² per student < 7.5) and R7 (2.0 rooms per 100 < 2.3):
    two misses, so it fails the 6-of-7 rule; the others meet every threshold.
    """
    rows = [
        ("0123450001", "primary", "urban", "public", 400, 6, 10, 40, "是", 80),
        ("0123450002", "primary", "rural", "public", 200, 2, 4, 10, "否", 70),
        ("0123450003", "junior", "rural", "public", 300, 3, 8, 30, "是", 60),
        ("0123450004", "primary", "town", "private", 100, 1, 3, 5, "是", 90),
    ]
    schools = []
    for code, kind, location, ownership, students, backbone, rooms, computers, flag, score in rows:
        section = "primary" if kind == "primary" else "junior"
        s = full_school(code, kind, **{f"students_{section}": students})
        s.update(
            location=location,
            ownership=ownership,
            multimedia_rooms=rooms,
            computers=computers,
            **{f"teachers_backbone_{section}": backbone, FLAG: flag, SCORE: score},
        )
        schools.append(s)
    schools[1]["sports_area_m2"] = 1000
    return schools


R2 = "backbone_teachers_per100"
# R2 of the primary schools: x = 1.5, 1.0, 1.0 per 100 students, weights 400, 200, 100: mean 9/7.
R2_PRIMARY_CV = math.sqrt((400 * (1.5 - 9 / 7) ** 2 + 300 * (1.0 - 9 / 7) ** 2) / 700) / (9 / 7)
MEASURES = {
    "mean_indicator": ({"kind": "mean", "indicator": "R2", "section": "primary"}, 9 / 7),
    "mean_by_label": (
        {"kind": "县域均值", "indicator": "每百名学生拥有县级以上骨干教师数", "section": "小学"},
        9 / 7,
    ),
    "cv_indicator": ({"kind": "cv", "indicator": R2, "section": "primary"}, R2_PRIMARY_CV),
    "mean_column_per_100": ({"kind": "mean", "column": "computers", "scale": 100}, 8.5),  # 85 / 1000
    "mean_column_by_header": ({"kind": "mean", "column": "教学用计算机台数", "scale": 100}, 8.5),
    "mean_column_per_column": (
        {"kind": "mean", "column": "teachers_backbone", "denominator": "teachers"},
        12 / 80,
    ),
    "mean_own_column_as_is": ({"kind": "mean", "column": SCORE, "denominator": "none"}, 73.0),  # 73000 / 1000
    "cv_column": (
        {"kind": "cv", "column": "computers", "scale": 100, "section": "primary"},
        # 10, 5, 5 per 100 students, weights 400, 200, 100: mean 55/7
        math.sqrt((400 * (10 - 55 / 7) ** 2 + 300 * (5 - 55 / 7) ** 2) / 700) / (55 / 7),
    ),
    "share_meeting_indicator": ({"kind": "share_meeting", "indicator": "R7"}, 3 / 4),  # S2 below 2.3
    "share_meeting_section": ({"kind": "share_meeting", "indicator": "R7", "section": "primary"}, 2 / 3),
    "share_meeting_own_threshold": ({"kind": "share_meeting", "indicator": "R7", "threshold": 2.6}, 2 / 4),
    "share_meeting_column": (
        {"kind": "share_meeting", "column": "computers", "scale": 100, "threshold": 8.5},
        2 / 4,
    ),
    "share_meeting_flag": ({"kind": "share_meeting", "flag": FLAG}, 3 / 4),
    "share_meeting_flag_rural": ({"kind": "share_meeting", "flag": FLAG, "location": "乡村"}, 1 / 2),
    "share_meeting_public": ({"kind": "share_meeting", "indicator": "R7", "ownership": "public"}, 2 / 3),
    "share_passing": ({"kind": "share_passing"}, 3 / 4),  # S2 misses two indicators
    "gap_indicator_ratio": (
        {"kind": "gap", "indicator": "R2", "group": "rural", "reference": "urban"},
        1.0 / 1.5,
    ),
    "gap_column_difference": (
        {
            "kind": "gap",
            "column": "computers",
            "scale": 100,
            "group": "乡村",
            "reference": "城区",
            "form": "差值",
        },
        8.0 - 10.0,  # rural 40 / 500, urban 40 / 400
    ),
    "gap_town": ({"kind": "gap", "indicator": "R2", "group": "town", "reference": "urban"}, 1.0 / 1.5),
    "gap_flag": ({"kind": "gap", "flag": FLAG, "group": "rural", "reference": "urban"}, 0.5 / 1.0),
    "gap_ownership": (
        {"kind": "gap", "indicator": "R7", "group": "private", "reference": "public"},
        3.0 / (100 * 22 / 900),  # private 3 per 100; public 22 rooms / 900 students
    ),
    "item_value": ({"kind": "item", "item": "G7"}, 7000.0),  # 700,000 yuan / 100 students
    "item_met": ({"kind": "item_met", "item": "g7"}, 1.0),
    "verdict": ({"kind": "verdict"}, 0.0),  # Part R fails (S2)
    "verdict_part_resource": ({"kind": "verdict", "part": "resource"}, 0.0),
    "verdict_part_guarantee": ({"kind": "verdict", "part": "政府保障程度"}, 1.0),
}


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    data = write_tables(
        tmp_path_factory.mktemp("a") / "d",
        county_a(),
        county=[county_row()],
        monitoring=monitoring_rows(),
        survey=survey_rows(),
    )
    targets = []
    for tid, (measure, _) in MEASURES.items():
        kind = measure["kind"]
        yes_no = kind in ("verdict", "item_met") or measure.get("kind") == "评估结论"
        targets.append(target(tid, measure, "=" if yes_no else ">=", "是" if yes_no else 0))
    write_targets(data, targets)
    ev = evaluated(data)
    return ev, evaluate_targets(ev)


@pytest.mark.parametrize("tid", list(MEASURES))
def test_each_kind_of_measure_hand_computed(measured, tid):
    _, frame = measured
    assert by_target(frame)[tid] == pytest.approx(MEASURES[tid][1], rel=1e-12)


def test_a_coefficient_is_the_engines(measured):
    ev, frame = measured
    cv = ev.resource.cv
    engine = cv[(cv["section"] == "primary") & (cv["key"] == R2)]["cv"].iloc[0]
    assert by_target(frame)["cv_indicator"] == engine


def test_a_whole_school_column_is_split_between_sections(tmp_path):
    """docs/method.md §1's worked check: 23,226 books of a nine-year school with 166 primary and 210 junior
    students give 23,226 / (166 + 231) = 58.504 per primary student and 1.1 times that per junior one.
    The books here are a column the county adds itself (课外读物册数)."""
    s = school("0123450001", "nine_year", students_primary=166, students_junior=210, 课外读物册数=23226)
    data = write_tables(tmp_path / "d", [s])
    measure = {"kind": "mean", "column": "课外读物册数"}
    write_targets(
        data, [target("P", {**measure, "section": "primary"}), target("J", {**measure, "section": "junior"})]
    )
    values = by_target(evaluate_targets(evaluated(data)))
    assert values["P"] == pytest.approx(23226 / 397, rel=1e-12)
    assert values["J"] == pytest.approx(1.1 * 23226 / 397, rel=1e-12)


def test_a_measure_outside_the_rule_set_has_no_data(tmp_path):
    data = write_tables(tmp_path / "d", county_a())
    write_targets(
        data,
        [
            target("R7", {"kind": "share_meeting", "indicator": "R7"}, value=0.5),
            target("B4", {"kind": "mean", "indicator": "B4"}, value=8),
        ],
    )
    frame = evaluate_targets(evaluated(data, "jiben-2012"))
    rows = frame.set_index("target_id")
    assert rows.loc["R7", "status"] == "no_data" and rows.loc["R7", "note"] == "not_in_rules"  # no threshold
    assert (
        rows.loc["B4", "value"] == pytest.approx(8.5) and rows.loc["B4", "status"] == "met"
    )  # 2012 computers


# -- statuses ----------------------------------------------------------------------------------------
def test_a_target_met_exactly_counts_as_met(tmp_path):
    """Rural 3 and urban 2 backbone teachers per 1,000 students: 0.3 − 0.2 per 100 students is
    0.09999999999999998 in binary; at the engine's tolerance it equals the 0.1 asked for."""
    schools = [
        school("0123450001", students_primary=1000, location="rural", teachers_backbone_primary=3),
        school("0123450002", students_primary=1000, location="urban", teachers_backbone_primary=2),
    ]
    data = write_tables(tmp_path / "d", schools)
    measure = {"kind": "gap", "indicator": "R2", "group": "rural", "reference": "urban", "form": "difference"}
    write_targets(
        data,
        [target("GE", measure, ">=", 0.1), target("GT", measure, ">", 0.1), target("LE", measure, "<=", 0.1)],
    )
    rows = evaluate_targets(evaluated(data)).set_index("target_id")
    assert rows.loc["GE", "value"] < 0.1  # the raw float misses: the tolerance decides
    assert rows.loc["GE", "status"] == "met" and rows.loc["LE", "status"] == "met"
    assert rows.loc["GT", "status"] == "missed"  # equal is not above
    assert rows.loc["GE", "remaining"] == 0


def test_satisfies_at_full_precision():
    assert satisfies(0.85 - 1e-12, ">=", 0.85) and not satisfies(0.8499, ">=", 0.85)
    assert satisfies(0.5000000001, "<=", 0.5) and not satisfies(0.5004, "<=", 0.5)
    assert satisfies(1.0, "=", 1.0) and not satisfies(0.0, "=", 1.0)


def trajectory_county():
    """One school of 1,000 students; computers 50, 60, 62, 90 (5.0, 6.0, 6.2, 9.0 per 100 students)
    in 2021-2024; whiteboards (a county column) reported from 2023 only: 20, 26."""
    schools = []
    for year, computers, boards in ((2021, 50, None), (2022, 60, None), (2023, 62, 20), (2024, 90, 26)):
        s = school("0123450001", students_primary=1000, year=year, computers=computers)
        s["电子白板数"] = boards
        schools.append(s)
    return schools


@pytest.fixture(scope="module")
def statuses(tmp_path_factory):
    data = write_tables(tmp_path_factory.mktemp("t") / "d", trajectory_county())
    computers = {"kind": "mean", "column": "computers", "scale": 100}
    write_targets(
        data,
        [
            # baseline 5.0 (2021) to 8.0 in 2024: expected 6.0, 7.0 in 2022, 2023
            target("ON_THEN_OFF", computers, ">=", 8, 2024),
            # due 2022: 6.0 < 7 is missed, still missed when overdue in 2023, met late in 2024
            target("OVERDUE", computers, ">=", 7, 2022),
            # lower is better: baseline 5.0 to 4.0 in 2025; 6.0 in 2022 is behind 4.75
            target("DOWN", computers, "<=", 4, 2025),
            # baseline 2022 (6.0) to 6.3 in 2024: expected 6.15 in 2023, 6.2 is ahead
            target("FROM_2022", computers, ">=", 6.3, 2024, baseline_year=2022),
            # the county's column only from 2023: baseline 2.0 (2023) to 3.0 in 2025, 2.6 > 2.5 expected
            target("LATE_DATA", {"kind": "mean", "column": "电子白板数", "scale": 100}, ">=", 3, 2025),
            # no county table: the verdict is 'incomplete', which is no data for a yes/no target
            target("VERDICT", {"kind": "verdict"}, "=", True, 2025),
            target("RESOURCE", {"kind": "verdict", "part": "resource"}, "=", True, 2025),
        ],
    )
    return evaluate_targets(evaluated(data)).pivot(index="target_id", columns="year", values="status")


@pytest.mark.parametrize(
    "tid, expected",
    [
        ("ON_THEN_OFF", ["not_due", "on_track", "off_track", "met"]),
        ("OVERDUE", ["not_due", "missed", "missed", "met"]),
        ("DOWN", ["not_due", "off_track", "off_track", "off_track"]),
        ("FROM_2022", ["not_due", "not_due", "on_track", "met"]),
        ("LATE_DATA", ["no_data", "no_data", "not_due", "on_track"]),
        ("VERDICT", ["no_data"] * 4),
        ("RESOURCE", ["met"] * 4),
    ],
)
def test_statuses_year_by_year(statuses, tid, expected):
    assert statuses.loc[tid].tolist() == expected


def test_distance_and_trajectory_values(tmp_path):
    data = write_tables(tmp_path / "d", trajectory_county())
    write_targets(data, [target("T", {"kind": "mean", "column": "computers", "scale": 100}, ">=", 8, 2024)])
    rows = evaluate_targets(evaluated(data)).set_index("year")
    assert rows["expected"].tolist() == pytest.approx([5.0, 6.0, 7.0, 8.0])
    assert rows["difference"].tolist() == pytest.approx([-3.0, -2.0, -1.8, 1.0])
    assert rows["remaining"].tolist() == pytest.approx([3.0, 2.0, 1.8, 0.0])
    assert rows["progress"].tolist() == pytest.approx([0.0, 1 / 3, 1.2 / 3, 4 / 3])
    assert rows["baseline_year"].iloc[0] == 2021 and rows["baseline_value"].iloc[0] == pytest.approx(5.0)
    summary = target_summary(evaluated(data), 2023)
    assert summary.iloc[0]["status"] == "off_track" and summary.iloc[0]["first_met"] is None
    assert summary.iloc[0]["statuses"] == {2021: "not_due", 2022: "on_track", 2023: "off_track"}


def test_the_json_document_carries_the_targets(tmp_path):
    data = write_tables(tmp_path / "d", trajectory_county())
    write_targets(data, [target("T", {"kind": "mean", "column": "computers", "scale": 100}, ">=", 8, 2024)])
    ev = evaluated(data)
    doc = ev.county(COUNTY, 2023).to_dict()
    (t,) = doc["targets"]
    assert t["id"] == "T" and t["status"] == "off_track" and t["status_label"] == "落后于进度"
    assert t["measure_label"] == "每百名学生教学用计算机台数（县域均值）"
    assert [y["year"] for y in t["years"]] == [2021, 2022, 2023]  # up to the evaluated year
    assert ev.county(COUNTY, 2023).to_dict("en")["targets"][0]["status_label"] == "off track"


def test_a_county_without_targets_has_an_empty_list(tmp_path):
    ev = evaluated(write_tables(tmp_path / "d", county_a()))
    assert ev.county(COUNTY, 2024).to_dict()["targets"] == []
    assert evaluate_targets(ev).empty


# -- files, sheets and discovery ---------------------------------------------------------------------
def test_targets_are_found_in_the_folder_and_in_workbook_sheets(tmp_path):
    data = write_tables(tmp_path / "d", county_a())
    write_targets(data, [target("Y1", {"kind": "share_passing"}, value=0.5)])
    write_targets(data, [target("Y2", {"kind": "share_passing"}, value=0.5)], name="targets/more.yaml")
    named = yaml.safe_dump(
        {"targets": [target("Y3", {"kind": "share_passing"}, value=0.5)]}, allow_unicode=True
    )
    (data / "targets" / f"{COUNTY}.yaml").write_text(named, encoding="utf-8")  # the name gives the county
    ds = load(data)
    assert [(t.county_code, t.id) for t in ds.targets] == [(COUNTY, "Y1"), (COUNTY, "Y3"), (COUNTY, "Y2")]


def workbook_with_targets(path, schools, rows, headers=None):
    """A county workbook (schools sheet) with a targets sheet of ``rows`` (header -> value)."""
    from builders import write_workbook
    from openpyxl import load_workbook

    write_workbook(path, schools)
    wb = load_workbook(path)
    ws = wb.create_sheet("规划目标")
    headers = headers or list(dict.fromkeys(h for row in rows for h in row))
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


SHEET_ROW = {
    "目标编号": "X1",
    "目标名称": "计算机",
    "测量方式": "县域均值",
    "数据列": "教学用计算机台数",
    "倍数": 100,
    "比较": "不低于",
    "目标值": 8.5,
    "完成年份": 2024,
}


def test_a_targets_sheet_takes_the_workbooks_county(tmp_path):
    book = workbook_with_targets(tmp_path / "012345_2024.xlsx", county_a(), [SHEET_ROW])
    ds = load(book)
    (t,) = ds.targets
    assert (t.county_code, t.id, t.comparison, t.value) == (COUNTY, "X1", ">=", 8.5)
    assert evaluate_targets(evaluate(ds))["status"].tolist() == ["met"]


def test_a_plan_repeated_in_yearly_workbooks_is_one_plan_and_a_revision_wins(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    for year, value in ((2023, 8.5), (2024, 8.5)):
        rows = [dict(s, year=year) for s in county_a()]
        workbook_with_targets(data / f"012345_{year}.xlsx", rows, [dict(SHEET_ROW, 目标值=value)])
    ds = load(data)
    assert len(ds.targets) == 1 and not [p for p in ds.problems if p.code.startswith("targets.")]
    workbook_with_targets(
        data / "012345_2024.xlsx", [dict(s, year=2024) for s in county_a()], [dict(SHEET_ROW, 目标值=9)]
    )
    ds = load(data)
    assert [t.value for t in ds.targets] == [9.0]
    (warning,) = [p for p in ds.problems if p.code == "targets.redefined"]
    assert warning.message().endswith(
        f"目标“X1”在{data / '012345_2024.xlsx'}:规划目标:2中的定义与此不同；采用年度较晚的工作簿中的定义"
    )
    assert warning.file.endswith("012345_2023.xlsx") and warning.severity == "warning"


# -- county-added columns ---------------------------------------------------------------------------
def test_a_county_added_column_is_kept_and_noted_when_a_target_uses_it(tmp_path):
    data = write_tables(tmp_path / "d", county_a())
    ds = load(data)
    assert {"custom:" + FLAG, "custom:" + SCORE} <= set(ds.schools.columns)
    warned = sorted(p.column for p in ds.problems if p.code == "unknown_column")
    assert warned == sorted([FLAG, SCORE])
    write_targets(data, [target("F", {"kind": "share_meeting", "flag": FLAG}, value=0.5)])
    ds = load(data)
    assert [p.column for p in ds.problems if p.code == "unknown_column"] == [SCORE]
    (note,) = [p for p in ds.problems if p.code == "targets.custom_column"]
    assert note.severity == "info" and note.column == FLAG and note.county_code == COUNTY
    where = f"{data / 'schools.csv'} › 工作表“schools.csv” › 列“{FLAG}”"
    assert note.message() == f"[提示] {where}：本县自行增加的列，供规划目标使用"


def test_a_bad_cell_in_a_county_column_is_located_and_means_no_data(tmp_path):
    schools = county_a()
    schools[2][FLAG] = "大概"
    data = write_tables(tmp_path / "d", schools)
    write_targets(data, [target("F", {"kind": "share_meeting", "flag": FLAG}, value=0.5)])
    ds = load(data)
    (p,) = [p for p in ds.problems if p.code == "targets.bad_flag_cell"]
    assert p.message() == (
        f"[警告] {data / 'schools.csv'} › 工作表“schools.csv” › 第4行 › 列“{FLAG}”："
        "“大概”不是“是”或“否”：规划目标按缺失处理"
    )
    assert (p.county_code, p.year) == (COUNTY, 2024)
    assert evaluate_targets(evaluate(ds))["status"].tolist() == ["no_data"]


# -- a bad targets file gives located messages --------------------------------------------------------
BAD_YAML = """\
counties:
  "012345":
    targets:
      - id: A1
        name: 指标写错
        measure: {kind: mean, indicator: R9, section: primary}
        comparison: ">="
        value: 1
        due_year: 2024
      - id: A2
        name: 比例超出范围
        measure: {kind: share_passing}
        comparison: 不低于
        value: 85
        due_year: 2024
      - id: A3
        name: 测量方式写错
        measure: {kind: average}
        comparison: ">="
        value: 1
        due_year: 2024
      - id: A4
        name: 比较与年份写错
        measure:
          kind: mean
          column: computers
          scale: 100
        comparison: ≈
        value: 8.5
        due_year: 二〇二四年
      - id: A5
        name: 没有这一列
        measure: {kind: share_meeting, flag: 是否智慧校园}
        comparison: ">="
        value: 0.5
        due_year: 2024
        colour: red
      - id: A6
        measure: {kind: gap, indicator: R2, group: rural, reference: public}
        comparison: ">="
        value: 1
        due_year: 2024
      - id: B1
        name: 有效
        measure: {kind: verdict}
        due_year: 2026
      - id: B1
        name: 编号重复
        measure: {kind: verdict, part: resource}
        due_year: 2026
"""


def test_a_bad_targets_file_gives_located_messages(tmp_path):
    data = write_tables(tmp_path / "d", county_a())
    path = data / "targets.yaml"
    path.write_text(BAD_YAML, encoding="utf-8")
    ds = load(data)
    found = [p.message() for p in ds.problems if p.code.startswith("targets.")]
    at = f"[错误] {path} › "
    ids = "R1、R2、R3、R4、R5、R6、R7、B1、B2、B3、B4、B5、B6、B7、B8"
    kinds = (
        "mean（县域均值）、cv（差异系数）、share_meeting（达标学校比例）、share_passing（6项以上达标学校比例）、"
        "gap（组间差距）、item（评估项目值）、item_met（评估项目达标）、verdict（评估结论）"
    )
    assert found == [
        f"{at}第6行 › counties.012345.targets[0].measure.indicator：无法识别的指标“R9”；可选：{ids}",
        f"{at}第14行 › counties.012345.targets[1].value：比例应在0到1之间（写作85%或0.85），而不是“85”",
        f"{at}第18行 › counties.012345.targets[2].measure.kind：无法识别的测量方式“average”；可选：{kinds}",
        f"{at}第28行 › counties.012345.targets[3].comparison：无法识别的比较“≈”；可选：>=、>、<=、<、=",
        f"{at}第30行 › counties.012345.targets[3].due_year：“二〇二四年”不是有效年份",
        f"{at}第33行 › counties.012345.targets[4].measure.flag：学校表中没有“是否智慧校园”列"
        "（数据规范中没有，本县的学校表中也没有）",
        f"{at}第37行 › counties.012345.targets[4].colour：无法识别的键“colour”；可用的键："
        "id、name、comparison、value、due_year、baseline_year、note、measure",
        f"{at}第38行 › counties.012345.targets[5]：缺少“name”",
        f"{at}第39行 › counties.012345.targets[5].measure.reference：比较组“rural”与参照组“public”"
        "应同为城乡分类或同为办学性质",
        f"{at}第47行 › counties.012345.targets[7]：目标编号“B1”在本县重复（另见{path}:43）",
    ]
    assert [t.id for t in ds.targets] == ["B1"]
    assert all(
        p.county_code == COUNTY and p.year is None for p in ds.problems if p.code.startswith("targets.")
    )
    en = next(p for p in ds.problems if p.code == "targets.unknown_indicator").message("en")
    where = f"{path}, line 6, counties.012345.targets[0].measure.indicator"
    assert en == f"[error] {where}: unknown indicator 'R9'; expected one of: {ids}"


def test_a_bad_targets_file_does_not_block_the_county(tmp_path):
    data = write_tables(tmp_path / "d", county_a())
    (data / "targets.yaml").write_text(BAD_YAML, encoding="utf-8")
    ev = evaluate(load(data))
    doc = ev.county(COUNTY, 2024).to_dict()
    assert doc["status"] != "invalid"
    assert sum(p["code"].startswith("targets.") for p in doc["problems"]) == 10  # shown in its report


def test_yaml_that_does_not_parse_gives_its_line(tmp_path):
    data = write_tables(tmp_path / "d", county_a())
    path = data / "targets.yaml"
    path.write_text('county: "012345"\ntargets:\n  - id: [A1\n', encoding="utf-8")
    (p,) = [p for p in load(data).problems if p.code.startswith("targets.")]
    assert p.code == "targets.bad_yaml" and p.row == 4
    assert p.message() == f"[错误] {path} › 第4行：YAML 格式错误：expected ',' or ']', but got '<stream end>'"


def test_a_county_code_column_blank_in_every_row_is_one_located_error(tmp_path):
    """As the 学校 sheet's blank required column (整列为空): one error for the column, not one per row."""
    schools = [dict(s, county_code=None) for s in county_a()]  # the workbook cannot tell its county
    rows = [dict(SHEET_ROW, 目标编号=f"X{i}") for i in range(1, 5)]
    book = workbook_with_targets(tmp_path / "book.xlsx", schools, rows, ["县级行政区划代码", *SHEET_ROW])
    found = [p for p in load(book).problems if p.code.startswith("targets.")]
    assert [p.message() for p in found] == [
        f"[错误] {book} › 工作表“规划目标” › 列“县级行政区划代码”：第1列（A列）整列为空："
        "第2–5行共4行均未填写县级行政区划代码，且无法从工作簿确定是哪个县"
    ]
    assert (
        found[0]
        .message("en")
        .endswith(
            "column 1 (A) is empty: none of its 4 rows (2–5) gives the county code, "
            "and the workbook does not tell which county"
        )
    )
    # one row: its own message, as precise
    workbook_with_targets(book, schools, rows[:1], ["县级行政区划代码", *SHEET_ROW])
    (one,) = [p for p in load(book).problems if p.code.startswith("targets.")]
    assert (one.code, one.row) == ("targets.no_county", 2)


def test_a_bad_targets_sheet_gives_located_messages(tmp_path):
    rows = [
        dict(SHEET_ROW, 测量方式="平均数"),
        {k: v for k, v in SHEET_ROW.items() if k != "完成年份"},
        dict(SHEET_ROW, 县级行政区划代码="99-123"),
        {
            "目标编号": "X4",
            "目标名称": "差距",
            "测量方式": "组间差距",
            "指标": "R2",
            "比较组": "乡村",
            "参照组": "乡村",
            "比较": ">=",
            "目标值": 1,
            "完成年份": 2025,
        },
        dict(SHEET_ROW, 目标编号="X5", 测量方式="评估结论", 比较=">=", 目标值="是"),
        dict(SHEET_ROW, 目标编号="X6", 测量方式="评估项目值", 评估项目="G16", 数据列=None, 倍数=None),
    ]
    headers = ["县级行政区划代码", *SHEET_ROW, "指标", "比较组", "参照组", "评估项目", "颜色"]
    book = workbook_with_targets(tmp_path / "012345_2024.xlsx", county_a(), rows, headers)
    found = [p.message() for p in load(book).problems if p.code.startswith("targets.")]
    at = f"{book} › 工作表“规划目标” › "
    kinds = (
        "mean（县域均值）、cv（差异系数）、share_meeting（达标学校比例）、share_passing（6项以上达标学校比例）、"
        "gap（组间差距）、item（评估项目值）、item_met（评估项目达标）、verdict（评估结论）"
    )
    allowed = "、".join(
        [
            "县级行政区划代码",
            "目标编号",
            "目标名称",
            "测量方式",
            "指标",
            "数据列",
            "是否列",
            "分母",
            "倍数",
            "学段",
            "城乡",
            "办学性质",
            "学校标准值",
            "比较组",
            "参照组",
            "差距形式",
            "评估项目",
            "评估部分",
            "比较",
            "目标值",
            "完成年份",
            "基准年份",
            "备注",
        ]
    )
    items = "、".join([f"G{i}" for i in range(1, 16)] + [f"Q{i}" for i in range(1, 10)] + ["S"])
    assert found == [
        f"[警告] {at}第1行 › 列“颜色”：无法识别的键“颜色”；可用的键：{allowed}",
        f"[错误] {at}第2行 › 列“测量方式”：无法识别的测量方式“平均数”；可选：{kinds}",
        f"[错误] {at}第3行 › 列“完成年份”：缺少“完成年份”",
        f"[错误] {at}第4行 › 列“县级行政区划代码”：“99-123”不是6位县级行政区划代码",
        f"[错误] {at}第5行 › 列“参照组”：比较组与参照组相同（“乡村”）",
        f"[错误] {at}第6行 › 列“数据列”：测量方式“评估结论”不使用“数据列”",
        f"[错误] {at}第6行 › 列“倍数”：测量方式“评估结论”不使用“倍数”",
        f"[错误] {at}第6行 › 列“比较”：是/否目标的比较只能是“=”",
        f"[错误] {at}第7行 › 列“评估项目”：无法识别的评估项目“G16”；可选：{items}",
    ]


def test_evaluate_for_one_year_judges_targets_against_the_earlier_years(tmp_path, capsys):
    import json

    from junheng.cli import main

    data = write_tables(tmp_path / "d", trajectory_county())
    write_targets(data, [target("T", {"kind": "mean", "column": "computers", "scale": 100}, ">=", 8, 2024)])
    assert main(["evaluate", str(data), "--county", COUNTY, "--year", "2023", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["year"] == 2023 and doc["targets"][0]["status"] == "off_track"
    assert [y["status"] for y in doc["targets"][0]["years"]] == ["not_due", "on_track", "off_track"]
