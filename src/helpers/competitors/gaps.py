"""Content gaps: categories the field rewards but you neglect, categories the field crowds, your strengths.

opportunities() lines up, per pillar (or format, or topic tag), how much of their output the
competitors give it, what it earns them relative to their average, and what you do; each row gets
a kind, a score and a reason sentence computed from those numbers. strategy_summary() turns the
top rows into plain sentences for a strategist.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.competitors.content import TAG_COLUMNS, check_choice, check_confidence, er_base_of, rated_posts, tag_table
from helpers.competitors.labels import BASE_WORDS, category_name, dimension_name
from helpers.content import mean_interval
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import _, fmt_percent, ngettext

OPPORTUNITY_BY: tuple[str, ...] = TAG_COLUMNS
KINDS: tuple[str, ...] = ("under-served", "over-invested", "crowded", "own strength", "neutral")
CROWDED_FACTOR = 1.25
"""A category is crowded when competitors give it at least 1.25× an even split of their posts."""
_DIMENSION = {"pillar": "pillar", "format": "format", "topics": "topic"}


def _mean_er(rates: pd.Series, confidence: float) -> tuple[float, float, float, int]:
    """Mean of per-post rates, its Student-t CI and how many posts have a rate."""
    known = rates.dropna()
    low, high = mean_interval(known, confidence)
    return (float(known.mean()) if len(known) else np.nan, low, high, len(known))


def _classify(row: pd.Series, even_share: float, min_posts: int) -> tuple[str, float]:
    """Kind and score of one category (see opportunities for the rules)."""
    if row["field_er_n"] < min_posts:
        return "neutral", 0.0
    field_index, field_share, own_share = row["field_index"], row["field_share"], row["own_share"]
    own_good = row["own_er_n"] >= min_posts and row["own_index"] > 1
    if field_index > 1 and own_share < field_share:
        return "under-served", (field_index - 1) * (field_share - own_share)
    if field_index < 1 and own_share > field_share and not own_good:
        return "over-invested", (1 - field_index) * (own_share - field_share)
    if field_share >= CROWDED_FACTOR * even_share and field_index <= 1:
        return "crowded", (1 - field_index) * field_share
    if row["own_er_n"] >= min_posts and row["own_index"] > 1:
        return "own strength", (row["own_index"] - 1) * own_share
    return "neutral", 0.0


def _reason(row: pd.Series, base: str, even_share: float, min_posts: int) -> str:
    """One sentence saying why the category got its kind, from its numbers (in the run's language)."""
    values = {"name": category_name(row["dimension"], row["category"]), "fi": f"{row['field_index']:.2f}",
              "fs": fmt_percent(row["field_share"], 0), "os": fmt_percent(row["own_share"], 0),
              "er": _("ER (by {base})").format(base=_(BASE_WORDS.get(base, base)))}
    if row["field_er_n"] < min_posts:
        return _("only {n} competitor posts with an {er} on {name} (fewer than {min}): too few to judge; "
                 "competitors give it {fs} of posts, you {os}").format(n=int(row["field_er_n"]), min=min_posts,
                                                                        **values)
    if row["kind"] == "under-served":
        return _("the field earns {fi}× its average {er} on {name}, competitors give it {fs} of posts, "
                 "you {os}").format(**values)
    if row["kind"] == "over-invested":
        return _("you give {name} {os} of your posts, competitors {fs}, and the field earns only {fi}× its "
                 "average {er} there").format(**values)
    if row["kind"] == "crowded":
        return _("competitors give {name} {fs} of posts (an even split would be {even}) but earn only {fi}× their "
                 "average {er} there; you give it {os}").format(even=fmt_percent(even_share, 0), **values)
    if row["kind"] == "own strength":
        return _("you earn {oi}× your average {er} on {name} ({n} posts), the field {fi}×; competitors give it "
                 "{fs} of posts, you {os}").format(oi=f"{row['own_index']:.2f}", n=int(row["own_er_n"]), **values)
    return _("no clear gap on {name}: the field earns {fi}× its average {er} there, competitors give it {fs} "
             "of posts, you {os}").format(**values)


def _weak(row: pd.Series, side: str = "field") -> bool:
    """True when the index interval of ``side`` (field or own) includes 1."""
    return bool(row[f"{side}_index_ci_low"] <= 1 <= row[f"{side}_index_ci_high"])


def _note(row: pd.Series, min_posts: int, silent: list[str]) -> str:
    """Caveats of one row: an index whose CI includes 1, small samples, own accounts that posted nothing."""
    notes = []
    if row["field_er_n"] < min_posts:
        notes.append(_("too few competitor posts (< {min})").format(min=min_posts))
    judged = row["kind"] in ("under-served", "over-invested", "crowded")
    if judged and _weak(row):
        notes.append(_("field index CI {low}–{high} includes 1: weak evidence").format(
            low=f"{row['field_index_ci_low']:.2f}", high=f"{row['field_index_ci_high']:.2f}"))
    if row["kind"] == "own strength" and _weak(row, "own"):
        notes.append(_("own index CI {low}–{high} includes 1: weak evidence").format(
            low=f"{row['own_index_ci_low']:.2f}", high=f"{row['own_index_ci_high']:.2f}"))
    if 0 < row["own_posts"] < min_posts:
        n = int(row["own_posts"])
        notes.append(ngettext("own ER from only {n} post", "own ER from only {n} posts", n).format(n=n))
    if silent:
        notes.append(_("own account(s) {accounts} posted nothing in the period: their share is a real 0").format(
            accounts=", ".join(silent)))
    return "; ".join(notes)


def opportunities(posts: pd.DataFrame, own_ids: Iterable[str], by: str = "pillar", min_posts: int = 10,
                  confidence: float = 0.95) -> pd.DataFrame:
    """Per pillar / format / topic tag: field and own share of posts and ER, a kind, a score and a reason.

    Competitors are the accounts not in own_ids. Shares are of posts: field_share = competitor posts
    in the category ÷ all competitor posts (own_share likewise; for topics a post can carry several
    tags, so shares need not sum to 1). ERs are means of per-post rates on the posts' er_base, with
    Student-t CIs and the number of posts behind them (field_er_n, own_er_n). field_index =
    field_er ÷ the competitors' overall mean-of-rates ER (> 1: the field rewards the category);
    own_index likewise against your own overall ER; index CIs divide the ER CI by the overall mean
    (treated as fixed). Both are pooled over accounts and platforms: check a candidate with
    topic_lift, which compares posts within an account.

    kind (first rule that holds; categories with fewer than min_posts rated competitor posts are
    "neutral"):
      - "under-served": field_index > 1 and own_share < field_share;
        score = (field_index − 1) × (field_share − own_share): how much more the field earns there
        times how far behind the field's share you are.
      - "over-invested": field_index < 1, own_share > field_share and the own posts there do not beat
        the own average (own_index ≤ 1 or too few own posts); score = (1 − field_index) × (own_share −
        field_share): you post more of what the field finds below average than the field does.
      - "crowded": field_share at least CROWDED_FACTOR (1.25) × an even split (the mean field_share over
        the categories the competitors use: 1/K for K pillars or formats) and field_index ≤ 1;
        score = (1 − field_index) × field_share. (A share barely above 1/K is not crowding.)
      - "own strength": own_index > 1 on at least min_posts own posts; score = (own_index − 1) × own_share.
      - "neutral": otherwise; score 0.
    Rows are ranked by kind in that order, then score. When the own accounts posted nothing, own_share
    is a real 0 (they published nothing) and the note says so.
    """
    check_choice(by, OPPORTUNITY_BY, "by", "opportunities")
    check_confidence(confidence)
    own = set(map(str, own_ids))
    if not own:
        raise ParameterError("opportunities needs the own account ids (own_ids) to compare with the field.")
    if int(min_posts) < 2:
        raise ParameterError(f"opportunities needs min_posts ≥ 2; got {min_posts}.")
    min_posts = int(min_posts)
    rated = rated_posts(posts, ("account_id", by))
    base = er_base_of(rated)
    is_own = rated["account_id"].astype("str").isin(own).to_numpy()
    n_field, n_own = int((~is_own).sum()), int(is_own.sum())
    if n_field == 0:
        raise DataError("There are no competitor posts in the period: every account in posts is in own_ids.")
    posting = set(rated.loc[is_own, "account_id"].astype("str"))
    silent = sorted(own - posting)
    rate = rated["engagement_rate"].astype("float64")
    field_overall = _mean_er(rate[~is_own], confidence)[0]
    own_overall = _mean_er(rate[is_own], confidence)[0]
    long = tag_table(rated, by)
    rows = []
    for category, members in long.groupby("tag", sort=True)["post"]:
        in_cat = np.zeros(len(rated), dtype=bool)
        in_cat[members.to_numpy()] = True
        field_er, f_low, f_high, f_n = _mean_er(rate[in_cat & ~is_own], confidence)
        own_er, o_low, o_high, o_n = _mean_er(rate[in_cat & is_own], confidence)
        field_posts, own_posts = int((in_cat & ~is_own).sum()), int((in_cat & is_own).sum())
        rows.append({
            "dimension": _DIMENSION[by], "category": category,
            "field_posts": field_posts, "field_share": field_posts / n_field,
            "own_posts": own_posts, "own_share": own_posts / n_own if n_own else 0.0,
            "field_er": field_er, "field_er_ci_low": f_low, "field_er_ci_high": f_high, "field_er_n": f_n,
            "field_index": field_er / field_overall, "field_index_ci_low": f_low / field_overall,
            "field_index_ci_high": f_high / field_overall,
            "own_er": own_er, "own_er_ci_low": o_low, "own_er_ci_high": o_high, "own_er_n": o_n,
            "own_index": own_er / own_overall if n_own else np.nan,
            "own_index_ci_low": o_low / own_overall if n_own else np.nan,
            "own_index_ci_high": o_high / own_overall if n_own else np.nan,
        })
    table = pd.DataFrame(rows)
    even_share = float(table.loc[table["field_posts"] > 0, "field_share"].mean())
    kinds = [_classify(r, even_share, min_posts) for _i, r in table.iterrows()]
    table["kind"] = [k for k, _s in kinds]
    table["score"] = [float(s) for _k, s in kinds]
    table["reason"] = [_reason(r, base, even_share, min_posts) for _i, r in table.iterrows()]
    table["note"] = [_note(r, min_posts, silent) for _i, r in table.iterrows()]
    table["field_er_overall"] = field_overall
    table["own_er_overall"] = own_overall
    table["er_base"] = base
    table["_kind"] = table["kind"].map({k: i for i, k in enumerate(KINDS)})
    table = table.sort_values(["_kind", "score", "field_posts"], ascending=[True, False, False],
                              ignore_index=True).drop(columns="_kind")
    table.insert(0, "rank", table.groupby("kind", sort=False).cumcount() + 1)
    return table


def strategy_summary(opportunities: pd.DataFrame, top: int = 3) -> list[str]:
    """Plain sentences for the top under-served, over-invested and crowded categories of an opportunities table.

    A row's note (weak evidence, small samples) is kept in its sentence as a caveat.
    """
    require_columns(opportunities, ("dimension", "category", "kind", "score", "reason"), "opportunities",
                    "Build it with opportunities(posts, own_ids).")
    if int(top) < 1:
        raise ParameterError(f"strategy_summary needs top ≥ 1; got {top}.")
    if opportunities.empty:
        return [_("No categories to compare: the opportunities table is empty.")]
    dimension = str(opportunities["dimension"].iloc[0])
    sentences = []
    advice = {"under-served": _("{name} ({dimension}) is worth a bigger share of your posts: {reason}"),
              "over-invested": _("{name} ({dimension}) is over-invested: you give it more posts than the field, "
                                 "which earns less than average there: {reason}"),
              "crowded": _("{name} ({dimension}) is crowded and not rewarded: differentiate the angle or shift "
                           "effort elsewhere: {reason}")}
    tentative = _("{name} ({dimension}) is a possible opening, not yet supported by the data: {reason}")
    none = {"under-served": _("No under-served {dimension} stands out in this period."),
            "over-invested": _("No over-invested {dimension} stands out in this period."),
            "crowded": _("No crowded {dimension} stands out in this period.")}
    dimension_word = dimension_name(dimension)
    for kind in ("under-served", "over-invested", "crowded"):
        picked = opportunities[opportunities["kind"] == kind].sort_values("score", ascending=False).head(int(top))
        if picked.empty:
            sentences.append(none[kind].format(dimension=dimension_word))
        for _i, row in picked.iterrows():
            note = row["note"] if "note" in row.index and isinstance(row["note"], str) else ""
            weak = kind == "under-served" and {"field_index_ci_low", "field_index_ci_high"} <= set(row.index) \
                and _weak(row)
            sentence = (tentative if weak else advice[kind]).format(
                name=category_name(dimension, row["category"]), dimension=dimension_word, reason=row["reason"])
            caveat = _(" (caveat: {note})").format(note=note) if note else ""
            sentences.append(sentence + caveat + _("."))
    return sentences


# ---------------------------------------------------------------------------------------------
# the notebook's tables: one ranked list, what to show of it, pillar coverage
# ---------------------------------------------------------------------------------------------

#: Columns of the ranked list shown in the notebook.
RANKED_VIEW: tuple[str, ...] = ("rank", "dimension", "category", "kind", "score", "field_share", "own_share",
                                "field_index", "own_index", "reason", "note")
#: Columns of the under-served topic tags shown in the notebook.
TOPIC_VIEW: tuple[str, ...] = ("rank", "category", "score", "field_share", "own_share", "field_index", "reason")


def ranked_opportunities(*tables: pd.DataFrame) -> pd.DataFrame:
    """Opportunity tables of several dimensions (pillar, format, ...) as one list ranked by kind, then score."""
    frames = [t for t in tables if t is not None and len(t)]
    if not frames:
        return pd.DataFrame(columns=["rank", "dimension", "category", "kind", "score"])
    table = pd.concat(frames, ignore_index=True).drop(columns=["rank"], errors="ignore")
    table["_kind"] = table["kind"].map({k: i for i, k in enumerate(KINDS)})
    table = table.sort_values(["_kind", "score", "field_posts"], ascending=[True, False, False],
                              ignore_index=True).drop(columns="_kind")
    table.insert(0, "rank", table.groupby("kind", sort=False).cumcount() + 1)
    return table


def ranked_view(ranked: pd.DataFrame) -> pd.DataFrame:
    """The columns of the ranked list a strategist reads (rank, kind, score, shares, indices, reason, note)."""
    require_columns(ranked, RANKED_VIEW, "opportunities", "Build it with ranked_opportunities(...).")
    return ranked[list(RANKED_VIEW)]


def top_underserved(opportunities: pd.DataFrame, n: int) -> pd.DataFrame:
    """The n best-scored under-served categories of one opportunities table, with the columns to read."""
    require_columns(opportunities, ("kind", *TOPIC_VIEW), "opportunities", "Build it with opportunities(...).")
    return opportunities[opportunities["kind"] == "under-served"].head(int(n))[list(TOPIC_VIEW)]


def coverage(opportunities: pd.DataFrame, own_label: str) -> pd.DataFrame:
    """Long table for a side-by-side bar chart: each category's share of posts for 'competitors' and for you.

    Rows of the opportunities table twice: ``who`` = 'competitors' with share = field_share, then
    ``who`` = own_label with share = own_share.
    """
    require_columns(opportunities, ("category", "field_share", "own_share"), "opportunities")
    return pd.concat([opportunities.assign(who="competitors", share=opportunities["field_share"]),
                      opportunities.assign(who=own_label, share=opportunities["own_share"])])
