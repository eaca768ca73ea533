"""What KOL vetting says (helpers.kol.findings): each reason in words with its figures formatted as the suite
formats them, in English and zh-CN; the decision, rejection, after-campaign, coverage and set-up lines on
hand-made results; the first screen's limits and links; no code identifiers in anything a reader sees; every
view renders in both languages.

Every expected sentence is written out by hand from the frames built here (the zh-CN ones from the kol.po
translations), never copied from the code's output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from helpers import config, i18n
from helpers.kol import analysis, findings, session
from helpers.kol.analysis import Ranked
from helpers.kol.session import KolParameters, KolRun
from helpers.kol.shortlist import Thresholds
from helpers.sample import PLANTED
from helpers.schema import TABLES
from kol_steps import all_steps, notebook_defaults

NAN = np.nan
CJK = re.compile(r"[\u3400-\u9fff]")


def _settings(**changes: Any) -> KolParameters:
    base: dict[str, Any] = dict(
        data_dir=Path("/data/mydata"), platforms=(), categories=(), brand_accounts=("own_xhs",), as_of=None,
        recent_days=90, fake_threshold=0.30, interaction_threshold=0.05, min_fit=0.7,
        fit_weights={"gender": 0.5, "interests": 0.5}, feed_channels={"douyin": "douyin_feed"}, cpa_ratio_max=1.0,
        score_weights={"fit": 0.3, "interaction": 0.3, "authenticity": 0.2, "cost": 0.2},
        attribution_model="linear", rebook_roi=3.0)
    return KolParameters(**{**base, **changes})


KOLS = pd.DataFrame({"kol_id": ["k1", "k2", "k3", "k4", "k5", "k6"],
                     "platform": ["xiaohongshu", "douyin", "xiaohongshu", "douyin", "weibo", "xiaohongshu"],
                     "name": ["小A", "小B", "小C", "小D", "小E", "小F"], "followers": [1e5] * 6,
                     "category": ["护肤"] * 6, "price": [5000.0] * 6})


def _run(**changes: Any) -> KolRun:
    return KolRun(settings=_settings(**changes), as_of=pd.Timestamp("2026-11-14"), lang="en", tables={}, kols=KOLS)


ROW = pd.Series({"kol_id": "k2", "fake_share": 0.5512, "fake_low": 0.4921, "fake_high": 0.6073,
                 "fake_basis": "follower sample", "rate": 0.0468, "fit": 0.4837, "cpa": 84.46, "feed_cpa": 33.78,
                 "cpa_ratio": 2.5, "break_even_price": 106400.0, "price": 266000.0})

# --------------------------------------------------------------------------- reasons in words

REASONS_EN = {
    "fake_above": "fake followers 55.1% (49.2%–60.7%), above the 30.0% limit",
    "fake_borderline": "fake followers 55.1%, but the interval reaches 60.7%, above 30.0%: ask for a follower sample "
                       "or a delivery guarantee",
    "fake_unknown": "no evidence on fake followers: ask for a follower sample or the follower history",
    "rate_below": "real interaction rate 4.7%, not above 5.0%",
    "rate_unknown": "no organic posts to measure the real interaction rate",
    "fit_below": "audience fit 0.48, below 0.70: its followers are not the brand's",
    "fit_unknown": "no audience data: ask for the platform's audience shares",
    "cpa_above": "expected CPA 84.46 is 2.5× the feed CPA 33.78: worth it at 106,400 or less (quoted 266,000)",
    "no_price": "no price quoted: ask for one",
    "no_cost_basis": "no feed CPA or conversion history to judge the price against",
    "all_pass": "passes every screen: fake followers 55.1% (follower sample), real interaction 4.7%, fit 0.48, "
                "expected CPA 84.46 against the feed's 33.78",
}
# zh-CN: the kol.po translations with the same figures; money from 10万 is written in 万
REASONS_ZH = {
    "fake_above": "虚假粉丝 55.1%（49.2%–60.7%），超过 30.0% 上限",
    "fake_borderline": "虚假粉丝 55.1%，但区间上限达 60.7%，超过 30.0%：要求提供粉丝抽样或效果保障",
    "fake_unknown": "没有虚假粉丝方面的证据：要求提供粉丝抽样或粉丝曲线",
    "rate_below": "真实互动率 4.7%，未高于 5.0%",
    "rate_unknown": "没有非商单作品，无法计算真实互动率",
    "fit_below": "受众匹配度 0.48，低于 0.70：粉丝不是品牌的目标人群",
    "fit_unknown": "没有粉丝画像：要求提供平台的粉丝画像",
    "cpa_above": "预计 CPA 84.46 是信息流 CPA 33.78 的 2.5 倍：报价不高于 10.6万 才划算（现报价 26.6万）",
    "no_price": "没有报价：先询价",
    "no_cost_basis": "没有信息流 CPA 或转化历史，无法判断报价",
    "all_pass": "各项筛选均通过：虚假粉丝 55.1%（粉丝抽样），真实互动率 4.7%，匹配度 0.48，"
                "预计 CPA 84.46，信息流为 33.78",
}


@pytest.mark.parametrize("code", sorted(REASONS_EN))
def test_each_reason_in_english_with_its_figures(code: str) -> None:
    assert findings.reason_text(code, ROW, _run()) == REASONS_EN[code]


@pytest.mark.parametrize("code", sorted(REASONS_ZH))
def test_each_reason_in_chinese_with_its_figures(code: str) -> None:
    with i18n.use_language("zh-CN"):
        assert findings.reason_text(code, ROW, _run()) == REASONS_ZH[code]


def test_reason_figures_follow_the_run_bars_and_missing_figures_read_as_missing() -> None:
    run = _run(fake_threshold=0.25, interaction_threshold=0.08, min_fit=0.65)
    assert findings.reason_text("fake_above", ROW, run).endswith("above the 25.0% limit")
    assert findings.reason_text("rate_below", ROW, run) == "real interaction rate 4.7%, not above 8.0%"
    assert "below 0.65" in findings.reason_text("fit_below", ROW, run)
    bare = pd.Series({"kol_id": "k1", "fake_share": NAN, "fake_low": NAN, "fake_high": NAN, "fake_basis": NAN,
                      "rate": NAN, "fit": NAN, "cpa": NAN, "feed_cpa": NAN, "cpa_ratio": NAN,
                      "break_even_price": NAN, "price": NAN})
    assert findings.reason_text("all_pass", bare, _run()) == (
        f"passes every screen: fake followers {i18n.MISSING} (no evidence), real interaction {i18n.MISSING}, fit "
        f"{i18n.MISSING}, expected CPA {i18n.MISSING} against the feed's {i18n.MISSING}")


# --------------------------------------------------------------------------- decisions and rejections


def _ranked(rows: list[dict[str, Any]]) -> Ranked:
    """A ranked table in the shortlist's order, with good screens unless a row says otherwise."""
    good = {"fake_share": 0.05, "fake_low": 0.03, "fake_high": 0.08, "fake_basis": "follower sample", "rate": 0.08,
            "fit": 0.85, "cpa": 20.0, "feed_cpa": 40.0, "cpa_ratio": 0.5, "break_even_price": 10000.0,
            "price": 5000.0, "score": 0.7}
    table = pd.DataFrame([{**good, **r} for r in rows])
    table = table.merge(KOLS[["kol_id", "platform", "name", "category"]], on="kol_id")
    table["rank"] = np.arange(1, len(table) + 1)
    sensitivity = pd.DataFrame({"kol_id": table["kol_id"], "rank": table["rank"], "rank_low": table["rank"],
                                "rank_high": table["rank"] + 1, "p_same_rank": 0.9})
    return Ranked(table, sensitivity, Thresholds())


def _mixed() -> Ranked:
    """2 accepted (k1 first), 1 to negotiate, 3 rejected."""
    return _ranked([
        {"kol_id": "k1", "decision": "accept", "reasons": "all_pass", "rate": 0.092, "fit": 0.9,
         "fake_share": 0.053, "cpa": 21.2, "feed_cpa": 33.78},
        {"kol_id": "k3", "decision": "accept", "reasons": "all_pass"},
        {"kol_id": "k2", "decision": "negotiate", "reasons": "cpa_above", "cpa_ratio": 2.0, "price": 8000.0,
         "break_even_price": 4000.0},
        {"kol_id": "k4", "decision": "reject", "reasons": "rate_below", "rate": 0.02},
        {"kol_id": "k5", "decision": "reject", "reasons": "fake_above;rate_below", "fake_share": 0.45,
         "fake_low": 0.4, "fake_high": 0.5, "rate": 0.01},
        {"kol_id": "k6", "decision": "reject", "reasons": "fit_below", "fit": 0.5},
    ])


def test_decision_line_counts_and_names_the_first_accepted_with_why() -> None:
    assert findings.decision_line(_mixed(), _run()) == (
        "2 to accept, 1 to negotiate, 3 to reject. First on the list: 小A (Xiaohongshu), passes every screen: fake "
        "followers 5.3% (follower sample), real interaction 9.2%, fit 0.90, expected CPA 21.20 against the feed's "
        "33.78.")
    with i18n.use_language("zh-CN"):
        line = findings.decision_line(_mixed(), _run())
    assert line.startswith("接受 2 位，谈判 1 位，拒绝 3 位。排第一：小A（小红书），各项筛选均通过：")


def test_decision_line_without_an_accepted_kol_only_counts() -> None:
    ranked = _ranked([{"kol_id": "k4", "decision": "reject", "reasons": "rate_below", "rate": 0.02},
                      {"kol_id": "k2", "decision": "negotiate", "reasons": "no_price", "price": NAN}])
    assert findings.decision_line(ranked, _run()) == "0 to accept, 1 to negotiate, 1 to reject."


def _rejections() -> Ranked:
    """Five rejected: by their most telling reason two on fake followers (k4 the clearest at 62 %), two on fit
    (k5 has rate_below too, but fit comes first; k1 the clearest at 0.41), one on the interaction rate."""
    return _ranked([
        {"kol_id": "k2", "decision": "reject", "reasons": "fake_above;rate_below", "fake_share": 0.45,
         "fake_low": 0.40, "fake_high": 0.50, "rate": 0.01},
        {"kol_id": "k4", "decision": "reject", "reasons": "fake_above;cpa_above", "fake_share": 0.62,
         "fake_low": 0.55, "fake_high": 0.68},
        {"kol_id": "k5", "decision": "reject", "reasons": "rate_below;fit_below", "rate": 0.03, "fit": 0.6},
        {"kol_id": "k1", "decision": "reject", "reasons": "fit_below", "fit": 0.41},
        {"kol_id": "k6", "decision": "reject", "reasons": "rate_below;no_price", "rate": 0.021, "price": NAN},
        {"kol_id": "k3", "decision": "accept", "reasons": "all_pass"},
    ])


def test_rejected_line_orders_fake_then_fit_then_rate_and_names_the_clearest_case() -> None:
    assert findings.rejected_line(_rejections(), _run()) == (
        "Rejected 5: on fake followers: 小D (Douyin) (fake followers 62.0% (55.0%–68.0%), above the 30.0% limit), "
        "and 1 more; on audience fit: 小A (Xiaohongshu) (audience fit 0.41, below 0.70: its followers are not the "
        "brand's), and 1 more; on real interaction rate: 小F (Xiaohongshu) (real interaction rate 2.1%, not above "
        "5.0%).")


def test_rejected_line_in_chinese() -> None:
    with i18n.use_language("zh-CN"):
        line = findings.rejected_line(_rejections(), _run())
    assert line == ("拒绝 5 位。虚假粉丝：小D（抖音）（虚假粉丝 62.0%（55.0%–68.0%），超过 30.0% 上限），另有 1 位；"
                    "受众匹配度：小A（小红书）（受众匹配度 0.41，低于 0.70：粉丝不是品牌的目标人群），另有 1 位；"
                    "真实互动率：小F（小红书）（真实互动率 2.1%，未高于 5.0%）。")


def test_rejected_line_leaves_out_reasons_nobody_was_rejected_for() -> None:
    ranked = _ranked([{"kol_id": "k6", "decision": "reject", "reasons": "rate_below", "rate": 0.02}])
    assert findings.rejected_line(ranked, _run()) == (
        "Rejected 1: on real interaction rate: 小F (Xiaohongshu) (real interaction rate 2.0%, not above 5.0%).")


# --------------------------------------------------------------------------- after the campaign


def _booked() -> pd.DataFrame:
    return pd.DataFrame({
        "kol_id": ["k1", "k2", "k1"], "campaign": ["kol_202607_k1", "kol_202609_k2", "kol_202610_k1"],
        "published_at": pd.to_datetime(["2026-07-03", "2026-09-05", "2026-10-02"]), "cost": [500.0, 600.0, 450.0],
        "engagements": [2400.0, 88.0, 1500.0], "predicted": [1100.0, 380.0, 1400.0], "p10": [900.0, 335.0, 1200.0],
        "p90": [1300.0, 428.0, 1600.0], "delivery": ["above", "below", "within"], "conversions": [40.0, 3.0, 20.0],
        "revenue": [2100.0, 528.0, 1350.0], "cpa": [12.5, 200.0, 22.5], "roi": [4.2, 0.88, 3.0],
        "rebook": [True, False, True], "reason": ["rebook", "roi_below_stop_loss", "rebook"]})


def test_after_line_counts_rebookings_and_explains_each_other_booking() -> None:
    assert findings.after_line(_booked(), _run()) == (
        "2 of 3 booked posts meet the rebook rule (ROI at least 3:1 and delivery not below the prediction). "
        "Rebook: 小A (Xiaohongshu). 小B (Douyin) (kol_202609_k2): ROI below the stop-loss; engagements 88 against "
        "335–428, ROI 0.9.")


def test_after_line_in_chinese() -> None:
    with i18n.use_language("zh-CN"):
        line = findings.after_line(_booked(), _run())
    assert line == ("3 条投放作品中 2 条达到复投条件（ROI 不低于 3:1，且表现不低于预测）。建议复投：小A（小红书）。"
                    "小B（抖音）（kol_202609_k2）：ROI 低于止损线；互动 88，预测 335–428，ROI 0.9。")


def test_after_summary_names_the_weakest_by_roi() -> None:
    assert findings.after_summary(_booked(), _run(rebook_roi=2.5)) == (
        "2 of 3 past bookings earned the rebook rule (ROI at least 2.5:1). Weakest: 小B (Douyin), ROI 0.9, "
        "engagements below the prediction.")
    unrated = _booked().assign(roi=NAN, reason="roi_unknown")
    assert findings.after_summary(unrated, _run()) == "0 of 3 past bookings earned the rebook rule (ROI at least 3:1)."


def test_nothing_booked_says_so() -> None:
    assert findings.after_line(None, _run()) == (
        "No post in kol_posts carries a campaign of ours: nothing booked to review yet.")


# --------------------------------------------------------------------------- coverage and set-up


def _coverage(sampled: list[float], dims: list[float], price: list[float]) -> pd.DataFrame:
    n = len(sampled)
    return pd.DataFrame({"kol_id": KOLS["kol_id"][:n], "platform": KOLS["platform"][:n],
                         "sampled_followers": sampled, "audience_dimensions": dims, "price": price})


def test_coverage_line_counts_missing_and_zero_as_gaps() -> None:
    # sample: k2 has 0 rows, k4 none (absent) → 2; audience: k3 has 0 → 1; price: k1 and k4 missing → 2
    coverage = _coverage([120.0, 0.0, 300.0, NAN], [5.0, 5.0, 0.0, 4.0], [NAN, 800.0, 1200.0, NAN])
    assert findings.coverage_line(coverage, _run(recent_days=60)) == (
        "4 KOLs screened as of Nov 14, 2026 (2 on Xiaohongshu, 2 on Douyin); posts of the 60 days before count. "
        "Gaps: 2 with no follower sample, 1 with no audience shares, 2 with no price.")
    with i18n.use_language("zh-CN"):
        assert findings.coverage_line(coverage, _run(recent_days=60)) == (
            "截至 2026年11月14日 共筛选 4 位达人（小红书 2 位、抖音 2 位）；统计此前 60 天内的作品。"
            "数据缺口：2 位没有粉丝抽样、1 位没有粉丝画像、2 位没有报价。")


def test_coverage_line_without_gaps() -> None:
    coverage = _coverage([120.0, 80.0], [5.0, 3.0], [800.0, 1200.0])
    assert findings.coverage_line(coverage, _run()) == (
        "2 KOLs screened as of Nov 14, 2026 (1 on Xiaohongshu, 1 on Douyin); posts of the 90 days before count.")


def test_a_price_of_zero_is_not_a_gap() -> None:
    coverage = _coverage([120.0, 80.0], [5.0, 3.0], [800.0, 0.0])
    assert findings.coverage_line(coverage, _run()) == (
        "2 KOLs screened as of Nov 14, 2026 (1 on Xiaohongshu, 1 on Douyin); posts of the 90 days before count.")


def test_setup_text_states_every_bar_and_the_data_folder() -> None:
    run = _run(platforms=("xiaohongshu", "douyin"), categories=("护肤", "美妆"), fake_threshold=0.25,
               interaction_threshold=0.04, min_fit=0.65, cpa_ratio_max=1.2, rebook_roi=2.5,
               attribution_model="markov", recent_days=60)
    assert findings.setup_text(run) == (
        "KOLs: 6 (Xiaohongshu, Douyin; categories 护肤, 美妆). Screened as of Nov 14, 2026, posts of the last 60 "
        "days. Bars: fake followers at most 25.0%, real interaction above 4.0%, audience fit at least 0.65, CPA at "
        "most 1.2× the feed CPA. Target audience: the followers of own_xhs. Rebook at ROI 2.5:1 or more (Markov "
        "attribution). Data: mydata.")
    assert findings.setup_text(_run()).startswith("KOLs: 6 (all platforms; all categories).")
    with i18n.use_language("zh-CN"):
        text = findings.setup_text(run)
    assert text.startswith("达人：6 位（小红书、抖音；类目 护肤、美妆）。筛选日 2026年11月14日，"
                           "统计最近 60 天的作品。")


# --------------------------------------------------------------------------- the sample: summary, views, wording


@pytest.fixture(scope="module")
def steps(sample_dir: Path) -> dict[str, Any]:
    """Every step on the sample with the notebook's defaults, once."""
    return all_steps(session.prepare(**notebook_defaults()))


def notebook_anchors() -> set[str]:
    """The anchors of the notebook's section headings."""
    text = (config.NOTEBOOKS / "kol_evaluation.ipynb").read_text(encoding="utf-8")
    return {f"#{a}" for a in re.findall(r'<a id=\\?"([^"\\]+)\\?"', text)}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_executive_summary_keeps_to_its_limits_and_links_to_sections(steps: dict[str, Any], lang: str) -> None:
    anchors = notebook_anchors()
    assert {"#candidates", "#shortlist", "#cost", "#after", "#appendix"} <= anchors
    with i18n.use_language(lang):
        s = findings.executive_summary(steps["run"], steps["ranked"], steps["spend"], steps["booked"])
    assert 1 <= len(s.tiles) <= 3 and 1 <= len(s.findings) <= 5 and 1 <= len(s.actions) <= 3
    hrefs = [s.verdict_href, *(t.href for t in s.tiles), *(f.href for f in s.findings), *(a.href for a in s.actions)]
    assert all(h in anchors for h in hrefs), set(hrefs) - anchors
    assert s.verdict == findings.decision_line(steps["ranked"], steps["run"]) if lang == "en" else CJK.search(s.verdict)


def test_executive_summary_on_the_sample_in_words(steps: dict[str, Any]) -> None:
    ranked = steps["ranked"].table
    counts = ranked["decision"].value_counts()
    s = findings.executive_summary(steps["run"], steps["ranked"], steps["spend"], steps["booked"])
    assert s.tiles[0].value == str(counts["accept"])
    assert s.tiles[0].lines == (f"of {len(ranked)} screened",
                                f"{counts['negotiate']} to negotiate, {counts['reject']} rejected")
    assert s.findings[0].text.startswith(f"Rejected {counts['reject']}: on fake followers: 糖糖爱美妆 (Xiaohongshu)")
    assert s.findings[0].status == "bad"
    # the 6 planted bookings: the under-delivered one is the only one not rebooked
    assert s.tiles[-1].value == "5 of 6"


def test_executive_summary_with_nothing_accepted_or_booked() -> None:
    ranked = _ranked([{"kol_id": "k4", "decision": "reject", "reasons": "rate_below", "rate": 0.02},
                      {"kol_id": "k2", "decision": "negotiate", "reasons": "no_price", "price": NAN}])
    spend = analysis.Cost(feed=pd.DataFrame(), expected=pd.DataFrame(), credit=None, conversion_rate=None,
                          table=pd.DataFrame(), feed_start=pd.Timestamp("2026-08-17"))
    s = findings.executive_summary(_run(), ranked, spend, None)
    assert s.verdict == "0 to accept, 1 to negotiate, 1 to reject." and s.verdict_status == "watch"
    assert [t.value for t in s.tiles] == ["0"]
    assert [a.text for a in s.actions] == [
        "Ask 小B (Douyin) for the missing data (follower sample, audience shares or a price) before deciding."]
    assert s.findings[-1].text == ("No booking history with attributed conversions: KOLs are compared on cost per "
                                   "engagement only.")


def _visible(steps: dict[str, Any]) -> list[str]:
    """Every sentence, summary line and view cell of the sample run in the current language."""
    r = steps
    run = r["run"]
    texts = [findings.coverage_line(r["coverage"], run), findings.limit_line(r["fake"], run),
             findings.borderline_line(r["fake"], run),
             findings.rate_line(r["rates"], run), findings.fit_line(r["fit"], run), findings.cost_line(r["spend"], run),
             findings.decision_line(r["ranked"], run), findings.after_line(r["booked"], run),
             findings.setup_text(run), findings.written_line(["a", "b"], ["c"]),
             repr(findings.executive_summary(run, r["ranked"], r["spend"], r["booked"]))]
    for view in (findings.coverage_view(r["coverage"], run), findings.fake_view(r["fake"], run),
                 findings.rate_view(r["rates"], run), findings.fit_view(r["fit"], run),
                 findings.feed_view(r["spend"], run), findings.cost_view(r["spend"], run),
                 findings.shortlist_view(r["ranked"], run), findings.after_view(r["booked"], r["ranked"], run)):
        html = view.to_html()
        assert "<table" in html
        texts.append(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", html, flags=re.S)))
    return texts


def _data_ids(steps: dict[str, Any]) -> set[str]:
    """Ids and names that come from the data: KOL ids, our campaigns, account ids, ad channels, table names."""
    run = steps["run"]
    ids = set(run.kol_ids) | set(steps["booked"]["campaign"]) | set(run.tables["accounts"]["account_id"])
    ids |= set(run.tables["ad_daily"]["channel"]) | set(TABLES)
    return ids


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_no_code_identifier_reaches_the_reader(steps: dict[str, Any], lang: str) -> None:
    allowed = _data_ids(steps)
    with i18n.use_language(lang):
        texts = _visible(steps)
    words = {w for t in texts for w in re.findall(r"(?<![\w.#/])[A-Za-z]+(?:_[A-Za-z0-9]+)+", t)}
    assert words - allowed == set()
    for code in ("fake_above", "fit_below", "rate_below", "cpa_above", "all_pass", "kol_id", "follower_sample"):
        assert all(code not in t for t in texts), code


def test_views_render_in_chinese_with_chinese_headers(steps: dict[str, Any]) -> None:
    r = steps
    run = r["run"]
    with i18n.use_language("zh-CN"):
        html = findings.shortlist_view(r["ranked"], run).to_html()
        after = findings.after_view(r["booked"], r["ranked"], run).to_html()
        cover = findings.coverage_view(r["coverage"], run).to_html()
    assert ">接受<" in html and ">拒绝<" in html and "accept" not in html
    assert "虚假粉丝 55.0%" in html  # the planted fake account's reason, in Chinese
    assert "ROI 低于止损线" in after
    assert all(CJK.search(h) for h in (html, after, cover))


def test_tables_are_one_per_step_and_csv_ready(steps: dict[str, Any]) -> None:
    r = steps
    tables = findings.tables(r["run"], r["coverage"], r["fake"], r["rates"], r["fit"], r["spend"], r["ranked"],
                             r["booked"])
    shortlist = tables["shortlist"]
    assert shortlist is not None and len(shortlist) == len(r["run"].kols)
    assert {"decision", "reasons", "why", "score", "rank_low", "rank_high"} <= set(shortlist.columns)
    # The CSV says why in words: the planted bought-follower account's 165/300 empty profiles, not a reason code.
    fake = shortlist.set_index("kol_id").loc[PLANTED.kol_fake_id]
    assert fake["reasons"].startswith("fake_above") and "fake followers 55.0%" in fake["why"]
    assert "_" not in "".join(shortlist["why"])
    for name, frame in tables.items():
        if frame is not None:
            json.dumps(frame.head(2).to_csv())  # plain text
            assert isinstance(frame, pd.DataFrame), name
