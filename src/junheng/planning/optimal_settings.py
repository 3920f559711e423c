"""The ``optimal`` section of plan.yaml: the settings of the optimal plan (达标测算).

    optimal:
      horizon_years: 5               # recurring costs (teacher posts) counted over this many years
      weights: {backbone_teachers: 20000}   # yuan-equivalent per unit of a measure without unit cost
      caps:                          # per school (its code, or "*" for every school): the most a
        "*": {}                      #   measure may add; 0 forbids it (no land for a sports ground)
        "9901810051": {sports_ground: 0}
      total_caps: {qualified_teachers: 10}  # the most a measure may add over the whole county
      transfers: false               # allow budget-neutral teacher transfers between schools
      transfer_cost: 2000            # weight per transferred teacher (keeps transfers to what helps)
      time_limit: 60                 # seconds the solver may take before returning its best plan

Checked like every other plan.yaml entry: a bad value is a located error (file, line, key path).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# The measure kinds of plan.yaml that add to a Part R indicator, and the columns they add to.
MEASURES = {
    "R1": ("qualified_teachers", "teachers_qualified"),
    "R2": ("backbone_teachers", "teachers_backbone"),
    "R3": ("pe_art_teachers", "teachers_pe_art"),
    "R4": ("teaching_space", "teaching_space_m2"),
    "R5": ("sports_ground", "sports_area_m2"),
    "R6": ("equipment", "equipment_value_yuan"),
    "R7": ("multimedia_rooms", "multimedia_rooms"),
}
KINDS = tuple(m for m, _ in MEASURES.values())
NUMBERS = ("horizon_years", "transfer_cost", "time_limit")
MAPS = ("weights", "caps", "total_caps")
FLAGS = ("transfers",)
KEYS = NUMBERS + MAPS + FLAGS


@dataclass
class Settings:
    """The `optimal` section of plan.yaml (the defaults are those of the shipped file)."""

    horizon_years: float = 5
    weights: dict = field(default_factory=lambda: {"backbone_teachers": 20000})
    caps: dict = field(default_factory=dict)  # school code or "*" -> {measure: max}
    total_caps: dict = field(default_factory=dict)  # measure -> max over the county
    transfers: bool = False
    transfer_cost: float = 2000
    time_limit: float = 60

    @classmethod
    def from_config(cls, config, **overrides) -> Settings:
        """The settings of a `PlanConfig` (None: the defaults), with keyword overrides."""
        data = dict((config.data.get("optimal") if config is not None else None) or {})
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{k: v for k, v in data.items() if k in KEYS})


def _number(value) -> bool:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return number and math.isfinite(value) and value >= 0


def check(body, error) -> None:
    """Check an ``optimal`` mapping; ``error(path, code, **params)`` records a located problem."""
    if not isinstance(body, dict):
        error(("optimal",), "not_mapping", value=str(body))
        return
    for key, value in body.items():
        path = ("optimal", str(key))
        if key not in KEYS:
            error(path, "unknown_key", name=key, choices=", ".join(KEYS))
        elif key in NUMBERS:
            if not _number(value):
                error(path, "bad_number", value=str(value))
        elif key in FLAGS:
            if not isinstance(value, bool):
                error(path, "bad_flag", value=str(value))
        elif not isinstance(value, dict):
            error(path, "not_mapping", value=str(value))
        elif key == "caps":
            for school, caps in value.items():
                sub = (*path, str(school))
                if not isinstance(caps, dict):
                    error(sub, "not_mapping", value=str(caps))
                    continue
                _measures(caps, sub, error, allow_none=True)
        else:
            _measures(value, path, error, allow_none=key == "total_caps")


def _measures(mapping: dict, path: tuple, error, allow_none: bool) -> None:
    for measure, number in mapping.items():
        where = (*path, str(measure))
        if measure not in KINDS:
            error(where, "unknown_key", name=measure, choices=", ".join(KINDS))
        elif not (_number(number) or (allow_none and number is None)):
            error(where, "bad_number", value=str(number))


def merge(data: dict, body: dict) -> None:
    """Deep-merge a checked ``optimal`` mapping into the configuration's."""
    import copy

    mine = data.setdefault("optimal", {})
    for key, value in body.items():
        if key == "caps" and isinstance(value, dict):
            caps = mine.setdefault("caps", {})
            for school, entry in value.items():
                if isinstance(entry, dict):
                    caps.setdefault(str(school), {}).update(copy.deepcopy(entry))
        elif key in MAPS and isinstance(value, dict):
            mine.setdefault(key, {}).update(copy.deepcopy(value))
        elif key in KEYS:
            mine[key] = copy.deepcopy(value)
