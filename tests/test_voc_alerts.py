"""helpers.voc.alerts: 舆情 early warning, the response SOP and reply times, on hand-made frames.

Expectations are worked out by hand in each test (grids, Poisson tails with math.exp, deadlines,
reply shares) or are planted facts (the spike day); none restates the code's own output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.anomaly import false_alarm_rate
from helpers.errors import DataError, ParameterError
from helpers.review.risks import CLOSED_STATUSES as REVIEW_CLOSED
from helpers.voc import alerts as va

T = pd.Timestamp


def comments_frame(rows: list[tuple], **extra: list) -> pd.DataFrame:
    """(account_id, created_at, sentiment, likes, text_masked) rows as a cleaned, scored comments frame."""
    frame = pd.DataFrame(rows, columns=["account_id", "created_at", "sentiment", "likes", "text_masked"])
    frame.insert(0, "comment_id", [f"c{i}" for i in range(len(frame))])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    frame["source"] = "comment"
    for name, values in extra.items():
        frame[name] = values
    return frame


def daily_counts(account: str, first: str, negatives: list[int], neutral: int = 10) -> list[tuple]:
    """Rows for a series of days: `negatives[d]` negative comments and `neutral` neutral ones on day d, at 12:00."""
    rows = []
    for d, n in enumerate(negatives):
        day = T(first) + pd.Timedelta(days=d, hours=12)
        rows += [(account, day, "negative", 0, f"差评{d}-{i}") for i in range(n)]
        rows += [(account, day, "neutral", 0, "还行") for _ in range(neutral)]
    return rows


# --------------------------------------------------------------------------- volume grid


def test_hourly_grid_fills_empty_hours_with_zero_and_leaves_share_missing() -> None:
    frame = comments_frame([
        ("a", "2026-03-01 10:05", "negative", 1, "x"), ("a", "2026-03-01 10:40", "positive", 0, "y"),
        ("a", "2026-03-01 12:10", "negative", 0, "z"), ("b", "2026-03-01 11:00", "neutral", 0, "w"),
    ])
    grid = va.negative_volume(frame, "hour")
    a = grid[grid["account_id"] == "a"].set_index("start")
    b = grid[grid["account_id"] == "b"].set_index("start")
    hours = [T("2026-03-01 10:00"), T("2026-03-01 11:00"), T("2026-03-01 12:00")]
    assert list(a.index) == hours and list(b.index) == hours
    assert a["comments"].tolist() == [2, 0, 1] and a["negative"].tolist() == [1, 0, 1]
    assert a.loc[hours[0], "negative_share"] == 0.5 and a.loc[hours[2], "negative_share"] == 1.0
    assert np.isnan(a.loc[hours[1], "negative_share"])  # no comments: missing, not 0
    assert b["comments"].tolist() == [0, 1, 0] and b.loc[hours[1], "negative_share"] == 0.0


def test_unscored_comments_count_but_not_in_the_share() -> None:
    frame = comments_frame([("a", "2026-03-01 10:05", "negative", 0, "x"), ("a", "2026-03-01 10:10", None, 0, "🙂"),
                            ("a", "2026-03-01 10:20", "neutral", 0, "y")])
    row = va.negative_volume(frame, "day").iloc[0]
    assert (row["comments"], row["scored"], row["negative"]) == (3, 2, 1)
    assert row["negative_share"] == 0.5  # 1 of the 2 scored, not 1 of 3


def test_grid_is_naive_local_time_with_24_hours_on_dst_days() -> None:
    # 2026-03-08 and 2026-11-01 are DST changes in the US; local naive times know none: 24 hours each day.
    frame = comments_frame([("a", "2026-03-08 00:10", "negative", 0, "x"),
                            ("a", "2026-03-08 02:30", "negative", 0, "y"),
                            ("a", "2026-11-01 23:50", "neutral", 0, "z")])
    grid = va.negative_volume(frame, "hour")
    per_day = grid.groupby(grid["start"].dt.normalize()).size()
    assert (per_day == 24).all()
    assert len(per_day) == (T("2026-11-01") - T("2026-03-08")).days + 1
    assert grid.loc[grid["start"] == T("2026-03-08 02:00"), "negative"].item() == 1


def test_bad_grain_and_missing_columns() -> None:
    frame = comments_frame([("a", "2026-03-01 10:05", "negative", 0, "x")])
    with pytest.raises(ParameterError, match="grain"):
        va.negative_volume(frame, "week")
    with pytest.raises(DataError, match="sentiment"):
        va.negative_volume(frame.drop(columns="sentiment"), "day")


# --------------------------------------------------------------------------- daily alerts


def _noisy_negatives(days: int, seed: int, base: float = 6.0) -> list[int]:
    """Poisson negatives with a weekly pattern (weekends × 1.5), fixed seed."""
    rng = np.random.default_rng(seed)
    weekly = np.array([1, 1, 1, 1, 1, 1.5, 1.5])
    return [int(x) for x in rng.poisson(base * weekly[np.arange(days) % 7])]


def test_daily_spike_is_found_and_a_quiet_series_raises_nothing() -> None:
    spiked = _noisy_negatives(70, seed=1)
    spiked[63] = 60  # the planted spike: 2026-01-01 + 63 days = 2026-03-05
    rows = daily_counts("spiky", "2026-01-01", spiked, neutral=20)
    rows += daily_counts("quiet", "2026-01-01", _noisy_negatives(70, 2), neutral=20)
    daily = va.negative_volume(comments_frame(rows), "day")
    found = va.daily_alerts(daily, va.AlertSettings())
    volume = found[found["kind"] == "negative_volume"]
    assert volume[["account_id", "start"]].values.tolist() == [["spiky", T("2026-03-05")]]
    assert volume["severity"].item() in ("warning", "critical") and volume["negative"].item() == 60
    assert volume["expected"].item() < 15  # the baseline is the ordinary ~6–9 a day, not the spike
    assert "quiet" not in set(found["account_id"])
    share = found[found["kind"] == "negative_share"]
    assert share["start"].tolist() == [T("2026-03-05")]  # 60 of 80 against ~6 of 26
    assert share["negative_share"].item() == pytest.approx(60 / 80)


def test_a_drop_in_negatives_never_alerts() -> None:
    series = _noisy_negatives(70, seed=3, base=20)
    series[63] = 0  # far below expected: good news, not an alert
    daily = va.negative_volume(comments_frame(daily_counts("a", "2026-01-01", series)), "day")
    assert va.daily_alerts(daily, va.AlertSettings()).empty


def test_share_needs_the_minimum_count_and_volume_the_minimum_negatives() -> None:
    # Days with 1 neutral comment; one day 2 negatives + 0 neutral: share 100 % on 2 comments, volume 2 on ~0.
    rows = daily_counts("a", "2026-01-01", [0] * 70, neutral=1)
    rows += [("a", T("2026-03-05 09:00"), "negative", 0, "差") for _ in range(2)]
    daily = va.negative_volume(comments_frame(rows), "day")
    found = va.daily_alerts(daily, va.AlertSettings(min_share_comments=20, min_negative=3))
    assert found.empty  # 3 scored comments < 20: share not scored; 2 negatives < 3: no volume alert
    lax = va.daily_alerts(daily, va.AlertSettings(min_share_comments=1, min_negative=2))
    assert set(lax["kind"]) == {"negative_volume", "negative_share"}


def test_short_history_is_skipped_and_said() -> None:
    daily = va.negative_volume(comments_frame(daily_counts("a", "2026-01-01", [3] * 10)), "day")
    found = va.daily_alerts(daily, va.AlertSettings())
    assert found.empty
    assert found.attrs["skipped"][0]["account_id"] == "a" and "28" in found.attrs["skipped"][0]["reason"]


# --------------------------------------------------------------------------- hourly alerts


def _hourly_rows(days: int, hour_counts: dict[int, int], last_day: dict[int, int]) -> list[tuple]:
    """Negatives at fixed hours on every day, and other counts on the last day (minute 30)."""
    rows = []
    for d in range(days):
        counts = last_day if d == days - 1 else hour_counts
        for hour, n in counts.items():
            at = T("2026-02-01") + pd.Timedelta(days=d, hours=hour, minutes=30)
            rows += [("a", at, "negative", 0, f"h{hour}-{i}") for i in range(n)]
    return rows


def test_hourly_binomial_baseline_by_hand() -> None:
    # 28 days with 1 negative at 14:00 among 5 comments (4 neutral); day 29 has 8 negatives among 10 at 14:00.
    rows = []
    for d in range(29):
        at = T("2026-02-01") + pd.Timedelta(days=d, hours=14, minutes=30)
        negatives, others = (8, 2) if d == 28 else (1, 4)
        rows += [("a", at, "negative", 0, f"n{d}-{i}") for i in range(negatives)]
        rows += [("a", at, "neutral", 0, f"o{d}-{i}") for i in range(others)]
    hourly = va.negative_volume(comments_frame(rows), "hour")
    scored = va.hourly_baseline(hourly, weeks=4)
    # The previous 672 hours (02-01 14:00 to 03-01 13:00) hold 28 negatives among 140 scored: p0 = 0.2.
    at = scored.set_index("start").loc[T("2026-03-01 14:00")]
    assert at["expected"] == pytest.approx(10 * 0.2)
    tail = sum(math.comb(10, k) * 0.2 ** k * 0.8 ** (10 - k) for k in range(8, 11))  # P(X ≥ 8 | n 10, p 0.2)
    assert at["p_value"] == pytest.approx(tail, rel=1e-9)
    assert at["z"] == pytest.approx(stats.norm.isf(tail))
    assert scored[scored["start"] < T("2026-03-01")]["z"].isna().all()  # no 4 weeks of history yet: not scored
    found = va.hourly_alerts(hourly, va.AlertSettings(min_negative=3))
    assert found[["start", "negative"]].values.tolist() == [[T("2026-03-01 14:00"), 8]]


def test_a_burst_of_comments_with_the_usual_share_of_complaints_does_not_alert() -> None:
    # A new post brings 50 comments in one hour, 10 of them negative: the usual 20 %. Not 舆情.
    rows = []
    for d in range(29):
        at = T("2026-02-01") + pd.Timedelta(days=d, hours=14, minutes=30)
        negatives, others = (10, 40) if d == 28 else (1, 4)
        rows += [("a", at, "negative", 0, f"n{d}-{i}") for i in range(negatives)]
        rows += [("a", at, "neutral", 0, f"o{d}-{i}") for i in range(others)]
    hourly = va.negative_volume(comments_frame(rows), "hour")
    assert va.hourly_alerts(hourly, va.AlertSettings(min_negative=3)).empty


def test_hourly_false_alarm_rate_on_binomial_noise_stays_below_the_stated_rate() -> None:
    rng = np.random.default_rng(7)
    hours = pd.date_range("2026-01-01", periods=24 * 7 * 12, freq="h")
    frames = []
    for account in "abcd":
        comments = rng.poisson(10.0, len(hours))
        frames.append(pd.DataFrame({"account_id": account, "start": hours, "comments": comments, "scored": comments,
                                    "negative": rng.binomial(comments, 0.2)}))
    grid = pd.concat(frames, ignore_index=True)
    grid["negative_share"] = grid["negative"] / grid["scored"]
    settings = va.AlertSettings(threshold=2.5, min_negative=1)
    scored = va.hourly_baseline(grid, weeks=4)
    n_scored = int(scored["z"].notna().sum())
    assert n_scored == 4 * (len(hours) - 4 * 7 * 24)
    found = va.hourly_alerts(grid, settings)
    stated = false_alarm_rate(2.5) / 2  # one-sided: only more negatives alert
    # A discrete count reaches the tail in steps, so the rate sits at or a little under the stated one.
    assert 0.3 * stated <= len(found) / n_scored <= 2 * stated


# --------------------------------------------------------------------------- crisis keywords


def test_crisis_keywords_are_matched_and_counted_per_day() -> None:
    frame = comments_frame([
        ("a", "2026-03-01 10:00", "negative", 5, "我要投诉，退款！"), ("a", "2026-03-01 11:00", "neutral", 0, "好用"),
        ("a", "2026-03-02 09:00", "negative", 1, "打了12315"), ("b", "2026-03-01 08:00", "negative", 0, "有点贵"),
    ])
    hits = va.crisis_hits(frame, ("投诉", "退款", "12315", "假货"))
    assert hits.tolist() == [("投诉", "退款"), (), ("12315",), ()]
    daily = va.crisis_daily(frame, ("投诉", "退款", "12315"))
    a = daily[daily["account_id"] == "a"].set_index("start")["crisis_comments"]
    assert a.to_dict() == {T("2026-03-01"): 1, T("2026-03-02"): 1}
    assert daily.loc[daily["account_id"] == "b", "crisis_comments"].tolist() == [0, 0]


def test_a_liked_crisis_comment_and_a_surge_alert() -> None:
    rows = daily_counts("a", "2026-01-01", _noisy_negatives(70, seed=4))
    rows += [("a", T("2026-03-05 20:15"), "negative", 350, "过敏烂脸了，要求退款")]  # one liked crisis comment
    rows += [("a", T("2026-03-08 10:00") + pd.Timedelta(minutes=i), "negative", 0, f"假货吧{i}") for i in range(25)]
    settings = va.AlertSettings(crisis_min_likes=100)
    found = va.crisis_alerts(comments_frame(rows), settings)
    liked = found[found["kind"] == "crisis_comment"]
    assert liked[["start", "observed", "severity"]].values.tolist() == [[T("2026-03-05 20:00"), 350.0, "critical"]]
    surge = found[found["kind"] == "crisis_surge"]
    assert surge["start"].tolist() == [T("2026-03-08")] and surge["negative"].item() == 25
    # The previous 28 days hold 1 crisis comment (03-05); one pseudo-day with 1 more: λ = 2 / 29.
    assert surge["expected"].item() == pytest.approx(2 / 29)


# --------------------------------------------------------------------------- SOP


def risks_table(**columns: list) -> pd.DataFrame:
    base = pd.DataFrame({
        "risk_id": ["R1", "R2", "R3", "R4"],
        "category": ["content"] * 4,
        "description": ["违禁词限流", "负面舆情发酵", "舆情危机（已处置）", "达人虚假测评引发负面舆情"],
        "probability": [0.3, 0.2, 0.9, 0.5],
        "impact": [4, 4, 5, 4],
        "owner": ["内容主编", "公关经理", "品牌总监", "KOL经理"],
        "mitigation": ["审核"] * 4,
        "status": ["open", "open", "closed", "monitoring"],
    })
    return base.assign(**columns)


def test_closed_statuses_match_the_review() -> None:
    assert va.CLOSED_STATUSES == REVIEW_CLOSED


def test_sop_picks_the_open_public_opinion_risk_with_the_highest_score() -> None:
    sop = va.response_sop(risks_table(respond_within_h=[24, 12, 6, 8], escalate_after_h=[48, 36, 12, 30]))
    # R3 mentions 舆情 but is closed; R2 scores 0.2 × 4 = 0.8, R4 0.5 × 4 = 2.0: R4.
    assert sop == va.ResponseSop(owner="KOL经理", respond_within_h=8.0, escalate_after_h=30.0, risk_id="R4",
                                 defaults=())


def test_sop_by_id_and_defaults_from_the_methodology() -> None:
    chosen = va.response_sop(risks_table(), sop_risk_id="R2")
    assert (chosen.owner, chosen.risk_id) == ("公关经理", "R2")
    assert (chosen.respond_within_h, chosen.escalate_after_h) == (24, 48)
    assert chosen.defaults == ("respond_within_h", "escalate_after_h")
    partly = va.response_sop(risks_table(respond_within_h=[None, 6, None, None]), sop_risk_id="R2")
    assert (partly.respond_within_h, partly.escalate_after_h, partly.defaults) == (6, 48, ("escalate_after_h",))
    none = va.response_sop(risks_table(description=["a", "b", "c", "d"]))
    assert (none.owner, none.risk_id, none.respond_within_h, none.escalate_after_h) == (None, None, 24, 48)
    assert va.response_sop(None).risk_id is None
    with pytest.raises(ParameterError, match="sop_risk_id"):
        va.response_sop(risks_table(), sop_risk_id="R9")
    with pytest.raises(DataError, match="escalate_after_h"):
        va.response_sop(risks_table(respond_within_h=[24, 48, 24, 24], escalate_after_h=[48, 24, 48, 48]),
                        sop_risk_id="R2")


def test_deadlines_and_status_at_the_data_end() -> None:
    sop = va.ResponseSop(owner="公关经理", respond_within_h=12, escalate_after_h=36, risk_id="R2", defaults=())
    alerts = pd.DataFrame({"account_id": ["a", "a", "b"],
                           "start": [T("2026-03-10 14:00"), T("2026-03-11 00:00"), T("2026-03-09 20:00")]})
    out = va.apply_sop(alerts, sop, data_end=T("2026-03-11 10:00"))
    # a/1: deadline 03-11 02:00 (passed), escalation 03-12 02:00 (not yet) → overdue
    # a/2: deadline 03-11 12:00 (not yet) → open; b: escalation 03-11 08:00 (passed) → escalated
    assert out["deadline"].tolist() == [T("2026-03-11 02:00"), T("2026-03-11 12:00"), T("2026-03-10 08:00")]
    assert out["escalate_at"].tolist() == [T("2026-03-12 02:00"), T("2026-03-12 12:00"), T("2026-03-11 08:00")]
    assert out["status"].tolist() == ["overdue", "open", "escalated"]
    assert out["owner"].tolist() == ["公关经理"] * 3 and out["risk_id"].tolist() == ["R2"] * 3


# --------------------------------------------------------------------------- the whole alert list


def test_early_warning_lists_alerts_with_top_comments_and_sop() -> None:
    spiked = _noisy_negatives(70, seed=1)
    spiked[63] = 0
    rows = daily_counts("a", "2026-01-01", spiked)
    behind = [("a", T("2026-03-05 09:00") + pd.Timedelta(minutes=i), "negative", likes, f"物流太慢{i}")
              for i, likes in enumerate([3, 40, 0, 12] + [1] * 56)]
    frame = comments_frame(rows + behind)
    frame["user_id"] = "u-secret"
    frame["theme"] = np.where(frame["text_masked"].str.startswith("物流"), "logistics", "other")
    run = va.early_warning(frame, risks_table(), va.AlertSettings(top_n=3))
    alert = run.alerts[(run.alerts["kind"] == "negative_volume")].iloc[0]
    assert alert["start"] == T("2026-03-05")
    assert list(alert["top_comments"]) == ["物流太慢1", "物流太慢3", "物流太慢0"]  # by likes: 40, 12, 3
    assert alert["top_themes"] == ("logistics",)
    assert alert["owner"] == "KOL经理" and alert["deadline"] == T("2026-03-06")  # default 24 h from 03-05 00:00
    assert not run.alerts.astype(str).apply(lambda c: c.str.contains("u-secret")).any().any()
    assert run.sop.defaults == ("respond_within_h", "escalate_after_h")
    cal = run.calibration.set_index("kind")
    assert cal.loc["negative_volume", "expected_rate"] == pytest.approx(stats.norm.sf(3.5))
    assert cal.loc["negative_volume", "scored"] == 70  # one account × 70 days


# --------------------------------------------------------------------------- response times


def test_response_shares_by_hand() -> None:
    end = T("2026-03-10 12:00")
    frame = pd.DataFrame({
        "comment_id": list("abcdefg"),
        "account_id": ["x"] * 7,
        "created_at": [T("2026-03-01 10:00"), T("2026-03-02 10:00"), T("2026-03-03 10:00"), T("2026-03-04 10:00"),
                       T("2026-03-05 10:00"), T("2026-03-10 09:00"), T("2026-03-09 00:00")],
        "sentiment": ["negative", "negative", "negative", "negative", "positive", "negative", "negative"],
        "replied_at": [T("2026-03-01 12:00"), T("2026-03-03 20:00"), pd.NaT, T("2026-03-06 10:00"),
                       T("2026-03-05 11:00"), pd.NaT, pd.NaT],
        "replied_by_brand": [True, True, pd.NA, False, True, pd.NA, pd.NA],
        "source": ["comment"] * 7,
        "text_masked": ["t"] * 7,
    })
    frame["replied_by_brand"] = frame["replied_by_brand"].astype("boolean")
    out = va.response_times(frame, end=end).set_index("subset")
    # complaints: a (2 h), b (34 h), c (never), d (a user replied, not the brand: never), f (3 h old), g (36 h old)
    c = out.loc["complaints"]
    assert c["comments"] == 6
    assert c["judged_24h"] == 5 and c["within_24h"] == 1 and c["share_within_24h"] == pytest.approx(1 / 5)
    assert c["judged_48h"] == 4 and c["within_48h"] == 2 and c["share_within_48h"] == pytest.approx(2 / 4)
    assert c["unanswered_48h"] == 2 and c["share_unanswered_48h"] == pytest.approx(2 / 4)
    assert c["replied"] == 2 and c["median_hours_to_reply"] == pytest.approx((2 + 34) / 2)
    allc = out.loc["all"]
    assert allc["comments"] == 7 and allc["within_24h"] == 2 and allc["judged_24h"] == 6
    assert allc["median_hours_to_reply"] == pytest.approx(2)  # 1, 2, 34 hours
    assert bool(allc["reply_data"])


def test_no_reply_columns_means_no_reply_data_not_zero() -> None:
    frame = comments_frame([("a", "2026-03-01 10:00", "negative", 0, "x"),
                            ("a", "2026-03-05 10:00", "negative", 0, "y")])
    out = va.response_times(frame)
    assert not out["reply_data"].any()
    assert out["share_within_24h"].isna().all() and out["judged_24h"].isna().all()
    assert (out["comments"] == [2, 2]).all()


def test_a_reply_before_its_comment_is_a_data_error() -> None:
    frame = comments_frame([("a", "2026-03-01 10:00", "negative", 0, "x")],
                           replied_at=[T("2026-03-01 09:00")], replied_by_brand=[True])
    with pytest.raises(DataError, match="c0"):
        va.response_times(frame)


def test_empty_text_and_no_comments_never_crash() -> None:
    frame = comments_frame([("a", "2026-03-01 10:00", None, 0, None), ("a", "2026-03-01 11:00", "negative", 0, "😡😡")])
    run = va.early_warning(frame, None, va.AlertSettings())
    assert run.alerts.empty and run.daily["comments"].tolist() == [2]
    empty = va.early_warning(frame.iloc[0:0], None, va.AlertSettings())
    assert empty.alerts.empty and empty.daily.empty and empty.crisis.empty
