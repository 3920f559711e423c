"""The county-year evaluated by `junheng report` while the kernel starts, handed to the kernel (issue #21).

`junheng.report.handoff`: the kernel uses the hand-off only for exactly its key and code; a stale, corrupt,
missing or failed hand-off is computed again as without one; only the kernel `execute` starts gets one.
"""

import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

import junheng
import junheng.report.county  # noqa: F401
from junheng.report import handoff
from junheng.report.handoff import ENV, Handoff, failed_marker, take, write

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
county_module = sys.modules["junheng.report.county"]
KEY_ARGS = ("990123", "youzhi-2017", ())


@pytest.fixture
def computed(monkeypatch):
    """The county codes `evaluate_entry` is called with (the load and evaluation), from an empty cache."""
    monkeypatch.setattr(county_module, "_CACHE", {})
    calls = []
    real = county_module.evaluate_entry

    def spy(data, county_code, rules, overlays):
        calls.append(county_code)
        return real(data, county_code, rules, overlays)

    monkeypatch.setattr(county_module, "evaluate_entry", spy)
    return calls


@pytest.fixture(scope="module")
def evaluated_990123():
    """990123 of the sample, loaded and evaluated with its 2012 evaluation (what a hand-off holds)."""
    value = county_module.evaluate_entry(SAMPLE, *KEY_ARGS)
    value.basic  # noqa: B018
    return value


def handed(tmp_path, monkeypatch, data, value, key=None) -> Path:
    """Write ``value`` as the hand-off of ``data``'s 990123 and point this process (as a kernel) to it."""
    path = tmp_path / "handoff" / handoff.FILE_NAME
    path.parent.mkdir()
    write(path, key or county_module.cache_key(data, *KEY_ARGS), value)
    monkeypatch.setenv(ENV, str(path))
    return path


def test_a_county_handed_off_is_neither_loaded_nor_evaluated_again(
    tmp_path, monkeypatch, computed, evaluated_990123
):
    handed(tmp_path, monkeypatch, SAMPLE, evaluated_990123)
    c = junheng.county("990123", 2024, SAMPLE)
    assert computed == []  # no load, no evaluation: the hand-off's
    assert c._entry is not evaluated_990123  # unpickled: the same content, another object
    assert c.name == evaluated_990123.evaluation.county("990123", 2024).county_name
    assert "basic" in vars(c._entry)  # its 2012 evaluation came with it
    # the county's other year shares it (the cache); another county is computed
    junheng.county("990123", 2022, SAMPLE)
    junheng.county("990126", 2024, SAMPLE)
    assert computed == ["990126"]


def test_without_the_variable_the_county_is_computed(computed, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    junheng.county("990123", 2024, SAMPLE)
    assert computed == ["990123"]


def test_a_data_file_touched_after_the_handoff_is_not_used(tmp_path, monkeypatch, computed, evaluated_990123):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    handed(tmp_path, monkeypatch, data, evaluated_990123)
    book = data / "990123_2024.xlsx"
    stat = book.stat()
    os.utime(book, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a second later
    junheng.county("990123", 2024, data)
    assert computed == ["990123"]


def test_a_handoff_for_other_rules_or_overlays_is_not_used(tmp_path, monkeypatch, computed, evaluated_990123):
    key = county_module.cache_key(SAMPLE, "990123", "youzhi-2017", ("exclude-private",))
    handed(tmp_path, monkeypatch, SAMPLE, evaluated_990123, key)
    junheng.county("990123", 2024, SAMPLE)
    assert computed == ["990123"]


def test_a_handoff_of_other_code_is_not_used(tmp_path, monkeypatch, computed, evaluated_990123):
    real = handoff.identity()
    monkeypatch.setattr(handoff, "identity", lambda: (*real[:2], "another source", *real[3:]))
    handed(tmp_path, monkeypatch, SAMPLE, evaluated_990123)
    monkeypatch.setattr(handoff, "identity", lambda: real)
    junheng.county("990123", 2024, SAMPLE)
    assert computed == ["990123"]


def test_a_corrupt_handoff_is_computed_again(tmp_path, monkeypatch, computed, evaluated_990123):
    path = handed(tmp_path, monkeypatch, SAMPLE, evaluated_990123)
    path.write_bytes(path.read_bytes()[:1000])  # cut short
    junheng.county("990123", 2024, SAMPLE)
    assert computed == ["990123"]
    monkeypatch.setattr(county_module, "_CACHE", {})
    path.write_bytes(b"not a pickle")
    junheng.county("990123", 2024, SAMPLE)
    assert computed == ["990123", "990123"]


def test_a_handoff_that_never_comes_is_waited_for_a_bounded_time(tmp_path, monkeypatch, computed):
    monkeypatch.setenv(ENV, str(tmp_path / "never.pickle"))
    waits = []
    monkeypatch.setattr(handoff, "sleep", waits.append)
    clock = iter(range(0, 1000, 5))  # each look at the clock: 5 s later
    monkeypatch.setattr(handoff, "monotonic", lambda: next(clock))
    junheng.county("990123", 2024, SAMPLE)
    assert computed == ["990123"]
    # looked at 0 s (deadline 30 s), then at 5, 10, 15, 20, 25, 30 (still waiting), given up at 35
    assert len(waits) == 6


def test_a_failed_handoff_is_not_waited_for(tmp_path, monkeypatch, computed):
    path = tmp_path / "h.pickle"
    failed_marker(path).touch()
    monkeypatch.setenv(ENV, str(path))
    monkeypatch.setattr(handoff, "sleep", lambda s: pytest.fail("waited for a failed hand-off"))
    junheng.county("990123", 2024, SAMPLE)
    assert computed == ["990123"]


def test_a_handoff_still_being_written_is_waited_for(tmp_path, monkeypatch, evaluated_990123):
    path = tmp_path / "h.pickle"
    key = county_module.cache_key(SAMPLE, *KEY_ARGS)
    monkeypatch.setenv(ENV, str(path))
    writer = threading.Timer(0.3, write, (path, key, evaluated_990123))
    writer.start()
    try:
        found = take(key)
    finally:
        writer.join()
    assert isinstance(found, county_module.Evaluated)
    assert (
        found.evaluation.county("990123", 2024).status
        == evaluated_990123.evaluation.county("990123", 2024).status
    )


def test_the_writer_hands_off_the_county_with_its_2012_evaluation(tmp_path, monkeypatch):
    monkeypatch.setattr(county_module, "_CACHE", {})
    h = Handoff(tmp_path, str(SAMPLE), "990123", "youzhi-2017", []).start()
    assert oct(h.folder.stat().st_mode & 0o777) == "0o700"  # private to the user
    monkeypatch.setenv(ENV, str(h.path))
    found = take(county_module.cache_key(SAMPLE, *KEY_ARGS))
    assert isinstance(found, county_module.Evaluated) and "basic" in vars(found)
    assert found.basic.rules.id == "jiben-2012"
    assert county_module._CACHE == {}  # the writer leaves the writing process's cache alone
    h.close()
    assert not h.folder.exists()


def test_a_writer_that_fails_leaves_its_marker(tmp_path, monkeypatch):
    h = Handoff(tmp_path, str(SAMPLE), "990123", "no-such-rules", []).start()
    h._thread.join()
    assert failed_marker(h.path).exists() and not h.path.exists()
    monkeypatch.setenv(ENV, str(h.path))
    assert take(county_module.cache_key(SAMPLE, "990123", "no-such-rules", ())) is None


def test_an_unknown_county_fails_in_the_kernel_with_the_same_message(tmp_path, monkeypatch, computed):
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(LookupError) as without:
        junheng.county("990199", 2024, SAMPLE)
    monkeypatch.setattr(county_module, "_CACHE", {})
    h = Handoff(tmp_path, str(SAMPLE), "990199", "youzhi-2017", []).start()
    h._thread.join()
    assert computed == ["990199", "990199"]  # without the hand-off, then the writer
    monkeypatch.setenv(ENV, str(h.path))
    with pytest.raises(LookupError) as handed_off:
        junheng.county("990199", 2024, SAMPLE)
    assert computed == ["990199", "990199"]  # the kernel used the hand-off (the county has no rows)
    assert str(handed_off.value) == str(without.value)
    assert str(without.value).startswith("数据中没有")


class RecordingManager:
    """A kernel manager that records what it would start a kernel with."""

    started: list = []

    def start_kernel(self, **kw):
        RecordingManager.started.append(kw)


def test_only_the_kernel_started_gets_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    h = Handoff(tmp_path, str(SAMPLE), "990123", "youzhi-2017", [])
    writers = []
    monkeypatch.setattr(Handoff, "start", lambda self: writers.append(self))
    manager = h.kernel_manager(RecordingManager)()
    RecordingManager.started.clear()
    assert writers == []  # the writer starts with the kernel, not before
    manager.start_kernel(extra_arguments=[])
    assert writers == [h]
    manager.start_kernel(env={"PATH": "/bin"})
    first, second = RecordingManager.started
    assert first["env"][ENV] == str(h.path) and first["extra_arguments"] == []
    assert first["env"]["PATH"] == os.environ["PATH"]  # the rest of this process's environment
    assert second["env"] == {"PATH": "/bin", ENV: str(h.path)}
    assert ENV not in os.environ  # this process and its other threads and kernels: none
    h.close()


def test_execute_gives_a_handoff_to_its_own_kernel_only(tmp_path, monkeypatch):
    import papermill

    from junheng.report.run import execute

    seen = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *args, **kwargs: seen.append(kwargs))
    monkeypatch.setattr(Handoff, "start", lambda self: self)  # no thread: what execute hands over (none runs)
    execute("990123", 2024, SAMPLE, work_dir=tmp_path / "work")
    execute("990123", 2024, SAMPLE, work_dir=tmp_path / "batch", km=object())
    own, batch = seen
    assert own["kernel_manager_class"].__name__ == "HandoffAsyncKernelManager"
    assert "km" not in own
    assert batch["km"] is not None and "kernel_manager_class" not in batch  # a batch worker's kernel: none
    assert list((tmp_path / "work").glob(".handoff-*")) == []  # removed after the run
    assert ENV not in os.environ


def test_execute_keeps_the_kernel_manager_class_of_its_configuration(tmp_path, monkeypatch):
    import papermill
    from jupyter_client import AsyncKernelManager

    from junheng.report.run import execute

    class Configured(AsyncKernelManager):
        pass

    seen = []
    monkeypatch.setattr(papermill, "execute_notebook", lambda *args, **kwargs: seen.append(kwargs))
    monkeypatch.setattr(Handoff, "start", lambda self: self)
    execute(
        "990123",
        2024,
        SAMPLE,
        work_dir=tmp_path,
        kernel_config={"NotebookClient": {"kernel_manager_class": Configured}},
    )
    assert issubclass(seen[0]["kernel_manager_class"], Configured)


def test_the_report_kernel_uses_the_handoff(tmp_path):
    from small_notebook import small_notebook

    from junheng.report.run import execute

    marker = tmp_path / "computed"
    spy = (
        "import sys\n"
        "import junheng.report.county\n"
        "_county = sys.modules['junheng.report.county']\n"
        "_real = _county.evaluate_entry\n"
        "def _spy(*args):\n"
        f"    open({str(marker)!r}, 'a').write(args[1] + '\\n')\n"
        "    return _real(*args)\n"
        "_county.evaluate_entry = _spy\n"
    )
    notebook = small_notebook(tmp_path, spy)
    _, json_path, _ = execute(
        "990123", 2024, SAMPLE, work_dir=tmp_path / "work", notebook=notebook, xlsx=False
    )
    assert json_path.exists()  # the kernel evaluated the county...
    assert not marker.exists()  # ...from the hand-off: it loaded and evaluated nothing itself


def test_the_handoff_carries_the_gap_and_the_plan_targets_of_the_reports_language(tmp_path, monkeypatch):
    from junheng.method import targets
    from junheng.planning import gap

    monkeypatch.setattr(county_module, "_CACHE", {})
    h = Handoff(tmp_path, str(SAMPLE), "990126", "youzhi-2017", [], "en").start()
    h._thread.join()
    monkeypatch.setenv(ENV, str(h.path))
    gaps, goals = [], []
    real_gap, real_targets = gap._gap, targets._evaluate_targets
    monkeypatch.setattr(gap, "_gap", lambda *args: gaps.append(1) or real_gap(*args))
    monkeypatch.setattr(
        targets, "_evaluate_targets", lambda *args: goals.append(args[1]) or real_targets(*args)
    )
    c = junheng.county("990126", 2024, SAMPLE, lang="en")
    assert len(c.gap) and len(c.targets)
    assert gaps == [] and goals == []  # both from the hand-off
    zh = junheng.county("990126", 2024, SAMPLE, lang="zh")
    assert len(zh.gap) and len(zh.targets)
    assert gaps == [] and goals == ["zh"]  # the gap is the same in every language; the targets' text is not
    h.close()


def test_an_asynchronous_kernel_manager_starts_the_writer_once_its_kernel_is_launched(tmp_path, monkeypatch):
    import asyncio

    events = []

    class AsyncRecording:
        async def start_kernel(self, **kw):
            events.append(("launched", kw["env"][ENV]))

    h = Handoff(tmp_path, str(SAMPLE), "990123", "youzhi-2017", [])
    monkeypatch.setattr(Handoff, "start", lambda self: events.append(("writer", str(self.path))))
    started = h.kernel_manager(AsyncRecording)().start_kernel()
    assert events == []  # nothing before the coroutine runs
    asyncio.run(started)
    assert events == [("launched", str(h.path)), ("writer", str(h.path))]
