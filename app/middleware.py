"""ASGI middleware of our own."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
