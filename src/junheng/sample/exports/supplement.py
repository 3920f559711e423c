"""The county's own workbook (our template layout) with what the exports do not hold."""

from __future__ import annotations

import math

import pandas as pd

from junheng.inputs.schema import load_schema
from junheng.inputs.validation import CUSTOM

# Columns of the contract the exports do not hold: the county's supplementary workbook gives them.
SUPPLEMENT_COLUMNS = (
    "teachers_pe_art_itinerant_primary",
    "max_class_size_primary",
    "max_class_size_junior",
    "music_rooms",
    "art_rooms",
    "music_room_min_m2",
    "art_room_min_m2",
    "built_year",
    "boarding",
    "entrants_catchment_primary",
    "entrants_catchment_junior",
    "public_funds_yuan",
    "training_funds_yuan",
    "teachers_certified",
    "teachers_trained_360h",
    "has_charter",
    "ict_management",
    "moral_education_rating",
)


def supplement_rows(schools: pd.DataFrame) -> pd.DataFrame:
    """What the exports do not hold, keyed by school code and year (the sample's own values).

    Columns the county added to its schools sheet (e.g. 是否数字校园) come along where it has them.
    """
    added = [c for c in schools.columns if c.startswith(CUSTOM) and schools[c].notna().any()]
    return schools[["school_code", "year", "school_name", *SUPPLEMENT_COLUMNS, *added]]


def supplement_workbook(tables: dict):
    """The county's supplementary workbook (openpyxl), laid out like `junheng template`.

    A 学校 sheet with only the columns the exports lack, and the county-level sheets.
    """
    from openpyxl import Workbook as OpenWorkbook

    from junheng.sample.sample_province import _display

    schema = load_schema()
    wb = OpenWorkbook()
    wb.remove(wb.active)
    for key, frame in tables.items():
        if frame is None:
            continue
        table = schema.tables[key]
        ws = wb.create_sheet(table.sheet)
        shown = _display(frame, key)
        for column in [c for c in frame.columns if c.startswith(CUSTOM)]:  # as the county typed them
            shown[column.removeprefix(CUSTOM)] = frame[column]
        ws.append(list(shown.columns))
        for values in shown.itertuples(index=False):
            ws.append([_cell(v) for v in values])
        codes = {c.header for c in table.columns.values() if c.type == "code"}
        for column in [i + 1 for i, header in enumerate(shown.columns) if header in codes]:
            for cell in next(ws.iter_cols(min_col=column, max_col=column)):
                cell.number_format = "@"
    return wb


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value
