"""Live and archive sources against a real HTTP server on 127.0.0.1 (never the internet).

Loopback is refused by the default policy, so tests that expect a page set
``allow_private=True``; the refusal itself is tested with a transport that fails the test
if anything is sent.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wirewatch.errors import InputError
from wirewatch.ingest import build_article
from wirewatch.ingest.readers import RawRecord
from wirewatch.ingest.sources import (
    FeedState,
    FetchPolicy,
    RobotsCache,
    address_refusal,
    check_url,
    fetch_url,
    iter_feed,
    iter_warc,
)

ARTICLE = (
    "<html><head><title>ROK and UK hold 9th Strategic Dialogue</title></head><body>"
    "<nav>Home | World | Politics</nav><article><h1>ROK and UK hold 9th Strategic Dialogue</h1>"
    "<p>First Vice Foreign Minister Kim Hong-kyun held the 9th Korea-UK Strategic Dialogue with "
    "Permanent Under-Secretary Philip Barton in Seoul on October 21, 2024, the foreign ministry "
    "said.</p><p>The two sides discussed cooperation on North Korea, Ukraine and the Middle East, "
    "and agreed to deepen their defence and security partnership in the coming year.</p>"
    "<p>They also condemned the deployment of North Korean troops to Russia, which they said "
    "violated several resolutions of the United Nations Security Council.</p></article>"
    "<footer>Copyright 2024</footer></body></html>"
)

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Site:
    """Routes of the local test server and a log of the requests it got."""

    base: str
    routes: dict[str, Callable[[BaseHTTPRequestHandler], Reply] | Reply] = field(
        default_factory=dict
    )
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for got, headers in self.log if got == path]


@pytest.fixture
def site() -> Iterator[Site]:
    holder: dict[str, Site] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            current = holder["site"]
            current.log.append((self.path, dict(self.headers.items())))
            route = current.routes.get(self.path)
            if route is None:
                status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
            elif callable(route):
                status, headers, body = route(self)
            else:
                status, headers, body = route
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["site"] = Site(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield holder["site"]
    finally:
        server.shutdown()
        server.server_close()


LOCAL = FetchPolicy(allow_private=True, timeout=5)


def html(body: str = ARTICLE, charset: str = "utf-8") -> Reply:
    return 200, {"Content-Type": f"text/html; charset={charset}"}, body.encode(charset)


def error_text(item: object) -> str:
    assert isinstance(item, InputError), item
    return str(item)


# --- URLs ---------------------------------------------------------------------------------


def test_fetch_page_becomes_article(site: Site) -> None:
    site.routes["/news/1"] = html()
    record = fetch_url(site.url("/news/1"), LOCAL, robots=RobotsCache())
    assert isinstance(record, RawRecord)
    assert record.kind == "html"
    assert record.source == site.url("/news/1")
    assert record.data["url"] == site.url("/news/1")
    article = build_article(record)
    assert "Strategic Dialogue with Permanent Under-Secretary Philip Barton" in article.text
    assert "Copyright" not in article.text
    assert article.url == site.url("/news/1")


def test_fetch_plain_text_uses_response_charset(site: Site) -> None:
    text = "Cho Tae-yul met Lloyd Austin in Washington. Café talks followed."
    site.routes["/t.txt"] = (
        200,
        {"Content-Type": "text/plain; charset=latin-1"},
        text.encode("latin-1"),
    )
    record = fetch_url(site.url("/t.txt"), LOCAL, robots=RobotsCache())
    assert isinstance(record, RawRecord)
    assert record.kind == "text"
    assert record.data["text"] == text
    assert "Café" in build_article(record).text


def test_fetch_follows_redirects_and_reports_final_url(site: Site) -> None:
    site.routes["/old"] = (301, {"Location": "/mid"}, b"")
    site.routes["/mid"] = (302, {"Location": site.url("/news/2")}, b"")
    site.routes["/news/2"] = html()
    record = fetch_url(site.url("/old"), LOCAL, robots=RobotsCache())
    assert isinstance(record, RawRecord)
    assert record.data["url"] == site.url("/news/2")
    assert record.source == site.url("/old")


def test_too_many_redirects(site: Site) -> None:
    site.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    item = fetch_url(site.url("/loop"), LOCAL, robots=RobotsCache())
    assert "more than 5 redirects" in error_text(item)


def test_http_error_status(site: Site) -> None:
    item = fetch_url(site.url("/missing"), LOCAL, robots=RobotsCache())
    assert "HTTP 404" in error_text(item)


def test_unsupported_content_type(site: Site) -> None:
    site.routes["/doc.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    assert "unsupported content type" in error_text(fetch_url(site.url("/doc.pdf"), LOCAL))


def _no_network() -> tuple[httpx.Client, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, text="should never be reached")

    return httpx.Client(transport=httpx.MockTransport(handler)), sent


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://10.0.0.1/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
def test_default_policy_refuses_non_public_addresses_without_connecting(
    url: str, kind: str
) -> None:
    client, sent = _no_network()
    item = fetch_url(url, FetchPolicy(), client, robots=RobotsCache())
    message = error_text(item)
    assert "refused" in message and kind in message
    assert sent == []  # not even robots.txt was asked for


def test_host_name_resolving_to_private_address_is_refused() -> None:
    client, sent = _no_network()
    policy = FetchPolicy(resolve=lambda host, port: ["93.184.215.14", "192.168.1.20"])
    item = fetch_url("http://news.example/story", policy, client)
    assert "192.168.1.20 is a private address" in error_text(item)
    assert "news.example resolves to it" in error_text(item)
    assert sent == []


def test_public_address_passes_the_check() -> None:
    policy = FetchPolicy(resolve=lambda host, port: ["93.184.215.14"])
    assert check_url("https://news.example/a", policy) is None
    assert address_refusal("8.8.8.8", FetchPolicy()) is None
    assert address_refusal("127.0.0.1", FetchPolicy(allow_private=True)) is None
    assert address_refusal("10.1.2.3", FetchPolicy(allow_networks=("10.1.2.0/24",))) is None
    assert address_refusal("10.1.3.3", FetchPolicy(allow_networks=("10.1.2.0/24",)))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/", "javascript:1"]
)
def test_non_http_schemes_are_refused(url: str) -> None:
    client, sent = _no_network()
    message = error_text(fetch_url(url, LOCAL, client))
    assert "scheme" in message or "invalid URL" in message
    assert sent == []


@pytest.mark.parametrize("target", ["http://10.0.0.1/secret", "http://[::1]:9/", "/local"])
def test_redirect_from_allowed_host_to_private_one_is_refused(site: Site, target: str) -> None:
    # 127.0.0.1 (our server) is allowed by name; nothing else private is.
    policy = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout=5)
    if target == "/local":
        # a hostname on the same server, resolving to a loopback address that is not allowed
        site.routes["/go"] = (302, {"Location": "http://intranet.test/local"}, b"")
        policy = FetchPolicy(
            allow_networks=("127.0.0.1/32",),
            timeout=5,
            resolve=lambda host, port: ["127.0.0.2"],
        )
    else:
        site.routes["/go"] = (302, {"Location": target}, b"")
    item = fetch_url(site.url("/go"), policy, robots=RobotsCache())
    message = error_text(item)
    assert "redirect to" in message and "refused" in message
    assert site.hits("/go")  # the first hop was allowed and fetched


def test_size_limit_with_and_without_content_length(site: Site) -> None:
    big = ("<p>" + "x" * 10_000 + "</p>").encode()
    site.routes["/big"] = (200, {"Content-Type": "text/html"}, big)

    def streamed(handler: BaseHTTPRequestHandler) -> Reply:
        handler.close_connection = True
        return (
            200,
            {"Content-Type": "text/html", "Transfer-Encoding": "chunked"},
            (f"{len(big):x}\r\n".encode() + big + b"\r\n0\r\n\r\n"),
        )

    site.routes["/stream"] = streamed
    policy = FetchPolicy(allow_private=True, max_bytes=1000, timeout=5)
    for path in ("/big", "/stream"):
        assert "larger than 1000 bytes" in error_text(fetch_url(site.url(path), policy))


def test_timeout(site: Site) -> None:
    def slow(handler: BaseHTTPRequestHandler) -> Reply:
        time.sleep(2)
        return html()

    site.routes["/slow"] = slow
    policy = FetchPolicy(allow_private=True, timeout=0.3)
    started = time.monotonic()
    item = fetch_url(site.url("/slow"), policy, robots=RobotsCache())
    assert "timed out" in error_text(item)
    assert time.monotonic() - started < 1.5


def test_robots_txt_disallow_is_respected_and_cached(site: Site) -> None:
    site.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nDisallow: /private/\n\nUser-agent: wirewatch\nDisallow: /no-bots/\n",
    )
    site.routes["/no-bots/a"] = html()
    site.routes["/public/a"] = html()
    robots = RobotsCache()
    assert "disallowed by robots.txt" in error_text(
        fetch_url(site.url("/no-bots/a"), LOCAL, robots=robots)
    )
    assert isinstance(fetch_url(site.url("/public/a"), LOCAL, robots=robots), RawRecord)
    assert not site.hits("/no-bots/a")
    assert len(site.hits("/robots.txt")) == 1
    ignoring = FetchPolicy(allow_private=True, respect_robots=False)
    assert isinstance(fetch_url(site.url("/no-bots/a"), ignoring, robots=robots), RawRecord)


def test_robots_4xx_allows_and_5xx_disallows(site: Site) -> None:
    site.routes["/a"] = html()
    assert isinstance(fetch_url(site.url("/a"), LOCAL, robots=RobotsCache()), RawRecord)
    site.routes["/robots.txt"] = (503, {"Content-Type": "text/plain"}, b"busy")
    assert "robots.txt" in error_text(fetch_url(site.url("/a"), LOCAL, robots=RobotsCache()))


# --- feeds --------------------------------------------------------------------------------


def rss(items: list[tuple[str, str]], base: str) -> bytes:
    parts = [
        f"<item><title>{title}</title><link>{base}/p/{guid}</link><guid>urn:{guid}</guid>"
        f"<pubDate>Mon, 21 Oct 2024 09:00:00 +0900</pubDate>"
        f"<description><![CDATA[<p>{title}. Foreign Minister Cho Tae-yul said the talks "
        f"went well.</p>]]></description></item>"
        for guid, title in items
    ]
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Test Wire</title>'
        f"<link>{base}</link><description>t</description>{''.join(parts)}</channel></rss>"
    ).encode()


def feed_route(site: Site, version: dict[str, Any]) -> Callable[[BaseHTTPRequestHandler], Reply]:
    def route(handler: BaseHTTPRequestHandler) -> Reply:
        etag = f'"v{version["n"]}"'
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        body = rss(version["items"], site.base)
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, body

    return route


def test_feed_conditional_get_seen_items_and_changes(site: Site, tmp_path: Path) -> None:
    version: dict[str, Any] = {"n": 1, "items": [("1", "Dialogue held"), ("2", "ICBM test")]}
    site.routes["/feed.xml"] = feed_route(site, version)
    feed = site.url("/feed.xml")
    state_path = tmp_path / "state" / "feeds.json"

    first = list(iter_feed(feed, LOCAL, FeedState(state_path), robots=RobotsCache()))
    assert all(isinstance(r, RawRecord) for r in first)
    assert [r.data["title"] for r in first if isinstance(r, RawRecord)] == [
        "Dialogue held",
        "ICBM test",
    ]
    record = first[0]
    assert isinstance(record, RawRecord)
    assert record.kind == "text"  # the summary's HTML as text; the HTML is kept beside it
    assert record.data["html"].startswith("<p>Dialogue held.")
    assert (
        record.data["text"]
        == "Dialogue held. Foreign Minister Cho Tae-yul said the talks went well."
    )
    assert record.data["url"] == site.url("/p/1")
    assert record.data["published"] == "2024-10-21T00:00:00+00:00"
    assert record.data["outlet"] == "Test Wire"
    article = build_article(record)
    assert "Cho Tae-yul" in article.text
    assert article.published is not None and article.published.isoformat().startswith("2024-10-21")

    # Second poll, from the state on disk: If-None-Match sent, 304, nothing new.
    second = list(iter_feed(feed, LOCAL, FeedState(state_path), robots=RobotsCache()))
    assert second == []
    assert site.hits("/feed.xml")[-1].get("If-None-Match") == '"v1"'

    # The feed changes: only the new item comes out.
    version.update(n=2, items=[("3", "Troops in Russia"), *version["items"]])
    third = list(iter_feed(feed, LOCAL, FeedState(state_path), robots=RobotsCache()))
    assert [r.data["title"] for r in third if isinstance(r, RawRecord)] == ["Troops in Russia"]
    saved = json.loads(state_path.read_text())
    assert saved["feeds"][feed]["etag"] == '"v2"'
    assert sorted(saved["feeds"][feed]["seen"]) == ["urn:1", "urn:2", "urn:3"]
    assert [p.name for p in state_path.parent.iterdir()] == ["feeds.json"]  # no temp files


def test_feed_without_validators_still_skips_seen_items(site: Site, tmp_path: Path) -> None:
    site.routes["/plain.xml"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        rss([("a", "One"), ("b", "Two")], site.base),
    )
    state = FeedState(tmp_path / "s.json")
    assert len(list(iter_feed(site.url("/plain.xml"), LOCAL, state, robots=RobotsCache()))) == 2
    assert list(iter_feed(site.url("/plain.xml"), LOCAL, state, robots=RobotsCache())) == []
    assert "If-None-Match" not in site.hits("/plain.xml")[-1]


def test_feed_fetch_pages_and_atom(site: Site, tmp_path: Path) -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Atom Wire</title><id>urn:wire</id><updated>2024-10-21T00:00:00Z</updated>"
        f'<entry><title>From the feed</title><link href="{site.base}/p/9"/><id>urn:9</id>'
        "<updated>2024-10-21T03:00:00Z</updated><summary>teaser</summary></entry>"
        f'<entry><title>Broken</title><link href="{site.base}/p/missing"/><id>urn:10</id>'
        "<updated>2024-10-21T04:00:00Z</updated><summary>teaser</summary></entry></feed>"
    ).encode()
    site.routes["/atom.xml"] = (
        200,
        {"Content-Type": "application/atom+xml", "ETag": '"a1"'},
        atom,
    )
    site.routes["/p/9"] = html()
    state = FeedState(tmp_path / "s.json")
    items = list(
        iter_feed(site.url("/atom.xml"), LOCAL, state, fetch_pages=True, robots=RobotsCache())
    )
    page, broken = items
    assert isinstance(page, RawRecord)
    assert page.data["url"] == site.url("/p/9")
    assert page.data["title"] == "From the feed"
    assert page.data["published"] == "2024-10-21T03:00:00+00:00"
    assert "Philip Barton" in build_article(page).text
    assert "HTTP 404" in error_text(broken)
    # The failed page is retried next time: not marked seen, and no ETag saved.
    assert state.is_seen(site.url("/atom.xml"), "urn:9")
    assert not state.is_seen(site.url("/atom.xml"), "urn:10")
    assert state.validators(site.url("/atom.xml")) == (None, None)


def test_feed_errors(site: Site, tmp_path: Path) -> None:
    state = FeedState(tmp_path / "s.json")
    site.routes["/junk.xml"] = (200, {"Content-Type": "text/html"}, b"\x00\x01 not a feed <<<")
    (item,) = iter_feed(site.url("/junk.xml"), LOCAL, state, robots=RobotsCache())
    assert "not an RSS/Atom feed" in error_text(item)
    (item,) = iter_feed("http://10.0.0.1/feed", FetchPolicy(), state)
    assert "refused" in error_text(item)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="feed state is unreadable"):
        FeedState(bad)


# --- WARC ---------------------------------------------------------------------------------


def write_warc(gzip: bool) -> tuple[bytes, list[int]]:
    """Two HTML responses around a PDF one; returns the bytes and each record's offset."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip)
    offsets = []
    pages = [
        ("https://news.example/a", "text/html; charset=utf-8", ARTICLE.encode()),
        ("https://news.example/doc.pdf", "application/pdf", b"%PDF-1.4 " + b"\x00\x01" * 500),
        ("https://news.example/b", "text/html", ARTICLE.replace("9th", "10th").encode()),
    ]
    for uri, content_type, body in pages:
        offsets.append(buffer.tell())
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return buffer.getvalue(), offsets


@pytest.mark.parametrize("gzip", [True, False])
def test_warc_html_responses(tmp_path: Path, gzip: bool) -> None:
    data, offsets = write_warc(gzip)
    path = tmp_path / ("news.warc.gz" if gzip else "news.warc")
    path.write_bytes(data)
    records = list(iter_warc(path))
    assert all(isinstance(r, RawRecord) for r in records), records
    assert [r.data["url"] for r in records if isinstance(r, RawRecord)] == [
        "https://news.example/a",
        "https://news.example/b",
    ]
    first = records[0]
    assert isinstance(first, RawRecord)
    assert first.kind == "html"
    assert first.source == f"{path}@{offsets[0]}"
    assert first.data["id"].startswith("urn:uuid:")
    assert first.data["published"].endswith("Z")
    article = build_article(first)
    assert article.id == first.data["id"]
    assert "Philip Barton" in article.text


@pytest.mark.parametrize("gzip", [True, False])
def test_truncated_warc_yields_error_with_offset(tmp_path: Path, gzip: bool) -> None:
    data, offsets = write_warc(gzip)
    path = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    path.write_bytes(data[: offsets[2] + (len(data) - offsets[2]) // 2])
    items = list(iter_warc(path))
    assert isinstance(items[0], RawRecord)
    assert items[0].data["url"] == "https://news.example/a"
    assert len(items) == 2
    message = error_text(items[1])
    assert str(path) in message or items[1].source.startswith(str(path))
    assert f"offset {offsets[2]}" in message


def test_corrupt_gzip_member_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    data, offsets = write_warc(gzip=True)
    middle = (offsets[1] + offsets[2]) // 2
    broken = (
        data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 16]) + data[middle + 16 :]
    )
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(broken)
    items = list(iter_warc(path))
    urls = [r.data["url"] for r in items if isinstance(r, RawRecord)]
    errors = [r for r in items if isinstance(r, InputError)]
    assert urls == ["https://news.example/a", "https://news.example/b"]
    assert len(errors) == 1
    assert f"offset {offsets[1]}" in str(errors[0])


def test_missing_warc_file(tmp_path: Path) -> None:
    (item,) = iter_warc(tmp_path / "nope.warc.gz")
    assert "nope.warc.gz" in error_text(item) or item.source.endswith("nope.warc.gz")
