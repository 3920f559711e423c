"""The readable terminal summary of one county's evaluation (`junheng evaluate` without --json)."""

from __future__ import annotations

from junheng.format import against, percent_of_standard
from junheng.i18n import pick, t
from junheng.report.evidence import COUNT_ITEMS, threshold_text, value_text

STATUS_KEY = {"pass": "status.pass", "fail": "status.fail", "not_assessed": "status.not_assessed"}
VETO_KEY = {**STATUS_KEY, "pass": "report.words.clear", "fail": "report.words.applies"}


def _fmt(value, digits=3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _against(value: float, threshold: float) -> str:
    """A school's indicator value next to its standard, never rounded across it.

    Two decimals, none from 100 on (yuan per student).
    """
    return against(value, threshold, 0 if abs(threshold) >= 100 else 2)


def _standard(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def _figures(item: dict, part: str, lang: str) -> str:
    """The figures a not-met item rests on, as the report's tables give them: "（8.1%；标准：…）".

    Fresh eyes: an inspector read "G11 …: 未达标" with no value; a coefficient's line has its CV.
    """
    from types import SimpleNamespace

    if item["status"] != "fail":
        return ""
    if part == "vetoes":  # what was found, as the county's data say it
        details = (item.get("evidence") or {}).get("details")
        return (f"（{details}）" if lang == "zh" else f" ({details})") if details else ""
    row = SimpleNamespace(
        id=item["id"],
        part=part,
        status=item["status"],
        value=item.get("value"),
        label=item.get("label"),
        threshold=item.get("threshold"),
        threshold_parts=item.get("threshold") if isinstance(item.get("threshold"), dict) else None,
    )
    shown = value_text(row, lang)
    if item["id"] not in COUNT_ITEMS:  # a count's standard is its label, already on the line
        shown += ("；" if lang == "zh" else "; ") + t("ui.standard", lang) + threshold_text(row, lang)
    names = [s["school_name"] for s in item.get("schools") or [] if s.get("school_name")]
    if names:  # the schools that fail it (G5: 3所未达标：云岭中东城关小学、…; G9: …；未达标学校：…)
        if item["id"] in COUNT_ITEMS:
            shown += "：" if lang == "zh" else ": "
        else:  # after the standard: said whose they are
            shown += ("；" if lang == "zh" else "; ") + t("ui.failing_schools", lang)
        shown += ("、" if lang == "zh" else ", ").join(names[:6])
        shown += t("ui.and_more", lang, n=len(names) - 6) if len(names) > 6 else ""
    return f"（{shown}）" if lang == "zh" else f" ({shown})"


def render_summary(doc: dict, rules, lang: str = "zh") -> str:
    """The plain-text summary of one county-year's evaluation."""
    lines = [
        f"{t('ui.county', lang)}: {doc['county_name']} ({doc['county_code']})   "
        f"{t('ui.year', lang)}: {doc['year']}",
        f"{t('ui.rules', lang)}: {pick(rules.data['name'], lang)} {rules.data.get('document', '')}"
        + (f"   {t('ui.overlays', lang)}: {', '.join(doc['overlays'])}" if doc["overlays"] else ""),
        f"{t('ui.verdict', lang)}: {doc['verdict']}",
        "",
    ]
    parts = doc.get("parts", {})
    res = parts.get("resource")
    if res:
        lines.append(f"[{t('part.resource', lang)}] {t(STATUS_KEY[res['status']], lang)}")
        absent = []  # a section without any school (a county of primary schools only): not 未达标
        for c in res["coefficients"]:
            if c.get("status") == "no_school":
                if c["section"] not in absent:
                    absent.append(c["section"])
                    name = t(f"section_absent.{c['section']}", lang)
                    lines.append("  " + t("ui.section_absent", lang, section=name))
                continue
            limit = f"  ≤ {c['limit']:.2f}" if c.get("limit") is not None else ""
            flag = ""
            if c.get("passed") is not None:
                flag = "  " + t("status.pass" if c["passed"] else "status.fail", lang)
            if c.get("borderline"):
                flag += f" ({t('ui.borderline', lang)})"
            section = {
                "primary": "小学" if lang == "zh" else "primary",
                "junior": "初中" if lang == "zh" else "junior",
            }[c["section"]]
            lines.append(f"  {section} {c['indicator']} {c['label']}: CV = {_fmt(c['cv'])}{limit}{flag}")
        for comp in res.get("composite", []):
            if comp.get("limit") is not None:
                lines.append(
                    f"  {t('part.composite', lang)} {comp['section']}: "
                    f"{_fmt(comp['composite'])} ≤ {comp['limit']:.2f}  "
                    + t("status.pass" if comp["passed"] else "status.fail", lang)
                )
        failed = [s for s in res["schools"] if s.get("passed") is False]
        lines.append(
            f"  {t('ui.schools_evaluated', lang)}: {len(res['schools'])}   "
            f"{t('ui.schools_failed', lang)}: {len(failed)}   "
            f"{t('ui.schools_excluded', lang)}: {len(res['excluded'])}"
        )
        # an indicator by its id with the school's value against the standard, as an inspector checks
        # it (fresh eyes: the column names qualified_teachers_per100 and the section "primary")
        ids = {c["key"]: c["indicator"] for c in res["coefficients"] if c.get("key")}
        for s in failed:
            missed = [
                t(
                    "ui.school_value",
                    lang,
                    indicator=ids.get(k, k),
                    value=_against(v["value"], v["threshold"]),
                    standard=_standard(v["threshold"]),
                    ratio=percent_of_standard(v["ratio"]),
                )
                if v.get("value") is not None and v.get("threshold") and v.get("ratio") is not None
                else ids.get(k, k)
                for k, v in s["indicators"].items()
                if v.get("met") is False
            ]
            section = t(f"ui.sections.{s['section']}", lang)
            joined = ("；" if lang == "zh" else "; ").join(missed)
            lines.append(f"    ✗ {s['school_name']} ({s['school_code']}, {section}): {joined}")
        lines.append("")
    for part in ("guarantee", "quality", "survey", "vetoes"):
        p = parts.get(part)
        if not p:
            continue
        # a veto is a situation that must not exist: the report's words, 不存在 / 存在, not 达标
        key = VETO_KEY if part == "vetoes" else STATUS_KEY
        lines.append(f"[{t('part.' + part, lang)}] {t(key[p['status']], lang)}")
        for item in p["items"]:
            if item["status"] != "pass":
                # a veto has no short id (key_schools): its name alone, as the report words it
                name = item["label"] if part == "vetoes" else f"{item['id']} {item['label']}"
                lines.append(f"  {name}: {t(key[item['status']], lang)}{_figures(item, part, lang)}")
        lines.append("")
    problems = [p for p in doc.get("problems", []) if p["severity"] != "info"]
    if problems:
        lines.append(f"{t('ui.problems', lang)}:")
        lines += [f"  {p['message']}" for p in problems]
    return "\n".join(lines)
