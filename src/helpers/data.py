"""Load the schema's tables from CSV or Parquet and validate them, with errors a person can act on.

Every problem names the file, the column, what is wrong, the first offending rows (as line
numbers of the file, header = line 1) and what to do. Problems that leave the data usable (an
optional metric column absent) are warnings; the rest stop the load with a DataError.
"""

from __future__ import annotations

import gzip
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from helpers import config
from helpers.errors import DataError, ParameterError
from helpers.i18n import _, ngettext
from helpers.periods import latest_complete_period
from helpers.schema import TABLES, ColumnSpec, TableSpec, pandera_schema
from helpers.timezones import account_zones, parse_local_times, row_zones, unknown_zones

SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".parquet")
MAX_ROWS_SHOWN = 5
TEXT_KINDS = ("id", "text", "category", "period")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
#: What to do with a number a data folder cannot read ('1.2万', '--', '28%'): the canonical CSV holds plain
#: numbers; `opsbook import` converts the platforms' own spellings.
NUMBER_HINT = ("Write plain numbers: 1.2万 as 12000, 28% as 0.28 for a rate, and leave a cell empty for no data "
               "('--'); or import the platform's export with `opsbook import`, which converts these")


class DataWarning(UserWarning):
    """Data is usable but incomplete (e.g. an optional metric is absent): results say 'missing'."""


class LeftOutRowsWarning(DataWarning):
    """Rows were left out of the analysis (suspect dates); the warning carries its Problem (`.problem`).

    A DataWarning, so the notebooks' filters keep it out of a report's cells: reports state it through the
    run's data notes (`DataNote`, recorded by `load_tables`), in the run's language.
    """

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


#: A date more than this many days after the rest of its account's rows (across a gap with no rows) is suspect ...
FAR_DAYS = 60
#: ... when the rows past the gap are at most this share of the account's rows in the table.
FAR_TAIL_SHARE = 0.01
#: ... or when they are a single row of an account with at least this many rows in the table.
FAR_MIN_ROWS = 30
#: Days after today (the run's clock) that are still plausible: an account east of the clock's zone is a day ahead.
TODAY_SLACK_DAYS = 1
#: How the problem of rows left out on loading ends, and the problem of an optional table without rows.
LEFT_OUT_SUFFIX = "left out of the analysis"
EMPTY_TABLE_PROBLEM = "no rows: read as no data for this table"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one column of one file, with the rows where it happens."""

    table: str
    file: str
    column: str | None
    problem: str
    rows: tuple[int, ...] = ()
    examples: tuple[str, ...] = ()
    n_rows: int = 0
    severity: Literal["error", "warning"] = "error"
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}" + (f", column '{self.column}'" if self.column else "")
        text = f"{where}: {self.problem}"
        if self.rows:
            more = f" (and {self.n_rows - len(self.rows)} more)" if self.n_rows > len(self.rows) else ""
            text += f"; {self.n_rows} row(s), first at line(s) {', '.join(map(str, self.rows))}{more}"
        if self.examples:
            text += f"; values: {', '.join(repr(e) for e in self.examples)}"
        if self.hint:
            text += f". {self.hint}"
        return text


@dataclass
class LoadResult:
    """A parsed table and the problems found while parsing and checking it."""

    table: str
    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems that make the table unusable."""
        return [p for p in self.problems if p.severity == "error"]


def format_problems(problems: Iterable[Problem]) -> str:
    """Problems as a readable list, errors first."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.table))
    return "\n".join(f"  [{p.severity}] {p}" for p in ordered)


def find_table_file(table: str, data_dir: Path) -> Path | None:
    """The file holding a table in a data folder (<table>.csv, .csv.gz or .parquet), if any."""
    for suffix in SUFFIXES:
        path = data_dir / f"{table}{suffix}"
        if path.exists():
            return path
    return None


def _line_numbers(index: pd.Index) -> tuple[tuple[int, ...], int]:
    """File line numbers of the first offending rows (header is line 1) and how many rows there are."""
    lines = [int(i) + 2 for i in index[:MAX_ROWS_SHOWN]]
    return tuple(lines), len(index)


def _examples(values: pd.Series) -> tuple[str, ...]:
    return tuple(str(v) for v in values.drop_duplicates().head(3))


def csv_separator(path: Path) -> str:
    """The field separator of a CSV: ',' unless the header has none and has ';' or a tab (Excel in many locales)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
    except (UnicodeDecodeError, OSError):  # read_csv says what is wrong with the file
        return ","
    if "," in header:
        return ","
    return max((";", "\t"), key=header.count) if (";" in header or "\t" in header) else ","


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV file as text columns (BOM tolerated, ',' or ';' or tab separated, pandas' missing-value words).

    pyarrow's reader (about half the time of pandas' own on the review's tables, issue 22) gives the same frame
    as pandas' C reader on well-formed files (tests/test_data_read_raw.py compares them: Chinese text, BOM,
    missing-value words, quotes, quoted line breaks, blank lines, repeated and unnamed columns, header only).
    Whatever pyarrow refuses (rows with more or fewer fields than the header, cells running past its blocks,
    text that is not UTF-8, an empty file) is read again by pandas' C reader, so a file reads, or fails with
    the message, exactly as before.
    """
    options: dict[str, Any] = {"dtype": str, "encoding": "utf-8-sig", "keep_default_na": True,
                               "sep": csv_separator(path)}
    try:
        return pd.read_csv(path, engine="pyarrow", **options)
    except Exception:  # any refusal: pandas' C reader decides, with its own result or message
        return pd.read_csv(path, **options)


def read_raw(path: Path) -> pd.DataFrame:
    """Read a CSV (as text, BOM tolerated, ',' or ';' or tab separated) or Parquet file without interpreting values."""
    try:
        if path.name.endswith(".parquet"):
            frame = pd.read_parquet(path)
        else:
            frame = read_csv_text(path)
    except (UnicodeDecodeError, ValueError, OSError) as exc:  # pragma: no cover - message path
        raise DataError(f"{path}: cannot be read as a table ({exc}). Save it as UTF-8 CSV or Parquet.") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def parse_numbers(raw: pd.Series) -> pd.Series:
    """Numbers as float64; what is not a number becomes missing (`pd.to_numeric(errors="coerce")`'s result).

    Text read by pyarrow is cast by pyarrow's parser first (~1.5 ms -> ~0.05 ms for a column of 9k rows,
    issue 22); missing cells stay missing; a column it refuses ('1.2万', '28%', ' 1', full-width digits) or
    where it finds a negative zero (pandas reads '-0' of an all-integer column as 0) is read by `pd.to_numeric`, so the
    result is the same float64 values (tests/test_data_parse_numbers.py compares them on odd and random text).
    """
    values = raw.array
    if isinstance(values, pd.arrays.ArrowStringArray) and len(values):
        try:
            cast = pc.cast(pyarrow.array(values), pyarrow.float64())  # pandas' arrow data, not copied
        except pyarrow.ArrowInvalid:
            cast = None
        if cast is not None:
            numbers = np.array(cast.to_numpy(zero_copy_only=False), dtype="float64")  # writable, nulls as NaN
            numbers[np.isnan(numbers)] = np.nan  # '-nan' is NaN, as pandas makes it (no sign)
            if not (np.signbit(numbers) & (numbers == 0)).any():
                return pd.Series(numbers, index=raw.index, name=raw.name, dtype="float64")
    return pd.to_numeric(raw, errors="coerce").astype("float64")


def _parse_column(raw: pd.Series, col: ColumnSpec, zones: pd.Series) -> pd.Series:
    """A column converted to the type of its kind; values that cannot be converted become missing.

    Timestamps become naive local time; those with a UTC offset are converted to their row's zone.
    """
    if col.kind == "date":
        return parse_local_times(raw, zones)
    if col.kind in ("count", "amount", "rate", "number", "score"):
        return parse_numbers(raw)
    if col.kind == "bool":
        if pd.api.types.is_bool_dtype(raw):
            return raw.astype("boolean")
        text = raw.astype("string").str.strip().str.lower()
        out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        out[text.isin(_TRUE)] = True
        out[text.isin(_FALSE)] = False
        return out
    text = raw.astype("str").str.strip()
    return text.mask(text == "")


def present_values(original: pd.Series, parsed: pd.Series) -> pd.Series:
    """Which cells of a number, date or bool column hold a value: not missing, and not blank text.

    A cell that parsed holds text that is not blank (blank text parses as missing), so only the cells that
    did not parse are looked at for blanks: the same answer as stripping every cell (issue 22, ~2 ms a
    column of 9k rows; tests/test_data_parse_numbers.py compares them).
    """
    present = np.array(original.notna(), dtype=bool)  # a writable copy
    if pd.api.types.is_string_dtype(original) or original.dtype == object:  # blank text is missing too
        unread = present & parsed.isna().to_numpy(dtype=bool)
        if unread.any():
            present[unread] = (original[unread].astype("str").str.strip() != "").to_numpy(dtype=bool)
    return pd.Series(present, index=original.index)


def parse_table(raw: pd.DataFrame, spec: TableSpec, file: str, zones: pd.Series | None = None) -> LoadResult:
    """Parse a raw table by the schema and collect every problem (missing columns, bad values, keys).

    Timestamps with a UTC offset become naive local time of their row's account (`zones`, from
    `timezones.account_zones`), or of the default zone when the table has no account.
    """
    problems: list[Problem] = []
    missing = [c for c in spec.required if c not in raw.columns]
    if missing:
        problems.append(Problem(
            spec.name, file, ", ".join(missing), "required column(s) missing",
            hint=f"The file has: {', '.join(raw.columns)}. Rename or add the column(s); see DESIGN.md's schema.",
        ))
    absent = [c.name for c in spec.columns
              if not c.required and c.name not in raw.columns and c.kind in ("count", "amount", "rate")]
    if absent:
        problems.append(Problem(
            spec.name, file, ", ".join(absent),
            "optional metric column(s) absent: results that need them show as missing", severity="warning",
        ))
    frame = raw.copy()
    zones_of_rows = row_zones(frame["account_id"].astype("string").str.strip(), zones) \
        if "account_id" in frame.columns else row_zones(pd.Series(pd.NA, index=frame.index, dtype="string"), None)
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        original = frame[col.name]
        parsed = _parse_column(original, col, zones_of_rows)
        present = parsed.notna() if col.kind in TEXT_KINDS else present_values(original, parsed)
        failed = present & parsed.isna()
        if failed.any():
            rows, n = _line_numbers(failed[failed].index)
            what = {"date": "unparsable date (use ISO 8601, e.g. 2026-10-31 or 2026-10-31T20:15:00)",
                    "bool": "not a true/false value"}.get(col.kind, "not a number")
            hint = "" if col.kind in ("date", "bool") else NUMBER_HINT
            problems.append(Problem(spec.name, file, col.name, what, rows, _examples(original[failed]), n, hint=hint))
        if not col.nullable:
            empty = ~present
            if empty.any():
                rows, n = _line_numbers(empty[empty].index)
                problems.append(Problem(spec.name, file, col.name, "missing value in a required column", rows, (), n,
                                        hint="Fill it in or remove the row."))
        frame[col.name] = parsed
    if any(p.severity == "error" for p in problems):
        return LoadResult(spec.name, None, problems)
    if spec.name == "accounts":
        problems.extend(_check_zones(frame, file))
    problems.extend(_check_values(frame, spec, file))
    ok = not any(p.severity == "error" for p in problems)
    if ok and frame.empty:
        if spec.may_be_empty:  # an optional table: a header-only file is the same as no file
            problems.append(Problem(spec.name, file, None, EMPTY_TABLE_PROBLEM,
                                    severity="warning",
                                    hint="Export a period with data if the table should have some."))
        else:
            problems.append(Problem(spec.name, file, None, "the table has no rows", hint="Export a period with data."))
            ok = False
    return LoadResult(spec.name, frame if ok else None, problems)


def today() -> pd.Timestamp:
    """The run's day: $OPSBOOK_TODAY (YYYY-MM-DD, for tests and re-runs) or the machine's clock."""
    fixed = os.environ.get("OPSBOOK_TODAY", "").strip()
    return pd.Timestamp(fixed).normalize() if fixed else pd.Timestamp.now().normalize()


def suspect_date_rows(days: pd.Series, groups: pd.Series | None, on: pd.Timestamp) -> pd.Series:
    """Rows whose date lies after the data's reasonable end (True = suspect), per group (account).

    A date is suspect when it is after `on` (today) + TODAY_SLACK_DAYS, or when it lies past a gap of
    more than FAR_DAYS days with no rows of its group and the rows past that gap are at most
    FAR_TAIL_SHARE of the group's rows, or a single row of a group of at least FAR_MIN_ROWS rows (one
    typo such as 2027-10-15 among months of daily rows; an account that paused and came back has more
    than that after the pause). Missing dates are never suspect (the parser reports them).
    """
    day = days.dt.normalize()
    suspect = day > on + pd.Timedelta(days=TODAY_SLACK_DAYS)
    keys = groups.fillna("") if groups is not None else pd.Series("", index=days.index)
    if not _has_far_gap(day[~suspect & day.notna()], keys[~suspect & day.notna()]):
        return suspect.fillna(False).astype(bool)  # no gap of more than FAR_DAYS: nothing past one
    for _key, rows in day[~suspect & day.notna()].groupby(keys[~suspect & day.notna()]):
        unique = pd.Series(rows.unique()).sort_values().reset_index(drop=True)
        gaps = unique.diff().dt.days
        for position in gaps.index[gaps > FAR_DAYS][::-1]:  # the latest gap first
            tail = rows >= unique[position]
            if tail.sum() > max(FAR_TAIL_SHARE * len(rows), 1 if len(rows) >= FAR_MIN_ROWS else 0):
                break
            suspect.loc[tail[tail].index] = True
    return suspect.fillna(False).astype(bool)


def _has_far_gap(days: pd.Series, keys: pd.Series) -> bool:
    """Whether some group's dates (normalised, none missing) have a gap of more than FAR_DAYS days.

    One sort of all rows by (group, day) instead of a loop over the groups: most tables have no such gap,
    and then suspect_date_rows has nothing to look at past today (issue 22, ~26 -> ~8 ms a review load).
    """
    if days.empty:
        return False
    codes = pd.factorize(keys)[0].astype("int64")
    day_numbers = days.to_numpy(dtype="datetime64[ns]").astype("int64") // (86_400 * 10**9)  # whole days
    pairs = np.sort(pd.unique(codes * 2**32 + (day_numbers + 2**31)))  # each (group, day) once, in order
    same_group = (pairs[1:] >> 32) == (pairs[:-1] >> 32)
    return bool((same_group & (np.diff(pairs) > FAR_DAYS)).any())


def _suspect_dates(frame: pd.DataFrame, spec: TableSpec, file: str,
                   on: pd.Timestamp) -> tuple[pd.DataFrame, list[Problem]]:
    """The table without its rows dated after the data's end, and the warning naming them (lines, values)."""
    column = spec.time_column
    if column is None or column not in frame.columns or frame.empty:
        return frame, []
    groups = frame["account_id"] if "account_id" in frame.columns else (
        frame["kol_id"] if "kol_id" in frame.columns else None)
    suspect = suspect_date_rows(frame[column], groups, on)
    if not suspect.any():
        return frame, []
    rows, n = _line_numbers(suspect[suspect].index)
    values = frame.loc[suspect, column].dt.strftime("%Y-%m-%d")
    kept_end = frame.loc[~suspect, column].max()
    end = "" if pd.isna(kept_end) else f"; the other rows end on {kept_end:%Y-%m-%d}"
    problem = Problem(
        spec.name, file, column,
        f"date after the data's reasonable end (after today, {on:%Y-%m-%d}, or more than {FAR_DAYS} days after "
        f"the rest of its account's rows{end}): {LEFT_OUT_SUFFIX}",
        rows, _examples(values), n, severity="warning",
        hint="Correct the date (a typo such as 2027 for 2026?) or remove the row; until then it is not counted.")
    return frame.loc[~suspect], [problem]


def left_out_note(problem: Problem) -> str:
    """A left-out-rows problem as one line of a report, in the run's language."""
    lines = ", ".join(map(str, problem.rows))
    more = ngettext("{n} row dated after the data's end", "{n} rows dated after the data's end",
                    problem.n_rows).format(n=problem.n_rows)
    return _("{file}, column {column}: {rows} left out (line(s) {lines}; dates {values}). "
             "Correct the dates and run again.").format(
        file=Path(problem.file).name, column=problem.column, rows=more, lines=lines,
        values=", ".join(problem.examples))


@dataclass(frozen=True)
class DataNote:
    """Something a report must state about its data: rows left out on loading, or an optional table with no rows.

    The loading step (`load_tables`) records one per problem of these kinds; `RunOutputs` shows them in the
    notebook's set-up output and writes them to summary.json `data_notes` (`record()`). The warnings that an
    optional metric column is absent are not notes: each section that needs the metric shows it as missing.
    """

    table: str
    file: str
    column: str | None
    what: Literal["left_out_dates", "empty_table"]
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    values: tuple[str, ...] = ()
    problem: Problem | None = field(default=None, compare=False, repr=False)

    def text(self) -> str:
        """The note as one line of a report, in the run's language."""
        if self.what == "left_out_dates" and self.problem is not None:
            return left_out_note(self.problem)
        return _("{file}: no rows, so this table is read as no data (its sections say so).").format(
            file=Path(self.file).name)

    def record(self) -> dict[str, object]:
        """The note for summary.json: file, table, column, what, rows (line numbers), n_rows, values, text."""
        return {"file": Path(self.file).name, "table": self.table, "column": self.column, "what": self.what,
                "rows": list(self.rows), "n_rows": self.n_rows, "values": list(self.values), "text": self.text()}


_NOTES: list[DataNote] = []  # the run's data notes, recorded by load_tables, taken by RunOutputs


def data_note(problem: Problem) -> DataNote | None:
    """The data note of a loading problem (left-out rows, an empty optional table), or None for other problems."""
    if problem.severity != "warning":
        return None
    if problem.problem.endswith(LEFT_OUT_SUFFIX):
        return DataNote(problem.table, problem.file, problem.column, "left_out_dates", problem.rows, problem.n_rows,
                        problem.examples, problem)
    if problem.problem == EMPTY_TABLE_PROBLEM:
        return DataNote(problem.table, problem.file, None, "empty_table", problem=problem)
    return None


def record_data_notes(problems: Iterable[Problem]) -> list[DataNote]:
    """Record the data notes among `problems` for the run (once each, however often a table is loaded)."""
    notes = [n for n in (data_note(p) for p in problems) if n is not None]
    for note in notes:
        if note not in _NOTES:
            _NOTES.append(note)
    return notes


def take_data_notes() -> list[DataNote]:
    """The data notes recorded since the last call (a run's loading step), emptying the record."""
    notes = list(_NOTES)
    _NOTES.clear()
    return notes


def data_notes_text(notes: Iterable[DataNote]) -> str:
    """The notes as the set-up output's block ("Data notes:" and one line each), or "" when there are none."""
    lines = [note.text() for note in notes]
    if not lines:
        return ""
    return "\n".join([_("Data notes:"), *(f"- {line}" for line in lines)])


def duplicate_key_rows(frame: pd.DataFrame, spec: TableSpec, file: str) -> list[Problem]:
    """Rows sharing a composite key (e.g. account_id + date), reported once with their lines."""
    key = [k for k in spec.key if k in frame.columns]
    if len(key) < 2:
        return []
    dup = frame.duplicated(subset=key, keep=False)
    if not dup.any():
        return []
    rows, n = _line_numbers(dup[dup].index)
    examples = tuple(" / ".join(map(str, v)) for v in frame.loc[dup, key].head(3).itertuples(index=False))
    return [Problem(spec.name, file, ", ".join(key), "duplicate id (the same key on several rows)", rows, examples, n,
                    hint="Keep one row per key, or aggregate the duplicates.")]


def _check_values(frame: pd.DataFrame, spec: TableSpec, file: str) -> list[Problem]:
    """Value problems (ranges, allowed values, duplicate keys), one per column and check."""
    duplicates = duplicate_key_rows(frame, spec, file)
    try:
        pandera_schema(spec, present=list(frame.columns)).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        problems = []
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
            index = pd.Index(group["index"].dropna().astype(int).sort_values().unique())
            rows, n = _line_numbers(index)
            label = "duplicate id" if "uniqueness" in str(check) or "duplicates" in str(check) else str(check)
            col_name = None if pd.isna(column) else str(column)
            if col_name == spec.name or (col_name is None and spec.key):
                col_name = ", ".join(spec.key)
            failures = _examples(group["failure_case"].dropna())
            problems.append(Problem(spec.name, file, col_name, label, rows, failures, n))
        return problems + duplicates
    return duplicates


def _check_zones(accounts: pd.DataFrame, file: str) -> list[Problem]:
    """Accounts whose timezone the IANA database does not know."""
    bad = unknown_zones(accounts)
    if bad.empty:
        return []
    rows, n = _line_numbers(bad.index)
    examples = tuple(f"{a}: {z}" for a, z in bad[["account_id", "timezone"]].head(3).itertuples(index=False))
    return [Problem("accounts", file, "timezone", "unknown time zone", rows, examples, n,
                    hint="Use an IANA name such as Asia/Shanghai or Europe/London, or leave it empty for "
                         "Asia/Shanghai.")]


def _check_references(frame: pd.DataFrame, spec: TableSpec, file: str, column: str, known: set[str],
                      parent: str) -> list[Problem]:
    """Rows whose id in `column` (account_id, kol_id) is not in the parent table (accounts, kols)."""
    unknown = ~frame[column].isin(known)
    if not unknown.any():
        return []
    rows, n = _line_numbers(unknown[unknown].index)
    what = "account" if parent == "accounts" else "KOL"
    return [Problem(spec.name, file, column, f"unknown {what} (not in {parent})", rows,
                    _examples(frame.loc[unknown, column]), n,
                    hint=f"Add the {what} to {parent}.csv or fix the id.")]


def _check_accounts(frame: pd.DataFrame, spec: TableSpec, file: str, known: set[str]) -> list[Problem]:
    """Rows whose account_id is not in the accounts table."""
    return _check_references(frame, spec, file, "account_id", known, "accounts")


def missing_file(table: str, data_dir: Path) -> Problem:
    """The problem of a data folder without a file for a table, with where to put it."""
    return Problem(table, str(data_dir / f"{table}.csv"), None, "file not found",
                   hint=f"Put {table}.csv (or .parquet) in {data_dir}; it holds one row per {TABLES[table].grain}.")


def _problems_error(folder: Path, errors: list[Problem]) -> DataError:
    """One DataError listing every error found in a data folder."""
    return DataError(f"The data in {folder} has {len(errors)} problem(s):\n" + format_problems(errors))


def existing_folder(data_dir: str | Path | None = None) -> Path:
    """The data folder a parameter names (see config.data_dir); DataError when it does not exist."""
    folder = config.data_dir(data_dir)
    if not folder.is_dir():
        raise DataError(f"Data folder {folder} does not exist. Pass --data DIR (or data_dir) pointing at "
                        "a folder of CSV/Parquet files; `opsbook sample-data` creates the sample set.")
    return folder


def check_files(tables: Iterable[str], data_dir: str | Path | None = None) -> Path:
    """The data folder, once it exists and has a file for every table (nothing is read: a check before loading)."""
    folder = existing_folder(data_dir)
    missing = [missing_file(t, folder) for t in tables if find_table_file(t, folder) is None]
    if missing:
        raise _problems_error(folder, missing)
    return folder


def read_table(table: str, data_dir: Path, known_accounts: set[str] | None = None,
               zones: pd.Series | None = None, known_kols: set[str] | None = None,
               on: pd.Timestamp | None = None) -> LoadResult:
    """Read, parse and check one table of a data folder; never raises for data problems.

    Ids are checked against `known_accounts` (account_id) and `known_kols` (kol_id) when given.
    Rows dated after the data's reasonable end (`suspect_date_rows`, with `on` = today unless given)
    are left out of the frame, with a warning naming their lines.
    """
    spec = TABLES[table]
    path = find_table_file(table, data_dir)
    if path is None:
        return LoadResult(table, None, [missing_file(table, data_dir)])
    result = parse_table(read_raw(path), spec, str(path), zones)
    if result.frame is None:
        return result
    reference_problems: list[Problem] = []
    if known_accounts is not None and spec.references_accounts:
        reference_problems += _check_accounts(result.frame, spec, str(path), known_accounts)
    if known_kols is not None and spec.references_kols:
        reference_problems += _check_references(result.frame, spec, str(path), "kol_id", known_kols, "kols")
    if reference_problems:
        return LoadResult(table, None, result.problems + reference_problems)
    kept, suspect = _suspect_dates(result.frame, spec, str(path), today() if on is None else on)
    kept.attrs["file"] = str(path)  # later checks on the frame name the file (its index gives the lines)
    return LoadResult(table, kept, result.problems + suspect)


def load_tables(tables: Iterable[str], data_dir: str | Path | None = None,
                notes: bool = True) -> dict[str, pd.DataFrame]:
    """Load and validate the given tables (plus accounts when they refer to it); one DataError lists every error.

    Left-out rows and empty optional tables are recorded as the run's data notes (`take_data_notes`) unless
    `notes` is False (a parameter check before the run's own load).
    """
    folder = existing_folder(data_dir)
    requested = [t for t in tables if t != "accounts"]
    unknown = [t for t in requested if t not in TABLES]
    if unknown:
        raise DataError(f"Unknown table(s) {unknown}; the schema has {sorted(TABLES)}.")
    needs_accounts = "accounts" in tables or any(TABLES[t].references_accounts for t in requested)
    needs_kols = any(TABLES[t].references_kols for t in requested)
    requested = (["kols"] if needs_kols or "kols" in requested else []) + [t for t in requested if t != "kols"]
    names = (["accounts"] if needs_accounts else []) + requested
    results: dict[str, LoadResult] = {}
    known: set[str] | None = None
    kols: set[str] | None = None
    zones: pd.Series | None = None
    for name in names:
        results[name] = read_table(name, folder, known, zones, kols)
        frame = results[name].frame
        if name == "accounts" and frame is not None:
            known = set(frame["account_id"])
            zones = account_zones(frame) if unknown_zones(frame).empty else None
        if name == "kols" and frame is not None:
            kols = set(frame["kol_id"])
    problems = [p for r in results.values() for p in r.problems]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise _problems_error(folder, errors)
    if notes:
        record_data_notes(problems)
    for p in problems:
        if p.severity == "warning" and p.problem.endswith(LEFT_OUT_SUFFIX):
            warnings.warn(LeftOutRowsWarning(p), stacklevel=2)
        else:
            warnings.warn(str(p), DataWarning, stacklevel=2)
    return {name: r.frame for name, r in results.items() if r.frame is not None}


def load_checked_tables(tables: Iterable[str], data_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """load_tables for a parameter check: the same errors, its warnings left to the run's full load."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return load_tables(tables, data_dir, notes=False)


def load_table(table: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load and validate one table (checking account ids against accounts when it refers to them)."""
    if table not in TABLES:
        raise DataError(f"Unknown table {table!r}; the schema has {sorted(TABLES)}.")
    return load_tables([table], data_dir)[table]


def validate_folder(data_dir: str | Path) -> list[Problem]:
    """Every problem of every table in a folder; absent tables are warnings naming who needs them."""
    folder = Path(data_dir)
    if not folder.is_dir():
        return [Problem("-", str(folder), None, "data folder does not exist")]
    problems: list[Problem] = []
    accounts = read_table("accounts", folder)
    problems.extend(accounts.problems)
    known = set(accounts.frame["account_id"]) if accounts.frame is not None else None
    zones = account_zones(accounts.frame) if accounts.frame is not None and not accounts.errors else None
    kols = read_table("kols", folder) if find_table_file("kols", folder) is not None else None
    known_kols = set(kols.frame["kol_id"]) if kols is not None and kols.frame is not None else None
    loaded: dict[str, LoadResult] = {}
    for name, spec in TABLES.items():
        if name == "accounts":
            continue
        if name == "kols" and kols is not None:
            problems.extend(kols.problems)
            continue
        if find_table_file(name, folder) is None:
            problems.append(Problem(name, str(folder / f"{name}.csv"), None, "file not found",
                                    severity="warning", hint=f"Needed by: {', '.join(spec.used_by)}."))
            continue
        result = read_table(name, folder, known, zones, known_kols)
        problems.extend(result.problems)
        loaded[name] = result
    daily = loaded.get("account_daily")
    if accounts.frame is not None and daily is not None and daily.frame is not None:
        problems.extend(coverage_gaps(accounts.frame, daily.frame, str(find_table_file("account_daily", folder))))
    for name, check in (("comments", _check_replies), ("risks", _check_escalation),
                        ("kol_audience", _check_share_sums)):  # the notebooks' own checks of one table
        loaded_table = loaded.get(name)
        if loaded_table is not None and loaded_table.frame is not None:
            problems.extend(check(loaded_table.frame, str(find_table_file(name, folder))))
    experiments, units = loaded.get("experiments"), loaded.get("experiment_units")
    if experiments is not None and experiments.frame is not None:
        problems.extend(_check_experiments(experiments.frame, None if units is None else units.frame,
                                           str(find_table_file("experiments", folder)),
                                           str(find_table_file("experiment_units", folder))))
    return problems


#: A KOL's platform shares of one dimension sum to about 1 (exports round); a tag dimension's (interests) may not.
SHARE_SUM_RANGE: tuple[float, float] = (0.9, 1.1)
SHARE_TAG_DIMENSIONS: tuple[str, ...] = ("interests",)
_SHARE_EPS = 1e-9


def share_sum_off(totals: pd.Series, dimensions: pd.Series) -> pd.Series:
    """Rows of kol_audience whose dimension's shares (summed per KOL and dimension: `totals`) are not about 1.

    True where a non-tag dimension sums outside SHARE_SUM_RANGE, or any dimension to 0 or less. The one
    check of helpers.kol.fit (which refuses the run) and of validate_folder (which names the lines).
    """
    lo, hi = SHARE_SUM_RANGE
    outside = (totals < lo - _SHARE_EPS) | (totals > hi + _SHARE_EPS)
    return ((~dimensions.isin(SHARE_TAG_DIMENSIONS) & outside) | (totals <= 0)).fillna(False).astype(bool)


def _check_share_sums(kol_audience: pd.DataFrame, file: str) -> list[Problem]:
    """kol_audience rows whose dimension does not sum to about 1, one warning-free error listing them."""
    frame = kol_audience.dropna(subset=["kol_id", "bucket", "share"])
    if frame.empty:
        return []
    dimension = frame["dimension"].astype("string").str.lower()
    totals = frame.groupby([frame["kol_id"], dimension])["share"].transform("sum")
    off = share_sum_off(totals, dimension)
    if not off.any():
        return []
    rows, n = _line_numbers(off[off].index)
    pairs = pd.DataFrame({"kol": frame.loc[off, "kol_id"], "dim": dimension[off], "sum": totals[off]})
    examples = tuple(f"{k} {d} sums to {t:.3f}" for k, d, t in pairs.drop_duplicates(["kol", "dim"]).head(3)
                     .itertuples(index=False))
    lo, hi = SHARE_SUM_RANGE
    return [Problem("kol_audience", file, "share", f"the shares of a KOL's dimension must sum to about 1 ({lo}–{hi})",
                    rows, examples, n, hint="Re-export the KOL's audience shares (a bucket may be missing).")]


def reply_hours(comments: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Whether the brand answered each comment, and after how many hours (missing without replied_at).

    Answered: replied_by_brand is true, or a reply time with no word on who (the export's reply column).
    Negative hours (a reply before its comment) refuse the voice of the customer
    (`nlp.opinion`) and are an error of `validate_folder`: the one reading for both.
    """
    index = comments.index
    at = pd.to_datetime(comments["replied_at"]) if "replied_at" in comments else pd.Series(pd.NaT, index=index)
    by_brand = (comments["replied_by_brand"].astype("boolean") if "replied_by_brand" in comments
                else pd.Series(pd.NA, index=index, dtype="boolean"))
    answered = by_brand.fillna(False).astype(bool) | (at.notna() & by_brand.isna())
    hours = ((at - pd.to_datetime(comments["created_at"])) / pd.Timedelta(hours=1)).where(answered)
    return answered, hours


def escalates_before_deadline(respond_within_h: pd.Series, escalate_after_h: pd.Series) -> pd.Series:
    """Risks whose escalation (escalate_after_h) comes before their response deadline (respond_within_h).

    Both count from the alert's start; the voice of the customer refuses such an SOP and validate names it.
    Missing values are never flagged (the defaults apply).
    """
    respond = pd.to_numeric(respond_within_h, errors="coerce")
    escalate = pd.to_numeric(escalate_after_h, errors="coerce")
    return (escalate < respond).fillna(False).astype(bool)


def _check_replies(comments: pd.DataFrame, file: str) -> list[Problem]:
    """Comments whose brand reply is dated before the comment itself."""
    if "replied_at" not in comments.columns:
        return []
    early = (reply_hours(comments)[1] < 0).fillna(False).astype(bool)
    if not early.any():
        return []
    rows, n = _line_numbers(early[early].index)
    return [Problem("comments", file, "replied_at", "reply dated before its comment (replied_at < created_at)", rows,
                    _examples(comments.loc[early, "comment_id"]), n,
                    hint="Fix the export's reply times; the voice of the customer refuses them until then.")]


def _check_escalation(risks: pd.DataFrame, file: str) -> list[Problem]:
    """Risks whose escalate_after_h is below respond_within_h."""
    if not {"respond_within_h", "escalate_after_h"} <= set(risks.columns):
        return []
    bad = escalates_before_deadline(risks["respond_within_h"], risks["escalate_after_h"])
    if not bad.any():
        return []
    rows, n = _line_numbers(bad[bad].index)
    return [Problem("risks", file, "escalate_after_h",
                    "escalation before the response deadline (escalate_after_h < respond_within_h; both count from "
                    "the alert's start)", rows, _examples(risks.loc[bad, "risk_id"]), n,
                    hint="Raise escalate_after_h or lower respond_within_h.")]


#: At most this many runs of missing days are named per account (the rest are counted).
MAX_GAPS_SHOWN = 5


def missing_day_runs(days: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs of days without a row between the first and the last day of `days` (first, last day of each run)."""
    present = pd.DatetimeIndex(days.dropna().dt.normalize().unique()).sort_values()
    if len(present) < 2:
        return []
    runs = []
    for before, after in pairwise(present):
        if (after - before).days > 1:
            runs.append((before + pd.Timedelta(days=1), after - pd.Timedelta(days=1)))
    return runs


def coverage_gaps(accounts: pd.DataFrame, daily: pd.DataFrame, file: str) -> list[Problem]:
    """Warnings for own accounts the daily table does not cover: (a) no rows in the data's last complete month
    while other own accounts have some, (b) runs of days without a row inside the account's first–last day.

    The review reads a missing day as missing, never as zero; these warnings say where before a run does.
    """
    own = accounts.loc[accounts["owner"].astype("string").str.strip() == "own", "account_id"].tolist() \
        if "owner" in accounts.columns else []
    mine = daily[daily["account_id"].isin(own) & daily["date"].notna()]
    if mine.empty:
        return []
    problems: list[Problem] = []
    try:
        month = latest_complete_period("month", daily["date"].dropna())
    except ParameterError:  # no complete month in the data: nothing to compare across accounts
        month = None
    if month is not None:
        in_month = mine[(mine["date"] >= month.start) & (mine["date"] <= month.end)]
        covered = set(in_month["account_id"])
        if covered:
            for account in (a for a in own if a not in covered):
                problems.append(Problem(
                    "account_daily", file, "date",
                    f"own account {account} has no rows in {month.label}, the data's last complete month "
                    f"(other own accounts have: {', '.join(sorted(covered))})", severity="warning",
                    hint="Export the account's days for that month; until then its KPIs there are missing, "
                         "not zero."))
    for account in own:
        runs = missing_day_runs(mine.loc[mine["account_id"] == account, "date"])
        if not runs:
            continue
        n_days = sum((last - first).days + 1 for first, last in runs)
        shown = "; ".join(f"{first:%Y-%m-%d} – {last:%Y-%m-%d} ({(last - first).days + 1} "
                          f"day{'s' if last > first else ''})" for first, last in runs[:MAX_GAPS_SHOWN])
        more = f"; and {len(runs) - MAX_GAPS_SHOWN} more run(s)" if len(runs) > MAX_GAPS_SHOWN else ""
        problems.append(Problem(
            "account_daily", file, "date",
            f"own account {account}: {n_days} day(s) missing inside its range: {shown}{more}", severity="warning",
            hint="Export the missing days; until then the periods they fall in are reviewed on fewer days."))
    return problems


def declared_variants(text: object) -> tuple[str, ...]:
    """The variants an experiments row declares ('A;B;C'), stripped, blanks dropped."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ()
    return tuple(part.strip() for part in str(text).split(";") if part.strip())


def undeclared_variant_rows(variants: pd.Series, declared: Iterable[str]) -> pd.Series:
    """Unit rows whose variant the experiment's design does not declare (True = undeclared).

    The one check of helpers.experiments.design.check_units (which refuses the run) and of
    validate_folder (which names the lines), so a clean `validate` means the experiment loads.
    """
    known = {str(v) for v in declared}
    text = variants.astype("string").str.strip()
    return (text.notna() & ~text.isin(known)).fillna(False).astype(bool)


def experiment_design_problem(row: pd.Series) -> tuple[str, str] | None:
    """What is wrong with one experiments row's design, as (column, message), or None when it is sound.

    The one check of the design (at least two variants, the control among them, one positive
    expected_split weight per variant) made by helpers.experiments.design.design_from_row, which refuses
    the run, and by validate_folder, which names the row's line.
    """
    variants = declared_variants(row["variants"])
    if len(variants) < 2:
        return "variants", (f"variants {list(variants)} — an A/B test needs at least two variants separated by "
                            "';' (e.g. A;B).")
    control = str(row["control"]).strip()
    if control not in variants:
        return "control", f"control {control!r} is not one of the variants {list(variants)}."
    weights = declared_variants(row.get("expected_split"))
    if not weights:
        return None
    if len(weights) != len(variants):
        return "expected_split", (f"expected_split has {len(weights)} weights for {len(variants)} variants; give "
                                  "one weight per variant, in the same order.")
    try:
        values = [float(w) for w in weights]
    except ValueError:
        return "expected_split", f"expected_split {row.get('expected_split')!r} must be numbers separated by ';'."
    if any(v <= 0 for v in values):
        return "expected_split", "expected_split weights must be positive."
    return None


def experiment_unit_problems(experiment_id: str, variants: tuple[str, ...], control: str, units: pd.DataFrame,
                             file: str) -> list[Problem]:
    """The unit rows of one experiment against its design: none at all, undeclared variants, a control without units.

    The one check of helpers.experiments.design.check_units (which refuses the run with the first problem)
    and of validate_folder (which lists every one, with the unit rows' lines; an experiment without any
    units is a warning there: it may not have started, and only its own evaluation refuses).
    """
    if units.empty:
        return [Problem("experiment_units", file, "experiment_id", f"experiment_units has no rows for {experiment_id}.",
                        severity="warning", hint="Its evaluation needs its units; the other experiments run.")]
    problems = []
    bad = undeclared_variant_rows(units["variant"], variants)
    if bad.any():
        lines, n = _line_numbers(bad[bad].index)
        problems.append(Problem(
            "experiment_units", file, "variant",
            f"variant(s) {sorted(set(units.loc[bad, 'variant'].astype(str).str.strip()))} are not declared in "
            f"experiments for {experiment_id} (declared: {', '.join(variants)})", lines,
            _examples(units.loc[bad, "variant"]), n,
            hint="Fix the labels, or add the variant to experiments.variants."))
    present = set(units["variant"].astype("string").str.strip().dropna())
    if control not in present:
        problems.append(Problem(
            "experiment_units", file, "variant",
            f"{experiment_id}: the control {control!r} has no units, so nothing can be compared",
            hint="Fix the control's label in the units or experiments.control."))
    return problems


def _check_experiments(experiments: pd.DataFrame, units: pd.DataFrame | None, file: str,
                       units_file: str) -> list[Problem]:
    """Each experiments row's design, and (when the units loaded) its units against it, per experiment."""
    problems = []
    for index, row in experiments.iterrows():
        wrong = experiment_design_problem(row)
        if wrong is not None:
            lines, n = _line_numbers(pd.Index([index]))
            problems.append(Problem("experiments", file, wrong[0], f"{row['experiment_id']}: {wrong[1]}", lines,
                                    n_rows=n, hint="Fix the design row; its evaluation refuses until then."))
        elif units is not None:
            mine = units[units["experiment_id"] == row["experiment_id"]]
            problems.extend(experiment_unit_problems(str(row["experiment_id"]), declared_variants(row["variants"]),
                                                     str(row["control"]).strip(), mine, units_file))
    return problems


def account_names(accounts: pd.DataFrame) -> dict[str, str]:
    """Account id → display name from the accounts table (the id where the name is missing)."""
    return dict(zip(accounts["account_id"], accounts["name"].fillna(accounts["account_id"]), strict=True))


def account_platforms(accounts: pd.DataFrame) -> dict[str, str]:
    """Account id → platform from the accounts table."""
    return dict(zip(accounts["account_id"], accounts["platform"], strict=True))
