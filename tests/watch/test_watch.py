"""Watchlists: rules from TOML, matches after each ingest, JSONL/stderr output, webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from wirewatch.store import Store
from wirewatch.watch import Match, Rule, RuleError, Watcher, load_rules, post_webhook

FIRST = {
    "id": "w-001",
    "outlet": "Example Wire",
    "published": "2024-11-04T09:00:00+00:00",
    "title": "Troops",
    "text": "North Korea deployed 3,000 troops to Russia on Monday.",
}
SECOND = {
    "id": "w-002",
    "outlet": "Daily Seoul",
    "published": "2024-11-05T09:00:00+00:00",
    "title": "Talks",
    "text": "South Korea and the United States held a 2+2 meeting in "
    "Washington on Monday.\nJapan condemned China on Tuesday.",
}

RULES = """
[[rule]]
name = "DPRK forces to Russia"
type = ["MOBILIZE", "AID"]
source_country = "PRK"
target_country = ["RUS"]

[[rule]]
name = "anything with Japan"
actor = ["japan"]

[[rule]]
name = "Chinese assaults"
type = "ASSAULT"
actor = "CHN"
"""


def write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    p = tmp_path / "rules.toml"
    p.write_text(RULES, encoding="utf-8")
    return p


def test_load_rules(rules_file: Path) -> None:
    rules = load_rules(rules_file)
    assert [r.name for r in rules.rules] == [
        "DPRK forces to Russia",
        "anything with Japan",
        "Chinese assaults",
    ]
    assert rules.rules[0] == Rule(
        "DPRK forces to Russia", ("MOBILIZE", "AID"), (), ("PRK",), ("RUS",), ()
    )
    assert rules.webhook is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("[[rule]]\ntype = 'WAR'", "unknown type"),
        ("[[rule]]\nstatus = 'rumour'", "unknown status"),
        ("[[rule]]\nsource_country = 'Korea'", "alpha-3"),
        ("[[rule]]\ncolour = 'red'", "unknown field"),
        ("[[rule]]\ntype = 3", "string"),
        ("webhook = 'file:///etc/passwd'\n[[rule]]\ntype = 'AID'", "webhook"),
        ("title = 'x'", "unknown key"),
        ("", "no [[rule]]"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_bad_rules(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=message.replace("[", r"\[")):
        load_rules(p)
    with pytest.raises(RuleError):
        load_rules(tmp_path / "missing.toml")


def event(**kw: Any) -> dict[str, Any]:
    base = {
        "id": "ev-1",
        "type": "MOBILIZE",
        "status": "occurred",
        "attributed_to": [],
        "actors": [
            {"id": "PRK", "name": "North Korea", "country": "PRK", "role": "source"},
            {"id": "RUS", "name": "Russia", "country": "RUS", "role": "target"},
        ],
    }
    return base | kw


def test_rule_matching() -> None:
    r = Rule("r", types=("MOBILIZE",), source_countries=("PRK",), target_countries=("RUS",))
    assert r.matches(event(), {})
    assert not r.matches(event(type="AID"), {})
    swapped = [
        {**a, "role": "target" if a["role"] == "source" else "source"} for a in event()["actors"]
    ]
    assert not r.matches(event(actors=swapped), {})
    assert Rule("all").matches(event(), {})
    assert not Rule("s", statuses=("planned",)).matches(event(), {})
    msmt = Rule("m", actors=("Multilateral Sanctions Monitoring Team",))
    names = {"MSMT": {"msmt", "multilateral sanctions monitoring team"}}
    with_msmt = event(attributed_to=[{"id": "MSMT", "name": "MSMT"}])
    assert msmt.matches(with_msmt, names) and not msmt.matches(event(), names)


class Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hook() -> Iterator[str]:
    Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), Hook)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_watcher_reports_only_new_matches(
    tmp_path: Path, rules_file: Path, analyser: object, hook: str
) -> None:
    store = Store.open(str(tmp_path / "w.db"))
    got: list[Match] = []
    w = Watcher(store, load_rules(rules_file), sink=got.append, webhook=hook)
    summary, matches = w.ingest_and_check([write(tmp_path / "a.jsonl", FIRST)], analyser=analyser)
    assert summary.new == 1
    assert [(m.rule, m.reason) for m in matches] == [("DPRK forces to Russia", "new")]
    assert matches == got
    assert Hook.received and Hook.received[0]["rule"] == "DPRK forces to Russia"
    assert Hook.received[0]["event"]["evidence"]
    _, matches = w.ingest_and_check([write(tmp_path / "b.jsonl", SECOND)], analyser=analyser)
    assert {m.rule for m in matches} == {"anything with Japan"}
    assert all("JPN" in {a["id"] for a in m.event["actors"]} for m in matches)
    assert w.check() == []  # nothing changed since


def test_watcher_output_lines(
    tmp_path: Path, rules_file: Path, analyser: object, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from wirewatch.engine import ingest

    store = Store.open(str(tmp_path / "w.db"))
    ingest([write(tmp_path / "a.jsonl", FIRST)], store, analyser)  # type: ignore[arg-type]
    out = io.StringIO()
    w = Watcher(store, load_rules(rules_file), out=out)
    matches = w.check()  # no baseline: everything already there is new
    assert matches
    line = json.loads(out.getvalue().splitlines()[0])
    assert line["rule"] == "DPRK forces to Russia" and line["event_id"] == matches[0].event["id"]
    assert {"reason", "matched_at", "type", "status", "date", "actors", "articles"} <= set(line)
    assert "watch: [DPRK forces to Russia] new:" in capsys.readouterr().err


def test_webhook_failure_is_not_fatal() -> None:
    assert post_webhook("http://127.0.0.1:9/none", {"x": 1}, timeout=2) is False
    assert post_webhook("file:///etc/passwd", {"x": 1}) is False


def test_cli_watch_once(tmp_path: Path, rules_file: Path) -> None:
    from wirewatch.cli import cli
    from wirewatch.cli.serve import watch_cmd

    if "watch" not in cli.commands:
        cli.add_command(watch_cmd)
    feed = tmp_path / "feed"
    feed.mkdir()
    write(feed / "a.jsonl", FIRST)
    db = str(tmp_path / "cli.db")
    out = tmp_path / "matches.jsonl"
    runner = CliRunner()
    r = runner.invoke(
        cli, ["--db", db, "watch", "--rules", str(rules_file), "--once", "-o", str(out), str(feed)]
    )
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [x["rule"] for x in lines] == ["DPRK forces to Russia"]
    # a second run over the same folder: nothing new
    r = runner.invoke(
        cli, ["--db", db, "watch", "--rules", str(rules_file), "--once", "-o", str(out), str(feed)]
    )
    assert r.exit_code == 0 and len(out.read_text().splitlines()) == 1
    r = runner.invoke(cli, ["--db", db, "watch", "--rules", str(rules_file), "--once", "--all"])
    assert r.exit_code == 0 and json.loads(r.stdout.splitlines()[0])["rule"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[[rule]]\ntype='WAR'\n")
    r = runner.invoke(cli, ["--db", db, "watch", "--rules", str(bad), "--once"])
    assert r.exit_code == 2 and "unknown type" in r.output
