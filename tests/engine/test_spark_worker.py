"""What the Spark runner does to the Python worker that runs its tasks.

Each check runs in a child interpreter: the tuning is process-wide (the collector, the
zipimport class), and this test process must stay as it was.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _run(code: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 re-reads zip directories lazily")
def test_unchanged_zips_are_not_reread_on_every_cache_invalidation(tmp_path: Path) -> None:
    # PySpark's worker calls importlib.invalidate_caches() before every task.
    out = _run(
        """
        import importlib, os, sys, time, zipfile, zipimport
        from wirewatch.engine.spark import _lazy_zip_invalidation

        archive = os.path.abspath("mods.zip")
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("alpha.py", "NAME = 'alpha'\\n")
        sys.path.insert(0, archive)
        import alpha

        reads = []
        real = zipimport._read_directory
        def counting(path):
            reads.append(path)
            return real(path)
        zipimport._read_directory = counting

        _lazy_zip_invalidation()
        _lazy_zip_invalidation()  # a second call must not wrap twice
        for _ in range(5):
            importlib.invalidate_caches()
        unchanged = len([p for p in reads if p == archive])

        time.sleep(0.01)  # a new mtime even on coarse clocks
        with zipfile.ZipFile(archive, "a") as z:
            z.writestr("beta.py", "NAME = 'beta'\\n")
        importlib.invalidate_caches()
        import beta
        print(unchanged, len([p for p in reads if p == archive]) > unchanged, beta.NAME)
        """,
        tmp_path,
    )
    assert out.split() == ["1", "True", "beta"]


def test_the_workers_analyser_is_kept_out_of_full_collections(tmp_path: Path) -> None:
    # A reused PySpark worker runs gc.collect() after every task.
    out = _run(
        """
        import gc
        from wirewatch.engine.spark import _executor_analyser

        analyser = _executor_analyser()
        assert _executor_analyser() is analyser
        gc.collect()
        print(gc.get_freeze_count(), len(gc.get_objects()))
        """,
        tmp_path,
    )
    frozen, tracked = out.split()
    assert int(frozen) > 50_000  # the model, lexicons and knowledge base
    assert int(tracked) < int(frozen) // 10
