"""Benchmark: the voice of the customer end to end on 1 million comments, with the segmentation floor.

Data: the sample's tables (helpers.sample.build_tables) with the comments scaled to ``--comments`` rows,
written as CSV (accounts, posts, risks, targets, comments) into a temporary folder once per run. Copy 0
is the sample as it is; each further copy repeats every comment with new comment ids (replies point to
their copy's parent), new user ids (the brand's own rows keep the account id, so they are still set
apart), its time moved by up to ±20 minutes (replied_at with it; hourly and daily patterns, the planted
spike and bot days stay) and its text varied: a prefix and a suffix drawn from 5 × 8 (zh or en, by the
text's script; emoji-only and empty texts unchanged), so a long text's 25 copies spread over ~19
variants — each posted by fewer than the 5 users that make copy-paste spam — and distinct texts are
about 40 % of all, as in a real export. The last copy is a random subset, to make the count exact.

Stages, timed in one process, in the notebook's order (helpers.voc.analysis): load (session.prepare),
sentiment scorer load (from the cache, warmed in another process first), feedback split into brand
rows + cleaning, scoring, labels (platform, period, campaign, post title) and segmentation (the same
calls as analysis.feedback; ``--check`` also runs analysis.feedback and compares the frames), keywords,
themes, questions, early warning and reply times. Then the floor: a new Segmenter alone on the same
texts (cut_many, each distinct text once, as the stage does) and rjieba alone (the user words added,
each distinct text cut once, no normalising or filtering).

Memory: the stages run in a child process of their own (the data is written by another), so its peak
resident set (getrusage ru_maxrss, Linux: KiB) is the stages' alone, plus Python and the imports. A
thread samples /proc/self/statm every 20 ms for each stage's own peak. Aim (issue 18): 1 M comments
end to end ≤ 120 s and ≤ 4 GB on a 2-core machine.

    .venv/bin/python benchmarks/bench_voc.py [--comments 1000000] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
from record import Row, record

from helpers import config

AIM_S = 120.0
AIM_GB = 4.0
SEED = 18
SHIFT_S = 20 * 60
TABLES = ("accounts", "posts", "risks", "targets")
ZH_PREFIXES = ("", "姐妹们，", "说实话，", "刚看到，", "今天才发现，")
ZH_SUFFIXES = ("", "！", "～", "。", "哈哈", "👍", "😂", "…")
EN_PREFIXES = ("", "Honestly, ", "Just saw this. ", "Ok so ", "Update: ")
EN_SUFFIXES = ("", "!", " lol", " :)", "...", " 👍", " tbh", "!!")
#: The notebook's parameters on the sample (the lead's defaults; all sources, the brand's product words).
PARAMETERS = dict(
    account="own", period_type="month", period="latest", sources=["comment", "reply", "dm", "survey", "danmaku"],
    brand_user_ids=[], user_terms=["青柠生活", "维C精华", "修护面霜", "防晒乳", "卸妆油", "身体乳", "敏感肌"],
    stop_words=[], sentiment_method="auto", n_themes="auto", spam_min_users=5, alert_threshold=3.5,
    crisis_keywords=["投诉", "退款", "假货", "过敏", "烂脸", "维权", "曝光", "12315"], sop_risk_id="",
    topic_pillar="教程", topic_format="short_video", top_n=15, lang="zh-CN")


def _varied(text: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Each text with a prefix and a suffix drawn from the zh or en sets (by script); others unchanged."""
    value = text.fillna("").astype(str)
    zh = value.str.contains("[\u4e00-\u9fff]", regex=True).to_numpy()
    en = ~zh & value.str.contains("[A-Za-z]", regex=True).to_numpy()
    pick_p, pick_s = rng.integers(0, 5, len(value)), rng.integers(0, 8, len(value))
    prefix = np.where(zh, np.array(ZH_PREFIXES, dtype=object)[pick_p],
                      np.where(en, np.array(EN_PREFIXES, dtype=object)[pick_p], ""))
    suffix = np.where(zh, np.array(ZH_SUFFIXES, dtype=object)[pick_s],
                      np.where(en, np.array(EN_SUFFIXES, dtype=object)[pick_s], ""))
    out = prefix + value.to_numpy(dtype=object) + suffix
    return pd.Series(out, index=text.index).where(text.notna() & (value.str.strip() != ""), text)


def _copy(comments: pd.DataFrame, k: int, brand_ids: set[str], rng: np.random.Generator) -> pd.DataFrame:
    """Copy k of the sample's comments: new comment/user ids, time moved up to ±20 minutes, text varied."""
    out = comments.copy()
    tag = f"-{k:02d}"
    out["comment_id"] = out["comment_id"] + tag
    out["parent_id"] = out["parent_id"].where(out["parent_id"].isna(), out["parent_id"] + tag)
    customer = out["user_id"].notna() & ~out["user_id"].isin(brand_ids)
    out.loc[customer, "user_id"] = out.loc[customer, "user_id"] + tag
    shift = pd.to_timedelta(rng.integers(-SHIFT_S, SHIFT_S + 1, len(out)), unit="s")
    out["created_at"] = out["created_at"] + shift
    out["replied_at"] = out["replied_at"] + shift
    out["text"] = _varied(out["text"], rng)
    return out


def scaled_comments(comments: pd.DataFrame, n: int, brand_ids: set[str], seed: int = SEED) -> pd.DataFrame:
    """The sample's comments and as many varied copies as make exactly n rows (the last copy a random subset)."""
    rng = np.random.default_rng(seed)
    parts, rows, k = [comments], len(comments), 1
    while rows < n:
        part = _copy(comments, k, brand_ids, rng)
        if rows + len(part) > n:
            part = part.iloc[np.sort(rng.choice(len(part), n - rows, replace=False))]
        parts.append(part)
        rows, k = rows + len(part), k + 1
    out = pd.concat(parts, ignore_index=True).iloc[:n]
    return out.sort_values("created_at", kind="stable").reset_index(drop=True)


def write_data(folder: Path, n: int) -> dict[str, object]:
    """Write accounts, posts, risks, targets and n comments as CSV into folder; rows and distinct texts."""
    from helpers.sample import _write_tables, build_tables

    tables = build_tables()
    comments = scaled_comments(tables["comments"], n, set(tables["accounts"]["account_id"]))
    _write_tables({**{t: tables[t] for t in TABLES}, "comments": comments}, folder)
    return {"comments": len(comments), "distinct_text_share": round(comments["text"].nunique() / len(comments), 3)}


class PeakSampler:
    """A thread reading this process's resident set every 20 ms; the peak since the last reset."""

    def __init__(self, every_s: float = 0.02) -> None:
        self._every, self._page = every_s, os.sysconf("SC_PAGE_SIZE")
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        """Resident bytes now."""
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, self.rss())

    def start(self) -> None:
        """Start sampling."""
        self.peak = self.rss()
        self._thread.start()

    def reset(self) -> int:
        """The peak since the last reset (bytes), and start a new one."""
        peak, self.peak = max(self.peak, self.rss()), self.rss()
        return peak

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def profile(folder: Path, check: bool) -> dict[str, object]:
    """Run the notebook's steps on the folder, then the segmentation floor; seconds and peak GB per stage."""
    import rjieba

    from helpers.nlp import sentiment
    from helpers.nlp.segment import Segmenter, default_stop_words
    from helpers.voc import analysis, session

    times: dict[str, float] = {}
    peaks: dict[str, float] = {}
    sampler = PeakSampler()
    sampler.start()

    @contextmanager
    def stage(name: str, into: dict[str, float]) -> Iterator[None]:
        sampler.reset()
        clock = time.perf_counter()
        yield
        into[name] = round(time.perf_counter() - clock, 2)
        peaks[name] = round(sampler.reset() / 1024**3, 2)

    with stage("load", times):
        run = session.prepare(data_dir=str(folder), **PARAMETERS)  # type: ignore[arg-type]
    with stage("scorer_load", times):
        scorer = sentiment.build_scorer(run.settings.sentiment_method)
    with stage("feedback_brand_and_cleaning", times):  # analysis.feedback, step by step
        customers, brand = analysis.split_brand_rows(run.comments, run.account_ids, run.settings.brand_user_ids)
        cleaned = analysis.clean_comments(customers, repeat_min_users=run.settings.spam_min_users)
    with stage("feedback_scoring", times):
        kept = cleaned.comments.join(scorer.score(cleaned.comments))
    with stage("feedback_labels", times):
        kept["platform"] = kept["account_id"].map(run.platforms)
        kept["period"] = analysis.period_labels(kept["created_at"], run.period.kind)
        kept["campaign"] = analysis.campaign_of(kept["created_at"])
        kept["post_title"] = kept["post_id"].map(analysis._post_titles(run))
    with stage("feedback_segmentation", times):
        kept["terms"] = analysis.content_terms(analysis._segmenter(run).cut_many(kept["text_masked"]),
                                               run.settings.user_terms)
        voice = analysis.Feedback(kept, cleaned, len(brand), len(session.in_period(brand, run.period)), run.period,
                                  run.previous)
    with stage("keywords", times):
        analysis.keywords(voice, run.settings.top_n)
    with stage("themes", times):
        found, _ = analysis.themes(voice, run.settings.n_themes)
    with stage("questions", times):
        analysis.questions(voice, run)
    with stage("early_warning", times):
        analysis.early_warning(voice, run, analysis.theme_of_comments(found, voice))
    with stage("reply_times", times):
        analysis.reply_times(voice)
    total_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB
    texts = kept["text_masked"]
    floor: dict[str, float] = {}
    with stage("segmenter", floor):
        Segmenter(run.settings.user_terms, default_stop_words() | set(run.settings.stop_words)).cut_many(texts)
    distinct = texts.dropna().astype(str).unique()
    with stage("rjieba", floor):
        jieba = rjieba.Jieba()
        for word in run.settings.user_terms:
            jieba.add_word(word, None, None)
        for text in distinct:
            jieba.cut(text, True)
    figures: dict[str, object] = {
        "rows_read": len(run.comments), "rows_kept": len(kept), "rows_in_period": len(voice.now),
        "distinct_kept_texts": len(distinct), "period": run.period.label,
        "stages_s": times, "floor_s": floor, "stage_peak_rss_gb": peaks,
        "total_s": round(sum(times.values()), 2), "peak_rss_gb": round(total_peak, 2)}
    sampler.stop()
    if check:
        same = analysis.feedback(run, scorer).comments
        figures["feedback_same_as_analysis"] = bool(same.equals(kept))
    return figures


def _table(report: dict[str, object]) -> str:
    """The stages as a text table (seconds, share of the total, peak GB), the totals vs the aims and the floor."""
    stages: dict[str, float] = report["stages_s"]  # type: ignore[assignment]
    floor: dict[str, float] = report["floor_s"]  # type: ignore[assignment]
    peaks: dict[str, float] = report["stage_peak_rss_gb"]  # type: ignore[assignment]
    total = float(report["total_s"])  # type: ignore[arg-type]
    lines = [f"{'stage':<30}{'seconds':>9}{'share':>8}{'peak GB':>9}"]
    lines += [f"{name:<30}{s:>9.2f}{s / total:>8.1%}{peaks[name]:>9.2f}" for name, s in stages.items()]
    label = f"total (aim <= {AIM_S:.0f} s)"
    lines.append(f"{label:<30}{total:>9.2f}{1:>8.0%}"
                 f"{float(report['peak_rss_gb']):>9.2f}  (aim <= {AIM_GB:.0f} GB)")  # type: ignore[arg-type]
    lines += [f"{'floor: ' + name:<30}{s:>9.2f}{'':>8}{peaks[name]:>9.2f}" for name, s in floor.items()]
    lines.append(f"end to end / segmenter floor: {report['ratio_to_segmenter_floor']}x; "
                 f"/ rjieba alone: {report['ratio_to_rjieba']}x")
    return "\n".join(lines)


def _child(args: list[str]) -> dict[str, object]:
    """Run this script with args in a new process; the JSON on its last line."""
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"the measured process failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--check", action="store_true", help="also run analysis.feedback and compare the frames")
    parser.add_argument("--write-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warm-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=config.ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    if args.write_only:
        print(json.dumps(write_data(args.write_only, args.comments)))
        return
    if args.warm_only:
        from helpers.nlp import sentiment

        sentiment.build_scorer("auto")  # fits and caches the model the first time (~35 s), so the run times a load
        print("{}")
        return
    if args.profile_only:
        print(json.dumps(profile(args.profile_only, args.check), ensure_ascii=False))
        return
    folder = Path(tempfile.mkdtemp(prefix="opsbook-voc-"))
    try:
        written = _child(["--write-only", str(folder), "--comments", str(args.comments)])
        _child(["--warm-only"])
        figures = _child(["--profile-only", str(folder), *(["--check"] if args.check else [])])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    floor: dict[str, float] = figures["floor_s"]  # type: ignore[assignment]
    total = float(figures["total_s"])  # type: ignore[arg-type]
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              **written, **figures,
              "ratio_to_segmenter_floor": round(total / floor["segmenter"], 1) if floor["segmenter"] else None,
              "ratio_to_rjieba": round(total / floor["rjieba"], 1) if floor["rjieba"] else None,
              "meets_aim": total <= AIM_S and float(figures["peak_rss_gb"]) <= AIM_GB,  # type: ignore[arg-type]
              "aim": f"{args.comments} comments end to end <= {AIM_S:.0f} s and <= {AIM_GB:.0f} GB (1 M on 2 cores)"}
    record("bench_voc.py",
           Row(f"voice of the customer, {args.comments:,} comments: time", total, "s", floor["segmenter"],
               "segmenting the comments' texts alone"),
           Row(f"voice of the customer, {args.comments:,} comments: peak memory",
               float(figures["peak_rss_gb"]) * 1024, "MiB"))  # type: ignore[arg-type]
    print(_table(report))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "voc_scale.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
