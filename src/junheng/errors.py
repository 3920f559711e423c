"""Errors a user can act on, told in one line in their language (issue #11, "nothing silent").

``UserError`` is a mistake in what the user asked for (a county code, ``--jobs 0``, an overlay file
that is not YAML): the command prints its message and exits with 2. Any ``OSError`` (a read-only
folder, a full disk, a missing file) becomes one line naming the path, via ``os_error_message``.
"""

from __future__ import annotations

import errno
import re
from contextlib import contextmanager
from pathlib import Path

from junheng.i18n import pick, t


class UserError(ValueError):
    """A request the user must correct; ``key`` is a message key of locale/messages.yaml."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The message in ``lang``."""
        params = {k: pick(v, lang) if isinstance(v, dict) else v for k, v in self.params.items()}
        return t(self.key, lang, **params)


# errno -> reason key (cli.os_reason.*); anything else falls back to the system's own text
_REASONS = {
    errno.EACCES: "permission",
    errno.EPERM: "permission",
    errno.EROFS: "read_only",
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.ENOENT: "not_found",
    errno.ENOTDIR: "not_a_folder",
    errno.EISDIR: "is_a_folder",
}
# our temporary files (".name.random.tmp", ".manifest.random.tmp", "kernel-…"): name the folder
_TEMPORARY = re.compile(r"^\..*\.tmp$")


def _shown_path(exc: OSError) -> str | None:
    name = exc.filename if exc.filename is not None else exc.filename2
    if name is None:
        return None
    path = Path(str(name))
    if _TEMPORARY.match(path.name):
        return str(path.parent)
    return str(path)


def os_error_message(exc: OSError, lang: str = "zh") -> str:
    """'无法读写“reports/990102_2024.html”：磁盘空间不足（No space left on device）' and the like."""
    key = _REASONS.get(exc.errno)
    reason = t(f"cli.os_reason.{key}", lang) if key else (exc.strerror or type(exc).__name__)
    detail = exc.strerror or str(exc)
    path = _shown_path(exc)
    if path is None:
        return t("cli.os_error_no_path", lang, reason=reason, detail=detail)
    return t("cli.os_error", lang, path=path, reason=reason, detail=detail)


@contextmanager
def naming(path):
    """Give an ``OSError`` raised without a file name (a write on a full disk) the path it concerns."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise
