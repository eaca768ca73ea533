"""helpers.review.outputs: each section's tables and figures land in the run folder; the displays come back in order."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd

from helpers.report import RunOutputs
from helpers.review import outputs
from helpers.review.ads import AdsReview
from helpers.review.attribution import AttributionReview
from helpers.review.risks import RiskReview


def _run(tmp_path: Path) -> RunOutputs:
    return RunOutputs("period_review", tmp_path / "run")


def _csv(out: RunOutputs, name: str) -> pd.DataFrame:
    return pd.read_csv(out.path / "tables" / f"{name}.csv", encoding="utf-8-sig")


def test_show_tables_writes_each_table_and_returns_them_styled_in_order(tmp_path: Path) -> None:
    out = _run(tmp_path)
    tables = {"b_first": pd.DataFrame({"x": [1]}), "a_second": pd.DataFrame({"y": ["<b>"]})}
    shown = outputs.show_tables(out, tables)
    assert out.tables == ["b_first", "a_second"]
    assert _csv(out, "a_second")["y"].tolist() == ["<b>"]
    assert len(shown) == 2 and "&lt;b&gt;" in shown[1].to_html()  # data text escaped for display


def test_sections_without_data_write_and_show_nothing(tmp_path: Path) -> None:
    out = _run(tmp_path)
    assert outputs.ads_views(out, None) == []
    assert outputs.attribution_views(out, None) == []
    assert outputs.risk_views(out, None) == []
    assert out.tables == [] and out.figures == []


def test_ads_views_show_three_tables_then_the_roas_chart(tmp_path: Path) -> None:
    out = _run(tmp_path)
    campaigns = pd.DataFrame({"campaign_id": ["a", "b"], "spend": [1000.0, 1000.0], "revenue": [1800.0, 5000.0],
                              "ctr": [0.05, 0.06], "cpa": [10.0, 8.0], "cvr": [0.01, 0.02], "roas": [1.8, 5.0],
                              "stop_loss": [True, False]})
    creatives = pd.DataFrame({"campaign_id": ["a"], "creative_id": ["a1"], "spend": [1000.0], "ctr": [0.02],
                              "cvr": [0.01], "roas": [1.8], "keep": [False]})
    budget = pd.DataFrame({"campaign_id": ["a", "b", "flexible reserve"], "spend": [1000.0, 1000.0, 0.0],
                           "roas": [1.8, 5.0, float("nan")], "suggested_spend": [0.0, 1800.0, 200.0],
                           "change": [-1000.0, 800.0, 200.0], "expected_revenue": [0.0, 9000.0, float("nan")]})
    ads = AdsReview(campaigns=campaigns, creatives=creatives, budget=budget, roas_floor=3.0, ctr_keep=0.05)
    views = outputs.ads_views(out, ads)
    assert out.tables == ["ads_campaigns", "ads_creatives", "budget_shift"] and out.figures == ["roas"]
    assert len(views) == 4 and type(views[3]).__name__ == "Image"
    campaigns_html, budget_html = views[0].to_html(), views[2].to_html()
    assert "<code>a</code>" in campaigns_html and "1.80" in campaigns_html and "yes" in campaigns_html
    # the reserve row is named as a budget line; 0 spend shows as 0, not 0.00; +800 as a signed whole amount
    assert "flexible reserve" in budget_html and ">0<" in budget_html and "+800" in budget_html


def test_attribution_views_show_shares_chart_and_assist_ratios(tmp_path: Path) -> None:
    out = _run(tmp_path)
    comparison = pd.DataFrame({"model": ["last_touch", "markov"], "channel": ["weibo", "weibo"],
                               "conversions": [4.0, 4.0], "value": [1.0, 1.0], "share": [0.25, 0.125]})
    credited = AttributionReview(journeys=pd.DataFrame(), comparison=comparison,
                                 assist=pd.DataFrame({"channel": ["weibo"], "last_touch": [4.0], "linear": [4.0],
                                                      "markov": [4.0], "linear_ratio": [1.0], "markov_ratio": [1.0],
                                                      "label": ["balanced"]}))
    views = outputs.attribution_views(out, credited)
    assert out.tables == ["attribution", "assist_ratio"] and out.figures == ["attribution"]
    shares = views[0].to_html()
    assert "25.0%" in shares and "12.5%" in shares  # the share per model, one decimal
    assert "Weibo" in shares and "Markov chain" in shares and "last_touch" not in shares  # names, not codes
    assert "balanced" in views[2].to_html()
    assert len(views) == 3


def test_risk_views_write_the_register_and_show_matrix_and_top(tmp_path: Path) -> None:
    out = _run(tmp_path)
    register = pd.DataFrame({"risk_id": ["R1"], "category": ["platform-rule"], "description": ["限流"],
                             "probability": [0.5], "impact": [4], "score": [2.0], "level": ["high"],
                             "owner": ["Li"], "mitigation": ["<backup>"], "status": ["open"]})
    matrix = pd.DataFrame([[1]], index=[5], columns=["likely"])
    views = outputs.risk_views(out, RiskReview(register=register, matrix=matrix, top=register))
    assert out.tables == ["risk_register"] and out.figures == ["risk_matrix"] and len(views) == 2
    top = views[1].to_html()
    # score 0.5 × 4 = 2.00: shown with its parts; the level and category as words; data text escaped
    assert "2.00 = 50% × 4" in top and "platform rules" in top and "&lt;backup&gt;" in top
