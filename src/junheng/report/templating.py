"""Jinja2 templates for the markup the package produces (cover, page, index).

Jinja2 templates for the markup the package produces (cover, page, index): user text is escaped by the
template engine, never glued into markup by hand.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from junheng import diskcache
from junheng.i18n import t


@cache
def environment() -> Environment:
    """The Jinja2 environment of the package templates, escaping by default."""
    env = Environment(
        loader=PackageLoader("junheng.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=diskcache.jinja_bytecode_cache(),  # compiled once, not in every report's kernel
    )
    env.globals["t"] = t
    return env


def render_template(name: str, **context) -> str:
    """Render ``templates/<name>`` with ``context`` (every value escaped unless marked safe)."""
    return environment().get_template(name).render(**context)
