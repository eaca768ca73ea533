"""helpers.audience.session: parameters validated, window resolved, empty windows explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.audience.session import prepare_audience
from helpers.errors import DataError, ParameterError


def prepare(sample_dir: Path, **changes):
    params = dict(account="own", as_of="latest", lookback_days=180, data_dir=str(sample_dir), bot_rule="sigma",
                  bot_k=3.0, n_clusters="auto", min_segment_size=50)
    params.update(changes)
    return prepare_audience(**params)


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
    ({"n_clusters": 1}, ParameterError, "n_clusters"),
    ({"as_of": "31/10/2026"}, ParameterError, "as_of"),
    ({"as_of": "2020-01-01"}, DataError, "No interactions"),
])
def test_bad_parameters_are_explained(sample_dir: Path, change: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        prepare(sample_dir, **change)
