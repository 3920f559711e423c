"""Values a notebook computes, cited in its Markdown cells (like MyST-NB's ``glue``).

In a code cell::

    from junheng.report import glue
    glue("share", share, "{:.1%}")        # shows share = 93.8% in JupyterLab; nothing is published

In any Markdown cell, before or after it: ``全省达标比例为 {glue}`share`。`` When the notebook is
published (`junheng report`, `render`), each ``{glue}`name` `` is replaced by the value as formatted;
a name no cell glued is an error naming the Markdown cell, never left as it is.
"""

from __future__ import annotations

import re

GLUE_MIMETYPE = "application/vnd.junheng.glue+json"
CITATION = re.compile(r"\{glue\}`([^`]+)`")


class _Glued:
    """What ``glue`` displays: the value for the publisher, ``name = text`` for JupyterLab."""

    def __init__(self, name: str, text: str):
        self.name, self.text = name, text

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            GLUE_MIMETYPE: {"name": self.name, "text": self.text},
            "text/plain": f"{self.name} = {self.text}",
        }


def glue(name: str, value, fmt: str | None = None):
    """Keep ``value`` under ``name`` for the Markdown cells, formatted with ``fmt`` (``"{:.2f}"``).

    Returns the object to show (the last line of a cell, or ``display(glue(...))``).
    """
    if not re.fullmatch(r"[\w.\-]+", str(name)):
        raise ValueError(f"glue: a name of letters, digits, '_', '.', '-' (not {name!r})")
    text = fmt.format(value) if fmt else str(value)
    return _Glued(str(name), text)


def glued_values(nb) -> dict:
    """{name: text} of every value glued by the notebook's cells (the last one wins)."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            item = output.get("data", {}).get(GLUE_MIMETYPE)
            if isinstance(item, dict) and "name" in item:
                values[str(item["name"])] = str(item.get("text", ""))
    return values


def cite(text: str, values: dict) -> tuple[str, list[str]]:
    """``text`` with each ``{glue}`name` `` replaced by its value; and the names not glued."""
    missing = []

    def value(match):
        name = match.group(1).strip()
        if name not in values:
            missing.append(name)
            return match.group(0)
        return values[name]

    return CITATION.sub(value, text), missing
