"""What one call of the engine costs (issue #21: most of a small evaluation is fixed cost per call).

Times ``junheng.method.evaluate.evaluate`` in a warm process (the package imported, the rule set and
the data loaded, one evaluation done) on three datasets:

- one county-year workbook of the sample (data/sample/990102_2024.xlsx), the size most tests and a
  report's what-if evaluate;
- the bundled sample as a folder (data/sample: 40 county-years at once);
- a synthetic county of ``--large`` schools (`benchmarks/large_county.py`), what grows with size.

Each checkout runs in a process of its own that evaluates on request, the rounds interleaved
(`interleaved.py`).

Prints each dataset's median (and min and max) seconds per checkout and, with ``--baseline``, the
ratios baseline / this checkout of the medians and of the minima (above 1: this checkout is
faster; on a machine shared with other work the minima are the least disturbed).

Usage: python benchmarks/evaluate_benchmark.py [--repeat 9] [--large 3000]
       [--baseline /work/main/src]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from interleaved import table, timed

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
        workers, first, times = timed(WORKER, (json.dumps(paths),), paths, args.repeat, args.baseline)
    table("dataset", 34, {"c-years": "county_years", "items": "items"}, paths, workers, first, times)


if __name__ == "__main__":
    main()
