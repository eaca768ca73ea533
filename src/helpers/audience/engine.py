"""Interactions held by DuckDB, so the per-user aggregations scale to tens of millions of events.

pandas needs several GB and minutes to group 10 million events by string user ids; DuckDB scans
columns in parallel, keeps repeated strings compressed and reads Parquet in place. The audience
helpers therefore accept either a pandas DataFrame of interactions (small data, tests) or an
`Events` (a DuckDB table, e.g. from `events_from_parquet`), run their aggregations as SQL on it,
and hand back per-user or per-cell pandas tables, which are small.

Columns of an `Events` table: user_id, account_id, occurred_at (naive local wall-clock time, as
DESIGN.md defines naive timestamps), event, post_id, value (purchase value, may be NULL) and row
(the input position, so ties in time keep the input order as a stable sort would).
In a coded table (`code_users`, the audience window) user_id holds integer codes of the ids.

Every connection (`connect`) caps DuckDB's memory at `$OPSBOOK_DUCKDB_MEMORY` (default 1GB) and
lets larger aggregations spill to `$OPSBOOK_DUCKDB_TEMP` (default opsbook-duckdb in the system's
temporary folder), so 100 million events are profiled out of core instead of failing or swapping.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow

from helpers.errors import DataError, ParameterError
from helpers.timezones import DEFAULT_TIMEZONE, duckdb_local_time, local_times, to_local

COLUMNS: tuple[str, ...] = ("user_id", "account_id", "occurred_at", "event", "post_id", "value", "row")
_names = itertools.count()
MEMORY_ENV = "OPSBOOK_DUCKDB_MEMORY"
TEMP_ENV = "OPSBOOK_DUCKDB_TEMP"
DEFAULT_MEMORY = "1GB"
"""DuckDB's memory cap: room for the per-user tables in pandas next to it within the benchmarks' aims.

DuckDB keeps what it used up to the cap until a later query: at 2GB the 10 M-event profile's
bot activity query (a window over 10 M events) left ~1.5 GB resident and the profile peaked over
2 GB; at 1GB it peaks lower and the results are the same (the cap only decides when DuckDB spills)."""


PART_EVENTS = 20_000_000
"""Per-user queries over every event (bot activity, behaviour features, RFM counts, paths) run on parts of
about this many events, users split by a hash of their id (`Events.user_parts`): at 100 M events the bot
activity window and the RFM counts of 10 M users ran out of DuckDB's 1GB even with spilling (issue 22); at 30 M events
one part fit."""


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with its memory cap and spill folder (see the module doc)."""
    temp = os.environ.get(TEMP_ENV) or str(Path(tempfile.gettempdir()) / "opsbook-duckdb")
    memory = os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY
    try:
        return duckdb.connect(config={"memory_limit": memory, "temp_directory": temp})
    except duckdb.Error as exc:
        raise ParameterError(f"DuckDB refused ${MEMORY_ENV}={memory!r} or ${TEMP_ENV}={temp!r} ({exc}); give a size "
                        "such as 4GB and a writable folder.") from None


@dataclass(frozen=True, eq=False)
class Events:
    """A DuckDB relation of interactions (see the module doc for its columns); `{ev}` in SQL names it.

    A coded table (`code_users`, `users` set) holds each user as an integer code instead of the text
    id: its user_id column is the code (0, 1, ... in the order of the ids), `users` names the DuckDB
    table of (user_id, code) and `ids` holds the ids by code. `per_user` and `to_pandas` give the ids
    back; `decoded` is a view with the text ids for queries that join on them.
    """

    con: duckdb.DuckDBPyConnection
    name: str
    users: str | None = None
    ids: pd.api.extensions.ExtensionArray | np.ndarray | None = field(default=None, repr=False)
    """The ids by code as DuckDB hands text to pandas (pandas' str array: compact, no Python string per user)."""
    known_rows: int | None = None
    """The number of events when known (a coded table counts them once), so `rows` need not scan."""
    _counted: list[int] = field(default_factory=list, repr=False)
    """`rows` once counted: the relation does not change (bot activity, RFM counts, features and paths each
    chose their parts with a count(*) of the same view, 0.1–0.3 s each at 10 M events)."""

    @property
    def coded(self) -> bool:
        """Whether user_id holds integer codes (see the class doc)."""
        return self.users is not None

    def query(self, sql: str, params: Sequence[object] | None = None) -> pd.DataFrame:
        """Run SQL in which `{ev}` stands for this table; the result as a DataFrame."""
        return self.con.execute(sql.format(ev=self.name), list(params or [])).df()

    def _view(self, sql: str) -> Events:
        """A new view of this table's kind (coded or not) from a SELECT."""
        name = f"ev_{next(_names)}"
        self.con.execute(f"CREATE TEMP VIEW {name} AS {sql}")
        return Events(self.con, name, self.users, self.ids)

    def where(self, condition: str) -> Events:
        """The rows matching a SQL condition (put values in with `literal`), as a new view (no copy)."""
        return self._view(f"SELECT * FROM {self.name} WHERE {condition}")

    def without_users(self, user_ids: Iterable[object]) -> Events:
        """The events of every user except the given ones (e.g. flagged bots).

        As SQL's NOT IN: an event without a user is left out when any id is given, and every event
        when a given id is missing; a coded table compares codes, with the same result.
        """
        ids = pd.DataFrame({"user_id": pd.Series(list(user_ids), dtype="object")})
        table = f"excluded_{next(_names)}"
        self.con.register(f"{table}_df", ids)
        self.con.execute(f"CREATE TEMP TABLE {table} AS SELECT CAST(user_id AS VARCHAR) AS user_id FROM {table}_df")
        self.con.unregister(f"{table}_df")
        if not self.coded:
            return self._view(f"SELECT * FROM {self.name} "
                              f"WHERE CAST(user_id AS VARCHAR) NOT IN (SELECT user_id FROM {table})")
        if ids["user_id"].isna().any():  # x NOT IN (..., NULL) is never true
            return self._view(f"SELECT * FROM {self.name} WHERE FALSE")
        codes = f"{table}_codes"
        self.con.execute(f"CREATE TEMP TABLE {codes} AS SELECT u.code FROM {table} x JOIN {self.users} u "
                         "ON x.user_id = u.user_id")
        known = "user_id IS NOT NULL AND " if len(ids) else ""
        return self._view(f"SELECT * FROM {self.name} WHERE {known}user_id NOT IN (SELECT code FROM {codes})")

    def user_parts(self) -> list[Events]:
        """This table split into parts of about PART_EVENTS events, each holding all events of its users.

        Users go to a part by a hash of their id, or, in a coded table, by ranges of codes (the
        table is stored in code order, so DuckDB skips the row groups of other parts); a per-user
        result is the parts' results put together. A table of PART_EVENTS events or fewer is one
        part: itself.
        """
        parts = -(-self.rows() // PART_EVENTS)
        if parts <= 1:
            return [self]
        if self.ids is not None:
            edges = [len(self.ids) * part // parts for part in range(parts + 1)]
            return [self.where(f"user_id >= {lo} AND user_id < {hi}") for lo, hi in itertools.pairwise(edges)]
        return [self.where(f"hash(CAST(user_id AS VARCHAR)) % {parts} = {part}") for part in range(parts)]

    def decode(self, codes: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
        """The user ids of integer codes (a missing code gives a missing id); the codes themselves when not coded.

        Taken from `ids` in its own array type, so a decoded column has the dtype DuckDB gives text.
        """
        if self.ids is None:
            return codes.to_numpy()
        if codes.empty:  # as DuckDB gives no text rows: an empty object column
            return np.array([], dtype=object)
        positions = codes.to_numpy(dtype="int64", na_value=-1)
        return pd.api.extensions.take(self.ids, positions, allow_fill=True)

    def per_user(self, sql: str, params: Sequence[object] | None = None) -> pd.DataFrame:
        """A query giving one row per user, ordered by user_id, run on each of `user_parts` and put together.

        In a coded table the query groups and orders by the codes (in id order), and the ids are put
        in place of the codes at the end.
        """
        parts = [part.query(sql, params) for part in self.user_parts()]
        if len(parts) == 1:
            whole = parts[0]
        else:
            whole = pd.concat(parts, ignore_index=True)
            parts.clear()  # the parts go before the sort's copy: two tables of every user alive at once, not three
            whole = whole.sort_values("user_id", ignore_index=True)
        if self.coded:
            whole["user_id"] = self.decode(whole["user_id"])
        return whole

    def decoded(self) -> Events:
        """This table with the text user ids (a view joining the codes to the ids); itself when not coded."""
        if not self.coded:
            return self
        name = f"ev_{next(_names)}"
        self.con.execute(f"CREATE TEMP VIEW {name} AS SELECT u.user_id, e.* EXCLUDE (user_id) FROM {self.name} e "
                         f"LEFT JOIN {self.users} u ON e.user_id = u.code")
        return Events(self.con, name)

    def rows(self) -> int:
        """Number of events."""
        if self.known_rows is not None:
            return self.known_rows
        if not self._counted:
            self._counted.append(int(one_row(self.con, f"SELECT count(*) FROM {self.name}")[0]))
        return self._counted[0]

    def to_pandas(self) -> pd.DataFrame:
        """All events as a DataFrame (for small tables only), in input order, with the text user ids."""
        out = self.query("SELECT * EXCLUDE (row) FROM {ev} ORDER BY row")
        if self.coded:
            out["user_id"] = self.decode(out["user_id"])
        return out

    def __repr__(self) -> str:
        return f"Events({self.name}, {self.rows():,} rows)"


def code_users(events: Events) -> Events:
    """The events as a coded table (see `Events`): each user id once as an integer code.

    Codes number the distinct ids in DuckDB's order of user_id (so ORDER BY the code is ORDER BY
    user_id); events without a user keep a missing code. Per-user queries then group and sort
    integers instead of text, and parts of users are ranges of codes (issue 22). When there are
    several parts the rows are stored part after part (one insert per part), so each part's query
    reads only its own row groups; a sort by code did the same at 30 s for 30 M events. The table is a
    DuckDB temporary table, which spills to $OPSBOOK_DUCKDB_TEMP beyond the memory cap. A table
    already coded, or whose user_id is not text, is returned as it is.
    """
    if events.coded:
        return events
    kind = one_row(events.con, f"DESCRIBE SELECT user_id FROM {events.name}")[1]
    if kind != "VARCHAR":
        return events
    n = next(_names)
    users, name = f"users_{n}", f"evc_{n}"
    # the distinct ids gathered part by part (`user_parts`) into a table, sorted by DuckDB's external sort and
    # streamed out in Arrow batches, numbered here: row_number() OVER (ORDER BY user_id), one DISTINCT of every
    # id, and the sorted ids collected inside DuckDB ran out of the 1GB cap at 100 M events
    rows = events.rows()
    parts = -(-rows // PART_EVENTS)
    events.con.execute(f"CREATE TEMP TABLE distinct_{n} (user_id VARCHAR)")
    try:
        for part in events.user_parts():
            events.con.execute(f"INSERT INTO distinct_{n} SELECT DISTINCT user_id FROM {part.name} "
                               "WHERE user_id IS NOT NULL")
        ordered = events.con.sql(f"SELECT user_id FROM distinct_{n} ORDER BY user_id").to_arrow_reader().read_all()
    finally:
        events.con.execute(f"DROP TABLE distinct_{n}")
    ids = ordered.to_pandas()["user_id"].array
    # 4-byte codes (2^31 users is far beyond any audience): 10 M events' table is ~40 MB smaller than with BIGINT
    numbered = pyarrow.table({"user_id": ordered.column("user_id"),
                              "code": pyarrow.array(np.arange(ordered.num_rows, dtype=np.int32))})
    del ordered
    events.con.register(f"numbered_{n}", numbered)
    try:
        events.con.execute(f"CREATE TEMP TABLE {users} AS SELECT user_id, code FROM numbered_{n}")
    finally:
        events.con.unregister(f"numbered_{n}")
    del numbered
    if parts <= 1:
        events.con.execute(f"CREATE TEMP TABLE {name} AS SELECT u.code AS user_id, e.* EXCLUDE (user_id) "
                           f"FROM {events.name} e LEFT JOIN {users} u ON e.user_id = u.user_id")
        return Events(events.con, name, users, ids, rows)
    # several parts: the rows stored part after part (the code ranges of user_parts), so each part's query
    # reads only its row groups; one insert per part instead of a sort of every row (30 M events: 30 s)
    edges = [len(ids) * part // parts for part in range(parts + 1)]
    events.con.execute(f"CREATE TEMP TABLE {name} AS SELECT CAST(NULL AS INTEGER) AS user_id, * EXCLUDE (user_id) "
                       f"FROM {events.name} WHERE user_id IS NULL")  # the events without a user first
    for lo, hi in itertools.pairwise(edges):
        events.con.execute(f"INSERT INTO {name} SELECT u.code AS user_id, e.* EXCLUDE (user_id) FROM {events.name} e "
                           f"JOIN (SELECT * FROM {users} WHERE code >= {lo} AND code < {hi}) u "
                           "ON e.user_id = u.user_id")
    return Events(events.con, name, users, ids, rows)


def one_row(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> tuple[Any, ...]:
    """The single row of an aggregate query (count, max, ...), which SQL always returns.

    Fetched to the end, so the connection has no unfinished result (DuckDB then refuses `register`).
    """
    rows = con.execute(sql, list(params or [])).fetchall()
    if len(rows) != 1:  # an aggregate without GROUP BY always returns one row: this guards misuse
        raise RuntimeError(f"Expected one row from: {sql}")
    return tuple(rows[0])


def literal(value: object) -> str:
    """A SQL literal for a timestamp, number or text value."""
    if isinstance(value, pd.Timestamp):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def _naive_local(frame: pd.DataFrame, accounts: pd.DataFrame | None, tz: str | None) -> pd.Series:
    """occurred_at as naive local time: per account's timezone when accounts are given, else tz (default zone)."""
    when = frame["occurred_at"]
    aware = isinstance(when.dtype, pd.DatetimeTZDtype)
    if aware and accounts is not None and "account_id" in frame.columns:
        return local_times(frame, accounts)
    return to_local(when, tz if tz is not None else DEFAULT_TIMEZONE)


def from_frame(interactions: pd.DataFrame, accounts: pd.DataFrame | None = None, tz: str | None = None) -> Events:
    """Interactions from a DataFrame as an Events view; absent columns become NULL (callers check what they need)."""
    n = len(interactions)
    frame = pd.DataFrame({
        "user_id": interactions["user_id"].to_numpy() if "user_id" in interactions else np.full(n, None),
        "account_id": interactions["account_id"].to_numpy() if "account_id" in interactions else np.full(n, None),
        "occurred_at": (_naive_local(interactions, accounts, tz).astype("datetime64[us]").to_numpy()
                        if "occurred_at" in interactions else np.full(n, np.datetime64("NaT"), "datetime64[us]")),
        "event": (interactions["event"].astype("object").to_numpy() if "event" in interactions
                  else np.full(n, None)),
        "post_id": (interactions["post_id"].astype("object").to_numpy() if "post_id" in interactions
                    else np.full(n, None)),
        "value": (pd.to_numeric(interactions["value"], errors="coerce").astype("float64").to_numpy()
                  if "value" in interactions else np.full(n, np.nan)),
        "row": np.arange(n, dtype="int64"),
    })
    con = connect()
    con.register("ev_frame", frame)
    return Events(con, "ev_frame")


def as_events(interactions: pd.DataFrame | Events, accounts: pd.DataFrame | None = None,
              tz: str | None = None) -> Events:
    """Events as they are, or a DataFrame of interactions wrapped as Events."""
    if isinstance(interactions, Events):
        return interactions
    if not isinstance(interactions, pd.DataFrame):
        raise DataError(f"interactions must be a DataFrame or Events, got {type(interactions).__name__}.")
    return from_frame(interactions, accounts, tz)


def _parquet_columns(con: duckdb.DuckDBPyConnection, file: Path) -> dict[str, str]:
    """Column name → DuckDB type of a Parquet file."""
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{file}')").fetchall()}


def _problem(con: duckdb.DuckDBPyConnection, file: Path, condition: str, what: str) -> str | None:
    """One line naming the file, how many rows break a condition, and the first rows (1-based), or None."""
    count, rows = one_row(
        con, f"SELECT count(*), list(row ORDER BY row)[1:5] FROM (SELECT file_row_number + 1 AS row, * "
             f"FROM read_parquet('{file}', file_row_number = true)) WHERE {condition}")
    if not count:
        return None
    return f"{file}: {what} in {count:,} row(s), e.g. rows {', '.join(map(str, rows))}"


def check_parquet_events(path: str | Path, known_accounts: Iterable[str]) -> None:
    """Check a Parquet interactions file in place (columns, types, required values, events, accounts).

    A DataError lists every problem, naming the rows (1-based positions in the file).
    """
    from helpers.schema import EVENTS

    file = Path(path)
    con = connect()
    columns = _parquet_columns(con, file)
    missing = [c for c in ("user_id", "account_id", "occurred_at", "event") if c not in columns]
    if missing:
        raise DataError(f"{file}: required column(s) {missing} missing (it has: {', '.join(columns)}). "
                        "See the interactions schema in DESIGN.md.")
    if not columns["occurred_at"].startswith("TIMESTAMP"):
        raise DataError(f"{file}: column occurred_at has type {columns['occurred_at']}; store it as a Parquet "
                        "timestamp (naive = the account's local time).")
    events = ", ".join(literal(e) for e in EVENTS)
    accounts = ", ".join(literal(a) for a in known_accounts) or "NULL"
    checks = [(f"{c} IS NULL", f"column {c}: missing value in a required column") for c in
              ("user_id", "account_id", "occurred_at", "event")]
    checks += [(f"event IS NOT NULL AND CAST(event AS VARCHAR) NOT IN ({events})",
                f"column event: not one of {', '.join(EVENTS)}"),
               (f"account_id IS NOT NULL AND CAST(account_id AS VARCHAR) NOT IN ({accounts})",
                "column account_id: unknown account (not in accounts)")]
    if "value" in columns:
        checks.append(("value IS NOT NULL AND TRY_CAST(value AS DOUBLE) IS NULL", "column value: not a number"))
    problems = [p for p in (_problem(con, file, c, w) for c, w in checks) if p]
    if problems:
        raise DataError("interactions has problems:\n- " + "\n- ".join(problems) + "\nFix the rows and run again.")


def events_from_parquet(path: str | Path, account_ids: Sequence[str] | None = None,
                        zones: Mapping[str, str] | None = None) -> Events:
    """Interactions read in place from a Parquet file, for the given accounts, with times as naive local time.

    Naive timestamps are local time already; a tz-aware column is converted to each row's account
    zone (`zones`, account_id → IANA name; the default zone for the others), as `helpers.data`
    does for CSV. Nothing is copied: each query scans the file (DuckDB skips row groups outside a
    time filter). Check the file first with `check_parquet_events`.
    """
    file = Path(path)
    con = connect()
    columns = _parquet_columns(con, file)
    when = "CAST(occurred_at AS TIMESTAMP)"
    if "TIME ZONE" in columns["occurred_at"].upper():
        when = duckdb_local_time("occurred_at", zones or {})
    post = "CAST(post_id AS VARCHAR)" if "post_id" in columns else "NULL::VARCHAR"
    value = "TRY_CAST(value AS DOUBLE)" if "value" in columns else "NULL::DOUBLE"
    where = ""
    if account_ids is not None:
        where = "WHERE account_id IN (" + ", ".join(literal(a) for a in account_ids) + ")"
    con.execute(f"""
        CREATE VIEW ev AS
        SELECT CAST(user_id AS VARCHAR) AS user_id, CAST(account_id AS VARCHAR) AS account_id,
               {when} AS occurred_at, CAST(event AS VARCHAR) AS event,
               {post} AS post_id, {value} AS value, file_row_number AS row
        FROM read_parquet('{file}', file_row_number = true) {where}""")
    return Events(con, "ev")
