"""reports/.manifest.json: per finished report, the fingerprint of its inputs and what it found.

The verdict and key coefficients, written atomically after each task.

Several runs may share one reports folder (issue #11, item 4): each new entry is merged into what is
on disk under ``.manifest.lock`` (re-read, update one key, write), so no run drops another's entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

from junheng.batch.lock import manifest_lock
from junheng.errors import naming

NAME = ".manifest.json"


def _digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


RACY_SECONDS = 2.0  # a file changed this soon after it was recorded may keep its time: read it


def output_sums(out_dir, names) -> dict:
    """{name: [size, digest, mtime, when]} of a report's outputs: a truncated or emptied file is noticed.

    The file's modification time and the time it was summed (ns) spare a later no-op run reading
    every output again (issue #21): a file whose size and time are as recorded, recorded well after
    it was last written (``RACY_SECONDS``: a change in the same clock tick keeps the time, as git's
    "racily clean" files), is intact; any other is read and compared (see ``Manifest.restamp``).
    """
    sums = {}
    for name in names:
        path = Path(out_dir) / name
        try:
            st = path.stat()
            sums[name] = [st.st_size, _digest(path), st.st_mtime_ns, time.time_ns()]
        except OSError:
            continue
    return sums


def _untouched(st, recorded) -> bool:
    """Size and time as recorded, and recorded long enough after the file was written."""
    if len(recorded) < 4:
        return False
    size, _, mtime, when = recorded[:4]
    return st.st_size == size and st.st_mtime_ns == mtime and mtime < when - RACY_SECONDS * 1e9


def _intact(path: Path, recorded, read: list | None = None) -> bool:
    try:
        if recorded is None:
            return path.exists()  # a manifest of an older version: presence only
        size, digest = recorded[:2]
        st = path.stat()
        if _untouched(st, recorded):
            return True
        if st.st_size != size or _digest(path) != digest:
            return False
        if read is not None:
            read.append((path.name, st.st_mtime_ns))  # read and intact: its time can be recorded now
        return True
    except (OSError, TypeError, ValueError):
        return False


class Manifest:
    """The manifest of one reports folder; ``entries`` maps a report's key to its record."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / NAME
        self.entries = {}
        self._seen = None  # (inode, size, mtime) of the file as last read or written by us
        self.damaged = False  # the file was there but unreadable: every report is made again (and said)
        self._read: dict = {}  # outputs is_current read and found intact, by key (see ``restamp``)
        self.reload()

    def _stat(self):
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def reload(self) -> None:
        """Read the manifest again if another run changed it since we last read or wrote it."""
        seen = self._stat()
        if seen is not None and seen == self._seen:
            return
        self.entries = {}
        if seen is not None:
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.entries = None  # a damaged manifest costs a re-run, and is said (issue #22)
            if not isinstance(self.entries, dict):
                self.entries, self.damaged = {}, True
        self._seen = seen

    def locked(self):
        """The manifest lock of this folder (exclusive), e.g. around writing the index."""
        return manifest_lock(self.path.parent)

    def is_current(self, key: str, fingerprint: str, out_dir: Path) -> bool:
        """Done with this fingerprint, and every output still there as it was written."""
        entry = self.entries.get(key)
        if not entry or entry.get("fingerprint") != fingerprint or entry.get("status") == "error":
            return False
        sums = entry.get("output_sums") or {}
        read: list = []
        current = all(
            _intact(Path(out_dir) / name, sums.get(name) if sums else None, read)
            for name in entry.get("outputs", [])
        )
        if current and read:
            self._read.setdefault(key, set()).update(read)
        return current

    def restamp(self, out_dir: Path) -> None:
        """Record the time of the outputs ``is_current`` had to read and found intact.

        Outputs recorded right after they were written are read by the next run (``RACY_SECONDS``);
        their times recorded now, later no-op runs read none of them. Entries another run changed
        meanwhile are left alone.
        """
        if not self._read:
            return
        now = time.time_ns()
        with self.locked():
            before = {key: json.dumps(self.entries.get(key), sort_keys=True) for key in self._read}
            self.reload()
            changed = False
            for key, names in self._read.items():
                entry = self.entries.get(key)
                if not entry or json.dumps(entry, sort_keys=True) != before[key]:
                    continue
                for name, mtime in names:
                    recorded = entry.get("output_sums", {}).get(name)
                    try:
                        st = (Path(out_dir) / name).stat()
                    except OSError:
                        continue
                    unchanged = recorded and (st.st_size, st.st_mtime_ns) == (recorded[0], mtime)
                    if unchanged and mtime < now - RACY_SECONDS * 1e9:
                        entry["output_sums"][name] = [*recorded[:2], st.st_mtime_ns, now]
                        changed = True
            if changed:
                self.save()
        self._read = {}

    def record(self, key: str, entry: dict) -> None:
        """Merge one entry into the manifest on disk (under the lock) and write it back."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.locked():
            self.reload()
            self.entries[key] = entry
            self.save()

    def save(self) -> None:
        """Write the entries atomically (a temporary file renamed into place)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".manifest.", suffix=".tmp")
        try:
            with naming(self.path), os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self.entries, handle, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False)
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._seen = self._stat()
