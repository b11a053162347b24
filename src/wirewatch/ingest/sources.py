"""Live and archive sources: URLs, RSS/Atom feeds and WARC files in; raw records out.

Everything here yields the same ``RawRecord`` / ``InputError`` items as the file readers, so
``build_article`` and the rest of the pipeline do not care where a page came from. A failed
page, feed item or WARC record becomes an ``InputError`` naming the URL or file offset, and the
run goes on with the next one.

Fetching a URL someone else chose is a classic server-side request forgery hole, so by default
the fetcher refuses any host that resolves to a non-public address (loopback, private, link-local
such as the cloud metadata service at 169.254.169.254, multicast, reserved, unspecified), checks
again on every redirect hop and once more against the address the socket actually connected to
(so a DNS answer that changes between check and connect is caught too). ``allow_private`` or
``allow_networks`` open that up for intranet mirrors and for tests.
"""

from __future__ import annotations

import calendar
import codecs
import contextlib
import ipaddress
import json
import os
import re
import socket
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.robotparser import RobotFileParser

import feedparser
import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from wirewatch.errors import Code, InputError
from wirewatch.ingest.readers import RawRecord

__all__ = [
    "DEFAULT_USER_AGENT",
    "FeedState",
    "FetchPolicy",
    "RobotsCache",
    "address_refusal",
    "check_url",
    "fetch_url",
    "iter_feed",
    "iter_warc",
]

DEFAULT_USER_AGENT = "wirewatch/0.1 (+https://example.org/wirewatch)"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB, ignore the rest
ROBOTS_TTL = 24 * 3600.0  # RFC 9309: do not use a cached robots.txt for more than 24 hours
ROBOTS_ERROR_TTL = 600.0  # a 5xx or timeout is retried after ten minutes, not a day
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
FEED_SEEN_LIMIT = 10_000  # per feed: enough for months of a busy wire, bounded file size

# errors.py is shared: every source error is E011 ("cannot read ...") with a detail saying why.
# The prefixes below keep the reasons greppable.
REFUSED = "refused"
ROBOTS = "disallowed by robots.txt"
TOO_LARGE = "response larger than"
TIMEOUT = "timed out"

Resolver = Callable[[str, int], list[str]]


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how safely to fetch: the limits that keep one bad server from
    stalling a run or tricking us into reading our own network."""

    timeout: float = 10.0  # seconds for the whole request, redirects included
    max_bytes: int = DEFAULT_MAX_BYTES
    user_agent: str = DEFAULT_USER_AGENT
    allow_private: bool = False
    respect_robots: bool = True
    allowed_schemes: tuple[str, ...] = ("http", "https")
    # Networks that are fetched even though they are not public, e.g. ("10.1.2.0/24",) for an
    # intranet mirror; narrower than allow_private.
    allow_networks: tuple[str, ...] = ()
    max_redirects: int = 5
    # Host name resolution; injectable so tests (and callers with their own DNS) can control it.
    resolve: Resolver = field(default=_system_resolve, compare=False, repr=False)


def _error(url: str, detail: str) -> InputError:
    return InputError(Code.E019, url, detail=detail)


def address_refusal(address: str, policy: FetchPolicy) -> str | None:
    """Why this IP address may not be fetched under the policy, or None when it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return f"{address!r} is not an IP address"
    if policy.allow_private:
        return None
    for net in policy.allow_networks:
        with contextlib.suppress(ValueError):
            if ip in ipaddress.ip_network(net, strict=False):
                return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    for kind, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    ):
        if flag:
            article = "an" if kind[0] in "aeiou" else "a"
            return f"{REFUSED}: {ip} is {article} {kind} address"
    return None


def check_url(url: str | httpx.URL, policy: FetchPolicy) -> str | None:
    """Why this URL may not be fetched (scheme, host, every address it resolves to), or None.

    Runs before any connection, on the first URL and on every redirect target: a public page
    that redirects to http://127.0.0.1/ is refused here."""
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        return f"invalid URL: {exc}"
    if parsed.scheme not in policy.allowed_schemes:
        allowed = ", ".join(policy.allowed_schemes)
        return f"{REFUSED}: scheme {parsed.scheme or '(none)'!r} (allowed: {allowed})"
    host = parsed.host
    if not host:
        return "invalid URL: no host"
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        addresses = [host]  # a literal: no DNS look-up
    except ValueError:
        if policy.allow_private:
            return None  # nothing to check: let the HTTP client resolve it
        try:
            addresses = policy.resolve(
                host, parsed.port or (443 if parsed.scheme == "https" else 80)
            )
        except (OSError, UnicodeError) as exc:
            return f"cannot resolve host {host!r}: {exc}"
        if not addresses:
            return f"cannot resolve host {host!r}: no addresses"
    for address in addresses:
        reason = address_refusal(address, policy)
        if reason:
            return reason if address == host else f"{reason} ({host} resolves to it)"
    return None


class RobotsCache:
    """robots.txt per scheme+host+port, fetched once and kept for a day.

    Follows RFC 9309: a 4xx answer (no robots.txt) allows everything; a 5xx, a timeout or a
    network error means the site is unreachable and everything is disallowed until a retry
    ten minutes later."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, RobotFileParser | bool]] = {}

    def allowed(self, url: httpx.URL, policy: FetchPolicy, client: httpx.Client) -> bool:
        key = f"{url.scheme}://{url.host}:{url.port or ''}"
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is None or entry[0] < now:
            entry = self._load(url, policy, client, now)
            self._entries[key] = entry
        rules = entry[1]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(policy.user_agent, str(url))

    def _load(
        self, url: httpx.URL, policy: FetchPolicy, client: httpx.Client, now: float
    ) -> tuple[float, RobotFileParser | bool]:
        robots_url = url.copy_with(path="/robots.txt", query=None, fragment=None)
        try:
            got = _fetch(
                str(robots_url), policy, client, self, check_robots=False,
                max_bytes=ROBOTS_MAX_BYTES, truncate=True,
            )  # fmt: skip
        except InputError:
            return now + ROBOTS_ERROR_TTL, False
        if 400 <= got.status < 500:
            return now + ROBOTS_TTL, True
        if not 200 <= got.status < 300:
            return now + ROBOTS_ERROR_TTL, False
        parser = RobotFileParser(str(robots_url))
        parser.parse(got.body.decode("utf-8", errors="replace").splitlines())
        return now + ROBOTS_TTL, parser


_DEFAULT_ROBOTS = RobotsCache()


@dataclass
class _Fetched:
    url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes


def _new_client(policy: FetchPolicy) -> httpx.Client:
    # trust_env=False: a proxy from the environment would make the connected-address check
    # meaningless (we would see the proxy, not the server).
    return httpx.Client(
        timeout=httpx.Timeout(policy.timeout),
        headers={"User-Agent": policy.user_agent},
        follow_redirects=False,
        trust_env=False,
    )


def _peer_refusal(response: httpx.Response, policy: FetchPolicy) -> str | None:
    """The address the socket really connected to, checked again (DNS rebinding)."""
    stream = response.extensions.get("network_stream")
    if stream is None or policy.allow_private:
        return None  # a test transport or a custom client: the pre-connect check stands
    peer = stream.get_extra_info("server_addr")
    if not peer:
        return None
    return address_refusal(str(peer[0]), policy)


def _fetch(
    url: str,
    policy: FetchPolicy,
    client: httpx.Client,
    robots: RobotsCache,
    *,
    check_robots: bool = True,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
    truncate: bool = False,
) -> _Fetched:
    """GET with every check on every hop; raises InputError. Any final status is returned."""
    limit = policy.max_bytes if max_bytes is None else max_bytes
    deadline = time.monotonic() + policy.timeout
    current = url
    for _hop in range(policy.max_redirects + 1):
        reason = check_url(current, policy)
        if reason:
            raise _error(url, reason if current == url else f"redirect to {current}: {reason}")
        target = httpx.URL(current)
        if check_robots and policy.respect_robots and not robots.allowed(target, policy, client):
            raise _error(url, f"{ROBOTS}: {current}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _error(url, f"{TIMEOUT} after {policy.timeout:g} s")
        request_headers = {"User-Agent": policy.user_agent, **(headers or {})}
        try:
            with client.stream(
                "GET", target, headers=request_headers, follow_redirects=False,
                timeout=httpx.Timeout(remaining),
            ) as response:  # fmt: skip
                reason = _peer_refusal(response, policy)
                if reason:
                    raise _error(url, f"{reason} (connected address of {target.host})")
                location = response.headers.get("location")
                if response.status_code in REDIRECT_STATUSES and location:
                    current = str(target.join(location))
                    continue
                body = _read_body(response, url, limit, deadline, policy.timeout, truncate)
                return _Fetched(str(target), response.status_code, response.headers, body)
        except httpx.TimeoutException:
            raise _error(url, f"{TIMEOUT} after {policy.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise _error(url, f"network error: {type(exc).__name__}: {exc}") from None
    raise _error(url, f"more than {policy.max_redirects} redirects")


def _read_body(
    response: httpx.Response,
    url: str,
    limit: int,
    deadline: float,
    timeout: float,
    truncate: bool,
) -> bytes:
    """The body, streamed: never more than ``limit`` bytes in memory, never past the deadline
    (a server dripping one byte a second would otherwise pass every per-read timeout)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise _error(url, f"{TOO_LARGE} {limit} bytes (Content-Length {declared})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            if truncate:
                chunks.append(chunk[: len(chunk) - (size - limit)])
                break
            raise _error(url, f"{TOO_LARGE} {limit} bytes")
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise _error(url, f"{TIMEOUT} after {timeout:g} s (body still arriving)")
    return b"".join(chunks)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _decode_body(body: bytes, charset: str | None, html: bool) -> str:
    """Text in the declared charset; else a BOM, a <meta charset>, else UTF-8 with
    replacement (a few odd characters beat losing the article)."""
    candidates: list[str] = []
    if body.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8-sig")
    elif body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    if charset:
        candidates.append(charset)
    if html:
        match = _META_CHARSET.search(body[:4096])
        if match:
            candidates.append(match.group(1).decode("ascii", errors="ignore"))
    for name in candidates:
        try:
            return body.decode(codecs.lookup(name).name)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return parts[0].lower(), charset


def fetch_url(
    url: str,
    policy: FetchPolicy | None = None,
    client: httpx.Client | None = None,
    *,
    robots: RobotsCache | None = None,
) -> RawRecord | InputError:
    """One web page as a raw record (``kind`` "html" or "text"), or the reason it was not
    fetched. Never raises for a bad URL, server or page: a live source must not stop a run."""
    policy = policy or FetchPolicy()
    robots = robots if robots is not None else _DEFAULT_ROBOTS
    own = client is None
    http = client if client is not None else _new_client(policy)
    try:
        got = _fetch(url, policy, http, robots)
    except InputError as exc:
        return exc
    finally:
        if own:
            http.close()
    return _page_record(url, got)


def _page_record(url: str, got: _Fetched) -> RawRecord | InputError:
    if not 200 <= got.status < 300:
        return _error(url, f"HTTP {got.status}")
    media, charset = _media_type(got.headers.get("content-type"))
    if not media and got.body.lstrip()[:512].lower().startswith((b"<!doctype html", b"<html")):
        media = "text/html"
    if media in HTML_TYPES:
        text = _decode_body(got.body, charset, html=True)
        return RawRecord({"html": text, "url": got.url}, source=url, kind="html")
    if media in TEXT_TYPES:
        text = _decode_body(got.body, charset, html=False)
        return RawRecord({"text": text, "url": got.url}, source=url, kind="text")
    return _error(url, f"unsupported content type {media or '(none)'!r}: expected HTML or text")


class FeedState:
    """What each feed has already given us: its ETag / Last-Modified (for conditional GET)
    and the guids/links of items seen. A small JSON file, written atomically so a crash
    mid-write never leaves half a state (which would re-ingest or lose a feed)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._feeds: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                feeds = data["feeds"]
                if not isinstance(feeds, dict):
                    raise TypeError("'feeds' is not an object")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                # Refuse rather than start over: starting over would silently re-ingest
                # every feed; the user should decide.
                raise _error(str(self.path), f"feed state is unreadable: {exc}") from None
            self._feeds = feeds

    def _feed(self, url: str) -> dict[str, Any]:
        return self._feeds.setdefault(url, {"etag": None, "modified": None, "seen": []})

    def validators(self, url: str) -> tuple[str | None, str | None]:
        feed = self._feeds.get(url, {})
        return feed.get("etag"), feed.get("modified")

    def set_validators(self, url: str, etag: str | None, modified: str | None) -> None:
        feed = self._feed(url)
        feed["etag"], feed["modified"] = etag, modified

    def is_seen(self, url: str, key: str) -> bool:
        return key in self._feeds.get(url, {}).get("seen", ())

    def mark_seen(self, url: str, key: str) -> None:
        seen = self._feed(url)["seen"]
        if key not in seen:
            seen.append(key)
            del seen[:-FEED_SEEN_LIMIT]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps({"version": 1, "feeds": self._feeds}, ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(payload)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _entry_key(entry: Any) -> str | None:
    for name in ("id", "link"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _entry_published(entry: Any) -> str | None:
    for name in ("published_parsed", "updated_parsed"):
        parsed = entry.get(name)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    return entry.get("published") or entry.get("updated") or None


def _entry_body(entry: Any) -> tuple[str, str]:
    """(kind, text): the full content when the feed carries it, else the summary."""
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if value.strip():
            return ("text" if content.get("type") == "text/plain" else "html"), value
    summary = entry.get("summary") or ""
    kind = (entry.get("summary_detail") or {}).get("type")
    return ("text" if kind == "text/plain" else "html"), summary


def iter_feed(
    url: str,
    policy: FetchPolicy | None,
    state: FeedState,
    *,
    fetch_pages: bool = False,
    client: httpx.Client | None = None,
    robots: RobotsCache | None = None,
) -> Iterator[RawRecord | InputError]:
    """New items of one RSS/Atom feed since the last poll.

    Conditional GET (If-None-Match / If-Modified-Since) makes an unchanged feed cost one 304;
    items already seen (by guid, else link) are skipped. With ``fetch_pages`` each item's page
    is fetched (the feed often carries only a teaser). An item is marked seen once the consumer
    has taken it; a failed page fetch is not marked, and the feed's validators are then not
    saved either, so the next poll retries it. The state is saved when the generator ends."""
    policy = policy or FetchPolicy()
    robots = robots if robots is not None else _DEFAULT_ROBOTS
    own = client is None
    http = client if client is not None else _new_client(policy)
    try:
        etag, modified = state.validators(url)
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        try:
            got = _fetch(url, policy, http, robots, headers=headers)
        except InputError as exc:
            yield exc
            return
        if got.status == 304:
            return
        if not 200 <= got.status < 300:
            yield _error(url, f"HTTP {got.status}")
            return
        parsed = feedparser.parse(
            got.body,
            response_headers={k.lower(): v for k, v in got.headers.items()},
        )
        if parsed.bozo and not parsed.entries:
            yield _error(url, f"not an RSS/Atom feed: {parsed.get('bozo_exception')}")
            return
        outlet = (parsed.feed.get("title") or "").strip() or None
        complete = True
        for n, entry in enumerate(parsed.entries, 1):
            key = _entry_key(entry)
            if key is not None and state.is_seen(url, key):
                continue
            item = _feed_item(url, n, entry, outlet, policy, http, robots, fetch_pages)
            yield item
            if isinstance(item, InputError):
                complete = False
            elif key is not None:
                state.mark_seen(url, key)
        if complete:
            state.set_validators(url, got.headers.get("etag"), got.headers.get("last-modified"))
    finally:
        if own:
            http.close()
        state.save()


def _feed_item(
    feed_url: str,
    n: int,
    entry: Any,
    outlet: str | None,
    policy: FetchPolicy,
    client: httpx.Client,
    robots: RobotsCache,
    fetch_pages: bool,
) -> RawRecord | InputError:
    link = entry.get("link") or None
    source = f"{feed_url}#{n}"
    title = entry.get("title") or None
    published = _entry_published(entry)
    if fetch_pages:
        if not link:
            return _error(source, "feed item has no link to fetch")
        try:
            got = _fetch(link, policy, client, robots)
        except InputError as exc:
            return exc
        page = _page_record(link, got)
        if isinstance(page, RawRecord):
            # The feed's title and date are cleaner than what a boilerplate remover guesses.
            for name, value in (("title", title), ("published", published)):
                if value:
                    page.data.setdefault(name, value)
            page.data["feed"] = feed_url
        return page
    kind, body = _entry_body(entry)
    # A feed's HTML is a fragment without page boilerplate, and too short for trafilatura
    # (which discards it): convert it to text here and keep the HTML beside it.
    text = _fragment_text(body) if kind == "html" else body
    data: dict[str, Any] = {"text": text, "url": link, "title": title, "published": published}
    data.update(outlet=outlet, feed=feed_url, guid=entry.get("id") or None)
    if kind == "html":
        data["html"] = body
    return RawRecord({k: v for k, v in data.items() if v is not None}, source, "text")


class _TextOfFragment(HTMLParser):
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
         "tr", "table", "section", "article", "figure", "figcaption", "pre", "hr"}
    )  # fmt: skip
    SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _fragment_text(fragment: str) -> str:
    """Plain text of a feed item's HTML, paragraphs kept as blank-line breaks."""
    parser = _TextOfFragment()
    parser.feed(fragment)
    parser.close()
    blocks = re.split(r"\n\s*\n", "".join(parser.parts))
    return "\n\n".join(" ".join(b.split()) for b in blocks if b.strip())


_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_WARC_ERRORS = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, IndexError)


def iter_warc(
    path: str | Path, *, max_record_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawRecord | InputError]:
    """HTML pages from a .warc or .warc.gz file (e.g. a CC-NEWS archive): one record per
    ``response`` with status 200 and an HTML content type.

    A corrupt record or a truncated gzip member becomes an InputError naming the file and the
    record's byte offset; reading then resumes at the next record boundary found after it
    (the next gzip member, or the next "WARC/1." line), so one bad record costs only itself."""
    name = str(path)
    try:
        size = os.path.getsize(path)
        fh = open(path, "rb")  # noqa: SIM115 - a with block follows; OSError must be caught
    except OSError as exc:
        yield _error(name, exc.strerror or str(exc))
        return
    with fh:
        magic = _GZIP_MAGIC if fh.read(2) == _GZIP_MAGIC[:2] else _WARC_MAGIC
        start = 0
        while start < size:
            fh.seek(start)
            archive = ArchiveIterator(fh, check_digests=True)
            try:
                for record in archive:
                    item = _warc_item(record, name, archive.offset, max_record_bytes)
                    if item is not None:
                        yield item
                end = archive.offset
            except _WARC_ERRORS as exc:
                bad = archive.offset
                yield _error(f"{name}@{bad}", f"WARC record at offset {bad}: {_warc_reason(exc)}")
                next_start = _resync(fh, bad + 1, magic)
                if next_start is None:
                    return
                start = next_start
                continue
            if end >= size or not _has_data(fh, end):
                return
            yield _error(
                f"{name}@{end}",
                f"WARC record at offset {end}: truncated or unreadable "
                f"({size - end} bytes left unread)",
            )
            next_start = _resync(fh, end + 1, magic)
            if next_start is None:
                return
            start = next_start


def _warc_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0].strip() if text else ""
    return f"{type(exc).__name__}: {first[:200]}" if first else type(exc).__name__


def _has_data(fh: Any, offset: int) -> bool:
    fh.seek(offset)
    return bool(fh.read(4096).strip())


def _resync(fh: Any, offset: int, magic: bytes) -> int | None:
    """Offset of the next record boundary at or after ``offset``; None when there is none."""
    fh.seek(offset)
    position = offset
    tail = b""
    while True:
        chunk = fh.read(1 << 16)
        if not chunk:
            return None
        data = tail + chunk
        found = data.find(magic)
        if found >= 0:
            return position + found
        keep = len(magic) - 1
        position += len(data) - keep
        tail = data[-keep:]


def _read_limited(stream: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(1 << 16, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _warc_item(
    record: Any, name: str, offset: int, max_bytes: int
) -> RawRecord | InputError | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    if record.http_headers.get_statuscode() != "200":
        return None
    media, charset = _media_type(record.http_headers.get_header("content-type"))
    if media not in HTML_TYPES:
        return None
    source = f"{name}@{offset}"
    uri = record.rec_headers.get_header("WARC-Target-URI")
    try:
        body = _read_limited(record.content_stream(), max_bytes + 1)
    except _WARC_ERRORS as exc:
        return _error(source, f"WARC record at offset {offset} ({uri}): {_warc_reason(exc)}")
    if len(body) > max_bytes:
        return _error(source, f"WARC record at offset {offset} ({uri}): over {max_bytes} bytes")
    remaining = getattr(record.raw_stream, "limit", 0)
    if remaining and not record.http_headers.get_header("content-encoding"):
        return _error(
            source, f"WARC record at offset {offset} ({uri}): truncated ({remaining} bytes missing)"
        )
    checker = getattr(record, "digest_checker", None)
    if checker is not None and checker.passed is False:
        problems = "; ".join(checker.problems) or "digest mismatch"
        return _error(source, f"WARC record at offset {offset} ({uri}): {problems}")
    record_id = (record.rec_headers.get_header("WARC-Record-ID") or "").strip("<>") or None
    data: dict[str, Any] = {
        "html": _decode_body(body, charset, html=True),
        "url": uri,
        "published": record.rec_headers.get_header("WARC-Date"),
        "id": record_id,
    }
    return RawRecord({k: v for k, v in data.items() if v is not None}, source, "html")
