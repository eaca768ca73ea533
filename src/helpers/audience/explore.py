"""The audience explorer's computation: the profile of one slice (platform × segment × period).

``profile_table`` is the profile of one slice as a two-column (measure, value) table of display
text; the widget that wraps it in dropdowns and a month-range slider is
``helpers.audience.charts.audience_explorer``. Like the other explorers, nothing is drawn until a
choice changes, so a headless run never waits on it.

Conventions: the slice's users are the audience users with a row on an account of the chosen
platform (all accounts for "all") and, unless "all", in the chosen segment; the period does not
change who is in the slice, only the activity measures, which count the slice users' events on
the slice's accounts between start and end (calendar days, both included, local time: naive
timestamps are local already, aware ones are converted to their account's timezone).
Demographic measures show the most common value with its share of the slice's users; missing
values stay in the denominator and their share is shown, never dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pandas as pd

from helpers import i18n
from helpers.audience.demographics import MISSING, shares
from helpers.audience.engine import Events, as_events, literal
from helpers.audience.interests import segment_lookup, segment_order, user_tags
from helpers.errors import ParameterError, require_columns
from helpers.i18n import N_, _

_slices = itertools.count()

ALL = "all"
"""The choice that does not filter (platform or segment)."""
EMPTY = N_("no users in this slice")
DEMOGRAPHICS: tuple[tuple[str, str], ...] = (("gender", N_("gender")), ("age_band", N_("age band")),
                                             ("city_tier", N_("city tier")), ("device", N_("device")))
"""(audience column, measure label) of the demographics the profile shows."""
NO_VALUE = "–"
LABELS: dict[str, str] = {"measure": N_("Measure"), "value": N_("Value")}
"""Column labels of profile_table for styled()."""


def choice_label(value: str, namer: Callable[[str], str]) -> str:
    """A dropdown choice as a reader sees it: 'all' in the run's language, else `namer(value)`."""
    return _("all") if value == ALL else namer(value)


def _day(value: Any, name: str) -> pd.Timestamp | None:
    """A date parameter as a midnight Timestamp (None stays None); ParameterError when it is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (TypeError, ValueError):
        raise ParameterError(f"Parameter {name}={value!r} is not a date; use e.g. '2025-03-01'.") from None


def _platform_accounts(accounts: pd.DataFrame, platform: str) -> set[str]:
    """Account ids of the platform (every account for 'all'); ParameterError naming the known platforms."""
    if platform == ALL:
        return set(accounts["account_id"])
    known = sorted(set(accounts["platform"].dropna().astype("str")))
    if platform not in known:
        raise ParameterError(f"Unknown platform {platform!r}; use {ALL!r} or one of: {', '.join(known)}.")
    return set(accounts.loc[accounts["platform"] == platform, "account_id"])


def _slice_rows(audience: pd.DataFrame, segments: pd.DataFrame | None, ids: set[str], segment: str) -> pd.DataFrame:
    """Audience rows on the given accounts of users in the segment (every user for 'all')."""
    rows = audience[audience["account_id"].isin(ids) & audience["user_id"].notna()]
    if segment == ALL:
        return rows
    names = [] if segments is None else segment_order(segments)
    if segment not in names:
        raise ParameterError(f"Unknown segment {segment!r}; use {ALL!r}"
                             + (f" or one of: {', '.join(names)}." if names else " (no segments were given)."))
    lookup = segment_lookup(segments)  # segments is not None: names is non-empty
    return rows[rows["user_id"].map(lookup) == segment]


def _top_value(rows: pd.DataFrame, column: str) -> str:
    """'value (share)' of the most common value among the rows' users, with the share missing when any."""
    if column not in rows.columns:
        return _("not in data")
    table = shares(rows, column).sort_values("users", ascending=False, kind="stable")
    missing = float(table.loc[table["value"] == MISSING, "share"].sum())
    known = table[table["value"] != MISSING]
    if known.empty:
        return _("all missing")
    text = _("{value} ({share})").format(value=known["value"].iloc[0], share=i18n.fmt_percent(known["share"].iloc[0]))
    return text + (_("; {share} missing").format(share=i18n.fmt_percent(missing)) if missing > 0 else "")


def _top_interest(rows: pd.DataFrame, users: int) -> str:
    """'tag (share of users)' of the most held interest tag, with the share of users without interests."""
    if "interests" not in rows.columns:
        return _("not in data")
    counts = user_tags(rows).groupby("interest").size()
    missing = int(counts.get(MISSING, 0))
    counts = counts.drop(MISSING, errors="ignore").sort_index().sort_values(ascending=False, kind="stable")
    if counts.empty:
        return _("all missing")
    text = _("{value} ({share} of users)").format(value=counts.index[0], share=i18n.fmt_percent(counts.iloc[0] / users))
    return text + (_("; {share} missing").format(share=i18n.fmt_percent(missing / users)) if missing else "")


def _period_text(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    """The chosen period in words."""
    if start is None and end is None:
        return _("all events")
    first = i18n.fmt_date(start) if start is not None else _("first event")
    last = i18n.fmt_date(end) if end is not None else _("last event")
    return _("{start} – {end}").format(start=first, end=last)


def _period_activity(events: pd.DataFrame | Events, accounts: pd.DataFrame, users: pd.Index, ids: set[str],
                     start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Events per local hour of the users on the accounts within [start, end + 1 day), with the active users."""
    ev = as_events(events, accounts).decoded()  # joined on the text ids
    name = f"slice_users_{next(_slices)}"
    ev.con.register(name, pd.DataFrame({"user_id": pd.Series(users, dtype="object").astype("str")}))
    where = ["CAST(user_id AS VARCHAR) IN (SELECT user_id FROM " + name + ")",
             "account_id IN (" + ", ".join(literal(i) for i in sorted(ids)) + ")" if ids else "FALSE"]
    if start is not None:
        where.append(f"occurred_at >= {literal(start)}")
    if end is not None:
        where.append(f"occurred_at < {literal(end + pd.Timedelta(days=1))}")
    try:
        return ev.query("SELECT hour(occurred_at) AS hour, count(*) AS events, "
                        f"(SELECT count(DISTINCT CAST(user_id AS VARCHAR)) FROM {{ev}} WHERE {' AND '.join(where)}) "
                        f"AS active FROM {{ev}} WHERE {' AND '.join(where)} GROUP BY hour ORDER BY hour")
    finally:
        ev.con.unregister(name)


def profile_table(audience: pd.DataFrame, events: pd.DataFrame | Events, segments: pd.DataFrame | None,
                  platform: str = ALL, segment: str = ALL, start: Any = None, end: Any = None, *,
                  accounts: pd.DataFrame) -> pd.DataFrame:
    """The profile of one slice (platform × segment × period) as a (measure, value) table of display text.

    Measures: period; users; the most common gender, age band, city tier and device with their
    share; the most held interest tag; users active in the period; events per active user; the
    busiest local hour. An empty slice gives one row ('users', 'no users in this slice').
    """
    require_columns(audience, ("user_id", "account_id"), "audience")
    if isinstance(events, pd.DataFrame):
        require_columns(events, ("user_id", "account_id", "occurred_at"), "events")
    require_columns(accounts, ("account_id", "platform"), "accounts")
    lo, hi = _day(start, "start"), _day(end, "end")
    if lo is not None and hi is not None and hi < lo:
        raise ParameterError(f"The period ends ({hi.date()}) before it starts ({lo.date()}); swap start and end.")
    ids = _platform_accounts(accounts, platform)
    rows = _slice_rows(audience, segments, ids, segment)
    users = pd.Index(rows["user_id"].unique())
    if users.empty:
        return pd.DataFrame({"measure": [_("users")], "value": [_(EMPTY)]})

    n = len(users)
    measures: list[tuple[str, str]] = [(_("period"), _period_text(lo, hi)), (_("users"), i18n.fmt_count(n))]
    measures += [(_(label), _top_value(rows, column)) for column, label in DEMOGRAPHICS]
    measures.append((_("top interest"), _top_interest(rows, n)))
    hours = _period_activity(events, accounts, users, ids, lo, hi)
    active = int(hours["active"].iloc[0]) if len(hours) else 0
    total = int(hours["events"].sum())
    measures.append((_("active users"), _("{count} ({share} of users)").format(
        count=i18n.fmt_count(active), share=i18n.fmt_percent(active / n))))
    measures.append((_("events per active user"), i18n.fmt_number(total / active, 1) if active else NO_VALUE))
    if active:
        busiest = hours.sort_values("events", ascending=False, kind="stable").iloc[0]
        hour, count = int(busiest["hour"]), int(busiest["events"])
        measures.append((_("busiest hour (local)"), _("{window} ({share} of events)").format(
            window=f"{hour:02d}:00–{(hour + 1) % 24:02d}:00", share=i18n.fmt_percent(count / total))))
    else:
        measures.append((_("busiest hour (local)"), NO_VALUE))
    return pd.DataFrame(measures, columns=["measure", "value"])


def event_months(events: pd.DataFrame | Events, accounts: pd.DataFrame) -> list[pd.Period]:
    """Calendar months (local time) that have events, in order: the explorer's period choices."""
    if isinstance(events, pd.DataFrame) and events.empty:
        return []
    months = as_events(events, accounts).query(
        "SELECT DISTINCT date_trunc('month', occurred_at) AS month FROM {ev} WHERE occurred_at IS NOT NULL")
    return sorted(pd.to_datetime(months["month"]).dt.to_period("M"))


def explorer_choices(audience: pd.DataFrame, segments: pd.DataFrame | None,
                     accounts: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The explorer's platform choices ('all' and the platforms with audience rows) and segment choices."""
    require_columns(accounts, ("account_id", "platform"), "accounts")
    present = accounts[accounts["account_id"].isin(set(audience["account_id"]))]
    platforms = [ALL, *sorted(set(present["platform"].dropna().astype("str")))]
    return platforms, [ALL, *([] if segments is None else segment_order(segments))]


def month_range(first: pd.Period | None, last: pd.Period | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The calendar days a month-range choice covers: the first month's first day, the last month's last day."""
    start = first.start_time if first is not None else None
    end = last.end_time.normalize() if last is not None else None
    return start, end
