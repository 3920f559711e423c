"""Issue #22: a county of more schools than the report prints school by school (``report/settings.yaml``)
gets its 一校一策, 学校名单, per-school plan rows and 附表 in the Excel workbook beside the report, and
the report says so in one sentence naming that file; its chart of every school draws a fixed sample
and says so. The threshold is lowered here (``JUNHENG_REPORT_SETTINGS``) so that a sample county of
72 schools is just above it."""

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

import junheng
from junheng.report import separate
from junheng.report.run import report

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
WORKBOOK = "990181_2024.xlsx"
SCHOOLS = 72  # rows of the 学校 sheet of data/sample/990181_2024.xlsx, one school each (counted by hand)


def lowered(folder: Path, schools: int, chart_schools: int) -> Path:
    path = folder / "settings.yaml"
    path.write_text(
        f"separate_appendix: {{schools: {schools}, chart_schools: {chart_schools}}}\n", encoding="utf-8"
    )
    return path


def input_codes(path: Path) -> list[str]:
    """The school codes of the workbook's 学校 sheet (column 学校标识码), as the county typed them."""
    ws = load_workbook(path, read_only=True)["学校"]
    rows = ws.iter_rows(values_only=True)
    header = list(next(rows))
    at = next(i for i, h in enumerate(header) if str(h).startswith("学校标识码"))
    return [str(r[at]) for r in rows if r[at] is not None]


def sheet_codes(path: Path, name: str, header: str) -> list[str]:
    """The ``header`` column of a sheet of the workbook (below its note row, if it has one)."""
    rows = list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if header in row)
    at = rows[top].index(header)
    return [str(r[at]) for r in rows[top + 1 :] if r[at] is not None]


def test_the_sample_county_has_the_schools_counted_by_hand():
    assert len(set(input_codes(SAMPLE / WORKBOOK))) == SCHOOLS


def test_threshold_and_notice_in_process(tmp_path, monkeypatch):
    c = junheng.county("990181", 2024, SAMPLE / WORKBOOK)
    assert separate.settings()["schools"] == 300 and not separate.separate(c)  # the shipped setting
    monkeypatch.setenv(separate.SETTINGS_ENV, str(lowered(tmp_path, SCHOOLS - 1, 10)))
    assert separate.school_count(c) == SCHOOLS and separate.separate(c)
    (tmp_path / "at").mkdir()
    monkeypatch.setenv(separate.SETTINGS_ENV, str(lowered(tmp_path / "at", SCHOOLS, 10)))
    assert not separate.separate(c)  # "more than": 72 schools under a threshold of 72 stay in the report
    monkeypatch.setenv(separate.SETTINGS_ENV, str(lowered(tmp_path, SCHOOLS - 1, 10)))
    notice = separate.notice(c, "/x/990181_2024.xlsx")
    assert notice.startswith(f"本市共有{SCHOOLS}所学校，超过{SCHOOLS - 1}所，")
    assert "《990181_2024.xlsx》" in notice and "“学校名单”" in notice and "“附表 学校原始数据”" in notice
    assert notice.count("。") == 1  # one sentence


def test_the_chart_sample_is_bounded_and_fixed(tmp_path, monkeypatch):
    c = junheng.county("990181", 2024, SAMPLE / WORKBOOK)
    monkeypatch.setenv(separate.SETTINGS_ENV, str(lowered(tmp_path, 10, 10)))
    primary = c.evaluated_schools[c.evaluated_schools["section"] == "primary"]
    total = primary["school_code"].nunique()
    indicators, schools, note = separate.chart_sample(c, "primary", "990181_2024.xlsx")
    assert schools[schools["section"] == "primary"]["school_code"].nunique() == 10
    assert set(indicators["school_code"]) <= set(schools["school_code"])
    shown = f"本市学校较多，图中为按学校标识码固定抽取的10所学校（共{total}所），"
    assert note == shown + "各校数值见《990181_2024.xlsx》。"
    again = separate.chart_sample(c, "primary", "990181_2024.xlsx")[1]
    assert list(again["school_code"]) == list(schools["school_code"])  # the same sample every time
    (tmp_path / "all").mkdir()
    monkeypatch.setenv(separate.SETTINGS_ENV, str(lowered(tmp_path / "all", 10, total)))
    indicators, schools, note = separate.chart_sample(c, "primary", "990181_2024.xlsx")
    assert note == "" and len(indicators) == len(c.indicators)  # not more than the limit: every school


@pytest.fixture(scope="module")
def apart(tmp_path_factory):
    """The real report of 990181 of 2024 (HTML only: no Excel asked for) with the threshold at 71."""
    tmp = tmp_path_factory.mktemp("apart")
    data = tmp / "data"
    data.mkdir()
    shutil.copy(SAMPLE / WORKBOOK, data / WORKBOOK)
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits the environment
        mp.setenv(separate.SETTINGS_ENV, str(lowered(tmp, SCHOOLS - 1, 20)))
        written = report("990181", 2024, data=data, formats=("html",), out_dir=tmp / "out")
    return data, written


def test_the_report_names_the_workbook_holding_every_school(apart):
    data, written = apart
    html = written["html"].read_text(encoding="utf-8")
    sentence = f"本市共有{SCHOOLS}所学校，超过{SCHOOLS - 1}所，"
    assert sentence in html and "《990181_2024.xlsx》" in html
    assert "图中为按学校标识码固定抽取的20所学校" in html
    workbook = written["xlsx"]
    assert workbook == written["html"].parent / "990181_2024.xlsx" and workbook.exists()
    codes = input_codes(data / WORKBOOK)
    assert sorted(set(sheet_codes(workbook, "学校名单", "学校标识码"))) == sorted(codes)  # every school
    evaluated = junheng.county("990181", 2024, data).evaluated_schools["school_code"]
    assert sorted(set(sheet_codes(workbook, "附表 学校原始数据", "学校标识码"))) == sorted(set(evaluated))
    assert 'href="990181_2024.xlsx"' in html  # the page links the file it names


def test_the_school_pages_are_not_in_the_report(apart):
    _, written = apart
    html = written["html"].read_text(encoding="utf-8")
    assert "各校（学段）资源配置原始数据（分摊后）" not in html  # the 附表 table's caption
    assert 'class="profile"' not in html  # no 一校一策 page (profile.html.j2)
    assert "全部学校及其评估情况" not in html  # the 学校名单 table's caption
