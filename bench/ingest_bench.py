"""Throughput of a full ingest (read, analyse, store, link) against spaCy's own English pipeline
over the same texts, measured in the same run (issue 8). The spaCy baseline is the model's stock
pipeline as ``spacy.load`` gives it (no wirewatch components, the model's own attribute ruler).

    .venv/bin/python bench/ingest_bench.py [--docs 1000] [--repeat 2] [--engine auto] [--json]

The corpus is the bundled sample, the seed articles and the MEANTIME news texts (rebuilt from
their tokens as ``actors_bench`` does; both from ../shared when present), replicated to
``--docs`` articles, each copy given a new id and a distinguishing first line so none is
skipped as a duplicate. Each repeat times, in turn: ``nlp.pipe`` in this process (unless
``--no-single``), ``nlp.pipe(n_process=--workers)``, and ``engine.ingest`` into a new SQLite
store with the engine the command line would pick (``--engine auto``) or the one named, and
with ``--partial`` the same ingest with the opt-in partial parse (``ingest_partial``).
Reported per configuration: the best wall time, CPU time of this process and its children
(``*_cpu_s``), and ``*_other_load``, the cores other processes kept busy meanwhile (the
machine may be shared: compare configurations within one run). ``worker_peak_mb`` is each
analysis worker's peak resident set (VmHWM) at the end of the ingest.

Issue 8's targets: ingest no slower than spaCy with ``n_process=2`` (``ingest_vs_spacy_2proc``
<= 1.0) and >= 25 docs/s on two cores; ``--check`` exits 1 when either is missed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WIREWATCH_SHARED", REPO.parent / "shared"))
TARGET_DOCS_PER_S = 25.0
TARGET_RATIO = 1.0


def corpus_records() -> list[dict[str, Any]]:
    """The unique articles: sample, seeds and MEANTIME (each when present)."""
    from wirewatch.ingest import iter_articles

    paths = [REPO / "examples" / "sample"]
    if (SHARED / "corpus" / "seeds.jsonl").exists():
        paths.append(SHARED / "corpus" / "seeds.jsonl")
    else:
        print(f"note: {SHARED / 'corpus'} not found; sample corpus only", file=sys.stderr)
    out = []
    for a in iter_articles(paths):
        if hasattr(a, "text"):
            out.append({"id": a.id, "text": a.text, "published": a.published.isoformat()
                        if a.published else None, "outlet": a.outlet})  # fmt: skip
    sys.path.insert(0, str(Path(__file__).parent))
    import actors_bench

    if actors_bench.MEANTIME.is_dir():
        for d in actors_bench.load_corpus(actors_bench.MEANTIME):
            published = d.published.isoformat() if d.published else None
            out.append({"id": f"meantime-{d.name}", "text": d.text, "published": published,
                        "outlet": "Wikinews"})  # fmt: skip
    else:
        print(f"note: {actors_bench.MEANTIME} not found; no MEANTIME texts", file=sys.stderr)
    return out


def replicate(base: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    return [
        {**r, "id": f"{r['id']}-c{i // len(base)}",
         "text": f"Copy {i // len(base)} of {r['id']}.\n{r['text']}"}
        for i, r in ((i, base[i % len(base)]) for i in range(n))
    ]  # fmt: skip


def _busy_ticks() -> int:
    """Busy clock ticks of the whole machine (less idle and iowait)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]


def _cpu_s() -> tuple[float, float]:
    """CPU seconds of this process, and of its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[float, float, float, float, Any]:
    """(wall s, CPU s, CPU s of this process alone, cores other processes kept busy,
    result) of one call."""
    hz = os.sysconf("SC_CLK_TCK")
    busy0, (own0, kids0), t0 = _busy_ticks(), _cpu_s(), time.perf_counter()
    result = fn()
    wall, (own1, kids1) = time.perf_counter() - t0, _cpu_s()
    own, cpu = own1 - own0, own1 - own0 + kids1 - kids0
    other = max(0.0, (_busy_ticks() - busy0) / hz - cpu) / wall
    return wall, cpu, own, other, result


def _peak_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engine", choices=["auto", "inprocess", "pool"], default="auto")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-single", action="store_true", help="skip the 1-process nlp.pipe")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--partial", action="store_true",
        help="also time the ingest with the opt-in partial parse (WIREWATCH_PARTIAL_PARSE=1)",
    )  # fmt: skip
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    import spacy

    from wirewatch.analyse import MODEL
    from wirewatch.engine import ingest, runners
    from wirewatch.engine.runners import make_runner
    from wirewatch.store import Store

    records = replicate(corpus_records(), args.docs)
    texts = [r["text"] for r in records]
    words = sum(len(t.split()) for t in texts)
    nlp = spacy.load(MODEL)  # spaCy's own pipeline, untouched
    runs: dict[str, list[tuple[float, float, float, float]]] = {}
    peaks: list[float | None] = []
    partial_peaks: list[float | None] = []
    relinks: list[float | None] = []
    firsts: list[float | None] = []
    summary: Any = None
    partial_summary: Any = None
    engine_used = args.engine

    def spacy(n_process: int) -> None:
        for _ in nlp.pipe(texts, batch_size=32, n_process=n_process):
            pass

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

        def run_ingest(rep: int, partial: bool = False) -> Any:
            nonlocal engine_used
            # The opt-in partial parse (analyse/partial.py); a new analyser for each setting.
            os.environ["WIREWATCH_PARTIAL_PARSE"] = "1" if partial else "0"
            runners._WORKER = None
            store = Store.open(str(Path(tmp) / f"bench{rep}{'p' if partial else ''}.db"))
            runner = make_runner(args.engine, args.workers, input_bytes=src.stat().st_size)
            engine_used = type(runner).__name__
            try:
                t0 = time.perf_counter()
                stamps: list[float] = []
                # Transactions as the command line sizes them.
                batch = 64 * runner.workers if hasattr(runner, "workers") else 32
                result = ingest(
                    [src], store, runner, batch_size=batch,
                    on_progress=lambda n: stamps.append(time.perf_counter()),
                )  # fmt: skip
                # Wall time from the last batch stored to the end: the relink (each ingest run,
                # in the order run).
                relinks.append(round(time.perf_counter() - stamps[-1], 2) if stamps else None)
                firsts.append(round(stamps[0] - t0, 2) if stamps else None)
                into = partial_peaks if partial else peaks
                into[:] = [_peak_mb(p.pid) for p in multiprocessing.active_children()]
                if hasattr(runner, "worker_peak_mb"):
                    into[:] = [round(m, 1) if m else m for m in runner.worker_peak_mb()]
            finally:
                if hasattr(runner, "close"):
                    runner.close()
                store.engine.dispose()
            return result

        for rep in range(args.repeat):
            if not args.no_single:
                runs.setdefault("spacy_1proc", []).append(timed(lambda: spacy(1))[:4])
            runs.setdefault(f"spacy_{args.workers}proc", []).append(
                timed(lambda: spacy(args.workers))[:4]
            )
            *measured, summary = timed(lambda rep=rep: run_ingest(rep))
            runs.setdefault("ingest", []).append(tuple(measured))  # type: ignore[arg-type]
            if args.partial:
                *measured, partial_summary = timed(lambda rep=rep: run_ingest(rep, True))
                runs.setdefault("ingest_partial", []).append(tuple(measured))  # type: ignore

    result: dict[str, Any] = {
        "docs": len(records), "words": words, "engine": engine_used,
        "workers": args.workers, "cores": os.cpu_count(),
    }  # fmt: skip
    for name, times in runs.items():
        best = min(times)
        result[f"{name}_s"] = round(best[0], 2)
        result[f"{name}_cpu_s"] = round(best[1], 2)
        result[f"{name}_cpu_main_s"] = round(best[2], 2)  # this process; the rest: workers
        result[f"{name}_all_s"] = [round(t[0], 2) for t in times]
        result[f"{name}_other_load"] = [round(t[3], 2) for t in times]
    ingest_s = result["ingest_s"]
    result["ingest_docs_per_s"] = round(len(records) / ingest_s, 1)
    result["ingest_words_per_s"] = round(words / ingest_s)
    mp_key = f"spacy_{args.workers}proc_s"
    result[f"ingest_vs_spacy_{args.workers}proc"] = round(ingest_s / result[mp_key], 2)
    # Per repeat, against the spaCy run just before it: the same machine load.
    result[f"ingest_vs_spacy_{args.workers}proc_each"] = [
        round(a[0] / b[0], 2)
        for a, b in zip(runs["ingest"], runs[f"spacy_{args.workers}proc"], strict=True)
    ]
    if "spacy_1proc_s" in result:
        result["ingest_vs_spacy_1proc"] = round(ingest_s / result["spacy_1proc_s"], 2)
    # On a machine other processes keep busy, wall time follows CPU share: CPU time is the
    # steadier comparison.
    result[f"ingest_vs_spacy_{args.workers}proc_cpu"] = round(
        result["ingest_cpu_s"] / result[f"spacy_{args.workers}proc_cpu_s"], 2
    )
    result["ingest_first_batch_stored_s"] = firsts
    result["ingest_relink_s"] = relinks
    result["worker_peak_mb"] = peaks
    result["parent_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if partial_summary is not None:
        result["ingest_partial_vs_spacy_2proc_cpu"] = round(
            result["ingest_partial_cpu_s"] / result[f"spacy_{args.workers}proc_cpu_s"], 2
        )
        result["ingest_partial_vs_spacy_2proc"] = round(
            result["ingest_partial_s"] / result[mp_key], 2
        )
        result["ingest_partial_worker_peak_mb"] = partial_peaks
        result["ingest_partial_events"] = partial_summary.events
        result["ingest_partial_mentions"] = partial_summary.mentions
    result["events"] = summary.events
    result["mentions"] = summary.mentions
    result["failed"] = summary.failed
    meets = (
        result[f"ingest_vs_spacy_{args.workers}proc"] <= TARGET_RATIO
        and result["ingest_docs_per_s"] >= TARGET_DOCS_PER_S
    )
    result["meets_targets"] = meets
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:32} {v}")
    if args.check and not meets:
        sys.exit(1)


if __name__ == "__main__":
    main()
