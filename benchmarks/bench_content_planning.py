"""Benchmark: how fast the content-planning explorer regenerates the calendar on the sample data.

The issue asks for "well under a second" when a strategist moves a slider. The widget calls
`PlanningRun.rebuild` (schedule.build_calendar with the changed mix / reserve / posts per week) and
redraws the month grid; this script times both, with the notebook's default parameters (read from
its `parameters` cell), over a sweep of slider positions, plus the analyses run once per notebook
run (what works, windows, topic scores), which the widget does not repeat.

    .venv/bin/python benchmarks/bench_content_planning.py [--repeats 5]

Floor: building the month grid alone (grid.month_grid_view rendered to HTML) for the default calendar,
i.e. what any redraw costs even if the schedule were free.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

from record import Row, record

from helpers import config, runner
from helpers.planning import grid, performance, session, topics, windows
from helpers.sample import ensure_sample

#: Slider positions: (daily, series, reserve, posts-per-week offset) — flagship is the rest.
SWEEP = [(0.6, 0.3, 0.25, 0), (0.5, 0.3, 0.20, 1), (0.7, 0.2, 0.30, -1), (0.4, 0.4, 0.22, 2), (0.8, 0.1, 0.28, 0)]


def _defaults() -> dict[str, object]:
    """The notebook's parameter defaults, from its `parameters` cell (all but output_dir, which prepare lacks)."""
    values = runner.default_values(config.NOTEBOOKS / "content_planning.ipynb")
    return {k: v for k, v in values.items() if k != "output_dir"}


def _seconds(fn: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of each measurement")
    args = parser.parse_args()
    ensure_sample()
    run = session.prepare(**_defaults())
    names = list(run.platforms)
    start = time.perf_counter()
    works = performance.what_works(run.own_posts, run.accounts, base=run.er_base, min_posts=run.min_posts)
    table = windows.posting_windows(run.own_posts, run.accounts, base=run.er_base,
                                    prior_strength=run.prior_strength, platforms=names)
    scores = topics.score_topics(run.topic_bank, works, names)
    keys = run.key_dates()
    analyses = time.perf_counter() - start

    def widget_step(daily: float, series: float, reserve: float, offset: int) -> int:
        ppw = {q: max(1, n + offset) for q, n in run.settings.posts_per_week.items()}
        cal = run.rebuild(table, scores, keys, mix={"daily": daily, "series": series,
                                                   "flagship": round(1 - daily - series, 6)},
                          reserve_share=reserve, posts_per_week=ppw)
        grid.month_grid_view(cal.slots, cal.month)._repr_html_()
        return len(cal.slots)

    rebuild_only = [t for step in SWEEP for t in _seconds(
        lambda s=step: run.rebuild(table, scores, keys, mix={"daily": s[0], "series": s[1],
                                                             "flagship": round(1 - s[0] - s[1], 6)},
                                   reserve_share=s[2]), args.repeats)]
    redraw = [t for step in SWEEP for t in _seconds(lambda s=step: widget_step(*s), args.repeats)]
    default = run.calendar(table, scores, keys)

    def floor_step() -> None:
        grid.month_grid_view(default.slots, default.month)._repr_html_()

    floor = _seconds(floor_step, args.repeats * len(SWEEP))
    result = {
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
                   f"Python {sys.version.split()[0]}",
        "month": run.month, "platforms": names, "slots_default": len(default.slots),
        "analyses_once_s": round(analyses, 3),
        "rebuild_median_s": round(statistics.median(rebuild_only), 4),
        "rebuild_max_s": round(max(rebuild_only), 4),
        "widget_step_median_s": round(statistics.median(redraw), 4),
        "widget_step_max_s": round(max(redraw), 4),
        "floor_month_grid_median_s": round(statistics.median(floor), 4),
        "steps": len(redraw),
    }
    record("bench_content_planning.py", Row("content-planning explorer: one slider step (median)",
                                            statistics.median(redraw), "s", statistics.median(floor),
                                            "drawing the month grid alone"))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
