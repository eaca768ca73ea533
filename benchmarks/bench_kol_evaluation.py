"""Benchmark: KOL vetting for an agency's long lists, against the floor of reading and summing the KOL tables.

Data: the sample's 40 KOLs copied ``--kols`` ÷ 40 times with new ids (``kol_07_c3``), each copy's
followers and post metrics multiplied by a random level (0.5–2×), written as a data folder with the
sample's other tables (the brand's audience, ad_daily, touchpoints and conversions do not grow: they are
the brand's). Only the first copy keeps our bookings' campaign ids, so the after-campaign section reviews
the same six bookings at every size.

Stages, timed in one process in the notebook's order (helpers.kol.analysis): prepare (read and check
every table), coverage, authenticity (follower sample, jumps, norms, comment/like), interaction, audience
fit, cost (feed CPA, campaign credit, expected engagements, CPA), shortlist (+ 1,000-draw rank
sensitivity) and the after-campaign review.

The floor: reading every table the screen reads with bare pandas (no parsing by kind, no checks) and one
groupby sum of engagements per KOL — what any screen has to do before it can say anything.

    .venv/bin/python benchmarks/bench_kol_evaluation.py [--kols 400 2000 5000]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from record import Row, record

from helpers import config
from helpers.kol import analysis, session

TABLES = ("kols", "kol_posts", "kol_daily", "kol_audience", "kol_followers")
COUNTS = ("followers", "views", "likes", "comments", "shares", "saves", "impressions")


def scaled_folder(n_kols: int, folder: Path, seed: int = 20) -> int:
    """Write a data folder with n_kols KOLs (copies of the sample's 40); returns the KOL count written."""
    for csv in config.SAMPLE_DATA.glob("*.csv"):
        if csv.stem not in TABLES:
            shutil.copy(csv, folder / csv.name)
    frames = {t: pd.read_csv(config.SAMPLE_DATA / f"{t}.csv", dtype={"kol_id": str}) for t in TABLES}
    rng = np.random.default_rng(seed)
    copies = max(1, n_kols // len(frames["kols"]))
    out: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    for copy in range(copies):
        level = dict(zip(frames["kols"]["kol_id"], rng.uniform(0.5, 2.0, len(frames["kols"])), strict=True))
        for table, frame in frames.items():
            rows = frame.copy()
            scale = rows["kol_id"].map(level).to_numpy()
            if table != "kol_followers":  # a follower's own counts are not the KOL's size
                for column in (c for c in COUNTS if c in rows):
                    rows[column] = np.round(rows[column] * scale)
            rows["kol_id"] = rows["kol_id"] + f"_c{copy}"
            if table == "kol_posts":
                rows["post_id"] = rows["post_id"] + f"_c{copy}"
                if copy:
                    rows["campaign"] = np.nan
            out[table].append(rows)
    for table, parts in out.items():
        pd.concat(parts, ignore_index=True).to_csv(folder / f"{table}.csv", index=False)
    return copies * len(frames["kols"])


def parameters(folder: Path) -> dict[str, Any]:
    """The notebook's defaults, on the given folder."""
    return dict(platforms=[], categories=[], brand_accounts="own", as_of="latest", recent_days=90,
                fake_threshold=0.30, interaction_threshold=0.05, min_fit=0.7,
                fit_weights={"gender": 0.3, "age_band": 0.2, "interests": 0.4, "city_tier": 0.05, "region": 0.05},
                feed_channels={"douyin": "douyin_feed", "xiaohongshu": "xiaohongshu_feed"}, cpa_ratio_max=1.0,
                score_weights={"fit": 0.3, "interaction": 0.3, "authenticity": 0.2, "cost": 0.2},
                attribution_model="linear", rebook_roi=3.0, data_dir=str(folder), lang="en")


def timed(stages: dict[str, float], name: str, step: Any, *args: Any) -> Any:
    """Run one stage and keep its wall time."""
    start = time.perf_counter()
    out = step(*args)
    stages[name] = time.perf_counter() - start
    return out


def screen_stages(folder: Path) -> tuple[dict[str, float], Any]:
    """Wall time of each stage, in the notebook's order; the shortlist."""
    stages: dict[str, float] = {}
    run = timed(stages, "prepare (read + check)", lambda: session.prepare(**parameters(folder)))
    timed(stages, "coverage", analysis.coverage, run)
    fake = timed(stages, "authenticity", analysis.authenticity, run)
    rates = timed(stages, "interaction", analysis.interaction, run, fake)
    fit = timed(stages, "audience fit", analysis.audience_fit, run)
    cost = timed(stages, "cost", analysis.cost, run)
    ranked = timed(stages, "shortlist + sensitivity", analysis.shortlist, run, fake, rates, fit, cost)
    timed(stages, "after the campaign", analysis.after_campaign, run, cost)
    return stages, ranked


def floor_seconds(folder: Path) -> float:
    """Read every table the screen reads (bare pandas, no checks) and sum engagements per KOL once."""
    start = time.perf_counter()
    for table in (*session.KOL_TABLES, *session.OPTIONAL_KOL_TABLES):
        frame = pd.read_csv(folder / f"{table}.csv", low_memory=False)
        if table == "kol_posts":
            frame[["likes", "comments", "shares", "saves"]].sum(axis=1).groupby(frame["kol_id"]).sum()
    return time.perf_counter() - start


def main() -> None:
    """Print each size's stages, total, floor and ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kols", type=int, nargs="+", default=[400, 2000])
    args = parser.parse_args()
    print(f"KOL vetting benchmark · {platform.processor() or platform.machine()} · {os.cpu_count()} cores")
    for n in args.kols:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            kols = scaled_folder(n, folder)
            rows = len(pd.read_csv(folder / "kol_posts.csv", usecols=["post_id"]))
            stages, ranked = screen_stages(folder)
            floor = floor_seconds(folder)
        total = sum(stages.values())
        counts = ranked.table["decision"].value_counts().to_dict()
        print(f"\n{kols} KOLs: {rows:,} posts · decisions {counts}")
        for name, seconds in stages.items():
            print(f"  {name:<28} {seconds:7.2f} s")
        print(f"  {'total':<28} {total:7.2f} s")
        print(f"  {'floor (read + one groupby)':<28} {floor:7.2f} s   ratio {total / floor:5.1f}×")
        record("bench_kol_evaluation.py", Row(f"KOL vetting, {kols:,} KOLs: time", total, "s", floor,
                                              "reading the KOL tables and one groupby"))


if __name__ == "__main__":
    main()
