"""`junheng report` and `junheng render`: execute a report notebook with papermill, then publish
it as HTML, PDF (and Excel, written by the notebook itself).

Outputs are written atomically (a temporary file renamed into place), so an interrupted run never
leaves a truncated report behind. A failing notebook is kept under reports/failed/ for diagnosis.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from junheng.inputs.codes import county_year
from junheng.paths import default_data, notebook

FORMATS = ("html", "pdf", "xlsx")
# papermill writes the executed notebook once at the end (also when a cell fails), not after every
# cell: ~0.15 s per report with its inline charts (measured)
QUIET = {"progress_bar": False, "log_output": False, "request_save_on_cell_execute": False}


def default_notebook(rules: str = "youzhi-2017") -> Path:
    """The bundled report notebook for a rule set."""
    return notebook("county_report.ipynb")


def output_stem(county_code: str, year: int, lang: str, rules: str = "youzhi-2017") -> str:
    """File name (without extension) of a county-year's outputs: 990123_2024[.jiben-2012][.en]."""
    stem = f"{county_code}_{year}"
    if rules != "youzhi-2017":
        stem += f".{rules}"
    return stem if lang == "zh" else f"{stem}.{lang}"


def failed_notebook(out_dir, stem: str) -> Path:
    """Where a county-year whose notebook failed keeps it for diagnosis."""
    return Path(out_dir) / "failed" / f"{stem}.ipynb"


def atomic_write(path: Path, write) -> Path:
    """Call ``write(temporary path)`` and rename the result to ``path``."""
    path = Path(path)
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
    return path


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
    school_profiles: bool = False,
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
        "xlsx_path": str(xlsx_path) if xlsx else "",
    }
    if school_profiles:
        params["school_profiles"] = True  # only then: a researcher's copy need not know the parameter
    kwargs = {"config": kernel_config} if kernel_config else {}
    if km is not None:
        kwargs["km"] = km  # a running kernel of a batch worker (nbclient keeps it alive)
    nb = papermill.execute_notebook(
        str(notebook or default_notebook(rules)),
        str(work / f"{stem}.ipynb"),
        parameters=params,
        kernel_name="python3",
        cwd=str(work),
        **QUIET,
        **kwargs,
    )
    return nb, json_path, xlsx_path


def publish(nb, out_dir: Path, stem: str, formats, lang: str | None = None) -> dict:
    """Write the HTML page and the PDF of an executed notebook; returns {format: path}."""
    from junheng.report.render.html import ReportHTMLExporter, page
    from junheng.report.render.pdf import compile_typst, typst_source

    written = {}
    if "html" in formats:
        body = ReportHTMLExporter().body(nb, lang)
        html = page(body)
        written["html"] = atomic_write(
            Path(out_dir) / f"{stem}.html", lambda p: p.write_text(html, encoding="utf-8")
        )
    if "pdf" in formats:
        body = ReportHTMLExporter(images_as_files=True).body(nb, lang)
        source = typst_source(body)
        written["pdf"] = atomic_write(
            Path(out_dir) / f"{stem}.pdf", lambda p: compile_typst(source, body.files, p)
        )
    return written


def school_profile_pdfs(nb, out_dir: Path, stem: str, lang: str | None = None) -> list[Path]:
    """Each school profile the executed notebook shows (一校一策), as a PDF of its own:
    ``<out_dir>/<stem>.profiles/<school code>.pdf``. Read from the notebook's outputs, so what a
    school receives is exactly its page of the report."""
    import copy

    import nbformat

    from junheng.report.blocks import META_MIMETYPE
    from junheng.report.profiles import PROFILE_KEY
    from junheng.report.render.html import ReportHTMLExporter
    from junheng.report.render.pdf import compile_typst, typst_source
    from junheng.report.render.publish import report_meta

    meta = report_meta(nb)
    written = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            info = output.get("metadata", {}).get("junheng", {})
            code = info.get(PROFILE_KEY)
            if not code:
                continue
            page = nbformat.v4.new_notebook(metadata=copy.deepcopy(nb.metadata))
            header = f"{meta.get('header', '')} · {info.get('title', code)}".strip(" ·")
            marker = nbformat.v4.new_output(
                "display_data", data={META_MIMETYPE: {**meta, "title": info.get("title", code), "header": header}}
            )
            page.cells = [nbformat.v4.new_code_cell("", metadata={"tags": ["remove-input"]}, outputs=[marker, output])]
            body = ReportHTMLExporter(images_as_files=True).body(page, lang)
            source = typst_source(body, first_page=1)
            target = Path(out_dir) / f"{stem}.profiles" / f"{code}.pdf"
            written.append(atomic_write(target, lambda p, s=source, f=body.files: compile_typst(s, f, p)))
    return written


def render_outputs(
    nb, json_path: Path, xlsx_path: Path, out_dir: Path, stem: str, formats, lang: str
) -> dict:
    """Publish an executed county notebook and copy the files it wrote (JSON, Excel) next to it."""
    written = publish(nb, out_dir, stem, formats, lang)
    if "xlsx" in formats and xlsx_path.exists():
        written["xlsx"] = atomic_write(
            Path(out_dir) / f"{stem}.xlsx", lambda p: p.write_bytes(xlsx_path.read_bytes())
        )
    if json_path.exists():
        written["json"] = atomic_write(
            Path(out_dir) / f"{stem}.json",
            lambda p: p.write_text(json_path.read_text(encoding="utf-8"), encoding="utf-8"),
        )
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
    school_profiles: bool = False,
) -> dict:
    """Execute the report notebook (the bundled one, or ``notebook``) for one county-year and
    publish it into ``out_dir``; returns {format: path}. With ``school_profiles`` the appendix
    profiles every evaluated school and each profile is also written as its own PDF
    (``{"profiles": [paths]}``).
    """
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
                school_profiles=school_profiles,
            )
        except PapermillExecutionError:
            kept = failed_notebook(out, stem)
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path(work) / f"{stem}.ipynb", kept)
            raise
        written = render_outputs(nb, json_path, xlsx_path, out, stem, formats, lang)
        if school_profiles:
            written["profiles"] = school_profile_pdfs(nb, out, stem, lang)
        return written


def render(executed, out_dir=None, formats=("html", "pdf"), lang: str | None = None) -> dict:
    """Publish a notebook executed elsewhere (e.g. by the papermill command line) as HTML and PDF
    next to it, or into ``out_dir``.
    """
    import nbformat

    path = Path(executed)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - nbformat raises JSON, schema and conversion errors
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    return publish(nb, Path(out_dir) if out_dir else path.parent, path.stem, formats, lang)


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
    """Execute notebooks/province_overview.ipynb and publish it like a county report."""
    import papermill

    out = Path(out_dir)
    province_notebook = notebook("province_overview.ipynb")
    stem = "province" + ("" if lang == "zh" else f".{lang}")
    params = {
        "data": str(Path(data or default_data()).resolve()),
        "years": list(years) if years else [],
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
    return publish(nb, out, stem, formats, lang)
