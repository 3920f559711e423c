"""Reading YAML with the C parser of libyaml when PyYAML has it.

Reading YAML: the C parser of libyaml when PyYAML has it (about ten times faster than the pure-Python one; the
locale files alone cost ~1 s per report otherwise), the same safe subset. A file that does not parse is parsed
again by the pure-Python parser, whose messages (line, column, what was expected) are the ones users are
shown. The files shipped with the package are parsed once per process (`packaged`). PyYAML itself is imported
on first use: the command line's ``--help`` never needs it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def _loaders() -> tuple:
    """(fast loader, pure-Python loader): ``yaml.CSafeLoader`` when PyYAML was built with libyaml."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader), yaml.SafeLoader


def __getattr__(name):
    if name == "SafeLoader":  # the fast safe loader, as before
        return _loaders()[0]
    raise AttributeError(f"module 'junheng.yamlio' has no attribute {name!r}")


def load_yaml(text: str):
    """Parse ``text`` (YAML's safe subset: mappings, lists, strings, numbers, booleans, null)."""
    import yaml

    fast, readable = _loaders()
    try:
        return yaml.load(text, Loader=fast)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return yaml.load(text, Loader=readable)  # noqa: S506 - raises the readable error


@cache
def packaged(package: str, name: str):
    """A YAML file shipped in ``package`` (``name`` relative to it), parsed once per process.

    Every caller gets the same object: read it, never change it (copy it first to merge into it).
    A new process reads it back from the per-user cache (`junheng.diskcache`, keyed by the file's text),
    parsed by an earlier one: each report's kernel would otherwise parse the rules, schema and locale.
    """
    from junheng import diskcache

    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    entry, key = f"{package}.{name}".replace("/", "."), diskcache.digest(text, _yaml_version())
    data = diskcache.load_data("yaml", entry, key)
    if data is None:
        data = load_yaml(text)
        diskcache.store_data("yaml", entry, key, data)
    return data


@cache
def _yaml_version() -> str:
    """PyYAML's installation (its module file's path, size and time), read without importing it."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("yaml")
    origin = spec.origin if spec and spec.origin else ""
    info = os.stat(origin) if origin else None
    return f"{origin}:{info.st_size}:{info.st_mtime_ns}" if info else origin


def compose_yaml(text: str):
    """The node tree of ``text`` (with line numbers), for located messages."""
    import yaml

    fast, readable = _loaders()
    try:
        return yaml.compose(text, Loader=fast)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=readable)


def node_loader(text: str):
    """A loader positioned on ``text`` whose ``get_single_node()`` gives the node tree.

    A loader positioned on ``text`` whose ``get_single_node()`` gives the node tree (fast), or raises the
    pure-Python parser's readable error.
    """
    import yaml

    fast, readable = _loaders()
    loader = fast(text)
    try:
        loader.get_single_node()
    except yaml.YAMLError:
        loader = readable(text)
        loader.get_single_node()  # raises
        raise
    return fast(text)
