"""A period's pack: what the period means for each notebook, checked before any kernel starts."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import report_checks
from cli_run import opsbook
from helpers import config, i18n, pack
from helpers.cli import main
from helpers.errors import ParameterError


def test_october_means_its_own_window_for_each_notebook(sample_dir: Path) -> None:
    period = pack.parse_pack_period("2026-10")
    runs = pack.pack_runs(period, sample_dir, config.NOTEBOOK_NAMES)
    assert [(r.notebook, r.parameters) for r in runs] == [
        ("period_review", {"period_type": "month", "period": "2026-10"}),
        ("audience_profiling", {"as_of": "2026-10-31"}),                       # the period's last day
        ("competitor_analysis", {"period": "2026-05-01..2026-10-31"}),         # 6 months ending with October
        ("voice_of_customer", {"period_type": "month", "period": "2026-10"}),  # the period, as the review
        ("content_planning", {"plan_month": "2026-11"}),                       # the month after
        # sample experiments: TITLE-01 ran 09-01..09-28 (not in October), COVER-02 10-05..10-25, CTA-03 10-01..10-14
        ("experiment_evaluation", {"experiment_id": "EXP-COVER-02"}),
        ("experiment_evaluation", {"experiment_id": "EXP-CTA-03"}),
        ("account_plan", {"as_of": "2026-10", "plan_year": "current"}),      # re-plan the year in progress
        ("kol_evaluation", {"as_of": "2026-10-31"}),                           # the KOLs as of the period's last day
    ]


def test_the_plan_reads_whole_months_and_plans_next_year_from_december() -> None:
    def plan(label: str) -> tuple[dict[str, str], str]:
        run = pack.plan_run(pack.parse_pack_period(label))
        return run.parameters, run.window

    assert plan("2026-12") == ({"as_of": "2026-12", "plan_year": "next"}, "2027")
    assert plan("2026-Q4") == ({"as_of": "2026-12", "plan_year": "next"}, "2027")
    # week 40 runs Mon 2026-09-28 .. Sun 2026-10-04: its last whole month is September
    assert plan("2026-W40") == ({"as_of": "2026-09", "plan_year": "current"}, "2026")


def test_a_quarter_and_a_week_map_the_same_way(sample_dir: Path) -> None:
    runs = pack.pack_runs(pack.parse_pack_period("2026-Q3"), sample_dir, config.NOTEBOOK_NAMES)
    assert runs[0].parameters == {"period_type": "quarter", "period": "2026-Q3"}
    assert runs[1].parameters == {"as_of": "2026-09-30"}
    assert runs[2].parameters == {"period": "2026-04-01..2026-09-30"}
    assert runs[3].parameters == {"period_type": "quarter", "period": "2026-Q3"}
    assert runs[4].parameters == {"plan_month": "2026-10"}
    assert [r.parameters for r in runs[5:]] == [{"experiment_id": "EXP-TITLE-01"},
                                               {"as_of": "2026-09", "plan_year": "current"},
                                               {"as_of": "2026-09-30"}]
    week = pack.parse_pack_period("2026-W40")  # Mon 2026-09-28 .. Sun 2026-10-04: TITLE-01 ends on its first day
    assert (week.start, week.end) == (pd.Timestamp("2026-09-28"), pd.Timestamp("2026-10-04"))
    assert pack.experiments_in(week, sample_dir) == ["EXP-TITLE-01", "EXP-CTA-03"]


def test_without_comments_the_pack_leaves_out_the_voice_of_the_customer(sample_dir: Path, tmp_path: Path) -> None:
    for csv in sample_dir.glob("*.csv"):
        if csv.name != "comments.csv":
            (tmp_path / csv.name).write_bytes(csv.read_bytes())
    runs = pack.pack_runs(pack.parse_pack_period("2026-10"), tmp_path, config.NOTEBOOK_NAMES)
    assert "voice_of_customer" not in {r.notebook for r in runs}
    assert [r.notebook for r in runs][:3] == ["period_review", "audience_profiling", "competitor_analysis"]


def test_without_kols_the_pack_leaves_out_kol_vetting(sample_dir: Path, tmp_path: Path) -> None:
    for csv in sample_dir.glob("*.csv"):
        if csv.name != "kols.csv" and not csv.name.startswith("kol_"):
            (tmp_path / csv.name).write_bytes(csv.read_bytes())
    runs = pack.pack_runs(pack.parse_pack_period("2026-10"), tmp_path, config.NOTEBOOK_NAMES)
    assert "kol_evaluation" not in {r.notebook for r in runs}
    assert runs[-1].notebook == "account_plan"


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


def test_bad_pack_options_exit_2_before_any_kernel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run-all", "--period", "2026-10", "--accounts", "comp_a_douyin", "--out", str(tmp_path)]) == 2
    assert "--accounts: comp_a_douyin is not an own account" in capsys.readouterr().err
    assert main(["run-all", "--accounts", "all", "--out", str(tmp_path)]) == 2
    assert "--accounts needs --period" in capsys.readouterr().err
    assert main(["run-all", "--period", "2026-10", "--max-age", "-1", "--out", str(tmp_path)]) == 2
    assert "--max-age -1: give a number of days" in capsys.readouterr().err
    assert not list(tmp_path.rglob(".running-*")) and not list(tmp_path.rglob("_failed"))


# ---------------------------------------------------------------- accounts

def test_without_accounts_the_pack_has_one_row_of_the_own_accounts_together(sample_dir: Path) -> None:
    assert pack.select_pack_accounts(None, sample_dir) == ["own"]
    runs = pack.pack_runs(pack.parse_pack_period("2026-10"), sample_dir, config.NOTEBOOK_NAMES)
    assert {r.account for r in runs[:4]} == {"own"} and {r.account for r in runs[4:]} == {""}  # plan, tests: shared
    assert {r.subfolder for r in runs} == {""}  # outputs/<notebook>/<label>/ as a single run writes them


def test_accounts_all_is_every_own_account_and_a_list_is_checked(sample_dir: Path) -> None:
    assert pack.select_pack_accounts("all", sample_dir) == ["own_douyin", "own_xhs", "own_wechat", "own_weibo"]
    assert pack.select_pack_accounts(" own_weibo, own_douyin,own_weibo", sample_dir) == ["own_weibo", "own_douyin"]
    with pytest.raises(ParameterError, match="nobody is not an own account.*own_douyin, own_xhs"):
        pack.select_pack_accounts("own_xhs,nobody", sample_dir)


def test_each_account_gets_its_review_audience_and_competitors_where_it_has_rivals(sample_dir: Path) -> None:
    period = pack.parse_pack_period("2026-10")
    runs = pack.pack_runs(period, sample_dir, config.NOTEBOOK_NAMES, ["own_douyin", "own_wechat"])
    assert [(r.account, r.notebook, r.parameters, r.subfolder) for r in runs] == [
        ("own_douyin", "period_review", {"account": ["own_douyin"], "period_type": "month", "period": "2026-10"},
         "accounts/own_douyin"),
        ("own_douyin", "audience_profiling", {"account": ["own_douyin"], "as_of": "2026-10-31"}, "accounts/own_douyin"),
        ("own_douyin", "competitor_analysis", {"own_account": "own_douyin", "period": "2026-05-01..2026-10-31"},
         "accounts/own_douyin"),
        ("own_douyin", "voice_of_customer", {"account": ["own_douyin"], "period_type": "month", "period": "2026-10"},
         "accounts/own_douyin"),
        ("own_wechat", "period_review", {"account": ["own_wechat"], "period_type": "month", "period": "2026-10"},
         "accounts/own_wechat"),
        ("own_wechat", "audience_profiling", {"account": ["own_wechat"], "as_of": "2026-10-31"}, "accounts/own_wechat"),
        # the sample has competitor accounts on Douyin and Xiaohongshu only: no comparison for WeChat
        ("own_wechat", "voice_of_customer", {"account": ["own_wechat"], "period_type": "month", "period": "2026-10"},
         "accounts/own_wechat"),
        ("", "content_planning", {"plan_month": "2026-11"}, ""),
        ("", "experiment_evaluation", {"experiment_id": "EXP-COVER-02"}, ""),
        ("", "experiment_evaluation", {"experiment_id": "EXP-CTA-03"}, ""),
        ("", "account_plan", {"as_of": "2026-10", "plan_year": "current"}, ""),
        ("", "kol_evaluation", {"as_of": "2026-10-31"}, ""),
    ]


# ---------------------------------------------------------------- freshness

def _daily(ends: dict[str, str]) -> pd.DataFrame:
    return pd.concat([pd.DataFrame({"account_id": a, "date": pd.date_range("2026-09-01", end)})
                      for a, end in ends.items()], ignore_index=True)


def test_freshness_flags_data_that_ends_before_the_period_and_names_the_late_account() -> None:
    october = pack.parse_pack_period("2026-10")
    daily = _daily({"a": "2026-11-15", "b": "2026-10-20"})
    fresh = pack.data_freshness(daily, ["own", "a", "b"], ["a", "b"], october, dt.date(2026, 11, 16), None)
    by = {f.account: f for f in fresh}
    # b ends 10-20: 31 - 20 = 11 days short of October; "own" is as fresh as its stalest account
    assert (by["b"].fresh, by["b"].reason, by["b"].days_short) == (False, "ends early", 11)
    assert (by["own"].fresh, by["own"].data_end, by["own"].late_accounts) == (False, pd.Timestamp("2026-10-20"),
                                                                           ("b",))
    assert by["a"].fresh and by["a"].days_old == 1  # 11-16 − 11-15
    with i18n.use_language("en"):
        assert by["b"].note() == "data ends Oct 20, 2026, 11 days before the period ends"
        assert by["own"].note() == "b: data ends Oct 20, 2026, 11 days before the period ends"
        assert by["own"].note({"b": "Brand·Weibo"}) == "Brand·Weibo: data ends Oct 20, 2026, 11 days before the " \
                                                       "period ends"
    with i18n.use_language("zh-CN"):
        assert by["b"].note() == "数据截至 2026年10月20日，比周期结束早 11 天"
        assert by["own"].note({"b": "品牌·微博"}) == "品牌·微博：数据截至 2026年10月20日，比周期结束早 11 天"


def test_latest_flags_data_older_than_the_allowed_age() -> None:
    october = pack.parse_pack_period("2026-10")
    daily = _daily({"a": "2026-11-15", "b": "2026-11-30"})
    # on 12-07: a is 22 days old (> 7), b 7 days (not more than 7: fresh)
    fresh = pack.data_freshness(daily, ["a", "b"], ["a", "b"], october, dt.date(2026, 12, 7), 7)
    assert [(f.account, f.fresh, f.reason, f.days_old) for f in fresh] == [("a", False, "old", 22),
                                                                           ("b", True, "", 7)]
    with i18n.use_language("en"):
        assert fresh[0].note() == "data ends Nov 15, 2026, 22 days ago: no newer data arrived"
    # an explicit period does not judge the age, only the coverage
    assert all(f.fresh for f in pack.data_freshness(daily, ["a", "b"], ["a", "b"], october, dt.date(2027, 6, 1),
                                                    None))
    missing = pack.data_freshness(daily, ["c"], ["a", "b"], october, dt.date(2026, 12, 7), 7)[0]
    assert (missing.fresh, missing.data_end) == (False, None)


def test_require_fresh_stops_before_any_kernel(sample_dir: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # the sample's daily data ends on 2026-11-15: November is 15 days short
    assert main(["run-all", "--period", "2026-11", "--require-fresh", "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--require-fresh: the data is not fresh enough" in err
    assert "own_douyin, own_xhs, own_wechat, own_weibo: data ends Nov 15, 2026, 15 days before the period ends" in err
    assert not (tmp_path / "packs").exists() and not list(tmp_path.rglob(".running-*"))


# ---------------------------------------------------------------- pack.json and index.html

def _run_folder(root: Path, name: str, summary: dict[str, object]) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    return folder


def _results(tmp_path: Path) -> list[pack.PackResult]:
    out = tmp_path / "out"
    tiles = [{"label": "净增粉丝", "value": "3,095", "status": "at risk", "lines": ["达成率 60%"]},
             {"label": "曝光量", "value": "369.9万", "status": "healthy", "lines": []},
             {"label": "互动量", "value": "21.1万", "status": "healthy", "lines": []},
             {"label": "收入", "value": "9.9万", "status": "info", "lines": []}]
    review = _run_folder(out / "accounts" / "own_xhs" / "period_review", "2026-10", {
        "title": "月度复盘 · 青柠生活·小红书 · 2026年10月", "label": "2026-10", "alerts": [{"kpi": "a"}, {"kpi": "b"}],
        "headline": {"verdict": "7 项中 5 项达标", "status": "at risk", "tiles": tiles[:3]}})
    rival = _run_folder(out / "accounts" / "own_xhs" / "competitor_analysis", "own_xhs_2026-05-01..2026-10-31", {
        "title": "竞品分析 · <小红书>", "headline": {"verdict": "排名第一", "status": "healthy", "tiles": []}})
    plan = _run_folder(out / "content_planning", "2026-11", {"title": "内容规划 · 2026年11月",
                                                             "headline": {"verdict": "72 个发布位", "status": "info"}})
    xhs = "accounts/own_xhs"
    return [pack.PackResult(pack.PackRun("period_review", {"period": "2026-10"}, "2026-10", "own_xhs", xhs), review),
            pack.PackResult(pack.PackRun("competitor_analysis", {}, "2026-05-01..2026-10-31", "own_xhs", xhs), rival),
            pack.PackResult(pack.PackRun("period_review", {"period": "2026-10"}, "2026-10", "own_weibo",
                                         "accounts/own_weibo"), None, "Run failed in cell 7: <ValueError> boom"),
            pack.PackResult(pack.PackRun("content_planning", {"plan_month": "2026-11"}, "2026-11"), plan)]


def _record(tmp_path: Path, lang: str) -> dict[str, object]:
    period = pack.parse_pack_period("2026-10")
    daily = _daily({"own_xhs": "2026-11-15", "own_weibo": "2026-10-20"})
    fresh = pack.data_freshness(daily, ["own_xhs", "own_weibo"], ["own_xhs", "own_weibo"], period,
                                dt.date(2026, 11, 16), None)
    names = {"own_xhs": "青柠生活·小红书", "own_weibo": "青柠生活·微博 <b>&"}
    return pack.pack_record(period, _results(tmp_path), tmp_path / "out" / "packs" / "2026-10", lang, fresh, names,
                            ["own_xhs", "own_weibo"])


def test_pack_json_has_a_row_per_account_with_its_headline_alerts_and_freshness(tmp_path: Path) -> None:
    record = _record(tmp_path, "en")
    assert (record["period"], record["start"], record["end"], record["failed"], record["stale"]) == (
        "2026-10", "2026-10-01", "2026-10-31", 1, 1)
    xhs, weibo = record["accounts"]
    assert (xhs["account"], xhs["name"], xhs["status"], xhs["alerts"], xhs["data_end"], xhs["fresh"]) == (
        "own_xhs", "青柠生活·小红书", "at risk", 2, "2026-11-15", True)
    assert [t["value"] for t in xhs["kpis"]] == ["3,095", "369.9万", "21.1万"] and xhs["runs"] == [0, 1]
    assert xhs["verdict"] == "7 项中 5 项达标"
    assert (weibo["status"], weibo["alerts"], weibo["fresh"], weibo["runs"]) == ("failed", None, False, [2])
    assert weibo["freshness_note"] == "data ends Oct 20, 2026, 11 days before the period ends"
    assert record["shared_runs"] == [3]
    assert [(r["notebook"], r["status"], r["report"]) for r in record["runs"]] == [
        ("period_review", "ok", "../../accounts/own_xhs/period_review/2026-10/report.html"),
        ("competitor_analysis", "ok",
         "../../accounts/own_xhs/competitor_analysis/own_xhs_2026-05-01..2026-10-31/report.html"),
        ("period_review", "failed", None), ("content_planning", "ok", "../../content_planning/2026-11/report.html")]
    assert record["runs"][2]["message"] == "Run failed in cell 7: <ValueError> boom"
    assert pack.pack_verdict(record) == ("2 accounts: ▲ at risk 1 · ▲ run failed 1; 1 account with stale data; "
                                         "1 run failed")


def test_pack_index_in_both_languages_escapes_data_and_messages(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "packs" / "2026-10"
    en = pack.write_pack(_record(tmp_path, "en"), folder).read_text(encoding="utf-8")
    assert '<html lang="en">' in en and "<title>Report pack · Oct 2026</title>" in en
    assert "2 accounts: ▲ at risk 1 · ▲ run failed 1; 1 account with stale data; 1 run failed" in en
    assert '<span class="ops-tile-value">3,095</span>' in en and "anomaly alerts" in en
    assert '<a href="../../accounts/own_xhs/period_review/2026-10/report.html">月度复盘 · 青柠生活·小红书' in en
    assert "竞品分析 · &lt;小红书&gt;" in en and "青柠生活·微博 &lt;b&gt;&amp;" in en
    assert "&lt;ValueError&gt; boom" in en and "<ValueError>" not in en
    assert "⚠ data ends Oct 20, 2026, 11 days before the period ends" in en and "For every account" in en
    assert '"PingFang SC"' in en and "&#34;PingFang" not in en  # the style's quoted font names stay intact
    assert not list(folder.glob(".*.tmp"))
    zh = pack.write_pack(_record(tmp_path, "zh-CN"), folder).read_text(encoding="utf-8")
    assert "<title>运营报告包 · 2026年10月</title>" in zh
    assert "2 个账号：▲ 风险 1 · ▲ 运行失败 1；1 个账号数据滞后；1 个运行失败" in zh
    assert "异常预警" in zh and "⚠ 数据截至 2026年10月20日，比周期结束早 11 天" in zh and "全部账号共用" in zh
    assert "▲ 运行失败" in zh and "竞品分析" in zh
    assert json.loads((folder / "pack.json").read_text(encoding="utf-8"))["lang"] == "zh-CN"


# ---------------------------------------------------------------- end to end

@pytest.mark.slow
def test_a_pack_per_account_in_english(sample_dir: Path, tmp_path: Path) -> None:
    done = opsbook("run-all", "--period", "2026-10", "--accounts", "own_weibo,own_xhs",
                   "--notebooks", "period_review,competitor_analysis,content_planning", "--lang", "en",
                   "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stderr.splitlines()
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (INFO|WARNING) ", line) for line in log), log
    assert any("Pack 2026-10 (2026-10-01 – 2026-10-31): 4 runs, 2 account row(s)" in line for line in log)
    record = json.loads((tmp_path / "packs" / "2026-10" / "pack.json").read_text(encoding="utf-8"))
    assert [(r["account"], r["notebook"], r["status"]) for r in record["runs"]] == [
        ("own_weibo", "period_review", "ok"), ("own_xhs", "period_review", "ok"),
        ("own_xhs", "competitor_analysis", "ok"), ("", "content_planning", "ok")]
    # each account's review is its own, in its own folder, and the row shows that review's tiles and alerts
    weibo = json.loads((tmp_path / "accounts" / "own_weibo" / "period_review" / "2026-10" / "summary.json")
                       .read_text(encoding="utf-8"))
    assert weibo["params"]["account"] == ["own_weibo"] and list(weibo["kpis"]) == ["own_weibo", "total"]
    rows = {a["account"]: a for a in record["accounts"]}
    assert rows["own_weibo"]["kpis"] == weibo["headline"]["tiles"] and len(rows["own_weibo"]["kpis"]) == 3
    assert rows["own_weibo"]["alerts"] == len(weibo["alerts"])
    assert rows["own_weibo"]["status"] == weibo["headline"]["status"] != ""
    index = tmp_path / "packs" / "2026-10" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert report_checks.untranslated_text(html, "en", report_checks.data_text(sample_dir)) == []
    seen = report_checks.check_page_in_browser(index, tmp_path / "pack-index-en.png")
    assert seen.overflowing == [] and seen.lang == "en" and seen.title == "Report pack · Oct 2026"


def _cron_line() -> str:
    text = (config.ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```cron\n(.+?)\n```", text, re.S)
    assert block, "README has a ```cron block"
    return block.group(1).strip()


@pytest.mark.slow
def test_the_readme_cron_line_works_as_written_in_a_clean_environment(sample_dir: Path, tmp_path: Path) -> None:
    # cron runs with almost no environment: env -i, a fresh HOME, the default PATH. Only the folders change:
    # the project (a folder whose .venv is this one), the data (the sample) and the outputs (OPSBOOK_OUTPUTS).
    line = _cron_line()
    schedule, command = line.split(None, 5)[:5], line.split(None, 5)[5]
    assert schedule == ["0", "6", "2", "*", "*"]
    project, home, outputs = tmp_path / "opsbook", tmp_path / "home", tmp_path / "outputs"
    project.mkdir()
    home.mkdir()
    (project / ".venv").symlink_to(config.ROOT / ".venv")
    command = command.replace("/path/to/opsbook", str(project)).replace("/data/brand", str(sample_dir))
    env = ["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", "SHELL=/bin/sh", "LOGNAME=cron",
           f"OPSBOOK_OUTPUTS={outputs}"]
    done = subprocess.run([*env, "/bin/sh", "-c", command], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", (done.stdout, done.stderr)
    log = (project / "logs" / "pack.log").read_text(encoding="utf-8")
    lines = log.splitlines()
    # --quiet: warnings and errors only, each a timestamped line; no kernel warning, no progress bar
    assert lines and all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WARNING ", x) for x in lines), log
    assert "TCP" not in log and "%|" not in log
    assert any("data ends Nov 15, 2026" in x and "no newer data arrived" in x for x in lines)  # latest is stale
    record = json.loads((outputs / "packs" / "2026-10" / "pack.json").read_text(encoding="utf-8"))
    assert record["lang"] == "zh-CN" and record["failed"] == 0 and record["stale"] == 1
    assert [r["notebook"] for r in record["runs"]] == [
        "period_review", "audience_profiling", "competitor_analysis", "voice_of_customer", "content_planning",
        "experiment_evaluation", "experiment_evaluation", "account_plan", "kol_evaluation"]
    assert all((outputs / "packs" / "2026-10" / r["report"]).is_file() for r in record["runs"])
    index = outputs / "packs" / "2026-10" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert report_checks.untranslated_text(html, "zh-CN", report_checks.data_text(sample_dir)) == []
    assert "青柠生活·抖音、青柠生活·小红书、青柠生活·公众号、青柠生活·微博：数据截至 2026年11月15日" in html
    seen = report_checks.check_page_in_browser(index, tmp_path / "pack-index-zh-CN.png")
    assert seen.overflowing == [] and seen.lang == "zh-CN" and seen.title == "运营报告包 · 2026年10月"


@pytest.mark.slow
def test_a_pack_is_printed_to_pdf_and_sent_and_a_failed_channel_keeps_the_pack(
        sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pytest.importorskip("pypdf")
    from helpers import pdf

    if pdf.find_browser() is None:
        pytest.skip("no chromium on this machine (apt-get install chromium): --pdf is not checked")
    posted: list[dict[str, object]] = []

    class Slack(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slack)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as probe:  # a port nobody listens on: the WeCom robot is "down"
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("OPSBOOK_TEST_SLACK", f"http://127.0.0.1:{server.server_port}/hook")
    monkeypatch.setenv("OPSBOOK_TEST_WECOM", f"http://127.0.0.1:{closed}/cgi-bin/webhook/send?key=SECRETKEY")
    config_file = tmp_path / "notify.yaml"
    config_file.write_text("link_base: https://reports.example.com/opsbook/\nwebhooks:\n"
                           "  - kind: slack\n    url_env: OPSBOOK_TEST_SLACK\n"
                           "  - kind: wecom\n    url_env: OPSBOOK_TEST_WECOM\n", encoding="utf-8")
    try:
        done = opsbook("run-all", "--period", "2026-10", "--notebooks", "content_planning", "--lang", "en",
                       "--pdf", "--notify", str(config_file), "--out", str(tmp_path / "out"))
    finally:
        server.shutdown()
    assert done.returncode == 1, done.stderr[-3000:]  # the WeCom channel failed ...
    assert "SECRETKEY" not in done.stderr and "notify: slack: sent" in done.stderr
    folder = tmp_path / "out" / "packs" / "2026-10"  # ... and the pack, its PDFs and the Slack message stand
    record = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
    assert record["failed"] == 0 and (folder / "index.html").is_file()
    from pypdf import PdfReader

    index_text = "".join(p.extract_text() for p in PdfReader(folder / "index.pdf").pages)
    assert "Report pack · Oct 2026" in index_text and "Content planning" in index_text
    report_text = "".join(p.extract_text() for p in PdfReader(tmp_path / "out" / "content_planning" / "2026-11" /
                                                              "report.pdf").pages)
    assert record["runs"][0]["title"].split(" · ")[0] in report_text
    assert len(posted) == 1
    text = str(posted[0]["text"])
    assert "Report pack · Oct 2026" in text
    assert "https://reports.example.com/opsbook/content_planning/2026-11/report.html" in text
