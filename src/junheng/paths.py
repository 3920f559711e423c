"""Where the repository's own files are (the bundled sample, the notebooks), from any directory."""

from __future__ import annotations

from pathlib import Path


def repo_path(relative: str) -> Path | None:
    """The first ``relative`` path found above this package (an editable install or a checkout)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / relative
        if candidate.exists():
            return candidate
    return None


def default_data() -> Path:
    """The bundled sample province."""
    return repo_path("data/sample") or Path("data/sample")


def notebook(name: str = "county_report.ipynb") -> Path:
    """The path of a bundled report notebook; FileNotFoundError when it is missing."""
    found = repo_path(f"notebooks/{name}")
    if found is None:
        raise FileNotFoundError(f"notebooks/{name} not found")
    return found
