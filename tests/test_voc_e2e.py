"""End-to-end: `opsbook run voice_of_customer` on the sample finds the planted effects, in both languages.

What the sample plants (helpers.sample.PLANTED, helpers/sample_comments.py) and what the run must say:
- the logistics spike on own_douyin, 2026-10-21 and 10-22 (450 extra complaints, evenings): a critical
  incident of own_douyin starting on 10-21, with the risk register's SOP (R13: 客服主管, 24 h / 48 h);
- the 敏感肌 question cluster (320 near-duplicate wordings in 2026-10): the most asked question group;
- the logistics complaints make the theme holding most negative comments a delivery theme;
- the rising keyword 礼盒 (30 comments in 2026-09, 240 in 2026-10): rising;
- the comment bots: 4 users × 40 comments on each of 5 days, all in 2026-10 → 800 rows removed as bots;
- the planted spam texts carry links or contact lures → removed as link spam, never kept.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import report_checks
from cli_run import run_notebook
from helpers.planning.session import read_extra_topic_banks
from helpers.sample import PLANTED

pytestmark = pytest.mark.slow

LOGISTICS_WORDS = {"物流", "发货", "快递", "没到", "催单", "没收到"}


def run(out: Path, *pairs: tuple[str, str]) -> Path:
    """Run the notebook through the CLI and return its run folder."""
    return run_notebook(out, "voice_of_customer", *pairs)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> dict[str, Path]:
    """The run folder in each language (one notebook run per language)."""
    return {lang: run(tmp_path_factory.mktemp(f"voc-{lang}"), *((("lang", "en"),) if lang == "en" else ()))
            for lang in ("zh-CN", "en")}


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_the_logistics_spike_is_a_critical_incident_with_its_owner(reports: dict[str, Path]) -> None:
    summary = summary_of(reports["en"])
    account, days = PLANTED.logistics_spike
    first = summary["alerts"]["list"][0]
    assert (first["account_id"], first["severity"]) == (account, "critical")
    assert first["start"].startswith(days[0])
    assert first["negative"] >= sum(PLANTED.logistics_spike_counts) * 0.8  # most planted complaints read negative
    assert summary["alerts"]["sop"] == {"owner": "客服主管", "risk_id": PLANTED.voc_risk, "respond_within_h": 24.0,
                                        "escalate_after_h": 48.0}


def test_questions_themes_and_rising_words_are_found(reports: dict[str, Path]) -> None:
    summary = summary_of(reports["en"])
    assert "敏感" in summary["questions"]["top"][0]["question"]
    negative_theme = next(t for t in summary["themes"] if t["theme"] == summary["negative_theme"]["theme"])
    assert LOGISTICS_WORDS & set(negative_theme["top_terms"][:3])
    assert summary["negative_theme"]["share_of_negative"] > 0.3
    assert PLANTED.rising_keyword in summary["rising_keywords"]


def test_bots_and_spam_are_removed_and_counted(reports: dict[str, Path]) -> None:
    cleaning = summary_of(reports["en"])["cleaning"]
    in_period = [d for d in PLANTED.comment_bot_days if d.startswith("2026-10")]
    assert cleaning["bot"] == len(PLANTED.comment_bots) * len(in_period) * PLANTED.comment_bot_daily
    assert cleaning["link_spam"] > 0
    assert set(cleaning) == {"empty", "link_spam", "bot", "duplicate", "repeated_text", "kept"}


def test_sentiment_split_and_accuracy_are_in_the_summary(reports: dict[str, Path]) -> None:
    summary = summary_of(reports["en"])
    split = summary["sentiment"]
    assert split["positive"] + split["neutral"] + split["negative"] == split["scored"] <= split["comments"]
    assert split["net_sentiment"] == pytest.approx(split["positive_share"] - split["negative_share"])
    assert summary["net_sentiment_target"] == PLANTED.net_sentiment_target
    rows = {(r["language"], r["method"]): r for r in summary["sentiment_evaluation"]}
    assert rows[("zh", "model")]["chosen"] and rows[("zh", "model")]["macro_f1"] > rows[("zh", "lexicon")]["macro_f1"]
    assert summary["sentiment_methods"]["zh"] == "model"


def test_reports_in_both_languages_lead_with_the_incident(reports: dict[str, Path]) -> None:
    words = {"zh-CN": ("用户声音与舆情", "舆情：青柠生活·抖音", "方法、怎么读、注意事项"),
             "en": ("Voice of the customer", "Public-opinion incident: 青柠生活·抖音", "Method, how to read it")}
    for lang, folder in reports.items():
        html = (folder / "report.html").read_text(encoding="utf-8")
        for text in words[lang]:
            assert text in html, (lang, text)
        assert re.search(r"\bu\d{6}\b", html) is None  # no user id anywhere in the report


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_report_is_written_in_its_language(reports: dict[str, Path], sample_dir: Path, lang: str) -> None:
    page = (reports[lang] / "report.html").read_text(encoding="utf-8")
    comments = " ".join(pd.read_csv(sample_dir / "comments.csv", usecols=["text"], encoding="utf-8-sig")["text"]
                        .dropna())
    # users' words (keywords, theme names, questions, comments) are the data's own text in either language
    words = {run for node in report_checks.visible_text(page) for run in re.findall(r"[\u3400-\u9fff]+", node)
             if run in comments}
    # the Method notes name the Chinese question marks and crisis words they look for, and the field's word 舆情
    marks = {"吗", "呢", "怎么", "多少", "哪里", "能不能", "可不可以", "有没有", "是否", "为什么", "怎么这么好用",
             "舆情", "投诉", "退款", "假货", "过敏"}
    allowed = report_checks.data_text(sample_dir) | words | marks
    assert report_checks.untranslated_text(page, lang, allowed) == []
    assert f'<html lang="{lang}">' in page
    assert page.index('class="ops-summary"') < page.index('id="data"') < page.index('id="appendix"')


def test_topic_bank_rows_open_in_excel_and_content_planning_reads_them(reports: dict[str, Path]) -> None:
    path = reports["zh-CN"] / "tables" / "topic_bank_from_comments.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the Chinese
    rows = read_extra_topic_banks([path])
    assert len(rows) > 0 and set(rows["source"]) == {"comments"} and "敏感" in rows["topic"].iloc[0]
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert list(frame.columns) == ["topic", "pillar", "format", "source", "strategic_weight", "notes"]


def test_no_table_carries_user_ids(reports: dict[str, Path]) -> None:
    for csv in (reports["en"] / "tables").glob("*.csv"):
        frame = pd.read_csv(csv, encoding="utf-8-sig")
        assert "user_id" not in frame.columns, csv.name
