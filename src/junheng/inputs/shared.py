"""A folder's checked tables, read once per process when several of its counties are asked for.

``load(folder, counties=[c])`` reads only the workbooks of county ``c``. A process that asks for a
second county of the same folder (a batch worker, a notebook looping over the counties) reads the
whole folder once instead, keeps its checked tables (`junheng.inputs.dataset.read_checked`) and
gives every later county its own rows of them. The engine's cost is mostly a fixed cost per call
(pandas operations on small frames), so `junheng.method.evaluate` evaluates the folder once per
rule set as well and gives each county its own rows of that (`Evaluation.restricted`).

The folder is identified by its resolved path and every file's name, size and modification time:
a file changed, added or removed on disk is a new folder, read again. Only the last folder is kept.
Nothing cached is handed out: each caller gets filtered copies of the frames and copies of the
problems. Whole-folder reading is used only when it cannot differ from reading the county alone:
no year restriction, every problem found belongs to a county (a problem of no county, such as
an unreadable file, would otherwise reach every county's list), and the county's sheets of each
table share their headers (`own_rows`). A county without a table the folder has is read from memory
but evaluated alone: the engine types a missing table's items differently.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

from junheng.inputs.validation import FILE

_ENTRIES: dict = {}  # (resolved folder, signature) -> Entry; only the last folder
FRAMES = ("schools", "county", "monitoring", "survey", "survey_responses")


class Entry:
    """One folder: the county filters asked for, its checked tables, its evaluations."""

    def __init__(self, data):
        self.data = data
        self.seen: set = set()
        self.stage = None  # (problems, frames) once read whole; False when it must not be shared
        self.evaluations: dict = {}  # rule-set key -> Evaluation of the whole folder
        self.layout: dict = {}  # which files share headers (`junheng.inputs.validation.clean_tables`)
        self._full = None

    def full_dataset(self):
        """The whole folder as a dataset (for evaluating every county at once); built once."""
        if self._full is None:
            from junheng.inputs.dataset import finish

            problems, frames = self.stage  # (the evaluation reads only the schema's columns)
            self._full = finish(
                self.data,
                [copy.copy(p) for p in problems],
                {k: None if v is None else v.copy() for k, v in frames.items()},
            )
        return self._full


def signature(folder: Path) -> tuple:
    """Every file's relative name, size and modification time (hidden and lock files too)."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            st = os.stat(os.path.join(root, name))
            out.append((os.path.relpath(os.path.join(root, name), folder), st.st_size, st.st_mtime_ns))
    return tuple(out)


def checked_tables(data, counties, years):
    """(problems, frames, entry) of the whole folder when it is shared, else None (read the county)."""
    if not counties or years or not isinstance(data, (str, os.PathLike)):
        return None
    folder = Path(data)
    if not folder.is_dir():
        return None
    key = (str(folder.resolve()), signature(folder))
    entry = _ENTRIES.get(key)
    if entry is None:
        _ENTRIES.clear()
        entry = _ENTRIES[key] = Entry(data)
    if entry.stage is None:
        entry.seen.add(frozenset(counties))
        if len(entry.seen) < 2:
            return None  # the first county: read it alone (one report reads only its workbooks)
        from junheng.inputs.dataset import read_checked

        problems, frames, layout = read_checked(data)
        ok = not any(p.county_code is None for p in problems)
        entry.stage = (problems, frames) if ok else False
        entry.layout = layout
    if entry.stage is False:
        return None
    problems, frames = entry.stage
    mine = own_rows(frames, entry.layout, counties)
    if mine is None:
        return None
    return [copy.copy(p) for p in problems], mine, entry


def own_rows(frames: dict, layout: dict, counties) -> dict | None:
    """The rows of ``counties`` with the columns and types reading them alone gives, or None when unsure.

    Sheets with different headers are stacked with the union of their columns; read alone, a county
    has only its own sheets' columns, in their order, and no table where its files have no such sheet.
    Unsure, hence None: the county's sheets of one table have different headers, a column's type
    changed by the stacking, or a sheet of its files has no rows.
    """
    masks = {k: v["county_code"].isin(counties).to_numpy() for k, v in frames.items() if v is not None}
    files = set()
    for k, mask in masks.items():
        files.update(frames[k].loc[mask, FILE])
    out = {}
    for key, frame in frames.items():
        if frame is None:
            out[key] = None
            continue
        groups = [g for g in layout.get(key, []) if g[0] & files]
        if not masks[key].any():
            if groups:
                return None  # its sheet has no rows: read alone, an empty table
            out[key] = None  # no sheet of this table in its files: read alone, no table at all
            continue
        if len(groups) != 1:
            return None
        _, columns, dtypes = groups[0]
        stacked = layout[(key, None)]
        if any(stacked.get(c) != dtypes[c] for c in columns):
            return None
        known = set().union(*(g[1] for g in layout[key]))
        added = [c for c in frame.columns if c not in known]  # by the checks after stacking
        out[key] = frame.loc[masks[key], columns + added].reset_index(drop=True)
    return out


def mark(ds, entry: Entry, counties) -> None:
    """Note that ``ds`` holds the rows of ``counties`` of a shared folder, as loaded (its tables copied)."""
    tables = {k: None if getattr(ds, k) is None else getattr(ds, k).copy() for k in FRAMES}
    ds._shared = (entry, frozenset(counties), tables, ds.blocked())


def _unchanged(ds, tables: dict) -> bool:
    for k in FRAMES:
        mine, loaded = getattr(ds, k), tables[k]
        if (mine is None) != (loaded is None):
            return False
        if mine is not None and not (mine.columns.equals(loaded.columns) and mine.equals(loaded)):
            return False
    return True


def shared_of(ds):
    """(entry, counties) when ``ds`` is a shared folder's counties, unchanged since loaded, else None.

    A dataset whose tables or errors were changed after loading is evaluated itself.
    """
    marked = getattr(ds, "_shared", None)
    if marked is None:
        return None
    entry, counties, tables, blocked = marked
    if entry.stage in (None, False) or ds.blocked() != blocked or not _unchanged(ds, tables):
        return None
    if next(iter(_ENTRIES.values()), None) is not entry:
        return None  # the folder changed on disk since
    return entry, counties


def clear() -> None:
    """Forget every folder (tests)."""
    _ENTRIES.clear()
