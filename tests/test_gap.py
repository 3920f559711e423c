"""The urban-rural gap (issue #12): location means, their ratios, the Theil between-location share and
their change, on hand-built counties with hand-computed values; and the province view."""

import math

import pytest
from builders import COUNTY, school, write_tables

from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
from junheng.planning.gap import COLUMNS, province_gap, urban_rural_gap


def schools(year=2024, county=COUNTY, rural_backbone=6):
    """Primary schools (students, backbone teachers → R2 per 100 students):
    urban 400, 6 → 1.5; town 100, 1 → 1.0; rural 200, 2 → 1.0 and 300, ``rural_backbone`` (6 → 2.0).
    One junior school, rural only."""
    rows = [
        ("01", "urban", 400, 6),
        ("02", "town", 100, 1),
        ("03", "rural", 200, 2),
        ("04", "rural", 300, rural_backbone),
    ]
    out = [
        school(
            f"{county}00{n}",
            students_primary=p,
            location=loc,
            teachers_backbone_primary=b,
            year=year,
            county_code=county,
        )
        for n, loc, p, b in rows
    ]
    out.append(
        school(
            f"{county}0005", "junior", students_junior=500, location="rural", year=year, county_code=county
        )
    )
    return out


def gap_rows(frame, section="primary", indicator="R2"):
    rows = frame[(frame["section"] == section) & (frame["indicator"] == indicator)]
    return rows.set_index("year")


def test_location_means_ratios_and_theil_by_hand(tmp_path):
    ev = evaluate(load(write_tables(tmp_path / "d", schools())))
    frame = urban_rural_gap(ev)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 2 * 7  # two sections, seven indicators
    r = gap_rows(frame).loc[2024]
    assert r["mean"] == pytest.approx(1.5)  # 15 teachers / 1,000 students
    assert (r["mean_urban"], r["mean_town"], r["mean_rural"]) == pytest.approx(
        (1.5, 1.0, 1.6)
    )  # rural 8 / 500
    assert r["mean_other"] == pytest.approx(1.4)  # urban and town: 7 / 500
    assert (r["students_urban"], r["students_town"], r["students_rural"]) == (400, 100, 500)
    assert (r["schools_urban"], r["schools_town"], r["schools_rural"]) == (1, 1, 2)
    assert r["ratio_rural_urban"] == pytest.approx(1.6 / 1.5)
    assert r["ratio_town_urban"] == pytest.approx(1.0 / 1.5)
    assert r["ratio_rural_other"] == pytest.approx(1.6 / 1.4)
    # Theil T: Σ (w/W)(x/μ) ln(x/μ) with μ = 1.5; between locations: Σ s_g ln(μ_g / μ), s_g the
    # locations' shares of the teachers (urban 6/15, town 1/15, rural 8/15)
    total = (
        0.2 * (2 / 3) * math.log(2 / 3) + 0.1 * (2 / 3) * math.log(2 / 3) + 0.3 * (4 / 3) * math.log(4 / 3)
    )
    between = (1 / 15) * math.log(1 / 1.5) + (8 / 15) * math.log(1.6 / 1.5)
    assert r["theil_total"] == pytest.approx(total, rel=1e-12)
    assert r["theil_between"] == pytest.approx(between, rel=1e-12)
    assert r["between_share"] == pytest.approx(between / total, rel=1e-12)
    junior = gap_rows(frame, "junior").loc[2024]  # rural schools only: nothing to compare with
    assert junior["schools_urban"] == 0 and math.isnan(junior["ratio_rural_urban"])


def test_the_between_share_is_the_engines_decomposition(tmp_path):
    ev = evaluate(load(write_tables(tmp_path / "d", schools())))
    frame = urban_rural_gap(ev)
    _, decomposition = ev.extras()
    engine = decomposition[decomposition["by"] == "location"].set_index(["section", "indicator"])
    mine = frame.set_index(["section", "indicator"])
    assert mine["theil_between"].to_dict() == pytest.approx(
        engine["theil_between"].reindex(mine.index).to_dict()
    )


def test_change_on_the_previous_year(tmp_path):
    rows = schools(2023, rural_backbone=3) + schools(2024, rural_backbone=6)
    frame = urban_rural_gap(evaluate(load(write_tables(tmp_path / "d", rows))))
    r = gap_rows(frame)
    # 2023: rural (2 + 3) / 500 = 1.0 per 100 students; 2024: 1.6
    assert r.loc[2023, "ratio_rural_urban"] == pytest.approx(1.0 / 1.5)
    assert math.isnan(r.loc[2023, "ratio_rural_urban_change"])
    assert r.loc[2024, "ratio_rural_urban_change"] == pytest.approx(1.6 / 1.5 - 1.0 / 1.5)
    assert r.loc[2024, "between_share_change"] == pytest.approx(
        r.loc[2024, "between_share"] - r.loc[2023, "between_share"]
    )


def test_province_view_ranks_the_county_whose_rural_schools_lag_most(tmp_path):
    rows = schools(county="012345") + schools(county="054321", rural_backbone=1)  # rural 3 / 500 = 0.6
    view = province_gap(evaluate(load(write_tables(tmp_path / "d", rows))), section="primary")
    assert view["county_code"].tolist() == ["054321", "012345"] and view["rank"].tolist() == [1, 2]
    lagging = view.iloc[0]
    assert lagging["worst_indicator"] == "R2" and lagging["min_ratio_rural_urban"] == pytest.approx(0.6 / 1.5)
    assert lagging["indicators"] == 7 and lagging["lagging"] >= 1
