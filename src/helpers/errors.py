"""Errors the suite raises on bad input, so the CLI can print them without a traceback."""

from __future__ import annotations

from collections.abc import Iterable


class OpsbookError(Exception):
    """Base class: a problem the user can fix (bad data, bad parameters), not a bug."""


class ParameterError(OpsbookError, ValueError):
    """A run parameter is missing, malformed or inconsistent; the message says which and how to fix it."""


class DataError(OpsbookError, ValueError):
    """A data file is missing or does not satisfy the schema; the message names file, column and rows."""


def require_columns(frame: object, columns: Iterable[str], table: str, hint: str = "") -> None:
    """Raise DataError naming every required column a table lacks (and the columns it has)."""
    present = [str(c) for c in getattr(frame, "columns", [])]
    missing = [c for c in columns if c not in present]
    if missing:
        raise DataError(
            f"{table} is missing required column(s) {', '.join(map(repr, missing))} "
            f"(it has: {', '.join(present) or 'no columns'}). {hint or 'See the data schema in DESIGN.md.'}".rstrip()
        )
