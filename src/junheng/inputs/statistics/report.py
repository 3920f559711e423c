"""The import report: what was read, how, where every column came from, where every row went.

Where every contract column came from (file, sheet, header path) or that it was not found, what
became of every input row, which conventions were used, and every problem. Written as JSON (for
programs, e.g. the report's methodology appendix) and as Markdown (for people).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from junheng import __version__
from junheng.i18n import t
from junheng.inputs.schema import load_schema
from junheng.inputs.statistics.compose import sources
from junheng.inputs.statistics.options import describe
from junheng.inputs.statistics.outputs import REPORT_JSON, REPORT_MD, mapping_file_name
from junheng.inputs.statistics.supplement import IDENTITY
from junheng.problems import ERROR, INFO, WARNING

MAX_LISTED = 200


def _roles(result) -> dict:
    """(generation, field name) -> role, over the mappings used."""
    return {(m.generation, f.name): f.role for m in result.mappings for f in m.fields.values()}


def _uncounted(result) -> dict:
    """(generation, field) of degree levels below a 学段's required minimum -> that 学段."""
    from junheng.inputs.statistics.codes import codes

    ranks = codes()["degree_ranks"]
    below = {}
    for m in result.mappings:
        for f in m.with_role("degree"):
            for section, minimum in result.options.qualified_minimum.items():
                if ranks.get(f.level, 0) < ranks[minimum]:
                    below.setdefault((m.generation, f.name), set()).add(section)
    return below


def column_sources(result, schools: pd.DataFrame | None) -> list[dict]:
    """Per contract column of the schools table: where found and not found, schools with a value."""
    ext = result.extraction
    roles = _roles(result)
    below = _uncounted(result)
    contract = load_schema().tables["schools"].columns
    supplied = set(result.supplement.provided)
    out = []
    for key, col in contract.items():
        section, column_roles = sources(key)

        def feeds(generation, field, sec, section=section, column_roles=column_roles, key=key):
            if roles.get((generation, field)) not in column_roles or (section and sec not in ("", section)):
                return False
            return not (
                key.startswith("teachers_qualified") and section in below.get((generation, field), ())
            )

        found = [
            {
                "shape": shape,
                "generation": generation,
                "field": field,
                "section": sec or None,
                "where": where,
                "sources": n,
                "example": ext.examples[(shape, generation, field, sec, where)],
            }
            for (shape, generation, field, sec, where), n in sorted(ext.found.items())
            if feeds(generation, field, sec)
        ]
        missing = [
            {
                "shape": shape,
                "generation": generation,
                "field": field,
                "section": sec or None,
                "status": status,
                "sources": len(files),
                "examples": files[:5],
            }
            for (shape, generation, field, sec, status), files in sorted(ext.missing.items())
            if feeds(generation, field, sec)
        ]
        with_value = int(schools[key].notna().sum()) if schools is not None and key in schools else 0
        from_export = bool(found or missing) or key == "year"  # the year: title or file name
        if from_export:
            origin = "export_and_supplement" if key in supplied and key not in IDENTITY else "export"
        else:
            origin = "supplement" if key in supplied else "not_in_export"
        out.append(
            {
                "column": key,
                "header": col.header,
                "required": col.required,
                "origin": origin,
                "schools_with_value": with_value,
                "found": found,
                "not_found": missing,
                "supplement_files": result.supplement.provided_by.get(key, [])[:5],
            }
        )
    return out


def build_report(result, dataset, lang: str = "zh", written: dict | None = None) -> dict:
    """The import report as plain data."""
    ext = result.extraction
    schools = dataset.schools if dataset is not None else None
    outcomes = Counter(d["outcome"] for d in ext.dispositions)
    skipped = Counter(s["reason"] for s in ext.skipped)
    problems = list(dataset.problems) if dataset is not None else list(result.problems)
    return {
        "title": t("statistics.report.title", lang),
        "beta": t("statistics.report.beta", lang),
        "junheng": __version__,
        "inputs": {
            "exports": ext.inputs,
            "supplements": result.supplement.files,
            "parents": [str(p) for p in result.files.get("parents", [])],
            "mappings": [
                {
                    "generation": m.generation,
                    "source": m.source,
                    "written_to": mapping_file_name(m.generation),
                }
                for m in result.mappings
            ],
        },
        "options": describe(result.options, lang),
        "options_values": result.options.as_dict(),
        "columns": column_sources(result, schools),
        "rows": {
            "read": ext.rows_read,
            "outcomes": dict(outcomes),
            "skipped": dict(skipped),
            "accounted": len(ext.dispositions) + len(ext.skipped),
            "skipped_rows": ext.skipped[:MAX_LISTED],
            "not_compulsory": [x for x in ext.skipped if x["reason"] == "not_compulsory"],
            "dispositions": [d for d in ext.dispositions if d["outcome"] != "imported"][:MAX_LISTED],
        },
        "schools": 0 if schools is None else len(schools),
        "county_years": []
        if schools is None
        else [
            [c, int(y)] for c, y in schools[["county_code", "year"]].drop_duplicates().itertuples(index=False)
        ],
        "not_counted": result.parent_rows,
        "problems": {
            "counts": dict(Counter(p.severity for p in problems)),
            "list": [p.to_dict(lang) for p in problems if p.severity != INFO][:MAX_LISTED]
            + [p.to_dict(lang) for p in problems if p.severity == INFO][:MAX_LISTED],
        },
        "written": written or {},
    }


def write_report(report: dict, out: Path, lang: str = "zh") -> tuple[Path, Path]:
    """Write the report as JSON and Markdown into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / REPORT_JSON
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    md_path = out / REPORT_MD
    md_path.write_text(markdown(report, lang), encoding="utf-8")
    return json_path, md_path


def read_import_report(data: str | Path) -> dict | None:
    """The import report beside imported tables (for the methodology appendix), if any."""
    path = Path(data)
    path = path / REPORT_JSON if path.is_dir() else path.parent / REPORT_JSON
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _table(headers: list, rows: list) -> list[str]:
    def cell(v):
        return str("" if v is None else v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _not_imported(report: dict, lang: str) -> list[str]:
    """Every school or institution not imported, with its code, name, 办学类型 and the reason.

    Institutions that are not compulsory education (kindergartens, senior high schools,
    vocational schools …) are all listed, whatever their number: a county checks that none of
    its schools is among them. Other rows not imported are listed up to MAX_LISTED.
    """

    def tr(key, **params):
        return t(f"statistics.report.{key}", lang, **params)

    rows = report["rows"]
    institutions = rows.get("not_compulsory", [])
    others = [x for x in rows["skipped_rows"] if x["reason"] != "not_compulsory"]
    if not institutions and not others:
        return []
    lines = ["", f"## {tr('not_imported')}", ""]
    if institutions:
        types = Counter((x.get("type_name") or "", x.get("type_code") or "") for x in institutions)
        each = [tr("not_imported_type", type=k[0], code=k[1], n=n) for k, n in types.items()]
        lines += [tr("not_imported_by_type", types="；".join(each)), ""]
    listed = [
        [
            x.get("school_code"),
            x.get("school_name") or x.get("label"),
            x.get("type_code"),
            x.get("type_name"),
            tr("reason_of", reason=tr(f"reasons.{x['reason']}"), of=x["county_year"])
            if x.get("county_year")
            else tr(f"reasons.{x['reason']}"),
            x["file"],
            " ".join(str(v) for v in (x.get("sheet"), x.get("row")) if v not in (None, "")),
        ]
        for x in institutions + others
    ]
    heads = ("code", "name", "type_code", "type_name", "reason", "file", "place")
    return lines + _table([tr(f"head.{h}") for h in heads], listed)


def markdown(report: dict, lang: str = "zh") -> str:
    """The report for people."""

    def tr(key, **params):
        return t(f"statistics.report.{key}", lang, **params)

    lines = [f"# {report['title']}", "", f"> {report['beta']}", ""]
    lines += [f"## {tr('inputs')}", ""]
    shapes = {k: tr(f"shapes.{k}") for k in ("county_wide", "school_workbook", "unrecognised")}
    rows = [
        [
            i.get("file"),
            shapes.get(i.get("shape"), i.get("shape")),
            i.get("generation"),
            i.get("section"),
            i.get("year"),
            i.get("rows"),
        ]
        for i in report["inputs"]["exports"][:MAX_LISTED]
    ]
    lines += _table(
        [tr(f"head.{h}") for h in ("file", "shape", "generation", "section", "year", "rows")], rows
    )
    more = len(report["inputs"]["exports"]) - MAX_LISTED
    if more > 0:
        lines.append(f"… +{more}")
    for m in report["inputs"]["mappings"]:
        lines.append(f"- {tr('head.mapping')} `{m['generation']}`: {m['source']} → `{m['written_to']}`")
    for s in report["inputs"]["supplements"]:
        lines.append(f"- {tr('supplement')}: {s}")
    lines += ["", f"## {tr('options')}", ""]
    lines += _table(
        [tr(f"head.{h}") for h in ("option", "value", "default", "meaning")],
        [[o["label"], o["value"], o["default"], o["meaning"]] for o in report["options"]],
    )
    lines += ["", f"## {tr('columns')}", ""]
    rows = []
    for c in report["columns"]:
        if c["column"] == "year":
            where = tr("year_source")
        elif c["found"]:
            where = "；".join(f"{f['where']} ({f['generation']}, {f['sources']})" for f in c["found"][:4])
        elif c["supplement_files"]:
            where = "；".join(Path(f).name for f in c["supplement_files"][:3])
        else:
            where = tr(f"origin.{c['origin']}")
        missing = "；".join(
            f"{m['field']} {tr('status.' + m['status'])} ×{m['sources']}" for m in c["not_found"][:3]
        )
        rows.append([c["header"], tr(f"origin.{c['origin']}"), c["schools_with_value"], where, missing])
    lines += _table([tr(f"head.{h}") for h in ("column", "origin", "schools", "where", "not_found")], rows)
    lines += ["", f"## {tr('rows')}", ""]
    r = report["rows"]
    counts = [[tr(f"outcome.{k}"), v] for k, v in r["outcomes"].items()]
    counts += [[f"{tr('skipped')}: {tr(f'reasons.{k}')}", v] for k, v in r["skipped"].items()]
    lines += _table([tr("head.outcome"), tr("head.rows")], counts)
    lines.append("")
    lines.append(tr("accounted", read=r["read"], accounted=r["accounted"]))
    lines += _not_imported(report, lang)
    if report["not_counted"]:
        lines += ["", f"## {tr('not_counted')}", ""]
        lines += _table(
            [
                t(f"statistics.parents.columns.{h}", lang)
                for h in ("year", "code", "name", "school_type", "students", "parent_code", "outcome")
            ],
            [
                [
                    n["year"],
                    n["code"],
                    n["name"],
                    n["school_type"],
                    n["students"],
                    n["parent_code"],
                    t(f"statistics.parents.outcomes.{n['outcome']}", lang),
                ]
                for n in report["not_counted"][:MAX_LISTED]
            ],
        )
    lines += ["", f"## {tr('problems')}", ""]
    counts = report["problems"]["counts"]
    lines.append(", ".join(f"{k}: {counts.get(k, 0)}" for k in (ERROR, WARNING, INFO)))
    lines.append("")
    lines += [f"- {p['message']}" for p in report["problems"]["list"]]
    return "\n".join(lines) + "\n"
