"""The fast engine paths give what the plain ones give: the attribute component the model's
attribute ruler's annotations, the process pool the in-process analyses (in input order, with
reading and storing running ahead of it), ``--engine auto`` a pool only where one pays off.

``analyser`` is the session fixture of ``tests/conftest.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wirewatch.analyse import load_nlp
from wirewatch.engine import ingest
from wirewatch.engine.runners import AUTO_POOL_MIN_BYTES, ProcessPool, make_runner
from wirewatch.model import Article
from wirewatch.store import Store
from wirewatch.store.records import actor_records, article_records, event_records

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample" / "articles.jsonl"

# Texts that reach the attribute ruler's rarer rules: contractions and two-token lemmas, an
# expletive "there is", auxiliaries, determiners as pronouns, whitespace tokens, "gets"/"got".
_ODD = [
    "I ain't gonna say it, y'all. Let's go, c'mon! Nothin' gets done and he got lucky.",
    "There is a dog.  There were two.\n\n\tThat is what those were: this and that.",
    "It has been said that you should have gone; gotta go, wanna come?  ",
    "",
    " \n ",
    "Seoul and London held their 9th Strategic Dialogue on Monday, Oct. 21 (local time).",
]


def _annotations(doc) -> list[tuple]:
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_iob_,
         t.ent_type_, t.is_sent_start)
        for t in doc
    ]  # fmt: skip


def _sample_texts() -> list[str]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def test_fast_attributes_annotate_as_the_attribute_ruler():
    fast, plain = load_nlp(), load_nlp(fast_attributes=False)
    assert "wirewatch_attributes" in fast.pipe_names and "attribute_ruler" in fast.disabled
    assert "wirewatch_lemmatizer" in fast.pipe_names and "lemmatizer" in fast.disabled
    assert "attribute_ruler" in plain.pipe_names and "lemmatizer" in plain.pipe_names
    texts = _ODD + _sample_texts()
    for a, b in zip(fast.pipe(texts), plain.pipe(texts), strict=True):
        assert _annotations(a) == _annotations(b), a.text[:80]
    # The rare rules did fire: 'gonna' -> 'go' 'to', an expletive's verb, a space token.
    doc = fast(_ODD[0] + " " + _ODD[1])
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["gon"] == "go" and lemmas["na"] == "to"
    assert any(t.pos_ == "SPACE" for t in doc)
    # Lemmas by POS and morphology, not by form alone: "meeting" the noun and the verb.
    doc = fast("The meetings were meeting again; she met them and they meet weekly.")
    meets = [t.lemma_ for t in doc if t.lower_.startswith("meet") or t.lower_ == "met"]
    assert meets == ["meeting", "meet", "meet", "meet"]


def _articles(n: int) -> list[Article]:
    texts = _sample_texts()
    return [Article(id=f"a{k}", text=f"Copy {k}.\n{texts[k % len(texts)]}") for k in range(n)]


def test_pool_gives_the_in_process_analyses_in_order(analyser):
    articles = _articles(11)
    serial = list(analyser.run(articles))
    with ProcessPool(2, chunk_size=2, prefetch=1) as pool:
        pooled = list(pool.run(iter(articles)))
        peaks = pool.worker_peak_mb()
    assert [r.article.id for r in pooled] == [a.id for a in articles]
    assert all(p.article is a for p, a in zip(pooled, articles, strict=True))
    assert [r.mentions for r in pooled] == [r.mentions for r in serial]
    assert [r.entities for r in pooled] == [r.entities for r in serial]
    assert sum(len(r.mentions) for r in pooled) > 0
    assert len(peaks) == 2 and all(p is not None and 50 < p < 1536 for p in peaks)


def test_pool_reads_the_input_only_as_results_come_back(analyser):
    """The input is pulled chunk by chunk (at most workers x prefetch chunks ahead)."""
    pulled = []

    def source():
        for a in _articles(20):
            pulled.append(a.id)
            yield a

    with ProcessPool(2, chunk_size=2, prefetch=1) as pool:
        results = pool.run(source())
        first = next(results)
        assert first.article.id == "a0"
        assert len(pulled) <= 2 * 2 + 2  # two chunks in flight, one more submitted
        rest = list(results)
    assert len(rest) == 19 and len(pulled) == 20


def _write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_streamed_ingest_with_a_pool_gives_the_in_process_ledger(tmp_path, analyser):
    """Small transactions while the pool runs ahead: duplicates across batches, a changed
    record under a repeated id, re-ingest, all as in a plain in-process run."""
    texts = _sample_texts()
    records = [{"id": f"r{k}", "text": texts[k % len(texts)], "published":
                "2024-06-18T09:00:00+00:00"} for k in range(9)]  # fmt: skip
    records.append({"id": "r1", "text": "A different text under a repeated id."})
    src = tmp_path / "in.jsonl"
    _write(src, records)
    serial = Store.open(str(tmp_path / "serial.db"))
    expected = ingest([src], serial, analyser)
    pooled = Store.open(str(tmp_path / "pooled.db"))
    progress: list[int] = []
    with ProcessPool(2, chunk_size=1, prefetch=2) as pool:
        got = ingest([src], pooled, pool, batch_size=2, on_progress=progress.append)
        again = ingest([src], pooled, pool, batch_size=2)
    assert got.as_dict() == expected.as_dict()
    assert got.duplicate == 9 - len(texts) and got.failed == 1  # texts repeat; r1 changed
    assert sum(progress) == len(records)
    assert again.unchanged == 9 and again.new == 0
    assert list(event_records(pooled)) == list(event_records(serial))
    assert list(actor_records(pooled)) == list(actor_records(serial))
    assert list(article_records(pooled)) == list(article_records(serial))


@pytest.mark.parametrize(
    ("engine", "workers", "size", "kind"),
    [
        ("auto", 2, AUTO_POOL_MIN_BYTES, "ProcessPool"),
        ("auto", 2, None, "ProcessPool"),  # unknown size (feeds, URLs)
        ("auto", 2, AUTO_POOL_MIN_BYTES - 1, "Analyser"),
        ("auto", 1, 10 * AUTO_POOL_MIN_BYTES, "Analyser"),
        ("inprocess", 2, None, "Analyser"),
        ("pool", 1, 0, "ProcessPool"),
    ],
)
def test_auto_engine_picks_a_pool_only_where_it_pays(engine, workers, size, kind):
    runner = make_runner(engine, workers, size)
    try:
        assert type(runner).__name__ == kind
        if kind == "ProcessPool":
            assert runner.workers == workers
    finally:
        if hasattr(runner, "close"):
            runner.close()
    with pytest.raises(ValueError):
        make_runner("gpu")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return "zombie" not in f.read()
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_an_error_mid_run_stops_the_workers():
    with pytest.raises(RuntimeError, match="stop"), ProcessPool(2, chunk_size=1) as pool:
        pids = pool.worker_pids()
        results = pool.run(iter(_articles(12)))
        next(results)
        raise RuntimeError("stop")
    assert len(pids) == 2 and not any(_alive(pid) for pid in pids)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "wirewatch", *args], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.slow
def test_cli_auto_engine_pools_a_large_input_with_the_in_process_ledger(tmp_path):
    """Over 64 KB of input and two workers allowed: the default engine is the pool, and the
    exported ledger is the in-process engine's."""
    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    big = [{**r, "id": f"{r['id']}-{k}", "text": f"Copy {k}.\n{r['text']}"}
           for k in range(8) for r in records]  # fmt: skip
    src = tmp_path / "big.jsonl"
    _write(src, big)
    assert src.stat().st_size >= AUTO_POOL_MIN_BYTES
    exports = {}
    for engine in ("auto", "inprocess"):
        db = str(tmp_path / f"{engine}.db")
        args = ["--db", db] + (["--engine", engine] if engine != "auto" else [])
        proc = _cli(*args, "--workers", "2", "ingest", str(src))
        assert ("analysing in 2 worker processes" in proc.stderr) == (engine == "auto")
        exports[engine] = [
            _cli("--db", db, "export", kind, "--format", "jsonl").stdout
            for kind in ("events", "actors", "articles")
        ]
    assert exports["auto"] == exports["inprocess"]
    assert exports["auto"][0].count("\n") > 10


def test_ingest_restores_the_collector_thresholds(tmp_path, analyser):
    """The ingest relaxes the cycle collector while it runs and gives the caller's settings
    back after, also when it fails."""
    import gc

    before = gc.get_threshold()
    src = tmp_path / "one.jsonl"
    _write(src, [{"id": "g1", "text": "Ministers of Chile and Peru met in Lima on Friday."}])
    store = Store.open(str(tmp_path / "gc.db"))
    ingest([src], store, analyser)
    assert gc.get_threshold() == before
    with pytest.raises(TypeError):
        ingest([src], store, analyser, no_such_option=True)
    assert gc.get_threshold() == before


def test_numpy_blas_annotates_as_blis_with_one_thread_per_worker():
    """The model multiplies with numpy's BLAS, one thread per process: the annotations are
    those of thinc's blis, and a pool worker does not start BLAS threads of its own."""
    from threadpoolctl import threadpool_info

    ours, with_blis = load_nlp(), load_nlp(blis=True)
    assert ours.get_pipe("tok2vec").model.ops.use_blis is False
    assert with_blis.get_pipe("tok2vec").model.ops.use_blis is True
    texts = _ODD + _sample_texts()
    for a, b in zip(ours.pipe(texts), with_blis.pipe(texts), strict=True):
        assert _annotations(a) == _annotations(b), a.text[:80]
    assert {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"} == {1}
    with ProcessPool(workers=2) as pool:
        threads = pool._pool.map(_blas_threads, range(4))
    assert threads == [[1]] * 4


def _blas_threads(_: int) -> list[int]:
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
