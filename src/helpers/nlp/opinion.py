"""舆情 early warning: negative volume and share against a calibrated baseline, crisis keywords, the
response SOP of the risk register, and how fast the brand answers (METHODOLOGY §7, §8).

Shared base (moved out of helpers.voc.alerts, which re-exports it unchanged): the voice of the customer
and the period review's crisis cases raise the same alerts by the same rules.

Input: the comments after cleaning and scoring (comment_id, account_id, created_at, text_masked,
sentiment, likes, replied_at, replied_by_brand, source; optional theme and terms). Times are naive
local time of their account (helpers.timezones converted them on load), so every day has 24 hours
here whatever the daylight-saving rules of the account's zone.

Method and its choices:

* **Grid.** Hourly and daily counts per account on the full grid of the data's span (first to last
  comment of all accounts: one export window), so an hour without comments is 0 comments. The
  negative share is negative ÷ scored comments (those with a sentiment); with none it is missing.
* **Daily alerts** use the suite's calibrated detector (helpers.anomaly.detect_anomalies, as the
  review's daily alerts): the negative count on the log1p scale (robust STL, weekly season, noise
  from week-over-week differences × STL_TAIL_FACTOR); the negative share as it is (a share is
  bounded, not multiplicative), scored only on days with at least ``min_share_comments`` scored
  comments (a share of 2 comments is noise). Only upward deviations alert (more negative); a
  volume alert also needs ``min_negative`` negative comments. Festival windows are *not* left out
  (unlike the review's KPI alerts): a festival's logistics complaints are exactly what 舆情
  monitoring must see.
* **Hourly alerts** ask whether an hour's comments hold more negatives than the account's usual
  share makes likely: negatives ~ Binomial(scored comments of the hour, p₀), p₀ = the account's
  negative share over the previous ``weeks`` × 7 days; p = P(X ≥ x), z = Φ⁻¹(1 − p) (one-sided), so
  the severity levels (warning ≥ threshold, critical ≥ 2 × threshold) and the false-alarm rate mean
  what they mean for the daily detector. Why conditional on the hour's comments: comments come in
  bursts (a new post, a live stream); a count test (Poisson or robust z on log1p counts) alerts on
  every burst even when its share of complaints is ordinary (on the sample: 8.5 × the stated false
  alarms), while 舆情 is a burst that is mostly complaints. Hours without 4 weeks of history are not
  scored; the ``min_negative`` rule guards hours with a handful of comments.
* **Crisis keywords** (a parameter list: 投诉, 退款, 假货, 过敏 …) are matched as substrings of the
  masked text. A crisis comment with at least ``crisis_min_likes`` likes alerts (critical from 2×),
  and so does a day whose crisis-comment count surges: a Poisson tail against the previous 4 weeks
  (crisis comments are rare and most days have none, a series robust STL cannot fit).
* **False alarms.** Alerts are one-sided, so an ordinary day or hour alerts with probability
  false_alarm_rate(threshold) ÷ 2; ``calibration`` states it with the scored days or hours, the
  false alarms to expect, and the alerts the history actually raised.
* **SOP.** From the risk register: the open risk whose description mentions 舆情 (highest score
  probability × impact), or the one ``sop_risk_id`` names; its owner, ``respond_within_h`` and
  ``escalate_after_h`` (optional columns; missing = 24 h and 48 h, METHODOLOGY §8, and said in
  ``defaults``). Deadline = alert start + respond_within_h, escalation = alert start +
  escalate_after_h; the status at the data's end time is open, overdue (deadline passed) or
  escalated (escalation passed).
* **Reply times** of the brand where the export has reply columns (replied_at, replied_by_brand):
  shares answered within 24 h and 48 h and never answered, each of the comments old enough at the
  data's end to be judged, and the median hours to reply with its count. Without reply columns the
  result says so (``reply_data`` False): missing is not zero.
* **Incidents** (moved from helpers.voc.analysis, which re-exports them; the period review lists them
  as its crisis cases): one account's alerts less than ``INCIDENT_GAP_H`` (24 h) apart are one
  incident, with its worst severity, the negative comments from its start to its end and whether
  the brand's first reply came before the SOP deadline (response "in_time", "late", "none", or
  "no_reply_data" when the export has no reply times).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from helpers.anomaly import check_detector_parameters, detect_anomalies, false_alarm_rate
from helpers.data import escalates_before_deadline, reply_hours
from helpers.errors import DataError, ParameterError, require_columns
from helpers.i18n import N_

__all__ = [
    "CLOSED_STATUSES",
    "CRISIS_PRIOR_COMMENTS",
    "DEFAULT_CRISIS_KEYWORDS",
    "DEFAULT_ESCALATE_AFTER_H",
    "DEFAULT_RESPOND_WITHIN_H",
    "GRAINS",
    "INCIDENT_GAP_H",
    "KIND_LABELS",
    "REPLY_SOURCES",
    "SOP_MARKER",
    "STATUS_LABELS",
    "AlertSettings",
    "EarlyWarning",
    "ResponseSop",
    "apply_sop",
    "attach_comments",
    "calibration",
    "crisis_alerts",
    "crisis_baseline",
    "crisis_daily",
    "crisis_hits",
    "daily_alerts",
    "early_warning",
    "has_reply_data",
    "hourly_alerts",
    "hourly_baseline",
    "incidents",
    "negative_volume",
    "response_sop",
    "response_times",
]

#: Crisis keywords when the notebook gives none (complaints, refunds, fakes, skin reactions, rights, exposure).
DEFAULT_CRISIS_KEYWORDS: tuple[str, ...] = ("投诉", "退款", "假货", "过敏", "烂脸", "维权", "曝光", "12315",
                                            "欺诈", "骗人", "质量问题", "消协")
#: METHODOLOGY §8: handle an incident within 24 h; losses double after 48 h.
DEFAULT_RESPOND_WITHIN_H: float = 24.0
DEFAULT_ESCALATE_AFTER_H: float = 48.0
#: Risk statuses that are no longer open (the review's helpers.review.risks.CLOSED_STATUSES; a test keeps them equal).
CLOSED_STATUSES: tuple[str, ...] = ("closed", "resolved", "retired")
#: The word a risk description must contain to be the 舆情 risk whose SOP the alerts follow.
SOP_MARKER = "舆情"
#: Crisis comments a pseudo-day adds to a day's expected count (crisis_baseline).
CRISIS_PRIOR_COMMENTS: float = 1.0
GRAINS: dict[str, str] = {"hour": "h", "day": "D"}
_SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1}

KIND_LABELS: dict[str, str] = {
    "negative_volume": N_("negative comments (day)"),
    "negative_share": N_("negative share (day)"),
    "negative_volume_hourly": N_("negative comments (hour)"),
    "crisis_surge": N_("crisis keywords surge"),
    "crisis_comment": N_("liked crisis comment"),
}
STATUS_LABELS: dict[str, str] = {"open": N_("open, within the deadline"), "overdue": N_("overdue"),
                                 "escalated": N_("escalated"), "no_reply_data": N_("no reply data")}

#: Columns of an alert table (before the SOP and the comments behind it are attached).
_ALERT_DTYPES: dict[str, str] = {
    "account_id": "str", "kind": "str", "grain": "str", "start": "datetime64[ns]", "severity": "str",
    "observed": "float64", "expected": "float64", "z": "float64", "negative": "float64", "comments": "float64",
    "negative_share": "float64",
}


@dataclass(frozen=True)
class AlertSettings:
    """The early warning's checked settings (the notebook's parameters, checked in the session)."""

    threshold: float = 3.5
    method: str = "stl"
    min_share_comments: int = 20
    min_negative: int = 3
    weeks: int = 4
    crisis_keywords: tuple[str, ...] = DEFAULT_CRISIS_KEYWORDS
    crisis_min_likes: float = 100.0
    top_n: int = 3

    def __post_init__(self) -> None:
        """Refuse settings no alert could be computed with."""
        check_detector_parameters(self.method, self.threshold, 7, 7)
        for name in ("min_share_comments", "min_negative", "weeks", "top_n"):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ParameterError(f"{name} must be a whole number ≥ 1, got {value!r}.")
        if not np.isfinite(self.crisis_min_likes) or self.crisis_min_likes < 1:
            raise ParameterError(f"crisis_min_likes must be a number of likes ≥ 1, got {self.crisis_min_likes!r}.")
        if any(not str(k).strip() for k in self.crisis_keywords):
            raise ParameterError(f"crisis_keywords has an empty keyword: {list(self.crisis_keywords)!r}.")


@dataclass(frozen=True)
class ResponseSop:
    """Who answers a 舆情 alert and how fast: from a risk of the register, or METHODOLOGY §8's defaults."""

    owner: str | None
    respond_within_h: float
    escalate_after_h: float
    risk_id: str | None
    defaults: tuple[str, ...] = ()  # the fields that took METHODOLOGY §8's default (24 h / 48 h)


@dataclass(frozen=True)
class EarlyWarning:
    """The early warning of a run: alerts (with SOP and comments behind them), the grids, calibration and SOP."""

    alerts: pd.DataFrame
    hourly: pd.DataFrame = field(repr=False)
    daily: pd.DataFrame = field(repr=False)
    crisis: pd.DataFrame = field(repr=False)
    calibration: pd.DataFrame
    sop: ResponseSop
    data_end: pd.Timestamp
    skipped: tuple[dict[str, str], ...] = ()


# --------------------------------------------------------------------------- volume grid


def _grain(grain: str) -> str:
    """The pandas frequency of a grain ("hour" or "day")."""
    if grain not in GRAINS:
        raise ParameterError(f"Unknown grain {grain!r}; use one of {list(GRAINS)}.")
    return GRAINS[grain]


def _grid(keys: pd.DataFrame, values: pd.DataFrame, freq: str, accounts: Sequence[str]) -> pd.DataFrame:
    """Sums of `values` per account and period start on the full grid of the span of `keys` (empty periods 0)."""
    if keys.empty:
        return pd.DataFrame({"account_id": pd.Series(dtype="str"), "start": pd.Series(dtype="datetime64[ns]"),
                             **{c: pd.Series(dtype=values[c].dtype) for c in values.columns}})
    span = pd.date_range(keys["start"].min(), keys["start"].max(), freq=freq)
    index = pd.MultiIndex.from_product([list(accounts), span], names=["account_id", "start"])
    sums = values.groupby([keys["account_id"], keys["start"]]).sum()
    return sums.reindex(index, fill_value=0).reset_index()


def _period_keys(comments: pd.DataFrame, freq: str) -> pd.DataFrame:
    """account_id and the start of each comment's hour or day."""
    return pd.DataFrame({"account_id": comments["account_id"].astype("str"),
                         "start": pd.to_datetime(comments["created_at"]).dt.floor(freq)})


def negative_volume(comments: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Comments, scored comments, negative ones and the negative share per account and hour or day, on the full grid.

    Columns: account_id, start (the hour or day), comments, scored (with a sentiment), negative,
    negative_share (negative ÷ scored; missing when nothing was scored). Comments without a time
    cannot be placed and are left out.
    """
    freq = _grain(grain)
    require_columns(comments, ["account_id", "created_at", "sentiment"], "comments")
    timed = comments[pd.to_datetime(comments["created_at"]).notna()]
    keys = _period_keys(timed, freq)
    sentiment = timed["sentiment"]
    values = pd.DataFrame({"comments": 1, "scored": sentiment.notna().astype("int64"),
                           "negative": (sentiment == "negative").astype("int64")}, index=timed.index)
    accounts = sorted(keys["account_id"].unique())
    grid = _grid(keys, values, freq, accounts)
    grid[["comments", "scored", "negative"]] = grid[["comments", "scored", "negative"]].astype("int64")
    grid["negative_share"] = grid["negative"] / grid["scored"].where(grid["scored"] > 0)
    return grid


# --------------------------------------------------------------------------- daily alerts


def _empty_alerts() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _ALERT_DTYPES.items()})


def _detect_up(series: pd.Series, settings: AlertSettings, transform: str) -> pd.DataFrame:
    """The detector's days (all of them, for calibration) with `alert` = an upward anomaly."""
    found = detect_anomalies(series, method=settings.method, threshold=settings.threshold, transform=transform)
    return found.assign(alert=found["is_anomaly"] & (found["direction"] == "up"))


def _scored_and_alerts(frame: pd.DataFrame, column: str, kind: str, settings: AlertSettings, transform: str,
                       eligible: pd.Series) -> tuple[pd.DataFrame, int, list[dict[str, str]]]:
    """Upward alerts of one column per account, the number of days scored, and the accounts skipped (why)."""
    parts, scored, skipped = [], 0, []
    for account_id, rows in frame.groupby("account_id", sort=True):
        series = rows.set_index("start")[column].where(eligible.loc[rows.index].to_numpy())
        try:
            found = _detect_up(series, settings, transform)
        except ParameterError as err:
            skipped.append({"account_id": str(account_id), "kind": kind, "reason": str(err)})
            continue
        scored += int(found["robust_z"].notna().sum())
        hits = found[found["alert"]]
        day = rows.set_index("start").loc[hits["date"]]
        observed = hits["observed"].to_numpy()
        parts.append(pd.DataFrame({
            "account_id": str(account_id), "kind": kind, "grain": "day", "start": hits["date"].to_numpy(),
            "severity": hits["severity"].to_numpy(), "observed": observed, "expected": hits["expected"].to_numpy(),
            "z": hits["robust_z"].to_numpy(), "negative": day["negative"].to_numpy(dtype="float64"),
            "comments": day["comments"].to_numpy(dtype="float64"),
            "negative_share": day["negative_share"].to_numpy(dtype="float64"),
        }))
    parts = [p for p in parts if not p.empty]
    alerts = pd.concat(parts, ignore_index=True) if parts else _empty_alerts()
    return alerts.astype(_ALERT_DTYPES), scored, skipped


def daily_alerts(daily: pd.DataFrame, settings: AlertSettings) -> pd.DataFrame:
    """Days with more negative comments, or a higher negative share, than the calibrated baseline expects.

    ``daily`` is ``negative_volume(comments, "day")``. Kinds: negative_volume (log1p counts, needs
    ``min_negative`` negatives) and negative_share (the share as it is, scored on days with at least
    ``min_share_comments`` scored comments). Only upward deviations alert. Accounts too short for the
    detector (28 days for STL) are listed in ``attrs["skipped"]`` (account_id, kind, reason);
    ``attrs["scored"]`` holds the days scored per kind.
    """
    require_columns(daily, ["account_id", "start", "scored", "negative", "negative_share"], "daily volume")
    frame = daily.reset_index(drop=True)
    everything = pd.Series(True, index=frame.index)
    volume, n_volume, skipped_volume = _scored_and_alerts(frame, "negative", "negative_volume", settings, "log",
                                                          everything)
    volume = volume[volume["negative"] >= settings.min_negative]
    share, n_share, skipped_share = _scored_and_alerts(frame, "negative_share", "negative_share", settings, "none",
                                                       frame["scored"] >= settings.min_share_comments)
    alerts = _sorted(pd.concat([volume, share], ignore_index=True))
    alerts.attrs["skipped"] = skipped_volume + skipped_share
    alerts.attrs["scored"] = {"negative_volume": n_volume, "negative_share": n_share}
    return alerts


def _sorted(alerts: pd.DataFrame) -> pd.DataFrame:
    """Most severe first, then by z, start and account."""
    order = alerts.assign(_sev=alerts["severity"].map(_SEVERITY_ORDER), _z=-alerts["z"])
    order = order.sort_values(["_sev", "_z", "start", "account_id", "kind"], kind="stable")
    return order.drop(columns=["_sev", "_z"]).reset_index(drop=True)


# --------------------------------------------------------------------------- hourly alerts


def _trailing_sum(values: np.ndarray, window: int, step: int = 1) -> np.ndarray:
    """Sum of the `window` values before each position, `step` apart (NaN without a full window)."""
    out = np.full(values.shape, np.nan)
    padded = np.concatenate([np.zeros(step), values])
    if step == 1:
        cum = np.cumsum(padded)
        out[window:] = cum[window:-1] - cum[:-window - 1]
        return out
    for lag in range(1, window + 1):  # few lags (28): same hour on each previous day
        shifted = np.full(values.shape, np.nan)
        shifted[lag * step:] = values[:-lag * step]
        out = shifted if lag == 1 else out + shifted
    return out


def _poisson_tail(counts: np.ndarray, expected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(X ≥ count | Poisson(expected)) and its one-sided z = Φ⁻¹(1 − p); missing where expected is."""
    with np.errstate(invalid="ignore"):
        p_value = np.where(np.isnan(expected), np.nan, stats.poisson.sf(counts - 1, expected))
        return p_value, stats.norm.isf(p_value)


def _binomial_tail(negative: np.ndarray, scored: np.ndarray, share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(X ≥ negative | Binomial(scored, share)) and its one-sided z = Φ⁻¹(1 − p); missing where share is."""
    with np.errstate(invalid="ignore"):
        p_value = np.where(np.isnan(share), np.nan, stats.binom.sf(negative - 1, scored, share))
        return p_value, stats.norm.isf(p_value)


def hourly_baseline(hourly: pd.DataFrame, weeks: int = 4) -> pd.DataFrame:
    """Each hour's expected negatives at the account's negative share of the previous 7·weeks days, its tail and z.

    ``hourly`` is ``negative_volume(comments, "hour")`` (a full hourly grid per account). The baseline
    share p₀ = negatives ÷ scored comments over the previous n·24 hours (n = 7·weeks days);
    expected = scored comments of the hour × p₀; p_value = P(X ≥ negatives | Binomial(scored, p₀));
    z = Φ⁻¹(1 − p). Conditioning on the hour's own comments is the point: comments come in bursts
    (a new post, a live stream), and a burst with the usual share of complaints is not 舆情, while a
    burst that is mostly complaints is. Hours without n days of history, or whose history has no
    scored comment, have missing expected, p_value and z. Columns: account_id, start, negative, scored,
    expected, p_value, z.
    """
    require_columns(hourly, ["account_id", "start", "negative", "scored"], "hourly volume")
    window = 7 * int(weeks) * 24
    parts = []
    for account_id, rows in hourly.sort_values(["account_id", "start"]).groupby("account_id", sort=True):
        negative = rows["negative"].to_numpy(dtype="float64")
        scored = rows["scored"].to_numpy(dtype="float64")
        prior_negative, prior_scored = _trailing_sum(negative, window), _trailing_sum(scored, window)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(prior_scored > 0, prior_negative / prior_scored, np.nan)
        p_value, z = _binomial_tail(negative, scored, share)
        parts.append(pd.DataFrame({"account_id": account_id, "start": rows["start"].to_numpy(), "negative": negative,
                                   "scored": scored, "expected": scored * share, "p_value": p_value, "z": z}))
    if not parts:
        return pd.DataFrame(columns=["account_id", "start", "negative", "scored", "expected", "p_value", "z"])
    return pd.concat(parts, ignore_index=True)


def hourly_alerts(hourly: pd.DataFrame, settings: AlertSettings) -> pd.DataFrame:
    """Hours with more negative comments than their comments make likely at the usual share (``hourly_baseline``).

    An hour alerts at z ≥ threshold with at least ``min_negative`` negatives; critical at 2 × threshold.
    ``attrs["scored"]`` holds the hours scored.
    """
    base = hourly_baseline(hourly, settings.weeks)
    hits = base[(base["z"] >= settings.threshold) & (base["negative"] >= settings.min_negative)]
    grid = hourly.set_index(["account_id", "start"])
    at = grid.loc[list(zip(hits["account_id"], hits["start"], strict=True))] if len(hits) else grid.iloc[0:0]
    alerts = pd.DataFrame({
        "account_id": hits["account_id"].astype("str").to_numpy(), "kind": "negative_volume_hourly", "grain": "hour",
        "start": hits["start"].to_numpy(),
        "severity": np.where(hits["z"] >= 2 * settings.threshold, "critical", "warning"),
        "observed": hits["negative"].to_numpy(), "expected": hits["expected"].to_numpy(), "z": hits["z"].to_numpy(),
        "negative": hits["negative"].to_numpy(),
        "comments": at["comments"].to_numpy(dtype="float64") if "comments" in at else np.nan,
        "negative_share": at["negative_share"].to_numpy(dtype="float64") if "negative_share" in at else np.nan,
    }).astype(_ALERT_DTYPES)
    alerts = _sorted(alerts)
    alerts.attrs["scored"] = {"negative_volume_hourly": int(base["z"].notna().sum())}
    return alerts


# --------------------------------------------------------------------------- crisis keywords


def _keywords(keywords: Sequence[str]) -> list[str]:
    """The keywords, stripped, duplicates dropped, longest first (so 质量问题 is found before 质量)."""
    words = list(dict.fromkeys(str(k).strip() for k in keywords if str(k).strip()))
    return sorted(words, key=len, reverse=True)


def crisis_hits(comments: pd.DataFrame, keywords: Sequence[str]) -> pd.Series:
    """The crisis keywords each comment's masked text contains (a tuple, in the keywords' order; () for none)."""
    require_columns(comments, ["text_masked"], "comments")
    words = _keywords(keywords)
    text = comments["text_masked"].fillna("").astype("str")
    out = pd.Series([()] * len(comments), index=comments.index, dtype="object")
    if not words:
        return out
    pattern = "|".join(map(re.escape, words))
    hit = text.str.contains(pattern, regex=True)
    order = [str(k).strip() for k in keywords]
    out[hit] = [tuple(w for w in dict.fromkeys(order) if w and w in t) for t in text[hit]]
    return out


def crisis_daily(comments: pd.DataFrame, keywords: Sequence[str]) -> pd.DataFrame:
    """Crisis-keyword comments and their likes per account and day, on the full grid (days without any: 0).

    Columns: account_id, start, crisis_comments, crisis_likes (likes missing count as 0 in the sum).
    """
    require_columns(comments, ["account_id", "created_at", "text_masked"], "comments")
    timed = comments[pd.to_datetime(comments["created_at"]).notna()]
    hit = crisis_hits(timed, keywords).map(bool)
    likes = pd.to_numeric(timed["likes"], errors="coerce") if "likes" in timed else pd.Series(0.0, index=timed.index)
    keys = _period_keys(timed, "D")
    values = pd.DataFrame({"crisis_comments": hit.astype("int64"), "crisis_likes": likes.fillna(0).where(hit, 0)})
    grid = _grid(keys, values, "D", sorted(keys["account_id"].unique()))
    return grid.astype({"crisis_comments": "int64", "crisis_likes": "float64"})


def _liked_crisis(comments: pd.DataFrame, hit: pd.Series, settings: AlertSettings) -> pd.DataFrame:
    """One alert per account and day with a crisis comment of at least crisis_min_likes likes (its first hour)."""
    if "likes" not in comments:
        return _empty_alerts()
    likes = pd.to_numeric(comments["likes"], errors="coerce")
    liked = comments[hit & (likes >= settings.crisis_min_likes)].assign(_likes=likes)
    if liked.empty:
        return _empty_alerts()
    liked = liked.assign(_day=liked["created_at"].dt.normalize())
    groups = liked.groupby(["account_id", "_day"], sort=True)
    first, most, count = groups["created_at"].min(), groups["_likes"].max(), groups.size()
    return pd.DataFrame({
        "account_id": first.index.get_level_values(0).astype("str"), "kind": "crisis_comment", "grain": "hour",
        "start": first.dt.floor("h").to_numpy(),
        "severity": np.where(most.to_numpy() >= 2 * settings.crisis_min_likes, "critical", "warning"),
        "observed": most.to_numpy(), "expected": np.nan, "z": np.nan, "negative": count.to_numpy(dtype="float64"),
        "comments": np.nan, "negative_share": np.nan,
    }).astype(_ALERT_DTYPES)


def crisis_baseline(daily: pd.DataFrame, days: int = 28, prior_comments: float = CRISIS_PRIOR_COMMENTS
                    ) -> pd.DataFrame:
    """Each day's expected crisis-keyword comments from the previous ``days`` days, its Poisson tail and z.

    ``daily`` is ``crisis_daily``. λ = (sum of the previous days + prior_comments) ÷ (days + 1): the
    window's rate with one pseudo-day holding ``prior_comments``, so a month without any crisis comment
    still expects a few a year rather than none (against λ = 0 a single comment would be infinitely
    surprising). p_value = P(X ≥ observed | λ), z = Φ⁻¹(1 − p). Days without ``days`` of history are not
    scored. Columns: account_id, start, crisis_comments, expected, p_value, z.
    """
    require_columns(daily, ["account_id", "start", "crisis_comments"], "crisis daily")
    parts = []
    for account_id, rows in daily.sort_values(["account_id", "start"]).groupby("account_id", sort=True):
        counts = rows["crisis_comments"].to_numpy(dtype="float64")
        expected = (_trailing_sum(counts, days) + prior_comments) / (days + 1)
        p_value, z = _poisson_tail(counts, expected)
        parts.append(pd.DataFrame({"account_id": account_id, "start": rows["start"].to_numpy(),
                                   "crisis_comments": counts, "expected": expected, "p_value": p_value, "z": z}))
    if not parts:
        return pd.DataFrame(columns=["account_id", "start", "crisis_comments", "expected", "p_value", "z"])
    return pd.concat(parts, ignore_index=True)


def crisis_alerts(comments: pd.DataFrame, settings: AlertSettings) -> pd.DataFrame:
    """Crisis alerts: a crisis-keyword comment with many likes (crisis_comment) and a day whose crisis-keyword
    comments surge (crisis_surge: ``crisis_baseline``'s z ≥ threshold with at least ``min_negative`` of them).

    Crisis comments are rare, most days have none, and the STL detector cannot fit a series of zeros (its
    robust weights need a non-zero median residual; a lone spike there is fitted as expected), so the surge
    is a Poisson test against the previous 7·weeks days. For crisis_surge, observed/expected/negative are
    crisis-comment counts; for crisis_comment, observed is the most likes and negative the number of such
    comments of the account that day.
    """
    require_columns(comments, ["account_id", "created_at", "text_masked"], "comments")
    timed = comments[pd.to_datetime(comments["created_at"]).notna()]
    hit = crisis_hits(timed, settings.crisis_keywords).map(bool)
    base = crisis_baseline(crisis_daily(timed, settings.crisis_keywords), 7 * settings.weeks)
    hits = base[(base["z"] >= settings.threshold) & (base["crisis_comments"] >= settings.min_negative)]
    surge = pd.DataFrame({
        "account_id": hits["account_id"].astype("str").to_numpy(), "kind": "crisis_surge", "grain": "day",
        "start": hits["start"].to_numpy(),
        "severity": np.where(hits["z"] >= 2 * settings.threshold, "critical", "warning"),
        "observed": hits["crisis_comments"].to_numpy(), "expected": hits["expected"].to_numpy(),
        "z": hits["z"].to_numpy(), "negative": hits["crisis_comments"].to_numpy(), "comments": np.nan,
        "negative_share": np.nan,
    }).astype(_ALERT_DTYPES)
    parts = [p for p in (surge, _liked_crisis(timed, hit, settings)) if not p.empty]
    alerts = _sorted(pd.concat(parts, ignore_index=True) if parts else _empty_alerts())
    alerts.attrs["scored"] = {"crisis_surge": int(base["z"].notna().sum())}
    return alerts


# --------------------------------------------------------------------------- SOP


def _is_open(risks: pd.DataFrame) -> pd.Series:
    """True where the status is not closed (a missing status counts as open), as the review reads it."""
    return ~risks["status"].astype("str").str.strip().str.lower().isin(CLOSED_STATUSES) | risks["status"].isna()


def _hours(risk: pd.Series, column: str, default: float) -> tuple[float, bool]:
    """The risk's hours in `column` (the default when the column or the value is missing) and whether defaulted."""
    value = pd.to_numeric(pd.Series([risk.get(column)]), errors="coerce").iloc[0]
    if pd.isna(value):
        return default, True
    if value <= 0:
        raise DataError(f"risks: {column} of risk {risk['risk_id']} must be a positive number of hours, got {value!r}.")
    return float(value), False


def _sop_risk(risks: pd.DataFrame, sop_risk_id: str | None) -> pd.Series | None:
    """The risk named by sop_risk_id, else the open 舆情 risk with the highest probability × impact (None if none)."""
    ids = risks["risk_id"].astype("str").str.strip()
    if sop_risk_id:
        chosen = risks[ids == str(sop_risk_id).strip()]
        if chosen.empty:
            raise ParameterError(f"Parameter sop_risk_id={sop_risk_id!r} is not a risk_id of the risks table; "
                                 f"use one of {sorted(ids)} or leave it empty (the open risk mentioning 舆情).")
        return chosen.iloc[0]
    candidates = risks[_is_open(risks) & risks["description"].astype("str").str.contains(SOP_MARKER, regex=False)]
    if candidates.empty:
        return None
    score = pd.to_numeric(candidates["probability"], errors="coerce") * pd.to_numeric(candidates["impact"],
                                                                                      errors="coerce")
    ranked = candidates.assign(_score=score.fillna(-1), _id=ids[candidates.index])
    return ranked.sort_values(["_score", "_id"], ascending=[False, True], kind="stable").iloc[0]


def response_sop(risks: pd.DataFrame | None, sop_risk_id: str | None = None) -> ResponseSop:
    """The response SOP from the risk register: owner and hours of the 舆情 risk, else METHODOLOGY §8's 24 h / 48 h.

    ``risks`` may be None (no register). The risk is ``sop_risk_id`` when given (ParameterError if
    absent), else the open risk whose description mentions 舆情 with the highest probability × impact
    (ties: lowest risk_id). respond_within_h and escalate_after_h are optional columns; a missing column
    or value takes the default and is named in ``defaults``. escalate_after_h below respond_within_h is
    a DataError (escalation counts from the alert's start, as the deadline does).
    """
    every = ("respond_within_h", "escalate_after_h")
    if risks is None or risks.empty:
        if sop_risk_id:
            raise ParameterError(f"Parameter sop_risk_id={sop_risk_id!r} names a risk, but there is no risks table.")
        return ResponseSop(None, DEFAULT_RESPOND_WITHIN_H, DEFAULT_ESCALATE_AFTER_H, None, every)
    require_columns(risks, ["risk_id", "description", "probability", "impact", "owner", "status"], "risks")
    risk = _sop_risk(risks, sop_risk_id)
    if risk is None:
        return ResponseSop(None, DEFAULT_RESPOND_WITHIN_H, DEFAULT_ESCALATE_AFTER_H, None, every)
    respond, respond_default = _hours(risk, "respond_within_h", DEFAULT_RESPOND_WITHIN_H)
    escalate, escalate_default = _hours(risk, "escalate_after_h", DEFAULT_ESCALATE_AFTER_H)
    if escalates_before_deadline(pd.Series([respond]), pd.Series([escalate])).iloc[0]:  # validate's check too
        raise DataError(f"risks: risk {risk['risk_id']} has escalate_after_h {escalate:g} below respond_within_h "
                        f"{respond:g}; both count from the alert's start, so escalation comes after the deadline.")
    owner = None if pd.isna(risk["owner"]) else str(risk["owner"]).strip()
    defaults = tuple(name for name, used in zip(every, (respond_default, escalate_default), strict=True) if used)
    return ResponseSop(owner, respond, escalate, str(risk["risk_id"]).strip(), defaults)


def apply_sop(alerts: pd.DataFrame, sop: ResponseSop, data_end: pd.Timestamp) -> pd.DataFrame:
    """Add owner, risk_id, deadline (start + respond_within_h), escalate_at (start + escalate_after_h) and
    status at ``data_end``: open (before the deadline), overdue (deadline passed), escalated (escalation passed)."""
    require_columns(alerts, ["start"], "alerts")
    out = alerts.copy()
    start = pd.to_datetime(out["start"])
    out["owner"] = sop.owner
    out["risk_id"] = sop.risk_id
    out["deadline"] = start + pd.Timedelta(hours=sop.respond_within_h)
    out["escalate_at"] = start + pd.Timedelta(hours=sop.escalate_after_h)
    end = pd.Timestamp(data_end)
    out["status"] = np.select([out["escalate_at"] <= end, out["deadline"] <= end], ["escalated", "overdue"],
                              default="open")
    return out


# --------------------------------------------------------------------------- comments behind an alert


class _Window(NamedTuple):
    """One account's relevant comments (original order) and their times sorted, to find a window by bisection."""

    rows: pd.DataFrame
    order: np.ndarray   # positions of rows by created_at (stable)
    times: np.ndarray   # created_at in that order


def _window_index(rows: pd.DataFrame) -> _Window:
    """The account's rows with their time order (a window is then two binary searches, not a scan)."""
    times = rows["created_at"].to_numpy()
    order = np.argsort(times, kind="stable")
    return _Window(rows, order, times[order])


def _behind(alert: pd.Series, by_account: dict[str, _Window], crisis: pd.Series) -> pd.DataFrame:
    """The comments behind one alert: the account's negative (or crisis-keyword) comments in its hour or day."""
    window = by_account.get(str(alert["account_id"]))
    if window is None:
        return pd.DataFrame()
    width = pd.Timedelta(hours=1) if alert["grain"] == "hour" else pd.Timedelta(days=1)
    if alert["kind"] == "crisis_comment":
        width = pd.Timedelta(days=1) - (alert["start"] - alert["start"].normalize())  # the rest of that day
    start = pd.Timestamp(alert["start"])
    lo, hi = np.searchsorted(window.times, [start.to_datetime64(), (start + width).to_datetime64()], side="left")
    inside = window.rows.iloc[np.sort(window.order[lo:hi])]  # start <= created_at < start + width, in row order
    wanted = crisis[inside.index] if str(alert["kind"]).startswith("crisis") else inside["sentiment"] == "negative"
    return inside[wanted.to_numpy(dtype=bool)]


def _top(behind: pd.DataFrame, n: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The n most-liked masked texts (missing likes last), the top themes and the top terms, if the columns exist."""
    if behind.empty:
        return (), (), ()
    likes = pd.to_numeric(behind["likes"], errors="coerce") if "likes" in behind else pd.Series(np.nan, behind.index)
    ranked = behind.assign(_likes=likes).sort_values(["_likes", "created_at"], ascending=[False, True],
                                                     na_position="last", kind="stable")
    texts = tuple(str(t) for t in ranked["text_masked"].fillna("").head(n))
    themes: tuple[str, ...] = ()
    if "theme" in behind:
        themes = tuple(str(t) for t in behind["theme"].dropna().value_counts(sort=True).head(n).index)
    terms: tuple[str, ...] = ()
    if "terms" in behind:
        counted = Counter(t for row in behind["terms"].dropna() for t in row)
        terms = tuple(t for t, _ in counted.most_common(5))
    return texts, themes, terms


def attach_comments(alerts: pd.DataFrame, comments: pd.DataFrame, keywords: Sequence[str], n: int) -> pd.DataFrame:
    """Add top_comments (the n most-liked masked texts behind each alert), top_themes and top_terms.

    Never a user id: only text_masked is read for display.
    """
    out = alerts.copy()
    wanted = comments["sentiment"].eq("negative") | crisis_hits(comments, keywords).map(bool)
    read = [c for c in ("account_id", "created_at", "sentiment", "likes", "text_masked", "theme", "terms")
            if c in comments.columns]  # only what _behind and _top read: each window is a small copy
    relevant = comments.loc[wanted.to_numpy(dtype=bool), read]
    crisis = crisis_hits(relevant, keywords).map(bool)
    by_account = {str(a): _window_index(rows) for a, rows in relevant.groupby("account_id", sort=False)}
    tops = [_top(_behind(alert, by_account, crisis), n) for _, alert in out.iterrows()]
    out["top_comments"] = pd.Series([t[0] for t in tops], index=out.index, dtype="object")
    out["top_themes"] = pd.Series([t[1] for t in tops], index=out.index, dtype="object")
    out["top_terms"] = pd.Series([t[2] for t in tops], index=out.index, dtype="object")
    return out


# --------------------------------------------------------------------------- calibration and the whole run


def calibration(scored: dict[str, int], alerts: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per kind: days or hours scored, alerts raised on that history, their rate, the one-sided false-alarm rate
    an ordinary day or hour has (false_alarm_rate(threshold) ÷ 2) and the false alarms to expect."""
    rate = false_alarm_rate(threshold) / 2
    rows = [{"kind": kind, "scored": n, "alerts": int((alerts["kind"] == kind).sum()) if len(alerts) else 0,
             "expected_rate": rate, "expected_false_alarms": n * rate} for kind, n in scored.items()]
    frame = pd.DataFrame(rows, columns=["kind", "scored", "alerts", "expected_rate", "expected_false_alarms"])
    frame["alert_rate"] = frame["alerts"] / frame["scored"].where(frame["scored"] > 0)
    return frame


def _require_comments(comments: pd.DataFrame) -> None:
    require_columns(comments, ["comment_id", "account_id", "created_at", "text_masked", "sentiment"], "comments",
                    "Clean (text_masked) and score (sentiment) the comments first.")


def early_warning(comments: pd.DataFrame, risks: pd.DataFrame | None, settings: AlertSettings,
                  sop_risk_id: str | None = None) -> EarlyWarning:
    """Every alert of the comments (daily, hourly, crisis), with the comments behind it and the SOP's deadlines.

    ``alerts`` columns: account_id, kind, grain, start, severity, observed, expected, z, negative,
    comments, negative_share, top_comments, top_themes, top_terms, owner, risk_id, deadline, escalate_at,
    status (at the data's end: the last comment's time). Most severe first.
    """
    _require_comments(comments)
    timed = comments[pd.to_datetime(comments["created_at"]).notna()]
    daily, hourly = negative_volume(timed, "day"), negative_volume(timed, "hour")
    found = [daily_alerts(daily, settings), hourly_alerts(hourly, settings), crisis_alerts(timed, settings)]
    alerts = _sorted(pd.concat([f for f in found if not f.empty] or [_empty_alerts()], ignore_index=True))
    scored = {k: v for f in found for k, v in f.attrs["scored"].items()}
    skipped = tuple(s for f in found for s in f.attrs.get("skipped", []))
    sop = response_sop(risks, sop_risk_id)
    data_end = pd.Timestamp(timed["created_at"].max()) if len(timed) else pd.NaT
    alerts = attach_comments(alerts, timed, settings.crisis_keywords, settings.top_n)
    alerts = apply_sop(alerts, sop, data_end)
    return EarlyWarning(alerts=alerts, hourly=hourly, daily=daily,
                        crisis=crisis_daily(timed, settings.crisis_keywords),
                        calibration=calibration(scored, alerts, settings.threshold), sop=sop, data_end=data_end,
                        skipped=skipped)


# --------------------------------------------------------------------------- reply times

#: Sources a brand answers (a danmaku cannot be replied to; a survey answer is not answered in public).
REPLY_SOURCES: tuple[str, ...] = ("comment", "reply", "dm")
_REPLY_COLUMNS: tuple[str, ...] = ("replied_at", "replied_by_brand")


def has_reply_data(comments: pd.DataFrame) -> bool:
    """Whether the export has reply columns at all (then a missing replied_at means not answered)."""
    return any(c in comments.columns for c in _REPLY_COLUMNS)


def _reply_hours(comments: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Whether the brand answered each comment, and after how many hours (missing without replied_at).

    The reading is `data.reply_hours`, which `opsbook validate` runs too; a reply before its comment refuses.
    """
    answered, hours = reply_hours(comments)
    early = hours < 0
    if early.any():
        ids = comments.loc[early, "comment_id"].astype("str").head(5).tolist()
        raise DataError(f"comments: replied_at is before created_at for comment_id {ids} ({int(early.sum())} "
                        "row(s)); fix the export's reply times.")
    return answered, hours


def _reply_row(rows: pd.DataFrame, answered: pd.Series, hours: pd.Series, age: pd.Series, known: bool) -> dict:
    """The reply figures of one group of comments (all NaN but the count without reply data)."""
    row: dict[str, float | int | bool] = {"comments": len(rows), "reply_data": known}
    if not known:
        return row
    for h in (24, 48):
        judged = age >= h
        row[f"judged_{h}h"] = int(judged.sum())
        row[f"within_{h}h"] = int((judged & answered & (hours <= h)).sum())
    judged = age >= 48
    row["unanswered_48h"] = int((judged & ~answered).sum())
    row["replied"] = int(hours.notna().sum())
    row["median_hours_to_reply"] = float(hours.median()) if row["replied"] else np.nan
    return row


def response_times(comments: pd.DataFrame, end: pd.Timestamp | None = None, by: Sequence[str] = ("account_id",),
                   sources: Sequence[str] = REPLY_SOURCES) -> pd.DataFrame:
    """How fast the brand answers, per group of ``by`` and subset: "all" comments and "complaints" (negative).

    A comment is judged for the 24 h (48 h) share only when it is at least 24 h (48 h) old at ``end``
    (default: the data's end, the latest created_at or replied_at): a comment 3 h old is not unanswered.
    Columns: by..., subset, reply_data, comments, judged_24h, within_24h, share_within_24h, judged_48h,
    within_48h, share_within_48h, unanswered_48h (not answered by the end, of those judged at 48 h),
    share_unanswered_48h, replied, median_hours_to_reply (over the answered comments with a reply time:
    a median of those answered so far). Without reply columns every figure but the count is missing and
    reply_data is False ("no reply data", never 0 %). Comments of other ``sources`` are left out.
    """
    require_columns(comments, ["comment_id", "created_at", "sentiment", *by], "comments")
    rows = comments[comments["source"].isin(sources)] if "source" in comments else comments
    rows = rows[pd.to_datetime(rows["created_at"]).notna()]
    known = has_reply_data(rows)
    answered, hours = _reply_hours(rows)
    created = pd.to_datetime(rows["created_at"])
    if end is None:
        replied = pd.to_datetime(rows["replied_at"]).max() if "replied_at" in rows else pd.NaT
        end = max(created.max(), replied) if pd.notna(replied) else created.max()
    age = (pd.Timestamp(end) - created) / pd.Timedelta(hours=1)
    complaint = rows["sentiment"] == "negative"
    records = []
    groups = rows.groupby(list(by), sort=True) if by else [((), rows)]
    for key, group in groups:
        keys = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        for subset, mask in (("all", pd.Series(True, index=group.index)), ("complaints", complaint[group.index])):
            part = group.index[mask.to_numpy(dtype=bool)]
            records.append({**keys, "subset": subset,
                            **_reply_row(group.loc[part], answered[part], hours[part], age[part], known)})
    return _reply_shares(pd.DataFrame(records), list(by))


def _reply_shares(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Shares from the counts (missing where nothing was judged or there is no reply data), in a fixed column order."""
    counts = ["judged_24h", "within_24h", "judged_48h", "within_48h", "unanswered_48h", "replied",
              "median_hours_to_reply"]
    for column in counts:
        if column not in frame:
            frame[column] = np.nan
    for share, (part, whole) in {"share_within_24h": ("within_24h", "judged_24h"),
                                 "share_within_48h": ("within_48h", "judged_48h"),
                                 "share_unanswered_48h": ("unanswered_48h", "judged_48h")}.items():
        frame[share] = frame[part] / frame[whole].where(frame[whole] > 0)
    columns = [*by, "subset", "reply_data", "comments", "judged_24h", "within_24h", "share_within_24h", "judged_48h",
               "within_48h", "share_within_48h", "unanswered_48h", "share_unanswered_48h", "replied",
               "median_hours_to_reply"]
    return frame[columns]


# --------------------------------------------------------------------------- incidents

#: Alerts of one account closer than this (hours from one alert's start to the next) form one incident.
INCIDENT_GAP_H: float = 24.0
_SEVERITY_RANK = {"critical": 2, "warning": 1}


def incidents(warning: EarlyWarning, comments: pd.DataFrame, gap_h: float = INCIDENT_GAP_H) -> pd.DataFrame:
    """A run's alerts grouped into incidents (one account, alerts ≤ gap_h apart) and how the brand responded.

    ``comments`` are the cleaned, scored comments the alerts were raised on (created_at, account_id,
    sentiment; replied_at and replied_by_brand when the export has them).

    Per incident: account_id, start, end (the last alert's hour or day end), alerts, severity (the
    worst), kinds, negative (negative comments of the account from start to end), top_comments (of
    its most severe alert), owner, risk_id, deadline (start + respond_within_h), escalate_at, and
    the response seen in the data: first_reply_h (hours from the start to the brand's first reply to
    one of those negative comments), answered_24h (share of them each answered within respond_within_h
    of being posted), response: "in_time" (a first reply before the deadline), "late" (after it),
    "none" (no reply by the data's end), "no_reply_data" (the export has no replied_at column).
    """
    alerts = warning.alerts
    columns = ["account_id", "start", "end", "alerts", "severity", "kinds", "negative", "top_comments", "owner",
               "risk_id", "deadline", "escalate_at", "first_reply_h", "answered_24h", "response"]
    if alerts.empty:
        return pd.DataFrame(columns=columns)
    frame = alerts.assign(start=pd.to_datetime(alerts["start"]))
    frame["until"] = frame["start"] + pd.to_timedelta(np.where(frame["grain"] == "hour", 1, 24), unit="h")
    frame = frame.sort_values(["account_id", "start"], kind="stable")
    gap = frame.groupby("account_id")["start"].diff() > pd.Timedelta(hours=gap_h)
    frame["incident"] = (gap | frame["account_id"].ne(frame["account_id"].shift())).cumsum()
    sop = warning.sop
    known = "replied_at" in comments.columns  # reply times need the time; replied_by_brand alone cannot say when
    rows = []
    for _, group in frame.groupby("incident", sort=False):
        worst = group.assign(_rank=group["severity"].map(_SEVERITY_RANK)).sort_values(
            ["_rank", "z"], ascending=[False, False], kind="stable").iloc[0]
        start, end = group["start"].min(), group["until"].max()
        account = str(group["account_id"].iloc[0])
        inside = comments[(comments["account_id"] == account) & (comments["created_at"] >= start)
                          & (comments["created_at"] < end) & (comments["sentiment"] == "negative")]
        deadline = start + pd.Timedelta(hours=sop.respond_within_h)
        first_reply_h, answered, response = _response(inside, start, sop.respond_within_h, known)
        rows.append({"account_id": account, "start": start, "end": end, "alerts": len(group),
                     "severity": worst["severity"], "kinds": tuple(dict.fromkeys(group["kind"])),
                     "negative": len(inside), "top_comments": worst["top_comments"], "owner": sop.owner,
                     "risk_id": sop.risk_id, "deadline": deadline,
                     "escalate_at": start + pd.Timedelta(hours=sop.escalate_after_h),
                     "first_reply_h": first_reply_h, "answered_24h": answered, "response": response})
    out = pd.DataFrame(rows, columns=columns)
    rank = out["severity"].map(_SEVERITY_RANK)
    return out.assign(_rank=rank).sort_values(["_rank", "negative"], ascending=[False, False],
                                             kind="stable").drop(columns="_rank").reset_index(drop=True)


def _response(complaints: pd.DataFrame, start: pd.Timestamp, within_h: float, known: bool
              ) -> tuple[float, float, str]:
    """(hours from the start to the brand's first reply, share of the complaints each answered within within_h
    of being posted, response code: in_time when the first reply came within within_h of the start)."""
    if not known:
        return float("nan"), float("nan"), "no_reply_data"
    if complaints.empty:
        return float("nan"), float("nan"), "none"
    replied = pd.to_datetime(complaints["replied_at"])
    if "replied_by_brand" in complaints:  # a reply time the export marks as not the brand's is not an answer
        replied = replied.where(complaints["replied_by_brand"].astype("boolean").fillna(True).to_numpy(dtype=bool))
    waited = (replied - complaints["created_at"]) / pd.Timedelta(hours=1)
    answered = float((waited <= within_h).mean())
    first = replied.min()
    if pd.isna(first):
        return float("nan"), answered, "none"
    hours = float((first - start) / pd.Timedelta(hours=1))
    return hours, answered, "in_time" if hours <= within_h else "late"
