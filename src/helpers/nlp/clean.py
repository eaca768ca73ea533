"""Cleaning comments: odd characters made safe, personal data masked, language by script, spam out with a reason.

Shared base (moved out of helpers.voc.clean, which re-exports it unchanged): the voice of the customer and
the period review's reputation KPIs clean comments by the same rules. ``split_brand_rows`` sets the
brand's own rows apart before cleaning (they are not customer voice).

Method (vectorised with pyarrow's string kernels; 1 M comments in a few seconds):
- **Text made safe.** Lone surrogates (a str that cannot be encoded) are dropped, zero-width characters,
  the BOM, variation selectors, skin-tone modifiers and bidi overrides are removed, control characters
  become spaces, then Unicode NFKC (full-width letters, digits and punctuation become their ASCII forms;
  Chinese is unchanged). ``text`` is replaced by this safe text; nothing longer is cut.
- **Masking** (``text_masked``, made before anything is shown): Chinese mobile numbers (11 digits from
  1[3-9], with spaces or dashes, after an optional +86) → 138****5678; e-mails → j***@qq.com;
  @handles → @***. Longer digit runs (order numbers) are left alone.
- **Language** (``language``), by script: Han, kana, Hangul and Latin letters are counted. No letters of
  these scripts → "und" (emoji only, digits). Latin letters more than 3 × the CJK characters → "en"
  (a Chinese character carries about one word, an English word about 4–5 letters). Otherwise
  Hangul ≥ Han + kana → "ko"; kana ≥ 20 % of Han + kana → "ja"; else "zh". So Chinese with some Latin
  ("iPhone真好用") is zh, and one decorative の in Chinese is not Japanese.
- **Removed rows, each with the first reason that applies** (never silently dropped; counted in
  ``counts`` even when 0), in this order:
  1. ``empty``: no text, or only whitespace and invisible characters (only-emoji text is kept).
  2. ``link_spam``: a URL (http(s)://, www., or a bare domain with a common TLD) or a contact lure:
     加V / vx / wx / v信 / 微信(号) / 薇信 / QQ / 扣扣 / 企鹅 followed by an id of 5+ letters or digits.
  3. ``bot``: every comment of a user the shared bot rule flags (helpers.fences, as the audience does):
     above the upper IQR fence (Q3 + 1.5·IQR of log1p) on both comments per active day and the most
     comments in one clock hour, and at least ``bot_min_per_day`` comments per active day — the floor is
     ours: most users comment once, so the IQR is 0 and the fence alone would flag two comments a day.
  4. ``duplicate``: same user, same post (when the column exists) and same normalised text (NFKC, lower
     case, whitespace collapsed) as an earlier comment; the earliest stays.
  5. ``repeated_text``: a normalised text of at least ``repeat_min_chars`` characters posted by at least
     ``repeat_min_users`` distinct users (copy-paste spam, bot rings). Short texts repeat naturally
     (好用, 敏感肌能用吗 — a planted question must survive), hence the length floor.
  Without a ``user_id`` column, bots, duplicates and repeated text cannot be told apart from real
  repeats and are not looked for (the counts say 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.errors import ParameterError, require_columns
from helpers.fences import upper_fence

__all__ = ["REASONS", "CleanResult", "clean_comments", "detect_language", "mask_personal_data", "safe_text",
           "split_brand_rows"]

#: Why a comment was removed, in the order they are tested (a row gets the first that applies).
REASONS: tuple[str, ...] = ("empty", "link_spam", "bot", "duplicate", "repeated_text")
#: Default: a text this long (characters, normalised) posted by this many distinct users is spam.
REPEAT_MIN_USERS = 5
REPEAT_MIN_CHARS = 15
#: Default floor of comments per active day below which no user is a bot, whatever the fence says.
BOT_MIN_PER_DAY = 10.0

_INVISIBLE = "[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0000-\U000e007f]"
_CONTROL = "[\x01-\x1f\x7f-\x9f\u2028\u2029]"  # \x00 is handled apart: RE2 patterns cannot hold it
_PHONE = r"(^|[^0-9+])(1[3-9][0-9])[ \-]?[0-9]{4}[ \-]?([0-9]{4})($|[^0-9])"
_EMAIL = r"([A-Za-z0-9])[A-Za-z0-9._%+\-]*@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
_HANDLE = r"(^|[^A-Za-z0-9._%+*\-])@[^\s@,，。!！?？:：;；、]+"
_URL = r"(?i)(https?://|www\.|[a-z0-9\-]+\.(com|cn|net|org|top|xyz|cc|vip|shop|info|link|ly)(/|\b))"
_CONTACT = r"(?i)(加\s*v|vx|wx|v信|微信号?|薇信|威信|qq|扣扣|企鹅)[^0-9a-z]{0,4}[0-9a-z_\-]{5,}"


@dataclass(frozen=True)
class CleanResult:
    """The cleaned comments, the removed rows (same columns + reason), counts per reason, the bot table."""

    comments: pd.DataFrame
    removed: pd.DataFrame
    counts: pd.DataFrame
    bots: pd.DataFrame


def _missing(value: object) -> bool:
    """None, NaN or pd.NA."""
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _arrow_text(values: pd.Series) -> pa.Array:
    """The values as an arrow string array: text as is, numbers as text, missing as null, lone surrogates out.

    One array even when pandas keeps the text in several chunks (pandas' "str" columns are arrow arrays,
    chunked as read: the sample's 39,725 comments come in 6), which ``dictionary_encode`` and ``take`` need.
    """
    try:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):
        fixed = [None if _missing(v) else str(v).encode("utf-8", "ignore").decode("utf-8") for v in values]
        return pa.array(fixed, type=pa.string())


def _series(arr: pa.Array, index: pd.Index, name: object) -> pd.Series:
    """An arrow string array as a pandas text Series (pandas' default "str" dtype, missing = NaN)."""
    return pd.Series(arr, index=index, name=name, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def safe_text(values: pd.Series) -> pd.Series:
    """Text that cannot break anything: surrogates and invisible characters out, controls → space, NFKC."""
    arr = _arrow_text(values)
    arr = pc.replace_substring(arr, "\x00", " ")
    arr = pc.replace_substring_regex(arr, _INVISIBLE, "")
    arr = pc.replace_substring_regex(arr, _CONTROL, " ")
    arr = pc.utf8_normalize(arr, form="NFKC")
    return _series(arr, values.index, values.name)


def _replace_where(arr: pa.Array, candidate: str, pattern: str, replacement: str) -> pa.Array:
    """Regex replacement on the rows that contain ``candidate`` (a cheap literal test first)."""
    hit = pc.fill_null(pc.match_substring(arr, candidate) if len(candidate) == 1
                       else pc.match_substring_regex(arr, candidate), False)
    if not pc.any(hit).as_py():
        return arr
    return pc.if_else(hit, pc.replace_substring_regex(arr, pattern, replacement), arr)


def mask_personal_data(text: pd.Series) -> pd.Series:
    """Mobile numbers → 138****5678, e-mails → j***@qq.com, @handles → @*** (missing stays missing)."""
    arr = _arrow_text(text)
    arr = _replace_where(arr, "1[3-9][0-9]", _PHONE, r"\1\2****\3\4")
    arr = _replace_where(arr, "@", _EMAIL, r"\1***@\2")
    arr = _replace_where(arr, "@", _HANDLE, r"\1@***")
    return _series(arr, text.index, "text_masked")


#: The scripts detect_language counts: code point ranges [first, last] and the script's column.
_SCRIPT_RANGES: tuple[tuple[int, int, int], ...] = (
    (0x3400, 0x4DBF, 0), (0x4E00, 0x9FFF, 0), (0xF900, 0xFAFF, 0),  # Han
    (0x3040, 0x309F, 1), (0x30A0, 0x30FF, 1),  # kana
    (0x1100, 0x11FF, 2), (0x3130, 0x318F, 2), (0xAC00, 0xD7AF, 2),  # Hangul
    (0x41, 0x5A, 3), (0x61, 0x7A, 3), (0xC0, 0x24F, 3),  # Latin
)


def _script_table() -> np.ndarray:
    """Script column (0–3) of each code point up to the last range's end, -1 for the others."""
    table = np.full(max(last for _, last, _ in _SCRIPT_RANGES) + 2, -1, dtype=np.int8)
    for first, last, script in _SCRIPT_RANGES:
        table[first:last + 1] = script
    return table


_SCRIPTS = _script_table()


def _script_counts(arr: pa.Array) -> np.ndarray:
    """Characters of each script (Han, kana, Hangul, Latin: columns) per text (rows; missing text counts 0).

    All texts' code points at once (the array's UTF-8 data decoded once, as UTF-32), looked up in a table and
    counted per text by running sums: four regex passes over the texts took 3× as long.
    """
    arr = pc.fill_null(arr, "")
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    text = data.to_pybytes()[offsets[0]:offsets[-1]].decode("utf-8") if data is not None and len(arr) else ""
    points = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    script = _SCRIPTS[np.minimum(points, len(_SCRIPTS) - 1)]
    lengths = pc.utf8_length(arr).to_numpy(zero_copy_only=False).astype(np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    counts = np.zeros((len(arr), 4), dtype=np.int64)
    for k in range(4):
        running = np.concatenate([[0], np.cumsum(script == k)])
        counts[:, k] = running[ends] - running[starts]
    return counts


def detect_language(text: pd.Series) -> pd.Series:
    """zh / en / ja / ko / und by counting scripts (the rule is in the module docstring)."""
    han, kana, hangul, latin = _script_counts(_arrow_text(text)).T
    cjk = han + kana + hangul
    lang = np.select([cjk + latin == 0, latin > 3 * cjk, hangul >= han + kana, kana >= 0.2 * (han + kana)],
                     ["und", "en", "ko", "ja"], "zh")
    return pd.Series(lang, index=text.index, name="language", dtype="str")


def _key(text: pd.Series) -> pa.Array:
    """Normalised text for comparisons: lower case, whitespace collapsed and trimmed ('' for missing)."""
    arr = pc.utf8_lower(_arrow_text(text))
    arr = pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"\s+", " "))
    return pc.fill_null(arr, "")


def _flag(arr: pa.Array, pattern: str) -> np.ndarray:
    """Rows whose text matches a regex."""
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)


def comment_activity(frame: pd.DataFrame) -> pd.DataFrame:
    """Per user: comments, active days, comments per active day, most comments in one clock hour."""
    rows = frame.loc[frame["user_id"].notna(), ["user_id", "created_at"]]
    when = pd.to_datetime(rows["created_at"])
    per_user = rows.groupby("user_id", sort=True).size().rename("comments")
    days = when.dt.normalize().groupby(rows["user_id"]).nunique().rename("active_days")
    hours = when.dt.floor("h").rename("hour")
    per_hour = pd.DataFrame({"user_id": rows["user_id"], "hour": hours}).groupby(["user_id", "hour"]).size()
    peak = per_hour.groupby(level=0).max().rename("max_comments_per_hour")
    out = pd.concat([per_user, days, peak], axis=1).reset_index()
    out["comments_per_active_day"] = out["comments"] / out["active_days"]
    return out


def flag_comment_bots(activity: pd.DataFrame, min_per_day: float = BOT_MIN_PER_DAY, k: float | None = None
                      ) -> pd.DataFrame:
    """Adds is_bot: above both IQR fences (log1p) and at least min_per_day comments per active day."""
    if len(activity) < 2:
        return activity.assign(is_bot=False)
    per_day = upper_fence(activity["comments_per_active_day"], "iqr", k)
    per_hour = upper_fence(activity["max_comments_per_hour"], "iqr", k)
    is_bot = ((np.log1p(activity["comments_per_active_day"]) > per_day)
              & (np.log1p(activity["max_comments_per_hour"].astype(float)) > per_hour)
              & (activity["comments_per_active_day"] >= min_per_day))
    return activity.assign(is_bot=is_bot.to_numpy())


def _check(repeat_min_users: int, repeat_min_chars: int, bot_min_per_day: float) -> None:
    """ParameterError for thresholds that would remove ordinary comments."""
    if int(repeat_min_users) < 2:
        raise ParameterError(f"repeat_min_users must be at least 2 (distinct users posting the same text), "
                             f"got {repeat_min_users!r}.")
    if int(repeat_min_chars) < 1:
        raise ParameterError(f"repeat_min_chars must be a positive number of characters, got {repeat_min_chars!r}.")
    if not bot_min_per_day > 0:
        raise ParameterError(f"bot_min_per_day must be a positive number of comments, got {bot_min_per_day!r}.")


def clean_comments(comments: pd.DataFrame, *, repeat_min_users: int = REPEAT_MIN_USERS,
                   repeat_min_chars: int = REPEAT_MIN_CHARS, bot_min_per_day: float = BOT_MIN_PER_DAY,
                   bot_k: float | None = None) -> CleanResult:
    """Clean the comments table (columns comment_id, text; created_at, user_id, post_id used when present).

    Returns the kept rows with ``text`` made safe, ``text_masked`` and ``language``; the removed rows with
    the same columns and ``reason``; ``counts`` (reason, rows, share of all rows, every reason and "kept");
    ``bots`` (per user activity and is_bot; empty without user ids).
    """
    require_columns(comments, ("comment_id", "text"), "comments", "Every comment needs a comment_id and a text "
                    "column (the text may be empty).")
    _check(repeat_min_users, repeat_min_chars, bot_min_per_day)
    frame = comments.reset_index(drop=True).copy()
    frame["text"] = safe_text(frame["text"])
    frame["text_masked"] = mask_personal_data(frame["text"])
    frame["language"] = detect_language(frame["text"])
    key = _key(frame["text"])
    empty = pc.equal(pc.utf8_length(key), 0).to_numpy(zero_copy_only=False)
    raw = _arrow_text(frame["text"])
    spam = _flag(raw, _URL) | _flag(raw, _CONTACT)
    has_users = "user_id" in frame.columns and frame["user_id"].notna().any()
    bots = pd.DataFrame(columns=["user_id", "comments", "active_days", "max_comments_per_hour",
                                 "comments_per_active_day", "is_bot"])
    bot = duplicate = repeated = np.zeros(len(frame), dtype=bool)
    if has_users:
        if "created_at" in frame.columns:
            bots = flag_comment_bots(comment_activity(frame), bot_min_per_day, bot_k)
            bot = frame["user_id"].isin(set(bots.loc[bots["is_bot"], "user_id"])).to_numpy()
        duplicate = _duplicates(frame, key, empty)
        repeated = _repeated(frame, key, empty, repeat_min_users, repeat_min_chars)
    reason = np.select([empty, spam, bot, duplicate, repeated], list(REASONS), "")
    removed = frame.loc[reason != ""].assign(reason=reason[reason != ""])
    kept = frame.loc[reason == ""].reset_index(drop=True)
    return CleanResult(kept, removed.reset_index(drop=True), _counts(reason), bots)


def _duplicates(frame: pd.DataFrame, key: pa.Array, empty: np.ndarray) -> np.ndarray:
    """Later rows with the same user, post and normalised text as an earlier one (by created_at, then order)."""
    cols = {"user_id": frame["user_id"], "key": _series(key, pd.RangeIndex(len(key)), "key")}
    if "post_id" in frame.columns:
        cols["post_id"] = frame["post_id"]
    table = pd.DataFrame(cols)
    if "created_at" in frame.columns:
        order = np.argsort(pd.to_datetime(frame["created_at"]).to_numpy(), kind="stable")
    else:
        order = np.arange(len(frame))
    dup = np.zeros(len(frame), dtype=bool)
    dup[order] = table.iloc[order].duplicated(keep="first").to_numpy()
    return dup & ~empty & frame["user_id"].notna().to_numpy()


def _repeated(frame: pd.DataFrame, key: pa.Array, empty: np.ndarray, min_users: int, min_chars: int) -> np.ndarray:
    """Rows whose long-enough normalised text was posted by at least min_users distinct users.

    Texts and users as integer codes, distinct (text, user) pairs counted per text: no sort of strings.
    """
    long_enough = (pc.utf8_length(key).to_numpy(zero_copy_only=False) >= min_chars) & ~empty
    if not long_enough.any():
        return long_enough
    rows = np.flatnonzero(long_enough)
    text_code = pc.dictionary_encode(key.take(pa.array(rows))).indices.to_numpy(zero_copy_only=False)
    user_code, _ = pd.factorize(frame["user_id"].to_numpy()[rows], use_na_sentinel=True)
    known = user_code >= 0  # a missing user is no user (as groupby.nunique drops it)
    if not known.any():
        return np.zeros(len(frame), dtype=bool)
    pairs = np.unique(text_code[known].astype(np.int64) * (int(user_code.max()) + 1) + user_code[known])
    users_per_text = np.bincount(pairs // (int(user_code.max()) + 1), minlength=int(text_code.max()) + 1)
    out = np.zeros(len(frame), dtype=bool)
    out[rows] = users_per_text[text_code] >= min_users
    return out


def _counts(reason: np.ndarray) -> pd.DataFrame:
    """Rows per reason (every reason, 0 when none) and kept rows, with their share of all rows."""
    labels = [*REASONS, "kept"]
    values = pd.Series(np.where(reason == "", "kept", reason)).value_counts().reindex(labels, fill_value=0)
    total = int(values.sum())
    return pd.DataFrame({"reason": labels, "rows": values.to_numpy().astype("int64"),
                         "share": values.to_numpy() / total if total else np.nan})


def split_brand_rows(comments: pd.DataFrame, account_ids: Sequence[str], brand_user_ids: Sequence[str] = ()
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(customers' rows, the brand's rows): a row by an account id or a brand user id is the brand's."""
    if "user_id" not in comments.columns:
        return comments, comments.iloc[0:0]
    brand = comments["user_id"].isin({*map(str, account_ids), *map(str, brand_user_ids)})
    return comments[~brand].reset_index(drop=True), comments[brand].reset_index(drop=True)
