"""A write transaction on the store: the lock, the staged state, savepoints, and the commit.

Part of the local store (see helpers.ingest.store). A `Transaction` takes the writers' lock, starts from
the current generation (refusing a CURRENT that names none), stages merges, replacements and log rows
in memory, and on a clean exit publishes them as one new generation (helpers.ingest.store_layout); an
exception leaves the store as it was and removes the raw files it archived. `savepoint`/`rollback_to`
let an import drop one failing file and keep the others. The rules themselves live elsewhere: merging
in helpers.ingest.store_merge, log rows in helpers.ingest.store_log.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeAlias

import pandas as pd
import pyarrow as pa
from filelock import FileLock, Timeout

from helpers.errors import DataError
from helpers.ingest import store_layout as layout
from helpers.ingest.store_layout import LOG_TABLE, check_name
from helpers.ingest.store_log import empty_log, log_entry, with_entries
from helpers.ingest.store_merge import (
    ACCOUNT_COLUMNS,
    STORE_KEYS,
    MergeCounts,
    check_accounts,
    check_stored_keys,
    incoming_rows,
    merge_into,
    replace_with,
    replacement_rows,
)
from helpers.ingest.store_values import LOCAL_TZ, TEXT

if TYPE_CHECKING:
    from helpers.ingest.store import Store

#: A staged table: a frame, or an Arrow table from a merge that only rewrote the rows it touched.
Staged: TypeAlias = pd.DataFrame | pa.Table
#: What `Transaction.savepoint` returns: staged tables, log rows, archived files, whether anything changed.
Savepoint: TypeAlias = tuple[dict[str, Staged], int, int, bool]


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
        self._base_arrow: dict[str, pa.Table | None] = {}
        self._staged: dict[str, Staged] = {}
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
            layout.check_current(self.store.root)
            layout.clean_leftovers(self.store.root)
            self.base = layout.read_current(self.store.root)
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
            self._base_arrow.clear()
            self._lock.release()

    def savepoint(self) -> Savepoint:
        """The staged state now, to go back to with `rollback_to` (one file's merges failing, the others kept)."""
        self._require_open()
        return dict(self._staged), len(self._log_rows), len(self._archived), self._dirty

    def rollback_to(self, point: Savepoint) -> None:
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
            self._base_tables[name] = layout.read_parquet(path) if path is not None and path.exists() else None
        return self._base_tables[name]

    def _current(self, table: str) -> pd.DataFrame | None:
        """The table as a frame (a staged Arrow table is converted once, and stays staged as that frame)."""
        if table not in self._staged:
            return self._base(table)
        staged = self._staged[table]
        if isinstance(staged, pa.Table):
            staged = self._staged[table] = layout.arrow_frame(staged)
        return staged

    def _arrow(self, table: str) -> pa.Table | None:
        """The table as Arrow when nothing holds it as a frame yet (base file not read into pandas, or staged
        by a row-level merge); None otherwise, or when absent."""
        if table in self._staged:
            staged = self._staged[table]
            return staged if isinstance(staged, pa.Table) else None
        if table in self._base_tables:
            return None
        if table not in self._base_arrow:
            folder = self._base_dir()
            path = None if folder is None else folder / f"{table}.parquet"
            self._base_arrow[table] = layout.read_arrow(path) if path is not None and path.exists() else None
        return self._base_arrow[table]

    def read(self, table: str, columns: Sequence[str] | None = None,
             where: layout.Where | None = None) -> pd.DataFrame | None:
        """A table as this transaction would commit it (a copy; only `columns`, those it has, when given),
        None if absent.

        `where` keeps only rows whose text columns hold one of the given values (`layout.matching_positions`:
        other columns do not filter, so compare the rows returned): a check about the posts of one export
        reads those rows, not the whole table."""
        self._require_open()
        if table == LOG_TABLE:
            return self._log()
        check_name(table)
        arrow = self._arrow(table) if where is not None else None
        if arrow is not None and where is not None:
            wanted = None if columns is None else [c for c in dict.fromkeys([*columns, *where])
                                                   if c in arrow.column_names]
            frame = layout.arrow_frame(layout.select_rows(arrow if wanted is None else arrow.select(wanted), where))
        else:
            frame = self._current(table)
            if frame is not None and where is not None:
                frame = frame[layout.frame_matches(frame, where)].reset_index(drop=True)
        if frame is not None and columns is not None:
            frame = frame[[c for c in columns if c in frame.columns]]
        return None if frame is None else frame.copy()

    def tables(self) -> list[str]:
        """The tables this transaction would commit, sorted."""
        self._require_open()
        folder = self._base_dir()
        names = {p.stem for p in folder.glob("*.parquet")} if folder is not None else set()
        return sorted(n for n in names | set(self._staged) if not n.startswith("_"))

    def log(self) -> pd.DataFrame:
        """The import log as this transaction sees it (the base generation's, plus rows staged here)."""
        self._require_open()
        return self._log()

    def _log(self) -> pd.DataFrame:
        """The import log with this transaction's staged rows appended."""
        base = self._base(LOG_TABLE)
        return with_entries(empty_log() if base is None else base.reset_index(drop=True), self._log_rows)

    def already_imported(self, sha256: str, account_id: str) -> bool:
        """Whether the import log (committed or staged) has this file's content for this account."""
        self._require_open()
        log = self._log()
        return bool(((log["sha256"] == sha256) & (log["account_id"] == account_id)).any())

    # -- changes ------------------------------------------------------------------------------

    def merge(self, table: str, rows: pd.DataFrame, key: Sequence[str], snapshot_at: pd.Timestamp,
              source: str, record_confirmations: bool = True) -> MergeCounts:
        """Merge rows into a table by key: add new keys, update from newer snapshots, never erase a value.

        The rule (merge by key, snapshot precedence, filling gaps, confirmations) is
        helpers.ingest.store_merge's. Every row gets `_snapshot_at` = `snapshot_at` and `_source` =
        `source` (the raw file's SHA-256). A later snapshot that only confirms values is written too,
        unless `record_confirmations` is False. Columns whose names start with "_" (the mapper's
        `_line`) are not stored; `_line` is used to name file lines in errors about missing or
        repeated keys.
        """
        self._require_open()
        check_name(table)
        key = tuple(key)
        incoming = incoming_rows(rows, table, key, snapshot_at, source)
        arrow = self._arrow(table)
        if arrow is not None:
            done = self._merge_rows_in_place(arrow, incoming, table, key, record_confirmations)
            if done is not None:
                return done
        merged, counts = merge_into(self._current(table), incoming, table, key, record_confirmations)
        if merged is not None:
            self._stage(table, merged)
        return counts

    def _merge_rows_in_place(self, arrow: pa.Table, incoming: pd.DataFrame, table: str, key: tuple[str, ...],
                             record_confirmations: bool) -> MergeCounts | None:
        """Merge by the same rule on only the stored rows whose key values the incoming rows carry.

        Those rows are read into pandas, merged with `merge_into`, and put back in their places in the
        Arrow table (added rows at the end, as `merge_frames` does), so a 30-row import into a 350 k-post
        table converts 30 rows, not 350 k. Returns None (the caller merges the whole frame) whenever
        the result could differ from the whole-frame merge: a key column that is not text on both sides,
        or a merge that changes the table's columns or a column's type (a new column, a store of numbers
        meeting text, which the whole-frame merge refuses with its message).
        """
        for k in key:
            if (k not in arrow.column_names or not layout.is_text(arrow.schema.field(k).type)
                    or k not in incoming.columns or not pd.api.types.is_string_dtype(incoming[k].dtype)
                    or pd.api.types.is_object_dtype(incoming[k].dtype)):
                return None
        positions = layout.matching_positions(arrow, {k: incoming[k].dropna().unique() for k in key})
        stored = layout.arrow_frame(arrow.take(pa.array(positions)))
        check_stored_keys(stored, table, key)
        merged, counts = merge_into(stored, incoming, table, key, record_confirmations)
        if merged is None:
            return counts
        if list(merged.columns) != arrow.column_names or any(
                merged[c].dtype != stored[c].dtype or pd.api.types.is_object_dtype(merged[c].dtype)
                for c in merged.columns):
            return None
        rows = layout.frame_arrow(merged)
        if rows.schema.remove_metadata() != arrow.schema.remove_metadata():
            return None
        self._staged[table] = layout.splice(arrow.replace_schema_metadata(rows.schema.metadata), positions, rows)
        self._dirty = True
        return counts

    def replace(self, table: str, rows: pd.DataFrame, source: str,
                snapshot_at: pd.Timestamp | None = None) -> MergeCounts:
        """Make a table without a key (e.g. topic_bank) exactly `rows`; identical content changes nothing."""
        self._require_open()
        check_name(table)
        incoming = replacement_rows(rows, table)
        replaced, counts = replace_with(self._current(table), incoming, source, snapshot_at)
        if replaced is not None:
            self._stage(table, replaced)
        return counts

    def set_accounts(self, frame: pd.DataFrame, source: str = "accounts") -> MergeCounts:
        """Add or update the accounts in `frame` (key account_id); accounts not in it are kept."""
        self._require_open()
        check_accounts(frame)
        return self.merge("accounts", frame, STORE_KEYS["accounts"], pd.Timestamp.now(), source,
                          record_confirmations=False)

    def upsert_account(self, account_id: str, platform: str, name: str, owner: str | None = None,
                       timezone: str | None = None, category: str | None = None,
                       source: str = "accounts") -> MergeCounts:
        """Add an account or update it; owner/timezone left None mean 'own'/'Asia/Shanghai' for a new
        account and 'keep what is stored' for an existing one (so an import never resets them)."""
        self._require_open()
        accounts = self._current("accounts")
        stored = [] if accounts is None else accounts.loc[accounts["account_id"] == account_id, "platform"].tolist()
        known = bool(stored)
        if known and str(stored[0]) != platform:
            raise DataError(f"account {account_id} is on {stored[0]}; moving it to {platform} would mislabel its "
                            f"data. Add the {platform} account under a new id.")
        row = {"account_id": account_id, "platform": platform, "name": name,
               "owner": owner if owner is not None or known else "own", "category": category,
               "timezone": timezone if timezone is not None or known else LOCAL_TZ}
        frame = pd.DataFrame([row], columns=list(ACCOUNT_COLUMNS)).astype(TEXT)
        return self.set_accounts(frame, source)

    def record(self, **entry: object) -> None:
        """Stage one import-log row (imported_at, file, sha256, account_id, kind, table, counts, notes, extras)."""
        self._require_open()
        self._log_rows.append(log_entry(entry))
        self._dirty = True

    def archive(self, path: Path) -> str:
        """Copy a raw export into raw/<sha[:2]>/<sha><suffix> unless already there; return its SHA-256."""
        self._require_open()
        sha, added = layout.archive(self.store.root, path)
        if added is not None:
            self._archived.append(added)
        return sha

    # -- internals ----------------------------------------------------------------------------

    def _stage(self, table: str, frame: pd.DataFrame) -> None:
        self._staged[table] = frame.reset_index(drop=True)
        self._dirty = True

    def _commit(self) -> None:
        """Write the staged state as a new generation and point CURRENT at it (nothing if unchanged)."""
        if not self._dirty:
            return
        base_dir = self._base_dir()
        files: dict[str, pd.DataFrame | pa.Table | Path] = {}
        for name in self.tables():
            if name in self._staged:
                files[name] = self._staged[name]
            elif base_dir is not None:   # always: a table is staged or in the base generation
                files[name] = base_dir / f"{name}.parquet"
        log_file = None if base_dir is None else base_dir / f"{LOG_TABLE}.parquet"
        if self._log_rows or log_file is None or not log_file.exists():
            files[LOG_TABLE] = self._log()
        else:
            files[LOG_TABLE] = log_file
        self.committed = layout.publish(self.store.root, files)
        layout.prune(self.store.root)


__all__ = ["Savepoint", "Transaction"]
