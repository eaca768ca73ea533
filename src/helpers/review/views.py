"""The tables a person reads in the period review: labelled, formatted, in the run's language.

Each function takes a result table and returns a pandas Styler: headers as labels, accounts by
name, platforms, formats, channels and statuses as words, counts whole (20,015; 1,586.6万 in zh-CN),
rates as %, attainment never rounded across a status threshold, identifiers (campaign and creative
ids) as code. The CSV files keep the raw values and machine column names; these are only what is
shown. Long tables show their first rows (the CSV has them all).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from helpers import i18n, page
from helpers.attribution import NO_TOUCH
from helpers.i18n import N_, _
from helpers.report import SENTENCE_CHARS, cell_text
from helpers.review.kpis import KPIS, kpi_label
from helpers.review.words import (
    DIRECTION_NAMES,
    MODEL_NAMES,
    RISK_CATEGORIES,
    RISK_LEVELS,
    ROLE_NAMES,
    SEVERITY_NAMES,
    account_name,
    account_names,
    channel_name,
    fmt_attainment,
    fmt_kpi_change,
    fmt_value,
    format_name,
    metric_name,
    status_code,
    word,
)

#: Rows a long table shows in the report (the CSV keeps every row).
SHOWN_ROWS = 20
#: Text colour of each status class (the shape in the label keeps it readable in grey).
STATUS_CSS: dict[str, str] = {"good": "color: #2e7d32; font-weight: 600", "watch": "color: #b26a00; font-weight: 600",
                              "bad": "color: #c62828; font-weight: 600", "info": "color: #546e7a"}


def _code(value: object) -> str:
    return "<code>" + html.escape(str(value)) + "</code>" if pd.notna(value) else i18n.MISSING


def _table(rows: pd.DataFrame, numeric: Sequence[str] = (), code: Sequence[str] = (), wide: Sequence[str] = (),
           statuses: Mapping[str, Sequence[str]] | None = None, data_text: Sequence[str] = ()) -> Any:
    """A Styler of a frame of display strings: headers translated, text escaped, ids as code, numbers right.

    `statuses`: column → the status code of each row (colours the cell). Text is cut as `report.styled`
    cuts it: `data_text` columns (a post's title, comments) at report.CELL_CHARS characters, the rest at
    report.SENTENCE_CHARS, the whole text on hover.
    """
    frame = rows.reset_index(drop=True)
    style = frame.style.format(lambda v: cell_text(v, SENTENCE_CHARS), na_rep=i18n.MISSING)
    cut = [c for c in data_text if c in frame.columns]
    if cut:
        style = style.format(cell_text, subset=cut, na_rep=i18n.MISSING)
    present = [c for c in code if c in frame.columns]
    if present:
        style = style.format(_code, subset=present)
    right = [c for c in numeric if c in frame.columns]
    left = [c for c in frame.columns if c not in right]
    if left:
        style = style.set_properties(subset=left, **{"text-align": "left"})
    if right:
        style = style.set_properties(subset=right, **{"text-align": "right", "white-space": "nowrap"})
    long_text = [c for c in wide if c in frame.columns]
    if long_text:
        style = style.set_properties(subset=long_text, **{"min-width": "14em", "text-align": "left"})
    for column, codes in (statuses or {}).items():
        css = [STATUS_CSS[page.status_class(c)] for c in codes]
        style = style.apply(lambda _col, css=css: css, subset=[column])
    labels = [_(c) for c in frame.columns]
    return style.relabel_index(labels, axis="columns").hide(axis="index")


def _each(values: pd.Series, formatter: Callable[[Any], str]) -> list[str]:
    return [formatter(v) for v in values]


# --------------------------------------------------------------------------------------------
# KPI scorecard
# --------------------------------------------------------------------------------------------

def scorecard_view(board: pd.DataFrame, scope: str = "total") -> Any:
    """One scope's scorecard ('total' or an account id): KPI, actual, target, attainment, 环比, 同比, status.

    Values in each KPI's unit; attainment rounded so it never crosses 90 % or 100 %; the changes of
    flows are per day (the scorecard's change_basis), of rates and levels relative.
    """
    rows = board[(board["account_id"] == scope) & board["actual"].notna()]  # e.g. no total reach: not additive
    units = [KPIS[k].unit if k in KPIS else "count" for k in rows["kpi"]]
    codes = [status_code(s) for s in rows["status"]]
    frame = pd.DataFrame({
        N_("KPI"): list(rows["label"]),
        N_("Actual"): [fmt_value(v, u) for v, u in zip(rows["actual"], units, strict=True)],
        N_("Target"): [fmt_value(v, u) for v, u in zip(rows["target"], units, strict=True)],
        N_("Attainment"): _each(rows["attainment"], fmt_attainment),
        N_("Change vs previous period"): [fmt_kpi_change(u, r, a) for u, r, a in
                                          zip(units, rows["change_pct"], rows["change_abs"], strict=True)],
        N_("Change vs last year"): [fmt_kpi_change(u, r, a) for u, r, a in
                                    zip(units, rows["yoy_pct"], rows["yoy_abs"], strict=True)],
        N_("Status"): [page.status_label(c) for c in codes],
    })
    return _table(frame, numeric=[N_("Actual"), N_("Target"), N_("Attainment"), N_("Change vs previous period"),
                                  N_("Change vs last year")], statuses={N_("Status"): codes})


def status_grid(board: pd.DataFrame, accounts: pd.DataFrame | None = None) -> Any:
    """Status per KPI (rows) and account (columns), with the attainment where a target exists."""
    names = account_names(accounts)
    scopes = [a for a in board["account_id"].drop_duplicates() if a != "total"]
    kpis = list(board["kpi"].drop_duplicates())
    cells: dict[str, list[str]] = {_("KPI"): [board.loc[board["kpi"] == k, "label"].iloc[0] for k in kpis]}
    colours: dict[str, list[str]] = {}
    for scope in scopes:
        mine = board[board["account_id"] == scope].set_index("kpi")
        column = account_name(names, scope)
        codes = [status_code(mine.at[k, "status"]) if k in mine.index else "insufficient data" for k in kpis]
        cells[column] = [page.status_label(c) + ("" if k not in mine.index or pd.isna(mine.at[k, "attainment"])
                                                 else " " + fmt_attainment(mine.at[k, "attainment"]))
                         for k, c in zip(kpis, codes, strict=True)]
        colours[column] = codes
    frame = pd.DataFrame(cells)
    style = frame.style.format(cell_text).set_properties(**{"text-align": "left", "white-space": "nowrap"})
    for column, codes in colours.items():
        css = [STATUS_CSS[page.status_class(c)] for c in codes]
        style = style.apply(lambda _col, css=css: css, subset=[column])
    return style.hide(axis="index")


# --------------------------------------------------------------------------------------------
# Data check, alerts
# --------------------------------------------------------------------------------------------

def bot_days_view(removed: pd.DataFrame, accounts: pd.DataFrame | None = None) -> Any:
    """The bot-like days removed: day, account, metric, observed, replaced with, removed (whole counts)."""
    names = account_names(accounts)
    frame = pd.DataFrame({
        N_("Date"): _each(removed["date"], i18n.fmt_date),
        N_("Account"): [account_name(names, a) for a in removed["account_id"]],
        N_("Metric"): _each(removed["column"], metric_name),
        N_("Observed"): _each(removed["observed"], i18n.fmt_count),
        N_("Replaced with"): _each(removed["replaced_with"], i18n.fmt_count),
        N_("Removed"): _each(removed["removed"], i18n.fmt_count),
    })
    return _table(frame, numeric=[N_("Observed"), N_("Replaced with"), N_("Removed")])


def _signed_z(z: float) -> str:
    return i18n.fmt_number(z, 1) if z <= 0 else "+" + i18n.fmt_number(z, 1)


def alerts_view(alerts: pd.DataFrame, accounts: pd.DataFrame | None = None, rows: int = SHOWN_ROWS) -> Any:
    """The period's alerts (the first `rows`): day, account, metric, observed, expected, change, z, severity."""
    names = account_names(accounts)
    shown = alerts.head(rows)
    frame = pd.DataFrame({
        **({N_("Festival"): list(shown["occasion"])} if "occasion" in shown else {}),
        N_("Date"): _each(shown["date"], i18n.fmt_date),
        N_("Account"): [account_name(names, a) for a in shown["account_id"]],
        N_("Metric"): _each(shown["kpi"], metric_name),
        N_("Observed"): _each(shown["observed"], i18n.fmt_count),
        N_("Expected"): _each(shown["expected"], i18n.fmt_count),
        N_("Deviation"): _each(shown["deviation_pct"], i18n.fmt_change),
        N_("Robust z"): _each(shown["robust_z"], _signed_z),
        N_("Severity"): [word(SEVERITY_NAMES, s) for s in shown["severity"]],
        N_("Direction"): [word(DIRECTION_NAMES, d) for d in shown["direction"]],
    })
    return _table(frame, numeric=[N_("Observed"), N_("Expected"), N_("Deviation"), N_("Robust z")])


def festival_views(lifts: pd.DataFrame, accounts: pd.DataFrame | None = None) -> tuple[Any, ...]:
    """The festival moves as a table (with their festival), or nothing at all when there are none."""
    return (alerts_view(lifts, accounts),) if not lifts.empty else ()


# --------------------------------------------------------------------------------------------
# Content, funnel
# --------------------------------------------------------------------------------------------

def posts_view(posts: pd.DataFrame, accounts: pd.DataFrame | None = None) -> Any:
    """Ranked posts: account, day, format, pillar, title, engagements, the base's value, engagement rate."""
    names = account_names(accounts)
    frame = pd.DataFrame({
        N_("Account"): [account_name(names, a) for a in posts["account_id"]],
        N_("Published"): _each(posts["published_at"], i18n.fmt_date),
        N_("Format"): _each(posts["format"], format_name),
        N_("Content pillar"): list(posts["pillar"]),
        N_("Title"): list(posts["title"]),
        N_("Engagements"): _each(posts["engagements"], i18n.fmt_count),
        N_("Base"): _each(posts["er_base_value"], i18n.fmt_count),
        N_("Engagement rate"): [i18n.fmt_percent(v, 2) for v in posts["engagement_rate"]],
    })
    return _table(frame, numeric=[N_("Engagements"), N_("Base"), N_("Engagement rate")], wide=[N_("Title")],
                  data_text=[N_("Title")])


def _interval(low: float, high: float) -> str:
    if pd.isna(low) or pd.isna(high):
        return i18n.MISSING
    return i18n.fmt_percent(low, 2) + " – " + i18n.fmt_percent(high, 2)


def formats_view(by_format: pd.DataFrame) -> Any:
    """Formats per platform: posts, rate of sums, mean of rates and its 95 % interval."""
    frame = pd.DataFrame({
        N_("Platform"): [i18n.platform_name(p) for p in by_format["platform"]],
        N_("Format"): _each(by_format["format"], format_name),
        N_("Posts"): _each(by_format["posts"], i18n.fmt_count),
        N_("Engagements"): _each(by_format["engagements_total"], i18n.fmt_count),
        N_("Rate of sums"): [i18n.fmt_percent(v, 2) for v in by_format["er_rate_of_sums"]],
        N_("Mean of rates"): [i18n.fmt_percent(v, 2) for v in by_format["er_mean_of_rates"]],
        N_("95% interval"): [_interval(lo, hi) for lo, hi in zip(by_format["er_ci_low"], by_format["er_ci_high"],
                                                                 strict=True)],
    })
    return _table(frame, numeric=[N_("Posts"), N_("Engagements"), N_("Rate of sums"), N_("Mean of rates"),
                                  N_("95% interval")])


FUNNEL_STEPS: dict[str, str] = {"impressions": N_("Impressions"), "link_clicks": N_("Clicks"),
                                "conversions": N_("Conversions")}


def funnel_view(steps: pd.DataFrame) -> Any:
    """The funnel per platform and in total: step, value, rate from the previous step, drop-off, from the top."""
    frame = pd.DataFrame({
        N_("Platform"): [_("all platforms") if p == "total" else i18n.platform_name(p) for p in steps["platform"]],
        N_("Step"): [word(FUNNEL_STEPS, s) for s in steps["step"]],
        N_("Value"): _each(steps["value"], i18n.fmt_count),
        N_("Rate from previous step"): [i18n.fmt_percent(v, 2) for v in steps["rate_from_previous"]],
        N_("Drop-off"): [i18n.fmt_percent(v, 2) for v in steps["drop_off"]],
        N_("Rate from the top"): [i18n.fmt_percent(v, 3) for v in steps["rate_from_top"]],
        N_("Complete"): _each(steps["complete"], i18n.yes_no),
    })
    return _table(frame, numeric=[N_("Value"), N_("Rate from previous step"), N_("Drop-off"),
                                  N_("Rate from the top")])


# --------------------------------------------------------------------------------------------
# Attribution, ads, risks, recommendations
# --------------------------------------------------------------------------------------------

def shares_view(comparison: pd.DataFrame) -> Any:
    """Share of conversions credited per channel (rows) and model (columns), as %."""
    models = list(comparison["model"].drop_duplicates())
    grid = comparison.pivot_table(index="channel", columns="model", values="share").reindex(columns=models)
    grid = grid.loc[sorted(grid.index, key=lambda c: (c == NO_TOUCH, c))]  # the channels, then no recorded touch
    frame = pd.DataFrame({N_("Channel"): [channel_name(c) for c in grid.index]})
    for model in models:
        frame[word(MODEL_NAMES, model)] = [i18n.fmt_percent(v, 1) for v in grid[model]]
    return _table(frame, numeric=[word(MODEL_NAMES, m) for m in models])


def assist_view(assist: pd.DataFrame) -> Any:
    """Per channel: last-touch, linear and Markov conversions, the ratios to last touch, and its role."""
    frame = pd.DataFrame({
        N_("Channel"): [channel_name(c) for c in assist["channel"]],
        N_("Last touch"): [i18n.fmt_number(v, 1) for v in assist["last_touch"]],
        N_("Linear"): [i18n.fmt_number(v, 1) for v in assist["linear"]],
        N_("Markov chain"): [i18n.fmt_number(v, 1) for v in assist["markov"]],
        N_("Linear ÷ last touch"): [i18n.fmt_number(v, 2) for v in assist["linear_ratio"]],
        N_("Markov ÷ last touch"): [i18n.fmt_number(v, 2) for v in assist["markov_ratio"]],
        N_("Role"): [word(ROLE_NAMES, r) for r in assist["label"]],
    })
    return _table(frame, numeric=[N_("Last touch"), N_("Linear"), N_("Markov chain"), N_("Linear ÷ last touch"),
                                  N_("Markov ÷ last touch")])


def campaigns_view(campaigns: pd.DataFrame) -> Any:
    """Campaigns: spend, revenue, CTR, CPA, conversion rate, ROAS and whether the stop-loss stops them."""
    frame = pd.DataFrame({
        N_("Campaign"): list(campaigns["campaign_id"]),
        N_("Spend"): _each(campaigns["spend"], i18n.fmt_money),
        N_("Revenue"): _each(campaigns["revenue"], i18n.fmt_money),
        "CTR": [i18n.fmt_percent(v, 2) for v in campaigns["ctr"]],
        "CPA": _each(campaigns["cpa"], i18n.fmt_money),
        N_("Conversion rate"): [i18n.fmt_percent(v, 2) for v in campaigns["cvr"]],
        "ROAS": [i18n.fmt_number(v, 2) for v in campaigns["roas"]],
        N_("Stop-loss"): _each(campaigns["stop_loss"], i18n.yes_no),
    })
    return _table(frame, numeric=[N_("Spend"), N_("Revenue"), "CTR", "CPA", N_("Conversion rate"), "ROAS"],
                  code=[N_("Campaign")],
                  statuses={N_("Stop-loss"): ["at risk" if s else "healthy" for s in campaigns["stop_loss"]]})


def creatives_view(creatives: pd.DataFrame) -> Any:
    """Creatives: campaign, creative, spend, CTR, conversion rate, ROAS and whether to keep them."""
    frame = pd.DataFrame({
        N_("Campaign"): list(creatives["campaign_id"]),
        N_("Creative"): list(creatives["creative_id"]),
        N_("Spend"): _each(creatives["spend"], i18n.fmt_money),
        "CTR": [i18n.fmt_percent(v, 2) for v in creatives["ctr"]],
        N_("Conversion rate"): [i18n.fmt_percent(v, 2) for v in creatives["cvr"]],
        "ROAS": [i18n.fmt_number(v, 2) for v in creatives["roas"]],
        N_("Keep"): _each(creatives["keep"], i18n.yes_no),
    })
    return _table(frame, numeric=[N_("Spend"), "CTR", N_("Conversion rate"), "ROAS"],
                  code=[N_("Campaign"), N_("Creative")],
                  statuses={N_("Keep"): ["healthy" if k else "at risk" for k in creatives["keep"]]})


def _money(value: float) -> str:
    """An amount in a budget plan: whole units (0, not 0.00)."""
    return i18n.MISSING if pd.isna(value) else i18n.fmt_money(round(float(value))) if abs(value) >= 100 \
        else i18n.fmt_number(round(float(value)), 0)


def budget_view(budget: pd.DataFrame, reserve_label: str = "flexible reserve") -> Any:
    """The budget shift: spend, ROAS, suggested spend, change and the revenue expected at the measured ROAS."""
    reserve = budget["campaign_id"] == reserve_label
    frame = pd.DataFrame({
        N_("Campaign"): list(budget["campaign_id"]),
        N_("Spend"): _each(budget["spend"], _money),
        "ROAS": [i18n.fmt_number(v, 2) for v in budget["roas"]],
        N_("Suggested spend"): _each(budget["suggested_spend"], _money),
        N_("Change"): [("+" if v > 0 else "") + _money(v) for v in budget["change"]],
        N_("Expected revenue"): _each(budget["expected_revenue"], _money),
    })
    style = _table(frame, numeric=[N_("Spend"), "ROAS", N_("Suggested spend"), N_("Change"), N_("Expected revenue")],
                   code=[N_("Campaign")])
    rows = [i for i, r in enumerate(reserve) if r]
    if rows:  # the reserve row is a budget line, not a campaign id
        style = style.format(lambda _v: html.escape(_("flexible reserve")), subset=pd.IndexSlice[rows, N_("Campaign")])
    return style


def risks_view(top: pd.DataFrame) -> Any:
    """The top risks: id, category, description, score (probability × impact), level, owner, mitigation."""
    frame = pd.DataFrame({
        N_("Risk"): list(top["risk_id"]),
        N_("Category"): [word(RISK_CATEGORIES, c) for c in top["category"]],
        N_("Description"): list(top["description"]),
        N_("Score"): [_("{score} = {probability} × {impact}").format(
            score=i18n.fmt_number(s, 2), probability=i18n.fmt_percent(p, 0), impact=int(i))
            for s, p, i in zip(top["score"], top["probability"], top["impact"], strict=True)],
        N_("Level"): [word(RISK_LEVELS, v) for v in top["level"]],
        N_("Owner"): list(top["owner"]),
        N_("Mitigation"): list(top["mitigation"]),
    })
    codes = ["at risk" if v == "high" else "watch" if v == "medium" else "info" for v in top["level"]]
    return _table(frame, numeric=[N_("Score")], wide=[N_("Description"), N_("Mitigation")],
                  statuses={N_("Level"): codes})


AREA_LABEL = N_("Area")


def recommendations_view(actions: pd.DataFrame) -> Any:
    """The ranked recommendations: rank, priority, area, finding and action."""
    from helpers.review.words import AREA_NAMES

    frame = pd.DataFrame({
        "#": [str(r) for r in actions["rank"]],
        N_("Priority"): [str(p) for p in actions["priority"]],
        AREA_LABEL: [word(AREA_NAMES, a) for a in actions["area"]],
        N_("Finding"): list(actions["finding"]),
        N_("Action"): list(actions["action"]),
    })
    return _table(frame, numeric=["#", N_("Priority")], wide=[N_("Finding"), N_("Action")])


# --------------------------------------------------------------------------------------------
# Reputation: the sentiment split and the crisis cases
# --------------------------------------------------------------------------------------------

#: The windows of the sentiment split, as the KPI board names them.
WINDOW_NAMES: dict[str, str] = {"period": N_("This period"), "previous": N_("Previous period"),
                                "last_year": N_("Same period last year")}
def sentiment_view(split: pd.DataFrame, accounts: pd.DataFrame | None = None) -> Any:
    """The sentiment split per account and in all, for the period, the previous period and last year, with counts."""
    names = account_names(accounts)
    frame = pd.DataFrame({
        N_("Period"): [f"{_(WINDOW_NAMES[w])} ({p})" for w, p in zip(split["window"], split["period"], strict=True)],
        N_("Account"): [_("All accounts") if a == "total" else account_name(names, a) for a in split["account_id"]],
        N_("Comments"): _each(split["comments"], i18n.fmt_count),
        N_("Positive"): [f"{i18n.fmt_count(n)} ({i18n.fmt_percent(s)})"
                         for n, s in zip(split["positive"], split["positive_share"], strict=True)],
        N_("Neutral"): [f"{i18n.fmt_count(n)} ({i18n.fmt_percent(s)})"
                        for n, s in zip(split["neutral"], split["neutral_share"], strict=True)],
        N_("Negative"): [f"{i18n.fmt_count(n)} ({i18n.fmt_percent(s)})"
                         for n, s in zip(split["negative"], split["negative_share"], strict=True)],
        N_("Net sentiment"): _each(split["net_sentiment"], lambda v: fmt_value(v, "index")),
    })
    return _table(frame, numeric=[N_("Comments"), N_("Positive"), N_("Neutral"), N_("Negative"), N_("Net sentiment")])


#: How the brand answered an incident (helpers.nlp.opinion.incidents' response codes).
RESPONSE_NAMES: dict[str, str] = {"in_time": N_("yes, in time"), "late": N_("late (after the deadline)"),
                                  "none": N_("no reply by the data's end"),
                                  "no_reply_data": N_("unknown (no reply times in the export)")}


def _hour(value: object) -> str:
    """A time as the date and hour: 2025-06-18 14:00."""
    return i18n.MISSING if pd.isna(value) else i18n.fmt_date(value) + pd.Timestamp(value).strftime(" %H:%M")


def crises_view(incidents: pd.DataFrame, accounts: pd.DataFrame | None = None, rows: int = SHOWN_ROWS) -> Any:
    """The period's 舆情 incidents (the first `rows`, most severe first): when, where, severity, peak, owner, reply."""
    names = account_names(accounts)
    shown = incidents.head(rows)
    frame = pd.DataFrame({
        N_("Start"): _each(shown["start"], _hour),
        N_("Incident end"): _each(shown["end"], _hour),
        N_("Account"): [account_name(names, a) for a in shown["account_id"]],
        N_("Severity"): [word(SEVERITY_NAMES, s) for s in shown["severity"]],
        N_("Alerts"): _each(shown["alerts"], i18n.fmt_count),
        N_("Peak alert"): [_("{time} (z {z})").format(time=_hour(t), z=i18n.fmt_number(z, 1))
                     for t, z in zip(shown["peak_at"], shown["peak_z"], strict=True)],
        N_("Negative comments"): _each(shown["negative"], i18n.fmt_count),
        N_("Owner"): [i18n.MISSING if pd.isna(o) else str(o) for o in shown["owner"]],
        N_("Deadline"): _each(shown["deadline"], _hour),
        N_("Responded in time?"): [word(RESPONSE_NAMES, r) for r in shown["response"]],
        N_("Most-liked comments"): [" / ".join(t) for t in shown["top_comments"]],
    })
    return _table(frame, numeric=[N_("Alerts"), N_("Negative comments")], wide=[N_("Most-liked comments")],
                  data_text=[N_("Most-liked comments")])


# --------------------------------------------------------------------------------------------
# Growth comparison
# --------------------------------------------------------------------------------------------

def growth_view(shares: pd.DataFrame, accounts: pd.DataFrame | None = None) -> Any:
    """Each account's part of the period's gains: value, share of the total and change vs last year, per KPI."""
    names = account_names(accounts)
    units = [KPIS[k].unit for k in shares["kpi"]]
    frame = pd.DataFrame({
        N_("KPI"): [kpi_label(k) for k in shares["kpi"]],
        N_("Platform"): [i18n.platform_name(p) for p in shares["platform"]],
        N_("Account"): [account_name(names, a) for a in shares["account_id"]],
        N_("This period"): [fmt_value(v, u) for v, u in zip(shares["value"], units, strict=True)],
        N_("Share of all accounts"): _each(shares["share"], i18n.fmt_percent),
        N_("Same period last year"): [fmt_value(v, u) for v, u in zip(shares["last_year"], units, strict=True)],
        N_("Change vs last year"): _each(shares["change_vs_last_year"], i18n.fmt_change),
    })
    return _table(frame, numeric=[N_("This period"), N_("Share of all accounts"), N_("Same period last year"),
                                  N_("Change vs last year")])
