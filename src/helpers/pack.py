"""One period's pack: what a review period means for each notebook, so `run-all --period` is one coherent set.

A scheduler asks for "October 2026"; each analysis reads that as its own window:

- period review: the period itself;
- audience profiling: the audience as of the period's last day (its lookback window ends there);
- competitor analysis: the trailing `lookback_months` months ending with the period's last month;
- voice of the customer: the period itself, as the review (only when the data has comments);
- content planning: the plan for the month after the period;
- experiment evaluation: one run per experiment running in or ending in the period;
- account plan: actuals to the period's last whole month, re-planning the year it is in (next year
  from December);
- KOL vetting: the KOLs screened as of the period's last day, with the bookings made by then (only
  when the data has KOLs).

Accounts: without `--accounts` the pack covers the brand's own accounts together (one row, "own",
as each notebook reads by default). With `--accounts all` (every own account) or a list of ids,
the review, the audience and the competitor analysis run once per account (the competitor
analysis only where the account's platform has competitor accounts in the data), each into
`outputs/accounts/<id>/`, so one account's months sit together and never overwrite another's. The
content plan, the experiments, the account plan and KOL vetting are the brand's: they run once, shared
by every row.

`latest` is the last complete month (week, quarter) of `account_daily`, as the review reads it.
Freshness is stated per account: the data's last day, flagged when it ends before the period does
or, for `latest`, when it is older than `max_age_days` (no new data arrived: the pack would
re-review an old month). Everything here is checked before any kernel starts, so a bad period or
account is one clear message (exit 2).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from helpers import i18n, periods
from helpers.data import find_table_file, load_tables
from helpers.errors import ParameterError
from helpers.i18n import _
from helpers.periods import ReviewPeriod

#: How the competitor analysis looks back by default (its notebook's lookback_months).
COMPETITOR_LOOKBACK_MONTHS = 6
#: For `--period latest`: data older than this many days is stale (no new data arrived).
MAX_AGE_DAYS = 7
#: The account row of a pack without --accounts: the brand's own accounts together.
OWN = "own"
#: Notebooks that run once per account row; the others are the brand's (shared by every row).
PER_ACCOUNT = ("period_review", "audience_profiling", "competitor_analysis", "voice_of_customer")
#: Notebooks the brand runs once per pack, whatever the account rows.
SHARED = ("content_planning", "experiment_evaluation", "account_plan", "kol_evaluation")
#: Per-account notebooks that read the period exactly as the review does (period_type and period).
PERIOD_NOTEBOOKS = ("period_review", "voice_of_customer")
_KINDS = ("month", "quarter", "week")


@dataclass(frozen=True)
class PackRun:
    """One notebook run of a pack: its account row ("" = shared), parameters, window and outputs subfolder."""

    notebook: str
    parameters: dict[str, Any] = field(default_factory=dict)
    window: str = ""
    account: str = ""
    subfolder: str = ""

    @property
    def name(self) -> str:
        """How logs name the run: notebook, account row and window, e.g. "period_review [own_douyin] 2026-10"."""
        account = f" [{self.account}]" if self.account else ""
        return f"{self.notebook}{account} {self.window}".strip()


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


def is_latest(label: str) -> bool:
    """Whether a --period value asks for the last complete month of the data."""
    return str(label).strip().lower() == "latest"


def _table(name: str, data_dir: Path, flag: str) -> pd.DataFrame:
    if find_table_file(name, data_dir) is None:
        raise ParameterError(f"{flag} needs the {name} table in {data_dir}: import the exports first "
                             "(`opsbook import`) or pass --data with the folder that holds it.")
    return load_tables([name], data_dir)[name]


def resolve_pack_period(label: str, data_dir: Path) -> ReviewPeriod:
    """The pack's period: an explicit label, or 'latest' = the last complete month of the data's account_daily."""
    if not is_latest(label):
        return parse_pack_period(label)
    daily = _table("account_daily", data_dir, "--period latest")
    return periods.latest_complete_period("month", daily["date"])


def select_pack_accounts(spec: str | None, data_dir: Path) -> list[str]:
    """The pack's account rows: ["own"] without --accounts; every own account for 'all'; else the ids given."""
    if spec is None or not str(spec).strip():
        return [OWN]
    accounts = _table("accounts", data_dir, "--accounts")
    own = [str(a) for a in accounts.loc[accounts["owner"] == "own", "account_id"]]
    if str(spec).strip().lower() == "all":
        if not own:
            raise ParameterError(f"--accounts all: the accounts table in {data_dir} has no account with owner 'own'.")
        return own
    asked = [a.strip() for a in str(spec).split(",") if a.strip()]
    unknown = [a for a in asked if a not in own]
    if unknown:
        raise ParameterError(f"--accounts: {', '.join(unknown)} is not an own account in {data_dir}; "
                             f"give 'all' or own account ids from: {', '.join(own) or 'none'}.")
    return list(dict.fromkeys(asked))


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


def account_names(data_dir: Path) -> tuple[dict[str, str], list[str]]:
    """Account id → name (the id where the name is missing), and the own account ids, from the accounts table."""
    accounts = load_tables(["accounts"], data_dir)["accounts"]
    ids = accounts["account_id"].astype(str)
    names = accounts["name"].fillna(accounts["account_id"]).astype(str) if "name" in accounts else ids
    return dict(zip(ids, names, strict=True)), list(ids[accounts["owner"] == "own"])


def has_competitors(account: str, accounts: pd.DataFrame) -> bool:
    """Whether the accounts table holds a competitor account on the own account's platform."""
    platform = accounts.loc[accounts["account_id"] == account, "platform"]
    rivals = accounts[(accounts["owner"] == "competitor") & accounts["platform"].isin(platform)]
    return not rivals.empty


def _account_runs(name: str, period: ReviewPeriod, account: str, accounts: pd.DataFrame,
                  lookback_months: int) -> list[PackRun]:
    """The runs of one per-account notebook for one account row (the competitor run needs rivals on the platform)."""
    last = period.end
    single = account != OWN
    where = f"accounts/{account}" if single else ""
    chosen: dict[str, Any] = {"account": [account]} if single else {}
    if name in PERIOD_NOTEBOOKS:
        return [PackRun(name, {**chosen, "period_type": period.kind, "period": period.label}, period.label,
                        account, where)]
    if name == "audience_profiling":
        return [PackRun(name, {**chosen, "as_of": f"{last:%Y-%m-%d}"}, f"{last:%Y-%m-%d}", account, where)]
    if single and not has_competitors(account, accounts):
        return []
    first = _month_start(last, lookback_months - 1)
    window = f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
    params = {"own_account": account, "period": window} if single else {"period": window}
    return [PackRun(name, params, window, account, where)]


def pack_runs(period: ReviewPeriod, data_dir: Path, notebooks: Sequence[str], accounts: Sequence[str] = (OWN,),
              lookback_months: int = COMPETITOR_LOOKBACK_MONTHS) -> list[PackRun]:
    """The runs of the pack for `period`: per account row the per-account notebooks, then the shared ones."""
    unknown = [n for n in notebooks if n not in (*PER_ACCOUNT, *SHARED)]
    if unknown:
        raise ParameterError(f"the pack does not know how the period maps to notebook {unknown[0]!r}")
    runs: list[PackRun] = []
    if find_table_file("comments", data_dir) is None:  # no feedback imported: nothing for the voice of the customer
        notebooks = [n for n in notebooks if n != "voice_of_customer"]
    if find_table_file("kols", data_dir) is None:  # no KOL list imported: nothing to vet
        notebooks = [n for n in notebooks if n != "kol_evaluation"]
    single = [a for a in accounts if a != OWN]  # only single accounts look up their platform's competitors
    table = load_tables(["accounts"], data_dir)["accounts"] if single else pd.DataFrame()
    for account in accounts:
        for name in (n for n in notebooks if n in PER_ACCOUNT):
            runs += _account_runs(name, period, account, table, lookback_months)
    for name in notebooks:
        if name == "content_planning":
            month = f"{(period.end + pd.Timedelta(days=1)):%Y-%m}"
            runs.append(PackRun(name, {"plan_month": month}, month))
        elif name == "experiment_evaluation":
            runs += [PackRun(name, {"experiment_id": e}, e) for e in experiments_in(period, data_dir)]
        elif name == "account_plan":
            runs.append(plan_run(period))
        elif name == "kol_evaluation":
            day = f"{period.end:%Y-%m-%d}"
            runs.append(PackRun(name, {"as_of": day}, day))
    return runs


def plan_run(period: ReviewPeriod) -> PackRun:
    """The account plan of a pack: actuals to the last whole month of the period, re-planning the year it is in
    (the committed annual targets kept, the rest re-spread), or planning next year once December is in."""
    end = period.end
    last_whole = end if (end + pd.Timedelta(days=1)).day == 1 else end.replace(day=1) - pd.Timedelta(days=1)
    as_of = f"{last_whole:%Y-%m}"
    year = last_whole.year + 1 if last_whole.month == 12 else last_whole.year
    return PackRun("account_plan", {"as_of": as_of, "plan_year": "next" if last_whole.month == 12 else "current"},
                   str(year))


# ---------------------------------------------------------------- freshness

@dataclass(frozen=True)
class Freshness:
    """How far one account row's data reaches: its last day, whether that is fresh enough, and why not."""

    account: str
    data_end: pd.Timestamp | None
    fresh: bool
    reason: str = ""  # "", "ends early" (before the period's end) or "old" (older than the allowed age)
    late_accounts: tuple[str, ...] = ()
    days_short: int = 0
    days_old: int = 0

    def note(self, names: dict[str, str] | None = None) -> str:
        """The flag as a reader sees it, in the current language; empty when fresh.

        The "own" row names the accounts that hold it back (by `names`, else their ids).
        """
        if self.fresh or self.data_end is None:
            return "" if self.fresh else _("no daily data for this account")
        if self.reason == "ends early":
            text = i18n.ngettext("data ends {day}, {n} day before the period ends",
                                 "data ends {day}, {n} days before the period ends", self.days_short)
        else:
            text = i18n.ngettext("data ends {day}, {n} day ago: no newer data arrived",
                                 "data ends {day}, {n} days ago: no newer data arrived", self.days_old)
        line = text.format(day=i18n.fmt_date(self.data_end), n=self.days_short or self.days_old)
        if self.account != OWN:
            return line
        who = i18n.listed((names or {}).get(a, a) for a in self.late_accounts)
        return f"{who}{i18n.punctuation('colon')}{line}"


def data_freshness(daily: pd.DataFrame, account_rows: Sequence[str], own: Sequence[str], period: ReviewPeriod,
                   today: dt.date, max_age_days: int | None) -> list[Freshness]:
    """Per account row: the last day of its account_daily, flagged when it ends before the period's end or
    (max_age_days given, as for `latest`) when it is more than max_age_days old on `today`.

    The "own" row is as fresh as its stalest account, and names the accounts that hold it back.
    """
    last_days = daily.groupby("account_id")["date"].max()
    out = []
    for row in account_rows:
        members = list(own) if row == OWN else [row]
        ends = last_days.reindex(members)
        if ends.isna().all():
            out.append(Freshness(row, None, False, "missing", tuple(members)))
            continue
        end = pd.Timestamp(ends.min())
        short = (period.end.normalize() - end.normalize()).days
        old = (pd.Timestamp(today) - end.normalize()).days
        if short > 0:
            late = tuple(str(a) for a, e in ends.items() if pd.isna(e) or e < period.end)
            out.append(Freshness(row, end, False, "ends early", late, days_short=short, days_old=old))
        elif max_age_days is not None and old > max_age_days:
            late = tuple(str(a) for a, e in ends.items() if pd.isna(e) or (pd.Timestamp(today) - e).days > max_age_days)
            out.append(Freshness(row, end, False, "old", late, days_old=old))
        else:
            out.append(Freshness(row, end, True, days_old=old))
    return out


def pack_freshness(data_dir: Path, account_rows: Sequence[str], period: ReviewPeriod, today: dt.date,
                   max_age_days: int | None) -> list[Freshness]:
    """data_freshness read from the data folder (account_daily and the own accounts)."""
    tables = load_tables(["accounts", "account_daily"], data_dir)
    accounts = tables["accounts"]
    own = [str(a) for a in accounts.loc[accounts["owner"] == "own", "account_id"]]
    return data_freshness(tables["account_daily"], account_rows, own, period, today, max_age_days)


def stale_message(stale: Sequence[Freshness]) -> str:
    """The --require-fresh error: every stale row with its last day (English, like every CLI error)."""
    with i18n.use_language("en"):
        lines = [f"- {f.account}: {f.note()}" for f in stale]
    return ("--require-fresh: the data is not fresh enough for this pack:\n" + "\n".join(lines) +
            "\nImport the newer exports (`opsbook import`), or run without --require-fresh to publish with the "
            "accounts flagged.")


# ---------------------------------------------------------------- the pack folder

@dataclass(frozen=True)
class PackResult:
    """How one run of the pack ended: its report folder, or the failure message."""

    run: PackRun
    output_dir: Path | None = None
    error: str = ""
    refused: bool = False  # the run refused bad input (data or parameters to fix), rather than crashed


def exit_code(results: Sequence[PackResult], other_failures: int = 0) -> int:
    """`run-all`'s exit code once its runs ended (the pack, if any, is written either way).

    0 every run published (and, asked for, printed and sent); 1 a run crashed (a bug, a dead kernel)
    or `other_failures` (PDFs or notifications that failed) > 0; 2 the only failures are runs that
    refused bad input (data or parameters to fix: a DataError or ParameterError, before or in the notebook).
    """
    failed = [r for r in results if r.error]
    if other_failures or any(not r.refused for r in failed):
        return 1
    return 2 if failed else 0


def _summary(folder: Path | None) -> dict[str, Any]:
    path = folder / "summary.json" if folder is not None else None
    if path is None or not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _run_entry(result: PackResult, summary: dict[str, Any], folder: Path) -> dict[str, Any]:
    headline = summary.get("headline", {})
    report = (os.path.relpath(result.output_dir / "report.html", folder).replace(os.sep, "/")
              if result.output_dir is not None else None)
    return {"notebook": result.run.notebook, "account": result.run.account, "window": result.run.window,
            "parameters": result.run.parameters, "status": "failed" if result.error else "ok",
            "title": summary.get("title", ""), "label": summary.get("label", ""),
            "verdict": headline.get("verdict", ""), "verdict_status": headline.get("status", ""),
            "report": report, "message": result.error}


def _account_name(account: str, names: dict[str, str], own: Sequence[str]) -> str:
    if account == OWN:
        from helpers import page

        return page.brand_name([names.get(a, a) for a in own]) if own else _("own accounts")
    return names.get(account, account)


_STATUS_RANK = {"at risk": 3, "watch": 2, "healthy": 1, "info": 0}


def _row_status(entries: Sequence[dict[str, Any]]) -> str:
    """A row's status: failed when a run failed, else its review's verdict status, else the worst verdict."""
    if any(e["status"] == "failed" for e in entries):
        return "failed"
    review = [e["verdict_status"] for e in entries if e["notebook"] == "period_review" and e["verdict_status"]]
    if review:
        return str(review[0])
    known = [e["verdict_status"] for e in entries if e["verdict_status"] in _STATUS_RANK]
    return max(known, key=_STATUS_RANK.__getitem__) if known else "info"


def pack_record(period: ReviewPeriod, results: Sequence[PackResult], folder: Path, lang: str,
                freshness: Sequence[Freshness] = (), names: dict[str, str] | None = None,
                own: Sequence[str] = ()) -> dict[str, Any]:
    """pack.json: the period, one row per account (status, headline KPIs, alerts, freshness) and every run."""
    names = names or {}
    summaries = [_summary(r.output_dir) for r in results]  # each run's summary.json, read once
    runs = [_run_entry(r, summary, folder) for r, summary in zip(results, summaries, strict=True)]
    fresh = {f.account: f for f in freshness}
    rows = list(dict.fromkeys([*fresh, *(r.run.account for r in results if r.run.account)]))
    with i18n.use_language(lang):
        accounts = []
        for row in rows:
            indices = [i for i, r in enumerate(results) if r.run.account == row]
            review = [i for i in indices if runs[i]["notebook"] == "period_review"]
            shown = summaries[review[0]] if review and runs[review[0]]["status"] == "ok" else None
            tiles = shown.get("headline", {}).get("tiles", []) if shown is not None else []
            f = fresh.get(row)
            accounts.append({
                "account": row, "name": _account_name(row, names, own),
                "status": _row_status([runs[i] for i in indices]),
                "verdict": runs[review[0]]["verdict"] if review else "", "kpis": tiles[:3],
                "alerts": len(shown.get("alerts", [])) if shown is not None else None,  # None: no review ran
                "data_end": f"{f.data_end:%Y-%m-%d}" if f is not None and f.data_end is not None else None,
                "fresh": f.fresh if f is not None else True, "freshness_note": f.note(names) if f is not None else "",
                "runs": indices})
        title = _("Report pack · {period}").format(period=i18n.fmt_period(period.kind, period.start))
    return {"period": period.label, "kind": period.kind, "start": f"{period.start:%Y-%m-%d}",
            "end": f"{period.end:%Y-%m-%d}", "lang": lang, "title": title,
            "written_at": dt.datetime.now().isoformat(timespec="seconds"),
            "failed": sum(r["status"] == "failed" for r in runs),
            "stale": sum(not a["fresh"] for a in accounts), "accounts": accounts,
            "shared_runs": [i for i, r in enumerate(results) if not r.run.account], "runs": runs}


def row_badge(status: str) -> str:
    """An account row's status as shown: "▲ 风险" / "▲ at risk"; a row whose run failed reads "▲ run failed"."""
    from helpers.page import status_label

    if status == "failed":
        return status_label("at risk").split(" ")[0] + " " + _("run failed")
    return status_label(status)


def pack_verdict(record: dict[str, Any]) -> str:
    """The pack's first line in the current language: accounts by status, stale data, failed runs.

    "2 个账号：▲ 风险 1 · ▲ 运行失败 1；1 个账号数据滞后；1 个运行失败" / "2 accounts: ▲ at risk 1 · ..."
    """
    # a brand row ("own") beside single accounts would count them twice: it counts only when it is the only row
    rows = [a for a in record["accounts"] if a["account"] != OWN] or record["accounts"]
    counts = [f"{row_badge(code)} {n}" for code in ("healthy", "watch", "at risk", "info", "failed")
              if (n := sum(a["status"] == code for a in rows))]
    parts = [i18n.ngettext("{n} account", "{n} accounts", len(rows)).format(n=len(rows))
             + (i18n.punctuation("colon") + " · ".join(counts) if counts else "")]
    if record["stale"]:
        parts.append(i18n.ngettext("{n} account with stale data", "{n} accounts with stale data",
                                   record["stale"]).format(n=record["stale"]))
    if record["failed"]:
        parts.append(i18n.ngettext("{n} run failed", "{n} runs failed", record["failed"]).format(n=record["failed"]))
    return i18n.punctuation("semicolon").join(parts)


def render_index(record: dict[str, Any]) -> str:
    """The pack's index.html in the current language: a row of tiles per account, then the shared reports."""
    from helpers import page

    words = {"verdict": pack_verdict(record), "alerts": _("anomaly alerts"), "open": _("open the report"),
             "failed": row_badge("failed"),
             "shared": _("For every account"), "data_end": _("data to {day}")}
    names = {k: _(v) for k, v in page.REPORT_NAMES.items()}
    days = {a["account"]: i18n.fmt_date(pd.Timestamp(a["data_end"])) if a["data_end"] else "" for a in
            record["accounts"]}
    template = page.environment().get_template("pack_index.html.j2")
    return str(template.render(record=record, words=words, names=names, days=days, lang=i18n.current_language(),
                               row_badge=row_badge,
                               css=(page.TEMPLATES / "report.css").read_text(encoding="utf-8")))


def write_pack(record: dict[str, Any], folder: Path) -> Path:
    """Write <folder>/pack.json and index.html (in the record's language), each replaced atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    with i18n.use_language(record["lang"]):
        html = render_index(record)
    for name, text in (("pack.json", json.dumps(record, ensure_ascii=False, indent=2)), ("index.html", html)):
        tmp = folder / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(folder / name)
    return folder / "index.html"
