"""Readers: files and folders in, raw records (dicts) or input errors out.

A bad file or record never stops the run: it becomes an ``InputError`` naming the file
(and line) and the reason, and reading goes on with the next one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wirewatch.config import Limits
from wirewatch.errors import Code, InputError

SUFFIXES = {".txt", ".html", ".htm", ".json", ".jsonl"}


@dataclass
class RawRecord:
    data: dict[str, Any]
    source: str  # "path" or "path:line"
    kind: str  # "text", "html" or "json": how the text field is to be read


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """Files under the given paths, sorted so runs are repeatable. Symlinked folders are
    followed once: a folder seen before (a loop, or two links to one place) is named, not
    read again. Hidden files and folders are skipped."""
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, seen)
        elif path.exists():
            yield path
        elif path.is_symlink():
            yield InputError(Code.E012, str(path), path=f"{path} (a dangling symlink)")
        else:
            yield InputError(Code.E012, str(path), path=str(path))


def _walk(folder: Path, seen: set[str]) -> Iterator[Path | InputError]:
    real = os.path.realpath(folder)
    if real in seen:
        yield InputError(Code.E018, str(folder), target=real)
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield InputError(Code.E011, str(folder), detail=exc.strerror or str(exc))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows symlinks; a dangling link is not a dir
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(child, seen)
        elif child.suffix.lower() in SUFFIXES:
            yield (
                child
                if child.exists()
                else InputError(Code.E012, str(child), path=f"{child} (a dangling symlink)")
            )


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(Code.E003, source)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(Code.E004, source, detail=str(exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Code.E004, source, detail=str(exc)) from None


def read_file(path: Path, limits: Limits = Limits()) -> Iterator[RawRecord | InputError]:
    """Records of one file. JSONL goes line by line so one broken line loses only itself."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        yield InputError(Code.E001, source, suffix=suffix)
        return
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            yield InputError(
                Code.E011, source, detail=f"{size} bytes, over the limit {limits.max_file_bytes}"
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield InputError(Code.E011, source, detail=exc.strerror or str(exc))
        return
    if not data.strip():
        yield InputError(Code.E002, source)
        return
    try:
        text = _decode(data, source)
    except InputError as exc:
        yield exc
        return

    if suffix == ".txt":
        yield RawRecord({"text": text}, source, "text")
    elif suffix in (".html", ".htm"):
        yield RawRecord({"html": text}, source, "html")
    elif suffix == ".json":
        yield from _read_json(text, source)
    else:
        yield from _read_jsonl(text, source, limits)


def _read_json(text: str, source: str) -> Iterator[RawRecord | InputError]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield InputError(Code.E006, source, detail=str(exc))
        return
    items = value if isinstance(value, list) else [value]
    if not isinstance(value, (list, dict)):
        yield InputError(Code.E014, source, got=type(value).__name__)
        return
    for n, item in enumerate(items, 1):
        where = source if len(items) == 1 else f"{source}[{n}]"
        if isinstance(item, dict):
            yield RawRecord(item, where, "json")
        else:
            yield InputError(Code.E007, where, record=n, got=type(item).__name__)


def _read_jsonl(text: str, source: str, limits: Limits) -> Iterator[RawRecord | InputError]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        if len(line) > limits.max_line_chars:
            yield InputError(
                Code.E011, where, detail=f"line longer than {limits.max_line_chars} characters"
            )
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(Code.E005, where, line=n, detail=exc.msg)
            continue
        if isinstance(item, dict):
            yield RawRecord(item, where, "json")
        else:
            yield InputError(Code.E007, where, record=n, got=type(item).__name__)


def read_paths(
    paths: Iterable[str | Path], limits: Limits = Limits()
) -> Iterator[RawRecord | InputError]:
    for item in iter_files(paths):
        if isinstance(item, InputError):
            yield item
        else:
            yield from read_file(item, limits)
