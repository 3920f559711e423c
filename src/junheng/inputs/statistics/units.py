"""Units as the exports write them; money becomes yuan and areas square metres.

A unit is written in the column's header ('教学仪器设备资产值(万元)'), the row label, a 计量单位
column, or the table's title cell ('基础基512 … 单位：平方米'). A count's unit is not checked.
"""

from __future__ import annotations

import math

from junheng.inputs.statistics.cells import tidy
from junheng.inputs.statistics.codes import codes
from junheng.inputs.statistics.labels import fold
from junheng.problems import ERROR, WARNING

TARGET = {"money": "元", "area": "平方米"}


def factor(kind: str, unit: str | None, assumed: str | None) -> tuple[float | None, str | None, str]:
    """(multiplier to the contract's unit, the unit used, how it was decided).

    How: 'stated', 'assumed', 'unknown', 'none' or 'not_checked'.
    """
    if kind not in TARGET:
        return 1.0, unit, "not_checked"
    table = codes()["units"][kind]
    if unit:
        folded = fold(unit)
        if folded in table:
            return float(table[folded]), folded, "stated"
        return None, unit, "unknown"
    if assumed:
        return float(table[assumed]), assumed, "assumed"
    return 1.0, TARGET[kind], "none"


def report(ext, fld, unit, used, how, file, sheet, where) -> None:
    """Say so when a unit was assumed or not recognised (once per file and field)."""
    if how == "none" and fld.kind == "money":
        how = "assumed"  # money without any stated unit is read as yuan: say so
    if how not in ("assumed", "unknown") or (file, fld.name) in ext.noted:
        return
    ext.noted.add((file, fld.name))
    if how == "assumed":
        ext.problem(WARNING, "unit_assumed", file, sheet, field=fld.name, where=where, unit=used)
    else:
        expected = "、".join(codes()["units"][fld.kind])
        ext.problem(
            ERROR, "unit_unknown", file, sheet, field=fld.name, where=where, unit=unit, expected=expected
        )


def convert(number: float, fld, unit, ext, file, sheet, where) -> float:
    """One cell's number in the contract's unit (NaN when the unit is not recognised)."""
    multiplier, used, how = factor(fld.kind, unit, fld.assumed_unit)
    report(ext, fld, unit, used, how, file, sheet, where)
    if multiplier is None:
        return math.nan
    return tidy(number * multiplier) if multiplier != 1 else number
