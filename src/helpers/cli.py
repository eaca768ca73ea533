"""The `opsbook` command: run notebooks, import platform exports into the store, make the sample data, validate.

Errors are printed as one clear message and a non-zero exit code, never as a traceback. Exit codes
(`run`, `run-all`, `validate`; README "Exit codes"): 0 success, warnings allowed; 2 bad input the user
must fix (data or parameters, whether found before the kernel starts or by the notebook); 1 a run
failed for any other reason (a bug, a crash, a PDF or a notification that failed); 130 interrupted.
Relative paths (--data, --out, -f, --notify, path parameters) are read from the caller's working
directory, and the paths printed are absolute.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import config
from helpers.errors import OpsbookError, ParameterError

if TYPE_CHECKING:
    from helpers.pack import PackResult, PackRun

log = logging.getLogger("opsbook")


def setup_logging(quiet: bool) -> None:
    """Timestamped log lines on stderr (a cron log reads when each run ended); --quiet keeps warnings and errors."""
    for handler in list(log.handlers):
        log.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    log.addHandler(handler)
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


#: The exit codes, as each command's --help states them (one contract: README "Exit codes", docs/decisions.md).
EXIT_CODES = {
    "run": "Exit codes: 0 the report is published (warnings allowed); 2 bad input to fix, one message without a "
           "traceback: a parameter, the data folder or the data itself, whether refused before the kernel starts "
           "or by the notebook (a DataError or ParameterError); 1 the run failed for another reason (a bug, a "
           "dead kernel, the export, a PDF); 130 interrupted. A failed run never replaces the last good report.",
    "run-all": "Exit codes: 0 every run published (and printed, and sent); 2 bad input: stopped before any "
               "notebook ran, or every run that failed refused bad input (data or parameters to fix); 1 a run "
               "failed for another reason (a bug, a crash), or a PDF or a notification failed; 130 interrupted. "
               "Unless stopped before any run, the pack is still written and the log says what failed.",
    "validate": "Exit codes: 0 every table valid (warnings are printed and allowed); 2 data errors, including "
                "files that cannot be read; 130 interrupted.",
    "import": "Exit codes: 0 every file imported (or checked, with --dry-run); 2 a file refused (unrecognised, "
              "unreadable or bad values; nothing is written, or with --keep-going only the good files); "
              "130 interrupted.",
}


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsbook", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one notebook headless (papermill) and publish its report",
                         epilog=EXIT_CODES["run"])
    run.add_argument("notebook", help="notebook name, e.g. period_review")
    _add_run_options(run)

    run_all = sub.add_parser("run-all", help="run every notebook of the suite (with --period: one coherent pack)",
                             description="Without --period each notebook runs on its own defaults. With --period "
                                         "(2026-10, 2026-Q4, 2026-W43 or latest) each reads the period as its own "
                                         "window: the review the period, the audience as of its last day, the "
                                         "competitors the 6 months ending with it, the content plan the month "
                                         "after, one experiment evaluation per experiment running in it, the "
                                         "account plan re-planned from its last whole month and the KOLs "
                                         "vetted as of its last day, and the "
                                         "pack is written to outputs/packs/<period>/ (index.html, pack.json).",
                             epilog=EXIT_CODES["run-all"])
    _add_run_options(run_all, per_notebook=False)
    _add_pack_options(run_all)

    sample = sub.add_parser("sample-data", help="(re)generate the bundled sample data set")
    sample.add_argument("--out", type=Path, default=config.SAMPLE_DATA, help="folder to write (default data/sample)")
    sample.add_argument("--seed", type=int, default=config.SAMPLE_SEED)

    validate = sub.add_parser("validate", help="check a data folder against the schema, listing every problem",
                              epilog=EXIT_CODES["validate"])
    validate.add_argument("--data", type=Path, default=config.SAMPLE_DATA, help="data folder")

    imp = sub.add_parser("import", help="import platform exports (files or folders) into the local store",
                         description="Recognise each export by its columns, map it to the canonical tables and "
                                     "merge it into the store in one transaction: all files land or none. "
                                     "Re-importing a file changes nothing; overlapping exports merge (the later "
                                     "snapshot wins). `opsbook store kinds` lists the exports it knows.",
                         epilog=EXIT_CODES["import"])
    imp.add_argument("paths", nargs="+", type=Path, help="export files or folders of exports")
    imp.add_argument("--account", help="the account the exports belong to (see `opsbook store add-account`)")
    imp.add_argument("--store", type=Path, default=config.STORE, help=f"store folder (default {config.STORE})")
    imp.add_argument("--kind", help="force the export kind instead of detecting it (see `opsbook store kinds`)")
    imp.add_argument("--mapping", type=Path, help="YAML column mapping for an export no built-in kind knows")
    imp.add_argument("--as-of", help="when the export was downloaded (YYYY-MM-DD[THH:MM]); give it for copied or "
                                     "synced files. Default: the export's last date, else the file's time")
    imp.add_argument("--keep-going", action="store_true", help="import the good files even if some fail")
    imp.add_argument("--dry-run", action="store_true", help="check and map everything, write nothing")

    store = sub.add_parser("store", help="the local store: init, add-account, info, kinds, pillars")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    init = store_sub.add_parser("init", help="create an empty store")
    init.add_argument("--store", type=Path, default=config.STORE)
    add = store_sub.add_parser("add-account", help="add or update an account the store imports for")
    add.add_argument("account_id")
    add.add_argument("--platform", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--owner", choices=("own", "competitor"),
                     help="own (default for a new account) or competitor; an existing account keeps its own")
    add.add_argument("--timezone", help="IANA zone of the account's naive timestamps (default for a new account "
                                        "Asia/Shanghai; an existing account keeps its own)")
    add.add_argument("--category")
    add.add_argument("--store", type=Path, default=config.STORE)
    info = store_sub.add_parser("info", help="tables, row counts, date ranges per account and the last imports")
    info.add_argument("--store", type=Path, default=config.STORE)
    store_sub.add_parser("kinds", help="list the export kinds `opsbook import` recognises")
    pillars = store_sub.add_parser("pillars", help="save keyword rules that tag imported posts with pillars",
                                   description="RULES.yaml maps each pillar to keywords in the title or "
                                               "topics, e.g. '教程: [教程, 步骤]'; the first matching pillar wins. "
                                               "Saved in the store, applied to the stored posts now and to every "
                                               "later import.")
    pillars.add_argument("rules", type=Path)
    pillars.add_argument("--store", type=Path, default=config.STORE)
    return parser


def _add_run_options(p: argparse.ArgumentParser, per_notebook: bool = True) -> None:
    if per_notebook:
        p.add_argument("-f", "--parameters-file", type=Path, help="YAML parameters (default params/<notebook>.yaml)")
        p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="set one parameter (repeatable)")
    p.add_argument("--data", type=Path, help="data folder (default: the bundled sample data)")
    p.add_argument("--out", type=Path, help="outputs root (default outputs/)")
    p.add_argument("--period", help="period label, e.g. 2026-10, 2026-Q4, 2026-W43, or 'latest'")
    p.add_argument("--lang", help="report language: zh-CN or en (default: $OPSBOOK_LANG, else zh-CN)")
    p.add_argument("--pdf", action="store_true", help="also print each report (and a pack's index) to PDF "
                                                      "with headless Chromium")
    p.add_argument("--quiet", action="store_true", help="only warnings and errors; no progress bars")


def _add_pack_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--notebooks", help="comma-separated notebooks to run (default: all)")
    p.add_argument("--accounts", help="with --period: 'all' own accounts or ID,ID,... one row each "
                                      "(default: the own accounts together)")
    p.add_argument("--max-age", type=int, default=None, metavar="DAYS",
                   help="with --period latest: data older than DAYS is stale (default 7)")
    p.add_argument("--require-fresh", action="store_true",
                   help="stop (exit 2, before any run) when an account's data is stale or ends before the period")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="run N notebooks at a time on this machine (default: the number of cores)")
    p.add_argument("--cluster", metavar="ADDRESS", help="run on a Dask cluster, e.g. tcp://scheduler:8786")
    p.add_argument("--notify", type=Path, metavar="CONFIG",
                   help="send the pack by e-mail and chat webhooks as CONFIG (YAML) says; secrets from env vars")


def _cmd_run(args: argparse.Namespace) -> int:
    from helpers.runner import run_notebook

    if args.pdf:
        from helpers import pdf

        pdf.require_browser()
    result = run_notebook(
        args.notebook, params_file=args.parameters_file, cli_pairs=[tuple(p) for p in args.parameter],
        data_dir=args.data, out_root=args.out, period=args.period, lang=args.lang,
        progress=not args.quiet and runner_progress(),
    )
    print(f"Report: {result.report}")  # absolute: the run folder is under the absolute --out
    print(f"Summary: {result.output_dir / 'summary.json'}")
    if args.pdf and _print_pdfs([result.report]):
        return 1  # the report is published; its PDF failed (logged)
    return 0


def runner_progress() -> bool:
    """Papermill's progress bar only where a person watches (a terminal), never in a cron log."""
    from helpers.runner import progress_enabled

    return progress_enabled()


def _notebooks(spec: str | None) -> list[str]:
    from helpers.runner import available_notebooks

    names = available_notebooks()
    if spec:
        asked = [n.strip() for n in spec.split(",") if n.strip()]
        unknown = [n for n in asked if n not in names]
        if unknown:
            raise ParameterError(f"--notebooks: unknown {', '.join(unknown)}; choose from {', '.join(names)}.")
        names = [n for n in names if n in asked]
    return names


def _cmd_run_all(args: argparse.Namespace) -> int:
    from helpers import fanout, pack

    names = _notebooks(args.notebooks)
    if args.workers is not None:
        fanout.check_workers(args.workers)
    if args.cluster is not None:
        fanout.check_address(args.cluster)
    if args.period is None:
        for flag in ("accounts", "max_age", "notify"):
            if getattr(args, flag) not in (None, False):
                raise ParameterError(f"--{flag.replace('_', '-')} needs --period: a pack is one period's reports.")
        runs = [pack.PackRun(name) for name in names]
        results = _execute(runs, args)
        printing = 0
        if args.pdf:
            printing = _print_pdfs([r.output_dir / "report.html" for r in results if r.output_dir is not None])
        return pack.exit_code(results, printing)
    return _run_pack(names, args)


def _run_pack(names: list[str], args: argparse.Namespace) -> int:
    """One period's pack: checked before any kernel, run, written, printed and sent; its exit code (pack.exit_code)."""
    import datetime as dt

    from helpers import i18n, pack

    data = Path(args.data) if args.data is not None else config.SAMPLE_DATA
    if not data.is_dir():
        raise ParameterError(f"--data {data}: no such folder.")
    folder = config.data_dir(data)
    lang = i18n.resolve_language(args.lang)
    period = pack.resolve_pack_period(args.period, folder)
    rows = pack.select_pack_accounts(args.accounts, folder)
    notify_config = _notify_config(args.notify)
    if args.pdf:
        from helpers import pdf

        pdf.require_browser()
    max_age = args.max_age if args.max_age is not None else pack.MAX_AGE_DAYS
    if max_age < 0:
        raise ParameterError(f"--max-age {max_age}: give a number of days, 0 or more.")
    freshness = pack.pack_freshness(folder, rows, period, dt.date.today(),
                                    max_age if pack.is_latest(args.period) else None)
    with i18n.use_language("en"):
        for f in freshness:
            if f.fresh:
                log.info("%s: data to %s (%d days ago)", f.account, f"{f.data_end:%Y-%m-%d}", f.days_old)
            else:
                log.warning("%s: %s", f.account, f.note())
    stale = [f for f in freshness if not f.fresh]
    if stale and args.require_fresh:
        raise ParameterError(pack.stale_message(stale))
    runs = pack.pack_runs(period, folder, names, rows)
    log.info("Pack %s (%s – %s): %d runs, %d account row(s)", period.label, f"{period.start:%Y-%m-%d}",
             f"{period.end:%Y-%m-%d}", len(runs), len(rows))
    results = _execute(runs, args)
    root = Path(args.out) if args.out else config.OUTPUTS
    names_by_id, own = pack.account_names(folder)
    record = pack.pack_record(period, results, root / "packs" / period.label, lang, freshness, names_by_id, own)
    index = pack.write_pack(record, root / "packs" / period.label)
    log.info("Pack: %s", index)
    others = 0  # PDFs and notifications that failed
    if args.pdf:
        others += _print_pdfs([*(r.output_dir / "report.html" for r in results if r.output_dir), index])
    if notify_config is not None:
        others += _send(record, index.parent, notify_config)
    return pack.exit_code(results, others)


def _execute(runs: Sequence[PackRun], args: argparse.Namespace) -> list[PackResult]:
    """Run the pack's notebooks (serially, on --workers processes or a --cluster) and log each as it ends."""
    from helpers import fanout, pack

    root = Path(args.out) if args.out else config.OUTPUTS
    data = str(args.data) if args.data is not None else None
    tasks = [fanout.RunTask(r.notebook, dict(r.parameters), data, str(root / r.subfolder if r.subfolder else root),
                            args.lang) for r in runs]

    names = {_task_key(t): r.name for t, r in zip(tasks, runs, strict=True)}

    def logged(task: fanout.RunTask, outcome: fanout.RunOutcome) -> None:
        where = names.get(_task_key(task), task.notebook)
        if outcome.ok:
            log.info("%s: %s (%.0f s)", where, Path(str(outcome.output_dir)) / "report.html", outcome.seconds)
        else:
            log.error("%s: FAILED\n%s", where, outcome.error)

    workers = args.workers if args.workers is not None else fanout.default_workers()
    outcomes = fanout.run_tasks(tasks, workers=workers, cluster=args.cluster, on_done=logged,
                                progress=not args.quiet and runner_progress())
    return [pack.PackResult(run, Path(o.output_dir) if o.output_dir else None, o.error, o.refused)
            for run, o in zip(runs, outcomes, strict=True)]


def _task_key(task: Any) -> str:
    """A run's identity in the log: notebook, outputs root and parameters (a task may come back as a copy)."""
    import json

    return json.dumps([task.notebook, task.out_root, task.parameters], sort_keys=True, default=str)


def _notify_config(path: Path | None) -> Any:
    """The --notify configuration, read and checked before any run (None without --notify)."""
    if path is None:
        return None
    from helpers import notify

    return notify.load_config(path)


def _send(record: dict[str, Any], folder: Path, settings: Any) -> int:
    """Send the pack; log each channel; the number of channels that failed."""
    from helpers import notify

    deliveries = notify.send_all(notify.compose(record, folder, settings), settings)
    for delivery in deliveries:
        (log.info if delivery.ok else log.error)("notify: %s", delivery)
    return sum(not d.ok for d in deliveries)


def _print_pdfs(pages: Sequence[Path]) -> int:
    """Print report pages to PDF beside them; log each; the number that failed."""
    from helpers import pdf

    results = pdf.print_reports(list(pages))
    for result in results:
        (log.info if result.ok else log.error)("pdf: %s", result)
    return sum(not r.ok for r in results)


def _cmd_sample(args: argparse.Namespace) -> int:
    from helpers.sample import generate_sample

    tables = generate_sample(args.out, seed=args.seed)
    print(f"Wrote {len(tables)} tables to {args.out}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from helpers.data import format_problems, validate_folder

    problems = validate_folder(config.data_dir(args.data))
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        print(f"{args.data}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
        print(format_problems(problems))
    else:
        print(f"{args.data}: all tables valid")
    return 2 if errors else 0  # bad data, as `run` refusing it (README "Exit codes")


def _cmd_import(args: argparse.Namespace) -> int:
    from helpers.ingest.pipeline import import_files

    as_of = None
    if args.as_of:
        import pandas as pd

        try:
            as_of = pd.Timestamp(args.as_of).to_pydatetime()
        except ValueError:
            raise OpsbookError(f"--as-of {args.as_of!r} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM.") from None
    report = import_files(args.paths, args.store, args.account, kind=args.kind, mapping=args.mapping, as_of=as_of,
                          keep_going=args.keep_going, dry_run=args.dry_run)
    print(report)
    return 2 if report.failed else 0  # a refused export is bad input to fix (EXIT_CODES)


def _cmd_store(args: argparse.Namespace) -> int:
    from helpers.ingest.store import Store

    if args.store_command == "init":
        store = Store.create(args.store)
        print(f"Store ready at {store.root}")
    elif args.store_command == "add-account":
        from helpers.params import check_timezone
        from helpers.schema import PLATFORMS

        if args.platform not in PLATFORMS:
            raise OpsbookError(f"--platform {args.platform!r} is not one of {', '.join(PLATFORMS)}.")
        if args.timezone is not None:
            check_timezone("--timezone", args.timezone)
        store = Store.create(args.store)
        before = store.read("accounts")
        old = before[before["account_id"] == args.account_id] if before is not None else None
        with store.transaction() as txn:
            txn.upsert_account(args.account_id, args.platform, args.name, owner=args.owner, timezone=args.timezone,
                               category=args.category)
        after = store.read("accounts")
        if after is None:  # the transaction above wrote it; a missing table means the store was changed under us
            raise OpsbookError(f"The accounts table of {store.root} is missing after saving; run the command again.")
        saved = after.set_index("account_id").loc[args.account_id]
        print(f"Account {args.account_id} ({saved['platform']}, {saved['owner']}, {saved['timezone']}) saved in "
              f"{store.root}")
        if old is not None and len(old) and str(old["timezone"].iloc[0]) != str(saved["timezone"]):
            print(f"Note: times already imported for {args.account_id} stay as read in {old['timezone'].iloc[0]}; "
                  "re-import its exports into a new store (or rebuild the store) to read them in "
                  f"{saved['timezone']}.")
    elif args.store_command == "pillars":
        from helpers.ingest.pipeline import set_pillar_rules

        rules, changed = set_pillar_rules(args.store, args.rules)
        print(f"Saved {rules!r} in {args.store}; {changed} stored post(s) re-tagged.")
    elif args.store_command == "info":
        print(Store.open(args.store).info())
    elif args.store_command == "kinds":
        import pandas as pd

        from helpers.ingest.pipeline import describe_kinds

        with pd.option_context("display.max_colwidth", 60, "display.width", 200):
            print(describe_kinds().to_string(index=False))
    return 0


#: Options holding paths, made absolute against the caller's working directory before anything runs.
PATH_OPTIONS = ("data", "out", "parameters_file", "notify")


def absolute_options(args: argparse.Namespace) -> argparse.Namespace:
    """The run options' paths made absolute against the caller's working directory (the kernel runs in
    notebooks/, a pool's or cluster's worker elsewhere), so what is printed exists from where the user stands."""
    from helpers.runner import absolute_path

    for name in PATH_OPTIONS:
        value = getattr(args, name, None)
        if value is not None:
            setattr(args, name, absolute_path(value))
    return args


def exit_code(exc: OpsbookError) -> int:
    """The exit code of an error that ended a command: 1 a run that failed (not a refusal), else 2 (bad input)."""
    from helpers.runner import RunFailed

    if isinstance(exc, RunFailed):
        return 2 if exc.refused else 1
    return 2  # raised before any run: a parameter, the data folder, a missing kernel or browser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `opsbook` command; returns the exit code."""
    args = _build_parser().parse_args(argv)
    setup_logging(getattr(args, "quiet", False))
    if args.command in ("run", "run-all", "validate"):
        absolute_options(args)
    commands = {"run": _cmd_run, "run-all": _cmd_run_all, "sample-data": _cmd_sample, "validate": _cmd_validate,
                "import": _cmd_import, "store": _cmd_store}
    try:
        return commands[args.command](args)
    except OpsbookError as exc:
        print(f"opsbook: {exc}", file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt:
        print("opsbook: interrupted; the previous report is unchanged.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error of the command
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not raise again
        return 0


if __name__ == "__main__":
    sys.exit(main())
