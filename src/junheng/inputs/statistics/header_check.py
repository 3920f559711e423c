"""Whether a county-wide sheet's header block is whole: broken merged headers are one error.

A header whose merged cells were damaged (by hand or by a tool) is read level by level as it
stands, so its columns lose the levels above them or the header swallows the first schools. Read
on regardless, every column not found and every school row then gives its own message: hundreds
of errors, none of them saying what is wrong (issue #22). Two signs, checked before any value is
read:

- school rows inside the header block: a merged cell reaches from the header into the data;
- columns whose own label is there (硕士研究生, 体育与健康 …) but not the levels the mapping puts
  above it (专任教师 › 按学历分), although those levels are written elsewhere in the header, for
  two fields or more: the levels were lost. (A level written nowhere is a header that names it
  differently, and one such field may be a mapping's quirk: the usual per-field messages say so.)

Either gives one error naming the file, the sheet, the header rows and what was expected; the
sheet is not read further.
"""

from __future__ import annotations

from junheng.inputs.statistics.labels import TOTALS, show_path
from junheng.inputs.statistics.layout import Layout, looks_like_data
from junheng.inputs.statistics.mapping import Mapping
from junheng.inputs.statistics.workbook import column_letter

SHOWN = 3
MIN_ORPHANS = 2


def _range(r0, c0, r1, c1) -> str:
    return f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"


def data_in_header(layout: Layout) -> tuple[int, list] | None:
    """(first school row inside the header block, merged ranges reaching it), if any."""
    header = layout.header_rows
    first = next(
        (r for r in range(header.start + 1, header.stop) if looks_like_data(layout.sheet.rows[r])), None
    )
    if first is None:
        return None
    merges = [m for m in layout.sheet.merges if m[0] < first <= m[2]]
    return first, [_range(*m) for m in merges]


def orphans(layout: Layout, mapping: Mapping, targets) -> list[tuple]:
    """Fields not found whose own label heads some column: (field, alternatives, column).

    Only where every level the mapping puts above that label is written somewhere in the header
    (over other columns): the levels are there but no longer above the column. A level written
    nowhere is a header that names it differently, not a broken one.
    """
    from junheng.inputs.statistics.wide import find_column

    labels = {level for column in layout.columns for level in column.path}
    out = []
    for fld, _, alternatives in targets:
        if fld.optional or fld.kind in ("buckets",) or not alternatives:
            continue
        if find_column(layout.columns, alternatives)[0] != "not_found":
            continue
        lost = [a for a in alternatives if all(any(p.match(x) for x in labels) for p in a[:-1])]
        for column in layout.columns:
            own = column.path[-1]
            if len(column.path) > 1 and own in TOTALS:
                own = column.path[-2]
            if any(alternative[-1].match(own) for alternative in lost):
                out.append((fld, alternatives, column))
                break
    return out


def header_problem(layout: Layout, mapping: Mapping, targets) -> tuple[str, dict] | None:
    """(message, params) of a broken header block, or None when it looks whole.

    ``targets``: (field, 学段, header-path alternatives) for every value the sheet should hold.
    """
    rows = f"{layout.header_rows.start + 1}–{layout.header_rows.stop}"
    example = next((a for f, _, alts in targets if f.role == "students" for a in alts[:1]), None)
    into_data = data_in_header(layout)
    if into_data is not None:
        first, merges = into_data
        return "header_into_data", {
            "rows": rows,
            "data_row": first + 1,
            "merges": "、".join(merges[:SHOWN]) or "—",
            "expected": " › ".join(p.text for p in example) if example else "",
        }
    lost = orphans(layout, mapping, targets)
    if len(lost) < MIN_ORPHANS:
        return None
    found = "；".join(f"{column_letter(c.index)}: {show_path(c.path)}" for _, _, c in lost[:SHOWN])
    expected = "；".join(" › ".join(p.text for p in alts[0]) for _, alts, _ in lost[:SHOWN])
    return "header_levels_broken", {
        "rows": rows,
        "count": len(lost),
        "found": found,
        "expected": expected,
        "mapping": mapping.source,
    }
