"""Cross-document actor resolution scored against MEANTIME's entity instances (B-cubed).

Reads ../shared/eval/meantime/intra_cross-doc_annotation/corpus_*/*.xml (never copied into
the repo): 120 English Wikinews articles in four topics, whose ENTITY_MENTIONs are linked
by REFERS_TO relations to cross-document ENTITY instances (same real-world entity across
articles, with an ``ent_type``: PER, ORG, LOC, PRO, FIN, MIX).

    python bench/actors_bench.py              # table: overall, per entity type, per topic
    python bench/actors_bench.py --json       # results as one JSON object on stdout
    python bench/actors_bench.py --errors 15  # examples of false merges and of misses
    python bench/actors_bench.py --check      # exit 1 when a figure is under FLOORS

Skips (exit 0) when the shared folder is absent.  Override its place with WIREWATCH_SHARED.
These are development scores: look at the errors for phenomena, never tune to one name.

What runs.  Each document's text is rebuilt from its tokens (one sentence a line, tokens
joined by a space except before closing punctuation and clitics and after opening ones;
`` '' become straight quotes), with a char offset per token.  Each becomes a
``wirewatch.model.Article`` dated by its CREATION_TIME TIMEX3 (UTC midnight; two documents
lack the flag, and then the timex the others are anchored to is the DCT), all go through
``Analyser().run`` and every ``Analysis.entities`` name through ``link.actors.resolve_actors``
in one call, so ids are shared across the whole corpus as in a real ingest.

Gold.  Mentions REFERS_TO-linked to an ENTITY instance (one with an ``instance_id``; 65
in-document entities have none and are left out) of type PER, ORG or LOC (PRO, FIN and MIX
are products, money/indices and mixed groups: not actors).  Two scopes:
  * ``names`` (the headline, and what FLOORS pin): name-like mentions.  In the fully
    annotated part (title and sentences 0-5) MEANTIME gives a syntactic_type: NAM and
    PRE.NAM ("US" in "US automaker") count.  Later sentences carry cross-document links
    only and no syntactic_type, as do a few early ones; such a mention counts when its
    words look like a name: every word capitalised or a joiner (of, the, &, de, ...), at
    least one capitalised word that is not a pronoun or determiner, no "and" or comma
    (coordinations like "GM and Chrysler" are groups, not one actor), and no title word
    last or before "of" ("Apple CEO", "Chief Executive Officer of General Motors").
  * ``all``: every PER/ORG/LOC mention, nominals ("the carmaker") and pronouns included;
    wirewatch does not resolve those, so this mostly shows how much it leaves unnamed.

Alignment rule. A gold mention's target is its head when the ``head`` attribute is set and
found among its words (MEANTIME leaves it empty), else the words before the first comma,
"in" or relative clause after its first word (English names keep their head before an
apposition or a place: "Long Beach, California", "Joe Leonard, Chairman and Chief
Operating Officer of AirTran Airways", "Moscone Center in San Francisco"), else its whole
span. A wirewatch entity of the same document is a candidate when its char span overlaps
the target. The mention takes the candidate that ends where the target ends, if any
(English noun phrases are head-final: "Boeing Commercial Airplanes CEO Scott Carson" ->
"Scott Carson"), else the one with the highest Dice coefficient of the two char spans
(ties: the later one). Gold mentions nest ("Apple CEO Steve Jobs" holds "Steve Jobs"), so
several may take the same entity. An unaligned gold mention is a singleton of its own in
the system output (a miss).

Scores.  B-cubed over the gold mentions of a scope: a mention's system cluster is the gold
mentions assigned the same wirewatch actor id, its gold cluster those of the same MEANTIME
instance; P and R are averaged over mentions.  Clusters are always corpus-wide; the
per-type and per-topic rows average the same per-mention values over a subset, so a false
merge across types or topics still counts.  ``aligned P`` is precision averaged over
aligned mentions only (misses, being singletons, raise plain P).  Coverage is the share of
gold mentions aligned to any wirewatch entity.  Issue target: P >= 0.95 (a false merge
corrupts the ledger, a miss only splits an actor), R >= 0.85.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WIREWATCH_SHARED", REPO.parent / "shared"))
MEANTIME = SHARED / "eval" / "meantime" / "intra_cross-doc_annotation"

# Floors (``names`` scope, overall, percent) pinned about 1.5-2 points under the scores
# measured on 2026-12-01 (gazetteer round: places resolved to one identity, and the head of
# a mention without one taken before a comma, "in" or relative clause): B3 P 97.0, R 87.5,
# F1 92.0, coverage 96.6 (LOC R 80.4).  Before it, under the same alignment rule: P 97.5,
# R 83.5, F1 90.0, coverage 88.8 (LOC R 66.2; under the old head-final rule P 97.0, R 83.7,
# F1 89.8).  The target is P >= 95, R >= 85; `--check` exits 1 under any floor.
FLOORS: dict[str, float] = {"p": 95.5, "r": 85.5, "f1": 90.0, "coverage": 94.5}

ACTOR_TYPES = ("PER", "ORG", "LOC")
NAME_TYPES = {"NAM", "PRE.NAM"}
_JOINERS = {"of", "the", "de", "du", "la", "le", "von", "van", "der", "al", "el", "for", "&"}
_NOT_NAMES = {
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "his", "her", "its",
    "their", "our", "my", "your", "this", "that", "these", "those", "which", "who", "some",
}  # fmt: skip
# A title word last or before "of" makes a description, not a name ("Apple CEO", "CEO of
# GM", "President of the United States"); "Apple CEO Steve Jobs" stays a name.
_TITLE_HEADS = {
    "ceo", "president", "chairman", "chairwoman", "chief", "director", "minister",
    "secretary", "spokesman", "spokeswoman", "founder", "co-founder", "executive", "officer",
}  # fmt: skip
_NO_SPACE_BEFORE = {
    ",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "’s", "n't", "'re", "'ve",
    "'ll", "'d", "'m", "'", "’", "...",
}  # fmt: skip
_NO_SPACE_AFTER = {"(", "[", "{", "$", "US$", "CA$", "£", "€", "#"}
_QUOTES = {"``": '"', "''": '"', '"': '"', "“": "“", "”": "”"}


# --------------------------------------------------------------------------- gold


@dataclass
class GoldMention:
    doc: str
    topic: str
    m_id: str
    instance: str
    ent_type: str
    syntactic: str | None
    start: int
    end: int
    target: tuple[int, int]  # the head's char span, else the whole span
    text: str
    is_name: bool
    system: str | None = None  # wirewatch actor id, when aligned
    system_surface: str | None = None


@dataclass
class GoldDoc:
    name: str
    topic: str
    text: str
    published: datetime | None
    mentions: list[GoldMention] = field(default_factory=list)


def _rebuild(tokens: Sequence[ET.Element]) -> tuple[str, dict[str, tuple[int, int]]]:
    """Raw text with one sentence a line, and each token id's (start, end) char offsets."""
    parts: list[str] = []
    offsets: dict[str, tuple[int, int]] = {}
    n = 0
    prev_sent: str | None = None
    prev: str | None = None
    open_quote = after_open = False
    for tok in tokens:
        raw = tok.text or ""
        word = _QUOTES.get(raw, raw)
        quote = raw in _QUOTES
        opening = quote and (raw in ("``", "“") or (raw == '"' and not open_quote))
        sent = tok.get("sentence")
        if prev is None:
            sep = ""
        elif sent != prev_sent:
            sep = "\n"
            open_quote = False
        elif (
            (quote and not opening)
            or raw in _NO_SPACE_BEFORE
            or prev in _NO_SPACE_AFTER
            or after_open
        ):
            sep = ""
        else:
            sep = " "
        if quote:
            open_quote = opening
        parts.append(sep)
        n += len(sep)
        offsets[tok.get("t_id", "")] = (n, n + len(word))
        parts.append(word)
        n += len(word)
        prev_sent, prev, after_open = sent, raw, opening
    return "".join(parts), offsets


def _dct(root: ET.Element) -> datetime | None:
    timexes = list(root.iter("TIMEX3"))
    dct = [t for t in timexes if t.get("functionInDocument") == "CREATION_TIME"]
    if not dct:  # the timex the others are anchored to
        anchors = Counter(t.get("anchorTimeID") for t in timexes if t.get("anchorTimeID"))
        if anchors:
            top = anchors.most_common(1)[0][0]
            dct = [t for t in timexes if t.get("m_id") == top]
    if not dct:
        return None
    value = dct[0].get("value", "")
    if m := re.match(r"(\d{4})-(\d\d)-(\d\d)", value):
        return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=UTC)
    if m := re.match(r"(\d\d)-(\d\d)-(\d{4})", value):  # day-first in a few files
        return datetime(int(m[3]), int(m[2]), int(m[1]), tzinfo=UTC)
    return None


def _looks_like_name(words: list[str]) -> bool:
    if not words or any(w.lower() == "and" or w == "," for w in words):
        return False
    low = [w.lower() for w in words]
    if any(w in _TITLE_HEADS and (i == len(low) - 1 or low[i + 1] == "of")
           for i, w in enumerate(low)):  # fmt: skip
        return False
    capitalised = 0
    for w in words:
        if w[:1].isupper() or w[:1].isdigit():
            if w.lower() not in _NOT_NAMES:
                capitalised += 1
        elif w.lower() not in _JOINERS and not re.fullmatch(r"[.&'’-]+|'s|’s", w):
            return False
    return capitalised > 0


def _head_span(
    head: str | None, words: list[str], spans: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The char span of the ``head`` attribute's words inside the mention, if found."""
    if not head or not head.strip():
        return None
    hw = head.lower().split()
    low = [w.lower() for w in words]
    for i in range(len(low) - len(hw), -1, -1):  # last occurrence: heads come late
        if low[i : i + len(hw)] == hw:
            return spans[i][0], spans[i + len(hw) - 1][1]
    return None


_POSTMODIFIER = re.compile(r",|\s(?:in|which|who)\s")


def _before_modifier(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A name followed by an apposition or a place keeps its head in front: "Long Beach,
    California", "Joe Leonard, Chairman of AirTran Airways", "Moscone Center in San
    Francisco". Without a ``head`` attribute the target ends before the first comma, "in",
    or relative pronoun after the mention's first word."""
    first = re.match(r"[^\s,]+", text[start:end])
    m = _POSTMODIFIER.search(text, start + (first.end() if first else 0), end)
    return (start, m.start()) if m else None


def load_doc(path: Path) -> GoldDoc:
    root = ET.parse(path).getroot()
    name = root.get("doc_name") or path.stem
    topic = path.parent.name.removeprefix("corpus_")
    tokens = root.findall("token")
    text, offsets = _rebuild(tokens)
    words_by_id = {t.get("t_id", ""): (t.text or "") for t in tokens}
    entities = {e.get("m_id"): e for e in root.iter("ENTITY")}
    mentions = {m.get("m_id"): m for m in root.iter("ENTITY_MENTION")}
    doc = GoldDoc(name, topic, text, _dct(root))
    seen: set[str] = set()
    for rel in root.iter("REFERS_TO"):
        targets = [
            entities[t.get("m_id")] for t in rel.findall("target") if t.get("m_id") in entities
        ]
        if not targets:
            continue  # an event instance
        inst = targets[0]
        if not inst.get("instance_id"):
            continue  # an in-document entity with no cross-document instance
        ent_type = inst.get("ent_type", "")
        for src in rel.findall("source"):
            m_id = src.get("m_id", "")
            m = mentions.get(m_id)
            if m is None or m_id in seen:
                continue  # two mentions link to two instances: the first one counts
            seen.add(m_id)
            ids = [a.get("t_id", "") for a in m.findall("token_anchor")]
            ids = [i for i in ids if i in offsets]
            if not ids:
                continue
            spans = [offsets[i] for i in ids]
            words = [words_by_id[i] for i in ids]
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            syn = m.get("syntactic_type") or None
            is_name = syn in NAME_TYPES if syn else _looks_like_name(words)
            target = (
                _head_span(m.get("head"), words, spans)
                or _before_modifier(text, start, end)
                or (start, end)
            )
            doc.mentions.append(
                GoldMention(
                    name,
                    topic,
                    m_id,
                    inst.get("instance_id", ""),
                    ent_type,
                    syn,
                    start,
                    end,
                    target,
                    text[start:end],
                    is_name,
                )  # fmt: skip
            )
    return doc


def load_corpus(folder: Path) -> list[GoldDoc]:
    return [load_doc(p) for p in sorted(folder.glob("corpus_*/*.xml"))]


# --------------------------------------------------------------------------- system


@dataclass
class SysEntity:
    start: int
    end: int
    surface: str
    actor_id: str
    kind: str | None


def run_wirewatch(docs: list[GoldDoc]) -> tuple[dict[str, list[SysEntity]], dict[str, Any]]:
    """Analyse every document and resolve all their names in one call; entities per doc."""
    from wirewatch.analyse import Analyser
    from wirewatch.link.actors import resolve_actors
    from wirewatch.link.kb import KnowledgeBase
    from wirewatch.model import Analysis, Article

    articles = [Article(id=d.name, text=d.text, published=d.published) for d in docs]
    t0 = time.perf_counter()
    analyser = Analyser()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    # Analyser.run, not nlp.pipe + analyse_doc: the bench scores what an ingest runs (with
    # the partial parse when it is on).
    analyses: list[Analysis] = list(analyser.run(articles, batch_size=32))
    analyse_s = time.perf_counter() - t0
    failed = [a.article.id for a in analyses if a.error]
    rows = []
    for a in analyses:
        iso = a.article.published.isoformat() if a.article.published else None
        rows += [(a.article.id, pos, e, iso) for pos, e in enumerate(a.entities)]
    t0 = time.perf_counter()
    _resolved, _assignment, entity_ids = resolve_actors(
        mentions=[], kb=KnowledgeBase.default(), entities=rows
    )
    resolve_s = time.perf_counter() - t0
    out: dict[str, list[SysEntity]] = defaultdict(list)
    for doc_id, pos, e, _iso in rows:
        out[doc_id].append(
            SysEntity(e.span.start, e.span.end, e.surface, entity_ids[(doc_id, pos)], e.kind)
        )
    timing = {
        "load_s": round(load_s, 2),
        "analyse_s": round(analyse_s, 2),
        "resolve_s": round(resolve_s, 3),
        "entities": len(rows),
        "actors": len(set(entity_ids.values())),
        "failed_docs": failed,
    }
    return out, timing


def align(doc: GoldDoc, ents: list[SysEntity]) -> None:
    """Each gold mention takes one overlapping entity (see the module doc); gold mentions
    nest ("Apple CEO Steve Jobs" holds "Steve Jobs"), so several may share one entity."""
    for g in doc.mentions:
        ts, te = g.target
        best: tuple[bool, float, int] | None = None
        for e in ents:
            if not (e.start < te and ts < e.end):
                continue
            overlap = min(e.end, g.end) - max(e.start, g.start)
            dice = 2 * overlap / ((g.end - g.start) + (e.end - e.start))
            key = (e.end == te, dice, e.end)
            if best is None or key > best:
                best = key
                g.system, g.system_surface = e.actor_id, e.surface


# --------------------------------------------------------------------------- scoring


def _key(m: GoldMention) -> tuple[str, str]:
    return m.doc, m.m_id


def bcubed(mentions: list[GoldMention]) -> dict[tuple[str, str], tuple[float, float]]:
    """Per-mention (precision, recall), clusters over all ``mentions``."""
    gold: dict[str, list[GoldMention]] = defaultdict(list)
    system: dict[str, list[GoldMention]] = defaultdict(list)
    for m in mentions:
        gold[m.instance].append(m)
        if m.system is not None:
            system[m.system].append(m)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for m in mentions:
        g = gold[m.instance]
        s = system[m.system] if m.system is not None else [m]
        both = sum(1 for x in s if x.instance == m.instance)
        out[_key(m)] = (both / len(s), both / len(g))
    return out


def summarise(
    subset: Iterable[GoldMention], scores: dict[tuple[str, str], tuple[float, float]]
) -> dict[str, Any]:
    ms = list(subset)
    if not ms:
        return {"mentions": 0}
    p = sum(scores[_key(m)][0] for m in ms) / len(ms)
    r = sum(scores[_key(m)][1] for m in ms) / len(ms)
    aligned = [m for m in ms if m.system is not None]
    ap = sum(scores[_key(m)][0] for m in aligned) / len(aligned) if aligned else 0.0
    return {
        "mentions": len(ms),
        "instances": len({m.instance for m in ms}),
        "coverage": round(100 * len(aligned) / len(ms), 1),
        "p": round(100 * p, 1),
        "r": round(100 * r, 1),
        "f1": round(100 * (2 * p * r / (p + r)) if p + r else 0.0, 1),
        "aligned_p": round(100 * ap, 1),
    }


def score_scope(mentions: list[GoldMention]) -> dict[str, Any]:
    scores = bcubed(mentions)
    return {
        "overall": summarise(mentions, scores),
        "by_type": {
            t: summarise((m for m in mentions if m.ent_type == t), scores) for t in ACTOR_TYPES
        },  # fmt: skip
        "by_topic": {
            t: summarise((m for m in mentions if m.topic == t), scores)
            for t in sorted({m.topic for m in mentions})
        },
    }


# --------------------------------------------------------------------------- errors


def _show(m: GoldMention, doc_text: dict[str, str], width: int = 45) -> str:
    text = doc_text[m.doc]
    ctx = (
        text[max(0, m.start - width) : m.start] + "[[" + text[m.start : m.end] + "]]"
        + text[m.end : m.end + width]
    ).replace("\n", " | ")  # fmt: skip
    sys_part = f" -> {m.system_surface!r}" if m.system_surface else " (unaligned)"
    return f"{m.doc[:40]}: {m.text!r}{sys_part}   … {ctx} …"


def error_report(mentions: list[GoldMention], docs: list[GoldDoc], n: int) -> list[str]:
    doc_text = {d.name: d.text for d in docs}
    by_sys: dict[str, list[GoldMention]] = defaultdict(list)
    by_gold: dict[str, list[GoldMention]] = defaultdict(list)
    for m in mentions:
        by_gold[m.instance].append(m)
        if m.system is not None:
            by_sys[m.system].append(m)
    lines = [f"== false merges: one wirewatch id, several MEANTIME instances (top {n})"]
    merges = []
    for sid, ms in by_sys.items():
        insts = Counter(m.instance for m in ms)
        if len(insts) > 1:
            wrong = len(ms) - insts.most_common(1)[0][1]
            merges.append((wrong, sid, ms, insts))
    merges.sort(key=lambda x: (-x[0], x[1]))
    for wrong, sid, ms, insts in merges[:n]:
        lines.append(f"-- {sid}  ({len(ms)} mentions, {len(insts)} instances, {wrong} off)")
        for inst, count in insts.most_common():
            ex = next(m for m in ms if m.instance == inst)
            lines.append(f"   {count:>3} x {inst} [{ex.ent_type}]  e.g. {_show(ex, doc_text)}")
    lines.append(f"== misses: one MEANTIME instance split over ids or unaligned (top {n})")
    splits = []
    for inst, ms in by_gold.items():
        ids = Counter(m.system or f"<unaligned:{m.doc}#{m.m_id}>" for m in ms)
        if len(ids) > 1:
            lost = len(ms) - ids.most_common(1)[0][1]
            splits.append((lost, inst, ms))
    splits.sort(key=lambda x: (-x[0], x[1]))
    for lost, inst, ms in splits[:n]:
        lines.append(f"-- {inst} [{ms[0].ent_type}]  ({len(ms)} mentions, {lost} split off)")
        groups: dict[str, list[GoldMention]] = defaultdict(list)
        for m in ms:
            groups[m.system or "(unaligned)"].append(m)
        for sid, gm in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            surfaces = Counter(m.text for m in gm).most_common(4)
            shown = ", ".join(f"{s!r} x{c}" for s, c in surfaces)
            lines.append(f"   {len(gm):>3} -> {sid}: {shown}")
            if sid == "(unaligned)":
                lines.append(f"         e.g. {_show(gm[0], doc_text)}")
    return lines


# --------------------------------------------------------------------------- main


def _row(label: str, s: dict[str, Any]) -> str:
    if not s.get("mentions"):
        return f"{label:<14} {0:>6}"
    return (
        f"{label:<14} {s['mentions']:>6} {s['instances']:>6} {s['coverage']:>6.1f}  "
        f"{s['p']:>6.1f} {s['r']:>6.1f} {s['f1']:>6.1f}  {s['aligned_p']:>7.1f}"
    )


def print_table(results: dict[str, Any]) -> None:
    header = (
        f"{'':<14} {'gold':>6} {'inst':>6} {'cover':>6}  {'B3 P':>6} {'B3 R':>6} "
        f"{'B3 F1':>6}  {'algn P':>7}"
    )
    for scope in ("names", "all"):
        r = results[scope]
        print(f"\nscope: {scope}")
        print(header)
        print(_row("overall", r["overall"]))
        for t, s in r["by_type"].items():
            print(_row(f"  {t}", s))
        for t, s in r["by_topic"].items():
            print(_row(f"  {t}", s))
    t = results["run"]
    print(
        f"\n{results['docs']} docs; {t['entities']} wirewatch entities -> {t['actors']} actor "
        f"ids; analyse {t['analyse_s']}s, resolve {t['resolve_s']}s"
        + (f"; FAILED: {t['failed_docs']}" if t["failed_docs"] else "")
    )
    print("target (names): B3 P >= 95, B3 R >= 85")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print results as one JSON object")
    ap.add_argument("--errors", type=int, default=0, metavar="N",
                    help="print N false merges and N misses (names scope) to stderr")  # fmt: skip
    ap.add_argument("--scope", choices=["names", "all"], default="names",
                    help="scope of the --errors examples")  # fmt: skip
    ap.add_argument("--check", action="store_true", help="exit 1 under FLOORS")
    args = ap.parse_args(argv)
    if not MEANTIME.is_dir():
        print(f"actors bench skipped: {MEANTIME} not found (set WIREWATCH_SHARED)")
        return 0
    docs = load_corpus(MEANTIME)
    if not docs:
        print(f"actors bench skipped: no corpus_*/*.xml under {MEANTIME}")
        return 0
    system, timing = run_wirewatch(docs)
    for d in docs:
        align(d, system.get(d.name, []))
    actors = [m for d in docs for m in d.mentions if m.ent_type in ACTOR_TYPES]
    names = [m for m in actors if m.is_name]
    results: dict[str, Any] = {
        "docs": len(docs),
        "names": score_scope(names),
        "all": score_scope(actors),
        "run": timing,
        "floors": FLOORS,
    }
    if args.json:
        print(json.dumps(results))
    else:
        print_table(results)
    if args.errors:
        scope = names if args.scope == "names" else actors
        for line in error_report(scope, docs, args.errors):
            print(line, file=sys.stderr)
    if args.check:
        overall = results["names"]["overall"]
        low = {k: overall[k] for k, floor in FLOORS.items() if overall.get(k, 0.0) < floor}
        if low:
            print(f"below floor {FLOORS}: {low}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
