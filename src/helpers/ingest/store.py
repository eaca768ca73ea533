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

Where each part lives (this module is the entry point, and re-exports the names callers use):

* helpers.ingest.store            `Store` (open, create, read without locking, info) and `StoreInfo`
* helpers.ingest.store_layout     the folder on disk: generations, CURRENT, the atomic switch, the
                                  rollback guard, pruning, the raw archive
* helpers.ingest.store_transaction `Transaction`: the lock, staged changes, savepoints, the commit
* helpers.ingest.store_merge      the merge rule on DataFrames (`MergeCounts`, merge by key, snapshot
                                  precedence, filling gaps, confirmations)
* helpers.ingest.store_log        the import log's rows and how they print
* helpers.ingest.store_values     the Parquet-safe value types every part uses"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.errors import DataError
from helpers.ingest import store_layout as layout
from helpers.ingest.store_layout import KEEP_GENERATIONS, LOG_TABLE, check_name, current_data_dir
from helpers.ingest.store_log import empty_log, log_line
from helpers.ingest.store_merge import BOOKKEEPING, STORE_KEYS, MergeCounts
from helpers.ingest.store_transaction import Transaction
from helpers.timezones import DEFAULT_TIMEZONE, parse_local_times

#: The date-like column whose range `info` reports, per table.
DATE_COLUMNS: dict[str, str] = {
    "posts": "published_at", "account_daily": "date", "follower_activity": "date",
    "ad_daily": "date", "interactions": "occurred_at", "audience": "first_seen", "comments": "created_at",
}


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
        layout.make_folders(root)
        store = cls(root)
        if layout.is_store(root):
            layout.check_format(root)
        with store.transaction() as txn:
            if txn.base is None:
                txn._dirty = True  # commits an empty first generation (just the import log)
        if not layout.is_store(root):
            layout.mark_store(root)
        return store

    @classmethod
    def open(cls, root: Path) -> Store:
        """An existing store; DataError (saying how to make one) when `root` is not a store."""
        store = cls(root)
        if not store.root.is_dir():
            raise DataError(f"Store {store.root} does not exist. Create it with "
                            f"`opsbook store init --store {store.root}` (or add an account with "
                            f"`opsbook store add-account ... --store {store.root}`, which creates it).")
        if not layout.is_store(store.root):
            raise DataError(f"{store.root} is not an opsbook store (it has no STORE.json). Point --store at a "
                            f"store, or create one in an empty folder with `opsbook store init --store PATH`.")
        layout.check_format(store.root)
        return store

    @property
    def generation(self) -> str | None:
        """The current generation's name (e.g. 'g000007'), None before the first one."""
        return layout.read_current(self.root)

    @property
    def data_dir(self) -> Path | None:
        """The current generation's folder: pass it as the notebooks' data folder."""
        return current_data_dir(self.root)

    def raw_path(self, sha256: str) -> Path:
        """The archived raw file with this SHA-256 (DataError if it was never archived)."""
        return layout.raw_path(self.root, sha256)

    def _read_file(self, name: str, columns: Sequence[str] | None = None,
                   where: layout.Where | None = None) -> pd.DataFrame | None:
        """One file of the current generation (only `columns` when given), re-resolving CURRENT once if a
        writer pruned it meanwhile."""
        for attempt in range(2):
            folder = current_data_dir(self.root)
            if folder is None:
                return None
            path = folder / f"{name}.parquet"
            try:
                return layout.read_parquet(path, columns, where)
            except FileNotFoundError:
                if attempt or folder.is_dir():
                    return None
        return None

    def read(self, table: str, columns: Sequence[str] | None = None,
             where: layout.Where | None = None) -> pd.DataFrame | None:
        """A table of the current generation (with its `_snapshot_at`/`_source` columns), None if absent.

        `columns` reads only those of its columns (the ones it has): checks that need two columns of a large
        table do not read it all. `where` (column → values) keeps only the rows whose text columns hold one
        of the values (other columns do not filter: compare the rows returned), read in Arrow first."""
        if table == LOG_TABLE:
            return self.log()
        check_name(table)
        return self._read_file(table, columns, where)

    def tables(self) -> list[str]:
        """The tables of the current generation, sorted (the import log not included)."""
        folder = current_data_dir(self.root)
        if folder is None:
            return []
        return sorted(p.stem for p in folder.glob("*.parquet") if not p.stem.startswith("_"))

    def log(self) -> pd.DataFrame:
        """The import log: one row per imported file and table, oldest first."""
        log = self._read_file(LOG_TABLE)
        return empty_log() if log is None else log

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


def _date_column(frame: pd.DataFrame, table: str) -> pd.Series | None:
    """The table's date-like column as datetimes (for info), None if it has none."""
    column = DATE_COLUMNS.get(table)
    if column is None or column not in frame.columns:
        return None
    values = frame[column]
    if not pd.api.types.is_datetime64_dtype(values.dtype):
        values = parse_local_times(values, pd.Series(DEFAULT_TIMEZONE, index=values.index))  # offsets may mix
    return values


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
            lines += [f"  {log_line(row)}" for row in self.last_imports.to_dict("records")]
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


__all__ = [
    "BOOKKEEPING", "DATE_COLUMNS", "KEEP_GENERATIONS", "STORE_KEYS", "MergeCounts", "Store", "StoreInfo",
    "Transaction", "current_data_dir",
]
