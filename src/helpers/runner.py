"""Execute a notebook headless with papermill and publish its outputs atomically.

A run writes into a temporary folder next to its destination; only when the notebook and the
HTML export succeed is the folder moved into place, so a failed run never replaces the last good
report. The failed notebook is kept (papermill marks the failing cell) and its path is printed.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import json
import os
import re
import shutil
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

from helpers import config, glossary, i18n, page
from helpers.errors import OpsbookError, ParameterError
from helpers.report import read_summary

#: Parameters the runner sets itself; a parameters file or -p may still override data_dir.
RUNNER_PARAMETERS = ("output_dir",)
#: Parameters whose values are paths (a list of paths for extra_topic_banks). The kernel runs in notebooks/, so the
#: runner makes a relative one absolute against the caller's working directory before the kernel starts.
PATH_PARAMETERS = ("data_dir", "output_dir", "targets_source", "extra_dates_file", "aggregates_file",
                   "extra_topic_banks")
#: Values of path parameters that are keywords, not paths (targets_source 'data' or 'none').
PATH_KEYWORDS = ("", "data", "none")
#: Errors a notebook raises to refuse bad input (helpers.errors and their subclasses); they exit 2, not 1.
#: Failures of the run itself (RunFailed, a PDF's PrintError) are OpsbookErrors too, but not refusals.
NOT_REFUSALS = ("RunFailed", "PrintError")


class RunFailed(OpsbookError):
    """The notebook raised an error; the message names the cell and where the failed notebook is.

    `refused` is True when the notebook refused bad input (it raised one of the suite's own
    OpsbookError kinds: DataError, ParameterError, ...): the user must fix the data or the
    parameters (exit 2). False for anything else: a bug, a dead kernel, an export error (exit 1).
    """

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class RunResult:
    """Where a successful run put its artefacts."""

    notebook: str
    label: str
    output_dir: Path

    @property
    def report(self) -> Path:
        """The HTML report (no code)."""
        return self.output_dir / "report.html"

    @property
    def summary(self) -> dict[str, Any]:
        """The run's summary.json as a dict."""
        return read_summary(self.output_dir)


def notebook_path(name: str) -> Path:
    """The input notebook for a name like 'period_review' (or a path to an .ipynb file)."""
    candidate = Path(name)
    if candidate.suffix == ".ipynb" and candidate.exists():
        return candidate.resolve()
    path = config.NOTEBOOKS / f"{name.removesuffix('.ipynb')}.ipynb"
    if not path.exists():
        available = sorted(p.stem for p in config.NOTEBOOKS.glob("*.ipynb"))
        raise ParameterError(f"No notebook named {name!r}. Available: {', '.join(available) or 'none'}.")
    return path


def notebook_parameters(path: Path) -> dict[str, Any]:
    """Names and defaults (as source text) of the notebook's `parameters` cell (via papermill)."""
    import papermill

    return {name: info["default"] for name, info in papermill.inspect_notebook(str(path)).items()}


def default_values(path: Path) -> dict[str, Any]:
    """The notebook's parameter defaults as Python values (its `parameters` cell holds literals only)."""
    values = {}
    for name, source in notebook_parameters(path).items():
        try:
            values[name] = ast.literal_eval(source)
        except (ValueError, SyntaxError) as exc:
            raise ParameterError(f"{path.name}: the default of parameter {name} ({source}) is not a literal; "
                                 "the parameters cell holds literals only (derive values in the next cell).") from exc
    return values


def injected_parameters(executed: Path) -> dict[str, Any]:
    """The parameters papermill injected into a run (it keeps them in the output notebook's metadata)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    return dict(nb.metadata.get("papermill", {}).get("parameters", {}))


def record_parameters(run_dir: Path, notebook: Path, executed: Path) -> None:
    """Write the run's effective parameters (defaults, then what was injected) into its summary.json.

    `params` holds every parameter the notebook ran with, `params_set` the names given for this run
    (params file, -p, --data, --period), `data_folder` the folder the data was read from. Notebooks
    do not list their parameters themselves, so the record cannot drift from the parameters cell.
    """
    summary_path = run_dir / "summary.json"
    if not summary_path.exists():
        return
    injected = {k: v for k, v in injected_parameters(executed).items() if k not in RUNNER_PARAMETERS}
    params = {k: v for k, v in default_values(notebook).items() if k not in RUNNER_PARAMETERS}
    params.update(injected)
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary["params"] = params
    summary["params_set"] = sorted(injected)
    if "data_dir" in params:
        summary["data_folder"] = str(config.data_dir(params["data_dir"]))
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def absolute_path(value: str | os.PathLike[str], cwd: Path | None = None) -> Path:
    """A path given on the command line, absolute: `~` expanded, a relative one read from `cwd` (default: the
    caller's working directory), as the user meant it (the kernel runs elsewhere, in notebooks/)."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (cwd or Path.cwd()) / path


def absolute_path_parameters(parameters: dict[str, Any], cwd: Path | None = None) -> dict[str, Any]:
    """The parameters with every relative path in PATH_PARAMETERS made absolute against `cwd` (default: now's).

    Keywords ('data', 'none', '') stay as they are. targets_source also accepts a path relative to the
    checkout (config.ROOT, as params files name account-plan outputs): a relative path found there but
    not in `cwd` is left for the notebook to find there.
    """
    here = cwd or Path.cwd()

    def fix(name: str, value: Any) -> Any:
        if isinstance(value, list):
            return [fix(name, v) for v in value]
        if not isinstance(value, (str, os.PathLike)) or str(value).strip().lower() in PATH_KEYWORDS:
            return value
        text = str(value).strip()
        if (name == "targets_source" and not Path(text).expanduser().is_absolute()
                and not (here / text).exists() and (config.ROOT / text).exists()):
            return value
        return str(absolute_path(text, here))

    return {k: fix(k, v) if k in PATH_PARAMETERS else v for k, v in parameters.items()}


def read_params_file(path: str | Path) -> dict[str, Any]:
    """Parameters from a YAML file (a mapping of name → value)."""
    file = Path(path)
    if not file.exists():
        raise ParameterError(f"Parameters file {file} not found.")
    try:
        loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"Parameters file {file} is not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict):
        raise ParameterError(f"Parameters file {file} must be a mapping of name: value.")
    return loaded


def parse_cli_value(raw: str, default_repr: str | None) -> Any:
    """A -p value typed like papermill does (YAML), but kept as text where the default is a string.

    A YAML list or map (`[douyin, weibo]`, `{daily: 0.6}`) is always read as one, whatever the default.
    """
    flow = raw.strip()[:1] in ("[", "{")
    if default_repr is not None and default_repr[:1] in ("'", '"') and not flow:
        return raw
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def merge_parameters(path: Path, params_file: str | Path | None, cli_pairs: list[tuple[str, str]],
                     extra: dict[str, Any]) -> dict[str, Any]:
    """Parameters for a run: defaults file, then -p pairs, then runner options; unknown names rejected."""
    declared = notebook_parameters(path)
    merged: dict[str, Any] = {}
    default_file = config.PARAMS / f"{path.stem}.yaml"
    if params_file is None and default_file.exists():
        params_file = default_file
    if params_file is not None:
        merged.update(read_params_file(params_file))
    for name, raw in cli_pairs:
        merged[name] = parse_cli_value(raw, declared.get(name))
    merged.update({k: v for k, v in extra.items() if v is not None})
    for name, value in merged.items():  # YAML may read 2026 or 2026-10-01 where the notebook expects text
        if (name in declared and str(declared[name])[:1] in ("'", '"')
                and not isinstance(value, (str, list, dict))):  # a list or map stays one (keyword-or-list)
            merged[name] = str(value)
    unknown = sorted(set(merged) - set(declared))
    if unknown:
        raise ParameterError(
            f"Unknown parameter(s) for {path.stem}: {', '.join(unknown)}. "
            f"It takes: {', '.join(sorted(set(declared) - set(RUNNER_PARAMETERS)))}."
        )
    return merged


def precheck(path: Path, parameters: dict[str, Any]) -> None:
    """Check a run's parameters and small tables as the notebook will, before any kernel starts (exit 2, one message).

    The notebook's defaults updated with `parameters` go to its package's session.check_parameters
    (config.NOTEBOOK_PACKAGES), in the run's language and leaving the runner's as it was; a notebook
    outside the suite (an .ipynb passed by path) is not checked here.
    """
    package = config.NOTEBOOK_PACKAGES.get(path.stem)
    if package is None or path.parent.resolve() != config.NOTEBOOKS.resolve():
        return
    session = importlib.import_module(f"helpers.{package}.session")
    values = {**default_values(path), **parameters}
    values = {k: v for k, v in values.items() if k not in RUNNER_PARAMETERS}
    with i18n.use_language(str(values.get("lang") or "")):
        session.check_parameters(**values)


def check_kernel(kernel_name: str = config.KERNEL_NAME) -> None:
    """Fail early, with the fix, when the named Jupyter kernel is not registered."""
    from jupyter_client.kernelspec import KernelSpecManager

    if kernel_name not in KernelSpecManager().find_kernel_specs():
        raise OpsbookError(
            f"Jupyter kernel {kernel_name!r} is not registered. Run `make setup` (or "
            f"`python -m ipykernel install --sys-prefix --name {kernel_name}`) in the project's environment."
        )


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def without_widgets(nb: Any) -> Any:
    """A notebook without widget views and widget state: a static report has no kernel to drive them."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
    return nb


def report_exporter(lang: str = i18n.DEFAULT_LANGUAGE) -> Any:
    """nbconvert's HTML exporter set up for the report page in `lang` (no code or prompts, the suite's template)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                        template_file="report.html.j2", language_code=lang.split("-")[0],
                        extra_template_paths=[str(page.TEMPLATES)])


def _report_resources(title: str, cells: list[Any], lang: str) -> dict[str, Any]:
    """The resources the report template reads: title, table of contents, glossary link and style."""
    with i18n.use_language(lang):
        words = {"toc": i18n.gettext("Contents"), "glossary": i18n.gettext("Glossary of the terms in this report")}
    return {"metadata": {"name": title}, "ops_toc": page.section_headings(cells),
            "ops_toc_label": words["toc"], "ops_glossary": (glossary.FILE_NAME, words["glossary"]),
            "ops_css": (page.TEMPLATES / "report.css").read_text(encoding="utf-8")}


def warm_exporter(ready: list[Any]) -> None:
    """Import nbconvert (about 1.5 s cold) and compile the report's templates (~0.2 s, jinja compiles a template
    the first time it renders) by exporting an empty notebook; the exporter is appended to `ready`.

    The runner does this in a thread while the kernel works (the runner process is idle meanwhile), so the
    export after a run starts warm; the page it then writes is the same as a fresh exporter's.
    """
    try:
        import nbformat

        exporter = report_exporter()
        exporter.from_notebook_node(nbformat.v4.new_notebook(),
                                    resources=_report_resources("", [], i18n.DEFAULT_LANGUAGE))
    except Exception:  # the export itself then makes its own exporter and reports the error
        return
    ready.append(exporter)


KERNEL_LOG = "kernel.log"


def quiet_kernel_manager(log: IO[bytes]) -> type:
    """A kernel manager whose kernel writes its own stderr (start-up warnings, shutdown noise) to `log`.

    The kernel is told it runs headless (``OPSBOOK_HEADLESS=1``): the explorers draw nothing until used.

    The kernel process inherits the runner's stderr otherwise, so a cron log would carry ipykernel's
    "running over TCP" warning on every run and, now and then, a traceback from its shutdown. What a
    cell raises still reaches the runner through the kernel's messages.
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            kw.setdefault("stderr", log)
            kw.setdefault("env", {**os.environ, config.HEADLESS_ENV: "1"})  # explorers wait to be used
            await super().start_kernel(**kw)

    return QuietKernelManager


def export_html(executed: Path, target: Path, title: str, lang: str = i18n.DEFAULT_LANGUAGE,
                exporter: Any | None = None) -> Path:
    """Export an executed notebook as the report page in `lang`: no code or prompts, summary first.

    `helpers.page.report_cells` keeps the cells of the report's language and moves the summary to
    the top and the housekeeping to an appendix; the template adds the table of contents, the
    report's style, `<title>`, `<html lang>` and a footer link to the glossary.html written beside it.
    `exporter`: one made by `report_exporter` (e.g. warmed by `warm_exporter`), used once; default a new one.
    """
    import nbformat

    notebook = without_widgets(nbformat.read(executed, as_version=4))
    notebook.cells = page.report_cells(notebook.cells, lang)
    if exporter is None:
        exporter = report_exporter(lang)
    exporter.language_code = lang.split("-")[0]
    body, _ = exporter.from_notebook_node(notebook, resources=_report_resources(title, notebook.cells, lang))
    # nbconvert accepts ISO 639-1 codes only ("zh"); the page names the written language in full
    body = body.replace(f'<html lang="{lang.split("-")[0]}">', f'<html lang="{lang}">', 1)
    target.write_text(body, encoding="utf-8")
    (target.parent / glossary.FILE_NAME).write_text(glossary.glossary_html(lang), encoding="utf-8")
    return target


def section_of_cell(notebook: Path, index: int) -> str:
    """The heading of the notebook section holding a cell (the nearest markdown heading above it, anchors left out)."""
    import nbformat

    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except (OSError, ValueError):
        return ""
    for cell in reversed(cells[: index + 1]):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            return re.sub(r"<[^>]+>", "", cell.source.lstrip().splitlines()[0].lstrip("#")).strip()
    return ""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: A frame in an IPython traceback: 'File /path/mod.py:12, in f(...)' (a module) or 'Cell In[3], line 2' (a cell).
_FRAME = re.compile(r"^\s*(?:File\s+(?P<file>.+?):\d+, in |(?P<cell>Cell In\s*\[))", re.MULTILINE)
_HELPERS_FILE = re.compile(r"[/\\]helpers[/\\]")


def refusal_names() -> set[str]:
    """Class names of the errors the suite raises on bad input: OpsbookError and every subclass, but RunFailed
    and PrintError (failures of the run itself). Only names cross the kernel boundary."""
    from helpers import pdf  # noqa: F401  (PrintError)
    from helpers.ingest import generic, types  # noqa: F401  (MappingError, ImportFileError, ...)
    from helpers.planning import schedule  # noqa: F401  (CalendarError)

    names: set[str] = set()
    todo: list[type] = [OpsbookError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo += cls.__subclasses__()
    return names - set(NOT_REFUSALS)


def is_refusal(ename: str, traceback: list[str] | None) -> bool:
    """Whether a notebook's error is the suite refusing bad input: an OpsbookError kind (by name) raised from the
    helpers package or a cell, not a same-named error of a library (pandas has its own DataError)."""
    if ename not in refusal_names():
        return False
    frames = list(_FRAME.finditer(_ANSI.sub("", "\n".join(traceback or []))))
    if not frames:
        return True
    last = frames[-1]
    return bool(last.group("cell")) or bool(_HELPERS_FILE.search(last.group("file") or ""))


def _failure_message(exc: Exception, failed_nb: Path) -> str:
    cell = getattr(exc, "exec_count", None)
    index = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    where = f"cell {index} (execution count {cell})" if index is not None else "the notebook"
    section = section_of_cell(failed_nb, index) if index is not None else ""
    if section:
        where += f", section '{section}'"
    return (f"Run failed in {where}: {ename}: {evalue}\n"
            f"The failed notebook (error marked at the cell) is kept at {failed_nb}.\n"
            f"The previous report, if any, is unchanged.")


def safe_label(label: str) -> str:
    """A run label usable as one folder name (no separators or parent references)."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("._")
    return cleaned or "run"


def _run_folder(notebook_root: Path, stamp: str) -> Path:
    """The temporary folder of a run: .running-<time>-<pid>-<random>, unique across processes and threads."""
    return notebook_root / f".running-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _keep_failed(tmp: Path, notebook_root: Path, stamp: str) -> Path:
    """Move a failed run's folder to _failed/<time>-<random>/ so its notebook can be inspected."""
    failed_dir = notebook_root / "_failed" / f"{stamp}-{uuid.uuid4().hex[:8]}"
    failed_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(failed_dir)
    return failed_dir


def _publish(tmp: Path, final: Path) -> None:
    """Move a finished run folder into place, replacing an older run of the same label."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_notebook(
    name: str,
    params_file: str | Path | None = None,
    cli_pairs: list[tuple[str, str]] | None = None,
    data_dir: str | Path | None = None,
    out_root: str | Path | None = None,
    period: str | None = None,
    progress: bool = True,
    lang: str | None = None,
    parameters: dict[str, Any] | None = None,
) -> RunResult:
    """Run one notebook with papermill; publish outputs/<notebook>/<label>/ only on success.

    `parameters` are set as the runner's own options are (a pack's window, e.g. {"plan_month": "2026-11"}).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    path = notebook_path(name)
    root = absolute_path(out_root if out_root else config.OUTPUTS)  # the kernel runs in notebooks/, not here
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    notebook_root = root / path.stem
    notebook_root.mkdir(parents=True, exist_ok=True)
    tmp = _run_folder(notebook_root, stamp)
    tmp.mkdir()
    extra: dict[str, Any] = {**(parameters or {}), "output_dir": str(tmp)}
    if data_dir is not None:
        extra["data_dir"] = str(absolute_path(data_dir).resolve())
    if period is not None:
        extra["period"] = period
    try:
        if data_dir is not None and not Path(data_dir).is_dir():  # before the kernel: exit 2, one message
            raise ParameterError(f"--data {data_dir}: no such folder. Pass the folder that holds accounts.csv, "
                                 "account_daily.csv, ... (or a store: data/store).")
        if lang is not None:
            extra["lang"] = i18n.resolve_language(lang)  # a typo fails here, before the kernel starts
        parameters = absolute_path_parameters(merge_parameters(path, params_file, cli_pairs or [], extra))
        precheck(path, parameters)
        check_kernel()
    except OpsbookError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    executed = tmp / "notebook.ipynb"
    warmed: list[Any] = []
    warm = threading.Thread(target=warm_exporter, args=(warmed,), daemon=True)
    warm.start()  # import nbconvert and compile the report's templates while the kernel works
    kernel_log = (tmp / KERNEL_LOG).open("wb")
    try:
        papermill.execute_notebook(
            str(path), str(executed), parameters=parameters, kernel_name=config.KERNEL_NAME,
            progress_bar=progress, cwd=str(config.NOTEBOOKS), request_save_on_cell_execute=False,
            autosave_cell_every=10, kernel_manager_class=quiet_kernel_manager(kernel_log),
            # the kernel is stopped once the last cell's outputs are in, not asked to exit: a graceful exit spent
            # ~0.8 s tearing down the review's objects, and every output and file is written by then
            shutdown_kernel="immediate",
        )
        kernel_log.close()
        summary_path = tmp / "summary.json"
        record_parameters(tmp, path, executed)
        if not summary_path.exists() and path.stem in config.NOTEBOOK_PACKAGES:
            raise FileNotFoundError(f"the notebook wrote no summary.json into its output folder {tmp}")
        summary = read_summary(tmp) if summary_path.exists() else {}
        label = str(summary.get("label") or stamp)
        warm.join()
        export_html(executed, tmp / "report.html", str(summary.get("title") or f"{path.stem} {label}"),
                    str(summary.get("lang") or i18n.DEFAULT_LANGUAGE), exporter=warmed[0] if warmed else None)
    except PapermillExecutionError as exc:
        kernel_log.close()
        failed = _keep_failed(tmp, notebook_root, stamp)
        raise RunFailed(_failure_message(exc, failed / "notebook.ipynb"),
                        refused=is_refusal(exc.ename, exc.traceback)) from None
    except Exception as exc:  # dead kernel, cell timeout, export error: still keep what was run
        kernel_log.close()
        failed = _keep_failed(tmp, notebook_root, stamp)
        raise RunFailed(f"Run failed: {type(exc).__name__}: {exc}\nWhat ran is kept at {failed}.\n"
                        "The previous report, if any, is unchanged.") from None
    except BaseException:
        kernel_log.close()
        _keep_failed(tmp, notebook_root, stamp)
        raise
    (tmp / KERNEL_LOG).unlink()  # kept with a failed run only, where it may explain a dead kernel
    final = notebook_root / safe_label(label)
    _publish(tmp, final)
    return RunResult(path.stem, label, final)


def available_notebooks() -> list[str]:
    """Notebooks present, in the suite's order (for run-all)."""
    present = {p.stem for p in config.NOTEBOOKS.glob("*.ipynb")}
    return [n for n in config.NOTEBOOK_NAMES if n in present]


def progress_enabled() -> bool:
    """Show papermill's progress bar when a person is watching (stderr is a terminal)."""
    return sys.stderr.isatty()
