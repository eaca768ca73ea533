"""The attribution code as it was before issue 22's speed-up (commit c8a4215), kept verbatim as the reference.

tests/test_attribution_reference.py checks that helpers.attribution gives the same journeys and the same
credit as this straightforward version (tuples per journey, flattened by every model) on random inputs.
Do not optimise it: its worth is that it is the old, reviewed code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError, require_columns

__all__ = [
    "MARKOV_VALUES",
    "NO_TOUCH",
    "REPEAT_CONVERSIONS",
    "MarkovResult",
    "assist_ratio",
    "build_journeys",
    "compare_models",
    "first_touch",
    "last_touch",
    "linear",
    "markov",
    "reconcile",
    "shapley",
]

TOUCHPOINT_COLUMNS: tuple[str, ...] = ("journey_id", "occurred_at", "channel")
CONVERSION_COLUMNS: tuple[str, ...] = ("journey_id", "occurred_at")
JOURNEY_COLUMNS: tuple[str, ...] = ("journey_id", "path", "converted", "conversions", "value", "end_at")
MODELS: tuple[str, ...] = ("first_touch", "last_touch", "linear", "markov", "shapley")
START, CONVERSION, NULL = "start", "conversion", "null"
#: How the Markov model credits value: "share" = conversion share × total value; "removal" = value removal effects.
MARKOV_VALUES: tuple[str, ...] = ("share", "removal")
#: How a journey that converts more than once is counted (every model): each of its conversions counts.
REPEAT_CONVERSIONS = "each counted"
#: The pseudo-channel of conversions with no recorded touch (no touchpoint at or before them) in
#: :func:`compare_models`: no model can credit a channel with them, so every model shows them apart.
NO_TOUCH = "no_touch"

DateLike = str | date  # pd.Timestamp is a date too


# ---------------------------------------------------------------------------------------------
# Journeys
# ---------------------------------------------------------------------------------------------



def _require_present(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    """Raise DataError when a key column has missing values, since rows cannot be placed without it."""
    for col in columns:
        bad = frame.index[frame[col].isna()]
        if len(bad):
            rows = ", ".join(map(str, bad[:5])) + (", ..." if len(bad) > 5 else "")
            raise DataError(
                f"{table}.{col} is missing or unparseable in {len(bad)} row(s) (rows {rows}); "
                f"fix or drop those rows before attribution."
            )


def _parse_times(values: pd.Series, table: str) -> pd.Series:
    """ISO 8601 timestamps as datetimes; unparseable values raise DataError naming the rows."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:
        parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    except ValueError as exc:  # pandas refuses a column mixing UTC offsets (or naive and aware)
        raise DataError(
            f"{table}.occurred_at mixes timezones ({exc}); write every timestamp in one timezone, "
            f"or load the table with helpers.data, which converts them to account time."
        ) from exc
    bad = parsed.isna() & values.notna()
    if bad.any():
        examples = ", ".join(map(repr, values[bad].astype(str).head(3)))
        raise DataError(
            f"{table}.occurred_at has {int(bad.sum())} value(s) that are not ISO 8601 timestamps "
            f"(e.g. {examples}); use e.g. '2026-10-01 20:15:00'."
        )
    return parsed


def _timezone(at: pd.Series) -> Any:
    """The timezone of a datetime column, None when naive."""
    return getattr(at.dt, "tz", None)


def _align_timezones(touch_at: pd.Series, conv_at: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Both tables' times in one timezone (the touchpoints'); naive vs aware timestamps raise DataError."""
    touch_tz, conv_tz = _timezone(touch_at), _timezone(conv_at)
    if len(conv_at) == 0:  # an empty column has no timezone of its own: take the other table's
        return touch_at, conv_at.dt.tz_localize(touch_tz) if conv_tz is None else conv_at.dt.tz_convert(touch_tz)
    if len(touch_at) == 0:
        return touch_at.dt.tz_localize(conv_tz) if touch_tz is None else touch_at.dt.tz_convert(conv_tz), conv_at
    if (touch_tz is None) != (conv_tz is None):
        raise DataError(
            "touchpoints.occurred_at and conversions.occurred_at mix naive and timezone-aware "
            "timestamps; give both tables the same convention (naive = account timezone)."
        )
    return touch_at, conv_at if touch_tz is None else conv_at.dt.tz_convert(touch_tz)


def _check_id_types(touch_ids: pd.Series, conv_ids: pd.Series) -> None:
    """Raise DataError when journey ids are numbers in one table and text in the other (they would never match)."""
    if len(touch_ids) and len(conv_ids) and (
            pd.api.types.is_numeric_dtype(touch_ids) != pd.api.types.is_numeric_dtype(conv_ids)):
        raise DataError(
            f"journey_id is {touch_ids.dtype} in touchpoints but {conv_ids.dtype} in conversions, "
            f"so no journey would match; read both with the same type (e.g. as text)."
        )


def _nanoseconds(at: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds (UTC for timezone-aware data), for fast grouping and comparison."""
    return pd.DatetimeIndex(at.dt.as_unit("ns")).asi8


def _from_nanoseconds(ns: np.ndarray, tz: Any) -> pd.Series:
    """Inverse of _nanoseconds: int64 nanoseconds back to (timezone-aware if tz) timestamps."""
    at = pd.Series(ns.astype("datetime64[ns]"))
    return at if tz is None else at.dt.tz_localize("UTC").dt.tz_convert(tz)


def _conversion_values(conversions: pd.DataFrame) -> np.ndarray:
    """The conversions' value as floats; all NaN when the table has no value column."""
    if "value" not in conversions.columns:
        return np.full(len(conversions), np.nan)
    return pd.to_numeric(conversions["value"], errors="coerce").to_numpy(dtype=float)


def _paths(codes: np.ndarray, channels: list[str], n: int) -> np.ndarray:
    """One tuple of channels per journey code 0..n-1 (empty when none); input sorted by code then time."""
    paths = np.empty(n, dtype=object)
    paths.fill(())
    if len(codes):
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        paths[codes[starts]] = [tuple(channels[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return paths


def _day_window(
    start: DateLike | None, end: DateLike | None, tz: Any
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Whole-day bounds [start 00:00, day after end 00:00) in the data's timezone; bad dates raise ParameterError."""
    bounds: list[pd.Timestamp | None] = []
    for name, raw in (("start", start), ("end", end)):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            bounds.append(None)
            continue
        try:
            stamp = pd.Timestamp(raw)
        except (ValueError, TypeError) as exc:
            raise ParameterError(f"{name}={raw!r} is not a date; use 'YYYY-MM-DD'.") from exc
        if pd.isna(stamp):
            raise ParameterError(f"{name}={raw!r} is not a date; use 'YYYY-MM-DD'.")
        if stamp.tz is None and tz is not None:
            stamp = stamp.tz_localize(tz)
        elif stamp.tz is not None and tz is None:
            raise ParameterError(
                f"{name}={raw!r} has a timezone but the data's timestamps are naive (account time); "
                f"pass a plain date such as '2026-10-01'."
            )
        elif stamp.tz is not None:
            stamp = stamp.tz_convert(tz)
        bounds.append(stamp.normalize())
    lo, hi = bounds
    if lo is not None and hi is not None and hi < lo:
        raise ParameterError(f"end ({end}) is before start ({start}); swap them.")
    return lo, (hi + pd.Timedelta(days=1) if hi is not None else None)


def _in_window(end_at: pd.Series, start: DateLike | None, end: DateLike | None) -> pd.Series:
    """Mask of journeys whose end time falls on a day in [start, end] (inclusive, whole days)."""
    lo, hi = _day_window(start, end, _timezone(end_at))
    keep = pd.Series(True, index=end_at.index)
    if lo is not None:
        keep &= end_at >= lo
    if hi is not None:
        keep &= end_at < hi
    return keep


def build_journeys(
    touchpoints: pd.DataFrame,
    conversions: pd.DataFrame,
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> pd.DataFrame:
    """One row per journey: its channel path in time order, whether and how often it converted, and its value.

    For a converting journey the path holds only the touches at or before its (last)
    conversion, because later touches cannot have caused it; ``end_at`` is that conversion
    time, or the last touch for a journey that did not convert. Ties in time keep the input
    order. A conversion with no touch before it gets an empty path (it cannot be attributed).
    ``value`` sums the journey's conversion values; it is NaN when the conversions table has no
    ``value`` column or any of the journey's values is missing, and 0.0 for a journey without a
    conversion when values are tracked. ``start``/``end`` keep journeys whose ``end_at`` falls on
    a day from ``start`` to ``end``, both days included, and count only the conversions in that
    window: a journey that converted in September and again in October is September's with the
    first conversion and October's with the second. A journey whose only conversion falls after
    ``end`` is, within the window, a journey that has not (yet) converted.
    """
    hint_t = "touchpoints needs journey_id, occurred_at, channel (campaign optional)."
    hint_c = "conversions needs journey_id, occurred_at (value optional)."
    require_columns(touchpoints, TOUCHPOINT_COLUMNS, "touchpoints", hint_t)
    require_columns(conversions, CONVERSION_COLUMNS, "conversions", hint_c)
    _require_present(touchpoints, ("journey_id", "channel", "occurred_at"), "touchpoints")
    _require_present(conversions, ("journey_id", "occurred_at"), "conversions")
    _check_id_types(touchpoints["journey_id"], conversions["journey_id"])
    touch_at, conv_at = _align_timezones(
        _parse_times(touchpoints["occurred_at"], "touchpoints"), _parse_times(conversions["occurred_at"], "conversions")
    )
    if start is not None or end is not None:  # a journey's conversions outside the window are another period's
        in_window = _in_window(conv_at, start, end).to_numpy()
        conversions, conv_at = conversions[in_window], conv_at[in_window]

    n_touch = len(touchpoints)
    codes, ids = pd.factorize(
        pd.concat([touchpoints["journey_id"], conversions["journey_id"]], ignore_index=True), sort=True
    )
    n = len(ids)
    touch_code, conv_code = codes[:n_touch], codes[n_touch:]
    touch_ns, conv_ns = _nanoseconds(touch_at), _nanoseconds(conv_at)

    count = np.bincount(conv_code, minlength=n)
    last_conv = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_conv, conv_code, conv_ns)
    last_conv[count == 0] = np.iinfo(np.int64).max  # no conversion: no cut-off
    value = np.bincount(conv_code, _conversion_values(conversions), minlength=n)  # NaN in, NaN out
    last_touch = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(last_touch, touch_code, touch_ns)

    order = np.lexsort((touch_ns, touch_code))  # by journey, then time; stable for ties
    order = order[touch_ns[order] <= last_conv[touch_code[order]]]
    channels = touchpoints["channel"].astype(str).to_numpy(dtype=object)[order].tolist()
    converted = count > 0
    tracked = "value" in conversions.columns
    out = pd.DataFrame(
        {
            "journey_id": ids,
            "path": _paths(touch_code[order], channels, n),
            "converted": converted,
            "conversions": count.astype("int64"),
            "value": np.where(converted, value, 0.0 if tracked else np.nan),
            "end_at": _from_nanoseconds(np.where(converted, last_conv, last_touch), _timezone(touch_at)),
        }
    )
    return out[_in_window(out["end_at"], start, end)].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Shared plumbing of the models
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Touches:
    """Attributable journeys flattened to one entry per touch, with integer channel codes."""

    channels: pd.Index  # channel names, sorted; code i is channels[i]
    codes: np.ndarray  # channel code of every touch, journeys concatenated in order
    starts: np.ndarray  # offset of each journey's first touch in ``codes``
    lengths: np.ndarray  # number of touches per journey
    converted: np.ndarray  # bool per journey
    conversions: np.ndarray  # float count per journey
    value: np.ndarray  # float per journey (NaN = unknown)
    value_tracked: bool  # False when no journey has a known value (no value column)

    @property
    def journey_of_touch(self) -> np.ndarray:
        """Index of the journey each touch belongs to."""
        return np.repeat(np.arange(len(self.lengths)), self.lengths)


def _check_journeys(journeys: pd.DataFrame) -> None:
    """Raise DataError unless the frame looks like the output of build_journeys."""
    require_columns(
        journeys, ("path", "converted", "conversions", "value"), "journeys",
        "Pass the output of build_journeys(touchpoints, conversions).",
    )


def _flatten(journeys: pd.DataFrame) -> _Touches:
    """Flatten the journeys with at least one touch into per-touch arrays the models share."""
    _check_journeys(journeys)
    paths = journeys["path"].to_numpy()
    lengths_all = np.fromiter(map(len, paths), dtype=np.int64, count=len(paths))
    keep = lengths_all > 0
    paths, lengths = paths[keep], lengths_all[keep]
    flat = np.fromiter(chain.from_iterable(paths), dtype=object, count=int(lengths.sum()))
    codes, channels = pd.factorize(flat, sort=True)
    value = pd.to_numeric(journeys["value"], errors="coerce").to_numpy(dtype=float)
    return _Touches(
        channels=pd.Index(channels, dtype=object),
        codes=codes.astype(np.int64),
        starts=np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64) if len(lengths) else lengths,
        lengths=lengths,
        converted=journeys["converted"].to_numpy(dtype=bool)[keep],
        conversions=journeys["conversions"].to_numpy(dtype=float)[keep],
        value=value[keep],
        value_tracked=bool(np.isfinite(value).any()),
    )


def _credit_table(t: _Touches, codes: np.ndarray, weights: np.ndarray, journey: np.ndarray) -> pd.DataFrame:
    """Sum weighted conversions and values of converting journeys onto channels (NaN value propagates)."""
    use = t.converted[journey]
    codes, weights, journey = codes[use], weights[use], journey[use]
    n = len(t.channels)
    conv = np.bincount(codes, weights * t.conversions[journey], minlength=n).astype(float)
    value = np.bincount(codes, weights * t.value[journey], minlength=n).astype(float)
    if not t.value_tracked:
        value[:] = np.nan
    return pd.DataFrame({"channel": t.channels.to_numpy(), "conversions": conv, "value": value})


# ---------------------------------------------------------------------------------------------
# Rule-based models
# ---------------------------------------------------------------------------------------------


def first_touch(journeys: pd.DataFrame) -> pd.DataFrame:
    """Credit each conversion to the first channel of its path: who opened the journey."""
    t = _flatten(journeys)
    idx = np.arange(len(t.lengths))
    return _credit_table(t, t.codes[t.starts], np.ones(len(idx)), idx)


def last_touch(journeys: pd.DataFrame) -> pd.DataFrame:
    """Credit each conversion to the last channel before it: who closed the journey."""
    t = _flatten(journeys)
    idx = np.arange(len(t.lengths))
    return _credit_table(t, t.codes[t.starts + t.lengths - 1], np.ones(len(idx)), idx)


def linear(journeys: pd.DataFrame) -> pd.DataFrame:
    """Split each conversion equally over the touches of its path (a channel touched twice gets two shares)."""
    t = _flatten(journeys)
    journey = t.journey_of_touch
    return _credit_table(t, t.codes, 1.0 / t.lengths[journey], journey)


# ---------------------------------------------------------------------------------------------
# Markov chain
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MarkovResult:
    """Markov-chain attribution: channel credit from removal effects, plus the chain it came from.

    ``credit`` has channel, removal_effect, value_removal_effect, conversions, value;
    ``conversion_probability`` is P(start → conversion) of the estimated chain (a walk per
    conversion and per non-converting journey); ``transition_matrix`` is the row-stochastic matrix
    over start, the channel states, conversion and null (absorbing states loop to themselves);
    ``value_credit`` is the convention the value column follows (:data:`MARKOV_VALUES`).
    """

    credit: pd.DataFrame
    conversion_probability: float
    transition_matrix: pd.DataFrame
    order: int = 1
    value_credit: str = "share"

    def __repr__(self) -> str:
        top = self.credit.sort_values("conversions", ascending=False).head(5)
        shares = ", ".join(f"{c}={r:.3f}" for c, r in zip(top["channel"], top["removal_effect"], strict=True))
        return (
            f"MarkovResult(order={self.order}, value_credit={self.value_credit}, "
            f"P(conversion)={self.conversion_probability:.4f}, "
            f"states={len(self.transition_matrix) - 3}, removal effects: {shares})"
        )


def _state_codes(t: _Touches, order: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Code of the chain state at each touch: the last ``order`` channels of the journey so far."""
    if order == 1:
        return t.codes, [(c,) for c in range(len(t.channels))]
    pos = np.arange(len(t.codes)) - np.repeat(t.starts, t.lengths)
    lags = []
    for lag in range(order - 1, -1, -1):  # oldest first, so a state reads left to right
        shifted = np.full(len(t.codes), -1, dtype=np.int64)
        shifted[lag:] = t.codes[: len(t.codes) - lag] if lag else t.codes
        shifted[pos < lag] = -1
        lags.append(shifted)
    uniq, inverse = np.unique(np.column_stack(lags), axis=0, return_inverse=True)
    states = [tuple(int(c) for c in row if c >= 0) for row in uniq]
    return inverse.reshape(-1).astype(np.int64), states


def _walks(t: _Touches) -> np.ndarray:
    """How many walks of the chain each journey stands for: its conversions if it converted, else one."""
    return np.where(t.converted, t.conversions, 1.0)


def _transition_counts(t: _Touches, state: np.ndarray, n_states: int) -> np.ndarray:
    """Counts of observed transitions between start (0), states (1..n), conversion and null, a journey per walk."""
    start, conv, null = 0, n_states + 1, n_states + 2
    ends = t.starts + t.lengths
    end_state = np.where(t.converted, conv, null)
    src = np.insert(state + 1, t.starts, start)
    dst = np.insert(state + 1, ends, end_state)
    size = n_states + 3
    weights = np.repeat(_walks(t), t.lengths + 1)  # a journey's transitions, start and end included
    return np.bincount(src * size + dst, weights, minlength=size * size).reshape(size, size)


def _value_exits(t: _Touches, state: np.ndarray, n_states: int, rows: np.ndarray) -> np.ndarray:
    """Conversion value per walk out of each transient state (start first): the value-weighted conversion column.

    The value of the conversions whose last state is s over the walks leaving s; equal to
    P(s → conversion) × the mean value of a conversion leaving s, the value ChannelAttribution
    draws for a simulated conversion from its last state.
    """
    last = state[t.starts + t.lengths - 1] + 1
    value = np.bincount(last[t.converted], t.value[t.converted], minlength=n_states + 1).astype(float)
    out = rows[: n_states + 1, 0]
    return np.divide(value, out, out=np.zeros_like(value), where=out > 0)


def _absorption(q: np.ndarray, r: np.ndarray, keep: np.ndarray) -> float:
    """What start expects to collect from ``r`` (P(start → conversion) for r = P(· → conversion)).

    Only the transient states in ``keep`` (start first) are used; moves elsewhere go to null.
    """
    sub = q[np.ix_(keep, keep)]
    x = np.linalg.solve(np.eye(len(sub)) - sub, r[keep])
    return float(x[0])


def _state_label(state: tuple[int, ...], channels: pd.Index) -> str:
    """Readable name of a chain state: the channel, or 'a > b' for higher orders."""
    return " > ".join(str(channels[c]) for c in state)


def _removal_effects(q: np.ndarray, r: np.ndarray, states: list[tuple[int, ...]], n_channels: int) -> np.ndarray:
    """1 − (what start collects from r without channel c) / (what it collects with every channel), per channel.

    NaN for every channel when start collects nothing (or a negative net amount) from r.
    """
    total = _absorption(q, r, np.ones(len(q), dtype=bool))
    effects = np.full(n_channels, np.nan)
    if total > 0 and (r >= 0).all():
        for c in range(n_channels):
            keep = np.r_[True, [c not in s for s in states]]
            effects[c] = 1.0 - _absorption(q, r, keep) / total
        effects = np.clip(effects, 0.0, 1.0)  # removal can only lower it; clip rounding noise (±1e-16)
    return effects


def _normalised_credit(effects: np.ndarray, total: float) -> np.ndarray:
    """``total`` shared in proportion to the removal effects; zeros when the total is 0, NaN when it is unknown."""
    if total == 0:
        return np.zeros(len(effects))
    if not np.isfinite(total) or not np.isfinite(effects).all() or effects.sum() <= 0:
        return np.full(len(effects), np.nan)
    return effects / effects.sum() * total


def markov(journeys: pd.DataFrame, order: int = 1, value_credit: str = "share") -> MarkovResult:
    """Markov-chain attribution: credit channels by how much P(conversion) drops when each is removed.

    The chain has states start, one per channel (or per run of ``order`` channels), conversion and
    null. Transition probabilities are counted from every attributable journey, converting or not;
    a journey that converted n times counts n times (n walks along its path ending in conversion),
    one that did not convert once (ending in null), as ChannelAttribution weights a path by its
    conversions. So a repeat converter weighs like that many single converters.
    Repeated consecutive touches of a channel are kept as self-loops (the data as it is): in a
    first-order chain a self-loop changes how long a walk stays in a channel but not where it
    goes next, so P(conversion) and removal effects equal those of the de-duplicated paths; in
    higher orders the repeats are part of the state ("a > a" differs from "b > a").

    P(conversion) is exact, from the absorbing chain: with Q the transient-to-transient block
    and r the transient-to-conversion column, x solves (I − Q) x = r and P = x[start]. Removing
    channel c sends every transition into a state containing c to null; its removal effect is
    1 − P_without_c / P. Conversion credit is the removal effects normalised to sum to 1, times the
    total conversions. Removal effects are NaN when nothing converted (P = 0), and every channel
    then gets 0.

    Value credit (NaN if any converting journey's value is unknown) follows ``value_credit``:
    ``"share"`` gives each channel its conversion share of the total value; ``"removal"`` computes
    ChannelAttribution's value removal effect (``markov_model(..., var_value=...)``): each
    conversion carries the mean value of the conversions leaving its last state, so the
    conversion column r becomes the value-weighted column r_v (``_value_exits``); V solves
    (I − Q) x = r_v at start, a channel's ``value_removal_effect`` is 1 − V_without_c / V, and the
    total value is shared in proportion to those effects. Channels that lead to the valuable
    conversions get more value credit than their conversion share. It needs values ≥ 0 (removal
    effects of refunds are undefined): with a negative value the value credit is NaN.
    """
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ParameterError(f"order={order!r} must be a whole number ≥ 1 (1 = first-order chain).")
    if value_credit not in MARKOV_VALUES:
        raise ParameterError(f"value_credit={value_credit!r} is not a value convention; use one of: "
                             f"{', '.join(MARKOV_VALUES)}.")
    t = _flatten(journeys)
    state, states = _state_codes(t, int(order))
    n = len(states)
    counts = _transition_counts(t, state, n)
    rows = counts.sum(axis=1, keepdims=True)
    probs = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    probs[n + 1, n + 1] = probs[n + 2, n + 2] = 1.0  # absorbing states
    if len(t.lengths) == 0:
        probs[0, n + 2] = 1.0  # no journeys: start leads nowhere
    labels = [START] + [_state_label(s, t.channels) for s in states] + [CONVERSION, NULL]
    matrix = pd.DataFrame(probs, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to"))

    q, r = probs[: n + 1, : n + 1], probs[: n + 1, n + 1]
    p_all = _absorption(q, r, np.ones(n + 1, dtype=bool))
    effects = _removal_effects(q, r, states, len(t.channels))
    value_effects = _removal_effects(q, _value_exits(t, state, n, rows), states, len(t.channels))
    total_conv = float(t.conversions[t.converted].sum())
    total_value = float(np.sum(t.value[t.converted])) if t.value_tracked else np.nan
    share = effects / effects.sum() if p_all > 0 else np.zeros(len(t.channels))
    value = share * total_value if value_credit == "share" else _normalised_credit(value_effects, total_value)
    credit = pd.DataFrame(
        {
            "channel": t.channels.to_numpy(),
            "removal_effect": effects,
            "value_removal_effect": value_effects,
            "conversions": share * total_conv,
            "value": value,
        }
    )
    return MarkovResult(credit=credit, conversion_probability=p_all, transition_matrix=matrix, order=int(order),
                        value_credit=value_credit)


# ---------------------------------------------------------------------------------------------
# Shapley
# ---------------------------------------------------------------------------------------------


def shapley(journeys: pd.DataFrame) -> pd.DataFrame:
    """Simplified Shapley values (Zhao et al. 2018): a conversion is shared equally by its path's distinct channels.

    Treat channels as players and let R(S) be the conversions of converting journeys whose *set*
    of channels is exactly S; the worth of a coalition is v(S) = Σ_{T ⊆ S} R(T), the conversions
    that S's channels could have produced on their own. With that v, the classic Shapley value
    φ_j = Σ_{S ∌ j} |S|!(n−|S|−1)!/n! · (v(S ∪ {j}) − v(S)) collapses to
    φ_j = Σ_{S ∋ j} R(S) / |S|: each journey splits its conversions equally among its distinct
    channels, whatever their order or repetitions. No 2^n coalitions are enumerated, so it scales
    to any number of channels, and the values sum to the total conversions (efficiency).
    Value credit is computed the same way from R(S) = conversion value.
    """
    t = _flatten(journeys)
    journey = t.journey_of_touch
    key = journey * max(len(t.channels), 1) + t.codes
    _, first = np.unique(key, return_index=True)  # one entry per (journey, distinct channel)
    journey, codes = journey[first], t.codes[first]
    distinct = np.bincount(journey, minlength=len(t.lengths))
    return _credit_table(t, codes, 1.0 / distinct[journey], journey)


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------


def reconcile(journeys: pd.DataFrame) -> dict[str, float]:
    """Where the conversions of ``journeys`` go: credited to channels, or with no recorded touch.

    Returns ``converting_journeys``, ``conversions`` and ``value`` of all converting journeys;
    ``credited_journeys``, ``credited_conversions`` and ``credited_value`` of those with at least one
    touch at or before the conversion (what every model shares out among channels); and
    ``no_touch_journeys``, ``no_touch_conversions`` and ``no_touch_value`` of those without one.
    credited + no_touch = all, for journeys, conversions and value. A value is NaN (unknown, not
    zero) when a journey it sums has an unknown value, or when values are not tracked.
    """
    require_columns(journeys, ("path", "converted", "conversions", "value"), "journeys",
                    "Pass the output of build_journeys(touchpoints, conversions).")
    converted = journeys["converted"].to_numpy(dtype=bool)
    touched = np.fromiter(map(len, journeys["path"]), dtype=np.int64, count=len(journeys)) > 0
    counts = journeys["conversions"].to_numpy(dtype=float)
    value = pd.to_numeric(journeys["value"], errors="coerce").to_numpy(dtype=float)
    out: dict[str, float] = {}
    for prefix, rows in (("", converted), ("credited_", converted & touched), ("no_touch_", converted & ~touched)):
        out[prefix + ("converting_journeys" if not prefix else "journeys")] = int(rows.sum())
        out[prefix + "conversions"] = float(counts[rows].sum())
        out[prefix + "value"] = float(value[rows].sum())  # NaN in, NaN out: missing is not zero
    return out


def compare_models(journeys: pd.DataFrame, markov_value: str = "share", no_touch: bool = True) -> pd.DataFrame:
    """All five models in one tidy table (model, channel, conversions, value, share) to read side by side.

    Every model shares out the same total among channels: the conversions of journeys with at
    least one touch. With ``no_touch`` (default), conversions with no recorded touch get a row of
    their own in every model, channel :data:`NO_TOUCH` (the same count and value in each: no model
    can credit them), whenever there are any, so each model sums to all the conversions and all
    the value of ``journeys`` (see :func:`reconcile`). ``share`` is the row's share of that model's
    conversions, the no-touch row included (NaN when there are none). The Markov model's value
    credit follows ``markov_value`` (see :func:`markov`'s ``value_credit``).
    """
    tables = {
        "first_touch": first_touch(journeys),
        "last_touch": last_touch(journeys),
        "linear": linear(journeys),
        "markov": markov(journeys, value_credit=markov_value).credit.drop(
            columns=["removal_effect", "value_removal_effect"]),
        "shapley": shapley(journeys),
    }
    if (tables["first_touch"]["channel"] == NO_TOUCH).any():
        raise DataError(f"touchpoints.channel has the value {NO_TOUCH!r}, which the attribution keeps for "
                        f"conversions with no recorded touch; rename that channel.")
    totals_in = reconcile(journeys)
    if no_touch and totals_in["no_touch_conversions"] > 0:
        apart = pd.DataFrame({"channel": [NO_TOUCH], "conversions": [totals_in["no_touch_conversions"]],
                              "value": [totals_in["no_touch_value"]]})
        tables = {model: pd.concat([table, apart], ignore_index=True) for model, table in tables.items()}
    out = pd.concat(tables, names=["model", None]).reset_index(level=0).reset_index(drop=True)
    totals = out.groupby("model", sort=False)["conversions"].transform("sum")
    out["share"] = out["conversions"] / totals.where(totals > 0)
    return out[["model", "channel", "conversions", "value", "share"]]


def _ratio_label(ratio: pd.Series, assist_at: float, closer_at: float) -> pd.Series:
    """'assist' at or above ``assist_at``, 'closer' at or below ``closer_at``, else 'balanced'; NaN stays NaN."""
    label = np.select([ratio >= assist_at, ratio <= closer_at], ["assist", "closer"], "balanced")
    return pd.Series(label, index=ratio.index, dtype="str").mask(ratio.isna())


def assist_ratio(comparison: pd.DataFrame, assist_at: float = 1.5, closer_at: float = 0.67) -> pd.DataFrame:
    """Per channel, Markov and linear credit ÷ last-touch credit, labelled assist / balanced / closer.

    A ratio well above 1 means the channel earns far more credit for its part in the whole
    journey than for closing it: it drives conversions mostly as an assist, and last-touch
    reports undervalue it. The label follows the Markov ratio: "assist" when ≥ ``assist_at``,
    "closer" when ≤ ``closer_at``, "balanced" in between. A channel that never closes but does
    assist has ratio inf ("assist"); one with no credit at all has ratio NaN and no label.
    """
    if not (0 < closer_at < assist_at):
        raise ParameterError(
            f"need 0 < closer_at < assist_at, got closer_at={closer_at}, assist_at={assist_at}."
        )
    require_columns(
        comparison, ("model", "channel", "conversions"), "comparison", "Pass the output of compare_models(journeys)."
    )
    comparison = comparison[comparison["channel"] != NO_TOUCH]
    wide = comparison.pivot_table(index="channel", columns="model", values="conversions", aggfunc="sum")
    missing = [m for m in ("last_touch", "linear", "markov") if m not in wide.columns]
    if missing:
        raise DataError(f"comparison lacks model(s) {', '.join(missing)}; pass the output of compare_models(journeys).")
    out = pd.DataFrame(
        {
            "last_touch": wide["last_touch"],
            "linear": wide["linear"],
            "markov": wide["markov"],
            "linear_ratio": wide["linear"] / wide["last_touch"],
            "markov_ratio": wide["markov"] / wide["last_touch"],
        }
    )
    out["label"] = _ratio_label(out["markov_ratio"], assist_at, closer_at)
    out.columns.name = None
    return out.reset_index().sort_values("markov_ratio", ascending=False, na_position="last", ignore_index=True)
