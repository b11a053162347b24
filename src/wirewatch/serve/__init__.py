"""Serve: the REST API and the web UI over the ledger (FastAPI; Jinja2 pages, server-side SVG).

``create_app(db, token=None, allow_write=False)`` builds the application; ``wirewatch serve``
runs it with uvicorn on 127.0.0.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]


def create_app(
    db: str | None, token: str | None = None, allow_write: bool = False, **kw: Any
) -> FastAPI:
    from wirewatch.serve.app import create_app as _create

    return _create(db, token=token, allow_write=allow_write, **kw)
