"""The sample's KOL tables (kols, kol_posts, kol_daily, kol_audience, kol_followers) and our past bookings.

40 KOLs (达人) on xiaohongshu, douyin, bilibili and weibo, mostly 护肤/美妆, from 20k to 3M followers
(log-uniform: a few head accounts, a 腰部 of 100k–500k, a long tail). Every KOL has a true share of
empty (fake or dead) followers and a true real interaction rate: engagements of an organic post ÷ its
real followers. Posts draw their engagements around that rate with lognormal post-to-post noise;
sponsored posts get 0.6–0.8× organic engagement; comments are 2–6 % of likes for real accounts.
Prices follow the platform and size (xiaohongshu 图文 0.05–0.15 CNY per follower, douyin video
0.10–0.30), some KOLs have no quote (missing, never 0).

The planted cases (ids and truths in ``helpers.sample.PLANTED``, fields ``kol_*``):
- a bought-follower account: three single-day follower jumps without an engagement rise, a follower
  sample 55 % empty profiles, engagement per follower far under its size norm, comments 0.5 % of likes;
- a real mid-tier KOL (8.5 % real interaction rate, the brand's audience, expected CPA 0.7× the
  xiaohongshu feed ads');
- a mismatched KOL (real and engaged, but a male 数码/游戏 audience);
- an expensive KOL (real, good fit, expected CPA 2.5× the douyin feed ads');
- a borderline KOL (a 60-follower sample, 30 % empty: the estimate straddles the 30 % threshold).

Expected CPA = price ÷ (expected sponsored engagements × conversions per engagement), with
``PLANTED.kol_conversions_per_engagement``. Our six past bookings (2026-05..2026-10) are kol_posts rows with
our brand, a campaign id ``kol_<yyyymm>_<kol_id>`` and a cost; ``label_bookings`` re-labels the
existing ``kol`` touchpoints of the ~14 days after each booked post (converting journeys first, in
time order) so each campaign's linear credit is that rate × the post's engagements. Only the
campaign column changes: channels, journeys and conversions stay as they were, so the period review's
attribution does not move. Pitfall: the sample's kol channel carries only ~40 conversions of linear
credit a month, so the booked KOLs are small (a few hundred engagements a post); a window without
enough credit is widened to 21 days.

Everything is vectorised per table and seeded per part (``rng(part)``), so one table never shifts another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # helpers.sample imports this module
    from helpers.sample import PlantedEffects

Rng = Callable[[str], np.random.Generator]

KOL_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "kols": ("kol_id", "platform", "name", "followers", "category", "price", "price_format", "contact_owner",
             "handle", "region"),
    "kol_posts": ("post_id", "kol_id", "published_at", "format", "title", "views", "likes", "comments", "shares",
                  "saves", "impressions", "is_sponsored", "brand", "campaign", "cost"),
    "kol_daily": ("kol_id", "date", "followers"),
    "kol_audience": ("kol_id", "dimension", "bucket", "share"),
    "kol_followers": ("kol_id", "follower_id", "has_avatar", "posts", "followers", "following", "created_at",
                      "nickname", "gender", "age_band", "region", "city_tier"),
})

HISTORY_DAYS = 120      # posts of the last 120 days before the sample's end
DAILY_DAYS = 180        # kol_daily: 180 days of followers
SPONSORED_SHARE = 0.2
AGE_BANDS: tuple[str, ...] = ("18-24", "25-30", "31-35", "36-40", "41+")
_EMPTY_DAYS = 90        # empty profiles were created within the last 90 days


@dataclass(frozen=True)
class KolSpec:
    """One KOL's truths: size, real interaction rate, empty-follower share, price and audience."""

    kol_id: str
    name: str
    platform: str
    category: str
    followers: int
    real_rate: float        # engagements of an organic post ÷ real followers
    fake_share: float       # true share of empty (bought or dead) followers
    price: float | None
    price_format: str
    comment_ratio: float    # comments ÷ likes


# (name, platform, category) of the 40 KOLs, kol_01..kol_40; the planted ones are fixed below.
_ROSTER: tuple[tuple[str, str, str], ...] = (
    ("小鹿护肤日记", "xiaohongshu", "护肤"), ("成分党阿May", "xiaohongshu", "护肤"),
    ("糖糖爱美妆", "xiaohongshu", "美妆"), ("敏感肌自救指南", "xiaohongshu", "护肤"),
    ("Coco的梳妆台", "xiaohongshu", "护肤"), ("早八通勤妆", "xiaohongshu", "美妆"),
    ("一颗柠檬酱", "xiaohongshu", "美妆"), ("穿搭小课堂", "xiaohongshu", "穿搭"),
    ("油皮亲妈小周", "xiaohongshu", "护肤"), ("宝妈的护肤清单", "xiaohongshu", "母婴"),
    ("护肤研究所Lily", "xiaohongshu", "护肤"), ("空瓶记录员", "xiaohongshu", "护肤"),
    ("美妆博主七七", "xiaohongshu", "美妆"), ("平价好物挖掘机", "xiaohongshu", "美妆"),
    ("干皮星人", "xiaohongshu", "护肤"), ("小个子穿搭日记", "xiaohongshu", "穿搭"),
    ("素颜女孩阿琳", "xiaohongshu", "护肤"), ("深夜食堂小厨", "xiaohongshu", "美食"),
    ("化妆师Tony老师", "xiaohongshu", "美妆"), ("护肤老司机", "xiaohongshu", "护肤"),
    ("皮肤科医生王姐", "douyin", "护肤"), ("美妆情报局", "douyin", "美妆"),
    ("数码测评老张", "douyin", "数码"), ("变美研究社", "douyin", "美妆"),
    ("护肤课代表", "douyin", "护肤"), ("时髦精穿搭", "douyin", "穿搭"),
    ("护肤实验室小吴", "douyin", "护肤"), ("新手妈妈日记", "douyin", "母婴"),
    ("好物种草机", "douyin", "美妆"), ("口红一哥小刘", "douyin", "美妆"),
    ("吃货阿飞", "douyin", "美食"), ("成分真相", "douyin", "护肤"),
    ("美妆大咖Vivi", "douyin", "美妆"), ("搞机少年", "douyin", "数码"),
    ("护肤UP主柚子", "bilibili", "护肤"), ("化妆品成分解析", "bilibili", "护肤"),
    ("数码区小白", "bilibili", "数码"), ("时尚博主Momo", "weibo", "美妆"),
    ("护肤达人晴天", "weibo", "护肤"), ("明星化妆师Amy", "weibo", "美妆"),
)

_PRICE_PER_FOLLOWER = {"xiaohongshu": (0.025, 0.08), "douyin": (0.05, 0.15), "bilibili": (0.08, 0.20),
                       "weibo": (0.02, 0.05)}
_PRICE_FORMAT = {"xiaohongshu": "image", "douyin": "video", "bilibili": "video", "weibo": "article"}
_RATE_PLATFORM = {"xiaohongshu": 1.0, "douyin": 0.75, "bilibili": 0.9, "weibo": 0.35}
_OWNERS = ("王敏", "李娜", "张伟")
_OTHER_BRANDS = ("素颜记", "桃气研究所", "木槿集", "云朵肌", "花西子", "珀莱雅", "薇诺娜", "完美日记")

# Bookings: (kol_id, published day, delivery factor vs the KOL's predicted sponsored engagement).
_BOOKINGS: tuple[tuple[str, str, float], ...] = (
    ("kol_14", "2026-05-12", 1.05), ("kol_29", "2026-06-09", 0.9), ("kol_17", "2026-07-08", 2.0),
    ("kol_38", "2026-08-11", 1.1), ("kol_06", "2026-09-08", 0.2), ("kol_27", "2026-10-13", 0.95),
)
_BOOKED_FOLLOWERS = {"kol_14": 9_000, "kol_29": 11_500, "kol_17": 8_200, "kol_38": 15_000, "kol_06": 10_400,
                     "kol_27": 9_600}
_BOOKED_RATE = 0.06         # booked KOCs (素人/小达人): engaged, a few hundred engagements a post
_PLANNED_ROI = 3.4          # booking cost = predicted credited revenue ÷ 3.4 (just above the 3:1 stop-loss)
_MEAN_ORDER = 187.0         # the sample's mean conversion value (conversions.value)


def norm_rate(followers: np.ndarray | float, platform: np.ndarray | str) -> np.ndarray:
    """The size norm of a real interaction rate: 8 % at 100k followers, falling with size (xiaohongshu scale)."""
    factor = np.vectorize(_RATE_PLATFORM.get)(platform)
    return np.asarray(0.08 * (np.asarray(followers, dtype=float) / 1e5) ** -0.2 * factor, dtype=float)


def kol_specs(planted: PlantedEffects, rng: np.random.Generator, feed_cpa: Mapping[str, float]) -> tuple[KolSpec, ...]:
    """The 40 KOLs' truths: drawn sizes and rates, the planted cases set exactly."""
    n = len(_ROSTER)
    ids = [f"kol_{i + 1:02d}" for i in range(n)]
    platform = np.array([r[1] for r in _ROSTER])
    followers = np.round(np.exp(rng.uniform(np.log(20_000), np.log(3_000_000), n)), -2)
    rate = norm_rate(followers, platform) * rng.lognormal(0.0, 0.25, n)
    fake = rng.uniform(0.04, 0.13, n)
    lo, hi = np.array([_PRICE_PER_FOLLOWER[p] for p in platform]).T
    price = np.round(followers * rng.uniform(lo, hi), -2)
    no_price = rng.random(n) < 0.15
    ratio = rng.uniform(0.02, 0.06, n)
    by_id = {k: i for i, k in enumerate(ids)}
    for kol, f in _BOOKED_FOLLOWERS.items():
        i = by_id[kol]
        followers[i], rate[i], no_price[i] = f, _BOOKED_RATE, False
        price[i] = np.round(_booking_cost(f * (1 - fake[i]) * _BOOKED_RATE * 0.7, planted), -1)
    cpe = float(planted.kol_conversions_per_engagement)
    overrides = {
        planted.kol_fake_id: dict(followers=400_000, rate=0.0065 / 0.45, fake=0.55, ratio=0.005),
        planted.kol_real_mid_id: dict(followers=180_000, rate=0.085, fake=0.05, ratio=0.045),
        planted.kol_mismatch_id: dict(followers=600_000, rate=0.07, fake=0.06, ratio=0.04),
        planted.kol_expensive_id: dict(followers=1_200_000, rate=0.065, fake=0.06, ratio=0.035),
        planted.kol_borderline_id: dict(followers=90_000, rate=0.05, fake=0.30, ratio=0.03),
    }
    cpa_of = {planted.kol_real_mid_id: ("xiaohongshu_feed", 0.7),
              planted.kol_expensive_id: ("douyin_feed", 2.5)}
    for kol, o in overrides.items():
        i = by_id[kol]
        followers[i], rate[i], fake[i], ratio[i], no_price[i] = o["followers"], o["rate"], o["fake"], o["ratio"], False
        if kol in cpa_of:
            channel, times = cpa_of[kol]
            sponsored = o["followers"] * (1 - o["fake"]) * o["rate"] * 0.7
            price[i] = np.round(times * feed_cpa[channel] * sponsored * cpe, -2)
    return tuple(
        KolSpec(ids[i], _ROSTER[i][0], platform[i], _ROSTER[i][2], int(followers[i]), float(rate[i]),
                float(fake[i]), None if no_price[i] else float(price[i]), _PRICE_FORMAT[platform[i]],
                float(ratio[i]))
        for i in range(n))


def _booking_cost(predicted_engagements: float, planted: PlantedEffects) -> float:
    """What we paid for a booking: the predicted credited revenue ÷ the planned ROI."""
    cpe = float(planted.kol_conversions_per_engagement)
    return predicted_engagements * cpe * _MEAN_ORDER / _PLANNED_ROI


def kols_table(specs: tuple[KolSpec, ...], rng: np.random.Generator) -> pd.DataFrame:
    """The kols table: one row per KOL; some without a quote, some with our contact owner."""
    n = len(specs)
    has_owner = rng.random(n) < 0.4
    owner = pd.Series(np.array(_OWNERS)[rng.integers(0, len(_OWNERS), n)]).where(has_owner)
    region = np.array(("上海", "杭州", "广州", "北京", "成都", "深圳"))[rng.integers(0, 6, n)]
    return pd.DataFrame({
        "kol_id": [s.kol_id for s in specs], "platform": [s.platform for s in specs],
        "name": [s.name for s in specs], "followers": [s.followers for s in specs],
        "category": [s.category for s in specs],
        "price": [np.nan if s.price is None else s.price for s in specs],
        "price_format": [s.price_format for s in specs], "contact_owner": owner,
        "handle": [f"{s.platform[:2]}{int(s.kol_id[4:]) * 7919 + 100000}" for s in specs],
        "region": region,
    })


# ---------------------------------------------------------------------------------------------
# kol_posts
# ---------------------------------------------------------------------------------------------

def _first_post_day(spec: KolSpec, end: pd.Timestamp) -> pd.Timestamp:
    """Start of a KOL's post history: 120 days before the end, earlier for a booked KOL (90 days before its booking)."""
    start = end - pd.Timedelta(days=HISTORY_DAYS)
    for kol, day, _ in _BOOKINGS:
        if kol == spec.kol_id:
            start = min(start, pd.Timestamp(day) - pd.Timedelta(days=90))
    return start


def _formats(platform: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Post formats by platform: xiaohongshu image/short video, douyin short video, bilibili video, weibo mixed."""
    u = rng.random(len(platform))
    return np.select(
        [platform == "xiaohongshu", platform == "douyin", platform == "bilibili"],
        [np.where(u < 0.6, "image", "short_video"), "short_video", "video"],
        np.where(u < 0.5, "image", np.where(u < 0.8, "text", "video")))


def history_posts(specs: tuple[KolSpec, ...], end: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Each KOL's recent posts (30–50 per 120 days), organic and ~20 % sponsored by other brands."""
    starts = [_first_post_day(s, end) for s in specs]
    span = np.array([(end - st).days for st in starts])
    count = np.round(rng.integers(30, 51, len(specs)) * span / HISTORY_DAYS).astype(int)
    k = np.repeat(np.arange(len(specs)), count)
    offset = rng.random(len(k)) * np.repeat(span, count) * 86_400
    start_s = np.array([st.value // 10**9 for st in starts])[k]
    when = pd.to_datetime(start_s + offset.astype(np.int64), unit="s")
    when = when.floor("s")
    sponsored = rng.random(len(k)) < SPONSORED_SHARE
    real = np.array([s.followers * (1 - s.fake_share) for s in specs])[k]
    rate = np.array([s.real_rate for s in specs])[k]
    engaged = real * rate * np.where(sponsored, rng.uniform(0.6, 0.8, len(k)), 1.0) * rng.lognormal(-0.06, 0.35, len(k))
    frame = pd.DataFrame({
        "kol_id": np.array([s.kol_id for s in specs])[k], "published_at": when, "is_sponsored": sponsored,
        "brand": pd.Series(np.array(_OTHER_BRANDS)[rng.integers(0, len(_OTHER_BRANDS), len(k))]).where(sponsored),
        "_k": k, "_engaged": engaged,
    })
    return _with_metrics(frame, specs, rng)


def _with_metrics(frame: pd.DataFrame, specs: tuple[KolSpec, ...], rng: np.random.Generator) -> pd.DataFrame:
    """Split each post's engagements into likes/saves/shares/comments, add views (video) and ids, titles."""
    k = frame["_k"].to_numpy()
    n = len(frame)
    platform = np.array([s.platform for s in specs])[k]
    fmt = _formats(platform, rng)
    engaged = frame["_engaged"].to_numpy()
    save_share = np.select([platform == "xiaohongshu", platform == "weibo"], [0.30, 0.0], 0.15)
    likes = rng.poisson(engaged * (0.92 - save_share)).astype(float)
    saves = np.where(platform == "weibo", np.nan, rng.poisson(engaged * save_share).astype(float))
    shares = rng.poisson(engaged * 0.06).astype(float)
    ratio = np.array([s.comment_ratio for s in specs])[k] * rng.lognormal(0.0, 0.2, n)
    comments = rng.poisson(likes * ratio).astype(float)
    followers = np.array([s.followers for s in specs])[k]
    video = np.isin(fmt, ("short_video", "video"))
    views = np.where(video, np.round(followers * rng.uniform(0.3, 1.2, n) * rng.lognormal(0, 0.3, n)), np.nan)
    order = frame.assign(format=fmt, likes=likes, comments=comments, shares=shares, saves=saves, views=views)
    order = order.sort_values(["kol_id", "published_at"], kind="stable", ignore_index=True)
    rank = order.groupby("kol_id").cumcount() + 1
    order["post_id"] = order["kol_id"] + "_p" + rank.astype(str).str.zfill(3)
    topics = np.array(("好物分享", "护肤日常", "开箱测评", "教程", "空瓶记", "合集推荐"))
    order["title"] = np.array([s.name for s in specs])[order["_k"].to_numpy()] + "｜" + \
        topics[rng.integers(0, len(topics), n)]
    return order


def booked_posts(specs: tuple[KolSpec, ...], brand: str, planted: PlantedEffects, rng: np.random.Generator
                 ) -> pd.DataFrame:
    """Our six bookings as kol_posts rows: engagements = prediction × delivery, our brand, campaign id, cost."""
    by_id = {s.kol_id: s for s in specs}
    rows = []
    for kol, day, delivery in _BOOKINGS:
        s = by_id[kol]
        predicted = s.followers * (1 - s.fake_share) * s.real_rate * 0.7
        rows.append({"kol_id": kol, "published_at": pd.Timestamp(day) + pd.Timedelta(hours=19, minutes=30),
                     "is_sponsored": True, "brand": brand, "campaign": f"kol_{day[:4]}{day[5:7]}_{kol}",
                     "cost": s.price if s.price is not None else round(_booking_cost(predicted, planted), -1),
                     "_k": specs.index(s), "_engaged": predicted * delivery})
    frame = pd.DataFrame(rows)
    out = _with_metrics(frame, specs, rng)
    out["post_id"] = out["campaign"]
    out["title"] = brand + "｜" + out["title"].str.split("｜").str[0] + "的真实测评"
    return out


def kol_posts_table(history: pd.DataFrame, booked: pd.DataFrame) -> pd.DataFrame:
    """The kol_posts table: history and bookings, sorted by KOL and time."""
    frame = pd.concat([history, booked], ignore_index=True)
    frame = frame.sort_values(["kol_id", "published_at"], kind="stable", ignore_index=True)
    return frame.reindex(columns=list(KOL_COLUMNS["kol_posts"]))


# ---------------------------------------------------------------------------------------------
# kol_daily
# ---------------------------------------------------------------------------------------------

def kol_daily_table(specs: tuple[KolSpec, ...], end: pd.Timestamp, planted: PlantedEffects, rng: np.random.Generator
                    ) -> pd.DataFrame:
    """180 days of followers per KOL: organic growth with noise; the fake account's three bought jumps."""
    dates = pd.date_range(end - pd.Timedelta(days=DAILY_DAYS - 1), end, freq="D")
    n, m = len(specs), len(dates)
    growth = rng.uniform(0.05, 0.6, n)   # yearly organic growth
    end_followers = np.array([s.followers for s in specs], dtype=float)
    daily = end_followers[:, None] * ((1 + growth[:, None]) ** (1 / 365) - 1)
    net = daily * rng.lognormal(-0.08, 0.4, (n, m)) - daily * 0.15 * rng.lognormal(0, 0.5, (n, m))
    fake = [s.kol_id for s in specs].index(planted.kol_fake_id)
    jumps = np.asarray(planted.kol_fake_jumps, dtype=float)
    for day, size in zip(planted.kol_fake_jump_days, jumps, strict=True):
        net[fake, dates.get_loc(pd.Timestamp(day))] += size
    after = np.cumsum(net[:, ::-1], axis=1)[:, ::-1]          # net change from each day (exclusive) to the end
    followers = end_followers[:, None] - after + net           # followers on each day
    return pd.DataFrame({"kol_id": np.repeat([s.kol_id for s in specs], m), "date": np.tile(dates, n),
                         "followers": np.round(followers).ravel()})


# ---------------------------------------------------------------------------------------------
# kol_audience
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BrandProfile:
    """The brand audience's labels and shares per dimension (from the audience table)."""

    shares: Mapping[str, pd.Series]

    @classmethod
    def of(cls, audience: pd.DataFrame) -> BrandProfile:
        """Shares of the brand's followers by gender, age band, region, city tier and interest tag."""
        out = {d: audience[d].dropna().value_counts(normalize=True) for d in ("gender", "age_band", "region",
                                                                            "city_tier")}
        tags = audience["interests"].dropna().str.split(";").explode()
        out["interests"] = tags.value_counts(normalize=True)
        return cls(MappingProxyType(out))


_CATEGORY_FEMALE = {"护肤": 0.86, "美妆": 0.88, "穿搭": 0.82, "母婴": 0.92, "美食": 0.58, "数码": 0.22}
_CATEGORY_TAGS = {"护肤": {"护肤": 2.0, "彩妆": 1.3}, "美妆": {"彩妆": 2.2, "护肤": 1.3}, "穿搭": {"穿搭": 3.0},
                  "母婴": {"母婴": 4.0}, "美食": {"美食": 4.0}, "数码": {"数码": 5.0, "护肤": 0.2, "彩妆": 0.1}}


def _target_shares(spec: KolSpec, brand: BrandProfile, planted: PlantedEffects) -> dict[str, pd.Series]:
    """The KOL's expected audience per dimension before noise: the brand's, tilted by category (and plants)."""
    female = _CATEGORY_FEMALE[spec.category]
    age = pd.Series([0.34, 0.33, 0.18, 0.09, 0.06], index=list(AGE_BANDS))
    tags = brand.shares["interests"].copy()
    for tag, lift in _CATEGORY_TAGS[spec.category].items():
        tags[tag] = tags.get(tag, 0.0) * lift
    if spec.kol_id == planted.kol_real_mid_id:
        female, age = 0.85, pd.Series([0.46, 0.38, 0.10, 0.04, 0.02], index=list(AGE_BANDS))
        tags = brand.shares["interests"].copy()
    if spec.kol_id == planted.kol_mismatch_id:
        brand_female = float(brand.shares["gender"].get("女", 0.76))
        female = brand_female - (1 - float(planted.kol_mismatch_gender_fit))
        tags = pd.Series({"数码": 0.45, "游戏": 0.30, "健身": 0.08, "美食": 0.07, "旅行": 0.06, "护肤": 0.03,
                          "彩妆": 0.01})
        age = pd.Series([0.40, 0.32, 0.16, 0.08, 0.04], index=list(AGE_BANDS))
    return {"gender": pd.Series({"女": female, "男": 1 - female}), "age_band": age,
            "region": brand.shares["region"], "city_tier": brand.shares["city_tier"], "interests": tags / tags.sum()}


def kol_audience_table(specs: tuple[KolSpec, ...], brand: BrandProfile, planted: PlantedEffects,
                       rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, dict[str, pd.Series]]]:
    """All five dimensions for ~34 KOLs (shares = Dirichlet noise around the target); the targets of every KOL."""
    keep = rng.random(len(specs)) < 0.85
    planted_ids = {planted.kol_fake_id, planted.kol_real_mid_id, planted.kol_mismatch_id, planted.kol_expensive_id,
                   planted.kol_borderline_id}
    frames, targets = [], {}
    for spec, has in zip(specs, keep, strict=True):
        target = _target_shares(spec, brand, planted)
        targets[spec.kol_id] = target
        if not (has or spec.kol_id in planted_ids):
            continue
        for dim, share in target.items():
            noisy = rng.dirichlet(np.maximum(share.to_numpy(), 1e-4) * 400)
            frames.append(pd.DataFrame({"kol_id": spec.kol_id, "dimension": dim, "bucket": share.index,
                                        "share": np.round(noisy, 4)}))
    return pd.concat(frames, ignore_index=True), targets


# ---------------------------------------------------------------------------------------------
# kol_followers
# ---------------------------------------------------------------------------------------------

def _draw(share: pd.Series, size: int, rng: np.random.Generator) -> np.ndarray:
    """Labels drawn by shares."""
    p = share.to_numpy(dtype=float)
    return np.asarray(share.index)[rng.choice(len(p), size, p=p / p.sum())]


def _follower_sample(spec: KolSpec, size: int, empty_share: float, target: Mapping[str, pd.Series],
                     end: pd.Timestamp, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """One KOL's follower sample and which rows are empty profiles (a planted share, exactly rounded)."""
    n_empty = round(size * empty_share)
    empty = np.zeros(size, dtype=bool)
    empty[rng.choice(size, n_empty, replace=False)] = True
    days_old = np.where(empty, rng.integers(1, _EMPTY_DAYS, size), rng.integers(365, 8 * 365, size))
    created = (end - pd.to_timedelta(days_old, unit="D")).floor("D")
    following_fake = np.where(rng.random(size) < 0.6, rng.integers(1_200, 5_000, size), rng.integers(0, 40, size))
    followers_fake = rng.integers(0, 3, size)
    frame = pd.DataFrame({
        "kol_id": spec.kol_id,
        "follower_id": [f"{spec.kol_id}_f{i + 1:04d}" for i in range(size)],
        "has_avatar": ~empty & (rng.random(size) < 0.97),
        "posts": np.where(empty, 0, np.round(rng.lognormal(np.log(35), 1.0, size))),
        "followers": np.where(empty, followers_fake, np.round(rng.lognormal(np.log(120), 1.1, size))),
        "following": np.where(empty, following_fake, np.minimum(np.round(rng.lognormal(np.log(220), 0.7, size)), 999)),
        "created_at": created,
        "nickname": np.where(empty, "用户" + pd.Series(rng.integers(10**9, 10**10, size)).astype(str).to_numpy(),
                             "小" + np.array(list("鹿月柚桃橙雪糖鱼"))[rng.integers(0, 8, size)]
                             + pd.Series(rng.integers(1, 999, size)).astype(str).to_numpy()),
    })
    for dim in ("gender", "age_band", "region", "city_tier"):
        frame[dim] = pd.Series(_draw(target[dim], size, rng)).where(~empty)
    return frame, empty


def kol_followers_table(specs: tuple[KolSpec, ...], targets: Mapping[str, Mapping[str, pd.Series]],
                        audience: pd.DataFrame, planted: PlantedEffects, end: pd.Timestamp, rng: np.random.Generator
                        ) -> pd.DataFrame:
    """Follower samples of 24 KOLs (200–400 each; fake 300, borderline 60), some ids shared with the brand's."""
    fake, mid, border = planted.kol_fake_id, planted.kol_real_mid_id, planted.kol_borderline_id
    forced = {fake: (300, planted.kol_fake_share), border: (60, planted.kol_borderline_share),
              mid: (320, 0.05)}
    always = set(forced) | {b[0] for b in _BOOKINGS} | set(dict(planted.kol_user_overlap))
    chosen = [s for s in specs if s.kol_id in always]
    others = [s for s in specs if s not in chosen]
    picks = rng.choice(len(others), 24 - len(chosen), replace=False)
    chosen += [others[i] for i in sorted(picks)]
    overlap = dict(planted.kol_user_overlap)
    own = {"xiaohongshu": "own_xhs", "douyin": "own_douyin"}
    frames = []
    for spec in sorted(chosen, key=lambda s: s.kol_id):
        size, empty_share = forced.get(spec.kol_id, (int(rng.integers(200, 401)), float(rng.uniform(0.05, 0.15))))
        frame, empty = _follower_sample(spec, size, empty_share, targets[spec.kol_id], end, rng)
        share = overlap.get(spec.kol_id, 0.0)
        if share > 0 and spec.platform in own:
            pool = audience.loc[audience["account_id"] == own[spec.platform], "user_id"].to_numpy()
            real = np.flatnonzero(~empty)
            take = rng.choice(real, round(share * size), replace=False)
            frame.loc[take, "follower_id"] = rng.choice(pool, len(take), replace=False)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).reindex(columns=list(KOL_COLUMNS["kol_followers"]))


# ---------------------------------------------------------------------------------------------
# bookings in the touchpoints
# ---------------------------------------------------------------------------------------------

def label_bookings(touchpoints: pd.DataFrame, conversions: pd.DataFrame, booked: pd.DataFrame, cpe: float,
                   rng: np.random.Generator) -> pd.DataFrame:
    """Touchpoints with the kol touches after each booked post re-labelled to its campaign (channels unchanged).

    Per booking: kol touches of converting journeys in the 14 days after the post, in time order, take the
    campaign until their linear credit (1 ÷ journey length each) reaches cpe × the post's engagements
    (widened to 21 days if 14 do not hold enough); kol touches of non-converting journeys in the same days
    take it with the same probability, so the campaign also has touches that did not convert.
    """
    out = touchpoints.copy()
    length = out.groupby("journey_id")["journey_id"].transform("size").to_numpy()
    converts = out["journey_id"].isin(conversions["journey_id"]).to_numpy()
    when = out["occurred_at"].to_numpy()
    kol = (out["channel"] == "kol").to_numpy() & (out["campaign"].fillna("kol_seeding") == "kol_seeding").to_numpy()
    campaign = out["campaign"].to_numpy(dtype=object)
    for row in booked.itertuples(index=False):
        engagements = float(np.nansum([row.likes, row.comments, row.shares, row.saves]))
        target = cpe * engagements
        start = np.datetime64(row.published_at)
        for days in (14, 21):
            window = kol & (when >= start) & (when < start + np.timedelta64(days, "D"))
            if (1.0 / length[window & converts]).sum() >= target:
                break
        hits = np.flatnonzero(window & converts)
        hits = hits[np.argsort(when[hits], kind="stable")]
        cum = np.cumsum(1.0 / length[hits])
        taken = hits[: int(np.searchsorted(cum, target)) + 1]
        campaign[taken] = row.campaign
        share = len(taken) / max(len(hits), 1)
        others = np.flatnonzero(window & ~converts)
        campaign[others[rng.random(len(others)) < share]] = row.campaign
        kol[campaign == row.campaign] = False
    out["campaign"] = campaign
    return out


def build_kol_tables(rng: Rng, end: pd.Timestamp, audience: pd.DataFrame, touchpoints: pd.DataFrame,
                     conversions: pd.DataFrame, feed_cpa: Mapping[str, float], brand: str, planted: PlantedEffects
                     ) -> dict[str, pd.DataFrame]:
    """The five KOL tables and the touchpoints with our bookings' campaigns (key "touchpoints")."""
    specs = kol_specs(planted, rng("kols/specs"), feed_cpa)
    history = history_posts(specs, end, rng("kols/posts"))
    booked = booked_posts(specs, brand, planted, rng("kols/bookings"))
    audience_table, targets = kol_audience_table(specs, BrandProfile.of(audience), planted, rng("kols/audience"))
    cpe = float(planted.kol_conversions_per_engagement)
    return {
        "kols": kols_table(specs, rng("kols/table")),
        "kol_posts": kol_posts_table(history, booked),
        "kol_daily": kol_daily_table(specs, end, planted, rng("kols/daily")),
        "kol_audience": audience_table,
        "kol_followers": kol_followers_table(specs, targets, audience, planted, end, rng("kols/followers")),
        "touchpoints": label_bookings(touchpoints, conversions, booked, cpe, rng("kols/touchpoints")),
    }
