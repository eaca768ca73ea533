"""The CLI's contract: relative paths read from where the user stands, and one set of exit codes.

Exit codes (README "Exit codes"): 0 success; 2 bad input the user must fix (data or parameters,
before the kernel or refused by the notebook); 1 a run that failed for another reason; 130
interrupted. Most tests here replace papermill by a fake kernel that behaves as the real one does
where it matters (it runs in notebooks/, writes summary.json into output_dir, or raises what a cell
raised), so each exit code is checked in a second; one slow test runs the real kernel from another
directory.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from papermill.exceptions import PapermillExecutionError

from cli_run import opsbook
from helpers import cli, config, fanout, pack, runner
from helpers.errors import DataError, OpsbookError, ParameterError

# An IPython traceback as a kernel sends it (colours included): a cell calling into a module that raised.
RED, CYAN, GREEN, END = "\x1b[31m", "\x1b[36m", "\x1b[32m", "\x1b[39m"


def traceback(ename: str, raised_in: str) -> list[str]:
    """The traceback lines of `ename` raised in the file `raised_in`, called from cell 4."""
    return [RED + "-" * 75 + END, f"{RED}{ename}{END}" + " " * 33 + "Traceback (most recent call last)",
            f"{CYAN}Cell{END}{CYAN} {END}{GREEN}In[4]{END}{GREEN}, line 2{END}\n{GREEN}----> {END}run = prepare()",
            f"{CYAN}File {END}{GREEN}{raised_in}:264{END}, in {CYAN}prepare{END}\n    raise it",
            f"{RED}{ename}{END}: the message"]


HELPERS_FILE = str(Path(runner.__file__).parent / "review" / "session.py")
PANDAS_FILE = "/venv/lib/python3.12/site-packages/pandas/core/groupby/generic.py"


def no_snapshot(root: Path) -> set[Path]:
    """Every path under the checkout's notebooks/ folder (a run must add none there)."""
    return set(root.rglob("*"))


Behaviour = Callable[[str, dict[str, Any]], None]


def fake_kernel(monkeypatch: pytest.MonkeyPatch, behave: Behaviour | None = None) -> list[dict[str, Any]]:
    """Replace papermill's run by a kernel that writes what the notebook writes, or raises what a cell raised.

    Like the real kernel it runs in `cwd` (notebooks/): it refuses a relative output_dir, which would land
    in the checkout. `behave(notebook, parameters)` may raise instead. Returns the parameters of each run.
    """
    import papermill

    calls: list[dict[str, Any]] = []

    def execute(input_path: str, output_path: str, parameters: dict[str, Any], cwd: str, **_: Any) -> None:
        calls.append(dict(parameters))
        assert Path(cwd) == config.NOTEBOOKS
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)
        if behave is not None:
            behave(Path(input_path).stem, parameters)
        out = Path(parameters["output_dir"])
        assert out.is_absolute(), f"relative output_dir {out} would be written under {cwd}"
        label = str(parameters.get("period", parameters.get("as_of", "run")))
        (out / "summary.json").write_text(json.dumps({"label": label, "title": "t", "lang": "en"}), encoding="utf-8")

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    monkeypatch.setattr(runner, "check_kernel", lambda *a, **k: None)
    return calls


def raising(exc: BaseException, notebooks: tuple[str, ...] = ()) -> Behaviour:
    """A kernel behaviour: raise `exc` (in every notebook, or only in `notebooks`)."""
    def behave(notebook: str, parameters: dict[str, Any]) -> None:
        if not notebooks or notebook in notebooks:
            raise exc
    return behave


def cell_error(ename: str, raised_in: str = HELPERS_FILE) -> PapermillExecutionError:
    return PapermillExecutionError(3, 4, "run = prepare()", ename, "the message", traceback(ename, raised_in))


@pytest.fixture
def data(sample_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "s"
    shutil.copytree(sample_dir, folder)
    return folder


@pytest.fixture
def good_report(tmp_path: Path) -> Path:
    """A previous good report of October, which no failed run may touch."""
    previous = tmp_path / "out" / "period_review" / "2026-10"
    previous.mkdir(parents=True)
    (previous / "summary.json").write_text("good", encoding="utf-8")
    return previous


# --------------------------------------------------------------------------------------------
# Relative paths
# --------------------------------------------------------------------------------------------

def test_relative_data_out_and_params_file_are_read_from_the_callers_folder(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_kernel(monkeypatch)
    (tmp_path / "weekly.yaml").write_text("targets_source: targets.csv\n", encoding="utf-8")
    (tmp_path / "targets.csv").write_text("account_id,kpi,period,target\n", encoding="utf-8")
    before = no_snapshot(config.NOTEBOOKS)
    monkeypatch.chdir(tmp_path)
    result = opsbook("run", "period_review", "--data", "s", "--period", "2026-10", "--out", "out", "-f",
                     "weekly.yaml", "--quiet")
    assert result.returncode == 0, result.stderr
    run_dir = tmp_path / "out" / "period_review" / "2026-10"  # labelled by the period, not by the time
    assert result.stdout.splitlines() == [f"Report: {run_dir / 'report.html'}",
                                          f"Summary: {run_dir / 'summary.json'}"]
    assert (run_dir / "report.html").is_file() and (run_dir / "summary.json").is_file()
    [parameters] = calls
    assert parameters["data_dir"] == str(tmp_path / "s")
    assert parameters["targets_source"] == str(tmp_path / "targets.csv")
    assert Path(parameters["output_dir"]).parent == tmp_path / "out" / "period_review"
    assert no_snapshot(config.NOTEBOOKS) == before


def test_path_parameters_are_made_absolute_and_keywords_kept(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("", encoding="utf-8")
    given = {"data_dir": "data/s", "targets_source": "t.csv", "extra_topic_banks": ["a.csv", "/abs/b.csv"],
             "extra_dates_file": "", "aggregates_file": "~/totals.csv", "period": "2026-10", "account": "own"}
    fixed = runner.absolute_path_parameters(given, tmp_path)
    assert fixed == {"data_dir": str(tmp_path / "data" / "s"), "targets_source": str(tmp_path / "t.csv"),
                     "extra_topic_banks": [str(tmp_path / "a.csv"), "/abs/b.csv"], "extra_dates_file": "",
                     "aggregates_file": str(Path.home() / "totals.csv"), "period": "2026-10", "account": "own"}
    for keyword in ("data", "none", "None", ""):
        assert runner.absolute_path_parameters({"targets_source": keyword}, tmp_path) == {"targets_source": keyword}
    # a targets file named relative to the checkout (as params files name account-plan outputs) is still found there
    in_checkout = "params/period_review_weekly.yaml"
    assert runner.absolute_path_parameters({"targets_source": in_checkout}, tmp_path) == {
        "targets_source": in_checkout}


def test_a_run_that_writes_no_summary_fails_instead_of_publishing_under_a_time_stamp(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # what happened with a relative --out: the notebook wrote elsewhere and the run was labelled by the time
    import papermill

    def writes_nothing(input_path: str, output_path: str, **_: Any) -> None:
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", writes_nothing)
    monkeypatch.setattr(runner, "check_kernel", lambda *a, **k: None)
    result = opsbook("run", "period_review", "--period", "2026-10", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 1
    assert "wrote no summary.json" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in (tmp_path / "out" / "period_review").iterdir()] == ["_failed"]


@pytest.mark.slow
def test_a_real_run_from_another_folder_with_relative_paths(data: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    status = ["git", "-C", str(config.ROOT), "status", "--porcelain", "--untracked-files=all"]
    before = subprocess.run(status, capture_output=True, text=True, check=True).stdout
    notebooks = no_snapshot(config.NOTEBOOKS)
    monkeypatch.chdir(tmp_path)
    result = opsbook("run", "period_review", "--data", "s", "--period", "2026-10", "--out", "out", "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    run_dir = tmp_path / "out" / "period_review" / "2026-10"
    printed = [Path(line.split(": ", 1)[1]) for line in result.stdout.splitlines()]
    assert printed == [run_dir / "report.html", run_dir / "summary.json"]
    assert all(p.is_absolute() and p.is_file() for p in printed)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["label"] == "2026-10" and summary["data_folder"] == str(tmp_path / "s")
    assert no_snapshot(config.NOTEBOOKS) == notebooks
    assert subprocess.run(status, capture_output=True, text=True, check=True).stdout == before


# --------------------------------------------------------------------------------------------
# Exit codes of `run`
# --------------------------------------------------------------------------------------------

def test_refusals_are_told_from_crashes_by_the_errors_name_and_where_it_was_raised() -> None:
    names = runner.refusal_names()
    assert {"OpsbookError", "DataError", "ParameterError", "CalendarError", "MappingError", "ImportFileError",
            "UnknownExportError"} <= names
    assert not {"RunFailed", "PrintError", "ValueError", "KeyError"} & names
    assert runner.is_refusal("DataError", traceback("DataError", HELPERS_FILE))
    assert runner.is_refusal("ParameterError", traceback("ParameterError", HELPERS_FILE))
    assert runner.is_refusal("DataError", traceback("DataError", HELPERS_FILE)[:3])  # raised in the cell itself
    assert not runner.is_refusal("DataError", traceback("DataError", PANDAS_FILE))  # pandas' own DataError: a bug
    assert not runner.is_refusal("KeyError", traceback("KeyError", HELPERS_FILE))


@pytest.mark.parametrize(("raised", "code"), [
    (cell_error("DataError"), 2),  # the notebook refused the data
    (cell_error("ParameterError"), 2),
    (cell_error("CalendarError"), 2),  # a subclass of ParameterError, in the run's language
    (cell_error("DataError", PANDAS_FILE), 1),  # a library's error of the same name: a bug
    (cell_error("KeyError"), 1),  # a bug in a cell
    (RuntimeError("Kernel died before replying to execute request"), 1),  # a crash outside any cell
])
def test_run_exit_code_and_the_previous_report_is_kept(raised: BaseException, code: int, good_report: Path,
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_kernel(monkeypatch, raising(raised))
    result = opsbook("run", "period_review", "--period", "2026-10", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("opsbook: Run failed") and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert (good_report / "summary.json").read_text(encoding="utf-8") == "good"
    assert len(list((good_report.parent / "_failed").iterdir())) == 1
    assert not list(good_report.parent.glob(".running-*"))


def test_run_refused_before_the_kernel_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_kernel(monkeypatch)
    result = opsbook("run", "period_review", "-p", "period", "2026-13", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 2 and "2026-13" in result.stderr and "Traceback" not in result.stderr
    assert calls == []  # no kernel started


def test_an_interrupted_run_exits_130_and_keeps_the_previous_report(good_report: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fake_kernel(monkeypatch, raising(KeyboardInterrupt()))
    result = opsbook("run", "period_review", "--period", "2026-10", "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 130
    assert result.stderr == "opsbook: interrupted; the previous report is unchanged.\n"
    assert (good_report / "summary.json").read_text(encoding="utf-8") == "good"


def test_error_exit_codes() -> None:
    assert cli.exit_code(ParameterError("x")) == 2
    assert cli.exit_code(DataError("x")) == 2
    assert cli.exit_code(OpsbookError("kernel not registered")) == 2
    assert cli.exit_code(runner.RunFailed("x", refused=True)) == 2
    assert cli.exit_code(runner.RunFailed("x")) == 1


# --------------------------------------------------------------------------------------------
# Exit codes of `run-all`
# --------------------------------------------------------------------------------------------

def _result(error: str = "", refused: bool = False) -> pack.PackResult:
    return pack.PackResult(pack.PackRun("period_review"), None if error else Path("x"), error, refused)


def test_pack_exit_code_by_hand() -> None:
    ok, refused, crashed = _result(), _result("bad data", refused=True), _result("KeyError")
    assert pack.exit_code([]) == 0
    assert pack.exit_code([ok, ok]) == 0
    assert pack.exit_code([ok, refused]) == 2  # every failed run refused bad input
    assert pack.exit_code([refused, refused]) == 2
    assert pack.exit_code([ok, refused, crashed]) == 1  # one crash makes it 1
    assert pack.exit_code([ok], other_failures=1) == 1  # a PDF or a notification failed
    assert pack.exit_code([refused], other_failures=2) == 1


def test_fanout_tells_refusals_from_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    task = fanout.RunTask("period_review", {}, None, "/tmp/x")
    for exc, refused in ((ParameterError("before the kernel"), True), (runner.RunFailed("in a cell", True), True),
                         (runner.RunFailed("a bug"), False)):
        def fail(*args: Any, exc: Exception = exc, **kwargs: Any) -> None:
            raise exc
        monkeypatch.setattr(runner, "run_notebook", fail)
        outcome = fanout.execute(task)
        assert (outcome.ok, outcome.error, outcome.refused) == (False, str(exc), refused)


@pytest.mark.parametrize(("behave", "code"), [
    (None, 0),
    (raising(cell_error("DataError"), ("account_plan",)), 2),  # one run refused its data, none crashed
    (raising(cell_error("KeyError"), ("account_plan",)), 1),  # one run crashed
    (raising(cell_error("DataError"), ("period_review",)), 2),
])
def test_run_all_exit_code(behave: Behaviour | None, code: int, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_kernel(monkeypatch, behave)
    result = opsbook("run-all", "--notebooks", "period_review,account_plan", "--workers", "1",
                     "--out", tmp_path / "out", "--quiet")
    assert result.returncode == code, result.stderr
    assert len(calls) == 2  # a failed run does not stop the others
    assert "Traceback" not in result.stderr


def test_a_pack_whose_only_failure_is_a_refusal_exits_2_and_is_still_written(
        data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_kernel(monkeypatch, raising(cell_error("DataError"), ("account_plan",)))
    monkeypatch.chdir(tmp_path)
    result = opsbook("run-all", "--period", "2026-10", "--notebooks", "period_review,account_plan", "--data", "s",
                     "--workers", "1", "--out", "out", "--quiet")
    assert result.returncode == 2, result.stderr
    record = json.loads((tmp_path / "out" / "packs" / "2026-10" / "pack.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in record["runs"]] == ["ok", "failed"]
    assert (tmp_path / "out" / "period_review" / "2026-10" / "report.html").is_file()


def test_run_all_stopped_before_any_run_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_kernel(monkeypatch)
    assert opsbook("run-all", "--period", "2026-13", "--out", tmp_path, "--quiet").returncode == 2
    assert opsbook("run-all", "--notebooks", "nope", "--out", tmp_path, "--quiet").returncode == 2
    assert calls == []


# --------------------------------------------------------------------------------------------
# Exit codes of `validate`, and the documentation of the contract
# --------------------------------------------------------------------------------------------

def test_validate_exit_codes(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    valid = opsbook("validate", "--data", "s")
    assert valid.returncode == 0, valid.stdout
    daily = (data / "account_daily.csv").read_text(encoding="utf-8").splitlines()
    header, first = daily[0].split(","), daily[1].split(",")
    first[header.index("followers")] = "-12"
    (data / "account_daily.csv").write_text("\n".join([daily[0], ",".join(first), *daily[2:]]) + "\n",
                                            encoding="utf-8")
    bad = opsbook("validate", "--data", "s")
    assert bad.returncode == 2 and "followers" in bad.stdout
    (data / "posts.csv").write_bytes(b"\xac\xed\x00\x05garbage\xff\xfe")
    unreadable = opsbook("validate", "--data", "s")
    assert unreadable.returncode == 2
    assert f"{data / 'posts.csv'}: cannot be read" in unreadable.stderr and "Traceback" not in unreadable.stderr
    assert opsbook("validate", "--data", "nope").returncode == 2


def test_every_command_documents_the_same_codes(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (config.ROOT / "README.md").read_text(encoding="utf-8")
    decisions = (config.ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    for command, codes in (("run", ("0", "2", "1", "130")), ("run-all", ("0", "2", "1", "130")),
                           ("validate", ("0", "2", "130")), ("import", ("0", "2", "130"))):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        shown = " ".join(capsys.readouterr().out.split())
        assert "Exit codes: " + " ".join(cli.EXIT_CODES[command].split())[len("Exit codes: "):] in shown
        stated = re.findall(r"(?:Exit codes: |; )(\d+) ", cli.EXIT_CODES[command])
        assert stated == list(codes)
    assert "| Exit code | `run` | `run-all` | `validate` |" in readme
    assert "**Exit codes (one contract for run, run-all and validate).**" in decisions
