"""Whether reports/index.html still shows what the folder holds (issue #21).

The index page is made from the manifest, the report files of the folder (which exist, and the
result JSONs) and the package's templates and messages; building it imports pandas (the report
modules), most of a no-op ``junheng run``. Its page ends with a digest of those inputs; a run whose
inputs have the same digest leaves the page as it is. The date the page was made on is not an
input: a page left as it is keeps the date its contents were made on.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from junheng.batch.tasks import code_digest

INDEX = "index.html"
MARK = "<!-- junheng-index "


def folder_files(out: Path) -> list:
    """Name, size and mtime (ns) of every visible file of the folder, its index page left out."""
    found = []
    with os.scandir(out) as entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.name == INDEX or not entry.is_file():
                continue
            st = entry.stat()
            found.append([entry.name, st.st_size, st.st_mtime_ns])
    return sorted(found)


def index_digest(out: Path, entries: dict, lang: str) -> str:
    """The digest of what the index page of ``out`` is made from.

    The entries without their outputs' sums: a run that only records when it read them
    (``Manifest.restamp``) changes nothing the page shows.
    """
    shown = {key: {k: v for k, v in (e or {}).items() if k != "output_sums"} for key, e in entries.items()}
    parts = [lang, code_digest(), shown, folder_files(Path(out))]
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def mark(digest: str) -> str:
    """The last line of an index page made from inputs of ``digest``."""
    return f"{MARK}{digest} -->\n"


def index_is_current(out: Path, entries: dict, lang: str) -> bool:
    """Whether ``out/index.html`` was made from what the folder holds now (its last line says so)."""
    try:
        with open(Path(out) / INDEX, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 200))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return False
    return tail.endswith(mark(index_digest(out, entries, lang)))
