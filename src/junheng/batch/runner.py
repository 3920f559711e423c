"""`junheng run`: every county-year of DATA through the report notebook, in parallel worker processes
(or on a Dask cluster), skipping what is unchanged, isolating failures, then writing the index.
"""

from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from junheng.batch.index import write_index
from junheng.batch.manifest import Manifest
from junheng.batch.tasks import plan, task_fingerprint
from junheng.batch.worker import init_worker, run_tasks


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


def _local(todo, out_dir, jobs):
    run_dir = tempfile.mkdtemp(prefix="junheng-run-")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=get_context("spawn"), initializer=init_worker, initargs=(run_dir,)
    ) as pool:
        futures = [pool.submit(run_tasks, chunk, str(out_dir)) for chunk in by_county(todo)]
        for future in as_completed(futures):
            yield from future.result()


def _dask(todo, out_dir, jobs, scheduler):
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = [client.submit(run_tasks, chunk, str(out_dir), pure=False) for chunk in by_county(todo)]
        for future in dask_completed(futures):
            yield from future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
) -> dict:
    start = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tasks = plan(data, counties, years, rules, overlays, lang, formats, notebook)
    manifest = Manifest(out)
    todo, skipped = [], []
    fingerprints = {}
    for task in tasks:
        fingerprints[task.key] = task_fingerprint(task)
        if not force and manifest.is_current(task.key, fingerprints[task.key], out):
            skipped.append(task.key)
        else:
            todo.append(task)
    results = []
    if todo:
        bar = _progress(len(todo), quiet)
        stream = _dask(todo, out, jobs, scheduler) if executor == "dask" else _local(todo, out, jobs)
        failed = 0
        for result in stream:
            results.append(result)
            entry = dict(result, fingerprint=fingerprints[result["key"]])
            entry.pop("trace", None)
            manifest.record(result["key"], entry)
            failed += result["status"] == "error"
            bar.set_postfix_str(f"failed {failed}" if failed else "")
            bar.update(1)
        bar.close()
    if province and (
        results or not (out / ("province.html" if lang == "zh" else f"province.{lang}.html")).exists()
    ):
        try:
            from junheng.batch import worker
            from junheng.report.run import province_report

            worker.init_worker()
            province_report(
                data,
                years,
                rules,
                overlays,
                lang,
                out,
                tuple(f for f in formats if f in ("html", "pdf")),
                kernel_config=worker._KERNEL_CONFIG,
            )
        except Exception as exc:  # noqa: BLE001 - the county reports stand without the overview
            results.append(
                {"key": "province", "status": "error", "error": f"{type(exc).__name__}: {exc}"[-600:]}
            )
    write_index(out, manifest, lang)
    summary = {
        "done": [r["key"] for r in results if r["status"] == "done"],
        "failed": [r for r in results if r["status"] == "error"],
        "skipped": skipped,
        "seconds": round(time.perf_counter() - start, 2),
    }
    return summary
