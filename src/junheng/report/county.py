"""The county report's content: one method per section, each returning escaped HTML built from the
engine's results. The notebook `notebooks/county_report.ipynb` calls these and tells the story.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pandas as pd

from junheng.i18n import pick, t
from junheng.inputs.dataset import load
from junheng.method import equity
from junheng.method.evaluate import evaluate
from junheng.method.rules import RuleSet
from junheng.paths import default_data
from junheng.report import charts, narrative
from junheng.report.html import Safe, bullets, esc, figure, heading, num, para, pill, table

SECTIONS = (
    "summary",
    "resource",
    "shortfall",
    "guarantee",
    "quality",
    "survey",
    "basic",
    "trends",
    "equity",
    "schools",
    "method",
)
PERCENT_ITEMS = {"G8", "G9", "G11", "G12", "G13", "G14", "G15", "Q1", "Q2", "S"}
COUNT_ITEMS = {"G3", "G4", "G5", "G6", "Q3", "Q4", "Q6", "Q9"}
LEVEL_ITEMS = {"Q5", "Q7", "Q8"}
ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}


def fingerprint(files: list[str], params: dict) -> str:
    digest = hashlib.sha256()
    for f in sorted(set(files)):
        digest.update(Path(f).name.encode())
        digest.update(Path(f).read_bytes())
    digest.update(repr(sorted(params.items())).encode())
    return digest.hexdigest()


_CACHE: dict = {}
CACHE_SIZE = 4


def _signature(data: Path) -> tuple:
    """The data files' names, sizes and modification times: any change misses the cache."""
    files = (
        [data]
        if data.is_file()
        else sorted(
            p
            for p in data.rglob("*")
            if p.suffix in (".xlsx", ".csv", ".parquet") and not p.name.startswith("~$")
        )
    )
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def evaluated_county(data: Path, county_code: str, rules: str, overlays: tuple):
    """Load and evaluate every year of one county, reusing the result for the county's other years
    when a batch worker's kernel renders them one after another (the inputs are unchanged).
    """
    key = (str(Path(data).resolve()), county_code, rules, tuple(overlays or ()), _signature(Path(data)))
    if key not in _CACHE:
        dataset = load(data, counties=[county_code])
        rule_set = RuleSet(rules, overlays)
        ev = evaluate(dataset, rule_set)
        basic = evaluate(dataset, "jiben-2012") if rule_set.id != "jiben-2012" else None
        while len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (dataset, rule_set, ev, basic)
    return _CACHE[key]


class CountyReport:
    def __init__(
        self, data, county_code: str, year: int, rules: str = "youzhi-2017", overlays=(), lang: str = "zh"
    ):
        self.lang = lang
        self.county_code, self.year = str(county_code), int(year)
        self.data = Path(data) if data else default_data()
        self.dataset, self.rules, self.ev, self.basic = evaluated_county(
            self.data, self.county_code, rules, tuple(overlays or ())
        )
        try:
            self.result = self.ev.county(self.county_code, self.year)
        except KeyError:
            problems = "; ".join(p.message(lang) for p in self.dataset.problems if p.severity == "error")[
                :1000
            ]
            year = t("ui.year_suffix", lang, year=self.year)
            raise LookupError(
                t("ui.no_county", lang, county=self.county_code, year=year) + problems
            ) from None
        self.doc = self.result.to_dict(lang)
        self.county_name = self.result.county_name
        self.labels = {i.id: pick(i.short, lang) for i in self.rules.indicators}
        files = self.dataset.schools["_file"].tolist() if self.dataset.schools is not None else []
        self.files = sorted(set(files))
        self.fingerprint = fingerprint(
            self.files,
            {
                "county": self.county_code,
                "year": self.year,
                "rules": rules,
                "overlays": tuple(overlays or ()),
            },
        )
        self.generated = datetime.date.today().isoformat()

    # -- helpers ----------------------------------------------------------------------------------
    def t(self, key, **params):
        return t(key, self.lang, **params)

    def section_name(self, section):
        return self.t(f"report.section_names.{section}")

    @property
    def invalid(self) -> bool:
        return self.doc["status"] == "invalid"

    def title(self) -> str:
        key = "report.title" if self.rules.has_parts else "report.title_2012"
        return self.t(key, county=self.county_name, year=self.year)

    def render(self, name: str) -> Safe:
        if self.invalid and name not in ("summary", "method"):
            return Safe("")
        return getattr(self, f"section_{name}")()

    # -- sections ---------------------------------------------------------------------------------
    def cover(self) -> Safe:
        status = self.doc["status"]
        verdict = t(f"verdict.{status}", self.lang)
        overlays = ", ".join(pick(o["name"], self.lang) for o in self.rules.overlays) or self.t(
            "report.words.none"
        )
        rows = [
            [self.t("report.code"), self.county_code],
            [self.t("report.col.year"), self.year],
            [
                t("ui.rules", self.lang),
                f"{pick(self.rules.data['name'], self.lang)}（{self.rules.data.get('document', '')}）",
            ],
            [t("ui.overlays", self.lang), overlays],
            [self.t("report.generated"), self.generated],
            [self.t("report.data_files"), "、".join(Path(f).name for f in self.files)],
            [self.t("report.fingerprint"), self.fingerprint],
        ]
        body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
        return Safe(
            f'<section class="cover"><p class="kicker">{esc(PROVINCE_LABEL.get(self.lang, ""))}</p>'
            f"<h1>{esc(self.title())}</h1>"
            f'<p class="subtitle">{esc(self.t("report.subtitle", name=pick(self.rules.data["name"], self.lang), document=self.rules.data.get("document", "")))}</p>'
            f'<div class="verdict {esc(status)}">{esc(t("ui.verdict", self.lang))}：{esc(verdict)}</div>'
            f'<table class="meta">{body}</table></section>'
        )

    def section_summary(self) -> Safe:
        out = [heading(self.t("report.sections.summary"), "summary")]
        if self.invalid:
            out.append(para(t("problem.invalid_county_data", self.lang)))
            out.append(bullets([p["message"] for p in self.doc["problems"] if p["severity"] == "error"][:30]))
            return Safe("".join(out))
        out.append(para(narrative.overview(self)))
        paragraphs = narrative.verdict_paragraphs(self)
        out.append(para(paragraphs[0], "lead"))
        if len(paragraphs) > 1:
            out.append(bullets(paragraphs[1:]))
        if self.rules.has_parts:
            rows = [
                [t(f"part.{p}", self.lang), pill(self.doc["parts"][p]["status"], self.lang)]
                for p in ("resource", "guarantee", "quality", "survey")
            ]
            veto = self.doc["parts"]["vetoes"]["status"]
            word = {"pass": "report.words.clear", "fail": "report.words.applies"}.get(veto)
            rows.append(
                [
                    t("part.vetoes", self.lang),
                    Safe(f'<span class="pill {esc(veto)}">{esc(self.t(word))}</span>')
                    if word
                    else pill(veto, self.lang),
                ]
            )
            out.append(table([self.t("report.col.item"), self.t("report.col.status")], rows, css="compact"))
            out.append(para(self.t("report.prose.not_assessed_note"), "note"))
        return Safe("".join(out))

    def section_resource(self) -> Safe:
        res = self.doc["parts"]["resource"]
        cv = self.result.coefficients
        out = [heading(self.t("report.sections.resource"), "resource")]
        out.append(
            figure(charts.coefficients(cv, self.labels, self.lang, "limit"), self.t("report.charts.cv_title"))
        )
        sec = self.result.section_schools
        for section in self.rules.sections:
            rows_cv = [c for c in res["coefficients"] if c["section"] == section]
            if not any(c["n_schools"] for c in rows_cv):
                continue
            out.append(heading(self.section_name(section), f"resource-{section}", 3))
            out += [para(p) for p in narrative.resource_paragraphs(self, section)]
            out.append(self._cv_table(rows_cv, section))
            scoped = sec[sec["in_scope"] & (sec["section"] == section)]
            out.append(figure(charts.school_values(scoped, self.rules.indicators, section, self.lang), ""))
            out.append(self._schools_below(scoped, section))
        return Safe("".join(out))

    def _cv_table(self, rows, section) -> Safe:
        body = []
        for c in rows:
            ind = next(i for i in self.rules.indicators if i.id == c["indicator"])
            threshold = f"≥ {num(ind.threshold[section], 2)}" if ind.threshold else "—"
            note = self.t("report.words.borderline") if c.get("borderline") else ""
            status = (
                pill("pass" if c.get("passed") else "fail", self.lang) if c.get("passed") is not None else "—"
            )
            body.append(
                [
                    f"{c['indicator']} {c['label']}",
                    pick(ind.unit, self.lang),
                    threshold,
                    num(c["mean"], 2),
                    num(c["cv"], 3) if c["cv"] is not None else self.t("report.words.undefined"),
                    f"≤ {c['limit']:.2f}" if c.get("limit") is not None else "—",
                    status,
                    note,
                ]
            )
        headers = [
            self.t("report.col.indicator"),
            self.t("report.text.unit"),
            self.t("report.col.threshold"),
            self.t("report.col.mean"),
            self.t("report.col.cv"),
            self.t("report.col.limit"),
            self.t("report.col.result"),
            self.t("report.col.note"),
        ]
        return table(headers, body, numeric={2, 3, 4, 5}, css="cv")

    def _schools_below(self, scoped, section) -> Safe:
        bad = scoped[~scoped["school_passed"].astype(bool)] if "school_passed" in scoped else scoped.iloc[0:0]
        if bad.empty:
            return Safe("")
        rows = []
        for r in bad.itertuples():
            missed = []
            for ind in self.rules.indicators:
                if not getattr(r, f"met_{ind.key}"):
                    value, thr = getattr(r, f"value_{ind.key}"), ind.threshold[section]
                    missed.append(f"{ind.id} {num(value, 2)}/{num(thr, 2)}（{value / thr:.0%}）")
            rows.append([r.school_name, r.school_code, num(r.students, 0), "；".join(missed)])
        return table(
            [
                self.t("report.col.school"),
                self.t("report.col.code"),
                self.t("report.col.students"),
                self.t("report.col.missed"),
            ],
            rows,
            numeric={2},
            css="schools-below",
        )

    def section_shortfall(self) -> Safe:
        out = [
            heading(self.t("report.sections.shortfall"), "shortfall"),
            para(narrative.shortfall_sentence(self)),
        ]
        short = self.result.shortfall()
        if short.empty:
            return Safe("".join(out))
        inds = {i.id: i for i in self.rules.indicators}
        rows = []
        for r in short.itertuples():
            ind = inds[r.indicator]
            digits = 0 if ind.integer_add or ind.key.startswith("equipment") else 1
            rows.append(
                [
                    r.school_name,
                    self.section_name(r.section),
                    f"{r.indicator} {pick(ind.short, self.lang)}",
                    num(r.value, 2),
                    num(r.threshold, 2),
                    num(r.gap, 2),
                    f"{num(r.add, digits)} {pick(ind.add_unit, self.lang)}",
                ]
            )
        out.append(
            table(
                [
                    self.t("report.col.school"),
                    self.t("report.col.section"),
                    self.t("report.col.indicator"),
                    self.t("report.col.value"),
                    self.t("report.col.threshold"),
                    self.t("report.col.gap"),
                    self.t("report.col.add"),
                ],
                rows,
                numeric={3, 4, 5, 6},
            )
        )
        totals = (
            short.groupby(["section", "indicator"])
            .agg(add=("add", "sum"), schools=("school_code", "nunique"))
            .reset_index()
        )
        trows = [
            [
                self.section_name(r.section),
                f"{r.indicator} {pick(inds[r.indicator].short, self.lang)}",
                r.schools,
                f"{num(r.add, 0 if inds[r.indicator].integer_add else 1)} {pick(inds[r.indicator].add_unit, self.lang)}",
            ]
            for r in totals.itertuples()
        ]
        out.append(heading(self.t("report.words.total"), "shortfall-total", 3))
        out.append(
            table(
                [
                    self.t("report.col.section"),
                    self.t("report.col.indicator"),
                    self.t("report.col.schools_count"),
                    self.t("report.col.add"),
                ],
                trows,
                numeric={2, 3},
            )
        )
        return Safe("".join(out))

    def _value_text(self, item) -> str:
        v, iid = item["value"], item["id"]
        if v is None:
            return "—"
        if iid in PERCENT_ITEMS:
            return f"{v:.1%}"
        if iid in COUNT_ITEMS:
            return self._count_text(iid, int(v))
        if iid in LEVEL_ITEMS:
            return f"{ROMAN.get(int(v), v)}"
        if iid in ("G1", "G10"):
            return self.t("report.words.affirmative") if v else self.t("report.words.negative")
        if iid == "G2":
            return f"{int(v)}/4"
        if iid == "G7":
            return f"{v:,.0f}"
        return str(v)

    def _count_text(self, iid, n) -> str:
        """Per-school items count the schools (Q9: the subjects) that do not meet the item."""
        if iid == "Q9":
            return self.t("report.text.subjects_below", n=n)
        return self.t("report.text.schools_below", n=n)

    def _threshold_text(self, item) -> str:
        thr, iid = item["threshold"], item["id"]
        if isinstance(thr, dict):

            def one(k, v):
                label = self.t(f"report.threshold_keys.{k}")
                if k == "min_level":
                    return f"{label} ≥ {ROMAN.get(v, v)}"
                if k == "max_difference_rate":
                    return f"{label} < {v}"
                if isinstance(v, float) and v <= 1:
                    return f"{label} ≥ {v:.0%}"
                return f"{label} ≤ {v}"

            return "；".join(one(k, v) for k, v in thr.items())
        if iid in PERCENT_ITEMS:
            return f"≥ {thr:.0%}"
        if iid in COUNT_ITEMS:
            return self._count_text(iid, 0)
        if iid in LEVEL_ITEMS:
            return f"≥ {ROMAN.get(thr, thr)}"
        if iid == "G7":
            return f"≥ {thr:,}"
        return str(thr)

    def _items(self, part) -> Safe:
        items = self.doc["parts"][part]["items"]
        rows = []
        for it in items:
            failing = "、".join(s.get("school_name", "") for s in it["schools"][:6])
            if len(it["schools"]) > 6:
                failing += self.t("report.text.and_more", n=len(it["schools"]), more=len(it["schools"]) - 6)
            rows.append(
                [
                    it["id"],
                    it["label"],
                    self._value_text(it),
                    self._threshold_text(it),
                    pill(it["status"], self.lang),
                    failing,
                ]
            )
        return table(
            [
                "",
                self.t("report.col.item"),
                self.t("report.col.value"),
                self.t("report.col.threshold"),
                self.t("report.col.result"),
                self.t("report.col.evidence"),
            ],
            rows,
            numeric={2},
            css="items",
        )

    def section_guarantee(self) -> Safe:
        if not self.rules.has_parts:
            return Safe("")
        return Safe(heading(self.t("report.sections.guarantee"), "guarantee") + self._items("guarantee"))

    def section_quality(self) -> Safe:
        if not self.rules.has_parts:
            return Safe("")
        return Safe(heading(self.t("report.sections.quality"), "quality") + self._items("quality"))

    def section_survey(self) -> Safe:
        if not self.rules.has_parts:
            return Safe("")
        out = [heading(self.t("report.sections.survey"), "survey"), self._items("survey")]
        s = self.doc["parts"]["survey"]["items"][0]
        groups = s["evidence"].get("groups") or {}
        if groups:
            from junheng.inputs.schema import load_schema

            names = load_schema().enums["survey_group"]
            rows = [
                [
                    pick(names.get(g, {"zh": g}), self.lang),
                    num(v["valid"], 0),
                    f"{v['rate']:.1%}" if v["rate"] is not None else "—",
                ]
                for g, v in groups.items()
            ]
            out.append(
                table(
                    [self.t("report.col.group"), self.t("report.col.valid"), self.t("report.col.rate")],
                    rows,
                    numeric={1, 2},
                    css="compact",
                )
            )
            share = s["evidence"].get("parent_share")
            if share is not None:
                out.append(
                    para(
                        self.t("report.text.parent_share", share=f"{share:.1%}")
                        + ("" if share >= 0.5 else self.t("report.text.parent_share_low"))
                    )
                )
        vetoes = self.doc["parts"]["vetoes"]["items"]
        rows = [
            [
                v["label"],
                self.t("report.words.applies")
                if v["status"] == "fail"
                else (
                    self.t("report.words.clear")
                    if v["status"] == "pass"
                    else t("status.not_assessed", self.lang)
                ),
            ]
            for v in vetoes
        ]
        out.append(heading(t("part.vetoes", self.lang), "vetoes", 3))
        out.append(table([self.t("report.col.item"), self.t("report.col.status")], rows, css="compact"))
        pre = self.doc["parts"]["prerequisite"]["items"][0]
        out.append(heading(t("part.prerequisite", self.lang), "prerequisite", 3))
        year = pre["evidence"].get("recognised_year")
        out.append(
            para(
                self.t("report.text.recognised", year=int(year))
                if year
                else self.t("report.text.not_recognised")
            )
        )
        return Safe("".join(out))

    def section_basic(self) -> Safe:
        ev = self.basic if self.basic is not None else self.ev
        try:
            res = ev.county(self.county_code, self.year)
        except KeyError:
            return Safe("")
        if res.status == "invalid":
            return Safe("")
        doc = res.to_dict(self.lang)
        out = [
            heading(self.t("report.sections.basic"), "basic"),
            para(narrative.verdict_paragraphs(_Shim(self, res, doc))[0]),
        ]
        comp = res.composite.set_index("section")
        for section in res.rules.sections:
            rows = [
                [f"{c['indicator']} {c['label']}", num(c["mean"], 3), num(c["cv"], 3)]
                for c in doc["parts"]["resource"]["coefficients"]
                if c["section"] == section
            ]
            if section in comp.index:
                cr = comp.loc[section]
                rows.append(
                    [self.t("report.col.composite"), "", num(cr["composite"], 3) + f"（≤ {cr['limit']:.2f}）"]
                )
            out.append(heading(self.section_name(section), f"basic-{section}", 3))
            out.append(
                table(
                    [self.t("report.col.indicator"), self.t("report.col.mean"), self.t("report.col.cv")],
                    rows,
                    numeric={1, 2},
                    css="compact",
                )
            )
        return Safe("".join(out))

    def history(self) -> pd.DataFrame:
        v = self.ev.resource.verdict
        mine = v[v["county_code"] == self.county_code].sort_values("year")
        status = self.ev.verdicts.set_index(["county_code", "year"])["status"]
        mine = mine.assign(status=[status.get((self.county_code, y)) for y in mine["year"]])
        for col in ("schools_failed", "cv_failed"):
            if col not in mine:
                mine[col] = 0
        return mine

    def section_trends(self) -> Safe:
        hist = self.history()
        out = [
            heading(self.t("report.sections.trends"), "trends"),
            para(narrative.trend_sentence(self, hist)),
        ]
        if len(hist) > 1:
            cv = self.ev.resource.cv
            mine = cv[cv["county_code"] == self.county_code]
            out.append(figure(charts.trends(mine, self.labels, self.lang), ""))
        rows = [
            [int(r.year), t(f"verdict.{r.status}", self.lang), int(r.schools_failed), int(r.cv_failed)]
            for r in hist.itertuples()
        ]
        out.append(
            table(
                [
                    self.t("report.col.year"),
                    self.t("report.col.verdict"),
                    self.t("report.col.schools_failed"),
                    self.t("report.col.coefficients_failed"),
                ],
                rows,
                numeric={2, 3},
                css="compact",
            )
        )
        return Safe("".join(out))

    def section_equity(self) -> Safe:
        measures, decomp = self.result.extras(by=("location",))  # the report shows urban/town/rural
        out = [heading(self.t("report.sections.equity"), "equity"), para(self.t("report.prose.equity_intro"))]
        if measures.empty:
            return Safe("".join(out))
        names = ["gini", "theil_t", "mld", "mcloone", "verstegen", "federal_range_ratio"]
        sec = self.result.section_schools
        for section in self.rules.sections:
            m = measures[measures["section"] == section]
            if m.empty:
                continue
            out.append(heading(self.section_name(section), f"equity-{section}", 3))
            rows = [
                [f"{r.indicator} {self.labels[r.indicator]}"] + [num(getattr(r, n), 3) for n in names]
                for r in m.itertuples()
            ]
            out.append(
                table(
                    [self.t("report.col.indicator")] + [self.t(f"report.measures.{n}") for n in names],
                    rows,
                    numeric=set(range(1, 7)),
                    css="compact",
                )
            )
            scoped = sec[sec["in_scope"] & (sec["section"] == section)]
            long = pd.concat(
                [
                    pd.DataFrame({"indicator": i.id, "x": scoped[f"value_{i.key}"], "w": scoped["students"]})
                    for i in self.rules.indicators
                ],
                ignore_index=True,
            )
            out.append(figure(charts.lorenz(long, self.labels, section, self.lang), "", "half"))
            out.append(self._contributors(scoped, section))
        if not decomp.empty:
            out.append(figure(charts.theil(decomp, self.labels, self.lang), ""))
        return Safe("".join(out))

    def _contributors(self, scoped, section) -> Safe:
        cv = self.result.coefficients
        mine = cv[(cv["section"] == section) & cv["cv"].notna()]
        if mine.empty or scoped.empty:
            return Safe("")
        worst = mine.sort_values("cv").iloc[-1]
        key = worst["key"]
        long = pd.DataFrame({"g": 0, "x": scoped[f"value_{key}"], "w": scoped["students"]})
        share = equity.contributions(long, ["g"]).fillna(0)
        top = scoped.assign(share=share.to_numpy()).sort_values("share", ascending=False).head(3)
        names = "、".join(f"{r.school_name}（{r.share:.0%}）" for r in top.itertuples())
        return para(
            self.t(
                "report.prose.contributors",
                section=self.section_name(section),
                indicator=self.labels[worst["indicator"]],
                names=names,
            )
        )

    def section_schools(self) -> Safe:
        from junheng.inputs.schema import load_schema

        enums = load_schema().enums
        sec = self.result.section_schools
        rows = []
        for r in sec.sort_values(["school_code", "section"], na_position="first").itertuples():
            if r.in_scope:
                status = (
                    pill("pass" if r.school_passed else "fail", self.lang)
                    if self.rules.school_rule
                    else pill("pass", self.lang)
                )
                reason = ""
            else:
                status = pill("excluded", self.lang)
                detail = r.exclusion_detail if isinstance(r.exclusion_detail, dict) else {}
                reason = t(f"exclusion.{r.exclusion}", self.lang, **detail)
            section = self.section_name(r.section) if isinstance(r.section, str) else "—"
            rows.append(
                [
                    r.school_code,
                    r.school_name,
                    pick(enums["school_type"][r.school_type], self.lang),
                    pick(enums["location"][r.location], self.lang),
                    section,
                    num(r.students, 0),
                    status,
                    reason,
                ]
            )
        return Safe(
            heading(self.t("report.sections.schools"), "schools")
            + table(
                [
                    self.t("report.col.code"),
                    self.t("report.col.school"),
                    self.t("report.col.type"),
                    self.t("report.col.location"),
                    self.t("report.col.section"),
                    self.t("report.col.students"),
                    self.t("report.col.result"),
                    self.t("report.col.reason"),
                ],
                rows,
                numeric={5},
                css="appendix",
            )
        )

    def section_method(self) -> Safe:
        r = self.rules
        out = [heading(self.t("report.sections.method"), "method")]
        names = ", ".join(f"{o['id']}（{pick(o['name'], self.lang)}）" for o in r.overlays)
        lines = [
            self.t(
                "report.method.rules",
                name=pick(r.data["name"], self.lang),
                document=r.data.get("document", ""),
            ),
            self.t("report.method.overlays", names=names) if names else self.t("report.method.no_overlays"),
            self.t("report.method.cv"),
            self.t("report.method.split"),
            self.t("report.method.scope"),
            self.t("report.method.precision"),
            self.t("report.method.missing"),
        ]
        out += [para(x) for x in lines]
        opts = "；".join(f"{k} = {v}" for k, v in r.options.items())
        out.append(para(self.t("report.text.rule_options") + opts, "note"))
        if not self.invalid:
            border = [
                f"{self.section_name(c['section'])} {c['indicator']} {c['label']}: {c['cv']:.4f}（≤ {c['limit']:.2f}）"
                for c in self.doc["parts"]["resource"]["coefficients"]
                if c.get("borderline")
            ]
            border += [
                f"{s['school_name']} {k}"
                for s in self.doc["parts"]["resource"]["schools"]
                for k, v in s["indicators"].items()
                if v.get("borderline")
            ]
            out.append(heading(self.t("report.method.borderline_list"), "method-borderline", 3))
            out.append(bullets(border) if border else para(self.t("report.words.none")))
        out.append(heading(self.t("report.method.problems"), "method-problems", 3))
        problems = [p["message"] for p in self.doc["problems"]]
        out.append(bullets(problems) if problems else para(self.t("report.method.no_problems")))
        return Safe("".join(out))

    # -- machine-readable outputs -----------------------------------------------------------------
    def write_json(self, path) -> None:
        import json

        Path(path).write_text(
            json.dumps(
                {**self.doc, "fingerprint": self.fingerprint, "title": self.title()},
                ensure_ascii=False,
                default=str,
                allow_nan=False,  # strict JSON: NaN and Infinity are never written
            ),
            encoding="utf-8",
        )

    def write_xlsx(self, path) -> None:
        from junheng.report.export import write_tables

        write_tables(self, path)


PROVINCE_LABEL = {"zh": "县域义务教育质量与均衡发展评估", "en": "County compulsory-education evaluation"}


class _Shim:
    """Lets the prose helpers speak about the 2012 result of the same county."""

    def __init__(self, report, result, doc):
        self.lang, self.rules, self.doc = report.lang, result.rules, doc
        self.county_name, self.year = report.county_name, report.year
