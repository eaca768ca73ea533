"""The local store: every imported export merged into canonical tables, with nothing ever lost.

Layout of a store folder::

    STORE/
      STORE.json               {"format": 1, "created_at": ...}: marks the folder as a store
      CURRENT                  one line: the name of the current generation, e.g. "g000007"
      generations/g000007/     an immutable, complete data folder: <table>.parquet per table plus
                               _imports.parquet (the import log); helpers.data reads it as a data folder
      raw/ab/<sha256>.<suffix> every imported file, unchanged, named by its content's SHA-256
      .lock                    the writers' lock (filelock)

Guarantees:

* Readers never lock. They read CURRENT, then files of that generation, which is never modified
  (`current_data_dir` gives its folder; `Store.read` retries once if a writer pruned it meanwhile).
* A write is a `Transaction`: it takes the lock, starts from the current generation, stages its
  changes in memory and, on a clean exit, writes a new generation under a temporary name
  (generations/.tmp-<uuid>), fsyncs it, renames it to the next gNNNNNN and only then replaces
  CURRENT atomically (CURRENT.tmp, fsync, os.replace). An exception in the block, a crash or a
  kill at any point leaves CURRENT, and so the store, exactly as before; temporary leftovers are
  removed by the next transaction. Generations newer than CURRENT (a hand rollback, or a commit
  killed just before its switch) are kept, never renumbered: new ones take the next free number.
  A writer refuses a CURRENT that names no generation (a mistyped rollback), rather than start
  from nothing.
* A transaction that changes nothing writes no generation. After a commit the newest
  `KEEP_GENERATIONS` generations are kept and older ones deleted; a reader still reading a
  generation three commits old may then find its files gone (rare; `Store.read` re-resolves CURRENT).
* Merging never forgets a known value: a later export that lacks a column, or a value, keeps the
  stored one (missing is neither zero nor "delete"); an older snapshot never overwrites a newer
  one; every row carries `_snapshot_at` (the export's snapshot time) and `_source` (the SHA-256
  of the archived raw file it came from), so the raw archive can always explain and rebuild it.

Value types are kept Parquet-safe: dates and times are naive datetime64[ns] (timestamps with a UTC
offset are converted to Asia/Shanghai, as helpers.data does), numbers float64 (integer key columns
such as follower_activity.hour stay Int64), flags nullable boolean, text the pandas string type.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import pandas as pd
from filelock import FileLock, Timeout

from helpers.errors import DataError
from helpers.ingest.types import TABLE_KEYS
from helpers.schema import PLATFORMS

FORMAT = 1
KEEP_GENERATIONS = 3
LOCAL_TZ = "Asia/Shanghai"
LOG_TABLE = "_imports"
SNAPSHOT = "_snapshot_at"
SOURCE = "_source"
BOOKKEEPING = (SNAPSHOT, SOURCE)

#: Merge key of every keyed table the store holds (the importers' tables plus accounts).
STORE_KEYS: dict[str, tuple[str, ...]] = {**TABLE_KEYS, "accounts": ("account_id",)}

#: The date-like column whose range `info` reports, per table.
DATE_COLUMNS: dict[str, str] = {
    "posts": "published_at", "account_daily": "date", "follower_activity": "date",
    "ad_daily": "date", "interactions": "occurred_at", "audience": "first_seen",
}

ACCOUNT_COLUMNS = ("account_id", "platform", "name", "owner", "category", "timezone")
LOG_COUNTS = ("added", "updated", "unchanged", "skipped_older", "skipped_rows")
LOG_TEXT = ("file", "sha256", "account_id", "kind", "table", "notes")
LOG_COLUMNS = ("imported_at", "file", "sha256", "account_id", "kind", "table", *LOG_COUNTS, "notes")
LOG_INTS = (*LOG_COUNTS, "removed")   # kept as integers when logged (removed comes from MergeCounts.as_dict)

_GENERATION = re.compile(r"^g(\d{6,})$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_TEXT = pd.StringDtype(na_value=np.nan)   # pandas' default "str" type


# ----------------------------------------------------------------------------------------------
# counts and info


@dataclass
class MergeCounts:
    """What a merge or replace did to a table, row by row."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_older: int = 0
    removed: int = 0

    def __add__(self, other: MergeCounts) -> MergeCounts:
        """Counts of two merges together (for a per-file or per-run total)."""
        return MergeCounts(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True)))

    @property
    def changed(self) -> bool:
        """Whether the table differs afterwards."""
        return bool(self.added or self.updated or self.removed)

    def as_dict(self) -> dict[str, int]:
        """The counts as keyword arguments for `Transaction.record`."""
        return asdict(self)

    def __repr__(self) -> str:
        text = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        if self.skipped_older:
            text += f", {self.skipped_older} kept (the store has a later snapshot)"
        return text + (f", {self.removed} removed" if self.removed else "")

    __str__ = __repr__


@dataclass
class StoreInfo:
    """What a store holds: its tables, each account's rows and date range, and the last imports."""

    root: Path
    generation: str | None
    tables: pd.DataFrame        # table, rows, accounts, first_date, last_date
    per_account: pd.DataFrame   # table, account_id, rows, first_date, last_date
    last_imports: pd.DataFrame  # the last 10 rows of the import log
    imports: int = 0            # rows of the whole import log

    def __str__(self) -> str:
        """The plain-text report `opsbook store info` prints."""
        lines = [f"opsbook store {self.root}",
                 f"  generation {self.generation or '-'}, {self.imports} import(s) logged", ""]
        if self.tables.empty:
            lines.append("No tables yet: import an export with `opsbook import FILE --store STORE`.")
        else:
            lines += ["Tables", *_render(self.tables), ""]
            if not self.per_account.empty:
                lines += ["Per account", *_render(self.per_account), ""]
        if not self.last_imports.empty:
            lines.append(f"Last imports (newest last, {len(self.last_imports)} of {self.imports})")
            lines += [f"  {_log_line(row)}" for row in self.last_imports.to_dict("records")]
        return "\n".join(lines).rstrip() + "\n"

    def __repr__(self) -> str:
        names = ", ".join(self.tables["table"]) if not self.tables.empty else "no tables"
        return f"StoreInfo({self.root}, generation {self.generation}: {names})"


def _render(frame: pd.DataFrame) -> list[str]:
    """A summary frame as indented text lines: text left-aligned, counts right-aligned, dates as YYYY-MM-DD."""
    headers = {"account_id": "account", "first_date": "from", "last_date": "to"}
    cells: dict[str, list[str]] = {}
    for col in frame.columns:
        if col in ("first_date", "last_date"):
            cells[col] = [v.strftime("%Y-%m-%d") if pd.notna(v) else "-" for v in frame[col]]
        else:
            cells[col] = [str(v) for v in frame[col]]
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype)}
    widths = {c: max([len(headers.get(c, c)), *map(len, cells[c])]) for c in frame.columns}

    def line(values: dict[str, str]) -> str:
        parts = [values[c].rjust(widths[c]) if c in numeric else values[c].ljust(widths[c]) for c in frame.columns]
        return ("  " + "  ".join(parts)).rstrip()

    rows = [line({c: headers.get(c, c) for c in frame.columns})]
    rows += [line({c: cells[c][i] for c in frame.columns}) for i in range(len(frame))]
    return rows


def _log_line(row: dict[str, object]) -> str:
    """One import-log row as a line: when, file, account, kind → table: counts; notes."""
    when = row.get("imported_at")
    when_text = when.strftime("%Y-%m-%d %H:%M") if isinstance(when, pd.Timestamp) and pd.notna(when) else "?"
    counts = MergeCounts(*(_int(row.get(k)) for k in ("added", "updated", "unchanged", "skipped_older")))
    skipped = _int(row.get("skipped_rows"))
    text = (f"{when_text}  {_text(row.get('file'))} ({_text(row.get('account_id'))}, {_text(row.get('kind'))}) "
            f"→ {_text(row.get('table'))}: {counts}")
    if skipped:
        text += f"; {skipped} row(s) not imported"
    notes = _text(row.get("notes"), "")
    return text + (f"; {notes}" if notes else "")


def _missing(value: object) -> bool:
    """Whether a single value is missing (None, NaN, NaT, <NA>)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[arg-type]


def _int(value: object) -> int:
    """A logged count as an int (missing counts as 0)."""
    return 0 if _missing(value) else int(value)  # type: ignore[call-overload]


def _text(value: object, missing: str = "-") -> str:
    """A logged text field for printing."""
    return missing if _missing(value) else str(value)


# ----------------------------------------------------------------------------------------------
# value types


def _to_naive(values: pd.Series) -> pd.Series:
    """Datetimes as naive datetime64[ns]; offsets are converted to Asia/Shanghai first."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    return values.astype("datetime64[ns]")


def _parse_datetimes(values: pd.Series) -> pd.Series:
    """Python date/datetime objects as a datetime column (mixed offsets go through UTC)."""
    try:
        parsed = pd.to_datetime(values)
    except (ValueError, TypeError):
        parsed = pd.to_datetime(values, utc=True)
    return parsed


def _numbers(values: pd.Series, is_key: bool) -> pd.Series:
    """Numbers as float64; integral key columns (e.g. hour) as Int64 so they match exactly."""
    numeric = pd.to_numeric(values)
    if is_key:
        present = numeric.dropna()
        if pd.api.types.is_integer_dtype(numeric.dtype) or bool((present == present.round()).all()):
            return numeric.astype("Int64")
    return numeric.astype("float64")


def _normalise(values: pd.Series, table: str, column: str, is_key: bool = False) -> pd.Series:
    """A column in one of the store's value types (datetime, number, boolean, text), values unchanged."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return _normalise(values.astype(object), table, column, is_key)
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("datetime", "datetime64", "date"):
        values = _parse_datetimes(values)
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        try:
            return _to_naive(values)
        except (ValueError, OverflowError) as exc:
            raise DataError(f"{table}, column {column!r}: a date outside 1677–2262 ({exc}).") from exc
    if pd.api.types.is_bool_dtype(dtype):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(dtype):
        return _numbers(values, is_key)
    if pd.api.types.is_string_dtype(dtype) and dtype != object:
        return values.astype(_TEXT)
    if dtype != object:
        raise DataError(f"{table}, column {column!r}: values of type {dtype} cannot be stored; "
                        "the importer must give dates, numbers, true/false or text.")
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred == "empty":
        return values
    if inferred == "string":
        return values.astype(_TEXT)
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        return _numbers(values, is_key)
    if inferred == "boolean":
        return values.astype("boolean")
    # mixed types (e.g. 12 and "12a" in one id column): keep every value, as its text
    return values.map(lambda v: None if _missing(v) else str(v)).astype(_TEXT)


def _kind(values: pd.Series) -> str:
    """The value type of a normalised column: empty, datetime, bool, number or text."""
    if values.isna().all():
        return "empty"
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(values.dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(values.dtype):
        return "number"
    return "text"


def _empty(length: int, dtype: object) -> pd.Series:
    """A column of `length` missing values of the given type."""
    return pd.Series(index=pd.RangeIndex(length), dtype=dtype)  # type: ignore[call-overload]


def _as_text(values: pd.Series) -> pd.Series:
    """A key column's numbers as their text ("12", not "12.0")."""
    if pd.api.types.is_float_dtype(values.dtype):
        present = values.dropna()
        if bool((present == present.round()).all()):
            values = values.astype("Int64")
    return values.astype(_TEXT)


def _align(old: pd.Series, new: pd.Series, table: str, column: str, is_key: bool) -> tuple[pd.Series, pd.Series]:
    """The stored and the incoming column in one type, or a DataError when they hold different things."""
    k_old, k_new = _kind(old), _kind(new)
    if k_old == "empty" and k_new == "empty":
        return old, _empty(len(new), old.dtype)
    if k_old == "empty":
        return _empty(len(old), new.dtype), new
    if k_new == "empty":
        return old, _empty(len(new), old.dtype)
    if k_old == k_new:
        if old.dtype != new.dtype:  # Int64 and float64 numbers
            return old.astype("float64"), new.astype("float64")
        return old, new
    if is_key and {k_old, k_new} == {"number", "text"}:
        return _as_text(old), _as_text(new)
    example = new.dropna().iloc[0]
    raise DataError(
        f"{table}, column {column!r}: the store holds {k_old} values but this import has {k_new} values "
        f"(e.g. {example!r}). Every importer of {table} must read the column the same way; "
        "fix the export kind's parse mapping (nothing was changed)."
    )


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality where missing equals missing (NaN, NaT, <NA>) and 1 equals 1.0."""
    both_missing = a.isna().to_numpy() & b.isna().to_numpy()
    equal = (a.reset_index(drop=True) == b.reset_index(drop=True)).fillna(False).to_numpy(dtype=bool)
    return both_missing | equal


def _row_labels(lines: pd.Series | None, mask: np.ndarray, limit: int = 5) -> str:
    """The first offending rows for a message: file lines when the rows carry `_line`, else row numbers."""
    if lines is not None:
        where = [str(v) for v in lines[mask].head(limit)]
        label = "file line(s)"
    else:
        where = [str(i + 1) for i in np.flatnonzero(mask)[:limit]]
        label = "row(s)"
    more = f" and {int(mask.sum()) - len(where)} more" if mask.sum() > len(where) else ""
    return f"{label} {', '.join(where)}{more}"


def _check_name(table: str) -> None:
    """A table name must be a plain file name (it becomes <table>.parquet)."""
    if not _TABLE_NAME.match(table) or table == LOG_TABLE:
        raise ValueError(f"invalid store table name {table!r}")


def _timestamp(value: object, what: str) -> pd.Timestamp:
    """A snapshot or import time as a naive Timestamp (offsets converted to Asia/Shanghai)."""
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if pd.isna(stamp):
        raise ValueError(f"{what} must be a time, not {value!r}")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(LOCAL_TZ).tz_localize(None)
    return stamp.as_unit("ns")


def _prepare(rows: pd.DataFrame, table: str, key: Sequence[str]) -> pd.DataFrame:
    """Incoming rows with plain text column names, a fresh index and every column normalised.

    Columns starting with "_" (such as the mapper's `_line`) are the caller's scratch and are not stored.
    """
    names = [str(c) for c in rows.columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DataError(f"{table}: the incoming rows have duplicate column(s) {duplicated}.")
    frame = rows.copy()
    frame.columns = names
    frame = frame.reset_index(drop=True)
    return pd.DataFrame(
        {c: _normalise(frame[c], table, c, c in key) for c in names if not c.startswith("_")},
        index=frame.index,
    )


def _check_keys(rows: pd.DataFrame, table: str, key: Sequence[str], lines: pd.Series | None = None) -> None:
    """DataError when a key column is absent, a key value missing, or a key repeated (naming rows by `lines`)."""
    absent = [k for k in key if k not in rows.columns]
    if absent:
        raise DataError(f"{table}: the incoming rows lack key column(s) {absent} (they have: {list(rows.columns)}).")
    missing = rows[list(key)].isna().any(axis=1).to_numpy()
    if missing.any():
        raise DataError(f"{table}: {int(missing.sum())} incoming row(s) lack a value for the key "
                        f"({', '.join(key)}): {_row_labels(lines, missing)}. Fix or drop those rows.")
    dup = rows.duplicated(subset=list(key), keep=False).to_numpy()
    if dup.any():
        values = rows.loc[dup, list(key)].drop_duplicates().head(5)
        shown = "; ".join(", ".join(f"{k}={v}" for k, v in zip(key, vals, strict=True))
                          for vals in values.itertuples(index=False))
        raise DataError(f"{table}: {int(dup.sum())} incoming rows share a key ({shown}) at {_row_labels(lines, dup)}. "
                        "Each key may appear once per import: de-duplicate the rows before merging.")


# ----------------------------------------------------------------------------------------------
# files


def _fsync_dir(path: Path) -> None:
    """Make a folder's entries (new or renamed files) durable; a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write one table file and fsync it (the crash tests patch this function)."""
    with open(path, "wb") as fh:
        frame.to_parquet(fh, index=False)
        fh.flush()
        os.fsync(fh.fileno())


def _read_parquet(path: Path) -> pd.DataFrame:
    """Read one table file of a generation, datetimes as datetime64[ns]."""
    frame = pd.read_parquet(path)
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col].dtype):
            frame[col] = _to_naive(frame[col])
    return frame


def _link_or_copy(source: Path, target: Path) -> None:
    """Put an unchanged table file into a new generation: a hard link (files are immutable) or a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        with open(target, "rb+") as fh:
            os.fsync(fh.fileno())


def _write_text_atomic(path: Path, text: str) -> None:
    """Replace a small text file atomically: write <name>.tmp, fsync, os.replace, fsync the folder."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    _replace_current(tmp, path)
    _fsync_dir(path.parent)


def _replace_current(tmp: Path, path: Path) -> None:
    """The atomic step that publishes a generation (a separate function so tests can fail it)."""
    os.replace(tmp, path)


def _read_current(root: Path) -> str | None:
    """The name CURRENT holds, or None when there is none yet."""
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def _generation_number(name: str) -> int | None:
    match = _GENERATION.match(name)
    return int(match.group(1)) if match else None


def _generations(root: Path) -> list[tuple[int, Path]]:
    """The store's generation folders (gNNNNNN), oldest first."""
    folder = root / "generations"
    if not folder.is_dir():
        return []
    found = [(_generation_number(p.name), p) for p in folder.iterdir() if p.is_dir()]
    return sorted((n, p) for n, p in found if n is not None)


def _is_store(root: Path) -> bool:
    return (root / "STORE.json").is_file()


def current_data_dir(root: Path) -> Path | None:
    """The current generation's data folder (for helpers.data / notebooks); None if not a store or empty."""
    root = Path(root)
    if not _is_store(root):
        return None
    for _ in range(2):  # a writer may replace CURRENT and prune between our two reads
        name = _read_current(root)
        if name is None:
            return None
        folder = root / "generations" / name
        if folder.is_dir():
            return folder
    raise DataError(f"{root}: CURRENT names generation {name!r}, which does not exist. The store is damaged; "
                    "rebuild it from its raw/ archive.")


def _file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _empty_log() -> pd.DataFrame:
    """The import log with no rows, in its column types."""
    columns: dict[str, pd.Series] = {"imported_at": _empty(0, "datetime64[ns]")}
    columns.update({c: _empty(0, _TEXT) for c in LOG_TEXT})
    columns.update({c: _empty(0, "int64") for c in LOG_COUNTS})
    return pd.DataFrame(columns)[list(LOG_COLUMNS)]


# ----------------------------------------------------------------------------------------------
# the store


class Store:
    """A store folder: read its current generation without locking; write through `transaction()`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).expanduser().resolve()

    def __repr__(self) -> str:
        return f"Store({self.root}, generation {self.generation or '-'})"

    @classmethod
    def create(cls, root: Path) -> Store:
        """Make `root` a store (idempotent): the layout, an empty first generation, then STORE.json."""
        root = Path(root).expanduser().resolve()
        if root.exists() and not root.is_dir():
            raise DataError(f"{root} is a file; a store is a folder. Choose another path.")
        if root.is_dir() and not _is_store(root) and any(p for p in root.iterdir()
                                                            if p.name not in ("generations", "raw", ".lock")):
            raise DataError(f"{root} is a folder with other files in it (a CSV data folder?), not a store; a store "
                            "is made in a new or empty folder. Choose another path (e.g. data/store), and import "
                            "the CSV files into it.")
        (root / "generations").mkdir(parents=True, exist_ok=True)
        (root / "raw").mkdir(exist_ok=True)
        store = cls(root)
        if _is_store(root):
            store._check_format()
        with store.transaction() as txn:
            if txn.base is None:
                txn._dirty = True  # commits an empty first generation (just the import log)
        if not _is_store(root):
            meta = {"format": FORMAT, "created_at": pd.Timestamp.now().isoformat(timespec="seconds")}
            _write_text_atomic(root / "STORE.json", json.dumps(meta, indent=2) + "\n")
        return store

    @classmethod
    def open(cls, root: Path) -> Store:
        """An existing store; DataError (saying how to make one) when `root` is not a store."""
        store = cls(root)
        if not store.root.is_dir():
            raise DataError(f"Store {store.root} does not exist. Create it with "
                            f"`opsbook store init --store {store.root}` (or add an account with "
                            f"`opsbook store add-account ... --store {store.root}`, which creates it).")
        if not _is_store(store.root):
            raise DataError(f"{store.root} is not an opsbook store (it has no STORE.json). Point --store at a "
                            f"store, or create one in an empty folder with `opsbook store init --store PATH`.")
        store._check_format()
        return store

    def _check_format(self) -> None:
        """DataError when STORE.json is unreadable or from a newer store format."""
        try:
            meta = json.loads((self.root / "STORE.json").read_text(encoding="utf-8"))
            version = int(meta["format"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(f"{self.root / 'STORE.json'} is damaged ({exc}); it should read "
                            f'{{"format": {FORMAT}, ...}}.') from exc
        if version != FORMAT:
            raise DataError(f"{self.root} is a store of format {version}; this opsbook reads format {FORMAT}. "
                            "Upgrade opsbook.")

    @property
    def generation(self) -> str | None:
        """The current generation's name (e.g. 'g000007'), None before the first one."""
        return _read_current(self.root)

    @property
    def data_dir(self) -> Path | None:
        """The current generation's folder: pass it as the notebooks' data folder."""
        return current_data_dir(self.root)

    def raw_path(self, sha256: str) -> Path:
        """The archived raw file with this SHA-256 (DataError if it was never archived)."""
        folder = self.root / "raw" / sha256[:2]
        found = sorted(folder.glob(f"{sha256}*")) if folder.is_dir() else []
        found = [p for p in found if p.name == sha256 or p.name.startswith(sha256 + ".")]
        if not found:
            raise DataError(f"{self.root}: no raw file with SHA-256 {sha256} in raw/ (was it imported into this store?).")
        return found[0]

    def _read_file(self, name: str) -> pd.DataFrame | None:
        """One file of the current generation, re-resolving CURRENT once if a writer pruned it meanwhile."""
        for attempt in range(2):
            folder = current_data_dir(self.root)
            if folder is None:
                return None
            path = folder / f"{name}.parquet"
            try:
                return _read_parquet(path)
            except FileNotFoundError:
                if attempt or folder.is_dir():
                    return None
        return None

    def read(self, table: str) -> pd.DataFrame | None:
        """A table of the current generation (with its `_snapshot_at`/`_source` columns), None if absent."""
        if table == LOG_TABLE:
            return self.log()
        _check_name(table)
        return self._read_file(table)

    def tables(self) -> list[str]:
        """The tables of the current generation, sorted (the import log not included)."""
        folder = current_data_dir(self.root)
        if folder is None:
            return []
        return sorted(p.stem for p in folder.glob("*.parquet") if not p.stem.startswith("_"))

    def log(self) -> pd.DataFrame:
        """The import log: one row per imported file and table, oldest first."""
        log = self._read_file(LOG_TABLE)
        return _empty_log() if log is None else log

    def info(self) -> StoreInfo:
        """A summary of the current generation: tables, per-account rows and dates, last imports."""
        rows, per_account = [], []
        for table in self.tables():
            frame = self.read(table)
            if frame is None:
                continue
            dates = _date_column(frame, table)
            has_accounts = "account_id" in frame.columns
            rows.append({
                "table": table, "rows": len(frame),
                "accounts": int(frame["account_id"].nunique()) if has_accounts else 0,
                "first_date": dates.min() if dates is not None else pd.NaT,
                "last_date": dates.max() if dates is not None else pd.NaT,
            })
            if has_accounts and table != "accounts":
                grouped = frame.assign(_d=dates if dates is not None else pd.NaT).groupby("account_id", sort=True)
                for account, group in grouped:
                    per_account.append({"table": table, "account_id": account, "rows": len(group),
                                        "first_date": group["_d"].min(), "last_date": group["_d"].max()})
        log = self.log()
        return StoreInfo(
            root=self.root, generation=self.generation,
            tables=pd.DataFrame(rows, columns=["table", "rows", "accounts", "first_date", "last_date"]),
            per_account=pd.DataFrame(per_account, columns=["table", "account_id", "rows", "first_date", "last_date"]),
            last_imports=log.tail(10).reset_index(drop=True), imports=len(log),
        )

    def transaction(self, timeout: float = 60) -> Transaction:
        """A write transaction; use as `with store.transaction() as txn:` (it locks the store)."""
        return Transaction(self, timeout)

    # -- maintenance, under the lock ----------------------------------------------------------

    def _check_current(self) -> None:
        """Refuse to write when CURRENT names no existing generation (a mistyped hand rollback):
        writing then would start from nothing and, with pruning, lose every table and the log."""
        name = self.generation
        if name is None:
            if _generations(self.root):
                raise DataError(f"{self.root}: CURRENT is missing or empty but generations exist "
                                f"({', '.join(p.name for _, p in _generations(self.root))}); write the name of the "
                                "one to use into CURRENT (e.g. the newest), then try again. Nothing was changed.")
            return
        if _generation_number(name) is None or not (self.root / "generations" / name).is_dir():
            known = ", ".join(p.name for _, p in _generations(self.root)) or "none"
            raise DataError(f"{self.root}: CURRENT names generation {name!r}, which does not exist (generations: "
                            f"{known}). Write one of those names into CURRENT, then try again. Nothing was changed.")

    def _clean_leftovers(self) -> None:
        """Remove what interrupted writers left: temp folders and files.

        Generations newer than CURRENT are kept: after a hand rollback they are the imports rolled back
        (still complete, and a roll forward is one edit of CURRENT); new generations take the next
        number after the highest, so no name is reused.
        """
        gens = self.root / "generations"
        for tmp in gens.glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
        for tmp in (self.root / "raw").glob("*/.tmp-*"):
            tmp.unlink(missing_ok=True)
        (self.root / "CURRENT.tmp").unlink(missing_ok=True)

    def _prune(self) -> None:
        """Keep the newest KEEP_GENERATIONS generations (CURRENT among them), delete the older ones."""
        current = _generation_number(self.generation or "")
        if current is None:
            return
        kept = [(n, p) for n, p in _generations(self.root) if n <= current]
        for _, path in kept[:-KEEP_GENERATIONS]:
            shutil.rmtree(path, ignore_errors=True)


def _date_column(frame: pd.DataFrame, table: str) -> pd.Series | None:
    """The table's date-like column as datetimes (for info), None if it has none."""
    column = DATE_COLUMNS.get(table)
    if column is None or column not in frame.columns:
        return None
    values = frame[column]
    if not pd.api.types.is_datetime64_dtype(values.dtype):
        values = pd.to_datetime(values, errors="coerce")
    return values


# ----------------------------------------------------------------------------------------------
# transactions


class Transaction:
    """Staged changes to a store: merged, replaced and logged in memory, published at once on exit."""

    def __init__(self, store: Store, timeout: float = 60) -> None:
        self.store = store
        self.timeout = timeout
        self.base: str | None = None           # the generation this transaction started from
        self.committed: str | None = None      # the generation it wrote, if any
        self._lock = FileLock(str(store.root / ".lock"))
        self._state = "new"
        self._base_tables: dict[str, pd.DataFrame | None] = {}
        self._staged: dict[str, pd.DataFrame] = {}
        self._log_rows: list[dict[str, object]] = []
        self._archived: list[Path] = []         # raw files this transaction added (removed if it fails)
        self._dirty = False

    def __repr__(self) -> str:
        staged = ", ".join(sorted(self._staged)) or "nothing"
        return (f"Transaction({self.store.root}, {self._state}, base {self.base or '-'}, staged: {staged}, "
                f"{len(self._log_rows)} log row(s))")

    # -- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> Transaction:
        if self._state != "new":
            raise RuntimeError("a Transaction can be entered once; start a new one with store.transaction()")
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            raise DataError(
                f"another import is writing to {self.store.root} (lock {self.store.root / '.lock'} held); "
                f"waited {self.timeout:g} s — try again when it finishes."
            ) from None
        try:
            self._state = "open"
            self.store._check_current()
            self.store._clean_leftovers()
            self.base = self.store.generation
        except BaseException:
            self._state = "closed"
            self._lock.release()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc_type is None:
                self._commit()
        except BaseException:
            self._remove_archived()
            raise
        else:
            if exc_type is not None:
                self._remove_archived()
        finally:
            self._state = "closed"
            self._staged.clear()
            self._base_tables.clear()
            self._lock.release()

    def savepoint(self) -> tuple[dict[str, pd.DataFrame], int, int, bool]:
        """The staged state now, to go back to with `rollback_to` (one file's merges failing, the others kept)."""
        self._require_open()
        return dict(self._staged), len(self._log_rows), len(self._archived), self._dirty

    def rollback_to(self, point: tuple[dict[str, pd.DataFrame], int, int, bool]) -> None:
        """Undo what was staged, logged and archived since `savepoint` (staged frames are never changed in place)."""
        self._require_open()
        staged, log_rows, archived, dirty = point
        self._staged = dict(staged)
        del self._log_rows[log_rows:]
        for path in self._archived[archived:]:
            path.unlink(missing_ok=True)
        del self._archived[archived:]
        self._dirty = dirty

    def _remove_archived(self) -> None:
        """Delete the raw files this transaction archived: a failed import leaves no trace (nothing logs them)."""
        for path in self._archived:
            path.unlink(missing_ok=True)
        self._archived.clear()

    def _require_open(self) -> None:
        if self._state != "open":
            raise RuntimeError("use the transaction inside `with store.transaction() as txn:`")

    @property
    def changed(self) -> bool:
        """Whether committing would write a new generation."""
        return self._dirty

    # -- reading ------------------------------------------------------------------------------

    def _base_dir(self) -> Path | None:
        return None if self.base is None else self.store.root / "generations" / self.base

    def _base(self, name: str) -> pd.DataFrame | None:
        """A table of the base generation, read on first use (the lock keeps that generation in place)."""
        if name not in self._base_tables:
            folder = self._base_dir()
            path = None if folder is None else folder / f"{name}.parquet"
            self._base_tables[name] = _read_parquet(path) if path is not None and path.exists() else None
        return self._base_tables[name]

    def _current(self, table: str) -> pd.DataFrame | None:
        return self._staged[table] if table in self._staged else self._base(table)

    def read(self, table: str) -> pd.DataFrame | None:
        """A table as this transaction would commit it (a copy), None if absent."""
        self._require_open()
        if table == LOG_TABLE:
            return self._log()
        _check_name(table)
        frame = self._current(table)
        return None if frame is None else frame.copy()

    def tables(self) -> list[str]:
        """The tables this transaction would commit, sorted."""
        self._require_open()
        folder = self._base_dir()
        names = {p.stem for p in folder.glob("*.parquet")} if folder is not None else set()
        return sorted(n for n in names | set(self._staged) if not n.startswith("_"))

    # -- changes ------------------------------------------------------------------------------

    def merge(self, table: str, rows: pd.DataFrame, key: Sequence[str], snapshot_at: pd.Timestamp,
              source: str, record_confirmations: bool = True) -> MergeCounts:
        """Merge rows into a table by key: add new keys, update from newer snapshots, never erase a value.

        For a row whose key exists: from a snapshot at least as new as the stored row's
        `_snapshot_at`, its non-missing values overwrite the stored ones and the row takes the later
        `_snapshot_at` (even when nothing changed: a later export confirming a value must still beat
        an older one imported afterwards); from an older snapshot, its values only fill cells the
        store has missing, so two exports of different times give the same table in either order (at
        the same time, the one merged last wins). (Times are kept per
        row, not per cell: with three snapshots, a value the newest lacks is taken from the middle
        one only if that one was imported before the newest.)
        It counts as updated only if a value changed (then `_source` names the newer file), else
        as unchanged, or as kept (older snapshot, nothing to fill).
        Columns whose names start with "_" (the mapper's `_line`) are not stored; `_line` is used
        to name file lines in errors about missing or repeated keys.
        """
        self._require_open()
        _check_name(table)
        key = tuple(key)
        if not key:
            raise ValueError(f"merge into {table} needs a key; use replace() for tables without one")
        if table in STORE_KEYS and key != STORE_KEYS[table]:
            raise ValueError(f"{table} is keyed by {STORE_KEYS[table]}, not {key}")
        snapshot = _timestamp(snapshot_at, "snapshot_at")
        incoming = _prepare(rows, table, key)
        _check_keys(incoming, table, key, rows["_line"].reset_index(drop=True) if "_line" in rows.columns else None)
        incoming[SNAPSHOT] = pd.Series(snapshot, index=incoming.index, dtype="datetime64[ns]")
        incoming[SOURCE] = pd.Series(source, index=incoming.index, dtype=_TEXT)
        stored = self._current(table)
        if stored is None:
            if incoming.empty:
                return MergeCounts()
            self._stage(table, incoming)
            return MergeCounts(added=len(incoming))
        merged, counts = _merge_frames(stored, incoming, table, key)
        # a later snapshot confirming values is recorded too (not for accounts: "now" confirms nothing)
        if counts.changed or (record_confirmations and merged.attrs.get("confirmed")):
            self._stage(table, merged)
        return counts

    def replace(self, table: str, rows: pd.DataFrame, source: str,
                snapshot_at: pd.Timestamp | None = None) -> MergeCounts:
        """Make a table without a key (e.g. topic_bank) exactly `rows`; identical content changes nothing."""
        self._require_open()
        _check_name(table)
        if table in STORE_KEYS:
            raise ValueError(f"{table} has a key {STORE_KEYS[table]}: merge() it, replacing would drop history")
        incoming = _prepare(rows, table, ())
        stored = self._current(table)
        if stored is not None and _same_content(stored, incoming):
            return MergeCounts(unchanged=len(incoming))
        stamp = pd.NaT if snapshot_at is None else _timestamp(snapshot_at, "snapshot_at")
        incoming[SNAPSHOT] = pd.Series(stamp, index=incoming.index, dtype="datetime64[ns]")
        incoming[SOURCE] = pd.Series(source, index=incoming.index, dtype=_TEXT)
        self._stage(table, incoming)
        return MergeCounts(added=len(incoming), removed=0 if stored is None else len(stored))

    def set_accounts(self, frame: pd.DataFrame, source: str = "accounts") -> MergeCounts:
        """Add or update the accounts in `frame` (key account_id); accounts not in it are kept."""
        self._require_open()
        _check_accounts(frame)
        return self.merge("accounts", frame, STORE_KEYS["accounts"], pd.Timestamp.now(), source,
                          record_confirmations=False)

    def upsert_account(self, account_id: str, platform: str, name: str, owner: str | None = None,
                       timezone: str | None = None, category: str | None = None,
                       source: str = "accounts") -> MergeCounts:
        """Add an account or update it; owner/timezone left None mean 'own'/'Asia/Shanghai' for a new
        account and 'keep what is stored' for an existing one (so an import never resets them)."""
        self._require_open()
        accounts = self._current("accounts")
        known = accounts is not None and bool((accounts["account_id"] == account_id).any())
        if known:
            stored = accounts.loc[accounts["account_id"] == account_id, "platform"].iloc[0]
            if str(stored) != platform:
                raise DataError(f"account {account_id} is on {stored}; moving it to {platform} would mislabel its "
                                f"data. Add the {platform} account under a new id.")
        row = {"account_id": account_id, "platform": platform, "name": name,
               "owner": owner if owner is not None or known else "own", "category": category,
               "timezone": timezone if timezone is not None or known else LOCAL_TZ}
        frame = pd.DataFrame([row], columns=list(ACCOUNT_COLUMNS)).astype(_TEXT)
        return self.set_accounts(frame, source)

    def record(self, **entry: object) -> None:
        """Stage one import-log row (imported_at, file, sha256, account_id, kind, table, counts, notes, extras)."""
        self._require_open()
        row: dict[str, object] = {c: 0 for c in LOG_COUNTS}
        row.update({"notes": ""})
        row.update(entry)
        when = row.get("imported_at")
        row["imported_at"] = _timestamp(pd.Timestamp.now() if when is None else when, "imported_at")
        for c in LOG_COUNTS:
            row[c] = _int(row[c])
        self._log_rows.append(row)
        self._dirty = True

    def archive(self, path: Path) -> str:
        """Copy a raw export into raw/<sha[:2]>/<sha><suffix> unless already there; return its SHA-256."""
        self._require_open()
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path}: file not found; nothing was imported.")
        sha = _file_sha256(path)
        with contextlib.suppress(DataError):
            self.store.raw_path(sha)
            return sha  # already archived (archive files are immutable, so it is this very content)
        folder = self.store.root / "raw" / sha[:2]
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".tmp-{uuid.uuid4().hex}"
        try:
            shutil.copyfile(path, tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, folder / f"{sha}{path.suffix.lower()}")
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(folder)
        self._archived.append(folder / f"{sha}{path.suffix.lower()}")
        return sha

    def already_imported(self, sha256: str, account_id: str) -> bool:
        """Whether the import log (committed or staged) has this file's content for this account."""
        self._require_open()
        log = self._log()
        return bool(((log["sha256"] == sha256) & (log["account_id"] == account_id)).any())

    # -- internals ----------------------------------------------------------------------------

    def _stage(self, table: str, frame: pd.DataFrame) -> None:
        self._staged[table] = frame.reset_index(drop=True)
        self._dirty = True

    def log(self) -> pd.DataFrame:
        """The import log as this transaction sees it (the base generation's, plus rows staged here)."""
        self._require_open()
        return self._log()

    def _log(self) -> pd.DataFrame:
        """The import log with this transaction's staged rows appended."""
        base = self._base(LOG_TABLE)
        log = _empty_log() if base is None else base.reset_index(drop=True)
        if not self._log_rows:
            return log.copy()
        raw = pd.DataFrame(self._log_rows)
        new = pd.DataFrame({c: raw[c].astype(_TEXT) if c in LOG_TEXT else raw[c].astype("int64")
                            if c in LOG_INTS else _normalise(raw[c], LOG_TABLE, c) for c in raw.columns})
        parts = []
        for c in dict.fromkeys([*log.columns, *new.columns]):
            old = log[c] if c in log else _empty(len(log), new[c].dtype)
            add = new[c] if c in new else _empty(len(new), old.dtype)
            try:
                old, add = _align(old, add, LOG_TABLE, c, False)
            except DataError:  # an extra field logged with another type before: keep both as text
                old, add = old.astype(_TEXT), add.astype(_TEXT)
            parts.append(pd.concat([old, add], ignore_index=True).rename(c))
        return pd.concat(parts, axis=1)

    def _commit(self) -> None:
        """Write the staged state as a new generation and point CURRENT at it (nothing if unchanged)."""
        if not self._dirty:
            return
        gens = self.store.root / "generations"
        tmp = gens / f".tmp-{uuid.uuid4().hex}"
        final: Path | None = None
        try:
            tmp.mkdir()
            base_dir = self._base_dir()
            for name in self.tables():
                target = tmp / f"{name}.parquet"
                if name in self._staged:
                    _write_parquet(self._staged[name], target)
                else:
                    _link_or_copy(base_dir / f"{name}.parquet", target)  # type: ignore[operator]
            if self._log_rows or base_dir is None or not (base_dir / f"{LOG_TABLE}.parquet").exists():
                _write_parquet(self._log(), tmp / f"{LOG_TABLE}.parquet")
            else:
                _link_or_copy(base_dir / f"{LOG_TABLE}.parquet", tmp / f"{LOG_TABLE}.parquet")
            _fsync_dir(tmp)
            numbers = [n for n, _ in _generations(self.store.root)]
            final = gens / f"g{(max(numbers) + 1) if numbers else 1:06d}"
            os.rename(tmp, final)
            _fsync_dir(gens)
            _write_text_atomic(self.store.root / "CURRENT", final.name + "\n")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            if final is not None and self.store.generation != final.name:
                shutil.rmtree(final, ignore_errors=True)
            raise
        self.committed = final.name
        self.store._prune()


def _merge_frames(stored: pd.DataFrame, incoming: pd.DataFrame, table: str,
                  key: tuple[str, ...]) -> tuple[pd.DataFrame, MergeCounts]:
    """The merge rule on two frames: the merged table and what happened to each incoming row."""
    stored = stored.reset_index(drop=True)
    columns = list(dict.fromkeys([*stored.columns, *incoming.columns]))
    columns = [c for c in columns if c not in BOOKKEEPING] + list(BOOKKEEPING)
    old_cols: dict[str, pd.Series] = {}
    new_cols: dict[str, pd.Series] = {}
    for c in columns:
        new = incoming[c] if c in incoming else None
        old = stored[c] if c in stored else _empty(len(stored), new.dtype if new is not None else "float64")
        if new is None:
            new = _empty(len(incoming), old.dtype)
        old_cols[c], new_cols[c] = _align(old, new, table, c, c in key)
    old_keys = pd.MultiIndex.from_frame(pd.DataFrame({k: old_cols[k] for k in key}))
    if not old_keys.is_unique:
        raise DataError(f"{table}: the store has duplicate keys ({', '.join(key)}); it was not written by merge(). "
                        "Rebuild it from its raw/ archive.")
    new_keys = pd.MultiIndex.from_frame(pd.DataFrame({k: new_cols[k] for k in key}))
    pos = old_keys.get_indexer(new_keys)
    matched = pos >= 0
    m_pos = pos[matched]
    new_time = new_cols[SNAPSHOT].to_numpy()[matched]
    old_time = old_cols[SNAPSHOT].to_numpy()[m_pos]
    older = np.zeros(len(pos), dtype=bool)
    older[matched] = new_time < old_time
    later = np.zeros(len(pos), dtype=bool)
    later[matched] = new_time > old_time
    changed = np.zeros(int(matched.sum()), dtype=bool)
    values: dict[str, pd.Series] = {}
    older_here = older[matched]
    for c in columns:
        if c in key or c in BOOKKEEPING:
            continue
        old = old_cols[c].iloc[m_pos].reset_index(drop=True)
        new = new_cols[c][matched].reset_index(drop=True)
        # a newer (or as new) snapshot overwrites with its known values; an older one only fills gaps
        value = new.where(new.notna() & ~older_here, old).where(old.notna() | ~older_here, new)
        values[c] = value
        changed |= ~_same(value, old)
    result: dict[str, pd.Series] = {}
    update_pos = m_pos[changed]
    for c in columns:
        col = old_cols[c].copy()
        if c in values and len(update_pos):
            col.iloc[update_pos] = values[c][changed].array
        result[c] = col
    # the row's snapshot is the latest that confirmed it; its source the file that last changed a value
    advance = later[matched]
    if advance.any():
        result[SNAPSHOT].iloc[m_pos[advance]] = new_cols[SNAPSHOT][matched][advance].array
    newer_change = changed & ~older_here
    if newer_change.any():
        result[SOURCE].iloc[m_pos[newer_change]] = new_cols[SOURCE][matched][newer_change].array
    merged = pd.DataFrame(result)
    added = ~matched
    if added.any():
        extra = pd.DataFrame({c: new_cols[c][added] for c in columns})
        merged = pd.concat([merged, extra], ignore_index=True)
    counts = MergeCounts(added=int(added.sum()), updated=int(changed.sum()),
                         unchanged=int((~changed & ~older_here).sum()),
                         skipped_older=int((~changed & older_here).sum()))
    merged.attrs["confirmed"] = bool(advance.any())
    return merged, counts


def _same_content(stored: pd.DataFrame, incoming: pd.DataFrame) -> bool:
    """Whether a replace would leave the table as it is (same columns, rows and values, in order)."""
    old_columns = [c for c in stored.columns if c not in BOOKKEEPING]
    if sorted(old_columns) != sorted(incoming.columns) or len(stored) != len(incoming):
        return False
    for c in old_columns:
        try:
            old, new = _align(stored[c].reset_index(drop=True), incoming[c], "", c, False)
        except DataError:
            return False
        if not _same(old, new).all():
            return False
    return True


def _check_accounts(frame: pd.DataFrame) -> None:
    """DataError for accounts rows outside the schema (unknown platform or owner)."""
    if "platform" in frame.columns:
        bad = sorted({str(p) for p in frame["platform"].dropna() if p not in PLATFORMS})
        if bad:
            raise DataError(f"accounts: unknown platform(s) {bad}; use one of {', '.join(PLATFORMS)}.")
    if "owner" in frame.columns:
        bad = sorted({str(o) for o in frame["owner"].dropna() if o not in ("own", "competitor")})
        if bad:
            raise DataError(f"accounts: owner must be 'own' or 'competitor', not {bad}.")


__all__ = [
    "BOOKKEEPING", "DATE_COLUMNS", "KEEP_GENERATIONS", "STORE_KEYS", "MergeCounts", "Store", "StoreInfo",
    "Transaction", "current_data_dir",
]
