"""Shared by the importer tests: expected canonical rows written by hand, with the importer's dtypes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from helpers.ingest.store import Store
from helpers.ingest.types import ImportContext

#: Canonical posts columns that hold text ("string" dtype in the importer's output).
TEXT = ("post_id", "account_id", "format", "pillar", "title", "topics")


def context(platform: str) -> ImportContext:
    """The import context every fixture is mapped with: account acc1, Shanghai time, reference 2026-01-10."""
    return ImportContext(account_id="acc1", platform=platform, timezone="Asia/Shanghai",
                         reference=dt.date(2026, 1, 10))


def expected(columns: dict[str, list[object]]) -> pd.DataFrame:
    """A hand-written frame with the importer's dtypes: text as "string", times, bool, floats."""
    out = {}
    for name, values in columns.items():
        if name in TEXT:
            out[name] = pd.Series(values, dtype="string")
        elif name in ("published_at", "date"):
            out[name] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        elif name == "paid":
            out[name] = pd.Series(values, dtype=bool)
        else:
            out[name] = pd.Series(values, dtype="float64")
    return pd.DataFrame(out)


def make_store(tmp_path: Path, **accounts: str) -> Path:
    """A fresh store with the given accounts (account_id=platform); returns its root."""
    root = tmp_path / "store"
    store = Store.create(root)
    with store.transaction() as txn:
        for account_id, platform in accounts.items():
            txn.upsert_account(account_id, platform, f"name of {account_id}")
    return root
