"""The plan's configuration: offices, unit costs and deadlines, with a county's overrides.

The defaults are ``planning/plan.yaml``; a county's or province's own ``plan.yaml`` is
deep-merged over them.

    config = load_config(data="data/sample")            # defaults + data/sample/plan.yaml if any
    config = load_config("county/plan.yaml", lang="en")  # defaults + an explicit file

A bad file raises `PlanConfigError`, whose problems (`junheng.problems.Problem`, codes
``plan.<name>``) are located by file, line and YAML key path.
Every value remembers the file that set it (`PlanConfig.origin`), so each unit cost can be traced
to the defaults or to a county's file.
"""

from __future__ import annotations

import copy
import math
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from junheng.i18n import pick, t
from junheng.planning import deadlines
from junheng.problems import ERROR, Problem
from junheng.yamlio import compose_yaml, load_yaml, packaged

DEFAULT = "default"  # the origin of a value from the shipped plan.yaml
FILE_NAME = "plan.yaml"
SECTIONS = ("offices", "measures", "items", "optimal")
FIELDS = ("item", "unit", "lead", "support", "deadline", "unit_cost", "recurring", "source", "note")
FIXED = ("item", "unit")  # set by the method: an override may repeat them, never change them
COST_FIELDS = ("unit_cost", "recurring", "source", "note")


NAMESPACE = "plan"  # problem codes plan.<name>: messages in locale/plan.yaml plan.problem


def _problem(file: str, code: str, line: int | None = None, key: str = "", **params) -> Problem:
    """A problem in a plan.yaml, located by file, line and YAML key path (``measures.equipment``)."""
    return Problem(ERROR, f"{NAMESPACE}.{code}", file=file, row=line, column=key, params=params)


class PlanConfigError(ValueError):
    """A plan.yaml that cannot be used; ``problems`` lists every error found, located."""

    def __init__(self, problems: list[Problem], lang: str = "zh"):
        self.problems = problems
        self.lang = lang
        head = t("plan.problem.invalid", lang, count=len(problems))
        super().__init__("\n".join([head, *(p.message(lang) for p in problems)]))


def _shown(value) -> str:
    """A YAML value as the user wrote it, for a message."""
    if isinstance(value, str):
        return value
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _lines(text: str) -> dict:
    """YAML key path (a tuple) → 1-based line of the key, from the composed node tree."""
    out: dict = {}

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                out[sub] = key.start_mark.line + 1
                walk(value, sub)

    try:
        walk(compose_yaml(text), ())
    except yaml.YAMLError:
        pass
    return out


class _Layer:
    """One plan.yaml as read: its data, its file name and the line of every key."""

    def __init__(self, file: str, data, lines: dict):
        self.file, self.data, self.lines = file, data, lines
        self.problems: list[Problem] = []

    def error(self, path: tuple, code: str, **params):
        self.problems.append(_problem(self.file, code, self.lines.get(path), ".".join(path), **params))


def _read(path: Path) -> _Layer:
    file = str(path)
    if not path.is_file():
        layer = _Layer(file, {}, {})
        layer.problems.append(_problem(file, "missing_file"))
        return layer
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        layer = _Layer(file, {}, {})
        layer.problems.append(_problem(file, "unreadable", detail=str(exc)[:200]))
        return layer
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        layer = _Layer(file, {}, {})
        mark = getattr(exc, "problem_mark", None)
        detail = getattr(exc, "problem", None) or str(exc)
        layer.problems.append(_problem(file, "yaml_syntax", mark.line + 1 if mark else None, detail=detail))
        return layer
    return _Layer(file, {} if data is None else data, _lines(text))


@lru_cache(maxsize=1)
def _shipped() -> dict:
    return packaged("junheng.planning", FILE_NAME)


def _defaults() -> dict:
    """The shipped plan.yaml (a fresh copy: callers merge into it)."""
    return copy.deepcopy(_shipped())


# -- checking one file ----------------------------------------------------------------------------
def _is_text(value) -> bool:
    if isinstance(value, str):
        return True
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= {"zh", "en"}
        and all(isinstance(v, str) for v in value.values())
    )


def _check_entry(layer: _Layer, path: tuple, entry, default: dict):
    if not isinstance(entry, dict):
        layer.error(path, "not_mapping", value=_shown(entry))
        return
    for name, value in entry.items():
        where = (*path, str(name))
        if name not in FIELDS:
            layer.error(where, "unknown_key", name=name, choices=", ".join(FIELDS))
        elif name in FIXED:
            if value != default.get(name):
                layer.error(where, "fixed_field", name=name, expected=default.get(name), value=_shown(value))
        elif name == "lead":
            if not isinstance(value, str) or not value:
                layer.error(where, "bad_office", value=_shown(value))
        elif name == "support":
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
                layer.error(where, "bad_support", value=_shown(value))
        elif name == "deadline":
            if not deadlines.is_valid(value):
                layer.error(where, "bad_deadline", value=_shown(value))
        elif name == "unit_cost":
            if value is None:
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                layer.error(where, "not_a_number", value=_shown(value))
            elif value < 0:
                layer.error(where, "negative", value=_shown(value))
            elif "unit" not in default:
                layer.error(where, "not_costable")
        elif name == "recurring":
            if not isinstance(value, bool):
                layer.error(where, "bad_flag", value=_shown(value))
        elif name in ("source", "note"):
            if value is not None and not _is_text(value):
                layer.error(where, "bad_text", value=_shown(value))


def _check(layer: _Layer, defaults: dict):
    data = layer.data
    if not isinstance(data, dict):
        layer.error((), "not_mapping", value=_shown(data))
        layer.data = {}
        return
    for section, body in data.items():
        if section not in SECTIONS:
            layer.error((str(section),), "unknown_key", name=section, choices=", ".join(SECTIONS))
            continue
        if section == "optimal":  # the optimal plan's settings (planning/optimal_settings.py)
            from junheng.planning.optimal_settings import check

            def error(path, code, **params):
                layer.problems.append(
                    Problem(
                        ERROR,
                        f"optimal.{code}",
                        file=layer.file,
                        row=layer.lines.get(path),
                        column=".".join(path),
                        params=params,
                    )
                )

            check(body, error)
            continue
        if not isinstance(body, dict):
            layer.error((section,), "not_mapping", value=_shown(body))
            continue
        for key, value in body.items():
            path = (section, str(key))
            if section == "offices":
                if not _is_text(value):
                    layer.error(path, "bad_office_name", value=_shown(value))
            elif key not in defaults[section]:
                layer.error(path, "unknown_key", name=key, choices=", ".join(defaults[section]))
            else:
                _check_entry(layer, path, value, defaults[section][key])


# -- merging --------------------------------------------------------------------------------------
def _merge(data: dict, origin: dict, layer: _Layer):
    """Deep-merge a checked layer into ``data``, recording the file of every value it sets.

    A unit cost set without a ``source`` (or ``note``) drops the one it replaces: the old text
    described the old figure, and the new figure's source is the file that set it.
    """
    for section, body in layer.data.items():
        if section not in SECTIONS or not isinstance(body, dict):
            continue
        if section == "optimal":
            from junheng.planning.optimal_settings import merge

            merge(data, body)
            continue
        for key, value in body.items():
            if section == "offices":
                if not _is_text(value):
                    continue
                old = data["offices"].get(key)
                names = {"zh": value, "en": value} if isinstance(value, str) else value
                data["offices"][key] = {**(old or {}), **names} if isinstance(old, dict) else dict(names)
                origin[("offices", key)] = layer.file
                continue
            if not isinstance(value, dict) or key not in data[section]:
                continue
            entry = data[section][key]
            if "unit_cost" in value:
                for name in ("source", "note"):
                    if name not in value:
                        entry.pop(name, None)
                        origin.pop((section, key, name), None)
            for name, v in value.items():
                if name in FIELDS:
                    entry[name] = [v] if name == "support" and isinstance(v, str) else copy.deepcopy(v)
                    origin[(section, key, name)] = layer.file


def _check_offices(data: dict, origin: dict, lines: dict[str, dict]) -> list[Problem]:
    """Every lead and supporting office must be defined under ``offices`` (after merging)."""
    problems = []
    known = data["offices"]
    for section in ("measures", "items"):
        for key, entry in data[section].items():
            for name in ("lead", "support"):
                value = entry.get(name)
                if name == "lead":
                    refs = [value] if isinstance(value, str) else []  # a bad format is reported already
                else:
                    refs = [value] if isinstance(value, str) else value if isinstance(value, list) else []
                for ref in refs:
                    if isinstance(ref, str) and ref not in known:
                        path = (section, key, name)
                        file = origin.get(path, DEFAULT)
                        problems.append(
                            _problem(
                                file,
                                "unknown_office",
                                lines.get(file, {}).get(path),
                                ".".join(path),
                                value=ref,
                                choices=", ".join(known),
                            )
                        )
    return problems


# -- the configuration ----------------------------------------------------------------------------
class PlanConfig:
    """The merged configuration; `origin` tells which file set a value (`DEFAULT` or a path)."""

    def __init__(self, data: dict, origin: dict, files: list[str]):
        self.data = data
        self.origin_of = origin
        self.files = files

    @property
    def offices(self) -> dict:
        """Office key → {zh, en} names."""
        return self.data["offices"]

    def entry(self, section: str, key: str) -> dict:
        """The entry of a measure kind (``measures``) or an item (``items``)."""
        return self.data[section][key]

    def origin(self, *path: str) -> str:
        """The file that set the value at ``path`` (``"measures", "equipment", "unit_cost"``)."""
        return self.origin_of.get(tuple(path), DEFAULT)

    def office(self, key: str, lang: str = "zh") -> str:
        """An office's name in ``lang``."""
        return pick(self.offices.get(key), lang) or key

    def unit_costs(self, lang: str = "zh") -> pd.DataFrame:
        """Every unit cost in force, its source and whether it is the illustrative default.

        This is the table to show next to any costed plan (report and Excel).
        """
        rows = []
        for section in ("measures", "items"):
            for key, entry in self.data[section].items():
                if "unit" not in entry:
                    continue
                rows.append(
                    {
                        "config_key": f"{section}.{key}.unit_cost",
                        "kind": key,
                        "kind_name": t(f"plan.kind.{key}", lang),
                        "item": entry.get("item", key),
                        "unit": entry["unit"],
                        "unit_cost": entry.get("unit_cost"),
                        "cost_unit": cost_unit(entry, lang),
                        "recurring": bool(entry.get("recurring", False)),
                        "illustrative": self.illustrative(section, key),
                        "source": self.source(section, key, lang),
                        "note": pick(entry.get("note"), lang),
                    }
                )
        return pd.DataFrame(rows)

    def illustrative(self, section: str, key: str) -> bool:
        """Whether the unit cost is the shipped default rather than a county's figure.

        An identity (1 yuan per yuan, where the quantity is money already) is not illustrative.
        """
        entry = self.entry(section, key)
        return (
            entry.get("unit_cost") is not None
            and self.origin(section, key, "unit_cost") == DEFAULT
            and not (entry.get("unit") == "yuan" and entry.get("unit_cost") == 1)
        )

    def source(self, section: str, key: str, lang: str = "zh") -> str:
        """Where the unit cost comes from: the entry's ``source``, or the file that set it."""
        entry = self.entry(section, key)
        if entry.get("source"):
            return pick(entry["source"], lang)
        origin = self.origin(section, key, "unit_cost")
        return "" if origin == DEFAULT else origin


def cost_unit(entry: dict, lang: str = "zh") -> str:
    """元/平方米, 元/人·年 (yuan per m², yuan per teacher per year); 元/元 when the quantity is money."""
    if entry["unit"] == "yuan":
        return t("plan.cost_unit_money", lang)
    unit = t(f"plan.unit_one.{entry['unit']}", lang)
    key = "plan.cost_unit_recurring" if entry.get("recurring") else "plan.cost_unit"
    return t(key, lang, unit=unit)


def override_files(data=None, paths=()) -> list[Path]:
    """The plan.yaml files that apply, in merge order: the one next to the data, then ``paths``."""
    files = []
    if data:
        data = Path(data)
        folder = data if data.is_dir() else data.parent
        if (folder / FILE_NAME).is_file():
            files.append(folder / FILE_NAME)
    files.extend(Path(p) for p in paths if p)
    return files


def load_config(*paths, data=None, lang: str = "zh") -> PlanConfig:
    """The configuration in force: the defaults and the overrides, deep-merged in order.

    The order is: the shipped defaults, ``plan.yaml`` next to ``data`` (a folder or a workbook)
    if there is one, then each path in ``paths`` (a province's file before a county's).

    Raises:
        PlanConfigError: any file has errors (every error of every file, located, in ``lang``).
    """
    defaults = _defaults()
    data_ = copy.deepcopy(defaults)
    origin: dict = {}
    problems: list[Problem] = []
    lines: dict[str, dict] = {}
    files = []
    for path in override_files(data, paths):
        layer = _read(path)
        if not layer.problems:
            _check(layer, defaults)
        problems.extend(layer.problems)
        lines[layer.file] = layer.lines
        files.append(layer.file)
        _merge(data_, origin, layer)
    problems.extend(_check_offices(data_, origin, lines))
    if problems:
        raise PlanConfigError(problems, lang)
    return PlanConfig(data_, origin, files)
