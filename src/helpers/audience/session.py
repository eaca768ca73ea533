"""The audience notebook's set-up: validate its parameters once and load the tables it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import config
from helpers.audience.engine import Events, check_parquet_events, events_from_parquet, from_frame, literal
from helpers.data import find_table_file, load_tables
from helpers.errors import DataError, ParameterError
from helpers.timezones import account_zones
from helpers.params import check_choice, check_number, select_accounts

AUDIENCE_TABLES: tuple[str, ...] = ("accounts", "audience", "interactions", "posts")
SMALL_TABLES: tuple[str, ...] = ("accounts", "audience", "posts")
"""Tables loaded into pandas; interactions go to DuckDB (helpers.audience.engine)."""
BOT_RULES: tuple[str, ...] = ("iqr", "sigma")


@dataclass(frozen=True)
class AudienceRun:
    """Validated parameters, the small tables (pandas) and the profiled accounts' interactions (DuckDB)."""

    account_ids: tuple[str, ...]
    as_of: pd.Timestamp
    start: pd.Timestamp
    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(repr=False)
    events: Events = field(repr=False)
    """All interactions of the profiled accounts (every date), naive local time."""

    @property
    def end(self) -> pd.Timestamp:
        """The instant the analysis window ends: midnight after the analysis date."""
        return self.as_of + pd.Timedelta(days=1)

    def table(self, name: str) -> pd.DataFrame:
        """A small table (accounts, audience, posts) restricted to the profiled accounts."""
        frame = self.tables[name]
        if "account_id" in frame.columns:
            frame = frame[frame["account_id"].isin(self.account_ids)]
        return frame.reset_index(drop=True)

    def window_events(self) -> Events:
        """The profiled accounts' interactions on the calendar days start..as_of (inclusive)."""
        return self.events.where(f"occurred_at >= {literal(self.start)} AND occurred_at < {literal(self.end)}")


def resolve_as_of(text: str, events: Events) -> pd.Timestamp:
    """The analysis date: a YYYY-MM-DD string, or 'latest' = the last day with interactions."""
    value = str(text).strip()
    if value in ("", "latest"):
        last = events.con.execute(f"SELECT max(occurred_at) FROM {events.name}").fetchone()[0]
        if last is None:
            raise DataError("The chosen account(s) have no interactions at all; nothing to profile.")
        return pd.Timestamp(last).normalize()
    try:
        return pd.to_datetime(value, format="ISO8601").normalize()
    except (ValueError, TypeError):
        raise ParameterError(f"Parameter as_of={text!r} must be a date like 2026-10-31 or 'latest'.") from None


def load_events(folder: Path, accounts: pd.DataFrame, account_ids: tuple[str, ...]) -> tuple[Events, pd.DataFrame | None]:
    """The profiled accounts' interactions: a Parquet file is checked and read in place, a CSV loaded and validated."""
    path = find_table_file("interactions", folder)
    if path is not None and path.name.endswith(".parquet"):
        check_parquet_events(path, accounts["account_id"])
        return events_from_parquet(path, account_ids, account_zones(accounts).to_dict()), None
    frame = load_tables(["interactions"], folder)["interactions"]
    mine = frame[frame["account_id"].isin(account_ids)].reset_index(drop=True)
    return from_frame(mine, accounts), frame


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
    tables = load_tables(SMALL_TABLES, folder)
    ids = select_accounts(tables["accounts"], account)
    account_zones(tables["accounts"][tables["accounts"]["account_id"].isin(ids)])  # unknown zone → DataError
    events, _ = load_events(folder, tables["accounts"], ids)
    day = resolve_as_of(as_of, events)
    start = day - pd.Timedelta(days=int(lookback_days) - 1)
    run = AudienceRun(ids, day, start, folder, tables, events)
    if run.window_events().rows() == 0:
        raise DataError(f"No interactions for {', '.join(ids)} between {start:%Y-%m-%d} and {day:%Y-%m-%d}; "
                        "choose another as_of or a longer lookback_days.")
    if run.table("audience")["user_id"].nunique() < 2:
        raise DataError("The audience of the chosen account(s) has fewer than 2 users: nothing to profile.")
    return run
