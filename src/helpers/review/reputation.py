"""Reputation in the period review (issue 18 item 7): customers' comments cleaned and scored as the
voice-of-customer notebook does, the sentiment split, and the period's crisis cases (舆情 alerts).

Method (the voice-of-customer notebook's, through the shared base helpers.nlp; that notebook's
"Sentiment" section states the models and their held-out accuracy):

- **Comments.** The comments table's rows of the reviewed accounts (every source) up to the period's
  end. The brand's own rows (user_id = one of the accounts table's ids: the account answering under
  its post) are set apart (``helpers.nlp.clean.split_brand_rows``); the rest is cleaned with the
  shared rules and defaults (``helpers.nlp.clean.clean_comments``: empty texts, link spam, bots,
  duplicates and copy-paste spam out).
- **Sentiment** per comment by ``helpers.nlp.sentiment.build_scorer("auto")``: per language the
  model where it beats the lexicon baseline on held-out labelled text, with its neutral band. Each text's
  answer is kept in the models' cache folder (``helpers.nlp.sentiment.score_comments``), so a run scores
  only the comments no earlier run has seen; the answers are the scorer's own. A
  comment without a score (empty text, a language neither zh nor en) counts as a comment, not in
  the shares. Net sentiment = positive share − negative share of the scored comments (from −1 to 1);
  totals are rates of sums over the accounts' comments (kpis.comment_kpis puts them on the board).
- **Crisis cases** are the 舆情 alerts of ``helpers.nlp.opinion.early_warning`` over every kept
  comment up to the period's end (the baselines need the weeks before): daily negative volume and
  share, hourly negatives, crisis-keyword surges and liked crisis comments, with the default crisis
  keywords (``DEFAULT_CRISIS_KEYWORDS``) and the review's anomaly threshold; those starting in the
  period are grouped into incidents as the voice-of-customer notebook groups them
  (``helpers.nlp.opinion.incidents``: one account's alerts less than 24 h apart), each with its
  start, end, worst severity, peak (the alert with the highest z), the SOP owner and deadline and
  whether the brand's first reply came in time. For a year (the year-end review) they are the
  year's crises: 15 alerts are fewer incidents, and an incident is what someone handled.
- **Brand replies** set apart are counted in the period (the history up to the period's end is
  still read, for the alerts' baselines).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from helpers.nlp import corpora
from helpers.nlp.clean import clean_comments, split_brand_rows
from helpers.nlp.opinion import AlertSettings, ResponseSop, early_warning, incidents
from helpers.nlp.sentiment import SentimentScorer, score_comments, sentiment_split
from helpers.periods import ReviewPeriod
from helpers.review.session import ReviewRun

__all__ = ["CrisisCases", "Voice", "crisis_cases", "customer_comments", "sentiment_table"]

#: The columns of the crisis-case table (the alert table of helpers.nlp.opinion, shown in this order).
CRISIS_COLUMNS: tuple[str, ...] = ("account_id", "kind", "grain", "start", "severity", "observed", "expected", "z",
                                   "negative", "comments", "negative_share", "top_comments", "owner", "risk_id",
                                   "deadline", "escalate_at", "status")


@dataclass(frozen=True)
class Voice:
    """Customers' comments of the reviewed accounts up to the period's end, cleaned and scored (None: no table)."""

    comments: pd.DataFrame | None = field(repr=False)
    brand_rows: int = 0  # the brand's own rows (its replies) created in the period, set apart before cleaning
    removed: int = 0
    english_by_lexicon: int = 0
    """The period's English comments scored by the VADER lexicon: the English labelled set is missing (no model)."""

    @property
    def available(self) -> bool:
        """Whether the data folder has a comments table (the reputation KPIs need one)."""
        return self.comments is not None


def customer_comments(run: ReviewRun, scorer: SentimentScorer | None = None) -> Voice:
    """The reviewed accounts' customer comments up to the period's end: brand rows apart, cleaned, scored."""
    table = run.table("comments")
    if table is None:
        return Voice(None)
    mine = table[table["account_id"].isin(run.account_ids)]
    upto = mine[mine["created_at"] < run.period.end + pd.Timedelta(days=1)].reset_index(drop=True)
    customers, brand = split_brand_rows(upto, run.account_ids)
    brand_in_period = len(_window(brand, run.period))  # the whole history's replies are not this period's
    cleaned = clean_comments(customers)
    kept = cleaned.comments
    if len(kept):
        kept = kept.join(scorer.score(kept) if scorer is not None else score_comments(kept))
    else:
        kept = kept.assign(sentiment_score=pd.Series(dtype="float64"), sentiment=pd.Series(dtype="object"),
                           sentiment_method=pd.Series(dtype="object"))
    in_period = _window(kept, run.period) if len(kept) else kept  # the note sits next to the period's counts
    english = int(in_period["language"].fillna("").astype(str).str.lower().str.startswith("en").sum())
    by_lexicon = english if english and not corpora.en_set_status().available else 0
    return Voice(kept, brand_rows=brand_in_period, removed=len(cleaned.removed), english_by_lexicon=by_lexicon)


def _window(comments: pd.DataFrame, period: ReviewPeriod) -> pd.DataFrame:
    """The comments whose day falls in the period."""
    day = comments["created_at"].dt.normalize()
    return comments[(day >= period.start) & (day <= period.end)]


def sentiment_table(voice: Voice, run: ReviewRun) -> pd.DataFrame:
    """The sentiment split per account and in total for the period, the previous period and last year.

    Columns: window ("period", "previous", "last_year"), period (its label), account_id ("total" for
    all), comments, scored, positive, neutral, negative, their shares of the scored comments and
    net_sentiment. Empty without a comments table. A window before the first comment has no rows.
    """
    columns = ["window", "period", "account_id", "comments", "scored", "positive", "neutral", "negative",
               "positive_share", "neutral_share", "negative_share", "net_sentiment"]
    if voice.comments is None or voice.comments.empty:
        return pd.DataFrame(columns=columns)
    first = voice.comments["created_at"].min().normalize()
    frames = []
    windows = (("period", run.period), ("previous", run.period.previous()),
               ("last_year", run.period.same_period_last_year()))
    for name, period in windows:
        if period.end < first:
            continue
        rows = _window(voice.comments, period)
        accounts = pd.Categorical(rows["account_id"], categories=list(run.account_ids))
        per_account = sentiment_split(rows.assign(account_id=accounts), ["account_id"])
        total = sentiment_split(rows).assign(account_id="total")
        frames.append(pd.concat([per_account, total], ignore_index=True).assign(window=name, period=period.label))
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)
    table["account_id"] = table["account_id"].astype("str")
    return table[columns]


#: The columns of the incident table (helpers.nlp.opinion.incidents, with the peak of each incident).
INCIDENT_COLUMNS: tuple[str, ...] = ("account_id", "start", "end", "alerts", "severity", "kinds", "peak_at", "peak_z",
                                     "negative", "owner", "risk_id", "deadline", "first_reply_h", "response",
                                     "top_comments")


@dataclass(frozen=True)
class CrisisCases:
    """The period's 舆情 alerts (most severe first), grouped into incidents, with their SOP and calibration."""

    alerts: pd.DataFrame
    sop: ResponseSop | None
    calibration: pd.DataFrame = field(repr=False)
    incidents: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(INCIDENT_COLUMNS)))

    @property
    def critical(self) -> int:
        """Number of critical alerts."""
        return int((self.alerts["severity"] == "critical").sum()) if len(self.alerts) else 0

    @property
    def critical_incidents(self) -> int:
        """Number of critical incidents."""
        return int((self.incidents["severity"] == "critical").sum()) if len(self.incidents) else 0


def incident_peaks(found: pd.DataFrame, alerts: pd.DataFrame) -> pd.DataFrame:
    """Incidents with their peak: the start (peak_at) and z (peak_z) of their alert with the highest z."""
    if found.empty:
        return found.assign(peak_at=pd.Series(dtype="datetime64[ns]"), peak_z=pd.Series(dtype="float64"))
    starts = pd.to_datetime(alerts["start"])
    peaks = []
    for r in found.itertuples(index=False):
        mine = alerts[(alerts["account_id"] == r.account_id) & (starts >= r.start) & (starts < r.end)]
        top = mine.loc[mine["z"].astype(float).idxmax()] if len(mine) else None
        peaks.append((pd.Timestamp(top["start"]) if top is not None else pd.NaT,
                      float(top["z"]) if top is not None else float("nan")))
    return found.assign(peak_at=[p for p, _ in peaks], peak_z=[z for _, z in peaks])


def crisis_cases(voice: Voice, run: ReviewRun) -> CrisisCases:
    """The 舆情 alerts starting in the period and their incidents, by the VoC rules (helpers.nlp.opinion)."""
    empty = pd.DataFrame(columns=list(CRISIS_COLUMNS))
    if voice.comments is None or voice.comments.empty:
        return CrisisCases(empty, None, pd.DataFrame())
    settings = AlertSettings(threshold=run.anomaly_threshold)
    found = early_warning(voice.comments, run.table("risks"), settings)
    start = pd.to_datetime(found.alerts["start"])
    inside = ((start >= run.period.start) & (start < run.period.end + pd.Timedelta(days=1))).to_numpy(dtype=bool)
    alerts = found.alerts[inside].reset_index(drop=True)
    grouped = incident_peaks(incidents(replace(found, alerts=alerts), voice.comments), alerts)
    return CrisisCases(alerts[[c for c in CRISIS_COLUMNS if c in alerts.columns]], found.sop, found.calibration,
                       grouped[list(INCIDENT_COLUMNS)])


def crisis_days(cases: CrisisCases) -> dict[str, list[pd.Timestamp]]:
    """Account → the days with a critical alert, in order (what the review's checked line names)."""
    critical = cases.alerts[cases.alerts["severity"] == "critical"] if len(cases.alerts) else cases.alerts
    days: dict[str, list[pd.Timestamp]] = {}
    for account_id, rows in critical.groupby("account_id", sort=True):
        days[str(account_id)] = sorted({pd.Timestamp(d).normalize() for d in rows["start"]})
    return days


def share_of_negative(table: pd.DataFrame) -> float:
    """The total's negative share in the period (NaN without comments)."""
    rows = table[(table["window"] == "period") & (table["account_id"] == "total")]
    return float(rows["negative_share"].iloc[0]) if len(rows) else float(np.nan)
