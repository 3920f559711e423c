"""Small HTML builders. Every value from user data is escaped; only `Safe` strings pass as markup."""

from __future__ import annotations

import html
import math

from junheng.i18n import t


class Safe(str):
    """Markup built by this package (already escaped)."""


def esc(value) -> str:
    if isinstance(value, Safe):
        return value
    return html.escape("" if value is None else str(value), quote=True)


def num(value, digits: int = 2, thousands: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, (int,)) or (isinstance(value, float) and value.is_integer() and digits == 0):
        return f"{int(round(value)):,}" if thousands else str(int(round(value)))
    return f"{value:,.{digits}f}" if thousands else f"{value:.{digits}f}"


def pill(status: str, lang: str) -> Safe:
    key = {
        "pass": "status.pass",
        "fail": "status.fail",
        "not_assessed": "status.not_assessed",
        "excluded": "status.excluded",
    }.get(status, "status.not_assessed")
    return Safe(f'<span class="pill {esc(status)}">{esc(t(key, lang))}</span>')


def table(headers: list, rows: list, numeric: set = frozenset(), css: str = "") -> Safe:
    """A table; ``numeric`` holds the indices of right-aligned columns."""
    head = "".join(
        f'<th class="{"num" if i in numeric else ""}">{esc(h)}</th>' for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"num" if i in numeric else ""}">{esc(c)}</td>' for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return Safe(
        f'<table class="{esc(css)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def heading(text: str, anchor: str, level: int = 2) -> Safe:
    return Safe(f'<h{level} id="{esc(anchor)}">{esc(text)}</h{level}>')


def para(text: str, css: str = "") -> Safe:
    return Safe(f'<p class="{esc(css)}">{esc(text)}</p>')


def figure(uri: str, alt: str, css: str = "") -> Safe:
    return Safe(f'<figure class="{esc(css)}"><img src="{esc(uri)}" alt="{esc(alt)}"></figure>')


def bullets(items: list) -> Safe:
    return Safe("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")
