"""Quality and speed benchmark of the temporal normaliser (wirewatch.analyse.timex).

Scores TempEval-3 style on the development sets in ../shared/eval/ (never copied into
the repo): TimeBank + AQUAINT (TimeML) and MEANTIME English (NewsReader XML).
A predicted span matches a gold span on any character overlap (relaxed, one-to-one);
a matched pair counts for the value only if the values are identical.

    python bench/timex_bench.py            # table per corpus
    python bench/timex_bench.py --json     # results as JSON on stdout
    python bench/timex_bench.py --errors 40 --corpus meantime   # show mismatches
    python bench/timex_bench.py --no-speed # skip the analyse-stage speed measurement

Speed: the normaliser's CPU time (best of three passes) on documents the analyse stage has
parsed, against the CPU time of the whole analyse stage (wirewatch.analyse.Analyser: parse,
entities, dates, event coding) on the same documents.  CPU time, not wall time, so a
loaded machine does not skew the ratio.  ``--check`` fails when the normaliser adds more
than SPEED_LIMIT.

Skips (exit 0) when the shared folder is absent.  Override its place with WIREWATCH_SHARED.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# Floors (value F1, percent) pinned about 1-1.3 points under the scores measured when the
# rules were last tuned, 2026-12-01 (third round): TimeBank+AQUAINT 83.3 (span 94.4),
# MEANTIME 85.1 (span 94.2); before it 81.8 / 84.7, and (2026-11-23) 81.0 / 81.5.  MEANTIME
# is small (one expression is 0.27 points), hence its floor a point under.  `--check`
# fails below them.  The project's target is 85 on each corpus; see docs/timex.md for what
# still separates TimeBank from it.
FLOORS = {"timebank": 82.0, "meantime": 84.0}
# The normaliser may add at most this share (percent) to the analyse stage's CPU time.
SPEED_LIMIT = 10.0


@dataclass
class Gold:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class GoldDoc:
    name: str
    text: str
    dct: date
    gold: list[Gold]
    ignore: list[tuple[int, int]] = field(default_factory=list)  # spans not scored (the DCT line)


def shared_dir() -> Path:
    env = os.environ.get("WIREWATCH_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def _import_timex() -> Any:
    """Import the normaliser; fall back to its file so the bench runs on a half-built tree."""
    try:
        from wirewatch.analyse import timex

        return timex
    except ImportError:
        path = Path(__file__).resolve().parents[1] / "src" / "wirewatch" / "analyse" / "timex.py"
        sys.path.insert(0, str(path.parents[2]))
        spec = importlib.util.spec_from_file_location("_wirewatch_timex", path)
        assert spec and spec.loader
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
        return mod


# --------------------------------------------------------------------------- loaders

_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*?)(/?)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def load_timeml(path: Path) -> GoldDoc:
    """Raw text of <TEXT> with TIMEX3 offsets; the DCT from the CREATION_TIME timex."""
    raw = path.read_text(encoding="utf-8")
    m = re.search(r"<TIMEX3[^>]*functionInDocument=\"CREATION_TIME\"[^>]*>", raw)
    if not m:
        raise ValueError(f"{path}: no DCT")
    dct = date.fromisoformat(dict(_ATTR.findall(m.group()))["value"][:10])
    body = raw[raw.index("<TEXT>") + len("<TEXT>") : raw.index("</TEXT>")]
    out: list[str] = []
    pos = 0
    n = 0
    gold: list[Gold] = []
    stack: list[tuple[int, dict[str, str]]] = []
    for t in _TAG.finditer(body):
        seg = html.unescape(body[pos : t.start()])
        out.append(seg)
        n += len(seg)
        pos = t.end()
        closing, name = t.group(1), t.group(2)
        if name != "TIMEX3":
            continue
        if closing:
            start, attrs = stack.pop()
            txt = "".join(out)[start:n]
            gold.append(Gold(start, n, txt, attrs.get("type", ""), attrs.get("value", "")))
        else:
            stack.append((n, dict(_ATTR.findall(t.group(3)))))
    out.append(html.unescape(body[pos:]))
    return GoldDoc(path.stem, "".join(out), dct, gold)


_NO_SPACE_BEFORE = {
    ",",
    ".",
    ";",
    ":",
    "!",
    "?",
    ")",
    "]",
    "}",
    "'s",
    "n't",
    "'",
    "%",
    "'re",
    "'ve",
    "'ll",
    "'d",
    "'m",
    "’s",
}
_NO_SPACE_AFTER = {"(", "[", "{", "$", "#"}


def load_meantime(path: Path) -> GoldDoc:
    """Detokenised text (sentences on lines) with TIMEX3 token anchors mapped to offsets."""
    root = ET.parse(path).getroot()
    tokens = root.findall("token")
    parts: list[str] = []
    offs: dict[str, tuple[int, int]] = {}
    n = 0
    prev_sent = None
    prev_tok = None
    for tok in tokens:
        w = tok.text or ""
        sent = tok.get("sentence")
        if prev_tok is None:
            sep = ""
        elif sent != prev_sent:
            sep = "\n"
        elif w in _NO_SPACE_BEFORE or prev_tok in _NO_SPACE_AFTER:
            sep = ""
        else:
            sep = " "
        parts.append(sep)
        n += len(sep)
        offs[tok.get("t_id", "")] = (n, n + len(w))
        parts.append(w)
        n += len(w)
        prev_sent, prev_tok = sent, w
    text = "".join(parts)
    # MEANTIME marks TIMEX3 only in the title and the first sentences (0-5) of each
    # article; the rest carries cross-document annotation only, so it is not scored.
    last_scored = [offs[t.get("t_id", "")][1] for t in tokens if int(t.get("sentence", 0)) <= 5]
    cut = max(last_scored) if last_scored else len(text)
    gold: list[Gold] = []
    dct: date | None = None
    ignore: list[tuple[int, int]] = []
    timexes = list(root.iter("TIMEX3"))
    if not any(tx.get("functionInDocument") == "CREATION_TIME" for tx in timexes):
        # a few documents lack the flag: the DCT is then the timex the others are anchored to
        anchors_used = [tx.get("anchorTimeID") for tx in timexes if tx.get("anchorTimeID")]
        if anchors_used:
            dct_id = max(set(anchors_used), key=anchors_used.count)
            for tx in timexes:
                if tx.get("m_id") == dct_id:
                    tx.set("functionInDocument", "CREATION_TIME")
    for tx in timexes:
        anchors = [a.get("t_id", "") for a in tx.findall("token_anchor")]
        spans = [offs[a] for a in anchors if a in offs]
        value = tx.get("value", "")
        if tx.get("functionInDocument") == "CREATION_TIME":
            dct = _parse_dct(value)
            if spans:
                ignore.append((min(s for s, _ in spans), max(e for _, e in spans)))
            continue
        if not spans:
            continue
        s, e = min(s for s, _ in spans), max(e for _, e in spans)
        gold.append(Gold(s, e, text[s:e], tx.get("type", ""), value))
    if dct is None:
        raise ValueError(f"{path}: no DCT")
    ignore.append((cut + 1, len(text) + 1))
    return GoldDoc(path.stem, text, dct, gold, ignore)


def _parse_dct(value: str) -> date:
    """ISO date, or the day-first form a few MEANTIME files use ("03-02-2009")."""
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)", value)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"(\d\d)-(\d\d)-(\d{4})", value)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(f"unreadable DCT {value!r}")


def load_corpora(shared: Path) -> dict[str, list[GoldDoc]]:
    tb = sorted((shared / "eval" / "timebank").glob("*/*.tml"))
    mt = sorted((shared / "eval" / "meantime").glob("intra_cross-doc_annotation/*/*.xml"))
    return {
        "timebank": [load_timeml(p) for p in tb],
        "meantime": [load_meantime(p) for p in mt],
    }


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    gold: int = 0
    pred: int = 0
    span_ok: int = 0
    value_ok: int = 0

    def prf(self, ok: int) -> tuple[float, float, float]:
        p = ok / self.pred if self.pred else 0.0
        r = ok / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return 100 * p, 100 * r, 100 * f


def score_doc(doc: GoldDoc, preds: list[Any], sc: Score, errors: list[str]) -> None:
    def ignored(s: int, e: int) -> bool:
        return any(s < ie and is_ < e for is_, ie in doc.ignore)

    preds = [p for p in preds if not ignored(p.start, p.end)]
    gold = [g for g in doc.gold if not ignored(g.start, g.end)]
    sc.gold += len(gold)
    sc.pred += len(preds)
    used: set[int] = set()
    for g in gold:
        best = None
        for i, p in enumerate(preds):
            if i in used or not (p.start < g.end and g.start < p.end):
                continue
            if best is None or (p.value == g.value and preds[best].value != g.value):
                best = i
        if best is None:
            errors.append(
                f"MISS {doc.name} dct={doc.dct} {g.text!r} {g.type} {g.value}"
                f"   | {_ctx(doc.text, g.start, g.end)}"
            )
            continue
        used.add(best)
        sc.span_ok += 1
        p = preds[best]
        if p.value == g.value:
            sc.value_ok += 1
        else:
            errors.append(
                f"VAL  {doc.name} dct={doc.dct} {g.text!r} gold={g.value} "
                f"pred={p.value} ({p.text!r})   | {_ctx(doc.text, g.start, g.end)}"
            )
    for i, p in enumerate(preds):
        if i not in used:
            errors.append(
                f"FP   {doc.name} dct={doc.dct} {p.text!r} {p.type} {p.value}"
                f"   | {_ctx(doc.text, p.start, p.end)}"
            )


def _ctx(text: str, s: int, e: int) -> str:
    return (text[max(0, s - 60) : s] + "[[" + text[s:e] + "]]" + text[e : e + 40]).replace(
        "\n", " "
    )


# --------------------------------------------------------------------------- main


def run(corpora: dict[str, list[GoldDoc]], errors_n: int, pattern: str | None) -> dict[str, Any]:
    import spacy

    timex = _import_timex()
    nlp = spacy.load(timex.DEFAULT_MODEL)
    results: dict[str, Any] = {}
    for name, docs in corpora.items():
        t0 = time.perf_counter()
        parsed = list(nlp.pipe((d.text for d in docs), batch_size=32))
        parse_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        preds = [timex.find_timexes(p, d.dct) for p, d in zip(parsed, docs, strict=True)]
        norm_s = time.perf_counter() - t0
        sc = Score()
        errors: list[str] = []
        for d, ps in zip(docs, preds, strict=True):
            score_doc(d, ps, sc, errors)
        words = sum(len(d.text.split()) for d in docs)
        sp, sr, sf = sc.prf(sc.span_ok)
        vp, vr, vf = sc.prf(sc.value_ok)
        results[name] = {
            "docs": len(docs),
            "words": words,
            "gold": sc.gold,
            "predicted": sc.pred,
            "span": {"p": round(sp, 1), "r": round(sr, 1), "f1": round(sf, 1)},
            "value": {"p": round(vp, 1), "r": round(vr, 1), "f1": round(vf, 1)},
            "parse_seconds": round(parse_s, 3),
            "normalise_seconds": round(norm_s, 3),
            "normalise_words_per_second": round(words / norm_s) if norm_s else None,
            "parse_words_per_second": round(words / parse_s) if parse_s else None,
        }
        if errors_n:
            shown = [e for e in errors if not pattern or re.search(pattern, e)]
            for e in shown[:errors_n]:
                print(e, file=sys.stderr)
    return results


def speed(corpora: dict[str, list[GoldDoc]]) -> dict[str, Any]:
    """CPU seconds of the analyse stage and of the normaliser within it, on all documents."""
    from wirewatch.analyse import Analyser
    from wirewatch.analyse.timex import find_timexes
    from wirewatch.model import Article

    docs = [d for ds in corpora.values() for d in ds]
    arts = [
        Article(d.name, d.text, published=datetime(d.dct.year, d.dct.month, d.dct.day, tzinfo=UTC))
        for d in docs
    ]
    an = Analyser()
    list(an.run(arts[:8]))  # warm up: lazy loads, caches
    t0 = time.process_time()
    analyses = list(an.run(arts))
    stage = time.process_time() - t0
    parsed = list(an.nlp.pipe((a.text for a in arts), batch_size=32))
    # the best of three passes: one pass is ~1 s of CPU, and on a loaded 2-core machine a
    # single pass varied by a third between runs (the 16 s stage varies far less)
    passes = []
    for _ in range(3):
        t0 = time.process_time()
        for p, d in zip(parsed, docs, strict=True):
            find_timexes(p, d.dct)
        passes.append(time.process_time() - t0)
    norm = min(passes)
    words = sum(len(d.text.split()) for d in docs)
    return {
        "docs": len(docs),
        "words": words,
        "failed": sum(1 for a in analyses if a.error),
        "analyse_cpu_seconds": round(stage, 3),
        "timex_cpu_seconds": round(norm, 3),
        # what the normaliser adds to the rest of the stage
        "timex_added_percent": round(100 * norm / (stage - norm), 1) if stage > norm else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print results as JSON")
    ap.add_argument("--corpus", choices=["timebank", "meantime"], help="only this corpus")
    ap.add_argument("--errors", type=int, default=0, help="print up to N mismatches to stderr")
    ap.add_argument("--grep", help="only show mismatches matching this regex")
    ap.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when a value F1 is below its floor or the normaliser is too slow",
    )
    ap.add_argument("--no-speed", action="store_true", help="skip the analyse-stage timing")
    args = ap.parse_args(argv)
    shared = shared_dir()
    if not (shared / "eval").is_dir():
        print(f"timex bench skipped: {shared / 'eval'} not found (set WIREWATCH_SHARED)")
        return 0
    corpora = load_corpora(shared)
    if args.corpus:
        corpora = {args.corpus: corpora[args.corpus]}
    results = run(corpora, args.errors, args.grep)
    sp = None if args.no_speed else speed(corpora)
    if args.json:
        print(json.dumps({**results, **({"speed": sp} if sp else {})}, indent=2))
    else:
        print(
            f"{'corpus':<10} {'docs':>5} {'gold':>5} {'pred':>5}  {'span P/R/F1':>18}  "
            f"{'value P/R/F1':>18}  {'parse w/s':>9} {'timex w/s':>9}"
        )
        for name, r in results.items():
            s, v = r["span"], r["value"]
            print(
                f"{name:<10} {r['docs']:>5} {r['gold']:>5} {r['predicted']:>5}  "
                f"{s['p']:>5.1f}/{s['r']:>5.1f}/{s['f1']:>5.1f}  "
                f"{v['p']:>5.1f}/{v['r']:>5.1f}/{v['f1']:>5.1f}  "
                f"{r['parse_words_per_second']:>9} {r['normalise_words_per_second']:>9}"
            )
        if sp:
            print(
                f"speed: analyse stage {sp['analyse_cpu_seconds']} s CPU for {sp['words']} words"
                f" ({sp['docs']} docs), normaliser {sp['timex_cpu_seconds']} s:"
                f" adds {sp['timex_added_percent']}% (limit {SPEED_LIMIT}%)"
            )
    if args.check:
        low = [n for n, r in results.items() if r["value"]["f1"] < FLOORS.get(n, 0)]
        if low:
            print(f"below floor: {low}", file=sys.stderr)
            return 1
        added = sp["timex_added_percent"] if sp else None
        if added is not None and added > SPEED_LIMIT:
            print(f"normaliser adds {added}% to the analyse stage", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
