"""Checks shared by every notebook's parameter cell: choices, numeric ranges, lists, maps, accounts.

Each failure is a ParameterError naming the parameter, what it got and what it accepts, so a
strategist in JupyterLab and a scheduler reading a log get the same message.

One syntax for every notebook: a list is a YAML/Python list (`platforms = ["douyin", "weibo"]`,
`-p platforms '[douyin, weibo]'`, `platforms: [douyin, weibo]` in a params file) and a map is a
dict (`mix = {"daily": 0.6, ...}`, `-p mix '{daily: 0.6, series: 0.3, flagship: 0.1}'`). The old
text forms (`a,b`, `k=v,k:v`, `a;b`) are refused with the new form spelled out.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pandas as pd

from helpers.errors import ParameterError

V = TypeVar("V")
#: Characters that mark a list or map written in the old home-made text forms.
_OLD_SEPARATORS = (",", ";", "=", ":")


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


def check_whole(name: str, value: Any, low: int, high: int) -> int:
    """A whole-number parameter within [low, high] (7 and 7.0 pass; 7.5, True and 'seven' do not)."""
    if isinstance(value, bool):
        raise ParameterError(f"Parameter {name}={value!r} must be a whole number between {low} and {high}.")
    number = check_number(name, value, low, high)
    if not number.is_integer():
        raise ParameterError(f"Parameter {name}={value!r} must be a whole number between {low} and {high}.")
    return int(number)


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


def select_accounts(accounts: pd.DataFrame, account: Any, name: str = "account") -> tuple[str, ...]:
    """Account ids to analyse: 'own' = every own account, else one id or a list of ids that must exist."""
    chosen = check_list(name, "own" if account in ("", None) else account, keywords=("own",),
                        example='["own_douyin", "own_weibo"]')
    if chosen == "own":
        ids = tuple(accounts.loc[accounts["owner"] == "own", "account_id"])
        if not ids:
            raise ParameterError(f"{name}='own' but the accounts table has no account with owner 'own'.")
        return ids
    wanted = tuple(chosen)
    unknown = [a for a in wanted if a not in set(accounts["account_id"])]
    if unknown:
        raise ParameterError(f"Parameter {name}: unknown account id(s) {unknown}. "
                             f"Known: {', '.join(accounts['account_id'])}; or use 'own'.")
    return wanted


def _old_form(name: str, value: str, example: str) -> ParameterError:
    """The error for a list or map written as text: what it got and the YAML form to write instead."""
    return ParameterError(
        f"Parameter {name}={value!r} is written in the old text form; write a YAML list or map instead: "
        f"{name} = {example} in the notebook, -p {name} '{_flow(example)}' on the command line, or "
        f"{name}: {_flow(example)} in a params file.")


def _flow(example: str) -> str:
    """A Python literal example as YAML flow style (no quotes around plain words)."""
    return example.replace('"', "")


def check_list(name: str, value: Any, *, keywords: tuple[str, ...] = (), allowed: tuple[str, ...] | None = None,
               example: str = '["a", "b"]') -> tuple[str, ...] | str:
    """A list parameter: a YAML list of names, one name, or one of a few keywords (returned as the keyword).

    Duplicates are dropped (first kept); an empty list is refused; names outside `allowed` are named.
    """
    if isinstance(value, str):
        text = value.strip()
        if text in keywords:
            return text
        if any(sep in text for sep in _OLD_SEPARATORS):
            raise _old_form(name, value, example)
        items: list[Any] = [text] if text else []
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ParameterError(f"Parameter {name}={value!r} must be a list such as {example}"
                             + (f" or one of: {', '.join(keywords)}." if keywords else "."))
    names = [str(item).strip() for item in items]
    if not names or any(not n for n in names):
        raise ParameterError(f"Parameter {name}={value!r} is empty or has an empty item; give e.g. {example}"
                             + (f" or one of: {', '.join(keywords)}." if keywords else "."))
    if allowed is not None:
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ParameterError(f"Parameter {name}: unknown value(s) {unknown}; use some of: {', '.join(allowed)}.")
    return tuple(dict.fromkeys(names))


def check_optional_list(name: str, value: Any, *, allowed: tuple[str, ...] | None = None,
                        example: str = '["a", "b"]') -> tuple[str, ...]:
    """A list parameter that may be empty ("" or []): a tuple of names, () when empty."""
    if value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, (list, tuple))
                                                                          and not value):
        return ()
    checked = check_list(name, value, allowed=allowed, example=example)
    assert not isinstance(checked, str)  # no keywords were given
    return checked


def check_mapping(name: str, value: Any, check_value: Callable[[str, Any], V], *,
                  allowed_keys: tuple[str, ...] | None = None, example: str = '{"a": 1, "b": 2}',
                  allow_empty: bool = False) -> dict[str, V]:
    """A map parameter (YAML/Python dict); each value goes through check_value(f"{name}[{key}]", value)."""
    if isinstance(value, str):
        if not value.strip() and allow_empty:
            return {}
        if any(sep in value for sep in _OLD_SEPARATORS):
            raise _old_form(name, value, example)
    if not isinstance(value, Mapping):
        raise ParameterError(f"Parameter {name}={value!r} must be a map such as {example}.")
    if not value and not allow_empty:
        raise ParameterError(f"Parameter {name} is an empty map; give e.g. {example}.")
    keys = [str(k).strip() for k in value]
    if allowed_keys is not None:
        unknown = [k for k in keys if k not in allowed_keys]
        if unknown:
            raise ParameterError(f"Parameter {name}: unknown key(s) {unknown}; use some of: {', '.join(allowed_keys)}.")
    return {key: check_value(f"{name}[{key}]", raw) for key, raw in zip(keys, value.values(), strict=True)}
