"""Command line: `junheng evaluate | plan | validate | template | import | dictionary`."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from junheng import __version__
from junheng.errors import UserError, naming, os_error_message
from junheng.i18n import t
from junheng.inputs import codes


def _help(lang: str):
    """The help text ``cli.help.<key>`` in ``lang`` (every option's help goes through the locale)."""
    return lambda key: t(f"cli.help.{key}", lang)


def _add_data(p, optional=False, lang_help=None, lang="zh"):
    h = _help(lang)
    if optional:
        from junheng.paths import default_data

        p.add_argument("data", nargs="?", default=str(default_data()), help=h("data_optional"))
    else:
        p.add_argument("data", help=h("data"))
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help=lang_help or h("lang"))


def cmd_evaluate(args) -> int:
    """`junheng evaluate`: evaluate counties and print a summary or JSON."""
    from junheng.inputs.dataset import load
    from junheng.method.evaluate import evaluate
    from junheng.method.rules import RuleError
    from junheng.report.summary import render_summary

    codes.data_path(args.data)  # a mistyped path: said as such, not as a county missing from the data
    counties = [codes.county_code(args.county)] if args.county else None
    if args.year:
        codes.year(args.year)
    ds = load(args.data, counties)  # every year: plan targets are judged against the earlier years
    if args.changes:
        from junheng.inputs.changes import ChangeError, apply_to_dataset

        if not (args.county and args.year):
            print(t("changes.needs_county", args.lang), file=sys.stderr)
            return 2
        try:
            ds, applied = apply_to_dataset(ds, Path(args.changes), counties[0], args.year, args.lang)
        except ChangeError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        # said first, and on stderr beside --json (whose stdout stays one JSON document)
        note = t("cli.what_if", args.lang, path=args.changes, n=len(applied))
        print(note, file=sys.stderr if args.json else sys.stdout)
    try:
        ev = evaluate(ds, args.rules, args.overlay or ())
    except RuleError as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 2
    targets = [
        (c, y)
        for c, y in ev.verdicts[["county_code", "year"]].itertuples(index=False, name=None)
        if not args.year or y == args.year
    ]
    if not targets:
        from junheng.problems import bounded

        for p in bounded(ds.problems):
            if not args.year or p.year in (None, args.year):
                print(p.message(args.lang), file=sys.stderr)
        year = t("ui.year_suffix", args.lang, year=args.year) if args.year else ""
        print(
            (
                t("ui.no_county", args.lang, county=args.county, year=year)
                if args.county
                else t("ui.no_schools", args.lang, year=year)  # no code to name
            )
            + t("cli.check_hint", args.lang),
            file=sys.stderr,
        )
        return 2
    docs = [ev.county(c, y).to_dict(args.lang, extras=args.extras) for c, y in targets]
    if args.json:
        from junheng.jsonout import dumps_strict

        out = docs[0] if len(docs) == 1 else docs
        sys.stdout.write(dumps_strict(out, indent=1) + "\n")  # whole or not at all (NaN -> null)
    else:
        print("\n\n".join(render_summary(d, ev.rules, args.lang) for d in docs))
    return 1 if any(d["status"] == "invalid" for d in docs) else 0


def cmd_plan(args) -> int:
    """`junheng plan`: the optimal plan (达标测算) of one county-year; optionally its change set."""
    import junheng
    from junheng.planning.config import PlanConfigError
    from junheng.planning.optimal import optimal_plan
    from junheng.report.optimal import cost_notes, plan_sentences, plan_table

    codes.data_path(args.data)
    try:
        c = junheng.county(args.county, args.year, data=args.data, lang=args.lang)
    except LookupError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if c.invalid:  # no verdict, so nothing to plan: the errors, as `evaluate` lists them
        print(data_errors(c, "cli.plan_invalid", args.data), file=sys.stderr)
        return 1
    if c.plan_problems:
        print(str(PlanConfigError(c.plan_problems, args.lang)), file=sys.stderr)
        return 2
    overrides = {"horizon_years": args.horizon, "transfers": True if args.transfers else None}
    plan = optimal_plan(c, **overrides)
    if args.changes_out:
        plan.changes.to_csv(args.changes_out, index=False, encoding="utf-8")
        written = t(
            "cli.changes_written",
            args.lang,
            path=args.changes_out,
            n=len(plan.changes),
            data=args.data,
            county=c.code,
            year=c.year,
        )
        print(written, file=sys.stderr)  # stdout keeps the plan (or its JSON)
    if args.json:
        from junheng.jsonout import dumps_strict

        sys.stdout.write(dumps_strict(plan.to_dict(), indent=1) + "\n")
    else:
        print("\n".join(plan_sentences(c, plan)))
        table = plan_table(c, plan)
        if len(table):
            print()
            print(table.to_string(index=False))
            for note in cost_notes(c, plan, hint=True):  # why a cost is "—"
                print(note)
    return 1 if plan.summary["status"] in ("infeasible", "not_found") else 0  # no passing plan


def cmd_validate(args) -> int:
    """`junheng validate`: check DATA and print its problems."""
    from junheng.inputs.dataset import load

    codes.data_path(args.data)  # one line, not a "problem" of data that are not there
    ds = load(args.data)
    errors = [p for p in ds.problems if p.severity == "error"]
    from junheng.problems import bounded

    shown = ds.problems if args.all else [p for p in ds.problems if p.severity != "info"]
    for p in bounded(shown):  # at most 20 of a kind, then how many more
        print(p.message(args.lang))
    hidden = 0 if args.all else sum(p.severity == "info" for p in ds.problems)
    if hidden:  # notes (a sheet left out, a county's own column) are not printed without --all: say so
        print(t("cli.notes_hidden", args.lang, n=hidden))
    n_rows = 0 if ds.schools is None else len(ds.schools)
    print(
        t(
            "cli.validated",
            args.lang,
            rows=n_rows,
            errors=len(errors),
            warnings=sum(p.severity == "warning" for p in ds.problems),
        )
    )
    return 1 if errors else 0


def cmd_template(args) -> int:
    """`junheng template`: write the empty input workbook."""
    from junheng.inputs.template import write_template

    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".xlsm"):  # an Excel workbook under a .csv name: refused
        raise UserError("cli.template_suffix", path=out)
    if out.exists() and not args.force:  # never overwrite a filled-in workbook
        raise UserError("cli.template_exists", path=out)
    path = write_template(out, args.lang)
    print(path)
    return 0


def cmd_sample_data(args) -> int:
    """`junheng sample-data`: write the bundled sample or a synthetic dataset."""
    if args.counties:
        import time

        from junheng.sample.synthetic import national

        start = time.perf_counter()
        years = tuple(range(2025 - args.years, 2025))
        tables = national(args.seed or 20240901, args.counties, years)
        out = Path(args.out or "data/national")
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            if args.format == "parquet":
                frame.to_parquet(out / f"{name}.parquet", index=False)
            else:
                frame.to_csv(out / f"{name}.csv", index=False)
        print(
            f"{len(tables['schools'])} schools in {args.counties} counties × {args.years} years → {out} "
            f"({time.perf_counter() - start:.1f} s)"
        )
        return 0
    from junheng.sample.invalid_examples import write_invalid_examples
    from junheng.sample.sample_province import SEED, write_sample

    out = Path(args.out or "data/sample")
    written = write_sample(
        out,
        args.seed or SEED,
        progress=lambda i, n, p: print(f"\r[{i}/{n}] {p.name}", end="", file=sys.stderr, flush=True),
    )
    print(file=sys.stderr)
    invalid = write_invalid_examples(
        out / "990102_2024.xlsx", Path(args.invalid_out or "data/examples/invalid")
    )
    books = sum(p.suffix == ".xlsx" for p in written)
    print(
        f"{books} workbooks → {out}; "
        f"{len(invalid)} broken examples → {args.invalid_out or 'data/examples/invalid'}"
    )
    from junheng.sample.exports import write_exports

    exports_out = Path(args.exports_out or "data/examples/exports")
    exports = write_exports(out, exports_out)
    print(f"{len(exports)} statistics-system export files (synthetic) → {exports_out}")
    return 0


def cmd_report(args) -> int:
    """`junheng report`: execute and publish the report of one county-year."""
    from junheng.batch.lock import RunLock
    from junheng.batch.worker import kernel_config, run_dir
    from junheng.method.rules import RuleSet
    from junheng.report.run import check_request, describe_failure, failed_notebook, output_stem, report

    county, year = codes.county_year(args.county, args.year)  # before any path is built
    formats = codes.formats(args.formats)
    RuleSet(args.rules, args.overlay or ())
    if args.notebook:
        from junheng.report.notebook_file import check_notebook

        check_notebook(args.notebook)  # before a kernel starts
    parameters = checked_parameters(args)  # -p NAME VALUE: known to the notebook, before a kernel starts
    check_request(county, year, args.data)  # the data path, the county and the year: before a kernel starts
    if args.report_date:
        from junheng.report.params import ParameterError, date_param

        try:
            date_param(args.report_date, args.lang)  # a bad date is said before a kernel starts
        except ParameterError:
            raise UserError("params.bad_date", value=args.report_date) from None
    refused = check_county_inputs(
        args.data,
        county,
        year,
        args.lang,
        args.final,
        rules=args.rules,
        overlays=args.overlay or (),
        report_date=args.report_date,
        issuer=args.issuer,
    )
    if refused:
        print(refused, file=sys.stderr)
        return 1
    with naming(args.out):
        Path(args.out).mkdir(parents=True, exist_ok=True)
    sockets = run_dir()  # kernels on an IPC socket: no "running over TCP without encryption"
    try:
        with RunLock(args.out), naming(args.out):  # a run's clean-up leaves our temporary files alone
            written = report(
                county,
                year,
                args.data,
                formats,
                args.lang,
                args.rules,
                args.overlay or (),
                args.out,
                kernel_config=kernel_config(sockets),
                notebook=args.notebook,
                school_profiles=args.school_profiles,
                report_date=args.report_date,
                issuer=args.issuer,
                final=args.final,
                parameters=parameters,
            )
    except OSError:
        raise  # one line naming the path (main)
    except Exception as exc:  # noqa: BLE001 - the user gets the error and the kept notebook
        print(describe_failure(exc, args.lang)[:2000], file=sys.stderr)
        kept = failed_notebook(args.out, output_stem(county, year, args.lang, args.rules))
        if kept.exists():
            print(t("cli.notebook_kept", args.lang, path=kept), file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    print_notes(written.notes, args.lang)
    for kind, path in written.items():
        if kind == "profiles":
            folder = path[0].parent if path else args.out
            print(f"profiles: {len(path)} → {folder}")
        else:
            print(f"{kind}: {path}")
    if written.draft_reasons is not None:  # a draft: why, and how it becomes final (stdout keeps the paths)
        print(draft_line(written.draft_reasons, args.lang), file=sys.stderr)
    return 0


def draft_line(reasons: list[str], lang: str) -> str:
    """One line: the report is a draft, why and how it becomes final.

    What keeps it one (as its cover says, with where to settle each), and that ``--final`` issues the
    version for submission.
    """
    if not reasons:
        return t("issue.draft_line_ready", lang)
    return t("issue.draft_line", lang, reasons=t("report.words.clause_sep", lang).join(reasons))


def checked_parameters(args) -> dict:
    """The ``-p NAME VALUE`` parameters, checked against the notebook before a kernel starts.

    Each must be declared by the notebook's parameters cell (did-you-mean otherwise), and a junheng
    parameter the user set by option (``--overlay``, ``--lang en``…) must be one the notebook has
    (`junheng.report.params.check_parameters`). ``UserError`` in the user's language, exit 2.
    """
    options = [
        name
        for name, set_ in (
            ("rules", args.rules != "youzhi-2017"),
            ("overlays", bool(args.overlay)),
            ("lang", args.lang != "zh"),
            ("report_date", bool(getattr(args, "report_date", None))),
            ("issuer", bool(getattr(args, "issuer", None))),
            ("final", bool(getattr(args, "final", False))),
            ("school_profiles", bool(getattr(args, "school_profiles", False))),
        )
        if set_
    ]
    if not args.parameter and not (args.notebook and options):
        return {}  # nothing to check: junheng.report (pandas) not imported (issue #21)
    from junheng.report.params import check_parameters, given_parameters

    given = given_parameters(args.parameter)
    if given or (args.notebook and options):
        from junheng.report.notebook_file import check_notebook
        from junheng.report.run import default_notebook

        if args.notebook:
            check_notebook(args.notebook)  # not a notebook: said first, as the command says it

        check_parameters(args.notebook or default_notebook(args.rules), given, options)
    return given


def check_county_inputs(data, county: str, year: int, lang: str, final: bool = False, **params) -> str:
    """The county's data, own text and profile, checked before a kernel starts; the message of what is wrong.

    A county-year left without schools by an error of its data (a workbook without its 学校 sheet) is
    refused with those errors, located (file, sheet).

    With ``final`` the county is evaluated here too, and every reason that keeps it a draft is said
    (`junheng.report.issue.FinalRefused`). ``""``: nothing in the way.
    """
    from junheng.inputs import county_profile, narrative
    from junheng.inputs.dataset import without_schools
    from junheng.paths import default_data
    from junheng.problems import bounded

    data = data or default_data()
    errors = without_schools(data, county, year)  # no schools: the kernel would fail on it, unlocated
    if errors:
        return "\n".join(p.message(lang) for p in bounded(errors))
    try:
        narrative.load(data, county, year)
        county_profile.load(data, county, year)
        if final:
            from junheng.report.county import County

            County(county, year, data, lang=lang, final=True, **params)
    except (narrative.NarrativeError, county_profile.CountyProfileError) as exc:
        return exc.message(lang)
    except ValueError as exc:
        if hasattr(exc, "reasons"):  # FinalRefused
            return exc.message(lang)
        raise
    return ""


def cmd_narrative(args) -> int:
    """`junheng narrative`: write the skeleton of a county's own text (never over an existing file)."""
    from junheng.inputs.narrative import FOLDER, skeleton
    from junheng.report.county import County
    from junheng.report.narrative import catalogue

    county, year = codes.county_year(args.county, args.year)
    codes.data_path(args.data)
    data = Path(args.data)
    folder = data if data.is_dir() else data.parent
    path = Path(args.out) if args.out else folder / FOLDER / f"{county}_{year}.md"
    if path.exists():
        print(t("narrative.exists", args.lang, path=path), file=sys.stderr)
        return 1
    c = County(county, year, data, lang=args.lang)
    if c.invalid:  # its values would be wrong or missing: the errors, as `evaluate` lists them
        print(data_errors(c, "narrative.invalid_data", data), file=sys.stderr)
        return 1
    text = skeleton(c.full_name, year, catalogue(c), args.lang)
    with naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as f:  # "x": never over a file made meanwhile
            f.write(text)
    print(t("narrative.written", args.lang, path=path))
    return 0


def data_errors(c, key: str, data) -> str:
    """The errors that leave county ``c`` without a verdict, located; then the line ``key`` (not done)."""
    from junheng.problems import bounded

    errors = [p for p in c.result.problems if p.severity == "error"]
    lines = [p.message(c.lang) for p in bounded(errors)]
    return "\n".join([*lines, t(key, c.lang, data=data)])


def print_notes(notes, lang: str) -> None:
    """What the published cells say on the side: ``! 单元格 In [n]（first line）：message``."""
    for note in notes:
        text = note.message(lang) if hasattr(note, "message") else str(note)
        print("! " + text.replace("\n", "\n    "), file=sys.stderr)


def cmd_render(args) -> int:
    """`junheng render`: publish an already executed notebook."""
    from junheng.report.render.publish import PublishError
    from junheng.report.run import render

    formats = codes.formats(args.formats, ("html", "pdf", "docx"))  # `--formats bogus`: exit 2, said
    try:
        written = render(args.notebook, args.out, formats, args.report_lang)
    except PublishError as exc:
        print(
            t("cli.render_failed", args.lang, path=args.notebook, error=exc.message(args.lang)),
            file=sys.stderr,
        )
        return 1
    except UserError:
        raise  # --report-lang against the language it ran in: exit 2 (main)
    except (OSError, ValueError) as exc:  # not a notebook (nbformat's errors are ValueErrors)
        print(
            t("cli.render_not_notebook", args.lang, path=args.notebook, error=str(exc).splitlines()[0][:200]),
            file=sys.stderr,
        )
        return 2
    print_notes(written.notes, args.lang)
    for kind, path in written.items():
        print(f"{kind}: {path}")
    return 0


def cmd_preview(args) -> int:
    """`junheng preview`: the web page of a notebook made again each time it is saved (until Ctrl-C).

    The notebook as JupyterLab saved it (with the outputs of the cells run there): no papermill, no
    PDF. An error is printed and the next save is tried again.
    """
    import time

    args.formats, args.report_lang = "html", None
    path, seen, status = Path(args.notebook), None, 0
    if not args.once:
        print(t("cli.preview_watching", args.lang, path=path), file=sys.stderr)
    try:
        while True:
            stamp = path.stat().st_mtime_ns if path.exists() else None
            if stamp is not None and stamp != seen:
                seen = stamp
                status = cmd_render(args)
            if args.once:
                return status
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0


def cmd_run(args) -> int:
    """`junheng run`: make the reports of every county-year of DATA."""
    from junheng.batch.runner import run

    def split(values):
        return [v for item in (values or []) for v in str(item).split(",") if v]

    try:
        summary = run(
            args.data,
            split(args.counties) or None,
            split(args.years) or None,
            args.formats,
            args.jobs,
            args.out,
            args.force,
            args.rules,
            args.overlay or (),
            args.lang,
            args.executor,
            args.scheduler,
            notebook=args.notebook,
            final=args.final,
            parameters=checked_parameters(args),
        )
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: children stopped, finished reports recorded
        import signal

        # the run is over: another Ctrl-C while the interpreter winds its pool threads down would end
        # the process by the signal (exit -2) instead of 130
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("\n" + t("cli.interrupted", args.lang), file=sys.stderr)
        return 130
    print(
        t(
            "cli.run_summary",
            args.lang,
            done=len(summary["done"]),
            skipped=len(summary["skipped"]),
            failed=len(summary["failed"]),
            seconds=summary["seconds"],
            index=f"{args.out}/index.html",
        )
    )
    for warning in summary.get("warnings", []):
        print(f"  ! {warning}", file=sys.stderr)
    for key, note in summary.get("notes", []):
        print(f"  ! {key}: {note}", file=sys.stderr)
    for failure in summary["failed"]:
        kept = f" ({failure['notebook']})" if failure.get("notebook") else ""
        # (a county-year's first errors and how many in all: `batch.worker.first_errors`, at most ~700)
        print(f"  ✗ {failure['key']}: {failure.get('error', '')[:800]}{kept}", file=sys.stderr)
    return 1 if summary["failed"] else 0


def cmd_import(args) -> int:
    """`junheng import`: convert the statistics system's exports."""
    from junheng.inputs.statistics.command import run

    return run(args)


def cmd_dictionary(args) -> int:
    """`junheng dictionary`: print the Markdown data dictionary."""
    from junheng.inputs.template import data_dictionary

    sys.stdout.write(data_dictionary())
    return 0


def _add_parameter(p, lang="zh") -> None:
    """`-p NAME VALUE` of `report` and `run`: a parameter of the notebook, checked before a kernel starts."""
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help=_help(lang)("parameter"),
    )


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The command-line parser with every subcommand, its help texts in ``lang`` (locale ``cli.help``)."""
    h = _help(lang)
    parser = argparse.ArgumentParser(prog="junheng", description=h("description"))
    parser.add_argument("--version", action="version", version=f"junheng {__version__}", help=h("version"))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("evaluate", help=h("command.evaluate"))
    _add_data(p, optional=True, lang=lang)  # the bundled sample by default, as report and run
    p.add_argument("--county", help=h("county"))
    p.add_argument("--year", type=int, help=h("year"))
    p.add_argument("--rules", default="youzhi-2017", choices=["youzhi-2017", "jiben-2012"], help=h("rules"))
    p.add_argument("--overlay", action="append", help=h("overlay"))
    p.add_argument("--json", action="store_true", help=h("json"))
    p.add_argument("--extras", action="store_true", help=h("extras"))
    p.add_argument(
        "--changes",
        metavar="CHANGES.csv",
        help=h("changes"),
    )
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("plan", help=h("command.plan"))
    _add_data(p, optional=True, lang=lang)  # the bundled sample by default, as report and run
    p.add_argument("--county", required=True, help=h("county"))
    p.add_argument("--year", type=int, required=True, help=h("year"))
    p.add_argument(
        "--changes-out",
        metavar="CHANGES.csv",
        help=h("changes_out"),
    )
    p.add_argument("--horizon", type=float, help=h("horizon"))
    p.add_argument("--transfers", action="store_true", help=h("transfers"))
    p.add_argument("--json", action="store_true", help=h("json"))
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("validate", help=h("command.validate"))
    _add_data(p, optional=True, lang=lang)  # the bundled sample by default, as report and run
    p.add_argument("--all", action="store_true", help=h("all"))
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help=h("command.template"))
    p.add_argument("out", help=h("template_out"))
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help=h("lang"))
    p.add_argument("--force", action="store_true", help=h("template_force"))
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("report", help=h("command.report"))
    _add_data(p, optional=True, lang_help=h("report_lang"), lang=lang)
    p.add_argument("--county", required=True, help=h("county"))
    p.add_argument("--year", type=int, required=True, help=h("year"))
    p.add_argument("--formats", default="html,pdf,xlsx", help=h("formats"))
    p.add_argument("--rules", default="youzhi-2017", choices=["youzhi-2017", "jiben-2012"], help=h("rules"))
    p.add_argument("--overlay", action="append", help=h("overlay"))
    p.add_argument("--out", default="reports", help=h("out"))
    p.add_argument("--notebook", help=h("notebook"))
    p.add_argument(
        "--school-profiles",
        action="store_true",
        help=h("school_profiles"),
    )
    p.add_argument(
        "--report-date",
        help=h("report_date"),
    )
    p.add_argument("--issuer", help=h("issuer"))
    p.add_argument("--final", action="store_true", help=h("final"))
    _add_parameter(p, lang)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("narrative", help=h("command.narrative"))
    _add_data(p, optional=True, lang_help=h("narrative_lang"), lang=lang)
    p.add_argument("--county", required=True, help=h("county"))
    p.add_argument("--year", type=int, required=True, help=h("year"))
    p.add_argument("--out", help=h("narrative_out"))
    p.set_defaults(func=cmd_narrative)

    p = sub.add_parser("render", help=h("command.render"))
    p.add_argument("notebook", help=h("executed"))
    p.add_argument("--out", help=h("next_to"))
    p.add_argument("--formats", default="html,pdf", help=h("render_formats"))
    p.add_argument("--report-lang", choices=["zh", "en"], help=h("as_executed"))
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help=h("lang"))
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("preview", help=h("command.preview"))
    p.add_argument("notebook", help=h("open_notebook"))
    p.add_argument("--out", help=h("next_to"))
    p.add_argument("--interval", type=float, default=1.0, help=h("interval"))
    p.add_argument("--once", action="store_true", help=h("once"))
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help=h("lang"))
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("run", help=h("command.run"))
    _add_data(p, optional=True, lang_help=h("reports_lang"), lang=lang)
    p.add_argument("--counties", nargs="*", help=h("counties"))
    p.add_argument("--years", nargs="*", help=h("years"))
    p.add_argument("--formats", default="html,pdf,xlsx", help=h("formats"))
    p.add_argument("--jobs", type=int, default=2, help=h("jobs"))
    p.add_argument("--force", action="store_true", help=h("force"))
    p.add_argument("--rules", default="youzhi-2017", choices=["youzhi-2017", "jiben-2012"], help=h("rules"))
    p.add_argument("--overlay", action="append", help=h("overlay"))
    p.add_argument("--out", default="reports", help=h("out"))
    p.add_argument("--executor", choices=["local", "dask"], default="local", help=h("executor"))
    p.add_argument("--scheduler", help=h("scheduler"))
    p.add_argument("--notebook", help=h("notebook"))
    p.add_argument("--final", action="store_true", help=h("final"))
    _add_parameter(p, lang)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sample-data", help=h("command.sample-data"))
    p.add_argument("--out", help=h("sample_out"))
    p.add_argument("--seed", type=int, help=h("seed"))
    p.add_argument("--counties", type=int, help=h("sample_counties"))
    p.add_argument("--years", type=int, default=1, help=h("sample_years"))
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet", help=h("sample_format"))
    p.add_argument("--invalid-out", help=h("invalid_out"))
    p.add_argument("--exports-out", help=h("exports_out"))
    p.set_defaults(func=cmd_sample_data)

    from junheng.inputs.statistics.command import add_arguments

    p = sub.add_parser("import", help=h("command.import"))
    add_arguments(p, lang)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("dictionary", help=h("command.dictionary"))
    p.set_defaults(func=cmd_dictionary)
    return parser


def _wanted_lang(argv) -> str:
    """The --lang of a command line, read before it is parsed (argparse's own messages use it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1] if argv[i + 1] in ("zh", "en") else "zh"
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1] if arg.split("=", 1)[1] in ("zh", "en") else "zh"
    return "zh"


def _speak(lang: str) -> None:
    """Argparse's own messages (a bad --year, a missing argument) in ``lang`` (locale: argparse.*)."""
    from junheng.i18n import _section

    table = {node["en"]: node[lang] for node in _section("argparse").values()}
    argparse._ = lambda text: table.get(text, text)


def main(argv=None) -> int:
    """Entry point of the `junheng` command; returns the exit status."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `junheng validate … | head` ends quietly
    _speak(_wanted_lang(argv))
    args = build_parser(_wanted_lang(argv)).parse_args(argv)
    lang = getattr(args, "lang", "zh")
    try:
        return args.func(args)
    except UserError as exc:  # a county code, --jobs 0, a malformed overlay ...: one line, exit 2
        print(exc.message(lang), file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only folder, a full disk: one line naming the path, exit 1
        print(os_error_message(exc, lang), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
