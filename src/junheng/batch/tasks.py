"""What a batch run has to do: the county-years of a dataset and their fingerprints.

What a batch run has to do: the county-years of a dataset, and a fingerprint of each task's inputs so that an
unchanged task is skipped (incremental runs).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from junheng import __version__

# the formats a report is written in: ``junheng.report.run.KNOWN_FORMATS`` (a test says so), which
# a no-op run does not import (junheng.report imports pandas, issue #21)
KNOWN_FORMATS = ("html", "pdf", "xlsx", "docx")


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
    final: bool = False  # the version for submission (refused, as a failure, while it is a draft)
    parameters: tuple = ()  # the notebook's other parameters, ((name, value), …) from -p NAME VALUE

    @property
    def key(self) -> str:
        """The output file stem of this task's report (``junheng.report.run.output_stem``)."""
        return output_stem(self.county_code, self.year, self.lang, self.rules)


def output_stem(county_code: str, year: int, lang: str, rules: str = "youzhi-2017") -> str:
    """File name (without extension) of a county-year's outputs: 990123_2024[.jiben-2012][.en].

    The same as ``junheng.report.run.output_stem`` (a test says so): importing anything under
    ``junheng.report`` imports pandas, which a no-op run does without (issue #21).
    """
    stem = f"{county_code}_{year}"
    if rules != "youzhi-2017":
        stem += f".{rules}"
    return stem if lang == "zh" else f"{stem}.{lang}"


def county_files(data, county_code: str, year: int) -> tuple:
    """The county's own text, profile and plan for ``year`` (a change to one re-runs its report)."""
    from junheng.inputs import county_profile, narrative

    folder = Path(data) if Path(data).is_dir() else Path(data).parent
    found = [
        narrative.find(data, county_code, year),
        county_profile.find(data, county_code, year),
        folder / "plan" / f"{county_code}.yaml",
    ]
    return tuple(str(p.resolve()) for p in found if p is not None and p.is_file())


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


def read_notebook(path: str | Path) -> dict:
    """A notebook as a dict of version 4: its JSON as it is, an older version through nbformat.

    nbformat's validation imports jsonschema (over a second of a no-op run, issue #21); a version-4
    notebook needs no conversion, and a cell's ``source`` may be a string or a list of lines.
    """
    with open(path, encoding="utf-8") as handle:
        nb = json.load(handle)
    if not isinstance(nb, dict) or nb.get("nbformat") != 4:
        import nbformat

        nb = nbformat.read(str(path), as_version=4)
    return nb


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat's JSON may keep it as a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def notebook_digest(path: str | Path) -> str:
    """What a notebook does: its cells' types, sources and tags.

    Outputs, execution counts and other metadata (a notebook saved after a run in JupyterLab) do not change
    it. A version-4 notebook is read as the JSON it is (nbformat's validation imports jsonschema: over a
    second of a no-op run); an older one through nbformat.
    """
    nb = read_notebook(path)
    digest = hashlib.sha256()
    for cell in nb["cells"]:
        tags = sorted(cell.get("metadata", {}).get("tags", []))
        digest.update(json.dumps([cell["cell_type"], cell_source(cell), tags], ensure_ascii=False).encode())
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _notebook_digest_cached(path: str, size: int, mtime_ns: int) -> str:
    return notebook_digest(path)


# a code cell calling one of these reads every county's data (junheng.province(), junheng.counties())
PROVINCE_CALLS = re.compile(r"\b(province|counties)\s*\(")
PROVINCE = "province"  # the declared input meaning "every county's data"
READS_KEY = "reads"  # notebook metadata ``{"junheng": {"reads": [...]}}``: what else the notebook reads


def notebook_reads(path: str | Path) -> tuple[str, ...]:
    """What a notebook reads beyond its own county's data: ``province`` and files it names.

    ``province`` when a code cell calls ``junheng.province(...)`` or ``junheng.counties(...)`` (every
    county's data), or when the notebook declares it; a notebook declares its inputs in its metadata
    (JupyterLab: Property inspector › Notebook metadata)::

        "junheng": {"reads": ["province", "extra/benchmarks.csv"]}

    Files are relative to the notebook's folder (where a copy runs); globs are allowed.
    """
    nb = read_notebook(path)
    declared = nb.get("metadata", {}).get("junheng", {}).get(READS_KEY, [])
    declared = [declared] if isinstance(declared, str) else list(declared)
    calls = any(
        cell.get("cell_type") == "code" and PROVINCE_CALLS.search(cell_source(cell)) for cell in nb["cells"]
    )
    return tuple(dict.fromkeys(([PROVINCE] if calls else []) + [str(x) for x in declared]))


@lru_cache(maxsize=64)
def _notebook_reads_cached(path: str, size: int, mtime_ns: int) -> tuple[str, ...]:
    return notebook_reads(path)


def _data_files(data: str) -> list[Path]:
    """Every file of a dataset (a file, or a folder's files at any depth; hidden and lock files left out)."""
    root = Path(data)
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith((".", "~$")) for part in p.relative_to(root).parts)
    )


def reads_digest(task: Task, notebook: Path, reads: tuple[str, ...]) -> str:
    """The contents of what ``reads`` names: every file of the dataset, files next to the notebook."""
    digest = hashlib.sha256()
    for entry in reads:
        if entry == PROVINCE:
            files = _data_files(task.data)
            root = Path(task.data)
        else:
            root = notebook.resolve().parent
            files = sorted(p for p in root.glob(entry) if p.is_file())
            if not files:  # named but absent: its appearing later must re-run the report
                digest.update(f"{entry}: missing".encode())
        for f in files:
            digest.update(str(f.relative_to(root) if f.is_relative_to(root) else f.name).encode())
            digest.update(file_digest(str(f)).encode())
    return digest.hexdigest()


def task_notebook(task: Task) -> Path:
    """The notebook a task executes (``junheng.report.run.default_notebook``: the bundled one)."""
    from junheng.paths import notebook

    return Path(task.notebook) if task.notebook else notebook("county_report.ipynb")


def fingerprint_parts(task: Task) -> dict:
    """What a task's report depends on, one digest per part.

    What a task's report depends on, one digest each: ``params`` (county, year, rules, overlays, language,
    formats), ``data`` (the input files' contents), ``notebook`` (its cells) and ``code`` (the package);
    ``reads`` when the notebook reads more than its county (`notebook_reads`: every county's data, files
    it declares). The manifest keeps them, so a re-run can say what changed.
    """
    params = {k: v for k, v in asdict(task).items() if k not in ("files", "data", "notebook")}
    if not params.get("final"):
        params.pop("final", None)  # a draft's digest is what it was before --final existed
    if not params.get("parameters"):
        params.pop("parameters", None)  # likewise without -p
    data = hashlib.sha256()
    for f in sorted(task.files):
        data.update(Path(f).name.encode())
        data.update(file_digest(f).encode())
    notebook = task_notebook(task)
    stat = notebook.stat()
    parts = {
        "params": hashlib.sha256(json.dumps(params, sort_keys=True, default=list).encode()).hexdigest(),
        "data": data.hexdigest(),
        "notebook": _notebook_digest_cached(str(notebook), stat.st_size, stat.st_mtime_ns),
        "code": code_digest(),
    }
    reads = _notebook_reads_cached(str(notebook), stat.st_size, stat.st_mtime_ns)
    if reads:  # only then: the fingerprints of notebooks reading nothing more stay as they were
        parts["reads"] = reads_digest(task, notebook, reads)
    return parts


def combined_fingerprint(parts: dict) -> str:
    """One digest of `fingerprint_parts`."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def task_fingerprint(task: Task) -> str:
    """Parameters, input files (content), the notebook's cells and the package's code."""
    return combined_fingerprint(fingerprint_parts(task))


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
    from junheng.inputs.sources import named_workbooks
    from junheng.inputs.targets.sources import target_files
    from junheng.planning.config import override_files

    # a changed action plan (targets) or rectification-plan configuration re-runs its reports
    plans = tuple(str(p.resolve()) for p in [*target_files(data), *override_files(data)])
    problems = [] if problems is None else problems
    counties = {codes.county_code(c) for c in counties} if counties else None
    years = {int(y) for y in years} if years else None
    named, not_read = named_workbooks(Path(data), counties)
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
                tuple(sorted(p for y, p in by_county[code] if y <= year))
                + plans
                + county_files(data, code, year),
                str(notebook or ""),
            )
            for code, year, _ in named
            if (not counties or code in counties) and (not years or year in years)
        ]

    from junheng.inputs.dataset import load

    ds = load(data, counties, years)
    tasks = []
    # the county-years with schools: one whose errors left it none fails here, as a file's failure
    with_schools = list(ds.county_years(blocked=False).itertuples(index=False, name=None))
    planned = set(with_schools)
    problems.extend(
        p
        for p in ds.problems
        if p.severity in ("error", "warning") and (p.county_code, p.year) not in planned
    )
    if ds.schools is None:
        return tasks
    files_by_county = ds.schools.groupby("county_code")["_file"].agg(lambda s: tuple(sorted(set(s))))
    for code, year in with_schools:
        tasks.append(
            Task(
                str(code),
                int(year),
                str(Path(data).resolve()),
                rules,
                tuple(overlays or ()),
                lang,
                tuple(formats),
                files_by_county.get(code, ()) + plans + county_files(data, code, int(year)),
                str(notebook or ""),
            )
        )
    return tasks
