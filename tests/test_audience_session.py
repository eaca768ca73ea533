"""helpers.audience.session: parameters validated, window resolved, empty windows explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.audience import session
from helpers.errors import DataError, ParameterError

#: The notebook's defaults (its parameters cell), spelled out here because prepare has none of its own.
DEFAULTS = dict(account="own", as_of="latest", lookback_days=180, bot_rule="sigma", bot_k=3.0, n_clusters="auto",
                min_segment_size=50, monetary="purchase", cohort="month", lang="en")


def prepare(sample_dir: Path, **changes):
    return session.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), **changes})


def test_latest_is_the_last_day_with_interactions_and_the_window_is_inclusive(sample_dir: Path) -> None:
    run = prepare(sample_dir)
    raw = pd.read_csv(sample_dir / "interactions.csv", parse_dates=["occurred_at"])
    mine = raw[raw["account_id"].isin(run.account_ids)]
    assert run.as_of == mine["occurred_at"].max().normalize()
    # 180 days ending on as_of, both ends included: start = as_of − 179 days
    assert run.start == run.as_of - pd.Timedelta(days=179)
    events = run.window_events().to_pandas()
    expected = mine[(mine["occurred_at"] >= run.start) & (mine["occurred_at"] < run.as_of + pd.Timedelta(days=1))]
    assert len(events) == len(expected)
    assert events["occurred_at"].min() >= run.start
    assert set(events["account_id"]) <= set(run.account_ids)


def _parquet_copy(sample_dir: Path, folder: Path, interactions: pd.DataFrame | None = None) -> Path:
    for name in ("accounts", "audience", "posts"):
        shutil.copy(sample_dir / f"{name}.csv", folder / f"{name}.csv")
    frame = interactions if interactions is not None else pd.read_csv(sample_dir / "interactions.csv",
                                                                        parse_dates=["occurred_at"])
    frame.to_parquet(folder / "interactions.parquet", index=False)
    return folder


def test_parquet_interactions_are_read_in_place_with_the_same_window(sample_dir: Path, tmp_path: Path) -> None:
    from_csv = prepare(sample_dir)
    from_parquet = prepare(_parquet_copy(sample_dir, tmp_path))
    assert from_parquet.as_of == from_csv.as_of
    a = from_csv.window_events().to_pandas()
    b = from_parquet.window_events().to_pandas()
    assert len(a) == len(b)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


def test_bad_parquet_rows_are_named(sample_dir: Path, tmp_path: Path) -> None:
    raw = pd.read_csv(sample_dir / "interactions.csv", parse_dates=["occurred_at"]).head(100)
    raw.loc[4, "event"] = "poke"          # row 5 of the file
    raw.loc[9, "user_id"] = None          # row 10
    raw.loc[11, "account_id"] = "own_tiktok"
    with pytest.raises(DataError) as caught:
        prepare(_parquet_copy(sample_dir, tmp_path, raw))
    text = str(caught.value)
    assert "interactions.parquet" in text
    assert "column event: not one of" in text and "rows 5" in text
    assert "column user_id: missing value" in text and "rows 10" in text
    assert "unknown account" in text and "rows 12" in text


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"bot_rule": "median"}, ParameterError, "bot_rule='median'"),
    ({"bot_k": 0.1}, ParameterError, "bot_k=0.1 must be between 0.5 and 10.0"),
    ({"n_clusters": 1}, ParameterError, "n_clusters"),
    ({"n_clusters": 4.5}, ParameterError, "n_clusters=4.5 must be a whole number between 2 and 20"),
    ({"n_clusters": "many"}, ParameterError, "n_clusters='many'"),
    ({"lookback_days": 3}, ParameterError, "lookback_days=3 must be between 7 and 3650"),
    ({"lookback_days": 90.5}, ParameterError, "lookback_days=90.5 must be a whole number"),
    ({"min_segment_size": 0}, ParameterError, "min_segment_size=0"),
    ({"monetary": "revenue"}, ParameterError, "monetary='revenue' is not valid; use one of: purchase, engagement"),
    ({"cohort": "quarter"}, ParameterError, "cohort='quarter' is not valid; use one of: week, month"),
    ({"as_of": "31/10/2026"}, ParameterError, "as_of"),
    ({"as_of": "2020-01-01"}, DataError, "No interactions"),
    ({"account": ["own_douyin", "own_tiktok"]}, ParameterError, r"unknown account id\(s\) \['own_tiktok'\]"),
])
def test_bad_parameters_are_explained(sample_dir: Path, change: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        prepare(sample_dir, **change)


def test_a_parameter_is_checked_before_any_data_is_read(tmp_path: Path) -> None:
    # the folder does not exist: a bad monetary is still reported as the parameter problem it is
    with pytest.raises(ParameterError, match="monetary"):
        session.prepare(**{**DEFAULTS, "data_dir": str(tmp_path / "nowhere"), "monetary": "sales"})


def test_account_is_own_or_a_list_of_ids_and_the_old_text_form_is_refused(sample_dir: Path) -> None:
    assert prepare(sample_dir, account=["own_xhs", "own_douyin"]).account_ids == ("own_xhs", "own_douyin")
    assert prepare(sample_dir, account="own_weibo").account_ids == ("own_weibo",)  # one id needs no list
    with pytest.raises(ParameterError) as caught:
        prepare(sample_dir, account="own_douyin,own_xhs")
    text = str(caught.value)
    assert "old text form" in text and "-p account '[own_douyin, own_weibo]'" in text


def test_the_run_holds_the_checked_values(sample_dir: Path) -> None:
    run = prepare(sample_dir, lookback_days=90.0, min_segment_size="20", n_clusters=4.0, bot_k="2.5",
                  bot_rule="iqr", monetary="engagement", cohort="week", as_of="2026-10-31")
    assert (run.lookback_days, run.min_segment_size, run.n_clusters, run.bot_k) == (90, 20, 4, 2.5)
    assert all(isinstance(v, int) for v in (run.lookback_days, run.min_segment_size, run.n_clusters))
    assert (run.bot_rule, run.monetary, run.cohort) == ("iqr", "engagement", "week")
    # 90 days ending on 2026-10-31, both included: start = 31 Oct − 89 days (1 Oct = −30, 31 Aug = −61, 3 Aug = −89)
    assert run.start == pd.Timestamp("2026-08-03") and run.label == "2026-10-31"
    assert run.end == pd.Timestamp("2026-11-01")
    assert prepare(sample_dir, n_clusters=" auto ").n_clusters == "auto"


def test_prepare_takes_keywords_only_and_has_no_defaults() -> None:
    import inspect

    parameters = inspect.signature(session.prepare).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty for p in parameters)
    with pytest.raises(TypeError):
        session.prepare("own")  # type: ignore[misc]


def test_lang_is_set_first_and_kept_on_the_run(sample_dir: Path) -> None:
    from helpers import i18n

    run = prepare(sample_dir, lang="zh-CN")
    assert run.lang == "zh-CN" and i18n.current_language() == "zh-CN"
    # the sample's own accounts by name (accounts.name), in account_ids order
    assert run.account_ids[:2] == ("own_douyin", "own_xhs")
    assert run.account_names[:2] == ("青柠生活·抖音", "青柠生活·小红书")
    with pytest.raises(ParameterError, match="lang must be one of zh-CN, en; got 'fr'"):
        prepare(sample_dir, lang="fr")
