"""Building millions of small objects quickly: the cycle collector paused while they are made.

CPython's cycle collector runs whenever enough container objects (lists, tuples, dicts) have been
allocated, and each full run walks every live one. Reading a 340 k-row export makes about a million
lists and tuples of strings, none of which refer back to itself, so the collector would walk the
growing grid again and again for nothing (it was most of the CSV reading time). `paused_cycle_collection`
turns it off for such a block and back on after (only if it was on); reference counting still frees
everything as usual, so results and memory stay the same.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_cycle_collection"]


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """Run the block with the cycle collector off (for code that builds many acyclic objects)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
