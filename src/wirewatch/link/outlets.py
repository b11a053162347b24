"""Which outlets are one source: media groups and wires from ``data/outlets/groups.tsv``."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from wirewatch.link.kb import fold


@lru_cache(maxsize=1)
def _groups() -> list[tuple[str, str]]:
    path = resources.files("wirewatch") / "data" / "outlets" / "groups.tsv"
    rows = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    pairs = [
        (fold(r[0]), r[1].strip()) for r in csv.reader(rows[1:], delimiter="\t") if len(r) >= 2
    ]
    return sorted(pairs, key=lambda p: -len(p[0]))  # longest name first


@lru_cache(maxsize=4096)
def outlet_group(outlet: str | None) -> str | None:
    """The group an outlet belongs to (itself when unknown); None for no outlet."""
    if not outlet:
        return None
    key = fold(outlet)
    for name, group in _groups():
        if key == name or key.startswith(name + " "):
            return group
    return outlet.strip()
