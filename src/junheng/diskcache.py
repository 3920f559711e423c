"""A per-user folder where the package keeps what it derives from its own files, between processes.

Every report runs in a new kernel (issue #21): without this, each one parsed the package's YAML files
(rules, schema, locale: about 0.3 s even with libyaml's parser, the objects being built in Python) and
compiled its Jinja templates anew. Kept here, keyed by a digest of the source text:

- the parsed YAML files shipped with the package (`junheng.yamlio.packaged`), as pickles read back by an
  unpickler that builds nothing but plain data (no class but `datetime`'s: a planted file cannot run
  code);
- the compiled report templates (`junheng.report.templating`) and pandas' Styler templates (compiled
  when `pandas.io.formats.style` is imported: `jinja_templates_cached`), by Jinja's own bytecode cache.

The folder is ``junheng-cache-<uid>`` in the system's temporary folder (``JUNHENG_CACHE_DIR`` names
another; set to an empty value it turns the cache off). It is used only when this user owns it and no
one else may write to it; otherwise nothing is cached and everything is parsed and compiled as before.
Files are written whole (a temporary file renamed), so parallel processes never read half a file.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

ENV = "JUNHENG_CACHE_DIR"


def folder(kind: str) -> Path | None:
    """The cache's subfolder ``kind`` (made if missing), or None when there is no safe one."""
    configured = os.environ.get(ENV)
    if configured == "":
        return None
    uid = os.getuid() if hasattr(os, "getuid") else None
    root = Path(configured) if configured else Path(tempfile.gettempdir()) / f"junheng-cache-{uid or 0}"
    path = root / kind
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
        for part in (root, path):
            if not _private(part, uid):
                return None
    except OSError:
        return None
    return path


def _private(path: Path, uid: int | None) -> bool:
    """Whether ``path`` is a real folder of this user's that no one else may write to."""
    info = path.lstat()
    if not path.is_dir() or path.is_symlink():
        return False
    if uid is None:  # no owners to check (Windows): the user's own temporary folder
        return True
    return info.st_uid == uid and not info.st_mode & 0o022


def digest(*parts: str | bytes) -> str:
    """A key for the cache: the SHA-256 of ``parts`` (text as UTF-8) with the interpreter's version."""
    h = hashlib.sha256(sys.version.encode())
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class _DataUnpickler(pickle.Unpickler):
    """Builds plain data only: the containers and scalars pickle writes itself, and dates."""

    ALLOWED = {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
    }

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not plain data: {module}.{name}")


def load_data(kind: str, name: str, key: str):
    """The object stored as ``name`` under ``key``, or None when it is not there (or unreadable)."""
    path = folder(kind)
    if path is None:
        return None
    try:
        data = (path / f"{name}-{key}.pickle").read_bytes()
        return _DataUnpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - missing, truncated or foreign: parse again
        return None


def store_data(kind: str, name: str, key: str, value) -> None:
    """Keep ``value`` as ``name`` under ``key``, replacing the entries of ``name`` with other keys."""
    path = folder(kind)
    if path is None:
        return
    target = path / f"{name}-{key}.pickle"
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
        temporary = None
        for old in path.glob(f"{name}-*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache, not an error
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def jinja_bytecode_cache():
    """Jinja's bytecode cache in the cache's ``jinja`` folder, or None (templates compiled per process)."""
    path = folder("jinja")
    if path is None:
        return None
    from jinja2 import FileSystemBytecodeCache

    return FileSystemBytecodeCache(str(path))


@contextmanager
def jinja_templates_cached():
    """Jinja environments made meanwhile keep their compiled templates in the cache's ``jinja`` folder.

    For a library that compiles its templates as it is imported, in an environment of its own:
    pandas' Styler compiles six when ``pandas.io.formats.style`` is imported (about 0.15 s of each
    report's kernel). Jinja checks each compiled template against its source's checksum; an environment
    given its own bytecode cache keeps it. ``jinja2.Environment`` is as before once the block ends.
    """
    cache = jinja_bytecode_cache()
    if cache is None:
        yield
        return
    import jinja2

    init = jinja2.Environment.__init__

    @wraps(init)
    def init_cached(self, *args, **kwargs):
        init(self, *args, **kwargs)
        if self.bytecode_cache is None:
            self.bytecode_cache = cache

    jinja2.Environment.__init__ = init_cached
    try:
        yield
    finally:
        jinja2.Environment.__init__ = init
