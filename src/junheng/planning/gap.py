"""The urban-rural gap (城乡差距).

Per county, year, section and indicator of the rule set: the student-weighted means of urban
(城区), town (镇区) and rural (乡村) schools, their ratios, the share of the inequality that lies
between the three locations, and the change on the previous year; and a province view of which
counties' rural schools lag most.

Definitions (docs/targets.md):
- A location's mean is Σ numerator / Σ students over its in-scope section-schools (× the
  indicator's scale): the same student-weighted mean as the county's, on the location's schools.
- ``ratio_rural_urban`` = rural mean / urban mean (1: parity; below 1: rural schools have less);
  ``ratio_town_urban`` likewise; ``ratio_rural_other`` = rural mean / the mean of urban and town
  schools together (defined in counties without urban schools too).
- ``between_share`` = Theil T between locations / Theil T (docs/method.md §7, method/equity.py
  ``decomposition``): the part of the inequality that the urban-rural divide explains.
- ``*_change``: the value minus the county's value in its previous year in the evaluation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from junheng.method import equity

LOCATIONS = ("urban", "town", "rural")
KEYS = ["county_code", "year", "section", "indicator", "key"]
COLUMNS = (
    KEYS[:2]
    + ["county_name"]
    + KEYS[2:]
    + [
        "mean",
        *(f"mean_{loc}" for loc in LOCATIONS),
        "mean_other",
        *(f"students_{loc}" for loc in LOCATIONS),
        *(f"schools_{loc}" for loc in LOCATIONS),
        "ratio_rural_urban",
        "ratio_town_urban",
        "ratio_rural_other",
        "theil_total",
        "theil_between",
        "between_share",
        "ratio_rural_urban_change",
        "ratio_town_urban_change",
        "ratio_rural_other_change",
        "between_share_change",
    ]
)
CHANGED = ["ratio_rural_urban", "ratio_town_urban", "ratio_rural_other", "between_share"]


def _long(ev, counties=None) -> pd.DataFrame:
    """One row per in-scope section-school and indicator: its numerator, students and value."""
    sec = ev.resource.schools
    sec = sec[sec["in_scope"].astype(bool)]
    if counties:
        sec = sec[sec["county_code"].isin({str(c) for c in counties})]
    inds = ev.rules.indicators
    if not inds:
        return pd.DataFrame(columns=["county_code", "year", "section", "location", "indicator", "key"])
    # the indicators' blocks stacked at once (NumPy), not a frame built and concatenated per indicator
    n = len(sec)
    out = (
        sec[["county_code", "year", "section", "location", "school_code"]]
        .iloc[np.tile(np.arange(n), len(inds))]
        .reset_index(drop=True)
    )
    out["indicator"] = pd.Series(np.repeat([i.id for i in inds], n), dtype=object).astype(str)
    out["key"] = pd.Series(np.repeat([i.key for i in inds], n), dtype=object).astype(str)
    out["num"] = np.concatenate(
        [ind.scale * sec[f"num_{ind.key}"].astype("float64").to_numpy() for ind in inds]
    )
    out[equity.W] = np.tile(sec["students"].astype("float64").to_numpy(), len(inds))
    out[equity.X] = np.concatenate([sec[f"value_{ind.key}"].astype("float64").to_numpy() for ind in inds])
    return out


def _ratio(a: pd.Series, b: pd.Series) -> pd.Series:
    return a / b.where(b > 0)


def urban_rural_gap(ev, counties=None) -> pd.DataFrame:
    """One row per county, year, section and indicator (columns ``COLUMNS``), sorted.

    Computed once per evaluation and set of counties (`Evaluation.memo`): each year's report of a
    county reads the same rows.
    """
    key = ("urban_rural_gap", tuple(sorted({str(c) for c in counties})) if counties else None)
    return ev.memo(key, lambda: _gap(ev, counties))


def _gap(ev, counties) -> pd.DataFrame:
    long = _long(ev, counties)
    if long.empty:
        return pd.DataFrame(columns=COLUMNS)
    g = long.groupby(KEYS + ["location"])
    by_location = pd.DataFrame({"num": g["num"].sum(), "students": g[equity.W].sum(), "schools": g.size()})
    by_location["mean"] = _ratio(by_location["num"], by_location["students"])
    wide = by_location.unstack("location")
    out = pd.DataFrame(index=wide.index)
    totals = long.groupby(KEYS)[["num", equity.W]].sum()
    out["mean"] = _ratio(totals["num"], totals[equity.W])
    for loc in LOCATIONS:
        for what in ("mean", "students", "schools"):
            out[f"{what}_{loc}"] = wide[what][loc] if loc in wide[what] else np.nan
    other = long[long["location"] != "rural"].groupby(KEYS)[["num", equity.W]].sum()
    out["mean_other"] = _ratio(other["num"], other[equity.W]).reindex(out.index)
    for loc in LOCATIONS:
        out[f"students_{loc}"] = out[f"students_{loc}"].fillna(0.0)
        out[f"schools_{loc}"] = out[f"schools_{loc}"].fillna(0).astype(int)
    out["ratio_rural_urban"] = _ratio(out["mean_rural"], out["mean_urban"])
    out["ratio_town_urban"] = _ratio(out["mean_town"], out["mean_urban"])
    out["ratio_rural_other"] = _ratio(out["mean_rural"], out["mean_other"])
    decomp = equity.theil_split(long, KEYS, "location").set_index(KEYS)
    out["theil_total"] = decomp["theil_total"].reindex(out.index)
    out["theil_between"] = decomp["theil_between"].reindex(out.index)
    out["between_share"] = _ratio(out["theil_between"], out["theil_total"])
    out = out.reset_index().sort_values(["county_code", "section", "indicator", "year"], kind="stable")
    previous = out.groupby(["county_code", "section", "indicator"])[CHANGED].shift(1)
    for column in CHANGED:
        out[f"{column}_change"] = out[column] - previous[column]
    names = {
        (c, y): ev.dataset.county_name(c, int(y))
        for c, y in out[["county_code", "year"]].drop_duplicates().itertuples(index=False)
    }
    out["county_name"] = [names[k] for k in zip(out["county_code"], out["year"], strict=True)]
    out["year"] = out["year"].astype(int)
    return out.sort_values(KEYS).reset_index(drop=True)[COLUMNS]


def province_gap(ev, year: int | None = None, section: str | None = None) -> pd.DataFrame:
    """One row per county: how far its rural schools lag.

    In ``year``, or each county's latest year; how far its rural schools lag is judged
    over the indicator-sections (or one ``section``) with a rural / urban ratio. Columns: county_code,
    county_name, year, indicators (how many have a ratio), lagging (how many below 1),
    mean_ratio_rural_urban, min_ratio_rural_urban, worst_indicator, worst_section,
    mean_ratio_rural_other, mean_between_share, rank (1: the county whose rural schools lag most,
    by the mean rural / urban ratio; counties without one come last).
    """
    gap = urban_rural_gap(ev)
    columns = [
        "county_code",
        "county_name",
        "year",
        "indicators",
        "lagging",
        "mean_ratio_rural_urban",
        "min_ratio_rural_urban",
        "worst_indicator",
        "worst_section",
        "mean_ratio_rural_other",
        "mean_between_share",
        "rank",
    ]
    if gap.empty:
        return pd.DataFrame(columns=columns)
    if section:
        gap = gap[gap["section"] == section]
    if year is not None:
        gap = gap[gap["year"] == year]
    else:
        gap = gap[gap["year"] == gap.groupby("county_code")["year"].transform("max")]
    rows = []
    for (code, yr), group in gap.groupby(["county_code", "year"]):
        ratios = group["ratio_rural_urban"]
        known = group[ratios.notna()]
        worst = known.loc[known["ratio_rural_urban"].idxmin()] if len(known) else None
        rows.append(
            {
                "county_code": code,
                "county_name": group["county_name"].iloc[0],
                "year": int(yr),
                "indicators": int(ratios.notna().sum()),
                "lagging": int((ratios < 1).sum()),
                "mean_ratio_rural_urban": ratios.mean(),
                "min_ratio_rural_urban": ratios.min(),
                "worst_indicator": None if worst is None else worst["indicator"],
                "worst_section": None if worst is None else worst["section"],
                "mean_ratio_rural_other": group["ratio_rural_other"].mean(),
                "mean_between_share": group["between_share"].mean(),
            }
        )
    out = pd.DataFrame(rows, columns=columns[:-1])
    out["rank"] = out["mean_ratio_rural_urban"].rank(method="min", na_option="bottom").astype(int)
    return out.sort_values(["rank", "county_code"]).reset_index(drop=True)
