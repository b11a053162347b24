"""Watch: watchlist rules checked after every ingest.

Rules live in a TOML file::

    webhook = "https://hooks.example.org/wirewatch"   # optional: every match is POSTed here

    [[rule]]
    name = "DPRK support to Russia"
    type = ["MOBILIZE", "AID"]        # PLOVER types (any of)
    status = ["occurred", "claimed"]  # statuses (any of)
    source_country = ["PRK"]          # an actor in the source role of this country (any of)
    target_country = ["RUS"]          # an actor in the target role of this country (any of)

    [[rule]]
    name = "MSMT"
    actor = ["MSMT", "Multilateral Sanctions Monitoring Team"]  # id, name or alias, any role

Every condition a rule gives must hold; a rule with none matches every event. A match is
reported when an event is new since the last check, or its status changed, or it gained
sources (``reason``: ``new``, ``status``, ``sources``).
"""

from __future__ import annotations

import json
import logging
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from wirewatch.model import PLOVER_TYPES, STATUSES
from wirewatch.store import Store
from wirewatch.store.records import event_records
from wirewatch.store.schema import actor_aliases, actors

__all__ = [
    "Match",
    "Rule",
    "RuleError",
    "Rules",
    "Watcher",
    "load_rules",
    "post_webhook",
    "snapshot",
]

log = logging.getLogger("wirewatch.watch")


class RuleError(ValueError):
    """A rules file that cannot be used; the message names the rule and the field."""


def _codes(value: Any, where: str, upper: bool = True) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleError(f"{where}: a string or a list of strings")
    return tuple(v.strip().upper() if upper else v.strip() for v in value)


@dataclass(frozen=True)
class Rule:
    name: str
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    source_countries: tuple[str, ...] = ()
    target_countries: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], n: int) -> Rule:
        name = data.get("name") or f"rule {n}"
        where = f"rule {name!r}"
        known = {"name", "type", "status", "source_country", "target_country", "actor"}
        extra = set(data) - known
        if extra:
            raise RuleError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        types = _codes(data.get("type"), f"{where}: type")
        bad = [t for t in types if t not in PLOVER_TYPES]
        if bad:
            raise RuleError(f"{where}: unknown type {bad[0]!r}; one of {', '.join(PLOVER_TYPES)}")
        statuses = tuple(s.lower() for s in _codes(data.get("status"), f"{where}: status"))
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise RuleError(f"{where}: unknown status {bad[0]!r}; one of {', '.join(STATUSES)}")
        src = _codes(data.get("source_country"), f"{where}: source_country")
        tgt = _codes(data.get("target_country"), f"{where}: target_country")
        for code in src + tgt:
            if len(code) != 3 or not code.isalpha():
                raise RuleError(f"{where}: {code!r} is not an ISO 3166-1 alpha-3 code")
        return cls(
            name=str(name),
            types=types,
            statuses=statuses,
            source_countries=src,
            target_countries=tgt,
            actors=_codes(data.get("actor"), f"{where}: actor", upper=False),
        )

    def matches(self, event: Mapping[str, Any], names: Mapping[str, set[str]]) -> bool:
        """``names`` maps an actor id to every lower-cased name, alias and id it goes by."""
        if self.types and event["type"] not in self.types:
            return False
        if self.statuses and event["status"] not in self.statuses:
            return False
        if self.source_countries and not _in_role(event, "source", self.source_countries):
            return False
        if self.target_countries and not _in_role(event, "target", self.target_countries):
            return False
        if self.actors:
            wanted = {a.lower() for a in self.actors}
            for a in [*event["actors"], *event["attributed_to"]]:
                known = names.get(a["id"], set()) | {str(a["id"]).lower(), str(a["name"]).lower()}
                if known & wanted:
                    break
            else:
                return False
        return True


def _in_role(event: Mapping[str, Any], role: str, codes: tuple[str, ...]) -> bool:
    return any(
        a["role"] == role and ((a.get("country") or "").upper() in codes or a["id"] in codes)
        for a in event["actors"]
    )


@dataclass
class Rules:
    rules: list[Rule]
    webhook: str | None = None


def load_rules(path: str | Path) -> Rules:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None
    extra = set(data) - {"rule", "webhook"}
    if extra:
        raise RuleError(f"{path}: unknown key(s) {', '.join(sorted(extra))}; use [[rule]] tables")
    raw = data.get("rule", [])
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{path}: no [[rule]] tables")
    webhook = data.get("webhook")
    if webhook is not None and (
        not isinstance(webhook, str) or not webhook.startswith(("http://", "https://"))
    ):
        raise RuleError(f"{path}: webhook must be an http:// or https:// URL")
    return Rules([Rule.from_dict(r, n) for n, r in enumerate(raw, 1)], webhook)


# -- checking ------------------------------------------------------------------------------------


Signature = tuple[str, int]  # (status, number of source articles)


def snapshot(store: Store) -> dict[str, Signature]:
    """Every event's status and number of sources: compare two to see what an ingest changed."""
    return {r["id"]: (r["status"], len(r["articles"])) for r in event_records(store)}


def _actor_names(store: Store) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    with store.engine.connect() as conn:
        for r in conn.execute(select(actors.c.id, actors.c.name)):
            names.setdefault(r.id, set()).update({r.id.lower(), r.name.lower()})
        for r in conn.execute(select(actor_aliases.c.actor_id, actor_aliases.c.alias)):
            names.setdefault(r.actor_id, set()).add(r.alias.lower())
    return names


@dataclass
class Match:
    rule: str
    reason: str
    event: dict[str, Any]
    matched_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def as_dict(self) -> dict[str, Any]:
        e = self.event
        return {
            "rule": self.rule,
            "reason": self.reason,
            "matched_at": self.matched_at,
            "event_id": e["id"],
            "type": e["type"],
            "status": e["status"],
            "label": e.get("label"),
            "date": e["date"],
            "actors": [{k: a[k] for k in ("id", "name", "country", "role")} for a in e["actors"]],
            "articles": e["articles"],
            "event": e,
        }

    def line(self) -> str:
        e = self.event
        when = e["date"]["start"] if e["date"] else "undated"
        who = ", ".join(dict.fromkeys(a["name"] for a in e["actors"]))
        what = f"{when} {e['type']} {e['status']} {who} ({e['id']})"
        return f"watch: [{self.rule}] {self.reason}: {what}"


def post_webhook(url: str, payload: Mapping[str, Any], timeout: float = 10.0) -> bool:
    """POST one JSON payload; False (and a warning) when the hook does not answer 2xx."""
    if not url.startswith(("http://", "https://")):
        log.warning("webhook %s: only http(s) URLs are allowed", url)
        return False
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "wirewatch-watch"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (scheme checked)
            ok = 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("webhook %s failed: %s", url, exc)
        return False
    if not ok:
        log.warning("webhook %s answered %s", url, resp.status)
    return ok


class Watcher:
    """Checks the rules against what changed in the store since the last check.

    ``sink`` gets each match (default: a JSON line to ``out`` and a line to stderr);
    ``webhook`` (or the rules file's) gets each match POSTed as JSON."""

    def __init__(
        self,
        store: Store,
        rules: Rules,
        *,
        out: TextIO | None = None,
        quiet: bool = False,
        webhook: str | None = None,
        sink: Callable[[Match], None] | None = None,
        baseline: Mapping[str, Signature] | None = None,
    ) -> None:
        self.store = store
        self.rules = rules
        self.out = out
        self.quiet = quiet
        self.webhook = webhook or rules.webhook
        self.sink = sink
        self.seen: dict[str, Signature] = dict(baseline) if baseline is not None else {}

    def mark_seen(self) -> None:
        """Take the store as it is as the baseline: only later changes will be reported."""
        self.seen = snapshot(self.store)

    def check(self) -> list[Match]:
        """Matches among the events that are new or changed since the last check."""
        names: dict[str, set[str]] | None = None
        matches: list[Match] = []
        now: dict[str, Signature] = {}
        for event in event_records(self.store):
            sig: Signature = (event["status"], len(event["articles"]))
            now[event["id"]] = sig
            before = self.seen.get(event["id"])
            if before == sig:
                continue
            if before is None:
                reason = "new"
            elif before[0] != sig[0]:
                reason = f"status {before[0]} -> {sig[0]}"
            else:
                reason = "sources"
            if names is None:
                names = _actor_names(self.store)
            for rule in self.rules.rules:
                if rule.matches(event, names):
                    matches.append(Match(rule.name, reason, event))
        self.seen = now
        for m in matches:
            self.emit(m)
        return matches

    def emit(self, match: Match) -> None:
        if self.sink is not None:
            self.sink(match)
        else:
            if self.out is not None:
                self.out.write(json.dumps(match.as_dict(), ensure_ascii=False) + "\n")
                self.out.flush()
            if not self.quiet:
                print(match.line(), file=sys.stderr)
        if self.webhook:
            post_webhook(self.webhook, match.as_dict())

    def ingest_and_check(self, paths: Iterable[str | Path], **kw: Any) -> tuple[Any, list[Match]]:
        """Ingest, then check: the hook for ``wirewatch ingest`` and ``wirewatch watch``."""
        from wirewatch.engine import ingest

        if not self.seen:
            self.mark_seen()
        summary = ingest(paths, self.store, **kw)
        return summary, self.check()


def fingerprint(paths: Iterable[str | Path]) -> tuple[tuple[str, int, float], ...]:
    """Size and modification time of every file under ``paths``: unchanged means no ingest."""
    out: list[tuple[str, int, float]] = []
    for p in map(Path, paths):
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            out.append((str(f), st.st_size, st.st_mtime))
    return tuple(out)
