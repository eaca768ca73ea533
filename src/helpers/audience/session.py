"""The audience notebook's set-up: validate its parameters once and load the tables it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import config
from helpers.data import load_tables
from helpers.errors import DataError, ParameterError
from helpers.params import check_choice, check_number, select_accounts

AUDIENCE_TABLES: tuple[str, ...] = ("accounts", "audience", "interactions", "posts")
BOT_RULES: tuple[str, ...] = ("iqr", "sigma")


@dataclass(frozen=True)
class AudienceRun:
    """Validated parameters and the loaded tables, restricted to the profiled accounts and window."""

    account_ids: tuple[str, ...]
    as_of: pd.Timestamp
    start: pd.Timestamp
    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """A table restricted to the profiled accounts (interactions also to the lookback window)."""
        frame = self.tables[name]
        if "account_id" in frame.columns:
            frame = frame[frame["account_id"].isin(self.account_ids)]
        if name == "interactions":
            frame = frame[(frame["occurred_at"] >= self.start) & (frame["occurred_at"] < self.as_of + pd.Timedelta(days=1))]
        return frame.reset_index(drop=True)


def resolve_as_of(text: str, interactions: pd.DataFrame) -> pd.Timestamp:
    """The analysis date: a YYYY-MM-DD string, or 'latest' = the last day with interactions."""
    value = str(text).strip()
    if value in ("", "latest"):
        return interactions["occurred_at"].max().normalize()
    try:
        return pd.to_datetime(value, format="ISO8601").normalize()
    except (ValueError, TypeError):
        raise ParameterError(f"Parameter as_of={text!r} must be a date like 2026-10-31 or 'latest'.") from None


def prepare_audience(account: str, as_of: str, lookback_days: int, data_dir: str, bot_rule: str, bot_k: float,
                     n_clusters: object, min_segment_size: int) -> AudienceRun:
    """Check every parameter, load the tables and fix the analysis window."""
    check_choice("bot_rule", bot_rule, BOT_RULES)
    check_number("bot_k", bot_k, 0.5, 10.0)
    check_number("lookback_days", lookback_days, 7, 3650)
    check_number("min_segment_size", min_segment_size, 1, 1e9)
    if str(n_clusters).strip() != "auto":
        check_number("n_clusters", n_clusters, 2, 20)
    folder = config.data_dir(data_dir)
    tables = load_tables(AUDIENCE_TABLES, folder)
    ids = select_accounts(tables["accounts"], account)
    day = resolve_as_of(as_of, tables["interactions"])
    start = day - pd.Timedelta(days=int(lookback_days) - 1)
    run = AudienceRun(ids, day, start, folder, tables)
    if run.table("interactions").empty:
        raise DataError(f"No interactions for {', '.join(ids)} between {start:%Y-%m-%d} and {day:%Y-%m-%d}; "
                        "choose another as_of or a longer lookback_days.")
    if run.table("audience")["user_id"].nunique() < 2:
        raise DataError("The audience of the chosen account(s) has fewer than 2 users: nothing to profile.")
    return run
