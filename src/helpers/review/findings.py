"""What a person reads in the period review: the "So what" lines, the recommendations, the summary.json dict.

Every function takes computed results and returns text, a table or a dict; none prints. The
recommendation rules (``from_*``) read one result table each and emit rows only when their
finding is present in the data, so the appendix is different every period: no finding, no
recommendation; ``recommendations`` ranks them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers.report import format_number
from helpers.review.kpis import KPIS

if TYPE_CHECKING:
    from helpers.periods import ReviewPeriod
    from helpers.review.ads import AdsReview
    from helpers.review.anomalies import BotCheck
    from helpers.review.attribution import AttributionReview
    from helpers.review.posts import PostReview
    from helpers.review.risks import RiskReview
    from helpers.review.session import ReviewRun

COLUMNS = ["priority", "area", "finding", "action"]
#: Attainment under which a KPI with a target is "at risk" (kpis.kpi_status), as the So-what line says it.
AT_RISK_BELOW = "90%"

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


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
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
    rows: list[dict[str, Any]] = []
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
    rows: list[dict[str, Any]] = []
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
                     "finding": f"Creative {r.creative_id} ({r.campaign_id}): CTR {r.ctr:.1%} under the "
                                f"{ctr_keep:.0%} keep threshold.",
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
                                    f"(95% intervals do not overlap; {int(best['posts'])} and "
                                    f"{int(worst['posts'])} posts).",
                         "action": f"Give {best['format']} more of next month's {platform} slots; "
                                   f"test why {worst['format']} lags."})
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
                     "finding": f"{r.risk_id} ({r.category}): score {r.score:.1f} = {r.probability:.0%} "
                                f"× impact {int(r.impact)}.",
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


def recommendations(board: pd.DataFrame, alerts: pd.DataFrame, removed: pd.DataFrame, by_format: pd.DataFrame,
                    ads: AdsReview | None = None, attribution: AttributionReview | None = None,
                    risks: RiskReview | None = None) -> pd.DataFrame:
    """Every rule on this period's results, ranked: KPIs of each account (not the total), critical alerts
    only, bot days, ads, formats, assisting channels and high risks (a section without data adds none)."""
    return combine(
        from_scorecard(board[board["account_id"] != "total"]),
        from_alerts(alerts[alerts["severity"] == "critical"]),
        from_bot_traffic(removed),
        None if ads is None else from_ads(ads.campaigns, ads.creatives, ads.budget, ads.roas_floor, ads.ctr_keep),
        from_content(by_format),
        None if attribution is None else from_attribution(attribution.assist),
        None if risks is None else from_risks(risks.top),
    )


# --------------------------------------------------------------------------------------------
# The "So what" lines, one per section
# --------------------------------------------------------------------------------------------

def _listed(items: Sequence[str], separator: str = ", ", empty: str = "none") -> str:
    return separator.join(items) if len(items) else empty


def setup_text(run: ReviewRun) -> str:
    """What is reviewed: the period, the accounts, where targets come from, completed metrics, skipped sections."""
    lines = [f"Period: {run.period}", f"Accounts: {', '.join(run.account_ids)}", run.targets_note]
    lines += [f"Completed: {note}" for note in run.data_notes]
    if run.missing:
        lines.append(f"Not in the data folder, so their sections are skipped: {', '.join(run.missing)}")
    return "\n".join(lines)


def bot_days_text(removed: pd.DataFrame, unchecked: Sequence[str] = ()) -> str:
    """The account-days whose bot-like traffic was removed, and the accounts the check could not judge."""
    days = sorted({f"{r.account_id} {r.date:%Y-%m-%d}" for r in removed.itertuples()})
    lines = [f"Bot-like traffic removed on: {_listed(days, empty='no day in this period')}"]
    if unchecked:
        lines.append(f"Bot check not possible (its two signals are missing) for: {', '.join(unchecked)}")
    return "\n".join(lines)


def under_target(board: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows of single accounts that have a target and are at risk (under 90 % of it)."""
    return board[(board["status"] == "at risk") & board["target"].notna() & (board["account_id"] != "total")]


def kpis_under_target_text(board: pd.DataFrame) -> str:
    """The KPIs (on which platform) under 90 % of their target."""
    missed = [f"{r.kpi} on {r.platform}" for r in under_target(board).itertuples()]
    return f"KPIs under {AT_RISK_BELOW} of target: {_listed(missed, '; ')}"


def alerts_text(alerts: pd.DataFrame) -> str:
    """How many alerts the period has, and how many are critical."""
    critical = int((alerts["severity"] == "critical").sum())
    return f"{len(alerts)} alert(s), {critical} critical."


def top_posts_heading(posts: PostReview) -> str:
    """The heading of the top-posts table; says why when no post could be ranked."""
    heading = f"Top {posts.top_n} posts by engagement rate (by {posts.base}):"
    if not posts.best.empty:
        return heading
    return (f"{heading}\n  none ranked: the period has {posts.published} post(s), none with both engagements and "
            f"{posts.base} (an export without that base: try er_base = followers).")


def bottom_posts_heading(posts: PostReview) -> str:
    """The heading of the bottom-posts table."""
    return f"Bottom {posts.top_n} posts:"


def attribution_text(attribution: AttributionReview | None, assist_at: float = 1.5) -> str:
    """Converting journeys out of all, and the channels that mostly assist; or why the section is skipped."""
    if attribution is None:
        return ("No touchpoints and conversions in the data folder: attribution is skipped (import them as "
                "canonical tables to see it).")
    journeys, assist = attribution.journeys, attribution.assist
    assisting = list(assist.loc[assist["label"] == "assist", "channel"])
    return (f"{int(journeys['converted'].sum()):,} converting journeys of {len(journeys):,}.\n"
            f"Channels that mostly assist (Markov ÷ last touch ≥ {assist_at:g}): {_listed(assisting)}")


def strongest_assist_text(attribution: AttributionReview | None) -> str:
    """The channel with the highest Markov ÷ last-touch ratio, if it is labelled an assist."""
    ranked = None if attribution is None else attribution.assist.dropna(subset=["markov_ratio"])
    top = ranked.iloc[0] if ranked is not None and len(ranked) else None
    channel = top["channel"] if top is not None and top["label"] == "assist" else "none"
    return f"Strongest assist channel (highest Markov ÷ last-touch credit): {channel}"


def ads_text(ads: AdsReview | None) -> str:
    """The campaigns under the ROAS stop-loss and the creatives under the CTR keep threshold."""
    if ads is None:
        return "No campaigns or creatives to judge."
    return (f"Campaigns under the ROAS stop-loss ({ads.roas_floor:g}): {_listed(list(ads.stop['campaign_id']))}\n"
            f"Creatives under the CTR keep threshold ({ads.ctr_keep:.0%}): {_listed(list(ads.low['creative_id']))}")


def ads_skipped_text(ads: AdsReview | None) -> str:
    """Why the ads section is empty, with a newline; "" when there is ad data (print it with ``end=""``)."""
    return "" if ads is not None else "No ad data (ad_daily) in the data folder: the ads section is skipped.\n"


def risks_skipped_text(risks: RiskReview | None) -> str:
    """Why the risk section is empty, with a newline; "" when there is a register (print it with ``end=""``)."""
    return "" if risks is not None else "No risk register (risks) in the data folder: the section is skipped.\n"


def written_text(tables: int, figures: int) -> str:
    """The last line of a run: what it wrote."""
    return f"Wrote summary.json, {tables} tables and {figures} figures."


# --------------------------------------------------------------------------------------------
# Tables a person reads
# --------------------------------------------------------------------------------------------

def scorecard_table(board: pd.DataFrame, scope: str = "total") -> pd.DataFrame:
    """The scorecard rows of one scope ('total' or an account id) in reading order, for display."""
    rows = board[board["account_id"] == scope]
    columns = ["label", "actual", "target", "attainment", "previous", "change_pct", "last_year", "yoy_pct",
               "status", "status_reason"]
    return rows[[c for c in columns if c in rows.columns]].set_index("label")


def styled_scorecard(board: pd.DataFrame, scope: str = "total") -> Any:
    """The scorecard of one scope as a display Styler: each KPI's values in its unit (rates as %, ROAS as x.xx)."""
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
    for unit, unit_format in (("rate", "{:.2%}"), ("ratio", "{:.2f}")):
        labels = [label for label in table.index if units.get(label) == unit]
        if labels and values:
            style = style.format(unit_format, subset=pd.IndexSlice[labels, values], na_rep="–")
    return style


def status_overview(board: pd.DataFrame) -> pd.DataFrame:
    """Status per KPI (rows) and platform (columns): the at-a-glance health grid."""
    return board.pivot_table(index="label", columns="platform", values="status", aggfunc="first", sort=False)


# --------------------------------------------------------------------------------------------
# summary.json
# --------------------------------------------------------------------------------------------

def period_summary(period: ReviewPeriod) -> dict[str, Any]:
    """The reviewed period, its previous period and the same period last year, by label."""
    return {"kind": period.kind, "label": period.label, "start": period.start, "end": period.end,
            "previous": period.previous().label, "last_year": period.same_period_last_year().label}


def kpi_summary(board: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """The scorecard as {account_id or "total": {kpi: {label, actual, target, attainment, previous, change_pct,
    last_year, yoy_pct, status}}}, accounts in the board's order."""
    fields = ("label", "actual", "target", "attainment", "previous", "change_pct", "last_year", "yoy_pct", "status")
    return {str(account): {r.kpi: {f: getattr(r, f) for f in fields} for r in rows.itertuples()}
            for account, rows in board.groupby("account_id", sort=False)}


def content_summary(posts: PostReview) -> dict[str, Any]:
    """The content section: the engagement-rate base, how many posts were rated, the top posts, the formats."""
    return {"er_base": posts.base, "posts": len(posts.rated), "top_posts": posts.best, "by_format": posts.by_format}


def attribution_summary(comparison: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """Credit per model and channel: {model: {channel: {conversions, value}}}, models in the comparison's order."""
    return {str(model): {r.channel: {"conversions": r.conversions, "value": r.value} for r in group.itertuples()}
            for model, group in comparison.groupby("model", sort=False)}


def summary(period: ReviewPeriod, *, bots: BotCheck, board: pd.DataFrame, alerts: pd.DataFrame, posts: PostReview,
            funnel: pd.DataFrame, attribution: AttributionReview | None, ads: AdsReview | None,
            risks: RiskReview | None, actions: pd.DataFrame) -> dict[str, Any]:
    """The summary.json content of a review (the runner adds the parameters); a section without data has no key."""
    out: dict[str, Any] = {"label": period.label, "period": period_summary(period),
                           "bot_traffic": bots.removed_in_period, "kpis": kpi_summary(board), "alerts": alerts,
                           "content": content_summary(posts), "funnel": funnel}
    if attribution is not None:
        out["attribution"] = attribution_summary(attribution.comparison)
    if ads is not None:
        out.update(stop_loss_campaigns=ads.stop, low_ctr_creatives=ads.low, budget_shift=ads.budget)
    if risks is not None:
        out["top_risks"] = risks.top
    out["recommendations"] = actions
    return out
