"""Frame merging: the rule by which incoming rows join a stored table, on DataFrames only (no files, no lock).

Part of the local store (see helpers.ingest.store). It is kept apart from the transaction so the rule can
be read, and tested, as one thing:

* **Merge by key.** Rows are matched by the table's key (`STORE_KEYS`); a key the store lacks is added.
* **Snapshot precedence.** Every row carries `_snapshot_at` (the export's snapshot time) and `_source`
  (the SHA-256 of the archived raw file it came from). From a snapshot at least as new as the stored
  row's, the non-missing incoming values overwrite the stored ones; an older snapshot never overwrites
  a newer one.
* **Fill gaps.** From an older snapshot, values only fill cells the store has missing, so two exports of
  different times give the same table in either order (at the same time, the one merged last wins).
  A later export that lacks a column, or a value, keeps the stored one: missing is neither zero nor
  "delete". (Times are kept per row, not per cell: with three snapshots, a value the newest lacks is
  taken from the middle one only if that one was imported before the newest.)
* **Confirmations.** A later snapshot that changes nothing still moves the row's `_snapshot_at` forward
  (a later export confirming a value must beat an older one imported afterwards); `merge_into` then
  asks for the table to be written even though no value changed.

A row counts as updated only if a value changed (then `_source` names the newer file), else as unchanged,
or as kept (older snapshot, nothing to fill).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from helpers.errors import DataError
from helpers.ingest.store_values import TEXT, align, empty, normalise, same, timestamp
from helpers.ingest.types import TABLE_KEYS
from helpers.schema import PLATFORMS

SNAPSHOT = "_snapshot_at"
SOURCE = "_source"
BOOKKEEPING = (SNAPSHOT, SOURCE)

#: Merge key of every keyed table the store holds (the importers' tables plus accounts).
STORE_KEYS: dict[str, tuple[str, ...]] = {**TABLE_KEYS, "accounts": ("account_id",)}

ACCOUNT_COLUMNS = ("account_id", "platform", "name", "owner", "category", "timezone")


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


# ----------------------------------------------------------------------------------------------
# incoming rows


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


def prepare(rows: pd.DataFrame, table: str, key: Sequence[str]) -> pd.DataFrame:
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
        {c: normalise(frame[c], table, c, c in key) for c in names if not c.startswith("_")},
        index=frame.index,
    )


def check_keys(rows: pd.DataFrame, table: str, key: Sequence[str], lines: pd.Series | None = None) -> None:
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


def _stamp(frame: pd.DataFrame, snapshot: object, source: str) -> pd.DataFrame:
    """The bookkeeping columns on every row: when the export was taken, and which raw file it is."""
    frame[SNAPSHOT] = pd.Series(snapshot, index=frame.index, dtype="datetime64[ns]")
    frame[SOURCE] = pd.Series(source, index=frame.index, dtype=TEXT)
    return frame


def incoming_rows(rows: pd.DataFrame, table: str, key: tuple[str, ...], snapshot_at: object,
                  source: str) -> pd.DataFrame:
    """Rows ready to merge into a keyed table: checked key, normalised columns, `_snapshot_at` and `_source`.

    ValueError for a call that breaks the table's contract (no key, another key); DataError for rows that
    cannot be merged (a key missing or repeated: the rows' `_line` names their file lines).
    """
    if not key:
        raise ValueError(f"merge into {table} needs a key; use replace() for tables without one")
    if table in STORE_KEYS and key != STORE_KEYS[table]:
        raise ValueError(f"{table} is keyed by {STORE_KEYS[table]}, not {key}")
    snapshot = timestamp(snapshot_at, "snapshot_at")
    incoming = prepare(rows, table, key)
    check_keys(incoming, table, key, rows["_line"].reset_index(drop=True) if "_line" in rows.columns else None)
    return _stamp(incoming, snapshot, source)


def replacement_rows(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows ready to replace a table without a key (ValueError for a keyed table: replacing drops history)."""
    if table in STORE_KEYS:
        raise ValueError(f"{table} has a key {STORE_KEYS[table]}: merge() it, replacing would drop history")
    return prepare(rows, table, ())


# ----------------------------------------------------------------------------------------------
# the rule


def merge_into(stored: pd.DataFrame | None, incoming: pd.DataFrame, table: str, key: tuple[str, ...],
               record_confirmations: bool = True) -> tuple[pd.DataFrame | None, MergeCounts]:
    """The table after merging `incoming` (from `incoming_rows`) into `stored`, and the counts.

    The table is None when nothing is to be written: no value changed and, unless
    `record_confirmations` is False (accounts: "now" confirms nothing), no row's snapshot moved forward.
    """
    if stored is None:
        if incoming.empty:
            return None, MergeCounts()
        return incoming, MergeCounts(added=len(incoming))
    merged, counts = merge_frames(stored, incoming, table, key)
    # a later snapshot confirming values is recorded too
    if counts.changed or (record_confirmations and merged.attrs.get("confirmed")):
        return merged, counts
    return None, counts


def merge_frames(stored: pd.DataFrame, incoming: pd.DataFrame, table: str,
                 key: tuple[str, ...]) -> tuple[pd.DataFrame, MergeCounts]:
    """The merge rule on two frames: the merged table and what happened to each incoming row.

    `merged.attrs["confirmed"]` says whether a later snapshot moved some row's `_snapshot_at` forward.
    """
    columns, old_cols, new_cols = _aligned(stored.reset_index(drop=True), incoming, table, key)
    pos = _stored_positions(old_cols, new_cols, table, key)
    matched = pos >= 0
    m_pos = pos[matched]
    # snapshot precedence, per incoming row that matches a stored one
    new_time = new_cols[SNAPSHOT].to_numpy()[matched]
    old_time = old_cols[SNAPSHOT].to_numpy()[m_pos]
    older, later = new_time < old_time, new_time > old_time
    values, changed = _resolve(old_cols, new_cols, columns, key, m_pos, matched, older)
    result: dict[str, pd.Series] = {}
    update_pos = m_pos[changed]
    for c in columns:
        col = old_cols[c].copy()
        if c in values and len(update_pos):
            col.iloc[update_pos] = values[c][changed].array
        result[c] = col
    # confirmations: the row's snapshot is the latest that confirmed it; its source the file that last
    # changed a value
    if later.any():
        result[SNAPSHOT].iloc[m_pos[later]] = new_cols[SNAPSHOT][matched][later].array
    newer_change = changed & ~older
    if newer_change.any():
        result[SOURCE].iloc[m_pos[newer_change]] = new_cols[SOURCE][matched][newer_change].array
    merged = pd.DataFrame(result)
    added = ~matched
    if added.any():
        extra = pd.DataFrame({c: new_cols[c][added] for c in columns})
        merged = pd.concat([merged, extra], ignore_index=True)
    counts = MergeCounts(added=int(added.sum()), updated=int(changed.sum()),
                         unchanged=int((~changed & ~older).sum()),
                         skipped_older=int((~changed & older).sum()))
    merged.attrs["confirmed"] = bool(later.any())
    return merged, counts


def _aligned(stored: pd.DataFrame, incoming: pd.DataFrame, table: str, key: tuple[str, ...]
             ) -> tuple[list[str], dict[str, pd.Series], dict[str, pd.Series]]:
    """Every column of either frame (bookkeeping last), the stored and the incoming one in one type.

    A column one frame lacks is all missing there (so a later export without it keeps the stored values).
    """
    columns = list(dict.fromkeys([*stored.columns, *incoming.columns]))
    columns = [c for c in columns if c not in BOOKKEEPING] + list(BOOKKEEPING)
    old_cols: dict[str, pd.Series] = {}
    new_cols: dict[str, pd.Series] = {}
    for c in columns:
        new = incoming.get(c)
        old = stored[c] if c in stored else empty(len(stored), new.dtype if new is not None else "float64")
        if new is None:
            new = empty(len(incoming), old.dtype)
        old_cols[c], new_cols[c] = align(old, new, table, c, c in key)
    return columns, old_cols, new_cols


def _stored_positions(old_cols: dict[str, pd.Series], new_cols: dict[str, pd.Series], table: str,
                      key: tuple[str, ...]) -> np.ndarray:
    """Merge by key: the stored row of each incoming row, -1 for a key the store lacks."""
    old_keys: pd.Index
    new_keys: pd.Index
    if len(key) == 1:   # one key column (posts.post_id): a plain index, much cheaper than a MultiIndex
        old_keys, new_keys = pd.Index(old_cols[key[0]]), pd.Index(new_cols[key[0]])
    else:
        old_keys = pd.MultiIndex.from_frame(pd.DataFrame({k: old_cols[k] for k in key}))
        new_keys = pd.MultiIndex.from_frame(pd.DataFrame({k: new_cols[k] for k in key}))
    if not old_keys.is_unique:
        _duplicate_keys(table, key)
    return old_keys.get_indexer(new_keys)


def _duplicate_keys(table: str, key: Sequence[str]) -> None:
    raise DataError(f"{table}: the store has duplicate keys ({', '.join(key)}); it was not written by merge(). "
                    "Rebuild it from its raw/ archive.")


def check_stored_keys(stored: pd.DataFrame, table: str, key: Sequence[str]) -> None:
    """DataError when stored rows repeat a key (`Transaction.merge` checks the rows an import touches)."""
    if stored[list(key)].duplicated().any():
        _duplicate_keys(table, key)


def _resolve(old_cols: dict[str, pd.Series], new_cols: dict[str, pd.Series], columns: list[str],
             key: tuple[str, ...], m_pos: np.ndarray, matched: np.ndarray, older: np.ndarray
             ) -> tuple[dict[str, pd.Series], np.ndarray]:
    """The value columns of the matched rows after the merge, and which of those rows changed.

    A newer (or as new) snapshot overwrites with its known values; an older one only fills gaps.
    """
    changed = np.zeros(len(m_pos), dtype=bool)
    values: dict[str, pd.Series] = {}
    for c in columns:
        if c in key or c in BOOKKEEPING:
            continue
        old = old_cols[c].iloc[m_pos].reset_index(drop=True)
        new = new_cols[c][matched].reset_index(drop=True)
        value = new.where(new.notna() & ~older, old).where(old.notna() | ~older, new)
        values[c] = value
        changed |= ~same(value, old)
    return values, changed


def replace_with(stored: pd.DataFrame | None, incoming: pd.DataFrame, source: str,
                 snapshot_at: object | None = None) -> tuple[pd.DataFrame | None, MergeCounts]:
    """The table that replaces `stored` by `incoming` (from `replacement_rows`), None when the content is the same."""
    if stored is not None and _same_content(stored, incoming):
        return None, MergeCounts(unchanged=len(incoming))
    stamp = pd.NaT if snapshot_at is None else timestamp(snapshot_at, "snapshot_at")
    return _stamp(incoming, stamp, source), MergeCounts(added=len(incoming),
                                                        removed=0 if stored is None else len(stored))


def _same_content(stored: pd.DataFrame, incoming: pd.DataFrame) -> bool:
    """Whether a replace would leave the table as it is (same columns, rows and values, in order)."""
    old_columns = [c for c in stored.columns if c not in BOOKKEEPING]
    if sorted(old_columns) != sorted(incoming.columns) or len(stored) != len(incoming):
        return False
    for c in old_columns:
        try:
            old, new = align(stored[c].reset_index(drop=True), incoming[c], "", c, False)
        except DataError:
            return False
        if not same(old, new).all():
            return False
    return True


# ----------------------------------------------------------------------------------------------
# accounts


def check_accounts(frame: pd.DataFrame) -> None:
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
    "ACCOUNT_COLUMNS", "BOOKKEEPING", "SNAPSHOT", "SOURCE", "STORE_KEYS", "MergeCounts", "check_accounts",
    "check_keys", "check_stored_keys", "incoming_rows", "merge_frames", "merge_into", "prepare", "replace_with",
    "replacement_rows",
]
