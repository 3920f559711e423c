"""`junheng run`: every county-year of DATA through the report notebook.

`junheng run`: every county-year of DATA through the report notebook, in parallel worker processes (or on a
Dask cluster), skipping what is unchanged, isolating failures, then writing the index.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from junheng.batch.indexstate import index_is_current
from junheng.batch.lock import RunLock
from junheng.batch.manifest import Manifest, output_sums
from junheng.batch.plancache import cached_plan, keep_plan, plan_key
from junheng.batch.tasks import KNOWN_FORMATS, combined_fingerprint, fingerprint_parts, plan
from junheng.batch.worker import run_dir, run_tasks, sweep_run_dirs
from junheng.errors import UserError, naming
from junheng.inputs import codes
from junheng.problems import ERROR, WARNING


def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="report",
        disable=quiet,
        file=sys.stderr,
        dynamic_ncols=True,
        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}] {postfix}",
    )


def by_county(todo) -> list[list]:
    """One chunk per county: a worker renders a county's years in a row and reuses its loaded data."""
    chunks = {}
    for task in todo:
        chunks.setdefault(task.county_code, []).append(task)
    return list(chunks.values())


def _lost(chunk, exc, lang) -> list:
    """A chunk whose worker process died (killed, out of memory): each of its tasks failed, said so."""
    from junheng.i18n import t

    detail = f"{type(exc).__name__}: {exc}"[:300]
    return [
        {
            "key": task.key,
            "county_code": task.county_code,
            "year": task.year,
            "status": "error",
            "error": t("cli.worker_lost", lang, detail=detail),
        }
        for task in chunk
    ]


def _culprits(pool_processes: dict, sockets: str) -> tuple[set, bool]:
    """After a worker died: the task keys it was running, and whether it could be told.

    Each local worker names the chunk it runs in a marker file; when the pool breaks, the others are
    stopped by the pool (SIGTERM: ``worker.TERMINATED``), so the worker that died otherwise (killed,
    out of memory, ``os._exit``) is the one whose exit status is anything else.
    """
    from junheng.batch.worker import TERMINATED, UNKNOWN_EXIT

    keys, told = set(), False
    for pid, process in pool_processes.items():
        marker = Path(sockets) / f"running-{pid}.json"
        code = process.exitcode
        known = code not in (None, TERMINATED, -signal.SIGTERM, UNKNOWN_EXIT)  # 255: fork server gone
        if known and marker.exists():
            try:
                keys.update(json.loads(marker.read_text(encoding="utf-8")))
                told = True
            except (OSError, ValueError):
                pass
        marker.unlink(missing_ok=True)
    return keys, told


def _stop_pool(pool, processes: dict) -> None:
    """Stop a pool now: its workers stop their kernels and exit (SIGTERM), nothing pending starts.

    Returns once the pool's manager thread has ended: once it sees the workers gone, it closes its
    end of the pipe to them and may still send them its shutdown sentinels (it counted them alive
    just before), a write to a pipe nobody reads. Waited for here, where SIGPIPE is ignored (the
    caller's ``_pipe_ignored``; the queue is told to drop the write quietly, see ``_local``), that
    write cannot end the run by SIGPIPE (exit -13) after the interrupt restored SIGPIPE's default.
    """
    manager = pool._executor_manager_thread  # (``shutdown`` forgets it)
    for process in processes.values():
        if process.exitcode is None:
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes.values():
        process.join(timeout=10)
        if process.exitcode is None:
            process.kill()
    if manager is not None:
        manager.join(timeout=10)


def _local(todo, out_dir, jobs, sockets, lang="zh"):
    """The chunks in a pool of local worker processes.

    A worker that dies (killed, out of memory) breaks the pool: its own chunk fails with a message,
    the others run again in a fresh pool (a chunk caught in two breaks without a known culprit
    fails, so the run always ends). An interrupt stops every worker and kernel at once.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from junheng.batch.worker import init_pool_worker, pool_context, restart_pool_server, start_pool_server

    start_pool_server()  # (a run with nothing to do starts none)
    pending, caught = by_county(todo), {}
    while pending:
        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(pending)),
            mp_context=pool_context(),
            initializer=init_pool_worker,
            initargs=(sockets, dict(os.environ)),
        )
        pool._call_queue._ignore_epipe = True  # (before its feeder starts) see ``_stop_pool``
        processes = pool._processes  # (the live dict: workers are spawned as chunks are submitted)
        unfinished, broken = [], None
        try:
            with _interrupt_deferred():  # the workers are started by the first submissions
                futures = {pool.submit(run_tasks, chunk, str(out_dir)): chunk for chunk in pending}
            for future in as_completed(futures):
                try:
                    results = future.result()
                except BrokenProcessPool as exc:  # a worker died: decided below, once the pool is down
                    unfinished.append(futures[future])
                    broken = exc
                    continue
                except Exception as exc:  # noqa: BLE001 - e.g. a task that cannot be sent
                    results = _lost(futures[future], exc, lang)
                yield from results
        except BaseException:  # Ctrl-C, SIGTERM, the consumer stopped: stop workers and kernels now
            with _uninterrupted(), _pipe_ignored():
                _stop_pool(pool, processes)
            raise
        pool.shutdown(wait=True, cancel_futures=True)
        if broken is None:
            return
        culprits, told = _culprits(processes, sockets)
        pending = []
        for chunk in unfinished:
            key = chunk[0].key
            caught[key] = caught.get(key, 0) + 1
            if any(task.key in culprits for task in chunk) or (not told and caught[key] > 1):
                yield from _lost(chunk, broken, lang)
            else:
                pending.append(chunk)
        if pending:  # the fork server may be what died (killed): the next pool forks from a new one
            restart_pool_server()


def _dask(todo, out_dir, jobs, scheduler, lang="zh"):
    """The same chunks on a Dask cluster.

    Workers may be on other machines: ``out_dir`` and the data path must be the same absolute paths
    there (a shared folder). A chunk whose worker dies is rescheduled by Dask; one that kills workers
    again and again (Dask's ``allowed-failures``) comes back as failed tasks, never as a crash. An
    interrupted run cancels what has not started and stops what runs (``worker.stop_run``): no
    kernel of the run is left running on the cluster, and nothing more is written.
    """
    import os
    import socket
    import uuid

    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    from junheng.batch.worker import stop_run

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, ValueError, TimeoutError) as exc:
            raise UserError("cli.no_scheduler", address=scheduler, detail=str(exc)[:200]) from exc
    else:
        workers = min(jobs, len(by_county(todo)))  # one task: one worker, not --jobs of them
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    futures: dict = {}
    name = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # this run, on the workers
    try:
        target = str(Path(out_dir).resolve())
        futures = {
            client.submit(run_tasks, chunk, target, name, pure=False): chunk for chunk in by_county(todo)
        }
        for future in dask_completed(futures):
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker and the like
                results = _lost(futures[future], exc, lang)
            yield from results
    finally:
        with _uninterrupted():
            unfinished = [f for f in futures if not f.done()]
            try:  # interrupted: nothing pending starts, what runs is stopped (its kernel killed)
                if unfinished:
                    client.cancel(unfinished, force=True)
                    client.run(stop_run, name, on_error="ignore")
            except Exception:  # noqa: BLE001 - best effort; the client closes anyway
                pass
            client.close()
            if cluster is not None:
                cluster.close()


@contextmanager
def _uninterrupted():
    """A second Ctrl-C is ignored while the run stops its workers and kernels.

    An impatient user's second Ctrl-C would cut the stopping short, leave workers running and end the
    process by the signal instead of exit 130.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@contextmanager
def _interrupt_deferred():
    """Ctrl-C or SIGTERM while the pool starts its workers is taken once they have started.

    A worker is forked once the fork server has its imports (`junheng.batch.preload`): a run stopped
    meanwhile would leave the server forking a worker for a pool already gone, which then prints a
    traceback into the user's terminal. The signal is held (a few seconds at most) and raised as the
    interrupt it is once the workers are there; a signal the run ignores stays ignored.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held, before = [], {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        if callable(signal.getsignal(sig)):
            before[sig] = signal.signal(sig, lambda number, _frame: held.append(number))
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    if held:
        raise KeyboardInterrupt


@contextmanager
def _pipe_ignored():
    """SIGPIPE ignored (in the main thread): a write to a pipe nobody reads fails instead of killing us.

    The command line restores SIGPIPE's default action (so that `| head` ends quietly); the pipes
    to the run's own workers must not end the run when a worker is gone.
    """
    import threading

    if not hasattr(signal, "SIGPIPE") or threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGPIPE, before)


@contextmanager
def _terminate_as_interrupt():
    """SIGTERM stops the run like Ctrl-C (workers and kernels stopped, the manifest kept).

    SIGPIPE is ignored meanwhile: the command line restores its default action (so that `| head`
    ends quietly), which would kill the run the moment it writes to the pipe of a worker that died.
    """
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(*_args):
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        with _pipe_ignored():
            yield
    finally:
        signal.signal(signal.SIGTERM, before)


def write_index(out: Path, manifest, lang: str = "zh") -> Path:
    """``junheng.batch.index.write_index``, imported only when the page is made (it imports pandas)."""
    from junheng.batch.index import write_index as write

    return write(out, manifest, lang)


def check_notebook(path) -> None:
    """``junheng.report.notebook_file.check_notebook`` without nbformat for a version-4 notebook.

    A readable version-4 notebook with a code cell passes as its JSON (importing nbformat and
    jsonschema was most of ``junheng run --notebook``'s start, issue #21); anything else is judged,
    and said, by ``check_notebook`` itself.
    """
    from junheng.batch.tasks import cell_source

    try:
        with open(path, encoding="utf-8") as handle:
            nb = json.load(handle)
        cells = nb["cells"] if isinstance(nb, dict) and nb.get("nbformat") == 4 else None
        if isinstance(cells, list) and any(
            isinstance(c, dict) and c.get("cell_type") == "code" and cell_source(c).strip() for c in cells
        ):
            return
    except (OSError, ValueError, TypeError):
        pass
    from junheng.report.notebook_file import check_notebook as judged

    judged(path)


def _file_failures(problems, lang) -> tuple[list, list]:
    """Problems of files that no county-year's report will show (an .xls not read, an empty folder).

    Errors become failures of the run, warnings are printed.
    """
    failed = [
        {"key": Path(p.file).name or str(p.file), "status": "error", "error": p.message(lang)}
        for p in problems
        if p.severity == ERROR
    ]
    warnings = [p.message(lang) for p in problems if p.severity == WARNING]
    return failed, warnings


def run(
    data,
    counties=None,
    years=None,
    formats=("html", "pdf", "xlsx"),
    jobs=2,
    out_dir="reports",
    force=False,
    rules="youzhi-2017",
    overlays=(),
    lang="zh",
    executor="local",
    scheduler=None,
    quiet=False,
    province=True,
    notebook=None,
    final=False,
    parameters=None,
) -> dict:
    """Every county-year of DATA into ``out_dir``; returns done, skipped, failed and warnings.

    Arguments are checked before any work (county codes, years, formats, jobs, rules and overlays:
    ``UserError``); an ``OSError`` (read-only folder, full disk) propagates with the path it concerns.
    Several runs may share ``out_dir`` (``RunLock``, manifest merged under a lock).
    """
    start = time.perf_counter()
    codes.data_path(data)  # a mistyped DATA path: said as such, before any folder is made
    counties = [codes.county_code(c) for c in counties] if counties else None
    years = [codes.year(y) for y in years] if years else None
    formats = codes.formats(formats, (*KNOWN_FORMATS, "json"))  # (as codes.formats knows them)
    jobs = codes.jobs(jobs)
    from junheng.method.rules import RuleSet

    RuleSet(rules, overlays)  # an unknown rule set or a malformed overlay: said before any work
    if notebook:
        check_notebook(notebook)  # not a notebook, or one without code: one line, before any kernel
    out = Path(out_dir)
    # planned, and a request the data cannot meet refused, before any folder is made
    arguments = [counties, years, rules, list(overlays), lang, list(formats), str(notebook or "")]
    key = plan_key(data, out, {"arguments": arguments})
    cached = cached_plan(out, key)  # the data folder as it was at the last run: its plan
    if cached is not None:
        tasks, source_problems = cached
    else:
        source_problems: list = []
        tasks = plan(
            data, counties, years, rules, overlays, lang, formats, notebook, problems=source_problems
        )
    planned = tasks  # as kept: --final and -p are applied to each run's copy
    if final:  # the version for submission: a county-year still a draft fails with its reasons
        import dataclasses

        tasks = [dataclasses.replace(task, final=True) for task in tasks]
    if parameters:  # -p NAME VALUE, checked against the notebook by the command line
        import dataclasses

        given = tuple(sorted(parameters.items()))
        tasks = [dataclasses.replace(task, parameters=given) for task in tasks]
    if counties:  # a mistyped code: refused with the counties there, not "nothing to run"
        from junheng.report.run import check_counties

        have = {task.county_code for task in tasks} | {p.county_code for p in source_problems}
        check_counties(data, counties, have)
    file_failures, warnings = _file_failures(source_problems, lang)
    if not tasks and not file_failures:
        selection = ", ".join(
            ([f"--counties {' '.join(counties)}"] if counties else [])
            + ([f"--years {' '.join(map(str, years))}"] if years else [])
        )
        from junheng.report.run import nothing_to_run

        raise nothing_to_run(data, counties, selection or "—")  # with the years the data have
    with naming(out):
        out.mkdir(parents=True, exist_ok=True)
    sweep_run_dirs()  # socket folders of killed runs
    sockets = run_dir()
    try:
        with RunLock(out) as lock:
            lock.clean_if_alone()  # stray temporary files of a killed run
            if cached is None:
                keep_plan(out, key, planned, source_problems)
            manifest = Manifest(out)
            if manifest.damaged:
                from junheng.i18n import t

                warnings.append(t("cli.manifest_damaged", lang, path=manifest.path))
            todo, skipped = [], []
            fingerprints, parts, reasons = {}, {}, {}
            for task in tasks:
                parts[task.key] = fingerprint_parts(task)
                fingerprints[task.key] = combined_fingerprint(parts[task.key])
                if not force and manifest.is_current(task.key, fingerprints[task.key], out):
                    skipped.append(task.key)
                else:
                    todo.append(task)
                    reasons[task.key] = rerun_reason(
                        manifest.entries.get(task.key), parts[task.key], fingerprints[task.key], force
                    )
            manifest.restamp(out)  # outputs read because recorded just after writing: not read again
            if not quiet:
                say_reasons(reasons, lang)
            results = []
            if todo:
                bar = _progress(len(todo), quiet)
                stream = (
                    _dask(todo, out, jobs, scheduler, lang)
                    if executor == "dask"
                    else _local(todo, out, jobs, sockets, lang)
                )
                failed = 0
                try:
                    with _terminate_as_interrupt():
                        for result in stream:
                            results.append(result)
                            entry = dict(
                                result, fingerprint=fingerprints[result["key"]], parts=parts[result["key"]]
                            )
                            entry.pop("trace", None)
                            entry["output_sums"] = output_sums(out, result.get("outputs", []))
                            manifest.record(result["key"], entry)  # each finished report, at once
                            failed += result["status"] == "error"
                            bar.set_postfix_str(f"failed {failed}" if failed else "")
                            bar.update(1)
                finally:
                    stream.close()  # interrupted: the executor stops its workers and kernels
                    bar.close()
            overview = out / ("province.html" if lang == "zh" else f"province.{lang}.html")
            if province and tasks and (results or not overview.exists()):
                results += _province(
                    data,
                    years,
                    rules,
                    overlays,
                    lang,
                    out,
                    formats,
                    sockets,
                    (parameters or {}).get("report_date"),
                )
            with manifest.locked():  # other runs on this folder: list what they did too
                manifest.reload()
                if not index_is_current(out, manifest.entries, lang):  # (a no-op run: as it was)
                    write_index(out, manifest, lang)
            lock.clean_if_alone()
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return {
        "notes": [(r["key"], note) for r in results if r["status"] == "done" for note in r.get("notes", [])],
        "done": [r["key"] for r in results if r["status"] == "done"],
        "failed": file_failures + [r for r in results if r["status"] == "error"],
        "skipped": skipped,
        "warnings": warnings,
        "seconds": round(time.perf_counter() - start, 2),
    }


# fingerprint parts, in the order they are told
REASON_PARTS = ("data", "reads", "notebook", "params", "code")
LISTED_REASONS = 30  # more re-run tasks than this are told grouped by reason


def rerun_reason(entry: dict | None, parts: dict, fingerprint: str, force: bool = False) -> tuple:
    """Why a task runs again, as message keys of ``publish.rerun``.

    Why a task runs again, as message keys of ``publish.rerun``: ``forced``, ``new`` (no previous output),
    ``failed``, ``missing`` (an output file was deleted), or the fingerprint parts that changed (``data``,
    ``reads``, ``notebook``, ``params``, ``code``; ``unknown`` for an older manifest).
    """
    if force:
        return ("forced",)
    if not entry:
        return ("new",)
    if entry.get("status") == "error":
        return ("failed",)
    if entry.get("fingerprint") == fingerprint:
        return ("missing",)
    before = entry.get("parts") or {}
    changed = tuple(part for part in REASON_PARTS if before.get(part) != parts.get(part))
    return changed if before and changed else ("unknown",)


def say_reasons(reasons: dict, lang: str = "zh") -> None:
    """Print why each task runs again (grouped by reason when there are many), before the progress bar."""
    from junheng.i18n import t

    def words(keys) -> str:
        return t("publish.rerun.separator", lang).join(t(f"publish.rerun.{k}", lang) for k in keys)

    if len(reasons) <= LISTED_REASONS:
        for key, why in reasons.items():
            print("  " + t("publish.rerun.label", lang, key=key, reason=words(why)), file=sys.stderr)
        return
    groups: dict = {}
    for key, why in reasons.items():
        groups.setdefault(why, []).append(key)
    for why, keys in groups.items():
        shown = ", ".join(keys[:5]) + (" …" if len(keys) > 5 else "")
        print(
            "  " + t("publish.rerun.grouped", lang, count=len(keys), reason=words(why), keys=shown),
            file=sys.stderr,
        )


def _province(data, years, rules, overlays, lang, out, formats, sockets, report_date=None) -> list:
    """The province overview; its failure is reported, the county reports stand without it.

    ``report_date``: the date the county reports were given (``-p report_date``), the overview's too.
    """
    try:
        from junheng.batch import worker
        from junheng.report.run import province_report

        worker.init_worker(sockets)
        province_report(
            data,
            years,
            rules,
            overlays,
            lang,
            out,
            tuple(f for f in formats if f in ("html", "pdf")),
            kernel_config=worker._KERNEL_CONFIG,
            report_date=report_date,
        )
    except OSError:
        raise  # the folder itself cannot be written: the run stops with one line naming it
    except Exception as exc:  # noqa: BLE001
        return [{"key": "province", "status": "error", "error": f"{type(exc).__name__}: {exc}"[-600:]}]
    return []
