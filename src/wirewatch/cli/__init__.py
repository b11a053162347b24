"""The command line: a thin layer over the library. Data to stdout, logs and progress to stderr."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from wirewatch import __version__
from wirewatch.cli.output import format_option, output_option, write_records
from wirewatch.config import Limits
from wirewatch.errors import Code, InputError, WirewatchError
from wirewatch.model import PLOVER_TYPES, STATUSES

log = logging.getLogger("wirewatch")


class Context:
    def __init__(
        self,
        db: str | None,
        quiet: bool,
        engine: str = "auto",
        workers: int | None = None,
        master: str = "local[*]",
    ) -> None:
        self.db = db
        self.quiet = quiet
        self.engine = engine
        self.workers = workers
        self.master = master

    def runner(self, input_bytes: int | None = None) -> Any:
        """The per-article stage for --engine: this process, a pool of worker processes, or
        Spark (``--master``); ``auto`` is the pool when more than one core is usable and the
        input (``input_bytes``) is large enough, else this process."""
        if self.engine == "spark":
            try:
                from wirewatch.engine.spark import SparkRunner
            except ImportError:
                raise click.ClickException(
                    'Spark is an extra: pip install -e ".[spark]" (and a Java 17 runtime)'
                ) from None
            conf = {}
            if self.master.startswith("local") or "127.0.0.1" in self.master:
                # Executors on this machine must reach the driver on loopback.
                conf = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
            return SparkRunner(self.master, conf=conf)
        from wirewatch.engine.runners import make_runner

        return make_runner(self.engine, self.workers, input_bytes)

    def store(self) -> Any:
        from wirewatch.store import Store

        return Store.open(self.db)


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", envvar="WIREWATCH_DB", default=None, metavar="PATH|URL",
    help="SQLite file or SQLAlchemy URL (default ./wirewatch.db, or $WIREWATCH_DB).",
)  # fmt: skip
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="More detail on stderr.")
@click.option(
    "--engine", type=click.Choice(["auto", "inprocess", "pool", "spark"]), default="auto",
    show_default=True, envvar="WIREWATCH_ENGINE",
    help="Where articles are analysed: auto (a process pool when more than one core is usable "
    "and the input is over 64 KB, else this process), inprocess, pool, or spark.",
)  # fmt: skip
@click.option("--master", default="local[*]", show_default=True, envvar="WIREWATCH_SPARK_MASTER",
              help="Spark master URL for --engine spark (JVM start-up takes ~10 s).")  # fmt: skip
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes for a pool (default: one per usable core).")  # fmt: skip
@click.version_option(__version__, prog_name="wirewatch")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, quiet: bool, verbose: bool, engine: str,
    master: str, workers: int | None,
) -> None:  # fmt: skip
    """wirewatch: a ledger of political events from news, every field traced to its sentence."""
    _setup_logging(quiet, verbose)
    ctx.obj = Context(db, quiet, engine, workers, master)


def _parse_day(value: str | None, param: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(Code.E030.format(value=value), param_hint=param) from None


@cli.command()
@click.argument("paths", nargs=-1, required=False, metavar="PATH|URL...")
@click.option(
    "--feed",
    "feeds",
    multiple=True,
    metavar="URL",
    help="An RSS/Atom feed to poll (repeatable); seen items are remembered.",
)
@click.option(
    "--feed-state",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where feed state is kept (default: beside the database).",
)
@click.option("--fetch-pages", is_flag=True, help="Fetch each feed item's page, not its summary.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow fetching private and loopback addresses (refused by default).",
)
@click.option("--errors", "errors_file", type=click.Path(dir_okay=False), default=None,
              help="Also write every input error as a JSON line to FILE.")  # fmt: skip
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=None,
              help="Articles per transaction [default: 32; 64 per worker with a pool; "
              "256 with spark].")  # fmt: skip
@click.option("--max-file-mb", type=click.IntRange(1), default=Limits.max_file_bytes // 2**20,
              show_default=True, help="Larger files are refused unread.")  # fmt: skip
@click.option("--max-article-chars", type=click.IntRange(1), default=Limits.max_article_chars,
              show_default=True, help="Longer articles are refused.")  # fmt: skip
@click.option("--max-line-chars", type=click.IntRange(1), default=Limits.max_line_chars,
              show_default=True, help="Longer JSONL lines are refused.")  # fmt: skip
@click.pass_obj
def ingest(
    obj: Context, paths: tuple[str, ...], feeds: tuple[str, ...], feed_state: str | None,
    fetch_pages: bool, allow_private: bool, errors_file: str | None, batch_size: int | None,
    max_file_mb: int, max_article_chars: int, max_line_chars: int,
) -> None:  # fmt: skip
    """Read files and folders (.txt .html .json .jsonl .warc .warc.gz), web pages (URLs) and
    feeds (--feed); analyse, link and store them."""
    from wirewatch.ingest.sources import FeedState, FetchPolicy

    if not paths and not feeds:
        raise click.UsageError("give at least one PATH, URL or --feed URL")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from wirewatch.engine import ingest as run_ingest
    from wirewatch.engine.runners import ProcessPool
    from wirewatch.ingest.readers import iter_files

    store = obj.store()
    error_lines: list[dict[str, Any]] = []

    def on_error(err: InputError) -> None:
        click.echo(f"error: {err.source}: {err}", err=True)
        error_lines.append({"source": err.source, "code": err.code.name, "message": str(err)})

    files = [f for f in iter_files(paths) if not isinstance(f, InputError)]
    total = len(files)
    remote = feeds or any(str(p).startswith(("http://", "https://")) for p in paths)
    size = None if remote else sum(_size(f) for f in files)  # for --engine auto
    show = not obj.quiet and sys.stderr.isatty()
    # The runner starts before the progress bar's thread: pool workers fork from this process.
    runner = obj.runner(size)
    if isinstance(runner, ProcessPool):
        log.info("analysing in %d worker processes", runner.workers)
    with Progress(
        TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        disable=not show, transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("ingest", total=None)
        try:
            limits = Limits(max_file_mb * 2**20, max_article_chars, max_line_chars)
            if batch_size is None:
                batch_size = 32
                if isinstance(runner, ProcessPool):
                    batch_size = 64 * runner.workers
                elif type(runner).__name__ == "SparkRunner":
                    batch_size = 256
            state = None
            if feeds:
                state = FeedState(feed_state or _feed_state_path(obj.db))
            summary = run_ingest(
                paths, store, runner, limits=limits, batch_size=batch_size, on_error=on_error,
                on_progress=lambda n: progress.advance(task, n),
                policy=FetchPolicy(allow_private=allow_private), feeds=feeds,
                feed_state=state, fetch_pages=fetch_pages,
            )  # fmt: skip
        except BaseException:
            if isinstance(runner, ProcessPool):
                runner.close(terminate=True)  # chunks in flight are of no use now
            raise
        finally:
            if hasattr(runner, "close"):
                runner.close()
    if errors_file:
        with open(errors_file, "w", encoding="utf-8") as fh:
            for line in error_lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    if not obj.quiet:
        s = summary
        click.echo(
            f"{total} file(s): articles {s.new} new, {s.updated} updated, {s.unchanged} unchanged, "
            f"{s.duplicate} duplicate, {s.failed} failed; {s.mentions} event mentions found; "
            f"{s.events} events in the store",
            err=True,
        )
    if summary.failed:
        sys.exit(1)


def _size(path: Any) -> int:
    try:
        return Path(path).stat().st_size
    except (OSError, TypeError):
        return 0


def _feed_state_path(db: str | None) -> str:
    """Feed state lives beside a SQLite file, else in the working folder."""
    from wirewatch.config import database_url

    url = database_url(db)
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :] + ".feeds.json"
    return "wirewatch-feeds.json"


def _event_table(rows: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    tbl = Table(title="wirewatch events", show_lines=True, expand=True)
    tbl.add_column("date", no_wrap=True)
    tbl.add_column("type", ratio=1)
    tbl.add_column("status", no_wrap=True)
    tbl.add_column("who", ratio=3)
    tbl.add_column("where", ratio=1)
    tbl.add_column("sources", ratio=1)
    tbl.add_column("evidence", ratio=4)
    for r in rows:
        d = r["date"]
        approx = r.get("date_approximate")
        if d is None:
            if not approx:
                when = "undated"
            elif approx.get("basis") == "story_date":
                when = f"undated\n(≈ {approx['start']})"
            else:
                when = f"undated\n(≈ by {approx['end']})"
        else:
            when = d["start"] if d["start"] == d["end"] else f"{d['start']}..{d['end']}"
        by_role: dict[str, list[str]] = {}
        for a in r["actors"]:
            by_role.setdefault(a["role"], []).append(a["name"])
        if "participant" in by_role:
            who = ", ".join(by_role["participant"])
        else:
            sources = ", ".join(by_role.get("source", ["?"]))
            who = f"{sources} -> {', '.join(by_role.get('target', ['?']))}"
        where = r["location"]["name"] if r["location"] else ""
        label = f" ({r['label']})" if r.get("label") else ""
        sentence = " ".join(r["evidence"][0]["sentence"].split()) if r["evidence"] else ""
        if len(sentence) > 200:
            sentence = sentence[:197] + "..."
        tbl.add_row(
            when, r["type"] + label, r["status"], who, where, "\n".join(r["articles"]), sentence
        )
    return tbl


@cli.command()
@click.option("--actor", help="Actor name, alias, id or ISO country code.")
@click.option("--type", "type_", type=click.Choice(PLOVER_TYPES, case_sensitive=False))
@click.option("--status", type=click.Choice(STATUSES, case_sensitive=False))
@click.option("--since", metavar="YYYY-MM-DD", help="Events ending on or after this day.")
@click.option("--until", metavar="YYYY-MM-DD", help="Events starting on or before this day.")
@click.option("--text", metavar="WORDS",
              help='Words in an evidence sentence (stemmed; "a phrase", -word, or).')  # fmt: skip
@format_option()
@output_option
@click.pass_obj
def events(
    obj: Context, actor: str | None, type_: str | None, status: str | None,
    since: str | None, until: str | None, text: str | None, fmt: str, output: str | None,
) -> None:  # fmt: skip
    """The event ledger, in date order: a table, or JSONL/CSV/Parquet with --format."""
    from wirewatch.store.records import EventFilter, event_records

    flt = EventFilter(
        actor=actor, type=type_, status=status,
        since=_parse_day(since, "--since"), until=_parse_day(until, "--until"), text=text,
    )  # fmt: skip
    write_records(event_records(obj.store(), flt), fmt, output, table=_event_table)


@cli.command()
@click.argument("what", type=click.Choice(["events", "actors", "articles"]))
@format_option(default="jsonl", choices=("jsonl", "csv", "parquet"))
@output_option
@click.pass_obj
def export(obj: Context, what: str, fmt: str, output: str | None) -> None:
    """Export events, actors or articles under the stable export contract."""
    from wirewatch.store.records import actor_records, article_records, event_records

    store = obj.store()
    records = {"events": event_records, "actors": actor_records, "articles": article_records}[what]
    write_records(records(store), fmt, output)


@cli.command()
@format_option()
@output_option
@click.pass_obj
def stories(obj: Context, fmt: str, output: str | None) -> None:
    """Stories: groups of articles about one developing situation."""
    from wirewatch.store.records import story_records

    write_records(story_records(obj.store()), fmt, output, table=_stories_table)


def _stories_table(rows: list[dict[str, Any]]) -> Any:
    """One line per story: its dates, size and main actors (JSONL has every field)."""
    from rich.table import Table

    tbl = Table(title="wirewatch stories")
    for column in ("id", "title", "dates", "articles", "events", "actors"):
        tbl.add_column(column)
    for r in rows:
        first, last = r.get("first_date"), r.get("last_date")
        dates = first if first == last else f"{first}..{last}" if first else ""
        names = ", ".join(a["name"] for a in (r.get("actors") or [])[:5])
        tbl.add_row(r["id"], r.get("title") or "", dates or "", str(r["articles"]),
                    str(r["events"]), names)  # fmt: skip
    return tbl


def _who(event: dict[str, Any]) -> str:
    by_role: dict[str, list[str]] = {}
    for a in event["actors"]:
        by_role.setdefault(a["role"], []).append(a["name"])
    if "participant" in by_role:
        return ", ".join(by_role["participant"])
    sources = ", ".join(by_role.get("source", ["?"]))
    return f"{sources} -> {', '.join(by_role.get('target', ['?']))}"


@cli.command()
@click.option("--story", help="Only this story's events.")
@click.option("--actor", help="Only events of this actor (name, alias, id or ISO code).")
@format_option(default="table", choices=("table", "jsonl", "csv"))
@output_option
@click.pass_obj
def timeline(
    obj: Context, story: str | None, actor: str | None, fmt: str, output: str | None
) -> None:
    """Dated events in order, story by story, with sources and contradictions."""
    from wirewatch.store.records import EventFilter, event_records, story_records

    store = obj.store()
    records = list(event_records(store, EventFilter(story=story, actor=actor)))
    if fmt != "table":
        write_records(records, fmt, output)
        return
    info = {s["id"]: s for s in story_records(store)}
    lines: list[str] = []
    for sid in dict.fromkeys(r["story"] for r in records):
        head = info.get(sid, {})
        lines.append(f"== {head.get('title') or 'story'} [{sid}]")
        if head.get("actors"):
            names = ", ".join(a["name"] for a in head["actors"])
            lines.append(f"   {head['articles']} article(s); actors: {names}")
        for r in (x for x in records if x["story"] == sid):
            d = r["date"]
            when = "undated   " if d is None else d["start"]
            if d and d["end"] != d["start"]:
                when = f"{d['start']}..{d['end']}"
            c = r["corroboration"]
            label = f" ({r['label']})" if r.get("label") else ""
            where = f" in {r['location']['name']}" if r["location"] else ""
            lines.append(
                f"  {when:22} {r['type']}{label:<10} {r['status']:12} {_who(r)}{where}"
                f"  [{c['reports']} report(s), {c['independent']} independent]"
            )
            for item in r["contradictions"]:
                lines.append(
                    f"  {'':22}   ! {item['field']} disputed: {' vs '.join(item['values'])}"
                )
    text = "\n".join(lines) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@cli.group(invoke_without_command=True)
@click.option("--kind", type=click.Choice(["person", "country", "organization", "igo", "group"]))
@click.option("--country", metavar="ISO3", help="Only actors of this country.")
@format_option()
@output_option
@click.pass_context
def actors(
    ctx: click.Context, kind: str | None, country: str | None, fmt: str, output: str | None
) -> None:
    """List actors; subcommands show one and correct the resolution."""
    if ctx.invoked_subcommand is not None:
        return
    from wirewatch.store.records import actor_records

    rows = (
        {k: r[k] for k in ("id", "name", "kind", "country")} | {"aliases": ", ".join(r["aliases"])}
        for r in actor_records(ctx.obj.store())
        if (kind is None or r["kind"] == kind)
        and (country is None or (r["country"] or "").upper() == country.upper())
    )  # fmt: skip
    write_records(rows, fmt, output)


@actors.command("show")
@click.argument("actor_id")
@click.pass_obj
def actors_show(obj: Context, actor_id: str) -> None:
    """Aliases, roles and why each alias was attached; the actor's events."""
    from wirewatch.store.records import EventFilter, actor_records, event_records

    store = obj.store()
    record = next((r for r in actor_records(store) if r["id"] == actor_id), None)
    if record is None:
        raise click.ClickException(f"no actor {actor_id!r}; `wirewatch actors` lists them")
    click.echo(f"{record['name']}  [{record['id']}]  {record['kind']}, {record['country'] or '-'}")
    click.echo("aliases:")
    for alias, reason in sorted(record["alias_reasons"].items()):
        click.echo(f"  {alias:32} {reason}")
    if record["roles"]:
        click.echo("roles:")
        for role in record["roles"]:
            click.echo(f"  {role['title']:32} {role['first_seen']} .. {role['last_seen']}")
    events = [
        e for e in event_records(store, EventFilter())
        if actor_id in {a["id"] for a in e["actors"] + e["attributed_to"]}
    ]  # fmt: skip
    click.echo(f"events: {len(events)}")
    for e in events:
        when = e["date"]["start"] if e["date"] else "undated"
        click.echo(f"  {when:10} {e['type']:9} {e['status']:12} {e['id']}")


def _correct(obj: Context, action: str, actor_id: str, value: str) -> None:
    from wirewatch.engine import relink

    store = obj.store()
    store.add_correction(action, actor_id, value)
    events = relink(store)
    if not obj.quiet:
        click.echo(f"{action} {actor_id} {value!r} recorded; {events} events relinked", err=True)


@actors.command("merge")
@click.argument("keep")
@click.argument("other")
@click.pass_obj
def actors_merge(obj: Context, keep: str, other: str) -> None:
    """OTHER is the same actor as KEEP: all its mentions move to KEEP."""
    _correct(obj, "merge", keep, other)


@actors.command("split")
@click.argument("actor_id")
@click.argument("alias")
@click.pass_obj
def actors_split(obj: Context, actor_id: str, alias: str) -> None:
    """Mentions of ACTOR_ID spelled ALIAS are someone else: they get an actor of their own."""
    _correct(obj, "split", actor_id, alias)


@actors.command("alias")
@click.argument("actor_id")
@click.argument("alias")
@click.pass_obj
def actors_alias(obj: Context, actor_id: str, alias: str) -> None:
    """Any mention spelled ALIAS is ACTOR_ID."""
    _correct(obj, "alias", actor_id, alias)


@actors.command("rename")
@click.argument("actor_id")
@click.argument("name")
@click.pass_obj
def actors_rename(obj: Context, actor_id: str, name: str) -> None:
    """Show ACTOR_ID under NAME."""
    _correct(obj, "rename", actor_id, name)


class _Failures:
    """Counts bad records and names each on stderr, so a command can exit non-zero at the end."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, err: InputError) -> None:
        click.echo(f"error: {err.source}: {err}", err=True)
        self.count += 1


def _records(path: Path, failures: _Failures) -> Iterator[tuple[dict[str, Any], str]]:
    """(record, source) for each good record of a JSON/JSONL file; bad ones go to failures."""
    from wirewatch.ingest.readers import RawRecord, read_file

    for item in read_file(path):
        if isinstance(item, RawRecord):
            yield item.data, item.source
        else:
            failures(item)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option(default="jsonl", choices=("jsonl", "csv", "table"))
@output_option
@click.pass_obj
def extract(obj: Context, file: Path, fmt: str, output: str | None) -> None:
    """Analyse records {id, text, published} without storing: one event mention per line."""
    from wirewatch.analyse import Analyser
    from wirewatch.ingest import build_article
    from wirewatch.ingest.readers import RawRecord
    from wirewatch.link.actors import actor_key
    from wirewatch.store.records import mention_record

    analyser = Analyser()
    failures = _Failures()
    articles = []
    for data, source in _records(file, failures):
        try:
            articles.append(build_article(RawRecord(data, source, "json")))
        except InputError as exc:
            failures(exc)

    def records() -> Iterator[dict[str, Any]]:
        for result in analyser.run(articles):
            for m in result.mentions:
                for a in [*m.actors, *m.attributed_to]:
                    a.id = actor_key(a, analyser.kb)[0]
                yield mention_record(m)

    write_records(records(), fmt, output)
    if failures.count:
        sys.exit(1)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option(default="jsonl", choices=("jsonl", "csv", "table"))
@output_option
def timex(file: Path, fmt: str, output: str | None) -> None:
    """Temporal expressions of records {id, text, dct}, normalised to TimeML TIMEX3 values."""
    from wirewatch.analyse import load_nlp
    from wirewatch.analyse.timex import find_timexes, timex_to_record
    from wirewatch.ingest import parse_published

    nlp = load_nlp()
    failures = _Failures()
    items: list[tuple[str, tuple[Any, date]]] = []
    for data, source in _records(file, failures):
        text, rid = data.get("text"), data.get("id", source)
        try:
            dct = parse_published(data.get("dct") or data.get("published"), source, str(rid))
        except InputError as exc:
            failures(exc)
            continue
        if not isinstance(text, str) or not text or dct is None:
            failures(InputError(Code.E017, source, record=rid))
            continue
        items.append((text, (rid, dct.date())))

    def records() -> Iterator[dict[str, Any]]:
        for doc, (rid, dct) in nlp.pipe(items, as_tuples=True, batch_size=32):
            for t in find_timexes(doc, dct):
                yield timex_to_record(t, rid)

    write_records(records(), fmt, output)
    if failures.count:
        sys.exit(1)


def _register_surface() -> None:
    from wirewatch.cli.serve import report_cmd, serve_cmd, watch_cmd

    for command in (serve_cmd, report_cmd, watch_cmd):
        cli.add_command(command)


_register_surface()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except WirewatchError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    except SystemExit:
        raise
