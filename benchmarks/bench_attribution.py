"""Benchmark: multi-touch attribution on 1 M journeys (issue 22, rows 2 and 3).

Synthetic touchpoints and conversions shaped like a brand's export (``make_tables``): 1 M journeys over
six channels (douyin, xiaohongshu, wechat, weibo, search, kol, in the sample's proportions), 1–10 touches
per journey (geometric, mean ≈ 2.2, as most users are touched once or twice), touches 0–6 days apart over
half a year, rows in time order (as exports come), text journey ids. About 3 % of journeys convert
(more often after search or wechat and on longer paths), 5 % of converters convert twice, one converter in
five converts before its last touch (the later touches are cut), and conversion values are log-normal
(median ≈ 150). About 2.2 M touchpoint rows and 31 k conversion rows.

Two rows:

- "Markov + Shapley, 1 M journeys ÷ ChannelAttribution Markov": our time is ``markov(journeys)`` +
  ``shapley(journeys)`` on the frame ``build_journeys`` returned (built before the clock starts, as the
  peer's input is; the paths' encoding is made there); the peer is ChannelAttribution's ``markov_model``
  (first order, one core, its defaults) on the same journeys, as its examples feed it: one row per
  distinct path ("a > b > c") with the summed conversions and nulls (a null per journey that did not
  convert), strings and sums made before its clock starts. Its time on one row per journey (3× slower
  for it) is printed and noted too. Medians of ``--repeats`` runs, alternated. ChannelAttribution is GPL
  and only an optional benchmark extra (``pip install -e '.[bench]'``); without it our time is printed
  but no row is recorded (the aim reads "not run").
- "journeys from 1 M-path touchpoints: memory": the increase of peak resident memory during
  ``build_journeys`` over the memory once the input frames are loaded, in a child process (the kernel's
  peak is reset after loading, freed memory trimmed first); the floor is the input frames' own size
  (``memory_usage(deep=True)``).

    .venv/bin/python benchmarks/bench_attribution.py [--journeys 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from record import Row, record

from helpers.attribution import build_journeys, markov, shapley

SPEED = "Markov + Shapley, 1 M journeys ÷ ChannelAttribution Markov"
MEMORY = "journeys from 1 M-path touchpoints: memory"
CHANNELS = ("douyin", "xiaohongshu", "wechat", "weibo", "search", "kol")
CHANNEL_SHARES = np.array([28.2, 13.3, 23.9, 14.8, 21.6, 17.9])  # the sample's touchpoints, in %
MIB = 1024 * 1024


def make_tables(n_journeys: int, seed: int = 22) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Touchpoints and conversions of ``n_journeys`` synthetic journeys (see the module's docstring)."""
    rng = np.random.default_rng(seed)
    lengths = np.minimum(rng.geometric(0.45, n_journeys), 10)
    journey = np.repeat(np.arange(n_journeys), lengths)
    n_touch = len(journey)
    channel = rng.choice(len(CHANNELS), n_touch, p=CHANNEL_SHARES / CHANNEL_SHARES.sum())
    repeat = rng.random(n_touch) < 0.25  # a quarter of the touches repeat the channel before (a re-visit)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    repeat[starts] = False
    channel[repeat] = channel[np.flatnonzero(repeat) - 1]
    first_at = np.datetime64("2025-04-01T00:00:00") + rng.integers(0, 180 * 86400, n_journeys).astype("timedelta64[s]")
    gaps = rng.exponential(1.5 * 86400, n_touch).clip(60, 6 * 86400).astype(np.int64)
    gaps[starts] = 0
    offset = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[starts], lengths)
    touch_at = np.repeat(first_at, lengths) + offset.astype("timedelta64[s]")

    last = starts + lengths - 1
    closer = np.isin(channel[last], [CHANNELS.index("search"), CHANNELS.index("wechat")])
    p = 0.012 * lengths ** 0.8 * np.where(closer, 1.9, 1.0)
    converts = rng.random(n_journeys) < p
    early = converts & (lengths > 1) & (rng.random(n_journeys) < 0.2)  # converts before its last touch
    at_touch = np.where(early, starts + (rng.random(n_journeys) * (lengths - 1)).astype(np.int64), last)
    conv_at = touch_at[at_touch] + rng.integers(60, 6 * 3600, n_journeys).astype("timedelta64[s]")
    twice = converts & (rng.random(n_journeys) < 0.05)
    conv_journey = np.r_[np.flatnonzero(converts), np.flatnonzero(twice)]
    conv_when = np.r_[conv_at[converts], conv_at[twice] + np.timedelta64(2, "D")]
    value = np.round(rng.lognormal(np.log(150), 0.6, len(conv_journey)), 2)

    ids = np.char.add("j", np.char.zfill(np.arange(n_journeys).astype(str), 7))
    order = np.argsort(touch_at, kind="stable")  # exports come in time order, journeys interleaved
    touchpoints = pd.DataFrame({
        "journey_id": pd.array(ids[journey[order]], dtype="str"),
        "occurred_at": touch_at[order].astype("datetime64[ns]"),
        "channel": pd.array(np.array(CHANNELS)[channel[order]], dtype="str"),
    })
    conv_order = np.argsort(conv_when, kind="stable")
    conversions = pd.DataFrame({
        "journey_id": pd.array(ids[conv_journey[conv_order]], dtype="str"),
        "occurred_at": conv_when[conv_order].astype("datetime64[ns]"),
        "value": value[conv_order],
    })
    return touchpoints, conversions


def frames_mib(*frames: pd.DataFrame) -> float:
    """The frames' own size (values and index, strings included), in MiB."""
    return sum(float(f.memory_usage(deep=True).sum()) for f in frames) / MIB


def _status_kib(field: str) -> int:
    """A size from /proc/self/status (VmRSS, VmHWM), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status")


def memory_child(n_journeys: int) -> None:
    """In a child process: load the inputs, reset the peak, build the journeys, print the figures as JSON."""
    touchpoints, conversions = make_tables(n_journeys)
    floor = frames_mib(touchpoints, conversions)
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except ImportError:
        pass
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # give freed generator memory back, so the baseline is the inputs
    before = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current resident size
    start = time.perf_counter()
    journeys = build_journeys(touchpoints, conversions)
    seconds = time.perf_counter() - start
    peak = _status_kib("VmHWM")
    print(json.dumps({"increase_mib": (peak - before) / 1024, "floor_mib": floor, "seconds": seconds,
                      "journeys": len(journeys), "touchpoints": len(touchpoints),
                      "conversions": len(conversions)}))


def peer_input(journeys: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ChannelAttribution's input, per journey and per distinct path: path "a > b > c", conversions, nulls.

    One row per attributable journey (1 null when it did not convert), and the same summed per distinct
    path, the input ChannelAttribution's examples use (fewer rows for it to read: its faster case).
    """
    attributable = journeys[journeys["path"].map(len) > 0]
    per_journey = pd.DataFrame({
        "path": [" > ".join(p) for p in attributable["path"]],
        "total_conversions": attributable["conversions"].to_numpy(dtype=float),
        "total_null": (~attributable["converted"].to_numpy(dtype=bool)).astype(float),
    })
    per_path = per_journey.groupby("path", as_index=False, sort=False)[["total_conversions", "total_null"]].sum()
    return per_journey, per_path


def peer_seconds(data: pd.DataFrame) -> float | None:
    """Seconds of ChannelAttribution's first-order markov_model on ``data``; None when it is not installed."""
    try:
        from ChannelAttribution import markov_model
    except ImportError:
        return None
    start = time.perf_counter()
    markov_model(data, var_path="path", var_conv="total_conversions", var_null="total_null", order=1, sep=">",
                 ncore=1, verbose=False, flg_pro=False)
    return time.perf_counter() - start


def ours_seconds(journeys: pd.DataFrame) -> float:
    """Seconds of markov() + shapley() on the journeys frame."""
    start = time.perf_counter()
    markov(journeys)
    shapley(journeys)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.journeys)
        return 0
    scale = f"{args.journeys:,} journeys"

    child = subprocess.run([sys.executable, __file__, "--memory-child", "--journeys", str(args.journeys)],
                           capture_output=True, text=True, check=True)
    mem = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"build_journeys on {scale} ({mem['touchpoints']:,} touchpoints, {mem['conversions']:,} conversions): "
          f"+{mem['increase_mib']:.0f} MiB peak over the loaded inputs ({mem['floor_mib']:.0f} MiB), "
          f"{mem['seconds']:.2f} s")

    touchpoints, conversions = make_tables(args.journeys)
    journeys = build_journeys(touchpoints, conversions)
    del touchpoints, conversions
    per_journey, per_path = peer_input(journeys)
    ours, peer, peer_journeys = [], [], []
    for _ in range(args.repeats):
        ours.append(ours_seconds(journeys))
        for data, times in ((per_path, peer), (per_journey, peer_journeys)):
            seconds = peer_seconds(data)
            if seconds is not None:
                times.append(seconds)
    ours_s = statistics.median(ours)
    peer_s = statistics.median(peer) if peer else None
    runs = ", ".join(f"{s:.3f}" for s in ours)
    print(f"markov + shapley on {scale}: {ours_s:.3f} s (runs {runs})")
    if peer_s is not None:
        print(f"ChannelAttribution markov_model on {len(per_path):,} distinct paths: {peer_s:.3f} s "
              f"(runs {', '.join(f'{s:.3f}' for s in peer)}); on {len(per_journey):,} journey rows: "
              f"{statistics.median(peer_journeys):.3f} s (runs {', '.join(f'{s:.3f}' for s in peer_journeys)})")
    else:
        print("ChannelAttribution is not installed (pip install -e '.[bench]'): no peer")
    peer_note = (f"peer: first-order markov_model, 1 core, on the {len(per_path):,} distinct paths with summed "
                 f"conversions and nulls (path strings and sums made before its clock; on one row per journey it "
                 f"takes {statistics.median(peer_journeys):.2f} s)" if peer_journeys else "")

    memory = Row(MEMORY, mem["increase_mib"], "MiB", mem["floor_mib"], "input frames' size",
                 f"{scale}, {mem['touchpoints']:,} touchpoints; peak RSS increase during build_journeys in a "
                 f"child process, over the loaded inputs")
    if peer_s is None:  # a ratio needs its peer: the aim reads "not run"
        record("bench_attribution.py", memory)
        return 0
    record("bench_attribution.py",
           Row(SPEED, ours_s, "s", peer_s, "ChannelAttribution markov_model",
               f"{scale}; median of {args.repeats}; ours: markov()+shapley() on build_journeys' frame "
               f"(its paths encoded by build_journeys, before the clock); {peer_note}"),
           memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
