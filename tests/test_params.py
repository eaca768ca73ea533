"""helpers.params: the shared parameter checks."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.params import (
    check_day,
    check_list,
    check_mapping,
    check_number,
    check_optional_list,
    check_timezone,
    check_whole,
)


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-10-01", pd.Timestamp("2026-10-01")),
    ("2026-10-01T20:15:00", pd.Timestamp("2026-10-01")),              # time of day dropped
    (pd.Timestamp("2026-10-01T23:30:00+08:00"), pd.Timestamp("2026-10-01")),  # wall-clock date kept
])
def test_check_day_gives_naive_midnight(value: object, expected: pd.Timestamp) -> None:
    assert check_day("start", value) == expected


@pytest.mark.parametrize("value", ["31/13/2026", None, "soon"])
def test_check_day_names_the_parameter(value: object) -> None:
    with pytest.raises(ParameterError, match="start"):
        check_day("start", value)


def test_check_timezone_accepts_iana_names_and_names_the_parameter() -> None:

    assert check_timezone("timezone", " Asia/Shanghai ") == "Asia/Shanghai"
    with pytest.raises(ParameterError, match="timezone='Mars/Base' is not an IANA"):
        check_timezone("timezone", "Mars/Base")


def test_check_list_takes_lists_single_names_and_keywords() -> None:
    assert check_list("platforms", ["douyin", "weibo", "douyin"]) == ("douyin", "weibo")
    assert check_list("platforms", "douyin") == ("douyin",)
    assert check_list("platforms", "own", keywords=("own",)) == "own"
    assert check_optional_list("segments", "") == ()
    assert check_optional_list("segments", []) == ()


@pytest.mark.parametrize("old", ["douyin,weibo", "a;b", "douyin:5"])
def test_check_list_refuses_the_old_text_form_and_shows_the_new_one(old: str) -> None:
    with pytest.raises(ParameterError) as caught:
        check_list("platforms", old, example='["douyin", "weibo"]')
    message = str(caught.value)
    assert "old text form" in message
    assert 'platforms = ["douyin", "weibo"]' in message  # notebook form
    assert "-p platforms '[douyin, weibo]'" in message  # command line form
    assert "platforms: [douyin, weibo]" in message  # params file form


def test_check_list_names_unknown_values_and_empty_lists() -> None:
    with pytest.raises(ParameterError, match=r"unknown value\(s\) \['tiktok'\]"):
        check_list("platforms", ["douyin", "tiktok"], allowed=("douyin", "weibo"))
    with pytest.raises(ParameterError, match="empty"):
        check_list("platforms", [])
    with pytest.raises(ParameterError, match="must be a list"):
        check_list("platforms", 5)


def test_check_mapping_checks_each_value_by_key() -> None:
    def whole(name: str, value: object) -> int:
        return int(check_number(name, value, 1, 21))

    assert check_mapping("posts_per_week", {"douyin": 5, "weibo": 3}, whole) == {"douyin": 5, "weibo": 3}
    with pytest.raises(ParameterError, match=r"posts_per_week\[weibo\]=40 must be between 1 and 21"):
        check_mapping("posts_per_week", {"douyin": 5, "weibo": 40}, whole)
    with pytest.raises(ParameterError, match=r"unknown key\(s\) \['reels'\]"):
        check_mapping("mix", {"reels": 1.0}, whole, allowed_keys=("daily", "series"))
    with pytest.raises(ParameterError, match="old text form"):
        check_mapping("mix", "daily=0.6,series=0.4", whole)
    with pytest.raises(ParameterError, match="must be a map"):
        check_mapping("mix", [1, 2], whole)
    assert check_mapping("capacity", "", whole, allow_empty=True) == {}


@pytest.mark.parametrize("value", [7, 7.0, "7"])
def test_check_whole_takes_whole_numbers(value: object) -> None:
    assert check_whole("lookback_days", value, 7, 3650) == 7


@pytest.mark.parametrize("value", [7.5, True, "seven", 6])
def test_check_whole_refuses_fractions_booleans_text_and_out_of_range(value: object) -> None:
    with pytest.raises(ParameterError, match=r"Parameter lookback_days="):
        check_whole("lookback_days", value, 7, 3650)
