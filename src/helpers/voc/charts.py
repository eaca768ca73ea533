"""Charts of the voice of the customer (figures from the analysis' tables) and the comment explorer widget.

The chart base is re-exported so the notebook imports one charts module. Every figure function
takes a table helpers.voc.analysis built and returns a matplotlib Figure made with
helpers.charts.subplots (outside pyplot); labels are in the run's language, count axes use
CountTicks. An empty input gives a figure that says there is nothing to show, never an error.

Choices: sentiment colours are the Okabe–Ito vermillion / grey / bluish green, told apart with
red–green colour blindness; shares are of the *scored* comments (as helpers.nlp.sentiment.sentiment_split
counts them); the word cloud uses the CJK font file helpers.charts chose (a system font, else the
Noto Sans CJK SC the mplfonts wheel ships), a fixed random_state and a white background.

The explorer (name "voc") filters the period's comments by platform, post (the most commented
posts of the period), theme, sentiment and a keyword (a piece of the masked text, or one of the
comment's words), and shows their counts and the newest 50 of them, masked and HTML-escaped; user
ids are never part of the view.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from wordcloud import WordCloud

from helpers import i18n
from helpers.charts import (
    CountTicks,
    bar_chart,
    chart_font_path,
    close,
    heatmap,
    setup_style,
    slant_dates,
    subplots,
)
from helpers.i18n import N_, _
from helpers.nlp.segment import is_emoji
from helpers.nlp.sentiment import EMPTY, NOT_SCORED
from helpers.voc.themes import OTHER

if TYPE_CHECKING:
    from helpers.explorer import Explorer
    from helpers.voc.analysis import Feedback

__all__ = [
    "SENTIMENT_COLOURS",
    "accuracy_chart",
    "alert_chart",
    "bar_chart",
    "close",
    "comment_explorer",
    "heatmap",
    "keyword_bars",
    "rising_chart",
    "sentiment_bars",
    "sentiment_trend",
    "setup_style",
    "term_label",
    "theme_chart",
    "theme_names",
    "word_cloud",
]

#: Sentiment colours (Okabe–Ito vermillion, grey, bluish green: safe with red–green colour blindness).
SENTIMENT_COLOURS: dict[str, str] = {"negative": "#D55E00", "neutral": "#B0B0B0", "positive": "#009E73"}
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
SENTIMENT_WORDS: dict[str, str] = {"negative": N_("negative"), "neutral": N_("neutral"), "positive": N_("positive")}
#: Chart titles of the sentiment split by a column.
SPLIT_TITLES: dict[str, str] = {"platform": N_("Sentiment by platform"), "source": N_("Sentiment by source"),
                                "campaign": N_("Sentiment by campaign"), "account_id": N_("Sentiment by account"),
                                "language": N_("Sentiment by language"), "post_title": N_("Sentiment by post")}
#: Alert marker colours by severity.
SEVERITY_COLOURS: dict[str, str] = {"critical": "#B71C1C", "warning": "#F9A825"}
SEVERITY_WORDS: dict[str, str] = {"critical": N_("critical"), "warning": N_("warning")}
LANGUAGE_WORDS: dict[str, str] = {"zh": N_("Chinese"), "en": N_("English")}
METHOD_WORDS: dict[str, str] = {"model": N_("model"), "lexicon": N_("lexicon baseline")}
#: Seed of the word cloud's layout (the same words give the same picture).
WORD_CLOUD_SEED = 18
#: Days of history the alert chart shows before the period (the detector's baseline).
ALERT_HISTORY_DAYS = 28
#: Comments the explorer lists, newest first; posts it offers (the period's most commented).
EXPLORER_ROWS = 50
EXPLORER_POSTS = 12
#: Longest post title in the post dropdown (characters; longer ones end in …).
TITLE_CHARS = 18
ALL = "all"


def _say_nothing(ax: Axes, message: str, title: str = "") -> None:
    """An empty chart that says why (no axes drawn)."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, wrap=True, color="#555")
    ax.set_axis_off()
    if title:
        ax.set_title(title)


def _group_label(by: str, value: object) -> str:
    """A group as a reader names it: platforms by their names, an empty value as "none"."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value) == "":
        return _("none")
    return i18n.platform_name(str(value)) if by == "platform" else str(value)


def term_label(term: object) -> str:
    """A word as a chart can draw it: an emoji (no chart font has them) as "emoji" and its Unicode name."""
    text = str(term)
    if not _has_emoji(text):
        return text
    names = [unicodedata.name(c, "").lower() for c in text if unicodedata.name(c, "")]
    return _("emoji {name}").format(name=" ".join(n for n in names if "variation" not in n and "modifier" not in n))


def _has_emoji(text: str) -> bool:
    """Whether a word holds an emoji (which no chart font draws)."""
    return any(is_emoji(c) for c in text)


def _percent_axis(axis: Any) -> None:
    axis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))


def sentiment_bars(split: pd.DataFrame, by: str) -> Figure:
    """100 % stacked bars of negative / neutral / positive per group of Feedback.split([by]), each with its n."""
    title = _(SPLIT_TITLES[by]) if by in SPLIT_TITLES else _("Sentiment by {column}").format(column=by)
    rows = split[split["comments"] > 0] if len(split) else split
    fig, ax = subplots(figsize=(10, 0.55 * max(len(rows), 3) + 1.4))
    if rows.empty:
        _say_nothing(ax, _("No comments in this period"), title)
        return fig
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for label in SENTIMENTS:
        share = rows[f"{label}_share"].fillna(0.0).to_numpy(dtype=float)
        bars = ax.barh(y, share, left=left, color=SENTIMENT_COLOURS[label], label=_(SENTIMENT_WORDS[label]),
                       height=0.7)
        for bar, value in zip(bars, share, strict=True):
            if value >= 0.08:
                ax.text(bar.get_x() + value / 2, bar.get_y() + bar.get_height() / 2, i18n.fmt_percent(value, 0),
                        ha="center", va="center", fontsize=8, color="white" if label != "neutral" else "#222")
        left += share
    for row, n in zip(y, rows["comments"], strict=True):
        ax.text(1.01, row, f"n = {int(n):,}", va="center", fontsize=9, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, [_group_label(by, v) for v in rows[by]])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    _percent_axis(ax.xaxis)
    ax.set_xlabel(_("Share of scored comments"))
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize=9)
    ax.set_title(title, pad=26)
    return fig


def sentiment_trend(trend: pd.DataFrame) -> Figure:
    """Negative share and net sentiment per period (lines), comments per period as light bars behind."""
    fig, ax = subplots(figsize=(10, 4.2))
    title = _("Sentiment per period")
    if trend.empty:
        _say_nothing(ax, _("No comments in this period"), title)
        return fig
    x = np.arange(len(trend))
    bars = ax.twinx()
    bars.bar(x, trend["comments"].to_numpy(dtype=float), color="#CFD8DC", width=0.6, label=_("comments"))
    bars.set_ylabel(_("Comments"))
    bars.yaxis.set_major_formatter(CountTicks())
    bars.grid(False)
    ax.set_zorder(bars.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.plot(x, trend["negative_share"].to_numpy(dtype=float), marker="o", color=SENTIMENT_COLOURS["negative"],
            label=_("negative share"))
    ax.plot(x, trend["net_sentiment"].to_numpy(dtype=float), marker="s", color="#0072B2",
            label=_("net sentiment (positive − negative)"))
    ax.axhline(0, color="#888", linewidth=0.8)
    _percent_axis(ax.yaxis)
    ax.set_ylabel(_("Share of scored comments"))
    ax.set_xticks(x, [str(p) for p in trend["period"]])
    slant_dates(ax)
    handles = ax.get_legend_handles_labels()
    extra = bars.get_legend_handles_labels()
    ax.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper center", bbox_to_anchor=(0.5, -0.2),
              ncols=3, fontsize=8, frameon=False)
    ax.set_title(title)
    return fig


def word_cloud(frequencies: Mapping[str, int]) -> Figure:
    """The period's words sized by how many comments use them (CJK font, fixed layout, white background)."""
    fig, ax = subplots(figsize=(10, 5))
    title = _("Words of the period's comments")
    words = {str(w): int(n) for w, n in frequencies.items() if n and str(w).strip() and not _has_emoji(str(w))}
    if not words:
        _say_nothing(ax, _("No words to show in this period"), title)
        return fig
    path = chart_font_path()
    cloud = WordCloud(font_path=str(path) if path else None, width=1000, height=500, background_color="white",
                      random_state=WORD_CLOUD_SEED, prefer_horizontal=0.9, colormap="Dark2", max_words=150)
    cloud.generate_from_frequencies(words)
    ax.imshow(cloud.to_array(), interpolation="bilinear")
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def _count_format(value: float) -> str:
    """A bar's value: a count with separators, another number with three significant digits."""
    return i18n.fmt_count(value) if float(value).is_integer() else i18n.fmt_number(value)


def keyword_bars(table: pd.DataFrame, value: str, label: str) -> Figure:
    """The table's terms as horizontal bars of `value` (largest on top), the axis named `label`."""
    fig, ax = subplots(figsize=(8, 0.32 * max(len(table), 6) + 1.2))
    title = _("Keywords of the period")
    if table.empty:
        _say_nothing(ax, _("No keywords in this period"), title)
        return fig
    rows = table.sort_values(value, ascending=False, kind="stable")
    y = np.arange(len(rows))
    values = rows[value].to_numpy(dtype=float)
    ax.barh(y, values, color="#0072B2", height=0.7)
    for row, v in zip(y, values, strict=True):
        ax.text(v, row, f" {_count_format(v)}", va="center", fontsize=8)
    ax.set_yticks(y, [term_label(t) for t in rows["term"]])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(CountTicks())
    ax.margins(x=0.12)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(label)
    ax.set_title(title)
    return fig


def rising_chart(rising: pd.DataFrame, top: int = 10) -> Figure:
    """The words that rose (rising == True), largest gain first: share of comments before → now, with counts."""
    chosen = rising[rising["rising"].astype(bool)] if len(rising) else rising
    chosen = chosen.assign(gain=chosen["share_now"] - chosen["share_before"]).nlargest(top, "gain") \
        if len(chosen) else chosen
    fig, ax = subplots(figsize=(9, 0.42 * max(len(chosen), 4) + 1.4))
    title = _("Rising words: share of comments, previous period → this period")
    if chosen.empty:
        _say_nothing(ax, _("No word rose significantly this period"), title)
        return fig
    y = np.arange(len(chosen))
    before = chosen["share_before"].to_numpy(dtype=float)
    now = chosen["share_now"].to_numpy(dtype=float)
    ax.hlines(y, before, now, color="#B0BEC5", linewidth=3, zorder=1)
    ax.scatter(before, y, color="#90A4AE", s=50, zorder=2, label=_("previous period"))
    ax.scatter(now, y, color=SENTIMENT_COLOURS["negative"], s=60, zorder=3, label=_("this period"))
    for row, (share, n_before, n_now) in enumerate(zip(now, chosen["n_before"], chosen["n_now"], strict=True)):
        ax.annotate(f"{int(n_before):,} → {int(n_now):,}", (share, row), xytext=(9, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_yticks(y, [term_label(t) for t in chosen["term"]])
    ax.invert_yaxis()
    _percent_axis(ax.xaxis)
    ax.set_xlim(left=0)
    ax.margins(x=0.2)
    ax.set_xlabel(_("Share of comments using the word (counts: previous → this period)"))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    return fig


def theme_names(themes: pd.DataFrame) -> dict[str, str]:
    """Theme label → name: "1 · 请问 / 精华 / 问下" (its first three top terms); "other" in the run's language."""
    names = {}
    for label, terms in zip(themes.get("theme", []), themes.get("top_terms", []), strict=True):
        label = str(label)
        if label == OTHER:
            names[label] = _("other")
            continue
        words = [str(t) for t in (terms if terms is not None else []) if not _has_emoji(str(t))][:3]
        names[label] = f"{label} · {' / '.join(words)}" if words else _("theme {n}").format(n=label)
    return names


def theme_chart(themes: pd.DataFrame, theme_sentiment: pd.DataFrame) -> Figure:
    """Comments per theme (largest on top, "other" last), stacked by sentiment."""
    title = _("Comments per theme, by sentiment")
    fig, ax = subplots(figsize=(10, 0.5 * max(len(themes), 4) + 1.4))
    if themes.empty or theme_sentiment.empty:
        _say_nothing(ax, _("No themes in this period"), title)
        return fig
    names = theme_names(themes)
    order = [str(t) for t in themes["theme"]]
    order = [t for t in order if t != OTHER] + [t for t in order if t == OTHER]
    counts = (theme_sentiment.assign(theme=theme_sentiment["theme"].astype(str))
              .pivot_table(index="theme", columns="sentiment", values="comments", aggfunc="sum", fill_value=0)
              .reindex(index=order, columns=list(SENTIMENTS), fill_value=0))
    y = np.arange(len(counts))
    left = np.zeros(len(counts))
    for label in SENTIMENTS:
        values = counts[label].to_numpy(dtype=float)
        ax.barh(y, values, left=left, color=SENTIMENT_COLOURS[label], label=_(SENTIMENT_WORDS[label]), height=0.7)
        left += values
    for row, total in zip(y, left, strict=True):
        ax.text(total, row, f" {int(total):,}", va="center", fontsize=8)
    ax.set_yticks(y, [names.get(t, t) for t in counts.index])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(CountTicks())
    ax.margins(x=0.08)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(_("Comments"))
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    return fig


def alert_chart(daily: pd.DataFrame, alerts: pd.DataFrame, account_id: str, start: Any, end: Any,
                name: str) -> Figure:
    """The account's negative comments and negative share per day (the period and 4 weeks before), alerts marked.

    A day alert sits on its day's value (negative share alerts on the share line, the others on the
    count); an hourly alert is marked on its day with a triangle; colours by severity.
    """
    first = pd.Timestamp(start).normalize() - pd.Timedelta(days=ALERT_HISTORY_DAYS)
    last = pd.Timestamp(end).normalize()
    title = _("{name}: negative comments per day").format(name=name)
    rows = daily[(daily["account_id"] == account_id)] if len(daily) else daily
    if len(rows):
        days = pd.to_datetime(rows["start"])
        rows = rows[(days >= first) & (days <= last)].assign(start=days).sort_values("start")
    fig, ax = subplots(figsize=(10, 4.2))
    if rows.empty:
        _say_nothing(ax, _("No comments of this account in the period"), title)
        return fig
    x = rows["start"].to_numpy()
    negative = rows["negative"].to_numpy(dtype=float)
    share = rows["negative_share"].to_numpy(dtype=float)
    ax.axvspan(pd.Timestamp(start), last + pd.Timedelta(days=1), color="#FFF3E0", zorder=0, label=_("the period"))
    ax.plot(x, negative, color=SENTIMENT_COLOURS["negative"], marker=".", label=_("negative comments"))
    ax.yaxis.set_major_formatter(CountTicks())
    ax.set_ylabel(_("Negative comments"))
    right = ax.twinx()
    right.plot(x, share, color="#0072B2", linestyle="--", linewidth=1, label=_("negative share"))
    _percent_axis(right.yaxis)
    right.set_ylabel(_("Negative share"))
    right.grid(False)
    right.set_ylim(0, max(1.0, float(np.nanmax(share)) if np.isfinite(share).any() else 1.0))
    _mark_alerts(ax, right, rows, alerts, account_id, first, last)
    handles, labels = [], []
    for axes in (ax, right):
        h, lab = axes.get_legend_handles_labels()
        handles += h
        labels += lab
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4, fontsize=8, frameon=False)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    slant_dates(ax)
    ax.set_title(title)
    return fig


def _mark_alerts(count_ax: Axes, share_ax: Axes, rows: pd.DataFrame, alerts: pd.DataFrame, account_id: str,
                 first: pd.Timestamp, last: pd.Timestamp) -> None:
    """Mark the account's alerts on their days: share alerts on the share line, the others on the count."""
    if alerts.empty:
        return
    mine = alerts[alerts["account_id"] == account_id]
    if mine.empty:
        return
    day = pd.to_datetime(mine["start"]).dt.normalize()
    mine = mine.assign(day=day)[(day >= first) & (day <= last)]
    by_day = rows.set_index(rows["start"].dt.normalize())
    hourly = mine["grain"].astype(str) == "hour"
    on_share = (mine["kind"].astype(str) == "negative_share") & ~hourly
    for severity, colour in SEVERITY_COLOURS.items():
        of = mine["severity"].astype(str) == severity
        word = _(SEVERITY_WORDS[severity])
        for part, axes, column, marker, text in (
                (of & on_share, share_ax, "negative_share", "D", _("{severity} alert (day)")),
                (of & ~on_share & ~hourly, count_ax, "negative", "o", _("{severity} alert (day)")),
                (of & hourly, count_ax, "negative", "^", _("{severity} alert (hour, on its day)"))):
            days = pd.DatetimeIndex(mine.loc[part, "day"].unique())
            if days.empty:
                continue
            values = by_day[column].reindex(days).to_numpy(dtype=float)
            axes.scatter(days, np.nan_to_num(values), s=70 if marker == "o" else 55, marker=marker, color=colour,
                         edgecolor="white", zorder=4, label=text.format(severity=word))


def accuracy_chart(evaluation: pd.DataFrame) -> Figure:
    """Held-out accuracy and macro-F1 with 95 % CIs per language, model vs lexicon baseline (the chosen one filled)."""
    fig, axes = subplots(1, 2, figsize=(10, 0.6 * max(len(evaluation), 3) + 1.6), sharey=True)
    title = _("Sentiment scoring on held-out labelled text (95% CI)")
    if evaluation.empty:
        for ax in axes:
            ax.set_axis_off()
        _say_nothing(axes[0], _("No held-out figures"))
        fig.suptitle(title)
        return fig
    labels = [f"{_(LANGUAGE_WORDS.get(str(lang), str(lang)))} · {_(METHOD_WORDS.get(str(m), str(m)))}"
              for lang, m in zip(evaluation["language"], evaluation["method"], strict=True)]
    y = np.arange(len(evaluation))
    chosen = evaluation["chosen"].astype(bool).to_numpy()
    for ax, metric, name in ((axes[0], "accuracy", _("Accuracy")), (axes[1], "macro_f1", _("Macro-F1"))):
        value = evaluation[metric].to_numpy(dtype=float)
        low = evaluation[f"{metric}_low"].to_numpy(dtype=float)
        high = evaluation[f"{metric}_high"].to_numpy(dtype=float)
        drawn = np.isfinite(value)
        ax.hlines(y[drawn], low[drawn], high[drawn], color="#607D8B", linewidth=2)
        for pick, face, text in ((chosen & drawn, "#0072B2", _("chosen")), (~chosen & drawn, "white", _("not chosen"))):
            if pick.any():
                ax.scatter(value[pick], y[pick], s=70, facecolor=face, edgecolor="#0072B2", linewidth=1.5, zorder=3,
                           label=text)
        for row in y[~drawn]:
            ax.text(0.5, row, _("no held-out figures"), va="center", ha="center", fontsize=8, color="#666",
                    transform=ax.get_yaxis_transform())
        ax.set_xlim(0, 1)
        _percent_axis(ax.xaxis)
        ax.set_title(name)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, labels)
    for tick, pick in zip(axes[0].get_yticklabels(), chosen, strict=True):
        tick.set_color("#000000" if pick else "#666666")  # one weight only in the bundled CJK font: colour marks it
    axes[0].invert_yaxis()
    axes[1].legend(loc="lower left", fontsize=8)
    fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------- explorer

def _short(title: str, chars: int = TITLE_CHARS) -> str:
    """A post title cut to `chars` characters (… when cut)."""
    return title if len(title) <= chars else title[: chars - 1] + "…"


def _post_choices(now: pd.DataFrame) -> list[tuple[str, str]]:
    """(title, post_id) of the period's most commented posts, most comments first."""
    if "post_id" not in now or now["post_id"].isna().all():
        return []
    counts = now["post_id"].dropna().value_counts(sort=False)
    counts = counts.sort_index().sort_values(ascending=False, kind="stable").head(EXPLORER_POSTS)
    titles = now.drop_duplicates("post_id").set_index("post_id")["post_title"] if "post_title" in now else None
    choices = []
    for post in counts.index:
        title = titles.get(post) if titles is not None else None
        shown = str(title) if isinstance(title, str) and title.strip() else str(post)
        choices.append((_short(shown), str(post)))
    return choices


def _term_index(now: pd.DataFrame) -> pd.Series:
    """Each comment's words, one row per (comment position, word), lower case (to look a keyword up without a loop)."""
    exploded = pd.Series(list(now["terms"]), index=np.arange(len(now))).explode().dropna()
    return exploded.astype(str).str.lower()


def _explorer_frame(voice: Feedback, themes: pd.Series | None) -> pd.DataFrame:
    """The period's comments the explorer filters: newest first, with their theme and a scored flag."""
    now = voice.now.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)
    now["scored"] = ~now["sentiment_method"].isin([NOT_SCORED, EMPTY])
    if themes is not None:
        now["theme"] = now["comment_id"].map(themes).astype("object")
    return now


def _answer_line(rows: pd.DataFrame) -> str:
    """Counts of the chosen comments: how many, shares of negative / neutral / positive among the scored."""
    scored = rows[rows["scored"]]
    if scored.empty:
        return _("{n} comments, none scored").format(n=i18n.fmt_count(len(rows)))
    shares = scored["sentiment"].value_counts(normalize=True)
    figures = {s: i18n.fmt_percent(float(shares.get(s, 0.0)), 0) for s in SENTIMENTS}
    if len(rows) > EXPLORER_ROWS:
        return _("{n} comments: negative {negative}, neutral {neutral}, positive {positive} (of {scored} scored); "
                 "the newest {shown} below").format(n=i18n.fmt_count(len(rows)), scored=i18n.fmt_count(len(scored)),
                                                    shown=EXPLORER_ROWS, **figures)
    return _("{n} comments: negative {negative}, neutral {neutral}, positive {positive} (of {scored} scored)").format(
        n=i18n.fmt_count(len(rows)), scored=i18n.fmt_count(len(scored)), **figures)


def _comment_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The comments as a reader sees them (time, platform, sentiment, likes, masked text); never the user id."""
    top = rows.head(EXPLORER_ROWS)
    likes = top["likes"] if "likes" in top else pd.Series(np.nan, index=top.index)
    mood = [_(SENTIMENT_WORDS.get(str(s), str(s))) if ok else _("not scored")
            for s, ok in zip(top["sentiment"], top["scored"], strict=True)]
    return pd.DataFrame({
        _("Time"): top["created_at"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
        _("Platform"): [i18n.platform_name(str(p)) for p in top["platform"]],
        _("Sentiment"): mood,
        _("Likes"): [i18n.fmt_count(v) for v in likes],
        _("Comment"): top["text_masked"].fillna("").to_numpy(),
    })


@dataclass(frozen=True)
class CommentTable:
    """The listed comments as HTML: every cell escaped, whole (no truncation), no index."""

    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return str(self.frame.to_html(index=False, escape=True, border=0, classes="opsbook-voc-comments"))


def _filter(frame: pd.DataFrame, terms: pd.Series, choice: Mapping[str, str]) -> pd.DataFrame:
    """The comments that match every chosen filter (ALL or "" means no filter)."""
    keep = np.ones(len(frame), dtype=bool)
    for column in ("platform", "post_id", "theme"):
        value = choice.get(column, ALL)
        if value != ALL:
            keep &= (frame[column] == value).to_numpy()
    mood = choice.get("sentiment", ALL)
    if mood != ALL:
        keep &= ((frame["sentiment"] == mood) & frame["scored"]).to_numpy()
    word = choice.get("keyword", "").strip().lower()
    if word:
        in_text = frame["text_masked"].fillna("").str.lower().str.contains(word, regex=False).to_numpy()
        in_terms = np.zeros(len(frame), dtype=bool)
        in_terms[terms.index[terms == word].unique()] = True
        keep &= in_text | in_terms
    return frame[keep]


def comment_explorer(voice: Feedback, themes: pd.Series | None, names: Mapping[str, str]) -> Explorer:
    """Filters (platform, post, theme, sentiment, keyword) over the period's comments: counts and the newest 50.

    ``themes`` maps comment_id → theme label (analysis.theme_of_comments; None: no theme filter);
    ``names`` maps a theme label to its name (theme_names; a label it lacks is shown as "theme N").
    See helpers.explorer for when it draws; ``controls`` are (platform, post, [theme,] sentiment, keyword).
    """
    import ipywidgets as widgets

    from helpers.explorer import Explorer, View, fit_descriptions

    frame = _explorer_frame(voice, themes)
    terms = _term_index(frame)
    platforms = frame["platform"].value_counts().index
    platform = widgets.Dropdown(options=[(_("all platforms"), ALL), *[(i18n.platform_name(p), p) for p in platforms]],
                                description=_("Platform"))
    post = widgets.Dropdown(options=[(_("all posts"), ALL), *_post_choices(frame)], description=_("Post"))
    controls: list[widgets.Widget] = [platform, post]
    theme = None
    if themes is not None:
        labels = frame["theme"].dropna().value_counts().index
        ordered = [t for t in labels if t != OTHER] + [t for t in labels if t == OTHER]
        shown = [(_("other") if t == OTHER else names.get(str(t), _("theme {n}").format(n=t)), str(t)) for t in ordered]
        theme = widgets.Dropdown(options=[(_("all themes"), ALL), *shown], description=_("Theme"))
        controls.append(theme)
    mood = widgets.Dropdown(options=[(_("all"), ALL), *[(_(SENTIMENT_WORDS[s]), s) for s in SENTIMENTS]],
                            description=_("Sentiment"))
    keyword = widgets.Text(value="", description=_("Keyword"), placeholder=_("a word or part of a comment"))
    controls += [mood, keyword]
    fit_descriptions(controls)
    keyword.layout.width = "24em"

    def draw() -> View:
        choice = {"platform": platform.value, "post_id": post.value, "theme": theme.value if theme else ALL,
                  "sentiment": mood.value, "keyword": keyword.value}
        rows = _filter(frame, terms, choice)
        if rows.empty:
            return View(text=_("No comment matches this choice ({n} comments in the period)").format(
                n=i18n.fmt_count(len(frame))))
        return View(text=_answer_line(rows), tables=(CommentTable(_comment_table(rows)),))

    return Explorer("voc", controls, draw)

