"""`junheng report` / `junheng run` check a notebook's parameters before a kernel starts (issue #20).

Every failing case asserts that no kernel was started: ``papermill.execute_notebook`` (report) and the
batch runner (run) are replaced by recorders that must stay unused. Messages are those of the command
line, in the language of the run.
"""

import json
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from junheng.cli import main
from junheng.report import params

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
BUNDLED = ROOT / "notebooks" / "county_report.ipynb"


class Stop(Exception):
    """Raised by the recorder in place of a kernel run."""


@pytest.fixture
def kernels(monkeypatch):
    """The calls to papermill.execute_notebook and to the batch runner (none may happen on an error)."""
    calls = []

    def execute(*args, **kwargs):
        calls.append(("papermill", kwargs.get("parameters")))
        raise Stop("no kernel in this test")

    def run(*args, **kwargs):
        calls.append(("run", kwargs.get("parameters")))
        raise Stop("no batch in this test")

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    monkeypatch.setattr("junheng.batch.runner.run", run)
    return calls


def minimal_notebook(path: Path, parameters: str = "county_code = None") -> Path:
    """A notebook of one's own without junheng's parameters (as tests/test_batch.py builds one)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(county_code)"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def report(tmp_path, *extra):
    return main(
        ["report", str(SAMPLE), "--county", "990102", "--year", "2024", "--out", str(tmp_path / "o")]
        + list(extra)
    )


# -- names -----------------------------------------------------------------------------------------


def test_the_declared_parameters_are_papermills(tmp_path):
    """The names read before a kernel starts are those papermill's inspect_notebook gives."""
    mine = minimal_notebook(tmp_path / "mine.ipynb", "county_code = None\nthreshold: float = 0.5  # mine\n")
    for path in (BUNDLED, mine):
        assert params.declared_parameters(path) == list(papermill.inspect_notebook(str(path)))
    assert params.declared_parameters(mine) == ["county_code", "threshold"]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "bare.ipynb")
    assert params.declared_parameters(tmp_path / "bare.ipynb") is None


def test_values_are_typed_as_papermill_types_them():
    assert params.given_parameters(
        [["a", "True"], ["b", "3"], ["c", "0.5"], ["d", "None"], ["e", "x y"]]
    ) == {
        "a": True,
        "b": 3,
        "c": 0.5,
        "d": None,
        "e": "x y",
    }


def test_a_misspelled_parameter_stops_report_before_the_kernel(tmp_path, capsys, kernels):
    assert report(tmp_path, "-p", "yaer", "2024") == 2
    err = capsys.readouterr().err
    assert "笔记本没有参数“yaer”，是否想用“year”？" in err and "county_code、year、rules" in err
    assert kernels == []


def test_in_english_for_a_notebook_of_ones_own(tmp_path, capsys, kernels):
    mine = tmp_path / "mine.ipynb"
    shutil.copy(BUNDLED, mine)
    assert report(tmp_path, "--notebook", str(mine), "--lang", "en", "-p", "yaer", "2024") == 2
    err = capsys.readouterr().err
    assert "the notebook has no parameter 'yaer' — did you mean 'year'?" in err
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in err)  # no Chinese in an English run
    assert kernels == []


def test_a_parameter_junheng_gives_by_option_is_refused_naming_the_option(tmp_path, capsys, kernels):
    assert report(tmp_path, "-p", "year", "2023", "--lang", "en") == 2
    assert "'year' cannot be given with -p" in capsys.readouterr().err
    assert report(tmp_path, "-p", "overlays", "liaoning") == 2
    assert "参数“overlays”不能用 -p 给出：junheng 按选项 --overlay 传给笔记本" in capsys.readouterr().err
    assert report(tmp_path, "-p", "json_path", "x.json") == 2
    assert "参数“json_path”由 junheng 设定" in capsys.readouterr().err
    assert kernels == []


def test_an_unknown_overlay_and_a_county_not_in_the_data_fail_before_the_kernel(tmp_path, capsys, kernels):
    assert report(tmp_path, "--overlay", "liaonin") == 2
    assert "未知的地方标准或规则选项“liaonin”，是否想用“liaoning”？" in capsys.readouterr().err
    code = main(["report", str(SAMPLE), "--county", "123456", "--year", "2024", "--lang", "en"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"no county 123456 in the data {SAMPLE}. Counties there: 990102 明湖区 (2021–2024); " in err
    code = main(["report", str(SAMPLE), "--county", "990102", "--year", "2031", "--lang", "en"])
    assert code == 2
    assert "Years there: 2021–2024" in capsys.readouterr().err
    assert kernels == []


def test_a_minimal_notebook_gets_only_the_unknown_name_check(tmp_path, capsys, kernels):
    mine = minimal_notebook(tmp_path / "mine.ipynb", "county_code = None\nthreshold: float = 0.5\n")
    # a name it has: passed on, typed; junheng's own parameters go as always (papermill warns only)
    assert report(tmp_path, "--notebook", str(mine), "-p", "threshold", "0.6") == 1
    assert len(kernels) == 1
    given = kernels[0][1]
    assert given["threshold"] == 0.6 and given["county_code"] == "990102" and given["year"] == 2024
    # a name it has not
    assert report(tmp_path, "--notebook", str(mine), "-p", "threshhold", "0.6", "--lang", "en") == 2
    err = capsys.readouterr().err
    assert (
        "no parameter 'threshhold' — did you mean 'threshold'? (its parameters: county_code, threshold)"
        in err
    )
    # an option the notebook does not take would be ignored silently: refused
    assert report(tmp_path, "--notebook", str(mine), "--overlay", "liaoning", "--lang", "en") == 2
    assert "no parameter 'overlays (--overlay)'" in capsys.readouterr().err
    assert len(kernels) == 1


def test_run_checks_the_notebooks_parameters_before_any_work(tmp_path, capsys, kernels):
    mine = tmp_path / "mine.ipynb"
    shutil.copy(BUNDLED, mine)
    out = tmp_path / "o"
    assert main(["run", str(SAMPLE), "--out", str(out), "--notebook", str(mine), "-p", "lnag", "en"]) == 2
    assert "笔记本没有参数“lnag”，是否想用“lang”？" in capsys.readouterr().err
    assert main(["run", str(SAMPLE), "--out", str(out), "-p", "year", "2024", "--lang", "en"]) == 2
    assert "from the option --year" in capsys.readouterr().err
    assert kernels == [] and not out.exists()
    # a parameter the notebook has reaches the runner
    mine2 = minimal_notebook(tmp_path / "mine2.ipynb", "county_code = None\nnote = ''\n")
    with pytest.raises(Stop):
        main(["run", str(SAMPLE), "--out", str(out), "--notebook", str(mine2), "-p", "note", "hello"])
    assert kernels == [("run", {"note": "hello"})]


def test_parameters_are_part_of_a_tasks_fingerprint_only_when_given():
    import hashlib
    from dataclasses import asdict, replace

    from junheng.batch.tasks import Task, fingerprint_parts

    task = Task("990102", 2024, str(SAMPLE))
    before = {k: v for k, v in asdict(task).items() if k not in ("files", "data", "notebook", "final")}
    before.pop("parameters")
    digest = hashlib.sha256(json.dumps(before, sort_keys=True, default=list).encode()).hexdigest()
    assert fingerprint_parts(task)["params"] == digest  # as it was before -p existed
    other = replace(task, parameters=(("note", "hello"),))
    assert fingerprint_parts(other)["params"] != digest


def test_a_kept_failed_notebook_is_not_paired_with_a_py_file(tmp_path):
    """Opened in JupyterLab with jupytext, a paired notebook writes a .py beside it on its first save."""
    from junheng.report.run import keep_failed

    nb = nbformat.read(BUNDLED, as_version=4)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    nb.metadata["kernelspec"]["display_name"] = "Python 3 (ipykernel)"
    executed = tmp_path / "run.ipynb"
    nbformat.write(nb, executed)
    kept = keep_failed(executed, tmp_path / "failed" / "990102_2024.ipynb")
    again = nbformat.read(kept, as_version=4)
    assert "jupytext" not in again.metadata and again.metadata["kernelspec"]["name"] == "python3"


def test_a_kept_failed_notebook_is_trusted_so_its_svg_charts_show(tmp_path, monkeypatch):
    """JupyterLab shows an untrusted notebook's SVG output as text; the kept failure's charts are SVG."""
    from nbformat.sign import NotebookNotary

    from junheng.report.run import keep_failed

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))  # the user's notary key and database
    nb = nbformat.read(BUNDLED, as_version=4)
    svg = nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>", "text/plain": "<Figure>"})
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.outputs = [svg]
    executed = tmp_path / "run.ipynb"
    nbformat.write(nb, executed)
    assert not NotebookNotary().check_signature(nbformat.read(executed, as_version=4))
    kept = keep_failed(executed, tmp_path / "failed" / "990102_2024.ipynb")
    assert NotebookNotary().check_signature(nbformat.read(kept, as_version=4))
    assert (tmp_path / "jupyter" / "nbsignatures.db").exists()


def test_the_notebooks_name_the_kernel_as_jupyterlab_does():
    """A display name other than ipykernel's makes JupyterLab mark the notebook changed when it opens
    (and autosave it: an executed report rewritten, a git diff in the source)."""
    for name in ("county_report", "province_overview"):
        nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"] == {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        }


def test_the_counties_a_message_lists_are_named_without_loading_every_workbook():
    """The names read from the raw 县级行政区名称 column are those of the checked data."""
    import junheng
    from junheng.report.run import _book_county_name

    names = junheng.counties(SAMPLE).drop_duplicates("county_code", keep="last")
    for code, name in zip(names["county_code"], names["county_name"], strict=True):
        assert _book_county_name(SAMPLE / f"{code}_2024.xlsx") == name
    assert len(names) == 10
