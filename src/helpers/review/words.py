"""The words of the period review in the run's language: names of metrics, formats, channels, sections, statuses.

Machine keys (the CSV's kpi, format, channel, area and status codes) stay English; these tables
turn them into what a reader sees (``helpers.i18n``: ``N_`` marks, ``_`` translates when shown).
Accounts are shown by their name (accounts.name, e.g. 青柠生活·抖音), never by their id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from helpers import i18n
from helpers.attribution import NO_TOUCH
from helpers.i18n import N_, _

#: Section anchors of the notebook, the same in both languages (``## <a id="kpi"></a>...``).
ANCHORS: dict[str, str] = {"data": "#data", "kpi": "#kpi", "trends": "#trends", "alerts": "#alerts",
                           "content": "#content", "funnel": "#funnel", "attribution": "#attribution",
                           "ads": "#ads", "risks": "#risks", "actions": "#actions"}

#: Daily metrics (account_daily columns) as a reader names them, in running text.
METRIC_NAMES: dict[str, str] = {
    "impressions": N_("impressions"), "reach": N_("reach"), "engagements": N_("engagements"),
    "followers": N_("followers"), "followers_gained": N_("followers gained"), "followers_lost": N_("followers lost"),
    "profile_visits": N_("profile visits"), "link_clicks": N_("link clicks"), "conversions": N_("conversions"),
    "revenue": N_("revenue"), "likes": N_("likes"), "comments": N_("comments"), "shares": N_("shares"),
    "saves": N_("saves"),
}

#: Attribution channels that are not platforms (platform channels use i18n.platform_name).
CHANNEL_NAMES: dict[str, str] = {"kol": N_("KOL seeding"), "search": N_("search"), "wechat": N_("WeChat"),
                                 NO_TOUCH: N_("no recorded touch")}

#: Recommendation areas (the recommendations table's `area` codes) and the section each one cites.
AREA_NAMES: dict[str, str] = {"KPIs": N_("KPIs"), "Alerts": N_("Alerts"), "Data quality": N_("Data quality"),
                              "Ads": N_("Ads"), "Budget": N_("Budget"), "Content": N_("Content"),
                              "Attribution": N_("Attribution"), "Risks": N_("Risks")}
AREA_SECTIONS: dict[str, str] = {"KPIs": "kpi", "Alerts": "alerts", "Data quality": "data", "Ads": "ads",
                                 "Budget": "ads", "Content": "content", "Attribution": "attribution",
                                 "Risks": "risks"}

#: Attribution models.
MODEL_NAMES: dict[str, str] = {"first_touch": N_("first touch"), "last_touch": N_("last touch"),
                               "linear": N_("linear"), "markov": N_("Markov chain"), "shapley": N_("Shapley value")}
#: What a channel's Markov ÷ last-touch ratio says about it.
ROLE_NAMES: dict[str, str] = {"assist": N_("assists"), "closer": N_("closes"), "balanced": N_("balanced")}

#: Risk register words.
RISK_CATEGORIES: dict[str, str] = {"content": N_("content"), "compliance": N_("compliance"),
                                   "platform-rule": N_("platform rules"), "strategy": N_("strategy"),
                                   "technical": N_("technical")}
RISK_LEVELS: dict[str, str] = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
RISK_STATUSES: dict[str, str] = {"open": N_("open"), "monitoring": N_("monitoring"), "closed": N_("closed")}

#: Alert words.
SEVERITY_NAMES: dict[str, str] = {"critical": N_("critical"), "warning": N_("warning")}
DIRECTION_NAMES: dict[str, str] = {"up": N_("up"), "down": N_("down")}


def word(table: Mapping[str, str], key: object) -> str:
    """`key` looked up in a words table and translated; an unknown key as given (it is data)."""
    if key is None or (isinstance(key, float) and math.isnan(key)):
        return i18n.MISSING
    label = table.get(str(key))
    return _(label) if label else str(key)


def metric_name(metric: str) -> str:
    """A daily metric in running text: 曝光量 / impressions."""
    return word(METRIC_NAMES, metric)


def format_name(fmt: str) -> str:
    """A post format: 短视频 / short video (the shared names of helpers.i18n)."""
    return i18n.format_name(fmt)


def channel_name(channel: str) -> str:
    """An attribution channel: a platform's name, or 达人种草 / KOL seeding, 搜索 / search."""
    if str(channel) in CHANNEL_NAMES:
        return word(CHANNEL_NAMES, channel)
    return i18n.platform_name(str(channel))


def account_names(accounts: pd.DataFrame | None) -> dict[str, str]:
    """account_id → the account's name (accounts.name; the id when the name is missing)."""
    if accounts is None or accounts.empty:
        return {}
    names = accounts["name"] if "name" in accounts.columns else accounts["account_id"]
    return {str(a): (str(n) if isinstance(n, str) and n.strip() else str(a))
            for a, n in zip(accounts["account_id"], names, strict=True)}


def account_name(names: Mapping[str, str], account_id: object) -> str:
    """One account's name; the total of all accounts as 全部平台 / all platforms."""
    if str(account_id) == "total":
        return _("all platforms")
    return names.get(str(account_id), str(account_id))


def fmt_value(value: float | None, unit: str) -> str:
    """A KPI value in its unit: counts 20,015 (1,586.6万), rates 4.64%, money, ratios 1.80, indexes +0.28."""
    if value is None or pd.isna(value):
        return i18n.MISSING
    if unit == "rate":
        return i18n.fmt_percent(value, 2)
    if unit == "index":  # net sentiment, as the voice-of-customer notebook shows it: +0.28, −0.05
        return f"{float(value):+.2f}".replace("-", "−")
    if unit == "currency":
        return i18n.fmt_money(value)
    if unit == "ratio":
        return i18n.fmt_number(value, 2)
    return i18n.fmt_count(value)


#: Attainment thresholds of the status (kpis.kpi_status: at risk below 90 %, watch below 100 %).
ATTAINMENT_THRESHOLDS: tuple[float, float] = (0.9, 1.0)


def fmt_attainment(value: float | None) -> str:
    """Attainment rounded so it never crosses 90 % or 100 % (89.5 % stays 89.5%, not "90%" next to at risk)."""
    return i18n.fmt_percent_near(value, ATTAINMENT_THRESHOLDS)


def fmt_kpi_change(unit: str, relative: float | None, absolute: float | None) -> str:
    """A KPI's change as a reader expects it: a rate in percentage points (4% → 5% is +1.00 pp), others in %."""
    if unit == "index":  # a signed index changes in its own units (+0.28 → +0.31 is +0.03)
        return fmt_value(absolute, "index")
    return i18n.fmt_pp(absolute) if unit == "rate" else i18n.fmt_change(relative)


def status_code(status: str) -> str:
    """A scorecard status as a page status code ('missing' → 'insufficient data')."""
    return "insufficient data" if status == "missing" else str(status)
