# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["remove-cell"]
# # Province overview — notes for researchers (this cell is not published)
#
# All counties side by side. `junheng run` executes it after the county reports; it runs here as it
# is on the bundled sample province. Publishing follows the same cell tags as the county report
# (see `county_report.ipynb`); the frames are on `p` (`p.verdicts`, `p.coefficients`, `p.ranking()`),
# the published tables too (`p.results_table()`, `p.ranking_table()`, ...). ※ marks a county whose
# verdict rests on a borderline result (`p.borderline`); its legend follows each marked table.

# %% tags=["parameters"]
data: str = ""  # workbook or folder of every county's data; empty: the bundled sample province
years: list = []  # years to include (empty: all)
rules: str = "youzhi-2017"  # rule set
overlays: list = []  # province overlays or rule options
lang: str = "zh"  # language of the overview: zh or en
report_date: str = ""  # the cover's date (YYYY-MM-DD); empty: as a county report of the latest year

# %% tags=["remove-input"]
# %config InlineBackend.figure_formats = ["svg", "png"]  # SVG is published; JupyterLab shows the PNG in an untrusted notebook
from IPython.display import Markdown, display

import junheng
from junheng.i18n import t
from junheng.report import charts

p = junheng.province(data or None, years, rules, overlays, lang, report_date or None)
p.cover()

# %% [markdown] tags=["toc"]
# **目录** (generated when published)

# %% [markdown] tags=["lang-zh"]
# ## 评估结果

# %% [markdown] tags=["lang-en"]
# ## Results

# %% tags=["remove-input"]
display(p.results_table())
p.note(p.borderline_note())

# %% [markdown] tags=["lang-zh"]
# ## 差异系数

# %% [markdown] tags=["lang-en"]
# ## Coefficients

# %% tags=["remove-input"]
charts.province_heatmap(p.coefficients, p.latest, p.labels, lang)

# %% tags=["remove-input"]
p.note(t("report.province.heat_key", lang, year=p.latest))

# %% [markdown] tags=["lang-zh"]
# ## 资源配置排名

# %% [markdown] tags=["lang-en"]
# ## Resource allocation ranking

# %% tags=["remove-input"]
display(p.ranking_table())
p.note(p.ranking_note())

# %% [markdown] tags=["lang-zh"]
# ## 城乡差距

# %% [markdown] tags=["lang-en"]
# ## The urban–rural gap

# %% tags=["remove-input"]
p.gap_table()

# %% tags=["remove-input"]
p.note(p.gap_note())

# %% tags=["remove-input"]
# 规划目标: only when some county's data include an action plan
if not p.targets.empty:
    display(Markdown(f"## {t('report.province.targets_heading', lang)}"))
    display(p.targets_table())

# %% tags=["remove-input"]
# 历年评估结论: only when the overview spans more than one year
if len(p.years) > 1:
    display(Markdown(f"## {t('report.province.verdicts_over_years', lang)}"))
    display(p.verdicts_table())
    display(charts.province_verdicts(p.verdicts, lang))
