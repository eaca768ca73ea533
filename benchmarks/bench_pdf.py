"""Benchmark: seconds per printed page, one Chromium per page (helpers.pdf) against one reused browser.

helpers.pdf starts Chromium from its command line for every page (no browser driver at run time); a
reused browser, driven here through Playwright (a test dependency, used only to measure), pays the
start-up once. Both print the same pages: copies of a period-review report (`opsbook run
period_review` on the sample data, or --report) and a small pack index, in alternating rounds so
they see the same machine state. helpers.pdf.print_reports with two pages at a time is timed too.

    .venv/bin/python benchmarks/bench_pdf.py [--pages 4] [--repeat 2] [--report path/to/report.html]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pypdf
from record import Row, record

from helpers import config, i18n, page, pdf
from helpers.runner import run_notebook
from helpers.sample import ensure_sample


def make_report(folder: Path, period: str) -> Path:
    """A real report page: the period review on the sample data."""
    ensure_sample()
    return run_notebook("period_review", period=period, out_root=folder / "outputs", progress=False).report


def make_index(folder: Path) -> Path:
    """A small pack index (two runs, one failed)."""
    run = {"notebook": "period_review", "window": "2026-10", "status": "ok", "title": "月度复盘 · 2026年10月",
           "report": "../report.html", "message": ""}
    failed = dict(run, notebook="audience_profiling", status="failed", title="", report=None, message="x")
    record = {"period": "2026-10", "kind": "month", "start": "2026-10-01", "end": "2026-10-31",
              "runs": [run, failed], "failed": 1, "accounts": [], "shared_runs": [0, 1], "title": "2026年10月"}
    with i18n.use_language("zh-CN"):
        html = page.render_pack_index(record)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(html, encoding="utf-8")
    return folder / "index.html"


def copies(report: Path, folder: Path, n: int) -> list[Path]:
    """`n` copies of the report page, each in its own folder (as a pack's runs are)."""
    pages = []
    for i in range(n):
        target = folder / f"run{i}" / "report.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(report, target)
        pages.append(target)
    return pages


def time_per_process(pages: list[Path], browser: Path) -> list[float]:
    """Seconds for each page printed by helpers.pdf (a browser started per page)."""
    times = []
    for html in pages:
        start = time.perf_counter()
        pdf.print_pdf(html, html.with_suffix(".pdf"), browser=browser)
        times.append(time.perf_counter() - start)
    return times


def time_print_reports(pages: list[Path], browser: Path, workers: int) -> float:
    """Seconds for helpers.pdf.print_reports over all pages, `workers` at a time."""
    start = time.perf_counter()
    results = pdf.print_reports(pages, browser=browser, workers=workers)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return time.perf_counter() - start


def time_reused(pages: list[Path], browser: Path) -> tuple[float, list[float]]:
    """Start-up seconds of one Playwright-driven browser, then seconds for each page it prints."""
    from playwright.sync_api import sync_playwright

    flags = ["--disable-gpu", *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    start = time.perf_counter()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(browser), args=flags)
        launch = time.perf_counter() - start
        times = []
        for html in pages:
            begin = time.perf_counter()
            tab = chromium.new_page()
            tab.goto(html.resolve().as_uri())
            tab.pdf(path=str(html.with_suffix(".reused.pdf")), print_background=True, prefer_css_page_size=True,
                    outline=True)
            tab.close()
            times.append(time.perf_counter() - begin)
        chromium.close()
    return launch, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="copies of the report printed per round")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--report", type=Path, help="a report.html to print (default: run the period review)")
    parser.add_argument("--results", type=Path, default=config.ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    browser = pdf.require_browser()
    rows: dict[str, list[float]] = {"process_report": [], "process_index": [], "reused_report": [],
                                    "reused_index": [], "reused_launch": [], "two_at_a_time_report": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report = args.report or make_report(folder, args.period)
        pages = copies(report, folder / "pages", args.pages)
        index = make_index(folder / "pack")
        for round_ in range(args.repeat):
            rows["process_report"] += time_per_process(pages, browser)
            rows["process_index"] += time_per_process([index], browser)
            launch, times = time_reused([*pages, index], browser)
            rows["reused_launch"].append(launch)
            rows["reused_report"] += times[:-1]
            rows["reused_index"].append(times[-1])
            rows["two_at_a_time_report"].append(time_print_reports(pages, browser, workers=2) / len(pages))
            print(f"round {round_ + 1}: per report page {statistics.median(rows['process_report']):.2f} s "
                  f"(a browser each), {statistics.median(rows['reused_report']):.2f} s (reused, "
                  f"+{launch:.2f} s start-up once)", flush=True)
        size_mb = report.stat().st_size / 1e6
        pdf_pages = len(pypdf.PdfReader(pages[0].with_suffix(".pdf")).pages)
    medians = {key: round(statistics.median(values), 2) for key, values in rows.items() if values}
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "browser": str(browser), "report_html_mb": round(size_mb, 2), "report_pdf_pages": pdf_pages,
              "pages_per_round": args.pages, "repeat": args.repeat, "seconds": rows, "median_s": medians}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "pdf.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    record("bench_pdf.py", Row("PDF of a period review: seconds per page (a browser each)", medians["process_report"],
                               "s", medians["reused_report"], "one reused browser (Playwright)"))
    print(f"report ({size_mb:.1f} MB HTML, {pdf_pages} PDF pages), seconds per page: "
          f"{medians['process_report']} with a browser each, {medians['two_at_a_time_report']} two at a time, "
          f"{medians['reused_report']} in one reused browser (+{medians['reused_launch']} once); "
          f"pack index: {medians['process_index']} vs {medians['reused_index']}")


if __name__ == "__main__":
    main()
