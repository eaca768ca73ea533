"""Benchmark: `opsbook import` of large Douyin 作品数据 exports into a store that already holds many posts.

Writes exports of N posts with every quirk the importer handles (thousands separators, 万/w
magnitudes, percentages, "-" as missing, durations), then measures in one process each:

- first import of export A (N posts) into an empty store;
- re-import of A (skipped by checksum: must cost about a file hash);
- import of B, which overlaps A by half (N/2 updated, N/2 new), the merge path;
- the floor: pandas reading the same CSV as text and writing it to Parquet, i.e. the I/O any importer pays.

    .venv/bin/python benchmarks/bench_import.py [--posts 20000 100000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = ["作品名称", "发布时间", "体裁", "播放量", "完播率", "5s完播率", "平均播放时长", "点赞量", "评论量", "分享量",
          "收藏量", "主页访问量", "粉丝增量"]


def _views(values: np.ndarray) -> list[str]:
    """Views written as a back office does: plain, with separators, or in 万/w."""
    out = []
    for i, v in enumerate(values):
        out.append(f"{v / 10000:.1f}万" if v >= 10000 and i % 2 else f"{v / 10000:.1f}w" if v >= 10000
                   else f"{v:,}")
    return out


def write_export(path: Path, start: int, n: int, scale: float, seed: int) -> None:
    """A Douyin 作品数据 CSV of posts start..start+n (titles and times fixed by index, metrics by seed)."""
    rng = np.random.default_rng(seed)
    index = np.arange(start, start + n)
    times = pd.Timestamp("2024-01-01 08:00") + pd.to_timedelta(index * 37, unit="min")
    views = (rng.lognormal(8, 1.2, n) * scale).astype(int) + 1
    frame = pd.DataFrame({
        "作品名称": [f"作品{i:07d} #护肤#" for i in index],
        "发布时间": times.strftime("%Y-%m-%d %H:%M"),
        "体裁": np.where(index % 5 == 0, "图文", "视频"),
        "播放量": _views(views),
        "完播率": [f"{x:.1%}" for x in rng.uniform(0.05, 0.6, n)],
        "5s完播率": [f"{x:.1%}" if i % 7 else "-" for i, x in enumerate(rng.uniform(0.2, 0.9, n))],
        "平均播放时长": [f"00:00:{int(x):02d}" for x in rng.uniform(3, 59, n)],
        "点赞量": [f"{int(x):,}" for x in views * rng.uniform(0.01, 0.08, n)],
        "评论量": (views * rng.uniform(0.001, 0.01, n)).astype(int),
        "分享量": (views * rng.uniform(0.001, 0.01, n)).astype(int),
        "收藏量": (views * rng.uniform(0.001, 0.02, n)).astype(int),
        "主页访问量": (views * rng.uniform(0.001, 0.02, n)).astype(int),
        "粉丝增量": (views * rng.uniform(0, 0.005, n)).astype(int),
    })[HEADER]
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def one_size(n: int) -> dict:
    """Time every step for exports of n posts (run in its own process)."""
    from helpers.ingest.pipeline import import_files
    from helpers.ingest.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        a, b = root / "works_a.csv", root / "works_b.csv"
        write_export(a, 0, n, 1.0, 1)
        write_export(b, n // 2, n, 1.3, 2)
        store = Store.create(root / "store")
        with store.transaction() as txn:
            txn.upsert_account("own_dy", "douyin", "抖音")
        out = {"posts": n, "file_mb": round(a.stat().st_size / 1e6, 1)}
        start = time.perf_counter()
        first = import_files([a], store.root, "own_dy", as_of=pd.Timestamp("2026-01-01"))
        out["first_import_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        import_files([a], store.root, "own_dy", as_of=pd.Timestamp("2026-01-01"))
        out["reimport_s"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        second = import_files([b], store.root, "own_dy", as_of=pd.Timestamp("2026-01-08"))
        out["overlap_import_s"] = round(time.perf_counter() - start, 2)
        counts = second.files[0].counts["posts"]
        out["overlap_counts"] = repr(counts)
        assert first.files[0].counts["posts"].added == n
        assert counts.added == n // 2 and counts.updated == n - n // 2, counts
        start = time.perf_counter()
        pd.read_csv(a, dtype=str, encoding="utf-8-sig").to_parquet(root / "floor.parquet")
        out["floor_read_csv_to_parquet_s"] = round(time.perf_counter() - start, 2)
        out["stored_posts"] = len(Store.open(store.root).read("posts"))
    out["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    print(f"opsbook import benchmark — {platform.machine()}, {platform.python_version()}")
    for n in args.posts:
        done = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        print(json.dumps(json.loads(done.stdout.strip().splitlines()[-1]), ensure_ascii=False))


if __name__ == "__main__":
    main()
