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
