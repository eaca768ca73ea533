"""The voice-of-the-customer steps on a prepared run: customers' words apart from the brand's, cleaned,
scored, labelled with platform, period and campaign, cut into words; then keywords, themes, questions and alerts.

Each function takes the run (``session.VocRun``) and the results of the steps before, and returns a
tidy frame or a small frozen dataclass; the notebook calls them in order, one per section.

- **The brand's own rows** (the account answering under its own post) are not customer voice: a
  comment whose ``user_id`` is one of the accounts table's ``account_id`` values, or one of the
  parameter ``brand_user_ids`` (the brand's user ids on the platforms, as an export names them), is
  set apart before cleaning and counted.
- **Campaigns** are the marketing dates of the shipped calendar (helpers.keydates, kind "marketing":
  618, 双十一 …) from their warm-up start to the day itself; a comment in no window has campaign "".
- **Periods** label each comment with the period of the run's kind it falls in (2026-10, 2026-Q4,
  2026-W43), so splits and TF-IDF compare like with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import i18n
from helpers.keydates import year_dates
from helpers.nlp.clean import CleanResult, clean_comments, split_brand_rows  # the brand-row rule: shared base
from helpers.nlp.opinion import INCIDENT_GAP_H
from helpers.nlp.opinion import incidents as opinion_incidents  # shared with the period review's crisis cases
from helpers.nlp.segment import Segmenter, default_stop_words, is_emoji
from helpers.nlp.sentiment import SentimentScorer, build_scorer, evaluation_table, sentiment_split
from helpers.periods import ReviewPeriod
from helpers.voc import alerts as voc_alerts
from helpers.voc.questions import group_questions, is_question, rank_questions, topic_bank_rows
from helpers.voc.session import VocRun, in_period
from helpers.voc.text import keywords_tfidf, rising_keywords, textrank_keywords, word_frequencies
from helpers.voc.themes import ThemeResult, find_themes, theme_sentiment

__all__ = [
    "CAMPAIGN_COUNTRY",
    "INCIDENT_GAP_H",
    "Feedback",
    "Keywords",
    "Questions",
    "campaign_of",
    "content_terms",
    "early_warning",
    "evaluation",
    "feedback",
    "incidents",
    "keywords",
    "period_labels",
    "questions",
    "reply_times",
    "scorer",
    "split_brand_rows",
    "themes",
]

#: Country whose marketing calendar names the campaigns (helpers.keydates; the sample's brand is Chinese).
CAMPAIGN_COUNTRY = "CN"
#: Fewest comments a word needs in the period to be tested as rising.
RISING_MIN_COUNT = 10


def scorer(run: VocRun) -> SentimentScorer:
    """The sentiment methods of the run (fitted once and cached; chosen per language on held-out text)."""
    return build_scorer(run.settings.sentiment_method)


def evaluation(scoring: SentimentScorer) -> pd.DataFrame:
    """The held-out figures of every method (helpers.nlp.sentiment.evaluation_table)."""
    return evaluation_table(scoring)


def period_labels(times: pd.Series, kind: str) -> pd.Series:
    """The label of the period of ``kind`` (week, month, quarter) each time falls in: 2026-W43, 2026-10, 2026-Q4."""
    if kind == "month":
        return times.dt.strftime("%Y-%m")
    if kind == "quarter":
        return (times.dt.year.astype("Int64").astype("string") + "-Q"
                + times.dt.quarter.astype("Int64").astype("string"))
    iso = times.dt.isocalendar()
    return iso["year"].astype("string") + "-W" + iso["week"].astype("string").str.zfill(2)


def campaign_of(times: pd.Series, country: str = CAMPAIGN_COUNTRY) -> pd.Series:
    """The marketing campaign (named in the run's language) whose warm-up-to-day window holds each time; ""."""
    out = pd.Series("", index=times.index, dtype="object")
    valid = times.dropna()
    if valid.empty:
        return out
    dates = year_dates(sorted({*valid.dt.year.unique()}), country)
    marketing = dates[dates["kind"] == "marketing"].sort_values("date")
    name_column = "name_zh" if i18n.current_language().startswith("zh") else "name"
    day = times.dt.normalize()
    for _, row in marketing.iterrows():
        inside = (day >= pd.Timestamp(row["warmup_start"])) & (day <= pd.Timestamp(row["date"])) & (out == "")
        out[inside] = str(row[name_column])
    return out


@dataclass(frozen=True)
class Feedback:
    """Customers' comments up to the period's end, cleaned and scored, with what the sections need."""

    comments: pd.DataFrame = field(repr=False)   # all kept rows: sentiment, platform, period, campaign, title, terms
    cleaned: CleanResult = field(repr=False)
    brand_rows: int
    brand_rows_now: int
    period: ReviewPeriod
    previous: ReviewPeriod

    @property
    def now(self) -> pd.DataFrame:
        """The kept comments of the period."""
        return in_period(self.comments, self.period)

    @property
    def before(self) -> pd.DataFrame:
        """The kept comments of the previous period."""
        return in_period(self.comments, self.previous)

    def removed_now(self) -> pd.DataFrame:
        """Removed rows of the period (reason per row)."""
        removed = self.cleaned.removed
        if "created_at" not in removed.columns or removed.empty:
            return removed
        return in_period(removed, self.period)

    def split(self, by: Sequence[str]) -> pd.DataFrame:
        """Sentiment split of the period's comments by the given columns (counts and shares, net sentiment)."""
        return sentiment_split(self.now, list(by))

    def trend(self) -> pd.DataFrame:
        """Sentiment split per period over every period up to this one (for the trend chart)."""
        return sentiment_split(self.comments, ["period"])


def _segmenter(run: VocRun) -> Segmenter:
    """The run's segmenter: the user terms kept whole, the shipped stop words plus the run's own."""
    return Segmenter(run.settings.user_terms, default_stop_words() | set(run.settings.stop_words))


def content_terms(tokens: Sequence[list[str]], user_terms: Sequence[str] = ()) -> list[list[str]]:
    """The words that can carry a topic: single Chinese characters (好, 爱, 们) out, user terms and emoji kept.

    A lone character is mostly a particle, a verb of taste or a piece of a word the dictionary split
    (姐妹们 → 姐妹/们); as a keyword it says nothing and in themes it ties everything together.
    """
    keep = {t.lower() for t in user_terms}
    cache: dict[str, bool] = {}

    def useful(token: str) -> bool:
        known = cache.get(token)
        if known is None:
            known = cache[token] = (len(token) > 1 or token in keep or is_emoji(token)
                                    or not ("\u3400" <= token <= "\u9fff"))
        return known

    return [[t for t in row if useful(t)] for row in tokens]


def _post_titles(run: VocRun) -> pd.Series:
    """post_id → title, when the data folder has posts."""
    posts = run.table("posts")
    if posts is None or "title" not in posts:
        return pd.Series(dtype="object")
    return posts.drop_duplicates("post_id").set_index("post_id")["title"]


def feedback(run: VocRun, scorer: SentimentScorer) -> Feedback:
    """Brand rows apart, cleaning, sentiment, labels (platform, period, campaign, post title), each comment's words."""
    customers, brand = split_brand_rows(run.comments, run.account_ids, run.settings.brand_user_ids)
    cleaned = clean_comments(customers, repeat_min_users=run.settings.spam_min_users)
    kept = cleaned.comments
    kept = kept.join(scorer.score(kept))
    kept["platform"] = kept["account_id"].map(run.platforms)
    kept["period"] = period_labels(kept["created_at"], run.period.kind)
    kept["campaign"] = campaign_of(kept["created_at"])
    if "post_id" in kept:
        kept["post_title"] = kept["post_id"].map(_post_titles(run))
    kept["terms"] = content_terms(_segmenter(run).cut_many(kept["text_masked"]), run.settings.user_terms)
    return Feedback(kept, cleaned, len(brand), len(in_period(brand, run.period)), run.period, run.previous)


@dataclass(frozen=True)
class Keywords:
    """The period's keywords: TF-IDF against the other periods, TextRank, rising words, word-cloud counts."""

    tfidf: pd.DataFrame
    textrank: pd.DataFrame
    rising: pd.DataFrame
    frequencies: dict[str, int] = field(repr=False)


def keywords(voice: Feedback, top_n: int) -> Keywords:
    """Keywords of the period (see helpers.voc.text for the methods)."""
    comments = voice.comments
    upto = comments[comments["period"] <= voice.period.label]
    now, before = voice.now, voice.before
    tfidf = keywords_tfidf(list(upto["terms"]), upto["period"], voice.period.label, top_n=top_n) \
        if len(now) else pd.DataFrame(columns=["term", "count", "comments", "tfidf"])
    return Keywords(tfidf=tfidf, textrank=textrank_keywords(list(now["terms"]), top_n=top_n),
                    rising=rising_keywords(list(now["terms"]), list(before["terms"]), min_count=RISING_MIN_COUNT),
                    frequencies=word_frequencies(list(now["terms"]), top_n=150))


def themes(voice: Feedback, n_themes: int | None) -> tuple[ThemeResult, pd.DataFrame]:
    """Themes of the period's comments (k by coherence, or n_themes) and the theme × sentiment table."""
    now = voice.now
    k_range = range(n_themes, n_themes + 1) if n_themes else range(3, 11)
    found = find_themes(list(now["terms"]), now["text_masked"], k_range=k_range)
    labelled = now.assign(theme=found.assignments["theme"].to_numpy())
    return found, theme_sentiment(labelled)


@dataclass(frozen=True)
class Questions:
    """The period's questions: how many, the ranked groups and the topic-bank rows they propose."""

    asked: int
    comments: int
    ranked: pd.DataFrame
    topic_rows: pd.DataFrame


def questions(voice: Feedback, run: VocRun) -> Questions:
    """Questions of the period: detected, grouped by near-duplicate wording, ranked; the non-negative ones become
    topic-bank rows (complaints phrased as questions are answered in section 6, not made into posts)."""
    now = voice.now
    asked = now[is_question(now["text_masked"]).to_numpy(dtype=bool)]
    if asked.empty:
        empty = pd.DataFrame(columns=["group", "question", "questions", "variants", "likes", "share", "examples"])
        return Questions(0, len(now), empty, topic_bank_rows(empty, pillar=run.settings.topic_pillar,
                                                             format=run.settings.topic_format))
    ranked = rank_questions(group_questions(asked["text_masked"], asked.get("likes")))
    # a negative "question" (下单十天了还没发货，物流呢？) is a complaint for section 6, not a topic for a post
    curious = asked[asked["sentiment"] != "negative"] if "sentiment" in asked else asked
    topics = rank_questions(group_questions(curious["text_masked"], curious.get("likes"))) if len(curious) else \
        ranked.iloc[0:0]
    rows = topic_bank_rows(topics, pillar=run.settings.topic_pillar, format=run.settings.topic_format,
                           top_n=run.settings.top_n)
    return Questions(len(asked), len(now), ranked, rows)


def early_warning(voice: Feedback, run: VocRun, theme_labels: pd.Series | None = None) -> voc_alerts.EarlyWarning:
    """The 舆情 early warning over every comment up to the period's end, its alerts kept to the period."""
    settings = voc_alerts.AlertSettings(threshold=run.settings.alert_threshold,
                                        crisis_keywords=run.settings.crisis_keywords)
    frame = voice.comments
    if theme_labels is not None:
        frame = frame.assign(theme=theme_labels.reindex(frame["comment_id"]).to_numpy())
    found = voc_alerts.early_warning(frame, run.table("risks"), settings, run.settings.sop_risk_id or None)
    start = pd.to_datetime(found.alerts["start"])
    inside = (start >= run.period.start) & (start < run.period.end + pd.Timedelta(days=1))
    return voc_alerts.EarlyWarning(alerts=found.alerts[inside.to_numpy()].reset_index(drop=True),
                                   hourly=found.hourly, daily=found.daily, crisis=found.crisis,
                                   calibration=found.calibration, sop=found.sop, data_end=found.data_end,
                                   skipped=found.skipped)


def reply_times(voice: Feedback) -> pd.DataFrame:
    """How fast the brand answered the period's comments and complaints, per account and in all."""
    now = voice.now
    end = voice.period.end + pd.Timedelta(days=1)
    per_account = voc_alerts.response_times(now, end=end)
    total = voc_alerts.response_times(now.assign(account_id="all"), end=end)
    return pd.concat([per_account, total], ignore_index=True)


def theme_of_comments(found: ThemeResult, voice: Feedback) -> pd.Series:
    """comment_id → theme of the period's comments (for the alerts' top themes and the explorer)."""
    now = voice.now
    return pd.Series(found.assignments["theme"].to_numpy(), index=now["comment_id"].to_numpy())


def share_of(frame: pd.DataFrame, column: str, value: object) -> float:
    """Share of rows whose column equals value (NaN for no rows)."""
    return float(np.mean(frame[column] == value)) if len(frame) else float("nan")


def incidents(warning: voc_alerts.EarlyWarning, voice: Feedback, gap_h: float = INCIDENT_GAP_H) -> pd.DataFrame:
    """The period's alerts grouped into incidents, with the brand's response (helpers.nlp.opinion.incidents)."""
    return opinion_incidents(warning, voice.comments, gap_h)
