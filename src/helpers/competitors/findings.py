"""What a person reads in the competitor analysis: set-up lines, "So what" sentences, verdicts, summary.json.

Every function takes computed results (tables from ``benchmark``, ``content`` and ``gaps``, the
prepared run) and returns text, a list of lines, a table or a dict; none prints. The notebook prints
or displays what they return, and hands the ``*_summary`` dicts to ``RunOutputs``. Sentences cite
their numbers and name the engagement-rate base; a line whose finding is not in the data is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers import i18n, page
from helpers.competitors.benchmark import (
    FIELD_ROW,
    VIDEO_FORMATS,
    er_base_text,
    metric_label,
    rank_extremes,
    relative_to_field,
)
from helpers.competitors.labels import BASE_WORDS, category_name, dimension_name, format_name, trait_value
from helpers.competitors.session import COMPONENT_NAMES
from helpers.errors import require_columns
from helpers.i18n import N_, _, ngettext, platform_name

if TYPE_CHECKING:
    from helpers.competitors.session import CompetitorRun

__all__ = [
    "OPPORTUNITY_SUMMARY",
    "benchmark_rows",
    "benchmark_so_what",
    "benchmark_summary",
    "competitors_below",
    "content_lines",
    "content_summary",
    "counting_check",
    "data_note_lines",
    "fairness_sentence",
    "gaps_summary",
    "growth_lines",
    "hit_lines",
    "hits_heading",
    "hits_summary",
    "leader_lines",
    "leader_sentences",
    "posting_line",
    "posting_summary",
    "rank_sentences",
    "run_summary",
    "set_up_lines",
    "sov_lines",
    "sov_summary",
    "strategy_lines",
    "top_opportunity_line",
    "topics_heading",
    "verdicts",
    "wrote_line",
]

#: Benchmark metrics shown as percentages.
PERCENT_METRICS: tuple[str, ...] = ("growth_pct", "er_mean_of_rates", "er_rate_of_sums")
#: Columns of the ranked opportunities that go to summary.json.
OPPORTUNITY_SUMMARY: tuple[str, ...] = (
    "rank", "dimension", "category", "kind", "score", "field_posts", "field_share", "field_er", "field_index",
    "field_index_ci_low", "field_index_ci_high", "own_posts", "own_share", "own_er", "own_index", "er_base",
    "reason", "note")
#: A trait or hit finding counts when its Benjamini–Hochberg q-value is below this.
Q_THRESHOLD = 0.1
#: Own engagements per view above this multiple of the competitors' median suggest a counting difference.
COUNTING_GAP = 1.5


def _plus(parts: Iterable[str]) -> str:
    """'likes + comments + shares' (点赞 + 评论 + 转发 in zh-CN)."""
    return " + ".join(_(COMPONENT_NAMES.get(p, p)) for p in parts)


def _name(names: Mapping[str, str] | None, account: object) -> str:
    """The account's display name (its id when there is none)."""
    return (names or {}).get(str(account), str(account))


def _list(items: Iterable[str]) -> str:
    """Items joined as the language lists them: 'a, b' / 'a、b'."""
    return ("、" if i18n.is_chinese() else ", ").join(items)


def _in_sentence(label: str) -> str:
    """A tile label inside an English sentence: 'Share of voice' → 'share of voice' (Chinese as it is)."""
    return label if i18n.is_chinese() or label[:2].isupper() else label[:1].lower() + label[1:]


def _ratio(value: float) -> str:
    """A multiple: 2.5×."""
    return f"{value:.1f}×"


# --------------------------------------------------------------------------------------------
# Set-up and data check
# --------------------------------------------------------------------------------------------


def window_text(run: CompetitorRun) -> str:
    """The window as a reader writes it: months when it is whole months (2026年5月–2026年10月), else days."""
    whole = run.start.day == 1 and (run.end + pd.Timedelta(days=1)).day == 1
    if not whole:
        return i18n.fmt_day_range(run.start, run.end)
    if run.start.to_period("M") == run.end.to_period("M"):
        return i18n.fmt_month(run.start)
    return i18n.fmt_month(run.start) + "–" + i18n.fmt_month(run.end)


def report_title(run: CompetitorRun) -> str:
    """The page title: report · own account (platform) · window, in the run's language."""
    account = _("{account} ({platform})").format(account=run.name(run.own_id), platform=platform_name(run.platform))
    return page.report_title(_("Competitor analysis"), account, window_text(run))


def set_up_lines(run: CompetitorRun) -> list[str]:
    """What is compared: the accounts, the window, and what engagements and the ER base are."""
    return [_("Own account: {own} ({platform}); competitors: {competitors}").format(
                own=run.name(run.own_id), platform=platform_name(run.platform),
                competitors=_list(run.name(a) for a in run.competitor_ids)),
            _("Window: {days} ({description})").format(days=i18n.fmt_day_range(run.start, run.end),
                                                       description=run.window),
            _("Engagements = {components} (reported by every compared account); ER base: {base}").format(
                components=_plus(run.components), base=er_base_text(run.er_base))]


def run_summary(run: CompetitorRun) -> dict[str, Any]:
    """summary.json: the title, run label, window, accounts, engagement definition and data notes."""
    return {
        "title": report_title(run),
        "label": run.label,
        "window": {"start": run.start, "end": run.end, "days": run.days, "description": run.window},
        "accounts": {"own": run.own_id, "competitors": list(run.competitor_ids), "platform": run.platform,
                     "category": run.category, "names": {a: run.name(a) for a in run.account_ids}},
        "engagement_definition": {"components": list(run.components), "dropped_components": run.dropped_components,
                                  "er_base": run.er_base, "er_base_text": er_base_text(run.er_base)},
        "notes": list(run.notes),
    }


def data_note_lines(notes: Sequence[str]) -> list[str]:
    """'Data notes:' and one '- note' line each, or one line saying there is none."""
    if not notes:
        return [_("Data notes: none — every compared account has posts, followers and the same engagement "
                  "components in the window.")]
    return [_("Data notes:"), *(f"- {note}" for note in notes)]


# --------------------------------------------------------------------------------------------
# 1. Benchmark
# --------------------------------------------------------------------------------------------


def benchmark_rows(benchmark: pd.DataFrame, ranks: pd.DataFrame, names: dict[str, str] | None = None
                   ) -> list[dict[str, object]]:
    """The benchmark as summary.json rows, with the engagement-rate base and each account's percentile ranks.

    engagement_rate is the mean of per-post rates (each post counts once); er_rate_of_sums is the
    other definition, named. The *_kind and *_base fields are machine descriptions (English).
    """
    names = names or {}
    by_account = {a: dict(zip(g["metric"], g["rank_pct"], strict=True))
                  for a, g in ranks.groupby("account_id", sort=False)}
    rows = []
    for r in benchmark.to_dict(orient="records"):
        account = r["account_id"]
        rows.append({
            "account": account, "name": names.get(account, account), "role": r["role"],
            "followers_start": r["followers_start"], "followers_end": r["followers_end"],
            "net_growth": r["net_growth"], "growth_pct": r["growth_pct"], "posts": r["posts"],
            "posts_per_week": r["posts_per_week"], "engagements_mean": r["engagements_mean"],
            "engagements_median": r["engagements_median"], "engagement_rate": r["er_mean_of_rates"],
            "engagement_rate_kind": "mean of per-post rates", "er_rate_of_sums": r["er_rate_of_sums"],
            "engagement_rate_base": f"by {r['er_base']}" + (" at posting time" if r["er_base"] == "followers" else ""),
            "views_per_video_post": r["views_per_video_post"],
            "percentile_ranks": by_account.get(account, {}), "note": r["note"],
        })
    return rows


def benchmark_summary(benchmark: pd.DataFrame, ranks: pd.DataFrame, own_ranks: pd.DataFrame,
                      fairness: Mapping[str, object], names: dict[str, str] | None = None) -> dict[str, Any]:
    """summary.json: the benchmark rows, the own account's percentile ranks and the fairness check."""
    return {"benchmark": benchmark_rows(benchmark, ranks, names), "own_percentile_ranks": own_ranks,
            "fairness": dict(fairness)}


def leader_lines(leaders: Mapping[str, Mapping[str, object]], names: Mapping[str, str] | None = None) -> list[str]:
    """The competitor with the most engagements per post and the most views per video post (checked output)."""
    return [_("Competitor with the most engagements per post: {account}").format(
                account=_name(names, leaders["engagements_mean"]["account"])),
            _("Competitor with the most views per video post: {account}").format(
                account=_name(names, leaders["views_per_video_post"]["account"]))]


def _value(metric: str, value: float) -> str:
    """A benchmark value as text: rates as %, posts per week with a decimal, counts whole."""
    if metric in PERCENT_METRICS:
        return i18n.fmt_percent(value, 2)
    return i18n.fmt_number(value, 2) if metric == "posts_per_week" else i18n.fmt_count(value)


def leader_sentences(leaders: Mapping[str, Mapping[str, Any]], er_base: str,
                     names: Mapping[str, str] | None = None) -> list[str]:
    """Per metric, who leads the competitors, by how much over the runner-up and the field median."""
    lines = []
    for metric, lead in leaders.items():
        label = metric_label(metric, er_base)
        if lead["account"] and lead["runner_up"]:
            lines.append(_("So what: {account} leads the competitors on {metric}: {value} vs {next_value} for the "
                           "next ({next}) and a field median of {median}.").format(
                account=_name(names, lead["account"]), metric=label, value=_value(metric, lead["value"]),
                next_value=_value(metric, lead["runner_up_value"]), next=_name(names, lead["runner_up"]),
                median=_value(metric, lead["field_median"])))
        elif lead["account"]:
            lines.append(_("So what: {account} is the only competitor with {metric}: {value}.").format(
                account=_name(names, lead["account"]), metric=label, value=_value(metric, lead["value"])))
    return lines


def fairness_sentence(fairness: Mapping[str, Any], own_id: str, er_base: str,
                      names: Mapping[str, str] | None = None) -> list[str]:
    """How the own ER compares with the field on shared components, and what unshared components would add.

    Empty when there is no ratio (no own rated post, or no positive field median).
    """
    if pd.isna(fairness["ratio_shared"]):
        return []
    text = _("So what: on {shared_components}, {own} has an ER by {base} of {own_er}, {ratio} the field median "
             "({field_er}). Counting every component it reports ({all_components}) it would read {ratio_all}: "
             "that extra part comes only from metrics the competitors do not publish, so only the {ratio} is "
             "like for like.")
    tail = (_(" It still depends on how active each account's followers are.") if er_base == "followers" else "")
    return [text.format(shared_components=_plus(fairness["components_shared"]), own=_name(names, own_id),
                        base=_(BASE_WORDS.get(er_base, er_base)), own_er=i18n.fmt_percent(fairness["own_er_shared"], 2),
                        ratio=_ratio(fairness["ratio_shared"]),
                        field_er=i18n.fmt_percent(fairness["field_median_er"], 2),
                        all_components=_plus(fairness["components_all"]), ratio_all=_ratio(fairness["ratio_all"]))
            + tail]


def competitors_below(rank_pct: float, compared: int) -> str:
    """A percentile rank in words: '4 of 4 competitors below' (ties count half, as in the rank)."""
    below = rank_pct * compared
    return _("{below} of {compared} competitors below").format(below=f"{below:g}", compared=compared)


def _ranked(rows: pd.DataFrame, er_base: str) -> str:
    return "; ".join(_("{metric} ({below})").format(metric=metric_label(r.metric, er_base),
                                                     below=competitors_below(r.rank_pct, int(r.accounts_compared)))
                     for r in rows.itertuples())


def rank_sentences(own_ranks: pd.DataFrame, own_id: str, er_base: str,
                   names: Mapping[str, str] | None = None) -> list[str]:
    """The metrics the own account ranks best and worst on among the competitors (every tie named)."""
    best, worst = rank_extremes(own_ranks)
    if best.empty:
        return []
    own = _name(names, own_id)
    return [_("So what: {own} ranks best on {metrics}.").format(own=own, metrics=_ranked(best, er_base)),
            _("So what: {own} ranks worst on {metrics}.").format(own=own, metrics=_ranked(worst, er_base))]


def counting_check(per_view: pd.Series, own_id: str, names: Mapping[str, str] | None = None) -> list[str]:
    """Own engagements per view against the competitors' median; a warning when it is > 1.5× theirs.

    Back-office and public counters can count differently; a large gap makes an ER comparison suspect.
    Empty when the own account or every competitor lacks engagements per view.
    """
    if pd.isna(per_view.get(own_id)) or not per_view.drop(own_id).notna().any():
        return []
    own, field = per_view[own_id], per_view.drop(own_id).median()
    values = {"own": _name(names, own_id), "own_rate": i18n.fmt_percent(own), "field_rate": i18n.fmt_percent(field)}
    if own > COUNTING_GAP * field:
        return [_("Check: {own} earns {own_rate} engagements per view, the competitors' median {field_rate} "
                  "({ratio}): a gap this large may be partly a counting difference (back-office vs public "
                  "counters), so read the ER comparison with care.").format(ratio=_ratio(own / field), **values)]
    return [_("Check: {own} earns {own_rate} engagements per view, the competitors' median {field_rate}.").format(
        **values)]


def benchmark_so_what(leaders: Mapping[str, Mapping[str, Any]], fairness: Mapping[str, Any],
                      own_ranks: pd.DataFrame, per_view: pd.Series, own_id: str, er_base: str,
                      names: Mapping[str, str] | None = None) -> list[str]:
    """Section 1's lines in order: leaders, the like-for-like ER, best and worst ranks, the counting check."""
    return [*leader_sentences(leaders, er_base, names), *fairness_sentence(fairness, own_id, er_base, names),
            *rank_sentences(own_ranks, own_id, er_base, names), *counting_check(per_view, own_id, names)]


def verdicts(benchmark: pd.DataFrame, account_id: str, metrics: Iterable[str], threshold: float = 0.2
             ) -> pd.DataFrame:
    """One account's metrics against the field median (relative_to_field rows of that account)."""
    long = relative_to_field(benchmark, list(metrics), threshold)
    return long[long["account_id"] == account_id].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 2. Growth and cadence, 3. share of voice
# --------------------------------------------------------------------------------------------


def growth_lines(benchmark: pd.DataFrame, cadence: pd.DataFrame, own_id: str,
                 names: Mapping[str, str] | None = None) -> list[str]:
    """The fastest-growing competitor against the field median and the own growth; posts per week per account.

    ``cadence`` is ``benchmark.cadence_summary`` (index account_id; columns mean, empty).
    """
    require_columns(benchmark, ["account_id", "role", "growth_pct"], "benchmark")
    lines = []
    rates = benchmark[benchmark["role"] == "field"].dropna(subset=["growth_pct"])
    own_growth = benchmark.loc[benchmark["account_id"] == own_id, "growth_pct"].iloc[0]
    own = _name(names, own_id)
    if len(rates):
        fastest = rates.loc[rates["growth_pct"].idxmax()]
        mine = (_("{own} grew {growth}.").format(own=own, growth=i18n.fmt_change(own_growth))
                if pd.notna(own_growth) else _("{own} has no growth figure.").format(own=own))
        lines.append(_("So what: the fastest-growing competitor is {account} ({growth} over the window, field median "
                       "{median}); {own_line}").format(account=_name(names, fastest["account_id"]),
                                                       growth=i18n.fmt_change(fastest["growth_pct"]),
                                                       median=i18n.fmt_change(rates["growth_pct"].median()),
                                                       own_line=mine))
    for account, r in cadence.iterrows():
        if pd.notna(r["mean"]):
            weeks = int(r["empty"])
            lines.append(ngettext("{account}: {posts} posts per week on average, {weeks} week without a post",
                                  "{account}: {posts} posts per week on average, {weeks} weeks without a post",
                                  weeks).format(account=_name(names, account), posts=i18n.fmt_number(r["mean"], 1),
                                                weeks=weeks))
    return lines


def sov_summary(overall: pd.DataFrame, over_time: pd.DataFrame, period: str) -> dict[str, Any]:
    """summary.json: share of voice overall and per period ('week' or 'month')."""
    return {"share_of_voice": {"overall": overall, "over_time": over_time, "per": period}}


def sov_lines(sov: pd.DataFrame, own_id: str, names: Mapping[str, str] | None = None) -> list[str]:
    """The own share of engagements vs of posts, the loudest competitor, and the own share of video views."""
    require_columns(sov, ["account_id", "engagement_share", "posts_share", "views_share"], "share_of_voice")
    mine = sov[sov["account_id"] == own_id].iloc[0]
    rivals = sov[sov["account_id"] != own_id].dropna(subset=["engagement_share"])
    lines = []
    own = _name(names, own_id)
    if len(rivals):
        leader = rivals.sort_values("engagement_share", ascending=False).iloc[0]
        lines.append(_("So what: {own} earns {engagements} of the compared accounts' engagements with {posts} of "
                       "their posts; the loudest competitor is {leader} ({leader_engagements} of engagements with "
                       "{leader_posts} of posts).").format(
            own=own, engagements=i18n.fmt_percent(mine["engagement_share"]),
            posts=i18n.fmt_percent(mine["posts_share"]), leader=_name(names, leader["account_id"]),
            leader_engagements=i18n.fmt_percent(leader["engagement_share"]),
            leader_posts=i18n.fmt_percent(leader["posts_share"])))
    if pd.notna(mine["views_share"]):
        rank = int(sov["views_share"].rank(ascending=False)[mine.name])
        lines.append(_("So what: by video views the picture can differ: {own} has {share} of the field's views "
                       "(rank {rank} of {total}).").format(own=own, share=i18n.fmt_percent(mine["views_share"]),
                                                           rank=rank, total=int(sov["views_share"].notna().sum())))
    return lines


# --------------------------------------------------------------------------------------------
# 4. Content mix and topic lift
# --------------------------------------------------------------------------------------------


def content_summary(mix_format: pd.DataFrame, mix_pillar: pd.DataFrame, lift_pillar: pd.DataFrame,
                    lift_topics: pd.DataFrame, topics: pd.DataFrame) -> dict[str, Any]:
    """summary.json: content mix by format and pillar, judged lifts, and each account's top topic tags."""
    return {"content_mix": {"format": mix_format, "pillar": mix_pillar},
            "topic_lift": {"pillar": lift_pillar, "topics": lift_topics.dropna(subset=["lift"])},
            "top_topics": {a: g.drop(columns="account_id") for a, g in topics.groupby("account_id", sort=False)}}


def topics_heading(n: int) -> str:
    """The line above the top-topics table."""
    return _("Top {n} topic tags per account (by posts):").format(n=n)


def content_lines(lift_pillar: pd.DataFrame, mix_format: pd.DataFrame, own_id: str, er_base: str,
                  min_posts: int, names: Mapping[str, str] | None = None) -> list[str]:
    """Pillars with a reliable lift above 1 (or a line saying none), and the competitor whose video earns most.

    The video line compares competitors' video formats with at least ``min_posts`` rated posts.
    """
    require_columns(lift_pillar, ["pillar", "lift", "reliable", "lift_ci_low", "lift_ci_high", "n_with"],
                    "topic_lift")
    sure = lift_pillar[lift_pillar["reliable"] & (lift_pillar["lift"] > 1)]
    lines = [_("So what: posts in the pillar {pillar} earn {lift}× the ER of the same accounts' other posts "
               "(95% CI {low}–{high}, {n} posts).").format(pillar=r.pillar, lift=f"{r.lift:.2f}",
                                                             low=f"{r.lift_ci_low:.2f}", high=f"{r.lift_ci_high:.2f}",
                                                             n=int(r.n_with)) for r in sure.itertuples()]
    if sure.empty:
        lines.append(_("So what: no pillar earns a reliably higher ER than the same accounts' other posts in this "
                       "window."))
    video = mix_format[mix_format["format"].isin(VIDEO_FORMATS) & (mix_format["posts_with_rate"] >= min_posts)
                       & (mix_format["account_id"] != own_id)]
    if len(video):
        top = video.loc[video["er_mean_of_rates"].idxmax()]
        lines.append(_("So what: the competitor whose video earns most is {account}: {format} at {er} ER by {base} "
                       "(CI {low}–{high}, {n} posts); study its hit posts in section 6.").format(
            account=_name(names, top["account_id"]), format=format_name(top["format"]),
            er=i18n.fmt_percent(top["er_mean_of_rates"], 2), base=_(BASE_WORDS.get(er_base, er_base)),
            low=i18n.fmt_percent(top["er_ci_low"], 2), high=i18n.fmt_percent(top["er_ci_high"], 2),
            n=int(top["posts"])))
    return lines


# --------------------------------------------------------------------------------------------
# 5. Posting times, 6. hit posts
# --------------------------------------------------------------------------------------------


def posting_summary(hotspots: pd.DataFrame, bands: pd.DataFrame) -> dict[str, Any]:
    """summary.json: the busiest weekday × hour slots and every 4-hour band, field vs own share."""
    return {"posting_hotspots": {"weekday_hour": hotspots, "hour_band": bands}}


def posting_line(bands: pd.DataFrame, hotspots: pd.DataFrame, competitors: int, own_id: str,
                 names: Mapping[str, str] | None = None) -> str:
    """Where competitors cluster (the busiest 4-hour band), how many post there, the own share, the busiest slot.

    ``competitors`` is the number of competitors with posting times; bands and hotspots are ranked
    by field share (``content.posting_hotspots``).
    """
    busiest = bands.iloc[0]
    return _("So what: competitors cluster in {band} h ({share} of their posts, {accounts} of {competitors} "
             "competitors post there); {own} puts {own_share} of its posts there. Busiest single slot: "
             "{slot}.").format(band=busiest["label"], share=i18n.fmt_percent(busiest["field_share"], 0),
                               accounts=int(busiest["field_accounts"]), competitors=competitors,
                               own=_name(names, own_id), own_share=i18n.fmt_percent(busiest["own_share"], 0),
                               slot=hotspots.iloc[0]["label"])


def hits_summary(thresholds: pd.DataFrame, shown: pd.DataFrame, traits: pd.DataFrame) -> dict[str, Any]:
    """summary.json: each account's hit threshold, the hits shown, and the traits hits share (q < 0.1)."""
    return {"hit_thresholds": thresholds, "hit_posts": shown, "hit_traits": traits[traits["q_value"] < Q_THRESHOLD]}


def hits_heading(n: int) -> str:
    """The line above the hit-posts table."""
    return _("Top {n} hits per account (titles as published):").format(n=n)


def _q(q: float) -> str:
    """A q-value as a p-value is shown: q < 0.001, q = 0.043."""
    return "q" + i18n.fmt_p_value(q)[1:]


def _trait(trait: str, value: object) -> str:
    return _("{trait} = {value}").format(trait=dimension_name(trait), value=trait_value(trait, value))


def hit_lines(hits: pd.DataFrame, posts: pd.DataFrame, traits: pd.DataFrame, k: float) -> list[str]:
    """How many hits, then each trait over-represented among hits (lift > 1, q < 0.1), or a line saying none."""
    common = traits[(traits["q_value"] < Q_THRESHOLD) & (traits["lift"] > 1)]
    lines = [_("{hits} hit posts over {posts} posts (k = {k}).").format(hits=i18n.fmt_count(len(hits)),
                                                                       posts=i18n.fmt_count(len(posts)), k=f"{k:g}")]
    lines += [_("So what: hits are often {trait}: {hit_share} of hits vs {post_share} of posts ({lift}, "
                "{q}).").format(trait=_trait(r.trait, r.value), hit_share=i18n.fmt_percent(r.hit_share, 0),
                                post_share=i18n.fmt_percent(r.post_share, 0), lift=_ratio(r.lift), q=_q(r.q_value))
              for r in common.itertuples()]
    if common.empty:
        lines.append(_("So what: no format, pillar, weekday or time band is clearly over-represented among hits."))
    return lines


# --------------------------------------------------------------------------------------------
# 7. Differentiation gaps, the end of the run
# --------------------------------------------------------------------------------------------


def gaps_summary(ranked: pd.DataFrame, strategy: Sequence[str]) -> dict[str, Any]:
    """summary.json: the ranked opportunities (the columns a reader needs) and the strategy sentences."""
    return {"opportunities": ranked[list(OPPORTUNITY_SUMMARY)], "strategy_summary": list(strategy)}


def strategy_lines(strategy: Sequence[str]) -> list[str]:
    """The strategy sentences as a bulleted list."""
    return [f"- {sentence}" for sentence in strategy]


def top_opportunity_line(ranked: pd.DataFrame) -> str:
    """The best-ranked under-served category and its dimension, or 'none' (checked output)."""
    under = ranked[ranked["kind"] == "under-served"]
    if not len(under):
        return _("Top under-served opportunity: none")
    row = under.iloc[0]
    return _("Top under-served opportunity: {category} ({dimension})").format(
        category=category_name(row["dimension"], row["category"]), dimension=dimension_name(row["dimension"]))


def wrote_line(tables: int, figures: int) -> str:
    """What the run wrote."""
    return _("Wrote summary.json, {tables} tables and {figures} figures.").format(tables=tables, figures=figures)


# --------------------------------------------------------------------------------------------
# The executive summary (the first screen of the report)
# --------------------------------------------------------------------------------------------

#: The headline benchmarks of the summary tiles: (metric, label, section anchor). share_of_voice comes
#: from the share-of-voice table (engagement_share), the others from the benchmark table.
HEADLINE_METRICS: tuple[tuple[str, str, str], ...] = (
    ("engagements_mean", N_("Engagements per post"), "#benchmark"),
    ("er_mean_of_rates", N_("Engagement rate"), "#benchmark"),
    ("posts_per_week", N_("Posts per week"), "#growth"),
    ("growth_pct", N_("Follower growth"), "#growth"),
    ("engagement_share", N_("Share of voice"), "#sov"),
)
#: Metrics whose gap to the leader is a difference of rates (percentage points), not a ratio.
_RATE_GAPS = ("er_mean_of_rates", "growth_pct", "engagement_share")


def standings(values: pd.Series) -> pd.DataFrame:
    """Accounts ranked on one metric, highest first: account_id, value, rank (1 = highest; ties share the better rank).

    Accounts without a value are left out (missing is not last).
    """
    known = values.dropna().astype(float)
    table = pd.DataFrame({"account_id": known.index.astype(str), "value": known.to_numpy()})
    table["rank"] = table["value"].rank(ascending=False, method="min").astype(int)
    return table.sort_values(["rank", "account_id"], kind="stable", ignore_index=True)


def _headline_values(benchmark: pd.DataFrame, sov: pd.DataFrame, metric: str) -> pd.Series:
    if metric == "engagement_share":
        return sov.set_index("account_id")["engagement_share"]
    rows = benchmark[benchmark["account_id"] != FIELD_ROW]
    return rows.set_index("account_id")[metric]


def _shown(metric: str, value: float) -> str:
    if metric == "engagement_share":
        return i18n.fmt_percent(value, 1)
    return _value(metric, value)


def _gap(metric: str, own: float, other: float) -> str:
    """own − other: percentage points for rates, a relative change for counts."""
    if metric in _RATE_GAPS:  # engagement rates are small: two decimals of a point
        return i18n.fmt_pp(own - other, 2 if metric == "er_mean_of_rates" else 1)
    return i18n.fmt_change(own / other - 1) if other else i18n.MISSING


def rank_tile(benchmark: pd.DataFrame, sov: pd.DataFrame, metric: str, label: str, href: str, own_id: str,
              names: Mapping[str, str] | None = None) -> page.Tile | None:
    """One headline tile: the own value, its rank among the compared accounts and the gap to the leader.

    Status: good when the own account ranks first, bad when it ranks last, else neutral. None when
    the own account has no value.
    """
    table = standings(_headline_values(benchmark, sov, metric))
    mine = table[table["account_id"] == own_id]
    if mine.empty:
        return None
    rank, own, total = int(mine["rank"].iloc[0]), float(mine["value"].iloc[0]), len(table)
    others = table[table["account_id"] != own_id]
    lines = [_("rank {rank} of {total}").format(rank=rank, total=total)]
    if len(others) and rank == 1:
        nxt = others.iloc[0]
        lines.append(_("ahead of {account} ({value}) by {gap}").format(
            account=_name(names, nxt["account_id"]), value=_shown(metric, nxt["value"]),
            gap=_gap(metric, own, nxt["value"])))
    elif len(others):
        top = others.iloc[0]
        lines.append(_("leader {account}: {value} (we are {gap})").format(
            account=_name(names, top["account_id"]), value=_shown(metric, top["value"]),
            gap=_gap(metric, own, top["value"])))
    status = "good" if rank == 1 else "bad" if rank == total else "neutral"
    return page.Tile(label=_(label), value=_shown(metric, own), status=status, lines=tuple(lines), href=href)


def _leader_finding(leaders: Mapping[str, Mapping[str, Any]], sov: pd.DataFrame, own_id: str,
                    names: Mapping[str, str] | None) -> page.Line | None:
    lead = leaders.get("engagements_mean", {})
    if not lead or not lead.get("account"):
        return None
    rivals = sov[sov["account_id"] != own_id].dropna(subset=["engagement_share"])
    share = rivals.loc[rivals["account_id"] == lead["account"], "engagement_share"]
    text = _("Strongest competitor: {account}, with the most engagements per post among the competitors ({value}; "
             "field median {median}) and {share} of the compared accounts' engagements.").format(
        account=_name(names, lead["account"]), value=i18n.fmt_count(lead["value"]),
        median=i18n.fmt_count(lead["field_median"]),
        share=i18n.fmt_percent(share.iloc[0]) if len(share) else i18n.MISSING)
    return page.Line(text, href="#benchmark")


def _gap_finding(own_ranks: pd.DataFrame, benchmark: pd.DataFrame, own_id: str, er_base: str,
                 names: Mapping[str, str] | None) -> page.Line | None:
    """The metrics the own account ranks worst on, when it is in the bottom half there."""
    _best, worst = rank_extremes(own_ranks)
    worst = worst[worst["rank_pct"] < 0.5]
    if worst.empty:
        return None
    parts = []
    for r in worst.itertuples():
        top = standings(_headline_values(benchmark, pd.DataFrame(), r.metric))
        leader = top[top["account_id"] != own_id].iloc[0]
        parts.append(_("{metric} ({own} vs {value} for {account})").format(
            metric=metric_label(r.metric, er_base), own=_value(r.metric, r.own_value),
            value=_value(r.metric, leader["value"]), account=_name(names, leader["account_id"])))
    return page.Line(_("Gap: {own} trails the competitors on {metrics}.").format(
        own=_name(names, own_id), metrics=("；" if i18n.is_chinese() else "; ").join(parts)), href="#benchmark",
        status="bad")


def _hit_finding(traits: pd.DataFrame) -> page.Line:
    common = traits[(traits["q_value"] < Q_THRESHOLD) & (traits["lift"] > 1)].sort_values("lift", ascending=False)
    if common.empty:
        return page.Line(_("Hit posts share no clear format, pillar, weekday or time band."), href="#hits")
    r = common.iloc[0]
    return page.Line(_("Hit posts are often {trait}: {hit_share} of hits vs {post_share} of all posts "
                       "({lift}).").format(trait=_trait(r["trait"], r["value"]),
                                           hit_share=i18n.fmt_percent(r["hit_share"], 0),
                                           post_share=i18n.fmt_percent(r["post_share"], 0), lift=_ratio(r["lift"])),
                     href="#hits")


def _first(ranked: pd.DataFrame, kind: str) -> pd.Series | None:
    rows = ranked[ranked["kind"] == kind] if "kind" in ranked.columns else ranked.iloc[0:0]
    return None if rows.empty else rows.iloc[0]


def _opportunity_values(row: pd.Series) -> dict[str, str]:
    return {"category": category_name(row["dimension"], row["category"]), "dimension": dimension_name(row["dimension"]),
            "index": f"{row['field_index']:.2f}×", "field_share": i18n.fmt_percent(row["field_share"], 0),
            "own_share": i18n.fmt_percent(row["own_share"], 0)}


def executive_summary(run: CompetitorRun, benchmark: pd.DataFrame, own_ranks: pd.DataFrame, sov: pd.DataFrame,
                      leaders: Mapping[str, Mapping[str, Any]], ranked: pd.DataFrame,
                      traits: pd.DataFrame) -> page.Summary:
    """The report's first screen: where the own account ranks on the headline benchmarks, 3–5 findings, what to do.

    Tiles: engagements per post, engagement rate, posts per week, follower growth and share of voice
    (own value, rank among the compared accounts, gap to the leader). Findings: the strongest
    competitor, the own account's gaps, what hit posts share, the top under-served and over-invested
    categories. Actions follow from the findings. Every line links to its section.
    """
    names = run.names
    own = run.name(run.own_id)
    tiles = [t for metric, label, href in HEADLINE_METRICS
             if (t := rank_tile(benchmark, sov, metric, label, href, run.own_id, names)) is not None]
    first = [_in_sentence(t.label) for t in tiles if t.status == "good"]
    last = [_in_sentence(t.label) for t in tiles if t.status == "bad"]
    accounts = int((benchmark["account_id"] != FIELD_ROW).sum())
    verdict = _("{own} ranks first of {accounts} accounts on {first} of {total} headline benchmarks").format(
        own=own, accounts=accounts, first=len(first), total=len(tiles))
    verdict += (_(" ({metrics})").format(metrics=_list(first)) if first else "")
    verdict += (_("; last on {metrics}.").format(metrics=_list(last)) if last else _("."))
    status = "good" if 2 * len(first) >= len(tiles) and not last else "bad" if not first else "neutral"

    findings = [f for f in (_leader_finding(leaders, sov, run.own_id, names),
                            _gap_finding(own_ranks, benchmark, run.own_id, run.er_base, names)) if f is not None]
    findings.append(_hit_finding(traits))
    actions = []
    under, over = _first(ranked, "under-served"), _first(ranked, "over-invested")
    if under is not None:
        values = _opportunity_values(under)
        findings.append(page.Line(_("Opportunity: {category} ({dimension}) is under-served: the field earns {index} "
                                    "its average ER there and gives it {field_share} of posts; we give it "
                                    "{own_share}.").format(**values), href="#gaps", status="good"))
        actions.append(page.Line(_("Test more {category}: move its share of our posts from {own_share} toward the "
                                   "field's {field_share} and check its ER against our average after a month.").format(
            **values), href="#gaps"))
    if over is not None:
        values = _opportunity_values(over)
        findings.append(page.Line(_("Over-invested: {category} ({dimension}) takes {own_share} of our posts "
                                    "({field_share} for competitors) while the field earns only {index} its "
                                    "average ER there.").format(**values), href="#gaps", status="bad"))
        actions.append(page.Line(_("Free posts from {category} ({own_share} of ours) for the opportunity above, or "
                                   "give it a different angle.").format(**values), href="#gaps"))
    lead = leaders.get("engagements_mean", {})
    if lead and lead.get("account"):
        actions.append(page.Line(_("Study the hit posts of {account}, the competitor with the most engagements per "
                                   "post: their titles, pillars and formats.").format(
            account=_name(names, lead["account"])), href="#hits"))
    subtitle = _("{own} against {n} competitors on {platform}: {competitors}. Engagements = {components}; "
                 "engagement rate by {base}.").format(own=own, n=len(run.competitor_ids),
                                                      platform=platform_name(run.platform),
                                                      competitors=_list(run.name(a) for a in run.competitor_ids),
                                                      components=_plus(run.components),
                                                      base=er_base_text(run.er_base))
    return page.Summary(title=report_title(run), subtitle=subtitle, verdict=verdict, verdict_status=status,
                        verdict_href="#benchmark", tiles=tuple(tiles), findings=tuple(findings[:5]),
                        actions=tuple(actions[:3]))
