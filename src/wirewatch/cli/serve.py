"""``wirewatch serve``, ``wirewatch report`` and ``wirewatch watch``: standalone click commands
the main group registers with ``cli.add_command``. Each takes the store from the root context
(``--db``)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import click

TOKEN_ENV = "WIREWATCH_TOKEN"


def _root() -> Any:
    """The root group's context object (``.db``, ``.quiet``); a bare one when run alone."""
    obj = click.get_current_context().find_root().obj
    if obj is None:

        class _Bare:
            db = os.environ.get("WIREWATCH_DB")
            quiet = False

        return _Bare()
    return obj


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; anything but loopback exposes the ledger to the network.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    default=None,
    metavar="TOKEN",
    help=f"Allow corrections through the API with this bearer token (or ${TOKEN_ENV}).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes (each opens the store; use one per core under load).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Request threads per process (they share one interpreter lock; more overlap more "
    "database reads, and make the event loop wait longer for its turn).",
)
@click.option(
    "--hang-timeout",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="With --workers on Linux: start again a worker whose event loop has not run for this "
    "long (0: never).",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="A line per request on stderr (off with -q).",
)
def serve_cmd(
    host: str,
    port: int,
    token: str | None,
    log_level: str,
    workers: int,
    threads: int,
    hang_timeout: float,
    access_log: bool,
) -> None:
    """The web UI and REST API (read-only unless a token is given)."""
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from wirewatch.serve.app import (
        ENV_DB,
        ENV_HOST,
        ENV_THREADS,
        ENV_TOKEN,
        is_loopback,
        served_app,
    )

    obj = _root()
    if token is not None and len(token) < 16:
        raise click.BadParameter("use at least 16 characters", param_hint="--token")
    # Opened here even with workers, so a bad --db fails before any process starts.
    app = served_app(obj.db, token, host, threads)
    if not is_loopback(host) and not obj.quiet:
        click.echo(f"warning: serving on {host}, not only on this machine", err=True)
    if not obj.quiet:
        mode = "corrections allowed with the token" if token else "read-only"
        click.echo(f"wirewatch: http://{host}:{port}/ ({mode}); API docs at /docs", err=True)
    # uvicorn writes its access lines to stdout; ours is for data, logs go to stderr.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    logs: dict[str, Any] = {
        "log_level": log_level,
        "log_config": log_config,
        "access_log": access_log and not obj.quiet,
    }
    if workers == 1:
        uvicorn.run(app, host=host, port=port, **logs)
        return
    os.environ[ENV_DB] = obj.db or ""
    os.environ[ENV_TOKEN] = token or ""
    os.environ[ENV_HOST] = host
    os.environ[ENV_THREADS] = str(threads)
    from wirewatch.serve.workers import balanced_workers_available, run_workers

    if balanced_workers_available():
        status = run_workers(workers, host, port, logs, hang_after=hang_timeout)
        if status:
            sys.exit(status)
        return
    uvicorn.run(
        "wirewatch.serve.app:app_from_environment", factory=True, workers=workers,
        host=host, port=port, **logs,
    )  # fmt: skip


@click.command("report")
@click.option("--story", help="A story id (`wirewatch stories`).")
@click.option("--actor", help="An actor: id, ISO code, name or alias.")
@click.option("--since", metavar="YYYY-MM-DD", help="Events ending on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", help="Events starting on or before this day.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to FILE instead of stdout.",
)
@click.option("--key-events", type=click.IntRange(1, 500), default=12, show_default=True)
def report_cmd(
    story: str | None,
    actor: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    output: str | None,
    key_events: int,
) -> None:
    """A briefing: key events with status and sources, plans, open claims, contradictions."""
    from wirewatch.report import ReportError, build_briefing, to_html, to_markdown
    from wirewatch.store import Store

    if not (story or actor or since):
        raise click.UsageError("give --story ID, --actor NAME or --since DATE")
    if until and not since and not (story or actor):
        raise click.UsageError("--until needs --since")
    store = Store.open(_root().db)
    try:
        briefing = build_briefing(
            store, story=story, actor=actor, since=since, until=until, key_events=key_events
        )
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    text = to_markdown(briefing) if fmt == "md" else to_html(briefing)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.command("watch")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--rules",
    "rules_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Watchlist rules (TOML).",
)
@click.option(
    "--interval",
    type=click.FloatRange(1, None),
    default=300,
    show_default=True,
    help="Seconds between polls of PATHS.",
)
@click.option("--once", is_flag=True, help="Ingest and check once, then exit.")
@click.option(
    "--all",
    "report_all",
    is_flag=True,
    help="Also report matches among the events already in the store.",
)
@click.option(
    "--webhook",
    metavar="URL",
    default=None,
    help="POST each match here (overrides the rules file).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Append matches as JSON lines to FILE (default stdout).",
)
def watch_cmd(
    paths: tuple[Path, ...],
    rules_file: Path,
    interval: float,
    once: bool,
    report_all: bool,
    webhook: str | None,
    output: str | None,
) -> None:
    """Ingest PATHS (files and folders) now and every --interval seconds; report events that
    match the watchlist rules as JSON lines (stdout or --output), on stderr, and to a webhook."""
    from wirewatch.engine import ingest
    from wirewatch.store import Store
    from wirewatch.watch import RuleError, Watcher, fingerprint, load_rules

    obj = _root()
    try:
        rules = load_rules(rules_file)
    except RuleError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules") from None
    if webhook and not webhook.startswith(("http://", "https://")):
        raise click.BadParameter("an http:// or https:// URL", param_hint="--webhook")
    store = Store.open(obj.db)
    out = open(output, "a", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        watcher = Watcher(store, rules, out=out, quiet=obj.quiet, webhook=webhook)
        if not report_all:
            watcher.mark_seen()
        last: tuple[Any, ...] | None = None
        while True:
            current = fingerprint(paths)
            if paths and current != last:
                summary = ingest(paths, store)
                if not obj.quiet:
                    s = summary
                    click.echo(
                        f"watch: {s.new} new, {s.updated} updated article(s); {s.events} events",
                        err=True,
                    )
                last = current
            found = watcher.check()
            if not obj.quiet:
                click.echo(f"watch: {len(found)} match(es)", err=True)
            if once:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return
    finally:
        if output:
            out.close()


__all__ = ["report_cmd", "serve_cmd", "watch_cmd"]
