"""The reviewers' chart defects (issue #19 review), pinned on the Figure objects, not on pixels.

Legends name every series per panel and the captions are true for every panel (图4); the panels of
图1 keep their tick labels apart and label their limit lines; values over the axis cap are marked
and written out (图2, 图3); the scatter's legend is off the points; a chart's caption is not repeated
as an in-chart title (the report prints it under the chart, 图N …)."""

import pandas as pd
import pytest

from junheng.report import charts

CV = pd.DataFrame(
    {
        "section": ["primary", "primary", "junior", "junior"],
        "indicator": ["R1", "R2", "R1", "R2"],
        "short": ["高学历教师", "骨干教师", "高学历教师", "骨干教师"],
        "cv": [0.108, 0.175, 0.136, 0.132],
        "limit": [0.5, 0.5, 0.45, 0.45],
        "borderline": [False] * 4,
    }
)


def gap_rows(junior_has_urban: bool) -> pd.DataFrame:
    """R1 and R2 of 2024: primary with urban schools, junior with or without."""
    nan = float("nan")
    rows = []
    for section in ("primary", "junior"):
        urban = section == "primary" or junior_has_urban
        for indicator, short, ru, tu, ro in (
            ("R1", "高学历教师", 0.89, 0.94, 0.92),
            ("R2", "骨干教师", 0.70, 0.72, 0.88),
        ):
            rows.append(
                {
                    "year": 2024,
                    "section": section,
                    "indicator": indicator,
                    "short": short,
                    "ratio_rural_urban": ru if urban else nan,
                    "ratio_town_urban": tu if urban else nan,
                    "ratio_rural_other": ro,
                }
            )
    return pd.DataFrame(rows)


def legend_texts(ax) -> list:
    legend = ax.get_legend()
    return [text.get_text() for text in legend.get_texts()] if legend else []


def test_each_gap_panel_names_every_series_it_draws_and_the_caption_holds_for_all():
    fig = charts.gap(gap_rows(junior_has_urban=False), 2024, "zh")
    primary, junior = fig.axes
    # 小学 draws two series (乡村/城区 red, 镇区/城区 orange), 初中 one (乡村/镇区: no urban school)
    assert len(primary.collections) == 2 and len(junior.collections) == 1
    assert legend_texts(primary) == ["乡村/城区", "镇区/城区"]
    assert legend_texts(junior) == ["乡村/镇区"]
    assert junior.get_title("left") == "初中（无城区学校：乡村/镇区）"
    assert fig.junheng_caption == (
        "2024年乡村、镇区学校指标均值占城区学校的比例（初中无城区学校，为乡村学校占镇区学校的比例）"
    )
    # every panel with urban schools: the plain caption; none: rural against town
    both = charts.gap(gap_rows(junior_has_urban=True), 2024, "zh")
    assert [legend_texts(ax) for ax in both.axes] == [["乡村/城区", "镇区/城区"]] * 2
    assert both.junheng_caption == "2024年乡村、镇区学校指标均值占城区学校的比例"
    rows = gap_rows(junior_has_urban=False)
    rows = rows[rows["section"] == "junior"]
    assert (
        charts.gap(rows, 2024, "zh").junheng_caption == "2024年乡村学校指标均值占镇区学校的比例（无城区学校）"
    )
    english = charts.gap(gap_rows(junior_has_urban=False), 2024, "en")
    assert legend_texts(english.axes[1]) == ["rural / town"]
    assert english.junheng_caption.endswith("(Junior: no urban school, rural as a share of town)")


def test_gap_legends_sit_below_their_panels():
    fig = charts.gap(gap_rows(junior_has_urban=False), 2024, "zh")
    fig.canvas.draw()
    for ax in fig.axes:
        legend = ax.get_legend().get_window_extent()
        assert legend.y1 <= ax.get_window_extent().y0  # not on the points


def test_coefficient_panels_keep_their_tick_labels_apart_and_label_their_limits():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = charts.coefficients(CV, "zh")
    FigureCanvasAgg(fig).draw()
    left, right = fig.axes
    last = [label for label in left.get_xticklabels() if label.get_text()][-1]
    first = [label for label in right.get_xticklabels() if label.get_text()][0]
    assert (last.get_text(), first.get_text()) == ("0.6", "0.0")
    renderer = fig.canvas.get_renderer()
    gap = first.get_window_extent(renderer).x0 - last.get_window_extent(renderer).x1
    assert gap >= 10  # pixels at 100 dpi: "0.6" and "0.0" read as two numbers, not "0.60.0"
    # the red dashed lines say what they are: 标准 0.50 (小学), 标准 0.45 (初中), at the line
    labels = [
        [(t.get_text(), t.get_position()[0]) for t in ax.texts if t.get_text().startswith("标准")]
        for ax in fig.axes
    ]
    assert labels == [[("标准 0.50", 0.5)], [("标准 0.45", 0.45)]]
    assert [t.get_text() for t in charts.coefficients(CV, "en").axes[1].texts][-1] == "limit 0.45"


def ratios(shares: dict) -> tuple:
    """School indicators of one section with the given shares of the threshold (%), and the schools."""
    rows = []
    for i, (name, (indicator, share, passed)) in enumerate(shares.items()):
        rows.append(
            {
                "school_code": f"S{i}",
                "name": name,
                "section": "junior",
                "indicator": indicator,
                "indicator_name": {"R5": "体育场馆", "R7": "多媒体教室"}[indicator],
                "threshold": 1.0,
                "ratio": share / 100,
                "met": share >= 100,
                "passed": passed,
            }
        )
    data = pd.DataFrame(rows)
    schools = data[["school_code", "section"]].assign(school_passed=data.pop("passed"))
    return data, schools


def test_values_over_the_axis_cap_are_marked_and_written_out():
    data, schools = ratios(
        {
            "花光镇初级中学": ("R5", 344.1, True),
            "西光村初级中学": ("R5", 334.9, True),
            "甲校": ("R5", 120.0, True),
            "乙校": ("R7", 90.0, True),
            "丙校": ("R7", 250.0, True),
            **{f"校{i}": ("R7", 120.0, True) for i in range(100)},  # the cap stays 250%
        }
    )
    fig = charts.school_ratios(data, schools, "junior", "zh")
    ax = fig.axes[0]
    # the axis: 0 to the cap 250%, and 3% more, so that the point at 250% is drawn whole
    assert ax.get_xlim() == pytest.approx((0, 257.5))
    clipped = [
        c for c in ax.collections if c.get_paths() and len(c.get_offsets()) and c.get_label().startswith("_")
    ]
    assert len(clipped) == 1
    assert sorted(clipped[0].get_offsets()[:, 0]) == [250.0, 250.0]  # a ▶ at the cap for each
    assert clipped[0].get_paths()[0].vertices[:, 0].max() > 0  # the triangle marker ">"
    written = sorted(t.get_text() for t in ax.texts)
    assert written == ["花光镇初级中学 344%", "西光村初级中学 335%"]
    # no point is drawn past the cap, the one at 250% is whole (not cut by the edge)
    shown = [x for c in ax.collections if not c.get_label().startswith("_") for x in c.get_offsets()[:, 0]]
    assert sorted(set(shown)) == [90.0, 120.0, 250.0]
    assert fig.junheng_caption == "初中各校指标值占标准值的比例（超过250%的值画在右缘▶处，旁注实际值）"
    # nothing over the cap: no note
    data, schools = ratios({"甲校": ("R5", 120.0, True), "乙校": ("R7", 90.0, True)})
    assert (
        charts.school_ratios(data, schools, "junior", "zh").junheng_caption == "初中各校指标值占标准值的比例"
    )


def test_the_scatter_legend_is_outside_the_data_area_and_no_title_repeats_the_caption():
    data, schools = ratios(
        {"甲校": ("R5", 120.0, True), "乙校": ("R7", 90.0, True), "丙校": ("R7", 80.0, False)}
    )
    fig = charts.school_ratios(data, schools, "junior", "zh")
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_legend().get_window_extent().y0 >= ax.get_window_extent().y1 - 1  # above the plot
    assert legend_texts(ax) == [
        "达到标准",
        "低于标准（学校仍达到校际标准）",
        "低于标准（学校未达到校际标准）",
    ]
    # the caption is printed under the chart (图N …), not again above it
    assert fig._suptitle is None and not any(ax.get_title(loc) for loc in ("left", "center", "right"))
    assert fig.junheng_caption == "初中各校指标值占标准值的比例"


def test_theil_and_targets_charts_keep_their_captions_without_an_in_chart_title():
    decomposition = pd.DataFrame(
        {
            "by": ["location"] * 2,
            "section": ["primary", "junior"],
            "indicator": ["R1", "R1"],
            "short": ["高学历教师"] * 2,
            "theil_within": [0.01, 0.02],
            "theil_between": [0.005, 0.001],
        }
    )
    fig = charts.theil(decomposition, "zh")
    assert fig._suptitle is None
    assert [ax.get_title("left") for ax in fig.axes] == ["小学", "初中"]  # panel titles stay
    assert fig.junheng_caption == "泰尔指数分解（城区/镇区/乡村）"
    summary = pd.DataFrame(
        {
            "value_kind": ["share"],
            "status": ["on_track"],
            "progress": [0.5],
            "target": [0.3],
            "baseline_value": [0.1],
            "expected": [0.2],
            "target_name": ["骨干教师占比"],
        }
    )
    fig = charts.targets(summary, "zh")
    assert fig._suptitle is None and not fig.axes[0].get_title("left")
    assert fig.junheng_caption == "规划目标完成进度"


def test_the_targets_charts_wrapped_labels_stay_in_their_rows_and_break_between_words():
    """The wrapped target names ran into each other and over the top of the chart, and broke inside
    words ("teacher / s") and numbers ("8.5 / 台"): each label now breaks between words (a Chinese
    name between characters, never inside a number), and its row is as tall as its lines."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    names = [
        "Share of teachers rotated each year at least 10% of those eligible",
        "Remove every oversized class by 2025",
        "Rural schools' share of backbone teachers no lower than urban schools'",
        "每百名学生拥有教学用计算机不少于8.5台（县域均值，含教学点）",
        "每百名学生拥有教学用计算机8.5台",
    ]
    summary = pd.DataFrame(
        {
            "value_kind": ["share"] * 5,
            "status": ["on_track", "met", "off_track", "missed", "met"],
            "progress": [0.5, 1, 0.2, 0.1, 1],
            "target": [0.3] * 5,
            "baseline_value": [0.1] * 5,
            "expected": [0.2] * 5,
            "target_name": names,
        }
    )
    fig = charts.targets(summary, "en")
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    labels = ax.get_yticklabels()
    with charts.styled():
        boxes = [label.get_window_extent(renderer) for label in labels]
    lines = [label.get_text().split("\n") for label in labels]
    for name, split in zip(names[:3], lines[:3], strict=True):
        assert " ".join(split) == name, split  # English breaks between words only
    assert lines[3][0] == "每百名学生拥有教学用计算机不少于"
    assert lines[4] == ["每百名学生拥有教学用计算机8.5台"]  # not "…计算机8.5 / 台"
    figure = fig.bbox
    area = ax.get_window_extent(renderer)
    for box in boxes:
        assert box.x0 >= figure.x0 and box.y1 <= area.y1 + 2 and box.y0 >= area.y0 - 2, box
    for upper, lower in zip(boxes, boxes[1:], strict=False):  # top to bottom, none into the next
        assert lower.y1 < upper.y0, (upper, lower)


def test_the_targets_chart_breaks_chinese_names_between_words_and_shows_a_bar_at_zero():
    """Review of 990126's 图6: "教师交流轮岗比例不低于符合条件教 / 师的10%" broke inside 教师 and
    "…占比不低 / 于城区学校" inside 不低于; 全面消除大班额 at 0% progress had no bar to see."""
    summary = pd.DataFrame(
        {
            "value_kind": ["share", "number", "number"],
            "status": ["missed", "missed", "off_track"],
            "progress": [0.0098, 0.0, 0.0868],
            "target": [0.1, 0.0, 1.0],
            "baseline_value": [0.08, 3.0, 0.61],
            "expected": [0.1, 0.0, 0.9],
            "target_name": [
                "教师交流轮岗比例不低于符合条件教师的10%",
                "全面消除大班额",
                "乡村学校县级以上骨干教师占比不低于城区学校",
            ],
        }
    )
    ax = charts.targets(summary, "zh").axes[0]
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        "教师交流轮岗比例不低于\n符合条件教师的10%",
        "全面消除大班额",
        "乡村学校县级以上骨干教师占比\n不低于城区学校",
    ]
    # each bar's progress at its end: the bar at 0 reads "0%" (in its status colour) at the axis
    assert [text.get_text() for text in ax.texts] == ["1%", "0%", "9%"]
    assert [text.get_position() for text in ax.texts] == [
        pytest.approx((1.98, 0)),
        pytest.approx((1, 1)),
        pytest.approx((9.68, 2)),
    ]
    assert ax.texts[1].get_color() == charts.TARGET_COLORS["missed"]
