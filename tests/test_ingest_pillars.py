"""Pillar rules: keywords in title/topics tag imported posts; no match stays missing; sources recorded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import ParameterError
from helpers.ingest.pillars import PillarRules, load_rules

RULES = PillarRules((("成分科普", ("成分", "烟酰胺")), ("教程", ("教程", "How to")), ("品牌活动", ("直播",))))


def _posts() -> pd.DataFrame:
    return pd.DataFrame({
        "title": ["烟酰胺怎么用", "直播教程回放", "how to layer serums", "秋冬面霜横评", "新品直播", None],
        "topics": [None, None, None, "护肤教程", None, "成分党"],
        "pillar": [None, None, None, None, "用户故事", None],
    })


def test_first_matching_pillar_in_file_order_and_missing_when_nothing_matches() -> None:
    tagged = RULES.tag(_posts())
    # row 1 has 直播 and 教程: 教程 comes first in the rules; row 2 matches "How to" case-insensitively;
    # row 3 matches through its topics; row 4 keeps the pillar the export had; row 5 matches its topic 成分党.
    assert tagged["pillar"].tolist()[:5] == ["成分科普", "教程", "教程", "教程", "用户故事"]
    assert tagged["pillar"].iloc[5] == "成分科普"
    assert tagged["pillar_source"].tolist() == ["rule", "rule", "rule", "rule", "export", "rule"]


def test_no_match_stays_missing_not_other() -> None:
    tagged = RULES.tag(pd.DataFrame({"title": ["今日穿搭"], "pillar": [None]}))
    assert tagged["pillar"].isna().all() and tagged["pillar_source"].isna().all()


def test_retag_changes_rule_tags_only() -> None:
    first = RULES.tag(_posts())
    narrower = PillarRules((("品牌活动", ("直播",)),))
    again = narrower.tag(first, retag=True)
    # rule-tagged rows are re-decided (直播 → 品牌活动; the others match nothing now and fall back to missing);
    # the export's own pillar is never touched
    assert again["pillar"].iloc[1] == "品牌活动" and again["pillar"].iloc[4] == "用户故事"
    assert again["pillar"].iloc[0] is pd.NA or pd.isna(again["pillar"].iloc[0])
    assert again["pillar_source"].iloc[4] == "export"


def test_load_rules_checks_the_file(tmp_path: Path) -> None:
    good = tmp_path / "pillars.yaml"
    good.write_text("教程: [教程, 步骤]\n活动: 直播\n", encoding="utf-8")
    rules = load_rules(good)
    assert rules.rules == (("教程", ("教程", "步骤")), ("活动", ("直播",)))
    bad = tmp_path / "bad.yaml"
    bad.write_text("教程: {a: 1}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="pillar '教程': give a list of keywords"):
        load_rules(bad)
    with pytest.raises(ParameterError, match="no such pillar rules file"):
        load_rules(tmp_path / "missing.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(ParameterError, match="expected 'pillar"):
        load_rules(tmp_path / "empty.yaml")
