"""Every error wirewatch reports, with a stable code, in one place (as spaCy does).

Codes let users grep logs and let ``--errors`` reports be machine-readable; the message
templates say what was wrong and, where we can, what to do about it.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    E001 = "unsupported file type {suffix!r}: expected .txt, .html, .htm, .json or .jsonl"
    E002 = "file is empty"
    E003 = "file looks binary (NUL bytes in the first 8 KiB), not text"
    E004 = "cannot decode file as UTF-8 (or UTF-8 with BOM / UTF-16 with BOM): {detail}"
    E005 = "line {line}: invalid JSON: {detail}"
    E006 = "invalid JSON: {detail}"
    E007 = "record {record}: expected a JSON object, got {got}"
    E008 = "record {record}: no text: needs a non-empty 'text' or 'html' field"
    E009 = "record {record}: field {field!r} must be {expected}, got {got}"
    E010 = "record {record}: cannot parse 'published' {value!r}"
    E011 = "cannot read file: {detail}"
    E012 = "path does not exist: {path}"
    E013 = "HTML page has no extractable article text"
    E014 = "JSON top level must be an object or a list of objects, got {got}"
    E015 = "record {record}: text is {size} characters, over the limit of {limit}"
    E016 = (
        "record id {record!r} appears twice in this input with different text; the first was kept"
    )
    E050 = "record {record}: analysis failed ({detail}); the article is stored without events"
    E017 = "record {record}: needs a non-empty 'text' and a 'dct' (document creation date)"
    E018 = "folder already read (a symlink loop or a second link to {target}); skipped"
    E019 = "cannot fetch: {detail}"
    E020 = "unknown database URL {url!r}: {detail}"
    E021 = "database schema is newer than this wirewatch ({found}); upgrade wirewatch"
    E030 = "invalid date {value!r}: expected YYYY-MM-DD"
    E031 = "unknown event type {value!r}; one of: {choices}"
    E032 = "unknown status {value!r}; one of: {choices}"
    E040 = "cannot load lexicon {path}: {detail}"
    E041 = "cannot load the spaCy model {name!r}: {detail}. Install it with `pip install -e .`"

    def format(self, **kwargs: object) -> str:  # type: ignore[override]
        return f"[{self.name}] " + self.value.format(**kwargs)


class WirewatchError(Exception):
    """An error we expect and can explain; the CLI prints it without a traceback."""

    def __init__(self, code: Code, **kwargs: object) -> None:
        self.code = code
        self.details = kwargs
        super().__init__(code.format(**kwargs))


class InputError(WirewatchError):
    """One input file or record is unusable; the rest of the input still goes through."""

    def __init__(self, code: Code, source: str, **kwargs: object) -> None:
        self.source = source
        super().__init__(code, **kwargs)
