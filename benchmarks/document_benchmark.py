"""What a county-year's JSON document costs (`CountyResult.to_dict`, issue #21).

Every report, `junheng evaluate` and the tests that compare results build it. Times the documents of
the sample's 40 county-years (data/sample evaluated once, warm) in one process per checkout
(``PYTHONPATH`` set to its src/), the rounds interleaved and their order alternating, as
`load_benchmark.py` does. Prints each checkout's median (min, max) seconds for the 40 and, with
``--baseline``, the ratios baseline / this of the medians and of the minima (above 1: this checkout is
faster), and whether both checkouts gave the same documents.

Usage: python benchmarks/document_benchmark.py [--repeat 7] [--baseline /work/main/src]
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

# The worker: on each line of stdin, builds every document once and answers with the seconds it took.
WORKER = """\
import hashlib, json, sys, time
from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
ds = load("data/sample")
ev = evaluate(ds)
results = [ev.county(c, int(y)) for c, y in sorted(set(zip(ds.schools["county_code"], ds.schools["year"])))]
for line in sys.stdin:
    start = time.perf_counter()
    docs = [r.to_dict() for r in results]
    seconds = time.perf_counter() - start
    digest = hashlib.sha256(repr(docs).encode()).hexdigest()
    print(json.dumps({"seconds": seconds, "documents": len(docs), "digest": digest}), flush=True)
"""


def worker(src: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(src)),
        cwd=ROOT,
    )


def ask(process: subprocess.Popen) -> dict:
    process.stdin.write("go\n")
    process.stdin.flush()
    answer = process.stdout.readline()
    if not answer:
        raise SystemExit("a worker stopped")
    return json.loads(answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", help="another checkout's src/ timed in the same rounds")
    args = parser.parse_args()
    workers = {"this": worker(ROOT / "src")}
    if args.baseline:
        workers["baseline"] = worker(Path(args.baseline))
    try:
        first = {label: ask(process) for label, process in workers.items()}  # warm: lazy imports, caches
        times: dict = {label: [] for label in workers}
        for round_number in range(args.repeat):
            order = list(workers.items())[:: -1 if round_number % 2 else 1]
            for label, process in order:
                times[label].append(ask(process)["seconds"])
    finally:
        for process in workers.values():
            process.stdin.close()
            process.wait()
    print(f"{args.repeat} rounds, load average {os.getloadavg()[0]:.2f} (1 min)")
    for label, values in times.items():
        print(
            f"{label:9} {first[label]['documents']} documents: median {statistics.median(values):.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )
    if "baseline" in workers:
        before, after = times["baseline"], times["this"]
        print(
            f"baseline / this: medians {statistics.median(before) / statistics.median(after):.2f}, "
            f"minima {min(before) / min(after):.2f}; the same documents: "
            f"{first['baseline']['digest'] == first['this']['digest']}"
        )


if __name__ == "__main__":
    main()
