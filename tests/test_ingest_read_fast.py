"""The fast CSV reading path gives exactly what reading record by record gives (issue 22, big import).

The reference below is the reader as it was before: the csv module record by record, each record's
start line taken from `reader.line_num`, strict first and lenient on sloppy quoting, blank rows dropped.
The delimiter reference sniffs over the whole text, not a prefix.
"""

from __future__ import annotations

import csv
import gc
import io
from collections import Counter
from pathlib import Path

import pytest

from helpers.ingest import read as read_module
from helpers.ingest.read import read_grids
from helpers.ingest.types import ImportFileError


def reference_records(text: str, delimiter: str, strict: bool) -> list[tuple[int, list[str]]]:
    """(start line, record) pairs as the reader made them record by record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=strict)
    out, start = [], 1
    for record in reader:
        out.append((start, record))
        start = reader.line_num + 1
    return out


def reference_rows(text: str, delimiter: str) -> tuple[tuple[tuple[str, ...], ...], tuple[int, ...]]:
    """Rows and line numbers of a text without BOM or sep line, as the old reader kept them."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        records = reference_records(text, delimiter, True)
    except csv.Error:
        records = reference_records(text, delimiter, False)
    rows, lines = [], []
    for line, record in records:
        if any(cell.strip() for cell in record):
            record[0] = record[0].lstrip("\ufeff")
            rows.append(tuple(record))
            lines.append(line)
    return tuple(rows), tuple(lines)


def reference_delimiter(text: str) -> str:
    """The old sniff: field counts of the first 20 non-empty records of the WHOLE text, per delimiter."""
    best, best_score = ",", (0, 0)
    for delimiter in (",", "\t", ";"):
        counts: list[int] = []
        try:
            for _, record in reference_records(text, delimiter, False):
                if any(cell.strip() for cell in record):
                    counts.append(len(record))
                    if len(counts) >= 20:
                        break
        except csv.Error:
            pass
        score = (0, 0)
        if counts:
            fields, frequency = Counter(counts).most_common(1)[0]
            score = (frequency, fields) if fields > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


TRICKY = {
    "plain": "a,b,c\n1,2,3\n4,5,6\n",
    "no final newline": "a,b\n1,2\n3,4",
    "crlf and blank lines": "a,b\r\n1,2\r\n\r\n , \r\n3,4\r\n",
    "old mac line ends": "a,b\r1,2\r3,4\r",
    "mixed line ends": "a,b\n1,2\r\n3,4\r5,6\n",
    "quoted newline": 'a,b\n"x\ny",2\n3,4\n',
    "quoted crlf then more": 'a,b\r\n"x\r\ny",2\r\n3,"4\r"\r\n5,6\r\n',
    "quoted separators and quotes": 'a,b\n"1,234","say ""hi"""\n"",x\n',
    "sloppy quoting": 'a,b\n"x"y,2\n3,4\n',
    "ragged rows": "a,b,c\n1,2\n1,2,3,4\n\n5\n",
    "quote in unquoted field": 'a,b\nx"y,2\n3,4\n',
    "stray bom in a row": "a,b\n\ufeff1,2\n",
    "only blank rows after header": "a,b\n,\n \n",
    "trailing blank lines": "a,b\n1,2\n\n\n\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_rows_and_lines_match_record_by_record(tmp_path: Path, name: str) -> None:
    text = TRICKY[name]
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode())
    (grid,) = read_grids(path)
    assert (grid.rows, grid.line_numbers) == reference_rows(text, ",")
    assert grid.delimiter == reference_delimiter(text)


def test_sep_line_offsets_lines_in_both_paths(tmp_path: Path) -> None:
    for body, expected_lines in (("a;b\n1;2\n", (2, 3)), ('a;b\n"1\n2";3\n4;5\n', (2, 3, 5))):
        path = tmp_path / "sep.csv"
        path.write_bytes(("sep=;\n" + body).encode())
        (grid,) = read_grids(path)
        assert grid.line_numbers == expected_lines
        rows, lines = reference_rows(body, ";")
        assert grid.rows == rows and grid.line_numbers == tuple(n + 1 for n in lines)


def test_unterminated_quote_still_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes(b'a,b\n1,2\n3,"unfinished\nmore\n')
    with pytest.raises(ImportFileError, match="ends inside a quoted field at line 3"):
        read_grids(path)


def test_generated_export_matches_reference(tmp_path: Path) -> None:
    """A few thousand rows mixing every case: the fast path (one line each) and the fallback agree."""
    lines = ["作品名称,播放量,完播率"]
    for i in range(3000):
        title = f"作品{i} #话题{i % 7}#" if i % 11 else f'"多行\n标题 {i}"'
        views = f'"{i * 1234:,}"' if i % 3 else str(i)
        lines.append(f"{title},{views},{i % 100}.{i % 10}%")
        if i % 500 == 0:
            lines.append("")
    for text in ("\n".join(lines) + "\n", "\n".join(line for line in lines if "多行" not in line) + "\n"):
        path = tmp_path / "gen.csv"
        path.write_bytes(text.encode("utf-8-sig"))
        (grid,) = read_grids(path)
        assert (grid.rows, grid.line_numbers) == reference_rows(text, ",")


def test_sniff_on_a_prefix_falls_back_when_records_are_long() -> None:
    """Records longer than the sniffed prefix: the whole text decides, as before."""
    long_cell = "x" * (read_module._SNIFF_CHARS + 10)
    texts = [
        f'a;b;c\n"{long_cell}";1;2\n' + "1,2,3,4\n" * 30,          # the 2nd record passes the prefix's end
        "a\tb\n" + "1\t2\n" * 19 + f"{long_cell}\t3\n" + "1,2,3\n" * 5,  # the 20th record is cut
        "a,b\n" * 19 + "a;b;c\n" * (read_module._SNIFF_CHARS // 6) + "1,2\n",
        "a;b\n1;2\n",                                                  # fewer than 20 records
        '"' + "q" * (read_module._SNIFF_CHARS + 5) + '\n1,2\n',        # a quote open past the prefix
    ]
    for text in texts:
        assert read_module._sniff_delimiter(text) == reference_delimiter(text)


@pytest.mark.parametrize("was_enabled", [True, False])
def test_reading_leaves_the_cycle_collector_as_it_was(tmp_path: Path, was_enabled: bool) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"a,b\n1,2\n")
    before = gc.isenabled()
    try:
        gc.enable() if was_enabled else gc.disable()
        read_grids(path)
        assert gc.isenabled() is was_enabled
    finally:
        gc.enable() if before else gc.disable()
