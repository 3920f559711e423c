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


def test_the_profile_sentence_says_its_students_are_counted_by_section_and_the_table_by_type():
    """Fresh eyes: 基本情况 said 小学42,531人 while 表1's 小学 row read 38,245 (by school type: the
    primary sections of 九年一贯制 schools are in their own rows). Both are right; the sentence says which."""
    from junheng.report import text

    c = junheng.county("990181", 2024)
    sentence = text.profile(c)
    by_section = "小学42,531人、初中23,851人，一贯制学校的学生分入各学段；下表按学校类型统计"
    assert f"在校生66,382人（按学段计：{by_section}）" in sentence
    rows = tables.profile(c).data
    assert rows.iloc[0, :3].tolist() == ["小学", "40", "38,245"] and rows.iloc[-1, 2] == "66,382"
