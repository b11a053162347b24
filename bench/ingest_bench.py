"""Throughput of a full ingest (read, analyse, store, link) against spaCy's own pipeline
over the same texts, measured in the same run.

    .venv/bin/python bench/ingest_bench.py [--copies 20] [--json]

The corpus is the bundled sample plus the seed articles (../shared/corpus, when present),
each copy given a new id and a distinguishing first line so none is skipped as a duplicate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WIREWATCH_SHARED", REPO.parent / "shared"))


def corpus_records() -> list[dict]:
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
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--engine", choices=["inprocess", "pool"], default="inprocess")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from wirewatch.analyse import Analyser, load_nlp
    from wirewatch.engine import ingest
    from wirewatch.store import Store

    base = corpus_records()
    records = [
        {**r, "id": f"{r['id']}-c{n}", "text": f"Copy {n} of {r['id']}.\n{r['text']}"}
        for n in range(args.copies)
        for r in base
    ]
    words = sum(len(r["text"].split()) for r in records)
    analyser = Analyser()
    nlp = load_nlp()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        t0 = time.perf_counter()
        for _ in nlp.pipe((r["text"] for r in records), batch_size=32):
            pass
        spacy_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in nlp.pipe((r["text"] for r in records), batch_size=32, n_process=args.workers):
            pass
        spacy_mp_s = time.perf_counter() - t0
        store = Store.open(str(Path(tmp) / "bench.db"))
        t0 = time.perf_counter()
        if args.engine == "pool":
            from wirewatch.engine.runners import ProcessPool

            with ProcessPool(args.workers) as pool:
                summary = ingest([src], store, pool, batch_size=64 * args.workers)
        else:
            summary = ingest([src], store, analyser)
        ingest_s = time.perf_counter() - t0
    result = {
        "docs": len(records),
        "words": words,
        "engine": args.engine,
        "spacy_pipe_s": round(spacy_s, 2),
        f"spacy_pipe_{args.workers}proc_s": round(spacy_mp_s, 2),
        "ingest_s": round(ingest_s, 2),
        "ingest_docs_per_s": round(len(records) / ingest_s, 1),
        "ingest_words_per_s": round(words / ingest_s),
        "ingest_vs_spacy": round(ingest_s / spacy_s, 2),
        f"ingest_vs_spacy_{args.workers}proc": round(ingest_s / spacy_mp_s, 2),
        "events": summary.events,
        "mentions": summary.mentions,
    }
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:20} {v}")


if __name__ == "__main__":
    main()
