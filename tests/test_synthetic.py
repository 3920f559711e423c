"""The national-scale generator follows the national statistics it was shaped on (issue #3)."""

import pytest

from junheng.sample.synthetic import national


@pytest.fixture(scope="module")
def tables():
    return national(seed=7, counties=200)


def test_sizes_and_locations(tables):
    s = tables["schools"]
    primary = s[s["school_type"] == "primary"]
    junior = s[s["school_type"] == "junior"]
    assert 700 <= primary["students_primary"].mean() <= 860  # ≈ 780
    assert 900 <= junior["students_junior"].mean() <= 1100  # ≈ 1,000
    shares = primary["location"].value_counts(normalize=True)
    assert (
        0.12 <= shares["urban"] <= 0.24 and 0.22 <= shares["town"] <= 0.34 and 0.45 <= shares["rural"] <= 0.62
    )
    per_county = s.groupby("county_code")["school_type"].value_counts().unstack(fill_value=0).mean()
    assert 30 <= per_county["primary"] <= 50 and 10 <= per_county["teaching_point"] <= 20
    assert 10 <= per_county["junior"] <= 20


def test_resources_per_student(tables):
    s = tables["schools"]
    assert 6.0 <= 100 * s["teachers_primary"].sum() / s["students_primary"].sum() <= 7.0  # ≈ 6.2
    assert 7.5 <= 100 * s["teachers_junior"].sum() / s["students_junior"].sum() <= 8.8  # ≈ 7.9
    p = s[s["school_type"] == "primary"]
    assert 4.4 <= p["teaching_space_m2"].sum() / p["students_primary"].sum() <= 5.2
    assert 7.5 <= p["sports_area_m2"].sum() / p["students_primary"].sum() <= 9.0
    assert 2100 <= p["equipment_value_yuan"].sum() / p["students_primary"].sum() <= 2600
    urban, rural = p[p["location"] == "urban"], p[p["location"] == "rural"]
    per = lambda d, c: d[c].sum() / d["students_primary"].sum()  # noqa: E731
    assert per(urban, "teaching_space_m2") < per(rural, "teaching_space_m2")  # crowded cities
    assert per(urban, "equipment_value_yuan") > per(rural, "equipment_value_yuan")  # better equipped


def test_every_type_and_codes_unique(tables):
    s = tables["schools"]
    assert set(s["school_type"]) == {
        "primary",
        "teaching_point",
        "junior",
        "nine_year",
        "twelve_year",
        "complete_middle",
        "special",
    }
    assert (s["ownership"] == "private").any()
    assert not s.duplicated(["county_code", "year", "school_code"]).any()
    assert s["county_code"].str.fullmatch(r"\d{6}").all() and s["school_code"].str.fullmatch(r"\d{10}").all()
