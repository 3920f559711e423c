"""What the command line says around a what-if and a plan (fresh eyes): a what-if result says it is
one, a written change set says where it went, evaluate/plan/validate take the bundled sample as
report and run do, and a veto reads 不存在 as in the report."""

import json

import pytest

from junheng.cli import build_parser, main
from junheng.paths import default_data


@pytest.fixture(scope="module")
def change_set(tmp_path_factory):
    """990181/2024's least plan as a change set (9 sports-ground additions)."""
    path = tmp_path_factory.mktemp("plan") / "plan.csv"
    assert main(["plan", "--county", "990181", "--year", "2024", "--changes-out", str(path)]) == 0
    return path


def test_a_written_change_set_says_where_it_went_and_how_to_check_it(tmp_path, capsys):
    path = tmp_path / "plan.csv"
    assert main(["plan", "--county", "990181", "--year", "2024", "--changes-out", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err.strip() == (
        f"变更清单已写入 {path}（9行）；检验：junheng evaluate {default_data()} --county 990181 --year 2024 "
        f"--changes {path}"
    )
    assert "变更清单已写入" not in out and out.startswith("达标测算：")
    assert len(path.read_text(encoding="utf-8").splitlines()) == 10  # a header and the 9 rows said


def test_a_what_if_says_so_before_its_result(change_set, capsys):
    assert main(["evaluate", "--county", "990181", "--year", "2024", "--changes", str(change_set)]) == 0
    out = capsys.readouterr().out.splitlines()
    said = f"假设测算：已应用变更清单 {change_set}（9处变更）。"
    assert out[0] == said + "以下为假设情形下的评估结果，不是实际数据的结论。"
    assert "结论: 达到" in out


def test_a_what_if_in_json_says_so_on_stderr_and_keeps_stdout_one_document(change_set, capsys):
    args = ["evaluate", "--county", "990181", "--year", "2024", "--changes", str(change_set), "--json"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["county_code"] == "990181" and err.startswith("假设测算：已应用变更清单")


def test_without_a_change_set_nothing_is_said_of_one(capsys):
    assert main(["evaluate", "--county", "990123", "--year", "2024"]) == 0
    assert "假设测算" not in capsys.readouterr().out


@pytest.mark.parametrize("command", ["evaluate", "plan", "validate", "report", "run"])
def test_every_command_reading_data_takes_the_bundled_sample_by_default(command):
    extra = ["--county", "990181", "--year", "2024"] if command in ("plan", "report") else []
    assert build_parser().parse_args([command, *extra]).data == str(default_data())


def test_the_summary_says_a_veto_does_not_apply_as_the_report_does(capsys):
    assert main(["evaluate", "--county", "990181", "--year", "2024"]) == 0
    assert "[一票否决] 不存在" in capsys.readouterr().out.splitlines()
    assert main(["evaluate", "--county", "990181", "--year", "2024", "--lang", "en"]) == 0
    assert "[Vetoes] clear" in capsys.readouterr().out.splitlines()


def test_the_narrative_catalogue_names_a_veto_not_its_internal_id(tmp_path):
    out = tmp_path / "990181_2024.md"
    assert main(["narrative", "--county", "990181", "--year", "2024", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    veto = next(line for line in lines if "{{ item.exam_admission.status }}" in line)
    assert veto.rstrip().endswith("以考试方式招生评估结果") and "exam_admission评估结果" not in veto
    # fresh eyes: the prerequisite (基本均衡) was listed as "prerequisite评估结果"
    prerequisite = next(line for line in lines if "{{ item.prerequisite.status }}" in line)
    assert prerequisite.rstrip().endswith("前提条件评估结果"), prerequisite


def test_validate_says_how_many_notes_it_did_not_list(tmp_path, capsys):
    """Fresh eyes: a workbook without its 质量监测 sheet read "错误 0 个，警告 0 个" and nothing more; the
    missing sheet is a note (info), listed only with --all. The summary now says notes were left out."""
    import shutil

    import openpyxl

    path = tmp_path / "990121_2024.xlsx"
    shutil.copy(default_data() / path.name, path)
    wb = openpyxl.load_workbook(path)
    del wb["质量监测"]
    wb.save(path)
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    hint = "另有提示1条（如缺少的工作表）未列出，加 --all 查看。"
    assert out[-2:] == [hint, "共检查学校 83 行：错误 0 个，警告 0 个。"]
    assert main(["validate", str(tmp_path), "--all"]) == 0
    out = capsys.readouterr().out
    assert "质量监测" in out and "未列出" not in out


def test_every_item_not_met_is_said_with_the_figures_it_rests_on(capsys, tmp_path):
    """Fresh eyes (an inspector): `evaluate` printed "G11 …: 未达标" with no value while each coefficient
    had its CV, and a veto that applies under its internal id (key_schools)."""
    assert main(["evaluate", "--county", "990126", "--year", "2024"]) == 0
    out = capsys.readouterr().out.splitlines()
    g11 = next(line for line in out if line.startswith("  G11 "))
    assert g11.endswith("未达标（8.1%；标准：交流轮岗 ≥ 10%；骨干教师 ≥ 20%）"), g11
    g5 = next(line for line in out if line.startswith("  G5 "))
    assert g5.endswith("未达标（3所未达标：云岭中东城关小学、云岭华东镇小学、云岭柳东镇小学）"), g5
    # a share below its standard: the schools after it, said whose they are (a teacher added who has
    # not completed the 360 hours)
    added = tmp_path / "changes.csv"
    added.write_text("school_code,column,delta\n9901210022,teachers_primary,1\n", encoding="utf-8")
    assert main(["evaluate", "--county", "990121", "--year", "2024", "--changes", str(added)]) == 0
    g9 = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("  G9 "))
    assert g9.endswith("未达标（99.97%；标准：≥ 100%；未达标学校：平川花光村小学）"), g9
    assert main(["evaluate", "--county", "990124", "--year", "2024", "--lang", "en"]) == 0
    assert any(
        line.endswith("not met (82.1%; standard: ≥ 85%)") for line in capsys.readouterr().out.splitlines()
    )
    assert main(["evaluate", "--county", "990128", "--year", "2024"]) == 0
    veto = [line for line in capsys.readouterr().out.splitlines() if "设置重点校、重点班" in line]
    assert veto == [
        "  设置重点校、重点班: 存在（西林溪林城关初级中学按入学分班考试成绩设置“实验班”2个"
        "（七年级，共96人），经县教育督导室核实属实）"
    ]
    # an item not assessed has no figures to give
    assert main(["evaluate", "--county", "990125", "--year", "2024"]) == 0
    assert (
        "  G1 县域内义务教育学校规划布局合理，符合国家规定要求: 数据缺失，未评估"
        in capsys.readouterr().out.splitlines()
    )


def test_a_school_below_the_rule_is_said_by_indicator_with_its_values(capsys):
    """Fresh eyes (an inspector): `evaluate` named a failing school's indicators by their column names
    (qualified_teachers_per100, sports_area_per_student) and its section "primary" in Chinese output."""
    assert main(["evaluate", "--county", "990121", "--year", "2024"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        "    ✗ 平川康平村小学 (9901210009, 小学): R1 3.74（标准4.20，为标准的89.1%）；"
        "R5 6.45（标准7.50，为标准的86.1%）" in out
    )
    line = next(x for x in out if "平川溪林村小学" in x)
    assert line.endswith("R6 1,695（标准2,000，为标准的84.7%）") and "_per_" not in "\n".join(out)
    assert main(["evaluate", "--county", "990121", "--year", "2024", "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "    ✗ 平川康平村小学 (9901210009, primary): R1 3.74 (standard 4.20, 89.1% of it); R5 6.45" in en


def test_a_draft_report_says_on_the_command_line_why_and_how_to_make_it_final(tmp_path, capsys):
    """Fresh eyes: `junheng report` without --final printed only the paths of a draft."""
    out = tmp_path / "o"
    assert (
        main(["report", "--county", "990123", "--year", "2024", "--formats", "html", "--out", str(out)]) == 0
    )
    stdout, err = capsys.readouterr()
    assert stdout.splitlines() == [f"html: {out / '990123_2024.html'}", f"json: {out / '990123_2024.json'}"]
    line = err.splitlines()[-1]
    assert line.startswith("本报告为草稿，不得报送：整改费用按示例单价估算，须设定本县整改单价（")
    assert "；未填写发文单位（county.yaml 中的 issuer，或 --issuer）；" in line
    assert line.endswith("。以上各项解决后，加 --final 重新生成正式报送版。")


def test_the_draft_line_in_english_and_with_nothing_left_to_settle(tmp_path):
    from junheng.cli import draft_line
    from junheng.report.run import draft_reasons

    assert draft_line(["no issuing body named", "x"], "en") == (
        "This report is a draft, not for submission: no issuing body named; x. Once these are settled, "
        "run again with --final for the version for submission."
    )
    assert draft_line([], "zh") == "本报告为草稿：已无待解决事项，加 --final 重新生成即为正式报送版。"
    doc = tmp_path / "r.json"
    doc.write_text('{"final": true, "draft_reasons": []}', encoding="utf-8")
    assert draft_reasons(doc) is None  # final: nothing said
    doc.write_text('{"final": false, "draft_reasons": ["未填写发文单位"]}', encoding="utf-8")
    assert draft_reasons(doc) == ["未填写发文单位"]
    doc.write_text("{}", encoding="utf-8")
    assert draft_reasons(doc) is None  # a researcher's notebook: says nothing of it


def test_a_plan_row_of_a_one_section_school_names_its_section_not_the_whole_school(capsys):
    """Fresh eyes: an 初级中学's 体育运动场馆 row read 学段 全校."""
    assert main(["plan", "--county", "990181", "--year", "2024"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if "体育运动场馆" in line]
    assert rows and all(r[0].endswith("初级中学") and r[1] == "初中" for r in rows), rows


def test_the_whole_school_stays_so_where_a_school_has_two_sections():
    import pandas as pd

    import junheng
    from junheng.report.optimal import section_labels

    c = junheng.county("990181", 2024)
    two = c.schools.dropna(subset=["section"]).groupby("school_code")["section"].nunique()
    nine_year, one = two[two > 1].index[0], two[two == 1].index[0]
    rows = pd.DataFrame({"school_code": [nine_year, one, one], "section_name": ["", "", "小学"]})
    only = c.schools.set_index("school_code").loc[[one], "section_name"].iloc[0]
    assert section_labels(c, rows) == ["全校", only, "小学"]


def test_a_cost_without_a_unit_cost_is_explained_under_the_plan(capsys):
    """Fresh eyes: 骨干教师 additions cost "—" with no word of why."""
    assert main(["plan", "--county", "990121", "--year", "2024"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any("骨干教师" in line and line.split()[5] == "—" for line in out)
    assert out[-1] == (
        "注：骨干教师测算费用记为“—”，不计入总费用：骨干教师主要通过培养和认定产生，未设默认单价；"
        "县级可按每人培养费用设定。单价可在数据文件夹的 plan.yaml 中设定"
        "（measures.backbone_teachers.unit_cost）。"
    )
    assert main(["plan", "--county", "990121", "--year", "2024", "--lang", "en"]) == 0
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith(
            "Note: Backbone teachers: cost “—”, not in the total: backbone teachers are mostly trained"
        )
    )


def test_the_report_says_why_under_its_table_without_naming_plan_yaml():
    import junheng
    from junheng.report import optimal

    parts = optimal.section(junheng.county("990121", 2024))
    note = parts[-1].data
    assert note.startswith("注：骨干教师测算费用记为“—”，不计入总费用：") and "plan.yaml" not in note
