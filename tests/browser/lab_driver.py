"""A JupyterLab server for the browser suite, and the steps a person takes in it.

- `start_lab(home, notebooks, lang)` starts ``python -m jupyter lab`` (the test process's Python) on
  127.0.0.1 with a free port and a random token, in `home`/root holding copies of the
  notebooks, with every Jupyter and IPython folder in that temporary folder, no news or update
  popups, and the kernels' outputs in a temporary folder; `JupyterLab.stop()` shuts the kernels
  down through the REST API, then stops the server.
- `open_notebook(page, lab, name)` opens a notebook the way a link does and waits for its kernel;
  `run_all(page)` clicks Run → Run All Cells, waits until every code cell has run and fails with
  the cell's error text if a cell shows one.
- `controls(explorer)`, `change(control)` find an explorer's controls and change one as a person
  does: another option of a dropdown, one more (or one less) option of a multi-select, an arrow key
  on a slider handle, a piece of the first listed comment typed into a text box; the `Change` can be
  taken back. `burst_dropdown`, `burst_slider`: rapid
  changes of one control.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Locator, Page

#: The repository (or worktree) this file belongs to: its src/ is what the kernels import.
REPO = Path(__file__).resolve().parents[2]
#: The kernel `make setup` registers with --sys-prefix.
KERNEL = "opsbook"
#: Seconds to wait for the server to answer, a notebook to open, and a notebook to run all its cells.
SERVER_START_SECONDS = 90.0
OPEN_SECONDS = 90.0
RUN_ALL_SECONDS = 900.0
#: Cell output that reports an error (a traceback or an exception name).
ERROR_TEXT = re.compile(r"Traceback|\w*Error\b")
#: The browser window: a laptop screen, JupyterLab's file browser open beside the notebook as a new user has it.
VIEWPORT = {"width": 1366, "height": 900}
#: Controls an explorer may have, by the ipywidgets 8 class of their root element.
CONTROL_SELECTOR = ".widget-dropdown, .widget-select-multiple, .widget-slider, .widget-text"


def kernel_spec() -> Path:
    """The opsbook kernel spec the venv's Jupyter sees (registered with --sys-prefix), or a missing path."""
    return Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL / "kernel.json"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def set_parameter(notebook: Path, name: str, value: str) -> None:
    """Rewrite `name = ...` in the notebook's parameters cell to `name = value` (a Python literal)."""
    document = json.loads(notebook.read_text(encoding="utf-8"))
    pattern = re.compile(rf"^{re.escape(name)} = .*$", re.MULTILINE)
    for cell in document["cells"]:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"])
            if not pattern.search(source):
                raise ValueError(f"{notebook.name}: the parameters cell has no line `{name} = ...`")
            cell["source"] = pattern.sub(f"{name} = {value}", source).splitlines(keepends=True)
            notebook.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            return
    raise ValueError(f"{notebook.name}: no cell tagged `parameters`")


def copy_notebook(name: str, root: Path, lang: str = "", stem: str = "") -> Path:
    """Copy notebooks/<name>.ipynb into `root` (as <stem>.ipynb), its `lang` parameter set when given."""
    target = root / f"{stem or name}.ipynb"
    shutil.copy(REPO / "notebooks" / f"{name}.ipynb", target)
    if lang:
        set_parameter(target, "lang", json.dumps(lang))
    return target


def lab_environment(home: Path, outputs: Path, lang: str) -> dict[str, str]:
    """The server's (and so its kernels') environment: this worktree's src first, every Jupyter folder in `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "OPSBOOK_HEADLESS"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p)
    folders = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data", "JUPYTER_RUNTIME_DIR": "runtime",
               "JUPYTERLAB_SETTINGS_DIR": "settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
               "IPYTHONDIR": "ipython"}
    for variable, folder in folders.items():
        (home / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(home / folder)
    env["OPSBOOK_OUTPUTS"] = str(outputs)
    env["OPSBOOK_LANG"] = lang
    return env


def quiet_settings(settings: Path) -> None:
    """User settings that keep JupyterLab from asking about news and updates (a toast over the notebook)."""
    folder = settings / "@jupyterlab" / "apputils-extension"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")


@dataclass
class JupyterLab:
    """A running JupyterLab server: its URL and token, the notebooks' folder, the kernels' outputs."""

    url: str
    token: str
    root: Path
    outputs: Path
    log: Path
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.perf_counter)

    def api(self, path: str, method: str = "GET", timeout: float = 10.0) -> Any:
        """Call the server's REST API (token in the header); the decoded JSON answer, or None."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def notebook_url(self, name: str) -> str:
        """The address that opens <name>.ipynb alone (reset: no tab of an earlier page reopens) and logs in."""
        return f"{self.url}/lab/tree/{quote(name)}.ipynb?reset&token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log (for a failure message)."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_ready(self, timeout: float = SERVER_START_SECONDS) -> None:
        """Wait until GET /api/status answers; fail with the server's log if it exits or never answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def kernels(self) -> list[dict[str, Any]]:
        """The kernels the server runs now."""
        return list(self.api("/api/kernels") or [])

    def shutdown_kernels(self) -> None:
        """Shut every kernel down through the REST API (so none outlives the server)."""
        for kernel in self.kernels():
            try:
                self.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=30)
            except urllib.error.HTTPError as exc:
                if exc.code != 404:  # 404: it was already gone
                    raise

    def shutdown_session(self, path: str) -> None:
        """Shut down the kernel of the notebook at `path` (relative to the root), if it has one."""
        for session in list(self.api("/api/sessions") or []):
            if session.get("path") == path:
                self.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=30)

    def stop(self) -> None:
        """Shut the kernels down, then stop the server: terminate, wait, kill."""
        try:
            if self.process.poll() is None:
                self.shutdown_kernels()
        finally:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)


def start_lab(home: Path, notebooks: list[Path], lang: str = "zh-CN") -> JupyterLab:
    """Start JupyterLab in `home`/root holding copies of `notebooks`, kernels writing to `home`/outputs."""
    root, outputs = home / "root", home / "outputs"
    root.mkdir(parents=True, exist_ok=True)
    outputs.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        if notebook.parent != root:
            shutil.copy(notebook, root / notebook.name)
    env = lab_environment(home, outputs, lang)
    quiet_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    port, token = free_port(), secrets.token_hex(24)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--ServerApp.terminals_enabled=False", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]  # no extension manager asking PyPI
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        command.append("--allow-root")
    log = home / "jupyterlab.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, root, outputs, log, process)
    try:
        lab.wait_until_ready()
    except BaseException:
        lab.stop()
        raise
    return lab


# --- In the page ----------------------------------------------------------------------------------

#: The notebook panel on screen (JupyterLab hides the others with lm-mod-hidden).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

#: The state of the notebook on screen: kernel status, every code cell's prompt, and the error outputs.
NOTEBOOK_STATE_JS = """
(panelSelector) => {
  const panel = document.querySelector(panelSelector);
  if (!panel) return null;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
  const code = [];
  const errors = [];
  cells.forEach((cell, index) => {
    if (!cell.classList.contains('jp-CodeCell')) return;
    const prompt = cell.querySelector('.jp-InputArea-prompt');
    code.push(prompt ? prompt.textContent.trim() : '');
    for (const out of cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
      errors.push({cell: index, text: out.textContent});
  });
  return {status: indicator ? indicator.dataset.status : null, prompts: code, errors: errors};
}
"""


@dataclass(frozen=True)
class NotebookState:
    """What the notebook on screen shows: kernel status, code-cell prompts, stderr outputs by cell index."""

    status: str | None
    prompts: list[str]
    errors: list[tuple[int, str]]

    @property
    def running(self) -> bool:
        """Whether a cell is running or waiting to run ([*])."""
        return any("*" in p for p in self.prompts)

    @property
    def all_ran(self) -> bool:
        """Whether every code cell has an execution count."""
        return bool(self.prompts) and all(re.fullmatch(r"\[\d+\]:?", p) for p in self.prompts)

    def failures(self) -> list[str]:
        """Error outputs (a traceback or an exception name), as "cell N: text"."""
        return [f"cell {i}: {text.strip()[-3000:]}" for i, text in self.errors if ERROR_TEXT.search(text)]


def notebook_state(page: Page) -> NotebookState:
    """Read the state of the notebook on screen."""
    state = page.evaluate(NOTEBOOK_STATE_JS, PANEL)
    if state is None:
        return NotebookState(None, [], [])
    return NotebookState(state["status"], list(state["prompts"]),
                         [(int(e["cell"]), str(e["text"])) for e in state["errors"]])


#: Whether the kernel of the notebook on screen is started and idle: the toolbar's execution indicator
#: and the status bar (which reads "Initializing", "Starting" or "Connecting" until it is).
KERNEL_IDLE_JS = """
(panelSelector) => {
  const indicator = document.querySelector(panelSelector + ' .jp-Notebook-ExecutionIndicator');
  const bar = document.querySelector('#jp-main-statusbar')?.textContent ?? '';
  return !!indicator && indicator.dataset.status === 'idle' && bar.includes('Idle')
    && !['Connecting', 'Initializing', 'Starting', 'No Kernel'].some(s => bar.includes(s));
}
"""


def wait_for_idle_kernel(page: Page, timeout: float = OPEN_SECONDS) -> None:
    """Wait until the notebook's kernel is started and idle."""
    page.wait_for_function(KERNEL_IDLE_JS, arg=PANEL, timeout=timeout * 1000)


def cell_count(notebook: Path) -> int:
    """How many cells the notebook file holds."""
    return len(json.loads(notebook.read_text(encoding="utf-8"))["cells"])


def open_notebook(page: Page, lab: JupyterLab, name: str, timeout: float = OPEN_SECONDS) -> None:
    """Open <name>.ipynb as a link to it does; wait until all its cells are shown and its kernel is idle."""
    page.goto(lab.notebook_url(name), timeout=timeout * 1000)
    cells = cell_count(lab.root / f"{name}.ipynb")
    page.wait_for_function("([panel, n]) => document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell').length === n",
                           arg=[PANEL, cells], timeout=timeout * 1000)
    wait_for_idle_kernel(page, timeout)


def click_menu(page: Page, menu: str, command: str) -> None:
    """Click the main menu labelled `menu`, then its item that runs `command` (a command id)."""
    page.locator(f'li:has(div.lm-MenuBar-itemLabel:text-is("{menu}"))').click()
    page.locator(f'.lm-Menu.lm-MenuBar-menu li[data-command="{command}"]').click()


def run_all(page: Page, timeout: float = RUN_ALL_SECONDS) -> float:
    """Run → Run All Cells, wait until every code cell has run; fail with a cell's error. Seconds it took."""
    wait_for_idle_kernel(page)
    started = time.perf_counter()
    click_menu(page, "Run", "runmenu:run-all")
    deadline = time.monotonic() + timeout
    state = notebook_state(page)
    while time.monotonic() < deadline:
        state = notebook_state(page)
        if state.failures() and not state.running:
            raise AssertionError("a cell failed in Run All Cells:\n" + "\n\n".join(state.failures()))
        if state.status == "idle" and not state.running and state.all_ran:
            if state.failures():  # an error in the last cell
                raise AssertionError("a cell failed in Run All Cells:\n" + "\n\n".join(state.failures()))
            return time.perf_counter() - started
        page.wait_for_timeout(250)
    raise AssertionError(f"Run All Cells did not finish within {timeout:.0f} s: kernel {state.status}, "
                         f"prompts {state.prompts}")


# --- Controls -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Control:
    """One control of an explorer: its kind (dropdown, multiselect, slider, text), label and root element."""

    kind: str
    label: str
    root: Locator

    def __str__(self) -> str:
        return f"{self.kind} {self.label!r}"


def control_kind(root: Locator) -> str:
    """The kind of a control from its ipywidgets class: dropdown, multiselect, slider or text."""
    classes = (root.get_attribute("class") or "").split()
    for css, kind in (("widget-dropdown", "dropdown"), ("widget-select-multiple", "multiselect"),
                      ("widget-slider", "slider"), ("widget-text", "text")):
        if css in classes:
            return kind
    raise AssertionError(f"not a control this suite knows: class {' '.join(classes)!r}")


def controls(explorer: Locator) -> list[Control]:
    """The explorer's controls in page order (in .opsbook-explorer-controls), each with its label."""
    found = []
    boxes = explorer.locator(".opsbook-explorer-controls").locator(CONTROL_SELECTOR)
    for index in range(boxes.count()):
        root = boxes.nth(index)
        label = root.locator(".widget-label").first
        text = label.inner_text().strip() if label.count() else ""
        found.append(Control(control_kind(root), text, root))
    return found


@dataclass(frozen=True)
class Change:
    """A change made to a control: what it was, and how to take it back (as a person would)."""

    what: str
    undo: Callable[[], object] = field(repr=False)


def select_next(control: Control, step: int = 1) -> Change:
    """Choose the option `step` places after the current one in a dropdown (wrapping)."""
    select = control.root.locator("select")
    options = select.locator("option").all_inner_texts()
    if len(options) < 2:
        raise AssertionError(f"{control} has {len(options)} option(s): nothing else to choose")
    index = int(select.evaluate("s => s.selectedIndex"))
    target = (index + step) % len(options)
    select.select_option(index=target)
    return Change(options[target], lambda: select_index(control, index))


def select_index(control: Control, index: int) -> str:
    """Choose option `index` of a dropdown; the chosen option's text."""
    select = control.root.locator("select")
    select.select_option(index=index)
    return str(select.evaluate("(s, i) => s.options[i].text", index))


def toggle_option(control: Control) -> Change:
    """Add the first unselected option of a multi-select to its selection (or drop the last one if all are chosen)."""
    select = control.root.locator("select")
    options: list[dict[str, Any]] = select.evaluate(
        "s => [...s.options].map(o => ({value: o.value, text: o.text, selected: o.selected}))")
    chosen = [o for o in options if o["selected"]]
    spare = [o for o in options if not o["selected"]]
    values = [o["value"] for o in chosen]
    undo = lambda: select.select_option(value=values)
    if spare:
        select.select_option(value=[*values, spare[0]["value"]])
        return Change(f"+{spare[0]['text']}", undo)
    if len(chosen) < 2:
        raise AssertionError(f"{control} has {len(options)} option(s): nothing to toggle")
    select.select_option(value=values[:-1])
    return Change(f"-{chosen[-1]['text']}", undo)


#: A slider handle's value: aria-valuetext (exact) or, without it, aria-valuenow (noUiSlider rounds it to 0.1).
HANDLE_VALUE_JS = "h => h.getAttribute('aria-valuetext') ?? h.getAttribute('aria-valuenow')"


def slider_values(control: Control) -> list[float]:
    """The values of a slider's handles (a selection slider counts option indices)."""
    values: list[str] = control.root.locator(".noUi-handle").evaluate_all(f"hs => hs.map({HANDLE_VALUE_JS})")
    return [float(v) for v in values]


def press(handle: Locator, key: str) -> None:
    """Focus a slider handle and press `key` on it."""
    handle.focus()
    handle.press(key)


def first_move(control: Control, leftwards: bool = False) -> tuple[Locator, str, str]:
    """Move a slider one step as a person tries: ArrowRight on the first handle, ArrowLeft if it is at its end
    (the other way round when `leftwards`), then the next handle; (the handle that moved, the key that moved
    it, the key back)."""
    handles = control.root.locator(".noUi-handle")
    keys = [("ArrowRight", "ArrowLeft"), ("ArrowLeft", "ArrowRight")]
    for index in range(handles.count()):
        handle = handles.nth(index)
        for key, back in keys[::-1] if leftwards else keys:
            before = handle.evaluate(HANDLE_VALUE_JS)
            press(handle, key)
            if handle.evaluate(HANDLE_VALUE_JS) != before:
                return handle, key, back
    raise AssertionError(f"{control}: no handle moves with the arrow keys")


def slider_readout(control: Control) -> str:
    """The value a slider shows beside it (its readout), as a person reads it."""
    readout = control.root.locator(".widget-readout")
    return readout.first.inner_text().strip() if readout.count() else str(slider_values(control))


def nudge_slider(control: Control, leftwards: bool = False) -> Change:
    """Move a slider handle one step with an arrow key (see `first_move`)."""
    handle, key, back = first_move(control, leftwards)
    return Change(f"{key} → {slider_readout(control)}", lambda: press(handle, back))


def burst_slider(control: Control, presses: int = 4) -> tuple[int, Locator, str, str]:
    """Press one arrow key `presses` times in a row on a slider handle; (presses, the handle, the key, the key back)."""
    handle, key, back = first_move(control)
    for _ in range(presses - 1):
        handle.press(key)
    return presses, handle, key, back


#: The first characters of the last cell of the first row of the explorer's tables (a comment's text), or "".
FIRST_TEXT_JS = """
(el, n) => {
  const root = el.closest('.opsbook-explorer');
  const cell = root && root.querySelector('.opsbook-explorer-tables tbody tr td:last-child');
  return cell ? [...cell.textContent.trim()].slice(0, n).join('') : '';
}
"""


def type_text(control: Control, chars: int = 2) -> Change:
    """Type into a text box what a person looking for similar comments types: the first `chars` characters of
    the first comment the explorer lists (cleared to take it back)."""
    box = control.root.locator("input")
    before = box.input_value()
    word = str(control.root.evaluate(FIRST_TEXT_JS, chars))
    if not word or word == before:
        raise AssertionError(f"{control}: the explorer lists no comment to take a word from")
    box.fill(word)
    return Change(f"typed {word!r}", lambda: box.fill(before))


def change(control: Control) -> Change:
    """Change `control` as a person does (see the module docstring)."""
    if control.kind == "text":
        return type_text(control)
    if control.kind == "dropdown":
        return select_next(control)
    if control.kind == "multiselect":
        return toggle_option(control)
    return nudge_slider(control)


def burst_choices(current: int, options: int) -> list[int]:
    """Four or five dropdown choices in a row, each unlike the one before, the last unlike `current`."""
    others = [i for i in range(options) if i != current]
    if len(others) >= 2:
        return [others[k % 2] for k in range(4)]
    return [others[0], current, others[0], current, others[0]]


#: Choose options of a <select> one after another (a change event each), `gap` ms apart, in one go.
BURST_JS = """
async (select, [indices, gap]) => {
  for (const [k, index] of indices.entries()) {
    if (k) await new Promise(done => setTimeout(done, gap));
    select.selectedIndex = index;
    select.dispatchEvent(new Event('change', {bubbles: true}));
  }
}
"""


def burst_dropdown(control: Control, gap_ms: int = 25) -> tuple[int, int]:
    """Rapid changes of a dropdown (see `burst_choices`), `gap_ms` apart; (changes made, the last option's index)."""
    select = control.root.locator("select")
    current, options = select.evaluate("s => [s.selectedIndex, s.options.length]")
    if options < 2:
        raise AssertionError(f"{control} has {options} option(s): nothing to change")
    choices = burst_choices(int(current), int(options))
    select.evaluate(BURST_JS, [choices, gap_ms])
    return len(choices), choices[-1]
