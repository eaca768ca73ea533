"""helpers.data.read_csv_text: pyarrow's CSV reader gives the frame pandas' C reader gave, or pandas' C reader reads.

The reference is pandas' C reader with the options read_raw used before issue 22's round 6 (text columns,
utf-8-sig, pandas' missing-value words); frames are compared with their column names, dtypes and index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import config
from helpers.data import csv_separator, read_csv_text, read_raw
from helpers.errors import DataError


def c_reader(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=True, sep=csv_separator(path))


def assert_same_frame(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(got.columns) == list(expected.columns)
    assert list(map(str, got.dtypes)) == list(map(str, expected.dtypes))
    assert type(got.index) is type(expected.index) and got.index.equals(expected.index)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


FILES = {
    "Chinese text after a BOM": "\ufeffcomment_id,text\n1,你好，世界\n2,宠粉日 🎉\n",
    "missing-value words": 'a,b,c\nNA,null,\nN/A,None,nan\n x ,<NA>,"NA"\n',
    "quotes and a quoted line break": 'id,text,likes\n1,"line one\nline two, with a comma",3\n2,"he said ""hi""",4\n',
    "header only": "a,b,c\n",
    "repeated and unnamed columns": "a,a,,b\n1,2,3,4\n",
    "blank lines": "a,b\n1,2\n\n3,4\n,\n",
    "semicolons": "a;b\n1;2\n",
    "tabs": "a\tb\n1\t2\n",
    "Windows line ends": "a,b\r\n1,2\r\n",
    "spaces around names": " a , b\n1,2\n",
    "empty strings quoted": 'a,b\n"",""\n',
    # pyarrow refuses these: pandas' C reader reads them as it did (more fields: the first is the index)
    "more fields than names": "a,b\n1,2,3\n4,5\n",
    "fewer fields than names": "a,b,c\n1,2\n4,5,6\n",
}


@pytest.mark.parametrize("name", list(FILES))
def test_the_same_frame_as_pandas_c_reader(name: str, tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_bytes(FILES[name].encode("utf-8"))
    assert_same_frame(read_csv_text(path), c_reader(path))


def test_by_hand(tmp_path: Path) -> None:
    """The missing-value words are missing, a quoted "NA" too, blanks inside text stay, the BOM is gone."""
    path = tmp_path / "t.csv"
    path.write_bytes('\ufeffa,b,c\nNA,null,\n x ,评论,"NA"\n'.encode())
    frame = read_csv_text(path)
    assert list(frame.columns) == ["a", "b", "c"]
    assert frame.isna().to_numpy().tolist() == [[True, True, True], [False, False, True]]
    assert frame.loc[1, "a"] == " x " and frame.loc[1, "b"] == "评论"


def test_cells_running_past_pyarrows_blocks_are_read_by_pandas(tmp_path: Path) -> None:
    """Quoted line breaks in a file of several MB (pyarrow's chunks split them): the same rows as pandas' C reader."""
    rng = np.random.default_rng(7)
    lines = ["id,text,likes"] + [f'{i},"评论 {i}\n第二行, 还有",{i % 9}' if rng.random() < 0.3 else f"{i},v{i},{i % 9}"
                                 for i in range(120_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = read_csv_text(path)
    assert len(got) == 120_000 and got["id"].tolist()[-1] == "119999"
    assert_same_frame(got, c_reader(path))


@pytest.mark.parametrize("content", [b"", b"a,b\n\xff\xfe,2\n", "a,b\n中文,2\n".encode("gbk"),
                                     b'a,b\n"x,2\n'], ids=["empty", "invalid UTF-8", "GBK", "unterminated quote"])
def test_unreadable_files_fail_with_the_message_they_had(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_bytes(content)
    with pytest.raises((UnicodeDecodeError, ValueError)) as expected:
        c_reader(path)
    with pytest.raises(DataError) as refused:
        read_raw(path)
    assert str(refused.value) == (f"{path}: cannot be read as a table ({expected.value}). "
                                  "Save it as UTF-8 CSV or Parquet.")


@pytest.mark.parametrize("table", ["accounts", "account_daily", "posts", "ad_daily", "comments", "targets", "risks",
                                   "touchpoints", "conversions"])
def test_the_sample_tables_read_as_before(table: str) -> None:
    path = config.SAMPLE_DATA / f"{table}.csv"
    if not path.exists():
        pytest.skip(f"no sample {table}.csv")
    assert_same_frame(read_csv_text(path), c_reader(path))
