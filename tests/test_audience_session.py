"""helpers.audience.session: parameters validated, window resolved, empty windows explained."""

from __future__ import annotations

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
    events = run.table("interactions")
    assert run.as_of == events["occurred_at"].max().normalize()
    # 180 days ending on as_of, both ends included: start = as_of − 179 days
    assert run.start == run.as_of - pd.Timedelta(days=179)
    assert events["occurred_at"].min() >= run.start
    assert set(events["account_id"]) <= set(run.account_ids)


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"bot_rule": "median"}, ParameterError, "bot_rule='median'"),
    ({"n_clusters": 1}, ParameterError, "n_clusters"),
    ({"as_of": "31/10/2026"}, ParameterError, "as_of"),
    ({"as_of": "2020-01-01"}, DataError, "No interactions"),
])
def test_bad_parameters_are_explained(sample_dir: Path, change: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        prepare(sample_dir, **change)
