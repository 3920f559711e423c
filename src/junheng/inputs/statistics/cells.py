"""Cell values as the statistics system exports them.

Numbers are stored as text ('1,234.5', full-width digits); inside a table that is present a blank
cell means 0; '*' marks a cell that does not apply (read as missing, never as 0); codes stay text
(10-digit school codes, 12-digit division codes) even when Excel turned them into numbers.
Sums and unit conversions are rounded to 6 decimal places: far below any reported precision, it
removes binary floating-point noise so that 12.3 + 4.56 is 16.86 exactly as written.
"""

from __future__ import annotations

import math
import unicodedata

import numpy as np
import pandas as pd

NOT_APPLICABLE = "*"
DECIMALS = 6
_DASHES = {"-", "—", "–", "－", "/"}


class NotANumber(ValueError):
    """A cell that should hold a number holds text."""


def number(value) -> float:
    """One cell as a number: blank and dashes are 0, '*' is NaN; text that is no number raises."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise NotANumber(str(value))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) if not (isinstance(value, float) and math.isnan(value)) else 0.0
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    if not text or text in _DASHES:
        return 0.0
    if text == NOT_APPLICABLE:
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise NotANumber(str(value)) from None


def numbers(values: list) -> tuple[np.ndarray, list[int]]:
    """A column of cells as floats, and the positions whose text is not a number (left NaN)."""
    out = np.empty(len(values), dtype="float64")
    bad = []
    for i, v in enumerate(values):
        if isinstance(v, float) and v == v:
            out[i] = v
            continue
        # the usual cells of an export, read as ``number`` reads them: blank, or a count as text
        if v is None:
            out[i] = 0.0
            continue
        if type(v) is str and v.isascii() and (not v or v.isdigit()):
            out[i] = float(v) if v else 0.0
            continue
        try:
            out[i] = number(v)
        except NotANumber:
            out[i] = math.nan
            bad.append(i)
    return out, bad


def text(value) -> str | None:
    """A text cell, stripped; None when blank. Whole numbers read as Excel shows them ('12')."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    out = unicodedata.normalize("NFKC", str(value)).strip()
    return out or None


def code(value, length: int | None = None) -> str | None:
    """A code cell as digits text.

    Numbers lose no digit, and get their leading zeros back when ``length`` says how many there
    must be.
    """
    out = text(value)
    if out is None:
        return None
    out = out.replace(" ", "").lstrip("'")
    if length and out.isdigit() and len(out) < length:
        out = out.zfill(length)
    return out


def tidy(values):
    """Round sums and converted values to 6 decimal places (see the module docstring)."""
    if isinstance(values, (pd.Series, pd.DataFrame, np.ndarray)):
        return np.round(values, DECIMALS)
    return round(values, DECIMALS) if values == values else values
