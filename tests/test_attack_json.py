"""Issue #22: `junheng evaluate --json` is a strict JSON document, whole, for every sample county-year.

Under the 2012 rules a target's note_code was NaN: 127 lines of JSON were printed, then a
traceback. The document is now built completely (NaN -> null) before anything is written.
"""

import json
import math
from pathlib import Path

import pytest

from junheng.cli import main
from junheng.jsonout import dumps_strict, finite

SAMPLE = Path(__file__).parent.parent / "data" / "sample"
COUNTIES = sorted({p.stem.split("_")[0] for p in SAMPLE.glob("*_*.xlsx")})
YEARS = sorted({int(p.stem.split("_")[1]) for p in SAMPLE.glob("*_*.xlsx")})


def refuse(constant):
    raise ValueError(f"non-standard JSON constant {constant}")


@pytest.mark.parametrize("rules", ["youzhi-2017", "jiben-2012"])
def test_every_sample_county_year_gives_strict_json(capsys, rules):
    code = main(["evaluate", str(SAMPLE), "--rules", rules, "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    docs = json.loads(captured.out, parse_constant=refuse)
    assert sorted((d["county_code"], d["year"]) for d in docs) == [(c, y) for c in COUNTIES for y in YEARS]
    assert code == (1 if any(d["status"] == "invalid" for d in docs) else 0)


def test_the_2012_note_code_case_is_null_not_a_traceback(capsys):
    """The reproduction of the attack: 990126 2024 under the 2012 rules."""
    assert main(
        [
            "evaluate",
            str(SAMPLE / "990126_2024.xlsx"),
            "--county",
            "990126",
            "--year",
            "2024",
            "--rules",
            "jiben-2012",
            "--json",
        ]
    ) in (0, 1)
    doc = json.loads(capsys.readouterr().out, parse_constant=refuse)
    assert doc["county_code"] == "990126" and doc["year"] == 2024


def test_finite_replaces_every_nan_and_infinity():
    import numpy as np
    import pandas as pd

    value = {"a": [1.0, math.nan, {"b": math.inf}], "c": np.float64("nan"), "d": pd.NA, "e": np.int64(3)}
    assert finite(value) == {"a": [1.0, None, {"b": None}], "c": None, "d": None, "e": 3}
    assert json.loads(dumps_strict(value)) == {"a": [1.0, None, {"b": None}], "c": None, "d": None, "e": 3}
