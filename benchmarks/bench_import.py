"""Benchmark: `opsbook import` of Douyin 作品数据 exports, each figure next to its floor from the same run.

Writes exports with every quirk the importer handles (thousands separators, 万/w magnitudes,
percentages, "-" as missing, durations) and records issue 22's three import rows:

- "import of a 50 MB export (340 k rows)": time and peak memory of one process that imports the export
  into an empty store (`record.measure_command`), next to the floor: a process in which pandas reads the
  same CSV as text and writes it to Parquet, i.e. the I/O any importer pays;
- "import of a small export into a 350 k-post store": the median time of `import_files` for a 30-row
  export of posts the store already holds (run in-process after the imports' modules are loaded), next to
  its floor: reading and writing just those rows plus the atomic switch of a pointer file.

    .venv/bin/python benchmarks/bench_import.py [--posts 340000] [--store-posts 350000] [--small 30]

Generated files live in a temporary folder that is deleted at the end. Results go to benchmarks/results.json
(or $OPSBOOK_BENCH_RESULTS); the last line printed is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from record import Row, measure_command, record

HEADER = ["作品名称", "发布时间", "体裁", "播放量", "完播率", "5s完播率", "平均播放时长", "点赞量", "评论量", "分享量",
          "收藏量", "主页访问量", "粉丝增量"]
ACCOUNT = "own_dy"
SCRIPT = "bench_import.py"


def _views(values: np.ndarray) -> list[str]:
    """Views written as a back office does: plain, with separators, or in 万/w."""
    out = []
    for i, v in enumerate(values):
        out.append(f"{v / 10000:.1f}万" if v >= 10000 and i % 2 else f"{v / 10000:.1f}w" if v >= 10000
                   else f"{v:,}")
    return out


def write_export(path: Path, start: int, n: int, scale: float, seed: int) -> None:
    """A Douyin 作品数据 CSV of posts start..start+n (titles and times fixed by index, metrics by seed).

    Titles are of a realistic length, so 340 k rows make a file of about 50 MB.
    """
    rng = np.random.default_rng(seed)
    index = np.arange(start, start + n)
    times = pd.Timestamp("2024-01-01 08:00") + pd.to_timedelta(index * 37, unit="min")
    views = (rng.lognormal(8, 1.2, n) * scale).astype(int) + 1
    frame = pd.DataFrame({
        "作品名称": [f"作品{i:07d} 春季新品上手一周真实体验分享 #护肤# #好物推荐#" for i in index],
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


def _new_store(root: Path) -> Path:
    from helpers.ingest.store import Store

    store = Store.create(root)
    with store.transaction() as txn:
        txn.upsert_account(ACCOUNT, "douyin", "抖音")
    return store.root


def child_import(export: Path, store: Path) -> None:
    """One process: import `export` into a new store at `store` (what the big-import rows measure)."""
    from helpers.ingest.pipeline import import_files

    report = import_files([export], _new_store(store), ACCOUNT, as_of=pd.Timestamp("2026-01-01"))
    if report.files[0].status != "imported":
        raise SystemExit(f"{export}: {report.files[0].status} ({report.files[0].error})")


def child_floor(export: Path, target: Path) -> None:
    """One process: pandas reads the CSV as text and writes it to Parquet (the big import's floor)."""
    pd.read_csv(export, dtype=str, encoding="utf-8-sig").to_parquet(target)


def small_imports(store: Path, folder: Path, start: int, rows: int, repeats: int) -> dict:
    """Median seconds of importing a `rows`-row export of known posts, and of its floor, alternating."""
    from helpers.ingest.pipeline import import_files
    from helpers.ingest.store_layout import write_text_atomic

    took, floor, counts = [], [], ""
    for i in range(repeats):
        export = folder / f"small_{i}.csv"
        write_export(export, start, rows, 1.5 + i / 10, 100 + i)
        begin = time.perf_counter()
        report = import_files([export], store, ACCOUNT, as_of=pd.Timestamp("2026-02-01") + pd.Timedelta(days=i))
        took.append(time.perf_counter() - begin)
        counts = repr(report.files[0].counts["posts"])
        begin = time.perf_counter()
        pd.read_csv(export, dtype=str, encoding="utf-8-sig").to_parquet(folder / f"floor_{i}.parquet")
        write_text_atomic(folder / "POINTER", f"floor_{i}\n")
        floor.append(time.perf_counter() - begin)
    return {"small_s": statistics.median(took), "small_floor_s": statistics.median(floor), "small_counts": counts,
            "small_runs_s": [round(t, 3) for t in took]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=340_000, help="rows of the big export (default 340000)")
    parser.add_argument("--store-posts", type=int, default=350_000, help="posts the store holds for the small import")
    parser.add_argument("--small", type=int, default=30, help="rows of the small export (default 30)")
    parser.add_argument("--repeats", type=int, default=3, help="small imports to take the median of")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, a, b = args.child
        (child_import if what == "import" else child_floor)(Path(a), Path(b))
        return
    if args.store_posts < args.posts or args.small > args.posts:
        parser.error("--store-posts must be at least --posts, and --small at most --posts")
    out: dict[str, object] = {"posts": args.posts}
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        root = Path(tmp)
        big = root / "big.csv"
        write_export(big, 0, args.posts, 1.0, 1)
        out["file_mb"] = round(big.stat().st_size / 1e6, 1)
        me = [sys.executable, __file__, "--child"]
        floor_s, floor_mib = measure_command([*me, "floor", str(big), str(root / "floor.parquet")])
        import_s, import_mib = measure_command([*me, "import", str(big), str(root / "store")])
        note = f"{args.posts:,} rows, {out['file_mb']} MB; one process each"
        record(SCRIPT,
               Row("import of a 50 MB export (340 k rows): time", round(import_s, 2), "s", round(floor_s, 2),
                   "pandas CSV as text → Parquet", note),
               Row("import of a 50 MB export (340 k rows): peak memory", round(import_mib), "MiB",
                   round(floor_mib), "pandas CSV as text → Parquet", note))
        out.update(import_s=round(import_s, 2), import_mib=round(import_mib), floor_s=round(floor_s, 2),
                   floor_mib=round(floor_mib))

        from helpers.ingest.pipeline import import_files
        from helpers.ingest.store import Store

        store = root / "store"
        if args.store_posts > args.posts:   # grow the store to --store-posts posts
            more = root / "more.csv"
            write_export(more, args.posts, args.store_posts - args.posts, 1.0, 3)
            import_files([more], store, ACCOUNT, as_of=pd.Timestamp("2026-01-02"))
        out["stored_posts"] = len(Store.open(store).read("posts"))  # type: ignore[arg-type]
        small = small_imports(store, root, args.store_posts - args.small - 5, args.small, args.repeats)
        record(SCRIPT, Row("import of a small export into a 350 k-post store", round(small["small_s"], 3), "s",
                           round(small["small_floor_s"], 3), "read + write its rows, switch a pointer",
                           f"{args.small} rows into {out['stored_posts']:,} posts; median of {args.repeats}, "
                           "in-process"))
        out.update(small)
        out["stored_posts_after"] = len(Store.open(store).read("posts"))  # type: ignore[arg-type]
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
