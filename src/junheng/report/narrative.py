"""The county's own text in its report: the values it may cite, and each section rendered.

The names a county's text may cite (``{{ students_total }}``, ``{{ coefficient.primary.R1 }}``,
``{{ school["990126001"].primary.R4 }}``) are generated from the county object by `values`, and
listed with their current values and meanings by `catalogue` (the skeleton written by
``junheng narrative`` shows that list). `section` renders one section with those values: an unknown
name is a located error (`junheng.inputs.narrative.NarrativeError`, file and line); a section the
county has not written is a placeholder, "（县级填写）…：待补充", which keeps the report a draft.
"""

from __future__ import annotations

import re

import pandas as pd

from junheng.i18n import pick, t
from junheng.inputs.narrative import SCALAR_NAMES, NarrativeError, environment, problem, section_id, title
from junheng.report import format as fmt
from junheng.report.once import once

PARTS = ("guarantee", "quality", "survey")
_ITEM_HEADING = re.compile(r"^(###\s+)([A-Z]\d+)\s*$", re.M)
# a line indented by full-width or no-break spaces, as text pasted from Word is (　　石门县位于……)
_PASTED_INDENT = re.compile(r"^[ \t]*[\u3000\u00a0][\u3000\u00a0 \t]*", re.M)
# a line that is not prose: indented (a list item's continuation, code), a heading, a block quote, a list
# item, a table row, HTML, a rule or a setext underline; a fence opens or closes a code block
_NOT_PROSE = re.compile(r"^([ \t]|#|>|[-*+][ \t]|\d+[.)][ \t]|\||<|[-=*_]{3,}[ \t]*$|[-=]+[ \t]*$)")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")  # a line of Chinese: any CJK character


class Text(str):
    """Markdown that shows itself as Markdown in a notebook (``c.narrative(...)`` as a cell's result)."""

    def _repr_markdown_(self) -> str:
        return str(self)


class Figure(float):
    """A cited decimal that knows how the report shows it: its decimals and thousands separators.

    It is a float (the text may compare or compute with it); only the text it becomes differs. A
    result of arithmetic on it is a plain float again.
    """

    def __new__(cls, value, decimals: int = 2, thousands: bool = True, limit=None):
        """The value, rounded to ``decimals`` unless it has a ``limit`` (≤).

        A value with a limit keeps its precision: it is shown as the table shows it, never rounded
        across the limit (0.5004 against 0.50 reads 0.5004, `fmt.coefficient_against`).
        """
        kept = float(value) if limit is not None else round(float(value), decimals)
        self = super().__new__(cls, kept)
        self.decimals, self.thousands, self.limit = decimals, thousands, limit
        return self


class Year(int):
    """A calendar year: an integer shown without thousands separators (2024, not 2,024).

    ``{{ year + 1 }}`` and ``{{ year - 2 }}`` are years too; the difference of two years is a count.
    """

    def __add__(self, other):
        total = int(self) + other
        return Year(total) if isinstance(other, int) and not isinstance(other, Year | bool) else total

    __radd__ = __add__

    def __sub__(self, other):
        rest = int(self) - other
        return Year(rest) if isinstance(other, int) and not isinstance(other, Year | bool) else rest


def cited(value) -> str:
    """A cited value as the report shows it (`junheng.report.format`): 35,324 人, 0.350, 5.20; — if missing.

    A count has thousands separators (``fmt.integer``); a `Figure` the decimals of its table
    (coefficients three, without separators); a year is shown as it is; another float as the
    county computed it, thousands separated, up to four decimals.
    """
    if value is None or (isinstance(value, float) and fmt.is_missing(value)):
        return fmt.MISSING
    if isinstance(value, Year) or isinstance(value, bool):
        return str(value)
    if isinstance(value, Figure):
        if value.limit is not None:
            return fmt.against(float(value), value.limit, value.decimals, "<=", thousands=value.thousands)
        return fmt.number(value, value.decimals, value.thousands)
    if isinstance(value, int):
        return fmt.integer(value)
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def _round(value, decimals: int, thousands: bool = True, limit=None):
    if pd.isna(value):
        return None
    return Figure(value, decimals, thousands, None if limit is None or pd.isna(limit) else float(limit))


def _int(value) -> int:
    return 0 if pd.isna(value) else int(value)


def _other_rules_ids(c, coefficient: dict, mean: dict) -> None:
    """Also cite an indicator by its id in the other rule sets (``R4`` in a jiben-2012 report).

    A county's text written for one rule set (``{{ coefficient.primary.R4 }}``) still renders under the
    other: an indicator of the other set with the same numerator per student is the same quantity, so
    it cites this report's coefficient (scale-free) and its mean at the other set's scale (R1 per 100
    students is B7 per student × 100). An indicator with no counterpart stays unknown (a located error).
    """
    from junheng.rules import RULE_SETS

    if c.has_parts:  # a youzhi-2017 report cites its own ids only (its text and catalogue unchanged)
        return
    own = {ind.numerator: ind for ind in c.rules.indicators}
    rows = {(r.section, r.indicator): r for r in c.coefficients.itertuples()}
    for rules in (r for r in RULE_SETS if r != c.rules.id):
        for ind in c.rules.for_rules(rules).indicators:
            same = own.get(ind.numerator)
            if same is None or same.id == ind.id:
                continue
            for section in list(coefficient):
                row = rows.get((section, same.id))
                if row is None or ind.id in coefficient[section]:
                    continue
                coefficient[section][ind.id] = coefficient[section][same.id]
                mean[section][ind.id] = _round(row.mean * ind.scale / same.scale, ind.decimals)


VETO_WORDS = {"pass": "report.words.clear", "fail": "report.words.applies"}


def values(c) -> dict:
    """Every value a county's text may cite, by name (nested: ``coefficient.primary.R1``)."""
    profile = c.profile
    out = {
        "county_name": c.name,
        "county_code": c.code,
        "year": Year(c.year),
        "verdict": t(f"verdict.{c.status}", c.lang),
        "schools_total": c.counts["schools"],
        "schools_evaluated": c.counts["evaluated"],
        "students_total": _int(profile["students"].sum()) if len(profile) else 0,
        "students_primary": _int(profile["primary"].sum()) if len(profile) else 0,
        "students_junior": _int(profile["junior"].sum()) if len(profile) else 0,
        "teachers_total": _int(profile["teachers"].sum()) if len(profile) else 0,
    }
    scoped = c.evaluated_schools
    out["schools_below"] = (
        int((~scoped["school_passed"].astype(bool)).sum()) if "school_passed" in scoped else 0
    )
    items = c.items[c.items["part"].isin(PARTS)] if c.has_parts and len(c.items) else c.items.iloc[0:0]
    out["items_passed"] = int((items["status"] == "pass").sum()) if len(items) else 0
    out["items_failed"] = int((items["status"] == "fail").sum()) if len(items) else 0
    out["items_not_assessed"] = int((items["status"] == "not_assessed").sum()) if len(items) else 0
    survey = c.items[c.items["id"] == "S"] if len(c.items) else c.items
    valid = (survey.iloc[0]["evidence"] or {}).get("valid_answers") if len(survey) else None
    out["survey_valid"] = None if fmt.is_missing(valid) else int(valid)  # 有效问卷 (表7)
    coefficient, mean, limit = {}, {}, {}
    decimals = {ind.id: ind.decimals for ind in c.rules.indicators}
    for row in c.coefficients.itertuples():
        # the 2012 rules judge a section's coefficients together: no limit of each indicator's own
        row_limit = getattr(row, "limit", None)
        coefficient.setdefault(row.section, {})[row.indicator] = _round(
            row.cv, fmt.COEFFICIENT_DECIMALS, thousands=False, limit=row_limit
        )
        mean.setdefault(row.section, {})[row.indicator] = _round(row.mean, decimals.get(row.indicator, 2))
        if row_limit is not None:
            limit[row.section] = _round(row_limit, 2, thousands=False)
    _other_rules_ids(c, coefficient, mean)
    out.update(coefficient=coefficient, mean=mean, limit=limit)
    out["item"] = (
        {
            # a veto as the report's table of vetoes words it (`tables.vetoes`): 不存在 / 存在 / 未填报,
            # not 达标 / 未达标
            row.id: {"status": t(VETO_WORDS.get(row.status, "report.words.unanswered"), c.lang)}
            if row.part == "vetoes"
            else {"status": t(f"status.{row.status}", c.lang)}
            for row in c.items.itertuples()
            if isinstance(row.id, str)
        }
        if len(c.items)
        else {}
    )
    school: dict = {}
    inds = c.rules.indicators
    columns = ["school_code", "name", "students", "in_scope", "section", *(f"value_{i.key}" for i in inds)]
    for code, name, students, in_scope, sec, *figures in zip(*(c.schools[k] for k in columns), strict=True):
        entry = school.setdefault(str(code), {"name": name, "students": 0})
        entry["students"] += _int(students)
        if in_scope and isinstance(sec, str):
            entry[sec] = {ind.id: _round(v, ind.decimals) for ind, v in zip(inds, figures, strict=True)}
    out["school"] = school
    return out


def catalogue(c) -> list[tuple[str, str, str]]:
    """(name as cited, current value, meaning) of every citeable value, for the skeleton and the docs.

    A school's figures are listed for one school as an example of the pattern (every school has them).
    """
    lang, vals = c.lang, values(c)
    rows = []
    for name in SCALAR_NAMES:
        rows.append((name, cited(vals[name]), t(f"narrative.cite.{name}", lang)))
    indicators = {i.id: pick(i.short, lang) for i in c.rules.indicators}
    for kind in ("coefficient", "mean"):
        for section, by_indicator in vals[kind].items():
            for ind, value in by_indicator.items():
                rows.append(
                    (
                        f"{kind}.{section}.{ind}",
                        cited(value),
                        t(
                            f"narrative.cite.{kind}",
                            lang,
                            section=c.section_name(section),
                            indicator=indicators.get(ind, ind),
                        ),
                    )
                )
    for section, value in vals["limit"].items():
        rows.append(
            (
                f"limit.{section}",
                cited(value),
                t("narrative.cite.limit", lang, section=c.section_name(section)),
            )
        )
    # a veto or the prerequisite has no short id (exam_admission, prerequisite): its name, as the
    # report words it
    worded = c.items["part"].isin(("vetoes", "prerequisite")) if len(c.items) else None
    named = c.items[worded].set_index("id")["label"].to_dict() if worded is not None else {}
    for item, entry in vals["item"].items():
        label = t("narrative.cite.item", lang, item=named.get(item, item))
        rows.append((f"item.{item}.status", entry["status"], label))
    example = next((code for code, e in vals["school"].items() if len(e) > 2), None)
    if example:
        entry = vals["school"][example]
        ref = f'school["{example}"]'
        rows.append((f"{ref}.name", entry["name"], t("narrative.cite.school_name", lang)))
        rows.append(
            (
                f"{ref}.students",
                cited(entry["students"]),
                t("narrative.cite.school_students", lang, school=entry["name"]),
            )
        )
        for section in (s for s in c.rules.sections if s in entry):
            for ind, value in entry[section].items():
                rows.append(
                    (
                        f"{ref}.{section}.{ind}",
                        cited(value),
                        t(
                            "narrative.cite.school_value",
                            lang,
                            school=entry["name"],
                            section=c.section_name(section),
                            indicator=indicators.get(ind, ind),
                        ),
                    )
                )
    return rows


def _template_line(exc: BaseException) -> int | None:
    """The line of the section's text where rendering failed (from Jinja's rewritten traceback)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(narrative, name: str, context: dict, items=()) -> str | None:
    """One section of ``narrative`` with its citations filled in; None when it is not written.

    ``items``: the item ids of the rules; a ``### G1`` heading of the evidence section must name one.
    """
    from jinja2 import TemplateError, UndefinedError

    found = narrative.section(name)
    if found is None:
        return None
    try:
        text = environment(cited).from_string(found.text).render(context)
    except UndefinedError as exc:
        line = _template_line(exc)
        where = found.line + line if line else found.line
        said = problem(narrative.file, "unknown_name", where, detail=exc.message or "")
        raise NarrativeError([said]) from None
    except TemplateError as exc:
        raise NarrativeError(
            [problem(narrative.file, "template_syntax", found.line, detail=str(exc))]
        ) from None
    if found.id == "evidence" and items:
        known = set(items)
        for match in _ITEM_HEADING.finditer(found.text):
            if match.group(2) not in known:
                line = found.line + found.text.count("\n", 0, match.start()) + 1
                raise NarrativeError([problem(narrative.file, "unknown_item", line, item=match.group(2))])
    return as_paragraphs(text).strip()


def as_paragraphs(text: str) -> str:
    """``text`` with each line indented as Word indents a paragraph made a paragraph of its own.

    Text pasted from Word ends each paragraph with one line break and starts the next with full-width
    spaces; Markdown would join them into one paragraph, the spaces inside it. The indent is dropped:
    the report's body style indents every paragraph by two characters.
    """
    return _line_breaks(_PASTED_INDENT.sub("\n", text))


def _line_breaks(text: str) -> str:
    """A line break after a line of Chinese prose and before another line of prose starts a paragraph.

    A Chinese writer (and Word, pasted) ends a paragraph with one line break; Markdown would join the
    lines into one paragraph. Lists, tables, headings, block quotes and code are left as they are (a
    list item's next line goes on continuing it), and so is a line ending in a Markdown hard break
    (two spaces, a backslash) and a line without Chinese (English wrapped at a column stays one
    paragraph).
    """
    lines = text.split("\n")
    out, fenced = [], False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        out.append(line)
        if fenced or i + 1 == len(lines):
            continue
        after = lines[i + 1]
        if _prose(line) and _prose(after) and not line.endswith(("  ", "\\")) and _CJK.search(line):
            out.append("")
    return "\n".join(out)


def _prose(line: str) -> bool:
    return bool(line.strip()) and not _NOT_PROSE.match(line) and not _FENCE.match(line)


def _other_rules_items(c) -> set:
    """The item and indicator ids of the other rule sets (G1…Q9, S, R1…R7 in a jiben-2012 report).

    Only a report without parts (jiben-2012) looks: a youzhi-2017 report knows every id it judges.
    """
    from junheng.rules import RULE_SETS

    if c.has_parts:
        return set()
    ids: set = set()
    for rules in (r for r in RULE_SETS if r != c.rules.id):
        other = c.rules.for_rules(rules)
        ids |= {i.id for i in other.indicators}
        for part in PARTS:
            ids |= set(other.data.get(part) or {})
    return ids


def _without_items(text: str, ids: set) -> str:
    """``text`` without its ``### G1`` subsections of items ``ids`` (each up to the next heading)."""
    kept, skipping = [], False
    for line in text.split("\n"):
        match = _ITEM_HEADING.match(line)
        if match or line.lstrip().startswith("#"):
            skipping = bool(match) and match.group(2) in ids
        if not skipping:
            kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def section(c, name: str) -> Text:
    """The county's section ``name`` for the report, or the placeholder of a draft."""
    sid = section_id(name)
    if sid is None:
        raise KeyError(name)
    if c.narrative_text.section(sid) is None:  # not written: nothing to cite (the values are not built)
        text = None
    else:
        items = [str(i) for i in c.items["id"]] if len(c.items) else []
        items += [i.id for i in c.rules.indicators]
        others = _other_rules_items(c) - set(items) if sid == "evidence" else set()
        text = render(
            c.narrative_text, sid, once(c, "narrative.values", lambda: values(c)), [*items, *others]
        )
        if text is not None and others:
            text = _without_items(text, others) or None  # all of it the other rules': not written for these
    if text is None:
        return Text(
            t("narrative.missing", c.lang, section=title(sid, c.lang), **fmt.county_words(c.name, c.lang))
        )
    if sid == "evidence":
        names = dict(zip(c.items["id"], c.items["label"], strict=True)) if len(c.items) else {}
        text = _ITEM_HEADING.sub(
            lambda m: f"{m.group(1)}{m.group(2)} {names.get(m.group(2), '')}".rstrip(), text
        )
    return Text(text)
