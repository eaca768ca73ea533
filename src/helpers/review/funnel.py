"""Conversion funnel per platform and in total (METHODOLOGY 2 and 7: click → purchase funnel).

Each step's value is the sum over the period; rates are step-to-step and step-to-top ratios.
A platform that does not report a step has a missing value there (not 0), and the total's rates
compare only platforms that report both steps, so a missing metric never looks like a drop-off.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError

#: Default steps: (account_daily column, label).
DEFAULT_STEPS: tuple[tuple[str, str], ...] = (
    ("impressions", "Impressions"),
    ("link_clicks", "Clicks"),
    ("conversions", "Conversions"),
)
#: Platform label of the all-platform rows.
TOTAL_LABEL: str = "total"


def _check_inputs(account_daily: pd.DataFrame, accounts: pd.DataFrame,
                  steps: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Validate the tables' key columns and the steps parameter."""
    for frame, table, columns in ((account_daily, "account_daily", ["date", "account_id"]),
                                  (accounts, "accounts", ["account_id", "platform"])):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(f"Table {table!r} lacks required column(s) {missing}.")
    if not steps or any(len(step) != 2 for step in steps):
        raise ParameterError("steps must be a non-empty sequence of (column, label) pairs, "
                             "e.g. (('impressions', 'Impressions'), ('link_clicks', 'Clicks')).")
    return [(str(column), str(label)) for column, label in steps]


def _platform_values(rows: pd.DataFrame, steps: list[tuple[str, str]]) -> pd.DataFrame:
    """Sum each step's column per platform (all-missing → NaN); a column the table lacks is NaN."""
    platforms = sorted(rows["platform"].dropna().unique().tolist())
    values = pd.DataFrame(index=pd.Index(platforms, name="platform"))
    for column, _ in steps:
        if column in rows.columns:
            numeric = pd.to_numeric(rows[column], errors="coerce").astype("float64")
            values[column] = numeric.groupby(rows["platform"]).sum(min_count=1).reindex(values.index)
        else:
            values[column] = np.nan
    return values


def _ratio(values: pd.DataFrame, num: str, den: str) -> pd.Series:
    """Per-platform ratio num/den; NaN when either is missing or den is 0."""
    return values[num] / values[den].where(values[den] != 0)


def _total_ratio(values: pd.DataFrame, num: str, den: str) -> float:
    """All-platform ratio over the platforms that report both steps (like for like)."""
    both = values[num].notna() & values[den].notna()
    den_sum = values.loc[both, den].sum()
    return float(values.loc[both, num].sum() / den_sum) if both.any() and den_sum != 0 else np.nan


def funnel(
    account_daily: pd.DataFrame,
    accounts: pd.DataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    steps: Sequence[tuple[str, str]] = DEFAULT_STEPS,
    owner: str | None = "own",
) -> pd.DataFrame:
    """Tidy funnel: one row per platform (and "total") × step with value and conversion rates.

    Values are sums over [start, end]; days with a missing value are skipped, so a platform that
    reported only some days is under-counted (check coverage upstream). ``rate_from_previous`` =
    value ÷ previous step's value (NaN on the first step), ``drop_off`` = 1 − rate_from_previous,
    ``rate_from_top`` = value ÷ first step's value; a zero or missing denominator gives NaN.
    ``complete`` says whether the platform (for "total": every platform) reported the step.
    The total value sums the platforms that reported (NaN if none did); its rates use only the
    platforms reporting both steps, so a missing metric never looks like a drop-off. ``owner``
    keeps accounts of that owner ("own" by default; None keeps all): competitor rows would
    distort the funnel.
    """
    steps_checked = _check_inputs(account_daily, accounts, steps)
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if start > end:
        raise ParameterError(f"Period start {start.date()} is after end {end.date()}.")
    selected = accounts
    if owner is not None:
        if "owner" not in accounts.columns:
            raise DataError("Table 'accounts' lacks column 'owner'; pass owner=None to use every account.")
        selected = accounts[accounts["owner"] == owner]
    platform = selected.drop_duplicates("account_id").set_index("account_id")["platform"]
    rows = account_daily[account_daily["date"].between(start, end)
                         & account_daily["account_id"].isin(platform.index)]
    rows = rows.assign(platform=rows["account_id"].map(platform))
    values = _platform_values(rows, steps_checked)
    return _tidy(values, steps_checked)


def _tidy(values: pd.DataFrame, steps: list[tuple[str, str]]) -> pd.DataFrame:
    """Lay the per-platform values and rates out as one row per platform × step, total last."""
    top = steps[0][0]
    records: list[dict[str, object]] = []
    for platform in [*values.index, TOTAL_LABEL]:
        for position, (column, label) in enumerate(steps):
            previous = steps[position - 1][0] if position > 0 else None
            if platform == TOTAL_LABEL:
                value = values[column].sum(min_count=1)
                complete = bool(values[column].notna().all()) and len(values) > 0
                from_previous = _total_ratio(values, column, previous) if previous else np.nan
                from_top = _total_ratio(values, column, top)
            else:
                value = values.at[platform, column]
                complete = bool(pd.notna(value))
                from_previous = _ratio(values, column, previous)[platform] if previous else np.nan
                from_top = _ratio(values, column, top)[platform]
            records.append({"platform": platform, "step": column, "label": label, "value": float(value),
                            "rate_from_previous": float(from_previous), "drop_off": 1 - float(from_previous),
                            "rate_from_top": float(from_top), "complete": complete})
    return pd.DataFrame.from_records(
        records, columns=["platform", "step", "label", "value", "rate_from_previous",
                          "drop_off", "rate_from_top", "complete"])
