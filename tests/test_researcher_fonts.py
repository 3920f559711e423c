"""A researcher's own theme keeps Chinese (friction "a seaborn theme blanks Chinese"): once
`junheng.report` is imported, Noto Sans CJK SC is the fallback of whatever fonts the notebook
chooses, Latin text stays in the chosen font, and rcParams stay as the notebook set them
(`junheng.report.fonts.keep_cjk_fallback`). Each way of choosing fonts a researcher uses is drawn
as the inline backend prints it (SVG with glyphs as paths, and PNG), and its glyphs are read back:
matplotlib names every glyph of an SVG ``<font postscript name>-<glyph index in hex>``."""

import io
import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager, ft2font  # noqa: E402

from junheng.report import charts  # noqa: E402, F401  (registers the CJK font, as a notebook does)
from junheng.report.fonts import cjk_font_path  # noqa: E402

ROOT = Path(__file__).parent.parent
LABEL = "学生数（人）"
LATIN = "Students"
CJK = "NotoSansCJKsc-Regular"


@pytest.fixture
def researcher_rc():
    """Whatever a test does to rcParams is undone afterwards."""
    saved = matplotlib.rcParams.copy()
    yield
    matplotlib.rcParams.update(saved)


def glyph_ids(font: str, path, text: str) -> set[str]:
    """The SVG ids of ``text``'s glyphs in the font file ``path`` (PostScript name ``font``)."""
    face = ft2font.FT2Font(str(path))
    return {f"{font}-{face.get_char_index(ord(ch)):x}" for ch in text}


def file_of(family: str) -> str:
    return font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)


def drawn(fmt: str = "svg", **text_kwargs) -> tuple[str, list[str]]:
    """A figure with the label ``学生数（人）`` and the title ``Students``, printed as the inline
    backend prints it (``bbox_inches="tight"``), and the warnings that gave."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlabel(LABEL, **text_kwargs)
    ax.set_title(LATIN, **text_kwargs)
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(out, format=fmt, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue().decode("latin-1"), [str(w.message) for w in caught]


def ids_in(svg: str) -> set[str]:
    return set(re.findall(r'<path id="([^"]+)"', svg))


def assert_chinese_in_cjk_latin_in(font: str, family: str) -> None:
    """The label's Chinese is drawn from the CJK font, the title from ``family``'s file (PostScript
    name ``font``), none of its letters from the CJK font, no box; the PNG warns of nothing."""
    svg, said = drawn()
    drawn_ids = ids_in(svg)
    assert "LastResort" not in svg and not said, said
    assert glyph_ids(CJK, cjk_font_path(), LABEL) <= drawn_ids
    assert glyph_ids(font, file_of(family), LATIN) <= drawn_ids
    assert not glyph_ids(CJK, cjk_font_path(), LATIN) & drawn_ids
    png, said = drawn("png")
    assert png.startswith("\x89PNG") and not said, said


def test_seaborn_set_theme(researcher_rc):
    import seaborn as sns

    sns.set_theme()
    assert_chinese_in_cjk_latin_in("DejaVuSans", "DejaVu Sans")  # seaborn's Arial is not installed
    # the notebook's settings are as it set them: seaborn's Latin list, nothing appended
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert matplotlib.rcParams["font.sans-serif"][0] == "Arial"
    assert "Noto Sans CJK SC" not in matplotlib.rcParams["font.sans-serif"]


def test_seaborn_set_style(researcher_rc):
    import seaborn as sns

    sns.set_style("whitegrid")
    assert matplotlib.rcParams["axes.grid"]
    assert_chinese_in_cjk_latin_in("DejaVuSans", "DejaVu Sans")


def test_seaborn_set_with_a_font(researcher_rc):
    import seaborn as sns

    sns.set(font="DejaVu Serif")
    assert matplotlib.rcParams["font.family"] == ["DejaVu Serif"]
    assert_chinese_in_cjk_latin_in("DejaVuSerif", "DejaVu Serif")


def test_seaborn_set_with_a_font_not_installed(researcher_rc):
    """``sns.set(font="Arial")`` on a machine without Arial: matplotlib's default font for Latin."""
    import seaborn as sns

    sns.set(font="Arial")
    assert_chinese_in_cjk_latin_in("DejaVuSans", "DejaVu Sans")


def test_matplotlib_styles(researcher_rc):
    plt.style.use("ggplot")  # sets no font: the notebook's (the package's, CJK first) for all text
    assert matplotlib.rcParams["axes.facecolor"] == "#E5E5E5"
    svg, said = drawn()
    assert "LastResort" not in svg and not said
    assert glyph_ids(CJK, cjk_font_path(), LABEL + LATIN) <= ids_in(svg)
    plt.style.use("seaborn-v0_8-whitegrid")  # seaborn's old style as a matplotlib style: Latin fonts
    assert matplotlib.rcParams["font.sans-serif"][:2] == ["Arial", "Liberation Sans"]
    assert_chinese_in_cjk_latin_in("DejaVuSans", "DejaVu Sans")


def test_rcparams_font_lists(researcher_rc):
    plt.rcParams["font.sans-serif"] = ["DejaVu Sans Mono"]
    assert_chinese_in_cjk_latin_in("DejaVuSansMono", "DejaVu Sans Mono")
    plt.rcParams["font.family"] = "serif"
    plt.rcParams["font.serif"] = ["DejaVu Serif"]
    assert_chinese_in_cjk_latin_in("DejaVuSerif", "DejaVu Serif")
    assert matplotlib.rcParams["font.family"] == ["serif"]
    matplotlib.rcdefaults()
    assert_chinese_in_cjk_latin_in("DejaVuSans", "DejaVu Sans")


def test_a_figure_saved_as_pdf_embeds_both_fonts(researcher_rc):
    """matplotlib's own PDF backend (``fig.savefig("chart.pdf")``) looks fonts up the same way."""
    import seaborn as sns

    sns.set_theme()
    pdf, said = drawn("pdf")
    assert not said, said
    fonts = re.findall(r"/BaseFont /(?:[A-Z]{6}\+)?([\w-]+)", pdf)  # a subset's name: ABCDEF+name
    assert sorted(fonts) == ["DejaVuSans", "NotoSansCJKsc-Regular"]


def test_a_font_named_on_one_text(researcher_rc):
    svg, said = drawn(fontfamily="DejaVu Serif")
    assert "LastResort" not in svg and not said
    assert glyph_ids(CJK, cjk_font_path(), LABEL) <= ids_in(svg)
    assert glyph_ids("DejaVuSerif", file_of("DejaVu Serif"), LATIN) <= ids_in(svg)


def test_latin_text_is_drawn_exactly_as_without_the_fallback(researcher_rc, monkeypatch):
    """The fallback only adds glyphs: a Latin-only figure's SVG is byte for byte the same."""
    import seaborn as sns

    sns.set_theme()

    def latin_svg():
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.set_title("Students per class −0.5")
        ax.plot([0, 1], [0, 2])
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
        plt.close(fig)
        return re.sub(r"\bp[0-9a-f]{10}\b", "", out.getvalue().decode())  # clip paths: random ids

    with_fallback = latin_svg()
    monkeypatch.setattr(
        font_manager.FontManager,
        "_find_fonts_by_props",
        font_manager.FontManager._find_fonts_by_props.__wrapped__,
    )
    assert latin_svg() == with_fallback


def test_without_the_fallback_the_same_figure_shows_boxes(researcher_rc, monkeypatch):
    """The checks above can fail: matplotlib's own lookup draws the label as LastResort boxes."""
    import seaborn as sns

    monkeypatch.setattr(
        font_manager.FontManager,
        "_find_fonts_by_props",
        font_manager.FontManager._find_fonts_by_props.__wrapped__,
    )
    sns.set_theme()
    svg, said = drawn()
    assert "LastResort" in svg and any("missing from font(s) DejaVu Sans" in w for w in said)


def test_a_character_the_cjk_font_lacks_is_still_a_box(researcher_rc):
    """What `junheng render`'s glyph guard is still for: an emoji has no font here."""
    fig, ax = plt.subplots()
    ax.set_title("学生 \N{GRINNING FACE}")
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(out, format="svg")
    plt.close(fig)
    assert "LastResort" in out.getvalue().decode()
    assert [str(w.message) for w in caught] == [
        "Glyph 128512 (\\N{GRINNING FACE}) missing from font(s) Noto Sans CJK SC."
    ]


DRAW = """
import io, warnings
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
import seaborn as sns
sns.set_theme()
fig, ax = plt.subplots()
ax.set_xlabel("学生数（人）")
out = io.BytesIO()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fig.savefig(out, format="svg")
print("LastResort" in out.getvalue().decode(), any("missing from font" in str(w.message) for w in caught))
"""


@pytest.mark.parametrize(
    ("first", "boxes"),
    [
        ("import sys, junheng.report\nassert 'matplotlib' not in sys.modules", "False False"),
        ("import junheng\njunheng.county", "False False"),  # the notebook API imports junheng.report
        ("import junheng", "True True"),  # the command line's package alone changes nothing
    ],
)
def test_a_fresh_process_gets_the_fallback_from_importing_junheng_report(first, boxes):
    """`import junheng.report` imports no matplotlib (issue #21): the fallback is applied when
    matplotlib's font manager is imported afterwards, by seaborn here."""
    run = subprocess.run(
        [sys.executable, "-c", first + DRAW], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split("\n")[-2] == boxes


def test_render_refuses_chinese_in_a_formula(researcher_rc, caplog):
    """mathtext has no fallback: Chinese inside ``$…$`` is a dummy symbol, said only in a log
    line on the cell's stderr; `junheng render` reads the characters from it and refuses."""
    import nbformat

    from junheng.report.render.publish import PublishError, publishable

    fig, ax = plt.subplots()
    ax.set_xlabel("$学生$ 数")
    with caplog.at_level("WARNING", logger="matplotlib.mathtext"):
        fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)
    said = "".join(f"{r.getMessage()}\n" for r in caplog.records)
    assert "does not have a glyph for '\\u5b66' [U+5b66], substituting with a dummy symbol." in said
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "ax.set_xlabel('$学生$')",
            execution_count=4,
            outputs=[
                nbformat.v4.new_output("stream", name="stderr", text=said),
                nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"}),
            ],
        )
    ]
    with pytest.raises(PublishError) as caught:
        publishable(nb)
    zh = caught.value.message("zh")
    assert zh.startswith("单元格 In [4]（ax.set_xlabel('$学生$')）的图表中有字体缺少的字符（学生）")
    assert "$…$ 公式" in zh and "formula" in caught.value.message("en")
