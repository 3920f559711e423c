"""Batch benchmarks (issue #5), every figure measured in this one run on this machine.

1. throughput of `junheng run` with 1, 2 and 4 worker processes on county-years of the sample;
2. the same county-years through a naive pipeline at equal parallelism: per county-year the
   `papermill` command line, then `jupyter nbconvert --to junheng` (HTML) and
   `jupyter nbconvert --to junheng_pdf` (PDF), one shell pipeline per county-year, run with
   `xargs -P <workers>` — as many processes at a time as our workers;
   and, in a fresh process each, the CPU time of everything one run with 1 and with 2 workers starts
   (workers, kernels, pandoc, Typst: orphans adopted and reaped), so the cores each keeps busy: one
   worker already keeps more than one busy, which caps what any number of workers can gain;
3. a no-op re-run of everything already rendered (nothing changed), through the command line;
4. the engine alone on a generated national dataset: wall time and peak memory (subprocess);
5. the machine's own parallelism: how much more two CPU-bound processes at once get done than one
   alone (a virtual machine's two cores need not give twice the work of one): the ceiling of any
   speed-up from a second worker, whatever the batch does.

    python benchmarks/batch_benchmark.py [--tasks 8] [--national 2900]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from test_files_benchmark import SESSIONS, adopt_orphans, wait_for_orphans

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
ENGINE_CODE = r"""
import json, resource, sys, time
from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
t0 = time.perf_counter(); ds = load(sys.argv[1]); t1 = time.perf_counter()
ev = evaluate(ds); t2 = time.perf_counter()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"schools": len(ds.schools), "counties": int(ev.verdicts.shape[0]), "load_s": t1 - t0,
                  "evaluate_s": t2 - t1, "peak_mb": peak_mb}))
"""
RUN_CODE = """import sys
from pathlib import Path
from junheng.batch.runner import run
summary = run(Path(sys.argv[1]), formats=("html", "pdf"), jobs=int(sys.argv[3]), out_dir=Path(sys.argv[2]),
              force=True, quiet=True, province=False)
assert not summary["failed"], summary["failed"]
"""


# a CPU-bound piece of work like a report's (Python objects, dicts, strings, a pandas group-by), for
# `machine_parallelism`: it prints its own CPU time
BUSY_CODE = r"""
import time
import numpy as np
import pandas as pd
frame = pd.DataFrame({"k": np.arange(200_000) % 977, "v": np.arange(200_000) * 0.5})
start = time.process_time()
d = {}
for i in range(2_500_000):
    d[i % 1000] = str(i)
for _ in range(15):
    frame.groupby("k")["v"].agg(["sum", "mean", "std"])
print(time.process_time() - start)
"""


def machine_parallelism(repeat: int = 3) -> tuple[float, float]:
    """(work done by two processes at once / by one, CPU seconds of the work alone): medians.

    Each round runs the work in one process, then in two processes started together; 2.0 is a machine
    whose two cores each do as much with the other busy as alone.
    """
    import statistics

    def together(n: int) -> tuple[float, float]:
        start = time.perf_counter()
        processes = [
            subprocess.Popen([sys.executable, "-c", BUSY_CODE], stdout=subprocess.PIPE, text=True)
            for _ in range(n)
        ]
        cpu = [float(p.communicate()[0]) for p in processes]
        return time.perf_counter() - start, max(cpu)

    gains, alone = [], []
    for _ in range(repeat):
        one, cpu_one = together(1)
        two, _ = together(2)
        gains.append(2 * one / two)
        alone.append(cpu_one)
    return statistics.median(gains), statistics.median(alone)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def subset(n: int, into: Path) -> list[tuple[str, int]]:
    """n county-years of the sample (all years of the chosen counties, so trends are real)."""
    into.mkdir(parents=True, exist_ok=True)
    books = sorted(SAMPLE.glob("*.xlsx"))
    chosen = books[:n]
    for b in chosen:
        shutil.copy(b, into / b.name)
    return [(b.stem[:6], int(b.stem[7:])) for b in chosen]


def ours(data: Path, out: Path, jobs: int) -> float:
    from junheng.batch.runner import run

    start = time.perf_counter()
    summary = run(
        data, formats=("html", "pdf"), jobs=jobs, out_dir=out, force=True, quiet=True, province=False
    )
    assert not summary["failed"], summary["failed"]
    return time.perf_counter() - start


def cores_busy(data: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(wall, CPU seconds) of one run in a fresh process, CPU of every process it started included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with subprocess.Popen([sys.executable, "-c", RUN_CODE, str(data), str(out), str(jobs)]) as process:
        SESSIONS.add(process.pid)
        assert process.wait() == 0
    wall = time.perf_counter() - start
    wait_for_orphans(SESSIONS)  # the fork server outlives the run's process by a moment
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def naive(data: Path, work: Path, tasks, jobs: int) -> float:
    """The county-years through command-line tools, ``jobs`` pipelines at a time (xargs -P)."""
    import shlex

    notebook = ROOT / "notebooks" / "county_report.ipynb"
    lines = []
    for code, year in tasks:
        executed = work / f"{code}_{year}.ipynb"
        steps = [
            [
                "papermill",
                str(notebook),
                str(executed),
                "-p",
                "data",
                str(data),
                "-r",
                "county_code",
                code,
                "-p",
                "year",
                str(year),
                "--no-progress-bar",
            ],
            ["jupyter", "nbconvert", "--to", "junheng", str(executed)],
            ["jupyter", "nbconvert", "--to", "junheng_pdf", str(executed)],
        ]
        lines.append(" && ".join(shlex.join(step) for step in steps))
    script = work / "pipelines.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    sh(
        ["xargs", "-P", str(jobs), "-I", "{}", "-d", "\n", "sh", "-c", "{}"],
        stdin=open(script, encoding="utf-8"),
    )
    elapsed = time.perf_counter() - start
    missing = [f"{c}_{y}" for c, y in tasks if not (work / f"{c}_{y}.pdf").exists()]
    assert not missing, missing
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=16, help="county-years of the sample to render")
    parser.add_argument(
        "--national", type=int, default=2900, help="counties in the generated national dataset"
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    gain, alone = machine_parallelism()
    print(
        f"the machine itself: two CPU-bound processes at once do {gain:.2f}x the work of one alone "
        f"({alone:.1f} s of CPU each, medians of 3): no batch on it gains more from a second worker"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        tasks = subset(args.tasks, data)
        ours(data, tmp / "warm", 2)  # warm-up: imports, font cache, kernel specs
        times = {jobs: ours(data, tmp / f"out{jobs}", jobs) for jobs in (1, 2, 4)}
        for jobs, seconds in times.items():
            print(
                f"junheng run, {jobs} worker(s): {len(tasks)} reports in {seconds:.1f} s "
                f"({seconds / len(tasks):.2f} s/report); speed-up vs 1 worker {times[1] / seconds:.2f}x"
            )
        adopt_orphans(SESSIONS)
        fresh = {}
        for jobs in (1, 2):
            wall, cpu = cores_busy(data, tmp / f"cpu{jobs}", jobs)
            fresh[jobs] = (wall, cpu / wall)
            print(
                f"  the same in a fresh process, {jobs} worker(s): {wall:.1f} s, CPU of every process "
                f"{cpu:.1f} s ({cpu / len(tasks):.2f} s/report): {cpu / wall:.2f} cores busy"
            )
        cores = os.cpu_count() or 1
        # one worker already keeps more than one core busy (the PDF's pandoc halves and the HTML page
        # are made at once): at the same CPU per report, no number of workers can beat all cores busy
        print(
            f"  fresh processes: 2 workers {fresh[1][0] / fresh[2][0]:.2f}x one; at one worker's CPU per "
            f"report, at most {cores} / {fresh[1][1]:.2f} cores busy = {cores / fresh[1][1]:.2f}x"
        )
        (tmp / "naive").mkdir()
        slow = naive(data, tmp / "naive", tasks, 2)
        print(
            f"naive pipeline (papermill CLI + nbconvert CLI for HTML and PDF, xargs -P 2): {slow:.1f} s; "
            f"ours with 2 workers is {slow / times[2]:.2f}x faster at equal parallelism (target ≥ 4x)"
        )
        cli = [
            sys.executable,
            "-m",
            "junheng.cli",
            "run",
            str(data),
            "--out",
            str(tmp / "out2"),
            "--formats",
            "html,pdf",
        ]
        sh(cli)  # completes the directory as the main job leaves it (adds the province overview)
        start = time.perf_counter()
        out = sh(cli).stdout
        noop = time.perf_counter() - start
        print(
            f"no-op re-run through the CLI (interpreter start-up included): {noop:.2f} s (target < 2 s): "
            f"{out.strip()}"
        )
        national = tmp / "national"
        sh(
            [
                sys.executable,
                "-m",
                "junheng.cli",
                "sample-data",
                "--counties",
                str(args.national),
                "--out",
                str(national),
            ]
        )
        result = json.loads(sh([sys.executable, "-c", ENGINE_CODE, str(national)]).stdout)
        print(
            f"engine on {result['schools']:,} schools / {result['counties']:,} counties: evaluate every part "
            f"{result['evaluate_s']:.1f} s (target < 5 s), load + validate Parquet {result['load_s']:.1f} s, "
            f"peak memory {result['peak_mb']:.0f} MB (target < 2048 MB)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
