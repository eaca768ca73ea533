"""The `opsbook` command: run notebooks, import platform exports into the store, make the sample data, validate.

Errors the user can fix (bad data, bad parameters, a failed notebook) are printed as one clear
message and a non-zero exit code, never as a traceback: 2 for bad input, 1 for a failed run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from helpers import config
from helpers.errors import OpsbookError, ParameterError


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsbook", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one notebook headless (papermill) and publish its report")
    run.add_argument("notebook", help="notebook name, e.g. period_review")
    _add_run_options(run)

    run_all = sub.add_parser("run-all", help="run every notebook of the suite (with --period: one coherent pack)",
                             description="Without --period each notebook runs on its own defaults. With --period "
                                         "(2026-10, 2026-Q4, 2026-W43 or latest) each reads the period as its own "
                                         "window: the review the period, the audience as of its last day, the "
                                         "competitors the 6 months ending with it, the plan the month after, and "
                                         "one experiment evaluation per experiment running in it.")
    _add_run_options(run_all, per_notebook=False)
    run_all.add_argument("--notebooks", help="comma-separated notebooks to run (default: all)")

    sample = sub.add_parser("sample-data", help="(re)generate the bundled sample data set")
    sample.add_argument("--out", type=Path, default=config.SAMPLE_DATA, help="folder to write (default data/sample)")
    sample.add_argument("--seed", type=int, default=config.SAMPLE_SEED)

    validate = sub.add_parser("validate", help="check a data folder against the schema, listing every problem")
    validate.add_argument("--data", type=Path, default=config.SAMPLE_DATA, help="data folder")

    imp = sub.add_parser("import", help="import platform exports (files or folders) into the local store",
                         description="Recognise each export by its columns, map it to the canonical tables and "
                                     "merge it into the store in one transaction: all files land or none. "
                                     "Re-importing a file changes nothing; overlapping exports merge (the later "
                                     "snapshot wins). `opsbook store kinds` lists the exports it knows.")
    imp.add_argument("paths", nargs="+", type=Path, help="export files or folders of exports")
    imp.add_argument("--account", help="the account the exports belong to (see `opsbook store add-account`)")
    imp.add_argument("--store", type=Path, default=config.STORE, help=f"store folder (default {config.STORE})")
    imp.add_argument("--kind", help="force the export kind instead of detecting it (see `opsbook store kinds`)")
    imp.add_argument("--mapping", type=Path, help="YAML column mapping for an export no built-in kind knows")
    imp.add_argument("--as-of", help="when the export was taken (YYYY-MM-DD[THH:MM]); default: the file's time")
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
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _cmd_run(args: argparse.Namespace) -> int:
    from helpers.runner import run_notebook

    result = run_notebook(
        args.notebook, params_file=args.parameters_file, cli_pairs=[tuple(p) for p in args.parameter],
        data_dir=args.data, out_root=args.out, period=args.period, lang=args.lang, progress=not args.quiet,
    )
    print(f"Report: {result.report}")
    print(f"Summary: {result.output_dir / 'summary.json'}")
    return 0


def _cmd_run_all(args: argparse.Namespace) -> int:
    from helpers import pack
    from helpers.runner import available_notebooks, run_notebook

    names = available_notebooks()
    if args.notebooks:
        asked = [n.strip() for n in args.notebooks.split(",") if n.strip()]
        unknown = [n for n in asked if n not in names]
        if unknown:
            raise ParameterError(f"--notebooks: unknown {', '.join(unknown)}; choose from {', '.join(names)}.")
        names = [n for n in names if n in asked]
    if args.period is None:
        runs = [pack.PackRun(name) for name in names]
    else:  # one pack: every notebook on the window the period means for it, checked before any kernel
        data = args.data if args.data is not None else config.SAMPLE_DATA
        if not Path(data).is_dir():
            raise ParameterError(f"--data {data}: no such folder.")
        period = pack.resolve_pack_period(args.period, Path(data))
        runs = pack.pack_runs(period, Path(data), names)
        print(f"Pack {period.label} ({period.start:%Y-%m-%d} – {period.end:%Y-%m-%d}): {len(runs)} runs")
    results = []
    for item in runs:
        where = f"{item.notebook} ({item.window})" if item.window else item.notebook
        try:
            result = run_notebook(item.notebook, data_dir=args.data, out_root=args.out, lang=args.lang,
                                  parameters=item.parameters, progress=not args.quiet)
            results.append(pack.PackResult(item, result.output_dir))
            print(f"{where}: {result.report}")
        except OpsbookError as exc:
            results.append(pack.PackResult(item, None, str(exc)))
            print(f"{where}: FAILED\n{exc}", file=sys.stderr)
    if args.period is not None:  # the pack folder: index.html and pack.json, failed runs listed with their message
        from helpers import i18n

        root = Path(args.out) if args.out else config.OUTPUTS
        index = pack.write_pack(period, results, root / "packs" / period.label, i18n.resolve_language(args.lang))
        print(f"Pack: {index}")
    return 1 if any(r.error for r in results) else 0


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
    return 1 if errors else 0


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
    return 1 if report.failed else 0


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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `opsbook` command; returns the exit code."""
    args = _build_parser().parse_args(argv)
    commands = {"run": _cmd_run, "run-all": _cmd_run_all, "sample-data": _cmd_sample, "validate": _cmd_validate,
                "import": _cmd_import, "store": _cmd_store}
    try:
        return commands[args.command](args)
    except OpsbookError as exc:
        from helpers.runner import RunFailed

        print(f"opsbook: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, RunFailed) else 2
    except KeyboardInterrupt:
        print("opsbook: interrupted; the previous report is unchanged.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error of the command
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not raise again
        return 0


if __name__ == "__main__":
    sys.exit(main())
