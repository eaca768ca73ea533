"""The store's value types: every column kept Parquet-safe, and a stored and an incoming column made comparable.

Part of the local store (see helpers.ingest.store for the whole picture). It is its own module because the
three other parts need it: the merge normalises incoming rows and aligns them with the stored ones, the
import log does the same with its rows, and the layout reads table files back in these types.

The types: dates and times are naive datetime64[ns] (timestamps with a UTC offset are converted to
Asia/Shanghai, as helpers.data does), numbers float64 (integer key columns such as follower_activity.hour
stay Int64), flags nullable boolean, text the pandas string type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.errors import DataError
from helpers.timezones import DEFAULT_TIMEZONE

LOCAL_TZ = DEFAULT_TIMEZONE
TEXT = pd.StringDtype(na_value=np.nan)   # pandas' default "str" type


def missing(value: object) -> bool:
    """Whether a single value is missing (None, NaN, NaT, <NA>)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def timestamp(value: object, what: str) -> pd.Timestamp:
    """A snapshot or import time as a naive Timestamp (offsets converted to Asia/Shanghai)."""
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise ValueError(f"{what} must be a time, not {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(LOCAL_TZ).tz_localize(None)
    return stamp.as_unit("ns")


def to_naive(values: pd.Series) -> pd.Series:
    """Datetimes as naive datetime64[ns]; offsets are converted to Asia/Shanghai first."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    return values.astype("datetime64[ns]")


def _parse_datetimes(values: pd.Series) -> pd.Series:
    """Python date/datetime objects as a datetime column (mixed offsets go through UTC)."""
    try:
        parsed = pd.to_datetime(values)
    except (ValueError, TypeError):
        parsed = pd.to_datetime(values, utc=True)
    return parsed


def _numbers(values: pd.Series, is_key: bool) -> pd.Series:
    """Numbers as float64; integral key columns (e.g. hour) as Int64 so they match exactly."""
    numeric = pd.to_numeric(values)
    if is_key:
        present = numeric.dropna()
        if pd.api.types.is_integer_dtype(numeric.dtype) or bool((present == present.round()).all()):
            return numeric.astype("Int64")
    return numeric.astype("float64")


def normalise(values: pd.Series, table: str, column: str, is_key: bool = False) -> pd.Series:
    """A column in one of the store's value types (datetime, number, boolean, text), values unchanged."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return normalise(values.astype(object), table, column, is_key)
    if pd.api.types.is_object_dtype(values.dtype) and \
            pd.api.types.infer_dtype(values, skipna=True) in ("datetime", "datetime64", "date"):
        values = _parse_datetimes(values)
    dtype = values.dtype
    is_object = pd.api.types.is_object_dtype(dtype)   # plain Python objects (a string dtype is not one)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        try:
            return to_naive(values)
        except (ValueError, OverflowError) as exc:
            raise DataError(f"{table}, column {column!r}: a date outside 1677–2262 ({exc}).") from exc
    if pd.api.types.is_bool_dtype(dtype):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(dtype):
        return _numbers(values, is_key)
    if pd.api.types.is_string_dtype(dtype) and not is_object:
        return values.astype(TEXT)
    if not is_object:
        raise DataError(f"{table}, column {column!r}: values of type {dtype} cannot be stored; "
                        "the importer must give dates, numbers, true/false or text.")
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "empty":
        return values
    if inferred == "string":
        return values.astype(TEXT)
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return _numbers(values, is_key)
    if inferred == "boolean":
        return values.astype("boolean")
    # mixed types (e.g. 12 and "12a" in one id column): keep every value, as its text
    return values.map(lambda v: None if missing(v) else str(v)).astype(TEXT)


def _kind(values: pd.Series) -> str:
    """The value type of a normalised column: empty, datetime, bool, number or text."""
    if values.isna().all():
        return "empty"
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(values.dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(values.dtype):
        return "number"
    return "text"


def empty(length: int, dtype: object) -> pd.Series:
    """A column of `length` missing values of the given type."""
    return pd.Series(index=pd.RangeIndex(length), dtype=dtype)


def _as_text(values: pd.Series) -> pd.Series:
    """A key column's numbers as their text ("12", not "12.0")."""
    if pd.api.types.is_float_dtype(values.dtype):
        present = values.dropna()
        if bool((present == present.round()).all()):
            values = values.astype("Int64")
    return values.astype(TEXT)


def align(old: pd.Series, new: pd.Series, table: str, column: str, is_key: bool) -> tuple[pd.Series, pd.Series]:
    """The stored and the incoming column in one type, or a DataError when they hold different things."""
    k_old, k_new = _kind(old), _kind(new)
    if k_old == "empty" and k_new == "empty":
        return old, empty(len(new), old.dtype)
    if k_old == "empty":
        return empty(len(old), new.dtype), new
    if k_new == "empty":
        return old, empty(len(new), old.dtype)
    if k_old == k_new:
        if old.dtype != new.dtype:  # Int64 and float64 numbers
            return old.astype("float64"), new.astype("float64")
        return old, new
    if is_key and {k_old, k_new} == {"number", "text"}:
        return _as_text(old), _as_text(new)
    example = new.dropna().iloc[0]
    raise DataError(
        f"{table}, column {column!r}: the store holds {k_old} values but this import has {k_new} values "
        f"(e.g. {example!r}). Every importer of {table} must read the column the same way; "
        "fix the export kind's parse mapping (nothing was changed)."
    )


def same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality where missing equals missing (NaN, NaT, <NA>) and 1 equals 1.0."""
    both_missing = a.isna().to_numpy() & b.isna().to_numpy()
    equal = (a.reset_index(drop=True) == b.reset_index(drop=True)).fillna(False).to_numpy(dtype=bool)
    return both_missing | equal


__all__ = ["LOCAL_TZ", "TEXT", "align", "empty", "missing", "normalise", "same", "timestamp", "to_naive"]
