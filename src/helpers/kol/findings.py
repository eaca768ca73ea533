"""What KOL vetting says: sentences, display tables, the first screen, summary.json and the CSV tables.

Every sentence is built here from the analysis' results, in the run's language; the notebook only prints
or displays what these functions return. A decision's reasons are written from their codes
(helpers.kol.shortlist.REASONS) with the figures behind them, so a reader sees why, not only what.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from helpers import i18n, page
from helpers.i18n import N_, _
from helpers.kol.analysis import Authenticity, Ranked
from helpers.kol.authenticity import BASIS_LABELS
from helpers.kol.engagement import BASE_LABELS
from helpers.kol.session import KolRun
from helpers.report import styled

__all__ = [
    "ANCHORS",
    "DECISION_NAMES",
    "coverage_line",
    "coverage_view",
    "decision_line",
    "fake_line",
    "fake_view",
    "rate_line",
    "rate_view",
    "reason_text",
    "setup_text",
    "shortlist_view",
    "written_line",
]

ANCHORS: dict[str, str] = {k: f"#{k}" for k in ("candidates", "authenticity", "interaction", "fit", "cost",
                                                  "shortlist", "after", "appendix")}
DECISION_NAMES: dict[str, str] = {"accept": N_("accept"), "negotiate": N_("negotiate"), "reject": N_("reject")}
DECISION_STATUS: dict[str, str] = {"accept": "good", "negotiate": "watch", "reject": "bad"}


def _pct(value: float | None) -> str:
    """A share as a percentage with one decimal (missing as –)."""
    return i18n.fmt_percent(value, 1)


def _missing(value: Any) -> bool:
    """Whether a figure is missing."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def kol_label(run: KolRun, kol_id: str) -> str:
    """A KOL as a reader knows it: its name and platform."""
    row = run.kols.loc[run.kols["kol_id"] == kol_id]
    if row.empty:
        return kol_id
    return _("{name} ({platform})").format(name=row["name"].iloc[0],
                                            platform=i18n.platform_name(str(row["platform"].iloc[0])))


def _names(run: KolRun, ids: Sequence[str], limit: int = 4) -> str:
    """Up to `limit` KOL names, then how many more."""
    shown = [kol_label(run, k) for k in ids[:limit]]
    if len(ids) > limit:
        shown.append(_("{n} more").format(n=len(ids) - limit))
    return i18n.listed(shown)


# ---------------------------------------------------------------- 1. candidates

def coverage_view(coverage: pd.DataFrame, run: KolRun) -> Any:
    """The candidates and the data each has."""
    frame = coverage.assign(kol=[kol_label(run, k) for k in coverage["kol_id"]]).drop(columns=["kol_id", "platform"])
    frame = frame[["kol", *[c for c in frame.columns if c != "kol"]]]
    return styled(frame, labels={
        "kol": _("KOL"), "category": _("category"), "followers": _("followers"), "price": _("price per post"),
        "recent_posts": _("recent posts"), "sponsored_posts": _("of which sponsored"),
        "history_days": _("days of follower history"), "sampled_followers": _("followers sampled"),
        "audience_dimensions": _("audience dimensions"), "booked_posts": _("posts we booked")})


def coverage_line(coverage: pd.DataFrame, run: KolRun) -> str:
    """How many KOLs on which platforms, as of when, and which checks lack data for how many."""
    platforms = coverage["platform"].value_counts()
    text = _("{n} KOLs screened as of {day} ({platforms}); posts of the {days} days before count.").format(
        n=len(coverage), day=i18n.fmt_date(run.as_of), days=run.settings.recent_days,
        platforms=i18n.listed(_("{platform} {n}").format(platform=i18n.platform_name(str(p)), n=int(n))
                              for p, n in platforms.items()))
    gaps = []
    for column, label in (("sampled_followers", N_("no follower sample")), ("audience_dimensions",
                                                                          N_("no audience shares")),
                          ("price", N_("no price"))):
        values = coverage[column]
        lacking = int((values.isna() | (values == 0)).sum())
        if lacking:
            gaps.append(_("{n} with {what}").format(n=lacking, what=i18n.gettext(label)))
    if gaps:
        text = i18n.sentences(text, _("Gaps: {gaps}.").format(gaps=i18n.listed(gaps)))
    return text


# ---------------------------------------------------------------- 2. fake followers

def fake_view(fake: Authenticity, run: KolRun) -> Any:
    """Every KOL's fake-follower estimate, its basis and the other signals, highest share first."""
    est = fake.estimate.sort_values("share", ascending=False, na_position="last")
    frame = pd.DataFrame({
        "kol": [kol_label(run, k) for k in est["kol_id"]], "share": est["share"], "low": est["low"],
        "high": est["high"], "basis": [i18n.gettext(BASIS_LABELS.get(str(b), str(b))) for b in est["basis"]],
        "sample_n": est["sample_n"], "jump_share": est["jump_share"], "norm_share": est["norm_share"],
        "low_comment_ratio": est["low_comment_ratio"], "signals": est["n_signals_raising_concern"]})
    return styled(frame, percent=("share", "low", "high", "jump_share", "norm_share"), labels={
        "kol": _("KOL"), "share": _("fake-follower share"), "low": _("low"), "high": _("high"),
        "basis": _("evidence used"), "sample_n": _("followers sampled"),
        "jump_share": _("bought in jumps"), "norm_share": _("implied by the size norm"),
        "low_comment_ratio": _("few comments per like"), "signals": _("signals raising concern")})


def fake_line(fake: Authenticity, run: KolRun) -> str:
    """Who is above the fake-follower limit (with the evidence), and who is borderline."""
    est = fake.estimate
    above = est[est["share"] > fake.threshold].sort_values("share", ascending=False)
    border = est[(est["share"] <= fake.threshold) & (est["high"] > fake.threshold)]
    unknown = est[est["share"].isna()]
    if above.empty:
        text = _("No KOL's estimated fake-follower share is above {limit}.").format(limit=_pct(fake.threshold))
    else:
        text = _("Above the {limit} fake-follower limit: {kols}.").format(
            limit=_pct(fake.threshold), kols=i18n.listed(
                _("{kol} {share} ({low}–{high}, {basis})").format(
                    kol=kol_label(run, r["kol_id"]), share=_pct(r["share"]), low=_pct(r["low"]),
                    high=_pct(r["high"]), basis=i18n.gettext(BASIS_LABELS[str(r["basis"])]))
                for _i, r in above.head(4).iterrows()))
    if len(border):
        text = i18n.sentences(text, _("Borderline (the interval crosses the limit): {kols}.").format(
            kols=_names(run, list(border["kol_id"]))))
    if len(unknown):
        text = i18n.sentences(text, _("No evidence for {kols}.").format(kols=_names(run, list(unknown["kol_id"]))))
    return text


# ---------------------------------------------------------------- 3. real interaction rate

def rate_view(rates: pd.DataFrame, run: KolRun) -> Any:
    """Real interaction rates with their intervals, base and consistency, highest first."""
    r = rates.sort_values("rate", ascending=False, na_position="last")
    frame = pd.DataFrame({
        "kol": [kol_label(run, k) for k in r["kol_id"]], "rate": r["rate"], "low": r["low"], "high": r["high"],
        "median": r["median"], "cv": r["cv"], "share_posts_above": r["share_posts_above"],
        "n_posts": r["n_posts"], "base": [i18n.gettext(BASE_LABELS.get(str(b), str(b))) if not _missing(b)
                                          else i18n.MISSING for b in r["base"]],
        "real_followers": r["real_followers"], "sponsored_factor": r["sponsored_factor"], "meets": r["meets"]})
    return styled(frame, percent=("rate", "low", "high", "median", "share_posts_above"), labels={
        "kol": _("KOL"), "rate": _("real interaction rate"), "low": _("low"), "high": _("high"),
        "median": _("median post"), "cv": _("coefficient of variation"),
        "share_posts_above": _("posts above the bar"), "n_posts": _("organic posts"), "base": _("base"),
        "real_followers": _("real followers"), "sponsored_factor": _("sponsored ÷ organic"),
        "meets": _("above the bar")})


def rate_line(rates: pd.DataFrame, run: KolRun) -> str:
    """How many KOLs clear the interaction bar, the best steady one, and those that do not."""
    bar = run.settings.interaction_threshold
    rated = rates.dropna(subset=["rate"])
    above = rated[rated["rate"] > bar]
    text = _("{n} of {total} KOLs have a real interaction rate above {bar}.").format(
        n=len(above), total=len(rates), bar=_pct(bar))
    if len(above):
        best = above.sort_values("rate", ascending=False).iloc[0]
        text = i18n.sentences(text, _("Highest: {kol}, {rate} ({low}–{high}) on {n} posts.").format(
            kol=kol_label(run, best["kol_id"]), rate=_pct(best["rate"]), low=_pct(best["low"]),
            high=_pct(best["high"]), n=int(best["n_posts"])))
    unrated = rates[rates["rate"].isna()]
    if len(unrated):
        text = i18n.sentences(text, _("No organic posts to rate: {kols}.").format(
            kols=_names(run, list(unrated["kol_id"]))))
    return text


# ---------------------------------------------------------------- 6. shortlist

def reason_text(code: str, row: pd.Series, run: KolRun) -> str:
    """One reason of a decision in words, with its figures."""
    s = run.settings
    figures = {
        "share": _pct(row.get("fake_share")), "low": _pct(row.get("fake_low")), "high": _pct(row.get("fake_high")),
        "fake_bar": _pct(s.fake_threshold), "rate": _pct(row.get("rate")), "rate_bar": _pct(s.interaction_threshold),
        "fit": i18n.fmt_number(row.get("fit"), 2), "fit_bar": i18n.fmt_number(s.min_fit, 2),
        "cpa": i18n.fmt_money(row.get("cpa")), "feed": i18n.fmt_money(row.get("feed_cpa")),
        "ratio": i18n.fmt_number(row.get("cpa_ratio"), 1), "price": i18n.fmt_money(row.get("break_even_price")),
        "quote": i18n.fmt_money(row.get("price"))}
    texts = {
        "fake_above": _("fake followers {share} ({low}–{high}), above the {fake_bar} limit"),
        "fake_borderline": _("fake followers {share}, but the interval reaches {high}, above {fake_bar}: ask for "
                             "a follower sample or a delivery guarantee"),
        "fake_unknown": _("no evidence on fake followers: ask for a follower sample or the follower history"),
        "rate_below": _("real interaction rate {rate}, not above {rate_bar}"),
        "rate_unknown": _("no organic posts to measure the real interaction rate"),
        "fit_below": _("audience fit {fit}, below {fit_bar}: its followers are not the brand's"),
        "fit_unknown": _("no audience data: ask for the platform's audience shares"),
        "cpa_above": _("expected CPA {cpa} is {ratio}× the feed CPA {feed}: worth it at {price} or less (quoted "
                       "{quote})"),
        "no_price": _("no price quoted: ask for one"),
        "no_cost_basis": _("no feed CPA or conversion history to judge the price against"),
        "all_pass": _("passes every screen: fake followers {share}, real interaction {rate}, fit {fit}, expected "
                      "CPA {cpa} against the feed's {feed}"),
    }
    return texts[code].format(**figures)


def reasons_text(row: pd.Series, run: KolRun) -> str:
    """All of a KOL's reasons in words, worst first."""
    return i18n.listed(reason_text(code, row, run) for code in str(row["reasons"]).split(";"))


def shortlist_view(ranked: Ranked, run: KolRun) -> Any:
    """The ranked shortlist: decision, reasons in words, score and rank range."""
    t = ranked.table.merge(ranked.sensitivity[["kol_id", "rank_low", "rank_high"]], on="kol_id")
    frame = pd.DataFrame({
        "rank": t["rank"], "kol": [kol_label(run, k) for k in t["kol_id"]],
        "decision": [i18n.gettext(DECISION_NAMES[d]) for d in t["decision"]],
        "reasons": [reasons_text(r, run) for _i, r in t.iterrows()], "score": t["score"],
        "rank_range": [_("{low}–{high}").format(low=int(lo), high=int(hi)) for lo, hi in
                       zip(t["rank_low"], t["rank_high"], strict=True)],
        "fake_share": t["fake_share"], "rate": t["rate"], "fit": t["fit"], "cpa_ratio": t["cpa_ratio"],
        "price": t["price"], "break_even_price": t["break_even_price"]})
    return styled(frame, percent=("fake_share", "rate"), labels={
        "rank": _("rank"), "kol": _("KOL"), "decision": _("decision"), "reasons": _("why"), "score": _("score"),
        "rank_range": _("rank under other weights"), "fake_share": _("fake-follower share"),
        "rate": _("real interaction rate"), "fit": _("audience fit"), "cpa_ratio": _("CPA ÷ feed CPA"),
        "price": _("price per post"), "break_even_price": _("break-even price")})


def decision_line(ranked: Ranked, run: KolRun) -> str:
    """How many KOLs are accepted, to negotiate and rejected, and the first on the list."""
    t = ranked.table
    counts = t["decision"].value_counts()
    text = _("{accept} to accept, {negotiate} to negotiate, {reject} to reject.").format(
        accept=int(counts.get("accept", 0)), negotiate=int(counts.get("negotiate", 0)),
        reject=int(counts.get("reject", 0)))
    accepted = t[t["decision"] == "accept"]
    if len(accepted):
        first = accepted.iloc[0]
        text = i18n.sentences(text, _("First on the list: {kol}, {why}.").format(
            kol=kol_label(run, first["kol_id"]), why=reasons_text(first, run)))
    return text


# ---------------------------------------------------------------- appendix

def setup_text(run: KolRun) -> str:
    """This run's set-up: KOLs, day, window, the bars, the target audience and the data folder."""
    s = run.settings
    return _("KOLs: {n} ({platforms}; categories {categories}). Screened as of {day}, posts of the last {days} days. "
             "Bars: fake followers at most {fake}, real interaction above {rate}, audience fit at least {fit}, CPA "
             "at most {ratio}× the feed CPA. Target audience: the followers of {accounts}. Rebook at ROI {roi} or "
             "more ({model} attribution). Data: {folder}.").format(
        n=len(run.kols), platforms=i18n.listed(i18n.platform_name(p) for p in s.platforms) if s.platforms
        else _("all platforms"), categories=i18n.listed(s.categories) if s.categories else _("all"),
        day=i18n.fmt_date(run.as_of), days=s.recent_days, fake=_pct(s.fake_threshold),
        rate=_pct(s.interaction_threshold), fit=i18n.fmt_number(s.min_fit, 2),
        ratio=i18n.fmt_number(s.cpa_ratio_max, 1), accounts=i18n.listed(s.brand_accounts),
        roi=f"{s.rebook_roi:g}:1", model=s.attribution_model.replace("_", " "), folder=s.data_dir.name)


def written_line(tables_written: Sequence[str], figures: Sequence[str]) -> str:
    """What the run wrote."""
    return _("Written: summary.json, {tables} tables and {figures} figures.").format(
        tables=len(tables_written), figures=len(figures))


def _unused() -> None:
    """Keep page imported for the summary functions that follow."""
    _ = page
