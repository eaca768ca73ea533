"""Checks shared by every notebook's parameter cell: choices, numeric ranges, account selection.

Each failure is a ParameterError naming the parameter, what it got and what it accepts, so a
strategist in JupyterLab and a scheduler reading a log get the same message.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

import pandas as pd

from helpers.errors import ParameterError


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> str:
    """A parameter that must be one of a few words."""
    if value not in allowed:
        raise ParameterError(f"Parameter {name}={value!r} is not valid; use one of: {', '.join(allowed)}.")
    return str(value)


def check_number(name: str, value: Any, low: float, high: float) -> float:
    """A numeric parameter within [low, high]."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"Parameter {name}={value!r} must be a number between {low} and {high}.") from None
    if not low <= number <= high:
        raise ParameterError(f"Parameter {name}={value!r} must be between {low} and {high}.")
    return number


def check_day(name: str, value: Any) -> pd.Timestamp:
    """A date parameter as a naive midnight timestamp (a time of day or a timezone is dropped)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"Parameter {name}={value!r} is not a date (expected e.g. '2026-10-01').") from exc
    if ts is pd.NaT:
        raise ParameterError(f"Parameter {name} is missing; give a date such as '2026-10-01'.")
    return (ts.tz_localize(None) if ts.tzinfo is not None else ts).normalize()


def check_timezone(name: str, value: Any) -> str:
    """A timezone parameter that the IANA database knows, e.g. 'Asia/Shanghai'."""
    text = str(value).strip()
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ParameterError(f"Unknown timezone: {name}={value!r} is not an IANA time zone name "
                             "(e.g. Asia/Shanghai, Europe/London, America/New_York).") from None
    return text


def select_accounts(accounts: pd.DataFrame, account: str) -> tuple[str, ...]:
    """Account ids to review: 'own' = every own account, else comma-separated ids that must exist."""
    text = str(account).strip()
    if text in ("", "own"):
        ids = tuple(accounts.loc[accounts["owner"] == "own", "account_id"])
        if not ids:
            raise ParameterError("account='own' but the accounts table has no account with owner 'own'.")
        return ids
    wanted = tuple(a.strip() for a in text.split(",") if a.strip())
    unknown = [a for a in wanted if a not in set(accounts["account_id"])]
    if unknown:
        raise ParameterError(f"Parameter account: unknown account id(s) {unknown}. "
                             f"Known: {', '.join(accounts['account_id'])}; or use 'own'.")
    return wanted
