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


# -- a notebook's parameters checked before a kernel starts (junheng report / run) -------------------

# the parameters `junheng report` and `junheng run` give a notebook from their own options (None: set
# by junheng itself); ``-p NAME VALUE`` is for the notebook's other parameters
OPTIONS = {
    "data": "DATA",
    "county_code": "--county",
    "year": "--year",
    "rules": "--rules",
    "overlays": "--overlay",
    "lang": "--lang",
    "report_date": "--report-date",
    "issuer": "--issuer",
    "final": "--final",
    "school_profiles": "--school-profiles",
    "json_path": None,
    "xlsx_path": None,
    "png_charts": None,  # PNG charts only when Word is asked for (`junheng.report.run.execute`)
}


def parameter_value(text: str):
    """A ``-p NAME VALUE`` value typed as papermill's command line types it.

    ``True``/``False``/``None``, an integer, a number, otherwise the text as it is.
    """
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def given_parameters(pairs) -> dict:
    """``[[name, value], …]`` of ``-p`` options as {name: typed value} (a later value wins)."""
    return {str(name): parameter_value(str(value)) for name, value in pairs or ()}


def declared_parameters(notebook) -> list[str] | None:
    """The names a notebook's ``parameters`` cell assigns, in order; None without such a cell.

    The names papermill's ``inspect_notebook`` gives, read as the kernel's own check reads them
    (`_assigned`): the notebook as JSON and the cell parsed with ``ast`` (nbformat and papermill
    take seconds to import on a loaded machine; this is what runs before every report).
    """
    import ast
    import json

    with open(notebook, encoding="utf-8") as handle:
        nb = json.load(handle)
    if nb.get("nbformat", 4) < 4:  # an old notebook: as nbformat upgrades it
        import nbformat

        nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            declared = _assigned(source)
            try:  # in the order they are written
                order = [n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)]
            except SyntaxError:
                order = []
            return sorted(declared, key=lambda name: order.index(name) if name in order else len(order))
    return None


def _unknown(name: str, declared: list[str], shown: str | None = None):
    import difflib

    from junheng.errors import UserError

    close = difflib.get_close_matches(name, declared, n=1)
    hint = {lang: t("params.did_you_mean", lang, name=close[0]) if close else "" for lang in ("zh", "en")}
    known = {"zh": "、".join(declared) or "—", "en": ", ".join(declared) or "—"}
    return UserError("params.unknown", name=shown or name, hint=hint, known=known)


def check_parameters(notebook, given: dict, options=()) -> None:
    """Check the parameters a run gives ``notebook`` before a kernel starts (``UserError``).

    ``given``: the ``-p`` parameters. Each must be a parameter the notebook declares (papermill only
    warns and the report keeps the default: ``-p yaer 2024``), with a did-you-mean, and must not be one
    junheng gives from its own option (`OPTIONS`: ``-p year`` is ``--year``, checked there with the
    command line's messages). ``options``: the junheng parameters the user set by option (``overlays``
    for ``--overlay liaoning``): a notebook of one's own that does not declare one would ignore it.
    A notebook without a parameters cell is not checked (papermill injects at its top).
    """
    from junheng.errors import UserError

    for name in given:
        if name in OPTIONS and OPTIONS[name]:
            raise UserError("params.use_option", name=name, option=OPTIONS[name])
        if name in OPTIONS:
            raise UserError("params.set_by_junheng", name=name)
    declared = declared_parameters(notebook)
    if declared is None:
        return
    for name in given:
        if name not in declared:
            raise _unknown(name, declared)
    for name in options:
        if name not in declared:
            raise _unknown(name, declared, f"{name} ({OPTIONS[name]})")
