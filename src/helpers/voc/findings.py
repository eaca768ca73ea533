"""What the voice-of-the-customer report says: the line under each section, its tables, the summary and summary.json.

Every function takes computed results (helpers.voc.analysis) and returns text, a styled table or a
dict; nothing here computes a statistic of its own beyond counting and picking what to say.
Numbers go through helpers.i18n (counts, shares, dates in the run's language); user ids never
appear; comment texts are always the masked ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers import i18n, page
from helpers.i18n import N_, _, fmt_count, fmt_date, fmt_percent
from helpers.nlp.sentiment import SentimentScorer, evaluation_table, net_sentiment
from helpers.report import styled
from helpers.voc.alerts import KIND_LABELS, EarlyWarning
from helpers.voc.analysis import Feedback, Keywords, Questions
from helpers.voc.clean import REASONS
from helpers.voc.session import VocRun
from helpers.voc.themes import OTHER, ThemeResult

__all__ = [
    "accuracy_view",
    "alert_focus",
    "alerts_line",
    "calibration_line",
    "cleaning_line",
    "cleaning_view",
    "critical_line",
    "executive_summary",
    "incidents_view",
    "k_choice_view",
    "keywords_line",
    "keywords_view",
    "method_line",
    "questions_line",
    "questions_view",
    "reply_line",
    "reply_view",
    "rising_view",
    "sentiment_line",
    "setup_text",
    "split_view",
    "summary",
    "tables",
    "themes_line",
    "themes_view",
    "topic_rows_view",
    "written_line",
]

ANCHORS: dict[str, str] = {"data": "#data", "sentiment": "#sentiment", "keywords": "#keywords", "themes": "#themes",
                           "questions": "#questions", "alerts": "#alerts", "explore": "#explore"}
REASON_NAMES: dict[str, str] = {"empty": N_("empty text"), "link_spam": N_("links and contact spam"),
                                "bot": N_("bot accounts"), "duplicate": N_("duplicates"),
                                "repeated_text": N_("copy-paste text from many users"), "kept": N_("kept")}
SENTIMENT_NAMES: dict[str, str] = {"positive": N_("positive"), "neutral": N_("neutral"), "negative": N_("negative")}
METHOD_NAMES: dict[str, str] = {"model": N_("trained model"), "lexicon": N_("lexicon baseline")}
LANGUAGE_NAMES: dict[str, str] = {"zh": N_("Chinese"), "en": N_("English")}
RESPONSE_NAMES: dict[str, str] = {"in_time": N_("answered in time"), "late": N_("answered late"),
                                  "none": N_("no answer yet"), "no_reply_data": N_("no reply data")}
REPLY_CLAUSES: dict[str, str] = {"in_time": N_("the brand first answered {h} h after it began"),
                                 "late": N_("the brand first answered {h} h after it began"),
                                 "none": N_("the brand has answered none of them"),
                                 "no_reply_data": N_("the data has no reply times")}
SEVERITY_NAMES: dict[str, str] = {"critical": N_("critical"), "warning": N_("warning")}
SOURCE_NAMES: dict[str, str] = {"comment": N_("comments"), "reply": N_("replies"), "dm": N_("DMs"),
                                "survey": N_("survey answers"), "danmaku": N_("danmaku")}


def _names(run: VocRun, account_id: str) -> str:
    """An account's display name."""
    return run.names.get(account_id, account_id)


def _theme_name(themes: pd.DataFrame, theme: str) -> str:
    """A theme as a reader names it: its first three top terms joined by slashes, or "other"."""
    if theme == OTHER:
        return _("other")
    row = themes[themes["theme"] == theme]
    terms = list(row["top_terms"].iloc[0]) if len(row) else []
    return " / ".join(terms[:3]) if terms else str(theme)


# ---------------------------------------------------------------- 1. cleaning

def _period_reasons(voice: Feedback) -> pd.Series:
    """Rows of the period per reason (every reason, and kept)."""
    removed = voice.removed_now()
    counts = removed["reason"].value_counts() if len(removed) else pd.Series(dtype="int64")
    return pd.Series({r: int(counts.get(r, 0)) for r in REASONS} | {"kept": len(voice.now)})


def cleaning_view(voice: Feedback) -> Any:
    """Rows of the period removed per reason, with their share of all rows, and the rows kept."""
    counts = _period_reasons(voice)
    total = int(counts.sum())
    frame = pd.DataFrame({"reason": [_(REASON_NAMES[r]) for r in counts.index], "rows": counts.to_numpy(),
                          "share": counts.to_numpy() / total if total else np.nan})
    return styled(frame, labels={"reason": _("reason"), "rows": _("rows"), "share": _("share of all rows")})


def cleaning_line(voice: Feedback, run: VocRun) -> str:
    """What came in this period, what was removed and why, and that personal data is masked."""
    counts = _period_reasons(voice)
    total = int(counts.sum())
    removed = total - int(counts["kept"])
    now = voice.now
    sources = now["source"].value_counts()
    parts = i18n.listed(_("{n} {source}").format(n=fmt_count(int(sources[s])), source=_(SOURCE_NAMES[s]))
                        for s in SOURCE_NAMES if s in sources)
    reasons = i18n.listed(_("{reason} {n}").format(reason=_(REASON_NAMES[r]), n=fmt_count(int(counts[r])))
                          for r in REASONS if counts[r] > 0) or _("none")
    masked = int((now["text"].astype(str) != now["text_masked"].astype(str)).sum())
    line = _("{period}: {total} pieces of feedback; {removed} removed ({share}): {reasons}. Kept {kept}: {parts}.")
    privacy = (_("Personal data (phone numbers, e-mails, @handles) masked in {n} comments.").format(n=fmt_count(masked))
               if masked else _("No personal data found to mask."))
    brand = _("The brand's own {n} replies are not counted as customer voice.").format(
        n=fmt_count(voice.brand_rows_now)) if voice.brand_rows_now else ""
    text = line.format(period=i18n.fmt_period(run.period.kind, run.period.start), total=fmt_count(total),
                       removed=fmt_count(removed), share=fmt_percent(removed / total if total else np.nan),
                       reasons=reasons, kept=fmt_count(int(counts["kept"])), parts=parts)
    return i18n.sentences(text, privacy, brand)


# ---------------------------------------------------------------- 2. sentiment

def accuracy_view(scorer: SentimentScorer) -> Any:
    """The held-out accuracy table: per language, model and baseline, with 95 % intervals, the one used marked."""
    table = evaluation_table(scorer)
    frame = pd.DataFrame({
        "language": [_(LANGUAGE_NAMES.get(str(x), str(x))) for x in table["language"]],
        "method": table["description"],
        "held_out": table["held_out"],
        "n": table["n"],
        "accuracy": [_interval(a, lo, hi) for a, lo, hi in
                     zip(table["accuracy"], table["accuracy_low"], table["accuracy_high"], strict=True)],
        "macro_f1": [_interval(a, lo, hi, percent=False) for a, lo, hi in
                     zip(table["macro_f1"], table["macro_f1_low"], table["macro_f1_high"], strict=True)],
        "coverage": table["coverage"],
        "selective_accuracy": table["selective_accuracy"],
        "chosen": table["chosen"].astype(bool),
    })
    labels = {"language": _("language"), "method": _("method"), "held_out": _("held-out test set"), "n": _("texts"),
              "accuracy": _("accuracy (95% CI)"), "macro_f1": _("macro-F1 (95% CI)"),
              "coverage": _("coverage outside the neutral band"), "selective_accuracy": _("accuracy outside the band"),
              "chosen": _("used")}
    return styled(frame, labels=labels, percent=("coverage", "selective_accuracy"))


def _interval(value: float, low: float, high: float, percent: bool = True) -> str:
    """A value with its interval: 84.4% (83.1%–85.6%), or 0.843 (0.831–0.855)."""
    if pd.isna(value):
        return i18n.MISSING
    show = fmt_percent if percent else (lambda v: f"{v:.3f}")
    return f"{show(value)} ({show(low)}–{show(high)})"


def method_line(scorer: SentimentScorer) -> str:
    """Which method scores each language and why (the held-out figures against the baseline)."""
    table = evaluation_table(scorer)
    lines = []
    for language in ("zh", "en"):
        rows = table[table["language"] == language]
        if rows.empty:
            continue
        used = rows[rows["chosen"]].iloc[0] if rows["chosen"].any() else rows.iloc[0]
        other = rows[rows["method"] != used["method"]]
        if pd.isna(used["macro_f1"]):
            lines.append(str(used["note"]))
            continue
        versus = other.iloc[0]["macro_f1"] if len(other) else np.nan
        line = _("{language}: {method} (held-out macro-F1 {f1}, accuracy {accuracy}; the other method: macro-F1 "
                 "{other}).")
        lines.append(line.format(language=_(LANGUAGE_NAMES[language]), method=_(METHOD_NAMES[str(used["method"])]),
                                 f1=f"{used['macro_f1']:.3f}", accuracy=fmt_percent(used["accuracy"]),
                                 other=f"{versus:.3f}" if pd.notna(versus) else i18n.MISSING))
    return i18n.sentences(*lines)


def _split_sentence(split: pd.Series) -> str:
    """Counts and shares of one split row: 2,100 positive (50.0%), …"""
    return i18n.listed(_("{n} {sentiment} ({share})").format(
        n=fmt_count(int(split[s])), sentiment=_(SENTIMENT_NAMES[s]), share=fmt_percent(split[f"{s}_share"]))
        for s in ("positive", "neutral", "negative"))


def net_target(run: VocRun) -> float | None:
    """The net-sentiment target of the period (the mean of the analysed accounts' targets), None when none is set."""
    targets = run.table("targets")
    if targets is None or targets.empty:
        return None
    rows = targets[(targets["kpi"] == "net_sentiment") & targets["account_id"].isin(run.account_ids)
                   & (targets["period"].astype(str) == run.period.label)]
    return float(rows["target"].mean()) if len(rows) else None


def sentiment_line(voice: Feedback, run: VocRun) -> str:
    """The period's split in counts and shares, net sentiment against its target and against the previous period."""
    split = voice.split([]).iloc[0]
    now_net, before = float(split["net_sentiment"]), voice.before
    line = _("{scored} of {n} comments scored: {split}. Net sentiment {net}").format(
        scored=fmt_count(int(split["scored"])), n=fmt_count(int(split["comments"])), split=_split_sentence(split),
        net=_signed(now_net))
    target = net_target(run)
    if target is not None:
        met = _("met") if now_net >= target else _("missed")
        line += _(" against a target of {target} ({met})").format(target=_signed(target), met=met)
    if len(before):
        line += _("; previous period {before}").format(before=_signed(net_sentiment(before)))
    return line + _(".")


def _signed(value: float) -> str:
    """A net sentiment as a signed number with two decimals: +0.28, −0.05."""
    if pd.isna(value):
        return i18n.MISSING
    return f"{value:+.2f}".replace("-", "−")


def split_view(voice: Feedback, by: str, run: VocRun, top: int | None = None) -> Any:
    """The period's split by a column (platform, campaign, post title): counts, shares and net sentiment."""
    frame = voice.split([by])  # one row per value of `by`, already a column
    if by == "platform":
        frame[by] = frame[by].map(i18n.platform_name)
    if by == "campaign":
        frame[by] = frame[by].replace("", _("no campaign"))
    frame = frame.sort_values("comments", ascending=False, kind="stable")
    if top:
        frame = frame.head(top)
    labels = {by: _(SPLIT_NAMES.get(by, by)), "comments": _("comments"), "scored": _("scored"),
              "positive": _("positive"), "neutral": _("neutral"), "negative": _("negative"),
              "positive_share": _("positive share"), "neutral_share": _("neutral share"),
              "negative_share": _("negative share"), "net_sentiment": _("net sentiment")}
    return styled(frame.reset_index(drop=True), labels=labels,
                  percent=("positive_share", "neutral_share", "negative_share"))


SPLIT_NAMES: dict[str, str] = {"platform": N_("platform"), "campaign": N_("campaign"), "post_title": N_("post"),
                               "period": N_("period"), "account_id": N_("account")}


# ---------------------------------------------------------------- 3. keywords

def keywords_line(words: Keywords) -> str:
    """The period's most characteristic words and the fastest-rising ones, with counts."""
    if words.tfidf.empty:
        return _("No words this period.")
    top = i18n.listed(str(t) for t in words.tfidf["term"].head(5))
    rising = words.rising[words.rising["rising"]].head(3)
    if rising.empty:
        return _("Most characteristic words: {top}. No word rose significantly against the previous period.").format(
            top=top)
    moves = i18n.listed(_("{term} ({before} → {now} comments)").format(
        term=r["term"], before=fmt_count(int(r["n_before"])), now=fmt_count(int(r["n_now"])))
        for _i, r in rising.iterrows())
    return _("Most characteristic words: {top}. Rising most against the previous period: {moves}.").format(
        top=top, moves=moves)


def keywords_view(words: Keywords) -> Any:
    """TF-IDF keywords next to their TextRank rank."""
    rank = {t: i + 1 for i, t in enumerate(words.textrank["term"])}
    frame = words.tfidf.assign(textrank=words.tfidf["term"].map(rank).astype("Int64"))
    labels = {"term": _("word"), "count": _("mentions"), "comments": _("comments"), "tfidf": _("TF-IDF"),
              "textrank": _("TextRank rank")}
    return styled(frame, labels=labels)


def rising_view(words: Keywords, top: int) -> Any:
    """The rising words: comments now and before, shares, ratio and the corrected q-value."""
    frame = words.rising[words.rising["rising"]].head(top).drop(columns=["rising", "p_value"])
    frame = frame.assign(  # q as the suite writes p-values (p < 0.001); a word absent before has no finite ratio
        ratio=[_("new this period") if np.isinf(r) else f"{r:.2f}" for r in frame["ratio"]],
        q_value=[i18n.fmt_p_value(q, "q") for q in frame["q_value"]])
    labels = {"term": _("word"), "n_now": _("comments this period"), "n_before": _("comments previous period"),
              "share_now": _("share this period"), "share_before": _("share previous period"),
              "ratio": _("ratio"), "q_value": _("q (BH)")}
    return styled(frame.reset_index(drop=True), labels=labels, percent=("share_now", "share_before"))


# ---------------------------------------------------------------- 4. themes

def _negative_theme(found: ThemeResult, by_sentiment: pd.DataFrame) -> pd.Series | None:
    """The theme holding the largest share of the negative comments (its row of the theme × sentiment table)."""
    negative = by_sentiment[(by_sentiment["sentiment"] == "negative") & (by_sentiment["theme"] != OTHER)]
    if negative.empty or negative["comments"].sum() == 0:
        return None
    return negative.sort_values("comments", ascending=False, kind="stable").iloc[0]


def themes_line(found: ThemeResult, by_sentiment: pd.DataFrame) -> str:
    """How many themes and how chosen, and where the negative comments concentrate."""
    if found.k == 0:
        return _("Too little text this period to find themes.")
    how = _("chosen by topic coherence") if len(found.k_choice) > 1 else _("as set by the parameter n_themes")
    line = _("{k} themes ({how}).").format(k=found.k, how=how)
    worst = _negative_theme(found, by_sentiment)
    if worst is not None:
        line = i18n.sentences(line, _("Negative comments concentrate in \"{theme}\": {share} of all negative comments "
                        "({n}).").format(theme=_theme_name(found.themes, str(worst["theme"])),
                                         share=fmt_percent(worst["share_of_sentiment"]),
                                         n=fmt_count(int(worst["comments"]))))
    return line


def themes_view(found: ThemeResult, by_sentiment: pd.DataFrame) -> Any:
    """Per theme: its words, comments and share, the split, its share of all negatives and 3 example comments."""
    wide = by_sentiment.pivot_table(index="theme", columns="sentiment", values="comments", aggfunc="sum",
                                    fill_value=0)
    negative_share = by_sentiment[by_sentiment["sentiment"] == "negative"].set_index("theme")["share_of_sentiment"]
    frame = pd.DataFrame({
        "theme": [_theme_name(found.themes, t) for t in found.themes["theme"]],
        "comments": found.themes["size"].to_numpy(),
        "share": found.themes["share"].to_numpy(),
        "positive": [int(wide.at[t, "positive"]) if t in wide.index else 0 for t in found.themes["theme"]],
        "neutral": [int(wide.at[t, "neutral"]) if t in wide.index else 0 for t in found.themes["theme"]],
        "negative": [int(wide.at[t, "negative"]) if t in wide.index else 0 for t in found.themes["theme"]],
        "share_of_negative": [float(negative_share.get(t, np.nan)) for t in found.themes["theme"]],
        "examples": [" ｜ ".join(e) for e in found.themes["examples"]],
    })
    labels = {"theme": _("theme"), "comments": _("comments"), "share": _("share of comments"),
              "positive": _("positive"),
              "neutral": _("neutral"), "negative": _("negative"), "share_of_negative": _("share of all negative"),
              "examples": _("example comments")}
    return styled(frame, labels=labels, percent=("share", "share_of_negative"))


def k_choice_view(found: ThemeResult) -> Any:
    """The numbers of themes tried: coherence, coverage, score, the one chosen."""
    labels = {"k": _("themes"), "coherence": _("coherence (NPMI)"), "coverage": _("coverage"), "score": _("score"),
              "reconstruction_err": _("reconstruction error"), "chosen": _("chosen")}
    return styled(found.k_choice, labels=labels, percent=("coverage",))


# ---------------------------------------------------------------- 5. questions

def questions_line(asked: Questions) -> str:
    """How many questions, how many groups, and the most asked one with its count, wordings and likes."""
    if asked.asked == 0:
        return _("No questions among this period's comments.")
    first = asked.ranked.iloc[0]
    line = _("{n} questions ({share} of the comments) in {groups} groups. Asked most: \"{question}\" ({count} "
             "comments in {variants} wordings).")
    text = line.format(n=fmt_count(asked.asked), share=fmt_percent(asked.asked / asked.comments),
                       groups=fmt_count(len(asked.ranked)), question=first["question"],
                       count=fmt_count(int(first["questions"])), variants=fmt_count(int(first["variants"])))
    if len(asked.topic_rows):
        more = _("The top {n} are written as topic-bank rows that content planning can schedule (the appendix names "
                 "the file).")
        text = i18n.sentences(text, more.format(n=len(asked.topic_rows)))
    return text


def questions_view(asked: Questions, top: int) -> Any:
    """The most asked question groups: the usual wording, comments, wordings, likes, share and examples."""
    frame = asked.ranked.head(top).drop(columns=["group"]).assign(
        examples=lambda f: [" ｜ ".join(e) for e in f["examples"]])
    labels = {"question": _("question"), "questions": _("comments"), "variants": _("wordings"), "likes": _("likes"),
              "share": _("share of questions"), "examples": _("example wordings")}
    return styled(frame.reset_index(drop=True), labels=labels, percent=("share",))


def topic_rows_view(asked: Questions) -> Any:
    """The topic-bank rows proposed from the questions (as content planning will read them)."""
    labels = {"topic": _("topic"), "pillar": _("pillar"), "format": _("format"), "source": _("source"),
              "strategic_weight": _("strategic weight"), "notes": _("notes")}
    frame = asked.topic_rows.assign(format=lambda f: f["format"].map(i18n.format_name))
    return styled(frame, labels=labels, percent=())  # a strategic weight is a multiplier (1.0), not a share


# ---------------------------------------------------------------- 6. alerts and replies

def alerts_line(found: pd.DataFrame, warning: EarlyWarning, run: VocRun) -> str:
    """The period's incidents: how many, the worst one (account, time, negatives), owner and deadlines."""
    sop = warning.sop
    owner = sop.owner or _("no owner in the risk register")
    rule = _("Response SOP (risk register {risk}): {owner} responds within {respond} h and escalates after {escalate} "
             "h.").format(risk=sop.risk_id or i18n.MISSING, owner=owner, respond=f"{sop.respond_within_h:g}",
                          escalate=f"{sop.escalate_after_h:g}")
    if sop.defaults:
        rule = i18n.sentences(rule, _("The register gives no hours, so the methodology's 24 h / 48 h apply."))
    if found.empty:
        return i18n.sentences(_("No public-opinion alert this period."), rule)
    worst = found.iloc[0]
    line = _("{n} public-opinion incidents this period ({alerts} alerts). Worst: {account}, from {start}, {severity}, "
             "{negative} negative comments; {reply}.")
    reply = _(REPLY_CLAUSES[str(worst["response"])]).format(
        h=f"{worst['first_reply_h']:.1f}" if pd.notna(worst["first_reply_h"]) else "")
    text = line.format(n=fmt_count(len(found)), alerts=fmt_count(int(found["alerts"].sum())),
                       account=_names(run, str(worst["account_id"])), start=_when(worst["start"]),
                       severity=_(SEVERITY_NAMES[str(worst["severity"])]), negative=fmt_count(int(worst["negative"])),
                       reply=reply)
    return i18n.sentences(text, rule)


def _when(moment: pd.Timestamp) -> str:
    """A date, with the hour when it is not midnight."""
    moment = pd.Timestamp(moment)
    return fmt_date(moment) if moment == moment.normalize() else f"{fmt_date(moment)} {moment:%H:%M}"


def incidents_view(found: pd.DataFrame, run: VocRun) -> Any:
    """One row per incident: account, from–to, severity, alerts, negatives, what triggered it, owner, deadline,
    how the brand answered, and the most-liked comments behind it."""
    frame = pd.DataFrame({
        "account": [_names(run, str(a)) for a in found["account_id"]],
        "start": [_when(s) for s in found["start"]],
        "end": [_when(e) for e in found["end"]],
        "severity": [_(SEVERITY_NAMES[str(s)]) for s in found["severity"]],
        "alerts": found["alerts"].to_numpy(),
        "negative": found["negative"].to_numpy(),
        "kinds": [i18n.listed(_(KIND_LABELS[k]) for k in kinds) for kinds in found["kinds"]],
        "owner": found["owner"].fillna(i18n.MISSING).to_numpy(),
        "deadline": [_when(d) for d in found["deadline"]],
        "response": [_(RESPONSE_NAMES[str(r)]) for r in found["response"]],
        "answered_24h": found["answered_24h"].to_numpy(dtype="float64"),
        "top_comments": [" ｜ ".join(c) for c in found["top_comments"]],
    })
    labels = {"account": _("account"), "start": _("from"), "end": _("to"), "severity": _("severity"),
              "alerts": _("alerts"), "negative": _("negative comments"), "kinds": _("triggered by"),
              "owner": _("owner"), "deadline": _("respond by"), "response": _("response"),
              "answered_24h": _("complaints answered within the deadline"), "top_comments": _("most-liked comments")}
    return styled(frame, labels=labels, percent=("answered_24h",))


def reply_line(replies: pd.DataFrame) -> str:
    """How fast the brand answered complaints this period, in all: within 24 h, unanswered after 48 h, median."""
    row = replies[(replies["account_id"] == "all") & (replies["subset"] == "complaints")]
    if row.empty or not bool(row["reply_data"].iloc[0]):
        return _("The comments carry no reply times: how fast the brand answers cannot be measured.")
    r = row.iloc[0]
    line = _("Complaints answered within 24 h: {share} ({n} of {judged}); still unanswered after 48 h: {open} "
             "({open_share}); median time to the brand's reply {median} h.")
    return line.format(share=fmt_percent(r["share_within_24h"]), n=fmt_count(int(r["within_24h"])),
                       judged=fmt_count(int(r["judged_24h"])), open=fmt_count(int(r["unanswered_48h"])),
                       open_share=fmt_percent(r["share_unanswered_48h"]),
                       median=f"{r['median_hours_to_reply']:.1f}" if pd.notna(r["median_hours_to_reply"])
                       else i18n.MISSING)


def reply_view(replies: pd.DataFrame, run: VocRun) -> Any:
    """Reply times per account and in all, for all comments and for complaints."""
    frame = replies[["account_id", "subset", "comments", "share_within_24h", "share_within_48h",
                     "share_unanswered_48h", "median_hours_to_reply"]].copy()
    frame["account_id"] = [_("all accounts") if a == "all" else _names(run, str(a)) for a in frame["account_id"]]
    frame["subset"] = frame["subset"].map({"all": _("all comments"), "complaints": _("complaints")})
    labels = {"account_id": _("account"), "subset": _("comments"), "comments": _("count"),
              "share_within_24h": _("answered within 24 h"), "share_within_48h": _("answered within 48 h"),
              "share_unanswered_48h": _("unanswered after 48 h"), "median_hours_to_reply": _("median hours to reply")}
    return styled(frame, labels=labels, percent=("share_within_24h", "share_within_48h", "share_unanswered_48h"))


def critical_line(found: pd.DataFrame, run: VocRun) -> str:
    """The critical incidents of the period, by account and first day (the ones that cannot wait)."""
    critical = found[found["severity"] == "critical"] if len(found) else found
    if critical.empty:
        return _("No critical incident this period.")
    return _("Critical incidents: {list}.").format(list=i18n.listed(
        _("{account} from {start}").format(account=_names(run, str(r["account_id"])), start=_when(r["start"]))
        for _i, r in critical.iterrows()))


def calibration_line(warning: EarlyWarning) -> str:
    """How many alerts the rules raised on the history against the false alarms they should raise by chance."""
    table = warning.calibration
    if table.empty:
        return _("No history long enough to calibrate the alerts.")
    scored, raised = int(table["scored"].sum()), int(table["alerts"].sum())
    expected = float(table["expected_false_alarms"].sum())
    return _("Calibration: over the history the rules scored {scored} days and hours and raised {raised} alerts; "
             "by chance alone they would raise about {expected}.").format(
        scored=fmt_count(scored), raised=fmt_count(raised), expected=f"{expected:.1f}")


def alert_focus(found: pd.DataFrame, voice: Feedback) -> str:
    """The account the alert chart shows: the worst incident's, else the account with the most negative comments."""
    if len(found):
        return str(found.iloc[0]["account_id"])
    now = voice.now
    negative = now[now["sentiment"] == "negative"]["account_id"].value_counts()
    return str(negative.index[0]) if len(negative) else str(now["account_id"].iloc[0])


# ---------------------------------------------------------------- summary

def _net_tile(voice: Feedback, run: VocRun) -> page.Tile:
    """Net sentiment, its status against the target (or the previous period) and the comparison lines."""
    now = net_sentiment(voice.now)
    before = net_sentiment(voice.before) if len(voice.before) else np.nan
    target = net_target(run)
    lines = []
    if target is not None:
        lines.append(_("target {target}").format(target=_signed(target)))
        status = "good" if now >= target else ("watch" if now >= target - 0.1 else "bad")
    else:
        status = "info"
    if pd.notna(before):
        lines.append(_("previous period {before}").format(before=_signed(before)))
    return page.Tile(_("net sentiment"), _signed(now), status, tuple(lines), ANCHORS["sentiment"])


def _share_tile(voice: Feedback) -> page.Tile:
    """The negative share with its count, and the previous period's."""
    split = voice.split([]).iloc[0]
    lines = [_("{n} negative comments").format(n=fmt_count(int(split["negative"])))]
    if len(voice.before):
        before = voice.before
        scored = before["sentiment_method"].isin(["model", "lexicon", "emoji"])
        if scored.any():
            share = float((before.loc[scored, "sentiment"] == "negative").mean())
            lines.append(_("previous period {share}").format(share=fmt_percent(share)))
    return page.Tile(_("negative share"), fmt_percent(split["negative_share"]), "info", tuple(lines),
                     ANCHORS["sentiment"])


def _reply_tile(replies: pd.DataFrame) -> page.Tile:
    """Complaints answered within 24 h (METHODOLOGY: handle within 24 h)."""
    row = replies[(replies["account_id"] == "all") & (replies["subset"] == "complaints")]
    if row.empty or not bool(row["reply_data"].iloc[0]):
        return page.Tile(_("complaints answered within 24 h"), i18n.MISSING, "info", (_("no reply data"),),
                         ANCHORS["alerts"])
    r = row.iloc[0]
    share = float(r["share_within_24h"])
    status = "good" if share >= 0.9 else ("watch" if share >= 0.7 else "bad")
    return page.Tile(_("complaints answered within 24 h"), fmt_percent(share), status,
                     (_("{n} of {judged}").format(n=fmt_count(int(r["within_24h"])),
                                                  judged=fmt_count(int(r["judged_24h"]))),), ANCHORS["alerts"])


def _title(run: VocRun) -> str:
    """Report · brand · period, in the run's language."""
    return page.report_title(_("Voice of the customer"), page.brand_name([_names(run, a) for a in run.account_ids]),
                             i18n.fmt_period(run.period.kind, run.period.start))


def executive_summary(run: VocRun, voice: Feedback, words: Keywords, found: ThemeResult, by_sentiment: pd.DataFrame,
                      asked: Questions, incidents_found: pd.DataFrame, warning: EarlyWarning,
                      replies: pd.DataFrame) -> page.Summary:
    """The report's first screen: the verdict, three tiles, key findings and actions, each linked to its section."""
    title = _title(run)
    findings_lines: list[page.Line] = []
    actions: list[page.Line] = []
    if len(incidents_found):
        worst = incidents_found.iloc[0]
        verdict = _("Public-opinion incident: {account} from {start}, {negative} negative comments ({severity}); "
                    "{owner} owns the response.").format(account=_names(run, str(worst["account_id"])),
                                                         start=_when(worst["start"]),
                                        negative=fmt_count(int(worst["negative"])),
                                        severity=_(SEVERITY_NAMES[str(worst["severity"])]),
                                        owner=warning.sop.owner or _("nobody"))
        status = "bad" if worst["severity"] == "critical" else "watch"
        findings_lines.append(page.Line(alerts_line(incidents_found, warning, run), ANCHORS["alerts"], status))
        actions.append(page.Line(_("Answer the complaints behind the {account} incident and publish a statement if "
                                   "they keep coming; escalate after {h} h.").format(
            account=_names(run, str(worst["account_id"])), h=f"{warning.sop.escalate_after_h:g}"),
            ANCHORS["alerts"], status))
    else:
        verdict = sentiment_line(voice, run)
        status = _net_tile(voice, run).status
    worst_theme = _negative_theme(found, by_sentiment)
    if worst_theme is not None:
        name = _theme_name(found.themes, str(worst_theme["theme"]))
        findings_lines.append(page.Line(themes_line(found, by_sentiment), ANCHORS["themes"]))
        actions.append(page.Line(_("Fix the cause behind \"{theme}\": it holds {share} of the negative comments.")
                                 .format(theme=name, share=fmt_percent(worst_theme["share_of_sentiment"])),
                                 ANCHORS["themes"]))
    if not words.rising.empty and words.rising["rising"].any():
        findings_lines.append(page.Line(keywords_line(words), ANCHORS["keywords"]))
    if asked.asked:
        findings_lines.append(page.Line(questions_line(asked), ANCHORS["questions"]))
        actions.append(page.Line(_("Answer \"{question}\" in a post and in the pinned comment; give this run's "
                                   "topic-bank rows to content planning.").format(
            question=asked.ranked.iloc[0]["question"]), ANCHORS["questions"]))
    findings_lines.append(page.Line(sentiment_line(voice, run), ANCHORS["sentiment"]))
    reply = replies[(replies["account_id"] == "all") & (replies["subset"] == "complaints")]
    if len(reply) and bool(reply["reply_data"].iloc[0]) and float(reply["share_within_24h"].iloc[0]) < 0.9:
        actions.append(page.Line(reply_line(replies), ANCHORS["alerts"], "watch"))
    return page.Summary(title=title, verdict=verdict, verdict_status=status, verdict_href=ANCHORS["alerts"],
                        tiles=(_net_tile(voice, run), _share_tile(voice), _reply_tile(replies)),
                        findings=tuple(findings_lines[:5]), actions=tuple(actions[:3]))


# ---------------------------------------------------------------- summary.json, tables, set-up

def _split_record(split: pd.Series) -> dict[str, Any]:
    """A split row as plain numbers."""
    return {k: (float(split[k]) if "share" in k or k == "net_sentiment" else int(split[k]))
            for k in ("comments", "scored", "positive", "neutral", "negative", "positive_share", "neutral_share",
                      "negative_share", "net_sentiment")}


def summary(run: VocRun, voice: Feedback, scorer: SentimentScorer, words: Keywords, found: ThemeResult,
            by_sentiment: pd.DataFrame, asked: Questions, incidents_found: pd.DataFrame, warning: EarlyWarning,
            replies: pd.DataFrame) -> dict[str, Any]:
    """summary.json: sentiment split (in all and per platform), keywords, themes, questions, alerts, reply times."""
    by_platform = voice.split(["platform"]).set_index("platform")
    worst = _negative_theme(found, by_sentiment)
    return {
        "title": _title(run),
        "label": run.period.label, "period": run.period.label, "accounts": list(run.account_ids),
        "cleaning": {str(k): int(v) for k, v in _period_reasons(voice).items()},
        "sentiment": _split_record(voice.split([]).iloc[0]),
        "sentiment_by_platform": {str(p): _split_record(r) for p, r in by_platform.iterrows()},
        "net_sentiment_target": net_target(run),
        "sentiment_methods": dict(scorer.methods),
        "sentiment_evaluation": evaluation_table(scorer).drop(columns=["description", "note"]).to_dict("records"),
        "keywords": words.tfidf["term"].head(20).tolist(),
        "rising_keywords": words.rising.loc[words.rising["rising"], "term"].head(20).tolist(),
        "themes": [{"theme": str(r["theme"]), "top_terms": list(r["top_terms"]), "comments": int(r["size"]),
                    "share": float(r["share"])} for _i, r in found.themes.iterrows()],
        "themes_k": found.k,
        "negative_theme": None if worst is None else {
            "theme": str(worst["theme"]), "share_of_negative": float(worst["share_of_sentiment"])},
        "questions": {"asked": asked.asked, "groups": len(asked.ranked),
                      "top": [{"question": str(r["question"]), "comments": int(r["questions"])}
                              for _i, r in asked.ranked.head(10).iterrows()]},
        "alerts": {"alerts": len(warning.alerts), "incidents": len(incidents_found),
                   "critical": int((incidents_found["severity"] == "critical").sum()) if len(incidents_found) else 0,
                   "list": [{"account_id": str(r["account_id"]), "start": r["start"], "severity": str(r["severity"]),
                             "negative": int(r["negative"]), "response": str(r["response"])}
                            for _i, r in incidents_found.iterrows()],
                   "sop": {"owner": warning.sop.owner, "risk_id": warning.sop.risk_id,
                           "respond_within_h": warning.sop.respond_within_h,
                           "escalate_after_h": warning.sop.escalate_after_h}},
        "reply_times": replies.to_dict("records"),
    }


def tables(voice: Feedback, words: Keywords, found: ThemeResult, by_sentiment: pd.DataFrame, asked: Questions,
           incidents_found: pd.DataFrame, warning: EarlyWarning, replies: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The CSV outputs (machine column names; masked texts only, never user ids)."""
    split = pd.concat([voice.split([by]).rename(columns={by: "group"}).assign(by=by)
                       for by in ("platform", "campaign", "account_id")], ignore_index=True)
    return {
        "sentiment_split": split,
        "sentiment_trend": voice.trend(),
        "keywords": words.tfidf, "keywords_textrank": words.textrank, "rising_keywords": words.rising,
        "themes": found.themes.assign(top_terms=lambda f: f["top_terms"].map(" ".join),
                                      examples=lambda f: f["examples"].map(" | ".join)),
        "theme_sentiment": by_sentiment, "themes_k_choice": found.k_choice,
        "questions": asked.ranked.assign(examples=lambda f: f["examples"].map(" | ".join)),
        "topic_bank_from_comments": asked.topic_rows,
        "alerts": warning.alerts.assign(top_comments=lambda f: f["top_comments"].map(" | ".join)),
        "incidents": incidents_found.assign(top_comments=lambda f: f["top_comments"].map(" | ".join),
                                            kinds=lambda f: f["kinds"].map(" ".join)),
        "alert_calibration": warning.calibration, "reply_times": replies,
    }


def setup_text(run: VocRun, scorer: SentimentScorer) -> str:
    """This run's set-up: accounts, period, sources, the sentiment methods and the data folder."""
    return _("Accounts: {accounts}. Period: {period} (previous: {previous}). Sources: {sources}. Sentiment: {methods}. "
             "Data: {folder}.").format(
        accounts=i18n.listed(_names(run, a) for a in run.account_ids),
        period=run.period.label, previous=run.previous.label,
        sources=i18n.listed(_(SOURCE_NAMES[s]) for s in run.settings.sources),
        methods=i18n.listed(_("{language} {method}").format(language=_(LANGUAGE_NAMES[lang]),
                                                           method=_(METHOD_NAMES[m]))
                            for lang, m in scorer.methods.items() if lang in LANGUAGE_NAMES),
        folder=run.settings.data_dir.name)


def written_line(tables_written: Sequence[str], figures: Sequence[str]) -> str:
    """What the run wrote."""
    return _("Written: summary.json, {tables} tables and {figures} figures.").format(
        tables=len(tables_written), figures=len(figures))


def names_of(run: VocRun) -> Mapping[str, str]:
    """Account id → display name (for charts and the explorer)."""
    return run.names
