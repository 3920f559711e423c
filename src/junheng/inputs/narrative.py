"""The county's own text (自评说明): a Markdown file of named sections beside the data.

A county's writers keep the parts of the self-assessment report that are theirs — 基本情况 context,
主要做法与成效, the causes of the problems, 下一步工作打算, the survey method and the list of
佐证材料 per item — in one Markdown file per county (and year where it differs)::

    DATA/narrative/990126_2024.md     # this year only (first choice)
    DATA/narrative/990126.md          # every year

Each section starts with a level-2 heading that names it (``## 主要做法与成效``, or its English id
``## practice``); ``###`` and deeper headings, lists and tables inside a section are the county's own.
``<!-- comments -->`` are prompts, never published. The text may cite computed values by name with
Jinja2 (``{{ students_total }}``, ``{{ coefficient.primary.R1 }}``): the report renders them, so a
re-run with corrected data never leaves a stale number (`junheng.report.narrative`).

Everything wrong is a located `Problem` (file, line): an unknown or repeated section, text outside
any section, an unclosed comment, a template syntax error, a file that is not UTF-8 text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from junheng.i18n import t
from junheng.problems import ERROR, Problem

FOLDER = "narrative"
NAMESPACE = "narrative"  # problem codes narrative.<name>: messages in locale/narrative.yaml
# the sections, in the order of a real 自评报告 (titles and prompts: locale/narrative.yaml)
SECTIONS = ("context", "practice", "survey_method", "causes", "next_steps", "evidence")
# the names a county's text may cite, as `junheng.report.narrative.values` gives them (the first part
# of a dotted name): checked when the text is read, before any county is evaluated
SCALAR_NAMES = (  # one value each (the catalogue of `junheng narrative` lists them in this order)
    "county_name",
    "county_code",
    "year",
    "verdict",
    "schools_total",
    "schools_evaluated",
    "schools_below",
    "students_total",
    "students_primary",
    "students_junior",
    "teachers_total",
    "items_passed",
    "items_failed",
    "items_not_assessed",
    "survey_valid",
)
NAMES = SCALAR_NAMES + ("coefficient", "mean", "limit", "item", "school")
_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*#*\s*$")
_TITLE = re.compile(r"^#(?!#)\s")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class NarrativeError(ValueError):
    """A narrative file that cannot be used; ``problems`` lists every error, located."""

    def __init__(self, problems: list[Problem], lang: str = "zh"):
        self.problems, self.lang = problems, lang
        super().__init__("\n".join(p.message(lang) for p in problems))

    def message(self, lang: str = "zh") -> str:
        """Every problem, one a line, in ``lang``."""
        return "\n".join(p.message(lang) for p in self.problems)


def shown(value) -> str:
    """A cited value as the text shows it.

    A number as rounded where it is cited, thousands separated (2,428.42); a missing one as ``—``.
    """
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


@cache
def environment(finalize=shown):
    """The Jinja2 environment of county text: sandboxed, and an unknown name is an error.

    Immutable: the values a text cites are built once and shared by every section of a report
    (`junheng.report.once`), so a text can read them but never change them (``.update``, ``.append``).

    ``finalize`` turns a cited value into its text; the report passes its own formatter
    (`junheng.report.narrative.cited`), so a citation reads as the report's tables do.
    """
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, finalize=finalize, keep_trailing_newline=True
    )


def problem(file, code: str, line: int | None = None, **params) -> Problem:
    """A located error of a narrative file (file and line)."""
    return Problem(ERROR, f"{NAMESPACE}.{code}", file=str(file), row=line, params=params)


def title(section: str, lang: str = "zh") -> str:
    """A section's heading: 主要做法与成效 (Measures and results)."""
    return t(f"narrative.sections.{section}.title", lang)


def section_id(name: str) -> str | None:
    """The id of a section named by its Chinese or English title or its id; None if unknown."""
    wanted = re.sub(r"\s+", "", str(name)).lower()
    for sid in SECTIONS:
        names = {sid, title(sid, "zh"), title(sid, "en").lower()}
        if wanted in {re.sub(r"\s+", "", n).lower() for n in names}:
            return sid
    return None


def section_hint(name: str):
    """Did you mean: the section heading nearest to a misspelt ``name`` ({lang: text}), "" if none is near.

    Its Chinese title, English title or id, whichever ``name`` is nearest to (as written: 主要做法和成效 →
    主要做法与成效).
    """
    from difflib import get_close_matches

    names = {n: n for s in SECTIONS for n in (title(s, "zh"), title(s, "en"), s)}
    folded = {re.sub(r"\s+", "", n).lower(): n for n in names}
    close = get_close_matches(re.sub(r"\s+", "", str(name)).lower(), folded, n=1, cutoff=0.6)
    if not close:
        return ""
    return {
        lang: t("narrative.problem.did_you_mean", lang, name=f"## {folded[close[0]]}")
        for lang in ("zh", "en")
    }


@dataclass
class Section:
    """One section as written: its text (comments removed, lines kept) and where it starts."""

    id: str
    text: str
    line: int  # 1-based line of the section's heading; the text starts on the next line

    @property
    def empty(self) -> bool:
        """Nothing but blank lines (the skeleton's prompts are comments)."""
        return not self.text.strip()


@dataclass
class Narrative:
    """The county's text: its sections by id and the file it came from (None: no file)."""

    file: Path | None = None
    sections: dict = field(default_factory=dict)

    def section(self, name: str) -> Section | None:
        """The section named ``name`` (id or title), None when the county has not written it."""
        sid = section_id(name)
        found = self.sections.get(sid) if sid else None
        return None if found is None or found.empty else found

    def missing(self) -> list[str]:
        """The ids of the sections not written (absent or empty), in report order."""
        return [sid for sid in SECTIONS if self.section(sid) is None]


def find(data, county_code: str, year: int) -> Path | None:
    """The county's narrative file beside ``data`` (a folder or a workbook), or None.

    ``narrative/<code>_<year>.md`` first, then ``narrative/<code>.md``.
    """
    folder = Path(data)
    folder = (folder if folder.is_dir() else folder.parent) / FOLDER
    for name in (f"{county_code}_{year}.md", f"{county_code}.md"):
        if (folder / name).is_file():
            return folder / name
    return None


def _without_comments(text: str) -> str:
    """``text`` with every comment blanked out, its line breaks kept (lines still count)."""
    return _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def parse(text: str, file="narrative.md") -> Narrative:
    """Read a narrative's ``text``; raises `NarrativeError` listing every problem, located."""
    from jinja2 import TemplateSyntaxError

    problems: list[Problem] = []
    opened = text.rfind("<!--")
    if opened > text.rfind("-->"):
        problems.append(problem(file, "unclosed_comment", text.count("\n", 0, opened) + 1))
        text = text[:opened]
    lines = _without_comments(text).split("\n")
    sections: dict[str, Section] = {}
    current, body, skipping = None, [], False

    def close():
        if current is not None:
            current.text = "\n".join(body)

    for number, line in enumerate(lines, start=1):
        heading = _HEADING.match(line)
        if heading:
            close()
            sid = section_id(heading.group(1))
            body, skipping = [], sid is None
            if sid is None:
                known = {
                    lang: t("report.words.list_sep", lang).join(title(s, lang) for s in SECTIONS)
                    for lang in ("zh", "en")
                }
                hint = section_hint(heading.group(1))
                problems.append(
                    problem(file, "unknown_section", number, name=heading.group(1), known=known, hint=hint)
                )
                current = None
                continue
            if sid in sections:
                problems.append(
                    problem(
                        file, "duplicate_section", number, name=heading.group(1), first=sections[sid].line
                    )
                )
            current = Section(sid, "", number)
            sections[sid] = current
            continue
        if current is None:
            if not skipping and line.strip() and not _TITLE.match(line) and not problems_outside(problems):
                problems.append(problem(file, "outside_section", number))
            continue
        body.append(line)
    close()
    if not sections and not problems and text.strip():
        problems.append(problem(file, "no_sections"))
    env = environment()
    for section in sections.values():
        try:
            tree = env.parse(section.text)
        except TemplateSyntaxError as exc:
            problems.append(
                problem(file, "template_syntax", section.line + (exc.lineno or 1), detail=exc.message or "")
            )
            continue
        problems += unknown_names(tree, section, file, env)
    if problems:
        raise NarrativeError(problems)
    return Narrative(Path(file), sections)


def unknown_names(tree, section: Section, file, env) -> list[Problem]:
    """A located error for each name the section cites that is none of `NAMES` (did-you-mean).

    Only the first part of a name is known without evaluating the county (``coefficient`` of
    ``coefficient.primary.R1``); the rest is checked when the report renders the section.
    """
    from difflib import get_close_matches

    from jinja2 import meta, nodes

    unknown = meta.find_undeclared_variables(tree) - set(NAMES) - set(env.globals)
    if not unknown:
        return []
    first: dict = {}
    for node in tree.find_all(nodes.Name):
        if node.name in unknown and node.ctx == "load":
            first[node.name] = min(first.get(node.name, node.lineno), node.lineno)
    out = []
    for name in sorted(unknown, key=lambda n: (first.get(n, 1), n)):
        close = get_close_matches(name, NAMES, n=1)
        hint = (
            {lang: t("narrative.problem.did_you_mean", lang, name=close[0]) for lang in ("zh", "en")}
            if close
            else ""
        )
        out.append(problem(file, "unknown_cited", section.line + first.get(name, 1), name=name, hint=hint))
    return out


def problems_outside(problems) -> bool:
    """Whether text outside a section was reported already (once a file is enough)."""
    return any(p.code == f"{NAMESPACE}.outside_section" for p in problems)


def read(path) -> Narrative:
    """Read and check the narrative file at ``path`` (`NarrativeError` on any problem)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NarrativeError([problem(path, "unreadable", detail=exc.strerror or str(exc))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NarrativeError([problem(path, "not_text")]) from None
    if "\x00" in text:
        raise NarrativeError([problem(path, "not_text")])
    return parse(text.replace("\r\n", "\n").replace("\r", "\n"), path)


def load(data, county_code: str, year: int) -> Narrative:
    """The county's narrative for ``year`` beside ``data``; an empty one when there is no file."""
    path = find(data, county_code, year)
    return read(path) if path else Narrative()


def skeleton(county_name: str, year: int, values: list[tuple[str, str, str]], lang: str = "zh") -> str:
    """A narrative file with every section, its prompt and the values the text may cite.

    ``values``: (name, current value, description) of every citeable name
    (`junheng.report.narrative.catalogue`).
    """
    out = [
        f"# {t('narrative.skeleton.title', lang, county=county_name, year=year)}",
        "",
        "<!--",
        t("narrative.skeleton.intro", lang),
        "",
    ]
    out += [f"  {{{{ {name} }}}}  = {value}    {about}" for name, value, about in values]
    out += ["-->", ""]
    for sid in SECTIONS:
        out += [f"## {title(sid, lang)}", "", "<!--", t(f"narrative.sections.{sid}.prompt", lang), "-->", ""]
    return "\n".join(out)
