"""Writing records: a table for people, JSONL/CSV/Parquet for programs. Data goes to stdout
(or ``--output``); nothing else does."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

import click

FORMATS = ("table", "jsonl", "csv", "parquet")


def _flat(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_records(
    records: Iterable[dict[str, Any]],
    fmt: str,
    output: str | None,
    table: Callable[[list[dict[str, Any]]], Any] | None = None,
) -> int:
    """Write records in the chosen format; returns how many were written."""
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = list(records)
        if output is None and sys.stdout.isatty():
            raise click.UsageError("Parquet is binary: give --output FILE or redirect stdout.")
        tbl = pa.Table.from_pylist([{k: _flat(v) for k, v in r.items()} for r in rows])
        pq.write_table(tbl, output or sys.stdout.buffer)
        return len(rows)
    stream: TextIO
    with open(output, "w", encoding="utf-8", newline="") if output else _stdout() as stream:
        if fmt == "jsonl":
            n = 0
            for record in records:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                n += 1
            return n
        rows = list(records)
        if fmt == "csv":
            columns: list[str] = []
            for r in rows:
                columns += [k for k in r if k not in columns]
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            for r in rows:
                writer.writerow({k: _flat(v) for k, v in r.items()})
            return len(rows)
        from rich.console import Console

        console = Console(file=stream, width=None if stream.isatty() else 160)
        console.print(table(rows) if table else _generic_table(rows))
        return len(rows)


class _stdout:
    def __enter__(self) -> TextIO:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


def _generic_table(rows: Sequence[dict[str, Any]]) -> Any:
    from rich.table import Table

    tbl = Table(show_lines=False)
    columns = list(rows[0]) if rows else []
    for c in columns:
        tbl.add_column(c)
    for r in rows:
        tbl.add_row(*[str(_flat(r.get(c)) if r.get(c) is not None else "") for c in columns])
    return tbl


def format_option(default: str = "table", choices: Sequence[str] = FORMATS) -> Callable:
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True,
        help="table for people; jsonl, csv or parquet for programs.",
    )  # fmt: skip


def output_option(f: Callable) -> Callable:
    return click.option(
        "--output", "-o", type=click.Path(dir_okay=False), default=None,
        help="Write to FILE instead of stdout.",
    )(f)  # fmt: skip
