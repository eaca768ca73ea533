"""Benchmark: the KOL vetting steps one by one on 500 synthetic KOLs (fit, cost, after-campaign).

The whole notebook is timed in bench_kol_evaluation.py; this one times the steps an agency's long list
stresses, on synthetic frames: 500 KOLs with five audience dimensions and a 60-follower sample each
(fit), 500 KOLs × 60 posts (expected engagements and cost per result), and the same with two bookings
per KOL (after-campaign results). The floor for each step is one pandas groupby over the same rows —
what any per-KOL summary has to pay.

    .venv/bin/python benchmarks/bench_kol_steps.py
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from record import Row, record

from helpers.kol.after import campaign_results
from helpers.kol.cost import ConversionRate, cost_per_result, expected_engagements
from helpers.kol.fit import brand_distribution, distribution_similarity, fit_score, kol_distribution, user_overlap

N_KOLS, N_POSTS = 500, 60


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    """Fastest of `repeat` wall-clock runs of fn, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fit_frames(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """500 KOLs' audience shares in five dimensions, a 60-follower sample each, and a 20,000-user brand."""
    buckets = {"gender": ["女", "男"], "age_band": ["18-24", "25-30", "31-35", "36-40", "41+"],
               "region": [f"r{i}" for i in range(30)], "city_tier": ["一线", "新一线", "二线", "三线"],
               "interests": [f"t{i}" for i in range(15)]}
    rows = []
    for k in range(N_KOLS):
        for dim, names in buckets.items():
            p = rng.dirichlet(np.ones(len(names)))
            rows += [(f"k{k}", dim, b, s) for b, s in zip(names, p, strict=True)]
    n_users = 20_000
    audience = pd.DataFrame({
        "user_id": [f"u{i}" for i in range(n_users)], "account_id": "own",
        "gender": rng.choice(buckets["gender"], n_users), "age_band": rng.choice(buckets["age_band"], n_users),
        "region": rng.choice(buckets["region"], n_users), "city_tier": rng.choice(buckets["city_tier"], n_users),
        "interests": [";".join(rng.choice(buckets["interests"], 3, replace=False)) for _ in range(n_users)],
    })
    return {
        "kol_audience": pd.DataFrame(rows, columns=["kol_id", "dimension", "bucket", "share"]),
        "audience": audience,
        "accounts": pd.DataFrame({"account_id": ["own"], "platform": ["douyin"], "name": ["x"], "owner": ["own"]}),
        "followers": pd.DataFrame({"kol_id": np.repeat([f"k{k}" for k in range(N_KOLS)], N_POSTS),
                                   "follower_id": [f"u{i}" for i in rng.integers(0, 2 * n_users, N_KOLS * N_POSTS)]}),
        "kols": pd.DataFrame({"kol_id": [f"k{k}" for k in range(N_KOLS)], "platform": "douyin"}),
    }


def post_frames(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """500 KOLs × 60 posts, one every three days, with two bookings per KOL and their credited conversions."""
    rows = N_KOLS * N_POSTS
    kol_ids = [f"k{i}" for i in range(N_KOLS)]
    campaign = np.full(rows, None, dtype=object)
    booked_at = np.flatnonzero(np.tile(np.isin(np.arange(N_POSTS), [45, 55]), N_KOLS))
    campaign[booked_at] = [f"c{i}" for i in range(len(booked_at))]
    posts = pd.DataFrame({
        "post_id": [f"p{i}" for i in range(rows)], "kol_id": np.repeat(kol_ids, N_POSTS),
        "published_at": pd.Timestamp("2025-10-01") + pd.to_timedelta(np.tile(np.arange(N_POSTS) * 3, N_KOLS), "D"),
        "likes": rng.poisson(500, rows), "comments": rng.poisson(30, rows), "shares": rng.poisson(10, rows),
        "saves": rng.poisson(40, rows), "is_sponsored": campaign != None,  # noqa: E711
        "campaign": campaign, "cost": np.where(campaign != None, 5000.0, np.nan),  # noqa: E711
    })
    return {
        "posts": posts,
        "kols": pd.DataFrame({"kol_id": kol_ids, "platform": "douyin", "price": rng.uniform(1e3, 5e4, N_KOLS)}),
        "credit": pd.DataFrame({"campaign": [f"c{i}" for i in range(len(booked_at))],
                                "conversions": rng.poisson(20, len(booked_at)).astype(float),
                                "value": rng.uniform(5000, 30000, len(booked_at))}),
        "feed": pd.DataFrame({"platform": ["douyin", "all"], "channel": ["douyin_feed", "douyin_feed+search"],
                              "spend": [10_000.0, 24_000.0], "conversions": [100.0, 200.0], "cpa": [100.0, 120.0],
                              "cpa_low": [80.0, 100.0], "cpa_high": [120.0, 140.0]}),
    }


def main() -> None:
    """Time each step against its groupby floor and print one table."""
    rng = np.random.default_rng(1)
    f = fit_frames(rng)
    p = post_frames(rng)
    rate = ConversionRate(rate=0.002, low=0.0015, high=0.0025, conversions=40.0, engagements=20_000.0,
                          n_campaigns=5, n_posts=5, confidence=0.95)
    brand = brand_distribution(f["audience"], f["accounts"])
    kd = kol_distribution(f["kol_audience"], f["followers"])
    sim = distribution_similarity(kd, brand)
    expected = expected_engagements(p["posts"], p["kols"], as_of="2026-03-01")
    steps: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "fit: brand distribution": (lambda: brand_distribution(f["audience"], f["accounts"]),
                                    lambda: f["audience"].groupby("gender").size()),
        "fit: KOL distribution": (lambda: kol_distribution(f["kol_audience"], f["followers"]),
                                  lambda: f["kol_audience"].groupby(["kol_id", "dimension"])["share"].sum()),
        "fit: similarity": (lambda: distribution_similarity(kd, brand),
                            lambda: f["kol_audience"].groupby(["kol_id", "dimension"])["share"].sum()),
        "fit: follower overlap": (lambda: user_overlap(f["followers"], f["audience"], f["accounts"], f["kols"]),
                                  lambda: f["followers"]["follower_id"].isin(f["audience"]["user_id"]).groupby(
                                      f["followers"]["kol_id"]).mean()),
        "fit: score": (lambda: fit_score(sim), lambda: sim.groupby("kol_id").size()),
        "cost: expected engagements": (lambda: expected_engagements(p["posts"], p["kols"], as_of="2026-03-01"),
                                       lambda: p["posts"].groupby("kol_id")["likes"].median()),
        "cost: cost per result": (lambda: cost_per_result(p["kols"], expected, rate, p["feed"]),
                                  lambda: p["kols"].groupby("kol_id")["price"].sum()),
        "after: campaign results": (lambda: campaign_results(p["posts"], p["kols"], p["credit"]),
                                    lambda: p["posts"].groupby("campaign")["likes"].sum()),
    }
    rows = []
    for name, (step, floor) in steps.items():
        took, base = best_of(step), best_of(floor)
        rows.append({"step": name, "seconds": round(took, 4), "floor_s": round(base, 4),
                     "x_floor": round(took / base, 1)})
    print(f"KOL vetting steps on {N_KOLS} KOLs × {N_POSTS} posts — {platform.machine()}, {os.cpu_count()} cores")
    print(pd.DataFrame(rows).to_string(index=False))
    record("bench_kol_steps.py", Row(f"KOL steps on {N_KOLS} KOLs × {N_POSTS} posts: all steps",
                                     sum(r["seconds"] for r in rows), "s", sum(r["floor_s"] for r in rows),
                                     "one pandas groupby per step over the same rows"))


if __name__ == "__main__":
    main()
