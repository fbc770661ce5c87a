"""ASGI middleware of our own: pure ASGI (no BaseHTTPMiddleware), each a few lines.

Order, outermost first (see main.create_app): SecurityHeaders, UnexpectedErrors, HeadAsGet,
DedupeVary, CORS, RequestTarget, RateLimit, AllowedMethods, RequestTimeout, ConcurrencyLimit,
GzipETag (app.http.conditional), GZip, then the routes. The response cache
(app.http.response_cache) runs in front of all of them; with a rate limit set, just inside
RateLimit instead.
"""

import asyncio
import logging
import math
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.problems import send_problem

log = logging.getLogger("roundup")

ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(ALLOWED_METHODS)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class SecurityHeaders:
    """nosniff, no referrer, no framing and a restrictive CSP on every response; HTML (the
    docs page) gets `html_csp`. A page that sets its own policy (the explorer) keeps it. No
    `server` header ever leaves."""

    def __init__(self, app: ASGIApp, html_csp: str) -> None:
        self.app = app
        self.html_csp = html_csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in (b"server", b"x-powered-by")
                ]
                is_html = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name, value)
                    for name, value in (
                        (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"),
                        (b"x-frame-options", b"DENY"),
                        (
                            b"content-security-policy",
                            self.html_csp if is_html else API_CSP.encode(),
                        ),
                    )
                    if name not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class UnexpectedErrors:
    """Any exception no handler claimed: logged here with its traceback, answered with a
    generic 500 problem that names no internals (no stack trace, no SQL)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def track(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, track)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await send_problem(scope, send, 500, "An unexpected error occurred.")


class HeadAsGet:
    """Answer HEAD like GET, without the body (RFC 9110 9.3.2)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b"", "more_body": False}
                if sent_body:
                    return
                sent_body.append(True)
            await send(message)

        sent_body: list[bool] = []
        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class RequestTarget:
    """414 for a path + query longer than `max_length`; 400 for a target that is not valid
    percent-encoded UTF-8 or that holds control characters (NUL would reach the database)."""

    def __init__(self, app: ASGIApp, max_length: int) -> None:
        self.app = app
        self.max_length = max_length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        if len(raw_path) + len(query) + 1 > self.max_length:
            await send_problem(
                scope,
                send,
                414,
                f"The request target is longer than {self.max_length} bytes.",
            )
            return
        reason = _target_problem(raw_path, is_query=False) or _target_problem(query, is_query=True)
        if reason:
            await send_problem(scope, send, 400, f"The request target {reason}.")
            return
        await self.app(scope, receive, send)


def _target_problem(raw: bytes, *, is_query: bool) -> str | None:
    if b"%" in raw:
        index = raw.find(b"%")
        while index != -1:
            digits = raw[index + 1 : index + 3]
            if len(digits) != 2 or not all(c in b"0123456789abcdefABCDEF" for c in digits):
                return "has invalid percent-encoding"
            index = raw.find(b"%", index + 1)
    decoded = unquote_to_bytes(raw.replace(b"+", b" ") if is_query else raw)
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return "is not valid UTF-8"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        return "contains control characters"
    return None


class RateLimit:
    """Token bucket per client IP (per process): `per_minute` requests, bursts of as many.
    Over the limit: 429 problem with Retry-After. Health probes are exempt.

    The buckets are kept in the order their clients were last seen: clients whose buckets
    have refilled are dropped from the front (they are as if never seen), and past
    MAX_CLIENTS the least recently seen client is dropped, so the table is bounded and each
    request costs O(1) (amortized) however many addresses a client sends from."""

    EXEMPT = ("/healthz", "/readyz")
    MAX_CLIENTS = 10_000

    def __init__(
        self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.rate <= 0 or scope["path"] in self.EXEMPT:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        wait = self._take(key)
        if wait > 0:
            retry_after = str(max(1, math.ceil(wait)))
            await send_problem(
                scope,
                send,
                429,
                f"More than {int(self.capacity)} requests a minute; retry in {retry_after} s.",
                headers={"Retry-After": retry_after},
            )
            return
        await self.app(scope, receive, send)

    def _take(self, key: str) -> float:
        """Take a token for `key`: 0 if granted, else the seconds until one is available."""
        now = self.clock()
        self._forget_idle(now)
        tokens, last = self.buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if len(self.buckets) >= self.MAX_CLIENTS:
            self.buckets.popitem(last=False)
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self.buckets[key] = (tokens - 1, now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        """Drop the least recently seen clients while their buckets have refilled."""
        full_after = self.capacity / self.rate
        while self.buckets:
            _, (_, last) = next(iter(self.buckets.items()))
            if now - last < full_after:
                return
            self.buckets.popitem(last=False)


class AllowedMethods:
    """Only GET, HEAD and OPTIONS exist. OPTIONS (a CORS preflight is answered before this)
    gets 204 with Allow; any other method on a known path is a 405 problem with Allow; an
    unknown path stays a 404."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD")
            or not any(route.matches(scope)[0] != Match.NONE for route in self.router.routes)
        ):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [(b"allow", ALLOW.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send_problem(
            scope,
            send,
            405,
            f"{scope['method'][:20]} is not allowed here; allowed: {ALLOW}.",
            headers={"Allow": ALLOW},
        )


class RequestTimeout:
    """A request not answered within `seconds` gets a 503 problem at that moment.

    Sync routes run in threads that cannot be interrupted, so the request runs as its own
    task and is raced against the clock; its later output is dropped. The database's
    statement timeout bounds how long the abandoned work goes on."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        abandoned = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if abandoned:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        done, _ = await asyncio.wait({task}, timeout=self.seconds)
        if done or started:
            await task
            return
        abandoned = True
        task.add_done_callback(_log_abandoned)
        task.cancel()
        await send_problem(
            scope,
            send,
            503,
            f"The request took longer than {self.seconds:g} s.",
            headers={"Retry-After": "1"},
        )


LEAVE_LIMIT = "roundup.leave_concurrency_limit"


class ConcurrencyLimit:
    """At most `limit` requests inside the app at once (the connection pool's size); the
    rest wait here, in arrival order, in the event loop, holding neither a thread nor a
    connection. Of those inside, only `turns` run at once until they have run for `grace`
    seconds (`ROUNDUP_CONCURRENT_REQUESTS`): requests are mostly Python work, which threads
    share under one interpreter lock, so a few at a time finish soonest; a request still
    running after `grace` (waiting on the database, or just expensive) gives up its turn,
    so that slow requests never hold back the quick ones queued behind them.

    Without the outer limit, more requests than connections take worker threads that block
    on the pool while the requests holding connections wait for a thread for their next
    step: under load, everything stalls until the pool timeout. /healthz never waits."""

    EXEMPT = ("/healthz",)

    def __init__(
        self, app: ASGIApp, limit: int, turns: int | None = None, grace: float = 0.05
    ) -> None:
        self.app = app
        self.limit = limit
        self.turns = min(turns or limit, limit)
        self.grace = grace
        self.semaphores: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[asyncio.Semaphore, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.EXEMPT:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        inside, turn = self.semaphores.get(loop) or self.semaphores.setdefault(
            loop, (asyncio.Semaphore(self.limit), asyncio.Semaphore(self.turns))
        )
        await inside.acquire()
        try:
            await turn.acquire()
        except BaseException:
            inside.release()
            raise
        holding = {"turn": True, "inside": True}

        def end_turn() -> None:
            if holding["turn"]:
                holding["turn"] = False
                turn.release()

        timer = loop.call_later(self.grace, end_turn)

        def leave() -> None:
            timer.cancel()
            end_turn()
            if holding["inside"]:
                holding["inside"] = False
                inside.release()

        # A response that has finished with the database (a download streaming its rows in
        # batches of its own) calls this to stop counting against the limit.
        scope[LEAVE_LIMIT] = leave
        try:
            await self.app(scope, receive, send)
        finally:
            leave()


def _log_abandoned(task: "asyncio.Future[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("timed-out request then failed: %r", task.exception())


class DedupeVary:
    """Merge the Vary tokens that several layers (ours, gzip, CORS) each append."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_deduped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _dedupe_vary(message["headers"])}
            await send(message)

        await self.app(scope, receive, send_deduped)


def _dedupe_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    tokens: list[str] = []
    others = []
    for name, value in headers:
        if name.lower() == b"vary":
            for token in value.decode("latin-1").split(","):
                token = token.strip()
                if token and token.lower() not in (t.lower() for t in tokens):
                    tokens.append(token)
        else:
            others.append((name, value))
    if tokens:
        others.append((b"vary", ", ".join(tokens).encode("latin-1")))
    return others
