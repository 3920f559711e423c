"""A report notebook given with --notebook: checked before any kernel starts (issue #22).

A file that is not a notebook, or a notebook without code, is said in one line in the user's
language (``UserError``), not as nbformat's traceback from the fingerprint or a kernel's failure.
"""

from __future__ import annotations

from pathlib import Path

from junheng.errors import UserError

# jupytext's text forms of a notebook (the project pairs notebooks/*.ipynb with *.py)
TEXT_SUFFIXES = (".py", ".md", ".r")


def check_notebook(path) -> None:
    """Raise ``UserError`` unless ``path`` is a readable notebook with at least one code cell."""
    import nbformat

    shown = str(path)
    if not Path(path).is_file():
        raise UserError("cli.notebook_missing", path=shown)
    if Path(path).suffix.lower() in TEXT_SUFFIXES:  # a jupytext file: its .ipynb is what runs
        raise UserError("cli.notebook_is_text", path=shown, ipynb=str(Path(path).with_suffix(".ipynb")))
    try:
        nb = nbformat.read(shown, as_version=4)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - nbformat raises JSON, schema and conversion errors
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise UserError("cli.render_not_notebook", path=shown, error=detail) from None
    if not any(cell.get("cell_type") == "code" and str(cell.get("source", "")).strip() for cell in nb.cells):
        raise UserError("cli.notebook_empty", path=shown)
