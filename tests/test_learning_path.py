"""docs/learning_path.md: every answer marked `<!-- check: name -->` is what the suite computes on the sample.

The value right before each marker is compared with the suite's result, formatted as the doc writes
it; a marker without a computation, or a computation without a marker, fails too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import config, i18n

DOC = config.ROOT / "docs" / "learning_path.md"
MARKED = re.compile(r"([^\s（(：:]+)<!-- check: (\w+) -->")
PLATFORMS = ("douyin", "xiaohongshu", "wechat", "weibo")


def _percent(value: float) -> str:
    return i18n.fmt_percent(value, 2)


@cache
def _review() -> dict[str, str]:
    from helpers.review import anomalies, kpis, session

    answers: dict[str, str] = {}
    statuses = {}
    for base in ("impressions", "followers"):
        run = session.prepare(account="own", period_type="month", period="2026-10", data_dir="", er_base=base,
                              anomaly_method="stl", anomaly_threshold=3.5, bot_iqr_k=1.5, roas_stop_loss=3.0,
                              ctr_keep=0.05, targets_source="data", trend_periods=6, top_n=5, markov_value="share",
                              min_coverage=0.8, lang="en")
        bots = anomalies.check_bot_traffic(run.daily, run.period.start, run.period.end, k=run.bot_iqr_k)
        board = kpis.scorecard(bots.clean_daily, run.posts, run.ad_daily, run.accounts, run.targets, run.period,
                               er_base=run.er_base, roas_floor=run.roas_stop_loss)
        rates = board[(board["kpi"] == "engagement_rate") & (board["account_id"] != "total")].set_index("platform")
        answers.update({f"er_{base}_{p}": _percent(rates.loc[p, "actual"]) for p in PLATFORMS})
        statuses[base] = rates["status"]
    answers["er_status_changes"] = str(int((statuses["impressions"] != statuses["followers"]).sum()))
    for threshold, name in ((3.5, "3_5"), (3.0, "3_0")):
        alerts = anomalies.daily_alerts(bots.clean_daily, run.accounts, run.period.start, run.period.end,
                                        method="stl", threshold=threshold)
        answers[f"alerts_at_{name}"] = str(len(alerts))
        if threshold == 3.0:
            answers["critical_at_3_0"] = str(int((alerts["severity"] == "critical").sum()))
    return answers


@cache
def _audience() -> dict[str, str]:
    from helpers.audience import bots, session

    run = session.prepare(account="own", as_of="latest", lookback_days=180, data_dir="", bot_rule="sigma", bot_k=3.0,
                          n_clusters="auto", min_segment_size=50, monetary="purchase", cohort="week", lang="en")
    activity = bots.user_activity(run.window_events(), run.start, run.as_of)
    return {f"bots_at_k{k:g}": str(bots.bot_summary(bots.flag_bots(activity, rule="sigma", k=k))["bots"])
            for k in (3.0, 2.0)}


@cache
def _competitors() -> dict[str, str]:
    from helpers.competitors import content, session

    run = session.prepare(own_account="own_douyin", competitors="auto", platform="auto", period="latest",
                          lookback_months=6, er_base="followers", top_n=5, hit_k=3.0, min_posts=5, data_dir="",
                          lang="en")
    posts = run.period_posts()
    return {f"hits_at_k{k:g}": str(len(content.hit_posts(posts, "engagements", k))) for k in (3.0, 2.0)}


@cache
def _planning() -> dict[str, str]:
    from helpers.planning.schedule import round_half_up, slots_for_month

    slots = sum(slots_for_month(n, 31) for n in (5, 4, 3, 5))  # the notebook's default posts_per_week, December
    return {"december_slots": str(slots), "reserve_at_25": str(round_half_up(0.25 * slots)),
            "reserve_at_30": str(round_half_up(0.3 * slots))}


@cache
def _experiments() -> dict[str, str]:
    from helpers.experiments.srm import srm_test

    units = pd.read_csv(config.SAMPLE_DATA / "experiment_units.csv", usecols=["experiment_id", "variant"])
    counts = units[units["experiment_id"] == "EXP-CTA-03"].groupby("variant").size().to_dict()
    result = srm_test(counts)
    return {"srm_chi2": f"{result.chi2:.1f}", "srm_p": i18n.fmt_p_value(result.p_value).split()[-1]}


@cache
def _account_plan() -> dict[str, str]:
    from helpers.account_plan import budget

    ads = pd.read_csv(config.SAMPLE_DATA / "ad_daily.csv", parse_dates=["date"])
    ads = ads[ads["date"] <= "2026-10-31"]  # as_of latest: the last complete month
    curve = budget.fit_response_curves(ads)["cmp_seeding_xhs"]
    october = ads[(ads["campaign_id"] == "cmp_seeding_xhs") & (ads["date"] >= "2026-10-01")]["spend"].sum() / 31
    a, b = curve.params[0], curve.params[1]
    cap = b * np.log(a / (3.0 * b))  # where the next yuan returns exactly 3: (a/b)·e^(−s/b) = 3
    return {"saturated_marginal": i18n.fmt_number(float(curve.marginal(october)), 2),
            "saturated_average": i18n.fmt_number(float(curve.average(october)), 2),
            "saturated_cap": i18n.fmt_count(round(cap))}


@cache
def _kol() -> dict[str, str]:
    from helpers.data import load_tables
    from helpers.kol import authenticity, fit
    from helpers.sample import PLANTED

    t = load_tables(["accounts", "kols", "kol_followers", "kol_audience", "audience"], config.SAMPLE_DATA)
    followers = t["kol_followers"][t["kol_followers"]["kol_id"] == PLANTED.kol_fake_id]
    fake = authenticity.sample_fake_share(authenticity.classify_followers(followers, as_of="2026-11-14")).iloc[0]
    brand = fit.brand_distribution(t["audience"], t["accounts"])
    shares = fit.kol_distribution(t["kol_audience"][t["kol_audience"]["kol_id"] == PLANTED.kol_mismatch_id])
    similarity = fit.distribution_similarity(shares, brand)
    weights = {"gender": 0.3, "age_band": 0.2, "interests": 0.4, "city_tier": 0.05, "region": 0.05}  # the defaults
    women = {"brand": brand.set_index(["dimension", "bucket"]).loc[("gender", "女"), "share"],
             "kol": shares.set_index(["dimension", "bucket"]).loc[("gender", "女"), "share"]}
    return {"kol_fake_share": i18n.fmt_percent(fake["share"]), "kol_fake_low": i18n.fmt_percent(fake["low"]),
            "kol_fake_high": i18n.fmt_percent(fake["high"]), "kol_brand_female": i18n.fmt_percent(women["brand"]),
            "kol_mismatch_female": i18n.fmt_percent(women["kol"]),
            "kol_gender_similarity": i18n.fmt_number(
                float(similarity.set_index("dimension").loc["gender", "similarity"]), 2),
            "kol_mismatch_fit": i18n.fmt_number(float(fit.fit_score(similarity, weights=weights)["fit"].iloc[0]), 2)}


SOURCES: dict[str, Callable[[], dict[str, str]]] = {
    "review": _review, "audience": _audience, "competitors": _competitors, "planning": _planning,
    "experiments": _experiments, "account_plan": _account_plan, "kol": _kol,
}


def _marked(doc: Path) -> list[tuple[str, str]]:
    return [(m.group(2), m.group(1)) for m in MARKED.finditer(doc.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_answers_are_what_the_suite_computes(source: str, sample_dir: Path) -> None:
    computed = SOURCES[source]()
    written = [(name, value) for name, value in _marked(DOC) if name in computed]
    assert {name for name, _ in written} == set(computed), "every computed answer appears in the doc"
    wrong = [f"{name}: doc says {value!r}, the suite computes {computed[name]!r}"
             for name, value in written if value != computed[name]]
    assert not wrong, "\n".join(wrong)


def test_every_marker_has_a_computation() -> None:
    known = {"er_status_changes", "srm_chi2", "srm_p", "december_slots", "reserve_at_25", "reserve_at_30"}
    known |= {f"er_{b}_{p}" for b in ("impressions", "followers") for p in PLATFORMS}
    known |= {"alerts_at_3_5", "alerts_at_3_0", "critical_at_3_0", "bots_at_k3", "bots_at_k2", "hits_at_k3",
              "hits_at_k2", "saturated_marginal", "saturated_cap", "saturated_average"}
    known |= {"kol_fake_share", "kol_fake_low", "kol_fake_high", "kol_brand_female", "kol_mismatch_female",
              "kol_gender_similarity", "kol_mismatch_fit"}
    assert {name for name, _ in _marked(DOC)} == known
