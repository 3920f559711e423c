"""Round trip (issue #13): sample → synthetic statistics exports → import → evaluate gives exactly
the sample's verdicts, coefficients and school values, for every county-year, in each shape and
table generation.

The committed exports (data/examples/exports) are read from disk: county-wide files of every
county-year (教基) and of 2021 (基础基), school workbooks of one county-year per generation. The
rest of the province is built in memory by the same generator and read by the same importer from
its cells (only the .xlsx encoding is skipped): 3,000 school workbooks per generation would not
belong in the repository. In memory, each shape and generation reads every county in one of its
years, every year among them, and the four together every county-year once (`latin_square`); the
committed 教基 county-wide files are read back for all 40.
"""

from pathlib import Path

import pandas as pd
import pytest

from junheng.inputs.dataset import load
from junheng.inputs.statistics.source import ExportSource
from junheng.inputs.validation import CUSTOM
from junheng.method.evaluate import evaluate
from junheng.sample import exports
from junheng.sample.exports.model import GENERATIONS

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
EXPORTS = ROOT / "data" / "examples" / "exports"
SUPPLEMENT = EXPORTS / "supplement"
PARENTS = EXPORTS / "不计校数归属.xlsx"
KEY = ["county_code", "year", "school_code"]
ADDED = {"是否数字校园"}  # the column 石门县 adds to its schools sheet (sample_plans.DIGITAL_CAMPUS)
# the exports give an address as a division code and free text, never a township's name
# (docs/statistics-import.md): an import leaves the column empty, and the report falls back to codes
NOT_IN_EXPORTS = {"township"}


class Reference:
    """The sample loaded and evaluated once; its county documents made once each."""

    def __init__(self):
        self.ds = load(SAMPLE)
        self.ev = evaluate(self.ds)
        self._docs = {}

    def doc(self, code, year) -> dict:
        if (code, year) not in self._docs:
            doc = self.ev.county(code, year).to_dict()
            doc.pop("problems")
            doc.pop("targets")
            self._docs[(code, year)] = doc
        return self._docs[(code, year)]


@pytest.fixture(scope="module")
def reference():
    return Reference()


@pytest.fixture(scope="module")
def province():
    return exports.province_exports(exports.sample_tables(SAMPLE))


def county_years(ds) -> list:
    return sorted(set(zip(ds.schools["county_code"], ds.schools["year"].astype(int), strict=True)))


def problems(ds, county_years) -> set:
    """Kinds of warnings and errors by column and county-year (their number and places differ by
    design). Notes on columns a county added are left out: whether they are warnings depends on
    plan targets, which live beside the data, not in exports."""
    keep = set(county_years)
    return {
        (p.severity, p.code, p.column, p.county_code, p.year)
        for p in ds.problems
        if p.severity != "info" and (p.county_code, p.year) in keep and p.column not in ADDED
    }


def assert_same(reference, ds, expected_county_years=None):
    """Same schools and values, then the same evaluation: verdicts, coefficients, school values,
    every item (the county documents the report is made from, problems aside)."""
    ref_ds = reference.ds
    found = county_years(ds)
    assert found == (expected_county_years or county_years(ref_ds))
    assert problems(ds, found) == problems(ref_ds, found)  # what validation says of the sample, no more
    mine = ref_ds.schools[
        [cy in set(found) for cy in zip(ref_ds.schools["county_code"], ref_ds.schools["year"], strict=True)]
    ]
    a = mine.set_index(KEY).sort_index()
    b = ds.schools.set_index(KEY).sort_index()
    assert list(a.index) == list(b.index)
    assert all(b[c].isna().all() for c in NOT_IN_EXPORTS if c in b)
    for column in [
        c for c in a.columns if not c.startswith("_") and c.removeprefix(CUSTOM) not in ADDED | NOT_IN_EXPORTS
    ]:
        mine = (
            b[column] if column in b else pd.Series(None, index=b.index, dtype=object)
        )  # a county-added column
        same = (a[column] == mine) | (a[column].isna() & mine.isna())
        assert same.all(), (
            column,
            a.loc[~same, column].head(3).to_dict(),
            b.loc[~same, column].head(3).to_dict(),
        )
    ev = evaluate(ds)
    for code, year in found:
        got = ev.county(code, year).to_dict()
        for key in ("problems", "targets"):  # plan targets live beside the data, not in exports
            got.pop(key)
        assert got == reference.doc(code, year), (code, year)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_committed_county_wide_exports(reference, generation):
    source = ExportSource([EXPORTS / "county-wide" / generation, SUPPLEMENT], parents_file=PARENTS)
    ds = load(source)
    years = exports.COUNTY_WIDE_YEARS[generation]
    expected = [cy for cy in county_years(reference.ds) if years is None or cy[1] in years]
    assert_same(reference, ds, expected)
    ext = source.result.extraction
    assert len(ext.dispositions) + len(ext.skipped) == ext.rows_read  # every row accounted for
    assert {s["reason"] for s in ext.skipped} == {"not_compulsory"}  # the 高级中学 of each county-year


@pytest.mark.parametrize("generation", GENERATIONS)
def test_committed_school_workbooks(reference, generation):
    code, year = exports.SCHOOL_WORKBOOK_SETS[generation]
    folder = EXPORTS / "school-workbooks" / generation / f"{code}_{year}"
    source = ExportSource([folder, SUPPLEMENT / f"{code}_{year}_补充.xlsx"], parents_file=PARENTS)
    ds = load(source)
    assert_same(reference, ds, [(code, year)])
    # the county folder's other institutions (issue #22): read, recognised by code, listed, not imported
    skipped = sorted(
        (s["school_name"], s["type_code"], s["type_name"], s["reason"])
        for s in source.result.extraction.skipped
    )
    assert skipped == [
        ("清源市实验幼儿园", "111", "幼儿园", "not_compulsory"),
        ("清源市小太阳幼儿园", "111", "幼儿园", "not_compulsory"),
        ("清源市第一高级中学", "342", "高级中学", "not_compulsory"),
    ]
    assert "statistics.field_ambiguous" not in {p.code for p in ds.problems}


SHAPES = ["county_wide", "school_workbook"]


def latin_square(county_years: list, k: int) -> list:
    """Every county in one of its years: the k-th year after its own place in the list.

    The four shape × generation cases take k = 0…3, so each case imports every county and every year,
    and the four together import every county-year once (issue #21: a quarter of the import's time;
    the committed 教基 county-wide exports are read back for all 40 above)."""
    counties = sorted({code for code, _ in county_years})
    years = sorted({year for _, year in county_years})
    return sorted((code, years[(i + k) % len(years)]) for i, code in enumerate(counties))


def test_the_cases_below_import_every_county_year_between_them(reference):
    every = county_years(reference.ds)
    cases = [latin_square(every, k) for k in range(len(SHAPES) * len(GENERATIONS))]
    assert sorted(cy for case in cases for cy in case) == every and len(every) == 40
    for case in cases:
        assert len({code for code, _ in case}) == 10 and len({year for _, year in case}) == 4


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_every_county_year(reference, province, shape, generation):
    """Each county and each year in every shape and generation; each county-year in one of them."""
    chosen = latin_square(county_years(reference.ds), 2 * SHAPES.index(shape) + GENERATIONS.index(generation))
    books = []
    for (code, year), (stats, _, _) in province.items():
        if (code, year) not in chosen:
            continue
        if shape == "county_wide":
            books += [book for _, book in exports.wide_workbooks(stats, generation, year)]
        else:
            books += [exports.school_workbook(s, generation, year)[1] for s in stats]
    assert_same(reference, load(ExportSource([SUPPLEMENT], workbooks=books, parents_file=PARENTS)), chosen)


def test_the_import_command_round_trips(reference, tmp_path):
    import json

    from junheng.cli import main

    out = tmp_path / "imported"
    folder = EXPORTS / "county-wide" / "jichuji-2018"
    assert main(["import", str(folder), str(SUPPLEMENT), "--parents", str(PARENTS), "--out", str(out)]) == 0
    imported = load(out)
    assert_same(reference, imported, [cy for cy in county_years(reference.ds) if cy[1] == 2021])
    report = json.loads((out / "import_report.json").read_text(encoding="utf-8"))
    # 2021: 776 schools (402 primary, 152 teaching points, 146 junior: one file each; 48 nine-year,
    # 14 complete middle and 10 special schools in two files; 4 twelve-year in three), plus in
    # each of the 10 counties one branch campus and one 高级中学: 876 rows.
    assert (
        report["rows"]["accounted"]
        == report["rows"]["read"]
        == 402 + 152 + 146 + 2 * (48 + 14 + 10) + 3 * 4 + 20
    )
    assert report["rows"]["outcomes"] == {
        "imported": 776,
        "merged_section": 48 + 14 + 10 + 2 * 4,
        "merged_into_parent": 10,
    }
    assert report["rows"]["skipped"] == {"not_compulsory": 10}
    sources = {c["column"]: c for c in report["columns"]}
    assert (
        sources["equipment_value_yuan"]["found"][0]["where"]
        == "Sheet1 › 基础基522 › 占地面积及其他办学条件 › 固定资产总值 › 教学仪器设备资产值"
    )
    digital = imported.schools.set_index(KEY)[CUSTOM + "是否数字校园"]  # a column 石门县 added, as typed
    typed = reference.ds.schools.set_index(KEY)[CUSTOM + "是否数字校园"].reindex(digital.index)
    assert (digital.map({"是": 1.0, "否": 0.0}).fillna(-1) == typed.fillna(-1)).all()
    assert set(digital.dropna()) == {"是", "否"} and digital.notna().sum() == len(digital.loc["990123"])
    assert sources["music_rooms"]["origin"] == "supplement"
    assert sources["music_rooms"]["supplement_files"][0] == str(SUPPLEMENT / "990102_2021_补充.xlsx")
    assert [o["key"] for o in report["options"]] == [
        "indoor_sports_rooms",
        "qualified_minimum",
        "art_teachers",
        "doctorate_counts",
    ]


def test_without_the_supplement_nothing_is_invented(reference):
    ds = load(
        ExportSource(
            [
                EXPORTS / "county-wide" / "jiaoji-2021" / f"990102_2024_{s}.xlsx"
                for s in "小学 初中 高中".split()
            ]
        )
    )
    items = evaluate(ds).items.set_index("id")["status"]
    needs_supplement = ["G3", "G9", "G12", "G13", "Q3", "Q4", "Q6"]  # rooms, training, certificates, charter…
    assert items[needs_supplement].tolist() == ["not_assessed"] * len(needs_supplement)
    assert items["G5"] == "pass"  # oversized classes are counted from the class-size buckets
    assert (
        reference.ev.items.set_index(["county_code", "year", "id"]).loc[("990102", 2024, "G3"), "status"]
        == "pass"
    )


def test_committed_exports_regenerate_bit_identically(reference, province):
    from junheng.inputs.statistics.parents import build_parents_workbook
    from junheng.sample.sample_province import deterministic_xlsx

    stats, _, extra = province[("990102", 2024)]
    for name, book in exports.wide_workbooks(stats, "jiaoji-2021", 2024):
        assert exports.xlsx_bytes(book) == (EXPORTS / "county-wide" / "jiaoji-2021" / name).read_bytes(), name
    stats, _, _ = province[("990181", 2021)]
    name, book = exports.school_workbook(stats[0], "jichuji-2018", 2021)
    assert (
        exports.xlsx_bytes(book)
        == (EXPORTS / "school-workbooks" / "jichuji-2018" / "990181_2021" / name).read_bytes()
    )
    supplement = deterministic_xlsx(exports.supplement_workbook(extra))
    assert supplement == (SUPPLEMENT / "990102_2024_补充.xlsx").read_bytes()
    parents = {r["code"]: r for (_, (_, rows, _)) in sorted(province.items()) for r in rows}
    assert deterministic_xlsx(build_parents_workbook(list(parents.values()))) == PARENTS.read_bytes()


def test_committed_exports_stay_small():
    files = [p for p in EXPORTS.rglob("*") if p.is_file()]
    assert max(p.stat().st_size for p in files) < 1_000_000
    assert sum(p.stat().st_size for p in files) < 6_000_000
