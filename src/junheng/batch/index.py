"""reports/index.html: every county and year with its verdict, key coefficients and links. A static
page with relative links: it opens from the file system with no server.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from junheng.errors import naming
from junheng.i18n import t
from junheng.report.html import esc
from junheng.report.render import stylesheet

STATUS_CLASS = {"passed": "pass", "failed": "fail", "incomplete": "not_assessed", "invalid": "fail"}


def _row(out: Path, key: str, entry: dict, lang: str) -> tuple:
    doc = {}
    json_path = out / f"{key}.json"
    crashed = entry.get("status") == "error" and not entry.get("outputs")
    if json_path.exists() and not crashed:  # after a crash, a JSON on disk is an older run's
        try:
            doc = json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            doc = {}
    status = doc.get("status", "")
    cv = doc.get("parts", {}).get("resource", {}).get("cv", {})
    worst = []
    for section in ("primary", "junior"):
        values = [v for k, v in cv.get(section, {}).items() if v is not None and k != "composite"]
        worst.append(f"{max(values):.3f}" if values else "—")
    failing = [
        t(f"part.{p}", lang)
        for p in ("resource", "guarantee", "quality", "survey", "vetoes")
        if doc.get("parts", {}).get(p, {}).get("status") == "fail"
    ]
    links = " ".join(
        f'<a href="{esc(name)}">{esc(name.rsplit(".", 1)[-1].upper())}</a>'
        for name in sorted(entry.get("outputs", []))
        if not name.endswith(".json") and (out / name).exists()
    )
    if entry.get("status") == "error":
        links += f' <span class="pill fail" title="{esc(entry.get("error", ""))}">{esc(t("status.fail", lang))}</span>'
        if entry.get("notebook"):
            links += f' <a href="failed/{esc(Path(entry["notebook"]).name)}">ipynb</a>'
    verdict = t(f"verdict.{status}", lang) if status else "—"
    return (
        entry.get("county_code") or doc.get("county_code", ""),
        doc.get("county_name") or entry.get("county_name") or "",
        entry.get("year") or doc.get("year"),
        verdict,
        STATUS_CLASS.get(status, "not_assessed"),
        worst,
        "、".join(failing),
        links,
    )


REPORT_FORMATS = ("html", "pdf", "xlsx")


def present_reports(out: Path) -> dict:
    """Every county report in the folder (its result JSON), whoever wrote it.

    Another run, or `junheng report`. Keyed like the manifest; the entry lists the report files that
    exist.
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
            "outputs": outputs + [path.name],
        }
    return found


def write_index(out: Path, manifest, lang: str = "zh") -> Path:
    """The index of every report present in ``out`` and every failure the manifest records.

    Call it under the manifest lock, after ``manifest.reload()``, when several runs may share the
    folder.
    """
    entries = {**present_reports(out), **manifest.entries}
    rows = sorted((_row(out, k, e, lang) for k, e in entries.items()), key=lambda r: (str(r[0]), r[2] or 0))
    body = []
    for code, name, year, verdict, css, worst, failing, links in rows:
        body.append(
            f"<tr><td>{esc(code)}</td><td>{esc(name)}</td><td class='num'>{esc(year)}</td>"
            f"<td><span class='pill {css}'>{esc(verdict)}</span></td><td class='num'>{esc(worst[0])}</td>"
            f"<td class='num'>{esc(worst[1])}</td><td>{esc(failing)}</td><td>{links}</td></tr>"
        )
    province = ""
    for candidate in sorted(out.glob("province*.html")):
        label = "省级汇总" if lang == "zh" else "Province overview"
        pdf = candidate.with_suffix(".pdf")
        province += (
            f'<li><a href="{esc(candidate.name)}">{esc(label)}</a>'
            + (f' · <a href="{esc(pdf.name)}">PDF</a>' if pdf.exists() else "")
            + "</li>"
        )
    title = "县域义务教育优质均衡发展评估报告索引" if lang == "zh" else "County reports"
    heads = (
        ["代码", "县（市、区）", "年度", "结论", "小学最大差异系数", "初中最大差异系数", "未达标方面", "报告"]
        if lang == "zh"
        else [
            "Code",
            "County",
            "Year",
            "Verdict",
            "Max primary CV",
            "Max junior CV",
            "Parts not met",
            "Reports",
        ]
    )
    head = "".join(f"<th>{esc(h)}</th>" for h in heads)
    html = (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(title)}</title>'
        f"<style>{stylesheet()}</style></head><body><h1>{esc(title)}</h1>"
        + (f"<ul>{province}</ul>" if province else "")
        + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>"
    )
    path = out / "index.html"
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".index.html.", suffix=".tmp")
    try:
        with naming(path), os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
