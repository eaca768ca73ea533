"""The audience notebook's set-up: check every parameter once, load the tables it reads, fix the window.

`prepare(...)` is the only entry point. It takes every notebook parameter but `output_dir`
(keyword-only, no defaults: those live in the notebook's parameters cell), refuses a bad value with
a ParameterError naming the parameter, what it got and what it accepts, and returns an
`AudienceRun` with the checked values, the small tables (pandas) and the profiled accounts'
interactions (DuckDB, see helpers.audience.engine).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from helpers import i18n
from helpers.audience.engine import (
    Events,
    check_parquet_events,
    code_users,
    events_from_parquet,
    from_frame,
    literal,
    one_row,
)
from helpers.data import DataWarning, check_files, find_table_file, load_checked_tables, load_tables
from helpers.errors import DataError, ParameterError
from helpers.params import check_choice, check_number, check_whole, select_accounts
from helpers.timezones import account_zones

AUDIENCE_TABLES: tuple[str, ...] = ("accounts", "audience", "interactions", "posts")
SMALL_TABLES: tuple[str, ...] = ("accounts", "audience", "posts")
"""Tables loaded into pandas; interactions go to DuckDB (helpers.audience.engine)."""
BOT_RULES: tuple[str, ...] = ("iqr", "sigma")
MONETARY: tuple[str, ...] = ("purchase", "engagement")
COHORTS: tuple[str, ...] = ("week", "month")
LATEST = "latest"


@dataclass(frozen=True)
class AudienceRun:
    """Checked parameters, the small tables (pandas) and the profiled accounts' interactions (DuckDB)."""

    account_ids: tuple[str, ...]
    as_of: pd.Timestamp
    start: pd.Timestamp
    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(repr=False)
    events: Events = field(repr=False)
    """All interactions of the profiled accounts (every date), naive local time."""
    lookback_days: int
    bot_rule: str
    bot_k: float
    n_clusters: int | Literal["auto"]
    min_segment_size: int
    monetary: str
    cohort: str
    lang: str = i18n.DEFAULT_LANGUAGE
    """The report's language (zh-CN or en), set by prepare before anything else."""
    _window: list[Events] = field(default_factory=list, repr=False, compare=False)
    """The window's coded events once made (window_events)."""

    @property
    def end(self) -> pd.Timestamp:
        """The instant the analysis window ends: midnight after the analysis date."""
        return self.as_of + pd.Timedelta(days=1)

    @property
    def label(self) -> str:
        """The run label (the analysis date, YYYY-MM-DD): the runner names the run folder from it."""
        return f"{self.as_of:%Y-%m-%d}"

    @property
    def account_names(self) -> tuple[str, ...]:
        """The profiled accounts' names (accounts.name; the id when the name is missing), in account_ids order."""
        accounts = self.tables["accounts"].drop_duplicates("account_id").set_index("account_id")
        names = accounts["name"] if "name" in accounts.columns else pd.Series(dtype="object")
        return tuple(str(names.get(i)) if pd.notna(names.get(i)) and str(names.get(i)).strip() else i
                     for i in self.account_ids)

    def table(self, name: str) -> pd.DataFrame:
        """A small table (accounts, audience, posts) restricted to the profiled accounts."""
        frame = self.tables[name]
        if "account_id" in frame.columns:
            mine = frame["account_id"].isin(self.account_ids)
            if not mine.all():  # every row kept: no copy (issue 22: the audience of 10 M users is ~1.3 GB)
                frame = frame[mine]
        return frame.reset_index(drop=True)

    def window_events(self) -> Events:
        """The profiled accounts' interactions on the calendar days start..as_of (inclusive), users as integer codes.

        Made once (a DuckDB table, `engine.code_users`) and the same Events on every call: the
        per-user queries group integers instead of text ids (issue 22).
        """
        if not self._window:
            window = self.events.where(f"occurred_at >= {literal(self.start)} AND occurred_at < {literal(self.end)}")
            self._window.append(code_users(window))
        return self._window[0]


def check_clusters(value: Any) -> int | Literal["auto"]:
    """n_clusters: 'auto' (k chosen by silhouette) or a whole number from 2 to 20."""
    if isinstance(value, str) and value.strip() == "auto":
        return "auto"
    return check_whole("n_clusters", value, 2, 20)


def check_as_of(value: Any) -> pd.Timestamp | None:
    """The analysis date as a midnight Timestamp, or None for 'latest' (or empty): resolved on the data."""
    text = str(value).strip()
    if text in ("", LATEST):
        return None
    try:
        return pd.to_datetime(text, format="ISO8601").normalize()
    except (ValueError, TypeError):
        raise ParameterError(f"Parameter as_of={value!r} must be a date like 2026-10-31 or 'latest'.") from None


def last_event_day(events: Events) -> pd.Timestamp:
    """The day of the last interaction ('latest'); DataError when there is none."""
    last = one_row(events.con, f"SELECT max(occurred_at) FROM {events.name}")[0]
    if last is None:
        raise DataError("The chosen account(s) have no interactions at all; nothing to profile.")
    return pd.Timestamp(last).normalize()


def load_events(folder: Path, accounts: pd.DataFrame, account_ids: tuple[str, ...]) -> Events:
    """The profiled accounts' interactions: a Parquet file is checked and read in place, a CSV loaded and validated."""
    path = find_table_file("interactions", folder)
    if path is not None and path.name.endswith(".parquet"):
        check_parquet_events(path, accounts["account_id"])
        return events_from_parquet(path, account_ids, account_zones(accounts).to_dict())
    frame = load_tables(["interactions"], folder)["interactions"]
    mine = frame[frame["account_id"].isin(account_ids)].reset_index(drop=True)
    return from_frame(mine, accounts)


@dataclass(frozen=True)
class AudienceParameters:
    """The audience parameters checked before the big tables are read (check_parameters)."""

    data_dir: Path
    account_ids: tuple[str, ...]
    as_of: pd.Timestamp | None
    """The analysis date; None for 'latest' (the last day with interactions, found on the data)."""
    lookback_days: int
    bot_rule: str
    bot_k: float
    n_clusters: int | Literal["auto"]
    min_segment_size: int
    monetary: str
    cohort: str


def check_parameters(*, account: Any, as_of: Any, lookback_days: Any, data_dir: Any, bot_rule: Any, bot_k: Any,
                     n_clusters: Any, min_segment_size: Any, monetary: Any, cohort: Any,
                     lang: Any) -> AudienceParameters:
    """Every check of prepare that needs no big table: values, as_of, the data folder, the accounts and their zones."""
    i18n.resolve_language(lang)
    rule = check_choice("bot_rule", bot_rule, BOT_RULES)
    k = check_number("bot_k", bot_k, 0.5, 10.0)
    days = check_whole("lookback_days", lookback_days, 7, 3650)
    min_size = check_whole("min_segment_size", min_segment_size, 1, 1_000_000_000)
    clusters = check_clusters(n_clusters)
    basis = check_choice("monetary", monetary, MONETARY)
    period = check_choice("cohort", cohort, COHORTS)
    day = check_as_of(as_of)
    folder = check_files(AUDIENCE_TABLES, data_dir)
    accounts = load_checked_tables(["accounts"], folder)["accounts"]
    ids = select_accounts(accounts, account)
    account_zones(accounts[accounts["account_id"].isin(ids)])  # unknown zone → DataError
    return AudienceParameters(folder, ids, day, lookback_days=days, bot_rule=rule, bot_k=k, n_clusters=clusters,
                              min_segment_size=min_size, monetary=basis, cohort=period)


def prepare(*, account: Any, as_of: Any, lookback_days: Any, data_dir: Any, bot_rule: Any, bot_k: Any,
            n_clusters: Any, min_segment_size: Any, monetary: Any, cohort: Any, lang: Any) -> AudienceRun:
    """Check every parameter, load the tables and fix the analysis window (lookback_days ending on as_of).

    account: 'own' or a list of account ids; as_of: a date or 'latest' (the last day with
    interactions); lang: the report's language (zh-CN or en; empty = $OPSBOOK_LANG, else zh-CN),
    set first so everything after speaks it. check_parameters checks everything the big tables are
    not needed for. Data warnings of the loader (optional columns missing) are not shown: the
    sections show missing values as missing.
    """
    language = i18n.set_language(lang)
    checked = check_parameters(account=account, as_of=as_of, lookback_days=lookback_days, data_dir=data_dir,
                               bot_rule=bot_rule, bot_k=bot_k, n_clusters=n_clusters,
                               min_segment_size=min_segment_size, monetary=monetary, cohort=cohort, lang=lang)
    folder, ids = checked.data_dir, checked.account_ids
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        tables = load_tables(SMALL_TABLES, folder)
        events = load_events(folder, tables["accounts"], ids)
    day = last_event_day(events) if checked.as_of is None else checked.as_of
    start = day - pd.Timedelta(days=checked.lookback_days - 1)
    run = AudienceRun(ids, day, start, folder, tables, events, lookback_days=checked.lookback_days,
                      bot_rule=checked.bot_rule, bot_k=checked.bot_k, n_clusters=checked.n_clusters,
                      min_segment_size=checked.min_segment_size, monetary=checked.monetary, cohort=checked.cohort,
                      lang=language)
    if run.window_events().rows() == 0:
        raise DataError(f"No interactions for {', '.join(ids)} between {start:%Y-%m-%d} and {day:%Y-%m-%d}; "
                        "choose another as_of or a longer lookback_days.")
    if run.table("audience")["user_id"].nunique() < 2:
        raise DataError("The audience of the chosen account(s) has fewer than 2 users: nothing to profile.")
    return run
