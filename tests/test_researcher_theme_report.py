"""End to end, as a researcher works: a copy of the report notebook with a cell of their own that
sets seaborn's theme (Latin fonts only) and labels a chart in Chinese, run with papermill's
command line in a real kernel, then published with `junheng render`. The label reaches the web
page and the PDF drawn in Noto Sans CJK SC, the chart's Latin text in seaborn's font
(`junheng.report.fonts.keep_cjk_fallback`); before, render refused the notebook (empty boxes).

The copy keeps the report's cells that matter here (issue #21: the whole report took three quarters
of a minute and tested nothing more): its parameters, its first cell (the figure formats, the
package's imports, the county), the researcher's cell and, after it, one of the package's charts,
drawn under seaborn's theme as the report's later charts are."""

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from matplotlib import font_manager, ft2font

from junheng.report.fonts import cjk_font_path

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
REPORT = ROOT / "notebooks" / "county_report.ipynb"
LABEL = "学生数（人）"
CELL = f"""import seaborn as sns
sns.set_theme()
ax = sns.histplot(c.evaluated_schools, x="students")
ax.set_xlabel("{LABEL}")"""
PACKAGE_CHART = nbformat.v4.new_code_cell(
    "charts.coefficients(c.coefficients, lang)", metadata={"tags": ["remove-input"]}
)


def glyph_ids(font: str, path, text: str) -> set[str]:
    """The SVG ids matplotlib gives ``text``'s glyphs: ``<PostScript name>-<glyph index in hex>``."""
    face = ft2font.FT2Font(str(path))
    return {f"{font}-{face.get_char_index(ord(ch)):x}" for ch in text}


def ids_in(svg: str) -> set[str]:
    return set(re.findall(r'<path id="([^"]+)"', svg))


def test_a_plain_seaborn_theme_in_a_copy_of_the_report_is_published_with_its_chinese(tmp_path):
    nb = nbformat.read(str(REPORT), as_version=4)
    parameters = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    first = next(c for c in nb.cells[parameters + 1 :] if c.cell_type == "code")  # formats, imports, county
    assert "figure_formats" in first.source and "junheng.county(" in first.source
    nb.cells = [nb.cells[parameters], first, nbformat.v4.new_code_cell(CELL), PACKAGE_CHART]
    copy, executed = tmp_path / "mine.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, str(copy))
    data = tmp_path / "data"
    data.mkdir()
    for workbook in SAMPLE.glob("990123_*.xlsx"):
        shutil.copy(workbook, data / workbook.name)
    command = [sys.executable, "-m", "papermill", str(copy), str(executed), "--no-progress-bar"]
    for name, value in (("county_code", "990123"), ("year", "2024"), ("data", str(data))):
        command += ["-p", name, value]
    run = subprocess.run(command, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]

    cell = next(c for c in nbformat.read(str(executed), as_version=4).cells if c.source == CELL)
    assert not [o for o in cell.outputs if o.get("name") == "stderr"], cell.outputs
    (image,) = [o.data for o in cell.outputs if "image/svg+xml" in o.get("data", {})]
    assert "image/png" in image  # what JupyterLab shows of an untrusted notebook (papermill's output)
    cjk = glyph_ids("NotoSansCJKsc-Regular", cjk_font_path(), LABEL)
    latin = glyph_ids("DejaVuSans", font_manager.findfont("DejaVu Sans"), "Count")  # seaborn's y label
    drawn = ids_in(image["image/svg+xml"])
    assert cjk <= drawn and latin <= drawn and "LastResort" not in image["image/svg+xml"]

    render = subprocess.run(
        [sys.executable, "-m", "junheng.cli", "render", str(executed)], capture_output=True, text=True
    )
    assert render.returncode == 0, render.stdout[-2000:] + render.stderr[-2000:]
    assert "missing" not in render.stdout + render.stderr and "字体缺少" not in render.stdout + render.stderr
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    published = [
        base64.b64decode(m).decode("utf-8")
        for m in re.findall(r'<img[^>]*\bsrc="data:image/svg\+xml;base64,([^"]+)"', html)
    ]
    assert len(published) == 2  # the researcher's chart and the package's after it
    mine = [svg for svg in published if any(i.startswith("DejaVuSans-") for i in ids_in(svg))]
    assert len(mine) == 1  # the package's charts draw Latin text in the CJK font too
    assert cjk <= ids_in(mine[0]) and latin <= ids_in(mine[0]) and "LastResort" not in html
    pdf = (tmp_path / "out.pdf").read_bytes()
    assert len(re.findall(rb"/S/Figure", pdf)) == len(published)  # every chart, this one too
