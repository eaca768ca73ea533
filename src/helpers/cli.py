"""The `opsbook` command: run notebooks, make the sample data, validate a data folder.

Errors the user can fix (bad data, bad parameters, a failed notebook) are printed as one clear
message and a non-zero exit code, never as a traceback: 2 for bad input, 1 for a failed run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from helpers import config
from helpers.errors import OpsbookError


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsbook", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one notebook headless (papermill) and publish its report")
    run.add_argument("notebook", help="notebook name, e.g. period_review")
    _add_run_options(run)

    run_all = sub.add_parser("run-all", help="run every notebook of the suite")
    _add_run_options(run_all, per_notebook=False)

    sample = sub.add_parser("sample-data", help="(re)generate the bundled sample data set")
    sample.add_argument("--out", type=Path, default=config.SAMPLE_DATA, help="folder to write (default data/sample)")
    sample.add_argument("--seed", type=int, default=config.SAMPLE_SEED)

    validate = sub.add_parser("validate", help="check a data folder against the schema, listing every problem")
    validate.add_argument("--data", type=Path, default=config.SAMPLE_DATA, help="data folder")
    return parser


def _add_run_options(p: argparse.ArgumentParser, per_notebook: bool = True) -> None:
    if per_notebook:
        p.add_argument("-f", "--parameters-file", type=Path, help="YAML parameters (default params/<notebook>.yaml)")
        p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="set one parameter (repeatable)")
    p.add_argument("--data", type=Path, help="data folder (default: the bundled sample data)")
    p.add_argument("--out", type=Path, help="outputs root (default outputs/)")
    p.add_argument("--period", help="period label, e.g. 2026-10, 2026-Q4, 2026-W43, or 'latest'")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _cmd_run(args: argparse.Namespace) -> int:
    from helpers.runner import run_notebook

    result = run_notebook(
        args.notebook, params_file=args.parameters_file, cli_pairs=[tuple(p) for p in args.parameter],
        data_dir=args.data, out_root=args.out, period=args.period, progress=not args.quiet,
    )
    print(f"Report: {result.report}")
    print(f"Summary: {result.output_dir / 'summary.json'}")
    return 0


def _cmd_run_all(args: argparse.Namespace) -> int:
    from helpers.runner import available_notebooks, run_notebook

    failures = 0
    for name in available_notebooks():
        try:
            result = run_notebook(name, data_dir=args.data, out_root=args.out, period=args.period,
                                  progress=not args.quiet)
            print(f"{name}: {result.report}")
        except OpsbookError as exc:
            failures += 1
            print(f"{name}: FAILED\n{exc}", file=sys.stderr)
    return 1 if failures else 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from helpers.sample import generate_sample

    tables = generate_sample(args.out, seed=args.seed)
    print(f"Wrote {len(tables)} tables to {args.out}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from helpers.data import format_problems, validate_folder

    problems = validate_folder(args.data)
    errors = [p for p in problems if p.severity == "error"]
    if problems:
        print(f"{args.data}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
        print(format_problems(problems))
    else:
        print(f"{args.data}: all tables valid")
    return 1 if errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `opsbook` command; returns the exit code."""
    args = _build_parser().parse_args(argv)
    commands = {"run": _cmd_run, "run-all": _cmd_run_all, "sample-data": _cmd_sample, "validate": _cmd_validate}
    try:
        return commands[args.command](args)
    except OpsbookError as exc:
        from helpers.runner import RunFailed

        print(f"opsbook: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, RunFailed) else 2
    except KeyboardInterrupt:
        print("opsbook: interrupted; the previous report is unchanged.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
