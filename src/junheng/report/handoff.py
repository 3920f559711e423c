"""The county-year evaluated by `junheng report` while the kernel starts, handed to the kernel (issue #21).

While papermill starts the kernel and the kernel imports, the process running `junheng report` only
waits. `start` has a thread of it load and evaluate the county (what `junheng.report.county.entry` caches:
the data, the rule set, the evaluation and its 2012 evaluation) and write them, pickled, into a private
folder of the report's work folder; the kernel learns the file from the environment variable ``ENV``,
set for the kernel that `execute` starts and for no other (`kernel_manager`). On a miss of its cache,
`entry` asks `take`: the hand-off is used only when it was made by the same junheng code (`identity`)
for exactly the same key (data path, county, rules, overlays and the data files' names, sizes and
modification times), waiting a bounded time for a file still being written. Anything else — no
variable, another key, a data file changed since, the writer's error (its ``.failed`` marker), a file
that does not unpickle — and the kernel loads and evaluates as it always did, so the user's errors
(an unknown county, bad data) come from the kernel as before. A batch worker's kernel (``km``),
JupyterLab and the papermill command line get no hand-off.

Then the thread makes the County that the notebook's `junheng.county(...)` will ask for, from the
notebook's arguments (`Handed.county_key`), and computes every frame of it (`County.prime`), into a
second file that refers to the first one's evaluation (`write`'s ``shared``). The kernel's first call
with exactly those arguments takes it (`take_county`) if it is written by then; otherwise, and for any
other call, the kernel makes its own County on the evaluation handed off, without waiting. Last, the
thread makes the County's charts and prints them as the kernel would (`junheng.report.premade`), each
into a file of its own that the kernel's chart function takes for exactly the same call, and its
printer serves while the figure is unchanged.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import pickle
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from time import monotonic, sleep

ENV = "JUNHENG_HANDOFF"  # the hand-off file of the kernel `execute` starts
WAIT_SECONDS = 30.0  # the longest a kernel waits for a hand-off still being written
FILE_NAME = "county.pickle"
COUNTY_FILE_NAME = "county.made.pickle"  # the County, written after the evaluation (`Handed`)
FAILED_SUFFIX = ".failed"  # written instead when the writer raised


@lru_cache(maxsize=1)
def identity() -> tuple:
    """What must be the same in the writer and the kernel: junheng's code, Python, pandas and numpy.

    junheng's version and folder, and the names, sizes and modification times of its source files
    (an edited file is another code), with the versions of what the pickle holds.
    """
    import numpy
    import pandas

    import junheng

    root = Path(junheng.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    versions = (sys.version, pandas.__version__, numpy.__version__)
    return (junheng.__version__, str(root), digest.hexdigest(), *versions)


def failed_marker(path: Path) -> Path:
    """The file the writer leaves instead of ``path`` when it raised."""
    return Path(f"{path}{FAILED_SUFFIX}")


def write(path: Path, key: tuple, value, shared: list = ()) -> Path:
    """Pickle ``value`` for ``key`` into ``path`` atomically: a header (identity, key), then the value.

    ``shared``: objects the reader already has (`Evaluated.parts` of `take`'s evaluation), written as
    references (their place in the list) only.
    """
    ids = {id(obj): i for i, obj in enumerate(shared)}
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump({"identity": identity(), "key": key}, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.persistent_id = lambda obj: ids.get(id(obj))
            pickler.dump(value)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def expected() -> bool:
    """Whether this process is a kernel that `junheng report` hands a county to (``ENV`` is set)."""
    return bool(os.environ.get(ENV))


@dataclass
class Handed:
    """What the kernel is handed first: the evaluated county, and the County that follows it.

    ``county_key`` (`junheng.report.county.county_key`) says which County the writer is making next, every
    frame computed, into a file of its own (`take_county`); None when it makes none (it did not know the
    notebook's arguments).
    """

    entry: object
    county_key: tuple | None = None


_TAKEN: dict = {}  # (file, key) → what `take` found there: a kernel reads or waits for it once


def take(key: tuple, wait: float | None = None):
    """The `Handed` of this kernel for ``key``, or None (then compute as without a hand-off).

    None without the variable ``ENV``; when the writer failed; when nothing came within ``wait`` seconds
    (default `WAIT_SECONDS`); when the file was made by other code or for another key; when it does not
    read. Read (or waited for) once per process and key: later calls get the same answer. Never raises.
    """
    source = os.environ.get(ENV)
    if not source:
        return None
    if (source, key) not in _TAKEN:
        _TAKEN[source, key] = _read(Path(source), key, WAIT_SECONDS if wait is None else wait)
    return _TAKEN[source, key]


def take_county(key: tuple, county_key: tuple):
    """(County, signature of its files) the writer made for ``county_key``, if it is written; else None.

    Never waited for: a County not written yet when the kernel asks is made by the kernel, as without a
    hand-off (the two then compute the same, on two cores: never later than without one; a fresh
    `junheng report` process imports pandas in its writer's thread while the kernel starts, and a
    county's optimal plan may take the solver's time limit). None too when the hand-off of ``key`` is
    not for exactly ``county_key``, when the writer failed, when the file does not read, and for a
    second call (a later `junheng.county` makes its own). Never raises.
    """
    handed = take(key)
    if handed is None or handed.county_key is None or handed.county_key != county_key:
        return None
    made = Path(os.environ[ENV]).with_name(COUNTY_FILE_NAME)
    if (made, county_key) in _TAKEN:
        return None  # taken: a later call makes a County of its own, as without a hand-off
    _TAKEN[made, county_key] = True
    if not made.exists():  # (written whole: `write` renames it into place)
        return None
    return _read(made, key, 0.0, shared=handed.entry.parts())


def _read(path: Path, key: tuple, wait: float, shared: list = ()):
    try:
        deadline = monotonic() + wait
        while not path.exists():
            if failed_marker(path).exists() or monotonic() > deadline:
                return None
            sleep(0.01)
        with open(path, "rb") as f:
            header = pickle.load(f)
            if header != {"identity": identity(), "key": key}:
                return None
            unpickler = pickle.Unpickler(f)
            unpickler.persistent_load = lambda pid: _shared(pid, shared)
            return unpickler.load()
    except Exception:  # noqa: BLE001 - a hand-off that does not read: computed here as without one
        return None


def _shared(pid, shared: list):
    """The object `write` wrote as a reference (a part of the evaluation the kernel already read)."""
    if not isinstance(pid, int) or not 0 <= pid < len(shared):
        raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
    return shared[pid]


def prime(value, county_code: str, lang: str) -> None:
    """Compute what a report reads of the evaluation besides its frames, kept with it (`Evaluation.memo`).

    The county's urban–rural gap and its plan targets in the report's language, which `County.gap`
    and `County.targets` read from the evaluation's memo; an error here is the kernel's to report.
    """
    from junheng.method.targets import evaluate_targets
    from junheng.planning.gap import urban_rural_gap

    for compute in (
        lambda: urban_rural_gap(value.evaluation, counties=[county_code]),
        lambda: evaluate_targets(value.evaluation, lang, counties=[county_code]),
    ):
        try:
            compute()
        except Exception:  # noqa: BLE001 - not kept: the kernel computes it and says what is wrong
            pass


class Handoff:
    """The parent's side: a thread evaluating one county into a private folder, and its kernel's variable."""

    def __init__(
        self,
        work: Path,
        data: str,
        county_code: str,
        rules: str,
        overlays,
        lang: str = "zh",
        then=None,
        county_args: dict | None = None,
    ):
        """The hand-off of one county-year, to be written into a private folder of ``work``.

        ``then``: what the thread does next, after the hand-off (`junheng.report.run` imports the code
        that publishes): one thread, so the two never import the same modules at once. ``county_args``:
        ``year``, ``report_date``, ``issuer`` and ``final`` as the notebook passes them to
        `junheng.county`: the County is then made here too, every frame computed (`Handed`).
        """
        self.lang, self._then, self._county_args = lang, then, county_args
        self.folder = Path(tempfile.mkdtemp(prefix=".handoff-", dir=work))  # 0700: only this user
        self.path = self.folder / FILE_NAME
        self.county_path = self.folder / COUNTY_FILE_NAME
        self._done = threading.Event()  # the report is over: a late writer writes nothing
        self._thread = threading.Thread(
            target=self._run,
            args=(data, county_code, rules, overlays),
            name="junheng-handoff",
            daemon=True,
        )

    def start(self) -> Handoff:
        """Start the writer's thread (once)."""
        if self._thread.ident is None:
            self._thread.start()
        return self

    def join(self) -> None:
        """Wait for the thread (hand-off and ``then``) if it was started."""
        if self._thread.ident is not None:
            self._thread.join()

    def _run(self, data: str, county_code: str, rules: str, overlays) -> None:
        try:
            self._hand_off(data, county_code, rules, overlays)
        finally:
            if self._then is not None:
                self._then()

    def _hand_off(self, data: str, county_code: str, rules: str, overlays) -> None:
        try:
            key, handed = self.make(data, county_code, rules, overlays)
            if not self._done.is_set():
                write(self.path, key, handed)
        except BaseException:  # noqa: BLE001 - the kernel computes it and reports the user's error
            self._failed(self.path)
            return
        if handed.county_key is None:
            return
        try:
            from junheng.report.county import files_signature, primed_county

            made = primed_county(handed.entry, handed.county_key)
            if not self._done.is_set():
                made_files = (made, files_signature(made.files))
                write(self.county_path, key, made_files, handed.entry.parts())
        except BaseException:  # noqa: BLE001 - the kernel makes it, and says what is wrong
            self._failed(self.county_path)
            return
        try:
            from junheng.report import premade

            premade.make(made, self.folder / premade.FOLDER, self._done)
        except BaseException:  # noqa: BLE001 - the kernel prints every chart, as without them
            pass

    def _failed(self, path: Path) -> None:
        try:
            if not self._done.is_set():
                failed_marker(path).touch()
        except OSError:
            pass

    def make(self, data: str, county_code: str, rules: str, overlays) -> tuple[tuple, Handed]:
        """(key, hand-off): the county loaded and evaluated, and the key of the County made next.

        What the writer's thread writes first; raises what loading and evaluating raise. The County's
        key is None when ``county_args`` were not given or are not what `junheng.county` accepts.
        """
        from junheng.report.county import cache_key, county_key, evaluate_entry
        from junheng.report.params import overlays_param

        overlays = overlays_param(overlays)
        key = cache_key(Path(data), county_code, rules, overlays)
        value = evaluate_entry(Path(data), county_code, rules, overlays)
        value.basic  # noqa: B018 - the report's 2012 appendix: computed here too
        prime(value, county_code, self.lang)
        made_for = None
        if self._county_args is not None:
            args = self._county_args
            try:
                made_for = county_key(
                    county_code,
                    args["year"],
                    data,
                    rules,
                    overlays,
                    self.lang,
                    args.get("report_date"),
                    args.get("issuer"),
                    args.get("final", False),
                )
            except Exception:  # noqa: BLE001 - the kernel makes it, and says what is wrong
                made_for = None
        return key, Handed(value, made_for)

    def kernel_manager(self, base=None):
        """A kernel manager class (``base``, default AsyncKernelManager) giving its kernel ``ENV``.

        The writer's thread starts once the kernel's process is launched: started before, it took the
        interpreter lock from papermill's own start-up of the kernel and delayed the kernel by about
        as much as the hand-off saved it (measured on a quiet machine).
        """
        if base is None:
            from jupyter_client import AsyncKernelManager

            base = AsyncKernelManager
        path, launched = str(self.path), self.start

        class HandoffKernelManager(base):
            def start_kernel(self, **kw):  # a coroutine of an asynchronous manager, as its own
                env = dict(kw.pop("env", None) or os.environ)
                env[ENV] = path
                started = super().start_kernel(env=env, **kw)
                if not inspect.isawaitable(started):
                    launched()
                    return started

                async def then():
                    result = await started
                    launched()
                    return result

                return then()

        HandoffKernelManager.__name__ = HandoffKernelManager.__qualname__ = f"Handoff{base.__name__}"
        return HandoffKernelManager

    def close(self) -> None:
        """The report is over: remove the folder (a writer still running writes nothing)."""
        self._done.set()
        shutil.rmtree(self.folder, ignore_errors=True)
