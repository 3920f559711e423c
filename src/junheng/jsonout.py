"""Strict JSON documents: NaN and infinities become null, and the text is whole or not written."""

from __future__ import annotations

import json
import math


def finite(value):
    """``value`` with every NaN or infinite float (at any depth) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar
        return finite(value.item())
    if value is not None and type(value).__name__ in ("NAType", "NaTType"):  # pandas NA / NaT
        return None
    return value


def dumps_strict(value, **kwargs) -> str:
    """The JSON text of ``value`` (RFC 8259: no NaN or Infinity), built completely before any output."""
    return json.dumps(finite(value), ensure_ascii=False, allow_nan=False, default=str, **kwargs)
