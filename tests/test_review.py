"""helpers.review.session: prepare checks every parameter with clear messages, selects accounts, loads targets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.review import session as review

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


@pytest.mark.parametrize(("name", "value", "allowed"), [("period_type", "decade", review.PERIOD_TYPES),
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
    assert targets.loc[0, "target"] == 100.0 and note == f"Targets: {path}."  # outside the project: the path as given
    path.write_text("account_id,kpi,period,target\nown_a,revenue,Oct 2026,100\n", encoding="utf-8")
    with pytest.raises(Exception, match="period must look like 2026-10"):
        review.load_targets(str(path), tmp_path, {"own_a"})


DEFAULTS = dict(account="own", period_type="month", period="latest", data_dir="", er_base="impressions",
                anomaly_method="stl", anomaly_threshold=3.5, bot_iqr_k=1.5, roas_stop_loss=3.0, ctr_keep=0.05,
                targets_source="data", trend_periods=6, top_n=5, markov_value="share", min_coverage=0.8,
                lang="en")


@pytest.fixture(scope="module")
def two_accounts(sample_dir: Path) -> review.ReviewRun:
    """A review of two accounts chosen by list, with non-default display numbers."""
    return review.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), "account": ["own_weibo", "own_xhs"],
                             "trend_periods": 3, "top_n": 7.0, "roas_stop_loss": "2.5", "markov_value": "removal"})


def test_prepare_on_sample_resolves_latest_to_last_complete_month(two_accounts: review.ReviewRun) -> None:
    # the sample data ends on 2026-11-15, so the last complete month is October 2026
    assert two_accounts.period.label == "2026-10"
    assert str(two_accounts.period.start.date()) == "2026-10-01" and str(two_accounts.period.end.date()) == "2026-10-31"


def test_prepare_takes_a_list_of_accounts(two_accounts: review.ReviewRun) -> None:
    assert two_accounts.account_ids == ("own_weibo", "own_xhs")
    assert set(two_accounts.accounts["account_id"]) == {"own_weibo", "own_xhs"}
    assert set(two_accounts.daily["account_id"]) == {"own_weibo", "own_xhs"}
    assert set(two_accounts.posts["account_id"]) == {"own_weibo", "own_xhs"}
    assert set(two_accounts.ad_daily["account_id"]) <= {"own_weibo", "own_xhs"}


def test_prepare_returns_checked_values_and_the_trend_window(two_accounts: review.ReviewRun) -> None:
    # three months ending with the reviewed one (2026-10), oldest first
    assert [p.label for p in two_accounts.trend] == ["2026-08", "2026-09", "2026-10"]
    assert two_accounts.top_n == 7 and isinstance(two_accounts.top_n, int)
    assert two_accounts.roas_stop_loss == 2.5 and two_accounts.ctr_keep == 0.05 and two_accounts.bot_iqr_k == 1.5
    assert two_accounts.markov_value == "removal"
    assert two_accounts.targets_note == "Targets: the targets table of the data folder."
    assert two_accounts.missing == ()
    with pytest.raises(AttributeError):
        two_accounts.top_n = 3  # type: ignore[misc]  # frozen


def test_partly_covered_period_is_refused(sample_dir: Path) -> None:
    # the sample ends on 2026-11-15: November is half covered
    with pytest.raises(ParameterError, match="only partly covered by the data"):
        review.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), "period": "2026-11"})


@pytest.mark.parametrize(("name", "value", "message"), [
    ("bot_iqr_k", -1, r"Parameter bot_iqr_k=-1 must be between 0.0 and 10.0"),
    ("bot_iqr_k", "wide", r"Parameter bot_iqr_k='wide' must be a number"),
    ("trend_periods", 0, r"Parameter trend_periods=0 must be between 1 and 60"),
    ("trend_periods", 2.5, r"Parameter trend_periods=2.5 must be a whole number between 1 and 60"),
    ("trend_periods", True, r"Parameter trend_periods=True must be a whole number"),
    ("top_n", 101, r"Parameter top_n=101 must be between 0 and 100"),
    ("anomaly_threshold", 0.5, r"Parameter anomaly_threshold=0.5 must be between 1.0 and 20.0"),
    ("markov_value", "revenue", r"Parameter markov_value='revenue' is not valid; use one of: share, removal"),
])
def test_prepare_checks_every_number_before_reading_data(name: str, value: object, message: str,
                                                         tmp_path: Path) -> None:
    # tmp_path holds no data: the check fails before any table is read
    with pytest.raises(ParameterError, match=message):
        review.prepare(**{**DEFAULTS, "data_dir": str(tmp_path), name: value})


def test_prepare_refuses_the_old_text_form_of_an_account_list(sample_dir: Path) -> None:
    with pytest.raises(ParameterError, match=r"old text form.*account = \[\"own_douyin\", \"own_weibo\"\]"):
        review.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), "account": "own_weibo,own_xhs"})


def test_an_account_without_ad_rows_has_no_ad_data_rather_than_an_empty_table(sample_dir: Path) -> None:
    # Weibo runs no campaign in the sample: its review skips the ads section instead of failing on empty tables
    daily = pd.read_csv(sample_dir / "ad_daily.csv", usecols=["account_id"])
    assert "own_weibo" not in set(daily["account_id"]) and "own_douyin" in set(daily["account_id"])
    weibo = review.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), "account": ["own_weibo"]})
    douyin = review.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), "account": ["own_douyin"]})
    assert weibo.ad_daily is None
    assert douyin.ad_daily is not None and set(douyin.ad_daily["account_id"]) == {"own_douyin"}


def test_an_account_whose_data_ends_early_is_noted_in_the_summary(sample_dir: Path, tmp_path: Path) -> None:
    # Weibo's daily rows stop on 2026-10-20; the other accounts cover October, so the period still counts as
    # complete for the group, and the summary says Weibo's totals are short
    import shutil

    from helpers.i18n import use_language
    from helpers.review import findings

    for path in sample_dir.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    daily = pd.read_csv(sample_dir / "account_daily.csv", encoding="utf-8-sig")
    cut = (daily["account_id"] == "own_weibo") & (daily["date"] > "2026-10-20")
    daily[~cut].to_csv(tmp_path / "account_daily.csv", index=False)
    run = review.prepare(**{**DEFAULTS, "data_dir": str(tmp_path), "period": "2026-10"})
    with use_language("en"):
        assert findings.coverage_notes(run) == (
            "青柠生活·微博: the data ends Oct 20, 2026, before the period does; its totals and attainment are short "
            "by the missing days.",)
    # an account already named as a coverage gap (not judged) gets no 'attainment is short' note
    assert findings.coverage_notes(run, exclude={"own_weibo"}) == ()
    full = review.prepare(**{**DEFAULTS, "data_dir": str(sample_dir), "period": "2026-10"})
    assert findings.coverage_notes(full) == ()
