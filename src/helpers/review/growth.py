"""Per-platform growth comparison (issue 19, METHODOLOGY 7's year-end review): which own account grew, and
whose were the period's gains.

Method:

- **Indexed growth.** Per account and KPI, the period cut into steps (months for a quarter or a
  year, days for a month or a week), each step's value indexed to the period's start = 100. A
  stock (followers) is its level on the step's last day ÷ its level on the day before the period;
  a flow (impressions, revenue) is the step's sum ÷ the first step's sum. Lines of accounts of very
  different sizes become comparable: a small account doubling shows 200 next to a large one at 110.
- **Shares of the gains.** Per account, the period's net follower change, engagements and revenue
  (computed as the KPI board computes them, helpers.review.kpis.compute_kpis), each account's share
  of the accounts' total, and its change against the same period last year ((this − last) ÷ |last|).

Choices and pitfalls:

- Data after bot removal (the review's clean daily table), so a bought spike does not read as growth.
- A share of net follower change can be negative or above 100 % when some account lost followers:
  the shares still sum to 100 % of the net total, which is what "share of the gains" means here.
- A missing value stays missing (an account without revenue has no revenue share, not 0 %); an
  index whose base is 0 or missing is missing.
- Last year is compared only when the data covers all of it (kpis.covers): two months of a year are
  not a year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.periods import ReviewPeriod
from helpers.review.kpis import KPIS, compute_kpis, covers

__all__ = ["GAIN_KPIS", "INDEX_KPIS", "Growth", "gain_shares", "indexed_growth", "review_growth", "step_freq"]

#: The KPIs indexed to the period's start (one chart panel each).
INDEX_KPIS: tuple[str, ...] = ("followers", "impressions", "revenue")
#: The period's gains shared between the accounts.
GAIN_KPIS: tuple[str, ...] = ("net_follower_change", "engagements", "revenue")


def step_freq(period: ReviewPeriod) -> str:
    """The steps of the growth lines: months ("M") for a quarter or a year, days ("D") for a month or a week."""
    return "M" if period.kind in ("quarter", "year") else "D"


def _index(values: pd.Series, base: pd.Series) -> pd.Series:
    """values ÷ base × 100, missing where the base is 0 or missing."""
    return 100.0 * values / base.where(base != 0)


def indexed_growth(account_daily: pd.DataFrame, accounts: pd.DataFrame, period: ReviewPeriod,
                   kpis: tuple[str, ...] = INDEX_KPIS) -> pd.DataFrame:
    """Per account, KPI and step: value and index (period start = 100).

    Columns: account_id, platform, kpi, step (the step's first day), value, index.
    """
    columns = ["account_id", "platform", "kpi", "step", "value", "index"]
    ids = accounts[["account_id", "platform"]]
    daily = account_daily[account_daily["account_id"].isin(ids["account_id"])]
    day_before = period.start - pd.Timedelta(days=1)
    inside = daily[daily["date"].between(period.start, period.end)].sort_values("date", kind="stable")
    inside = inside.assign(step=inside["date"].dt.to_period(step_freq(period)).dt.start_time)
    frames = []
    for kpi in kpis:
        if kpi not in inside.columns:
            continue
        grouped = inside.groupby(["account_id", "step"])[kpi]
        if KPIS[kpi].stock:
            value = grouped.last()  # the level on the step's last reported day
            base = daily[daily["date"] == day_before].set_index("account_id")[kpi]
            base_of = value.index.get_level_values("account_id").map(base)
        else:
            value = grouped.sum(min_count=1)
            first = value.groupby(level="account_id").first()
            base_of = value.index.get_level_values("account_id").map(first)
        frame = value.rename("value").reset_index().assign(kpi=kpi)
        frame["index"] = _index(frame["value"], pd.Series(np.asarray(base_of, dtype=float), index=frame.index))
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True).merge(ids, on="account_id")
    return out[columns].sort_values(["kpi", "account_id", "step"], kind="stable").reset_index(drop=True)


def gain_shares(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
                accounts: pd.DataFrame, period: ReviewPeriod, er_base: str = "impressions",
                kpis: tuple[str, ...] = GAIN_KPIS) -> pd.DataFrame:
    """Each account's part of the period's gains and its change vs the same period last year.

    Columns: account_id, platform, kpi, value, share (of the accounts' total), last_year,
    change_vs_last_year ((value − last_year) ÷ |last_year|; missing when the data does not cover last year).
    """
    ly = period.same_period_last_year()
    now = compute_kpis(account_daily, posts, ad_daily, accounts, period.start, period.end, er_base)
    before = compute_kpis(account_daily, posts, ad_daily, accounts, ly.start, ly.end, er_base)
    if not covers(account_daily, ly):
        before = before.assign(value=np.nan)
    keys = ["account_id", "kpi"]
    rows = now[(now["scope"] == "account") & now["kpi"].isin(kpis)][["account_id", "platform", "kpi", "value"]]
    rows = rows.merge(before[[*keys, "value"]].rename(columns={"value": "last_year"}), on=keys, how="left")
    total = rows.groupby("kpi")["value"].transform(lambda v: v.sum(min_count=1))
    rows["share"] = rows["value"] / total.where(total != 0)
    rows["change_vs_last_year"] = (rows["value"] - rows["last_year"]) / rows["last_year"].abs().where(
        rows["last_year"] != 0)
    order = {k: i for i, k in enumerate(kpis)}
    rows = rows.sort_values(["kpi", "account_id"], key=lambda c: c.map(order) if c.name == "kpi" else c,
                            kind="stable")
    return rows[["account_id", "platform", "kpi", "value", "share", "last_year",
                 "change_vs_last_year"]].reset_index(drop=True)


@dataclass(frozen=True)
class Growth:
    """The growth comparison of a period: the indexed lines and the shares of the gains."""

    period: ReviewPeriod
    indexed: pd.DataFrame = field(repr=False)
    shares: pd.DataFrame = field(repr=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The section's tables by artefact name."""
        return {"growth_indexed": self.indexed, "growth_shares": self.shares}

    def leader(self) -> pd.Series | None:
        """The shares row of the account with the largest net follower change (None without one)."""
        rows = self.shares[self.shares["kpi"] == "net_follower_change"].dropna(subset=["value"])
        if rows.empty:
            return None
        return rows.loc[rows["value"].idxmax()]


def review_growth(account_daily: pd.DataFrame, posts: pd.DataFrame | None, ad_daily: pd.DataFrame | None,
                  accounts: pd.DataFrame, period: ReviewPeriod, er_base: str = "impressions") -> Growth:
    """The period's per-platform growth comparison: indexed lines and shares of the gains."""
    return Growth(period, indexed_growth(account_daily, accounts, period),
                  gain_shares(account_daily, posts, ad_daily, accounts, period, er_base))
