"""What one call of the engine costs (issue #21: most of a small evaluation is fixed cost per call).

Times ``junheng.method.evaluate.evaluate`` in a warm process (the package imported, the rule set and
the data loaded, one evaluation done) on three datasets:

- one county-year workbook of the sample (data/sample/990102_2024.xlsx), the size most tests and a
  report's what-if evaluate;
- the bundled sample as a folder (data/sample: 40 county-years at once);
- a synthetic county of ``--large`` schools (`benchmarks/large_county.py`), what grows with size.

Each checkout runs in a process of its own (``PYTHONPATH`` set to its src/) that evaluates on
request; the rounds are interleaved (each round asks every process for every dataset once, the order
of the processes alternating), so that a load on the machine that changes during the run weighs on
both alike.

Prints each dataset's median (and min and max) seconds per checkout and, with ``--baseline``, the
ratios baseline / this checkout of the medians and of the minima (above 1: this checkout is
faster; on a machine shared with other work the minima are the least disturbed).

Usage: python benchmarks/evaluate_benchmark.py [--repeat 9] [--large 3000]
       [--baseline /work/main/src]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SAMPLE = ROOT / "data" / "sample"

# The worker: evaluates the dataset named on each line of stdin and answers with the seconds it took.
WORKER = """\
import json, sys, time
from junheng.inputs.dataset import load
from junheng.inputs.shared import shared_of
from junheng.method.evaluate import evaluate

datasets = {name: load(path) for name, path in json.loads(sys.argv[1]).items()}
for ds in datasets.values():
    assert shared_of(ds) is None  # evaluated itself, not taken from a folder's evaluation
    evaluate(ds)  # warm: lazy imports, the rule files

for line in sys.stdin:
    ds = datasets[line.strip()]
    start = time.perf_counter()
    ev = evaluate(ds)
    seconds = time.perf_counter() - start
    shape = {"county_years": len(ev.verdicts), "items": len(ev.items)}
    print(json.dumps({"seconds": seconds, **shape}), flush=True)
"""


class Worker:
    """A process of one checkout's package that evaluates a dataset on request."""

    def __init__(self, src: Path, paths: dict):
        environment = dict(os.environ, PYTHONPATH=str(src))
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(paths)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
            cwd=ROOT,
        )

    def evaluate(self, name: str) -> dict:
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise SystemExit(f"the worker stopped while evaluating {name}")
        return json.loads(answer)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--large", type=int, default=3000, help="schools of the synthetic county (0: none)")
    parser.add_argument("--baseline", help="another checkout's src/ timed in the same rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = {
            "one county-year workbook": str(SAMPLE / "990102_2024.xlsx"),
            "sample folder (40 county-years)": str(SAMPLE),
        }
        if args.large:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            sys.path.insert(0, str(SRC))
            from large_county import write_county

            write_county(Path(tmp), args.large)
            paths[f"synthetic county ({args.large} schools)"] = tmp
        workers = {"this": Worker(SRC, paths)}
        if args.baseline:
            workers["baseline"] = Worker(Path(args.baseline), paths)
        try:
            measure(args, paths, workers)
        finally:
            for worker in workers.values():
                worker.close()


def measure(args, paths: dict, workers: dict) -> None:
    start = os.getloadavg()
    shapes: dict = {}
    for name in paths:
        for label, worker in workers.items():
            answer = worker.evaluate(name)
            shapes.setdefault(name, {})[label] = (answer["county_years"], answer["items"])
    times: dict = {(name, label): [] for name in paths for label in workers}
    for round_number in range(args.repeat):
        order = list(workers.items())
        if round_number % 2:
            order.reverse()
        for name in paths:
            for label, worker in order:
                times[(name, label)].append(worker.evaluate(name)["seconds"])
    load = os.getloadavg()
    print(f"{args.repeat} rounds, load average {start[0]:.2f} → {load[0]:.2f} (1 min)")
    print(f"{'dataset':34} {'checkout':9} {'median':>8} {'min':>8} {'max':>8} {'c-years':>8} {'items':>8}")
    for name in paths:
        for label in workers:
            values = times[(name, label)]
            county_years, items = shapes[name][label]
            print(
                f"{name:34} {label:9} {statistics.median(values):8.3f} {min(values):8.3f} "
                f"{max(values):8.3f} {county_years:8d} {items:8d}"
            )
        if "baseline" in workers:
            before, after = times[(name, "baseline")], times[(name, "this")]
            ratio = statistics.median(before) / statistics.median(after)
            fastest = min(before) / min(after)
            print(f"{name:34} {'ratio':9} {ratio:8.2f} {fastest:8.2f}  (baseline / this: medians, minima)")


if __name__ == "__main__":
    main()
