"""What a batch run has to do: the county-years of a dataset and their fingerprints.

What a batch run has to do: the county-years of a dataset, and a fingerprint of each task's inputs so that an
unchanged task is skipped (incremental runs).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from junheng import __version__


@dataclass(frozen=True)
class Task:
    """One report to make: a county-year, its data, rules, language and output formats."""
    county_code: str
    year: int
    data: str
    rules: str = "youzhi-2017"
    overlays: tuple = ()
    lang: str = "zh"
    formats: tuple = ("html", "pdf", "xlsx")
    files: tuple = field(default=(), compare=False)  # the input files this county-year's report reads
    notebook: str = ""  # a copy of the report notebook (empty: the bundled one)

    @property
    def key(self) -> str:
        """The output file stem of this task's report."""
        from junheng.report.run import output_stem

        return output_stem(self.county_code, self.year, self.lang, self.rules)


@lru_cache(maxsize=4096)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_digest(path: str) -> str:
    """SHA-256 digest of a file's contents, cached by path, size and modification time."""
    stat = Path(path).stat()
    return _file_digest(str(path), stat.st_size, stat.st_mtime_ns)


PACKAGE_FILES = ("*.py", "*.yaml", "*.css", "*.j2", "*.typ", "*.lua", "*.json")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The package's own code, rules and templates: a change re-runs every report."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for pattern in PACKAGE_FILES for p in root.rglob(pattern)):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def notebook_digest(path: str | Path) -> str:
    """What a notebook does: its cells' types, sources and tags.

    Outputs, execution counts and other metadata (a notebook saved after a run in JupyterLab) do not change
    it. A version-4 notebook is read as the JSON it is (nbformat's validation imports jsonschema: over a
    second of a no-op run); an older one through nbformat.
    """
    with open(path, encoding="utf-8") as handle:
        nb = json.load(handle)
    if nb.get("nbformat") != 4:
        import nbformat

        nb = nbformat.read(str(path), as_version=4)
    digest = hashlib.sha256()
    for cell in nb["cells"]:
        tags = sorted(cell.get("metadata", {}).get("tags", []))
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        digest.update(json.dumps([cell["cell_type"], source, tags], ensure_ascii=False).encode())
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _notebook_digest_cached(path: str, size: int, mtime_ns: int) -> str:
    return notebook_digest(path)


def task_notebook(task: Task) -> Path:
    """The notebook a task executes."""
    from junheng.report.run import default_notebook

    return Path(task.notebook) if task.notebook else default_notebook(task.rules)


def fingerprint_parts(task: Task) -> dict:
    """What a task's report depends on, one digest per part.

    What a task's report depends on, one digest each: ``params`` (county, year, rules, overlays, language,
    formats), ``data`` (the input files' contents), ``notebook`` (its cells) and ``code`` (the package). The
    manifest keeps them, so a re-run can say what changed.
    """
    params = {k: v for k, v in asdict(task).items() if k not in ("files", "data", "notebook")}
    data = hashlib.sha256()
    for f in sorted(task.files):
        data.update(Path(f).name.encode())
        data.update(file_digest(f).encode())
    notebook = task_notebook(task)
    stat = notebook.stat()
    return {
        "params": hashlib.sha256(json.dumps(params, sort_keys=True, default=list).encode()).hexdigest(),
        "data": data.hexdigest(),
        "notebook": _notebook_digest_cached(str(notebook), stat.st_size, stat.st_mtime_ns),
        "code": code_digest(),
    }


def combined_fingerprint(parts: dict) -> str:
    """One digest of `fingerprint_parts`."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def task_fingerprint(task: Task) -> str:
    """Parameters, input files (content), the notebook's cells and the package's code."""
    return combined_fingerprint(fingerprint_parts(task))


def _plan_from_names(path: Path, counties=None):
    """(code, year, path) of every workbook, or None when a name is not CODE_YEAR; and the files not read.

    Files not read: an .xls, any other file (see ``workbook_files``).
    """
    import re

    from junheng.inputs.sources import workbook_files

    if not path.is_dir() or any((path / f"schools{s}").exists() for s in (".csv", ".parquet")):
        return None, []
    # every year of a county feeds its trends (and its fingerprint): filter by county only
    books, not_read = workbook_files(path, counties)  # .xlsx / .xlsm in any case
    found = []
    for book in books:
        match = re.fullmatch(r"([0-9]{6})_([0-9]{4})", book.stem)
        if not match:
            return None, []
        found.append((match.group(1), int(match.group(2)), book.resolve()))
    return (sorted(found) or None), not_read


def plan(
    data,
    counties=None,
    years=None,
    rules="youzhi-2017",
    overlays=(),
    lang="zh",
    formats=("html", "pdf", "xlsx"),
    notebook=None,
    problems: list | None = None,
) -> list[Task]:
    """One task per county-year found in DATA (optionally restricted).

    A directory of workbooks named CODE_YEAR.xlsx is planned from the names alone; anything else is read.

    ``problems`` receives what no task's report will show: files not read (an .xls, a stray file),
    an empty folder, an unreadable workbook (issue #11).
    """
    from junheng.inputs import codes
    from junheng.inputs.dataset import load
    from junheng.planning.config import override_files
    from junheng.planning.sources import target_files

    # a changed action plan (targets) or rectification-plan configuration re-runs its reports
    plans = tuple(str(p.resolve()) for p in [*target_files(data), *override_files(data)])
    problems = [] if problems is None else problems
    counties = {codes.county_code(c) for c in counties} if counties else None
    years = {int(y) for y in years} if years else None
    named, not_read = _plan_from_names(Path(data), counties)
    if named is not None:
        planned = {(code, year) for code, year, _ in named}
        problems.extend(
            p
            for p in not_read
            if p.severity in ("error", "warning")
            and (p.county_code, p.year) not in planned
            and (not years or p.year is None or p.year in years)
        )
        by_county = {}
        for code, year, path in named:
            by_county.setdefault(code, []).append((year, str(path)))
        return [
            Task(
                code,
                year,
                str(Path(data).resolve()),
                rules,
                tuple(overlays or ()),
                lang,
                tuple(formats),
                tuple(sorted(p for y, p in by_county[code] if y <= year)) + plans,
                str(notebook or ""),
            )
            for code, year, _ in named
            if (not counties or code in counties) and (not years or year in years)
        ]

    ds = load(data, counties, years)
    tasks = []
    planned = set() if ds.schools is None else set(ds.county_years().itertuples(index=False, name=None))
    problems.extend(
        p
        for p in ds.problems
        if p.severity in ("error", "warning") and (p.county_code, p.year) not in planned
    )
    if ds.schools is None:
        return tasks
    files_by_county = ds.schools.groupby("county_code")["_file"].agg(lambda s: tuple(sorted(set(s))))
    for code, year in ds.county_years().itertuples(index=False):
        tasks.append(
            Task(
                str(code),
                int(year),
                str(Path(data).resolve()),
                rules,
                tuple(overlays or ()),
                lang,
                tuple(formats),
                files_by_county.get(code, ()) + plans,
                str(notebook or ""),
            )
        )
    return tasks
