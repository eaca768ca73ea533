"""helpers.fanout without kernels: task order, the pool, the cluster's retry, checks before any run; run folder names.

The runs here are stand-in `execute` functions (module-level, so spawned processes and Dask
workers can import them); tests/test_fanout_e2e.py runs real notebooks in the three modes.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest

from helpers import fanout, runner
from helpers.errors import ParameterError
from helpers.fanout import RunOutcome, RunTask, run_tasks


def task(name: str, folder: Path | str = "/unused", **parameters: Any) -> RunTask:
    """A stand-in task: its name and whatever the stand-in execute needs travel as parameters."""
    return RunTask("period_review", {"name": name, **parameters}, None, str(folder), "en")


def echo(task: RunTask) -> RunOutcome:
    """Report the task's name, its language and the math threads its kernel would get, from the running process."""
    summary = f"{task.parameters['name']}|{task.lang}|{os.environ.get('OMP_NUM_THREADS')}"
    return RunOutcome(summary, "", 0.0, 1, str(os.getpid()))


def waits_for_its_neighbour(task: RunTask) -> RunOutcome:
    """Task 'first' ends only after task 'second' has run: both must run at once, and 'second' ends first."""
    flag = Path(task.parameters["dir"]) / "second.done"
    if task.parameters["name"] == "second":
        flag.touch()
    else:
        deadline = time.monotonic() + 60
        while not flag.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("'second' never ran while 'first' was running: the runs are not parallel")
            time.sleep(0.05)
    return echo(task)


def breaks_on_b(task: RunTask) -> RunOutcome:
    """A bug in one run (a ValueError, not a notebook failure); the others succeed."""
    if task.parameters["name"] == "b":
        raise ValueError("boom in b")
    return echo(task)


def flaky(task: RunTask) -> RunOutcome:
    """Counts its calls per task in a file; 'once' raises on the first call, 'always' on every call,
    'notebook' returns a failed run (a notebook error) and 'fine' succeeds."""
    calls = Path(task.parameters["dir"]) / f"{task.parameters['name']}.calls"
    with calls.open("a", encoding="utf-8") as handle:
        handle.write("x")
    count = len(calls.read_text(encoding="utf-8"))
    mode = task.parameters["mode"]
    if mode == "always" or (mode == "once" and count == 1):
        raise OSError(f"shared folder gone ({task.parameters['name']}, call {count})")
    if mode == "notebook":
        return RunOutcome(None, "Run failed in cell 3: ParameterError: bad experiment id", 0.5, 1, "w")
    return RunOutcome(f"out/{task.parameters['name']}", "", 0.5, 1, "w")


def calls(folder: Path, name: str) -> int:
    path = folder / f"{name}.calls"
    return len(path.read_text(encoding="utf-8")) if path.exists() else 0


@pytest.fixture
def math_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's math libraries on 4 threads, as a user might set; the runs must still get 1."""
    monkeypatch.setenv("OMP_NUM_THREADS", "4")


# ---------------------------------------------------------------- serial and process pool

def test_serial_runs_in_order_in_this_process_and_restores_the_environment(math_env: None) -> None:
    done: list[str] = []
    outcomes = run_tasks([task("a"), task("b"), task("c")], execute=echo,
                         on_done=lambda t, o: done.append(t.parameters["name"]))
    assert [o.output_dir for o in outcomes] == ["a|en|1", "b|en|1", "c|en|1"]
    assert done == ["a", "b", "c"]
    assert {o.worker for o in outcomes} == {str(os.getpid())}
    assert os.environ["OMP_NUM_THREADS"] == "4"  # pinned for the runs only


def test_pool_runs_at_once_in_other_processes_and_keeps_task_order(tmp_path: Path, math_env: None) -> None:
    done: list[tuple[str, int]] = []
    tasks = [task("first", dir=str(tmp_path)), task("second", dir=str(tmp_path))]
    outcomes = run_tasks(tasks, workers=2, execute=waits_for_its_neighbour,
                         on_done=lambda t, o: done.append((t.parameters["name"], os.getpid())))
    assert [o.error for o in outcomes] == ["", ""]
    assert [o.output_dir for o in outcomes] == ["first|en|1", "second|en|1"]  # task order, math on 1 thread
    assert done == [("second", os.getpid()), ("first", os.getpid())]  # completion order, called here
    workers = {o.worker for o in outcomes}
    assert len(workers) == 2 and str(os.getpid()) not in workers


@pytest.mark.parametrize("workers", [1, 2])
def test_a_crashing_run_fails_alone(workers: int) -> None:
    outcomes = run_tasks([task("a"), task("b"), task("c")], workers=workers, execute=breaks_on_b)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert "ValueError: boom in b" in outcomes[1].error and outcomes[1].output_dir is None


def test_a_task_without_language_gets_this_process_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOOK_LANG", "en")
    tasks = [RunTask("period_review", {"name": "a"}, None, "/o"), RunTask("period_review", {"name": "b"}, None, "/o",
                                                                          "zh-CN")]
    assert [o.output_dir.split("|")[1] for o in run_tasks(tasks, execute=echo)] == ["en", "zh-CN"]


def test_bad_input_is_refused_before_any_run() -> None:
    ran: list[RunTask] = []
    record = lambda t: ran.append(t) or echo(t)
    for workers in (0, -2, 1.5, True, "2"):
        with pytest.raises(ParameterError, match="--workers must be a whole number"):
            run_tasks([task("a")], workers=workers, execute=record)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="lang must be one of"):
        run_tasks([task("a"), RunTask("period_review", {"name": "b"}, None, "/o", "fr")], execute=record)
    assert ran == []


def test_default_workers_falls_back_to_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # as on macOS
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # the count is unknown
    assert fanout.default_workers() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert fanout.default_workers() == 6


# ---------------------------------------------------------------- execute: what is an outcome, what raises

def test_execute_turns_a_notebook_failure_into_an_outcome_and_lets_other_errors_through(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fails(name: str, **kw: Any) -> runner.RunResult:
        seen.update(kw, name=name)
        raise runner.RunFailed("Run failed in cell 4: ParameterError: unknown account")

    monkeypatch.setattr(runner, "run_notebook", fails)
    outcome = fanout.execute(RunTask("period_review", {"account": "x"}, "/data", "/out", "en"))
    assert (outcome.output_dir, outcome.error, outcome.attempts) == (None, "Run failed in cell 4: ParameterError: "
                                                                            "unknown account", 1)
    assert seen == {"name": "period_review", "data_dir": "/data", "out_root": "/out", "lang": "en",
                    "parameters": {"account": "x"}, "progress": False}

    def disk_full(name: str, **kw: Any) -> runner.RunResult:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runner, "run_notebook", disk_full)
    with pytest.raises(OSError, match="No space left"):  # the cluster retries this, not a notebook failure
        fanout.execute(RunTask("period_review", {}, None, "/out"))

    monkeypatch.setattr(runner, "run_notebook",
                        lambda name, **kw: runner.RunResult(name, "2026-10", Path("/out/period_review/2026-10")))
    outcome = fanout.execute(RunTask("period_review", {}, None, "/out"))
    assert outcome.ok and outcome.output_dir == "/out/period_review/2026-10"
    assert outcome.worker == f"{socket.gethostname()}:{os.getpid()}"


# ---------------------------------------------------------------- the cluster

@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """An in-process Dask cluster of 2 single-threaded workers (the e2e test uses worker processes)."""
    from distributed import LocalCluster

    before = {name: os.environ.get(name) for name in fanout.ONE_THREAD_MATH}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as local:
        yield local.scheduler_address
    for name, value in before.items():  # its workers are this process: undo their pinning
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_cluster_retries_a_raising_task_once_and_never_a_failed_notebook(cluster: str, tmp_path: Path) -> None:
    modes = {"a": "fine", "b": "once", "c": "always", "d": "notebook"}
    tasks = [task(name, tmp_path / "out", dir=str(tmp_path), mode=mode) for name, mode in modes.items()]
    done: list[str] = []
    outcomes = run_tasks(tasks, cluster=cluster, execute=flaky, on_done=lambda t, o: done.append(t.parameters["name"]))
    assert [o.output_dir for o in outcomes] == ["out/a", "out/b", None, None]
    assert [o.attempts for o in outcomes] == [1, 2, 2, 1]
    assert [calls(tmp_path, n) for n in modes] == [1, 2, 2, 1]
    assert outcomes[2].error.startswith("Lost on the cluster after 2 attempts: OSError: shared folder gone (c, call 2)")
    assert outcomes[3].error == "Run failed in cell 3: ParameterError: bad experiment id"
    assert sorted(done) == ["a", "b", "c", "d"]
    assert not list((tmp_path / "out").glob(".opsbook-shared-*"))  # the shared-folder check cleans up


def test_cluster_refuses_workers_that_cannot_see_the_data(cluster: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    bad = RunTask("period_review", {"name": "a", "dir": str(tmp_path), "mode": "fine"}, str(missing),
                  str(tmp_path / "out"), "en")
    with pytest.raises(ParameterError, match=f"no data folder {missing}") as caught:
        run_tasks([bad], cluster=cluster, execute=flaky)
    assert str(caught.value).count("no data folder") == 2  # both workers say so
    assert calls(tmp_path, "a") == 0


def test_worker_problems_names_a_folder_that_is_not_shared(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "shared").mkdir()
    marker = tmp_path / "shared" / ".opsbook-shared-1"
    marker.touch()
    markers = [(str(tmp_path / "shared"), str(marker)), (str(tmp_path / "local"), str(tmp_path / "local" / "m"))]
    problems = fanout.worker_problems([str(tmp_path / "data"), str(tmp_path / "gone")], markers)
    assert problems == [f"no data folder {tmp_path / 'gone'}",
                        f"the outputs root {tmp_path / 'local'} is not the one this machine writes (not a shared "
                        "folder)"]


def test_an_unreachable_scheduler_is_a_parameter_error_naming_it(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ParameterError, match=f"--cluster {address}: no Dask scheduler answered within 1 s"):
        run_tasks([task("a", dir=str(tmp_path), mode="fine")], cluster=address, execute=flaky, connect_timeout=1)
    assert calls(tmp_path, "a") == 0


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "tls://scheduler.example.com:8786", "localhost:8786",
                                     "tcp://[::1]:8786", "  tcp://10.0.0.5:8786 "])
def test_scheduler_addresses_accepted(address: str) -> None:
    assert fanout.check_address(address) == address.strip()


@pytest.mark.parametrize("address", ["tcp://10.0.0.5", "http://10.0.0.5:8786", "10.0.0.5 8786", "", "tcp://:8786"])
def test_scheduler_addresses_refused(address: str) -> None:
    with pytest.raises(ParameterError, match="is not a Dask scheduler address: give tcp://HOST:PORT"):
        fanout.check_address(address)


def test_task_keys_name_notebook_and_window_and_never_repeat() -> None:
    review = RunTask("period_review", {"account": "own_douyin", "period_type": "month", "period": "2026-10"},
                     None, "/o")
    keys = {fanout.task_key(review, 0, "b1"), fanout.task_key(review, 1, "b1"), fanout.task_key(review, 0, "b2"),
            fanout.task_key(review, 0, "b1", attempt=2)}
    assert len(keys) == 4
    assert all("period_review[own_douyin,month,2026-10]" in key for key in keys)


# ---------------------------------------------------------------- run folders of runs started at once

STAMP = "20261102T060311"  # the same second for every run below


def start_and_fail(root: str) -> tuple[str, str]:
    """What a run does with its folders: make its .running folder (exclusively), then keep it as failed."""
    notebook_root = Path(root) / "period_review"
    notebook_root.mkdir(parents=True, exist_ok=True)
    tmp = runner._run_folder(notebook_root, STAMP)
    tmp.mkdir()  # FileExistsError if another run took the name
    (tmp / "notebook.ipynb").write_text(tmp.name, encoding="utf-8")
    failed = runner._keep_failed(tmp, notebook_root, STAMP)
    return tmp.name, str(failed)


def test_runs_started_in_the_same_second_never_share_a_folder(tmp_path: Path) -> None:
    results: list[tuple[str, str]] = []
    threads = [threading.Thread(target=lambda: results.append(start_and_fail(str(tmp_path)))) for _ in range(8)]
    for thread in threads:  # threads of one process, as in a Dask worker
        thread.start()
    for thread in threads:
        thread.join()
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:  # and processes, as in --workers
        results += list(pool.map(start_and_fail, [str(tmp_path)] * 4))
    assert len(results) == 12
    assert len({running for running, _ in results}) == 12
    failed = sorted((tmp_path / "period_review" / "_failed").iterdir())
    assert len(failed) == 12 and all(f.name.startswith(STAMP) for f in failed)
    # every failed folder holds the notebook of its own run
    assert sorted((f / "notebook.ipynb").read_text(encoding="utf-8") for f in failed) == sorted(
        running for running, _ in results)
