"""Every reader-facing label exists in both languages with the same placeholders."""

import string

from junheng.i18n import LANGS, _messages


def _leaves(node, path=()):
    if isinstance(node, dict) and set(node) & set(LANGS):
        yield ".".join(path), node
        return
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _leaves(child, (*path, str(key)))


def _fields(text) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(str(text)) if name}


# Labels whose languages legitimately say different things: English drops 全县 ({whole}) and puts
# the year on its own line of the cover; Chinese counts the whole list (等12所), English the rest.
DIFFERENT_BY_DESIGN = {
    "plan.issue.coefficient_undefined",
    "plan.measure.coefficient",
    "report.title_lines.first",
    "report.title_lines.third",
    "report.title_lines_2012.first",
    "report.title_lines_2012.third",
    "report.prose.shortfall_total",
    "report.prose.shortfall_optional",
    "report.prose.trend_schools_change",
    "report.prose.trend_cv_change",
    "report.evidence.more",
    "report.evidence.G7_none",
    "publish.cell_error",
    # English names the month (by end of August 2027) and puts nouns in their number (1 item, 2 schools);
    # Chinese takes the month's number and has no plural
    "plan.deadline.month",
    "plan.deadline.date",
    "report.plan.summary",
    "report.plan.improvements_n",
    "report.plan.scope_schools",
    "report.plan.scope_items",
    # 本市 / 全市 in Chinese is "the city" / "the city mean" in English ({tier}: the sentence starts
    # "The city was …"); Chinese 当地 (local) names no tier, English names the county, city or district
    "report.text.recognised",
    "report.plan.costs_illustrative",
    "report.plan.uncosted",
    "report.plan.illustrative",
    "report.plan.county_file",
    "report.cover.draft",
    # Chinese 县级/县域 is the method's fixed term for the tier; English names the county's own tier
    # ("the city", "City mean") and counts in words ("1 school", "3 transfers")
    "narrative.missing",
    "issue.reason.missing_text",
    "issue.reason.placeholder_text",
    "issue.source",
    "optimal.text.transfers",
    "report.col.mean",
    "report.export.cols.mean",
    "report.history_schools",
    "report.prose.caveat",
    "report.method.scope",
}


def test_every_label_has_both_languages_and_the_same_placeholders():
    leaves = list(_leaves(_messages()))
    assert len(leaves) > 500
    missing = [key for key, node in leaves if any(lang not in node for lang in LANGS)]
    assert not missing, missing[:20]
    differ = [
        key
        for key, node in leaves
        if _fields(node["zh"]) != _fields(node["en"]) and key not in DIFFERENT_BY_DESIGN
    ]
    assert not differ, differ[:20]


def test_a_label_that_lacks_a_language_is_found():
    assert [k for k, n in _leaves({"a": {"b": {"zh": "x"}}}) if any(lang not in n for lang in LANGS)] == [
        "a.b"
    ]
    assert _fields("{n}所学校{name}") == {"n", "name"}
