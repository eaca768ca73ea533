"""The defect corpus (tests/corpus/defects.py): what the suite answers for each defect real exports carry.

For every folder (the sample with one defect):
- refused defects: `opsbook validate` and `opsbook run` both exit 2 with a message that names the file,
  the column and the first line, and no traceback; the run publishes nothing and the previous good report
  stays byte for byte;
- defects read as the clean sample (a BOM, CRLF, Parquet, reordered or extra columns, mixed UTC offsets,
  ';' or tab separators):
  `validate` exits 0 and every table loads equal to the clean sample's;
- defects the run goes on with: exit 0 and numbers equal to the clean run's, or the oddity stated in the
  report and in summary.json.
Expected lines are computed here from the sample's own CSV (header = line 1), not from the suite.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cli_run import opsbook
from corpus.defects import BY_NAME, DEFECTS, LONG_TITLE, read
from helpers.data import DataWarning, load_tables

PERIOD = "2026-10"
TABLES = ("accounts", "account_daily", "posts", "ad_daily", "touchpoints", "conversions", "experiments",
          "experiment_units")


@dataclass(frozen=True)
class Refusal:
    """What the message for a refused defect must name: the file, the column and the first line (if any)."""

    notebook: str
    file: str
    column: str | None
    line: int | None
    says: str


def _line(sample: Path, table: str, where: Any) -> int:
    """The file line (header = line 1) of the first row of the sample table matching `where`."""
    frame = read(sample, table)
    return int(frame.index[where(frame)][0]) + 2


def _refusals(sample: Path) -> dict[str, Refusal]:
    """Each refused defect with what its message must name, worked out from the sample's CSV."""
    douyin_line = _line(sample, "account_daily", lambda f: f["account_id"] == "own_douyin")
    douyin_post = _line(sample, "posts", lambda f: f["account_id"] == "own_douyin")
    oct15 = _line(sample, "account_daily", lambda f: (f["account_id"] == "own_douyin") & (f["date"] == "2026-10-15"))
    accounts = _line(sample, "accounts", lambda f: f["account_id"] == "own_douyin")
    units = 2  # the first three rows of experiment_units get the undeclared label
    return {
        "gbk_encoding": Refusal("period_review", "posts.csv", None, None, "UTF-8"),
        "wan_number": Refusal("period_review", "account_daily.csv", "impressions", douyin_line, "1.2万 as 12000"),
        "dash_number": Refusal("period_review", "account_daily.csv", "impressions", douyin_line, "not a number"),
        "percent_rate": Refusal("period_review", "posts.csv", "completion_rate", douyin_post, "not a number"),
        "rate_as_percent_number": Refusal("period_review", "posts.csv", "completion_rate", douyin_post, "0–1"),
        "negative_count": Refusal("period_review", "account_daily.csv", "engagements", douyin_line, "negative"),
        "bad_date": Refusal("period_review", "account_daily.csv", "date", douyin_line, "unparsable date"),
        "duplicate_post_id": Refusal("period_review", "posts.csv", "post_id", 7, "duplicate"),
        "duplicate_day": Refusal("period_review", "account_daily.csv", "date", oct15, "duplicate"),
        "unknown_account": Refusal("period_review", "posts.csv", "account_id", douyin_post, "unknown account"),
        "missing_account_id": Refusal("period_review", "posts.csv", "account_id", douyin_post, "missing value"),
        "missing_required_column": Refusal("period_review", "account_daily.csv", "date", None, "required column"),
        "missing_table": Refusal("period_review", "accounts.csv", None, None, "file not found"),
        "unknown_timezone": Refusal("period_review", "accounts.csv", "timezone", accounts, "time zone"),
        "bad_owner": Refusal("period_review", "accounts.csv", "owner", accounts, "own, competitor"),
        "undeclared_variant": Refusal("experiment_evaluation", "experiment_units.csv", "variant", units,
                                      "not declared"),
    }


READ_AS_CLEAN = ("bom_header", "crlf_lines", "parquet_table", "extra_column", "columns_reordered", "mixed_offsets",
                 "semicolon_separator", "tab_separator")


def test_the_corpus_is_whole() -> None:
    """Every defect is checked by one of the groups below, and no name is listed twice."""
    assert len(BY_NAME) == len(DEFECTS) >= 30
    groups = set(READ_AS_CLEAN) | set(GOES_ON) | set(_REFUSED_NAMES)
    assert groups == set(BY_NAME)


_REFUSED_NAMES = ("gbk_encoding", "wan_number", "dash_number",
                  "percent_rate", "rate_as_percent_number", "negative_count", "bad_date", "duplicate_post_id",
                  "duplicate_day", "unknown_account", "missing_account_id", "missing_required_column",
                  "missing_table", "unknown_timezone", "bad_owner", "undeclared_variant")


@pytest.fixture(scope="module")
def corpus(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every defect folder, written once for the module."""
    root = tmp_path_factory.mktemp("corpus")
    for defect in DEFECTS:
        defect.build(sample_dir, root)
    return root


@pytest.fixture(scope="module")
def good_outputs(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An outputs root holding a clean period review of 2026-10 (the previous good report)."""
    out = tmp_path_factory.mktemp("good")
    result = opsbook("run", "period_review", "--data", sample_dir, "--period", PERIOD, "--lang", "en",
                     "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _published(out: Path) -> dict[str, str]:
    """Every published file under an outputs root (failed runs' folders aside) with its checksum."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and "_failed" not in p.parts}


def _assert_names(text: str, corpus: Path, name: str, refusal: Refusal) -> None:
    """The message names the file (with its folder), the column and the first line, and has no traceback."""
    assert "Traceback" not in text
    assert str(corpus / name / refusal.file) in text, text[-2000:]
    if refusal.column:
        assert f"'{refusal.column}" in text or f", {refusal.column}" in text, text[-2000:]
    if refusal.line:
        assert f"line(s) {refusal.line}" in text, text[-2000:]
    assert refusal.says in text, text[-2000:]


@pytest.mark.parametrize("name", _REFUSED_NAMES)
def test_validate_refuses_with_file_column_and_line(name: str, corpus: Path, sample_dir: Path) -> None:
    refusal = _refusals(sample_dir)[name]
    result = opsbook("validate", "--data", corpus / name)
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    _assert_names(result.stdout + result.stderr, corpus, name, refusal)


@pytest.mark.slow
@pytest.mark.parametrize("name", _REFUSED_NAMES)
def test_run_refuses_and_keeps_the_previous_report(name: str, corpus: Path, sample_dir: Path,
                                                    good_outputs: Path, tmp_path: Path) -> None:
    refusal = _refusals(sample_dir)[name]
    out = tmp_path / "out"
    shutil.copytree(good_outputs, out)
    before = _published(out)
    period = [] if refusal.notebook == "experiment_evaluation" else ["--period", PERIOD]
    result = opsbook("run", refusal.notebook, "--data", corpus / name, *period, "--lang", "en", "--out", out,
                     "--quiet")
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    _assert_names(result.stderr, corpus, name, refusal)
    assert _published(out) == before


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return load_tables(list(TABLES), folder)


@pytest.mark.parametrize("name", READ_AS_CLEAN)
def test_read_as_the_clean_sample(name: str, corpus: Path, sample_dir: Path) -> None:
    result = opsbook("validate", "--data", corpus / name)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    clean, odd = _tables(sample_dir), _tables(corpus / name)
    for table, frame in clean.items():
        got = odd[table][list(frame.columns)]  # an extra column is kept but is not the schema's
        pd.testing.assert_frame_equal(got.reset_index(drop=True), frame.reset_index(drop=True),
                                      check_dtype=table != "account_daily" or name != "parquet_table",
                                      obj=f"{name}: {table}")


@pytest.mark.slow
def test_mixed_offsets_run_equals_the_clean_run(corpus: Path, good_outputs: Path, tmp_path: Path) -> None:
    """Mixed '+08:00' and 'Z' stamps are the same instants: the review's KPIs equal the clean run's."""
    got = _run(corpus / "mixed_offsets", tmp_path)
    want = json.loads((good_outputs / "period_review" / PERIOD / "summary.json").read_text(encoding="utf-8"))
    assert got["kpis"] == want["kpis"]


def _run(folder: Path, out: Path, *extra: str) -> dict[str, Any]:
    """Run the period review of 2026-10 on a folder (exit 0 expected) and return its summary.json."""
    result = opsbook("run", "period_review", "--data", folder, "--period", PERIOD, "--lang", "en", "--out", out,
                     "--quiet", *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return json.loads((out / "period_review" / PERIOD / "summary.json").read_text(encoding="utf-8"))


GOES_ON = ("platform_without_month", "three_days_of_month", "orphan_conversions", "future_date", "empty_ad_daily",
           "missing_ad_daily", "zero_spend_campaign", "long_title")


@pytest.fixture(scope="module")
def clean_summary(good_outputs: Path) -> dict[str, Any]:
    """summary.json of the clean review of 2026-10."""
    return json.loads((good_outputs / "period_review" / PERIOD / "summary.json").read_text(encoding="utf-8"))


def _kpi(summary: dict[str, Any], account: str, kpi: str) -> Any:
    return summary["kpis"][account][kpi]["actual"]


def _report(out: Path) -> str:
    return (out / "period_review" / PERIOD / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_orphan_conversions_are_counted_and_reconciled(corpus: Path, tmp_path: Path) -> None:
    """Conversions with no touchpoint at or before them are 'no recorded touch': credited + no touch = all."""
    folder = corpus / "orphan_conversions"
    conversions = pd.read_csv(folder / "conversions.csv", parse_dates=["occurred_at"])
    touchpoints = pd.read_csv(folder / "touchpoints.csv", parse_dates=["occurred_at"])
    october = conversions[conversions["occurred_at"].dt.strftime("%Y-%m") == PERIOD]
    first_touch = touchpoints.groupby("journey_id")["occurred_at"].min()
    touched = october["journey_id"].map(first_touch) <= october["occurred_at"]
    got = _run(folder, tmp_path)["attribution"]["reconciliation"]
    assert got["conversions"] == len(october)
    assert got["no_touch_conversions"] == int((~touched).sum()) >= 30
    assert got["credited_conversions"] + got["no_touch_conversions"] == got["conversions"]
    assert got["value"] == pytest.approx(october["value"].sum())
    assert got["no_touch_value"] == pytest.approx(october.loc[~touched, "value"].sum())
    assert "no recorded touch" in _report(tmp_path)


@pytest.mark.slow
def test_a_future_date_is_named_left_out_and_latest_stays_on_the_data(corpus: Path, sample_dir: Path,
                                                                     tmp_path: Path) -> None:
    """A 2027-10-15 typo: validate names it (exit 0, a warning); `latest` is still October 2026."""
    folder = corpus / "future_date"
    line = _line(sample_dir, "account_daily",
                 lambda f: (f["account_id"] == "own_douyin") & (f["date"] == "2026-10-15"))
    checked = opsbook("validate", "--data", folder)
    assert checked.returncode == 0, checked.stdout[-2000:]
    assert f"line(s) {line}" in checked.stdout and "2027-10-15" in checked.stdout
    result = opsbook("run", "period_review", "--data", folder, "--period", "latest", "--lang", "en",
                     "--out", tmp_path, "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((tmp_path / "period_review" / PERIOD / "summary.json").read_text(encoding="utf-8"))
    assert summary["label"] == PERIOD
    [note] = summary["data_notes"]
    assert (note["file"], note["column"], note["rows"], note["values"]) == ("account_daily.csv", "date", [line],
                                                                           ["2027-10-15"])
    assert f'<p class="ops-note">{note["text"]}</p>' in _report(tmp_path)  # said on the first screen


@pytest.mark.slow
@pytest.mark.parametrize("name", ["empty_ad_daily", "missing_ad_daily"])
def test_no_ads_reads_as_no_ads_this_period(name: str, corpus: Path, clean_summary: dict[str, Any],
                                            tmp_path: Path) -> None:
    """A header-only ad_daily and a missing one both say 'No ads this period'; the other KPIs are the clean run's."""
    summary = _run(corpus / name, tmp_path)
    assert "No ads this period" in _report(tmp_path)
    for account in ("own_douyin", "own_xhs", "own_wechat", "own_weibo"):
        for kpi in ("followers", "impressions", "engagements", "posts_published", "revenue"):
            assert _kpi(summary, account, kpi) == _kpi(clean_summary, account, kpi), (account, kpi)
        assert _kpi(summary, account, "ad_spend") is None  # no ads is missing, not a spend of 0


@pytest.mark.slow
def test_a_zero_spend_campaign_is_said_to_have_no_spend(corpus: Path, tmp_path: Path) -> None:
    ads = pd.read_csv(corpus / "zero_spend_campaign" / "ad_daily.csv")
    october = ads[ads["date"].str.startswith(PERIOD)]
    spend = october.groupby("campaign_id")["spend"].sum()
    idle = sorted(spend.index[spend == 0])
    assert len(idle) == 1
    _run(corpus / "zero_spend_campaign", tmp_path)
    report = _report(tmp_path)
    assert f"No spend in the period, so no ROAS and no budget to shift: {idle[0]}" in report
    assert "until revenue is tracked: " + idle[0] not in report


@pytest.mark.slow
def test_a_long_title_is_cut_in_the_report_and_whole_in_the_csv(corpus: Path, tmp_path: Path) -> None:
    _run(corpus / "long_title", tmp_path)
    report = _report(tmp_path)
    assert "长" * 2000 not in report  # not 100,000 characters in the page: a hover shows at most 1,999 and "…"
    assert re.search(r'<span title="长{1999}…">长{79}…</span>', report)  # the cell shows 79 characters and "…"
    tables = [p.read_text(encoding="utf-8-sig") for p in (tmp_path / "period_review" / PERIOD / "tables").glob("*.csv")]
    holding = [t for t in tables if "长" * 100 in t]
    assert holding and all(LONG_TITLE in t for t in holding)  # every CSV that has it has all 100,000 characters


OWN = ("own_douyin", "own_xhs", "own_wechat", "own_weibo")


@pytest.mark.slow
def test_a_platform_without_the_month_is_missing_not_zero(corpus: Path, clean_summary: dict[str, Any],
                                                          tmp_path: Path) -> None:
    """own_xhs has no October rows: its KPIs are missing (not 0, not 'at risk'), totals compare the other three."""
    summary = _run(corpus / "platform_without_month", tmp_path)
    xhs = summary["kpis"]["own_xhs"]
    assert xhs["posts_published"]["actual"] is None and xhs["posts_published"]["status"] == "missing"
    assert xhs["impressions"]["actual"] is None and xhs["impressions"]["attainment"] is None
    gaps = [g for g in summary["coverage_gaps"] if g["account_id"] == "own_xhs"]
    assert gaps and all(g["days_covered"] == 0 and g["days_in_period"] == 31 for g in gaps)
    assert all(g["account_id"] == "own_xhs" for g in summary["coverage_gaps"])
    # the total's change over the three accounts covered in both months, from the clean run's account figures
    rest = [a for a in OWN if a != "own_xhs"]
    now = sum(_kpi(clean_summary, a, "followers") for a in rest)
    before = sum(clean_summary["kpis"][a]["followers"]["previous"] for a in rest)
    total = summary["kpis"]["total"]["followers"]
    assert total["actual"] == pytest.approx(now)
    assert total["change_pct"] == pytest.approx(now / before - 1)
    assert "own_xhs" in total["note"]
    for account in rest:  # the other accounts read exactly as in the clean run
        assert summary["kpis"][account] == clean_summary["kpis"][account]
    # the gap is the first key finding on the report's first screen, flagged 'watch', not a note in small print
    assert ('<ul class="ops-findings">\n<li class="ops-watch"><span class="ops-badge">◆ watch</span> Coverage gaps: '
            in _report(tmp_path))


@pytest.mark.slow
def test_three_days_of_a_month_are_insufficient_data_not_a_miss(corpus: Path, tmp_path: Path) -> None:
    """own_xhs reports 3 of October's 31 days: its daily KPIs are 'insufficient data', never 'at risk'."""
    folder = corpus / "three_days_of_month"
    daily = pd.read_csv(folder / "account_daily.csv")
    october = daily[(daily["account_id"] == "own_xhs") & daily["date"].str.startswith(PERIOD)]
    assert len(october) == 3
    summary = _run(folder, tmp_path)
    impressions = summary["kpis"]["own_xhs"]["impressions"]
    assert impressions["status"] == "insufficient data" and impressions["attainment"] is None
    assert impressions["actual"] == pytest.approx(october["impressions"].sum())
    statuses = {kpi: v["status"] for kpi, v in summary["kpis"]["own_xhs"].items()}
    assert "at risk" not in {statuses[k] for k in ("followers", "impressions", "engagements", "revenue")}
    [gap] = [g for g in summary["coverage_gaps"] if g["account_id"] == "own_xhs" and g["days_covered"] == 3]
    assert gap["days_in_period"] == 31 and gap["left_out_of_totals"]
