"""Pausing Python's cyclic garbage collector during bulk work.

Loading a store or importing 100,000 sign-ups allocates millions of dicts, lists and strings,
none of which form reference cycles, yet every burst of allocations triggers collections that
walk all of them again. Pausing the collector for such a step halves an import; the objects
that survive it are then frozen out of later collections, which would only walk them for nothing.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
