"""The county-year evaluated by `junheng report` while the kernel starts, handed to the kernel (issue #21).

`junheng.report.handoff`: the kernel uses the hand-off only for exactly its key and code; a stale, corrupt,
missing or failed hand-off is computed again as without one; only the kernel `execute` starts gets one.
"""

import os
import shutil
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

import junheng
import junheng.report.county  # noqa: F401
from junheng.report import handoff
from junheng.report.handoff import ENV, Handed, Handoff, failed_marker, take, take_county, write

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
county_module = sys.modules["junheng.report.county"]
KEY_ARGS = ("990123", "youzhi-2017", ())


@pytest.fixture(autouse=True)
def nothing_taken_yet(monkeypatch):
    """Each test a kernel of its own: what `take` found in another test is not remembered."""
    monkeypatch.setattr(handoff, "_TAKEN", {})


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
    write(path, key or county_module.cache_key(data, *KEY_ARGS), Handed(value))
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
    # looked at 0 s (deadline 30 s), then at 5, 10, 15, 20, 25, 30 (still waiting), given up at 35: once,
    # though `junheng.county` asks for the County, then `entry` for the evaluation
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
    writer = threading.Timer(0.3, write, (path, key, Handed(evaluated_990123)))
    writer.start()
    try:
        found = take(key).entry
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
    found = take(county_module.cache_key(SAMPLE, *KEY_ARGS)).entry
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

    marker, made = tmp_path / "computed", tmp_path / "made"
    spy = (
        "import sys\n"
        "import junheng.report.county\n"
        "_county = sys.modules['junheng.report.county']\n"
        "_real = _county.evaluate_entry\n"
        "def _spy(*args):\n"
        f"    open({str(marker)!r}, 'a').write(args[1] + '\\n')\n"
        "    return _real(*args)\n"
        "_county.evaluate_entry = _spy\n"
        "_init = _county.County.__init__\n"
        "def _init_spy(self, *args, **kwargs):\n"
        f"    open({str(made)!r}, 'a').write('made\\n')\n"
        "    _init(self, *args, **kwargs)\n"
        "_county.County.__init__ = _init_spy\n"
        # the County is taken only if written when asked (never waited for): wait here until it is,
        # so that what is tested is its use, not how fast the writer was on this machine
        "import os, time\n"
        "from pathlib import Path\n"
        "from junheng.report import handoff\n"
        "_made = Path(os.environ[handoff.ENV]).with_name(handoff.COUNTY_FILE_NAME)\n"
        "_until = time.monotonic() + 120\n"
        "while not (_made.exists() or handoff.failed_marker(_made).exists()) and time.monotonic() < _until:\n"
        "    time.sleep(0.05)\n"
    )
    notebook = small_notebook(tmp_path, spy)
    _, json_path, _ = execute(
        "990123", 2024, SAMPLE, work_dir=tmp_path / "work", notebook=notebook, xlsx=False
    )
    assert json_path.exists()  # the kernel evaluated the county...
    assert not marker.exists()  # ...from the hand-off: it loaded and evaluated nothing itself
    assert not made.exists()  # and made no County: the one made for its arguments, frames computed


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


# -- the County made for the report's arguments, every frame computed --------------------------------
REPORT_ARGS = {"year": 2024, "report_date": "", "issuer": "", "final": False}


def primed(tmp_path, monkeypatch, data=SAMPLE, code="990123", lang="zh", **args) -> Handoff:
    """The hand-off `execute` makes for the report notebook (its County too); this process its kernel."""
    monkeypatch.setattr(county_module, "_CACHE", {})
    h = Handoff(tmp_path, str(data), code, "youzhi-2017", [], lang, county_args={**REPORT_ARGS, **args})
    h.start()._thread.join()
    monkeypatch.setenv(ENV, str(h.path))
    return h


class Primed:
    """The hand-off `primed` makes for 990123 with the report's arguments, written once for the tests that
    only read it (each reads it afresh: `nothing_taken_yet`), and the counties its writer evaluated."""

    def __init__(self, work: Path):
        saved, real = county_module._CACHE, county_module.evaluate_entry
        self.computed = []

        def spy(data, county_code, rules, overlays):
            self.computed.append(county_code)
            return real(data, county_code, rules, overlays)

        county_module._CACHE, county_module.evaluate_entry = {}, spy
        try:
            self.handoff = Handoff(work, str(SAMPLE), "990123", "youzhi-2017", [], county_args=REPORT_ARGS)
            self.handoff.start()._thread.join()
        finally:
            county_module._CACHE, county_module.evaluate_entry = saved, real


@pytest.fixture(scope="module")
def primed_once(tmp_path_factory):
    p = Primed(tmp_path_factory.mktemp("primed"))
    yield p
    p.handoff.close()


@pytest.fixture
def primed_990123(primed_once, monkeypatch, computed) -> Handoff:
    """`primed(tmp_path, monkeypatch)`, from the hand-off written once: this process its kernel."""
    assert primed_once.computed == ["990123"]  # the writer's
    monkeypatch.setenv(ENV, str(primed_once.handoff.path))
    return primed_once.handoff


def test_the_county_of_the_reports_arguments_is_handed_with_its_frames(monkeypatch, computed, primed_990123):
    h = primed_990123
    assert computed == []  # the writer evaluated in `primed_once` (checked by `primed_990123`)
    made = []
    real_init = county_module.County.__init__
    monkeypatch.setattr(
        county_module.County, "__init__", lambda *a, **k: made.append(1) or real_init(*a, **k)
    )
    c = junheng.county("990123", 2024, str(SAMPLE), "youzhi-2017", [], "zh", report_date=None)
    assert made == [] and computed == []  # neither made nor evaluated here
    assert {"schools", "plan", "draft_reasons", "gap", "_equity", "_document"} <= set(vars(c))
    # the same County as one made here without a hand-off
    monkeypatch.delenv(ENV)
    monkeypatch.setattr(county_module, "_CACHE", {})
    fresh = junheng.county("990123", 2024, SAMPLE)
    assert made == [1] and "_equity" not in vars(fresh)
    assert c.to_dict() == fresh.to_dict()
    for name in ("schools", "coefficients", "items", "plan", "shortfalls", "history", "gap", "targets"):
        pd.testing.assert_frame_equal(getattr(c, name), getattr(fresh, name), obj=name)
    for handed_frame, fresh_frame in zip(c.equity(), fresh.equity(), strict=True):
        pd.testing.assert_frame_equal(handed_frame, fresh_frame)
    # its evaluation serves the county's other years, as the cache keeps a county evaluated here
    monkeypatch.setattr(county_module, "_CACHE", {})
    monkeypatch.setenv(ENV, str(h.path))
    again = junheng.county("990123", 2024, SAMPLE)
    assert again is not c and "_equity" not in vars(again)  # taken once: then made, on its evaluation
    monkeypatch.delenv(ENV)  # without the variable only the cache can serve the next year
    junheng.county("990123", 2022, SAMPLE)
    assert computed == ["990123"]  # ``fresh``'s only (and the writer's, `primed_990123`)


@pytest.mark.parametrize(
    "args",
    [
        {"report_date": "2025-03-31"},
        {"issuer": "某某县人民政府教育督导室"},
        {"lang": "en"},
        {"year": 2023},
    ],
    ids=["report_date", "issuer", "lang", "year"],
)
def test_a_county_for_other_arguments_is_made_in_the_kernel(computed, primed_990123, args):
    year = args.pop("year", 2024)
    c = junheng.county("990123", year, SAMPLE, **args)
    assert "_equity" not in vars(c)  # made here, its frames not computed yet...
    assert computed == []  # ...on the evaluation handed off
    assert c.year == year and c.lang == args.get("lang", "zh")
    if "report_date" in args:
        assert str(c.report_date) == args["report_date"]
    if "issuer" in args:
        assert c.issuer == args["issuer"]


def test_a_county_whose_narrative_changed_after_the_handoff_is_made_again(tmp_path, monkeypatch, computed):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    h = primed(tmp_path, monkeypatch, data, "990126")
    narrative = data / "narrative" / "990126_2024.md"
    narrative.write_text(narrative.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    c = junheng.county("990126", 2024, data)
    assert "_equity" not in vars(c)  # made again: it reads the county's text as it is now
    assert computed == ["990126"]  # on the evaluation handed off (the data are the same)
    assert "补充一句" in c.narrative_text.section("佐证材料清单").text  # the file's last section
    assert str(narrative) in c.files  # (a file the County reads, so one the hand-off checks)
    h.close()


def test_a_final_report_refused_is_refused_by_the_kernel(tmp_path, monkeypatch, computed):
    from junheng.report.issue import FinalRefused

    h = primed(tmp_path, monkeypatch, final=True)  # 990123's plan is costed at illustrative unit costs
    assert isinstance(take(county_module.cache_key(SAMPLE, *KEY_ARGS)).entry, county_module.Evaluated)
    assert failed_marker(h.county_path).exists() and not h.county_path.exists()  # the County: refused
    monkeypatch.setattr(handoff, "sleep", lambda s: pytest.fail("waited for a County that is not coming"))
    with pytest.raises(FinalRefused):
        junheng.county("990123", 2024, SAMPLE, final=True)
    assert computed == ["990123"]  # the writer's: the kernel raised on the evaluation handed off
    h.close()


def county_being_made(tmp_path, monkeypatch, evaluated_990123) -> Path:
    """A hand-off saying the County of the report's arguments follows, which never comes."""
    made_for = county_module.county_key("990123", 2024, SAMPLE, "youzhi-2017", [], "zh", "", "", False)
    path = tmp_path / "handoff" / handoff.FILE_NAME
    path.parent.mkdir()
    write(path, county_module.cache_key(SAMPLE, *KEY_ARGS), Handed(evaluated_990123, made_for))
    monkeypatch.setenv(ENV, str(path))
    return path


def test_a_county_not_written_yet_is_made_by_the_kernel_without_waiting(
    tmp_path, monkeypatch, computed, evaluated_990123
):
    path = county_being_made(tmp_path, monkeypatch, evaluated_990123)
    monkeypatch.setattr(handoff, "sleep", lambda s: pytest.fail("waited for the County being made"))
    c = junheng.county("990123", 2024, SAMPLE)
    assert computed == [] and "_equity" not in vars(c)  # made here, on the evaluation handed off
    assert c.status == evaluated_990123.evaluation.county("990123", 2024).status
    assert not path.with_name(handoff.COUNTY_FILE_NAME).exists()


def test_a_call_with_other_arguments_does_not_wait_for_the_county_being_made(
    tmp_path, monkeypatch, computed, evaluated_990123
):
    county_being_made(tmp_path, monkeypatch, evaluated_990123)
    monkeypatch.setattr(handoff, "sleep", lambda s: pytest.fail("waited for another call's County"))
    c = junheng.county("990123", 2024, SAMPLE, lang="en")
    assert c.lang == "en" and computed == []


def test_the_county_file_refers_to_the_evaluation_it_follows(computed, primed_990123):
    h = primed_990123
    key = county_module.cache_key(SAMPLE, *KEY_ARGS)
    made_for = take(key).county_key
    # the evaluation not written twice: alone, it is larger than the County's own frames
    assert h.county_path.stat().st_size < h.path.stat().st_size
    c, files = take_county(key, made_for)
    assert c._entry is take(key).entry  # one evaluation in the kernel, shared
    assert files == county_module.files_signature(c.files)
    assert take_county(key, made_for) is None  # taken once


def test_the_equity_measures_and_the_document_are_copies(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    c = junheng.county("990123", 2024, SAMPLE)
    measures, decomposition = c.equity()
    measures.iloc[0, measures.columns.get_loc("gini")] = 99.0
    decomposition["section"] = "changed"
    again, decomposition_again = c.equity()
    assert again["gini"].iloc[0] != 99.0 and "changed" not in set(decomposition_again["section"])
    document = c.to_dict()
    document["title"] = "changed"
    document["status"] = "changed"
    assert c.to_dict()["title"] == c.title() and c.to_dict()["status"] == c.status
