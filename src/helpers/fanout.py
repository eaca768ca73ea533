"""Many runs at once: a process pool on this machine (`--workers N`) or a Dask cluster (`--cluster ADDRESS`).

`run_tasks` takes the runs of a pack as `RunTask`s (one `opsbook run` each) and returns their
`RunOutcome`s in task order, however they ran. Every run is `helpers.runner.run_notebook` with its
atomic publishing, in its own kernel, so the outputs are those of a serial run:

- serial (workers=1): one run after the other in this process, as `run-all` always did;
- a process pool (workers>1): `concurrent.futures.ProcessPoolExecutor` with the *spawn* start
  method. The parent may hold threads (the progress bar, the runner's nbconvert warm-up) and
  imported pandas/matplotlib state that a fork would copy mid-flight; spawn starts each worker
  clean on every OS, and its cost (a fresh interpreter, 0.2 s, then the runner's imports, about
  5 s on 2 cores, in its first run) is paid once per worker, not per run: the pool reuses them;
- a Dask cluster (cluster="tcp://host:8786"): `dask.distributed` (imported only here, so the CLI
  starts as fast without it). Each run is one task; a task that raises (a worker lost, a shared
  folder that hiccuped) is submitted once more, and one that fails twice becomes a failed outcome
  rather than stopping the pack. A notebook failure is not an exception here but an outcome, so it
  is never retried: it would fail the same way. Workers read the data folder and write the
  outputs root at the same paths as this process (a shared filesystem); `run_tasks` checks that
  before the first run. docs/scale_out.md says how to start a cluster.

In every mode a run's kernel does its math on one thread (`ONE_THREAD_MATH`) and a task without a
language runs in this process's, so a run gives the same bytes however it was run.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from helpers.errors import OpsbookError, ParameterError

#: Seconds to wait for a Dask scheduler to answer (and for it to have a worker) before giving up.
CONNECT_TIMEOUT = 10.0
#: How many times a cluster task is tried before it counts as lost (the first run and one retry).
CLUSTER_ATTEMPTS = 2
#: Every run's kernel does its linear algebra on one thread, as Dask's nanny sets for its workers: runs side by
#: side do not fight over the cores, and a result's last bits do not depend on how it ran (a BLAS on more
#: threads sums in another order, e.g. the CUPED means of an experiment differ by 1e-15).
ONE_THREAD_MATH = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                   "VECLIB_MAXIMUM_THREADS": "1"}
#: Scheduler address: [tcp|tls|ws|wss|ucx://]host:port, or inproc://… (an in-process cluster, for tests).
_ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$|^inproc://\S+$")


@dataclass(frozen=True)
class RunTask:
    """One notebook run of a pack, in plain values so it travels to another process or machine."""

    notebook: str
    parameters: dict[str, Any]
    data_dir: str | None
    out_root: str
    lang: str | None = None


@dataclass(frozen=True)
class RunOutcome:
    """How one run ended: its published folder, or the failure message (`error`, empty when it succeeded)."""

    output_dir: str | None
    error: str = ""
    seconds: float = 0.0  # on the worker that ran it (0 when no worker reported back)
    attempts: int = 1
    worker: str = ""  # host:pid of the process that ran it
    refused: bool = False  # the run refused bad input (a DataError, ParameterError, ...): run-all exits 2, not 1

    @property
    def ok(self) -> bool:
        """True when the run published its report."""
        return not self.error


Execute = Callable[[RunTask], RunOutcome]
OnDone = Callable[[RunTask, RunOutcome], None]


def _where() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(task: RunTask) -> RunOutcome:
    """Run one task with the runner; a notebook or parameter failure is an outcome, anything else raises."""
    from helpers.runner import RunFailed, run_notebook

    start = time.perf_counter()
    try:
        result = run_notebook(task.notebook, data_dir=task.data_dir, out_root=task.out_root, lang=task.lang,
                              parameters=dict(task.parameters), progress=False)
    except OpsbookError as exc:
        refused = exc.refused if isinstance(exc, RunFailed) else True  # checked before the kernel: bad input
        return RunOutcome(None, str(exc), time.perf_counter() - start, 1, _where(), refused=refused)
    return RunOutcome(str(result.output_dir), "", time.perf_counter() - start, 1, _where())


def pin_math_threads() -> None:
    """Give the kernels this process starts from now on one math thread (in a pool or cluster worker)."""
    os.environ.update(ONE_THREAD_MATH)


@contextmanager
def _math_on_one_thread() -> Iterator[None]:
    """One math thread for the kernels started meanwhile in this process, then the environment as it was."""
    before = {name: os.environ.get(name) for name in ONE_THREAD_MATH}
    pin_math_threads()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def default_workers() -> int:
    """How many runs this machine takes at once by default: the cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


def check_workers(workers: int) -> int:
    """`workers` when it is a whole number ≥ 1, else a ParameterError."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"--workers must be a whole number of at least 1 (runs at once); got {workers!r}.")
    return workers


def check_address(address: str) -> str:
    """A Dask scheduler address such as tcp://10.0.0.5:8786 (stripped), else a ParameterError."""
    text = str(address).strip()
    if not _ADDRESS.match(text):
        raise ParameterError(f"--cluster {address!r} is not a Dask scheduler address: give tcp://HOST:PORT "
                             "(`dask scheduler` prints it; the port is 8786 unless you chose another).")
    return text


def task_key(task: RunTask, index: int, batch: str, attempt: int = 1) -> str:
    """The task's name on the cluster: notebook and window (its parameter values), index, batch and attempt.

    Readable on the Dask dashboard, and unique: the batch (one per `run_tasks` call) keeps two packs
    sent to one scheduler at the same time from sharing a result.
    """
    window = ",".join(str(v) for v in task.parameters.values())
    name = re.sub(r"[^A-Za-z0-9_.,:=+\[\]-]+", "_", f"{task.notebook}[{window}]")[:120]
    return f"opsbook-{name}-{index}-{batch}-{attempt}"


def _language_fixed(task: RunTask) -> RunTask:
    """The task with its report language resolved here ($OPSBOOK_LANG of this process), not on a worker."""
    from helpers import i18n

    return replace(task, lang=i18n.resolve_language(task.lang))


def _absolute(task: RunTask) -> RunTask:
    """The task with absolute folders: a cluster worker's working directory is not ours."""
    data = os.path.abspath(task.data_dir) if task.data_dir is not None else None
    return replace(task, data_dir=data, out_root=os.path.abspath(task.out_root))


def _crashed(exc: BaseException, where: str) -> str:
    return (f"The run crashed {where}: {type(exc).__name__}: {exc}\n"
            "The previous report, if any, is unchanged.")


class _Tracker:
    """Outcomes in task order, the pack's progress bar and the caller's callback, in this process."""

    def __init__(self, tasks: Sequence[RunTask], progress: bool, on_done: OnDone | None) -> None:
        from tqdm import tqdm

        self.tasks = tasks
        self.outcomes: list[RunOutcome | None] = [None] * len(tasks)
        self.on_done = on_done
        self.failed = 0
        self.bar = tqdm(total=len(tasks), unit="run", desc="pack", disable=not progress, file=sys.stderr)

    def __enter__(self) -> _Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def done(self, index: int, outcome: RunOutcome) -> None:
        """Record the outcome of task `index`, move the bar and tell the caller."""
        self.outcomes[index] = outcome
        self.failed += not outcome.ok
        self.bar.update(1)
        if self.failed:
            self.bar.set_postfix_str(f"{self.failed} failed")
        if self.on_done is not None:
            self.on_done(self.tasks[index], outcome)

    def result(self) -> list[RunOutcome]:
        """Every outcome, in task order (all tasks have finished)."""
        return [o for o in self.outcomes if o is not None]


def _run_serial(tasks: Sequence[RunTask], run: Execute, tracker: _Tracker) -> None:
    with _math_on_one_thread():
        for index, task in enumerate(tasks):
            start = time.perf_counter()
            try:
                outcome = run(task)
            except Exception as exc:  # a bug or a broken disk: this run fails, the pack goes on
                outcome = RunOutcome(None, _crashed(exc, "in this process"), time.perf_counter() - start, 1,
                                     _where())
            tracker.done(index, outcome)


def _run_pool(tasks: Sequence[RunTask], run: Execute, workers: int, tracker: _Tracker) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")  # see the module docstring
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context,
                             initializer=pin_math_threads) as pool:
        try:
            futures = {pool.submit(run, task): index for index, task in enumerate(tasks)}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker process raised or died (BrokenProcessPool)
                    outcome = RunOutcome(None, _crashed(exc, "in its worker process"))
                tracker.done(futures[future], outcome)
        except BaseException:  # Ctrl-C: start nothing more, let the running ones end
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A `distributed.Client` of the scheduler at `address` with at least one worker, else a ParameterError."""
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ParameterError(f"--cluster {address}: no Dask scheduler answered within {timeout:g} s ({exc}). "
                             "Check the address and that `dask scheduler` runs there "
                             "(docs/scale_out.md).") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        client.close()
        raise ParameterError(f"--cluster {address}: the scheduler has no workers. Start some with "
                             f"`dask worker {address} --nthreads 1` (docs/scale_out.md).") from None
    return client


def worker_problems(data_dirs: Sequence[str], markers: Sequence[tuple[str, str]]) -> list[str]:
    """What keeps this worker from running the pack: a data folder it cannot see, an outputs root that is not
    the client's (its marker file is missing), or no `opsbook` kernel. Runs on each worker."""
    from helpers.runner import check_kernel

    problems = [f"no data folder {d}" for d in data_dirs if not Path(d).is_dir()]
    problems += [f"the outputs root {root} is not the one this machine writes (not a shared folder)"
                 for root, marker in markers if not Path(marker).exists()]
    try:
        check_kernel()
    except OpsbookError as exc:
        problems.append(str(exc))
    return problems


def check_cluster(client: Any, tasks: Sequence[RunTask]) -> None:
    """Raise a ParameterError, before any run, when a worker cannot see the data or the outputs root."""
    data_dirs = sorted({t.data_dir for t in tasks if t.data_dir is not None})
    markers = [(root, str(Path(root) / f".opsbook-shared-{uuid.uuid4().hex}"))
               for root in sorted({t.out_root for t in tasks})]
    try:
        for root, marker in markers:
            Path(root).mkdir(parents=True, exist_ok=True)
            Path(marker).touch()
        answers = client.run(worker_problems, data_dirs, markers, on_error="return")
    finally:
        for _, marker in markers:
            Path(marker).unlink(missing_ok=True)
    lines = []
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):  # e.g. no module named 'helpers': opsbook is not installed there
            answer = [f"the check itself failed: {type(answer).__name__}: {answer}"]
        lines += [f"{worker}: {problem}" for problem in answer]
    if lines:
        raise ParameterError("--cluster: the workers cannot run this pack. They need the data folder and the "
                             "outputs root at the same paths as this machine (a shared filesystem), opsbook "
                             "installed and its `opsbook` kernel registered (docs/scale_out.md):\n"
                             + "\n".join(lines[:20]))


def _run_cluster(tasks: Sequence[RunTask], run: Execute, client: Any, tracker: _Tracker) -> None:
    from distributed import as_completed

    batch = uuid.uuid4().hex[:8]
    sent: dict[str, tuple[int, int]] = {}  # task key → (task index, attempt)

    def submit(index: int, attempt: int) -> Any:
        key = task_key(tasks[index], index, batch, attempt)
        sent[key] = (index, attempt)
        return client.submit(run, tasks[index], key=key, pure=False)

    pending = as_completed([submit(i, 1) for i in range(len(tasks))], loop=client.loop)
    for future in pending:
        index, attempt = sent[future.key]
        if future.status == "finished":
            tracker.done(index, replace(future.result(), attempts=attempt))
        elif attempt < CLUSTER_ATTEMPTS:
            pending.add(submit(index, attempt + 1))
        else:
            exc = future.exception() if future.status == "error" else RuntimeError(f"task {future.status}")
            message = (f"Lost on the cluster after {attempt} attempts: {type(exc).__name__}: {exc}\n"
                       "The previous report, if any, is unchanged.")
            tracker.done(index, RunOutcome(None, message, attempts=attempt))
        future.release()


def run_tasks(tasks: Sequence[RunTask], *, workers: int = 1, cluster: str | None = None, progress: bool = False,
              on_done: OnDone | None = None, execute: Execute = execute,
              connect_timeout: float = CONNECT_TIMEOUT) -> list[RunOutcome]:
    """Run every task and return the outcomes in task order: serially, on `workers` processes, or on a cluster.

    With `cluster` (a scheduler address) the cluster's workers run the tasks and `workers` is not
    used. Bad input (workers, the address, an unreachable scheduler, workers that cannot see the data
    or the outputs, a task's language) is a ParameterError before any run. A task without `lang`
    runs in this process's language (`$OPSBOOK_LANG`, else zh-CN) wherever it runs. `on_done(task,
    outcome)` is called here as each run ends; `progress` shows one bar for all runs. `execute` is
    what runs one task (a module-level function, so other processes can import it).
    """
    check_workers(workers)
    address = check_address(cluster) if cluster is not None else None
    tasks = [_language_fixed(t) for t in tasks]
    if not tasks:
        return []
    if address is None:
        with _Tracker(tasks, progress, on_done) as tracker:
            if workers == 1 or len(tasks) == 1:
                _run_serial(tasks, execute, tracker)
            else:
                _run_pool(tasks, execute, workers, tracker)
            return tracker.result()
    tasks = [_absolute(t) for t in tasks]
    with connect(address, connect_timeout) as client:
        check_cluster(client, tasks)
        client.run(pin_math_threads)  # the nanny's default, made sure of (a worker may run without one)
        with _Tracker(tasks, progress, on_done) as tracker:
            _run_cluster(tasks, execute, client, tracker)
            return tracker.result()
