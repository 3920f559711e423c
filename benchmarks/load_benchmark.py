"""What ``load()`` costs (issue #21: a fifth of the test suite's time is spent loading data).

Times ``junheng.inputs.dataset.load`` in a warm process (the package imported, the file cache warm)
on three inputs:

- the bundled sample as a folder (data/sample: 40 county-year workbooks);
- one county-year workbook of it (data/sample/990102_2024.xlsx), the size most tests load;
- the committed county-wide statistics exports of one generation with their supplement and parent
  map (data/examples/exports, as tests/test_import_roundtrip.py loads them).

Each checkout runs in a process of its own that loads on request, the rounds interleaved
(`interleaved.py`). The in-process folder sharing (`junheng.inputs.shared`) is cleared before every
load.

Prints each input's median (and min and max) seconds per checkout and, with ``--baseline``, the
ratios baseline / this checkout of the medians and of the minima (above 1: this checkout is
faster; on a machine shared with other work the minima are the least disturbed).

Usage: python benchmarks/load_benchmark.py [--repeat 7] [--generation jiaoji-2021]
       [--baseline /work/main/src]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from interleaved import table, timed

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--generation", default="jiaoji-2021", help="of the county-wide exports")
    parser.add_argument("--baseline", help="another checkout's src/ timed in the same rounds")
    args = parser.parse_args()
    specs = inputs(args.generation)
    workers, first, times = timed(WORKER, (json.dumps(specs),), specs, args.repeat, args.baseline)
    table("input", 38, {"schools": "schools", "problems": "problems"}, specs, workers, first, times)


if __name__ == "__main__":
    main()
