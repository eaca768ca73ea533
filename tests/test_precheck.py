"""Parameters and small tables are checked before any kernel starts: exit 2 with one clear message.

`opsbook run` hands the notebook's defaults, updated with the run's parameters, to its package's
`session.check_parameters` (helpers.runner.precheck). These tests run the command in process
(tests/cli_run.py); none of the bad cases may start a kernel: no `_failed` folder (a kernel's
failure) and no `.running-*` folder may be left under --out. A failure that only the notebook can
see (data in the big tables) still exits 1: tests/test_runner_e2e.py.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import shutil
import textwrap
from pathlib import Path
from types import ModuleType

import nbformat
import pandas as pd
import pytest

from cli_run import opsbook
from helpers import config, i18n, runner
from helpers.errors import ParameterError

RUNNER_ONLY = {"output_dir"}


def _session(notebook: str) -> ModuleType:
    return importlib.import_module(f"helpers.{config.NOTEBOOK_PACKAGES[notebook]}.session")


def _defaults(notebook: str, data_dir: Path) -> dict[str, object]:
    """The notebook's parameters cell as values, output_dir left out, on a data folder."""
    values = runner.default_values(config.NOTEBOOKS / f"{notebook}.ipynb")
    return {**{k: v for k, v in values.items() if k not in RUNNER_ONLY}, "data_dir": str(data_dir)}


def _no_kernel_started(out: Path, notebook: str) -> None:
    folder = out / notebook
    assert not (folder / "_failed").exists(), "a kernel ran and failed"
    assert not list(folder.glob(".running-*")), "a run folder was left behind"
    assert not [p for p in folder.glob("*") if not p.name.startswith(("_", "."))], "a report was published"


# --------------------------------------------------------------------------------------------
# Through the command: exit 2, one message naming the parameter and the fix, no kernel
# --------------------------------------------------------------------------------------------

#: (notebook, arguments, texts the message holds: the parameter, what it got, what to write instead)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    "month 13": ("period_review", ["--period", "2026-13"],
                 ["month period '2026-13' is not valid", "month 13 is not 1 to 12", "expected '2026-10' (YYYY-MM)"]),
    "a month label for a quarter": ("period_review", ["-p", "period_type", "quarter", "--period", "2026-10"],
                                    ["quarter period '2026-10' is not valid", "expected '2026-Q4' (YYYY-Qn)",
                                     "looks like a month label", "set the period kind to 'month'"]),
    "unknown experiment": ("experiment_evaluation", ["-p", "experiment_id", "NOPE"],
                           ["Parameter experiment_id='NOPE' is not in the experiments table",
                            "EXP-TITLE-01", "EXP-COVER-02", "EXP-CTA-03"]),
    "30 February": ("audience_profiling", ["-p", "as_of", "2026-02-30"],
                    ["Parameter as_of='2026-02-30' must be a date like 2026-10-31 or 'latest'"]),
    "unknown account": ("audience_profiling", ["-p", "account", "[nobody]"],
                        ["Parameter account: unknown account id(s) ['nobody']", "own_douyin", "or use 'own'"]),
    "a competitor as the own account": ("competitor_analysis", ["-p", "own_account", "comp_a_douyin"],
                                        ["Parameter own_account='comp_a_douyin' is a competitor account, not an own "
                                         "account", "Own accounts: own_douyin, own_xhs, own_wechat, own_weibo"]),
    "plan month 13": ("content_planning", ["-p", "plan_month", "2026-13"],
                      ["Parameter plan_month='2026-13' is not valid", "use next", "a month such as 2026-12"]),
    "a mix share above 1": ("content_planning", ["-p", "mix", "{daily: 2}"],
                            ["Parameter mix[daily]=2 must be between 0 and 1"]),
    "a language the reports do not speak": ("period_review", ["-p", "lang", "fr"],
                                            ["lang must be one of zh-CN, en; got 'fr'"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_parameter_exits_2_before_any_kernel(case: str, tmp_path: Path) -> None:
    notebook, arguments, expected = CASES[case]
    result = opsbook("run", notebook, "--out", tmp_path, "--quiet", *arguments)
    assert result.returncode == 2, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    assert result.stderr.count("opsbook:") == 1 and result.stderr.startswith("opsbook: "), result.stderr
    assert "Traceback" not in result.stderr and "Run failed" not in result.stderr
    _no_kernel_started(tmp_path, notebook)


def test_a_data_folder_without_accounts_exits_2_naming_the_file(sample_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for table in ("account_daily", "posts"):  # everything the review reads but the accounts table
        shutil.copy(sample_dir / f"{table}.csv", data)
    result = opsbook("run", "period_review", "--data", data, "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 2, result.stderr
    assert f"The data in {data} has 1 problem(s)" in result.stderr
    assert f"{data / 'accounts.csv'}: file not found. Put accounts.csv (or .parquet) in {data}" in result.stderr
    assert "Traceback" not in result.stderr
    _no_kernel_started(tmp_path / "out", "period_review")


def test_a_pack_records_a_precheck_failure_as_a_failed_run(tmp_path: Path) -> None:
    # run-all checks each run before its kernel too; the pack lists the failed run with the message; every failed
    # run refused bad input, so it exits 2 (a crash would be 1)
    (tmp_path / "data").mkdir()  # an empty folder: the experiment tables are missing
    result = opsbook("run-all", "--notebooks", "experiment_evaluation", "--data", tmp_path / "data",
                     "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 2, result.stderr
    assert "experiment_evaluation: FAILED" in result.stderr
    for table in ("experiments", "experiment_units"):
        assert f"{table}.csv: file not found" in result.stderr, result.stderr
    _no_kernel_started(tmp_path / "out", "experiment_evaluation")


# --------------------------------------------------------------------------------------------
# runner.precheck
# --------------------------------------------------------------------------------------------


def test_precheck_leaves_the_runner_language_as_it_was() -> None:
    path = config.NOTEBOOKS / "period_review.ipynb"
    with i18n.use_language("en"):
        runner.precheck(path, {"lang": "zh-CN"})
        assert i18n.current_language() == "en"
    with i18n.use_language("zh-CN"), pytest.raises(ParameterError, match="month 13 is not 1 to 12"):
        runner.precheck(path, {"lang": "en", "period": "2026-13"})
    assert i18n.current_language() == "en"


def test_a_notebook_outside_the_suite_is_not_prechecked(tmp_path: Path) -> None:
    # a user's own notebook, even one named like a suite notebook, has parameters the suite's checks do not know
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('period = "2026-13"\nthreshold = "high"\noutput_dir = ""\n')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    for name in ("my_analysis.ipynb", "period_review.ipynb"):
        nbformat.write(nb, tmp_path / name)
        assert runner.precheck(tmp_path / name, {"period": "2026-13"}) is None


def test_precheck_reads_the_parameters_the_run_sets_over_the_defaults(sample_dir: Path, tmp_path: Path) -> None:
    # the default experiment exists; the run's own (a pack's parameters, -p) replaces it
    path = config.NOTEBOOKS / "experiment_evaluation.ipynb"
    runner.precheck(path, {"data_dir": str(sample_dir), "output_dir": str(tmp_path)})
    with pytest.raises(ParameterError, match="experiment_id='EXP-GONE'"):
        runner.precheck(path, {"data_dir": str(sample_dir), "experiment_id": "EXP-GONE"})


# --------------------------------------------------------------------------------------------
# Anatomy: one set of checks, written once
# --------------------------------------------------------------------------------------------


def test_every_suite_notebook_has_a_package() -> None:
    assert set(config.NOTEBOOK_PACKAGES) == set(config.NOTEBOOK_NAMES)
    for package in config.NOTEBOOK_PACKAGES.values():
        assert (config.ROOT / "src" / "helpers" / package / "session.py").is_file(), package


@pytest.mark.parametrize("notebook", config.NOTEBOOK_NAMES)
def test_check_parameters_takes_exactly_the_parameters_of_prepare(notebook: str) -> None:
    session = _session(notebook)
    check = inspect.signature(session.check_parameters).parameters
    prepare = inspect.signature(session.prepare).parameters
    assert list(check) == list(prepare)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
               for p in check.values()), "check_parameters(*, ...) without defaults, as prepare"
    notebook_parameters = set(runner.notebook_parameters(config.NOTEBOOKS / f"{notebook}.ipynb")) - RUNNER_ONLY
    assert set(check) == notebook_parameters


@pytest.mark.parametrize("notebook", config.NOTEBOOK_NAMES)
def test_prepare_checks_through_check_parameters_passing_every_value_on(notebook: str) -> None:
    # prepare calls check_parameters once with each of its own parameters under the same name, so a check
    # is written once and the command line and the notebook cannot disagree
    session = _session(notebook)
    tree = ast.parse(textwrap.dedent(inspect.getsource(session.prepare)))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == "check_parameters"]
    assert len(calls) == 1, "prepare calls check_parameters once"
    passed = {k.arg: k.value.id for k in calls[0].keywords if isinstance(k.value, ast.Name)}
    names = list(inspect.signature(session.prepare).parameters)
    assert passed == {name: name for name in names}


# --------------------------------------------------------------------------------------------
# Good input passes: the notebook's defaults on the sample data
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accounts(sample_dir: Path) -> pd.DataFrame:
    return pd.read_csv(sample_dir / "accounts.csv", dtype=str)


def test_review_defaults_pass(sample_dir: Path, accounts: pd.DataFrame) -> None:
    checked = _session("period_review").check_parameters(**_defaults("period_review", sample_dir))
    assert checked.account_ids == tuple(accounts.loc[accounts["owner"] == "own", "account_id"])
    assert (checked.anomaly_threshold, checked.trend_periods, checked.top_n) == (3.5, 6, 5)


def test_audience_defaults_pass(sample_dir: Path, accounts: pd.DataFrame) -> None:
    checked = _session("audience_profiling").check_parameters(**_defaults("audience_profiling", sample_dir))
    assert checked.account_ids == tuple(accounts.loc[accounts["owner"] == "own", "account_id"])
    assert checked.as_of is None  # latest: the data says which day
    assert (checked.lookback_days, checked.n_clusters) == (180, "auto")


def test_competitor_defaults_pass(sample_dir: Path, accounts: pd.DataFrame) -> None:
    checked = _session("competitor_analysis").check_parameters(**_defaults("competitor_analysis", sample_dir))
    # own_douyin against every competitor on douyin in its category (the sample has one category)
    douyin = accounts[(accounts["platform"] == "douyin") & (accounts["owner"] == "competitor")]
    assert (checked.own_id, checked.platform) == ("own_douyin", "douyin")
    assert checked.competitor_ids == tuple(douyin["account_id"])


def test_planning_defaults_pass(sample_dir: Path, accounts: pd.DataFrame) -> None:
    checked = _session("content_planning").check_parameters(**_defaults("content_planning", sample_dir))
    assert checked.platforms == tuple(accounts.loc[accounts["owner"] == "own", "platform"])
    assert dict(checked.settings.posts_per_week) == {"douyin": 5, "xiaohongshu": 4, "wechat": 3, "weibo": 5}
    assert checked.country == "CN" and checked.extra_dates_file is None


def test_experiment_defaults_pass(sample_dir: Path) -> None:
    checked = _session("experiment_evaluation").check_parameters(**_defaults("experiment_evaluation", sample_dir))
    # EXP-TITLE-01: primary conversions; guardrails clicks;revenue, both defined metrics; mde 0.008
    assert checked.settings.primary == ("conversions",)
    assert checked.settings.guardrails == ("clicks", "revenue")
    assert dict(checked.settings.mde) == {"conversions": 0.008}
    assert checked.aggregates_file is None and checked.time_column == "assigned_at"


@pytest.mark.parametrize("notebook", config.NOTEBOOK_NAMES)
def test_check_parameters_reads_no_big_table(notebook: str, sample_dir: Path, tmp_path: Path) -> None:
    # a folder whose big tables are empty files: the checks look for them but never read them
    small = {"accounts", "experiments", "topic_bank"}
    for file in sample_dir.glob("*.csv"):
        target = tmp_path / file.name
        if file.stem in small:
            shutil.copy(file, target)
        else:
            target.write_text("", encoding="utf-8")
    _session(notebook).check_parameters(**_defaults(notebook, tmp_path))
