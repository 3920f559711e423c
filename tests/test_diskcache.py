"""The per-user cache a new process reads instead of parsing and compiling again (issue #21: each
report runs in a new kernel). What is read, refused and written, never how long it takes."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml

from junheng import diskcache, yamlio
from junheng.report import templating


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test's own; the package's in-process caches emptied around it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(diskcache.ENV, str(folder))
    yamlio.packaged.cache_clear()
    templating.environment.cache_clear()
    yield folder
    yamlio.packaged.cache_clear()
    templating.environment.cache_clear()


def _parses(monkeypatch) -> list:
    calls = []
    real = yaml.load
    monkeypatch.setattr(yaml, "load", lambda text, Loader: calls.append(Loader) or real(text, Loader=Loader))
    return calls


def test_a_shipped_yaml_file_parsed_once_is_read_back_by_the_next_process(cache, monkeypatch):
    calls = _parses(monkeypatch)
    first = yamlio.packaged("junheng.method", "rules/youzhi-2017.yaml")
    assert len(calls) == 1 and first["id"] == "youzhi-2017"
    (stored,) = (cache / "yaml").iterdir()
    assert stored.name.startswith("junheng.method.rules.youzhi-2017.yaml-")
    assert stored.stat().st_mode & 0o077 == 0  # the folder and its files are this user's alone
    yamlio.packaged.cache_clear()  # a new process: nothing parsed in it yet
    again = yamlio.packaged("junheng.method", "rules/youzhi-2017.yaml")
    assert len(calls) == 1  # not parsed again
    assert again == first and again is not first
    assert list(again) == list(first)  # the keys in the file's order, as parsed


def test_a_changed_file_is_parsed_again_and_replaces_its_old_entry(cache):
    diskcache.store_data("yaml", "pkg.f.yaml", diskcache.digest("a: 1\n"), {"a": 1})
    assert diskcache.load_data("yaml", "pkg.f.yaml", diskcache.digest("a: 1\n")) == {"a": 1}
    assert diskcache.load_data("yaml", "pkg.f.yaml", diskcache.digest("a: 2\n")) is None  # another text
    diskcache.store_data("yaml", "pkg.f.yaml", diskcache.digest("a: 2\n"), {"a": 2})
    key = diskcache.digest("a: 2\n")
    assert [p.name for p in (cache / "yaml").iterdir()] == [f"pkg.f.yaml-{key}.pickle"]


def test_dates_come_back_as_dates(cache):
    data = yamlio.load_yaml("day: 2024-08-31\nat: 2024-08-31 08:00:00+08:00\nn: [1, 2.5, null, true]")
    diskcache.store_data("yaml", "dates.yaml", "k", data)
    assert diskcache.load_data("yaml", "dates.yaml", "k") == data


class _Planted:
    def __reduce__(self):
        return (os.mkdir, (self.target,))


def test_a_planted_pickle_runs_no_code(cache, tmp_path):
    planted = _Planted()
    planted.target = str(tmp_path / "made-by-the-pickle")
    diskcache.folder("yaml")
    (cache / "yaml" / "x.yaml-k.pickle").write_bytes(pickle.dumps({"a": planted}))
    assert diskcache.load_data("yaml", "x.yaml", "k") is None  # refused: parsed again instead
    assert not (tmp_path / "made-by-the-pickle").exists()


def test_a_folder_others_may_write_to_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    (shared / "yaml").mkdir(parents=True)
    shared.chmod(0o777)
    monkeypatch.setenv(diskcache.ENV, str(shared))
    assert diskcache.folder("yaml") is None
    diskcache.store_data("yaml", "f.yaml", "k", {"a": 1})
    assert list((shared / "yaml").iterdir()) == []
    shared.chmod(0o700)
    assert diskcache.folder("yaml") == shared / "yaml"


def test_an_empty_setting_turns_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv(diskcache.ENV, "")
    assert diskcache.folder("yaml") is None and diskcache.jinja_bytecode_cache() is None
    monkeypatch.delenv(diskcache.ENV)
    monkeypatch.setattr(diskcache.tempfile, "gettempdir", lambda: str(tmp_path))
    assert diskcache.folder("yaml") == tmp_path / f"junheng-cache-{os.getuid()}" / "yaml"


def test_the_report_templates_compiled_once_are_read_back_by_the_next_process(cache, monkeypatch):
    context = {"issuer": "某县<人民政府>", "seal": "（盖章）", "date": "2025年3月31日", "contact": "联系人"}
    first = templating.environment().get_template("html/signature.html.j2").render(**context)
    assert any((cache / "jinja").iterdir())
    templating.environment.cache_clear()  # a new process: a new environment, nothing compiled

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    assert templating.environment().get_template("html/signature.html.j2").render(**context) == first
    assert "某县&lt;人民政府&gt;" in first  # escaped as before


def test_the_styler_templates_pandas_compiles_at_import_are_read_back_by_the_next_process(tmp_path):
    # pandas compiles html.tpl and five more as `pandas.io.formats.style` is imported, in every kernel
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = dict(os.environ, PYTHONPATH=src, **{diskcache.ENV: str(tmp_path)})
    first = (
        "import junheng.report.tables, jinja2\n"
        "assert not hasattr(jinja2.Environment.__init__, '__wrapped__')"  # Jinja as it was
    )
    subprocess.run([sys.executable, "-c", first], env=env, check=True)
    assert len(list((tmp_path / "jinja").iterdir())) >= 6
    again = (
        "import jinja2\n"
        "def no_compiling(*args, **kwargs):\n    raise AssertionError('compiled again')\n"
        "jinja2.Environment.compile = no_compiling\n"
        "import pandas as pd, junheng.report.tables\n"
        "print(pd.DataFrame({'a': ['<1>']}).style.to_html())"
    )
    done = subprocess.run([sys.executable, "-c", again], env=env, check=True, capture_output=True, text=True)
    assert "&lt;1&gt;" not in done.stdout and "<1>" in done.stdout  # rendered by the cached template


def test_a_rule_set_read_from_the_cache_imports_no_yaml(tmp_path):
    # PyYAML is imported where a file is parsed (a user's own overlay, a data folder's YAML), not by
    # every module that reads a shipped rule file
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = dict(os.environ, PYTHONPATH=src, **{diskcache.ENV: str(tmp_path)})
    code = (
        "import sys\nfrom junheng.method.rules import RuleSet\n"
        "rules = RuleSet('youzhi-2017', ['liaoning'])\nassert rules.data['id'] == 'youzhi-2017'\n"
        "print('yaml' in sys.modules)"
    )
    runs = [subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)]
    runs.append(
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    )
    assert [run.stdout.split() for run in runs] == [["True"], ["False"]]  # parsed once, then read back
