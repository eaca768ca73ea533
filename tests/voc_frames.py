"""Hand-made voice-of-the-customer inputs for the analysis and findings tests: a run, a Feedback, replies.

Every frame holds exactly the columns the function under test reads; nothing is computed by the code
under test here (periods and labels are written out).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from helpers.periods import ReviewPeriod
from helpers.voc.alerts import ResponseSop
from helpers.voc.analysis import Feedback
from helpers.voc.clean import REASONS, CleanResult
from helpers.voc.session import VocParameters, VocRun

T = pd.Timestamp
MARCH = ReviewPeriod("month", "2026-03", T("2026-03-01"), T("2026-03-31"))
FEBRUARY = ReviewPeriod("month", "2026-02", T("2026-02-01"), T("2026-02-28"))
SOP_DEFAULT = ResponseSop(None, 24.0, 48.0, None, ("respond_within_h", "escalate_after_h"))


def settings(**changes: object) -> VocParameters:
    """The notebook's default parameters for accounts a1 and a2 (changes override)."""
    values: dict[str, object] = dict(
        data_dir=Path("/tmp/voc-data"), account_ids=("a1", "a2"),
        sources=("comment", "reply", "dm", "survey", "danmaku"),
        brand_user_ids=(), user_terms=("青柠生活",), stop_words=(), sentiment_method="auto", n_themes=None,
        spam_min_users=5, alert_threshold=3.5, crisis_keywords=("投诉", "退款"), sop_risk_id="", topic_pillar="教程",
        topic_format="short_video", top_n=10)
    values.update(changes)
    return VocParameters(**values)  # type: ignore[arg-type]


def accounts() -> pd.DataFrame:
    """Two accounts of one brand on two platforms."""
    return pd.DataFrame({"account_id": ["a1", "a2"], "name": ["青柠·抖音", "青柠·小红书"],
                         "platform": ["douyin", "xiaohongshu"]})


def run(comments: pd.DataFrame | None = None, period: ReviewPeriod = MARCH, previous: ReviewPeriod = FEBRUARY,
        tables: dict[str, pd.DataFrame] | None = None, **changes: object) -> VocRun:
    """A VocRun over hand-made tables (accounts a1, a2 unless ``tables`` gives others)."""
    every = {"accounts": accounts()} | (tables or {})
    frame = comments if comments is not None else pd.DataFrame({"created_at": pd.to_datetime([])})
    return VocRun(period=period, previous=previous, settings=settings(**changes), lang="en", tables=every,
                  comments=frame)


def scored(rows: Sequence[tuple], columns: Sequence[str] = ("account_id", "created_at", "sentiment")) -> pd.DataFrame:
    """Kept, scored comments from tuples: comment ids c0, c1, …, method "model", text = text_masked = "t<i>"."""
    frame = pd.DataFrame(list(rows), columns=list(columns))
    frame.insert(0, "comment_id", [f"c{i}" for i in range(len(frame))])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    if "text_masked" not in frame:
        frame["text_masked"] = [f"t{i}" for i in range(len(frame))]
    if "text" not in frame:
        frame["text"] = frame["text_masked"]
    for name, value in (("source", "comment"), ("sentiment_method", "model"), ("language", "zh")):
        if name not in frame:
            frame[name] = value
    if "platform" not in frame:
        frame["platform"] = frame["account_id"].map({"a1": "douyin", "a2": "xiaohongshu"})
    if "period" not in frame:
        frame["period"] = frame["created_at"].dt.strftime("%Y-%m")
    if "campaign" not in frame:
        frame["campaign"] = ""
    if "terms" not in frame:
        frame["terms"] = [[] for _ in range(len(frame))]
    return frame


def feedback(comments: pd.DataFrame, removed: pd.DataFrame | None = None, brand_rows: int = 0,
             brand_rows_now: int = 0, period: ReviewPeriod = MARCH, previous: ReviewPeriod = FEBRUARY) -> Feedback:
    """A Feedback built directly from kept comments and removed rows (created_at, reason)."""
    gone = removed if removed is not None else pd.DataFrame({"created_at": pd.to_datetime([]), "reason": []})
    counts = pd.DataFrame({"reason": list(REASONS), "rows": [int((gone["reason"] == r).sum()) for r in REASONS]})
    cleaned = CleanResult(comments=comments, removed=gone, counts=counts, bots=pd.DataFrame())
    return Feedback(comments, cleaned, brand_rows, brand_rows_now, period, previous)


def replies(share: float | None, within: int = 0, judged: int = 0, unanswered: int = 0, median: float = float("nan"),
            reply_data: bool = True) -> pd.DataFrame:
    """A reply_times table with only the all-accounts complaints row filled by hand (the row the lines read)."""
    row = {"account_id": "all", "subset": "complaints", "reply_data": reply_data, "comments": judged,
           "judged_24h": judged if reply_data else float("nan"), "within_24h": within if reply_data else float("nan"),
           "share_within_24h": share, "judged_48h": judged if reply_data else float("nan"),
           "within_48h": within if reply_data else float("nan"), "share_within_48h": share,
           "unanswered_48h": unanswered if reply_data else float("nan"),
           "share_unanswered_48h": unanswered / judged if reply_data and judged else float("nan"),
           "replied": within if reply_data else float("nan"), "median_hours_to_reply": median}
    return pd.DataFrame([row])
