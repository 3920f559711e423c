"""Find and read plan targets.

``targets.yaml`` (or ``targets/*.yaml``) in the data folder, and the
targets sheet (规划目标) of the workbooks the loader read. Nothing is checked here beyond the
layout: every value keeps where it was written (YAML line and key path, or sheet cell) for
parse.py to report against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from junheng.inputs.targets.model import Where
from junheng.inputs.targets.spec import fields, fold, measure_fields, spec, target_fields
from junheng.problems import ERROR, WARNING
from junheng.yamlio import node_loader

YAML_NAMES = ("targets.yaml", "targets.yml")
YAML_FOLDER = "targets"
_CODE_IN_NAME = re.compile(r"(?<!\d)(\d{6})(?!\d)")


@dataclass
class RawTarget:
    """One target as written: every value with its place."""

    fields: dict  # field key -> (value, Where), target-level fields
    measure: dict  # field key -> (value, Where), the measure's keys
    where: Where  # the entry as a whole (YAML mapping, sheet row)
    county: tuple | None = None  # (value, Where) as written, if written
    default_county: str | None = None  # the county of the file (file name, workbook)
    plan: object = None
    year: int | None = None  # the workbook's year
    in_sheet: bool = False
    headers: dict = field(default_factory=dict)  # field key -> header as written (sheets)
    broken: bool = False  # an error was found while reading it (an unknown key, a repeated key)
    county_said: bool = False  # its missing county was reported for the sheet's column as a whole

    def label(self, key: str) -> str:
        """A field as the user knows it: the YAML key path, or the sheet's column header."""
        if self.in_sheet:
            return self.headers.get(key) or fields()[key]["zh"]
        return f"measure.{key}" if key in measure_fields() else key

    def place(self, key: str) -> Where:
        """Where a missing field would have been written."""
        if self.in_sheet:
            return Where(self.where.file, self.where.sheet, self.where.row, self.label(key))
        parent = self.where.column + (".measure" if key in measure_fields() and self.measure else "")
        return Where(self.where.file, "", self.where.row, parent)


def target_files(data) -> list[Path]:
    """The YAML targets files of a data folder: targets.yaml / targets.yml and targets/*.yaml."""
    path = Path(data)
    if not path.is_dir():
        return []
    found = [path / name for name in YAML_NAMES if (path / name).is_file()]
    folder = path / YAML_FOLDER
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return found


# -- YAML ------------------------------------------------------------------------------------------
class _Node:
    """A composed YAML node with the loader that can construct its scalars."""

    def __init__(self, loader, node, path: str, file: str):
        self.loader, self.node, self.path, self.file = loader, node, path, file

    @property
    def where(self) -> Where:
        return Where(self.file, "", self.node.start_mark.line + 1, self.path)

    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def is_sequence(self) -> bool:
        return isinstance(self.node, yaml.SequenceNode)

    def raw(self) -> str | None:
        """A scalar as typed (county codes keep their leading zeros)."""
        return self.node.value if isinstance(self.node, yaml.ScalarNode) else None

    def value(self):
        return self.loader.construct_object(self.node, deep=True)

    def items(self, problems, county=None):
        """Key, child pairs of a mapping; a repeated key is an error (YAML would keep the last)."""
        seen = set()
        for key_node, value_node in self.node.value:
            key = str(key_node.value)
            child = _Node(self.loader, value_node, f"{self.path}.{key}" if self.path else key, self.file)
            if key in seen:
                problems.append(child.where.problem(ERROR, "duplicate_key", county, key=key))
                continue
            seen.add(key)
            yield key, child

    def children(self):
        for i, node in enumerate(self.node.value):
            yield _Node(self.loader, node, f"{self.path}[{i}]", self.file)


def _compose(path: Path, problems) -> _Node | None:
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Where(shown).problem(ERROR, "unreadable", detail=str(exc)[:200]))
        return None
    try:
        loader = node_loader(text)
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Where(shown, "", mark.line + 1 if mark else None, "")
        problems.append(where.problem(ERROR, "bad_yaml", detail=str(getattr(exc, "problem", exc))))
        return None
    if node is None:
        return None  # an empty file: no targets
    return _Node(loader, node, "", shown)


def read_yaml(path: Path, problems: list) -> list[RawTarget]:
    """One county (``county``, ``plan``, ``targets``) or several (``counties: {code: {...}}``)."""
    root = _compose(Path(path), problems)
    if root is None:
        return []
    if not root.is_mapping():
        problems.append(root.where.problem(ERROR, "bad_layout"))
        return []
    top = dict(root.items(problems))
    if "counties" in top:
        extra = [k for k in top if k != "counties"]
        for key in extra:
            problems.append(top[key].where.problem(ERROR, "unknown_key", key=key, allowed="counties"))
        counties = top["counties"]
        if not counties.is_mapping():
            problems.append(counties.where.problem(ERROR, "not_a_mapping"))
            return []
        out = []
        for code, block in counties.items(problems):
            county = (_key_raw(counties, code), block.where)
            out += _county_block(block, county, None, problems, ("plan", "targets"))
        return out
    name_code = _CODE_IN_NAME.search(Path(path).stem)
    return _county_block(
        root, None, name_code.group(1) if name_code else None, problems, ("county", "plan", "targets")
    )


def _key_raw(mapping: _Node, key: str) -> str:
    for key_node, _ in mapping.node.value:
        if str(key_node.value) == key:
            return key_node.value
    return key


def _county_block(block: _Node, county, default_county, problems, allowed) -> list[RawTarget]:
    code_hint = county[0] if county else None
    if not block.is_mapping():
        problems.append(block.where.problem(ERROR, "not_a_mapping", code_hint))
        return []
    parts = dict(block.items(problems, code_hint))
    for key in parts:
        if key not in allowed:
            problems.append(
                parts[key].where.problem(ERROR, "unknown_key", code_hint, key=key, allowed="、".join(allowed))
            )
    if "county" in parts:
        county = (parts["county"].raw(), parts["county"].where)
    plan = parts["plan"].value() if "plan" in parts else None
    if "targets" not in parts:
        problems.append(block.where.problem(ERROR, "missing_field", code_hint, field="targets"))
        return []
    entries = parts["targets"]
    if not entries.is_sequence():
        problems.append(entries.where.problem(ERROR, "not_a_list", code_hint))
        return []
    out = []
    for entry in entries.children():
        if not entry.is_mapping():
            problems.append(entry.where.problem(ERROR, "not_a_mapping", code_hint))
            continue
        raw = RawTarget({}, {}, entry.where, county, default_county, plan)
        allowed_keys = [k for k in target_fields() if k != "county_code"] + ["measure"]
        before = len(problems)
        for key, child in entry.items(problems, code_hint):
            if key == "measure":
                if not child.is_mapping():
                    problems.append(child.where.problem(ERROR, "not_a_mapping", code_hint))
                    raw.measure = {"_invalid": (None, child.where)}
                    continue
                for mkey, mchild in child.items(problems, code_hint):
                    if mkey not in measure_fields():
                        problems.append(
                            mchild.where.problem(
                                ERROR, "unknown_key", code_hint, key=mkey, allowed="、".join(measure_fields())
                            )
                        )
                        continue
                    raw.measure[mkey] = (mchild.value(), mchild.where)
            elif key in allowed_keys:
                raw.fields[key] = (child.value(), child.where)
            else:
                problems.append(
                    child.where.problem(
                        ERROR, "unknown_key", code_hint, key=key, allowed="、".join(allowed_keys)
                    )
                )
        raw.broken = len(problems) > before
        out.append(raw)
    return out


# -- workbook sheets -------------------------------------------------------------------------------
def _sheet_name(names) -> str | None:
    wanted = {fold(n) for n in spec()["sheet"]["names"]}
    return next((n for n in names if fold(n) in wanted), None)


def _header_lookup() -> dict:
    out = {}
    for key, f in fields().items():
        out[fold(key)] = key
        out[fold(f["zh"])] = key
    return out


def _cell(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def read_sheet(path: Path, problems: list, default_county=None, year=None) -> list[RawTarget]:
    """The targets sheet of a workbook (none: no targets). Row numbers are the ones Excel shows."""
    from python_calamine import CalamineWorkbook

    shown = str(path)
    try:
        wb = CalamineWorkbook.from_path(shown)
        name = _sheet_name(wb.sheet_names)
        if name is None:
            return []
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook becomes a located message
        problems.append(Where(shown).problem(ERROR, "unreadable", detail=str(exc)[:200]))
        return []
    if not rows:
        return []
    lookup = _header_lookup()
    columns = {}  # position -> (field key, header as written)
    for j, header in enumerate(rows[0]):
        header = _cell(header)
        if header is None:
            continue
        key = lookup.get(fold(header)) or lookup.get(fold(re.sub(r"[（(].*[)）]$", "", str(header))))
        if key is None or key in {k for k, _ in columns.values()}:
            allowed = "、".join(f["zh"] for f in fields().values())
            problems.append(
                Where(shown, name, 1, str(header)).problem(
                    WARNING, "unknown_key", default_county, key=header, allowed=allowed
                )
            )
            continue
        columns[j] = (key, str(header))
    headers = {k: h for k, h in columns.values()}
    out = []
    for i, values in enumerate(rows[1:], start=2):
        cells = {j: _cell(v) for j, v in enumerate(values) if j in columns}
        if all(v is None for v in cells.values()):
            continue
        raw = RawTarget({}, {}, Where(shown, name, i, ""), None, default_county, None, year, True, headers)
        for j, value in cells.items():
            key, header = columns[j]
            if value is None:
                continue
            where = Where(shown, name, i, header)
            if key == "county_code":
                raw.county = (value, where)
            elif fields()[key]["in"] == "measure":
                raw.measure[key] = (value, where)
            else:
                raw.fields[key] = (value, where)
        out.append(raw)
    _county_column_blank(out, columns, problems)
    return out


def _county_column_blank(raws: list[RawTarget], columns: dict, problems: list) -> None:
    """A sheet whose 县级行政区划代码 is blank in every row, of a workbook that does not tell its county.

    One located error for the column (as `TableCleaner` says a blank required column of the 学校
    sheet), not one per row; a sheet of one row keeps its row's message (as precise).
    """
    if len(raws) < 2 or raws[0].default_county or any(raw.county is not None for raw in raws):
        return
    position = next((j for j, (key, _) in columns.items() if key == "county_code"), None)
    if position is None:
        return  # no such column: each row says it
    from junheng.inputs.validation import column_letter

    rows = [raw.where.row for raw in raws]
    where = Where(raws[0].where.file, raws[0].where.sheet, None, columns[position][1])
    params = {"number": position + 1, "letter": column_letter(position), "rows": len(rows)}
    problems.append(where.problem(ERROR, "no_county_column", first=min(rows), last=max(rows), **params))
    for raw in raws:
        raw.county_said = True
