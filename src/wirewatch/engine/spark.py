"""Spark runner: the per-article stage as Spark tasks, locally or on a cluster.

    runner = SparkRunner("spark://host:7077")   # or "local[*]"
    ingest(paths, store, runner)
    runner.close()

Each call of ``run`` parallelises the articles (in input order, tagged with their index) into
partitions; each Python worker on an executor loads the analyser once (``_ANALYSER``, kept
across tasks because Spark reuses its Python workers) and runs ``Analyser().run`` over the
partition, so ``nlp.pipe`` still batches. Only mentions, entities and errors come back to the
driver (it has the articles), put back in input order: the output is the in-process engine's,
byte for byte.

Needs ``pyspark`` (``pip install pyspark``) and a Java runtime on the driver and the executors;
wirewatch and its model must be installed where the executors run Python (``spark.pyspark.python``
defaults to this interpreter, which suits local mode and a cluster on the same machine).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Iterable, Iterator
from functools import partial
from itertools import islice
from typing import Any

from wirewatch.model import ActorMention, Analysis, Article, EventMention

# Loaded once per executor Python process, on its first task.
_ANALYSER: Any = None

# spaCy's thinc/blis and numpy must not start a thread per core in each of N Python workers.
_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "BLIS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def _lazy_zip_invalidation() -> None:
    """Make ``importlib.invalidate_caches()`` cheap for zip archives that have not changed.

    PySpark's worker calls it at the start of every task, and on Python 3.10 and 3.11 each
    ``zipimporter`` on the path (one per package imported from pyspark.zip and the py4j zip,
    13 here) then re-reads its archive's directory: ~110 ms of CPU per task on this machine,
    more than a short task's own work. CPython 3.12 made the re-read lazy (gh-103200); here
    an archive is re-read only when its size or mtime changed, so a replaced zip (a new
    ``addPyFile``) is still seen."""
    if sys.version_info >= (3, 12):
        return
    import zipimport

    original = zipimport.zipimporter.invalidate_caches
    if getattr(original, "_wirewatch_lazy", False):
        return

    def invalidate_caches(self: Any) -> None:
        try:
            st = os.stat(self.archive)
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp is not None and getattr(self, "_wirewatch_stamp", None) == stamp:
            return
        original(self)
        self._wirewatch_stamp = stamp

    invalidate_caches._wirewatch_lazy = True  # type: ignore[attr-defined]
    zipimport.zipimporter.invalidate_caches = invalidate_caches  # type: ignore[method-assign]


def _executor_analyser() -> Any:
    global _ANALYSER
    if _ANALYSER is None:
        _lazy_zip_invalidation()
        for key, value in _THREAD_ENV.items():
            os.environ.setdefault(key, value)
        from wirewatch.analyse import Analyser

        _ANALYSER = Analyser()
        # A reused PySpark worker runs a full gc.collect() after every task; over the
        # model's ~110k objects that took 0.1-0.2 s per task here, between tasks, while the
        # core idled. They live as long as the worker, so take them out of the collector's
        # view (collecting first, so no garbage is kept with them).
        gc.collect()
        gc.freeze()
    return _ANALYSER


# What an executor sends back per article: the driver has the article itself.
_Result = tuple[list[EventMention], list[ActorMention], str | None]


def _analyse_partition(
    rows: Iterable[tuple[int, Article]], batch_size: int = 32
) -> Iterator[tuple[int, _Result]]:
    """Runs on an executor: one partition's (index, article) pairs to (index, (mentions,
    entities, error))."""
    rows = list(rows)
    if not rows:
        return iter(())
    analyser = _executor_analyser()
    results = analyser.run([a for _, a in rows], batch_size=batch_size)
    return iter(
        (i, (r.mentions, r.entities, r.error))
        for (i, _), r in zip(rows, list(results), strict=True)
    )


class SparkRunner:
    """A ``Runner`` whose per-article stage runs as Spark tasks on ``master``.

    ``partitions`` is how many tasks one ``run`` call is split into (default: twice the
    cluster's default parallelism, never more than there are articles); ``job_size`` is how
    many articles one Spark job takes from the input at most. ``conf`` adds or
    overrides Spark settings. A SparkContext already active in this process is reused (and
    left running by ``close``); otherwise one is created and ``close`` stops it.
    """

    def __init__(
        self,
        master: str = "local[*]",
        partitions: int | None = None,
        app_name: str = "wirewatch",
        conf: dict[str, str] | None = None,
        job_size: int = 2048,
    ) -> None:
        from pyspark import SparkConf, SparkContext

        self.master = master
        self.partitions = partitions
        self.job_size = max(1, job_size)
        # Executors run Python with this interpreter unless PYSPARK_PYTHON or the conf say
        # otherwise: it is the one that has wirewatch and its model installed.
        python = os.environ.get("PYSPARK_PYTHON", sys.executable)
        settings: dict[str, str] = {
            "spark.pyspark.python": python,
            "spark.python.worker.reuse": "true",
            "spark.ui.showConsoleProgress": "false",
        }
        settings.update({f"spark.executorEnv.{k}": v for k, v in _THREAD_ENV.items()})
        settings.update(conf or {})
        active = SparkContext._active_spark_context
        if active is not None:
            if active.master != master:
                raise RuntimeError(
                    f"a SparkContext for {active.master} is already running in this process; "
                    f"close it before starting one for {master}"
                )
            self._sc = active
            self._owned = False
        else:
            spark_conf = SparkConf().setMaster(master).setAppName(app_name)
            for key, value in settings.items():
                spark_conf.set(key, value)
            self._sc = SparkContext(conf=spark_conf)
            # pyspark takes the executors' interpreter from PYSPARK_PYTHON only; set it here
            # rather than in this process's environment.
            self._sc.pythonExec = settings["spark.pyspark.python"]
            self._sc.setLogLevel("ERROR")
            self._owned = True
        self._version: str | None = None

    @property
    def context(self) -> Any:
        return self._sc

    @property
    def version(self) -> str:
        if self._version is None:
            from wirewatch.analyse import Analyser, load_nlp

            self._version = Analyser(nlp=load_nlp()).version
        return self._version

    def executors(self) -> int:
        """Executors registered with the driver (local mode: 1, the driver itself)."""
        if self.master.startswith("local"):
            return 1
        return max(0, int(self._sc._jsc.sc().getExecutorMemoryStatus().size()) - 1)

    def wait_for_executors(self, n: int, timeout: float = 60.0) -> int:
        """Wait until ``n`` executors have registered (a cluster's start asynchronously: a
        job started before would run on fewer); returns how many there are."""
        deadline = time.monotonic() + timeout
        while (count := self.executors()) < n and time.monotonic() < deadline:
            time.sleep(0.2)
        return count

    def _partitions(self, n: int) -> int:
        wanted = self.partitions or 2 * max(1, int(self._sc.defaultParallelism))
        return max(1, min(n, wanted))

    def run(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Analysis]:
        """One Spark job per ``job_size`` articles, taken from ``articles`` as the previous job
        ends: the input is never all in memory, and the caller stores as jobs finish."""
        it = iter(articles)
        while items := list(islice(it, self.job_size)):
            yield from self._run_job(items, batch_size)

    def _run_job(self, items: list[Article], batch_size: int) -> list[Analysis]:
        rdd = self._sc.parallelize(list(enumerate(items)), self._partitions(len(items)))
        pairs = rdd.mapPartitions(partial(_analyse_partition, batch_size=batch_size)).collect()
        pairs.sort(key=lambda p: p[0])
        if [i for i, _ in pairs] != list(range(len(items))):
            raise RuntimeError(f"Spark returned {len(pairs)} results for {len(items)} articles")
        return [Analysis(a, *result) for a, (_, result) in zip(items, pairs, strict=True)]

    def close(self) -> None:
        if self._owned and self._sc is not None:
            self._sc.stop()
            self._owned = False

    def __enter__(self) -> SparkRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["SparkRunner"]
