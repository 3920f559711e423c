"""The county's profile: the formal elements of its report (发文机关, 文号, 落款, contact), from YAML.

Looked up beside the data (a folder, or the folder of a workbook), first match wins::

    county/990126_2024.yaml   # this county and year
    county/990126.yaml        # this county, every year
    county.yaml               # a folder of one county (its ``county_code``, if given, must match)

Keys (all optional; a report without ``issuer`` stays a draft)::

    issuer: 云岭县人民政府教育督导室       # 发文机关, printed on the cover and in the 落款
    document_number: 云教督〔2025〕3号    # 文号, above the title
    province: 示例省                      # the title reads 示例省某市云岭县…
    prefecture: 某市
    contact_person: 李明
    contact_phone: 0871-1234567
    report_date: 2025-03-31               # the report's date (落款), plan deadlines count from it

Every problem is a located `Problem` (file, line, key) raised as `CountyProfileError`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from junheng.problems import ERROR, Problem
from junheng.yamlio import compose_yaml

NAMESPACE = "county_profile"
FOLDER = "county"
TEXT_KEYS = ("issuer", "document_number", "province", "prefecture", "contact_person", "contact_phone")
KEYS = ("county_code", *TEXT_KEYS, "report_date")
_PHONE = re.compile(r"^[0-9０-９+()（）\- ]{7,20}$")
_DOCUMENT_NUMBER = re.compile(r"^\S+〔\d{4}〕\d+号$")


class CountyProfileError(ValueError):
    """A county profile that cannot be used; ``problems`` lists every error, located."""

    def __init__(self, problems: list[Problem], lang: str = "zh"):
        self.problems = problems
        super().__init__("\n".join(p.message(lang) for p in problems))

    def message(self, lang: str = "zh") -> str:
        """Every problem, one a line, in ``lang``."""
        return "\n".join(p.message(lang) for p in self.problems)


@dataclass(frozen=True)
class CountyProfile:
    """The formal elements of a county's report (empty text where the county gave none)."""

    issuer: str = ""
    document_number: str = ""
    province: str = ""
    prefecture: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    report_date: datetime.date | None = None
    file: str = ""

    @property
    def place(self) -> str:
        """Province and prefecture as the title reads them (示例省某市), or ``""``."""
        return f"{self.province}{self.prefecture}"


def _problem(file, code: str, line=None, where: str = "", **params) -> Problem:
    return Problem(ERROR, f"{NAMESPACE}.{code}", file=str(file), row=line, column=where, params=params)


def find(data, county_code: str, year: int) -> Path | None:
    """The profile file of ``county_code`` and ``year`` beside ``data``, or None."""
    folder = Path(data)
    folder = folder if folder.is_dir() else folder.parent
    for path in (folder / FOLDER / f"{county_code}_{year}.yaml", folder / FOLDER / f"{county_code}.yaml"):
        if path.is_file():
            return path
    shared = folder / "county.yaml"
    return shared if shared.is_file() else None


def _lines(text: str) -> dict:
    try:
        node = compose_yaml(text)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def parse(text: str, file, county_code: str | None = None) -> CountyProfile | None:
    """The profile in ``text``; None when it names another county. Raises `CountyProfileError`."""
    try:
        # every scalar as text: a date like 2025-13-40 or a code like 012345 is checked here, not by YAML
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - no object construction
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = getattr(exc, "problem", None) or str(exc)
        raise CountyProfileError(
            [_problem(file, "yaml_syntax", mark.line + 1 if mark else None, detail=detail)]
        ) from None
    if data is None:
        return CountyProfile(file=str(file))
    if not isinstance(data, dict):
        raise CountyProfileError([_problem(file, "not_a_mapping", 1)])
    lines = _lines(text)
    problems, values = [], {}
    for key, value in data.items():
        key = str(key)
        line = lines.get(key)
        if key not in KEYS:
            problems.append(_problem(file, "unknown_key", line, key, key=key, known="、".join(KEYS)))
        elif value is None or value == "":
            continue
        elif key == "report_date":
            try:
                values[key] = datetime.date.fromisoformat(str(value).strip())
            except ValueError:
                problems.append(_problem(file, "bad_date", line, key, value=value))
        elif key == "county_code":
            found = str(value).strip()
            if county_code and found.zfill(6) != county_code:
                if Path(file).name == "county.yaml":
                    return None  # the folder's profile is another county's
                problems.append(_problem(file, "other_county", line, key, found=found, county=county_code))
        elif not isinstance(value, str):
            problems.append(_problem(file, "not_text", line, key, key=key))
        else:
            text_value = str(value).strip()
            if key == "contact_phone" and not _PHONE.match(text_value):
                problems.append(_problem(file, "bad_phone", line, key, value=text_value))
            elif key == "document_number" and not _DOCUMENT_NUMBER.match(text_value):
                problems.append(_problem(file, "bad_document_number", line, key, value=text_value))
            values[key] = text_value
    if problems:
        raise CountyProfileError(problems)
    return CountyProfile(**values, file=str(file))


def load(data, county_code: str, year: int) -> CountyProfile:
    """The county's profile for ``year`` beside ``data``; an empty profile when there is none."""
    path = find(data, county_code, year)
    if path is None:
        return CountyProfile()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CountyProfileError([_problem(path, "unreadable", detail=str(exc)[:200])]) from None
    return parse(text, path, county_code) or CountyProfile()
