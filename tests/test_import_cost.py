"""What a junheng process imports before it runs a notebook (issue #21: the cost of start-up)."""

import subprocess
import sys
from importlib import metadata
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    ).stdout
    return set(out.split())


def test_papermill_after_junheng_does_not_build_the_iri_grammar():
    # jsonschema (through nbformat) would import rfc3987_syntax, whose Lark grammar costs ~1.8 s of CPU
    code = "import junheng, papermill, nbformat\nnbformat.validate(nbformat.v4.new_notebook())"
    loaded = _modules_after(code)
    assert "nbformat" in loaded and "jsonschema" in loaded
    assert "lark" not in loaded


def test_without_junheng_the_grammar_is_built_so_the_test_above_can_fail():
    # (this process imported junheng through conftest, so ask the installed distributions, not import)
    try:
        metadata.distribution("rfc3987-syntax")
    except metadata.PackageNotFoundError:
        return  # not installed: nothing to skip, the first test holds trivially on this machine
    loaded = _modules_after("import nbformat")
    assert "lark" in loaded


def test_a_folder_of_template_workbooks_does_not_import_the_statistics_importer():
    # issue #21: the exports' reader and parent maps are imported only for a folder that may hold exports
    code = "import junheng\njunheng.county('990123', 2024)"
    loaded = _modules_after(code)
    assert "junheng.report.county" in loaded and "junheng.inputs.sources" in loaded
    assert "junheng.inputs.statistics.source" not in loaded
    assert "junheng.inputs.statistics.parents" not in loaded


def test_a_workbook_without_a_template_sheet_may_hold_exports(tmp_path):
    from openpyxl import Workbook

    from junheng.inputs.sources import _may_hold_exports

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    assert not _may_hold_exports(sample) and not _may_hold_exports(tmp_path / "missing")
    book = Workbook()
    book.active.title = "基础基表"  # an export's sheet, no sheet of the template
    book.save(tmp_path / "export.xlsx")
    assert _may_hold_exports(tmp_path) and _may_hold_exports(tmp_path / "export.xlsx")
    assert _may_hold_exports([tmp_path / "export.xlsx"])
    (tmp_path / "schools.csv").write_text("school_code\n", encoding="utf-8")  # a folder of tables
    assert not _may_hold_exports(tmp_path)
