"""parse_numbers (pyarrow's cast first, pandas' to_numeric for what it refuses) gives the former code's values.

The former code, `pd.to_numeric(raw, errors="coerce").astype("float64")`, is kept here as the reference;
parse_table's frames and problems (file, column, line numbers, examples, hint) are compared with it too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.data import parse_numbers, parse_table
from helpers.schema import TABLES, ColumnSpec


def former(raw: pd.Series) -> pd.Series:
    """The code parse_numbers replaced (helpers.data._parse_column before issue 22 round 7)."""
    return pd.to_numeric(raw, errors="coerce").astype("float64")


def same(a: pd.Series, b: pd.Series) -> None:
    """Same values bit for bit (NaN where NaN, the sign of zero), index, name and dtype."""
    assert a.dtype == b.dtype == np.dtype("float64")
    assert a.index.equals(b.index) and a.name == b.name
    x, y = a.to_numpy(), b.to_numpy()
    assert np.array_equal(np.isnan(x), np.isnan(y))
    assert np.array_equal(np.nan_to_num(x, nan=0.0), np.nan_to_num(y, nan=0.0))
    assert np.array_equal(np.signbit(x), np.signbit(y))


ODD = ["nan", "NaN", "inf", "-inf", "Infinity", "+1", "1e5", "1E5", ".5", "5.", "0x10", " 1", "1 ", "1,000",
       "1e400", "1e-400", "00012", "+.5e-3", "true", "１２", "99999999999999999999", "1.2万", "28%", "N/A",
       "—", "0.1", "13257.19", "1_000", "e5", "--1", "nAn", "iNf", "-nan", "1d5", "0.30000000000000004",
       "9007199254740993", "中文", "2026-10-01"]


@pytest.mark.parametrize("value", ODD)
def test_each_odd_value_alone_and_next_to_plain_numbers(value: str) -> None:
    for values in ([value], [value, "12", None], ["3.5", value, ""]):
        raw = pd.Series(values, dtype="str", name="impressions")
        same(parse_numbers(raw), former(raw))


@pytest.mark.parametrize("values", [
    ["-0", "1", "2"],            # all integers: pandas reads -0 as 0
    ["-0", "1.5"],               # floats: -0.0
    ["-0.0", None],
    ["0", "-00", "7"],
    [],                          # empty
    [None, None],                # all missing
    ["18446744073709551617", "1"],     # past uint64
    ["-9223372036854775809", "1"],     # past int64
    ["123456789012345678", "9007199254740993"],  # integers past 2**53
])
def test_edge_columns(values: list[str | None]) -> None:
    raw = pd.Series(values, dtype="str", index=pd.RangeIndex(10, 10 + len(values)), name="x")
    same(parse_numbers(raw), former(raw))


def test_random_decimals_round_the_same() -> None:
    """Up to 19 significant digits, with exponents, fixed decimals and signs: pyarrow and pandas agree."""
    rng = np.random.default_rng(22)
    values: list[str] = []
    for digits in range(1, 20):
        mantissas = rng.integers(0, 10 ** min(digits, 18), 500)
        exponents = rng.integers(-9, 9, 500)
        for i, (m, e) in enumerate(zip(mantissas, exponents, strict=True)):
            values.append([f"{m}e{e}", f"{m / 10 ** abs(e):.{abs(e)}f}", f"-{m}.{abs(e)}", f"{m}"][i % 4])
    raw = pd.Series(values, dtype="str")
    same(parse_numbers(raw), former(raw))
    ints = pd.Series([str(v) for v in rng.integers(-10**18, 10**18, 2000)], dtype="str")  # the int64 path
    same(parse_numbers(ints), former(ints))


def test_columns_not_read_as_text_keep_the_former_path() -> None:
    for raw in (pd.Series([1, 2, None], dtype="float64"), pd.Series([1, -0, 3]),
                pd.Series(["1", "x", None], dtype=object), pd.Series([1.5, np.nan], dtype="Float64")):
        same(parse_numbers(raw), former(raw))


def test_parse_table_gives_the_former_frames_and_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table with odd numbers: the same frame and the same problem (file, column, lines, examples, hint)."""
    raw = pd.DataFrame({
        "date": ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05"],
        "account_id": ["a", "a", "a", "a", "a"],
        "followers": ["1000", "1,200", "１３００", "", "1.2万"],
        "impressions": ["5", "6", "N/A", "28%", None],
        "engagements": ["1", "2", "3", "4", "5"],
        "revenue": ["1.5", "-0", "2.25", "3", "4e2"],
    }, dtype="str")
    spec = TABLES["account_daily"]
    new = parse_table(raw, spec, "account_daily.csv")
    monkeypatch.setattr(data, "parse_numbers", former)
    old = parse_table(raw, spec, "account_daily.csv")
    assert new.problems == old.problems
    assert [p.column for p in new.problems if p.severity == "error"] == ["followers", "impressions"]
    followers = next(p for p in new.problems if p.column == "followers")
    assert followers.rows == (3, 4, 6) and followers.problem == "not a number"  # line numbers: header is line 1
    ok = raw.drop(columns=["followers", "impressions"]).assign(
        followers=pd.Series(["1", "2", "3", "4", "5"], dtype="str"))
    old_ok = parse_table(ok, spec, "account_daily.csv")
    monkeypatch.undo()
    new_ok = parse_table(ok, spec, "account_daily.csv")
    assert new_ok.frame is not None and old_ok.frame is not None
    pd.testing.assert_frame_equal(new_ok.frame, old_ok.frame)
    assert list(new_ok.frame["revenue"]) == [1.5, -0.0, 2.25, 3.0, 400.0]


def former_present(original: pd.Series) -> pd.Series:
    """parse_table's 'holds a value' before issue 22 round 7: strip every cell."""
    present = original.notna()
    if pd.api.types.is_string_dtype(original) or original.dtype == object:
        present &= original.astype("str").str.strip() != ""
    return present


@pytest.mark.parametrize("kind", ["count", "date", "bool"])
@pytest.mark.parametrize("dtype", ["str", object])
def test_present_values_as_before(kind: str, dtype: object) -> None:
    """Blank, whitespace (incl. full-width), missing, bad and good cells, with a repeated index."""
    values = ["1", " ", "\u3000", "", None, "x", "2026-10-01", "true", " 7 ", "N/A", "\t", "False", "7.5"]
    original = pd.Series(values, dtype=dtype, index=[0, 1, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 9])
    zones = pd.Series("Asia/Shanghai", index=original.index)
    parsed = data._parse_column(original, ColumnSpec("c", kind), zones)  # type: ignore[arg-type]
    new = data.present_values(original, parsed)
    pd.testing.assert_series_equal(new, former_present(original), check_names=False)
    assert new.tolist() == [True, False, False, False, False, True, True, True, True, True, False, True, True]
    numbers = pd.Series([1.0, np.nan, 3.0])  # not text: missing is the only absence
    assert data.present_values(numbers, numbers).tolist() == [True, False, True]
