"""Reports: the notebook API, its tables, charts and sentences, and their rendering.

Reports: the notebook API (`county`, `province`), its tables, charts and sentences, and the rendering of
executed notebooks to HTML and PDF.

    import junheng
    c = junheng.county("990123", 2024)         # a County: tidy DataFrames of every result
    junheng.report.tables.coefficients(c, "primary")
    junheng.report.charts.coefficients(c.coefficients)
"""

from junheng.report.county import County, county
from junheng.report.fonts import keep_cjk_fallback_once_imported
from junheng.report.glued import glue
from junheng.report.province import Province
from junheng.report.research import counties, results

__all__ = ["County", "counties", "county", "glue", "province", "results"]

# Chinese in any chart of the process, whatever fonts a notebook chooses (matplotlib not imported here)
keep_cjk_fallback_once_imported()


# defined after the import of the submodule of the same name, which would otherwise replace it
# (a second `junheng.province()` then called the module)
def province(data=None, years=None, rules="youzhi-2017", overlays=(), lang="zh", report_date=None):
    """Every county of a province side by side (see `junheng.report.province.Province`)."""
    return Province(data, years, rules, overlays, lang, report_date)
