"""Knowledge-base speed: load time and lookups per second (a benchmark, not a timed test:
timings on a shared machine belong here).

    .venv/bin/python bench/kb_bench.py
"""

from __future__ import annotations

import time

from wirewatch.link.kb import KnowledgeBase


def main() -> None:
    KnowledgeBase.load()  # warm imports and the file cache
    start = time.perf_counter()
    kb = KnowledgeBase.load()
    load_s = time.perf_counter() - start
    surfaces = ["the South Korean Foreign Ministry", "ROK", "N. Korea", "Washington", "NATO"]
    start = time.perf_counter()
    for n in range(2000):
        for s in surfaces:
            kb.lookup(f"{s} {n % 7}" if n % 2 else s)  # half of them miss the memo
    lookups = 2000 * len(surfaces)
    per_s = lookups / (time.perf_counter() - start)
    print(f"load {load_s * 1000:.1f} ms; {per_s:,.0f} lookups/s")


if __name__ == "__main__":
    main()
