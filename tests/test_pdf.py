"""PDF printing (helpers.pdf): a real report page and the pack index printed by headless Chromium, read
back with pypdf; the browser's failures with a stand-in browser script.

The real-browser tests skip without Chromium/Chrome (apt-get install chromium, or OPSBOOK_CHROMIUM);
the check that the Chinese text's font is embedded skips without a CJK font (fc-list :lang=zh).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import nbformat
import pypdf
import pytest
from nbformat.v4 import new_notebook

from helpers import i18n, pack, page, pdf, runner
from helpers.errors import OpsbookError, ParameterError
from report_checks import notebook_cell as _cell

TITLE = "周期复盘测试"
REPORT_TITLE = "月度复盘 · 青柠生活 · 2026年10月"
VERDICT = "两项指标都达标，无需额外行动"
SECTIONS = (("fans", "1. 粉丝增长"), ("content", "2. 内容表现"))
SECTION_TEXT = ("这一节回答粉丝涨了多少", "这一节回答哪类内容最好")
NOTE_TEXT = "方法说明的正文只在展开后可见"
#: An output's own folded detail (as a calendar slot's reasons): printed as the output says, closed.
OUTPUT_DETAIL = "输出里折叠的细节"
TABLE_ROW = ("青柠生活·抖音", "12,345")
#: Enough findings that the summary does not fit under the title on page 1: it flows on rather than moving.
FINDINGS = tuple(f"第{n}条发现：青柠生活·抖音的曝光量比上期高出{n}%" for n in range(1, 31))
CJK = re.compile(r"[\u2e80-\u2fdf\u3400-\u9fff]")  # radicals too: a bundled font's text layer may use them
#: A4 in PDF points: 210 mm × 297 mm at 72 points per inch (25.4 mm).
A4 = (210 / 25.4 * 72, 297 / 25.4 * 72)


# ---------------------------------------------------------------- helpers


def _browser() -> Path:
    """The real browser, or skip."""
    browser = pdf.find_browser()
    if browser is None:
        pytest.skip("no Chromium/Chrome found (apt-get install chromium, or set OPSBOOK_CHROMIUM): "
                    "the PDF print checks are skipped")
    return browser


def _major_version(browser: Path) -> int:
    """The browser's major version (0 when it does not say)."""
    out = subprocess.run([str(browser), "--version"], capture_output=True, text=True, timeout=60).stdout
    found = re.search(r"(\d+)\.\d+\.\d+", out)
    return int(found.group(1)) if found else 0


def _summary_html() -> str:
    summary = page.Summary(title=REPORT_TITLE, subtitle="青柠生活 · 抖音", verdict=VERDICT, verdict_status="healthy",
                           tiles=(page.Tile("净增粉丝", "16,401", "healthy", ("达成率 105%",)),
                                  page.Tile("曝光量", "1,586.6万", "at risk", ("达成率 80%",))),
                           findings=tuple(page.Line(text, "#fans") for text in FINDINGS))
    with i18n.use_language("zh-CN"):
        return page.render_summary(summary)


def _table(row: tuple[str, str]) -> str:
    return (f"<table><thead><tr><th>账号</th><th>曝光量</th></tr></thead>"
            f"<tbody><tr><td>{row[0]}</td><td>{row[1]}</td></tr></tbody></table>")


def _report(folder: Path) -> Path:
    """A report page made the real way: a notebook with a title, a summary and two short sections, exported."""
    nb = new_notebook()
    (anchor1, head1), (anchor2, head2) = SECTIONS
    nb.cells = [
        _cell("md", f"# {TITLE}\n\n本报告用于检查打印。", "lang-zh-CN"),
        _cell("md", f'## <a id="{anchor1}"></a>{head1}\n\n{SECTION_TEXT[0]}。\n\n'
                    f"<details><summary>方法、怎么读</summary>\n\n{NOTE_TEXT}。\n\n</details>", "lang-zh-CN"),
        _cell("code", "board", html=_table(TABLE_ROW) + f"<details><summary>原因</summary>{OUTPUT_DETAIL}</details>"),
        _cell("md", f'## <a id="{anchor2}"></a>{head2}\n\n{SECTION_TEXT[1]}。', "lang-zh-CN"),
        _cell("code", "posts", html=_table(("青柠生活·小红书", "6,789"))),
        _cell("code", "summary", "report-summary", html=_summary_html()),
    ]
    nbformat.write(nb, folder / "notebook.ipynb")
    return runner.export_html(folder / "notebook.ipynb", folder / "report.html", REPORT_TITLE, "zh-CN")


def _page_texts(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(path).pages]


def _page_of(texts: list[str], needle: str) -> int:
    """The first page (0-based) whose text holds `needle`."""
    hits = [n for n, text in enumerate(texts) if needle in text]
    assert hits, f"{needle!r} is not in the PDF's text: {texts!r}"
    return hits[0]


FONT_FILES = {"/FontFile", "/FontFile2", "/FontFile3"}


def _is_type3(font: Any) -> bool:
    return bool(font.get_object().get("/Subtype") == "/Type3")


def _descriptor_keys(font: Any) -> set[str]:
    """The keys of a font's descriptor (a composite font's: its descendant's), where an embedded file shows."""
    font = font.get_object()
    descendants = font.get("/DescendantFonts")
    described = descendants[0].get_object() if descendants else font
    descriptor = described.get("/FontDescriptor")
    return {str(k) for k in descriptor.get_object()} if descriptor is not None else set()


def _cjk_fonts(path: Path) -> list[Any]:
    """The font dictionaries the PDF draws its Chinese text with."""
    fonts: list[Any] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if font is not None and CJK.search(text):
            fonts.append(font)

    for p in pypdf.PdfReader(path).pages:
        p.extract_text(visitor_text=visit)
    return fonts


def _fake_browser(folder: Path, body: str) -> Path:
    """A stand-in browser: a shell script that records its arguments and runs `body`."""
    script = folder / "fake-chrome"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/args.txt"\n{body}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


#: A stand-in browser that writes a minimal PDF to the --print-to-pdf path.
WRITES_PDF = ("for a in \"$@\"; do case \"$a\" in --print-to-pdf=*) "
              "printf '%%PDF-1.4 fake\\n' > \"${a#--print-to-pdf=}\";; esac; done")


def _html(folder: Path, name: str = "report.html") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text("<!DOCTYPE html><html><body><p>x</p></body></html>", encoding="utf-8")
    return target


# ---------------------------------------------------------------- a real report, printed


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report page, exported and printed once for the checks below (with HOME pointing at no folder)."""
    browser = _browser()
    folder = tmp_path_factory.mktemp("printed")
    report = _report(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home") / "missing"))  # the browser has its own profile
        written = pdf.print_pdf(report, folder / "report.pdf", browser=browser)
    assert written == folder / "report.pdf"
    return written


def _needs_chinese_text_layer() -> None:
    """Skip a check of the PDF's Chinese text where the system has no CJK font.

    The page then draws with the CJK font shipped with the dependencies (embedded, so it reads
    right), but its text layer maps some characters to their radicals (⽉ for 月), so exact Chinese
    text cannot be matched; `test_chinese_text_is_drawn_with_an_embedded_font` still runs.
    """
    if not pdf.system_has_cjk_font():
        pytest.skip("no system CJK font (fc-list :lang=zh is empty; apt-get install fonts-wqy-microhei): the PDF "
                    "draws the bundled font, whose text layer maps some characters to radicals")


def test_report_prints_with_its_chinese_text_each_section_on_a_new_page(printed: Path) -> None:
    _needs_chinese_text_layer()
    texts = _page_texts(printed)
    whole = "\n".join(texts)
    for text in (TITLE, REPORT_TITLE, VERDICT, *SECTION_TEXT, *TABLE_ROW):
        assert text in whole
    # the summary starts under the title on the first page (flowing on to the next);
    # each section starts a new page (two short sections would share one without the page breaks)
    assert _page_of(texts, TITLE) == 0 and _page_of(texts, VERDICT) == 0
    summary_ends = _page_of(texts, FINDINGS[-1])
    heads = [head for _, head in SECTIONS]
    pages = [_page_of(texts, head) for head in heads]
    assert pages == [summary_ends + 1, summary_ends + 2], (summary_ends, pages)
    for head, number in zip(heads, pages, strict=True):
        assert texts[number].lstrip().startswith(head), texts[number][:80]
    # no header or footer with the file's path or URL
    assert "file://" not in whole and str(printed.parent) not in whole
    # A4, every page
    for sheet in pypdf.PdfReader(printed).pages:
        assert float(sheet.mediabox.width) == pytest.approx(A4[0], abs=1)
        assert float(sheet.mediabox.height) == pytest.approx(A4[1], abs=1)
    assert sorted(p.name for p in printed.parent.iterdir()) == ["glossary.html", "notebook.ipynb", "report.html",
                                                                 "report.pdf"]


def test_method_notes_print_open(printed: Path) -> None:
    _needs_chinese_text_layer()
    if _major_version(_browser()) < 131:
        pytest.skip("Chromium before 131 has no ::details-content: the Method notes print closed")
    texts = _page_texts(printed)
    assert _page_of(texts, NOTE_TEXT) == _page_of(texts, SECTIONS[0][1])
    assert OUTPUT_DETAIL not in "".join(texts)


def test_chinese_text_is_drawn_with_an_embedded_font(printed: Path) -> None:
    # with a system CJK font or, without one, the bundled font the printed page declares
    fonts = _cjk_fonts(printed)
    assert fonts, "no Chinese text found in the PDF's content streams"
    # every font drawing Chinese carries its glyphs (bold Chinese without a bold face comes as Type 3 drawings),
    # and the text itself is in an embedded TrueType/CFF font
    assert all(_is_type3(font) or _descriptor_keys(font) & FONT_FILES for font in fonts)
    if pdf.system_has_cjk_font():  # the bundled OpenType/CFF font is drawn as Type 3 glyphs: carried, not a file
        assert any(_descriptor_keys(font) & FONT_FILES for font in fonts)


def test_pack_index_prints(tmp_path: Path) -> None:
    _needs_chinese_text_layer()
    browser = _browser()
    run_title = "月度复盘 · 青柠生活·抖音 · 2026年10月"
    run = {"notebook": "period_review", "account": "own_douyin", "window": "2026-10",
           "parameters": {"account": "own_douyin", "period_type": "month", "period": "2026-10"},
           "status": "ok", "title": run_title, "label": "2026-10", "verdict": VERDICT, "verdict_status": "healthy",
           "report": "../../period_review/own_douyin_2026-10/report.html", "message": ""}
    account = {"account": "own_douyin", "name": "青柠生活·抖音", "status": "healthy", "verdict": VERDICT, "kpis": [],
               "alerts": 0, "data_end": "2026-10-31", "fresh": True, "freshness_note": "", "runs": [0]}
    record = {"period": "2026-10", "kind": "month", "start": "2026-10-01", "end": "2026-10-31", "lang": "zh-CN",
              "title": "运营报告包 · 2026年10月", "written_at": "2026-11-02T06:03:11", "failed": 0, "stale": 0,
              "accounts": [account], "shared_runs": [], "runs": [run]}
    with i18n.use_language("zh-CN"):
        html = pack.render_index(record)
    index = tmp_path / "index.html"
    index.write_text(html, encoding="utf-8")
    [result] = pdf.print_reports([index], browser=browser)
    assert result.ok and result.pdf == tmp_path / "index.pdf", result.error
    text = "\n".join(_page_texts(tmp_path / "index.pdf"))
    assert "运营报告包 · 2026年10月" in text and "青柠生活·抖音" in text and run_title in text


# ---------------------------------------------------------------- finding the browser


def test_find_browser_prefers_opsbook_chromium_then_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = _fake_browser(tmp_path, "exit 0")
    on_path = tmp_path / "bin"
    on_path.mkdir()
    chrome = _fake_browser(on_path, "exit 0").rename(on_path / "google-chrome")
    monkeypatch.setenv("PATH", str(on_path))
    monkeypatch.setenv(pdf.BROWSER_ENV, str(configured))
    assert pdf.find_browser() == configured
    monkeypatch.delenv(pdf.BROWSER_ENV)
    assert pdf.find_browser() == chrome


def test_require_browser_names_a_missing_browser_and_how_to_get_one(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no-such-chrome"
    monkeypatch.setenv(pdf.BROWSER_ENV, str(missing))
    with pytest.raises(ParameterError, match="apt-get install chromium") as caught:
        pdf.require_browser()
    assert str(missing) in str(caught.value) and "OPSBOOK_CHROMIUM=/path/to/chrome" in str(caught.value)
    monkeypatch.delenv(pdf.BROWSER_ENV)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH either
    with pytest.raises(ParameterError, match="apt-get install chromium"):
        pdf.require_browser()


# ---------------------------------------------------------------- the browser failing


def test_a_failing_browser_raises_with_its_message_and_leaves_the_folder_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = _fake_browser(tmp_path, 'echo "the renderer crashed: out of memory" >&2\nexit 1')
    monkeypatch.setenv(pdf.BROWSER_ENV, str(browser))
    folder = tmp_path / "run"
    html = _html(folder)
    (folder / "report.pdf").write_bytes(b"%PDF- the previous one")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(pdf.PrintError, match="the renderer crashed: out of memory") as caught:
        pdf.print_pdf(html, folder / "report.pdf")
    assert isinstance(caught.value, OpsbookError) and "exit code 1" in str(caught.value)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_browser_that_writes_nothing_is_a_failure(tmp_path: Path) -> None:
    html = _html(tmp_path / "run")
    with pytest.raises(pdf.PrintError, match="without writing a PDF"):
        pdf.print_pdf(html, tmp_path / "run" / "report.pdf", browser=_fake_browser(tmp_path, "exit 0"))
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["report.html"]


def test_a_browser_that_hangs_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    html = _html(tmp_path / "run")
    browser = _fake_browser(tmp_path, "echo started >&2\nsleep 60")
    start = time.monotonic()
    with pytest.raises(pdf.PrintError, match="did not finish within 1 s") as caught:
        pdf.print_pdf(html, tmp_path / "run" / "report.pdf", browser=browser, timeout=1)
    assert time.monotonic() - start < 30  # stopped, not waited for (the script sleeps 60 s)
    assert "started" in str(caught.value)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["report.html"]


def test_the_browser_gets_the_page_a_temporary_profile_and_the_sandbox_flag_only_as_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "system_has_cjk_font", lambda: True)  # the page itself, not a copy with the font
    html = _html(tmp_path / "我的 报告")
    written = pdf.print_pdf(html, html.with_suffix(".pdf"), browser=_fake_browser(tmp_path, WRITES_PDF))
    assert written.read_bytes().startswith(b"%PDF-1.4 fake")
    args = (tmp_path / "args.txt").read_text(encoding="utf-8").splitlines()
    assert args[-1] == html.resolve().as_uri() and args[-1].startswith("file:///")
    assert ("--no-sandbox" in args) == (os.geteuid() == 0)
    assert "--headless" in args and "--no-pdf-header-footer" in args
    [profile] = [a.split("=", 1)[1] for a in args if a.startswith("--user-data-dir=")]
    assert not Path(profile).exists()  # removed afterwards
    [target] = [a.split("=", 1)[1] for a in args if a.startswith("--print-to-pdf=")]
    assert Path(target).parent == html.parent and Path(target) != written  # a temporary name, then replaced
    assert sorted(p.name for p in html.parent.iterdir()) == ["report.html", "report.pdf"]


def test_print_reports_records_a_failed_page_and_prints_the_rest(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "system_has_cjk_font", lambda: True)
    fails_on_bad = 'case "$*" in */bad/report.html*) echo "cannot print this one" >&2; exit 3;; esac\n' + WRITES_PDF
    browser = _fake_browser(tmp_path, fails_on_bad)
    pages = [_html(tmp_path / "a"), _html(tmp_path / "bad"), _html(tmp_path / "pack", "index.html")]
    results = pdf.print_reports(pages, browser=browser)
    assert [r.html for r in results] == pages
    assert [r.ok for r in results] == [True, False, True]
    assert results[0].pdf == tmp_path / "a" / "report.pdf" and results[2].pdf == tmp_path / "pack" / "index.pdf"
    assert "cannot print this one" in results[1].error and "exit code 3" in results[1].error
    assert not (tmp_path / "bad" / "report.pdf").exists()


def test_without_a_system_cjk_font_the_page_printed_declares_the_bundled_one(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers.charts import bundled_font_path

    font = bundled_font_path()
    assert font is not None  # mplfonts is a dependency
    html = tmp_path / "run" / "report.html"
    html.parent.mkdir()
    html.write_text('<!DOCTYPE html><html lang="zh-CN"><head><title>复盘</title></head><body>青柠</body></html>',
                    encoding="utf-8")
    monkeypatch.setattr(pdf, "system_has_cjk_font", lambda: True)
    assert pdf._with_cjk_font(html, tmp_path / "copy.html") == html and not (tmp_path / "copy.html").exists()
    monkeypatch.setattr(pdf, "system_has_cjk_font", lambda: False)
    copy = pdf._with_cjk_font(html, html.with_name(".copy.html"))
    original, printed = html.read_text(encoding="utf-8"), copy.read_text(encoding="utf-8")
    face = (f'<style>@font-face {{ font-family: "Noto Sans CJK SC"; src: url("{font.as_uri()}"); '
            'unicode-range: U+2E80-2FFF, U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+F900-FAFF, U+FF00-FFEF; }</style>')
    assert copy.parent == html.parent  # beside the page: its relative links still resolve
    assert printed == original.replace("<head>", "<head>" + face, 1)
