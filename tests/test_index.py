"""reports/index.html as published: grouped by year (newest first), each county by name with links
to the report files that exist and a clear word for one that is missing, the verdict explained, a
coefficient over its limit flagged ▲ and a borderline one ※, readable on a phone (the table scrolls
in its own box). Built from hand-made result JSONs with known values."""

import json
import re

import pytest

from junheng.batch.index import write_index
from junheng.batch.manifest import Manifest


def _coefficient(section, cv, limit, borderline=False, label="生均教学仪器设备值"):
    return {
        "section": section,
        "indicator": "R6",
        "label": label,
        "cv": cv,
        "limit": limit,
        "passed": cv <= limit + 1e-9,
        "borderline": borderline,
        "n_schools": 20,
    }


def _doc(code, name, year, status, parts, coefficients):
    return {
        "county_code": code,
        "county_name": name,
        "year": year,
        "status": status,
        "parts": {
            **{p: {"status": s} for p, s in parts.items()},
            "resource": {
                "status": parts.get("resource", "pass"),
                "coefficients": coefficients,
                "composite": [],
                "schools": [],
            },
        },
    }


PASS = {"resource": "pass", "guarantee": "pass", "quality": "pass", "survey": "pass", "vetoes": "pass"}


@pytest.fixture
def folder(tmp_path):
    docs = {
        # passes on a coefficient of 0.497 against 0.50: borderline; every file there
        "990122_2024": (
            _doc(
                "990122",
                "河阳县",
                2024,
                "passed",
                PASS,
                [_coefficient("primary", 0.497, 0.50, True), _coefficient("junior", 0.124, 0.45)],
            ),
            ("html", "pdf", "xlsx"),
        ),
        # fails on 0.470 against 0.45; its PDF was not produced
        "990181_2024": (
            _doc(
                "990181",
                "清源市",
                2024,
                "failed",
                {**PASS, "resource": "fail"},
                [_coefficient("primary", 0.186, 0.50), _coefficient("junior", 0.470, 0.45)],
            ),
            ("html", "xlsx"),
        ),
        # a veto applies
        "990128_2024": (
            _doc(
                "990128",
                "西林县",
                2024,
                "failed",
                {**PASS, "vetoes": "fail"},
                [_coefficient("primary", 0.181, 0.50), _coefficient("junior", 0.192, 0.45)],
            ),
            ("html", "pdf", "xlsx"),
        ),
        "990122_2023": (
            _doc(
                "990122",
                "河阳县",
                2023,
                "passed",
                PASS,
                [_coefficient("primary", 0.301, 0.50), _coefficient("junior", 0.2, 0.45)],
            ),
            ("html", "pdf", "xlsx"),
        ),
    }
    for key, (doc, formats) in docs.items():
        (tmp_path / f"{key}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        for f in formats:
            (tmp_path / f"{key}.{f}").write_text("x", encoding="utf-8")
    return tmp_path


def _row(html: str, name: str, year: int) -> str:
    """The table row of one county in one year's group."""
    group = html.split(f"<h2>{year}年</h2>")[1].split("<h2>")[0]
    rows = re.findall(r"<tr>.*?</tr>", group, flags=re.S)
    return next(r for r in rows if f'<span class="name">{name}</span>' in r)


def test_grouped_by_year_newest_first(folder):
    html = write_index(folder, Manifest(folder)).read_text(encoding="utf-8")
    assert re.findall(r"<h2>(\d{4})年</h2>", html) == ["2024", "2023"]
    group_2023 = html.split("<h2>2023年</h2>")[1]
    assert group_2023.count('<span class="name">') == 1 and "河阳县" in group_2023
    assert "清源市" not in group_2023


def test_links_only_to_files_present_and_says_what_is_missing(folder):
    html = write_index(folder, Manifest(folder)).read_text(encoding="utf-8")
    qingyuan = _row(html, "清源市", 2024)
    assert 'href="990181_2024.html"' in qingyuan and 'href="990181_2024.xlsx">Excel<' in qingyuan
    assert "990181_2024.pdf" not in html
    assert '<span class="missing">PDF未生成</span>' in qingyuan
    heyang = _row(html, "河阳县", 2024)
    assert re.findall(r'href="([^"]+)"', heyang) == [
        "990122_2024.html",
        "990122_2024.pdf",
        "990122_2024.xlsx",
    ]
    assert "未生成" not in heyang


def test_a_word_document_made_beside_the_report_is_linked(folder):
    (folder / "990122_2024.docx").write_text("x", encoding="utf-8")  # `--formats html,pdf,xlsx,docx`
    html = write_index(folder, Manifest(folder)).read_text(encoding="utf-8")
    heyang = _row(html, "河阳县", 2024)
    assert re.findall(r'href="([^"]+)"', heyang)[-1] == "990122_2024.docx" and ">Word<" in heyang
    assert '<span class="missing">PDF、Word未生成</span>' in _row(html, "清源市", 2024)  # asked for, not made


def test_verdict_explained_and_coefficients_flagged(folder):
    html = write_index(folder, Manifest(folder)).read_text(encoding="utf-8")
    qingyuan = _row(html, "清源市", 2024)
    assert ">尚未达到<" in qingyuan and "未达标：资源配置" in qingyuan
    assert '<td class="num fail">0.470 ▲</td>' in qingyuan and '<td class="num">0.186</td>' in qingyuan
    heyang = _row(html, "河阳县", 2024)
    assert ">达到<" in heyang and '<td class="num borderline">0.497※</td>' in heyang
    assert "※临界：小学生均教学仪器设备值差异系数0.497（标准≤0.50）" in heyang
    assert "存在一票否决情形" in _row(html, "西林县", 2024)
    assert "（标准：小学≤0.50，初中≤0.45）" in html and "※表示临界" in html


def test_names_not_codes_lead_each_row(folder):
    html = write_index(folder, Manifest(folder)).read_text(encoding="utf-8")
    group = html.split("<h2>2024年</h2>")[1].split("<h2>")[0]
    assert sorted(re.findall(r'<span class="name">([^<]+)</span>', group)) == ["河阳县", "清源市", "西林县"]
    assert '<span class="name">河阳县</span><span class="code">990122</span>' in html


def test_a_failed_report_says_so(folder):
    manifest = Manifest(folder)
    manifest.record(
        "990125_2024",
        {
            "county_code": "990125",
            "county_name": "柳溪县",
            "year": 2024,
            "status": "error",
            "error": "PDF: typst failed\nmore",
        },
    )
    html = write_index(folder, manifest).read_text(encoding="utf-8")
    row = _row(html, "柳溪县", 2024)
    assert (
        "未生成报告文件" in row
        and "报告未能生成：PDF: typst failed" in row
        and "more" not in row.split("title=")[0]
    )


def test_phone_width_the_table_scrolls_in_its_own_box(folder):
    html = write_index(folder, Manifest(folder)).read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width' in html
    assert re.search(r"\.output\.html(, [\w.]+)* \{ overflow-x: auto;", html)  # (charts scroll alike)
    assert '<div class="output html">\n<table class="jh-table index">' in html
    assert "position: sticky; left: 0" in html  # the county and its links stay in view


def test_english_index(folder):
    html = write_index(folder, Manifest(folder), lang="en").read_text(encoding="utf-8")
    assert "<h2>2024</h2>" in html and "PDF not produced" in html and "Not met: resource allocation" in html


def test_the_overview_links_each_in_its_own_language(folder):
    for name in ("province.html", "province.pdf", "province.en.html"):
        (folder / name).write_text("x", encoding="utf-8")
    html = write_index(folder, Manifest(folder)).read_text(encoding="utf-8")
    assert (
        '<span class="nowrap">省级汇总：<a href="province.html">HTML</a> · '
        '<a href="province.pdf">PDF</a></span>'
        '　<span class="nowrap">Province overview: <a href="province.en.html">HTML</a></span>'
    ) in html
