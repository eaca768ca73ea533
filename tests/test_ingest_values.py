"""Value parsers for export quirks: numbers, shares, durations, dates, and the vectorised parse_values."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.ingest.values import (
    MISSING_TOKENS,
    parse_count,
    parse_datetime,
    parse_duration,
    parse_hours,
    parse_number,
    parse_percent,
    parse_rate,
    parse_values,
)

REF = dt.date(2026, 1, 10)
TZ = "Asia/Shanghai"


def ts(text: str) -> pd.Timestamp:
    """A naive expected timestamp."""
    return pd.Timestamp(text)


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12400", 12400), ("12,400", 12400), ("12 400", 12400), ("12\u00a0400", 12400), ("1,234.5", 1234.5),
        ("1,234,567", 1234567), ("+5", 5), ("  42  ", 42), ("0", 0), ("0.5", 0.5), (".5", 0.5),
        ("1.2万", 12000), ("3.4w", 34000), ("3.4W", 34000), ("1.1亿", 110_000_000), ("2千", 2000),
        ("1.2 万", 12000), ("1.2K", 1200), ("1.5k", 1500), ("3M", 3_000_000), ("2B", 2e9),
        ("１２，４００", 12400), ("１.２万", 12000), ("1.2E+07", 12_000_000), ("12400.0", 12400),
        ("-12", -12), ("-1,234.5", -1234.5), ("\u22123", -3),
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == expected


def test_magnitudes_are_exact() -> None:
    # decimal arithmetic: 1.1 * 1e8 in floats would be 110000000.00000001
    assert parse_number("1.1亿") == 110_000_000.0
    assert parse_number("1.1万") == 11000.0
    assert parse_number("0.7w") == 7000.0


@pytest.mark.parametrize("token", [*sorted(MISSING_TOKENS), "  ", " N/A ", "NULL", "None", "NaN", "Undefined"])
def test_missing_tokens_are_none_not_zero(token: str) -> None:
    assert parse_number(token) is None
    assert parse_rate(token) is None
    assert parse_percent(token) is None
    assert parse_duration(token) is None
    assert parse_hours(token) is None
    assert parse_datetime(token, reference=REF, timezone=TZ) is None


def test_minus_alone_is_missing_but_negative_number_is_a_number() -> None:
    assert parse_number("-") is None
    assert parse_number("-12") == -12.0


@pytest.mark.parametrize("text", ["abc", "12,4,00x", "12,4", "1,5", "1 2", "5%", "12.4.5", "1.2万万", "++3", "$12",
                                  "1e999"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_parse_number_round_trips_grouped_integers(value: int) -> None:
    assert parse_number(f"{value:,}") == value
    assert parse_number(str(value)) == value


# --- shares ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("12,400", 12400), ("7", 7), ("1.2万", 12000), ("3.4w", 34000), ("1.5K", 1500), ("1.2345万", 12345),
    ("-3", -3), ("12 400", 12400), ("-", None), ("", None),
])
def test_parse_count_whole_numbers_or_magnitudes(text: str, expected: float | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["12.345", "1.200", "0.5", "9.876", "12.000", "1.000", "1.234.567"])
def test_parse_count_refuses_fractions_without_a_magnitude(text: str) -> None:
    # 12.345 likes cannot be: a European export's "12.345" is twelve thousand, so it is not guessed either way
    with pytest.raises(ValueError, match="not a (whole )?number"):
        parse_count(text)


def test_parse_rate() -> None:
    assert parse_rate("5.2%") == 0.052
    assert parse_rate("0.052") == 0.052
    assert parse_rate("12.40 %") == 0.124
    assert parse_rate("100%") == 1.0
    assert parse_rate("５.２％") == 0.052
    assert parse_rate("-1.5%") == -0.015
    with pytest.raises(ValueError):
        parse_rate("abc%")
    with pytest.raises(ValueError):
        parse_rate("%")


def test_parse_percent() -> None:
    assert parse_percent("5.2") == 0.052
    assert parse_percent("5.2%") == 0.052
    assert parse_percent("12.40 %") == 0.124
    assert parse_percent("0") == 0.0
    with pytest.raises(ValueError):
        parse_percent("five")


# --- durations and hours -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:01:23", 83), ("1:23", 83), ("1:02:03", 3723), ("0:00:05.5", 5.5), ("83", 83), ("83.5", 83.5),
        ("83s", 83), ("83 sec", 83), ("1分23秒", 83), ("2小时3分", 7380), ("45秒", 45), ("1h 2m 3s", 3723),
        ("2 min", 120), ("1,234", 1234), ("１:２３", 83),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["abc", "-5", "1:2:3:4", "1分abc"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_parse_hours() -> None:
    assert parse_hours("12.5") == 12.5
    assert parse_hours("1,234.5") == 1234.5
    assert parse_hours("--") is None
    with pytest.raises(ValueError):
        parse_hours("1:30")


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-01", "2025-11-01"),
        ("2025-11-01 20:15", "2025-11-01 20:15"),
        ("2025-11-01 20:15:33", "2025-11-01 20:15:33"),
        ("2025-11-01T20:15:33", "2025-11-01 20:15:33"),
        ("2025/11/01 20:15", "2025-11-01 20:15"),
        ("2025/1/5", "2025-01-05"),
        ("2025.11.01", "2025-11-01"),
        ("20251101", "2025-11-01"),
        ("2025年11月01日 20:15", "2025-11-01 20:15"),
        ("2025年11月1日", "2025-11-01"),
        ("2025年11月1日 20:15:33", "2025-11-01 20:15:33"),
        ("2025年11月1日 下午3:20", "2025-11-01 15:20"),
        ("2025年11月1日 星期六", "2025-11-01"),
        ("２０２５年１１月１日", "2025-11-01"),
        ("Sat, Nov 01, 2025", "2025-11-01"),
        ("Sat, Nov 01, 2025 8:15 PM", "2025-11-01 20:15"),
        ("Sat, Nov 01, 2025 12:05 AM", "2025-11-01 00:05"),
        ("Nov 1, 2025", "2025-11-01"),
        ("November 1, 2025", "2025-11-01"),
        ("1 November 2025", "2025-11-01"),
        ("11/01/2025 08:15", "2025-11-01 08:15"),
        ("11/01/2025", "2025-11-01"),
        ("01.11.2025", "2025-11-01"),
        ("1. Okt. 2025", "2025-10-01"),
        ("3 mars 2025 14:00", "2025-03-03 14:00"),
    ],
)
def test_parse_datetime_formats(text: str, expected: str) -> None:
    assert parse_datetime(text, reference=REF, timezone=TZ) == ts(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nov 1", "2025-11-01"), ("November 1", "2025-11-01"), ("11-01", "2025-11-01"), ("11/01", "2025-11-01"),
        ("11月1日", "2025-11-01"), ("11月3日", "2025-11-03"), ("1 nov.", "2025-11-01"), ("1. Nov.", "2025-11-01"),
        ("1 déc.", "2025-12-01"), ("12 ene.", "2025-01-12"), ("1.11.", "2025-11-01"),
        # around the year boundary with reference 2026-01-10
        ("Dec 30", "2025-12-30"), ("12月30日", "2025-12-30"), ("12-30", "2025-12-30"),
        ("Jan 5", "2026-01-05"), ("1月5日", "2026-01-05"), ("01-05", "2026-01-05"),
        ("Jan 10", "2026-01-10"), ("Jan 11", "2025-01-11"), ("Jan 11 8:00 PM", "2025-01-11 20:00"),
        ("Feb 29", "2024-02-29"),
    ],
)
def test_yearless_dates_take_the_latest_year_on_or_before_the_reference(text: str, expected: str) -> None:
    assert parse_datetime(text, reference=REF, timezone=TZ) == ts(expected)


def test_yearless_rule_follows_the_reference() -> None:
    assert parse_datetime("Dec 30", reference=dt.date(2025, 12, 31), timezone=TZ) == ts("2025-12-30")
    assert parse_datetime("Dec 30", reference=dt.date(2025, 12, 29), timezone=TZ) == ts("2024-12-30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-01T12:15:00Z", "2025-11-01 20:15"),
        ("2025-11-01T12:15:00.000Z", "2025-11-01 20:15"),
        ("2025-11-01T20:15:00+08:00", "2025-11-01 20:15"),
        ("2025-11-01T07:15:00-05:00", "2025-11-01 20:15"),
        ("2025-11-01 20:15:00 GMT+8", "2025-11-01 20:15"),
        ("2025-11-01 12:15 +0000", "2025-11-01 20:15"),
        ("2025-11-01 12:15 UTC", "2025-11-01 20:15"),
        ("2025-11-01 20:15", "2025-11-01 20:15"),     # naive: already local
    ],
)
def test_tz_aware_text_is_converted_and_made_naive(text: str, expected: str) -> None:
    value = parse_datetime(text, reference=REF, timezone=TZ)
    assert value == ts(expected)
    assert value.tzinfo is None


def test_tz_conversion_uses_the_given_timezone() -> None:
    value = parse_datetime("2025-11-01T12:15:00Z", reference=REF, timezone="America/New_York")
    assert value == ts("2025-11-01 08:15")
    # after the DST change: UTC-5
    assert parse_datetime("2025-11-03T12:15:00Z", reference=REF, timezone="America/New_York") == ts("2025-11-03 07:15")


@pytest.mark.parametrize("text", ["abc", "12", "12.5", "2025-13-01", "2025-02-30", "Nov", "2025-11-01 20", "Foo 1"])
def test_parse_datetime_rejects_non_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_datetime(text, reference=REF, timezone=TZ)


# --- parse_values ------------------------------------------------------------------------------

def test_parse_values_numbers_with_missing_and_bad() -> None:
    texts = pd.Series(["12,400", "-", "", None, "abc", "1.2万", "-12", "12,400"], index=list("abcdefgh"))
    values, bad = parse_values(texts, "count", reference=REF, timezone=TZ)
    assert values.dtype == "float64"
    assert list(values.index) == list("abcdefgh")
    assert values["a"] == 12400 and values["f"] == 12000 and values["g"] == -12 and values["h"] == 12400
    assert values[["b", "c", "d", "e"]].isna().all()          # missing stays missing, never 0
    assert bad.tolist() == [False, False, False, False, True, False, False, False]


def test_parse_values_rates_percent_duration_hours() -> None:
    rates, bad = parse_values(pd.Series(["5.2%", "0.052", "--"]), "rate", reference=REF, timezone=TZ)
    assert rates.iloc[0] == 0.052 and rates.iloc[1] == 0.052 and math.isnan(rates.iloc[2])
    assert not bad.any()
    percents, _ = parse_values(pd.Series(["5.2", "5.2%"]), "percent", reference=REF, timezone=TZ)
    assert percents.tolist() == [0.052, 0.052]
    durations, _ = parse_values(pd.Series(["00:01:23", "1分23秒", "83"]), "duration", reference=REF, timezone=TZ)
    assert durations.tolist() == [83.0, 83.0, 83.0]
    hours, _ = parse_values(pd.Series(["12.5", "n/a"]), "hours", reference=REF, timezone=TZ)
    assert hours.iloc[0] == 12.5 and math.isnan(hours.iloc[1])


def test_parse_values_datetime_and_date() -> None:
    texts = pd.Series(["2025-11-01T12:15:00Z", "2025-11-01 23:30", "null", "Dec 30", "not a date"])
    values, bad = parse_values(texts, "datetime", reference=REF, timezone=TZ)
    assert values.dtype == "datetime64[ns]"
    assert values.iloc[0] == ts("2025-11-01 20:15")
    assert values.iloc[1] == ts("2025-11-01 23:30")
    assert pd.isna(values.iloc[2]) and pd.isna(values.iloc[4])
    assert values.iloc[3] == ts("2025-12-30")
    assert bad.tolist() == [False, False, False, False, True]
    dates, _ = parse_values(texts.iloc[:4], "date", reference=REF, timezone=TZ)
    assert dates.dtype == "datetime64[ns]"
    assert dates.iloc[1] == ts("2025-11-01")                   # normalised to midnight
    # a UTC time late in the day is the next local day
    late, _ = parse_values(pd.Series(["2025-11-01T20:00:00Z"]), "date", reference=REF, timezone=TZ)
    assert late.iloc[0] == ts("2025-11-02")


def test_parse_values_day_first_column() -> None:
    texts = pd.Series(["25/11/2025", "01/12/2025", "02/12/2025 08:00"])
    values, bad = parse_values(texts, "datetime", reference=REF, timezone=TZ)
    assert not bad.any()
    assert values.tolist() == [ts("2025-11-25"), ts("2025-12-01"), ts("2025-12-02 08:00")]
    us, _ = parse_values(pd.Series(["11/25/2025", "12/01/2025"]), "date", reference=REF, timezone=TZ)
    assert us.tolist() == [ts("2025-11-25"), ts("2025-12-01")]


def test_parse_values_text() -> None:
    texts = pd.Series(["  hello ", "-", "undefined", None, "N/A", "world"])
    values, bad = parse_values(texts, "text", reference=REF, timezone=TZ)
    assert values.dtype == "string"
    assert values.iloc[0] == "hello" and values.iloc[5] == "world"
    assert values.iloc[1:5].isna().all()
    assert not bad.any()


def test_parse_values_empty_and_string_dtype_input() -> None:
    values, bad = parse_values(pd.Series([], dtype=object), "count", reference=REF, timezone=TZ)
    assert len(values) == 0 and len(bad) == 0 and values.dtype == "float64"
    stamps, _ = parse_values(pd.Series([], dtype=object), "datetime", reference=REF, timezone=TZ)
    assert stamps.dtype == "datetime64[ns]"
    values, bad = parse_values(pd.Series(["1", None, "2"], dtype="string"), "number", reference=REF, timezone=TZ)
    assert values.iloc[0] == 1 and math.isnan(values.iloc[1]) and not bad.any()


def test_parse_values_unknown_kind() -> None:
    with pytest.raises(ValueError):
        parse_values(pd.Series(["1"]), "money", reference=REF, timezone=TZ)  # type: ignore[arg-type]


def test_parse_values_is_fast_on_many_rows() -> None:
    import time

    stamps = pd.Series(pd.date_range("2024-01-01", periods=20_000, freq="37min").strftime("%Y-%m-%d %H:%M:%S"))
    numbers = pd.Series([f"{i:,}" for i in range(20_000)])
    start = time.perf_counter()
    values, bad = parse_values(stamps, "datetime", reference=REF, timezone=TZ)
    counts, _ = parse_values(numbers, "count", reference=REF, timezone=TZ)
    assert not bad.any() and counts.iloc[-1] == 19_999
    assert values.iloc[1] == ts("2024-01-01 00:37")
    assert time.perf_counter() - start < 3


# --- the vectorised fast paths of parse_values give what the per-cell parsers give ----------------

TRICKY = [
    "1.2万", "3w", "3W", "1,234", "1,234.5", "12.5%", "5%", "-", "--", "1:02:03", "02:03", "", "  ", "1.8E+16",
    "1.2E+07", "12.345", "12.000", "1.234.567", "12.0", "0", "-0", "-0.0", "+5", "-12", "-1.2万", "1.1亿", "2千",
    "1.5k", "3M", "2B", "1.2K", "12 400", "１２，４００", "１.２万", "1234,567", "1,23", ".5", "5.", "abc", "12%%",
    "83", "83.5", "83s", "1分23秒", "2小时3分", "0.1", "0.3", "123456789012345678", "9" * 40, "1" + "0" * 400,
    "0.000000000000000000000000001", "7.25w", "99.9%", "0.05", "1e5", "1:2:3", "00:00:59.25", "1:60", "NaN",
    "null", "—", "N/A", "12,400万", "3 %", "%", "-5%", "百万", "1.2百万", "4千万", "6億", "1.25萬",
]


def _reference(kind: str, text: str) -> tuple[float, bool]:
    """The old per-cell result of one text: (value or NaN, refused)."""
    parser = {"count": parse_count, "number": parse_number, "rate": parse_rate, "percent": parse_percent,
              "duration": parse_duration, "hours": parse_hours}[kind]
    try:
        value = parser(text)
    except (ValueError, ArithmeticError):
        return math.nan, True
    return (math.nan if value is None else value), False


@pytest.mark.parametrize("kind", ["count", "number", "rate", "percent", "duration", "hours"])
def test_parse_values_fast_path_matches_per_cell_parsers(kind: str) -> None:
    """Every tricky text, and 2,000 generated ones, read exactly (bit for bit) as the per-cell parser reads it."""
    import random

    rng = random.Random(22)
    generated = []
    for _ in range(2000):
        whole = rng.choice([rng.randrange(10), rng.randrange(1000), rng.randrange(10**9), rng.randrange(10**17)])
        text = f"{whole:,}" if rng.random() < 0.5 else str(whole)
        if rng.random() < 0.5:
            text += "." + str(rng.randrange(10**rng.randrange(1, 8))).zfill(rng.randrange(1, 8))
        text = rng.choice(["", "-", "+"]) + text + rng.choice(["", "", "万", "w", "K", "亿", "%", "M"])
        generated.append(text)
        generated.append(f"{rng.randrange(100):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}")
    texts = [*TRICKY, *generated, None, math.nan]
    values, bad = parse_values(pd.Series(texts, dtype=object), kind, reference=REF, timezone=TZ)  # type: ignore[arg-type]
    for i, text in enumerate(texts):
        expected, refused = _reference(kind, "" if text is None or text is math.nan else text)
        got = float(values.iloc[i])
        assert bool(bad.iloc[i]) == refused, (kind, text)
        same_sign = math.copysign(1, got) == math.copysign(1, expected)
        assert (math.isnan(got) and math.isnan(expected)) or (got == expected and same_sign), (kind, text, got)


def test_parse_values_fast_path_pins_figures_by_hand() -> None:
    """Hand-written figures of the forms the fast path reads: 万/w, separators, shares, clock times."""
    counts, bad = parse_values(pd.Series(["1.2万", "3w", "1,234", "-", "1.8E+16", "12.345"]), "count",
                               reference=REF, timezone=TZ)
    assert counts.iloc[:3].tolist() == [12000.0, 30000.0, 1234.0]
    assert math.isnan(counts.iloc[3]) and bad.tolist() == [False, False, False, False, False, True]
    assert counts.iloc[4] == 18_000_000_000_000_000.0   # a count may have an exponent (ids are checked elsewhere)
    rates, _ = parse_values(pd.Series(["12.5%", "0.3", "--"]), "rate", reference=REF, timezone=TZ)
    assert rates.iloc[0] == 0.125 and rates.iloc[1] == 0.3 and math.isnan(rates.iloc[2])
    seconds, _ = parse_values(pd.Series(["1:02:03", "02:03", "", "83.5"]), "duration", reference=REF, timezone=TZ)
    assert seconds.iloc[0] == 3723.0 and seconds.iloc[1] == 123.0 and math.isnan(seconds.iloc[2])
    assert seconds.iloc[3] == 83.5


def test_parse_values_iso_fast_path_matches_parse_datetime() -> None:
    """ISO texts (read at once) and other forms (per cell) give what parse_datetime gives for each."""
    texts = ["2024-01-01 08:00", "2024-01-01 08:00:59", "2024-01-01", "2024-02-30 08:00", "1899-12-31 10:00",
             "2024-13-01", "2024-01-01 24:00", "2024-1-1 8:00", "2025-11-01T20:15:00Z", "11/13/2025", "-", "",
             "2025年11月01日 20:15", "2200-12-31 23:59", "2201-01-01 00:00"]
    values, bad = parse_values(pd.Series(texts), "datetime", reference=REF, timezone=TZ)
    for i, text in enumerate(texts):
        try:
            expected = parse_datetime(text, reference=REF, timezone=TZ)
        except ValueError:
            assert bad.iloc[i] and pd.isna(values.iloc[i]), text
            continue
        assert not bad.iloc[i], text
        assert (pd.isna(values.iloc[i]) and expected is None) or values.iloc[i] == expected, text
    assert values.iloc[0] == pd.Timestamp("2024-01-01 08:00") and values.iloc[2] == pd.Timestamp("2024-01-01")
    assert bad.iloc[3] and bad.iloc[5]
