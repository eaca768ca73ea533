"""Turn a review's results into a ranked list of actions, each citing the numbers behind it.

Each rule reads one result table and emits rows only when its finding is present in the data, so
the appendix is different every period: no finding, no recommendation.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ["priority", "area", "finding", "action"]

#: What to look at first when a KPI misses its target (the lever, not a promise).
KPI_LEVERS: dict[str, str] = {
    "followers": "review follower-acquisition content and cross-platform promotion",
    "net_follower_change": "review follower-acquisition posts, check unfollow spikes after posts, add a follow CTA",
    "follower_growth_rate": "review follower-acquisition posts and the posting schedule",
    "impressions": "post at the audience's active hours and test titles/covers for reach",
    "reach": "post at the audience's active hours and test titles/covers for reach",
    "engagements": "shift the mix toward the formats and pillars with the best engagement rate",
    "engagement_rate": "shift the mix toward the formats and pillars with the best engagement rate",
    "posts_published": "check the content calendar and production capacity",
    "ctr": "test calls to action and link placement",
    "conversions": "check the funnel step with the largest drop-off and the landing page",
    "conversion_rate": "check the funnel step with the largest drop-off and the landing page",
    "revenue": "check conversion and order value; move budget to the best-ROAS campaigns",
    "roas": "review ROAS by campaign in the ads section: stop campaigns under the floor, feed the best",
}


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _fmt(value: float) -> str:
    if pd.isna(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def from_scorecard(scorecard: pd.DataFrame) -> pd.DataFrame:
    """One action per KPI (per platform) that is 'at risk' or on 'watch', citing attainment or change."""
    rows = []
    flagged = scorecard[scorecard["status"].isin(["at risk", "watch"])]
    for r in flagged.itertuples(index=False):
        where = "all platforms" if r.account_id == "total" else f"{r.platform} ({r.account_id})"
        if pd.notna(r.target):
            gap = r.actual - r.target
            finding = (f"{r.label} on {where}: {r.attainment:.0%} of target "
                       f"({_fmt(r.actual)} vs {_fmt(r.target)}, gap {_fmt(gap)}).")
        else:
            reason = getattr(r, "status_reason", "")
            why = reason if isinstance(reason, str) and reason else f"{r.change_pct:+.0%} vs the previous period"
            finding = f"{r.label} on {where}: {_fmt(r.actual)}; {why}."
        lever = KPI_LEVERS.get(r.kpi, "review the drivers of this KPI")
        rows.append({"priority": 1 if r.status == "at risk" else 3, "area": "KPIs", "finding": finding,
                     "action": lever[0].upper() + lever[1:] + "."})
    return _frame(rows)


def from_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """One action per account and day with alerts: replicate spikes, diagnose drops; lists each KPI's surprise."""
    rows = []
    if alerts.empty:
        return _frame(rows)
    for (day, account), group in alerts.groupby(["date", "account_id"], sort=False):
        parts = "; ".join(
            f"{r.kpi} {_fmt(r.observed)} vs {_fmt(r.expected)} expected "
            f"({r.observed / r.expected:.1f}×, z {r.robust_z:+.1f})" if pd.notna(r.expected) and r.expected > 0
            else f"{r.kpi} {_fmt(r.observed)} (z {r.robust_z:+.1f})"
            for r in group.itertuples(index=False)
        )
        platform = group["platform"].iloc[0]
        up = (group["direction"] == "up").sum() >= (group["direction"] == "down").sum()
        action = ("Find what drove the spike (post, trend, promotion) and plan a follow-up that repeats it."
                  if up else "Diagnose the drop (posting gap, platform limit, tracking) before the next cycle.")
        critical = (group["severity"] == "critical").any()
        rows.append({"priority": 1 if critical else 2, "area": "Alerts",
                     "finding": f"{platform} ({account}) on {pd.Timestamp(day):%Y-%m-%d}: {parts}.",
                     "action": action})
    return _frame(rows)


def from_bot_traffic(removed: pd.DataFrame) -> pd.DataFrame:
    """Flag days whose traffic was removed as bot-like, with the volume removed."""
    rows = []
    if removed.empty:
        return _frame(rows)
    for (day, account), group in removed.groupby(["date", "account_id"]):
        parts = ", ".join(f"{_fmt(g.removed)} {g.column}" for g in group.itertuples(index=False))
        rows.append({"priority": 2, "area": "Data quality",
                     "finding": f"Bot-like traffic on {account} on {pd.Timestamp(day):%Y-%m-%d}: removed {parts}.",
                     "action": "Check the traffic source with the platform; keep the day out of averages and targets."})
    return _frame(rows)


def from_ads(campaigns: pd.DataFrame, creatives: pd.DataFrame, budget: pd.DataFrame,
             roas_floor: float, ctr_keep: float, reserve_label: str = "flexible reserve") -> pd.DataFrame:
    """Stop-loss campaigns, creatives to pause, and where the budget should move."""
    rows = []
    for r in campaigns[campaigns["stop_loss"]].itertuples(index=False):
        rows.append({"priority": 1, "area": "Ads",
                     "finding": f"Campaign {r.campaign_id}: ROAS {r.roas:.2f} under the {roas_floor:g} stop-loss "
                                f"(spend {_fmt(r.spend)}, revenue {_fmt(r.revenue)}).",
                     "action": "Stop or rework the campaign; move its budget as in the budget-shift table."})
    for r in creatives[creatives["ctr"].notna() & ~creatives["keep"]].itertuples(index=False):
        rows.append({"priority": 2, "area": "Ads",
                     "finding": f"Creative {r.creative_id} ({r.campaign_id}): CTR {r.ctr:.1%} under the {ctr_keep:.0%} keep threshold.",
                     "action": "Pause it and test a new creative in its place."})
    gainers = budget[(budget["change"] > 0) & budget["campaign_id"].notna()
                     & (budget["campaign_id"] != reserve_label)]
    if not gainers.empty and campaigns["stop_loss"].any():
        moves = ", ".join(f"{g.campaign_id} +{_fmt(g.change)}" for g in gainers.itertuples(index=False))
        rows.append({"priority": 2, "area": "Budget", "finding": f"Measured ROAS favours: {moves}.",
                     "action": "Shift budget in steps (test with ~10% first) and re-check ROAS next period."})
    return _frame(rows)


def from_content(by_format: pd.DataFrame, min_posts: int = 5) -> pd.DataFrame:
    """Recommend the best format per platform when its ER interval clears the worst one's."""
    rows = []
    solid = by_format[by_format["posts_with_rate"] >= min_posts]
    for platform, group in solid.groupby("platform"):
        if len(group) < 2:
            continue
        best = group.loc[group["er_mean_of_rates"].idxmax()]
        worst = group.loc[group["er_mean_of_rates"].idxmin()]
        if best["er_ci_low"] > worst["er_ci_high"]:
            rows.append({"priority": 3, "area": "Content",
                         "finding": f"On {platform}, {best['format']} posts average {best['er_mean_of_rates']:.2%} "
                                    f"engagement rate vs {worst['format']} {worst['er_mean_of_rates']:.2%} "
                                    f"(95% intervals do not overlap; {int(best['posts'])} and {int(worst['posts'])} posts).",
                         "action": f"Give {best['format']} more of next month's {platform} slots; test why {worst['format']} lags."})
    return _frame(rows)


def from_attribution(assist: pd.DataFrame) -> pd.DataFrame:
    """Warn against cutting channels that mostly assist conversions (last-touch undervalues them)."""
    rows = []
    for r in assist[assist["label"] == "assist"].itertuples(index=False):
        rows.append({"priority": 2, "area": "Attribution",
                     "finding": f"{r.channel} earns {r.markov_ratio:.1f}× more conversions under the Markov model "
                                f"than under last touch: it mostly assists.",
                     "action": f"Judge {r.channel} by multi-touch credit, not last click; keep its seeding budget."})
    return _frame(rows)


def from_risks(top_risks: pd.DataFrame) -> pd.DataFrame:
    """Review the mitigation of each high-level open risk with its owner."""
    rows = []
    for r in top_risks[top_risks["level"] == "high"].itertuples(index=False):
        rows.append({"priority": 2, "area": "Risks",
                     "finding": f"{r.risk_id} ({r.category}): score {r.score:.1f} = {r.probability:.0%} × impact {int(r.impact)}.",
                     "action": f"{r.owner}: confirm the mitigation ({r.mitigation}) this month."})
    return _frame(rows)


def combine(*parts: pd.DataFrame | None) -> pd.DataFrame:
    """All recommendations, highest priority first, numbered."""
    frames = [p for p in parts if p is not None and not p.empty]  # None: a section without data
    if not frames:
        return _frame([])
    table = pd.concat(frames, ignore_index=True).sort_values("priority", kind="stable").reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table
