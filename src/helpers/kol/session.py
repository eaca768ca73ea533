"""KOL vetting set-up: check every notebook parameter and load the KOL tables the screens are built on.

The notebook's `parameters` cell holds the defaults (papermill overrides them); `check_parameters`
checks each value before any big table is read (the runner calls it before a kernel starts) and
`prepare` loads the KOL tables (kols and kol_posts are required; kol_daily, kol_audience and
kol_followers are used when the folder has them), the brand's own audience, ad_daily and the
touchpoint journeys, keeps the chosen platforms and categories, resolves ``as_of`` (``latest`` = the
last day with a KOL post) and returns a `KolRun`.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import i18n
from helpers.data import DataWarning, check_files, find_table_file, load_checked_tables, load_tables
from helpers.errors import DataError, ParameterError
from helpers.kol.after import CREDIT_MODELS
from helpers.kol.fit import DIMENSIONS
from helpers.params import check_choice, check_day, check_mapping, check_number, check_optional_list, check_whole
from helpers.schema import PLATFORMS

__all__ = [
    "KOL_TABLES",
    "OPTIONAL_KOL_TABLES",
    "SCORE_PARTS",
    "KolParameters",
    "KolRun",
    "check_parameters",
    "prepare",
]

KOL_TABLES: tuple[str, ...] = ("accounts", "kols", "kol_posts")
#: Read when the data folder has them: KOL history and audience, the brand's audience, ads and journeys.
OPTIONAL_KOL_TABLES: tuple[str, ...] = ("kol_daily", "kol_audience", "kol_followers", "audience", "ad_daily",
                                        "touchpoints", "conversions")
#: The parts of the shortlist score.
SCORE_PARTS: tuple[str, ...] = ("fit", "interaction", "authenticity", "cost")
_LATEST = "latest"


@dataclass(frozen=True)
class KolParameters:
    """The checked values of every parameter that needs no big table."""

    data_dir: Path
    platforms: tuple[str, ...]
    categories: tuple[str, ...]
    brand_accounts: tuple[str, ...]
    as_of: pd.Timestamp | None  # None = latest
    recent_days: int
    fake_threshold: float
    interaction_threshold: float
    min_fit: float
    fit_weights: dict[str, float]
    feed_channels: dict[str, str]
    cpa_ratio_max: float
    score_weights: dict[str, float]
    attribution_model: str
    rebook_roi: float


@dataclass(frozen=True)
class KolRun:
    """Checked parameters, the resolved as-of day and the KOL tables of the chosen platforms and categories."""

    settings: KolParameters
    as_of: pd.Timestamp
    lang: str
    tables: dict[str, pd.DataFrame] = field(repr=False)
    kols: pd.DataFrame = field(repr=False)

    @property
    def kol_ids(self) -> tuple[str, ...]:
        """The KOLs screened."""
        return tuple(self.kols["kol_id"])

    def kol_table(self, name: str) -> pd.DataFrame | None:
        """A KOL table (kol_posts, kol_daily, kol_audience, kol_followers) cut to the screened KOLs and, for the
        dated ones, to what was known on as_of; None when the folder lacks it."""
        frame = self.tables.get(name)
        if frame is None:
            return None
        keep = frame["kol_id"].isin(self.kol_ids)
        for column in ("published_at", "date"):
            if column in frame:
                keep &= frame[column] < self.as_of + pd.Timedelta(days=1)
        return frame[keep].reset_index(drop=True)

    @property
    def posts(self) -> pd.DataFrame:
        """The screened KOLs' posts published up to as_of."""
        posts = self.kol_table("kol_posts")
        assert posts is not None  # a required table
        return posts

    @property
    def names(self) -> dict[str, str]:
        """KOL id → display name."""
        return dict(zip(self.kols["kol_id"], self.kols["name"], strict=True))

    @property
    def brand_audience(self) -> pd.DataFrame | None:
        """The brand's followers on the accounts whose audience is the target, or None without audience.csv."""
        audience = self.tables.get("audience")
        if audience is None:
            return None
        return audience[audience["account_id"].isin(self.settings.brand_accounts)].reset_index(drop=True)


def _check_weight(name: str, value: Any) -> float:
    """A weight ≥ 0."""
    return check_number(name, value, 0.0, 100.0)


def _check_weights(name: str, value: Any, allowed: tuple[str, ...], example: str) -> dict[str, float]:
    """A map of weights over known parts, not all zero."""
    weights = check_mapping(name, value, _check_weight, allowed_keys=allowed, example=example)
    if sum(weights.values()) <= 0:
        raise ParameterError(f"Parameter {name} has only zero weights; give at least one part a weight > 0, "
                             f"e.g. {example}.")
    return weights


def _check_channel(name: str, value: Any) -> str:
    """An ad channel name as ad_daily writes it."""
    text = str(value).strip()
    if not text:
        raise ParameterError(f"Parameter {name} is empty; give the ad_daily channel, e.g. douyin_feed.")
    return text


def _check_as_of(value: Any) -> pd.Timestamp | None:
    """latest or a day."""
    if str(value).strip().lower() == _LATEST:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value).strip()):
        raise ParameterError(f"Parameter as_of={value!r} is not valid; use a day like 2026-11-15 (the day the "
                             "screen is made) or latest (the last day with a KOL post in the data).")
    return check_day("as_of", value)


def _brand_accounts(accounts: pd.DataFrame, value: Any) -> tuple[str, ...]:
    """Own accounts whose followers are the brand's target audience ('own' = all of them)."""
    own = accounts.loc[accounts["owner"] == "own", "account_id"].astype(str)
    chosen = check_optional_list("brand_accounts", "" if value == "own" else value,
                                 example='["own_douyin", "own_xhs"]')
    if not chosen:
        if own.empty:
            raise ParameterError("brand_accounts='own' but the accounts table has no account with owner 'own'.")
        return tuple(own)
    unknown = [a for a in chosen if a not in set(own)]
    if unknown:
        raise ParameterError(f"Parameter brand_accounts: {unknown} are not own accounts; use some of "
                             f"{', '.join(own)} or own.")
    return chosen


def check_parameters(*, platforms: list[str], categories: list[str], brand_accounts: str | list[str], as_of: str,
                     recent_days: int, fake_threshold: float, interaction_threshold: float, min_fit: float,
                     fit_weights: dict[str, float], feed_channels: dict[str, str], cpa_ratio_max: float,
                     score_weights: dict[str, float], attribution_model: str, rebook_roi: float, data_dir: str,
                     lang: str) -> KolParameters:
    """Every check of prepare that needs no big table: values, the data folder and the brand's accounts."""
    i18n.resolve_language(lang)
    folder = check_files(KOL_TABLES, data_dir)
    accounts = load_checked_tables(["accounts"], folder)["accounts"]
    return KolParameters(
        data_dir=folder,
        platforms=check_optional_list("platforms", platforms, allowed=PLATFORMS, example='["xiaohongshu", "douyin"]'),
        categories=check_optional_list("categories", categories, example='["护肤", "美妆"]'),
        brand_accounts=_brand_accounts(accounts, brand_accounts), as_of=_check_as_of(as_of),
        recent_days=check_whole("recent_days", recent_days, 14, 730),
        fake_threshold=check_number("fake_threshold", fake_threshold, 0.01, 0.99),
        interaction_threshold=check_number("interaction_threshold", interaction_threshold, 0.0, 1.0),
        min_fit=check_number("min_fit", min_fit, 0.0, 1.0),
        fit_weights=_check_weights("fit_weights", fit_weights, DIMENSIONS, '{"gender": 0.3, "interests": 0.7}'),
        feed_channels=check_mapping("feed_channels", feed_channels, _check_channel, allowed_keys=PLATFORMS,
                                    example='{"douyin": "douyin_feed"}', allow_empty=True),
        cpa_ratio_max=check_number("cpa_ratio_max", cpa_ratio_max, 0.1, 10.0),
        score_weights=_check_weights("score_weights", score_weights, SCORE_PARTS,
                                     '{"fit": 0.3, "interaction": 0.3, "authenticity": 0.2, "cost": 0.2}'),
        attribution_model=check_choice("attribution_model", attribution_model, CREDIT_MODELS),
        rebook_roi=check_number("rebook_roi", rebook_roi, 0.0, 100.0))


def _screened(kols: pd.DataFrame, settings: KolParameters) -> pd.DataFrame:
    """The KOLs on the chosen platforms and in the chosen categories; DataError when none is left."""
    keep = pd.Series(True, index=kols.index)
    if settings.platforms:
        keep &= kols["platform"].isin(settings.platforms)
    if settings.categories:
        keep &= kols["category"].isin(settings.categories)
    if not keep.any():
        raise DataError(f"kols.csv in {settings.data_dir} has no KOL on platforms {list(settings.platforms) or 'all'} "
                        f"in categories {list(settings.categories) or 'all'}; widen the parameters platforms or "
                        "categories.")
    return kols[keep].reset_index(drop=True)


def _resolve_as_of(requested: pd.Timestamp | None, posts: pd.DataFrame, folder: Path) -> pd.Timestamp:
    """The screening day: latest = the last day with a KOL post; a given day must not precede every post."""
    if posts.empty:
        raise DataError(f"kol_posts.csv in {folder} has no post of the screened KOLs; a screen needs their recent "
                        "posts (import them, or widen platforms/categories).")
    first, last = posts["published_at"].min().normalize(), posts["published_at"].max().normalize()
    if requested is None:
        return pd.Timestamp(last)
    if requested < first:
        raise ParameterError(f"as_of={requested.date()} is before the first KOL post ({first.date()}); give a later "
                             "day or latest.")
    return requested


def prepare(*, platforms: list[str], categories: list[str], brand_accounts: str | list[str], as_of: str,
            recent_days: int, fake_threshold: float, interaction_threshold: float, min_fit: float,
            fit_weights: dict[str, float], feed_channels: dict[str, str], cpa_ratio_max: float,
            score_weights: dict[str, float], attribution_model: str, rebook_roi: float, data_dir: str,
            lang: str) -> KolRun:
    """Set the report language, check every parameter, load the tables and resolve the screening day."""
    language = i18n.set_language(lang)
    settings = check_parameters(
        platforms=platforms, categories=categories, brand_accounts=brand_accounts, as_of=as_of,
        recent_days=recent_days, fake_threshold=fake_threshold, interaction_threshold=interaction_threshold,
        min_fit=min_fit, fit_weights=fit_weights, feed_channels=feed_channels, cpa_ratio_max=cpa_ratio_max,
        score_weights=score_weights, attribution_model=attribution_model, rebook_roi=rebook_roi, data_dir=data_dir,
        lang=lang)
    folder = settings.data_dir
    present = [t for t in OPTIONAL_KOL_TABLES if find_table_file(t, folder) is not None]
    with warnings.catch_warnings():  # optional columns an export lacks are shown as missing, not warned
        warnings.simplefilter("ignore", DataWarning)
        tables = load_tables([*KOL_TABLES, *present], folder)
    kols = _screened(tables["kols"], settings)
    posts = tables["kol_posts"]
    resolved = _resolve_as_of(settings.as_of, posts[posts["kol_id"].isin(kols["kol_id"])], folder)
    return KolRun(settings=settings, as_of=resolved, lang=language, tables=tables, kols=kols)
