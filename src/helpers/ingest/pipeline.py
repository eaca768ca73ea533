"""`opsbook import`: raw exports → checked canonical rows → one atomic store transaction.

Every file is read, recognised, mapped and checked BEFORE the store is touched; then all of them are
merged in one transaction, so an import either lands whole or not at all (`keep_going` imports the
good files and reports the bad ones). For each file:

1. its sha256: a file this account already imported (same bytes) is skipped, so re-importing
   changes nothing;
2. read_grids → detect (the export kind, or `kind`, or a YAML column mapping) → map_grid; a file
   already in the canonical schema (e.g. topic_bank.csv, targets.csv) is recognised by its columns;
3. the export's platform must be the account's (a Douyin export for an X account is refused);
4. the rows are checked against the schema (helpers.data.parse_table: formats, ranges, keys);
5. in the transaction: the raw file is archived unchanged with its checksum, the rows merged by the
   table's key (the later snapshot wins, daily rows by date), and the import log records what was
   added, updated, unchanged and skipped.

The snapshot time of an export is `as_of` when given (`--as-of`, the documented way to say when a
file was exported), else the export's own last date (`export_time`: its latest publish time, or the
midnight after its last day), else the file's modification time — which a copy, sync or checkout
resets, so it comes last. An older export imported later then does not overwrite newer metrics; when
one would still lower a post's lifetime counts (same last date), the file's report carries a WARNING
naming the posts (`lifetime_decreases`). Dates exported without a year are read against `as_of`, else
against the file's modification time, and then only when they end within two months of it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from helpers.data import LoadResult, format_problems, parse_table
from helpers.errors import DataError, OpsbookError, ParameterError
from helpers.ingest import kinds  # noqa: F401  (registers the export kinds)
from helpers.ingest.bulk import paused_cycle_collection
from helpers.ingest.generic import load_mapping, restrict_to_header_row
from helpers.ingest.mapping import detect, map_grid, normalise_header
from helpers.ingest.pillars import PillarRules, load_rules, stored_rules
from helpers.ingest.read import read_grids
from helpers.ingest.store import STORE_KEYS, MergeCounts, Store, Transaction
from helpers.ingest.store_layout import file_sha256
from helpers.ingest.types import (
    KINDS,
    TABLE_KEYS,
    ExportKind,
    Grid,
    ImportContext,
    ImportFileError,
    Mapped,
    UnknownExportError,
)
from helpers.schema import TABLES, TableSpec
from helpers.timezones import DEFAULT_TIMEZONE

#: Files a folder import picks up (explicitly named files are always tried).
EXPORT_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".txt", ".xls", ".xlsx")
#: The import-log kind of a `opsbook store pillars` step (replayed by rebuild_store).
PILLAR_RULES_KIND = "pillar_rules"
#: Canonical tables a file may carry as-is (accounts too: merged by account_id, as `store add-account` does).
CANONICAL_TABLES: tuple[str, ...] = tuple(TABLES)


@dataclass
class FileOutcome:
    """What happened to one file: its kind, the rows per table, and why anything was skipped."""

    path: Path
    sha256: str = ""
    kind: str = ""
    status: str = "pending"            # imported | unchanged | already imported | failed
    mapped: list[Mapped] = field(default_factory=list)
    counts: dict[str, MergeCounts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str = ""

    def line(self) -> str:
        """One line of the import log for the console."""
        if self.status == "failed":
            return f"FAILED   {self.path.name}: {self.error}"
        if self.status == "already imported":
            return f"skipped  {self.path.name}: {self.notes[0] if self.notes else 'already imported'}"
        parts = [f"{table}: {counts}" for table, counts in self.counts.items()]
        text = f"{self.status:<8} {self.path.name} as {self.kind} — " + "; ".join(parts)
        return text + "".join(f"\n           · {n}" for n in self.notes)


@dataclass
class ImportReport:
    """Every file's outcome and the store generation the import produced."""

    store: Path
    files: list[FileOutcome]
    generation: str | None = None
    dry_run: bool = False
    ignored: list[str] = field(default_factory=list)  # files in the folders given that are not exports

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    def __str__(self) -> str:
        head = f"{'Dry run: nothing written to' if self.dry_run else 'Store'} {self.store}" + (
            f" (generation {self.generation})" if self.generation and not self.dry_run else "")
        return "\n".join([head, *(f.line() for f in self.files), *(f"ignored  {note}" for note in self.ignored)])


def _visible_files(folder: Path) -> list[Path]:
    """Files under a folder, recursively and sorted, outside hidden files and folders."""
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _ignored_note(path: Path) -> str:
    """Why a file in a folder is not imported (a zip gets what to do about it)."""
    if path.suffix.lower() == ".zip":
        return f"{path.name}: a zip archive, not imported: unzip it and import the extracted folder"
    return f"{path.name}: not an export file ({', '.join(EXPORT_SUFFIXES)}), not imported"


def scan_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[str], set[Path]]:
    """Files to import (named files as given, folders searched recursively, sorted), notes on the files
    left out, and which files were found in a folder (rather than named)."""
    out: list[Path] = []
    ignored: list[str] = []
    in_folders: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            files = _visible_files(path)
            found = [p for p in files if p.suffix.lower() in EXPORT_SUFFIXES]
            left_out = [_ignored_note(p) for p in files if p.suffix.lower() not in EXPORT_SUFFIXES]
            if not found:
                why = f" It holds: {'; '.join(left_out[:5])}." if left_out else ""
                raise ImportFileError(f"{path}: the folder holds no export files ({', '.join(EXPORT_SUFFIXES)}).{why}")
            out.extend(found)
            in_folders.update(found)
            ignored.extend(left_out)
        elif path.is_file():
            out.append(path)
        else:
            raise ImportFileError(f"{path}: no such file or folder.")
    named = {Path(p).expanduser() for p in paths}
    return list(dict.fromkeys(out)), ignored, in_folders - named


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files to import: named files as given, folders searched recursively for export files (sorted)."""
    return scan_paths(paths)[0]


def snapshot_time(path: Path, as_of: dt.date | dt.datetime | None, mapped: Sequence[Mapped] = ()) -> pd.Timestamp:
    """When the export's numbers were taken: `as_of`, else the export's own last date, else the file's time.

    The file's modification time comes last: a copy, sync or checkout resets it, and an older export
    copied later would then overwrite newer lifetime counts.
    """
    if as_of is not None:
        return pd.Timestamp(as_of)
    carried = export_time(mapped)
    if carried is not None:
        return carried
    return pd.Timestamp(dt.datetime.fromtimestamp(path.stat().st_mtime)).floor("s")


#: The dated column of each export table: (column, whether a row's day is over only at the next midnight).
_EXPORT_DATES: dict[str, tuple[str, bool]] = {
    "posts": ("published_at", False), "account_daily": ("date", True), "follower_activity": ("date", True),
    "comments": ("created_at", False),
}


def export_time(mapped: Sequence[Mapped]) -> pd.Timestamp | None:
    """The earliest time an export can have been taken, from its own rows (None when they carry no date).

    The latest publish time of its posts, or the midnight after its last day (a day's figures exist
    once the day is over); canonical files (topic bank, targets …) carry no export time.
    """
    times: list[pd.Timestamp] = []
    for m in mapped:
        column, whole_day = _EXPORT_DATES.get(m.table, ("", False))
        if m.kind.startswith("canonical:") or column not in m.rows.columns:
            continue
        latest = pd.to_datetime(m.rows[column], errors="coerce").max()
        if pd.notna(latest):
            times.append(pd.Timestamp(latest).normalize() + pd.Timedelta(days=1) if whole_day else pd.Timestamp(latest))
    return max(times).floor("s") if times else None


#: Posts metrics counted over a post's lifetime: a later export never has less of them.
LIFETIME_COUNTS: tuple[str, ...] = ("impressions", "reach", "views", "likes", "comments", "shares", "saves",
                                    "clicks", "follows")


def lifetime_decreases(stored: pd.DataFrame | None, rows: pd.DataFrame, snapshot: pd.Timestamp) -> str | None:
    """A warning when merging these posts would lower lifetime counts the store holds (None when none would).

    Only stored rows the merge would overwrite (snapshot at or before this one) are compared; a drop
    means this export is older than one already imported, or the platform corrected its count.
    """
    if stored is None or stored.empty or rows.empty or "post_id" not in rows.columns:
        return None
    columns = [c for c in LIFETIME_COUNTS if c in rows.columns and c in stored.columns]
    if not columns:
        return None
    keys = ["account_id", "post_id"]
    as_text = dict.fromkeys(keys, str)
    old = stored.loc[pd.to_datetime(stored["_snapshot_at"]) <= snapshot, [*keys, *columns]].astype(as_text)
    both = rows[[*keys, *columns]].astype(as_text).merge(old, on=keys, suffixes=("", "_stored"))
    drops: list[str] = []
    lower = pd.Series(False, index=both.index)
    for c in columns:
        new, was = pd.to_numeric(both[c], errors="coerce"), pd.to_numeric(both[f"{c}_stored"], errors="coerce")
        down = (new < was).fillna(False)
        lower |= down
        drops += [f"post {pid} {c} {b:,.0f} → {a:,.0f}" for pid, a, b in zip(both.loc[down, "post_id"],
                                                                           new[down], was[down], strict=True)]
    if not lower.any():
        return None
    return (f"WARNING: {int(lower.sum())} post(s) would have lifetime counts go down (e.g. {'; '.join(drops[:3])}): "
            f"is this export older than one already imported? Import it again with --as-of YYYY-MM-DD (the day it "
            f"was downloaded) to keep the newer counts")


def canonical_table(grid: Grid) -> str | None:
    """The schema table whose required columns the grid's first row carries exactly (file name breaks ties)."""
    if not grid.rows:
        return None
    header = {str(c).strip() for c in grid.rows[0]}
    matches = [t for t in CANONICAL_TABLES if set(TABLES[t].required) <= header]
    if len(matches) > 1:
        stem = grid.path.name.split(".")[0]
        matches = [t for t in matches if t == stem] or sorted(matches, key=lambda t: -len(TABLES[t].required))[:1]
    return matches[0] if matches else None


def _canonical_rows(grid: Grid, table: str, account: str | None) -> Mapped:
    """A canonical file's rows, parsed and checked by the schema; account_id filled or checked."""
    header = [str(c).strip() for c in grid.rows[0]]
    width = len(header)
    body = [tuple(r[:width]) + ("",) * (width - len(r)) for r in grid.rows[1:]]
    raw = pd.DataFrame(body, columns=header, dtype="object").replace({"": None})
    spec = TABLES[table]
    if "account_id" in [c.name for c in spec.columns]:
        if "account_id" not in raw.columns or raw["account_id"].isna().all():
            if account is None:
                raise ImportFileError(f"{grid.where}: a {table} file without account_id needs --account ID.")
            raw["account_id"] = account
        elif account is not None:
            other = raw["account_id"].notna() & (raw["account_id"] != account)
            if other.any():
                shown = [grid.line_numbers[i + 1] for i in other[other].index[:5]]
                raise ImportFileError(f"{grid.where}: rows for account(s) {sorted(set(raw.loc[other, 'account_id']))} "
                                      f"(lines {shown}) but --account is {account}: import each account's rows "
                                      "with its own --account, or leave --account out for a canonical file.")
    lines = tuple(grid.line_numbers[1:len(body) + 1])
    result = _parse_with_lines(raw, spec, grid.where, lines)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors or result.frame is None:
        raise ImportFileError(f"{grid.where} does not satisfy the {table} schema:\n{format_problems(errors)}")
    mapped = Mapped(kind=f"canonical:{table}", table=table, rows=result.frame, header_line=grid.line_numbers[0],
                    source=grid.where, lines=lines)
    _check_ids_not_rounded(mapped, grid.where)
    return mapped


def _parse_with_lines(rows: pd.DataFrame, spec: TableSpec, where: str, lines: Sequence[int]) -> LoadResult:
    """`data.parse_table` with its problems naming these file lines (it counts header = line 1, rows after)."""
    if len(lines) != len(rows):
        return parse_table(rows, spec, where)
    indexed = rows.set_axis(pd.Index([n - 2 for n in lines]), axis=0)
    result = parse_table(indexed, spec, where)
    if result.frame is not None:
        result = replace(result, frame=result.frame.reset_index(drop=True))
    return result


def _tag_canonical_posts(mapped: Mapped, rules: PillarRules | None) -> Mapped:
    """A canonical posts file's pillars: its own marked "file", the missing ones tagged by the store's rules."""
    if mapped.table != "posts":
        return mapped
    rows = mapped.rows.copy()
    has = rows["pillar"].notna() if "pillar" in rows.columns else pd.Series(False, index=rows.index)
    rows["pillar_source"] = pd.Series(pd.NA, index=rows.index, dtype="string").mask(has, "file")
    mapped.rows = rules.tag(rows) if rules is not None else rows
    return mapped


def _keep_non_rule_pillars(txn: Transaction, rows: pd.DataFrame) -> pd.DataFrame:
    """Incoming rule-tagged pillars dropped where the store's pillar came from an export or a file.

    Rules only fill pillars nobody gave: a later export (no pillar, so tagged by rule) must not replace
    the pillar a canonical file or an export set for the same post. Missing values never overwrite.
    """
    if "pillar_source" not in rows.columns:
        return rows
    stored = txn.read("posts", where=_post_keys(rows))
    if stored is None or "pillar_source" not in stored.columns:
        return rows
    given = stored[stored["pillar"].notna() & stored["pillar_source"].notna() & (stored["pillar_source"] != "rule")]
    if given.empty:
        return rows
    keys = pd.MultiIndex.from_frame(given[["account_id", "post_id"]].astype(str))
    incoming = pd.MultiIndex.from_frame(rows[["account_id", "post_id"]].astype(str))
    protect = incoming.isin(keys) & (rows["pillar_source"] == "rule").fillna(False).to_numpy(dtype=bool)
    if not protect.any():
        return rows
    rows = rows.copy()
    rows.loc[protect, "pillar"] = pd.NA
    rows.loc[protect, "pillar_source"] = pd.NA
    return rows


def _post_keys(rows: pd.DataFrame) -> dict[str, list[object]]:
    """The account and post ids of some posts rows: which stored posts a check about them has to read."""
    return {k: rows[k].dropna().unique().tolist() for k in ("account_id", "post_id") if k in rows.columns}


def _check_mapped(mapped: Mapped, where: str, rules: PillarRules | None = None) -> Mapped:
    """Check export rows against the schema (posts and account_daily), filling the columns exports never carry."""
    rows = mapped.rows
    if mapped.table == "posts":
        for column in ("pillar", "title", "topics"):
            if column not in rows.columns:
                rows[column] = pd.NA
        if "paid" not in rows.columns:
            rows["paid"] = False
        if rules is not None:
            rows = rules.tag(rows)
            mapped.rows = rows
    if mapped.table == "account_daily" and "followers" not in rows.columns:
        rows["followers"] = float("nan")  # an export without the follower count: missing, not zero
    _check_ids_not_rounded(mapped, where)
    key = [k for k in TABLE_KEYS[mapped.table] if k in rows.columns]
    missing_key = rows[key].isna().any(axis=1) if key else pd.Series(False, index=rows.index)
    if missing_key.any():
        positions = [int(i) for i in missing_key[missing_key].index[:5]]
        lines = _file_lines(mapped, positions)
        at = f"lines {lines}" if lines else f"data rows {[i + 1 for i in positions]}"
        raise ImportFileError(f"{where}: {int(missing_key.sum())} row(s) without {', '.join(key)} "
                              f"({at}): the export is incomplete.")
    dup = rows.duplicated(subset=key, keep=False)
    if dup.any():
        shown = rows.loc[dup, key].drop_duplicates().head(3).astype(str).agg(" / ".join, axis=1).tolist()
        lines = _file_lines(mapped, [int(i) for i in dup[dup].index[:6]])
        at = f" (lines {lines})" if lines else ""
        raise ImportFileError(f"{where}: {int(dup.sum())} rows share a key ({', '.join(key)} = {'; '.join(shown)})"
                              f"{at}; one export should list each once — download it again or split it.")
    if mapped.table in TABLES:
        result = _parse_with_lines(rows, TABLES[mapped.table], where, mapped.lines)
        errors = [p for p in result.problems if p.severity == "error"]
        if errors or result.frame is None:
            raise ImportFileError(f"{where}: the mapped rows break the {mapped.table} schema:\n"
                                  f"{format_problems(errors)}")
        mapped.rows = result.frame
    return mapped


def _file_lines(mapped: Mapped, positions: Sequence[int]) -> list[int] | None:
    """The file lines of rows of a mapped file (by position), None when the mapping did not keep them."""
    return [mapped.lines[i] for i in positions] if len(mapped.lines) == len(mapped.rows) else None


#: A number in scientific notation ("1.8E+16"): what a spreadsheet makes of a long numeric id.
_ROUNDED_ID = r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$"


def _check_ids_not_rounded(mapped: Mapped, where: str) -> None:
    """Refuse post ids a spreadsheet turned into scientific notation: the real id is lost, the post would double."""
    if mapped.table != "posts" or "post_id" not in mapped.rows.columns:
        return
    ids = mapped.rows["post_id"].astype("string")
    rounded = ids.str.strip().str.fullmatch(_ROUNDED_ID).fillna(False).to_numpy(dtype=bool)
    if not rounded.any():
        return
    positions = [i for i, flag in enumerate(rounded) if flag][:5]
    raise ImportFileError(
        f"{where}: {int(rounded.sum())} post id(s) in scientific notation (e.g. {ids.iloc[positions[0]]!r}, "
        f"line(s) {_file_lines(mapped, positions) or [i + 1 for i in positions]}): a spreadsheet rounded the long "
        "ids, so the real ids are lost and the posts would be counted twice. Import the export as downloaded "
        "(do not open and save it in Excel), or format the id column as text before saving."
    )


def _account(store: Store, account_id: str | None) -> pd.Series | None:
    """The account's row in the store (None when no account is given); DataError for an unknown one."""
    if account_id is None:
        return None
    accounts = store.read("accounts")
    if accounts is None or not (accounts["account_id"] == account_id).any():
        known = ", ".join(accounts["account_id"]) if accounts is not None and len(accounts) else "none yet"
        raise ParameterError(f"Unknown account {account_id!r} in store {store.root} (known: {known}). Add it first: "
                             f"opsbook store add-account {account_id} --platform PLATFORM --name NAME "
                             f"--store {store.root}")
    return accounts[accounts["account_id"] == account_id].iloc[0]


def map_file(path: Path, account: pd.Series | None, kind: str | None = None, mapping: ExportKind | None = None,
             reference: dt.date | None = None, rules: PillarRules | None = None,
             reference_source: str = "as-of") -> list[Mapped]:
    """Read one file and map every recognised sheet to canonical rows (ImportFileError naming what is wrong).

    `reference` dates the dates exported without a year ("as-of", "file time" or, when None, "today").
    """
    grids = read_grids(path)
    out: list[Mapped] = []
    unrecognised: list[tuple[Grid, ImportFileError]] = []
    account_id = None if account is None else str(account["account_id"])
    for grid in grids:
        if mapping is None and kind is None:
            table = canonical_table(grid)
            if table is not None:
                out.append(_tag_canonical_posts(_canonical_rows(grid, table, account_id), rules))
                continue
        if account is None:
            raise ImportFileError(f"{grid.where} is a platform export: name the account it belongs to with "
                                  "--account ID.")
        try:
            if mapping is not None:
                grid = restrict_to_header_row(grid, mapping)
                found = detect(grid, [mapping])
            else:
                found = detect(grid, forced=kind)
        except ImportFileError as exc:
            unrecognised.append((grid, exc))
            continue
        platform = str(account["platform"])
        if found.kind.platforms and platform not in found.kind.platforms:
            raise ImportFileError(f"{grid.where} looks like {found.kind.title} ({found.kind.name}, from "
                                  f"{' or '.join(found.kind.platforms)}), but account {account_id} is on {platform}: "
                                  "wrong --account?")
        timezone = account.get("timezone") if "timezone" in account.index else None
        context = ImportContext(account_id=account_id or "", platform=platform,
                                timezone=str(timezone) if isinstance(timezone, str) and timezone else DEFAULT_TIMEZONE,
                                reference=reference or dt.date.today(),
                                reference_source=reference_source if reference else "today")
        with paused_cycle_collection():   # hundreds of thousands of acyclic row tuples, lists and values
            mapped = map_grid(grid, found, context)
        out.append(_check_mapped(mapped, grid.where, rules))
    if not out:
        raise unrecognised[0][1] if unrecognised else ImportFileError(f"{path.name}: no data in the file.")
    for grid, _ in unrecognised:
        out[0].skipped.append(f"{grid.where}: not a known export, not imported")
    return out


def import_files(paths: Sequence[str | Path], store_root: str | Path, account_id: str | None = None,
                 kind: str | None = None, mapping: str | Path | None = None,
                 as_of: dt.date | dt.datetime | None = None, keep_going: bool = False,
                 dry_run: bool = False) -> ImportReport:
    """Import exports into the store in one transaction (see the module docstring for every rule)."""
    if kind is not None and kind not in KINDS:
        raise ParameterError(f"--kind {kind!r} is not a known export kind; known: {', '.join(sorted(KINDS))}.")
    if kind is not None and mapping is not None:
        raise ParameterError("Give --kind or --mapping, not both.")
    store = Store.open(Path(store_root))
    account = _account(store, account_id)
    spec = load_mapping(Path(mapping)) if mapping is not None else None
    rules = stored_rules(store.root)
    found, ignored, in_folders = scan_paths(paths)
    files = [FileOutcome(p) for p in found]
    checked_at = store.generation   # the generation the checks below read (re-checked under the lock if it moves)
    checks = _AccountChecks(store, account_id, str(account["platform"]) if account is not None else "")
    for f in files:
        f.sha256 = file_sha256(f.path)
        if checks.already_imported(f):
            continue
        reference = snapshot_time(f.path, as_of).date()
        try:
            checks.same_bytes_elsewhere(f)
            f.mapped = map_file(f.path, account, kind, spec, reference, rules,
                                "as-of" if as_of is not None else "file time")
            checks.rows_elsewhere(f)
        except OpsbookError as exc:
            unknown = isinstance(exc, UnknownExportError) or f.path.stat().st_size == 0
            if f.path in in_folders and f.path.suffix.lower() == ".txt" and unknown:
                f.status = "ignored"   # notes and READMEs beside the exports; a .csv or .xlsx that fails is an error
                ignored.append(f"{f.path.name}: a text file that is not an export, not imported")
                continue
            f.status, f.error = "failed", str(exc)
            continue
        f.kind = ", ".join(dict.fromkeys(m.kind for m in f.mapped))
        f.notes = list(dict.fromkeys(n for m in f.mapped for n in (*m.skipped, *m.notes)))
        f.notes += _shared_file_notes(checks.log, f, account_id)
    files = [f for f in files if f.status != "ignored"]
    report = ImportReport(store.root, files, store.generation, dry_run, ignored)
    if report.failed and not keep_going:
        raise ImportFileError(f"Nothing imported: {len(report.failed)} of {len(files)} file(s) cannot be imported "
                              "(fix them, or pass --keep-going to import the others):\n"
                              + "\n".join([*(f"  {f.line()}" for f in report.failed),
                                           *(f"  ignored  {note}" for note in ignored)]))
    # an accounts file first, so the other files of the same import can speak for its accounts
    todo = sorted((f for f in files if f.status == "pending"), key=lambda f: not any(m.table == "accounts"
                                                                                     for m in f.mapped))
    if not todo:
        return report
    try:
        with store.transaction() as txn:
            if txn.base != checked_at:   # another import landed since the checks: check again under the lock
                todo = _AccountChecks(txn, account_id, checks.platform).recheck(todo, keep_going)
            _merge_files(txn, todo, account_id, mapping, kind, as_of, archive=not dry_run, keep_going=keep_going)
            if dry_run:
                raise _DryRun
    except _DryRun:
        for f in todo:
            f.status = "checked"
        return report
    report.generation = Store.open(store.root).generation
    return report


class _AccountChecks:
    """The already-imported and wrong-account checks of one import, against a store or a transaction.

    They run before the lock (for quick feedback) and, when another import landed in between (e.g. the
    same export under another account, started at the same moment), again under it (`recheck`).
    """

    def __init__(self, source: Store | Transaction, account_id: str | None, platform: str) -> None:
        self.account_id, self.platform = account_id, platform
        self.log = source.log()
        self._source = source
        self._twins = _SameAccountCheck(source, account_id, platform)

    def already_imported(self, f: FileOutcome) -> bool:
        """Mark a file this account imported before (same bytes) as already imported."""
        earlier = _earlier_import(self.log, f.sha256, self.account_id)
        if earlier is None:
            return False
        f.status, f.notes = "already imported", [f"the same file (sha256 {f.sha256[:12]}…) was imported on {earlier}"]
        return True

    def same_bytes_elsewhere(self, f: FileOutcome) -> None:
        """ImportFileError when another account imported these bytes with posts or daily rows."""
        _check_other_account(self.log, f, self.account_id)

    def rows_elsewhere(self, f: FileOutcome) -> None:
        """ImportFileError when the mapped rows are another account's (its post ids, or mostly its content)."""
        ids = {str(i) for m in f.mapped if m.table == "posts" and "post_id" in m.rows.columns
               for i in m.rows["post_id"].dropna()}
        if ids:   # only the stored posts with these ids (a 30-post file does not read 350 k posts)
            _check_post_owners(f, _post_owners(self._source, ids), self.account_id, self.platform)
        self._twins.check(f)

    def recheck(self, todo: list[FileOutcome], keep_going: bool) -> list[FileOutcome]:
        """The files still to merge after every check again (failures raise, or with keep_going are marked)."""
        kept = []
        for f in todo:
            if self.already_imported(f):
                continue
            try:
                self.same_bytes_elsewhere(f)
                self.rows_elsewhere(f)
            except ImportFileError as exc:
                if not keep_going:
                    raise
                f.status, f.error = "failed", str(exc)
                continue
            kept.append(f)
        return kept


def set_pillar_rules(store_root: str | Path, rules_file: str | Path) -> tuple[PillarRules, int]:
    """Save pillar rules in the store and re-tag its posts (missing or rule-tagged pillars); posts changed."""
    store = Store.open(Path(store_root))
    rules = load_rules(rules_file)
    target = store.root / "pillars.yaml"
    tmp = target.with_suffix(".yaml.tmp")
    tmp.write_text(Path(rules_file).read_text(encoding="utf-8-sig"), encoding="utf-8")
    changed = 0
    with store.transaction() as txn:
        sha = txn.archive(Path(rules_file))  # archived and logged, so rebuild_store can replay the tagging
        posts = txn.read("posts")
        if posts is not None and len(posts):
            tagged = rules.tag(posts, retag=True)
            for (snapshot, source), group in tagged.groupby(["_snapshot_at", "_source"], dropna=False, sort=False):
                cols = ["account_id", "post_id", "pillar", "pillar_source"]
                counts = txn.merge("posts", group[cols], list(TABLE_KEYS["posts"]), pd.Timestamp(snapshot), str(source))
                changed += counts.updated
        txn.record(imported_at=pd.Timestamp.now().floor("s"), file=Path(rules_file).name, sha256=sha, account_id="",
                   kind=PILLAR_RULES_KIND, table="posts", added=0, updated=changed, unchanged=0, skipped_older=0,
                   skipped_rows=0, notes=repr(rules), snapshot_at=pd.Timestamp.now().floor("s"), mapping_sha256="",
                   forced_kind="")
    tmp.replace(target)
    return rules, changed


class _DryRun(Exception):
    """Raised inside a dry run's transaction after the merges, so nothing is committed."""


def _merge_rows(txn: Transaction, m: Mapped, snapshot: pd.Timestamp, source: str) -> MergeCounts:
    """Merge one file's rows for one table by the store's key (canonical tables by their schema key).

    A canonical table without a key is replaced — but only the rows of the accounts the file speaks
    for, when it has an account_id column, so one account's file never deletes another's rows.
    """
    if not m.kind.startswith("canonical:"):
        rows = _keep_non_rule_pillars(txn, m.rows) if m.table == "posts" else m.rows
        return txn.merge(m.table, rows, list(TABLE_KEYS[m.table]), snapshot, source)
    if m.table == "accounts":
        return txn.set_accounts(m.rows, source)
    key = list(STORE_KEYS.get(m.table, TABLES[m.table].key))
    key = [k for k in key if k in m.rows.columns]  # an optional key column (ad_daily creative_id) may be absent
    if key:
        return txn.merge(m.table, m.rows, key, snapshot, source)
    rows, mine = m.rows, None
    current = txn.read(m.table)
    if current is not None:
        current = current.drop(columns=[c for c in current.columns if c.startswith("_")])
        if "account_id" in rows.columns and "account_id" in current.columns:
            accounts = set(rows["account_id"].dropna())
            mine = current[current["account_id"].isin(accounts)]
            rows = pd.concat([current[~current["account_id"].isin(accounts)], rows], ignore_index=True)
        else:
            mine = current
    txn.replace(m.table, rows, source)
    return _row_changes(mine, m.rows)


def _row_changes(old: pd.DataFrame | None, new: pd.DataFrame) -> MergeCounts:
    """Rows added, kept and removed between the old and new rows of what a file replaces (as multisets)."""
    def as_text(frame: pd.DataFrame) -> Counter[tuple[str, ...]]:
        cols = sorted(c for c in frame.columns if not c.startswith("_"))
        return Counter(tuple("" if pd.isna(v) else str(v) for v in row)
                       for row in frame[cols].itertuples(index=False, name=None))
    before = as_text(old) if old is not None else Counter()
    after = as_text(new)
    kept = sum((before & after).values())
    return MergeCounts(added=sum(after.values()) - kept, updated=0, unchanged=kept, skipped_older=0,
                       removed=sum(before.values()) - kept)


def _merge_files(txn: Transaction, todo: Sequence[FileOutcome], account_id: str | None, mapping: str | Path | None,
                 kind: str | None, as_of: dt.date | dt.datetime | None, archive: bool = True,
                 keep_going: bool = False) -> None:
    """Archive each file, merge its rows and log what happened (counts land on each FileOutcome).

    A file whose merge fails (e.g. a column's type differs from the store's) stops the import, or with
    `keep_going` is rolled back alone and reported as failed while the others land.
    """
    mapping_sha = (txn.archive(Path(mapping)) if archive else file_sha256(Path(mapping))) if mapping else ""
    for f in todo:
        point = txn.savepoint()
        try:
            _merge_file(txn, f, account_id, kind, as_of, mapping_sha, archive)
        except OpsbookError as exc:
            if not keep_going:
                raise
            txn.rollback_to(point)
            f.status, f.error, f.counts = "failed", str(exc), {}


def _merge_file(txn: Transaction, f: FileOutcome, account_id: str | None, kind: str | None,
                as_of: dt.date | dt.datetime | None, mapping_sha: str, archive: bool) -> None:
    """Archive one file, merge each of its tables and log them; errors name the file."""
    if archive:
        txn.archive(f.path)
    snapshot = snapshot_time(f.path, as_of, f.mapped)
    if as_of is None:
        carried = export_time(f.mapped)
        f.notes.append(f"snapshot {snapshot:%Y-%m-%d %H:%M}: "
                       + ("the export's last date" if carried is not None else "the file's modification time")
                       + " (pass --as-of with the download time to say when it was exported)")
    for m in f.mapped:
        if m.table == "posts" and not m.kind.startswith("canonical:"):
            warning = lifetime_decreases(txn.read("posts", where=_post_keys(m.rows)), m.rows, snapshot)
            if warning:
                m.notes.append(warning)   # in the import log too
                f.notes.append(f"{m.source}: {warning}")
        try:
            counts = _merge_rows(txn, m, snapshot, f.sha256)
        except OpsbookError as exc:
            raise type(exc)(f"{m.source}: {exc}") from exc
        f.counts[m.table] = f.counts[m.table] + counts if m.table in f.counts else counts
        txn.record(imported_at=pd.Timestamp.now().floor("s"), file=f.path.name, sha256=f.sha256,
                   account_id=account_id or "", kind=m.kind, table=m.table, added=counts.added,
                   updated=counts.updated, unchanged=counts.unchanged, skipped_older=counts.skipped_older,
                   skipped_rows=len(m.skipped), notes="; ".join((*m.skipped, *m.notes)), snapshot_at=snapshot,
                   mapping_sha256=mapping_sha, forced_kind=kind or "")
    changed = any(c.added or c.updated or c.removed for c in f.counts.values())
    f.status = "imported" if changed else "unchanged"


def rebuild_store(source: str | Path, target: str | Path) -> ImportReport:
    """Rebuild every imported table into a new store from the source's raw archive and import log alone.

    The accounts are copied; then each logged import is replayed in its original order, under its
    logged file name, with its logged kind (or archived mapping) and snapshot time, every use of a
    pillar rules file included; the accounts are set again at the end. Proves that no table holds
    anything the archive cannot reproduce. Times are read in the accounts' current time zones, so
    after a zone change a rebuild is how imported times are read again in the new zone.
    """
    origin = Store.open(Path(source))
    target_root = Path(target)
    if target_root.exists() and any(target_root.iterdir()):
        raise ParameterError(f"{target_root} is not empty: rebuild into a new folder.")
    fresh = Store.create(target_root)
    accounts = origin.read("accounts")
    log = origin.log()
    if accounts is not None:
        with fresh.transaction() as txn:
            txn.set_accounts(accounts.drop(columns=[c for c in accounts.columns if c.startswith("_")]))
    outcomes: list[FileOutcome] = []
    if log is None or log.empty:
        return ImportReport(fresh.root, outcomes, Store.open(fresh.root).generation)
    # the log is in import order; a file's tables log one row each, a rules file one row per use (all replayed)
    steps = log[(log["kind"] == PILLAR_RULES_KIND) | ~log.duplicated(["sha256", "account_id", "kind"])]
    done: set[tuple[str, str]] = set()
    with tempfile.TemporaryDirectory() as scratch:
        for r in steps.itertuples():
            raw = origin.raw_path(r.sha256)
            if r.kind == PILLAR_RULES_KIND:
                set_pillar_rules(fresh.root, raw)
                continue
            if (r.sha256, r.account_id) in done:
                continue
            done.add((r.sha256, r.account_id))
            # the archive names files by checksum: give back the logged name (the log and canonical detection use it)
            named = Path(scratch) / r.sha256[:12] / (str(r.file) if str(r.file) not in ("", "nan") else raw.name)
            named.parent.mkdir()
            shutil.copyfile(raw, named)
            raw = named
            forced = str(getattr(r, "forced_kind", "") or "") or None
            forced = None if forced == "nan" else forced
            mapping_sha = str(getattr(r, "mapping_sha256", "") or "")
            mapping = origin.raw_path(mapping_sha) if mapping_sha and mapping_sha != "nan" else None
            report = import_files([raw], fresh.root, r.account_id or None, kind=None if mapping else forced,
                                  mapping=mapping, as_of=pd.Timestamp(r.snapshot_at).to_pydatetime())
            outcomes.extend(report.files)
    if accounts is not None:  # a replayed accounts.csv must not undo later `store add-account` changes
        with fresh.transaction() as txn:
            txn.set_accounts(accounts.drop(columns=[c for c in accounts.columns if c.startswith("_")]))
    return ImportReport(fresh.root, outcomes, Store.open(fresh.root).generation)


def _earlier_import(log: pd.DataFrame | None, sha256: str, account_id: str | None) -> str | None:
    """When this account imported these exact bytes before (None if never)."""
    if log is None or log.empty:
        return None
    same = log[(log["sha256"] == sha256) & (log["account_id"].fillna("") == (account_id or ""))]
    if same.empty:
        return None
    return f"{pd.Timestamp(same['imported_at'].iloc[0]):%Y-%m-%d %H:%M}"


#: Tables whose rows are one account's own (dated or per post): the same bytes cannot belong to two accounts.
_ACCOUNT_SPECIFIC_TABLES = ("posts", "account_daily", "follower_activity")


def _other_account_imports(log: pd.DataFrame | None, sha256: str, account_id: str | None) -> pd.DataFrame:
    """Log entries of these exact bytes imported for a different account."""
    if log is None or log.empty or not account_id:
        return pd.DataFrame(columns=["account_id", "table", "imported_at"])
    accounts = log["account_id"].fillna("")
    return log[(log["sha256"] == sha256) & (accounts != "") & (accounts != account_id)]


def _check_other_account(log: pd.DataFrame | None, f: FileOutcome, account_id: str | None) -> None:
    """Refuse an export whose bytes another account already imported with posts or daily rows (wrong --account)."""
    other = _other_account_imports(log, f.sha256, account_id)
    other = other[other["table"].isin(_ACCOUNT_SPECIFIC_TABLES)]
    if other.empty:
        return
    first = other.iloc[0]
    raise ImportFileError(
        f"{f.path.name} was already imported for account {first['account_id']} on "
        f"{pd.Timestamp(first['imported_at']):%Y-%m-%d %H:%M} (same bytes, sha256 {f.sha256[:12]}…); its "
        f"{first['table']} rows cannot also belong to {account_id}. Check --account."
    )


def _shared_file_notes(log: pd.DataFrame | None, f: FileOutcome, account_id: str | None) -> list[str]:
    """A note when another account imported the same bytes (allowed for demographics-only files)."""
    other = _other_account_imports(log, f.sha256, account_id)
    names = sorted(set(other["account_id"]))
    if not names:
        return []
    return [f"the same bytes were imported for account {', '.join(names)} too: check that --account is right"]


class _SameAccountCheck:
    """Catch an export imported under the wrong account when ids cannot: its rows match another account's.

    Chinese exports carry no post id (the derived id includes the account), and daily exports are keyed
    by date, so a re-downloaded export (other bytes) of account A imported as B passes the id and
    checksum checks. Two accounts of one platform do not share most of their posts (same title, same
    minute) or most of their days (every metric equal); at least `MIN_ROWS` such rows making up
    `SHARE` of the export's overlap with that account refuse it.
    """

    MIN_ROWS = 3
    SHARE = 0.8

    def __init__(self, store: Store | Transaction, account_id: str | None, platform: str) -> None:
        self.account_id, self.platform = account_id, platform
        self._store = store
        self._tables: dict[str, pd.DataFrame | None] = {}

    def _others(self, table: str) -> pd.DataFrame | None:
        """The table's rows of the other accounts on this platform (read once)."""
        if table not in self._tables:
            columns = ["account_id", "title", "published_at"] if table == "posts" else None   # what is compared
            accounts = self._store.read("accounts")
            if accounts is None or not self.account_id:
                self._tables[table] = None
                return None
            same = set(accounts.loc[(accounts["platform"].astype(str) == self.platform)
                                    & (accounts["account_id"] != self.account_id), "account_id"])
            # only the other accounts' rows are read (none when the platform has no other account)
            frame = self._store.read(table, columns=columns, where={"account_id": same}) if same else None
            rows = None if frame is None else frame[frame["account_id"].isin(same)]
            self._tables[table] = rows if rows is not None and len(rows) else None
        return self._tables[table]

    def check(self, f: FileOutcome) -> None:
        """ImportFileError when most of a file's posts or days repeat another account's."""
        for m in f.mapped:
            if m.table == "posts":
                self._refuse_if_twin(m, self._matching_posts(m.rows), "posts", "the same title at the same minute")
            elif m.table == "account_daily":
                self._refuse_if_twin(m, self._matching_days(m.rows), "days", "every metric equal")

    def _refuse_if_twin(self, m: Mapped, matches: pd.DataFrame | None, noun: str, how: str) -> None:
        """Raise when another account shares at least MIN_ROWS and SHARE of the rows compared with it."""
        if matches is None:
            return
        for row in matches.itertuples():
            if row.same >= self.MIN_ROWS and row.same >= self.SHARE * row.compared:
                raise ImportFileError(
                    f"{m.source}: {row.same} of the {row.compared} {noun} compared are account {row.other}'s "
                    f"({self.platform}, {how}): the same export under another account? Check --account "
                    f"(this import: {self.account_id})."
                )

    def _matching_posts(self, rows: pd.DataFrame) -> pd.DataFrame | None:
        """Per other account: how many of the file's posts it has (same title, same minute), of how many."""
        others = self._others("posts")
        if others is None or not {"title", "published_at"} <= set(rows.columns) or "title" not in others:
            return None
        def keyed(frame: pd.DataFrame) -> pd.DataFrame:
            frame = frame.dropna(subset=["title", "published_at"])
            return frame.assign(minute=pd.to_datetime(frame["published_at"]).dt.floor("min"),
                                title=frame["title"].astype(str).str.strip())
        mine = keyed(rows)[["title", "minute"]].drop_duplicates()
        theirs = keyed(others)[["account_id", "title", "minute"]].drop_duplicates()
        hits = mine.merge(theirs, on=["title", "minute"])
        if mine.empty or hits.empty:
            return None
        same = hits.groupby("account_id").size()
        return pd.DataFrame({"other": same.index, "same": same.to_numpy(), "compared": len(mine)})

    def _matching_days(self, rows: pd.DataFrame) -> pd.DataFrame | None:
        """Per other account: of the file's days it also has (a non-zero metric on either side), how many are equal."""
        others = self._others("account_daily")
        if others is None or "date" not in rows.columns:
            return None
        metrics = [c for c in rows.columns if c not in ("account_id", "date") and not c.startswith("_")
                   and c in others.columns and pd.api.types.is_numeric_dtype(rows[c])]
        if not metrics:
            return None
        mine = rows[["date", *metrics]].assign(date=pd.to_datetime(rows["date"]).dt.normalize())
        theirs = others[["account_id", "date", *metrics]].assign(date=pd.to_datetime(others["date"]).dt.normalize())
        both = mine.merge(theirs, on="date", suffixes=("", "_other"))
        compared = pd.Series(False, index=both.index)
        differs = pd.Series(False, index=both.index)
        for c in metrics:
            known = both[c].notna() & both[f"{c}_other"].notna()
            # equal zeros say nothing (two small accounts both gain 0 follows); only a non-zero value compares
            telling = known & ((both[c].astype(float) != 0) | (both[f"{c}_other"].astype(float) != 0))
            compared |= telling
            differs |= telling & (both[c].astype(float) != both[f"{c}_other"].astype(float))
        both = both.assign(same=~differs)[compared]
        if both.empty:
            return None
        summary = both.groupby("account_id")["same"].agg(["sum", "size"])
        return pd.DataFrame({"other": summary.index, "same": summary["sum"].astype(int).to_numpy(),
                             "compared": summary["size"].to_numpy()})


def _post_owners(store: Store | Transaction, post_ids: Collection[str] | None = None) -> pd.DataFrame:
    """Every stored post's (post_id, account_id, platform), to catch a file imported under the wrong account;
    with `post_ids`, only the posts with those ids (a text post_id column is filtered on read)."""
    where = None if post_ids is None else {"post_id": post_ids}
    posts, accounts = store.read("posts", columns=["post_id", "account_id"], where=where), store.read("accounts")
    if posts is None or posts.empty or accounts is None:
        return pd.DataFrame({"post_id": pd.Series(dtype=str), "account_id": pd.Series(dtype=str),
                             "platform": pd.Series(dtype=str)})
    platforms = accounts.set_index("account_id")["platform"].astype(str)
    owners = posts[["post_id", "account_id"]].astype(str).drop_duplicates()
    return owners.assign(platform=owners["account_id"].map(platforms).fillna(""))


def _check_post_owners(f: FileOutcome, owners: pd.DataFrame, account_id: str | None, platform: str) -> None:
    """Refuse posts whose ids the store already holds under another account of the same platform.

    A platform's post ids are unique on that platform, so a post of another account means the export
    is imported under the wrong --account (merging it would count the posts twice).
    """
    if owners.empty or not account_id:
        return
    theirs = owners[(owners["account_id"] != account_id) & (owners["platform"] == platform)]
    for m in f.mapped:
        if m.table != "posts" or "post_id" not in m.rows.columns or theirs.empty:
            continue
        clash = theirs[theirs["post_id"].isin(set(m.rows["post_id"].dropna().astype(str)))]
        if clash.empty:
            continue
        other = ", ".join(sorted(set(clash["account_id"])))
        examples = ", ".join(clash["post_id"].head(3))
        raise ImportFileError(
            f"{m.source}: {len(clash)} of its {len(m.rows)} posts (e.g. {examples}) are already in the store "
            f"under account {other} ({platform}); a post belongs to one account, so this export is not "
            f"{account_id}'s. Check --account."
        )


def describe_kinds() -> pd.DataFrame:
    """The known export kinds: name, platforms, table and the columns that identify them (for --help and docs)."""
    return pd.DataFrame([{"kind": k.name, "export": k.title, "platforms": ", ".join(k.platforms), "table": k.table,
                          "identified_by": ", ".join(k.columns[c][0] for c in k.required)} for k in KINDS.values()])


__all__ = [
    "EXPORT_SUFFIXES", "LIFETIME_COUNTS", "DataError", "FileOutcome", "ImportReport", "canonical_table",
    "describe_kinds", "expand_paths", "export_time", "file_sha256", "import_files", "lifetime_decreases", "map_file",
    "normalise_header", "scan_paths", "snapshot_time",
]
