"""Data problems: what is wrong, where (file, sheet, row, column) and how bad, in zh or en."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from junheng.i18n import pick, t

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass
class Problem:
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
        where = {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column}
        if self.row is not None and self.column:
            prefix = t("location.full", lang, **where)
        elif self.row is not None:
            prefix = t("location.no_column", lang, **where)
        elif self.column:
            prefix = t("location.no_row", lang, **where)
        elif self.sheet:
            prefix = t("location.sheet", lang, **where)
        elif self.file:
            prefix = t("location.file", lang, **where)
        else:
            prefix = ""
        severity = t(f"severity.{self.severity}", lang)
        params = {k: pick(v, lang) if isinstance(v, dict) else v for k, v in self.params.items()}
        return f"[{severity}] {prefix}{t('problem.' + self.code, lang, **{**where, **params})}"

    def to_dict(self, lang: str = "zh") -> dict:
        d = asdict(self)
        d["message"] = self.message(lang)
        return d


def has_errors(problems) -> bool:
    return any(p.severity == ERROR for p in problems)
