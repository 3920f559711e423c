"""The notebook API: one county and year, evaluated, as tidy DataFrames.

    import junheng
    c = junheng.county("990123", 2024)
    c.coefficients          # one row per section and indicator
    c.schools               # one row per section-school, every indicator
    c.indicators            # the same, long: one row per section-school and indicator
    c.shortfalls            # what each school must add
    c.items                 # Parts G, Q, S, vetoes and the prerequisite, with their evidence
    c.history               # every year up to the report's year

Labels in these frames are in the county's language (``lang``); column names are English.
Tables (`junheng.report.tables`), charts (`junheng.report.charts`) and sentences
(`junheng.report.text`) are built from these frames.
"""

from __future__ import annotations

import datetime
import hashlib
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from junheng.i18n import pick, t
from junheng.inputs.dataset import load
from junheng.inputs.schema import load_schema
from junheng.method.evaluate import evaluate
from junheng.method.rules import RuleSet
from junheng.paths import default_data
from junheng.report.params import county_code_param, overlays_param

PARTS = ("resource", "guarantee", "quality", "survey", "vetoes")
COUNTY = ["county_code", "year"]

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
            if p.suffix.lower() in (".xlsx", ".xlsm", ".csv", ".parquet", ".yaml")
            and not p.name.startswith("~$")
        )
    )
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def evaluated(data: Path, county_code: str, rules: str, overlays: tuple):
    """Load and evaluate every year of one county (the current rules and the 2012 rules), reused
    while the inputs are unchanged: a batch worker renders a county's years one after another.
    """
    key = (str(Path(data).resolve()), county_code, rules, overlays, _signature(Path(data)))
    if key not in _CACHE:
        dataset = load(data, counties=[county_code])
        rule_set = RuleSet(rules, overlays)
        ev = evaluate(dataset, rule_set)
        basic = evaluate(dataset, "jiben-2012") if rule_set.id != "jiben-2012" else ev
        while len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (dataset, rule_set, ev, basic)
    return _CACHE[key]


def fingerprint(files: list, params: dict) -> str:
    """SHA-256 over the data files used and the parameters: the same inputs give the same value."""
    digest = hashlib.sha256()
    for f in sorted(set(files)):
        digest.update(Path(f).name.encode())
        digest.update(Path(f).read_bytes())
    digest.update(repr(sorted(params.items())).encode())
    return digest.hexdigest()


def county(county_code, year, data=None, rules: str = "youzhi-2017", overlays=(), lang: str = "zh") -> County:
    """Load and evaluate one county and year.

    Args:
        county_code: the 6-digit division code, as text (an integer such as 10101 from
            ``papermill -p`` is restored to "010101"; see `junheng.report.params`).
        year: the evaluation year; only this and earlier years are read into the history.
        data: a workbook, a folder of workbooks or a folder of tables; empty: the bundled sample.
        rules: ``youzhi-2017`` or ``jiben-2012``.
        overlays: province overlays or rule options, a list or a comma-separated string.
        lang: ``zh`` (default) or ``en`` for every label in the frames, tables and charts.
    """
    return County(county_code, year, data, rules, overlays, lang)


class County:
    """One county and year: the engine's results as tidy frames (see the module docstring)."""

    def __init__(self, county_code, year, data=None, rules="youzhi-2017", overlays=(), lang="zh"):
        self.code = county_code_param(county_code)
        self.year = int(year)
        self.lang = lang if lang in ("zh", "en") else "zh"
        self.data = Path(data) if data else default_data()
        self.overlay_ids = overlays_param(overlays)
        self.dataset, self.rules, self.evaluation, self.basic_evaluation = evaluated(
            self.data, self.code, rules, self.overlay_ids
        )
        try:
            self.result = self.evaluation.county(self.code, self.year)
        except KeyError:
            errors = "; ".join(p.message(self.lang) for p in self.dataset.problems if p.severity == "error")
            where = t("ui.year_suffix", self.lang, year=self.year)
            raise LookupError(
                t("ui.no_county", self.lang, county=self.code, year=where) + errors[:1000]
            ) from None
        self.name = self.result.county_name
        self.status = self.result.status
        self.generated = datetime.date.today().isoformat()

    def __repr__(self) -> str:
        return f"<County {self.code} {self.name} {self.year}: {self.status}>"

    # -- identity ---------------------------------------------------------------------------------
    @property
    def invalid(self) -> bool:
        """The data of this county-year carry an error: no verdict is given."""
        return self.status == "invalid"

    @property
    def has_parts(self) -> bool:
        """youzhi-2017 judges Parts G, Q, S and the vetoes; jiben-2012 only coefficients."""
        return self.rules.has_parts

    @cached_property
    def files(self) -> list[str]:
        """The data files this report reads: this year's and earlier years' (never later ones)."""
        found = set()
        for frame in (
            self.dataset.schools,
            self.dataset.county,
            self.dataset.monitoring,
            self.dataset.survey,
            self.dataset.survey_responses,
        ):
            if frame is None or frame.empty:
                continue
            mine = frame[(frame["county_code"] == self.code) & (frame["year"] <= self.year)]
            found.update(mine["_file"].dropna())
        return sorted(found)

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the data files used and the parameters."""
        return fingerprint(
            self.files,
            {"county": self.code, "year": self.year, "rules": self.rules.id, "overlays": self.overlay_ids},
        )

    def title(self) -> str:
        """The report's title."""
        key = "report.title" if self.has_parts else "report.title_2012"
        return t(key, self.lang, county=self.name, year=self.year)

    def label(self, key: str, **params) -> str:
        """A report label in the county's language (``locale/report.yaml``)."""
        return t(f"report.{key}", self.lang, **params)

    def section_name(self, section) -> str:
        """小学 / 初中 (Primary / Junior)."""
        return t(f"report.section_names.{section}", self.lang) if isinstance(section, str) else ""

    # -- frames -----------------------------------------------------------------------------------
    @cached_property
    def schools(self) -> pd.DataFrame:
        """One row per section-school (a nine-year school is two rows), evaluated or excluded:
        ``value_*``, ``threshold_*``, ``met_*``, ``ratio_*``, ``add_*`` per indicator key, ``n_met``,
        ``school_passed``, ``in_scope``, ``exclusion`` and its text. ``name`` tells apart two
        schools that share a name (it adds the end of the school code).
        """
        sec = self.result.section_schools.copy()
        enums = load_schema().enums
        sec["name"] = distinguishing_names(sec["school_name"], sec["school_code"])
        sec["section_name"] = sec["section"].map(self.section_name)
        sec["type_name"] = sec["school_type"].map(lambda v: pick(enums["school_type"].get(v), self.lang))
        sec["location_name"] = sec["location"].map(lambda v: pick(enums["location"].get(v), self.lang))
        sec["exclusion_text"] = [
            t(f"exclusion.{reason}", self.lang, **(detail if isinstance(detail, dict) else {}))
            if isinstance(reason, str)
            else ""
            for reason, detail in zip(sec["exclusion"], sec["exclusion_detail"], strict=True)
        ]
        order = {s: i for i, s in enumerate(self.rules.sections)}
        sec["_order"] = sec["section"].map(order).fillna(len(order))
        return sec.sort_values(["_order", "school_code"]).drop(columns="_order").reset_index(drop=True)

    @cached_property
    def evaluated_schools(self) -> pd.DataFrame:
        """The section-schools in Part R scope."""
        return self.schools[self.schools["in_scope"]].reset_index(drop=True)

    @cached_property
    def excluded(self) -> pd.DataFrame:
        """Every school not evaluated for Part R, with its reason."""
        cols = [
            "school_code",
            "school_name",
            "name",
            "school_type",
            "type_name",
            "section",
            "section_name",
            "students",
            "exclusion",
            "exclusion_text",
        ]
        return self.schools.loc[~self.schools["in_scope"], cols].reset_index(drop=True)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """Long form of `schools` (evaluated section-schools only): one row per school and indicator."""
        scoped = self.evaluated_schools
        rows = []
        for ind in self.rules.indicators:
            part = scoped[
                [
                    "school_code",
                    "school_name",
                    "name",
                    "section",
                    "section_name",
                    "location",
                    "location_name",
                    "ownership",
                    "students",
                ]
            ].copy()
            part["indicator"] = ind.id
            part["key"] = ind.key
            part["indicator_name"] = pick(ind.short, self.lang)
            part["unit"] = pick(ind.unit, self.lang)
            part["value"] = scoped[f"value_{ind.key}"]
            if ind.threshold:
                part["threshold"] = scoped[f"threshold_{ind.key}"]
                part["met"] = scoped[f"met_{ind.key}"].astype(bool)
                part["ratio"] = scoped[f"ratio_{ind.key}"]
                part["add"] = scoped[f"add_{ind.key}"]
                part["borderline"] = scoped[f"borderline_{ind.key}"].astype(bool)
            rows.append(part)
        if not rows:
            return pd.DataFrame()
        return pd.concat(rows, ignore_index=True)

    @cached_property
    def coefficients(self) -> pd.DataFrame:
        """One row per section and indicator: mean, SD, coefficient, its limit and verdict."""
        return self._coefficients(self.result.coefficients, self.rules)

    def _coefficients(self, cv: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
        inds = {i.id: i for i in rules.indicators}
        out = cv.drop(columns=["county_code"]).copy()
        out["section_name"] = out["section"].map(self.section_name)
        out["name"] = out["indicator"].map(lambda i: pick(inds[i].label, self.lang))
        out["short"] = out["indicator"].map(lambda i: pick(inds[i].short, self.lang))
        out["unit"] = out["indicator"].map(lambda i: pick(inds[i].unit, self.lang))
        out["decimals"] = out["indicator"].map(lambda i: inds[i].decimals)
        if "threshold" not in out:
            out["threshold"] = [
                (inds[i].threshold or {}).get(s, np.nan)
                for i, s in zip(out["indicator"], out["section"], strict=True)
            ]
        order = {s: k for k, s in enumerate(rules.sections)}
        out["_order"] = out["section"].map(order)
        return out.sort_values(["_order", "indicator"]).drop(columns="_order").reset_index(drop=True)

    @cached_property
    def shortfalls(self) -> pd.DataFrame:
        """补短板清单: per evaluated section-school and missed indicator, the value, the threshold,
        the gap and what must be added (rounded up to the indicator's step: whole teachers and
        rooms, whole m² and yuan), with the unit of the amount.
        """
        short = self.result.shortfall()
        if short.empty:
            return pd.DataFrame(
                columns=[
                    "school_code",
                    "school_name",
                    "name",
                    "section",
                    "section_name",
                    "indicator",
                    "indicator_name",
                    "value",
                    "threshold",
                    "gap",
                    "add",
                    "add_unit",
                    "students",
                ]
            )
        inds = {i.id: i for i in self.rules.indicators}
        from junheng.report.format import ceil_to

        short["name"] = short["school_code"].map(
            self.schools.drop_duplicates("school_code").set_index("school_code")["name"]
        )
        short["section_name"] = short["section"].map(self.section_name)
        short["indicator_name"] = short["indicator"].map(lambda i: pick(inds[i].short, self.lang))
        short["add"] = [
            ceil_to(a, inds[i].add_step) for a, i in zip(short["add"], short["indicator"], strict=True)
        ]
        short["add_unit"] = short["indicator"].map(lambda i: pick(inds[i].add_unit, self.lang))
        return short

    @cached_property
    def items(self) -> pd.DataFrame:
        """Parts G, Q, S, the vetoes and the prerequisite: one row per item with its status
        (pass / fail / not_assessed), value, threshold, the evidence it was decided on (a dict)
        and the failing schools (a list of dicts).
        """
        items = self.result.items
        if items is None or items.empty:
            return pd.DataFrame(
                columns=["part", "id", "label", "status", "value", "threshold", "evidence", "schools"]
            )
        out = items.drop(columns=COUNTY).copy()
        labels = []
        for part, iid in zip(out["part"], out["id"], strict=True):
            spec = self.rules.data.get(part, {}).get(iid, {}) if part != "prerequisite" else {}
            label = (
                spec.get("label", spec)
                if isinstance(spec, dict) and ("label" in spec or "zh" in spec)
                else None
            )
            labels.append(pick(label, self.lang) if label else t(f"part.{part}", self.lang))
        out["label"] = labels
        cols = ["part", "id", "label", "status", "value", "threshold", "evidence", "schools"]
        return out[cols].reset_index(drop=True)

    @cached_property
    def parts(self) -> pd.DataFrame:
        """The status of each part (resource, guarantee, quality, survey, vetoes)."""
        v = self.result.verdict
        rows = [
            {"part": p, "name": t(f"part.{p}", self.lang), "status": v.get(p) if p in v else None}
            for p in (PARTS if self.has_parts else ("resource",))
        ]
        return pd.DataFrame(rows)

    @cached_property
    def history(self) -> pd.DataFrame:
        """One row per year up to the report's year: verdict, part statuses, section-schools below
        the school rule and coefficients over their limit.
        """
        ev = self.evaluation
        verdicts = ev.verdicts[(ev.verdicts["county_code"] == self.code) & (ev.verdicts["year"] <= self.year)]
        res = ev.resource.verdict
        res = res[(res["county_code"] == self.code) & (res["year"] <= self.year)]
        cols = [c for c in ("schools_failed", "cv_failed") if c in res]
        out = verdicts.merge(res[COUNTY + cols], on=COUNTY, how="left").drop(columns="county_code")
        for col in ("schools_failed", "cv_failed"):
            out[col] = out[col].fillna(0).astype(int) if col in out else 0
        out["verdict"] = out["status"].map(lambda s: t(f"verdict.{s}", self.lang))
        return out.sort_values("year").reset_index(drop=True)

    @cached_property
    def coefficient_history(self) -> pd.DataFrame:
        """Every coefficient of every year up to the report's year."""
        cv = self.evaluation.resource.cv
        mine = cv[(cv["county_code"] == self.code) & (cv["year"] <= self.year)]
        out = self._coefficients(mine, self.rules)
        return out.sort_values(["section", "indicator", "year"]).reset_index(drop=True)

    @cached_property
    def basic(self) -> pd.DataFrame:
        """The 2012 method's eight coefficients per section, and the composite (indicator "composite")."""
        try:
            res = self.basic_evaluation.county(self.code, self.year)
        except KeyError:
            return pd.DataFrame()
        if res.status == "invalid":
            return pd.DataFrame()
        coeffs = self._coefficients(res.coefficients, res.rules)
        comp = res.composite.drop(columns=["county_code"]).copy()
        comp = comp.rename(columns={"composite": "cv"})
        comp["indicator"] = "composite"
        comp["section_name"] = comp["section"].map(self.section_name)
        comp["name"] = t("part.composite", self.lang)
        comp["short"] = comp["name"]
        return pd.concat([coeffs, comp], ignore_index=True)

    def equity(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Gini, Theil T, MLD, McLoone, Verstegen and federal range ratio per section and
        indicator, and the Theil decomposition into within- and between-location parts.
        """
        measures, decomp = self.result.extras(by=("location",))
        inds = {i.id: i for i in self.rules.indicators}
        for frame in (measures, decomp):
            if not frame.empty:
                frame.drop(columns=[c for c in COUNTY if c in frame], inplace=True)
                frame["section_name"] = frame["section"].map(self.section_name)
                frame["short"] = frame["indicator"].map(lambda i: pick(inds[i].short, self.lang))
        return measures, decomp

    @cached_property
    def problems(self) -> pd.DataFrame:
        """Every data problem of this county-year, located (file name, sheet, row, column)."""
        rows = [
            {
                "severity": p.severity,
                "code": p.code,
                "file": Path(p.file).name if p.file else "",
                "sheet": p.sheet,
                "row": p.row,
                "column": p.column,
                "message": p.message(self.lang),
            }
            for p in self.result.problems
        ]
        return pd.DataFrame(rows, columns=["severity", "code", "file", "sheet", "row", "column", "message"])

    @cached_property
    def counts(self) -> dict:
        """Schools in the input, evaluated, excluded (by school, not by section)."""
        s = self.schools
        return {
            "schools": int(s["school_code"].nunique()),
            "evaluated": int(s.loc[s["in_scope"], "school_code"].nunique()),
            "section_schools": int(s["in_scope"].sum()),
            "excluded": int(
                s.loc[~s["school_code"].isin(s.loc[s["in_scope"], "school_code"]), "school_code"].nunique()
            ),
        }

    # -- display objects and outputs --------------------------------------------------------------
    def cover(self):
        """The cover: title, verdict, what was evaluated and how (a display object)."""
        from junheng.report.blocks import cover

        return cover(self)

    def to_dict(self) -> dict:
        """The machine-readable result (the JSON document of ``junheng evaluate --json``)."""
        return {
            **self.result.to_dict(self.lang),
            "title": self.title(),
            "fingerprint": self.fingerprint,
            "files": [Path(f).name for f in self.files],
        }

    def to_json(self, path) -> Path:
        """Write `to_dict` as JSON (strict: no NaN or Infinity)."""
        import json

        path = Path(path)
        path.write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, default=str, allow_nan=False), encoding="utf-8"
        )
        return path

    def to_excel(self, path) -> Path:
        """Write the result tables as an Excel workbook for officials."""
        from junheng.report.export import write_workbook

        return write_workbook(self, path)


def distinguishing_names(names: pd.Series, codes: pd.Series) -> pd.Series:
    """School names as readers see them; where two schools share a name, each gets the last four
    digits of its code: 平川康平村小学（…0009） and 平川康平村小学（…0037）.
    """
    names = names.astype(str)
    shared = names.groupby(names).transform(lambda g: codes[g.index].nunique() > 1)
    suffix = codes.astype(str).str[-4:]
    return names.where(~shared, names + "（…" + suffix + "）")
