"""From records to schools: one per 10-digit code and year, 不计校数 rows merged into parents.

Every record is accounted for.

- A combined school (一贯制, 完全中学) appears in several 学段 files: its students and teachers come
  from each 学段's file, its whole-school resources (areas, equipment, rooms, books) are counted
  once: from the first file in 学段 order; a file that says otherwise is reported.
- A 不计校数 record whose code is a counted school's code is a campus of that school: merged.
  Otherwise its parent comes from the parent map (students and every numerator added to the
  parent); without one, a teaching point stays a teaching point (scope rules apply) and any other
  type is imported as a school of its own, both reported.
- A 学段 the school type needs but no file holds is an error; a 学段 it does not have is 0
  (oversized classes: empty, there is no class-size table to count from).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.inputs.schema import SHARED_RESOURCES as SHARED
from junheng.inputs.schema import TYPE_STUDENT_PARTS, load_schema
from junheng.inputs.statistics.cells import tidy
from junheng.inputs.statistics.codes import SECTION_ORDER, school_type_label
from junheng.inputs.statistics.compose import SCHOOL_COLUMNS, SECTION_COLUMNS
from junheng.inputs.statistics.records import Extraction
from junheng.problems import ERROR, INFO, WARNING

KEY = ["year", "school_code"]
ORIGIN = ["_file", "_sheet", "_row"]
RANK = {None: -1, **{s: i for i, s in enumerate(SECTION_ORDER)}}


def section_columns(section: str) -> list[str]:
    """The per-学段 contract columns of one 学段 ('students_primary' …)."""
    return [f"{base}_{section}" for base in SECTION_COLUMNS]


def _labels(kind: str) -> dict:
    schema = load_schema()
    if kind == "section":
        return {**schema.enums["section"], "senior": {"zh": "高中", "en": "senior"}}
    return schema.enums[kind]


def _row_params(row) -> dict:
    return {
        "file": row["_file"],
        "sheet": row["_sheet"],
        "row": None if pd.isna(row["_row"]) else int(row["_row"]),
    }


def _problem(ext, severity, message, row, **params):
    where = _row_params(row)
    ext.problem(severity, message, where["file"], where["sheet"], where["row"], **params)


def _value(value):
    """A cell's text, None when empty."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def screen(frame: pd.DataFrame, ext: Extraction) -> pd.DataFrame:
    """Drop records that are not compulsory education (reported), note old codes; keep the rest."""
    not_compulsory = frame["_type_known"] & frame["school_type"].isna()
    for _, row in frame[not_compulsory].iterrows():
        type_code, type_name = _value(row.get("school_type_code")), _value(row.get("school_type_name"))
        label = school_type_label(type_code, type_name)
        _problem(ext, INFO, "not_compulsory", row, code=row["school_code"], school_type=label or type_code)
        ext.skip(
            row["_file"],
            row["_sheet"],
            row["_row"],
            "not_compulsory",
            school_code=row["school_code"],
            school_name=_value(row.get("school_name")),
            type_code=type_code,
            type_name=label,
        )
    frame = frame[~not_compulsory].copy()
    unknown = ~frame["_type_known"]
    frame.loc[unknown, "school_type"] = [
        r.get("school_type_name") or r.get("school_type_code") or None for _, r in frame[unknown].iterrows()
    ]  # the raw text: validation reports it as an unknown school type
    for _, row in frame[frame["_old_location"]].iterrows():
        _problem(ext, WARNING, "old_location_code", row, value=row.get("location_code"))
    for _, row in frame[frame["county_code"].isna()].iterrows():
        _problem(ext, ERROR, "no_county_code", row, mapping=row["_mapping"])
    unknown_location = ~frame["_location_known"]
    frame.loc[unknown_location, "location"] = [
        r.get("location_name") or r.get("location_code") for _, r in frame[unknown_location].iterrows()
    ]
    return frame


def combine(frame: pd.DataFrame, ext: Extraction) -> pd.DataFrame:
    """One row per school and year.

    Records of several 学段 files are joined; campuses sharing a counted school's code are merged
    into it.
    """
    frame = frame.assign(_rank=frame["_file_section"].map(RANK).fillna(-1))
    frame = frame.sort_values(
        ["year", "school_code", "_counted", "_rank", "_order"], ascending=[1, 1, 0, 1, 1]
    )
    counted_codes = set(
        zip(frame.loc[frame["_counted"], "year"], frame.loc[frame["_counted"], "school_code"], strict=True)
    )
    same_code = ~frame["_counted"] & pd.Series(
        [k in counted_codes for k in zip(frame["year"], frame["school_code"], strict=True)], index=frame.index
    )
    campuses = frame[same_code]
    frame = frame[~same_code]
    duplicate = frame.duplicated(KEY + ["_file_section"]) & (
        frame["_file_section"].notna() | frame.duplicated(KEY)
    )
    for _, row in frame[duplicate].iterrows():
        first = frame[(frame["year"] == row["year"]) & (frame["school_code"] == row["school_code"])].iloc[0]
        _problem(
            ext,
            ERROR,
            "duplicate_school",
            row,
            code=row["school_code"],
            other=f"{first['_file']} {first['_row']}",
        )
        ext.skip(row["_file"], row["_sheet"], row["_row"], "duplicate_school", school_code=row["school_code"])
    frame = frame[~duplicate]
    groups = frame.groupby(KEY, sort=False)
    schools = groups.first()
    schools["_sections"] = groups["_sections"].agg(
        lambda s: tuple(x for x in SECTION_ORDER if any(x in t for t in s))
    )
    first = frame["_order"].eq(groups["_order"].transform("first"))
    _account(frame, np.where(first, "imported", "merged_section"), frame["school_code"], ext)
    _differences(frame, groups, ext)
    schools = schools.reset_index()
    if len(campuses):
        schools = _merge(
            schools,
            campuses,
            [(k, k) for k in zip(campuses["year"], campuses["school_code"], strict=True)],
            ext,
        )
        for _, row in campuses.iterrows():
            _problem(ext, INFO, "campus_same_code", row, code=row["school_code"], name=row.get("school_name"))
        _account(campuses, ["merged_into_parent"] * len(campuses), campuses["school_code"], ext)
    return schools


def _account(frame: pd.DataFrame, outcomes, into, ext) -> None:
    """What became of each record (the import report lists every input row)."""
    for file, sheet, row, year, code, outcome, target in zip(
        frame["_file"],
        frame["_sheet"],
        frame["_row"],
        frame["year"],
        frame["school_code"],
        outcomes,
        into,
        strict=True,
    ):
        ext.dispositions.append(
            {
                "file": file,
                "sheet": sheet,
                "row": None if pd.isna(row) else int(row),
                "year": int(year),
                "school_code": code,
                "outcome": outcome,
                "into": target,
            }
        )


def _differences(frame, groups, ext) -> None:
    """Whole-school resources that differ between the files of one school (the first is used)."""
    differ = pd.Series(False, index=frame.index)
    for column in SHARED:
        first = groups[column].transform("first")
        differ |= frame[column].notna() & first.notna() & (tidy(frame[column]) != tidy(first))
    if not differ.any():
        return
    firsts = groups["_file"].transform("first")
    table = load_schema().tables["schools"].columns
    for idx, row in frame[differ].iterrows():
        columns = [
            c for c in SHARED if pd.notna(row[c]) and tidy(row[c]) != tidy(groups[c].transform("first")[idx])
        ]
        names = "、".join(table[c].zh for c in columns)
        _problem(ext, WARNING, "resources_differ", row, columns=names, first=str(firsts[idx]))


def _add(parent: pd.Series, child: pd.Series) -> pd.Series:
    """The parent with the child's students and numerators added (学段 the child has only)."""
    out = parent.copy()
    for section in SECTION_ORDER:
        if section not in child["_sections"]:
            continue
        for column in section_columns(section):
            out[column] = tidy(np.float64(out[column] if section in out["_sections"] else 0) + child[column])
    for column in SCHOOL_COLUMNS:
        out[column] = tidy(np.float64(out[column]) + np.float64(child[column]))
    out["_sections"] = tuple(s for s in SECTION_ORDER if s in out["_sections"] or s in child["_sections"])
    return out


def _merge(schools: pd.DataFrame, children: pd.DataFrame, targets, ext) -> pd.DataFrame:
    """Add each child record into its target school ((year, code) -> (year, parent code))."""
    schools = schools.copy()
    index = {k: i for i, k in enumerate(zip(schools["year"], schools["school_code"], strict=True))}
    for (_, child), (_, parent_key) in zip(children.iterrows(), targets, strict=True):
        position = index[parent_key]
        merged = _add(schools.iloc[position], child)
        for column, value in merged.items():
            if column in schools.columns and not _same(
                schools.iat[position, schools.columns.get_loc(column)], value
            ):
                if isinstance(value, tuple) and schools[column].dtype != object:
                    schools[column] = schools[column].astype(object)
                schools.iat[position, schools.columns.get_loc(column)] = value
    return schools


def _same(a, b) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return a == b
    return (pd.isna(a) and pd.isna(b)) or a == b


def _follow(code, links: dict, children: set, counted: set) -> tuple[str, list]:
    """Where a 不计校数 code's parent links lead: (outcome, the codes on the way, in order).

    'counted' (the last is a counted school: merge into it), 'cycle' (the codes of the circle,
    its first code repeated at the end), 'not_counted' (the last is a 不计校数 row without a
    parent), 'missing' (the last is not in the exports).
    """
    chain = [code]
    while True:
        parent = links[chain[-1]]
        if parent in counted:
            return "counted", [*chain, parent]
        if parent in chain:
            return "cycle", [*chain[chain.index(parent) :], parent]
        if parent in children and parent in links:
            chain.append(parent)
            continue
        return ("not_counted" if parent in children else "missing"), [*chain, parent]


def _map_problem(ext, message, parent_map, row, child, **params) -> None:
    """An error of the parent map, of the child's county-year (which gets no verdict)."""
    ext.problem(ERROR, message, parent_map.file, "", row, **params)
    ext.problems[-1].county_code, ext.problems[-1].year = child["county_code"], int(child["year"])


def _cycle_text(cycle: list) -> list:
    """A circle of codes from its smallest code, in the map's order: [b, c, a, b] -> [a, b, c, a]."""
    ring = cycle[:-1]
    start = ring.index(min(ring))
    ring = ring[start:] + ring[:start]
    return [*ring, ring[0]]


def apply_parents(schools: pd.DataFrame, parent_map, ext: Extraction) -> tuple[pd.DataFrame, list[dict]]:
    """Merge the 不计校数 schools given a parent; report the others.

    A parent that is itself 不计校数 with a parent of its own is followed to the counted school at
    the end (both merge into it); a circle of parents is one error naming its schools in order.
    Returns the schools and the rows of the parent-mapping template (every 不计校数 school,
    whatever happened to it).
    """
    types = _labels("school_type")
    children = schools[~schools["_counted"]]
    counted = schools[schools["_counted"]]
    by_name = counted.groupby(["county_code", "year", "school_name"])["school_code"].agg(list).to_dict()
    codes = set(zip(counted["year"], counted["school_code"], strict=True))
    given_of, links = {}, {}
    for idx, child in children.iterrows():
        given = parent_map.parent(child["school_code"], int(child["year"])) if parent_map else None
        if not given:
            continue
        parent_code, parent_name, map_row = given
        if not parent_code and parent_name:
            found = by_name.get((child["county_code"], child["year"], parent_name), [])
            parent_code = found[0] if len(found) == 1 else None
        given_of[idx] = (parent_code, parent_name, map_row)
        links[(child["year"], child["school_code"])] = (child["year"], parent_code or parent_name)
    child_keys = set(zip(children["year"], children["school_code"], strict=True))
    merged, targets, template, cycles = [], [], [], set()
    for idx, child in children.iterrows():
        given = given_of.get(idx)
        parent_code, parent_name, map_row = given if given else (None, None, None)
        key = (child["year"], child["school_code"])
        way, chain = _follow(key, links, child_keys, codes) if given else (None, [])
        students = sum(
            float(child[f"students_{s}"]) for s in SECTION_ORDER if pd.notna(child.get(f"students_{s}"))
        )
        label = types.get(child["school_type"], {}).get("zh", child["school_type"])
        if way == "counted":
            merged.append(idx)
            targets.append((key, chain[-1]))
            outcome = "merged"
            via = "、".join(c for _, c in chain[1:-1])
            _problem(
                ext,
                INFO,
                "merged_via_parent" if via else "merged_into_parent",
                child,
                code=child["school_code"],
                parent=chain[-1][1],
                via=via,
            )
        elif way == "cycle":
            outcome = "cycle"
            ring = _cycle_text(chain)
            if key in chain and tuple(ring) not in cycles:
                cycles.add(tuple(ring))
                rows = [parent_map.parent(c, int(y))[2] for y, c in ring[:-1]]
                _map_problem(
                    ext,
                    "parent_cycle",
                    parent_map,
                    min(rows),
                    child,
                    cycle=" → ".join(c for _, c in ring),
                    rows="、".join(str(r) for r in sorted(rows)),
                    codes="、".join(c for _, c in ring[:-1]),
                    year=int(child["year"]),
                )
            elif key not in chain:
                _map_problem(
                    ext,
                    "parent_in_cycle",
                    parent_map,
                    map_row,
                    child,
                    code=child["school_code"],
                    parent=chain[1][1],
                )
        elif way == "not_counted":
            outcome = "parent_not_counted"
            _map_problem(
                ext,
                "parent_not_counted",
                parent_map,
                map_row,
                child,
                code=child["school_code"],
                parent=chain[1][1],
                end=chain[-1][1],
            )
        elif way == "missing":
            outcome = "parent_not_found"
            _map_problem(
                ext,
                "parent_not_found",
                parent_map,
                map_row,
                child,
                code=child["school_code"],
                parent=chain[-1][1],
                year=int(child["year"]),
            )
        elif child["school_type"] == "teaching_point":
            outcome = "teaching_point"
            _problem(ext, INFO, "teaching_point_unassigned", child, code=child["school_code"])
        else:
            outcome = "separate"
            _problem(
                ext, WARNING, "not_counted_unassigned", child, code=child["school_code"], school_type=label
            )
        template.append(
            {
                "year": int(child["year"]),
                "county_code": child["county_code"],
                "code": child["school_code"],
                "name": child["school_name"],
                "school_type": label,
                "students": int(students) if students == students else None,
                "file": child["_file"],
                "row": None if pd.isna(child["_row"]) else int(child["_row"]),
                "parent_code": parent_code if given else None,
                "parent_name": parent_name if given else None,
                "outcome": outcome,
            }
        )
    if merged:
        moved = schools.loc[merged]
        schools = schools.drop(index=merged).reset_index(drop=True)
        schools = _merge(schools, moved, [t for t in targets], ext)
        parent_of = {(year, code): parent for (year, code), (_, parent) in targets}
        for d in ext.dispositions:
            key = (d["year"], d["school_code"])
            if d["outcome"] in ("imported", "merged_section") and key in parent_of:
                d["outcome"], d["into"] = "merged_into_parent", parent_of[key]
    return schools.reset_index(drop=True), template


def fill_sections(schools: pd.DataFrame, ext: Extraction) -> pd.DataFrame:
    """学段 the type needs but no file held: error; 学段 the school does not have: 0."""
    sections = _labels("section")
    types = _labels("school_type")
    schools = schools.copy()
    for section in SECTION_ORDER:
        present = schools["_sections"].map(lambda secs, s=section: s in secs).astype(bool)
        needed = schools["school_type"].map(lambda t, s=section: s in TYPE_STUDENT_PARTS.get(t, ()))
        for _, row in schools[needed & ~present].iterrows():
            _problem(
                ext,
                ERROR,
                "section_not_found",
                row,
                code=row["school_code"],
                school_type=types[row["school_type"]],
                section=sections[section],
            )
        absent = ~present & ~needed
        for column in section_columns(section):
            if not column.startswith("oversized_classes"):
                schools.loc[absent, column] = 0.0
    schools["migrant_students"] = tidy(schools["migrant_primary"] + schools["migrant_junior"])
    return schools
