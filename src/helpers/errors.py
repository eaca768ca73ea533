"""Errors the suite raises on bad input, so the CLI can print them without a traceback."""

from __future__ import annotations


class OpsbookError(Exception):
    """Base class: a problem the user can fix (bad data, bad parameters), not a bug."""


class ParameterError(OpsbookError, ValueError):
    """A run parameter is missing, malformed or inconsistent; the message says which and how to fix it."""


class DataError(OpsbookError, ValueError):
    """A data file is missing or does not satisfy the schema; the message names file, column and rows."""
