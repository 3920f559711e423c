"""Issue #11 at the entry points: county codes checked before any path is built (item 1), file-system
errors as one line naming the path (item 5), one-line errors with exit 2 for malformed overlays,
--jobs 0 and unknown --formats, literal user text in charts, no kernel noise on the terminal."""

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from junheng.cli import main
from junheng.errors import UserError, naming, os_error_message

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
BAD_CODES = ["../../../x", "/tmp/x", "99010", "9901020", "９９０１０２", "99010a", ""]


# -- item 1: county codes -----------------------------------------------------------------------------
@pytest.mark.parametrize("code", BAD_CODES)
def test_report_refuses_a_bad_county_code_before_any_path_is_built(tmp_path, monkeypatch, capsys, code):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "deep" / "er" / "reports"
    assert main(["report", "--county", code, "--year", "2024", str(SAMPLE), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"县级行政区划代码应为6位数字，收到“{code}”\n"
    assert not list(tmp_path.rglob("*")), "nothing may be written"


def test_every_command_and_the_api_check_county_codes(tmp_path, capsys):
    assert main(["evaluate", str(SAMPLE), "--county", "../x", "--lang", "en"]) == 2
    assert capsys.readouterr().err == "a county code is 6 digits; got '../x'\n"
    assert main(["run", str(SAMPLE), "--counties", "990102", "/etc/x", "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == "县级行政区划代码应为6位数字，收到“/etc/x”\n"
    assert main(["report", "--county", "990102", "--year", "24", "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == "年度应为1949至2100之间的整数，收到“24”\n"
    assert not (tmp_path / "r").exists()
    from junheng.batch.tasks import plan
    from junheng.report.run import execute, report

    for call in (
        lambda: report("../../x", 2024, SAMPLE, out_dir=tmp_path / "r"),
        lambda: execute("/abs/x", 2024, SAMPLE, work_dir=tmp_path / "w"),
        lambda: plan(SAMPLE, counties=["../x"]),
    ):
        with pytest.raises(UserError):
            call()
    assert not (tmp_path / "r").exists() and not (tmp_path / "w").exists()


# -- one-line errors, exit 2 ----------------------------------------------------------------------
def test_malformed_overlay_jobs_0_and_unknown_formats_are_one_line_exit_2(tmp_path, capsys):
    overlay = tmp_path / "province.yaml"
    overlay.write_text("guarantee:\n  G7: {min_per_student: 8000\n", encoding="utf-8")
    for command in (
        ["evaluate", str(SAMPLE / "990102_2024.xlsx")],
        ["run", str(SAMPLE), "--out", str(tmp_path / "r")],
        ["report", "--county", "990102", "--year", "2024", "--out", str(tmp_path / "r")],
    ):
        assert main([*command, "--overlay", str(overlay)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"“{overlay}”不是有效的规则覆盖文件（第3行：") and err.count("\n") == 1, err
    overlay.write_text("- a list\n- not a mapping\n", encoding="utf-8")
    assert (
        main(["evaluate", str(SAMPLE / "990102_2024.xlsx"), "--overlay", str(overlay), "--lang", "en"]) == 2
    )
    assert (
        capsys.readouterr().err
        == f"'{overlay}' is not a valid overlay file (line 1: list): expected a YAML mapping\n"
    )
    assert main(["evaluate", str(SAMPLE / "990102_2024.xlsx"), "--overlay", "atlantis"]) == 2
    assert capsys.readouterr().err.startswith(
        "未知的地方标准或规则选项“atlantis”（可选：exclude-private、liaoning"
    )
    assert main(["run", str(SAMPLE), "--jobs", "0", "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == "--jobs 应为不小于1的整数，收到 0\n"
    assert main(["run", str(SAMPLE), "--formats", "html,odt", "--out", str(tmp_path / "r")]) == 2
    assert (
        capsys.readouterr().err
        == "--formats 只能是 html, pdf, xlsx, docx, json 中的一个或多个（以逗号分隔），收到“html,odt”\n"
    )
    assert main(["report", "--county", "990102", "--year", "2024", "--formats", ",", "--lang", "en"]) == 2
    assert (
        capsys.readouterr().err
        == "--formats takes one or more of html, pdf, xlsx, docx, json (comma-separated); got ','\n"
    )
    assert not (tmp_path / "r").exists()


SAMPLE_COUNTIES = (
    "990102 明湖区（2021–2024）；990121 平川县（2021–2024）；990122 河阳县（2021–2024）；"
    "990123 石门县（2021–2024）；990124 新港县（2021–2024）；990125 柳溪县（2021–2024）；"
    "990126 云岭县（2021–2024）；990127 东坪县（2021–2024）；990128 西林县（2021–2024）；"
    "990181 清源市（2021–2024）"
)


def test_a_selection_matching_nothing_is_said(tmp_path, capsys):
    assert (
        main(["run", str(SAMPLE), "--counties", "990102", "--years", "2031", "--out", str(tmp_path / "r")])
        == 2
    )
    assert capsys.readouterr().err == (
        f"{SAMPLE} 中没有符合条件的县和年度（--counties 990102, --years 2031）。现有年度：2021–2024\n"
    )
    assert not (tmp_path / "r").exists(), "refused before anything is made"
    # the years the data have: one list when the counties share them, else per county
    assert main(["run", str(SAMPLE), "--years", "2031", "--out", str(tmp_path / "r"), "--lang", "en"]) == 2
    assert (
        capsys.readouterr().err
        == f"no county-year of {SAMPLE} matches (--years 2031). Years there: 2021–2024\n"
    )
    data = tmp_path / "data"
    data.mkdir()
    for name in ("990102_2023", "990102_2024", "990126_2021", "990126_2022"):
        shutil.copy(SAMPLE / f"{name}.xlsx", data)
    assert main(["run", str(data), "--years", "2025", "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err == (
        f"{data} 中没有符合条件的县和年度（--years 2025）。"
        "现有的县和年度：990102 明湖区（2023, 2024）；990126 云岭县（2021, 2022）\n"
    )


def test_run_refuses_a_county_code_the_data_lacks_and_lists_those_it_has(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", str(SAMPLE), "--counties", "990999", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"数据 {SAMPLE} 中没有县级代码 990999。现有的县：{SAMPLE_COUNTIES}\n"
    # one code of several: refused, the others not run either
    assert main(["run", str(SAMPLE), "--counties", "990126,990812", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"数据 {SAMPLE} 中没有县级代码 990812。现有的县：{SAMPLE_COUNTIES}\n"
    # a slip of typing (two digits swapped): did you mean, with the county's name
    assert (
        main(["run", str(SAMPLE), "--counties", "990126", "990811", "--out", str(out), "--lang", "en"]) == 2
    )
    assert capsys.readouterr().err.startswith(
        f"no county 990811 (did you mean 990181 清源市?) in the data {SAMPLE}. Counties there: 990102 明湖区"
    )
    assert not out.exists(), "refused before anything is made: no reports folder, no cached plan in it"
    # a reports folder already there: refused the same way, nothing added to it
    out.mkdir()
    assert main(["run", str(SAMPLE), "--counties", "990999", "--out", str(out)]) == 2
    assert "中没有县级代码 990999。" in capsys.readouterr().err
    assert not list(out.iterdir())


def test_report_offers_the_county_a_mistyped_code_may_mean(tmp_path, capsys):
    assert (
        main(["report", str(SAMPLE), "--county", "990162", "--year", "2024", "--out", str(tmp_path / "r")])
        == 2
    )
    assert capsys.readouterr().err == (
        f"数据 {SAMPLE} 中没有县级代码 990162（是否应为 990102 明湖区 或 990122 河阳县 或 990126 云岭县？）。"
        f"现有的县：{SAMPLE_COUNTIES}\n"
    )


def test_close_codes_are_one_slip_of_typing_away():
    from junheng.report.run import close_codes

    known = ["990102", "990126", "990181", "110105"]
    assert close_codes("990162", known) == ["990102", "990126"]  # a digit wrong; two neighbours swapped
    assert close_codes("990811", known) == ["990181"]
    assert close_codes("990999", known) == []
    assert close_codes("990102", known) == []  # itself is not a slip


def test_run_of_a_folder_that_does_not_exist_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "数据2024", "--out", "r"]) == 2
    assert capsys.readouterr().err == f"数据文件夹不存在：数据2024（相对于当前目录 {tmp_path}）\n"
    assert main(["run", str(tmp_path / "x" / "990102_2024.xlsx"), "--out", "r", "--lang", "en"]) == 2
    assert capsys.readouterr().err == f"the data file does not exist: {tmp_path / 'x' / '990102_2024.xlsx'}\n"
    assert not list(tmp_path.iterdir()), "nothing may be written (no reports folder, no index)"


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate"],
        ["evaluate", "--county", "990102", "--year", "2024"],
        ["validate"],
        ["plan", "--county", "990102", "--year", "2024"],
        ["report", "--county", "990102", "--year", "2024", "--out", "r"],
        ["narrative", "--county", "990102", "--year", "2024"],
    ],
)
def test_every_command_says_a_data_path_does_not_exist(command, tmp_path, monkeypatch, capsys):
    """As `run` does (`codes.data_path`): not a file problem, nor a county missing from the data."""
    monkeypatch.chdir(tmp_path)
    assert main([command[0], "数据2024", *command[1:]]) == 2
    assert capsys.readouterr() == ("", f"数据文件夹不存在：数据2024（相对于当前目录 {tmp_path}）\n")
    book = str(tmp_path / "990102_2024.xlsx")
    assert main([command[0], book, *command[1:], "--lang", "en"]) == 2
    assert capsys.readouterr().err == f"the data file does not exist: {book}\n"
    assert not list(tmp_path.iterdir()), "nothing may be written"


def test_evaluate_of_data_without_schools_names_no_empty_county(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path)]) == 2
    assert capsys.readouterr().err.endswith(
        "\n数据中没有可评估的学校。请检查代码和年度；junheng validate 可列出全部数据问题。\n"
    )
    assert main(["evaluate", str(tmp_path), "--year", "2031", "--lang", "en"]) == 2
    assert "\nNo schools to evaluate in the data (2031). Check the code" in capsys.readouterr().err


# -- item 5: file-system errors -------------------------------------------------------------------
def test_os_errors_become_one_line_naming_the_path():
    with pytest.raises(OSError) as caught, naming("reports/index.html"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # a write on a full disk names no file
    assert os_error_message(caught.value) == "“reports/index.html”：磁盘空间不足（No space left on device）"
    assert (
        os_error_message(caught.value, "en")
        == "reports/index.html: the disk is full (No space left on device)"
    )
    denied = PermissionError(errno.EACCES, "Permission denied", "reports/.990102_2024.html.x1y2.tmp")
    assert (
        os_error_message(denied) == "“reports”：没有读写权限（Permission denied）"
    )  # the folder, not our temp file


def test_a_full_disk_while_writing_the_index_is_one_line(tmp_path, monkeypatch, capsys):
    import junheng.batch.runner as runner

    def full(out, manifest, lang="zh"):
        with naming(out / "index.html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(runner, "write_index", full)
    empty = tmp_path / "data"
    empty.mkdir()
    assert main(["run", str(empty), "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert err == f"“{tmp_path / 'r' / 'index.html'}”：磁盘空间不足（No space left on device）\n"


def _unprivileged():
    """A command prefix under which a chmod 555 folder really is read-only (root ignores it)."""
    if os.geteuid() != 0:
        return []
    probe = ["unshare", "--user", "--map-user=1000", "--map-group=1000", "true"]
    if shutil.which("unshare") and subprocess.run(probe, capture_output=True).returncode == 0:
        return probe[:-1]
    pytest.skip("running as root without user namespaces: a read-only folder cannot be made")


def test_a_read_only_reports_folder_is_one_line_before_any_work(tmp_path):
    prefix = _unprivileged()
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(0o555)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    try:
        for command in (
            ["run", str(SAMPLE), "--counties", "990102", "--years", "2024", "--formats", "html"],
            ["report", "--county", "990102", "--year", "2024", "--formats", "html"],
        ):
            done = subprocess.run(
                [*prefix, sys.executable, "-m", "junheng.cli", *command, "--out", str(out)],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert done.returncode == 1, done.stderr
            assert done.stderr == f"“{out}”：没有读写权限（Permission denied）\n"
            assert not list(out.iterdir())
    finally:
        out.chmod(0o755)


# -- clear messages: no kernel noise, literal chart text ---------------------------------------------
def test_a_report_prints_no_kernel_noise_and_leaves_no_socket_folder(tmp_path):
    """IPC kernels: no 'running over TCP without encryption'; no interrupt on shutdown: no
    'KeyboardInterrupt caught in kernel'; the kernels' socket folder is removed.

    The kernel of the small report notebook (the report's parameters, the county evaluated and
    shown): what is under test is the kernel's start and shutdown, not the report's cells (issue #21)."""
    import tempfile

    from small_notebook import small_notebook

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    command = [sys.executable, "-m", "junheng.cli", "report", str(SAMPLE / "990128_2024.xlsx")]
    command += ["--county", "990128", "--year", "2024", "--formats", "html", "--out", str(tmp_path / "r")]
    command += ["--notebook", str(small_notebook(tmp_path))]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    # nothing but the line saying why the report is a draft (990128 has no county text): no kernel noise
    assert len(err.splitlines()) == 1 and err.startswith("本报告为草稿，不得报送："), err
    assert out.splitlines()[0] == f"html: {tmp_path / 'r' / '990128_2024.html'}"
    assert not list(Path(tempfile.gettempdir()).glob(f"junheng-run-{process.pid}-*"))


def test_user_text_in_charts_is_literal(tmp_path):
    """A county named with '$' (matplotlib mathtext: "$$" is a syntax error) breaks no chart."""
    import io

    import junheng
    from junheng.inputs.dataset import load
    from junheng.report import charts

    ds = load(SAMPLE / "990102_2024.xlsx")
    data = tmp_path / "data"
    data.mkdir()
    for name in ("schools", "county", "monitoring", "survey"):
        frame = getattr(ds, name).drop(columns=["_file", "_sheet", "_row", "_bad"])
        if "county_name" in frame:
            frame["county_name"] = "明湖$$区"
        frame.to_csv(data / f"{name}.csv", index=False)
    province = junheng.province(data)
    figure = charts.province_heatmap(province.coefficients, province.latest, province.names)
    svg = io.BytesIO()
    figure.savefig(svg, format="svg")  # with mathtext: a ParseException
    county = junheng.county("990102", 2024, data)
    charts.school_ratios(county.indicators, county.evaluated_schools, "primary").savefig(
        io.BytesIO(), format="svg"
    )
    assert svg.getvalue().startswith(b"<?xml")


def test_an_unreadable_workbook_or_folder_is_said_not_skipped(tmp_path):
    prefix = _unprivileged()
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    shutil.copy(SAMPLE / "990102_2024.xlsx", data)
    shutil.copy(SAMPLE / "990181_2024.xlsx", data / "sub")
    (data / "sub").chmod(0o000)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    try:
        done = subprocess.run(
            [*prefix, sys.executable, "-m", "junheng.cli", "validate", str(data)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        (data / "sub").chmod(0o755)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"[错误] {data / 'sub'}：无法读取文件：没有读取权限（PermissionError: [Errno 13] Permission denied: "
        f"'{data / 'sub'}'）",
        "共检查学校 60 行：错误 1 个，警告 0 个。",
    ]
