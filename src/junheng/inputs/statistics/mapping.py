"""Mapping files: where each value is found in one generation of the statistics tables.

One YAML file per table generation ships with the package (``mappings/jichuji-2018.yaml``,
``mappings/jiaoji-2021.yaml``); a user's corrected copy replaces the shipped file of the same
``generation``. Each field names its *role* (what the value means, a fixed vocabulary below) and
how to find it:

- ``wide`` / ``wide_sections``: header paths in a county-wide sheet (one row per school). A
  ``wide`` path is read in every 学段 file for that file's 学段 (students, teachers…) or once for
  the school (areas, identity); ``wide_sections`` gives one path per 学段 for values whose header
  names the 学段 (县级以上骨干教师(小学)).
- ``workbook`` / ``workbook_sections``: locators in a school workbook: the sheet (``table``, e.g.
  ``"教基3112*"``), the row (``row``: its path, block and label) and the column (``column``: its
  header path; omitted = the first value column); or ``form`` for a form-like sheet (the label
  cell; the value below it, or in the row labelled ``part`` 名称 / 代码).

Each place may list alternatives (tried in order; the first that is found once is used).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from junheng.inputs.statistics.codes import SECTION_ORDER
from junheng.inputs.statistics.labels import Pattern, pattern, pattern_path
from junheng.yamlio import load_yaml

IDENTITY_ROLES = (
    "school_code",
    "school_name",
    "school_type_code",
    "school_type_name",
    "location_code",
    "location_name",
    "sponsor_code",
    "sponsor_name",
    "division_code",
    "authority_code",
    "authority_name",
    "county_name",
    "counted",
)
SECTION_ROLES = (
    "students",
    "entrants",
    "migrant_students",
    "classes",
    "class_buckets",
    "teachers",
    "degree",
    "backbone",
    "pe_teachers",
    "music_teachers",
    "fine_arts_teachers",
    "art_teachers_total",
    "art_course_teachers",
    "senior_title_teachers",
)
SCHOOL_ROLES = (
    "teaching_aux_area",
    "indoor_sports_area",
    "sports_ground_area",
    "equipment_value",
    "multimedia_rooms",
    "computers",
    "books",
)
KINDS = ("code", "text", "flag", "count", "area", "money", "buckets")
SHIPPED = ("jichuji-2018", "jiaoji-2021")
LOCATOR_KEYS = ("table", "row", "column", "row_code", "column_code", "form", "part")


class MappingError(ValueError):
    """A mapping file that cannot be used: its file, where in it and what is wrong.

    ``detail`` is {zh, en} (from the locale files); ``key`` the key path in the file
    ('fields.students.kind') and ``line`` its line, when known.
    """

    def __init__(self, file: str, detail, key: str = "", line: int | None = None):
        super().__init__(f"{file}: {detail.get('en', '') if isinstance(detail, dict) else detail}")
        self.file, self.detail, self.key, self.line = file, detail, key, line


def mapping_error(file: str, message: str, key: str = "", **params) -> MappingError:
    """A MappingError whose text is ``statistics.mapping_error.<message>`` in every language."""
    from junheng.i18n import LANGS, t

    detail = {
        lang: t(
            f"statistics.mapping_error.{message}",
            lang,
            **{k: v[lang] if isinstance(v, dict) else v for k, v in params.items()},
        )
        for lang in LANGS
    }
    return MappingError(file, detail, key)


def key_line(text: str, key: str) -> int | None:
    """The line (1-based) of a key path ('fields.students.kind') in a YAML text, if found."""
    if not key:
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for part in key.split("."):
        if not isinstance(node, yaml.MappingNode):
            break
        found = next(((k, v) for k, v in node.value if str(k.value) == part), None)
        if found is None:
            break
        line, node = found[0].start_mark.line + 1, found[1]
    return line


def listed(values) -> dict:
    """Names listed as each language lists them: {zh: 'a、b', en: 'a, b'}."""
    return {"zh": "、".join(str(v) for v in values), "en": ", ".join(str(v) for v in values)}


@dataclass(frozen=True)
class Locator:
    """Where one value sits in a school workbook."""

    table: Pattern
    row: tuple = ()
    column: tuple = ()
    row_code: str | None = None
    column_code: str | None = None
    form: Pattern | None = None
    part: str | None = None
    text: str = ""  # as written in the mapping file, for messages


@dataclass(frozen=True)
class Field:
    """One value to find: its role, kind and where it is in each shape."""

    name: str
    role: str
    kind: str
    level: str | None = None  # degree level of a 'degree' field
    length: int | None = None  # digits of a code
    assumed_unit: str | None = None  # unit of a money / area value when the export states none
    optional: bool = False  # not found: nothing to say (e.g. a degree level below every minimum)
    wide: tuple = ()  # alternatives: tuples of Patterns
    wide_sections: dict = field(default_factory=dict)
    workbook: tuple = ()  # alternatives: Locators
    workbook_sections: dict = field(default_factory=dict)
    wide_text: str = ""

    @property
    def per_section(self) -> bool:
        """Whether the value is one per 学段 (students, teachers…)."""
        return self.role in SECTION_ROLES


@dataclass
class Mapping:
    """One table generation's fields, options and how to recognise its exports."""

    generation: str
    label: dict
    source: str  # the file it was read from ("junheng:mappings/…" for a shipped one)
    text: str  # the YAML as read (written back unchanged, comments and all)
    fields: dict
    options: dict
    detect_sheet: Pattern | None = None
    detect_header: Pattern | None = None

    def with_role(self, role: str) -> list[Field]:
        """The fields with a given role."""
        return [f for f in self.fields.values() if f.role == role]


def _alternatives(value, file, where) -> tuple:
    """Header-path alternatives: a path is a list of levels; one string is a one-level path."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (pattern_path(value),)
    if not isinstance(value, list) or not value:
        raise mapping_error(file, "paths_expected", where)
    if all(isinstance(v, str) for v in value):
        return (pattern_path(value),)
    return tuple(pattern_path(v) for v in value)


def _locators(value, file, where) -> tuple:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, dict) or "table" not in item:
            raise mapping_error(file, "locator_table", where)
        unknown = set(item) - set(LOCATOR_KEYS)
        if unknown:
            raise mapping_error(
                file, "locator_keys", where, keys=listed(sorted(unknown)), allowed=listed(LOCATOR_KEYS)
            )
        out.append(
            Locator(
                table=pattern(str(item["table"])),
                row=pattern_path(item["row"]) if item.get("row") else (),
                column=pattern_path(item["column"]) if item.get("column") else (),
                row_code=str(item["row_code"]).lstrip("0") if item.get("row_code") is not None else None,
                column_code=str(item["column_code"]) if item.get("column_code") is not None else None,
                form=pattern(str(item["form"])) if item.get("form") else None,
                part=item.get("part"),
                text=yaml.safe_dump(item, allow_unicode=True, default_flow_style=True, width=400).strip(),
            )
        )
    return tuple(out)


def _by_section(value, build, file, where) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - set(SECTION_ORDER):
        raise mapping_error(file, "sections_expected", where, sections=listed(SECTION_ORDER))
    return {s: build(v, file, f"{where}.{s}") for s, v in value.items()}


def _field(name: str, spec: dict, file: str) -> Field:
    if not isinstance(spec, dict):
        raise mapping_error(file, "field_not_mapping", f"fields.{name}")
    role = spec.get("role", name)
    if role not in IDENTITY_ROLES + SECTION_ROLES + SCHOOL_ROLES:
        raise mapping_error(
            file,
            "unknown_role",
            f"fields.{name}.role",
            role=role,
            roles=listed(IDENTITY_ROLES + SECTION_ROLES + SCHOOL_ROLES),
        )
    kind = spec.get("kind", "count")
    if kind not in KINDS:
        raise mapping_error(file, "unknown_kind", f"fields.{name}.kind", kind=kind, kinds=listed(KINDS))
    if role == "degree" and not spec.get("level"):
        raise mapping_error(file, "degree_level", f"fields.{name}")
    per_section = role in SECTION_ROLES
    if not per_section and (spec.get("wide_sections") or spec.get("workbook_sections")):
        raise mapping_error(file, "not_per_section", f"fields.{name}", role=role)
    return Field(
        name=name,
        role=role,
        kind=kind,
        level=spec.get("level"),
        length=spec.get("length"),
        assumed_unit=spec.get("assumed_unit"),
        optional=bool(spec.get("optional")),
        wide=_alternatives(spec.get("wide"), file, f"fields.{name}.wide"),
        wide_sections=_by_section(
            spec.get("wide_sections"), _alternatives, file, f"fields.{name}.wide_sections"
        ),
        workbook=_locators(spec.get("workbook"), file, f"fields.{name}.workbook"),
        workbook_sections=_by_section(
            spec.get("workbook_sections"), _locators, file, f"fields.{name}.workbook_sections"
        ),
        wide_text=yaml.safe_dump(
            spec.get("wide") or spec.get("wide_sections"),
            allow_unicode=True,
            width=400,
            default_flow_style=True,
        )
        .strip()
        .replace("\n", " "),
    )


def parse_mapping(text: str, source: str) -> Mapping:
    """A mapping from its YAML text (``source`` names it in messages)."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:  # said in the user's language, with where (issue #22)
        from junheng.i18n import LANGS, t

        mark = getattr(exc, "problem_mark", None)
        where = {"line": mark.line + 1, "column": mark.column + 1} if mark else {"line": "?", "column": "?"}
        detail = {lang: t("problem.yaml_syntax", lang, **where) for lang in LANGS}
        raise MappingError(source, detail) from None
    if not isinstance(raw, dict) or "generation" not in raw or not isinstance(raw.get("fields"), dict):
        raise mapping_error(source, "not_a_mapping")
    detect = raw.get("detect") or {}
    try:
        fields = {name: _field(name, spec, source) for name, spec in raw["fields"].items()}
    except MappingError as exc:  # located: the line of the key in the file
        exc.line = key_line(text, exc.key)
        raise
    return Mapping(
        generation=str(raw["generation"]),
        label=raw.get("label") or {"zh": str(raw["generation"]), "en": str(raw["generation"])},
        source=source,
        text=text,
        fields=fields,
        options=raw.get("options") or {},
        detect_sheet=pattern(detect["sheet"]) if detect.get("sheet") else None,
        detect_header=pattern(detect["header"]) if detect.get("header") else None,
    )


@cache
def shipped(generation: str) -> Mapping:
    """The mapping shipped with the package for ``generation``."""
    res = resources.files("junheng.inputs.statistics").joinpath(f"mappings/{generation}.yaml")
    return parse_mapping(res.read_text(encoding="utf-8"), f"junheng:mappings/{generation}.yaml")


def read_mapping(path: str | Path) -> Mapping:
    """A user's mapping file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        from junheng.inputs.sources import read_reason

        raise mapping_error(str(path), "unreadable", reason=read_reason(exc)) from None
    return parse_mapping(text, str(path))


def mappings(user_files=()) -> list[Mapping]:
    """The shipped mappings, each replaced by a user's file of the same generation.

    A user's file of a new generation is added.
    """
    chosen = {g: shipped(g) for g in SHIPPED}
    for item in user_files:
        mapping = item if isinstance(item, Mapping) else read_mapping(item)
        chosen[mapping.generation] = mapping
    return list(chosen.values())


def is_mapping_file(path: Path) -> bool:
    """A YAML file with a 'generation' and 'fields' (so load() can pick corrected mappings up)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        head = path.read_text(encoding="utf-8")[:20000]
    except (OSError, UnicodeDecodeError):
        return False
    return "generation:" in head and "fields:" in head
