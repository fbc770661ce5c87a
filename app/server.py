"""uvicorn's HTTP protocol with the limits it lacks: a cap on the request head, read before
the parser sees it (431), and a deadline for the head to arrive (slow clients are closed).

`roundup serve` passes `GuardedHttpProtocol` as uvicorn's `http` class, with
`limit_concurrency` as the per-worker connection cap. The limits come from the settings
(ROUNDUP_MAX_HEAD_BYTES, ROUNDUP_HEADER_TIMEOUT_S).
"""

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.config import get_settings

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


def _problem(head: bytes, status: int, title: str, detail: str) -> bytes:
    body = b'{"type":"about:blank","title":"%s","status":%d,"detail":"%s"}' % (
        title.encode(),
        status,
        detail.encode(),
    )
    return head + b"content-length: %d\r\n\r\n" % len(body) + body


class GuardedHttpProtocol(HttpToolsProtocol):
    """A request head (request line and headers) larger than `max_head_bytes` is answered 431
    and the connection closed, before the parser reads it; a head not complete within
    `header_timeout` seconds of the connection opening (or of the previous response) is
    answered 408 and closed. An idle keep-alive connection is closed by uvicorn's own
    keep-alive timeout first."""

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
        self.head_bytes = 0
        self.reading_head = True
        self.head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.reading_head and self.head_bytes + len(data) > self.max_head_bytes:
            end = data.find(b"\r\n\r\n")
            if end == -1 or self.head_bytes + end + 4 > self.max_head_bytes:
                self._refuse(
                    _problem(
                        _TOO_LARGE,
                        431,
                        "Request Header Fields Too Large",
                        f"The request line and headers exceed {self.max_head_bytes} bytes.",
                    )
                )
                return
        if self.reading_head:
            self.head_bytes += len(data)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.reading_head = True
        self.head_bytes = 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self.head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or not self.reading_head:
            return
        if self.head_bytes == 0:  # nothing of a request yet: just close
            self.transport.close()
            return
        self._refuse(
            _problem(
                _TIMEOUT,
                408,
                "Request Timeout",
                f"The request head did not arrive within {self.header_timeout:g} s.",
            )
        )

    def _refuse(self, response: bytes) -> None:
        self._cancel_head_timer()
        self.reading_head = False
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()
