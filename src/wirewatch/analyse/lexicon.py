"""Trigger and cue lexicons: data files in ``wirewatch/data/lexicons`` turned into matchers.

Users extend the TOML files (or point ``WIREWATCH_LEXICONS`` at a folder with their own
``triggers.toml``/``cues.toml``, whose entries are added to ours) without touching code.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from wirewatch.errors import Code, WirewatchError


@dataclass(frozen=True)
class Trigger:
    type: str
    cameo: str
    symmetric: bool
    mode: str | None = None
    label: str | None = None
    nominal: bool = False


@dataclass
class Lexicon:
    """Lookup tables the event coder consults token by token (fast: a dict hit per token)."""

    verbs: dict[str, Trigger] = field(default_factory=dict)  # single verb lemma
    nouns: dict[str, Trigger] = field(default_factory=dict)  # single noun lemma or form
    verb_phrases: dict[str, list[tuple[tuple[str, ...], Trigger]]] = field(default_factory=dict)
    noun_phrases: dict[str, list[tuple[tuple[str, ...], Trigger]]] = field(default_factory=dict)
    types: dict[str, Trigger] = field(default_factory=dict)
    cues: dict[str, Any] = field(default_factory=dict)
    # verb lemma -> the object nouns it needs to be its trigger ("launch" a missile)
    objects: dict[str, frozenset[str]] = field(default_factory=dict)

    def _add(
        self,
        words: str,
        trig: Trigger,
        single: dict[str, Trigger],
        multi: dict[str, Any],
        tokenizer: Any,
    ) -> None:
        # Split phrases exactly as spaCy's English tokenizer will split the text ("test-fire").
        parts = tuple(t.lower_ for t in tokenizer(words))
        if len(parts) == 1 and single is not None and not trig.label:
            single.setdefault(parts[0], trig)
        else:
            multi.setdefault(parts[0], []).append((parts, trig))

    def sort(self) -> None:
        for table in (self.verb_phrases, self.noun_phrases):
            for entries in table.values():
                # longest phrase first; a named format beats a plain word of the same length
                entries.sort(key=lambda e: (-len(e[0]), e[1].label is None))


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import spacy

    return spacy.blank("en").tokenizer


def _read_toml(name: str, extra: Path | None) -> list[dict[str, Any]]:
    docs = []
    sources: list[Any] = [resources.files("wirewatch") / "data" / "lexicons" / name]
    if extra is not None and (extra / name).exists():
        sources.append(extra / name)
    for src in sources:
        try:
            docs.append(tomllib.loads(src.read_text("utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise WirewatchError(Code.E040, path=str(src), detail=str(exc)) from None
    return docs


def _merge_cues(docs: list[dict[str, Any]]) -> dict[str, Any]:
    cues: dict[str, Any] = {}
    for doc in docs:
        for section, values in doc.items():
            target = cues.setdefault(section, {})
            for key, items in values.items():
                target.setdefault(key, [])
                target[key] = [*target[key], *items]
    return {s: {k: set(v) for k, v in vals.items()} for s, vals in cues.items()}


@lru_cache(maxsize=4)
def load_lexicon(extra_dir: str | None = None, tokenizer: Any = None) -> Lexicon:
    """The trigger lexicon, phrases split by ``tokenizer`` (the loaded model's, which splits
    the text; else a blank English one, ~0.2 s to build)."""
    tokenizer = tokenizer or _tokenizer()
    extra = Path(extra_dir) if extra_dir else None
    if extra is None and os.environ.get("WIREWATCH_LEXICONS"):
        extra = Path(os.environ["WIREWATCH_LEXICONS"])
    lex = Lexicon()
    for doc in _read_toml("triggers.toml", extra):
        for type_, spec in doc.items():
            base = Trigger(type_, str(spec.get("cameo", "")), bool(spec.get("symmetric", False)))
            lex.types.setdefault(type_, base)
            modes = spec.get("modes", {})
            for verb, nouns in spec.get("objects", {}).items():
                known = lex.objects.get(verb, frozenset())
                lex.objects[verb] = known | {n.lower() for n in nouns}
            for verb in spec.get("verbs", []):
                trig = Trigger(type_, base.cameo, base.symmetric, modes.get(verb))
                lex._add(verb, trig, lex.verbs, lex.verb_phrases, tokenizer)
            for noun in spec.get("nouns", []):
                trig = Trigger(type_, base.cameo, base.symmetric, modes.get(noun), nominal=True)
                lex._add(noun, trig, lex.nouns, lex.noun_phrases, tokenizer)
            for named in spec.get("named", []):
                trig = Trigger(
                    type_, base.cameo, base.symmetric, named.get("mode"), named["label"], True
                )
                lex._add(named["phrase"], trig, {}, lex.noun_phrases, tokenizer)
    lex.cues = _merge_cues(_read_toml("cues.toml", extra))
    lex.sort()
    return lex
