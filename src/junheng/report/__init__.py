"""The county report: content (county.py), charts, prose, rendering to HTML / PDF / Excel."""

from junheng.report.county import CountyReport

__all__ = ["CountyReport"]
