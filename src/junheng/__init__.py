"""junheng (均衡): reproducible evaluation of county compulsory-education balance.

In a notebook::

    import junheng
    c = junheng.county("990123", 2024)   # every result of one county and year as DataFrames
    p = junheng.province()               # every county of the bundled sample province
    junheng.counties(data)               # the counties and years a dataset holds
    junheng.results(p)                   # every result of every county-year, one long frame
"""

import os
import sys

# openpyxl serialises with lxml when it is installed (python-docx brings it) and with the standard
# library otherwise: the bytes differ (namespace declarations), so the sample would not regenerate
# bit-identically. The standard library's serialisation, always (set before openpyxl is imported).
os.environ.setdefault("OPENPYXL_LXML", "False")

# jsonschema, which nbformat imports (so papermill and nbconvert do), imports rfc3987_syntax when it is
# installed (jupyterlab brings it), and that module builds a Lark grammar at import: about 1.8 s of CPU
# per process on the 2-core machine, paid by every `junheng` command, batch worker and test process.
# Nothing here validates an IRI (the notebook schema has no such format), so jsonschema is told the
# module is absent: it then leaves out its "iri" format checks and nothing else.
sys.modules.setdefault("rfc3987_syntax", None)

__version__ = "0.2.0"
__all__ = ["counties", "county", "province", "results", "__version__"]


def __getattr__(name):
    # the notebook API is imported on first use: the command line starts without pandas
    if name in ("county", "province", "counties", "results"):
        from junheng import report

        return getattr(report, name)
    raise AttributeError(f"module 'junheng' has no attribute {name!r}")
