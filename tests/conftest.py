"""Shared fixtures: the shared data folder, a loaded analyser, a temporary store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WIREWATCH_SHARED", REPO.parent / "shared"))
SAMPLE = REPO / "examples" / "sample"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip that says what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: the shared corpus/eval data sits beside the checkout")
    return path


@pytest.fixture(scope="session")
def analyser():
    from wirewatch.analyse import Analyser

    return Analyser()


@pytest.fixture
def store(tmp_path):
    from wirewatch.store import Store

    return Store.open(str(tmp_path / "test.db"))


@pytest.fixture(scope="session")
def seeds_path() -> Path:
    return shared_path("corpus", "seeds.jsonl")


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    return shared_path("schema")
