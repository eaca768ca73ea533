"""End-to-end: `opsbook run period_review` on the sample data, its failures, and the planted effects."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.cli import main
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow
OPSBOOK = [sys.executable, "-m", "helpers.cli"]


def opsbook(*args: str, env_out: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the opsbook CLI as a user would, capturing its output."""
    env = {**os.environ}
    if env_out is not None:
        env["OPSBOOK_OUTPUTS"] = str(env_out)
    return subprocess.run([*OPSBOOK, *args], capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="module")
def good_run(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One successful review of 2026-10 on the sample data (shared by the tests below)."""
    out = tmp_path_factory.mktemp("outputs")
    result = opsbook("run", "period_review", "--period", "2026-10", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr[-4000:]
    run_dir = out / "period_review" / "2026-10"
    assert f"Report: {run_dir / 'report.html'}" in result.stdout
    return run_dir


def test_run_publishes_every_artefact(good_run: Path) -> None:
    for name in ("report.html", "notebook.ipynb", "summary.json"):
        assert (good_run / name).stat().st_size > 0, name
    tables = {p.stem for p in (good_run / "tables").glob("*.csv")}
    assert {"scorecard", "alerts", "attribution", "ads_campaigns", "recommendations"} <= tables
    assert any((good_run / "figures").glob("*.png"))
    assert not list(good_run.parent.glob(".running-*")), "temporary folder left behind"
    assert not (good_run / "kernel.log").exists()  # the kernel's own log is kept with failed runs only


def test_summary_has_the_documented_keys(good_run: Path) -> None:
    summary = json.loads((good_run / "summary.json").read_text(encoding="utf-8"))
    for key in ("params", "period", "kpis", "alerts", "attribution", "stop_loss_campaigns", "top_risks",
                "recommendations"):
        assert key in summary, key
    assert summary["period"]["label"] == "2026-10"
    kpi = summary["kpis"]["total"]["net_follower_change"]
    assert set(kpi) >= {"actual", "target", "attainment", "previous", "change_pct", "yoy_pct", "status"}
    assert set(summary["attribution"]) == {"model_conventions", "reconciliation", "first_touch", "last_touch",
                                           "linear", "markov", "shapley"}
    conventions = summary["attribution"]["model_conventions"]
    assert conventions == {"markov_value": "share", "repeat_conversions": "each counted"}
    assert summary["params"]["markov_value"] == "share"


def test_planted_effects_are_found(good_run: Path) -> None:
    summary = json.loads((good_run / "summary.json").read_text(encoding="utf-8"))
    account, kpi, _period, attainment = PLANTED.missed_kpi
    missed = summary["kpis"][account][kpi]
    assert missed["status"] == "at risk" and missed["attainment"] == pytest.approx(attainment, abs=0.1)
    assert [c["campaign_id"] for c in summary["stop_loss_campaigns"]] == [PLANTED.stop_loss_campaign]
    assert [c["creative_id"] for c in summary["low_ctr_creatives"]] == [PLANTED.low_ctr_creative]
    bot_account, bot_day = PLANTED.bot_spike_day
    assert {(r["account_id"], r["date"][:10]) for r in summary["bot_traffic"]} == {(bot_account, bot_day)}
    anomaly_account, anomaly_day = PLANTED.anomaly_day
    alerts = summary["alerts"]
    assert any(a["account_id"] == anomaly_account and a["date"][:10] == anomaly_day and a["kpi"] == "impressions"
               and a["direction"] == "up" for a in alerts)
    # the bot day was removed before anomaly detection, so it does not alert on impressions
    assert not any(a["account_id"] == bot_account and a["date"][:10] == bot_day and a["kpi"] == "impressions"
                   for a in alerts)
    markov = summary["attribution"]["markov"][PLANTED.assist_channel]["conversions"]
    last = summary["attribution"]["last_touch"][PLANTED.assist_channel]["conversions"]
    assert markov >= 2 * last


def test_csv_opens_in_excel_and_html_escapes_data_text_and_hides_code(good_run: Path) -> None:
    raw = (good_run / "tables" / "top_posts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    html_text = (good_run / "report.html").read_text(encoding="utf-8")
    assert "import pandas" not in html_text and "session.prepare(" not in html_text  # no code in the report
    assert "<限定>" not in html_text
    shown = pd.concat([pd.read_csv(good_run / "tables" / f"{t}.csv", encoding="utf-8-sig")
                       for t in ("top_posts", "bottom_posts")])
    for title in shown["title"].dropna():
        assert html.escape(title, quote=False) in html_text, title


def test_failed_run_keeps_previous_report_and_names_the_cell(good_run: Path, tmp_path: Path) -> None:
    # the targets file exists (checked before the kernel) but names an unknown account: only the notebook,
    # reading it, finds that, so the run fails in a cell; a DataError is bad input: exit 2 as before the kernel
    targets = tmp_path / "targets.csv"
    targets.write_text("account_id,kpi,period,target\nnobody,revenue,2026-10,100\n", encoding="utf-8")
    before = (good_run / "summary.json").read_text(encoding="utf-8")
    out_root = good_run.parent.parent
    result = opsbook("run", "period_review", "--period", "2026-10", "--out", str(out_root), "--quiet",
                     "-p", "targets_source", str(targets))
    assert result.returncode == 2
    assert "Run failed in cell" in result.stderr
    assert f"DataError: {targets}, column 'account_id': unknown account(s) ['nobody']" in result.stderr
    assert "Traceback" not in result.stderr
    assert "IPKernelApp" not in result.stderr  # the kernel's own warnings go to kernel.log, not the log of cron
    assert (good_run / "summary.json").read_text(encoding="utf-8") == before
    failed = list((out_root / "period_review" / "_failed").glob("*/notebook.ipynb"))
    assert failed, "the failed notebook is kept"
    assert (failed[0].parent / "kernel.log").exists()


def test_bad_data_gives_a_clear_error(sample_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    daily = pd.read_csv(data / "account_daily.csv", dtype=str)
    daily.loc[5, "followers"] = "-12"
    daily.to_csv(data / "account_daily.csv", index=False)
    result = opsbook("run", "period_review", "--data", str(data), "--period", "2026-10", "--out",
                     str(tmp_path / "out"), "--quiet")
    assert result.returncode == 2  # refused by the notebook: bad data, as before the kernel
    assert "account_daily.csv, column 'followers': negative value" in result.stderr
    assert "line(s) 7" in result.stderr  # row index 5 → file line 7 (header is line 1)
    assert not (tmp_path / "out" / "period_review" / "2026-10").exists()


def test_unknown_parameter_is_rejected_before_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "period_review", "-p", "acount", "own", "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Unknown parameter(s) for period_review: acount" in err and "account" in err


def test_unknown_notebook_and_bad_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "no_such_notebook", "--out", str(tmp_path)]) == 2
    assert "No notebook named 'no_such_notebook'" in capsys.readouterr().err


def test_validate_command_on_the_sample(sample_dir: Path) -> None:
    result = opsbook("validate", "--data", str(sample_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 error(s)" in result.stdout or "all tables valid" in result.stdout
