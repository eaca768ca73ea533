"""Period-review set-up: check every notebook parameter and load the data the review reads.

The notebook's `parameters` cell holds the defaults (papermill overrides them); `prepare` checks each
value in one place, failing with a message that names the parameter, what it got and what it
accepts, and returns the checked values with the loaded tables, the period and its trend window.
"""

from __future__ import annotations

import gc
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import config, i18n
from helpers.content import ER_BASES
from helpers.data import (
    DataWarning,
    check_files,
    find_table_file,
    load_checked_tables,
    load_tables,
    parse_table,
    read_raw,
)
from helpers.errors import DataError, ParameterError
from helpers.i18n import _
from helpers.params import check_choice, check_number, check_whole, select_accounts
from helpers.periods import ReviewPeriod, requested_period, resolve_period, trailing_periods
from helpers.review.attribution import MARKOV_VALUES
from helpers.review.kpis import MIN_COVERAGE, check_min_coverage, complete_daily_metrics
from helpers.schema import TABLES

REVIEW_TABLES: tuple[str, ...] = ("accounts", "account_daily", "posts")
#: Tables the review uses when the data folder has them; without one, its section says so and is skipped
#: (platform exports bring posts and daily metrics, not ads, journeys or the risk register).
OPTIONAL_REVIEW_TABLES: tuple[str, ...] = ("ad_daily", "touchpoints", "conversions", "risks", "comments")
#: "year" is the year-end review (METHODOLOGY: the year's attainment, growth, sentiment split and crises).
PERIOD_TYPES: tuple[str, ...] = ("week", "month", "quarter", "year")
ANOMALY_METHODS: tuple[str, ...] = ("stl", "hampel")
KPI_ER_BASES: tuple[str, ...] = tuple(b for b in ER_BASES if b != "views")
#: Posts ranked in the content section when top_n is 0 (auto): the year-end review shows a top 10.
TOP_N_DEFAULT: int = 5
TOP_N_YEAR: int = 10
_YEAR_LABEL = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class ReviewRun:
    """Everything the review derives from its parameters: checked values, the period, the accounts, the data."""

    period: ReviewPeriod
    account_ids: tuple[str, ...]
    data_dir: Path
    er_base: str
    anomaly_method: str
    anomaly_threshold: float
    bot_iqr_k: float
    roas_stop_loss: float
    ctr_keep: float
    trend: tuple[ReviewPeriod, ...]  # the trend charts' periods, oldest first, ending with `period`
    top_n: int
    tables: dict[str, pd.DataFrame] = field(repr=False)
    targets: pd.DataFrame = field(repr=False)
    targets_note: str = ""
    data_notes: tuple[str, ...] = ()  # how metrics an export lacks were completed (see kpis.complete_daily_metrics)
    lang: str = i18n.DEFAULT_LANGUAGE  # the report's language (zh-CN or en), resolved by prepare
    markov_value: str = MARKOV_VALUES[0]  # the Markov model's value credit: conversion share or value removal effects
    min_coverage: float = MIN_COVERAGE  # share of the period's days a KPI's data must cover to be judged

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
        return self._reviewed(frame) if "account_id" in frame.columns else frame

    @property
    def daily(self) -> pd.DataFrame:
        """The reviewed accounts' account_daily rows (before bot traffic is removed)."""
        return self.tables["account_daily"].pipe(self._reviewed)

    @property
    def posts(self) -> pd.DataFrame:
        """The reviewed accounts' posts."""
        return self.tables["posts"].pipe(self._reviewed)

    @property
    def ad_daily(self) -> pd.DataFrame | None:
        """The reviewed accounts' ad_daily rows; None when there are none (no ad data, or none for these accounts)."""
        rows = self.table("ad_daily")
        return rows if rows is not None and not rows.empty else None

    def _reviewed(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["account_id"].isin(self.account_ids)].reset_index(drop=True)


def targets_path(source: str) -> Path:
    """A targets CSV path: absolute as given; relative to the current folder, else to the project root.

    The project root (config.ROOT) is where an account-plan run writes outputs/account_plan/<year>/targets.csv;
    the kernel runs in notebooks/, so a path relative to the root must work there too.
    """
    path = Path(str(source).strip()).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return config.ROOT / path


def check_targets_source(source: str) -> str:
    """targets_source as text: 'data', 'none' (or empty) or the path of a CSV file that exists."""
    text = str(source).strip()
    if text.lower() not in ("none", "", "data") and not targets_path(text).is_file():
        raise ParameterError(
            f"Parameter targets_source={text!r}: file not found (looked in the current folder and in {config.ROOT}). "
            "Use 'data' (the data folder's targets table), 'none', or the path of a targets CSV such as the one "
            "an account-plan run writes: run `opsbook run account_plan -p plan_year <year>` first, then pass "
            "outputs/account_plan/<year>/targets.csv.")
    return text


def load_targets(source: str, data_dir: Path, known_accounts: set[str]) -> tuple[pd.DataFrame, str]:
    """Targets from the data folder ('data'), a CSV path, or none; with a note saying which."""
    empty = pd.DataFrame({"account_id": pd.Series(dtype=str), "kpi": pd.Series(dtype=str),
                          "period": pd.Series(dtype=str), "target": pd.Series(dtype=float)})
    text = check_targets_source(source)
    if text.lower() in ("none", ""):
        return empty, _("No targets given: statuses come from the change against the previous period.")
    if text.lower() == "data":
        if find_table_file("targets", data_dir) is None:
            return empty, _("No targets table in the data folder: statuses come from the change against the "
                             "previous period.")
        frames = load_tables(["targets"], data_dir)
        return frames["targets"], _("Targets: the targets table of the data folder.")
    path = targets_path(text)
    result = parse_table(read_raw(path), TABLES["targets"], str(path))
    if result.frame is None:
        raise DataError("\n".join(str(p) for p in result.errors))
    unknown = sorted(set(result.frame["account_id"]) - known_accounts)
    if unknown:
        raise DataError(f"{path}, column 'account_id': unknown account(s) {unknown}.")
    return result.frame, _("Targets: {file}.").format(file=_shown_path(path))


def _shown_path(path: Path) -> str:
    """A file's path as the report shows it: relative to the project root when inside it, else as given."""
    try:
        return str(path.resolve().relative_to(config.ROOT.resolve()))
    except ValueError:
        return str(path)


def check_complete(period: ReviewPeriod, days: pd.Series) -> None:
    """Refuse a period the data covers only in part: sums would read as misses against full targets."""
    first, last = days.min(), days.max()
    if period.start < first or period.end > last:
        raise ParameterError(
            f"Period {period} is only partly covered by the data ({first:%Y-%m-%d} – {last:%Y-%m-%d}); "
            "a review needs a complete period, or its totals read as misses against full-period targets. "
            "Use period='latest' for the last complete one."
        )


@dataclass(frozen=True)
class ReviewParameters:
    """The review's parameters checked before the big tables are read (check_parameters)."""

    data_dir: Path
    account_ids: tuple[str, ...]
    anomaly_threshold: float
    bot_iqr_k: float
    roas_stop_loss: float
    ctr_keep: float
    trend_periods: int
    top_n: int
    markov_value: str
    period_type: str = "month"  # the period's kind: a 4-digit period (2025) is a year whatever period_type says
    min_coverage: float = MIN_COVERAGE


def period_kind(period_type: str, period: str) -> str:
    """The kind of period reviewed: 'year' for a 4-digit label (``--period 2025``), else period_type."""
    return "year" if _YEAR_LABEL.match(str(period).strip()) else period_type


def top_posts_shown(top_n: int, kind: str) -> int:
    """Posts in the top and bottom tables: top_n, or when it is 0 (auto) 10 for a year and 5 otherwise."""
    return top_n or (TOP_N_YEAR if kind == "year" else TOP_N_DEFAULT)


def check_parameters(*, account: str | list[str], period_type: str, period: str, data_dir: str, er_base: str,
                     anomaly_method: str, anomaly_threshold: float, bot_iqr_k: float, roas_stop_loss: float,
                     ctr_keep: float, targets_source: str, trend_periods: int, top_n: int, markov_value: str,
                     min_coverage: float, lang: str) -> ReviewParameters:
    """Every check of prepare that needs no big table: values, the period's label, the data folder, the accounts.

    Values are checked before any file is read, so a typo fails in a second; then the data folder's
    files and the accounts table (small). Whether the data covers the period is prepare's to check.
    """
    i18n.resolve_language(lang)
    check_choice("period_type", period_type, PERIOD_TYPES)
    kind = period_kind(period_type, period)
    check_choice("er_base", er_base, KPI_ER_BASES)
    check_choice("anomaly_method", anomaly_method, ANOMALY_METHODS)
    threshold = check_number("anomaly_threshold", anomaly_threshold, 1.0, 20.0)
    iqr_k = check_number("bot_iqr_k", bot_iqr_k, 0.0, 10.0)
    stop_loss = check_number("roas_stop_loss", roas_stop_loss, 0.0, 100.0)
    keep = check_number("ctr_keep", ctr_keep, 0.0, 1.0)
    n_trend = check_whole("trend_periods", trend_periods, 1, 60)
    n_top = check_whole("top_n", top_n, 0, 100)
    value_credit = check_choice("markov_value", markov_value, MARKOV_VALUES)
    coverage = check_min_coverage(min_coverage)
    requested_period(kind, str(period))
    check_targets_source(targets_source)
    folder = check_files(REVIEW_TABLES, data_dir)
    account_ids = select_accounts(load_checked_tables(["accounts"], folder)["accounts"], account)
    return ReviewParameters(data_dir=folder, account_ids=account_ids, anomaly_threshold=threshold, bot_iqr_k=iqr_k,
                            roas_stop_loss=stop_loss, ctr_keep=keep, trend_periods=n_trend,
                            top_n=top_posts_shown(n_top, kind), markov_value=value_credit, period_type=kind,
                            min_coverage=coverage)


def freeze_imports() -> bool:
    """In a runner's kernel (``OPSBOOK_HEADLESS``), move every object alive now (the imported libraries) out of
    the cyclic garbage collector's reach (`gc.freeze`); returns whether it did.

    A full collection walks every tracked object: after the review's imports that is ~0.25 s each time, once or
    twice a run (issue 22). Frozen objects are never collected, which costs nothing in a kernel that runs one
    notebook and exits; a person's kernel (JupyterLab) and tests are left as they are.
    """
    if os.environ.get(config.HEADLESS_ENV, "") in ("", "0"):
        return False
    gc.freeze()
    return True


def prepare(*, account: str | list[str], period_type: str, period: str, data_dir: str, er_base: str,
            anomaly_method: str, anomaly_threshold: float, bot_iqr_k: float, roas_stop_loss: float,
            ctr_keep: float, targets_source: str, trend_periods: int, top_n: int, markov_value: str,
            min_coverage: float, lang: str) -> ReviewRun:
    """Set the report language, check every review parameter, load the data and resolve the period.

    `lang` ("zh-CN", "en", or "" for $OPSBOOK_LANG, else zh-CN) is set first, so everything the
    review writes for people follows it.

    check_parameters checks the values, the period's label, the data folder and the accounts before
    the big tables are read; then the period is resolved on the data (a complete one) and the targets loaded.
    """
    freeze_imports()  # the first call after the notebook's imports
    language = i18n.set_language(lang)
    checked = check_parameters(
        account=account, period_type=period_type, period=period, data_dir=data_dir, er_base=er_base,
        anomaly_method=anomaly_method, anomaly_threshold=anomaly_threshold, bot_iqr_k=bot_iqr_k,
        roas_stop_loss=roas_stop_loss, ctr_keep=ctr_keep, targets_source=targets_source,
        trend_periods=trend_periods, top_n=top_n, markov_value=markov_value, min_coverage=min_coverage, lang=lang)
    folder, account_ids = checked.data_dir, checked.account_ids
    present = [t for t in OPTIONAL_REVIEW_TABLES if find_table_file(t, folder) is not None]
    with warnings.catch_warnings():  # optional metric columns a platform lacks are shown as missing, not warned;
        warnings.simplefilter("ignore", DataWarning)  # left-out rows are data notes (RunOutputs shows them)
        tables = load_tables([*REVIEW_TABLES, *present], folder)
    daily = tables["account_daily"]   # the days the data covers, before any derived day is added
    reviewed_days = daily.loc[daily["account_id"].isin(account_ids), "date"]
    tables["account_daily"], data_notes = complete_daily_metrics(daily)
    resolved = resolve_period(checked.period_type, str(period), reviewed_days)
    check_complete(resolved, reviewed_days)
    targets, note = load_targets(targets_source, folder, set(tables["accounts"]["account_id"]))
    notes = tuple(n for n in data_notes if n.split(":", 1)[0] in account_ids)
    return ReviewRun(period=resolved, account_ids=account_ids, data_dir=folder, er_base=er_base,
                     anomaly_method=anomaly_method, anomaly_threshold=checked.anomaly_threshold,
                     bot_iqr_k=checked.bot_iqr_k, roas_stop_loss=checked.roas_stop_loss, ctr_keep=checked.ctr_keep,
                     trend=tuple(trailing_periods(resolved, checked.trend_periods)), top_n=checked.top_n,
                     tables=tables, targets=targets, targets_note=note, data_notes=notes, lang=language,
                     markov_value=checked.markov_value, min_coverage=checked.min_coverage)
