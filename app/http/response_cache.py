"""A cache of rendered GET responses, keyed by the data version: hot reads skip the framework.

A response is stored only when it is a complete 200 under /v1/ of at most MAX_ENTRY_BYTES
(a streamed export included, kept in one piece) and the data version was the same before and
after it was rendered, so an entry never mixes versions. Entries are keyed by what changes
the bytes sent, and nothing else: the raw path and query, what of Accept selects a
representation (app.http.negotiation.accept_key), what of Origin the CORS layer answers
differently, and whether the client takes gzip. No body or header depends on the Host (see
app.http.urls), so Host is not part of the key: a client cannot fill the cache with copies by
varying it. Every request reads the current version (see app.data_version); entries of older
versions are dropped when it changes. The cache holds at most `max_entries` entries and
`max_bytes`, counting each whole entry (key, headers, body and an allowance for the objects
holding them), least recently used first out. A matching If-None-Match is answered 304 from
the entry's ETag, with the headers the application sends with a 304; If-Modified-Since alone
goes to the application, and so does a request with Range or If-Range (the dump answers it
with a part of its file). Spellings of one path (`/v1/dump`, `/v1/%64ump`) are kept apart:
the raw path is what the target checks read, and each spelling is one more entry under the
same caps. With the setting off, or when the version cannot be read, requests
pass straight through.
"""

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.data_version import VersionSource
from app.http.negotiation import accept_key

MAX_ENTRY_BYTES = 2 * 1024 * 1024
# CPython's objects around the bytes: an entry (its object, key tuple, header list, dict slot)
# and each header (a tuple of two bytes objects). tests/http/test_response_cache.py checks that
# they cover every object an entry holds (sys.getsizeof).
ENTRY_OVERHEAD = 600
HEADER_OVERHEAD = 140
# What a 304 carries: what app.http.conditional and the outer layers (CORS, security
# headers) send with one, never the body's own headers or those of a rendered page (Link,
# X-Total-Count).
_NOT_MODIFIED_HEADERS = {
    b"etag",
    b"cache-control",
    b"vary",
    b"last-modified",
    b"date",
    b"x-content-type-options",
    b"referrer-policy",
    b"x-frame-options",
    b"content-security-policy",
}


Key = tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None
    size: int


def origin_key(cors_origins: Iterable[str]) -> Callable[[bytes | None], bytes]:
    """What of an Origin header the CORS layer answers differently (it is configured with
    `cors_origins` and without credentials): none, any origin when all are allowed, each
    allowed origin, or any other."""
    allowed = set(cors_origins)
    allow_all = "*" in allowed

    def key(origin: bytes | None) -> bytes:
        if origin is None:
            return b""
        if allow_all:
            return b"*"
        return origin if origin.decode("latin-1") in allowed else b"-"

    return key


class ResponseCache:
    def __init__(
        self,
        app: ASGIApp,
        source: VersionSource | None,
        max_bytes: int,
        max_entries: int = 10_000,
        media_types: tuple[str, ...] = ("application/json",),
        cors_origins: Iterable[str] = ("*",),
    ) -> None:
        self.app = app
        self.source = source
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.media_types = media_types
        self.origin_key = origin_key(cors_origins)
        self.version: str | None = None
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.size = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.source is None
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith("/v1/")
        ):
            await self.app(scope, receive, send)
            return
        version = self.source.current()
        if version is None:
            await self.app(scope, receive, send)
            return
        if version != self.version:
            self.entries.clear()
            self.size = 0
            self.version = version
        # The first of a repeated header, as Starlette reads it: the key must describe what
        # the application saw.
        headers = dict(reversed(scope["headers"]))
        if b"if-modified-since" in headers and b"if-none-match" not in headers:
            await self.app(scope, receive, send)  # answered by app.http.conditional, from the data
            return
        if b"range" in headers or b"if-range" in headers:
            await self.app(scope, receive, send)  # a 206 or 416 is the file's, not an entry's
            return
        accept = headers.get(b"accept", b"").decode("latin-1")
        key = (
            scope.get("raw_path") or scope["path"].encode(),
            scope["query_string"],
            accept_key(accept, self.media_types).encode(),
            self.origin_key(headers.get(b"origin")),
            # All that Accept-Encoding changes is whether the body is gzipped (GZipMiddleware).
            b"gzip" if b"gzip" in headers.get(b"accept-encoding", b"") else b"",
        )
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
            await self._send(entry, headers.get(b"if-none-match"), send)
            return
        await self._render_and_keep(scope, receive, send, key, version)

    async def _send(self, entry: Entry, if_none_match: bytes | None, send: Send) -> None:
        if (
            entry.etag is not None
            and if_none_match is not None
            and _matches(if_none_match, entry.etag)
        ):
            kept = [(n, v) for n, v in entry.headers if _kept_in_304(n)]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
        await send({"type": "http.response.body", "body": entry.body})

    async def _render_and_keep(
        self, scope: Scope, receive: Receive, send: Send, key: Key, version: str
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = complete = False

        async def capture(message: Message) -> None:
            nonlocal start, keep, complete, size
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                keep = size <= MAX_ENTRY_BYTES  # a large export streams through, not kept
                chunks.append(body if keep else b"")
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, capture)
        if not (keep and complete) or start is None:
            return
        if self.source is None or self.source.current() != version or self.version != version:
            return  # the data changed while this was rendered: do not keep it
        body = b"".join(chunks)
        # A streamed response had no Content-Length; the kept one is sent in one piece.
        headers = [(n, v) for n, v in start["headers"] if n != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        etag = next((value for name, value in headers if name == b"etag"), None)
        self._store(key, Entry(headers, body, etag, entry_size(key, headers, body)))

    def _store(self, key: Key, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.size -= previous.size
        self.entries[key] = entry
        self.size += entry.size
        while self.size > self.max_bytes or len(self.entries) > self.max_entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= dropped.size


def entry_size(key: Key, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """The memory an entry holds: every byte of its key, headers and body, and the objects."""
    return (
        ENTRY_OVERHEAD
        + sum(map(len, key))
        + sum(len(name) + len(value) + HEADER_OVERHEAD for name, value in headers)
        + len(body)
    )


def _kept_in_304(name: bytes) -> bool:
    return name in _NOT_MODIFIED_HEADERS or name.startswith(b"access-control-")


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    candidates = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
    return etag in candidates or b"*" in candidates
