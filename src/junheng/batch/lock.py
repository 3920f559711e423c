"""Locks on a reports folder, so that several runs can write into it at once (issue #11, item 4).

- ``.run.lock`` is held *shared* by every `junheng run` and `junheng report` for as long as it writes
  into the folder. A run that can take it *exclusively* knows no other writer is active: only then are
  stray temporary files of a killed run removed (a live run's temporary files are never touched).
- ``.manifest.lock`` is held *exclusively* for the few milliseconds in which the manifest is re-read,
  merged with one new entry and written back, and while the index is written from it: two runs never
  lose each other's county-years.

The last writer to leave removes ``.run.lock`` (taken exclusively, then unlinked), so a finished
folder holds reports only. A writer that locked a file just removed sees that the path no longer
names it and locks the new one: every writer always holds the lock file in place.

POSIX advisory locks (``fcntl.flock``); they also work on NFS (v4, or v3 with a lock manager), so
Dask workers and several machines can share one reports folder.
"""

from __future__ import annotations

import fcntl
import os
import re
from contextlib import contextmanager
from pathlib import Path

RUN_LOCK = ".run.lock"
MANIFEST_LOCK = ".manifest.lock"
# what an interrupted writer leaves behind: ".990102_2024.html.k2j3.tmp", ".manifest.x.tmp", ...
STRAY = re.compile(r"^\..+\.tmp$")


def _open(path: Path) -> int:
    """The lock file, created if need be.

    A read-only folder fails here, before any work is done: the error names the folder, not the lock
    file.
    """
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename).name in (RUN_LOCK, MANIFEST_LOCK):
            exc.filename = str(path.parent)
        raise


def _names(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)


@contextmanager
def manifest_lock(out_dir):
    """Exclusive, short: around read-merge-write of the manifest and writing the index."""
    fd = _open(Path(out_dir) / MANIFEST_LOCK)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class RunLock:
    """The run lock of a reports folder, held shared for a whole run.

    ``clean_if_alone()`` removes stray temporary files when no other writer holds the folder.
    """

    def __init__(self, out_dir):
        self.out = Path(out_dir)
        self.fd = None

    def __enter__(self) -> RunLock:
        path = self.out / RUN_LOCK
        while True:
            fd = _open(path)
            fcntl.flock(fd, fcntl.LOCK_SH)
            if _names(path, fd):
                break
            os.close(fd)  # removed by the last writer while we waited: lock the new file
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is None:
            return
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another writer holds the folder: the lock file stays for it
        else:
            path = self.out / RUN_LOCK
            if _names(path, self.fd):
                try:
                    path.unlink()
                except OSError:
                    pass  # a read-only folder, say: an empty lock file is harmless
        finally:
            os.close(self.fd)
            self.fd = None

    def clean_if_alone(self) -> list[Path]:
        """Remove ``.*.tmp`` files of the folder (and of ``failed/``) if this is the only writer.

        Converting the shared lock to an exclusive one is not atomic (flock(2)), so this is called only
        where this writer has no temporary file of its own in flight: before its work and after it.
        """
        removed: list[Path] = []
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(self.fd, fcntl.LOCK_SH)
            return removed
        try:
            for folder in (self.out, self.out / "failed"):
                if not folder.is_dir():
                    continue
                for path in folder.iterdir():
                    if STRAY.match(path.name) and path.is_file():
                        path.unlink(missing_ok=True)
                        removed.append(path)
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_SH)
        return removed
