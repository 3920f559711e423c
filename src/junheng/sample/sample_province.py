"""The bundled sample: a fictional province of ten counties over the school years 2021-2024.

The bundled sample: a fictional province (codes 99xxxx, which no real province uses) of ten counties over the
school years 2021-2024, each shaped to tell one story in its report (issue #3).

Regenerated bit-identically by `junheng sample-data` from SEED.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from junheng.inputs.schema import load_schema
from junheng.method.equity import difference_coefficient
from junheng.method.resource import indicator_values
from junheng.method.rules import RuleSet
from junheng.method.sections import build_section_schools
from junheng.sample import sample_plans, synthetic

SEED = 20240901
YEARS = (2021, 2022, 2023, 2024)
PROVINCE = "示例省"

# code, name, kind of county, story
COUNTIES = [
    ("990102", "明湖区", "district", "passes"),  # passes every part, every year
    ("990181", "清源市", "city", "single_cv"),  # fails only the junior R5 coefficient
    ("990121", "平川县", "plain", "few_schools"),  # four schools below the 6-of-7 rule
    ("990122", "河阳县", "plain", "borderline"),  # primary R6 coefficient 0.497, limit 0.50
    ("990123", "石门县", "mountain", "improving"),  # many small rural schools; passes from 2024
    ("990124", "新港县", "migrant", "survey_fails"),  # many migrant children; recognition below 85%
    ("990125", "柳溪县", "plain", "incomplete"),  # only the schools sheet: a partial report
    ("990126", "云岭县", "mountain", "guarantee_fails"),  # oversized classes (G5), too little rotation (G11)
    ("990127", "东坪县", "plain", "quality_fails"),  # national monitoring below level III (Q9)
    ("990128", "西林县", "city", "veto"),  # key classes: vetoed despite passing every part
]
STORY = {code: story for code, _, _, story in COUNTIES}
# (story, year) -> coefficient targets: (section, indicator id, CV)
CV_TARGETS = {
    ("single_cv", None): [("junior", "R5", 0.47)],
    ("borderline", 2024): [("primary", "R6", 0.497)],
    ("borderline", None): [("primary", "R6", 0.46)],
    ("improving", 2021): [("primary", "R4", 0.56)],
    ("improving", 2022): [("primary", "R4", 0.52)],
    ("improving", 2023): [("primary", "R4", 0.47)],
}
FAILING_SCHOOLS = {
    ("few_schools", None): 4,
    ("improving", 2021): 9,
    ("improving", 2022): 5,
    ("improving", 2023): 2,
}
FACILITY = {"R4": "teaching_space_m2", "R5": "sports_area_m2", "R6": "equipment_value_yuan"}


def _story_value(table: dict, story: str, year: int, default=None):
    return table.get((story, year), table.get((story, None), default))


def shape_ratios(rng, base: pd.DataFrame, ratios: np.ndarray, year: int) -> np.ndarray:
    """Every school of a designed county meets its thresholds; stories then push some below.

    Every school of a designed county meets its thresholds (a few miss one indicator at ≥ 88%, which the
    6-of-7 rule allows); stories then push chosen schools below the rule.
    """
    r = np.maximum(ratios, 1.03)
    n = len(base)
    one_miss = rng.random(n) < 0.08
    which = rng.integers(3, 6, n)  # R4-R6: continuous amounts, so the miss stays at the drawn ratio
    r[one_miss, which[one_miss]] = rng.uniform(0.88, 0.97, one_miss.sum())
    for code, story in STORY.items():
        k = _story_value(FAILING_SCHOOLS, story, year, 0)
        if not k:
            continue
        candidates = np.flatnonzero(
            (base["county_code"] == code).to_numpy()
            & base["school_type"].isin(["primary", "junior"]).to_numpy()
        )
        chosen = np.random.default_rng(int(code)).choice(
            candidates, k, replace=False
        )  # same schools every year
        for i in chosen:
            pair = np.random.default_rng(int(code) + i).choice(7, 2, replace=False)
            r[i] = np.maximum(r[i], 1.03)
            r[i, pair] = rng.uniform(0.78, 0.9, 2)
    return r


def _section_values(schools: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    return indicator_values(build_section_schools(schools, rules), rules)


def tune_coefficient(
    schools: pd.DataFrame, code: str, year: int, section: str, ind_id: str, target: float, rules: RuleSet
) -> None:
    """Move one facility coefficient of one county-year to ``target``.

    Move one facility coefficient of one county-year to ``target`` by changing single-section schools only:
    first lengthen the upper tail if needed, then shrink towards the mean (which only lifts the schools below
    it, so no school falls below a threshold it met).
    """
    ind = next(i for i in rules.indicators if i.id == ind_id)
    column = FACILITY[ind_id]
    mine = (schools["county_code"] == code) & (schools["year"] == year)
    sec = _section_values(schools[mine], rules)
    sec = sec[sec["in_scope"] & (sec["section"] == section)]
    adjustable = sec["school_type"].isin(["primary", "junior"]).to_numpy()
    x = sec[f"value_{ind.key}"].to_numpy().copy()
    w = sec["students"].to_numpy()
    fixed = x.copy()

    def cv_with(values):
        return difference_coefficient(values, w)

    if cv_with(x) < target * 1.02:
        top = adjustable & (x >= np.quantile(x[adjustable], 0.85))
        lo, hi = 1.0, 20.0
        for _ in range(60):
            mid = (lo + hi) / 2
            trial = np.where(top, fixed * mid, fixed)
            lo, hi = (mid, hi) if cv_with(trial) < target * 1.02 else (lo, mid)
        x = np.where(top, fixed * hi, fixed)
    m = np.average(x[adjustable], weights=w[adjustable])
    lo, hi = 0.0, 1.0
    for _ in range(80):
        k = (lo + hi) / 2
        trial = np.where(adjustable, m + k * (x - m), x)
        lo, hi = (k, hi) if cv_with(trial) < target else (lo, k)
    final = np.where(adjustable, m + hi * (x - m), x)
    new_totals = pd.Series(final * w, index=sec["school_code"].to_numpy())[adjustable]
    rows = schools.index[mine & schools["school_code"].isin(new_totals.index)]
    decimals = 0 if column == "equipment_value_yuan" else 2
    schools.loc[rows, column] = np.round(
        schools.loc[rows, "school_code"].map(new_totals).to_numpy(), decimals
    )


def build(seed: int = SEED) -> dict:
    """All tables of the sample province, in the canonical (English) form."""
    rng = np.random.default_rng(seed)
    codes, names, kinds, _ = zip(*COUNTIES, strict=True)
    plan = synthetic.county_plan(rng, codes, names, kinds)
    base = synthetic.base_schools(rng, plan)
    base["school_name"] = synthetic._names(base, dict(zip(codes, names, strict=True)))
    rules = RuleSet("youzhi-2017")
    years = []
    for year in YEARS:
        ratios = shape_ratios(rng, base, synthetic.default_ratios(rng, base, plan, year), year)
        years.append(synthetic.yearly_schools(rng, base, plan, year, ratios))
    schools = pd.concat(years, ignore_index=True)
    schools.insert(
        schools.columns.get_loc("location") + 1,
        "township",
        synthetic.townships(schools["school_code"], schools["location"]),
    )
    for code, story in STORY.items():
        for year in YEARS:
            for section, ind_id, target in _story_value(CV_TARGETS, story, year, []):
                tune_coefficient(schools, code, year, section, ind_id, target, rules)
    county = synthetic.county_table(rng, schools, plan)
    monitoring = synthetic.monitoring_table(rng, county)
    rate = np.where(
        county["county_code"].map(STORY) == "survey_fails",
        rng.uniform(0.79, 0.82, len(county)),
        rng.uniform(0.88, 0.96, len(county)),
    )
    survey = synthetic.survey_table(rng, county, rate)
    _county_stories(rng, schools, county, monitoring)
    sample_plans.add_plan_columns(schools, seed)
    return {"schools": schools, "county": county, "monitoring": monitoring, "survey": survey}


def _county_stories(rng, schools, county, monitoring) -> None:
    story = county["county_code"].map(STORY)
    county.loc[story == "veto", "veto_key_schools"] = "yes"
    county.loc[story == "veto", "veto_details"] = (
        "西林溪林城关初级中学按入学分班考试成绩设置“实验班”2个（七年级，共96人），经县教育督导室核实属实"
    )
    g = story == "guarantee_fails"
    county.loc[g, "teachers_rotated"] = np.ceil(county.loc[g, "teachers_rotation_eligible"] * 0.08)
    county.loc[g, "backbone_rotated"] = np.ceil(county.loc[g, "teachers_rotated"] * 0.25)
    crowded = (
        schools["county_code"].map(STORY).eq("guarantee_fails")
        & schools["location"].isin(["urban", "town"])
        & schools["school_type"].eq("primary")
    )
    idx = schools.index[crowded]
    chosen = idx[schools.loc[idx, "school_code"].str[-4:].astype(int).to_numpy() % 4 == 0]
    schools.loc[chosen, "max_class_size_primary"] = 56
    schools.loc[chosen, "oversized_classes_primary"] = 3
    q = (
        monitoring["county_code"].map(STORY).eq("quality_fails")
        & monitoring["section"].eq("junior")
        & monitoring["subject"].eq("数学")
    )
    monitoring.loc[q, "level"] = 2
    monitoring.loc[q, "difference_rate"] = 0.17


# -- writing ---------------------------------------------------------------------------------------
def _display(frame: pd.DataFrame, table_key: str) -> pd.DataFrame:
    """Canonical values as a bureau types them: Chinese labels from the drop-down lists."""
    schema = load_schema()
    table = schema.tables[table_key]
    out = pd.DataFrame(index=frame.index)
    for key, col in table.columns.items():
        if key not in frame:
            continue
        values = frame[key]
        if col.type == "enum":
            labels = {k: v["zh"] for k, v in schema.enums[col.enum].items()}
            values = values.map(lambda v: labels.get(v, v) if isinstance(v, str) else None)  # noqa: B023 (run at once)
        elif col.type == "rating":
            labels = {int(k): v["zh"] for k, v in schema.enums["rating"].items()}
            values = values.map(
                lambda v: labels.get(int(v)) if v == v and v is not None else None  # noqa: B023 (run at once)
            )
        elif col.type in ("int", "year"):
            values = values.map(lambda v: int(v) if v == v and v is not None else None)
        out[col.header] = values
    return out


def deterministic_xlsx(workbook) -> bytes:
    """Save an openpyxl workbook with fixed timestamps so that it regenerates bit-identically."""
    import datetime

    fixed = datetime.datetime(2024, 9, 1)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.properties.creator = "junheng sample-data"
    buffer = io.BytesIO()
    workbook.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(  # the text only: the element keeps its own namespace declarations
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2024-09-01T00:00:00Z\g<2>",
                    data,
                )
            zinfo = zipfile.ZipInfo(info.filename, date_time=(2024, 9, 1, 0, 0, 0))
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zinfo, data)
    return out.getvalue()


def rewrite_xlsx(data: bytes, edit) -> bytes:
    """The same package with ``edit(part name, bytes) -> bytes`` applied to every part (fixed dates)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zinfo = zipfile.ZipInfo(info.filename, date_time=(2024, 9, 1, 0, 0, 0))
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zinfo, edit(info.filename, src.read(info.filename)))
    return out.getvalue()


def workbook_bytes(tables: dict, omit=(), targets=()) -> bytes:
    """One county-year as a filled-in `junheng template` workbook.

    Columns of the schools frame outside the contract that hold values are the county's own: added
    after the template's columns. ``targets``: rows of the targets sheet (header -> value).
    """
    from junheng.inputs.targets.spec import spec as targets_spec
    from junheng.inputs.template import build_template

    schema = load_schema()
    rows = max(len(f) for f in tables.values())
    wb = build_template("zh", rows=max(rows, 1))
    for key, frame in tables.items():
        if key in omit:
            del wb[schema.tables[key].sheet]
            continue
        ws = wb[schema.tables[key].sheet]
        shown = _display(frame, key)
        own = [c for c in frame.columns if c not in schema.tables[key].columns and frame[c].notna().any()]
        for column in own if key == "schools" else ():
            ws.cell(row=1, column=ws.max_column + 1, value=column)
            shown[column] = frame[column]
        headers = [c.value for c in ws[1]]
        position = {h: j + 1 for j, h in enumerate(headers)}
        for i, values in enumerate(shown.itertuples(index=False), start=2):
            for header, value in zip(shown.columns, values, strict=True):
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    continue
                ws.cell(
                    row=i, column=position[header], value=value.item() if hasattr(value, "item") else value
                )
    ws = wb[targets_spec()["sheet"]["name"]]
    position = {c.value: c.column for c in ws[1]}
    for i, row in enumerate(targets, start=2):
        for header, value in row.items():
            ws.cell(row=i, column=position[header], value=value)
    return deterministic_xlsx(wb)


def write_sample(out: str | Path, seed: int = SEED, progress=None, only=None) -> list[Path]:
    """Write one workbook per county and year (``only``: a subset of (code, year) pairs)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tables = build(seed)
    written = []
    keys = sorted(set(zip(tables["schools"]["county_code"], tables["schools"]["year"], strict=True)))
    keys = [k for k in keys if only is None or k in only]
    for n, (code, year) in enumerate(keys, start=1):
        parts = {k: v[(v["county_code"] == code) & (v["year"] == year)] for k, v in tables.items()}
        omit = (
            ("county", "monitoring", "survey", "survey_responses")
            if STORY[code] == "incomplete"
            else ("survey_responses",)
        )
        parts["survey_responses"] = parts["survey"].iloc[0:0]
        path = out / f"{code}_{year}.xlsx"
        path.write_bytes(workbook_bytes(parts, omit, sample_plans.sheet_rows(code)))
        written.append(path)
        if progress:
            progress(n, len(keys), path)
    targets = out / "targets.yaml"
    targets.write_bytes(sample_plans.TARGETS_YAML.encode("utf-8"))
    written.append(targets)
    return written
