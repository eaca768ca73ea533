"""Ads performance, stop-loss and budget shifting (METHODOLOGY 7 and 9).

Ratios are ratios of sums (total clicks ÷ total impressions), never averages of daily ratios.
A ratio is computed over the rows where both its parts are reported, so a day without revenue
tracking does not drag ROAS down; a ratio with a zero or missing denominator is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import DataError, ParameterError, require_columns

#: Volume columns every ad_daily table has.
AD_VOLUMES: tuple[str, ...] = ("spend", "impressions", "clicks", "conversions")
#: Ratio name → (numerator, denominator, multiplier).
AD_RATIOS: dict[str, tuple[str, str, float]] = {
    "ctr": ("clicks", "impressions", 1.0),
    "cpm": ("spend", "impressions", 1000.0),
    "cpc": ("spend", "clicks", 1.0),
    "cpa": ("spend", "conversions", 1.0),
    "cvr": ("conversions", "clicks", 1.0),
    "roas": ("revenue", "spend", 1.0),
}
#: campaign_id of the reserve row ``suggest_budget_shift`` adds.
RESERVE_LABEL: str = "flexible reserve"



def _as_tuple(by: str | Sequence[str]) -> list[str]:
    """Accept one column name or a sequence of them."""
    columns = [by] if isinstance(by, str) else list(by)
    if not columns:
        raise ParameterError("`by` needs at least one column, e.g. ('campaign_id',).")
    return columns


def _filter_period(ad_daily: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Keep rows dated in [start, end] (inclusive); None leaves that side open."""
    if start is None and end is None:
        return ad_daily
    require_columns(ad_daily, ["date"], "ad_daily")
    lo = pd.Timestamp(start).normalize() if start is not None else ad_daily["date"].min()
    hi = pd.Timestamp(end).normalize() if end is not None else ad_daily["date"].max()
    if lo > hi:
        raise ParameterError(f"Period start {lo.date()} is after end {hi.date()}.")
    return ad_daily[ad_daily["date"].between(lo, hi)]


def _paired_ratio(rows: pd.DataFrame, keys: list[str], num: str, den: str) -> pd.Series:
    """Sum of num ÷ sum of den per group over rows where both are reported; 0 or missing den → NaN."""
    both = rows[num].notna() & rows[den].notna()
    sums = rows[both].groupby(keys, dropna=False, sort=True)[[num, den]].sum()
    return sums[num] / sums[den].where(sums[den] != 0)


def ad_performance(
    ad_daily: pd.DataFrame,
    by: str | Sequence[str] = ("campaign_id",),
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Totals and efficiency ratios (ctr, cpm, cpc, cpa, cvr, roas) per group, as ratios of sums.

    Totals are sums with missing values skipped (all-missing → NaN, never 0). Each ratio uses
    only the rows reporting both its parts; without a revenue column, revenue and ROAS are NaN.
    ctr and cvr are fractions (0.05 = 5 %); cpm is spend per 1,000 impressions.
    """
    keys = _as_tuple(by)
    require_columns(ad_daily, [*keys, *AD_VOLUMES], "ad_daily")
    rows = _filter_period(ad_daily, start, end)
    value_columns = [*AD_VOLUMES, "revenue"]
    rows = rows[keys].assign(**{c: pd.to_numeric(rows[c], errors="coerce").astype("float64")
                                if c in rows.columns else np.nan for c in value_columns})
    grouped = rows.groupby(keys, dropna=False, sort=True)
    perf = grouped[value_columns].sum(min_count=1)
    for name, (num, den, multiplier) in AD_RATIOS.items():
        perf[name] = _paired_ratio(rows, keys, num, den).reindex(perf.index) * multiplier
    return perf.reset_index()


def _format_ratio(value: float) -> str:
    """Format a ROAS-like number for an action text."""
    return f"{value:.2f}"


def _no_spend(perf: pd.DataFrame) -> pd.Series:
    """Rows whose spend is a known 0 (no spend in the period); False without a spend column."""
    if "spend" not in perf.columns:
        return pd.Series(False, index=perf.index)
    return pd.to_numeric(perf["spend"], errors="coerce").eq(0)


def flag_stop_loss(perf: pd.DataFrame, roas_floor: float = 3.0) -> pd.DataFrame:
    """Add ``stop_loss`` (ROAS below the floor, i.e. ROI under 3:1 by default) and an ``action`` text.

    Rows with unknown ROAS are not stopped, since a missing number is not a bad one: with no spend
    in the period (spend 0) the action says there is nothing to judge; otherwise (revenue not
    tracked) it says to check tracking.
    """
    require_columns(perf, ["roas"], "perf")
    if not np.isfinite(roas_floor) or roas_floor < 0:
        raise ParameterError(f"roas_floor must be a non-negative number, got {roas_floor!r}.")
    roas = perf["roas"].astype("float64")
    stop = (roas < roas_floor).fillna(False).astype(bool)
    action = np.select(
        [(roas.isna() & _no_spend(perf)).to_numpy(), roas.isna().to_numpy(), stop.to_numpy()],
        ["no spend in the period: no ROAS to judge",
         "ROAS unknown (revenue not tracked): check tracking before judging",
         "stop-loss: ROAS " + roas.map(_format_ratio) + f" < {roas_floor:g}; pause or rework"],
        default="keep: ROAS " + roas.map(_format_ratio) + f" ≥ {roas_floor:g}",
    )
    return perf.assign(stop_loss=stop, action=action)


def flag_low_ctr(creative_perf: pd.DataFrame, ctr_keep: float = 0.05) -> pd.DataFrame:
    """Add ``keep`` (CTR strictly above ``ctr_keep``, 5 % by default) and an ``action`` text.

    Creatives without impressions have an unknown CTR: ``keep`` is False and the action says
    there is nothing to judge yet.
    """
    require_columns(creative_perf, ["ctr"], "creative_perf")
    if not np.isfinite(ctr_keep) or not 0 <= ctr_keep <= 1:
        raise ParameterError(f"ctr_keep is a fraction between 0 and 1 (0.05 = 5 %), got {ctr_keep!r}.")
    ctr = creative_perf["ctr"].astype("float64")
    keep = (ctr > ctr_keep).fillna(False).astype(bool)
    pct = ctr.map(lambda v: f"{v:.2%}")
    action = np.select(
        [ctr.isna().to_numpy(), keep.to_numpy()],
        ["CTR unknown (no impressions): nothing to judge yet",
         "keep: CTR " + pct + f" > {ctr_keep:.0%}"],
        default="replace or rework: CTR " + pct + f" ≤ {ctr_keep:.0%}",
    )
    return creative_perf.assign(keep=keep, action=action)


def _check_campaigns(campaign_perf: pd.DataFrame) -> pd.DataFrame:
    """Validate the campaign table for a budget shift: unique ids, known non-negative spend."""
    require_columns(campaign_perf, ["campaign_id", "spend", "roas"], "campaign_perf")
    frame = campaign_perf[["campaign_id", "spend", "roas"]].copy()
    frame["spend"] = frame["spend"].astype("float64")
    frame["roas"] = frame["roas"].astype("float64")
    dupes = frame.loc[frame["campaign_id"].duplicated(), "campaign_id"].tolist()
    if dupes:
        raise DataError(f"campaign_id values repeat {dupes[:5]}; aggregate with ad_performance(by='campaign_id').")
    bad = frame.loc[frame["spend"].isna() | (frame["spend"] < 0), "campaign_id"].tolist()
    if bad:
        raise DataError(f"Spend is missing or negative for campaign(s) {bad[:5]}; fix spend before shifting budget.")
    return frame


def suggest_budget_shift(
    campaign_perf: pd.DataFrame,
    roas_floor: float = 3.0,
    flexible_share: float = 0.2,
) -> pd.DataFrame:
    """Move budget from campaigns under the ROAS floor to those at or above it, keeping a reserve.

    Rule: campaigns with ROAS < floor are cut to 0. Of the freed budget, ``flexible_share`` goes
    to a "flexible reserve" row (METHODOLOGY 9 keeps 10–20 % flexible for hot spots and tests);
    the rest goes to campaigns at or above the floor in proportion to their measured revenue
    (spend × ROAS), so both scale and efficiency earn budget. With no campaign at or above the
    floor, all freed budget goes to the reserve. Campaigns with unknown ROAS keep their spend: a
    campaign with no spend in the period has no ROAS and nothing to shift (its reason says so); one
    with spend but no tracked revenue keeps its budget until revenue is tracked.
    The suggested total equals the current total.

    ``expected_revenue`` = suggested spend × measured ROAS. Pitfall: this assumes constant
    returns; real campaigns saturate (higher CPM, lower CTR as budget grows), so treat it as
    an upper bound and scale in stages (test with ~10 % first).
    """
    if not np.isfinite(roas_floor) or roas_floor < 0:
        raise ParameterError(f"roas_floor must be a non-negative number, got {roas_floor!r}.")
    if not np.isfinite(flexible_share) or not 0 <= flexible_share <= 1:
        raise ParameterError(f"flexible_share is a fraction between 0 and 1, got {flexible_share!r}.")
    plan = _check_campaigns(campaign_perf)
    losers = (plan["roas"] < roas_floor).to_numpy()
    winners = (plan["roas"] >= roas_floor).to_numpy()
    freed = float(plan.loc[losers, "spend"].sum())
    weight = (plan["spend"] * plan["roas"]).where(winners, 0.0)
    to_winners = (1 - flexible_share) * freed if weight.sum() > 0 else 0.0
    reserve = freed - to_winners
    extra = weight / weight.sum() * to_winners if weight.sum() > 0 else weight * 0.0
    plan["suggested_spend"] = np.where(losers, 0.0, plan["spend"] + extra)
    plan["reason"] = np.select(
        [losers, winners & (extra.to_numpy() > 0), winners, _no_spend(plan).to_numpy()],
        [f"ROAS below {roas_floor:g}: budget freed",
         f"ROAS at or above {roas_floor:g}: receives freed budget in proportion to revenue",
         f"ROAS at or above {roas_floor:g}: budget kept",
         "no spend in the period: no ROAS, nothing to shift"],
        default="ROAS unknown: budget unchanged until revenue is tracked",
    )
    reserve_row = pd.DataFrame({"campaign_id": [RESERVE_LABEL], "spend": [0.0], "roas": [np.nan],
                                "suggested_spend": [reserve],
                                "reason": [f"{flexible_share:.0%} of freed budget kept flexible (hot spots, tests)"
                                           if weight.sum() > 0 else
                                           "no campaign at or above the floor: all freed budget kept in reserve"]})
    plan = pd.concat([plan, reserve_row], ignore_index=True)
    plan["change"] = plan["suggested_spend"] - plan["spend"]
    plan["expected_revenue"] = plan["suggested_spend"] * plan["roas"]
    return plan[["campaign_id", "spend", "roas", "suggested_spend", "change", "reason", "expected_revenue"]]


def campaign_performance(ad_daily: pd.DataFrame, start: pd.Timestamp | None = None,
                         end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Per campaign performance with its channel(s) listed, so a campaign on two channels stays one row."""
    perf = ad_performance(ad_daily, ("campaign_id",), start, end)
    rows = _filter_period(ad_daily, start, end)
    channels = rows.groupby("campaign_id")["channel"].agg(lambda c: ", ".join(sorted(set(map(str, c)))))
    perf.insert(1, "channel", perf["campaign_id"].map(channels))
    return perf


def stop_loss_campaigns(campaigns: pd.DataFrame) -> pd.DataFrame:
    """The campaigns ``flag_stop_loss`` stops (ROAS under the floor)."""
    return campaigns[campaigns["stop_loss"]]


def low_ctr_creatives(creatives: pd.DataFrame) -> pd.DataFrame:
    """The creatives ``flag_low_ctr`` does not keep, among those with a known CTR (nothing to judge without one)."""
    return creatives[creatives["ctr"].notna() & ~creatives["keep"]]


@dataclass(frozen=True)
class AdsReview:
    """The ads section of a review: campaigns against the stop-loss, creatives against the CTR bar, the budget shift."""

    campaigns: pd.DataFrame  # campaign_performance + flag_stop_loss
    creatives: pd.DataFrame  # ad_performance per campaign × creative + flag_low_ctr
    budget: pd.DataFrame  # suggest_budget_shift
    roas_floor: float
    ctr_keep: float

    @property
    def stop(self) -> pd.DataFrame:
        """Campaigns under the ROAS stop-loss."""
        return stop_loss_campaigns(self.campaigns)

    @property
    def low(self) -> pd.DataFrame:
        """Creatives under the CTR keep threshold (known CTR only)."""
        return low_ctr_creatives(self.creatives)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The section's tables by artefact name, in reading order."""
        return {"ads_campaigns": self.campaigns, "ads_creatives": self.creatives, "budget_shift": self.budget}


def review_ads(ad_daily: pd.DataFrame | None, start: pd.Timestamp, end: pd.Timestamp, roas_floor: float = 3.0,
               ctr_keep: float = 0.05) -> AdsReview | None:
    """Campaigns, creatives and the budget shift of a period; None when there are no ads this period.

    No ads this period is the same whether ad_daily is missing (None), loaded empty (a header-only
    file: 0 rows) or has no row dated in the period: there is nothing to judge or shift, and the
    review says so in one line (findings.ads_skipped_text). Creatives are judged per campaign ×
    creative; data without a ``creative_id`` column is judged per campaign instead, named
    "<campaign_id> (all creatives)".
    """
    if ad_daily is None or ad_daily.empty:
        return None
    if _filter_period(ad_daily, start, end).empty:
        return None
    campaigns = flag_stop_loss(campaign_performance(ad_daily, start, end), roas_floor)
    has_creatives = "creative_id" in ad_daily.columns
    keys = ("campaign_id", "creative_id") if has_creatives else ("campaign_id",)
    creatives = flag_low_ctr(ad_performance(ad_daily, keys, start, end), ctr_keep)
    if not has_creatives:  # no creative breakdown in the data: judge campaigns instead
        creatives = creatives.assign(creative_id=creatives["campaign_id"] + " (all creatives)")
    budget = suggest_budget_shift(campaigns, roas_floor)
    return AdsReview(campaigns=campaigns, creatives=creatives, budget=budget, roas_floor=roas_floor,
                     ctr_keep=ctr_keep)
