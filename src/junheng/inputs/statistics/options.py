"""Conventions where practitioners differ from the method's wording, as explicit import options.

They are read from the ``options:`` block of the mapping files (documented defaults below), shown
in the import report, and recorded in one note per county-year so that the report's methodology
appendix lists them. ``doctorate_counts`` is not a choice: a 博士 degree is above every required
qualification, so it always counts (some practitioners' scripts drop it); it is listed so that
readers see it was checked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from junheng.i18n import t
from junheng.inputs.statistics.codes import codes

INDOOR_SPORTS = ("moved", "as_reported")
ART_TEACHERS = ("music_and_fine_arts", "art_total")


def _default_minimum() -> dict:
    return {"primary": "college", "junior": "bachelor"}


@dataclass(frozen=True)
class ImportOptions:
    """The conventions of one import (defaults documented in docs/statistics-import.md)."""

    # moved: 室内体育用房 (体育馆) counted in sports area and taken out of teaching space;
    # as_reported: teaching space as reported (it includes them), sports area still includes them.
    indoor_sports_rooms: str = "moved"
    # Lowest degree counted as above the required qualification, per 学段 (R1, docs/method.md §4.1).
    qualified_minimum: dict = field(default_factory=_default_minimum)
    # music_and_fine_arts: 音乐 + 美术 columns (the indicator's wording), 艺术 total only when the
    # export has no separate columns; art_total: the 艺术 total column (may include other arts).
    art_teachers: str = "music_and_fine_arts"
    doctorate_counts: bool = True

    def as_dict(self) -> dict:
        """The options as plain data (JSON)."""
        return asdict(self)


class OptionsError(ValueError):
    """An option with a value it cannot have."""

    pass


def from_mapping(raw: dict, source: str) -> ImportOptions:
    """The options of a mapping file's ``options:`` block (defaults where absent)."""
    raw = raw or {}
    unknown = set(raw) - {"indoor_sports_rooms", "qualified_minimum", "art_teachers"}
    if unknown:
        raise OptionsError(f"{source}: unknown options {sorted(unknown)}")
    options = ImportOptions(
        indoor_sports_rooms=raw.get("indoor_sports_rooms", "moved"),
        qualified_minimum={**_default_minimum(), **(raw.get("qualified_minimum") or {})},
        art_teachers=raw.get("art_teachers", "music_and_fine_arts"),
    )
    if options.indoor_sports_rooms not in INDOOR_SPORTS:
        raise OptionsError(f"{source}: indoor_sports_rooms must be one of {list(INDOOR_SPORTS)}")
    if options.art_teachers not in ART_TEACHERS:
        raise OptionsError(f"{source}: art_teachers must be one of {list(ART_TEACHERS)}")
    ranks = codes()["degree_ranks"]
    for section, level in options.qualified_minimum.items():
        if level not in ranks:
            raise OptionsError(f"{source}: qualified_minimum.{section} must be one of {list(ranks)}")
    return options


def describe(options: ImportOptions, lang: str = "zh") -> list[dict]:
    """One row per option: key, value, default, and what the value means (zh or en)."""
    default = ImportOptions()
    rows = []
    for key in ("indoor_sports_rooms", "qualified_minimum", "art_teachers", "doctorate_counts"):
        value = getattr(options, key)
        if key == "qualified_minimum":
            meaning = t(
                "statistics.options.qualified_minimum.meaning",
                lang,
                primary=t(f"statistics.degrees.{value['primary']}", lang),
                junior=t(f"statistics.degrees.{value['junior']}", lang),
            )
        else:
            meaning = t(f"statistics.options.{key}.{str(value).lower()}", lang)
        rows.append(
            {
                "key": key,
                "value": value,
                "default": getattr(default, key),
                "label": t(f"statistics.options.{key}.label", lang),
                "meaning": meaning,
            }
        )
    return rows


def summary(options: ImportOptions, lang: str = "zh") -> str:
    """The options in one sentence (the note shown in the report's methodology appendix)."""
    sep = "；" if lang == "zh" else "; "
    return sep.join(row["meaning"] for row in describe(options, lang))
