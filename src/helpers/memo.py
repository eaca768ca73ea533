"""Small in-process caches keyed by the content of frames: a run asks for the same work twice (the review's KPI
windows, its alert fits), and a key built from the data itself recomputes whenever the data changes, even in place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


def content_key(frame: pd.DataFrame | None, columns: Sequence[str] | None = None) -> tuple | None:
    """What identifies a frame's content (or the given columns it has): names, dtypes and a hash of every row,
    index included; None for no frame."""
    if frame is None:
        return None
    part = frame if columns is None else frame[[c for c in columns if c in frame.columns]]
    hashed = pd.util.hash_pandas_object(part, index=True).to_numpy()
    return (tuple(map(str, part.columns)), tuple(map(str, part.dtypes)), len(part), hashed.tobytes())


def remember(memo: dict, kept: int, key: Any, value: Any) -> Any:
    """Keep value under key in memo, forgetting the oldest entry beyond ``kept``; returns value."""
    if len(memo) >= kept:
        memo.pop(next(iter(memo)))
    memo[key] = value
    return value
