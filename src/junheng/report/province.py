"""The province overview: every county of a dataset side by side, as tidy frames.

import junheng
p = junheng.province()          # the bundled sample province
p.verdicts                      # one row per county and year, every part's status
p.coefficients                  # every coefficient of every county and year
p.results_table()               # the published tables (pandas Stylers), see the notebook
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
from junheng.report import format as fmt
from junheng.report.params import overlays_param

PARTS = ("resource", "guarantee", "quality", "survey", "vetoes")
# verdicts that cannot be determined: such a county is not ranked, its shortfalls read 数据缺失 / 数据有误
UNRANKED = ("incomplete", "invalid")
# 一票否决 is read as whether a veto situation exists, never as met / not met
VETO_STATES = {"fail": "applies", "pass": "clear", "not_assessed": "unanswered"}
BORDERLINE_MARK = "※"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day, lang: str = "zh") -> str:
    """A date as an official writes it: 2024年11月5日 / 5 November 2024."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day[:10])
    if lang == "en":
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


def unbroken(text: str):
    """``text`` as HTML whose closing parenthetical and counts never break across lines.

    The closing parenthetical (（2021—2024年）) and counts (6个, 10 counties) stay whole: a title must
    not end on a lone 年）, nor a count leave 个 behind.
    """
    import re
    from html import escape

    from markupsafe import Markup

    pattern = re.compile(r"（[^（）]*）$|\([^()]*\)$|\d+(?:\s*(?:个|所|项|年)|\s+counties|\s+not yet)?")
    out, last = [], 0
    for m in pattern.finditer(text):
        out += [escape(text[last : m.start()]), f'<span class="nowrap">{escape(m.group())}</span>']
        last = m.end()
    return Markup("".join([*out, escape(text[last:])]))


def county_labels(names: dict, lang: str = "zh") -> dict:
    """Each county's name for tables and charts.

    The code is added only where a name repeats (or is missing): 新港县 / 新港县（990124）.
    """
    seen: dict = {}
    for name in names.values():
        seen[name] = seen.get(name, 0) + 1
    out = {}
    for code, name in names.items():
        if isinstance(name, str) and name and seen[name] == 1:
            out[code] = name
        elif isinstance(name, str) and name:
            out[code] = f"{name}（{code}）" if lang == "zh" else f"{name} ({code})"
        else:
            out[code] = str(code)
    return out


def veto_state(status, lang: str = "zh") -> tuple[str, str]:
    """The 一票否决 cell: (text, status class): 存在 / 不存在 / 未填报."""
    state = VETO_STATES.get(status, "unanswered") if isinstance(status, str) else "unanswered"
    css = {"applies": "applies", "clear": "clear", "unanswered": "not_assessed"}[state]
    return t(f"report.province.veto.{state}", lang), css


def rests_on_borderline(status: str, parts: dict, coefficients, composite, schools) -> bool:
    """Whether a county's verdict rests on a borderline result.

    A borderline result is the county report's 临界: a coefficient within the margin of its limit or
    flipped by rounding, a school whose result rounding flips. The verdict rests on one when it
    passes with one, or it fails only in resource allocation and every result that fails it there is
    borderline. Each result is a mapping with ``passed`` and ``borderline``
    (the county's JSON or the evaluation's frames); results not judged (``passed`` None) are
    skipped, so are coefficients of a section without schools. ``parts`` maps the parts that make
    the verdict (`PARTS`) to their status.
    """
    judged = [
        r
        for r in [*coefficients, *composite, *schools]
        if r.get("passed") is not None and r.get("passed") == r.get("passed") and r.get("n_schools", 1) != 0
    ]
    if not any(bool(r.get("borderline")) for r in judged):
        return False
    if status == "passed":
        return True
    if status != "failed" or parts.get("resource") != "fail":
        return False
    if any(parts.get(part) == "fail" for part in PARTS if part != "resource"):
        return False
    return all(bool(r.get("borderline")) for r in judged if not r.get("passed"))


def borderline_words(coefficients, schools, lang: str = "zh") -> list[str]:
    """The borderline results in words: 小学生均教学仪器设备值差异系数0.497（标准≤0.50）; 2所学校."""
    out = []
    for r in coefficients:
        if r.get("borderline") and r.get("cv") is not None:
            out.append(
                t(
                    "report.province.borderline_cv",
                    lang,
                    section=t(f"report.section_names.{r['section']}", lang),
                    indicator=r.get("label", ""),
                    cv=fmt.coefficient_against(r["cv"], r.get("limit")),
                    limit=fmt.number(r.get("limit"), 2),
                )
            )
    n = sum(1 for r in schools if r.get("borderline"))
    if n:
        out.append(t("report.province.borderline_schools", lang, n=n))
    return out


class Province:
    """Every county and year of ``data`` evaluated under one rule set."""

    def __init__(self, data=None, years=None, rules="youzhi-2017", overlays=(), lang="zh", report_date=None):
        self.lang = lang if lang in ("zh", "en") else "zh"
        self.data = data or default_data()
        years = [int(y) for y in years] if years else None
        self.selected_years = years
        self.dataset = load(self.data, years=years)
        self.rules = RuleSet(rules, overlays_param(overlays))
        self.evaluation = evaluate(self.dataset, self.rules)
        self.years = sorted(int(y) for y in self.evaluation.verdicts["year"].unique())
        self.latest = self.years[-1] if self.years else None
        schools = self.dataset.schools
        self.names = (
            dict(schools.groupby("county_code")["county_name"].first()) if schools is not None else {}
        )
        self.report_date = self._report_date(report_date)
        self.generated = long_date(self.report_date, self.lang)

    def _report_date(self, given) -> datetime.date:
        """The overview's date: ``given``, else as a county report of the latest year is dated.

        Today, but never later than 30 June after the latest year
        (`junheng.planning.deadlines.default_report_date`), so the overview and the county reports
        of one run carry the same date.
        """
        if given:
            from junheng.report.params import date_param

            return date_param(given, self.lang)
        from junheng.planning.deadlines import default_report_date

        return default_report_date(self.latest) if self.latest else datetime.date.today()

    def __repr__(self) -> str:
        return f"<Province {len(self.names)} counties, {self.years}>"

    def span(self) -> str:
        """The years of the overview: 2021—2024 (一字线 in Chinese) / 2021–2024."""
        if len(self.years) < 2:
            return str(self.latest)
        return f"{self.years[0]}{'—' if self.lang == 'zh' else '–'}{self.years[-1]}"

    def title(self) -> str:
        """The overview's title, with the span of years."""
        return t("report.province.title", self.lang, span=self.span())

    @staticmethod
    def note(text: str):
        """A note under a table or chart (small, muted; ``note`` block in the PDF); None when empty."""
        from html import escape

        from junheng.report.blocks import Block

        return Block(f'<div class="note"><p>{escape(text)}</p></div>') if text else None

    @cached_property
    def labels(self) -> dict:
        """Each county's name as tables and charts show it (the code only where names repeat)."""
        return county_labels(self.names, self.lang)

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        """One row per county and year: the verdict and every part's status."""
        v = self.evaluation.verdicts.copy()
        v["county_name"] = v["county_code"].map(self.names)
        v["verdict"] = v["status"].map(lambda s: t(f"verdict.{s}", self.lang))
        res = self.evaluation.resource.verdict
        cols = [c for c in ("schools_failed", "cv_failed") if c in res]
        v = v.merge(res[["county_code", "year", *cols]], on=["county_code", "year"], how="left")
        return v.merge(self.borderline, on=["county_code", "year"], how="left")

    @cached_property
    def borderline(self) -> pd.DataFrame:
        """Per county and year: whether the verdict rests on a borderline result, and those results.

        Whether it does as `rests_on_borderline` decides; the results in words.
        """
        ev, lang = self.evaluation, self.lang
        labels = {i.id: pick(i.label, lang) for i in self.rules.indicators}
        cv = ev.resource.cv
        comp = ev.resource.composite
        schools = ev.resource.schools
        scoped = schools[schools["in_scope"]] if schools is not None and "in_scope" in schools else schools
        rows = []
        for r in ev.verdicts.to_dict("records"):
            key = (r["county_code"], r["year"])
            mine = cv[(cv["county_code"] == key[0]) & (cv["year"] == key[1])]
            coefs = [
                {
                    "section": c["section"],
                    "label": labels.get(c["indicator"], c["indicator"]),
                    "cv": _plain(c.get("cv")),
                    "limit": _plain(c.get("limit")),
                    "passed": _plain(c.get("passed")) if "limit" in c else None,
                    "borderline": bool(c.get("borderline", False)),
                    "n_schools": int(c["n_schools"]),
                }
                for c in mine.to_dict("records")
            ]
            comps = []
            if "passed" in comp:
                comps = [
                    {
                        "passed": _plain(c["passed"]),
                        "borderline": bool(c.get("borderline", False)),
                        "n_schools": int(c["n_schools"]),
                    }
                    for c in comp[(comp["county_code"] == key[0]) & (comp["year"] == key[1])].to_dict(
                        "records"
                    )
                ]
            sch = []
            if scoped is not None and "school_passed" in scoped:
                here = scoped[(scoped["county_code"] == key[0]) & (scoped["year"] == key[1])]
                sch = [
                    {"passed": _plain(p), "borderline": bool(b)}
                    for p, b in zip(here["school_passed"], here["school_borderline"], strict=True)
                ]
            parts = {p: r.get(p) for p in PARTS if isinstance(r.get(p), str)}
            rests = rests_on_borderline(r["status"], parts, coefs, comps, sch)
            words = fmt.clauses(borderline_words(coefs, sch, lang), lang) if rests else ""
            rows.append(
                {"county_code": key[0], "year": key[1], "borderline": rests, "borderline_words": words}
            )
        return pd.DataFrame(rows, columns=["county_code", "year", "borderline", "borderline_words"])

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
    def target_evaluation(self):
        """The evaluation plan targets are judged on: every year of the data, whatever years are shown.

        A target's trajectory starts at its baseline year (often before the years shown), so the
        overview judges it on every year, as the county report does: both give the same status for
        the same county and year. Only the counties with targets are evaluated again, and only when
        some years were left out.
        """
        if not self.selected_years or not self.dataset.targets:
            return self.evaluation
        counties = sorted({target.county_code for target in self.dataset.targets})
        return evaluate(load(self.data, counties=counties), self.rules)

    @cached_property
    def targets(self) -> pd.DataFrame:
        """Every county's plan targets at the latest year (`junheng.method.targets.target_summary`).

        Judged on every year of the data (`target_evaluation`).
        """
        from junheng.method.targets import target_summary

        ev = self.evaluation if self.latest is None else self.target_evaluation
        return target_summary(ev, year=self.latest, lang=self.lang)

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
        """Counties of the latest year ordered by what they fall short on.

        Ordered by schools below standard, coefficients over their limit and the largest coefficient
        relative to its limit. Counties whose verdict cannot be determined (``UNRANKED``) follow,
        unranked (``rank`` missing).
        """
        v = self.latest_verdicts()
        cv = self.coefficients[self.coefficients["year"] == self.latest]
        if "limit" in cv:
            worst = (cv["cv"] / cv["limit"]).groupby(cv["county_code"]).max()
        else:
            worst = cv["cv"].groupby(cv["county_code"]).max()
        v = v.assign(worst=v["county_code"].map(worst))
        # a county whose verdict cannot be determined (data missing or in error) is not ranked: it
        # comes after the ranked ones, ``rank`` missing
        v["ranked"] = ~v["status"].isin(UNRANKED)
        keys = [c for c in ("schools_failed", "cv_failed", "worst") if c in v]
        v = v.sort_values(["ranked", *keys, "county_code"], ascending=[False] + [True] * (len(keys) + 1))
        v = v.reset_index(drop=True)
        ranks = v["ranked"].cumsum()
        return v.assign(rank=ranks.where(v["ranked"]).astype("Int64"))

    def cover(self):
        """The cover of the overview (a display object)."""
        from junheng.report.blocks import Block
        from junheng.report.templating import render_template

        v = self.latest_verdicts()
        counts = v["status"].value_counts()
        others = "".join(
            t(f"report.province.cover_counts.{s}", self.lang, n=int(counts[s]))
            for s in ("failed", "incomplete", "invalid")
            if counts.get(s, 0)
        )
        summary = t(
            "report.province.cover",
            self.lang,
            year=self.latest,
            n=len(v),
            passed=int(counts.get("passed", 0)),
            others=others,
        )
        html = render_template(
            "html/cover.html.j2",
            kicker=t("report.kicker", self.lang),
            lines=[unbroken(self.title())],
            status="neutral",
            verdict=unbroken(summary),
            rows=[
                (
                    t("ui.rules", self.lang),
                    t(
                        "report.cover.rules",
                        self.lang,
                        name=pick(self.rules.data["name"], self.lang),
                        document=self.rules.data.get("document", ""),
                    ),
                )
            ],
            date=self.generated,
        )
        meta = {"kind": "province", "title": self.title(), "header": self.title(), "lang": self.lang}
        return Block(html, meta)

    # -- the published tables (pandas Stylers; `junheng.report.tables.build`) ---------------------------
    def _label(self, code, marked: bool = False) -> str:
        return self.labels.get(code, str(code)) + (BORDERLINE_MARK if marked else "")

    def results_table(self):
        """评估结果: every county of the latest year by name, each part's status and the verdict.

        一票否决 as 存在 / 不存在 / 未填报; ※ after a verdict that rests on a borderline result.
        """
        from junheng.report.tables import Column, build

        v = self.latest_verdicts()
        failing = self.failing_items(self.latest)
        parts = [p for p in PARTS if p in v and v[p].map(lambda s: isinstance(s, str)).any()]
        rows, statuses = [], []
        for r in v.to_dict("records"):
            cells, codes = [self._label(r["county_code"])], [None]
            for part in parts:
                status = r.get(part)
                if part == "vetoes":
                    text, css = veto_state(status, self.lang)
                else:
                    known = isinstance(status, str)
                    text, css = (
                        (t(f"status_short.{status}", self.lang) if known else fmt.MISSING),
                        (status if known else None),
                    )
                cells.append(text)
                codes.append(css)
            cells.append(r["verdict"] + (BORDERLINE_MARK if r.get("borderline") else ""))
            codes.append(r["status"])
            cells.append(failing.get(r["county_code"], "") or self._undetermined(r["status"]) or fmt.MISSING)
            codes.append(None)
            rows.append(cells)
            statuses.append(codes)
        columns = (
            [Column(t("ui.county", self.lang))]
            + [
                Column(
                    t("report.province.cols.vetoes" if p == "vetoes" else f"part.{p}", self.lang), "status"
                )
                for p in parts
            ]
            + [
                Column(t("report.province.cols.verdict", self.lang), "status"),
                Column(t("report.province.cols.failing", self.lang)),
            ]
        )
        return build(rows, columns, t("report.province.results", self.lang, year=self.latest), statuses)

    def _undetermined(self, status: str) -> str:
        """Why a verdict cannot be determined, for the shortfalls column: 数据缺失 / 数据有误; else ''."""
        return t(f"report.province.undetermined.{status}", self.lang) if status in UNRANKED else ""

    def failing_items(self, year: int) -> dict:
        """County code → what it falls short on in ``year``, in words (no item codes).

        The schools and coefficients of resource allocation, then the failing items of Parts G, Q, S
        and the vetoes.
        """
        from junheng.report.evidence import item_name

        ev, lang = self.evaluation, self.lang
        sep = t("report.words.list_sep", lang)
        out: dict = {}
        res = ev.resource.verdict
        for r in res[res["year"] == year].to_dict("records"):
            words = []
            if r.get("schools_failed"):
                words.append(t("report.province.failing_schools", lang, n=int(r["schools_failed"])))
            if r.get("cv_failed"):
                words.append(t("report.province.failing_cv", lang, n=int(r["cv_failed"])))
            out[r["county_code"]] = words
        items = ev.items
        if items is not None and len(items):
            bad = items[
                (items["year"] == year)
                & (items["status"] == "fail")
                & items["part"].isin(["guarantee", "quality", "survey", "vetoes"])
            ]
            for r in bad.to_dict("records"):
                try:
                    name = item_name(r["id"], lang)
                except KeyError:  # a veto: by its label in quotes
                    label = pick(self.rules.data.get("vetoes", {}).get(r["id"], r["id"]), lang)
                    name = f"“{label}”" if lang == "zh" else f'"{label}"'
                out.setdefault(r["county_code"], []).append(name)
        return {code: sep.join(words) for code, words in out.items()}

    def verdicts_table(self):
        """County × year: the self-assessed verdict of every county in every year of the overview."""
        from junheng.report.tables import Column, build

        v = self.verdicts
        years = sorted(int(y) for y in v["year"].unique())
        rows, statuses = [], []
        for code, mine in v.sort_values("county_code").groupby("county_code", sort=False):
            by_year = {int(r["year"]): r for r in mine.to_dict("records")}
            rows.append(
                [self._label(code)] + [by_year[y]["verdict"] if y in by_year else fmt.MISSING for y in years]
            )
            statuses.append([None] + [by_year[y]["status"] if y in by_year else None for y in years])
        columns = [Column(t("ui.county", self.lang))] + [Column(str(y), "status") for y in years]
        return build(
            rows, columns, t("report.province.verdicts_table", self.lang, span=self.span()), statuses
        )

    def gap_note(self) -> str:
        """How the gap table is ordered (the opposite direction from the resource ranking)."""
        return t("report.province.gap_note", self.lang)

    def ranking_table(self):
        """资源配置排名（供内部参考）: counties of the latest year ordered by what they lack.

        Ordered by what they lack in resource allocation (rank 1 lacks least).
        """
        from junheng.report.tables import Column, build

        rows = []
        for r in self.ranking().to_dict("records"):
            worst = r.get("worst")
            rows.append(
                [
                    fmt.MISSING if fmt.is_missing(r["rank"]) else str(int(r["rank"])),
                    self._label(r["county_code"], bool(r.get("borderline"))),
                    fmt.integer(r.get("schools_failed", 0)),
                    fmt.integer(r.get("cv_failed", 0)),
                    fmt.against(worst, 1.0, 0, "<=", scale=100, thousands=False)
                    if not fmt.is_missing(worst)
                    else fmt.MISSING,
                ]
            )
        columns = [
            Column(t(f"report.province.ranking_cols.{k}", self.lang), kind)
            for k, kind in (
                ("rank", "num"),
                ("county", "text"),
                ("schools_below", "num"),
                ("cv_over", "num"),
                ("worst", "num"),
            )
        ]
        return build(rows, columns, t("report.province.ranking_caption", self.lang, year=self.latest))

    def gap_table(self):
        """Counties ranked by how far their rural schools lag (rural mean / urban mean, latest year)."""
        from junheng.report.tables import Column, build

        g = self.gap
        if g is None or g.empty:
            return None
        inds = {i.id: i for i in self.rules.indicators}
        rows = []
        for r in g.sort_values("rank").itertuples():
            worst = inds.get(r.worst_indicator)
            space = "" if self.lang == "zh" else " "
            where = (
                f"{t(f'report.section_names.{r.worst_section}', self.lang)}{space}"
                f"{pick(worst.short, self.lang)}"
                if worst
                else fmt.MISSING
            )
            rows.append(
                [
                    str(int(r.rank)),
                    self._label(r.county_code),
                    _points(r.mean_ratio_rural_urban, 0),
                    _points(r.min_ratio_rural_urban, 0),
                    where,
                    _points(r.mean_between_share, 1),
                ]
            )
        columns = [
            Column(t("report.province.ranking_cols.rank", self.lang), "num"),
            Column(t("ui.county", self.lang)),
            Column(t("report.province.gap_cols.mean", self.lang), "num"),
            Column(t("report.province.gap_cols.min", self.lang), "num"),
            Column(t("report.province.gap_cols.worst", self.lang)),
            Column(t("report.province.gap_cols.between", self.lang), "num"),
        ]
        return build(rows, columns, t("report.province.gap", self.lang, year=self.latest))

    def targets_table(self):
        """Counties × plan targets: the status of each county's targets at the latest year."""
        from junheng.report.tables import Column, build

        summary = self.targets
        if summary.empty:
            return None
        rows, statuses = [], []
        for code, mine in summary.groupby("county_code", sort=True):
            for r in mine.itertuples():
                rows.append(
                    [
                        self._label(code),
                        r.target_name,
                        str(int(r.due_year)),
                        t(f"targets.status.{r.status}", self.lang),
                    ]
                )
                statuses.append([None, None, None, r.status])
        columns = [
            Column(t("ui.county", self.lang)),
            Column(t("targets.col.target", self.lang)),
            Column(t("targets.col.due_year", self.lang), "num"),
            Column(t("targets.col.status", self.lang), "status"),
        ]
        return build(rows, columns, t("report.province.targets", self.lang, year=self.latest), statuses)

    def borderline_note(self) -> str:
        """The legend of ※ under a table, naming each marked county and its borderline results.

        Empty when no county is marked.
        """
        v = self.latest_verdicts()
        marked = v[v["borderline"].fillna(False).astype(bool)]
        if marked.empty:
            return ""
        sep = "；" if self.lang == "zh" else "; "
        which = sep.join(
            t(
                "report.province.borderline_county",
                self.lang,
                county=self._label(r["county_code"]),
                results=r["borderline_words"],
            )
            for r in marked.to_dict("records")
        )
        return t("report.province.borderline_note", self.lang, mark=BORDERLINE_MARK, counties=which)

    def ranking_note(self) -> str:
        """How the ranking is ordered, and the ※ legend when a county is marked."""
        note = t("report.province.ranking_note", self.lang)
        if self.ranking()["rank"].isna().any():
            note += ("" if self.lang == "zh" else " ") + t("report.province.ranking_unranked", self.lang)
        border = self.borderline_note()
        return f"{note}{'' if self.lang == 'zh' else ' '}{border}" if border else note


def _plain(value):
    """A frame's value as the county JSON holds it (None for missing, bool / float otherwise)."""
    if fmt.is_missing(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    try:
        return value.item()
    except AttributeError:
        return value


def _points(share, decimals: int) -> str:
    """A share as a number of percent, the % in the column header: 0.945 → 94 / 94.5."""
    return fmt.MISSING if fmt.is_missing(share) else fmt.number(float(share) * 100, decimals, thousands=False)
