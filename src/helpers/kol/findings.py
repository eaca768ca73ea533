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
from helpers.data import account_names
from helpers.i18n import N_, _
from helpers.kol.after import REBOOK
from helpers.kol.analysis import Authenticity, Cost, Fit, Ranked
from helpers.kol.authenticity import BASIS_LABELS
from helpers.kol.engagement import BASE_LABELS
from helpers.kol.session import KolRun
from helpers.kol.shortlist import DECISIONS
from helpers.report import styled

__all__ = [
    "ANCHORS",
    "DECISION_NAMES",
    "after_line",
    "after_summary",
    "after_view",
    "borderline_line",
    "conversion_basis_line",
    "cost_line",
    "cost_view",
    "coverage_line",
    "coverage_view",
    "decision_line",
    "executive_summary",
    "explorer_line",
    "fake_view",
    "feed_view",
    "fit_line",
    "fit_view",
    "kol_label",
    "limit_line",
    "number_near",
    "rate_line",
    "rate_view",
    "reason_text",
    "reasons_text",
    "rejected_line",
    "scores_table",
    "setup_text",
    "shortlist_view",
    "summary",
    "tables",
    "written_line",
]

ANCHORS: dict[str, str] = {k: f"#{k}" for k in ("candidates", "authenticity", "interaction", "fit", "cost",
                                                  "shortlist", "after", "appendix")}
DECISION_NAMES: dict[str, str] = {"accept": N_("accept"), "negotiate": N_("negotiate"), "reject": N_("reject")}
DECISION_STATUS: dict[str, str] = {"accept": "good", "negotiate": "watch", "reject": "bad"}
SCREEN_NAMES: dict[str, str] = {"fake_above": N_("fake followers"), "fit_below": N_("audience fit"),
                                "rate_below": N_("real interaction rate")}
DIMENSION_NAMES: dict[str, str] = {"gender": N_("gender"), "age_band": N_("age"), "region": N_("region"),
                                   "city_tier": N_("city tier"), "interests": N_("interests")}
MODEL_NAMES: dict[str, str] = {"linear": N_("linear"), "markov": N_("Markov"), "shapley": N_("Shapley"),
                               "first_touch": N_("first touch"), "last_touch": N_("last touch")}
DELIVERY_NAMES: dict[str, str] = {"above": N_("above the prediction"), "within": N_("within the prediction"),
                                  "below": N_("below the prediction")}
AFTER_REASONS: dict[str, str] = {"rebook": N_("rebook"), "roi_below_stop_loss": N_("ROI below the stop-loss"),
                                 "under_delivered": N_("engagements below the predicted range"),
                                 "roi_unknown": N_("ROI unknown: the campaign is not in the touchpoints, or no cost")}


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
        platforms=i18n.listed(_("{n} on {platform}").format(platform=i18n.platform_name(str(p)), n=int(n))
                              for p, n in platforms.items()))
    gaps = []
    for column, label in (("sampled_followers", N_("no follower sample")), ("audience_dimensions",
                                                                          N_("no audience shares")),
                          ("price", N_("no price"))):
        values = coverage[column]
        lacking = int((values.isna() | ((values == 0) if column != "price" else False)).sum())  # a 0 quote is a price
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
        "kol": _("KOL"), "share": _("fake-follower share"), "low": _("interval low"), "high": _("interval high"),
        "basis": _("evidence used"), "sample_n": _("followers sampled"),
        "jump_share": _("bought in jumps"), "norm_share": _("implied by the size norm"),
        "low_comment_ratio": _("few comments per like"), "signals": _("signals raising concern")})


def limit_line(fake: Authenticity, run: KolRun) -> str:
    """Who is above the fake-follower limit, with the estimate, its interval and the evidence."""
    est = fake.estimate
    above = est[est["share"] > fake.threshold].sort_values("share", ascending=False)
    if above.empty:
        return _("No KOL's estimated fake-follower share is above {limit}.").format(limit=_pct(fake.threshold))
    return _("Above the {limit} fake-follower limit: {kols}.").format(
        limit=_pct(fake.threshold), kols=i18n.listed(
            _("{kol} {share} ({low}–{high}, {basis})").format(
                kol=kol_label(run, r["kol_id"]), share=_pct(r["share"]), low=_pct(r["low"]),
                high=_pct(r["high"]), basis=i18n.gettext(BASIS_LABELS[str(r["basis"])]))
            for _i, r in above.head(4).iterrows()))


def borderline_line(fake: Authenticity, run: KolRun) -> str:
    """Who is borderline (under the limit, the interval over it) and who has no evidence at all."""
    est = fake.estimate
    border = est[(est["share"] <= fake.threshold) & (est["high"] > fake.threshold)]
    unknown = est[est["share"].isna()]
    text = _("Borderline (the interval crosses the limit): {kols}.").format(
        kols=_names(run, list(border["kol_id"]))) if len(border) else _("No KOL is borderline.")
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
        "kol": _("KOL"), "rate": _("real interaction rate"), "low": _("interval low"), "high": _("interval high"),
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


# ---------------------------------------------------------------- 4. audience fit

NO_AUDIENCE = N_("No audience to compare: the fit needs the brand's audience table and the KOLs' audience shares "
                 "or a follower sample.")


def fit_view(fit: Fit | None, run: KolRun) -> Any:
    """Fit and per-dimension similarity per KOL, with the follower overlap, best fit first."""
    if fit is None:
        return _(NO_AUDIENCE)
    score = fit.score.sort_values("fit", ascending=False, na_position="last")
    dims = [d for d in DIMENSION_NAMES if d in score.columns]
    frame = pd.DataFrame({"kol": [kol_label(run, k) for k in score["kol_id"]], "fit": score["fit"].to_numpy()})
    for d in dims:
        frame[d] = score[d].to_numpy()
    if fit.overlap is not None:
        overlap = fit.overlap.set_index("kol_id")
        frame["overlap"] = overlap["share"].reindex(score["kol_id"]).to_numpy()
        frame["new_reach"] = overlap["new_reach_share"].reindex(score["kol_id"]).to_numpy()
    labels = {"kol": _("KOL"), "fit": _("audience fit"), "overlap": _("already follow the brand"),
              "new_reach": _("new reach")}
    labels.update({d: i18n.gettext(DIMENSION_NAMES[d]) for d in dims})
    return styled(frame, percent=("overlap", "new_reach"), labels=labels)


def _weakest(fit: Fit, kol_id: str) -> str:
    """A KOL's least similar dimension and its top bucket against the brand's."""
    rows = fit.similarity[fit.similarity["kol_id"] == kol_id].sort_values("similarity")
    if rows.empty:
        return ""
    r = rows.iloc[0]
    return _("{dimension}: mostly {kol_top}, the brand's mostly {brand_top}").format(
        dimension=i18n.gettext(DIMENSION_NAMES.get(str(r["dimension"]), str(r["dimension"]))),
        kol_top=r["top_bucket_kol"], brand_top=r["top_bucket_brand"])


def fit_line(fit: Fit | None, run: KolRun) -> str:
    """How many KOLs fit the brand's audience, the best fit, and the poorest with its weakest dimension."""
    if fit is None:
        return _(NO_AUDIENCE)
    scored = fit.score.dropna(subset=["fit"]).sort_values("fit", ascending=False)
    below = scored[scored["fit"] < run.settings.min_fit]
    text = _("{n} of {total} KOLs fit the brand's audience at {bar} or better.").format(
        n=len(scored) - len(below), total=len(fit.score), bar=i18n.fmt_number(run.settings.min_fit, 2))
    if len(scored):
        best = scored.iloc[0]
        text = i18n.sentences(text, _("Closest: {kol}, {fit}.").format(kol=kol_label(run, best["kol_id"]),
                                                                       fit=i18n.fmt_number(best["fit"], 2)))
    for _i, r in below.tail(2).iloc[::-1].iterrows():
        text = i18n.sentences(text, _("{kol} fits at {fit} ({weakest}).").format(
            kol=kol_label(run, r["kol_id"]), fit=i18n.fmt_number(r["fit"], 2), weakest=_weakest(fit, r["kol_id"])))
    return text


# ---------------------------------------------------------------- 5. cost

def feed_view(spend: Cost, run: KolRun) -> Any:
    """The feed-ad CPA each platform's KOLs are compared with, with its interval."""
    feed = spend.feed
    if feed.empty:
        return _("No feed-ad data (ad_daily) in the {days} days before {day}: only the cost per engagement can be "
                 "compared.").format(days=run.settings.recent_days, day=i18n.fmt_date(run.as_of))
    frame = pd.DataFrame({
        "platform": [i18n.platform_name(str(p)) if p != "all" else _("all feed ads") for p in feed["platform"]],
        "channel": feed["channel"], "spend": feed["spend"], "conversions": feed["conversions"], "cpa": feed["cpa"],
        "cpa_low": feed["cpa_low"], "cpa_high": feed["cpa_high"]})
    return styled(frame, labels={"platform": _("platform"), "channel": _("feed channel"), "spend": _("spend"),
                                 "conversions": _("conversions"), "cpa": _("feed CPA"), "cpa_low": _("interval low"),
                                 "cpa_high": _("interval high")})


def cost_view(spend: Cost, run: KolRun) -> Any:
    """Per KOL: price, expected engagements, CPE, expected CPA with its range, the feed CPA, the chance of beating
    it and the break-even price; cheapest CPA first."""
    t = spend.table.sort_values(["cpa_ratio", "cpe"], na_position="last")
    frame = pd.DataFrame({
        "kol": [kol_label(run, k) for k in t["kol_id"]], "price": t["price"], "expected": t["expected"],
        "cpe": t["cpe"], "expected_conversions": t["expected_conversions"], "cpa": t["cpa"], "cpa_low": t["cpa_low"],
        "cpa_high": t["cpa_high"], "feed_cpa": t["feed_cpa"], "cpa_ratio": t["cpa_ratio"],
        "p_cheaper": t["p_cheaper"], "break_even_price": t["break_even_price"]})
    return styled(frame, percent=("p_cheaper",), labels={
        "kol": _("KOL"), "price": _("price per post"), "expected": _("expected engagements"), "cpe": _("CPE"),
        "expected_conversions": _("expected conversions"), "cpa": _("expected CPA"), "cpa_low": _("interval low"),
        "cpa_high": _("interval high"), "feed_cpa": _("feed CPA"), "cpa_ratio": _("CPA ÷ feed CPA"),
        "p_cheaper": _("chance of beating the feed"), "break_even_price": _("break-even price")})


def conversion_basis_line(spend: Cost) -> str:
    """What every expected CPA rests on: conversions per engagement of our past KOL campaigns."""
    rate = spend.conversion_rate
    if rate is None:
        return _("No booking history with attributed conversions: KOLs are compared on cost per engagement only.")
    return _("Conversions per engagement from our {n} past KOL campaigns: {rate} ({low}–{high}).").format(
        n=rate.n_campaigns, rate=i18n.fmt_percent(rate.rate, 2), low=i18n.fmt_percent(rate.low, 2),
        high=i18n.fmt_percent(rate.high, 2))


def cost_line(spend: Cost, run: KolRun) -> str:
    """What the conversion rate rests on, how many KOLs beat the feed CPA, and the dearest against it."""
    text = conversion_basis_line(spend)
    if spend.conversion_rate is None:
        return text
    t = spend.table.dropna(subset=["cpa_ratio"])
    cheaper = t[t["cpa_ratio"] <= run.settings.cpa_ratio_max]
    text = i18n.sentences(text, _("{n} of {total} KOLs with a price are expected to convert at or under {ratio}× "
                                  "the feed CPA.").format(n=len(cheaper), total=len(t),
                                                          ratio=i18n.fmt_number(run.settings.cpa_ratio_max, 1)))
    if len(t):
        worst = t.sort_values("cpa_ratio").iloc[-1]
        text = i18n.sentences(text, _("Dearest: {kol}, expected CPA {cpa} against the feed's {feed} ({ratio}×); it "
                                      "pays off at a price of {price} or less (quoted {quote}).").format(
            kol=kol_label(run, worst["kol_id"]), cpa=i18n.fmt_money(worst["cpa"]),
            feed=i18n.fmt_money(worst["feed_cpa"]), ratio=i18n.fmt_number(worst["cpa_ratio"], 1),
            price=i18n.fmt_money(worst["break_even_price"]), quote=i18n.fmt_money(worst["price"])))
    return text


# ---------------------------------------------------------------- 6. shortlist

def reason_text(code: str, row: pd.Series, run: KolRun) -> str:
    """One reason of a decision in words, with its figures."""
    s = run.settings
    figures = {
        "share": i18n.fmt_percent_near(row.get("fake_share"), [s.fake_threshold], 1), "low": _pct(row.get("fake_low")),
        "high": i18n.fmt_percent_near(row.get("fake_high"), [s.fake_threshold], 1),
        "fake_bar": _pct(s.fake_threshold),
        "rate": i18n.fmt_percent_near(row.get("rate"), [s.interaction_threshold], 1),
        "rate_bar": _pct(s.interaction_threshold), "fit": number_near(row.get("fit"), s.min_fit),
        "fit_bar": i18n.fmt_number(s.min_fit, 2),
        "cpa": i18n.fmt_money(row.get("cpa")), "feed": i18n.fmt_money(row.get("feed_cpa")),
        "ratio": i18n.fmt_number(row.get("cpa_ratio"), 1), "price": i18n.fmt_money(row.get("break_even_price")),
        "quote": i18n.fmt_money(row.get("price")),
        "basis": i18n.gettext(BASIS_LABELS.get(str(row.get("fake_basis")), BASIS_LABELS["none"]))}
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
        "all_pass": _("passes every screen: fake followers {share} ({basis}), real interaction {rate}, fit {fit}, "
                      "expected CPA {cpa} against the feed's {feed}"),
    }
    return texts[code].format(**figures)


def reasons_text(row: pd.Series, run: KolRun) -> str:
    """All of a KOL's reasons in words, worst first."""
    return i18n.punctuation("semicolon").join(reason_text(code, row, run) for code in str(row["reasons"]).split(";"))


def number_near(value: float | None, bar: float, decimals: int = 2) -> str:
    """A number rounded so it never lands on the other side of a bar than the value (0.697 against 0.70)."""
    if _missing(value):
        return i18n.MISSING
    number = float(value)  # type: ignore[arg-type]
    for places in range(decimals, decimals + 4):
        if (round(number, places) >= bar) == (number >= bar):
            return i18n.fmt_number(number, places)
    return i18n.fmt_number(number, decimals + 4)


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


# ---------------------------------------------------------------- 7. after the campaign

NO_BOOKINGS = N_("No post in kol_posts carries a campaign of ours: nothing booked to review yet.")


def after_view(booked: pd.DataFrame | None, ranked: Ranked, run: KolRun) -> Any:
    """Each booked post: cost, engagements against the predicted range, credit, ROI, the rebook call and what
    today's screen says of its KOL (a booking can pay off at ROI 3:1 and still be dearer than feed ads)."""
    if booked is None:
        return _(NO_BOOKINGS)
    today = ranked.table.set_index("kol_id")["decision"]
    frame = pd.DataFrame({
        "kol": [kol_label(run, k) for k in booked["kol_id"]], "campaign": booked["campaign"],
        "published_at": booked["published_at"], "cost": booked["cost"], "engagements": booked["engagements"],
        "predicted": booked["predicted"], "p10": booked["p10"], "p90": booked["p90"],
        "delivery": [i18n.gettext(DELIVERY_NAMES[d]) if d in DELIVERY_NAMES else i18n.MISSING
                     for d in booked["delivery"]],
        "conversions": booked["conversions"], "revenue": booked["revenue"], "cpa": booked["cpa"],
        "roi": booked["roi"], "call": [i18n.gettext(AFTER_REASONS[r]) for r in booked["reason"]],
        "screen": [i18n.gettext(DECISION_NAMES[today[k]]) if k in today.index else i18n.MISSING
                   for k in booked["kol_id"]]})
    return styled(frame, labels={
        "kol": _("KOL"), "campaign": _("our campaign"), "published_at": _("published"), "cost": _("cost"),
        "engagements": _("engagements"), "predicted": _("predicted"), "p10": _("predicted low (p10)"),
        "p90": _("predicted high (p90)"), "delivery": _("delivery"), "conversions": _("credited conversions"),
        "revenue": _("credited revenue"), "cpa": _("CPA"), "roi": _("ROI"), "call": _("call"),
        "screen": _("today's screen")})


def after_line(booked: pd.DataFrame | None, run: KolRun) -> str:
    """How many bookings to rebook, and each booking that is not, with its reason."""
    if booked is None:
        return _(NO_BOOKINGS)
    rebook = booked[booked["reason"] == REBOOK]
    text = _("{n} of {total} booked posts meet the rebook rule (ROI at least {roi} and delivery not below the "
             "prediction).").format(n=len(rebook), total=len(booked), roi=f"{run.settings.rebook_roi:g}:1")
    if len(rebook):
        text = i18n.sentences(text, _("Rebook: {kols}.").format(kols=_names(run, list(dict.fromkeys(
            rebook["kol_id"])))))
    for _i, r in booked[booked["reason"] != REBOOK].iterrows():
        text = i18n.sentences(text, _("{kol} ({campaign}): {why}; engagements {actual} against {low}–{high}, ROI "
                                      "{roi}.").format(
            kol=kol_label(run, r["kol_id"]), campaign=r["campaign"], why=i18n.gettext(AFTER_REASONS[r["reason"]]),
            actual=i18n.fmt_count(r["engagements"]), low=i18n.fmt_count(r["p10"]), high=i18n.fmt_count(r["p90"]),
            roi=i18n.fmt_number(r["roi"], 1)))
    return text


# ---------------------------------------------------------------- summary, summary.json and tables

def _title(run: KolRun) -> str:
    """Report · day."""
    return page.report_title(_("KOL vetting"), i18n.fmt_date(run.as_of))


def _by_decision(ranked: Ranked, decision: str) -> pd.DataFrame:
    """The ranked rows of one decision."""
    return ranked.table[ranked.table["decision"] == decision]


def executive_summary(run: KolRun, ranked: Ranked, spend: Cost, booked: pd.DataFrame | None) -> page.Summary:
    """The report's first screen: the decisions, three tiles, the reasons behind them and whom to call."""
    accepted, talks, rejected = (_by_decision(ranked, d) for d in DECISIONS)
    verdict = decision_line(ranked, run)
    status = "good" if len(accepted) else "watch" if len(talks) else "bad"
    tiles = [page.Tile(_("KOLs to accept"), i18n.fmt_count(len(accepted)), "good" if len(accepted) else "watch",
                       (_("of {n} screened").format(n=len(ranked.table)),
                        _("{n} to negotiate, {m} rejected").format(n=len(talks), m=len(rejected))),
                       ANCHORS["shortlist"])]
    priced = accepted.dropna(subset=["cpa_ratio"]).sort_values("cpa_ratio")
    if len(priced):
        cheapest = priced.iloc[0]
        tiles.append(page.Tile(_("accepted KOLs' CPA ÷ feed CPA"), _("{ratio}×").format(
            ratio=i18n.fmt_number(priced["cpa_ratio"].median(), 2)), "good",
            (_("median over {n} KOLs").format(n=len(priced)),
             _("lowest: {kol} {ratio}×").format(kol=kol_label(run, cheapest["kol_id"]),
                                                ratio=i18n.fmt_number(cheapest["cpa_ratio"], 2))), ANCHORS["cost"]))
    if booked is not None:
        again = int((booked["reason"] == REBOOK).sum())
        tiles.append(page.Tile(_("bookings worth rebooking"), _("{n} of {total}").format(n=again, total=len(booked)),
                               "good" if again == len(booked) else "watch",
                               (_("ROI at least {roi}").format(roi=f"{run.settings.rebook_roi:g}:1"),),
                               ANCHORS["after"]))
    lines = [page.Line(rejected_line(ranked, run), ANCHORS["shortlist"], "bad")] if len(rejected) else []
    over = talks[talks["reasons"].str.startswith("cpa_above")]
    if len(over):
        lines.append(page.Line(_("Too dear for now: {kols}.").format(kols=i18n.listed(
            _("{kol} pays off at {price} (quoted {quote})").format(
                kol=kol_label(run, r["kol_id"]), price=i18n.fmt_money(r["break_even_price"]),
                quote=i18n.fmt_money(r["price"])) for _i, r in over.head(3).iterrows())), ANCHORS["cost"], "watch"))
    lines.append(page.Line(conversion_basis_line(spend), ANCHORS["cost"]))
    if booked is not None:
        lines.append(page.Line(after_summary(booked, run), ANCHORS["after"]))
    actions = []
    if len(accepted):
        actions.append(page.Line(_("Contact first: {kols}.").format(kols=_names(run, list(accepted["kol_id"]), 3)),
                                 ANCHORS["shortlist"], "good"))
    if len(over):
        actions.append(page.Line(_("Negotiate {kols} down to the break-even price, or drop them.").format(
            kols=_names(run, list(over["kol_id"]), 3)), ANCHORS["cost"], "watch"))
    asking = talks[~talks["reasons"].str.startswith("cpa_above")]
    if len(asking):
        actions.append(page.Line(_("Ask {kols} for the missing data (follower sample, audience shares or a price) "
                                   "before deciding.").format(kols=_names(run, list(asking["kol_id"]), 3)),
                                 ANCHORS["shortlist"]))
    return page.Summary(title=_title(run), verdict=verdict, verdict_status=status, verdict_href=ANCHORS["shortlist"],
                        tiles=tuple(tiles), findings=tuple(lines[:5]), actions=tuple(actions[:3]))


#: The reasons a rejection is told by, most telling first (a bought or wrong audience before a dull one).
REJECTION_ORDER: tuple[str, ...] = ("fake_above", "fit_below", "rate_below")
#: How a reason's KOLs are ordered to name the clearest case first: (column, ascending).
EXTREME: dict[str, tuple[str, bool]] = {"fake_above": ("fake_share", False), "fit_below": ("fit", True),
                                        "rate_below": ("rate", True)}


def rejected_line(ranked: Ranked, run: KolRun) -> str:
    """The rejected KOLs by their most telling reason: fake followers, then audience fit, then interaction."""
    rejected = _by_decision(ranked, "reject")
    parts = []
    for code in REJECTION_ORDER:
        first = rejected["reasons"].str.split(";").map(lambda codes: next(
            (c for c in REJECTION_ORDER if c in codes), ""))
        column, ascending = EXTREME[code]
        rows = rejected[first == code].sort_values(column, ascending=ascending)
        if rows.empty:
            continue
        shown = _("{kol} ({why})").format(kol=kol_label(run, rows.iloc[0]["kol_id"]),
                                          why=reason_text(code, rows.iloc[0], run))
        more = _(", and {n} more").format(n=len(rows) - 1) if len(rows) > 1 else ""
        parts.append(_("on {screen}: {shown}{more}").format(screen=i18n.gettext(SCREEN_NAMES[code]), shown=shown,
                                                             more=more))
    return _("Rejected {n}: {parts}.").format(n=len(rejected), parts=i18n.punctuation("semicolon").join(parts))


def after_summary(booked: pd.DataFrame, run: KolRun) -> str:
    """The bookings in one line: how many to rebook, and the weakest by ROI."""
    again = booked[booked["reason"] == REBOOK]
    text = _("{n} of {total} past bookings earned the rebook rule (ROI at least {roi}).").format(
        n=len(again), total=len(booked), roi=f"{run.settings.rebook_roi:g}:1")
    rated = booked.dropna(subset=["roi"])
    if len(rated):
        worst = rated.sort_values("roi").iloc[0]
        text = i18n.sentences(text, _("Weakest: {kol}, ROI {roi}, engagements {delivery}.").format(
            kol=kol_label(run, worst["kol_id"]), roi=i18n.fmt_number(worst["roi"], 1),
            delivery=i18n.gettext(DELIVERY_NAMES.get(str(worst["delivery"]), N_("without a prediction")))))
    return text


def scores_table(ranked: Ranked, run: KolRun) -> pd.DataFrame:
    """Every KOL's screens, score parts, decision, reason codes, the reasons in the run's words (``why``, for the
    strategist who opens shortlist.csv) and rank range (summary.json and shortlist.csv)."""
    table = ranked.table.merge(ranked.sensitivity[["kol_id", "rank_low", "rank_high", "p_same_rank"]], on="kol_id")
    table.insert(table.columns.get_loc("reasons") + 1, "why", [reasons_text(row, run) for _i, row in table.iterrows()])
    return table


def summary(run: KolRun, coverage: pd.DataFrame, fake: Authenticity, rates: pd.DataFrame, fit: Fit | None,
            spend: Cost, ranked: Ranked, booked: pd.DataFrame | None) -> dict[str, Any]:
    """summary.json: the label (the screening day), the shortlist, every KOL's scores and decision, the bars, the
    feed CPA and conversion basis, and the after-campaign review."""
    scores = scores_table(ranked, run)
    rate = spend.conversion_rate
    return {
        "label": f"{run.as_of:%Y-%m-%d}", "title": _title(run), "as_of": f"{run.as_of:%Y-%m-%d}",
        "kols": list(run.kol_ids),
        "thresholds": {"fake_share": run.settings.fake_threshold,
                       "interaction_rate": run.settings.interaction_threshold, "min_fit": run.settings.min_fit,
                       "cpa_ratio_max": run.settings.cpa_ratio_max, "rebook_roi": run.settings.rebook_roi},
        "shortlist": scores.loc[scores["decision"] == "accept", ["kol_id", "name", "platform", "rank", "score"]],
        "decisions": {d: list(scores.loc[scores["decision"] == d, "kol_id"]) for d in DECISIONS},
        "scores": scores, "coverage": coverage, "fake_followers": fake.estimate, "interaction": rates,
        "fit": None if fit is None else fit.score, "feed_cpa": spend.feed,
        "conversion_rate": None if rate is None else {"rate": rate.rate, "low": rate.low, "high": rate.high,
                                                      "campaigns": rate.n_campaigns, "posts": rate.n_posts},
        "cost": spend.table, "after_campaign": booked}


def tables(run: KolRun, coverage: pd.DataFrame, fake: Authenticity, rates: pd.DataFrame, fit: Fit | None,
           spend: Cost, ranked: Ranked, booked: pd.DataFrame | None) -> dict[str, pd.DataFrame | None]:
    """The CSV tables, one per step (shortlist.csv holds every KOL's screens, decision and reasons)."""
    return {"shortlist": scores_table(ranked, run), "coverage": coverage, "fake_followers": fake.estimate,
            "follower_jumps": fake.jumps, "engagement_norms": fake.norms, "comment_like_ratio": fake.ratios,
            "interaction_rate": rates, "audience_fit": None if fit is None else fit.score,
            "audience_similarity": None if fit is None else fit.similarity,
            "follower_overlap": None if fit is None else fit.overlap, "feed_cpa": spend.feed, "cost": spend.table,
            "campaign_credit": spend.credit, "after_campaign": booked}


def explorer_line(ranked: Ranked, run: KolRun) -> str:
    """The explorer's line: the bars it applied, then the decisions they give."""
    bars = ranked.bars
    applied = _("Bars: fake followers at most {fake}, real interaction above {rate}, audience fit at least "
                "{fit}.").format(fake=i18n.fmt_percent(bars.fake, 0), rate=_pct(bars.interaction),
                                 fit=i18n.fmt_number(bars.min_fit, 2))
    return i18n.sentences(applied, decision_line(ranked, run))


# ---------------------------------------------------------------- appendix

def setup_text(run: KolRun) -> str:
    """This run's set-up: KOLs, day, window, the bars, the target audience and the data folder."""
    s = run.settings
    names = account_names(run.tables["accounts"]) if "accounts" in run.tables else {}
    return _("KOLs: {n} ({platforms}; {categories}). Screened as of {day}, posts of the last {days} days. "
             "Bars: fake followers at most {fake}, real interaction above {rate}, audience fit at least {fit}, CPA "
             "at most {ratio}× the feed CPA. Target audience: the followers of {accounts}. Rebook at ROI {roi} or "
             "more ({model} attribution). Data: {folder}.").format(
        n=len(run.kols), platforms=i18n.listed(i18n.platform_name(p) for p in s.platforms) if s.platforms
        else _("all platforms"),
        categories=_("categories {categories}").format(categories=i18n.listed(s.categories)) if s.categories
        else _("all categories"),
        day=i18n.fmt_date(run.as_of), days=s.recent_days, fake=_pct(s.fake_threshold),
        rate=_pct(s.interaction_threshold), fit=i18n.fmt_number(s.min_fit, 2),
        ratio=i18n.fmt_number(s.cpa_ratio_max, 1), accounts=i18n.listed(names.get(a, a) for a in s.brand_accounts),
        roi=f"{s.rebook_roi:g}:1", model=i18n.gettext(MODEL_NAMES[s.attribution_model]), folder=s.data_dir.name)


def written_line(tables_written: Sequence[str], figures: Sequence[str]) -> str:
    """What the run wrote."""
    return _("Written: summary.json, {tables} tables and {figures} figures.").format(
        tables=len(tables_written), figures=len(figures))


