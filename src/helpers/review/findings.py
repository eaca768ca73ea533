"""What a person reads in the period review: the summary, the "So what" lines, the recommendations, summary.json.

Every function takes computed results and returns text, a table, a ``helpers.page.Summary`` or a
dict; none prints. Text is in the run's language (``helpers.i18n``); accounts are named by their
name, numbers formatted for reading. The recommendation rules (``from_*``) read one result table
each and emit rows only when their finding is present in the data, so the list is different every
period: no finding, no recommendation; ``recommendations`` ranks them all.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers import config, i18n, page
from helpers.i18n import N_, _, listed
from helpers.review.anomalies import false_alarm_rate
from helpers.review.kpis import KPIS, kpi_label, kpi_table
from helpers.review.words import (
    AREA_SECTIONS,
    RISK_CATEGORIES,
    account_name,
    account_names,
    channel_name,
    fmt_attainment,
    fmt_kpi_change,
    fmt_value,
    format_name,
    metric_name,
    status_code,
    word,
)

if TYPE_CHECKING:
    from helpers.periods import ReviewPeriod
    from helpers.review.ads import AdsReview
    from helpers.review.anomalies import BotCheck
    from helpers.review.attribution import AttributionReview
    from helpers.review.growth import Growth
    from helpers.review.posts import PostReview
    from helpers.review.reputation import CrisisCases, Voice
    from helpers.review.risks import RiskReview
    from helpers.review.session import ReviewRun

COLUMNS = ["priority", "area", "section", "finding", "action"]
#: Attainment under which a KPI with a target is "at risk" (kpis.kpi_status), as the So-what line says it.
AT_RISK_BELOW = 0.9

#: What to look at first when a KPI misses its target (the lever, not a promise).
KPI_LEVERS: dict[str, str] = {
    "followers": N_("Review follower-acquisition content and cross-platform promotion."),
    "net_follower_change": N_("Review follower-acquisition posts, check unfollow spikes after posts, add a "
                              "follow call to action."),
    "follower_growth_rate": N_("Review follower-acquisition posts and the posting schedule."),
    "impressions": N_("Post at the audience's active hours and test titles and covers for reach."),
    "reach": N_("Post at the audience's active hours and test titles and covers for reach."),
    "engagements": N_("Shift the mix toward the formats and pillars with the best engagement rate."),
    "engagement_rate": N_("Shift the mix toward the formats and pillars with the best engagement rate."),
    "posts_published": N_("Check the posting calendar and production capacity."),
    "ctr": N_("Test calls to action and link placement."),
    "conversions": N_("Check the funnel step with the largest drop-off and the landing page."),
    "conversion_rate": N_("Check the funnel step with the largest drop-off and the landing page."),
    "revenue": N_("Check conversion and order value; move budget to the campaigns with the best ROAS."),
    "roas": N_("Review ROAS by campaign in the ads section: stop campaigns under the floor, feed the best."),
}
DEFAULT_LEVER = N_("Review the drivers of this KPI.")


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _day(value: object) -> str:
    return i18n.fmt_date(pd.Timestamp(value))


def _kpi(kpi: str, er_base: str = "impressions") -> str:
    return kpi_label(kpi, er_base) if kpi in KPIS else metric_name(kpi)


def _where(names: Mapping[str, str], account_id: object) -> str:
    return account_name(names, account_id)


def from_scorecard(scorecard: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One action per KPI (per account) that is 'at risk' or on 'watch', citing attainment or change."""
    names = names or {}
    rows = []
    flagged = scorecard[scorecard["status"].isin(["at risk", "watch"])]
    for r in flagged.itertuples(index=False):
        unit = KPIS[r.kpi].unit if r.kpi in KPIS else "count"
        values = {"kpi": r.label, "account": _where(names, r.account_id), "actual": fmt_value(r.actual, unit)}
        if pd.notna(r.target):
            finding = _("{account}, {kpi}: {attainment} of target ({actual} vs {target}, gap {gap}).").format(
                attainment=fmt_attainment(r.attainment), target=fmt_value(r.target, unit),
                gap=fmt_value(r.actual - r.target, unit), **values)
        elif r.kpi == "roas" and r.status == "at risk" and "stop-loss" in str(getattr(r, "status_reason", "")):
            finding = _("{account}, {kpi}: {actual}, under the stop-loss floor.").format(**values)
        else:
            finding = _("{account}, {kpi}: {actual}, {change} vs the previous period.").format(
                change=fmt_kpi_change(unit, r.change_pct, getattr(r, "change_abs", None)), **values)
        rows.append({"priority": 1 if r.status == "at risk" else 3, "area": "KPIs", "section": "kpi",
                     "finding": finding, "action": _(KPI_LEVERS.get(r.kpi, DEFAULT_LEVER))})
    return _frame(rows)


def _alert_part(r: Any) -> str:
    values = {"metric": metric_name(r.kpi), "observed": i18n.fmt_count(r.observed),
              "z": i18n.fmt_number(r.robust_z, 1) if r.robust_z <= 0 else "+" + i18n.fmt_number(r.robust_z, 1)}
    if pd.notna(r.expected) and r.expected > 0:
        return _("{metric} {observed} vs {expected} expected ({ratio}×, z {z})").format(
            expected=i18n.fmt_count(r.expected), ratio=i18n.fmt_number(r.observed / r.expected, 1), **values)
    return _("{metric} {observed} (z {z})").format(**values)


def from_alerts(alerts: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One action per account and day with alerts: replicate spikes, diagnose drops; lists each KPI's surprise."""
    names = names or {}
    rows: list[dict[str, Any]] = []
    if alerts.empty:
        return _frame(rows)
    for (day, account), group in alerts.groupby(["date", "account_id"], sort=False):
        parts = ("；" if i18n.is_chinese() else "; ").join(_alert_part(r) for r in group.itertuples(index=False))
        up = (group["direction"] == "up").sum() >= (group["direction"] == "down").sum()
        action = (_("Find what drove the spike (post, trend, promotion) and plan a follow-up that repeats it.")
                  if up else _("Diagnose the drop (posting gap, platform limit, tracking) before the next cycle."))
        critical = (group["severity"] == "critical").any()
        rows.append({"priority": 1 if critical else 2, "area": "Alerts", "section": "alerts",
                     "finding": _("{account} on {day}: {parts}.").format(account=_where(names, account),
                                                                         day=_day(day), parts=parts),
                     "action": action})
    return _frame(rows)


def _removed_parts(group: pd.DataFrame) -> str:
    return listed(_("{amount} {metric}").format(amount=i18n.fmt_count(g.removed), metric=metric_name(g.column))
                  for g in group.itertuples(index=False))


def from_bot_traffic(removed: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Flag days whose traffic was removed as bot-like, with the volume removed (whole counts)."""
    names = names or {}
    rows: list[dict[str, Any]] = []
    if removed.empty:
        return _frame(rows)
    for (day, account), group in removed.groupby(["date", "account_id"]):
        rows.append({"priority": 2, "area": "Data quality", "section": "data",
                     "finding": _("Bot-like traffic on {account} on {day}: removed {parts}.").format(
                         account=_where(names, account), day=_day(day), parts=_removed_parts(group)),
                     "action": _("Check the traffic source with the platform; keep the day out of averages and "
                                 "targets.")})
    return _frame(rows)


def from_ads(campaigns: pd.DataFrame, creatives: pd.DataFrame, budget: pd.DataFrame,
             roas_floor: float, ctr_keep: float, reserve_label: str = "flexible reserve") -> pd.DataFrame:
    """Stop-loss campaigns, creatives to pause, and where the budget should move."""
    rows = []
    for r in campaigns[campaigns["stop_loss"]].itertuples(index=False):
        rows.append({"priority": 1, "area": "Ads", "section": "ads",
                     "finding": _("Campaign {campaign}: ROAS {roas} under the {floor} stop-loss (spend {spend}, "
                                  "revenue {revenue}).").format(
                         campaign=r.campaign_id, roas=i18n.fmt_number(r.roas, 2), floor=i18n.fmt_number(roas_floor),
                         spend=i18n.fmt_money(r.spend), revenue=i18n.fmt_money(r.revenue)),
                     "action": _("Stop or rework campaign {campaign}; move its budget as in the budget-shift "
                                 "table.").format(campaign=r.campaign_id)})
    for r in creatives[creatives["ctr"].notna() & ~creatives["keep"]].itertuples(index=False):
        rows.append({"priority": 2, "area": "Ads", "section": "ads",
                     "finding": _("Creative {creative} ({campaign}): CTR {ctr} under the {keep} keep "
                                  "threshold.").format(
                         creative=r.creative_id, campaign=r.campaign_id, ctr=i18n.fmt_percent(r.ctr),
                         keep=i18n.fmt_percent(ctr_keep, 0)),
                     "action": _("Pause creative {creative} and test a new one in its place.").format(
                         creative=r.creative_id)})
    gainers = budget[(budget["change"] > 0) & budget["campaign_id"].notna()
                     & (budget["campaign_id"] != reserve_label)]
    if not gainers.empty and campaigns["stop_loss"].any():
        moves = listed(_("{campaign} +{amount}").format(campaign=g.campaign_id, amount=i18n.fmt_money(g.change))
                       for g in gainers.itertuples(index=False))
        rows.append({"priority": 2, "area": "Budget", "section": "ads",
                     "finding": _("Measured ROAS favours: {moves}.").format(moves=moves),
                     "action": _("Shift budget in steps (test with about 10% first) and re-check ROAS next "
                                 "period.")})
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
            values = {"platform": i18n.platform_name(str(platform)), "best": format_name(best["format"]),
                      "worst": format_name(worst["format"])}
            rows.append({"priority": 3, "area": "Content", "section": "content",
                         "finding": _("On {platform}, {best} posts average {best_er} engagement rate vs {worst} "
                                      "{worst_er} (95% intervals do not overlap; {n_best} and {n_worst} "
                                      "posts).").format(
                             best_er=i18n.fmt_percent(best["er_mean_of_rates"], 2),
                             worst_er=i18n.fmt_percent(worst["er_mean_of_rates"], 2),
                             n_best=int(best["posts"]), n_worst=int(worst["posts"]), **values),
                         "action": _("Give {best} more of next month's {platform} slots; test why {worst} "
                                     "lags.").format(**values)})
    return _frame(rows)


def from_attribution(assist: pd.DataFrame) -> pd.DataFrame:
    """Warn against cutting channels that mostly assist conversions (last-touch undervalues them)."""
    rows = []
    for r in assist[assist["label"] == "assist"].itertuples(index=False):
        channel = channel_name(r.channel)
        rows.append({"priority": 2, "area": "Attribution", "section": "attribution",
                     "finding": _("{channel} gets {ratio}× as many conversions under the Markov model as under "
                                  "last touch: it mostly assists.").format(
                         channel=channel, ratio=i18n.fmt_number(r.markov_ratio, 1)),
                     "action": _("Judge {channel} by multi-touch credit, not last click; keep its seeding "
                                 "budget.").format(channel=channel)})
    return _frame(rows)


def from_risks(top_risks: pd.DataFrame) -> pd.DataFrame:
    """Review the mitigation of each high-level open risk with its owner."""
    rows = []
    for r in top_risks[top_risks["level"] == "high"].itertuples(index=False):
        rows.append({"priority": 2, "area": "Risks", "section": "risks",
                     "finding": _("{risk} ({category}): score {score} = probability {probability} × impact "
                                  "{impact}.").format(
                         risk=r.risk_id, category=word(RISK_CATEGORIES, r.category),
                         score=i18n.fmt_number(r.score, 1), probability=i18n.fmt_percent(r.probability, 0),
                         impact=int(r.impact)),
                     "action": _("{owner}: confirm the mitigation ({mitigation}) this month.").format(
                         owner=r.owner, mitigation=r.mitigation)})
    return _frame(rows)


def combine(*parts: pd.DataFrame | None) -> pd.DataFrame:
    """All recommendations, highest priority first, numbered."""
    frames = [p for p in parts if p is not None and not p.empty]  # None: a section without data
    if not frames:
        return _frame([]).assign(rank=pd.Series(dtype=int))[["rank", *COLUMNS]]
    table = pd.concat(frames, ignore_index=True).sort_values("priority", kind="stable").reset_index(drop=True)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table


def recommendations(board: pd.DataFrame, alerts: pd.DataFrame, removed: pd.DataFrame, by_format: pd.DataFrame,
                    ads: AdsReview | None = None, attribution: AttributionReview | None = None,
                    risks: RiskReview | None = None, accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every rule on this period's results, ranked: KPIs of each account (not the total), critical alerts
    only, bot days, ads, formats, assisting channels and high risks (a section without data adds none).

    `accounts` (the accounts table) names the accounts in the text; without it they are named by id.
    When campaigns hit the ROAS stop-loss, the ads rule names them, so the scorecard's ROAS rows
    (which say the same per account, without the campaign) are left out.
    """
    names = account_names(accounts)
    accounts_board = board[board["account_id"] != "total"]
    if ads is not None and bool(ads.campaigns["stop_loss"].any()):
        accounts_board = accounts_board[accounts_board["kpi"] != "roas"]
    return combine(
        from_scorecard(accounts_board, names),
        from_alerts(alerts[alerts["severity"] == "critical"], names),
        from_bot_traffic(removed, names),
        None if ads is None else from_ads(ads.campaigns, ads.creatives, ads.budget, ads.roas_floor, ads.ctr_keep),
        from_content(by_format),
        None if attribution is None else from_attribution(attribution.assist),
        None if risks is None else from_risks(risks.top),
    )


# --------------------------------------------------------------------------------------------
# The "So what" lines, one per section
# --------------------------------------------------------------------------------------------

def setup_text(run: ReviewRun) -> str:
    """What is reviewed: the period, the accounts, where targets come from, completed metrics, skipped sections."""
    names = account_names(run.accounts)
    lines = [_("Period: {period} ({days})").format(period=i18n.fmt_period(run.period.kind, run.period.start),
                                                   days=i18n.fmt_day_range(run.period.start, run.period.end)),
             _("Accounts: {accounts}").format(accounts=listed(account_name(names, a) for a in run.account_ids)),
             run.targets_note]
    lines += [_("Completed: {note}").format(note=note) for note in run.data_notes]
    if run.missing:
        lines.append(_("Not in the data folder, so their sections are skipped: {tables}").format(
            tables=", ".join(run.missing)))
    return "\n".join(lines)


def bot_days_text(removed: pd.DataFrame, unchecked: Sequence[str] = (), accounts: pd.DataFrame | None = None) -> str:
    """The account-days whose bot-like traffic was removed, and the accounts the check could not judge."""
    names = account_names(accounts)
    days = sorted({(r.account_id, r.date) for r in removed.itertuples()})
    shown = [_("{account} {day}").format(account=account_name(names, a), day=_day(d)) for a, d in days]
    lines = [_("Bot-like traffic removed on: {days}").format(days=listed(shown) if shown else _("no day in this "
                                                                                                   "period"))]
    if unchecked:
        lines.append(_("Bot check not possible (its two signals are missing) for: {accounts}").format(
            accounts=listed(unchecked)))
    return "\n".join(lines)


def under_target(board: pd.DataFrame) -> pd.DataFrame:
    """Scorecard rows of single accounts that have a target and are at risk (under 90 % of it)."""
    return board[(board["status"] == "at risk") & board["target"].notna() & (board["account_id"] != "total")]


def kpis_under_target_text(board: pd.DataFrame, accounts: pd.DataFrame | None = None) -> str:
    """The KPIs (on which account) under 90 % of their target, with their attainment."""
    names = account_names(accounts)
    missed = [_("{kpi} on {account} ({attainment})").format(kpi=r.label, account=account_name(names, r.account_id),
                                                            attainment=fmt_attainment(r.attainment))
              for r in under_target(board).itertuples()]
    return _("KPIs under {threshold} of target: {kpis}").format(threshold=i18n.fmt_percent(AT_RISK_BELOW, 0),
                                                               kpis=listed(missed))


def alerts_text(alerts: pd.DataFrame) -> str:
    """How many alerts the period has, and how many are critical."""
    critical = int((alerts["severity"] == "critical").sum())
    return i18n.ngettext("{n} alert, {critical} critical.", "{n} alerts, {critical} critical.",
                         len(alerts)).format(n=len(alerts), critical=critical)


def false_alarm_text(threshold: float, series_days: int) -> str:
    """What the threshold costs in false alarms: its rate on ordinary days and the number to expect this period."""
    rate = false_alarm_rate(threshold)
    return _("At |z| ≥ {threshold} an ordinary day alerts with probability {rate} (about 1 in {one_in}): over "
             "this period's {n} account-KPI-days, expect about {expected} false alarms.").format(
        threshold=f"{threshold:g}", rate=i18n.fmt_percent(rate, 3), one_in=i18n.fmt_count(round(1 / rate)),
        n=i18n.fmt_count(series_days), expected=i18n.fmt_number(series_days * rate, 1))


def festival_text(lifts: pd.DataFrame, festival_days: pd.DataFrame) -> str:
    """The period's festival windows and the days beyond the threshold inside them (listed apart, not as anomalies)."""
    if festival_days.empty:
        return _("No festival window falls in this period.")
    windows = [_("{occasion} ({days})").format(occasion=occasion, days=i18n.fmt_day_range(days.min(), days.max()))
               for occasion, days in festival_days.groupby("occasion", sort=False)["date"]]
    if lifts.empty:
        return _("Festival windows in this period: {windows}. No account-KPI-day went beyond the threshold "
                 "there.").format(windows=i18n.listed(windows))
    return i18n.ngettext(
        "Festival windows in this period: {windows}. {n} account-KPI-day beyond the threshold there is listed "
        "below as an expected festival move, not as an anomaly.",
        "Festival windows in this period: {windows}. {n} account-KPI-days beyond the threshold there are listed "
        "below as expected festival moves, not as anomalies.", len(lifts)).format(
        windows=i18n.listed(windows), n=len(lifts))


def _base_name(base: str) -> str:
    return word({"impressions": N_("impressions"), "reach": N_("reach"), "followers": N_("followers")}, base)


#: What a post's score (its engagement rate) divides by, per base: stated above the top posts.
SCORE_WORDS: dict[str, str] = {
    "impressions": N_("Score: engagement rate = the post's engagements (likes, comments, shares and saves, as the "
                      "platform reports them) ÷ its impressions."),
    "reach": N_("Score: engagement rate = the post's engagements (likes, comments, shares and saves, as the "
                "platform reports them) ÷ its reach."),
    "followers": N_("Score: engagement rate = the post's engagements (likes, comments, shares and saves, as the "
                    "platform reports them) ÷ the account's followers on the day it was published."),
}


def top_posts_heading(posts: PostReview) -> str:
    """The heading of the top-posts table with the score it ranks by; says why when no post could be ranked."""
    heading = (_("Top {n} posts by engagement rate (by {base}):").format(n=posts.top_n, base=_base_name(posts.base))
               + "\n" + _(SCORE_WORDS[posts.base]))
    if not posts.best.empty:
        return heading
    return heading + "\n  " + _("none ranked: the period has {n} post(s), none with both engagements and {base} "
                                "(an export without that base: try er_base = followers).").format(
        n=posts.published, base=_base_name(posts.base))


def bottom_posts_heading(posts: PostReview) -> str:
    """The heading of the bottom-posts table."""
    return _("Bottom {n} posts:").format(n=posts.top_n)


#: How the Markov model's value credit is computed, by markov_value (attribution.MARKOV_VALUES).
MARKOV_VALUE_WORDS: dict[str, str] = {
    "share": N_("Markov value credit: each channel's share of the conversions × the total value."),
    "removal": N_("Markov value credit: value removal effects (the conversion value lost without the channel, "
                  "as ChannelAttribution computes it)."),
}


def attribution_text(attribution: AttributionReview | None, assist_at: float = 1.5) -> str:
    """Journeys and conversions, the channels that mostly assist and the Markov value convention; or why skipped."""
    if attribution is None:
        return _("No touchpoints and conversions in the data folder: attribution is skipped (import them as "
                 "canonical tables to see it).")
    journeys, assist = attribution.journeys, attribution.assist
    assisting = [channel_name(c) for c in assist.loc[assist["label"] == "assist", "channel"]]
    return (_("{converted} converting journeys of {journeys}, with {conversions} conversions: a journey that "
              "converts more than once counts each conversion.").format(
        converted=i18n.fmt_count(int(journeys["converted"].sum())), journeys=i18n.fmt_count(len(journeys)),
        conversions=i18n.fmt_count(int(journeys["conversions"].sum())))
        + "\n" + no_touch_text(attribution.reconciliation())
        + "\n" + _("Channels that mostly assist (Markov ÷ last touch ≥ {at}): {channels}").format(
            at=f"{assist_at:g}", channels=listed(assisting))
        + "\n" + _(MARKOV_VALUE_WORDS[attribution.markov_value]))


def no_touch_text(totals: Mapping[str, float]) -> str:
    """How the conversions reconcile: credited to channels + no recorded touch = all, in count and value.

    ``totals`` is ``AttributionReview.reconciliation()`` (helpers.attribution.reconcile). Counts are
    written whole and values to the cent, so the sum on the line adds up as written.
    """
    def count(key: str) -> str:
        return i18n.fmt_number(totals[key], 0)

    def money(key: str) -> str:
        return i18n.fmt_number(totals[key], 2)

    if not totals["no_touch_conversions"]:
        return _("Every conversion has a recorded touch: each model credits all {conversions} conversions (value "
                 "{value}) to channels.").format(conversions=count("conversions"), value=money("value"))
    return _("No recorded touch: {n} of the {conversions} conversions ({share}, value {value}, {journeys} journeys) "
             "have no touchpoint at or before them, so no model can credit a channel with them; every model lists "
             "them as “no recorded touch”. Credited {credited} + no recorded touch {n} = {conversions} conversions; "
             "value {credited_value} + {value} = {total_value}.").format(
        n=count("no_touch_conversions"), conversions=count("conversions"),
        share=i18n.fmt_percent(totals["no_touch_conversions"] / totals["conversions"], 1),
        value=money("no_touch_value"), journeys=count("no_touch_journeys"), credited=count("credited_conversions"),
        credited_value=money("credited_value"), total_value=money("value"))


def strongest_assist(attribution: AttributionReview | None) -> pd.Series | None:
    """The assist_ratio row of the channel with the highest Markov ÷ last-touch ratio, if it is an assist."""
    ranked = None if attribution is None else attribution.assist.dropna(subset=["markov_ratio"])
    if ranked is None or ranked.empty:
        return None
    top = ranked.sort_values("markov_ratio", ascending=False, kind="stable").iloc[0]
    return top if top["label"] == "assist" else None


def strongest_assist_text(attribution: AttributionReview | None) -> str:
    """The channel with the highest Markov ÷ last-touch ratio, if it is labelled an assist."""
    top = strongest_assist(attribution)
    channel = channel_name(top["channel"]) if top is not None else _("none")
    return _("Strongest assist channel (highest Markov ÷ last-touch credit): {channel}").format(channel=channel)


def ads_text(ads: AdsReview | None) -> str:
    """The campaigns under the ROAS stop-loss and the creatives under the CTR keep threshold; then, when
    there are any, the campaigns without a ROAS: no spend in the period, or spend without tracked revenue."""
    if ads is None:
        return _("No campaigns or creatives to judge.")
    return (_("Campaigns under the ROAS stop-loss ({floor}): {campaigns}").format(
        floor=i18n.fmt_number(ads.roas_floor), campaigns=listed(list(ads.stop["campaign_id"]))) + "\n"
        + _("Creatives under the CTR keep threshold ({keep}): {creatives}").format(
            keep=i18n.fmt_percent(ads.ctr_keep, 0), creatives=listed(list(ads.low["creative_id"])))
        + "".join("\n" + line for line in unknown_roas_lines(ads.campaigns)))


def unknown_roas_lines(campaigns: pd.DataFrame) -> list[str]:
    """A line for the campaigns with no spend in the period (no ROAS, nothing to shift) and one for those
    with spend but no tracked revenue (budget unchanged until it is); none when every ROAS is known."""
    unknown = campaigns[campaigns["roas"].isna()]
    spend = pd.to_numeric(unknown["spend"], errors="coerce")
    idle, untracked = list(unknown.loc[spend.eq(0), "campaign_id"]), list(unknown.loc[~spend.eq(0), "campaign_id"])
    lines = []
    if idle:
        lines.append(_("No spend in the period, so no ROAS and no budget to shift: {campaigns}").format(
            campaigns=listed(idle)))
    if untracked:
        lines.append(_("ROAS unknown (spend without tracked revenue), budget unchanged until revenue is tracked: "
                       "{campaigns}").format(campaigns=listed(untracked)))
    return lines


def ads_skipped_text(ads: AdsReview | None) -> str:
    """Why the ads section is empty, with a newline; "" when there is ad data (print it with ``end=""``).

    One line whether ad_daily is missing, empty (header only) or has no row in the period (ads.review_ads).
    """
    if ads is not None:
        return ""
    return _("No ads this period (no ad data for the reviewed accounts in the period): the ads section is "
             "skipped.") + "\n"


def risks_skipped_text(risks: RiskReview | None) -> str:
    """Why the risk section is empty, with a newline; "" when there is a register (print it with ``end=""``)."""
    return "" if risks is not None else _("No risk register (risks) in the data folder: the section is "
                                          "skipped.") + "\n"


def reputation_text(voice: Voice, split: pd.DataFrame) -> str:
    """The period's customer comments and their sentiment split in all, or why there are none (no comments table)."""
    if not voice.available:
        return _("No comments table in the data folder: the reputation KPIs (sentiment split, net sentiment) and the "
                 "crisis cases need one (comments.csv; `opsbook import` reads comment exports).")
    rows = split[(split["window"] == "period") & (split["account_id"] == "total")]
    if rows.empty or not int(rows["comments"].iloc[0]):
        return _("No customer comment in this period.")
    r = rows.iloc[0]
    return _("Customer comments this period: {comments} ({scored} scored): {positive} positive, {neutral} neutral, "
             "{negative} negative; net sentiment {net} (positive share − negative share, from −1 to +1). Set apart "
             "before cleaning: {brand} brand replies in this period; removed up to the period's end as empty, spam, "
             "bot or duplicate: {removed}.").format(
        comments=i18n.fmt_count(r["comments"]), scored=i18n.fmt_count(r["scored"]),
        positive=i18n.fmt_percent(r["positive_share"]), neutral=i18n.fmt_percent(r["neutral_share"]),
        negative=i18n.fmt_percent(r["negative_share"]), net=fmt_value(r["net_sentiment"], "index"),
        brand=i18n.fmt_count(voice.brand_rows), removed=i18n.fmt_count(voice.removed)) + _english_lexicon_note(voice)


def _english_lexicon_note(voice: Voice) -> str:
    """Why English comments were scored by the lexicon, when the English labelled set is missing ("" otherwise)."""
    if not voice.english_by_lexicon:
        return ""
    return "\n" + _("{count} English comments this period are scored with the VADER lexicon, not a fitted model: "
                    "the English labelled set (the vaderSentiment 3.3.2 source package) is missing from the language "
                    "cache. Run `make setup` to download it.").format(count=i18n.fmt_count(voice.english_by_lexicon))


def crisis_days_text(cases: CrisisCases, accounts: pd.DataFrame | None = None) -> str:
    """The accounts and days with a critical 舆情 alert in the period (the crisis cases)."""
    names = account_names(accounts)
    critical = cases.alerts[cases.alerts["severity"] == "critical"] if len(cases.alerts) else cases.alerts
    shown = []
    for account_id, rows in critical.groupby("account_id", sort=True):
        days = sorted({pd.Timestamp(d).normalize() for d in rows["start"]})
        shown.append(_("{account} {days}").format(account=account_name(names, account_id),
                                                   days=listed(_day(d) for d in days)))
    return _("Crisis cases (critical public-opinion alerts): {cases}").format(
        cases="; ".join(shown) if shown else _("none in this period"))


def crisis_sop_text(cases: CrisisCases) -> str:
    """How many 舆情 alerts and incidents the period has and the SOP they follow (owner, deadline, escalation)."""
    if cases.sop is None:
        return ""
    sop = cases.sop
    owner = sop.owner or _("no owner named")
    return _("{alerts} public-opinion alert(s) in {incidents} incident(s) (alerts of one account less than a day "
             "apart are one incident), {critical} critical. Response SOP: {owner} (risk {risk}), respond within "
             "{respond} h, escalate after {escalate} h.").format(
        alerts=i18n.fmt_count(len(cases.alerts)), incidents=i18n.fmt_count(len(cases.incidents)),
        critical=i18n.fmt_count(cases.critical_incidents), owner=owner,
        risk=sop.risk_id or i18n.MISSING, respond=i18n.fmt_number(sop.respond_within_h),
        escalate=i18n.fmt_number(sop.escalate_after_h))


def _signed_count(value: float) -> str:
    """A count with its sign: +900, −450 (0 unsigned)."""
    text = i18n.fmt_count(value)
    return "+" + text if value > 0 else text


def growth_text(growth: Growth, accounts: pd.DataFrame | None = None) -> str:
    """The platform that grew most (largest net follower change): its share of the gains, index and change."""
    leader = growth.leader()
    if leader is None:
        return _("No net follower change could be computed for this period: no growth comparison.")
    names = account_names(accounts)
    account_id = str(leader["account_id"])
    shares = growth.shares[growth.shares["account_id"] == account_id].set_index("kpi")["share"]
    followers = growth.indexed[(growth.indexed["account_id"] == account_id) & (growth.indexed["kpi"] == "followers")]
    index = followers["index"].iloc[-1] if len(followers) else float("nan")
    text = _("Grew most: {platform} ({account}), {net} followers, {share} of the net follower change; followers "
             "index {index} at the period's end (start = 100). Its share of engagements: {engagements}; of revenue: "
             "{revenue}.").format(
        platform=i18n.platform_name(str(leader["platform"])), account=account_name(names, account_id),
        net=_signed_count(float(leader["value"])), share=i18n.fmt_percent(leader["share"]),
        index=i18n.fmt_number(index, 0),
        engagements=i18n.fmt_percent(shares.get("engagements", float("nan"))),
        revenue=i18n.fmt_percent(shares.get("revenue", float("nan"))))
    change = leader["change_vs_last_year"]
    if pd.notna(change):  # no comparison when last year is not wholly in the data: said nowhere rather than "–"
        text = i18n.sentences(text, _("Its net follower change is {change} vs the same period last year.").format(
            change=i18n.fmt_change(change)))
    return text


def plan_link_text(period: ReviewPeriod, report_dir: Path) -> str:
    """The year-end review's closing line: a link to next year's account plan, or the command that makes it.

    ``report_dir`` is the folder this report is written to (outputs/period_review/<label>); the plan
    is looked for under the same outputs root, then under config.OUTPUTS, and linked relative to
    ``report_dir``, so the two reports can be moved together. Empty for a period other than a year.
    """
    if period.kind != "year":
        return ""
    year = int(period.label) + 1
    here = report_dir.resolve()
    found = [p for p in (here.parent.parent / "account_plan" / str(year) / "report.html",  # this run's outputs root
                         config.OUTPUTS / "account_plan" / str(year) / "report.html") if p.is_file()]
    if found:
        plan = found[0]
        link = Path(os.path.relpath(plan, here)).as_posix()
        return _("Next year's plan: [account plan {year}]({link}).").format(year=year, link=link)
    return _("Next year's plan: not made yet. Make it with `{command}`.").format(
        command=f"opsbook run account_plan -p plan_year {year}")


def written_text(tables: int, figures: int) -> str:
    """The last line of a run: what it wrote."""
    return _("Wrote summary.json, {tables} tables and {figures} figures.").format(tables=tables, figures=figures)


# --------------------------------------------------------------------------------------------
# The executive summary: the report's first screen
# --------------------------------------------------------------------------------------------

#: The total's KPIs shown as tiles, in order (those without a value are left out).
TILE_KPIS: tuple[str, ...] = ("net_follower_change", "impressions", "engagements", "revenue", "roas")
#: The report's name by period kind.
REPORT_NAMES: dict[str, str] = {"week": N_("Weekly review"), "month": N_("Monthly review"),
                                "quarter": N_("Quarterly review"), "year": N_("Year-end review")}
MAX_FINDINGS = 5
MAX_ACTIONS = 3


def report_name(period: ReviewPeriod) -> str:
    """The report's name: 月度复盘 / Monthly review (by the period's kind)."""
    return _(REPORT_NAMES.get(period.kind, N_("Period review")))


def title(period: ReviewPeriod, accounts: pd.DataFrame) -> str:
    """The page title: report · account(s) · period, e.g. 月度复盘 · 青柠生活 · 2026年10月."""
    names = list(account_names(accounts).values())
    return page.report_title(report_name(period), page.brand_name(names), i18n.fmt_period(period.kind, period.start))


def subtitle(period: ReviewPeriod, accounts: pd.DataFrame) -> str:
    """Accounts, platforms and the period's days: 青柠生活 · 抖音、小红书、微信、微博 · 2026年10月1日至31日."""
    names = list(account_names(accounts).values())
    platforms = listed(i18n.platform_name(p) for p in accounts["platform"])
    return page.report_title(page.brand_name(names), platforms, i18n.fmt_day_range(period.start, period.end))


def _tile(row: Any) -> page.Tile:
    unit = KPIS[row.kpi].unit
    per_day = getattr(row, "change_basis", "") == "per day"
    lines = []
    if pd.notna(row.target):
        lines.append(_("Attainment {attainment} of {target}").format(attainment=fmt_attainment(row.attainment),
                                                                      target=fmt_value(row.target, unit)))
    previous = _("vs previous (per day): {change}") if per_day else _("vs previous: {change}")
    last_year = _("vs last year (per day): {change}") if per_day else _("vs last year: {change}")
    lines.append(previous.format(change=fmt_kpi_change(unit, row.change_pct, getattr(row, "change_abs", None))))
    lines.append(last_year.format(change=fmt_kpi_change(unit, row.yoy_pct, getattr(row, "yoy_abs", None))))
    return page.Tile(label=row.label, value=fmt_value(row.actual, unit), status=status_code(row.status),
                     lines=tuple(lines), href="#kpi")


def kpi_tiles(board: pd.DataFrame, kpis: Sequence[str] = TILE_KPIS) -> tuple[page.Tile, ...]:
    """The total's KPI tiles: actual, attainment (never rounded across 90 %/100 %), 环比 and 同比, status."""
    total = board[(board["account_id"] == "total") & board["actual"].notna()]
    rows = {r.kpi: r for r in total.itertuples(index=False)}
    return tuple(_tile(rows[k]) for k in kpis if k in rows)


def _gaps(board: pd.DataFrame) -> pd.DataFrame:
    """Account KPI rows under the coverage threshold for missing days (insufficient data, or missing with 0 days)."""
    if "gap" not in board.columns:
        return board.iloc[0:0]
    return board[(board["account_id"] != "total") & board["gap"].astype(bool)]


def verdict(board: pd.DataFrame) -> tuple[str, str]:
    """The verdict over the accounts' KPIs with a target (the total left out) and its status code.

    KPIs under the coverage threshold are not judged: not counted in "n", said apart.
    """
    judged = ~board["status"].isin(["insufficient data", "missing"])
    rows = board[(board["account_id"] != "total") & board["target"].notna() & board["actual"].notna() & judged]
    counts = {s: int((rows["status"] == s).sum()) for s in ("healthy", "watch", "at risk")}
    status = "at risk" if counts["at risk"] else "watch" if counts["watch"] else "healthy"
    text = _("{met} of {n} account KPIs with a target met it; {risk} at risk (under 90%), {watch} on watch.").format(
        met=counts["healthy"], n=len(rows), risk=counts["at risk"], watch=counts["watch"])
    unjudged = int(_gaps(board)["target"].notna().sum())
    if unjudged:
        text = i18n.sentences(text, i18n.ngettext(
            "{n} more with a target has insufficient data and is not judged.",
            "{n} more with a target have insufficient data and are not judged.", unjudged).format(n=unjudged))
    return text, status


def _kpi_miss_lines(board: pd.DataFrame, names: Mapping[str, str], n: int = 2) -> list[page.Line]:
    missed = under_target(board).sort_values("attainment", kind="stable").head(n)
    return [page.Line(_("{account}: {kpi} {attainment} of target ({actual} vs {target}).").format(
        account=account_name(names, r.account_id), kpi=r.label, attainment=fmt_attainment(r.attainment),
        actual=fmt_value(r.actual, KPIS[r.kpi].unit), target=fmt_value(r.target, KPIS[r.kpi].unit)),
        "#kpi", "at risk") for r in missed.itertuples()]


def _alert_line(alerts: pd.DataFrame, names: Mapping[str, str]) -> list[page.Line]:
    if alerts.empty:
        return []
    top = alerts.loc[alerts["robust_z"].abs().idxmax()]
    critical = int((alerts["severity"] == "critical").sum())
    text = i18n.ngettext("{n} anomaly alert ({critical} critical); the largest: {account} on {day}, {surprise}.",
                         "{n} anomaly alerts ({critical} critical); the largest: {account} on {day}, {surprise}.",
                         len(alerts)).format(n=len(alerts), critical=critical,
                                             account=account_name(names, top["account_id"]), day=_day(top["date"]),
                                             surprise=_alert_part(top))
    return [page.Line(text, "#alerts", "watch" if critical else "info")]


def _bot_line(removed: pd.DataFrame, names: Mapping[str, str]) -> list[page.Line]:
    if removed.empty:
        return []
    parts = [_("{account} on {day} ({parts})").format(account=account_name(names, account), day=_day(day),
                                                      parts=_removed_parts(group))
             for (day, account), group in removed.groupby(["date", "account_id"])]
    return [page.Line(_("Bot-like traffic removed before any total: {days}.").format(days=listed(parts)),
                      "#data", "watch")]


def _ads_line(ads: AdsReview | None) -> list[page.Line]:
    if ads is None or ads.stop.empty:
        return []
    parts = [_("{campaign} (ROAS {roas}, spend {spend})").format(campaign=r.campaign_id,
                                                                 roas=i18n.fmt_number(r.roas, 2),
                                                                 spend=i18n.fmt_money(r.spend))
             for r in ads.stop.itertuples()]
    return [page.Line(_("Under the ROAS stop-loss of {floor}: {campaigns}.").format(
        floor=i18n.fmt_number(ads.roas_floor), campaigns=listed(parts)), "#ads", "at risk")]


def _assist_line(attribution: AttributionReview | None) -> list[page.Line]:
    top = strongest_assist(attribution)
    if top is None:
        return []
    return [page.Line(_("{channel} is the strongest assist channel: the Markov model credits it {ratio}× its "
                        "last-touch conversions, so last-click reports undervalue it.").format(
        channel=channel_name(top["channel"]), ratio=i18n.fmt_number(top["markov_ratio"], 1)), "#attribution",
        "info")]


def key_findings(board: pd.DataFrame, alerts: pd.DataFrame, removed: pd.DataFrame, ads: AdsReview | None,
                 attribution: AttributionReview | None, accounts: pd.DataFrame | None = None,
                 limit: int = MAX_FINDINGS) -> tuple[page.Line, ...]:
    """Up to `limit` findings in order: the worst KPI misses, the stop-loss, alerts, bot traffic, the top assist."""
    names = account_names(accounts)
    lines = (_kpi_miss_lines(board, names) + _ads_line(ads) + _alert_line(alerts, names) + _bot_line(removed, names)
             + _assist_line(attribution))
    return tuple(lines[:limit])


def top_actions(actions: pd.DataFrame, n: int = MAX_ACTIONS) -> tuple[page.Line, ...]:
    """The first `n` recommendations: the action, then the finding behind it, linking to its section."""
    lines = []
    for r in actions.head(n).itertuples(index=False):
        finding = str(r.finding).strip().rstrip("。.")
        for separator in ("；", "; "):  # an alert day lists every metric: the summary keeps the first
            if separator in finding:
                finding = finding.split(separator, 1)[0] + "…"
        action = str(r.action).strip().rstrip("。.")
        lines.append(page.Line(_("{action} ({finding})").format(action=action, finding=finding),
                               "#" + str(getattr(r, "section", "") or AREA_SECTIONS.get(r.area, "actions"))))
    return tuple(lines)


def coverage_notes(run: ReviewRun, exclude: Collection[str] = ()) -> tuple[str, ...]:
    """A note per reviewed account whose daily data ends before the period does: its totals are short.

    Accounts in `exclude` (those under the coverage threshold, already named as coverage gaps and not
    judged) get no note: their attainment is not short, it is not computed.
    """
    last = run.daily.groupby("account_id")["date"].max().reindex(list(run.account_ids))
    names = account_names(run.accounts)
    short = [(a, d) for a, d in last.items() if (pd.isna(d) or d < run.period.end) and a not in exclude]
    return tuple(_("{account}: the data ends {day}, before the period does; its totals and attainment are short "
                   "by the missing days.").format(account=account_name(names, a),
                                                  day=i18n.fmt_date(d) if pd.notna(d) else i18n.MISSING)
                 for a, d in short)


#: The tables a KPI's days come from, as a reader names them.
TABLE_WORDS: dict[str, str] = {"account_daily": N_("daily metrics"), "posts": N_("post data"),
                               "ad_daily": N_("ad data"), "comments": N_("comment data")}


def coverage_gaps(board: pd.DataFrame) -> list[dict[str, Any]]:
    """The reviewed period's coverage gaps, one per account, table and days covered (summary.json ``coverage_gaps``).

    Each: account_id, table (account_daily, posts or ad_daily), kpis, days_covered, days_in_period and
    what happened: "insufficient data" or "missing" (no day), and left_out_of_totals (always true).
    """
    gaps = _gaps(board)
    out: list[dict[str, Any]] = []
    if gaps.empty:
        return out
    for (account, table, days), rows in gaps.groupby(
            ["account_id", gaps["kpi"].map(kpi_table), "covered_days"], sort=False):
        out.append({"account_id": str(account), "table": str(table), "kpis": list(rows["kpi"]),
                    "days_covered": int(days), "days_in_period": int(rows["period_days"].iloc[0]),
                    "status": "missing" if days == 0 else "insufficient data", "left_out_of_totals": True})
    return out


def coverage_gaps_text(board: pd.DataFrame, accounts: pd.DataFrame | None = None) -> str:
    """One line for the summary: the accounts and tables under the coverage threshold, or "" when there are none."""
    gaps = coverage_gaps(board)
    if not gaps:
        return ""
    names = account_names(accounts)
    parts: dict[str, list[str]] = {}
    for g in gaps:
        parts.setdefault(g["account_id"], []).append(_("{table} {covered}/{days} days").format(
            table=_(TABLE_WORDS.get(g["table"], g["table"])), covered=g["days_covered"], days=g["days_in_period"]))
    shown = [_("{account} ({parts})").format(account=account_name(names, a), parts=listed(p)) for a, p in parts.items()]
    return _("Coverage gaps: {gaps}. These KPIs are not judged (insufficient data, no attainment) and are left out "
             "of totals.").format(gaps="; ".join(shown))


def executive_summary(run: ReviewRun, *, board: pd.DataFrame, alerts: pd.DataFrame, bots: BotCheck,
                      ads: AdsReview | None, attribution: AttributionReview | None,
                      actions: pd.DataFrame, growth: Growth | None = None) -> page.Summary:
    """The report's first screen: title, verdict, the total's KPI tiles, key findings and the top 3 actions.

    A year-end review leads its findings with the per-platform growth comparison (METHODOLOGY 7).
    """
    text, status = verdict(board)
    lines = key_findings(board, alerts, bots.removed_in_period, ads, attribution, run.accounts)
    if growth is not None and run.period.kind == "year" and growth.leader() is not None:
        lines = (page.Line(growth_text(growth, run.accounts), "#growth", "info"), *lines)
    gaps = coverage_gaps_text(board, run.accounts)
    if gaps:  # what the numbers cannot say comes first: a manager must not read a gap as a miss
        lines = (page.Line(gaps, "#kpi", "watch"), *lines)[:MAX_FINDINGS]
    gapped = {g["account_id"] for g in coverage_gaps(board)}
    return page.Summary(title=title(run.period, run.accounts), subtitle=subtitle(run.period, run.accounts),
                        verdict=text, verdict_status=status, verdict_href="#kpi", tiles=kpi_tiles(board),
                        findings=tuple(lines), actions=top_actions(actions),
                        notes=coverage_notes(run, exclude=gapped))


# --------------------------------------------------------------------------------------------
# summary.json
# --------------------------------------------------------------------------------------------

def period_summary(period: ReviewPeriod) -> dict[str, Any]:
    """The reviewed period, its previous period and the same period last year, by label."""
    return {"kind": period.kind, "label": period.label, "start": period.start, "end": period.end,
            "previous": period.previous().label, "last_year": period.same_period_last_year().label}


def kpi_summary(board: pd.DataFrame) -> dict[str, dict[str, dict[str, Any]]]:
    """The scorecard as {account_id or "total": {kpi: {label, actual, target, attainment, previous, change_pct,
    last_year, yoy_pct, status, coverage, note}}}, accounts in the board's order (coverage: "28/31 days" or
    "3/4 accounts"; a total's note names the accounts it leaves out)."""
    fields = ("label", "actual", "target", "attainment", "previous", "change_pct", "last_year", "yoy_pct", "status")
    extra = [f for f in ("coverage", "note") if f in board.columns]
    if extra:
        return {str(account): {r.kpi: {f: getattr(r, f) for f in (*fields, *extra)} for r in rows.itertuples()}
                for account, rows in board.groupby("account_id", sort=False)}
    return {str(account): {r.kpi: {f: getattr(r, f) for f in fields} for r in rows.itertuples()}
            for account, rows in board.groupby("account_id", sort=False)}


def content_summary(posts: PostReview) -> dict[str, Any]:
    """The content section: the engagement-rate base, how many posts were rated, the top posts, the formats."""
    return {"er_base": posts.base, "posts": len(posts.rated), "top_posts": posts.best, "by_format": posts.by_format}


def attribution_summary(attribution: AttributionReview) -> dict[str, dict[str, Any]]:
    """The conventions, how the conversions reconcile, and the credit per model and channel.

    {"model_conventions": {markov_value, repeat_conversions}, "reconciliation": {converting_journeys,
    conversions, value, credited_journeys, credited_conversions, credited_value, no_touch_journeys,
    no_touch_conversions, no_touch_value}, model: {channel: {conversions, value}}}, models in the
    comparison's order; conversions with no recorded touch are the channel "no_touch" of every model,
    so each model's channels sum to reconciliation's conversions and value.
    """
    credit = {str(model): {r.channel: {"conversions": r.conversions, "value": r.value} for r in group.itertuples()}
              for model, group in attribution.comparison.groupby("model", sort=False)}
    return {"model_conventions": attribution.conventions(), "reconciliation": attribution.reconciliation(), **credit}


def summary(period: ReviewPeriod, *, bots: BotCheck, board: pd.DataFrame, alerts: pd.DataFrame, posts: PostReview,
            funnel: pd.DataFrame, attribution: AttributionReview | None, ads: AdsReview | None,
            risks: RiskReview | None, actions: pd.DataFrame, accounts: pd.DataFrame | None = None) -> dict[str, Any]:
    """The summary.json content of a review (the runner adds the parameters); a section without data has no key.

    "title" (report · accounts · period, in the run's language) is the report page's <title>.
    """
    report_title = title(period, accounts if accounts is not None else pd.DataFrame(
        {"account_id": list(board.loc[board["account_id"] != "total", "account_id"].unique())}))
    out: dict[str, Any] = {"title": report_title, "label": period.label, "period": period_summary(period),
                           "bot_traffic": bots.removed_in_period, "kpis": kpi_summary(board),
                           "coverage_gaps": coverage_gaps(board), "alerts": alerts,
                           "content": content_summary(posts), "funnel": funnel}
    if attribution is not None:
        out["attribution"] = attribution_summary(attribution)
    if ads is not None:
        out.update(stop_loss_campaigns=ads.stop, low_ctr_creatives=ads.low, budget_shift=ads.budget)
    if risks is not None:
        out["top_risks"] = risks.top
    out["recommendations"] = actions
    return out
