"""The county's own workbook (our template layout) with what the exports do not hold."""

from __future__ import annotations

import math

import pandas as pd

from junheng.inputs.schema import load_schema

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
    """What the exports do not hold, keyed by school code and year (the sample's own values)."""
    keep = ["school_code", "year", "school_name", *SUPPLEMENT_COLUMNS]
    return schools[keep]


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
        ws.append(list(shown.columns))
        for values in shown.itertuples(index=False):
            ws.append([_cell(v) for v in values])
        code_columns = [i + 1 for i, c in enumerate(frame.columns) if table.columns[c].type == "code"]
        for column in code_columns:
            for cell in next(ws.iter_cols(min_col=column, max_col=column)):
                cell.number_format = "@"
    return wb


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value
