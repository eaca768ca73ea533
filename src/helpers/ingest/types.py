"""The shared vocabulary of the importers: a raw grid, the import context, an export kind and its result.

Flow (helpers.ingest.pipeline): read_grids(path) → detect(grid) → map_grid(grid, kind, context) →
Mapped (canonical rows per table) → Store.transaction().merge(...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from helpers.errors import DataError
from helpers.timezones import DEFAULT_TIMEZONE

#: How a source column's text is turned into a value (helpers.ingest.values implements each):
#: text      stripped text; missing tokens ("", "-", "--", "undefined", ...) → missing
#: count     a number with thousands separators / Chinese or K/M magnitudes ("12,400", "1.2万", "3.4w", "1.1亿", "1.2K")
#: number    the same, for non-count numbers (may be negative or fractional)
#: rate      a share: "5.2%" → 0.052; a bare number is already a share (0.052 → 0.052)
#: percent   a column whose header says (%): bare 5.2 → 0.052; "5.2%" → 0.052
#: duration  seconds from "00:01:23", "1:23", "83", "83s", "1分23秒"
#: hours     a number of hours (YouTube watch time), as float hours
#: datetime  a timestamp; tz-aware values are converted to the account's timezone and made naive;
#:           dates without a year take the latest year that puts them on or before the reference date
#: date      the same, normalised to midnight
ValueKind = Literal["text", "count", "number", "rate", "percent", "duration", "hours", "datetime", "date"]

#: Canonical tables an export can fill, and each one's merge key (rows with the same key are the same thing).
#: posts and account_daily are DESIGN.md's tables; follower_activity and follower_demographics are store
#: extras for exports that carry them (TikTok FollowerActivity / FollowerGender / FollowerTopTerritories);
#: the kol_* tables come from KOL-platform lists (kinds.kols) and the generic mapping.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "posts": ("account_id", "post_id"),
    "account_daily": ("account_id", "date"),
    "follower_activity": ("account_id", "date", "hour"),
    "follower_demographics": ("account_id", "dimension", "category"),
    "comments": ("account_id", "comment_id"),
    # the KOL tables (issue 20) are the brand's, not an account's: keyed without account_id
    "kols": ("kol_id",),
    "kol_posts": ("post_id",),
    "kol_daily": ("kol_id", "date"),
    "kol_audience": ("kol_id", "dimension", "bucket"),
    "kol_followers": ("kol_id", "follower_id"),
}


class ImportFileError(DataError):
    """An export that cannot be imported; the message names the file (and sheet, row, column) and what to do."""


class UnknownExportError(ImportFileError):
    """A file no export kind (or mapping) recognises: maybe not an export at all."""


@dataclass(frozen=True)
class Grid:
    """One table-shaped piece of a raw export (a CSV/text file, or one Excel sheet), every cell as text.

    `rows` holds every non-empty line of the file as read (preamble lines such as `sep=,` or a title
    line included); `line_numbers[i]` is the 1-based line (or sheet row) of rows[i] in the file, so
    messages can point at it.
    """

    path: Path
    rows: tuple[tuple[str, ...], ...]
    line_numbers: tuple[int, ...]
    encoding: str                  # "utf-8", "utf-8-sig", "utf-16", "gb18030", "xlsx" or "xls"
    delimiter: str | None = None   # None for Excel
    sheet: str | None = None
    ends_with_newline: bool = True  # a text file cut mid-line (a truncated download) ends without one

    @property
    def where(self) -> str:
        """The file (and sheet) for messages: 'Content.csv' or 'page.xls, sheet "All posts"'."""
        return self.path.name + (f', sheet "{self.sheet}"' if self.sheet else "")


@dataclass(frozen=True)
class ImportContext:
    """What an importer needs to know beyond the file: whose account it is and how to read its dates."""

    account_id: str
    platform: str
    timezone: str = DEFAULT_TIMEZONE
    reference: dt.date = field(default_factory=dt.date.today)   # for dates exported without a year
    #: where `reference` came from: "as-of" (given), "file time" (the file's modification time: a copy,
    #: sync or checkout resets it, so dates without a year far before it are refused), or "today"
    reference_source: str = "as-of"


Finish = Callable[[pd.DataFrame, "ImportContext", "Grid"], pd.DataFrame]


@dataclass(frozen=True)
class ExportKind:
    """One platform export format as a declarative mapping plus the quirks it needs.

    `columns` maps each output column (canonical name, or a snake_case extra) to the source header
    names it may carry, matched case-, space- and punctuation-insensitively (see mapping.normalise_header).
    `required` are output columns whose source must be present: together they are the kind's
    signature for detection. `parse` says how each output column's text is read (ValueKind);
    columns not listed are text. `constants` are set on every row (e.g. format "short_video").
    `finish` applies what a mapping cannot say (drop a Total row, derive post_id from a link, pick
    a format from a post-type label); it gets the parsed frame (with `_line`, the file line of each
    row) and returns it, and records rows it drops in frame.attrs["skipped"] (list of messages).
    """

    name: str
    title: str
    platforms: tuple[str, ...]
    table: str
    columns: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]
    parse: Mapping[str, ValueKind] = field(default_factory=dict)
    constants: Mapping[str, object] = field(default_factory=dict)
    finish: Finish | None = None
    title_line: str | None = None   # a regex the file's title line must match (Meta daily metric files)

    def __post_init__(self) -> None:
        if self.table not in TABLE_KEYS and not self.table.startswith("canonical:"):
            raise ValueError(f"export kind {self.name}: unknown table {self.table!r}")
        missing = [c for c in self.required if c not in self.columns]
        if missing:
            raise ValueError(f"export kind {self.name}: required {missing} not in columns")

    def __repr__(self) -> str:
        return f"ExportKind({self.name}: {self.title} → {self.table})"


@dataclass
class Mapped:
    """The rows an export yields for one canonical table, the rows skipped and why, and other notes."""

    kind: str
    table: str
    rows: pd.DataFrame
    header_line: int
    skipped: list[str] = field(default_factory=list)
    source: str = ""
    notes: list[str] = field(default_factory=list)  # not rows: columns left out, a doubtful last line
    lines: tuple[int, ...] = ()  # the file line of each row (for messages); empty when unknown

    def __repr__(self) -> str:
        return (f"Mapped({self.source or '?'} as {self.kind}: {len(self.rows)} {self.table} rows, "
                f"{len(self.skipped)} skipped)")


#: Every export kind the importers know, in detection order (platform modules append to it via `register`).
KINDS: dict[str, ExportKind] = {}


def register(*kinds: ExportKind) -> None:
    """Add export kinds to the registry (a duplicate name is a programming error)."""
    for kind in kinds:
        if kind.name in KINDS:
            raise ValueError(f"export kind {kind.name!r} registered twice")
        KINDS[kind.name] = kind
