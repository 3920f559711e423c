"""The last plan of a reports folder, reused while the data folder is unchanged (issue #21).

Planning a run lists the data folder and, for a folder of tables or of workbooks not named
CODE_YEAR, reads it; the modules that do so import pandas, most of what a no-op ``junheng run``
would otherwise cost. The tasks and the problems of a plan depend only on the run's arguments, on
the package's code and on the data folder's files, so they are kept in ``.plan.json`` of the reports
folder under a key of all three: every file of the data folder by path, size and modification time.
A file added, removed, renamed, rewritten or touched is another key, and the folder is planned again.
The reports themselves are still judged by their fingerprints (the files' contents), as before.

Only a data folder is cached; a single workbook is planned each time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path

from junheng.batch.tasks import Task, code_digest
from junheng.problems import Problem

NAME = ".plan.json"
VERSION = 1
KEPT = 8  # plans kept per reports folder (runs of other counties, years or rule sets beside it)
TUPLES = ("overlays", "formats", "files", "parameters")


def folder_state(folder: Path, skip: Path | None = None) -> list:
    """Every file under ``folder`` (hidden ones too) by relative path, size and mtime in ns; its folders.

    ``skip``: a folder left out (the reports folder, when it lies inside the data folder).
    """
    state = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if skip is None or (here / d).resolve() != skip)
        state += [[str((here / d).relative_to(folder)) + "/"] for d in dirs]
        for name in sorted(files):
            path = here / name
            try:
                st = path.stat()
            except OSError:
                state.append([str(path.relative_to(folder))])
                continue
            state.append([str(path.relative_to(folder)), st.st_size, st.st_mtime_ns])
    return state


def plan_key(data, out: Path, arguments: dict) -> str | None:
    """The key of a plan of ``data`` with ``arguments``; None when ``data`` is not a folder."""
    folder = Path(data)
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    state = folder_state(folder, Path(out).resolve())
    parts = [VERSION, code_digest(), str(folder.resolve()), arguments, state]
    digest.update(json.dumps(parts, sort_keys=True, default=list, ensure_ascii=False).encode())
    return digest.hexdigest()


def _task(record: dict) -> Task:
    """A task from its JSON record (lists back to tuples, ``parameters`` pairs included)."""

    def tupled(value):
        return tuple(tupled(x) for x in value) if isinstance(value, list) else value

    return Task(**{k: tupled(v) if k in TUPLES else v for k, v in record.items()})


def _read(out: Path) -> dict:
    try:
        plans = json.loads((Path(out) / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return plans if isinstance(plans, dict) else {}


def cached_plan(out: Path, key: str | None) -> tuple[list[Task], list[Problem]] | None:
    """The tasks and problems planned under ``key``, or None (never planned, or unreadable)."""
    if key is None:
        return None
    entry = _read(out).get(key)
    try:
        tasks = [_task(record) for record in entry["tasks"]]
        problems = [Problem(**record) for record in entry["problems"]]
    except (TypeError, KeyError, ValueError):
        return None
    return tasks, problems


def keep_plan(out: Path, key: str | None, tasks: list[Task], problems: list[Problem]) -> None:
    """Keep a plan under ``key`` (the newest ``KEPT`` plans of the folder), written atomically."""
    if key is None:
        return
    plans = _read(out)
    plans.pop(key, None)
    plans[key] = {
        "tasks": [dataclasses.asdict(task) for task in tasks],
        "problems": [dataclasses.asdict(problem) for problem in problems],
    }
    plans = dict(list(plans.items())[-KEPT:])
    text = json.dumps(plans, ensure_ascii=False, default=str)  # (a path in a problem's parameters)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=f"{NAME}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, Path(out) / NAME)
    except OSError:
        pass  # a cache: the run goes on without it
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
