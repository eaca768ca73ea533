"""helpers.params: the shared parameter checks."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.params import check_day


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
    from helpers.params import check_timezone

    assert check_timezone("timezone", " Asia/Shanghai ") == "Asia/Shanghai"
    with pytest.raises(ParameterError, match="timezone='Mars/Base' is not an IANA"):
        check_timezone("timezone", "Mars/Base")
