"""A lower stage never imports a higher one (inputs → method → planning → report → batch), read from
every import statement of the source, those inside functions too.

Checked: inputs, method and planning never import the report or the batch runner. (Imports among
inputs, method and planning themselves — the targets a dataset attaches, the template's plan sheet —
are not checked here.)"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "junheng"
STAGES = ("inputs", "method", "planning", "report", "batch")


def imported(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import of a module of ``package``, at any depth; relative ones resolved."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            # `from junheng import report` imports the module junheng.report
            out += [(node.lineno, base)] + [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def higher(module: str, stage: str) -> bool:
    """Whether ``module`` belongs to a stage after ``stage``."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "junheng" or parts[1] not in STAGES:
        return False
    return STAGES.index(parts[1]) > STAGES.index(stage)


@pytest.mark.parametrize("stage", STAGES[:3])
def test_no_module_of_inputs_method_or_planning_imports_the_report_or_the_batch_runner(stage):
    found = [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in sorted((SRC / stage).rglob("*.py"))
        for line, module in imported(
            path.read_text(encoding="utf-8"), ".".join(("junheng", *path.relative_to(SRC).parent.parts))
        )
        if higher(module, "planning")
    ]
    assert found == []


def test_the_scan_sees_imports_inside_functions_and_relative_ones():
    source = "def f():\n    from junheng import report\n    from ..report.tables import build\n"
    modules = [m for _, m in imported(source, "junheng.planning")]
    assert "junheng.report" in modules and "junheng.report.tables" in modules
    assert higher("junheng.report.format", "planning") and not higher("junheng.method.rules", "planning")
    assert not higher("junheng.format", "planning")  # the formatters sit below every stage


def test_the_report_formatters_are_the_shared_ones():
    from junheng import format as shared
    from junheng.report import format as fmt

    assert fmt.against is shared.against and fmt.MISSING == "—"
    assert fmt.money(12345.0, "zh") == shared.money(12345.0, "zh")


def test_the_formats_the_inputs_stage_accepts_are_the_reports():
    from junheng.batch.tasks import KNOWN_FORMATS as batch_formats
    from junheng.inputs import codes
    from junheng.report.run import KNOWN_FORMATS

    assert codes.REPORT_FORMATS == KNOWN_FORMATS == batch_formats
    assert codes.formats("pdf,json,html") == ("pdf", "json", "html")
