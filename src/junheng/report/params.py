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


PAPERMILL_MARK = "# Parameters"  # the first line of the cell papermill injects (tagged injected-parameters)


def _assigned(source: str) -> set[str]:
    """The names a cell assigns at its top level (``x = 1``, ``x: int = 1``)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def unknown_injected(history) -> tuple[list[str], list[str]]:
    """(names papermill injected that the parameters cell does not declare, the declared names).

    ``history`` is IPython's ``In``: the sources of the cells run so far, in order. papermill runs the
    parameters cell, then the cell it injects (``# Parameters`` …): both are read from there.
    """
    history = list(history or [])
    for i in range(len(history) - 1, 0, -1):
        if str(history[i]).lstrip().startswith(PAPERMILL_MARK):
            declared = _assigned(str(history[i - 1])) if i > 1 else set()
            return sorted(_assigned(str(history[i])) - declared), sorted(declared)
    return [], []


def _said(exc, lang: str) -> str:
    message = getattr(exc, "message", None)
    return message(lang) if callable(message) else str(exc)


def checked(namespace: dict) -> dict:
    """The notebook's parameters checked before any work, or a `ParameterError` in the report's language.

    Called first in the report notebook with ``globals()``: a parameter papermill injected that the
    notebook does not have (``-p yaer 2024``, with a did-you-mean), the language, the county code,
    the year, the rule set and overlays (did-you-mean), the data path (said first when it does not
    exist), the county and year in the data (listing those there), the report date; the messages of
    `junheng report`. Returns the parameters as the report uses them (``county_code`` six digits,
    ``overlays`` a tuple, ``lang``).
    """
    import difflib

    from junheng.errors import UserError

    lang = lang_param(namespace.get("lang", "zh"))
    unknown, declared = unknown_injected(namespace.get("In"))
    if unknown:
        close = difflib.get_close_matches(unknown[0], declared, n=1)
        hint = t("params.did_you_mean", lang, name=close[0]) if close else ""
        sep = "、" if lang == "zh" else ", "
        raise ParameterError(t("params.unknown", lang, name=unknown[0], hint=hint, known=sep.join(declared)))
    code = county_code_param(namespace.get("county_code"), lang)
    year = namespace.get("year")
    try:
        year = int(year)
        if isinstance(namespace.get("year"), bool) or not 1000 <= year <= 9999:
            raise ValueError
    except (TypeError, ValueError):
        raise ParameterError(t("params.bad_year", lang, value=namespace.get("year"))) from None
    overlays = overlays_param(namespace.get("overlays"))
    try:
        from junheng.method.rules import RuleSet
        from junheng.report.run import check_request

        RuleSet(namespace.get("rules") or "youzhi-2017", overlays)
        check_request(code, year, namespace.get("data") or None)
    except UserError as exc:
        raise ParameterError(_said(exc, lang)) from None
    if namespace.get("report_date"):
        date_param(namespace["report_date"], lang)
    return {"county_code": code, "year": year, "overlays": overlays, "lang": lang}
