"""helpers.report: summary.json is plain JSON (NaN → null), CSVs open in Excel with Chinese intact."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.report import RunOutputs, read_summary, to_jsonable


def test_to_jsonable_converts_numpy_pandas_and_missing() -> None:
    value = {"a": np.int64(3), "b": np.float64("nan"), "c": pd.Timestamp("2026-10-01"), "d": [np.bool_(True)],
             "e": pd.DataFrame({"x": [1.5, None]})}
    assert to_jsonable(value) == {"a": 3, "b": None, "c": "2026-10-01T00:00:00", "d": [True],
                                  "e": [{"x": 1.5}, {"x": None}]}


def test_run_outputs_write_all_artefacts(tmp_path: Path) -> None:
    out = RunOutputs("period_review", tmp_path)
    out.add("label", "2026-10")
    out.table("posts", pd.DataFrame({"title": ["新品开箱"], "er": [0.05]}))
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    out.figure("trend", fig)
    out.write()
    raw = (tmp_path / "tables" / "posts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel detects the encoding
    assert "新品开箱" in raw.decode("utf-8-sig")
    assert (tmp_path / "figures" / "trend.png").stat().st_size > 0
    summary = read_summary(tmp_path)
    assert summary["label"] == "2026-10"
    assert summary["tables"] == ["tables/posts.csv"] and summary["figures"] == ["figures/trend.png"]
    # strict JSON: no NaN tokens
    json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"), parse_constant=lambda c: 1 / 0)


def test_artefact_names_cannot_escape_the_folder(tmp_path: Path) -> None:
    out = RunOutputs("x", tmp_path)
    try:
        out.table("../evil", pd.DataFrame())
    except ValueError as exc:
        assert "evil" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("unsafe name accepted")


def test_styled_escapes_text_and_shows_rates_as_percent() -> None:
    from helpers.report import format_number, styled

    frame = pd.DataFrame({"title": ["<限定>开箱 & 测评"], "engagement_rate": [0.0532], "impressions": [1234567.0]})
    html = styled(frame).to_html()
    assert "&lt;限定&gt;开箱 &amp; 测评" in html and "<限定>" not in html
    assert "5.32%" in html and "1,234,567" in html
    assert format_number(float("nan")) == "–"
    # 3 significant digits below 1,000; a typographic minus
    assert format_number(0.0123456) == "0.0123" and format_number(-2500.4) == "−2,500"


def test_styled_keeps_bases_as_numbers() -> None:
    from helpers.report import styled

    frame = pd.DataFrame({"er_base_value": [44354.0], "er_mean_of_rates": [0.05]})
    html = styled(frame).to_html()
    assert "44,354" in html and "5.00%" in html and "4435400" not in html


def test_styled_shows_days_without_a_midnight_time_and_times_to_the_minute() -> None:
    from helpers.report import styled

    frame = pd.DataFrame({"date": pd.to_datetime(["2026-10-22", None]),
                          "published_at": pd.to_datetime(["2026-10-22 20:15:31", "2026-10-23 00:00:00"])})
    html = styled(frame).to_html()
    assert ">2026-10-22<" in html and "00:00:00" not in html and ">–<" in html   # a missing day shows as "–"
    assert ">2026-10-22 20:15<" in html and ">2026-10-23 00:00<" in html        # a column with times keeps them


def test_run_outputs_file_writes_extra_artefacts(tmp_path: Path) -> None:
    out = RunOutputs("content_planning", tmp_path)
    csv = "date,topic\n2026-12-01,成分科普\n".encode("utf-8-sig")
    path = out.file("calendar.csv", csv)
    out.file("calendar.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    out.file("calendar.csv", csv)  # written again: listed once
    out.write()
    assert path == tmp_path / "calendar.csv" and path.read_bytes() == csv
    assert (tmp_path / "calendar.ics").read_bytes() == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert read_summary(tmp_path)["files"] == ["calendar.csv", "calendar.ics"]
    try:
        out.file("../evil.ics", b"")
    except ValueError as exc:
        assert "evil" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("unsafe name accepted")


def test_run_outputs_update_and_tables_from(tmp_path: Path) -> None:
    out = RunOutputs("nb", tmp_path)
    out.update({"label": "2026-10", "alerts": 3})
    out.tables_from({"a": pd.DataFrame({"x": [1]}), "skipped": None, "b": pd.DataFrame({"y": ["抖音"]})})
    assert out.summary == {"notebook": "nb", "label": "2026-10", "alerts": 3}
    assert out.tables == ["a", "b"]
    assert (tmp_path / "tables" / "b.csv").read_bytes() == "\ufeffy\n抖音\n".encode()
    assert not (tmp_path / "tables" / "skipped.csv").exists()


def test_run_outputs_figures_from_saves_pngs_closes_figures_and_returns_images(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = RunOutputs("nb", tmp_path)
    figures = {"one": plt.figure(), "two": plt.figure()}
    images = out.figures_from(figures)
    assert out.figures == ["one", "two"] and len(images) == 2
    assert (tmp_path / "figures" / "two.png").stat().st_size > 0
    assert not any(plt.fignum_exists(f.number) for f in figures.values())


def test_run_outputs_update_keeps_the_order_and_writes_frames_as_records(tmp_path: Path) -> None:
    out = RunOutputs("nb", tmp_path)
    out.update({"label": "2026-10", "alerts": pd.DataFrame({"kpi": ["impressions"]})})
    summary = json.loads(out.write().read_text(encoding="utf-8"))
    assert list(summary)[:3] == ["notebook", "label", "alerts"]
    assert summary["alerts"] == [{"kpi": "impressions"}]


# a 100,000-character Chinese title with markup in it: what one bad export row can carry
LONG_TITLE = "<script>alert('x')</script>" + "青柠礼盒开箱测评" * 12_497  # 27 + 8 × 12,497 = 100,003 characters


def _cells(html_text: str, column_class: str = "col0") -> list[str]:
    """The inner HTML of the body cells of one column of a Styler's table."""
    import re

    return re.findall(rf'<td id="T_\w+_row\d+_{column_class}" class="data row\d+ {column_class}" >(.*?)</td>',
                      html_text, flags=re.S)


def _shown_text(cell: str) -> str:
    """What a reader sees in a cell: its text without tags, entities read back."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", cell))


def test_a_long_title_is_cut_in_the_report_table_and_whole_in_the_csv(tmp_path: Path) -> None:
    import html
    import re

    from helpers.report import CELL_CHARS, HOVER_CHARS, styled

    assert len(LONG_TITLE) == 100_003
    frame = pd.DataFrame({"title": [LONG_TITLE, "短标题"], "engagements": [10, 20]})
    page = styled(frame).to_html()
    long_cell, short_cell = _cells(page)
    shown = _shown_text(long_cell)
    # 80 characters shown (79 of the title and "…"), counted in characters: 27 of markup, then 52 Chinese ones
    assert len(shown) == CELL_CHARS == 80
    assert shown == LONG_TITLE[:79] + "…" and shown[27:79] == "青柠礼盒开箱测评" * 6 + "青柠礼盒"
    assert _shown_text(short_cell) == "短标题"
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in long_cell
    [hover] = re.findall(r'title="([^"]*)"', long_cell)
    assert html.unescape(hover) == LONG_TITLE[:HOVER_CHARS - 1] + "…"  # the hover text reads on, to 2,000
    assert len(page) < 20_000  # the page does not carry the 100,000 characters
    out = RunOutputs("period_review", tmp_path)
    out.table("top_posts", frame)
    csv = pd.read_csv(tmp_path / "tables" / "top_posts.csv", encoding="utf-8-sig")
    assert csv.loc[0, "title"] == LONG_TITLE and len(csv.loc[0, "title"]) == 100_003


def test_sentences_the_suite_writes_stay_whole_and_only_runaway_text_is_cut() -> None:
    from helpers.report import SENTENCE_CHARS, cell_text, data_text_columns, styled

    action = "把预算从「大范围曝光」移到「小红书种草」：ROAS 1.8 低于止损线 3.0，连续两周" * 3  # 132 characters
    frame = pd.DataFrame({"action": [action, "x" * 1000], "post_title": ["a" * 81, "b" * 80]})
    page = styled(frame).to_html()
    actions, titles = _cells(page, "col0"), _cells(page, "col1")
    assert _shown_text(actions[0]) == action  # a finding or an action is never cut at 80
    assert _shown_text(actions[1]) == "x" * (SENTENCE_CHARS - 1) + "…"
    assert _shown_text(titles[0]) == "a" * 79 + "…" and _shown_text(titles[1]) == "b" * 80  # 80 fits, 81 does not
    assert data_text_columns(["title", "top_comments", "topic", "account_name", "action", "reason", "posts"]) == [
        "title", "top_comments", "topic", "account_name"]
    assert cell_text('a "quoted" <b>', limit=3) == '<span title="a &quot;quoted&quot; &lt;b&gt;">a …</span>'
