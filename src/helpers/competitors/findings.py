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

from helpers.competitors.benchmark import VIDEO_FORMATS, er_base_text, metric_label, rank_extremes, relative_to_field
from helpers.errors import require_columns
from helpers.report import format_number

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
    """'likes + comments + shares'."""
    return " + ".join(parts)


# --------------------------------------------------------------------------------------------
# Set-up and data check
# --------------------------------------------------------------------------------------------


def set_up_lines(run: CompetitorRun) -> list[str]:
    """What is compared: the accounts, the window, and what engagements and the ER base are."""
    return [f"Own account: {run.own_id} ({run.platform}); competitors: {', '.join(run.competitor_ids)}",
            f"Window: {run.start:%Y-%m-%d} – {run.end:%Y-%m-%d} ({run.window})",
            f"Engagements = {_plus(run.components)} (reported by every compared account); "
            f"ER base: {er_base_text(run.er_base)}"]


def run_summary(run: CompetitorRun) -> dict[str, Any]:
    """summary.json: the run label, window, accounts, engagement definition and data notes."""
    return {
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
        return ["Data notes: none — every compared account has posts, followers and the same engagement "
                "components in the window."]
    return ["Data notes:", *(f"- {note}" for note in notes)]


# --------------------------------------------------------------------------------------------
# 1. Benchmark
# --------------------------------------------------------------------------------------------


def benchmark_rows(benchmark: pd.DataFrame, ranks: pd.DataFrame, names: dict[str, str] | None = None
                   ) -> list[dict[str, object]]:
    """The benchmark as summary.json rows, with the engagement-rate base and each account's percentile ranks.

    engagement_rate is the mean of per-post rates (each post counts once); er_rate_of_sums is the
    other definition, named.
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


def leader_lines(leaders: Mapping[str, Mapping[str, object]]) -> list[str]:
    """The competitor with the most engagements per post and the most views per video post (checked output)."""
    return [f"Competitor with the most engagements per post: {leaders['engagements_mean']['account']}",
            f"Competitor with the most views per video post: {leaders['views_per_video_post']['account']}"]


def leader_sentences(leaders: Mapping[str, Mapping[str, Any]], er_base: str) -> list[str]:
    """Per metric, who leads the competitors, by how much over the runner-up and the field median."""
    lines = []
    for metric, lead in leaders.items():
        label = metric_label(metric, er_base)
        if lead["account"] and lead["runner_up"]:
            lines.append(f"So what: {lead['account']} leads the competitors on {label}: "
                         f"{format_number(lead['value'])} vs {format_number(lead['runner_up_value'])} for the next "
                         f"({lead['runner_up']}) and a field median of {format_number(lead['field_median'])}.")
        elif lead["account"]:
            lines.append(f"So what: {lead['account']} is the only competitor with {label}: "
                         f"{format_number(lead['value'])}.")
    return lines


def fairness_sentence(fairness: Mapping[str, Any], own_id: str, er_base: str) -> list[str]:
    """How the own ER compares with the field on shared components, and what unshared components would add.

    Empty when there is no ratio (no own rated post, or no positive field median).
    """
    if pd.isna(fairness["ratio_shared"]):
        return []
    shared = fairness["ratio_shared"]
    tail = (" (and it still depends on how active each account's followers are)." if er_base == "followers"
            else ".")
    return [f"So what: on {_plus(fairness['components_shared'])}, {own_id} has an ER by {er_base} of "
            f"{fairness['own_er_shared']:.2%}, {shared:.1f}× the field median ({fairness['field_median_er']:.2%}). "
            f"Counting every component it reports ({_plus(fairness['components_all'])}) it would read "
            f"{fairness['ratio_all']:.1f}×: that extra part comes only from metrics the competitors do not "
            f"publish, so only the {shared:.1f}× is like for like" + tail]


def competitors_below(rank_pct: float, compared: int) -> str:
    """A percentile rank in words: '4 of 4 competitors below' (ties count half, as in the rank)."""
    below = rank_pct * compared
    return f"{below:g} of {compared} competitors below"


def _ranked(rows: pd.DataFrame, er_base: str) -> str:
    return "; ".join(f"{metric_label(r.metric, er_base)} ({competitors_below(r.rank_pct, int(r.accounts_compared))})"
                     for r in rows.itertuples())


def rank_sentences(own_ranks: pd.DataFrame, own_id: str, er_base: str) -> list[str]:
    """The metrics the own account ranks best and worst on among the competitors (every tie named)."""
    best, worst = rank_extremes(own_ranks)
    if best.empty:
        return []
    return [f"So what: {own_id} ranks best on {_ranked(best, er_base)}.",
            f"So what: {own_id} ranks worst on {_ranked(worst, er_base)}."]


def counting_check(per_view: pd.Series, own_id: str) -> list[str]:
    """Own engagements per view against the competitors' median; a warning when it is > 1.5× theirs.

    Back-office and public counters can count differently; a large gap makes an ER comparison suspect.
    Empty when the own account or every competitor lacks engagements per view.
    """
    if pd.isna(per_view.get(own_id)) or not per_view.drop(own_id).notna().any():
        return []
    own, field = per_view[own_id], per_view.drop(own_id).median()
    gap = (f" ({own / field:.1f}×): a gap this large may be partly a counting difference (back-office vs public "
           "counters), so read the ER comparison with care." if own > COUNTING_GAP * field else ".")
    return [f"Check: {own_id} earns {own:.1%} engagements per view, the competitors' median {field:.1%}" + gap]


def benchmark_so_what(leaders: Mapping[str, Mapping[str, Any]], fairness: Mapping[str, Any],
                      own_ranks: pd.DataFrame, per_view: pd.Series, own_id: str, er_base: str) -> list[str]:
    """Section 1's lines in order: leaders, the like-for-like ER, best and worst ranks, the counting check."""
    return [*leader_sentences(leaders, er_base), *fairness_sentence(fairness, own_id, er_base),
            *rank_sentences(own_ranks, own_id, er_base), *counting_check(per_view, own_id)]


def verdicts(benchmark: pd.DataFrame, account_id: str, metrics: Iterable[str], threshold: float = 0.2
             ) -> pd.DataFrame:
    """One account's metrics against the field median (relative_to_field rows of that account)."""
    long = relative_to_field(benchmark, list(metrics), threshold)
    return long[long["account_id"] == account_id].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# 2. Growth and cadence, 3. share of voice
# --------------------------------------------------------------------------------------------


def growth_lines(benchmark: pd.DataFrame, cadence: pd.DataFrame, own_id: str) -> list[str]:
    """The fastest-growing competitor against the field median and the own growth; posts per week per account.

    ``cadence`` is ``benchmark.cadence_summary`` (index account_id; columns mean, empty).
    """
    require_columns(benchmark, ["account_id", "role", "growth_pct"], "benchmark")
    lines = []
    rates = benchmark[benchmark["role"] == "field"].dropna(subset=["growth_pct"])
    own_growth = benchmark.loc[benchmark["account_id"] == own_id, "growth_pct"].iloc[0]
    if len(rates):
        fastest = rates.loc[rates["growth_pct"].idxmax()]
        own = f"{own_id} grew {own_growth:+.1%}." if pd.notna(own_growth) else f"{own_id} has no growth figure."
        median = rates["growth_pct"].median()
        lines.append(f"So what: the fastest-growing competitor is {fastest['account_id']} "
                     f"({fastest['growth_pct']:+.1%} over the window, field median {median:+.1%}); " + own)
    weeks = "; ".join(f"{a} {r['mean']:.1f} / {r['empty']:.0f}" for a, r in cadence.iterrows() if pd.notna(r["mean"]))
    lines.append(f"Posts per week (mean) / weeks without a post: {weeks}")
    return lines


def sov_summary(overall: pd.DataFrame, over_time: pd.DataFrame, period: str) -> dict[str, Any]:
    """summary.json: share of voice overall and per period ('week' or 'month')."""
    return {"share_of_voice": {"overall": overall, "over_time": over_time, "per": period}}


def sov_lines(sov: pd.DataFrame, own_id: str) -> list[str]:
    """The own share of engagements vs of posts, the loudest competitor, and the own share of video views."""
    require_columns(sov, ["account_id", "engagement_share", "posts_share", "views_share"], "share_of_voice")
    mine = sov[sov["account_id"] == own_id].iloc[0]
    rivals = sov[sov["account_id"] != own_id].dropna(subset=["engagement_share"])
    lines = []
    if len(rivals):
        leader = rivals.sort_values("engagement_share", ascending=False).iloc[0]
        lines.append(f"So what: {own_id} earns {mine['engagement_share']:.1%} of the compared accounts' engagements "
                     f"with {mine['posts_share']:.1%} of their posts; the loudest competitor is "
                     f"{leader['account_id']} ({leader['engagement_share']:.1%} of engagements with "
                     f"{leader['posts_share']:.1%} of posts).")
    if pd.notna(mine["views_share"]):
        rank = int(sov["views_share"].rank(ascending=False)[mine.name])
        lines.append(f"So what: by video views the picture can differ: {own_id} has {mine['views_share']:.1%} of the "
                     f"field's views (rank {rank} of {int(sov['views_share'].notna().sum())}).")
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
    return f"Top {n} topic tags per account (by posts):"


def content_lines(lift_pillar: pd.DataFrame, mix_format: pd.DataFrame, own_id: str, er_base: str,
                  min_posts: int) -> list[str]:
    """Pillars with a reliable lift above 1 (or a line saying none), and the competitor whose video earns most.

    The video line compares competitors' video formats with at least ``min_posts`` rated posts.
    """
    require_columns(lift_pillar, ["pillar", "lift", "reliable", "lift_ci_low", "lift_ci_high", "n_with"],
                    "topic_lift")
    sure = lift_pillar[lift_pillar["reliable"] & (lift_pillar["lift"] > 1)]
    lines = [f"So what: posts in the pillar {r.pillar} earn {r.lift:.2f}× the ER of the same accounts' other posts "
             f"(95 % CI {r.lift_ci_low:.2f}–{r.lift_ci_high:.2f}, {r.n_with} posts)." for r in sure.itertuples()]
    if sure.empty:
        lines.append("So what: no pillar earns a reliably higher ER than the same accounts' other posts in this "
                     "window.")
    video = mix_format[mix_format["format"].isin(VIDEO_FORMATS) & (mix_format["posts_with_rate"] >= min_posts)
                       & (mix_format["account_id"] != own_id)]
    if len(video):
        top = video.loc[video["er_mean_of_rates"].idxmax()]
        lines.append(f"So what: the competitor whose video earns most is {top['account_id']}: {top['format']} at "
                     f"{top['er_mean_of_rates']:.2%} ER by {er_base} (CI {top['er_ci_low']:.2%}–"
                     f"{top['er_ci_high']:.2%}, {int(top['posts'])} posts); study its hit posts in section 6.")
    return lines


# --------------------------------------------------------------------------------------------
# 5. Posting times, 6. hit posts
# --------------------------------------------------------------------------------------------


def posting_summary(hotspots: pd.DataFrame, bands: pd.DataFrame) -> dict[str, Any]:
    """summary.json: the busiest weekday × hour slots and every 4-hour band, field vs own share."""
    return {"posting_hotspots": {"weekday_hour": hotspots, "hour_band": bands}}


def posting_line(bands: pd.DataFrame, hotspots: pd.DataFrame, competitors: int, own_id: str) -> str:
    """Where competitors cluster (the busiest 4-hour band), how many post there, the own share, the busiest slot.

    ``competitors`` is the number of competitors with posting times; bands and hotspots are ranked
    by field share (``content.posting_hotspots``).
    """
    busiest = bands.iloc[0]
    return (f"So what: competitors cluster in {busiest['label']} ({busiest['field_share']:.0%} of their posts, "
            f"{int(busiest['field_accounts'])} of {competitors} competitors post there); {own_id} puts "
            f"{busiest['own_share']:.0%} of its posts there. Busiest single slot: {hotspots.iloc[0]['label']}.")


def hits_summary(thresholds: pd.DataFrame, shown: pd.DataFrame, traits: pd.DataFrame) -> dict[str, Any]:
    """summary.json: each account's hit threshold, the hits shown, and the traits hits share (q < 0.1)."""
    return {"hit_thresholds": thresholds, "hit_posts": shown, "hit_traits": traits[traits["q_value"] < Q_THRESHOLD]}


def hits_heading(n: int) -> str:
    """The line above the hit-posts table."""
    return f"Top {n} hits per account (titles as published):"


def hit_lines(hits: pd.DataFrame, posts: pd.DataFrame, traits: pd.DataFrame, k: float) -> list[str]:
    """How many hits, then each trait over-represented among hits (lift > 1, q < 0.1), or a line saying none."""
    common = traits[(traits["q_value"] < Q_THRESHOLD) & (traits["lift"] > 1)]
    lines = [f"{len(hits)} hit posts over {len(posts)} posts (k = {k:g})."]
    lines += [f"So what: hits are often {r.trait} = {r.value}: {r.hit_share:.0%} of hits vs {r.post_share:.0%} of "
              f"posts ({r.lift:.1f}×, q = {r.q_value:.3f})." for r in common.itertuples()]
    if common.empty:
        lines.append("So what: no format, pillar, weekday or time band is clearly over-represented among hits.")
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
    top = f"{under.iloc[0]['category']} ({under.iloc[0]['dimension']})" if len(under) else "none"
    return f"Top under-served opportunity: {top}"


def wrote_line(tables: int, figures: int) -> str:
    """What the run wrote."""
    return f"Wrote summary.json, {tables} tables and {figures} figures."
