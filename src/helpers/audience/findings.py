"""What a reader of the audience profile reads: the lines and tables under each section, the summary, summary.json.

Each function takes computed results and returns text, a display table or the executive summary;
none prints. The notebook prints or displays what they return. Everything a person reads is in
the run's language (helpers.i18n); the CSV tables and summary.json keep machine values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from helpers import i18n
from helpers.audience import words
from helpers.audience.clusters import ClusterResult, k_search_table
from helpers.audience.demographics import MISSING
from helpers.audience.personas import (
    ACTION_NURTURE,
    ACTION_OFFERS,
    ACTION_ONBOARDING,
    ACTION_UGC,
    ACTION_WIN_BACK,
    Persona,
)
from helpers.audience.retention import PeakChurnAge
from helpers.errors import require_columns
from helpers.i18n import N_, _, ngettext
from helpers.page import Line, Summary, Tile, report_title
from helpers.report import styled

PERSONA_COLUMNS: tuple[str, ...] = ("persona", "users", "share", "value", "peak_hour", "action")
SOFT_SILHOUETTE = 0.3
"""Below this mean silhouette the clusters are soft partitions of a continuum, not natural groups."""
REPORT_NAME = N_("Audience profile")

ACTION_LABELS: dict[str, str] = {
    ACTION_WIN_BACK: N_("win-back: reactivate lapsed high-value users (personal reminder, comeback offer)"),
    ACTION_OFFERS: N_("offers: convert high-intent users (coupons, limited-time deals, product links)"),
    ACTION_UGC: N_("UGC/referral: invite sharing (challenges, referral rewards, reposting their content)"),
    ACTION_ONBOARDING: N_("tutorials/onboarding: build the habit (how-to, beginner guides, series to follow)"),
    ACTION_NURTURE: N_("nurture: keep the regular content mix at the segment's peak hours"),
}
#: The short name of each action (summary lines).
ACTION_SHORT: dict[str, str] = {
    ACTION_WIN_BACK: N_("Win back"), ACTION_OFFERS: N_("Send offers to"), ACTION_UGC: N_("Invite sharing from"),
    ACTION_ONBOARDING: N_("Onboard with tutorials"), ACTION_NURTURE: N_("Nurture"),
}
ACTION_HOW: dict[str, str] = {
    ACTION_WIN_BACK: N_("personal reminder, comeback offer"),
    ACTION_OFFERS: N_("coupons, limited-time deals, product links"),
    ACTION_UGC: N_("challenges, referral rewards, reposting their content"),
    ACTION_ONBOARDING: N_("how-to posts, beginner guides, a series to follow"),
    ACTION_NURTURE: N_("the regular content mix at their peak hours"),
}
#: Feature rows of the transposed cluster table: (column, label, kind) with kind count / number / percent.
CLUSTER_ROWS: tuple[tuple[str, str, str], ...] = (
    ("size", N_("Users"), "count"), ("share", N_("Share of active users"), "percent"),
    ("events", N_("Events per user"), "number"), ("active_days", N_("Active days"), "number"),
    ("recency_days", N_("Days since last event"), "number"),
    ("share_view", N_("Views, share of events"), "percent"), ("share_like", N_("Likes, share of events"), "percent"),
    ("share_comment", N_("Comments, share of events"), "percent"),
    ("share_share", N_("Shares, share of events"), "percent"), ("share_save", N_("Saves, share of events"), "percent"),
    ("share_click", N_("Clicks, share of events"), "percent"),
    ("share_message", N_("Messages, share of events"), "percent"),
    ("share_purchase", N_("Purchases, share of events"), "percent"),
    ("evening_share", N_("Evening share (18:00–24:00)"), "percent"),
    ("purchase_value", N_("Purchase value per user"), "number"),
)


# ---------------------------------------------------------------- lines under the sections

def _left(style: Any, *columns: str) -> Any:
    """Text columns (paths, actions, names) read from the left."""
    labels = list(style.data.columns)
    shown = [c for c in columns if c in labels]
    return style.set_properties(subset=shown, **{"text-align": "left"}) if shown else style


def _names(names: Sequence[str]) -> str:
    return ("、" if i18n.is_chinese() else ", ").join(str(n) for n in names)


def window_line(account_names: Sequence[str], start: pd.Timestamp, as_of: pd.Timestamp) -> str:
    """The profiled accounts (by name) and the analysis window (both days included)."""
    return _("Accounts: {accounts}; window {period}").format(accounts=_names(account_names),
                                                             period=i18n.fmt_day_range(start, as_of))


def bot_line(counts: Mapping[str, Any]) -> str:
    """Users with activity, how many were flagged as bots and how many were kept (bots.bot_summary)."""
    return _("Users with activity: {before}; flagged as bots: {bots}; kept: {after}").format(
        before=i18n.fmt_count(counts["users_before"]), bots=i18n.fmt_count(counts["bots"]),
        after=i18n.fmt_count(counts["users_after"]))


def bot_table(counts: Mapping[str, Any]) -> Any:
    """bots.bot_summary as a labelled one-row table (users with activity, bots, kept, bot share)."""
    frame = pd.DataFrame([{k: counts[k] for k in ("users_before", "bots", "users_after", "bot_share")}])
    return styled(frame, labels={"users_before": N_("Users with activity"), "bots": N_("Flagged as bots"),
                                 "users_after": N_("Kept (humans)"), "bot_share": N_("Bot share")})


def base_line(audience: pd.DataFrame, people: pd.DataFrame) -> str:
    """The users the demographics and interests count: the profiled accounts' followers, bots removed."""
    users = int(people["user_id"].nunique())
    bots_removed = int(audience["user_id"].nunique()) - users
    return _("Base of the demographics and interests: {users} followers of the profiled accounts "
             "(audience table), {bots} bots removed; every share below is of these users.").format(
        users=i18n.fmt_count(users), bots=i18n.fmt_count(bots_removed))


def demographics_table(overall: pd.DataFrame) -> Any:
    """demographics.overall_shares as a narrow table: attribute, value, users, share (natural order kept)."""
    require_columns(overall, ("attribute", "value", "users", "share"), "overall shares",
                    "Build it with demographics.overall_shares().")
    frame = overall.assign(attribute=overall["attribute"].map(words.attribute), value=overall["value"].map(words.value))
    first = frame["attribute"].ne(frame["attribute"].shift())
    frame["attribute"] = frame["attribute"].where(first, "")
    return styled(frame, labels={"attribute": N_("Attribute"), "value": N_("Value"), "users": N_("Users"),
                                 "share": N_("Share of followers")})


def busiest_window_line(peaks: pd.DataFrame) -> str:
    """The busiest window of behaviour.peak_windows (its first row), with the window's width and share of events."""
    require_columns(peaks, ("start_hour", "end_hour", "label"), "peak windows", "Build it with peak_windows().")
    first = peaks.iloc[0]
    width = (int(first["end_hour"]) - int(first["start_hour"])) % 24 or 24
    text = ngettext("Busiest {n}-hour window: {window}", "Busiest {n}-hour window: {window}", width).format(
        n=width, window=first["label"])
    if "share" in peaks.columns:
        text += _(" ({share} of events)").format(share=i18n.fmt_percent(first["share"]))
    return text


def peaks_table(peaks: pd.DataFrame) -> Any:
    """behaviour.peak_windows as rank, window, events, share of events."""
    frame = peaks[["rank", "label", "events", "share"]]
    return styled(frame, labels={"rank": N_("Rank"), "label": N_("Window (local time)"), "events": N_("Events"),
                                 "share": N_("Share of events")})


def preferences_table(prefs: pd.DataFrame, top: int = 10) -> Any:
    """behaviour.content_preferences (the top rows): format, pillar, posts, engagements, engagements per post."""
    frame = prefs.head(top).assign(format=lambda f: f["format"].map(words.post_format),
                                   pillar=lambda f: f["pillar"].map(words.value))
    return styled(frame, labels={"engagements_per_post": N_("Engagements per post")})


def funnel_table(funnel: pd.DataFrame) -> Any:
    """behaviour.event_funnel: step, event, users, conversion from the previous and from the first step."""
    frame = funnel.assign(event=funnel["event"].map(words.event))
    return styled(frame, percent=("conversion_from_previous", "conversion_from_first"),
                  labels={"step": N_("Step"), "event": N_("Event"),
                          "conversion_from_previous": N_("Conversion from previous step"),
                          "conversion_from_first": N_("Conversion from first step")})


def paths_table(paths: pd.DataFrame) -> Any:
    """behaviour.top_paths: rank, path (events in words), length, users, share of users with a path."""
    frame = paths.assign(path=paths["path"].map(words.path))
    return _left(styled(frame, labels={"rank": N_("Rank"), "path": N_("Path (first time each event)"),
                                       "length": N_("Steps"), "share": N_("Share of users with a path")}), "path")


def interests_table(interests: pd.DataFrame, top: int = 15) -> Any:
    """demographics.interest_shares: the top tags and '(missing)'; the share's header names its base (bots removed)."""
    require_columns(interests, ("interest", "users", "share"), "interest shares",
                    "Build it with demographics.interest_shares().")
    tags = interests[interests["interest"] != MISSING].head(top)
    missing = interests[(interests["interest"] == MISSING) & (interests["users"] > 0)]
    frame = pd.concat([tags, missing], ignore_index=True)
    frame = frame.assign(interest=frame["interest"].map(words.value))
    base = interests.attrs.get("base_users")
    share = (_("Share of the {users} followers").format(users=i18n.fmt_count(base)) if base
             else _("Share of followers"))
    return styled(frame, labels={"interest": N_("Interest"), "users": N_("Users"), "share": share})


def rfm_basis(scored: pd.DataFrame) -> str:
    """The monetary basis of a scored RFM table: 'purchase' or 'engagement' (rfm_table's basis column)."""
    if "basis" in scored.columns and len(scored):
        return str(scored["basis"].iloc[0])
    return str(scored.attrs.get("basis", "purchase"))


def rfm_table(summary: pd.DataFrame, basis: str = "purchase") -> Any:
    """rfm.segment_summary with segment and group names and labelled means (monetary named by its basis)."""
    frame = summary.assign(name=summary["name"].map(words.segment), group=summary["group"].map(words.group))
    money = N_("Engagement value (mean)") if basis == "engagement" else N_("Purchase value (mean)")
    return _left(styled(frame, labels={"name": N_("RFM segment"), "group": N_("Value group"),
                                 "share": N_("Share of RFM-scored users"),
                                 "mean_recency": N_("Days since last activity (mean)"),
                                 "mean_frequency": N_("Events (mean)"), "mean_monetary": money}),
                 "name", "group")


def distinctive_text(text: object) -> str:
    """interests.distinctive_interests' line in the run's language (tags and lifts stay as written)."""
    from helpers.audience.interests import NONE_STANDS_OUT, TOO_SMALL

    if text == NONE_STANDS_OUT:
        return _("none stands out")
    if text == f"{TOO_SMALL} to test":
        return _("segment too small to test")
    return str(text)


def distinctive_table(distinctive: pd.DataFrame) -> Any:
    """interests.distinctive_interests of the value groups: group and its distinctive tags (lift)."""
    frame = distinctive.assign(segment=distinctive["segment"].map(words.group),
                               interests=distinctive["interests"].map(distinctive_text))
    return _left(styled(frame, labels={"segment": N_("Value group"),
                                       "interests": N_("Distinctive interests (lift vs the other groups)")}),
                 "segment", "interests")


def cluster_line(result: ClusterResult) -> str:
    """The number of behaviour clusters and their mean silhouette, saying what a low one means."""
    text = _("k = {k}, silhouette {silhouette}").format(k=result.k, silhouette=f"{result.silhouette:.2f}")
    if result.silhouette < SOFT_SILHOUETTE:
        text += _(" (below 0.3: soft groups along a continuum, useful for planning, not natural types)")
    return text


def rfm_tie_line(ties: Mapping[str, int]) -> str:
    """The users whose tie group straddles a score cut (rfm.boundary_tie_counts), per R, F and M."""
    return ngettext("{users} user sits on a tie at a score boundary (R {r}, F {f}, M {m}); small changes of the data "
                    "can move them as a block.",
                    "{users} users sit on a tie at a score boundary (R {r}, F {f}, M {m}); small changes of the data "
                    "can move them as a block.", int(ties["users"])).format(
        users=i18n.fmt_count(ties["users"]), r=i18n.fmt_count(ties["r"]), f=i18n.fmt_count(ties["f"]),
        m=i18n.fmt_count(ties["m"]))


def _k_best(table: pd.DataFrame) -> pd.Series:
    """The row of the highest silhouette of a k search, whatever its smallest cluster (ties → smaller k)."""
    return table.dropna(subset=["silhouette"]).sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]


def k_choice_line(result: ClusterResult) -> str:
    """How k was chosen: the searched range, the segment-size rule, what the curve says (top of range, tiny ones)."""
    table = result.silhouette_by_k
    if table is None:
        return _("k = {k} as given by the n_clusters parameter (silhouette {silhouette}).").format(
            k=result.k, silhouette=f"{result.silhouette:.2f}")
    low, high, least = int(table["k"].min()), int(table["k"].max()), result.min_size
    best = _k_best(table)
    allowed = table[table["smallest_segment"] >= least].dropna(subset=["silhouette"])
    text = _("k = {k}: the highest mean silhouette among k = {low}–{high} whose smallest cluster has at least "
             "{least} users.").format(k=result.k, low=low, high=high, least=i18n.fmt_count(least))
    if allowed.empty:
        text += " " + _("Every k leaves a cluster under {least} users, so the highest silhouette of all is used and "
                        "the small clusters are flagged.").format(least=i18n.fmt_count(least))
    elif int(best["k"]) != result.k:
        text += " " + _("k = {k} scores higher ({silhouette}) but its smallest cluster has only {users} users.").format(
            k=int(best["k"]), silhouette=f"{best['silhouette']:.2f}", users=i18n.fmt_count(best["smallest_segment"]))
    if int(best["k"]) == high and high > low:
        text += " " + _("The silhouette is highest at the top of the searched range (k = {high}): more clusters "
                        "might score higher still, so read the clusters as a planning split, not as the "
                        "audience's natural number of groups.").format(high=high)
    return text


def k_search_display(k_search: pd.DataFrame) -> Any:
    """clusters.k_search_table labelled: k, mean silhouette, smallest cluster (users), chosen (yes/no)."""
    return styled(k_search, labels={"k": N_("Number of clusters k"), "silhouette": N_("Mean silhouette"),
                                 "smallest_segment": N_("Smallest cluster (users)"), "chosen": N_("Chosen")})


def cluster_table(profile: pd.DataFrame, features: pd.DataFrame | None = None) -> Any:
    """The named cluster profile transposed: one row per feature, one column per cluster (by name), all users last.

    Means per cluster (z-scores stay in tables/clusters.csv); shares as %, counts whole, other
    means with 3 significant digits. `features` (the per-user features) adds the all-users column.
    """
    require_columns(profile, ("cluster", "name", "size", "share"), "cluster profile",
                    "Build it with clusters.named_profile().")
    rows = [(c, label, kind) for c, label, kind in CLUSTER_ROWS if c in profile.columns]
    columns = {words.cluster(n): profile.iloc[i] for i, n in enumerate(profile["name"])}
    if features is not None:
        means = features.mean(numeric_only=True)
        columns[_("All active users")] = pd.Series({**means.to_dict(), "size": len(features), "share": 1.0})
    formats = {"count": i18n.fmt_count, "percent": lambda v: i18n.fmt_percent(v, 1), "number": i18n.fmt_number}
    frame = pd.DataFrame({_("Feature"): [_(label) for _c, label, _k in rows]})
    for name, values in columns.items():
        frame[name] = [formats[kind](values.get(c)) for c, _label, kind in rows]
    return styled(frame).set_properties(**{"text-align": "right"}).set_properties(
        subset=[_("Feature")], **{"text-align": "left"})


def churn_line(peak: PeakChurnAge) -> str:
    """The most common follow age at unfollow (0-based bucket shown as a range of days) and its share."""
    low = peak.age * (7 if peak.unit == "week" else 1)
    high = low + (6 if peak.unit == "week" else 0)
    span = (_("{low}–{high} days").format(low=low, high=high) if high != low
            else ngettext("{low} day", "{low} days", low).format(low=low))
    return _("The most common follow age at unfollow: {span} after following ({count} of {total} unfollows, "
             "{share}); unfollows are spread thinly over follow ages.").format(
        span=span, count=i18n.fmt_count(peak.unfollows), total=i18n.fmt_count(peak.total_unfollows),
        share=i18n.fmt_percent(peak.share)) if peak.share < 0.2 else _(
        "Most unfollows happen {span} after following ({count} of {total} unfollows, {share}).").format(
        span=span, count=i18n.fmt_count(peak.unfollows), total=i18n.fmt_count(peak.total_unfollows),
        share=i18n.fmt_percent(peak.share))


def persona_table(cards: Sequence[Persona]) -> pd.DataFrame:
    """One row per persona card: name, users, share, value, peak hour and the recommended action (machine values)."""
    rows = [{"persona": c.name, "users": c.users, "share": c.share, "value": c.value, "peak_hour": c.peak_hour,
             "action": c.action} for c in cards]
    return pd.DataFrame(rows, columns=list(PERSONA_COLUMNS))


def persona_display(table: pd.DataFrame) -> Any:
    """persona_table in words: segment name, users, share, purchase value per user, peak hour as 21:00, action."""
    frame = table.assign(persona=table["persona"].map(words.segment), peak_hour=table["peak_hour"].map(words.hour),
                         action=table["action"].map(lambda a: _(ACTION_LABELS[a]) if a in ACTION_LABELS else a))
    return _left(styled(frame, labels={"persona": N_("RFM segment"), "share": N_("Share of RFM-scored users"),
                                       "value": N_("Purchase value per user"), "peak_hour": N_("Peak hour"),
                                       "action": N_("Recommended action")}), "persona", "action")


def written_line(tables: int, figures: int) -> str:
    """What the run wrote (summary.json, the number of tables and figures)."""
    return _("Wrote summary.json, {tables} tables and {figures} figures.").format(tables=tables, figures=figures)


# ---------------------------------------------------------------- the executive summary

def title(account_names: Sequence[str], start: pd.Timestamp, as_of: pd.Timestamp) -> str:
    """The report's title: report · accounts · window, in the run's language."""
    return report_title(_(REPORT_NAME), _names(account_names), i18n.fmt_day_range(start, as_of))


def _top(overall: pd.DataFrame, attribute: str) -> tuple[str, float] | None:
    part = overall[(overall["attribute"] == attribute) & (overall["value"] != MISSING)]
    if part.empty:
        return None
    best = part.sort_values("users", ascending=False, kind="stable").iloc[0]
    return str(best["value"]), float(best["share"])


def who_line(overall: pd.DataFrame, base_users: int) -> str:
    """The dominant value of each attribute with its share: '女 72.4% · 25-30 33.3% · 一线 28.7% · Android 49.8%'."""
    parts = []
    for attribute in dict.fromkeys(overall["attribute"]):
        top = _top(overall, attribute)
        if top is not None:
            parts.append(_("{attribute} {value} {share}").format(
                attribute=words.attribute(attribute), value=words.value(top[0]), share=i18n.fmt_percent(top[1])))
    return _("Who follows us ({users} followers, bots removed): {parts}.").format(
        users=i18n.fmt_count(base_users), parts=_("; ").join(parts))


def _retention_pooled(retained: pd.DataFrame, day: int) -> float | None:
    part = retained[retained["day"] == day]
    eligible = int(part["eligible"].sum())
    return None if eligible == 0 else int(part["retained"].sum()) / eligible


def retention_line(retained: pd.DataFrame) -> str:
    """Day-1/7/30 retention pooled over every cohort (retained ÷ eligible users of all cohorts)."""
    require_columns(retained, ("day", "eligible", "retained"), "retention", "Build it with cohort_retention().")
    parts = []
    for day in sorted(set(retained["day"])):
        rate = _retention_pooled(retained, int(day))
        if rate is not None:
            parts.append(_("{day} {rate}").format(day=_("day 1") if day == 1 else _("day {n}").format(n=int(day)),
                                                  rate=i18n.fmt_percent(rate)))
    return _("Retention over all cohorts (share of eligible new followers active again): {parts}.").format(
        parts=_("; ").join(parts))


def cluster_summary_line(result: ClusterResult, profile: pd.DataFrame, top: int = 3) -> str:
    """The number of clusters, the silhouette and the largest clusters with their share."""
    largest = profile.sort_values("size", ascending=False, kind="stable").head(top)
    parts = _("; ").join(_("{name} {share}").format(name=words.cluster(n), share=i18n.fmt_percent(s))
                         for n, s in zip(largest["name"], largest["share"], strict=True))
    soft = _(", soft groups") if result.silhouette < SOFT_SILHOUETTE else ""
    return _("{k} behaviour clusters (silhouette {silhouette}{soft}); largest: {parts}.").format(
        k=result.k, silhouette=f"{result.silhouette:.2f}", soft=soft, parts=parts)


def rfm_line(summary: pd.DataFrame, basis: str = "purchase") -> str:
    """High-value share and the lapsed users (at risk, can't lose): days since last activity and monetary value."""
    total = int(summary["users"].sum())
    high = int(summary.loc[summary["group"] == "high-value", "users"].sum())
    lapsed = summary[summary["name"].isin(["at risk", "can't lose"])]
    lapsed_users = int(lapsed["users"].sum())
    days = (lapsed["mean_recency"] * lapsed["users"]).sum() / lapsed_users if lapsed_users else float("nan")
    value = (lapsed["mean_monetary"] * lapsed["users"]).sum() / lapsed_users if lapsed_users else float("nan")
    overall = (summary["mean_monetary"] * summary["users"]).sum() / total if total else float("nan")
    message = (N_("High-value users are {high_share} of the {total} active users; {lapsed} ({lapsed_share}, at "
                  "risk and can't lose) have been silent for {days} days on average but had an engagement value "
                  "of {value} per user (all active users: {overall}).") if basis == "engagement" else
               N_("High-value users are {high_share} of the {total} active users; {lapsed} ({lapsed_share}, at risk "
                  "and can't lose) have been silent for {days} days on average but spent {value} per user "
                  "(all active users: {overall})."))
    return _(message).format(
        high_share=i18n.fmt_percent(high / total if total else None), total=i18n.fmt_count(total),
        lapsed=i18n.fmt_count(lapsed_users), lapsed_share=i18n.fmt_percent(lapsed_users / total if total else None),
        days=i18n.fmt_number(days, 0), value=i18n.fmt_number(value), overall=i18n.fmt_number(overall))


def peak_line(peaks: pd.DataFrame) -> str:
    """The busiest windows with their share of events."""
    parts = _("; ").join(_("{window} {share}").format(window=w, share=i18n.fmt_percent(s))
                         for w, s in zip(peaks["label"], peaks["share"], strict=True))
    return _("Active hours (share of events, local time): {parts}.").format(parts=parts)


def action_lines(personas: pd.DataFrame, top: int = 2) -> list[Line]:
    """The largest non-nurture actions of the persona table: who (segments, users) and how."""
    require_columns(personas, ("persona", "users", "action"), "persona table", "Build it with persona_table().")
    total = int(personas["users"].sum())
    groups = (personas[personas["action"] != ACTION_NURTURE].groupby("action", sort=False)
              .agg(users=("users", "sum"), names=("persona", list)))
    priority = [ACTION_WIN_BACK, ACTION_OFFERS, ACTION_UGC, ACTION_ONBOARDING]
    ordered = sorted(groups.index, key=lambda a: (priority.index(a) if a in priority else len(priority), a))
    lines = []
    for action in ordered[:top]:
        row = groups.loc[action]
        lines.append(Line(_("{action}: {segments} ({users} users, {share} of RFM-scored users): {how}.").format(
            action=_(ACTION_SHORT.get(action, action)), segments=_names([words.segment(n) for n in row["names"]]),
            users=i18n.fmt_count(row["users"]), share=i18n.fmt_percent(row["users"] / total if total else None),
            how=_(ACTION_HOW[action]) if action in ACTION_HOW else ""), href="#personas"))
    return lines


def executive_summary(*, account_names: Sequence[str], start: pd.Timestamp, as_of: pd.Timestamp,
                      bot_counts: Mapping[str, Any], base_users: int, overall: pd.DataFrame,
                      peak_windows: pd.DataFrame, rfm_segments: pd.DataFrame, clusters: ClusterResult,
                      cluster_profile: pd.DataFrame, retained: pd.DataFrame, personas: pd.DataFrame,
                      monetary_basis: str = "purchase") -> Summary:
    """The report's first screen: tiles (followers, active users, high-value share, busiest window), findings, actions.

    Every number comes from the results: the followers and the demographics from the bot-free
    audience (base_users, demographics.overall_shares), active users and segments from the RFM
    table, the busiest window from behaviour.peak_windows, retention pooled over cohorts.
    """
    active = int(rfm_segments["users"].sum())
    high = int(rfm_segments.loc[rfm_segments["group"] == "high-value", "users"].sum())
    first = peak_windows.iloc[0]
    tiles = (
        Tile(_("Followers (bots removed)"), i18n.fmt_count(base_users), "",
             (ngettext("{bots} bot removed", "{bots} bots removed", int(bot_counts["bots"])).format(
                 bots=i18n.fmt_count(bot_counts["bots"])),), "#demographics"),
        Tile(_("RFM-scored active users"), i18n.fmt_count(active), "",
             (_("{share} of followers").format(share=i18n.fmt_percent(active / base_users if base_users else None)),),
             "#rfm"),
        Tile(_("High-value users"), i18n.fmt_percent(high / active if active else None), "",
             (ngettext("{users} user", "{users} users", high).format(users=i18n.fmt_count(high)),), "#rfm"),
        Tile(_("Busiest 2 hours"), str(first["label"]), "",
             (_("{share} of events").format(share=i18n.fmt_percent(first["share"])),), "#behaviour"),
    )
    findings = (
        Line(who_line(overall, base_users), "#demographics"),
        Line(rfm_line(rfm_segments, monetary_basis), "#rfm", "bad"),
        Line(cluster_summary_line(clusters, cluster_profile), "#clusters"),
        Line(retention_line(retained), "#retention"),
        Line(peak_line(peak_windows), "#behaviour"),
    )
    actions = (*action_lines(personas),
               Line(_("Schedule the key posts in {window}, the busiest window ({share} of events).").format(
                   window=first["label"], share=i18n.fmt_percent(first["share"])), "#behaviour"))
    return Summary(title=title(account_names, start, as_of), tiles=tiles, findings=findings, actions=actions)


def summary(*, label: str, title: str, bot_counts: Mapping[str, Any], demographics: pd.DataFrame,
            peak_windows: pd.DataFrame, rfm_segments: pd.DataFrame, interests_by_group: pd.DataFrame,
            clusters: ClusterResult, cluster_profile: pd.DataFrame, retention: pd.DataFrame,
            churn_peak: PeakChurnAge, personas: pd.DataFrame,
            rfm_boundary_ties: Mapping[str, int] | None = None) -> dict[str, Any]:
    """The headline results for summary.json, in reading order (RunOutputs makes them JSON).

    title is the report's title (executive_summary's, the page <title>); retention is the wide
    cohort × day-N table (retention.cohort_heatmap_table), written with its cohort as a column.
    rfm_boundary_ties is rfm.boundary_tie_counts; clusters carries its k search (clusters.k_search_table).
    The runner adds the parameters itself.
    """
    return {
        "label": label,
        "title": title,
        "users": dict(bot_counts),
        "demographics": demographics,
        "peak_windows": peak_windows,
        "rfm_segments": rfm_segments,
        "rfm_boundary_ties": None if rfm_boundary_ties is None else dict(rfm_boundary_ties),
        "interests_by_group": interests_by_group,
        "clusters": {"k": clusters.k, "silhouette": clusters.silhouette, "min_segment_size": clusters.min_size,
                     "k_search": k_search_table(clusters), "profile": cluster_profile},
        "retention": retention.reset_index(),
        "churn_peak": churn_peak,
        "personas": personas,
    }
