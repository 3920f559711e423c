"""Notebook parameters as papermill delivers them, made what the report needs.

``papermill -p county_code 010101`` injects the integer 10101 and ``-p overlays liaoning`` the
string "liaoning": both are accepted here. A YAML parameters file (``-f``) reads ``012345`` as the
octal number 5349, which cannot be told from a real code: such values stop with a message that
says how to pass the code as text.
"""

from __future__ import annotations

import datetime
import numbers

from junheng.i18n import t

CODE_LENGTH = 6


class ParameterError(ValueError):
    """A notebook parameter that cannot be used, with a message saying how to pass it."""


def county_code_param(value, lang: str = "zh") -> str:
    """A county code as six digits of text.

    Text must be six digits. An integer of six digits is taken as it is; an integer of five
    digits lost one leading zero on the way (``-p county_code 010101``) and gets it back. Any
    other number cannot be restored with certainty.
    """
    if isinstance(value, bool):
        raise ParameterError(t("params.bad_code", lang, value=value))
    if isinstance(value, numbers.Integral) or (isinstance(value, float) and float(value).is_integer()):
        digits = str(int(value))
        if len(digits) == CODE_LENGTH:
            return digits
        if len(digits) == CODE_LENGTH - 1:
            return digits.zfill(CODE_LENGTH)
        raise ParameterError(t("params.ambiguous_code", lang, value=value))
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == CODE_LENGTH):
        raise ParameterError(t("params.bad_code", lang, value=value))
    return text


def overlays_param(value) -> tuple:
    """Overlays as a tuple of names: a list, a single name, or names separated by commas."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())


def lang_param(value) -> str:
    """The report's language: ``zh`` or ``en`` (any case); anything else stops with a message."""
    text = str(value or "zh").strip().lower()
    if text not in ("zh", "en"):
        raise ParameterError(t("params.bad_lang", "zh", value=value))
    return text


def date_param(value, lang: str = "zh") -> datetime.date:
    """The report date: a date, ``"YYYY-MM-DD"`` text, or empty for today."""
    if value is None or value == "":
        return datetime.date.today()
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ParameterError(t("params.bad_date", lang, value=value)) from None
