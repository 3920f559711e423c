"""How fast the command line starts (issue #21: `--help` ≤ 0.5 s, a no-op `junheng run` ≤ 1.0 s).

Times, in one run and interleaved (each round runs every command once, so a load that changes
during the run weighs on all of them alike), the wall time of fresh processes:

- ``python3 -c pass``: the bare interpreter, the floor;
- ``junheng --help``;
- a no-op ``junheng run`` of the bundled sample: every report already rendered and unchanged, so
  the run plans, compares fingerprints, finds nothing to do and leaves the index as it is.

It prints the median of each, its ratio to the bare interpreter, and the seconds the no-op run
itself reports (``用时``: its work after the imports). Bytecode is written and reused as for an
installed package (into a temporary ``PYTHONPYCACHEPREFIX``, even when ``PYTHONDONTWRITEBYTECODE``
is set: compiling the package's sources again in every process is not what a user waits for).

The no-op needs a rendered folder: ``--out DIR`` reuses one (rendered with the same ``--formats``,
``--counties`` and ``--years``; it is rendered there first when it holds no manifest), otherwise
the sample is rendered once into a temporary folder (40 reports: minutes).

``--baseline SRC`` times the same commands with another checkout's package (e.g.
``/work/main/src``) in the same rounds: before and after side by side. Its no-op runs on a copy of
the rendered folder whose manifest is stamped with that package's code digest (the reports are the
same; a package's code is part of every fingerprint, so its own no-op would otherwise re-render).

Usage: python benchmarks/cli_benchmark.py [--out DIR] [--repeat 9] [--formats html,pdf,xlsx]
       [--counties 990102 …] [--years 2024 …] [--jobs 2] [--baseline SRC]
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
CLI = "import sys; from junheng.cli import main; sys.exit(main())"  # what the `junheng` script runs
RESTAMP = """\
import json, sys
from pathlib import Path
from junheng.batch.tasks import code_digest, combined_fingerprint
path = Path(sys.argv[1]) / ".manifest.json"
entries = json.loads(path.read_text(encoding="utf-8"))
for entry in entries.values():
    if entry.get("parts"):
        entry["parts"]["code"] = code_digest()
        entry["fingerprint"] = combined_fingerprint(entry["parts"])
    sums = entry.get("output_sums") or {}
    entry["output_sums"] = {name: value[:2] for name, value in sums.items()}  # size and digest: any version
path.write_text(json.dumps(entries, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
"""


PYCACHE = Path(tempfile.mkdtemp(prefix="cli-benchmark-pycache-"))


def env(src: Path) -> dict:
    """The package of ``src``, its bytecode cached (outside the checkout) as an installed one's is."""
    environment = dict(os.environ, PYTHONPATH=str(src), PYTHONPYCACHEPREFIX=str(PYCACHE))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def cli(*args) -> list:
    return [sys.executable, "-c", CLI, *args]


def run_args(args, out: Path) -> list:
    extra = ["--out", str(out), "--formats", args.formats, "--jobs", str(args.jobs)]
    extra += ["--counties", *args.counties] if args.counties else []
    extra += ["--years", *args.years] if args.years else []
    return ["run", *extra]


def timed(command, environment) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command[3:])}\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def rendered(args) -> Path:
    """The folder of the no-op: ``--out`` (rendered when it holds no manifest), or a temporary one."""
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="cli-benchmark-"))
    if not (out / ".manifest.json").exists():
        print(f"rendering the sample into {out} (once) …", flush=True)
        seconds, stdout = timed(cli(*run_args(args, out)), env(SRC))
        print(f"  {seconds:.1f} s: {stdout.strip()}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="a rendered reports folder to reuse (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--formats", default="html,pdf,xlsx")
    parser.add_argument("--counties", nargs="*")
    parser.add_argument("--years", nargs="*")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--baseline", help="another checkout's src/ timed in the same rounds")
    args = parser.parse_args()
    try:
        measure(args)
    finally:
        shutil.rmtree(PYCACHE, ignore_errors=True)


def measure(args) -> None:
    out = rendered(args)  # (a temporary folder is kept: printed, to be given again with --out)
    start = os.getloadavg()
    trees = {"": SRC}
    if args.baseline:
        copy = Path(tempfile.mkdtemp(prefix="cli-benchmark-baseline-")) / "reports"
        atexit.register(shutil.rmtree, copy.parent, True)
        shutil.copytree(out, copy)
        subprocess.run([sys.executable, "-c", RESTAMP, str(copy)], env=env(Path(args.baseline)), check=True)
        trees["baseline "] = Path(args.baseline)
    commands = {"python3 -c pass": ([sys.executable, "-c", "pass"], env(SRC))}
    for label, src in trees.items():
        folder = copy if label else out
        commands[f"{label}junheng --help"] = (cli("--help"), env(src))
        commands[f"{label}no-op junheng run"] = (cli(*run_args(args, folder)), env(src))
    for label, (command, environment) in commands.items():  # once each: file cache and bytecode warm
        seconds, stdout = timed(command, environment)
        if "run" in label and not re.search(r"完成 0 个", stdout):  # made current (e.g. the code changed)
            print(f"  {label}: the folder was not current, made so first ({seconds:.1f} s)", flush=True)
    times: dict = {label: [] for label in commands}
    work: dict = {label: [] for label in commands}
    for _ in range(args.repeat):
        for label, (command, environment) in commands.items():
            seconds, stdout = timed(command, environment)
            times[label].append(seconds)
            if "run" in label:
                summary = re.search(r"完成 (\d+) 个.*?用时 ([0-9.]+) 秒", stdout)
                if not summary or summary.group(1) != "0":
                    raise SystemExit(f"not a no-op run: {stdout.strip()}")
                work[label].append(float(summary.group(2)))
    floor = statistics.median(times["python3 -c pass"])
    load = os.getloadavg()
    print(f"{args.repeat} rounds, load average {start[0]:.2f} → {load[0]:.2f} (1 min), folder {out}")
    print(f"{'command':32} {'median':>8} {'min':>8} {'max':>8} {'× bare':>8} {'work':>8}")
    for label, values in times.items():
        spent = f"{statistics.median(work[label]):.3f}" if work[label] else ""
        print(
            f"{label:32} {statistics.median(values):8.3f} {min(values):8.3f} {max(values):8.3f} "
            f"{statistics.median(values) / floor:8.2f} {spent:>8}"
        )


if __name__ == "__main__":
    main()
