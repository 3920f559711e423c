"""The province overview: every county of a dataset side by side, as tidy frames.

import junheng
p = junheng.province()          # the bundled sample province
p.verdicts                      # one row per county and year, every part's status
p.coefficients                  # every coefficient of every county and year
"""

from __future__ import annotations

import datetime
from functools import cached_property

import pandas as pd

from junheng.i18n import pick, t
from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
from junheng.method.rules import RuleSet
from junheng.paths import default_data
from junheng.report.params import overlays_param

PARTS = ("resource", "guarantee", "quality", "survey", "vetoes")


class Province:
    """Every county and year of ``data`` evaluated under one rule set."""

    def __init__(self, data=None, years=None, rules="youzhi-2017", overlays=(), lang="zh"):
        self.lang = lang if lang in ("zh", "en") else "zh"
        self.data = data or default_data()
        years = [int(y) for y in years] if years else None
        self.dataset = load(self.data, years=years)
        self.rules = RuleSet(rules, overlays_param(overlays))
        self.evaluation = evaluate(self.dataset, self.rules)
        self.years = sorted(int(y) for y in self.evaluation.verdicts["year"].unique())
        self.latest = self.years[-1] if self.years else None
        schools = self.dataset.schools
        self.names = (
            dict(schools.groupby("county_code")["county_name"].first()) if schools is not None else {}
        )
        self.generated = datetime.date.today().isoformat()

    def __repr__(self) -> str:
        return f"<Province {len(self.names)} counties, {self.years}>"

    def title(self) -> str:
        """The overview's title, with the span of years."""
        span = f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else str(self.latest)
        return t("report.province.title", self.lang, span=span)

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        """One row per county and year: the verdict and every part's status."""
        v = self.evaluation.verdicts.copy()
        v["county_name"] = v["county_code"].map(self.names)
        v["verdict"] = v["status"].map(lambda s: t(f"verdict.{s}", self.lang))
        res = self.evaluation.resource.verdict
        cols = [c for c in ("schools_failed", "cv_failed") if c in res]
        return v.merge(res[["county_code", "year", *cols]], on=["county_code", "year"], how="left")

    @cached_property
    def coefficients(self) -> pd.DataFrame:
        """Every coefficient of every county, year and section, with its limit and verdict."""
        cv = self.evaluation.resource.cv.copy()
        inds = {i.id: i for i in self.rules.indicators}
        cv["county_name"] = cv["county_code"].map(self.names)
        cv["short"] = cv["indicator"].map(lambda i: pick(inds[i].short, self.lang))
        cv["section_name"] = cv["section"].map(lambda s: t(f"report.section_names.{s}", self.lang))
        return cv

    @cached_property
    def targets(self) -> pd.DataFrame:
        """Every county's plan targets at the latest year (`junheng.planning.targets.target_summary`)."""
        from junheng.planning.targets import target_summary

        return target_summary(self.evaluation, year=self.latest, lang=self.lang)

    @cached_property
    def gap(self) -> pd.DataFrame:
        """Which counties' rural schools lag most (`junheng.planning.gap.province_gap`), latest year."""
        from junheng.planning.gap import province_gap

        return province_gap(self.evaluation, year=self.latest)

    def latest_verdicts(self) -> pd.DataFrame:
        """The verdicts of the latest year."""
        return (
            self.verdicts[self.verdicts["year"] == self.latest]
            .sort_values("county_code")
            .reset_index(drop=True)
        )

    def ranking(self) -> pd.DataFrame:
        """Counties of the latest year ordered by schools below standard, coefficients over their
        limit and the largest coefficient relative to its limit.
        """
        v = self.latest_verdicts()
        cv = self.coefficients[self.coefficients["year"] == self.latest]
        if "limit" in cv:
            worst = (cv["cv"] / cv["limit"]).groupby(cv["county_code"]).max()
        else:
            worst = cv["cv"].groupby(cv["county_code"]).max()
        v = v.assign(worst=v["county_code"].map(worst))
        keys = [c for c in ("schools_failed", "cv_failed", "worst") if c in v]
        return v.sort_values(keys).reset_index(drop=True)

    def cover(self):
        """The cover of the overview (a display object)."""
        from junheng.report.blocks import Block
        from junheng.report.templating import render_template

        v = self.latest_verdicts()
        summary = t(
            "report.province.cover",
            self.lang,
            year=self.latest,
            n=len(v),
            passed=int((v["status"] == "passed").sum()),
        )
        html = render_template(
            "html/cover.html.j2",
            kicker=t("report.kicker", self.lang),
            title=self.title(),
            subtitle=f"{pick(self.rules.data['name'], self.lang)}（{self.rules.data.get('document', '')}）",
            status="neutral",
            verdict=summary,
            rows=[(t("report.generated", self.lang), self.generated)],
        )
        meta = {"kind": "province", "title": self.title(), "header": self.title(), "lang": self.lang}
        return Block(html, meta)
