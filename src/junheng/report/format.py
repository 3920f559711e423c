"""One formatter for every number a reader sees, in tables and in sentences alike.

Decimals per unit come from the rule file (each indicator's ``decimals``) or from the defaults
below. A value shown next to a threshold is never rounded across it: 84.96 % against 85 % reads
"84.96%", not "85.0%" (`against`).
"""

from __future__ import annotations

import math

from pandas import NA as _NA

MISSING = "—"
# Values equal to a threshold up to floating-point error meet it (the engine's rule).
TOLERANCE = 1e-9
COEFFICIENT_DECIMALS = 3
PERCENT_DECIMALS = 1
MAX_DECIMALS = 6


def is_missing(value) -> bool:
    """None, NaN and pandas' missing values."""
    if value is None or value is _NA:
        return True
    try:
        return bool(value != value)  # NaN
    except (TypeError, ValueError):
        return True


def number(value, decimals: int = 2, thousands: bool = True) -> str:
    """``1234.5`` → ``"1,234.50"``; integers keep no decimals when ``decimals`` is 0."""
    if is_missing(value):
        return MISSING
    value = float(value)
    if decimals <= 0:
        value = round(value)
        return f"{value:,.0f}" if thousands else f"{value:.0f}"
    return f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"


def integer(value) -> str:
    """A count: ``1500`` → ``"1,500"``."""
    return number(value, 0)


def percent(value, decimals: int = PERCENT_DECIMALS) -> str:
    """A share: ``0.8471`` → ``"84.7%"``."""
    if is_missing(value):
        return MISSING
    return f"{float(value) * 100:.{decimals}f}%"


def coefficient(value) -> str:
    """A difference coefficient, always with three decimals."""
    return number(value, COEFFICIENT_DECIMALS, thousands=False)


def _meets(value: float, threshold: float, comparison: str) -> bool:
    if comparison == ">=":
        return value >= threshold * (1 - TOLERANCE) if threshold >= 0 else value >= threshold
    if comparison == "<=":
        return value <= threshold * (1 + TOLERANCE) if threshold >= 0 else value <= threshold
    if comparison == "<":
        return value < threshold
    if comparison == ">":
        return value > threshold
    raise ValueError(f"unknown comparison {comparison!r}")


def against(
    value,
    threshold,
    decimals: int,
    comparison: str = ">=",
    scale: float = 1.0,
    suffix: str = "",
    thousands: bool = True,
) -> str:
    """``value`` formatted so that rounding never moves it across ``threshold``.

    The shown number is read back and compared as the reader would; while that comparison
    disagrees with the one at full precision, one more decimal is shown (up to six).
    ``scale`` = 100 with ``suffix`` = "%" formats shares as percentages.
    """
    if is_missing(value):
        return MISSING
    true = float(value) * scale
    if is_missing(threshold):
        shown = decimals
    else:
        limit = float(threshold) * scale
        verdict = _meets(true, limit, comparison)
        shown = decimals
        while shown < MAX_DECIMALS and _meets(round(true, shown), limit, comparison) != verdict:
            shown += 1
    text = number(true, shown, thousands) if shown > 0 else number(true, 0, thousands)
    return text + suffix


def percent_against(value, threshold, comparison: str = ">=", decimals: int = PERCENT_DECIMALS) -> str:
    """A share next to its threshold share: 0.8471 against 0.85 → ``"84.7%"``; 0.84996 → ``"84.996%"``."""
    return against(value, threshold, decimals, comparison, scale=100, suffix="%", thousands=False)


def coefficient_against(value, limit) -> str:
    """A coefficient next to its limit (≤): 0.5004 against 0.50 → ``"0.5004"``."""
    return against(value, limit, COEFFICIENT_DECIMALS, "<=", thousands=False)


def ceil_to(value, step: float) -> float:
    """Round an amount to add up to the next ``step`` (you cannot build 0.3 m²)."""
    if is_missing(value):
        return value
    if step <= 0:
        return float(value)
    return math.ceil(float(value) / step - TOLERANCE) * step
