"""The bundled sample data set: two years of a beauty brand's social accounts, made from a seed.

``generate_sample`` writes every table of the schema (DESIGN.md) as ``<table>.csv`` into a folder.
The numbers look like real exports — noise, weekly rhythm, growth, the Chinese shopping calendar
(Spring Festival dip, 520, 618, Double 11 and Double 12 peaks) — and carry the planted effects of
``PLANTED``, the single list of "truths" the notebooks must find and the tests check.

The brand 青柠生活 (beauty and personal care) runs four own accounts (Douyin, Xiaohongshu, WeChat,
Weibo); four competitors each run a Douyin and a Xiaohongshu account. Data are daily from
2024-11-01 to 2026-11-15, so 2026-10 is the last complete month (the default review period).
Timestamps are naive ISO 8601 in Asia/Shanghai.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from helpers import config
from helpers.errors import ParameterError
from helpers.sample_comments import COMMENT_COLUMNS, comment_rows
from helpers.sample_kols import KOL_COLUMNS, build_kol_tables

START = pd.Timestamp("2024-11-01")
END = pd.Timestamp("2026-11-15")
TIMEZONE = "Asia/Shanghai"
N_USERS = 24_000
N_JOURNEYS = 45_000
VIDEO_FORMATS: tuple[str, ...] = ("short_video", "video", "live")
_VIRAL_POST_FACTOR = 8.0  # impressions of the anomaly day's first post versus a usual post

#: Column order of every table written, as in DESIGN.md's schema (optional columns included).
COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "accounts": ("account_id", "platform", "name", "owner", "category", "timezone"),
    "posts": ("post_id", "account_id", "published_at", "format", "pillar", "title", "topics", "paid",
              "tier", "impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks",
              "follows", "completion_rate", "avg_watch_s", "conversions", "revenue", "cost"),
    "account_daily": ("date", "account_id", "followers", "followers_gained", "followers_lost",
                      "impressions", "reach", "profile_visits", "engagements", "link_clicks",
                      "conversions", "revenue"),
    "audience": ("user_id", "account_id", "first_seen", "unfollowed_at", "gender", "age_band", "region",
                 "city_tier", "device", "interests"),
    "interactions": ("user_id", "account_id", "occurred_at", "event", "post_id", "value"),
    "touchpoints": ("journey_id", "occurred_at", "channel", "campaign"),
    "conversions": ("journey_id", "occurred_at", "value"),
    "ad_daily": ("date", "account_id", "campaign_id", "channel", "creative_id", "spend", "impressions",
                 "clicks", "conversions", "revenue"),
    "experiments": ("experiment_id", "name", "unit", "primary_metric", "control", "variants", "start",
                    "end", "hypothesis", "expected_split", "guardrails", "mde"),
    "experiment_units": ("experiment_id", "unit_id", "variant", "assigned_at", "exposures", "clicks",
                         "conversions", "revenue", "pre_revenue", "platform", "device", "is_new"),
    "targets": ("account_id", "kpi", "period", "target"),
    "risks": ("risk_id", "category", "description", "probability", "impact", "owner", "mitigation",
              "status", "respond_within_h", "escalate_after_h"),
    "topic_bank": ("topic", "pillar", "format", "source", "strategic_weight", "notes"),
    "comments": COMMENT_COLUMNS,
    **KOL_COLUMNS,
})
TABLES: tuple[str, ...] = tuple(COLUMNS)
_DATE_COLUMNS = frozenset({"date", "start", "end"})


# ---------------------------------------------------------------------------------------------
# Planted effects
# ---------------------------------------------------------------------------------------------

def _planted_user_ids() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pick the bot and lapsing users once, with a fixed seed, so every sample seed plants the same ids."""
    rng = np.random.default_rng(1_500_030)
    picked = rng.choice(np.arange(1, N_USERS + 1), size=1_530, replace=False)
    bots = tuple(f"u{i:06d}" for i in np.sort(picked[:30]))
    lapsing = tuple(f"u{i:06d}" for i in np.sort(picked[30:]))
    return bots, lapsing


_BOTS, _LAPSING = _planted_user_ids()


@dataclass(frozen=True)
class PlantedEffects:
    """Every effect planted in the sample data: where it is, how big it is. Notebook tests read it."""

    review_period: str = "2026-10"
    """The month the planted October effects live in: the last complete month of the data."""

    anomaly_day: tuple[str, str] = ("own_douyin", "2026-10-14")
    """A genuine viral day (account, date): every metric jumps together, see ``anomaly_factors``.
    The account's first post that day is a short video with 8× the usual impressions."""

    anomaly_factors: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "impressions": 4.0, "reach": 4.0, "profile_visits": 4.0, "engagements": 4.5,
        "followers_gained": 5.0, "link_clicks": 3.0, "conversions": 3.0}))
    """Multipliers on the anomaly day versus the day's expected (noise-free) level."""

    bot_spike_day: tuple[str, str] = ("own_weibo", "2026-10-22")
    """Bot traffic (account, date): reach and visits balloon, engagements and clicks do not, so
    engagements ÷ impressions collapses. The ``bot_users`` burst on this day too."""

    bot_spike_factors: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "impressions": 6.0, "reach": 5.0, "profile_visits": 8.0, "engagements": 1.05,
        "link_clicks": 1.0, "conversions": 1.0}))
    """Multipliers on the bot day versus the day's expected level (followers_gained unchanged)."""

    bot_users: tuple[str, ...] = field(default=_BOTS, repr=False)
    """30 users (own_weibo) with hundreds of view/like events a day, in bursts of a few minutes."""

    stop_loss_campaign: str = "cmp_broad_reach"
    """The ad campaign whose ROAS (revenue ÷ spend) is under the 3.0 stop-loss line."""

    campaign_roas: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "cmp_broad_reach": 1.8, "cmp_seeding_xhs": 4.5, "cmp_search_brand": 6.0, "cmp_retarget": 3.6}))
    """ROAS per campaign: exact for ``review_period``, the same level ± noise in other months."""

    low_ctr_creative: str = "cr_broad_2"
    """The creative under the 5% keep-threshold on CTR; the others run at 5.5–9%."""

    low_ctr: float = 0.025
    """Expected CTR (clicks ÷ impressions) of ``low_ctr_creative``."""

    saturating_campaign: str = "cmp_seeding_xhs"
    """The campaign with diminishing returns: a day's expected revenue is a·(1 − exp(−spend/b)), with
    b = ``saturation_spend`` and a set so the average ROAS at spend b is its ``campaign_roas`` (4.5); the
    marginal ROAS there is 4.5·e⁻¹ ÷ (1 − e⁻¹) ≈ 2.62, under the 3:1 stop-loss. Its daily spend varies
    (budget tests, ``varied_spend_sigma``), so the curve is identified."""

    saturation_spend: float = 4500.0
    """b of ``saturating_campaign``: its usual daily spend in ``review_period`` (3,000 grown by 25 % a year)."""

    constant_campaign: str = "cmp_search_brand"
    """The campaign with constant returns (expected revenue ∝ spend) and a daily spend that varies as much."""

    varied_spend_sigma: float = 0.35
    """σ of the lognormal day-to-day factor on the spend of ``saturating_campaign``, ``constant_campaign`` and
    ``stop_loss_campaign`` (whose constant ROAS 1.8 is then identified, so a budget plan cuts it as under the
    stop-loss rather than testing it), on top of growth and shopping festivals."""

    flat_spend_campaign: str = "cmp_retarget"
    """The campaign whose daily spend hardly varies (no growth, no festival push, σ 0.05: CV about 0.05), so
    its response curve cannot be identified and a budget plan falls back to its average ROAS."""

    assist_channel: str = "xiaohongshu"
    """The channel that assists: early in about half of converting journeys, last in < 10% of them,
    and journeys containing it convert about 3× as often, so multi-touch credit ≥ 2× last-touch credit."""

    seasonal_kpi: tuple[str, str] = ("own_douyin", "revenue")
    """(account, KPI) whose monthly level peaks with the shopping festivals (``_shopping``: more traffic and
    higher conversion rates around 618 and Double 11) and dips at Spring Festival: the account plan's forecast
    must find it. Every own account's conversions and revenue follow the same calendar; this one is checked."""

    seasonal_peaks: tuple[tuple[str, str], ...] = (("2026-11", "2026-10"), ("2026-06", "2026-05"))
    """(peak month, month before) pairs of ``seasonal_kpi``: Double 11 and 618. Noise-free, November is about
    1.22 × October and June about 1.22 × May; the same calendar months peak every year."""

    missed_kpi: tuple[str, str, str, float] = ("own_xhs", "net_follower_change", "2026-10", 0.6)
    """(account, KPI, period, attainment): the one missed target; other own KPIs that month are 0.95–1.15."""

    evening_window: tuple[int, int] = (20, 22)
    """Own posts published from 20:00 to 21:59 (hours [20, 22)) earn ``evening_lift`` × engagement."""

    evening_lift: float = 1.4
    """Engagement-per-impression multiplier inside ``evening_window``."""

    winning_format: tuple[str, str] = ("own_douyin", "short_video")
    """(account, format) that beats the account's other formats (live) on engagements per impression."""

    winning_format_lift: float = 1.3
    """Engagement-per-impression ratio of ``winning_format`` versus the account's other formats."""

    competitor_video_winner: str = "comp_b"
    """The competitor whose video posts (short_video/live) earn ``competitor_video_lift`` × the field."""

    competitor_video_lift: float = 1.6
    """Engagement multiplier of the winner's video posts versus other competitors' video posts."""

    neglected_topic: str = "成分科普"
    """A pillar (and topic tag) the field rewards with ``neglected_topic_lift`` × engagement, but the own
    accounts post it in under 5% of posts (``neglected_topic_own_share``)."""

    neglected_topic_lift: float = 1.4
    """Engagement multiplier of ``neglected_topic`` posts, own and competitor alike."""

    neglected_topic_own_share: float = 0.03
    """Probability that an own post has the neglected pillar (competitors: 0.22)."""

    experiment_with_lift: str = "EXP-TITLE-01"
    """Title style A vs B with a real lift, ~20,000 users per arm."""

    experiment_lift_rates: tuple[float, float] = (0.040, 0.048)
    """Conversion rates (control A, variant B) of ``experiment_with_lift``."""

    experiment_without_lift: str = "EXP-COVER-02"
    """Covers A/B/C with no true effect (4.0% conversion each), ~10,000 users per arm."""

    experiment_with_srm: str = "EXP-CTA-03"
    """CTA colour A/B planned 50/50 but assigned 10,400 / 9,600 users: a sample ratio mismatch."""

    lapsing_segment: tuple[str, ...] = field(default=_LAPSING, repr=False)
    """1,500 users first seen in 2025, active every week until ``lapsing_since``, silent afterwards."""

    lapsing_since: str = "2026-08-01"
    """The date from which the lapsing segment stops interacting."""

    escaped_title_post: str = "own_xhs_20261018_01"
    """The own_xhs post of 2026-10-18 whose title has HTML-special characters (reports must escape it)."""

    escaped_title_day: tuple[str, str] = ("own_xhs", "2026-10-18")
    """(account, date) of ``escaped_title_post``: its first post of that day."""

    escaped_title: str = '<限定>礼盒开箱 & 测评 "真香"'
    """The title of ``escaped_title_post``."""

    # --- voice of the customer: the comments table (helpers.sample_comments) ---------------------

    voc_start: str = "2025-11-01"
    """First day of the comments table; comments run to END, on own posts published from this day."""

    voc_base_rows: int = 34_000
    """Rows outside the planted effects (comments, danmaku, DMs, surveys), before replies and brand answers."""

    voc_sentiment_mix: tuple[float, float, float] = (0.60, 0.28, 0.12)
    """Intended (positive, neutral, negative) shares of the base rows."""

    voc_english_share: float = 0.04
    """Share of the base rows written in English."""

    voc_empty_texts: int = 60
    """Survey answers with a rating but no text (the text cell is empty)."""

    logistics_spike: tuple[str, tuple[str, str]] = ("own_douyin", ("2026-10-21", "2026-10-22"))
    """(account, days) of the negative spike about delivery (物流/发货慢/快递/还没到/催单)."""

    logistics_spike_counts: tuple[int, int] = (260, 190)
    """Extra negative logistics comments on each spike day, on top of the usual level (~3 a day)."""

    logistics_spike_hours: tuple[int, int] = (19, 23)
    """The spike's comments are written from 19:00 to 22:59 (hours [19, 23)), on the account's latest posts."""

    logistics_terms: tuple[str, ...] = ("物流", "发货", "快递", "还没到", "催", "没收到")
    """Words that mark a logistics complaint; every spike comment has at least one."""

    logistics_never_answered: int = 135
    """Spike complaints the brand never answers (30 % of 450); no replied_at."""

    logistics_answered_late: int = 90
    """Spike complaints answered after more than 48 h (20 % of 450); the rest within 36 h."""

    sensitive_question: str = "敏感肌能用吗"
    """The repeated question of the review period (a cluster of near-duplicates)."""

    sensitive_question_variants: tuple[str, ...] = (
        "敏感肌能用吗", "敏感肌可以用吗", "敏感皮能用吗", "敏感肌肤适合吗", "敏感肌适用吗", "敏感肌可以用不",
        "敏感肌友好吗", "敏感肌孕妇能用吗")
    """Core wordings of the question; each planted row is an opener + a core + a tail (？, 呀, 孕妇呢 ...)."""

    sensitive_question_count: int = 320
    """Rows carrying a core wording, all in ``review_period`` across the own accounts, with likes (median ~9)."""

    praise_terms: tuple[str, ...] = ("保湿", "吸收快", "不油腻", "回购")
    """The praise theme: the most frequent terms of positive comments."""

    rising_keyword: str = "礼盒"
    """A keyword that rises clearly in ``review_period`` against the month before (Double 11 gift boxes)."""

    rising_keyword_counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({
        "2025-11": 160, "2026-09": 30, "2026-10": 240, "2026-11": 180}))
    """Rows naming ``rising_keyword`` per month; no other comment names it."""

    spam_texts: tuple[str, ...] = (
        "加V：mei2024 领取同款小样 http://t.cn/A6xYz9k", "低价代购正品，vx：dg8899，全网最低价",
        "点击 https://bit.ly/3skincare 免费领取试用装，加微信 meiyan_666")
    """Spam posted word for word by many different user ids."""

    spam_count_per_text: int = 90
    """How often each spam text appears, each time from a different user id (ids starting with ``s``)."""

    comment_bots: tuple[str, ...] = ("u900001", "u900002", "u900003", "u900004")
    """User ids of comment bots (outside the ordinary commenters' ids)."""

    comment_bot_days: tuple[str, ...] = ("2026-10-08", "2026-10-15", "2026-10-21", "2026-10-22", "2026-10-29")
    """The days the comment bots post."""

    comment_bot_daily: int = 40
    """Short generic comments (支持支持, 666 ...) each bot posts on each bot day, from 09:00 to 22:59."""

    pii_counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({
        "phone": 8, "email": 6, "handle": 10}))
    """Comments with personal data to mask: mainland mobile numbers, e-mail addresses, @handles."""

    voc_brand_reply_rows_share: float = 0.35
    """Share of answered comments whose brand answer is also a reply row (parent_id = the comment)."""

    net_sentiment_target: float = 0.2
    """Monthly target of the KPI net_sentiment (share positive − share negative) for each own account: ordinary
    months score about +0.25 with the suite's sentiment model, the month of the logistics spike about +0.10."""

    voc_risk: str = "R13"
    """The risk register's 舆情 row, with the response SOP: respond within 24 h, escalate after 48 h."""

    # --- KOL vetting: the kol_* tables (helpers.sample_kols) --------------------------------------

    kol_brand: str = "青柠生活"
    """Our brand as kol_posts.brand writes it on the posts we booked."""

    kol_fake_id: str = "kol_03"
    """The bought-follower account (xiaohongshu, 400k, 美妆): three single-day follower jumps without an
    engagement rise, a follower sample of 300 with ``kol_fake_share`` empty profiles, engagement per follower
    about 0.65 % (its size norm is about 4 %), comments about 0.5 % of likes."""

    kol_fake_share: float = 0.55
    """True share of empty profiles in ``kol_fake_id``'s follower sample (165 of 300) and of its followers."""

    kol_fake_jump_days: tuple[str, str, str] = ("2026-08-07", "2026-09-12", "2026-10-20")
    """The days ``kol_fake_id``'s kol_daily jumps (bought followers), inside its post history."""

    kol_fake_jumps: tuple[int, int, int] = (52_000, 78_000, 44_000)
    """The size of each jump, on top of the day's organic change."""

    kol_real_mid_id: str = "kol_05"
    """The real mid-tier KOL (xiaohongshu, 180k, 护肤): real interaction rate ``kol_real_mid_rate`` on organic
    posts, 5 % empty followers, an audience ~85 % 女 aged 18–30 with the brand's interests, 20 % of its follower
    sample are own_xhs followers, and a price making its expected CPA 0.7 × the xiaohongshu_feed CPA."""

    kol_real_mid_rate: float = 0.085
    """Engagements of an organic post ÷ real followers of ``kol_real_mid_id`` (its post-to-post σ is 0.35)."""

    kol_mismatch_id: str = "kol_23"
    """Real and engaged (douyin, 600k, 数码, 4.5 % real rate), but a male audience interested in 数码/游戏."""

    kol_mismatch_gender_fit: float = 0.35
    """1 − total-variation distance between ``kol_mismatch_id``'s gender split and the brand audience's
    (so about 87 % 男 against the brand's ~76 % 女), before the Dirichlet noise of the shares."""

    kol_expensive_id: str = "kol_21"
    """Real, a good fit (douyin, 1.2M, 护肤, 3 % real rate), priced so its expected CPA is
    ``kol_expensive_cpa_ratio`` × the douyin_feed CPA."""

    kol_expensive_cpa_ratio: float = 2.5
    """Expected CPA of ``kol_expensive_id`` ÷ the douyin_feed CPA (Σspend ÷ Σconversions of ad_daily)."""

    kol_real_mid_cpa_ratio: float = 0.7
    """Expected CPA of ``kol_real_mid_id`` ÷ the xiaohongshu_feed CPA."""

    kol_borderline_id: str = "kol_11"
    """A follower sample of only 60, ``kol_borderline_share`` of them empty: the interval straddles 30 %."""

    kol_borderline_share: float = 0.30
    """True share of empty profiles in ``kol_borderline_id``'s sample (18 of 60)."""

    kol_conversions_per_engagement: float = 0.025
    """Conversions (linear credit of our booked campaigns' touches) per engagement of a booked post; expected
    CPA = price ÷ (0.7 × organic engagements per post × this)."""

    kol_sponsored_factor: tuple[float, float] = (0.6, 0.8)
    """Range of a sponsored post's engagement ÷ the same KOL's organic level."""

    kol_user_overlap: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({
        "kol_05": 0.20, "kol_21": 0.12, "kol_01": 0.08, "kol_23": 0.02}))
    """Share of each KOL's follower sample whose follower_id is a user_id of the brand's own account on the
    same platform (own_xhs for xiaohongshu, own_douyin for douyin)."""

    kol_bookings: tuple[str, ...] = ("kol_202605_kol_14", "kol_202606_kol_29", "kol_202607_kol_17",
                                     "kol_202608_kol_38", "kol_202609_kol_06", "kol_202610_kol_27")
    """Our six past bookings (campaign = post_id = ``kol_<yyyymm>_<kol_id>``), one a month 2026-05..2026-10;
    kol touchpoints of the 14 (at most 21) days after each carry its campaign."""

    kol_overdelivered: str = "kol_202607_kol_17"
    """The booking that delivered 2 × the engagements its KOL's earlier posts predict; ROI ≥ 3 → rebook."""

    kol_underdelivered: str = "kol_202609_kol_06"
    """The booking that delivered 0.2 × its prediction; ROI < 1 → don't rebook."""


PLANTED = PlantedEffects()


# ---------------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _OwnSpec:
    """Shape of one own account: size, growth and the daily rates its metrics follow."""

    account_id: str
    platform: str
    name: str
    followers: int          # followers at the start
    growth: float           # yearly net follower growth
    churn: float            # daily share of followers lost
    impressions_per_follower: float
    engagement_rate: float  # engagements ÷ impressions (daily)
    ctr: float              # link_clicks ÷ impressions
    cvr: float              # conversions ÷ link_clicks
    post_reach: float       # impressions of a typical post ÷ followers
    post_er: float          # engagements ÷ impressions of a typical post
    formats: Mapping[str, float]


@dataclass(frozen=True)
class _CompSpec:
    """Shape of one competitor account: size, growth and posting rate."""

    account_id: str
    brand: str
    platform: str
    name: str
    followers: int
    growth: float
    posts_per_day: float


_OWN: tuple[_OwnSpec, ...] = (
    _OwnSpec("own_douyin", "douyin", "青柠生活·抖音", 200_000, 0.35, 0.0006, 0.75, 0.040, 0.010, 0.075,
             0.25, 0.050, {"short_video": 0.78, "live": 0.22}),
    _OwnSpec("own_xhs", "xiaohongshu", "青柠生活·小红书", 80_000, 0.30, 0.0005, 0.90, 0.050, 0.012, 0.080,
             0.35, 0.055, {"image": 0.35, "carousel": 0.40, "short_video": 0.25}),
    _OwnSpec("own_wechat", "wechat", "青柠生活·公众号", 50_000, 0.15, 0.0004, 0.35, 0.035, 0.014, 0.080,
             0.30, 0.030, {"article": 1.0}),
    _OwnSpec("own_weibo", "weibo", "青柠生活·微博", 120_000, 0.12, 0.0005, 0.50, 0.035, 0.006, 0.060,
             0.12, 0.035, {"text": 0.30, "image": 0.45, "video": 0.25}),
)

_COMP_BRANDS = {"comp_a": "素颜记", "comp_b": "桃气研究所", "comp_c": "木槿集", "comp_d": "云朵肌"}
_COMP_SIZE = {  # (douyin followers, xiaohongshu followers, yearly growth, posts per day)
    "comp_a": (300_000, 110_000, 0.20, 0.90),
    "comp_b": (280_000, 100_000, 0.22, 0.80),
    "comp_c": (290_000, 105_000, 0.18, 0.65),
    "comp_d": (250_000, 90_000, 0.25, 0.55),
}
_COMP: tuple[_CompSpec, ...] = tuple(
    _CompSpec(f"{c}_{short}", c, platform, f"{_COMP_BRANDS[c]}·{label}", int(size[i]), size[2], size[3])
    for c, size in _COMP_SIZE.items()
    for i, (short, platform, label) in enumerate((("douyin", "douyin", "抖音"), ("xhs", "xiaohongshu", "小红书")))
)
_COMP_FORMATS = {"douyin": {"short_video": 0.85, "live": 0.15},
                 "xiaohongshu": {"image": 0.30, "carousel": 0.40, "short_video": 0.30}}
_CATEGORY = "美妆个护"


def _accounts() -> pd.DataFrame:
    """The accounts table: four own accounts and eight competitor accounts."""
    rows = [(s.account_id, s.platform, s.name, "own") for s in _OWN]
    rows += [(s.account_id, s.platform, s.name, "competitor") for s in _COMP]
    frame = pd.DataFrame(rows, columns=["account_id", "platform", "name", "owner"])
    return frame.assign(category=_CATEGORY, timezone=TIMEZONE)


# ---------------------------------------------------------------------------------------------
# Calendar
# ---------------------------------------------------------------------------------------------

# Spring Festival (正月初一) inside the data range; hard-coded so the bundled data never change
# with the `holidays` package's version.
_SPRING_FESTIVAL = ("2025-01-29", "2026-02-17")
_WEEKLY = {  # Monday..Sunday traffic multipliers: video/lifestyle apps peak at weekends, WeChat reads on workdays
    "douyin": (0.95, 0.94, 0.95, 0.97, 1.02, 1.10, 1.08),
    "xiaohongshu": (0.96, 0.95, 0.96, 0.98, 1.00, 1.09, 1.08),
    "wechat": (1.06, 1.05, 1.05, 1.04, 1.00, 0.88, 0.90),
    "weibo": (1.00, 0.99, 1.00, 1.00, 1.02, 1.00, 0.98),
}
_POST_HOURS = np.arange(8, 23)
_POST_HOUR_WEIGHTS = np.array([6, 6, 5, 5, 8, 6, 4, 4, 4, 5, 8, 8, 11, 10, 6], dtype=float)
_ACTIVE_HOUR_WEIGHTS = np.array([1.5, 0.8, 0.5, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 3.5, 3.5, 4.0, 5.5, 5.0,
                                 4.0, 3.8, 3.8, 4.0, 5.0, 6.0, 7.5, 8.0, 7.0, 4.0])


def _rng(seed: int, part: str) -> np.random.Generator:
    """An independent generator per table part, so changing one table never shifts another's numbers."""
    return np.random.default_rng([seed, zlib.crc32(part.encode("utf-8"))])


def _dates() -> pd.DatetimeIndex:
    """Every day of the sample, START to END inclusive."""
    return pd.date_range(START, END, freq="D")


def _bump(dates: pd.DatetimeIndex, day: str, before: float, after: float) -> np.ndarray:
    """An asymmetric bell (0..1) around a date: a ramp-up of ``before`` days and a fall of ``after`` days."""
    k = (dates - pd.Timestamp(day)).days.to_numpy().astype(float)
    width = np.where(k <= 0, before, after)
    return np.exp(-((k / width) ** 2))


def _shopping(dates: pd.DatetimeIndex) -> np.ndarray:
    """Shopping-festival intensity 0..1 (618, Double 11, Double 12): raises traffic and conversion rates."""
    out = np.zeros(len(dates))
    for year in (2024, 2025, 2026):
        out = np.maximum(out, _bump(dates, f"{year}-06-18", 6, 1.5))
        out = np.maximum(out, _bump(dates, f"{year}-11-11", 5, 1.5))
        out = np.maximum(out, 0.4 * _bump(dates, f"{year}-12-12", 3, 1.0))
    return out


def _traffic(dates: pd.DatetimeIndex, platform: str) -> np.ndarray:
    """Traffic multiplier of a platform per day: weekly rhythm × festivals (Spring Festival dip, peaks)."""
    weekly = np.asarray(_WEEKLY[platform])[dates.day_of_week.to_numpy()]
    factor = weekly * (1.0 + 0.7 * _shopping(dates))
    for year in (2025, 2026):
        factor *= 1.0 + 0.12 * _bump(dates, f"{year}-05-20", 2, 1)
    for day in _SPRING_FESTIVAL:
        factor *= 1.0 - 0.30 * _bump(dates, (pd.Timestamp(day) + pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
                                     4.5, 4.5)
    national_day = (dates.month == 10) & (dates.day <= 7)
    return factor * np.where(national_day, 0.95, 1.0)


def _years(n_days: int) -> np.ndarray:
    """Time since START in years, per day."""
    return np.arange(n_days) / 365.0


def _clock(rng: np.random.Generator, size: int, weights: np.ndarray, hours: np.ndarray | None = None
           ) -> np.ndarray:
    """Seconds after midnight, hours drawn from a profile, minutes and seconds uniform."""
    hours = np.arange(len(weights)) if hours is None else hours
    hour = rng.choice(hours, size=size, p=weights / weights.sum())
    return hour * 3600 + rng.integers(0, 3600, size=size)


def _timestamps(day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Naive datetime64[s] from a day index (since START) and seconds after midnight."""
    base = np.datetime64(START.date(), "s")
    return base + day.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")


def _lognormal(rng: np.random.Generator, sigma: float, size: int | tuple[int, ...]) -> np.ndarray:
    """Multiplicative noise with mean 1."""
    return rng.lognormal(-0.5 * sigma**2, sigma, size)


# ---------------------------------------------------------------------------------------------
# account_daily
# ---------------------------------------------------------------------------------------------

def _expected_followers(start: float, growth: float, n_days: int) -> np.ndarray:
    """Followers on the planned growth path (compound yearly growth)."""
    return start * (1.0 + growth) ** _years(n_days)


def _day_index(dates: pd.DatetimeIndex, day: str) -> int:
    """Position of a date in the sample calendar."""
    return int(dates.get_loc(pd.Timestamp(day)))


def _daily_expected(spec: _OwnSpec, dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Noise-free daily level of every metric: growth path × traffic calendar × the account's rates."""
    n = len(dates)
    path = _expected_followers(spec.followers, spec.growth, n)
    traffic = _traffic(dates, spec.platform)
    daily_growth = (1.0 + spec.growth) ** (1 / 365) - 1
    weekend = np.where(dates.day_of_week.to_numpy() >= 5, 1.05, 1.0)
    impressions = path * spec.impressions_per_follower * traffic
    engagement_rate = spec.engagement_rate * (0.9 + 0.1 * _years(n)) * weekend  # slowly rising
    link_clicks = impressions * spec.ctr
    cvr = spec.cvr * (1.0 + 0.3 * _shopping(dates))  # shoppers convert more during festivals
    return {
        "impressions": impressions,
        "reach": impressions * 0.65,
        "profile_visits": impressions * 0.012,
        "engagement_rate": engagement_rate,
        "engagements": impressions * engagement_rate,
        "link_clicks": link_clicks,
        "cvr": cvr,
        "conversions": link_clicks * cvr,
        "followers_gained": path * (daily_growth + spec.churn) * (0.4 + 0.6 * traffic),
        "followers_lost": path * spec.churn,
    }


def _daily_counts(spec: _OwnSpec, expected: dict[str, np.ndarray], rng: np.random.Generator
                  ) -> dict[str, np.ndarray]:
    """Observed daily counts: multiplicative day noise, then Poisson (binomial for conversions)."""
    n = len(expected["impressions"])
    noisy = {k: expected[k] * _lognormal(rng, sigma, n) for k, sigma in
             (("impressions", 0.12), ("followers_gained", 0.15), ("followers_lost", 0.20), ("profile_visits", 0.15))}
    noisy["reach"] = noisy["impressions"] * rng.uniform(0.55, 0.75, n)
    noisy["engagements"] = noisy["impressions"] * expected["engagement_rate"] * _lognormal(rng, 0.08, n)
    noisy["link_clicks"] = noisy["impressions"] * spec.ctr * _lognormal(rng, 0.10, n)
    counts = {k: rng.poisson(v).astype(float) for k, v in noisy.items()}
    counts["conversions"] = rng.binomial(counts["link_clicks"].astype(np.int64), expected["cvr"]).astype(float)
    return counts


def _own_daily(spec: _OwnSpec, dates: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One own account's daily metrics, with planted days at exact multiples of the expected level."""
    expected = _daily_expected(spec, dates)
    counts = _daily_counts(spec, expected, rng)
    _plant_day(spec.account_id, dates, expected, counts)
    revenue = np.round(counts["conversions"] * 120.0 * _lognormal(rng, 0.08, len(dates)), 2)
    followers = spec.followers + np.cumsum(counts["followers_gained"] - counts["followers_lost"])
    metrics = ("followers_gained", "followers_lost", "impressions", "reach", "profile_visits", "engagements",
               "link_clicks", "conversions")
    frame = pd.DataFrame({"date": dates, "account_id": spec.account_id, "followers": followers.astype(np.int64),
                          **{k: counts[k] for k in metrics}, "revenue": revenue})
    if spec.platform == "wechat":  # WeChat Official Accounts do not report reach
        frame["reach"] = np.nan
    return frame


def _plant_day(account_id: str, dates: pd.DatetimeIndex, expected: dict[str, np.ndarray],
               counts: dict[str, np.ndarray]) -> None:
    """Overwrite the anomaly and bot days of this account with their planted multiples (in place)."""
    for (account, day), factors in ((PLANTED.anomaly_day, PLANTED.anomaly_factors),
                                    (PLANTED.bot_spike_day, PLANTED.bot_spike_factors)):
        if account != account_id:
            continue
        i = _day_index(dates, day)
        for metric, factor in factors.items():
            counts[metric][i] = np.round(expected[metric][i] * factor)


def _competitor_followers(spec: _CompSpec, dates: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """A competitor's public follower count: growth path with noisy daily net changes (some negative)."""
    n = len(dates)
    path = _expected_followers(spec.followers, spec.growth, n)
    gross = np.diff(path, prepend=spec.followers) * 1.6 * _traffic(dates, spec.platform) * _lognormal(rng, 0.4, n)
    churn = path * ((1 + spec.growth) ** (1 / 365) - 1) * 0.6 * _lognormal(rng, 0.4, n)
    return np.round(spec.followers + np.cumsum(gross - churn)).astype(np.int64)


def _account_daily(dates: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """The account_daily table: full metrics for own accounts, followers only for competitors."""
    frames = [_own_daily(s, dates, _rng(seed, f"daily/{s.account_id}")) for s in _OWN]
    frames += [pd.DataFrame({"date": dates, "account_id": s.account_id,
                             "followers": _competitor_followers(s, dates, _rng(seed, f"daily/{s.account_id}"))})
               for s in _COMP]
    return pd.concat(frames, ignore_index=True).reindex(columns=list(COLUMNS["account_daily"]))


# ---------------------------------------------------------------------------------------------
# posts
# ---------------------------------------------------------------------------------------------

_PILLARS = ("产品种草", "成分科普", "用户故事", "品牌活动", "教程")
_OWN_PILLAR_P = (0.34, PLANTED.neglected_topic_own_share, 0.18, 0.15, 0.30)
_COMP_PILLAR_P = (0.28, 0.22, 0.14, 0.14, 0.22)
_PRODUCTS = ("维C精华", "氨基酸洁面", "修护面霜", "清透防晒乳", "卸妆油", "精华水", "身体乳", "润唇膏")
_INGREDIENTS = ("烟酰胺", "玻色因", "视黄醇", "水杨酸", "神经酰胺", "透明质酸", "维C", "积雪草", "角鲨烷", "二裂酵母")
_CONCERNS = ("敏感肌", "油痘肌", "干皮", "暗沉", "毛孔粗大", "换季泛红", "熬夜脸")
#: The campaign hook a brand post of each month refers to (January..December).
_FESTIVAL_OF_MONTH = ("年货节", "年货节", "春季焕新", "春季焕新", "520", "618", "夏日清爽", "夏日清爽", "开学季",
                      "双11", "双11", "双12")
_TITLES = {
    "产品种草": ("{p}用了一个月，{s}真的有救了", "百元以内的宝藏{p}", "被问爆的{p}，到底值不值？",
             "{s}姐妹闭眼入｜{p}真实测评", "空瓶记｜{p}回购第{n}瓶"),
    "成分科普": ("{i}到底怎么用？一篇讲清楚", "{i}和{j}能一起用吗", "成分党必看：{i}的浓度怎么选",
             "{s}能用{i}吗？皮肤科医生这样说", "别再乱用{i}了！{n}个误区"),
    "用户故事": ("{s}三年，我是怎么养好皮肤的", "粉丝来信：用{p}的第{m}天", "上班族的{n}分钟护肤流程",
             "从{s}到素颜自由的真实经历"),
    "品牌活动": ("{f}福利来了！{p}限时特惠", "新品首发｜{p}全网首测", "直播预告：今晚8点{p}福利价",
             "{f}宠粉节，评论区抽{n}位送正装"),
    "教程": ("{s}早晚护肤步骤全攻略", "{n}步学会正确涂防晒", "{p}的正确打开方式", "新手护肤顺序｜{s}版",
           "一周护肤计划表｜{s}"),
}
_TOPIC_TAGS = {
    "产品种草": ("好物推荐", "种草", "测评", "空瓶记", "平价好物"),
    "成分科普": ("成分党", "护肤知识", "科学护肤"),
    "用户故事": ("真实分享", "护肤日记", "素颜", "改善记录"),
    "品牌活动": ("福利", "新品", "直播", "抽奖"),
    "教程": ("护肤教程", "护肤步骤", "新手护肤", "防晒"),
}


def _titles_and_topics(pillar: np.ndarray, month: np.ndarray, rng: np.random.Generator
                       ) -> tuple[list[str], list[str]]:
    """Chinese titles from pillar templates (festival hooks follow the month), and 2–3 ';'-separated topics."""
    n = len(pillar)
    picks = {k: rng.integers(0, 1_000_000, n) for k in ("t", "p", "i", "j", "s", "tag", "extra")}
    nums = rng.integers(2, 8, n)
    days = rng.integers(7, 120, n)
    titles, topics = [], []
    for r in range(n):
        pil = pillar[r]
        templates = _TITLES[pil]
        i = _INGREDIENTS[picks["i"][r] % len(_INGREDIENTS)]
        j = _INGREDIENTS[(picks["i"][r] + 1 + picks["j"][r] % (len(_INGREDIENTS) - 1)) % len(_INGREDIENTS)]
        s = _CONCERNS[picks["s"][r] % len(_CONCERNS)]
        titles.append(templates[picks["t"][r] % len(templates)].format(
            p=_PRODUCTS[picks["p"][r] % len(_PRODUCTS)], i=i, j=j, s=s, n=nums[r], m=days[r],
            f=_FESTIVAL_OF_MONTH[month[r] - 1]))
        tags = _TOPIC_TAGS[pil]
        first = tags[picks["tag"][r] % len(tags)]
        tagged = [PLANTED.neglected_topic, i, first] if pil == PLANTED.neglected_topic else [first, s]
        if picks["extra"][r] % 3 == 0 and pil != PLANTED.neglected_topic:
            tagged.append(tags[(picks["tag"][r] + 1) % len(tags)])
        topics.append(";".join(dict.fromkeys(tagged)))
    return titles, topics


def _post_days(n_days: int, rng: np.random.Generator, own: bool, rate: float) -> np.ndarray:
    """Number of posts per day: own accounts 0/1/2 (mean 1), competitors Poisson(rate) capped at 3."""
    if own:
        return rng.choice([0, 1, 2], size=n_days, p=[0.2, 0.6, 0.2])
    return np.minimum(rng.poisson(rate, n_days), 3)


def _post_skeleton(account_id: str, dates: pd.DatetimeIndex, counts: np.ndarray, formats: Mapping[str, float],
                   pillar_p: tuple[float, ...], rng: np.random.Generator) -> pd.DataFrame:
    """Ids, times, formats, pillars, titles and topics of one account's posts."""
    day = np.repeat(np.arange(len(dates)), counts)
    seconds = _clock(rng, len(day), _POST_HOUR_WEIGHTS, _POST_HOURS)
    order = np.lexsort((seconds, day))
    day, seconds = day[order], seconds[order]
    rank = np.arange(len(day)) - np.searchsorted(day, day) + 1
    stamps = _timestamps(day, seconds)
    ids = [_post_id(account_id, d, int(k)) for d, k in
           zip(np.datetime_as_string(stamps, unit="D"), rank, strict=True)]
    fmt_names = np.array(list(formats))
    pillar = np.array(_PILLARS)[rng.choice(len(_PILLARS), size=len(day), p=pillar_p)]
    titles, topics = _titles_and_topics(pillar, dates.month.to_numpy()[day], rng)
    return pd.DataFrame({
        "post_id": ids, "account_id": account_id, "published_at": stamps,
        "format": fmt_names[rng.choice(len(fmt_names), size=len(day), p=np.array(list(formats.values())))],
        "pillar": pillar, "title": titles, "topics": topics, "day": day,
    })


def _force_posts(counts: np.ndarray, dates: pd.DatetimeIndex, account_id: str) -> np.ndarray:
    """Make sure the planted posts' days have a post (escaped title, viral day)."""
    counts = counts.copy()
    for account, day in (PLANTED.anomaly_day, PLANTED.escaped_title_day):
        if account == account_id:
            i = _day_index(dates, day)
            counts[i] = max(counts[i], 1)
    return counts


def _own_posts(spec: _OwnSpec, dates: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One own account's posts with full metrics and the planted format, hour and topic effects."""
    counts = _force_posts(_post_days(len(dates), rng, own=True, rate=1.0), dates, spec.account_id)
    posts = _post_skeleton(spec.account_id, dates, counts, spec.formats, _OWN_PILLAR_P, rng)
    _plant_special_posts(posts, spec.account_id)
    n, day, fmt = len(posts), posts["day"].to_numpy(), posts["format"].to_numpy()
    tier = np.array(["daily", "series", "flagship"])[rng.choice(3, size=n, p=[0.72, 0.20, 0.08])]
    paid = rng.random(n) < 0.12
    hour = posts["published_at"].dt.hour.to_numpy()
    path = _expected_followers(spec.followers, spec.growth, len(dates))[day]
    impressions = (path * spec.post_reach * _traffic(dates, spec.platform)[day]
                   * np.select([tier == "flagship", tier == "series"], [2.5, 1.3], 1.0)
                   * np.where(paid, 1.8, 1.0) * _lognormal(rng, 0.6, n))
    if spec.account_id == PLANTED.anomaly_day[0]:
        viral = (posts["post_id"] == _post_id(*PLANTED.anomaly_day, 1)).to_numpy()
        impressions = np.where(viral, impressions * _VIRAL_POST_FACTOR, impressions)
    er = spec.post_er * _format_lift(spec.account_id, fmt) * _topic_lift(posts["pillar"].to_numpy())
    er = er * np.where(_in_evening(hour), PLANTED.evening_lift, 1.0) * np.where(paid, 0.9, 1.0)
    er = er * _lognormal(rng, 0.25, n)
    impressions = rng.poisson(impressions).astype(float)
    posts = posts.assign(paid=paid, tier=tier, impressions=impressions)
    return _own_post_metrics(posts, spec, er, rng)


def _post_id(account_id: str, day: str, rank: int) -> str:
    """The id of an account's rank-th post of a day (ids are <account>_<yyyymmdd>_<rank>)."""
    return f"{account_id}_{day.replace('-', '')}_{rank:02d}"


def _plant_special_posts(posts: pd.DataFrame, account_id: str) -> None:
    """Set the escaped-title post and the viral short video of the anomaly day (in place)."""
    if account_id == PLANTED.escaped_title_day[0]:
        hit = posts["post_id"] == _post_id(*PLANTED.escaped_title_day, 1)
        posts.loc[hit, ["format", "pillar", "title", "topics"]] = ["carousel", "产品种草", PLANTED.escaped_title,
                                                                    "礼盒开箱;测评;限定"]
    if account_id == PLANTED.anomaly_day[0]:
        posts.loc[posts["post_id"] == _post_id(*PLANTED.anomaly_day, 1), "format"] = PLANTED.winning_format[1]


def _format_lift(account_id: str, fmt: np.ndarray) -> np.ndarray:
    """Engagement-rate multiplier by format: the planted winner on its account, mild differences elsewhere."""
    if account_id == PLANTED.winning_format[0]:
        return np.where(fmt == PLANTED.winning_format[1], 1.0, 1.0 / PLANTED.winning_format_lift)
    mild = {"image": 0.95, "carousel": 1.05, "short_video": 1.0, "text": 0.8, "video": 1.1, "article": 1.0}
    return np.array([mild.get(f, 1.0) for f in fmt])


def _topic_lift(pillar: np.ndarray) -> np.ndarray:
    """Engagement multiplier of the neglected topic (the field rewards it)."""
    return np.where(pillar == PLANTED.neglected_topic, PLANTED.neglected_topic_lift, 1.0)


def _in_evening(hour: np.ndarray) -> np.ndarray:
    """Whether a publication hour falls inside the planted evening window."""
    lo, hi = PLANTED.evening_window
    return (hour >= lo) & (hour < hi)


def _own_post_metrics(posts: pd.DataFrame, spec: _OwnSpec, er: np.ndarray, rng: np.random.Generator
                      ) -> pd.DataFrame:
    """Reach, views, engagement split, clicks, follows, video watch metrics, conversions and cost."""
    n = len(posts)
    fmt = posts["format"].to_numpy()
    impressions = posts["impressions"].to_numpy()
    video = np.isin(fmt, VIDEO_FORMATS)
    engaged = impressions * er
    weibo = spec.platform == "weibo"
    share = (0.70, 0.15, 0.15, 0.0) if weibo else (0.60, 0.10, 0.10, 0.20)
    likes, comments, shares, saves = (rng.poisson(engaged * s).astype(float) for s in share)
    if weibo:  # Weibo does not report saves
        saves = np.full(n, np.nan)
    clicks = rng.poisson(impressions * 0.006 * _lognormal(rng, 0.3, n))
    conversions = rng.binomial(clicks, 0.07)
    completion = np.select([fmt == "short_video", fmt == "video"],
                           [rng.beta(3.5, 6.0, n), rng.beta(3.0, 7.0, n)], np.nan)
    watch = np.select([fmt == "short_video", fmt == "video", fmt == "live"],
                      [rng.uniform(15, 90, n) * (0.35 + 0.65 * np.nan_to_num(completion)),
                       rng.uniform(30, 180, n) * (0.3 + 0.6 * np.nan_to_num(completion)),
                       95.0 * _lognormal(rng, 0.5, n)], np.nan)
    paid = posts["paid"].to_numpy()
    return posts.assign(
        reach=np.round(impressions * rng.uniform(0.65, 0.9, n)),
        views=np.where(video, np.round(impressions * rng.uniform(0.5, 0.8, n)), np.nan),
        likes=likes, comments=comments, shares=shares, saves=saves, clicks=clicks.astype(float),
        follows=rng.poisson(impressions * 0.0008 * er / spec.post_er).astype(float),
        completion_rate=np.round(completion, 4), avg_watch_s=np.round(watch, 1),
        conversions=conversions.astype(float),
        revenue=np.round(conversions * 120.0 * _lognormal(rng, 0.15, n), 2),
        cost=np.where(paid, np.round(impressions / 1000 * 45.0 * _lognormal(rng, 0.2, n), 2), np.nan),
    )


def _competitor_posts(spec: _CompSpec, dates: pd.DatetimeIndex, followers: np.ndarray,
                      rng: np.random.Generator) -> pd.DataFrame:
    """One competitor account's posts: only public metrics (likes, comments, shares, video views)."""
    counts = _post_days(len(dates), rng, own=False, rate=spec.posts_per_day)
    posts = _post_skeleton(spec.account_id, dates, counts, _COMP_FORMATS[spec.platform], _COMP_PILLAR_P, rng)
    n, day, fmt = len(posts), posts["day"].to_numpy(), posts["format"].to_numpy()
    video = np.isin(fmt, VIDEO_FORMATS)
    winner = spec.brand == PLANTED.competitor_video_winner
    lift = np.where(video & winner, PLANTED.competitor_video_lift, 1.0) * _topic_lift(posts["pillar"].to_numpy())
    base = followers[day] * 0.004 * _traffic(dates, spec.platform)[day] * lift * _lognormal(rng, 0.7, n)
    likes = rng.poisson(base)
    return posts.assign(
        paid=False, tier=np.nan,
        likes=likes.astype(float),
        comments=rng.poisson(base * 0.12).astype(float),
        shares=rng.poisson(base * 0.08).astype(float),
        views=np.where(video, np.round(base / 0.004 * 0.3 * _lognormal(rng, 0.3, n)), np.nan),
    )


def _posts(dates: pd.DatetimeIndex, daily: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The posts table of all accounts, sorted by account and time."""
    frames = [_own_posts(s, dates, _rng(seed, f"posts/{s.account_id}")) for s in _OWN]
    for s in _COMP:
        followers = daily.loc[daily["account_id"] == s.account_id, "followers"].to_numpy()
        frames.append(_competitor_posts(s, dates, followers, _rng(seed, f"posts/{s.account_id}")))
    return pd.concat(frames, ignore_index=True).reindex(columns=list(COLUMNS["posts"]))


# ---------------------------------------------------------------------------------------------
# audience and interactions
# ---------------------------------------------------------------------------------------------

_PROVINCES = ("广东", "浙江", "江苏", "上海", "北京", "四川", "山东", "湖北", "河南", "福建", "湖南", "安徽",
              "陕西", "重庆", "天津", "辽宁", "河北", "江西", "广西", "云南")
_PROVINCE_P = np.array([13, 9, 9, 7, 6, 6, 6, 5, 5, 4, 4, 3.5, 3, 3, 2.5, 2.5, 2.5, 2, 2, 2], dtype=float)
_TIERS = ("一线", "新一线", "二线", "三线", "四线及以下")
_INTERESTS = ("护肤", "彩妆", "香水", "穿搭", "健身", "美食", "旅行", "母婴", "宠物", "数码", "家居", "读书")
_INTEREST_P = np.array([0.8, 0.5, 0.2, 0.35, 0.2, 0.3, 0.25, 0.12, 0.15, 0.1, 0.15, 0.1])
_EVENTS = ("view", "like", "comment", "share", "save", "click", "message", "purchase")
_EVENT_P = np.array([0.46, 0.20, 0.06, 0.04, 0.07, 0.09, 0.03, 0.05])
_POST_EVENTS = ("view", "like", "comment", "share", "save", "click", "purchase")


def _user_attributes(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Demographics of n users: gender, age band, region, city tier, device, interests."""
    gender = np.array(["女", "男"])[(rng.random(n) < 0.24).astype(int)].astype(object)
    gender[rng.random(n) < 0.05] = np.nan
    age = np.array(["18-24", "25-30", "31-35", "36-40", "41+"])[rng.choice(5, n, p=[0.30, 0.33, 0.20, 0.10, 0.07])]
    region = np.array(_PROVINCES)[rng.choice(len(_PROVINCES), n, p=_PROVINCE_P / _PROVINCE_P.sum())]
    tier = np.array(_TIERS)[rng.choice(5, n, p=[0.18, 0.27, 0.25, 0.17, 0.13])]
    tier = np.where(np.isin(region, ("北京", "上海")), "一线", tier)
    device = np.array(["iOS", "Android", "PC"])[rng.choice(3, n, p=[0.46, 0.50, 0.04])]
    chosen = rng.random((n, len(_INTERESTS))) < _INTEREST_P
    chosen[np.arange(n), 0] |= ~chosen.any(axis=1)
    names = np.array(_INTERESTS)
    interests = [";".join(names[row]) for row in chosen]
    return pd.DataFrame({"gender": gender, "age_band": age, "region": region, "city_tier": tier,
                         "device": device, "interests": interests})


def _user_roles() -> np.ndarray:
    """Role per user index: 0 ordinary, 1 bot, 2 lapsing (from PLANTED)."""
    role = np.zeros(N_USERS, dtype=np.int8)
    role[[int(u[1:]) - 1 for u in PLANTED.bot_users]] = 1
    role[[int(u[1:]) - 1 for u in PLANTED.lapsing_segment]] = 2
    return role


def _first_seen_days(role: np.ndarray, dates: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Day index of each user's first contact: growing with the account, 2025 for lapsing, Sep–Oct 2026 for bots."""
    n_days = len(dates)
    weights = 1.35 ** _years(n_days) * _traffic(dates, "douyin")
    days = rng.choice(n_days, size=len(role), p=weights / weights.sum())
    y2025 = (_day_index(dates, "2025-01-01"), _day_index(dates, "2025-12-31") + 1)
    days = np.where(role == 2, rng.integers(*y2025, len(role)), days)
    bots = (_day_index(dates, "2026-09-01"), _day_index(dates, "2026-10-15") + 1)
    return np.where(role == 1, rng.integers(*bots, len(role)), days)


def _ordinary_events(users: np.ndarray, fs_day: np.ndarray, last_day: np.ndarray, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(user index, day) of ordinary users' events, Poisson in number, spread over their active span."""
    span = (last_day - fs_day)[users]
    rate = rng.gamma(0.7, 0.18 / 0.7, len(users))
    n = rng.poisson(rate * span / 7.0)
    n[span < 1] = 0
    who = np.repeat(users, n)
    day = fs_day[who] + 1 + np.floor(rng.random(len(who)) * np.repeat(span, n)).astype(np.int64)
    return who, day


def _lapsing_events(users: np.ndarray, fs_day: np.ndarray, stop_day: int, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(user index, day) of the lapsing segment: at least one event in every week until stop_day."""
    weeks = np.ceil((stop_day - fs_day[users]) / 7).astype(np.int64)
    who = np.repeat(users, weeks)
    week = np.arange(len(who)) - np.repeat(np.cumsum(weeks) - weeks, weeks)
    per_week = 1 + rng.poisson(0.08, len(who))
    who, week = np.repeat(who, per_week), np.repeat(week, per_week)
    day = fs_day[who] + 7 * week + rng.integers(1, 8, len(who))
    keep = day < stop_day
    return who[keep], day[keep]


def _bot_events(users: np.ndarray, fs_day: np.ndarray, dates: pd.DatetimeIndex, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray]:
    """(user index, timestamp) of bot bursts: 150–300 events within minutes, on the bot day and 3–5 other days."""
    spike = _day_index(dates, PLANTED.bot_spike_day[1])
    window_end = _day_index(dates, "2026-11-10")
    who_parts, time_parts = [], []
    extra = rng.integers(3, 6, len(users))
    burst_user = np.concatenate([users, np.repeat(users, extra)])
    later = rng.integers(fs_day[np.repeat(users, extra)] + 1, window_end)
    burst_day = np.concatenate([np.full(len(users), spike), later])
    size = rng.integers(150, 300, len(burst_user))
    start = rng.integers(0, 86_400 - 900, len(burst_user))
    length = rng.integers(180, 720, len(burst_user))
    for u, d, k, s, w in zip(burst_user, burst_day, size, start, length, strict=True):
        who_parts.append(np.full(k, u))
        time_parts.append(_timestamps(np.full(k, d), s + rng.integers(0, w, k)))
    return np.concatenate(who_parts), np.concatenate(time_parts)


def _link_posts(account: np.ndarray, when: np.ndarray, event: np.ndarray, posts: pd.DataFrame,
                rng: np.random.Generator) -> np.ndarray:
    """Post id an event refers to: a recent post of the account published before the event (or missing)."""
    out = np.full(len(account), np.nan, dtype=object)
    lag = rng.geometric(0.45, len(account)) - 1
    on_post = np.isin(event, _POST_EVENTS)
    for acc, group in posts.groupby("account_id", sort=True):
        mask = (account == acc) & on_post
        times = group["published_at"].to_numpy().astype("datetime64[s]")
        order = np.argsort(times, kind="stable")
        times, ids = times[order], group["post_id"].to_numpy()[order]
        idx = np.searchsorted(times, when[mask], side="right") - 1 - lag[mask]
        out[np.flatnonzero(mask)[idx >= 0]] = ids[idx[idx >= 0]]
    return out


@dataclass(frozen=True)
class _Users:
    """Per-user arrays (index = user number − 1): role, account, first contact, activity end, unfollow."""

    role: np.ndarray
    account: np.ndarray
    fs_day: np.ndarray
    first_seen: np.ndarray
    last_day: np.ndarray
    unfollowed_at: np.ndarray

    @property
    def ids(self) -> np.ndarray:
        """Pseudonymous user ids u000001, u000002, ..."""
        return np.array([f"u{i + 1:06d}" for i in range(len(self.role))])


def _users(dates: pd.DatetimeIndex, rng: np.random.Generator) -> _Users:
    """Draw every user's account, first contact, end of activity and (for some) unfollow time."""
    role = _user_roles()
    own_ids = np.array([s.account_id for s in _OWN])
    account = own_ids[rng.choice(4, N_USERS, p=[0.42, 0.28, 0.12, 0.18])]
    account = np.where(role == 2, own_ids[rng.choice(2, N_USERS, p=[0.55, 0.45])], account)
    account = np.where(role == 1, PLANTED.bot_spike_day[0], account)
    fs_day = _first_seen_days(role, dates, rng)
    first_seen = _timestamps(fs_day, _clock(rng, N_USERS, _ACTIVE_HOUR_WEIGHTS))
    last_day = np.minimum(fs_day + rng.exponential(200, N_USERS).astype(np.int64), len(dates) - 1)
    unf_day = last_day + rng.integers(1, 31, N_USERS)
    unfollows = (role == 0) & (rng.random(N_USERS) < 0.14) & (unf_day < len(dates))
    unfollowed_at = np.where(unfollows, _timestamps(unf_day, _clock(rng, N_USERS, _ACTIVE_HOUR_WEIGHTS)),
                             np.datetime64("NaT"))
    return _Users(role, account, fs_day, first_seen, last_day, unfollowed_at)


def _events(users: _Users, dates: pd.DatetimeIndex, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user index, time, event) of all users: ordinary and lapsing activity, bot bursts, follows, unfollows."""
    index = np.arange(N_USERS)
    ord_who, ord_day = _ordinary_events(index[users.role == 0], users.fs_day, users.last_day, rng)
    lap_who, lap_day = _lapsing_events(index[users.role == 2], users.fs_day,
                                       _day_index(dates, PLANTED.lapsing_since), rng)
    day = np.concatenate([ord_day, lap_day])
    when = _timestamps(day, _clock(rng, len(day), _ACTIVE_HOUR_WEIGHTS))
    event = np.array(_EVENTS)[rng.choice(len(_EVENTS), len(day), p=_EVENT_P)]
    bot_who, bot_when = _bot_events(index[users.role == 1], users.fs_day, dates, rng)
    bot_event = np.where(rng.random(len(bot_who)) < 0.6, "view", "like")
    unfollowed = index[~np.isnat(users.unfollowed_at)]
    who = np.concatenate([ord_who, lap_who, bot_who, index, unfollowed])
    when = np.concatenate([when, bot_when, users.first_seen, users.unfollowed_at[unfollowed]])
    event = np.concatenate([event, bot_event, np.full(N_USERS, "follow"), np.full(len(unfollowed), "unfollow")])
    return who, when, event


def _audience_and_interactions(dates: pd.DatetimeIndex, posts: pd.DataFrame, seed: int
                               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The audience table (one row per user) and its interactions: ordinary, lapsing and bot users."""
    rng = _rng(seed, "audience")
    users = _users(dates, rng)
    who, when, event = _events(users, dates, rng)
    value = np.where(event == "purchase", np.round(80 + 320 * rng.beta(2, 4, len(event)), 2), np.nan)
    ids = users.ids
    interactions = pd.DataFrame({
        "user_id": ids[who], "account_id": users.account[who], "occurred_at": when, "event": event,
        "post_id": _link_posts(users.account[who], when, event, posts, rng), "value": value})
    interactions = interactions.sort_values(["occurred_at", "user_id"], kind="stable", ignore_index=True)
    attrs = _user_attributes(N_USERS, rng)
    attrs.loc[users.role == 1, ["gender", "age_band", "region", "city_tier", "interests"]] = np.nan  # bare bots
    audience = pd.DataFrame({"user_id": ids, "account_id": users.account, "first_seen": users.first_seen,
                             "unfollowed_at": users.unfollowed_at})
    return pd.concat([audience, attrs], axis=1), interactions


# ---------------------------------------------------------------------------------------------
# touchpoints and conversions
# ---------------------------------------------------------------------------------------------

_CHANNELS_MID = {"douyin": 0.35, "weibo": 0.18, "kol": 0.20, "search": 0.10, "wechat": 0.17}
_CHANNELS_LAST = {"search": 0.35, "wechat": 0.30, "douyin": 0.15, "weibo": 0.08, "kol": 0.12}
_CAMPAIGN_OF = {"douyin": ("cmp_broad_reach", 0.4), "xiaohongshu": ("cmp_seeding_xhs", 0.5),
                "search": ("cmp_search_brand", 0.6), "wechat": ("cmp_retarget", 0.4), "kol": ("kol_seeding", 1.0)}


@dataclass(frozen=True)
class _Paths:
    """Journeys as flat touch arrays: journey index and position of each touch, channel, journey lengths."""

    journey: np.ndarray
    pos: np.ndarray
    channel: np.ndarray
    length: np.ndarray
    assisted: np.ndarray

    @property
    def last(self) -> np.ndarray:
        """Whether each touch is its journey's last."""
        return self.pos == self.length[self.journey] - 1


def _journey_paths(n: int, rng: np.random.Generator) -> _Paths:
    """Channel sequences: 30% of journeys hold one assist touch, almost never the last one."""
    length = rng.choice(np.arange(1, 7), n, p=[0.30, 0.25, 0.20, 0.12, 0.08, 0.05])
    assisted = rng.random(n) < 0.30
    assist_last = assisted & (rng.random(n) < 0.05)
    length = np.where(assisted & ~assist_last & (length == 1), 2, length)
    assist_pos = np.where(assist_last, length - 1, np.floor(rng.random(n) * (length - 1)).astype(np.int64))
    journey = np.repeat(np.arange(n), length)
    pos = np.arange(len(journey)) - np.repeat(np.cumsum(length) - length, length)
    mid = np.array(list(_CHANNELS_MID))[rng.choice(5, len(journey), p=list(_CHANNELS_MID.values()))]
    end = np.array(list(_CHANNELS_LAST))[rng.choice(5, len(journey), p=list(_CHANNELS_LAST.values()))]
    channel = np.where(pos == length[journey] - 1, end, mid).astype(object)
    channel[assisted[journey] & (pos == assist_pos[journey])] = PLANTED.assist_channel
    return _Paths(journey, pos, channel, length, assisted)


def _journey_converts(paths: _Paths, rng: np.random.Generator) -> np.ndarray:
    """Whether each journey converts: about 3× as likely with the assist channel, a little more when longer."""
    n = len(paths.length)
    has_search = np.bincount(paths.journey, weights=(paths.channel == "search").astype(float), minlength=n) > 0
    p_convert = 0.06 + 0.20 * paths.assisted + 0.015 * (paths.length - 1) + 0.03 * has_search
    return rng.random(n) < p_convert


def _journey_times(paths: _Paths, dates: pd.DatetimeIndex, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Touch timestamps (gaps of ~1.5 days) and each journey's conversion time (hours after the last touch)."""
    n = len(paths.length)
    gaps = np.where(paths.pos == 0, 0, rng.exponential(1.5 * 86_400, len(paths.journey))).astype(np.int64)
    cum = np.cumsum(gaps)
    offset = cum - np.repeat(cum[np.cumsum(paths.length) - paths.length], paths.length)
    delay = (120 + rng.exponential(4 * 3600, n)).astype(np.int64)
    span = offset[paths.last] + delay
    weights = 1.35 ** _years(len(dates)) * _traffic(dates, "douyin")
    start_day = rng.choice(len(dates), n, p=weights / weights.sum())
    start = _timestamps(start_day, _clock(rng, n, _ACTIVE_HOUR_WEIGHTS))
    latest = np.datetime64(END.date(), "s") + np.timedelta64(86_399, "s") - span.astype("timedelta64[s]")
    start = np.minimum(start, latest - rng.integers(0, 86_400, n).astype("timedelta64[s]"))  # end inside data
    touched = start[paths.journey] + offset.astype("timedelta64[s]")
    return touched, touched[paths.last] + delay.astype("timedelta64[s]")


def _journeys(dates: pd.DatetimeIndex, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Touchpoints of all journeys and the conversions of converting ones (xiaohongshu assists)."""
    rng = _rng(seed, "journeys")
    paths = _journey_paths(N_JOURNEYS, rng)
    converts = _journey_converts(paths, rng)
    touched, converted_at = _journey_times(paths, dates, rng)
    campaign = np.full(len(paths.journey), np.nan, dtype=object)
    for ch, (cmp, share) in _CAMPAIGN_OF.items():
        campaign[(paths.channel == ch) & (rng.random(len(paths.journey)) < share)] = cmp
    ids = np.array([f"j{i + 1:06d}" for i in range(N_JOURNEYS)])
    touchpoints = pd.DataFrame({"journey_id": ids[paths.journey], "occurred_at": touched, "channel": paths.channel,
                                "campaign": campaign})
    value = np.round(80 + 320 * rng.beta(2, 4, N_JOURNEYS), 2)
    conversions = pd.DataFrame({"journey_id": ids[converts], "occurred_at": converted_at[converts],
                                "value": value[converts]})
    return touchpoints, conversions


# ---------------------------------------------------------------------------------------------
# ad_daily
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Campaign:
    """An ad campaign: where it runs, its daily budget, CPM and its creatives' CTRs and budget shares.

    ``spend_sigma`` is the day-to-day lognormal spread of its spend; ``steady`` campaigns neither grow nor
    push spend on shopping festivals; ``saturation`` (b, or None for constant returns) shapes its revenue.
    """

    campaign_id: str
    account_id: str
    channel: str
    budget: float
    cpm: float
    ctrs: tuple[float, float, float]
    shares: tuple[float, float, float]
    prefix: str
    spend_sigma: float = 0.10
    steady: bool = False
    saturation: float | None = None


_CAMPAIGNS: tuple[_Campaign, ...] = (
    _Campaign("cmp_broad_reach", "own_douyin", "douyin_feed", 6000, 30, (0.062, PLANTED.low_ctr, 0.070),
              (0.40, 0.25, 0.35), "broad", spend_sigma=PLANTED.varied_spend_sigma),
    _Campaign("cmp_seeding_xhs", "own_xhs", "xiaohongshu_feed", 3000, 55, (0.075, 0.065, 0.082),
              (0.35, 0.30, 0.35), "seed", spend_sigma=PLANTED.varied_spend_sigma,
              saturation=PLANTED.saturation_spend),
    _Campaign("cmp_search_brand", "own_wechat", "search", 2000, 90, (0.085, 0.078, 0.090),
              (0.40, 0.30, 0.30), "search", spend_sigma=PLANTED.varied_spend_sigma),
    _Campaign("cmp_retarget", "own_wechat", "wechat_moments", 2500, 45, (0.058, 0.063, 0.068),
              (0.30, 0.35, 0.35), "retarget", spend_sigma=0.05, steady=True),
)


def _daily_spend(c: _Campaign, dates: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """A campaign's spend per day: budget × growth × festival push × lognormal day-to-day spread."""
    n = len(dates)
    trend = 1.0 if c.steady else (1 + 0.25 * _years(n)) * (1 + 0.6 * _shopping(dates))
    return c.budget * trend * _lognormal(rng, c.spend_sigma, n)


def _expected_revenue(c: _Campaign, spend_day: np.ndarray) -> np.ndarray:
    """A day's expected revenue at the planted ROAS: ∝ spend, or a·(1 − exp(−spend/b)) for a saturating one."""
    roas = PLANTED.campaign_roas[c.campaign_id]
    if c.saturation is None:
        return roas * spend_day
    b = c.saturation
    a = roas * b / (1 - np.exp(-1.0))  # average ROAS at spend b is the planted one
    return a * (1 - np.exp(-spend_day / b))


def _campaign_daily(c: _Campaign, dates: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One campaign's rows (3 creatives × days): spend, impressions, clicks, conversions, revenue."""
    n = len(dates)
    month = dates.strftime("%Y-%m").to_numpy()
    months, month_idx = np.unique(month, return_inverse=True)
    noise = _lognormal(rng, 0.07, len(months))[month_idx]  # the month's ROAS level ± 7 %
    spend_day = _daily_spend(c, dates, rng)
    split = rng.dirichlet(np.asarray(c.shares) * 60, n)
    ctr = np.asarray(c.ctrs)
    spend = np.round(spend_day[:, None] * split, 2)
    impressions = rng.poisson(spend / c.cpm * 1000 * _lognormal(rng, 0.05, (n, 3)))
    clicks = rng.binomial(impressions, np.clip(ctr * _lognormal(rng, 0.08, (n, 3)), 0, 1))
    expected_clicks = spend / c.cpm * 1000 * ctr
    aov = 150.0
    cvr_weight = expected_clicks / expected_clicks.sum(axis=1, keepdims=True)
    value_day = noise * _expected_revenue(c, spend_day)
    conversions = np.minimum(rng.poisson((value_day / aov)[:, None] * cvr_weight), clicks)
    revenue = conversions * aov * _lognormal(rng, 0.10, (n, 3))
    frame = pd.DataFrame({
        "date": np.repeat(dates, 3), "account_id": c.account_id, "campaign_id": c.campaign_id,
        "channel": c.channel, "creative_id": np.tile([f"cr_{c.prefix}_{k}" for k in (1, 2, 3)], n),
        "spend": spend.ravel(), "impressions": impressions.ravel(), "clicks": clicks.ravel(),
        "conversions": conversions.ravel(), "revenue": revenue.ravel()})
    return _calibrate_review_roas(frame, PLANTED.campaign_roas[c.campaign_id])


def _calibrate_review_roas(frame: pd.DataFrame, roas: float) -> pd.DataFrame:
    """Scale the review month's revenue so the campaign's ROAS there is exactly the planted value."""
    in_month = (frame["date"].dt.strftime("%Y-%m") == PLANTED.review_period).to_numpy()
    scale = roas * frame.loc[in_month, "spend"].sum() / frame.loc[in_month, "revenue"].sum()
    revenue = frame["revenue"].to_numpy() * np.where(in_month, scale, 1.0)
    return frame.assign(revenue=np.round(revenue, 2))


def _ad_daily(dates: pd.DatetimeIndex, seed: int) -> pd.DataFrame:
    """The ad_daily table: four campaigns × three creatives × every day."""
    frames = [_campaign_daily(c, dates, _rng(seed, f"ads/{c.campaign_id}")) for c in _CAMPAIGNS]
    return pd.concat(frames, ignore_index=True).reindex(columns=list(COLUMNS["ad_daily"]))


# ---------------------------------------------------------------------------------------------
# experiments
# ---------------------------------------------------------------------------------------------

def _experiments() -> pd.DataFrame:
    """The experiments table: a title test with a real lift and a cover test without one."""
    rows = [
        (PLANTED.experiment_with_lift, "标题风格：疑问式(A) vs 数字清单式(B)", "user", "conversions", "A", "A;B",
         "2026-09-01", "2026-09-28", "数字清单式标题让用户更快看到利益点，提高购买转化", "0.5;0.5",
         "clicks;revenue", 0.008),
        (PLANTED.experiment_without_lift, "封面样式：文字封面(A) vs 人物封面(B) vs 产品特写(C)", "user",
         "conversions", "A", "A;B;C", "2026-10-05", "2026-10-25", "人物或产品特写封面比纯文字封面更吸引点击和购买",
         "0.3333;0.3333;0.3334", "clicks;revenue", 0.01),
        (PLANTED.experiment_with_srm, "按钮颜色：橙色(A) vs 绿色(B)", "user", "clicks", "A", "A;B",
         "2026-10-01", "2026-10-14", "绿色按钮更醒目，提高点击", "0.5;0.5", "conversions;revenue", 0.01),
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS["experiments"]))
    return frame.assign(start=pd.to_datetime(frame["start"]), end=pd.to_datetime(frame["end"]))


def _weighted_pick(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k distinct indices drawn with probability ∝ weights, without replacement (Gumbel top-k)."""
    keys = np.log(weights) + rng.gumbel(size=len(weights))
    return np.argsort(-keys, kind="stable")[:k]


def _experiment_units(experiment_id: str, prefix: str, arms: Mapping[str, tuple[int, float, float]],
                      rng: np.random.Generator) -> pd.DataFrame:
    """Units of one experiment; arms maps variant → (units, conversion rate, click lift).

    Conversions per arm are fixed at rate × units (± a dozen) and go preferentially to loyal users,
    which also carry pre-period revenue, so pre_revenue correlates with revenue (ρ ≈ 0.5) without
    depending on the variant.
    """
    frames = []
    for variant, (size, rate, click_lift) in arms.items():
        loyal = rng.random(size) < 0.06
        is_new = rng.random(size) < 0.30
        weight = np.where(loyal, 0.5, 0.0106) * np.where(is_new, 0.8, 1.0)
        k = round(size * rate) + int(rng.integers(-12, 13))
        converted = np.zeros(size, dtype=np.int64)
        converted[_weighted_pick(weight, k, rng)] = 1
        exposures = 1 + rng.poisson(1.5, size)
        clicks = np.maximum(rng.binomial(exposures, 0.12 * click_lift), converted)
        pre = np.where(loyal, 300.0 * _lognormal(rng, 0.4, size),
                       np.where(rng.random(size) < 0.10, 60.0 * _lognormal(rng, 0.5, size), 0.0))
        basket = np.where(loyal, np.sqrt(pre / 300.0), 1.0)  # big spenders buy bigger baskets
        revenue = converted * 120.0 * _lognormal(rng, 0.3, size) * basket
        frames.append(pd.DataFrame({
            "variant": variant, "exposures": exposures, "clicks": clicks, "conversions": converted,
            "revenue": np.round(revenue, 2), "pre_revenue": np.round(pre, 2),
            "platform": np.array(["douyin", "xiaohongshu", "wechat", "weibo"])[
                rng.choice(4, size, p=[0.45, 0.30, 0.15, 0.10])],
            "device": np.where(rng.random(size) < 0.45, "iOS", "Android"), "is_new": is_new}))
    units = pd.concat(frames, ignore_index=True)
    units = units.iloc[rng.permutation(len(units))].reset_index(drop=True)
    units.insert(0, "unit_id", [f"{prefix}{i + 1:06d}" for i in range(len(units))])
    units.insert(0, "experiment_id", experiment_id)
    return units


def _all_experiment_units(seed: int) -> pd.DataFrame:
    """experiment_units of both experiments, arm sizes near (not exactly) the planned split."""
    rng = _rng(seed, "experiments")
    control, treated = PLANTED.experiment_lift_rates
    title = {"A": (20_000 + int(rng.integers(-60, 61)), control, 1.0),
             "B": (20_000 + int(rng.integers(-60, 61)), treated, 1.08)}
    cover = {v: (10_000 + int(rng.integers(-50, 51)), 0.040, 1.0) for v in ("A", "B", "C")}
    units = pd.concat([_experiment_units(PLANTED.experiment_with_lift, "T", title, rng),
                       _experiment_units(PLANTED.experiment_without_lift, "C", cover, rng)], ignore_index=True)
    srm_rng = _rng(seed, "experiment-srm")  # own stream: the two experiments above stay as they were
    cta = {"A": (10_400, 0.040, 1.0), "B": (9_600, 0.040, 1.0)}
    units = pd.concat([units, _experiment_units(PLANTED.experiment_with_srm, "S", cta, srm_rng)],
                      ignore_index=True)
    return _with_assignment_times(units, seed)


def _with_assignment_times(units: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Add assigned_at: each unit's first exposure, uniform over its experiment's run (for peeking charts)."""
    rng = _rng(seed, "experiment-times")
    runs = _experiments().set_index("experiment_id")
    start = units["experiment_id"].map(runs["start"])
    seconds = (units["experiment_id"].map(runs["end"]) - start).dt.total_seconds() + 86_400
    offset = pd.to_timedelta(np.floor(rng.random(len(units)) * seconds.to_numpy()), unit="s")
    return units.assign(assigned_at=(start + offset).dt.floor("s"))


# ---------------------------------------------------------------------------------------------
# targets
# ---------------------------------------------------------------------------------------------

KPIS: tuple[str, ...] = ("followers", "net_follower_change", "impressions", "engagements", "conversions",
                         "revenue", "posts_published")


def _monthly_actuals(daily: pd.DataFrame, posts: pd.DataFrame) -> pd.DataFrame:
    """Monthly KPI actuals of own accounts (the definitions targets are set against), long format.

    followers = followers on the month's last day; net_follower_change = Σ gained − Σ lost;
    impressions, engagements, conversions, revenue = monthly sums; posts_published = post count.
    Also returns the number of days observed and the days in the month.
    """
    own = daily[daily["account_id"].isin([s.account_id for s in _OWN])]
    own = own.assign(period=own["date"].dt.strftime("%Y-%m"), net=own["followers_gained"] - own["followers_lost"])
    grouped = own.sort_values("date").groupby(["account_id", "period"])
    wide = grouped.agg(followers=("followers", "last"), net_follower_change=("net", "sum"),
                       impressions=("impressions", "sum"), engagements=("engagements", "sum"),
                       conversions=("conversions", "sum"), revenue=("revenue", "sum"),
                       days=("date", "size"), month_days=("date", lambda d: d.iloc[0].days_in_month))
    post_month = posts.assign(period=posts["published_at"].dt.strftime("%Y-%m"))
    counts = post_month.groupby(["account_id", "period"]).size().rename("posts_published")
    wide = wide.join(counts).fillna({"posts_published": 0}).reset_index()
    return wide.melt(id_vars=["account_id", "period", "days", "month_days"], value_vars=list(KPIS),
                     var_name="kpi", value_name="actual")


def _nice_round(x: np.ndarray) -> np.ndarray:
    """Round targets the way planners write them: three significant digits, whole numbers at least."""
    x = np.asarray(x, dtype=float)
    digits = np.floor(np.log10(np.maximum(np.abs(x), 1.0))).astype(int)
    step = 10.0 ** np.maximum(digits - 2, 0)
    return np.round(x / step) * step


def _full_month(actuals: pd.DataFrame, daily: pd.DataFrame) -> np.ndarray:
    """Actuals extrapolated to the whole month (only the last, partial month changes): what a plan targets.

    Sums scale by days in month ÷ days observed; followers add the last 30 days' mean net change per
    remaining day.
    """
    recent = daily.sort_values("date").groupby("account_id").tail(30)
    daily_net = (recent["followers_gained"] - recent["followers_lost"]).groupby(recent["account_id"]).mean()
    remaining = (actuals["month_days"] - actuals["days"]).to_numpy()
    summed = actuals["actual"].to_numpy() * actuals["month_days"].to_numpy() / actuals["days"].to_numpy()
    extended = actuals["actual"].to_numpy() + remaining * actuals["account_id"].map(daily_net).to_numpy()
    return np.where(actuals["kpi"].to_numpy() == "followers", extended, summed)


def _targets(daily: pd.DataFrame, posts: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Monthly targets per own account and KPI, set from the actuals so attainment is planned."""
    rng = _rng(seed, "targets")
    actuals = _monthly_actuals(daily, posts)
    actuals = actuals.sort_values(["account_id", "kpi", "period"], ignore_index=True)
    review = (actuals["period"] == PLANTED.review_period).to_numpy()
    level = (actuals["kpi"] == "followers").to_numpy()  # a follower level is planned tightly, flows loosely
    attainment = np.where(review, np.where(level, rng.uniform(0.99, 1.03, len(actuals)),
                                           rng.uniform(0.98, 1.10, len(actuals))),
                          np.where(level, rng.normal(1.01, 0.015, len(actuals)),
                                   np.clip(rng.normal(1.04, 0.07, len(actuals)), 0.82, 1.30)))
    account, kpi, period, miss = PLANTED.missed_kpi
    missed = ((actuals["account_id"] == account) & (actuals["kpi"] == kpi) & (actuals["period"] == period)).to_numpy()
    attainment = np.where(missed, miss, attainment)
    target = _nice_round(_full_month(actuals, daily) / attainment)
    frame = actuals[["account_id", "kpi", "period"]].assign(target=target)
    return pd.concat([frame, _sentiment_targets()], ignore_index=True)


def _sentiment_targets() -> pd.DataFrame:
    """Monthly net_sentiment targets (PLANTED.net_sentiment_target) per own account for the months comments cover."""
    months = pd.period_range(PLANTED.voc_start, END, freq="M").strftime("%Y-%m")
    rows = [(s.account_id, "net_sentiment", m) for s in _OWN for m in months]
    return pd.DataFrame(rows, columns=["account_id", "kpi", "period"]).assign(target=PLANTED.net_sentiment_target)


# ---------------------------------------------------------------------------------------------
# risks and topic bank
# ---------------------------------------------------------------------------------------------

_RISKS = (
    ("content", "功效宣称用词不当（如“根治”“医用级”），被平台判定违规限流", 0.35, 4, "内容主编",
     "建立违禁词库，发布前双人审核", "open"),
    ("content", "达人合作内容质量参差，出现虚假测评引发负面舆情", 0.25, 4, "KOL经理",
     "合同约定审稿权，保留素材与授权记录", "monitoring"),
    ("content", "热点借势不当引发争议", 0.15, 3, "内容主编", "热点选题需主编复核，准备下架与致歉预案", "closed"),
    ("strategy", "小红书种草投入占比偏低，协助转化作用未被末次归因体现", 0.50, 3, "增长负责人",
     "引入多触点归因，按马尔可夫贡献分配预算", "open"),
    ("strategy", "广撒网投放（cmp_broad_reach）ROAS 低于止损线 3.0", 0.60, 4, "投放经理",
     "暂停低 CTR 素材，预算转向搜索与种草", "open"),
    ("strategy", "内容同质化，成分科普类内容供给不足", 0.40, 3, "内容策略", "每周固定 2 条成分科普栏目", "monitoring"),
    ("platform-rule", "抖音直播带货新规收紧，口播话术需调整", 0.30, 3, "直播运营", "更新话术模板，直播前合规培训", "monitoring"),
    ("platform-rule", "微博异常流量识别升级，机器流量导致数据失真", 0.45, 2, "数据分析",
     "按 IQR 规则剔除异常流量，复核投放渠道", "open"),
    ("technical", "第三方数据导出接口变更，日报数据缺失", 0.20, 3, "数据分析", "保留手工导出流程，接口变更监控告警", "closed"),
    ("technical", "小程序商城大促期间访问拥堵", 0.15, 5, "技术负责人", "双11 前压测扩容，准备降级方案", "monitoring"),
    ("compliance", "用户个人信息收集未获明示同意（个人信息保护法）", 0.10, 5, "法务", "抽奖活动统一隐私条款与授权流程",
     "open"),
    ("compliance", "广告未标注“广告”字样被处罚", 0.20, 4, "法务", "付费内容统一加注标识，月度抽查", "closed"),
    ("content", "负面舆情集中爆发（物流、质量投诉）", 0.30, 4, "客服主管",
     "24小时内回应，48小时未平息升级至品牌公关", "open"),
)
#: Response SOP hours (respond within, escalate after) of the risks that have one, by risk_id.
_RISK_SOP: Mapping[str, tuple[float, float]] = MappingProxyType({PLANTED.voc_risk: (24.0, 48.0)})


def _risks() -> pd.DataFrame:
    """The risk register: thirteen risks across the five categories of the methodology; the 舆情 one has an SOP."""
    frame = pd.DataFrame(_RISKS, columns=["category", "description", "probability", "impact", "owner", "mitigation",
                                          "status"])
    frame.insert(0, "risk_id", [f"R{i + 1:02d}" for i in range(len(frame))])
    sop = frame["risk_id"].map(lambda r: _RISK_SOP.get(r, (np.nan, np.nan)))
    return frame.assign(respond_within_h=[h[0] for h in sop], escalate_after_h=[h[1] for h in sop])


_TOPICS = {
    "产品种草": (("维C精华早晚怎么搭", "short_video"), ("防晒乳油皮实测", "carousel"), ("敏感肌面霜横评", "carousel"),
             ("百元护肤好物清单", "image"), ("卸妆油乳化实验", "short_video"), ("身体乳秋冬回购理由", "image"),
             ("礼盒开箱：双11限定", "short_video"), ("精华水湿敷对比", "carousel")),
    "成分科普": (("烟酰胺浓度怎么选", "carousel"), ("视黄醇建立耐受指南", "article"), ("玻色因到底贵在哪", "short_video"),
             ("水杨酸和果酸的区别", "carousel"), ("神经酰胺修护屏障原理", "article"), ("成分党避坑：酒精与香精", "short_video"),
             ("维C衍生物科普", "image"), ("积雪草舒缓原理", "carousel")),
    "用户故事": (("油痘肌三个月改善日记", "carousel"), ("宝妈极简护肤", "short_video"), ("熬夜党急救护肤", "short_video"),
             ("粉丝空瓶故事征集", "article"), ("换季泛红自救记录", "image"), ("上班族通勤妆容", "short_video"),
             ("男生第一次护肤", "short_video"), ("素颜挑战30天", "carousel")),
    "品牌活动": (("618宠粉直播", "live"), ("双11预售攻略", "article"), ("品牌周年庆抽奖", "image"),
             ("新品首发直播", "live"), ("520限定礼盒", "carousel"), ("会员日福利", "text"),
             ("门店快闪活动", "video"), ("年货节礼盒推荐", "image")),
    "教程": (("早C晚A正确顺序", "short_video"), ("防晒补涂技巧", "short_video"), ("新手护肤五步法", "carousel"),
           ("面膜正确使用时长", "image"), ("化妆前打底步骤", "short_video"), ("油皮控油流程", "carousel"),
           ("眼霜手法教学", "short_video"), ("周末深层清洁流程", "article")),
}
_SOURCES = ("数据复盘", "用户反馈", "竞品爆款", "热点日历")


def _topic_bank(seed: int) -> pd.DataFrame:
    """The topic bank: 40 candidate topics with pillar, format, source and a strategic weight 0.5–2."""
    rng = _rng(seed, "topics")
    rows = [(topic, pillar, fmt) for pillar, topics in _TOPICS.items() for topic, fmt in topics]
    frame = pd.DataFrame(rows, columns=["topic", "pillar", "format"])
    neglected = (frame["pillar"] == PLANTED.neglected_topic).to_numpy()
    weight = np.where(neglected, rng.uniform(1.4, 2.0, len(frame)), rng.uniform(0.5, 1.6, len(frame)))
    source = np.array(_SOURCES)[rng.choice(len(_SOURCES), len(frame))]
    source = np.where(neglected, "竞品爆款", source)
    notes = np.where(neglected, "竞品同类内容互动约高40%，我方发布占比不足5%", np.where(
        frame["pillar"] == "品牌活动", "配合大促节点排期", "常规栏目，按数据复盘调整"))
    return frame.assign(source=source, strategic_weight=np.round(weight, 1), notes=notes)


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------

def build_tables(seed: int = config.SAMPLE_SEED) -> dict[str, pd.DataFrame]:
    """Build every table of the sample set in memory (no files), in schema order."""
    _check_seed(seed)
    dates = _dates()
    daily = _account_daily(dates, seed)
    posts = _posts(dates, daily, seed)
    audience, interactions = _audience_and_interactions(dates, posts, seed)
    touchpoints, conversions = _journeys(dates, seed)
    tables = {
        "accounts": _accounts(), "posts": posts, "account_daily": daily, "audience": audience,
        "interactions": interactions, "touchpoints": touchpoints, "conversions": conversions,
        "ad_daily": _ad_daily(dates, seed), "experiments": _experiments(),
        "experiment_units": _all_experiment_units(seed), "targets": _targets(daily, posts, seed),
        "risks": _risks(), "topic_bank": _topic_bank(seed),
        "comments": comment_rows(posts, tuple(s.account_id for s in _OWN), PLANTED, _rng(seed, "comments"), END),
    }
    tables.update(build_kol_tables(lambda part: _rng(seed, part), END, audience, touchpoints, conversions,
                                   feed_cpa(tables["ad_daily"]), PLANTED.kol_brand, PLANTED))
    return {name: tables[name].reindex(columns=list(COLUMNS[name])) for name in TABLES}


def feed_cpa(ad_daily: pd.DataFrame) -> dict[str, float]:
    """CPA per ad channel over the whole sample: Σspend ÷ Σconversions (what the KOL prices are planted against)."""
    sums = ad_daily.groupby("channel")[["spend", "conversions"]].sum()
    return (sums["spend"] / sums["conversions"]).to_dict()


def _check_seed(seed: object) -> None:
    """Reject seeds numpy would not take (negative, non-integer)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}; "
                             f"the bundled sample uses {config.SAMPLE_SEED}.")


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO 8601 text (YYYY-MM-DD, timestamps with T, NaT empty); whole-number floats as integers."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            values = out[col].to_numpy().astype("datetime64[s]")
            text = np.datetime_as_string(values, unit="D" if col in _DATE_COLUMNS else "s").astype(object)
            text[np.isnat(values)] = ""
            out[col] = pd.Series(text, index=out.index, dtype=object)
        elif pd.api.types.is_float_dtype(out[col]):
            values = out[col].to_numpy()
            if np.all(np.isnan(values) | (values == np.round(values))):
                out[col] = out[col].astype("Int64")  # 12 rather than 12.0; missing stays empty
    return out


def _check_out_dir(out_dir: Path) -> None:
    """Refuse an output path that exists but is not a folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"{out_dir} is a file; give a folder to write the sample data into.")


def _write_tables(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> None:
    """Write each table as UTF-8 ``<table>.csv``; each file appears whole or not at all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        tmp = out_dir / f".{name}.csv.tmp"
        _csv_ready(frame).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        tmp.replace(out_dir / f"{name}.csv")


def generate_sample(out_dir: Path, seed: int = config.SAMPLE_SEED) -> dict[str, pd.DataFrame]:
    """Build the sample data set from ``seed``, write ``<table>.csv`` files into ``out_dir``, return the tables."""
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    tables = build_tables(seed)
    _write_tables(tables, out_dir)
    (Path(out_dir) / STAMP_FILE).write_text(generator_fingerprint(seed), encoding="utf-8")
    return tables


STAMP_FILE = ".generator"


def ensure_sample(out_dir: Path | None = None) -> Path:
    """Return a folder holding the sample data, generating it (default seed) if a file is missing or stale."""
    folder = config.SAMPLE_DATA if out_dir is None else Path(out_dir)
    stamp = folder / STAMP_FILE
    complete = all((folder / f"{name}.csv").is_file() for name in TABLES)
    if not complete or not stamp.is_file() or stamp.read_text(encoding="utf-8") != generator_fingerprint():
        generate_sample(folder)
    return folder


def generator_fingerprint(seed: int = config.SAMPLE_SEED) -> str:
    """A hash of this generator's source and the seed: sample data made by another version is regenerated."""
    here = Path(__file__).parent
    source = b"".join((here / name).read_bytes() for name in ("sample.py", "sample_comments.py", "sample_kols.py"))
    return hashlib.sha256(source + str(seed).encode()).hexdigest()[:16]
