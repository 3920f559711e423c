"""`junheng report`: execute the county notebook with papermill and render HTML, PDF and Excel.

Outputs are written atomically (a temporary file renamed into place), so an interrupted run never
leaves a truncated report behind. A failing notebook is kept under reports/failed/ for diagnosis.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from junheng.i18n import t
from junheng.inputs.codes import county_year
from junheng.paths import default_data, notebook

FORMATS = ("html", "pdf", "xlsx")
# papermill writes the executed notebook once at the end (also when a cell fails), not after every
# cell: ~0.15 s per report with its inline charts (measured)
QUIET = {"progress_bar": False, "log_output": False, "request_save_on_cell_execute": False}


def default_notebook() -> Path:
    return notebook("county_report.ipynb")


def output_stem(county_code: str, year: int, lang: str, rules: str = "youzhi-2017") -> str:
    stem = f"{county_code}_{year}"
    if rules != "youzhi-2017":
        stem += f".{rules}"
    return stem if lang == "zh" else f"{stem}.{lang}"


def failed_notebook(out_dir, stem: str) -> Path:
    """Where a county-year whose notebook failed keeps it for diagnosis."""
    return Path(out_dir) / "failed" / f"{stem}.ipynb"


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are for reading
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def describe_failure(exc: BaseException) -> str:
    """One line for the user: a notebook's own error (e.g. 'LookupError: 数据中没有…') rather than
    papermill's wrapper and traceback; the failed notebook is kept for the full story.
    """
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}".strip()
    return f"{type(exc).__name__}: {str(exc).strip()}"


def execute(
    county_code: str,
    year: int,
    data=None,
    rules="youzhi-2017",
    overlays=(),
    lang="zh",
    work_dir: Path | None = None,
    notebook: Path | None = None,
    kernel_config: dict | None = None,
    km=None,
    xlsx: bool = True,
):
    """Run the notebook for one county-year; returns (executed notebook, result JSON path, xlsx path).
    With ``xlsx=False`` the notebook skips the Excel tables (nobody asked for them).
    """
    import papermill

    county_code, year = county_year(county_code, year)  # six digits: no path escapes (issue #11)
    work = Path(work_dir or tempfile.mkdtemp(prefix="junheng-"))
    work.mkdir(parents=True, exist_ok=True)
    stem = output_stem(county_code, year, lang, rules)
    json_path, xlsx_path = work / f"{stem}.json", work / f"{stem}.xlsx"
    params = {
        "data": str(Path(data or default_data()).resolve()),
        "county_code": str(county_code),
        "year": int(year),
        "rules": rules,
        "overlays": list(overlays or []),
        "lang": lang,
        "json_path": str(json_path),
        "xlsx_path": str(xlsx_path) if xlsx else None,
    }
    kwargs = {"config": kernel_config} if kernel_config else {}
    if km is not None:
        kwargs["km"] = km  # a running kernel of a batch worker (nbclient keeps it alive)
    nb = papermill.execute_notebook(
        str(notebook or default_notebook()),
        str(work / f"{stem}.ipynb"),
        parameters=params,
        kernel_name="python3",
        cwd=str(work),
        **QUIET,
        **kwargs,
    )
    return nb, json_path, xlsx_path


def render_outputs(
    nb, json_path: Path, xlsx_path: Path, out_dir: Path, stem: str, formats, lang: str
) -> dict:
    import json

    from junheng.report.render import html_to_pdf, notebook_html

    doc = json.loads(json_path.read_text(encoding="utf-8"))
    title = doc.get("title", stem)
    written = {}
    html = notebook_html(nb, lang, title)
    if "html" in formats:
        target = out_dir / f"{stem}.html"
        _atomic_write(target, lambda p: p.write_text(html, encoding="utf-8"))
        written["html"] = target
    if "pdf" in formats:
        target = out_dir / f"{stem}.pdf"
        header = f"{doc.get('county_name', '')} {doc.get('year', '')}"
        _atomic_write(target, lambda p: html_to_pdf(html, p, header, lang))
        written["pdf"] = target
    if "xlsx" in formats and xlsx_path.exists():
        target = out_dir / f"{stem}.xlsx"
        _atomic_write(target, lambda p: p.write_bytes(xlsx_path.read_bytes()))
        written["xlsx"] = target
    target = out_dir / f"{stem}.json"
    _atomic_write(target, lambda p: p.write_text(json_path.read_text(encoding="utf-8"), encoding="utf-8"))
    written["json"] = target
    return written


def province_report(
    data=None,
    years=None,
    rules="youzhi-2017",
    overlays=(),
    lang="zh",
    out_dir="reports",
    formats=("html", "pdf"),
    kernel_config=None,
) -> dict:
    """Execute notebooks/province_overview.ipynb and render it like a county report."""
    import papermill

    from junheng.report.render import html_to_pdf, notebook_html

    out = Path(out_dir)
    province_notebook = notebook("province_overview.ipynb")
    stem = "province" + ("" if lang == "zh" else f".{lang}")
    params = {
        "data": str(Path(data or default_data()).resolve()),
        "years": list(years) if years else None,
        "rules": rules,
        "overlays": list(overlays or []),
        "lang": lang,
    }
    kwargs = {"config": kernel_config} if kernel_config else {}
    with tempfile.TemporaryDirectory(prefix="junheng-") as work:
        nb = papermill.execute_notebook(
            str(province_notebook),
            str(Path(work) / f"{stem}.ipynb"),
            parameters=params,
            kernel_name="python3",
            cwd=work,
            **QUIET,
            **kwargs,
        )
    title = t("report.province.report_title", lang)
    html = notebook_html(nb, lang, title)
    written = {}
    if "html" in formats:
        written["html"] = out / f"{stem}.html"
        _atomic_write(written["html"], lambda p: p.write_text(html, encoding="utf-8"))
    if "pdf" in formats:
        written["pdf"] = out / f"{stem}.pdf"
        _atomic_write(written["pdf"], lambda p: html_to_pdf(html, p, title, lang))
    return written


def report(
    county_code: str,
    year: int,
    data=None,
    formats=FORMATS,
    lang="zh",
    rules="youzhi-2017",
    overlays=(),
    out_dir="reports",
    notebook=None,
    kernel_config=None,
    km=None,
) -> dict:
    import shutil

    from papermill.exceptions import PapermillExecutionError

    county_code, year = county_year(county_code, year)  # six digits: no path escapes (issue #11)
    out = Path(out_dir)
    stem = output_stem(county_code, year, lang, rules)
    with tempfile.TemporaryDirectory(prefix="junheng-") as work:
        try:
            nb, json_path, xlsx_path = execute(
                county_code,
                year,
                data,
                rules,
                overlays,
                lang,
                Path(work),
                notebook,
                kernel_config,
                km,
                xlsx="xlsx" in formats,
            )
        except PapermillExecutionError:
            kept = failed_notebook(out, stem)
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path(work) / f"{stem}.ipynb", kept)
            raise
        return render_outputs(nb, json_path, xlsx_path, out, stem, formats, lang)
