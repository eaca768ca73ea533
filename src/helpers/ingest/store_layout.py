"""The store folder on disk: generations, the CURRENT pointer, the atomic switch, the raw archive.

Part of the local store (see helpers.ingest.store for the layout and its guarantees). Everything that
touches files lives here, so the crash-safety argument can be checked in one place:

* `publish` writes a new generation under a temporary name, fsyncs it, renames it to the next gNNNNNN
  and only then replaces CURRENT atomically (`write_text_atomic`: CURRENT.tmp, fsync, os.replace);
  the tests fail or kill a writer inside `write_parquet` and `replace_current` to prove it.
* `check_current` is the rollback guard: a writer refuses a CURRENT that names no generation (a
  mistyped hand rollback) rather than start from nothing.
* `clean_leftovers` removes what an interrupted writer left; `prune` keeps the newest generations.
  Generations newer than CURRENT (a hand rollback, or a commit killed just before its switch) are
  kept, never renumbered: new ones take the next free number.
* `archive` copies a raw export into raw/ under its SHA-256, atomically.

The lock and the staged state are the transaction's (helpers.ingest.store_transaction).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers.errors import DataError
from helpers.ingest.store_values import to_naive

FORMAT = 1
KEEP_GENERATIONS = 3
#: The import log's table name: `_imports.parquet` in every generation (helpers.ingest.store_log).
LOG_TABLE = "_imports"

_GENERATION = re.compile(r"^g(\d{6,})$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")


def check_name(table: str) -> None:
    """A table name must be a plain file name (it becomes <table>.parquet)."""
    if not _TABLE_NAME.match(table) or table == LOG_TABLE:
        raise ValueError(f"invalid store table name {table!r}")


# ----------------------------------------------------------------------------------------------
# files


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (new or renamed files) durable; a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    """Write one table file and fsync it (the crash tests patch this function).

    A frame is written as pandas writes it; an Arrow table (from `Transaction.merge`'s in-place merge,
    built by `frame_arrow` and `take`) as it is, with the same compression.
    """
    with open(path, "wb") as fh:
        if isinstance(frame, pa.Table):
            pq.write_table(frame, fh, compression="snappy")
        else:
            frame.to_parquet(fh, index=False)
        fh.flush()
        os.fsync(fh.fileno())


#: Filters of `read_parquet`/`select_rows`: column → the values a row's value must be one of.
Where = Mapping[str, Collection[object]]


def read_parquet(path: Path, columns: Sequence[str] | None = None, where: Where | None = None) -> pd.DataFrame:
    """Read one table file of a generation (only `columns`, those it has, when given), datetimes as datetime64[ns].

    `where` keeps only the rows whose text columns hold one of the given values (see `select_rows`), so a
    check about 30 posts reads 30 rows of a 350 k-post table into pandas, not all of them.
    """
    if columns is not None:
        names = set(pq.read_schema(path).names)
        columns = [c for c in columns if c in names]
    if where is not None:
        wanted = None if columns is None else list(dict.fromkeys([*columns, *where]))
        frame = arrow_frame(select_rows(read_arrow(path, wanted), where))
        return frame if columns is None else frame[list(columns)]
    frame = pd.read_parquet(path, columns=None if columns is None else list(columns))
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col].dtype):
            frame[col] = to_naive(frame[col])
    return frame


def read_arrow(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """One table file as an Arrow table (only `columns`, those it has, when given), with its pandas metadata."""
    if columns is not None:
        names = set(pq.read_schema(path).names)
        columns = [c for c in columns if c in names]
    return pq.read_table(path, columns=None if columns is None else list(columns))


def is_text(kind: pa.DataType) -> bool:
    """Whether an Arrow column holds text (the store's text columns are large_string)."""
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def matching_positions(table: pa.Table, where: Where) -> np.ndarray:
    """Positions (ascending) of the rows whose value in each text column of `where` is one of its values.

    Only text columns filter (values compared as their text); a column the table lacks, or one of
    another type, keeps every row, so callers that need an exact match still compare the rows they get.
    """
    mask: pa.ChunkedArray | None = None
    for column, values in where.items():
        if column not in table.column_names or not is_text(table.schema.field(column).type):
            continue
        wanted = pa.array(sorted({str(v) for v in values if isinstance(v, str) or not pd.isna(v)}),
                          type=table.schema.field(column).type)
        hit = pc.fill_null(pc.is_in(table[column], value_set=wanted), False)
        mask = hit if mask is None else pc.and_(mask, hit)
    if mask is None:
        return np.arange(table.num_rows, dtype=np.int64)
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False)).astype(np.int64)


def frame_matches(frame: pd.DataFrame, where: Where) -> np.ndarray:
    """`matching_positions` on a frame, as a mask: its text columns (the store's string type) filter."""
    mask = np.ones(len(frame), dtype=bool)
    for column, values in where.items():
        if column in frame.columns and pd.api.types.is_string_dtype(frame[column].dtype) \
                and not pd.api.types.is_object_dtype(frame[column].dtype):
            wanted = {str(v) for v in values if isinstance(v, str) or not pd.isna(v)}
            mask &= frame[column].isin(wanted).to_numpy(dtype=bool)
    return mask


def select_rows(table: pa.Table, where: Where) -> pa.Table:
    """The rows `matching_positions` finds, in table order."""
    return table.take(pa.array(matching_positions(table, where)))


def splice(table: pa.Table, positions: np.ndarray, rows: pa.Table) -> pa.Table:
    """`table` with its rows at `positions` (ascending) replaced by the first rows of `rows`, in order, and the
    rest of `rows` appended (same schema). A few positions splice slices (no copy); many take every row."""
    kept, n = len(positions), table.num_rows
    if kept > 1000:
        order = np.arange(n + rows.num_rows - kept, dtype=np.int64)
        order[positions] = n + np.arange(kept)
        order[n:] = n + np.arange(kept, rows.num_rows)
        return pa.concat_tables([table, rows]).take(pa.array(order))
    pieces, start = [], 0
    for j, at in enumerate(positions.tolist()):
        pieces += [table.slice(start, at - start), rows.slice(j, 1)]
        start = at + 1
    pieces += [table.slice(start), rows.slice(kept)]
    return pa.concat_tables(pieces)


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as `read_parquet` reads its file: written to Parquet in memory and read back by pandas,
    so every column comes back in exactly the type a full read gives (meant for the few rows of a check)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="none")
    frame = pd.read_parquet(pa.BufferReader(sink.getvalue()))
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col].dtype):
            frame[col] = to_naive(frame[col])
    return frame


def frame_arrow(frame: pd.DataFrame) -> pa.Table:
    """A frame as Arrow exactly as `DataFrame.to_parquet` converts it (no index; `attrs` in the metadata)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if frame.attrs:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"PANDAS_ATTRS": json.dumps(frame.attrs).encode()})
    return table


def _link_or_copy(source: Path, target: Path) -> None:
    """Put an unchanged table file into a new generation: a hard link (files are immutable) or a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
        with open(target, "rb+") as fh:
            os.fsync(fh.fileno())


def write_text_atomic(path: Path, text: str) -> None:
    """Replace a small text file atomically: write <name>.tmp, fsync, os.replace, fsync the folder."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    replace_current(tmp, path)
    fsync_dir(path.parent)


def replace_current(tmp: Path, path: Path) -> None:
    """The atomic step that publishes a generation (a separate function so tests can fail it)."""
    os.replace(tmp, path)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------------------------
# the store marker: STORE.json


def is_store(root: Path) -> bool:
    """Whether `root` is a store folder (it has STORE.json)."""
    return (root / "STORE.json").is_file()


def make_folders(root: Path) -> None:
    """The store's folders in `root` (a new, empty or store folder; DataError for a file or a data folder)."""
    if root.exists() and not root.is_dir():
        raise DataError(f"{root} is a file; a store is a folder. Choose another path.")
    if root.is_dir() and not is_store(root) and any(p for p in root.iterdir()
                                                        if p.name not in ("generations", "raw", ".lock")):
        raise DataError(f"{root} is a folder with other files in it (a CSV data folder?), not a store; a store "
                        "is made in a new or empty folder. Choose another path (e.g. data/store), and import "
                        "the CSV files into it.")
    (root / "generations").mkdir(parents=True, exist_ok=True)
    (root / "raw").mkdir(exist_ok=True)


def mark_store(root: Path) -> None:
    """Write STORE.json (the last step of creating a store: until then it is not one)."""
    meta = {"format": FORMAT, "created_at": pd.Timestamp.now().isoformat(timespec="seconds")}
    write_text_atomic(root / "STORE.json", json.dumps(meta, indent=2) + "\n")


def check_format(root: Path) -> None:
    """DataError when STORE.json is unreadable or from a newer store format."""
    try:
        meta = json.loads((root / "STORE.json").read_text(encoding="utf-8"))
        version = int(meta["format"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{root / 'STORE.json'} is damaged ({exc}); it should read "
                        f'{{"format": {FORMAT}, ...}}.') from exc
    if version != FORMAT:
        raise DataError(f"{root} is a store of format {version}; this opsbook reads format {FORMAT}. "
                        "Upgrade opsbook.")


# ----------------------------------------------------------------------------------------------
# generations and CURRENT


def read_current(root: Path) -> str | None:
    """The name CURRENT holds, or None when there is none yet."""
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def generation_number(name: str) -> int | None:
    """The number of a generation folder's name ('g000007' → 7), None for another name."""
    match = _GENERATION.match(name)
    return int(match.group(1)) if match else None


def generations(root: Path) -> list[tuple[int, Path]]:
    """The store's generation folders (gNNNNNN), oldest first."""
    folder = root / "generations"
    if not folder.is_dir():
        return []
    found = [(generation_number(p.name), p) for p in folder.iterdir() if p.is_dir()]
    return sorted((n, p) for n, p in found if n is not None)


def current_data_dir(root: Path) -> Path | None:
    """The current generation's data folder (for helpers.data / notebooks); None if not a store or empty."""
    root = Path(root)
    if not is_store(root):
        return None
    for _ in range(2):  # a writer may replace CURRENT and prune between our two reads
        name = read_current(root)
        if name is None:
            return None
        folder = root / "generations" / name
        if folder.is_dir():
            return folder
    raise DataError(f"{root}: CURRENT names generation {name!r}, which does not exist. The store is damaged; "
                    "rebuild it from its raw/ archive.")


def check_current(root: Path) -> None:
    """Refuse to write when CURRENT names no existing generation (a mistyped hand rollback):
    writing then would start from nothing and, with pruning, lose every table and the log."""
    name = read_current(root)
    if name is None:
        if generations(root):
            raise DataError(f"{root}: CURRENT is missing or empty but generations exist "
                            f"({', '.join(p.name for _, p in generations(root))}); write the name of the "
                            "one to use into CURRENT (e.g. the newest), then try again. Nothing was changed.")
        return
    if generation_number(name) is None or not (root / "generations" / name).is_dir():
        known = ", ".join(p.name for _, p in generations(root)) or "none"
        raise DataError(f"{root}: CURRENT names generation {name!r}, which does not exist (generations: "
                        f"{known}). Write one of those names into CURRENT, then try again. Nothing was changed.")


def clean_leftovers(root: Path) -> None:
    """Remove what interrupted writers left: temp folders and files.

    Generations newer than CURRENT are kept: after a hand rollback they are the imports rolled back
    (still complete, and a roll forward is one edit of CURRENT); new generations take the next
    number after the highest, so no name is reused.
    """
    gens = root / "generations"
    for tmp in gens.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
    for tmp in (root / "raw").glob("*/.tmp-*"):
        tmp.unlink(missing_ok=True)
    (root / "CURRENT.tmp").unlink(missing_ok=True)


def prune(root: Path) -> None:
    """Keep the newest KEEP_GENERATIONS generations (CURRENT among them), delete the older ones."""
    current = generation_number(read_current(root) or "")
    if current is None:
        return
    kept = [(n, p) for n, p in generations(root) if n <= current]
    for _, path in kept[:-KEEP_GENERATIONS]:
        shutil.rmtree(path, ignore_errors=True)


def publish(root: Path, files: Mapping[str, pd.DataFrame | pa.Table | Path]) -> str:
    """Write a new generation and point CURRENT at it; return its name (e.g. 'g000008').

    `files` maps each table name to its content, in the order written: a frame is written as
    <name>.parquet (an Arrow table too), a path (an unchanged file of the base generation) is linked. The generation is
    complete and fsynced under generations/.tmp-<uuid> before it is renamed to the next free number,
    and CURRENT is replaced only then; any failure removes what this call made and leaves CURRENT as it was.
    """
    gens = root / "generations"
    tmp = gens / f".tmp-{uuid.uuid4().hex}"
    final: Path | None = None
    try:
        tmp.mkdir()
        for name, content in files.items():
            target = tmp / f"{name}.parquet"
            if isinstance(content, Path):
                _link_or_copy(content, target)
            else:
                write_parquet(content, target)
        fsync_dir(tmp)
        numbers = [n for n, _ in generations(root)]
        final = gens / f"g{(max(numbers) + 1) if numbers else 1:06d}"
        os.rename(tmp, final)
        fsync_dir(gens)
        write_text_atomic(root / "CURRENT", final.name + "\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if final is not None and read_current(root) != final.name:
            shutil.rmtree(final, ignore_errors=True)
        raise
    return final.name


# ----------------------------------------------------------------------------------------------
# the raw archive: raw/ab/<sha256>.<suffix>


def raw_path(root: Path, sha256: str) -> Path:
    """The archived raw file with this SHA-256 (DataError if it was never archived)."""
    folder = root / "raw" / sha256[:2]
    found = sorted(folder.glob(f"{sha256}*")) if folder.is_dir() else []
    found = [p for p in found if p.name == sha256 or p.name.startswith(sha256 + ".")]
    if not found:
        raise DataError(f"{root}: no raw file with SHA-256 {sha256} in raw/ (was it imported into this store?).")
    return found[0]


def archive(root: Path, path: Path) -> tuple[str, Path | None]:
    """Copy a raw export into raw/<sha[:2]>/<sha><suffix> unless already there.

    Returns its SHA-256 and the archived file, or None for the file when it was there already.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found; nothing was imported.")
    sha = file_sha256(path)
    with contextlib.suppress(DataError):
        raw_path(root, sha)
        return sha, None  # already archived (archive files are immutable, so it is this very content)
    folder = root / "raw" / sha[:2]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".tmp-{uuid.uuid4().hex}"
    target = folder / f"{sha}{path.suffix.lower()}"
    try:
        shutil.copyfile(path, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(folder)
    return sha, target


__all__ = [
    "FORMAT", "KEEP_GENERATIONS", "LOG_TABLE", "archive", "check_current", "check_format", "check_name",
    "clean_leftovers", "current_data_dir", "file_sha256", "generation_number", "generations", "is_store",
    "make_folders", "mark_store", "prune", "publish", "raw_path", "read_current", "read_parquet",
    "replace_current", "write_parquet", "write_text_atomic",
]
