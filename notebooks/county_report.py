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
# # County report — notes for researchers (this cell is not published)
#
# This notebook **is** the report: what a cell shows is what the HTML and the PDF publish,
# unless its tags say otherwise. Run it here as it is (the bundled sample province) or per
# county with papermill: `junheng report --county 990123 --year 2024`, or
# `papermill county_report.ipynb out.ipynb -p county_code 990123 -p year 2024` followed by
# `junheng render out.ipynb`.
#
# Cell tags (View › Property inspector in JupyterLab):
#
# | tag | effect when published |
# |---|---|
# | `remove-input` | show the cell's output only (every report cell below has it) |
# | `remove-cell` | publish nothing of the cell (notes like this one, the export cell) |
# | `remove-output` | show the code only |
# | `lang-zh` / `lang-en` | publish the cell only in a report of that language |
# | `rules-youzhi-2017` / `rules-jiben-2012` | publish the cell only in a report under that rule set |
# | `new-page` | the PDF starts a new page before the cell |
# | `appendix` | headings from this cell on are numbered 附录一、附录二… |
# | `toc` | the cell is replaced by the table of contents |
# | `landscape` | the cell is set on landscape pages in the PDF |
#
# A cell without tags is published with its code. Headings are numbered when published (一、（一）).
# Everything you add — a Markdown paragraph, a seaborn chart, a DataFrame — appears in both the
# HTML and the PDF. The data behind every table are DataFrames on `c` (try `c.schools`,
# `c.coefficients`, `c.indicators`, `c.shortfalls`, `c.items`, `c.history`); the tables come from
# `junheng.report.tables`, the charts from `junheng.report.charts`, the sentences from
# `junheng.report.text`.

# %% tags=["parameters"]
data: str = ""  # workbook or folder of the county's data; empty: the bundled sample province
county_code: str = "990123"  # 6-digit division code as text; with papermill -p 010101 is restored
year: int = 2024  # evaluation year: this and earlier years are read, never later ones
rules: str = "youzhi-2017"  # rule set: youzhi-2017 (the basic-balance report uses jiben-2012)
overlays: list = []  # province overlays or rule options, e.g. liaoning (a list or a comma-separated string)
lang: str = "zh"  # language of the report: zh or en
json_path: str = ""  # where junheng report wants the machine-readable result (empty: not written)
xlsx_path: str = ""  # where junheng report wants the Excel tables (empty: not written)
school_profiles: bool = False  # profile every evaluated school in the appendix, not only those needing action
report_date: str = ""  # cover date, e.g. 2025-03-31 (empty: today, at the latest 30 June after the data year)
issuer: str = ""  # who issues the report, printed on the cover (e.g. 某某县人民政府教育督导室)
final: bool = False  # the version for submission: refused while anything keeps the report a draft
png_charts: bool = True  # charts also as PNG, for Word and an untrusted JupyterLab (published: SVG)

# %% tags=["remove-input"]
# %config InlineBackend.figure_formats = ["svg", "png"] if png_charts else ["svg"]  # SVG is published; PNG: Word, untrusted JupyterLab
# %config InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "dpi": 150}
from IPython.display import Markdown, display

import junheng
from junheng.report import charts, issue, tables, text
from junheng.report.params import checked

checked(globals())  # the parameters first: a misspelt one, the county, year, overlays, data path
c = junheng.county(
    county_code,
    year,
    data,
    rules,
    overlays,
    lang,
    report_date=report_date or None,
    issuer=issuer,
    final=final,
)
c.cover()

# %% tags=["remove-cell"]
# A county of more schools than report/settings.yaml sets: its school-by-school pages go to the Excel
# workbook (named in the report), its charts of every school draw a fixed sample (issue #22)
from junheng.report import separate

apart = not c.invalid and separate.separate(c)
workbook = separate.workbook_path(c, xlsx_path, json_path)

# %% [markdown] tags=["toc"]
# **目录** (generated when published)

# %% [markdown] tags=["lang-zh"]
# ## 基本情况

# %% [markdown] tags=["lang-en"]
# ## Overview

# %% tags=["remove-input"]
display(c.narrative("基本情况"))
display(Markdown(text.profile(c)))
tables.profile(c)

# %% [markdown] tags=["lang-zh"]
# ## 主要做法与成效

# %% [markdown] tags=["lang-en"]
# ## Measures and results

# %% tags=["remove-input"]
c.narrative("主要做法与成效")

# %% [markdown] tags=["lang-zh"]
# ## 总体结论

# %% [markdown] tags=["lang-en"]
# ## Summary

# %% tags=["remove-input"]
display(Markdown(text.verdict(c)))
Markdown(issue.draft_notice(c)) if issue.draft_notice(c) else None

# %% tags=["remove-input"]
tables.parts(c) if c.has_parts and not c.invalid else None

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# 注：“数据缺失，未评估”的项目不视为达标。

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# Items "not assessed" are never counted as met.

# %% [markdown] tags=["lang-zh"]
# ## 资源配置

# %% [markdown] tags=["lang-en"]
# ## Resource allocation

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# 资源配置以学校为单位计算7项指标：每所学校至少6项达到标准、其余1项不低于标准的85%；各项指标的校际差异系数小学不高于0.50、初中不高于0.45。

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# Part R computes seven indicators per school: each school must meet at least six thresholds with
# the remaining one at 85% or more, and each indicator's between-school coefficient must stay within
# 0.50 (primary) and 0.45 (junior).

# %% [markdown] tags=["lang-zh", "rules-jiben-2012"]
# 按2012年办法，小学、初中分别计算8项指标的校际差异系数及其平均值（综合差异系数）；综合差异系数小学不高于0.65、初中不高于0.55，即达到基本均衡要求。

# %% [markdown] tags=["lang-en", "rules-jiben-2012"]
# Under the 2012 rules the between-school coefficients of eight indicators are computed for primary
# and junior schools, and their mean (the composite coefficient); basic balance is reached when the
# composite stays within 0.65 (primary) and 0.55 (junior).

# %% tags=["remove-input"]
charts.coefficients(c.coefficients, lang) if not c.invalid else None

# %% tags=["remove-input"]
for section in c.rules.sections:
    if c.invalid or not (c.evaluated_schools["section"] == section).any():
        continue
    if not c.has_parts:  # jiben-2012: the section's coefficients and their composite, no school rule
        display(Markdown(f"### {c.section_name(section)}\n\n{text.basic_section(c, section)}"))
        display(tables.basic(c, section))
        continue
    display(Markdown(f"### {c.section_name(section)}\n\n{text.resource(c, section)}"))
    display(tables.coefficients(c, section))
    shown_indicators, shown_schools, note = separate.chart_sample(c, section, workbook)
    display(charts.school_ratios(shown_indicators, shown_schools, section, lang))
    if note:
        display(Markdown(note))
    below = None if apart else tables.schools_below(c, section)
    if below is not None:
        display(below)
if apart:
    display(Markdown(separate.notice(c, workbook)))

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# ## 政府保障程度

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# ## Government guarantee

# %% tags=["remove-input"]
tables.items(c, "guarantee") if c.has_parts and not c.invalid else None

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# ## 教育质量

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# ## Education quality

# %% tags=["remove-input"]
tables.items(c, "quality") if c.has_parts and not c.invalid else None

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# ## 社会认可度与一票否决

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# ## Social recognition and vetoes

# %% tags=["remove-input"]
if c.has_parts and not c.invalid:
    display(Markdown(f"### {c.narrative_title('survey_method')}\n\n{c.narrative('survey_method')}"))
    display(Markdown(f"### {c.label('sections.survey_results')}"))
    display(tables.items(c, "survey"))
    groups = tables.survey_groups(c)
    if groups is not None:
        display(groups)
    display(Markdown(f"### {c.label('sections.vetoes')}"))
    display(tables.vetoes(c))
    display(Markdown(text.prerequisite(c)))

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# ## 城乡差距
#
# 按城区、镇区、乡村分组比较资源配置7项指标的学生加权均值；“城乡组间差异占比”为泰尔指数中组间差异所占比例，越高说明差异越多地来自城乡之间。

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# ## The urban–rural gap
#
# Student-weighted means of the seven indicators in urban, town and rural schools; the
# "between-group share" is the part of the Theil index that lies between the three groups.

# %% [markdown] tags=["lang-zh", "rules-jiben-2012"]
# ## 城乡差距
#
# 按城区、镇区、乡村分组比较8项指标的学生加权均值；“城乡组间差异占比”为泰尔指数中组间差异所占比例，越高说明差异越多地来自城乡之间。

# %% [markdown] tags=["lang-en", "rules-jiben-2012"]
# ## The urban–rural gap
#
# Student-weighted means of the eight indicators in urban, town and rural schools; the
# "between-group share" is the part of the Theil index that lies between the three groups.

# %% tags=["remove-input"]
if not c.invalid and not c.gap.empty:
    display(Markdown(text.gap(c)))
    for section in c.rules.sections:
        table = tables.gap(c, section)
        if table is not None:
            display(table)
    display(charts.gap(c.gap, c.year, lang))

# %% [markdown] tags=["lang-zh"]
# ## 历年变化

# %% [markdown] tags=["lang-en"]
# ## Trends

# %% tags=["remove-input"]
display(Markdown(text.trend(c)))
if len(c.history) > 1:
    display(charts.trends(c.coefficient_history, lang))
tables.history(c)

# %% tags=["remove-input"]
# 规划目标进展: only for a county whose data include an action plan (targets.yaml or the 规划目标 sheet),
# and not in a jiben-2012 report (the plan's targets are the youzhi-2017 indicators and items)
if not c.targets.empty and c.has_parts:
    display(Markdown(f"## {c.label('sections.targets')}\n\n{text.targets(c)}"))
    display(tables.targets(c))
    display(charts.targets(c.target_summary, lang))

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# ## 存在问题与整改建议
#
# 根据评估发现的问题，按学校和县级指标逐项列出整改措施、估算费用、牵头科室和完成时限。

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# ## Problems and rectification plan
#
# Each problem found, school by school and item by item, with the measure, its estimated cost, the
# lead office and a deadline.

# %% tags=["remove-input"]
if not c.invalid and c.has_parts:
    display(Markdown(f"### {c.narrative_title('causes')}\n\n{c.narrative('causes')}"))
    display(Markdown(f"### {c.label('sections.measures')}\n\n{text.plan(c)}"))
    if apart:
        display(Markdown(separate.notice(c, workbook)))
    for table in (
        None if apart else tables.plan(c, required=True),
        None if apart else tables.plan(c, required=False),
        tables.plan_totals(c),
        tables.unit_costs(c),
    ):
        if table is not None:
            display(table)

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# ## 达标测算
#
# 使每所学校达到“7项指标中至少6项达标、其余1项不低于85%”、每项差异系数不超过限值的最低费用新增方案：新增哪些资源、在哪些学校、各需多少、费用多少；与每校每项指标全部达标相比节省多少。费用按整改计划所列单价计算，经常性支出按规定年限累计；各项资源可新增数量的上限、不宜采取的措施和县域内教师调配，按县级整改计划的安排确定。

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# ## Optimal plan
#
# The least-cost additions that bring every school to at least six of the seven standards (the
# seventh at 85% or more) and every coefficient within its limit: what to add, where, how much and
# at what cost, and what this saves against meeting every standard in every school. Costs use the
# plan's unit costs, recurring costs over the years stated; limits on what may be added, measures
# ruled out and teacher transfers follow the local rectification plan.

# %% tags=["remove-input"]
from junheng.report import optimal

for part in optimal.section(c)[: 1 if apart else None] if not c.invalid and c.has_parts else []:
    display(part)

# %% tags=["remove-cell"]
# Researcher's cell (not published): the optimal plan under other settings, e.g.
# from junheng.planning.optimal import optimal_plan
# other = optimal_plan(c, horizon_years=10, transfers=True, caps={"*": {"sports_ground": 0}})
# other.summary, other.rows, c.with_changes(other.changes).coefficients

# %% [markdown] tags=["lang-zh"]
# ## 下一步工作打算

# %% [markdown] tags=["lang-en"]
# ## Next steps

# %% tags=["remove-input"]
display(c.narrative("下一步工作打算"))

# %% tags=["remove-input"]
# 落款 (issuer, date, seal): the last cell of the report's body. A section of your own goes above
# the 下一步工作打算 heading (a report ends with its next steps), never between here and the appendices.
issue.signature(c)

# %% [markdown] tags=["lang-zh", "appendix", "new-page", "rules-youzhi-2017"]
# ## 一校一策

# %% [markdown] tags=["lang-en", "appendix", "new-page", "rules-youzhi-2017"]
# ## One page per school

# %% tags=["remove-input", "rules-youzhi-2017"]
from junheng.report.profiles import profiles

pages = profiles(c, every_school=school_profiles) if not c.invalid and c.has_parts and not apart else []
if pages:  # which schools have a page: those needing action, or every one (--school-profiles)
    display(Markdown(c.label("profile.intro_every" if school_profiles else "profile.intro")))
for page in pages:
    display(page)
if apart:
    display(Markdown(separate.notice(c, workbook)))
elif not pages:
    display(Markdown(c.label("profile.none")))

# %% tags=["remove-input", "appendix", "new-page", "landscape"]
# 学校名单: on landscape pages, its heading with it (as the 附表). Its eight columns need about 75 em
# with names, types and reasons on one line: a portrait page has 55, and the 原因 column was left one
# character a line. (Under youzhi-2017 the appendices began with 一校一策: the tag changes nothing.)
display(Markdown(f"## {c.label('sections.schools')}"))
display(Markdown(separate.notice(c, workbook)) if apart else tables.schools(c))

# %% [markdown] tags=["lang-zh"]
# ## 佐证材料清单

# %% [markdown] tags=["lang-en"]
# ## Supporting documents

# %% tags=["remove-input"]
c.narrative("佐证材料清单")

# %% tags=["remove-input", "landscape"]
# 学校原始数据（附表）: on landscape pages, its heading with it
from junheng.report import appendix

if not c.invalid:
    display(Markdown(f"## {appendix.heading(c)}\n\n{appendix.formula(c)}"))
    display(Markdown(separate.notice(c, workbook)) if apart else appendix.table(c))

# %% [markdown] tags=["lang-zh", "rules-youzhi-2017"]
# ## 基本均衡差异系数（2012年办法）

# %% [markdown] tags=["lang-en", "rules-youzhi-2017"]
# ## Basic-balance coefficients (2012 rules)

# %% tags=["remove-input", "rules-youzhi-2017"]
for section in c.rules.sections:
    table = tables.basic(c, section) if not c.invalid else None
    if table is not None:
        display(table)

# %% [markdown] tags=["lang-zh"]
# ## 公平性补充分析
#
# 以下测度均按学生数加权计算，用于识别差异来源；它们不是评估办法规定的指标，不影响评估结论。

# %% [markdown] tags=["lang-en"]
# ## Further equity measures
#
# The measures below are student-weighted and show where inequality comes from; they are not part
# of the official rules and do not affect the verdict.

# %% tags=["remove-input"]
if not c.invalid:
    measures, decomposition = c.equity()
    for section in c.rules.sections:
        table = tables.equity(measures, section, c)
        if table is None:
            continue
        display(table)
        display(Markdown(text.contributors(c, section)))
    if not decomposition.empty:
        display(charts.theil(decomposition, lang))

# %% [markdown] tags=["lang-zh"]
# ## 评估方法与数据说明

# %% [markdown] tags=["lang-en"]
# ## Methods and data

# %% tags=["remove-input"]
display(Markdown(text.method(c)))
display(Markdown(f"### {c.label('method.provenance')}\n\n{issue.source_line(c)}"))  # files, digest: metadata
display(Markdown(f"### {c.label('method.borderline_list')}\n\n{text.borderline(c)}"))
problems = tables.problems(c)
display(Markdown(f"### {c.label('method.problems')}"))
problems if problems is not None else Markdown(c.label("method.no_problems"))

# %% tags=["remove-cell"]
if json_path:
    c.to_json(json_path)
if xlsx_path or apart:  # the report names the workbook of a county whose school pages are apart
    c.to_excel(workbook)
