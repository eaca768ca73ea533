"""helpers.runner pieces without a kernel: parameters, HTML export (escaping, no code, no widgets)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

from helpers import runner
from helpers.errors import ParameterError

TITLE = '<限定>礼盒开箱 & 测评 "真香"'


def executed_notebook(path: Path) -> Path:
    """A small 'executed' notebook: code, a DataFrame-like HTML table, a print and a widget view."""
    nb = nbformat.v4.new_notebook()
    table = nbformat.v4.new_code_cell("display(df)")
    table.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": f"<table><tr><td>{html.escape(TITLE)}</td></tr></table>", "text/plain": TITLE})]
    printed = nbformat.v4.new_code_cell("print(title)")
    printed.outputs = [nbformat.v4.new_output("stream", name="stdout", text=TITLE + "\n")]
    widget = nbformat.v4.new_code_cell("display(explorer)")
    widget.outputs = [nbformat.v4.new_output("display_data", data={
        runner.WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0}, "text/plain": "VBox(...)"})]
    nb.cells = [table, printed, widget]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, path)
    return path


def test_html_report_escapes_data_text_hides_code_and_widgets(tmp_path: Path) -> None:
    report = runner.export_html(executed_notebook(tmp_path / "nb.ipynb"), tmp_path / "r.html", "t")
    text = report.read_text(encoding="utf-8")
    assert "<限定>" not in text
    assert "&lt;限定&gt;礼盒开箱 &amp; 测评" in text
    assert "print(title)" not in text and "display(df)" not in text
    assert "VBox(...)" not in text and "widget-state" not in text
    assert not re.search(r"""(src|href)=["']https?://""", text)  # self-contained: nothing loaded from a CDN


def test_cli_values_are_typed_like_the_defaults() -> None:
    assert runner.parse_cli_value("3.5", "3.0") == 3.5
    assert runner.parse_cli_value("2026", '"latest"') == "2026"  # string default keeps text
    assert runner.parse_cli_value("none", '"data"') == "none"


def test_params_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="not found"):
        runner.read_params_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="mapping"):
        runner.read_params_file(bad)


def test_publish_replaces_the_old_run_only_when_the_new_one_is_complete(tmp_path: Path) -> None:
    final = tmp_path / "2026-10"
    final.mkdir()
    (final / "summary.json").write_text("old", encoding="utf-8")
    new = tmp_path / ".running-x"
    new.mkdir()
    (new / "summary.json").write_text("new", encoding="utf-8")
    runner._publish(new, final)
    assert (final / "summary.json").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]


def test_labels_cannot_leave_the_notebook_folder() -> None:
    assert runner.safe_label("2026-10") == "2026-10"
    assert runner.safe_label("../../etc") == "etc"
    assert runner.safe_label("2026 W43/x") == "2026_W43_x"


def test_a_crash_outside_a_cell_keeps_what_ran_and_the_previous_report(tmp_path: Path, monkeypatch) -> None:
    import papermill

    previous = tmp_path / "period_review" / "2026-10"
    previous.mkdir(parents=True)
    (previous / "summary.json").write_text("good", encoding="utf-8")

    def dead_kernel(*args, **kwargs):
        raise RuntimeError("Kernel died before replying to execute request")

    monkeypatch.setattr(runner, "check_kernel", lambda *a, **k: None)
    monkeypatch.setattr(papermill, "execute_notebook", dead_kernel)
    with pytest.raises(runner.RunFailed, match="RuntimeError: Kernel died"):
        runner.run_notebook("period_review", period="2026-10", out_root=tmp_path, progress=False)
    assert (previous / "summary.json").read_text(encoding="utf-8") == "good"
    assert len(list((tmp_path / "period_review" / "_failed").iterdir())) == 1
    assert not list((tmp_path / "period_review").glob(".running-*"))


def test_failing_cell_is_located_by_its_section(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Period review"), nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell('## <a id="ads"></a>7. Ads\n\n**Method.** ...'),
        nbformat.v4.new_code_cell("1 / 0")])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert runner.section_of_cell(path, 3) == "7. Ads"
    assert runner.section_of_cell(path, 1) == "Period review"


def test_cli_lists_and_maps_are_read_as_yaml_whatever_the_default() -> None:
    assert runner.parse_cli_value("[douyin, weibo]", '"own"') == ["douyin", "weibo"]
    assert runner.parse_cli_value("{daily: 0.6, series: 0.4}", "{}") == {"daily": 0.6, "series": 0.4}


def _notebook_with_parameters(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("out.write()")]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def test_summary_records_defaults_and_what_papermill_injected(tmp_path: Path) -> None:
    notebook = _notebook_with_parameters(
        tmp_path / "nb.ipynb",
        'period = "latest"\nmix = {"daily": 0.6, "series": 0.4}\nplatforms = "own"\ndata_dir = ""\noutput_dir = ""\n')
    executed = nbformat.read(notebook, as_version=4)
    executed.metadata["papermill"] = {"parameters": {"period": "2026-10", "platforms": ["douyin"],
                                                     "output_dir": "/tmp/x"}}
    nbformat.write(executed, tmp_path / "executed.ipynb")
    (tmp_path / "summary.json").write_text('{"label": "2026-10"}', encoding="utf-8")
    runner.record_parameters(tmp_path, notebook, tmp_path / "executed.ipynb")
    summary = runner.read_summary(tmp_path)
    assert summary["params"] == {"period": "2026-10", "mix": {"daily": 0.6, "series": 0.4},
                                 "platforms": ["douyin"], "data_dir": ""}
    assert summary["params_set"] == ["period", "platforms"]  # output_dir is the runner's own
    assert summary["label"] == "2026-10"
    assert summary["data_folder"].endswith("data/sample")


def test_a_default_that_is_not_a_literal_is_named(tmp_path: Path) -> None:
    notebook = _notebook_with_parameters(tmp_path / "nb.ipynb", 'start = "2026-01-01"\nend = start\n')
    with pytest.raises(ParameterError, match=r"default of parameter end \(start\) is not a literal"):
        runner.default_values(notebook)


def test_a_list_for_a_keyword_parameter_stays_a_list(tmp_path: Path) -> None:
    source = 'competitors = "auto"\nperiod = "latest"\noutput_dir = ""\n'
    notebook = _notebook_with_parameters(tmp_path / "nb.ipynb", source)
    merged = runner.merge_parameters(notebook, None, [("competitors", "[comp_a, comp_b]"), ("period", "2026")], {})
    assert merged == {"competitors": ["comp_a", "comp_b"], "period": "2026"}


def test_a_bad_language_fails_before_the_kernel_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from helpers.cli import main

    assert main(["run", "period_review", "--lang", "fr", "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "lang must be one of zh-CN, en; got 'fr'" in err
    assert not list((tmp_path / "period_review").glob(".running-*"))  # nothing left behind


def run_probe(tmp_path: Path, *sources: str) -> runner.RunResult:
    """Run a notebook of an output_dir parameters cell and the given code cells through the runner, in the suite's
    kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "opsbook", "display_name": "Python (opsbook)", "language": "python"}
    parameters = nbformat.v4.new_code_cell('output_dir = ""')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(source) for source in sources)]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return runner.run_notebook(str(path), out_root=tmp_path / "out", progress=False)


@pytest.mark.slow
def test_the_runners_kernel_is_told_it_runs_headless(tmp_path: Path) -> None:
    # explorers read OPSBOOK_HEADLESS to draw nothing until used; a person's kernel does not have it
    result = run_probe(tmp_path, "import os, pathlib\n"
                                 "flag = os.environ.get('OPSBOOK_HEADLESS', '-')\n"
                                 "pathlib.Path(output_dir, 'headless.txt').write_text(flag)")
    assert (result.output_dir / "headless.txt").read_text() == "1"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_warmed_exporter_writes_the_same_page_as_a_fresh_one(tmp_path: Path, lang: str) -> None:
    # the runner compiles the templates in a thread while the kernel works (warmed in the default language)
    source = executed_notebook(tmp_path / "nb.ipynb")
    nb = nbformat.read(source, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("## 1. Scorecard\n\nText *with* markdown."))
    nbformat.write(nb, source)
    warmed: list = []
    runner.warm_exporter(warmed)
    assert len(warmed) == 1
    (tmp_path / "fresh").mkdir()
    fresh = runner.export_html(source, tmp_path / "fresh" / "r.html", TITLE, lang)
    warm = runner.export_html(source, tmp_path / "r.html", TITLE, lang, exporter=warmed[0])
    assert warm.read_bytes() == fresh.read_bytes()
    assert f'<html lang="{lang}">' in warm.read_text(encoding="utf-8")
    assert "1. Scorecard" in warm.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_kernel_stopped_after_the_last_cell_leaves_every_output_and_file(tmp_path: Path) -> None:
    # the runner stops the kernel at once after the last cell (no graceful exit): what the cells printed and wrote
    # must all be there, however much, and an exit hook of the kernel does not run
    result = run_probe(tmp_path, "import atexit, pathlib\n"
                                 "atexit.register(lambda: pathlib.Path(output_dir, 'exit.txt').write_text('ran'))",
                       "pathlib.Path(output_dir, 'big.txt').write_text('x' * 5_000_000)\n"
                       "for i in range(3000):\n    print(f'line {i}')")
    assert (result.output_dir / "big.txt").stat().st_size == 5_000_000
    executed = nbformat.read(result.output_dir / "notebook.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert printed.splitlines() == [f"line {i}" for i in range(3000)]
    assert not (result.output_dir / "exit.txt").exists()
