"""One `junheng report` as a user runs it (a fresh process), against the papermill floor: wall and CPU.

Each round runs, one after the other in fresh processes: the floor (the ``papermill`` command line
on a notebook that imports pandas and matplotlib and draws one chart), ``junheng report`` of one
county-year (HTML + PDF) with this checkout's package and, with ``--baseline SRC``, with another
checkout's package (e.g. ``/work/main/src``): before and after in the same rounds, so a load that
changes during the run weighs on both alike. A warm-up round (bytecode, font caches) is not counted.

Besides the wall time it prints the CPU time of each command's whole process tree (the command,
its kernel, pandoc: `resource.getrusage` of the waited-for children), which a machine shared with
other work inflates much less than the wall time: read the CPU ratios on a loaded machine.

    python benchmarks/report_cold_benchmark.py [--rounds 3] [--county 990123] [--year 2024]
        [--baseline /work/main/src]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
CLI = "import sys; from junheng.cli import main; sys.exit(main())"  # what the `junheng` script runs


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}… failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--county", default="990123")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--baseline", help="another checkout's src folder, timed in the same rounds")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from report_benchmark import floor_notebook

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        floor_nb = floor_notebook(tmp)
        data = str(SRC.parent / "data" / "sample")  # one data folder for both packages
        env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands = {
            "floor": (
                [sys.executable, "-m", "papermill", str(floor_nb), str(tmp / "floor.out.ipynb")]
                + ["--no-progress-bar", "--cwd", str(tmp)],
                env,
            )
        }
        trees = {"this": SRC} | ({"baseline": Path(args.baseline).resolve()} if args.baseline else {})
        for name, src in trees.items():
            report = [sys.executable, "-c", CLI, "report", data, "--county", args.county]
            report += ["--year", str(args.year), "--formats", "html,pdf", "--out", str(tmp / name)]
            commands[name] = (report, dict(env, PYTHONPATH=str(src)))
        times: dict = {name: [] for name in commands}
        for round_ in range(args.rounds + 1):  # round 0: the warm-up
            for name, (command, command_env) in commands.items():
                measured = timed(command, command_env)
                if round_:
                    times[name].append(measured)
            load = os.getloadavg()[0]
            print(f"round {round_}{' (warm-up)' if not round_ else ''}: load average {load:.1f}", flush=True)
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in times.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in times.items()}
    print(f"\n{args.county}/{args.year}, HTML + PDF, {args.rounds} rounds (medians):")
    for name in commands:
        print(
            f"  {name:<9} wall {wall[name]:6.2f} s = {wall[name] / wall['floor']:.2f} × floor   "
            f"CPU {cpu[name]:6.2f} s = {cpu[name] / cpu['floor']:.2f} × floor   "
            f"runs {[round(w, 1) for w, _ in times[name]]}"
        )
    if args.baseline:
        print(
            f"  this / baseline: wall {wall['this'] / wall['baseline']:.3f}, "
            f"CPU {cpu['this'] / cpu['baseline']:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
