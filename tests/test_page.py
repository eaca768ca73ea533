"""The report page: export order, language cells, table of contents, summary HTML, the browser view."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_notebook

from helpers import i18n, page, runner
from report_checks import check_page_in_browser, untranslated_text
from report_checks import notebook_cell as _cell

#: 60 columns of unbreakable numbers: far wider than the page's column.
WIDE_TABLE = "<table><tr>" + "".join(f"<td>{n:,}{n:,}</td>" for n in range(10**6, 10**6 + 60)) + "</tr></table>"


def _notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        _cell("md", "# 复盘", "lang-zh-CN"),
        _cell("md", "# Period review", "lang-en"),
        _cell("code", "setup", "report-appendix", html="<p>setup</p>"),
        _cell("md", '## <a id="kpi"></a>1. KPI 计分卡\n\n<details><summary>方法</summary>\n\n**方法.** 达成率\n\n'
                    "</details>", "lang-zh-CN"),
        _cell("md", '## <a id="kpi"></a>1. KPI scorecard\n\n<details><summary>Method</summary>\n\n**Method.** x\n\n'
                    "</details>", "lang-en"),
        _cell("code", "board", html=WIDE_TABLE),
        _cell("md", '## <a id="summary"></a>摘要', "lang-zh-CN", "report-summary"),
        _cell("md", '## <a id="summary"></a>Summary', "lang-en", "report-summary"),
        _cell("code", "summary", "report-summary", html='<section class="ops-summary">S</section>'),
        _cell("md", '## <a id="appendix"></a>附录', "lang-zh-CN", "report-appendix"),
        _cell("md", '## <a id="appendix"></a>Appendix', "lang-en", "report-appendix"),
    ]
    return nb


def test_report_cells_keep_one_language_summary_first_appendix_last() -> None:
    cells = page.report_cells(_notebook().cells, "en")
    sources = [c.source.splitlines()[0] for c in cells]
    assert sources == ["# Period review", '## <a id="summary"></a>Summary', "summary",
                       '## <a id="kpi"></a>1. KPI scorecard', "board", "setup", '## <a id="appendix"></a>Appendix']


def test_section_headings_read_anchor_and_title() -> None:
    cells = page.report_cells(_notebook().cells, "zh-CN")
    assert page.section_headings(cells) == [page.Heading("summary", "摘要"), page.Heading("kpi", "1. KPI 计分卡"),
                                            page.Heading("appendix", "附录")]


def test_status_labels_carry_a_shape_and_the_language() -> None:
    with i18n.use_language("zh-CN"):
        assert page.status_label("at risk") == "▲ 风险"
        assert page.status_label("healthy") == "● 健康"
    with i18n.use_language("en"):
        assert page.status_label("watch") == "◆ watch"
        assert page.status_class("at risk") == "bad"


def test_summary_html_escapes_data_text_and_links_sections() -> None:
    summary = page.Summary(title="复盘 <script>", verdict="上线 B", verdict_status="ship", verdict_href="#decision",
                           tiles=(page.Tile("曝光量", "1,586.6万", "healthy", ("达成率 104.0%",), "#kpi"),),
                           actions=(page.Line("提高<b>频次</b>", "#content"),))
    with i18n.use_language("zh-CN"):
        html = summary._repr_html_()
        text = repr(summary)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "&lt;b&gt;频次&lt;/b&gt;" in html
    assert 'href="#decision"' in html and 'href="#kpi"' in html
    assert '<span class="ops-badge">●</span> 上线 B' in html  # the verdict names the status: the badge is the shape
    assert text.splitlines() == ["复盘 <script>", "● 上线 B", "曝光量: 1,586.6万 ● 健康; 达成率 104.0%",
                                 "行动建议:", "1. 提高<b>频次</b>"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("page")
    nbformat.write(_notebook(), folder / "nb.ipynb")
    return {lang: runner.export_html(folder / "nb.ipynb", folder / f"report-{lang}.html", f"复盘 · {lang}", lang)
            for lang in i18n.LANGUAGES}


def test_export_sets_lang_title_toc_and_one_language(exported: dict[str, Path]) -> None:
    zh = exported["zh-CN"].read_text(encoding="utf-8")
    en = exported["en"].read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    assert "<title>复盘 · zh-CN</title>" in zh
    assert 'class="ops-toc"' in zh and '<a href="#kpi">1. KPI 计分卡</a>' in zh and ">目录<" in zh
    assert "KPI scorecard" not in zh and "计分卡" not in en
    assert zh.index("ops-summary") < zh.index("1. KPI 计分卡<a") < zh.index("<p>setup</p>")
    assert '<a href="glossary.html">本报告术语表</a>' in zh
    assert (exported["zh-CN"].parent / "glossary.html").exists()
    assert untranslated_text(en, "en") == []
    assert untranslated_text(zh, "zh-CN") == []


def test_untranslated_text_finds_english_prose_in_chinese_and_snake_case() -> None:
    page_html = "<p>达成率 92%</p><p>Posts published this month</p><td>own_douyin</td><code>summary_json</code>"
    assert untranslated_text(page_html, "zh-CN") == ["Posts published this month", "own_douyin"]
    assert untranslated_text("<p>青柠生活·抖音 reached 5%</p><p>达成率</p>", "en", {"青柠生活·抖音"}) == ["达成率"]


def test_report_page_fits_its_column_in_a_browser(exported: dict[str, Path], tmp_path: Path) -> None:
    seen = check_page_in_browser(exported["zh-CN"], tmp_path / "page.png")
    assert seen.overflowing == []  # the 60-column table scrolls in its own box
    assert seen.lang == "zh-CN" and seen.title == "复盘 · zh-CN"
    assert seen.summary_top < 900
    assert seen.screenshot.stat().st_size > 1000
