"""helpers.voc.charts: every figure draws the sample's results (both languages), empty inputs say so,
the word cloud draws with a CJK font, and the comment explorer answers filters as pandas counts them."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from helpers import i18n
from helpers.nlp import sentiment
from helpers.voc import analysis, session
from helpers.voc import charts as voc_charts
from helpers.voc.analysis import Feedback, Keywords
from helpers.voc.themes import ThemeResult

CRISIS = ["投诉", "退款", "假货", "过敏", "烂脸", "维权", "曝光", "12315"]
CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Results:
    run: session.VocRun
    voice: Feedback
    keywords: Keywords
    found: ThemeResult
    theme_sentiment: pd.DataFrame
    warning: object
    evaluation: pd.DataFrame
    themes_of: pd.Series


@pytest.fixture(scope="module")
def results(sample_dir: object) -> Results:
    """The sample's voice-of-customer results, computed once (session.prepare and the analysis steps)."""
    run = session.prepare(account="own", period_type="month", period="latest", data_dir="",
                          sources=["comment", "reply", "dm", "survey", "danmaku"], brand_user_ids=[],
                          user_terms=["青柠生活", "维C精华", "修护面霜", "防晒乳", "卸妆油", "身体乳", "敏感肌"],
                          stop_words=[], sentiment_method="auto", n_themes="auto", spam_min_users=5,
                          alert_threshold=3.5, crisis_keywords=CRISIS, sop_risk_id="", topic_pillar="教程",
                          topic_format="short_video", top_n=15, lang="en")
    scorer = sentiment.build_scorer("auto")
    voice = analysis.feedback(run, scorer)
    words = analysis.keywords(voice, 15)
    found, by_theme = analysis.themes(voice, None)
    themes_of = analysis.theme_of_comments(found, voice)
    warning = analysis.early_warning(voice, run, themes_of)
    return Results(run, voice, words, found, by_theme, warning, sentiment.evaluation_table(scorer), themes_of)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts_of(fig: Figure) -> list[str]:
    """Every text the figure shows: titles, axis labels, tick labels, legends, annotations."""
    found = []
    for ax in fig.axes:
        found += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        found += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        found += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]
    found += [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        found.append(fig._suptitle.get_text())
    return [t for t in found if t]


def all_figures(r: Results) -> dict[str, Figure]:
    """Every chart of the module on the sample's results."""
    alerts = r.warning.alerts
    account = str(alerts["account_id"].iloc[0])
    return {
        "sentiment_bars": voc_charts.sentiment_bars(r.voice.split(["platform"]).reset_index(), "platform"),
        "sentiment_trend": voc_charts.sentiment_trend(r.voice.trend()),
        "word_cloud": voc_charts.word_cloud(r.keywords.frequencies),
        "keyword_bars": voc_charts.keyword_bars(r.keywords.tfidf, "count", i18n.gettext("Comments")),
        "rising_chart": voc_charts.rising_chart(r.keywords.rising),
        "theme_chart": voc_charts.theme_chart(r.found.themes, r.theme_sentiment),
        "alert_chart": voc_charts.alert_chart(r.warning.daily, alerts, account, r.run.period.start,
                                              r.run.period.end, r.run.names[account]),
        "accuracy_chart": voc_charts.accuracy_chart(r.evaluation),
    }


def test_the_chart_base_is_re_exported() -> None:
    from helpers import charts as base

    assert (voc_charts.setup_style, voc_charts.bar_chart, voc_charts.heatmap, voc_charts.close) == (
        base.setup_style, base.bar_chart, base.heatmap, base.close)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_chart_draws_the_sample_with_labels_in_the_run_language(results: Results, lang: str) -> None:
    with i18n.use_language(lang):
        figures = all_figures(results)
    for name, fig in figures.items():
        fig.canvas.draw()  # draws without error
        shown = " ".join(texts_of(fig))
        assert shown, f"{name}: no text"
        if lang == "zh-CN":
            assert CJK.search(shown), f"{name}: no Chinese label in zh-CN: {shown!r}"
            titles = " ".join(ax.get_title() for ax in fig.axes)
            assert not re.search(r"\b(comments|negative|positive|share|accuracy|theme)\b", titles), \
                f"{name}: English in a zh-CN title: {titles!r}"


def test_sentiment_bars_are_100_percent_stacks_with_counts(results: Results) -> None:
    split = results.voice.split(["platform"]).reset_index()
    fig = voc_charts.sentiment_bars(split, "platform")
    ax = fig.axes[0]
    now = results.voice.now
    scored = now[~now["sentiment_method"].isin(["not scored", "empty"])]
    expected = scored.groupby("platform")["sentiment"].value_counts(normalize=True).unstack(fill_value=0)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert set(labels) == {i18n.platform_name(p) for p in expected.index}  # named as people name platforms
    widths: dict[str, list[float]] = {}
    for patch in ax.patches:
        row = round(patch.get_y() + patch.get_height() / 2)
        widths.setdefault(labels[row], []).append(patch.get_width())
    for platform, shares in expected.iterrows():
        got = widths[i18n.platform_name(platform)]
        assert sum(got) == pytest.approx(1.0)
        assert got == pytest.approx([shares["negative"], shares["neutral"], shares["positive"]])
    counts = now["platform"].value_counts()
    notes = " ".join(t.get_text() for t in ax.texts)
    for n in counts:
        assert f"n = {n:,}" in notes


def test_sentiment_trend_has_negative_share_and_net_lines_and_count_bars(results: Results) -> None:
    trend = results.voice.trend()
    fig = voc_charts.sentiment_trend(trend)
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    ys = [np.asarray(line.get_ydata(), dtype=float) for line in lines]
    comments = results.voice.comments
    scored = comments[~comments["sentiment_method"].isin(["not scored", "empty"])]
    by_period = scored.groupby("period")["sentiment"]
    negative = by_period.apply(lambda s: (s == "negative").mean()).to_numpy()
    net = by_period.apply(lambda s: (s == "positive").mean() - (s == "negative").mean()).to_numpy()
    assert any(np.allclose(y, negative) for y in ys) and any(np.allclose(y, net) for y in ys)
    heights = sorted(p.get_height() for ax in fig.axes for p in ax.patches)
    assert heights == sorted(comments["period"].value_counts().to_list())


def test_word_cloud_draws_with_a_cjk_font(results: Results, monkeypatch: pytest.MonkeyPatch) -> None:
    from fontTools.ttLib import TTFont
    from wordcloud import WordCloud

    used: list[dict[str, object]] = []

    class Recording(WordCloud):  # type: ignore[misc]
        def __init__(self, **kwargs: object) -> None:
            used.append(kwargs)
            super().__init__(**kwargs)

    monkeypatch.setattr(voc_charts, "WordCloud", Recording)
    first = voc_charts.word_cloud(results.keywords.frequencies)
    second = voc_charts.word_cloud(results.keywords.frequencies)
    path = str(used[0]["font_path"])
    assert "simhei" not in path.lower()
    cmap = TTFont(path, fontNumber=0).getBestCmap()
    assert all(ord(c) in cmap for w in results.keywords.frequencies for c in w if CJK.match(c))
    assert used[0]["random_state"] is not None and used[0]["background_color"] == "white"
    image = first.axes[0].get_images()[0].get_array()
    assert np.array_equal(image, second.axes[0].get_images()[0].get_array())  # deterministic
    assert (np.asarray(image) < 250).any()  # something drawn on the white background



def test_emoji_are_named_not_drawn_as_boxes() -> None:
    assert voc_charts.term_label("物流") == "物流"
    assert voc_charts.term_label("😡") == "emoji pouting face"
    with i18n.use_language("zh-CN"):
        assert voc_charts.term_label("👍") == "表情 thumbs up sign"


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_empty_inputs_say_so(lang: str) -> None:
    split = pd.DataFrame(columns=["platform", "comments", "scored", "positive", "neutral", "negative",
                                  "positive_share", "neutral_share", "negative_share", "net_sentiment"])
    trend = split.rename(columns={"platform": "period"})
    empty_terms = pd.DataFrame(columns=["term", "count", "comments", "tfidf"])
    rising = pd.DataFrame(columns=["term", "n_now", "n_before", "share_now", "share_before", "ratio", "p_value",
                                   "q_value", "rising"])
    themes = pd.DataFrame(columns=["theme", "top_terms", "size", "share", "examples"])
    by_theme = pd.DataFrame(columns=["theme", "sentiment", "comments", "share_of_theme", "share_of_sentiment"])
    daily = pd.DataFrame(columns=["account_id", "start", "comments", "scored", "negative", "negative_share"])
    alerts = pd.DataFrame(columns=["account_id", "kind", "grain", "start", "severity"])
    evaluation = pd.DataFrame(columns=["language", "method", "accuracy", "accuracy_low", "accuracy_high",
                                       "macro_f1", "macro_f1_low", "macro_f1_high", "chosen"])
    with i18n.use_language(lang):
        figures = [voc_charts.sentiment_bars(split, "platform"), voc_charts.sentiment_trend(trend),
                   voc_charts.word_cloud({}), voc_charts.keyword_bars(empty_terms, "count", "n"),
                   voc_charts.rising_chart(rising), voc_charts.theme_chart(themes, by_theme),
                   voc_charts.alert_chart(daily, alerts, "own_douyin", pd.Timestamp("2026-10-01"),
                                          pd.Timestamp("2026-10-31"), "Douyin"),
                   voc_charts.accuracy_chart(evaluation)]
        for fig in figures:
            fig.canvas.draw()
            said = " ".join(texts_of(fig))
            assert re.search(r"\bno\b|\bNo\b", said) if lang == "en" else re.search("没有|无", said), said


def test_keyword_bars_show_the_top_terms_largest_first(results: Results) -> None:
    table = results.keywords.tfidf
    ax = voc_charts.keyword_bars(table, "count", "comments").axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    bars = {labels[round(p.get_y() + p.get_height() / 2)]: p.get_width() for p in ax.patches}
    assert bars == dict(zip(map(voc_charts.term_label, table["term"]), table["count"].astype(float), strict=True))
    # ties keep the table's rank
    ranked = table.sort_values("count", ascending=False, kind="stable")["term"].map(voc_charts.term_label).tolist()
    assert labels == ranked  # largest on top


def test_rising_chart_pairs_share_before_and_now_of_rising_terms(results: Results) -> None:
    rising = results.keywords.rising
    ax = voc_charts.rising_chart(rising, top=5).axes[0]
    labels = {t.get_text() for t in ax.get_yticklabels()}
    expected = rising[rising["rising"]].assign(gain=lambda f: f["share_now"] - f["share_before"]).nlargest(5, "gain")
    assert labels == {voc_charts.term_label(t) for t in expected["term"]}
    points = np.concatenate([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])
    xs = sorted(points[:, 0].round(6))
    assert xs == sorted(np.concatenate([expected["share_now"], expected["share_before"]]).round(6))
    notes = " ".join(t.get_text() for t in ax.texts)
    assert all(f"{a:,} → {b:,}" in notes for a, b in zip(expected["n_before"], expected["n_now"], strict=True))


def test_theme_chart_names_themes_by_their_top_terms_and_stacks_sentiment(results: Results) -> None:
    with i18n.use_language("zh-CN"):
        ax = voc_charts.theme_chart(results.found.themes, results.theme_sentiment).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    first = results.found.themes.iloc[0]
    words = [w for w in first["top_terms"] if not re.fullmatch(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]+", w)][:3]
    assert any(all(w in label for w in words) for label in labels)
    assert any("其他" in label for label in labels) and not any("other" in label for label in labels)
    total = sum(p.get_width() for p in ax.patches)
    assert total == pytest.approx(len(results.voice.now))


def test_alert_chart_marks_the_account_alerts_on_their_days(results: Results) -> None:
    alerts = results.warning.alerts
    account = "own_douyin"
    start, end = results.run.period.start, results.run.period.end
    fig = voc_charts.alert_chart(results.warning.daily, alerts, account, start, end, "Douyin")
    mine = alerts[alerts["account_id"] == account]
    days = set(pd.to_datetime(mine["start"]).dt.normalize())
    import matplotlib.dates as mdates

    marked = set()
    for ax in fig.axes:
        for collection in ax.collections:
            offsets = collection.get_offsets()
            if len(offsets):
                marked |= {pd.Timestamp(mdates.num2date(x)).tz_localize(None).normalize() for x in offsets[:, 0]}
    assert days and days <= marked
    line_x = [mdates.num2date(x).replace(tzinfo=None) for x in fig.axes[0].get_lines()[0].get_xdata()] \
        if not isinstance(fig.axes[0].get_lines()[0].get_xdata()[0], np.datetime64) else \
        list(pd.to_datetime(fig.axes[0].get_lines()[0].get_xdata()))
    assert min(line_x) == pd.Timestamp(start) - pd.Timedelta(days=28) and max(line_x) == pd.Timestamp(end)


def test_accuracy_chart_shows_both_methods_with_intervals(results: Results) -> None:
    evaluation = results.evaluation
    fig = voc_charts.accuracy_chart(evaluation)
    points = sorted(round(float(x), 6) for ax in fig.axes for c in ax.collections if isinstance(c, PathCollection)
                    for x in c.get_offsets()[:, 0])
    figures = evaluation[["accuracy", "macro_f1"]].to_numpy().ravel()
    assert points == sorted(round(float(x), 6) for x in figures if np.isfinite(x))
    shown = " ".join(texts_of(fig))
    assert "chosen" in shown


# --------------------------------------------------------------------------- explorer

def explorer_of(r: Results, **choice: object) -> object:
    ex = voc_charts.comment_explorer(r.voice, r.themes_of, voc_charts.theme_names(r.found.themes))
    platform, post, theme, mood, keyword = ex.controls
    controls = {"platform": platform, "post": post, "theme": theme, "sentiment": mood, "keyword": keyword}
    for name, value in choice.items():
        controls[name].value = value
    ex.redraw()
    return ex


def expected_rows(r: Results, platform: str = "all", post: str = "all", theme: str = "all", mood: str = "all",
                  keyword: str = "") -> pd.DataFrame:
    now = r.voice.now.copy()
    now["theme"] = now["comment_id"].map(r.themes_of)
    keep = pd.Series(True, index=now.index)
    if platform != "all":
        keep &= now["platform"] == platform
    if post != "all":
        keep &= now["post_id"] == post
    if theme != "all":
        keep &= now["theme"] == theme
    if mood != "all":  # a row not scored (empty, no letters) has no sentiment to match
        keep &= (now["sentiment"] == mood) & ~now["sentiment_method"].isin(["not scored", "empty"])
    if keyword:
        keep &= np.array([keyword.lower() in str(t).lower() or keyword.lower() in [w.lower() for w in terms]
                          for t, terms in zip(now["text_masked"], now["terms"], strict=True)], dtype=bool)
    return now[keep].sort_values("created_at", ascending=False)


def table_rows(page: str) -> list[list[str]]:
    """The body rows of an HTML table, cells unescaped (a second reading of the HTML, without pandas)."""
    body = page.split("<tbody>", 1)[-1]
    return [[html.unescape(re.sub("<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def shown_count(ex: object) -> int:
    line = html.unescape(re.sub("<[^>]+>", "", ex.text.value))
    return int(re.search(r"([\d,]+)", line).group(1).replace(",", ""))


def test_explorer_controls_and_first_view(results: Results) -> None:
    ex = explorer_of(results)
    assert ex.name == "voc" and len(ex.controls) == 5
    assert shown_count(ex) == len(results.voice.now)
    posts = [v for _, v in ex.controls[1].options][1:]
    top = results.voice.now["post_id"].value_counts()
    assert set(posts) <= set(top.index) and top[posts].is_monotonic_decreasing
    assert top[posts[-1]] >= top.drop(posts).max()  # the most commented posts


@pytest.mark.parametrize("choice", [
    {"platform": "weibo"},
    {"mood": "negative"},
    {"platform": "douyin", "mood": "positive"},
    {"theme": "4"},
    {"keyword": "物流"},
    {"keyword": "SKIN"},
    {"theme": "other", "mood": "neutral"},
])
def test_explorer_answers_filters_as_pandas_counts_them(results: Results, choice: dict[str, str]) -> None:
    names = {"mood": "sentiment"}
    ex = explorer_of(results, **{names.get(k, k): v for k, v in choice.items()})
    expected = expected_rows(results, **choice)
    assert shown_count(ex) == len(expected)
    rows = table_rows(ex.tables.value)
    assert len(rows) == min(50, len(expected))
    assert [row[-1] for row in rows] == [t if isinstance(t, str) else "" for t in expected["text_masked"].head(50)]


def test_explorer_filters_by_post(results: Results) -> None:
    ex = explorer_of(results)
    post = ex.controls[1].options[2][1]
    ex.controls[1].value = post
    ex.redraw()
    assert shown_count(ex) == len(expected_rows(results, post=post))


def test_explorer_never_shows_user_ids_and_escapes_text(results: Results) -> None:
    voice = results.voice
    comments = voice.comments.copy()
    newest = comments.index[comments["created_at"] == voice.now["created_at"].max()][0]
    comments.loc[newest, "text_masked"] = "<script>alert(1)</script> 物流"
    tricky = Feedback(comments, voice.cleaned, voice.brand_rows, voice.brand_rows_now, voice.period, voice.previous)
    ex = voc_charts.comment_explorer(tricky, results.themes_of, {})
    ex.redraw()
    page = ex.text.value + ex.tables.value
    assert "<script>" not in page and "&lt;script&gt;" in page
    users = set(voice.now["user_id"].dropna())
    for platform in ["all", *sorted(voice.now["platform"].unique())]:
        ex.controls[0].value = platform
        ex.redraw()
        found = set(re.findall(r"u\d{6}", ex.tables.value))
        assert not (found & users)


def test_explorer_without_themes_has_no_theme_choice(results: Results) -> None:
    ex = voc_charts.comment_explorer(results.voice, None, {})
    ex.redraw()
    assert len(ex.controls) == 4 and shown_count(ex) == len(results.voice.now)


def test_explorer_labels_in_chinese(results: Results) -> None:
    with i18n.use_language("zh-CN"):
        ex = explorer_of(results)
    for control in ex.controls:
        assert CJK.search(control.description), control.description
    assert CJK.search(ex.text.value)
