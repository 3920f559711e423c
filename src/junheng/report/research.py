"""Frames for research across counties: what a dataset holds, and every result in one long table.

``junheng.counties(data)`` lists the counties and years of a dataset; ``junheng.results(...)`` gives
one row per county, year, part, section and indicator with its value, its limit and whether it was met
(tidy: ready for ``groupby``, ``pivot_table`` and seaborn). Both have fixed columns and dtypes
(`COUNTY_DTYPES`, `RESULT_DTYPES`), documented in docs/notebook.md.
"""

from __future__ import annotations

import numbers

import pandas as pd

from junheng.i18n import pick, t

COUNTY_DTYPES = {
    "county_code": "string",  # six digits, as text
    "county_name": "string",
    "year": "int64",
    "schools": "int64",  # school rows of that county-year
}

RESULT_DTYPES = {
    "county_code": "string",
    "county_name": "string",
    "year": "int64",
    "part": "string",  # resource, guarantee, quality, survey, vetoes, prerequisite
    "section": "string",  # primary, junior; <NA> for an item of the whole county
    "indicator": "string",  # R1…R7 (coefficients), G1…, Q1…, S, veto names, prerequisite
    "indicator_name": "string",  # in ``lang``
    "value": "Float64",  # the coefficient, or the item's value (1/0 for yes/no items); <NA>: no data
    "limit": "Float64",  # the number it is held to; <NA> where the standard is not one number
    "limit_text": "string",  # the standard as written, in ``lang`` (是/yes, 小学45，初中50)
    "status": "string",  # pass, fail, not_assessed
    "borderline": "boolean",  # the verdict would change if the value were rounded as published
}


def counties(data=None) -> pd.DataFrame:
    """One row per county and year of ``data`` (a workbook, a folder; empty: the bundled sample).

    Columns `COUNTY_DTYPES`: ``county_code``, ``county_name``, ``year``, ``schools``. A county whose
    name changed over the years carries each year's name.
    """
    from junheng.inputs.dataset import load
    from junheng.paths import default_data

    ds = load(data or default_data())
    if ds.schools is None or ds.schools.empty:
        return pd.DataFrame({k: pd.Series(dtype=v) for k, v in COUNTY_DTYPES.items()})
    s = ds.schools
    frame = (
        s.groupby(["county_code", "year"], sort=True)
        .agg(county_name=("county_name", "last"), schools=("school_code", "size"))
        .reset_index()
    )
    return frame[list(COUNTY_DTYPES)].astype(COUNTY_DTYPES).reset_index(drop=True)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return pd.NA
    return float(value)


def limit_number(threshold):
    """A threshold as one number: 1.0 for 是, 0.0 for 否 (yes/no items are valued 1/0).

    <NA> where the standard has several parts (``{"primary": 45, "junior": 50}``).
    """
    if threshold in ("是", "否"):
        return 1.0 if threshold == "是" else 0.0
    return _number(threshold)


def limit_text(threshold, lang: str = "zh") -> str:
    """A threshold as readers see it: ``0.5``, ``是``, ``小学45，初中50`` (en: ``Primary 45, Junior 50``).

    Other keys of a threshold (``{"rotated": 0.1, "backbone": 0.2}``) are shown as the rules name them.
    """
    if threshold is None or (isinstance(threshold, float) and threshold != threshold):
        return ""
    if isinstance(threshold, dict):
        sep = "，" if lang == "zh" else ", "

        def name(key):  # 小学45 / Primary 45, 交流轮岗0.1 / rotated 0.1 (report.threshold_keys)
            base = "report.section_names" if key in ("primary", "junior") else "report.threshold_keys"
            try:
                return t(f"{base}.{key}", lang) + ("" if lang == "zh" else " ")
            except KeyError:  # a key an overlay adds without a label: as the rules name it
                return f"{key} "

        return sep.join(f"{name(k)}{limit_text(v, lang)}" for k, v in threshold.items())
    if threshold in ("是", "否"):
        return t("report.evidence.yes" if threshold == "是" else "report.evidence.no", lang)
    if isinstance(threshold, numbers.Number):
        return f"{threshold:g}"
    return str(threshold)


def results(source=None, years=None, rules="youzhi-2017", overlays=(), lang="zh") -> pd.DataFrame:
    """Every result of every county and year in one long frame (`RESULT_DTYPES`).

    ``source`` is a `Province` (``junheng.province(...)``, reused as it is) or the data to evaluate
    (empty: the bundled sample). Part R gives one row per section and indicator (the coefficient
    against its limit); Parts G, Q, S, the vetoes and the prerequisite one row per item.
    """
    from junheng.report.province import Province

    p = source if isinstance(source, Province) else Province(source, years, rules, overlays, lang)
    lang = p.lang
    rows = []
    cv = p.evaluation.resource.cv
    names = {i.id: pick(i.label, lang) for i in p.rules.indicators}
    for r in cv.to_dict("records"):
        passed = r.get("passed")
        judged = r.get("status", "ok") == "ok" and passed is not None and passed == passed
        limit = r.get("limit")
        rows.append(
            {
                "county_code": r["county_code"],
                "year": r["year"],
                "part": "resource",
                "section": r["section"],
                "indicator": r["indicator"],
                "indicator_name": names.get(r["indicator"], r["indicator"]),
                "value": _number(r.get("cv")),
                "limit": _number(limit),
                "limit_text": limit_text(limit, lang),
                "status": ("pass" if passed else "fail") if judged else "not_assessed",
                "borderline": bool(r.get("borderline", False)),
            }
        )
    items = p.evaluation.items
    if items is not None and not items.empty:
        for r in items.to_dict("records"):
            part, iid = r["part"], r["id"]
            spec = p.rules.data.get(part, {}).get(iid, {}) if part != "prerequisite" else {}
            labelled = isinstance(spec, dict) and ("label" in spec or "zh" in spec)
            label = spec.get("label", spec) if labelled else None
            threshold = r.get("threshold")
            rows.append(
                {
                    "county_code": r["county_code"],
                    "year": r["year"],
                    "part": part,
                    "section": pd.NA,
                    "indicator": iid,
                    "indicator_name": pick(label, lang) if label else t(f"part.{part}", lang),
                    "value": _number(r.get("value")) if r.get("value") is not pd.NA else pd.NA,
                    "limit": limit_number(threshold),
                    "limit_text": limit_text(threshold, lang),
                    "status": r["status"],
                    "borderline": pd.NA,
                }
            )
    frame = pd.DataFrame(rows, columns=list(RESULT_DTYPES))
    frame["county_name"] = frame["county_code"].map(p.names)
    frame = frame.astype(RESULT_DTYPES)
    # county by county, year by year; within them Part R's coefficients, then the items in rule order
    return frame.sort_values(["county_code", "year"], kind="stable").reset_index(drop=True)
