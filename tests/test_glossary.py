"""The bilingual glossary: complete for the KPIs, both languages filled, docs/glossary.md up to date."""

from __future__ import annotations

from collections import Counter

from helpers import config, glossary
from helpers.review.kpis import KPIS


def test_docs_glossary_is_generated_from_the_yaml() -> None:
    assert (config.ROOT / "docs" / "glossary.md").read_text(encoding="utf-8") == glossary.glossary_markdown(), (
        "docs/glossary.md is stale: run `make docs`")


def test_every_kpi_of_the_review_has_a_term() -> None:
    missing = [k for k in KPIS if k.replace("_", "-") not in glossary.terms() and k not in ("ad_spend",)]
    assert missing == []
    assert "ad-spend" in glossary.terms() and "roas" in glossary.terms()


def test_terms_have_unique_ids_and_both_languages() -> None:
    ids = Counter(t.id for s in glossary.sections() for t in s.terms)
    assert [i for i, n in ids.items() if n > 1] == []
    for term in glossary.terms().values():
        assert term.zh and term.en and term.zh_def and term.en_def, term.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in term.zh_def), f"{term.id}: zh_def is not Chinese"


def test_glossary_page_is_in_the_reports_language() -> None:
    zh = glossary.glossary_html("zh-CN")
    en = glossary.glossary_html("en")
    assert '<html lang="zh-CN">' in zh and "<h1>术语表</h1>" in zh and 'id="attainment"' in zh
    assert "达成率 <span" in zh and "<h1>Glossary</h1>" in en and "attainment <span" in en
