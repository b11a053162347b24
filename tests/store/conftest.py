"""Fixtures for store tests: a real PostgreSQL server (see ``tests/pg.py``)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest


def _load_pg_helper() -> ModuleType:
    """Load ``tests/pg.py`` by path: ``tests/`` is not a package, and this works under every
    pytest import mode without touching ``sys.path``."""
    name = "wirewatch_tests_pg"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parent.parent / "pg.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


pg = _load_pg_helper()
_database_numbers = count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One throwaway PostgreSQL server for the session (a ``pg.Server``)."""
    with pg.postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def pg_url(pg_server: Any) -> str:
    """SQLAlchemy URL of an empty database on the session's server, shared by the session."""
    return str(pg_server.url())


@pytest.fixture
def fresh_pg_url(pg_server: Any) -> str:
    """SQLAlchemy URL of a new, empty database on the session's server, for one test."""
    return str(pg_server.create_database(f"wirewatch_t{next(_database_numbers)}"))
