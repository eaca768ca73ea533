"""The audience notebook on bad input: each case stops with a clear message naming what to fix, never a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from cli_run import opsbook
from helpers import config, runner
from helpers.audience import session
from helpers.errors import OpsbookError

pytestmark = pytest.mark.slow

TABLES = ("accounts", "audience", "interactions", "posts")


def _copy(sample_dir: Path, folder: Path) -> dict[str, pd.DataFrame]:
    folder.mkdir()
    return {t: pd.read_csv(sample_dir / f"{t}.csv", dtype=str, keep_default_na=False) for t in TABLES}


def _write(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)


def _one_user(t: dict[str, pd.DataFrame]) -> None:
    first = t["audience"]["user_id"].iloc[0]
    t["audience"] = t["audience"][t["audience"]["user_id"] == first]
    t["interactions"] = t["interactions"][t["interactions"]["user_id"] == first]


def _no_purchase_values(t: dict[str, pd.DataFrame]) -> None:
    t["interactions"] = t["interactions"].assign(value="")


def _unknown_timezone(t: dict[str, pd.DataFrame]) -> None:
    t["accounts"].loc[t["accounts"]["account_id"] == "own_douyin", "timezone"] = "Asia/Beijing"


def _nothing_in_window(t: dict[str, pd.DataFrame]) -> None:
    pass  # the data is fine; the parameters ask for a window before any interaction


#: Cases that stop in a later cell, run through `opsbook run` as a scheduler would (exit 2: bad data; no report).
CASES: dict[str, tuple[Callable[[dict[str, pd.DataFrame]], None], list[str], list[str]]] = {
    "one user": (_one_user, [], ["fewer than 2 users"]),
    "all purchase values missing": (_no_purchase_values, [],
                                    ["purchase value(s) in the window are missing", "monetary='engagement'"]),
}
#: Cases that stop in session.prepare, the notebook's first call: checked in process (the same message).
PREPARE_CASES: dict[str, tuple[Callable[[dict[str, pd.DataFrame]], None], dict[str, object], list[str]]] = {
    "unknown timezone": (_unknown_timezone, {}, ["unknown time zone", "own_douyin: Asia/Beijing"]),
    "no interactions in the window": (_nothing_in_window, {"as_of": "2020-01-31"},
                                      ["No interactions", "2019-08-05", "2020-01-31"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_stops_with_a_clear_message(case: str, sample_dir: Path, tmp_path: Path) -> None:
    change, params, expected = CASES[case]
    tables = _copy(sample_dir, tmp_path / "data")
    change(tables)
    _write(tmp_path / "data", tables)
    result = opsbook("run", "audience_profiling", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                     "--quiet", *params)
    assert result.returncode == 2, result.stderr[-2000:]  # the notebook refused bad data: exit 2
    for text in expected:
        assert text in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert not list((tmp_path / "out" / "audience_profiling").glob("20*"))  # no report published


def test_engagement_monetary_runs_when_purchase_values_are_missing(sample_dir: Path, tmp_path: Path) -> None:
    tables = _copy(sample_dir, tmp_path / "data")
    _no_purchase_values(tables)
    _write(tmp_path / "data", tables)
    result = opsbook("run", "audience_profiling", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
                     "--quiet", "-p", "monetary", "engagement")
    assert result.returncode == 0, result.stderr[-2000:]
    shutil.rmtree(tmp_path / "data")


@pytest.mark.parametrize("case", list(PREPARE_CASES))
def test_bad_input_stops_in_prepare_with_a_clear_message(case: str, sample_dir: Path, tmp_path: Path) -> None:
    change, overrides, expected = PREPARE_CASES[case]
    tables = _copy(sample_dir, tmp_path / "data")
    change(tables)
    _write(tmp_path / "data", tables)
    defaults = runner.default_values(config.NOTEBOOKS / "audience_profiling.ipynb")
    parameters = {k: v for k, v in defaults.items() if k != "output_dir"}
    with pytest.raises(OpsbookError) as caught:
        session.prepare(**{**parameters, "data_dir": str(tmp_path / "data"), **overrides})
    for text in expected:
        assert text in str(caught.value)
