"""The FastAPI application: API, pages, static files, errors and security headers."""

from __future__ import annotations

import gc
import ipaddress
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wirewatch import __version__
from wirewatch.errors import WirewatchError
from wirewatch.serve.api import ApiError, error_response, router
from wirewatch.serve.queries import BadParameter
from wirewatch.store import Store
from wirewatch.store.records import ReadCache

log = logging.getLogger("wirewatch.serve")
HERE = Path(__file__).parent

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class Settings:
    db: str | None
    token: str | None
    allow_write: bool


class SecurityHeaders:
    """Headers every answer carries (no sniffing, no framing, no referrer; a CSP on pages).
    Plain ASGI: the decorator form (BaseHTTPMiddleware) costs a task per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Answers kept whole: the pages and API lists, not /static (its answers depend on request
# headers), /docs or /openapi.json (built from the app, not the ledger).
CACHED_PREFIXES = ("/api/", "/events", "/actors", "/articles", "/stories")
MAX_CACHED_BODY = 256 * 1024


class ResponseCache:
    """Whole answers to GET requests for the ledger, kept in the store's read cache for as long
    as the ledger version holds: a repeated question is answered without routing, validation,
    a request thread or a read snapshot (about 0.7 of the 1 ms a cached answer cost).

    Only complete 200 answers of at most MAX_CACHED_BODY bytes, sent in one piece (not the
    streamed csv/jsonl lists), and only when the ledger version is the same before and after
    the answer was made, so that it was read at that version. GET answers do not depend on who
    asks (tokens only guard writes); the security headers are added outside, on every answer."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store
        # Made on the first request, in the event loop: a database server connects aside.
        self._version = store.version_probe(connect_now=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = self.store.read_cache
        path = scope.get("path", "")
        if (
            cache is None
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or not (path == "/" or path.startswith(CACHED_PREFIXES))
        ):
            await self.app(scope, receive, send)
            return
        # A one-row read (~10 us), done here rather than in a thread: the point is to skip it.
        version = self._version()
        if version is None:
            await self.app(scope, receive, send)
            return
        key = ("response", path, scope.get("query_string", b""))
        found = cache.get("responses", version, [key])
        if key in found:
            headers, body = found[key]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: Message = {}
        parts: list[bytes] = []
        whole = True

        async def keep(message: Message) -> None:
            nonlocal whole
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                whole = whole and not message.get("more_body", False)
                parts.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        if (
            whole
            and start.get("status") == 200
            and len(parts) == 1
            and len(parts[0]) <= MAX_CACHED_BODY
            and self._version() == version
        ):
            headers = [tuple(h) for h in start.get("headers", [])]
            cache.put("responses", version, {key: (headers, parts[0])})


# Threads answering requests in one server process, and pooled store connections.
REQUEST_THREADS = 4
# Young generation of the cycle collector while serving: a request leaves thousands of
# short-lived objects; with the default 700 the collector ran every few requests.
GC_YOUNG = 5_000


def create_app(
    db: str | None,
    token: str | None = None,
    allow_write: bool = False,
    threads: int = REQUEST_THREADS,
) -> FastAPI:
    """The web UI and REST API over the store ``db`` (a path or SQLAlchemy URL).

    Read-only unless ``allow_write`` and a ``token`` are given; write endpoints then need
    ``Authorization: Bearer <token>``. CORS is off (no CORS headers are sent)."""
    if allow_write and not token:
        raise ValueError("allow_write needs a token")
    # One connection more than threads: the ResponseCache's version probe keeps its own.
    store = Store.open(db, connections=threads + 1)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Requests are answered in threads; under the GIL more of them than this only take
        # turns more often (and each holds a connection), so the rest wait in the event loop.
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        # What is loaded by now (modules, the app, SQLAlchemy's tables) lives as long as the
        # process: frozen, full collections no longer walk it (~150,000 objects; they took
        # tens of milliseconds each, all other requests of the process waiting).
        before = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(max(before[0], GC_YOUNG), *before[1:])
        try:
            yield
        finally:
            gc.set_threshold(*before)
            gc.unfreeze()

    app = FastAPI(
        lifespan=lifespan,
        title="wirewatch",
        version=__version__,
        description=(
            "The event ledger: events with their sources and evidence, actors, articles and "
            'stories. Every answer is `{"data": ..., "meta": {"total", "limit", '
            '"offset"}}`; every error is `{"error": {"code", "message"}}`. Lists take '
            "`limit`/`offset` and `format=csv|jsonl` to stream every row."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    store.read_cache = ReadCache()
    app.state.settings = Settings(db=db, token=token, allow_write=bool(allow_write and token))
    app.include_router(router)

    from wirewatch.serve.pages import router as pages_router
    from wirewatch.serve.pages import templates

    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def _wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api") or request.url.path == "/openapi.json"

    def _error(
        request: Request,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if _wants_json(request):
            return error_response(status, code, message, headers)
        html = templates.get_template("error.html").render(
            status=status, code=code, message=message
        )
        return HTMLResponse(html, status_code=status, headers=headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        return _error(request, exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(BadParameter)
    async def _bad_param(request: Request, exc: BadParameter) -> Response:
        return _error(request, 400, "bad_parameter", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path"))
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        code = (
            "bad_body"
            if any(e.get("loc", ("",))[0] == "body" for e in exc.errors())
            else ("bad_parameter")
        )
        return _error(request, 400, code, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
        code = codes.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else code
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return _error(request, exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(WirewatchError)
    async def _ww(request: Request, exc: WirewatchError) -> Response:
        return _error(request, 400, "bad_request", str(exc))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error(request, 500, "internal", "internal error; see the server log")

    app.add_middleware(ResponseCache, store=store)
    app.add_middleware(SecurityHeaders)  # outside the cache: on cached answers too
    return app


# ``wirewatch serve --workers N`` hands its settings to its worker processes here (serve.workers).
ENV_DB = "WIREWATCH_SERVE_DB"
ENV_TOKEN = "WIREWATCH_SERVE_TOKEN"
ENV_HOST = "WIREWATCH_SERVE_HOST"
ENV_THREADS = "WIREWATCH_SERVE_THREADS"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def served_app(
    db: str | None, token: str | None, host: str, threads: int = REQUEST_THREADS
) -> FastAPI:
    """The application as ``wirewatch serve`` runs it on ``host``."""
    app = create_app(db, token=token, allow_write=token is not None, threads=threads)
    if is_loopback(host):
        # A page on another site must not reach this server through DNS rebinding.
        app.add_middleware(
            TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "[::1]", host]
        )
    return app


def app_from_environment() -> FastAPI:
    """uvicorn's factory for worker processes: the settings come from the environment."""
    return served_app(
        os.environ.get(ENV_DB) or None,
        os.environ.get(ENV_TOKEN) or None,
        os.environ.get(ENV_HOST, "127.0.0.1"),
        int(os.environ.get(ENV_THREADS) or REQUEST_THREADS),
    )
