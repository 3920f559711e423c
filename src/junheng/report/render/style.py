"""The report stylesheet, on its own: the batch's index page uses it without importing nbconvert."""

from __future__ import annotations

from functools import cache
from importlib import resources as package_files


@cache
def stylesheet() -> str:
    """The report stylesheet, with the syntax colours of code cells."""
    from pygments.formatters import HtmlFormatter

    css = package_files.files("junheng.report").joinpath("style.css").read_text(encoding="utf-8")
    return css + "\n" + HtmlFormatter(style="default").get_style_defs(".highlight")
