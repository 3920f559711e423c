"""Who each record is: school type, ownership, location, county, 是否计校数.

From the codes and names the export holds (codes.yaml).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from junheng.inputs.statistics import codes as code_lists
from junheng.inputs.statistics.codes import codes
from junheng.inputs.statistics.labels import fold


@lru_cache(maxsize=4096)
def county_from_authority(name: str | None) -> str | None:
    """'示例省清源市教育局' -> '清源市': the bureau's name without its suffix, last division kept."""
    if not name:
        return None
    c = codes()
    text = re.sub(f"(?:{c['authority_suffixes']})$", "", fold(name))
    match = re.search(f"({c['county_name_pattern']})$", text)
    return match.group(1) if match else None


def county_code(division, authority) -> str | None:
    """The first 6 digits of the 12-digit 统计用区划代码 (or of the authority's code)."""
    for code in (division, authority):
        if isinstance(code, str) and code.isdigit() and len(code) >= 6:
            return code[:6]
    return None


def identify(frame: pd.DataFrame) -> pd.DataFrame:
    """Contract identity columns for every record.

    Plus ``_type_known`` (the 办学类型 was recognised; school_type None then means 'not
    compulsory education'), ``_counted``, ``_old_location`` (a 2008 城乡 code) and
    ``_location_known``.
    """

    def col(name) -> list:
        """A column's values with every kind of empty cell as None."""
        if name not in frame.columns:
            return [None] * len(frame)
        return [None if v is None or (isinstance(v, float) and v != v) else v for v in frame[name]]

    out = pd.DataFrame(index=frame.index)
    types = [
        code_lists.school_type(c, n)
        for c, n in zip(col("school_type_code"), col("school_type_name"), strict=True)
    ]
    out["school_type"] = [t for t, _ in types]
    out["_type_known"] = [known for _, known in types]
    counted = [code_lists.counted(v) for v in col("counted")]
    by_type = [code_lists.not_counted_by_type(c) for c in col("school_type_code")]
    out["_counted"] = [not (flag is False or odd) for flag, odd in zip(counted, by_type, strict=True)]
    locations = [
        code_lists.location(c, n) for c, n in zip(col("location_code"), col("location_name"), strict=True)
    ]
    out["location"] = [loc for loc, _ in locations]
    out["_old_location"] = [old for _, old in locations]
    out["_location_known"] = out["location"].notna()
    out["ownership"] = [
        code_lists.ownership(c, n) for c, n in zip(col("sponsor_code"), col("sponsor_name"), strict=True)
    ]
    out["county_code"] = [
        county_code(d, a) for d, a in zip(col("division_code"), col("authority_code"), strict=True)
    ]
    names = [
        n or county_from_authority(a) for n, a in zip(col("county_name"), col("authority_name"), strict=True)
    ]
    out["county_name"] = names
    out["school_code"] = col("school_code")
    out["school_name"] = col("school_name")
    out["year"] = frame["_year"]
    return out
