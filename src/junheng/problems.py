"""Data problems: what is wrong, where (file, sheet, row, column) and how bad, in zh or en."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from junheng.i18n import pick, t

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass
class Problem:
    """A problem found in the inputs: severity, message code, where it is and its parameters."""

    severity: str
    code: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    params: dict = field(default_factory=dict)
    county_code: str | None = None
    year: int | None = None

    def message(self, lang: str = "zh") -> str:
        """The problem in words in ``lang``, prefixed by its level and where it is (a log line)."""
        severity = t(f"severity.{self.severity}", lang)
        return f"[{severity}] {self._where(lang, 'location')}{self._what(lang, message_key(self.code))}"

    def finding(self, lang: str = "zh", with_file: bool = True) -> str:
        """The problem as a report states it: where and what, as found; no level tag.

        The level goes in a column of its own; ``with_file=False`` (a final report) leaves out the file
        name, keeping the sheet, row and column; a finding's own wording (``finding.<code>``, what was
        found and what follows from it, in the present) replaces a message's advice where there is one.
        """
        return self._where(lang, "location" if with_file else "place") + self.finding_text(lang)

    def finding_text(self, lang: str = "zh") -> str:
        """What was found, without where (a table with file, sheet, row and column columns)."""
        key = message_key(self.code)
        try:
            return self._what(lang, "finding." + key.removeprefix("problem."))
        except KeyError:
            return self._what(lang, key)

    def _where(self, lang: str, namespace: str) -> str:
        where = {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column}
        if not self.sheet and self.file and (self.row is not None or self.column):
            # a text file (a targets YAML file): line and key path, no sheet
            kind = ("text_line" if self.column else "text_row") if self.row is not None else "text_key"
        elif self.row is not None and self.column:
            kind = "full"
        elif self.row is not None:
            kind = "no_column"
        elif self.column:
            kind = "no_row"
        elif self.sheet:
            kind = "sheet"
        elif self.file:
            kind = "file"
        else:
            return ""
        return t(f"{namespace}.{kind}", lang, **where)

    def _what(self, lang: str, key: str) -> str:
        where = {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column}
        params = {k: pick(v, lang) if isinstance(v, dict) else v for k, v in self.params.items()}
        return t(key, lang, **{**where, **params})

    def to_dict(self, lang: str = "zh") -> dict:
        """The problem's fields and its message in ``lang``, as a dict."""
        d = asdict(self)
        d["message"] = self.message(lang)
        return d


def message_key(code: str) -> str:
    """The locale key of a problem code.

    A plain code names ``problem.<code>`` (locale/messages.yaml); a code with a namespace, e.g.
    ``targets.unknown_indicator``, names ``targets.problem.unknown_indicator`` in that stage's own
    locale file.
    """
    namespace, _, name = code.rpartition(".")
    return f"{namespace}.problem.{name}" if namespace else f"problem.{name}"


def has_errors(problems) -> bool:
    """Whether any of ``problems`` is an error."""
    return any(p.severity == ERROR for p in problems)


SHOWN_PER_KIND = 20  # problems of one kind (code, file, sheet, column) listed one by one


def bounded(problems, per_kind: int = SHOWN_PER_KIND) -> list:
    """The problems to list: at most ``per_kind`` of each kind, each kind's rest as one problem.

    20,000 junk rows must not print 160,000 lines (issue #22): the rest of a kind is counted in a
    ``more_of_kind`` problem placed after the kind's last listed one.
    """
    seen: dict = {}
    for p in problems:
        kind = (p.severity, p.code, p.file, p.sheet, p.column)
        seen[kind] = seen.get(kind, 0) + 1
    listed: dict = {}
    out = []
    for p in problems:
        kind = (p.severity, p.code, p.file, p.sheet, p.column)
        listed[kind] = listed.get(kind, 0) + 1
        if listed[kind] <= per_kind:
            out.append(p)
        if listed[kind] == per_kind and seen[kind] > per_kind:
            out.append(
                Problem(
                    p.severity,
                    "more_of_kind",
                    p.file,
                    p.sheet,
                    None,
                    p.column,
                    {"count": seen[kind] - per_kind},
                    p.county_code,
                    p.year,
                )
            )
    return out
