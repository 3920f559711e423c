"""Every figure a table shows carries its unit (fresh eyes: the urban–rural gap tables, the school
pages' indicator rows and G7 showed bare numbers: "R6 仪器设备 | 2,874 | 2,536", "6,483 | ≥ 6,000")."""

import pytest

import junheng
from junheng.report import profiles, tables


@pytest.fixture(scope="module", params=["zh", "en"])
def county(request):
    return junheng.county("990181", 2024, lang=request.param)


UNITS = {
    "zh": ["人/百生", "人/百生", "人/百生", "平方米/生", "平方米/生", "元/生", "间/百生"],
    "en": ["per 100 students"] * 3 + ["m² per student"] * 2 + ["yuan per student", "per 100 students"],
}


def test_the_gap_tables_name_the_unit_of_their_means(county):
    for section in ("primary", "junior"):
        names = tables.gap(county, section).data.iloc[:, 0].tolist()
        bracket = "（{}）" if county.lang == "zh" else " ({})"
        assert [n.split(" ", 1)[0] for n in names] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
        units = UNITS[county.lang]
        assert all(n.endswith(bracket.format(u)) for n, u in zip(names, units, strict=True))


def test_a_school_page_names_the_unit_of_its_values_standards_and_means(county):
    code = county.schools["school_code"].iloc[0]
    names = [r["indicator"] for r in profiles._indicator_rows(county, code)]
    assert names[:7] and all(any(u in n for u in UNITS[county.lang]) for n in names)
    assert names[5].startswith("R6") and ("元/生" if county.lang == "zh" else "yuan per student") in names[5]


def test_g7_shows_yuan_per_student_beside_its_value_and_standard(county):
    g = tables.items(county, "guarantee").data
    value, standard = g[g.iloc[:, 0] == "G7"].iloc[0, 2:4]
    unit = "元/生" if county.lang == "zh" else " yuan per student"
    assert value == "6,483" + unit and standard == "≥ 6,000" + unit
