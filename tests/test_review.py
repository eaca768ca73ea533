"""helpers.review.session: parameter validation with clear messages, account selection, targets source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.review import session as review
from helpers.errors import ParameterError

ACCOUNTS = pd.DataFrame({"account_id": ["own_a", "own_b", "comp"], "owner": ["own", "own", "competitor"]})


def test_own_selects_every_own_account() -> None:
    assert review.select_accounts(ACCOUNTS, "own") == ("own_a", "own_b")


def test_explicit_accounts_must_exist() -> None:
    assert review.select_accounts(ACCOUNTS, ["own_b", "comp"]) == ("own_b", "comp")
    assert review.select_accounts(ACCOUNTS, "own_b") == ("own_b",)
    with pytest.raises(ParameterError, match=r"old text form.*account = \[\"own_douyin\", \"own_weibo\"\]"):
        review.select_accounts(ACCOUNTS, "own_b, comp")
    with pytest.raises(ParameterError, match=r"unknown account id\(s\) \['nope'\]"):
        review.select_accounts(ACCOUNTS, "nope")


@pytest.mark.parametrize(("name", "value", "allowed"), [("period_type", "year", review.PERIOD_TYPES),
                                                       ("er_base", "likes", review.KPI_ER_BASES)])
def test_choices_name_the_parameter_and_the_options(name: str, value: str, allowed: tuple[str, ...]) -> None:
    with pytest.raises(ParameterError, match=f"Parameter {name}='{value}' is not valid; use one of: "):
        review.check_choice(name, value, allowed)


def test_numbers_are_range_checked() -> None:
    assert review.check_number("ctr_keep", "0.05", 0, 1) == 0.05
    with pytest.raises(ParameterError, match="between 0 and 1"):
        review.check_number("ctr_keep", 5, 0, 1)
    with pytest.raises(ParameterError, match="must be a number"):
        review.check_number("ctr_keep", "five", 0, 1)


def test_targets_none_and_missing_file(tmp_path: Path) -> None:
    targets, note = review.load_targets("none", tmp_path, {"own_a"})
    assert targets.empty and "No targets" in note
    with pytest.raises(ParameterError, match="file not found"):
        review.load_targets(str(tmp_path / "t.csv"), tmp_path, {"own_a"})


def test_targets_from_csv_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("account_id,kpi,period,target\nown_a,revenue,2026-10,100\n", encoding="utf-8")
    targets, note = review.load_targets(str(path), tmp_path, {"own_a"})
    assert targets.loc[0, "target"] == 100.0 and note == "Targets: t.csv."
    path.write_text("account_id,kpi,period,target\nown_a,revenue,Oct 2026,100\n", encoding="utf-8")
    with pytest.raises(Exception, match="period must look like 2026-10"):
        review.load_targets(str(path), tmp_path, {"own_a"})


def test_setup_on_sample_resolves_latest_to_last_complete_month(sample_dir: Path) -> None:
    setup = review.setup_review("own", "month", "latest", str(sample_dir), "impressions", "stl", 3.5, 3.0, 0.05, "data")
    # the sample data ends on 2026-11-15, so the last complete month is October 2026
    assert setup.period.label == "2026-10"
    assert str(setup.period.start.date()) == "2026-10-01" and str(setup.period.end.date()) == "2026-10-31"
    assert set(setup.accounts["account_id"]) == {"own_douyin", "own_xhs", "own_wechat", "own_weibo"}


def test_partly_covered_period_is_refused(sample_dir: Path) -> None:
    # the sample ends on 2026-11-15: November is half covered
    with pytest.raises(ParameterError, match="only partly covered by the data"):
        review.setup_review("own", "month", "2026-11", str(sample_dir), "impressions", "stl", 3.5, 3.0, 0.05, "data")


def test_styled_scorecard_shows_each_kpi_in_its_unit() -> None:
    from helpers.review.session import styled_scorecard

    nan = float("nan")
    board = pd.DataFrame({
        "account_id": ["total", "total", "total", "own_x"],
        "kpi": ["followers", "engagement_rate", "roas", "followers"],
        "label": ["Followers", "Engagement rate (by impressions)", "ROAS", "Followers"],
        "actual": [123456.0, 0.046473, 3.2, 5.0],
        "target": [120000.0, 0.05, 3.0, nan],
        "attainment": [123456 / 120000, 0.046473 / 0.05, 3.2 / 3.0, nan],
        "previous": [110000.0, 0.04, 2.5, nan],
        "change_pct": [123456 / 110000 - 1, 0.046473 / 0.04 - 1, 3.2 / 2.5 - 1, nan],
        "last_year": [nan, nan, nan, nan], "yoy_pct": [nan, nan, nan, nan],
        "status": ["healthy", "watch", "healthy", "info"], "status_reason": ["<ok>", "", "", ""],
    })
    html = styled_scorecard(board, "total").to_html()
    assert "123,456" in html and "120,000" in html                  # counts with separators
    assert "4.65%" in html and "5.00%" in html and "4.00%" in html   # the rate in percent, not 0.04647
    assert "3.20" in html and "2.50" in html                         # ROAS as a ratio
    assert "103%" in html and "93%" in html and "107%" in html       # attainment = actual ÷ target
    assert "+12.2%" in html and "+16.2%" in html and "+28.0%" in html
    assert "&lt;ok&gt;" in html and "own_x" not in html
