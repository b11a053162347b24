"""How often the cycle collector runs while articles are analysed, stored and linked.

The analysis makes many short-lived objects, few of them cyclic (the parse view breaks its
own cycles when its Doc goes, analyse/docindex.py), and each young-generation collection
walks the view's tens of thousands of live tokens again. With the default threshold (700)
collections took ~1/4 of the analysis CPU in coder_bench and ~1/3 of the ingesting process's
CPU; a larger young generation collects the same garbage at a fraction of the cost.

Linking holds the whole store's mentions and names in memory (millions of objects at 10k
articles) while it makes as many again, and each full collection walks all of them: with the
default oldest threshold (10) they took ~1/8 of a 10k-article relink's CPU. ``old`` lets a
context collect the oldest generation ten times less often.

A relink makes almost no cyclic garbage (12 objects in a 1k-article first link, where its
collections took ~0.15 s of ~1.9 s, all of them walking live objects): ``paused`` turns the
collector off for it, and reference counting frees the rest as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 20_000
OLD = 100  # middle-generation collections between two full ones, for ``old=True``
_open = 0  # young_generation contexts open now (generators may close out of order)
_saved: tuple[int, ...] = ()
_old_open = 0  # of them, those that asked for ``old``
_old_saved = 0


@contextmanager
def young_generation(size: int = YOUNG, old: bool = False) -> Iterator[None]:
    """Collect the young generation every ``size`` allocations at most, and with ``old`` the
    oldest every ``OLD`` middle-generation collections; the thresholds the first of
    overlapping contexts found are restored when the last one closes."""
    global _open, _saved, _old_open, _old_saved
    if _open == 0:
        _saved = gc.get_threshold()
        gc.set_threshold(max(_saved[0], size), *_saved[1:])
    _open += 1
    if old:
        if _old_open == 0:
            young, middle, _old_saved = gc.get_threshold()
            gc.set_threshold(young, middle, max(_old_saved, OLD))
        _old_open += 1
    try:
        yield
    finally:
        if old:
            _old_open -= 1
            if _old_open == 0:
                young, middle, _ = gc.get_threshold()
                gc.set_threshold(young, middle, _old_saved)
        _open -= 1
        if _open == 0:
            gc.set_threshold(*_saved)


@contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside the context; the collector's state is restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
