"""helpers.runner pieces without a kernel: parameters, HTML export (escaping, no code, no widgets)."""

from __future__ import annotations

import html
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
