"""Coverage-guided fuzzing of the file readers and article builder with atheris.

    .venv/bin/python fuzz/fuzz_readers.py -max_total_time=600 fuzz/corpus

Any exception other than the InputError the readers are meant to raise is a crash; crashes
found become regression tests in tests/test_properties.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from wirewatch.config import Limits
    from wirewatch.errors import InputError
    from wirewatch.ingest import build_article
    from wirewatch.ingest.clean import clean_text
    from wirewatch.ingest.readers import RawRecord, read_file

SUFFIXES = [".jsonl", ".json", ".txt", ".html"]
TMP = Path(tempfile.mkdtemp(prefix="wirewatch-fuzz-"))
LIMITS = Limits(max_file_bytes=1 << 20, max_article_chars=200_000, max_line_chars=100_000)


def one_input(data: bytes) -> None:
    if not data:
        return
    path = TMP / f"input{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    for item in read_file(path, LIMITS):
        if isinstance(item, InputError):
            continue
        assert isinstance(item, RawRecord)
        try:
            article = build_article(item, LIMITS)
        except InputError:
            continue
        assert article.id and article.text
    text = data.decode("utf-8", "replace")
    cleaned, _ = clean_text(text)
    assert isinstance(cleaned, str)


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
