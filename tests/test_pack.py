"""A period's pack: what the period means for each notebook, checked before any kernel starts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli_run import opsbook
from helpers import config, pack
from helpers.cli import main
from helpers.errors import ParameterError


def test_october_means_its_own_window_for_each_notebook(sample_dir: Path) -> None:
    period = pack.parse_pack_period("2026-10")
    runs = pack.pack_runs(period, sample_dir, config.NOTEBOOK_NAMES)
    assert [(r.notebook, r.parameters) for r in runs] == [
        ("period_review", {"period_type": "month", "period": "2026-10"}),
        ("audience_profiling", {"as_of": "2026-10-31"}),                       # the period's last day
        ("competitor_analysis", {"period": "2026-05-01..2026-10-31"}),         # 6 months ending with October
        ("content_planning", {"plan_month": "2026-11"}),                       # the month after
        # sample experiments: TITLE-01 ran 09-01..09-28 (not in October), COVER-02 10-05..10-25, CTA-03 10-01..10-14
        ("experiment_evaluation", {"experiment_id": "EXP-COVER-02"}),
        ("experiment_evaluation", {"experiment_id": "EXP-CTA-03"}),
    ]


def test_a_quarter_and_a_week_map_the_same_way(sample_dir: Path) -> None:
    runs = pack.pack_runs(pack.parse_pack_period("2026-Q3"), sample_dir, config.NOTEBOOK_NAMES)
    assert runs[0].parameters == {"period_type": "quarter", "period": "2026-Q3"}
    assert runs[1].parameters == {"as_of": "2026-09-30"}
    assert runs[2].parameters == {"period": "2026-04-01..2026-09-30"}
    assert runs[3].parameters == {"plan_month": "2026-10"}
    assert [r.parameters for r in runs[4:]] == [{"experiment_id": "EXP-TITLE-01"}]
    week = pack.parse_pack_period("2026-W40")  # Mon 2026-09-28 .. Sun 2026-10-04: TITLE-01 ends on its first day
    assert (week.start, week.end) == (pd.Timestamp("2026-09-28"), pd.Timestamp("2026-10-04"))
    assert pack.experiments_in(week, sample_dir) == ["EXP-TITLE-01", "EXP-CTA-03"]


def test_latest_is_the_last_complete_month_of_the_data(sample_dir: Path) -> None:
    last_day = pd.read_csv(sample_dir / "account_daily.csv", usecols=["date"])["date"].max()
    assert last_day.startswith("2026-11")  # data runs into November, so October is the last complete month
    assert pack.resolve_pack_period("latest", sample_dir).label == "2026-10"


@pytest.mark.parametrize("label", ["2026-13", "October", "2026-Q5", ""])
def test_a_bad_period_is_named(label: str) -> None:
    with pytest.raises(ParameterError, match="is not a period: give a month"):
        pack.parse_pack_period(label)


def test_bad_pack_input_exits_2_before_any_kernel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run-all", "--period", "2026-13", "--out", str(tmp_path), "--quiet"]) == 2
    assert "--period '2026-13' is not a period" in capsys.readouterr().err
    assert main(["run-all", "--period", "2026-10", "--data", str(tmp_path / "nope"), "--quiet"]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["run", "period_review", "--data", str(tmp_path / "nope"), "--out", str(tmp_path), "--quiet"]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["run-all", "--notebooks", "period_reveiw", "--quiet"]) == 2
    assert "--notebooks: unknown period_reveiw" in capsys.readouterr().err
    assert not list(tmp_path.rglob(".running-*"))  # nothing left behind


@pytest.mark.slow
def test_run_all_with_a_period_publishes_one_coherent_pack(sample_dir: Path, tmp_path: Path) -> None:
    done = opsbook("run-all", "--period", "2026-10", "--notebooks", "period_review,content_planning",
                   "--lang", "en", "--out", str(tmp_path), "--quiet")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Pack 2026-10 (2026-10-01 – 2026-10-31): 2 runs" in done.stdout
    review = json.loads((tmp_path / "period_review" / "2026-10" / "summary.json").read_text(encoding="utf-8"))
    plan = json.loads((tmp_path / "content_planning" / "2026-11" / "summary.json").read_text(encoding="utf-8"))
    assert review["params"]["period"] == "2026-10" and plan["params"]["plan_month"] == "2026-11"
    assert review["lang"] == plan["lang"] == "en"
