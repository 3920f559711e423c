"""Rule sets and overlays as data (rules/*.yaml, rules/overlays/*.yaml).

A rule set names every threshold, label, unit and option; an overlay (a province's standard or a
rule option) is a partial rule file deep-merged on top. Code never forks per rule set.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from junheng.errors import UserError
from junheng.i18n import t
from junheng.yamlio import load_yaml, packaged

RULE_SETS = ("youzhi-2017", "jiben-2012")


class RuleError(UserError):
    """An unknown rule set or overlay, or an overlay file that is not a YAML mapping (exit 2)."""


def _read(name: str, folder: str = "rules") -> dict:
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():  # a user's own overlay file
        import yaml  # here only: the shipped files come parsed from the per-user cache (junheng.diskcache)

        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else "?"
            detail = getattr(exc, "problem", None) or type(exc).__name__
            raise RuleError("cli.bad_overlay", path=str(path), line=line, detail=detail) from exc
        if not isinstance(data, dict):
            raise RuleError("cli.bad_overlay", path=str(path), line=1, detail=type(data).__name__)
        return data
    res = resources.files("junheng.method").joinpath(f"{folder}/{name}.yaml")
    if not res.is_file():
        import difflib

        key = "cli.unknown_rules" if folder == "rules" else "cli.unknown_overlay"
        known = available_overlays() if folder != "rules" else RULE_SETS
        close = difflib.get_close_matches(name, known, n=1)  # did you mean …?
        hint = {lang: t("params.did_you_mean", lang, name=close[0]) if close else "" for lang in ("zh", "en")}
        raise RuleError(key, name=name, known={"zh": "、".join(known), "en": ", ".join(known)}, hint=hint)
    return packaged("junheng.method", f"{folder}/{name}.yaml")


def deep_merge(base: dict, extra: dict) -> dict:
    """A copy of ``base`` with ``extra`` merged in, nested dicts merged key by key."""
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@dataclass(frozen=True)
class Indicator:
    """One resource indicator of a rule set: its key, labels, formula and threshold."""

    id: str
    key: str
    label: dict
    short: dict
    numerator: tuple
    scale: float
    unit: dict
    threshold: dict | None = None
    add_unit: dict | None = None
    integer_add: bool = False
    small_school_extra: tuple = ()
    decimals: int = 2  # how values are shown in tables and prose
    add_step: float = 1.0  # amounts to add are rounded up to this in reports
    display: dict | None = None  # how reports show the mean: per 100 students, or as a ratio (∶1)


class RuleSet:
    """A rule file with its overlays applied."""

    def __init__(self, rules: str = "youzhi-2017", overlays=()):
        data = _read(rules)
        applied = []
        self._declared = {}  # overlay as given (name or path) -> the rule sets its applies_to names
        for name in overlays or ():
            overlay = _read(name, "rules/overlays")
            if rules not in overlay.get("applies_to", [rules]):
                raise RuleError("cli.overlay_not_applicable", name=name, rules=rules)
            meta = {k: overlay[k] for k in ("id", "name", "applies_to") if k in overlay}
            data = deep_merge(data, {k: v for k, v in overlay.items() if k not in meta})
            applied.append({"id": meta.get("id", name), "name": meta.get("name", {})})
            self._declared[name] = tuple(meta.get("applies_to", ()))
        self.data = data
        self.id = data["id"]
        self.overlays = applied
        self.options = data.get("options", {})
        resource = data["resource"]
        self.indicators = [
            Indicator(
                id=iid,
                key=spec["key"],
                label=spec["label"],
                short=spec.get("short", spec["label"]),
                numerator=tuple(spec["numerator"]),
                scale=float(spec["scale"]),
                unit=spec["unit"],
                threshold=spec.get("threshold"),
                add_unit=spec.get("add_unit"),
                integer_add=bool(spec.get("integer_add")),
                small_school_extra=tuple(spec.get("small_school_extra", ())),
                decimals=int(spec.get("decimals", 2)),
                add_step=float(spec.get("add_step", 1)),
                display=spec.get("display"),
            )
            for iid, spec in resource["indicators"].items()
        ]
        self.school_rule = resource.get("school_rule")
        self.cv_limit = resource.get("cv_limit")
        self.composite = resource.get("composite")
        self.split_weights = data["split_weights"]
        self.sections = tuple(data["sections"])

    @property
    def has_parts(self) -> bool:
        """youzhi-2017 has the four parts G, Q, S and vetoes; jiben-2012 only the coefficients."""
        return "guarantee" in self.data

    def overlays_for(self, rules: str) -> tuple:
        """The overlays of this rule set (as given) that declare ``rules`` in their ``applies_to``.

        A youzhi-2017 report computes the 2012 coefficients with these (``exclude-private`` applies
        to both rule sets); an overlay without ``applies_to`` is not carried over.
        """
        return tuple(name for name, declared in self._declared.items() if rules in declared)

    def for_rules(self, rules: str) -> RuleSet:
        """Another rule set with this one's overlays that apply to it (``overlays_for``)."""
        return RuleSet(rules, self.overlays_for(rules))

    def item(self, part: str, item_id: str) -> dict:
        """The rule entry of one item of a part (e.g. ``guarantee``, ``G3``)."""
        return self.data[part][item_id]

    def describe(self) -> dict:
        """The rule set's id, name, document, overlays and options, as a dict."""
        return {
            "id": self.id,
            "name": self.data["name"],
            "document": self.data.get("document"),
            "overlays": self.overlays,
            "options": self.options,
        }


def available_overlays() -> list[str]:
    """Names of the bundled rule overlays."""
    folder = resources.files("junheng.method").joinpath("rules/overlays")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))
