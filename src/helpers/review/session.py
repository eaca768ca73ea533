"""Period-review set-up: validate the notebook's parameters and load the data it reads.

The notebook's `parameters` cell holds plain defaults only (papermill overrides them); this module
derives everything else in one place and fails with a message that says which parameter is wrong
and what it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import config
from helpers.content import ER_BASES
from helpers.data import find_table_file, load_tables, parse_table, read_raw
from helpers.errors import DataError, ParameterError
from helpers.review.kpis import complete_daily_metrics
from helpers.params import check_choice, check_number, select_accounts
from helpers.periods import ReviewPeriod, resolve_period
from helpers.schema import TABLES

REVIEW_TABLES: tuple[str, ...] = ("accounts", "account_daily", "posts")
#: Tables the review uses when the data folder has them; without one, its section says so and is skipped
#: (platform exports bring posts and daily metrics, not ads, journeys or the risk register).
OPTIONAL_REVIEW_TABLES: tuple[str, ...] = ("ad_daily", "touchpoints", "conversions", "risks")
PERIOD_TYPES: tuple[str, ...] = ("week", "month", "quarter")
ANOMALY_METHODS: tuple[str, ...] = ("stl", "hampel")
KPI_ER_BASES: tuple[str, ...] = tuple(b for b in ER_BASES if b != "views")


@dataclass(frozen=True)
class ReviewSetup:
    """Everything the review derives from its parameters: the period, the accounts and the data."""

    period: ReviewPeriod
    account_ids: tuple[str, ...]
    data_dir: Path
    tables: dict[str, pd.DataFrame] = field(repr=False)
    targets: pd.DataFrame = field(repr=False)
    targets_note: str = ""
    data_notes: tuple[str, ...] = ()  # how metrics an export lacks were completed (see kpis.complete_daily_metrics)

    @property
    def accounts(self) -> pd.DataFrame:
        """The reviewed accounts' rows of the accounts table."""
        accounts = self.tables["accounts"]
        return accounts[accounts["account_id"].isin(self.account_ids)].reset_index(drop=True)

    @property
    def missing(self) -> tuple[str, ...]:
        """Optional tables the data folder does not have (their sections are skipped)."""
        return tuple(t for t in OPTIONAL_REVIEW_TABLES if t not in self.tables)

    def has(self, name: str) -> bool:
        """Whether the data folder has the table."""
        return name in self.tables

    def table(self, name: str) -> pd.DataFrame | None:
        """A loaded table restricted to the reviewed accounts (when it has an account_id column); None if absent."""
        if name not in self.tables and name in OPTIONAL_REVIEW_TABLES:
            return None
        frame = self.tables[name]
        if "account_id" in frame.columns:
            return frame[frame["account_id"].isin(self.account_ids)].reset_index(drop=True)
        return frame


def load_targets(source: str, data_dir: Path, known_accounts: set[str]) -> tuple[pd.DataFrame, str]:
    """Targets from the data folder ('data'), a CSV path, or none; with a note saying which."""
    empty = pd.DataFrame({"account_id": pd.Series(dtype=str), "kpi": pd.Series(dtype=str),
                          "period": pd.Series(dtype=str), "target": pd.Series(dtype=float)})
    text = str(source).strip()
    if text.lower() in ("none", ""):
        return empty, "No targets given: statuses come from the change against the previous period."
    if text.lower() == "data":
        if find_table_file("targets", data_dir) is None:
            return empty, ("No targets table in the data folder: statuses come from the change against the "
                           "previous period.")
        frames = load_tables(["targets"], data_dir)
        return frames["targets"], "Targets: the targets table of the data folder."
    path = Path(text).expanduser()
    if not path.exists():
        raise ParameterError(f"Parameter targets_source={text!r}: file not found. Use 'data', 'none' or a CSV path.")
    result = parse_table(read_raw(path), TABLES["targets"], str(path))
    if result.frame is None:
        raise DataError("\n".join(str(p) for p in result.errors))
    unknown = sorted(set(result.frame["account_id"]) - known_accounts)
    if unknown:
        raise DataError(f"{path}, column 'account_id': unknown account(s) {unknown}.")
    return result.frame, f"Targets: {path.name}."


def check_complete(period: ReviewPeriod, days: pd.Series) -> None:
    """Refuse a period the data covers only in part: sums would read as misses against full targets."""
    first, last = days.min(), days.max()
    if period.start < first or period.end > last:
        raise ParameterError(
            f"Period {period} is only partly covered by the data ({first:%Y-%m-%d} – {last:%Y-%m-%d}); "
            "a review needs a complete period, or its totals read as misses against full-period targets. "
            "Use period='latest' for the last complete one."
        )


def setup_review(account: str, period_type: str, period: str, data_dir: str, er_base: str,
                 anomaly_method: str, anomaly_threshold: float, roas_stop_loss: float, ctr_keep: float,
                 targets_source: str) -> ReviewSetup:
    """Validate every review parameter, load the data and resolve the period ('latest' included)."""
    check_choice("period_type", period_type, PERIOD_TYPES)
    check_choice("er_base", er_base, KPI_ER_BASES)
    check_choice("anomaly_method", anomaly_method, ANOMALY_METHODS)
    check_number("anomaly_threshold", anomaly_threshold, 1.0, 20.0)
    check_number("roas_stop_loss", roas_stop_loss, 0.0, 100.0)
    check_number("ctr_keep", ctr_keep, 0.0, 1.0)
    folder = config.data_dir(data_dir)
    present = [t for t in OPTIONAL_REVIEW_TABLES if folder.is_dir() and find_table_file(t, folder) is not None]
    tables = load_tables([*REVIEW_TABLES, *present], folder)
    account_ids = select_accounts(tables["accounts"], account)
    daily = tables["account_daily"]   # the days the data covers, before any derived day is added
    reviewed_days = daily.loc[daily["account_id"].isin(account_ids), "date"]
    tables["account_daily"], data_notes = complete_daily_metrics(daily)
    resolved = resolve_period(period_type, str(period), reviewed_days)
    check_complete(resolved, reviewed_days)
    targets, note = load_targets(targets_source, folder, set(tables["accounts"]["account_id"]))
    notes = tuple(n for n in data_notes if n.split(":", 1)[0] in account_ids)
    return ReviewSetup(resolved, account_ids, folder, tables, targets, note, notes)


def kpi_trend(account_daily: pd.DataFrame, posts: pd.DataFrame, ad_daily: pd.DataFrame,
              accounts: pd.DataFrame, targets: pd.DataFrame, periods: list[ReviewPeriod],
              kpi_names: tuple[str, ...], er_base: str = "impressions") -> pd.DataFrame:
    """KPI values and targets per account and period over trailing periods (for trend charts)."""
    from helpers.review.kpis import attach_targets, compute_kpis

    frames = []
    for p in periods:
        values = compute_kpis(account_daily, posts, ad_daily, accounts, p.start, p.end, er_base)
        values = attach_targets(values, targets, p.label, p.kind)
        frames.append(values[values["kpi"].isin(kpi_names)].assign(period=p.label, period_start=p.start))
    columns = ["period", "period_start", "account_id", "platform", "kpi", "value", "target"]
    return pd.concat(frames, ignore_index=True)[columns]


def scorecard_table(board: pd.DataFrame, scope: str = "total") -> pd.DataFrame:
    """The scorecard rows of one scope ('total' or an account id) in reading order, for display."""
    rows = board[board["account_id"] == scope]
    columns = ["label", "actual", "target", "attainment", "previous", "change_pct", "last_year", "yoy_pct",
               "status", "status_reason"]
    return rows[[c for c in columns if c in rows.columns]].set_index("label")


def styled_scorecard(board: pd.DataFrame, scope: str = "total") -> Any:
    """The scorecard of one scope as a display Styler: each KPI's values in its unit (rates as %, ROAS as x.xx)."""
    from helpers.review.kpis import KPIS
    from helpers.report import format_number

    table = scorecard_table(board, scope)
    units = board[board["account_id"] == scope].set_index("label")["kpi"].map(lambda k: KPIS[k].unit)
    values = [c for c in ("actual", "target", "previous", "last_year") if c in table.columns]
    changes = {c: f for c, f in (("attainment", "{:.0%}"), ("change_pct", "{:+.1%}"), ("yoy_pct", "{:+.1%}"))
               if c in table.columns}
    text = [c for c in table.columns if c not in values and c not in changes]
    style = table.style.format(escape="html", na_rep="–", subset=text)
    for column, pattern in changes.items():
        style = style.format(pattern, subset=[column], na_rep="–")
    style = style.format(format_number, subset=values, na_rep="–")
    for unit, text in (("rate", "{:.2%}"), ("ratio", "{:.2f}")):
        labels = [label for label in table.index if units.get(label) == unit]
        if labels and values:
            style = style.format(text, subset=pd.IndexSlice[labels, values], na_rep="–")
    return style


def status_overview(board: pd.DataFrame) -> pd.DataFrame:
    """Status per KPI (rows) and platform (columns): the at-a-glance health grid."""
    return board.pivot_table(index="label", columns="platform", values="status", aggfunc="first", sort=False)
