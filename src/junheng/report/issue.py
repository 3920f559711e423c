"""Draft or final: what keeps a county's report a draft, and the formal elements of the final one.

A report is a draft while any of these holds (`reasons`, in report order):

- the data have errors (no verdict) or are incomplete (sheets missing, items not assessed, schools
  the import could not read): such a
  report can never be final, its cover and conclusion say 数据不完整，不得报送;
- the plan is costed at junheng's illustrative unit costs;
- the county's own text (``narrative/CODE[_YEAR].md``) lacks a section, or keeps a placeholder (an
  entry of its 佐证材料清单 such as "略", "待补充", "TODO" or an empty one: `junheng.inputs.placeholders`);
- no issuing body is named (``issuer`` in the county profile, or ``--issuer``);
- the report date is not after the data year (a 2024 report dated before 2025).

``junheng report --final`` (notebook parameter ``final``) issues the version for submission only when
the list is empty, and otherwise refuses with it (`FinalRefused`). The report states each reason in
office terms (须设定本市整改单价); where to settle it (plan.yaml, narrative/…, --issuer: `Reason.hint`)
is said only on the command line and in the JSON (`metadata`). The final version carries the
落款 (`signature`) with the place for the seal, and one short 数据来源 line (`source_line`); file names,
digests and versions stay in the JSON and the web page's metadata.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from junheng.i18n import t
from junheng.inputs.narrative import SECTIONS, title
from junheng.planning.missing import missing_data, set_aside_schools
from junheng.report import format as fmt
from junheng.report.blocks import Block

SHEETS = ("county", "monitoring", "survey")  # the county's sheets besides the schools (issue.sheets.*)
HINTED = (  # issue.hint.*
    "illustrative_costs",
    "missing_text",
    "placeholder_text",
    "schools_set_aside",
    "no_issuer",
    "no_date",
)
LISTED_PLACEHOLDERS = 5  # a reason names at most this many placeholders, then how many more
DATA = ("missing_data", "schools_set_aside")  # the reasons that make the data incomplete
PARTS_ONLY_TEXT = ("survey_method", "causes")  # the county's texts shown only beside Parts G, Q, S (the plan)


@dataclass(frozen=True)
class Reason:
    """One thing that keeps a report a draft: a message key of ``issue.reason`` and its parameters."""

    key: str
    params: tuple = ()

    def message(self, lang: str = "zh") -> str:
        """The reason in words in ``lang``."""
        return t(f"issue.reason.{self.key}", lang, **dict(self.params))

    def hint(self, lang: str = "zh") -> str:
        """Where to settle it (a file, an option): for the command line and the JSON, never the report."""
        return t(f"issue.hint.{self.key}", lang, **dict(self.params)) if self.key in HINTED else ""

    def with_hint(self, lang: str = "zh") -> str:
        """The reason and, in brackets, where to settle it."""
        hint = self.hint(lang)
        if not hint:
            return self.message(lang)
        return f"{self.message(lang)}（{hint}）" if lang == "zh" else f"{self.message(lang)} ({hint})"


class FinalRefused(ValueError):
    """``--final`` asked while the report is still a draft; ``reasons`` says why."""

    def __init__(self, reasons: list[Reason], lang: str = "zh"):
        self.reasons = list(reasons)
        super().__init__(self.message(lang))

    def message(self, lang: str = "zh") -> str:
        """The refusal and every reason, one a line, in ``lang``."""
        return "\n".join([t("issue.refused", lang), *(f"  - {r.with_hint(lang)}" for r in self.reasons)])


def _sheet_names(sheets, lang: str) -> str:
    return t("report.words.list_sep", lang).join(t(f"issue.sheets.{s}", lang) for s in sheets)


def reasons(c) -> list[Reason]:
    """Everything that keeps ``c``'s report a draft (empty: it may be issued as final)."""
    out = []
    if c.invalid:
        out.append(Reason("invalid_data"))
    sheets, items = missing_data(c)
    if sheets or items:
        out.append(
            Reason("missing_data", (("sheets", _sheet_names(sheets, c.lang) or "—"), ("items", len(items))))
        )
    aside = set_aside_schools(c)
    if aside:
        shown = t("report.words.list_sep", c.lang).join(aside[:5]) + ("…" if len(aside) > 5 else "")
        out.append(Reason("schools_set_aside", (("n", len(aside)), ("schools", shown))))
    if c.draft:
        out.append(Reason("illustrative_costs", (("own", fmt.county_words(c.name, c.lang)["own"]),)))
    missing = c.narrative_text.missing()
    if not c.has_parts:  # a jiben-2012 report shows no survey and no plan: their texts are not asked for
        missing = [s for s in missing if s not in PARTS_ONLY_TEXT]
    if missing:
        file = c.narrative_text.file.name if c.narrative_text.file else f"{c.code}_{c.year}.md"
        names = t("report.words.list_sep", c.lang).join(title(s, c.lang) for s in missing)
        own = fmt.county_words(c.name, c.lang)["own"]
        out.append(Reason("missing_text", (("sections", names), ("file", file), ("own", own))))
    placeholder = _placeholder_reason(c)
    if placeholder:
        out.append(placeholder)
    if not c.issuer:
        out.append(Reason("no_issuer"))
    if not c.report_date_given:  # the county dates what it issues, as it names who issues it
        out.append(Reason("no_date", (("date", fmt.long_date(c.report_date, c.lang)),)))
    if c.report_date <= datetime.date(c.year, 12, 31):
        out.append(Reason("early_date", (("date", c.report_date.isoformat()), ("year", c.year))))
    return out


def _placeholder_reason(c) -> Reason | None:
    """The entries of the county's text that stand for nothing yet ("略", "待补充", an empty "- ").

    Each named by section and item and quoted; the file and lines go to the hint (the command line).
    """
    from junheng.inputs.placeholders import placeholders

    sections = SECTIONS if c.has_parts else [s for s in SECTIONS if s not in PARTS_ONLY_TEXT]
    found = placeholders(c.narrative_text, sections)
    if not found:
        return None
    sep = t("report.words.list_sep", c.lang)

    def shown(p) -> str:
        where = title(p.section, c.lang) + (f" {p.item}" if p.item else "")
        said = (
            t("issue.placeholder.quoted", c.lang, text=p.text)
            if p.text
            else t("issue.placeholder.empty", c.lang)
        )
        return t("issue.placeholder.entry", c.lang, where=where, said=said)

    entries = ("；" if c.lang == "zh" else "; ").join(shown(p) for p in found[:LISTED_PLACEHOLDERS])
    more = len(found) - LISTED_PLACEHOLDERS
    if more > 0:
        entries += t("issue.placeholder.more", c.lang, n=more)
    lines = sep.join(str(p.line) for p in found)
    file = c.narrative_text.file.name if c.narrative_text.file else f"{c.code}_{c.year}.md"
    own = fmt.county_words(c.name, c.lang)["own"]
    params = (("n", len(found)), ("entries", entries), ("file", file), ("lines", lines), ("own", own))
    return Reason("placeholder_text", params)


def _incomplete_params(c) -> dict | None:
    sheets, items = missing_data(c)
    if not sheets and not items:
        return None
    # every one (a list cut short hides items); a veto by its name, for it has no short id
    vetoes = c.items[c.items["part"] == "vetoes"].set_index("id")["label"].to_dict() if len(c.items) else {}
    ids = t("report.words.list_sep", c.lang).join(str(vetoes.get(i, i)) for i in items)
    return {"sheets": _sheet_names(sheets, c.lang) or "—", "items": len(items), "ids": ids}


def incomplete_notice(c) -> str:
    """数据不完整，不得报送: the missing sheets and the items left unassessed ("" for complete data)."""
    params = _incomplete_params(c)
    if not params:
        return ""
    return t("issue.incomplete" if params["items"] else "issue.incomplete_sheets", c.lang, **params)


def draft_notice(c) -> str:
    """Markdown for the conclusion of a draft: what keeps it one ("" in a final report)."""
    if c.final or not c.draft_reasons:
        return ""
    lines = []
    incomplete = incomplete_notice(c)
    listed = c.draft_reasons
    if incomplete:  # 数据不完整 once: the missing data not listed again, the other data reasons unprefixed
        lines.append(f"**{incomplete}**")
        listed = [r for r in listed if r.key != "missing_data"]
    prefix = t("issue.incomplete_prefix", c.lang)
    items = [
        r.message(c.lang).removeprefix(prefix) if incomplete and r.key in DATA else r.message(c.lang)
        for r in listed
    ]
    if items:
        heading, lead = t("issue.draft_heading", c.lang), t("issue.draft_lead", c.lang)
        lines.append(f"**{heading}**。{lead}" if c.lang == "zh" else f"**{heading}.** {lead}")
        lines.append("\n".join(f"- {item}" for item in items))
    return "\n\n".join(lines)


def cover_notice(c) -> str:
    """The cover's draft mark, one notice in one line ("" in a final report).

    数据不完整，不得报送 when the data are incomplete (the missing sheets and every item left
    unassessed, then the other reasons), else 草稿，不得报送; each reason once, no "数据不完整" twice.
    """
    if c.final or not c.draft_reasons:
        return ""
    sep = "；" if c.lang == "zh" else "; "
    incomplete = any(r.key in DATA for r in c.draft_reasons)
    detail = _incomplete_params(c)
    prefix = t("issue.incomplete_prefix", c.lang)
    parts = []
    for r in c.draft_reasons:
        if r.key == "missing_data" and detail:
            key = "issue.incomplete_detail" if detail["items"] else "issue.incomplete_detail_sheets"
            parts.append(t(key, c.lang, **detail))
            continue
        text = r.message(c.lang)
        if incomplete and r.key in DATA:  # under the heading 数据不完整: not said again
            text = text.removeprefix(prefix)
        parts.append(text)
    heading = t("issue.incomplete_cover" if incomplete else "issue.draft_cover", c.lang)
    space = "" if c.lang == "zh" else " "  # "not for submission: the plan…", not "submission:the"
    end = "。" if c.lang == "zh" else "."
    return heading + space + sep.join(parts) + end


def signature(c) -> Block:
    """The 落款: the issuing body, the report date and the place for the seal; the contact line."""
    from junheng.report.templating import render_template

    profile = c.county_profile
    contact = (
        t("issue.signature.contact", c.lang, person=profile.contact_person, phone=profile.contact_phone)
        if profile.contact_person or profile.contact_phone
        else ""
    )
    html = render_template(
        "html/signature.html.j2",
        issuer=c.issuer or t("issue.signature.issuer_missing", c.lang),
        seal=t("issue.signature.seal", c.lang),
        date=fmt.long_date(c.report_date, c.lang),
        contact=contact,
    )
    return Block(html)


def source_line(c) -> str:
    """The one 数据来源 line the published report keeps (the files and digest go to the metadata)."""
    years = sorted(int(y) for y in c.history["year"]) if len(c.history) else [c.year]
    span = (
        fmt.year_span(years[0], years[-1], c.lang)
        if len(years) > 1 and years[0] != years[-1]
        else str(years[-1])
    )
    schools = c.counts["schools"]
    if getattr(c, "invalid", False):  # data with errors are not evaluated: the schools read, not 0
        rows = c.dataset.schools
        mine = rows[(rows["county_code"] == c.code) & (rows["year"].astype(int) == int(c.year))]
        schools = int(mine["school_code"].nunique())
    return t(
        "issue.source",
        c.lang,
        county=c.name,
        years=span,
        schools=schools,
        **fmt.county_words(c.name, c.lang),
    )


def metadata(c) -> dict:
    """What the published document leaves out, for the JSON and the web page's metadata."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        made_with = version("junheng")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        made_with = "?"
    return {
        "files": [Path(f).name for f in c.files],
        "fingerprint": c.fingerprint,
        "generator": f"junheng {made_with}",
        "generated": c.generated,
        "final": c.final,
        # with where to settle each (plan.yaml, narrative/…, --issuer): the report itself says neither
        "draft_reasons": [r.with_hint(c.lang) for r in ([] if c.final else c.draft_reasons)],
    }


__all__ = ["SECTIONS", "FinalRefused", "Reason", "draft_notice", "reasons", "signature", "source_line"]
