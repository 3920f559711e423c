"""Start-up and parsing costs (issue #21): what is imported and parsed, never how long it takes.

Every check looks at ``sys.modules`` or at call counts in a fresh interpreter: timings belong to
benchmarks/, these say which work is done at all.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from junheng import yamlio

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))


def modules_after(code: str) -> set:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=ENV, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_shipped_yaml_file_is_parsed_once_with_the_c_loader(monkeypatch, tmp_path):
    # an empty per-user cache (junheng.diskcache): a new process with nothing parsed before it
    monkeypatch.setenv("JUNHENG_CACHE_DIR", str(tmp_path))
    yamlio.packaged.cache_clear()
    calls = []
    real = yaml.load
    monkeypatch.setattr(yaml, "load", lambda text, Loader: calls.append(Loader) or real(text, Loader=Loader))
    first = yamlio.packaged("junheng.method", "rules/jiben-2012.yaml")
    again = yamlio.packaged("junheng.method", "rules/jiben-2012.yaml")
    assert again is first and first["id"] == "jiben-2012"
    assert calls == [getattr(yaml, "CSafeLoader", yaml.SafeLoader)]


def test_a_broken_file_gets_the_readable_parser_message():
    try:
        yamlio.load_yaml("a: [1, 2\nb: 3")
    except yaml.YAMLError as exc:
        assert exc.problem_mark.line == 1  # the pure-Python parser's located message
    else:
        raise AssertionError("no error")


def test_rule_sets_with_an_overlay_leave_the_parsed_files_unchanged():
    from junheng.method.rules import RuleSet

    shipped = yamlio.packaged("junheng.method", "rules/overlays/liaoning.yaml")
    before = json.dumps(shipped, sort_keys=True, default=str)
    merged = RuleSet("youzhi-2017", ["liaoning"])
    plain = RuleSet("youzhi-2017")
    assert json.dumps(shipped, sort_keys=True, default=str) == before  # id, name, applies_to still there
    assert "applies_to" not in merged.data and merged.overlays[0]["id"] == shipped["id"]
    assert merged.data != plain.data  # the overlay did change the merged rules


def test_the_command_line_help_imports_no_pandas_and_reads_only_its_messages():
    # argparse's own words come from the locale (用法：…), so the messages file is read with libyaml;
    # nothing of the data stack is imported
    mods = modules_after(
        "import sys\nsys.argv = ['junheng', '--help']\n"
        "from junheng.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert "junheng.cli" in mods
    assert not {"pandas", "numpy", "matplotlib", "junheng.inputs.statistics.importer"} & mods


# The three tests below read one fresh interpreter that did what each of them did in one of its own
# (issue #21: an interpreter importing the package's charts is seconds of CPU): the trend chart drawn,
# the notebook API imported, the CJK font found. What one of them must not import, the others' work
# must not import either, so each test still fails when its own step imports it.
TREND = (
    "import matplotlib\nmatplotlib.use('Agg')\nimport io\nimport pandas as pd\n"
    "from junheng.report import charts\n"
    "h = pd.DataFrame({'section': ['primary'] * 4, 'indicator': ['R1', 'R1', 'R2', 'R2'],"
    " 'short': ['甲', '甲', '乙', '乙'], 'year': [2023, 2024, 2023, 2024],"
    " 'cv': [0.3, 0.2, 0.4, 0.5], 'limit': [0.5] * 4})\n"
    "charts.trends(h).savefig(io.BytesIO(), format='svg')\n"
)
NOTEBOOK_API = "import junheng\njunheng.county\nfrom junheng.report import charts, tables, text\n"
CJK_FONT = (
    "from junheng.report import charts\n"
    "from junheng.report.fonts import cjk_font_path, typst_font_dir, use_cjk_in_matplotlib\n"
    "assert cjk_font_path().name == 'NotoSansCJKsc-Regular.otf', cjk_font_path()\n"
    "assert (typst_font_dir() / 'NotoSansCJKsc-Regular.otf').exists()\n"
    "assert use_cjk_in_matplotlib() == 'Noto Sans CJK SC'"
)


@pytest.fixture(scope="module")
def charts_modules() -> set:
    """The modules of a fresh interpreter after the trend chart, the notebook API and the CJK font."""
    return modules_after(TREND + NOTEBOOK_API + CJK_FONT)


def test_the_notebook_api_leaves_seaborn_and_scipy_until_a_chart_needs_them(charts_modules):
    mods = charts_modules
    assert "junheng.report.charts" in mods and "matplotlib" in mods
    assert not {m for m in mods if m.split(".")[0] in ("seaborn", "scipy")}


def test_the_trend_chart_draws_without_seaborn_or_scipy(charts_modules):
    # charts.trends drew with sns.lineplot (seaborn imports scipy.stats, about 1.6 s per report): now
    # matplotlib alone; a report imports neither unless the researcher does
    mods = charts_modules
    assert "junheng.report.charts" in mods
    assert not {m for m in mods if m.split(".")[0] in ("seaborn", "scipy")}


def test_the_trend_chart_draws_each_indicator_as_seaborn_did():
    import matplotlib
    import pandas as pd

    from junheng.report import charts

    history = pd.DataFrame(
        {
            "section": ["primary"] * 5 + ["junior"] * 2,
            "indicator": ["R2", "R2", "R2", "R1", "R1", "R1", "R1"],
            "short": ["乙", "乙", "乙", "甲", "甲", "甲", "甲"],
            "year": [2024, 2022, 2023, 2022, 2024, 2022, 2024],
            "cv": [0.3, 0.1, float("nan"), 0.2, 0.4, 0.25, 0.35],
            "limit": [0.5] * 5 + [0.45] * 2,
        }
    )
    fig = charts.trends(history, "zh")
    primary, junior = fig.axes
    tab10 = matplotlib.colormaps["tab10"].colors
    lines = [line for line in primary.get_lines() if line.get_marker() == "o"]
    # one line per indicator in the order of the data, sorted by year, the missing value left out
    assert [list(line.get_xdata()) for line in lines] == [[2022, 2024], [2022, 2024]]
    assert [list(line.get_ydata()) for line in lines] == [[0.1, 0.3], [0.2, 0.4]]
    assert [matplotlib.colors.to_rgb(line.get_color()) for line in lines] == [tab10[0], tab10[1]]
    assert all(line.get_markeredgecolor() == "w" and line.get_markersize() == 4 for line in lines)
    # the limits, the legend beside the last panel only, the axis title beside the first only
    assert [line.get_ydata()[0] for line in primary.get_lines() if line.get_linestyle() == "--"] == [0.5]
    assert primary.get_legend() is None
    assert [text.get_text() for text in junior.get_legend().get_texts()] == ["甲"]
    assert primary.yaxis.label.get_visible() and not junior.yaxis.label.get_visible()


def test_a_folder_of_workbooks_reads_no_export_mapping():
    code = (
        f"from junheng.inputs.dataset import load\nds = load({str(SAMPLE / '990102_2024.xlsx')!r})\n"
        "assert ds.schools is not None and len(ds.schools)"
    )
    mods = modules_after(code)
    # it did look for exports (the workbook's sheet names), and, finding a template sheet, imported
    # neither the exports' reader nor the parent maps (issue #21: `sources._may_hold_exports`)
    assert "junheng.inputs.statistics.workbook" in mods
    assert (
        not {
            "junheng.inputs.statistics.importer",
            "junheng.inputs.statistics.mapping",
            "junheng.inputs.statistics.source",
            "junheng.inputs.statistics.parents",
        }
        & mods
    )


def test_the_notebook_digest_reads_the_json_as_nbformat_does(tmp_path):
    import hashlib

    import nbformat

    from junheng.batch.tasks import notebook_digest

    def by_nbformat(path):
        nb = nbformat.read(str(path), as_version=4)
        digest = hashlib.sha256()
        for cell in nb.cells:
            tags = sorted(cell.get("metadata", {}).get("tags", []))
            digest.update(json.dumps([cell.cell_type, cell.source, tags], ensure_ascii=False).encode())
        return digest.hexdigest()

    bundled = ROOT / "notebooks" / "county_report.ipynb"
    assert notebook_digest(bundled) == by_nbformat(bundled)
    cell = nbformat.v4.new_code_cell("x = 1\ny = 2", metadata={"tags": ["b", "a"]})
    nb = nbformat.v4.new_notebook(cells=[cell])
    path = tmp_path / "lines.ipynb"
    nbformat.write(nb, path)  # sources are written as lists of lines
    assert '"x = 1\\n",' in path.read_text(encoding="utf-8")
    assert notebook_digest(path) == by_nbformat(path)


def test_a_no_op_run_imports_neither_nbconvert_nor_nbformat(tmp_path):
    from junheng.batch.tasks import notebook_digest  # noqa: F401 - the module itself is light

    mods = modules_after(
        "from junheng.batch.tasks import notebook_digest\nfrom junheng.batch.index import write_index\n"
        f"notebook_digest({str(ROOT / 'notebooks' / 'county_report.ipynb')!r})"
    )
    assert not {"nbconvert", "nbformat", "jsonschema"} & mods


def test_the_cjk_font_is_found_without_importing_mplfonts(charts_modules):
    # mplfonts ships the font files; importing it imports fontTools' font reader (tens of ms per
    # kernel) to give nothing the report uses but its folder (matplotlib itself imports a little of
    # fontTools, its glyph names, not the reader); the font's checks are CJK_FONT's asserts
    mods = charts_modules
    assert "junheng.report.charts" in mods
    assert not {m for m in mods if m.split(".")[0] == "mplfonts" or m.startswith("fontTools.ttLib")}
