"""What a junheng process imports before it runs a notebook (issue #21: the cost of start-up)."""

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

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


# The two tests marked below read one fresh interpreter that did what each did in one of its own
# (issue #21: a county evaluated and papermill imported, seconds of CPU each): what one must not
# import, the other's work must not import either, so each still fails when its own step imports it.
PAPERMILL = "import junheng, papermill, nbformat\nnbformat.validate(nbformat.v4.new_notebook())\n"
COUNTY = "import junheng\njunheng.county('990123', 2024)\n"


@pytest.fixture(scope="module")
def county_then_papermill() -> set[str]:
    return _modules_after(COUNTY + PAPERMILL)


def test_papermill_after_junheng_does_not_build_the_iri_grammar(county_then_papermill):
    # jsonschema (through nbformat) would import rfc3987_syntax, whose Lark grammar costs ~1.8 s of CPU
    loaded = county_then_papermill
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


def test_a_folder_of_template_workbooks_does_not_import_the_statistics_importer(county_then_papermill):
    # issue #21: the exports' reader and parent maps are imported only for a folder that may hold exports
    loaded = county_then_papermill  # (one process with the test above)
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
