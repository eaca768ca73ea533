"""Voice-of-the-customer set-up: check every notebook parameter and load the comments the run reads.

The notebook's `parameters` cell holds the defaults (papermill overrides them); `check_parameters`
checks each value before any big table is read (the runner calls it before a kernel starts) and
`prepare` loads the comments of the chosen accounts, resolves the period on the comments' own
dates (``latest`` = the last complete period they cover) and returns a `VocRun`.

The run keeps every comment up to the period's end: the period's own comments are analysed, the
previous period is the comparison for rising keywords, and the weeks before are the baseline the
舆情 alerts are calibrated on. Comments after the period's end are not read by any section.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import i18n
from helpers.data import (
    DataWarning,
    account_names,
    account_platforms,
    check_files,
    find_table_file,
    load_checked_tables,
    load_tables,
)
from helpers.errors import DataError, ParameterError
from helpers.params import check_choice, check_number, check_optional_list, check_whole, select_accounts
from helpers.periods import ReviewPeriod, requested_period, resolve_period, trailing_periods
from helpers.schema import POST_FORMATS

__all__ = [
    "COMMENT_SOURCES",
    "OPTIONAL_VOC_TABLES",
    "PERIOD_TYPES",
    "SENTIMENT_METHODS",
    "VOC_TABLES",
    "VocParameters",
    "VocRun",
    "check_parameters",
    "prepare",
]

VOC_TABLES: tuple[str, ...] = ("accounts", "comments")
#: Tables read when the data folder has them: posts (titles of the commented posts), risks (the response
#: SOP), targets (net sentiment targets). Without one, what needs it says so.
OPTIONAL_VOC_TABLES: tuple[str, ...] = ("posts", "risks", "targets")
PERIOD_TYPES: tuple[str, ...] = ("week", "month", "quarter")
COMMENT_SOURCES: tuple[str, ...] = ("comment", "reply", "dm", "survey", "danmaku")
SENTIMENT_METHODS: tuple[str, ...] = ("auto", "model", "lexicon")
_AUTO = ("", "auto")


@dataclass(frozen=True)
class VocParameters:
    """The checked values of every parameter that needs no big table."""

    data_dir: Path
    account_ids: tuple[str, ...]
    sources: tuple[str, ...]
    brand_user_ids: tuple[str, ...]
    user_terms: tuple[str, ...]
    stop_words: tuple[str, ...]
    sentiment_method: str
    n_themes: int | None
    spam_min_users: int
    alert_threshold: float
    crisis_keywords: tuple[str, ...]
    sop_risk_id: str
    topic_pillar: str
    topic_format: str
    top_n: int


@dataclass(frozen=True)
class VocRun:
    """Checked parameters, the period, the accounts and the comments up to the period's end."""

    period: ReviewPeriod
    previous: ReviewPeriod
    settings: VocParameters
    lang: str
    tables: dict[str, pd.DataFrame] = field(repr=False)
    comments: pd.DataFrame = field(repr=False)

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The analysed accounts."""
        return self.settings.account_ids

    @property
    def accounts(self) -> pd.DataFrame:
        """The analysed accounts' rows of the accounts table."""
        accounts = self.tables["accounts"]
        return accounts[accounts["account_id"].isin(self.account_ids)].reset_index(drop=True)

    @property
    def names(self) -> dict[str, str]:
        """Account id → display name."""
        return account_names(self.tables["accounts"])

    @property
    def platforms(self) -> dict[str, str]:
        """Account id → platform."""
        return account_platforms(self.tables["accounts"])

    def table(self, name: str) -> pd.DataFrame | None:
        """An optional table of the data folder, or None when the folder has none."""
        return self.tables.get(name)

    @property
    def data_end(self) -> pd.Timestamp:
        """The last comment time read (the period's end at the latest): 'now' for deadlines and reply ages."""
        return pd.Timestamp(self.comments["created_at"].max())


def _check_terms(name: str, value: object) -> tuple[str, ...]:
    """A list of words, () when empty; an empty word inside the list is refused."""
    return check_optional_list(name, value, example='["青柠生活", "维C精华"]')


def _check_n_themes(value: object) -> int | None:
    """auto (None) or a whole number of themes from 2 to 30."""
    if isinstance(value, str) and value.strip().lower() in _AUTO:
        return None
    return check_whole("n_themes", value, 2, 30)


def check_parameters(*, account: str | list[str], period_type: str, period: str, data_dir: str,
                     sources: list[str], brand_user_ids: list[str], user_terms: list[str], stop_words: list[str],
                     sentiment_method: str, n_themes: int | str, spam_min_users: int, alert_threshold: float,
                     crisis_keywords: list[str], sop_risk_id: str, topic_pillar: str, topic_format: str,
                     top_n: int, lang: str) -> VocParameters:
    """Every check of prepare that needs no big table: values, the period's label, the data folder, the accounts."""
    i18n.resolve_language(lang)
    check_choice("period_type", period_type, PERIOD_TYPES)
    requested_period(period_type, str(period))
    chosen_sources = check_optional_list("sources", sources, allowed=COMMENT_SOURCES, example='["comment", "dm"]')
    if not chosen_sources:
        raise ParameterError(f"Parameter sources is empty; give some of: {', '.join(COMMENT_SOURCES)}.")
    method = check_choice("sentiment_method", sentiment_method, SENTIMENT_METHODS)
    themes = _check_n_themes(n_themes)
    spam_users = check_whole("spam_min_users", spam_min_users, 2, 1000)
    threshold = check_number("alert_threshold", alert_threshold, 1.0, 20.0)
    crisis = _check_terms("crisis_keywords", crisis_keywords)
    n_top = check_whole("top_n", top_n, 1, 100)
    pillar = str(topic_pillar).strip()
    if not pillar:
        raise ParameterError("Parameter topic_pillar is empty: give the content pillar the proposed topics go to, "
                             "e.g. 教程.")
    fmt = check_choice("topic_format", topic_format, POST_FORMATS)
    folder = check_files(VOC_TABLES, data_dir)
    accounts = load_checked_tables(["accounts"], folder)["accounts"]
    account_ids = select_accounts(accounts, account)
    return VocParameters(
        data_dir=folder, account_ids=account_ids, sources=chosen_sources,
        brand_user_ids=_check_terms("brand_user_ids", brand_user_ids),
        user_terms=_check_terms("user_terms", user_terms), stop_words=_check_terms("stop_words", stop_words),
        sentiment_method=method, n_themes=themes, spam_min_users=spam_users, alert_threshold=threshold,
        crisis_keywords=crisis, sop_risk_id=str(sop_risk_id).strip(), topic_pillar=pillar, topic_format=fmt,
        top_n=n_top)


def _chosen_comments(comments: pd.DataFrame, settings: VocParameters) -> pd.DataFrame:
    """The comments of the chosen accounts and sources."""
    keep = comments["account_id"].isin(settings.account_ids) & comments["source"].isin(settings.sources)
    return comments[keep].reset_index(drop=True)


def _check_has_comments(comments: pd.DataFrame, settings: VocParameters) -> None:
    """Refuse a run whose accounts and sources have no comment at all, naming what was asked for."""
    if comments.empty:
        raise DataError(
            f"comments.csv in {settings.data_dir} has no row for account(s) {list(settings.account_ids)} "
            f"with source in {list(settings.sources)}. Check the parameters account and sources, or import "
            "the accounts' comments first (opsbook import).")


def prepare(*, account: str | list[str], period_type: str, period: str, data_dir: str, sources: list[str],
            brand_user_ids: list[str], user_terms: list[str], stop_words: list[str], sentiment_method: str,
            n_themes: int | str, spam_min_users: int, alert_threshold: float, crisis_keywords: list[str],
            sop_risk_id: str, topic_pillar: str, topic_format: str, top_n: int, lang: str) -> VocRun:
    """Set the report language, check every parameter, load the comments and resolve the period on their dates."""
    language = i18n.set_language(lang)
    settings = check_parameters(
        account=account, period_type=period_type, period=period, data_dir=data_dir, sources=sources,
        brand_user_ids=brand_user_ids, user_terms=user_terms, stop_words=stop_words,
        sentiment_method=sentiment_method, n_themes=n_themes,
        spam_min_users=spam_min_users, alert_threshold=alert_threshold, crisis_keywords=crisis_keywords,
        sop_risk_id=sop_risk_id, topic_pillar=topic_pillar, topic_format=topic_format, top_n=top_n, lang=lang)
    folder = settings.data_dir
    present = [t for t in OPTIONAL_VOC_TABLES if find_table_file(t, folder) is not None]
    with warnings.catch_warnings():  # optional columns an export lacks are shown as missing, not warned
        warnings.simplefilter("ignore", DataWarning)
        tables = load_tables([*VOC_TABLES, *present], folder)
    chosen = _chosen_comments(tables["comments"], settings)
    _check_has_comments(chosen, settings)
    resolved = resolve_period(period_type, str(period), chosen["created_at"].dt.normalize())
    previous = trailing_periods(resolved, 2)[0]
    upto = chosen[chosen["created_at"] < resolved.end + pd.Timedelta(days=1)].reset_index(drop=True)
    return VocRun(period=resolved, previous=previous, settings=settings, lang=language, tables=tables,
                  comments=upto)


def in_period(comments: pd.DataFrame, period: ReviewPeriod, column: str = "created_at") -> pd.DataFrame:
    """The rows of a comments frame whose time falls within the period (both end days included)."""
    day = comments[column].dt.normalize()
    return comments[(day >= period.start) & (day <= period.end)].reset_index(drop=True)


def sources_of(values: Sequence[str]) -> list[str]:
    """The comment sources in the schema's order (for tables and widgets)."""
    return [s for s in COMMENT_SOURCES if s in set(values)]
