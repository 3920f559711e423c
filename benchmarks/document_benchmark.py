"""What a county-year's JSON document costs (`CountyResult.to_dict`, issue #21).

Every report, `junheng evaluate` and the tests that compare results build it. Times the documents of
the sample's 40 county-years (data/sample evaluated once, warm) in one process per checkout, the
rounds interleaved (`interleaved.py`). Prints each checkout's median (min, max) seconds for the 40 and, with
``--baseline``, the ratios baseline / this of the medians and of the minima (above 1: this checkout is
faster), and whether both checkouts gave the same documents.

Usage: python benchmarks/document_benchmark.py [--repeat 7] [--baseline /work/main/src]
"""

from __future__ import annotations

import argparse

from interleaved import table, timed

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", help="another checkout's src/ timed in the same rounds")
    args = parser.parse_args()
    names = ["the sample's 40 documents"]
    workers, first, times = timed(WORKER, (), names, args.repeat, args.baseline)
    table("", 26, {"docs": "documents"}, names, workers, first, times)
    if "baseline" in workers:
        same = first[(names[0], "baseline")]["digest"] == first[(names[0], "this")]["digest"]
        print(f"the same documents: {same}")


if __name__ == "__main__":
    main()
