"""End-to-end: `opsbook run experiment_evaluation` on the sample's planted experiments."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

import report_checks
from cli_run import opsbook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow


def opsbook_run(experiment_id: str, out: Path, *pairs: tuple[str, str]) -> subprocess.CompletedProcess[str]:
    """`opsbook run experiment_evaluation -p experiment_id <id> [-p name value ...]`."""
    options = [part for name, value in pairs for part in ("-p", name, value)]
    return opsbook("run", "experiment_evaluation", "-p", "experiment_id", experiment_id, *options, "--out", str(out),
                   "--quiet")


def run(experiment_id: str, out: Path, *pairs: tuple[str, str]) -> Path:
    """Run the notebook through the CLI and return its run folder."""
    result = opsbook_run(experiment_id, out, *pairs)
    assert result.returncode == 0, result.stderr[-4000:]
    return out / "experiment_evaluation" / experiment_id


def test_summary_of_the_lift_experiment(reports: dict[str, Path]) -> None:
    folder = reports["zh-CN"]  # the default language: only experiment_id was set
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["experiment"]["experiment_id"] == PLANTED.experiment_with_lift
    assert set(summary["srm"]) >= {"chi2", "p_value", "passed"} and summary["srm"]["passed"]
    row = next(r for r in summary["results"] if r["metric"] == "conversions" and r["variant"] == "B")
    for key in ("metric", "kind", "control", "variant", "control_value", "variant_value", "abs_diff", "abs_ci",
                "rel_diff", "rel_ci", "p_value", "p_value_adjusted", "test", "power", "mde",
                "prob_beat_control", "expected_loss", "significant"):
        assert key in row, key
    assert row["significant"] and row["abs_diff"] > 0 and row["abs_ci"][0] > 0
    assert [d["verdict"] for d in summary["decision"]] == ["ship"]
    assert (folder / "report.html").stat().st_size > 0 and (folder / "figures" / "forest.png").exists()
    # the runner records every parameter, including those the notebook once left out
    params = summary["params"]
    assert params["experiment_id"] == PLANTED.experiment_with_lift and summary["params_set"] == ["experiment_id"]
    assert (params["mde"], params["lower_is_better"], params["time_column"], params["data_dir"]) == (
        "", [], "assigned_at", "")
    assert params["segments"] == ["platform", "device", "is_new"] and params["primary"] == []
    assert summary["tables"] == ["tables/srm.csv", "tables/results.csv", "tables/segments.csv",
                                 "tables/cumulative_B.csv", "tables/decisions.csv"]
    # a relative interval never falls below −100 % (log-ratio interval)
    assert all(r["rel_ci"][0] > -1 for r in summary["results"] if r["rel_ci"][0] is not None)


def test_srm_experiment_is_reported_invalid(sample_dir: Path, tmp_path: Path) -> None:
    folder = run(PLANTED.experiment_with_srm, tmp_path)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["srm"]["passed"] is False
    assert [d["verdict"] for d in summary["decision"]] == ["invalid"]


def test_lists_from_the_command_line(sample_dir: Path, tmp_path: Path) -> None:
    folder = run(PLANTED.experiment_without_lift, tmp_path, ("primary", "[conversions]"),
                 ("guardrails", "[revenue]"), ("segments", "[device]"), ("mde", "0.02"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["params"]["segments"] == ["device"] and summary["params"]["mde"] == "0.02"
    assert {r["segment"] for r in summary["segments"]} == {"device"}
    assert {r["metric"]: r["role"] for r in summary["results"]} == {
        "conversions": "primary", "clicks": "secondary", "revenue": "guardrail"}
    # no lift planted: neither B nor C ships
    assert [d["variant"] for d in summary["decision"]] == ["B", "C"]
    assert "ship" not in {d["verdict"] for d in summary["decision"]}
    # the old text form ('platform,device') is refused in session.prepare: tests/test_experiments_session.py


def test_a_totals_export_alone_runs_the_notebook(sample_dir: Path, tmp_path: Path) -> None:
    """Issue 17: an experiment with its row in experiments, no unit rows, and two totals rows per variant."""
    import shutil

    import pandas as pd
    from scipy import stats as sps

    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    (data / "experiment_units.csv").unlink()  # a folder of totals: no unit rows at all
    experiments = pd.read_csv(data / "experiments.csv", dtype=str)
    row = experiments.iloc[[0]].assign(experiment_id="EXP-TOTALS-09")
    pd.concat([experiments, row]).to_csv(data / "experiments.csv", index=False)
    totals = tmp_path / "totals.csv"
    pd.DataFrame({"variant": ["A", "B", "A", "B"], "platform": ["douyin", "douyin", "weibo", "weibo"],
                  "units": [6000, 6100, 4000, 4150], "conversions_sum": [240, 300, 160, 190],
                  "revenue_sum": [30000.0, -3000.0, 20000.0, 21000.0],  # refunds: a negative sum is fine
                  "revenue_sum_sq": [9.0e6, 1.0e7, 6.0e6, 6.5e6]}).to_csv(totals, index=False)
    folder = run("EXP-TOTALS-09", tmp_path / "out", ("data_dir", str(data)), ("aggregates_file", str(totals)),
                 ("metrics", "{conversions: 'binary:conversions', revenue: 'mean:revenue'}"), ("covariate", ""),
                 ("lang", "en"))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    # summed by hand: A 10,000 units / 400 conversions, B 10,250 / 490
    assert summary["srm"]["p_value"] == pytest.approx(sps.chisquare([10_000, 10_250]).pvalue)
    conversions = next(r for r in summary["results"] if r["metric"] == "conversions")
    assert (conversions["n_control"], conversions["n_variant"]) == (10_000, 10_250)
    assert conversions["abs_diff"] == pytest.approx(490 / 10_250 - 400 / 10_000)
    assert 0 < conversions["rel_p_value"] < 1 and [d["metric"] for d in summary["decision"]] == ["conversions"]


# ---------------------------------------------------------------- the report page in both languages



@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> dict[str, Path]:
    """The lift experiment's run folder in each language (one notebook run per language)."""
    folders = {}
    for lang in ("zh-CN", "en"):
        out = tmp_path_factory.mktemp(f"experiments-{lang}")
        pairs = (("lang", "en"),) if lang == "en" else ()  # zh-CN is the default
        folders[lang] = run(PLANTED.experiment_with_lift, out, *pairs)
    return folders


# the verdict of the lift experiment, computed by hand from the sample (A 802/20,015, B 971/19,974):
# 802/20,015 = 4.007%, 971/19,974 = 4.861%, +0.854 pp, 4.861/4.007 − 1 = +21.3%; the Wald interval
# 0.00854 ± 1.96·√(0.04007·0.95993/20,015 + 0.04861·0.95139/19,974) = 0.00854 ± 0.00403 → +0.45 to +1.26 pp
VERDICT = {"zh-CN": "上线 B：转化率 4.01% → 4.86%，+0.85 个百分点（+21.3%），95% 置信区间 +0.45 至 +1.26 个百分点",
           "en": "Ship B: conversion rate 4.01% → 4.86%, +0.85 pp (+21.3%), 95% CI +0.45 to +1.26 pp."}
TITLE = {"zh-CN": "A/B 测试评估 · EXP-TITLE-01", "en": "Experiment evaluation · EXP-TITLE-01"}
PERIOD = {"zh-CN": "2026年9月1日至2026年9月28日", "en": "Sep 1, 2026 – Sep 28, 2026"}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_report_reads_in_its_language_with_the_verdict_first(reports: dict[str, Path], sample_dir: Path,
                                                             lang: str) -> None:
    folder = reports[lang]
    html = (folder / "report.html").read_text(encoding="utf-8")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["lang"] == lang and summary["decision"][0]["verdict"] == "ship"  # machine keys stay English
    assert report_checks.untranslated_text(html, lang, report_checks.data_text(sample_dir)) == []
    assert f'<html lang="{lang}"' in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)  # type: ignore[union-attr]
    assert title.startswith(TITLE[lang]) and title.endswith(PERIOD[lang]) and title == summary["title"]
    # the summary comes before the first section, and its verdict is the computed one
    assert html.index("ops-summary") < html.index('id="srm"')
    assert VERDICT[lang] in html
    # numbers a person reads: no scientific notation, no 100.00%, no True/False, rates in points
    text = " ".join(report_checks.visible_text(html))
    assert not re.search(r"\d(?:\.\d+)?e[-+]\d", text) and "100.00%" not in text
    assert "True" not in text and "False" not in text
    assert (">99.9%" in text) and ("p < 0.001" in text)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_report_fits_the_page_in_the_browser(reports: dict[str, Path], tmp_path: Path, lang: str) -> None:
    shot = tmp_path / f"experiment_evaluation-{lang}.png"
    check = report_checks.check_page_in_browser(reports[lang] / "report.html", shot)
    assert check.overflowing == [] and check.summary_top < 900
    assert check.lang == lang and check.title.startswith(TITLE[lang])
