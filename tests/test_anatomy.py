"""The anatomy of docs/architecture.md holds for every analysis: same rooms, thin notebooks, one place per parameter.

These tests read the code and the notebooks; they run nothing. A failure names the notebook, the
cell and the rule, so the fix is obvious.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from helpers import config, runner

#: Each notebook and the helpers package that holds its logic (the one map, in helpers.config).
PACKAGE_OF = config.NOTEBOOK_PACKAGES
ANALYSES = tuple(sorted(set(PACKAGE_OF.values()) | {"ingest"}))
ROOMS = ("session", "findings", "charts")
MAX_CODE_LINES = 8
#: Parameters the runner sets itself; every other parameter goes to the package's session.prepare.
RUNNER_ONLY = {"output_dir"}
SRC = config.ROOT / "src" / "helpers"


def _code_cells(name: str) -> list[tuple[int, nbformat.NotebookNode]]:
    nb = nbformat.read(config.NOTEBOOKS / f"{name}.ipynb", as_version=4)
    return [(i, c) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]


def _code_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]


def _string_building(tree: ast.AST) -> list[str]:
    """What in a cell builds text: f-strings, str + str, '...' % x, .format(), .join()."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            found.append("an f-string")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)) and any(
                isinstance(side, ast.Constant) and isinstance(side.value, str) for side in (node.left, node.right)):
            found.append("string concatenation or % formatting")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in {"join", "format"}):
            found.append(f".{node.func.attr}()")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print" and any(
                isinstance(arg, ast.Constant) and isinstance(arg.value, str) and " " in arg.value for arg in node.args):
            found.append("a sentence printed from the cell")
    return found


@pytest.mark.parametrize("name", sorted(PACKAGE_OF))
def test_notebook_cells_hold_calls_not_logic(name: str) -> None:
    problems = []
    for index, cell in _code_cells(name):
        source = cell.source
        lines = _code_lines(source)
        if len(lines) > MAX_CODE_LINES:
            problems.append(f"cell {index}: {len(lines)} code lines (at most {MAX_CODE_LINES})")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                problems.append(f"cell {index}: defines a function or class (move it to helpers.{PACKAGE_OF[name]})")
        problems += [f"cell {index}: builds text with {what} (move it to findings)" for what in _string_building(tree)]
    assert not problems, f"{name}.ipynb:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(PACKAGE_OF))
def test_session_prepare_takes_every_parameter_keyword_only_without_defaults(name: str) -> None:
    session = importlib.import_module(f"helpers.{PACKAGE_OF[name]}.session")
    parameters = set(runner.notebook_parameters(config.NOTEBOOKS / f"{name}.ipynb")) - RUNNER_ONLY
    signature = inspect.signature(session.prepare)
    kinds = {p.name: p for p in signature.parameters.values()}
    assert set(kinds) == parameters, (f"only in the notebook: {sorted(parameters - set(kinds))}; "
                                      f"only in prepare: {sorted(set(kinds) - parameters)}")
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in kinds.values()), "prepare(*, ...) only"
    assert all(p.default is inspect.Parameter.empty for p in kinds.values()), "defaults live in the notebook only"


@pytest.mark.parametrize("package", sorted(set(PACKAGE_OF.values())))
def test_every_analysis_has_the_same_rooms(package: str) -> None:
    missing = [room for room in ROOMS if not (SRC / package / f"{room}.py").is_file()]
    assert not missing, f"helpers/{package} lacks {missing}"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("package", ANALYSES)
def test_no_analysis_imports_another(package: str) -> None:
    others = [p for p in ANALYSES if p != package]
    offending = sorted(
        f"{path.relative_to(SRC)} imports helpers.{other}"
        for path in (SRC / package).rglob("*.py")
        for other in others
        if any(m == f"helpers.{other}" or m.startswith(f"helpers.{other}.") for m in _imported_modules(path)))
    assert not offending, "\n".join(offending)


def test_the_shared_base_imports_no_analysis() -> None:
    base = [p for p in SRC.glob("*.py") if p.stem not in ("cli", "runner")]  # the command line sits on top
    offending = sorted(f"{p.name} imports {m}" for p in base for m in _imported_modules(p)
                       if any(m == f"helpers.{a}" or m.startswith(f"helpers.{a}.") for a in ANALYSES))
    assert not offending, "\n".join(offending)


def _notebook_of(params_file: Path) -> str:
    matches = [n for n in PACKAGE_OF if params_file.stem == n or params_file.stem.startswith(f"{n}_")]
    assert matches, f"{params_file.name}: name it <notebook>.yaml or <notebook>_<example>.yaml"
    return max(matches, key=len)


def _defaults(name: str) -> dict[str, Any]:
    return runner.default_values(config.NOTEBOOKS / f"{name}.ipynb")


@pytest.mark.parametrize("params_file", sorted(config.PARAMS.glob("*.yaml")), ids=lambda p: p.name)
def test_params_files_name_real_parameters_in_the_one_syntax(params_file: Path) -> None:
    name = _notebook_of(params_file)
    defaults = _defaults(name)
    values = yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}
    unknown = sorted(set(values) - set(defaults))
    assert not unknown, f"{params_file.name}: {unknown} are not parameters of {name}.ipynb"
    for key, value in values.items():
        default = defaults[key]
        if isinstance(default, (list, dict)):
            assert isinstance(value, type(default)) or (isinstance(value, str) and "," not in value), (
                f"{params_file.name}: {key} must be a YAML {type(default).__name__} like the notebook's default")
        if isinstance(value, str):
            assert not any(sep in value for sep in (",", ";", "=")), (
                f"{params_file.name}: {key}={value!r} uses an old text form; write a YAML list or map")
        if params_file.stem == name:
            assert value != default, f"{params_file.name}: {key} restates the notebook's default; drop it"


# ---------------------------------------------------------------- the report page (docs/architecture.md)

def _cells(name: str) -> list[nbformat.NotebookNode]:
    return list(nbformat.read(config.NOTEBOOKS / f"{name}.ipynb", as_version=4).cells)


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.metadata.get("tags", []))


@pytest.mark.parametrize("name", sorted(PACKAGE_OF))
def test_narrative_comes_in_both_languages_in_pairs(name: str) -> None:
    """Every markdown cell is a zh-CN cell followed by its en twin: same tags, same section anchors."""
    from helpers import page

    cells = _cells(name)
    problems = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        lang = page.cell_language(cell)
        if lang == "zh-CN":
            twin = cells[index + 1] if index + 1 < len(cells) else None
            if twin is None or twin.cell_type != "markdown" or page.cell_language(twin) != "en":
                problems.append(f"cell {index}: a zh-CN cell must be followed by its en cell (tag lang-en)")
                continue
            if sorted(t for t in _tags(cell) if t != "lang-zh-CN") != sorted(t for t in _tags(twin) if t != "lang-en"):
                problems.append(f"cells {index}/{index + 1}: the two languages carry different tags")
            if page.section_headings([cell]) and [h.anchor for h in page.section_headings([cell])] != [
                    h.anchor for h in page.section_headings([twin])]:
                problems.append(f"cells {index}/{index + 1}: the two languages name different section anchors")
        elif lang != "en":
            problems.append(f"cell {index}: markdown without a language tag (lang-zh-CN or lang-en)")
        elif index == 0 or page.cell_language(cells[index - 1]) != "zh-CN":
            problems.append(f"cell {index}: an en cell must follow its zh-CN twin")
    assert not problems, f"{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(PACKAGE_OF))
def test_report_has_summary_sections_notes_and_appendix(name: str) -> None:
    """A summary (moved first), anchored sections whose notes fold in <details>, an appendix (moved last)."""
    from helpers import page

    cells = _cells(name)
    summary = [c for c in cells if page.SUMMARY_TAG in _tags(c)]
    assert any(c.cell_type == "code" for c in summary), f"{name}: no code cell tagged {page.SUMMARY_TAG}"
    assert any(page.APPENDIX_TAG in _tags(c) for c in cells), f"{name}: no cell tagged {page.APPENDIX_TAG}"
    for lang in ("zh-CN", "en"):
        shown = page.report_cells(cells, lang)
        headings = page.section_headings(shown)
        assert len(headings) >= 3, f"{name} ({lang}): fewer than 3 anchored sections"
        notes = [c for c in shown if c.cell_type == "markdown" and "**" in c.source and "<details" not in c.source
                 and page.section_headings([c])]
        assert not notes, f"{name} ({lang}): section notes not folded in <details>: {notes[0].source[:60]!r}"


@pytest.mark.parametrize("name", sorted(PACKAGE_OF))
def test_every_notebook_has_the_lang_parameter(name: str) -> None:
    assert runner.default_values(config.NOTEBOOKS / f"{name}.ipynb").get("lang") == "", (
        f'{name}: the parameters cell needs lang = "" (empty = $OPSBOOK_LANG, else zh-CN)')
