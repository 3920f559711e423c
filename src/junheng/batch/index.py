"""The index page reports/index.html: every county and year, grouped by year, newest first.

Each row: the county's name with the links to its report (HTML, PDF, Excel: the files that exist)
beside it, the verdict with why in words (parts not met, a veto, parts whose data are missing, ※ the
borderline results it rests on), and each section's coefficient highest relative to its limit (▲ over
it). A static page with relative links: it opens from the file system with no server; on a phone the
county column stays in view while the table scrolls sideways.
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from junheng.batch.indexstate import index_digest, mark
from junheng.errors import naming
from junheng.i18n import t
from junheng.report import format as fmt
from junheng.report.province import BORDERLINE_MARK, PARTS, borderline_words, long_date, rests_on_borderline
from junheng.report.render.style import stylesheet
from junheng.report.templating import render_template

REPORT_FORMATS = ("html", "pdf", "xlsx", "docx")
LINK_LABELS = {"html": "HTML", "pdf": "PDF", "xlsx": "Excel", "docx": "Word"}


@dataclass
class Row:
    """One county-year of the index."""

    county_code: str
    county_name: str
    year: int | None
    status: str
    verdict: str
    worst: list = field(default_factory=list)  # per section: (value text, over the limit?, borderline?)
    notes: list = field(default_factory=list)  # what the verdict rests on, in words
    links: list = field(default_factory=list)  # (label, href): the report files that exist
    error: str = ""
    borderline: bool = False
    missing: list = field(default_factory=list)  # labels of report files other rows have and this one lacks


def _document(out: Path, key: str) -> dict:
    path = out / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}


def _coefficients(doc: dict) -> list:
    return doc.get("parts", {}).get("resource", {}).get("coefficients", []) or []


def _worst(doc: dict, section: str, lang: str) -> tuple[str, bool, bool]:
    """The section's coefficient highest relative to its limit, whether over it and whether borderline.

    The coefficient is never rounded across its limit; in words when there is none (no schools, not
    computed).
    """
    entries = [c for c in _coefficients(doc) if c.get("section") == section]
    rows = [c for c in entries if c.get("cv") is not None]
    if not rows:
        if entries and all(not c.get("n_schools") for c in entries):
            return t("report.index.no_schools", lang), False, False
        return t("report.index.not_computed", lang), False, False
    top = max(rows, key=lambda c: c["cv"] / c["limit"] if c.get("limit") else c["cv"])
    limit = top.get("limit")
    text = fmt.coefficient_against(top["cv"], limit) if limit else fmt.coefficient(top["cv"])
    return text, top.get("passed") is False, bool(top.get("borderline"))


def _limits(docs) -> dict:
    """Each section's coefficient limit, when every report agrees on it (for the legend)."""
    found: dict = {}
    for doc in docs:
        for c in _coefficients(doc):
            if c.get("limit") is not None:
                found.setdefault(c["section"], set()).add(c["limit"])
    return {s: next(iter(v)) for s, v in found.items() if len(v) == 1}


def _part_name(part: str, lang: str) -> str:
    """A part in a sentence: 一票否决情形核查 / the veto checks."""
    try:
        return t(f"report.part_missing.{part}", lang)
    except KeyError:
        return t(f"part.{part}", lang) if lang == "zh" else t(f"part.{part}", lang).lower()


def _notes(doc: dict, lang: str) -> tuple[list, bool]:
    """The row's explanation in words, and whether the row is borderline.

    The notes name the parts not met, a veto, the parts with data missing and the borderline results
    its verdict rests on. Returns the notes and whether the row is borderline.
    """
    parts = {p: v.get("status") for p, v in doc.get("parts", {}).items() if isinstance(v, dict)}
    sep = "、" if lang == "zh" else ", "
    notes = []
    failing = [_part_name(p, lang) for p in PARTS if parts.get(p) == "fail" and p != "vetoes"]
    if failing:
        notes.append(t("report.index.notes.failing", lang, parts=sep.join(failing)))
    if parts.get("vetoes") == "fail":
        notes.append(t("report.index.notes.veto", lang))
    missing = [_part_name(p, lang) for p in PARTS if parts.get(p) == "not_assessed"]
    if missing:
        notes.append(t("report.index.notes.missing", lang, parts=sep.join(missing)))
    resource = doc.get("parts", {}).get("resource", {}) or {}
    coefficients = _coefficients(doc)
    schools = resource.get("schools", []) or []
    borderline = bool(doc.get("status")) and rests_on_borderline(
        doc.get("status"), parts, coefficients, resource.get("composite", []) or [], schools
    )
    if borderline:
        words = [{**c, "label": c.get("label", "")} for c in coefficients]
        notes.append(
            t(
                "report.index.notes.borderline",
                lang,
                mark=BORDERLINE_MARK,
                results=("；" if lang == "zh" else "; ").join(borderline_words(words, schools, lang)),
            )
        )
    return notes, borderline


def _links(out: Path, key: str, entry: dict) -> list:
    """HTML, PDF, Excel and Word of the report, each when its file exists, whoever wrote it."""
    names = [n for n in entry.get("outputs", []) if not n.endswith(".json")]
    names += [f"{key}.{f}" for f in REPORT_FORMATS]
    seen, links = set(), []
    for fmt_ in REPORT_FORMATS:
        for name in names:
            if name.endswith(f".{fmt_}") and name not in seen and (out / name).exists():
                seen.add(name)
                links.append((LINK_LABELS[fmt_], name))
    if entry.get("status") == "error" and entry.get("notebook"):
        links.append(("ipynb", f"failed/{Path(entry['notebook']).name}"))
    return links


def _row(out: Path, key: str, entry: dict, lang: str) -> Row:
    crashed = entry.get("status") == "error" and not entry.get("outputs")
    doc = {} if crashed else _document(out, key)  # after a crash, a JSON on disk is an older run's
    status = doc.get("status") or ("invalid" if entry.get("status") == "error" else "")
    notes, borderline = _notes(doc, lang)
    error = entry.get("error", "") if entry.get("status") == "error" else ""
    links = _links(out, key, entry)
    if error:
        first = error.strip().splitlines()[0] if error.strip() else error
        first = first if len(first) <= 160 else first[:159] + "…"
        if entry.get("invalid") and not crashed:  # its report was made: the draft that lists the errors
            notes.append(t("report.index.notes.invalid", lang, n=entry.get("errors", ""), error=first))
        else:
            notes.append(t("report.index.notes.error", lang, error=first))
            if any(label != "ipynb" for label, _ in links):  # files of an earlier run, not of this one
                notes.append(t("report.index.notes.earlier", lang))
    return Row(
        county_code=entry.get("county_code") or doc.get("county_code", ""),
        county_name=doc.get("county_name") or entry.get("county_name") or "",
        year=entry.get("year") or doc.get("year"),
        status=status,
        verdict=t(f"verdict.{status}", lang) if status else t("report.index.no_result", lang),
        worst=[
            _worst(doc, s, lang) if doc else (t("report.index.not_computed", lang), False, False)
            for s in ("primary", "junior")
        ],
        notes=notes,
        links=links,
        error=error,
        borderline=borderline,
    )


def present_reports(out: Path) -> dict:
    """Every county report in the folder (its result JSON), keyed like the manifest.

    Whoever wrote it (another run or `junheng report`); the entry lists the report files that exist.
    """
    found = {}
    for path in sorted(out.glob("*.json")):
        if path.name.startswith("."):
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or not doc.get("county_code") or not doc.get("year"):
            continue  # not one of ours
        key = path.name[: -len(".json")]
        outputs = [f"{key}.{f}" for f in REPORT_FORMATS if (out / f"{key}.{f}").exists()]
        found[key] = {
            "county_code": doc["county_code"],
            "year": doc["year"],
            "county_name": doc.get("county_name"),
            "status": "done",
            "outputs": [*outputs, path.name],
        }
    return found


def write_index(out: Path, manifest, lang: str = "zh") -> Path:
    """Write ``out/index.html``: every report present in ``out`` and every failure the manifest records.

    Call it under the manifest lock, after ``manifest.reload()``, when several runs may share the folder.
    """
    digest = index_digest(out, manifest.entries, lang)  # before the folder is read: a later change counts
    entries = {**present_reports(out), **manifest.entries}
    rows = [_row(out, key, entry, lang) for key, entry in entries.items()]
    # a format the run produced for some county and not for this one is said missing (a PDF that
    # failed to compile); formats nobody asked for are not
    produced = {label for r in rows for label, _ in r.links}
    for r in rows:
        mine = {label for label, _ in r.links}
        r.missing = [LINK_LABELS[f] for f in REPORT_FORMATS if LINK_LABELS[f] in produced - mine]
    years = sorted({r.year for r in rows if r.year is not None}, reverse=True)
    groups = [
        (year, sorted((r for r in rows if r.year == year), key=lambda r: r.county_code)) for year in years
    ]
    undated = [r for r in rows if r.year is None]
    if undated:
        groups.append((None, undated))
    overview = []
    # the overview in the index's language first, each labelled in its own language
    for html in sorted(
        out.glob("province*.html"),
        key=lambda p: (p.name != ("province.html" if lang == "zh" else f"province.{lang}.html"), p.name),
    ):
        pdf = html.with_suffix(".pdf")
        own = "en" if html.name.endswith(".en.html") else "zh"
        label = t("report.province.report_title", own) + ("：" if own == "zh" else ": ")
        overview.append((label, html.name, pdf.name if pdf.exists() else None))
    limits = _limits(_document(out, key) for key in entries)
    sep = "，" if lang == "zh" else ", "
    standard = sep.join(
        t("report.index.limit", lang, section=t(f"report.section_names.{s}", lang), limit=f"{limits[s]:.2f}")
        for s in ("primary", "junior")
        if s in limits
    )
    page = render_template(
        "html/index.html.j2",
        lang=lang,
        groups=groups,
        overview=overview,
        generated=long_date(datetime.date.today(), lang),
        standard=standard,
        marked=any(r.borderline or any(near for _, _, near in r.worst) for r in rows),
        mark=BORDERLINE_MARK,
        css=Markup(stylesheet()),
    )
    path = out / "index.html"
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".index.html.", suffix=".tmp")
    try:
        with naming(path), os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page.rstrip("\n") + "\n" + mark(digest))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
