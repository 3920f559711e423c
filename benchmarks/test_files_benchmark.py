"""Test files' time, before and after a change, or with N xdist workers, measured in one run (issue #21).

Runs ``python3 -m pytest -n N --durations=0 FILES`` in each checkout given (each with its own ``src`` on
PYTHONPATH), one after the other, and prints the wall time of each session and the per-file sum of
its test phases (setup + call + teardown), side by side, with the ratio to the first column, and the CPU
time of pytest and every process under it (kernels, git, the notebook tools, and those left to end on
their own, such as a fork server: this process adopts and reaps them): on a loaded machine the CPU ratio
moves less than the wall times::

    python3 benchmarks/test_files_benchmark.py --checkout /tmp/base --checkout . tests/test_batch.py
    python3 benchmarks/test_files_benchmark.py --workers 2 --workers 3 tests/test_batch.py ...

The machine is shared and loaded: compare the columns of one run, never seconds across runs.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36  # prctl(2): orphaned descendants are re-parented to this process


def adopt_orphans(session_pids: set) -> None:
    """Reap this process's orphaned descendants as they end (Linux), so that their CPU time counts.

    A process nobody waits for (a fork server ending after the session's pytest) would otherwise be
    reaped by init, its CPU time counted nowhere. Each is reaped as soon as it ends: a test waiting for
    a process to be gone must not see it stay a zombie. ``session_pids`` are left to ``subprocess``.
    """
    import ctypes
    import threading

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        return

    def reap() -> None:
        while True:
            try:
                ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                ended = None
            if ended is not None and ended.si_pid not in session_pids:
                os.waitpid(ended.si_pid, 0)
                continue
            time.sleep(0.05)

    threading.Thread(target=reap, name="reaper", daemon=True).start()


def wait_for_orphans(session_pids: set, seconds: float = 30.0) -> None:
    """Wait (at most ``seconds``) until no adopted descendant is left (the reaper reaps them)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if ended is None or ended.si_pid not in session_pids:
            time.sleep(0.1)


PHASE = re.compile(r"\s*([\d.]+)s (?:setup|call|teardown)\s+(tests/[^:]+)::")


SESSIONS: set = set()  # the pytest processes started here (reaped by ``subprocess``, not the reaper)


def session(checkout: Path, workers: int, files: list[str]) -> tuple[float, dict, str, float]:
    """(wall seconds, {file: summed phases}, pytest's last line, CPU seconds) of one pytest session."""
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"))
    command = [sys.executable, "-m", "pytest", "-n", str(workers), "-q", "-p", "no:cacheprovider"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with subprocess.Popen(
        [*command, "--durations=0", *files],
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        SESSIONS.add(process.pid)
        stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    wait_for_orphans(SESSIONS)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    per_file: dict = collections.Counter()
    for line in stdout.splitlines():
        if match := PHASE.match(line):
            per_file[match.group(2)] += float(match.group(1))
    failed = [line for line in stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    last = "\n  ".join([stdout.strip().splitlines()[-1] if stdout.strip() else stderr, *failed])
    return wall, per_file, last, cpu


def main() -> None:
    """Parse the arguments, run the sessions, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--checkout", action="append", type=Path, help="a checkout (default: this one)")
    parser.add_argument("--workers", action="append", type=int, help="xdist workers (default: 2)")
    args = parser.parse_args()
    adopt_orphans(SESSIONS)
    checkouts = [c.resolve() for c in args.checkout or [Path(__file__).resolve().parent.parent]]
    workers = args.workers or [2]
    columns = [(c, n) for c in checkouts for n in workers]
    results = []
    for checkout, n in columns:
        print(f"running {checkout} -n {n} …", file=sys.stderr, flush=True)
        results.append(session(checkout, n, args.files))
    names = [f"{c.name} -n {n}" for c, n in columns]
    print(f"{'':44}" + "".join(f"{name:>24}" for name in names))
    first = results[0]
    print(
        f"{'wall time of the session':44}"
        + "".join(f"{r[0]:>14.0f} s ({r[0] / first[0]:4.2f}×)" for r in results)
    )
    print(
        f"{'CPU time (pytest and its processes)':44}"
        + "".join(f"{r[3]:>14.0f} s ({r[3] / first[3]:4.2f}×)" for r in results)
    )
    for file in sorted(first[1], key=first[1].get, reverse=True):
        base = first[1][file] or 1.0
        print(f"{file:44}" + "".join(f"{r[1][file]:>14.0f} s ({r[1][file] / base:4.2f}×)" for r in results))
    for name, (_, _, last, _) in zip(names, results, strict=True):
        print(f"{name}: {last}")


if __name__ == "__main__":
    main()
