"""An importer for any other export, driven by a column mapping the user writes in YAML.

``load_mapping(path)`` reads the mapping and returns an ExportKind (a ``MappingKind``); it is *not*
registered — the pipeline passes it explicitly, ``detect(grid, kinds=[kind])`` — so a user's mapping
never captures another platform's files. The example below is abridged from
tests/fixtures/exports/generic/bilibili_mapping.yaml (with bilibili_videos.csv); zhihu_mapping.yaml
(post_id_from, values) and weibo_fans_mapping.yaml (account_daily, header_row) sit next to it::

    name: bilibili_videos          # a label for the import log (default: the file name)
    table: posts                   # posts | account_daily | follower_activity | follower_demographics | comments
    platform: bilibili             # optional; must match the platform of the account imported into
    columns:                       # output column: source header (a string, or a list of alternatives)
      post_id: 视频BV号
      published_at: 发布时间
      title: 标题
      views: 播放
      likes: [点赞, 点赞数]
      completion_rate: 完播率
      coins: 投币                  # snake_case extras are kept as extra columns
    parse:                         # optional: output column: ValueKind (default: by the column's name)
      completion_rate: rate
      coins: count
    constants:                     # optional: a value for every row
      format: video
      paid: false

and, for other exports, the optional keys::

    header_row: 3                  # 1-based file line / sheet row of the header (default: detected)
    values:                        # translate a text column's labels (here a mapped format column)
      format: {视频: video, 专栏: article}
    post_id_from: [published_at, title]   # posts only, instead of a post_id column (see below)

Keys:

- ``table`` (required) — one of the canonical tables (helpers.ingest.types.TABLE_KEYS).
- ``columns`` (required) — output column → source header(s). Headers match case-, space- and
  punctuation-insensitively (mapping.normalise_header). Every mapped column is *required*: the
  mapping says the file has it, so a file without one of them is not recognised. Output names are
  the table's canonical columns (DESIGN.md) or snake_case extras; ``account_id`` comes from the
  import, never from the file; post_id / published_at belong to posts, ``date`` is not a posts
  column (map the publish time to published_at).
- Keys the table needs: posts need ``post_id`` (mapped) or ``post_id_from`` (the derived id of the
  Chinese kinds: ``<platform>-`` + 16 hex chars of sha1("account_id|published_at to the
  minute|title"), so re-titling a post makes it a new post), ``published_at`` (mapped) and
  ``format`` (mapped or constant); account_daily needs ``date``; follower_activity ``date`` and
  ``hour``; follower_demographics ``dimension`` and ``category`` (mapped or constant, e.g.
  ``constants: {dimension: gender}``); comments need ``comment_id`` (and ``created_at``, ``text``:
  the schema's required columns). A comments mapping reads created_at / replied_at as epoch seconds,
  epoch milliseconds or datetime text; without a mapped ``source`` a row with a parent_id is a reply,
  the others comments; a parent id of "0" means none. Map a nickname to user_id only when the export
  has no user id (a nickname is not stable and not pseudonymous).
- ``parse`` — how a column's text is read (text, count, number, rate, percent, duration, hours,
  datetime, date; see types.ValueKind). Defaults by name: published_at and ``*_at`` → datetime;
  date and ``*_date`` → date; counts (impressions, reach, views, likes, comments, shares, saves,
  clicks, follows, conversions, followers, followers_gained, followers_lost, profile_visits,
  engagements, link_clicks, hour, and ``*_count`` / ``*_users`` / ``*_total`` / ``*_views`` /
  ``*_clicks`` / ``*_visits`` / ``*_followers``) → count; followers_net → number (it can be
  negative); completion_rate, ``*_rate``, ctr, ``*_ctr``, share, distribution → rate; avg_watch_s,
  duration, ``*_duration``, ``*_s`` → duration; ``*_hours`` → hours; revenue, cost, spend,
  ``*_revenue``, ``*_cost`` → number; anything else → text.
- ``values`` — for text columns, label → value (e.g. a post-type column into canonical formats, or
  ``paid: {推广: true}``). A mapped ``paid`` column is read as yes/no (true/false, yes/no, 是/否,
  1/0, 付费/推广 → true, 自然/organic → false; blank → false); other text is an ImportFileError.
- ``constants`` — scalars set on every row; a column cannot be both mapped and constant.
- ``platform`` — checked against the account's platform when the file is imported.
- ``header_row`` — detection normally tries the first 15 rows as the header. With header_row the
  pipeline must call ``restrict_to_header_row(grid, kind)`` before ``detect`` (it cuts the grid so
  that row comes first; line numbers are kept); the kind's finish step also checks that the header
  used was that row and raises ImportFileError otherwise.

Posts imported this way get what the Chinese kinds get: paid False and topics from the title's
hashtags unless mapped, pillar missing. Rows without a key value (or posts without a publish time)
are skipped and reported; the same post id twice in one file is an ImportFileError naming both lines.

Problems in the mapping itself raise MappingError (a ParameterError) naming the mapping file and the
key at fault (YAML syntax errors and duplicate keys with their line); problems in an export read
with it raise ImportFileError.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from helpers.errors import ParameterError
from helpers.ingest.kinds.cn_common import derive_post_ids, fill_posts_defaults
from helpers.ingest.kinds.comments import finish_comments
from helpers.ingest.types import TABLE_KEYS, ExportKind, Finish, Grid, ImportContext, ImportFileError, ValueKind

__all__ = ["MappingError", "MappingKind", "default_parse", "load_mapping", "restrict_to_header_row"]

VALUE_KINDS: tuple[str, ...] = typing.get_args(ValueKind)
TOP_KEYS: tuple[str, ...] = ("name", "table", "platform", "header_row", "columns", "parse", "values",
                             "constants", "post_id_from")
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")

_COUNTS = frozenset({"impressions", "reach", "views", "likes", "comments", "shares", "saves", "clicks",
                     "follows", "conversions", "followers", "followers_gained", "followers_lost",
                     "profile_visits", "engagements", "link_clicks", "hour"})
_COUNT_SUFFIXES = ("_count", "_users", "_total", "_views", "_clicks", "_visits", "_followers")
_RATES = frozenset({"completion_rate", "ctr", "share", "distribution"})
_NUMBERS = frozenset({"revenue", "cost", "spend", "followers_net", "rating"})
#: Time columns of the comments table, read by kinds.comments.comment_times (epoch seconds/ms or text).
_COMMENT_TIMES = frozenset({"created_at", "replied_at"})


class MappingError(ParameterError):
    """A column-mapping YAML file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, repr=False)
class MappingKind(ExportKind):
    """An ExportKind read from a user's mapping file, with what the mapping adds to a built-in kind."""

    mapping_path: Path | None = None
    header_row: int | None = None                       # 1-based file line / sheet row of the header
    post_id_from: tuple[str, ...] = ()
    values: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    platform: str | None = None


def default_parse(column: str, table: str = "") -> ValueKind:
    """The ValueKind of an output column when the mapping's `parse` does not say (see the module doc)."""
    if table == "comments" and column in _COMMENT_TIMES:
        return "text"   # epoch seconds, epoch milliseconds or datetime text: read by the comments finish step
    if column == "published_at" or column.endswith("_at"):
        return "datetime"
    if column == "date" or column.endswith("_date"):
        return "date"
    if column in _NUMBERS or column.endswith(("_revenue", "_cost")):
        return "number"
    if column in _COUNTS or column.endswith(_COUNT_SUFFIXES):
        return "count"
    if column in _RATES or column.endswith(("_rate", "_ctr", "_share")):
        return "rate"
    if column in ("avg_watch_s", "duration") or column.endswith(("_duration", "_s")):
        return "duration"
    if column.endswith("_hours"):
        return "hours"
    return "text"


# --- reading the YAML -------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (YAML silently keeps the last one)."""


def _mapping_no_duplicates(loader: _Loader, node: yaml.MappingNode) -> dict[object, object]:
    loader.flatten_mapping(node)
    seen: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_no_duplicates)


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"mapping {path}: file not found") from None
    except UnicodeDecodeError as err:
        raise MappingError(f"mapping {path.name}: not UTF-8 text ({err.reason}); save it as UTF-8") from None
    try:
        return yaml.load(text, Loader=_Loader)  # safe: _Loader is a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        if problem.startswith("duplicate key"):
            raise MappingError(f"mapping {path.name}:{where}: {problem}; keep one") from None
        context, context_mark = getattr(err, "context", None), getattr(err, "context_mark", None)
        if context and context_mark is not None:
            context += f" started on line {context_mark.line + 1}"
        raise MappingError(f"mapping {path.name}:{where}: YAML syntax error: {problem}"
                           + (f" ({context})" if context else "")) from None


# --- validation ---------------------------------------------------------------------------------------

def _table_columns(table: str) -> frozenset[str]:
    from helpers.schema import TABLES

    spec = TABLES.get(table)
    names = {c.name for c in spec.columns} if spec is not None else set()
    return frozenset((names | set(TABLE_KEYS[table])) - {"account_id"})


def _check_output(path: Path, key: str, column: object, table: str) -> str:
    """An output column name allowed for the table (canonical or a snake_case extra)."""
    if not isinstance(column, str) or not _SNAKE.match(column):
        raise MappingError(f"mapping {path.name}: key {key}.{column}: output columns are snake_case names "
                           f"(lower-case letters, digits and _, starting with a letter), e.g. views, coins")
    if column == "account_id":
        raise MappingError(f"mapping {path.name}: key {key}.account_id: account_id comes from the account "
                           "you import into, not from the file; remove it")
    canonical = _table_columns(table)
    if column in canonical:
        return column
    if column in ("post_id", "published_at"):
        raise MappingError(f"mapping {path.name}: key {key}.{column}: {column} is a posts column, not "
                           f"allowed in a {table} mapping (use table: posts, or another name)")
    if column == "date" and table == "posts":
        raise MappingError(f"mapping {path.name}: key {key}.date: posts have no date column; map the "
                           "publish time to published_at")
    return column


def _sources(path: Path, column: str, value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise MappingError(f"mapping {path.name}: key columns.{column}: a source header must be text "
                               f"(or a list of alternatives), got {item!r}")
        text = str(item).strip()
        if not text:
            raise MappingError(f"mapping {path.name}: key columns.{column}: empty source header")
        out.append(text)
    if not out:
        raise MappingError(f"mapping {path.name}: key columns.{column}: empty list of source headers")
    return tuple(dict.fromkeys(out))


def _is_scalar(value: object) -> bool:
    import datetime as dt

    return value is None or isinstance(value, str | int | float | bool | dt.date)


def _section(path: Path, raw: Mapping[str, object], key: str) -> dict[object, object]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(f"mapping {path.name}: key {key}: expected 'output column: value' lines, "
                           f"got {type(value).__name__} {value!r}")
    return value


def load_mapping(path: Path) -> MappingKind:
    """Read and check a column-mapping YAML file and return the ExportKind it describes (not registered).

    Raises MappingError (a ParameterError) naming the file and the key at fault.
    """
    from helpers.schema import PLATFORMS, POST_FORMATS

    path = Path(path)
    raw = _read_yaml(path)
    if raw is None:
        raise MappingError(f"mapping {path.name}: the file is empty; it needs table: and columns: "
                           "(the format is described in helpers.ingest.generic)")
    if not isinstance(raw, dict):
        raise MappingError(f"mapping {path.name}: expected 'key: value' lines (table, columns, ...), "
                           f"got {type(raw).__name__}")
    unknown = [str(k) for k in raw if k not in TOP_KEYS]
    if unknown:
        raise MappingError(f"mapping {path.name}: unknown key(s) {', '.join(unknown)} "
                           f"(allowed: {', '.join(TOP_KEYS)})")

    name = raw.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        raise MappingError(f"mapping {path.name}: key name: expected a label, got {name!r}")
    table = raw.get("table")
    if table is None:
        raise MappingError(f"mapping {path.name}: key table is missing (one of {', '.join(TABLE_KEYS)})")
    if table not in TABLE_KEYS:
        raise MappingError(f"mapping {path.name}: key table: unknown table {table!r} "
                           f"(one of {', '.join(TABLE_KEYS)})")
    platform = raw.get("platform")
    if platform is not None and platform not in PLATFORMS:
        raise MappingError(f"mapping {path.name}: key platform: unknown platform {platform!r} "
                           f"(one of {', '.join(PLATFORMS)})")
    header_row = raw.get("header_row")
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int)
                                   or header_row < 1):
        raise MappingError(f"mapping {path.name}: key header_row: expected a row number from 1, "
                           f"got {header_row!r}")

    if "columns" not in raw:
        raise MappingError(f"mapping {path.name}: key columns is missing (output column: source header)")
    raw_columns = _section(path, raw, "columns")
    if not raw_columns:
        raise MappingError(f"mapping {path.name}: key columns is empty (output column: source header)")
    columns = {_check_output(path, "columns", c, table): _sources(path, str(c), v) for c, v in raw_columns.items()}

    parse: dict[str, ValueKind] = {}
    raw_parse = _section(path, raw, "parse")
    for column, kind in raw_parse.items():
        if column not in columns:
            raise MappingError(f"mapping {path.name}: key parse.{column}: not a mapped column "
                               f"(columns: {', '.join(columns)})")
        if kind not in VALUE_KINDS:
            raise MappingError(f"mapping {path.name}: key parse.{column}: unknown value kind {kind!r} "
                               f"(one of {', '.join(VALUE_KINDS)})")
    for column in columns:
        parse[column] = typing.cast(ValueKind, raw_parse.get(column, default_parse(column, table)))

    values: dict[str, dict[str, object]] = {}
    for column, table_of in _section(path, raw, "values").items():
        if column not in columns:
            raise MappingError(f"mapping {path.name}: key values.{column}: not a mapped column "
                               f"(columns: {', '.join(columns)})")
        if parse[column] != "text":
            raise MappingError(f"mapping {path.name}: key values.{column}: labels can only be translated "
                               f"in text columns, and {column} is parsed as {parse[column]}")
        if not isinstance(table_of, dict) or not all(_is_scalar(v) for v in table_of.values()):
            raise MappingError(f"mapping {path.name}: key values.{column}: expected 'label: value' pairs")
        values[column] = {str(k).strip(): v for k, v in table_of.items()}

    constants: dict[str, object] = {}
    for column, value in _section(path, raw, "constants").items():
        column = _check_output(path, "constants", column, table)
        if column in columns:
            raise MappingError(f"mapping {path.name}: key constants.{column}: {column} is also mapped "
                               "under columns; keep one")
        if not _is_scalar(value):
            raise MappingError(f"mapping {path.name}: key constants.{column}: expected one value, "
                               f"got {value!r}")
        constants[column] = value
    if "format" in constants and constants["format"] not in POST_FORMATS:
        raise MappingError(f"mapping {path.name}: key constants.format: {constants['format']!r} is not a "
                           f"post format (one of {', '.join(POST_FORMATS)})")
    if "paid" in constants and not isinstance(constants["paid"], bool):
        raise MappingError(f"mapping {path.name}: key constants.paid: expected true or false, "
                           f"got {constants['paid']!r}")
    if "format" in values:
        bad = [f"{k} → {v}" for k, v in values["format"].items() if v not in POST_FORMATS]
        if bad:
            raise MappingError(f"mapping {path.name}: key values.format: {', '.join(bad)}: not a post format "
                               f"(one of {', '.join(POST_FORMATS)})")

    post_id_from: tuple[str, ...] = ()
    raw_from = raw.get("post_id_from")
    if raw_from is not None:
        if table != "posts":
            raise MappingError(f"mapping {path.name}: key post_id_from: only for table: posts")
        if "post_id" in columns:
            raise MappingError(f"mapping {path.name}: key post_id_from: post_id is already mapped under "
                               "columns; keep one")
        items = raw_from if isinstance(raw_from, list) else [raw_from]
        if not items or any(c not in columns for c in items):
            raise MappingError(f"mapping {path.name}: key post_id_from: expected mapped columns, e.g. "
                               f"[published_at, title], got {raw_from!r} (columns: {', '.join(columns)})")
        post_id_from = tuple(str(c) for c in items)

    _check_keys(path, table, columns, constants, post_id_from)

    return MappingKind(
        name=name.strip(),
        title=f"column mapping {path.name}",
        platforms=(platform,) if platform else (),
        table=table,
        columns=columns,
        required=tuple(columns),
        parse=parse,
        constants=constants,
        finish=_finisher(path.name, table, header_row, post_id_from, values, platform, columns),
        mapping_path=path,
        header_row=header_row,
        post_id_from=post_id_from,
        values=values,
        platform=platform,
    )


def _check_keys(path: Path, table: str, columns: Mapping[str, object], constants: Mapping[str, object],
                post_id_from: tuple[str, ...]) -> None:
    """The columns the table cannot do without: its key (and for posts the publish time and format)."""
    if table == "posts":
        if "post_id" not in columns and not post_id_from:
            raise MappingError(f"mapping {path.name}: key columns: posts need post_id — map the export's "
                               "post id column, or derive one with post_id_from: [published_at, title]")
        if "published_at" not in columns:
            raise MappingError(f"mapping {path.name}: key columns: posts need published_at — map the "
                               "publish time column")
        if "format" not in columns and "format" not in constants:
            raise MappingError(f"mapping {path.name}: key columns: posts need format — map a post-type "
                               "column (with values: to translate its labels) or set constants: "
                               "format: video (article, image, carousel, video, short_video, live, text)")
        return
    for key in TABLE_KEYS[table]:
        if key == "account_id" or key in columns:
            continue
        if key in constants and table == "follower_demographics":
            continue
        raise MappingError(f"mapping {path.name}: key columns: {table} needs {key} — map the column that "
                           f"holds it" + (" (or set it under constants)" if table == "follower_demographics"
                                          else ""))


# --- header row ----------------------------------------------------------------------------------------

def restrict_to_header_row(grid: Grid, kind: ExportKind) -> Grid:
    """The grid cut so the mapping's header_row comes first (unchanged without one); call before detect.

    Line numbers are kept, so messages still point at the file's lines.
    """
    header_row = getattr(kind, "header_row", None)
    if header_row is None:
        return grid
    if header_row not in grid.line_numbers:
        raise ImportFileError(f"{grid.where}: the mapping {kind.name} says the header is on row {header_row}, "
                              f"but that row is empty or the file is shorter (last row "
                              f"{grid.line_numbers[-1] if grid.line_numbers else 0})")
    i = grid.line_numbers.index(header_row)
    return dataclasses.replace(grid, rows=grid.rows[i:], line_numbers=grid.line_numbers[i:])


def _check_header_row(frame: pd.DataFrame, grid: Grid, mapping: str, header_row: int,
                      columns: Mapping[str, tuple[str, ...]]) -> None:
    from helpers.ingest.mapping import normalise_header

    where = f"{grid.where}: the mapping {mapping} says the header is on row {header_row}"
    if header_row not in grid.line_numbers:
        raise ImportFileError(f"{where}, but the file has no such row")
    cells = {normalise_header(c) for c in grid.rows[grid.line_numbers.index(header_row)]}
    absent = [col for col, sources in columns.items() if not any(normalise_header(s) in cells for s in sources)]
    if absent:
        raise ImportFileError(f"{where}, and that row lacks the headers of {', '.join(absent)}; "
                              "fix header_row (the spreadsheet row number)")
    if "_line" in frame and len(frame) and int(frame["_line"].min()) <= header_row:
        raise ImportFileError(f"{where}, but rows from line {int(frame['_line'].min())} were read as data; "
                              "fix header_row")


# --- finish --------------------------------------------------------------------------------------------

def _line(frame: pd.DataFrame, i: int) -> str:
    return str(frame["_line"].iloc[i]) if "_line" in frame else str(i + 1)


def _skip_missing(frame: pd.DataFrame, grid: Grid, needed: tuple[str, ...]) -> pd.DataFrame:
    """Drop rows lacking a value the table needs, reporting each in attrs["skipped"]."""
    present = [c for c in needed if c in frame]
    if not present or not len(frame):
        return frame
    missing = frame[present].isna().to_numpy()
    bad = missing.any(axis=1)
    if not bad.any():
        return frame
    attrs = dict(frame.attrs)
    messages = []
    for i in np.flatnonzero(bad):
        lacking = ", ".join(c for c, m in zip(present, missing[i], strict=True) if m)
        messages.append(f"{grid.where} line {_line(frame, int(i))}: no {lacking} — row skipped")
    frame = frame.loc[~bad].copy()
    frame.attrs = {**attrs, "skipped": [*attrs.get("skipped", []), *messages]}
    return frame


_PAID = {**dict.fromkeys(("true", "yes", "y", "1", "是", "付费", "推广", "paid", "promoted"), True),
         **dict.fromkeys(("false", "no", "n", "0", "否", "自然", "organic"), False)}


def _paid(frame: pd.DataFrame, grid: Grid, mapping: str) -> pd.Series:
    """A mapped paid column read as yes/no (missing → False); other text → ImportFileError."""
    out = []
    for i, value in enumerate(frame["paid"]):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(False)
        elif isinstance(value, bool):
            out.append(value)
        elif str(value).strip().casefold() in _PAID:
            out.append(_PAID[str(value).strip().casefold()])
        else:
            raise ImportFileError(f"{grid.where} line {_line(frame, i)}: paid {value!r} is not yes/no "
                                  f"(true/false, 是/否, 1/0); translate it under values: paid: in {mapping}")
    return pd.Series(out, index=frame.index, dtype=bool)


def _finisher(mapping: str, table: str, header_row: int | None, post_id_from: tuple[str, ...],
              values: Mapping[str, Mapping[str, object]], platform: str | None,
              columns: Mapping[str, tuple[str, ...]]) -> Finish:
    def finish(frame: pd.DataFrame, context: ImportContext, grid: Grid) -> pd.DataFrame:
        from helpers.schema import POST_FORMATS

        if platform is not None and context.platform != platform:
            raise MappingError(f"mapping {mapping} is for {platform} exports, but account {context.account_id} "
                               f"is a {context.platform} account; import into a {platform} account or "
                               "change platform: in the mapping")
        if header_row is not None:
            _check_header_row(frame, grid, mapping, header_row, columns)
        attrs = dict(frame.attrs)
        frame = frame.copy()
        frame.attrs = attrs
        for column, labels in values.items():
            if column in frame:
                frame[column] = frame[column].map(
                    lambda v, labels=labels: labels.get(v.strip(), v) if isinstance(v, str) else v)
        if table == "comments":
            return finish_comments(frame, context, grid)
        if table != "posts":
            return _skip_missing(frame, grid, tuple(k for k in TABLE_KEYS[table] if k != "account_id"))
        frame = _skip_missing(frame, grid, ("published_at",) if post_id_from else ("post_id", "published_at"))
        if "format" in frame:
            for i, fmt in enumerate(frame["format"]):
                if fmt not in POST_FORMATS:
                    raise ImportFileError(
                        f"{grid.where} line {_line(frame, i)}: format {fmt!r} is not a post format "
                        f"({', '.join(POST_FORMATS)}); translate it under values: format: in {mapping}")
        if "paid" in columns:
            frame["paid"] = _paid(frame, grid, mapping)
        if post_id_from:
            frame = derive_post_ids(frame, context, grid, f"{context.platform}-", post_id_from)
        else:
            dup = frame["post_id"].duplicated(keep=False).to_numpy()
            if dup.any():
                first = frame["post_id"][dup].iloc[0]
                lines = [_line(frame, i) for i in range(len(frame)) if frame["post_id"].iloc[i] == first]
                raise ImportFileError(f"{grid.where}: lines {' and '.join(lines)} have the same post id "
                                      f"{first!r}; remove the duplicate row")
        return fill_posts_defaults(frame)

    return finish
