"""What of an executed notebook is published: decided by cell tags and nothing else.

| tag | effect |
|---|---|
| ``remove-cell`` (also ``hide-cell``) | the cell is not published |
| ``remove-input`` (also ``hide-input``) | only the cell's outputs are published |
| ``remove-output`` (also ``hide-output``) | only the cell's code is published |
| ``parameters``, ``injected-parameters`` | never published (papermill's parameter cells) |
| ``lang-zh``, ``lang-en`` | published only in a report of that language |
| ``rules-youzhi-2017``, ``rules-jiben-2012`` | published only in a report under that rule set |
| ``toc`` | the cell is replaced by the table of contents |
| ``new-page`` | the PDF starts a new page before the cell |
| ``appendix`` | headings from this cell on are numbered as appendices |
| ``landscape`` | the cell is set on landscape pages in the PDF |

Everything else a cell shows is published: Markdown cells, Markdown output, images (SVG, PNG,
JPEG), HTML (tables, DataFrames, styled tables) and printed text, with three exceptions:

- warnings and other output written to stderr are not published; they are returned as notes
  (`Note`, printed by the commands as ``! 单元格 In [n]（first line）：message``), so nothing is
  silent;
- the repr a plotting call returns (``plt.xticks(...)`` gives ``(array([...]), [Text(...)])``,
  ``sns.barplot(...)`` gives ``<Axes: ...>``) is dropped when the same cell shows a figure: a
  text-only result starting with ``(``, ``[Text(``, ``Text(``, ``<matplotlib``, ``<Axes`` or
  ``<seaborn``. Ending a plotting cell with ``;`` says the same in the notebook itself;
- a line break between two Chinese characters in Markdown is dropped (Markdown would make it a
  space): wrapped Chinese prose reads as written, in the web page and the PDF alike.

A chart with a character no font of it has is not published either: `PublishError` names the
cell (`missing_glyphs`). Chinese itself always has a font once `junheng.report` is imported (Noto
Sans CJK SC is the fallback of every font a notebook chooses, `junheng.report.fonts`), so this is a
last guard: a character the CJK font lacks too (an emoji), drawn as an empty box with matplotlib's
"LastResort" font (``Glyph 128512 … missing from font(s) …``), or Chinese inside a ``$…$`` formula,
which matplotlib's mathtext draws as a dummy symbol (``Font 'rm' does not have a glyph for …``).

A Markdown cell citing a value with ``{glue}`name` `` gets the value a code cell kept with
``glue("name", value, "{:.1%}")`` (`junheng.report.glued`); a name no cell glued is a
`PublishError` naming the Markdown cell.

Notes also point out what a researcher may not expect: a heading that only ``##`` and ``###``
are numbered, a figure or a table without a caption (published unnumbered: ``charts.caption(fig, …)``,
``df.style.set_caption(…)``; the cover's facts are no such table), and a table too wide for the PDF
page. A cell that raised an error, and a notebook
that was never executed, cannot be published (`PublishError`).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from nbconvert.preprocessors import TagRemovePreprocessor

from junheng.errors import UserError
from junheng.i18n import t
from junheng.report.blocks import META_MIMETYPE
from junheng.report.glued import GLUE_MIMETYPE, cite, glued_values

LANG_TAG_PREFIX = "lang-"
RULES_TAG_PREFIX = "rules-"
TOC_TAG = "toc"
TOC_MARKUP = '<div class="toc"></div>'
LANDSCAPE_TAG = "landscape"
WIDE_TABLE_COLUMNS = 12  # more columns than this do not fit an A4 portrait page legibly
_CELL_KEY = "_junheng_cell"  # where a cell's place in the notebook is kept while publishing

# what plotting calls return, shown as text when they end a cell: (array, [Text…]), <Axes: …>
PLOT_REPR = re.compile(r"^\s*(\(|\[?Text\(|\[?<(matplotlib|Axes|seaborn|Figure)\b)")
# Chinese (Japanese, Korean) characters and their full-width punctuation
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_SOFT_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# a line after which a break is kept (a heading, a table row) and one before which it is (a block starts)
_ENDS_BLOCK = re.compile(r"^\s{0,3}(#|\|)")
_STARTS_BLOCK = re.compile(r"^\s{0,3}(#|\||>|[-*+]\s|\d+[.)]\s|=+\s*$|-+\s*$)")
_UNNUMBERED_HEADING = re.compile(r"^\s{0,3}(#|#{4,6})\s+\S", re.M)
_NUMBERED_HEADING = re.compile(r"^\s{0,3}(#{2,3})\s+(.*)$", re.M)
_FIRST_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_ROW_CELL = re.compile(r"<t[hd]\b([^>]*)>", re.I)
_COLSPAN = re.compile(r'colspan\s*=\s*"?(\d+)', re.I)
# matplotlib's warning for a character that no configured font has (drawn as an empty box), and
# mathtext's for one its math fonts lack (drawn as a dummy symbol): the character's code point
_GLYPH_WARNING = re.compile(r"Glyph (\d+) \(.*?\) missing from font")
_MATH_GLYPH_WARNING = re.compile(r"does not have a glyph for .*? \[U\+([0-9a-fA-F]+)\], substituting")
_BOX_FONT = "LastResort"  # matplotlib's font of empty boxes: in an SVG chart's glyph ids


class PublishError(RuntimeError):
    """The notebook cannot be published as it is: a cell raised an error, or it was never run.

    ``key`` is a message key (locale/publish.yaml); ``message(lang)`` says it in ``lang``.
    """

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh") -> str:
        """The error in words in ``lang`` (a parameter given as ``{zh: …, en: …}`` is said in ``lang``)."""
        return t(
            self.key,
            lang,
            **{k: v.get(lang, v.get("zh")) if isinstance(v, dict) else v for k, v in self.params.items()},
        )


@dataclass(frozen=True)
class Note:
    """Something a cell says or does that the report does not show.

    Something a cell says or does that the report does not show: a warning, output written to stderr, a
    heading that is not numbered, a table too wide for the PDF. ``cell`` is the cell's execution count (``In
    [n]``, as JupyterLab shows it) or, for a Markdown cell or a cell not run, its position in the notebook (1
    for the first cell); ``source`` is the cell's first line.
    """

    cell: str
    source: str
    text: str = ""  # the cell's own words (a warning), shown as they are
    key: str = ""  # or a message of locale/publish.yaml, said in the reader's language
    params: tuple = ()

    def message(self, lang: str = "zh") -> str:
        """``单元格 In [7]（plt.plot(x)）：UserWarning: …``, in ``lang``."""
        said = t(self.key, lang, **dict(self.params)) if self.key else self.text
        return t("publish.note", lang, cell=_cell_name(self.cell, lang), source=self.source, message=said)

    def __str__(self) -> str:
        return self.message("zh")


def _cell_name(cell: str, lang: str) -> str:
    if cell.startswith("In ["):
        return t("publish.cell_run", lang, label=cell)
    return t("publish.cell_at", lang, position=cell)


def first_line(source: str, width: int = 60) -> str:
    """The first line of a cell's source that says something, shortened to ``width`` characters."""
    line = next((line.strip() for line in str(source).splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def cell_label(cell, position: int) -> str:
    """``In [7]`` for a code cell that ran, else the cell's position in the notebook (1-based)."""
    count = cell.get("execution_count") if cell.get("cell_type") == "code" else None
    return f"In [{count}]" if count else str(position)


def describe_cell(cell, position: int, lang: str = "zh") -> str:
    """``单元格 In [7]（plt.plot(x)）`` — how a message names a cell, in ``lang``."""
    return t(
        "publish.cell",
        lang,
        cell=_cell_name(cell_label(cell, position), lang),
        source=first_line(cell.get("source", "")),
    )


@dataclass
class Published:
    """A notebook ready for rendering, what it says about itself, and notes on what was left out."""

    nb: object
    meta: dict
    notes: list = field(default_factory=list)  # of `Note`

    @property
    def lang(self) -> str:
        """The report's language: ``zh`` unless the notebook says otherwise."""
        return self.meta.get("lang") or "zh"


def report_meta(nb) -> dict:
    """What the report says about itself (title, running header, language, status…).

    What the report says about itself (title, running header, language, status…): the `META_MIMETYPE` output
    of its cover; otherwise the papermill parameters.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if META_MIMETYPE in data:
                return dict(data[META_MIMETYPE])
    params = nb.metadata.get("papermill", {}).get("parameters", {})
    return {"lang": params.get("lang", "zh")} if params else {}


def draft_label(meta: dict, lang: str = "zh") -> str:
    """草稿 / Draft while a county's report is not issued as final (``meta["final"]`` False), else "".

    What every format shows on every page of a draft: the PDF's running header, the web page's title
    and top bar, the Word document's page header. A notebook whose meta says nothing of it (the
    province overview, a researcher's own) is marked nothing.
    """
    return t("issue.draft_header", lang) if meta.get("final") is False else ""


def status_label(meta: dict, lang: str = "zh") -> str:
    """草稿 / 正式 (Draft / Final) as the Excel 总览's 状态 says it; "" for a notebook saying nothing of it.

    The Word document's 状态 property (文件 › 信息 › 状态).
    """
    final = meta.get("final")
    return t(f"report.export.{'final' if final else 'draft'}", lang) if isinstance(final, bool) else ""


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


def _remover() -> TagRemovePreprocessor:
    return TagRemovePreprocessor(
        enabled=True,
        remove_cell_tags={"remove-cell", "hide-cell", "parameters", "injected-parameters"},
        remove_input_tags={"remove-input", "hide-input"},
        remove_all_outputs_tags={"remove-output", "hide-output"},
    )


def check_executed(nb) -> None:
    """``PublishError`` unless ``nb`` ran to the end.

    ``PublishError`` unless ``nb`` ran to the end: a cell's error (named by its ``In [n]`` and first line), or
    no output at all (never executed). A notebook without the report cover (``c.cover()``) is published all
    the same, titled by its first section.
    """
    for position, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise PublishError(
                    "publish.cell_error",
                    cell=describe_cell(cell, position, "zh"),
                    cell_en=describe_cell(cell, position, "en"),
                    error=f"{output.get('ename')}: {output.get('evalue')}",
                )
    if not any(cell.get("outputs") for cell in nb.cells if cell.get("cell_type") == "code"):
        raise PublishError("publish.not_executed")


def publishable(nb, lang: str | None = None) -> Published:
    """A copy of ``nb`` holding exactly what is published (see the module docstring).

    ``lang`` must be the language the notebook ran in (``UserError`` otherwise: a report of one
    language with the headings of the other is no report).
    """
    check_executed(nb)
    meta = report_meta(nb)
    recorded = meta.get("lang")
    if lang and recorded and lang != recorded:
        raise UserError("publish.lang_mismatch", asked=lang, recorded=recorded)
    lang = lang or recorded or "zh"
    meta["lang"] = lang
    nb = copy.deepcopy(nb)
    for position, cell in enumerate(nb.cells, start=1):
        cell.setdefault("metadata", {})[_CELL_KEY] = (
            cell_label(cell, position),
            first_line(cell.get("source", "")),
        )
    glued = glued_values(nb)  # also from cells that are not published (remove-cell)
    rules = meta.get("rules") or nb.metadata.get("papermill", {}).get("parameters", {}).get("rules")
    nb.cells = [
        cell for cell in nb.cells if _language_matches(_tags(cell), lang) and _rules_match(_tags(cell), rules)
    ]
    nb, _ = _remover().preprocess(nb, {})
    notes: list[Note] = []
    for cell in nb.cells:
        where = cell.metadata.pop(_CELL_KEY)
        if TOC_TAG in _tags(cell):
            cell.cell_type = "markdown"
            cell.source = TOC_MARKUP
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            continue
        if cell.cell_type == "markdown":
            cell.source = _cited(cell.source, glued, where)
            cell.source = join_cjk_lines(cell.source)
            notes.extend(_heading_notes(cell.source, where, lang))
            continue
        if cell.cell_type != "code":
            continue
        notes.extend(_publish_outputs(cell, where, lang))
    return Published(nb, meta, notes)


def _publish_outputs(cell, where, lang: str) -> list:
    """Keep what a code cell shows (in place); return the notes about what it does not."""
    notes = []
    outputs = cell.get("outputs", [])
    shows_figure = any(key.startswith("image/") for output in outputs for key in output.get("data", {}))
    missing_glyphs(outputs, where)
    kept = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            said = output.get("text", "").strip()
            if said:
                notes.append(Note(*where, text=said[:600]))
            continue
        data = output.get("data")
        if data is not None and GLUE_MIMETYPE in data:
            continue  # a value kept for the Markdown cells (`glued`), not content
        cover = data is not None and META_MIMETYPE in data  # the cover: its facts are no numbered table
        if cover:
            data.pop(META_MIMETYPE)  # read above; not content
            if not data:
                continue
        if shows_figure and _plot_repr(output):
            continue
        if data is not None and _uncaptioned_figure(output):
            notes.append(Note(*where, key="publish.figure_uncaptioned"))
        if data is not None and not cover and uncaptioned_tables(data.get("text/html", "")):
            notes.append(Note(*where, key="publish.table_uncaptioned"))
        if data is not None and "text/markdown" in data:
            data["text/markdown"] = join_cjk_lines(data["text/markdown"])
            notes.extend(_heading_notes(data["text/markdown"], where, lang))
        if data is not None and "text/html" in data and LANDSCAPE_TAG not in _tags(cell):
            columns = table_columns(data["text/html"])
            if columns > WIDE_TABLE_COLUMNS:
                notes.append(Note(*where, key="publish.wide_table", params=(("columns", columns),)))
        kept.append(output)
    cell.outputs = kept
    return notes


def _uncaptioned_figure(output) -> bool:
    """An image output with no caption (output metadata ``caption``): published unnumbered."""
    data, metadata = output.get("data", {}), output.get("metadata", {})
    images = [m for m in ("image/svg+xml", "image/png", "image/jpeg") if m in data]
    if not images:
        return False
    return not (metadata.get("caption") or any((metadata.get(m) or {}).get("caption") for m in images))


def _cited(text: str, glued: dict, where) -> str:
    """A Markdown cell with its ``{glue}`name` `` citations replaced (`PublishError`: a name not glued)."""
    text, missing = cite(text, glued)
    if missing:
        label, source = where
        raise PublishError(
            "publish.glue_missing",
            cell={
                lang: t("publish.cell", lang, cell=_cell_name(label, lang), source=source)
                for lang in ("zh", "en")
            },
            name=missing[0],
        )
    return text


def missing_glyphs(outputs, where) -> None:
    """``PublishError`` naming the cell if its outputs show a character as an empty box.

    Either an SVG chart drawn with matplotlib's "LastResort" font, or matplotlib's warning
    ``Glyph 20174 (…) missing from font(s) …`` written to the cell's stderr (the only trace a
    PNG chart leaves), or mathtext's ``Font 'rm' does not have a glyph for … [U+4ece],
    substituting with a dummy symbol.`` ``where`` is the cell's (label, first line).
    """
    streams = [str(o.get("text", "")) for o in outputs if o.get("output_type") == "stream"]
    codes = [int(code) for text in streams for code in _GLYPH_WARNING.findall(text)]
    codes += [int(code, 16) for text in streams for code in _MATH_GLYPH_WARNING.findall(text)]
    boxed = any(_BOX_FONT in str(output.get("data", {}).get("image/svg+xml", "")) for output in outputs)
    if not codes and not boxed:
        return
    label, source = where
    chars = "".join(dict.fromkeys(chr(code) for code in codes))
    raise PublishError(
        "publish.missing_glyphs",
        cell={
            lang: t("publish.cell", lang, cell=_cell_name(label, lang), source=source)
            for lang in ("zh", "en")
        },
        chars=chars or "?",
    )


def _plot_repr(output) -> bool:
    """A cell's result that is only the text repr of what a plotting call returned."""
    if output.get("output_type") != "execute_result":
        return False
    data = output.get("data", {})
    return set(data) == {"text/plain"} and bool(PLOT_REPR.match(str(data["text/plain"])))


_TABLE_START = re.compile(r"<table\b[^>]*>\s*(<caption\b[^>]*>(.*?)</caption>)?", re.S | re.I)


def uncaptioned_tables(html) -> int:
    """How many tables of ``html`` have no caption, or an empty one: published unnumbered.

    A caption is a table's first child (``Styler.set_caption``), as `captions.number_captions` reads it.
    """
    if isinstance(html, list):  # a notebook's multi-line string
        html = "".join(html)
    if "<table" not in html.lower():
        return 0
    return sum(1 for m in _TABLE_START.finditer(html) if not (m.group(2) or "").strip())


def table_columns(html: str) -> int:
    """Columns of the widest of the first rows of the tables in ``html`` (0: no table)."""
    widest = 0
    for table in re.split(r"<table\b", html, flags=re.I)[1:]:
        row = _FIRST_ROW.search(table)
        if row:
            cells = [
                int(m.group(1)) if (m := _COLSPAN.search(attrs)) else 1
                for attrs in _ROW_CELL.findall(row.group(1))
            ]
            widest = max(widest, sum(cells))
    return widest


def _outside_fences(text: str):
    """The lines of Markdown ``text`` with whether each is inside a fenced code block."""
    fenced = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            yield line, True
        else:
            yield line, fenced


def _heading_notes(text: str, where, lang: str) -> list:
    """Notes on the headings of a cell that are published without a number.

    A ``#`` or ``####`` heading is published as written, without a number; a ``##`` or ``###`` heading
    numbered by hand loses its number (`headings.own_number`): say so, once a cell each.
    """
    from junheng.report.render.headings import own_number

    notes = []
    prose = "\n".join(line for line, fenced in _outside_fences(text) if not fenced)
    match = _UNNUMBERED_HEADING.search(prose)
    if match:
        heading = first_line(match.group(0), 40)
        notes.append(Note(*where, key="publish.heading_not_numbered", params=(("heading", heading),)))
    for match in _NUMBERED_HEADING.finditer(prose):
        if own_number(match.group(2), len(match.group(1)), lang):
            heading = first_line(match.group(0), 40)
            notes.append(Note(*where, key="publish.heading_numbered_twice", params=(("heading", heading),)))
            break
    return notes


def join_cjk_lines(text: str) -> str:
    """Markdown ``text`` with every soft line break between two Chinese characters removed.

    Markdown turns a line break inside a paragraph into a space, which Chinese does not have
    (``学校层面的 评估项目``). Breaks in code blocks, after a heading, a table row or a hard
    break (two trailing spaces), and before a list item or a heading are kept.
    """
    if "\n" not in text:
        return text
    lines = list(_outside_fences(text))
    out = [lines[0][0]]
    for (previous, previous_fenced), (line, fenced) in zip(lines, lines[1:], strict=False):
        joinable = (
            not previous_fenced
            and not fenced
            and previous.strip()
            and not previous.endswith("  ")
            and not _ENDS_BLOCK.match(previous)
            and not _STARTS_BLOCK.match(line)
            and _SOFT_BREAK.search(previous.rstrip() + "\n" + line.lstrip())
        )
        if joinable:
            out[-1] = out[-1].rstrip() + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def _language_matches(tags: set, lang: str) -> bool:
    wanted = {tag[len(LANG_TAG_PREFIX) :] for tag in tags if tag.startswith(LANG_TAG_PREFIX)}
    return not wanted or lang in wanted


def _rules_match(tags: set, rules: str | None) -> bool:
    """A cell tagged ``rules-<id>`` is published only under those rule sets (always when unknown)."""
    wanted = {tag[len(RULES_TAG_PREFIX) :] for tag in tags if tag.startswith(RULES_TAG_PREFIX)}
    return not wanted or not rules or rules in wanted
