"""Raw export files → Grids: every cell as text, with the file line (or sheet row) of each row.

Rules:

* The format comes from the content, not the extension: b"PK\\x03\\x04" is an xlsx workbook (a zip
  that is not one gets its own message), b"\\xd0\\xcf\\x11\\xe0" an xls workbook; each non-empty
  sheet is one Grid. Excel cells become text: integral numbers "12400", other numbers with repr
  precision "0.052", dates "2025-11-01", datetimes "2025-11-01 20:15:00" (rounded to the second),
  durations "0:01:23", booleans "TRUE"/"FALSE", error cells as Excel shows them ("#N/A"), empty "";
  a number with a percent format as Excel shows it ("5.2%" for 0.052), so "(%)" columns read it right.
  Trailing empty cells of a sheet row are dropped (a sheet has no field count to keep).
* Anything else is a text file. Encoding: a BOM decides (UTF-8-SIG, UTF-16 LE/BE); without one,
  NUL bytes in the first 4 KB mean UTF-16 without BOM when they all sit on one byte parity (LE or
  BE; the decoded text is then checked) and binary content otherwise. Else strict UTF-8, else
  strict GB18030 (Chinese platforms' "ANSI" CSVs). Text with control characters is binary; an
  HTML/XML page (some "xls" downloads are web pages) gets its own message.
* A first line `sep=X` (Excel's hint, possibly quoted) sets the delimiter and is not a row; line
  numbers still count it. Otherwise the delimiter is the one of ",", "\\t", ";" whose field count
  is the most consistent (and > 1) over the first 20 non-empty records, more fields breaking ties;
  a single-column file gets ",".
* Parsing is the csv module's (quotes, embedded newlines); a file ending inside a quoted field is
  truncated and refused. Rows whose cells are all blank are dropped; each kept row carries the
  physical line where it starts. A stray BOM is stripped from a row's first cell; nothing else is
  interpreted (title lines such as Meta's "Facebook Page reach" stay rows).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from helpers.ingest.bulk import paused_cycle_collection
from helpers.ingest.types import Grid, ImportFileError

__all__ = ["read_grids"]

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_DELIMITERS = (",", "\t", ";")
_SNIFF_RECORDS = 20
_SNIFF_CHARS = 65_536   # the delimiter is sniffed on this much of the text when it holds the 20 records whole
_SEP_LINE = re.compile(r'\s*"?sep=(.)"?[,;\t]*\s*', re.IGNORECASE)
_MARKUP = re.compile(r"\s*<(?:!doctype|html|\?xml|table|head|body|meta|workbook)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
_AGAIN = "download the export again."


def read_grids(path: Path) -> list[Grid]:
    """Read an export file (CSV/TSV/text or Excel, recognised by content) into one Grid per table."""
    path = Path(path)
    data = _read_bytes(path)
    if data.startswith(_XLSX_MAGIC):
        grids = _read_xlsx(path, data)
    elif data.startswith(_XLS_MAGIC):
        grids = _read_xls(path, data)
    else:
        grids = [_read_text(path, data)]
    if not grids:
        raise ImportFileError(f"{path.name}: every sheet is empty: {_AGAIN}")
    return grids


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a missing, unreadable or 0-byte file is an ImportFileError."""
    if not path.exists():
        raise ImportFileError(f"{path.name}: no such file ({path}). Check the path.")
    if path.is_dir():
        raise ImportFileError(f"{path.name}: is a folder, not an export file ({path}).")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path.name}: cannot be read ({exc.strerror or exc}).") from exc
    if not data:
        raise ImportFileError(f"{path.name} is empty (0 bytes): {_AGAIN}")
    return data


# --- Excel -------------------------------------------------------------------------------------

def _cell_text(value: object) -> str:
    """An Excel cell value as text: 12400.0 → "12400", datetimes ISO, None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        stamp = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0) \
            if value.microsecond >= 500_000 else value.replace(microsecond=0)
        if stamp.time() == dt.time(0):
            return stamp.date().isoformat()
        return stamp.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return str(value)


def _percent_text(value: object, number_format: str | None) -> str | None:
    """A number shown with a "%" format as Excel shows it ("5.2%" for 0.052); None for any other cell.

    Kept as text with its "%", so a "(%)" column and a share column both read it as 0.052.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not number_format:
        return None
    scaled = re.sub(r'"[^"]*"|\\.', "", number_format)   # a quoted or escaped "%" is a literal, not scaling
    if "%" not in scaled:
        return None
    shown = round(float(value) * 100, 10)
    return (str(int(shown)) if shown.is_integer() else repr(shown)) + "%"


def _sheet_grid(path: Path, encoding: str, sheet: str, rows: Iterable[tuple[int, Sequence[str]]]) -> Grid | None:
    """A Grid from (sheet row number, cell texts) pairs: blank rows and trailing empty cells dropped."""
    kept: list[tuple[str, ...]] = []
    lines: list[int] = []
    for number, cells in rows:
        cells = list(cells)
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            cells[0] = cells[0].lstrip("\ufeff")
            kept.append(tuple(cells))
            lines.append(number)
    if not kept:
        return None
    return Grid(path=path, rows=tuple(kept), line_numbers=tuple(lines), encoding=encoding, sheet=sheet)


def _damaged(path: Path, exc: BaseException) -> ImportFileError:
    """The error for a workbook that its reader cannot open."""
    return ImportFileError(
        f"{path.name} cannot be opened as an Excel file (damaged or truncated?): {type(exc).__name__}: {exc}. "
        f"Download the export again, or open it in Excel and save it as .xlsx or CSV."
    )


def _check_zip(path: Path, data: bytes) -> None:
    """Refuse zips that are not xlsx workbooks (zip archives of exports, .ods, .xlsb) with advice."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _damaged(path, exc) from exc
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        raise ImportFileError(f"{path.name} is a binary Excel workbook (.xlsb): open it in Excel and save it "
                              f"as .xlsx or CSV, then import that file.")
    if "mimetype" in names or "content.xml" in names:
        raise ImportFileError(f"{path.name} is an OpenDocument spreadsheet: save it as .xlsx or CSV, "
                              f"then import that file.")
    shown = ", ".join(sorted(names)[:5]) + (" ..." if len(names) > 5 else "")
    raise ImportFileError(f"{path.name} is a zip archive, not an Excel file (it holds: {shown}): "
                          f"unzip it and import the files inside.")


def _xlsx_cell_text(cell: object) -> str:
    """An openpyxl cell as text (percent-formatted numbers with their "%")."""
    value = getattr(cell, "value", None)
    percent = _percent_text(value, getattr(cell, "number_format", None))
    return percent if percent is not None else _cell_text(value)


def _read_xlsx(path: Path, data: bytes) -> list[Grid]:
    """Every non-empty sheet of an xlsx workbook (openpyxl, values not formulas)."""
    _check_zip(path, data)
    import openpyxl

    grids: list[Grid] = []
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                sheet.reset_dimensions()   # exports often carry a wrong <dimension> (e.g. "A1")
                rows = ((number, [_xlsx_cell_text(c) for c in cells])
                        for number, cells in enumerate(sheet.iter_rows(), start=1))
                grid = _sheet_grid(path, "xlsx", sheet.title, rows)
                if grid is not None:
                    grids.append(grid)
        finally:
            book.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl/zipfile/xml raise many kinds for a damaged workbook
        raise _damaged(path, exc) from exc
    return grids


def _xls_number_format(book: object, cell: object) -> str | None:
    """The number format string of an xlrd cell (needs formatting_info), None when unknown."""
    try:
        xf = book.xf_list[cell.xf_index]  # type: ignore[attr-defined]
        return book.format_map[xf.format_key].format_str  # type: ignore[attr-defined]
    except (AttributeError, IndexError, KeyError, TypeError):
        return None


def _xls_cell_text(cell: object, datemode: int, number_format: str | None = None) -> str:
    """An xlrd cell as text (dates through xldate, error codes as Excel shows them, percents with "%")."""
    import xlrd

    ctype, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if ctype == xlrd.XL_CELL_NUMBER:
        percent = _percent_text(value, number_format)
        if percent is not None:
            return percent
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return _cell_text(xlrd.xldate.xldate_as_datetime(value, datemode))
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return _cell_text(value)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return _cell_text(bool(value))
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    return _cell_text(value)


def _read_xls(path: Path, data: bytes) -> list[Grid]:
    """Every non-empty sheet of a legacy xls workbook (xlrd)."""
    import xlrd

    grids: list[Grid] = []
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=False, formatting_info=True)
        for sheet in book.sheets():
            rows = ((r + 1, [_xls_cell_text(c, book.datemode, _xls_number_format(book, c)) for c in sheet.row(r)])
                    for r in range(sheet.nrows))
            grid = _sheet_grid(path, "xls", sheet.name, rows)
            if grid is not None:
                grids.append(grid)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct/index errors on damage
        raise _damaged(path, exc) from exc
    return grids


# --- text --------------------------------------------------------------------------------------

def _utf16_without_bom(head: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when the NULs of a BOM-less sample all sit on one byte parity, else None."""
    sample = head[: len(head) // 2 * 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd and not even:
        return "utf-16-le"
    if even and not odd:
        return "utf-16-be"
    return None


def _binary(path: Path) -> ImportFileError:
    """The error for content that is neither text nor a workbook."""
    return ImportFileError(
        f"{path.name} is not a text or Excel export (binary content): import the CSV or Excel file the "
        f"platform gives you, not a screenshot, PDF or archive; if it is one, {_AGAIN}"
    )


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a file and its encoding name (BOM, then NUL pattern, then UTF-8, then GB18030)."""
    boms = ((b"\xef\xbb\xbf", "utf-8", "utf-8-sig"), (b"\xff\xfe", "utf-16-le", "utf-16"),
            (b"\xfe\xff", "utf-16-be", "utf-16"))
    for bom, codec, name in boms:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), name
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"{path.name} starts with a {name.upper()} byte-order mark but is not valid {name.upper()} "
                    f"(at byte {exc.start + len(bom)}): the file looks damaged or truncated; {_AGAIN}"
                ) from exc
    head = data[:4096]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16 is None:
            raise _binary(path)
        try:
            return data.decode(utf16), "utf-16"
        except UnicodeDecodeError as exc:
            raise _binary(path) from exc
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        f"{path.name}: cannot decode the text (tried UTF-8, UTF-16 and GB18030). Open it in Excel or a text "
        f"editor and save it as UTF-8 CSV, or {_AGAIN}"
    )


def _check_text(path: Path, text: str) -> None:
    """Refuse decoded content that is binary (control characters) or a web page / XML file."""
    sample = text[:4096]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > max(3, len(sample) // 100):
        raise _binary(path)
    if _MARKUP.match(text.lstrip("\ufeff")):
        raise ImportFileError(
            f"{path.name} is a web page or XML file, not a CSV or Excel export: open it in Excel and save it "
            f"as .xlsx or CSV, then import that file."
        )


class _UnterminatedQuote(Exception):
    """A csv record that never ends: the file stops inside a quoted field starting at `line`."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _records(text: str, delimiter: str, *, strict: bool) -> Iterator[tuple[int, list[str]]]:
    """csv records of `text` with the 1-based physical line each starts on (blank lines included)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=strict)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc):
                raise _UnterminatedQuote(start) from exc
            raise
        yield start, record
        start = reader.line_num + 1


def _sniff_counts(text: str, delimiter: str, *, prefix: bool) -> list[int] | None:
    """Field counts of the first 20 non-empty records of `text` (lenient csv; stops at a parse error).

    With `prefix` (`text` is the start of a longer text) the counts are those of the whole text only
    when another record follows the 20th (so none was cut by the prefix's end); otherwise None.
    """
    counts: list[int] = []
    records = _records(text, delimiter, strict=False)
    try:
        for _, record in records:
            if any(cell.strip() for cell in record):
                counts.append(len(record))
                if len(counts) >= _SNIFF_RECORDS:
                    break
        else:
            return None if prefix else counts
        if prefix and next(records, None) is None:
            return None
    except (csv.Error, _UnterminatedQuote):
        return None if prefix else counts
    return counts


def _field_count_score(text: str, delimiter: str) -> tuple[int, int]:
    """(records with the modal field count, that count) over the first 20 non-empty records; (0, 0) if ≤ 1."""
    counts = _sniff_counts(text[:_SNIFF_CHARS], delimiter, prefix=len(text) > _SNIFF_CHARS)
    if counts is None:   # the prefix did not hold the first 20 records whole: read the whole text
        counts = _sniff_counts(text, delimiter, prefix=False)
    if not counts:
        return 0, 0
    fields, frequency = Counter(counts).most_common(1)[0]
    return (frequency, fields) if fields > 1 else (0, 0)


def _sniff_delimiter(text: str) -> str:
    """The delimiter among ",", tab and ";" giving the most consistent field count (ties: more fields)."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        score = _field_count_score(text, delimiter)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _split_sep_line(text: str) -> tuple[str | None, str, int]:
    """(delimiter from a leading `sep=X` line or None, the text after it, lines it took)."""
    first, _, rest = text.partition("\n")
    if "\r" in first:                           # old Mac line ends, or \r\n
        first, _, rest = text.partition("\r")
        if rest.startswith("\n"):
            rest = rest[1:]
    match = _SEP_LINE.fullmatch(first)
    if match is None:
        return None, text, 0
    return match.group(1), rest, 1


def _physical_lines(text: str) -> int:
    """The lines of `text` as the csv module counts them ("\r\n", "\r" and "\n" each end one)."""
    ends = text.count("\n") + text.count("\r") - text.count("\r\n")
    return ends + (1 if text and not text.endswith(("\n", "\r")) else 0)


def _one_line_records(text: str, delimiter: str) -> list[list[str]] | None:
    """Every csv record of `text` (strict) when each takes exactly one line, so record i starts on line i + 1.

    None when a record spans lines (a quoted line break) or the strict reader refuses the text: the
    caller then reads record by record, tracking where each starts. Same reader, so the same cells.
    """
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True))
    except csv.Error:
        return None
    return records if len(records) == _physical_lines(text) else None


def _parse_text(path: Path, text: str, delimiter: str, offset: int) -> list[tuple[int, list[str]]]:
    """Every csv record with its physical line; a file ending inside a quoted field is an error."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    fast = _one_line_records(text, delimiter)
    if fast is not None:
        return list(zip(range(1 + offset, len(fast) + 1 + offset), fast, strict=True))
    try:
        return [(start + offset, record) for start, record in _records(text, delimiter, strict=True)]
    except _UnterminatedQuote as exc:
        raise ImportFileError(
            f"{path.name} ends inside a quoted field at line {exc.line + offset}: the file looks truncated; "
            f"download it again."
        ) from exc
    except csv.Error:
        # sloppy quoting (text after a closing quote): read leniently, as Excel would
        return [(start + offset, record) for start, record in _records(text, delimiter, strict=False)]


def _read_text(path: Path, data: bytes) -> Grid:
    """A text export (CSV, TSV, semicolon-separated) as one Grid."""
    text, encoding = _decode(path, data)
    _check_text(path, text)
    text = text.lstrip("\ufeff")
    delimiter, body, offset = _split_sep_line(text)
    if delimiter is None:
        delimiter = _sniff_delimiter(body)
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    with paused_cycle_collection():   # a million acyclic lists and tuples: nothing for it to find
        for line, record in _parse_text(path, body, delimiter, offset):
            if any(cell.strip() for cell in record):
                record[0] = record[0].lstrip("\ufeff")
                rows.append(tuple(record))
                lines.append(line)
    if not rows:
        raise ImportFileError(f"{path.name} has no rows (only blank lines): {_AGAIN}")
    return Grid(path=path, rows=tuple(rows), line_numbers=tuple(lines), encoding=encoding, delimiter=delimiter,
                ends_with_newline=body.endswith(("\n", "\r")))
