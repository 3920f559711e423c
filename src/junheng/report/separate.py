"""A county too large to print school by school: its per-school pages go to the Excel workbook.

Above ``separate_appendix.schools`` schools (``report/settings.yaml``; issue #22: a 20,000-school county
rendered in 357 s at 7.8 GB into a 77 MB PDF) the report keeps everything it says about the county —
verdict, coefficients, items, totals, computed from every school — and leaves the school-by-school
pages (一校一策, 学校名单, the schools below the rule, the plan's and the optimal plan's per-school rows,
the 附表) to the Excel workbook written with it, whose sheets hold every school's row. The report says
so in one sentence naming the file (`notice`). A chart that plots every school draws a fixed sample of
``chart_schools`` of them and says so (`chart_sample`).

``JUNHENG_REPORT_SETTINGS`` may name a YAML file whose keys replace the shipped ones (the tests lower the
threshold with it; papermill kernels inherit the environment).
"""

from __future__ import annotations

import os
import zlib
from functools import cache
from pathlib import Path

import pandas as pd

from junheng.i18n import t
from junheng.report import format as fmt

SETTINGS_ENV = "JUNHENG_REPORT_SETTINGS"


@cache
def _settings(override: str, _stamp: int = 0) -> dict:
    from junheng.yamlio import load_yaml, packaged

    merged = {key: dict(value) for key, value in packaged("junheng.report", "settings.yaml").items()}
    if override:
        for key, value in (load_yaml(Path(override).read_text(encoding="utf-8")) or {}).items():
            merged.setdefault(key, {}).update(value or {})
    return merged


def settings() -> dict:
    """The ``separate_appendix`` settings: ``schools`` (the threshold) and ``chart_schools``."""
    override = os.environ.get(SETTINGS_ENV, "")
    stamp = Path(override).stat().st_mtime_ns if override else 0  # an edited file is read again
    return _settings(override, stamp)["separate_appendix"]


def school_count(c) -> int:
    """The schools of the county-year (学校名单: every school of the input, evaluated or not)."""
    return int(c.schools["school_code"].nunique()) if len(c.schools) else 0


def separate(c) -> bool:
    """Whether the county has more schools than the report prints school by school."""
    return school_count(c) > int(settings()["schools"])


def workbook_path(c, xlsx_path: str = "", json_path: str = "") -> Path:
    """Where the Excel workbook goes: ``xlsx_path``; else beside ``json_path``; else ``CODE_YEAR.xlsx`` here.

    ``junheng report`` passes ``json_path`` always and ``xlsx_path`` when Excel was asked for; a county
    whose appendix is separate gets its workbook in either case (the report names it).
    """
    if xlsx_path:
        return Path(xlsx_path)
    if json_path:
        return Path(json_path).with_suffix(".xlsx")
    return Path(f"{c.code}_{c.year}.xlsx")


def _sheet_names(c) -> str:
    lang = c.lang
    names = [
        t("report.export.sheets.appendix", lang),
        t("report.export.sheets.schools", lang),
        t("report.export.sheets.shortfall", lang),
        t("report.export.sheets.plan", lang),
        t("optimal.sheet", lang),
        t("issue.appendix.sheet", lang),
    ]
    if lang == "zh":
        return "".join(f"“{name}”" for name in names)
    return ", ".join(f"'{name}'" for name in names)


def notice(c, path) -> str:
    """The one sentence saying where the school-by-school pages are (Markdown)."""
    limit = int(settings()["schools"])
    return t(
        "report.separate.notice",
        c.lang,
        n=school_count(c),
        limit=limit,
        file=Path(path).name,
        sheets=_sheet_names(c),
        **fmt.county_words(c.name, c.lang),
    )


def chart_sample(c, section: str, path) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(indicators, schools, sentence) for a chart of every school of ``section``, bounded.

    At most ``chart_schools`` schools: all of them when there are no more (sentence ""), otherwise those
    first by a fixed hash of their code (the same in every run), with the sentence that says so: how many
    of how many, and the workbook with every school's values.
    """
    scoped = c.evaluated_schools[c.evaluated_schools["section"] == section]
    codes = sorted(scoped["school_code"].astype(str).unique())
    limit = int(settings()["chart_schools"])
    if len(codes) <= limit:
        return c.indicators, c.evaluated_schools, ""
    kept = set(sorted(codes, key=lambda code: (zlib.crc32(code.encode()), code))[:limit])
    indicators = c.indicators[c.indicators["school_code"].astype(str).isin(kept)]
    schools = c.evaluated_schools[c.evaluated_schools["school_code"].astype(str).isin(kept)]
    note = t(
        "report.separate.chart",
        c.lang,
        shown=limit,
        n=len(codes),
        file=Path(path).name,
        **fmt.county_words(c.name, c.lang),
    )
    return indicators, schools, note
