"""Runners: where the per-article stage runs. Each maps articles to their ``Analysis`` in
input order and names the pipeline version; ``engine.ingest`` takes any of them.

- ``Analyser`` itself runs in this process (the default);
- ``ProcessPool`` runs one analyser per worker process, for the cores of one machine;
- Spark (``wirewatch.engine.spark``) runs them on a cluster.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, Protocol

from wirewatch.model import Analysis, Article


class Runner(Protocol):
    @property
    def version(self) -> str: ...

    def run(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]: ...


_WORKER: Any = None


def _init_worker() -> None:
    """Load the model once per worker process."""
    global _WORKER
    from wirewatch.analyse import Analyser

    _WORKER = Analyser()


def _analyse_chunk(articles: list[Article]) -> list[Analysis]:
    assert _WORKER is not None
    return list(_WORKER.run(articles))


class ProcessPool:
    """Analysers in ``workers`` processes. Chunks keep ``nlp.pipe`` batching inside each
    worker; results come back in input order."""

    def __init__(self, workers: int | None = None, chunk_size: int = 8) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.chunk_size = chunk_size
        # fork shares the already imported code; each worker still loads its own model.
        ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self._pool = ctx.Pool(self.workers, initializer=_init_worker)
        from wirewatch.analyse import PIPELINE_VERSION, load_nlp

        meta = load_nlp().meta
        self._version = f"{PIPELINE_VERSION}+{meta.get('name')}-{meta.get('version')}"

    @property
    def version(self) -> str:
        return self._version

    def run(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]:
        it = iter(articles)
        chunks = iter(lambda: list(islice(it, self.chunk_size)), [])
        for result in self._pool.imap(_analyse_chunk, chunks):
            yield from result

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
