"""End-to-end: the period review's report in zh-CN (the default) and en, summary first, every string in its language.

One `opsbook run period_review` per language (module-scoped), on the sample data's October 2026.
The expectations come from the sample's planted effects (helpers.sample.PLANTED) and its accounts
table: the 青柠生活 accounts on 抖音, 小红书, 微信 and 微博; own_xhs misses its net-follower target.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import report_checks
from cli_run import opsbook
from helpers.nlp.clean import mask_personal_data, safe_text

pytestmark = pytest.mark.slow
TITLES = {"zh-CN": "月度复盘 · 青柠生活 · 2026年10月", "en": "Monthly review · 青柠生活 · Oct 2026"}


@pytest.fixture(scope="module")
def reports(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The run folder of October 2026 in each language: zh-CN by default, en with -p lang en."""
    folders = {}
    for lang, extra in (("zh-CN", ()), ("en", ("-p", "lang", "en"))):
        out = tmp_path_factory.mktemp(f"review-{lang}")
        result = opsbook("run", "period_review", "--period", "2026-10", "--out", str(out), "--quiet", *extra)
        assert result.returncode == 0, result.stderr[-4000:]
        folders[lang] = out / "period_review" / "2026-10"
    return folders


def _allowed(sample_dir: Path) -> set[str]:
    """Text from the data: names, titles, topics; the brand the account names share; campaign and creative ids."""
    allowed = report_checks.data_text(sample_dir)
    names = pd.read_csv(sample_dir / "accounts.csv", encoding="utf-8-sig")
    allowed |= {name.split("·")[0] for name in names.loc[names["owner"] == "own", "name"]}
    ads = pd.read_csv(sample_dir / "ad_daily.csv", usecols=["campaign_id", "creative_id"], encoding="utf-8-sig")
    # customers' comments as the crisis cases quote them: cleaned (NFKC: ，→ , and ！→ !) and masked
    texts = pd.read_csv(sample_dir / "comments.csv", usecols=["text"], dtype=str, encoding="utf-8-sig")["text"]
    allowed |= set(mask_personal_data(safe_text(texts.dropna())))
    return allowed | set(ads["campaign_id"]) | set(ads["creative_id"])


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_report_is_written_in_its_language_summary_first(reports: dict[str, Path], sample_dir: Path,
                                                         lang: str) -> None:
    page = (reports[lang] / "report.html").read_text(encoding="utf-8")
    assert report_checks.untranslated_text(page, lang, _allowed(sample_dir)) == []
    assert f'<html lang="{lang}">' in page
    assert f"<title>{TITLES[lang]}</title>" in page
    # the summary comes before the first section, the appendix after the last
    first_section = page.index('id="data"')
    assert page.index('class="ops-summary"') < first_section < page.index('id="appendix"')
    summary = json.loads((reports[lang] / "summary.json").read_text(encoding="utf-8"))
    assert summary["title"] == TITLES[lang] and summary["lang"] == lang
    assert summary["kpis"]["own_xhs"]["net_follower_change"]["status"] == "at risk"  # machine keys stay English


def test_chinese_report_reads_like_a_review(reports: dict[str, Path]) -> None:
    page = (reports["zh-CN"] / "report.html").read_text(encoding="utf-8")
    text = " ".join(report_checks.visible_text(page))
    # the total's net follower change: 16,401 of 18,317 = 89.54 % → "89.5%", never "90%" next to 风险
    assert "达成率 89.5%，目标 18,317" in text and "▲ 风险" in text
    assert "环比（日均）" in text and "同比（日均）" in text and "1,586.6万" in text
    assert "青柠生活·小红书" in text and "own_xhs" not in text           # accounts by name
    assert not re.search(r"\b\d+\.5 (profile visits|主页访问)", text)   # counts are whole
    assert "True" not in text and "False" not in text and "T00:00:00" not in text
    assert "<details>" in page and "方法、怎么读、注意事项" in page


def test_english_report_states_what_the_alert_fit_can_learn(reports: dict[str, Path]) -> None:
    page = (reports["en"] / "report.html").read_text(encoding="utf-8")
    # the fit sees the period and the preceding 120 days and cannot learn a festival: the note says festival
    # windows are listed apart, and what the threshold costs in false alarms
    assert "unless the data has a full year" not in page
    assert "they are listed apart as festival moves, not as anomalies" in page
    assert "At |z| ≥ 3.5 an ordinary day alerts with probability 0.047%" in page
    text = " ".join(report_checks.visible_text(page))
    assert "Attainment 89.5% of 18,317" in text and "▲ at risk" in text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_first_screen_fits_and_opens_with_the_summary(reports: dict[str, Path], lang: str, tmp_path: Path) -> None:
    seen = report_checks.check_page_in_browser(reports[lang] / "report.html", tmp_path / f"period_review-{lang}.png")
    assert seen.overflowing == []
    assert seen.summary_top < 900
    assert seen.lang == lang and seen.title == TITLES[lang]


def test_reputation_kpis_and_crisis_cases_are_in_the_review(reports: dict[str, Path]) -> None:
    """The sample's comments table gives the board net sentiment with its target (PLANTED.net_sentiment_target per own
    account per month) and the planted logistics spike on own_douyin (2026-10-21 and 22, 19:00–23:00) is a crisis."""
    from helpers.sample import PLANTED

    summary = json.loads((reports["en"] / "summary.json").read_text(encoding="utf-8"))
    account, (first, second) = PLANTED.logistics_spike
    net = summary["kpis"][account]["net_sentiment"]
    assert net["target"] == pytest.approx(PLANTED.net_sentiment_target)
    assert net["attainment"] == pytest.approx(net["actual"] / PLANTED.net_sentiment_target)
    assert net["actual"] < net["previous"]   # the spike's ~450 negative comments pull October down
    assert {"comments", "negative_share", "net_sentiment"} <= set(summary["kpis"]["total"])
    tables = reports["en"] / "tables"
    split = pd.read_csv(tables / "sentiment_split.csv", encoding="utf-8-sig")
    october = split[(split["window"] == "period") & (split["account_id"] == "total")].iloc[0]
    assert october["positive"] + october["neutral"] + october["negative"] == october["scored"] <= october["comments"]
    assert october["net_sentiment"] == pytest.approx((october["positive"] - october["negative"]) / october["scored"])
    crises = pd.read_csv(tables / "crisis_cases.csv", encoding="utf-8-sig", parse_dates=["start"])
    critical = crises[crises["severity"] == "critical"]
    assert set(critical["account_id"]) == {account}
    assert {f"{d:%Y-%m-%d}" for d in critical["start"]} == {first, second}
    assert set(crises["owner"].dropna()) and (crises["risk_id"] == PLANTED.voc_risk).all()
    page = (reports["en"] / "report.html").read_text(encoding="utf-8")
    assert "Reputation and crisis cases" in page and "Net sentiment" in page
    zh = " ".join(report_checks.visible_text((reports["zh-CN"] / "report.html").read_text(encoding="utf-8")))
    assert "净情感值" in zh and "舆情事件" in zh and "舆情预警" in zh
