"""The province overview: every county side by side (verdicts, failing parts, coefficient heat
map, ranking, trends). Called by notebooks/province_overview.ipynb.
"""

from __future__ import annotations

import datetime

import matplotlib.pyplot as plt
import numpy as np

from junheng.i18n import pick, t
from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
from junheng.method.rules import RuleSet
from junheng.paths import default_data
from junheng.report import charts
from junheng.report.html import Safe, esc, figure, heading, pill, table

PARTS = ("resource", "guarantee", "quality", "survey", "vetoes")


class ProvinceReport:
    def __init__(self, data=None, years=None, rules="youzhi-2017", overlays=(), lang="zh"):
        self.lang = lang
        self.data = data or default_data()
        self.dataset = load(self.data, years=years)
        self.rules = RuleSet(rules, overlays)
        self.ev = evaluate(self.dataset, self.rules)
        self.years = sorted(self.ev.verdicts["year"].unique().tolist())
        self.latest = self.years[-1] if self.years else None
        names = (
            self.dataset.schools.groupby("county_code")["county_name"].first()
            if self.dataset.schools is not None
            else {}
        )
        self.names = dict(names)
        self.labels = {i.id: pick(i.short, lang) for i in self.rules.indicators}

    def title(self) -> str:
        span = f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else str(self.latest)
        return t("report.province.title", self.lang, span=span)

    def cover(self) -> Safe:
        v = self.ev.verdicts[self.ev.verdicts["year"] == self.latest]
        n_pass = int((v["status"] == "passed").sum())
        text = t("report.province.cover", self.lang, year=self.latest, n=len(v), passed=n_pass)
        return Safe(
            f'<section class="cover"><h1>{esc(self.title())}</h1><p class="subtitle">'
            f"{esc(pick(self.rules.data['name'], self.lang))}（{esc(self.rules.data.get('document', ''))}）</p>"
            f'<div class="verdict incomplete">{esc(text)}</div><p class="note">{esc(datetime.date.today().isoformat())}</p></section>'
        )

    def status_matrix(self) -> Safe:
        v = self.ev.verdicts[self.ev.verdicts["year"] == self.latest].sort_values("county_code")
        rows = []
        for r in v.to_dict("records"):
            cells = [r["county_code"], self.names.get(r["county_code"], "")]
            cells += [pill(r.get(p), self.lang) if isinstance(r.get(p), str) else "—" for p in PARTS]
            cells.append(t(f"verdict.{r['status']}", self.lang))
            rows.append(cells)
        heads = (
            [t("report.province.code", self.lang), t("ui.county", self.lang)]
            + [t(f"part.{p}", self.lang) for p in PARTS]
            + [t("ui.verdict", self.lang)]
        )
        title = t("report.province.results", self.lang, year=self.latest)
        return Safe(heading(title, "status") + table(heads, rows, css="compact"))

    def heatmap(self) -> Safe:
        cv = self.ev.resource.cv
        cv = cv[cv["year"] == self.latest]
        charts.house_style()
        fig, axes = plt.subplots(1, 2, figsize=(7.2, 0.28 * cv["county_code"].nunique() + 1.4), sharey=True)
        for ax, section in zip(axes, ("primary", "junior")):
            m = (
                cv[cv["section"] == section]
                .pivot(index="county_code", columns="indicator", values="cv")
                .sort_index()
            )
            limit = self.rules.cv_limit[section] if self.rules.cv_limit else 0.6
            ax.imshow(m.to_numpy(dtype=float) / limit, cmap="RdYlGn_r", vmin=0, vmax=1.2, aspect="auto")
            for (i, j), value in np.ndenumerate(m.to_numpy(dtype=float)):
                ax.text(
                    j, i, f"{value:.2f}" if value == value else "—", ha="center", va="center", fontsize=6.5
                )
            ax.set_xticks(
                range(len(m.columns)),
                [self.labels[c] for c in m.columns],
                rotation=60,
                ha="right",
                fontsize=7,
            )
            ax.set_yticks(range(len(m.index)), [f"{self.names.get(c, c)}" for c in m.index], fontsize=7)
            ax.set_title(t(f"report.section_names.{section}", self.lang), loc="left")
            ax.grid(False)
        title = t("report.province.heatmap", self.lang)
        fig.subplots_adjust(left=0.1, right=0.99, bottom=0.22, top=0.94, wspace=0.05)
        return Safe(heading(title, "heatmap") + figure(charts.to_data_uri(fig), title))

    def ranking(self) -> Safe:
        r = self.ev.resource.verdict
        r = r[r["year"] == self.latest]
        cv = self.ev.resource.cv
        worst = (
            cv[cv["year"] == self.latest]
            .assign(ratio=lambda d: d["cv"] / d["limit"])
            .groupby("county_code")["ratio"]
            .max()
        )
        r = r.assign(worst=r["county_code"].map(worst)).sort_values(["schools_failed", "cv_failed", "worst"])
        rows = [
            [
                k + 1,
                self.names.get(x.county_code, x.county_code),
                int(x.schools_failed),
                int(x.cv_failed),
                f"{x.worst:.0%}" if x.worst == x.worst else "—",
            ]
            for k, x in enumerate(r.itertuples())
        ]
        heads = [
            t(f"report.province.ranking_cols.{k}", self.lang)
            for k in ("rank", "county", "schools_below", "cv_over", "worst")
        ]
        title = t("report.province.ranking", self.lang)
        return Safe(heading(title, "ranking") + table(heads, rows, numeric={0, 2, 3, 4}, css="compact"))

    def trends(self) -> Safe:
        if len(self.years) < 2:
            return Safe("")
        v = self.ev.verdicts
        counts = v.groupby("year")["status"].value_counts().unstack(fill_value=0)
        charts.house_style()
        fig, ax = plt.subplots(figsize=(7.2, 2.6))
        bottom = np.zeros(len(counts))
        colors = {
            "passed": charts.GREEN,
            "failed": charts.RED,
            "incomplete": charts.AMBER,
            "invalid": charts.MUTED,
        }
        for status in ("passed", "failed", "incomplete", "invalid"):
            if status in counts:
                ax.bar(
                    counts.index.astype(str),
                    counts[status],
                    bottom=bottom,
                    color=colors[status],
                    label=t(f"verdict.{status}", self.lang),
                )
                bottom += counts[status].to_numpy()
        ax.legend(fontsize=7, ncol=4, loc="upper left")
        title = t("report.province.verdicts_over_years", self.lang)
        return Safe(heading(title, "trends") + figure(charts.to_data_uri(fig), title))
