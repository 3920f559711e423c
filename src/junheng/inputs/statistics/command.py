"""`junheng import DATA… --out DIR`: statistics-system exports to the project's own tables.

Also read: the county's own workbook for what the exports lack. Also written: the import report,
the mappings used and the parent-map template.

Written to DIR: schools / county / monitoring / survey tables (CSV or Parquet, the layout
``load()`` reads as a directory of tables), set_aside.csv (the compulsory schools not imported, read
back by ``load()``: see set_aside.py), import_report.json and .md, mapping-<generation>.yaml
(editable: pass back with --mapping), 不计校数归属.xlsx (fill in, pass back with --parents).
"""

from __future__ import annotations

import sys
from pathlib import Path

SCHOOLS = "schools"


def add_arguments(parser, lang: str = "zh") -> None:
    """The command's options (the CLI registers the subcommand; this module owns its arguments).

    Their help texts in ``lang`` (locale ``cli.help``).
    """
    from junheng.i18n import t

    def h(key):
        return t(f"cli.help.{key}", lang)

    parser.add_argument("data", nargs="+", help=h("import_data"))
    parser.add_argument("--out", required=True, help=h("import_out"))
    parser.add_argument("--mapping", action="append", default=[], help=h("mapping"))
    parser.add_argument("--parents", help=h("parents"))
    parser.add_argument("--year", type=int, help=h("import_year"))
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv", help=h("import_format"))
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help=h("lang"))


def canonical(frame, table):
    """A typed table in its stored form, as ``load()`` reads it back unchanged.

    Contract columns (enumerations as keys, flags as yes / no, counts and years as whole
    numbers), then the columns a county added to its schools sheet, as read.
    """
    import pandas as pd

    from junheng.inputs.validation import CUSTOM

    out = {}
    for key, col in table.columns.items():
        if key not in frame.columns:
            continue
        values = frame[key]
        if not col.required and values.isna().all():
            continue
        if col.type == "enum" and col.enum == "flag":
            values = values.map({True: "yes", False: "no"}).astype(object)
        elif col.type in ("rating", "year") or (col.type == "int" and (values.dropna() % 1 == 0).all()):
            values = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif col.type in ("int", "number"):
            values = pd.to_numeric(values, errors="coerce").astype("float64")
        else:
            values = values.astype(object).where(values.notna(), None)
        out[key] = values
    for key in [c for c in frame.columns if c.startswith(CUSTOM)]:  # county-added columns, as read
        out[key.removeprefix(CUSTOM)] = frame[key].astype(object).where(frame[key].notna(), None)
    return pd.DataFrame(out)


def without_formulas(frame):
    """Text that a spreadsheet would run as a formula, made text: a leading apostrophe.

    A school named ``=HYPERLINK(…)`` or ``+cmd|…`` in an export must not become a live formula
    when the county opens schools.csv in Excel or WPS (CSV formula injection). The Excel exports
    store such text as text cells; a CSV has no cell types, so the text gets the apostrophe that
    spreadsheets read as "this is text" (the OWASP advice). Numbers are not touched. ``load()``
    takes the apostrophe off again when it reads the import's output folder (`outputs.unguarded`).
    """
    from junheng.inputs.statistics.outputs import guarded

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype != object:
            continue
        out[column] = [guarded(v) for v in out[column]]
    return out


def write_tables(dataset, out: Path, fmt: str) -> dict:
    """The dataset's tables as files; county-level tables only for the county-years imported."""
    from junheng.inputs.schema import load_schema

    schema = load_schema()
    written = {}
    keys = None
    if dataset.schools is not None:
        keys = set(zip(dataset.schools["county_code"], dataset.schools["year"].astype("int64"), strict=True))
    for name, table in schema.tables.items():
        frame = getattr(dataset, name)
        if frame is None:
            continue
        if name != SCHOOLS and keys is not None:
            mine = [
                (c, int(y)) in keys if y == y else False
                for c, y in zip(frame["county_code"], frame["year"], strict=True)
            ]
            frame = frame[mine]
        stored = canonical(frame, table)
        path = out / f"{table.file}.{fmt}"
        if fmt == "parquet":
            stored.to_parquet(path, index=False)
        else:
            without_formulas(stored).to_csv(path, index=False, encoding="utf-8-sig")
        written[name] = str(path)
    return written


def copy_targets(inputs, out: Path) -> dict:
    """Plan targets kept beside the inputs (targets.yaml, targets/*.yaml) go beside the tables.

    The first input folder that has them is used.
    """
    import shutil

    from junheng.inputs.targets.sources import target_files

    for item in inputs:
        folder = Path(item) if Path(item).is_dir() else Path(item).parent
        found = target_files(folder)
        for path in found:
            target = out / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        if found:
            return {f"targets:{p.relative_to(folder)}": str(out / p.relative_to(folder)) for p in found}
    return {}


def run(args) -> int:
    """Import, write everything to ``--out``, print problems and a summary; 1 on errors."""
    from junheng.i18n import t
    from junheng.inputs.dataset import load
    from junheng.inputs.statistics.outputs import PARENTS_FILE, mapping_file_name
    from junheng.inputs.statistics.parents import write_parents
    from junheng.inputs.statistics.report import build_report, write_report
    from junheng.inputs.statistics.set_aside import set_aside_table, write_set_aside
    from junheng.inputs.statistics.source import ExportSource
    from junheng.problems import ERROR, INFO, WARNING

    lang = args.lang
    out = Path(args.out)
    source = ExportSource(args.data, mapping_files=args.mapping, parents_file=args.parents, year=args.year)
    dataset = load(source)
    result = source.result
    for problem in dataset.problems:
        if problem.severity != INFO:
            print(problem.message(lang), file=sys.stderr)
    if result is None or dataset.schools is None or dataset.schools.empty:
        return _nothing_imported(result, dataset, out, lang)
    out.mkdir(parents=True, exist_ok=True)
    written = write_tables(dataset, out, args.format)
    for mapping in result.mappings:
        path = out / mapping_file_name(mapping.generation)
        path.write_text(mapping.text, encoding="utf-8")
        written[f"mapping:{mapping.generation}"] = str(path)
    written.update(copy_targets(args.data, out))
    aside = set_aside_table(result, dataset.schools, lang)
    written["set_aside"] = str(write_set_aside(aside, out))
    parents = out / PARENTS_FILE
    rows = [
        {**r, "outcome": t(f"statistics.parents.outcomes.{r['outcome']}", lang)} for r in result.parent_rows
    ]
    write_parents(parents, rows, lang)
    written["parents"] = str(parents)
    report = build_report(result, dataset, lang, written)
    json_path, md_path = write_report(report, out, lang)
    errors = sum(p.severity == ERROR for p in dataset.problems)
    warnings = sum(p.severity == WARNING for p in dataset.problems)
    print(
        t(
            "statistics.cli.done",
            lang,
            schools=len(dataset.schools),
            county_years=len(report["county_years"]),
            out=out,
            errors=errors,
            warnings=warnings,
            report=md_path,
        )
    )
    mappings = ", ".join(str(out / mapping_file_name(m.generation)) for m in result.mappings)
    print(t("statistics.cli.next", lang, out=out, mappings=mappings, parents=parents))
    return 1 if errors else 0


def _nothing_imported(result, dataset, out: Path, lang: str) -> int:
    """No school imported: say why, truthfully, and still write the import report when exports were read.

    A folder of exports of kindergartens (or of any institutions that are not compulsory
    education) is not "no export found": the report lists every institution with its code, name
    and 办学类型. Exit code 2 either way: there is nothing to evaluate.
    """
    from junheng.i18n import t
    from junheng.inputs.statistics.report import build_report, write_report

    inputs = (
        [] if result is None else [i for i in result.extraction.inputs if i.get("shape") != "unrecognised"]
    )
    if not inputs:
        print(t("statistics.cli.nothing", lang), file=sys.stderr)
        return 2
    ext = result.extraction
    _, md_path = write_report(build_report(result, dataset, lang, {}), out, lang)
    from junheng.inputs.statistics.set_aside import set_aside_table

    skipped = sum(s["reason"] == "not_compulsory" for s in ext.skipped)
    aside = set_aside_table(result, None, lang)  # compulsory schools not imported: not "none of them"
    print(
        t(
            "statistics.cli.none_read" if len(aside) else "statistics.cli.none_compulsory",
            lang,
            exports=len({i["file"] for i in inputs}),
            institutions=ext.rows_read,
            aside=aside["school_code"].fillna(aside["file"] + ":" + aside["row"].astype(str)).nunique(),
            skipped=skipped,
            report=md_path,
        ),
        file=sys.stderr,
    )
    return 2
