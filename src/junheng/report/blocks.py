"""Display objects for the parts of a report that are neither a table, a chart nor a sentence: the cover.

Their HTML comes from Jinja templates; each renders itself in JupyterLab.
"""

from __future__ import annotations

from junheng.i18n import pick, t
from junheng.report import format as fmt
from junheng.report.templating import render_template

# What a report says about itself (title, running header, language) travels with its cover as an
# output of this type; the renderer reads it (`junheng.report.render.publish.report_meta`).
META_MIMETYPE = "application/vnd.junheng.report+json"


class Block:
    """Markup made by the package from a template, displayed as HTML in the notebook.

    ``meta`` travels with the output (mimetype `META_MIMETYPE`) and tells the renderer the
    report's title, running header and language.
    """

    def __init__(self, html: str, meta: dict | None = None):
        self.html = html
        self.meta = meta or {}

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/html": self.html}
        if self.meta:
            bundle[META_MIMETYPE] = self.meta
        return bundle

    def __str__(self) -> str:
        return self.html


def cover(c) -> Block:
    """The cover of a county report.

    The cover of a county report: the title on three lines, the verdict, what was evaluated under which rules,
    and who issues it when. A plan costed at illustrative unit costs marks the report as a draft (the costs
    are examples until the county sets its own).
    """
    from junheng.report.issue import cover_notice, metadata

    lang = c.lang
    rules = c.rules
    overlays = t("report.words.list_sep", lang).join(
        pick(o["name"], lang) or o["id"] for o in rules.overlays
    ) or t("report.words.none", lang)
    rows = [
        (t("report.code", lang), c.code),
        (t("report.col.year", lang), t("report.cover.year", lang, year=c.year)),
        (
            t("ui.rules", lang),
            t(
                "report.cover.rules",
                lang,
                name=pick(rules.data["name"], lang),
                document=rules.data.get("document", ""),
            ),
        ),
        (t("ui.overlays", lang), overlays),
    ]
    key = "report.title_lines" if c.has_parts else "report.title_lines_2012"
    lines = [t(f"{key}.{k}", lang, county=c.full_name, year=c.year) for k in ("first", "second", "third")]
    html = render_template(
        "html/cover.html.j2",
        kicker=t("report.kicker" if c.has_parts else "report.kicker_2012", lang),
        lines=[line for line in lines if line],
        status=c.status,
        verdict=t(f"report.{'verdict_box' if c.has_parts else 'verdict_box_2012'}.{c.status}", lang),
        rows=rows,
        draft=cover_notice(c),
        number=c.county_profile.document_number,
        issuer=c.issuer,
        date=fmt.long_date(c.report_date, lang),
    )
    meta = {
        "kind": "county",
        "title": c.title(),
        "header": c.title() if lang == "zh" else f"{c.name} {c.year}",
        "lang": lang,
        "rules": rules.id,  # cells tagged rules-<id> are published only under that rule set
        "county_code": c.code,
        "county_name": c.name,
        "year": c.year,
        "status": c.status,
        "final": c.final,
        "provenance": metadata(c),  # files, digest, version: the web page's metadata, never the text
    }
    return Block(html, meta)
