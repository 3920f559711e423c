"""A lower stage never imports a higher one, read from every import statement of the source, those
inside functions too.

The order: the shared modules of ``junheng`` itself (format, i18n, problems, rules, yamlio...) below
every stage, then inputs → method → planning → report → batch. The command line (``junheng.cli``),
the sample generator (``junheng.sample``) and the notebook API of the package itself
(``junheng.county``…, ``junheng/__init__.py``, imported on first use) sit on top and are not checked."""

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


BASE = "base"  # the modules of junheng itself, below every stage
ORDER = (BASE, *STAGES)
ON_TOP = ("cli", "sample", "__init__")  # may import anything


def stage_of(module: str) -> str | None:
    """The stage ``module`` belongs to: a stage, BASE, or None (not junheng's, or on top)."""
    parts = module.split(".")
    if parts[0] != "junheng":
        return None
    if len(parts) == 1:
        return BASE  # `import junheng`, `from junheng import …`: the names it imports are checked
    if parts[1] in ON_TOP[:2]:
        return None
    return parts[1] if parts[1] in STAGES else BASE


def higher(module: str, stage: str) -> bool:
    """Whether ``module`` belongs to a stage after ``stage``."""
    other = stage_of(module)
    return other is not None and ORDER.index(other) > ORDER.index(stage)


def modules_of(stage: str) -> list[Path]:
    """The source files of ``stage``."""
    if stage != BASE:
        return sorted((SRC / stage).rglob("*.py"))
    return sorted(p for p in SRC.glob("*.py") if p.stem not in ON_TOP)


def violations(stage: str) -> list[str]:
    """Every import of a module of a higher stage, in the source of ``stage``."""
    return [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in modules_of(stage)
        for line, module in imported(
            path.read_text(encoding="utf-8"), ".".join(("junheng", *path.relative_to(SRC).parent.parts))
        )
        if higher(module, stage)
    ]


@pytest.mark.parametrize("stage", ORDER)
def test_no_module_imports_a_module_of_a_higher_stage(stage):
    assert violations(stage) == []


def test_every_stage_has_modules_and_every_module_a_stage():
    assert all(modules_of(stage) for stage in ORDER)
    folders = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {*STAGES, "sample"}  # a new package gets its place in ORDER or ON_TOP


def test_the_order_is_checked_between_every_two_stages():
    """inputs may not import method or planning, method not planning (not only report and batch)."""
    assert higher("junheng.method.items", "inputs") and higher("junheng.planning.load", "inputs")
    assert higher("junheng.planning.targets", "method") and higher("junheng.report.run", "planning")
    assert higher("junheng.batch.tasks", "report") and higher("junheng.inputs.schema", BASE)
    assert not higher("junheng.inputs.schema", "method") and not higher("junheng.rules", "inputs")
    assert not higher("junheng.cli", BASE) and not higher("pandas", BASE)  # on top, or not ours
    assert stage_of("junheng.format") == stage_of("junheng.rules") == BASE


def test_the_scan_sees_imports_inside_functions_and_relative_ones():
    source = "def f():\n    from junheng import report\n    from ..report.tables import build\n"
    modules = [m for _, m in imported(source, "junheng.planning")]
    assert "junheng.report" in modules and "junheng.report.tables" in modules
    assert higher("junheng.report.format", "planning") and not higher("junheng.method.rules", "planning")
    assert higher("junheng.report", "planning")  # `from junheng import report` in a planning module
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
