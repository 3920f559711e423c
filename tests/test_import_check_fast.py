"""The import's check of missing required values (`importer._check_values`, issue #21) reports exactly
what its former row-by-row form reported (`reference` below, kept verbatim): the same problems, in the
same order, with the same files, sheets, rows, columns and parameters — on the schools of the committed
school workbooks (values missing: not applicable, not found) and a school workbook without a table, and
on random holes punched in them."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from junheng.inputs.dataset import load
from junheng.inputs.schema import TYPE_STUDENT_PARTS
from junheng.inputs.statistics import importer
from junheng.inputs.statistics.compose import sources
from junheng.inputs.statistics.records import SCHOOL, Extraction
from junheng.problems import ERROR

EXPORTS = Path(__file__).parent.parent / "data" / "examples" / "exports"


def reference(schools: pd.DataFrame, ext) -> None:
    """`_check_values` before issue #21's cut: one `iterrows` over the whole frame per column."""
    if schools.empty:
        return
    for column, col in importer.CONTRACT.items():
        if not col.required or col.type not in ("int", "number") or column not in schools:
            continue
        section, roles = sources(column)
        if section is not None:
            needed = schools["school_type"].map(lambda t, s=section: s in TYPE_STUDENT_PARTS.get(t, ()))
            needed &= schools["_sections"].map(lambda secs, s=section: s in secs).astype(bool)
        else:
            needed = schools["school_type"].notna()
        missing = needed & schools[column].isna()
        by_file: dict = {}
        for _, row in schools[missing].iterrows():
            reason = next(
                (
                    ext.reasons[(f, role, section or SCHOOL)]
                    for f in row["_files"]
                    for role in roles
                    if (f, role, section or SCHOOL) in ext.reasons
                ),
                None,
            )
            by_file.setdefault((row["_file"], row["_sheet"], reason), []).append(row)
        for (file, sheet, reason), rows in by_file.items():
            status, field_name, mapping, detail = reason or ("not_applicable", "", "", "")
            ext.problem(
                ERROR,
                f"value_missing_{status}",
                file,
                sheet,
                int(rows[0]["_row"]) if len(rows) == 1 and pd.notna(rows[0]["_row"]) else None,
                col.header,
                field=field_name,
                mapping=mapping,
                detail=detail,
                schools=len(rows),
                codes="、".join(str(r["school_code"]) for r in rows[:5]),
            )


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    """The (schools, reasons) `_check_values` was given by imports of several kinds."""
    from test_import_cases import sample_school_workbook

    from junheng.sample.exports import xlsx_bytes

    seen = []
    original = importer._check_values

    def spy(schools, ext):
        seen.append((schools.copy(), copy.deepcopy(ext.reasons)))
        return original(schools, ext)

    book = sample_school_workbook("jiaoji-2021")
    book.sheets = [s for s in book.sheets if not s.name.startswith("教基5176")]
    folder = tmp_path_factory.mktemp("w")
    (folder / "学校.xlsx").write_bytes(xlsx_bytes(book))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(importer, "_check_values", spy)
        for path in (EXPORTS / "school-workbooks" / "jiaoji-2021", folder):
            load(path)
    assert seen
    return seen


def problems(check, schools, reasons):
    ext = Extraction(reasons=reasons)
    check(schools, ext)
    return [repr(p) for p in ext.problems]


def test_the_imports_schools_give_the_same_problems(calls):
    reported = 0
    for schools, reasons in calls:
        fast = problems(importer._check_values, schools, reasons)
        assert fast == problems(reference, schools, reasons)
        reported += len(fast)
    assert reported  # the workbook without its 教基5176 tables reports its missing values


def test_random_holes_give_the_same_problems(calls):
    rng = np.random.default_rng(21)
    numbers = [c for c, col in importer.CONTRACT.items() if col.required and col.type in ("int", "number")]
    for schools, reasons in calls:
        if schools.empty:
            continue
        present = [c for c in numbers if c in schools]
        for _ in range(6):
            out = schools.copy()
            for c in rng.choice(present, size=min(4, len(present)), replace=False):
                out[c] = out[c].where(rng.random(len(out)) < 0.6)
            if "_row" in out and rng.random() < 0.5:
                out["_row"] = out["_row"].where(rng.random(len(out)) < 0.5)
            fast = problems(importer._check_values, out, reasons)
            assert fast == problems(reference, out, reasons)
    assert problems(importer._check_values, calls[0][0].iloc[:0], {}) == []
