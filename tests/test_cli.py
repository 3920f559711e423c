"""`junheng evaluate | validate | template` as a user runs them."""

import json
import subprocess
import sys

from builders import COUNTY, county_row, school, write_tables, write_workbook

from junheng.cli import main


def data(tmp_path):
    return write_tables(
        tmp_path / "d",
        [
            school("0123450001", students_primary=600),
            school("0123450002", "teaching_point", students_primary=40),
            school("0123450003", "junior", students_junior=800),
        ],
    )


def test_evaluate_json_contract(tmp_path, capsys):
    assert main(["evaluate", str(data(tmp_path)), "--county", COUNTY, "--year", "2024", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["county_code"] == "012345" and doc["year"] == 2024 and doc["rules"] == "youzhi-2017"
    assert "passed" in doc
    cv = doc["parts"]["resource"]["cv"]
    assert set(cv) == {"primary", "junior"}
    assert set(cv["primary"]) == {
        "qualified_teachers_per100",
        "backbone_teachers_per100",
        "pe_art_teachers_per100",
        "teaching_space_per_student",
        "sports_area_per_student",
        "equipment_value_per_student",
        "multimedia_rooms_per100",
    }
    assert {(s["school_code"], s["section"], s["passed"]) for s in doc["parts"]["resource"]["schools"]} == {
        ("0123450001", "primary", True),
        ("0123450003", "junior", True),
    }
    assert doc["parts"]["resource"]["excluded"] == [
        {
            "school_code": "0123450002",
            "school_name": "学校0002",
            "section": "primary",
            "school_type": "teaching_point",
            "reason": "small_teaching_point",
            "message": "教学点学生不足50人（40人）",
        }
    ]


def test_evaluate_json_2012_has_composite(tmp_path, capsys):
    assert (
        main(
            [
                "evaluate",
                str(data(tmp_path)),
                "--county",
                COUNTY,
                "--year",
                "2024",
                "--json",
                "--rules",
                "jiben-2012",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["parts"]["resource"]["cv"]["primary"]) == 9
    assert doc["parts"]["resource"]["cv"]["junior"]["composite"] == 0


def test_evaluate_summary_in_english(tmp_path, capsys):
    main(["evaluate", str(data(tmp_path)), "--county", COUNTY, "--year", "2024", "--lang", "en"])
    out = capsys.readouterr().out
    assert "Resource allocation" in out and "Verdict" in out


def test_validate_exit_codes(tmp_path, capsys):
    assert main(["validate", str(data(tmp_path))]) == 0
    rows = [school("0123450001", students_primary=600), school("0123450001", students_primary=300)]
    assert main(["validate", str(write_workbook(tmp_path / "bad.xlsx", rows))]) == 1
    out = capsys.readouterr().out
    assert "第3行" in out and "重复" in out


def test_evaluate_invalid_county_exits_1(tmp_path, capsys):
    rows = [dict(school("0123450001", students_primary=600), students_junior="x")]
    assert main(["evaluate", str(write_workbook(tmp_path / "bad.xlsx", rows)), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "invalid" and doc["passed"] is None


def test_a_county_or_year_not_in_the_data_is_a_message_not_a_crash(tmp_path, capsys):
    for county, year, lang, expected in [
        ("054321", "2024", "zh", "054321（2024年）"),
        (COUNTY, "2019", "en", "012345 (2019)"),
    ]:
        args = ["evaluate", str(data(tmp_path)), "--county", county, "--year", year, "--lang", lang]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err


def test_a_workbook_directory_without_the_county_is_a_message_too(tmp_path, capsys):
    folder = tmp_path / "wbs"
    folder.mkdir()
    write_workbook(folder / "012345_2024.xlsx", [school("0123450001", students_primary=600)])
    assert main(["evaluate", str(folder), "--county", "099999", "--year", "2024"]) == 2
    assert "099999" in capsys.readouterr().err


def test_console_script_keeps_leading_zeros(tmp_path):
    path = write_workbook(
        tmp_path / "w.xlsx", [school("0123450001", students_primary=600)], county=[county_row()]
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "junheng.cli",
            "evaluate",
            str(path),
            "--county",
            "012345",
            "--year",
            "2024",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["county_code"] == "012345"


def test_template_command(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", str(out)]) == 0 and out.exists()


def _helps(parser):
    """Every help text of ``parser`` and its subcommands: (command, option, text)."""
    import argparse

    out = [("", "", parser.description)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                out.append((choice.dest, "", choice.help))
            for name, sub in action.choices.items():
                out += [(name, "/".join(a.option_strings) or a.dest, a.help) for a in sub._actions]
        else:
            out.append(("", "/".join(action.option_strings), action.help))
    return out


def test_every_help_text_is_in_the_users_language():
    """`junheng report --help` showed English option texts under Chinese headings (位置参数, 选项)."""
    import re

    from junheng.cli import build_parser

    cjk = re.compile(r"[\u4e00-\u9fff]")
    # -h's own text is argparse's, translated when printed (locale argparse.help, `_speak`)
    chinese = [h for h in _helps(build_parser("zh")) if h[1] != "-h/--help"]
    assert len(chinese) > 80
    assert not [h for h in chinese if not h[2] or not cjk.search(h[2])], "every option has a Chinese help"
    english = dict(((c, o), h) for c, o, h in _helps(build_parser("en")) if o != "-h/--help")
    assert english[("report", "--county")] == "6-digit county code (leading zeros kept)"
    assert english[("report", "--final")].startswith("issue the version for submission")
    assert not [k for k, h in english.items() if not h or re.search(r"^[\u4e00-\u9fff]", h)]
    by_option = dict(((c, o), h) for c, o, h in chinese)
    assert by_option[("report", "--county")] == "县级行政区划代码（6位，保留开头的0）"


def test_help_is_printed_in_the_language_of_the_command_line(capsys):
    import pytest

    with pytest.raises(SystemExit) as done:
        main(["report", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "选项:" in out or "选项：" in out
    assert "县级行政区划代码（6位，保留开头的0）" in out and "6-digit county code" not in out
    assert "language of the report" not in out and "显示本帮助并退出" in out
    with pytest.raises(SystemExit):
        main(["report", "--lang", "en", "--help"])
    out = capsys.readouterr().out
    assert "6-digit county code (leading zeros kept)" in out and "县级行政区划代码（" not in out
    assert "options:" in out and "show this help message and exit" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "生成一个县一个年度的报告" in out and "显示版本号并退出" in out


def _no_schools_sheet(tmp_path):
    """A sample county-year and one whose workbook lacks its 学校 sheet (the fresh-eyes finding)."""
    import shutil
    from pathlib import Path

    from openpyxl import load_workbook

    sample = Path(__file__).parent.parent / "data" / "sample"
    folder = tmp_path / "broken"
    folder.mkdir()
    shutil.copy(sample / "990102_2024.xlsx", folder)
    wb = load_workbook(sample / "990122_2024.xlsx")
    del wb["学校"]
    wb.save(folder / "990122_2024.xlsx")
    return folder


def test_a_workbook_without_schools_is_listed_as_not_evaluated(tmp_path, capsys):
    """It disappeared from `evaluate` (text and JSON) without a word; `validate` said it."""
    folder = _no_schools_sheet(tmp_path)
    said = f"{folder / '990122_2024.xlsx'}：工作簿中没有“学校”工作表"
    assert main(["evaluate", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "明湖区 (990102)" in out and "河阳县 (990122)" in out and said in out
    assert main(["evaluate", str(folder), "--json"]) == 1
    docs = {d["county_code"]: d for d in json.loads(capsys.readouterr().out)}
    assert docs["990102"]["status"] == "passed" and docs["990122"]["status"] == "invalid"
    assert [p["message"] for p in docs["990122"]["problems"] if p["severity"] == "error"] == [
        f"[错误] {said}"
    ]


def test_without_schools_reads_the_workbook_once_as_the_loader_does(tmp_path, monkeypatch):
    """It read a CODE_YEAR workbook a second way (alone, unchecked), then loaded it again when it
    had no schools: the county-year is read as `load` reads it, once, and checked only when needed."""
    from junheng.inputs import dataset, sources

    folder = _no_schools_sheet(tmp_path)
    read = []
    real = sources.read_workbook
    monkeypatch.setattr(
        sources, "read_workbook", lambda path, problems: read.append(path.name) or real(path, problems)
    )
    errors = dataset.without_schools(folder, "990122", 2024)
    assert read == ["990122_2024.xlsx"]
    loaded = dataset.load(folder, ["990122"], [2024])
    assert [p.message() for p in errors] == [p.message() for p in loaded.problems if p.severity == "error"]
    assert [p.message() for p in errors] == [
        f"[错误] {folder / '990122_2024.xlsx'}：工作簿中没有“学校”工作表"
    ]
    read.clear()
    assert dataset.without_schools(folder, "990102", 2024) == [] and read == ["990102_2024.xlsx"]


def test_a_report_without_schools_stops_before_a_kernel_starts(tmp_path, capsys, monkeypatch):
    folder = _no_schools_sheet(tmp_path)

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr("junheng.report.run.report", no_kernel)
    args = ["report", str(folder), "--county", "990122", "--year", "2024", "--out", str(tmp_path / "o")]
    assert main(args) == 1
    assert (
        capsys.readouterr().err.strip() == f"[错误] {folder / '990122_2024.xlsx'}：工作簿中没有“学校”工作表"
    )
    assert main([*args, "--lang", "en"]) == 1
    assert "has no 'schools' sheet (学校)" in capsys.readouterr().err
