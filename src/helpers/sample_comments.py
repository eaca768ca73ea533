"""The sample's comments table: realistic Chinese (and some English) comments on the own accounts' posts.

Called from ``helpers.sample.build_tables``; the truths it plants live in ``helpers.sample.PLANTED``
(the ``voc_*`` fields and the ones next to them). Method, all vectorised (numpy choices over phrase
pools, string concatenation on object arrays; no loop per comment):

- Base rows (``PLANTED.voc_base_rows``): sources comment / reply / dm / survey / danmaku in fixed
  shares. Comments and danmaku land on own posts published from ``voc_start`` on, picked with
  probability ∝ the post's ``comments`` metric, and are written after the post (most within three
  days: an exponential delay with a 6-hour mean for 70 %, 1–3 days for 20 %, up to 30 days for
  10 %). Danmaku only on video posts. DMs and surveys carry no post and follow the daily activity
  clock. User replies answer an earlier comment of the same post (or a brand reply).
- Text: sentiment drawn with ``voc_sentiment_mix`` (positive, neutral, negative), then a sentence
  from that sentiment's pool (products, skin types, texture, price, packaging, service, logistics)
  with an optional opener, tail and emoji; ~10 % join two sentences; ~8 % get colloquial spellings
  (灰常, 木有, 肿么 ...); ``voc_english_share`` are English. Survey ratings follow the sentiment.
- Planted rows on top: the logistics spike, the 敏感肌 question cluster, the rising keyword,
  spam texts, comment bots and personal data (see PLANTED for days and exact counts).
- Brand answers: ``replied_at`` / ``replied_by_brand`` per row (answer probability by sentiment and
  source; delay log-normal, median 4 h); a share of answers also appear as brand reply rows written by
  the account itself (user_id = account_id): they are answers, not customer voice. The spike's
  complaints have exact never-answered and answered-after-48-h counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # sample imports this module; the type only
    from helpers.sample import PlantedEffects

#: Columns of the comments table in the order written (schema order).
COMMENT_COLUMNS: tuple[str, ...] = ("comment_id", "account_id", "created_at", "text", "source", "post_id",
                                    "user_id", "parent_id", "likes", "replied_at", "replied_by_brand", "rating")
#: Extra columns ``comment_rows`` returns for tests (not written): the intended sentiment and the planted role.
TRUTH_COLUMNS: tuple[str, ...] = ("sentiment_truth", "role")

_SOURCE_SHARES = {"comment": 0.80, "reply": 0.06, "dm": 0.06, "survey": 0.04, "danmaku": 0.04}
_VIDEO = ("short_video", "video", "live")
_HOUR_WEIGHTS = np.array([1.5, 0.8, 0.5, 0.3, 0.3, 0.5, 1.2, 2.5, 3.5, 3.5, 3.5, 4.0, 5.5, 5.0,
                          4.0, 3.8, 3.8, 4.0, 5.0, 6.0, 7.5, 8.0, 7.0, 4.0])
_N_COMMENTERS = 60_000

# ---------------------------------------------------------------------------------------------
# phrase pools
# ---------------------------------------------------------------------------------------------

_PRODUCTS = ("精华", "面霜", "防晒", "卸妆油", "身体乳", "洗面奶", "面膜", "眼霜", "精华水", "乳液", "护手霜", "洁面")
_SKINS = ("油皮", "干皮", "混油皮", "混干皮", "痘肌", "大油田")

_POS = (
    "{p}保湿效果真的绝了，很喜欢", "{p}吸收快，一点都不黏，很好用",
    "{p}清爽不油腻，夏天用很舒服", "{p}已经回购第三瓶了，真的好用",
    "用了一个月{p}，皮肤细腻了好多，很满意", "{p}味道很好闻，淡淡的很高级",
    "{p}质地好清爽，上脸很舒服", "{s}用这个{p}很舒服，很满意",
    "{p}性价比超高，学生党友好", "{p}包装好精致，送人很有面子",
    "{p}保湿又清爽，爱了，超喜欢", "{p}涂完滑滑嫩嫩的，好喜欢",
    "{p}真的好用到哭", "{p}好用，无限回购",
    "这个{p}比大牌还好用", "{s}用着刚好，吸收快，喜欢", "{p}成膜快，很好推开，好评",
    "{p}卸得很干净，很好用", "客服小姐姐超耐心，推荐的{p}很适合我，好评", "物流好快，{p}隔天就到了，包装也完好",
    "第二次买{p}了，效果稳定，很满意", "{p}用完第二天上妆超服帖，很好用", "换季用这个{p}，皮肤水润润的，很舒服",
    "{p}温和不刺激，很喜欢", "{p}的保湿力很顶，冬天也够用", "{p}好好用，已经安利给闺蜜了",
)
_NEU = (
    "请问{p}怎么用", "{s}适合哪款{p}", "求{p}链接", "{p}多少钱", "第一次买{p}，试试看", "直播间{p}有优惠吗",
    "{p}有小样吗", "{p}和精华的使用顺序是什么", "{p}保质期多久", "mark一下，{p}蹲一个测评", "{p}可以用来打底吗",
    "男生能用{p}吗", "{p}一天用几次", "{p}有没有试用装", "{p}和上一代有什么区别", "已下单{p}，坐等收货",
    "{p}是什么香味", "{s}夏天用{p}会不会闷", "{p}开封后能放多久", "蹲一个{p}的成分表",
)
_NEG = (
    "下单五天了还没发货，太差了", "快递太慢了，一周还没到，失望",
    "物流信息一直不更新，差评", "催了好几次发货都没人理，垃圾",
    "发货慢得离谱，再也不买了", "快递盒子都压烂了，{p}漏了一半，差评", "用了两天{p}就过敏了，脸又红又痒，太差了",
    "{p}闷痘，烂脸了，千万别买", "{p}太油了，根本吸收不了，难用", "{p}味道好刺鼻，难闻死了", "{p}搓泥严重，太失望了",
    "{p}假滑，一点都不保湿，不推荐", "{p}和描述完全不一样，很失望",
    "怀疑买到假货了，{p}质量太差", "{p}效果很差，不值这个价",
    "{p}就是智商税，后悔买了", "{p}踩雷了，退货", "客服态度太差了，问{p}的问题爱答不理", "申请退款一直不处理，太垃圾了",
    "售后推来推去，差评", "{p}刚买就降价，不给保价，生气",
    "{p}比直播间贵了三十块，无语，差评", "{s}用了{p}爆痘，后悔死了",
    "{p}瓶子质量太差，按压泵坏了", "{p}越用越干，退货退货",
)
_POS_EN = ("Love this {p}, my skin feels so soft", "Great {p}, absorbs fast and not greasy",
           "Repurchased the {p} twice already, highly recommend", "Best {p} I have tried", "The {p} packaging is "
           "so pretty, perfect gift", "My skin has never looked better since the {p}", "This {p} is amazing",
           "Obsessed with the {p}", "The {p} smells lovely and works")
_NEU_EN = ("Is the {p} suitable for oily skin?", "Where can I buy the {p} in Singapore?", "When is the {p} restock?",
           "How many times a day should I use the {p}?", "Does the {p} ship overseas?", "Is the {p} ok for kids?",
           "What size is the {p}?", "Got the {p} today, will try it")
_NEG_EN = ("Shipping took forever and my {p} still has not arrived, very disappointed",
           "The {p} broke me out badly, terrible product", "Terrible customer service, no reply about my {p} for days",
           "The {p} bottle leaked, awful packaging", "The {p} is a waste of money, it does nothing",
           "Ordered the {p} two weeks ago, still waiting, so annoyed", "The {p} made my skin red and itchy")
_PRODUCTS_EN = ("serum", "moisturizer", "sunscreen", "cleansing oil", "body lotion", "eye cream", "face mask",
                "toner", "cleanser", "hand cream")
_OPEN_EN = ("", "", "", "Honestly, ", "Wow, ", "Ugh, ", "OK so ", "Update: ")
_TAIL_EN = {"positive": ("", "", "!", "!!", " 😍", ", will buy again", ", 10/10", " ❤️"),
            "neutral": ("", "", " thanks", " 🤔", " pls", " anyone?"),
            "negative": ("", "", ".", "!", " 😡", ", never again", " 👎")}

_OPEN_POS = ("", "", "", "姐妹们，", "救命，", "真心推荐，", "yyds！", "绝绝子，", "爱了爱了，", "宝子们，")
_OPEN_NEU = ("", "", "", "请问，", "想问下，", "姐妹们，", "小白求问，")
_OPEN_NEG = ("", "", "", "无语，", "真的服了，", "避雷！", "气死了，")
_TAIL_POS = ("", "", "！", "!!!", "～", "，还会再买", "，推荐给闺蜜了", "，冲！")
_TAIL_NEU = ("", "？", "?", "～", "？？")
_TAIL_NEG = ("", "。", "！", "，再也不会买了", "，大家别踩坑")
_EMOJI_POS = ("👍", "😍", "❤️", "🥰", "✨", "💯", "🔥", "👍👍👍")
_EMOJI_NEU = ("🤔", "👀", "🙏")
_EMOJI_NEG = ("😡", "😭", "🙄", "👎", "😤")
_SHORT = {"positive": ("好用", "👍", "支持", "冲", "爱了", "已入", "回购", "😍😍😍", "绝了"),
          "neutral": ("打卡", "来了", "mark", "哈哈哈", "求链接", "蹲", "👀")}
_DANMAKU = {"positive": ("好看", "哇好想要", "前排支持", "爱了爱了", "这个我用过超好用"),
            "neutral": ("前方高能", "来了来了", "哈哈哈哈", "求链接", "第一"),
            "negative": ("广告太多了", "又恰饭", "假的吧，滤镜太重", "看着就油")}
_REPLIES = {"positive": ("同感，我也超爱", "+1，真的好用", "楼上说得对，回购了", "我也是，保湿很好"),
            "neutral": ("同问", "蹲一个回复", "我也想知道", "楼上在哪买的"),
            "negative": ("我也过敏了", "+1，我的也还没到", "同样踩雷了", "别买了，真的差")}
_COLLOQUIAL = (("非常", "灰常"), ("没有", "木有"), ("怎么", "肿么"), ("什么", "神马"), ("喜欢", "稀饭"),
               ("真的", "真滴"))
_BRAND_REPLIES = {"positive": ("感谢宝子的喜欢❤️", "谢谢支持～我们会继续努力的", "爱你哟，记得回购呀"),
                  "neutral": ("亲，链接在主页橱窗哦～", "您好，早晚各用一次即可", "宝子可以私信客服领取小样哦"),
                  "negative": ("亲亲抱歉给您带来不好的体验，已私信您处理", "非常抱歉，已帮您加急催促仓库",
                               "抱歉久等了，客服会第一时间联系您")}

_LOGISTICS = ("下单{d}了还没发货，物流呢", "{p}快递到现在还没到，太慢了", "发货慢也就算了，客服也不回，差评",
              "物流一直不更新，到底发没发货", "催单催了{n}次，还是没动静，垃圾", "说好48小时发货，现在{d}了还没到",
              "快递停在中转站{d}了，服了", "等了{d}还没收到{p}，退款！", "双11还没到就这么慢，发货太慢了",
              "物流太差了，{p}包裹都压坏了", "买的{p}{d}了还没发货，什么情况", "{p}到底什么时候发货？等了{d}了")
_LOGISTICS_OPEN = ("", "", "", "无语，", "真的服了，", "姐妹们避雷，", "客服在吗，", "气死了，", "第一次买就这样，")
_LOGISTICS_TAIL = ("", "", "！", "！！", "，差评", "，再也不买了", "。", "，给个说法", "😡", "😭", "🙄")
_DAYS = ("两天", "三天", "四天", "五天", "一周", "十天", "整整三天", "快一周")
_RISING = ("双11{k}已经预订了", "{k}包装太好看了，送闺蜜刚好", "{k}什么时候开始预售呀", "抢到{k}了，开心",
           "今年的{k}好精致", "{k}里的小样也太多了吧", "冲{k}，价格很香", "给妈妈也订了一份{k}",
           "{k}颜值太高了", "蹲到{k}了", "{k}比去年的还好看")
_RISING_OPEN = ("", "", "", "姐妹们，", "啊啊啊", "终于，", "救命，", "宝子们，")
_QUESTION_OPEN = ("", "", "请问", "想问下", "姐妹们，", "求问：")
_QUESTION_TAIL = ("", "？", "?", "？？", "呀", "～", "孕妇呢")
_BOT_TEXTS = ("支持支持", "好看", "👍👍", "来了", "关注了，互关", "666")
_PII = {"phone": ("麻烦客服联系我退款，电话{v}", "能加个微信吗 {v}", "我手机号{v}，快递一直打不通"),
        "email": ("合作请联系 {v}", "发票发到{v}，谢谢", "我的邮箱{v}，麻烦发下电子版说明书"),
        "handle": ("@{v} 快来看这个", "@{v} 你上次说的就是这个吧", "@{v} 一起拼单吗")}


def _expand(templates: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Every template × product × skin type (object array) and draw weights that make each template equally likely."""
    texts: list[str] = []
    weights: list[float] = []
    for t in templates:
        variants = sorted({t.format(p=p, s=s) for p in _PRODUCTS for s in _SKINS})
        texts += variants
        weights += [1.0 / len(variants)] * len(variants)
    w = np.array(weights)
    return np.array(texts, dtype=object), w / w.sum()


_POOLS = {"positive": _expand(_POS), "neutral": _expand(_NEU), "negative": _expand(_NEG)}
_SECOND = {"positive": ("质地也很好", "价格也美丽", "包装也好看", "客服也很热情", "发货也快", "味道也喜欢"),
           "neutral": ("有优惠券吗", "什么时候补货", "有没有赠品", "直播间会返场吗"),
           "negative": ("客服也不理人", "包装还是破的", "价格还贵", "退款也不给退", "差评")}
_POOLS_EN = {"positive": np.array(_POS_EN, dtype=object), "neutral": np.array(_NEU_EN, dtype=object),
             "negative": np.array(_NEG_EN, dtype=object)}
_DECOR = {"positive": (_OPEN_POS, _TAIL_POS, _EMOJI_POS), "neutral": (_OPEN_NEU, _TAIL_NEU, _EMOJI_NEU),
          "negative": (_OPEN_NEG, _TAIL_NEG, _EMOJI_NEG)}
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")


def _pick(rng: np.random.Generator, pool: tuple[str, ...] | np.ndarray, size: int) -> np.ndarray:
    """`size` uniform draws from a pool, as an object array of str."""
    arr = np.asarray(pool, dtype=object)
    return arr[rng.integers(0, len(arr), size)]


def _sentences(sentiment: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n Chinese comments of one sentiment: opener + sentence (sometimes two) + tail + emoji, some colloquial."""
    opener, tail, emoji = _DECOR[sentiment]
    pool, weight = _POOLS[sentiment]
    text = _pick(rng, opener, n) + pool[rng.choice(len(pool), size=n, p=weight)]
    two = rng.random(n) < 0.10
    text[two] = text[two] + "，" + _pick(rng, _SECOND[sentiment], int(two.sum()))
    text = text + _pick(rng, tail, n)
    with_emoji = rng.random(n) < 0.30
    text[with_emoji] = text[with_emoji] + _pick(rng, emoji, int(with_emoji.sum()))
    if sentiment in _SHORT:
        short = rng.random(n) < 0.08
        text[short] = _pick(rng, _SHORT[sentiment], int(short.sum()))
    return _colloquial(text, rng)


def _colloquial(text: np.ndarray, rng: np.random.Generator, share: float = 0.08) -> np.ndarray:
    """Net-slang spellings (非常 → 灰常 ...) in a share of the texts."""
    picked = np.flatnonzero(rng.random(len(text)) < share)
    if len(picked) == 0:
        return text
    series = pd.Series(text[picked], dtype=object)
    for plain, slang in _COLLOQUIAL:
        series = series.str.replace(plain, slang, regex=False)
    out = text.copy()
    out[picked] = series.to_numpy(dtype=object)
    return out


def _texts(sentiment: np.ndarray, rng: np.random.Generator, english_share: float) -> np.ndarray:
    """A text per row for its sentiment: Chinese pools, English for ``english_share`` of the rows."""
    out = np.empty(len(sentiment), dtype=object)
    english = rng.random(len(sentiment)) < english_share
    for s in SENTIMENTS:
        zh = (sentiment == s) & ~english
        out[zh] = _sentences(s, int(zh.sum()), rng)
        en = (sentiment == s) & english
        out[en] = _english(s, int(en.sum()), rng)
    return out


def _english(sentiment: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n English comments of one sentiment: opener + sentence about a product + tail."""
    sentence = _pick(rng, _POOLS_EN[sentiment], n)
    product = _pick(rng, _PRODUCTS_EN, n)
    body = np.array([t.replace("{p}", p) for t, p in zip(sentence, product, strict=True)], dtype=object)
    text = _pick(rng, _OPEN_EN, n) + body + _pick(rng, _TAIL_EN[sentiment], n)
    starts = np.array([t[:1] for t in text], dtype=object)
    return np.array([t[:1].upper() + t[1:] if s.islower() else t for t, s in zip(text, starts, strict=True)],
                    dtype=object)


def _by_sentiment(pools: Mapping[str, tuple[str, ...]], sentiment: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A text per row from the pool of its sentiment (short forms: danmaku, replies, brand answers)."""
    out = np.empty(len(sentiment), dtype=object)
    for s, pool in pools.items():
        rows = sentiment == s
        out[rows] = _pick(rng, pool, int(rows.sum()))
    return out


# ---------------------------------------------------------------------------------------------
# times and posts
# ---------------------------------------------------------------------------------------------

def _delays_s(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds from a post to a comment on it: 70 % within hours, 20 % in 1–3 days, 10 % up to 30 days."""
    kind = rng.choice(3, size=n, p=[0.70, 0.20, 0.10])
    hours = np.select([kind == 0, kind == 1],
                      [rng.exponential(6.0, n), rng.uniform(24, 72, n)], rng.uniform(72, 720, n))
    return (hours * 3600).astype(np.int64) + 60


def _after(published: np.ndarray, delay_s: np.ndarray, end: np.datetime64, rng: np.random.Generator) -> np.ndarray:
    """Publish time + delay, redrawn uniformly inside the window when it would pass the end of the data."""
    created = published + delay_s.astype("timedelta64[s]")
    late = created > end
    room = (end - published[late]).astype(np.int64)
    created[late] = published[late] + (rng.random(int(late.sum())) * room).astype("timedelta64[s]")
    return created


def _clock_times(days: np.ndarray, rng: np.random.Generator, hours: tuple[int, int] | None = None) -> np.ndarray:
    """A time on each day (datetime64[D]): hour from the activity profile (or uniform in [a, b)), minute uniform."""
    n = len(days)
    if hours is None:
        hour = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    else:
        hour = rng.integers(hours[0], hours[1], n)
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    return days.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def _random_days(start: np.datetime64, end: np.datetime64, n: int, rng: np.random.Generator) -> np.ndarray:
    """n days drawn uniformly from start..end (inclusive), datetime64[D]."""
    span = int((end.astype("datetime64[D]") - start.astype("datetime64[D]")).astype(int)) + 1
    return start.astype("datetime64[D]") + rng.integers(0, span, n).astype("timedelta64[D]")


def _own_posts(posts: pd.DataFrame, own: tuple[str, ...], start: pd.Timestamp) -> pd.DataFrame:
    """The own accounts' posts from the comments' first day on, with a weight ∝ their comment count."""
    rows = posts[posts["account_id"].isin(own) & (posts["published_at"] >= start)]
    weight = rows["comments"].fillna(0).to_numpy(float) + 1.0
    return rows[["post_id", "account_id", "published_at", "format"]].assign(weight=weight / weight.sum())


def _posts_for(rows: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """n posts drawn from `rows` with probability ∝ their weight (renormalised)."""
    w = rows["weight"].to_numpy()
    return rows.iloc[rng.choice(len(rows), size=n, p=w / w.sum())].reset_index(drop=True)


def _latest_posts_before(posts: pd.DataFrame, account: str, when: np.ndarray, rng: np.random.Generator
                         ) -> np.ndarray:
    """For each time, one of the account's three latest posts published before it (complaints land there)."""
    mine = posts[posts["account_id"] == account].sort_values("published_at")
    times = mine["published_at"].to_numpy("datetime64[s]")
    last = np.searchsorted(times, when, side="right") - 1
    pick = np.clip(last - rng.integers(0, 3, len(when)), 0, None)
    return mine["post_id"].to_numpy(dtype=object)[pick]


# ---------------------------------------------------------------------------------------------
# rows
# ---------------------------------------------------------------------------------------------

def _frame(**cols: object) -> pd.DataFrame:
    """A frame of planted rows: arrays as columns, scalars repeated on every row."""
    return pd.DataFrame(cols)


def _base(planted: PlantedEffects, own_posts: pd.DataFrame, own: tuple[str, ...], rng: np.random.Generator,
          end: np.datetime64) -> pd.DataFrame:
    """The base rows: comments, danmaku, DMs and surveys with the base sentiment mix (replies come later)."""
    n = planted.voc_base_rows
    sources = np.array(list(_SOURCE_SHARES))
    counts = np.round(np.array(list(_SOURCE_SHARES.values())) * n).astype(int)
    n_comment, _n_reply, n_dm, n_survey, n_danmaku = counts
    n_comment += n - counts.sum()
    parts = []
    on_posts = _posts_for(own_posts, int(n_comment), rng)
    parts.append(on_posts.assign(source="comment"))
    videos = own_posts[own_posts["format"].isin(_VIDEO)]
    parts.append(_posts_for(videos, int(n_danmaku), rng).assign(source="danmaku"))
    posted = pd.concat(parts, ignore_index=True)
    published = posted["published_at"].to_numpy("datetime64[s]")
    posted["created_at"] = _after(published, _delays_s(rng, len(posted)), end, rng)
    start = np.datetime64(planted.voc_start, "D")
    loose = pd.DataFrame({
        "account_id": np.array(own, dtype=object)[rng.integers(0, len(own), int(n_dm + n_survey))],
        "source": np.repeat(sources[[2, 3]], [n_dm, n_survey]),
    })
    loose["created_at"] = _clock_times(_random_days(start, end, len(loose), rng), rng)
    rows = pd.concat([posted[["post_id", "account_id", "created_at", "source"]], loose], ignore_index=True)
    mix = np.asarray(planted.voc_sentiment_mix, dtype=float)
    sentiment = np.array(SENTIMENTS)[rng.choice(3, size=len(rows), p=mix / mix.sum())]
    text = _texts(sentiment, rng, planted.voc_english_share)
    danmaku = (rows["source"] == "danmaku").to_numpy()
    text[danmaku] = _by_sentiment(_DANMAKU, sentiment[danmaku], rng)
    rows = rows.assign(text=text, sentiment_truth=sentiment, role="base")
    return _surveys(rows, planted, rng)


def _surveys(rows: pd.DataFrame, planted: PlantedEffects, rng: np.random.Generator) -> pd.DataFrame:
    """Survey rows get a rating that follows their sentiment (5/4 positive, 3/4 neutral, 1/2 negative); some no text."""
    survey = (rows["source"] == "survey").to_numpy()
    s = rows["sentiment_truth"].to_numpy()
    rating = np.select([s == "positive", s == "neutral"],
                       [rng.choice([4, 5], len(s), p=[0.3, 0.7]), rng.choice([3, 4], len(s), p=[0.7, 0.3])],
                       rng.choice([1, 2], len(s), p=[0.6, 0.4])).astype(float)
    rows["rating"] = np.where(survey, rating, np.nan)
    idx = np.flatnonzero(survey)
    empty = rng.choice(idx, size=planted.voc_empty_texts, replace=False)
    text = rows["text"].to_numpy(dtype=object).copy()
    text[empty] = None
    rows["text"] = text
    return rows


def _fill(templates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Templates with {p} (a product), {d} (a wait) and {n} (a number of reminders) filled at random."""
    n = len(templates)
    product, wait, times = _pick(rng, _PRODUCTS, n), _pick(rng, _DAYS, n), _pick(rng, ("两", "三", "四", "五"), n)
    return np.array([t.replace("{p}", p).replace("{d}", d).replace("{n}", k)
                     for t, p, d, k in zip(templates, product, wait, times, strict=True)], dtype=object)


def _logistics_spike(planted: PlantedEffects, posts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The planted complaints about delivery: exact counts on the spike days, in the evening hours."""
    account, days = planted.logistics_spike
    counts = planted.logistics_spike_counts
    day = np.repeat(np.array(days, dtype="datetime64[D]"), counts)
    created = _clock_times(day, rng, planted.logistics_spike_hours)
    text = _colloquial(_fill(_pick(rng, _LOGISTICS, len(day)), rng), rng)
    text = _pick(rng, _LOGISTICS_OPEN, len(day)) + text + _pick(rng, _LOGISTICS_TAIL, len(day))
    return _frame(account_id=account, created_at=created, text=text, source="comment",
                  post_id=_latest_posts_before(posts, account, created, rng),
                  sentiment_truth="negative", role="logistics_spike")


def _questions(planted: PlantedEffects, own_posts: pd.DataFrame, rng: np.random.Generator,
               end: np.datetime64) -> pd.DataFrame:
    """The 敏感肌 question cluster: near-duplicate wordings on own posts of the review period, with likes."""
    n = planted.sensitive_question_count
    month = own_posts[own_posts["published_at"].dt.strftime("%Y-%m") == planted.review_period]
    picked = _posts_for(month, n, rng)
    published = picked["published_at"].to_numpy("datetime64[s]")
    month_end = np.datetime64(pd.Period(planted.review_period).end_time.floor("s"), "s")
    created = _after(published, _delays_s(rng, n), min(month_end, end), rng)
    text = (_pick(rng, _QUESTION_OPEN, n) + _pick(rng, planted.sensitive_question_variants, n)
            + _pick(rng, _QUESTION_TAIL, n))
    likes = np.round(rng.lognormal(2.2, 1.0, n))
    return _frame(post_id=picked["post_id"].to_numpy(dtype=object),
                  account_id=picked["account_id"].to_numpy(dtype=object),
                  created_at=created, text=text, source="comment", likes=likes,
                  sentiment_truth="neutral", role="question")


def _rising(planted: PlantedEffects, posts: pd.DataFrame, own: tuple[str, ...], rng: np.random.Generator,
            end: np.datetime64) -> pd.DataFrame:
    """Comments naming the rising keyword, an exact count per month (none in other months)."""
    parts = []
    templates = tuple(t.format(k=planted.rising_keyword) for t in _RISING)
    for month, n in planted.rising_keyword_counts.items():
        period = pd.Period(month)
        last = min(np.datetime64(period.end_time, "D"), end.astype("datetime64[D]"))
        days = _random_days(np.datetime64(period.start_time, "D"), last, n, rng)
        created = _clock_times(days, rng)
        tails = ("，好开心", "，超喜欢", "，太值了", "！爱了")
        text = _pick(rng, _RISING_OPEN, n) + _pick(rng, templates, n) + _pick(rng, tails, n)
        parts.append(_frame(created_at=created, text=text,
                            source="comment", sentiment_truth="positive", role="rising"))
    rows = pd.concat(parts, ignore_index=True)
    return _attach_latest(rows, posts, own, rng)


def _attach_latest(rows: pd.DataFrame, posts: pd.DataFrame, own: tuple[str, ...], rng: np.random.Generator
                   ) -> pd.DataFrame:
    """Rows with a time but no post get an own account and one of its latest posts before that time."""
    accounts = np.array(own, dtype=object)
    account = np.asarray(accounts, dtype=object)[rng.integers(0, len(accounts), len(rows))]
    post = np.empty(len(rows), dtype=object)
    created = rows["created_at"].to_numpy("datetime64[s]")
    for a in accounts:
        mine = account == a
        post[mine] = _latest_posts_before(posts, str(a), created[mine], rng)
    return rows.assign(account_id=account, post_id=post)


def _spam(planted: PlantedEffects, own_posts: pd.DataFrame, rng: np.random.Generator, end: np.datetime64
          ) -> pd.DataFrame:
    """Each spam text posted ``spam_count_per_text`` times, every time by a different user id."""
    n_each = planted.spam_count_per_text
    texts = np.repeat(np.array(planted.spam_texts, dtype=object), n_each)
    picked = _posts_for(own_posts, len(texts), rng)
    created = _after(picked["published_at"].to_numpy("datetime64[s]"), _delays_s(rng, len(texts)), end, rng)
    users = np.array([f"s{i:06d}" for i in rng.choice(900_000, size=len(texts), replace=False)], dtype=object)
    return _frame(post_id=picked["post_id"].to_numpy(dtype=object),
                  account_id=picked["account_id"].to_numpy(dtype=object),
                  created_at=created, text=texts, source="comment", user_id=users,
                  sentiment_truth="spam", role="spam")


def _bots(planted: PlantedEffects, posts: pd.DataFrame, own: tuple[str, ...], rng: np.random.Generator
          ) -> pd.DataFrame:
    """Each comment bot posts ``comment_bot_daily`` short texts on each bot day, on the account's recent posts."""
    bots, days, per_day = planted.comment_bots, planted.comment_bot_days, planted.comment_bot_daily
    user = np.repeat(np.array(bots, dtype=object), len(days) * per_day)
    day = np.tile(np.repeat(np.array(days, dtype="datetime64[D]"), per_day), len(bots))
    created = _clock_times(day, rng, (9, 23))
    rows = _frame(created_at=created, text=_pick(rng, _BOT_TEXTS, len(user)), source="comment", user_id=user,
                  sentiment_truth="bot", role="bot")
    return _attach_latest(rows, posts, own, rng)


def _pii_values(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Fake personal data: mobile numbers (1[3-9] + 9 digits), e-mail addresses or @handles."""
    if kind == "phone":
        return np.array([f"1{a}{b:09d}" for a, b in zip(rng.integers(3, 10, n), rng.integers(0, 10**9, n),
                                                          strict=True)], dtype=object)
    if kind == "email":
        names = _pick(rng, ("xiaomei", "lily_0521", "amy.chen", "tt2025", "mumu88"), n)
        hosts = _pick(rng, ("163.com", "qq.com", "gmail.com", "126.com"), n)
        return names + np.array([f"{i}@" for i in rng.integers(10, 99, n)], dtype=object) + hosts
    return _pick(rng, ("小鹿爱护肤", "Lily_0521", "糖糖不吃糖", "momo的日常", "阿珍爱美"), n)


def _pii(planted: PlantedEffects, own_posts: pd.DataFrame, rng: np.random.Generator, end: np.datetime64
         ) -> pd.DataFrame:
    """Comments carrying personal data, an exact count per kind (phone, email, handle)."""
    parts = []
    for kind, n in planted.pii_counts.items():
        template = _pick(rng, _PII[kind], n)
        values = _pii_values(kind, n, rng)
        text = np.array([t.format(v=v) for t, v in zip(template, values, strict=True)], dtype=object)
        parts.append(_frame(text=text, role=f"pii_{kind}", sentiment_truth="neutral"))
    rows = pd.concat(parts, ignore_index=True)
    picked = _posts_for(own_posts, len(rows), rng)
    created = _after(picked["published_at"].to_numpy("datetime64[s]"), _delays_s(rng, len(rows)), end, rng)
    return rows.assign(post_id=picked["post_id"].to_numpy(dtype=object),
                       account_id=picked["account_id"].to_numpy(dtype=object), created_at=created, source="comment")


def _user_replies(rows: pd.DataFrame, n: int, rng: np.random.Generator, end: np.datetime64) -> pd.DataFrame:
    """n user replies to earlier comments of the same post (parent_id), a few hours after them."""
    parents = rows[(rows["source"].isin(["comment", "reply"])) & rows["post_id"].notna()
                   & rows["role"].isin(["base", "brand_reply", "question", "logistics_spike"])]
    picked = parents.iloc[rng.integers(0, len(parents), n)].reset_index(drop=True)
    created = _after(picked["created_at"].to_numpy("datetime64[s]"),
                     (rng.exponential(3 * 3600, n) + 30).astype(np.int64), end, rng)
    sentiment = np.where(picked["role"] == "logistics_spike", "negative",
                         np.array(SENTIMENTS)[rng.choice(3, size=n, p=[0.5, 0.35, 0.15])])
    return _frame(post_id=picked["post_id"].to_numpy(dtype=object),
                  account_id=picked["account_id"].to_numpy(dtype=object),
                  created_at=created, text=_by_sentiment(_REPLIES, sentiment, rng), source="reply",
                  parent_id=picked["comment_id"].to_numpy(dtype=object), sentiment_truth=sentiment, role="user_reply")


# ---------------------------------------------------------------------------------------------
# answers
# ---------------------------------------------------------------------------------------------

_ANSWER_P = {"negative": 0.75, "neutral": 0.50, "positive": 0.15}


def _answers(rows: pd.DataFrame, planted: PlantedEffects, rng: np.random.Generator, end: np.datetime64
             ) -> pd.DataFrame:
    """replied_at / replied_by_brand: answered by sentiment (DMs more often), log-normal delay with a 4-hour median.

    The spike's complaints: exactly ``logistics_never_answered`` never answered, ``logistics_answered_late``
    answered after 48 h (48–120 h), the rest within 36 h. Spam, bots, danmaku and surveys are never answered
    (surveys leave replied_by_brand empty).
    """
    n = len(rows)
    s = rows["sentiment_truth"].to_numpy()
    p = np.vectorize(lambda v: _ANSWER_P.get(v, 0.0), otypes=[float])(s)
    source = rows["source"].to_numpy()
    p = np.where(source == "dm", np.maximum(p, 0.85), p)
    role = rows["role"].to_numpy()
    p = np.where(np.isin(source, ["danmaku", "survey", "reply"]) | np.isin(role, ["spam", "bot"]), 0.0, p)
    answered = rng.random(n) < p
    delay_h = np.minimum(rng.lognormal(np.log(4.0), 1.0, n), 200.0)
    spike = np.flatnonzero(role == "logistics_spike")
    order = rng.permutation(spike)
    never = order[:planted.logistics_never_answered]
    late = order[planted.logistics_never_answered:planted.logistics_never_answered + planted.logistics_answered_late]
    answered[spike] = True
    answered[never] = False
    delay_h[spike] = rng.uniform(0.5, 36.0, len(spike))
    delay_h[late] = rng.uniform(48.5, 120.0, len(late))
    created = rows["created_at"].to_numpy("datetime64[s]")
    replied = created + (delay_h * 3600).astype(np.int64).astype("timedelta64[s]")
    replied = np.where(answered & (replied <= end), replied, np.datetime64("NaT"))
    by_brand = pd.array(~np.isnat(replied), dtype="boolean")
    by_brand[source == "survey"] = pd.NA
    return rows.assign(replied_at=replied, replied_by_brand=by_brand)


def _brand_rows(rows: pd.DataFrame, planted: PlantedEffects, rng: np.random.Generator) -> pd.DataFrame:
    """Some brand answers as reply rows (user_id = prefix + account), written at replied_at."""
    answered = rows[rows["replied_at"].notna() & rows["post_id"].notna() & (rows["source"] == "comment")]
    shown = answered[rng.random(len(answered)) < planted.voc_brand_reply_rows_share]
    s = np.where(shown["sentiment_truth"].isin(SENTIMENTS), shown["sentiment_truth"], "neutral")
    return _frame(post_id=shown["post_id"].to_numpy(dtype=object),
                  account_id=shown["account_id"].to_numpy(dtype=object),
                  created_at=shown["replied_at"].to_numpy("datetime64[s]"),
                  text=_by_sentiment(_BRAND_REPLIES, s, rng), source="reply",
                  user_id=shown["account_id"].to_numpy(dtype=object),
                  parent_id=shown["comment_id"].to_numpy(dtype=object), replied_by_brand=False,
                  sentiment_truth="brand", role="brand_reply")


def _users_and_likes(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Pseudonymous user ids for rows without one, and likes (heavy-tailed, many zeros) where missing."""
    n = len(rows)
    user = rows["user_id"].to_numpy(dtype=object, copy=True) if "user_id" in rows else np.full(n, None, dtype=object)
    missing = pd.isna(user)
    # a commenter population where a few write often: weight ∝ rank^-0.8 (the busiest writes ~2 a day)
    weight = np.arange(1, _N_COMMENTERS + 1, dtype=float) ** -0.8
    rank = rng.choice(_N_COMMENTERS, size=int(missing.sum()), p=weight / weight.sum())
    shuffled = rng.permutation(_N_COMMENTERS)[rank] + 1
    user[missing] = np.array([f"u{i:06d}" for i in shuffled], dtype=object)
    likes = rows["likes"].to_numpy(float, copy=True) if "likes" in rows else np.full(n, np.nan)
    no_likes = np.isnan(likes)
    likes[no_likes] = np.floor(rng.pareto(1.6, int(no_likes.sum())) * 1.5)
    source = rows["source"].to_numpy()
    likes[np.isin(source, ["dm", "survey", "danmaku"])] = np.nan
    return rows.assign(user_id=user, likes=likes)


def comment_rows(posts: pd.DataFrame, own: tuple[str, ...], planted: PlantedEffects, rng: np.random.Generator,
                 end: pd.Timestamp) -> pd.DataFrame:
    """The comments table (COMMENT_COLUMNS) plus TRUTH_COLUMNS, from the posts and the planted effects."""
    end_s = np.datetime64(end.normalize() + pd.Timedelta(days=1) - pd.Timedelta(seconds=1), "s")
    own_posts = _own_posts(posts, own, pd.Timestamp(planted.voc_start))
    parts = [_base(planted, own_posts, own, rng, end_s), _logistics_spike(planted, posts, rng),
             _questions(planted, own_posts, rng, end_s), _rising(planted, posts, own, rng, end_s),
             _spam(planted, own_posts, rng, end_s), _bots(planted, posts, own, rng),
             _pii(planted, own_posts, rng, end_s)]
    rows = _numbered(pd.concat(parts, ignore_index=True), "t")
    rows = _answers(rows, planted, rng, end_s)
    rows = pd.concat([rows, _numbered(_brand_rows(rows, planted, rng), "b")], ignore_index=True)
    n_replies = round(planted.voc_base_rows * _SOURCE_SHARES["reply"])
    rows = pd.concat([rows, _numbered(_user_replies(rows, n_replies, rng, end_s), "r")], ignore_index=True)
    rows = _users_and_likes(_renumber(rows), rng)
    return rows.reindex(columns=[*COMMENT_COLUMNS, *TRUTH_COLUMNS])


def _numbered(rows: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Temporary ids (prefix + position) so replies can name their parents before the final numbering."""
    rows = rows.assign(created_at=pd.to_datetime(rows["created_at"]))
    return rows.assign(comment_id=[f"{prefix}{i}" for i in range(len(rows))])


def _renumber(rows: pd.DataFrame) -> pd.DataFrame:
    """Final ids in time order (c + 7 digits), parent ids translated to them."""
    rows = rows.sort_values(["created_at", "comment_id"], kind="stable", ignore_index=True)
    final = np.array([f"c{i:07d}" for i in range(1, len(rows) + 1)], dtype=object)
    mapping = pd.Series(final, index=rows["comment_id"].to_numpy())
    parent = rows["parent_id"].map(mapping) if "parent_id" in rows else pd.Series(None, index=rows.index)
    return rows.assign(comment_id=final, parent_id=parent)
