"""What a targets file may say (inputs/targets/measures.yaml) and every accepted spelling of its choices.

Each lookup maps a normalised spelling (key, Chinese or English label; case-insensitive) to a key.
"""

from __future__ import annotations

from functools import cache

from junheng.i18n import t
from junheng.inputs.schema import load_schema, normalise
from junheng.rules import RULE_SETS, RuleSet
from junheng.yamlio import packaged


@cache
def spec() -> dict:
    """inputs/targets/measures.yaml."""
    return packaged("junheng.inputs.targets", "measures.yaml")


def fold(text) -> str:
    """The form in which spellings are compared: full-width folded, no spaces, lower case."""
    return normalise(str(text)).lower()


def fields() -> dict:
    """Every field of a target (YAML key, sheet column), in sheet order."""
    return spec()["fields"]


def target_fields() -> list[str]:
    """The fields at the top of a target."""
    return [k for k, f in fields().items() if f["in"] == "target"]


def measure_fields() -> list[str]:
    """The fields under ``measure:``."""
    return [k for k, f in fields().items() if f["in"] == "measure"]


def kinds() -> dict:
    """The measure kinds and the keys each takes."""
    return spec()["kinds"]


def _lookup(pairs) -> dict:
    """Spelling -> key; a spelling claimed by two different keys is ambiguous and left out."""
    seen: dict = {}
    for spelling, key in pairs:
        if spelling is None or str(spelling).strip() == "":
            continue
        seen.setdefault(fold(spelling), set()).add(key)
    return {s: next(iter(keys)) for s, keys in seen.items() if len(keys) == 1}


def _labelled(prefix: str, keys) -> list:
    return [
        (spelling, k) for k in keys for spelling in (k, t(f"{prefix}.{k}", "zh"), t(f"{prefix}.{k}", "en"))
    ]


@cache
def kind_lookup() -> dict:
    """Measure kinds by key or label."""
    return _lookup(_labelled("targets.kind", kinds()))


@cache
def form_lookup() -> dict:
    """Gap forms (ratio, difference) by key or label."""
    return _lookup(_labelled("targets.form", spec()["gap_forms"]))


@cache
def part_lookup() -> dict:
    """Evaluation parts by key or label."""
    return _lookup(_labelled("part", spec()["parts"]))


@cache
def comparison_lookup() -> dict:
    """Comparisons by every accepted spelling."""
    return _lookup(
        (spelling, op) for op, spellings in spec()["comparisons"].items() for spelling in spellings
    )


@cache
def yes_no_lookup() -> dict:
    """Yes and no by every accepted spelling."""
    return _lookup([(w, True) for w in spec()["yes_words"]] + [(w, False) for w in spec()["no_words"]])


@cache
def denominator_lookup() -> dict:
    """The words for students and none as a denominator."""
    return _lookup((w, key) for key, words in spec()["denominator_words"].items() for w in words)


@cache
def enum_lookup(name: str) -> dict:
    """Sections, locations, ownerships: the schema's enumerations."""
    return dict(load_schema().enum_lookup(name))


@cache
def group_lookup() -> dict:
    """A gap's group or reference: a location or an ownership, with its dimension."""
    pairs = [(s, ("location", k)) for s, k in enum_lookup("location").items()]
    pairs += [(s, ("ownership", k)) for s, k in enum_lookup("ownership").items()]
    return _lookup(pairs)


@cache
def rule_sets() -> tuple:
    """Every rule set (indicator and item names come from all of them)."""
    return tuple(RuleSet(name) for name in RULE_SETS)


@cache
def indicator_lookup() -> dict:
    """Any rule set's indicator by id, key or full label -> key.

    Ids such as R7 or B4. Keys are shared where two
    rule sets compute the same thing (R4 and B1 are both ``teaching_space_per_student``).
    """
    pairs = []
    for rules in rule_sets():
        for ind in rules.indicators:
            pairs += [
                (ind.id, ind.key),
                (ind.key, ind.key),
                (ind.label["zh"], ind.key),
                (ind.label["en"], ind.key),
            ]
    return _lookup(pairs)


@cache
def item_lookup() -> dict:
    """The G, Q and S items of the rule sets that have them (youzhi-2017), by id."""
    pairs = []
    for rules in rule_sets():
        for part in spec()["item_parts"]:
            pairs += [(item_id, item_id) for item_id in rules.data.get(part, {})]
    return _lookup(pairs)


def choices(lookup_keys, prefix: str | None = None, lang: str = "zh") -> str:
    """The keys of a lookup as a user reads them in a message."""
    keys = list(dict.fromkeys(lookup_keys))
    if prefix:
        return "、".join(f"{k}（{t(f'{prefix}.{k}', lang)}）" for k in keys)
    return "、".join(str(k) for k in keys)
