"""The province overview as published: county names (never bare codes), 一票否决 read as 存在 /
不存在, the borderline verdict of 河阳县 (a coefficient of 0.497 against 0.50) marked ※ and
explained, the near-miss of 清源市 (0.470 against 0.45) told apart from a pass, charts titled and
keyed, the title never broken before its closing 年）. Values are those of the bundled sample."""

import matplotlib
import pytest

matplotlib.use("Agg")

import junheng  # noqa: E402
from junheng.report import charts  # noqa: E402
from junheng.report.province import county_labels, rests_on_borderline, unbroken, veto_state  # noqa: E402


@pytest.fixture(scope="module")
def p():
    return junheng.province()


@pytest.fixture(scope="module")
def p_en():
    return junheng.province(lang="en")


def _title(ax) -> str:
    return ax.get_title() or ax.get_title("left")  # the house style sets titles on the left


def _cells(styler) -> list[list[str]]:
    return styler.data.astype(str).values.tolist()


def test_results_table_names_counties_and_reads_vetoes_as_present_or_not(p):
    table = p.results_table()
    rows = {r[0]: r for r in _cells(table)}
    assert list(table.data.columns)[0] == "县（市、区）"
    assert "990102" not in str(table.data.values) and "明湖区" in rows
    veto = list(table.data.columns).index("一票否决情形")
    assert (
        rows["西林县"][veto] == "存在"
        and rows["明湖区"][veto] == "不存在"
        and rows["柳溪县"][veto] == "未填报"
    )
    assert rows["河阳县"][-2] == "达到※" and rows["明湖区"][-2] == "达到"
    assert rows["清源市"][-2] == "尚未达到"
    # the verdict reads as the county's self-assessment, with what each county falls short on, in words
    assert list(table.data.columns)[-2:] == ["自评结论", "未达到要求的方面"]
    assert rows["云岭县"][-1] == "班额、教师交流轮岗" and rows["西林县"][-1] == "“设置重点校、重点班”"
    assert rows["平川县"][-1] == "资源配置4所学校未达标" and rows["清源市"][-1] == "1项差异系数超标"
    assert rows["明湖区"][-1] == "—"


def test_cover_reads_as_self_assessment_and_verdicts_by_county_and_year(p):
    cover = p.cover()
    html = cover.html if hasattr(cover, "html") else cover._repr_html_()
    assert "县（市、区）自评：自评达到优质均衡发展要求的" in html and "以上为自评结果" in html
    table = p.verdicts_table().data
    assert list(table.columns) == ["县（市、区）", "2021", "2022", "2023", "2024"] and len(table) == 10
    assert p.gap_note().startswith("本表按乡村/城区均值比由低到高排列，排名第1的县乡村学校与城区学校差距最大")


def test_the_veto_cell_is_coloured_by_presence_not_by_pass(p):
    assert veto_state("pass") == ("不存在", "clear")
    assert veto_state("fail") == ("存在", "applies")
    assert veto_state(None) == ("未填报", "not_assessed")
    assert veto_state("pass", "en")[0] == "none" and veto_state("fail", "en")[0] == "present"


def test_borderline_verdict_is_marked_and_explained(p):
    v = p.latest_verdicts().set_index("county_name")
    assert bool(v.loc["河阳县", "borderline"]) and not bool(v.loc["明湖区", "borderline"])
    assert not bool(v.loc["清源市", "borderline"])  # 0.470 against 0.45 is a clear miss, not borderline
    note = p.borderline_note()
    assert note.startswith("※表示临界") and "河阳县：小学生均教学仪器设备值差异系数0.497（标准≤0.50）" in note


def test_ranking_is_for_internal_reference_and_names_counties(p):
    table = p.ranking_table()
    assert table.caption == "2024年资源配置排名（供内部参考）"
    rows = _cells(table)
    assert [r[1] for r in rows][:2] == ["明湖区", "云岭县"]
    by_name = {r[1]: r for r in rows}
    assert by_name["河阳县※"][4] == "99" and by_name["清源市"][4] == "104" and by_name["清源市"][3] == "1"
    assert "供内部参考" in p.gap_table().caption


def test_a_county_without_a_verdict_is_not_ranked_and_reads_data_missing(p):
    # 柳溪县 (2024: 无法判定, its survey unanswered) would rank 3rd by resource allocation alone (its
    # highest coefficient is 35% of its limit); it is not ranked, it comes last with rank — (item 3)
    rows = _cells(p.ranking_table())
    assert rows[-1][:2] == ["—", "柳溪县"]
    assert [r[0] for r in rows[:-1]] == [str(k) for k in range(1, 10)]
    assert [r[1] for r in rows[:3]] == ["明湖区", "云岭县", "新港县"]
    assert "不参与排名，列于表末" in p.ranking_note()
    ranking = p.ranking().set_index("county_name")
    assert ranking["rank"].isna().sum() == 1 and ranking.loc["新港县", "rank"] == 3
    # in 表1 its shortfalls read 数据缺失, not — (which reads as nothing short)
    results = {r[0]: r for r in _cells(p.results_table())}
    assert results["柳溪县"][-1] == "数据缺失" and results["明湖区"][-1] == "—"


@pytest.fixture(scope="module")
def p2024():
    return junheng.province(years=[2024])


def test_targets_are_judged_on_every_year_when_only_2024_is_shown(p2024):
    # 云岭县's teacher targets have their 2021 baseline outside the years shown; the county report
    # judges them on every year (落后于进度), and so must the overview, not 未到期 (item 1)
    assert p2024.years == [2024]
    mine = p2024.targets[p2024.targets["county_code"] == "990126"].set_index("target_name")
    assert mine.loc["乡村学校县级以上骨干教师占比不低于城区学校", "status"] == "off_track"
    assert mine.loc["乡村学校高于规定学历教师占比不低于城区学校", "status"] == "off_track"
    report = junheng.county("990126", 2024).target_summary.set_index("target_name")
    assert mine["status"].to_dict() == report["status"].to_dict()
    assert mine["baseline_year"].fillna(0).to_dict() == report["baseline_year"].fillna(0).to_dict()
    cells = {(r[0], r[1]): r[3] for r in _cells(p2024.targets_table())}
    assert cells[("云岭县", "乡村学校县级以上骨干教师占比不低于城区学校")] == "落后于进度"


def test_the_overview_is_dated_as_the_county_reports_are(p2024):
    import datetime

    from junheng.report.province import Province

    # default: today, but no later than 30 June after the latest year, as a county report (item 2)
    expected = min(datetime.date.today(), datetime.date(2025, 6, 30))
    assert p2024.report_date == expected == junheng.county("990123", 2024).report_date  # no profile
    assert p2024.generated == f"{expected.year}年{expected.month}月{expected.day}日"
    given = Province(years=[2024], report_date="2025-03-31")
    assert given.generated == "2025年3月31日"
    html = given.cover().html
    assert "2025年3月31日" in html


def test_rests_on_borderline_rules():
    near_pass = {"passed": True, "borderline": True}
    clear_fail = {"passed": False, "borderline": False}
    assert rests_on_borderline("passed", {}, [near_pass], [], [])
    assert not rests_on_borderline("failed", {"resource": "fail"}, [near_pass, clear_fail], [], [])
    near_fail = {"passed": False, "borderline": True}
    assert rests_on_borderline("failed", {"resource": "fail"}, [near_fail], [], [])
    assert not rests_on_borderline("failed", {"resource": "fail", "vetoes": "fail"}, [near_fail], [], [])


def test_labels_add_the_code_only_where_names_repeat():
    labels = county_labels({"990124": "新港县", "990125": "新港县", "990126": "云岭县", "990127": None})
    assert labels == {
        "990124": "新港县（990124）",
        "990125": "新港县（990125）",
        "990126": "云岭县",
        "990127": "990127",
    }


def test_title_and_counts_never_break_inside(p):
    assert p.title() == "县域义务教育优质均衡发展评估省级汇总（2021—2024年）"
    assert str(unbroken(p.title())).endswith('汇总<span class="nowrap">（2021—2024年）</span>')
    assert '<span class="nowrap">6个</span>' in str(unbroken("尚未达到6个"))
    cover = p.cover()
    html = cover.html if hasattr(cover, "html") else cover._repr_html_()
    assert '<span class="nowrap">（2021—2024年）</span>' in html and "尚未达到<span" in html


@pytest.mark.parametrize(
    ("cv", "limit", "passed", "expected"),
    [
        (0.497, 0.50, True, "near"),  # a pass close to its limit: amber, never red
        (0.5004, 0.50, True, "near"),  # passes by the rounding rule though over 100%: still a pass
        (0.470, 0.45, False, "slight"),  # the near-miss: light red
        (0.56, 0.45, False, "over"),
        (0.10, 0.50, True, "low"),
        (0.30, 0.50, True, "mid"),
        (0.30, None, None, "none"),
    ],
)
def test_heat_classes_never_paint_a_pass_as_a_failure(cv, limit, passed, expected):
    assert charts.heat_class(cv, limit, passed) == expected


def test_heatmap_has_its_year_names_marks_and_key(p):
    fig = charts.province_heatmap(p.coefficients, p.latest, p.labels, "zh")
    # the year is in the caption, printed under the chart (图N　…); it was also the chart's suptitle,
    # so the report said it twice, as the county charts no longer do (test_chart_review)
    assert fig._suptitle is None and fig.junheng_caption == "2024年各县（市、区）校际差异系数"
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "0.497*" in texts and "0.470▲" in texts
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "河阳县" in names and not any(n.isdigit() for n in names)
    assert [_title(ax) for ax in fig.axes[:2]] == ["小学（标准≤0.50）", "初中（标准≤0.45）"]
    key = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "达标，为标准的80%及以上" in key and "▲超过标准，超出不足10%" in key


def test_verdict_chart_counts_labels_and_keeps_its_legend_off_the_bars(p):
    fig = charts.province_verdicts(p.verdicts, "zh")
    ax = fig.axes[0]
    # the years are in the caption (it was also the chart's title: said twice)
    assert ax.get_ylabel() == "县（市、区）数（个）" and not _title(ax) and fig._suptitle is None
    assert fig.junheng_caption == "2021—2024年各年度评估结论"
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("3") == 1 and "6" in labels  # 2024: 3 reached, 6 not yet
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1


def test_english_overview(p_en):
    rows = {r[0]: r for r in _cells(p_en.results_table())}
    assert rows["西林县"][-3] == "present" and rows["明湖区"][-3] == "none"
    assert "(for internal reference)" in p_en.ranking_table().caption
    worst = [r[4] for r in _cells(p_en.gap_table())]
    assert all(" " in w for w in worst)  # "Primary Equipment", not "PrimaryEquipment"


def test_a_given_date_reaches_the_overview_notebook_from_junheng_run(monkeypatch, tmp_path):
    # `junheng run -p report_date 2025-03-31` dates the county reports; the overview gets it too
    import papermill

    from junheng.batch import runner, worker
    from junheng.report import run

    seen = {}

    class Stop(Exception):
        pass

    def execute(notebook, output, parameters, **kwargs):
        seen.update(parameters)
        raise Stop

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    with pytest.raises(Stop):
        run.province_report(years=[2024], out_dir=tmp_path, report_date="2025-03-31")
    assert seen["report_date"] == "2025-03-31" and seen["years"] == [2024]
    seen.clear()
    with pytest.raises(Stop):
        run.province_report(years=[2024], out_dir=tmp_path)
    assert "report_date" not in seen  # the notebook's default: as a county report of the latest year

    given = {}
    monkeypatch.setattr(worker, "init_worker", lambda sockets: None)
    monkeypatch.setattr(run, "province_report", lambda *a, **k: given.update(k))
    assert (
        runner._province(None, [2024], "youzhi-2017", (), "zh", tmp_path, ("html",), None, "2025-03-31") == []
    )
    assert given["report_date"] == "2025-03-31"
