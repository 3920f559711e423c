"""What the user gives at an entry point (command line, batch, `report()`), checked before use.

The DATA path, county codes and years, ``--formats`` and ``--jobs``. A county code becomes part of file names
(``reports/990102_2024.html``, ``reports/failed/…``), so it is checked before any path is built:
six ASCII digits (docs/method.md §1, "Units of evaluation"), nothing else. ``../../x`` or ``/tmp/x``
never reaches a path (issue #11, item 1).
"""

from __future__ import annotations

import re
from pathlib import Path

from junheng.errors import UserError

_CODE = re.compile(r"[0-9]{6}")  # not \d: that also matches other scripts' digits
YEARS = (1949, 2100)  # as the schema's year columns (validation.py)


def data_path(data) -> None:
    """A DATA path that does not exist: said as such (``UserError``), before any folder is made.

    Every entry point that reads DATA (evaluate, validate, plan, report, run): a mistyped folder name
    is the request's mistake, not a file problem of the data nor a county missing from them. A
    relative path is said with the folder it was taken from. ``None``: the bundled sample.
    """
    if data is None or Path(data).exists():
        return
    from junheng.i18n import t
    from junheng.inputs.sources import OLD_EXCEL_SUFFIXES, TABLE_SUFFIXES, WORKBOOK_SUFFIXES

    path = Path(data)
    where = {} if path.is_absolute() else {"cwd": str(Path.cwd())}
    relative = {lang: t("cli.relative_to", lang, **where) if where else "" for lang in ("zh", "en")}
    files = (*WORKBOOK_SUFFIXES, *TABLE_SUFFIXES, *OLD_EXCEL_SUFFIXES)
    key = "cli.no_data_file" if path.suffix.lower() in files else "cli.no_data_folder"
    raise UserError(key, path=str(data), where=relative)


def county_code(value) -> str:
    """The county code as a string of six ASCII digits, or ``UserError`` (exit 2)."""
    text = "" if value is None else str(value)
    if not _CODE.fullmatch(text):
        raise UserError("cli.bad_county_code", value=text)
    return text


def year(value) -> int:
    """A statistical year between 1949 and 2100, or ``UserError``."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not YEARS[0] <= number <= YEARS[1]:
        raise UserError("cli.bad_year", value=value)
    return number


def county_year(code, value) -> tuple[str, int]:
    """Both, for the entry points that build a file name from them."""
    return county_code(code), year(value)


# the formats a report is written in, as `junheng.report.run.KNOWN_FORMATS` names them (a test says so):
# named here because the inputs stage never imports the report
REPORT_FORMATS = ("html", "pdf", "xlsx", "docx")


def formats(value, known=None) -> tuple:
    """``--formats html,pdf`` as a tuple; an unknown or empty value is a ``UserError``."""
    if known is None:
        known = (*REPORT_FORMATS, "json")  # the JSON result is always written: asking for it is fine
    items = value.split(",") if isinstance(value, str) else list(value or ())
    chosen = tuple(dict.fromkeys(str(f).strip().lower() for f in items if str(f).strip()))
    if not chosen or any(f not in known for f in chosen):
        raise UserError(
            "cli.bad_formats",
            value=value if isinstance(value, str) else ",".join(items),
            expected=", ".join(known),
        )
    return chosen


def jobs(value) -> int:
    """``--jobs``: a whole number of worker processes, at least 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or str(number) != str(value).strip():
        raise UserError("cli.bad_jobs", value=value)
    return number
