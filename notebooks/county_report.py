# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # County report
#
# Executed by papermill once per county and year (`junheng report`, `junheng run`); also runs as it
# is in JupyterLab on the bundled sample province. Every number comes from `junheng`: this notebook
# only puts the sections in order. Markdown cells like this one are notes for researchers and do not
# appear in the rendered report.

# %% tags=["parameters"]
data = None  # workbook or directory (None means the bundled sample province)
county_code = "990102"  # 6-digit division code as a string (leading zeros matter)
year = 2024
rules = "youzhi-2017"  # or jiben-2012
overlays = []  # e.g. liaoning
lang = "zh"  # zh or en
json_path = None  # machine-readable result (set by junheng report)
xlsx_path = None  # Excel tables (set by junheng report)

# %%
from IPython.display import HTML

from junheng.report import CountyReport

report = CountyReport(data, county_code, year, rules, overlays, lang)
HTML(report.cover())

# %% [markdown]
# Overall verdict, generated from the results of all four parts.

# %%
HTML(report.render("summary"))

# %%
HTML(report.render("resource"))

# %%
HTML(report.render("shortfall"))

# %%
HTML(report.render("guarantee"))

# %%
HTML(report.render("quality"))

# %%
HTML(report.render("survey"))

# %%
HTML(report.render("basic"))

# %%
HTML(report.render("trends"))

# %%
HTML(report.render("equity"))

# %%
HTML(report.render("schools"))

# %%
HTML(report.render("method"))

# %%
if json_path:
    report.write_json(json_path)
if xlsx_path:
    report.write_xlsx(xlsx_path)
