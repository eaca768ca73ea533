"""The faster body reading of map_grid gives exactly the old rows, lines, notes and totals rows (issue 22).

`reference_data_rows` and `reference_total_drop` are the code as it was (each row's trimmed length
recomputed, every date cell checked one by one with the regular expression); `reference_text_values`
casefolds every text. The new code must agree on generated grids with every quirk the rules name:
blank and short rows, notes at the end, totals rows, a file without a final line break.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers.ingest import mapping, values
from helpers.ingest.mapping import TOTAL_LABELS, Detection, normalise_header
from helpers.ingest.types import ExportKind, Grid, ImportFileError

DAILY = ExportKind(
    name="test_daily", title="Test daily overview", platforms=("x",), table="account_daily",
    columns={"date": ("Date",), "impressions": ("Impressions",), "note": ("Note",)},
    required=("date", "impressions"), parse={"date": "date", "impressions": "count"},
)


def trimmed(row: tuple[str, ...]) -> int:
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return n


def reference_data_rows(grid: Grid, header_index: int) -> tuple:
    """_data_rows before issue 22 (rows, lines, filled, notes, footer candidates, unterminated)."""
    width = trimmed(grid.rows[header_index])
    line = (lambda i: grid.line_numbers[i] if i < len(grid.line_numbers) else i + 1)
    body = [(row, line(i)) for i, row in enumerate(grid.rows) if i > header_index]
    body = [(row, ln) for row, ln in body if trimmed(row)]
    unterminated = grid.delimiter is not None and not grid.ends_with_newline
    for row, ln in body:
        if trimmed(row) > width:
            return ("error", ln)
    run = 0
    while width > 1 and run < len(body) and len(body[len(body) - 1 - run][0]) < width:
        run += 1
    first_short = len(body) - run
    rows, lines, filled_cells, notes, candidates = [], [], [], [], 0
    for position, (row, ln) in enumerate(body):
        filled = trimmed(row)
        short_at_end = position >= first_short
        if short_at_end and filled == 1 and not (unterminated and position == len(body) - 1):
            notes.append(ln)
            continue
        candidates = candidates + 1 if short_at_end else 0
        rows.append(tuple(row[:width]) + ("",) * (width - min(len(row), width)))
        lines.append(ln)
        filled_cells.append(filled)
    return rows, lines, filled_cells, notes, candidates, unterminated


def reference_total_drop(rows: list[tuple[str, ...]], dated: list[int]) -> list[bool]:
    plain = re.compile(r"[0-9 :/.T-]*")
    label = (lambda c: not (isinstance(c, str) and plain.fullmatch(c)) and normalise_header(c) in TOTAL_LABELS)
    return [any(label(row[s]) for s in dated) for row in rows]


CELLS = ["", " ", "  ", "x", "12", "1,200", "2025-11-01", "2025-11-01 08:00", "合计", "Total", " 总计 ", "TOTAL:",
         "Grand total", "合 计", "Summe", "11/01", "注：数据统计截止至昨日", "\u3000", "Sum", "T-1", "2025.11.01"]


def random_grid(rng: random.Random, width: int) -> Grid:
    header = tuple(["Date", "Impressions", "Note", "Extra"][:width]) + ("",) * rng.randint(0, 2)
    rows = [tuple(f"pre{i}" for i in range(rng.randint(1, 2)))] if rng.random() < 0.3 else []
    header_index = len(rows)
    rows.append(header)
    for _ in range(rng.randint(0, 40)):
        n = rng.choice([width, width, width, width - 1, 1, 0, width + 1]) if width > 1 else rng.randint(0, 2)
        row = tuple(rng.choice(CELLS) for _ in range(max(n, 0)))
        if n > width and trimmed(row) > width and rng.random() < 0.8:
            row = row[:width]
        rows.append(row)
    lines = tuple(sorted(rng.sample(range(1, 200), len(rows))))
    grid = Grid(path=Path("x.csv"), rows=tuple(rows), line_numbers=lines, encoding="utf-8",
                delimiter=rng.choice([",", None]), ends_with_newline=rng.random() < 0.6)
    return grid, header_index


def test_body_rows_and_totals_match_reference() -> None:
    rng = random.Random(22)
    compared = totals_seen = 0
    for _ in range(3000):
        width = rng.randint(1, 4)
        grid, header_index = random_grid(rng, width)
        detection = Detection(kind=DAILY, header_index=header_index, sources={"date": 0, "impressions": 1}
                              if width > 1 else {"date": 0}, score=1.0)
        expected = reference_data_rows(grid, header_index)
        if expected[0] == "error":
            with pytest.raises(ImportFileError, match=f"line {expected[1]} has"):
                mapping._data_rows(grid, detection)
            continue
        body = mapping._data_rows(grid, detection)
        assert (body.rows, body.lines, body.filled, [n for n, _ in body.notes], body.footer_candidates,
                body.unterminated) == expected
        compared += 1
        drop = reference_total_drop(body.rows, [0])
        kept, notes = mapping._without_total_rows(body, detection, grid)
        assert [n for n, _ in notes] == [ln for ln, gone in zip(body.lines, drop, strict=True) if gone]
        assert kept.rows == [r for r, gone in zip(body.rows, drop, strict=True) if not gone]
        tail = set(range(len(body.rows) - body.footer_candidates, len(body.rows)))
        assert kept.footer_candidates == sum(1 for i, gone in enumerate(drop) if not gone and i in tail)
        totals_seen += any(drop)
    assert compared > 1000 and totals_seen > 200


def test_plain_date_check_matches_the_pattern() -> None:
    plain = re.compile(r"[0-9 :/.T-]*")
    for cell in [*CELLS, "2025-11-01T08:00", "٣", "１２", "t", "0x", "-", ":", "", "T"]:
        assert (not cell.strip(mapping._PLAIN_DATE_CHARS)) == bool(plain.fullmatch(cell))


def reference_text_values(texts: list[object]) -> list[object]:
    out: list[object] = []
    for text in texts:
        stripped = "" if text is None or text is pd.NA or (isinstance(text, float) and text != text) \
            else str(text).strip()
        out.append(pd.NA if stripped.casefold() in values.MISSING_TOKENS else stripped)
    return out


def test_text_values_match_reference() -> None:
    tokens = sorted(values.MISSING_TOKENS)
    texts: list[object] = [None, pd.NA, float("nan"), "", " - ", "N/A", "n/a", "İ", "ß", "ﬁ", "标题", 12, 1.5,
                           *tokens, *(t.upper() for t in tokens), *(f" {t} " for t in tokens),
                           *(t + "x" for t in tokens), "x" * 40]
    assert values._text_values(texts) == reference_text_values(texts)


def test_casefold_never_shortens_a_character() -> None:
    """What the length shortcut in _text_values rests on, for every code point."""
    assert all(len(chr(c).casefold()) >= 1 for c in range(sys.maxunicode + 1))


ISO_COLUMNS = {
    "minutes": ["2024-01-01 08:00", "2024-01-01 08:37", "2024-01-01 08:00", "2025-12-31 23:59"],
    "mixed lengths": ["2024-01-01", "2024-01-01 08:00", "2024-01-01 08:00:59", "2024-01-01"],
    "leap day": ["2024-02-29 12:00", "2023-03-01"],
    "not a day": ["2024-02-30 12:00", "2024-01-01"],         # the whole-column path refuses: per-text path
    "out of range": ["1899-12-31", "2024-01-01"],
    "one blank": ["2024-01-01 08:00", ""],
    "one other form": ["2024-01-01 08:00", "2024/01/02 08:00"],
    "empty": [],
}


@pytest.mark.parametrize("name", sorted(ISO_COLUMNS))
@pytest.mark.parametrize("kind", ["datetime", "date"])
def test_all_iso_column_matches_the_per_text_path(name: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    texts = pd.Series(ISO_COLUMNS[name] * 50, dtype=object)
    args = {"reference": dt.date(2026, 1, 1), "timezone": "Asia/Shanghai"}
    fast_values, fast_bad = values.parse_values(texts, kind, **args)
    monkeypatch.setattr(values, "_all_iso_walls", lambda raw: None)
    slow_values, slow_bad = values.parse_values(texts, kind, **args)
    pd.testing.assert_series_equal(fast_values, slow_values)
    pd.testing.assert_series_equal(fast_bad, slow_bad)
    assert fast_values.attrs == slow_values.attrs


def test_all_iso_walls_takes_only_whole_iso_columns() -> None:
    assert values._all_iso_walls(pd.Series(["2024-01-01", "2024-01-02 08:00"], dtype=object)) is not None
    for column in (["2024-02-30"], ["2024-01-01", ""], ["2024-01-01", "x"], [], ["2201-01-01"]):
        assert values._all_iso_walls(pd.Series(column, dtype=object)) is None


def test_format_translation_per_distinct_label_matches_per_row() -> None:
    """The 体裁 translation, memoised per label, gives each row what the per-row loop gave."""
    from helpers.ingest.kinds.cn_common import format_translator
    from helpers.schema import POST_FORMATS

    labels = {"视频": "video", "图文": "image"}
    cells = ["视频", "图文", None, "", " ", " 视频 ", "视频", "图文 ", *sorted(POST_FORMATS)[:2]] * 30
    frame = pd.DataFrame({"format": pd.Series(cells, dtype="string"), "_line": range(2, len(cells) + 2)})

    def per_row(label: object) -> str:
        if label is None or (not isinstance(label, str) and pd.isna(label)) or not str(label).strip():
            return "video"
        text = str(label).strip()
        return labels.get(text, text if text in POST_FORMATS else None)   # type: ignore[return-value]

    grid = Grid(path=Path("x.csv"), rows=(), line_numbers=(), encoding="utf-8", delimiter=",")
    got = format_translator("douyin", labels, "video")(frame.copy(), grid)
    assert got["format"].tolist() == [per_row(c if c is not None else pd.NA) for c in cells]
    bad = frame.copy()
    bad.loc[5, "format"] = "合集"
    with pytest.raises(ImportFileError, match=r"line 7: unknown 体裁 '合集'"):
        format_translator("douyin", labels, "video")(bad, grid)
