"""What a report asks of its county more than once, computed once per county object.

A report's cells ask the same question several times: each of the county's six text sections
wants the values its text may cite, each school's page and the school list want the vetoes found
at schools, each page wants the school-level items. `once` keeps the answer on the county object
(as `functools.cached_property` keeps its frames), so a county changed with ``with_changes`` (a new
object) computes its own. Callers must not change what they get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_STORE = "_report_once"


def once(c, key: str, compute: Callable[[], T]) -> T:
    """``compute()`` the first time ``key`` is asked of the county ``c``; the same answer later."""
    store = c.__dict__.setdefault(_STORE, {})
    if key not in store:
        store[key] = compute()
    return store[key]
