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
from junheng.inputs.statistics.mapping import listed

INDOOR_SPORTS = ("moved", "as_reported")
ART_TEACHERS = ("music_and_fine_arts", "art_total")
OPTIONS = ("indoor_sports_rooms", "qualified_minimum", "art_teachers")


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
    """An option with a value it cannot have: the message key, the option's key path, parameters."""

    def __init__(self, message: str, key: str, **params):
        super().__init__(f"{key}: {message} {params}")
        self.message, self.key, self.params = message, key, params


def from_mapping(raw: dict, source: str) -> ImportOptions:
    """The options of a mapping file's ``options:`` block (defaults where absent)."""
    raw = raw or {}
    unknown = set(raw) - set(OPTIONS)
    if unknown:
        raise OptionsError(
            "options_unknown", "options", keys=listed(sorted(unknown)), allowed=listed(OPTIONS)
        )
    options = ImportOptions(
        indoor_sports_rooms=raw.get("indoor_sports_rooms", "moved"),
        qualified_minimum={**_default_minimum(), **(raw.get("qualified_minimum") or {})},
        art_teachers=raw.get("art_teachers", "music_and_fine_arts"),
    )
    if options.indoor_sports_rooms not in INDOOR_SPORTS:
        raise OptionsError(
            "option_value",
            "options.indoor_sports_rooms",
            option="indoor_sports_rooms",
            value=options.indoor_sports_rooms,
            allowed=listed(INDOOR_SPORTS),
        )
    if options.art_teachers not in ART_TEACHERS:
        raise OptionsError(
            "option_value",
            "options.art_teachers",
            option="art_teachers",
            value=options.art_teachers,
            allowed=listed(ART_TEACHERS),
        )
    ranks = codes()["degree_ranks"]
    for section, level in options.qualified_minimum.items():
        if level not in ranks:
            raise OptionsError(
                "option_value",
                f"options.qualified_minimum.{section}",
                option=f"qualified_minimum.{section}",
                value=level,
                allowed=listed(ranks),
            )
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
