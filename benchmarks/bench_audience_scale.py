"""Benchmark: the audience profile's computations on 1 M, 10 M and 100 M events (Parquet), each next to its floor.

Each size runs in its own process (so peak memory is that size's alone) and goes through the same
helpers, in the same order, as notebooks/audience_profiling.ipynb: load and validate, bot filter,
demographics, active hours, content preferences, funnel and paths, interests, RFM, clustering,
retention and personas. Reports wall time per stage, total and peak resident memory, and the
growth of time with the number of events.

Floor, measured in the same run on the same file: DuckDB (with the profile's memory cap) reading the
events Parquet and doing the one group-by per user that any profile needs (events, active days, last
event, purchase value), in a child process of its own. The rows of issue 22 (10 M events / 1 M users,
100 M events out of core) are recorded with benchmarks/record.py; other sizes as their own rows.
Data is generated in chunks (a pyarrow writer), so 100 M events never sit in memory, under
$TMPDIR, and deleted when the size is done.

    .venv/bin/python benchmarks/bench_audience_scale.py [--events 1000000 10000000 100000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from record import Row, measure_command, peak_rss_mib, record

from helpers import config
from helpers.audience.engine import MEMORY_ENV

AS_OF = pd.Timestamp("2026-10-31")
DAYS = 180
ACCOUNTS = ("own_douyin", "own_xhs")
EVENTS = np.array(["view", "like", "follow", "click", "save", "comment", "purchase", "share", "message", "unfollow"])
EVENT_P = np.array([0.43, 0.21, 0.10, 0.07, 0.05, 0.045, 0.035, 0.03, 0.02, 0.01])
CHUNK = 5_000_000
"""Events generated and written at a time."""
HOUR_P = np.array([1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 4, 4, 4, 5, 6, 7, 10, 10, 8, 4], dtype=float)


def write_data(folder: Path, events: int, seed: int = 11) -> None:
    """Synthetic audience (events ÷ 10 users), interactions over 180 days, posts and accounts."""
    rng = np.random.default_rng(seed)
    users = max(events // 10, 100)
    ids = np.char.add("u", np.char.zfill(np.arange(users).astype(str), 7))
    account = rng.choice(np.array(ACCOUNTS), users)
    first_seen = AS_OF - pd.to_timedelta(rng.integers(0, 720 * 86400, users), unit="s")
    unfollowed = np.where(rng.random(users) < 0.08, first_seen + pd.to_timedelta(rng.integers(1, 90 * 86400, users),
                                                                                   unit="s"), pd.NaT)
    audience = pd.DataFrame({
        "user_id": ids, "account_id": account, "first_seen": first_seen, "unfollowed_at": pd.to_datetime(unfollowed),
        "gender": rng.choice(np.array(["女", "男", None], dtype=object), users, p=[0.7, 0.25, 0.05]),
        "age_band": rng.choice(np.array(["18-24", "25-30", "31-35", "36-40", "41+"]), users),
        "region": rng.choice(np.array(["上海", "广东", "浙江", "北京", "四川"]), users),
        "city_tier": rng.choice(np.array(["一线", "新一线", "二线", "三线及以下"]), users),
        "device": rng.choice(np.array(["iOS", "Android"]), users),
        "interests": rng.choice(np.array(["护肤;彩妆", "彩妆;穿搭", "护肤;健身;美食", "香水", "家居;护肤"]), users),
    })
    pq.write_table(pa.Table.from_pandas(audience, preserve_index=False), folder / "audience.parquet")
    weight = rng.lognormal(0.0, 1.2, users)
    p_user = weight / weight.sum()
    posts_n = 2000
    post_ids = np.char.add("p", np.arange(posts_n).astype(str))
    schema = None
    writer = None
    try:
        for done in range(0, events, CHUNK):
            n = min(CHUNK, events - done)
            who = rng.choice(users, n, p=p_user)
            day = rng.integers(0, DAYS, n)
            hour = rng.choice(24, n, p=HOUR_P / HOUR_P.sum())
            seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, n)
            occurred = (AS_OF - pd.Timedelta(days=DAYS - 1)) + pd.to_timedelta(seconds, unit="s")
            event = rng.choice(EVENTS, n, p=EVENT_P)
            value = np.where(event == "purchase", np.round(rng.gamma(2.0, 60.0, n), 2), np.nan)
            chunk = pa.table({
                "user_id": pa.array(ids[who]), "account_id": pa.array(account[who]),
                "occurred_at": pa.array(occurred.values), "event": pa.array(event),
                "post_id": pa.array(np.where(np.isin(event, ["follow", "unfollow", "message"]), None,
                                             post_ids[rng.integers(0, posts_n, n)])),
                "value": pa.array(value)})
            if writer is None:
                schema = chunk.schema
                writer = pq.ParquetWriter(folder / "interactions.parquet", schema)
            writer.write_table(chunk.cast(schema))
    finally:
        if writer is not None:
            writer.close()
    posts = pd.DataFrame({
        "post_id": post_ids, "account_id": rng.choice(np.array(ACCOUNTS), posts_n),
        "published_at": AS_OF - pd.to_timedelta(rng.integers(0, DAYS * 86400, posts_n), unit="s"),
        "format": rng.choice(np.array(["short_video", "image", "carousel", "live"]), posts_n),
        "pillar": rng.choice(np.array(["产品种草", "教程", "成分科普", "用户故事"]), posts_n),
        "title": "标题", "topics": "护肤", "paid": False})
    posts.to_parquet(folder / "posts.parquet", index=False)
    pd.DataFrame({"account_id": list(ACCOUNTS), "platform": ["douyin", "xiaohongshu"],
                  "name": ["抖音", "小红书"], "owner": "own", "category": "美妆个护",
                  "timezone": "Asia/Shanghai"}).to_csv(folder / "accounts.csv", index=False)


def profile(folder: Path, peaks: dict[str, float] | None = None) -> dict[str, float]:
    """Run the notebook's computations on the folder; seconds per stage (and the peak RSS after each in `peaks`)."""
    from helpers.audience import behaviour, bots, clusters, demographics, personas, retention, rfm, session

    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[stage] = round(now - clock, 2)
        if peaks is not None:
            peaks[stage] = round(peak_rss_mib())
        print(f"{stage}: {times[stage]} s, peak {round(peak_rss_mib())} MiB", file=sys.stderr, flush=True)
        clock = time.perf_counter()

    run = session.prepare(account="own", as_of="latest", lookback_days=DAYS, data_dir=str(folder), bot_rule="sigma",
                          bot_k=3.0, n_clusters="auto", min_segment_size=50, monetary="purchase", cohort="month",
                          lang="en")
    accounts, audience, posts = (run.table(t) for t in ("accounts", "audience", "posts"))
    events = run.window_events()
    lap("load_and_validate")
    activity = bots.user_activity(events, run.start, run.as_of)
    flags = bots.flag_bots(activity, rule=run.bot_rule, k=run.bot_k)
    bot_ids = bots.bot_ids(flags)
    clean = events.without_users(bot_ids)
    lap("bot_filter")
    people = bots.without_bots(audience, bot_ids)
    demographics.compare_platforms(people, accounts, ["gender", "age_band", "city_tier", "device"])
    demographics.interest_shares(people)
    lap("demographics_interests")
    heat = behaviour.active_hours(clean, accounts)
    behaviour.peak_windows(heat, top=3)
    behaviour.content_preferences(clean, posts)
    lap("active_hours_content")
    behaviour.event_funnel(clean)
    behaviour.top_paths(clean, events=behaviour.PATH_EVENTS)
    lap("funnel_paths")
    scored = rfm.rfm_segments(rfm.rfm_scores(rfm.rfm_table(clean, run.end, window_days=run.lookback_days,
                                                           monetary=run.monetary)))
    rfm.segment_summary(scored)
    lap("rfm")
    features = clusters.behaviour_features(clean, run.as_of, window_days=run.lookback_days)
    result = clusters.cluster_users(features, k=run.n_clusters, min_size=run.min_segment_size)
    profile_ = clusters.named_profile(features, result.labels, min_size=run.min_segment_size)
    lap("clusters")
    first_seen = retention.first_seen_by_user(audience, exclude=bot_ids)
    retention.cohort_retention(first_seen, retention.returning_events(run.events), cohort=run.cohort, as_of=run.end)
    retention.churn_over_time(audience)
    retention.peak_churn_age(audience, unit="week")
    lap("retention_churn")
    personas.segment_membership(scored, result.labels, profile_)
    personas.persona_cards(scored[["user_id", "segment"]], people, features, total_users=len(scored))
    lap("personas")
    return times


FLOOR_SQL = """
SELECT user_id, sum(n) AS events, count(day) AS days, max(last) AS last, sum(purchase) AS purchase_value
FROM (SELECT CAST(user_id AS VARCHAR) AS user_id, CAST(occurred_at AS DATE) AS day, count(*) AS n,
             max(occurred_at) AS last, sum(value) FILTER (WHERE event = 'purchase') AS purchase
      FROM read_parquet(?) GROUP BY ALL)
GROUP BY user_id"""
"""The floor's one group-by per user as plain aggregates: (user, day) groups first, then users.

The same answer as `count(DISTINCT day)` in one group-by per user (FLOOR_SQL_DISTINCT, kept for the
test), which at 100 M events / 10 M users ran out of the 1GB cap. This plan still does there (issue 22
round 5: ~90 M (user, day) groups with text keys, also with one thread and without insertion order);
it runs at 30 M events (12 s, 1.1 GB). Open: run the floor in parts of users as the profile does."""
FLOOR_SQL_DISTINCT = """
SELECT CAST(user_id AS VARCHAR) AS user_id, count(*) AS events, count(DISTINCT CAST(occurred_at AS DATE)) AS days,
       max(occurred_at) AS last, sum(value) FILTER (WHERE event = 'purchase') AS purchase_value
FROM read_parquet(?) GROUP BY ALL"""


def floor(folder: Path) -> int:
    """The floor: DuckDB (the profile's connection settings) groups the events Parquet once per user.

    The users' rows come to Python as a stream of Arrow batches: `.df()` collected all 10 M rows of
    100 M events inside DuckDB first, which with the spilled group-by ran out of the 1GB cap.
    """
    from helpers.audience.engine import connect

    reader = connect().sql(FLOOR_SQL, params=[str(folder / "interactions.parquet")]).to_arrow_reader()
    return reader.read_all().num_rows


def measure_name(events: int, what: str) -> str:
    """The measure of record.AIMS for 10 M and 100 M events, else a row of its own."""
    if events == 10_000_000:
        return f"audience profile, 10 M events / 1 M users: {what}"
    if events == 100_000_000:
        return f"audience profile, 100 M events (out of core): {what}"
    return f"audience profile, {events:,} events: {what}"


FLOOR_NAME = "DuckDB: one group-by per user over the Parquet"
FLOOR_RETRY_MEMORY = "8GB"
"""The floor's DuckDB cap when the profile's (1GB) is too small for it: the issue's memory aim at 100 M events."""


def measure_floor(folder: Path, measure: Callable[..., tuple[float, float]] = measure_command) -> tuple[float, float,
                                                                                                        str]:
    """Seconds, peak MiB and name of the floor: under the profile's DuckDB cap, or, when it runs out of memory there
    (100 M events: ~90 M (user, day) groups with text keys), under FLOOR_RETRY_MEMORY, as its name then says."""
    argv = [sys.executable, __file__, "--floor-only", str(folder)]
    try:
        seconds, mib = measure(argv)
        return seconds, mib, FLOOR_NAME
    except SystemExit:
        seconds, mib = measure(argv, env={**os.environ, MEMORY_ENV: FLOOR_RETRY_MEMORY})
        return seconds, mib, (f"{FLOOR_NAME} (DuckDB capped at {FLOOR_RETRY_MEMORY}: it ran out of memory under "
                              "the profile's cap)")


def run_size(folder: Path, events: int) -> dict[str, object]:
    """Write the data in one child process, then measure the profile and the floor each in its own."""
    subprocess.run([sys.executable, __file__, "--write-only", str(folder), "--events", str(events)], check=True)
    out = folder / "profile.json"
    seconds, peak = measure_command([sys.executable, __file__, "--profile-only", str(folder), "--out", str(out)])
    floor_s, floor_mib, floor_name = measure_floor(folder)
    figures = json.loads(out.read_text(encoding="utf-8"))
    return {"events": events, "users": max(events // 10, 100), **figures, "wall_s": round(seconds, 2),
            "peak_mib": round(peak), "floor_s": round(floor_s, 2), "floor_mib": round(floor_mib),
            "floor_name": floor_name}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000])
    parser.add_argument("--write-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=config.ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if args.write_only:
        write_data(args.write_only, args.events[0])
        return
    if args.profile_only:
        peaks: dict[str, float] = {}
        times = profile(args.profile_only, peaks)
        args.out.write_text(json.dumps({"stages_s": times, "total_s": round(sum(times.values()), 2),
                                        "peak_mib_after_stage": peaks}), encoding="utf-8")
        return
    if args.floor_only:
        floor(args.floor_only)
        return
    rows = []
    for events in args.events:
        folder = Path(tempfile.mkdtemp(prefix="opsbook-audience-"))
        try:
            row = run_size(folder, events)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        rows.append(row)
        note = (f"{row['users']:,} users; stages (s) {row['stages_s']}; "
                f"peak MiB after each stage {row['peak_mib_after_stage']}")
        record("bench_audience_scale.py",
               Row(measure_name(events, "time"), row["wall_s"], "s", row["floor_s"], str(row["floor_name"]), note),
               Row(measure_name(events, "peak memory"), row["peak_mib"], "MiB", row["floor_mib"],
                   str(row["floor_name"]), note))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    small, large = rows[0], rows[-1]
    growth = (large["wall_s"] / small["wall_s"]) / (large["events"] / small["events"])
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "runs": rows, "time_growth_vs_linear": round(growth, 2),
              "aim": "issue 22: 10 M events ≤ 30 s and ≤ 2 GB; 100 M events ≤ 6 min and ≤ 8 GB"}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "audience_scale.json").write_text(json.dumps(result, indent=2, ensure_ascii=False),
                                                       encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
