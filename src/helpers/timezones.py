"""Account time zones, applied once where data is loaded: every timestamp an analysis sees is naive local time.

DESIGN: naive timestamps are already in the account's local time; a timestamp carrying a UTC
offset (an ISO string with `+08:00`/`Z`, a tz-aware Parquet column) is converted to the zone of
its row's account (`accounts.timezone`, default Asia/Shanghai) and made naive. Tables without an
account (touchpoints, conversions, experiment units) use the default zone. `helpers.data` applies
this to CSV and pandas-read Parquet tables; the DuckDB reader of large interaction files applies the
same rule in SQL (`duckdb_local_time`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from helpers.errors import DataError, require_columns

#: The zone of an account whose `timezone` is empty, and of tables that carry no account.
DEFAULT_TIMEZONE = "Asia/Shanghai"


def is_known_zone(name: object) -> bool:
    """True when the IANA time zone database knows the name (e.g. 'Asia/Shanghai')."""
    try:
        zoneinfo.ZoneInfo(str(name).strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return bool(str(name).strip())


def unknown_zones(accounts: pd.DataFrame) -> pd.DataFrame:
    """Accounts whose non-empty timezone the IANA database does not know (account_id, timezone)."""
    if "timezone" not in accounts.columns:
        return accounts.iloc[0:0][["account_id"]].assign(timezone=pd.Series(dtype="object"))
    text = accounts["timezone"].astype("string").str.strip()
    bad = text.notna() & (text != "") & ~text.fillna("").map(is_known_zone).astype(bool)
    return accounts.loc[bad, ["account_id", "timezone"]]


def account_zones(accounts: pd.DataFrame) -> pd.Series:
    """Time zone per account_id (missing or blank → DEFAULT_TIMEZONE); DataError naming an unknown zone."""
    require_columns(accounts, ("account_id",), "accounts")
    bad = unknown_zones(accounts)
    if len(bad):
        first = bad.iloc[0]
        raise DataError(f"Account {first['account_id']!r} has an unknown timezone {first['timezone']!r}; use an "
                        "IANA name such as 'Asia/Shanghai' in accounts.timezone (or leave it empty for the default).")
    zones = accounts["timezone"] if "timezone" in accounts.columns else pd.Series(pd.NA, index=accounts.index)
    text = zones.astype("string").str.strip().fillna("")
    text = text.where(text != "", DEFAULT_TIMEZONE)
    return pd.Series(text.to_numpy(dtype=object), index=accounts["account_id"].to_numpy(), name="timezone")


def as_timestamps(times: pd.Series, what: str = "timestamps") -> pd.Series:
    """A column as datetimes (ISO 8601 text parsed); DataError naming the column when values are not times."""
    if pd.api.types.is_datetime64_any_dtype(times):
        return times
    try:
        return pd.to_datetime(times, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise DataError(f"{what} has values that are not timestamps: {exc}") from exc


def to_local(times: pd.Series, zone: str | None = DEFAULT_TIMEZONE) -> pd.Series:
    """Timestamps as naive wall-clock time in `zone`: naive ones are local already, tz-aware ones converted.

    With ``zone=None`` a tz-aware timestamp keeps its own zone's wall-clock time.
    """
    times = as_timestamps(times)
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        return (times.dt.tz_convert(zone) if zone is not None else times).dt.tz_localize(None)
    return times


def to_local_by_account(times: pd.Series, account_ids: pd.Series, zones: pd.Series | Mapping[str, str]) -> pd.Series:
    """Timestamps as naive local time of each row's account; naive values are returned unchanged."""
    times = as_timestamps(times)
    if not isinstance(times.dtype, pd.DatetimeTZDtype):
        return times
    return to_local_by_zone(times, row_zones(account_ids, zones))


def row_zones(account_ids: pd.Series, zones: pd.Series | Mapping[str, str] | None) -> pd.Series:
    """The zone of each row's account (DEFAULT_TIMEZONE where the account or its zone is unknown)."""
    if zones is None:
        return pd.Series(DEFAULT_TIMEZONE, index=account_ids.index, dtype=object)
    zone_of = pd.Series(zones) if not isinstance(zones, pd.Series) else zones
    return account_ids.map(zone_of).fillna(DEFAULT_TIMEZONE)


def to_local_by_zone(times: pd.Series, zones: pd.Series) -> pd.Series:
    """Tz-aware timestamps as naive wall-clock time in each row's zone (a Series of IANA names)."""
    local = pd.Series(pd.NaT, index=times.index, dtype="datetime64[ns]")
    for zone, rows in zones.groupby(zones).groups.items():
        local.loc[rows] = times.loc[rows].dt.tz_convert(str(zone)).dt.tz_localize(None).astype("datetime64[ns]")
    return local


def local_times(frame: pd.DataFrame, accounts: pd.DataFrame, column: str = "occurred_at") -> pd.Series:
    """A table's timestamp column as naive local time of each row's account (accounts must know every row's account)."""
    require_columns(frame, ("account_id", column), "the table")
    zones = account_zones(accounts)
    unknown = sorted(set(frame["account_id"].dropna()) - set(zones.index))
    if unknown:
        raise DataError(f"Rows refer to account(s) {unknown[:5]} that are not in accounts; add them to accounts.csv.")
    return to_local_by_account(frame[column], frame["account_id"], zones)


def parse_local_times(values: pd.Series, zones: pd.Series) -> pd.Series:
    """ISO 8601 text (or datetimes) as naive local time: values with an offset converted to their row's zone.

    A column may mix naive values (local already) and values with an offset (`Z`, `+08:00`);
    unparsable values become NaT for the caller to report.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            return to_local_by_zone(values, zones)
        return values.astype("datetime64[ns]")
    plain = _plain_iso_times(values)
    if plain is not None:
        return plain
    text = values.astype("string").str.strip().str.upper()  # ISO 8601 allows a lower-case t and z
    aware = _ends_in_offset(text)
    try:
        naive = pd.to_datetime(text.where(~aware), errors="coerce", format="ISO8601")
    except ValueError:  # an offset written in a form the pattern does not know, next to naive values
        naive = None
    if naive is None or isinstance(naive.dtype, pd.DatetimeTZDtype):  # (or on every row, e.g. +8): value by value
        aware |= text.map(_has_offset, na_action="ignore").fillna(False).astype(bool)
        naive = pd.to_datetime(text.where(~aware), errors="coerce", format="ISO8601")
    parsed = _nanosecond_range(naive).astype("datetime64[ns]")
    if aware.any():
        with_offset = pd.to_datetime(text[aware], errors="coerce", format="ISO8601", utc=True)
        parsed.loc[aware] = to_local_by_zone(_nanosecond_range(with_offset), zones[aware])
    return parsed


def _nanosecond_range(times: pd.Series) -> pd.Series:
    """Times pandas can hold in nanoseconds (1677-09-21 to 2262-04-11); others (a year 0 from '-0', 9999-12-31)
    as NaT, so the caller reports them as values that are not dates instead of crashing on the conversion."""
    low, high = pd.Timestamp.min, pd.Timestamp.max
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        low, high = low.tz_localize("UTC"), high.tz_localize("UTC")
    return times.where(times.isna() | times.between(low, high))


def _plain_iso_times(values: pd.Series) -> pd.Series | None:
    """Text read by pyarrow whose every value pyarrow's ISO 8601 cast reads as a naive time, else None.

    pyarrow reads YYYY-MM-DD with an optional time (T or space, hh[:mm[:ss[.f]]]) and refuses the rest:
    offsets (Z, +08:00) when casting to a time without zone, blanks around the text, a lower-case t, basic
    forms, out-of-range days and times, years past pandas' nanoseconds. What it reads, pandas' ISO 8601
    parser reads alike (tests/test_timezones_arrow.py compares them), ~10 times as fast (issue 22: ~33 -> ~3 ms
    for the sample's 120k touchpoints); a column with any value it refuses takes the general path.
    """
    if not isinstance(values.array, pd.arrays.ArrowStringArray) or not len(values):
        return None
    try:
        times = pc.cast(pyarrow.array(values.array), pyarrow.timestamp("ns"))
    except (pyarrow.ArrowInvalid, pyarrow.ArrowNotImplementedError):
        return None
    return pd.Series(np.array(times.to_numpy(zero_copy_only=False), dtype="datetime64[ns]"),  # writable
                     index=values.index, name=values.name)


def _ends_in_offset(text: pd.Series) -> pd.Series:
    """Rows whose text ends in a UTC offset (`_OFFSET`), as booleans (missing text: False).

    The regex runs only on the rows that can match, which a cheap test finds: an offset ends the text
    with Z or puts its sign among the last 6 characters (±hh, ±hhmm, ±hh:mm). Most timestamps carry no
    offset, so the regex (~0.6 µs a row: 74 ms for the sample's 120k touchpoints) mostly runs on nothing.
    """
    tail = text.str[-6:]
    maybe = (text.str.endswith("Z") | tail.str.contains("+", regex=False)
             | tail.str.contains("-", regex=False)).fillna(False).to_numpy(dtype=bool)
    aware = np.zeros(len(text), dtype=bool)
    if maybe.any():  # positions, not labels: an index may repeat
        aware[maybe] = text[maybe].str.contains(_OFFSET, regex=True).fillna(False).to_numpy(dtype=bool)
    return pd.Series(aware, index=text.index)


def _has_offset(value: str) -> bool:
    """Whether one ISO 8601 text carries a UTC offset (the slow path for forms the pattern misses)."""
    try:
        return pd.Timestamp(value).tzinfo is not None
    except (ValueError, TypeError):
        return False


#: An ISO 8601 time with a UTC offset ends in Z or ±hh[:mm] after the time of day: extended
#: (T12:00:00+08:00), basic (T120000+0800), hours only (T12+08) or with a fraction (T04:00:00.123Z).
_OFFSET = r"[T\s]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def duckdb_local_time(column: str, zones: Mapping[str, str], account_column: str = "account_id") -> str:
    """A DuckDB expression for a TIMESTAMPTZ column as naive local time of each row's account (default zone else)."""
    cases = " ".join(f"WHEN {_sql_text(account)} THEN {_sql_text(zone)}" for account, zone in sorted(zones.items()))
    zone = f"CASE CAST({account_column} AS VARCHAR) {cases} ELSE {_sql_text(DEFAULT_TIMEZONE)} END" if cases \
        else _sql_text(DEFAULT_TIMEZONE)
    return f"timezone({zone}, {column})"


def _sql_text(value: str) -> str:
    """A SQL text literal."""
    return "'" + str(value).replace("'", "''") + "'"
