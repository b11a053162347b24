"""Runners: where the per-article stage runs. Each maps articles to their ``Analysis`` in
input order and names the pipeline version; ``engine.ingest`` takes any of them.

- ``Analyser`` itself runs in this process;
- ``ProcessPool`` runs one analyser per worker process, for the cores of one machine;
- Spark (``wirewatch.engine.spark``) runs them on a cluster.

``make_runner("auto")`` picks the pool when this process may use more than one core and the
input is large enough to repay it, else the in-process analyser. Every runner consumes its
input lazily, so ``engine.ingest`` can read and store while the workers analyse.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any, Protocol, TypeVar

from wirewatch import gctune
from wirewatch.model import ActorMention, Analysis, Article, EventMention


class Runner(Protocol):
    @property
    def version(self) -> str: ...

    def run(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]: ...


# What a worker sends back per article: the article itself stays with the parent.
_Result = tuple[list[EventMention], list[ActorMention], str | None]

_T = TypeVar("_T")
_WORKER: Any = None  # this process's analyser (a worker's, or the parent's shared by fork)


def _init_worker() -> None:
    """Load the model once per worker process; a forked worker already has its parent's.
    Ctrl-C is the parent's to handle: it stops the workers."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # See wirewatch.gctune: a worker keeps the larger young generation for its life.
    gc.set_threshold(gctune.YOUNG, *gc.get_threshold()[1:])
    if _WORKER is None:
        from wirewatch.analyse import Analyser

        _WORKER = Analyser()


def _analyse_chunk(articles: list[Article], batch_size: int) -> list[_Result]:
    assert _WORKER is not None
    return [(r.mentions, r.entities, r.error) for r in _WORKER.run(articles, batch_size)]


def fewer_collections(fn: Callable[..., _T]) -> Callable[..., _T]:
    """Run ``fn`` with a larger young generation for the cycle collector, and fewer full
    collections (restored after): storing and linking make hundreds of thousands of
    short-lived objects beside the store's whole ledger, and with the default thresholds
    collections took ~1/3 of the ingesting process's CPU (wirewatch.gctune)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> _T:
        with gctune.young_generation(old=True):
            return fn(*args, **kwargs)

    return wrapper


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), not the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _peak_rss_mb(pid: int) -> float | None:
    """A process's peak resident set (VmHWM), in MiB, on Linux."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class ProcessPool:
    """Analysers in ``workers`` processes (default: one per usable core).

    Articles go out in chunks of ``chunk_size`` (``nlp.pipe`` batches inside each worker),
    at most ``prefetch`` chunks per worker in flight, taken from the input only as results
    come back: the caller's iterator is read in the caller's thread, and the workers stay busy
    while the caller stores what came back. Only the text-bearing ``Article`` goes out and only
    mentions, entities and an error come back; results are yielded in input order.

    On POSIX the workers are forked from this process after the model is loaded here, so they
    start at once and share its memory pages until they write to them.
    """

    def __init__(self, workers: int | None = None, chunk_size: int = 16, prefetch: int = 2) -> None:
        global _WORKER
        from wirewatch.analyse import Analyser

        self.workers = max(1, workers or usable_cores())
        self.chunk_size = max(1, chunk_size)
        self.prefetch = max(1, prefetch)
        fork = os.name == "posix"
        if fork and _WORKER is None:
            _WORKER = Analyser()  # inherited by the forked workers
        self._version = (_WORKER or Analyser()).version
        ctx = multiprocessing.get_context("fork" if fork else "spawn")
        self._pool = ctx.Pool(self.workers, initializer=_init_worker)

    @property
    def version(self) -> str:
        return self._version

    def worker_pids(self) -> list[int]:
        return [p.pid for p in self._pool._pool if p.pid is not None]  # type: ignore[attr-defined]

    def worker_peak_mb(self) -> list[float | None]:
        """Each worker's peak resident memory so far (Linux; None elsewhere)."""
        return [_peak_rss_mb(pid) for pid in self.worker_pids()]

    def run(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]:
        it = iter(articles)
        pending: deque[tuple[list[Article], AsyncResult[list[_Result]]]] = deque()
        batch = min(batch_size, self.chunk_size)

        def submit() -> bool:
            chunk = list(islice(it, self.chunk_size))
            if chunk:
                pending.append((chunk, self._pool.apply_async(_analyse_chunk, (chunk, batch))))
            return bool(chunk)

        while len(pending) < self.workers * self.prefetch and submit():
            pass
        while pending:
            chunk, result = pending.popleft()
            done = result.get()
            submit()
            for article, (mentions, entities, error) in zip(chunk, done, strict=True):
                yield Analysis(article, mentions, entities, error)

    def close(self, terminate: bool = False) -> None:
        """Wait for the workers to finish, or with ``terminate`` stop them at once (after an
        error or an interrupt, chunks still in flight are of no use)."""
        if terminate:
            self._pool.terminate()
        else:
            self._pool.close()
        self._pool.join()

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(terminate=exc_type is not None)


# Below this much input the in-process analyser finishes before a pool would pay off.
AUTO_POOL_MIN_BYTES = 64 * 1024


def make_runner(
    engine: str = "auto", workers: int | None = None, input_bytes: int | None = None
) -> Any:
    """The runner for ``engine``: ``inprocess``, ``pool`` (``workers`` processes), or ``auto``:
    the pool when more than one core is usable (or ``workers`` > 1 is asked for) and the
    input is at least ``AUTO_POOL_MIN_BYTES`` (unknown size counts as large)."""
    if engine == "auto":
        cores = workers or usable_cores()
        large = input_bytes is None or input_bytes >= AUTO_POOL_MIN_BYTES
        engine = "pool" if cores > 1 and large else "inprocess"
    if engine == "pool":
        return ProcessPool(workers)
    if engine != "inprocess":
        raise ValueError(f"unknown engine {engine!r}")
    from wirewatch.analyse import Analyser

    return Analyser()
