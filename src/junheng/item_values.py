"""What the value of each item of Parts G, Q and S is (item_values.yaml).

What the value of each item of Parts G, Q and S is (item_values.yaml): a share, a count of schools, a level...
Tables, sentences and plan targets format an item's value from it.
"""

from __future__ import annotations

from functools import cache

from junheng.yamlio import packaged


@cache
def item_values() -> dict[str, str]:
    """Item id → the kind of its value (share, schools, subjects, level, flag, standards, yuan)."""
    kinds = packaged("junheng.method", "item_values.yaml")
    return {item: kind for kind, items in kinds.items() for item in items}


def value_kind(item_id: str) -> str | None:
    """The kind of an item's value, or None for an item the file does not list (the vetoes)."""
    return item_values().get(item_id)


def items_of(kind: str) -> frozenset[str]:
    """The items whose value is of ``kind``."""
    return frozenset(i for i, k in item_values().items() if k == kind)
