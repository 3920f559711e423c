"""A small report notebook for the batch tests (issue #21): what a batch needs of a report, in seconds.

The batch machinery (workers, kernels, the manifest, the index, kill / interrupt / retry, Dask) sees a
notebook through its parameters and the files it writes: the result JSON (status, county name) and the
Excel tables. This notebook has the bundled report's parameters cell, evaluates the county as the report
does (`junheng.county`), shows one heading and writes the same JSON and Excel — without the charts,
tables and optimal plan that make a real report take 20–50 s. The real report notebook still runs end to
end in `test_batch.test_dask_local_cluster`, `test_report` and `test_notebook`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).parent.parent
REPORT = ROOT / "notebooks" / "county_report.ipynb"

EVALUATE = """\
from IPython.display import Markdown, display

import junheng
from junheng.report.params import checked

checked(globals())
c = junheng.county(county_code, year, data, rules, overlays, lang, report_date=report_date or None)
display(Markdown(f"## {c.title()}"))
"""

WRITE = """\
if json_path:
    c.to_json(json_path)
if xlsx_path:
    c.to_excel(xlsx_path)
"""


# `junheng …` in a process of its own, as a user types it, but without the province overview: the tests
# that use it are about the batch machinery (workers, kernels, Dask, kill, the manifest and the index),
# and the overview, rendered after every run that did something, is a fresh kernel evaluating the whole
# province: two thirds of such a test's time (issue #21). The overview of a run stays tested in
# `test_batch` (its `batch` fixture renders it; the index links it).
WITHOUT_OVERVIEW = """\
import sys

from junheng.batch import runner

runner._province = lambda *args, **kwargs: []
from junheng.cli import main

sys.exit(main())
"""


def junheng_without_overview(*args: str) -> list[str]:
    """The command line of `junheng ARGS` whose run renders no province overview."""
    return [sys.executable, "-c", WITHOUT_OVERVIEW, *args]


def small_notebook(folder: Path, code: str = "", name: str = "small.ipynb") -> Path:
    """Write the small report notebook into ``folder``; ``code`` runs right after the parameters."""
    report = nbformat.read(str(REPORT), as_version=4)
    parameters = next(c for c in report.cells if "parameters" in c.metadata.get("tags", []))
    nb = nbformat.v4.new_notebook(metadata=report.metadata)
    nb.cells = [nbformat.v4.new_code_cell(parameters.source, metadata={"tags": ["parameters"]})]
    if code:
        nb.cells.append(nbformat.v4.new_code_cell(code, metadata={"tags": ["remove-cell"]}))
    nb.cells += [
        nbformat.v4.new_code_cell(EVALUATE, metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell(WRITE, metadata={"tags": ["remove-cell"]}),
    ]
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def held_notebook(folder: Path, out: Path) -> tuple[Path, Path]:
    """(notebook, hold file): while the hold file exists, a county started after a report is in ``out``
    waits — a run caught "in the middle" (one report written, the next one running) on every machine,
    however fast. Remove the hold file to let it finish."""
    hold = Path(folder) / "hold"
    hold.write_text("", encoding="utf-8")
    code = (
        "import time\nfrom pathlib import Path\n"
        f"while Path({str(hold)!r}).exists() and list(Path({str(out)!r}).glob('99*.html')):\n"
        "    time.sleep(0.2)"
    )
    return small_notebook(folder, code, "held.ipynb"), hold
