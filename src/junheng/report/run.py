"""`junheng report` and `junheng render`: execute a report notebook, then publish it.

`junheng report` and `junheng render`: execute a report notebook with papermill, then publish it as HTML, PDF
(and Excel, written by the notebook itself).

Outputs are written atomically (a temporary file renamed into place), so an interrupted run never
leaves a truncated report behind. A failing notebook is kept under reports/failed/ for diagnosis.

A researcher's copy of the notebook (``notebook=``) runs in its own folder, as in JupyterLab: a
cell may read ``pd.read_csv("extra.csv")`` next to it. What the published cells say on the side
(warnings, headings not numbered, wide tables) comes back as ``Written.notes``.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

from junheng.i18n import t
from junheng.inputs.codes import county_year, data_path
from junheng.paths import default_data, notebook

FORMATS = ("html", "pdf", "xlsx")
KNOWN_FORMATS = (*FORMATS, "docx")  # Word on request: --formats html,pdf,docx
# papermill writes the executed notebook once at the end (also when a cell fails), not after every
# cell: ~0.15 s per report with its inline charts (measured). The kernel it started is killed when the
# last cell is done instead of being asked to shut down and waited for: its atexit work (IPython's
# history, matplotlib, the interpreter's own teardown) took 1.4-2.4 s of a loaded machine and publishes
# nothing, since every file the notebook writes is written by a cell (benchmarks/report_benchmark.py).
# A batch worker's own kernel (``km``) is not papermill's and is left running.
QUIET = {
    "progress_bar": False,
    "log_output": False,
    "request_save_on_cell_execute": False,
    "shutdown_kernel": "immediate",
}


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


class Written(dict):
    """{format: path} of what was written, and the notes of publishing.

    {format: path} of what was written, and ``notes``: what the published cells say on the side
    (`junheng.report.render.publish.Note`).
    """

    def __init__(self, *args, notes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.notes = list(notes)
        self.draft_reasons = None  # a draft: what keeps it one, where to settle each (None: final or unknown)


def describe_failure(exc: BaseException, lang: str = "zh") -> str:
    """One line for the user: the failing cell and its own error.

    One line for the user: the failing cell, as JupyterLab shows it (``In [n]`` and its first line), and its
    own error (e.g. 'LookupError: 数据中没有…') rather than papermill's wrapper and traceback; the failed
    notebook is kept for the full story.
    """
    from papermill.exceptions import PapermillExecutionError

    from junheng.i18n import t
    from junheng.report.render.publish import PublishError, describe_cell

    if isinstance(exc, PapermillExecutionError):
        error = f"{exc.ename}: {exc.evalue}".strip()
        cell = {"cell_type": "code", "execution_count": exc.exec_count, "source": exc.source or ""}
        return t("publish.failed_in", lang, cell=describe_cell(cell, exc.cell_index + 1, lang), error=error)
    if isinstance(exc, PublishError):
        return exc.message(lang)
    if type(exc).__name__ == "DeadKernelError":  # os._exit in a cell, the out-of-memory killer
        return t("cli.kernel_died", lang)
    return f"{type(exc).__name__}: {str(exc).strip()}"


def keep_failed(executed: Path, kept: Path) -> Path:
    """Keep a failed run's notebook for diagnosis, runnable as it is in JupyterLab ("Run all").

    The output paths papermill injected pointed into a temporary folder that is gone, so they are blank
    (the notebook then writes no result files); the jupytext pairing of the source notebook is dropped.
    The notebook is signed as trusted for the user who ran it (Jupyter's notary, the user's own key):
    its charts are SVG only (PNG is drawn only for Word), and JupyterLab shows an untrusted notebook's
    SVG as ``<Figure size …>`` text — the user would open the failure and see none of its charts.
    """
    import nbformat
    from nbformat.sign import NotebookNotary

    nb = nbformat.read(str(executed), as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = re.sub(r"(?m)^(json_path|xlsx_path) = .*$", r'\1 = ""', cell.source)
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    for name in ("json_path", "xlsx_path"):
        if name in parameters:
            parameters[name] = ""
    # not paired: opened in JupyterLab (with jupytext), it would write a .py beside it on save
    nb.metadata.pop("jupytext", None)
    try:
        NotebookNotary().sign(nb)
    except Exception:  # noqa: BLE001 - no writable Jupyter data folder: kept untrusted, charts as text
        pass
    return atomic_write(kept, lambda p: nbformat.write(nb, str(p)))


LISTED_COUNTIES = 60  # a message lists at most this many counties of the data


def _years(years) -> str:
    years = sorted(set(years))
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def _county_years(ds) -> dict:
    """{county code: (name, [years])} of a loaded dataset."""
    if ds.schools is None or not len(ds.schools):
        return {}
    found = {}
    for code, year in ds.county_years().itertuples(index=False, name=None):
        name, years = found.get(str(code), (ds.county_name(code, int(year)), []))
        found[str(code)] = (name, [*years, int(year)])
    return found


def _known(data) -> dict:
    """{county code: (name, [years])} of everything in ``data``.

    {county code: (name, [years])} of everything in ``data``; for a folder of CODE_YEAR workbooks the names
    come from each county's latest workbook (and only so many are read).
    """
    from junheng.inputs.dataset import load
    from junheng.inputs.sources import named_workbooks

    named, _ = named_workbooks(Path(data))
    if named is None:
        return _county_years(load(data))
    books = {}
    for code, year, book in named:
        books.setdefault(code, []).append((year, book))
    known = {}
    for i, (code, found) in enumerate(sorted(books.items())):
        name = ""
        if i < LISTED_COUNTIES:
            name = _book_county_name(max(found)[1])
            if name is None:  # the sheets read do not say: the workbook loaded and checked
                latest = _county_years(load(max(found)[1]))
                name = latest.get(code, ("", []))[0]
        known[code] = (name, [year for year, _ in found])
    return known


def _book_county_name(book) -> str | None:
    """The county name a workbook's 县级行政区名称 column gives, read without typing or checks.

    A tenth of loading the workbook (the checks are for the report, not for naming the counties
    a message lists); None when no sheet has the column filled.
    """
    from junheng.inputs.schema import load_schema
    from junheng.inputs.sources import read_sources

    schema = load_schema()
    tables, _ = read_sources(book)
    for key in ("county", "schools"):
        header = schema.tables[key].columns["county_name"].zh
        for raw in tables:
            if raw.table != key or header not in raw.headers:
                continue
            values = raw.frame[raw.headers.index(header)]
            names = [str(v).strip() for v in values if isinstance(v, str) and v.strip()]
            if names:
                return names[-1]
    return None


def check_request(county_code: str, year: int, data=None) -> None:
    """Check before a kernel starts that ``data`` holds ``county_code`` in ``year``.

    Before a kernel starts: ``data`` exists and holds ``county_code`` in ``year``; otherwise a ``UserError``
    naming the missing path, or listing the counties (with names and years) or the county's years that are
    there.
    """
    from junheng.errors import UserError
    from junheng.inputs.dataset import load
    from junheng.inputs.sources import named_workbooks
    from junheng.problems import ERROR

    county_code, year = county_year(county_code, year)
    data_path(data)  # as every entry point says it
    path = Path(data) if data else default_data()
    named, _ = named_workbooks(path, [county_code])
    if named is not None and any((code, y) == (county_code, year) for code, y, _ in named):
        return  # a folder of CODE_YEAR workbooks: the names tell
    if named is None:
        ds = load(path, [county_code])
        if (county_code, year) in {(str(c), int(y)) for c, y in ds.county_years().itertuples(index=False)}:
            return
    known = _known(path)
    if county_code in known:
        name, years = known[county_code]
        raise UserError(
            "publish.no_year", data=str(path), county=county_code, name=name, year=year, years=_years(years)
        )
    if not known:
        ds = load(path)
        errors = [p for p in ds.problems if p.severity == ERROR][:3]
        detail = {lang: "; ".join(p.message(lang) for p in errors) for lang in ("zh", "en")}
        raise UserError("publish.no_counties", data=str(path), detail=detail)
    raise no_county(path, [county_code], known)


def close_codes(code: str, known) -> list:
    """The codes of ``known`` one slip of typing from ``code``: a digit wrong, or two neighbours swapped."""
    close = []
    for other in sorted(known):
        differ = [i for i, (a, b) in enumerate(zip(code, other, strict=False)) if a != b]
        if len(code) != len(other) or not differ:
            continue
        swapped = len(differ) == 2 and differ[1] == differ[0] + 1
        if len(differ) == 1 or (
            swapped and code[differ[0]] == other[differ[1]] and code[differ[1]] == other[differ[0]]
        ):
            close.append(other)
    return close


def no_county(data, unknown: list, known: dict):
    """The ``UserError`` for county codes ``data`` does not hold.

    Each code with those it may have meant (code and name), then the counties there with their names
    and years.
    """
    from junheng.errors import UserError

    def asked(code: str, lang: str) -> str:
        close = [f"{c} {known[c][0]}".strip() for c in close_codes(code, known)[:3]]
        if not close:
            return code
        return code + t("publish.did_you_mean", lang, counties=t("publish.or", lang).join(close))

    county = {
        lang: joiner.join(asked(c, lang) for c in unknown) for lang, joiner in (("zh", "、"), ("en", ", "))
    }
    return UserError("publish.no_county", data=str(data), county=county, known=_listed(known))


def _listed(known: dict) -> dict:
    """The counties of ``known`` with their names and years ({lang: text}), at most ``LISTED_COUNTIES``."""
    more = max(0, len(known) - LISTED_COUNTIES)
    return {
        lang: joiner.join(
            t("publish.county_years", lang, county=code, name=name, years=_years(years))
            for code, (name, years) in sorted(known.items())[:LISTED_COUNTIES]
        )
        + (f"… (+{more})" if more else "")
        for lang, joiner in (("zh", "；"), ("en", "; "))
    }


def nothing_to_run(data, counties, selection: str):
    """The ``UserError`` for a batch selection no county-year of ``data`` meets, with what is there.

    The years the data have (of the counties asked for, when given): one list when every county has
    the same years, else each county with its name and years, as ``no_county`` lists them.
    """
    from junheng.errors import UserError

    known = _known(data)
    if counties:
        known = {code: known[code] for code in counties if code in known}
    there = {lang: "" for lang in ("zh", "en")}
    if known:
        spans = sorted({_years(years) for _, years in known.values()})
        if len(spans) == 1:
            there = {lang: t("publish.years_there", lang, years=spans[0]) for lang in there}
        else:
            listed = _listed(known)
            there = {lang: t("publish.county_years_there", lang, known=listed[lang]) for lang in there}
    return UserError("cli.nothing_to_run", data=str(data), selection=selection, there=there)


def check_counties(data, counties, have) -> None:
    """Refuse (``UserError``) the codes of ``counties`` that ``data`` does not hold at all.

    ``have``: the codes already known to be there (a batch's planned county-years): only the rest
    are looked for, so the usual run reads nothing more. A code in the data but not in the years
    asked for is not refused here.
    """
    missing = [c for c in dict.fromkeys(counties) if c not in have]
    if not missing:
        return
    known = _known(data)
    unknown = [c for c in missing if c not in known]
    if unknown and known:
        raise no_county(data, unknown, known)


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
    report_date: str | None = None,
    issuer: str | None = None,
    final: bool = False,
    parameters: dict | None = None,
    png_charts: bool = True,
    meanwhile=None,
):
    """Run the notebook for one county-year; returns (executed notebook, result JSON path, xlsx path).

    With ``xlsx=False`` the notebook skips the Excel tables (nobody asked for them). ``parameters``: the
    notebook's other parameters (``-p NAME VALUE``, checked before by `params.check_parameters`). With
    ``png_charts=False`` a notebook that has the parameter draws its charts as SVG only (what the HTML
    and PDF publish): the PNG is for Word (`publish` of ``docx``) and an untrusted JupyterLab, and
    printing it was an eighth of the kernel's time. ``meanwhile``: work for this process while the kernel
    runs (`publishing_imports`), done by the thread of the hand-off once it is written, or by a thread
    of its own; done when this returns.
    """
    import papermill

    from junheng.report.params import declared_parameters

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
    if report_date:
        params["report_date"] = str(report_date)  # the cover's date; plan deadlines count from it
    if issuer:
        params["issuer"] = str(issuer)
    if final:
        params["final"] = True  # only then: a researcher's copy need not know the parameter
    if not png_charts and "png_charts" in (declared_parameters(notebook or default_notebook(rules)) or ()):
        params["png_charts"] = False  # only then: a researcher's copy need not know the parameter
    params.update({k: v for k, v in (parameters or {}).items() if k not in params})
    kwargs = {"config": kernel_config} if kernel_config else {}
    handoff = worker = None
    if km is not None:
        kwargs["km"] = km  # a running kernel of a batch worker (nbclient keeps it alive)
        if meanwhile is not None:
            worker = threading.Thread(target=meanwhile, name="junheng-meanwhile", daemon=True)
            worker.start()
    else:
        # this process evaluates the county while the kernel starts (once it is launched); the kernel
        # it starts finds it
        from junheng.report.handoff import Handoff

        # as the notebook passes them to junheng.county (its defaults where not given)
        county_args = {
            "year": year,
            "report_date": params.get("report_date", ""),
            "issuer": params.get("issuer", ""),
            "final": params.get("final", False),
        }
        handoff = Handoff(
            work, params["data"], county_code, rules, params["overlays"], lang, meanwhile, county_args
        )
        base = ((kernel_config or {}).get("NotebookClient") or {}).get("kernel_manager_class")
        kwargs["kernel_manager_class"] = handoff.kernel_manager(base if isinstance(base, type) else None)
    # a researcher's copy runs in its own folder (relative paths as in JupyterLab), ours in ``work``
    cwd = Path(notebook).resolve().parent if notebook else work
    try:
        nb = papermill.execute_notebook(
            str(notebook or default_notebook(rules)),
            str(work / f"{stem}.ipynb"),
            parameters=params,
            kernel_name="python3",
            cwd=str(cwd),
            **QUIET,
            **kwargs,
        )
    finally:
        if handoff is not None:
            handoff.close()
    for running in (handoff, worker):  # ``meanwhile`` done
        if running is not None:
            running.join()
    return nb, json_path, xlsx_path


def publishing_imports(formats):
    """The function importing what `publish` of ``formats`` needs (None when it needs nothing).

    It imports nbconvert, BeautifulSoup, pandoc's and Typst's bindings: `report` has it run while the
    kernel runs the notebook (this process only waits then), so they are there when it publishes (a
    batch worker or a second report of the process has them already).
    """
    if not set(formats) & {"html", "pdf", "docx"}:
        return None

    def load() -> None:
        try:
            import pypandoc  # noqa: F401
            import typst  # noqa: F401

            import junheng.report.render.pdf  # noqa: F401 - and render.html: nbconvert, bs4, mistune
        except Exception:  # noqa: BLE001 - publish imports them again and says what is wrong
            pass

    return load


def sibling_links(stem: str, formats, xlsx: bool = False, index: bool = False) -> list[tuple[str, str]]:
    """(kind, relative href) of the files a report's web page links to.

    (kind, relative href) of the files a report's web page links to: its PDF, its Excel tables and the index
    of the reports folder, each only when it is written.
    """
    links = []
    if "pdf" in formats:
        links.append(("pdf", quote(f"{stem}.pdf")))
    if "docx" in formats:
        links.append(("docx", quote(f"{stem}.docx")))
    if xlsx:
        links.append(("xlsx", quote(f"{stem}.xlsx")))
    if index:
        links.append(("index", "index.html"))
    return links


def publish(nb, out_dir: Path, stem: str, formats, lang: str | None = None, links=None) -> Written:
    """Write the HTML page and the PDF of an executed notebook.

    Write the HTML page and the PDF of an executed notebook; returns {format: path} and the notes of
    publishing. ``links``: (kind, href) of sibling files the page links to. The PDF is made in another
    thread while this one makes the web page: pandoc converts its cells in its own process, then Typst
    (which lets other Python threads run) sets them, so the PDF never waits for the page.
    """
    from concurrent.futures import ThreadPoolExecutor

    from junheng.report.render.html import ReportHTMLExporter, page
    from junheng.report.render.pdf import compile_typst, typst_source

    def write_pdf(body) -> Path:
        source = typst_source(body)  # pandoc's own process: the thread only waits
        return atomic_write(Path(out_dir) / f"{stem}.pdf", lambda p: compile_typst(source, body.files, p))

    written = Written()
    with ThreadPoolExecutor(max_workers=1) as pdf_maker:
        pdf = None
        if "pdf" in formats:
            pdf_body = ReportHTMLExporter(images_as_files=True).body(nb, lang)
            pdf = pdf_maker.submit(write_pdf, pdf_body)
        if "html" in formats:
            body = ReportHTMLExporter().body(nb, lang)
            written.notes = body.published.notes
            html = page(body, links)
            written["html"] = atomic_write(
                Path(out_dir) / f"{stem}.html", lambda p: p.write_text(html, encoding="utf-8")
            )
        if pdf is not None:
            written.notes = pdf_body.published.notes
            written["pdf"] = pdf.result()
    if "docx" in formats:
        from junheng.report.render.docx import docx_body, to_docx

        body = docx_body(nb, lang)
        written.notes = body.published.notes
        written["docx"] = atomic_write(Path(out_dir) / f"{stem}.docx", lambda p: to_docx(body, p))
    return written


def school_profile_pdfs(nb, out_dir: Path, stem: str, lang: str | None = None) -> list[Path]:
    """Each school profile the executed notebook shows (一校一策), as a PDF of its own.

    Each school profile the executed notebook shows (一校一策), as a PDF of its own:
    ``<out_dir>/<stem>.profiles/<school code>.pdf``. Read from the notebook's outputs, so what a school
    receives is exactly its page of the report.
    """
    import copy
    import dataclasses

    import nbformat

    from junheng.report.blocks import META_MIMETYPE
    from junheng.report.profiles import PROFILE_KEY
    from junheng.report.render.captions import renumber, school_numbers
    from junheng.report.render.html import ReportHTMLExporter
    from junheng.report.render.pdf import compile_typst, typst_source
    from junheng.report.render.publish import report_meta

    meta = report_meta(nb)
    # the numbers each school's page has in the report (its heading's （N）, its 表N): its PDF keeps them
    numbers = school_numbers(ReportHTMLExporter(images_as_files=True).body(nb, lang).html)
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
                "display_data",
                data={META_MIMETYPE: {**meta, "title": info.get("title", code), "header": header}},
            )
            page.cells = [
                nbformat.v4.new_code_cell("", metadata={"tags": ["remove-input"]}, outputs=[marker, output])
            ]
            body = ReportHTMLExporter(images_as_files=True).body(page, lang)
            if code in numbers:
                body = dataclasses.replace(body, html=renumber(body.html, numbers[code]))
            source = typst_source(body, first_page=1)
            target = Path(out_dir) / f"{stem}.profiles" / f"{code}.pdf"
            written.append(atomic_write(target, lambda p, s=source, f=body.files: compile_typst(s, f, p)))
    return written


def render_outputs(
    nb, json_path: Path, xlsx_path: Path, out_dir: Path, stem: str, formats, lang: str, index: bool = False
) -> Written:
    """Publish an executed county notebook and copy the files it wrote (JSON, Excel) next to it.

    The notebook writes the Excel workbook when it was asked for, and also when the report names it: a
    county whose school-by-school pages are in the workbook (`junheng.report.separate`).
    """
    xlsx = xlsx_path.exists()
    index = index or (Path(out_dir) / "index.html").exists()
    written = publish(nb, out_dir, stem, formats, lang, sibling_links(stem, formats, xlsx, index))
    if xlsx:
        written["xlsx"] = atomic_write(
            Path(out_dir) / f"{stem}.xlsx", lambda p: p.write_bytes(xlsx_path.read_bytes())
        )
    if json_path.exists():
        written["json"] = atomic_write(
            Path(out_dir) / f"{stem}.json",
            lambda p: p.write_text(json_path.read_text(encoding="utf-8"), encoding="utf-8"),
        )
        written.draft_reasons = draft_reasons(json_path)
    return written


def draft_reasons(json_path: Path) -> list[str] | None:
    """What keeps the report of the JSON document ``json_path`` a draft, each with where to settle it.

    As `junheng.report.issue.metadata` wrote them; ``None`` for a final report or a document that says
    nothing of it (a researcher's notebook).
    """
    import json

    try:
        doc = json.loads(json_path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("final") is not False:
        return None
    return [str(r) for r in doc.get("draft_reasons") or []]


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
    index: bool = False,
    report_date: str | None = None,
    issuer: str | None = None,
    final: bool = False,
    parameters: dict | None = None,
) -> Written:
    """Execute the report notebook for one county-year and publish it into ``out_dir``.

    Execute the report notebook (the bundled one, or ``notebook``) for one county-year and publish it into
    ``out_dir``; returns {format: path} and the notes of publishing. With ``school_profiles`` the appendix
    profiles every evaluated school and each profile is also written as its own PDF (``{"profiles":
    [paths]}``). ``index``: the folder gets an index page (a batch run), which the report's web page links
    back to. ``report_date`` (default: today, at the latest 30 June after the data year) and ``issuer``
    are printed on the cover; the plan's deadlines count from the report date. ``parameters``: the
    notebook's other parameters ({name: value}, as ``-p NAME VALUE``).
    """
    from papermill.exceptions import PapermillExecutionError

    county_code, year = county_year(county_code, year)  # six digits: no path escapes (issue #11)
    out = Path(out_dir)
    stem = output_stem(county_code, year, lang, rules)
    with tempfile.TemporaryDirectory(prefix="junheng-") as work:
        import papermill  # noqa: F401 - first: the thread's imports never interleave with papermill's

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
                report_date=report_date,
                issuer=issuer,
                final=final,
                parameters=parameters,
                png_charts="docx" in formats,  # the HTML and the PDF publish the SVG
                meanwhile=publishing_imports(formats),  # this process only waits for the kernel
            )
        except PapermillExecutionError:
            keep_failed(Path(work) / f"{stem}.ipynb", failed_notebook(out, stem))
            raise
        written = render_outputs(nb, json_path, xlsx_path, out, stem, formats, lang, index)
        if school_profiles:
            written["profiles"] = school_profile_pdfs(nb, out, stem, lang)
        return written


def render(executed, out_dir=None, formats=("html", "pdf"), lang: str | None = None) -> Written:
    """Publish a notebook executed elsewhere as HTML and PDF.

    Publish a notebook executed elsewhere (e.g. by the papermill command line) as HTML and PDF next to it, or
    into ``out_dir``. ``lang``, if given, must be the language it ran in (``UserError`` otherwise); a notebook
    never run, or with an error, is a ``PublishError``.
    """
    import nbformat

    path = Path(executed)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - nbformat raises JSON, schema and conversion errors
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    out = Path(out_dir) if out_dir else path.parent
    links = sibling_links(
        path.stem, formats, (out / f"{path.stem}.xlsx").exists(), (out / "index.html").exists()
    )
    return publish(nb, out, path.stem, formats, lang, links)


def province_report(
    data=None,
    years=None,
    rules="youzhi-2017",
    overlays=(),
    lang="zh",
    out_dir="reports",
    formats=("html", "pdf"),
    kernel_config=None,
    report_date: str | None = None,
) -> dict:
    """Execute notebooks/province_overview.ipynb and publish it like a county report.

    ``report_date``: the cover's date (default: as a county report of the latest year is dated).
    """
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
    if report_date:
        params["report_date"] = str(report_date)
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
    return publish(nb, out, stem, formats, lang, sibling_links(stem, formats, index=True))
