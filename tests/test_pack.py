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
    index = tmp_path / "packs" / "2026-10" / "index.html"
    assert f"Pack: {index}" in done.stdout
    record = json.loads((index.parent / "pack.json").read_text(encoding="utf-8"))
    assert [(r["notebook"], r["status"], r["window"]) for r in record["runs"]] == [
        ("period_review", "ok", "2026-10"), ("content_planning", "ok", "2026-11")]
    html = index.read_text(encoding="utf-8")
    assert '<a href="../../period_review/2026-10/report.html">Monthly review' in html


def _results(tmp_path: Path) -> list[pack.PackResult]:
    review = tmp_path / "out" / "period_review" / "2026-10"
    review.mkdir(parents=True, exist_ok=True)
    (review / "summary.json").write_text(json.dumps({"title": "月度复盘 · 青柠生活 · 2026年10月", "label": "2026-10"}),
                                         encoding="utf-8")
    return [pack.PackResult(pack.PackRun("period_review", {"period": "2026-10"}, "2026-10"), review),
            pack.PackResult(pack.PackRun("experiment_evaluation", {"experiment_id": "EXP-X"}, "EXP-X"), None,
                            "Run failed in cell 7: <ValueError> boom")]


def test_pack_json_lists_every_run_with_its_status_and_relative_report(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "packs" / "2026-10"
    pack.write_pack(pack.parse_pack_period("2026-10"), _results(tmp_path), folder, "en")
    record = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
    assert (record["period"], record["start"], record["end"], record["failed"]) == ("2026-10", "2026-10-01",
                                                                                    "2026-10-31", 1)
    assert [(r["notebook"], r["status"], r["report"]) for r in record["runs"]] == [
        ("period_review", "ok", "../../period_review/2026-10/report.html"),
        ("experiment_evaluation", "failed", None)]
    assert record["runs"][1]["message"] == "Run failed in cell 7: <ValueError> boom"
    assert not list(folder.glob(".*.tmp"))


def test_pack_index_in_both_languages_escapes_messages(tmp_path: Path) -> None:
    # and keeps its style intact: the CSS's quoted font names are not HTML-escaped
    folder = tmp_path / "out" / "packs" / "2026-10"
    period = pack.parse_pack_period("2026-10")
    en = pack.write_pack(period, _results(tmp_path), folder, "en").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and "<title>Reports of Oct 2026</title>" in en
    assert "2 runs, 1 failed" in en and "Period review" in en and "● published" in en and "▲ run failed" in en
    assert '<a href="../../period_review/2026-10/report.html">月度复盘 · 青柠生活 · 2026年10月</a>' in en
    assert "&lt;ValueError&gt; boom" in en and "<ValueError>" not in en
    assert '"PingFang SC"' in en and "&#34;PingFang" not in en
    zh = pack.write_pack(period, _results(tmp_path), folder, "zh-CN").read_text(encoding="utf-8")
    assert "<title>2026年10月 报告</title>" in zh and "共 2 份，失败 1 份" in zh
    assert "A/B 测试评估" in zh and "▲ 运行失败" in zh
