"""Raw export files → Grids: encodings, delimiters, quoting, Excel workbooks and damaged files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import xlwt

from helpers.errors import DataError
from helpers.ingest.read import read_grids
from helpers.ingest.types import ImportFileError


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """A file with exactly these bytes."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "Date,Impressions,Text\n2025-11-01,\"12,400\",héllo\n".encode())
    (grid,) = read_grids(path)
    assert grid.encoding == "utf-8" and grid.delimiter == "," and grid.sheet is None
    assert grid.rows == (("Date", "Impressions", "Text"), ("2025-11-01", "12,400", "héllo"))
    assert grid.line_numbers == (1, 2)
    assert grid.where == "x.csv"


def test_utf8_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n,\r\n3,4\r\n")
    (grid,) = read_grids(path)
    assert grid.encoding == "utf-8-sig"
    assert grid.rows == (("a", "b"), ("1", "2"), ("3", "4"))
    assert grid.line_numbers == (1, 2, 5)


def test_utf16_with_bom_tab_separated(tmp_path: Path) -> None:
    text = "视频标题\t播放量\t完播率\r\n第一条\t1.2万\t5.2%\r\nSecond\t300\t1%\r\n"
    path = write(tmp_path, "unicode.txt", b"\xff\xfe" + text.encode("utf-16-le"))
    (grid,) = read_grids(path)
    assert grid.encoding == "utf-16" and grid.delimiter == "\t"
    assert grid.rows[0] == ("视频标题", "播放量", "完播率")
    assert grid.rows[1] == ("第一条", "1.2万", "5.2%")
    assert grid.line_numbers == (1, 2, 3)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    path = write(tmp_path, "nobom.csv", "Date\tViews\n2025-11-01\t12\n".encode(codec))
    (grid,) = read_grids(path)
    assert grid.encoding == "utf-16"
    assert grid.rows == (("Date", "Views"), ("2025-11-01", "12"))


def test_gb18030_chinese_headers(tmp_path: Path) -> None:
    text = "作品名称,发布时间,播放量,点赞量\n秋天的第一杯奶茶,2025-11-01 20:15,1.2万,300\n"
    path = write(tmp_path, "douyin.csv", text.encode("gb18030"))
    (grid,) = read_grids(path)
    assert grid.encoding == "gb18030"
    assert grid.rows[0] == ("作品名称", "发布时间", "播放量", "点赞量")
    assert grid.rows[1][0] == "秋天的第一杯奶茶"


def test_sep_line_and_title_line(tmp_path: Path) -> None:
    text = 'sep=,\n"Facebook Page reach"\nDate,Primary\n2025-11-01,120\n2025-11-02,130\n'
    path = write(tmp_path, "reach.csv", text.encode())
    (grid,) = read_grids(path)
    assert grid.delimiter == ","
    assert grid.rows == (("Facebook Page reach",), ("Date", "Primary"), ("2025-11-01", "120"), ("2025-11-02", "130"))
    assert grid.line_numbers == (2, 3, 4, 5)


def test_quoted_sep_line_sets_semicolon(tmp_path: Path) -> None:
    path = write(tmp_path, "semi.csv", b'"sep=;"\r\na;b,c\r\n1;2,5\r\n')
    (grid,) = read_grids(path)
    assert grid.delimiter == ";"
    assert grid.rows == (("a", "b,c"), ("1", "2,5"))
    assert grid.line_numbers == (2, 3)


def test_delimiter_sniffing(tmp_path: Path) -> None:
    semi = write(tmp_path, "semi.csv", b"Datum;Aufrufe;Text\n01.11.2025;12,5;a, b\n02.11.2025;13;c\n")
    assert read_grids(semi)[0].delimiter == ";"
    tab = write(tmp_path, "tab.txt", b"Title\tViews\nHello, world\t12,400\nBye\t3\n")
    (grid,) = read_grids(tab)
    assert grid.delimiter == "\t" and grid.rows[1] == ("Hello, world", "12,400")
    single = write(tmp_path, "one.csv", b"Views\n12\n13\n")
    (grid,) = read_grids(single)
    assert grid.delimiter == "," and grid.rows == (("Views",), ("12",), ("13",))


def test_embedded_newline_keeps_physical_line_numbers(tmp_path: Path) -> None:
    text = 'Post,Views\n"line one\nline two\nline three",12\nnext,13\n\nlast,14\n'
    path = write(tmp_path, "multi.csv", text.encode())
    (grid,) = read_grids(path)
    assert grid.rows[1] == ("line one\nline two\nline three", "12")
    assert grid.line_numbers == (1, 2, 5, 7)


def test_truncated_csv_unterminated_quote(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.csv", b'Post,Views\nok,1\n"this caption was cut off\nhalfway')
    with pytest.raises(ImportFileError, match=r"cut\.csv ends inside a quoted field at line 3.*truncated"):
        read_grids(path)


def test_sloppy_quotes_are_read_leniently(tmp_path: Path) -> None:
    path = write(tmp_path, "sloppy.csv", b'Post,Views\n"quoted" tail,1\nsize 5" screen,2\n')
    (grid,) = read_grids(path)
    assert grid.rows[1] == ("quoted tail", "1")
    assert grid.rows[2] == ('size 5" screen', "2")


def test_stray_bom_in_first_cell(tmp_path: Path) -> None:
    # a BOM after a sep line (the file was concatenated / re-saved)
    path = write(tmp_path, "stray.csv", "sep=,\n\ufeffDate,Views\n2025-11-01,3\n".encode())
    (grid,) = read_grids(path)
    assert grid.rows[0] == ("Date", "Views")


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "blob.csv", bytes(range(256)) * 10)
    with pytest.raises(ImportFileError, match=r"blob\.csv is not a text or Excel export \(binary content\)"):
        read_grids(path)


def test_binary_without_nul_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "ctrl.csv", bytes(range(1, 32)) * 50)
    with pytest.raises(ImportFileError, match="binary content"):
        read_grids(path)


def test_undecodable_text(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", b"a,b\n\x80\xff,\xfe\x80\n")
    with pytest.raises(ImportFileError, match=r"bad\.csv.*UTF-8.*GB18030"):
        read_grids(path)


def test_html_disguised_as_xls(tmp_path: Path) -> None:
    path = write(tmp_path, "export.xls", b"<html><body><table><tr><td>a</td></tr></table></body></html>")
    with pytest.raises(ImportFileError, match=r"export\.xls is a web page.*save it as \.xlsx or CSV"):
        read_grids(path)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.csv", b"")
    with pytest.raises(ImportFileError, match=r"empty\.csv is empty \(0 bytes\): download the export again"):
        read_grids(path)


def test_blank_only_file(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.csv", b"\n\n  \n")
    with pytest.raises(ImportFileError, match="no rows"):
        read_grids(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"nope\.csv: no such file"):
        read_grids(tmp_path / "nope.csv")
    with pytest.raises(ImportFileError, match="folder"):
        read_grids(tmp_path)
    assert issubclass(ImportFileError, DataError)


def _workbook(path: Path) -> Path:
    """An xlsx with a data sheet (title line, gap row), an empty sheet and a second data sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "All posts"
    sheet["A1"] = "Post performance"
    sheet.append([])
    sheet.append(["Published", "Views", "Rate", "Watch", "Live", "Note"])
    sheet.append([dt.datetime(2025, 11, 1, 20, 15), 12400.0, 0.052, dt.timedelta(seconds=83), True, None])
    sheet.append([dt.date(2025, 11, 2), 7, 1 / 3, None, False, "x"])
    book.create_sheet("Empty")
    other = book.create_sheet("Daily")
    other.append(["Date", "Followers"])
    other.append([dt.datetime(2025, 11, 1), 1000])
    book.save(path)
    return path


def test_xlsx_two_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "posts.dat")                     # the extension does not matter
    posts, daily = read_grids(path)
    assert posts.encoding == "xlsx" and posts.delimiter is None and posts.sheet == "All posts"
    assert posts.where == 'posts.dat, sheet "All posts"'
    assert posts.rows == (
        ("Post performance",),
        ("Published", "Views", "Rate", "Watch", "Live", "Note"),
        ("2025-11-01 20:15:00", "12400", "0.052", "0:01:23", "TRUE"),
        ("2025-11-02", "7", repr(1 / 3), "", "FALSE", "x"),
    )
    assert posts.line_numbers == (1, 3, 4, 5)
    assert daily.sheet == "Daily"
    assert daily.rows == (("Date", "Followers"), ("2025-11-01", "1000"))


def test_xls(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Videos")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    for col, header in enumerate(["视频标题", "发布时间", "播放量", "完播率"]):
        sheet.write(1, col, header)
    sheet.write(2, 0, "第一条")
    sheet.write(2, 1, dt.datetime(2025, 11, 1, 20, 15), date_style)
    sheet.write(2, 2, 12400.0)
    sheet.write(2, 3, 0.25)
    sheet.write(4, 0, "第二条")
    sheet.write(4, 2, 3)
    book.add_sheet("Blank")
    path = tmp_path / "videos.xls"
    book.save(str(path))
    (grid,) = read_grids(path)
    assert grid.encoding == "xls" and grid.sheet == "Videos"
    assert grid.rows == (("视频标题", "发布时间", "播放量", "完播率"),
                         ("第一条", "2025-11-01 20:15:00", "12400", "0.25"), ("第二条", "", "3"))
    assert grid.line_numbers == (2, 3, 5)


def test_percent_formatted_numbers_read_as_excel_shows_them(tmp_path: Path) -> None:
    # YouTube's "(%)" columns hold 5.2 for 5.2 %, but a workbook may hold 0.052 shown as "5.2%"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Impressions click-through rate (%)", "Plain", "Quoted percent"])
    for value, plain, literal in ((0.052, 0.052, 5.0), (0.07, 7, 12.5), (1, 0.5, 3.0)):
        sheet.append([value, plain, literal])
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = "0.0%"
        row[2].number_format = '0.0" %"' if row[0].row == 3 else '0.0"%"'   # a literal "%": already in percent
    book.save(tmp_path / "table.xlsx")
    (grid,) = read_grids(tmp_path / "table.xlsx")
    # 0.052 × 100 = 5.2; 0.07 × 100 = 7 (7.000000000000001 in floating point, rounded); 1 × 100 = 100
    assert [row[0] for row in grid.rows[1:]] == ["5.2%", "7%", "100%"]
    assert [row[1] for row in grid.rows[1:]] == ["0.052", "7", "0.5"]
    assert [row[2] for row in grid.rows[1:]] == ["5", "12.5", "3"]

    legacy = xlwt.Workbook()
    sheet = legacy.add_sheet("Metrics")
    sheet.write(0, 0, "Engagement rate (total)")
    sheet.write(1, 0, 0.0345, xlwt.easyxf(num_format_str="0.00%"))
    sheet.write(2, 0, 0.0345)
    legacy.save(str(tmp_path / "metrics.xls"))
    (grid,) = read_grids(tmp_path / "metrics.xls")
    assert grid.rows[1:] == (("3.45%",), ("0.0345",))


def test_truncated_xlsx(tmp_path: Path) -> None:
    data = _workbook(tmp_path / "full.xlsx").read_bytes()
    path = write(tmp_path, "half.xlsx", data[: len(data) // 2])
    with pytest.raises(ImportFileError,
                       match=r"half\.xlsx cannot be opened as an Excel file \(damaged or truncated\?\)"):
        read_grids(path)


def test_truncated_xls(tmp_path: Path) -> None:
    book = xlwt.Workbook()
    book.add_sheet("S").write(0, 0, "a")
    book.save(str(tmp_path / "full.xls"))
    data = (tmp_path / "full.xls").read_bytes()
    path = write(tmp_path, "half.xls", data[: len(data) // 2])
    with pytest.raises(ImportFileError, match="cannot be opened as an Excel file"):
        read_grids(path)


def test_zip_archive_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Content.csv", "a,b\n1,2\n")
    with pytest.raises(ImportFileError, match="zip archive.*unzip it"):
        read_grids(path)


def test_workbook_with_only_empty_sheets(tmp_path: Path) -> None:
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ImportFileError, match="every sheet is empty"):
        read_grids(path)


def test_ends_with_newline_tells_a_cut_download(tmp_path: Path) -> None:
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"Date,Views\n2025-11-01,3\n2025-11-02")
    whole = tmp_path / "whole.csv"
    whole.write_bytes(b"Date,Views\r\n2025-11-01,3\r\n")
    assert read_grids(cut)[0].ends_with_newline is False
    assert read_grids(whole)[0].ends_with_newline is True
