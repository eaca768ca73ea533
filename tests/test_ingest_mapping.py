"""Export detection and grid → canonical rows, with small export kinds defined here."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from helpers.ingest import types
from helpers.ingest.mapping import Detection, detect, map_grid, normalise_header
from helpers.ingest.types import ExportKind, Grid, ImportContext, ImportFileError, Mapped

POSTS = ExportKind(
    name="test_posts",
    title="Test posts",
    platforms=("x",),
    table="posts",
    columns={
        "post_id": ("Post id", "Tweet id"),
        "published_at": ("Time", "Published"),
        "impressions": ("Impressions", "Views"),
        "engagement_rate": ("Engagement rate (%)",),
        "text": ("Post text",),
    },
    required=("post_id", "published_at", "impressions"),
    parse={"published_at": "datetime", "impressions": "count", "engagement_rate": "percent"},
    constants={"platform": "x"},
)
DAILY = ExportKind(
    name="test_daily",
    title="Test daily overview",
    platforms=("x",),
    table="account_daily",
    columns={"date": ("Date",), "impressions": ("Impressions",), "followers": ("Followers",)},
    required=("date", "impressions"),
    parse={"date": "date", "impressions": "count", "followers": "count"},
)
REACH = ExportKind(
    name="test_reach",
    title="Test page reach",
    platforms=("facebook",),
    table="account_daily",
    columns={"date": ("Date",), "reach": ("Primary",)},
    required=("date", "reach"),
    parse={"date": "date", "reach": "count"},
    title_line=r"page reach",
)
KINDS = (POSTS, DAILY, REACH)
CONTEXT = ImportContext(account_id="acc1", platform="x", timezone="Asia/Shanghai", reference=dt.date(2026, 1, 10))


def grid(*rows: tuple[str, ...], lines: tuple[int, ...] | None = None, delimiter: str | None = ",",
         sheet: str | None = None, ends_with_newline: bool = True) -> Grid:
    """A Grid of these rows (lines 1.. unless given)."""
    return Grid(path=Path("export.csv"), rows=tuple(rows), line_numbers=lines or tuple(range(1, len(rows) + 1)),
                encoding="utf-8", delimiter=delimiter, sheet=sheet, ends_with_newline=ends_with_newline)


POSTS_GRID = grid(
    ("Tweet id", "Post text", "Time", "Impressions", "Engagement rate (%)"),
    ("101", "hello", "2025-11-01 20:15", "12,400", "5.2"),
    ("102", "world", "2025-11-02 08:00", "1.2万", "-"),
)


# --- normalise_header --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Impressions click-through rate (%)", "impressionsclickthroughrate%"),
        ("Duration (sec)", "durationsec"),
        (" 播放量 ", "播放量"),
        ("\ufeff\"Date\"", "date"),
        ("完播率（％）", "完播率%"),
        ("ＶＩＥＷＳ", "views"),
        ("Post  ID", "postid"),
    ],
)
def test_normalise_header(text: str, expected: str) -> None:
    assert normalise_header(text) == expected


# --- detect ------------------------------------------------------------------------------------

def test_detect_among_kinds() -> None:
    found = detect(POSTS_GRID, KINDS)
    assert found.kind is POSTS and found.header_index == 0
    assert found.sources == {"post_id": 0, "published_at": 2, "impressions": 3, "engagement_rate": 4, "text": 1}
    assert found.score == 1.0
    assert repr(found) == "Detection(test_posts at line 1, 5/5 columns)"
    daily = detect(grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10")), KINDS)
    assert daily.kind is DAILY


def test_higher_score_wins() -> None:
    small = ExportKind(name="test_small", title="Small", platforms=("x",), table="account_daily",
                       columns={"date": ("Date",), "impressions": ("Impressions",)}, required=("date", "impressions"))
    found = detect(grid(("Date", "Impressions"), ("2025-11-01", "3")), [DAILY, small])
    assert found.kind is small and found.score == 1.0
    found = detect(grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "4")), [small, DAILY])
    assert found.kind is DAILY


def test_first_matching_header_wins() -> None:
    found = detect(grid(("Tweet id", "Views", "Time", "Impressions")), [POSTS])
    assert found.sources["impressions"] == 1


def test_header_on_row_three_after_title_lines() -> None:
    g = grid(("Post analytics for @acme",), ("Exported 2025-11-03", ""), *POSTS_GRID.rows, lines=(1, 2, 4, 5, 6))
    found = detect(g, KINDS)
    assert found.kind is POSTS and found.header_index == 2 and found.header_line == 4
    assert repr(found) == "Detection(test_posts at line 4, 5/5 columns)"


def test_title_line_requirement() -> None:
    without = grid(("Date", "Primary"), ("2025-11-01", "12"))
    with pytest.raises(ImportFileError, match="title line"):
        detect(without, KINDS)
    titled = grid(("Facebook Page reach",), ("Date", "Primary"), ("2025-11-01", "12"))
    found = detect(titled, KINDS)
    assert found.kind is REACH and found.header_index == 1


def test_ambiguous_tie_names_both_kinds() -> None:
    twin = ExportKind(name="test_twin", title="Twin daily", platforms=("y",), table="account_daily",
                      columns=dict(DAILY.columns), required=DAILY.required, parse=dict(DAILY.parse))
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"))
    with pytest.raises(ImportFileError) as info:
        detect(g, [DAILY, twin])
    message = str(info.value)
    assert "test_daily" in message and "test_twin" in message and "--kind" in message
    assert detect(g, [DAILY, twin], forced="test_twin").kind is twin


def test_forced_kind() -> None:
    assert detect(POSTS_GRID, KINDS, forced="test_posts").kind is POSTS
    with pytest.raises(ImportFileError, match=r"unknown export kind 'nope'.*test_daily, test_posts, test_reach"):
        detect(POSTS_GRID, KINDS, forced="nope")
    with pytest.raises(ImportFileError) as info:
        detect(POSTS_GRID, KINDS, forced="test_daily")
    message = str(info.value)
    assert "export.csv" in message and "Test daily overview (test_daily)" in message and '"Date"' in message


def test_unknown_export_message_names_closest_kind_and_missing_headers() -> None:
    g = grid(("Tweet id", "Foo", "Bar"), ("1", "2", "3"))
    with pytest.raises(ImportFileError) as info:
        detect(g, KINDS)
    message = str(info.value)
    assert message.startswith("export.csv: not a known export.")
    assert 'Its first row has columns: "Tweet id", "Foo", "Bar".' in message
    assert "The closest known export is Test posts (test_posts)" in message
    assert '"Time" (or "Published")' in message and '"Impressions" (or "Views")' in message
    assert '"Post id"' not in message                       # the id is there as "Tweet id"
    assert "--kind NAME" in message and "--mapping FILE.yaml" in message


def test_only_first_fifteen_rows_are_header_candidates() -> None:
    rows = [(f"note {i}",) for i in range(15)] + [("Date", "Impressions"), ("2025-11-01", "3")]
    with pytest.raises(ImportFileError, match="not a known export"):
        detect(grid(*rows), KINDS)
    assert detect(grid(*rows[1:]), KINDS).header_index == 14


def test_detect_defaults_to_registered_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    unique = ExportKind(name="test_unique", title="Unique", platforms=("x",), table="posts",
                        columns={"post_id": ("Zq post key",), "impressions": ("Zq shows",)},
                        required=("post_id", "impressions"))
    monkeypatch.setitem(types.KINDS, unique.name, unique)
    assert detect(grid(("Zq post key", "Zq shows"), ("1", "2"))).kind is unique


# --- map_grid ----------------------------------------------------------------------------------

def test_map_grid_parses_and_adds_account_constants() -> None:
    found = detect(POSTS_GRID, KINDS)
    mapped = map_grid(POSTS_GRID, found, CONTEXT)
    assert isinstance(mapped, Mapped)
    assert (mapped.kind, mapped.table, mapped.header_line, mapped.source) == ("test_posts", "posts", 1, "export.csv")
    rows = mapped.rows
    assert "_line" not in rows.columns
    assert rows["account_id"].tolist() == ["acc1", "acc1"]
    assert rows["platform"].tolist() == ["x", "x"]
    assert rows["post_id"].tolist() == ["101", "102"]
    assert rows["impressions"].tolist() == [12400.0, 12000.0]
    assert rows["published_at"].tolist() == [pd.Timestamp("2025-11-01 20:15"), pd.Timestamp("2025-11-02 08:00")]
    assert rows["engagement_rate"].iloc[0] == 0.052
    assert math.isnan(rows["engagement_rate"].iloc[1])      # "-" is missing, not 0
    assert rows["impressions"].dtype == "float64" and rows["published_at"].dtype == "datetime64[ns]"
    assert mapped.skipped == []


def test_missing_tokens_stay_missing() -> None:
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "--", "null"), ("2025-11-02", "0", ""),
             ("2025-11-03", "-5", "undefined"))
    rows = map_grid(g, detect(g, KINDS), CONTEXT).rows
    assert rows["impressions"].isna().tolist() == [True, False, False]
    assert rows["impressions"].iloc[1] == 0.0 and rows["impressions"].iloc[2] == -5.0
    assert rows["followers"].isna().all()


def test_bad_values_name_column_lines_and_examples() -> None:
    g = grid(
        ("Title line",), ("Date", "Impressions"),
        *[(f"2025-11-0{i % 9 + 1}", "abc" if i % 2 else str(i)) for i in range(14)],
        lines=(1, 2, *range(4, 18)),
    )
    with pytest.raises(ImportFileError) as info:
        map_grid(g, detect(g, KINDS), CONTEXT)
    message = str(info.value)
    assert message.startswith("export.csv: ")
    assert ('column "Impressions" (→ impressions) has 7 values that are not a whole number such as 12,400 or 1.2万'
            in message)
    assert "lines 5, 7, 9, 11, 13 and 2 more" in message
    assert '(e.g. "abc")' in message


def test_bad_values_in_several_columns_and_dates() -> None:
    g = grid(("Date", "Impressions"), ("yesterday-ish", "12"), ("2025-11-02", "x1"), ("2025-11-03", "x2"),
             ("2025-11-04", "x3"), ("2025-11-05", "x4"))
    with pytest.raises(ImportFileError) as info:
        map_grid(g, detect(g, KINDS), CONTEXT)
    message = str(info.value)
    assert 'column "Date" (→ date) has 1 value that is not a date such as 2025-11-01: line 2 (e.g. "yesterday-ish")' \
        in message
    assert '(e.g. "x1", "x2", "x3")' in message


def test_truncated_last_row() -> None:
    # a download cut mid-line: the last row is short and the file has no final line break
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("2025-11-02", "4"),
             ends_with_newline=False)
    with pytest.raises(ImportFileError,
                       match=r"line 3 has 2 of 3 columns: the file looks truncated; download it again"):
        map_grid(g, detect(g, KINDS), CONTEXT)


def test_a_note_below_the_table_is_skipped_and_reported_not_taken_for_truncation() -> None:
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("注：数据统计截止至昨日",))
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert len(mapped.rows) == 1
    assert mapped.skipped == ["export.csv line 3: a note below the table ('注：数据统计截止至昨日'), not data"]
    # a short last row of several cells in a complete file is data, padded like any short row
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("2025-11-02", "4"))
    rows = map_grid(g, detect(g, KINDS), CONTEXT).rows
    assert len(rows) == 2 and math.isnan(rows["followers"].iloc[1])


def test_a_footer_sentence_with_a_comma_is_a_note_not_a_bad_date() -> None:
    # "Data reflects activity up to Jan 10, 2026." splits at its comma into two cells
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"),
             ("Data reflects activity up to Jan 10", " 2026."))
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert mapped.rows["impressions"].tolist() == [3]
    assert mapped.skipped == ["export.csv line 3: a note below the table "
                              "('Data reflects activity up to Jan 10 2026.'), not data"]
    # the same bad date on a row that is not the last stays an error naming it
    g = grid(("Date", "Impressions", "Followers"), ("Data reflects activity up to Jan 10", " 2026."),
             ("2025-11-01", "3", "10"))
    with pytest.raises(ImportFileError, match=r'"Date" \(→ date\) has 1 value that is not a date.*line 2'):
        map_grid(g, detect(g, KINDS), CONTEXT)
    # a full-width last row with a bad value is data with an error, not a note
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("soon", "4", "11"))
    with pytest.raises(ImportFileError, match=r"line 3"):
        map_grid(g, detect(g, KINDS), CONTEXT)


def test_a_one_cell_footer_without_final_line_break_is_a_note() -> None:
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("Exported by TikTok Studio",),
             ends_with_newline=False)
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert len(mapped.rows) == 1
    assert mapped.skipped == ["export.csv line 3: a note below the table ('Exported by TikTok Studio'), not data"]
    # a note cannot be told from a data row cut after its first (text) cell: the note says to check
    assert mapped.notes == ["export.csv does not end with a line break: if the download was cut short, line 3, "
                            "taken as a note below the table, may be a cut data row; download the export again to "
                            "be sure"]


def test_a_data_row_cut_after_its_title_is_a_note_with_the_warning() -> None:
    # a posts export whose first column is text: "文章五" then the cut; it cannot be told from a note
    g = grid(("Post text", "Post id", "Time", "Impressions"), ("第一篇", "p1", "2025-11-01 20:00", "10"),
             ("文章五",), ends_with_newline=False)
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert mapped.rows["post_id"].tolist() == ["p1"]
    assert mapped.skipped == ["export.csv line 3: a note below the table ('文章五'), not data"]
    assert any("line 3, taken as a note below the table, may be a cut data row" in n for n in mapped.notes)


def test_several_note_lines_below_the_table_are_all_skipped() -> None:
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"),
             ("Data reflects activity up to Jan 10", " 2026."), ("Note: data is updated daily",),
             ("Exported from TikTok Studio",))
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert mapped.rows["impressions"].tolist() == [3]
    assert mapped.skipped == [
        "export.csv line 3: a note below the table ('Data reflects activity up to Jan 10 2026.'), not data",
        "export.csv line 4: a note below the table ('Note: data is updated daily'), not data",
        "export.csv line 5: a note below the table ('Exported from TikTok Studio'), not data",
    ]
    # a short data row above the notes stays data (its values parse), padded
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("2025-11-02", "4"),
             ("Note: data is updated daily",))
    rows = map_grid(g, detect(g, KINDS), CONTEXT).rows
    assert rows["impressions"].tolist() == [3, 4] and math.isnan(rows["followers"].iloc[1])


def test_a_one_cell_last_row_that_is_a_valid_value_without_final_line_break_is_truncated() -> None:
    # "2025-11-02" then the cut: the rest of the row never arrived
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("2025-11-02",),
             ends_with_newline=False)
    with pytest.raises(ImportFileError, match=r"line 3 has 1 of 3 columns: the file looks truncated"):
        map_grid(g, detect(g, KINDS), CONTEXT)


def test_a_file_without_final_line_break_is_imported_with_a_note_on_its_last_row() -> None:
    # "4100" cut to "41" cannot be told from a real 41: imported, with a note naming the row to check
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("2025-11-02", "4", "41"),
             ends_with_newline=False)
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert mapped.rows["followers"].tolist() == [10, 41]
    assert mapped.notes == ['export.csv does not end with a line break: if the download was cut short, the last '
                            'row (line 3: "2025-11-02", "4", "41") may hold a cut value; compare it with the '
                            'platform or download the export again']
    assert mapped.skipped == []


def test_columns_the_kind_does_not_use_are_named_in_the_notes() -> None:
    g = grid(("Date", "Impressions", "Unfollows", "Followers", "Profile visits"), ("2025-11-01", "3", "1", "10", "7"))
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert mapped.notes == ['2 columns not imported (the store has no place for them): "Unfollows", "Profile visits"']
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"))
    assert map_grid(g, detect(g, KINDS), CONTEXT).notes == []


def test_counts_written_with_a_dot_as_thousands_separator_are_refused_with_a_hint() -> None:
    g = grid(("Date", "Impressions"), ("2025-11-01", "12.345"), ("2025-11-02", "9.876"), delimiter=";")
    with pytest.raises(ImportFileError) as info:
        map_grid(g, detect(g, KINDS), CONTEXT)
    message = str(info.value)
    assert 'has 2 values that are not a whole number such as 12,400 or 1.2万: lines 2, 3 (e.g. "12.345", "9.876")' \
        in message
    assert "a dot as the thousands separator (12.345 for 12345): export again with English number formats" in message


WIDE = ExportKind(
    name="test_wide",
    title="Test wide posts",
    platforms=("x",),
    table="posts",
    columns={"title": ("Title",), "published_at": ("Published",), "post_id": ("Post id",),
             "impressions": ("Impressions",), "likes": ("Likes",)},
    required=("title", "published_at", "post_id"),
    parse={"published_at": "datetime", "impressions": "count", "likes": "count"},
)
WIDE_HEADER = ("Title", "Published", "Post id", "Impressions", "Likes", "Account ID")


def test_a_short_footer_that_parses_is_still_a_note_when_it_fills_under_half_the_columns() -> None:
    # "导出时间,2025-11-01 10:00" below a 6-column table: a title and a time, but no data row has 2 of 6 fields
    g = grid(WIDE_HEADER, ("First", "2025-11-01 20:00", "p1", "10", "2", "99"), ("导出时间", "2025-11-01 10:00"))
    mapped = map_grid(g, detect(g, [WIDE]), CONTEXT)
    assert mapped.rows["post_id"].tolist() == ["p1"]
    assert mapped.skipped == ["export.csv line 3: a note below the table ('导出时间 2025-11-01 10:00'), not data"]
    # a note whose second cell falls in a column the kind does not use, then another note line
    g = grid(WIDE_HEADER, ("First", "2025-11-01 20:00", "p1", "10", "2", "99"),
             ("Data reflects activity up to Jan 10", " 2026."), ("Exported from Meta Business Suite", " all times PST"))
    assert map_grid(g, detect(g, [WIDE]), CONTEXT).rows["post_id"].tolist() == ["p1"]


def test_a_comma_note_without_final_line_break_is_a_note_and_a_cut_value_is_truncation() -> None:
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"),
             ("Data reflects activity up to Jan 10", " 2026."), ends_with_newline=False)
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert mapped.rows["impressions"].tolist() == [3] and len(mapped.skipped) == 1
    assert any("may be a cut data row" in note for note in mapped.notes)
    # "2025-11-0": a date cut short (digits and punctuation that fail to parse), not a note
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "10"), ("2025-11-0",),
             ends_with_newline=False)
    with pytest.raises(ImportFileError, match=r"line 3 has 1 of 3 columns: the file looks truncated"):
        map_grid(g, detect(g, KINDS), CONTEXT)


def test_bad_value_message_uses_the_right_article() -> None:
    g = grid(("Date", "Impressions"), ("2025-11-01", "many"))
    with pytest.raises(ImportFileError, match=r"check that the file really is a Test daily overview export"):
        map_grid(g, detect(g, KINDS), CONTEXT)
    kind = ExportKind(name="t_overview", title="Overview of a test", platforms=("x",), table="account_daily",
                      columns={"date": ("Date",), "impressions": ("Impressions",)}, required=("date", "impressions"),
                      parse={"date": "date", "impressions": "count"})
    with pytest.raises(ImportFileError, match=r"really is an Overview of a test export"):
        map_grid(g, detect(g, [kind]), CONTEXT)


def test_short_rows_before_the_last_are_padded_and_excel_rows_never_truncated() -> None:
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3"), ("2025-11-02", "4", "10"))
    rows = map_grid(g, detect(g, KINDS), CONTEXT).rows
    assert math.isnan(rows["followers"].iloc[0]) and rows["followers"].iloc[1] == 10
    sheet = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "9"), ("2025-11-02", "4"),
                 delimiter=None, sheet="Daily")
    rows = map_grid(sheet, detect(sheet, KINDS), CONTEXT).rows
    assert math.isnan(rows["followers"].iloc[1])


def test_complete_last_row_with_empty_trailing_fields_is_not_truncated() -> None:
    g = grid(("Date", "Impressions", "Followers"), ("2025-11-01", "3", "", ""))
    assert len(map_grid(g, detect(g, KINDS), CONTEXT).rows) == 1


def test_row_with_more_fields_than_header() -> None:
    g = grid(("Date", "Impressions"), ("2025-11-01", "12", "400"), ("2025-11-02", "3"), lines=(1, 7, 8))
    with pytest.raises(ImportFileError, match=r"export.csv: line 7 has 3 fields but the header \(line 1\) has 2"):
        map_grid(g, detect(g, KINDS), CONTEXT)


def test_all_empty_rows_are_ignored() -> None:
    g = grid(("Date", "Impressions"), ("", " "), ("2025-11-01", "12"), lines=(1, 2, 3))
    rows = map_grid(g, detect(g, KINDS), CONTEXT).rows
    assert rows["date"].tolist() == [pd.Timestamp("2025-11-01")]


def test_header_only_gives_no_rows() -> None:
    g = grid(("Date", "Impressions"))
    mapped = map_grid(g, detect(g, KINDS), CONTEXT)
    assert len(mapped.rows) == 0 and "impressions" in mapped.rows.columns


def test_finish_can_skip_rows_and_they_are_reported() -> None:
    def drop_totals(frame: pd.DataFrame, context: ImportContext, g: Grid) -> pd.DataFrame:
        total = frame["post_id"] == "Total"
        out = frame[~total].copy()
        out.attrs["skipped"] = [f"line {line}: a Total row" for line in frame.loc[total, "_line"]]
        assert context is CONTEXT and g is g_
        return out

    kind = ExportKind(name="test_finish", title="With finish", platforms=("x",), table="posts",
                      columns=dict(POSTS.columns), required=POSTS.required, parse=dict(POSTS.parse),
                      finish=drop_totals)
    g_ = grid(*POSTS_GRID.rows, ("Total", "", "", "13,600", ""), lines=(1, 2, 3, 5))
    mapped = map_grid(g_, detect(g_, [kind]), CONTEXT)
    assert mapped.skipped == ["line 5: a Total row"]
    assert mapped.rows["post_id"].tolist() == ["101", "102"]
    assert list(mapped.rows.index) == [0, 1] and "_line" not in mapped.rows.columns
    assert "1 skipped" in repr(mapped)


def test_finish_sees_file_lines() -> None:
    seen: list[list[int]] = []

    def record(frame: pd.DataFrame, context: ImportContext, g: Grid) -> pd.DataFrame:
        seen.append(frame["_line"].tolist())
        return frame

    kind = ExportKind(name="test_lines", title="Lines", platforms=("x",), table="account_daily",
                      columns=dict(DAILY.columns), required=DAILY.required, finish=record)
    g = grid(("Title",), ("Date", "Impressions"), ("2025-11-01", "1"), ("2025-11-02", "2"), lines=(1, 3, 4, 9))
    map_grid(g, detect(g, [kind]), CONTEXT)
    assert seen == [[4, 9]]


def test_timezone_conversion_of_tz_aware_timestamps() -> None:
    g = grid(("Tweet id", "Time", "Impressions"), ("1", "2025-11-01T12:15:00Z", "5"), ("2", "2025-11-01 12:15", "6"))
    found = detect(g, KINDS)
    shanghai = map_grid(g, found, CONTEXT).rows["published_at"].tolist()
    assert shanghai == [pd.Timestamp("2025-11-01 20:15"), pd.Timestamp("2025-11-01 12:15")]
    new_york = ImportContext(account_id="acc1", platform="x", timezone="America/New_York",
                             reference=dt.date(2026, 1, 10))
    local = map_grid(g, found, new_york).rows["published_at"].tolist()
    assert local == [pd.Timestamp("2025-11-01 08:15"), pd.Timestamp("2025-11-01 12:15")]


def test_yearless_dates_use_the_context_reference() -> None:
    g = grid(("Date", "Impressions"), ("Dec 30", "1"), ("Jan 5", "2"))
    rows = map_grid(g, detect(g, KINDS), CONTEXT).rows
    assert rows["date"].tolist() == [pd.Timestamp("2025-12-30"), pd.Timestamp("2026-01-05")]


def test_detection_equality_ignores_header_line() -> None:
    a = Detection(kind=DAILY, header_index=0, sources={"date": 0}, score=0.5)
    b = Detection(kind=DAILY, header_index=0, sources={"date": 0}, score=0.5, header_line=3)
    assert a == b and repr(a) == "Detection(test_daily at line 1, 1/3 columns)"
