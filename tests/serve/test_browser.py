"""Browser tests: Debian's headless Chromium driven by Playwright against a real uvicorn server.

Skipped with a message when /usr/bin/chromium (or Playwright) is missing, unless $CI is set:
then they fail. Screenshots go to a temporary folder (or $WIREWATCH_SCREENSHOTS)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("WIREWATCH_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _need_browser() -> None:
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} not found (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright for Python is not installed (pip install playwright)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need Chromium and Playwright in CI: {missing}")
        pytest.skip(f"browser tests skipped: {missing}")


class Server:
    def __init__(self, db: str) -> None:
        import uvicorn

        from wirewatch.serve import create_app

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(
            create_app(db), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("WIREWATCH_SCREENSHOTS")
    path = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    yield pg
    context.close()


def test_click_from_home_to_event_to_actor(serve_db: str, page: Any, shots: Path) -> None:
    with Server(serve_db) as srv:
        page.goto(srv.url + "/")
        page.screenshot(path=str(shots / "home.png"), full_page=True)
        assert page.locator("table.events a.event-link").count() > 0
        page.locator("a.event-link", has_text="2+2").first.click()
        page.wait_for_url("**/events/ev-*")
        trigger = page.locator("blockquote.evidence mark.hl.trigger").first
        trigger.wait_for(state="visible")
        assert trigger.inner_text().strip()
        bg = trigger.evaluate("el => getComputedStyle(el).backgroundColor")
        assert bg not in ("rgba(0, 0, 0, 0)", "transparent")  # the stylesheet loaded
        assert page.locator("li.source").count() >= 1
        page.screenshot(path=str(shots / "event.png"), full_page=True)
        page.locator("dd a.actor-link", has_text="South Korea").first.click()
        page.wait_for_url("**/actors/KOR")
        graph = page.locator("svg#counterparts-graph")
        graph.wait_for(state="visible")
        assert graph.locator("a.node circle").count() >= 1
        assert graph.bounding_box()["width"] > 200
        page.screenshot(path=str(shots / "actor.png"), full_page=True)
        page.locator("svg#counterparts-graph a.node").first.click()
        page.wait_for_url("**/actors/*")
        story = page.goto(srv.url + "/")
        assert story is not None
        page.locator("a.story-link").first.click()
        page.wait_for_url("**/stories/st-*")
        assert page.locator("svg#story-timeline a.tl-item").count() >= 1
        page.screenshot(path=str(shots / "story.png"), full_page=True)
        page.locator("svg#story-timeline a.tl-item").first.click()
        page.wait_for_url("**/events/ev-*")
    assert page.dialogs == []  # type: ignore[attr-defined]
    for name in ("home", "event", "actor", "story"):
        assert (shots / f"{name}.png").stat().st_size > 5000


def test_hostile_text_shows_as_text_and_runs_nothing(serve_db: str, page: Any, shots: Path) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    with Server(serve_db) as srv:
        page.goto(srv.url + "/articles/t-003")
        body = page.locator("main").inner_text()
        assert "<script>alert('xss')</script>" in body
        assert "<img src=x onerror=alert(1)>" in body
        assert page.locator("main script, main img").count() == 0
        assert "<script>alert('title')</script>" in page.locator("h1").inner_text()
        page.screenshot(path=str(shots / "hostile-article.png"), full_page=True)
        page.locator("div.text a.hl.trigger").first.click()
        page.wait_for_url("**/events/ev-*")
        assert "onerror=alert(1)" in page.locator("main").inner_text()
        page.goto(srv.url + "/events?q=%3Cscript%3E")
        page.goto(srv.url + "/")
        page.wait_for_timeout(300)
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert errors == []


def test_seed_two_plus_two_page(seeds_db: str, page: Any, shots: Path) -> None:
    from fastapi.testclient import TestClient

    from wirewatch.serve import create_app

    with TestClient(create_app(seeds_db)) as c:
        found = c.get("/api/events?type=CONSULT&since=2024-10-31&until=2024-10-31&actor=USA")
        events = [e for e in found.json()["data"] if e.get("label") == "2+2"]
    assert events, "the 6th ROK-US 2+2 (31 Oct 2024) is not in the ledger"
    e = events[0]
    with Server(seeds_db) as srv:
        page.goto(f"{srv.url}/events/{e['id']}")
        page.screenshot(path=str(shots / "seeds-2plus2.png"), full_page=True)
        sources = page.locator("li.source")
        articles = {sources.nth(i).get_attribute("data-article") for i in range(sources.count())}
        assert {"seed-002", "seed-003", "seed-004"} <= articles
        for ev in e["evidence"]:
            if ev["article"] in ("seed-002", "seed-003", "seed-004"):
                text = " ".join(ev["sentence"].split())
                shown = page.locator(f'li.source[data-article="{ev["article"]}"] blockquote')
                assert any(
                    " ".join(shown.nth(i).inner_text().split()) == text
                    for i in range(shown.count())
                )
