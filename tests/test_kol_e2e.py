"""End-to-end: `opsbook run kol_evaluation` on the sample finds the planted KOLs and explains each decision.

What the sample plants (helpers.sample.PLANTED) and what the screen must say:
- ``kol_fake_id`` bought followers (55 % empty profiles in a sample of 300): rejected on fake followers;
- ``kol_mismatch_id`` real and engaged, but an audience of men into 数码: rejected on audience fit;
- ``kol_real_mid_id`` real, engaged (8.5 %), the brand's audience, CPA 0.7× the feed: accepted;
- ``kol_expensive_id`` real, fitting, engaged, but priced at 2.5× the feed CPA: negotiated, with a
  break-even price under its quote;
- ``kol_borderline_id`` 18 of 60 sampled followers empty: borderline (the interval crosses 30 %);
- ``kol_overdelivered`` delivered twice its prediction: rebook; ``kol_underdelivered`` a fifth of it:
  not rebooked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import report_checks
from cli_run import run_notebook
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow


def run(out: Path, *pairs: tuple[str, str]) -> Path:
    """Run the notebook through the CLI and return its run folder."""
    return run_notebook(out, "kol_evaluation", *pairs)


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """The default screen, in English."""
    return run(tmp_path_factory.mktemp("kol"), ("lang", "en"))


def _shortlist(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "tables" / "shortlist.csv", encoding="utf-8-sig").set_index("kol_id")


def test_the_planted_kols_get_their_decisions_for_the_planted_reasons(screen: Path) -> None:
    table = _shortlist(screen)
    assert screen.name == "2026-11-14"
    fake = table.loc[PLANTED.kol_fake_id]
    assert fake["decision"] == "reject" and fake["reasons"].split(";")[0] == "fake_above"
    assert fake["fake_basis"] == "follower sample" and fake["fake_share"] == pytest.approx(165 / 300)
    mismatch = table.loc[PLANTED.kol_mismatch_id]
    assert mismatch["decision"] == "reject" and mismatch["reasons"].split(";")[0] == "fit_below"
    assert "fake_above" not in mismatch["reasons"] and "rate_below" not in mismatch["reasons"]
    real = table.loc[PLANTED.kol_real_mid_id]
    assert real["decision"] == "accept" and real["reasons"] == "all_pass"
    dear = table.loc[PLANTED.kol_expensive_id]
    assert dear["decision"] == "negotiate" and dear["reasons"] == "cpa_above"
    assert dear["break_even_price"] < dear["price"]
    assert "fake_borderline" in table.loc[PLANTED.kol_borderline_id, "reasons"]


def test_the_bookings_are_judged_against_their_predictions(screen: Path) -> None:
    after = pd.read_csv(screen / "tables" / "after_campaign.csv", encoding="utf-8-sig").set_index("campaign")
    assert sorted(after.index) == sorted(PLANTED.kol_bookings)
    over, under = after.loc[PLANTED.kol_overdelivered], after.loc[PLANTED.kol_underdelivered]
    assert over["delivery"] == "above" and bool(over["rebook"]) and over["roi"] >= 3
    assert under["delivery"] == "below" and not bool(under["rebook"]) and under["roi"] < 1


def test_summary_json_holds_the_shortlist_every_kols_scores_and_the_decisions(screen: Path) -> None:
    summary = json.loads((screen / "summary.json").read_text(encoding="utf-8"))
    decisions = summary["decisions"]
    assert sorted(k for ids in decisions.values() for k in ids) == sorted(summary["kols"])
    assert PLANTED.kol_real_mid_id in decisions["accept"]
    assert {PLANTED.kol_fake_id, PLANTED.kol_mismatch_id} <= set(decisions["reject"])
    assert [r["kol_id"] for r in summary["shortlist"]] == decisions["accept"]
    scores = {r["kol_id"]: r for r in summary["scores"]}
    assert set(scores) == set(summary["kols"])
    assert {"score", "part_fit", "part_interaction", "part_authenticity", "part_cost", "rank_low",
            "rank_high", "reasons"} <= set(scores[PLANTED.kol_real_mid_id])
    assert summary["thresholds"]["fake_share"] == 0.30 and summary["params"]["fake_threshold"] == 0.30


def test_the_report_explains_each_decision_in_its_language(screen: Path, tmp_path: Path, sample_dir: Path) -> None:
    allowed = report_checks.data_text(sample_dir) | set(PLANTED.kol_bookings)
    english = (screen / "report.html").read_text(encoding="utf-8")
    assert report_checks.untranslated_text(english, "en", allowed | {"CPA", "CPE", "ROI"}) == []
    assert "fake followers 55.0% (49.2%–60.7%), above the 30.0% limit" in english
    assert "below 0.70: its followers are not the brand's" in english
    chinese = run(tmp_path, ("lang", "zh-CN"))
    page = (chinese / "report.html").read_text(encoding="utf-8")
    assert report_checks.untranslated_text(page, "zh-CN", allowed | {"CPA", "CPE", "ROI", "p10", "p90"}) == []
    assert "虚假粉丝 55.0%（49.2%–60.7%），超过 30.0% 上限" in page


def test_a_scheduler_can_screen_one_platform(tmp_path: Path) -> None:
    folder = run(tmp_path, ("platforms", "[douyin]"), ("lang", "en"))
    table = _shortlist(folder)
    assert set(table["platform"]) == {"douyin"} and PLANTED.kol_mismatch_id in table.index
