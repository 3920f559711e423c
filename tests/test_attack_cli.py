"""Issue #22: the command line answers in the user's language, without tracebacks.

argparse's own messages (`--year abc`), a --notebook that is not a notebook or has no code, a
dead kernel, an invalid mapping YAML.
"""

from pathlib import Path

import nbformat
import pytest

from junheng.cli import main

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"


def test_argparse_messages_in_chinese_by_default(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", str(SAMPLE), "--year", "abc"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：junheng evaluate")
    assert err.rstrip().endswith("junheng evaluate：错误：参数 --year：无效的值 'abc'（应为 int）")


def test_argparse_messages_in_english_with_lang_en(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", str(SAMPLE), "--year", "abc", "--lang", "en"])
    err = capsys.readouterr().err
    assert err.startswith("usage: junheng evaluate")
    assert err.rstrip().endswith("junheng evaluate: error: argument --year: invalid int value: 'abc'")


def test_a_missing_argument_is_said_in_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["report"])
    assert "junheng report：错误：缺少必需的参数：--county, --year" in capsys.readouterr().err


def notebooks(tmp_path):
    bad = tmp_path / "not.ipynb"
    bad.write_text("not json", encoding="utf-8")
    empty = tmp_path / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), str(empty))
    return bad, empty, tmp_path / "missing.ipynb"


@pytest.mark.parametrize("command", ["run", "report"])
def test_a_notebook_that_is_not_one_is_said_in_one_line(tmp_path, capsys, command):
    bad, empty, missing = notebooks(tmp_path)
    extra = ["--county", "990102", "--year", "2024"] if command == "report" else []
    out = ["--out", str(tmp_path / "out")]
    expected = [
        (bad, f"{bad} 不是可读取的笔记本文件（Notebook does not appear to be JSON: 'not json'）"),
        (empty, f"{empty} 中没有任何代码单元格：不是报告笔记本"),
        (missing, f"找不到笔记本文件 {missing}"),
    ]
    for notebook, message in expected:
        assert (
            main([command, str(SAMPLE / "990102_2024.xlsx"), "--notebook", str(notebook), *extra, *out]) == 2
        )
        err = capsys.readouterr().err
        assert err.strip() == message and "Traceback" not in err
    main([command, str(SAMPLE / "990102_2024.xlsx"), "--notebook", str(empty), *extra, *out, "--lang", "en"])
    assert capsys.readouterr().err.strip() == f"{empty} has no code cell: it is not a report notebook"


def test_a_dead_kernel_is_said_in_words():
    from nbclient.exceptions import DeadKernelError

    from junheng.report.run import describe_failure

    assert describe_failure(DeadKernelError("Kernel died"), "zh").startswith("执行笔记本的内核意外退出")
    assert describe_failure(DeadKernelError("Kernel died"), "en").startswith(
        "the kernel running the notebook died"
    )


def test_an_invalid_mapping_yaml_is_located_in_the_users_language():
    from junheng.inputs.statistics.mapping import MappingError, parse_mapping

    with pytest.raises(MappingError) as caught:
        parse_mapping("fields: [unclosed\n  a: b: c\n", "bad.yaml")
    assert caught.value.detail == {
        "zh": "YAML 格式错误（第2行第4列）",
        "en": "not valid YAML (line 2, column 4)",
    }


# -- finding 9: smaller ones ------------------------------------------------------------------------
def test_render_with_an_unknown_format_exits_2(tmp_path, capsys):
    assert main(["render", str(tmp_path / "x.ipynb"), "--formats", "bogus"]) == 2
    said = capsys.readouterr().err
    assert "--formats 只能是 html, pdf, docx 中的一个或多个（以逗号分隔），收到“bogus”" in said


def test_formats_json_is_accepted():
    from junheng.inputs.codes import formats

    assert formats("html,json") == ("html", "json")


def test_template_refuses_to_overwrite_and_a_csv_name(tmp_path, capsys):
    out = tmp_path / "模板.xlsx"
    out.write_bytes(b"filled in")
    assert main(["template", str(out)]) == 2
    assert capsys.readouterr().err.strip() == f"{out} 已存在，未覆盖（确需覆盖请加 --force）"
    assert out.read_bytes() == b"filled in"
    assert main(["template", str(tmp_path / "schools.csv")]) == 2
    assert "文件名应以 .xlsx 结尾" in capsys.readouterr().err and not (tmp_path / "schools.csv").exists()
    assert main(["template", str(out), "--force"]) == 0 and out.read_bytes()[:2] == b"PK"


def test_dask_starts_no_more_workers_than_tasks(monkeypatch, tmp_path):
    pytest.importorskip("dask.distributed")
    import dask.distributed

    from junheng.batch import runner
    from junheng.batch.tasks import plan

    started = {}

    class Stop(Exception):
        pass

    def fake_cluster(n_workers, **kwargs):
        started["n"] = n_workers
        raise Stop

    monkeypatch.setattr(dask.distributed, "LocalCluster", fake_cluster)
    todo = [t for t in plan(SAMPLE) if t.key == "990102_2024"]
    with pytest.raises(Stop):
        list(runner._dask(todo, tmp_path, 4, None))
    assert started["n"] == 1
