"""Every user-visible string comes from locale/messages.yaml (Chinese default, English optional)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from junheng.yamlio import packaged

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def _messages() -> dict:
    """Every locale file merged into one dictionary of messages.

    Every locale file merged (messages.yaml: engine and CLI; report.yaml: the reports; one file per further
    stage). Top-level keys must not repeat across files.
    """
    merged: dict = {}
    folder = resources.files("junheng").joinpath("locale")
    for res in sorted(folder.iterdir(), key=lambda r: r.name):
        if not res.name.endswith(".yaml"):
            continue
        data = packaged("junheng", f"locale/{res.name}") or {}
        clash = set(merged) & set(data)
        if clash:
            raise ValueError(f"locale/{res.name} repeats top-level keys {sorted(clash)}")
        merged.update(data)
    return merged


@lru_cache(maxsize=1)
def _files_by_key() -> dict:
    """Which locale file holds each top-level key (its lines ``key:`` at the margin), unparsed."""
    import re

    found: dict = {}
    folder = resources.files("junheng").joinpath("locale")
    for res in sorted(folder.iterdir(), key=lambda r: r.name):
        if res.name.endswith(".yaml"):
            for key in re.findall(r"^([A-Za-z_][\w-]*):", res.read_text(encoding="utf-8"), re.MULTILINE):
                found.setdefault(key, res.name)
    return found


def _section(top: str) -> dict:
    """The messages under one top-level key: only the file that holds it is parsed.

    The command line's start (issue #21): ``cli.*`` needs messages.yaml, not the 200 kB of every
    locale file. A key the margin scan misses is looked up in every file merged (``_messages``).
    """
    name = _files_by_key().get(top)
    if name is not None:
        data = packaged("junheng", f"locale/{name}") or {}
        if top in data:
            return data[top]
    return _messages()[top]


def t(key: str, lang: str = "zh", /, **params) -> str:
    """Translate a dotted key such as ``problem.not_a_number`` and fill its ``{params}``."""
    top, *rest = key.split(".")
    node = _section(top)
    for part in rest:
        node = node[part]
    text = node[lang if lang in LANGS else "zh"]
    return text.format(**params) if params else text


def pick(labels: dict | str | None, lang: str = "zh") -> str:
    """Choose the language from a ``{zh: ..., en: ...}`` mapping found in rule and schema files."""
    if labels is None:
        return ""
    if isinstance(labels, str):
        return labels
    return labels.get(lang) or labels.get("zh") or next(iter(labels.values()))
