"""Checkouts timed side by side in one run: a worker process per checkout, asked in interleaved rounds.

Each checkout's package runs in a process of its own (``PYTHONPATH`` set to its src/), which answers
every line of its stdin (the name of what to time) with one JSON line holding at least ``seconds``.
The rounds are interleaved (each round asks every process for every name once, the order of the
processes alternating), so that a load on the machine that changes during the run weighs on all
alike. Used by `load_benchmark.py`, `evaluate_benchmark.py` and `document_benchmark.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Worker:
    """A process of one checkout's package running ``code`` with ``args``."""

    def __init__(self, src: Path, code: str, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONPATH=str(src)),
            cwd=ROOT,
        )

    def ask(self, name: str) -> dict:
        """The worker's answer for ``name``."""
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit(f"a worker stopped while timing {name}")
        return json.loads(answer)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def timed(code: str, args: tuple, names, repeat: int, baseline: str | None = None) -> tuple[list, dict, dict]:
    """(checkout labels, first answers, times): a worker of this checkout running ``code`` with ``args``,
    and one of the ``baseline`` checkout's src/ if given, asked in `rounds`, then stopped."""
    workers = {"this": Worker(ROOT / "src", code, *args)}
    if baseline:
        workers["baseline"] = Worker(Path(baseline), code, *args)
    try:
        first, times = rounds(workers, list(names), repeat)
    finally:
        for worker in workers.values():
            worker.close()
    return list(workers), first, times


def rounds(workers: dict, names, repeat: int) -> tuple[dict, dict]:
    """({(name, label): first answer}, {(name, label): [seconds]}): one warm-up, then ``repeat`` rounds.

    Prints the load average before and after.
    """
    start = os.getloadavg()
    first = {(name, label): worker.ask(name) for name in names for label, worker in workers.items()}
    times: dict = {key: [] for key in first}
    for round_number in range(repeat):
        order = list(workers.items())
        if round_number % 2:
            order.reverse()
        for name in names:
            for label, worker in order:
                times[(name, label)].append(worker.ask(name)["seconds"])
    print(f"{repeat} rounds, load average {start[0]:.2f} → {os.getloadavg()[0]:.2f} (1 min)")
    return first, times


def table(what: str, width: int, fields: dict, names, workers, first: dict, times: dict) -> None:
    """Each name's median (min, max) seconds per checkout, the ``fields`` of its first answer (header:
    key), and with a ``baseline`` checkout the ratios baseline / this of the medians and the minima."""
    header = "".join(f" {h:>8}" for h in fields)
    print(f"{what:{width}} {'checkout':9} {'median':>8} {'min':>8} {'max':>8}{header}")
    for name in names:
        for label in workers:
            values = times[(name, label)]
            shown = "".join(f" {first[(name, label)][key]:8d}" for key in fields.values())
            print(
                f"{name:{width}} {label:9} {statistics.median(values):8.3f} {min(values):8.3f} "
                f"{max(values):8.3f}{shown}"
            )
        if "baseline" in workers:
            before, after = times[(name, "baseline")], times[(name, "this")]
            ratio = statistics.median(before) / statistics.median(after)
            fastest = min(before) / min(after)
            print(
                f"{name:{width}} {'ratio':9} {ratio:8.2f} {fastest:8.2f}  (baseline / this: medians, minima)"
            )
