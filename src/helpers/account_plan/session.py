"""Account-plan set-up: check every notebook parameter and load the history the plan is built on.

The notebook's `parameters` cell holds the defaults (papermill overrides them); `check_parameters`
checks each value before any big table is read (the runner calls it before a kernel starts) and
`prepare` loads account_daily (and ad_daily, targets when the folder has them) for the chosen own
accounts, resolves ``as_of`` (the last month of actuals: ``latest`` = the last complete month) and
the plan year (``next`` = the year after as_of; ``current`` = as_of's own year, a re-plan that keeps
the months already closed) and returns a `PlanRun`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import i18n
from helpers.data import (
    DataWarning,
    account_names,
    account_platforms,
    check_files,
    find_table_file,
    load_checked_tables,
    load_tables,
)
from helpers.errors import DataError, ParameterError
from helpers.i18n import N_
from helpers.params import check_choice, check_mapping, check_number, check_optional_list, check_whole, select_accounts

__all__ = [
    "BUDGET_OUTCOMES",
    "BUDGET_UNITS",
    "KPI_LABELS",
    "OPTIONAL_PLAN_TABLES",
    "PLAN_KPI_NAMES",
    "PLAN_TABLES",
    "STAGES",
    "PlanParameters",
    "PlanRun",
    "check_parameters",
    "prepare",
]

PLAN_TABLES: tuple[str, ...] = ("accounts", "account_daily")
#: Read when the data folder has them: ad_daily (the budget), targets (kept rows, a re-plan's annual targets).
OPTIONAL_PLAN_TABLES: tuple[str, ...] = ("ad_daily", "targets")
#: The KPIs a plan can set targets for (the period review's names).
PLAN_KPI_NAMES: tuple[str, ...] = ("followers", "net_follower_change", "impressions", "engagements",
                                   "engagement_rate", "conversions", "revenue")
#: Each plan KPI's name as a reader sees it (the period review's words).
KPI_LABELS: dict[str, str] = {"followers": N_("Followers"), "net_follower_change": N_("Net follower change"),
                              "impressions": N_("Impressions"), "engagements": N_("Engagements"),
                              "engagement_rate": N_("Engagement rate"), "conversions": N_("Conversions"),
                              "revenue": N_("Revenue")}
#: The plan's stages (METHODOLOGY 1): months 1–3 audience base, 4–6 deep engagement, 7–12 commercial conversion.
STAGES: tuple[str, ...] = ("1-3", "4-6", "7-12")
BUDGET_UNITS: tuple[str, ...] = ("campaign_id", "channel")
BUDGET_OUTCOMES: tuple[str, ...] = ("revenue", "conversions")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class PlanParameters:
    """The checked values of every parameter that needs no big table."""

    data_dir: Path
    account_ids: tuple[str, ...]
    plan_year: str
    as_of: str
    kpis: tuple[str, ...]
    ambition: str
    stretch_quantile: float
    growth_goals: dict[str, float]
    stage_kpis: dict[str, tuple[str, ...]]
    backtest_origins: int
    backtest_horizon: int
    n_sims: int
    budget: float
    budget_by: str
    budget_outcome: str
    reserve_share: float
    test_share: float
    test_units: tuple[str, ...]
    roas_stop_loss: float


@dataclass(frozen=True)
class PlanRun:
    """Checked parameters, the resolved months and the history of the chosen own accounts."""

    settings: PlanParameters
    as_of: str
    plan_year: int
    lang: str
    tables: dict[str, pd.DataFrame] = field(repr=False)
    daily: pd.DataFrame = field(repr=False)

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The planned accounts."""
        return self.settings.account_ids

    @property
    def names(self) -> dict[str, str]:
        """Account id → display name."""
        return account_names(self.tables["accounts"])

    @property
    def platforms(self) -> dict[str, str]:
        """Account id → platform."""
        return account_platforms(self.tables["accounts"])

    @property
    def replan(self) -> bool:
        """Whether the plan year has already begun (its closed months keep their actuals)."""
        return int(self.as_of[:4]) == self.plan_year

    @property
    def horizon_end(self) -> str:
        """The last month forecast: December of the plan year."""
        return f"{self.plan_year}-12"

    @property
    def budget_month(self) -> str:
        """The month the budget is allocated for: the one after as_of."""
        return str(pd.Period(self.as_of, freq="M") + 1)

    @property
    def ad_daily(self) -> pd.DataFrame | None:
        """The chosen accounts' ad rows up to as_of's end, or None without ad_daily.csv."""
        ads = self.tables.get("ad_daily")
        if ads is None:
            return None
        end = pd.Period(self.as_of, freq="M").end_time.normalize()
        keep = ads["account_id"].isin(self.account_ids) & (ads["date"] <= end)
        return ads[keep].reset_index(drop=True)

    @property
    def targets(self) -> pd.DataFrame | None:
        """The data folder's targets table, or None."""
        return self.tables.get("targets")


def _check_plan_year(value: Any) -> str:
    """next, current, or a four-digit year."""
    text = str(value).strip().lower()
    if text in ("next", "current") or re.fullmatch(r"\d{4}", text):
        return text
    raise ParameterError(f"Parameter plan_year={value!r} is not valid; use a year like 2027, next (the year after "
                         "as_of) or current (re-plan the year as_of is in).")


def _check_as_of(value: Any) -> str:
    """latest or a month label YYYY-MM."""
    text = str(value).strip().lower()
    if text == "latest":
        return text
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ParameterError(f"Parameter as_of={value!r} is not valid; use a month like 2026-10 (the last month of "
                             "actuals the plan starts from) or latest (the last complete month of the data).")
    return text


def _check_kpis(name: str, value: Any) -> tuple[str, ...]:
    """A non-empty list of plan KPIs."""
    kpis = check_optional_list(name, value, allowed=PLAN_KPI_NAMES, example='["followers", "revenue"]')
    if not kpis:
        raise ParameterError(f"Parameter {name} is empty; give some of: {', '.join(PLAN_KPI_NAMES)}.")
    return kpis


def _check_growth(name: str, value: Any) -> float:
    """A growth goal: a fraction above −1 (0.3 = +30 %)."""
    return check_number(name, value, -0.99, 10.0)


def _check_stages(value: Any, kpis: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Stage (1-3, 4-6, 7-12) → its lead KPIs, each one of the planned KPIs."""
    example = '{"1-3": ["followers"], "4-6": ["engagements"], "7-12": ["revenue"]}'
    stages = check_mapping("stage_kpis", value, _check_kpis, allowed_keys=STAGES, example=example)
    unplanned = sorted({k for ks in stages.values() for k in ks} - set(kpis))
    if unplanned:
        raise ParameterError(f"Parameter stage_kpis names {unplanned}, which are not in kpis; add them to kpis or "
                             "take them out of the stages.")
    return stages


def check_parameters(*, account: str | list[str], plan_year: str | int, as_of: str, kpis: list[str], ambition: str,
                     stretch_quantile: float, growth_goals: dict[str, float], stage_kpis: dict[str, list[str]],
                     backtest_origins: int, backtest_horizon: int, n_sims: int, budget: float, budget_by: str,
                     budget_outcome: str, reserve_share: float, test_share: float, test_units: list[str],
                     roas_stop_loss: float, data_dir: str, lang: str) -> PlanParameters:
    """Every check of prepare that needs no big table: values, labels, the data folder, the accounts."""
    i18n.resolve_language(lang)
    chosen = _check_kpis("kpis", kpis)
    goals = check_mapping("growth_goals", growth_goals, _check_growth, allowed_keys=PLAN_KPI_NAMES,
                          example='{"followers": 0.3, "revenue": 0.25}', allow_empty=True)
    folder = check_files(PLAN_TABLES, data_dir)
    accounts = load_checked_tables(["accounts"], folder)["accounts"]
    return PlanParameters(
        data_dir=folder, account_ids=select_accounts(accounts, account), plan_year=_check_plan_year(plan_year),
        as_of=_check_as_of(as_of), kpis=chosen, ambition=check_choice("ambition", ambition, ("baseline", "stretch")),
        stretch_quantile=check_number("stretch_quantile", stretch_quantile, 0.51, 0.99),
        growth_goals=dict(goals), stage_kpis=_check_stages(stage_kpis, chosen),
        backtest_origins=check_whole("backtest_origins", backtest_origins, 1, 24),
        backtest_horizon=check_whole("backtest_horizon", backtest_horizon, 1, 12),
        n_sims=check_whole("n_sims", n_sims, 100, 20000), budget=check_number("budget", budget, 0, 1e12),
        budget_by=check_choice("budget_by", budget_by, BUDGET_UNITS),
        budget_outcome=check_choice("budget_outcome", budget_outcome, BUDGET_OUTCOMES),
        reserve_share=check_number("reserve_share", reserve_share, 0.10, 0.20),
        test_share=check_number("test_share", test_share, 0.0, 0.3),
        test_units=check_optional_list("test_units", test_units, example='["cmp_new_channel"]'),
        roas_stop_loss=check_number("roas_stop_loss", roas_stop_loss, 0.1, 100.0))


def _complete_months(daily: pd.DataFrame, account_ids: tuple[str, ...]) -> list[str]:
    """Months every chosen account covers day by day (first to last day present)."""
    months: set[str] | None = None
    for account_id in account_ids:
        days = pd.DatetimeIndex(daily.loc[daily["account_id"] == account_id, "date"]).normalize().unique()
        per_month = pd.Series(1, index=days).groupby(days.to_period("M")).size()
        full = {str(p) for p, n in per_month.items() if n == p.days_in_month}
        months = full if months is None else months & full
    return sorted(months or ())


def _resolve_as_of(requested: str, complete: list[str], folder: Path) -> str:
    """The last month of actuals: latest = the last complete month; a given month must be complete."""
    if not complete:
        raise DataError(f"account_daily.csv in {folder} has no complete month for the chosen accounts; a plan needs "
                        "at least 12 complete months of history (import more days, or check the parameter account).")
    if requested == "latest":
        return complete[-1]
    if requested not in complete:
        raise DataError(f"as_of={requested} is not a complete month of account_daily.csv in {folder} (complete: "
                        f"{complete[0]} to {complete[-1]}); give one of those or latest.")
    return requested


def _resolve_plan_year(requested: str, as_of: str) -> int:
    """The plan's calendar year from next/current/YYYY, refused when nothing of it is left to plan or it is too far."""
    as_of_year = int(as_of[:4])
    year = as_of_year + 1 if requested == "next" else as_of_year if requested == "current" else int(requested)
    if year < as_of_year or (year == as_of_year and as_of.endswith("-12")):
        raise ParameterError(f"plan_year={requested} is over by as_of={as_of}: nothing is left to plan. Give a later "
                             "year, or next.")
    if year > as_of_year + 2:
        raise ParameterError(f"plan_year={requested} is more than two years after as_of={as_of}; a forecast that far "
                             "is not a plan. Plan next year, or import more recent data.")
    return year


def prepare(*, account: str | list[str], plan_year: str | int, as_of: str, kpis: list[str], ambition: str,
            stretch_quantile: float, growth_goals: dict[str, float], stage_kpis: dict[str, list[str]],
            backtest_origins: int, backtest_horizon: int, n_sims: int, budget: float, budget_by: str,
            budget_outcome: str, reserve_share: float, test_share: float, test_units: list[str],
            roas_stop_loss: float, data_dir: str, lang: str) -> PlanRun:
    """Set the report language, check every parameter, load the history and resolve as_of and the plan year."""
    language = i18n.set_language(lang)
    settings = check_parameters(
        account=account, plan_year=plan_year, as_of=as_of, kpis=kpis, ambition=ambition,
        stretch_quantile=stretch_quantile, growth_goals=growth_goals, stage_kpis=stage_kpis,
        backtest_origins=backtest_origins, backtest_horizon=backtest_horizon, n_sims=n_sims, budget=budget,
        budget_by=budget_by, budget_outcome=budget_outcome, reserve_share=reserve_share, test_share=test_share,
        test_units=test_units, roas_stop_loss=roas_stop_loss, data_dir=data_dir, lang=lang)
    folder = settings.data_dir
    present = [t for t in OPTIONAL_PLAN_TABLES if find_table_file(t, folder) is not None]
    with warnings.catch_warnings():  # optional columns an export lacks are shown as missing, not warned
        warnings.simplefilter("ignore", DataWarning)
        tables = load_tables([*PLAN_TABLES, *present], folder)
    daily = tables["account_daily"]
    daily = daily[daily["account_id"].isin(settings.account_ids)].reset_index(drop=True)
    resolved = _resolve_as_of(settings.as_of, _complete_months(daily, settings.account_ids), folder)
    year = _resolve_plan_year(settings.plan_year, resolved)
    upto = daily[daily["date"] <= pd.Period(resolved, freq="M").end_time.normalize()].reset_index(drop=True)
    return PlanRun(settings=settings, as_of=resolved, plan_year=year, lang=language, tables=tables, daily=upto)


def stage_of(month_number: int) -> str:
    """The stage (1-3, 4-6, 7-12) a month of the plan year falls in."""
    return STAGES[0] if month_number <= 3 else STAGES[1] if month_number <= 6 else STAGES[2]


def stage_lead(stages: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """KPI → the first stage that leads with it."""
    lead: dict[str, str] = {}
    for stage in STAGES:
        for kpi in stages.get(stage, ()):
            lead.setdefault(kpi, stage)
    return lead
