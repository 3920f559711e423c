"""What ``load()`` costs (issue #21: a fifth of the test suite's time is spent loading data).

Times ``junheng.inputs.dataset.load`` in a warm process (the package imported, the file cache warm)
on three inputs:

- the bundled sample as a folder (data/sample: 40 county-year workbooks);
- one county-year workbook of it (data/sample/990102_2024.xlsx), the size most tests load;
- the committed county-wide statistics exports of one generation with their supplement and parent
  map (data/examples/exports, as tests/test_import_roundtrip.py loads them).

Each checkout runs in a process of its own (``PYTHONPATH`` set to its src/) that loads on request;
the rounds are interleaved (each round asks every process for every input once, the order of the
processes alternating), so that a load on the machine that changes during the run weighs on both
alike. The in-process folder sharing (`junheng.inputs.shared`) is cleared before every load.

Prints each input's median (and min and max) seconds per checkout and, with ``--baseline``, the
ratios baseline / this checkout of the medians and of the minima (above 1: this checkout is
faster; on a machine shared with other work the minima are the least disturbed).

Usage: python benchmarks/load_benchmark.py [--repeat 7] [--generation jiaoji-2021]
       [--baseline /work/main/src]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SAMPLE = ROOT / "data" / "sample"
EXPORTS = ROOT / "data" / "examples" / "exports"

# The worker: loads the input named on each line of stdin and answers with the seconds it took.
WORKER = """\
import json, sys, time
from pathlib import Path
from junheng.inputs import shared
from junheng.inputs.dataset import load
from junheng.inputs.statistics.source import ExportSource

inputs = json.loads(sys.argv[1])

def data(name):
    spec = inputs[name]
    if spec["kind"] == "exports":
        return ExportSource([Path(p) for p in spec["paths"]], parents_file=Path(spec["parents"]))
    return Path(spec["path"])

for line in sys.stdin:
    name = line.strip()
    shared.clear()
    source = data(name)
    start = time.perf_counter()
    ds = load(source)
    seconds = time.perf_counter() - start
    answer = {"seconds": seconds, "schools": len(ds.schools), "problems": len(ds.problems)}
    print(json.dumps(answer), flush=True)
"""


def inputs(generation: str) -> dict:
    """The inputs timed, by name, as the worker builds them."""
    return {
        "sample folder": {"kind": "path", "path": str(SAMPLE)},
        "one county-year workbook": {"kind": "path", "path": str(SAMPLE / "990102_2024.xlsx")},
        f"county-wide exports ({generation})": {
            "kind": "exports",
            "paths": [str(EXPORTS / "county-wide" / generation), str(EXPORTS / "supplement")],
            "parents": str(EXPORTS / "不计校数归属.xlsx"),
        },
    }


class Worker:
    """A process of one checkout's package that loads an input on request."""

    def __init__(self, src: Path, specs: dict):
        environment = dict(os.environ, PYTHONPATH=str(src))
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(specs)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
            cwd=ROOT,
        )

    def load(self, name: str) -> dict:
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit(f"the worker stopped while loading {name}")
        return json.loads(answer)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--generation", default="jiaoji-2021", help="of the county-wide exports")
    parser.add_argument("--baseline", help="another checkout's src/ timed in the same rounds")
    args = parser.parse_args()
    specs = inputs(args.generation)
    workers = {"this": Worker(SRC, specs)}
    if args.baseline:
        workers["baseline"] = Worker(Path(args.baseline), specs)
    try:
        measure(args, specs, workers)
    finally:
        for worker in workers.values():
            worker.close()


def measure(args, specs: dict, workers: dict) -> None:
    start = os.getloadavg()
    shapes: dict = {}
    for name in specs:  # once each: file cache warm, lazy imports done
        for label, worker in workers.items():
            answer = worker.load(name)
            shapes.setdefault(name, {})[label] = (answer["schools"], answer["problems"])
    times: dict = {(name, label): [] for name in specs for label in workers}
    for round_number in range(args.repeat):
        order = list(workers.items())
        if round_number % 2:
            order.reverse()
        for name in specs:
            for label, worker in order:
                times[(name, label)].append(worker.load(name)["seconds"])
    load = os.getloadavg()
    print(f"{args.repeat} rounds, load average {start[0]:.2f} → {load[0]:.2f} (1 min)")
    print(f"{'input':38} {'checkout':9} {'median':>8} {'min':>8} {'max':>8} {'schools':>8} {'problems':>8}")
    for name in specs:
        for label in workers:
            values = times[(name, label)]
            schools, problems = shapes[name][label]
            print(
                f"{name:38} {label:9} {statistics.median(values):8.3f} {min(values):8.3f} "
                f"{max(values):8.3f} {schools:8d} {problems:8d}"
            )
        if "baseline" in workers:
            before, after = times[(name, "baseline")], times[(name, "this")]
            ratio = statistics.median(before) / statistics.median(after)
            fastest = min(before) / min(after)
            print(f"{name:38} {'ratio':9} {ratio:8.2f} {fastest:8.2f}  (baseline / this: medians, minima)")


if __name__ == "__main__":
    main()
