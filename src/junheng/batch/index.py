"""reports/index.html: every county and year with its verdict, its largest coefficients (flagged
when over the limit) and links, grouped by year, newest first. A static page with relative links:
it opens from the file system with no server.
"""

from __future__ import annotations

import datetime
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from junheng.errors import naming
from junheng.i18n import t
from junheng.report.render.html import stylesheet
from junheng.report.templating import render_template

PARTS = ("resource", "guarantee", "quality", "survey", "vetoes")


@dataclass
class Row:
    """One county-year of the index."""

    county_code: str
    county_name: str
    year: int | None
    status: str
    verdict: str
    worst: list = field(default_factory=list)  # per section: (value text, over the limit?)
    failing: str = ""
    links: list = field(default_factory=list)  # (label, href)
    error: str = ""


def _document(out: Path, key: str) -> dict:
    path = out / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:
        return {}


def _worst(doc: dict, section: str) -> tuple[str, bool]:
    """The section's largest coefficient and whether it is over its limit."""
    rows = [
        c
        for c in doc.get("parts", {}).get("resource", {}).get("coefficients", [])
        if c.get("section") == section and c.get("cv") is not None
    ]
    if not rows:
        return "—", False
    top = max(rows, key=lambda c: c["cv"] / c["limit"] if c.get("limit") else c["cv"])
    return f"{top['cv']:.3f}", top.get("passed") is False


def _row(out: Path, key: str, entry: dict, lang: str) -> Row:
    crashed = entry.get("status") == "error" and not entry.get("outputs")
    doc = {} if crashed else _document(out, key)   # after a crash, a JSON on disk is an older run's
    status = doc.get("status") or ("invalid" if entry.get("status") == "error" else "")
    failing = "、".join(
        t(f"part.{p}", lang) for p in PARTS if doc.get("parts", {}).get(p, {}).get("status") == "fail"
    )
    links = [
        (name.rsplit(".", 1)[-1].upper(), name)
        for name in sorted(entry.get("outputs", []))
        if not name.endswith(".json")
    ]
    if entry.get("status") == "error" and entry.get("notebook"):
        links.append(("ipynb", f"failed/{Path(entry['notebook']).name}"))
    return Row(
        county_code=entry.get("county_code") or doc.get("county_code", ""),
        county_name=doc.get("county_name") or entry.get("county_name") or "",
        year=entry.get("year") or doc.get("year"),
        status=status,
        verdict=t(f"verdict.{status}", lang) if status else "—",
        worst=[_worst(doc, s) for s in ("primary", "junior")],
        failing=failing,
        links=links,
        error=entry.get("error", "") if entry.get("status") == "error" else "",
    )


REPORT_FORMATS = ("html", "pdf", "xlsx")


def present_reports(out: Path) -> dict:
    """Every county report in the folder (its result JSON), whoever wrote it (another run or
    `junheng report`), keyed like the manifest; the entry lists the report files that exist."""
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
        found[key] = {"county_code": doc["county_code"], "year": doc["year"], "county_name": doc.get("county_name"),
                      "status": "done", "outputs": [*outputs, path.name]}
    return found


def write_index(out: Path, manifest, lang: str = "zh") -> Path:
    """Write ``out/index.html``: every report present in ``out`` and every failure the manifest
    records (call it under the manifest lock, after ``manifest.reload()``, when several runs may
    share the folder)."""
    entries = {**present_reports(out), **manifest.entries}
    rows = [_row(out, key, entry, lang) for key, entry in entries.items()]
    years = sorted({r.year for r in rows if r.year is not None}, reverse=True)
    groups = [
        (year, sorted((r for r in rows if r.year == year), key=lambda r: r.county_code)) for year in years
    ]
    undated = [r for r in rows if r.year is None]
    if undated:
        groups.append((None, undated))
    overview = []
    for html in sorted(out.glob("province*.html")):
        pdf = html.with_suffix(".pdf")
        overview.append((html.name, pdf.name if pdf.exists() else None))
    page = render_template(
        "html/index.html.j2",
        lang=lang,
        groups=groups,
        overview=overview,
        generated=datetime.date.today().isoformat(),
        css=Markup(stylesheet()),
    )
    path = out / "index.html"
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".index.html.", suffix=".tmp")
    try:
        with naming(path), os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
