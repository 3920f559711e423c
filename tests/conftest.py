import signal
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import junheng  # noqa: E402, F401 - sets OPENPYXL_LXML before any test module imports openpyxl


@pytest.fixture(autouse=True)
def _ctrl_c_reaches_the_tests_children():
    """A test's child process gets Ctrl-C as a user's terminal sends it.

    A process started with SIGINT ignored passes that on to its children, and Python then installs no
    KeyboardInterrupt handler: a `junheng run` started by such a test ignores the test's Ctrl-C and
    never stops (as `nohup` or a script's `cmd &` intend). The suite is often started that way (in
    the background, in CI), and a test that runs `junheng run` in-process and interrupts it leaves
    SIGINT ignored behind it (the command ignores a second Ctrl-C while the interpreter winds down).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before if before is not None else signal.SIG_DFL)


# How the suite is shared between the two worker processes (issue #21). pyproject runs pytest-xdist
# with `--dist loadgroup --no-loadscope-reorder`: every test file is one group, run on one worker (so
# its module-scoped fixtures, an executed report or a rendered batch, are built once), and the groups
# are handed out in the order below, the slowest first, each to whichever worker is free (longest
# processing time first: the two workers finish together instead of one waiting for the last slow
# file). The order is the per-file totals of a `--durations=0` run of the whole suite on a quiet machine
# (2026-12-07, 10:11 UTC, main a2115b0), the ten files made cheaper after it scaled by their measured
# speed-up and the new files taken from a loaded run of the integrated branch scaled to the quiet one
# (files under 4 s left out); a file not listed runs after them in collection order.
# A test in ALONE is a group of its own: a slow
# test that shares no fixture with its file, so that file's other tests can run on the other worker
# meanwhile. Checked with pytest 9.0 and pytest-xdist 3.8: a later pytest whose node ids xdist can no
# longer suffix (pytest-xdist issue #1386) hands tests out one by one: still correct, but a file's
# module-scoped report is then built on both workers.
SLOWEST_FIRST = [
    "test_attack_batch.py",
    "test_workbook.py",
    "test_import_roundtrip.py",
    "test_batch.py",
    "test_notebook.py",
    "test_distributed.py",
    "test_plan.py",
    "test_dask_interrupt.py",
    "test_sample.py",
    "test_batch_sharing.py",
    "test_import_cases.py",
    "test_report.py",
    "test_handoff.py",
    "test_county_text.py",
    "test_pool_start.py",
    "test_researcher_theme_report.py",
    "test_researcher_fonts.py",
    "test_export.py",
    "test_report_content.py",
    "test_county_report_word.py",
    "test_attack_json.py",
    "test_noop_run.py",
    "test_optimal.py",
    "test_premade.py",
    "test_equity.py",
    "test_jiben_report.py",
    "test_attack_inputs.py",
    "test_province.py",
    "test_method_review.py",
    "test_parts.py",
    "test_entry_points.py",
    "test_import_set_aside.py",
    "test_shared_folder.py",
    "test_report_work.py",
    "test_separate_appendix.py",
    "test_targets.py",
    "test_import_cost.py",
    "test_changes.py",
    "test_startup.py",
    "test_publish.py",
    "test_inputs_hardening.py",
]
ALONE = {
    "test_batch_sharing.py::test_a_killed_run_is_cleaned_up_and_completed_by_the_next",
    "test_batch_sharing.py::test_two_runs_at_once_on_one_reports_folder",
    "test_notebook.py::test_stock_nbconvert_command_with_the_junheng_exporter",
    "test_report.py::test_report_date_and_issuer_reach_the_cover_and_the_plan",
    "test_batch.py::test_dask_local_cluster",
}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: a file keeps its order
    for item in items:
        alone = f"{item.path.name}::{item.name}" in ALONE
        item.add_marker(pytest.mark.xdist_group(item.nodeid if alone else item.path.name))
