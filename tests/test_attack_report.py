"""Issue #22: a county with one section does not show the other section's R1–R7 as 未达标."""

from builders import COUNTY, school, write_workbook

from junheng.inputs.dataset import load
from junheng.method.evaluate import evaluate
from junheng.report.summary import render_summary


def primary_only(tmp_path):
    rows = [school(f"01234500{i:02d}", students_primary=300 + 10 * i) for i in range(1, 6)]
    return write_workbook(tmp_path / f"{COUNTY}_2024.xlsx", rows)


def test_the_summary_says_the_absent_section_does_not_apply(tmp_path):
    ev = evaluate(load(primary_only(tmp_path)))
    doc = ev.county(COUNTY, 2024).to_dict("zh")
    text = render_summary(doc, ev.rules, "zh")
    assert "初中：县域内无该学段学校，R1–R7 不适用" in text
    assert not [line for line in text.splitlines() if line.strip().startswith("初中 R")]
    assert sum(line.strip().startswith("小学 R") and line.endswith("达标") for line in text.splitlines()) == 7
    en = render_summary(ev.county(COUNTY, 2024).to_dict("en"), ev.rules, "en")
    assert "Junior: no school of this section in the county; R1–R7 do not apply" in en


def test_the_report_coefficients_show_only_the_sections_the_county_has(tmp_path):
    import junheng

    c = junheng.county(COUNTY, 2024, data=primary_only(tmp_path))
    table = c.coefficients
    assert set(table["section"]) == {"primary"} and len(table) == 7
