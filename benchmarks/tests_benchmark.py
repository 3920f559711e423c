"""Test files on two checkouts, back to back in one run (issue #21): wall time and CPU time.

    python benchmarks/tests_benchmark.py /work/main tests/test_import_roundtrip.py [more tests]

runs `python3 -m pytest -n 0 -q` of the same files in the other checkout (its own `src` on PYTHONPATH)
and then in this one, and prints each one's wall time, the CPU time of pytest and every process it
waited for (kernels, git, the notebook tools), the load average before and after, and the ratios.
On a shared machine read the CPU ratio: the wall times move with the load.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def run(checkout: Path, tests: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    before, load = resource.getrusage(resource.RUSAGE_CHILDREN), os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", *tests],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return {"wall": wall, "cpu": cpu, "load": (load, os.getloadavg()[0]), "rc": done.returncode, "said": last}


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("other", type=Path, help="the checkout to compare with (e.g. /work/main)")
    parser.add_argument("tests", nargs="+", help="test files or node ids, relative to each checkout")
    args = parser.parse_args()
    results = {}
    for name, checkout in (("before", args.other.resolve()), ("after", HERE)):
        r = results[name] = run(checkout, args.tests)
        print(
            f"{name:6} {checkout}: wall {r['wall']:7.1f} s, CPU {r['cpu']:7.1f} s, "
            f"load {r['load'][0]:.1f} -> {r['load'][1]:.1f}, exit {r['rc']}: {r['said']}",
            flush=True,
        )
    b, a = results["before"], results["after"]
    print(f"after / before: CPU {a['cpu'] / b['cpu']:.2f}, wall {a['wall'] / b['wall']:.2f}")


if __name__ == "__main__":
    main()
