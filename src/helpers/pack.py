"""One period's pack: what a review period means for each notebook, so `run-all --period` is one coherent set.

A scheduler asks for "October 2026"; each analysis reads that as its own window:

- period review: the period itself;
- audience profiling: the audience as of the period's last day (its lookback window ends there);
- competitor analysis: the trailing `lookback_months` months ending with the period's last month;
- content planning: the plan for the month after the period;
- experiment evaluation: one run per experiment running in or ending in the period.

`latest` is the last complete month (week, quarter) of `account_daily`, as the review reads it.
Everything here is checked before any kernel starts, so a bad period is one clear message (exit 2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import periods
from helpers.data import find_table_file, load_tables
from helpers.errors import ParameterError
from helpers.periods import ReviewPeriod

#: How the competitor analysis looks back by default (its notebook's lookback_months).
COMPETITOR_LOOKBACK_MONTHS = 6
_KINDS = ("month", "quarter", "week")


@dataclass(frozen=True)
class PackRun:
    """One notebook run of a pack: the parameters the period means for it, and its window (dates or an id)."""

    notebook: str
    parameters: dict[str, Any] = field(default_factory=dict)
    window: str = ""


def parse_pack_period(label: str) -> ReviewPeriod:
    """A month (2026-10), quarter (2026-Q4) or ISO week (2026-W43) label, whichever it is."""
    text = str(label).strip()
    for kind in _KINDS:
        try:
            return periods.parse_period(kind, text)
        except ParameterError:
            continue
    raise ParameterError(f"--period {label!r} is not a period: give a month (2026-10), a quarter (2026-Q4), "
                         "an ISO week (2026-W43) or 'latest'.")


def resolve_pack_period(label: str, data_dir: Path) -> ReviewPeriod:
    """The pack's period: an explicit label, or 'latest' = the last complete month of the data's account_daily."""
    if str(label).strip().lower() != "latest":
        return parse_pack_period(label)
    if find_table_file("account_daily", data_dir) is None:
        raise ParameterError(f"--period latest needs account_daily in {data_dir}: give an explicit period "
                             "such as 2026-10.")
    daily = load_tables(["account_daily"], data_dir)["account_daily"]
    return periods.latest_complete_period("month", daily["date"])


def _month_start(day: pd.Timestamp, months_back: int) -> pd.Timestamp:
    return (day.to_period("M") - months_back).start_time.normalize()


def experiments_in(period: ReviewPeriod, data_dir: Path) -> list[str]:
    """Ids of the experiments running in or ending in the period (start ≤ period end and end ≥ period start)."""
    if find_table_file("experiments", data_dir) is None:
        return []
    table = load_tables(["experiments"], data_dir)["experiments"]
    start = pd.to_datetime(table["start"], errors="coerce")
    end = pd.to_datetime(table["end"], errors="coerce").fillna(pd.Timestamp.max)
    running = (start <= period.end) & (end >= period.start)
    return [str(e) for e in table.loc[running, "experiment_id"]]


def pack_runs(period: ReviewPeriod, data_dir: Path, notebooks: Sequence[str],
              lookback_months: int = COMPETITOR_LOOKBACK_MONTHS) -> list[PackRun]:
    """The runs of the pack for `period`, notebook by notebook, in the order given."""
    runs: list[PackRun] = []
    last = period.end
    for name in notebooks:
        if name == "period_review":
            runs.append(PackRun(name, {"period_type": period.kind, "period": period.label}, period.label))
        elif name == "audience_profiling":
            runs.append(PackRun(name, {"as_of": f"{last:%Y-%m-%d}"}, f"{last:%Y-%m-%d}"))
        elif name == "competitor_analysis":
            first = _month_start(last, lookback_months - 1)
            window = f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
            runs.append(PackRun(name, {"period": window}, window))
        elif name == "content_planning":
            month = f"{(last + pd.Timedelta(days=1)):%Y-%m}"
            runs.append(PackRun(name, {"plan_month": month}, month))
        elif name == "experiment_evaluation":
            runs += [PackRun(name, {"experiment_id": e}, e) for e in experiments_in(period, data_dir)]
        else:
            raise ParameterError(f"the pack does not know how the period maps to notebook {name!r}")
    return runs


# ---------------------------------------------------------------- the pack folder

@dataclass(frozen=True)
class PackResult:
    """How one run of the pack ended: its report folder, or the failure message."""

    run: PackRun
    output_dir: Path | None = None
    error: str = ""


def _summary(folder: Path | None) -> dict[str, Any]:
    import json

    path = folder / "summary.json" if folder is not None else None
    if path is None or not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def pack_record(period: ReviewPeriod, results: Sequence[PackResult], folder: Path, lang: str) -> dict[str, Any]:
    """pack.json: the period, then per run its notebook, window, status, title and report path (relative)."""
    import datetime as dt
    import os

    runs = []
    for result in results:
        summary = _summary(result.output_dir)
        report = (os.path.relpath(result.output_dir / "report.html", folder)
                  if result.output_dir is not None else None)
        runs.append({"notebook": result.run.notebook, "window": result.run.window,
                     "parameters": result.run.parameters, "status": "failed" if result.error else "ok",
                     "title": summary.get("title", ""), "label": summary.get("label", ""), "report": report,
                     "message": result.error})
    return {"period": period.label, "kind": period.kind, "start": f"{period.start:%Y-%m-%d}",
            "end": f"{period.end:%Y-%m-%d}",
            "lang": lang, "runs": runs, "failed": sum(r["status"] == "failed" for r in runs),
            "written_at": dt.datetime.now().isoformat(timespec="seconds")}


def write_pack(period: ReviewPeriod, results: Sequence[PackResult], folder: Path, lang: str) -> Path:
    """Write <folder>/pack.json and index.html (in `lang`), replacing the previous ones atomically; return the index."""
    import json

    from helpers import i18n, page

    folder.mkdir(parents=True, exist_ok=True)
    record = pack_record(period, results, folder, lang)
    with i18n.use_language(lang):
        html = page.render_pack_index(record)
    for name, text in (("pack.json", json.dumps(record, ensure_ascii=False, indent=2)), ("index.html", html)):
        tmp = folder / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(folder / name)
    return folder / "index.html"
