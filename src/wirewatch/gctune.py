"""How often the cycle collector runs while articles are analysed, stored and linked.

The analysis makes many short-lived objects, few of them cyclic (the parse view breaks its
own cycles when its Doc goes, analyse/docindex.py), and each young-generation collection
walks the view's tens of thousands of live tokens again. With the default threshold (700)
collections took ~1/4 of the analysis CPU in coder_bench and ~1/3 of the ingesting process's
CPU; a larger young generation collects the same garbage at a fraction of the cost.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 20_000
_open = 0  # young_generation contexts open now (generators may close out of order)
_saved: tuple[int, ...] = ()


@contextmanager
def young_generation(size: int = YOUNG) -> Iterator[None]:
    """Collect the young generation every ``size`` allocations at most; the threshold the
    first of overlapping contexts found is restored when the last one closes."""
    global _open, _saved
    if _open == 0:
        _saved = gc.get_threshold()
        gc.set_threshold(max(_saved[0], size), *_saved[1:])
    _open += 1
    try:
        yield
    finally:
        _open -= 1
        if _open == 0:
            gc.set_threshold(*_saved)
