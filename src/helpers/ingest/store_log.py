"""The import log: one row per imported file and table, kept in every generation as `_imports.parquet`.

Part of the local store (see helpers.ingest.store). The log is what makes an import explainable and
repeatable: it names the file and its SHA-256 (the raw archive's name for it), the account, the export
kind and table, and what the merge did (added, updated, unchanged, kept, skipped rows, notes).
`helpers.ingest.pipeline` reads it to skip a file already imported and to rebuild a store from raw/.
This module holds its columns and types, how a logged row is built, how staged rows join the stored
log, and how a row reads in `opsbook store info`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.errors import DataError
from helpers.ingest.store_layout import LOG_TABLE
from helpers.ingest.store_merge import MergeCounts
from helpers.ingest.store_values import TEXT, align, empty, missing, normalise, timestamp

LOG_COUNTS = ("added", "updated", "unchanged", "skipped_older", "skipped_rows")
LOG_TEXT = ("file", "sha256", "account_id", "kind", "table", "notes")
LOG_COLUMNS = ("imported_at", "file", "sha256", "account_id", "kind", "table", *LOG_COUNTS, "notes")
LOG_INTS = (*LOG_COUNTS, "removed")   # kept as integers when logged (removed comes from MergeCounts.as_dict)


def empty_log() -> pd.DataFrame:
    """The import log with no rows, in its column types."""
    columns: dict[str, pd.Series] = {"imported_at": empty(0, "datetime64[ns]")}
    columns.update({c: empty(0, TEXT) for c in LOG_TEXT})
    columns.update({c: empty(0, "int64") for c in LOG_COUNTS})
    return pd.DataFrame(columns)[list(LOG_COLUMNS)]


def log_entry(entry: dict[str, object]) -> dict[str, object]:
    """One log row from what `Transaction.record` was given: counts default to 0, notes to "", the time to now."""
    row: dict[str, object] = dict.fromkeys(LOG_COUNTS, 0)
    row.update({"notes": ""})
    row.update(entry)
    when = row.get("imported_at")
    row["imported_at"] = timestamp(pd.Timestamp.now() if when is None else when, "imported_at")
    for c in LOG_COUNTS:
        row[c] = count(row[c])
    return row


def with_entries(log: pd.DataFrame, entries: Sequence[dict[str, object]]) -> pd.DataFrame:
    """The log with `entries` (from `log_entry`) appended; an extra field is a new column, missing before."""
    if not entries:
        return log.copy()
    raw = pd.DataFrame(list(entries))
    new = pd.DataFrame({c: raw[c].astype(TEXT) if c in LOG_TEXT else raw[c].astype("int64")
                        if c in LOG_INTS else normalise(raw[c], LOG_TABLE, c) for c in raw.columns})
    parts = []
    for c in dict.fromkeys([*log.columns, *new.columns]):
        old = log[c] if c in log else empty(len(log), new[c].dtype)
        add = new[c] if c in new else empty(len(new), old.dtype)
        try:
            old, add = align(old, add, LOG_TABLE, c, False)
        except DataError:  # an extra field logged with another type before: keep both as text
            old, add = old.astype(TEXT), add.astype(TEXT)
        parts.append(pd.concat([old, add], ignore_index=True).rename(c))
    return pd.concat(parts, axis=1)


def count(value: object) -> int:
    """A logged count as an int (missing counts as 0)."""
    return 0 if missing(value) else int(value)  # type: ignore[call-overload]


def _text(value: object, absent: str = "-") -> str:
    """A logged text field for printing."""
    return absent if missing(value) else str(value)


def log_line(row: dict[str, object]) -> str:
    """One import-log row as a line: when, file, account, kind → table: counts; notes."""
    when = row.get("imported_at")
    when_text = when.strftime("%Y-%m-%d %H:%M") if isinstance(when, pd.Timestamp) and pd.notna(when) else "?"
    counts = MergeCounts(*(count(row.get(k)) for k in ("added", "updated", "unchanged", "skipped_older")))
    skipped = count(row.get("skipped_rows"))
    text = (f"{when_text}  {_text(row.get('file'))} ({_text(row.get('account_id'))}, {_text(row.get('kind'))}) "
            f"→ {_text(row.get('table'))}: {counts}")
    if skipped:
        text += f"; {skipped} row(s) not imported"
    notes = _text(row.get("notes"), "")
    return text + (f"; {notes}" if notes else "")


__all__ = ["LOG_COLUMNS", "LOG_COUNTS", "LOG_TABLE", "count", "empty_log", "log_entry", "log_line", "with_entries"]
