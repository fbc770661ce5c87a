"""uvicorn's HTTP protocol with the limits it lacks: a cap on the request head (431), a
deadline for each whole request to arrive (408), and a per-worker connection cap that makes
room by closing the connection that has waited longest for a request of its own.

`roundup serve` passes `GuardedHttpProtocol` as uvicorn's `http` class. The limits come from
the settings (ROUNDUP_MAX_HEAD_BYTES, ROUNDUP_HEADER_TIMEOUT_S, ROUNDUP_MAX_CONNECTIONS).
"""

import asyncio
from collections import OrderedDict
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.config import get_settings
from app.http.balance import WorkerShares, worker_shares

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/problem+json\r\n"
    b"connection: close\r\n"
)
_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: application/problem+json\r\n"
    b"connection: close\r\n"
)
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: application/problem+json\r\n"
    b"retry-after: 1\r\n"
    b"connection: close\r\n"
)
# Raw bytes a head may reach before its end is seen, as a multiple of the cap: a coarse guard
# that stops a huge header before the parser collects it; the exact cap is counted as parsed.
_RAW_MARGIN = 2


def _problem(head: bytes, status: int, title: str, detail: str) -> bytes:
    body = b'{"type":"about:blank","title":"%s","status":%d,"detail":"%s"}' % (
        title.encode(),
        status,
        detail.encode(),
    )
    return head + b"content-length: %d\r\n\r\n" % len(body) + body


class GuardedHttpProtocol(HttpToolsProtocol):
    """Per connection:

    - a request line and headers larger than `max_head_bytes` get a 431 and the connection is
      closed: raw bytes are counted before the parser sees them (so a 100 MB header is never
      collected), and the parsed head of every request, pipelined ones included, exactly;
    - a whole request (head and body) must arrive within `header_timeout` seconds of the
      connection opening or of the previous response, else 408 and close: neither a slow head
      nor a slow body after it keeps a connection;
    - at most `max_connections` per worker: a new connection beyond it closes the connection
      that has waited longest for a whole request (idle, or sending slowly), so half-sent
      requests cannot lock others out; when every connection is busy with a request, the new
      one gets a 503;
    - with several workers, one holding more than its share of connections answers with
      `Connection: close` until it holds its share (app.http.balance).
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        self.max_head_bytes = settings.max_head_bytes
        self.header_timeout = settings.header_timeout_s
        self.max_connections = settings.max_connections
        self.raw_head_bytes = 0  # bytes received since the current request began
        self.parsed_head_bytes = 0
        self.reading_head = True
        self.tail = b""  # the last bytes received, to find a head's end split across reads
        self.deadline: asyncio.TimerHandle | None = None
        self.waiting = _waiting(server_state)
        self.shares = _shares(server_state)
        self.told_to_close = False  # by the balancing of connections between workers

    # Connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.shares is not None:
            self.shares.publish(len(self.connections))
        if len(self.connections) > self.max_connections and not self._make_room():
            self._refuse(_problem(_BUSY, 503, "Service Unavailable", "Too many connections."))
            return
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)
        if self.shares is not None:
            if self.told_to_close:
                self.shares.closed()
            self.shares.publish(len(self.connections))

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for a whole request, if any."""
        for oldest in self.waiting:
            if oldest is not self:
                oldest._stop_waiting()
                oldest.transport.close()
                return True
        return False

    def _await_request(self) -> None:
        self.waiting[self] = None
        self.waiting.move_to_end(self)
        if self.deadline is not None:
            self.deadline.cancel()
        self.deadline = self.loop.call_later(self.header_timeout, self._timed_out)

    def _stop_waiting(self) -> None:
        self.waiting.pop(self, None)
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    # Bytes and parser callbacks

    def data_received(self, data: bytes) -> None:
        if self.reading_head:
            allowed = _RAW_MARGIN * self.max_head_bytes
            if self.raw_head_bytes + len(data) > allowed:
                window = self.tail + data[: max(0, allowed - self.raw_head_bytes)]
                if b"\r\n\r\n" not in window:
                    self._too_large()
                    return
            self.raw_head_bytes += len(data)
        self.tail = (self.tail + data)[-3:]
        super().data_received(data)

    def on_message_begin(self) -> None:
        self.reading_head = True
        self.parsed_head_bytes = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self.raw_head_bytes = 0
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if (
            self.shares is not None
            and cycle is not None
            and cycle is not before  # a new request (an upgrade request makes none)
            and cycle.keep_alive  # not HTTP/1.0, nor closing anyway
            and self.shares.should_close(len(self.connections))
        ):
            # This worker holds more than its share: the client reconnects, most likely to
            # a worker with less to do. (Its request is answered first, in full; requests
            # pipelined behind it are dropped unanswered, as HTTP allows, and retried.)
            cycle.keep_alive = False
            self.told_to_close = True

    def on_message_complete(self) -> None:
        self._stop_waiting()  # the whole request is in: the app has it now
        self.reading_head = True  # whatever comes next begins another request
        self.raw_head_bytes = 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._await_request()

    def _count(self, size: int) -> None:
        self.parsed_head_bytes += size
        if self.parsed_head_bytes > self.max_head_bytes:
            # Stops the parser; uvicorn then calls send_400_response, answered as a 431.
            raise ValueError("request head too large")

    def send_400_response(self, msg: str) -> None:
        if self.parsed_head_bytes > self.max_head_bytes:
            self._too_large()
        else:
            super().send_400_response(msg)

    # Refusals

    def _too_large(self) -> None:
        detail = f"The request line and headers exceed {self.max_head_bytes} bytes."
        self._refuse(_problem(_TOO_LARGE, 431, "Request Header Fields Too Large", detail))

    def _timed_out(self) -> None:
        self.deadline = None
        self.waiting.pop(self, None)
        if self.transport.is_closing():
            return
        started = self.raw_head_bytes > 0 or not self.reading_head
        if not started or (self.cycle is not None and not self.cycle.response_complete):
            # Idle, or the app is answering a request whose body never came: just close.
            self.transport.close()
            return
        detail = f"The request did not arrive within {self.header_timeout:g} s."
        self._refuse(_problem(_TIMEOUT, 408, "Request Timeout", detail))

    def _refuse(self, response: bytes) -> None:
        self._stop_waiting()
        self.reading_head = False
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()


def _waiting(server_state: ServerState) -> "OrderedDict[GuardedHttpProtocol, None]":
    """The worker's connections waiting for a whole request, longest-waiting first."""
    found: OrderedDict[GuardedHttpProtocol, None] | None = getattr(
        server_state, "roundup_waiting", None
    )
    if found is None:
        found = OrderedDict()
        server_state.roundup_waiting = found  # type: ignore[attr-defined]
    return found


def _shares(server_state: ServerState) -> WorkerShares | None:
    """The worker's published connection count, when it is one of several (else None)."""
    if not hasattr(server_state, "roundup_shares"):
        server_state.roundup_shares = worker_shares()  # type: ignore[attr-defined]
    shares: WorkerShares | None = server_state.roundup_shares  # type: ignore[attr-defined]
    return shares
