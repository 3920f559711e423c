# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Province overview
#
# All counties side by side. Executed by `junheng run` after the county reports; runs as it is in
# JupyterLab on the bundled sample province.

# %% tags=["parameters"]
data = None  # workbook or directory (None means the bundled sample province)
years = None  # list of years, None for all
rules = "youzhi-2017"
overlays = []
lang = "zh"

# %%
from IPython.display import HTML

from junheng.report.province import ProvinceReport

province = ProvinceReport(data, years, rules, overlays, lang)
HTML(province.cover())

# %%
HTML(province.status_matrix())

# %%
HTML(province.heatmap())

# %%
HTML(province.ranking())

# %%
HTML(province.trends())
