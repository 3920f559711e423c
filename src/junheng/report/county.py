"""The notebook API: one county and year, evaluated, as tidy DataFrames.

import junheng
c = junheng.county("990123", 2024)
c.schools, c.coefficients, c.items, c.plan ...   # every frame is listed in county()'s docstring
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import hashlib
import os
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
from junheng.report import format as fmt
from junheng.report import handoff
from junheng.report.params import county_code_param, date_param, lang_param, overlays_param

PARTS = ("resource", "guarantee", "quality", "survey", "vetoes")
COUNTY = ["county_code", "year"]
# c.items: fixed columns and dtypes (docs/notebook.md); "object" columns hold one type each
ITEM_DTYPES = {
    "part": "string",  # guarantee, quality, survey, vetoes, prerequisite
    "id": "string",  # G1…G15, Q1…Q9, S, veto names, prerequisite
    "label": "string",  # in the report's language
    "status": "string",  # pass, fail, not_assessed
    "value": "Float64",  # 1/0 for yes/no items; <NA>: no data
    "threshold": "Float64",  # the standard as one number (是 1, 否 0); <NA> where it has several parts
    "threshold_text": "string",  # the standard in the report's language (是/yes, 小学45，初中50)
    "threshold_parts": "object",  # dict of a standard with several parts ({"primary": 45, …}), else {}
    "evidence": "object",  # dict: what the item was decided on
    "schools": "object",  # list of dicts: the failing schools
}
COMBINED = ("nine_year", "twelve_year")  # schools evaluated once per section

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


class Evaluated:
    """One county's data and its evaluation under the report's rules; the 2012 rules' only when asked.

    The 2012 (jiben-2012) evaluation is computed on first use of `basic` and then kept with the entry:
    `junheng.county()` for a frame of the current rules never pays for it, a report (whose
    基本均衡 appendix shows it) pays once per county, whichever of its years it shows.
    """

    def __init__(self, dataset, rules: RuleSet, evaluation):
        self.dataset, self.rules, self.evaluation = dataset, rules, evaluation

    @cached_property
    def basic(self):
        """The 2012 method's evaluation of the same data (the evaluation itself under jiben-2012)."""
        return basic_evaluation(self.dataset, self.rules, self.evaluation)

    def parts(self) -> list:
        """This entry and what a County made on it refers to (its 2012 evaluation once computed), in order.

        What `junheng.report.handoff` writes as references in the County it hands over, not again.
        """
        basic = [self.basic] if "basic" in vars(self) else []
        return [self, self.dataset, self.rules, self.evaluation, *basic]


def basic_evaluation(dataset, rules: RuleSet, evaluation):
    """The jiben-2012 evaluation of ``dataset``, with the overlays of ``rules`` that apply to it."""
    return evaluation if rules.id == "jiben-2012" else evaluate(dataset, rules.for_rules("jiben-2012"))


def cache_key(data: Path, county_code: str, rules: str, overlays: tuple) -> tuple:
    """What `entry` caches one county under: the data's path and files, the county, rules and overlays."""
    return (str(Path(data).resolve()), county_code, rules, overlays, _signature(Path(data)))


def evaluate_entry(data: Path, county_code: str, rules: str, overlays: tuple) -> Evaluated:
    """Load and evaluate every year of one county (uncached)."""
    dataset = load(data, counties=[county_code])
    rule_set = RuleSet(rules, overlays)
    return Evaluated(dataset, rule_set, evaluate(dataset, rule_set))


def entry(data: Path, county_code: str, rules: str, overlays: tuple) -> Evaluated:
    """Load and evaluate every year of one county, reused while the inputs are unchanged.

    A batch worker renders a county's years one after another: they share the data, the evaluation and
    (once one asks for it) the 2012 evaluation. The kernel of `junheng report` finds the county evaluated
    by the process that started it, while it started (`junheng.report.handoff`), when it is for the same
    key and code.
    """
    key = cache_key(data, county_code, rules, overlays)
    if key not in _CACHE:
        found = getattr(handoff.take(key), "entry", None)
        if not isinstance(found, Evaluated):
            found = evaluate_entry(data, county_code, rules, overlays)
        _keep(key, found)
    return _CACHE[key]


def _keep(key: tuple, value: Evaluated) -> None:
    while len(_CACHE) >= CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = value


def evaluated(data: Path, county_code: str, rules: str, overlays: tuple):
    """(dataset, rule set, evaluation, 2012 evaluation) of one county, from the cache of `entry`."""
    e = entry(data, county_code, rules, overlays)
    return e.dataset, e.rules, e.evaluation, e.basic


def fingerprint(files: list, params: dict) -> str:
    """SHA-256 over the data files used and the parameters: the same inputs give the same value."""
    digest = hashlib.sha256()
    for f in sorted(set(files)):
        digest.update(Path(f).name.encode())
        digest.update(Path(f).read_bytes())
    digest.update(repr(sorted(params.items())).encode())
    return digest.hexdigest()


def county(
    county_code,
    year,
    data=None,
    rules: str = "youzhi-2017",
    overlays=(),
    lang: str = "zh",
    report_date=None,
    issuer: str | None = None,
    final: bool = False,
) -> County:
    """Load and evaluate one county and year.

    The result holds the engine's results as DataFrames (English column names, labels in the
    report's language):

        c.schools               # one row per section-school (a nine-year school is two rows),
                                # evaluated or not
        c.evaluated_schools     # the section-schools of Part R
        c.excluded              # the schools left out of Part R, with the reason
        c.indicators            # long: one row per evaluated section-school and indicator
        c.coefficients          # one row per section and indicator: mean, coefficient, limit, passed
        c.shortfalls            # what each section-school must add to meet every threshold
        c.items                 # Parts G, Q, S, vetoes and the prerequisite, with their evidence
        c.parts                 # each part's status and counts
        c.history               # every year up to the report's year: verdict, parts, failed items
        c.coefficient_history   # every coefficient of every year
        c.basic                 # the 2012 method's coefficients
        c.profile               # schools, students and teachers by school type
        c.plan, c.plan_totals() # the rectification plan: one row per measure; totals
        c.targets, c.target_summary  # the county's plan targets (empty without a plan)
        c.gap                   # urban, town and rural means and the between-group share
        c.equity()              # Gini, Theil, McLoone... and the Theil decomposition
        c.problems              # data-quality messages of this county-year


    Args:
        county_code: the 6-digit division code, as text (an integer such as 10101 from
            ``papermill -p`` is restored to "010101"; see `junheng.report.params`).
        year: the evaluation year; only this and earlier years are read into the history.
        data: a workbook, a folder of workbooks or a folder of tables; empty: the bundled sample.
        rules: ``youzhi-2017`` or ``jiben-2012``.
        overlays: province overlays or rule options, a list or a comma-separated string.
        lang: ``zh`` (default) or ``en`` for every label in the frames, tables and charts.
        report_date: the date the report is issued (``"2025-03-31"`` or a date; default: today, but no
            later than 30 June of the year after ``year``, when a report on that year is issued):
            printed on the cover; the plan's deadlines count from it.
        issuer: who issues the report (e.g. 某某县人民政府教育督导室), printed on the cover.
        final: the version for submission: refused (`junheng.report.issue.FinalRefused`, with every
            reason) while anything keeps the report a draft (`County.draft_reasons`).

    The county's own text (``narrative/CODE[_YEAR].md``) and profile (``county/CODE.yaml`` or
    ``county.yaml``: issuer, 文号, province, contact, report date) are read beside the data; the
    parameters ``report_date`` and ``issuer`` win over the profile's.
    """
    handed = handed_county(county_code, year, data, rules, overlays, lang, report_date, issuer, final)
    if handed is not None:
        return handed
    return County(county_code, year, data, rules, overlays, lang, report_date, issuer, final=final)


def county_key(county_code, year, data, rules, overlays, lang, report_date, issuer, final) -> tuple:
    """The arguments of `county` as `County` reads them, and today's date.

    (code, year, data, rules, overlays, lang, report date, issuer, final, today): two calls with the same
    key make the same County (today: its ``generated`` date and default report date). Raises what the
    arguments' checks raise.
    """
    lang = lang_param(lang)
    return (
        county_code_param(county_code, lang),
        int(year),
        str(Path(data) if data else default_data()),
        str(rules),
        overlays_param(overlays),
        lang,
        str(report_date) if report_date else "",
        str(issuer).strip() if issuer else "",
        bool(final),
        datetime.date.today().isoformat(),
    )


def files_signature(files) -> tuple:
    """The names, sizes and modification times of ``files`` (a County's `County.files`)."""
    return tuple((str(f), os.stat(f).st_size, os.stat(f).st_mtime_ns) for f in files)


def primed_county(value: Evaluated, key: tuple) -> County:
    """The County of ``key`` (`county_key`) on the entry ``value`` just evaluated, every frame computed.

    What `junheng report` hands its kernel (`junheng.report.handoff`): `county` with the same
    arguments returns it there instead of computing the same frames. Raises what `County` raises.
    """
    code, year, data, rules, overlays, lang, report_date, issuer, final, _ = key
    entry_key = cache_key(Path(data), code, rules, overlays)
    seeded = entry_key not in _CACHE
    if seeded:
        _CACHE[entry_key] = value  # not kept: this process may never report on the county again
    try:
        c = County(code, year, data, rules, overlays, lang, report_date or None, issuer or None, final=final)
    finally:
        if seeded:
            _CACHE.pop(entry_key, None)
    return c.prime()


def handed_county(*args) -> County | None:
    """The County `junheng report` made for exactly these arguments of `county` while the kernel started.

    None outside that kernel, for other arguments (`county_key`), for a second call, when a file the
    County read has changed since (`files_signature`) or when anything fails: then `county` makes it as
    it always did.
    """
    if not handoff.expected():
        return None
    try:
        key = county_key(*args)
        code, _, data, rules, overlays = key[:5]
        entry_key = cache_key(Path(data), code, rules, overlays)
        made = handoff.take_county(entry_key, key)
        if made is None:
            return None
        c, files = made
        if not isinstance(c, County) or files_signature(c.files) != files:
            return None
    except Exception:  # noqa: BLE001 - made here as without a hand-off: County says what is wrong
        return None
    if entry_key not in _CACHE:  # later calls for the county find its evaluation, as `entry` keeps it
        _keep(entry_key, c._entry)
    return c


class County:
    """One county and year: the engine's results as tidy frames (see the module docstring)."""

    def __init__(
        self,
        county_code,
        year,
        data=None,
        rules="youzhi-2017",
        overlays=(),
        lang="zh",
        report_date=None,
        issuer=None,
        changes=None,
        final=False,
    ):
        from junheng.inputs.county_profile import load as load_profile

        self.lang = lang_param(lang)
        self.code = county_code_param(county_code, self.lang)
        self.year = int(year)
        self.data = Path(data) if data else default_data()
        self.county_profile = load_profile(self.data, self.code, self.year)
        report_date = report_date or self.county_profile.report_date
        self.report_date_given = report_date not in (None, "")  # else assumed: keeps the report a draft
        if not self.report_date_given:
            # a report on an earlier year's data is dated when such a report is issued, not today
            from junheng.planning.deadlines import default_report_date

            self.report_date = default_report_date(self.year)
        else:
            self.report_date = date_param(report_date, self.lang)
        self.issuer = str(issuer).strip() if issuer else self.county_profile.issuer
        self.overlay_ids = overlays_param(overlays)
        self._entry = entry(self.data, self.code, rules, self.overlay_ids)
        self.dataset, self.rules, self.evaluation = (
            self._entry.dataset,
            self._entry.rules,
            self._entry.evaluation,
        )
        self.changes = []  # the what-if changes applied (`with_changes`), one dict per change
        self._change_sets = [] if changes is None else changes if isinstance(changes, list) else [changes]
        if self._change_sets:
            self._apply(self._change_sets)
        try:
            self.result = self.evaluation.county(self.code, self.year)
        except KeyError:
            errors = "; ".join(p.message(self.lang) for p in self.dataset.problems if p.severity == "error")
            where = t("ui.year_suffix", self.lang, year=self.year)
            hint = (
                t("params.restored_code_hint", self.lang)
                if not str(county_code).strip().startswith("0") and self.code.startswith("0")
                else ""
            )
            raise LookupError(
                t("ui.no_county", self.lang, county=self.code, year=where) + hint + errors[:1000]
            ) from None
        self.name = self.result.county_name
        self.status = self.result.status
        self.generated = datetime.date.today().isoformat()
        self.final = bool(final)
        if self.final:
            from junheng.report.issue import FinalRefused

            reasons = self.draft_reasons
            if reasons:
                raise FinalRefused(reasons, self.lang)

    def __repr__(self) -> str:
        return f"<County {self.code} {self.name} {self.year}: {self.status}>"

    def prime(self) -> County:
        """Compute every frame now (each cached property, the equity measures, the JSON document).

        `junheng report` does it while its kernel starts (`primed_county`). A frame that raises is left
        to be computed, and to raise, when it is asked for. Returns the county.
        """
        for name, attr in vars(County).items():
            if isinstance(attr, cached_property):
                try:
                    getattr(self, name)
                except Exception:  # noqa: BLE001, S112 - raised again where the report asks for it
                    continue
        return self

    def _apply(self, change_sets: list) -> None:
        """Apply change sets, in order, to this county-year's schools and evaluate again."""
        from junheng.inputs.changes import apply_to_dataset

        for changes in change_sets:
            self.dataset, applied = apply_to_dataset(self.dataset, changes, self.code, self.year, self.lang)
            self.changes.extend(applied)
        self.evaluation = evaluate(self.dataset, self.rules)

    @cached_property
    def basic_evaluation(self):
        """The 2012 method's evaluation (`c.basic`), computed when first asked (once per cached county)."""
        if self._change_sets:  # what if: the changed data, evaluated again
            return basic_evaluation(self.dataset, self.rules, self.evaluation)
        return self._entry.basic

    def with_changes(self, changes) -> County:
        """What if: a new county object with a change set applied before evaluation.

        ``changes``: a CSV file or a DataFrame with columns ``school_code``, ``column``, ``delta``
        (or ``value``) and, where a school has two sections, ``section`` (`junheng.inputs.changes`).
        Every frame of the new object is recomputed; this one is unchanged (changes already applied
        to it stay applied). A change that cannot be applied raises
        `junheng.inputs.changes.ChangeError` (located, in the county's language).
        """
        return County(
            self.code,
            self.year,
            self.data,
            self.rules.id,
            self.overlay_ids,
            self.lang,
            self.report_date,
            self.issuer,
            changes=[*self._change_sets, changes],
        )

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
        folder = self.data if self.data.is_dir() else self.data.parent
        for name in ("targets.yaml", "targets.yml", "plan.yaml"):  # the county's plan files count too
            if (folder / name).is_file():
                found.add(str(folder / name))
        # the county's own text, profile and plan
        own = [self.narrative_text.file, self.county_profile.file, self.county_plan_file]
        found.update(str(f) for f in own if f)
        found.update(
            str(p) for p in sorted((folder / "targets").glob("*.yaml")) if (folder / "targets").is_dir()
        )
        return sorted(found)

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the data files used and the parameters."""
        return fingerprint(
            self.files,
            {
                "county": self.code,
                "year": self.year,
                "rules": self.rules.id,
                "overlays": self.overlay_ids,
                **(
                    {"changes": repr([(a["school_code"], a["column"], a["after"]) for a in self.changes])}
                    if self.changes
                    else {}
                ),
            },
        )

    def title(self) -> str:
        """The report's title (the county after its province and prefecture, when its profile has them)."""
        key = "report.title" if self.has_parts else "report.title_2012"
        return t(key, self.lang, county=self.full_name, year=self.year)

    @property
    def full_name(self) -> str:
        """示例省某市云岭县: the county's name after its province and prefecture (from its profile)."""
        return self.county_profile.place + self.name if self.lang == "zh" else self.name

    # -- the county's own text and the draft/final decision ---------------------------------------
    @cached_property
    def narrative_text(self):
        """The county's own text (`junheng.inputs.narrative.Narrative`; empty without a file)."""
        from junheng.inputs.narrative import load as load_narrative

        return load_narrative(self.data, self.code, self.year)

    def narrative(self, name: str):
        """The county's own section ``name``, its citations filled in (Markdown).

        ``name``: 基本情况, 主要做法与成效, 问卷调查方式, 问题原因, 下一步工作打算, 佐证材料清单, or
        their ids; a section not written is a placeholder (`junheng.report.narrative.section`).
        """
        from junheng.report.narrative import section

        return section(self, name)

    def narrative_title(self, name: str) -> str:
        """The heading of the county's section ``name`` in the report's language."""
        from junheng.inputs.narrative import section_id, title

        return title(section_id(name) or name, self.lang)

    @cached_property
    def county_plan_file(self) -> str:
        """The county's own plan file ``plan/CODE.yaml`` beside the data ("" when there is none)."""
        folder = self.data if self.data.is_dir() else self.data.parent
        path = folder / "plan" / f"{self.code}.yaml"
        return str(path) if path.is_file() else ""

    @cached_property
    def draft_reasons(self) -> list:
        """What keeps the report a draft (`junheng.report.issue.reasons`); empty: it may be final."""
        from junheng.report.issue import reasons

        return reasons(self)

    @property
    def draft(self) -> bool:
        """Whether the report is a draft: the plan is costed at illustrative unit costs.

        The plan is costed at illustrative unit costs: the report is a draft until the county sets its own
        (the cover says so).
        """
        plan = self.plan
        return bool(len(plan)) and bool(plan["illustrative"].fillna(False).astype(bool).any())

    @property
    def designation(self) -> str:
        """全县 / 全市 / 全区 / 全旗: how the report names the whole county in sentences."""
        return fmt.designation(self.name, self.lang)

    def label(self, key: str, **params) -> str:
        """A report label in the county's language (``locale/report.yaml``).

        Its parameters include the county's words (`format.county_words`) and ``Tier``, the tier at the
        start of an English heading (City mean).
        """
        words = fmt.county_words(self.name, self.lang)
        words["Tier"] = words["tier"][:1].upper() + words["tier"][1:]
        return t(f"report.{key}", self.lang, **{**words, **params})

    def section_name(self, section) -> str:
        """小学 / 初中 (Primary / Junior)."""
        return t(f"report.section_names.{section}", self.lang) if isinstance(section, str) else ""

    # -- frames -----------------------------------------------------------------------------------
    @cached_property
    def schools(self) -> pd.DataFrame:
        """Part R per section-school: every indicator's value, threshold and result.

        One row per section-school (a nine-year school is two rows), evaluated or excluded: ``value_*``,
        ``threshold_*``, ``met_*``, ``ratio_*``, ``add_*`` per indicator key, ``n_met``, ``school_passed``,
        ``in_scope``, ``exclusion`` and its text. ``name`` tells apart two schools that share a name (it adds
        the township, or the school code where the township is not given).
        """
        sec = self.result.section_schools.copy()
        enums = load_schema().enums
        rows = self.school_rows.drop_duplicates("school_code")  # a school given twice is a data error
        place = sec["school_code"].map(rows.set_index("school_code")["township"])
        sec["name"] = distinguishing_names(sec["school_name"], sec["school_code"], self.lang, place)
        sec["section_name"] = sec["section"].map(self.section_name)
        combined = sec["school_type"].isin(COMBINED) & sec["section"].notna()
        part = sec["section"].map(
            lambda s: t(f"report.section_parts.{s}", self.lang) if isinstance(s, str) else ""
        )
        sec["label"] = sec["name"].where(~combined, sec["name"] + part)
        sec["type_name"] = sec["school_type"].map(lambda v: pick(enums["school_type"].get(v), self.lang))
        sec["location_name"] = sec["location"].map(lambda v: pick(enums["location"].get(v), self.lang))
        sec["exclusion_text"] = [
            t(f"exclusion.{reason}", self.lang, **(detail if isinstance(detail, dict) else {}))
            if isinstance(reason, str)
            else ""
            for reason, detail in zip(sec["exclusion"], sec["exclusion_detail"], strict=True)
        ]
        # a dict for every row ({} for a school in scope), as `evidence` of c.items: one type a column
        sec["exclusion_detail"] = [d if isinstance(d, dict) else {} for d in sec["exclusion_detail"]]
        if "school_passed" in sec:  # True/False in scope, <NA> for a school left out (not object)
            sec["school_passed"] = sec["school_passed"].astype("boolean")
        order = {s: i for i, s in enumerate(self.rules.sections)}
        sec["_order"] = sec["section"].map(order).fillna(len(order))
        return sec.sort_values(["_order", "school_code"]).drop(columns="_order").reset_index(drop=True)

    @cached_property
    def school_names(self) -> dict:
        """School code → the name readers see (two schools sharing a name are told apart)."""
        names = self.schools.drop_duplicates("school_code")
        return dict(zip(names["school_code"], names["name"], strict=True))

    @cached_property
    def school_rows(self) -> pd.DataFrame:
        """The county-year's rows of the schools table, as read (one per school)."""
        s = self.dataset.schools
        return s[(s["county_code"] == self.code) & (s["year"] == self.year)].reset_index(drop=True)

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
        """The difference coefficients: one row per section and indicator.

        One row per section and indicator: mean, SD, coefficient, its limit and verdict, and ``previous_cv`` /
        ``change``: the coefficient of the previous year in the data and the difference (None for the first
        year).
        """
        out = self._coefficients(self.result.coefficients, self.rules)
        hist = self.coefficient_history
        before = hist[hist["year"] < self.year]
        if before.empty:
            out["previous_year"], out["previous_cv"], out["change"] = None, float("nan"), float("nan")
            return out
        last = before[before["year"] == before["year"].max()].set_index(["section", "indicator"])["cv"]
        out["previous_year"] = int(before["year"].max())
        out["previous_cv"] = [
            last.get((s, i), float("nan")) for s, i in zip(out["section"], out["indicator"], strict=True)
        ]
        out["change"] = out["cv"] - out["previous_cv"]
        return out

    def _coefficients(self, cv: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
        inds = {i.id: i for i in rules.indicators}
        out = cv.drop(columns=["county_code"]).copy()
        if "status" in out and (out["status"] != "no_school").any():  # a section the county has no
            out = out[out["status"] != "no_school"]  # school of is not shown as 未达标 (issue #22)
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
        """补短板清单: what each evaluated section-school must add per missed indicator.

        补短板清单: per evaluated section-school and missed indicator, the value, the threshold, the gap and
        what must be added (rounded up to the indicator's step: whole teachers and rooms, whole m², equipment
        to the hundred yuan), with the unit of the amount. For floor area, sports area, equipment and rooms
        the amount is what the whole school adds: a combined school (一贯制, 完全中学) splits them between
        its sections by weighted students (STANDARDS.md §1), so its section gets only its share.
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
        # what the whole school adds: a combined school's shared resources are split by weighted students
        from junheng.planning.needs import whole_school_amounts

        short["add"] = whole_school_amounts(self, short)
        short["add_unit"] = short["indicator"].map(lambda i: pick(inds[i].add_unit, self.lang))
        return short

    @cached_property
    def items(self) -> pd.DataFrame:
        """Parts G, Q, S, the vetoes and the prerequisite: one row per item (`ITEM_DTYPES`).

        Parts G, Q, S, the vetoes and the prerequisite: one row per item with its status (pass / fail /
        not_assessed), value, standard (``threshold`` as one number, <NA> where it has several parts;
        ``threshold_text`` in the report's language; ``threshold_parts`` a dict, empty unless it has
        parts), the evidence it was decided on (a dict) and the failing schools (a list of dicts).
        """
        from junheng.report.research import limit_number, limit_text

        items = self.result.items
        if items is None or items.empty:
            return pd.DataFrame({k: pd.Series(dtype=v) for k, v in ITEM_DTYPES.items()})
        out = items.drop(columns=COUNTY).copy()
        raw = list(out["threshold"])
        out["threshold"] = pd.array([limit_number(v) for v in raw], dtype="Float64")
        out["threshold_text"] = [limit_text(v, self.lang) for v in raw]
        out["threshold_parts"] = [dict(v) if isinstance(v, dict) else {} for v in raw]
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
        return out[list(ITEM_DTYPES)].astype(ITEM_DTYPES).reset_index(drop=True)

    @cached_property
    def parts(self) -> pd.DataFrame:
        """Each part's status and how many of its items passed, failed or could not be assessed.

        Each part (resource, guarantee, quality, survey, vetoes): its status and how many of its items passed,
        failed or could not be assessed (Part R: coefficients and schools).
        """
        v = self.result.verdict
        rows = []
        for part in PARTS if self.has_parts else ("resource",):
            row = {
                "part": part,
                "name": t(f"part.{part}", self.lang),
                "status": v.get(part) if part in v else None,
            }
            if part == "resource":
                cv = self.coefficients
                judged = cv[cv["n_schools"] > 0]
                row.update(
                    items=len(judged),
                    passed=int(judged["passed"].fillna(False).astype(bool).sum())
                    if "passed" in judged
                    else len(judged),
                    not_assessed=0,
                )
                row["failed"] = row["items"] - row["passed"]
                scoped = self.evaluated_schools
                row["schools"] = len(scoped)
                row["schools_failed"] = (
                    int((~scoped["school_passed"].astype(bool)).sum()) if "school_passed" in scoped else 0
                )
            else:
                mine = self.items[self.items["part"] == part]
                row.update(
                    items=len(mine),
                    passed=int((mine["status"] == "pass").sum()),
                    failed=int((mine["status"] == "fail").sum()),
                    not_assessed=int((mine["status"] == "not_assessed").sum()),
                )
            rows.append(row)
        return pd.DataFrame(rows)

    @cached_property
    def history(self) -> pd.DataFrame:
        """The county's results over the years, one row per year up to the report's year.

        Verdict, part statuses, section-schools below the school rule, coefficients over their limit,
        the failing items of Parts G, Q, S and the vetoes (``items_failed``: a list of ids), and how
        many of those items were not assessed for missing data (``items_missing``).
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
        items = ev.items
        failing = {}
        if items is not None and len(items):
            mine = items[
                (items["county_code"] == self.code)
                & (items["status"] == "fail")
                & items["part"].isin(["guarantee", "quality", "survey", "vetoes"])
            ]
            for year, rows in mine.groupby("year"):
                failing[int(year)] = list(rows["id"])
        out["items_failed"] = [failing.get(int(y), []) for y in out["year"]]
        missing = {}
        if items is not None and len(items):
            unknown = items[
                (items["county_code"] == self.code)
                & (items["status"] == "not_assessed")
                & items["part"].isin(["guarantee", "quality", "survey", "vetoes"])
            ]
            missing = unknown.groupby("year").size().to_dict()
        out["items_missing"] = [int(missing.get(y, 0)) for y in out["year"]]
        out["passed"] = out["passed"].astype("boolean")
        return out.sort_values("year").reset_index(drop=True)

    @cached_property
    def profile(self) -> pd.DataFrame:
        """基本情况: schools, students and teachers per school type, this year and the previous one.

        基本情况: schools, compulsory-education students and full-time teachers per school type, this year and
        the previous year in the data (``previous_*`` columns, empty when none).
        """
        s = self.dataset.schools
        mine = s[(s["county_code"] == self.code) & (s["year"] <= self.year)]
        years = sorted(int(y) for y in mine["year"].dropna().unique())
        previous = years[-2] if len(years) > 1 else None
        enums = load_schema().enums["school_type"]

        def summary(rows):
            g = rows.assign(
                students=rows["students_primary"].fillna(0) + rows["students_junior"].fillna(0),
                teachers=rows["teachers_primary"].fillna(0) + rows["teachers_junior"].fillna(0),
                primary=rows["students_primary"].fillna(0),
                junior=rows["students_junior"].fillna(0),
            )
            return g.groupby("school_type").agg(
                schools=("school_code", "nunique"),
                students=("students", "sum"),
                primary=("primary", "sum"),
                junior=("junior", "sum"),
                teachers=("teachers", "sum"),
            )

        now = summary(mine[mine["year"] == self.year])
        if previous is not None:
            before = summary(mine[mine["year"] == previous]).add_prefix("previous_")
            now = now.join(before, how="outer")
        order = [k for k in enums if k in now.index]
        out = now.reindex(order).fillna(0).reset_index()
        out["type_name"] = out["school_type"].map(lambda k: pick(enums[k], self.lang))
        out["previous_year"] = previous
        return out

    @cached_property
    def school_changes(self) -> dict:
        """Section-schools below the school rule this year and in the previous year in the data.

        Section-schools below the school rule this year and in the previous year in the data:
        ``{"previous_year", "newly_failing", "newly_fixed"}`` (lists of labels).
        """
        sec = self.evaluation.resource.schools
        mine = sec[(sec["county_code"] == self.code) & sec["in_scope"] & (sec["year"] <= self.year)]
        years = sorted(int(y) for y in mine["year"].unique())
        if len(years) < 2 or "school_passed" not in mine:
            return {"previous_year": None, "newly_failing": [], "newly_fixed": []}
        previous = years[-2]

        def failing(year):
            rows = mine[(mine["year"] == year) & ~mine["school_passed"].astype(bool)]
            return set(zip(rows["school_code"], rows["section"], strict=True))

        now, before = failing(self.year), failing(previous)
        labels = dict(
            zip(
                zip(self.schools["school_code"], self.schools["section"], strict=True),
                self.schools["label"],
                strict=True,
            )
        )
        names = self.school_names

        def label(key):
            return labels.get(key) or names.get(key[0], key[0])

        return {
            "previous_year": previous,
            "newly_failing": [label(k) for k in sorted(now - before)],
            "newly_fixed": [label(k) for k in sorted(before - now)],
        }

    @cached_property
    def plan_config(self):
        """The rectification plan's offices, unit costs and deadlines in force.

        The rectification plan's offices, unit costs and deadlines in force: the shipped defaults and a
        ``plan.yaml`` next to the data (`junheng.planning.config`). None when that file has errors (they are
        in `plan_problems`).
        """
        from junheng.planning.config import PlanConfigError, load_config

        try:
            own = [self.county_plan_file] if self.county_plan_file else []
            return load_config(*own, data=self.data, lang=self.lang)
        except PlanConfigError as exc:
            self._plan_problems = exc.problems
            return None

    @property
    def plan_problems(self) -> list:
        """Errors of the county's plan.yaml (none when it is fine or absent)."""
        self.plan_config  # noqa: B018 - loads it
        return getattr(self, "_plan_problems", [])

    @cached_property
    def plan(self) -> pd.DataFrame:
        """存在问题与整改建议: the rectification plan, one row per measure.

        存在问题与整改建议: one row per school and measure and per failing county item, with the problem in
        figures, the measure, quantity, estimated cost, offices and deadline
        (`junheng.planning.rectification.plan_rows`). ``required`` marks what the verdict needs.
        """
        from junheng.planning.rectification import COLUMNS, plan_rows

        if self.plan_config is None:
            return pd.DataFrame(columns=COLUMNS)
        return plan_rows(self, self.plan_config)

    @cached_property
    def optimal(self):
        """达标测算: the least-cost additions that make Part R pass (`junheng.planning.optimal`).

        ``.rows`` (one per school and measure), ``.changes`` (a change set for `with_changes`),
        ``.summary`` (status, costs, the solver's bound), ``.failing``. Settings: plan.yaml
        ``optimal``; other settings: ``optimal_plan(c, horizon_years=10, caps=...)``.
        """
        from junheng.planning.optimal import optimal_plan

        return optimal_plan(self, self.plan_config)

    def plan_totals(self, by=("lead",)) -> pd.DataFrame:
        """The plan summed per office (or any other grouping of `plan_totals`)."""
        from junheng.planning.rectification import plan_totals

        return plan_totals(self.plan, by=by)

    @cached_property
    def targets(self) -> pd.DataFrame:
        """The county's plan targets, one row per target and year.

        The county's plan targets (`junheng.method.targets`): one row per target and year up to the report's
        year, with the value, the trajectory and the status. Empty without a plan.
        """
        from junheng.method.targets import evaluate_targets

        rows = evaluate_targets(self.evaluation, self.lang, counties=[self.code])
        return rows[rows["year"] <= self.year].reset_index(drop=True) if len(rows) else rows

    @cached_property
    def target_summary(self) -> pd.DataFrame:
        """One row per target at the report's year (its latest status and the statuses by year)."""
        from junheng.method.targets import target_summary

        return target_summary(self.evaluation, year=self.year, lang=self.lang, counties=[self.code])

    @cached_property
    def gap(self) -> pd.DataFrame:
        """The urban–rural gap per year, section and indicator.

        The urban–rural gap (`junheng.planning.gap`): per year up to the report's year, section and indicator,
        the means of urban, town and rural schools, their ratios and the share of the inequality between the
        three groups (Theil).
        """
        from junheng.planning.gap import urban_rural_gap

        rows = urban_rural_gap(self.evaluation, counties=[self.code])
        rows = rows[rows["year"] <= self.year].copy()
        inds = {i.id: i for i in self.rules.indicators}
        rows["short"] = rows["indicator"].map(lambda i: pick(inds[i].short, self.lang) if i in inds else i)
        rows["decimals"] = rows["indicator"].map(lambda i: inds[i].decimals if i in inds else 2)
        rows["section_name"] = rows["section"].map(self.section_name)
        return rows.reset_index(drop=True)

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
        out = pd.concat([coeffs, comp], ignore_index=True)
        for col in ("passed", "borderline"):  # the composite's verdict; <NA> for the eight coefficients
            if col in out:
                out[col] = out[col].astype("boolean")
        return out

    def basic_composites(self, year: int) -> dict:
        """Section → the 2012 method's composite coefficient in ``year`` (a section without one left out)."""
        try:
            frame = self.basic_evaluation.county(self.code, year).composite
        except KeyError:
            return {}
        return {r.section: float(r.composite) for r in frame.itertuples() if not fmt.is_missing(r.composite)}

    def equity(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The further inequality measures per section and indicator.

        Gini, Theil T, MLD, McLoone, Verstegen and federal range ratio per section and indicator, and the
        Theil decomposition into within- and between-location parts (copies: computed once).
        """
        measures, decomp = self._equity
        return measures.copy(), decomp.copy()

    @cached_property
    def _equity(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        inds = {i.id: i for i in self.rules.indicators}

        def labelled(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty:
                return frame
            frame = frame.drop(columns=[c for c in COUNTY if c in frame])
            frame["section_name"] = frame["section"].map(self.section_name)
            frame["short"] = frame["indicator"].map(lambda i: pick(inds[i].short, self.lang))
            return frame

        measures, decomp = self.result.extras(by=("location",))
        return labelled(measures), labelled(decomp)

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
                # the file by its name only: a report shows no folder of the machine it was made on
                "message": dataclasses.replace(p, file=Path(p.file).name if p.file else "").message(
                    self.lang
                ),
                # as the report states it, draft or final: no level tag (its own column) and no file
                # name, the sheet, row and column an official reads (the command line and JSON name it)
                "finding": p.finding(self.lang, with_file=False),
                "finding_text": p.finding_text(self.lang),
            }
            for p in self.result.problems
        ]
        columns = ["severity", "code", "file", "sheet", "row", "column", "message", "finding", "finding_text"]
        return pd.DataFrame(rows, columns=columns)

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
        """The machine-readable result (the JSON document of ``junheng evaluate --json``; a copy)."""
        return copy.deepcopy(self._document)

    @cached_property
    def _document(self) -> dict:
        from junheng.report.issue import metadata

        return {
            **self.result.to_dict(self.lang),
            "title": self.title(),
            **metadata(self),  # files, fingerprint, generator, final, draft_reasons
        }

    def to_json(self, path) -> Path:
        """Write `to_dict` as JSON (strict: NaN and Infinity become null, as `junheng evaluate --json`)."""
        from junheng.jsonout import dumps_strict

        path = Path(path)
        path.write_text(dumps_strict(self._document), encoding="utf-8")
        return path

    def to_excel(self, path, extra: list | None = None) -> Path:
        """Write the result tables as an Excel workbook for officials (`junheng.report.export`)."""
        from junheng.report.appendix import sheet
        from junheng.report.export import write_workbook

        own = [] if self.invalid else [sheet(self)]  # 附表: every school's inputs, to recompute
        return write_workbook(self, path, [*own, *(extra or [])])


def distinguishing_names(
    names: pd.Series, codes: pd.Series, lang: str = "zh", townships: pd.Series | None = None
) -> pd.Series:
    """School names as readers see them, told apart by township where two are the same.

    Where two schools share a name, each gets its 乡镇（街道）, which readers know:
    平川康平村小学（柳河乡） and 平川康平村小学（石门乡）. A school whose township is not given, or is
    the same as that of another school of its name, gets its whole 10-digit school code (学校标识码)
    instead: 平川康平村小学（标识码9901210009） — never a fragment of it.
    """
    names = names.astype(str)
    codes = codes.astype(str)
    shared = (codes.groupby(names, sort=False).transform("nunique") > 1).astype(bool)
    if not shared.any():
        return names
    if townships is None:
        townships = pd.Series(pd.NA, index=names.index, dtype="object")
    place = townships.where(townships.notna(), "").astype(str).str.strip()
    # a township tells a school apart when no other school of the same name lies in it
    pairs = pd.DataFrame({"name": names, "place": place, "code": codes}).drop_duplicates()
    per_place = pairs[pairs["place"] != ""].groupby(["name", "place"])["code"].nunique()
    alone = set(per_place.index[per_place == 1])
    out = names.copy()
    for i in np.flatnonzero(shared.to_numpy()):  # only the schools that share a name get a suffix
        p, code = place.iloc[i], codes.iloc[i]
        suffix = (
            t("report.words.told_apart_by_township", lang, township=p)
            if (names.iloc[i], p) in alone
            else t("report.words.told_apart", lang, code=code)
        )
        out.iloc[i] = names.iloc[i] + suffix
    return out
